/* report_json.c - a strict parser for flat JSON objects: the flow records the audit report reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

struct rj_parser {
	const unsigned char *s, *p, *end;
	struct rj_doc *d;
	char *out;           /* next free byte of the arena */
	uint64_t hash[RJ_MAX_FIELDS];
	char *err;
	size_t errlen;
};

void rj_init(struct rj_doc *d)
{
	memset(d, 0, sizeof *d);
}

void rj_free(struct rj_doc *d)
{
	free(d->arena);
	d->arena = NULL;
	d->cap = 0;
}

static int fail(struct rj_parser *ps, const unsigned char *at, const char *msg)
{
	snprintf(ps->err, ps->errlen, "column %zu: %s", (size_t)(at - ps->s) + 1, msg);
	return -1;
}

static void skip_ws(struct rj_parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex4(struct rj_parser *ps, unsigned *out)
{
	if (ps->end - ps->p < 4)
		return fail(ps, ps->p, "truncated \\u escape");
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(ps->p[i]);
		if (h < 0)
			return fail(ps, ps->p + i, "bad hex digit in \\u escape");
		v = v << 4 | (unsigned)h;
	}
	ps->p += 4;
	*out = v;
	return 0;
}

static void put_utf8(struct rj_parser *ps, unsigned cp)
{
	char *o = ps->out;
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	ps->out = o;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, <= U+10FFFF),
 * 0 when invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	unsigned cp = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Decodes the string at ps->p (an opening quote) into the arena; *out points at it. */
static int parse_string(struct rj_parser *ps, const char **out, size_t *outlen)
{
	const unsigned char *start = ps->p;
	ps->p++; /* the quote */
	char *o = ps->out;
	for (;;) {
		if (ps->p >= ps->end)
			return fail(ps, start, "unterminated string");
		unsigned c = *ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20)
			return fail(ps, ps->p, "control character in string");
		if (c == '\\') {
			if (ps->end - ps->p < 2)
				return fail(ps, ps->p, "unterminated escape");
			unsigned e = ps->p[1];
			ps->p += 2;
			switch (e) {
			case '"': *ps->out++ = '"'; break;
			case '\\': *ps->out++ = '\\'; break;
			case '/': *ps->out++ = '/'; break;
			case 'b': *ps->out++ = '\b'; break;
			case 'f': *ps->out++ = '\f'; break;
			case 'n': *ps->out++ = '\n'; break;
			case 'r': *ps->out++ = '\r'; break;
			case 't': *ps->out++ = '\t'; break;
			case 'u': {
				const unsigned char *at = ps->p - 2;
				unsigned cp;
				if (read_hex4(ps, &cp))
					return -1;
				if (cp == 0)
					return fail(ps, at, "\\u0000 is not allowed");
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return fail(ps, at, "lone low surrogate");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					unsigned lo;
					if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
						return fail(ps, at, "high surrogate without a low one");
					ps->p += 2;
					if (read_hex4(ps, &lo))
						return -1;
					if (lo < 0xdc00 || lo > 0xdfff)
						return fail(ps, at, "high surrogate without a low one");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				put_utf8(ps, cp);
				break;
			}
			default:
				return fail(ps, ps->p - 2, "unknown escape");
			}
			continue;
		}
		size_t n = utf8_len(ps->p, ps->end);
		if (!n)
			return fail(ps, ps->p, "invalid UTF-8");
		memcpy(ps->out, ps->p, n);
		ps->out += n;
		ps->p += n;
	}
	*ps->out++ = '\0';
	*out = o;
	*outlen = (size_t)(ps->out - o) - 1;
	return 0;
}

/* RFC 8259 number grammar; the text is copied to the arena. */
static int parse_number(struct rj_parser *ps, const char **out, size_t *outlen)
{
	const unsigned char *start = ps->p, *p = ps->p, *e = ps->end;
	if (p < e && *p == '-')
		p++;
	if (p >= e || *p < '0' || *p > '9')
		return fail(ps, p, "bad number");
	if (*p == '0') {
		p++;
		if (p < e && *p >= '0' && *p <= '9')
			return fail(ps, p, "leading zero in number");
	} else {
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && *p == '.') {
		p++;
		if (p >= e || *p < '0' || *p > '9')
			return fail(ps, p, "digit expected after the decimal point");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return fail(ps, p, "digit expected in the exponent");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	size_t n = (size_t)(p - start);
	memcpy(ps->out, start, n);
	*out = ps->out;
	*outlen = n;
	ps->out += n;
	*ps->out++ = '\0';
	ps->p = p;
	return 0;
}

static int parse_literal(struct rj_parser *ps, const char *word, enum rj_type t,
			 struct rj_value *v)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, ps->p, "unexpected character");
	ps->p += n;
	v->type = t;
	return 0;
}

static int parse_array(struct rj_parser *ps, struct rj_value *v)
{
	struct rj_doc *d = ps->d;
	ps->p++; /* [ */
	v->type = RJ_ARRAY;
	v->items = &d->items[d->nitems];
	v->nitems = 0;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, ps->p, "unterminated array");
		if (*ps->p != '"')
			return fail(ps, ps->p, "arrays may hold only strings");
		if (d->nitems >= RJ_MAX_ITEMS)
			return fail(ps, ps->p, "too many array items");
		size_t len;
		if (parse_string(ps, &d->items[d->nitems], &len))
			return -1;
		d->nitems++;
		v->nitems++;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, ps->p, "unterminated array");
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return fail(ps, ps->p, "',' or ']' expected");
		ps->p++;
	}
}

static uint64_t key_hash(const char *k)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 0x100000001b3ULL;
	return h;
}

int rj_parse(struct rj_doc *d, const char *s, size_t len, char *err, size_t errlen)
{
	struct rj_parser ps = { (const unsigned char *)s, (const unsigned char *)s,
				(const unsigned char *)s + len, d, NULL, { 0 }, err, errlen };
	d->n = 0;
	d->nitems = 0;
	if (len > RJ_MAX_LINE) {
		snprintf(err, errlen, "line longer than %u bytes", RJ_MAX_LINE);
		return -1;
	}
	if (d->cap < len + 1) {
		char *a = realloc(d->arena, len + 1);
		if (!a) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		d->arena = a;
		d->cap = len + 1;
	}
	ps.out = d->arena;
	skip_ws(&ps);
	if (ps.p >= ps.end)
		return fail(&ps, ps.p, "empty line");
	if (*ps.p != '{')
		return fail(&ps, ps.p, "a JSON object expected");
	ps.p++;
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '}') {
		ps.p++;
	} else {
		for (;;) {
			skip_ws(&ps);
			if (ps.p >= ps.end || *ps.p != '"')
				return fail(&ps, ps.p, "a quoted key expected");
			if (d->n >= RJ_MAX_FIELDS)
				return fail(&ps, ps.p, "too many fields");
			struct rj_value *v = &d->v[d->n];
			memset(v, 0, sizeof *v);
			const unsigned char *kat = ps.p;
			size_t klen;
			if (parse_string(&ps, &v->key, &klen))
				return -1;
			uint64_t h = key_hash(v->key);
			for (size_t i = 0; i < d->n; i++)
				if (ps.hash[i] == h && strcmp(d->v[i].key, v->key) == 0)
					return fail(&ps, kat, "duplicate key");
			ps.hash[d->n] = h;
			skip_ws(&ps);
			if (ps.p >= ps.end || *ps.p != ':')
				return fail(&ps, ps.p, "':' expected");
			ps.p++;
			skip_ws(&ps);
			if (ps.p >= ps.end)
				return fail(&ps, ps.p, "value expected");
			int rc;
			switch (*ps.p) {
			case '"':
				v->type = RJ_STRING;
				rc = parse_string(&ps, &v->s, &v->len);
				break;
			case '[': rc = parse_array(&ps, v); break;
			case 't': rc = parse_literal(&ps, "true", RJ_TRUE, v); break;
			case 'f': rc = parse_literal(&ps, "false", RJ_FALSE, v); break;
			case 'n': rc = parse_literal(&ps, "null", RJ_NULL, v); break;
			case '{': return fail(&ps, ps.p, "nested objects are not allowed");
			default:
				v->type = RJ_NUMBER;
				rc = parse_number(&ps, &v->s, &v->len);
				break;
			}
			if (rc)
				return -1;
			d->n++;
			skip_ws(&ps);
			if (ps.p >= ps.end)
				return fail(&ps, ps.p, "unterminated object");
			if (*ps.p == '}') {
				ps.p++;
				break;
			}
			if (*ps.p != ',')
				return fail(&ps, ps.p, "',' or '}' expected");
			ps.p++;
		}
	}
	skip_ws(&ps);
	if (ps.p != ps.end)
		return fail(&ps, ps.p, "text after the object");
	return 0;
}

const struct rj_value *rj_get(const struct rj_doc *d, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].key, key) == 0)
			return &d->v[i];
	return NULL;
}

int rj_uint(const struct rj_value *v, uint64_t max, uint64_t *out)
{
	if (!v || v->type != RJ_NUMBER || v->s[0] == '-')
		return -1;
	uint64_t x = 0;
	for (const char *p = v->s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1; /* fraction or exponent */
		unsigned dgt = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - dgt) / 10)
			return -1;
		x = x * 10 + dgt;
	}
	if (x > max)
		return -1;
	*out = x;
	return 0;
}

int rj_seconds_us(const struct rj_value *v, uint64_t *out)
{
	if (!v || v->type != RJ_NUMBER || v->s[0] == '-')
		return -1;
	/* digits of the mantissa, and the power of ten they are scaled by */
	char digits[64];
	size_t nd = 0;
	long exp10 = 6; /* seconds -> microseconds */
	const char *p = v->s;
	bool frac = false;
	for (; *p && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.') {
			frac = true;
			continue;
		}
		if (nd == 0 && *p == '0')
			; /* leading zeros are not significant (still count fraction places) */
		else if (nd < sizeof digits)
			digits[nd++] = *p;
		else if (!frac)
			return -1; /* too large */
		else
			continue; /* far below a microsecond */
		if (frac)
			exp10--;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		bool neg = *p == '-';
		if (*p == '+' || *p == '-')
			p++;
		long e = 0;
		for (; *p; p++) {
			if (e > 100000)
				return -1;
			e = e * 10 + (*p - '0');
		}
		exp10 += neg ? -e : e;
	}
	/* value = digits * 10^exp10 microseconds */
	long keep = (long)nd + (exp10 < 0 ? exp10 : 0);
	uint64_t x = 0;
	for (long i = 0; i < keep; i++) {
		unsigned dgt = (unsigned)(digits[i] - '0');
		if (x > (UINT64_MAX - dgt) / 10)
			return -1;
		x = x * 10 + dgt;
	}
	for (long i = 0; i < exp10 && x; i++) {
		if (x > UINT64_MAX / 10)
			return -1;
		x *= 10;
	}
	*out = x;
	return 0;
}
