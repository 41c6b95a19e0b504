/* report_merge.c - the report from several record files on several cores: a partial report per file, read in parallel threads, merged in the files' order. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"

/* Why per file and in order: every sum is the same whatever the order, and what the report keeps
 * of the first record seen (a group's extra text, the malformed-line list, the inputs) comes out
 * as a sequential read gives it when the partials are added in the files' order. Bounded summaries
 * merge by Space-Saving's rule (report_topk_merge). A one-thread run takes the same path, so the
 * result does not depend on the number of threads. */

static char *dup_or(const char *s, bool *oom)
{
	char *p = strdup(s);
	if (!p)
		*oom = true;
	return p;
}

static void counts(struct rcount **dst, struct rcount *src, bool *oom)
{
	for (struct rcount *c = src; c; c = c->hh.next)
		report_count_add(dst, c->key, c->flows, c->bytes, oom);
}

static void topk(struct rtopk *dst, const struct rtopk *src, bool *oom)
{
	if (!src->n)
		return;
	if (!dst->k)
		dst->k = src->k ? src->k : REPORT_TOPK_K;
	if (report_topk_merge(dst, src) != 0)
		*oom = true;
}

static void min_str(char **dst, const char *s, bool *oom)
{
	if (!*s || (**dst && strcmp(s, *dst) >= 0))
		return;
	char *n = dup_or(s, oom);
	if (n) {
		free(*dst);
		*dst = n;
	}
}

static void merge_svcs(struct report *d, const struct report *s, bool *oom)
{
	for (const struct rsvc *x = s->svcs; x; x = x->hh.next) {
		struct rsvc *y;
		HASH_FIND_STR(d->svcs, x->key, y);
		if (!y) {
			if (!(y = calloc(1, sizeof *y))) {
				*oom = true;
				return;
			}
			size_t al = strlen(x->app);
			y->key = dup_or(x->key, oom);
			y->names = malloc(al + 1 + strlen(x->service) + 1);
			y->category = dup_or(x->category, oom);
			if (!y->key || !y->names || !y->category) {
				free(y->key);
				free(y->names);
				free(y->category);
				free(y);
				*oom = true;
				return;
			}
			memcpy(y->names, x->app, al + 1);
			strcpy(y->names + al + 1, x->service);
			y->app = y->names;
			y->service = y->names + al + 1;
			y->klen = strlen(y->key);
			HASH_ADD_KEYPTR(hh, d->svcs, y->key, strlen(y->key), y);
		} else if (strcmp(x->category, y->category) < 0) {
			char *c = dup_or(x->category, oom);
			if (c) {
				free(y->category);
				y->category = c;
			}
		}
		y->flows += x->flows;
		for (int i = 0; i < 2; i++) {
			y->pkts[i] += x->pkts[i];
			y->ip[i] += x->ip[i];
			y->pay[i] += x->pay[i];
		}
		for (int i = 0; i < RC_N; i++)
			y->conf[i] += x->conf[i];
		topk(&y->clients, &x->clients, oom);
		topk(&y->servers, &x->servers, oom);
		counts(&y->ports, x->ports, oom);
	}
}

static void merge_prods(struct report *d, const struct report *s, bool *oom)
{
	if (s->bin_width && s->ts_min != UINT64_MAX)
		report_series_fit(d, s->ts_min, s->ts_max, s->bin_width);
	for (const struct rprod *x = s->prods; x; x = x->hh.next) {
		struct rprod *y;
		HASH_FIND_STR(d->prods, x->app, y);
		if (!y) {
			if (!(y = calloc(1, sizeof *y)) || !(y->app = strdup(x->app))) {
				free(y);
				*oom = true;
				return;
			}
			HASH_ADD_KEYPTR(hh, d->prods, y->app, strlen(y->app), y);
		}
		y->flows += x->flows;
		y->pkts += x->pkts;
		y->ip[0] += x->ip[0];
		y->ip[1] += x->ip[1];
		for (int i = 0; i < RC_N; i++)
			y->conf[i] += x->conf[i];
		topk(&y->clients, &x->clients, oom);
		topk(&y->servers, &x->servers, oom);
		/* widths come from one ladder, each a multiple of the smaller, origins aligned: a bin of
		 * src lies within one bin of dst */
		for (size_t i = 0; i < REPORT_SERIES_BINS; i++)
			if (x->bins[i] != 0) {
				uint64_t t = s->bin_origin + i * s->bin_width;
				y->bins[(t - d->bin_origin) / d->bin_width] += x->bins[i];
			}
	}
}

static void merge_finding(struct rfinding *d, const struct rfinding *s, bool *oom)
{
	d->flows += s->flows;
	d->pkts += s->pkts;
	d->bytes += s->bytes;
	d->n1 += s->n1;
	counts(&d->reasons, s->reasons, oom);
	for (const struct rgroup *x = s->groups; x; x = x->hh.next) {
		struct rgroup *y;
		HASH_FIND_STR(d->groups, x->key, y);
		if (!y) {
			if (!(y = calloc(1, sizeof *y)) || !(y->key = strdup(x->key)) ||
			    !(y->rule = strdup(""))) {
				if (y)
					free(y->key);
				free(y);
				*oom = true;
				return;
			}
			HASH_ADD_KEYPTR(hh, d->groups, y->key, strlen(y->key), y);
		}
		min_str(&y->rule, x->rule, oom);
		if (!y->extra_key && x->extra_key)
			y->extra_key = dup_or(x->extra_key, oom);
		y->flows += x->flows;
		y->pkts += x->pkts;
		y->bytes += x->bytes;
		y->n1 += x->n1;
		y->n2 += x->n2;
		topk(&y->servers, &x->servers, oom);
		topk(&y->clients, &x->clients, oom);
		counts(&y->vals, x->vals, oom);
		counts(&y->vals2, x->vals2, oom);
		for (size_t i = 0; i < x->nexamples && y->nexamples < REPORT_EXAMPLES; i++)
			y->examples[y->nexamples++] = dup_or(x->examples[i], oom);
	}
}

int report_merge(struct report *d, const struct report *s)
{
	bool oom = false;
	for (size_t i = 0; i < s->ninputs; i++) {
		const struct rinput *in = &s->inputs[i];
		if (report_add_input(d, in->kind, in->name) != UCF_OK)
			return -1;
		if (in->reason && !(d->inputs[d->ninputs - 1].reason = strdup(in->reason)))
			return -1;
	}
	d->failed_inputs += s->failed_inputs;
	d->malformed += s->malformed;
	for (size_t i = 0; i < s->nmalformed_listed &&
			   d->nmalformed_listed < REPORT_MAX_MALFORMED_LISTED; i++) {
		char *m = strdup(s->malformed_list[i]);
		if (m)
			d->malformed_list[d->nmalformed_listed++] = m;
	}
	d->records += s->records;
	d->interim += s->interim;
	d->unknown_rule += s->unknown_rule;
	d->flows += s->flows;
	d->pkts += s->pkts;
	d->pkts_resp += s->pkts_resp;
	for (int i = 0; i < 2; i++) {
		d->ip[i] += s->ip[i];
		d->pay[i] += s->pay[i];
	}
	counts(&d->rule_refs, s->rule_refs, &oom);
	counts(&d->cand_svcs, s->cand_svcs, &oom);
	counts(&d->reasons, s->reasons, &oom);
	merge_svcs(d, s, &oom);
	merge_prods(d, s, &oom);
	if (s->ts_min < d->ts_min)
		d->ts_min = s->ts_min;
	if (s->ts_max > d->ts_max && s->ts_min != UINT64_MAX)
		d->ts_max = s->ts_max;
	for (int k = 0; k < RF_N; k++) {
		merge_finding(&d->find[k], &s->find[k], &oom);
		merge_finding(&d->cand[k], &s->cand[k], &oom);
	}
	if (report_fw_merge(d, s) != 0 || report_servers_merge(d, s) != 0 ||
	    report_scope_merge(d, s) != 0)
		oom = true;
	return oom ? -1 : 0;
}

/* ---- the threads ---- */

struct part {
	struct report *r;
	int rc;
	bool done;
	char eb[UCF_ERRBUF_SIZE];
};

struct pool {
	const struct sig_db *db;
	const char *const *files;
	size_t nfiles, next;
	struct part *parts;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *reader(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->nfiles)
			return NULL;
		struct part *pt = &p->parts[i];
		char eb[UCF_ERRBUF_SIZE] = "";
		struct report *r = report_create(p->db, eb);
		int rc = r ? report_read_jsonl(r, p->files[i], eb) : UCF_ERR_RUNTIME;
		pthread_mutex_lock(&p->mu);
		pt->r = r;
		pt->rc = rc;
		memcpy(pt->eb, eb, sizeof eb);
		pt->done = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Threads: min(files, online CPUs), or UCFLOW_REPORT_THREADS when set (1 = one reader thread). */
static size_t thread_count(size_t nfiles)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("UCFLOW_REPORT_THREADS");
	if (env && *env)
		n = strtol(env, NULL, 10);
	if (n < 1)
		n = 1;
	return (size_t)n < nfiles ? (size_t)n : nfiles;
}

int report_read_files(struct report *r, const char *const *files, size_t nfiles, char *errbuf)
{
	int status = UCF_OK;
	if (nfiles == 1)
		return report_read_jsonl(r, files[0], errbuf);
	struct pool p = { r->db, files, nfiles, 0, calloc(nfiles, sizeof(struct part)),
			  PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
	size_t nt = thread_count(nfiles), started = 0;
	pthread_t *th = calloc(nt, sizeof *th);
	if (!p.parts || !th) {
		free(p.parts);
		free(th);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	for (size_t i = 0; i < nt; i++)
		if (pthread_create(&th[i], NULL, reader, &p) == 0)
			started++;
	if (!started)
		reader(&p); /* no thread could start: read them here */
	for (size_t i = 0; i < nfiles; i++) {
		pthread_mutex_lock(&p.mu);
		while (!p.parts[i].done)
			pthread_cond_wait(&p.cv, &p.mu);
		pthread_mutex_unlock(&p.mu);
		struct part *pt = &p.parts[i];
		if (pt->rc != UCF_OK && status == UCF_OK) {
			status = UCF_ERR_RUNTIME;
			snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", pt->eb);
		}
		if (!pt->r || report_merge(r, pt->r) != 0) {
			if (status == UCF_OK)
				snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory merging %s", files[i]);
			status = UCF_ERR_RUNTIME;
		}
		report_free(pt->r);
		pt->r = NULL;
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	free(p.parts);
	return status;
}
