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
 * .md or .txt (plain text that is also valid Markdown). Writes are atomic (temp file + rename). */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "ucflow.h"
#include "flow.h"

struct sig_db;
struct out_names;
struct report;

enum report_format { REPORT_TEXT = 0, REPORT_HTML };

/* The format for a report path from its extension; -1 for an unknown extension. */
int report_format_for_path(const char *path);

/* db may be NULL (no citations, no appendix). NULL when out of memory (errbuf filled). */
struct report *report_create(const struct sig_db *db, char *errbuf);
void report_free(struct report *r);

/* Names an input shown in the overview: kind is "capture", "interface" or "flow records". */
int report_add_input(struct report *r, const char *kind, const char *name);

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
};
void report_set_run_counters(struct report *r, const struct report_run_counters *c);

/* Writes the report to path (format from its extension) via path.tmp.PID + rename. */
int report_write(struct report *r, const char *path, char *errbuf);

/* For `--report-interval`: writes when at least interval_s seconds (wall clock, now_s) passed since
 * the last write; returns UCF_OK when nothing was due. */
int report_tick(struct report *r, const char *path, uint64_t now_s, uint64_t interval_s,
		char *errbuf);

/* Malformed lines seen so far (non-zero: the run must exit 1). */
uint64_t report_malformed(const struct report *r);
/* Records accepted so far. */
uint64_t report_records(const struct report *r);

#endif
