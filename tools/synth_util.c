/* synth_util.c - byte buffers and the deterministic PRNG used by ucflow-synth. */
#include "synth.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(struct sbuf *b)
{
	b->d = NULL;
	b->len = b->cap = 0;
}

void sb_free(struct sbuf *b)
{
	free(b->d);
	sb_init(b);
}

void sb_reset(struct sbuf *b)
{
	b->len = 0;
}

static void sb_grow(struct sbuf *b, size_t extra)
{
	if (b->len + extra <= b->cap)
		return;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + extra)
		ncap *= 2;
	uint8_t *nd = realloc(b->d, ncap);
	if (!nd) {
		fprintf(stderr, "ucflow-synth: out of memory\n");
		exit(1);
	}
	b->d = nd;
	b->cap = ncap;
}

void sb_put(struct sbuf *b, const void *p, size_t n)
{
	if (!n)
		return;
	sb_grow(b, n);
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	sb_grow(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf((char *)b->d + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_u8(struct sbuf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	sb_put(b, &c, 1);
}

void sb_u16(struct sbuf *b, unsigned v)
{
	uint8_t c[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	sb_put(b, c, 2);
}

void sb_u24(struct sbuf *b, uint32_t v)
{
	uint8_t c[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	sb_put(b, c, 3);
}

void sb_u32(struct sbuf *b, uint32_t v)
{
	uint8_t c[4];
	put_be32(c, v);
	sb_put(b, c, 4);
}

void sb_fill(struct sbuf *b, uint8_t byte, size_t n)
{
	if (!n)
		return;
	sb_grow(b, n);
	memset(b->d + b->len, byte, n);
	b->len += n;
}

size_t sb_len_begin(struct sbuf *b, int width)
{
	sb_fill(b, 0, (size_t)width);
	return b->len;
}

void sb_len_end(struct sbuf *b, size_t mark, int width)
{
	size_t n = b->len - mark;
	for (int i = 0; i < width; i++)
		b->d[mark - 1 - (size_t)i] = (uint8_t)(n >> (8 * i));
}

void put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void rng_bytes(uint64_t *state, uint8_t *out, size_t n)
{
	while (n) {
		uint64_t v = rng_next(state);
		for (int i = 0; i < 8 && n; i++, n--) {
			*out++ = (uint8_t)v;
			v >>= 8;
		}
	}
}

/* ---- DER writer -------------------------------------------------------------------------- */
size_t der_begin(struct sbuf *b, unsigned tag)
{
	sb_u8(b, tag);
	sb_u8(b, 0);
	return b->len;
}

void der_end(struct sbuf *b, size_t start)
{
	size_t len = b->len - start;
	if (len < 0x80) {
		b->d[start - 1] = (uint8_t)len;
		return;
	}
	int n = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
	sb_fill(b, 0, (size_t)n);
	memmove(b->d + start + n, b->d + start, len);
	b->d[start - 1] = (uint8_t)(0x80 | n);
	for (int i = 0; i < n; i++)
		b->d[start + (size_t)i] = (uint8_t)(len >> (8 * (n - 1 - i)));
}

void der_prim(struct sbuf *b, unsigned tag, const void *p, size_t n)
{
	size_t s = der_begin(b, tag);
	sb_put(b, p, n);
	der_end(b, s);
}

/* ---- scenario value parsing ---------------------------------------------------------------- */
/* Parse "12.345678" into microseconds scaled by `unit_us` (1000000 for seconds ...). */
int parse_decimal_us(const char *s, uint64_t unit_us, uint64_t *out)
{
	uint64_t ip = 0, frac = 0, scale = 1;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		if (ip > UINT64_MAX / 10 / 1000000)
			return -1;
		ip = ip * 10 + (uint64_t)(*p++ - '0');
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (scale < 1000000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
			p++;
		}
	}
	if (*p)
		return -1;
	*out = ip * unit_us + frac * unit_us / scale;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int mac_parse(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	int used = 0;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &used) != 6 || s[used])
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}
