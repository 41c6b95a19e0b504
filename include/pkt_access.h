/* pkt_access.h - the bounds-checked accessor layer every packet and payload parser reads through.
 *
 * Modelled on tcpdump's GET_ macros, without longjmp: a parser holds a `struct bview` (a pointer and
 * the number of bytes actually captured) and every read is a call that checks the bounds first and
 * returns false when the bytes are not there. No parser dereferences packet memory directly.
 */
#ifndef PKT_ACCESS_H
#define PKT_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

/* Every accessor is a few instructions, and the bounds check in it usually folds into one the
 * caller already made: always inline them, whatever GCC's growth limits say about the (large)
 * function that calls them. */
#if defined(__GNUC__)
#define BV_INLINE __attribute__((always_inline))
#else
#define BV_INLINE
#endif

struct bview {
	const uint8_t *p; /* first byte */
	size_t len;       /* bytes available from p; never more than were captured */
};

static inline BV_INLINE struct bview bv_make(const uint8_t *p, size_t len)
{
	struct bview v = { p, p ? len : 0 };
	return v;
}

static inline BV_INLINE bool bv_has(struct bview v, size_t off, size_t n)
{
	return off <= v.len && n <= v.len - off;
}

static inline BV_INLINE bool bv_u8(struct bview v, size_t off, uint8_t *out)
{
	if (!bv_has(v, off, 1))
		return false;
	*out = v.p[off];
	return true;
}

static inline BV_INLINE bool bv_be16(struct bview v, size_t off, uint16_t *out)
{
	if (!bv_has(v, off, 2))
		return false;
	*out = (uint16_t)((v.p[off] << 8) | v.p[off + 1]);
	return true;
}

static inline BV_INLINE bool bv_le16(struct bview v, size_t off, uint16_t *out)
{
	if (!bv_has(v, off, 2))
		return false;
	*out = (uint16_t)((v.p[off + 1] << 8) | v.p[off]);
	return true;
}

static inline BV_INLINE bool bv_be24(struct bview v, size_t off, uint32_t *out)
{
	if (!bv_has(v, off, 3))
		return false;
	*out = ((uint32_t)v.p[off] << 16) | ((uint32_t)v.p[off + 1] << 8) | v.p[off + 2];
	return true;
}

static inline BV_INLINE bool bv_be32(struct bview v, size_t off, uint32_t *out)
{
	if (!bv_has(v, off, 4))
		return false;
	*out = ((uint32_t)v.p[off] << 24) | ((uint32_t)v.p[off + 1] << 16) |
	       ((uint32_t)v.p[off + 2] << 8) | v.p[off + 3];
	return true;
}

static inline BV_INLINE bool bv_le32(struct bview v, size_t off, uint32_t *out)
{
	if (!bv_has(v, off, 4))
		return false;
	*out = ((uint32_t)v.p[off + 3] << 24) | ((uint32_t)v.p[off + 2] << 16) |
	       ((uint32_t)v.p[off + 1] << 8) | v.p[off];
	return true;
}

/* Copies n bytes out; false (and nothing copied) when they are not all there. */
static inline BV_INLINE bool bv_copy(struct bview v, size_t off, void *dst, size_t n)
{
	if (!bv_has(v, off, n))
		return false;
	if (n)
		memcpy(dst, v.p + off, n); /* the bounds are checked above: the copy itself may be fast */
	return true;
}

/* The sub-view [off, off+n). False when it does not fit entirely. */
static inline BV_INLINE bool bv_sub(struct bview v, size_t off, size_t n, struct bview *out)
{
	if (!bv_has(v, off, n))
		return false;
	out->p = v.p + off;
	out->len = n;
	return true;
}

/* The sub-view from off to the end (possibly empty). False when off is past the end. */
static inline BV_INLINE bool bv_tail(struct bview v, size_t off, struct bview *out)
{
	if (off > v.len)
		return false;
	out->p = v.p + off;
	out->len = v.len - off;
	return true;
}

/* The sub-view [off, off+n) clamped to what exists; *cut tells whether it was shortened. */
static inline BV_INLINE struct bview bv_clamp(struct bview v, size_t off, size_t n, bool *cut)
{
	struct bview r = { v.p, 0 };
	if (off > v.len) {
		*cut = true;
		return r;
	}
	r.p = v.p + off;
	r.len = v.len - off;
	*cut = n > r.len;
	if (n < r.len)
		r.len = n;
	return r;
}

#endif
