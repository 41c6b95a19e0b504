/* classify_cidr.h - longest-prefix match over IPv4 and IPv6 prefixes (path-compressed binary trie).
 *
 * One key space: 128-bit addresses, IPv4 stored IPv4-mapped (::ffff:a.b.c.d), so an IPv4 /n is a
 * /(96+n) here. The trie is built once (cidr_insert) and then only read: lookups never allocate
 * and cost O(W) node visits, W <= 129 (in practice the number of prefixes on the path).
 */
#ifndef CLASSIFY_CIDR_H
#define CLASSIFY_CIDR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "ucflow.h"

#define CIDR_NONE UINT32_MAX
#define CIDR_MAX_HITS 129 /* at most one matching prefix per length 0..128 */

struct cidr;

/* One matching prefix: the value stored with it and its length (0..128, mapped space). */
struct cidr_hit {
	uint32_t value;
	uint8_t len;
};

struct cidr *cidr_new(void);
void cidr_free(struct cidr *t);

/* Inserts a/len (host bits must be clear; len 0..128). Returns the value now stored for that
 * prefix: `value` when it is new, the earlier value when the prefix was already present (left
 * unchanged), CIDR_NONE when memory ran out or the arguments are bad. */
uint32_t cidr_insert(struct cidr *t, const struct ucf_addr *a, unsigned len, uint32_t value);

/* Longest matching prefix: its value (CIDR_NONE when none); *len_out gets its length if non-NULL. */
uint32_t cidr_lookup(const struct cidr *t, const struct ucf_addr *a, unsigned *len_out);

/* Every matching prefix, longest first; returns how many were written (at most max). */
unsigned cidr_lookup_all(const struct cidr *t, const struct ucf_addr *a, struct cidr_hit *out,
			 unsigned max);

/* Builds the flattened lookup form (sorted intervals, a binary search per lookup) once all
 * prefixes are in; a later cidr_insert drops it until the next call. Lookups work either way,
 * with the same results. 0, or -1 when memory ran out (lookups then walk the trie). */
int cidr_finalize(struct cidr *t);

static inline bool cidr_contains(const struct cidr *t, const struct ucf_addr *a)
{
	return t && cidr_lookup(t, a, NULL) != CIDR_NONE;
}

/* Number of stored prefixes, and bytes used by the trie. */
size_t cidr_count(const struct cidr *t);
size_t cidr_bytes(const struct cidr *t);

/* Prefix helpers on struct ucf_addr (len in the mapped space). */
void cidr_mask(struct ucf_addr *a, unsigned len);
bool cidr_host_bits_set(const struct ucf_addr *a, unsigned len);
bool cidr_prefix_contains(const struct ucf_addr *pfx, unsigned len, const struct ucf_addr *a);

#endif
