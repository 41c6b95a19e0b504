/* check_evidence_dns.c - unit tests of DNS parsing (RFC 1035: compression, CNAME chains, A/AAAA,
 * hostile pointers and counts, every truncation point), the domain-pattern matcher (Webex "*"
 * semantics), the DNS cache (TTL expiry in packet time, entry limit, LRU) and the intern table. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "evidence_helpers.h"
#include "run_suite.h"

/* Writes a name as labels ("a.b.c" -> 1a1b1c0); returns its offset. */
static size_t pname(struct buf *b, const char *name)
{
	size_t at = b->n;
	const char *s = name;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		p8(b, (unsigned)l);
		pn(b, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	p8(b, 0);
	return at;
}
static void pptr(struct buf *b, size_t off) { p16(b, 0xc000 | (unsigned)off); }

static void header(struct buf *b, unsigned flags, unsigned qd, unsigned an)
{
	b->n = 0;
	p16(b, 0x1234);
	p16(b, flags);
	p16(b, qd);
	p16(b, an);
	p16(b, 0);
	p16(b, 0);
}

/* Response: question qname/A, answers "qname CNAME cname" (when cname) and "<last> A 1.2.3.4",
 * "<last> AAAA 2001:db8::1". */
static void response(struct buf *b, const char *qname, const char *cname, uint32_t ttl)
{
	header(b, 0x8180, 1, cname ? 3 : 2);
	pname(b, qname);
	p16(b, 1);
	p16(b, 1);
	size_t owner = 12;
	if (cname) {
		pptr(b, 12);
		p16(b, 5), p16(b, 1), p32(b, ttl);
		size_t rl = b->n;
		p16(b, 0);
		owner = pname(b, cname);
		b->b[rl + 1] = (uint8_t)(b->n - rl - 2);
	}
	pptr(b, owner);
	p16(b, 1), p16(b, 1), p32(b, ttl + 100), p16(b, 4);
	pn(b, "\x01\x02\x03\x04", 4);
	pptr(b, owner);
	p16(b, 28), p16(b, 1), p32(b, ttl + 100), p16(b, 16);
	pn(b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
}

START_TEST(dns_simple_and_cname)
{
	struct buf b;
	struct ev_dns_msg m;
	response(&b, "Login.WEBEX.com", NULL, 300);
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_OK);
	ck_assert_uint_eq(m.qr, 1);
	ck_assert_uint_eq(m.nchain, 1);
	ck_assert_str_eq(m.chain[0], "login.webex.com");
	ck_assert_uint_eq(m.naddrs, 2);
	char t[UCF_ADDR_STRLEN];
	ck_assert_str_eq(ucf_addr_format(&m.addrs[0].addr, t, sizeof t), "1.2.3.4");
	ck_assert_str_eq(ucf_addr_format(&m.addrs[1].addr, t, sizeof t), "2001:db8::1");
	ck_assert_uint_eq(m.addrs[0].ttl, 400);

	response(&b, "www.webex.com", "www.webex.com.edgekey.net", 60);
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_OK);
	ck_assert_uint_eq(m.nchain, 2);
	ck_assert_str_eq(m.chain[1], "www.webex.com.edgekey.net");
	ck_assert_uint_eq(m.chain_ttl[1], 60);
	ck_assert_uint_eq(m.naddrs, 2);
	ck_assert_uint_eq(m.addrs[0].chain_idx, 1);
}
END_TEST

/* An A record whose owner is not on the question's chain is not attributed to it. */
START_TEST(dns_unrelated_owner_ignored)
{
	struct buf b;
	struct ev_dns_msg m;
	header(&b, 0x8180, 1, 1);
	pname(&b, "a.webex.com");
	p16(&b, 1), p16(&b, 1);
	pname(&b, "evil.example");
	p16(&b, 1), p16(&b, 1), p32(&b, 60), p16(&b, 4);
	pn(&b, "\x05\x06\x07\x08", 4);
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_OK);
	ck_assert_uint_eq(m.naddrs, 0);
}
END_TEST

START_TEST(dns_every_truncation)
{
	struct buf b;
	struct ev_dns_msg m;
	response(&b, "a.webex.com", "a.webex.com.cdn.example", 60);
	size_t qend = 12 + 13 + 4;
	for (size_t n = 0; n < b.n; n++) {
		uint8_t *d = dup_n(b.b, n);
		int r = ev_dns_parse(bv_make(d, n), &m);
		/* header + question present: DNS, answers unusable; before that: not DNS */
		ck_assert_int_eq(r, n >= qend ? EV_MORE : EV_BAD);
		ck_assert_uint_eq(m.naddrs, 0);
		free(d);
	}
}
END_TEST

START_TEST(dns_pointer_abuse)
{
	struct buf b;
	struct ev_dns_msg m;
	char out[EV_NAME_MAX + 1];
	size_t nl, next;
	/* the question name is a pointer to itself */
	header(&b, 0x8180, 1, 0);
	pptr(&b, 12);
	p16(&b, 1), p16(&b, 1);
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_BAD);
	/* a label then a pointer back to the start of the same name: a loop */
	header(&b, 0x8180, 1, 0);
	p8(&b, 1), p8(&b, 'a');
	pptr(&b, 12);
	p16(&b, 1), p16(&b, 1);
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_BAD);
	/* a forward pointer */
	header(&b, 0x8180, 1, 0);
	pptr(&b, 18);
	p16(&b, 1), p16(&b, 1);
	pname(&b, "x.webex.com");
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_BAD);
	/* a pointer into the header */
	header(&b, 0x8180, 1, 0);
	pptr(&b, 2);
	p16(&b, 1), p16(&b, 1);
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_BAD);
	/* two names pointing at each other: A -> B (backwards) whose tail points forward to A */
	header(&b, 0x8180, 1, 0);
	pname(&b, "q.example");
	p16(&b, 1), p16(&b, 1);
	size_t nb = b.n;
	p8(&b, 1), p8(&b, 'b');
	pptr(&b, nb + 4); /* forward, to the next name */
	size_t na = b.n;
	p8(&b, 1), p8(&b, 'a');
	pptr(&b, nb);
	ck_assert_int_eq(ev_dns_name(bv_make(b.b, b.n), na, out, sizeof out, &nl, &next), EV_BAD);
	ck_assert_int_eq(ev_dns_name(bv_make(b.b, b.n), nb, out, sizeof out, &nl, &next), EV_BAD);
	/* reserved label types 0x40 and 0x80 */
	header(&b, 0x8180, 1, 0);
	p8(&b, 0x41);
	ck_assert_int_eq(ev_dns_name(bv_make(b.b, b.n), 12, out, sizeof out, &nl, &next), EV_BAD);
}
END_TEST

/* A legitimate chain of backward pointers is followed up to EV_DNS_MAX_JUMPS, not beyond. */
START_TEST(dns_max_jumps)
{
	struct buf b;
	char out[EV_NAME_MAX + 1];
	size_t nl, next, at[24];
	header(&b, 0x8180, 1, 0);
	at[0] = pname(&b, "root.example");
	for (int k = 1; k < 24; k++) {
		at[k] = b.n;
		p8(&b, 1), p8(&b, 'a');
		pptr(&b, at[k - 1]);
	}
	ck_assert_int_eq(ev_dns_name(bv_make(b.b, b.n), at[EV_DNS_MAX_JUMPS], out, sizeof out, &nl,
				     &next),
			 EV_OK);
	ck_assert_uint_eq(nl, 2 * EV_DNS_MAX_JUMPS + 12);
	ck_assert_uint_eq(next, at[EV_DNS_MAX_JUMPS] + 4);
	ck_assert_int_eq(ev_dns_name(bv_make(b.b, b.n), at[EV_DNS_MAX_JUMPS + 1], out, sizeof out,
				     &nl, &next),
			 EV_BAD);
}
END_TEST

START_TEST(dns_name_limits)
{
	struct buf b;
	char out[EV_NAME_MAX + 1];
	size_t nl, next;
	/* 5 labels of 63 = 320 wire octets: too long */
	header(&b, 0x8180, 1, 0);
	for (int i = 0; i < 5; i++) {
		p8(&b, 63);
		for (int k = 0; k < 63; k++)
			p8(&b, 'x');
	}
	p8(&b, 0);
	ck_assert_int_eq(ev_dns_name(bv_make(b.b, b.n), 12, out, sizeof out, &nl, &next), EV_BAD);
	/* a label with a dot and a control byte: no fake label boundary */
	header(&b, 0x8180, 1, 0);
	p8(&b, 5), pn(&b, "ab.c\x01", 5), p8(&b, 3), pn(&b, "COM", 3), p8(&b, 0);
	ck_assert_int_eq(ev_dns_name(bv_make(b.b, b.n), 12, out, sizeof out, &nl, &next), EV_OK);
	ck_assert_str_eq(out, "ab?c?.com");
	/* root */
	header(&b, 0x8180, 1, 0);
	p8(&b, 0);
	ck_assert_int_eq(ev_dns_name(bv_make(b.b, b.n), 12, out, sizeof out, &nl, &next), EV_OK);
	ck_assert_uint_eq(nl, 0);
}
END_TEST

START_TEST(dns_hostile_counts)
{
	struct buf b;
	struct ev_dns_msg m;
	response(&b, "a.webex.com", NULL, 60);
	b.b[6] = 0xff, b.b[7] = 0xff; /* 65535 answers claimed, 2 present */
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_MORE);
	ck_assert_uint_eq(m.naddrs, 0);
	b.b[4] = 0xff; /* many questions */
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_BAD);
	/* 200 A records: only EV_DNS_MAX_RRS examined, at most EV_DNS_MAX_ADDRS kept */
	header(&b, 0x8180, 1, 200);
	pname(&b, "many.webex.com");
	p16(&b, 1), p16(&b, 1);
	for (int i = 0; i < 200; i++) {
		pptr(&b, 12);
		p16(&b, 1), p16(&b, 1), p32(&b, 60), p16(&b, 4);
		p8(&b, 10), p8(&b, 0), p8(&b, 0), p8(&b, (unsigned)i);
	}
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_OK);
	ck_assert_uint_eq(m.naddrs, EV_DNS_MAX_ADDRS);
	/* rdlength past the message */
	response(&b, "a.webex.com", NULL, 60);
	b.b[12 + 13 + 4 + 2 + 8] = 0x7f;
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_MORE);
	ck_assert_uint_eq(m.naddrs, 0);
}
END_TEST

/* A CNAME loop (a -> b -> a) ends the chain without hanging. */
START_TEST(dns_cname_loop)
{
	struct buf b;
	struct ev_dns_msg m;
	header(&b, 0x8180, 1, 2);
	size_t q = pname(&b, "a.example");
	p16(&b, 1), p16(&b, 1);
	pptr(&b, q);
	p16(&b, 5), p16(&b, 1), p32(&b, 60), p16(&b, 11);
	size_t t = pname(&b, "b.example");
	pptr(&b, t);
	p16(&b, 5), p16(&b, 1), p32(&b, 60), p16(&b, 2);
	pptr(&b, q);
	ck_assert_int_eq(ev_dns_parse(bv_make(b.b, b.n), &m), EV_OK);
	ck_assert_uint_eq(m.nchain, 2);
}
END_TEST

/* ---- domain matcher ---- */

START_TEST(domain_wildcard_table)
{
	struct ev_domains *d = ev_domains_create();
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(ev_domains_add(d, "*.webex.com", 1, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "*.cisco.com", 2, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "*.ucmgmt.cisco.com", 3, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "Host.Example.COM.", 4, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "*.broadcloud.com.au", 5, err), UCF_OK);
	static const struct {
		const char *name;
		int want;
	} t[] = {
		{ "a.webex.com", 1 },        { "a.b.webex.com", 1 },     { "webex.com", 1 },
		{ "WEBEX.COM.", 1 },         { "A.Webex.Com", 1 },       { "webex.com.evil.org", -1 },
		{ "evilwebex.com", -1 },     { "com", -1 },              { "webex.co", -1 },
		{ "x.ucmgmt.cisco.com", 3 }, { "ucmgmt.cisco.com", 3 },  { "x.cisco.com", 2 },
		{ "xucmgmt.cisco.com", 2 },  { "host.example.com", 4 },  { "HOST.example.com.", 4 },
		{ "a.host.example.com", -1 }, { "example.com", -1 },     { "ost.example.com", -1 },
		{ "syd.broadcloud.com.au", 5 }, { "com.au", -1 },        { "", -1 },
		{ ".", -1 },                 { "*.webex.com", 1 },       { "*.a.webex.com", 1 },
		{ "*.example.com", -1 },     { "*.host.example.com", -1 }, { "webex.com..", -1 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *pat;
		int got = ev_domains_match(d, t[i].name, strlen(t[i].name), &pat);
		ck_assert_msg(got == t[i].want, "%s: got %d want %d", t[i].name, got, t[i].want);
		ck_assert_int_eq(pat != NULL, got >= 0);
	}
	const char *pat;
	ck_assert_int_eq(ev_domains_match(d, "a.ucmgmt.cisco.com", 18, &pat), 3);
	ck_assert_str_eq(pat, "*.ucmgmt.cisco.com");
	ck_assert_int_eq(ev_domains_match(d, "HOST.EXAMPLE.COM", 16, &pat), 4);
	ck_assert_str_eq(pat, "host.example.com");
	/* not NUL-terminated: only len bytes count */
	ck_assert_int_eq(ev_domains_match(d, "a.webex.comXYZ", 11, NULL), 1);
	/* duplicates keep the first id */
	ck_assert_int_eq(ev_domains_add(d, "*.WEBEX.com", 9, err), UCF_OK);
	ck_assert_int_eq(ev_domains_match(d, "a.webex.com", 11, NULL), 1);
	ck_assert_uint_eq(ev_domains_count(d), 5);
	ev_domains_clear(d);
	ck_assert_int_eq(ev_domains_match(d, "a.webex.com", 11, NULL), -1);
	ev_domains_destroy(d);
}
END_TEST

/* Prefix patterns "_service._proto.*" (DNS SRV lookups' leading labels, RFC 2782): the name must
 * start with the labels and have a domain after them; they win over a suffix pattern of that
 * domain; a pattern that is not all underscore labels is refused. */
START_TEST(domain_prefix_patterns)
{
	struct ev_domains *d = ev_domains_create();
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(ev_domains_add(d, "*.webex.com", 1, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "_sipfederationtls._tcp.*", 2, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "_XMPP-server._tcp.*", 3, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "_xmpp-server._tcp.*", 9, err), UCF_OK); /* dup: first id */
	ck_assert_int_eq(ev_domains_add(d, "host.*", 4, err), UCF_ERR_CONFIG);
	ck_assert_int_eq(ev_domains_add(d, "_a.b.*", 4, err), UCF_ERR_CONFIG);
	ck_assert_int_eq(ev_domains_add(d, "_a.._b.*", 4, err), UCF_ERR_CONFIG);
	static const struct {
		const char *name;
		int want;
	} t[] = {
		{ "_sipfederationtls._tcp.example.net", 2 }, { "_SIPFEDERATIONTLS._TCP.Example.NET.", 2 },
		{ "_xmpp-server._tcp.gmail.com", 3 },        { "_xmpp-server._tcp.webex.com", 3 },
		{ "_xmpp-server._tcp.", -1 },                { "_xmpp-server._tcp", -1 },
		{ "_xmpp-server._udp.example.net", -1 },     { "_xmpp-client._tcp.example.net", -1 },
		{ "x._xmpp-server._tcp.example.net", -1 },   { "a.webex.com", 1 },
		{ "sip.example.net", -1 },                   { "*._xmpp-server._tcp.example.net", -1 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *pat;
		int got = ev_domains_match(d, t[i].name, strlen(t[i].name), &pat);
		ck_assert_msg(got == t[i].want, "%s: got %d want %d", t[i].name, got, t[i].want);
		ck_assert_int_eq(pat != NULL, got >= 0);
		/* the cached path gives the same */
		ck_assert_int_eq(ev_domains_match_cached(d, t[i].name, strlen(t[i].name)), got);
	}
	const char *pat;
	ck_assert_int_eq(ev_domains_match(d, "_xmpp-server._tcp.jabber.org", 28, &pat), 3);
	ck_assert_str_eq(pat, "_XMPP-server._tcp.*");
	ck_assert_uint_eq(ev_domains_count(d), 3);
	ev_domains_destroy(d);
}
END_TEST

/* Names made mostly of dots, up to the longest name the matcher takes (fuzz_packet: an HTTP Host
 * of dots overran the parent-suffix table; the sanitizer build catches any overrun): they match
 * only what their last labels name. */
START_TEST(domain_names_of_dots)
{
	struct ev_domains *d = ev_domains_create();
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(ev_domains_add(d, "*.webex.com", 1, err), UCF_OK);
	char name[EV_NAME_MAX + 16];
	for (size_t len = 1; len <= EV_NAME_MAX + 2; len++) {
		memset(name, '.', len);
		ck_assert_int_eq(ev_domains_match(d, name, len, NULL), -1);
		name[len - 1] = 'a'; /* ....a */
		ck_assert_int_eq(ev_domains_match(d, name, len, NULL), -1);
		if (len > 10) {
			memcpy(name + len - 10, ".webex.com", 10); /* ....webex.com */
			ck_assert_int_eq(ev_domains_match(d, name, len, NULL), len <= EV_NAME_MAX ? 1 : -1);
		}
	}
	ev_domains_destroy(d);
}
END_TEST

/* The memoised matches (per interned name, and the recent-names cache) answer as
 * ev_domains_match does, also after the patterns change and after a name's id is reused. */
START_TEST(domain_match_memo)
{
	struct ev_domains *d = ev_domains_create();
	struct ev_names *n = ev_names_create(8, 4096, 7);
	char err[UCF_ERRBUF_SIZE];
	const char *pat;
	ck_assert_int_eq(ev_domains_add(d, "*.webex.com", 1, err), UCF_OK);
	uint32_t a = ev_names_intern(n, "a.b.webex.com", 13);
	uint32_t c = ev_names_intern(n, "cisco.com", 9);
	for (int round = 0; round < 2; round++) { /* the second answers from the memo */
		ck_assert_int_eq(ev_names_domain_match(n, d, a, &pat), 1);
		ck_assert_str_eq(pat, "*.webex.com");
		ck_assert_int_eq(ev_names_domain_match(n, d, c, &pat), -1);
		ck_assert_ptr_null(pat);
		ck_assert_int_eq(ev_domains_match_cached(d, "a.b.webex.com", 13), 1);
		ck_assert_int_eq(ev_domains_match_cached(d, "cisco.com", 9), -1);
	}
	/* a longer pattern, then an exact one: the memos follow */
	ck_assert_int_eq(ev_domains_add(d, "*.b.webex.com", 2, err), UCF_OK);
	ck_assert_int_eq(ev_domains_add(d, "cisco.com", 3, err), UCF_OK);
	ck_assert_int_eq(ev_names_domain_match(n, d, a, &pat), 2);
	ck_assert_str_eq(pat, "*.b.webex.com");
	ck_assert_int_eq(ev_names_domain_match(n, d, c, &pat), 3);
	ck_assert_int_eq(ev_domains_match_cached(d, "a.b.webex.com", 13), 2);
	ck_assert_int_eq(ev_domains_match_cached(d, "cisco.com", 9), 3);
	/* the same id for another name: nothing of the old one's match remains */
	ev_names_release(n, a);
	uint32_t e = ev_names_intern(n, "example.org", 11);
	ck_assert_uint_eq(e, a);
	ck_assert_int_eq(ev_names_domain_match(n, d, e, &pat), -1);
	/* names sharing a cache slot, and names longer than the cache holds */
	char name[EV_NAME_MAX + 8];
	for (int i = 0; i < 500; i++) {
		int len = snprintf(name, sizeof name, "h%d.%s", i, i % 2 ? "webex.com" : "example.net");
		ck_assert_int_eq(ev_domains_match_cached(d, name, (size_t)len), i % 2 ? 1 : -1);
	}
	memset(name, 'a', sizeof name);
	memcpy(name + EV_NAME_MAX - 10, ".webex.com", 10);
	ck_assert_int_eq(ev_domains_match_cached(d, name, EV_NAME_MAX),
			 ev_domains_match(d, name, EV_NAME_MAX, NULL));
	ev_domains_clear(d);
	ck_assert_int_eq(ev_names_domain_match(n, d, c, &pat), -1);
	ck_assert_int_eq(ev_domains_match_cached(d, "cisco.com", 9), -1);
	ck_assert_int_eq(ev_names_domain_match(n, d, 0, &pat), -1); /* no such name */
	ev_names_destroy(n);
	ev_domains_destroy(d);
}
END_TEST

START_TEST(domain_bad_patterns)
{
	struct ev_domains *d = ev_domains_create();
	char err[UCF_ERRBUF_SIZE];
	const char *bad[] = { "", "*", "*.", "*webex.com", "a..b", "*.*.x", "a b.com", ".a.com",
			      "a.com/x", "w*.com" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(ev_domains_add(d, bad[i], 1, err) == UCF_ERR_CONFIG, "%s", bad[i]);
	ck_assert_int_eq(ev_domains_add(d, "a.com", -1, err), UCF_ERR_CONFIG);
	ck_assert_uint_eq(ev_domains_count(d), 0);
	/* many patterns: the table grows at load time */
	for (int i = 0; i < 1000; i++) {
		char p[64];
		snprintf(p, sizeof p, "*.d%d.example", i);
		ck_assert_int_eq(ev_domains_add(d, p, i, err), UCF_OK);
	}
	for (int i = 0; i < 1000; i += 37) {
		char n[64];
		snprintf(n, sizeof n, "x.y.d%d.example", i);
		ck_assert_int_eq(ev_domains_match(d, n, strlen(n), NULL), i);
	}
	ev_domains_destroy(d);
}
END_TEST

/* ---- intern table ---- */

START_TEST(names_intern_refcount)
{
	struct ev_names *n = ev_names_create(4, 4096, 1);
	ck_assert_ptr_nonnull(n);
	uint32_t a = ev_names_intern(n, "a.webex.com", 11);
	uint32_t b = ev_names_intern(n, "a.webex.com", 11);
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_eq(a, b);
	ck_assert_str_eq(ev_names_get(n, a), "a.webex.com");
	ck_assert_uint_eq(ev_names_live(n), 1);
	ev_names_release(n, a);
	ck_assert_str_eq(ev_names_get(n, a), "a.webex.com");
	ev_names_release(n, a);
	ck_assert_ptr_null(ev_names_get(n, a));
	ck_assert_uint_eq(ev_names_live(n), 0);
	/* capacity: 4 entries */
	uint32_t ids[4];
	for (int i = 0; i < 4; i++) {
		char s[8];
		snprintf(s, sizeof s, "n%d", i);
		ids[i] = ev_names_intern(n, s, strlen(s));
		ck_assert_uint_ne(ids[i], 0);
	}
	ck_assert_uint_eq(ev_names_intern(n, "full", 4), 0);
	ev_names_release(n, ids[2]);
	ck_assert_uint_ne(ev_names_intern(n, "again", 5), 0);
	ck_assert_str_eq(ev_names_get(n, ids[3]), "n3");
	/* lengths */
	char big[EV_INTERN_MAXLEN + 2];
	memset(big, 'x', sizeof big);
	ck_assert_uint_eq(ev_names_intern(n, big, 0), 0);
	ck_assert_uint_eq(ev_names_intern(n, big, EV_INTERN_MAXLEN + 1), 0);
	ev_names_release(n, 0);      /* no-ops */
	ev_names_release(n, 999);
	ck_assert_ptr_null(ev_names_get(n, 0));
	ev_names_destroy(n);
}
END_TEST

/* The arena is bounded; freed blocks are reused so churn does not exhaust it. */
START_TEST(names_arena_reuse)
{
	struct ev_names *n = ev_names_create(64, 4096, 7);
	char s[EV_INTERN_MAXLEN + 1];
	memset(s, 'q', sizeof s);
	for (int round = 0; round < 1000; round++) {
		s[0] = (char)('a' + round % 26);
		s[1] = (char)('a' + round / 26 % 26);
		size_t len = 1 + (size_t)(round * 37) % EV_INTERN_MAXLEN;
		uint32_t id = ev_names_intern(n, s, len);
		ck_assert_uint_ne(id, 0);
		ck_assert_uint_eq(strlen(ev_names_get(n, id)), len);
		ev_names_release(n, id);
	}
	ck_assert_uint_eq(ev_names_live(n), 0);
	ev_names_destroy(n);
}
END_TEST

/* ---- DNS cache ---- */

static struct ucf_addr ip(const char *s)
{
	struct ucf_addr a;
	ck_assert(ucf_addr_parse(s, &a));
	return a;
}

START_TEST(dnscache_ttl)
{
	struct ev_names *n = ev_names_create(64, 8192, 1);
	struct ev_dnscache *c = ev_dnscache_create(8, n, 2);
	uint32_t id = ev_names_intern(n, "a.webex.com", 11);
	struct ucf_addr a = ip("23.89.1.1"), b = ip("2001:db8::5");
	ev_dnscache_put(c, &a, id, 100 * SEC + 300 * SEC);
	ev_dnscache_put(c, &b, id, 100 * SEC + 10 * SEC);
	ev_names_release(n, id);
	ck_assert_uint_eq(ev_names_live(n), 1); /* the cache holds it */
	ck_assert_uint_eq(ev_dnscache_get(c, &a, 100 * SEC), id);
	ck_assert_uint_eq(ev_dnscache_get(c, &b, 109 * SEC), id);
	ck_assert_uint_eq(ev_dnscache_get(c, &b, 110 * SEC), 0); /* expired, dropped */
	ck_assert_uint_eq(ev_dnscache_count(c), 1);
	ck_assert_uint_eq(ev_dnscache_get(c, &a, 399 * SEC), id);
	ck_assert_uint_eq(ev_dnscache_get(c, &a, 400 * SEC), 0);
	ck_assert_uint_eq(ev_dnscache_count(c), 0);
	ck_assert_uint_eq(ev_names_live(n), 0);
	struct ucf_addr z = ip("9.9.9.9");
	ck_assert_uint_eq(ev_dnscache_get(c, &z, 0), 0);
	ev_dnscache_destroy(c);
	ev_names_destroy(n);
}
END_TEST

START_TEST(dnscache_limit_lru)
{
	struct ev_names *n = ev_names_create(64, 8192, 1);
	struct ev_dnscache *c = ev_dnscache_create(4, n, 3);
	uint32_t id[6];
	struct ucf_addr a[6];
	for (int i = 0; i < 6; i++) {
		char s[32];
		snprintf(s, sizeof s, "10.0.0.%d", i);
		a[i] = ip(s);
		snprintf(s, sizeof s, "h%d.webex.com", i);
		id[i] = ev_names_intern(n, s, strlen(s));
	}
	for (int i = 0; i < 4; i++)
		ev_dnscache_put(c, &a[i], id[i], 1000 * SEC);
	ck_assert_uint_eq(ev_dnscache_get(c, &a[0], 1), id[0]); /* 0 is now the most recent */
	ev_dnscache_put(c, &a[4], id[4], 1000 * SEC);           /* evicts 1, the LRU */
	ck_assert_uint_eq(ev_dnscache_count(c), 4);
	ck_assert_uint_eq(ev_dnscache_evictions(c), 1);
	ck_assert_uint_eq(ev_dnscache_get(c, &a[1], 1), 0);
	ck_assert_uint_eq(ev_dnscache_get(c, &a[0], 1), id[0]);
	ck_assert_uint_eq(ev_dnscache_get(c, &a[4], 1), id[4]);
	/* refresh an entry with a new name: no growth */
	ev_dnscache_put(c, &a[4], id[5], 1000 * SEC);
	ck_assert_uint_eq(ev_dnscache_get(c, &a[4], 1), id[5]);
	ck_assert_uint_eq(ev_dnscache_count(c), 4);
	for (int i = 0; i < 6; i++)
		ev_names_release(n, id[i]);
	ev_dnscache_destroy(c);
	ck_assert_uint_eq(ev_names_live(n), 0);
	ev_names_destroy(n);
}
END_TEST

/* Random puts / gets / expiries against an exact reference model of the LRU cache (exercises
 * backward-shift deletion in long probe runs: 64 addresses, 48 entries, 128 slots). */
START_TEST(dnscache_model)
{
	struct ev_names *n = ev_names_create(1024, 65536, 1);
	struct ev_dnscache *c = ev_dnscache_create(48, n, 4);
	uint32_t nid[8];
	for (int i = 0; i < 8; i++) {
		char s[16];
		snprintf(s, sizeof s, "n%d.x", i);
		nid[i] = ev_names_intern(n, s, strlen(s));
	}
	struct {
		uint64_t exp, used;
		uint32_t id;
		int present;
	} m[64];
	memset(m, 0, sizeof m);
	unsigned count = 0, evictions = 0;
	uint64_t now = 0, tick = 0;
	unsigned seed = 12345;
	for (int step = 0; step < 50000; step++) {
		seed = seed * 1103515245 + 12345;
		unsigned r = seed >> 4;
		int k = (int)(r % 64);
		char s[32];
		snprintf(s, sizeof s, "10.1.%d.%d", k % 3, k);
		struct ucf_addr a = ip(s);
		now += (r >> 6) % 3;
		if ((r >> 8) % 2) {
			uint32_t id = nid[(r >> 10) % 8];
			uint64_t exp = now + 1 + (r >> 13) % 600;
			ev_dnscache_put(c, &a, id, exp);
			if (!m[k].present) {
				if (count == 48) { /* the model's LRU victim */
					int v = -1;
					for (int i = 0; i < 64; i++)
						if (m[i].present && (v < 0 || m[i].used < m[v].used))
							v = i;
					m[v].present = 0;
					count--;
					evictions++;
				}
				m[k].present = 1;
				count++;
			}
			m[k].exp = exp;
			m[k].id = id;
			m[k].used = ++tick;
		} else {
			uint32_t want = 0;
			if (m[k].present && m[k].exp <= now) {
				m[k].present = 0;
				count--;
			} else if (m[k].present) {
				want = m[k].id;
				m[k].used = ++tick;
			}
			ck_assert_uint_eq(ev_dnscache_get(c, &a, now), want);
		}
		ck_assert_uint_eq(ev_dnscache_count(c), count);
	}
	ck_assert_uint_eq(ev_dnscache_evictions(c), evictions);
	ck_assert_uint_gt(evictions, 100);
	for (int i = 0; i < 8; i++)
		ev_names_release(n, nid[i]);
	ev_dnscache_destroy(c);
	ck_assert_uint_eq(ev_names_live(n), 0);
	ev_names_destroy(n);
}
END_TEST

static Suite *dns_suite(void)
{
	Suite *s = suite_create("evidence_dns");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, dns_simple_and_cname);
	tcase_add_test(tc, dns_unrelated_owner_ignored);
	tcase_add_test(tc, dns_every_truncation);
	tcase_add_test(tc, dns_pointer_abuse);
	tcase_add_test(tc, dns_max_jumps);
	tcase_add_test(tc, dns_name_limits);
	tcase_add_test(tc, dns_hostile_counts);
	tcase_add_test(tc, dns_cname_loop);
	suite_add_tcase(s, tc);
	tc = tcase_create("domains");
	tcase_add_test(tc, domain_wildcard_table);
	tcase_add_test(tc, domain_prefix_patterns);
	tcase_add_test(tc, domain_names_of_dots);
	tcase_add_test(tc, domain_bad_patterns);
	suite_add_tcase(s, tc);
	tc = tcase_create("names_cache");
	tcase_add_test(tc, names_intern_refcount);
	tcase_add_test(tc, names_arena_reuse);
	tcase_add_test(tc, dnscache_ttl);
	tcase_add_test(tc, domain_match_memo);
	tcase_add_test(tc, dnscache_limit_lru);
	tcase_add_test(tc, dnscache_model);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(dns_suite());
}
