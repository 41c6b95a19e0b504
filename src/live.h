/* live.h - running a long-lived live capture: signals, the work done between packet batches (idle
 * expiry on a quiet link, interim records, output flushing, --stats), SIGHUP reload of the
 * signatures and reopening of the output, the health counters, and dropping privileges (-Z).
 *
 * Signal handlers only set flags (and ask the capture to stop); everything else happens in the
 * capture's tick, between batches, on the main thread. Process-wide: one live run per process. */
#ifndef LIVE_H
#define LIVE_H

#include <stdio.h>

#include "ucflow.h"
#include "capture.h"
#include "output.h"
#include "pipeline.h"

struct sig_db;

struct live_config {
	const char *sigdir, *site; /* what SIGHUP reloads (the directory and site file of the start) */
	unsigned stats_s;          /* --stats: health line every stats_s seconds; 0 = only on SIGUSR1 */
	unsigned flush_s;          /* --flush-interval: flush the output at least this often; 0 = after
				    * every batch */
	int snaplen;               /* for the "listening on" line */
	bool quiet;                /* no "listening on" line */
	/* Called after a successful reload, before the previous db is freed: whoever else holds the db
	 * (e.g. the report) switches to the new one here. May be NULL. */
	void (*db_changed)(void *user, const struct sig_db *db);
	void *db_changed_user;
	/* IPFIX exporters: their counters join the health line (--stats, SIGUSR1) */
	struct exporter *const *exports;
	size_t nexports;
};

/* SIGINT and SIGTERM stop the capture (a second one terminates at once), SIGHUP reloads, SIGUSR1
 * prints the health line. Installed without SA_RESTART, so a blocked read returns. */
void live_install_signals(struct cap_source *src);

/* Runs the live capture until SIGINT/SIGTERM, `count` packets (0 = no limit) or an error. On a
 * reload *db is replaced (the previous db is freed once nothing refers to it). The caller then
 * writes the open flows (pipeline_finish) and prints the summary. UCF_OK, or an error with errbuf. */
int live_run(const struct live_config *cfg, struct cap_source *src, struct pipeline *pl,
	     struct out_writer *out, struct sig_db **db, uint64_t count, char *errbuf);

/* The live part of the exit summary: duration, rates, libpcap's received/dropped counters. */
void live_print_summary(FILE *fp);

/* ---- shared with live_workers.c, which runs a capture on several threads ---- */

/* The counters a health line and the summary are computed from (summed over workers). */
struct live_snapshot {
	uint64_t mono_us;
	struct pipeline_counters pc;
	struct flow_table_stats fs;
	struct cap_stats cs;
};
/* One --stats line: rates and deltas from prev to now, totals beside them. */
void live_print_health(FILE *fp, const struct live_snapshot *prev, const struct live_snapshot *now);
/* The live part of the exit summary for a capture on `name` from start_mono to end_mono. */
void live_print_summary_of(FILE *fp, const char *name, uint64_t start_mono, uint64_t end_mono,
			   const struct live_snapshot *now);
/* What the signals asked for since the last call (LIVE_REQ_* bits; stop stays set once asked).
 * For a run that does its periodic work itself instead of through live_run. */
#define LIVE_REQ_STOP 1u
#define LIVE_REQ_RELOAD 2u
#define LIVE_REQ_STATS 4u
unsigned live_take_requests(void);

/* -Z USER: switches to USER's uid, gid and groups (initgroups, setgid, setuid, each checked), drops
 * every capability (Linux) and verifies that root cannot be regained. Running already as USER (e.g.
 * under systemd with User= and AmbientCapabilities=) only drops the capabilities. */
int live_drop_privileges(const char *user, char *errbuf);

#endif
