/* check_decode_hostile.c - unit tests for hostile length and flag fields in the decode stage's
 * encapsulations: GRE with flags it does not implement (RFC 2784/2890, RFC 2637), truncated and
 * lying ERSPAN (draft-foschiano-erspan) and VXLAN (RFC 7348) headers, inner IPv4 with a zero-length
 * header, inner TCP data offsets past the segment, IPv6 extension chains longer than the bound,
 * MPLS stacks (RFC 3032) without a bottom, PPPoE/PPP (RFC 2516/1661) and PPI/radiotap/802.11
 * headers that contradict themselves, and the nesting-depth bound. Each is MALFORMED or TRUNCATED,
 * never a read past the capture (the frames live in exact-size buffers under AddressSanitizer).
 * Also odd but valid input: IPv4 total length 0 from TCP segmentation offload.
 */
#include "tunnel_frames.h"
#include "run_suite.h"

/* ---- hostile fields: MALFORMED when a header contradicts itself, never a read past the end */

static enum decode_status gre_variant(unsigned flags, unsigned ptype, unsigned nopt)
{
	struct frame f;
	struct decoded_pkt d;
	size_t ip_tail;
	inner_udp4(&f, &ip_tail);
	pre_gre(&f, flags, ptype, nopt);
	pre_ipv4(&f, 47, OUT4_SRC, OUT4_DST);
	return dec(DLT_RAW, &f, &d);
}

START_TEST(test_gre_bad_flags)
{
	ck_assert_int_eq(gre_variant(0x0000, 0x0800, 0), DECODE_OK);
	ck_assert_int_eq(gre_variant(0x4000, 0x0800, 1), DECODE_MALFORMED); /* routing present */
	ck_assert_int_eq(gre_variant(0x0800, 0x0800, 0), DECODE_MALFORMED); /* strict src route */
	ck_assert_int_eq(gre_variant(0x0400, 0x0800, 0), DECODE_MALFORMED); /* recursion bit 5 */
	ck_assert_int_eq(gre_variant(0x0078, 0x0800, 0), DECODE_OK);       /* bits 6-12 ignored */
	for (unsigned v = 2; v < 8; v++)
		ck_assert_int_eq(gre_variant(v, 0x0800, 0), DECODE_MALFORMED);
	ck_assert_int_eq(gre_variant(0x1001, 0x880b, 1), DECODE_MALFORMED); /* v1 without key */
	ck_assert_int_eq(gre_variant(0x2001, 0x0800, 1), DECODE_MALFORMED); /* v1 not PPP */
	ck_assert_int_eq(gre_variant(0xa001, 0x880b, 2), DECODE_MALFORMED); /* v1 with checksum */
	ck_assert_int_eq(gre_variant(0x2009, 0x880b, 1), DECODE_MALFORMED); /* v1 reserved flag */

	/* Option words the IP length does not hold: a lie, not a cut. */
	struct frame f;
	struct decoded_pkt d;
	payload(&f, "");
	pre_gre(&f, 0xb000, 0x0800, 1); /* claims 3 option words, has 1 */
	pre_ipv4(&f, 47, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_MALFORMED);
	payload(&f, "\x00\x00");
	pre_ipv4(&f, 47, OUT4_SRC, OUT4_DST); /* a 2-byte GRE header */
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_MALFORMED);
}
END_TEST

START_TEST(test_erspan_and_vxlan_hostile)
{
	struct frame f;
	struct decoded_pkt d;
	size_t ip_tail;
	int lt = build(EN_ERSPAN2, &f, &ip_tail);
	f.b[14 + 20 + 8] = 0x20; /* ERSPAN II header with version 2 */
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);
	lt = build(EN_ERSPAN3, &f, &ip_tail);
	f.b[18 + 20 + 8] = 0x10; /* ERSPAN III header with version 1 */
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);
	lt = build(EN_ERSPAN3, &f, &ip_tail);
	f.b[18 + 20 + 8 + 10] = 5 << 2; /* reserved frame type */
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);

	/* ERSPAN II header cut by the IP length (not the capture): MALFORMED. */
	payload(&f, "\x10\x00\x00");
	pre_gre(&f, 0x1000, 0x88be, 1);
	pre_ipv4(&f, 47, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_MALFORMED);
	/* ERSPAN III with the O bit but no room for the subheader. */
	payload(&f, "\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01");
	pre_gre(&f, 0x1000, 0x22eb, 1);
	pre_ipv4(&f, 47, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_MALFORMED);

	/* Inner IP claiming more than the outer holds. */
	lt = build(EN_IPIP, &f, &ip_tail);
	f.b[14 + 20 + 3] += 1;
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);
	lt = build(EN_GRE6_IN6, &f, &ip_tail);
	f.b[f.len - ip_tail + 5] += 8;
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);
	/* VXLAN whose inner Ethernet is cut by the UDP length (which wins over the capture). */
	lt = build(EN_VXLAN, &f, &ip_tail);
	f.b[14 + 20 + 5] = 8 + 8 + 10; /* UDP length: header, VXLAN, 10 bytes of Ethernet */
	f.b[14 + 2 + 1] = (uint8_t)(20 + 8 + 8 + 10);
	f.b[14 + 2] = 0;
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_TRUNCATED);
}
END_TEST

START_TEST(test_inner_hostile)
{
	struct frame f;
	struct decoded_pkt d;
	struct hdr h = { .n = 0 };

	/* Zero-length inner IPv4 header (IHL 0). */
	payload(&f, "\x40\x00\x00\x14\x00\x00\x00\x00\x40\x11\x00\x00"
		    "\x0a\x01\x01\x01\x0a\x02\x02\x02");
	pre_ipv4(&f, 4, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_MALFORMED);

	/* Inner TCP whose data offset points past the packet. */
	payload(&f, "");
	pre_tcp(&f, 1, 2, 0x02);
	f.b[12] = 0xf0; /* 60-byte header in a 20-byte segment */
	pre_ipv4(&f, 6, IN4_SRC, IN4_DST);
	pre_gre(&f, 0, 0x0800, 0);
	pre_ipv4(&f, 47, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_MALFORMED);

	/* Inner IPv6 extension chain longer than the bound (9 hop-by-hop-like headers). */
	payload(&f, "");
	pre_udp(&f, 1, 2);
	for (int i = 0; i < DECODE_MAX_EXT_HEADERS + 1; i++) {
		h.n = 0;
		h8(&h, i == 0 ? 17 : 60);
		hbytes(&h, "\x00\x01\x04\x00\x00\x00\x00", 7);
		pre_hdr(&f, &h);
	}
	pre_ipv6(&f, 60, IN6_SRC, IN6_DST);
	pre_ipv6(&f, 41, OUT6_SRC, OUT6_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_MALFORMED);

	/* MPLS stack longer than the bound, and one that never ends. */
	size_t ip_tail;
	inner_udp4(&f, &ip_tail);
	pre_mpls(&f, 17);
	pre_eth(&f, 0x8847, 0);
	ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), DECODE_MALFORMED);
	payload(&f, "\x00\x01\x00\x40\x00\x02\x00\x40");
	pre_eth(&f, 0x8847, 0);
	ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), DECODE_TRUNCATED);

	/* PPPoE: wrong version/type, a non-session code, a length too small for the protocol. */
	int lt = build(EN_PPPOE, &f, &ip_tail);
	f.b[18] = 0x21;
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);
	lt = build(EN_PPPOE, &f, &ip_tail);
	f.b[19] = 0x09;
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);
	lt = build(EN_PPPOE, &f, &ip_tail);
	f.b[22] = 0;
	f.b[23] = 1;
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);
	lt = build(EN_PPPOE, &f, &ip_tail);
	f.b[23] -= 1; /* the PPPoE length no longer holds the whole IP packet */
	ck_assert_int_eq(dec(lt, &f, &d), DECODE_MALFORMED);

	/* PPP: bad control byte, an even low protocol byte. */
	payload(&f, "\xff\x05\x00\x21\x45");
	ck_assert_int_eq(dec(DLT_PPP, &f, &d), DECODE_MALFORMED);
	payload(&f, "\x00\x20\x45");
	ck_assert_int_eq(dec(DLT_PPP, &f, &d), DECODE_MALFORMED);

	/* PPI: wrong version, length below the header, length past the capture, PPI in PPI. */
	payload(&f, "\x01\x00\x08\x00\x01\x00\x00\x00");
	ck_assert_int_eq(dec(DLT_PPI, &f, &d), DECODE_MALFORMED);
	payload(&f, "\x00\x00\x04\x00\x01\x00\x00\x00");
	ck_assert_int_eq(dec(DLT_PPI, &f, &d), DECODE_MALFORMED);
	payload(&f, "\x00\x00\xff\x00\x01\x00\x00\x00");
	ck_assert_int_eq(dec(DLT_PPI, &f, &d), DECODE_TRUNCATED);
	payload(&f, "\x00\x00\x08\x00\xc0\x00\x00\x00\x00\x00\x08\x00\xc0\x00\x00\x00");
	ck_assert_int_eq(dec(DLT_PPI, &f, &d), DECODE_MALFORMED);
	/* radiotap: wrong version, length below the header. */
	payload(&f, "\x01\x00\x08\x00\x00\x00\x00\x00");
	ck_assert_int_eq(dec(DLT_IEEE802_11_RADIO, &f, &d), DECODE_MALFORMED);
	payload(&f, "\x00\x00\x02\x00\x00\x00\x00\x00");
	ck_assert_int_eq(dec(DLT_IEEE802_11_RADIO, &f, &d), DECODE_MALFORMED);
	/* 802.11 protocol version 1 */
	payload(&f, "\x09\x01");
	ck_assert_int_eq(dec(DLT_IEEE802_11, &f, &d), DECODE_MALFORMED);
}
END_TEST

/* IP in IP nested n deep (n tunnel headers around the packet); d points into f. */
static enum decode_status nested(int n, struct frame *f, struct decoded_pkt *d)
{
	size_t ip_tail;
	inner_udp4(f, &ip_tail);
	for (int i = 0; i < n; i++) {
		if (i % 2) {
			pre_ipv4(f, 4, OUT4_SRC, OUT4_DST);
		} else {
			pre_gre(f, 0, 0x0800, 0);
			pre_ipv4(f, 47, OUT4_DST, OUT4_SRC);
		}
	}
	return dec(DLT_RAW, f, d);
}

START_TEST(test_depth_bound)
{
	struct decoded_pkt d;
	struct frame f;
	ck_assert_int_eq(nested(4, &f, &d), DECODE_OK); /* five IP headers: depth 0..4 */
	assert_inner_udp4(&d);
	/* the outermost tunnel (IP-in-IP, from the last header prepended) is the one recorded */
	assert_tunnel(&d, TUNNEL_IPIP, OUT4_SRC, OUT4_DST, 4);
	ck_assert_int_eq(nested(3, &f, &d), DECODE_OK);
	assert_tunnel(&d, TUNNEL_GRE, OUT4_DST, OUT4_SRC, 4);
	ck_assert_int_eq(nested(5, &f, &d), DECODE_MALFORMED);
	ck_assert_int_eq(nested(40, &f, &d), DECODE_MALFORMED);

	/* Cisco FabricPath frames inside each other recurse without any IP header: bounded too. */
	size_t ip_tail;
	for (int n = 1; n <= 40; n++) {
		inner_udp4(&f, &ip_tail);
		pre_eth(&f, 0x0800, 0);
		for (int i = 0; i < n; i++) {
			struct hdr h = { .n = 0 };
			hbytes(&h, "\x02\x0a\xbd\x00\x00\x00\x02\x0a\xbc\x00\x00\x00"
				   "\x89\x03\x40\x20", 16);
			pre_hdr(&f, &h);
		}
		ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), n <= 4 ? DECODE_OK : DECODE_MALFORMED);
	}
}
END_TEST

/* Odd, not hostile: IPv4 total length 0 is a TSO send captured on the sending host (tcpdump and
 * Wireshark read it so); the packet runs to the end of the frame. Found by tests/ndpi_sweep.sh
 * (anydesk.pcapng, line.pcap, thrift.pcap); tests/regress/bug-tso-zero-length.pcap. Not when
 * fragmented, and not inside a tunnel, where a zero length is a lie. */
START_TEST(test_tso_total_length_zero)
{
	struct frame f;
	struct decoded_pkt d;
	payload(&f, "a TSO segment, longer than the NIC will send it");
	pre_tcp(&f, 40000, 443, 0x18);
	pre_ipv4(&f, 6, IN4_SRC, IN4_DST);
	size_t ip_bytes = f.len;
	f.b[2] = f.b[3] = 0;
	pre_eth(&f, 0x0800, 0);
	ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), DECODE_OK);
	ck_assert_uint_eq(d.ip_len, ip_bytes);
	ck_assert_uint_eq(d.payload_len, ip_bytes - 40);
	ck_assert_uint_eq(d.flags, 0);
	ck_assert_uint_eq(d.dport, 443);
	f.b[14 + 6] = 0x20; /* more fragments: not TSO */
	ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), DECODE_MALFORMED);
	f.b[14 + 6] = 0x40; /* don't fragment, as TSO sends carry */
	ck_assert_int_eq(dec(DLT_EN10MB, &f, &d), DECODE_OK);

	payload(&f, "inner");
	pre_udp(&f, 1, 2);
	pre_ipv4(&f, 17, IN4_SRC, IN4_DST);
	f.b[2] = f.b[3] = 0;
	pre_ipv4(&f, 4, OUT4_SRC, OUT4_DST);
	ck_assert_int_eq(dec(DLT_RAW, &f, &d), DECODE_MALFORMED);
}
END_TEST

/* Every encapsulation with every byte set to 0x00, 0xff and its top bit flipped, decoded whole and
 * cut at every length, each in an exact-size heap buffer: whatever the status, nothing is read
 * outside the buffer and an OK payload view lies inside it. */
static void decode_exact(int lt, const uint8_t *b, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, b, len);
	struct decoded_pkt d;
	enum decode_status st = decode_packet(lt, len ? buf : NULL, (uint32_t)len, &d);
	ck_assert_int_le(st, DECODE_UNSUPPORTED_LINK);
	if (st == DECODE_OK && d.payload.len) {
		ck_assert(d.payload.p >= buf && d.payload.p + d.payload.len <= buf + len);
		ck_assert_uint_le(d.payload.len, d.payload_len);
	}
	free(buf);
}

START_TEST(test_truncation_sweeps)
{
	static const int vals[] = { 0x00, 0xff, -1 };
	struct frame f;
	size_t ip_tail;
	for (int e = 0; e < EN_COUNT; e++) {
		int lt = build((enum encap)e, &f, &ip_tail);
		for (size_t pos = 0; pos < f.len; pos++) {
			uint8_t orig = f.b[pos];
			for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
				f.b[pos] = (uint8_t)(vals[v] < 0 ? orig ^ 0x80 : vals[v]);
				decode_exact(lt, f.b, f.len);
				if (v == 1)
					for (size_t cut = 0; cut < f.len; cut++)
						decode_exact(lt, f.b, cut);
			}
			f.b[pos] = orig;
		}
	}
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("decode_hostile");
	TCase *th = tcase_create("hostile");
	tcase_add_test(th, test_gre_bad_flags);
	tcase_add_test(th, test_erspan_and_vxlan_hostile);
	tcase_add_test(th, test_inner_hostile);
	tcase_add_test(th, test_depth_bound);
	tcase_add_test(th, test_tso_total_length_zero);
	tcase_add_test(th, test_truncation_sweeps);
	tcase_set_timeout(th, 120); /* the corruption sweep decodes ~350000 frames */
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	return run_suite(hostile_suite());
}
