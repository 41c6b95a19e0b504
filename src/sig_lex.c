/* sig_lex.c - signature file lexer: statements, tokens, quotes, comments, line continuations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig_internal.h"
#include "sig_lex.h"

#define SIG_MAX_FILE (16u << 20)

int sig_lex_open(struct sig_lexer *lx, const char *path, const char *display, char *err,
		 size_t errlen)
{
	memset(lx, 0, sizeof *lx);
	lx->file = display;
	lx->err = err;
	lx->errlen = errlen;
	lx->line = 1;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(fp);
			errno = ENOMEM;
			return -1;
		}
		size_t got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
		if (len == cap) {
			if (cap >= SIG_MAX_FILE) {
				free(buf);
				fclose(fp);
				errno = EFBIG;
				return -1;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	int rerr = ferror(fp) ? EIO : 0;
	fclose(fp);
	if (rerr) {
		free(buf);
		errno = rerr;
		return -1;
	}
	lx->buf = buf;
	lx->len = len;
	return 0;
}

void sig_lex_close(struct sig_lexer *lx)
{
	free(lx->buf);
	lx->buf = NULL;
}

void sig_stmt_free(struct sig_stmt *st)
{
	free(st->t);
	free(st->text);
	memset(st, 0, sizeof *st);
}

static int text_put(struct sig_stmt *st, char c)
{
	if (st->tlen == st->tcap) {
		size_t cap = st->tcap ? st->tcap * 2 : 256;
		char *t = realloc(st->text, cap);
		if (!t)
			return -1;
		st->text = t;
		st->tcap = cap;
	}
	st->text[st->tlen++] = c;
	return 0;
}

static struct sig_tok *tok_push(struct sig_stmt *st)
{
	if (st->n == st->cap) {
		unsigned cap = st->cap ? st->cap * 2 : 16;
		struct sig_tok *t = realloc(st->t, cap * sizeof *t);
		if (!t)
			return NULL;
		st->t = t;
		st->cap = cap;
	}
	struct sig_tok *t = &st->t[st->n++];
	memset(t, 0, sizeof *t);
	return t;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* A backslash ends the line when only whitespace follows it. */
static bool backslash_ends_line(const struct sig_lexer *lx, size_t pos)
{
	for (size_t i = pos + 1; i < lx->len && lx->buf[i] != '\n'; i++)
		if (!is_space(lx->buf[i]))
			return false;
	return true;
}

static unsigned col_of(const struct sig_lexer *lx, size_t pos)
{
	return (unsigned)(pos - lx->line_start + 1);
}

static int lex_error(struct sig_lexer *lx, size_t pos, const char *msg)
{
	struct sig_loc loc = { lx->file, lx->line, col_of(lx, pos) };
	sig_errf(lx->err, lx->errlen, &loc, "%s", msg);
	return -1;
}

static int oom(struct sig_lexer *lx)
{
	struct sig_loc loc = { lx->file, lx->line, 1 };
	sig_errf(lx->err, lx->errlen, &loc, "out of memory");
	return -1;
}

/* Reads one token starting at lx->pos (not whitespace, '#', or a line-ending backslash). */
static int lex_token(struct sig_lexer *lx, struct sig_stmt *st)
{
	struct sig_tok *t = tok_push(st);
	if (!t)
		return oom(lx);
	size_t start = lx->pos;
	t->line = lx->line;
	t->col = col_of(lx, start);
	t->s_off = st->tlen;
	bool have_eq = false;
	while (lx->pos < lx->len) {
		char c = lx->buf[lx->pos];
		if (c == '\n' || is_space(c) || c == '#')
			break;
		if (c == '\\' && backslash_ends_line(lx, lx->pos))
			break;
		if (c == '\0')
			return lex_error(lx, lx->pos, "NUL byte in file");
		if (c == '"') {
			size_t q = lx->pos++;
			if (have_eq && st->tlen == t->v_off)
				t->vquoted = true;
			t->quoted = true;
			while (lx->pos < lx->len && lx->buf[lx->pos] != '"' && lx->buf[lx->pos] != '\n') {
				char d = lx->buf[lx->pos];
				if (d == '\\' && lx->pos + 1 < lx->len && lx->buf[lx->pos + 1] == '"') {
					d = '"';
					lx->pos++;
				} else if (d == '\0') {
					return lex_error(lx, lx->pos, "NUL byte in file");
				}
				if (text_put(st, d))
					return oom(lx);
				lx->pos++;
			}
			if (lx->pos >= lx->len || lx->buf[lx->pos] != '"')
				return lex_error(lx, q, "unterminated quoted string");
			lx->pos++;
			continue;
		}
		if (c == '=' && !have_eq && !t->quoted) {
			have_eq = true;
			if (text_put(st, '\0'))
				return oom(lx);
			t->k_off = t->s_off;
			t->v_off = st->tlen;
			t->vcol = col_of(lx, lx->pos + 1);
			lx->pos++;
			continue;
		}
		if (text_put(st, c))
			return oom(lx);
		lx->pos++;
	}
	if (text_put(st, '\0'))
		return oom(lx);
	if (have_eq) {
		/* s is the whole token: rebuild "key=value" after the key/value pair */
		size_t s_off = st->tlen;
		const size_t k = t->k_off, v = t->v_off;
		size_t klen = strlen(st->text + k), vlen = strlen(st->text + v);
		for (size_t i = 0; i < klen; i++)
			if (text_put(st, st->text[k + i]))
				return oom(lx);
		if (text_put(st, '='))
			return oom(lx);
		for (size_t i = 0; i < vlen; i++)
			if (text_put(st, st->text[v + i]))
				return oom(lx);
		if (text_put(st, '\0'))
			return oom(lx);
		t->s_off = s_off;
		t->key = t->val = ""; /* marks key=value; fixed up to pointers below */
	}
	return 0;
}

int sig_lex_next(struct sig_lexer *lx, struct sig_stmt *st)
{
	st->n = 0;
	st->tlen = 0;
	bool cont = false; /* the previous physical line ended in a backslash */
	while (lx->pos < lx->len || st->n > 0) {
		if (lx->pos >= lx->len)
			break; /* end of file ends the statement (even after a backslash) */
		char c = lx->buf[lx->pos];
		if (is_space(c)) {
			lx->pos++;
			continue;
		}
		if (c == '#') { /* comment: skip to the newline, which is handled below */
			while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		if (c == '\\' && backslash_ends_line(lx, lx->pos)) {
			cont = true;
			while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		if (c == '\n') {
			lx->pos++;
			lx->line++;
			lx->line_start = lx->pos;
			if (cont) {
				cont = false;
				continue;
			}
			if (st->n > 0)
				break;
			continue;
		}
		if (cont && st->n == 0)
			cont = false;
		if (lex_token(lx, st))
			return -1;
	}
	if (st->n == 0)
		return 0;
	/* the text buffer may have moved while growing: turn offsets into pointers now */
	for (unsigned i = 0; i < st->n; i++) {
		struct sig_tok *t = &st->t[i];
		t->s = st->text + t->s_off;
		if (t->key) {
			t->key = st->text + t->k_off;
			t->val = st->text + t->v_off;
		}
	}
	return 1;
}
