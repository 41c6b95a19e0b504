/* live_dns.h - the DNS names the workers of a live capture (live_workers.c) share: every worker's
 * evidence stage hands the names its DNS answers give to one table and looks names up there
 * (evidence_set_dns_share), so that a flow whose address was named in a DNS answer another worker
 * saw gets the same dns_name, and label, as when one thread reads everything. The kernel's fanout
 * hash sends the DNS flow and the flow it names to different workers as often as not. */
#ifndef LIVE_DNS_H
#define LIVE_DNS_H

#include "evidence.h"

struct live_dns;

/* A table of at least `entries` addresses (rounded up to a power of two); NULL when out of
 * memory. Thread-safe: a read-write lock (a write per DNS answer, a read per new flow). */
struct live_dns *live_dns_create(uint32_t entries);
void live_dns_destroy(struct live_dns *d);
/* The callbacks for evidence_set_dns_share(), with d as their user. */
void live_dns_share(struct live_dns *d, struct evidence_dns_share *out);

#endif
