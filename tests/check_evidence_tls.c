/* check_evidence_tls.c - unit tests of the TLS/DTLS ClientHello (RFC 8446, RFC 6347, SNI RFC 6066,
 * ALPN RFC 7301), the server flight and the X.509 DER name walk (RFC 5280): crafted messages, every
 * truncation point (each prefix copied into an exact-size heap buffer so ASan sees any over-read)
 * and hostile lengths. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "evidence_helpers.h"
#include "run_suite.h"

/* ClientHello body extensions: pad (an extension of `pad` bytes, placed before SNI), SNI, ALPN. */
static void client_hello_msg(struct buf *b, const char *sni, const char *alpn_list, size_t pad,
			     bool dtls)
{
	p16(b, dtls ? 0xfefd : 0x0303);
	for (int i = 0; i < 32; i++)
		p8(b, i);
	p8(b, 32);
	for (int i = 0; i < 32; i++)
		p8(b, 0xa0 + i);
	if (dtls)
		p8(b, 0); /* empty cookie */
	p16(b, 6);
	p16(b, 0x1301);
	p16(b, 0xc02f);
	p16(b, 0x0a0a); /* GREASE suite */
	p8(b, 1);
	p8(b, 0);
	size_t el = mark(b, 2);
	if (pad) {
		p16(b, 0x0015);
		p16(b, (unsigned)pad);
		for (size_t i = 0; i < pad; i++)
			p8(b, 0);
	}
	if (sni) {
		p16(b, 0x0000);
		size_t e = mark(b, 2), l = mark(b, 2);
		p8(b, 0);
		p16(b, (unsigned)strlen(sni));
		ps(b, sni);
		patch(b, l, 2);
		patch(b, e, 2);
	}
	if (alpn_list) {
		p16(b, 0x0010);
		size_t e = mark(b, 2), l = mark(b, 2);
		char tmp[256];
		snprintf(tmp, sizeof tmp, "%s", alpn_list);
		for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ",")) {
			p8(b, (unsigned)strlen(t));
			ps(b, t);
		}
		patch(b, l, 2);
		patch(b, e, 2);
	}
	p16(b, 0x002b); /* supported_versions */
	p16(b, 3);
	p8(b, 2);
	p16(b, 0x0304);
	patch(b, el, 2);
}

/* Handshake message (type + 24-bit length) holding a ClientHello. */
static void hs_client_hello(struct buf *b, const char *sni, const char *alpn, size_t pad)
{
	p8(b, 1);
	size_t m = mark(b, 3);
	client_hello_msg(b, sni, alpn, pad, false);
	patch(b, m, 3);
}

/* ---------------------------------------------------------------------------------------------- */

START_TEST(client_hello_sni_alpn)
{
	struct buf b = { .n = 0 };
	hs_client_hello(&b, "Edge.WEBEX.com.", "h2,http/1.1", 0);
	struct ev_hello h;
	ck_assert_int_eq(ev_tls_client_hello(bv_make(b.b, b.n), &h), EV_OK);
	ck_assert(h.has_sni);
	char nm[EV_NAME_MAX + 1];
	ck_assert_uint_eq(ev_norm_host(h.sni, nm, sizeof nm), 14);
	ck_assert_str_eq(nm, "edge.webex.com");
	ck_assert_str_eq(h.alpn, "h2,http/1.1");
	ck_assert_uint_eq(h.version, 0x0303);
}
END_TEST

START_TEST(client_hello_no_extensions)
{
	struct buf b = { .n = 0 };
	p8(&b, 1);
	size_t m = mark(&b, 3);
	p16(&b, 0x0301);
	for (int i = 0; i < 32; i++)
		p8(&b, i);
	p8(&b, 0);
	p16(&b, 2);
	p16(&b, 0x002f);
	p8(&b, 1);
	p8(&b, 0);
	patch(&b, m, 3);
	struct ev_hello h;
	ck_assert_int_eq(ev_tls_client_hello(bv_make(b.b, b.n), &h), EV_OK);
	ck_assert(!h.has_sni);
	ck_assert_uint_eq(h.alpn_len, 0);
}
END_TEST

/* Every prefix: EV_MORE (never EV_BAD, never a crash), and the SNI only once its extension is
 * complete. */
START_TEST(client_hello_every_truncation)
{
	struct buf b = { .n = 0 };
	hs_client_hello(&b, "a.webex.com", "h2", 40);
	size_t sni_end = 0;
	for (size_t i = 0; i + 11 <= b.n; i++)
		if (memcmp(b.b + i, "a.webex.com", 11) == 0)
			sni_end = i + 11;
	ck_assert_uint_gt(sni_end, 0);
	for (size_t n = 0; n <= b.n; n++) {
		uint8_t *d = dup_n(b.b, n);
		struct ev_hello h;
		int r = ev_tls_client_hello(bv_make(d, n), &h);
		ck_assert_int_eq(r, n == b.n ? EV_OK : EV_MORE);
		ck_assert_int_eq(h.has_sni, n >= sni_end);
		free(d);
	}
}
END_TEST

static void expect_bad_hello(struct buf *b)
{
	uint8_t *d = dup_n(b->b, b->n);
	struct ev_hello h;
	ck_assert_int_eq(ev_tls_client_hello(bv_make(d, b->n), &h), EV_BAD);
	free(d);
}

/* Offset of the SNI extension's first byte (type 0x0000 after the pad/other extensions). */
static size_t find_sni_ext(const struct buf *b, const char *sni)
{
	for (size_t i = 0; i + strlen(sni) <= b->n; i++)
		if (memcmp(b->b + i, sni, strlen(sni)) == 0)
			return i - 9; /* type(2) len(2) list(2) name_type(1) name_len(2) */
	ck_abort_msg("sni not found");
	return 0;
}

START_TEST(client_hello_hostile_lengths)
{
	struct buf b = { .n = 0 }, c;
	hs_client_hello(&b, "x.webex.com", "h2", 0);
	size_t e = find_sni_ext(&b, "x.webex.com");

	c = b; /* SNI name length past the list */
	c.b[e + 7] = 0x00, c.b[e + 8] = 0x40;
	expect_bad_hello(&c);
	c = b; /* server-name list length past the extension */
	c.b[e + 4] = 0x01;
	expect_bad_hello(&c);
	c = b; /* extension length past the extension block / handshake */
	c.b[e + 2] = 0x7f;
	expect_bad_hello(&c);
	c = b; /* extension block length past the handshake message */
	c.b[4 + 2 + 32 + 1 + 32 + 2 + 6 + 2] = 0x7f;
	expect_bad_hello(&c);
	c = b; /* session id longer than 32 */
	c.b[4 + 2 + 32] = 33;
	expect_bad_hello(&c);
	c = b; /* odd cipher-suite length */
	c.b[4 + 2 + 32 + 1 + 32 + 1] = 5;
	expect_bad_hello(&c);
	c = b; /* handshake message shorter than a ClientHello can be */
	c.b[1] = 0, c.b[2] = 0, c.b[3] = 20;
	expect_bad_hello(&c);
	c = b; /* not a ClientHello */
	c.b[0] = 2;
	expect_bad_hello(&c);
	c = b; /* wrong major version */
	c.b[4] = 0x02;
	expect_bad_hello(&c);
	c = b; /* ALPN entry of length 0 */
	for (size_t i = 0; i + 3 < c.n; i++)
		if (c.b[i] == 2 && c.b[i + 1] == 'h' && c.b[i + 2] == '2')
			c.b[i] = 0;
	expect_bad_hello(&c);
}
END_TEST

START_TEST(alpn_join_bounded)
{
	struct buf b = { .n = 0 };
	char list[1024] = "";
	for (int i = 0; i < 20; i++) /* 20 x 9 bytes: more than EV_ALPN_MAX */
		snprintf(list + strlen(list), sizeof list - strlen(list), "%sproto-%02d", i ? "," : "",
			 i);
	hs_client_hello(&b, NULL, list, 0);
	struct ev_hello h;
	ck_assert_int_eq(ev_tls_client_hello(bv_make(b.b, b.n), &h), EV_OK);
	ck_assert_uint_le(h.alpn_len, EV_ALPN_MAX);
	ck_assert_uint_eq(strlen(h.alpn), h.alpn_len);
	ck_assert_uint_eq(h.alpn_len % 9, 8); /* cut at a protocol boundary */
	ck_assert(strncmp(h.alpn, "proto-00,proto-01", 17) == 0);
}
END_TEST

/* ---- record layer ---- */

static void record(struct buf *out, unsigned type, const uint8_t *p, size_t n)
{
	p8(out, type);
	p16(out, 0x0301);
	p16(out, (unsigned)n);
	pn(out, p, n);
}

START_TEST(record_start)
{
	int t;
	const uint8_t ch[] = { 0x16, 0x03, 0x01, 0x00, 0x30, 0x01 };
	ck_assert(ev_tls_record_start(bv_make(ch, sizeof ch), &t));
	ck_assert_int_eq(t, 1);
	const uint8_t app[] = { 0x17, 0x03, 0x03, 0x40, 0x00 };
	ck_assert(ev_tls_record_start(bv_make(app, sizeof app), &t));
	ck_assert_int_eq(t, -1);
	const uint8_t big[] = { 0x17, 0x03, 0x03, 0x48, 0x01 }; /* 2^14 + 2048 + 1 */
	ck_assert(!ev_tls_record_start(bv_make(big, sizeof big), &t));
	const uint8_t ssl2[] = { 0x80, 0x2e, 0x01, 0x00, 0x02 };
	ck_assert(!ev_tls_record_start(bv_make(ssl2, sizeof ssl2), &t));
	ck_assert(!ev_tls_record_start(bv_make(ch, 4), &t));
	const uint8_t http[] = "GET / HTTP/1.1\r\n";
	ck_assert(!ev_tls_record_start(bv_make(http, sizeof http - 1), &t));
}
END_TEST

/* A ClientHello fragmented over three records, the byte stream then cut at every point. */
START_TEST(hs_stream_any_split)
{
	struct buf hs = { .n = 0 }, rec = { .n = 0 };
	hs_client_hello(&hs, "split.webex.com", "h2", 100);
	size_t a = 30, c = 120;
	record(&rec, 22, hs.b, a);
	record(&rec, 22, hs.b + a, c - a);
	record(&rec, 22, hs.b + c, hs.n - c);
	uint8_t store[4096];
	for (size_t cut = 0; cut <= rec.n; cut++) {
		struct ev_hs s;
		ev_hs_init(&s, store, sizeof store);
		uint8_t *p1 = dup_n(rec.b, cut), *p2 = dup_n(rec.b + cut, rec.n - cut);
		ck_assert_int_eq(ev_hs_feed(&s, bv_make(p1, cut)), EV_OK);
		ck_assert_int_eq(ev_hs_feed(&s, bv_make(p2, rec.n - cut)), EV_OK);
		free(p1);
		free(p2);
		ck_assert_uint_eq(s.len, hs.n);
		ck_assert(memcmp(store, hs.b, hs.n) == 0);
		struct ev_hello h;
		ck_assert_int_eq(ev_tls_client_hello(bv_make(store, s.len), &h), EV_OK);
		ck_assert(h.has_sni);
	}
}
END_TEST

/* ev_hs_view leaves hs as ev_hs_init + ev_hs_feed would (reading in place), for one record and
 * any cut of it; it declines what it cannot mirror: a second record, a buffer too small, a bad or
 * empty header, data ending inside the header. */
START_TEST(hs_view_matches_feed)
{
	static struct buf hs, rec;
	hs.n = rec.n = 0;
	hs_client_hello(&hs, "view.webex.com", "h2,http/1.1", 40);
	record(&rec, 22, hs.b, hs.n);
	static uint8_t store[4096];
	for (size_t cut = 0; cut <= rec.n; cut++) {
		struct ev_hs a, b;
		struct bview body;
		uint8_t *p = dup_n(rec.b, cut);
		bool ok = ev_hs_view(&b, bv_make(p, cut), sizeof store, &body);
		ck_assert_int_eq(ok, cut >= 5);
		if (ok) {
			ev_hs_init(&a, store, sizeof store);
			ck_assert_int_eq(ev_hs_feed(&a, bv_make(p, cut)), EV_OK);
			ck_assert_uint_eq(a.len, b.len);
			ck_assert_uint_eq(a.cap, b.cap);
			ck_assert_uint_eq(a.rec_left, b.rec_left);
			ck_assert_uint_eq(a.rec_type, b.rec_type);
			ck_assert_uint_eq(a.flags, b.flags);
			ck_assert_uint_eq(a.hdr_have, b.hdr_have);
			ck_assert(memcmp(a.hdr, b.hdr, sizeof a.hdr) == 0);
			ck_assert(memcmp(a.buf, b.buf, a.len) == 0);
			ck_assert_ptr_eq(body.p, p + 5);
			ck_assert_uint_eq(body.len, b.len);
		}
		free(p);
	}
	struct ev_hs h;
	struct bview body;
	ck_assert(!ev_hs_view(&h, bv_make(rec.b, rec.n), (uint32_t)hs.n - 1, &body)); /* full */
	struct buf two = rec;
	record(&two, 22, hs.b, 10);
	ck_assert(!ev_hs_view(&h, bv_make(two.b, two.n), sizeof store, &body)); /* 2 records */
	uint8_t bad[] = { 23, 3, 3, 0, 4, 1, 2, 3, 4 };
	ck_assert(!ev_hs_view(&h, bv_make(bad, sizeof bad), sizeof store, &body)); /* app data */
	bad[0] = 22;
	bad[1] = 2;
	ck_assert(!ev_hs_view(&h, bv_make(bad, sizeof bad), sizeof store, &body)); /* version */
	bad[1] = 3;
	bad[4] = 0;
	ck_assert(!ev_hs_view(&h, bv_make(bad, sizeof bad), sizeof store, &body)); /* empty */
	bad[4] = 4;
	ck_assert(ev_hs_view(&h, bv_make(bad, sizeof bad), sizeof store, &body));
	ck_assert_uint_eq(h.len, 4);
}
END_TEST

START_TEST(hs_stream_bad_and_full)
{
	uint8_t store[64];
	struct ev_hs s;
	ev_hs_init(&s, store, sizeof store);
	const uint8_t junk[] = "GET / HTTP/1.1\r\n";
	ck_assert_int_eq(ev_hs_feed(&s, bv_make(junk, sizeof junk - 1)), EV_BAD);
	ck_assert(s.flags & EV_HS_BAD);

	struct buf hs = { .n = 0 }, rec = { .n = 0 };
	hs_client_hello(&hs, "x.example.com", NULL, 0);
	record(&rec, 22, hs.b, hs.n);
	ev_hs_init(&s, store, sizeof store);
	ck_assert_int_eq(ev_hs_feed(&s, bv_make(rec.b, rec.n)), EV_OK);
	ck_assert_uint_eq(s.len, sizeof store);
	ck_assert(s.flags & EV_HS_FULL);

	/* ChangeCipherSpec: later handshake records are ciphertext and are not kept */
	struct buf r2 = { .n = 0 };
	const uint8_t one = 1;
	record(&r2, 20, &one, 1);
	record(&r2, 22, hs.b, 10);
	ev_hs_init(&s, store, sizeof store);
	ck_assert_int_eq(ev_hs_feed(&s, bv_make(r2.b, r2.n)), EV_OK);
	ck_assert(s.flags & EV_HS_ENCRYPTED);
	ck_assert_uint_eq(s.len, 0);
}
END_TEST

/* ---- DTLS ---- */

static void dtls_client_hello(struct buf *b, const char *sni, size_t frag_cut)
{
	struct buf body = { .n = 0 };
	client_hello_msg(&body, sni, "webrtc", 0, true);
	size_t fl = frag_cut ? frag_cut : body.n;
	p8(b, 22);
	p16(b, 0xfefd);
	p16(b, 0);
	p16(b, 0), p16(b, 0), p16(b, 0);
	p16(b, (unsigned)(12 + fl));
	p8(b, 1);
	p24(b, (unsigned)body.n);
	p16(b, 0);
	p24(b, 0);
	p24(b, (unsigned)fl);
	pn(b, body.b, fl);
}

START_TEST(dtls_hello)
{
	struct buf b = { .n = 0 };
	dtls_client_hello(&b, "media.webex.com", 0);
	ck_assert(ev_dtls_record(bv_make(b.b, b.n)));
	struct ev_hello h;
	ck_assert_int_eq(ev_dtls_client_hello(bv_make(b.b, b.n), &h), EV_OK);
	ck_assert(h.has_sni);
	ck_assert_str_eq(h.alpn, "webrtc");
	for (size_t n = 0; n < b.n; n++) { /* a cut datagram is not a DTLS record */
		uint8_t *d = dup_n(b.b, n);
		ck_assert_int_ne(ev_dtls_client_hello(bv_make(d, n), &h), EV_OK);
		free(d);
	}
	/* first fragment of a fragmented hello: partial facts */
	struct buf f = { .n = 0 };
	dtls_client_hello(&f, "media.webex.com", 90);
	ck_assert_int_eq(ev_dtls_client_hello(bv_make(f.b, f.n), &h), EV_MORE);
	/* fragment length past the record */
	struct buf g = b;
	g.b[13 + 9] = 0x7f;
	ck_assert_int_eq(ev_dtls_client_hello(bv_make(g.b, g.n), &h), EV_BAD);
	/* record length past the datagram */
	g = b;
	g.b[11] = 0x7f;
	ck_assert(!ev_dtls_record(bv_make(g.b, g.n)));
	ck_assert_int_eq(ev_dtls_client_hello(bv_make(g.b, g.n), &h), EV_BAD);
}
END_TEST

/* ---- X.509 ---- */

/* Appends TLV(tag, content) using short or long definite length. */
static void der(struct buf *out, unsigned tag, const struct buf *content)
{
	p8(out, tag);
	if (content->n < 0x80) {
		p8(out, (unsigned)content->n);
	} else if (content->n < 0x100) {
		p8(out, 0x81);
		p8(out, (unsigned)content->n);
	} else {
		p8(out, 0x82);
		p16(out, (unsigned)content->n);
	}
	pn(out, content->b, content->n);
}
static void der_raw(struct buf *out, unsigned tag, const void *p, size_t n)
{
	static struct buf t;
	t.n = 0;
	pn(&t, p, n);
	der(out, tag, &t);
}

static void make_cert(struct buf *out, const char *cn, const char *const *sans, size_t nsans)
{
	static struct buf tbs, subj, rdn, atv, ext, exts, gns, tmp, cert, v;
	tbs.n = subj.n = ext.n = exts.n = gns.n = cert.n = v.n = 0;
	der_raw(&v, 0x02, "\x02", 1);
	der(&tbs, 0xa0, &v);                            /* version v3 */
	der_raw(&tbs, 0x02, "\x01\x23\x45", 3);         /* serial */
	tmp.n = 0;
	der_raw(&tmp, 0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9);
	der(&tbs, 0x30, &tmp);                          /* signature alg */
	subj.n = 0;
	atv.n = 0;
	der_raw(&atv, 0x06, "\x55\x04\x0a", 3);
	der_raw(&atv, 0x13, "Issuer Org", 10);
	rdn.n = 0;
	der(&rdn, 0x30, &atv);
	der(&subj, 0x31, &rdn);
	der(&tbs, 0x30, &subj);                         /* issuer */
	tmp.n = 0;
	der_raw(&tmp, 0x17, "250101000000Z", 13);
	der_raw(&tmp, 0x17, "300101000000Z", 13);
	der(&tbs, 0x30, &tmp);                          /* validity */
	subj.n = 0;
	atv.n = 0;
	der_raw(&atv, 0x06, "\x55\x04\x06", 3);
	der_raw(&atv, 0x13, "US", 2);
	rdn.n = 0;
	der(&rdn, 0x30, &atv);
	der(&subj, 0x31, &rdn);
	if (cn) {
		atv.n = 0;
		der_raw(&atv, 0x06, "\x55\x04\x03", 3);
		der_raw(&atv, 0x0c, cn, strlen(cn));
		rdn.n = 0;
		der(&rdn, 0x30, &atv);
		der(&subj, 0x31, &rdn);
	}
	der(&tbs, 0x30, &subj);                         /* subject */
	tmp.n = 0;
	der_raw(&tmp, 0x03, "\x00\x01\x02\x03", 4);
	der(&tbs, 0x30, &tmp);                          /* subjectPublicKeyInfo (filler) */
	/* extensions: basicConstraints (critical), subjectAltName */
	ext.n = 0;
	der_raw(&ext, 0x06, "\x55\x1d\x13", 3);
	der_raw(&ext, 0x01, "\xff", 1);
	der_raw(&ext, 0x04, "\x30\x00", 2);
	der(&exts, 0x30, &ext);
	if (nsans) {
		gns.n = 0;
		for (size_t i = 0; i < nsans; i++)
			der_raw(&gns, 0x82, sans[i], strlen(sans[i]));
		der_raw(&gns, 0x87, "\x0a\x00\x00\x01", 4); /* iPAddress: skipped */
		tmp.n = 0;
		der(&tmp, 0x30, &gns);
		ext.n = 0;
		der_raw(&ext, 0x06, "\x55\x1d\x11", 3);
		der(&ext, 0x04, &tmp);
		der(&exts, 0x30, &ext);
	}
	tmp.n = 0;
	der(&tmp, 0x30, &exts);
	der(&tbs, 0xa3, &tmp);
	der(&cert, 0x30, &tbs);
	tmp.n = 0;
	der_raw(&tmp, 0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9);
	der_raw(&cert, 0x30, tmp.b, tmp.n);
	der_raw(&cert, 0x03, "\x00\xaa\xbb", 3);
	out->n = 0;
	der(out, 0x30, &cert);
}

static struct ev_domains *webex_domains(void)
{
	struct ev_domains *d = ev_domains_create();
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(ev_domains_add(d, "*.webex.com", 1, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "*.wbx2.com", 2, err), UCF_OK);
	return d;
}

START_TEST(x509_cn_and_san)
{
	static struct buf c;
	const char *sans[] = { "www.example.org", "Edge.Example.org", "*.wbx2.com", "www.example.org" };
	make_cert(&c, "www.example.org", sans, 4);
	char out[EV_SERVER_NAMES_MAX + 1];
	size_t n;
	ck_assert_int_eq(ev_x509_names(bv_make(c.b, c.n), NULL, out, sizeof out, &n), EV_OK);
	ck_assert_str_eq(out, "www.example.org,edge.example.org,*.wbx2.com");
	ck_assert_uint_eq(n, strlen(out));
	/* with a matcher, the names that match come first */
	struct ev_domains *d = webex_domains();
	ck_assert_int_eq(ev_x509_names(bv_make(c.b, c.n), d, out, sizeof out, &n), EV_OK);
	ck_assert_str_eq(out, "*.wbx2.com,www.example.org,edge.example.org");
	/* bounded output: cut at a name boundary */
	char small[30];
	ck_assert_int_eq(ev_x509_names(bv_make(c.b, c.n), d, small, sizeof small, &n), EV_OK);
	ck_assert_str_eq(small, "*.wbx2.com,www.example.org");
	ev_domains_destroy(d);
	/* no CN, no SAN: fine, empty */
	make_cert(&c, NULL, NULL, 0);
	ck_assert_int_eq(ev_x509_names(bv_make(c.b, c.n), NULL, out, sizeof out, &n), EV_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(x509_every_truncation)
{
	static struct buf c;
	const char *sans[] = { "a.webex.com", "b.webex.com" };
	make_cert(&c, "a.webex.com", sans, 2);
	char out[EV_SERVER_NAMES_MAX + 1];
	size_t n;
	for (size_t k = 0; k < c.n; k++) {
		uint8_t *d = dup_n(c.b, k);
		ck_assert_int_eq(ev_x509_names(bv_make(d, k), NULL, out, sizeof out, &n), EV_BAD);
		free(d);
	}
	uint8_t *d = dup_n(c.b, c.n);
	ck_assert_int_eq(ev_x509_names(bv_make(d, c.n), NULL, out, sizeof out, &n), EV_OK);
	ck_assert_str_eq(out, "a.webex.com,b.webex.com");
	free(d);
}
END_TEST

/* Every single length octet raised: the walk never reads outside the certificate. */
START_TEST(x509_hostile_lengths)
{
	static struct buf c, m;
	const char *sans[] = { "a.webex.com" };
	make_cert(&c, "a.webex.com", sans, 1);
	char out[EV_SERVER_NAMES_MAX + 1];
	size_t n;
	unsigned bad = 0;
	for (size_t i = 0; i < c.n; i++) {
		m = c;
		m.b[i] = 0xff; /* as a length: long form with 127 octets, or 255 */
		uint8_t *d = dup_n(m.b, m.n);
		if (ev_x509_names(bv_make(d, m.n), NULL, out, sizeof out, &n) == EV_BAD)
			bad++;
		else
			ck_assert_uint_le(n, EV_SERVER_NAMES_MAX);
		free(d);
	}
	ck_assert_uint_gt(bad, 20);
	/* the SAN dNSName length past the certificate */
	m = c;
	for (size_t i = 0; i + 12 <= m.n; i++)
		if (m.b[i] == 0x82 && memcmp(m.b + i + 2, "a.webex.com", 11) == 0)
			m.b[i + 1] = 0x7e;
	uint8_t *d = dup_n(m.b, m.n);
	ck_assert_int_eq(ev_x509_names(bv_make(d, m.n), NULL, out, sizeof out, &n), EV_BAD);
	free(d);
	/* indefinite length and 5-octet lengths are not DER */
	const uint8_t indef[] = { 0x30, 0x80, 0x30, 0x00, 0x00, 0x00 };
	ck_assert_int_eq(ev_x509_names(bv_make(indef, sizeof indef), NULL, out, sizeof out, &n),
			 EV_BAD);
	const uint8_t five[] = { 0x30, 0x85, 0, 0, 0, 0, 1, 0 };
	ck_assert_int_eq(ev_x509_names(bv_make(five, sizeof five), NULL, out, sizeof out, &n),
			 EV_BAD);
}
END_TEST

/* ---- server flight ---- */

static void server_flight(struct buf *hs, bool tls13, const struct buf *cert)
{
	p8(hs, 2);
	size_t m = mark(hs, 3);
	p16(hs, 0x0303);
	for (int i = 0; i < 32; i++)
		p8(hs, 0x40 + i);
	p8(hs, 0);
	p16(hs, 0xc02f);
	p8(hs, 0);
	size_t e = mark(hs, 2);
	p16(hs, 0xff01); /* renegotiation_info */
	p16(hs, 1);
	p8(hs, 0);
	if (tls13) {
		p16(hs, 0x002b);
		p16(hs, 2);
		p16(hs, 0x0304);
	}
	patch(hs, e, 2);
	patch(hs, m, 3);
	if (!cert)
		return;
	p8(hs, 11);
	size_t cm = mark(hs, 3), lm = mark(hs, 3);
	p24(hs, (unsigned)cert->n);
	pn(hs, cert->b, cert->n);
	p24(hs, 3); /* a second (issuer) certificate, ignored */
	p8(hs, 0x30), p8(hs, 0x01), p8(hs, 0x00);
	patch(hs, lm, 3);
	patch(hs, cm, 3);
	p8(hs, 14); /* ServerHelloDone */
	p24(hs, 0);
}

START_TEST(server_flight_certificate)
{
	static struct buf c, hs;
	const char *sans[] = { "*.wbx2.com" };
	make_cert(&c, "x.wbx2.com", sans, 1);
	hs.n = 0;
	server_flight(&hs, false, &c);
	struct bview cert;
	ck_assert_int_eq(ev_tls_server_flight(bv_make(hs.b, hs.n), false, &cert), EV_OK);
	ck_assert_uint_eq(cert.len, c.n);
	ck_assert(memcmp(cert.p, c.b, c.n) == 0);
	/* every prefix: EV_MORE until the first certificate is complete, never EV_BAD */
	size_t cert_end = (size_t)(cert.p - hs.b) + cert.len;
	for (size_t n = 0; n <= hs.n; n++) {
		uint8_t *d = dup_n(hs.b, n);
		int r = ev_tls_server_flight(bv_make(d, n), false, &cert);
		ck_assert_int_eq(r, n >= cert_end ? EV_OK : EV_MORE);
		free(d);
	}
	/* TLS 1.3: nothing readable */
	hs.n = 0;
	server_flight(&hs, true, NULL);
	ck_assert_int_eq(ev_tls_server_flight(bv_make(hs.b, hs.n), false, &cert), EV_NONE);
	/* TLS 1.2 resumption: ServerHello then ChangeCipherSpec */
	hs.n = 0;
	server_flight(&hs, false, NULL);
	ck_assert_int_eq(ev_tls_server_flight(bv_make(hs.b, hs.n), false, &cert), EV_MORE);
	ck_assert_int_eq(ev_tls_server_flight(bv_make(hs.b, hs.n), true, &cert), EV_NONE);
}
END_TEST

START_TEST(server_flight_hostile)
{
	static struct buf c, hs, m;
	make_cert(&c, "x.wbx2.com", NULL, 0);
	hs.n = 0;
	server_flight(&hs, false, &c);
	struct bview cert;
	size_t sh_end = 4 + ((size_t)hs.b[1] << 16 | hs.b[2] << 8 | hs.b[3]);
	m = hs; /* first certificate longer than the list */
	m.b[sh_end + 7] = 0x7f;
	ck_assert_int_eq(ev_tls_server_flight(bv_make(m.b, m.n), false, &cert), EV_BAD);
	m = hs; /* list longer than the Certificate message */
	m.b[sh_end + 4] = 0x7f;
	ck_assert_int_eq(ev_tls_server_flight(bv_make(m.b, m.n), false, &cert), EV_BAD);
	m = hs; /* ServerHello extensions past the message */
	m.b[4 + 2 + 32 + 1 + 2 + 1] = 0x7f;
	ck_assert_int_eq(ev_tls_server_flight(bv_make(m.b, m.n), false, &cert), EV_BAD);
	m = hs; /* session id > 32 */
	m.b[4 + 34] = 40;
	ck_assert_int_eq(ev_tls_server_flight(bv_make(m.b, m.n), false, &cert), EV_BAD);
	m = hs; /* zero-length first certificate */
	m.b[sh_end + 7] = 0, m.b[sh_end + 8] = 0, m.b[sh_end + 9] = 0;
	ck_assert_int_eq(ev_tls_server_flight(bv_make(m.b, m.n), false, &cert), EV_BAD);
}
END_TEST

static Suite *tls_suite(void)
{
	Suite *s = suite_create("evidence_tls");
	TCase *tc = tcase_create("client_hello");
	tcase_add_test(tc, client_hello_sni_alpn);
	tcase_add_test(tc, client_hello_no_extensions);
	tcase_add_test(tc, client_hello_every_truncation);
	tcase_add_test(tc, client_hello_hostile_lengths);
	tcase_add_test(tc, alpn_join_bounded);
	tcase_add_test(tc, dtls_hello);
	suite_add_tcase(s, tc);
	tc = tcase_create("records");
	tcase_add_test(tc, record_start);
	tcase_add_test(tc, hs_stream_any_split);
	tcase_add_test(tc, hs_stream_bad_and_full);
	tcase_add_test(tc, hs_view_matches_feed);
	suite_add_tcase(s, tc);
	tc = tcase_create("certificate");
	tcase_add_test(tc, x509_cn_and_san);
	tcase_add_test(tc, x509_every_truncation);
	tcase_add_test(tc, x509_hostile_lengths);
	tcase_add_test(tc, server_flight_certificate);
	tcase_add_test(tc, server_flight_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(tls_suite());
}
