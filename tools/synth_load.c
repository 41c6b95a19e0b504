/* synth_load.c - reads a scenario (.scn) into lines for ucflow-synth: tokens, `include`, `for` loops, `repeat` matching.
 *
 * The loader does everything that needs no packet state, so that ucflow-synth.c only executes
 * statements. Errors are FILE:LINE: message on stderr and exit status 2 (no output written yet).
 *
 *   for VAR FROM TO [STEP] ... endfor
 *       The body is written out once per value FROM, FROM+STEP, ... up to TO (inclusive; STEP
 *       default 1, may be negative). In the body, `${EXPR}` inside any token is replaced by the
 *       decimal value of EXPR: integers, the variables of the enclosing loops, + - * / %, and
 *       parentheses (C precedence, integer arithmetic). Loops nest; `for` and its `endfor` must
 *       be in the same file. A scenario describes many similar clients this way
 *       (`host pc${i} 10.2.0.${i+20}`) without a generator outside the synthesizer.
 */
#include "synth.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 256
#define MAX_DEPTH 8
#define MAX_VARS 16

static struct scn_line *lines;
static size_t nlines, cap_lines;

static void die_at(const char *file, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static void die_at(const char *file, int lineno, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: ", file, lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "ucflow-synth: out of memory\n");
		exit(1);
	}
	return q;
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "ucflow-synth: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	struct sbuf b;
	sb_init(&b);
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		sb_put(&b, tmp, n);
	fclose(fp);
	sb_u8(&b, 0);
	return (char *)b.d;
}

static void tokenize(const char *file, char *text, int lineno, struct scn_line *out)
{
	char *toks[MAX_TOKENS];
	int n = 0;
	char *p = text;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		struct sbuf t;
		sb_init(&t);
		int inq = 0;
		while (*p && (inq || (*p != ' ' && *p != '\t' && *p != '\r' && *p != '#'))) {
			if (*p == '"') {
				inq = !inq;
				p++;
				continue;
			}
			if (*p == '\\' && p[1]) {
				sb_put(&t, p, 2);
				p += 2;
				continue;
			}
			sb_put(&t, p, 1);
			p++;
		}
		if (inq)
			die_at(file, lineno, "unterminated double quote");
		if (n == MAX_TOKENS)
			die_at(file, lineno, "too many tokens (max %d)", MAX_TOKENS);
		sb_u8(&t, 0);
		toks[n++] = (char *)t.d;
	}
	out->file = file;
	out->lineno = lineno;
	out->argc = n;
	out->jump = -1;
	out->argv = NULL;
	if (n) {
		out->argv = xrealloc(NULL, sizeof(char *) * (size_t)n);
		memcpy(out->argv, toks, sizeof(char *) * (size_t)n);
	}
}

static void add_line(struct scn_line **v, size_t *n, size_t *cap, const struct scn_line *L)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, sizeof **v * *cap);
	}
	(*v)[(*n)++] = *L;
}

/* Read `path` (and the files it includes) into lines[]. `stack` holds the including files. */
static void load(const char *path, const char **stack, int depth)
{
	char *text = read_file(path);
	struct sbuf logical;
	sb_init(&logical);
	int lineno = 1, start_line = 1;
	char *p = text;
	while (*p) {
		char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		size_t m = n;
		while (m && (p[m - 1] == '\r' || p[m - 1] == ' ' || p[m - 1] == '\t'))
			m--;
		int cont = m && p[m - 1] == '\\';
		if (!logical.len)
			start_line = lineno;
		sb_put(&logical, p, cont ? m - 1 : n);
		if (cont)
			sb_u8(&logical, ' ');
		else {
			sb_u8(&logical, 0);
			struct scn_line L;
			tokenize(path, (char *)logical.d, start_line, &L);
			if (L.argc && !strcmp(L.argv[0], "include")) {
				if (L.argc != 2)
					die_at(path, start_line, "usage: include FILE");
				if (depth >= MAX_DEPTH)
					die_at(path, start_line, "includes nested deeper than %d",
					       MAX_DEPTH);
				/* relative names are taken from the including file's directory */
				struct sbuf inc;
				sb_init(&inc);
				const char *slash = strrchr(path, '/');
				if (L.argv[1][0] != '/' && slash)
					sb_put(&inc, path, (size_t)(slash - path) + 1);
				sb_str(&inc, L.argv[1]);
				sb_u8(&inc, 0);
				/* the path lives as long as the lines that name it: never freed */
				const char *ipath = (const char *)inc.d;
				for (int i = 0; i <= depth; i++)
					if (!strcmp(stack[i], ipath))
						die_at(path, start_line, "`%s` includes itself", ipath);
				for (int i = 0; i < L.argc; i++)
					free(L.argv[i]);
				free(L.argv);
				stack[depth + 1] = ipath;
				load(ipath, stack, depth + 1);
			} else if (L.argc) {
				add_line(&lines, &nlines, &cap_lines, &L);
			}
			sb_reset(&logical);
		}
		lineno++;
		if (!eol)
			break;
		p = eol + 1;
	}
	if (logical.len)
		die_at(path, start_line, "line continuation at end of file");
	sb_free(&logical);
	free(text);
}

/* ---- for loops ---------------------------------------------------------------------------- */
struct var {
	char name[32];
	long long val;
};

struct expr {
	const char *p;
	const struct var *vars;
	int nvars;
	const struct scn_line *L;
};

static long long ex_sum(struct expr *e);

static void ex_space(struct expr *e)
{
	while (*e->p == ' ' || *e->p == '\t')
		e->p++;
}

static long long ex_atom(struct expr *e)
{
	ex_space(e);
	if (*e->p == '(') {
		e->p++;
		long long v = ex_sum(e);
		ex_space(e);
		if (*e->p != ')')
			die_at(e->L->file, e->L->lineno, "missing `)` in ${...}");
		e->p++;
		return v;
	}
	if (*e->p == '-') {
		e->p++;
		return -ex_atom(e);
	}
	if (isdigit((unsigned char)*e->p)) {
		char *end;
		errno = 0;
		long long v = strtoll(e->p, &end, 0);
		if (errno)
			die_at(e->L->file, e->L->lineno, "number out of range in ${...}");
		e->p = end;
		return v;
	}
	if (isalpha((unsigned char)*e->p) || *e->p == '_') {
		const char *s = e->p;
		while (isalnum((unsigned char)*e->p) || *e->p == '_')
			e->p++;
		size_t n = (size_t)(e->p - s);
		for (int i = e->nvars - 1; i >= 0; i--)
			if (strlen(e->vars[i].name) == n && !strncmp(e->vars[i].name, s, n))
				return e->vars[i].val;
		die_at(e->L->file, e->L->lineno, "unknown loop variable `%.*s` in ${...}", (int)n, s);
	}
	die_at(e->L->file, e->L->lineno, "bad expression in ${...} at `%s`", e->p);
}

static long long ex_prod(struct expr *e)
{
	long long v = ex_atom(e);
	for (;;) {
		ex_space(e);
		char op = *e->p;
		if (op != '*' && op != '/' && op != '%')
			return v;
		e->p++;
		long long r = ex_atom(e);
		if (op != '*' && r == 0)
			die_at(e->L->file, e->L->lineno, "division by zero in ${...}");
		v = op == '*' ? v * r : op == '/' ? v / r : v % r;
	}
}

static long long ex_sum(struct expr *e)
{
	long long v = ex_prod(e);
	for (;;) {
		ex_space(e);
		char op = *e->p;
		if (op != '+' && op != '-')
			return v;
		e->p++;
		long long r = ex_prod(e);
		v = op == '+' ? v + r : v - r;
	}
}

/* A copy of `tok` with every ${EXPR} replaced by its value. */
static char *substitute(const struct scn_line *L, const char *tok, const struct var *vars,
			int nvars)
{
	struct sbuf b;
	sb_init(&b);
	for (const char *p = tok; *p;) {
		if (p[0] == '$' && p[1] == '{') {
			const char *close = strchr(p, '}');
			if (!close)
				die_at(L->file, L->lineno, "missing `}` after `${`");
			char expr[128];
			size_t n = (size_t)(close - p - 2);
			if (n >= sizeof expr)
				die_at(L->file, L->lineno, "${...} too long");
			memcpy(expr, p + 2, n);
			expr[n] = 0;
			struct expr e = { expr, vars, nvars, L };
			long long v = ex_sum(&e);
			ex_space(&e);
			if (*e.p)
				die_at(L->file, L->lineno, "bad expression `%s` in ${...}", expr);
			sb_printf(&b, "%lld", v);
			p = close + 1;
		} else {
			sb_put(&b, p, 1);
			p++;
		}
	}
	sb_u8(&b, 0);
	return (char *)b.d;
}

static long long loop_bound(const struct scn_line *L, const char *s, const struct var *vars,
			    int nvars)
{
	struct expr e = { s, vars, nvars, L };
	long long v = ex_sum(&e);
	ex_space(&e);
	if (*e.p)
		die_at(L->file, L->lineno, "bad loop bound `%s`", s);
	return v;
}

/* Index of the `endfor` that closes the `for` at index i of src. */
static size_t match_endfor(const struct scn_line *src, size_t n, size_t i)
{
	int depth = 0;
	for (size_t j = i; j < n; j++) {
		if (!strcmp(src[j].argv[0], "for"))
			depth++;
		else if (!strcmp(src[j].argv[0], "endfor") && --depth == 0) {
			if (src[j].file != src[i].file)
				die_at(src[i].file, src[i].lineno,
				       "`for` and its `endfor` must be in the same file");
			return j;
		}
	}
	die_at(src[i].file, src[i].lineno, "`for` without `endfor`");
}

/* Append src[from, to) to out, expanding loops and substituting ${...} when inside one. */
static void expand(const struct scn_line *src, size_t from, size_t to, struct var *vars,
		   int nvars, struct scn_line **out, size_t *nout, size_t *capout)
{
	for (size_t i = from; i < to; i++) {
		const struct scn_line *L = &src[i];
		if (!strcmp(L->argv[0], "endfor"))
			die_at(L->file, L->lineno, "`endfor` without `for`");
		if (strcmp(L->argv[0], "for")) {
			struct scn_line C = *L;
			if (nvars) {
				C.argv = xrealloc(NULL, sizeof(char *) * (size_t)L->argc);
				for (int k = 0; k < L->argc; k++)
					C.argv[k] = substitute(L, L->argv[k], vars, nvars);
			}
			add_line(out, nout, capout, &C);
			continue;
		}
		if (L->argc != 4 && L->argc != 5)
			die_at(L->file, L->lineno, "usage: for VAR FROM TO [STEP]");
		const char *name = L->argv[1];
		if (!isalpha((unsigned char)name[0]) && name[0] != '_')
			die_at(L->file, L->lineno, "bad loop variable `%s`", name);
		for (const char *c = name; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_')
				die_at(L->file, L->lineno, "bad loop variable `%s`", name);
		if (strlen(name) >= sizeof vars[0].name)
			die_at(L->file, L->lineno, "loop variable name too long");
		if (nvars == MAX_VARS)
			die_at(L->file, L->lineno, "for loops nested deeper than %d", MAX_VARS);
		long long lo = loop_bound(L, L->argv[2], vars, nvars);
		long long hi = loop_bound(L, L->argv[3], vars, nvars);
		long long st = L->argc == 5 ? loop_bound(L, L->argv[4], vars, nvars) : 1;
		if (st == 0)
			die_at(L->file, L->lineno, "for loop step 0");
		if ((hi - lo) / st > 100000)
			die_at(L->file, L->lineno, "for loop of more than 100000 rounds");
		size_t end = match_endfor(src, to, i);
		snprintf(vars[nvars].name, sizeof vars[nvars].name, "%s", name);
		for (long long v = lo; st > 0 ? v <= hi : v >= hi; v += st) {
			vars[nvars].val = v;
			expand(src, i + 1, end, vars, nvars + 1, out, nout, capout);
		}
		i = end;
	}
}

/* Match every `repeat` with its `end` (both in the same file, nested at most MAX_DEPTH deep in
 * one file): line.jump points from each to the other. */
static void match_repeats(struct scn_line *v, size_t n)
{
	size_t rstack[MAX_DEPTH * (MAX_DEPTH + 1) + 1];
	int rdepth = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = v[i].argv[0];
		if (!strcmp(k, "repeat")) {
			int own = 0;
			for (int j = 0; j < rdepth; j++)
				own += v[rstack[j]].file == v[i].file;
			if (own >= MAX_DEPTH)
				die_at(v[i].file, v[i].lineno, "repeat nested deeper than %d",
				       MAX_DEPTH);
			if (rdepth == (int)(sizeof rstack / sizeof rstack[0]))
				die_at(v[i].file, v[i].lineno, "repeat nested too deeply");
			rstack[rdepth++] = i;
		} else if (!strcmp(k, "end")) {
			if (!rdepth || v[rstack[rdepth - 1]].file != v[i].file)
				die_at(v[i].file, v[i].lineno, "`end` without `repeat`");
			size_t r = rstack[--rdepth];
			v[r].jump = (int)i;
			v[i].jump = (int)r;
		}
	}
	if (rdepth)
		die_at(v[rstack[rdepth - 1]].file, v[rstack[rdepth - 1]].lineno,
		       "`repeat` without `end`");
}

void scn_load(const char *path, struct scn_line **out, size_t *nout)
{
	const char *stack[MAX_DEPTH + 1] = { path };
	load(path, stack, 0);
	struct scn_line *exp = NULL;
	size_t nexp = 0, capexp = 0;
	struct var vars[MAX_VARS];
	expand(lines, 0, nlines, vars, 0, &exp, &nexp, &capexp);
	match_repeats(exp, nexp);
	*out = exp;
	*nout = nexp;
}
