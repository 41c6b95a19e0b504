/* classify_ports.c - direct-indexed port table: per transport, 65536 lists of candidate rules. */
#include <stdlib.h>
#include <string.h>

#include "sig_internal.h"

/* Compressed-row layout: the rules for port p are items[off[p] .. off[p+1]), in file order.
 * One flat array per transport instead of 65536 small allocations; a lookup is two loads. */
struct port_table {
	uint32_t *off[2];
	uint16_t *items[2];
	size_t nitems[2];
};

static int build_one(struct port_table *pt, const struct sig_db *db, unsigned t, uint8_t bit)
{
	uint32_t *off = calloc(65537, sizeof *off);
	if (!off)
		return -1;
	pt->off[t] = off;
	/* count per port (off[p + 1]), then prefix sums */
	for (size_t i = 0; i < db->rules.n; i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		if (!(r->proto & bit) || r->sport.any)
			continue;
		for (uint32_t k = 0; k < r->sport.nr; k++)
			for (uint32_t p = r->sport.r[k].lo; p <= r->sport.r[k].hi; p++)
				off[p + 1]++;
	}
	for (uint32_t p = 0; p < 65536; p++)
		off[p + 1] += off[p];
	size_t total = off[65536];
	pt->nitems[t] = total;
	pt->items[t] = malloc((total ? total : 1) * sizeof(uint16_t));
	uint32_t *cur = malloc(65536 * sizeof *cur);
	if (!pt->items[t] || !cur) {
		free(cur);
		return -1;
	}
	memcpy(cur, off, 65536 * sizeof *cur);
	for (size_t i = 0; i < db->rules.n; i++) {
		const struct sig_rule *r = sig_rule_at(db, i);
		if (!(r->proto & bit) || r->sport.any)
			continue;
		for (uint32_t k = 0; k < r->sport.nr; k++) /* ranges are merged: no duplicates */
			for (uint32_t p = r->sport.r[k].lo; p <= r->sport.r[k].hi; p++)
				pt->items[t][cur[p]++] = (uint16_t)i;
	}
	free(cur);
	return 0;
}

struct port_table *port_table_build(const struct sig_db *db)
{
	struct port_table *pt = calloc(1, sizeof *pt);
	if (!pt)
		return NULL;
	if (build_one(pt, db, 0, SIG_PROTO_TCP) || build_one(pt, db, 1, SIG_PROTO_UDP)) {
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
		free(pt->off[t]);
		free(pt->items[t]);
	}
	free(pt);
}

const uint16_t *port_table_get(const struct port_table *pt, uint8_t proto, uint16_t port, size_t *n)
{
	unsigned t = proto == SIG_PROTO_UDP ? 1 : 0;
	if (!pt || (proto != SIG_PROTO_TCP && proto != SIG_PROTO_UDP)) {
		*n = 0;
		return NULL;
	}
	*n = pt->off[t][port + 1] - pt->off[t][port];
	return pt->items[t] + pt->off[t][port];
}

size_t port_table_bytes(const struct port_table *pt)
{
	if (!pt)
		return 0;
	return sizeof *pt + 2 * 65537 * sizeof(uint32_t) +
	       (pt->nitems[0] + pt->nitems[1]) * sizeof(uint16_t);
}
