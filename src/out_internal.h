/* out_internal.h - the output stage's writer state and record helpers, shared by its formats. */
#ifndef OUT_INTERNAL_H
#define OUT_INTERNAL_H

#include <string.h>

#include "output.h"
#include "evidence.h"

#define OUT_LINE_MAX 8192

/* Whole records waiting for one write(2): at most OUT_BUF_BYTES bytes and OUT_BUF_RECS records
 * (out_writer.c). */
#define OUT_BUF_BYTES (256u << 10)
#define OUT_BUF_RECS 4096u

struct out_writer {
	const struct out_format *fmt;
	int fd;          /* the records' file (1 for stdout) */
	char *path;      /* NULL for stdout */
	unsigned flags;  /* OUT_APPEND */
	bool seekable;   /* a regular file: a cut record can be truncated away */
	bool tty;        /* a terminal: each record is written at once */
	struct out_names names;
	/* the buffer: whole lines, and where each ends */
	char *buf;
	size_t blen;
	uint32_t rec_end[OUT_BUF_RECS];
	uint8_t rec_kind[OUT_BUF_RECS]; /* OUT_KIND_* of each buffered line */
	unsigned nrec;
	uint8_t cur_kind;               /* the kind of the line being formatted */
	/* counts of flow records: on disk (whole), by kind, and lost to a write error */
	uint64_t records, interim, lost, bytes;
	uint64_t by_end[FLOW_END_ACTIVE + 1]; /* formatted, by end reason */
	int error;       /* first errno seen, sticky: nothing is written after it */
	out_sink_fn sink; /* out_open_sink: each record goes whole to sink, not to fd (NULL) */
	void *sink_user;
	char line[OUT_LINE_MAX];
	size_t len;
};
enum { OUT_KIND_FINAL = 0, OUT_KIND_INTERIM, OUT_KIND_HEADER };

/* Everything a format prints, resolved once per record from the flow and the name tables. */
struct out_record {
	char ts[32], duration[32];
	char uid[24];
	char orig_h[UCF_ADDR_STRLEN], resp_h[UCF_ADDR_STRLEN];
	unsigned orig_p, resp_p;
	char proto[8];
	const char *conn_state;
	char history[32];
	const struct flow *f;
	const char *app, *app_service, *app_category, *confidence, *reason, *rule_file;
	unsigned rule_line;
	int encrypted; /* -1 unknown */
	const char *cand[FLOW_MAX_CANDIDATES][2]; /* app, service */
	unsigned ncand;
	const char *tunnel;
	struct evidence_view ev; /* sni, alpn, server_names, dns_name, host, software, proto, reason */
	const char *end_reason;
	const char *app_scope;  /* the label's scope (calling, webex-platform, allow-list), "" none */
	const char *rule_basis; /* "" for a document row, else "interpretation[: STANDARD]" */
};

void out_record_fill(const struct out_writer *w, const struct flow *f, enum flow_end why,
		     struct out_record *r);
/* The part of out_record_fill that formats nothing: the name and evidence fields (everything from
 * conn_state on but history); the JSON writer formats the rest straight into its line. */
void out_record_resolve(const struct out_writer *w, const struct flow *f, enum flow_end why,
			struct out_record *r);
/* format_uid's 12 characters (no NUL) */
void out_fmt_uid(char *buf, uint64_t uid);

/* Line buffer helpers: append text; on overflow the line is marked and truncated safely. */
void out_line_reset(struct out_writer *w);
void out_put(struct out_writer *w, const char *s);
void out_putf(struct out_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_put_json_str(struct out_writer *w, const char *s); /* quoted, escaped; NULL -> "" */
/* The same without the quotes (for values built from several parts). */
void out_put_json_body(struct out_writer *w, const char *s);

/* Formatting without printf: records are written on the packet path (when a flow ends), so the
 * common fields are appended with plain digit loops. */
static inline void out_putn(struct out_writer *w, const char *s, size_t n)
{
	/* inline: with a literal's constant length the copy becomes a few moves. The copy that fits
	 * (always, but for an overlong line) keeps n constant; clamping n first made every literal a
	 * variable-length copy. */
	size_t room = sizeof w->line - 1 - w->len;
	if (n <= room) {
		memcpy(w->line + w->len, s, n);
		w->len += n;
	} else {
		memcpy(w->line + w->len, s, room);
		w->len += room;
	}
	w->line[w->len] = '\0';
}
#define OUT_LIT(w, s) out_putn((w), (s), sizeof(s) - 1)
void out_put_u64(struct out_writer *w, uint64_t v);
/* Writes the decimal digits of v to buf (no NUL); returns how many (at most 20). */
size_t out_fmt_u64(char *buf, uint64_t v);
/* "SECONDS.MICROSECONDS" of a microsecond count, NUL-terminated; buf holds at least 28 bytes. */
void out_fmt_usec(char *buf, uint64_t us);
/* Queues the line + '\n' as one whole record (out_writer.c); UCF_ERR_RUNTIME after a write error. */
int out_line_emit(struct out_writer *w);

extern const struct out_format out_format_json, out_format_csv, out_format_text;

#endif
