/* out_json.c - JSON Lines output: one flat object per flow, Zeek conn.log field names. */
#include <string.h>

#include "out_internal.h"

_Static_assert(OUT_LINE_MAX == OUT_JSON_MAX, "out_json_format buffers must match the line buffer");

static void put_dscp(struct out_writer *w, const char *key, const struct flow_dir *d)
{
	if (d->pkts)
		out_putf(w, ",\"%s\":%u", key, d->dscp_first);
	else
		out_putf(w, ",\"%s\":null", key);
}

static void put_opt_str(struct out_writer *w, const char *key, const char *v)
{
	out_putf(w, ",\"%s\":", key);
	out_put_json_str(w, v ? v : "");
}

/* Builds the record in w's line buffer (no newline); shared by the writer and out_json_format. */
static void json_build(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	struct out_record r;
	out_record_fill(w, f, why, &r);
	out_line_reset(w);
	out_putf(w, "{\"ts\":%s,\"uid\":\"%s\",\"id.orig_h\":\"%s\",\"id.orig_p\":%u,"
		    "\"id.resp_h\":\"%s\",\"id.resp_p\":%u,\"proto\":\"%s\",\"duration\":%s,"
		    "\"orig_bytes\":%llu,\"resp_bytes\":%llu,\"conn_state\":\"%s\",\"history\":",
		 r.ts, r.uid, r.orig_h, r.orig_p, r.resp_h, r.resp_p, r.proto, r.duration,
		 (unsigned long long)f->dir[0].payload_bytes,
		 (unsigned long long)f->dir[1].payload_bytes, r.conn_state);
	out_put_json_str(w, r.history);
	out_putf(w, ",\"orig_pkts\":%u,\"orig_ip_bytes\":%llu,\"resp_pkts\":%u,\"resp_ip_bytes\":%llu",
		 f->dir[0].pkts, (unsigned long long)f->dir[0].ip_bytes, f->dir[1].pkts,
		 (unsigned long long)f->dir[1].ip_bytes);
	if (f->key.vlan)
		out_putf(w, ",\"vlan\":%u", f->key.vlan);
	else
		out_put(w, ",\"vlan\":null");
	if (f->key.inner_vlan)
		out_putf(w, ",\"inner_vlan\":%u", f->key.inner_vlan);
	else
		out_put(w, ",\"inner_vlan\":null");
	put_dscp(w, "orig_dscp", &f->dir[0]);
	put_dscp(w, "resp_dscp", &f->dir[1]);
	out_putf(w, ",\"dscp_changed\":%s,\"frag_pkts\":%u,\"end\":\"%s\"",
		 (f->dir[0].dscp_changed || f->dir[1].dscp_changed) ? "true" : "false",
		 f->frag_pkts, r.end_reason);
	put_opt_str(w, "app", r.app);
	put_opt_str(w, "app_service", r.app_service);
	put_opt_str(w, "app_category", r.app_category);
	put_opt_str(w, "confidence", r.confidence);
	put_opt_str(w, "reason", r.reason);
	out_put(w, ",\"rule\":");
	if (r.rule_file) {
		char rule[512];
		snprintf(rule, sizeof rule, "%s:%u", r.rule_file, r.rule_line);
		out_put_json_str(w, rule);
	} else {
		out_put(w, "\"\"");
	}
	out_put(w, ",\"candidates\":[");
	for (unsigned i = 0; i < r.ncand; i++) {
		char c[256];
		snprintf(c, sizeof c, "%s/%s", r.cand[i][0], r.cand[i][1]);
		if (i)
			out_put(w, ",");
		out_put_json_str(w, c);
	}
	out_put(w, "]");
	out_putf(w, ",\"encrypted\":%s",
		 r.encrypted < 0 ? "null" : (r.encrypted ? "true" : "false"));
	if (f->label.expected_dscp != 0xff)
		out_putf(w, ",\"expected_dscp\":%u", f->label.expected_dscp);
	else
		out_put(w, ",\"expected_dscp\":null");
	put_opt_str(w, "payload_proto", r.ev.proto);
	put_opt_str(w, "sni", r.ev.sni);
	put_opt_str(w, "alpn", r.ev.alpn);
	put_opt_str(w, "server_names", r.ev.server_names);
	put_opt_str(w, "dns_name", r.ev.dns_name);
	put_opt_str(w, "host", r.ev.host);
	put_opt_str(w, "stun_software", r.ev.software);
	put_opt_str(w, "evidence", r.ev.reason);
	out_put(w, ",\"tunnel\":");
	if (r.tunnel)
		out_put_json_str(w, r.tunnel);
	else
		out_put(w, "null");
	out_put(w, "}");
}

static int json_flow(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	json_build(w, f, why);
	return out_line_emit(w);
}

size_t out_json_format(const struct out_names *names, const struct flow *f, enum flow_end why,
		       char *buf, size_t cap)
{
	static _Thread_local struct out_writer w; /* its line buffer is large: not on the stack */
	w.names = names ? *names : (struct out_names){ 0 };
	json_build(&w, f, why);
	if (w.len < cap)
		memcpy(buf, w.line, w.len + 1);
	else if (cap)
		buf[0] = '\0';
	return w.len;
}

const struct out_format out_format_json = {
	"json", "JSON Lines, one object per flow (default when stdout is not a terminal)",
	NULL, json_flow, NULL,
};
