/* check_pkt_access.c - unit tests for the bounds-checked accessors of pkt_access.h: every accessor
 * at its last valid offset, one past it, and with sizes that would overflow an unchecked sum.
 *
 * Buffers are malloc'd at exactly their size so AddressSanitizer catches any read past the end.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_access.h"
#include "run_suite.h"

#define BUF_LEN 8
static const uint8_t pattern[BUF_LEN] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

/* A view over an exact-size heap copy of pattern; the test frees buf. */
static uint8_t *buf;
static struct bview view;

static void setup(void)
{
	buf = malloc(BUF_LEN);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, pattern, BUF_LEN);
	view = bv_make(buf, BUF_LEN);
}

static void teardown(void)
{
	free(buf);
	buf = NULL;
}

START_TEST(test_make)
{
	struct bview v = bv_make(buf, 5);
	ck_assert_ptr_eq(v.p, buf);
	ck_assert_uint_eq(v.len, 5);
	v = bv_make(NULL, 5); /* a NULL pointer never claims bytes */
	ck_assert_ptr_null(v.p);
	ck_assert_uint_eq(v.len, 0);
	uint8_t b = 0x77;
	ck_assert(!bv_u8(v, 0, &b));
	ck_assert_uint_eq(b, 0x77);
}
END_TEST

START_TEST(test_has)
{
	ck_assert(bv_has(view, 0, BUF_LEN));
	ck_assert(!bv_has(view, 0, BUF_LEN + 1));
	ck_assert(bv_has(view, BUF_LEN - 1, 1));
	ck_assert(!bv_has(view, BUF_LEN, 1));
	ck_assert(bv_has(view, BUF_LEN, 0)); /* the empty range at the end exists */
	ck_assert(!bv_has(view, BUF_LEN + 1, 0));
	/* off + n would wrap around: must still be refused. */
	ck_assert(!bv_has(view, 1, SIZE_MAX));
	ck_assert(!bv_has(view, SIZE_MAX, 2));
}
END_TEST

START_TEST(test_u8)
{
	uint8_t b = 0;
	ck_assert(bv_u8(view, 0, &b));
	ck_assert_uint_eq(b, 0x01);
	ck_assert(bv_u8(view, BUF_LEN - 1, &b));
	ck_assert_uint_eq(b, 0xef);
	b = 0x55;
	ck_assert(!bv_u8(view, BUF_LEN, &b));
	ck_assert_uint_eq(b, 0x55); /* untouched on failure */
	ck_assert(!bv_u8(view, SIZE_MAX, &b));
}
END_TEST

START_TEST(test_16)
{
	uint16_t w = 0;
	ck_assert(bv_be16(view, 0, &w));
	ck_assert_uint_eq(w, 0x0123);
	ck_assert(bv_be16(view, BUF_LEN - 2, &w));
	ck_assert_uint_eq(w, 0xcdef);
	ck_assert(bv_le16(view, BUF_LEN - 2, &w));
	ck_assert_uint_eq(w, 0xefcd);
	w = 0x5555;
	ck_assert(!bv_be16(view, BUF_LEN - 1, &w));
	ck_assert(!bv_le16(view, BUF_LEN - 1, &w));
	ck_assert(!bv_be16(view, BUF_LEN, &w));
	ck_assert(!bv_le16(view, SIZE_MAX, &w));
	ck_assert_uint_eq(w, 0x5555);
}
END_TEST

START_TEST(test_24)
{
	uint32_t d = 0;
	ck_assert(bv_be24(view, 1, &d));
	ck_assert_uint_eq(d, 0x234567);
	ck_assert(bv_be24(view, BUF_LEN - 3, &d));
	ck_assert_uint_eq(d, 0xabcdef);
	d = 0x55555555;
	ck_assert(!bv_be24(view, BUF_LEN - 2, &d));
	ck_assert(!bv_be24(view, SIZE_MAX - 1, &d));
	ck_assert_uint_eq(d, 0x55555555);
}
END_TEST

START_TEST(test_32)
{
	uint32_t d = 0;
	ck_assert(bv_be32(view, 0, &d));
	ck_assert_uint_eq(d, 0x01234567);
	ck_assert(bv_be32(view, BUF_LEN - 4, &d));
	ck_assert_uint_eq(d, 0x89abcdef);
	ck_assert(bv_le32(view, BUF_LEN - 4, &d));
	ck_assert_uint_eq(d, 0xefcdab89);
	d = 0x55555555;
	ck_assert(!bv_be32(view, BUF_LEN - 3, &d));
	ck_assert(!bv_le32(view, BUF_LEN - 3, &d));
	ck_assert(!bv_be32(view, SIZE_MAX - 2, &d));
	ck_assert_uint_eq(d, 0x55555555);
}
END_TEST

START_TEST(test_copy)
{
	uint8_t dst[BUF_LEN + 1];
	memset(dst, 0xaa, sizeof dst);
	ck_assert(bv_copy(view, 0, dst, BUF_LEN));
	ck_assert_mem_eq(dst, pattern, BUF_LEN);
	ck_assert_uint_eq(dst[BUF_LEN], 0xaa);
	ck_assert(bv_copy(view, BUF_LEN, dst, 0));
	memset(dst, 0xaa, sizeof dst);
	ck_assert(!bv_copy(view, 1, dst, BUF_LEN)); /* one byte short: nothing copied at all */
	for (size_t i = 0; i < sizeof dst; i++)
		ck_assert_uint_eq(dst[i], 0xaa);
	ck_assert(!bv_copy(view, 2, dst, SIZE_MAX));
}
END_TEST

START_TEST(test_sub)
{
	struct bview s = { NULL, 99 };
	ck_assert(bv_sub(view, 2, 3, &s));
	ck_assert_ptr_eq(s.p, buf + 2);
	ck_assert_uint_eq(s.len, 3);
	uint8_t b;
	ck_assert(bv_u8(s, 2, &b));
	ck_assert_uint_eq(b, 0x89);
	ck_assert(!bv_u8(s, 3, &b)); /* the sub-view ends at its own length, not the parent's */
	ck_assert(bv_sub(view, 0, BUF_LEN, &s));
	ck_assert(bv_sub(view, BUF_LEN, 0, &s));
	ck_assert_uint_eq(s.len, 0);
	s.len = 99;
	ck_assert(!bv_sub(view, 1, BUF_LEN, &s));
	ck_assert(!bv_sub(view, BUF_LEN + 1, 0, &s));
	ck_assert_uint_eq(s.len, 99);
}
END_TEST

START_TEST(test_tail)
{
	struct bview t = { NULL, 99 };
	ck_assert(bv_tail(view, 3, &t));
	ck_assert_ptr_eq(t.p, buf + 3);
	ck_assert_uint_eq(t.len, BUF_LEN - 3);
	ck_assert(bv_tail(view, BUF_LEN, &t));
	ck_assert_uint_eq(t.len, 0);
	t.len = 99;
	ck_assert(!bv_tail(view, BUF_LEN + 1, &t));
	ck_assert_uint_eq(t.len, 99);
}
END_TEST

START_TEST(test_clamp)
{
	bool cut = true;
	struct bview c = bv_clamp(view, 2, 3, &cut);
	ck_assert(!cut);
	ck_assert_ptr_eq(c.p, buf + 2);
	ck_assert_uint_eq(c.len, 3);

	c = bv_clamp(view, 2, BUF_LEN - 2, &cut); /* exactly to the end */
	ck_assert(!cut);
	ck_assert_uint_eq(c.len, BUF_LEN - 2);

	c = bv_clamp(view, 2, BUF_LEN - 1, &cut); /* one past the end */
	ck_assert(cut);
	ck_assert_ptr_eq(c.p, buf + 2);
	ck_assert_uint_eq(c.len, BUF_LEN - 2);

	c = bv_clamp(view, BUF_LEN, 0, &cut);
	ck_assert(!cut);
	ck_assert_uint_eq(c.len, 0);

	c = bv_clamp(view, BUF_LEN + 1, 0, &cut); /* start past the end: empty and cut */
	ck_assert(cut);
	ck_assert_uint_eq(c.len, 0);

	c = bv_clamp(view, 1, SIZE_MAX, &cut);
	ck_assert(cut);
	ck_assert_uint_eq(c.len, BUF_LEN - 1);
}
END_TEST

static Suite *pkt_access_suite(void)
{
	Suite *s = suite_create("pkt_access");
	TCase *tc = tcase_create("accessors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_make);
	tcase_add_test(tc, test_has);
	tcase_add_test(tc, test_u8);
	tcase_add_test(tc, test_16);
	tcase_add_test(tc, test_24);
	tcase_add_test(tc, test_32);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_sub);
	tcase_add_test(tc, test_tail);
	tcase_add_test(tc, test_clamp);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(pkt_access_suite());
}
