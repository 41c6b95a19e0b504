/* check_role.c - the server-roles stage (include/role.h) and the role statement (sig_role.c):
 * learning from answered ports only, the precision guards of the shipped role rules, role+port
 * labels, product-as-client rows, eviction, and the inventory writers. */
#include <check.h>
#include <unistd.h>

#include "classify_helpers.h"
#include "evidence.h"
#include "role.h"
#include "run_suite.h"

/* The shipped tables plus site_text as the site file (NULL: none). */
static struct sig_db *load(const char *site_text)
{
	if (!site_text)
		return load_shipped(NULL);
	char path[] = "/tmp/check_role.XXXXXX";
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

/* The load error of the shipped tables plus site_text ("" when it loads). */
static const char *load_error(const char *site_text, char *err, size_t cap)
{
	char dir[4096], path[] = "/tmp/check_role.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *fp = fdopen(fd, "w");
	fputs(site_text, fp);
	fclose(fp);
	struct sig_db *db = NULL;
	err[0] = '\0';
	if (sig_db_load(&db, shipped_sigdir(dir, sizeof dir), path, err, cap) == UCF_OK)
		err[0] = '\0';
	sig_db_free(db);
	unlink(path);
	return err;
}

enum { ANSWERED, REFUSED, UNANSWERED };

/* A TCP flow opened by a SYN from client to server:port that the server answered (SYN-ACK and
 * data), refused (RST: no SYN-ACK, no data) or never answered. */
static void tcp_flow(struct flow *f, const char *client, const char *server, uint16_t port,
		     int how)
{
	mkflow_unanswered(f, 6, client, 50000, server, port, true);
	f->ts_first = 1000000;
	f->ts_last = 2000000;
	if (how == ANSWERED) {
		f->tcp_state |= FLOW_TCP_SYNACK;
		f->dir[FLOW_RESP].pkts = 3;
		f->dir[FLOW_RESP].payload_bytes = 100;
		f->dir[FLOW_ORIG].payload_bytes = 80;
	} else if (how == REFUSED) {
		f->tcp_state |= FLOW_TCP_CLOSED;
		f->dir[FLOW_RESP].pkts = 1; /* the RST */
	}
}

/* Observes one TCP flow as the pipeline does (first answer, then the record). */
static void see_tcp(struct role_table *t, const char *client, const char *server, uint16_t port,
		    int how)
{
	struct flow f;
	tcp_flow(&f, client, server, port, how);
	role_observe(t, &f, 1500000, false);
	role_observe(t, &f, 2000000, true);
}

static uint64_t roles_at(const struct role_table *t, const char *a)
{
	struct ucf_addr x;
	ck_assert(ucf_addr_parse(a, &x));
	return role_of(t, &x);
}

/* Role k's "app/role" for messages and checks. */
static const char *role_name(const struct sig_db *db, uint64_t roles)
{
	static char buf[128];
	buf[0] = '\0';
	for (size_t k = 0; k < sig_role_count(db); k++) {
		struct sig_role_view v;
		if ((roles >> k & 1) && sig_role_get(db, k, &v)) {
			snprintf(buf, sizeof buf, "%s/%s", v.app, v.role);
			return buf;
		}
	}
	return "-";
}

/* Classifies f as the pipeline does, with the roles its two addresses hold now. */
static void classify_roles(const struct sig_db *db, const struct role_table *t, struct flow *f,
			   uint8_t payload)
{
	struct classify_evidence e = { .domain = -1, .payload_proto = payload,
				       .roles_orig = role_of(t, flow_orig_addr(f)),
				       .roles_resp = role_of(t, flow_resp_addr(f)) };
	classify_flow_payload(db, f, &e);
}

static struct role_table *table(const struct sig_db *db, uint32_t n)
{
	struct role_table *t = NULL;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(role_table_create(&t, db, n, err), UCF_OK);
	return t;
}

START_TEST(test_finesse_8445_makes_role)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	ck_assert(!role_table_any(t));
	see_tcp(t, "10.40.1.21", "10.40.0.10", 8445, ANSWERED);
	ck_assert(role_table_any(t));
	ck_assert_str_eq(role_name(db, roles_at(t, "10.40.0.10")), "finesse/finesse-server");
	ck_assert_uint_eq(roles_at(t, "10.40.1.21"), 0); /* the client holds no role */
	/* its flows on ports Finesse shares are labelled role+port (payload undecided) */
	static const uint16_t tied[] = { 5222, 7443, 8082, 7071 };
	for (size_t i = 0; i < sizeof tied / sizeof tied[0]; i++) {
		struct flow f;
		tcp_flow(&f, "10.40.1.30", "10.40.0.10", tied[i], ANSWERED);
		classify_flow(db, &f);
		ck_assert_msg(f.label.rule == FLOW_RULE_NONE ||
				      strncmp(name(db, f.label.rule), "finesse/", 8) != 0 ||
				      f.label.confidence < CONF_ROLE_PORT,
			      "port %u: a role+port label without a role", tied[i]);
		classify_roles(db, t, &f, EV_PROTO_NONE);
		ck_assert_msg(strncmp(name(db, f.label.rule), "finesse/", 8) == 0,
			      "port %u: got %s", tied[i], name(db, f.label.rule));
		ck_assert_str_eq(classify_confidence_name(f.label.confidence), "role+port");
		char buf[192];
		ck_assert_uint_gt(role_describe(t, db, &f, buf, sizeof buf), 0);
		ck_assert_msg(strstr(buf, "role=finesse/finesse-server server=10.40.0.10 serves=") == buf &&
				      strstr(buf, "tcp/8445"),
			      "%s", buf);
	}
	/* Table 4: the web server Finesse fetches gadgets from on 8445 is no Finesse server */
	see_tcp(t, "10.40.0.10", "10.40.0.93", 8445, ANSWERED);
	ck_assert_uint_eq(roles_at(t, "10.40.0.93"), 0);
	/* payload that confirms the row still gives confidence payload */
	struct flow f;
	tcp_flow(&f, "10.40.1.30", "10.40.0.10", 7443, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_TLS);
	EXPECT_WHY(db, &f, "finesse/bosh-secure", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* another server on 7443 stays unlabelled */
	tcp_flow(&f, "10.40.1.30", "10.40.0.99", 7443, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	ck_assert_uint_lt(f.label.confidence, CONF_ROLE_PORT);
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

START_TEST(test_refused_or_unanswered_is_no_evidence)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	/* a port scan: SYNs refused with RST, or never answered, to every key port */
	static const uint16_t keys[] = { 8445, 1533, 1516, 1526 };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		see_tcp(t, "10.9.9.9", "10.40.0.50", keys[i], REFUSED);
		see_tcp(t, "10.9.9.9", "10.40.0.51", keys[i], UNANSWERED);
	}
	ck_assert_uint_eq(roles_at(t, "10.40.0.50"), 0);
	ck_assert_uint_eq(roles_at(t, "10.40.0.51"), 0);
	ck_assert_uint_eq(role_table_servers(t, NULL, 0), 0); /* not even in the inventory */
	/* UDP one way is no exchange either: a UDP flow on a tracked TCP port says nothing, and a
	 * TCP flow seen mid-stream with data one way only is not an answer */
	struct flow f;
	mkflow(&f, 6, "10.9.9.9", 50000, "10.40.0.52", 8445, false);
	f.dir[FLOW_ORIG].payload_bytes = 100;
	role_observe(t, &f, 1, true);
	ck_assert_uint_eq(roles_at(t, "10.40.0.52"), 0);
	f.dir[FLOW_RESP].pkts = 1;
	f.dir[FLOW_RESP].payload_bytes = 50; /* data both ways: answered */
	role_observe(t, &f, 2, true);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.40.0.52")), "finesse/finesse-server");
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

START_TEST(test_weak_ports_make_no_role)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	/* an internal Kafka broker: 9092 and 9094 answered, many flows */
	for (int i = 0; i < 5; i++) {
		see_tcp(t, "10.60.1.5", "10.60.0.9", 9092, ANSWERED);
		see_tcp(t, "10.60.1.5", "10.60.0.9", 9094, ANSWERED);
	}
	/* an internal web server on 8088, and on 8088 and 8082 */
	see_tcp(t, "10.60.1.5", "10.60.0.8", 8088, ANSWERED);
	see_tcp(t, "10.60.1.5", "10.60.0.7", 8088, ANSWERED);
	see_tcp(t, "10.60.1.5", "10.60.0.7", 8082, ANSWERED);
	/* Openfire: XMPP 5222, 5223, BOSH 7443, 7071 */
	static const uint16_t xmpp[] = { 5222, 5223, 7443, 7071 };
	for (size_t i = 0; i < 4; i++)
		see_tcp(t, "10.60.1.5", "10.60.0.6", xmpp[i], ANSWERED);
	/* an Oracle listener on 1526 alone (SocialMiner's key port needs a second one) */
	see_tcp(t, "10.60.1.5", "10.60.0.5", 1526, ANSWERED);
	ck_assert(!role_table_any(t));
	const char *srv[] = { "10.60.0.9", "10.60.0.8", "10.60.0.7", "10.60.0.6", "10.60.0.5" };
	for (size_t i = 0; i < 5; i++)
		ck_assert_msg(roles_at(t, srv[i]) == 0, "%s: %s", srv[i],
			      role_name(db, roles_at(t, srv[i])));
	/* they are in the inventory (they served tracked ports), without a role */
	ck_assert_uint_eq(role_table_servers(t, NULL, 0), 5);
	/* and the Kafka broker's flows get no role+port label */
	struct flow f;
	tcp_flow(&f, "10.60.1.5", "10.60.0.9", 9094, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	ck_assert_uint_lt(f.label.confidence, CONF_ROLE_PORT);
	/* SocialMiner: 1526 plus a BOSH port is a role */
	see_tcp(t, "10.60.1.5", "10.60.0.5", 7443, ANSWERED);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.60.0.5")), "socialminer/socialminer-server");
	/* Sametime: one answered 1533 */
	see_tcp(t, "10.60.1.5", "10.60.0.4", 1533, ANSWERED);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.60.0.4")), "sametime/community-server");
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

START_TEST(test_product_as_client)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	see_tcp(t, "10.40.1.21", "10.40.0.10", 8445, ANSWERED); /* 10.40.0.10: Finesse */
	struct flow f;
	/* Finesse -> AWDB (JDBC 1433) and -> CTI server (42027): the product is the client */
	tcp_flow(&f, "10.40.0.10", "10.40.0.20", 1433, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT_WHY(db, &f, "finesse/awdb-jdbc", CONF_ROLE_PORT, CLASSIFY_R_MATCH);
	char buf[192];
	ck_assert_uint_gt(role_describe(t, db, &f, buf, sizeof buf), 0);
	ck_assert_msg(strstr(buf, "client=10.40.0.10"), "%s", buf);
	tcp_flow(&f, "10.40.0.10", "10.40.0.30", 42027, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT_WHY(db, &f, "finesse/cti-side-a", CONF_ROLE_PORT, CLASSIFY_R_MATCH);
	/* any other host to the same database or CTI port: not Finesse */
	tcp_flow(&f, "10.40.1.77", "10.40.0.20", 1433, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT(db, &f, "-", CONF_NONE);
	tcp_flow(&f, "10.40.1.77", "10.40.0.30", 42027, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT_WHY(db, &f, "-", CONF_NONE, CLASSIFY_R_CLIENT_UNKNOWN);
	ck_assert(has_cand(db, &f, "finesse/cti-side-a"));
	/* the database server itself learned no role from being a server to Finesse */
	ck_assert_uint_eq(roles_at(t, "10.40.0.20"), 0);
	/* Sametime -> LDAP with a learned community server */
	see_tcp(t, "10.30.1.21", "10.30.0.10", 1533, ANSWERED);
	tcp_flow(&f, "10.30.0.10", "192.168.30.40", 389, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT_WHY(db, &f, "sametime/ldap", CONF_ROLE_PORT, CLASSIFY_R_MATCH);
	tcp_flow(&f, "10.30.1.21", "192.168.30.40", 389, ANSWERED); /* a desktop's own lookup */
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT(db, &f, "-", CONF_NONE);
	role_table_destroy(t);
	sig_db_free(db);

	/* a site-declared server is a known server as well, and its word beats a learned role */
	db = load("server app=sametime addrs=10.40.0.10\nserver app=finesse addrs=10.40.0.11\n");
	t = table(db, 0);
	see_tcp(t, "10.40.1.21", "10.40.0.10", 8445, ANSWERED);
	tcp_flow(&f, "10.40.0.11", "10.40.0.31", 43027, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT_WHY(db, &f, "finesse/cti-side-b", CONF_SITE_PORT, CLASSIFY_R_MATCH);
	tcp_flow(&f, "10.40.1.30", "10.40.0.10", 7443, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	ck_assert_msg(f.label.rule == FLOW_RULE_NONE ||
			      strncmp(name(db, f.label.rule), "finesse/", 8) != 0,
		      "a learned role beat the site file: %s", name(db, f.label.rule));
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

START_TEST(test_role_statement_errors)
{
	char err[UCF_ERRBUF_SIZE];
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "role app=nope role=x key=tcp/8445\n", "undeclared app 'nope'" },
		{ "role app=finesse key=tcp/8445\n", "missing required key 'role'" },
		{ "role app=finesse role=x\n", "needs key=, client_of=, serves_to=, uses= or federates=" },
		{ "role app=finesse role=x uses=nope\n", "uses: no rule of app 'finesse' has service 'nope'" },
		{ "role app=finesse role=x uses=https,\n", "uses: bad service name ''" },
		{ "role app=finesse role=x federates=5222\n", "federates: expected tcp/PORT" },
		{ "role app=finesse role=x federates=tcp/1533\n", "has the app serve tcp/1533" },
		{ "role app=finesse role=x key=8445\n", "expected tcp/PORT or udp/PORT" },
		{ "role app=finesse role=x key=tcp/8000-8100\n", "expected tcp/PORT or udp/PORT" },
		{ "role app=finesse role=x key=tcp/8445,tcp/8445\n", "listed twice" },
		{ "role app=finesse role=x key=tcp/8445 min=2\n", "min: expected 1..1" },
		{ "role app=finesse role=x key=tcp/8445 support=tcp/8445\n", "already a key port" },
		{ "role app=finesse role=x key=tcp/8445 bogus=1\n", "unknown key 'bogus'" },
		{ "role app=finesse role=finesse-server key=tcp/8445\n", "redefinition of role" },
		/* evidence must be a port the app's own rows have it serve */
		{ "role app=finesse role=x key=tcp/1533\n", "no rule of app 'finesse' has the app serve tcp/1533" },
		{ "role app=finesse role=x key=tcp/1433\n", "has the app serve tcp/1433" },
		/* a key port many services share points to no product */
		{ "role app=finesse role=x key=tcp/443\n", "shared port" },
		{ "role app=finesse role=x key=tcp/8445 services=nope\n", "no rule of app 'finesse' has service 'nope'" },
		{ "role app=finesse role=x client_of=nope:tcp/8445\n", "no earlier role 'nope' of the same app" },
		{ "role app=finesse role=x client_of=community-server:tcp/1533\n", "no earlier role 'community-server'" },
		{ "role app=finesse role=x client_of=finesse-server:8445\n", "expected ROLE:tcp/PORT" },
		{ "role app=finesse role=x key=tcp/8445 not_served_to=nope\n", "not_served_to: no role 'nope'" },
		{ "role app=finesse role=x client_of=finesse-server:tcp/1533\n", "has the app serve tcp/1533" },
		{ "rule app=finesse service=https category=web proto=tcp server_port=1 product_side=both\n",
		  "product_side: expected server or client" },
		{ "rule app=finesse service=https category=web proto=tcp server=10.0.0.0/8 product_side=client\n",
		  "product_side=client needs server_port=" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		load_error(cases[i].text, err, sizeof err);
		ck_assert_msg(strstr(err, cases[i].want), "case %zu: want '%s', got '%s'", i,
			      cases[i].want, err);
	}
	/* a good one in a site file, with a UDP port its own rule documents */
	ck_assert_str_eq(load_error("rule app=sametime service=media-site category=media proto=udp "
				    "server_port=40000\nrole app=sametime role=media key=udp/40000 "
				    "services=media-site\n",
				    err, sizeof err),
			 "");
}
END_TEST

START_TEST(test_udp_exchange)
{
	struct sig_db *db = load("rule app=sametime service=media-site category=media proto=udp "
				 "server_port=40000\nrole app=sametime role=media key=udp/40000 "
				 "services=media-site\n");
	struct role_table *t = table(db, 0);
	struct flow f;
	mkflow_unanswered(&f, 17, "10.1.1.1", 50000, "10.2.2.2", 40000, false); /* one way only */
	role_observe(t, &f, 1, true);
	ck_assert_uint_eq(roles_at(t, "10.2.2.2"), 0);
	f.dir[FLOW_RESP].pkts = 1; /* both ways */
	role_observe(t, &f, 2, false);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.2.2.2")), "sametime/media");
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

START_TEST(test_bounded_and_eviction)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 64); /* 64 slots */
	see_tcp(t, "10.1.1.1", "10.40.0.10", 8445, ANSWERED); /* a Finesse server first */
	char a[32];
	for (int i = 0; i < 400; i++) { /* then many Kafka brokers */
		snprintf(a, sizeof a, "10.70.%d.%d", i / 200, i % 200 + 1);
		struct flow f;
		tcp_flow(&f, "10.1.1.1", a, 9092, ANSWERED);
		role_observe(t, &f, 3000000 + (uint64_t)i, true);
	}
	struct role_stats st;
	role_table_get_stats(t, &st);
	ck_assert_uint_le(st.servers, 64);
	ck_assert_uint_gt(st.evicted, 0);
	/* entries without a role go first: the Finesse server is still known */
	ck_assert_str_eq(role_name(db, roles_at(t, "10.40.0.10")), "finesse/finesse-server");
	ck_assert_uint_eq(st.with_role, 1);
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

/* The inventory: --servers lines and a --write-site file that --site accepts and that labels the
 * same flows (site+port instead of role+port). */
START_TEST(test_inventory_and_write_site)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	see_tcp(t, "10.40.1.21", "10.40.0.10", 8445, ANSWERED);
	see_tcp(t, "10.40.1.21", "10.40.0.10", 7443, ANSWERED);
	see_tcp(t, "10.30.1.21", "10.30.0.10", 1533, ANSWERED);
	see_tcp(t, "10.60.1.5", "10.60.0.9", 9092, ANSWERED);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	ck_assert_int_eq(role_write_servers(t, db, fp), UCF_OK);
	fclose(fp);
	ck_assert_msg(strstr(buf, "{\"addr\":\"10.40.0.10\",\"product\":\"finesse\",\"roles\":[{\"app\":"
				  "\"finesse\",\"role\":\"finesse-server\""),
		      "%s", buf);
	ck_assert_msg(strstr(buf, "{\"port\":\"tcp/8445\",\"flows\":1}"), "%s", buf);
	ck_assert_msg(strstr(buf, "{\"addr\":\"10.60.0.9\",\"product\":null,\"roles\":[]"), "%s", buf);
	int lines = 0;
	for (char *c = buf; *c; c++)
		lines += *c == '\n';
	ck_assert_int_eq(lines, 3);
	free(buf);

	fp = open_memstream(&buf, &len);
	ck_assert_int_eq(role_write_site(t, db, fp), UCF_OK);
	fclose(fp);
	ck_assert_msg(strstr(buf, "\nserver app=finesse addrs=10.40.0.10\n"), "%s", buf);
	ck_assert_msg(strstr(buf, "\nserver app=sametime service=community-client addrs=10.30.0.10\n"),
		      "%s", buf);
	ck_assert_msg(!strstr(buf, "10.60.0.9"), "a server without a role was declared: %s", buf);
	struct sig_db *site = load(buf);
	free(buf);
	static const struct {
		const char *c, *s;
		uint16_t port;
	} flows[] = { { "10.40.1.30", "10.40.0.10", 5222 }, { "10.40.1.30", "10.40.0.10", 8082 },
		      { "10.40.0.10", "10.40.0.20", 1433 }, { "10.30.1.30", "10.30.0.10", 80 },
		      { "10.30.0.10", "10.30.0.60", 27017 }, { "10.60.1.5", "10.60.0.9", 9092 } };
	struct role_table *none = table(site, 0);
	for (size_t i = 0; i < sizeof flows / sizeof flows[0]; i++) {
		struct flow a, b;
		tcp_flow(&a, flows[i].c, flows[i].s, flows[i].port, ANSWERED);
		b = a;
		classify_roles(db, t, &a, EV_PROTO_NONE);
		classify_roles(site, none, &b, EV_PROTO_NONE);
		ck_assert_msg(strcmp(name(db, a.label.rule), name(site, b.label.rule)) == 0,
			      "%s:%u: role %s, site %s", flows[i].s, flows[i].port,
			      name(db, a.label.rule), name(site, b.label.rule));
		if (a.label.rule != FLOW_RULE_NONE) {
			ck_assert_uint_eq(a.label.confidence, CONF_ROLE_PORT);
			ck_assert_uint_eq(b.label.confidence, CONF_SITE_PORT);
		}
	}
	role_table_destroy(none);
	sig_db_free(site);
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

START_TEST(test_end_pass_and_reload)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	see_tcp(t, "10.40.1.21", "10.40.0.10", 8445, ANSWERED);
	role_table_end_pass(t); /* a second pass counts each flow once, and keeps the role */
	struct role_server_view v[4];
	ck_assert_uint_eq(role_table_servers(t, v, 4), 1);
	ck_assert_uint_eq(v[0].flows[sig_role_port_find(db, 6, 8445)], 0);
	ck_assert_uint_ne(roles_at(t, "10.40.0.10"), 0);
	role_table_set_db(t, db); /* a reload forgets */
	ck_assert_uint_eq(roles_at(t, "10.40.0.10"), 0);
	ck_assert_uint_eq(role_table_servers(t, NULL, 0), 0);
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

/* Roles from whom a host talks to (client_of=, serves_to=): the Sametime Proxy, Meeting and
 * Domino servers answer on no port only Sametime documents. */
START_TEST(test_peer_evidence)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	/* before any Community Server is known, a 1516 client is nothing */
	see_tcp(t, "10.1.0.42", "10.1.0.40", 1516, REFUSED);
	ck_assert_uint_eq(roles_at(t, "10.1.0.42"), 0);
	see_tcp(t, "10.2.0.1", "10.1.0.40", 1533, ANSWERED); /* 10.1.0.40: Community Server */
	see_tcp(t, "10.1.0.42", "10.1.0.40", 1516, REFUSED); /* refused: still no evidence */
	ck_assert_uint_eq(roles_at(t, "10.1.0.42"), 0);
	see_tcp(t, "10.1.0.42", "10.1.0.40", 1516, ANSWERED);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.1.0.42")), "sametime/proxy-server");
	/* a web client of the Proxy Server's 443 is no Meeting Server (min=2) ... */
	see_tcp(t, "10.2.0.21", "10.1.0.42", 443, ANSWERED);
	ck_assert_uint_eq(roles_at(t, "10.2.0.21"), 0);
	/* ... a host that also answers meeting media on UDP 10000 is */
	see_tcp(t, "10.1.0.43", "10.1.0.42", 443, ANSWERED);
	ck_assert_uint_eq(roles_at(t, "10.1.0.43"), 0);
	struct flow f;
	mkflow(&f, 17, "10.2.0.21", 54421, "10.1.0.43", 10000, false);
	f.dir[FLOW_RESP].pkts = 5;
	role_observe(t, &f, 3000000, true);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.1.0.43")), "sametime/meeting-server");
	/* a public WebRTC bridge on UDP 10000 talks to no Proxy Server: no role */
	mkflow(&f, 17, "10.2.0.21", 54422, "198.51.100.100", 10000, false);
	f.dir[FLOW_RESP].pkts = 5;
	role_observe(t, &f, 3000000, true);
	ck_assert_uint_eq(roles_at(t, "198.51.100.100"), 0);
	/* the Meeting Server's media flows are labelled through its role */
	classify_roles(db, t, &f, EV_PROTO_NONE);
	ck_assert_uint_lt(f.label.confidence, CONF_ROLE_PORT);
	mkflow(&f, 17, "10.2.0.22", 54423, "10.1.0.43", 10000, false);
	f.dir[FLOW_RESP].pkts = 5;
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT_WHY(db, &f, "sametime/meeting-media-docker", CONF_ROLE_PORT, CLASSIFY_R_MATCH);
	char buf[192];
	ck_assert_uint_gt(role_describe(t, db, &f, buf, sizeof buf), 0);
	ck_assert_msg(strstr(buf, "peer=client-of:proxy-server:tcp/443") &&
			      strstr(buf, "serves=udp/10000"),
		      "%s", buf);
	/* Domino: answers 8088 to the Community Server; an intranet server answering 8088 to a
	 * desktop is nothing */
	see_tcp(t, "10.2.0.5", "10.1.0.91", 8088, ANSWERED);
	ck_assert_uint_eq(roles_at(t, "10.1.0.91"), 0);
	see_tcp(t, "10.1.0.40", "10.1.0.45", 8088, ANSWERED);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.1.0.45")), "sametime/domino-server");
	tcp_flow(&f, "10.2.0.10", "10.1.0.45", 443, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT_WHY(db, &f, "sametime/https-443", CONF_ROLE_PORT, CLASSIFY_R_MATCH);
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

/* Client roles: uses= (a Webex Calling phone is the client of 004's device SIP-TLS signalling to
 * the documented subnets; its NTP from 123 to the site's server is then 004's NTP row) and
 * client_of= a Meeting Server's media (a Sametime meeting client's STUN to 19302). */
START_TEST(test_client_roles)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	struct flow f, ntp;
	mkflow(&ntp, 17, "10.3.0.1", 123, "10.1.0.123", 123, false);
	classify_roles(db, t, &ntp, EV_PROTO_NONE);
	ck_assert_uint_eq(ntp.label.rule, FLOW_RULE_NONE); /* any host's NTP: nothing */
	/* the Webex app's signalling (ephemeral source) and SIP-TLS to an address 004 does not
	 * list are no device evidence */
	mkflow(&f, 6, "10.3.0.1", 50123, "23.89.40.20", 8934, true);
	classify_roles(db, t, &f, EV_PROTO_TLS);
	EXPECT(db, &f, "webex-calling/app-sip-tls", CONF_PAYLOAD);
	role_observe(t, &f, 1000000, true);
	mkflow(&f, 6, "10.3.0.1", 5061, "203.0.113.9", 8934, true);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	role_observe(t, &f, 1000000, true);
	ck_assert_uint_eq(roles_at(t, "10.3.0.1"), 0);
	/* device SIP-TLS to a documented subnet, refused: no evidence either */
	mkflow_unanswered(&f, 6, "10.3.0.1", 5061, "23.89.40.20", 8934, true);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	role_observe(t, &f, 1000000, true);
	ck_assert_uint_eq(roles_at(t, "10.3.0.1"), 0);
	/* answered: a Webex Calling device */
	mkflow(&f, 6, "10.3.0.1", 5061, "23.89.40.20", 8934, true);
	classify_roles(db, t, &f, EV_PROTO_TLS);
	EXPECT(db, &f, "webex-calling/device-sip-tls", CONF_PAYLOAD);
	role_observe(t, &f, 1000000, true);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.3.0.1")), "webex-calling/calling-device");
	classify_roles(db, t, &ntp, EV_PROTO_NONE);
	EXPECT_WHY(db, &ntp, "webex-calling/ntp", CONF_ROLE_PORT, CLASSIFY_R_MATCH);
	char buf[192];
	ck_assert_uint_gt(role_describe(t, db, &ntp, buf, sizeof buf), 0);
	ck_assert_msg(strstr(buf, "role=webex-calling/calling-device client=10.3.0.1") &&
			      strstr(buf, "peer=uses:device-sip-tls"),
		      "%s", buf);
	/* the role covers the NTP row only: the phone's DNS is not labelled through it, and
	 * another host's NTP stays unlabelled */
	mkflow(&f, 17, "10.3.0.1", 41001, "10.1.0.53", 53, false);
	classify_roles(db, t, &f, EV_PROTO_DNS);
	ck_assert_uint_lt(f.label.confidence, CONF_ROLE_PORT);
	mkflow(&f, 17, "10.1.0.10", 123, "10.1.0.123", 123, false);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);

	/* Sametime: Community Server, Proxy Server, Meeting Server, then a meeting client */
	struct flow stun;
	mkflow(&stun, 17, "10.2.0.21", 54621, "74.125.250.129", 19302, false);
	classify_roles(db, t, &stun, EV_PROTO_STUN);
	ck_assert_uint_eq(stun.label.rule, FLOW_RULE_NONE);
	see_tcp(t, "10.2.0.1", "10.1.0.40", 1533, ANSWERED);
	see_tcp(t, "10.1.0.42", "10.1.0.40", 1516, ANSWERED);
	see_tcp(t, "10.1.0.43", "10.1.0.42", 443, ANSWERED);
	mkflow(&f, 17, "10.2.0.30", 54430, "10.1.0.43", 10000, false);
	role_observe(t, &f, 3000000, true);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.1.0.43")), "sametime/meeting-server");
	/* media to a public WebRTC bridge on 10000 makes no meeting client */
	mkflow(&f, 17, "10.2.0.21", 54421, "198.51.100.100", 10000, false);
	role_observe(t, &f, 3000000, true);
	ck_assert_uint_eq(roles_at(t, "10.2.0.21"), 0);
	mkflow(&f, 17, "10.2.0.21", 54421, "10.1.0.43", 10000, false);
	role_observe(t, &f, 3000000, true);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.2.0.21")), "sametime/meeting-client");
	classify_roles(db, t, &stun, EV_PROTO_STUN);
	EXPECT_WHY(db, &stun, "sametime/stun", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	/* the meeting client is no server: its own ports label nothing through the role */
	tcp_flow(&f, "10.2.0.5", "10.2.0.21", 443, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

/* The local gateway's media source range 8000-48199 (004:494) holds a Linux host's ephemeral
 * ports: its STUN/media rows (lgw-stun, lgw-media, product_side=client) label only a host that is
 * the client of the gateway's own SIP-TLS row (lgw-sip-tls, 004:472): role local-gateway. A
 * Meetings client's STUN from there is the platform's, even when the same PC runs the Webex app
 * (app-sip-tls from an ephemeral port is no gateway evidence). */
START_TEST(test_local_gateway)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	struct flow f, stun, gw_stun, gw_media;
	mkflow(&stun, 17, "10.3.0.40", 40210, "23.89.1.40", 9000, false);
	classify_roles(db, t, &stun, EV_PROTO_STUN);
	EXPECT(db, &stun, "webex/media-ports", CONF_PAYLOAD);
	/* the same PC's Webex app: SIP-TLS from an ephemeral port to 8934 */
	mkflow(&f, 6, "10.3.0.40", 40300, "23.89.1.10", 8934, true);
	classify_roles(db, t, &f, EV_PROTO_TLS);
	EXPECT(db, &f, "webex-calling/app-sip-tls", CONF_PAYLOAD);
	role_observe(t, &f, 1000000, true);
	ck_assert_uint_eq(roles_at(t, "10.3.0.40"), 0);
	classify_roles(db, t, &stun, EV_PROTO_STUN);
	EXPECT(db, &stun, "webex/media-ports", CONF_PAYLOAD);
	/* nor does a Webex name of the media node (a DNS answer) make its client the gateway */
	struct classify_evidence named = { .domain = sig_domain_match(db, "media.webex.com"),
					   .domain_src = 4, .payload_proto = EV_PROTO_STUN };
	ck_assert_int_ge(named.domain, 0);
	mkflow(&f, 17, "10.3.0.41", 40250, "23.89.1.40", 9000, false);
	classify_flow_payload(db, &f, &named);
	EXPECT(db, &f, "webex/media-ports", CONF_PAYLOAD);
	/* the gateway: before its signalling, its STUN is the platform's and its media the WebRTC
	 * sub-row's; a refused SIP-TLS is no evidence */
	mkflow(&gw_stun, 17, "10.3.0.70", 40220, "23.89.1.40", 9000, false);
	classify_roles(db, t, &gw_stun, EV_PROTO_STUN);
	EXPECT(db, &gw_stun, "webex/media-ports", CONF_PAYLOAD);
	mkflow(&gw_media, 17, "10.3.0.70", 40230, "23.89.1.40", 24000, false);
	classify_roles(db, t, &gw_media, EV_PROTO_RTP);
	EXPECT(db, &gw_media, "webex-calling/webrtc-media", CONF_PAYLOAD);
	mkflow_unanswered(&f, 6, "10.3.0.70", 40100, "23.89.1.10", 5062, true);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	role_observe(t, &f, 1000000, true);
	ck_assert_uint_eq(roles_at(t, "10.3.0.70"), 0);
	/* SIP-TLS to 5062 (certificate-based trunk) answered: a local gateway */
	mkflow(&f, 6, "10.3.0.70", 40100, "23.89.1.10", 5062, true);
	classify_roles(db, t, &f, EV_PROTO_TLS);
	EXPECT(db, &f, "webex-calling/lgw-sip-tls", CONF_PAYLOAD);
	role_observe(t, &f, 1000000, true);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.3.0.70")), "webex-calling/local-gateway");
	classify_roles(db, t, &gw_stun, EV_PROTO_STUN);
	EXPECT_WHY(db, &gw_stun, "webex-calling/lgw-stun", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	classify_roles(db, t, &gw_media, EV_PROTO_RTP);
	EXPECT_WHY(db, &gw_media, "webex-calling/lgw-media", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	char buf[192];
	ck_assert_uint_gt(role_describe(t, db, &gw_stun, buf, sizeof buf), 0);
	ck_assert_msg(strstr(buf, "role=webex-calling/local-gateway client=10.3.0.70") &&
			      strstr(buf, "peer=uses:lgw-sip-tls"),
		      "%s", buf);
	/* the role covers the gateway's own range only: from the app's 8500 it is the stun row,
	 * and another host's STUN from the gateway range stays the platform's */
	mkflow(&f, 17, "10.3.0.70", 8500, "23.89.1.40", 9000, false);
	classify_roles(db, t, &f, EV_PROTO_STUN);
	EXPECT(db, &f, "webex-calling/stun", CONF_PAYLOAD);
	classify_roles(db, t, &stun, EV_PROTO_STUN);
	EXPECT(db, &stun, "webex/media-ports", CONF_PAYLOAD);
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

/* federates=: an internal host federating with external hosts over BOTH SIP-TLS 5061 and XMPP
 * 5269 is an IM and Presence federation node (interpretation of 003); one protocol alone (a
 * third-party PBX's trunk on 5061), internal peers, or refused connections make no role. */
START_TEST(test_federation_node)
{
	struct sig_db *db = load(NULL);
	struct role_table *t = table(db, 0);
	struct flow f;
	/* the PBX: SIP-TLS both ways with its ITSP, nothing on 5269 */
	see_tcp(t, "10.1.0.92", "203.0.113.61", 5061, ANSWERED);
	see_tcp(t, "203.0.113.61", "10.1.0.92", 5061, ANSWERED);
	ck_assert_uint_eq(roles_at(t, "10.1.0.92"), 0);
	/* internal peers on both ports are no federation */
	see_tcp(t, "10.1.0.61", "10.1.0.80", 5061, ANSWERED);
	see_tcp(t, "10.1.0.61", "10.1.0.81", 5269, ANSWERED);
	ck_assert_uint_eq(roles_at(t, "10.1.0.61"), 0);
	/* an external host never holds it */
	see_tcp(t, "198.51.100.30", "203.0.113.20", 5269, ANSWERED);
	ck_assert_uint_eq(roles_at(t, "203.0.113.20"), 0);
	/* the node: SIP-TLS out; XMPP refused first (no evidence), then answered in */
	see_tcp(t, "10.1.0.60", "203.0.113.10", 5061, ANSWERED);
	ck_assert_uint_eq(roles_at(t, "10.1.0.60"), 0);
	see_tcp(t, "10.1.0.60", "203.0.113.20", 5269, REFUSED);
	ck_assert_uint_eq(roles_at(t, "10.1.0.60"), 0);
	see_tcp(t, "198.51.100.30", "10.1.0.60", 5269, ANSWERED);
	ck_assert_str_eq(role_name(db, roles_at(t, "10.1.0.60")), "cisco-imp/federation-node");
	ck_assert_uint_eq(roles_at(t, "198.51.100.30"), 0);
	/* its federation flows both ways are labelled through the role; the PBX's are not */
	tcp_flow(&f, "10.1.0.60", "203.0.113.10", 5061, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_TLS);
	EXPECT_WHY(db, &f, "cisco-imp/sip-federation-tls-out", CONF_PAYLOAD, CLASSIFY_R_MATCH);
	tcp_flow(&f, "203.0.113.10", "10.1.0.60", 5061, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_NONE);
	EXPECT_WHY(db, &f, "cisco-imp/sip-federation-tls-in", CONF_ROLE_PORT, CLASSIFY_R_MATCH);
	char buf[192];
	ck_assert_uint_gt(role_describe(t, db, &f, buf, sizeof buf), 0);
	ck_assert_msg(strstr(buf, "server=10.1.0.60 peer=federates:tcp/5061,federates:tcp/5269"),
		      "%s", buf);
	tcp_flow(&f, "10.1.0.92", "203.0.113.61", 5061, ANSWERED);
	classify_roles(db, t, &f, EV_PROTO_TLS);
	ck_assert_uint_eq(f.label.rule, FLOW_RULE_NONE);
	role_table_destroy(t);
	sig_db_free(db);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("role");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_finesse_8445_makes_role);
	tcase_add_test(tc, test_refused_or_unanswered_is_no_evidence);
	tcase_add_test(tc, test_weak_ports_make_no_role);
	tcase_add_test(tc, test_product_as_client);
	tcase_add_test(tc, test_role_statement_errors);
	tcase_add_test(tc, test_udp_exchange);
	tcase_add_test(tc, test_bounded_and_eviction);
	tcase_add_test(tc, test_inventory_and_write_site);
	tcase_add_test(tc, test_end_pass_and_reload);
	tcase_add_test(tc, test_peer_evidence);
	tcase_add_test(tc, test_client_roles);
	tcase_add_test(tc, test_federation_node);
	tcase_add_test(tc, test_local_gateway);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
