/* synth_payload.c - ucflow-synth payload builders: bytes/text, RTP/RTCP, STUN, SIP, XMPP, HTTP, DNS, NTP.
 *
 * Builder reference (arguments are key=value; all optional unless marked *):
 *   none | empty | ack                 no payload
 *   hex BYTES...                       "16 03 01", "160301", "16:03:01"
 *   text STR...                        tokens concatenated; escapes \r \n \t \0 \\ \" \xHH
 *   pattern size=N* [byte=B]           N bytes: B, or 00 01 02 ... when byte= is absent
 *   random size=N*                     N bytes from the scenario PRNG
 *   rtp pt=0 ssrc=* seq= ts= size=160 tsinc=size marker=0|1 srtp=0|1
 *       seq/ts are the first values of the stream (flow, direction, ssrc); later packets of the
 *       stream continue (+1, +tsinc). srtp=1 adds a 10-byte auth tag and random payload.
 *   rtcp ssrc=* [type=sr|rr] [cname=NAME]   compound SR (or RR) + SDES CNAME
 *   stun-binding-request [software=S]        RFC 5389 with FINGERPRINT
 *   stun-binding-response [software=S]       XOR-MAPPED-ADDRESS = the requester's address,
 *                                            transaction id of the last request on the flow
 *   sip-request METHOD* URI* [from=URI] [to=URI] [transport=UDP|TCP|TLS] [ua=S]
 *                [expires=N] [sdp-audio=PORT] [sdp-video=PORT]
 *   sip-response CODE* [reason=S] [ua=S]     answers the last request on the flow
 *   xmpp-stream ns=jabber:client* to=DOMAIN [from=DOMAIN] [id=S] [version=1.0]
 *                                             (with id= it is the receiving entity's header)
 *   http-request METHOD* PATH* host=NAME* [ua=S] [body=S] [ctype=S]
 *   http-response CODE* [reason=S] [ctype=S] [body=S] [size=N]
 *   dns-query name=NAME* [type=A|AAAA|CNAME|SRV|TXT|PTR] [id=N]
 *   dns-response name=NAME* [a=IP,..] [aaaa=IP,..] [cname=NAME] [srv=PRIO:W:PORT:TARGET,..]
 *                [ttl=300] [id=N] [type=...] [rcode=N]
 *   ntp [mode=client|server]
 */
#include "synth.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- argument helpers ----------------------------------------------------------------- */
int berr(struct bctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->err, ctx->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *barg(int argc, char **argv, const char *key)
{
	size_t kl = strlen(key);
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], key, kl) && argv[i][kl] == '=')
			return argv[i] + kl + 1;
	return NULL;
}

int bargs_check(struct bctx *ctx, const char *builder, int argc, char **argv,
		const char *const *allowed)
{
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (!eq)
			return berr(ctx, "%s: argument `%s` is not key=value", builder, argv[i]);
		size_t kl = (size_t)(eq - argv[i]);
		int ok = 0;
		for (int k = 0; allowed[k]; k++)
			if (strlen(allowed[k]) == kl && !strncmp(allowed[k], argv[i], kl))
				ok = 1;
		if (!ok)
			return berr(ctx, "%s: unknown argument `%.*s`", builder, (int)kl, argv[i]);
		for (int j = 0; j < i; j++)
			if (!strncmp(argv[j], argv[i], kl + 1))
				return berr(ctx, "%s: argument `%.*s` given twice", builder, (int)kl,
					    argv[i]);
	}
	return 0;
}

int barg_u32(struct bctx *ctx, int argc, char **argv, const char *key, uint32_t def,
	     uint32_t max, uint32_t *out)
{
	const char *v = barg(argc, argv, key);
	if (!v) {
		*out = def;
		return 0;
	}
	char *end;
	if (!*v || *v == '-')
		return berr(ctx, "%s=: expected a number", key);
	unsigned long long n = strtoull(v, &end, 0);
	if (*end || n > max)
		return berr(ctx, "%s=%s: bad number (0..%lu)", key, v, (unsigned long)max);
	*out = (uint32_t)n;
	return 0;
}

int unescape(const char *in, struct sbuf *out, char *err, size_t errlen)
{
	for (const char *p = in; *p; p++) {
		if (*p != '\\') {
			sb_put(out, p, 1);
			continue;
		}
		p++;
		switch (*p) {
		case 'r': sb_u8(out, '\r'); break;
		case 'n': sb_u8(out, '\n'); break;
		case 't': sb_u8(out, '\t'); break;
		case '0': sb_u8(out, 0); break;
		case '\\': sb_u8(out, '\\'); break;
		case '"': sb_u8(out, '"'); break;
		case 'x': {
			unsigned v;
			char h[3] = { p[1], p[1] ? p[2] : 0, 0 };
			if (!h[0] || !h[1] || sscanf(h, "%2x", &v) != 1) {
				snprintf(err, errlen, "bad \\x escape in `%s`", in);
				return -1;
			}
			sb_u8(out, v);
			p += 2;
			break;
		}
		default:
			snprintf(err, errlen, "unknown escape `\\%c` in `%s`", *p ? *p : ' ', in);
			return -1;
		}
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_hex_bytes(const char *s, struct sbuf *out)
{
	int hi = -1;
	for (; *s; s++) {
		if (*s == ':' || *s == '-' || *s == '.')
			continue;
		int v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0)
			hi = v;
		else {
			sb_u8(out, (unsigned)(hi << 4 | v));
			hi = -1;
		}
	}
	return hi < 0 ? 0 : -1;
}

/* ---- simple byte builders -------------------------------------------------------------- */
static int b_hex(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	if (!argc)
		return berr(ctx, "hex: no bytes");
	for (int i = 0; i < argc; i++)
		if (parse_hex_bytes(argv[i], out))
			return berr(ctx, "hex: bad hex `%s` (even number of hex digits)", argv[i]);
	return 0;
}

static int b_text(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	if (!argc)
		return berr(ctx, "text: no string");
	for (int i = 0; i < argc; i++)
		if (unescape(argv[i], out, ctx->err, ctx->errlen))
			return -1;
	return 0;
}

static int b_pattern(struct bctx *ctx, int argc, char **argv, struct sbuf *out, int rnd)
{
	static const char *const a1[] = { "size", "byte", NULL };
	static const char *const a2[] = { "size", NULL };
	uint32_t size, byte;
	if (bargs_check(ctx, rnd ? "random" : "pattern", argc, argv, rnd ? a2 : a1))
		return -1;
	if (!barg(argc, argv, "size"))
		return berr(ctx, "%s: size= is required", rnd ? "random" : "pattern");
	if (barg_u32(ctx, argc, argv, "size", 0, 65000, &size) ||
	    barg_u32(ctx, argc, argv, "byte", 0x100, 255, &byte))
		return -1;
	size_t at = out->len;
	sb_fill(out, 0, size);
	if (rnd)
		rng_bytes(ctx->rng, out->d + at, size);
	else
		for (uint32_t i = 0; i < size; i++)
			out->d[at + i] = (uint8_t)(byte == 0x100 ? i : byte);
	return 0;
}

/* ---- RTP / RTCP ------------------------------------------------------------------------ */
static struct rtp_stream *rtp_find(struct pstate *ps, int dir, uint32_t ssrc)
{
	for (int i = 0; i < ps->nrtp; i++)
		if (ps->rtp[i].dir == dir && ps->rtp[i].ssrc == ssrc)
			return &ps->rtp[i];
	return NULL;
}

static int b_rtp(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "pt", "ssrc", "seq", "ts", "size", "tsinc",
					       "marker", "srtp", NULL };
	uint32_t pt, ssrc, seq, ts, size, tsinc, marker, srtp;
	if (bargs_check(ctx, "rtp", argc, argv, allowed))
		return -1;
	if (!barg(argc, argv, "ssrc"))
		return berr(ctx, "rtp: ssrc= is required");
	if (barg_u32(ctx, argc, argv, "pt", 0, 127, &pt) ||
	    barg_u32(ctx, argc, argv, "ssrc", 0, UINT32_MAX, &ssrc) ||
	    barg_u32(ctx, argc, argv, "seq", 1, 65535, &seq) ||
	    barg_u32(ctx, argc, argv, "ts", 0, UINT32_MAX, &ts) ||
	    barg_u32(ctx, argc, argv, "size", 160, 60000, &size) ||
	    barg_u32(ctx, argc, argv, "tsinc", size, UINT32_MAX, &tsinc) ||
	    barg_u32(ctx, argc, argv, "marker", 0, 1, &marker) ||
	    barg_u32(ctx, argc, argv, "srtp", 0, 1, &srtp))
		return -1;
	struct pstate *ps = &ctx->f->ps;
	struct rtp_stream *st = rtp_find(ps, ctx->dir, ssrc);
	if (!st) {
		if (ps->nrtp == SYNTH_MAX_RTP)
			return berr(ctx, "rtp: too many RTP streams on one flow (max %d)",
				    SYNTH_MAX_RTP);
		st = &ps->rtp[ps->nrtp++];
		st->dir = ctx->dir;
		st->ssrc = ssrc;
		st->seq = (uint16_t)seq;
		st->ts = ts;
		st->packets = st->octets = 0;
	} else {
		marker = 0;	/* the marker only flags the first packet of a talk spurt */
	}
	sb_u8(out, 0x80);
	sb_u8(out, (marker ? 0x80 : 0) | pt);
	sb_u16(out, st->seq);
	sb_u32(out, st->ts);
	sb_u32(out, ssrc);
	size_t at = out->len;
	sb_fill(out, 0, size);
	if (srtp) {
		rng_bytes(ctx->rng, out->d + at, size);
		size_t tag = out->len;
		sb_fill(out, 0, 10);
		rng_bytes(ctx->rng, out->d + tag, 10);
	} else {
		/* G.711 mu-law / A-law silence-ish pattern for audio, counter bytes otherwise */
		uint8_t fill = pt == 0 ? 0xff : pt == 8 ? 0xd5 : 0;
		for (uint32_t i = 0; i < size; i++)
			out->d[at + i] = fill ? fill : (uint8_t)(st->seq + i);
	}
	st->seq++;
	st->ts += tsinc;
	st->packets++;
	st->octets += size;
	return 0;
}

static int b_rtcp(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "ssrc", "type", "cname", NULL };
	uint32_t ssrc;
	if (bargs_check(ctx, "rtcp", argc, argv, allowed))
		return -1;
	if (!barg(argc, argv, "ssrc"))
		return berr(ctx, "rtcp: ssrc= is required");
	if (barg_u32(ctx, argc, argv, "ssrc", 0, UINT32_MAX, &ssrc))
		return -1;
	const char *type = barg(argc, argv, "type");
	const char *cname = barg(argc, argv, "cname");
	if (!cname)
		cname = "ucflow-synth";
	if (strlen(cname) > 255)
		return berr(ctx, "rtcp: cname too long");
	int sr = !type || !strcmp(type, "sr");
	if (type && !sr && strcmp(type, "rr"))
		return berr(ctx, "rtcp: type=sr|rr");
	if (sr) {
		/* the sender's RTP stream state, if any, gives the RTP timestamp and counts */
		uint32_t rtpts = 0, pk = 0, oc = 0;
		for (int i = 0; i < ctx->f->ps.nrtp; i++)
			if (ctx->f->ps.rtp[i].ssrc == ssrc) {
				rtpts = ctx->f->ps.rtp[i].ts;
				pk = ctx->f->ps.rtp[i].packets;
				oc = ctx->f->ps.rtp[i].octets;
			}
		uint64_t sec = ctx->now_us / 1000000u + 2208988800ULL;
		uint64_t frac = ((ctx->now_us % 1000000u) << 32) / 1000000u;
		sb_u8(out, 0x80);
		sb_u8(out, 200);
		sb_u16(out, 6);
		sb_u32(out, ssrc);
		sb_u32(out, (uint32_t)sec);
		sb_u32(out, (uint32_t)frac);
		sb_u32(out, rtpts);
		sb_u32(out, pk);
		sb_u32(out, oc);
	} else {
		sb_u8(out, 0x80);
		sb_u8(out, 201);
		sb_u16(out, 1);
		sb_u32(out, ssrc);
	}
	/* SDES with one chunk: SSRC, CNAME item, END, padded to 32 bits */
	size_t n = strlen(cname);
	size_t chunk = 4 + 2 + n + 1;
	size_t padded = (chunk + 3) & ~(size_t)3;
	sb_u8(out, 0x81);
	sb_u8(out, 202);
	sb_u16(out, (unsigned)(padded / 4));
	sb_u32(out, ssrc);
	sb_u8(out, 1);
	sb_u8(out, (unsigned)n);
	sb_str(out, cname);
	sb_fill(out, 0, padded - chunk + 1);
	return 0;
}

/* ---- STUN ------------------------------------------------------------------------------- */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void stun_attr_str(struct sbuf *out, unsigned type, const char *s)
{
	size_t n = strlen(s);
	sb_u16(out, type);
	sb_u16(out, (unsigned)n);
	sb_str(out, s);
	sb_fill(out, 0, (4 - n % 4) % 4);
}

static int b_stun(struct bctx *ctx, int argc, char **argv, struct sbuf *out, int response)
{
	static const char *const allowed[] = { "software", NULL };
	if (bargs_check(ctx, response ? "stun-binding-response" : "stun-binding-request", argc,
			argv, allowed))
		return -1;
	const char *sw = barg(argc, argv, "software");
	if (sw && strlen(sw) > 500)
		return berr(ctx, "stun: software= too long");
	struct pstate *ps = &ctx->f->ps;
	if (!response || !ps->have_stun) {
		rng_bytes(ctx->rng, ps->stun_txid, 12);
		ps->have_stun = 1;
	}
	size_t start = out->len;
	sb_u16(out, response ? 0x0101 : 0x0001);
	sb_u16(out, 0);
	sb_u32(out, 0x2112A442u);
	sb_put(out, ps->stun_txid, 12);
	if (response) {
		/* XOR-MAPPED-ADDRESS of the requester (the receiver of this response) */
		int req = !ctx->dir;
		const struct flow *f = ctx->f;
		sb_u16(out, 0x0020);
		sb_u16(out, f->af == 6 ? 20 : 8);
		sb_u8(out, 0);
		sb_u8(out, f->af == 6 ? 2 : 1);
		sb_u16(out, f->port[req] ^ 0x2112u);
		uint8_t key[16] = { 0x21, 0x12, 0xA4, 0x42 };
		memcpy(key + 4, ps->stun_txid, 12);
		for (int i = 0; i < (f->af == 6 ? 16 : 4); i++)
			sb_u8(out, f->addr[req][i] ^ key[i]);
	}
	if (sw)
		stun_attr_str(out, 0x8022, sw);
	/* FINGERPRINT: CRC-32 of the message up to here (with the length including it) ^ "STUN" */
	put_be16(out->d + start + 2, (unsigned)(out->len - start - 20 + 8));
	uint32_t crc = crc32_ieee(out->d + start, out->len - start) ^ 0x5354554eu;
	sb_u16(out, 0x8028);
	sb_u16(out, 4);
	sb_u32(out, crc);
	return 0;
}

/* ---- SIP -------------------------------------------------------------------------------- */
static const char *sip_reason(unsigned code)
{
	switch (code) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 183: return "Session Progress";
	case 200: return "OK";
	case 202: return "Accepted";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 407: return "Proxy Authentication Required";
	case 486: return "Busy Here";
	case 488: return "Not Acceptable Here";
	case 500: return "Server Internal Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

static void sip_host(const struct flow *f, int side, char *buf, size_t n)
{
	if (f->af == 6)
		snprintf(buf, n, "[%s]:%u", f->addr_str[side], f->port[side]);
	else
		snprintf(buf, n, "%s:%u", f->addr_str[side], f->port[side]);
}

static int b_sip_request(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "from", "to", "transport", "ua", "expires",
					       "sdp-audio", "sdp-video", NULL };
	if (argc < 2)
		return berr(ctx, "sip-request: usage: sip-request METHOD URI [key=value...]");
	const char *method = argv[0], *uri = argv[1];
	if (strchr(method, '=') || strchr(uri, ' '))
		return berr(ctx, "sip-request: usage: sip-request METHOD URI [key=value...]");
	for (const char *p = method; *p; p++)
		if (*p < 'A' || *p > 'Z')
			return berr(ctx, "sip-request: method must be upper case: `%s`", method);
	argc -= 2;
	argv += 2;
	if (bargs_check(ctx, "sip-request", argc, argv, allowed))
		return -1;
	struct flow *f = ctx->f;
	struct pstate *ps = &f->ps;
	const char *tr = barg(argc, argv, "transport");
	if (!tr)
		tr = f->proto == 17 ? "UDP" : "TCP";
	const char *ua = barg(argc, argv, "ua");
	const char *from = barg(argc, argv, "from");
	const char *to = barg(argc, argv, "to");
	uint32_t expires, sa, sv;
	if (barg_u32(ctx, argc, argv, "expires", 0, 0x7fffffff, &expires) ||
	    barg_u32(ctx, argc, argv, "sdp-audio", 0, 65535, &sa) ||
	    barg_u32(ctx, argc, argv, "sdp-video", 0, 65535, &sv))
		return -1;
	char me[96], lc[32];
	sip_host(f, ctx->dir, me, sizeof me);
	snprintf(lc, sizeof lc, "%s", tr);
	for (char *p = lc; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	ps->ctr++;
	uint64_t r = rng_next(ctx->rng);
	if (!ps->have_sip || strcmp(ps->sip_method, method)) {
		/* a new dialog unless the same method repeats (re-REGISTER, OPTIONS ping) */
		snprintf(ps->sip_callid, sizeof ps->sip_callid, "%08x%08x@%s",
			 (unsigned)(r >> 32), (unsigned)r, f->addr_str[ctx->dir]);
		snprintf(ps->sip_from, sizeof ps->sip_from, "<%s>;tag=%06x",
			 from ? from : "sip:synth@example.com", (unsigned)(r & 0xffffff));
		ps->sip_cseq = 0;
	}
	snprintf(ps->sip_to, sizeof ps->sip_to, "<%s>", to ? to : uri);
	ps->sip_cseq++;
	snprintf(ps->sip_method, sizeof ps->sip_method, "%s", method);
	snprintf(ps->sip_via, sizeof ps->sip_via, "SIP/2.0/%s %s;branch=z9hG4bK%08x;rport", tr,
		 me, (unsigned)(r >> 16));
	ps->have_sip = 1;

	struct sbuf body;
	sb_init(&body);
	if (sa || sv) {
		const char *ip4 = f->af == 6 ? "IP6" : "IP4";
		sb_printf(&body, "v=0\r\no=- %u 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n",
			  (unsigned)(r & 0xffff), ip4, f->addr_str[ctx->dir], ip4,
			  f->addr_str[ctx->dir]);
		if (sa)
			sb_printf(&body, "m=audio %u RTP/SAVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
				  "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n", sa);
		if (sv)
			sb_printf(&body, "m=video %u RTP/SAVP 97\r\na=rtpmap:97 H264/90000\r\n", sv);
	}
	sb_printf(out, "%s %s SIP/2.0\r\n", method, uri);
	sb_printf(out, "Via: %s\r\n", ps->sip_via);
	sb_str(out, "Max-Forwards: 70\r\n");
	sb_printf(out, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u %s\r\n", ps->sip_from,
		  ps->sip_to, ps->sip_callid, ps->sip_cseq, method);
	sb_printf(out, "Contact: <sip:synth@%s;transport=%s>\r\n", me, lc);
	if (!strcmp(method, "REGISTER") || barg(argc, argv, "expires"))
		sb_printf(out, "Expires: %u\r\n", barg(argc, argv, "expires") ? expires : 3600);
	sb_printf(out, "User-Agent: %s\r\n", ua ? ua : "ucflow-synth/1.0");
	if (body.len)
		sb_str(out, "Content-Type: application/sdp\r\n");
	sb_printf(out, "Content-Length: %zu\r\n\r\n", body.len);
	sb_put(out, body.d, body.len);
	sb_free(&body);
	return 0;
}

static int b_sip_response(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "reason", "ua", NULL };
	if (argc < 1 || strchr(argv[0], '='))
		return berr(ctx, "sip-response: usage: sip-response CODE [reason=TEXT] [ua=S]");
	char *end;
	unsigned long code = strtoul(argv[0], &end, 10);
	if (*end || code < 100 || code > 699)
		return berr(ctx, "sip-response: bad status code `%s`", argv[0]);
	if (bargs_check(ctx, "sip-response", argc - 1, argv + 1, allowed))
		return -1;
	struct pstate *ps = &ctx->f->ps;
	if (!ps->have_sip)
		return berr(ctx, "sip-response: no sip-request earlier on this flow");
	const char *reason = barg(argc - 1, argv + 1, "reason");
	const char *ua = barg(argc - 1, argv + 1, "ua");
	sb_printf(out, "SIP/2.0 %lu %s\r\n", code, reason ? reason : sip_reason((unsigned)code));
	sb_printf(out, "Via: %s;received=%s\r\n", ps->sip_via, ctx->f->addr_str[!ctx->dir]);
	sb_printf(out, "From: %s\r\n", ps->sip_from);
	if (code > 100)
		sb_printf(out, "To: %s;tag=%08x\r\n", ps->sip_to,
			  (unsigned)(ps->sip_cseq * 2654435761u) ^ 0x5a5a5a5au);
	else
		sb_printf(out, "To: %s\r\n", ps->sip_to);
	sb_printf(out, "Call-ID: %s\r\nCSeq: %u %s\r\n", ps->sip_callid, ps->sip_cseq,
		  ps->sip_method);
	sb_printf(out, "Server: %s\r\nContent-Length: 0\r\n\r\n", ua ? ua : "ucflow-synth/1.0");
	return 0;
}

/* ---- XMPP / HTTP ------------------------------------------------------------------------ */
static int b_xmpp_stream(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "ns", "to", "from", "id", "version", NULL };
	if (bargs_check(ctx, "xmpp-stream", argc, argv, allowed))
		return -1;
	const char *ns = barg(argc, argv, "ns");
	if (!ns)
		return berr(ctx, "xmpp-stream: ns= is required (jabber:client, jabber:server)");
	const char *to = barg(argc, argv, "to"), *from = barg(argc, argv, "from");
	const char *id = barg(argc, argv, "id"), *ver = barg(argc, argv, "version");
	sb_str(out, "<?xml version='1.0'?>");
	sb_printf(out, "<stream:stream xmlns='%s' xmlns:stream='http://etherx.jabber.org/streams'",
		  ns);
	if (!strcmp(ns, "jabber:server") && !id)
		sb_str(out, " xmlns:db='jabber:server:dialback'");
	if (from)
		sb_printf(out, " from='%s'", from);
	if (to)
		sb_printf(out, " to='%s'", to);
	if (id)
		sb_printf(out, " id='%s'", id);
	sb_printf(out, " version='%s' xml:lang='en'>", ver ? ver : "1.0");
	return 0;
}

static int b_http_request(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "host", "ua", "body", "ctype", NULL };
	if (argc < 2 || strchr(argv[0], '=') || (argv[1][0] != '/' && strncmp(argv[1], "http", 4)))
		return berr(ctx, "http-request: usage: http-request METHOD /PATH host=NAME ...");
	if (bargs_check(ctx, "http-request", argc - 2, argv + 2, allowed))
		return -1;
	const char *host = barg(argc - 2, argv + 2, "host");
	if (!host)
		return berr(ctx, "http-request: host= is required");
	const char *ua = barg(argc - 2, argv + 2, "ua");
	const char *body = barg(argc - 2, argv + 2, "body");
	const char *ct = barg(argc - 2, argv + 2, "ctype");
	struct sbuf b;
	sb_init(&b);
	if (body && unescape(body, &b, ctx->err, ctx->errlen)) {
		sb_free(&b);
		return -1;
	}
	sb_printf(out, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n", argv[0],
		  argv[1], host, ua ? ua : "ucflow-synth/1.0");
	if (body || ct)
		sb_printf(out, "Content-Type: %s\r\nContent-Length: %zu\r\n",
			  ct ? ct : "application/octet-stream", b.len);
	sb_str(out, "\r\n");
	sb_put(out, b.d, b.len);
	sb_free(&b);
	return 0;
}

static int b_http_response(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "reason", "ctype", "body", "size", NULL };
	if (argc < 1 || strchr(argv[0], '='))
		return berr(ctx, "http-response: usage: http-response CODE [key=value...]");
	char *end;
	unsigned long code = strtoul(argv[0], &end, 10);
	if (*end || code < 100 || code > 599)
		return berr(ctx, "http-response: bad status code `%s`", argv[0]);
	if (bargs_check(ctx, "http-response", argc - 1, argv + 1, allowed))
		return -1;
	const char *reason = barg(argc - 1, argv + 1, "reason");
	const char *ct = barg(argc - 1, argv + 1, "ctype");
	const char *body = barg(argc - 1, argv + 1, "body");
	uint32_t size;
	if (barg_u32(ctx, argc - 1, argv + 1, "size", 0, 60000, &size))
		return -1;
	struct sbuf b;
	sb_init(&b);
	if (body && unescape(body, &b, ctx->err, ctx->errlen)) {
		sb_free(&b);
		return -1;
	}
	for (uint32_t i = 0; i < size; i++)
		sb_u8(&b, "abcdefghijklmnopqrstuvwxyz0123456789\n"[i % 37]);
	if (!reason)
		reason = code == 200 ? "OK" : code == 204 ? "No Content" : code == 301 ?
			"Moved Permanently" : code == 302 ? "Found" : code == 304 ? "Not Modified" :
			code == 401 ? "Unauthorized" : code == 404 ? "Not Found" : "Status";
	sb_printf(out, "HTTP/1.1 %lu %s\r\nServer: ucflow-synth\r\nContent-Type: %s\r\n"
		  "Content-Length: %zu\r\n\r\n", code, reason, ct ? ct : "text/plain", b.len);
	sb_put(out, b.d, b.len);
	sb_free(&b);
	return 0;
}

/* ---- DNS -------------------------------------------------------------------------------- */
struct dnsz {
	size_t base;	/* offset of the DNS header in the buffer */
	size_t off[64];	/* offsets of names written so far (for compression) */
	int n;
};

static int dns_name_eq(const uint8_t *msg, size_t moff, const char *name);

/* Write `name` with compression against earlier names (suffix match). */
static int dns_put_name(struct bctx *ctx, struct sbuf *out, struct dnsz *z, const char *name)
{
	const char *p = name;
	if (!strcmp(p, ".") || !*p) {
		sb_u8(out, 0);
		return 0;
	}
	if (strlen(name) > 253)
		return berr(ctx, "dns: name too long: %s", name);
	/* offsets of this name's suffixes become usable only once the name is complete */
	size_t mine[128];
	int nmine = 0;
	while (*p) {
		for (int i = 0; i < z->n; i++)
			if (dns_name_eq(out->d + z->base, z->off[i], p)) {
				sb_u16(out, 0xC000u | (unsigned)z->off[i]);
				goto done;
			}
		size_t rel = out->len - z->base;
		if (rel < 0x3fff && nmine < 128)
			mine[nmine++] = rel;
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63)
			return berr(ctx, "dns: bad label in `%s`", name);
		sb_u8(out, (unsigned)l);
		sb_put(out, p, l);
		p += l;
		if (*p == '.')
			p++;
	}
	sb_u8(out, 0);
done:
	for (int i = 0; i < nmine && z->n < 64; i++)
		z->off[z->n++] = mine[i];
	return 0;
}

/* Does the (possibly compressed) name at msg+moff equal the dotted name s (case-insensitive)? */
static int dns_name_eq(const uint8_t *msg, size_t moff, const char *s)
{
	for (int hops = 0; hops < 32;) {
		uint8_t l = msg[moff];
		if ((l & 0xC0) == 0xC0) {
			moff = (size_t)((l & 0x3f) << 8 | msg[moff + 1]);
			hops++;
			continue;
		}
		if (l == 0)
			return *s == 0;
		if (strncasecmp((const char *)msg + moff + 1, s, l) != 0)
			return 0;
		s += l;
		if (*s == '.')
			s++;
		else if (*s)
			return 0;
		moff += 1u + l;
	}
	return 0;
}

static int dns_type(const char *t)
{
	static const struct { const char *n; int v; } tab[] = {
		{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "PTR", 12 }, { "MX", 15 },
		{ "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 }, { "HTTPS", 65 }, { NULL, 0 } };
	for (int i = 0; tab[i].n; i++)
		if (!strcasecmp(tab[i].n, t))
			return tab[i].v;
	return -1;
}

static int b_dns(struct bctx *ctx, int argc, char **argv, struct sbuf *out, int response)
{
	static const char *const aq[] = { "name", "type", "id", NULL };
	static const char *const ar[] = { "name", "type", "id", "a", "aaaa", "cname", "srv", "ttl",
					  "rcode", NULL };
	const char *bn = response ? "dns-response" : "dns-query";
	if (bargs_check(ctx, bn, argc, argv, response ? ar : aq))
		return -1;
	struct pstate *ps = &ctx->f->ps;
	const char *name = barg(argc, argv, "name");
	if (!name)
		return berr(ctx, "%s: name= is required", bn);
	const char *a = barg(argc, argv, "a"), *aaaa = barg(argc, argv, "aaaa");
	const char *cname = barg(argc, argv, "cname"), *srv = barg(argc, argv, "srv");
	const char *ts = barg(argc, argv, "type");
	int qtype = ts ? dns_type(ts) : (!response ? 1 : a ? 1 : aaaa ? 28 : srv ? 33 : cname ? 5 : 1);
	if (qtype < 0)
		return berr(ctx, "%s: unknown type `%s`", bn, ts);
	uint32_t id, ttl, rcode;
	uint32_t defid = response && ps->have_dns ? ps->dns_id : (uint32_t)(rng_next(ctx->rng) & 0xffff);
	if (barg_u32(ctx, argc, argv, "id", defid, 65535, &id) ||
	    barg_u32(ctx, argc, argv, "ttl", 300, 0x7fffffff, &ttl) ||
	    barg_u32(ctx, argc, argv, "rcode", 0, 15, &rcode))
		return -1;
	if (!response) {
		ps->have_dns = 1;
		ps->dns_id = (uint16_t)id;
	}
	struct dnsz z = { out->len, { 0 }, 0 };
	sb_u16(out, id);
	sb_u16(out, response ? 0x8180u | rcode : 0x0100u);
	sb_u16(out, 1);
	size_t ancount_at = out->len;
	sb_u16(out, 0);
	sb_u16(out, 0);
	sb_u16(out, 0);
	if (dns_put_name(ctx, out, &z, name))
		return -1;
	sb_u16(out, (unsigned)qtype);
	sb_u16(out, 1);
	if (!response)
		return 0;

	unsigned an = 0;
	const char *owner = name;
	char buf[1024];
	if (cname) {
		if (dns_put_name(ctx, out, &z, name))
			return -1;
		sb_u16(out, 5);
		sb_u16(out, 1);
		sb_u32(out, ttl);
		size_t m = sb_len_begin(out, 2);
		if (dns_put_name(ctx, out, &z, cname))
			return -1;
		sb_len_end(out, m, 2);
		an++;
		owner = cname;
	}
	const char *lists[3] = { a, aaaa, srv };
	for (int li = 0; li < 3; li++) {
		if (!lists[li])
			continue;
		if (strlen(lists[li]) >= sizeof buf)
			return berr(ctx, "%s: list too long", bn);
		snprintf(buf, sizeof buf, "%s", lists[li]);
		char *save = NULL;
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (dns_put_name(ctx, out, &z, owner))
				return -1;
			uint8_t ip[16];
			if (li == 0) {
				if (inet_pton(AF_INET, t, ip) != 1)
					return berr(ctx, "%s: bad IPv4 address `%s`", bn, t);
				sb_u16(out, 1);
				sb_u16(out, 1);
				sb_u32(out, ttl);
				sb_u16(out, 4);
				sb_put(out, ip, 4);
			} else if (li == 1) {
				if (inet_pton(AF_INET6, t, ip) != 1)
					return berr(ctx, "%s: bad IPv6 address `%s`", bn, t);
				sb_u16(out, 28);
				sb_u16(out, 1);
				sb_u32(out, ttl);
				sb_u16(out, 16);
				sb_put(out, ip, 16);
			} else {
				unsigned pr, w, port;
				char target[256];
				if (sscanf(t, "%u:%u:%u:%255s", &pr, &w, &port, target) != 4 ||
				    pr > 65535 || w > 65535 || port > 65535)
					return berr(ctx, "%s: bad srv `%s` (PRIO:WEIGHT:PORT:TARGET)",
						    bn, t);
				sb_u16(out, 33);
				sb_u16(out, 1);
				sb_u32(out, ttl);
				size_t m = sb_len_begin(out, 2);
				sb_u16(out, pr);
				sb_u16(out, w);
				sb_u16(out, port);
				/* RFC 2782: the target is not compressed */
				struct dnsz nz = z;
				nz.n = 0;
				if (dns_put_name(ctx, out, &nz, target))
					return -1;
				sb_len_end(out, m, 2);
			}
			an++;
		}
	}
	put_be16(out->d + ancount_at, an);
	return 0;
}

/* ---- NTP -------------------------------------------------------------------------------- */
static int b_ntp(struct bctx *ctx, int argc, char **argv, struct sbuf *out)
{
	static const char *const allowed[] = { "mode", NULL };
	if (bargs_check(ctx, "ntp", argc, argv, allowed))
		return -1;
	const char *mode = barg(argc, argv, "mode");
	int server = mode ? !strcmp(mode, "server") : ctx->dir == DIR_S2C;
	if (mode && !server && strcmp(mode, "client"))
		return berr(ctx, "ntp: mode=client|server");
	uint64_t sec = ctx->now_us / 1000000u + 2208988800ULL;
	uint32_t frac = (uint32_t)(((ctx->now_us % 1000000u) << 32) / 1000000u);
	sb_u8(out, server ? 0x24 : 0x23);	/* LI 0, VN 4, mode 4/3 */
	sb_u8(out, server ? 2 : 0);		/* stratum */
	sb_u8(out, server ? 3 : 0);		/* poll */
	sb_u8(out, server ? 0xe9 : 0x20);	/* precision */
	sb_u32(out, server ? 0x00000310u : 0);	/* root delay */
	sb_u32(out, server ? 0x00000520u : 0);	/* root dispersion */
	if (server)
		sb_put(out, "\xc0\x00\x02\x7b", 4);	/* reference id: 192.0.2.123 */
	else
		sb_u32(out, 0);
	for (int i = 0; i < 4; i++) {
		/* reference, origin, receive, transmit; a client only fills transmit */
		if (!server && i < 3) {
			sb_u32(out, 0);
			sb_u32(out, 0);
		} else {
			sb_u32(out, (uint32_t)sec - (i == 0 ? 64 : 0));
			sb_u32(out, frac);
		}
	}
	return 0;
}

/* ---- dispatch --------------------------------------------------------------------------- */
int payload_build(struct bctx *ctx, const char *name, int argc, char **argv, struct sbuf *out)
{
	if (!strcmp(name, "none") || !strcmp(name, "empty") || !strcmp(name, "ack"))
		return argc ? berr(ctx, "%s takes no arguments", name) : 0;
	if (!strcmp(name, "hex"))
		return b_hex(ctx, argc, argv, out);
	if (!strcmp(name, "text"))
		return b_text(ctx, argc, argv, out);
	if (!strcmp(name, "pattern"))
		return b_pattern(ctx, argc, argv, out, 0);
	if (!strcmp(name, "random"))
		return b_pattern(ctx, argc, argv, out, 1);
	if (!strcmp(name, "rtp"))
		return b_rtp(ctx, argc, argv, out);
	if (!strcmp(name, "rtcp"))
		return b_rtcp(ctx, argc, argv, out);
	if (!strcmp(name, "stun-binding-request"))
		return b_stun(ctx, argc, argv, out, 0);
	if (!strcmp(name, "stun-binding-response"))
		return b_stun(ctx, argc, argv, out, 1);
	if (!strcmp(name, "sip-request"))
		return b_sip_request(ctx, argc, argv, out);
	if (!strcmp(name, "sip-response"))
		return b_sip_response(ctx, argc, argv, out);
	if (!strcmp(name, "xmpp-stream"))
		return b_xmpp_stream(ctx, argc, argv, out);
	if (!strcmp(name, "http-request"))
		return b_http_request(ctx, argc, argv, out);
	if (!strcmp(name, "http-response"))
		return b_http_response(ctx, argc, argv, out);
	if (!strcmp(name, "dns-query"))
		return b_dns(ctx, argc, argv, out, 0);
	if (!strcmp(name, "dns-response"))
		return b_dns(ctx, argc, argv, out, 1);
	if (!strcmp(name, "ntp"))
		return b_ntp(ctx, argc, argv, out);
	if (!strcmp(name, "tls-client-hello"))
		return tls_client_hello(ctx, argc, argv, out);
	if (!strcmp(name, "tls-server-hello"))
		return tls_server_hello(ctx, argc, argv, out, 0);
	if (!strcmp(name, "tls-server-certificate"))
		return tls_server_hello(ctx, argc, argv, out, 1);
	if (!strcmp(name, "tls-client-finished"))
		return tls_client_finished(ctx, argc, argv, out);
	if (!strcmp(name, "tls-server-finished"))
		return tls_server_finished(ctx, argc, argv, out);
	if (!strcmp(name, "tls-app-data"))
		return tls_app_data(ctx, argc, argv, out);
	int handled = 0;
	int rc = proto_build(ctx, name, argc, argv, out, &handled);
	if (handled)
		return rc;
	rc = dtls_build(ctx, name, argc, argv, out, &handled);
	if (handled)
		return rc;
	return berr(ctx, "unknown payload builder `%s`", name);
}
