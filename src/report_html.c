/* report_html.c - the audit report as one self-contained XHTML-compatible file: inline CSS and SVG, no scripts. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static const char css[] =
	/* Latin first, then CJK fonts by platform (Debian, Linux, macOS, Windows): the documents'
	 * Japanese titles and sections render where any of them is installed */
	"body{font-family:'DejaVu Sans',Arial,Helvetica,'Noto Sans CJK JP','Noto Sans JP',"
	"'IPAexGothic','IPAGothic','Hiragino Sans','Hiragino Kaku Gothic ProN','Yu Gothic',"
	"Meiryo,sans-serif;color:#222;margin:24px auto;"
	"max-width:1200px;padding:0 16px;line-height:1.45;font-size:15px}\n"
	"h1{font-size:26px;margin-bottom:4px}h2{font-size:21px;border-bottom:2px solid #0072B2;"
	"padding-bottom:3px;margin-top:36px}h3{font-size:17px;margin:26px 0 6px}\n"
	"h4{font-size:15px;margin:14px 0 4px}\n"
	"table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}\n"
	"th,td{border:1px solid #c8c8c8;padding:3px 7px;vertical-align:top}\n"
	"th{background:#eef3f8;text-align:left}td.n{text-align:right;"
	"font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.group td{background:#f4f4f4;font-weight:bold}tr.total td{border-top:2px solid #222;"
	"font-weight:bold}tr.body td:first-child{padding-left:20px}\n"
	"table.kv th{width:230px;background:#f7f7f7}\n"
	"figure{margin:16px 0 24px;break-inside:avoid;page-break-inside:avoid}\n"
	"figure svg{max-width:100%;height:auto;border:1px solid #e2e2e2;background:#fff}\n"
	"figcaption{font-size:13px;color:#444;margin-top:4px}\n"
	".count{color:#fff;background:#0072B2;border-radius:9px;padding:1px 9px;font-size:13px;"
	"margin-left:6px}.count.zero{background:#7a7a7a}.count.cand{background:#8C6D31}\n"
	".summary{border:1px solid #c8c8c8;background:#fafafa;padding:4px 16px;margin:12px 0}\n"
	".summary .verdict{font-size:17px;font-weight:bold}.failed{color:#a00000;font-weight:bold}\n"
	".fgroup{border-left:4px solid #E69F00;padding:2px 12px;margin:10px 0;background:#fffaf0}\n"
	".fgroup.ok{border-left-color:#009E73;background:#f3faf6}\n"
	".fgroup ul{margin:4px 0;padding-left:20px}.src{color:#333;font-style:italic}\n"
	".wide{overflow-x:auto}@media print{.wide{overflow:visible}}\n"
	".note{color:#444}.malformed{color:#a00000}code{font-size:13px}\n"
	"@media print{body{font-size:10pt;margin:0;max-width:none}h2{break-after:avoid}"
	".fgroup,table{break-inside:avoid}}\n";

static void table(struct rout *o, const struct rtab *t, const char *cls)
{
	rout_printf(o, "<div class=\"wide\">\n<table class=\"%s\">\n<thead><tr>", cls);
	for (size_t c = 0; c < t->ncol; c++) {
		rout_puts(o, "<th>");
		rout_html(o, t->head[c]);
		rout_puts(o, "</th>");
	}
	rout_puts(o, "</tr></thead>\n<tbody>\n");
	bool groups = false;
	for (size_t r = 0; r < t->nrow; r++)
		groups |= t->kind[r] == RT_GROUP;
	for (size_t r = 0; r < t->nrow; r++) {
		static const char *const kind[] = { "body", "group", "total" };
		rout_printf(o, "<tr class=\"%s\">", t->kind[r] == RT_BODY && !groups ? "plain"
										: kind[t->kind[r]]);
		for (size_t c = 0; c < t->ncol; c++) {
			rout_puts(o, t->right >> c & 1 ? "<td class=\"n\">" : "<td>");
			rout_html(o, rtab_cell(t, r, c));
			rout_puts(o, "</td>");
		}
		rout_puts(o, "</tr>\n");
	}
	rout_puts(o, "</tbody>\n</table>\n</div>\n");
}

static void overview(const struct report *r, struct rout *o)
{
	struct rtab *t = report_tab_overview(r);
	if (!t)
		return;
	rout_puts(o, "<table class=\"kv\">\n<tbody>\n");
	for (size_t i = 0; i < t->nrow; i++) {
		rout_puts(o, "<tr><th>");
		rout_html(o, rtab_cell(t, i, 0));
		rout_puts(o, "</th><td>");
		rout_html(o, rtab_cell(t, i, 1));
		rout_puts(o, "</td></tr>\n");
	}
	rout_puts(o, "</tbody>\n</table>\n");
	rtab_free(t);
	if (r->malformed) {
		rout_printf(o, "<p class=\"malformed\">Malformed lines (the first %zu of %llu):</p>\n<ul>\n",
			    r->nmalformed_listed, (unsigned long long)r->malformed);
		for (size_t i = 0; i < r->nmalformed_listed; i++) {
			rout_puts(o, "<li><code>");
			rout_html(o, r->malformed_list[i]);
			rout_puts(o, "</code></li>\n");
		}
		rout_puts(o, "</ul>\n");
	}
}

struct lines_ctx {
	struct rout *o;
	bool in_group, in_list;
};

static void close_group(struct lines_ctx *c)
{
	if (c->in_list)
		rout_puts(c->o, "</ul>\n");
	if (c->in_group)
		rout_puts(c->o, "</div>\n");
	c->in_group = c->in_list = false;
}

static void finding_line(void *user, enum rline k, const char *text)
{
	struct lines_ctx *c = user;
	switch (k) {
	case RL_SUMMARY:
	case RL_NOTE:
		close_group(c);
		rout_puts(c->o, k == RL_NOTE ? "<p class=\"note\">" : "<p>");
		rout_html(c->o, text);
		rout_puts(c->o, "</p>\n");
		break;
	case RL_FSOURCE:
		close_group(c);
		rout_puts(c->o, "<p class=\"src\">Source: ");
		rout_html(c->o, text);
		rout_puts(c->o, "</p>\n");
		break;
	case RL_GROUP:
	case RL_GROUP_OK:
		close_group(c);
		rout_puts(c->o, k == RL_GROUP_OK ? "<div class=\"fgroup ok\">\n<h4>"
						 : "<div class=\"fgroup\">\n<h4>");
		rout_html(c->o, text);
		rout_puts(c->o, "</h4>\n");
		c->in_group = true;
		break;
	case RL_DETAIL:
	case RL_SOURCE:
		if (!c->in_list) {
			rout_puts(c->o, "<ul>\n");
			c->in_list = true;
		}
		rout_puts(c->o, k == RL_SOURCE ? "<li class=\"src\">Source: " : "<li>");
		rout_html(c->o, text);
		rout_puts(c->o, "</li>\n");
		break;
	}
}

static void figure(struct rout *o, void (*chart)(const struct report *, struct rout *),
		   const struct report *r, const char *caption)
{
	rout_puts(o, "<figure>\n");
	chart(r, o);
	rout_puts(o, "<figcaption>");
	rout_html(o, caption);
	rout_puts(o, "</figcaption>\n</figure>\n");
}

struct sum_ctx {
	struct rout *o;
	bool in_list, first;
};

static void summary_line(void *user, enum rline k, const char *text)
{
	struct sum_ctx *c = user;
	if (k == RL_DETAIL) {
		if (!c->in_list)
			rout_puts(c->o, "<ul>\n");
		c->in_list = true;
		rout_puts(c->o, strncmp(text, "FAILED", 6) == 0 ? "<li class=\"failed\">" : "<li>");
		rout_html(c->o, text);
		rout_puts(c->o, "</li>\n");
		return;
	}
	if (c->in_list)
		rout_puts(c->o, "</ul>\n");
	c->in_list = false;
	rout_puts(c->o, c->first ? "<p class=\"verdict\">" : "<p>");
	c->first = false;
	rout_html(c->o, text);
	rout_puts(c->o, "</p>\n");
}

int report_render_html(const struct report *r, struct rout *o)
{
	char verdict[512];
	report_verdict(r, verdict, sizeof verdict);
	rout_puts(o, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
		     "<head>\n<meta charset=\"utf-8\"/>\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
		     "<title>ucflow audit report: ");
	rout_html(o, verdict);
	rout_puts(o, "</title>\n<style>\n");
	rout_puts(o, css);
	rout_puts(o, "</style>\n</head>\n<body>\n<h1>ucflow audit report: ");
	rout_html(o, verdict);
	rout_puts(o, "</h1>\n"
		     "<p>What runs on the network, measured against what the vendor documents say. "
		     "Every count is a sum over the flow records read (a flow counts once; its interim "
		     "records add their packets and bytes); bytes are IP bytes (the sum of the IP total length) unless "
		     "marked as payload. c-&gt;s is from the originator (the client) to the "
		     "responder (the server).</p>\n");

	rout_puts(o, "<h2 id=\"summary\">Summary</h2>\n<div class=\"summary\">\n");
	struct sum_ctx sc = { o, false, true };
	report_summary_lines(r, summary_line, &sc);
	if (sc.in_list)
		rout_puts(o, "</ul>\n");
	rout_puts(o, "</div>\n");

	rout_puts(o, "<h2 id=\"overview\">Overview</h2>\n");
	overview(r, o);

	rout_puts(o, "<h2 id=\"products\">Products and services</h2>\n");
	figure(o, report_svg_bytes, r,
	       "Figure 1. IP bytes per product and service (the 20 largest; the rest summed).");
	struct rtab *t = report_tab_services(r);
	if (t)
		table(o, t, "services");
	rtab_free(t);
	if ((t = report_tab_scope(r))) { /* what the Webex labels claim (app_scope) */
		rout_puts(o, "<h2 id=\"webex-scope\">Webex scope (what the Webex labels claim)</h2>\n");
		table(o, t, "scope");
		struct sum_ctx wc = { o, false, false };
		report_scope_lines(r, summary_line, &wc);
	}
	rtab_free(t);
	struct rtab *tc = report_tab_server_clients(r);
	if ((t = report_tab_servers(r)) || tc) { /* servers whose learned role labelled flows */
		rout_puts(o, "<h2 id=\"servers\">Servers (roles learned from the capture)</h2>\n");
		if (t)
			table(o, t, "servers");
		else
			rout_puts(o, "<p>(no host showed server evidence)</p>\n");
		if (tc) {
			rout_puts(o, "<h4>Product clients seen (hosts with a client role only, no server evidence: not servers)</h4>\n");
			table(o, tc, "product-clients");
		}
	}
	rtab_free(t);
	rtab_free(tc);

	rout_puts(o, "<h2 id=\"time\">Traffic over time</h2>\n");
	figure(o, report_svg_timeline, r,
	       "Figure 2. Throughput per product over time (UTC); each flow's bytes are spread "
	       "evenly over its duration.");

	rout_puts(o, "<h2 id=\"confidence\">Confidence mix</h2>\n");
	figure(o, report_svg_confidence, r,
	       "Figure 3. How each product's labels were reached: payload, DNS, documented subnet "
	       "and port, subnet only, site-declared server and port, or port only.");
	t = report_tab_confidence(r);
	if (t)
		table(o, t, "confidence");
	rtab_free(t);

	rout_puts(o, "<h2 id=\"findings\">Findings</h2>\n");
	for (size_t i = 0; i < report_nfindings; i++) {
		enum rfind k = report_finding_order[i];
		uint64_t n = report_finding_flows(r, k), nc = report_cand_flows(r, k);
		rout_printf(o, "<h3 id=\"finding-%c\">%c. ", (int)('a' + i), (int)('a' + i));
		rout_html(o, report_finding_title(k));
		rout_printf(o, "<span class=\"count%s\">%llu flow%s</span>", n ? "" : " zero",
			    (unsigned long long)n, n == 1 ? "" : "s");
		if (nc)
			rout_printf(o, "<span class=\"count cand\">%llu candidate flow%s</span>",
				    (unsigned long long)nc, nc == 1 ? "" : "s");
		rout_puts(o, "</h3>\n");
		struct lines_ctx c = { o, false, false };
		report_finding_lines(r, k, finding_line, &c);
		close_group(&c);
		if (k == RF_UNCLASS && n) {
			rout_puts(o, "<h4>Top groups by flows</h4>\n");
			t = report_tab_unclassified(r, false);
			if (t)
				table(o, t, "unclassified");
			rtab_free(t);
			rout_puts(o, "<h4>Top groups by IP bytes</h4>\n");
			t = report_tab_unclassified(r, true);
			if (t)
				table(o, t, "unclassified");
			rtab_free(t);
		}
	}

	rout_puts(o, "<h2 id=\"appendix\">Appendix: signature rows that matched nothing</h2>\n"
		     "<p>Rules of the loaded tables that no record named, neither as its rule nor "
		     "(by product/service) among its candidates: documented ports never seen in "
		     "these records.</p>\n");
	t = report_tab_appendix(r);
	if (t && t->nrow)
		table(o, t, "appendix");
	else
		rout_puts(o, "<p>(none)</p>\n");
	rtab_free(t);
	rout_puts(o, "<h2 id=\"documents\">Appendix: the documents cited</h2>\n"
		     "<p>Every vendor document the loaded tables cite, as its doc statement records "
		     "it (ucflow-signatures(5)): title, vendor, edition, the title as the document "
		     "prints it, and its revision date (\"not stated\" where the document gives "
		     "none).</p>\n");
	t = report_tab_documents(r);
	if (t && t->nrow)
		table(o, t, "documents");
	else
		rout_puts(o, "<p>(none: no signature tables loaded)</p>\n");
	rtab_free(t);
	rout_puts(o, "</body>\n</html>\n");
	return o->error ? UCF_ERR_RUNTIME : UCF_OK;
}
