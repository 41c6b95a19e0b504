/* classify_ports.c - port table: per transport, the candidate rules of every server port, by segments. */
#include <stdlib.h>
#include <string.h>

#include "sig_internal.h"

/* The ports are cut into segments at every range boundary of every rule, so that all ports of a
 * segment have the same candidate rules: segment i covers lo[i] .. lo[i + 1] - 1 (the last one up
 * to 65535) and its rules are items[off[i] .. off[i + 1]), in file order. A lookup is a binary
 * search over a few hundred boundaries, once per flow. (A list per port, 65536 of them, took
 * about 3 MB and a millisecond to build, because documented ranges such as 19560-65535 repeat
 * their rules on every port, and every run pays for that at start-up.) */
struct port_segments {
	uint16_t *lo;
	uint32_t *off;
	uint16_t *items;
	size_t nseg, nitems;
};

struct port_table {
	struct port_segments t[2]; /* [0] TCP, [1] UDP */
};

static bool rule_applies(const struct sig_rule *r, uint8_t bit)
{
	return (r->proto & bit) && !r->sport.any;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The segment holding port: the last one whose first port is <= port (lo[0] is 0). */
static size_t segment_of(const struct port_segments *s, uint32_t port)
{
	size_t a = 0, b = s->nseg; /* lo[a] <= port < lo[b] (lo[nseg] taken as 65536) */
	while (b - a > 1) {
		size_t m = a + (b - a) / 2;
		if (s->lo[m] <= port)
			a = m;
		else
			b = m;
	}
	return a;
}

static int build_one(struct port_segments *s, const struct sig_db *db, uint8_t bit)
{
	/* the boundaries: 0, and every range's first port and the port after its last */
	size_t nb = 1;
	for (size_t i = 0; i < db->rules.n; i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		if (rule_applies(r, bit))
			nb += 2 * (size_t)r->sport.nr;
	}
	uint32_t *b = malloc(nb * sizeof *b);
	if (!b)
		return -1;
	size_t k = 0;
	b[k++] = 0;
	for (size_t i = 0; i < db->rules.n; i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		if (!rule_applies(r, bit))
			continue;
		for (uint32_t j = 0; j < r->sport.nr; j++) {
			b[k++] = r->sport.r[j].lo;
			b[k++] = (uint32_t)r->sport.r[j].hi + 1; /* 65536 after a range to 65535 */
		}
	}
	qsort(b, k, sizeof *b, cmp_u32);
	size_t nseg = 0;
	for (size_t i = 0; i < k; i++)
		if (b[i] < 65536 && (nseg == 0 || b[i] != b[nseg - 1]))
			b[nseg++] = b[i];
	s->nseg = nseg;
	s->lo = malloc(nseg * sizeof *s->lo);
	s->off = calloc(nseg + 1, sizeof *s->off);
	if (!s->lo || !s->off) {
		free(b);
		return -1;
	}
	for (size_t i = 0; i < nseg; i++)
		s->lo[i] = (uint16_t)b[i];
	free(b);
	/* count per segment (off[i + 1]), then prefix sums, then fill in file order; a rule's
	 * ranges are merged (disjoint), so it lands at most once in a segment */
	for (int pass = 0; pass < 2; pass++) {
		uint32_t *cur = NULL;
		if (pass == 1) {
			for (size_t i = 0; i < nseg; i++)
				s->off[i + 1] += s->off[i];
			s->nitems = s->off[nseg];
			s->items = malloc((s->nitems ? s->nitems : 1) * sizeof *s->items);
			cur = malloc((nseg ? nseg : 1) * sizeof *cur);
			if (!s->items || !cur) {
				free(cur);
				return -1;
			}
			memcpy(cur, s->off, nseg * sizeof *cur);
		}
		for (size_t i = 0; i < db->rules.n; i++) {
			const struct sig_rule *r = sig_rule_at(db, i);
			if (!rule_applies(r, bit))
				continue;
			for (uint32_t j = 0; j < r->sport.nr; j++) {
				size_t first = segment_of(s, r->sport.r[j].lo);
				for (size_t g = first; g < nseg && s->lo[g] <= r->sport.r[j].hi; g++) {
					if (pass == 0)
						s->off[g + 1]++;
					else
						s->items[cur[g]++] = (uint16_t)i;
				}
			}
		}
		free(cur);
	}
	return 0;
}

struct port_table *port_table_build(const struct sig_db *db)
{
	struct port_table *pt = calloc(1, sizeof *pt);
	if (!pt)
		return NULL;
	if (build_one(&pt->t[0], db, SIG_PROTO_TCP) || build_one(&pt->t[1], db, SIG_PROTO_UDP)) {
		port_table_free(pt);
		return NULL;
	}
	return pt;
}

void port_table_free(struct port_table *pt)
{
	if (!pt)
		return;
	for (int t = 0; t < 2; t++) {
		free(pt->t[t].lo);
		free(pt->t[t].off);
		free(pt->t[t].items);
	}
	free(pt);
}

const uint16_t *port_table_get(const struct port_table *pt, uint8_t proto, uint16_t port, size_t *n)
{
	if (!pt || (proto != SIG_PROTO_TCP && proto != SIG_PROTO_UDP)) {
		*n = 0;
		return NULL;
	}
	const struct port_segments *s = &pt->t[proto == SIG_PROTO_UDP ? 1 : 0];
	size_t g = segment_of(s, port);
	*n = s->off[g + 1] - s->off[g];
	return s->items + s->off[g];
}

size_t port_table_bytes(const struct port_table *pt)
{
	if (!pt)
		return 0;
	size_t bytes = sizeof *pt;
	for (int t = 0; t < 2; t++)
		bytes += pt->t[t].nseg * (sizeof(uint16_t) + sizeof(uint32_t)) + sizeof(uint32_t) +
			 pt->t[t].nitems * sizeof(uint16_t);
	return bytes;
}
