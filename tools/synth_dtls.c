/* synth_dtls.c - ucflow-synth DTLS 1.2 builders (RFC 6347) for DTLS-SRTP media (RFC 5764), as WebRTC sends it.
 *
 * One datagram per builder; every record carries its epoch and a per-sender record sequence
 * number, every handshake message a per-sender message_seq, unfragmented (fragment_offset 0,
 * fragment_length = length). Keys, signatures and the encrypted Finished are random filler.
 *   dtls-client-hello [srtp=PROFILE,...]   ClientHello, record version DTLS 1.0 (0xfeff) as
 *       browsers send their first flight, client_version DTLS 1.2, empty cookie; extensions
 *       extended_master_secret, renegotiation_info, supported_groups, ec_point_formats,
 *       signature_algorithms, use_srtp (default profiles 0x0007,0x0008,0x0001,0x0002)
 *   dtls-server-hello [cn=NAME] [srtp=PROFILE]   ServerHello (use_srtp with one profile,
 *       default 0x0001) + Certificate (DER X.509, CN default WebRTC) + ServerKeyExchange
 *       (ECDHE secp256r1) + CertificateRequest + ServerHelloDone, one record each
 *   dtls-client-finished [cn=NAME]   Certificate + ClientKeyExchange + CertificateVerify +
 *       ChangeCipherSpec + Finished (epoch 1, encrypted)
 *   dtls-server-finished             ChangeCipherSpec + Finished (epoch 1, encrypted)
 */
#include "synth.h"

#include <stdlib.h>
#include <string.h>

#define DTLS_1_0 0xfeffu
#define DTLS_1_2 0xfefdu

static void put_random(struct bctx *ctx, struct sbuf *b, size_t n)
{
	size_t at = b->len;
	sb_fill(b, 0, n);
	rng_bytes(ctx->rng, b->d + at, n);
}

/* Record header: type, version, epoch, 48-bit sequence number; returns the length mark. */
static size_t rec_begin(struct bctx *ctx, struct sbuf *b, unsigned type, unsigned version)
{
	struct pstate *ps = &ctx->f->ps;
	uint64_t seq = ps->dtls_rseq[ctx->dir]++;
	sb_u8(b, type);
	sb_u16(b, version);
	sb_u16(b, ps->dtls_epoch[ctx->dir]);
	sb_u16(b, (unsigned)(seq >> 32) & 0xffff);
	sb_u32(b, (uint32_t)seq);
	return sb_len_begin(b, 2);
}

/* Handshake message header (RFC 6347 4.2.2); the caller writes the body, then hs_end(). */
static size_t hs_begin(struct bctx *ctx, struct sbuf *b, unsigned type)
{
	sb_u8(b, type);
	size_t at = b->len;
	sb_u24(b, 0);			/* length */
	sb_u16(b, ctx->f->ps.dtls_mseq[ctx->dir]++);
	sb_u24(b, 0);			/* fragment_offset */
	sb_u24(b, 0);			/* fragment_length */
	return at;
}

static void hs_end(struct sbuf *b, size_t at)
{
	uint32_t n = (uint32_t)(b->len - at - 11);
	uint8_t *p = b->d + at;
	p[0] = (uint8_t)(n >> 16);
	p[1] = (uint8_t)(n >> 8);
	p[2] = (uint8_t)n;
	memcpy(p + 8, p, 3);		/* fragment_length = length: one fragment */
}

/* srtp=0x0007,0x0001: SRTP protection profiles (RFC 5764 4.1.2) */
static int parse_profiles(struct bctx *ctx, const char *bn, const char *s, uint16_t *out,
			  int max)
{
	int n = 0;
	char buf[128];
	if (strlen(s) >= sizeof buf)
		return berr(ctx, "%s: srtp= too long", bn);
	strcpy(buf, s);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(t, &end, 0);
		if (*end || !*t || v == 0 || v > 0xffff)
			return berr(ctx, "%s: bad SRTP profile `%s`", bn, t);
		if (n == max)
			return berr(ctx, "%s: at most %d SRTP profiles", bn, max);
		out[n++] = (uint16_t)v;
	}
	if (!n)
		return berr(ctx, "%s: srtp= names no profile", bn);
	return n;
}

static void ext_use_srtp(struct sbuf *b, const uint16_t *prof, int n)
{
	sb_u16(b, 0x000e);
	sb_u16(b, (unsigned)(2 + 2 * n + 1));
	sb_u16(b, (unsigned)(2 * n));
	for (int i = 0; i < n; i++)
		sb_u16(b, prof[i]);
	sb_u8(b, 0);			/* srtp_mki: empty */
}

static int client_hello(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "srtp", NULL };
	const char *bn = "dtls-client-hello";
	uint16_t prof[8] = { 0x0007, 0x0008, 0x0001, 0x0002 };
	int np = 4;
	if (bargs_check(ctx, bn, argc, argv, allowed))
		return -1;
	const char *sp = barg(argc, argv, "srtp");
	if (sp && (np = parse_profiles(ctx, bn, sp, prof, 8)) < 0)
		return -1;
	size_t r = rec_begin(ctx, out, 0x16, DTLS_1_0);
	size_t h = hs_begin(ctx, out, 0x01);
	sb_u16(out, DTLS_1_2);
	put_random(ctx, out, 32);
	sb_u8(out, 0);			/* session_id */
	sb_u8(out, 0);			/* cookie: the server sent no HelloVerifyRequest */
	static const uint16_t suites[] = { 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc009, 0xc013,
					   0xc00a, 0xc014 };
	sb_u16(out, sizeof suites);
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		sb_u16(out, suites[i]);
	sb_u8(out, 1);
	sb_u8(out, 0);
	size_t ex = sb_len_begin(out, 2);
	sb_put(out, "\x00\x17\x00\x00", 4);			/* extended_master_secret */
	sb_put(out, "\xff\x01\x00\x01\x00", 5);			/* renegotiation_info */
	sb_put(out, "\x00\x0a\x00\x08\x00\x06\x00\x1d\x00\x17\x00\x18", 12);	/* groups */
	sb_put(out, "\x00\x0b\x00\x02\x01\x00", 6);		/* ec_point_formats */
	sb_put(out, "\x00\x0d\x00\x14\x00\x12\x04\x03\x08\x04\x04\x01\x05\x03\x08\x05\x05\x01"
		    "\x08\x06\x06\x01\x02\x01", 24);		/* signature_algorithms */
	ext_use_srtp(out, prof, np);
	sb_len_end(out, ex, 2);
	hs_end(out, h);
	sb_len_end(out, r, 2);
	return 0;
}

/* Certificate message with one certificate */
static int certificate(struct bctx *ctx, const char *bn, const char *cn, struct sbuf *out)
{
	if (strlen(cn) > 200 || !*cn)
		return berr(ctx, "%s: bad cn=", bn);
	struct sbuf der;
	sb_init(&der);
	/* WebRTC endpoints present a self-signed certificate: issuer = subject */
	if (tls_build_cert(ctx, cn, cn, NULL, cn, &der)) {
		sb_free(&der);
		return -1;
	}
	size_t r = rec_begin(ctx, out, 0x16, DTLS_1_2);
	size_t h = hs_begin(ctx, out, 0x0b);
	sb_u24(out, (uint32_t)der.len + 3);
	sb_u24(out, (uint32_t)der.len);
	sb_put(out, der.d, der.len);
	sb_free(&der);
	hs_end(out, h);
	sb_len_end(out, r, 2);
	return 0;
}

/* ChangeCipherSpec, then the encrypted Finished in the next epoch */
static void ccs_finished(struct bctx *ctx, struct sbuf *out)
{
	struct pstate *ps = &ctx->f->ps;
	size_t r = rec_begin(ctx, out, 0x14, DTLS_1_2);
	sb_u8(out, 1);
	sb_len_end(out, r, 2);
	ps->dtls_epoch[ctx->dir]++;
	ps->dtls_rseq[ctx->dir] = 0;
	r = rec_begin(ctx, out, 0x16, DTLS_1_2);
	put_random(ctx, out, 8 + 12 + 16);	/* explicit nonce, Finished, AEAD tag */
	sb_len_end(out, r, 2);
	ps->dtls_mseq[ctx->dir]++;
}

static int server_hello(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "cn", "srtp", NULL };
	const char *bn = "dtls-server-hello";
	uint16_t prof[1] = { 0x0001 };
	if (bargs_check(ctx, bn, argc, argv, allowed))
		return -1;
	const char *sp = barg(argc, argv, "srtp"), *cn = barg(argc, argv, "cn");
	if (sp && parse_profiles(ctx, bn, sp, prof, 1) < 0)
		return -1;
	size_t r = rec_begin(ctx, out, 0x16, DTLS_1_2);
	size_t h = hs_begin(ctx, out, 0x02);
	sb_u16(out, DTLS_1_2);
	put_random(ctx, out, 32);
	sb_u8(out, 32);
	put_random(ctx, out, 32);
	sb_u16(out, 0xc02b);		/* ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
	sb_u8(out, 0);
	size_t ex = sb_len_begin(out, 2);
	sb_put(out, "\x00\x17\x00\x00", 4);
	sb_put(out, "\xff\x01\x00\x01\x00", 5);
	sb_put(out, "\x00\x0b\x00\x02\x01\x00", 6);
	ext_use_srtp(out, prof, 1);
	sb_len_end(out, ex, 2);
	hs_end(out, h);
	sb_len_end(out, r, 2);
	if (certificate(ctx, bn, cn ? cn : "WebRTC", out))
		return -1;
	r = rec_begin(ctx, out, 0x16, DTLS_1_2);	/* ServerKeyExchange: ECDHE secp256r1 */
	h = hs_begin(ctx, out, 0x0c);
	sb_put(out, "\x03\x00\x17\x41\x04", 5);
	put_random(ctx, out, 64);
	sb_put(out, "\x04\x01\x01\x00", 4);	/* rsa_pkcs1_sha256, 256-byte signature */
	put_random(ctx, out, 256);
	hs_end(out, h);
	sb_len_end(out, r, 2);
	r = rec_begin(ctx, out, 0x16, DTLS_1_2);	/* CertificateRequest: WebRTC authenticates both */
	h = hs_begin(ctx, out, 0x0d);
	sb_put(out, "\x02\x01\x40", 3);		/* rsa_sign, ecdsa_sign */
	sb_put(out, "\x00\x04\x04\x03\x04\x01", 6);	/* ecdsa_secp256r1_sha256, rsa_pkcs1_sha256 */
	sb_u16(out, 0);			/* no certificate authorities */
	hs_end(out, h);
	sb_len_end(out, r, 2);
	r = rec_begin(ctx, out, 0x16, DTLS_1_2);	/* ServerHelloDone */
	h = hs_begin(ctx, out, 0x0e);
	hs_end(out, h);
	sb_len_end(out, r, 2);
	return 0;
}

static int client_finished(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "cn", NULL };
	const char *bn = "dtls-client-finished";
	if (bargs_check(ctx, bn, argc, argv, allowed))
		return -1;
	const char *cn = barg(argc, argv, "cn");
	if (certificate(ctx, bn, cn ? cn : "WebRTC", out))
		return -1;
	size_t r = rec_begin(ctx, out, 0x16, DTLS_1_2);	/* ClientKeyExchange */
	size_t h = hs_begin(ctx, out, 0x10);
	sb_put(out, "\x41\x04", 2);
	put_random(ctx, out, 64);
	hs_end(out, h);
	sb_len_end(out, r, 2);
	r = rec_begin(ctx, out, 0x16, DTLS_1_2);	/* CertificateVerify */
	h = hs_begin(ctx, out, 0x0f);
	sb_put(out, "\x04\x01\x01\x00", 4);
	put_random(ctx, out, 256);
	hs_end(out, h);
	sb_len_end(out, r, 2);
	ccs_finished(ctx, out);
	return 0;
}

int dtls_build(struct bctx *ctx, const char *name, int argc, char **argv, struct sbuf *out,
	       int *handled)
{
	*handled = 1;
	if (strncmp(name, "dtls-", 5) == 0 && ctx->f->proto != 17)
		return berr(ctx, "%s needs a udp flow", name);
	if (!strcmp(name, "dtls-client-hello"))
		return client_hello(ctx, argc, argv, out);
	if (!strcmp(name, "dtls-server-hello"))
		return server_hello(ctx, argc, argv, out);
	if (!strcmp(name, "dtls-client-finished"))
		return client_finished(ctx, argc, argv, out);
	if (!strcmp(name, "dtls-server-finished")) {
		if (argc)
			return berr(ctx, "dtls-server-finished takes no arguments");
		ccs_finished(ctx, out);
		return 0;
	}
	*handled = 0;
	return 0;
}
