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

/* ,"key":"value" unless the value is unset (NULL or "") and unset fields are omitted, as Zeek
 * omits them (out_names.json_all_fields keeps them) */
#define OPT_STR(w, k, v)                                      \
	do {                                                  \
		if (all || ((v) && *(v))) {                   \
			KEY(w, k);                            \
			put_str(w, v);                        \
		}                                             \
	} while (0)

/* Builds the record in w's line buffer (no newline) through the bounded line helpers: the
 * reference form, used when a record might not fit the line (json_build then keeps its exact
 * truncation behaviour). */
static void json_build_slow(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	const bool all = w->names.json_all_fields;
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
	OPT_STR(w, "history", r.history);
	KEY(w, "orig_pkts");
	out_put_u64(w, f->dir[0].pkts);
	KEY(w, "orig_ip_bytes");
	out_put_u64(w, f->dir[0].ip_bytes);
	KEY(w, "resp_pkts");
	out_put_u64(w, f->dir[1].pkts);
	KEY(w, "resp_ip_bytes");
	out_put_u64(w, f->dir[1].ip_bytes);
	if (all || f->key.vlan) {
		KEY(w, "vlan");
		put_u16_or_null(w, f->key.vlan);
	}
	if (all || f->key.inner_vlan) {
		KEY(w, "inner_vlan");
		put_u16_or_null(w, f->key.inner_vlan);
	}
	if (all || f->dir[0].pkts) {
		KEY(w, "orig_dscp");
		put_dscp(w, &f->dir[0]);
	}
	if (all || f->dir[1].pkts) {
		KEY(w, "resp_dscp");
		put_dscp(w, &f->dir[1]);
	}
	KEY(w, "dscp_changed");
	put_bool(w, f->dir[0].dscp_changed || f->dir[1].dscp_changed);
	KEY(w, "frag_pkts");
	out_put_u64(w, f->frag_pkts);
	KEY(w, "end");
	put_str(w, r.end_reason);
	OPT_STR(w, "app", r.app);
	OPT_STR(w, "app_service", r.app_service);
	OPT_STR(w, "app_category", r.app_category);
	OPT_STR(w, "app_scope", r.app_scope);
	KEY(w, "confidence");
	put_str(w, r.confidence);
	OPT_STR(w, "reason", r.reason);
	if (all || r.rule_file) {
		KEY(w, "rule");
		OUT_LIT(w, "\"");
		if (r.rule_file) {
			out_put_json_body(w, r.rule_file);
			OUT_LIT(w, ":");
			out_put_u64(w, r.rule_line);
		}
		OUT_LIT(w, "\"");
	}
	OPT_STR(w, "rule_basis", r.rule_basis);
	if (all || r.ncand) {
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
	}
	if (all || r.encrypted >= 0) {
		KEY(w, "encrypted");
		if (r.encrypted < 0)
			OUT_LIT(w, "null");
		else
			put_bool(w, r.encrypted);
	}
	if (all || f->label.expected_dscp != 0xff) {
		KEY(w, "expected_dscp");
		if (f->label.expected_dscp != 0xff)
			out_put_u64(w, f->label.expected_dscp);
		else
			OUT_LIT(w, "null");
	}
	OPT_STR(w, "payload_proto", r.ev.proto);
	OPT_STR(w, "sni", r.ev.sni);
	OPT_STR(w, "alpn", r.ev.alpn);
	OPT_STR(w, "server_names", r.ev.server_names);
	OPT_STR(w, "dns_name", r.ev.dns_name);
	OPT_STR(w, "host", r.ev.host);
	OPT_STR(w, "stun_software", r.ev.software);
	OPT_STR(w, "evidence", r.ev.reason);
	if (all || r.tunnel) {
		KEY(w, "tunnel");
		if (r.tunnel)
			put_str(w, r.tunnel);
		else
			OUT_LIT(w, "null");
	}
	char cid[OUT_COMMUNITY_ID_LEN];
	out_flow_community_id(f, w->names.community_id_seed, cid);
	KEY(w, "community_id");
	put_str(w, cid);
	OUT_LIT(w, "}");
}

/* ---- the fast form: one bound check per record, then plain stores into the line ---- */

/* More than the keys, punctuation, numbers, addresses, timestamps and uid of a record take. */
#define JSON_FIXED_MAX 2048

/* Bytes a JSON string must escape (out_json_escape). */
static const unsigned char json_esc[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
	[0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1,
};

static const char dig2[201] = "00010203040506070809101112131415161718192021222324252627282930313233"
			      "34353637383940414243444546474849505152535455565758596061626364656667"
			      "6869707172737475767778798081828384858687888990919293949596979899";

static inline char *put_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}
#define PUT(p, s) ((p) = put_mem((p), (s), sizeof(s) - 1))

/* Decimal digits of v, written from the last pair backwards: no temporary, no variable copy. */
static inline char *put_u64(char *p, uint64_t v)
{
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100) {
		memcpy(p, dig2 + 2 * v, 2);
		return p + 2;
	}
	unsigned nd; /* digits, by comparisons: counters and timestamps have up to 10 */
	if (v < 1000000) {
		nd = v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : 6;
	} else if (v < 10000000000ULL) {
		nd = v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
	} else {
		nd = 11;
		for (uint64_t t = v / 100000000000ULL; t; t /= 10)
			nd++;
	}
	char *q = p + nd;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		q -= 2;
		memcpy(q, dig2 + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(q - 2, dig2 + 2 * v, 2);
	else
		q[-1] = (char)('0' + v);
	return p + nd;
}

/* out_fmt_usec's text */
static char *put_usec(char *p, uint64_t us)
{
	p = put_u64(p, us / 1000000);
	unsigned frac = (unsigned)(us % 1000000);
	*p++ = '.';
	memcpy(p, dig2 + 2 * (frac / 10000), 2);
	memcpy(p + 2, dig2 + 2 * (frac / 100 % 100), 2);
	memcpy(p + 4, dig2 + 2 * (frac % 100), 2);
	return p + 6;
}

/* ucf_addr_format's text */
static char *put_addr(char *p, const struct ucf_addr *a)
{
	static const uint8_t mapped[4] = { 0, 0, 0xff, 0xff };
	uint64_t w0;
	memcpy(&w0, a->b, 8);
	if (w0 == 0 && memcmp(a->b + 8, mapped, 4) == 0) { /* ucf_addr_is_v4 */
		for (int i = 12; i < 16; i++) {
			unsigned v = a->b[i];
			if (v >= 100) {
				*p++ = (char)('0' + v / 100);
				memcpy(p, dig2 + 2 * (v % 100), 2);
				p += 2;
			} else if (v >= 10) {
				memcpy(p, dig2 + 2 * v, 2);
				p += 2;
			} else {
				*p++ = (char)('0' + v);
			}
			*p++ = '.';
		}
		return p - 1;
	}
	char buf[UCF_ADDR_STRLEN];
	ucf_addr_format(a, buf, sizeof buf);
	return put_mem(p, buf, strlen(buf));
}

/* Whether any byte of the 8 in x needs escaping (< 0x20, '"', '\\', 0x7f): the haszero/hasless
 * word tricks, exact as a yes/no answer. */
static inline bool word_special(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), d = x ^ (ones * 0x7f);
	uint64_t t = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) |
		     ((d - ones) & ~d);
	return (t & high) != 0;
}

/* A string value's body, escaped; the caller made room for 6 bytes per input byte. */
static inline char *put_body(char *p, const char *s, size_t n)
{
	/* copy while testing, a word at a time: most values need no escaping */
	bool bad = false;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		memcpy(p + i, &x, 8);
		bad |= word_special(x);
	}
	unsigned tail = 0;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		p[i] = (char)c;
		tail |= json_esc[c];
	}
	if (!bad && !tail)
		return p + n;
	return p + out_json_escape(p, n * 6 + 1, s);
}

/* The variable-length values of a record, in output order, with their lengths. */
enum {
	JV_CONN, JV_HIST, JV_END, JV_APP, JV_SVC, JV_CAT, JV_SCOPE, JV_BASIS, JV_CONF, JV_REASON, JV_RULE,
	JV_PPROTO, JV_SNI, JV_ALPN, JV_SNAMES, JV_DNS, JV_HOST, JV_SOFT, JV_EVID, JV_TUNNEL,
	JV_CAND, /* then two per candidate */
	JV_MAX = JV_CAND + 2 * FLOW_MAX_CANDIDATES
};

#define JKEY(p, k) PUT((p), ",\"" k "\":\"")
#define JSTR(p, i) ((p) = put_body((p), v[i], n[i]))
/* a string field, left out when empty unless every field is kept */
#define JOPT(p, k, i)                                         \
	do {                                                  \
		if (all || n[i]) {                            \
			JKEY(p, k);                           \
			JSTR(p, i);                           \
			*(p)++ = '"';                         \
		}                                             \
	} while (0)

/* The record as json_build_slow writes it, when it surely fits the line; false (nothing
 * written) otherwise. */
static bool json_build_fast(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	const bool all = w->names.json_all_fields;
	struct out_record r;
	char hist[32];
	out_record_resolve(w, f, why, &r);
	flow_history_string(f, hist, sizeof hist);
	const char *v[JV_MAX];
	size_t n[JV_MAX];
	v[JV_CONN] = r.conn_state;
	v[JV_HIST] = hist;
	v[JV_END] = r.end_reason;
	v[JV_APP] = r.app;
	v[JV_SVC] = r.app_service;
	v[JV_CAT] = r.app_category;
	v[JV_SCOPE] = r.app_scope;
	v[JV_BASIS] = r.rule_basis;
	v[JV_CONF] = r.confidence;
	v[JV_REASON] = r.reason;
	v[JV_RULE] = r.rule_file;
	v[JV_PPROTO] = r.ev.proto;
	v[JV_SNI] = r.ev.sni;
	v[JV_ALPN] = r.ev.alpn;
	v[JV_SNAMES] = r.ev.server_names;
	v[JV_DNS] = r.ev.dns_name;
	v[JV_HOST] = r.ev.host;
	v[JV_SOFT] = r.ev.software;
	v[JV_EVID] = r.ev.reason;
	v[JV_TUNNEL] = r.tunnel;
	unsigned nv = JV_CAND;
	for (unsigned i = 0; i < r.ncand; i++) {
		v[nv++] = r.cand[i][0];
		v[nv++] = r.cand[i][1];
	}
	size_t total = JSON_FIXED_MAX;
	for (unsigned i = 0; i < nv; i++) {
		n[i] = v[i] ? strlen(v[i]) : 0;
		total += 6 * n[i];
	}
	if (total > sizeof w->line - 1)
		return false;

	char *p = w->line;
	PUT(p, "{\"ts\":");
	p = put_usec(p, f->ts_first);
	PUT(p, ",\"uid\":\"");
	out_fmt_uid(p, f->uid + w->names.uid_key);
	p += 12;
	PUT(p, "\",\"id.orig_h\":\"");
	p = put_addr(p, flow_orig_addr(f));
	PUT(p, "\",\"id.orig_p\":");
	p = put_u64(p, flow_orig_port(f));
	PUT(p, ",\"id.resp_h\":\"");
	p = put_addr(p, flow_resp_addr(f));
	PUT(p, "\",\"id.resp_p\":");
	p = put_u64(p, flow_resp_port(f));
	PUT(p, ",\"proto\":\"");
	switch (f->key.proto) {
	case 6: PUT(p, "tcp"); break;
	case 17: PUT(p, "udp"); break;
	case 1: case 58: PUT(p, "icmp"); break;
	default: p = put_u64(p, f->key.proto); break;
	}
	PUT(p, "\",\"duration\":");
	p = put_usec(p, f->ts_last >= f->ts_first ? f->ts_last - f->ts_first : 0);
	PUT(p, ",\"orig_bytes\":");
	p = put_u64(p, f->dir[0].payload_bytes);
	PUT(p, ",\"resp_bytes\":");
	p = put_u64(p, f->dir[1].payload_bytes);
	JKEY(p, "conn_state");
	JSTR(p, JV_CONN);
	PUT(p, "\"");
	JOPT(p, "history", JV_HIST);
	PUT(p, ",\"orig_pkts\":");
	p = put_u64(p, f->dir[0].pkts);
	PUT(p, ",\"orig_ip_bytes\":");
	p = put_u64(p, f->dir[0].ip_bytes);
	PUT(p, ",\"resp_pkts\":");
	p = put_u64(p, f->dir[1].pkts);
	PUT(p, ",\"resp_ip_bytes\":");
	p = put_u64(p, f->dir[1].ip_bytes);
	if (f->key.vlan) {
		PUT(p, ",\"vlan\":");
		p = put_u64(p, f->key.vlan);
	} else if (all) {
		PUT(p, ",\"vlan\":null");
	}
	if (f->key.inner_vlan) {
		PUT(p, ",\"inner_vlan\":");
		p = put_u64(p, f->key.inner_vlan);
	} else if (all) {
		PUT(p, ",\"inner_vlan\":null");
	}
	if (f->dir[0].pkts) {
		PUT(p, ",\"orig_dscp\":");
		p = put_u64(p, f->dir[0].dscp_first);
	} else if (all) {
		PUT(p, ",\"orig_dscp\":null");
	}
	if (f->dir[1].pkts) {
		PUT(p, ",\"resp_dscp\":");
		p = put_u64(p, f->dir[1].dscp_first);
	} else if (all) {
		PUT(p, ",\"resp_dscp\":null");
	}
	if (f->dir[0].dscp_changed || f->dir[1].dscp_changed)
		PUT(p, ",\"dscp_changed\":true,\"frag_pkts\":");
	else
		PUT(p, ",\"dscp_changed\":false,\"frag_pkts\":");
	p = put_u64(p, f->frag_pkts);
	JKEY(p, "end");
	JSTR(p, JV_END);
	PUT(p, "\"");
	JOPT(p, "app", JV_APP);
	JOPT(p, "app_service", JV_SVC);
	JOPT(p, "app_category", JV_CAT);
	JOPT(p, "app_scope", JV_SCOPE);
	JKEY(p, "confidence");
	JSTR(p, JV_CONF);
	*p++ = '"';
	JOPT(p, "reason", JV_REASON);
	if (r.rule_file) {
		JKEY(p, "rule");
		JSTR(p, JV_RULE);
		*p++ = ':';
		p = put_u64(p, r.rule_line);
		*p++ = '"';
	} else if (all) {
		PUT(p, ",\"rule\":\"\"");
	}
	JOPT(p, "rule_basis", JV_BASIS);
	if (all || r.ncand) {
		PUT(p, ",\"candidates\":[");
		for (unsigned i = 0; i < r.ncand; i++) {
			if (i)
				*p++ = ',';
			*p++ = '"';
			JSTR(p, JV_CAND + 2 * i);
			*p++ = '/';
			JSTR(p, JV_CAND + 2 * i + 1);
			*p++ = '"';
		}
		*p++ = ']';
	}
	if (r.encrypted > 0)
		PUT(p, ",\"encrypted\":true");
	else if (r.encrypted == 0)
		PUT(p, ",\"encrypted\":false");
	else if (all)
		PUT(p, ",\"encrypted\":null");
	if (f->label.expected_dscp != 0xff) {
		PUT(p, ",\"expected_dscp\":");
		p = put_u64(p, f->label.expected_dscp);
	} else if (all) {
		PUT(p, ",\"expected_dscp\":null");
	}
	JOPT(p, "payload_proto", JV_PPROTO);
	JOPT(p, "sni", JV_SNI);
	JOPT(p, "alpn", JV_ALPN);
	JOPT(p, "server_names", JV_SNAMES);
	JOPT(p, "dns_name", JV_DNS);
	JOPT(p, "host", JV_HOST);
	JOPT(p, "stun_software", JV_SOFT);
	JOPT(p, "evidence", JV_EVID);
	if (r.tunnel) {
		JKEY(p, "tunnel");
		JSTR(p, JV_TUNNEL);
		*p++ = '"';
	} else if (all) {
		PUT(p, ",\"tunnel\":null");
	}
	/* base64 needs no escaping; JSON_FIXED_MAX has room for it */
	JKEY(p, "community_id");
	out_flow_community_id(f, w->names.community_id_seed, p);
	p += strlen(p);
	PUT(p, "\"}");
	w->len = (size_t)(p - w->line);
	w->line[w->len] = '\0';
	return true;
}

static void json_build(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	if (!json_build_fast(w, f, why))
		json_build_slow(w, f, why);
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
