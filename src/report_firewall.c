/* report_firewall.c - connection attempts on documented rows that never completed (TCP S0/REJ, UDP unanswered), kept apart from port scans. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* A source is a port scan when its unanswered attempts (on any port, documented or not) reach
 * this many distinct server address:port pairs: a client that a firewall blocks retries the few
 * endpoints its product uses, a sweep walks many. */
#define SCAN_PAIRS 8
#define TOP_ENDPOINTS 5

/* Why bounded summaries: the scan test needs state per source, and the rows named each source;
 * both grew with every distinct host that ever sent an unanswered SYN (a sweep of the Internet's
 * background noise, a week of records). Sources now sit in a Space-Saving summary on their
 * unanswered attempts (FW_SOURCES counters, each with its scan-test state beside it, by id), and
 * each row keeps its clients (per kind) and servers in summaries like the report's other
 * endpoint lists. While the summaries are exact (fewer distinct sources than counters) the
 * finding is exactly what one entry per source gave; past that, the report states the bound:
 * a scan sending at most `floor` + SCAN_PAIRS unanswered attempts may go unrecognised (its
 * attempts went to the summary's filter, or its state was taken over, before it reached
 * SCAN_PAIRS pairs), and row counts say "≈". */
#define FW_SOURCES 4096
enum { K_S0, K_REJ, K_UDP, K_N };

/* One source's scan-test state, beside its counter in the source summary (same id). */
struct fw_aux {
	uint64_t pairs[SCAN_PAIRS]; /* hashes of the distinct "addr:port" tried, until a scan */
	uint32_t npairs;
	bool scan;
	uint64_t documented;        /* unanswered attempts on documented rows */
};

/* Unanswered attempts on one documented row, all sources (scans' included: the sources that turn
 * out to be scans are taken out when the finding is written, by their counts in clients). */
struct fw_row {
	UT_hash_handle hh;
	char *key;            /* "c " for a candidate row, then row */
	char *row;            /* "app/service proto/port" */
	char *rule;           /* "file:line" cited ("" none): the first record's */
	bool cand;            /* the row is a candidate of unlabelled flows */
	uint64_t n[K_N], pkts, bytes;
	struct rtopk clients[K_N]; /* source -> attempts of that kind, bytes */
	struct rtopk servers;      /* "addr:port" -> attempts, bytes */
};

struct rfw {
	struct rtopk srcs;    /* source -> unanswered attempts */
	struct fw_aux *aux;   /* [FW_SOURCES], by the source's id in srcs */
	struct fw_row *rows;
};

static void row_free(struct fw_row *w)
{
	for (int k = 0; k < K_N; k++)
		report_topk_free(&w->clients[k]);
	report_topk_free(&w->servers);
	free(w->key);
	free(w->row);
	free(w->rule);
	free(w);
}

void report_fw_free(struct report *r)
{
	if (!r->fw)
		return;
	report_topk_free(&r->fw->srcs);
	free(r->fw->aux);
	struct fw_row *w, *tw;
	HASH_ITER(hh, r->fw->rows, w, tw) {
		HASH_DEL(r->fw->rows, w);
		row_free(w);
	}
	free(r->fw);
	r->fw = NULL;
}

static struct rfw *fw_get(struct report *r)
{
	if (r->fw)
		return r->fw;
	struct rfw *fw = calloc(1, sizeof *fw);
	if (!fw || !(fw->aux = calloc(FW_SOURCES, sizeof *fw->aux))) {
		free(fw);
		return NULL;
	}
	report_topk_init(&fw->srcs, FW_SOURCES);
	return r->fw = fw;
}

/* 1 TCP S0, 2 TCP REJ, 3 UDP without answer, 0 otherwise. Records without conn_state (other
 * sensors) count a TCP flow whose responder sent nothing as S0. */
static int unanswered(const struct rec *x)
{
	/* per record: lengths and bytes first (three strcmp calls each time were 1 %) */
	if (x->proto_len != 3)
		return 0;
	if (memcmp(x->proto, "tcp", 3) == 0) {
		const char *c = x->conn_state;
		if ((c[0] == 'S' && c[1] == '0' && !c[2]) || (!*c && x->rp == 0 && x->op))
			return 1;
		return c[0] == 'R' && strcmp(c, "REJ") == 0 ? 2 : 0;
	}
	if (memcmp(x->proto, "udp", 3) == 0 && x->rp == 0 && x->op)
		return 3;
	return 0;
}

/* A distinct pair for the source's scan test; true once it is a scan. */
static bool add_pair(struct fw_aux *a, uint64_t h)
{
	if (a->scan)
		return true;
	for (uint32_t i = 0; i < a->npairs; i++)
		if (a->pairs[i] == h)
			return false;
	a->pairs[a->npairs++] = h;
	if (a->npairs >= SCAN_PAIRS)
		a->scan = true;
	return a->scan;
}

static struct fw_row *row_get(struct rfw *fw, const char *row, const char *rule, bool cand,
			      bool *oom)
{
	char key[800];
	snprintf(key, sizeof key, "%s%s", cand ? "c " : "", row);
	struct fw_row *w;
	HASH_FIND_STR(fw->rows, key, w);
	if (w)
		return w;
	w = calloc(1, sizeof *w);
	if (!w || !(w->key = strdup(key)) || !(w->row = strdup(row)) || !(w->rule = strdup(rule))) {
		if (w) {
			free(w->key);
			free(w->row);
		}
		free(w);
		*oom = true;
		return NULL;
	}
	w->cand = cand;
	for (int k = 0; k < K_N; k++)
		report_topk_init(&w->clients[k], REPORT_TOPK_K);
	report_topk_init(&w->servers, REPORT_TOPK_K);
	HASH_ADD_KEYPTR(hh, fw->rows, w->key, strlen(w->key), w);
	return w;
}

void report_fw_add(struct report *r, const struct rec *x, int32_t idx, bool *oom)
{
	(void)idx;
	int how = x->final ? unanswered(x) : 0;
	if (!how)
		return;
	struct rfw *fw = fw_get(r);
	if (!fw) {
		*oom = true;
		return;
	}
	bool fresh;
	uint32_t id = report_topk_add_id(&fw->srcs, x->orig_h, x->orig_len, x->orig_hash, 1, 0,
					 &fresh, oom);
	struct fw_aux *a = id < FW_SOURCES ? &fw->aux[id] : NULL;
	if (a && fresh)
		memset(a, 0, sizeof *a);
	bool scan = a && add_pair(a, x->ep_hash);
	/* the documented row: the flow's rule, else its first candidate's row. A record the
	 * classifier left unlabelled only because the server never answered (reason unanswered)
	 * matched its row: that attempt is the finding's, not a candidate. */
	char row[700], rule[600] = "";
	bool cand = !*x->app && strcmp(x->reason, "unanswered") != 0;
	if (!*x->app) {
		int32_t ci = -1;
		for (size_t i = 0; i < x->ncand && ci < 0; i++)
			if ((ci = report_cand_rule(r, x, i)) >= 0)
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
	if (a)
		a->documented++;
	if (scan)
		return; /* a known scan: its attempts count on no row */
	struct fw_row *w = row_get(fw, row, rule, cand, oom);
	if (!w)
		return;
	uint64_t bytes = x->oip + x->rip;
	w->n[how - 1]++;
	w->pkts += x->op + x->rp;
	w->bytes += bytes;
	report_topk_addh(&w->clients[how - 1], x->orig_h, x->orig_len, x->orig_hash, 1, bytes, oom);
	report_topk_addh(&w->servers, x->ep, x->ep_len, x->ep_hash, 1, bytes, oom);
}

static bool is_scan(const struct rfw *fw, const char *src)
{
	uint32_t id = report_topk_find_id(&fw->srcs, src);
	return id < FW_SOURCES && fw->aux[id].scan;
}

/* A row's attempts of kind k, the scans' taken out (those the clients summary holds). */
static uint64_t row_kind(const struct rfw *fw, const struct fw_row *w, int k)
{
	uint64_t n = w->n[k];
	const struct rtopk *t = &w->clients[k];
	for (uint32_t i = 0; i < t->n; i++)
		if (is_scan(fw, t->ent[i].key))
			n -= t->ent[i].flows < n ? t->ent[i].flows : n;
	return n;
}

static uint64_t row_attempts(const struct rfw *fw, const struct fw_row *w)
{
	return row_kind(fw, w, K_S0) + row_kind(fw, w, K_REJ) + row_kind(fw, w, K_UDP);
}

/* Whether a count of this finding comes from a summary that took counters over. */
static bool fw_exact(const struct rfw *fw)
{
	if (!report_topk_exact(&fw->srcs))
		return false;
	for (const struct fw_row *w = fw->rows; w; w = w->hh.next) {
		if (!report_topk_exact(&w->servers))
			return false;
		for (int k = 0; k < K_N; k++)
			if (!report_topk_exact(&w->clients[k]))
				return false;
	}
	return true;
}

void report_fw_counts(const struct report *r, uint64_t *labelled, uint64_t *cand)
{
	*labelled = *cand = 0;
	for (const struct fw_row *w = r->fw ? r->fw->rows : NULL; w; w = w->hh.next)
		*(w->cand ? cand : labelled) += row_attempts(r->fw, w);
}

struct shown {
	const struct fw_row *w;
	uint64_t n[K_N], att;
};

static int cmp_shown(const void *x, const void *y)
{
	const struct shown *a = x, *b = y;
	return a->att != b->att ? (a->att > b->att ? -1 : 1) : strcmp(a->w->row, b->w->row);
}

/* "what (n): a (3), b (2), +k more" from sorted counters; an approximate count reads
 * "(≈ 40, at most 3 over)", an estimated number of distinct ones "≈ n". */
static void top(struct rcount **v, size_t n, double distinct, bool approx, const char *what,
		rline_fn fn, void *u)
{
	size_t used = 0;
	char buf[1024], over[64];
	buf[0] = '\0';
	for (size_t i = 0; v && i < n && i < TOP_ENDPOINTS && used < sizeof buf; i++) {
		over[0] = '\0';
		if (v[i]->err)
			snprintf(over, sizeof over, ", at most %llu over", (unsigned long long)v[i]->err);
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s (%s%llu%s)", i ? ", " : "",
					 v[i]->key, v[i]->err ? "≈ " : "",
					 (unsigned long long)v[i]->flows, over);
	}
	if (!approx) {
		if (n > TOP_ENDPOINTS && used < sizeof buf)
			snprintf(buf + used, sizeof buf - used, ", +%zu more", n - TOP_ENDPOINTS);
		report_linef(fn, u, RL_DETAIL, "%s (%zu): %s", what, n, buf);
		return;
	}
	if (distinct < (double)n)
		distinct = (double)n;
	if (distinct > TOP_ENDPOINTS && used < sizeof buf)
		snprintf(buf + used, sizeof buf - used, ", +≈ %.0f more", distinct - TOP_ENDPOINTS);
	report_linef(fn, u, RL_DETAIL, "%s (≈ %.0f): %s", what, distinct, buf);
}

static void rows(const struct report *r, bool cand, rline_fn fn, void *u)
{
	const struct rfw *fw = r->fw;
	size_t n = 0;
	for (const struct fw_row *w = fw ? fw->rows : NULL; w; w = w->hh.next)
		n++;
	struct shown *v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return;
	size_t m = 0;
	for (const struct fw_row *w = fw ? fw->rows : NULL; w; w = w->hh.next) {
		if (w->cand != cand)
			continue;
		struct shown s = { w, { 0 }, 0 };
		for (int k = 0; k < K_N; k++)
			s.att += s.n[k] = row_kind(fw, w, k);
		if (s.att)
			v[m++] = s;
	}
	qsort(v, m, sizeof *v, cmp_shown);
	for (size_t i = 0; i < m; i++) {
		const struct fw_row *w = v[i].w;
		uint64_t att = v[i].att;
		char how[160] = "";
		size_t used = 0;
		if (v[i].n[K_S0])
			used += (size_t)snprintf(how + used, sizeof how - used, "%sTCP S0 %llu",
						 used ? ", " : "", (unsigned long long)v[i].n[K_S0]);
		if (v[i].n[K_REJ])
			used += (size_t)snprintf(how + used, sizeof how - used, "%sTCP REJ %llu",
						 used ? ", " : "", (unsigned long long)v[i].n[K_REJ]);
		if (v[i].n[K_UDP])
			snprintf(how + used, sizeof how - used, "%sUDP unanswered %llu",
				 used ? ", " : "", (unsigned long long)v[i].n[K_UDP]);
		report_linef(fn, u, RL_GROUP, "%s%s: %llu attempt%s (%s)", cand ? "candidate " : "", w->row,
		    (unsigned long long)att, att == 1 ? "" : "s", how);
		struct rcite c;
		char d[1024];
		char b[300];
		if (*w->rule && report_cite(r, w->rule, &c))
			report_linef(fn, u, RL_SOURCE, "%s %s: %s, table \"%s\": %s%s", cand ? "candidate row" : "rule",
			    w->rule, report_fmt_doc(r, c.doc, c.doc_title, d, sizeof d), c.table, c.label,
			    report_basis_note(&c, b, sizeof b));
		else if (*w->rule)
			report_linef(fn, u, RL_SOURCE, "rule %s (not in the loaded signature tables)", w->rule);
		/* clients: the three kinds' summaries together, scans left out */
		struct rcount *cl = NULL;
		bool oom = false, approx = false;
		double distinct = 0;
		for (int k = 0; k < K_N; k++) {
			const struct rtopk *t = &w->clients[k];
			approx |= !report_topk_exact(t);
			distinct += report_topk_distinct(t);
			for (uint32_t j = 0; j < t->n; j++)
				if (!is_scan(fw, t->ent[j].key)) {
					struct rcount *e = report_count_add(&cl, t->ent[j].key,
									    t->ent[j].flows,
									    t->ent[j].bytes, &oom);
					if (e)
						e->err += t->ent[j].err;
				}
		}
		size_t nc;
		struct rcount **sc = report_sorted_counts(cl, &nc);
		top(sc, nc, distinct, approx, "clients", fn, u);
		free(sc);
		report_count_free(&cl);
		size_t ns;
		struct rcount **ss = report_topk_sorted(&w->servers, &ns);
		top(ss, ns, report_topk_distinct(&w->servers), !report_topk_exact(&w->servers),
		    "servers", fn, u);
		free(ss);
	}
	free(v);
}

void report_fw_lines(const struct report *r, bool candidates, rline_fn fn, void *u)
{
	if (candidates) {
		rows(r, true, fn, u);
		return;
	}
	uint64_t lab, cand, s0 = 0, rej = 0, udp = 0;
	report_fw_counts(r, &lab, &cand);
	const struct rfw *fw = r->fw;
	size_t nscan = 0;
	uint64_t scan_att = 0, scan_doc = 0;
	const struct rtopk *srcs = fw ? &fw->srcs : NULL;
	for (uint32_t i = 0; srcs && i < srcs->n; i++)
		if (fw->aux[i].scan) {
			nscan++;
			scan_att += srcs->ent[i].flows;
			scan_doc += fw->aux[i].documented;
		}
	for (const struct fw_row *w = fw ? fw->rows : NULL; w; w = w->hh.next)
		if (!w->cand) {
			s0 += row_kind(fw, w, K_S0);
			rej += row_kind(fw, w, K_REJ);
			udp += row_kind(fw, w, K_UDP);
		}
	report_linef(fn, u, RL_SUMMARY, "%llu connection attempt%s on documented rows never completed (TCP "
	    "S0, no answer to the SYN: %llu; TCP REJ, refused with a reset: %llu; UDP without any "
	    "answer: %llu): the evidence that something on the path (a firewall) blocks what the "
	    "vendor requires. Port scans are kept apart: a source whose unanswered attempts reach "
	    "%d distinct server address:port pairs is a scan, and none of its attempts count here.",
	    (unsigned long long)lab, lab == 1 ? "" : "s", (unsigned long long)s0,
	    (unsigned long long)rej, (unsigned long long)udp, SCAN_PAIRS);
	if (fw && !fw_exact(fw))
		report_linef(fn, u, RL_NOTE, "Approximate: more distinct sources than this finding keeps "
		    "counters for (%u sources, %u clients and servers per row; Filtered Space-Saving). Counts "
		    "marked ≈ may overestimate by the amount stated; a source with at most %llu "
		    "unanswered attempts may have gone unrecognised as a scan (its attempts then count "
		    "above).", FW_SOURCES, REPORT_TOPK_K,
		    (unsigned long long)(report_topk_floor(&fw->srcs) + SCAN_PAIRS));
	rows(r, false, fn, u);
	if (!nscan) {
		report_linef(fn, u, RL_NOTE, "Port scans: none (no source reached %d unanswered server "
		    "address:port pairs).", SCAN_PAIRS);
		return;
	}
	report_linef(fn, u, RL_NOTE, "Port scans, not counted above: %zu source%s with %llu unanswered "
	    "attempts (%llu of them on documented rows; the servers listed above may include the "
	    "few a scan tried before it reached %d pairs).", nscan, nscan == 1 ? "" : "s",
	    (unsigned long long)scan_att, (unsigned long long)scan_doc, SCAN_PAIRS);
	struct rcount **sv;
	size_t ns;
	if (!(sv = report_topk_sorted(srcs, &ns)))
		return;
	/* in the order of their attempts (the summary's order is not the records') */
	for (size_t i = 0; i < ns; i++) {
		uint32_t id = report_topk_find_id(srcs, sv[i]->key);
		if (id >= FW_SOURCES || !fw->aux[id].scan)
			continue;
		if (sv[i]->err)
			report_linef(fn, u, RL_DETAIL, "scan from %s: ≈ %llu unanswered attempts (at most "
			    "%llu over), %llu on documented rows", sv[i]->key,
			    (unsigned long long)sv[i]->flows, (unsigned long long)sv[i]->err,
			    (unsigned long long)fw->aux[id].documented);
		else
			report_linef(fn, u, RL_DETAIL, "scan from %s: %llu unanswered attempts, %llu on "
			    "documented rows", sv[i]->key, (unsigned long long)sv[i]->flows,
			    (unsigned long long)fw->aux[id].documented);
	}
	free(sv);
}

static void topk_into(struct rtopk *dst, const struct rtopk *src, bool *oom)
{
	if (!src->n)
		return;
	if (!dst->k)
		dst->k = src->k ? src->k : REPORT_TOPK_K;
	if (report_topk_merge(dst, src) != 0)
		*oom = true;
}

/* Parallel --from-json (report_merge.c): src's sources and rows added to dst's. A source is a
 * scan when it was one on either side or the pairs of both reach SCAN_PAIRS. */
int report_fw_merge(struct report *dst, const struct report *src)
{
	bool oom = false;
	if (!src->fw)
		return 0;
	struct rfw *d = fw_get(dst), *s = src->fw;
	if (!d)
		return -1;
	/* sources: the merged summary, then each kept source's state from both sides */
	struct rtopk m;
	report_topk_init(&m, FW_SOURCES);
	topk_into(&m, &d->srcs, &oom);
	topk_into(&m, &s->srcs, &oom);
	struct fw_aux *aux = calloc(FW_SOURCES, sizeof *aux);
	if (oom || !aux) {
		report_topk_free(&m);
		free(aux);
		return -1;
	}
	for (uint32_t i = 0; i < m.n; i++) {
		const struct rfw *side[2] = { d, s };
		for (int j = 0; j < 2; j++) {
			uint32_t id = report_topk_find_id(&side[j]->srcs, m.ent[i].key);
			if (id >= FW_SOURCES)
				continue;
			const struct fw_aux *o = &side[j]->aux[id];
			aux[i].documented += o->documented;
			if (o->scan)
				aux[i].scan = true;
			for (uint32_t p = 0; p < o->npairs && !aux[i].scan; p++)
				add_pair(&aux[i], o->pairs[p]);
		}
	}
	report_topk_free(&d->srcs);
	free(d->aux);
	d->srcs = m;
	d->aux = aux;
	for (const struct fw_row *w = s->rows; w; w = w->hh.next) {
		struct fw_row *x = row_get(d, w->row, w->rule, w->cand, &oom);
		if (!x)
			return -1;
		for (int k = 0; k < K_N; k++) {
			x->n[k] += w->n[k];
			topk_into(&x->clients[k], &w->clients[k], &oom);
		}
		x->pkts += w->pkts;
		x->bytes += w->bytes;
		topk_into(&x->servers, &w->servers, &oom);
	}
	return oom ? -1 : 0;
}
