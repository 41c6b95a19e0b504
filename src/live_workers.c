/* live_workers.c - live capture on several threads, one per packet fanout member. See live_workers.h.
 *
 * Threads and what they touch:
 *  - a worker owns its capture handle, pipeline, flow table, evidence context, tunnel names and
 *    output writer (a sink); it writes records into the shared output (live_merge.c: whole records
 *    under a mutex), into the report (whole JSON lines under report_mu) and into the IPFIX
 *    exporters (export_mu);
 *  - the main thread takes the signals (blocked in the workers), prints --stats from the counters
 *    each worker publishes under its own mutex (at most every PUBLISH_US, at the end, and when
 *    asked), flushes and reopens the output under the output's mutex, ticks the report and loads
 *    new tables on SIGHUP.
 * A reload is a generation number: the main thread stores the new db and bumps db_gen; each worker
 * sees it at its next batch boundary (at least every read timeout, 200 ms), re-classifies its open
 * flows with the new db and acknowledges; only when every worker has acknowledged or finished is
 * the old db freed.
 *
 * DNS names (live_dns.c) are shared the same way: every worker's DNS answers go into one table
 * that every worker's evidence stage reads at flow start and again when the record is written.
 *
 * IPFIX (--ipfix): the run's exporters are shared by the workers, every call under export_mu
 * (records from the workers' flow hook, export_tick from the main thread, export_set_db on a
 * reload), rather than one exporter per worker with its own observation domain: a file target is
 * one RFC 5655 file that only one writer can keep whole, a collector gets one stream, one template
 * set and one sequence of records as from a single pipeline, and the cost is one uncontended lock
 * per flow record (never per packet). During a reload a worker that has switched exports its
 * labels by name (export_flow_db) until the exporters switch, once every worker has.
 *
 * Server roles (role_*.c) are learned from every worker's flows and read by every worker: one
 * table (the run's), made thread-safe with role_table_share() before the workers start. On a
 * reload the first worker to switch resets it to the new tables; until the others have switched
 * (at most a read timeout), a flow they classify with the previous tables may see role bits of
 * the new ones, which differ only when the reload changed the role statements. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live_workers.h"
#include "live_merge.h"
#include "live_dns.h"
#include "classify.h"
#include "evidence.h"
#include "export.h"
#include "report.h"
#include "role.h"
#include "tunnel_intern.h"

/* How often a worker publishes its counters unasked: a --stats line and SIGUSR1 ask for fresh
 * ones (collect), so this only bounds what the report's counters lag; publishing reads libpcap's
 * statistics, which on Linux opens and reads two sysfs files of the interface each time. */
#define PUBLISH_US 1000000u
#define MAIN_WAKE_NS 100000000L /* the main thread's periodic work: every 100 ms, or on a signal */
#define WAIT_FRESH_US 500000u /* how long a --stats line waits for fresh counters */

typedef unsigned long long ull;

struct worker {
	unsigned idx;
	pthread_t th;
	bool started;
	struct cap_source *src;
	struct pipeline *pl;
	struct out_writer *sink;
	struct evidence_ctx *ev;
	struct tunnel_intern *tunnels;
	struct out_names names;
	unsigned db_gen;          /* the generation of the db this worker uses (worker only) */
	uint64_t next_publish;    /* monotonic (worker only) */
	unsigned publish_seen;    /* the last publish request served (worker only) */
	/* shared with the main thread */
	atomic_uint db_ack;       /* db generation in use, stored after the switch */
	uint64_t reclassified;    /* flows re-classified by the last switch (read after db_ack) */
	atomic_uint published;    /* the publish request served by the last publish */
	atomic_bool done;         /* the thread has written its flows and published the last time */
	pthread_mutex_t mu;       /* guards pub and tunnel_overflows */
	struct live_snapshot pub;
	uint64_t tunnel_overflows;
	int rc;                   /* the capture's result; valid once done */
	char errbuf[UCF_ERRBUF_SIZE];
};

static struct {
	const struct live_workers_config *cfg;
	struct worker *w;
	unsigned n;
	struct live_output out;
	pthread_mutex_t report_mu;
	uint64_t report_lineno;        /* under report_mu */
	struct live_dns *dns;          /* DNS names shared by the workers' evidence stages */
	pthread_mutex_t export_mu;     /* every call on cfg->lc.exports */
	const struct sig_db *_Atomic db_next;
	atomic_uint db_gen;
	atomic_uint publish_req;
	atomic_uint_fast64_t counted;  /* packets handed to the pipelines, with -c */
	atomic_bool count_reached;
} C;

static _Thread_local struct worker *self;
/* The totals at the end, for the report's final write (after the workers are gone). */
static struct live_snapshot final_sum;

static uint64_t clock_us(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

unsigned live_workers_auto(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > LIVE_WORKERS_MAX ? LIVE_WORKERS_MAX : (unsigned)n;
}

/* ---- worker threads ---- */

static void publish(struct worker *w)
{
	struct live_snapshot s;
	s.mono_us = clock_us(CLOCK_MONOTONIC);
	pipeline_get_counters(w->pl, &s.pc);
	pipeline_get_flow_stats(w->pl, &s.fs);
	cap_get_stats(w->src, &s.cs);
	uint64_t tov = w->tunnels ? tunnel_intern_overflows(w->tunnels) : 0;
	pthread_mutex_lock(&w->mu);
	w->pub = s;
	w->tunnel_overflows = tov;
	pthread_mutex_unlock(&w->mu);
	w->next_publish = s.mono_us + PUBLISH_US;
}

static void worker_fail(struct worker *w, const char *msg)
{
	if (!w->errbuf[0])
		snprintf(w->errbuf, sizeof w->errbuf, "%s", msg);
	cap_break(w->src);
}

/* After every batch and every read timeout, in the worker. */
static void worker_tick(void *user)
{
	struct worker *w = self;
	(void)user;
	pipeline_tick(w->pl, clock_us(CLOCK_REALTIME));
	unsigned gen = atomic_load_explicit(&C.db_gen, memory_order_acquire);
	if (gen != w->db_gen) {
		/* the safe point: no packet of this worker is being processed */
		const struct sig_db *db = atomic_load_explicit(&C.db_next, memory_order_acquire);
		w->reclassified = pipeline_set_db(w->pl, db);
		w->names.db = db;
		w->db_gen = gen;
		atomic_store_explicit(&w->db_ack, gen, memory_order_release);
	}
	if (C.cfg->lc.flush_s == 0) {
		char eb[UCF_ERRBUF_SIZE];
		if (live_output_flush(&C.out, eb) != UCF_OK)
			worker_fail(w, eb);
	}
	unsigned req = atomic_load_explicit(&C.publish_req, memory_order_acquire);
	if (req != w->publish_seen || clock_us(CLOCK_MONOTONIC) >= w->next_publish) {
		publish(w);
		w->publish_seen = req;
		atomic_store_explicit(&w->published, req, memory_order_release);
	}
}

/* With -c: the packets of all workers count against one limit (the one atomic add per packet
 * is only paid when -c is given). */
static void worker_on_packet_counted(void *user, const struct cap_pkthdr *h, const uint8_t *bytes)
{
	uint64_t n = atomic_fetch_add_explicit(&C.counted, 1, memory_order_relaxed);
	if (n >= C.cfg->count) {
		atomic_store(&C.count_reached, true);
		cap_break(self->src);
		return;
	}
	pipeline_on_packet(user, h, bytes);
	if (n + 1 == C.cfg->count) {
		atomic_store(&C.count_reached, true);
		cap_break(self->src);
	}
}

/* The first worker to start says what the capture is (its link type is every member's). */
static bool worker_on_input(void *user, const char *name, int linktype, char *errbuf)
{
	if (!pipeline_on_input(user, name, linktype, errbuf))
		return false;
	if (self->idx == 0 && !C.cfg->lc.quiet) {
		fprintf(stderr, "ucflow: listening on %s, link-type %s, snapshot length %d bytes, %u "
				"worker%s\n", name, decode_linktype_name(linktype), C.cfg->lc.snaplen, C.n,
			C.n > 1 ? "s (packet fanout by flow hash)" : "");
		fflush(stderr);
	}
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	self = w;
	char eb[UCF_ERRBUF_SIZE] = "";
	w->next_publish = clock_us(CLOCK_MONOTONIC) + PUBLISH_US;
	/* -c: one packet at a time, each counted against the run's limit; else whole ring blocks */
	if (C.cfg->count)
		w->rc = cap_run(w->src, worker_on_input, worker_on_packet_counted, worker_tick, w->pl,
				0, eb);
	else
		w->rc = cap_run_batch(w->src, worker_on_input, pipeline_on_batch, worker_tick, w->pl,
				      0, eb);
	if (w->rc != UCF_OK && !w->errbuf[0])
		snprintf(w->errbuf, sizeof w->errbuf, "%s", eb);
	/* every flow of this worker is written, whatever stopped it */
	pipeline_finish(w->pl);
	if (pipeline_error(w->pl, eb) && !w->errbuf[0]) {
		snprintf(w->errbuf, sizeof w->errbuf, "%s", eb);
		w->rc = UCF_ERR_RUNTIME;
	}
	publish(w);
	atomic_store_explicit(&w->done, true, memory_order_release);
	return NULL;
}

/* The report takes whole JSON lines; each worker formats its own (its evidence and tunnel ids). */
static void worker_report_flow(void *user, const struct flow *f, enum flow_end why)
{
	struct worker *w = user;
	char line[OUT_JSON_MAX];
	size_t n = out_json_format(&w->names, f, why, line, sizeof line);
	pthread_mutex_lock(&C.report_mu);
	uint64_t lineno = ++C.report_lineno;
	if (n < sizeof line)
		report_add_json(C.cfg->report, line, n, "(run)", lineno);
	pthread_mutex_unlock(&C.report_mu);
}

/* A written flow: to the exporters (with the db this worker classified it with), then the report. */
static void worker_flow(void *user, const struct flow *f, enum flow_end why)
{
	struct worker *w = user;
	const struct live_config *lc = &C.cfg->lc;
	pthread_mutex_lock(&C.export_mu);
	for (size_t i = 0; i < lc->nexports; i++)
		if (export_flow_db(lc->exports[i], w->names.db, f, why) != UCF_OK) {
			char eb[UCF_ERRBUF_SIZE];
			snprintf(eb, sizeof eb, "--ipfix %s: write error", export_name(lc->exports[i]));
			worker_fail(w, eb);
		}
	pthread_mutex_unlock(&C.export_mu);
	if (C.cfg->report)
		worker_report_flow(user, f, why);
}

static const char *worker_tunnel_name(void *user, uint16_t id)
{
	return tunnel_intern_name(user, id);
}

static int worker_create(struct worker *w, unsigned idx, const struct sig_db *db, char *errbuf)
{
	const struct live_workers_config *cfg = C.cfg;
	w->idx = idx;
	if (!(w->tunnels = tunnel_intern_create(errbuf)))
		return UCF_ERR_RUNTIME;
	if (cfg->payload) {
		struct evidence_config ecfg;
		evidence_config_defaults(&ecfg);
		if (cfg->payload_pkts)
			ecfg.max_pkts_per_dir = cfg->payload_pkts;
		int rc = evidence_create(&w->ev, &ecfg, errbuf);
		if (rc != UCF_OK)
			return rc;
		if (C.dns) {
			struct evidence_dns_share share;
			live_dns_share(C.dns, &share);
			evidence_set_dns_share(w->ev, &share);
		}
	}
	w->names = *cfg->names;
	w->names.db = db;
	w->names.ev = w->ev;
	w->names.tunnel_of = worker_tunnel_name;
	w->names.user = w->tunnels;
	int rc = out_open_sink(&w->sink, cfg->fmt, &w->names, live_output_sink, &C.out,
			       cfg->outname, errbuf);
	if (rc != UCF_OK)
		return rc;
	/* this worker's share of --max-flows (at least one), and uids of its own: idx+1, +n, ... */
	struct flow_table_config fc = cfg->flows;
	if (fc.max_flows) {
		uint32_t share = fc.max_flows / C.n + (idx < fc.max_flows % C.n ? 1 : 0);
		fc.max_flows = share ? share : 1;
	}
	fc.uid_first = idx + 1;
	fc.uid_step = C.n;
	struct pipeline_config pc = { fc, db, w->sink, w->tunnels, w->ev, NULL, NULL, NULL, NULL, 0,
				      cfg->roles, 0 /* no second look: live */ };
	if (cfg->lc.nexports) {
		pc.on_flow = worker_flow;
		pc.hook_user = w;
	} else if (cfg->report) {
		pc.on_flow = worker_report_flow;
		pc.hook_user = w;
	}
	if (!(w->pl = pipeline_create(&pc, errbuf)))
		return UCF_ERR_RUNTIME;
	pipeline_set_source(w->pl, w->src);
	return UCF_OK;
}

static void worker_destroy(struct worker *w)
{
	char eb[UCF_ERRBUF_SIZE];
	pipeline_destroy(w->pl);
	out_close(w->sink, eb);
	evidence_destroy(w->ev);
	tunnel_intern_destroy(w->tunnels);
	cap_close(w->src);
	pthread_mutex_destroy(&w->mu);
}

/* ---- the main thread ---- */

/* Sums what the workers published; fresh: asks each running worker to publish first and waits
 * for it a little (a worker publishes at its next batch boundary). */
static void collect(struct live_snapshot *sum, uint64_t *tunnel_overflows, bool fresh)
{
	if (fresh) {
		unsigned req = atomic_fetch_add(&C.publish_req, 1) + 1;
		uint64_t until = clock_us(CLOCK_MONOTONIC) + WAIT_FRESH_US;
		for (unsigned i = 0; i < C.n; i++)
			while (atomic_load(&C.w[i].published) != req && !atomic_load(&C.w[i].done) &&
			       clock_us(CLOCK_MONOTONIC) < until)
				nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
	}
	memset(sum, 0, sizeof *sum);
	if (tunnel_overflows)
		*tunnel_overflows = 0;
	for (unsigned i = 0; i < C.n; i++) {
		struct worker *w = &C.w[i];
		pthread_mutex_lock(&w->mu);
		live_snapshot_add(sum, &w->pub, i == 0);
		if (tunnel_overflows)
			*tunnel_overflows += w->tunnel_overflows;
		pthread_mutex_unlock(&w->mu);
	}
	sum->mono_us = clock_us(CLOCK_MONOTONIC);
}

static void report_counters(void *user, struct report_run_counters *c)
{
	struct live_snapshot s;
	if (user)
		s = *(const struct live_snapshot *)user; /* the final totals */
	else
		collect(&s, NULL, false);
	*c = (struct report_run_counters){ s.pc.packets, s.pc.truncated, true, s.cs.valid, s.cs.drop,
					   s.cs.ifdrop, false, 0, 0, 0 };
}

/* SIGHUP: new tables for every worker, then the output reopened (logrotate). */
static void reload(struct sig_db **db)
{
	const struct live_config *lc = &C.cfg->lc;
	char eb[UCF_ERRBUF_SIZE] = "";
	struct sig_db *ndb = NULL;
	if (sig_db_load(&ndb, lc->sigdir, lc->site, eb, sizeof eb) != UCF_OK) {
		fprintf(stderr, "ucflow: SIGHUP: signatures not reloaded, still using the previous "
				"tables: %s\n", eb);
	} else {
		struct sig_db *old = *db;
		uint64_t flows = 0;
		atomic_store_explicit(&C.db_next, ndb, memory_order_release);
		unsigned gen = atomic_fetch_add_explicit(&C.db_gen, 1, memory_order_acq_rel) + 1;
		/* No time limit: the old tables must not be freed while a worker may still use them,
		 * and a running worker reaches its batch boundary within the read timeout. */
		for (unsigned i = 0; i < C.n; i++) {
			while (atomic_load_explicit(&C.w[i].db_ack, memory_order_acquire) != gen &&
			       !atomic_load_explicit(&C.w[i].done, memory_order_acquire))
				nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
			if (atomic_load_explicit(&C.w[i].db_ack, memory_order_acquire) == gen)
				flows += C.w[i].reclassified;
		}
		*db = ndb;
		pthread_mutex_lock(&C.out.mu);
		out_set_db(C.out.w, ndb);
		pthread_mutex_unlock(&C.out.mu);
		if (C.cfg->report) {
			pthread_mutex_lock(&C.report_mu);
			report_on_db_changed(C.cfg->report, ndb);
			pthread_mutex_unlock(&C.report_mu);
		}
		pthread_mutex_lock(&C.export_mu);
		for (size_t i = 0; i < lc->nexports; i++)
			export_set_db(lc->exports[i], ndb);
		pthread_mutex_unlock(&C.export_mu);
		sig_db_free(old);
		fprintf(stderr, "ucflow: SIGHUP: signatures reloaded from %s%s%s (%zu rules); %llu open "
				"flows re-classified\n", lc->sigdir, lc->site ? " and " : "",
			lc->site ? lc->site : "", sig_rule_count(ndb), (ull)flows);
	}
	if (live_output_reopen(&C.out, eb) != UCF_OK)
		fprintf(stderr, "ucflow: SIGHUP: %s; still writing to the previous file\n", eb);
	else
		fprintf(stderr, "ucflow: SIGHUP: output reopened\n");
	fflush(stderr);
}

static int start_threads(char *errbuf)
{
	/* the signals go to the main thread only: the workers start with them blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = UCF_OK;
	for (unsigned i = 0; i < C.n; i++) {
		int e = pthread_create(&C.w[i].th, NULL, worker_main, &C.w[i]);
		if (e) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot start capture worker %u: %s", i + 1,
				 strerror(e));
			rc = UCF_ERR_RUNTIME;
			break;
		}
		C.w[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* The periodic work until a stop request, -c, or a worker that ended (error). */
static void main_loop(struct sig_db **db)
{
	const struct live_config *lc = &C.cfg->lc;
	uint64_t start = clock_us(CLOCK_MONOTONIC);
	uint64_t next_flush = start + (uint64_t)lc->flush_s * 1000000ULL;
	uint64_t next_stats = start + (uint64_t)lc->stats_s * 1000000ULL;
	struct live_snapshot prev;
	collect(&prev, NULL, false);
	for (;;) {
		unsigned req = live_take_requests();
		if (req & LIVE_REQ_STOP || atomic_load(&C.count_reached))
			return;
		for (unsigned i = 0; i < C.n; i++)
			if (atomic_load(&C.w[i].done))
				return;
		if (req & LIVE_REQ_RELOAD)
			reload(db);
		uint64_t mono = clock_us(CLOCK_MONOTONIC);
		if ((req & LIVE_REQ_STATS) || (lc->stats_s && mono >= next_stats)) {
			struct live_snapshot now;
			collect(&now, NULL, true);
			live_print_health(stderr, &prev, &now);
			pthread_mutex_lock(&C.export_mu);
			for (size_t i = 0; i < lc->nexports; i++)
				export_print_stats(lc->exports[i], stderr);
			pthread_mutex_unlock(&C.export_mu);
			prev = now;
			if (lc->stats_s)
				next_stats = mono + (uint64_t)lc->stats_s * 1000000ULL;
		}
		if (lc->flush_s && mono >= next_flush) {
			char eb[UCF_ERRBUF_SIZE];
			if (live_output_flush(&C.out, eb) != UCF_OK) {
				snprintf(C.w[0].errbuf, sizeof C.w[0].errbuf, "%s", eb);
				return;
			}
			next_flush = mono + (uint64_t)lc->flush_s * 1000000ULL;
		}
		if (C.cfg->report) {
			pthread_mutex_lock(&C.report_mu);
			report_on_tick(C.cfg->report, clock_us(CLOCK_REALTIME));
			pthread_mutex_unlock(&C.report_mu);
		}
		if (lc->nexports) {
			pthread_mutex_lock(&C.export_mu);
			for (size_t i = 0; i < lc->nexports; i++)
				export_tick(lc->exports[i]);
			pthread_mutex_unlock(&C.export_mu);
		}
		nanosleep(&(struct timespec){ 0, MAIN_WAKE_NS }, NULL); /* EINTR on a signal: fine */
	}
}

static int open_workers(struct sig_db *db, char *errbuf)
{
	const struct live_workers_config *cfg = C.cfg;
	struct cap_source *srcs[LIVE_WORKERS_MAX] = { 0 };
	unsigned want = cfg->n < 1 ? 1 : cfg->n > LIVE_WORKERS_MAX ? LIVE_WORKERS_MAX : cfg->n;
	unsigned got = 0;
	int rc = cap_open_live_fanout(srcs, want, &got, &cfg->live, errbuf);
	if (rc != UCF_OK)
		return rc;
	if (errbuf[0]) {
		fprintf(stderr, "ucflow: warning: %s\n", errbuf);
		errbuf[0] = '\0';
	}
	C.n = got;
	C.w = calloc(got, sizeof *C.w);
	if (!C.w) {
		for (unsigned i = 0; i < got; i++)
			cap_close(srcs[i]);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	for (unsigned i = 0; i < got; i++) {
		C.w[i].src = srcs[i];
		pthread_mutex_init(&C.w[i].mu, NULL); /* default attributes: cannot fail on Linux */
	}
	if (got > 1 && cfg->payload) {
		struct evidence_config ecfg;
		evidence_config_defaults(&ecfg);
		if (!(C.dns = live_dns_create(ecfg.dns_cache_entries))) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
			return UCF_ERR_RUNTIME;
		}
	}
	for (unsigned i = 0; i < got; i++)
		if ((rc = worker_create(&C.w[i], i, db, errbuf)) != UCF_OK)
			return rc;
	return UCF_OK;
}

int live_workers_run(const struct live_workers_config *cfg, struct out_writer *out,
		     struct sig_db **db, char *errbuf)
{
	memset(&C, 0, sizeof C);
	C.cfg = cfg;
	int rc = live_output_init(&C.out, out, errbuf);
	if (rc != UCF_OK)
		return rc;
	pthread_mutex_init(&C.report_mu, NULL);
	pthread_mutex_init(&C.export_mu, NULL);
	atomic_store(&C.db_next, *db);
	if (cfg->roles && role_table_share(cfg->roles) != UCF_OK) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot share the server-role table: out of memory");
		rc = UCF_ERR_RUNTIME;
	}
	if (rc == UCF_OK)
		rc = open_workers(*db, errbuf);
	if (rc == UCF_OK && cfg->user)
		rc = live_drop_privileges(cfg->user, errbuf);
	uint64_t start = 0, end = 0;
	memset(&final_sum, 0, sizeof final_sum);
	if (rc == UCF_OK) {
		if (cfg->report)
			report_set_counters_fn(cfg->report, report_counters, NULL);
		live_install_signals(NULL);
		start = clock_us(CLOCK_MONOTONIC);
		rc = start_threads(errbuf);
		if (rc == UCF_OK)
			main_loop(db);
		for (unsigned i = 0; i < C.n; i++)
			cap_break(C.w[i].src);
		for (unsigned i = 0; i < C.n; i++)
			if (C.w[i].started)
				pthread_join(C.w[i].th, NULL);
		end = clock_us(CLOCK_MONOTONIC);
		for (unsigned i = 0; i < C.n && rc == UCF_OK; i++)
			if (C.w[i].errbuf[0]) {
				snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", C.w[i].errbuf);
				rc = C.w[i].rc == UCF_ERR_CONFIG ? UCF_ERR_CONFIG : UCF_ERR_RUNTIME;
			}
		char eb[UCF_ERRBUF_SIZE];
		if (live_output_flush(&C.out, eb) != UCF_OK && rc == UCF_OK) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", eb);
			rc = UCF_ERR_RUNTIME;
		}
		uint64_t tov;
		collect(&final_sum, &tov, false);
		if (!cfg->quiet && rc != UCF_ERR_CONFIG) {
			pipeline_print_summary_totals(&final_sum.pc, &final_sum.fs, NULL, tov, stderr);
			live_print_summary_of(stderr, cap_current_name(C.w[0].src), start, end, &final_sum);
			if (C.n > 1) {
				for (unsigned i = 0; i < C.n; i++) {
					struct worker *w = &C.w[i];
					fprintf(stderr, "%s %u: %llu packets, %llu flows written%s",
						i ? ";" : "ucflow: workers:", i + 1, (ull)w->pub.pc.packets,
						(ull)w->pub.fs.emitted, i + 1 == C.n ? "\n" : "");
				}
			}
		}
	}
	if (cfg->report)
		report_set_counters_fn(cfg->report, report_counters, &final_sum);
	for (unsigned i = 0; C.w && i < C.n; i++)
		worker_destroy(&C.w[i]);
	free(C.w);
	live_dns_destroy(C.dns);
	live_output_destroy(&C.out);
	pthread_mutex_destroy(&C.report_mu);
	pthread_mutex_destroy(&C.export_mu);
	return rc;
}
