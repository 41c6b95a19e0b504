/* tunnel_intern.h - a bounded intern table of tunnel descriptions ("gre 192.0.2.1>192.0.2.2",
 * "vxlan 10.0.0.1>10.0.0.2", "mpls"), so a flow carries a 16-bit id instead of text.
 *
 * Filled when a flow is created, never per packet. The table holds at most TUNNEL_INTERN_MAX
 * distinct tunnels; after that every new one gets TUNNEL_ID_OVERFLOW ("(too many tunnels)") and is
 * counted. All memory is allocated by tunnel_intern_create(); lookups never allocate.
 */
#ifndef TUNNEL_INTERN_H
#define TUNNEL_INTERN_H

#include "ucflow.h"
#include "decode.h"

#define TUNNEL_INTERN_MAX 4096
#define TUNNEL_ID_NONE 0
#define TUNNEL_ID_OVERFLOW 0xffff

struct tunnel_intern;

/* NULL with errbuf set when out of memory. */
struct tunnel_intern *tunnel_intern_create(char *errbuf);
void tunnel_intern_destroy(struct tunnel_intern *t);

/* The id of the tunnel of type `type` (enum tunnel_type) between src and dst as seen on a flow's
 * first packet; TUNNEL_ID_NONE for TUNNEL_NONE, TUNNEL_ID_OVERFLOW when the table is full. The
 * addresses are ignored for tunnels that have none (PPPoE, MPLS). */
uint16_t tunnel_intern_id(struct tunnel_intern *t, uint8_t type, const struct ucf_addr *src,
			  const struct ucf_addr *dst);

/* The description of id; NULL for TUNNEL_ID_NONE and ids never handed out. */
const char *tunnel_intern_name(const struct tunnel_intern *t, uint16_t id);

/* "gre", "erspan", "vxlan", "ipip", "pppoe", "mpls"; "none" for TUNNEL_NONE; never NULL. */
const char *tunnel_type_name(uint8_t type);

/* Distinct tunnels interned, and flows that got TUNNEL_ID_OVERFLOW. */
size_t tunnel_intern_count(const struct tunnel_intern *t);
uint64_t tunnel_intern_overflows(const struct tunnel_intern *t);

#endif
