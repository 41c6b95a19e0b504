/* report_md.c - the audit report as Markdown (.md): ATX headings, GitHub-style pipe tables, lists (CommonMark + GFM tables). */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Text with the characters Markdown would take as markup escaped (emphasis, code, links, HTML,
 * table cells); a line break would end a table row or a list item, so it becomes a blank. */
static void md_text(struct rout *o, const char *s)
{
	for (; *s; s++) {
		char c = *s;
		if (c == '\n' || c == '\r' || c == '\t') {
			rout_puts(o, " ");
			continue;
		}
		if (strchr("\\`*_[]<>|", c)) {
			char e[3] = { '\\', c, '\0' };
			rout_puts(o, e);
			continue;
		}
		char one[2] = { c, '\0' };
		rout_puts(o, one);
	}
}

static void table(struct rout *o, const struct rtab *t)
{
	rout_puts(o, "|");
	for (size_t c = 0; c < t->ncol; c++) {
		rout_puts(o, " ");
		md_text(o, t->head[c]);
		rout_puts(o, " |");
	}
	rout_puts(o, "\n|");
	for (size_t c = 0; c < t->ncol; c++)
		rout_puts(o, t->right >> c & 1 ? " ---: |" : " --- |");
	rout_puts(o, "\n");
	for (size_t r = 0; r < t->nrow; r++) {
		rout_puts(o, "|");
		for (size_t c = 0; c < t->ncol; c++) {
			const char *s = rtab_cell(t, r, c);
			bool strong = t->kind[r] != RT_BODY && *s;
			rout_puts(o, " ");
			if (strong) /* group and total rows, as the other formats set them apart */
				rout_puts(o, "**");
			md_text(o, s);
			if (strong)
				rout_puts(o, "**");
			rout_puts(o, " |");
		}
		rout_puts(o, "\n");
	}
	rout_puts(o, "\n");
}

struct lines_ctx {
	struct rout *o;
	bool in_list;
};

static void end_list(struct lines_ctx *c)
{
	if (c->in_list)
		rout_puts(c->o, "\n");
	c->in_list = false;
}

static void item(struct lines_ctx *c, const char *prefix, const char *text)
{
	c->in_list = true;
	rout_puts(c->o, "- ");
	rout_puts(c->o, prefix);
	md_text(c->o, text);
	rout_puts(c->o, "\n");
}

static void finding_line(void *user, enum rline k, const char *text)
{
	struct lines_ctx *c = user;
	switch (k) {
	case RL_SUMMARY:
	case RL_NOTE:
		end_list(c);
		md_text(c->o, text);
		rout_puts(c->o, "\n\n");
		break;
	case RL_FSOURCE:
		end_list(c);
		rout_puts(c->o, "*Source:* ");
		md_text(c->o, text);
		rout_puts(c->o, "\n\n");
		break;
	case RL_GROUP:
	case RL_GROUP_OK:
		end_list(c);
		rout_puts(c->o, "#### ");
		md_text(c->o, text);
		rout_puts(c->o, k == RL_GROUP_OK ? " (passed)\n\n" : "\n\n");
		break;
	case RL_DETAIL:
		item(c, "", text);
		break;
	case RL_SOURCE:
		item(c, "*source:* ", text);
		break;
	}
}

static void summary_line(void *user, enum rline k, const char *text)
{
	struct lines_ctx *c = user;
	if (k == RL_DETAIL) {
		item(c, "", text);
		return;
	}
	end_list(c);
	md_text(c->o, text);
	rout_puts(c->o, "\n\n");
}

static void section(struct rout *o, const char *title)
{
	rout_puts(o, "## ");
	md_text(o, title);
	rout_puts(o, "\n\n");
}

int report_render_md(const struct report *r, struct rout *o)
{
	char verdict[512];
	report_verdict(r, verdict, sizeof verdict);
	rout_puts(o, "# ucflow audit report: ");
	md_text(o, verdict);
	rout_puts(o, "\n\n");
	md_text(o, "What runs on the network, measured against what the vendor documents say. Every "
		   "count is a sum over the flow records read (a flow counts once; its interim records "
		   "add their packets and bytes); bytes are IP bytes (the sum of the IP total length) "
		   "unless marked as payload. c->s is from the originator (the client) to the "
		   "responder (the server).");
	rout_puts(o, "\n\n");

	struct lines_ctx c = { o, false };
	section(o, "Summary");
	report_summary_lines(r, summary_line, &c);
	end_list(&c);

	section(o, "Overview");
	struct rtab *t = report_tab_overview(r);
	if (t)
		table(o, t);
	rtab_free(t);
	if (r->malformed) {
		rout_printf(o, "Malformed lines (the first %zu of %llu):\n\n", r->nmalformed_listed,
			    (unsigned long long)r->malformed);
		for (size_t i = 0; i < r->nmalformed_listed; i++)
			item(&c, "", r->malformed_list[i]);
		end_list(&c);
	}

	section(o, "Products and services");
	if ((t = report_tab_services(r)))
		table(o, t);
	rtab_free(t);
	if ((t = report_tab_scope(r))) { /* what the Webex labels claim (app_scope) */
		section(o, "Webex scope (what the Webex labels claim)");
		table(o, t);
		report_scope_lines(r, summary_line, &c);
		end_list(&c);
	}
	rtab_free(t);
	struct rtab *tc = report_tab_server_clients(r);
	if ((t = report_tab_servers(r)) || tc) { /* servers whose learned role labelled flows */
		section(o, "Servers (roles learned from the capture)");
		if (t)
			table(o, t);
		else
			rout_puts(o, "(no host showed server evidence)\n\n");
		if (tc) {
			rout_puts(o, "### ");
			md_text(o, "Product clients seen (hosts with a client role only, no server evidence: not servers)");
			rout_puts(o, "\n\n");
			table(o, tc);
		}
	}
	rtab_free(t);
	rtab_free(tc);

	section(o, "Confidence mix (flows by how the label was reached)");
	if ((t = report_tab_confidence(r)))
		table(o, t);
	rtab_free(t);

	section(o, "Findings");
	for (size_t i = 0; i < report_nfindings; i++) {
		enum rfind k = report_finding_order[i];
		char cnt[96], head[512];
		report_fmt_finding_count(r, k, cnt, sizeof cnt);
		snprintf(head, sizeof head, "%c. %s: %s", (int)('a' + i), report_finding_title(k), cnt);
		rout_puts(o, "### ");
		md_text(o, head);
		rout_puts(o, "\n\n");
		report_finding_lines(r, k, finding_line, &c);
		end_list(&c);
		if (k == RF_UNCLASS && r->find[k].flows) {
			rout_puts(o, "#### Top groups by flows\n\n");
			if ((t = report_tab_unclassified(r, false)))
				table(o, t);
			rtab_free(t);
			rout_puts(o, "#### Top groups by IP bytes\n\n");
			if ((t = report_tab_unclassified(r, true)))
				table(o, t);
			rtab_free(t);
		}
	}

	section(o, "Appendix: signature rows that matched nothing");
	md_text(o, "Rules of the loaded tables that no record named, neither as its rule nor (by "
		   "product/service) among its candidates: documented ports never seen in these "
		   "records.");
	rout_puts(o, "\n\n");
	t = report_tab_appendix(r);
	if (t && t->nrow)
		table(o, t);
	else
		rout_puts(o, "(none)\n\n");
	rtab_free(t);

	section(o, "Appendix: the documents cited");
	md_text(o, "Every vendor document the loaded tables cite, as its doc statement records it "
		   "(ucflow-signatures(5)): title, vendor, edition, the title as the document prints "
		   "it, and its revision date (\"not stated\" where the document gives none).");
	rout_puts(o, "\n\n");
	t = report_tab_documents(r);
	if (t && t->nrow)
		table(o, t);
	else
		rout_puts(o, "(none: no signature tables loaded)\n");
	rtab_free(t);
	return o->error ? UCF_ERR_RUNTIME : UCF_OK;
}
