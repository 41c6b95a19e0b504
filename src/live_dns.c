/* live_dns.c - the DNS names shared by live capture workers: an address -> (name, time answered,
 * expiry) table behind a read-write lock. See live_dns.h.
 *
 * Open addressing with a probe window of LDNS_WINDOW slots and no deletion: an address keeps its
 * slot, a new address takes the first free slot of its window or, when there is none, the slot
 * whose entry expires first (as the evidence stage's own cache evicts). Slots never become free,
 * so a lookup stops at the first free slot: most flows' servers were never named, and their
 * lookup reads one slot. The slots (40 bytes) are apart from the names they index, so a probe
 * reads no name. Per address only the latest answer (packet time) is kept, whatever the order in
 * which the workers report them, which is what one thread reading the packets in order would
 * hold. A lookup asks for the name valid at a packet time: answered at or before it and not yet
 * expired, so an answer that a worker saw after (in packet time) a flow started never names
 * that flow, as with one thread. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "live_dns.h"

#define LDNS_WINDOW 8

struct ldns_slot {
	struct ucf_addr addr;
	uint64_t answered, expires; /* packet time, microseconds; expires 0 = free slot */
	uint32_t len;               /* of names[slot] */
};

struct live_dns {
	pthread_rwlock_t lock;
	uint32_t mask;
	atomic_uint used;           /* slots taken: 0 spares the lock while no name is known */
	struct ldns_slot *slot;
	char (*names)[EV_NAME_MAX];
};

struct live_dns *live_dns_create(uint32_t entries)
{
	struct live_dns *d = calloc(1, sizeof *d);
	uint32_t n = LDNS_WINDOW;
	while (n < entries && n < (1u << 24))
		n <<= 1;
	if (!d || !(d->slot = calloc(n, sizeof *d->slot)) || !(d->names = calloc(n, sizeof *d->names)) ||
	    pthread_rwlock_init(&d->lock, NULL) != 0) {
		if (d) {
			free(d->slot);
			free(d->names);
		}
		free(d);
		return NULL;
	}
	d->mask = n - 1;
	return d;
}

void live_dns_destroy(struct live_dns *d)
{
	if (!d)
		return;
	pthread_rwlock_destroy(&d->lock);
	free(d->slot);
	free(d->names);
	free(d);
}

static uint32_t home(const struct live_dns *d, const struct ucf_addr *a)
{
	uint64_t w0, w1;
	memcpy(&w0, a->b, 8);
	memcpy(&w1, a->b + 8, 8);
	/* MurmurHash3's 64-bit finaliser over both words: every address bit reaches the low bits
	 * (an IPv4 address sits in the last four bytes, the top of w1 on a little-endian host) */
	uint64_t h = w0 * 0x9e3779b97f4a7c15ULL ^ w1;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h & d->mask;
}

static void put(void *user, const struct ucf_addr *addr, const char *name, size_t len,
		uint64_t answered, uint64_t expires)
{
	struct live_dns *d = user;
	if (len == 0 || len > EV_NAME_MAX || expires == 0)
		return;
	uint32_t h = home(d, addr);
	pthread_rwlock_wrlock(&d->lock);
	uint32_t at = UINT32_MAX, victim = UINT32_MAX;
	for (uint32_t i = 0; i < LDNS_WINDOW; i++) {
		uint32_t k = (h + i) & d->mask;
		const struct ldns_slot *e = &d->slot[k];
		if (!e->expires) { /* free: the address is not further on */
			at = k;
			atomic_fetch_add_explicit(&d->used, 1, memory_order_relaxed);
			break;
		}
		if (memcmp(&e->addr, addr, sizeof *addr) == 0) {
			/* an earlier answer reported late (another worker was behind) does not
			 * replace a later one */
			if (e->answered <= answered)
				at = k;
			victim = UINT32_MAX;
			break;
		}
		if (victim == UINT32_MAX || e->expires < d->slot[victim].expires)
			victim = k;
	}
	if (at == UINT32_MAX)
		at = victim;
	if (at != UINT32_MAX) {
		struct ldns_slot *e = &d->slot[at];
		e->addr = *addr;
		e->answered = answered;
		e->expires = expires;
		e->len = (uint32_t)len;
		memcpy(d->names[at], name, len);
	}
	pthread_rwlock_unlock(&d->lock);
}

static size_t get(void *user, const struct ucf_addr *addr, uint64_t at, char *name, size_t cap)
{
	struct live_dns *d = user;
	if (atomic_load_explicit(&d->used, memory_order_relaxed) == 0)
		return 0;
	uint32_t h = home(d, addr);
	size_t n = 0;
	pthread_rwlock_rdlock(&d->lock);
	for (uint32_t i = 0; i < LDNS_WINDOW; i++) {
		uint32_t k = (h + i) & d->mask;
		const struct ldns_slot *e = &d->slot[k];
		if (!e->expires)
			break;
		if (memcmp(&e->addr, addr, sizeof *addr) != 0)
			continue;
		if (e->answered <= at && at < e->expires && e->len <= cap) {
			memcpy(name, d->names[k], e->len);
			n = e->len;
		}
		break;
	}
	pthread_rwlock_unlock(&d->lock);
	return n;
}

void live_dns_share(struct live_dns *d, struct evidence_dns_share *out)
{
	out->put = put;
	out->get = get;
	out->user = d;
}
