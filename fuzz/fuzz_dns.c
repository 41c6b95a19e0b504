/* fuzz_dns.c - libFuzzer target for the DNS side of the evidence stage (RFC 1035 messages and name
 * compression): the message parser, the name reader at every offset, and the driver feeding the
 * DNS cache from UDP and TCP (length-prefixed) responses, then labelling flows from it.
 *
 * The cache is small and long-lived across inputs, so eviction, expiry and reference counting are
 * exercised; a leak of a name reference or a slot is a crash (__builtin_trap).
 */
#include <stdlib.h>
#include <string.h>

#include "evidence.h"

static struct evidence_ctx *ctx;
static uint64_t uid, now = 1000000;

static void setup(void)
{
	char err[UCF_ERRBUF_SIZE];
	struct evidence_config c;
	evidence_config_defaults(&c);
	c.dns_cache_entries = 8;
	c.dns_ttl_min_s = 0;
	c.dns_ttl_max_s = 30;
	c.intern_max = 64;
	c.intern_bytes = 16384;
	c.reasm_slots = 2;
	c.reasm_slot_bytes = 1024;
	if (evidence_create(&ctx, &c, err) != UCF_OK)
		abort();
	/* short patterns so that random names match now and then */
	evidence_add_domain(ctx, "*.a", 1, err);
	evidence_add_domain(ctx, "*.webex.com", 2, err);
	evidence_add_domain(ctx, "b", 3, err);
}

static void packet(struct flow *f, uint8_t proto, const uint8_t *p, size_t n)
{
	struct decoded_pkt d;
	memset(&d, 0, sizeof d);
	d.proto = proto;
	d.sport = 53;
	d.dport = 50000;
	d.payload_len = (uint32_t)n;
	d.payload = bv_make(n ? p : NULL, n);
	evidence_inspect(ctx, f, FLOW_RESP, &d, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx)
		setup();
	struct bview in = bv_make(data, size);
	static struct ev_dns_msg m;
	int r = ev_dns_parse(in, &m);
	if (r == EV_OK) {
		if (m.nchain < 1 || m.nchain > EV_DNS_MAX_CHAIN || m.naddrs > EV_DNS_MAX_ADDRS)
			__builtin_trap();
		for (unsigned i = 0; i < m.nchain; i++)
			if (strlen(m.chain[i]) > EV_NAME_MAX)
				__builtin_trap();
		for (unsigned i = 0; i < m.naddrs; i++)
			if (m.addrs[i].chain_idx >= m.nchain)
				__builtin_trap();
	}
	/* names at every offset of small inputs (bounded work per input) */
	for (size_t off = 0; off < size && off < 512; off++) {
		char out[EV_NAME_MAX + 1];
		size_t nl, next;
		if (ev_dns_name(in, off, out, sizeof out, &nl, &next) == EV_OK &&
		    (nl != strlen(out) || nl > EV_NAME_MAX || next > size))
			__builtin_trap();
	}

	/* the driver: a UDP response and the same as a TCP segment, then flows to the addresses */
	struct flow f;
	memset(&f, 0, sizeof f);
	f.uid = ++uid;
	f.orig_is_a = 1;
	f.key.proto = 17;
	packet(&f, 17, data, size);
	evidence_flow_end(ctx, &f);
	f.key.proto = 6;
	f.uid = ++uid;
	static uint8_t tcp[65536 + 2];
	size_t tn = size < 65535 ? size : 65535;
	tcp[0] = (uint8_t)(tn >> 8);
	tcp[1] = (uint8_t)tn;
	memcpy(tcp + 2, data, tn);
	uint8_t *exact = malloc(tn + 2); /* exact size, so ASan sees over-reads */
	if (!exact)
		return 0;
	memcpy(exact, tcp, tn + 2);
	packet(&f, 6, exact, tn + 2);
	free(exact);
	evidence_flow_end(ctx, &f);
	if (r == EV_OK) {
		for (unsigned i = 0; i < m.naddrs; i++) {
			memset(&f, 0, sizeof f);
			f.uid = ++uid;
			f.orig_is_a = 1;
			f.key.b = m.addrs[i].addr;
			evidence_flow_start(ctx, &f, now);
			if (f.ev.dns_name && !evidence_name(ctx, f.ev.dns_name))
				__builtin_trap();
			struct evidence_view v;
			evidence_view(ctx, &f, &v);
			evidence_flow_end(ctx, &f);
		}
	}
	now += 7 * 1000000ULL; /* entries expire over a few inputs */
	struct evidence_stats st;
	evidence_get_stats(ctx, &st);
	if (st.intern_live > st.dns_entries || st.slots_in_use != 0)
		__builtin_trap(); /* only the cache may hold names between inputs */
	return 0;
}
