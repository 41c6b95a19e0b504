/* report_firewall.c - connection attempts on documented rows that never completed (TCP S0/REJ, UDP unanswered), kept apart from port scans. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* A source is a port scan when its unanswered attempts (on any port, documented or not) reach
 * this many distinct server address:port pairs: a client that a firewall blocks retries the few
 * endpoints its product uses, a sweep walks many. */
#define SCAN_PAIRS 8
#define TOP_ENDPOINTS 5

/* One source's unanswered attempts, for the scan test. */
struct fw_src {
	UT_hash_handle hh;
	struct rcount *pairs; /* "addr:port", kept until SCAN_PAIRS is reached */
	uint64_t attempts, documented;
	bool scan;
	char key[];
};

/* Unanswered attempts of one source on one documented row. */
struct fw_att {
	UT_hash_handle hh;
	char *key;            /* "row\tsource" */
	char *row, *src;      /* row: "app/service proto/port" with the rule */
	char *rule;           /* "file:line" cited ("" none) */
	bool cand;            /* the row is a candidate of unlabelled flows */
	uint64_t s0, rej, udp, pkts, bytes;
	struct rcount *servers;
};

struct rfw {
	struct fw_src *srcs;
	struct fw_att *atts;
};

void report_fw_free(struct report *r)
{
	if (!r->fw)
		return;
	struct fw_src *s, *ts;
	HASH_ITER(hh, r->fw->srcs, s, ts) {
		HASH_DEL(r->fw->srcs, s);
		report_count_free(&s->pairs);
		free(s);
	}
	struct fw_att *a, *ta;
	HASH_ITER(hh, r->fw->atts, a, ta) {
		HASH_DEL(r->fw->atts, a);
		report_count_free(&a->servers);
		free(a->key);
		free(a->row);
		free(a->src);
		free(a->rule);
		free(a);
	}
	free(r->fw);
	r->fw = NULL;
}

static void endpoint(const char *h, uint64_t port, char *buf, size_t len)
{
	snprintf(buf, len, strchr(h, ':') ? "[%s]:%llu" : "%s:%llu", h, (unsigned long long)port);
}

/* 1 TCP S0, 2 TCP REJ, 3 UDP without answer, 0 otherwise. Records without conn_state (other
 * sensors) count a TCP flow whose responder sent nothing as S0. */
static int unanswered(const struct rec *x)
{
	if (strcmp(x->proto, "tcp") == 0) {
		if (strcmp(x->conn_state, "S0") == 0 || (!*x->conn_state && x->rp == 0 && x->op))
			return 1;
		return strcmp(x->conn_state, "REJ") == 0 ? 2 : 0;
	}
	if (strcmp(x->proto, "udp") == 0 && x->rp == 0 && x->op)
		return 3;
	return 0;
}

static struct fw_src *src_get(struct rfw *fw, const char *h, bool *oom)
{
	struct fw_src *s;
	HASH_FIND_STR(fw->srcs, h, s);
	if (s)
		return s;
	size_t n = strlen(h);
	if (!(s = calloc(1, sizeof *s + n + 1))) {
		*oom = true;
		return NULL;
	}
	memcpy(s->key, h, n + 1);
	HASH_ADD_STR(fw->srcs, key, s);
	return s;
}

static struct fw_att *att_get(struct rfw *fw, const char *row, const char *src, const char *rule,
			      bool cand, bool *oom)
{
	char key[1200];
	snprintf(key, sizeof key, "%s%s\t%s", cand ? "c " : "", row, src);
	struct fw_att *a;
	HASH_FIND_STR(fw->atts, key, a);
	if (a)
		return a;
	a = calloc(1, sizeof *a);
	if (!a || !(a->key = strdup(key)) || !(a->row = strdup(row)) || !(a->src = strdup(src)) ||
	    !(a->rule = strdup(rule))) {
		if (a) {
			free(a->key);
			free(a->row);
			free(a->src);
		}
		free(a);
		*oom = true;
		return NULL;
	}
	a->cand = cand;
	HASH_ADD_KEYPTR(hh, fw->atts, a->key, strlen(a->key), a);
	return a;
}

void report_fw_add(struct report *r, const struct rec *x, int32_t idx, bool *oom)
{
	(void)idx;
	int how = x->final ? unanswered(x) : 0;
	if (!how)
		return;
	if (!r->fw && !(r->fw = calloc(1, sizeof *r->fw))) {
		*oom = true;
		return;
	}
	struct fw_src *s = src_get(r->fw, x->orig_h, oom);
	if (!s)
		return;
	char ep[UCF_ADDR_STRLEN + 16];
	endpoint(x->resp_h, x->resp_p, ep, sizeof ep);
	s->attempts++;
	if (!s->scan) {
		report_count_add(&s->pairs, ep, 1, 0, oom);
		if (report_count_size(s->pairs) >= SCAN_PAIRS) {
			s->scan = true;
			report_count_free(&s->pairs); /* the verdict is all that is needed from now on */
		}
	}
	/* the documented row: the flow's rule, else its first candidate's row. A record the
	 * classifier left unlabelled only because the server never answered (reason unanswered)
	 * matched its row: that attempt is the finding's, not a candidate. */
	char row[700], rule[600] = "";
	bool cand = !*x->app && strcmp(x->reason, "unanswered") != 0;
	if (!*x->app) {
		int32_t ci = -1;
		for (size_t i = 0; i < x->ncand && ci < 0; i++)
			if ((ci = report_cand_rule(r, x->cand[i], x->proto, x->resp_p)) >= 0)
				snprintf(row, sizeof row, "%s %s/%llu", x->cand[i], x->proto,
					 (unsigned long long)x->resp_p);
		if (ci < 0)
			return; /* no documented row: not this finding's */
		report_rule_ref(r, (size_t)ci, rule, sizeof rule);
	} else {
		snprintf(row, sizeof row, "%s/%s %s/%llu", x->app, x->svc, x->proto,
			 (unsigned long long)x->resp_p);
		snprintf(rule, sizeof rule, "%s", x->rule);
	}
	s->documented++;
	struct fw_att *a = att_get(r->fw, row, x->orig_h, rule, cand, oom);
	if (!a)
		return;
	a->s0 += how == 1;
	a->rej += how == 2;
	a->udp += how == 3;
	a->pkts += x->op + x->rp;
	a->bytes += x->oip + x->rip;
	report_count_add(&a->servers, ep, 1, x->oip + x->rip, oom);
}

static bool is_scan(const struct rfw *fw, const char *src)
{
	struct fw_src *s;
	HASH_FIND_STR(fw->srcs, src, s);
	return s && s->scan;
}

void report_fw_counts(const struct report *r, uint64_t *labelled, uint64_t *cand)
{
	*labelled = *cand = 0;
	for (const struct fw_att *a = r->fw ? r->fw->atts : NULL; a; a = a->hh.next)
		if (!is_scan(r->fw, a->src))
			*(a->cand ? cand : labelled) += a->s0 + a->rej + a->udp;
}

/* Per row: the sums over its sources (scans left out), clients and servers. */
struct fw_row {
	UT_hash_handle hh;
	const char *row, *rule;
	uint64_t s0, rej, udp, pkts, bytes;
	struct rcount *clients, *servers;
};

static int cmp_row(const void *x, const void *y)
{
	const struct fw_row *a = *(const struct fw_row *const *)x, *b = *(const struct fw_row *const *)y;
	uint64_t na = a->s0 + a->rej + a->udp, nb = b->s0 + b->rej + b->udp;
	return na != nb ? (na > nb ? -1 : 1) : strcmp(a->row, b->row);
}

static void top(struct rcount *map, const char *what, rline_fn fn, void *u)
{
	size_t n, used = 0;
	char buf[1024];
	struct rcount **v = report_sorted_counts(map, &n);
	buf[0] = '\0';
	for (size_t i = 0; v && i < n && i < TOP_ENDPOINTS && used < sizeof buf; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s (%llu)", i ? ", " : "",
					 v[i]->key, (unsigned long long)v[i]->flows);
	if (n > TOP_ENDPOINTS && used < sizeof buf)
		snprintf(buf + used, sizeof buf - used, ", +%zu more", n - TOP_ENDPOINTS);
	free(v);
	report_linef(fn, u, RL_DETAIL, "%s (%zu): %s", what, n, buf);
}

static void rows(const struct report *r, bool cand, rline_fn fn, void *u)
{
	struct fw_row *map = NULL, *w, *tw;
	bool oom = false;
	for (const struct fw_att *a = r->fw ? r->fw->atts : NULL; a; a = a->hh.next) {
		if (a->cand != cand || is_scan(r->fw, a->src))
			continue;
		HASH_FIND_STR(map, a->row, w);
		if (!w) {
			if (!(w = calloc(1, sizeof *w)))
				break;
			w->row = a->row;
			w->rule = a->rule;
			HASH_ADD_KEYPTR(hh, map, w->row, strlen(w->row), w);
		}
		uint64_t n = a->s0 + a->rej + a->udp;
		w->s0 += a->s0;
		w->rej += a->rej;
		w->udp += a->udp;
		w->pkts += a->pkts;
		w->bytes += a->bytes;
		report_count_add(&w->clients, a->src, n, a->bytes, &oom);
		for (struct rcount *c = a->servers; c; c = c->hh.next)
			report_count_add(&w->servers, c->key, c->flows, c->bytes, &oom);
	}
	size_t n = HASH_COUNT(map), i = 0;
	struct fw_row **v = calloc(n ? n : 1, sizeof *v);
	for (w = map; v && w; w = w->hh.next)
		v[i++] = w;
	if (v)
		qsort(v, n, sizeof *v, cmp_row);
	for (i = 0; v && i < n; i++) {
		w = v[i];
		uint64_t att = w->s0 + w->rej + w->udp;
		char how[160] = "";
		size_t used = 0;
		if (w->s0)
			used += (size_t)snprintf(how + used, sizeof how - used, "%sTCP S0 %llu",
						 used ? ", " : "", (unsigned long long)w->s0);
		if (w->rej)
			used += (size_t)snprintf(how + used, sizeof how - used, "%sTCP REJ %llu",
						 used ? ", " : "", (unsigned long long)w->rej);
		if (w->udp)
			snprintf(how + used, sizeof how - used, "%sUDP unanswered %llu",
				 used ? ", " : "", (unsigned long long)w->udp);
		report_linef(fn, u, RL_GROUP, "%s%s: %llu attempt%s (%s)", cand ? "candidate " : "", w->row,
		    (unsigned long long)att, att == 1 ? "" : "s", how);
		struct rcite c;
		char d[1024];
		if (*w->rule && report_cite(r, w->rule, &c))
			report_linef(fn, u, RL_SOURCE, "%s %s: %s, table \"%s\": %s", cand ? "candidate row" : "rule",
			    w->rule, report_fmt_doc(r, c.doc, c.doc_title, d, sizeof d), c.table, c.label);
		else if (*w->rule)
			report_linef(fn, u, RL_SOURCE, "rule %s (not in the loaded signature tables)", w->rule);
		top(w->clients, "clients", fn, u);
		top(w->servers, "servers", fn, u);
	}
	free(v);
	HASH_ITER(hh, map, w, tw) {
		HASH_DEL(map, w);
		report_count_free(&w->clients);
		report_count_free(&w->servers);
		free(w);
	}
}

void report_fw_lines(const struct report *r, bool candidates, rline_fn fn, void *u)
{
	if (candidates) {
		rows(r, true, fn, u);
		return;
	}
	uint64_t lab, cand, s0 = 0, rej = 0, udp = 0;
	report_fw_counts(r, &lab, &cand);
	size_t nscan = 0;
	uint64_t scan_att = 0, scan_doc = 0;
	for (const struct fw_src *s = r->fw ? r->fw->srcs : NULL; s; s = s->hh.next)
		if (s->scan) {
			nscan++;
			scan_att += s->attempts;
			scan_doc += s->documented;
		}
	for (const struct fw_att *a = r->fw ? r->fw->atts : NULL; a; a = a->hh.next)
		if (!a->cand && !is_scan(r->fw, a->src)) {
			s0 += a->s0;
			rej += a->rej;
			udp += a->udp;
		}
	report_linef(fn, u, RL_SUMMARY, "%llu connection attempt%s on documented rows never completed (TCP "
	    "S0, no answer to the SYN: %llu; TCP REJ, refused with a reset: %llu; UDP without any "
	    "answer: %llu): the evidence that something on the path (a firewall) blocks what the "
	    "vendor requires. Port scans are kept apart: a source whose unanswered attempts reach "
	    "%d distinct server address:port pairs is a scan, and none of its attempts count here.",
	    (unsigned long long)lab, lab == 1 ? "" : "s", (unsigned long long)s0,
	    (unsigned long long)rej, (unsigned long long)udp, SCAN_PAIRS);
	rows(r, false, fn, u);
	if (!nscan) {
		report_linef(fn, u, RL_NOTE, "Port scans: none (no source reached %d unanswered server "
		    "address:port pairs).", SCAN_PAIRS);
		return;
	}
	report_linef(fn, u, RL_NOTE, "Port scans, not counted above: %zu source%s with %llu unanswered "
	    "attempts (%llu of them on documented rows).", nscan, nscan == 1 ? "" : "s",
	    (unsigned long long)scan_att, (unsigned long long)scan_doc);
	for (const struct fw_src *s = r->fw->srcs; s; s = s->hh.next)
		if (s->scan)
			report_linef(fn, u, RL_DETAIL, "scan from %s: %llu unanswered attempts, %llu on "
			    "documented rows", s->key, (unsigned long long)s->attempts,
			    (unsigned long long)s->documented);
}

/* Parallel --from-json (report_merge.c): src's sources and attempts added to dst's. A source
 * is a scan when it was one on either side or the pairs of both reach SCAN_PAIRS. */
int report_fw_merge(struct report *dst, const struct report *src)
{
	bool oom = false;
	if (!src->fw)
		return 0;
	if (!dst->fw && !(dst->fw = calloc(1, sizeof *dst->fw)))
		return -1;
	for (const struct fw_src *s = src->fw->srcs; s; s = s->hh.next) {
		struct fw_src *d = src_get(dst->fw, s->key, &oom);
		if (!d)
			return -1;
		d->attempts += s->attempts;
		d->documented += s->documented;
		if (!d->scan && s->scan) {
			d->scan = true;
			report_count_free(&d->pairs);
		}
		for (const struct rcount *c = s->pairs; c && !d->scan; c = c->hh.next) {
			report_count_add(&d->pairs, c->key, c->flows, 0, &oom);
			if (report_count_size(d->pairs) >= SCAN_PAIRS) {
				d->scan = true;
				report_count_free(&d->pairs);
			}
		}
	}
	for (const struct fw_att *a = src->fw->atts; a; a = a->hh.next) {
		struct fw_att *d;
		HASH_FIND_STR(dst->fw->atts, a->key, d);
		if (!d) {
			if (!(d = calloc(1, sizeof *d)) || !(d->key = strdup(a->key)) ||
			    !(d->row = strdup(a->row)) || !(d->src = strdup(a->src)) ||
			    !(d->rule = strdup(a->rule))) {
				if (d) {
					free(d->key);
					free(d->row);
					free(d->src);
				}
				free(d);
				return -1;
			}
			d->cand = a->cand;
			HASH_ADD_KEYPTR(hh, dst->fw->atts, d->key, strlen(d->key), d);
		}
		d->s0 += a->s0;
		d->rej += a->rej;
		d->udp += a->udp;
		d->pkts += a->pkts;
		d->bytes += a->bytes;
		for (const struct rcount *c = a->servers; c; c = c->hh.next)
			report_count_add(&d->servers, c->key, c->flows, c->bytes, &oom);
	}
	return oom ? -1 : 0;
}
