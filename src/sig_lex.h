/* sig_lex.h - splits a signature file into statements of tokens (comments, quotes, continuations),
 * each token carrying its 1-based line and byte column for error messages. */
#ifndef SIG_LEX_H
#define SIG_LEX_H

#include <stddef.h>
#include <stdbool.h>

struct sig_tok {
	const char *s;   /* whole token, quotes removed, \" unescaped */
	const char *key; /* for key=value tokens (first '=' outside quotes): the key, else NULL */
	const char *val; /* ... and the value */
	unsigned line, col;   /* where the token starts */
	unsigned vcol;        /* column of the value's first byte (of its opening quote when quoted) */
	bool quoted;          /* some part of the token was quoted */
	bool vquoted;         /* the value started with a quote */
	/* private: offsets into the statement's text buffer */
	size_t s_off, k_off, v_off;
};

struct sig_stmt {
	struct sig_tok *t;
	unsigned n, cap;
	char *text;
	size_t tlen, tcap;
};

struct sig_lexer {
	char *buf;
	size_t len, pos;
	unsigned line;      /* current physical line (1-based) */
	size_t line_start;  /* offset of its first byte */
	const char *file;   /* display name for messages */
	char *err;
	size_t errlen;
};

/* Reads path (at most 16 MiB). Returns 0, or -1 with errno set (the caller words the message). */
int sig_lex_open(struct sig_lexer *lx, const char *path, const char *display, char *err,
		 size_t errlen);
void sig_lex_close(struct sig_lexer *lx);
/* Next statement: 1 (st filled, st->n >= 1), 0 at end of file, -1 on error (lx->err set). */
int sig_lex_next(struct sig_lexer *lx, struct sig_stmt *st);
void sig_stmt_free(struct sig_stmt *st);

#endif
