/* check_classify.c - the classifier on small test tables: specificity, fallback, shared ports,
 * on-premises vs public servers, site+port disambiguation, orientation, expected DSCP. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "classify_helpers.h"
#include "evidence.h"
#include "run_suite.h"

/* The small test tables, with or without the site file that declares servers. */
static struct sig_db *load(bool with_site)
{
	char dir[4096], site[4096];
	srcdir_path(dir, sizeof dir, "tests/sig/classify");
	srcdir_path(site, sizeof site, "tests/sig/site-beta.site");
	return load_tables(dir, with_site ? site : NULL);
}

/* sig_rule_brief_get (the output's accessor) reports what sig_rule_get does, for every rule and
 * domain row, and nothing for other indices. */
START_TEST(test_rule_brief)
{
	struct sig_db *db = load_shipped(NULL); /* rules and domain rows */
	size_t nr = sig_rule_count(db), nd = sig_domain_count(db);
	ck_assert_uint_gt(nr, 0);
	ck_assert_uint_gt(nd, 0);
	for (size_t i = 0; i < nr + nd; i++) {
		uint16_t idx = (uint16_t)(i < nr ? i : CLASSIFY_RULE_DOMAIN_BASE + (i - nr));
		struct sig_rule_view v;
		struct sig_rule_brief b;
		ck_assert(sig_rule_get(db, idx, &v));
		ck_assert(sig_rule_brief_get(db, idx, &b));
		ck_assert_ptr_eq(b.app, v.app);
		ck_assert_ptr_eq(b.service, v.service);
		ck_assert_ptr_eq(b.category, v.category);
		ck_assert_ptr_eq(b.file, v.file);
		ck_assert_uint_eq(b.line, v.line);
		ck_assert_int_eq(b.encrypted, v.encrypted);
	}
	struct sig_rule_brief b;
	ck_assert(!sig_rule_brief_get(db, (uint16_t)nr, &b));
	ck_assert(!sig_rule_brief_get(db, (uint16_t)(CLASSIFY_RULE_DOMAIN_BASE + nd), &b));
	ck_assert(!sig_rule_brief_get(db, FLOW_RULE_NONE, &b));
	ck_assert(!sig_rule_brief_get(NULL, 0, &b));
	sig_db_free(db);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(classify_confidence_name(CONF_SUBNET_PORT), "subnet+port");
	ck_assert_str_eq(classify_confidence_name(CONF_SITE_PORT), "site+port");
	ck_assert_str_eq(classify_confidence_name(CONF_ROLE_PORT), "role+port");
	ck_assert_str_eq(classify_confidence_name(CONF_DNS), "dns");
	ck_assert_str_eq(classify_confidence_name(99), "none");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_SHARED_PORT), "shared-port");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_PUBLIC_PORT), "public-port-only");
}
END_TEST

START_TEST(test_specificity)
{
	struct sig_db *db = load(false);
	struct flow f;
	/* address set + port beats address set alone; the longer prefix wins among subnet+port */
	mkflow(&f, 6, "10.0.0.1", 40000, "198.18.5.10", 8934, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/small-port", CONF_SUBNET_PORT);
	ck_assert(has_cand(db, &f, "cloud/small-any"));
	ck_assert(has_cand(db, &f, "cloud/big-any"));
	ck_assert_uint_eq(f.label.ncand, 2);
	ck_assert_str_eq(name(db, f.label.cand[0]), "cloud/small-any"); /* best first */
	/* port miss on the /24: falls back to the /15's port rule, which beats the /24 subnet rule */
	mkflow(&f, 6, "10.0.0.1", 40000, "198.18.5.10", 5061, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/big-port", CONF_SUBNET_PORT);
	ck_assert_str_eq(name(db, f.label.cand[0]), "cloud/small-any");
	/* no port rule at all: the longest prefix's subnet rule */
	mkflow(&f, 6, "10.0.0.1", 40000, "198.18.5.10", 1234, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/small-any", CONF_SUBNET);
	mkflow(&f, 17, "10.0.0.1", 40000, "198.19.200.1", 1234, false);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/big-any", CONF_SUBNET);
	mkflow(&f, 17, "2001:db8::5", 1234, "fd00::1", 40000, false); /* IPv6 member, swapped */
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/big-any", CONF_SUBNET);
	ck_assert(f.swapped);
	/* the narrower port range beats the wider; expected DSCP from the qos row, else dscp= */
	mkflow(&f, 17, "10.0.0.1", 40000, "198.18.0.1", 8520, false);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/media-narrow", CONF_SUBNET_PORT);
	ck_assert_str_eq(name(db, f.label.cand[0]), "cloud/media-wide");
	ck_assert_uint_eq(f.label.expected_dscp, 46);
	mkflow(&f, 17, "10.0.0.1", 40000, "198.18.0.1", 8570, false);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/media-narrow", CONF_SUBNET_PORT);
	ck_assert_uint_eq(f.label.expected_dscp, 34); /* outside the qos row's ports: rule dscp= */
	mkflow(&f, 17, "10.0.0.1", 40000, "198.18.0.1", 8700, false);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/media-wide", CONF_SUBNET_PORT);
	ck_assert_uint_eq(f.label.expected_dscp, 0xff);
	/* narrower range across apps (7100 alpha vs 7000-7999 beta): still a port-only tie on kind,
	 * so no product is named; both stay candidates */
	mkflow(&f, 6, "10.0.0.1", 40000, "10.0.0.2", 7100, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert(f.label.flags & CLASSIFY_F_AMBIGUOUS);
	ck_assert_str_eq(name(db, f.label.cand[0]), "alpha/ctl");
	ck_assert_str_eq(name(db, f.label.cand[1]), "beta/ctl");
	mkflow(&f, 6, "10.0.0.1", 40000, "10.0.0.2", 7200, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "beta/ctl", CONF_PORT);
	ck_assert(!(f.label.flags & CLASSIFY_F_AMBIGUOUS));
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_MATCH);
	sig_db_free(db);
}
END_TEST

START_TEST(test_client_subnet)
{
	struct sig_db *db = load(false);
	struct flow f;
	/* documented client subnet + client port: the cloud sends to a customer-chosen server */
	mkflow(&f, 17, "198.18.0.1", 20000, "203.0.113.5", 40000, false);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/inbound", CONF_SUBNET_PORT);
	ck_assert(!f.swapped); /* the other orientation (big-any, subnet) is not strictly better */
	mkflow(&f, 17, "198.18.0.1", 2000, "203.0.113.5", 40000, false); /* client port outside */
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/big-any", CONF_SUBNET);
	ck_assert(f.swapped);
	sig_db_free(db);
}
END_TEST

START_TEST(test_shared_ports)
{
	struct sig_db *db = load(false);
	struct flow f;
	mkflow(&f, 6, "10.0.0.1", 40000, "10.0.0.2", 443, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_SHARED_PORT);
	ck_assert_uint_eq(f.label.ncand, 1);
	ck_assert_str_eq(name(db, f.label.cand[0]), "alpha/web");
	ck_assert(f.label.flags & CLASSIFY_F_SHARED);
	/* a documented subnet on a shared port labels */
	mkflow(&f, 6, "10.0.0.1", 40000, "198.18.5.1", 443, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/web", CONF_SUBNET_PORT);
	/* evidence (DNS/payload) naming the app turns the candidate into the label */
	mkflow(&f, 6, "10.0.0.1", 40000, "10.0.0.2", 443, true);
	classify_flow_evidence(db, &f, sig_app_find(db, "alpha"), CONF_DNS);
	EXPECT(db, &f, "alpha/web", CONF_DNS);
	classify_flow_evidence(db, &f, sig_app_find(db, "nope"), CONF_DNS);
	EXPECT(db, &f, "-", CONF_NONE);
	sig_db_free(db);
}
END_TEST

START_TEST(test_onprem_public)
{
	struct sig_db *db = load(false);
	struct flow f;
	/* WhatsApp-like: an internal phone to a public server on 5222. The on-premises rules need
	 * an internal server; beta's outbound row (server=any) is a candidate, not a label. */
	mkflow(&f, 6, "10.0.0.1", 40000, "157.240.1.1", 5222, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_PUBLIC_PORT);
	ck_assert_uint_eq(f.label.ncand, 1);
	ck_assert_str_eq(name(db, f.label.cand[0]), "beta/notify");
	ck_assert(f.label.flags & CLASSIFY_F_ORIG_INTERNAL);
	ck_assert(!(f.label.flags & CLASSIFY_F_RESP_INTERNAL));
	/* only on-premises listener rows: the reason says the server is not internal */
	mkflow(&f, 6, "10.0.0.1", 40000, "157.240.1.1", 7100, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_NOT_INTERNAL);
	ck_assert_uint_eq(f.label.ncand, 0);
	/* APNS-like: a cloud app's port-only rule to a public server is a candidate only */
	mkflow(&f, 6, "10.0.0.1", 40000, "17.57.1.1", 5223, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_PUBLIC_PORT);
	ck_assert_str_eq(name(db, f.label.cand[0]), "cloud/push");
	mkflow(&f, 6, "10.0.0.1", 40000, "10.0.0.9", 5223, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/push", CONF_PORT);
	/* app-to-app media between internal hosts: port-only is accepted */
	mkflow(&f, 17, "10.0.0.1", 8510, "10.0.0.2", 8610, false);
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/p2p", CONF_PORT);
	ck_assert(!f.swapped);
	mkflow(&f, 17, "203.0.113.1", 8510, "203.0.113.2", 8610, false);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	/* the on-premises rules match an internal server; two products document 5222: no label */
	mkflow(&f, 6, "10.0.0.1", 40000, "192.168.1.1", 5222, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_AMBIGUOUS);
	ck_assert_str_eq(name(db, f.label.cand[0]), "alpha/xmpp");
	/* not TCP/UDP */
	mkflow(&f, 1, "10.0.0.1", 0, "10.0.0.2", 0, false);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_NO_RULE);
	/* no database: a clean "none" label */
	classify_flow(NULL, &f);
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);
	ck_assert_uint_eq(f.label.expected_dscp, 0xff);
	sig_db_free(db);
}
END_TEST

START_TEST(test_ambiguous_without_site)
{
	struct sig_db *db = load(false);
	struct flow f;
	mkflow(&f, 6, "10.0.0.1", 40000, "10.1.1.5", 5222, true);
	classify_flow(db, &f);
	/* two products document 5222 on an internal server: no label, all three rows candidates */
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.ncand, 3);
	ck_assert_str_eq(name(db, f.label.cand[0]), "alpha/xmpp");
	ck_assert_str_eq(name(db, f.label.cand[1]), "beta/xmpp");
	ck_assert_str_eq(name(db, f.label.cand[2]), "beta/notify");
	ck_assert(f.label.flags & CLASSIFY_F_AMBIGUOUS);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_AMBIGUOUS);
	/* an outbound row on a shared port: candidate only */
	mkflow(&f, 6, "10.1.1.5", 40000, "203.0.113.25", 25, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_SHARED_PORT);
	ck_assert_str_eq(name(db, f.label.cand[0]), "beta/mail");
	sig_db_free(db);
}
END_TEST

/* Payload evidence within the tier of equally strong matches (the shipped tables' cases are in
 * check_classify_payload): a confirmed rule beats unvalidated ones and so settles the ambiguity;
 * a refuted one drops out and the unvalidated rule of the other product remains. */
START_TEST(test_payload_tier)
{
	struct sig_db *db = load(false);
	struct flow f;
	struct classify_evidence e = { .domain = -1, .payload_proto = EV_PROTO_XMPP_CLIENT };
	mkflow(&f, 6, "10.0.0.1", 40000, "10.1.1.5", 5222, true);
	classify_flow_payload(db, &f, &e);
	EXPECT(db, &f, "alpha/xmpp", CONF_PAYLOAD);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_MATCH);
	ck_assert(!(f.label.flags & CLASSIFY_F_AMBIGUOUS));
	ck_assert_uint_eq(f.label.ncand, 2);
	ck_assert_str_eq(name(db, f.label.cand[0]), "beta/xmpp");
	ck_assert_str_eq(name(db, f.label.cand[1]), "beta/notify");
	e.payload_proto = EV_PROTO_TLS; /* alpha's row says XMPP: refuted; beta's row says nothing */
	classify_flow_payload(db, &f, &e);
	EXPECT(db, &f, "beta/xmpp", CONF_PORT);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_MATCH);
	ck_assert_str_eq(name(db, f.label.cand[0]), "alpha/xmpp");
	e.payload_proto = EV_PROTO_NONE; /* undecided: as classify_flow */
	classify_flow_payload(db, &f, &e);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_AMBIGUOUS);
	sig_db_free(db);
}
END_TEST

START_TEST(test_site)
{
	struct sig_db *db = load(true);
	struct flow f;
	/* the site names 10.1.1.5 a Beta server: site+port beats the Alpha port rule */
	mkflow(&f, 6, "10.0.0.1", 40000, "10.1.1.5", 5222, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "beta/xmpp", CONF_SITE_PORT);
	ck_assert(!(f.label.flags & CLASSIFY_F_AMBIGUOUS));
	ck_assert_str_eq(name(db, f.label.cand[0]), "alpha/xmpp");
	/* another internal server stays ambiguous: no label */
	mkflow(&f, 6, "10.0.0.1", 40000, "10.1.1.6", 5222, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert(f.label.flags & CLASSIFY_F_AMBIGUOUS);
	/* a site-declared server (service=web) labels a shared port */
	mkflow(&f, 6, "10.0.0.1", 40000, "10.1.1.7", 443, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "alpha/web", CONF_SITE_PORT);
	/* service=web limits the declaration: 5222 on that server is an ordinary (ambiguous) port
	 * match, not site+port */
	mkflow(&f, 6, "10.0.0.1", 40000, "10.1.1.7", 5222, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_AMBIGUOUS);
	/* the declared Beta host as the client of Beta's outbound rows (the product is the client) */
	mkflow(&f, 6, "10.1.1.5", 40000, "203.0.113.25", 25, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "beta/mail", CONF_SITE_PORT);
	mkflow(&f, 6, "10.1.1.5", 40000, "157.240.1.1", 5222, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "beta/notify", CONF_SITE_PORT);
	mkflow(&f, 6, "10.1.1.6", 40000, "203.0.113.25", 25, true); /* another host: no */
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	/* ... but a declared host as the server does not make an outbound row site+port */
	mkflow(&f, 6, "10.0.0.1", 40000, "10.1.1.5", 5222, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "beta/xmpp", CONF_SITE_PORT);
	ck_assert(!has_cand(db, &f, "beta/notify") || f.label.cand[0] != f.label.rule);
	/* internal += 100.64.0.0/10: the on-premises rules now reach it (ambiguous 5222, candidates) */
	mkflow(&f, 6, "10.0.0.1", 40000, "100.64.3.3", 5222, true);
	classify_flow(db, &f);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_AMBIGUOUS);
	ck_assert(sig_addr_is_internal(db, &f.key.b));
	sig_db_free(db);
}
END_TEST

START_TEST(test_orientation)
{
	struct sig_db *db = load(false);
	struct flow f;
	/* first packet seen from the server (UDP): the classifier swaps and records it */
	mkflow(&f, 17, "198.18.0.1", 8520, "10.0.0.1", 40000, false);
	f.dir[0].pkts = 7;
	classify_flow(db, &f);
	EXPECT(db, &f, "cloud/media-narrow", CONF_SUBNET_PORT);
	ck_assert(f.swapped);
	ck_assert(f.label.flags & CLASSIFY_F_SWAPPED);
	ck_assert_uint_eq(flow_resp_port(&f), 8520);
	ck_assert_uint_eq(f.dir[1].pkts, 7); /* counters moved with the sides */
	/* re-classification is stable: no swap back */
	classify_flow(db, &f);
	ck_assert(f.swapped);
	ck_assert(f.label.flags & CLASSIFY_F_SWAPPED);
	EXPECT(db, &f, "cloud/media-narrow", CONF_SUBNET_PORT);
	/* TCP SYN from the originator decides: no swap even though the other side has a port rule */
	mkflow(&f, 6, "10.0.0.2", 5222, "10.0.0.3", 40000, true);
	classify_flow(db, &f);
	ck_assert(!f.swapped);
	ck_assert(f.label.flags & CLASSIFY_F_SYN);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_NO_RULE);
	/* same flow seen mid-stream (no SYN): the documented listener port makes 10.0.0.2 the server */
	mkflow(&f, 6, "10.0.0.2", 5222, "10.0.0.3", 40000, false);
	classify_flow(db, &f);
	ck_assert(f.swapped);
	EXPECT(db, &f, "-", CONF_NONE); /* 5222: ambiguous between alpha and beta */
	ck_assert_str_eq(name(db, f.label.cand[0]), "alpha/xmpp");
	/* both ports documented equally: the first sender stays the client */
	mkflow(&f, 6, "10.0.0.2", 7100, "10.0.0.3", 5222, false);
	classify_flow(db, &f);
	ck_assert(!f.swapped);
	EXPECT(db, &f, "-", CONF_NONE);
	ck_assert_str_eq(name(db, f.label.cand[0]), "alpha/xmpp");
	sig_db_free(db);
}
END_TEST

/* Real traffic on the same ports against the shipped tables must stay unlabelled. */
START_TEST(test_shipped_public_traffic)
{
	struct sig_db *db = load_shipped(NULL);
	static const struct {
		uint8_t proto;
		const char *c, *s;
		uint16_t sp;
		const char *what;
	} cases[] = {
		{ 6, "10.0.0.1", "157.240.1.1", 5222, "WhatsApp" },
		{ 6, "10.0.0.1", "5.148.175.1", 5222, "Threema" },
		{ 6, "10.0.0.1", "17.57.144.1", 5223, "Apple push" },
		{ 17, "198.51.100.1", "203.0.113.7", 10000, "Gnutella" },
		{ 17, "10.0.0.1", "130.158.6.1", 5004, "SoftEther" },
		{ 17, "10.0.0.1", "74.125.250.129", 19302, "Google STUN" },
		{ 6, "10.0.0.1", "93.184.216.34", 443, "web" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct flow f;
		for (int syn = 0; syn < 2; syn++) {
			mkflow(&f, cases[i].proto, cases[i].c, 40000, cases[i].s, cases[i].sp, syn);
			classify_flow(db, &f);
			ck_assert_msg(f.label.rule == FLOW_RULE_NONE, "%s on %u labelled %s",
				      cases[i].what, cases[i].sp, name(db, f.label.rule));
		}
	}
	sig_db_free(db);
}
END_TEST

/* Webex Calling SIP-TLS to 8934 on the shipped tables: an ephemeral client port (32768-65535) is the
 * app (the gateway's 8000-65535 covers every ephemeral port, so it does not outrank the app's
 * "any"), the gateway stays a candidate; a gateway source port below 32768 names the gateway;
 * devices keep their 5060-5080 range; 5062 is the gateway's alone. */
START_TEST(test_shipped_sip_tls_sources)
{
	struct sig_db *db = load_shipped(NULL);
	static const struct {
		uint16_t cp, sp;
		const char *want, *cand;
	} cases[] = {
		{ 52103, 8934, "webex-calling/app-sip-tls", "webex-calling/lgw-sip-tls" },
		{ 32768, 8934, "webex-calling/app-sip-tls", "webex-calling/lgw-sip-tls" },
		{ 65535, 8934, "webex-calling/app-sip-tls", "webex-calling/lgw-sip-tls" },
		{ 32767, 8934, "webex-calling/lgw-sip-tls", "webex-calling/app-sip-tls" },
		{ 8120, 8934, "webex-calling/lgw-sip-tls", "webex-calling/app-sip-tls" },
		{ 5070, 8934, "webex-calling/device-sip-tls", "webex-calling/app-sip-tls" },
		{ 52103, 5062, "webex-calling/lgw-sip-tls", NULL },
		{ 8120, 5062, "webex-calling/lgw-sip-tls", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct flow f;
		mkflow(&f, 6, "10.20.1.21", cases[i].cp, "23.89.33.10", cases[i].sp, true);
		classify_flow(db, &f);
		ck_assert_msg(strcmp(name(db, f.label.rule), cases[i].want) == 0,
			      "%u -> %u: %s, want %s", cases[i].cp, cases[i].sp,
			      name(db, f.label.rule), cases[i].want);
		if (cases[i].cand)
			ck_assert_msg(has_cand(db, &f, cases[i].cand), "%u -> %u: %s not a candidate",
				      cases[i].cp, cases[i].sp, cases[i].cand);
	}
	sig_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_rule_brief);
	tcase_add_test(tc, test_specificity);
	tcase_add_test(tc, test_client_subnet);
	tcase_add_test(tc, test_shared_ports);
	tcase_add_test(tc, test_onprem_public);
	tcase_add_test(tc, test_ambiguous_without_site);
	tcase_add_test(tc, test_site);
	tcase_add_test(tc, test_payload_tier);
	tcase_add_test(tc, test_orientation);
	tcase_add_test(tc, test_shipped_public_traffic);
	tcase_add_test(tc, test_shipped_sip_tls_sources);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
