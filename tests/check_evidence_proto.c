/* check_evidence_proto.c - unit tests of the per-packet validators: RTP/RTCP (RFC 3550), STUN and
 * TURN ChannelData (RFC 8489, RFC 8656), SIP (RFC 3261), HTTP/1.x (RFC 9112), XMPP (RFC 6120);
 * accepted and rejected forms, hostile lengths, every truncation point on exact-size buffers; and
 * the verdicts the driver reaches from them on flows (RTP continuity, STUN then RTP, unknown). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "evidence_helpers.h"
#include "run_suite.h"

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

/* ---- driver: per-protocol verdicts on flows ---- */

static size_t rtp_pkt(uint8_t *b, unsigned seq, uint32_t ssrc)
{
	memset(b, 0xab, 172);
	b[0] = 0x80, b[1] = 0;
	b[2] = (uint8_t)(seq >> 8), b[3] = (uint8_t)seq;
	b[8] = (uint8_t)(ssrc >> 24), b[9] = (uint8_t)(ssrc >> 16), b[10] = (uint8_t)(ssrc >> 8),
	b[11] = (uint8_t)ssrc;
	return 172;
}

START_TEST(driver_rtp_needs_consistent_packets)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct flow f;
	uint8_t b[200];
	mkflow(&f, 17, "10.0.0.2", 8500, "170.72.9.9", 19560);
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 100, 0x11223344)), 0);
	ck_assert_uint_eq(send(x, &f, FLOW_RESP, b, rtp_pkt(b, 7, 0x99999999)), 0); /* other side */
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 101, 0x11223344)), 0);
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 103, 0x11223344)), EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_RTP);
	ck_assert_uint_eq(f.ev.rtp_ssrc, 0x11223344);
	evidence_flow_end(x, &f);
	/* changing SSRC, repeated and jumping sequence numbers: no verdict, then unknown at the end */
	mkflow(&f, 17, "10.0.0.2", 8500, "170.72.9.9", 19560);
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 1, 1));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 2, 2));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 3, 2));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 3, 2));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 3000, 2));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 1, 3));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 1000, 3));
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_NONE);
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 1, 4)), EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_UNKNOWN); /* budget spent undecided */
	evidence_flow_end(x, &f);
	/* random bytes on a media port: unknown after 4 */
	mkflow(&f, 17, "10.0.0.2", 8500, "170.72.9.9", 10000);
	for (int i = 0; i < 4; i++)
		send(x, &f, FLOW_ORIG, "\x05\x06zzzzzzzzzzzzzzzzzzz", 21);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_UNKNOWN);
	/* the sequence number wraps */
	mkflow(&f, 17, "10.0.0.2", 8500, "170.72.9.9", 19560);
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 65534, 5));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 65535, 5));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 0, 5));
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_RTP);
	evidence_destroy(x);
}
END_TEST

static size_t stun_msg(uint8_t *b, const char *software)
{
	size_t n = 20;
	memset(b, 0, 20);
	b[1] = 0x01;
	b[4] = 0x21, b[5] = 0x12, b[6] = 0xa4, b[7] = 0x42;
	size_t l = strlen(software);
	b[n++] = 0x80, b[n++] = 0x22, b[n++] = 0, b[n++] = (uint8_t)l;
	memcpy(b + n, software, l);
	n += l;
	while (n % 4)
		b[n++] = 0;
	b[3] = (uint8_t)(n - 20);
	return n;
}

START_TEST(driver_stun_then_rtp)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct flow f;
	uint8_t b[256];
	mkflow(&f, 17, "10.0.0.2", 8500, "170.72.9.9", 19560);
	unsigned chg = send(x, &f, FLOW_ORIG, b, stun_msg(b, "Cisco Webex"));
	ck_assert_uint_eq(chg, EV_CHG_PROTO | EV_CHG_SOFTWARE);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_STUN);
	struct evidence_view v;
	evidence_view(x, &f, &v);
	ck_assert_str_eq(v.software, "Cisco Webex");
	ck_assert_ptr_null(v.alpn);
	ck_assert_str_eq(v.reason, "stun software=Cisco_Webex");
	/* TURN ChannelData after STUN: still STUN, not a miss */
	const uint8_t cd[] = { 0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4 };
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, cd, sizeof cd), 0);
	ck_assert_uint_eq(EVD_MISS(f.ev.detail), 0);
	/* media follows on the same 5-tuple: the verdict is refined to RTP */
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 10, 42));
	send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 11, 42));
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, b, rtp_pkt(b, 12, 42)), EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_RTP);
	/* and not back */
	ck_assert_uint_eq(send(x, &f, FLOW_RESP, b, stun_msg(b, "Cisco Webex")) & EV_CHG_PROTO, 0);
	evidence_view(x, &f, &v);
	ck_assert_str_eq(v.reason, "rtp software=Cisco_Webex");
	evidence_flow_end(x, &f);
	/* ChannelData without STUN first is not taken for TURN */
	mkflow(&f, 17, "10.0.0.2", 8500, "170.72.9.9", 3478);
	send(x, &f, FLOW_ORIG, cd, sizeof cd);
	ck_assert_uint_eq(EVD_MISS(f.ev.detail), 1);
	/* RTCP */
	const uint8_t rr[] = { 0x80, 201, 0, 1, 1, 2, 3, 4 };
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, rr, sizeof rr), EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_RTCP);
	evidence_destroy(x);
}
END_TEST

START_TEST(driver_text_protocols)
{
	struct evidence_ctx *x = mkctx(NULL);
	struct flow f;
	struct evidence_view v;
	const char *get = "GET /fw/x.bin HTTP/1.1\r\nHost: Binaries.Webex.com\r\n\r\n";
	mkflow(&f, 6, "10.0.0.2", 40000, "23.89.1.1", 80);
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, get, strlen(get)), EV_CHG_PROTO | EV_CHG_HOST);
	ck_assert(f.ev.state & EVS_HOST);
	evidence_view(x, &f, &v);
	ck_assert_str_eq(v.host, "binaries.webex.com");
	ck_assert_ptr_null(v.sni);
	ck_assert_str_eq(v.reason, "host=*.webex.com http");
	const char *resp = "HTTP/1.1 200 OK\r\nHost: evil.example\r\n\r\n";
	ck_assert_uint_eq(send(x, &f, FLOW_RESP, resp, strlen(resp)), 0);
	evidence_flow_end(x, &f);

	/* XMPP: prolog alone, then the header (no miss in between) */
	mkflow(&f, 6, "10.0.0.2", 40000, "10.1.1.1", 5269);
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, "<?xml version='1.0'?>", 21), 0);
	const char *s2s = "<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' "
			  "to='partner.webex.com'>";
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, s2s, strlen(s2s)), EV_CHG_PROTO | EV_CHG_HOST);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_XMPP_SERVER);
	ck_assert_uint_eq(EVD_MISS(f.ev.detail), 0);
	ck_assert_str_eq(name(x, f.ev.sni), "partner.webex.com");
	evidence_flow_end(x, &f);

	/* the responder's stream header names the client: not taken as the host */
	mkflow(&f, 6, "10.0.0.2", 40000, "10.1.1.1", 5222);
	const char *c2s = "<stream:stream xmlns='jabber:client' to='user@im.webex.com'>";
	send(x, &f, FLOW_RESP, c2s, strlen(c2s));
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_XMPP_CLIENT);
	ck_assert_uint_eq(f.ev.sni, 0);
	send(x, &f, FLOW_ORIG, c2s, strlen(c2s));
	ck_assert_str_eq(name(x, f.ev.sni), "im.webex.com"); /* a JID's domainpart */
	evidence_flow_end(x, &f);

	/* SIP over UDP and over TCP */
	const char *reg = "REGISTER sip:ss.webex.com SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n\r\n";
	mkflow(&f, 17, "10.0.0.2", 5060, "10.1.1.1", 5060);
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, reg, strlen(reg)), EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_SIP);
	mkflow(&f, 6, "10.0.0.2", 5060, "10.1.1.1", 5060);
	send(x, &f, FLOW_ORIG, "\r\n\r\n", 4); /* keep-alive: neither a verdict nor a miss */
	ck_assert_uint_eq(EVD_MISS(f.ev.detail), 0);
	send(x, &f, FLOW_RESP, "SIP/2.0 200 OK\r\n\r\n", 18);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_SIP);
	/* a TLS record on a SIP-TLS port is TLS even without a handshake start */
	mkflow(&f, 6, "10.0.0.2", 40000, "10.1.1.1", 5061);
	const uint8_t app[] = { 0x17, 0x03, 0x03, 0x00, 0x20, 1, 2, 3 };
	ck_assert_uint_eq(send(x, &f, FLOW_ORIG, app, sizeof app), EV_CHG_PROTO);
	ck_assert_uint_eq(f.ev.payload_proto, EV_PROTO_TLS);
	evidence_destroy(x);
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
	tc = tcase_create("driver");
	tcase_add_test(tc, driver_rtp_needs_consistent_packets);
	tcase_add_test(tc, driver_stun_then_rtp);
	tcase_add_test(tc, driver_text_protocols);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(proto_suite());
}
