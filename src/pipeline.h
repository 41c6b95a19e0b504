/* pipeline.h - wires the stages together for one run: capture -> decode -> flow table ->
 * classify -> output. Owned by main; holds the run's counters. */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stdio.h>

#include "capture.h"
#include "decode.h"
#include "flow.h"
#include "output.h"

struct sig_db;
struct tunnel_intern;
struct evidence_ctx;

struct pipeline_config {
	struct flow_table_config flows;
	const struct sig_db *db;   /* may be NULL: no classification */
	struct out_writer *out;
	struct tunnel_intern *tunnels; /* may be NULL: flows in tunnels are not described */
	/* Payload inspection (may be NULL: --no-payload). The pipeline registers the signature
	 * tables' domain rows with it, and re-registers them on pipeline_set_db. */
	struct evidence_ctx *ev;
	/* Observers, e.g. the audit report (each may be NULL): every record the flow table emits
	 * (interim ones too), after the output wrote it; and pipeline_tick's wall clock. */
	void (*on_flow)(void *user, const struct flow *f, enum flow_end why);
	void (*on_tick)(void *user, uint64_t now_us);
	void *hook_user;
	/* IPFIX exporters (--ipfix): every record the output writes goes to each; ticked and
	 * pointed at a reloaded db with the output */
	struct exporter *const *exports;
	size_t nexports;
	/* Server roles (may be NULL: none learned). The pipeline tells it of flow events (the
	 * responder's first packet, the record) and asks it for the roles of a flow's addresses
	 * when classifying; a record whose addresses hold a role is classified again when written. */
	struct role_table *roles;
	/* The second look (include/role_defer.h; offline input only): hold back records whose label
	 * could still change once roles are known, at most this many records (0 = no second look),
	 * and write them at pipeline_finish() with the final roles. */
	uint32_t second_look;
};

struct pipeline_counters {
	uint64_t packets, bytes;
	uint64_t decoded, truncated, malformed, nonip, unsupported;
	uint64_t frag_unattributed;
};

struct pipeline;

struct pipeline *pipeline_create(const struct pipeline_config *cfg, char *errbuf);
void pipeline_destroy(struct pipeline *p);

/* The capture callbacks; `user` is the pipeline. */
bool pipeline_on_input(void *user, const char *name, int linktype, char *errbuf);
void pipeline_on_packet(void *user, const struct cap_pkthdr *h, const uint8_t *bytes);

/* Processes frames[0..n) in order with exactly the results of calling pipeline_on_packet() on each
 * (records, their order, counters), but faster: frames are decoded and their flows looked up a few
 * frames ahead, so the flow table's cache misses overlap. Every frame's bytes must stay valid until
 * the call returns. Returns n, or fewer when the pipeline failed (pipeline_error): then it stopped
 * right after the frame that failed, as cap_break() stops per-frame delivery, and the caller should
 * deliver nothing more. Any n is fine (a capture ring's worth, e.g. 256). A cap_batch_fn. */
size_t pipeline_on_batch(void *user, const struct cap_frame *frames, size_t n);

/* Set by the pipeline when it cannot go on (output error, out of memory); the capture source is
 * asked to stop. */
void pipeline_set_source(struct pipeline *p, struct cap_source *src);
int pipeline_error(const struct pipeline *p, char *errbuf);

/* Writes every open flow (end of input), then every record held for the second look. */
void pipeline_finish(struct pipeline *p);

struct role_defer_stats;
/* The second look's counts; false (st untouched) when it is off. */
bool pipeline_get_second_look(const struct pipeline *p, struct role_defer_stats *st);
/* The summary's second-look line: when it relabelled records or wrote some early (always: also
 * when it only held some). */
void pipeline_print_second_look(const struct pipeline *p, FILE *fp, bool always);

/* Live captures, from the capture's tick (wall clock now_us): expires idle flows at
 * max(latest packet time, now_us), so a quiet link still writes them, and, when the flow table has
 * an active timeout, cuts interim records of every flow due (a full walk, every tenth of the
 * active timeout and at most once a second). */
void pipeline_tick(struct pipeline *p, uint64_t now_us);

/* Signature reload: re-classifies every open flow with db and points the output writer at it;
 * returns the number of flows re-classified. Afterwards nothing in the pipeline or its output
 * refers to the previous db, which the caller may free. */
uint64_t pipeline_set_db(struct pipeline *p, const struct sig_db *db);

void pipeline_get_flow_stats(const struct pipeline *p, struct flow_table_stats *st);

void pipeline_get_counters(const struct pipeline *p, struct pipeline_counters *c);
/* The exit summary: packets by decode outcome, and the records that reached the output whole
 * (call it after out_flush, so nothing is still queued). */
void pipeline_print_summary(const struct pipeline *p, FILE *fp);
/* The same summary from counters summed over several pipelines (live capture workers); oc is the
 * output's counts (NULL: the flow tables' emitted and interim counts are taken as written);
 * tunnel_overflows is the flows described as "(too many tunnels)". */
void pipeline_print_summary_totals(const struct pipeline_counters *c, const struct flow_table_stats *st,
				   const struct out_counts *oc, uint64_t tunnel_overflows, FILE *fp);

#endif
