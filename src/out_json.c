/* out_json.c - JSON Lines output: one flat object per flow, Zeek conn.log field names. */
#include <string.h>

#include "out_internal.h"

_Static_assert(OUT_LINE_MAX == OUT_JSON_MAX, "out_json_format buffers must match the line buffer");

/* ,"key": with the key a literal */
#define KEY(w, k) OUT_LIT((w), ",\"" k "\":")

static void put_dscp(struct out_writer *w, const struct flow_dir *d)
{
	if (d->pkts)
		out_put_u64(w, d->dscp_first);
	else
		OUT_LIT(w, "null");
}

static void put_str(struct out_writer *w, const char *v)
{
	out_put_json_str(w, v ? v : "");
}

static void put_bool(struct out_writer *w, int v)
{
	if (v)
		OUT_LIT(w, "true");
	else
		OUT_LIT(w, "false");
}

static void put_u16_or_null(struct out_writer *w, uint16_t v)
{
	if (v)
		out_put_u64(w, v);
	else
		OUT_LIT(w, "null");
}

/* Builds the record in w's line buffer (no newline); shared by the writer and out_json_format.
 * Literal keys and digit loops, no printf: a record is built for every flow that ends. */
static void json_build(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	struct out_record r;
	out_record_fill(w, f, why, &r);
	out_line_reset(w);
	OUT_LIT(w, "{\"ts\":");
	out_put(w, r.ts);
	KEY(w, "uid");
	put_str(w, r.uid);
	KEY(w, "id.orig_h");
	put_str(w, r.orig_h);
	KEY(w, "id.orig_p");
	out_put_u64(w, r.orig_p);
	KEY(w, "id.resp_h");
	put_str(w, r.resp_h);
	KEY(w, "id.resp_p");
	out_put_u64(w, r.resp_p);
	KEY(w, "proto");
	put_str(w, r.proto);
	KEY(w, "duration");
	out_put(w, r.duration);
	KEY(w, "orig_bytes");
	out_put_u64(w, f->dir[0].payload_bytes);
	KEY(w, "resp_bytes");
	out_put_u64(w, f->dir[1].payload_bytes);
	KEY(w, "conn_state");
	put_str(w, r.conn_state);
	KEY(w, "history");
	put_str(w, r.history);
	KEY(w, "orig_pkts");
	out_put_u64(w, f->dir[0].pkts);
	KEY(w, "orig_ip_bytes");
	out_put_u64(w, f->dir[0].ip_bytes);
	KEY(w, "resp_pkts");
	out_put_u64(w, f->dir[1].pkts);
	KEY(w, "resp_ip_bytes");
	out_put_u64(w, f->dir[1].ip_bytes);
	KEY(w, "vlan");
	put_u16_or_null(w, f->key.vlan);
	KEY(w, "inner_vlan");
	put_u16_or_null(w, f->key.inner_vlan);
	KEY(w, "orig_dscp");
	put_dscp(w, &f->dir[0]);
	KEY(w, "resp_dscp");
	put_dscp(w, &f->dir[1]);
	KEY(w, "dscp_changed");
	put_bool(w, f->dir[0].dscp_changed || f->dir[1].dscp_changed);
	KEY(w, "frag_pkts");
	out_put_u64(w, f->frag_pkts);
	KEY(w, "end");
	put_str(w, r.end_reason);
	KEY(w, "app");
	put_str(w, r.app);
	KEY(w, "app_service");
	put_str(w, r.app_service);
	KEY(w, "app_category");
	put_str(w, r.app_category);
	KEY(w, "confidence");
	put_str(w, r.confidence);
	KEY(w, "reason");
	put_str(w, r.reason);
	KEY(w, "rule");
	OUT_LIT(w, "\"");
	if (r.rule_file) {
		out_put_json_body(w, r.rule_file);
		OUT_LIT(w, ":");
		out_put_u64(w, r.rule_line);
	}
	OUT_LIT(w, "\"");
	KEY(w, "candidates");
	OUT_LIT(w, "[");
	for (unsigned i = 0; i < r.ncand; i++) {
		if (i)
			OUT_LIT(w, ",");
		OUT_LIT(w, "\"");
		out_put_json_body(w, r.cand[i][0]);
		OUT_LIT(w, "/");
		out_put_json_body(w, r.cand[i][1]);
		OUT_LIT(w, "\"");
	}
	OUT_LIT(w, "]");
	KEY(w, "encrypted");
	if (r.encrypted < 0)
		OUT_LIT(w, "null");
	else
		put_bool(w, r.encrypted);
	KEY(w, "expected_dscp");
	if (f->label.expected_dscp != 0xff)
		out_put_u64(w, f->label.expected_dscp);
	else
		OUT_LIT(w, "null");
	KEY(w, "payload_proto");
	put_str(w, r.ev.proto);
	KEY(w, "sni");
	put_str(w, r.ev.sni);
	KEY(w, "alpn");
	put_str(w, r.ev.alpn);
	KEY(w, "server_names");
	put_str(w, r.ev.server_names);
	KEY(w, "dns_name");
	put_str(w, r.ev.dns_name);
	KEY(w, "host");
	put_str(w, r.ev.host);
	KEY(w, "stun_software");
	put_str(w, r.ev.software);
	KEY(w, "evidence");
	put_str(w, r.ev.reason);
	KEY(w, "tunnel");
	if (r.tunnel)
		put_str(w, r.tunnel);
	else
		OUT_LIT(w, "null");
	OUT_LIT(w, "}");
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
