/* out_csv.c - CSV output (RFC 4180 quoting) with a header row; same columns as JSON. */
#include <string.h>

#include "out_internal.h"

static const char *const csv_columns[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration",
	"orig_bytes", "resp_bytes", "conn_state", "history", "orig_pkts", "orig_ip_bytes",
	"resp_pkts", "resp_ip_bytes", "vlan", "inner_vlan", "orig_dscp", "resp_dscp",
	"dscp_changed", "frag_pkts", "end", "app", "app_service", "app_category", "app_scope",
	"confidence", "reason", "rule", "rule_basis", "candidates", "encrypted", "expected_dscp",
	"payload_proto", "sni", "alpn", "server_names", "dns_name", "host", "stun_software",
	"evidence", "tunnel", "community_id", NULL,
};

/* Quotes a field when it holds a separator, quote or line break. */
static void put_field(struct out_writer *w, const char *s, int first)
{
	if (!first)
		out_put(w, ",");
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		out_put(w, s);
		return;
	}
	out_put(w, "\"");
	for (const char *p = s; *p; p++) {
		char c[3] = { *p, 0, 0 };
		if (*p == '"')
			c[1] = '"';
		out_put(w, c);
	}
	out_put(w, "\"");
}

static int csv_begin(struct out_writer *w)
{
	out_line_reset(w);
	for (size_t i = 0; csv_columns[i]; i++)
		put_field(w, csv_columns[i], i == 0);
	return out_line_emit(w);
}

static int csv_flow(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	struct out_record r;
	char num[16][24];
	char rule[512] = "", cands[1024] = "";
	out_record_fill(w, f, why, &r);
	snprintf(num[0], 24, "%u", r.orig_p);
	snprintf(num[1], 24, "%u", r.resp_p);
	snprintf(num[2], 24, "%llu", (unsigned long long)f->dir[0].payload_bytes);
	snprintf(num[3], 24, "%llu", (unsigned long long)f->dir[1].payload_bytes);
	snprintf(num[4], 24, "%u", f->dir[0].pkts);
	snprintf(num[5], 24, "%llu", (unsigned long long)f->dir[0].ip_bytes);
	snprintf(num[6], 24, "%u", f->dir[1].pkts);
	snprintf(num[7], 24, "%llu", (unsigned long long)f->dir[1].ip_bytes);
	snprintf(num[8], 24, "%u", f->key.vlan);
	snprintf(num[9], 24, "%u", f->key.inner_vlan);
	snprintf(num[10], 24, "%u", f->dir[0].dscp_first);
	snprintf(num[11], 24, "%u", f->dir[1].dscp_first);
	snprintf(num[12], 24, "%u", f->frag_pkts);
	snprintf(num[13], 24, "%u", f->label.expected_dscp);
	if (r.rule_file)
		snprintf(rule, sizeof rule, "%s:%u", r.rule_file, r.rule_line);
	for (unsigned i = 0; i < r.ncand; i++) {
		size_t n = strlen(cands);
		snprintf(cands + n, sizeof cands - n, "%s%s/%s", i ? ";" : "", r.cand[i][0],
			 r.cand[i][1]);
	}
	out_line_reset(w);
	put_field(w, r.ts, 1);
	put_field(w, r.uid, 0);
	put_field(w, r.orig_h, 0);
	put_field(w, num[0], 0);
	put_field(w, r.resp_h, 0);
	put_field(w, num[1], 0);
	put_field(w, r.proto, 0);
	put_field(w, r.duration, 0);
	put_field(w, num[2], 0);
	put_field(w, num[3], 0);
	put_field(w, r.conn_state, 0);
	put_field(w, r.history, 0);
	put_field(w, num[4], 0);
	put_field(w, num[5], 0);
	put_field(w, num[6], 0);
	put_field(w, num[7], 0);
	put_field(w, f->key.vlan ? num[8] : "", 0);
	put_field(w, f->key.inner_vlan ? num[9] : "", 0);
	put_field(w, f->dir[0].pkts ? num[10] : "", 0);
	put_field(w, f->dir[1].pkts ? num[11] : "", 0);
	put_field(w, (f->dir[0].dscp_changed || f->dir[1].dscp_changed) ? "true" : "false", 0);
	put_field(w, num[12], 0);
	put_field(w, r.end_reason, 0);
	put_field(w, r.app, 0);
	put_field(w, r.app_service, 0);
	put_field(w, r.app_category, 0);
	put_field(w, r.app_scope, 0); /* in the JSON record's order (--json-all-fields) */
	put_field(w, r.confidence, 0);
	put_field(w, r.reason, 0);
	put_field(w, rule, 0);
	put_field(w, r.rule_basis, 0);
	put_field(w, cands, 0);
	put_field(w, r.encrypted < 0 ? "" : (r.encrypted ? "true" : "false"), 0);
	put_field(w, f->label.expected_dscp != 0xff ? num[13] : "", 0);
	put_field(w, r.ev.proto, 0);
	put_field(w, r.ev.sni, 0);
	put_field(w, r.ev.alpn, 0);
	put_field(w, r.ev.server_names, 0);
	put_field(w, r.ev.dns_name, 0);
	put_field(w, r.ev.host, 0);
	put_field(w, r.ev.software, 0);
	put_field(w, r.ev.reason, 0);
	put_field(w, r.tunnel, 0);
	char cid[OUT_COMMUNITY_ID_LEN];
	out_flow_community_id(f, w->names.community_id_seed, cid);
	put_field(w, cid, 0);
	return out_line_emit(w);
}

const struct out_format out_format_csv = {
	"csv", "comma-separated values with a header row", csv_begin, csv_flow, NULL,
};
