/* report_scan.c - the fast path of the report's record intake: one pass over a plain flow record, only the fields the report uses. */
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "report_internal.h"

/* Why a second reader: the strict parser (report_json.c) decodes every field of every line into
 * its arena, and was half of --from-json's time. ucflow writes plain records: ASCII strings without
 * escapes, numbers without exponents. This scanner walks such a line once, checks the same grammar,
 * keeps spans of the report's fields only and copies just their strings. Anything it does not
 * handle (an escape, non-ASCII text, an exponent, a bad value, a duplicate key, too many fields)
 * returns 0 and the strict parser decides, so a line is accepted or rejected, with the same
 * message, exactly as before. */

enum { T_STR = 1, T_NUM, T_TRUE, T_FALSE, T_NULL, T_ARR };

struct span {
	const unsigned char *s; /* string: past the quote; number: first char; array: first item */
	uint32_t len;           /* array: number of items */
	uint8_t type;
	uint8_t plain;          /* number: digits only (no sign, fraction, exponent) */
	uint64_t val;           /* a plain number of at most 19 digits: its value */
};

#define SCAN_SLOTS 512
static int8_t slot_id[SCAN_SLOTS];
static uint8_t key_len[REPORT_SCAN_NKEYS];
static uint64_t key_words[REPORT_SCAN_NKEYS][2]; /* the key zero-padded to 16 bytes */
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static unsigned slot_of(const unsigned char *k, size_t n)
{
	return (unsigned)(n * 7u + k[0] * 3u + k[n - 1] * 5u + k[n / 2] * 11u) & (SCAN_SLOTS - 1);
}

static void build_slots(void)
{
	memset(slot_id, -1, sizeof slot_id);
	for (int i = 0; i < REPORT_SCAN_NKEYS; i++) {
		const char *k = report_scan_keys[i];
		key_len[i] = (uint8_t)strlen(k);
		char pad[16] = { 0 };
		memcpy(pad, k, key_len[i] < 16 ? key_len[i] : 16);
		memcpy(key_words[i], pad, 16);
		unsigned s = slot_of((const unsigned char *)k, strlen(k));
		while (slot_id[s] >= 0)
			s = (s + 1) & (SCAN_SLOTS - 1);
		slot_id[s] = (int8_t)i;
	}
}

/* k (n bytes, e the end of the line) equals key id. Keys are at most 16 bytes: where the line
 * has 16 bytes from k, two word compares under a length mask instead of a memcmp call. */
static inline bool key_eq(int id, const unsigned char *k, size_t n, const unsigned char *e)
{
	if (key_len[id] != n)
		return false;
	if (n <= 16 && e - k >= 16) {
		uint64_t w[2];
		memcpy(w, k, 16);
		if (n < 8) {
			w[0] &= (1ULL << (8 * n)) - 1; /* little- or big-endian alike: memcpy'd bytes */
			w[1] = 0;
		} else if (n < 16) {
			w[1] &= n == 8 ? 0 : (1ULL << (8 * (n - 8))) - 1;
		}
		return w[0] == key_words[id][0] && w[1] == key_words[id][1];
	}
	return memcmp(report_scan_keys[id], k, n) == 0;
}

static int key_lookup(const unsigned char *k, size_t n, const unsigned char *e)
{
	if (n == 0)
		return -1;
	for (unsigned s = slot_of(k, n);; s = (s + 1) & (SCAN_SLOTS - 1)) {
		int id = slot_id[s];
		if (id < 0)
			return -1;
		if (key_eq(id, k, n, e))
			return id;
	}
}

#define WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')
/* Past white space, tested only when p is not at the byte expected next (never white space):
 * ucflow writes none, and one compare per field boundary replaces a class test. */
#define SKIP_WS(p, e, expect)                                  \
	do {                                                   \
		if ((p) >= (e) || *(p) != (expect))            \
			while ((p) < (e) && WS(*(p)))          \
				(p)++;                         \
	} while (0)

/* Bytes of a word: any zero; any below 0x20 (exact tests, Hacker's Delight 6-1). */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
#define HAS_ZERO(w) (((w) - ONES) & ~(w) & HIGHS)
#define HAS_LESS(w, n) (((w) - ONES * (n)) & ~(w) & HIGHS)

/* A plain string at p (past its quote): printable ASCII up to the closing quote. End, or NULL.
 * Sixteen bytes at a time (SSE2, every x86-64), else eight, while none is a quote, a backslash,
 * a control or non-ASCII byte. */
static const unsigned char *plain_str(const unsigned char *p, const unsigned char *e)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), sp = _mm_set1_epi8(0x20),
		      del = _mm_set1_epi8(0x7f);
	while (e - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* a signed compare: bytes from 0x80 are negative, below 0x20 with the controls */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
					 _mm_or_si128(_mm_cmplt_epi8(v, sp), _mm_cmpeq_epi8(v, del)));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		if (bits) {
			p += __builtin_ctz(bits);
			return *p == '"' ? p : NULL;
		}
		p += 16;
	}
#endif
	while (e - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		if (HAS_ZERO(w ^ (ONES * '"')) | HAS_ZERO(w ^ (ONES * '\\')) | HAS_LESS(w, 0x20) |
		    (w & HIGHS) | HAS_ZERO(w ^ (ONES * 0x7f)))
			break;
		p += 8;
	}
	while (p < e && *p != '"') {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			return NULL;
		p++;
	}
	return p < e ? p : NULL;
}

/* The decimal digits at p (before e): past them; *x becomes *x * 10^n + their value, wrapping
 * as the digit-at-a-time loop would. Eight at a time where the line has them (SWAR, as in
 * fast_float's parse_eight_digits): no branch per digit of a record's counts, ports and times. */
static const uint64_t pow10_8[9] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
				     100000000 };

/* Eight digit values, one per byte, the first in the lowest byte (a little-endian load less
 * '0's): their number. Leading zeros are zero bytes at the bottom. */
static inline uint64_t eight_digits(uint64_t d)
{
	d = d * 10 + (d >> 8);
	return ((d & 0x000000ff000000ffULL) * 0x000f424000000064ULL +
		((d >> 16) & 0x000000ff000000ffULL) * 0x0000271000000001ULL) >> 32;
}

static inline const unsigned char *digits(const unsigned char *p, const unsigned char *e,
					  uint64_t *x)
{
	uint64_t v = *x;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (e - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		/* a byte is a digit when its high nibble is 3, before and after adding 6 (a carry
		 * out of a byte comes only from a non-digit and goes only to bytes after it) */
		uint64_t t = ((w & (ONES * 0xf0)) ^ (ONES * 0x30)) |
			     (((w + ONES * 0x06) & (ONES * 0xf0)) ^ (ONES * 0x30));
		unsigned n = t ? (unsigned)__builtin_ctzll(t) / 8 : 8;
		if (n) { /* the n digits, as leading zeros' 8-digit number */
			v = v * pow10_8[n] + eight_digits((w - ONES * '0') << (8 * (8 - n)));
			p += n;
		}
		if (n < 8) {
			*x = v;
			return p;
		}
	}
#endif
	while (p < e && *p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	*x = v;
	return p;
}

/* An RFC 8259 number without exponent; end, or NULL. The value of its leading digits goes to
 * *val as they are checked (to_uint's, when the number is plain: one pass over the digits). */
static const unsigned char *number(const unsigned char *p, const unsigned char *e, uint8_t *plain,
				   uint64_t *val)
{
	uint64_t x = 0;
	*plain = 1;
	if (p < e && *p == '-') {
		*plain = 0;
		p++;
	}
	if (p >= e || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0') {
		p++;
		if (p < e && *p >= '0' && *p <= '9')
			return NULL;
	} else {
		p = digits(p, e, &x); /* wraps past 19 digits: to_uint refuses those */
	}
	*val = x;
	if (p < e && *p == '.') {
		*plain = 0;
		p++;
		if (p >= e || *p < '0' || *p > '9')
			return NULL;
		uint64_t frac = 0;
		p = digits(p, e, &frac);
	}
	if (p < e && (*p == 'e' || *p == 'E'))
		return NULL;
	return p;
}

static int to_uint(const struct span *v, uint64_t max, uint64_t *out)
{
	if (v->type != T_NUM || !v->plain || v->len > 19)
		return -1;
	uint64_t x = v->val;
	if (x > max)
		return -1;
	*out = x;
	return 0;
}

/* Seconds as microseconds, digits past 1 us cut (as rj_seconds_us). */
static int to_us(const struct span *v, uint64_t *out)
{
	if (v->type != T_NUM || v->s[0] == '-')
		return -1;
	const unsigned char *p = v->s, *e = v->s + v->len;
	uint64_t x = 0;
	int nd = 0;
	{ /* number() checked them: digits up to the point or the end */
		const unsigned char *d = digits(p, e, &x);
		nd = (int)(d - p);
		p = d;
	}
	if (nd > 13)
		return -1; /* leave the very large to the strict path */
	int frac = 0;
	if (p < e)
		p++; /* the point; number() checked digits follow it */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (e - p >= 6) { /* microseconds, as ucflow writes them: six digits at once */
		uint64_t w = 0;
		memcpy(&w, p, 6);
		/* two leading zeros */
		*out = x * 1000000 + eight_digits((w - 0x0000303030303030ULL) << 16);
		return 0;
	}
#endif
	for (; p < e && frac < 6; p++, frac++)
		x = x * 10 + (uint64_t)(*p - '0');
	for (; frac < 6; frac++)
		x *= 10;
	*out = x;
	return 0;
}

/* Where a record's strings go. Why in place: copying every string the report reads into the
 * arena was a call to memcpy per field; a line --from-json read into its own buffer may be
 * written, so a string ends where it is: its closing quote becomes its NUL. The quotes are put
 * back when the line turns out not to be a plain record, for the strict parser to read it. */
#define MAX_UNDO 96
struct strs {
	char *arena;                /* copies, when the line may not be written */
	char *w;                    /* the line, writable, or NULL */
	const unsigned char *line;
	size_t nundo;
	uint32_t undo[MAX_UNDO];    /* offsets of the quotes made NUL */
};

static const char *str_at(struct strs *o, const unsigned char *s, uint32_t len)
{
	if (o->w && o->nundo < MAX_UNDO) {
		size_t at = (size_t)(s - o->line);
		o->w[at + len] = '\0';
		o->undo[o->nundo++] = (uint32_t)(at + len);
		return o->w + at;
	}
	char *d = o->arena;
	memcpy(d, s, len);
	d[len] = '\0';
	o->arena += len + 1;
	return d;
}

static int to_str(const struct span *v, struct strs *o, const char **out)
{
	if (v->type != T_STR)
		return -1;
	*out = str_at(o, v->s, v->len);
	return 0;
}

/* A dotted quad as inet_pton accepts it (four decimal parts 0-255, no leading zero): the common
 * case, without the call; anything else goes to ucf_addr_parse. */
static bool quad(const char *s)
{
	for (int part = 0; part < 4; part++) {
		if (part && *s++ != '.')
			return false;
		if (*s < '0' || *s > '9')
			return false;
		unsigned v = (unsigned)(*s++ - '0');
		if (v && *s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s++ - '0');
			if (*s >= '0' && *s <= '9')
				v = v * 10 + (unsigned)(*s++ - '0');
		}
		if (v > 255 || (*s >= '0' && *s <= '9'))
			return false;
	}
	return *s == '\0';
}

static bool addr_ok(const char *s)
{
	struct ucf_addr a;
	return quad(s) || ucf_addr_parse(s, &a);
}

static int to_dscp(const struct span *v, int *out)
{
	uint64_t x;
	if (v->type == T_NULL) {
		*out = -1;
		return 0;
	}
	if (to_uint(v, 63, &x))
		return -1;
	*out = (int)x;
	return 0;
}

/* Why predict keys: ucflow writes every record's fields in the same order, leaving out the empty
 * ones (the label of an unlabelled record, candidates, names), so the key after a given key is
 * almost always one of the two keys seen after it before. One compare against those replaces the
 * key's scan and lookup; a miss takes the full path and becomes the first prediction. (Predicting
 * by position missed a fifth of the keys: one optional field shifts every key after it.) Per
 * thread: files are read on several threads. */
#define PRED_KEYS 128
#define PRED_NONE 0xff
struct pred_key {
	char key[32];    /* the key, its closing quote, the colon, zeros */
	uint8_t len;     /* 0: the line's start (entry 0) */
	int8_t id;       /* its id, or -1: a key the report does not use */
	uint8_t next[2]; /* entries seen after this one, the latest first; PRED_NONE: none */
	uint32_t want;   /* the bytes of key, quote and colon, as a mask of a compare's bits */
};
static _Thread_local struct pred_key pred[PRED_KEYS];
static _Thread_local unsigned npred;

/* The entry of key k (klen bytes, already checked as a plain string), added when new; PRED_NONE
 * when it does not fit (too long, or the table full of other keys). */
static uint8_t pred_learn(const unsigned char *k, size_t klen, int id)
{
	if (!klen || klen >= sizeof pred[0].key - 2) /* room for quote and colon; len + 2 < 32 */
		return PRED_NONE;
	for (unsigned i = 1; i < npred; i++)
		if (pred[i].len == klen && memcmp(pred[i].key, k, klen) == 0)
			return (uint8_t)i;
	if (npred == PRED_KEYS)
		return PRED_NONE;
	struct pred_key *pk = &pred[npred];
	memset(pk->key, 0, sizeof pk->key);
	memcpy(pk->key, k, klen);
	pk->key[klen] = '"';
	pk->key[klen + 1] = ':';
	pk->len = (uint8_t)klen;
	pk->want = (1u << (klen + 2)) - 1; /* klen <= 29 */
	pk->id = (int8_t)id;
	pk->next[0] = pk->next[1] = PRED_NONE;
	return (uint8_t)npred++;
}

/* The line at k holds pk's key, its closing quote and the colon (ucflow writes no white space;
 * a line with some takes the full path). key[] holds them, then zeros: where the line has the
 * bytes, one 16-byte compare (SSE2) covers a key of up to 14 bytes (all of ucflow's) and two a
 * longer one, masked to the key's length, instead of byte tests and a memcmp call. */
static inline bool pred_eq(const struct pred_key *pk, const unsigned char *k, const unsigned char *e)
{
#ifdef __SSE2__
	if (pk->len < 15 && e - k >= 16) {
		__m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)k);
		__m128i b0 = _mm_loadu_si128((const __m128i *)(const void *)pk->key);
		uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a0, b0));
		return (eq & pk->want) == pk->want;
	}
	if (e - k >= 32) {
		__m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)k);
		__m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)(k + 16));
		__m128i b0 = _mm_loadu_si128((const __m128i *)(const void *)pk->key);
		__m128i b1 = _mm_loadu_si128((const __m128i *)(const void *)(pk->key + 16));
		uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a0, b0)) |
			      (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a1, b1)) << 16;
		return (eq & pk->want) == pk->want;
	}
#endif
	return (size_t)(e - k) > pk->len + 1u && k[pk->len] == '"' && k[pk->len + 1] == ':' &&
	       memcmp(k, pk->key, pk->len) == 0;
}

#define MAX_UNKNOWN 24
#define MAX_ITEMS 64

static int scan(const char *line, size_t len, char *w, struct rec *x, struct report_scan_buf *b)
{
	pthread_once(&slots_once, build_slots);
	const unsigned char *p = (const unsigned char *)line, *e = p + len;
	struct span f[REPORT_SCAN_NKEYS];
	uint32_t seen = 0;
	const unsigned char *unk[MAX_UNKNOWN];
	uint32_t unklen[MAX_UNKNOWN];
	size_t nunk = 0, nfields = 0, nitems = 0;
	const unsigned char *items[MAX_ITEMS];
	uint32_t itemlen[MAX_ITEMS];

	if (len > RJ_MAX_LINE || len + 1 > sizeof b->arena)
		return 0;
	if (!npred) { /* entry 0: the start of a line */
		pred[0].next[0] = pred[0].next[1] = PRED_NONE;
		npred = 1;
	}
	uint8_t cur = 0; /* the previous key's entry */
	uint64_t useen[PRED_KEYS / 64] = { 0 }; /* entries of unused keys seen in this line */
	while (p < e && WS(*p))
		p++;
	if (p >= e || *p != '{')
		return 0;
	p++;
	while (p < e && WS(*p))
		p++;
	if (p < e && *p == '}')
		return 0; /* no fields: the strict path names what is missing */
	for (;;) {
		SKIP_WS(p, e, '"');
		if (p >= e || *p != '"' || ++nfields > RJ_MAX_FIELDS)
			return 0;
		const unsigned char *k = ++p;
		size_t klen;
		int id;
		uint8_t hit = PRED_NONE;
		if (cur != PRED_NONE) {
			struct pred_key *c = &pred[cur];
			for (int w = 0; w < 2 && c->next[w] != PRED_NONE; w++) {
				const struct pred_key *pk = &pred[c->next[w]];
				if (pred_eq(pk, k, e)) {
					hit = c->next[w];
					if (w) { /* the latest first */
						c->next[1] = c->next[0];
						c->next[0] = hit;
					}
					break;
				}
			}
		}
		if (hit != PRED_NONE) {
			/* a key seen before (its bytes passed plain_str then), and the colon */
			klen = pred[hit].len;
			id = pred[hit].id;
			p = k + klen + 2;
			cur = hit;
		} else {
			if (!(p = plain_str(p, e)))
				return 0;
			klen = (size_t)(p - k);
			p++;
			id = key_lookup(k, klen, e);
			uint8_t ent = pred_learn(k, klen, id);
			if (cur != PRED_NONE && ent != PRED_NONE) {
				pred[cur].next[1] = pred[cur].next[0];
				pred[cur].next[0] = ent;
			}
			cur = ent;
			SKIP_WS(p, e, ':');
			if (p >= e || *p != ':')
				return 0;
			p++;
		}
		if (id >= 0) {
			if (seen >> id & 1)
				return 0;
			seen |= 1u << id;
		} else if (cur != PRED_NONE) { /* a key the report does not use: once, by its entry */
			if (useen[cur >> 6] >> (cur & 63) & 1)
				return 0;
			useen[cur >> 6] |= 1ULL << (cur & 63);
		} else {
			for (size_t i = 0; i < nunk; i++)
				if (unklen[i] == klen && memcmp(unk[i], k, klen) == 0)
					return 0;
			if (nunk == MAX_UNKNOWN)
				return 0;
			unk[nunk] = k;
			unklen[nunk++] = (uint32_t)klen;
		}
		SKIP_WS(p, e, '"');
		if (p >= e)
			return 0;
		struct span junk, *vp = id >= 0 ? &f[id] : &junk; /* the value, in place */
		vp->s = p;
		vp->len = 0;
		switch (*p) {
		case '"':
			vp->s = ++p;
			if (!(p = plain_str(p, e)))
				return 0;
			vp->len = (uint32_t)(p - vp->s);
			vp->type = T_STR;
			p++;
			break;
		case 't':
			if (e - p < 4 || memcmp(p, "true", 4) != 0)
				return 0;
			p += 4;
			vp->type = T_TRUE;
			break;
		case 'f':
			if (e - p < 5 || memcmp(p, "false", 5) != 0)
				return 0;
			p += 5;
			vp->type = T_FALSE;
			break;
		case 'n':
			if (e - p < 4 || memcmp(p, "null", 4) != 0)
				return 0;
			p += 4;
			vp->type = T_NULL;
			break;
		case '[':
			p++;
			vp->type = T_ARR;
			vp->s = (const unsigned char *)(uintptr_t)nitems; /* index of its first item */
			while (p < e && WS(*p))
				p++;
			if (p < e && *p == ']') {
				p++;
				break;
			}
			for (;;) {
				while (p < e && WS(*p))
					p++;
				if (p >= e || *p != '"' || nitems == MAX_ITEMS)
					return 0;
				const unsigned char *s = ++p;
				if (!(p = plain_str(p, e)))
					return 0;
				items[nitems] = s;
				itemlen[nitems++] = (uint32_t)(p - s);
				vp->len++;
				p++;
				while (p < e && WS(*p))
					p++;
				if (p >= e)
					return 0;
				if (*p == ']') {
					p++;
					break;
				}
				if (*p != ',')
					return 0;
				p++;
			}
			break;
		default:
			if (!(p = number(p, e, &vp->plain, &vp->val)))
				return 0;
			vp->len = (uint32_t)(p - vp->s);
			vp->type = T_NUM;
			break;
		}
		SKIP_WS(p, e, ',');
		if (p >= e)
			return 0;
		if (*p == '}') {
			p++;
			break;
		}
		if (*p != ',')
			return 0;
		p++;
	}
	while (p < e && WS(*p))
		p++;
	if (p != e)
		return 0;

	/* the fields, as report.c's extract() reads them */
	if ((seen & REPORT_SCAN_REQUIRED) != REPORT_SCAN_REQUIRED)
		return 0;
	memset(x, 0, offsetof(struct rec, ep)); /* ep: the aggregator writes it */
	x->orig_dscp = x->resp_dscp = x->exp_dscp = x->enc = -1;
	x->end = x->reason = x->conn_state = x->evidence = x->cid = x->scope = "";
	x->app = x->svc = x->cat = x->rule = "";
	struct strs st, *a = &st; /* undo[] is written before it is read */
	st.arena = b->arena;
	st.w = w;
	st.line = (const unsigned char *)line;
	st.nundo = 0;
#define HAS(id) (seen >> (id) & 1)
#define NEED(id, cond) do { if (HAS(id) && !(cond)) goto not_plain; } while (0)
	NEED(RS_TS, to_us(&f[RS_TS], &x->ts) == 0);
	NEED(RS_DURATION, to_us(&f[RS_DURATION], &x->dur) == 0 && x->ts + x->dur >= x->ts);
	NEED(RS_ORIG_H, to_str(&f[RS_ORIG_H], a, &x->orig_h) == 0 && addr_ok(x->orig_h));
	NEED(RS_RESP_H, to_str(&f[RS_RESP_H], a, &x->resp_h) == 0 && addr_ok(x->resp_h));
	NEED(RS_ORIG_P, to_uint(&f[RS_ORIG_P], 65535, &x->orig_p) == 0);
	NEED(RS_RESP_P, to_uint(&f[RS_RESP_P], 65535, &x->resp_p) == 0);
	NEED(RS_PROTO, to_str(&f[RS_PROTO], a, &x->proto) == 0 && *x->proto);
	x->orig_len = f[RS_ORIG_H].len; /* required: present */
	x->resp_len = f[RS_RESP_H].len;
	x->proto_len = f[RS_PROTO].len;
	NEED(RS_ORIG_BYTES, to_uint(&f[RS_ORIG_BYTES], UINT64_MAX >> 8, &x->ob) == 0);
	NEED(RS_RESP_BYTES, to_uint(&f[RS_RESP_BYTES], UINT64_MAX >> 8, &x->rb) == 0);
	NEED(RS_ORIG_PKTS, to_uint(&f[RS_ORIG_PKTS], UINT64_MAX >> 8, &x->op) == 0);
	NEED(RS_RESP_PKTS, to_uint(&f[RS_RESP_PKTS], UINT64_MAX >> 8, &x->rp) == 0);
	NEED(RS_ORIG_IP, to_uint(&f[RS_ORIG_IP], UINT64_MAX >> 8, &x->oip) == 0);
	NEED(RS_RESP_IP, to_uint(&f[RS_RESP_IP], UINT64_MAX >> 8, &x->rip) == 0);
	NEED(RS_APP, to_str(&f[RS_APP], a, &x->app) == 0);
	NEED(RS_SVC, to_str(&f[RS_SVC], a, &x->svc) == 0);
	if (HAS(RS_APP))
		x->app_len = f[RS_APP].len;
	if (HAS(RS_SVC))
		x->svc_len = f[RS_SVC].len;
	NEED(RS_CAT, to_str(&f[RS_CAT], a, &x->cat) == 0);
	NEED(RS_CONF, to_str(&f[RS_CONF], a, &x->conf) == 0);
	NEED(RS_RULE, to_str(&f[RS_RULE], a, &x->rule) == 0);
	if (HAS(RS_RULE))
		x->rule_len = f[RS_RULE].len;
	NEED(RS_ORIG_DSCP, to_dscp(&f[RS_ORIG_DSCP], &x->orig_dscp) == 0);
	NEED(RS_RESP_DSCP, to_dscp(&f[RS_RESP_DSCP], &x->resp_dscp) == 0);
	NEED(RS_EXP_DSCP, to_dscp(&f[RS_EXP_DSCP], &x->exp_dscp) == 0);
	NEED(RS_DSCP_CHANGED, f[RS_DSCP_CHANGED].type == T_TRUE || f[RS_DSCP_CHANGED].type == T_FALSE);
	if (HAS(RS_DSCP_CHANGED))
		x->changed = f[RS_DSCP_CHANGED].type == T_TRUE;
	NEED(RS_ENC, f[RS_ENC].type == T_TRUE || f[RS_ENC].type == T_FALSE ||
		     f[RS_ENC].type == T_NULL);
	if (HAS(RS_ENC))
		x->enc = f[RS_ENC].type == T_TRUE ? 1 : f[RS_ENC].type == T_FALSE ? 0 : -1;
	NEED(RS_FRAG, to_uint(&f[RS_FRAG], UINT64_MAX >> 8, &x->frag) == 0);
	NEED(RS_END, to_str(&f[RS_END], a, &x->end) == 0);
	NEED(RS_CAND, f[RS_CAND].type == T_ARR);
	NEED(RS_REASON, to_str(&f[RS_REASON], a, &x->reason) == 0);
	if (HAS(RS_REASON))
		x->reason_len = f[RS_REASON].len;
	NEED(RS_CONN_STATE, to_str(&f[RS_CONN_STATE], a, &x->conn_state) == 0);
	NEED(RS_EVIDENCE, to_str(&f[RS_EVIDENCE], a, &x->evidence) == 0);
	NEED(RS_CID, to_str(&f[RS_CID], a, &x->cid) == 0);
	NEED(RS_SCOPE, to_str(&f[RS_SCOPE], a, &x->scope) == 0);
#undef NEED
	if (HAS(RS_CAND)) {
		size_t first = (size_t)(uintptr_t)f[RS_CAND].s, n = f[RS_CAND].len;
		for (size_t i = 0; i < n; i++) {
			b->cand[i] = str_at(a, items[first + i], itemlen[first + i]);
			b->cand_len[i] = itemlen[first + i];
		}
		x->cand = b->cand;
		x->cand_len = b->cand_len;
		x->ncand = n;
	}
	x->final = !(HAS(RS_END) && f[RS_END].len == 7 && memcmp(x->end, "interim", 7) == 0);
#undef HAS
	if (*x->app && !*x->svc)
		goto not_plain;
	return 1;
not_plain:
	for (size_t i = 0; i < st.nundo; i++)
		w[st.undo[i]] = '"';
	return 0;
}

int report_scan(const char *line, size_t len, struct rec *x, struct report_scan_buf *b)
{
	return scan(line, len, NULL, x, b);
}

int report_scan_w(char *line, size_t len, struct rec *x, struct report_scan_buf *b)
{
	return scan(line, len, line, x, b);
}
