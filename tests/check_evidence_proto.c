/* check_evidence_proto.c - unit tests of the per-packet validators: RTP/RTCP (RFC 3550), STUN and
 * TURN ChannelData (RFC 8489, RFC 8656), SIP (RFC 3261), HTTP/1.x (RFC 9112), XMPP (RFC 6120);
 * accepted and rejected forms, hostile lengths, and every truncation point on exact-size buffers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"

static uint8_t *dup_n(const void *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(d);
	memcpy(d, p, n);
	return d;
}

/* Runs `call` (on view v) for every strict prefix of p, each an exact-size heap copy; sets out to
 * how many returned EV_OK. */
#define EVERY_PREFIX(out, p, n, call)                             \
	do {                                                      \
		(out) = 0;                                        \
		for (size_t k_ = 0; k_ < (n); k_++) {             \
			uint8_t *d_ = dup_n((p), k_);             \
			struct bview v = bv_make(d_, k_);         \
			if ((call) == EV_OK)                      \
				(out)++;                          \
			free(d_);                                 \
		}                                                 \
	} while (0)

/* ---- RTP / RTCP ---- */

static size_t rtp(uint8_t *b, unsigned b0, unsigned pt, unsigned seq, uint32_t ssrc, size_t payload)
{
	size_t n = 0;
	b[n++] = (uint8_t)b0;
	b[n++] = (uint8_t)pt;
	b[n++] = (uint8_t)(seq >> 8);
	b[n++] = (uint8_t)seq;
	for (int i = 0; i < 4; i++)
		b[n++] = (uint8_t)(0x10 + i); /* timestamp */
	for (int i = 3; i >= 0; i--)
		b[n++] = (uint8_t)(ssrc >> (8 * i));
	for (size_t i = 0; i < payload; i++)
		b[n++] = (uint8_t)(0x55 ^ i);
	return n;
}

START_TEST(rtp_header_forms)
{
	uint8_t b[256];
	uint32_t ssrc;
	uint16_t seq;
	uint8_t pt;
	size_t n = rtp(b, 0x80, 0x00, 1000, 0xdeadbeef, 160); /* PCMU */
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_OK);
	ck_assert_uint_eq(ssrc, 0xdeadbeef);
	ck_assert_uint_eq(seq, 1000);
	ck_assert_uint_eq(pt, 0);
	n = rtp(b, 0x80, 0x80 | 111, 1, 1, 20); /* marker, dynamic PT */
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_OK);
	ck_assert_uint_eq(pt, 111);
	for (unsigned p = 72; p <= 76; p++) { /* RTCP range */
		n = rtp(b, 0x80, 0x80 | p, 1, 1, 20);
		ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_BAD);
	}
	n = rtp(b, 0x40, 0, 1, 1, 20); /* version 1 */
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_BAD);
	n = rtp(b, 0x8f, 0, 1, 1, 20); /* 15 CSRCs = 60 bytes claimed, 20 present */
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_BAD);
	n = rtp(b, 0x82, 0, 1, 1, 20); /* 2 CSRCs fit */
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_OK);
	n = rtp(b, 0x90, 0, 1, 1, 20); /* extension: profile, 2 words */
	b[12] = 0xbe, b[13] = 0xde, b[14] = 0, b[15] = 2;
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_OK);
	b[15] = 200; /* extension past the packet */
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_BAD);
	n = rtp(b, 0xa0, 0, 1, 1, 20); /* padding */
	b[n - 1] = 4;
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_OK);
	b[n - 1] = 0;
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_BAD);
	b[n - 1] = 21; /* more padding than payload */
	ck_assert_int_eq(ev_rtp_header(bv_make(b, n), &ssrc, &seq, &pt), EV_BAD);
	n = rtp(b, 0x80, 0, 1, 1, 0);
	unsigned ok;
	EVERY_PREFIX(ok, b, n, ev_rtp_header(v, &ssrc, &seq, &pt));
	ck_assert_uint_eq(ok, 0);
}
END_TEST

static size_t rtcp_sr_rr(uint8_t *b, bool srtcp)
{
	size_t n = 0;
	/* SR with one report block: 2 + 5 + 6 words... length field = 12 */
	b[n++] = 0x81, b[n++] = 200, b[n++] = 0, b[n++] = 12;
	for (int i = 0; i < 48; i++)
		b[n++] = (uint8_t)i;
	/* SDES, one chunk with CNAME */
	b[n++] = 0x81, b[n++] = 202, b[n++] = 0, b[n++] = 3;
	for (int i = 0; i < 12; i++)
		b[n++] = (uint8_t)(i + 1);
	if (srtcp)
		for (int i = 0; i < 14; i++) /* E|index + 80-bit tag */
			b[n++] = 0xee;
	return n;
}

START_TEST(rtcp_forms)
{
	uint8_t b[256];
	unsigned ok;
	size_t n = rtcp_sr_rr(b, false);
	ck_assert_int_eq(ev_rtcp_check(bv_make(b, n)), EV_OK);
	EVERY_PREFIX(ok, b, n, ev_rtcp_check(v));
	ck_assert_uint_eq(ok, 1); /* only the prefix holding exactly the SR (a compound of one) */
	n = rtcp_sr_rr(b, true);
	ck_assert_int_eq(ev_rtcp_check(bv_make(b, n)), EV_OK);
	/* SRTCP: after the first 8 octets, ciphertext */
	for (size_t i = 8; i < n; i++)
		b[i] = (uint8_t)(0x37 * i + 0x11);
	ck_assert_int_eq(ev_rtcp_check(bv_make(b, n)), EV_OK);
	n = rtcp_sr_rr(b, false);
	b[3] = 40; /* first packet longer than the datagram */
	ck_assert_int_eq(ev_rtcp_check(bv_make(b, n)), EV_BAD);
	b[3] = 12;
	b[0] = 0x84; /* 4 report blocks do not fit in 12 words */
	ck_assert_int_eq(ev_rtcp_check(bv_make(b, n)), EV_BAD);
	b[0] = 0x81;
	b[1] = 205; /* RTPFB first: not a compound start */
	ck_assert_int_eq(ev_rtcp_check(bv_make(b, n)), EV_BAD);
	b[1] = 200;
	ck_assert_int_eq(ev_rtcp_check(bv_make(b, 55)), EV_BAD); /* 3 stray octets */
	/* minimal RR */
	const uint8_t rr[] = { 0x80, 201, 0, 1, 1, 2, 3, 4 };
	ck_assert_int_eq(ev_rtcp_check(bv_make(rr, sizeof rr)), EV_OK);
}
END_TEST

/* ---- STUN / TURN ---- */

static size_t stun(uint8_t *b, const char *software)
{
	size_t n = 0;
	b[n++] = 0x00, b[n++] = 0x01; /* Binding request */
	n += 2;                       /* length later */
	b[n++] = 0x21, b[n++] = 0x12, b[n++] = 0xa4, b[n++] = 0x42;
	for (int i = 0; i < 12; i++)
		b[n++] = (uint8_t)(0x70 + i);
	/* PRIORITY */
	b[n++] = 0x00, b[n++] = 0x24, b[n++] = 0, b[n++] = 4;
	b[n++] = 0x6e, b[n++] = 0, b[n++] = 0x1e, b[n++] = 0xff;
	if (software) {
		size_t l = strlen(software);
		b[n++] = 0x80, b[n++] = 0x22, b[n++] = 0, b[n++] = (uint8_t)l;
		memcpy(b + n, software, l);
		n += l;
		while (n % 4)
			b[n++] = 0;
	}
	b[2] = (uint8_t)((n - 20) >> 8);
	b[3] = (uint8_t)(n - 20);
	return n;
}

START_TEST(stun_forms)
{
	uint8_t b[256];
	struct bview sw;
	size_t n = stun(b, "Cisco Webex 44.1");
	ck_assert_int_eq(ev_stun_check(bv_make(b, n), false, &sw), EV_OK);
	ck_assert_uint_eq(sw.len, 16);
	ck_assert(memcmp(sw.p, "Cisco Webex 44.1", 16) == 0);
	unsigned ok;
	EVERY_PREFIX(ok, b, n, ev_stun_check(v, false, &sw));
	ck_assert_uint_eq(ok, 0);
	/* over TCP a cut message is "more", never OK */
	EVERY_PREFIX(ok, b, n, ev_stun_check(v, true, &sw));
	ck_assert_uint_eq(ok, 0);
	ck_assert_int_eq(ev_stun_check(bv_make(b, n - 4), true, &sw), EV_MORE);
	n = stun(b, NULL);
	ck_assert_int_eq(ev_stun_check(bv_make(b, n), false, &sw), EV_OK);
	ck_assert_uint_eq(sw.len, 0);
	uint8_t c[256];
	n = stun(b, "x");
	memcpy(c, b, n);
	c[7] ^= 1; /* magic cookie */
	ck_assert_int_eq(ev_stun_check(bv_make(c, n), false, &sw), EV_BAD);
	memcpy(c, b, n);
	c[0] = 0x40; /* top bits */
	ck_assert_int_eq(ev_stun_check(bv_make(c, n), false, &sw), EV_BAD);
	memcpy(c, b, n);
	c[3] += 2; /* not a multiple of 4 */
	ck_assert_int_eq(ev_stun_check(bv_make(c, n), false, &sw), EV_BAD);
	memcpy(c, b, n);
	c[3] += 4; /* longer than the datagram */
	ck_assert_int_eq(ev_stun_check(bv_make(c, n), false, &sw), EV_BAD);
	memcpy(c, b, n); /* trailing bytes after the message in the datagram */
	ck_assert_int_eq(ev_stun_check(bv_make(c, n + 4), false, &sw), EV_BAD);
	ck_assert_int_eq(ev_stun_check(bv_make(c, n + 4), true, &sw), EV_OK); /* stream: next msg */
	memcpy(c, b, n);
	c[23] = 0x40; /* attribute past the message */
	ck_assert_int_eq(ev_stun_check(bv_make(c, n), false, &sw), EV_BAD);
	ck_assert_int_eq(ev_stun_check(bv_make(c, n), true, &sw), EV_BAD);
}
END_TEST

START_TEST(turn_channel_data)
{
	uint8_t b[64] = { 0x40, 0x01, 0x00, 0x0a };
	ck_assert_int_eq(ev_turn_channel_check(bv_make(b, 14)), EV_OK);
	ck_assert_int_eq(ev_turn_channel_check(bv_make(b, 16)), EV_OK); /* padded */
	ck_assert_int_eq(ev_turn_channel_check(bv_make(b, 13)), EV_BAD);
	ck_assert_int_eq(ev_turn_channel_check(bv_make(b, 20)), EV_BAD);
	b[0] = 0x80;
	ck_assert_int_eq(ev_turn_channel_check(bv_make(b, 14)), EV_BAD);
	b[0] = 0x3f;
	ck_assert_int_eq(ev_turn_channel_check(bv_make(b, 14)), EV_BAD);
}
END_TEST

/* ---- SIP ---- */

static int sip_s(const char *s)
{
	uint8_t *d = dup_n(s, strlen(s));
	int r = ev_sip_check(bv_make(d, strlen(s)));
	free(d);
	return r;
}

START_TEST(sip_lines)
{
	const char *inv = "INVITE sip:+15551234@ss.webex.com;transport=tls SIP/2.0\r\n"
			  "Via: SIP/2.0/TLS 10.0.0.2:5061\r\n\r\n";
	ck_assert_int_eq(sip_s(inv), EV_OK);
	ck_assert_int_eq(sip_s("REGISTER sips:example.com SIP/2.0\r\n"), EV_OK);
	ck_assert_int_eq(sip_s("OPTIONS tel:+15551234 SIP/2.0\n"), EV_OK);
	ck_assert_int_eq(sip_s("SIP/2.0 200 OK\r\n"), EV_OK);
	ck_assert_int_eq(sip_s("SIP/2.0 180 Ringing\r\n"), EV_OK);
	ck_assert_int_eq(sip_s("\r\n\r\n"), EV_MORE); /* keep-alive */
	ck_assert_int_eq(sip_s("SIP/2.0 2x0 OK\r\n"), EV_BAD);
	ck_assert_int_eq(sip_s("GET / HTTP/1.1\r\n"), EV_BAD);
	ck_assert_int_eq(sip_s("INVITE http://x SIP/2.0\r\n"), EV_BAD);
	ck_assert_int_eq(sip_s("INVITE sip:x SIP/3.0\r\n"), EV_BAD);
	ck_assert_int_eq(sip_s("INVITE sip:x SIP/2.0 extra\r\n"), EV_BAD);
	ck_assert_int_eq(sip_s("INVITE sip:x SIP/2.0x\r\n"), EV_BAD);
	ck_assert_int_eq(sip_s("invite sip:x SIP/2.0\r\n"), EV_BAD);
	ck_assert_int_eq(sip_s("\x16\x03\x01\x00\x10"), EV_BAD);
	/* prefixes: "more" (a consistent, cut line) until the request line is complete */
	size_t n = strlen(inv);
	unsigned ok;
	EVERY_PREFIX(ok, inv, n, ev_sip_check(v));
	ck_assert_uint_eq(ok, n - (size_t)(strstr(inv, "\r\n") + 2 - inv));
	for (size_t k = 1; k < 40; k++) {
		uint8_t *d = dup_n(inv, k);
		ck_assert_int_eq(ev_sip_check(bv_make(d, k)), EV_MORE);
		free(d);
	}
}
END_TEST

/* ---- HTTP ---- */

static int http_s(const char *s, char *host, size_t cap)
{
	uint8_t *d = dup_n(s, strlen(s));
	struct bview h;
	int r = ev_http_check(bv_make(d, strlen(s)), &h);
	host[0] = '\0';
	if (h.len)
		ev_norm_host(h, host, cap);
	free(d);
	return r;
}

START_TEST(http_lines)
{
	char host[256];
	const char *get = "GET /api/v1/ping HTTP/1.1\r\nUser-Agent: x\r\nHost:  Binaries.WEBEX.com:8080 \r\n"
			  "Accept: */*\r\n\r\n";
	ck_assert_int_eq(http_s(get, host, sizeof host), EV_OK);
	ck_assert_str_eq(host, "binaries.webex.com");
	ck_assert_int_eq(http_s("POST / HTTP/1.0\r\nhost: [2001:db8::1]:80\r\n\r\n", host, sizeof host),
			 EV_OK);
	ck_assert_str_eq(host, "2001:db8::1");
	ck_assert_int_eq(http_s("CONNECT idbroker.webex.com:443 HTTP/1.1\r\n\r\n", host, sizeof host),
			 EV_OK);
	ck_assert_str_eq(host, "idbroker.webex.com");
	ck_assert_int_eq(http_s("HTTP/1.1 200 OK\r\n\r\n", host, sizeof host), EV_OK);
	ck_assert_str_eq(host, "");
	ck_assert_int_eq(http_s("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", host, sizeof host), EV_OK);
	ck_assert_int_eq(http_s("GET / HTTP/1.1\r\nX-Host: a\r\n", host, sizeof host), EV_OK);
	ck_assert_str_eq(host, "");
	/* a cut Host line is not used */
	ck_assert_int_eq(http_s("GET / HTTP/1.1\r\nHost: a.webex.c", host, sizeof host), EV_OK);
	ck_assert_str_eq(host, "");
	ck_assert_int_eq(http_s("GET / HTTP/2.0\r\n", host, sizeof host), EV_BAD);
	ck_assert_int_eq(http_s("GETX / HTTP/1.1\r\n", host, sizeof host), EV_BAD);
	ck_assert_int_eq(http_s("GETX", host, sizeof host), EV_BAD);
	ck_assert_int_eq(http_s("OPTIO", host, sizeof host), EV_MORE);
	ck_assert_int_eq(http_s("GET / HTTP/1.1 x\r\n", host, sizeof host), EV_BAD);
	ck_assert_int_eq(http_s("GET  HTTP/1.1\r\n", host, sizeof host), EV_BAD);
	ck_assert_int_eq(http_s("HTTP/1.1 2000 OK\r\n", host, sizeof host), EV_BAD);
	ck_assert_int_eq(http_s("SSH-2.0-OpenSSH_9.0\r\n", host, sizeof host), EV_BAD);
	ck_assert_int_eq(http_s("INVITE sip:x SIP/2.0\r\n", host, sizeof host), EV_BAD);
	/* prefixes of the request line are "more" */
	for (size_t k = 1; k < 27; k++) {
		uint8_t *d = dup_n(get, k);
		struct bview h;
		ck_assert_int_eq(ev_http_check(bv_make(d, k), &h), EV_MORE);
		free(d);
	}
	struct bview h;
	size_t n = strlen(get);
	unsigned ok;
	EVERY_PREFIX(ok, get, n, ev_http_check(v, &h));
	ck_assert_uint_eq(ok, n - 27); /* OK from the end of the request line on */
}
END_TEST

/* ---- XMPP ---- */

static int xmpp_s(const char *s, uint8_t *proto, char *to, size_t cap)
{
	uint8_t *d = dup_n(s, strlen(s));
	struct bview t;
	int r = ev_xmpp_check(bv_make(d, strlen(s)), proto, &t);
	to[0] = '\0';
	if (t.len)
		ev_norm_host(t, to, cap);
	free(d);
	return r;
}

START_TEST(xmpp_headers)
{
	uint8_t p;
	char to[256];
	const char *cl = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' "
			 "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
	ck_assert_int_eq(xmpp_s(cl, &p, to, sizeof to), EV_OK);
	ck_assert_uint_eq(p, EV_PROTO_XMPP_CLIENT);
	ck_assert_str_eq(to, "example.com");
	const char *sv = "<stream:stream xmlns:db=\"jabber:server:dialback\" xmlns=\"jabber:server\" "
			 "xmlns:stream=\"http://etherx.jabber.org/streams\" to=\"partner.example\">";
	ck_assert_int_eq(xmpp_s(sv, &p, to, sizeof to), EV_OK);
	ck_assert_uint_eq(p, EV_PROTO_XMPP_SERVER);
	ck_assert_str_eq(to, "partner.example");
	/* dialback namespace alone is not the default namespace */
	const char *db = "<stream:stream xmlns:db='jabber:server:dialback' version='1.0'>";
	ck_assert_int_eq(xmpp_s(db, &p, to, sizeof to), EV_OK);
	ck_assert_uint_eq(p, EV_PROTO_XMPP_CLIENT);
	ck_assert_int_eq(xmpp_s("<?xml version='1.0'?>", &p, to, sizeof to), EV_MORE);
	ck_assert_int_eq(xmpp_s("  \r\n<?xml version='1.0'?>\n", &p, to, sizeof to), EV_MORE);
	ck_assert_int_eq(xmpp_s("<stream:stream to='a'", &p, to, sizeof to), EV_MORE);
	ck_assert_int_eq(xmpp_s("<stream:features/>", &p, to, sizeof to), EV_BAD);
	ck_assert_int_eq(xmpp_s("<stream:streamx>", &p, to, sizeof to), EV_BAD);
	ck_assert_int_eq(xmpp_s("<html>", &p, to, sizeof to), EV_BAD);
	ck_assert_int_eq(xmpp_s("GET / HTTP/1.1\r\n", &p, to, sizeof to), EV_BAD);
	struct bview t;
	size_t n = strlen(cl);
	/* cut headers: OK once the namespace is in, "more" before; never a crash */
	unsigned ok;
	EVERY_PREFIX(ok, cl, n, ev_xmpp_check(v, &p, &t));
	ck_assert_uint_eq(ok, n - (size_t)(strstr(cl, "jabber:client'") + 14 - cl));
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("evidence_proto");
	TCase *tc = tcase_create("media");
	tcase_add_test(tc, rtp_header_forms);
	tcase_add_test(tc, rtcp_forms);
	tcase_add_test(tc, stun_forms);
	tcase_add_test(tc, turn_channel_data);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, sip_lines);
	tcase_add_test(tc, http_lines);
	tcase_add_test(tc, xmpp_headers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
