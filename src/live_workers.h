/* live_workers.h - live capture on several cores (--workers N): N capture handles in one packet
 * fanout group (capture_fanout.c), each read by a thread of its own with its own pipeline (flow
 * table with its share of --max-flows, payload evidence, tunnel names), one output that takes whole
 * records from all of them (live_merge.h), and the main thread doing the periodic work that
 * live_run does between batches for one thread: signals, --stats and SIGUSR1 (counters and libpcap
 * statistics summed over the workers), flushing, SIGHUP (every worker switches to the new tables at
 * its next batch boundary before the old ones are freed; the output is reopened), the report.
 *
 * What the workers do not share: the tunnel names (each worker describes at most
 * TUNNEL_INTERN_MAX tunnels). Server roles and DNS names are shared: one table each, locked. */
#ifndef LIVE_WORKERS_H
#define LIVE_WORKERS_H

#include "live.h"
#include "output.h"

struct report;
struct role_table;
struct sig_db;

#define LIVE_WORKERS_MAX 64

struct live_workers_config {
	unsigned n;                     /* workers wanted, 1..LIVE_WORKERS_MAX */
	struct cap_live_opts live;      /* the interface, filter, buffer (per worker) ... */
	struct flow_table_config flows; /* max_flows is the total: each worker gets its share */
	bool payload;                   /* inspect payload (no --no-payload) */
	unsigned payload_pkts;          /* --payload-packets; 0 = the evidence stage's default */
	const char *user;               /* -Z USER once the capture is open; may be NULL */
	struct live_config lc;          /* signatures to reload, --stats, --flush-interval ... */
	uint64_t count;                 /* -c: stop after this many packets in all (0 = no limit) */
	const struct out_format *fmt;
	const struct out_names *names;  /* the run's: each worker's writer copies it, with its own
					   evidence and tunnel tables */
	const char *outname;            /* the output's name for messages ("-" or NULL: stdout) */
	struct report *report;          /* --report; may be NULL */
	bool quiet;                     /* no summary at exit */
	struct role_table *roles;       /* server roles: one table that every worker learns into and
					   reads (made thread-safe with role_table_share); may be NULL */
};

/* Opens the capture (falling back to fewer workers, with a warning on stderr, where packets cannot
 * be spread), drops privileges, runs until SIGINT/SIGTERM, -c or an error, then writes every open
 * flow and prints the summary (unless quiet). out is the run's writer (out_open); *db is replaced
 * on a reload. UCF_OK, or an error with errbuf (UCF_ERR_CONFIG: a usage error). */
int live_workers_run(const struct live_workers_config *cfg, struct out_writer *out,
		     struct sig_db **db, char *errbuf);

/* --workers auto: the CPUs online, at most LIVE_WORKERS_MAX. */
unsigned live_workers_auto(void);

#endif
