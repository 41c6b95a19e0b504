/* ucflow-synth.c - deterministic pcap synthesizer: turns a line-oriented scenario (.scn) into a capture.
 *
 * Usage: ucflow-synth [--flows LIST.tsv] SCENARIO.scn OUT.pcap
 * Same scenario in, byte-identical pcap out: no wall clock, randomness only from `seed`.
 * --flows also lists the scenario's flows (name, protocol, endpoints) for tests that score by name.
 * Reading the scenario (tokens, include, for loops, repeat matching) is in synth_load.c.
 * Scenario errors are reported as FILE:LINE: message and exit with status 2 (OUT is removed).
 *
 * SCENARIO LANGUAGE (also documented in pcaps/README)
 *   One statement per line. `#` starts a comment (outside double quotes); a line ending in `\`
 *   continues on the next one. Tokens are separated by blanks; "double quotes" keep blanks in a
 *   token (`\"` inside). Numbers accept 0x hex. DUR is a number with unit s, ms or us
 *   (`20ms`, `1.5s`, `250us`; a bare number means seconds). Resolution is 1 microsecond.
 *
 *   include FILE                   read FILE here (relative to this file's directory)
 *   File settings (before the first packet)
 *     format pcap|pcap-ns|pcapng          file format (default pcap: microsecond times)
 *     linktype en10mb|raw|sll|sll2|null|nflog|pktap|ipnet|ipoib|atm-clip|juniper-ether|fddi|erf
 *                                         link type of the file (default en10mb)
 *   Interfaces (format pcapng; anywhere)
 *     interface LINKTYPE [tsresol=N]      a new interface (if_tsresol 10^-N s, default 6);
 *                                         later packets are written on it
 *     interface N                         write later packets on interface N (0-based)
 *     snaplen N                           snaplen in the file header; longer packets are cut
 *     seed N                              seed of the PRNG for random bytes (default 1)
 *   Clock
 *     start 2025-04-01T09:00:00[.ffffff]Z | EPOCH[.ffffff]   time of the first packet
 *     step DUR     time before each packet line (default 1ms)
 *     gap DUR      time between the packets that one line makes (handshake, close, TCP
 *                  segments, fragments) (default 100us)
 *     wait DUR     advance the clock
 *   Names
 *     host NAME ADDR                 alias usable wherever an address is expected
 *     defaults OPT...                flow options applied to all later `flow` lines
 *     flow NAME tcp|udp|icmp CLIENT -> SERVER [OPT...]
 *         CLIENT, SERVER: 10.0.0.1:5060, [2001:db8::1]:443, HOST:PORT (icmp: no port)
 *         OPT: dscp=N (both directions)  sdscp=N (server side only)
 *              ttl=N (client side, default 64)  sttl=N (server side, default 56)
 *              vlan=ID  |  vlan=OUTER,INNER (QinQ: 802.1ad outer tag, 802.1Q inner tag)
 *              cmac=MAC  smac=MAC (default 00:00:5e:00:53:01 / 00:00:5e:00:53:02)
 *              df=0|1 (IPv4 don't-fragment bit)  mss=N (TCP segment size, default 1460)
 *              isn=N sisn=N (TCP initial sequence numbers)  id=N (ICMP echo identifier)
 *   Packets
 *     NAME handshake                 TCP SYN, SYN-ACK, ACK
 *     NAME > [PKTOPT...] BUILDER [ARG...]   a packet from the client (TCP: data segment(s),
 *                                    split at mss; ICMP: echo request)
 *     NAME < [PKTOPT...] BUILDER [ARG...]   a packet from the server (ICMP: echo reply)
 *     NAME close [>|<]               FIN from that side (default >), FIN back, last ACK
 *     NAME reset [>|<]               RST+ACK from that side (default <)
 *     repeat N ... end               repeat the enclosed lines N times (may nest)
 *     for VAR FROM TO [STEP] ... endfor   write the body once per value; ${EXPR} in its tokens
 *                                    (integers, loop variables, + - * / % and parentheses)
 *                                    is replaced by the value (many similar hosts and flows)
 *     PKTOPT (before the builder): dt=DUR  dscp=N  ttl=N  df=0|1  frag=N (IPv4 fragments,
 *       the first carries the L4 header)  fragonly=K[,K...] (emit only these 1-based
 *       fragments: orphans)  snap=N (capture only N bytes of the frame)
 *       flags=[FSRPAUEC]* (TCP flags, default PA with payload, A without)
 *   Builders (the L4 payload; arguments in synth_payload.c, synth_tls.c, synth_proto.c and
 *   pcaps/README): none hex text pattern random rtp rtcp stun-binding-request/-response
 *   sip-request sip-response xmpp-stream http-request http-response dns-query dns-response ntp
 *   tls-client-hello tls-server-hello tls-server-certificate tls-client-finished
 *   tls-server-finished tls-app-data sametime-handshake/-login/-send ldap-bind(-response)
 *   ldap-search(-result) ldap-unbind tds-prelogin mongo-hello kafka-api-versions
 *   dtls-client-hello dtls-server-hello dtls-client-finished dtls-server-finished (synth_dtls.c)
 */
#include "synth.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEPTH 8

struct host {
	char name[64];
	char addr[64];
};

struct state {
	const char *curfile;
	struct scn_line *lines;
	size_t nlines;
	struct flow *flows;
	size_t nflows, capflows;
	struct host *hosts;
	size_t nhosts, caphosts;
	char **defaults;
	int ndefaults;
	int link, snaplen, format;
	uint64_t seed, rng;
	uint64_t now, step, gap;
	int started;		/* first packet written */
	struct writer *w;
	const char *out;
	struct sbuf l4, pay;
	int curline;
};

static struct state S;

static void die_at(const char *file, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static void die_at(const char *file, int lineno, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: ", file, lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (S.w) {
		writer_close(S.w);
		S.w = NULL;
	}
	if (S.out)
		unlink(S.out);
	exit(2);
}

#define ERR(...) die_at(S.curfile, S.curline, __VA_ARGS__)

/* ---- value parsing ---------------------------------------------------------------------- */
static uint64_t parse_uint(const char *s, uint64_t max, const char *what)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		ERR("%s: expected a number, got `%s`", what, s);
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		ERR("%s: bad number `%s` (0..%llu)", what, s, (unsigned long long)max);
	return v;
}

static uint64_t parse_dur(const char *s)
{
	char num[64];
	size_t n = strlen(s);
	uint64_t unit = 1000000;
	size_t cut = n;
	if (n > 2 && !strcmp(s + n - 2, "ms"))
		unit = 1000, cut = n - 2;
	else if (n > 2 && !strcmp(s + n - 2, "us"))
		unit = 1, cut = n - 2;
	else if (n > 1 && s[n - 1] == 's')
		cut = n - 1;
	if (cut == 0 || cut >= sizeof num)
		ERR("bad duration `%s` (e.g. 20ms, 1.5s, 250us)", s);
	memcpy(num, s, cut);
	num[cut] = 0;
	uint64_t v;
	if (parse_decimal_us(num, unit, &v))
		ERR("bad duration `%s` (e.g. 20ms, 1.5s, 250us)", s);
	return v;
}

static uint64_t parse_start(const char *s)
{
	int Y, M, D, h, m, sec, used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &used) == 6 &&
	    used == 19) {
		if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
			ERR("bad start time `%s`", s);
		const char *p = s + used;
		uint64_t frac = 0;
		if (*p == '.') {
			char buf[32] = "0.";
			size_t k = 2;
			p++;
			while (isdigit((unsigned char)*p) && k < sizeof buf - 1)
				buf[k++] = *p++;
			buf[k] = 0;
			if (k == 2 || parse_decimal_us(buf, 1000000, &frac))
				ERR("bad start time `%s`", s);
		}
		if (strcmp(p, "Z"))
			ERR("start time must end in Z (UTC): `%s`", s);
		int64_t days = days_from_civil(Y, (unsigned)M, (unsigned)D);
		return (uint64_t)(days * 86400 + h * 3600 + m * 60 + sec) * 1000000u + frac;
	}
	uint64_t v;
	if (parse_decimal_us(s, 1000000, &v))
		ERR("bad start time `%s` (2025-04-01T09:00:00Z or epoch seconds)", s);
	return v;
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	if (mac_parse(s, mac))
		ERR("bad MAC address `%s`", s);
}

static const char *host_lookup(const char *name)
{
	for (size_t i = 0; i < S.nhosts; i++)
		if (!strcmp(S.hosts[i].name, name))
			return S.hosts[i].addr;
	return NULL;
}

/* Parse an address (or host alias) into f->addr[side]; returns the address family. */
static int parse_addr(const char *s, uint8_t out[16], char *str, size_t strsz)
{
	const char *a = host_lookup(s);
	if (!a)
		a = s;
	snprintf(str, strsz, "%s", a);
	if (inet_pton(AF_INET, a, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, a, out) == 1)
		return 6;
	ERR("bad address or unknown host `%s`", s);
}

static int parse_endpoint(const char *s, int with_port, uint8_t out[16], uint16_t *port,
			  char *str, size_t strsz)
{
	char buf[128];
	if (strlen(s) >= sizeof buf)
		ERR("endpoint too long: `%s`", s);
	snprintf(buf, sizeof buf, "%s", s);
	char *addr = buf, *ps = NULL;
	if (buf[0] == '[') {
		char *rb = strchr(buf, ']');
		if (!rb)
			ERR("missing `]` in `%s`", s);
		*rb = 0;
		addr = buf + 1;
		if (rb[1] == ':')
			ps = rb + 2;
		else if (rb[1])
			ERR("bad endpoint `%s`", s);
	} else {
		char *c = strrchr(buf, ':');
		if (c && strchr(buf, ':') == c) {
			*c = 0;
			ps = c + 1;
		}
	}
	*port = 0;
	if (with_port) {
		if (!ps)
			ERR("endpoint `%s` needs a port (ADDR:PORT, [V6]:PORT)", s);
		*port = (uint16_t)parse_uint(ps, 65535, "port");
	} else if (ps) {
		ERR("icmp endpoint `%s` takes no port", s);
	}
	return parse_addr(addr, out, str, strsz);
}

/* ---- flows ------------------------------------------------------------------------------ */
static struct flow *flow_find(const char *name)
{
	for (size_t i = 0; i < S.nflows; i++)
		if (!strcmp(S.flows[i].name, name))
			return &S.flows[i];
	return NULL;
}

static int valid_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

static void flow_option(struct flow *f, const char *opt)
{
	const char *eq = strchr(opt, '=');
	if (!eq)
		ERR("flow option `%s` is not key=value", opt);
	size_t kl = (size_t)(eq - opt);
	const char *v = eq + 1;
#define KEY(k) (kl == strlen(k) && !strncmp(opt, k, kl))
	if (KEY("dscp"))
		f->dscp[0] = f->dscp[1] = (int)parse_uint(v, 63, "dscp");
	else if (KEY("sdscp"))
		f->dscp[1] = (int)parse_uint(v, 63, "sdscp");
	else if (KEY("ttl"))
		f->ttl[0] = (int)parse_uint(v, 255, "ttl");
	else if (KEY("sttl"))
		f->ttl[1] = (int)parse_uint(v, 255, "sttl");
	else if (KEY("df"))
		f->df = (int)parse_uint(v, 1, "df");
	else if (KEY("mss")) {
		f->mss = (uint16_t)parse_uint(v, 65495, "mss");
		if (f->mss < 8)
			ERR("mss=%u is too small (8..65495)", f->mss);
	}
	else if (KEY("isn"))
		f->nxt[0] = (uint32_t)parse_uint(v, UINT32_MAX, "isn");
	else if (KEY("sisn"))
		f->nxt[1] = (uint32_t)parse_uint(v, UINT32_MAX, "sisn");
	else if (KEY("id"))
		f->icmp_id = (uint16_t)parse_uint(v, 65535, "id");
	else if (KEY("cmac"))
		parse_mac(v, f->mac[0]);
	else if (KEY("smac"))
		parse_mac(v, f->mac[1]);
	else if (KEY("vlan")) {
		if (!strcmp(v, "none")) {
			f->nvlan = 0;
			return;
		}
		char buf[64];
		snprintf(buf, sizeof buf, "%s", v);
		char *c = strchr(buf, ',');
		if (c)
			*c = 0;
		f->vlan[0] = (uint16_t)parse_uint(buf, 4094, "vlan");
		f->nvlan = 1;
		if (c) {
			f->vlan[1] = (uint16_t)parse_uint(c + 1, 4094, "vlan");
			f->nvlan = 2;
		}
	} else
		ERR("unknown flow option `%.*s`", (int)kl, opt);
#undef KEY
}

static void cmd_flow(int argc, char **argv)
{
	if (argc < 6 || strcmp(argv[4], "->"))
		ERR("usage: flow NAME tcp|udp|icmp CLIENT -> SERVER [OPT...]");
	if (!valid_name(argv[1]))
		ERR("bad flow name `%s`", argv[1]);
	if (flow_find(argv[1]))
		ERR("flow `%s` already defined", argv[1]);
	if (S.nflows == S.capflows) {
		S.capflows = S.capflows ? S.capflows * 2 : 16;
		S.flows = realloc(S.flows, sizeof *S.flows * S.capflows);
		if (!S.flows)
			ERR("out of memory");
	}
	struct flow *f = &S.flows[S.nflows];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", argv[1]);
	if (!strcmp(argv[2], "tcp"))
		f->proto = 6;
	else if (!strcmp(argv[2], "udp"))
		f->proto = 17;
	else if (!strcmp(argv[2], "icmp"))
		f->proto = 1;
	else
		ERR("unknown protocol `%s` (tcp, udp, icmp)", argv[2]);
	int wp = f->proto != 1;
	int af1 = parse_endpoint(argv[3], wp, f->addr[0], &f->port[0], f->addr_str[0],
				 sizeof f->addr_str[0]);
	int af2 = parse_endpoint(argv[5], wp, f->addr[1], &f->port[1], f->addr_str[1],
				 sizeof f->addr_str[1]);
	if (af1 != af2)
		ERR("client and server address families differ");
	f->af = af1;
	if (f->proto == 1 && f->af == 6)
		f->proto = 58;
	f->ttl[0] = 64;
	f->ttl[1] = 56;
	f->mss = 1460;
	f->win[0] = 502;
	f->win[1] = 501;
	static const uint8_t cm[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01 };
	static const uint8_t sm[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02 };
	memcpy(f->mac[0], cm, 6);
	memcpy(f->mac[1], sm, 6);
	uint64_t r = rng_next(&S.rng);
	f->nxt[0] = (uint32_t)r;
	f->nxt[1] = (uint32_t)(r >> 32);
	r = rng_next(&S.rng);
	f->ipid[0] = (uint16_t)r;
	f->ipid[1] = (uint16_t)(r >> 16);
	f->icmp_id = (uint16_t)(r >> 32);
	for (int i = 0; i < S.ndefaults; i++)
		flow_option(f, S.defaults[i]);
	for (int i = 6; i < argc; i++)
		flow_option(f, argv[i]);
	if (f->nvlan && S.link != LINK_EN10MB)
		ERR("vlan= needs linktype en10mb");
	S.nflows++;
}

/* ---- packet output ---------------------------------------------------------------------- */
static void ensure_writer(void)
{
	if (S.w)
		return;
	char err[256];
	S.w = writer_open(S.out, S.format, S.link, S.snaplen, err, sizeof err);
	if (!S.w) {
		fprintf(stderr, "ucflow-synth: %s\n", err);
		exit(1);
	}
}

/* Advance the clock for the first packet of a line. */
static void tick(uint64_t dt)
{
	if (!S.started)
		S.started = 1;
	else
		S.now += dt;
}

static void send_l4(struct flow *f, int dir, const struct pktopt *o)
{
	char err[256];
	ensure_writer();
	uint64_t t = emit_l4(S.w, f, dir, f->proto, S.l4.d, S.l4.len, o, S.now, S.gap, err,
			     sizeof err);
	if (t == UINT64_MAX)
		ERR("%s", err);
	S.now = t;
}

static unsigned parse_tcp_flags(const char *s)
{
	unsigned fl = 0;
	for (; *s; s++) {
		const char *all = "FSRPAUEC";
		const char *p = strchr(all, toupper((unsigned char)*s));
		if (!p)
			ERR("bad TCP flag `%c` (F S R P A U E C)", *s);
		fl |= 1u << (p - all);
	}
	return fl;
}

enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };

static void build_tcp(struct flow *f, int dir, unsigned flags, const uint8_t *data, size_t len)
{
	sb_reset(&S.l4);
	int syn = (flags & TH_SYN) != 0;
	size_t hl = syn ? 32 : 20;
	sb_u16(&S.l4, f->port[dir]);
	sb_u16(&S.l4, f->port[!dir]);
	sb_u32(&S.l4, f->nxt[dir]);
	sb_u32(&S.l4, (flags & TH_ACK) ? f->nxt[!dir] : 0);
	sb_u8(&S.l4, (unsigned)(hl / 4) << 4);
	sb_u8(&S.l4, flags);
	sb_u16(&S.l4, syn ? 64240 : f->win[dir]);
	sb_u16(&S.l4, 0);
	sb_u16(&S.l4, 0);
	if (syn) {
		static const uint8_t opt[12] = { 2, 4, 0, 0, 1, 3, 3, 7, 1, 1, 4, 2 };
		sb_put(&S.l4, opt, sizeof opt);
		put_be16(S.l4.d + S.l4.len - 10, f->mss);
	}
	sb_put(&S.l4, data, len);
	put_be16(S.l4.d + 16, l4_checksum(f, dir, 6, S.l4.d, S.l4.len));
	f->nxt[dir] += (uint32_t)len + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
}

static void tcp_send(struct flow *f, int dir, unsigned flags, const uint8_t *d, size_t n,
		     const struct pktopt *o, int first)
{
	if (!first)
		S.now += S.gap;
	build_tcp(f, dir, flags, d, n);
	send_l4(f, dir, o);
}

static void init_opt(struct pktopt *o)
{
	o->dscp = o->ttl = o->df = -1;
	o->frag = 0;
	o->fragonly = 0;
	o->snap = 0;
}

static int parse_dir(const char *s, int def)
{
	if (!s)
		return def;
	if (!strcmp(s, ">"))
		return DIR_C2S;
	if (!strcmp(s, "<"))
		return DIR_S2C;
	ERR("expected `>` or `<`, got `%s`", s);
}

static void cmd_control(struct flow *f, int argc, char **argv)
{
	const char *what = argv[1];
	if (f->proto != 6)
		ERR("`%s` needs a tcp flow", what);
	struct pktopt o;
	init_opt(&o);
	if (!strcmp(what, "handshake")) {
		if (argc != 2)
			ERR("usage: FLOW handshake");
		tick(S.step);
		tcp_send(f, DIR_C2S, TH_SYN, NULL, 0, &o, 1);
		tcp_send(f, DIR_S2C, TH_SYN | TH_ACK, NULL, 0, &o, 0);
		tcp_send(f, DIR_C2S, TH_ACK, NULL, 0, &o, 0);
	} else if (!strcmp(what, "close")) {
		if (argc > 3)
			ERR("usage: FLOW close [>|<]");
		int d = parse_dir(argc > 2 ? argv[2] : NULL, DIR_C2S);
		tick(S.step);
		tcp_send(f, d, TH_FIN | TH_ACK, NULL, 0, &o, 1);
		tcp_send(f, !d, TH_FIN | TH_ACK, NULL, 0, &o, 0);
		tcp_send(f, d, TH_ACK, NULL, 0, &o, 0);
	} else if (!strcmp(what, "reset")) {
		if (argc > 3)
			ERR("usage: FLOW reset [>|<]");
		int d = parse_dir(argc > 2 ? argv[2] : NULL, DIR_S2C);
		tick(S.step);
		tcp_send(f, d, TH_RST | TH_ACK, NULL, 0, &o, 1);
	} else {
		ERR("unknown flow command `%s` (handshake, close, reset, >, <)", what);
	}
}

static int is_pktopt(const char *tok)
{
	static const char *const keys[] = { "dt=", "dscp=", "ttl=", "df=", "frag=", "fragonly=",
					    "snap=", "flags=", NULL };
	for (int i = 0; keys[i]; i++)
		if (!strncmp(tok, keys[i], strlen(keys[i])))
			return 1;
	return 0;
}

static void cmd_packet(struct flow *f, int dir, int argc, char **argv)
{
	struct pktopt o;
	init_opt(&o);
	uint64_t dt = S.step;
	int have_flags = 0;
	unsigned flags = 0;
	int i = 2;
	for (; i < argc && is_pktopt(argv[i]); i++) {
		const char *v = strchr(argv[i], '=') + 1;
		if (!strncmp(argv[i], "dt=", 3))
			dt = parse_dur(v);
		else if (!strncmp(argv[i], "dscp=", 5))
			o.dscp = (int)parse_uint(v, 63, "dscp");
		else if (!strncmp(argv[i], "ttl=", 4))
			o.ttl = (int)parse_uint(v, 255, "ttl");
		else if (!strncmp(argv[i], "df=", 3))
			o.df = (int)parse_uint(v, 1, "df");
		else if (!strncmp(argv[i], "frag=", 5))
			o.frag = (int)parse_uint(v, 16, "frag");
		else if (!strncmp(argv[i], "snap=", 5))
			o.snap = (int)parse_uint(v, 262144, "snap");
		else if (!strncmp(argv[i], "flags=", 6)) {
			if (f->proto != 6)
				ERR("flags= needs a tcp flow");
			flags = parse_tcp_flags(v);
			have_flags = 1;
		} else if (!strncmp(argv[i], "fragonly=", 9)) {
			char buf[128];
			snprintf(buf, sizeof buf, "%s", v);
			for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
				uint64_t k = parse_uint(t, 16, "fragonly");
				if (k == 0)
					ERR("fragonly= counts fragments from 1");
				o.fragonly |= 1u << (k - 1);
			}
			if (!o.fragonly)
				ERR("fragonly= needs fragment numbers");
		}
	}
	if (o.frag == 1)
		ERR("frag= needs at least 2 fragments");
	if (o.fragonly && !o.frag)
		ERR("fragonly= needs frag=N");
	if (o.fragonly >> o.frag)
		ERR("fragonly= names a fragment beyond frag=%d", o.frag);
	if (i >= argc)
		ERR("missing payload builder after `%s`", argv[1]);
	const char *bname = argv[i];
	char err[512] = "";
	struct bctx ctx = { f, dir, 0, &S.rng, err, sizeof err };

	tick(dt);
	ctx.now_us = S.now;
	sb_reset(&S.pay);
	if (payload_build(&ctx, bname, argc - i - 1, argv + i + 1, &S.pay))
		ERR("%s", err);

	if (f->proto == 6) {
		if (!have_flags)
			flags = S.pay.len ? TH_PSH | TH_ACK : TH_ACK;
		size_t off = 0;
		int first = 1;
		if (o.frag && S.pay.len > f->mss)
			ERR("frag= with a payload larger than mss");
		do {
			size_t n = S.pay.len - off;
			unsigned fl = flags;
			if (n > f->mss) {
				n = f->mss;
				fl &= ~(unsigned)(TH_PSH | TH_FIN);
			}
			tcp_send(f, dir, fl, S.pay.d + off, n, &o, first);
			first = 0;
			off += n;
		} while (off < S.pay.len);
		return;
	}
	sb_reset(&S.l4);
	if (f->proto == 17) {
		sb_u16(&S.l4, f->port[dir]);
		sb_u16(&S.l4, f->port[!dir]);
		sb_u16(&S.l4, (unsigned)(8 + S.pay.len));
		sb_u16(&S.l4, 0);
		sb_put(&S.l4, S.pay.d, S.pay.len);
		if (S.l4.len > 65535)
			ERR("UDP payload too large (%zu bytes)", S.pay.len);
		put_be16(S.l4.d + 6, l4_checksum(f, dir, 17, S.l4.d, S.l4.len));
	} else {
		/* ICMP / ICMPv6 echo: request from the client, reply from the server */
		if (dir == DIR_C2S)
			f->icmp_seq++;
		unsigned type = f->proto == 58 ? (dir == DIR_C2S ? 128 : 129) : (dir == DIR_C2S ? 8 : 0);
		sb_u8(&S.l4, type);
		sb_u8(&S.l4, 0);
		sb_u16(&S.l4, 0);
		sb_u16(&S.l4, f->icmp_id);
		sb_u16(&S.l4, f->icmp_seq);
		sb_put(&S.l4, S.pay.d, S.pay.len);
		uint16_t c = f->proto == 58 ? l4_checksum(f, dir, 58, S.l4.d, S.l4.len)
					    : inet_csum(S.l4.d, S.l4.len, 0);
		put_be16(S.l4.d + 2, c);
	}
	send_l4(f, dir, &o);
}

/* ---- statements ------------------------------------------------------------------------- */
static int parse_link(const char *name)
{
	for (int i = 0; i < LINK_COUNT; i++)
		if (!strcmp(name, link_names[i]))
			return i;
	ERR("unknown linktype `%s` (en10mb, raw, sll, sll2, null, nflog, pktap, ipnet, ipoib, "
	    "atm-clip, juniper-ether, fddi, erf)", name);
}

static void need_args(int argc, int n, const char *usage)
{
	if (argc != n)
		ERR("usage: %s", usage);
}

static void exec_line(const struct scn_line *L)
{
	int argc = L->argc;
	char **argv = L->argv;
	const char *k = argv[0];
	S.curfile = L->file;
	S.curline = L->lineno;

	if (!strcmp(k, "linktype")) {
		need_args(argc, 2, "linktype NAME");
		if (S.w || S.nflows)
			ERR("linktype must come before the first flow");
		S.link = parse_link(argv[1]);
	} else if (!strcmp(k, "format")) {
		need_args(argc, 2, "format pcap|pcap-ns|pcapng");
		if (S.w)
			ERR("format must come before the first packet");
		if (!strcmp(argv[1], "pcap"))
			S.format = FMT_PCAP;
		else if (!strcmp(argv[1], "pcap-ns"))
			S.format = FMT_PCAP_NS;
		else if (!strcmp(argv[1], "pcapng"))
			S.format = FMT_PCAPNG;
		else
			ERR("unknown format `%s` (pcap, pcap-ns, pcapng)", argv[1]);
	} else if (!strcmp(k, "interface")) {
		if (argc < 2 || argc > 3)
			ERR("usage: interface LINKTYPE [tsresol=N] | interface N");
		if (S.format != FMT_PCAPNG)
			ERR("interface needs `format pcapng` first");
		ensure_writer();
		char err[256];
		if (isdigit((unsigned char)argv[1][0])) {
			if (argc != 2)
				ERR("usage: interface N");
			uint64_t n = parse_uint(argv[1], 1000, "interface number");
			if (writer_use_interface(S.w, (int)n) < 0)
				ERR("no interface %llu (%d declared)", (unsigned long long)n,
				    writer_interfaces(S.w));
		} else {
			int link = parse_link(argv[1]), res = 6;
			if (argc == 3) {
				if (strncmp(argv[2], "tsresol=", 8))
					ERR("unknown interface option `%s` (tsresol=N)", argv[2]);
				res = (int)parse_uint(argv[2] + 8, 9, "tsresol");
			}
			if (writer_add_interface(S.w, link, res, err, sizeof err) < 0)
				ERR("%s", err);
		}
		S.link = writer_link(S.w);
	} else if (!strcmp(k, "snaplen")) {
		need_args(argc, 2, "snaplen N");
		if (S.w)
			ERR("snaplen must come before the first packet");
		S.snaplen = (int)parse_uint(argv[1], 262144, "snaplen");
		if (S.snaplen < 14)
			ERR("snaplen too small");
	} else if (!strcmp(k, "seed")) {
		need_args(argc, 2, "seed N");
		if (S.nflows || S.w)
			ERR("seed must come before the first flow");
		S.seed = S.rng = parse_uint(argv[1], UINT64_MAX, "seed");
	} else if (!strcmp(k, "start")) {
		need_args(argc, 2, "start 2025-04-01T09:00:00Z|EPOCH");
		if (S.started)
			ERR("start must come before the first packet");
		S.now = parse_start(argv[1]);
	} else if (!strcmp(k, "step")) {
		need_args(argc, 2, "step DUR");
		S.step = parse_dur(argv[1]);
	} else if (!strcmp(k, "gap")) {
		need_args(argc, 2, "gap DUR");
		S.gap = parse_dur(argv[1]);
	} else if (!strcmp(k, "wait")) {
		need_args(argc, 2, "wait DUR");
		S.now += parse_dur(argv[1]);
	} else if (!strcmp(k, "host")) {
		need_args(argc, 3, "host NAME ADDR");
		if (!valid_name(argv[1]))
			ERR("bad host name `%s`", argv[1]);
		if (host_lookup(argv[1]))
			ERR("host `%s` already defined", argv[1]);
		uint8_t tmp[16];
		char str[64];
		if (strlen(argv[2]) >= sizeof str)
			ERR("address too long");
		parse_addr(argv[2], tmp, str, sizeof str);
		if (S.nhosts == S.caphosts) {
			S.caphosts = S.caphosts ? S.caphosts * 2 : 16;
			S.hosts = realloc(S.hosts, sizeof *S.hosts * S.caphosts);
			if (!S.hosts)
				ERR("out of memory");
		}
		snprintf(S.hosts[S.nhosts].name, sizeof S.hosts[0].name, "%s", argv[1]);
		snprintf(S.hosts[S.nhosts].addr, sizeof S.hosts[0].addr, "%s", str);
		S.nhosts++;
	} else if (!strcmp(k, "defaults")) {
		/* validate against a scratch flow */
		struct flow scratch;
		memset(&scratch, 0, sizeof scratch);
		for (int i = 1; i < argc; i++)
			flow_option(&scratch, argv[i]);
		S.defaults = argv + 1;
		S.ndefaults = argc - 1;
	} else if (!strcmp(k, "flow")) {
		cmd_flow(argc, argv);
	} else if (!strcmp(k, "repeat") || !strcmp(k, "end")) {
		ERR("internal: repeat/end reached exec_line");
	} else {
		struct flow *f = flow_find(k);
		if (!f)
			ERR("unknown statement or flow `%s`", k);
		if (argc < 2)
			ERR("flow `%s`: missing command (handshake, close, reset, >, <)", k);
		if (!strcmp(argv[1], ">") || !strcmp(argv[1], "<"))
			cmd_packet(f, argv[1][0] == '>' ? DIR_C2S : DIR_S2C, argc, argv);
		else
			cmd_control(f, argc, argv);
	}
}

static void run(void)
{
	struct {
		size_t start;
		uint64_t left;
	} stack[MAX_DEPTH * (MAX_DEPTH + 1) + 1];
	int depth = 0;
	for (size_t pc = 0; pc < S.nlines; pc++) {
		struct scn_line *L = &S.lines[pc];
		S.curfile = L->file;
		S.curline = L->lineno;
		if (!strcmp(L->argv[0], "repeat")) {
			need_args(L->argc, 2, "repeat N");
			uint64_t n = parse_uint(L->argv[1], 1000000, "repeat count");
			if (n == 0) {
				pc = (size_t)L->jump;
				continue;
			}
			stack[depth].start = pc;
			stack[depth].left = n;
			depth++;
		} else if (!strcmp(L->argv[0], "end")) {
			if (L->argc != 1)
				ERR("usage: end");
			if (--stack[depth - 1].left)
				pc = stack[depth - 1].start;
			else
				depth--;
		} else {
			exec_line(L);
		}
	}
}

/* The flows of the scenario, one line each: NAME PROTO CLIENT CPORT SERVER SPORT (tab separated),
 * so that a test can tell each record of the capture by the name the scenario gave its flow. */
static int write_flow_list(const char *path)
{
	FILE *fp = fopen(path, "w");
	if (!fp) {
		fprintf(stderr, "ucflow-synth: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(fp, "# name\tproto\tclient\tclient_port\tserver\tserver_port\n");
	for (size_t i = 0; i < S.nflows; i++) {
		const struct flow *f = &S.flows[i];
		const char *p = f->proto == 6 ? "tcp" : f->proto == 17 ? "udp" : "icmp";
		fprintf(fp, "%s\t%s\t%s\t%u\t%s\t%u\n", f->name, p, f->addr_str[0], f->port[0],
			f->addr_str[1], f->port[1]);
	}
	if (fclose(fp)) {
		fprintf(stderr, "ucflow-synth: %s: write error\n", path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char usage[] = "usage: ucflow-synth [--flows LIST.tsv] SCENARIO.scn OUT.pcap\n";
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("%sWrites a deterministic pcap from a scenario; see pcaps/README.\n"
		       "--flows: also write the scenario's flows (name, protocol, endpoints) as TSV.\n",
		       usage);
		return 0;
	}
	const char *flows = NULL;
	if (argc > 2 && !strcmp(argv[1], "--flows")) {
		flows = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 3) {
		fputs(usage, stderr);
		return 2;
	}
	S.curfile = argv[1];
	S.link = LINK_EN10MB;
	S.format = FMT_PCAP;
	S.snaplen = 65535;
	S.seed = S.rng = 1;
	S.now = 1735689600ULL * 1000000u;	/* 2025-01-01T00:00:00Z */
	S.step = 1000;
	S.gap = 100;
	sb_init(&S.l4);
	sb_init(&S.pay);
	scn_load(argv[1], &S.lines, &S.nlines);
	S.out = argv[2];
	run();
	ensure_writer();
	uint64_t n = writer_packets(S.w);
	if (writer_close(S.w)) {
		S.w = NULL;
		fprintf(stderr, "ucflow-synth: %s: write error\n", S.out);
		unlink(S.out);
		return 1;
	}
	S.w = NULL;
	if (flows && write_flow_list(flows))
		return 1;
	printf("%s: %llu packets, %zu flows\n", S.out, (unsigned long long)n, S.nflows);
	return 0;
}
