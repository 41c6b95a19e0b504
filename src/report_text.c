/* report_text.c - the audit report as plain text (.txt): wrapped paragraphs, aligned columns. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#define WRAP 100

/* Display columns of the UTF-8 bytes s[0..n): East Asian wide characters take two. */
static size_t columns(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp = c;
		size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (len > 1 && i + len <= n) {
			cp = c & (0x3f >> (len - 1));
			for (size_t k = 1; k < len; k++)
				cp = cp << 6 | ((unsigned char)s[i + k] & 0x3f);
		}
		bool wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
			    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
			    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
			    (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000;
		w += wide ? 2 : 1;
		i += len;
	}
	return w;
}

/* Prints text word-wrapped at WRAP display columns: the first line after `first`, the rest after
 * `rest`; a word longer than a line stays whole. */
static void wrap(struct rout *o, const char *first, const char *rest, const char *text)
{
	const char *ind = first;
	const char *p = text;
	while (*p) {
		size_t room = WRAP > strlen(ind) + 20 ? WRAP - strlen(ind) : 20;
		size_t n = strlen(p);
		if (columns(p, n) > room) {
			/* the last blank that keeps the line within room columns */
			size_t cut = 0;
			for (size_t i = 0; p[i]; i++) {
				if (p[i] != ' ')
					continue;
				if (columns(p, i) > room)
					break;
				cut = i;
			}
			if (cut == 0) { /* one long word: break after it */
				cut = 0;
				while (p[cut] && p[cut] != ' ')
					cut++;
			}
			n = cut;
		}
		rout_printf(o, "%s%.*s\n", ind, (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
		ind = rest;
	}
}

static void heading(struct rout *o, const char *title, char underline)
{
	rout_printf(o, "%s\n", title);
	for (size_t i = 0; i < strlen(title); i++)
		rout_printf(o, "%c", underline);
	rout_puts(o, "\n\n");
}

/* A table as an indented (Markdown code) block: header, rule, rows; totals after a rule. */
static void table(struct rout *o, const struct rtab *t)
{
	size_t w[RTAB_MAX_COLS] = { 0 };
	bool groups = false;
	for (size_t r = 0; r < t->nrow; r++)
		groups |= t->kind[r] == RT_GROUP;
	for (size_t c = 0; c < t->ncol; c++) {
		w[c] = columns(t->head[c], strlen(t->head[c]));
		for (size_t r = 0; r < t->nrow; r++) {
			const char *cell = rtab_cell(t, r, c);
			size_t n = columns(cell, strlen(cell)) +
				   (c == 0 && groups && t->kind[r] == RT_BODY ? 2 : 0);
			if (n > w[c])
				w[c] = n;
		}
	}
	size_t total = 0;
	for (size_t c = 0; c < t->ncol; c++)
		total += w[c] + (c ? 2 : 0);
	for (int r = -1; r < (int)t->nrow; r++) {
		if (r >= 0 && t->kind[r] == RT_TOTAL) {
			rout_puts(o, "    ");
			for (size_t i = 0; i < total; i++)
				rout_puts(o, "-");
			rout_puts(o, "\n");
		}
		char line[8192];
		size_t used = 0;
		for (size_t c = 0; c < t->ncol && used < sizeof line; c++) {
			const char *s = r < 0 ? t->head[c] : rtab_cell(t, (size_t)r, c);
			const char *pad = c == 0 && groups && r >= 0 && t->kind[r] == RT_BODY ? "  " : "";
			/* padding in display columns: a wide (CJK) character takes two */
			size_t sw = columns(s, strlen(s)) + strlen(pad);
			int fill = sw < w[c] ? (int)(w[c] - sw) : 0;
			bool last = c + 1 == t->ncol;
			if (t->right >> c & 1)
				used += (size_t)snprintf(line + used, sizeof line - used, "%s%*s%s",
							 c ? "  " : "", fill, "", s);
			else
				used += (size_t)snprintf(line + used, sizeof line - used, "%s%s%s%*s",
							 c ? "  " : "", pad, s, last ? 0 : fill, "");
		}
		while (used > 0 && used < sizeof line && line[used - 1] == ' ')
			used--;
		if (used < sizeof line)
			line[used] = '\0';
		rout_printf(o, "    %s\n", line);
		if (r < 0) {
			rout_puts(o, "    ");
			for (size_t i = 0; i < total; i++)
				rout_puts(o, "-");
			rout_puts(o, "\n");
		}
	}
	rout_puts(o, "\n");
}

static void overview(const struct report *r, struct rout *o)
{
	struct rtab *t = report_tab_overview(r);
	if (!t)
		return;
	size_t w = 0;
	for (size_t i = 0; i < t->nrow; i++)
		if (strlen(rtab_cell(t, i, 0)) > w)
			w = strlen(rtab_cell(t, i, 0));
	for (size_t i = 0; i < t->nrow; i++) {
		char first[128], rest[128];
		snprintf(first, sizeof first, "    %s:%*s", rtab_cell(t, i, 0),
			 (int)(w - strlen(rtab_cell(t, i, 0)) + 2), "");
		snprintf(rest, sizeof rest, "%*s", (int)(w + 7), "");
		wrap(o, first, rest, rtab_cell(t, i, 1));
	}
	rtab_free(t);
	rout_puts(o, "\n");
	if (r->malformed) {
		rout_printf(o, "Malformed lines (the first %zu of %llu):\n\n", r->nmalformed_listed,
			    (unsigned long long)r->malformed);
		for (size_t i = 0; i < r->nmalformed_listed; i++)
			wrap(o, "    ", "        ", r->malformed_list[i]);
		rout_puts(o, "\n");
	}
}

struct lines_ctx {
	struct rout *o;
	bool in_block;
};

static void finding_line(void *user, enum rline k, const char *text)
{
	struct lines_ctx *c = user;
	switch (k) {
	case RL_SUMMARY:
	case RL_NOTE:
		if (c->in_block)
			rout_puts(c->o, "\n");
		wrap(c->o, "", "", text);
		rout_puts(c->o, "\n");
		c->in_block = false;
		break;
	case RL_FSOURCE: {
		char buf[2200];
		if (c->in_block)
			rout_puts(c->o, "\n");
		snprintf(buf, sizeof buf, "Source: %s", text);
		wrap(c->o, "", "", buf);
		rout_puts(c->o, "\n");
		c->in_block = false;
		break;
	}
	case RL_GROUP:
	case RL_GROUP_OK: /* one line, never wrapped: scripts read these */
		if (c->in_block)
			rout_puts(c->o, "\n");
		rout_printf(c->o, "    %s\n", text);
		c->in_block = true;
		break;
	case RL_DETAIL:
	case RL_SOURCE: {
		char first[16];
		snprintf(first, sizeof first, "        ");
		if (k == RL_SOURCE) {
			char buf[2200];
			snprintf(buf, sizeof buf, "source: %s", text);
			wrap(c->o, first, "          ", buf);
		} else {
			wrap(c->o, first, "          ", text);
		}
		c->in_block = true;
		break;
	}
	}
}

/* The summary: paragraphs, and "- " items under them. */
static void summary_line(void *user, enum rline k, const char *text)
{
	struct lines_ctx *c = user;
	if (k == RL_DETAIL) {
		wrap(c->o, "  - ", "    ", text);
		c->in_block = true;
		return;
	}
	if (c->in_block)
		rout_puts(c->o, "\n");
	wrap(c->o, "", "", text);
	rout_puts(c->o, "\n");
	c->in_block = false;
}

int report_render_text(const struct report *r, struct rout *o)
{
	char title[600], verdict[512];
	report_verdict(r, verdict, sizeof verdict);
	snprintf(title, sizeof title, "ucflow audit report: %s", verdict);
	heading(o, title, '=');
	wrap(o, "", "",
	     "What runs on the network, measured against what the vendor documents say. Every "
	     "count is a sum over the flow records read (a flow counts once; its interim records "
	     "add their packets and bytes); bytes are IP bytes (the sum of the IP total length) unless marked as "
	     "payload. c->s is from the originator (the client) to the responder (the server).");
	rout_puts(o, "\n");

	heading(o, "Summary", '-');
	struct lines_ctx sc = { o, false };
	report_summary_lines(r, summary_line, &sc);
	if (sc.in_block)
		rout_puts(o, "\n");

	heading(o, "Overview", '-');
	overview(r, o);

	heading(o, "Products and services", '-');
	struct rtab *t = report_tab_services(r);
	if (t)
		table(o, t);
	rtab_free(t);

	if ((t = report_tab_scope(r))) { /* what the Webex labels claim (app_scope) */
		heading(o, "Webex scope (what the Webex labels claim)", '-');
		table(o, t);
		struct lines_ctx wc = { o, false };
		report_scope_lines(r, summary_line, &wc);
	}
	rtab_free(t);

	struct rtab *tc = report_tab_server_clients(r);
	if ((t = report_tab_servers(r)) || tc) { /* servers whose learned role labelled flows */
		heading(o, "Servers (roles learned from the capture)", '-');
		if (t)
			table(o, t);
		else
			rout_puts(o, "    (no host showed server evidence)\n\n");
		if (tc) {
			rout_puts(o, "Product clients seen (hosts with a client role only, no server evidence: not servers):\n\n");
			table(o, tc);
		}
	}
	rtab_free(t);
	rtab_free(tc);

	heading(o, "Confidence mix (flows by how the label was reached)", '-');
	t = report_tab_confidence(r);
	if (t)
		table(o, t);
	rtab_free(t);

	heading(o, "Findings", '-');
	for (size_t i = 0; i < report_nfindings; i++) {
		enum rfind k = report_finding_order[i];
		char cnt[96];
		report_fmt_finding_count(r, k, cnt, sizeof cnt);
		rout_printf(o, "### %c. %s: %s\n\n", (int)('a' + i), report_finding_title(k), cnt);
		struct lines_ctx c = { o, false };
		report_finding_lines(r, k, finding_line, &c);
		if (c.in_block)
			rout_puts(o, "\n");
		if (k == RF_UNCLASS && r->find[k].flows) {
			rout_puts(o, "Top groups by flows:\n\n");
			t = report_tab_unclassified(r, false);
			if (t)
				table(o, t);
			rtab_free(t);
			rout_puts(o, "Top groups by IP bytes:\n\n");
			t = report_tab_unclassified(r, true);
			if (t)
				table(o, t);
			rtab_free(t);
		}
	}

	heading(o, "Appendix: signature rows that matched nothing", '-');
	wrap(o, "", "",
	     "Rules of the loaded tables that no record named, neither as its rule nor (by "
	     "product/service) among its candidates: documented ports never seen in these "
	     "records.");
	rout_puts(o, "\n");
	t = report_tab_appendix(r);
	if (t && t->nrow)
		table(o, t);
	else
		rout_puts(o, "    (none)\n\n");
	rtab_free(t);

	heading(o, "Appendix: the documents cited", '-');
	wrap(o, "", "",
	     "Every vendor document the loaded tables cite, as its doc statement records it "
	     "(ucflow-signatures(5)): title, vendor, edition, the title as the document prints it, "
	     "and its revision date (\"not stated\" where the document gives none).");
	rout_puts(o, "\n");
	t = report_tab_documents(r);
	if (t && t->nrow)
		table(o, t);
	else
		rout_puts(o, "    (none: no signature tables loaded)\n\n");
	rtab_free(t);
	return o->error ? UCF_ERR_RUNTIME : UCF_OK;
}
