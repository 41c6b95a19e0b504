/* sig_values.h - parser state and value parsers shared by sig_parse.c and sig_values.c. */
#ifndef SIG_VALUES_H
#define SIG_VALUES_H

#include "sig_internal.h"
#include "sig_lex.h"

/* State of one file being parsed. */
struct sig_pstate {
	struct sig_parse_ctx *ctx;
	const char *path;    /* as opened */
	const char *display; /* for messages and row citations */
	uint16_t file;       /* index in db->files */
	bool site;           /* site file (or included from it): internal/server allowed */
	const char *doc, *doc_title, *table;
};

/* Formats "FILE:LINE:COL: message" into ctx->err; returns -1. */
int sig_perr(const struct sig_pstate *ps, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

bool sig_valid_name(const char *s);
const struct sig_set *sig_find_set(const struct sig_pstate *ps, const char *name);

/* Lists: text is the value, col the column of its first byte. */
int sig_parse_ports(const struct sig_pstate *ps, const char *text, unsigned line, unsigned col,
		    bool allow_any, struct sig_pspec *out);
int sig_parse_addrs(const struct sig_pstate *ps, const char *text, unsigned line, unsigned col,
		    bool allow_any, struct sig_aspec *out);
int sig_parse_prefix(const struct sig_pstate *ps, const char *s, unsigned line, unsigned col,
		     struct sig_prefix *out);
int sig_aspec_append(struct sig_db *db, struct sig_aspec *a, const struct sig_aspec *b);

int sig_parse_yesno(const struct sig_pstate *ps, const struct sig_tok *t, bool *out);
int sig_parse_proto(const struct sig_pstate *ps, const struct sig_tok *t, uint8_t *out);
int sig_parse_dscp(const struct sig_pstate *ps, const struct sig_tok *t, uint8_t *v, uint8_t max,
		   uint8_t *n);

/* The role statement (sig_role.c). */
int sig_st_role(struct sig_pstate *ps, const struct sig_stmt *st);

/* Column of a value's first content byte (after an opening quote). */
static inline unsigned sig_vcol(const struct sig_tok *t)
{
	return t->vcol + (t->vquoted ? 1u : 0u);
}

#endif
