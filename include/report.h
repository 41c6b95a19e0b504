/* report.h - the audit report: what runs on the network, measured against the vendor documents.
 *
 * The report is computed only from flow records, one code path for both uses: during a run every
 * ended flow's JSON line (exactly what the JSON output writes) goes to report_add_json(), and
 * `--from-json` feeds saved JSON Lines files to the same function. Malformed lines are counted
 * with their source and line, shown in the report, and make report_malformed() non-zero (the
 * caller exits 1): no silent loss. The signature database is used only to cite documents and to
 * list the rows nothing matched.
 *
 * Formats follow the file name: .html (one self-contained file: inline CSS and SVG, no scripts),
 * .md (Markdown: headings, pipe tables, lists) or .txt (plain text, aligned columns). Writes are atomic (temp file + rename). */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "ucflow.h"
#include "flow.h"

struct sig_db;
struct out_names;
struct report;

enum report_format { REPORT_TEXT = 0, REPORT_HTML, REPORT_MD };

/* The format for a report path from its extension; -1 for an unknown extension. */
int report_format_for_path(const char *path);

/* db may be NULL (no citations, no appendix). NULL when out of memory (errbuf filled). */
struct report *report_create(const struct sig_db *db, char *errbuf);
void report_free(struct report *r);

/* Names an input shown in the overview: kind is "capture", "interface" or "flow records". */
int report_add_input(struct report *r, const char *kind, const char *name);

/* Marks an input as not (wholly) read, with the reason (a file that cannot be opened, a read
 * error): the report's opening summary names it. name is the one given to report_add_input; an
 * unknown name is added as a failed input of kind "input". UCF_ERR_RUNTIME when out of memory. */
int report_input_failed(struct report *r, const char *name, const char *reason);

/* Adds one flow record: one JSON object (a trailing newline is allowed). source and lineno say
 * where it came from, for the malformed-line list. Returns UCF_OK, or UCF_ERR_RUNTIME when the
 * line is malformed (it is counted and listed; nothing else changes) or memory ran out. */
int report_add_json(struct report *r, const char *line, size_t len, const char *source,
		    uint64_t lineno);

/* Reads a JSON Lines file ("-" = stdin) into the report: every line through report_add_json.
 * UCF_ERR_RUNTIME when the file cannot be read (errbuf filled); malformed lines do not stop it. */
int report_read_jsonl(struct report *r, const char *path, char *errbuf);

/* The flow-emit hook for a run: formats the flow's JSON record with out_json_format and adds it.
 * Call report_set_names first (the same names the output stage uses). */
void report_set_names(struct report *r, const struct out_names *names);
void report_on_flow(void *report, const struct flow *f, enum flow_end why);

/* The run's own counters, known only during a run (the report says "not recorded" otherwise). */
struct report_run_counters {
	uint64_t packets_read;
	uint64_t truncated;
	bool live;
	bool have_drops;      /* libpcap delivered statistics (live) */
	uint64_t drops, ifdrops;
	/* The second look (offline runs, role_defer.h): on, records held to the end of input, of
	 * those relabelled, and written early because the store was full. */
	bool second_look;
	uint64_t second_look_held, second_look_relabelled, second_look_overflow;
};
/* Where each write (periodic and final) reads the run's counters; without it the report says
 * "not recorded". */
void report_set_counters_fn(struct report *r,
			    void (*fn)(void *user, struct report_run_counters *c), void *user);

/* Writes the report to path (format from its extension) via path.tmp.PID + rename. */
int report_write(struct report *r, const char *path, char *errbuf);

/* Live runs: where and how often the hook below rewrites the report (interval 0 = only at exit). */
void report_set_output(struct report *r, const char *path, uint64_t interval_s);
/* The pipeline's tick hook (wall clock): rewrites the report when the interval has passed since
 * the last write. A failed write is printed on stderr and remembered (report_write_error). */
void report_on_tick(void *report, uint64_t now_us);
/* The first failed periodic write (errbuf filled), or UCF_OK. */
int report_write_error(const struct report *r, char *errbuf);

/* Signature reload (live SIGHUP): the report cites from db from now on; counts stay. Matches
 * live_config.db_changed. */
void report_on_db_changed(void *report, const struct sig_db *db);

/* End of a run (or of --from-json): writes the report to path. UCF_ERR_RUNTIME (errbuf filled)
 * when the write failed, an earlier periodic write failed, or lines were malformed. */
int report_finish(struct report *r, const char *path, char *errbuf);

/* `--from-json`: the whole report from saved JSON Lines files ("-" = stdin) into path. UCF_OK,
 * or UCF_ERR_RUNTIME (errbuf filled) when a file cannot be read, lines were malformed (the report
 * is still written, listing them) or the report cannot be written. */
int report_from_json(const struct sig_db *db, const char *path, const char *const *files,
		     size_t nfiles, char *errbuf);

/* Malformed lines seen so far (non-zero: the run must exit 1). */
uint64_t report_malformed(const struct report *r);
/* Records accepted so far. */
uint64_t report_records(const struct report *r);

#endif
