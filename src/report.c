/* report.c - the audit report's aggregator: flow records (JSON lines) in, sums and findings out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report_internal.h"
#include "classify.h"

const char *const report_conf_names[RC_N] = { "payload", "dns", "subnet+port", "subnet",
					      "site+port", "role+port", "port", "none", "other" };


/* ---- keys of the fields the report reads ---- */
enum fk {
	K_TS, K_ORIG_H, K_ORIG_P, K_RESP_H, K_RESP_P, K_PROTO, K_DURATION, K_ORIG_BYTES,
	K_RESP_BYTES, K_ORIG_PKTS, K_ORIG_IP, K_RESP_PKTS, K_RESP_IP, K_CONF,
	/* required up to here; the label's fields are left out of unlabelled records (JSON omits
	 * empty fields, as Zeek does, unless --json-all-fields) and read as "" */
	K_APP, K_SVC, K_CAT, K_RULE, K_ORIG_DSCP, K_RESP_DSCP, K_DSCP_CHANGED, K_FRAG, K_END, K_CAND, K_ENC, K_EXP_DSCP,
	K_REASON, K_CONN_STATE, K_EVIDENCE, K_CID, K_SCOPE, K_N
};
#define K_REQUIRED K_APP
/* both readers' table (report_scan.c) */
const char *const report_scan_keys[REPORT_SCAN_NKEYS] = {
	"ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration", "orig_bytes",
	"resp_bytes", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "confidence",
	"app", "app_service", "app_category", "rule", "orig_dscp", "resp_dscp",
	"dscp_changed", "frag_pkts", "end", "candidates", "encrypted", "expected_dscp", "reason",
	"conn_state", "evidence", "community_id", "app_scope",
};
_Static_assert((int)K_N == (int)REPORT_SCAN_NKEYS && (int)K_APP == (int)RS_APP &&
	       (int)K_SCOPE == (int)RS_SCOPE, "report_scan.c reads the fields of extract()");

/* ---- small helpers ---- */

static char *xstrdup(const char *s, bool *oom)
{
	char *p = strdup(s);
	if (!p)
		*oom = true;
	return p;
}

struct rcount *report_count_addh(struct rcount **map, const char *key, size_t len, uint64_t hash,
				 uint64_t n, uint64_t bytes, bool *oom)
{
	struct rcount *c;
	unsigned hv = (unsigned)hash; /* as HASH_FUNCTION: the tables stay searchable by key */
	HASH_FIND_BYHASHVALUE(hh, *map, key, (unsigned)len, hv, c);
	if (!c) {
		c = calloc(1, sizeof *c + len + 1);
		if (!c) {
			*oom = true;
			return NULL;
		}
		memcpy(c->key, key, len);
		c->key[len] = '\0';
		c->klen = (uint32_t)len;
		HASH_ADD_BYHASHVALUE(hh, *map, key[0], (unsigned)len, hv, c);
	}
	c->flows += n;
	c->bytes += bytes;
	return c;
}

struct rcount *report_count_add(struct rcount **map, const char *key, uint64_t n, uint64_t bytes,
				bool *oom)
{
	size_t len = strlen(key);
	return report_count_addh(map, key, len, report_key_hash(key, len), n, bytes, oom);
}

void report_count_free(struct rcount **map)
{
	struct rcount *c, *t;
	HASH_ITER(hh, *map, c, t) {
		HASH_DEL(*map, c);
		free(c);
	}
}

size_t report_count_size(struct rcount *map)
{
	return HASH_COUNT(map);
}

static int conf_slot(const char *c)
{
	for (int i = 0; i < RC_OTHER; i++)
		if (report_conf_names[i][0] == c[0] && strcmp(report_conf_names[i], c) == 0)
			return i;
	if (!*c)
		return RC_NONE;
	return RC_OTHER;
}

/* ---- life cycle ---- */

int report_format_for_path(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return -1;
	if (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0)
		return REPORT_HTML;
	if (strcmp(dot, ".md") == 0)
		return REPORT_MD;
	if (strcmp(dot, ".txt") == 0)
		return REPORT_TEXT;
	return -1;
}

struct report *report_create(const struct sig_db *db, char *errbuf)
{
	struct report *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	r->db = db;
	r->names_copy.db = db; /* report_set_names adds the interned-name callbacks */
	r->names = &r->names_copy;
	r->ts_min = UINT64_MAX;
	rj_init(&r->doc);
	if (report_index_rules(r) != 0) {
		report_free(r);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	return r;
}

static void group_free(struct rgroup **map)
{
	struct rgroup *g, *t;
	HASH_ITER(hh, *map, g, t) {
		HASH_DEL(*map, g);
		report_topk_free(&g->servers);
		report_topk_free(&g->clients);
		report_count_free(&g->vals);
		report_count_free(&g->vals2);
		for (size_t i = 0; i < g->nexamples; i++)
			free(g->examples[i]);
		free(g->key);
		free(g->rule);
		free(g->extra_key);
		free(g);
	}
}

void report_free(struct report *r)
{
	if (!r)
		return;
	report_count_free(&r->cand_svcs);
	struct rsvc *s, *ts;
	HASH_ITER(hh, r->svcs, s, ts) {
		HASH_DEL(r->svcs, s);
		report_topk_free(&s->clients);
		report_topk_free(&s->servers);
		report_count_free(&s->ports);
		free(s->key);
		free(s->names);
		free(s->category);
		free(s);
	}
	struct rprod *p, *tp;
	HASH_ITER(hh, r->prods, p, tp) {
		HASH_DEL(r->prods, p);
		report_topk_free(&p->clients);
		report_topk_free(&p->servers);
		free(p->app);
		free(p);
	}
	for (int i = 0; i < RF_N; i++) {
		group_free(&r->find[i].groups);
		group_free(&r->cand[i].groups);
		report_count_free(&r->find[i].reasons);
		report_count_free(&r->cand[i].reasons);
	}
	report_count_free(&r->reasons);
	report_fw_free(r);
	report_servers_free(r);
	report_scope_free(r);
	for (size_t i = 0; i < r->ninputs; i++) {
		free(r->inputs[i].kind);
		free(r->inputs[i].name);
		free(r->inputs[i].reason);
	}
	free(r->inputs);
	for (size_t i = 0; i < r->nmalformed_listed; i++)
		free(r->malformed_list[i]);
	report_unindex_rules(r);
	report_count_free(&r->rule_refs);
	rj_free(&r->doc);
	free(r);
}

int report_add_input(struct report *r, const char *kind, const char *name)
{
	struct rinput *n = realloc(r->inputs, (r->ninputs + 1) * sizeof *n);
	if (!n)
		return UCF_ERR_RUNTIME;
	r->inputs = n;
	struct rinput *in = &r->inputs[r->ninputs];
	in->kind = strdup(kind);
	in->name = strdup(name);
	in->reason = NULL;
	if (!in->kind || !in->name) {
		free(in->kind);
		free(in->name);
		return UCF_ERR_RUNTIME;
	}
	r->ninputs++;
	return UCF_OK;
}

int report_input_failed(struct report *r, const char *name, const char *reason)
{
	struct rinput *in = NULL;
	for (size_t i = r->ninputs; i-- > 0;) /* the latest of that name: a file may be named twice */
		if (strcmp(r->inputs[i].name, name) == 0 && !r->inputs[i].reason) {
			in = &r->inputs[i];
			break;
		}
	if (!in) {
		if (report_add_input(r, "input", name) != UCF_OK)
			return UCF_ERR_RUNTIME;
		in = &r->inputs[r->ninputs - 1];
	}
	char *s = strdup(reason && *reason ? reason : "unknown error");
	if (!s)
		return UCF_ERR_RUNTIME;
	free(in->reason);
	in->reason = s;
	r->failed_inputs++;
	return UCF_OK;
}

void report_set_counters_fn(struct report *r,
			    void (*fn)(void *user, struct report_run_counters *c), void *user)
{
	r->counters_fn = fn;
	r->counters_user = user;
}

uint64_t report_malformed(const struct report *r)
{
	return r->malformed;
}

uint64_t report_records(const struct report *r)
{
	return r->records;
}

/* ---- record extraction ---- */

static int malformed(struct report *r, const char *source, uint64_t lineno, const char *msg)
{
	r->malformed++;
	if (r->nmalformed_listed < REPORT_MAX_MALFORMED_LISTED) {
		char buf[700];
		snprintf(buf, sizeof buf, "%s:%llu: %s", source, (unsigned long long)lineno, msg);
		char *s = strdup(buf);
		if (s)
			r->malformed_list[r->nmalformed_listed++] = s;
	}
	return UCF_ERR_RUNTIME;
}

static int key_id(const char *k)
{
	/* the writer's order first: most lookups hit on the first compare */
	for (int i = 0; i < K_N; i++)
		if (k[0] == report_scan_keys[i][0] && strcmp(k, report_scan_keys[i]) == 0)
			return i;
	return -1;
}

static int get_str(const struct rj_value *v, const char **out)
{
	if (v->type != RJ_STRING)
		return -1;
	*out = v->s;
	return 0;
}

static int get_dscp(const struct rj_value *v, int *out)
{
	uint64_t x;
	if (v->type == RJ_NULL) {
		*out = -1;
		return 0;
	}
	if (rj_uint(v, 63, &x))
		return -1;
	*out = (int)x;
	return 0;
}

static int get_bool(const struct rj_value *v, bool allow_null, int *out)
{
	if (v->type == RJ_TRUE)
		*out = 1;
	else if (v->type == RJ_FALSE)
		*out = 0;
	else if (v->type == RJ_NULL && allow_null)
		*out = -1;
	else
		return -1;
	return 0;
}

static int extract(const struct rj_doc *d, struct rec *x, char *err, size_t errlen)
{
	const struct rj_value *f[K_N] = { 0 };
	memset(x, 0, sizeof *x);
	x->orig_dscp = x->resp_dscp = x->exp_dscp = x->enc = -1;
	x->end = x->reason = x->conn_state = x->evidence = x->cid = x->scope = "";
	x->app = x->svc = x->cat = x->rule = "";
	for (size_t i = 0; i < d->n; i++) {
		int id = key_id(d->v[i].key);
		if (id >= 0)
			f[id] = &d->v[i];
	}
	for (int i = 0; i < K_REQUIRED; i++)
		if (!f[i]) {
			snprintf(err, errlen, "missing field \"%s\"", report_scan_keys[i]);
			return -1;
		}
	int bad = -1;
	const struct rj_value *v;
	struct ucf_addr a;
#define CHECK(id, cond) do { v = f[id]; if (v && !(cond)) { bad = id; goto out; } } while (0)
	CHECK(K_TS, rj_seconds_us(v, &x->ts) == 0);
	CHECK(K_DURATION, rj_seconds_us(v, &x->dur) == 0 && x->ts + x->dur >= x->ts);
	CHECK(K_ORIG_H, get_str(v, &x->orig_h) == 0 && ucf_addr_parse(x->orig_h, &a));
	CHECK(K_RESP_H, get_str(v, &x->resp_h) == 0 && ucf_addr_parse(x->resp_h, &a));
	CHECK(K_ORIG_P, rj_uint(v, 65535, &x->orig_p) == 0);
	CHECK(K_RESP_P, rj_uint(v, 65535, &x->resp_p) == 0);
	CHECK(K_PROTO, get_str(v, &x->proto) == 0 && *x->proto);
	CHECK(K_ORIG_BYTES, rj_uint(v, UINT64_MAX >> 8, &x->ob) == 0);
	CHECK(K_RESP_BYTES, rj_uint(v, UINT64_MAX >> 8, &x->rb) == 0);
	CHECK(K_ORIG_PKTS, rj_uint(v, UINT64_MAX >> 8, &x->op) == 0);
	CHECK(K_RESP_PKTS, rj_uint(v, UINT64_MAX >> 8, &x->rp) == 0);
	CHECK(K_ORIG_IP, rj_uint(v, UINT64_MAX >> 8, &x->oip) == 0);
	CHECK(K_RESP_IP, rj_uint(v, UINT64_MAX >> 8, &x->rip) == 0);
	CHECK(K_APP, get_str(v, &x->app) == 0);
	CHECK(K_SVC, get_str(v, &x->svc) == 0);
	CHECK(K_CAT, get_str(v, &x->cat) == 0);
	CHECK(K_CONF, get_str(v, &x->conf) == 0);
	CHECK(K_RULE, get_str(v, &x->rule) == 0);
	CHECK(K_ORIG_DSCP, get_dscp(v, &x->orig_dscp) == 0);
	CHECK(K_RESP_DSCP, get_dscp(v, &x->resp_dscp) == 0);
	CHECK(K_EXP_DSCP, get_dscp(v, &x->exp_dscp) == 0);
	CHECK(K_DSCP_CHANGED, get_bool(v, false, &x->changed) == 0);
	CHECK(K_ENC, get_bool(v, true, &x->enc) == 0);
	CHECK(K_FRAG, rj_uint(v, UINT64_MAX >> 8, &x->frag) == 0);
	CHECK(K_END, get_str(v, &x->end) == 0);
	CHECK(K_CAND, v->type == RJ_ARRAY);
	CHECK(K_REASON, get_str(v, &x->reason) == 0);
	CHECK(K_CONN_STATE, get_str(v, &x->conn_state) == 0);
	CHECK(K_EVIDENCE, get_str(v, &x->evidence) == 0);
	CHECK(K_CID, get_str(v, &x->cid) == 0);
	CHECK(K_SCOPE, get_str(v, &x->scope) == 0);
#undef CHECK
	if (f[K_CAND]) {
		x->cand = f[K_CAND]->items;
		x->ncand = f[K_CAND]->nitems;
	}
	x->orig_len = strlen(x->orig_h);
	x->resp_len = strlen(x->resp_h);
	x->app_len = (uint32_t)strlen(x->app);
	x->svc_len = (uint32_t)strlen(x->svc);
	x->proto_len = (uint32_t)strlen(x->proto);
	x->rule_len = (uint32_t)strlen(x->rule);
	x->reason_len = (uint32_t)strlen(x->reason);
	x->final = strcmp(x->end, "interim") != 0;
	if (*x->app && !*x->svc) {
		snprintf(err, errlen, "\"app\" without \"app_service\"");
		return -1;
	}
	return 0;
out:
	snprintf(err, errlen, "bad value for \"%s\"", report_scan_keys[bad]);
	return -1;
}

/* ---- aggregation ---- */

/* Bin widths in microseconds: each a multiple of the one before (so bins nest when re-binned), and
 * round numbers of time units; past the ladder the width doubles. */
static const uint64_t bin_ladder[] = {
	1000, 2000, 10000, 20000, 100000, 200000, 1000000, 2000000, 10000000, 20000000,
	60000000, 120000000, 600000000, 1200000000, 3600000000ULL, 7200000000ULL,
	21600000000ULL, 43200000000ULL, 86400000000ULL,
};

static uint64_t next_width(uint64_t w)
{
	for (size_t i = 0; i + 1 < sizeof bin_ladder / sizeof bin_ladder[0]; i++)
		if (bin_ladder[i] == w)
			return bin_ladder[i + 1];
	return w * 2;
}

/* Keeps every product's time bins covering [lo, hi]: widens the bins (next_width, re-binning) until
 * REPORT_SERIES_BINS bins from an origin aligned to the width cover the whole span seen. */
void report_series_fit(struct report *r, uint64_t lo, uint64_t hi, uint64_t min_width)
{
	if (!r->bin_width) {
		r->bin_width = bin_ladder[0];
		r->bin_origin = lo - lo % r->bin_width;
	}
	uint64_t a = lo < r->ts_min ? lo : r->ts_min, b = hi > r->ts_max ? hi : r->ts_max;
	if (r->ts_min == UINT64_MAX) {
		a = lo;
		b = hi;
	}
	uint64_t w = r->bin_width, o = r->bin_origin;
	for (;;) {
		bool fits = a >= o && w >= min_width && (w > (UINT64_MAX - o) / REPORT_SERIES_BINS ||
							b < o + w * REPORT_SERIES_BINS);
		if (fits)
			break;
		w = next_width(w);
		o = (a < r->bin_origin ? a : r->bin_origin);
		o -= o % w;
	}
	if (w == r->bin_width && o == r->bin_origin)
		return;
	struct rprod *p;
	for (p = r->prods; p; p = p->hh.next) {
		double nb[REPORT_SERIES_BINS] = { 0 };
		for (size_t i = 0; i < REPORT_SERIES_BINS; i++) {
			if (p->bins[i] == 0)
				continue;
			uint64_t t = r->bin_origin + i * r->bin_width;
			nb[(t - o) / w] += p->bins[i];
		}
		memcpy(p->bins, nb, sizeof nb);
	}
	r->bin_width = w;
	r->bin_origin = o;
}

static void series_add(struct report *r, struct rprod *p, uint64_t t0, uint64_t dur, double bytes)
{
	uint64_t w = r->bin_width, o = r->bin_origin;
	size_t i0 = (size_t)((t0 - o) / w);
	if (dur == 0) {
		p->bins[i0] += bytes;
		return;
	}
	uint64_t t1 = t0 + dur;
	size_t i1 = (size_t)((t1 - o) / w);
	if (i1 >= REPORT_SERIES_BINS)
		i1 = REPORT_SERIES_BINS - 1;
	for (size_t i = i0; i <= i1; i++) {
		uint64_t bs = o + i * w, be = bs + w;
		uint64_t s = t0 > bs ? t0 : bs, e = t1 < be ? t1 : be;
		if (e > s)
			p->bins[i] += bytes * (double)(e - s) / (double)dur;
	}
}

/* key: len bytes, report_key_hash hash */
static struct rgroup *group_get(struct rfinding *f, const char *key, size_t len, uint64_t hash,
				bool *oom)
{
	struct rgroup *g;
	unsigned hv = (unsigned)hash;
	HASH_FIND_BYHASHVALUE(hh, f->groups, key, (unsigned)len, hv, g);
	if (g)
		return g;
	g = calloc(1, sizeof *g);
	if (!g || !(g->key = malloc(len + 1)) || !(g->rule = strdup(""))) {
		if (g) {
			free(g->key);
			free(g);
		}
		*oom = true;
		return NULL;
	}
	memcpy(g->key, key, len);
	g->key[len] = '\0';
	HASH_ADD_KEYPTR_BYHASHVALUE(hh, f->groups, g->key, (unsigned)len, hv, g);
	return g;
}

/* Keeps the smallest rule "file:line" a group's flows named: the one its citation shows. */
static void group_rule(struct rgroup *g, const char *rule, bool *oom)
{
	if (!*rule || (*g->rule && strcmp(rule, g->rule) >= 0))
		return;
	char *s = strdup(rule);
	if (!s) {
		*oom = true;
		return;
	}
	free(g->rule);
	g->rule = s;
}

/* Decimal digits of v at b, no NUL; their count (at most 20). Faster than printf per record. */
static size_t report_fmt_u64(char *b, uint64_t v)
{
	char t[20];
	size_t n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		b[i] = t[n - 1 - i];
	return n;
}

static size_t put(char *b, size_t n, size_t cap, const char *s)
{
	return report_putn(b, n, cap, s, strlen(s));
}

static size_t put_u64(char *b, size_t n, size_t cap, uint64_t v)
{
	char d[24];
	return report_putn(b, n, cap, d, report_fmt_u64(d, v));
}

/* "host:port", "[v6]:port" into buf (at least UCF_ADDR_STRLEN + 16 bytes, host shorter than
 * UCF_ADDR_STRLEN); its length. */
static size_t endpoint(const char *h, size_t hl, uint64_t port, char *buf)
{
	size_t n = 0;
	bool v6 = memchr(h, ':', hl) != NULL;
	if (v6)
		buf[n++] = '[';
	memcpy(buf + n, h, hl);
	n += hl;
	if (v6)
		buf[n++] = ']';
	buf[n++] = ':';
	n += report_fmt_u64(buf + n, port);
	buf[n] = '\0';
	return n;
}

/* Counts a flow in a finding group: totals, endpoints, and the rule to cite. */
struct rgroup *report_group_addh(struct rfinding *f, const char *key, size_t len, uint64_t hash,
				 const struct rec *x, bool *oom)
{
	struct rgroup *g = group_get(f, key, len, hash, oom);
	if (!g)
		return NULL;
	uint64_t bytes = x->oip + x->rip, nf = x->final;
	g->flows += nf;
	g->pkts += x->op + x->rp;
	g->bytes += bytes;
	f->flows += nf;
	f->pkts += x->op + x->rp;
	f->bytes += bytes;
	report_topk_addh(&g->servers, x->ep, x->ep_len, x->ep_hash, nf, bytes, oom);
	report_topk_addh(&g->clients, x->orig_h, x->orig_len, x->orig_hash, nf, bytes, oom);
	group_rule(g, x->rule, oom);
	if (nf && g->nexamples < REPORT_EXAMPLES) { /* a few flows to look up, by community ID */
		char ex[2 * UCF_ADDR_STRLEN + 200], cl[UCF_ADDR_STRLEN + 16];
		endpoint(x->orig_h, x->orig_len, x->orig_p, cl);
		snprintf(ex, sizeof ex, "%s -> %s %s%s%s", cl, x->ep, x->proto, *x->cid ? " " : "",
			 x->cid);
		if ((g->examples[g->nexamples] = xstrdup(ex, oom)))
			g->nexamples++;
	}
	return g;
}

struct rgroup *report_group_add(struct rfinding *f, const char *key, const struct rec *x,
				bool *oom)
{
	size_t len = strlen(key);
	return report_group_addh(f, key, len, report_key_hash(key, len), x, oom);
}

/* A per-record key with its length and hash, computed once for the tables that take it. */
struct hkey {
	const char *s;
	size_t len;
	uint64_t hash;
};

static struct hkey hkey(const char *s, size_t len)
{
	return (struct hkey){ s, len, report_key_hash(s, len) };
}

static struct rgroup *finding_add(struct report *r, enum rfind fi, struct hkey k,
				  const struct rec *x, bool *oom)
{
	return report_group_addh(&r->find[fi], k.s, k.len, k.hash, x, oom);
}

static void dscp_finding(struct report *r, const struct rec *x, int32_t idx, struct hkey svckey,
			 bool *oom)
{
	if (x->exp_dscp < 0 || x->orig_dscp < 0 || !x->final)
		return; /* the final record of a flow carries its marking */
	uint64_t mask = 1ULL << x->exp_dscp;
	if (idx >= 0)
		mask |= report_dscp_mask(r, (size_t)idx);
	bool differs = !(mask >> x->orig_dscp & 1) || x->changed == 1;
	struct rfinding *f = &r->find[RF_DSCP];
	struct rgroup *g = NULL;
	char v[16];
	if (differs)
		g = finding_add(r, RF_DSCP, svckey, x, oom);
	else if ((g = group_get(f, svckey.s, svckey.len, svckey.hash, oom)))
		group_rule(g, x->rule, oom);
	if (!g)
		return;
	g->n1++;  /* flows checked */
	f->n1++;
	if (x->changed == 1)
		g->n2++;
	put_u64(v, 0, sizeof v, (uint64_t)x->orig_dscp);
	report_count_add(&g->vals, v, 1, 0, oom);
	if (x->resp_dscp >= 0) {
		put_u64(v, 0, sizeof v, (uint64_t)x->resp_dscp);
		report_count_add(&g->vals2, v, 1, 0, oom);
	}
	if (!g->extra_key) {
		char e[600];
		int n = snprintf(e, sizeof e, "%d", x->exp_dscp);
		for (int d = 0; d < 64; d++)
			if ((mask >> d & 1) && d != x->exp_dscp && n > 0 && (size_t)n < sizeof e)
				n += snprintf(e + n, sizeof e - (size_t)n, ", %d", d);
		g->extra_key = strdup(e);
	}
}

static void add_record(struct report *r, struct rec *x, bool *oom)
{
	if (x->orig_len >= UCF_ADDR_STRLEN || x->resp_len >= UCF_ADDR_STRLEN)
		return; /* cannot be: both parsed as addresses */
	/* Why hash here, once: report_key_hash was a tenth of --from-json, most of it the same
	 * strings hashed again by each table that takes them (a candidate for its count and its row,
	 * a rule for its index and its count, a service's key for several findings). */
	x->orig_hash = report_key_hash(x->orig_h, x->orig_len);
	x->resp_hash = report_key_hash(x->resp_h, x->resp_len);
	x->ep_len = endpoint(x->resp_h, x->resp_len, x->resp_p, x->ep);
	x->ep_hash = report_key_hash(x->ep, x->ep_len);
	if (x->ncand && !x->cand_len) {
		for (size_t i = 0; i < x->ncand; i++)
			r->cand_len[i] = (uint32_t)strlen(x->cand[i]);
		x->cand_len = r->cand_len;
	}
	for (size_t i = 0; i < x->ncand; i++)
		r->cand_hash[i] = report_key_hash(x->cand[i], x->cand_len[i]);
	x->cand_hash = r->cand_hash;
	uint64_t end = x->ts + x->dur;
	report_series_fit(r, x->ts, end, 0);
	if (x->ts < r->ts_min)
		r->ts_min = x->ts;
	if (end > r->ts_max)
		r->ts_max = end;
	uint64_t nf = x->final;
	r->records++;
	r->flows += nf;
	r->interim += !nf;
	r->pkts += x->op + x->rp;
	r->pkts_resp += x->rp;
	r->ip[0] += x->oip;
	r->ip[1] += x->rip;
	r->pay[0] += x->ob;
	r->pay[1] += x->rb;

	int32_t idx = -1;
	if (*x->rule) {
		struct hkey rk = hkey(x->rule, x->rule_len);
		idx = report_rule_findh(r, rk.s, rk.len, rk.hash);
		report_count_addh(&r->rule_refs, rk.s, rk.len, rk.hash, 1, 0, oom);
		if (idx < 0)
			r->unknown_rule++;
	}
	for (size_t i = 0; i < x->ncand; i++)
		report_count_addh(&r->cand_svcs, x->cand[i], x->cand_len[i], x->cand_hash[i], 1, 0,
				  oom);

	/* per product and service */
	char key[512];
	size_t klen = report_putn(key, 0, sizeof key, x->app, x->app_len);
	klen = report_putn(key, klen, sizeof key, "\t", 1);
	klen = report_putn(key, klen, sizeof key, *x->app ? x->svc : "", *x->app ? x->svc_len : 0);
	/* Why remember the last service: most records of a capture of anything but the products are
	 * unlabelled, one service ("\t") after the other; a compare then replaces hash and search */
	struct rsvc *s = r->last_svc;
	unsigned hv = 0;
	if (!s || s->klen != klen || !report_key_eq(s->key, key, klen)) {
		hv = (unsigned)report_key_hash(key, klen);
		HASH_FIND_BYHASHVALUE(hh, r->svcs, key, (unsigned)klen, hv, s);
	}
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s || !(s->key = strdup(key)) || !(s->names = strdup(key)) ||
		    !(s->category = strdup(x->cat))) {
			if (s) {
				free(s->key);
				free(s->names);
			}
			free(s);
			*oom = true;
			return;
		}
		char *tab = strchr(s->names, '\t');
		*tab = '\0';
		s->app = s->names;
		s->service = tab + 1;
		s->klen = klen;
		HASH_ADD_KEYPTR_BYHASHVALUE(hh, r->svcs, s->key, (unsigned)klen, hv, s);
	} else if (strcmp(x->cat, s->category) < 0) {
		char *c = strdup(x->cat);
		if (c) {
			free(s->category);
			s->category = c;
		}
	}
	r->last_svc = s;
	int cs = conf_slot(x->conf);
	s->flows += nf;
	s->pkts[0] += x->op;
	s->pkts[1] += x->rp;
	s->ip[0] += x->oip;
	s->ip[1] += x->rip;
	s->pay[0] += x->ob;
	s->pay[1] += x->rb;
	s->conf[cs] += nf;
	uint64_t bytes = x->oip + x->rip;
	report_topk_addh(&s->clients, x->orig_h, x->orig_len, x->orig_hash, nf, bytes, oom);
	report_topk_addh(&s->servers, x->resp_h, x->resp_len, x->resp_hash, nf, bytes, oom);
	char pk[32];
	size_t pkl = report_putn(pk, 0, sizeof pk, x->proto, x->proto_len);
	pkl = report_putn(pk, pkl, sizeof pk, "/", 1);
	struct hkey pkk = hkey(pk, put_u64(pk, pkl, sizeof pk, x->resp_p));
	report_count_addh(&s->ports, pkk.s, pkk.len, pkk.hash, nf, bytes, oom);

	struct rprod *p = s->prod; /* the service's app: its product, looked up once */
	if (!p) {
		hv = (unsigned)report_key_hash(x->app, x->app_len);
		HASH_FIND_BYHASHVALUE(hh, r->prods, x->app, x->app_len, hv, p);
	}
	if (!p) {
		p = calloc(1, sizeof *p);
		if (!p || !(p->app = strdup(x->app))) {
			free(p);
			*oom = true;
			return;
		}
		HASH_ADD_KEYPTR_BYHASHVALUE(hh, r->prods, p->app, x->app_len, hv, p);
	}
	s->prod = p;
	p->flows += nf;
	p->pkts += x->op + x->rp;
	p->ip[0] += x->oip;
	p->ip[1] += x->rip;
	p->conf[cs] += nf;
	if (*x->app) { /* the unlabelled "product" is its one service: see report_fill_products */
		report_topk_addh(&p->clients, x->orig_h, x->orig_len, x->orig_hash, nf, bytes, oom);
		report_topk_addh(&p->servers, x->resp_h, x->resp_len, x->resp_hash, nf, bytes, oom);
	}
	series_add(r, p, x->ts, x->dur, (double)bytes);

	/* findings */
	bool labelled = *x->app != '\0';
	char svcbuf[300];
	struct hkey svckey = { svcbuf, 0, 0 };
	if (labelled) { /* the findings below that take it are of labelled records only */
		size_t sl = report_putn(svcbuf, 0, sizeof svcbuf, x->app, x->app_len);
		sl = report_putn(svcbuf, sl, sizeof svcbuf, "/", 1);
		svckey = hkey(svcbuf, report_putn(svcbuf, sl, sizeof svcbuf, x->svc, x->svc_len));
	}
	if (labelled && x->enc == 0) {
		int32_t var = idx >= 0 ? report_enc_variant(r, (size_t)idx) : -1;
		struct rgroup *g = finding_add(r, var >= 0 ? RF_CLEAR : RF_CLEAR_INFO, svckey, x, oom);
		if (g && var >= 0 && !g->extra_key) {
			char e[600];
			g->extra_key = xstrdup(report_rule_ref(r, (size_t)var, e, sizeof e), oom);
		}
	}
	if (labelled)
		dscp_finding(r, x, idx, svckey, oom);
	/* a subnet-only row (the vendor subnet, no port) labels at confidence subnet, or payload when
	 * the payload confirmed a protocol the row names */
	bool subnet_only = labelled && (cs == RC_SUBNET ||
					(report_rule_flags(r, idx) & RFL_SUBNET_ONLY));
	if (report_webex_family(x->app) && strcmp(x->proto, "tcp") == 0) {
		bool media = strcmp(x->cat, "media") == 0;
		bool media_port = subnet_only && report_port_marked(r->media_ports, x->resp_p);
		if (media || media_port) {
			char k[340];
			size_t kl = report_putn(k, 0, sizeof k, svckey.s, svckey.len);
			kl = put_u64(k, put(k, kl, sizeof k, " tcp/"), sizeof k, x->resp_p);
			struct rgroup *g = finding_add(r, RF_MEDIA_TCP, hkey(k, kl), x, oom);
			if (g && media) {
				g->n1 += nf;
				r->find[RF_MEDIA_TCP].n1 += nf;
			}
		}
	}
	if (subnet_only) {
		char k[340];
		size_t n = report_putn(k, 0, sizeof k, svckey.s, svckey.len);
		n = report_putn(k, n, sizeof k, " ", 1);
		n = report_putn(k, n, sizeof k, x->proto, x->proto_len);
		n = put_u64(k, report_putn(k, n, sizeof k, "/", 1), sizeof k, x->resp_p);
		finding_add(r, RF_SUBNET, hkey(k, n), x, oom);
	}
	if (!labelled) {
		finding_add(r, RF_UNCLASS, pkk, x, oom);
		x->reason_hash = report_key_hash(x->reason, x->reason_len);
		struct rcount *c = r->last_reason;
		if (c && c->klen == x->reason_len && report_key_eq(c->key, x->reason, x->reason_len)) {
			c->flows += nf;
			c->bytes += bytes;
		} else {
			r->last_reason = report_count_addh(&r->reasons, x->reason, x->reason_len,
							   x->reason_hash, nf, bytes, oom);
		}
		report_cand_add(r, x, oom);
	}
	report_fw_add(r, x, idx, oom);
	report_servers_add(r, x, oom);
	report_scope_add(r, x, oom);
	if (labelled && x->frag > 0) {
		struct rgroup *g = finding_add(r, RF_FRAG, svckey, x, oom);
		if (g) {
			g->n1 += x->frag;
			r->find[RF_FRAG].n1 += x->frag;
		}
	}
}

/* Why: unlabelled records (most, in a capture of anything but the products) all go to one
 * service, "" / "", and to the product "": both summaries of endpoints saw the same records, in
 * the same order, so they are the same. The product's are filled from the service's before the
 * report is written, rather than kept twice per record (two takeovers per record saved when
 * every client is new). */
int report_fill_products(struct report *r)
{
	struct rprod *p;
	struct rsvc *s;
	HASH_FIND_STR(r->prods, "", p);
	HASH_FIND_STR(r->svcs, "\t", s);
	if (!p || !s)
		return 0;
	uint32_t k = p->clients.k ? p->clients.k : REPORT_TOPK_K;
	report_topk_free(&p->clients);
	report_topk_free(&p->servers);
	report_topk_init(&p->clients, k);
	report_topk_init(&p->servers, k);
	int rc = 0;
	if (s->clients.n && report_topk_merge(&p->clients, &s->clients) != 0)
		rc = -1;
	if (s->servers.n && report_topk_merge(&p->servers, &s->servers) != 0)
		rc = -1;
	return rc;
}

static int add_json(struct report *r, const char *line, char *w, size_t len, const char *source,
		    uint64_t lineno)
{
	char err[200];
	struct rec x;
	if (w ? report_scan_w(w, len, &x, &r->scan) : report_scan(line, len, &x, &r->scan)) {
		bool oom = false;
		add_record(r, &x, &oom);
		return oom ? malformed(r, source, lineno, "out of memory") : UCF_OK;
	}
	if (rj_parse(&r->doc, line, len, err, sizeof err) != 0)
		return malformed(r, source, lineno, err);
	if (extract(&r->doc, &x, err, sizeof err) != 0)
		return malformed(r, source, lineno, err);
	bool oom = false;
	add_record(r, &x, &oom);
	return oom ? malformed(r, source, lineno, "out of memory") : UCF_OK;
}

int report_add_json(struct report *r, const char *line, size_t len, const char *source,
		    uint64_t lineno)
{
	return add_json(r, line, NULL, len, source, lineno);
}

int report_add_json_w(struct report *r, char *line, size_t len, const char *source,
		      uint64_t lineno)
{
	return add_json(r, line, line, len, source, lineno);
}

void report_set_names(struct report *r, const struct out_names *names)
{
	r->names_copy = *names;
	r->names = &r->names_copy;
}

void report_on_flow(void *report, const struct flow *f, enum flow_end why)
{
	struct report *r = report;
	char line[OUT_JSON_MAX];
	size_t n = out_json_format(r->names, f, why, line, sizeof line);
	r->live_lineno++;
	if (n >= sizeof line) {
		malformed(r, "(run)", r->live_lineno, "flow record longer than the line buffer");
		return;
	}
	report_add_json(r, line, n, "(run)", r->live_lineno);
}
