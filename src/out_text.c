/* out_text.c - aligned text table for a terminal: one line per flow, fixed-width columns. */
#include <string.h>
#include <time.h>

#include "out_internal.h"

static int text_begin(struct out_writer *w)
{
	out_line_reset(w);
	out_putf(w, "%-15s %-5s %-46s %-46s %7s %9s %-6s %-40s %s", "time", "proto",
		 "originator", "responder", "pkts", "bytes", "state", "app/service", "confidence");
	return out_line_emit(w);
}

static void endpoint(char *buf, size_t len, const char *h, unsigned p, int v6)
{
	snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", h, p);
}

static int text_flow(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	struct out_record r;
	char orig[64], resp[64], label[128], when[32];
	out_record_fill(w, f, why, &r);
	int v6 = !ucf_addr_is_v4(flow_orig_addr(f));
	endpoint(orig, sizeof orig, r.orig_h, r.orig_p, v6);
	endpoint(resp, sizeof resp, r.resp_h, r.resp_p, v6);
	time_t sec = (time_t)(f->ts_first / 1000000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	snprintf(when, sizeof when, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(f->ts_first % 1000000));
	if (r.app)
		snprintf(label, sizeof label, "%s/%s%s%s%s", r.app, r.app_service,
			 *r.app_scope ? " (" : "", r.app_scope, *r.app_scope ? ")" : "");
	else if (*r.app_scope) /* no label, but a scope says why: allow-list */
		snprintf(label, sizeof label, "- (%s)", r.app_scope);
	else
		snprintf(label, sizeof label, "-");
	out_line_reset(w);
	out_putf(w, "%-15s %-5s %-46s %-46s %7u %9llu %-6s %-40s %s", when, r.proto, orig, resp,
		 f->dir[0].pkts + f->dir[1].pkts,
		 (unsigned long long)(f->dir[0].ip_bytes + f->dir[1].ip_bytes), r.conn_state, label,
		 r.confidence);
	return out_line_emit(w);
}

const struct out_format out_format_text = {
	"text", "aligned table, one line per flow (default on a terminal)", text_begin, text_flow,
	NULL,
};
