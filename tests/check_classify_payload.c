/* check_classify_payload.c - classify_flow_payload() on the shipped signature tables: domain names
 * (SNI, host, certificate, DNS cache) naming an app, dependency domains, payload protocols
 * confirming or refuting the table's guess (payload=), needs=payload rules, and the rule views of
 * domain-row labels. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "classify_helpers.h"
#include "evidence.h"
#include "run_suite.h"

/* The shipped tables, plus a site file with the given text (NULL = none). */
static struct sig_db *load(const char *site_text)
{
	char path[] = "/tmp/check_classify_payload.XXXXXX";
	if (!site_text)
		return load_shipped(NULL);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(site_text, fp);
	fclose(fp);
	struct sig_db *db = load_shipped(path);
	unlink(path);
	return db;
}

/* Evidence: a name (matched against the domain rows as the pipeline does) and a payload verdict. */
static struct classify_evidence ev(const struct sig_db *db, const char *name, uint8_t src,
				   uint8_t proto)
{
	struct classify_evidence e = { .domain = -1, .domain_src = 0, .payload_proto = proto };
	if (name) {
		e.domain = sig_domain_match(db, name);
		ck_assert_msg(e.domain >= 0, "no domain row for %s", name);
		e.domain_src = src;
	}
	return e;
}

static bool is_domain_label(const struct flow *f)
{
	return f->label.rule != FLOW_RULE_NONE && f->label.rule >= CLASSIFY_RULE_DOMAIN_BASE;
}

START_TEST(test_names)
{
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_PAYLOAD_MISMATCH), "payload-mismatch");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_NEEDS_PAYLOAD), "needs-payload");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_DEPENDENCY), "dependency");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_CLIENT_UNKNOWN), "client-not-product-server");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_UNANSWERED), "unanswered");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_NEEDS_CORROBORATION), "needs-corroboration");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_NEEDS_NAME), "needs-name");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_ALLOW_LIST), "allow-list");
	ck_assert_str_eq(classify_reason_name(CLASSIFY_R_ALLOW_LIST + 1), "none");
}
END_TEST

/* TLS SNI, HTTP Host and certificate names matching a Webex service domain label the flow with
 * confidence payload, even on a generic port to an undocumented address. */
START_TEST(test_domain_sni)
{
	struct sig_db *db = load(NULL);
	struct flow f;
	struct classify_evidence e;
	/* 443 to an address no Webex list documents: no table rule of the app matches beyond the
	 * shared port, so the domain row itself is the label */
	mkflow(&f, 6, "10.0.0.5", 50000, "203.0.113.50", 443, true);
	classify_flow(db, &f);
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);
	e = ev(db, "edge.webex.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/core-services", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert(is_domain_label(&f));
	ck_assert_uint_eq(f.label.rule, CLASSIFY_RULE_DOMAIN_BASE + (unsigned)e.domain);
	ck_assert_uint_eq(f.label.expected_dscp, 0xff);
	ck_assert(has_cand(db, &f, "webex-calling/push-notification")); /* the table's guesses */
	ck_assert(!(f.label.flags & CLASSIFY_F_AMBIGUOUS));
	/* the view of a domain-row label */
	struct sig_rule_view v;
	struct sig_domain_view dv;
	ck_assert(sig_rule_get(db, f.label.rule, &v));
	ck_assert(sig_domain_get(db, (size_t)e.domain, &dv));
	ck_assert_str_eq(v.app, "webex"); /* *.webex.com is the shared platform's (issue 15) */
	ck_assert_str_eq(v.app_name, "Cisco Webex platform (shared by Calling, Meetings and Messaging)");
	ck_assert_str_eq(v.scope, "webex-platform");
	ck_assert_str_eq(sig_scope_name(db, f.label.scope), "webex-platform");
	ck_assert_str_eq(v.service, "core-services");
	ck_assert_str_eq(v.category, "web");
	ck_assert_str_eq(v.file, "webex-calling.sig");
	ck_assert_uint_eq(v.line, dv.line);
	ck_assert_str_eq(v.doc, "004_657a5ed6fe137e34.txt");
	ck_assert_str_eq(v.doc_title, "Network requirements for Webex Calling");
	ck_assert_str_eq(v.table, "Domains and URLs for Webex Calling services");
	ck_assert_str_eq(v.label, "*.webex.com");
	ck_assert_int_eq(v.encrypted, -1);
	ck_assert_str_eq(v.proto, "both");
	ck_assert_str_eq(v.server, "any");
	ck_assert_str_eq(v.server_port, "any");
	ck_assert_int_eq(v.onprem, 0);
	ck_assert(!sig_rule_get(db, (uint16_t)(CLASSIFY_RULE_DOMAIN_BASE + sig_domain_count(db)), &v));
	ck_assert(!sig_rule_get(db, FLOW_RULE_NONE, &v));
	/* a dependency row's service that a rule also has lends the rule's category */
	int g = sig_domain_match(db, "fcm.googleapis.com");
	ck_assert(sig_rule_get(db, (uint16_t)(CLASSIFY_RULE_DOMAIN_BASE + g), &v));
	ck_assert_str_eq(v.service, "push-notification");
	ck_assert_str_eq(v.category, "notification");
	/* on a documented app-configuration address: a platform name (shared with Meetings) is not
	 * Calling's app configuration (needs=name), and the platform's subnet-only row says only the
	 * address: the name's own row decides the service (webex/core-services), the subnet row and
	 * Calling's row stay candidates */
	mkflow(&f, 6, "10.0.0.5", 50000, "64.68.96.10", 443, true);
	e = ev(db, "meetings.webex.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/core-services", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert(is_domain_label(&f));
	ck_assert(has_cand(db, &f, "webex-calling/app-config"));
	ck_assert(has_cand(db, &f, "webex/app-config-subnet-other"));
	ck_assert_str_eq(sig_scope_name(db, f.label.scope), "webex-platform");
	/* the same with the name from the DNS cache (u2c.wbx2.com on the first list): the name's
	 * row, confidence dns */
	mkflow(&f, 6, "10.0.0.5", 50000, "62.109.224.11", 443, true);
	e = ev(db, "u2c.wbx2.com", EV_SRC_DNS, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/cloud-awareness", CONF_DNS, CLASSIFY_R_MATCH);
	ck_assert(has_cand(db, &f, "webex/calling-subnet-other"));
	/* without a name the subnet row, confirmed by TLS, is still the label */
	e = ev(db, NULL, 0, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/calling-subnet-other", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* HTTP on port 80 to the device configuration networks needs one of the row's names, as
	 * HTTPS does: a platform Host (www.webex.com) is the platform's, no name the subnet row's,
	 * sudirenewal.cisco.com (the row's port-80 name) Calling's device configuration */
	mkflow(&f, 6, "10.0.0.5", 50000, "62.109.224.10", 80, true);
	e = ev(db, "www.webex.com", EV_SRC_HOST, EV_PROTO_HTTP);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/core-services", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert(has_cand(db, &f, "webex-calling/device-config-http"));
	mkflow(&f, 6, "10.0.0.5", 50000, "72.163.10.100", 80, true);
	e = ev(db, NULL, 0, EV_PROTO_HTTP);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/device-config-subnet-other", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	e = ev(db, "sudirenewal.cisco.com", EV_SRC_HOST, EV_PROTO_HTTP);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/device-config-http", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert(!is_domain_label(&f));
	/* and a platform name on a documented Calling port stays Calling (SIP-TLS to 8934) */
	mkflow(&f, 6, "10.0.0.5", 50000, "62.109.224.11", 8934, true);
	e = ev(db, "u2c.wbx2.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/app-sip-tls", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	mkflow(&f, 6, "10.0.0.5", 50000, "64.68.96.10", 443, true);
	/* the ID broker, a name 004 gives Calling's app configuration row (revision history,
	 * 004:1015-1023, 1101-1107): Calling's row, although *.webex.com is the platform's */
	e = ev(db, "idbroker.webex.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/app-config", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert_str_eq(sig_scope_name(db, f.label.scope), "calling");
	e = ev(db, "client-jp.bcld.webex.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/app-config", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* a Calling client-configuration name there: Calling's row */
	e = ev(db, "cpapi.broadcloudpbx.net", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/app-config", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert_str_eq(sig_scope_name(db, f.label.scope), "calling");
	ck_assert(!is_domain_label(&f));
	/* an undocumented address on a port that names the service (8934, not shared): the app's
	 * SIP-TLS rule */
	mkflow(&f, 6, "10.0.0.5", 50000, "203.0.113.50", 8934, true);
	e = ev(db, "sip.webex.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	ck_assert(!is_domain_label(&f));
	ck_assert_ptr_nonnull(strstr(name(db, f.label.rule), "webex-calling/"));
	ck_assert_ptr_nonnull(strstr(name(db, f.label.rule), "sip-tls"));
	ck_assert_uint_eq(f.label.confidence, CONF_PAYLOAD);
	/* a generic port (not in any table) to an undocumented address: the domain row */
	mkflow(&f, 6, "10.0.0.5", 50000, "203.0.113.50", 7777, true);
	e = ev(db, "x.broadcloudpbx.net", EV_SRC_HOST, EV_PROTO_HTTP);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/app-config", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert_uint_eq(f.label.ncand, 0);
	/* the name wins over another product's port guess: SNI webex on a site-declared Sametime
	 * HTTPS server keeps the Sametime rule as a candidate */
	sig_db_free(db);
	db = load("server app=sametime addrs=10.1.1.20\n");
	mkflow(&f, 6, "10.0.0.5", 50000, "10.1.1.20", 443, true);
	classify_flow(db, &f);
	EXPECT_WHY(db, &f, "sametime/https-443", CONF_SITE_PORT, CLASSIFY_R_MATCH);
	e = ev(db, "a.webex.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/core-services", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert_str_eq(name(db, f.label.cand[0]), "sametime/https-443");
	sig_db_free(db);
}
END_TEST

/* Certificate names only (no SNI): the same, from the server's certificate. */
START_TEST(test_domain_cert)
{
	struct sig_db *db = load(NULL);
	struct flow f;
	mkflow(&f, 6, "10.0.0.5", 50000, "198.51.100.9", 443, true);
	struct classify_evidence e = ev(db, "*.wbx2.com", EV_SRC_CERT, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/cloud-awareness", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* certificate of a documented Webex Calling address on 8934 */
	mkflow(&f, 6, "10.0.0.5", 50000, "170.72.1.1", 8934, true);
	e = ev(db, "wxc.ciscospark.com", EV_SRC_CERT, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	ck_assert(!is_domain_label(&f));
	ck_assert_ptr_nonnull(strstr(name(db, f.label.rule), "sip-tls"));
	ck_assert_uint_eq(f.label.confidence, CONF_PAYLOAD);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_MATCH);
	sig_db_free(db);
}
END_TEST

/* Third-party dependency domains are reported as such, never as Webex. */
START_TEST(test_dependency)
{
	struct sig_db *db = load(NULL);
	struct flow f;
	struct classify_evidence e;
	/* FCM on 5228 to Google: the Webex push-notification row is a candidate only */
	mkflow(&f, 6, "10.0.0.5", 50000, "142.250.1.1", 5228, true);
	e = ev(db, "mtalk.google.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_DEPENDENCY);
	ck_assert(has_cand(db, &f, "webex-calling/push-notification"));
	/* even to a documented Webex address, where the table alone would label Webex */
	mkflow(&f, 6, "10.0.0.5", 50000, "170.72.1.1", 443, true);
	classify_flow(db, &f); /* HTTPS to the first list is not CScan without cscan.webex.com */
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_NEEDS_NAME);
	ck_assert_str_eq(name(db, f.label.cand[0]), "webex-calling/cscan");
	e = ev(db, "www.google.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_DEPENDENCY);
	ck_assert(has_cand(db, &f, "webex-calling/cscan")); /* kept */
	ck_assert_uint_eq(f.label.expected_dscp, 0xff);
	/* CScan at its own address (004's revision history, 004:1065: 199.59.64.197): no name
	 * needed there, and the UDP line makes no payload claim, so a payload that is neither RTP
	 * nor STUN is CScan's test; the same exchange to another address of the list is a guess
	 * between Calling's rows: no label (payload-mismatch), CScan's row a candidate */
	mkflow(&f, 17, "10.0.0.5", 52005, "199.59.64.197", 19569, false);
	e = ev(db, NULL, 0, EV_PROTO_UNKNOWN);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/cscan", CONF_SUBNET_PORT, CLASSIFY_R_MATCH);
	mkflow(&f, 6, "10.0.0.5", 52006, "199.59.64.197", 443, true);
	e = ev(db, NULL, 0, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/cscan", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	mkflow(&f, 17, "10.0.0.5", 52005, "199.59.64.196", 19569, false);
	e = ev(db, NULL, 0, EV_PROTO_UNKNOWN);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	ck_assert(has_cand(db, &f, "webex-calling/cscan"));
	/* RTP there is media, not CScan */
	e = ev(db, NULL, 0, EV_PROTO_RTP);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/webrtc-media", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* from the DNS cache too */
	mkflow(&f, 6, "10.0.0.5", 50000, "142.250.1.1", 443, true);
	e = ev(db, "firebaseinstallations.googleapis.com", EV_SRC_DNS, EV_PROTO_NONE);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_DEPENDENCY);
	sig_db_free(db);
}
END_TEST

/* Names from the DNS cache label with confidence dns. */
START_TEST(test_dns)
{
	struct sig_db *db = load(NULL);
	struct flow f;
	struct classify_evidence e;
	mkflow(&f, 6, "10.0.0.5", 50000, "203.0.113.50", 443, true);
	e = ev(db, "binaries.webex.com", EV_SRC_DNS, EV_PROTO_NONE);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/device-config-https", CONF_DNS, CLASSIFY_R_MATCH);
	ck_assert(is_domain_label(&f));
	/* a rule of the app matching the flow: that rule, confidence dns */
	mkflow(&f, 17, "10.0.0.5", 19560, "203.0.113.50", 20000, false);
	e = ev(db, "mse.webex.com", EV_SRC_DNS, EV_PROTO_NONE);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/device-media", CONF_DNS, CLASSIFY_R_MATCH);
	ck_assert_uint_eq(f.label.expected_dscp, 46);
	/* the payload confirming the rule's protocol makes it payload */
	e.payload_proto = EV_PROTO_RTP;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/device-media", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* a refuted rule is not the app's label: the domain row is (and the refuted rules, which
	 * only the name tied to this address, are no candidates either) */
	e.payload_proto = EV_PROTO_UNKNOWN;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/core-services", CONF_DNS, CLASSIFY_R_MATCH);
	ck_assert_uint_eq(f.label.ncand, 0);
	ck_assert(!f.swapped);
	/* on a documented address, with a payload no row documents: the refuted media rows and the
	 * platform's subnet rows (needs=payload) give nothing, so the name's row labels */
	mkflow(&f, 17, "10.0.0.5", 19560, "170.72.1.1", 20000, false);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/core-services", CONF_DNS, CLASSIFY_R_MATCH);
	ck_assert_str_eq(name(db, f.label.cand[0]), "webex-calling/device-media");
	/* without the name the payload refutes the media row, and the platform's subnet rows need
	 * a protocol Webex speaks: no label (issue 15: the address alone proves nothing) */
	struct classify_evidence none = ev(db, NULL, 0, EV_PROTO_UNKNOWN);
	classify_flow_payload(db, &f, &none);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	ck_assert_str_eq(name(db, f.label.cand[0]), "webex-calling/device-media");
	sig_db_free(db);
}
END_TEST

/* TCP 5222 inside the enterprise: Finesse and SocialMiner both document it. */
START_TEST(test_xmpp_5222)
{
	struct sig_db *db = load(NULL);
	struct flow f;
	struct classify_evidence e = ev(db, NULL, 0, EV_PROTO_NONE);
	mkflow(&f, 6, "10.0.0.5", 50000, "10.1.1.10", 5222, true);
	classify_flow_payload(db, &f, &e); /* no evidence: classify_flow */
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_AMBIGUOUS);
	/* no XMPP on 5222: no label, the table's guesses kept, and why */
	e.payload_proto = EV_PROTO_UNKNOWN;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	ck_assert(!(f.label.flags & CLASSIFY_F_AMBIGUOUS));
	ck_assert_str_eq(name(db, f.label.cand[0]), "finesse/xmpp");
	ck_assert(has_cand(db, &f, "socialminer/xmpp-events"));
	/* HTTP is not XMPP either */
	e.payload_proto = EV_PROTO_HTTP;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	/* XMPP confirms both products' rows: still ambiguous without a site file */
	e.payload_proto = EV_PROTO_XMPP_CLIENT;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_AMBIGUOUS);
	/* to a public server: a candidate, and the payload says it is not XMPP */
	mkflow(&f, 6, "10.0.0.5", 50000, "198.51.100.9", 5222, true);
	classify_flow(db, &f);
	ck_assert_uint_eq(f.label.reason, CLASSIFY_R_PUBLIC_PORT);
	e.payload_proto = EV_PROTO_UNKNOWN;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	sig_db_free(db);

	/* a site-declared Finesse server: XMPP confirms, confidence payload */
	db = load("server app=finesse addrs=10.1.1.10\n");
	mkflow(&f, 6, "10.0.0.5", 50000, "10.1.1.10", 5222, true);
	e.payload_proto = EV_PROTO_XMPP_CLIENT;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "finesse/xmpp", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert(has_cand(db, &f, "socialminer/xmpp-events"));
	e.payload_proto = EV_PROTO_NONE; /* undecided: the table's confidence */
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "finesse/xmpp", CONF_SITE_PORT, CLASSIFY_R_MATCH);
	e.payload_proto = EV_PROTO_TLS; /* XMPP on 5222 starts in clear: TLS first refutes it */
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	ck_assert_str_eq(name(db, f.label.cand[0]), "finesse/xmpp");
	sig_db_free(db);
}
END_TEST

/* UDP 10000 on a site-declared Sametime meeting server. */
START_TEST(test_sametime_media)
{
	struct sig_db *db = load("server app=sametime addrs=10.1.1.30\n");
	struct flow f;
	struct classify_evidence e = ev(db, NULL, 0, EV_PROTO_UNKNOWN);
	mkflow(&f, 17, "10.0.0.5", 50000, "10.1.1.30", 10000, false);
	classify_flow(db, &f);
	EXPECT_WHY(db, &f, "sametime/meeting-media-docker", CONF_SITE_PORT, CLASSIFY_R_MATCH);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	ck_assert_str_eq(name(db, f.label.cand[0]), "sametime/meeting-media-docker");
	e.payload_proto = EV_PROTO_RTP;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "sametime/meeting-media-docker", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	e.payload_proto = EV_PROTO_STUN; /* ICE checks before the media */
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "sametime/meeting-media-docker", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	e.payload_proto = EV_PROTO_DNS;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	/* without the site file UDP 10000 is a shared port: refuted, the reason says so */
	sig_db_free(db);
	db = load(NULL);
	mkflow(&f, 17, "10.0.0.5", 50000, "10.1.1.30", 10000, false);
	classify_flow(db, &f);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_SHARED_PORT);
	e.payload_proto = EV_PROTO_UNKNOWN;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	e.payload_proto = EV_PROTO_RTP; /* confirmed, but a shared port alone still names nothing */
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_SHARED_PORT);
	sig_db_free(db);
}
END_TEST

/* Webex app-to-app media optimised by ICE: 8500-8699 on both sides, inside the enterprise. */
START_TEST(test_direct_media)
{
	struct sig_db *db = load(NULL);
	struct flow f;
	struct classify_evidence e = ev(db, NULL, 0, EV_PROTO_RTP);
	mkflow(&f, 17, "10.0.0.5", 8500, "10.0.7.9", 8600, false);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/app-direct-media", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	struct sig_rule_view v;
	ck_assert(sig_rule_get(db, f.label.rule, &v));
	ck_assert_str_eq(v.category, "media");
	ck_assert_str_eq(v.file, "webex-calling.sig");
	ck_assert_int_eq(v.encrypted, 1);
	ck_assert(!f.swapped);
	e.payload_proto = EV_PROTO_STUN;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/app-direct-media", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* no evidence: a candidate, no label */
	mkflow(&f, 17, "10.0.0.5", 8500, "10.0.7.9", 8600, false);
	classify_flow(db, &f);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_NEEDS_PAYLOAD);
	ck_assert_uint_eq(f.label.ncand, 1);
	ck_assert_str_eq(name(db, f.label.cand[0]), "webex-calling/app-direct-media");
	e.payload_proto = EV_PROTO_NONE;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_NEEDS_PAYLOAD);
	/* the payload shows something else */
	e.payload_proto = EV_PROTO_UNKNOWN;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	ck_assert_str_eq(name(db, f.label.cand[0]), "webex-calling/app-direct-media");
	/* outside the range, or to a public address: not the direct-media row */
	e.payload_proto = EV_PROTO_RTP;
	mkflow(&f, 17, "10.0.0.5", 8500, "10.0.7.9", 8700, false);
	classify_flow_payload(db, &f, &e);
	ck_assert(!has_cand(db, &f, "webex-calling/app-direct-media"));
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);
	mkflow(&f, 17, "10.0.0.5", 8500, "198.51.100.9", 8600, false);
	classify_flow_payload(db, &f, &e);
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);
	ck_assert(!has_cand(db, &f, "webex-calling/app-direct-media"));
	/* the passage's second example: devices on 19560-19661 */
	mkflow(&f, 17, "10.20.2.31", 19562, "10.20.2.32", 19564, false);
	classify_flow(db, &f);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_NEEDS_PAYLOAD);
	ck_assert_str_eq(name(db, f.label.cand[0]), "webex-calling/device-direct-media");
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/device-direct-media", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	mkflow(&f, 17, "10.20.2.31", 19562, "10.20.2.32", 19700, false);
	classify_flow_payload(db, &f, &e);
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);
	ck_assert_uint_eq(f.label.ncand, 0);
	/* TCP is not the row's transport */
	mkflow(&f, 6, "10.0.0.5", 8500, "10.0.7.9", 8600, true);
	classify_flow_payload(db, &f, &e);
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);
	sig_db_free(db);
}
END_TEST

/* Webex SIP-TLS signalling on 8934 to a documented Webex Calling subnet. */
START_TEST(test_webex_sip_tls)
{
	struct sig_db *db = load(NULL);
	struct flow f;
	struct classify_evidence e = ev(db, NULL, 0, EV_PROTO_TLS);
	mkflow(&f, 6, "10.0.0.5", 5070, "170.72.1.1", 8934, true);
	classify_flow(db, &f);
	EXPECT_WHY(db, &f, "webex-calling/device-sip-tls", CONF_SUBNET_PORT, CLASSIFY_R_MATCH);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/device-sip-tls", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert_uint_eq(f.label.expected_dscp, 24);
	/* HTTP on the SIP-TLS port: not SIP-TLS; the documented subnet still says Webex, so only the
	 * subnet-only row labels it (confidence subnet), the refuted row first among candidates */
	e.payload_proto = EV_PROTO_HTTP;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/calling-subnet-other", CONF_SUBNET, CLASSIFY_R_PAYLOAD_MISMATCH);
	ck_assert(has_cand(db, &f, "webex-calling/device-sip-tls"));
	ck_assert(!has_cand(db, &f, "-"));
	ck_assert_uint_eq(f.label.expected_dscp, 0xff);
	/* the same on an undocumented public address: no rule matches at all, so no label */
	mkflow(&f, 6, "10.0.0.5", 5070, "192.0.2.80", 8934, true);
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_NO_RULE);
	/* an undocumented port of a Webex subnet: the platform's subnet-only rows need a protocol
	 * Webex speaks (needs=payload, issue 15: an address alone is not Webex Calling, nor even
	 * Webex for a peer-to-peer client on 23.89.x) */
	mkflow(&f, 6, "10.0.0.5", 50000, "170.72.1.1", 4444, true);
	e.payload_proto = EV_PROTO_UNKNOWN;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_PAYLOAD_MISMATCH);
	e.payload_proto = EV_PROTO_TLS;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex/calling-subnet-other", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	ck_assert_str_eq(sig_scope_name(db, f.label.scope), "webex-platform");
	e.payload_proto = EV_PROTO_UNKNOWN;
	/* an out-of-range verdict counts as undecided; a domain index out of range as none */
	mkflow(&f, 6, "10.0.0.5", 5070, "170.72.1.1", 8934, true);
	e.payload_proto = EV_PROTO_COUNT + 3;
	e.domain = (int)sig_domain_count(db) + 5;
	classify_flow_payload(db, &f, &e);
	EXPECT_WHY(db, &f, "webex-calling/device-sip-tls", CONF_SUBNET_PORT, CLASSIFY_R_MATCH);
	classify_flow_payload(db, &f, NULL);
	EXPECT_WHY(db, &f, "webex-calling/device-sip-tls", CONF_SUBNET_PORT, CLASSIFY_R_MATCH);
	classify_flow_payload(NULL, &f, &e);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_NO_RULE);
	sig_db_free(db);
}
END_TEST

/* Orientation: a name the client sent keeps the originator as the client. */
START_TEST(test_orientation_fixed)
{
	struct sig_db *db = load(NULL);
	struct flow f;
	/* the first packet seen comes from the port that the table documents on the other side:
	 * without evidence the classifier swaps, with the client's SNI it does not */
	mkflow(&f, 6, "10.0.0.5", 8934, "203.0.113.50", 50000, false);
	struct classify_evidence e = ev(db, "x.webex.com", EV_SRC_SNI, EV_PROTO_TLS);
	classify_flow_payload(db, &f, &e);
	ck_assert(!f.swapped);
	ck_assert(!(f.label.flags & CLASSIFY_F_SWAPPED));
	EXPECT_WHY(db, &f, "webex/core-services", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* a name from the DNS cache says nothing of the orientation: the capture began with the
	 * server's packet, the classifier names the 8934 side the server */
	mkflow(&f, 6, "203.0.113.50", 8934, "10.0.0.5", 50000, false);
	e = ev(db, "x.webex.com", EV_SRC_DNS, EV_PROTO_NONE);
	classify_flow_payload(db, &f, &e);
	ck_assert(f.swapped);
	ck_assert_uint_eq(f.label.confidence, CONF_DNS);
	ck_assert_ptr_nonnull(strstr(name(db, f.label.rule), "sip-tls"));
	sig_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("classify_payload");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_domain_sni);
	tcase_add_test(tc, test_domain_cert);
	tcase_add_test(tc, test_dependency);
	tcase_add_test(tc, test_dns);
	tcase_add_test(tc, test_xmpp_5222);
	tcase_add_test(tc, test_sametime_media);
	tcase_add_test(tc, test_direct_media);
	tcase_add_test(tc, test_webex_sip_tls);
	tcase_add_test(tc, test_orientation_fixed);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
