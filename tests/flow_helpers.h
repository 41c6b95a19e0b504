/* flow_helpers.h - decoded packets and flow tables for the flow-table tests (check_flow.c,
 * check_flow_active.c). */
#ifndef FLOW_HELPERS_H
#define FLOW_HELPERS_H

#include <check.h>
#include <string.h>

#include "flow.h"

/* TCP flags */
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define ACK 0x10
/* packet time is in microseconds */
#define SEC 1000000ULL

/* An IPv4 packet as the decoder hands it over, of paylen payload bytes; its IP length counts a
 * 20-byte IPv4 header and a 20-byte TCP or 8-byte UDP header. */
static inline struct decoded_pkt mk(const char *src, unsigned sport, const char *dst,
				    unsigned dport, uint8_t proto, uint8_t flags, uint32_t paylen)
{
	struct decoded_pkt p;
	memset(&p, 0, sizeof p);
	ck_assert(ucf_addr_parse(src, &p.src));
	ck_assert(ucf_addr_parse(dst, &p.dst));
	p.sport = (uint16_t)sport;
	p.dport = (uint16_t)dport;
	p.proto = proto;
	p.tcp_flags = flags;
	p.payload_len = paylen;
	p.ip_len = (proto == 6 ? 40 : 28) + paylen;
	p.ipver = 4;
	return p;
}

/* A table of the default configuration but for max_flows (0: unbounded) and active_s (0: no
 * interim records), handing its records to emit(user, ...). */
static inline struct flow_table *table_with(uint32_t max_flows, uint32_t active_s,
					    flow_emit_fn emit, void *user)
{
	struct flow_table_config c;
	char err[UCF_ERRBUF_SIZE];
	flow_table_config_defaults(&c);
	c.max_flows = max_flows;
	c.active_timeout_s = active_s;
	struct flow_table *t = flow_table_create(&c, emit, user, err);
	ck_assert_msg(t != NULL, "flow_table_create: %s", err);
	return t;
}

#endif
