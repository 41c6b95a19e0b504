/* output.h - the output stage: one record per flow in JSON Lines, CSV or an aligned text table.
 *
 * Formats are tables of function pointers (struct out_format); one writer owns the output stream.
 * Field names follow Zeek's conn.log where a counterpart exists (ts, uid, id.orig_h ...).
 * Records are written whole or not at all (a write that fails part way is cut back to the last
 * whole record), and write errors are sticky: out_close() reports the first one, so a full disk is
 * never a silent success, and out_get_counts() says how many records reached the file. */
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
	/* Added to every flow's creation number before it becomes a uid: a random key per run makes
	 * uids unique across runs and sensors; out_uid_key() turns a --uid-seed into one (0 = the
	 * creation number alone, as before the key existed). */
	uint64_t uid_key;
	/* JSON: keep unset fields (null, "", []) instead of omitting them as Zeek does
	 * (--json-all-fields); CSV always has every column. */
	bool json_all_fields;
	/* The server-role evidence of a flow's label (role.h role_describe), appended to the
	 * record's evidence tokens; NULL = none. */
	size_t (*role_text)(const void *role_user, const struct sig_db *db, const struct flow *f,
			    char *buf, size_t cap);
	const void *role_user;
};

/* The uid key of a seed: the same seed gives the same uids for the same input. */
static inline uint64_t out_uid_key(uint64_t seed)
{
	return seed * 0x9e3779b97f4a7c15ULL; /* odd: distinct seeds, distinct keys */
}

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

/* Opens path ("-" or NULL = stdout) for the given format, replacing what the file holds.
 * UCF_ERR_CONFIG for an unknown format, UCF_ERR_RUNTIME when the file cannot be opened. */
int out_open(struct out_writer **w, const struct out_format *fmt, const char *path,
	     const struct out_names *names, char *errbuf);
/* out_open with flags: OUT_APPEND keeps what the file holds and adds after it (a CSV or text
 * header only when the file is empty). */
#define OUT_APPEND 1u
int out_open_flags(struct out_writer **w, const struct out_format *fmt, const char *path,
		   const struct out_names *names, unsigned flags, char *errbuf);
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
/* Flow records written (interim ones included; headers not counted): those in the file and those
 * still queued for it; after a write error, only those in the file. */
uint64_t out_records_written(const struct out_writer *w);
struct out_counts {
	uint64_t records;  /* flow records written whole (as out_records_written) */
	uint64_t interim;  /* of which interim records (active timeout) */
	uint64_t lost;     /* records not written because of a write error */
	uint64_t queued;   /* records still in the buffer (until out_flush or out_close) */
	uint64_t bytes;    /* bytes written (headers included) */
	uint64_t by_end[FLOW_END_ACTIVE + 1]; /* records formatted, by end reason */
};
void out_get_counts(const struct out_writer *w, struct out_counts *c);

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
/* ---- out_path.c: no output destroys data ----
 * Every file a run reads and every file it writes is registered before anything is opened for
 * writing; a write path that is the same file as a registered input or another output is refused.
 * Files are compared by device and inode (symlinks, hard links and other spellings of a name are
 * the same file); a file still to be created by its directory and name. "-" is standard input
 * (inputs) or standard output (outputs) when they are regular files. Devices, pipes and sockets
 * are never compared. Any new option that writes a file (-o, --report, --servers, --write-site ...)
 * registers it here. */
struct out_paths;
struct out_paths *out_paths_create(void); /* NULL when out of memory */
void out_paths_free(struct out_paths *ps);
/* what names the option in messages ("-r", "--site" ...). Paths that do not exist are skipped:
 * opening them fails later with its own message. UCF_OK, or UCF_ERR_RUNTIME (out of memory). */
int out_paths_add_input(struct out_paths *ps, const char *what, const char *path, char *errbuf);
/* Every regular file in dir (the signature tables). */
int out_paths_add_input_dir(struct out_paths *ps, const char *what, const char *dir, char *errbuf);
/* UCF_ERR_CONFIG (errbuf: "-o X is the same file as -r Y: refusing to overwrite an input") when
 * path is the same file as a registered input or output; UCF_OK otherwise. */
int out_paths_add_output(struct out_paths *ps, const char *what, const char *path, char *errbuf);
/* Whether a file can be written at path the way a report is (a new file in its directory, renamed
 * over it): checked at start so a run does not find out at its end. UCF_ERR_RUNTIME (errbuf) when
 * not, e.g. the directory is missing or not writable, or path is a directory. */
int out_path_check_replaceable(const char *path, char *errbuf);

#endif
