/* output.h - the output stage: one record per flow in JSON Lines, CSV or an aligned text table.
 *
 * Formats are tables of function pointers (struct out_format); one writer owns the output stream.
 * Field names follow Zeek's conn.log where a counterpart exists (ts, uid, id.orig_h ...).
 * Write errors are sticky: out_close() reports the first one, so a full disk is never a silent
 * success. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdio.h>

#include "ucflow.h"
#include "flow.h"

struct sig_db;
struct evidence_ctx;
struct out_writer;

/* Turns the ids a flow carries into text for output (all may be NULL = not available). */
struct out_names {
	const struct sig_db *db;                               /* rules, confidence names */
	const struct evidence_ctx *ev;                         /* payload facts (sni, dns name ...) */
	const char *(*tunnel_of)(void *user, uint16_t id);     /* interned tunnel descriptions */
	void *user;
	uint16_t community_id_seed;                            /* --community-id-seed (default 0) */
};

struct out_format {
	const char *name;        /* "json", "csv", "text" */
	const char *description;
	int (*begin)(struct out_writer *w);
	int (*flow)(struct out_writer *w, const struct flow *f, enum flow_end why);
	int (*end)(struct out_writer *w);
};

/* All formats, NULL-terminated; drives option parsing and --help. */
extern const struct out_format *const out_formats[];
const struct out_format *out_format_find(const char *name);

/* Opens path ("-" or NULL = stdout) for the given format. UCF_ERR_CONFIG for an unknown format,
 * UCF_ERR_RUNTIME when the file cannot be opened. */
int out_open(struct out_writer **w, const struct out_format *fmt, const char *path,
	     const struct out_names *names, char *errbuf);
int out_write_flow(struct out_writer *w, const struct flow *f, enum flow_end why);
/* Pushes buffered records to the OS (for readers tailing the file). */
int out_flush(struct out_writer *w, char *errbuf);
/* Closes and reopens the same path (logrotate); a no-op on stdout. */
int out_reopen(struct out_writer *w, char *errbuf);
/* Points the writer at another signature db (SIGHUP reload); the flows written from now on must
 * carry labels of that db. */
void out_set_db(struct out_writer *w, const struct sig_db *db);
/* Finishes the format, flushes, closes; returns the first write error if any occurred. */
int out_close(struct out_writer *w, char *errbuf);
uint64_t out_records_written(const struct out_writer *w);

/* Several threads writing one output (live capture workers): each thread formats its records with
 * a writer of its own opened by out_open_sink, which hands every record, whole (its line and the
 * newline), to sink instead of a stream; the sink serialises them into the one real writer with
 * out_write_raw. The format's begin and end are not called (the real writer wrote the header).
 * The sink returns 0, or an errno value that becomes the writer's sticky error. name (may be
 * NULL) is what error messages call the output. */
typedef int (*out_sink_fn)(void *user, const char *rec, size_t len);
int out_open_sink(struct out_writer **w, const struct out_format *fmt, const struct out_names *names,
		  out_sink_fn sink, void *sink_user, const char *name, char *errbuf);
/* Appends len bytes of whole records (as a sink received them) to w's stream and counts them as
 * one record. 0, or the errno value of the writer's sticky error. */
int out_write_raw(struct out_writer *w, const char *rec, size_t len);

/* Formats a flow's JSON record, exactly the line the json format writes (without the newline),
 * into buf; returns its length, or the length needed (>= cap) when buf is too small (buf then
 * holds ""). A record never exceeds OUT_JSON_MAX - 1 bytes (longer values are dropped). */
#define OUT_JSON_MAX 8192
size_t out_json_format(const struct out_names *names, const struct flow *f, enum flow_end why,
		       char *buf, size_t cap);

/* Appends s to buf as a JSON string body (no quotes), escaping per RFC 8259; returns bytes
 * written, or the bytes needed when cap is too small (nothing partial is kept in that case). */
size_t out_json_escape(char *buf, size_t cap, const char *s);

/* Community ID v1 (corelight community-id-spec): "1:" and 28 base64 characters, NUL-terminated.
 * For ICMP and ICMPv6, sport is the type and dport its counterpart type or the code (Zeek's
 * ports); a type without a counterpart keeps src first. Protocols other than TCP, UDP, SCTP and
 * the ICMPs hash no ports. */
#define OUT_COMMUNITY_ID_LEN 32
void out_community_id(uint16_t seed, const struct ucf_addr *src, const struct ucf_addr *dst,
		      uint8_t proto, uint16_t sport, uint16_t dport, char out[OUT_COMMUNITY_ID_LEN]);
/* The same for a flow's originator and responder: once per written record, never per packet. */
void out_flow_community_id(const struct flow *f, uint16_t seed, char out[OUT_COMMUNITY_ID_LEN]);

#endif
