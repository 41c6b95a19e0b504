/* synth_tls.c - ucflow-synth TLS builders: ClientHello, ServerHello, DER X.509 certificate, records.
 *
 *   tls-client-hello [sni=NAME] [alpn=h2,http/1.1] [version=1.2|1.3]   (default 1.3: offers
 *       TLS 1.3 and 1.2 in supported_versions, with a key_share)
 *   tls-server-hello [version=1.2|1.3] [alpn=PROTO]
 *       1.3: ServerHello + ChangeCipherSpec + one encrypted record; 1.2: resumption-style
 *       ServerHello + ChangeCipherSpec + encrypted Finished
 *   tls-server-certificate cn=NAME* [san=a,b,...] [org=S] [issuer=S] [alpn=PROTO]
 *       TLS 1.2 ServerHello + Certificate (DER X.509 v3: subject CN, subjectAltName dNSName
 *       entries, basicConstraints, extKeyUsage; RSA 2048 key and signature are filler)
 *       + ServerKeyExchange (ECDHE secp256r1) + ServerHelloDone, in one handshake record
 *   tls-client-finished [version=1.2|1.3]  1.2: ClientKeyExchange + CCS + encrypted Finished;
 *                                           1.3: CCS + encrypted Finished
 *   tls-server-finished                     CCS + encrypted Finished (TLS 1.2)
 *   tls-app-data size=N*                    application_data record(s) of N random bytes
 */
#include "synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OID given as its DER content bytes */
static void der_oid(struct sbuf *b, const char *bytes, size_t n)
{
	der_prim(b, 0x06, bytes, n);
}

#define OID(b, lit) der_oid((b), (lit), sizeof(lit) - 1)
#define OID_CN "\x55\x04\x03"
#define OID_O "\x55\x04\x0a"
#define OID_C "\x55\x04\x06"
#define OID_SHA256_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"
#define OID_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"
#define OID_SAN "\x55\x1d\x11"
#define OID_BASIC "\x55\x1d\x13"
#define OID_EKU "\x55\x1d\x25"
#define OID_SERVER_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x01"

static void der_alg_sha256rsa(struct sbuf *b)
{
	size_t s = der_begin(b, 0x30);
	OID(b, OID_SHA256_RSA);
	der_prim(b, 0x05, NULL, 0);
	der_end(b, s);
}

/* RelativeDistinguishedName: SET { SEQUENCE { type, value } } */
static void der_rdn(struct sbuf *b, const char *oid, size_t oidlen, unsigned strtag,
		    const char *val)
{
	size_t set = der_begin(b, 0x31);
	size_t seq = der_begin(b, 0x30);
	der_oid(b, oid, oidlen);
	der_prim(b, strtag, val, strlen(val));
	der_end(b, seq);
	der_end(b, set);
}

static void der_name(struct sbuf *b, const char *country, const char *org, const char *cn)
{
	size_t s = der_begin(b, 0x30);
	if (country)
		der_rdn(b, OID_C, 3, 0x13, country);	/* PrintableString */
	if (org)
		der_rdn(b, OID_O, 3, 0x0c, org);	/* UTF8String */
	der_rdn(b, OID_CN, 3, 0x0c, cn);	/* UTF8String: allows '*' of wildcard names */
	der_end(b, s);
}

static void der_int_bytes(struct sbuf *b, const uint8_t *p, size_t n)
{
	/* positive INTEGER: strip leading zeros, add one if the top bit is set */
	while (n > 1 && p[0] == 0 && !(p[1] & 0x80)) {
		p++;
		n--;
	}
	size_t s = der_begin(b, 0x02);
	if (p[0] & 0x80)
		sb_u8(b, 0);
	sb_put(b, p, n);
	der_end(b, s);
}

int tls_build_cert(struct bctx *ctx, const char *cn, const char *san, const char *org,
		      const char *issuer, struct sbuf *b)
{
	uint8_t rnd[256];
	size_t cert = der_begin(b, 0x30);
	size_t tbs = der_begin(b, 0x30);
	/* version [0] EXPLICIT v3 */
	size_t v = der_begin(b, 0xa0);
	sb_put(b, "\x02\x01\x02", 3);
	der_end(b, v);
	rng_bytes(ctx->rng, rnd, 16);
	rnd[0] &= 0x7f;
	rnd[0] |= 0x10;
	der_int_bytes(b, rnd, 16);
	der_alg_sha256rsa(b);
	der_name(b, "US", "ucflow synthetic", issuer);
	size_t val = der_begin(b, 0x30);
	der_prim(b, 0x17, "250101000000Z", 13);	/* UTCTime */
	der_prim(b, 0x17, "351231235959Z", 13);
	der_end(b, val);
	der_name(b, NULL, org, cn);
	/* SubjectPublicKeyInfo: rsaEncryption, RSAPublicKey { n (2048 bits), e = 65537 } */
	size_t spki = der_begin(b, 0x30);
	size_t alg = der_begin(b, 0x30);
	OID(b, OID_RSA);
	der_prim(b, 0x05, NULL, 0);
	der_end(b, alg);
	size_t bits = der_begin(b, 0x03);
	sb_u8(b, 0);
	size_t rsa = der_begin(b, 0x30);
	rng_bytes(ctx->rng, rnd, 256);
	rnd[0] |= 0xc0;
	rnd[255] |= 1;
	der_int_bytes(b, rnd, 256);
	der_int_bytes(b, (const uint8_t *)"\x01\x00\x01", 3);
	der_end(b, rsa);
	der_end(b, bits);
	der_end(b, spki);
	/* extensions [3] EXPLICIT SEQUENCE OF Extension */
	size_t x3 = der_begin(b, 0xa3);
	size_t xs = der_begin(b, 0x30);
	/* basicConstraints critical CA:FALSE -> extnValue OCTET STRING { SEQUENCE {} } */
	size_t e = der_begin(b, 0x30);
	OID(b, OID_BASIC);
	der_prim(b, 0x01, "\xff", 1);
	der_prim(b, 0x04, "\x30\x00", 2);
	der_end(b, e);
	/* extKeyUsage serverAuth */
	e = der_begin(b, 0x30);
	OID(b, OID_EKU);
	size_t os = der_begin(b, 0x04);
	size_t sq = der_begin(b, 0x30);
	OID(b, OID_SERVER_AUTH);
	der_end(b, sq);
	der_end(b, os);
	der_end(b, e);
	/* subjectAltName: GeneralNames SEQUENCE { [2] IMPLICIT IA5String dNSName ... } */
	e = der_begin(b, 0x30);
	OID(b, OID_SAN);
	os = der_begin(b, 0x04);
	sq = der_begin(b, 0x30);
	char list[2048];
	if (strlen(san ? san : cn) >= sizeof list)
		return berr(ctx, "tls-server-certificate: san= too long");
	snprintf(list, sizeof list, "%s", san ? san : cn);
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
		der_prim(b, 0x82, t, strlen(t));
	der_end(b, sq);
	der_end(b, os);
	der_end(b, e);
	der_end(b, xs);
	der_end(b, x3);
	der_end(b, tbs);
	der_alg_sha256rsa(b);
	bits = der_begin(b, 0x03);
	sb_u8(b, 0);
	size_t sig = b->len;
	sb_fill(b, 0, 256);
	rng_bytes(ctx->rng, b->d + sig, 256);
	der_end(b, bits);
	der_end(b, cert);
	return 0;
}

/* ---- records ----------------------------------------------------------------------------- */
static size_t rec_begin(struct sbuf *b, unsigned type, unsigned version)
{
	sb_u8(b, type);
	sb_u16(b, version);
	return sb_len_begin(b, 2);
}

static size_t hs_begin(struct sbuf *b, unsigned type)
{
	sb_u8(b, type);
	return sb_len_begin(b, 3);
}

static void put_random(struct bctx *ctx, struct sbuf *b, size_t n)
{
	size_t at = b->len;
	sb_fill(b, 0, n);
	rng_bytes(ctx->rng, b->d + at, n);
}

static void ccs_record(struct sbuf *b)
{
	sb_put(b, "\x14\x03\x03\x00\x01\x01", 6);
}

static void encrypted_record(struct bctx *ctx, struct sbuf *b, unsigned type, size_t n)
{
	size_t r = rec_begin(b, type, 0x0303);
	put_random(ctx, b, n);
	sb_len_end(b, r, 2);
}

static int parse_version(struct bctx *ctx, const char *bn, const char *v, int def)
{
	if (!v)
		return def;
	if (!strcmp(v, "1.2"))
		return 12;
	if (!strcmp(v, "1.3"))
		return 13;
	return berr(ctx, "%s: version=1.2|1.3", bn);
}

static void ext_alpn(struct sbuf *b, const char *alpn)
{
	char list[512];
	snprintf(list, sizeof list, "%s", alpn);
	sb_u16(b, 0x0010);
	size_t e = sb_len_begin(b, 2);
	size_t l = sb_len_begin(b, 2);
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		sb_u8(b, (unsigned)strlen(t));
		sb_str(b, t);
	}
	sb_len_end(b, l, 2);
	sb_len_end(b, e, 2);
}

static int check_alpn(struct bctx *ctx, const char *bn, const char *alpn)
{
	if (!alpn)
		return 0;
	if (strlen(alpn) >= 512 || !*alpn)
		return berr(ctx, "%s: bad alpn=", bn);
	for (const char *p = alpn, *q; *p; p = *q ? q + 1 : q) {
		q = strchr(p, ',');
		if (!q)
			q = p + strlen(p);
		if (q == p || q - p > 255)
			return berr(ctx, "%s: empty or too long ALPN protocol", bn);
	}
	return 0;
}

int tls_client_hello(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "sni", "alpn", "version", NULL };
	const char *bn = "tls-client-hello";
	if (bargs_check(ctx, bn, argc, argv, allowed))
		return -1;
	const char *sni = barg(argc, argv, "sni"), *alpn = barg(argc, argv, "alpn");
	int ver = parse_version(ctx, bn, barg(argc, argv, "version"), 13);
	if (ver < 0 || check_alpn(ctx, bn, alpn))
		return -1;
	if (sni && (strlen(sni) > 253 || !*sni))
		return berr(ctx, "%s: bad sni=", bn);

	size_t r = rec_begin(out, 0x16, 0x0301);
	size_t h = hs_begin(out, 0x01);
	sb_u16(out, 0x0303);
	put_random(ctx, out, 32);
	sb_u8(out, 32);
	put_random(ctx, out, 32);
	static const uint16_t suites13[] = { 0x1301, 0x1302, 0x1303 };
	static const uint16_t suites12[] = { 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
					     0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
	size_t cs = sb_len_begin(out, 2);
	if (ver == 13)
		for (size_t i = 0; i < 3; i++)
			sb_u16(out, suites13[i]);
	for (size_t i = 0; i < sizeof suites12 / sizeof suites12[0]; i++)
		sb_u16(out, suites12[i]);
	sb_len_end(out, cs, 2);
	sb_u8(out, 1);
	sb_u8(out, 0);
	size_t ex = sb_len_begin(out, 2);
	if (sni) {
		sb_u16(out, 0x0000);
		size_t e = sb_len_begin(out, 2);
		size_t l = sb_len_begin(out, 2);
		sb_u8(out, 0);
		sb_u16(out, (unsigned)strlen(sni));
		sb_str(out, sni);
		sb_len_end(out, l, 2);
		sb_len_end(out, e, 2);
	}
	sb_put(out, "\x00\x17\x00\x00", 4);			/* extended_master_secret */
	sb_put(out, "\xff\x01\x00\x01\x00", 5);			/* renegotiation_info */
	sb_put(out, "\x00\x0a\x00\x08\x00\x06\x00\x1d\x00\x17\x00\x18", 12);	/* groups */
	sb_put(out, "\x00\x0b\x00\x02\x01\x00", 6);		/* ec_point_formats */
	sb_put(out, "\x00\x23\x00\x00", 4);			/* session_ticket */
	if (alpn)
		ext_alpn(out, alpn);
	sb_put(out, "\x00\x05\x00\x05\x01\x00\x00\x00\x00", 9);	/* status_request */
	sb_put(out, "\x00\x0d\x00\x12\x00\x10\x04\x03\x08\x04\x04\x01\x05\x03\x08\x05\x05\x01"
		    "\x08\x06\x06\x01", 22);			/* signature_algorithms */
	if (ver == 13) {
		sb_put(out, "\x00\x2b\x00\x05\x04\x03\x04\x03\x03", 9);	/* supported_versions */
		sb_put(out, "\x00\x2d\x00\x02\x01\x01", 6);		/* psk_key_exchange_modes */
		sb_put(out, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20", 10);	/* key_share */
		put_random(ctx, out, 32);
	}
	sb_len_end(out, ex, 2);
	sb_len_end(out, h, 3);
	sb_len_end(out, r, 2);
	return 0;
}

static void server_hello_msg(struct bctx *ctx, struct sbuf *out, int ver, const char *alpn)
{
	size_t h = hs_begin(out, 0x02);
	sb_u16(out, 0x0303);
	put_random(ctx, out, 32);
	sb_u8(out, 32);
	put_random(ctx, out, 32);
	sb_u16(out, ver == 13 ? 0x1301 : 0xc02f);
	sb_u8(out, 0);
	size_t ex = sb_len_begin(out, 2);
	if (ver == 13) {
		sb_put(out, "\x00\x2b\x00\x02\x03\x04", 6);
		sb_put(out, "\x00\x33\x00\x24\x00\x1d\x00\x20", 8);
		put_random(ctx, out, 32);
	} else {
		sb_put(out, "\xff\x01\x00\x01\x00", 5);
		sb_put(out, "\x00\x0b\x00\x02\x01\x00", 6);
		sb_put(out, "\x00\x17\x00\x00", 4);
		if (alpn)
			ext_alpn(out, alpn);
	}
	sb_len_end(out, ex, 2);
	sb_len_end(out, h, 3);
}

int tls_server_hello(struct bctx *ctx, int argc, char **argv, struct sbuf *out, int with_cert)
{
	static const char *const a_hello[] = { "version", "alpn", NULL };
	static const char *const a_cert[] = { "cn", "san", "org", "issuer", "alpn", NULL };
	const char *bn = with_cert ? "tls-server-certificate" : "tls-server-hello";
	if (bargs_check(ctx, bn, argc, argv, with_cert ? a_cert : a_hello))
		return -1;
	const char *alpn = barg(argc, argv, "alpn");
	if (check_alpn(ctx, bn, alpn))
		return -1;
	if (alpn && strchr(alpn, ','))
		return berr(ctx, "%s: the server selects one ALPN protocol", bn);
	if (!with_cert) {
		int ver = parse_version(ctx, bn, barg(argc, argv, "version"), 13);
		if (ver < 0)
			return -1;
		size_t r = rec_begin(out, 0x16, 0x0303);
		server_hello_msg(ctx, out, ver, ver == 12 ? alpn : NULL);
		sb_len_end(out, r, 2);
		ccs_record(out);
		if (ver == 13)	/* EncryptedExtensions, Certificate, CertificateVerify, Finished */
			encrypted_record(ctx, out, 0x17, 1180);
		else
			encrypted_record(ctx, out, 0x16, 40);
		return 0;
	}
	const char *cn = barg(argc, argv, "cn");
	if (!cn || !*cn)
		return berr(ctx, "%s: cn= is required", bn);
	const char *san = barg(argc, argv, "san"), *org = barg(argc, argv, "org");
	const char *issuer = barg(argc, argv, "issuer");
	if (strlen(cn) > 200 || (org && strlen(org) > 200) || (issuer && strlen(issuer) > 200))
		return berr(ctx, "%s: value too long", bn);
	struct sbuf der;
	sb_init(&der);
	if (tls_build_cert(ctx, cn, san, org, issuer ? issuer : "ucflow synthetic CA", &der)) {
		sb_free(&der);
		return -1;
	}
	size_t r = rec_begin(out, 0x16, 0x0303);
	server_hello_msg(ctx, out, 12, alpn);
	size_t h = hs_begin(out, 0x0b);
	size_t list = sb_len_begin(out, 3);
	sb_u24(out, (uint32_t)der.len);
	sb_put(out, der.d, der.len);
	sb_len_end(out, list, 3);
	sb_len_end(out, h, 3);
	sb_free(&der);
	/* ServerKeyExchange: ECDHE secp256r1, rsa_pkcs1_sha256 signature */
	h = hs_begin(out, 0x0c);
	sb_put(out, "\x03\x00\x17\x41\x04", 5);
	put_random(ctx, out, 64);
	sb_put(out, "\x04\x01\x01\x00", 4);
	put_random(ctx, out, 256);
	sb_len_end(out, h, 3);
	h = hs_begin(out, 0x0e);	/* ServerHelloDone */
	sb_len_end(out, h, 3);
	if (out->len - r > 16384) {
		return berr(ctx, "%s: handshake record too large", bn);
	}
	sb_len_end(out, r, 2);
	return 0;
}

int tls_client_finished(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "version", NULL };
	const char *bn = "tls-client-finished";
	if (bargs_check(ctx, bn, argc, argv, allowed))
		return -1;
	int ver = parse_version(ctx, bn, barg(argc, argv, "version"), 12);
	if (ver < 0)
		return -1;
	if (ver == 12) {
		size_t r = rec_begin(out, 0x16, 0x0303);
		size_t h = hs_begin(out, 0x10);	/* ClientKeyExchange, ECDHE public point */
		sb_put(out, "\x41\x04", 2);
		put_random(ctx, out, 64);
		sb_len_end(out, h, 3);
		sb_len_end(out, r, 2);
		ccs_record(out);
		encrypted_record(ctx, out, 0x16, 40);
	} else {
		ccs_record(out);
		encrypted_record(ctx, out, 0x17, 53);
	}
	return 0;
}

int tls_server_finished(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	(void)argv;
	if (argc)
		return berr(ctx, "tls-server-finished takes no arguments");
	ccs_record(out);
	encrypted_record(ctx, out, 0x16, 40);
	return 0;
}

int tls_app_data(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "size", NULL };
	uint32_t size;
	if (bargs_check(ctx, "tls-app-data", argc, argv, allowed))
		return -1;
	if (!barg(argc, argv, "size"))
		return berr(ctx, "tls-app-data: size= is required");
	if (barg_u32(ctx, argc, argv, "size", 0, 60000, &size))
		return -1;
	if (size == 0)
		return berr(ctx, "tls-app-data: size= must be > 0");
	while (size) {
		uint32_t n = size > 16384 ? 16384 : size;
		encrypted_record(ctx, out, 0x17, n);
		size -= n;
	}
	return 0;
}
