/* fuzz_tls.c - libFuzzer target for the TLS/DTLS side of the evidence stage (RFC 8446/5246 records
 * and ClientHello, RFC 6347 DTLS, RFC 5280 DER certificates), directly and through the per-flow
 * driver with TCP reassembly.
 *
 * Every parser gets the input as is (libFuzzer's buffer is exactly `size` bytes, so ASan sees any
 * over-read); the driver gets it as two TCP segments split at a point the input chooses, once from
 * the client and once from the server, so reassembly slots are taken and given back.
 */
#include <stdlib.h>
#include <string.h>

#include "evidence.h"

static struct evidence_ctx *ctx;
static uint64_t uid;

static void setup(void)
{
	char err[UCF_ERRBUF_SIZE];
	struct evidence_config c;
	evidence_config_defaults(&c);
	c.reasm_slots = 4;
	c.reasm_slot_bytes = 4096;
	c.intern_max = 256;
	c.intern_bytes = 65536;
	c.dns_cache_entries = 16;
	if (evidence_create(&ctx, &c, err) != UCF_OK)
		abort();
	evidence_add_domain(ctx, "*.webex.com", 1, err);
	evidence_add_domain(ctx, "*.wbx2.com", 2, err);
	evidence_add_domain(ctx, "exact.example.com", 3, err);
}

/* A view must lie inside the input. */
static void inside(struct bview v, const uint8_t *data, size_t size)
{
	if (v.len && (v.p < data || v.p + v.len > data + size))
		__builtin_trap();
}

static void segment(struct flow *f, unsigned dir, const uint8_t *p, size_t n, uint32_t seq,
		    uint32_t claimed)
{
	struct decoded_pkt d;
	memset(&d, 0, sizeof d);
	d.proto = 6;
	d.sport = dir ? 443 : 40000;
	d.dport = dir ? 40000 : 443;
	d.tcp_seq = seq;
	d.payload_len = claimed;
	d.payload = bv_make(n ? p : NULL, n);
	evidence_inspect(ctx, f, dir, &d, 1000000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx)
		setup();
	struct bview in = bv_make(data, size);

	struct ev_hello h;
	if (ev_tls_client_hello(in, &h) != EV_BAD && h.has_sni)
		inside(h.sni, data, size);
	if (h.alpn_len > EV_ALPN_MAX || strlen(h.alpn) != h.alpn_len)
		__builtin_trap();
	if (ev_dtls_client_hello(in, &h) != EV_BAD && h.has_sni)
		inside(h.sni, data, size);

	struct bview cert;
	char names[EV_SERVER_NAMES_MAX + 1];
	size_t n;
	if (ev_tls_server_flight(in, size & 1, &cert) == EV_OK) {
		inside(cert, data, size);
		ev_x509_names(cert, NULL, names, sizeof names, &n);
	}
	if (ev_x509_names(in, NULL, names, sizeof names, &n) == EV_OK && n != strlen(names))
		__builtin_trap();

	/* the record layer, split at every-ish point the first byte picks */
	static uint8_t store[2048];
	struct ev_hs hs;
	ev_hs_init(&hs, store, sizeof store);
	size_t cut = size ? data[0] % (size + 1) : 0;
	ev_hs_feed(&hs, bv_make(data, cut));
	ev_hs_feed(&hs, bv_make(data + cut, size - cut));
	if (hs.len > hs.cap)
		__builtin_trap();
	ev_tls_client_hello(bv_make(store, hs.len), &h);
	ev_tls_server_flight(bv_make(store, hs.len), false, &cert);

	/* the driver: two in-order segments each way, then the flow ends */
	struct flow f;
	memset(&f, 0, sizeof f);
	f.uid = ++uid;
	f.orig_is_a = 1;
	f.key.proto = 6;
	uint32_t seq = size > 4 ? ((uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
				   (uint32_t)data[3] << 8 | data[4])
				: 0;
	segment(&f, FLOW_ORIG, data, cut, seq, (uint32_t)cut);
	segment(&f, FLOW_ORIG, data + cut, size - cut, seq + (uint32_t)cut, (uint32_t)(size - cut));
	segment(&f, FLOW_RESP, data, cut, seq, (uint32_t)cut + (size & 2)); /* maybe snap-cut */
	segment(&f, FLOW_RESP, data + cut, size - cut, seq + (uint32_t)cut, (uint32_t)(size - cut));
	struct evidence_view v;
	evidence_view(ctx, &f, &v);
	evidence_flow_end(ctx, &f);
	struct evidence_stats st;
	evidence_get_stats(ctx, &st);
	if (st.slots_in_use != 0 || st.intern_live > st.dns_entries)
		__builtin_trap(); /* a flow's slot or a reference leaked */
	return 0;
}
