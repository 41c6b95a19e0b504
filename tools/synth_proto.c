/* synth_proto.c - ucflow-synth builders for binary protocols: Sametime, LDAP, TDS, MongoDB, Kafka.
 *
 * The direction of the packet picks request or answer where the protocol has both:
 *   sametime-handshake [host=NAME]  client: HANDSHAKE (0x0000); server: HANDSHAKE_ACK (0x8000)
 *   sametime-login user=NAME*       LOGIN (0x0001)
 *   sametime-send size=N* [channel=N]   CHANNEL_SEND (0x0004), ENCRYPT option, N random bytes
 *   ldap-bind dn=DN [password=S] [id=N]          BindRequest, simple authentication
 *   ldap-bind-response [id=N]                    BindResponse success
 *   ldap-search base=DN* [attr=NAME] [id=N]       SearchRequest, filter (objectClass=*)
 *   ldap-search-result dn=DN* [attr=NAME] [value=S] [id=N]   SearchResultEntry + Done
 *   ldap-unbind [id=N]
 *   tds-prelogin                    client: PRELOGIN (0x12); server: response (0x04)
 *   mongo-hello                     client: OP_MSG {hello:1,$db:"admin"}; server: OP_MSG reply
 *   kafka-api-versions [client-id=S]  client: ApiVersions v0 request; server: v0 response
 */
#include "synth.h"

#include <string.h>

/* ---- Sametime --------------------------------------------------------------------------- */
static void st_text(struct sbuf *b, const char *s)
{
	sb_u16(b, (unsigned)strlen(s));
	sb_str(b, s);
}

static int b_sametime(struct bctx *ctx, const char *name, int argc, char **argv,
		      struct sbuf *out)
{
	static const char *const a_hs[] = { "host", NULL };
	static const char *const a_login[] = { "user", NULL };
	const struct flow *f = ctx->f;
	if (!strcmp(name, "sametime-send")) {
		static const char *const a_send[] = { "size", "channel", NULL };
		uint32_t size, chan;
		if (bargs_check(ctx, name, argc, argv, a_send))
			return -1;
		if (!barg(argc, argv, "size"))
			return berr(ctx, "%s: size= is required", name);
		if (barg_u32(ctx, argc, argv, "size", 0, 60000, &size) ||
		    barg_u32(ctx, argc, argv, "channel", 0x00000101u, UINT32_MAX, &chan))
			return -1;
		size_t len = sb_len_begin(out, 4);
		sb_u16(out, 0x0004);	/* CHANNEL_SEND */
		sb_u16(out, 0x4000);	/* options: ENCRYPT */
		sb_u32(out, chan);
		sb_u16(out, 0x0064);	/* send type: IM data */
		sb_u32(out, size);
		size_t at = out->len;
		sb_fill(out, 0, size);
		rng_bytes(ctx->rng, out->d + at, size);
		sb_len_end(out, len, 4);
		return 0;
	}
	int login = !strcmp(name, "sametime-login");
	if (bargs_check(ctx, name, argc, argv, login ? a_login : a_hs))
		return -1;
	const char *user = barg(argc, argv, "user");
	const char *host = barg(argc, argv, "host");
	if (login && !user)
		return berr(ctx, "%s: user= is required", name);
	if ((user && strlen(user) > 1000) || (host && strlen(host) > 1000))
		return berr(ctx, "%s: value too long", name);
	if (f->af != 4)
		return berr(ctx, "%s: the Sametime handshake carries IPv4 addresses only", name);
	size_t len = sb_len_begin(out, 4);
	unsigned type = login ? 0x0001 : ctx->dir == DIR_C2S ? 0x0000 : 0x8000;
	sb_u16(out, type);
	sb_u16(out, 0);		/* options */
	sb_u32(out, 0);		/* channel */
	if (login) {
		sb_u16(out, 0x1000);	/* login type */
		st_text(out, user);
		sb_fill(out, 0, 4);
	} else if (ctx->dir == DIR_C2S) {
		sb_u16(out, 0x001e);	/* major */
		sb_u16(out, 0x001d);	/* minor */
		sb_u32(out, 0);
		sb_put(out, f->addr[DIR_S2C], 4);	/* server address as computed by the client */
		sb_u16(out, 0x1000);	/* login type */
		sb_put(out, f->addr[DIR_C2S], 4);	/* local address */
		sb_fill(out, 0, 6);
		st_text(out, host ? host : "ucflow-synth");
		sb_fill(out, 0, 8);
		sb_fill(out, 0, 3);	/* empty trailing text field */
	} else {
		sb_u16(out, 0x001e);
		sb_u16(out, 0x001d);
		sb_put(out, f->addr[DIR_S2C], 4);	/* the client address as the server sees it */
		sb_fill(out, 0, 8);
		st_text(out, host ? host : "sametime");
	}
	sb_len_end(out, len, 4);
	return 0;
}

/* ---- LDAP (BER) ------------------------------------------------------------------------- */
static void ber_int(struct sbuf *b, unsigned tag, uint32_t v)
{
	uint8_t tmp[5];
	int n = 0;
	tmp[n++] = 0;
	for (int i = 3; i >= 0; i--)
		tmp[n++] = (uint8_t)(v >> (8 * i));
	int s = 0;
	while (s < n - 1 && tmp[s] == 0 && !(tmp[s + 1] & 0x80))
		s++;
	der_prim(b, tag, tmp + s, (size_t)(n - s));
}

static void ber_str(struct sbuf *b, unsigned tag, const char *s)
{
	der_prim(b, tag, s, strlen(s));
}

static int b_ldap(struct bctx *ctx, const char *name, int argc, char **argv, struct sbuf *out)
{
	static const char *const a_bind[] = { "dn", "password", "id", NULL };
	static const char *const a_id[] = { "id", NULL };
	static const char *const a_search[] = { "base", "attr", "id", NULL };
	static const char *const a_res[] = { "dn", "attr", "value", "id", NULL };
	int bind = !strcmp(name, "ldap-bind"), search = !strcmp(name, "ldap-search");
	int res = !strcmp(name, "ldap-search-result");
	const char *const *allowed = bind ? a_bind : search ? a_search : res ? a_res : a_id;
	if (bargs_check(ctx, name, argc, argv, allowed))
		return -1;
	uint32_t id;
	if (barg_u32(ctx, argc, argv, "id", 1, 0x7fffffff, &id))
		return -1;
	const char *dn = barg(argc, argv, "dn"), *pw = barg(argc, argv, "password");
	const char *base = barg(argc, argv, "base"), *attr = barg(argc, argv, "attr");
	const char *val = barg(argc, argv, "value");
	if (search && !base)
		return berr(ctx, "%s: base= is required", name);
	if (res && !dn)
		return berr(ctx, "%s: dn= is required", name);
	if (!attr)
		attr = "cn";

	size_t msg = der_begin(out, 0x30);
	ber_int(out, 0x02, id);
	if (bind) {
		size_t op = der_begin(out, 0x60);
		ber_int(out, 0x02, 3);
		ber_str(out, 0x04, dn ? dn : "");
		ber_str(out, 0x80, pw ? pw : "");
		der_end(out, op);
	} else if (!strcmp(name, "ldap-bind-response")) {
		size_t op = der_begin(out, 0x61);
		der_prim(out, 0x0a, "\x00", 1);
		ber_str(out, 0x04, "");
		ber_str(out, 0x04, "");
		der_end(out, op);
	} else if (search) {
		size_t op = der_begin(out, 0x63);
		ber_str(out, 0x04, base);
		der_prim(out, 0x0a, "\x02", 1);	/* wholeSubtree */
		der_prim(out, 0x0a, "\x00", 1);	/* neverDerefAliases */
		ber_int(out, 0x02, 0);
		ber_int(out, 0x02, 0);
		der_prim(out, 0x01, "\x00", 1);
		ber_str(out, 0x87, "objectClass");	/* present filter */
		size_t at = der_begin(out, 0x30);
		ber_str(out, 0x04, attr);
		der_end(out, at);
		der_end(out, op);
	} else if (res) {
		size_t op = der_begin(out, 0x64);
		ber_str(out, 0x04, dn);
		size_t attrs = der_begin(out, 0x30);
		size_t pa = der_begin(out, 0x30);
		ber_str(out, 0x04, attr);
		size_t vals = der_begin(out, 0x31);
		ber_str(out, 0x04, val ? val : "synth");
		der_end(out, vals);
		der_end(out, pa);
		der_end(out, attrs);
		der_end(out, op);
		der_end(out, msg);
		/* SearchResultDone in the same segment */
		msg = der_begin(out, 0x30);
		ber_int(out, 0x02, id);
		op = der_begin(out, 0x65);
		der_prim(out, 0x0a, "\x00", 1);
		ber_str(out, 0x04, "");
		ber_str(out, 0x04, "");
		der_end(out, op);
	} else if (!strcmp(name, "ldap-unbind")) {
		der_prim(out, 0x42, NULL, 0);
	}
	der_end(out, msg);
	return 0;
}

/* ---- TDS (MS SQL) PRELOGIN ---------------------------------------------------------------- */
static int b_tds(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const a_none[] = { NULL };
	if (bargs_check(ctx, "tds-prelogin", argc, argv, a_none))
		return -1;
	int resp = ctx->dir == DIR_S2C;
	size_t start = out->len;
	sb_u8(out, resp ? 0x04 : 0x12);
	sb_u8(out, 0x01);	/* EOM */
	sb_u16(out, 0);		/* length, patched below */
	sb_u16(out, 0);		/* SPID */
	sb_u8(out, 1);		/* packet id */
	sb_u8(out, 0);		/* window */
	/* option table: token, offset, length (offsets from the start of the payload) */
	static const uint8_t tok[5] = { 0, 1, 2, 3, 4 };
	static const uint16_t len[5] = { 6, 1, 1, 4, 1 };
	uint16_t off = 5 * 5 + 1;
	for (int i = 0; i < 5; i++) {
		sb_u8(out, tok[i]);
		sb_u16(out, off);
		sb_u16(out, len[i]);
		off = (uint16_t)(off + len[i]);
	}
	sb_u8(out, 0xff);
	sb_put(out, resp ? "\x0f\x00\x07\xd0\x00\x00" : "\x0b\x00\x00\x00\x00\x00", 6);	/* version */
	sb_u8(out, resp ? 0x00 : 0x00);	/* ENCRYPT_OFF */
	sb_u8(out, 0);		/* instance: "" */
	sb_u32(out, resp ? 0 : 0x00001a2bu);	/* thread id */
	sb_u8(out, 0);		/* MARS off */
	put_be16(out->d + start + 2, (unsigned)(out->len - start));
	return 0;
}

/* ---- MongoDB OP_MSG ---------------------------------------------------------------------- */
static void le32(struct sbuf *b, uint32_t v)
{
	uint8_t c[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sb_put(b, c, 4);
}

static void patch_le32(struct sbuf *b, size_t at, uint32_t v)
{
	b->d[at] = (uint8_t)v;
	b->d[at + 1] = (uint8_t)(v >> 8);
	b->d[at + 2] = (uint8_t)(v >> 16);
	b->d[at + 3] = (uint8_t)(v >> 24);
}

static int b_mongo(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const a_none[] = { NULL };
	if (bargs_check(ctx, "mongo-hello", argc, argv, a_none))
		return -1;
	struct pstate *ps = &ctx->f->ps;
	int resp = ctx->dir == DIR_S2C;
	if (!resp)
		ps->ctr++;
	size_t start = out->len;
	le32(out, 0);				/* messageLength */
	le32(out, resp ? 0x4000u + ps->ctr : ps->ctr);	/* requestID */
	le32(out, resp ? ps->ctr : 0);		/* responseTo */
	le32(out, 2013);			/* OP_MSG */
	le32(out, 0);				/* flagBits */
	sb_u8(out, 0);				/* section kind 0: body */
	size_t doc = out->len;
	le32(out, 0);
	if (!resp) {
		sb_u8(out, 0x10);
		sb_put(out, "hello", 6);
		le32(out, 1);
		sb_u8(out, 0x02);
		sb_put(out, "$db", 4);
		le32(out, 6);
		sb_put(out, "admin", 6);
	} else {
		sb_u8(out, 0x08);
		sb_put(out, "helloOk", 8);
		sb_u8(out, 1);
		sb_u8(out, 0x08);
		sb_put(out, "isWritablePrimary", 18);
		sb_u8(out, 1);
		sb_u8(out, 0x10);
		sb_put(out, "maxWireVersion", 15);
		le32(out, 17);
		sb_u8(out, 0x01);
		sb_put(out, "ok", 3);
		sb_put(out, "\x00\x00\x00\x00\x00\x00\xf0\x3f", 8);	/* 1.0 */
	}
	sb_u8(out, 0);
	patch_le32(out, doc, (uint32_t)(out->len - doc));
	patch_le32(out, start, (uint32_t)(out->len - start));
	return 0;
}

/* ---- Kafka ApiVersions ------------------------------------------------------------------- */
static int b_kafka(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "client-id", NULL };
	if (bargs_check(ctx, "kafka-api-versions", argc, argv, allowed))
		return -1;
	const char *cid = barg(argc, argv, "client-id");
	if (cid && strlen(cid) > 200)
		return berr(ctx, "kafka-api-versions: client-id too long");
	struct pstate *ps = &ctx->f->ps;
	size_t len = sb_len_begin(out, 4);
	if (ctx->dir == DIR_C2S) {
		ps->ctr++;
		sb_u16(out, 18);	/* ApiVersions */
		sb_u16(out, 0);
		sb_u32(out, ps->ctr);
		if (!cid)
			cid = "ucflow-synth";
		sb_u16(out, (unsigned)strlen(cid));
		sb_str(out, cid);
	} else {
		static const uint16_t apis[][3] = { { 0, 0, 8 }, { 1, 0, 11 }, { 3, 0, 9 },
						    { 18, 0, 3 } };
		sb_u32(out, ps->ctr);
		sb_u16(out, 0);
		sb_u32(out, 4);
		for (int i = 0; i < 4; i++) {
			sb_u16(out, apis[i][0]);
			sb_u16(out, apis[i][1]);
			sb_u16(out, apis[i][2]);
		}
	}
	sb_len_end(out, len, 4);
	return 0;
}

int proto_build(struct bctx *ctx, const char *name, int argc, char **argv, struct sbuf *out,
		int *handled)
{
	*handled = 1;
	if (!strncmp(name, "sametime-", 9) &&
	    (!strcmp(name + 9, "handshake") || !strcmp(name + 9, "login") ||
	     !strcmp(name + 9, "send")))
		return b_sametime(ctx, name, argc, argv, out);
	if (!strcmp(name, "ldap-bind") || !strcmp(name, "ldap-bind-response") ||
	    !strcmp(name, "ldap-search") || !strcmp(name, "ldap-search-result") ||
	    !strcmp(name, "ldap-unbind"))
		return b_ldap(ctx, name, argc, argv, out);
	if (!strcmp(name, "tds-prelogin"))
		return b_tds(ctx, argc, argv, out);
	if (!strcmp(name, "mongo-hello"))
		return b_mongo(ctx, argc, argv, out);
	if (!strcmp(name, "kafka-api-versions"))
		return b_kafka(ctx, argc, argv, out);
	*handled = 0;
	return 0;
}
