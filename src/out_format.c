/* out_format.c - output stage core: the format table, per-record field resolution, JSON escaping. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out_internal.h"
#include "classify.h"

const struct out_format *const out_formats[] = { &out_format_json, &out_format_csv,
						 &out_format_text, NULL };

const struct out_format *out_format_find(const char *name)
{
	for (size_t i = 0; out_formats[i]; i++)
		if (strcmp(out_formats[i]->name, name) == 0)
			return out_formats[i];
	return NULL;
}

/* ---- line buffer ---- */

void out_line_reset(struct out_writer *w)
{
	w->len = 0;
	w->line[0] = '\0';
}

void out_put(struct out_writer *w, const char *s)
{
	size_t n = strlen(s);
	if (n > sizeof w->line - 1 - w->len)
		n = sizeof w->line - 1 - w->len;
	memcpy(w->line + w->len, s, n);
	w->len += n;
	w->line[w->len] = '\0';
}

size_t out_fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

void out_put_u64(struct out_writer *w, uint64_t v)
{
	char buf[20];
	out_putn(w, buf, out_fmt_u64(buf, v));
}

void out_fmt_usec(char *buf, uint64_t us)
{
	size_t n = out_fmt_u64(buf, us / 1000000);
	uint32_t frac = (uint32_t)(us % 1000000);
	buf[n++] = '.';
	for (int i = 5; i >= 0; i--) {
		buf[n + (size_t)i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	buf[n + 6] = '\0';
}

void out_putf(struct out_writer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof w->line - w->len;
	int n = vsnprintf(w->line + w->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	w->len += (size_t)n < room ? (size_t)n : room - 1;
}

size_t out_json_escape(char *buf, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[7];
		size_t k;
		switch (*p) {
		case '"': memcpy(esc, "\\\"", 2); k = 2; break;
		case '\\': memcpy(esc, "\\\\", 2); k = 2; break;
		case '\b': memcpy(esc, "\\b", 2); k = 2; break;
		case '\f': memcpy(esc, "\\f", 2); k = 2; break;
		case '\n': memcpy(esc, "\\n", 2); k = 2; break;
		case '\r': memcpy(esc, "\\r", 2); k = 2; break;
		case '\t': memcpy(esc, "\\t", 2); k = 2; break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				esc[0] = '\\'; esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
				esc[4] = hex[*p >> 4]; esc[5] = hex[*p & 15];
				k = 6;
			} else {
				esc[0] = (char)*p;
				k = 1;
			}
		}
		if (n + k < cap)
			memcpy(buf + n, esc, k);
		n += k;
	}
	if (n < cap)
		buf[n] = '\0';
	else if (cap)
		buf[0] = '\0';
	return n;
}

void out_put_json_body(struct out_writer *w, const char *s)
{
	if (!s)
		return;
	/* most values need no escaping: copy them whole */
	const unsigned char *p = (const unsigned char *)s;
	while (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f)
		p++;
	if (!*p) {
		out_putn(w, s, (size_t)(p - (const unsigned char *)s));
		return;
	}
	size_t room = sizeof w->line - w->len;
	size_t need = out_json_escape(w->line + w->len, room, s);
	if (need < room)
		w->len += need;
	else
		w->line[w->len] = '\0'; /* too long for one line: drop the value, keep JSON valid */
}

void out_put_json_str(struct out_writer *w, const char *s)
{
	OUT_LIT(w, "\"");
	out_put_json_body(w, s);
	OUT_LIT(w, "\"");
}

/* ---- record resolution ---- */

/* Zeek's names for the transports it knows (ICMPv6 is "icmp" too); others by number. */
static void proto_name(uint8_t p, char *buf, size_t len)
{
	/* copies and digits, not snprintf: this runs for every record (len is at least 8) */
	(void)len;
	switch (p) {
	case 6: memcpy(buf, "tcp", 4); break;
	case 17: memcpy(buf, "udp", 4); break;
	case 1: case 58: memcpy(buf, "icmp", 5); break;
	default: buf[out_fmt_u64(buf, p)] = '\0'; break;
	}
}

void out_fmt_uid(char *buf, uint64_t uid)
{
	/* a bijective mix of the creation number plus the run's key (out_names.uid_key): unique in
	 * a run, and across runs and sensors with random keys */
	static const char alpha[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t x = uid * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	buf[0] = 'C';
	/* the 11 base-62 digits of x, lowest first: five from each 62^5 part with 32-bit
	 * arithmetic (62^5 < 2^32), then the last */
	const uint64_t p5 = 916132832ULL; /* 62^5 */
	uint32_t lo = (uint32_t)(x % p5);
	x /= p5;
	uint32_t mid = (uint32_t)(x % p5);
	x /= p5;
	for (int i = 1; i <= 5; i++) {
		buf[i] = alpha[lo % 62];
		lo /= 62;
	}
	for (int i = 6; i <= 10; i++) {
		buf[i] = alpha[mid % 62];
		mid /= 62;
	}
	buf[11] = alpha[x % 62];
}

static void format_uid(uint64_t uid, char *buf)
{
	out_fmt_uid(buf, uid);
	buf[12] = '\0';
}

static const char *end_reason_name(enum flow_end why)
{
	switch (why) {
	case FLOW_END_IDLE: return "idle";
	case FLOW_END_CLOSED: return "closed";
	case FLOW_END_EVICTED: return "evicted";
	case FLOW_END_EOF: return "eof";
	case FLOW_END_ACTIVE: return "interim";
	}
	return "eof";
}

void out_record_fill(const struct out_writer *w, const struct flow *f, enum flow_end why,
		     struct out_record *r)
{
	memset(r, 0, sizeof *r);
	out_fmt_usec(r->ts, f->ts_first);
	out_fmt_usec(r->duration, f->ts_last >= f->ts_first ? f->ts_last - f->ts_first : 0);
	format_uid(f->uid + w->names.uid_key, r->uid);
	ucf_addr_format(flow_orig_addr(f), r->orig_h, sizeof r->orig_h);
	ucf_addr_format(flow_resp_addr(f), r->resp_h, sizeof r->resp_h);
	r->orig_p = flow_orig_port(f);
	r->resp_p = flow_resp_port(f);
	proto_name(f->key.proto, r->proto, sizeof r->proto);
	flow_history_string(f, r->history, sizeof r->history);
	out_record_resolve(w, f, why, r);
}

void out_record_resolve(const struct out_writer *w, const struct flow *f, enum flow_end why,
			struct out_record *r)
{
	r->f = f;
	r->conn_state = flow_conn_state(f);
	r->end_reason = end_reason_name(why);
	r->app = r->app_service = r->app_category = r->rule_file = NULL;
	r->rule_line = 0;
	r->ncand = 0;
	r->tunnel = NULL;
	r->encrypted = -1;
	r->confidence = "none";
	r->reason = "";
	r->app_scope = r->rule_basis = "";
	const struct sig_db *db = w->names.db;
	if (db) {
		r->confidence = classify_confidence_name(f->label.confidence);
		r->reason = classify_reason_name(f->label.reason);
		r->app_scope = sig_scope_name(db, f->label.scope);
		struct sig_rule_brief v;
		if (f->label.rule != FLOW_RULE_NONE && sig_rule_brief_get(db, f->label.rule, &v)) {
			r->app = v.app;
			r->app_service = v.service;
			r->app_category = v.category;
			r->rule_file = v.file;
			r->rule_line = v.line;
			r->encrypted = v.encrypted;
			r->rule_basis = v.basis;
			/* a label from a domain row: the flow's own payload says whether it is encrypted */
			if (f->label.rule >= CLASSIFY_RULE_DOMAIN_BASE && r->encrypted < 0 &&
			    (f->ev.payload_proto == EV_PROTO_TLS || f->ev.payload_proto == EV_PROTO_DTLS))
				r->encrypted = 1;
		}
		for (unsigned i = 0; i < f->label.ncand && i < FLOW_MAX_CANDIDATES; i++) {
			if (f->label.cand[i] != FLOW_RULE_NONE &&
			    sig_rule_brief_get(db, f->label.cand[i], &v)) {
				r->cand[r->ncand][0] = v.app;
				r->cand[r->ncand][1] = v.service;
				r->ncand++;
			}
		}
	}
	if (w->names.ev)
		evidence_view(w->names.ev, f, &r->ev);
	else
		memset(&r->ev, 0, sizeof r->ev);
	if (w->names.role_text && db) {
		/* a role behind the label: its tokens follow the payload's, when both fit whole */
		char t[EV_REASON_MAX];
		size_t n = w->names.role_text(w->names.role_user, db, f, t, sizeof t);
		size_t have = strlen(r->ev.reason);
		if (n && have + (have > 0) + n < sizeof r->ev.reason) {
			if (have)
				r->ev.reason[have++] = ' ';
			memcpy(r->ev.reason + have, t, n + 1);
		}
	}
	if (w->names.tunnel_of && f->tunnel)
		r->tunnel = w->names.tunnel_of(w->names.user, f->tunnel);
}
