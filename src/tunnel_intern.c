/* tunnel_intern.c - the bounded tunnel-description intern table (include/tunnel_intern.h): open
 * addressing with linear probing over a slot array twice the entry capacity, FNV-1a hashing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel_intern.h"

#define SLOTS (2 * TUNNEL_INTERN_MAX) /* a power of two; at most half full */
/* "erspan " + two addresses + ">" + NUL */
#define DESC_LEN (8 + 2 * UCF_ADDR_STRLEN)

struct tunnel_entry {
	uint8_t type;
	struct ucf_addr src, dst;
	char desc[DESC_LEN];
};

struct tunnel_intern {
	size_t n;                 /* entries used; ids are 1..n */
	uint64_t overflows;
	uint16_t slot[SLOTS];     /* entry id, 0 = empty */
	struct tunnel_entry e[TUNNEL_INTERN_MAX];
};

static const char *const type_names[] = {
	[TUNNEL_NONE] = "none",   [TUNNEL_GRE] = "gre",     [TUNNEL_ERSPAN] = "erspan",
	[TUNNEL_VXLAN] = "vxlan", [TUNNEL_IPIP] = "ipip",   [TUNNEL_PPPOE] = "pppoe",
	[TUNNEL_MPLS] = "mpls",
};

const char *tunnel_type_name(uint8_t type)
{
	if (type < sizeof type_names / sizeof type_names[0] && type_names[type])
		return type_names[type];
	return "tunnel";
}

static bool has_addresses(uint8_t type)
{
	return type != TUNNEL_PPPOE && type != TUNNEL_MPLS;
}

struct tunnel_intern *tunnel_intern_create(char *errbuf)
{
	struct tunnel_intern *t = calloc(1, sizeof *t);
	if (!t)
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory (tunnel table)");
	return t;
}

void tunnel_intern_destroy(struct tunnel_intern *t)
{
	free(t);
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

uint16_t tunnel_intern_id(struct tunnel_intern *t, uint8_t type, const struct ucf_addr *src,
			  const struct ucf_addr *dst)
{
	if (type == TUNNEL_NONE)
		return TUNNEL_ID_NONE;
	static const struct ucf_addr zero;
	if (!has_addresses(type))
		src = dst = &zero;

	uint32_t h = fnv1a(2166136261u, &type, 1);
	h = fnv1a(h, src->b, sizeof src->b);
	h = fnv1a(h, dst->b, sizeof dst->b);
	for (uint32_t i = 0; i < SLOTS; i++) {
		uint16_t *s = &t->slot[(h + i) & (SLOTS - 1)];
		if (*s == 0) {
			if (t->n >= TUNNEL_INTERN_MAX) {
				t->overflows++;
				return TUNNEL_ID_OVERFLOW;
			}
			struct tunnel_entry *e = &t->e[t->n];
			e->type = type;
			e->src = *src;
			e->dst = *dst;
			if (has_addresses(type)) {
				char a[UCF_ADDR_STRLEN], b[UCF_ADDR_STRLEN];
				snprintf(e->desc, sizeof e->desc, "%s %s>%s",
					 tunnel_type_name(type), ucf_addr_format(src, a, sizeof a),
					 ucf_addr_format(dst, b, sizeof b));
			} else {
				snprintf(e->desc, sizeof e->desc, "%s", tunnel_type_name(type));
			}
			*s = (uint16_t)++t->n;
			return *s;
		}
		const struct tunnel_entry *e = &t->e[*s - 1];
		if (e->type == type && ucf_addr_cmp(&e->src, src) == 0 &&
		    ucf_addr_cmp(&e->dst, dst) == 0)
			return *s;
	}
	/* unreachable: the slot array is never more than half full */
	t->overflows++;
	return TUNNEL_ID_OVERFLOW;
}

const char *tunnel_intern_name(const struct tunnel_intern *t, uint16_t id)
{
	if (id == TUNNEL_ID_OVERFLOW)
		return "(too many tunnels)";
	if (id == TUNNEL_ID_NONE || id > t->n)
		return NULL;
	return t->e[id - 1].desc;
}

size_t tunnel_intern_count(const struct tunnel_intern *t)
{
	return t->n;
}

uint64_t tunnel_intern_overflows(const struct tunnel_intern *t)
{
	return t->overflows;
}
