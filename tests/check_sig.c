/* check_sig.c - signature parser: accepted input, every error with its exact FILE:LINE:COL,
 * includes, site files, atomic failure. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "run_suite.h"

static char tmpdir[256];
static char err[UCF_ERRBUF_SIZE];

/* Writes name under the test's temporary directory (subdirectories created as needed). */
static void put(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	for (char *p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_sig.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Loads tmpdir/sub (default "d") and the optional site file (relative to tmpdir). */
static struct sig_db *load(const char *sub, const char *site_name, int *rc)
{
	char d[512], s[512];
	snprintf(d, sizeof d, "%s/%s", tmpdir, sub ? sub : "d");
	if (site_name)
		snprintf(s, sizeof s, "%s/%s", tmpdir, site_name);
	struct sig_db *db = (struct sig_db *)0x1;
	err[0] = '\0';
	*rc = sig_db_load(&db, d, site_name ? s : NULL, err, sizeof err);
	if (*rc != UCF_OK)
		ck_assert_ptr_null(db); /* nothing half-loaded */
	return db;
}

/* The load must fail with "...<where>: <msg...>" where where = "file:line:col". */
static void expect_error(const char *where, const char *msg)
{
	int rc;
	struct sig_db *db = load(NULL, NULL, &rc);
	if (rc == UCF_OK)
		sig_db_free(db);
	ck_assert_int_eq(rc, UCF_ERR_CONFIG);
	char want[256];
	snprintf(want, sizeof want, "/d/%s: ", where);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
	ck_assert_msg(strstr(err, msg) != NULL, "error '%s' lacks '%s'", err, msg);
}

#define HDR "doc d.txt \"Doc\"\napp a \"App A\" onprem=yes\napp c \"Cloud\"\n"
/* HDR is 3 lines: the statement under test is on line 4. */

START_TEST(test_ok_basic)
{
	put("d/00-common.sig", "shared-ports 80,443 \\\n  53\n");
	put("d/b.sig", HDR
	    "addrset s1 23.89.0.0/16 2001:db8::/32   # trailing comment\n"
	    "addrset s2 @s1 192.0.2.7\n"
	    "portset media 8500-8599,8600-8699\n"
	    "table \"Ports # not a comment\"\n"
	    "rule app=c service=sip category=signalling proto=tcp server=@s2 \\\n"
	    "     server_port=5062,8934 client_port=@media encrypted=yes dscp=24,26 \\\n"
	    "     label=\"Say \\\"hi\\\" # still label\"\n"
	    "rule app=a service=x category=presence proto=both server_port=1516\n"
	    "qos app=c service=sip proto=tcp dscp=24 server_port=8934\n"
	    "domain app=c service=web pattern=*.Example.com kind=service label=\"web\"\n"
	    "domain app=c service=api pattern=api.example.com\n"
	    "domain app=c service=dep pattern=*.google.com kind=dependency\n"
	    "rule app=a service=y category=other proto=udp server=any server_port=9\n");
	int rc;
	struct sig_db *db = load(NULL, NULL, &rc);
	ck_assert_msg(rc == UCF_OK, "%s", err);
	ck_assert_uint_eq(sig_rule_count(db), 3);
	struct sig_rule_view v;
	ck_assert(sig_rule_get(db, 0, &v));
	ck_assert_str_eq(v.app, "c");
	ck_assert_str_eq(v.app_name, "Cloud");
	ck_assert_str_eq(v.service, "sip");
	ck_assert_str_eq(v.category, "signalling");
	ck_assert_str_eq(v.file, "b.sig");
	ck_assert_uint_eq(v.line, 8);
	ck_assert_str_eq(v.doc, "d.txt");
	ck_assert_str_eq(v.doc_title, "Doc");
	ck_assert_str_eq(v.table, "Ports # not a comment");
	ck_assert_str_eq(v.label, "Say \"hi\" # still label");
	ck_assert_int_eq(v.encrypted, 1);
	ck_assert_str_eq(v.proto, "tcp");
	ck_assert_str_eq(v.server, "@s2");
	ck_assert_str_eq(v.server_port, "5062,8934");
	ck_assert_uint_eq(v.ndscp, 2);
	ck_assert_uint_eq(v.dscp[1], 26);
	ck_assert(sig_rule_get(db, 1, &v));
	ck_assert_str_eq(v.server, "@internal"); /* onprem default */
	ck_assert_int_eq(v.encrypted, -1);
	ck_assert_str_eq(v.proto, "both");
	ck_assert_str_eq(v.label, "");
	ck_assert_int_eq(v.onprem, 1);
	ck_assert(!sig_rule_get(db, 3, &v));
	ck_assert(sig_port_is_shared(db, 53));
	ck_assert(sig_port_is_shared(db, 443));
	ck_assert(!sig_port_is_shared(db, 5222));
	ck_assert_int_eq(sig_app_find(db, "c"), 1);
	ck_assert_int_eq(sig_app_find(db, "zz"), -1);
	ck_assert_uint_eq(sig_app_count(db), 2);
	ck_assert_str_eq(sig_app_name(db, 0), "App A");
	/* domains: exact beats wildcard; wildcard covers the bare domain; case/trailing dot */
	struct sig_domain_view dv;
	ck_assert_uint_eq(sig_domain_count(db), 3);
	int d = sig_domain_match(db, "API.example.com.");
	ck_assert(sig_domain_get(db, (size_t)d, &dv));
	ck_assert_str_eq(dv.service, "api");
	d = sig_domain_match(db, "a.b.example.com");
	ck_assert(sig_domain_get(db, (size_t)d, &dv));
	ck_assert_str_eq(dv.service, "web");
	ck_assert_str_eq(dv.pattern, "*.Example.com");
	ck_assert_int_eq(sig_domain_match(db, "example.com"), d);
	ck_assert_int_eq(sig_domain_match(db, "notexample.com"), -1);
	d = sig_domain_match(db, "fcm.google.com");
	ck_assert(sig_domain_get(db, (size_t)d, &dv));
	ck_assert_int_eq(dv.dependency, 1);
	/* listings do not crash and mention what they should */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	sig_db_print_counts(db, fp);
	sig_db_print_rules(db, fp);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(buf, "b.sig"));
	ck_assert_ptr_nonnull(strstr(buf, "shared ports (3): 53,80,443"));
	ck_assert_ptr_nonnull(strstr(buf, "b.sig:8\tc\tsip\tsignalling\ttcp\t@s2\t5062,8934"));
	free(buf);
	sig_db_free(db);
}
END_TEST

START_TEST(test_ok_include)
{
	put("d/a.sig", "include sub/common.inc\n" HDR "rule app=a service=x category=other proto=tcp server=@inc server_port=1\n");
	put("d/sub/common.inc", "include more.inc # relative to sub/\n");
	put("d/sub/more.inc", "addrset inc 10.9.0.0/16\n");
	int rc;
	struct sig_db *db = load(NULL, NULL, &rc);
	ck_assert_msg(rc == UCF_OK, "%s", err);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	sig_db_print_counts(db, fp);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(buf, "signature files: 3"));
	ck_assert_ptr_nonnull(strstr(buf, "sub/more.inc"));
	free(buf);
	sig_db_free(db);
}
END_TEST

START_TEST(test_ok_site)
{
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server_port=5222\n");
	put("site.conf", "# site\n"
			 "internal 10.0.0.0/8\n"
			 "internal += 100.64.0.0/10\n"
			 "addrset mine 203.0.113.0/24\n"
			 "server app=a service=x addrs=@mine\n"
			 "rule app=a service=local category=other proto=udp server_port=4000\n"
			 "include extra.inc\n");
	put("extra.inc", "server app=a addrs=10.5.5.5 # site statements in an included file\n"
			 "addrset both @internal 198.51.100.0/24\n"
			 "rule app=c service=y category=other proto=tcp server=@both server_port=9\n");
	int rc;
	struct sig_db *db = load(NULL, "site.conf", &rc);
	ck_assert_msg(rc == UCF_OK, "%s", err);
	struct ucf_addr x;
	ucf_addr_parse("100.64.0.1", &x);
	ck_assert(sig_addr_is_internal(db, &x));
	ucf_addr_parse("192.168.0.1", &x); /* replaced: no longer internal */
	ck_assert(!sig_addr_is_internal(db, &x));
	ucf_addr_parse("10.1.1.1", &x);
	ck_assert(sig_addr_is_internal(db, &x));
	struct sig_rule_view v;
	ck_assert(sig_rule_get(db, 1, &v));
	ck_assert_str_eq(v.service, "local");
	ck_assert_ptr_nonnull(strstr(v.doc, "site.conf")); /* site rows cite the site file */
	ck_assert_uint_eq(v.line, 6);
	ck_assert(sig_rule_get(db, 2, &v));
	ck_assert_str_eq(v.server, "@both");
	ck_assert_ptr_nonnull(strstr(v.file, "extra.inc"));
	sig_db_free(db);
}
END_TEST

START_TEST(test_err_lexical)
{
	put("d/a.sig", HDR "rulez app=a\n");
	expect_error("a.sig:4:1", "unknown keyword 'rulez'");
	put("d/a.sig", HDR "table \"unterminated\n");
	expect_error("a.sig:4:7", "unterminated quoted string");
	/* the error is on the continuation line, column of the offending key */
	put("d/a.sig", HDR "rule app=a service=x category=other \\\n\tproto=tcp colour=red\n");
	expect_error("a.sig:5:12", "unknown key 'colour' for 'rule'");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server_port=1 proto=udp\n");
	expect_error("a.sig:4:61", "duplicate key 'proto'");
	put("d/a.sig", HDR "rule app=a service=x proto=tcp server_port=1\n");
	expect_error("a.sig:4:1", "missing required key 'category'");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server_port=\n");
	expect_error("a.sig:4:59", "empty value for 'server_port'");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp oops\n");
	expect_error("a.sig:4:47", "expected key=value");
}
END_TEST

START_TEST(test_err_values)
{
	put("d/a.sig", HDR "addrset x 10.1.2.3/8\n");
	expect_error("a.sig:4:11", "host bits set in '10.1.2.3/8' (the network is 10.0.0.0/8)");
	put("d/a.sig", HDR "addrset x 10.0.0.0/8 2001:db8::1/32\n");
	expect_error("a.sig:4:22", "host bits set");
	put("d/a.sig", HDR "addrset x 10.0.0.0/33\n");
	expect_error("a.sig:4:20", "prefix length 33 out of range (0-32)");
	put("d/a.sig", HDR "addrset x 10.0.0.256\n");
	expect_error("a.sig:4:11", "bad address '10.0.0.256'");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server_port=80,70000\n");
	expect_error("a.sig:4:62", "port 70000 out of range (0-65535)");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server_port=9000-8000\n");
	expect_error("a.sig:4:59", "reversed port range '9000-8000'");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server_port=1-99999\n");
	expect_error("a.sig:4:61", "port 99999 out of range");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server=10.0.0.0/8,@nope\n");
	expect_error("a.sig:4:65", "undefined set '@nope'");
	put("d/a.sig", HDR "portset p 80\nrule app=a service=x category=other proto=tcp server=@p\n");
	expect_error("a.sig:5:54", "'@p' is a port set, not an address set");
	put("d/a.sig", HDR "addrset s 10.0.0.0/8\nportset p @s\n");
	expect_error("a.sig:5:11", "'@s' is an address set, not a port set");
	put("d/a.sig", HDR "rule app=zz service=x category=other proto=tcp server_port=1\n");
	expect_error("a.sig:4:10", "undeclared app 'zz'");
	put("d/a.sig", HDR "rule app=a service=x category=chat proto=tcp server_port=1\n");
	expect_error("a.sig:4:31", "unknown category 'chat'");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=sctp server_port=1\n");
	expect_error("a.sig:4:43", "expected tcp, udp or both");
	put("d/a.sig", HDR "rule app=a service=x/y category=other proto=tcp server_port=1\n");
	expect_error("a.sig:4:20", "bad service name");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server_port=1 dscp=64\n");
	expect_error("a.sig:4:66", "DSCP value 64 out of range (0-63)");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server_port=1 encrypted=maybe\n");
	expect_error("a.sig:4:71", "expected yes or no");
	put("d/a.sig", HDR "rule app=a service=x category=other proto=tcp server=any,10.0.0.0/8 server_port=1\n");
	expect_error("a.sig:4:54", "'any' cannot be combined");
	put("d/a.sig", HDR "rule app=c service=x category=other proto=tcp client_port=5\n");
	expect_error("a.sig:4:1", "would match every flow");
	put("d/a.sig", HDR "qos app=c service=x proto=tcp dscp=46,34\n");
	expect_error("a.sig:4:39", "too many DSCP values (at most 1)");
	put("d/a.sig", HDR "domain app=c service=x pattern=*.*.example.com\n");
	expect_error("a.sig:4:32", "bad domain pattern");
}
END_TEST

START_TEST(test_err_structure)
{
	put("d/a.sig", HDR "addrset s 10.0.0.0/8\naddrset s 10.0.0.0/8\n");
	expect_error("a.sig:5:9", "redefinition of set 's' (first defined at ");
	ck_assert_ptr_nonnull(strstr(err, "/d/a.sig:4:9)"));
	put("d/a.sig", HDR "app a \"again\"\n");
	expect_error("a.sig:4:5", "redefinition of app 'a' (first declared at ");
	ck_assert_ptr_nonnull(strstr(err, "/d/a.sig:2:5)"));
	put("d/a.sig", "app a \"A\"\nrule app=a service=x category=other proto=tcp server_port=1\n");
	expect_error("a.sig:2:1", "'rule' before any 'doc' statement");
	put("d/a.sig", HDR "internal 10.0.0.0/8\n");
	expect_error("a.sig:4:1", "'internal' is only allowed in the site file");
	put("d/a.sig", HDR "server app=a addrs=10.0.0.1\n");
	expect_error("a.sig:4:1", "'server' is only allowed in the site file");
	put("d/a.sig", HDR "table one two\n");
	expect_error("a.sig:4:11", "table: unexpected 'two'");
	/* an error in a later file: the whole load fails */
	put("d/a.sig", HDR);
	put("d/b.sig", "doc x\nbogus\n");
	expect_error("b.sig:2:1", "unknown keyword 'bogus'");
}
END_TEST

START_TEST(test_err_include)
{
	put("d/a.sig", "# loop\ninclude b.inc\n");
	put("d/b.inc", "\n\ninclude   a.sig\n");
	expect_error("b.inc:3:11", "include loop: 'a.sig' is already being loaded");
	put("d/a.sig", "include a.sig\n");
	expect_error("a.sig:1:9", "include loop");
	put("d/a.sig", "include missing.inc\n");
	expect_error("a.sig:1:9", "cannot open 'missing.inc': No such file or directory");
	/* a.sig includes i1 (level 1) ... i8 includes i9 (level 9): one too many */
	put("d/a.sig", "include i1.inc\n");
	for (int i = 1; i <= 9; i++) {
		char name[32], text[64];
		snprintf(name, sizeof name, "d/i%d.inc", i);
		snprintf(text, sizeof text, "include i%d.inc\n", i + 1);
		put(name, text);
	}
	put("d/i10.inc", "# end\n");
	expect_error("i8.inc:1:9", "includes nested too deeply (at most 8 levels)");
	put("d/i8.inc", "# end\n"); /* 8 levels: fine */
	int rc;
	struct sig_db *db = load(NULL, NULL, &rc);
	ck_assert_msg(rc == UCF_OK, "%s", err);
	sig_db_free(db);
}
END_TEST

START_TEST(test_err_files)
{
	int rc;
	load("nodir", NULL, &rc);
	ck_assert_int_eq(rc, UCF_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "/nodir: cannot open signature directory"));
	put("empty/readme.txt", "x\n");
	load("empty", NULL, &rc);
	ck_assert_int_eq(rc, UCF_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "no *.sig files"));
	put("d/a.sig", HDR);
	load(NULL, "nosite.conf", &rc);
	ck_assert_int_eq(rc, UCF_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "/nosite.conf: cannot open: No such file or directory"));
	/* site file errors carry the site file's name; unknown service for a site server */
	put("site.conf", "server app=a service=nosuch addrs=10.0.0.1\n");
	load(NULL, "site.conf", &rc);
	ck_assert_int_eq(rc, UCF_ERR_CONFIG);
	ck_assert_msg(strstr(err, "site.conf:1:22: no rule of app 'a' has service 'nosuch'"), "%s", err);
	put("site.conf", "\nserver app=a addrs=any\n");
	load(NULL, "site.conf", &rc);
	ck_assert_int_eq(rc, UCF_ERR_CONFIG);
	ck_assert_msg(strstr(err, "site.conf:2:20: 'any' is not allowed here"), "%s", err);
	put("site.conf", "internal +=\n");
	load(NULL, "site.conf", &rc);
	ck_assert_msg(strstr(err, "site.conf:1:1: internal: expected at least one network"), "%s", err);
}
END_TEST

START_TEST(test_ok_note)
{
	put("d/a.sig", HDR
	    "table \"Ports\"\n"
	    "note app=c id=media-transport section=\"Firewall \\\"setup\\\"\" \\\n"
	    "     text=\"Media over TCP is not supported # not a comment\"\n"
	    "note app=a id=mtu text=\"Keep 1500\"\n"
	    "note app=c id=mtu text=\"Same id, other app\"\n"
	    "qos app=c service=sip proto=udp dscp=46 client_port=8500-8599 label=\"audio\"\n"
	    "doc e.txt\n"
	    "note app=c id=later text=\"After a doc without title\"\n");
	int rc;
	struct sig_db *db = load(NULL, NULL, &rc);
	ck_assert_msg(rc == UCF_OK, "%s", err);
	ck_assert_uint_eq(sig_note_count(db), 4);
	int i = sig_note_find(db, "c", "media-transport");
	ck_assert_int_eq(i, 0);
	struct sig_note_view n;
	ck_assert(sig_note_get(db, (size_t)i, &n));
	ck_assert_str_eq(n.app, "c");
	ck_assert_str_eq(n.id, "media-transport");
	ck_assert_str_eq(n.section, "Firewall \"setup\"");
	ck_assert_str_eq(n.text, "Media over TCP is not supported # not a comment");
	ck_assert_str_eq(n.file, "a.sig");
	ck_assert_uint_eq(n.line, 5); /* the line of the keyword, not of the continuation */
	ck_assert_str_eq(n.doc, "d.txt");
	ck_assert_str_eq(n.doc_title, "Doc");
	/* (app, id) is the key: the same id under two apps is two notes */
	ck_assert_int_eq(sig_note_find(db, "a", "mtu"), 1);
	ck_assert_int_eq(sig_note_find(db, "c", "mtu"), 2);
	ck_assert(sig_note_get(db, 1, &n));
	ck_assert_str_eq(n.section, ""); /* no section=: "" */
	ck_assert_str_eq(n.text, "Keep 1500");
	ck_assert_uint_eq(n.line, 7);
	ck_assert(sig_note_get(db, 3, &n));
	ck_assert_str_eq(n.doc, "e.txt");
	ck_assert_str_eq(n.doc_title, "");
	ck_assert_uint_eq(n.line, 11);
	ck_assert_int_eq(sig_note_find(db, "c", "nope"), -1);
	ck_assert_int_eq(sig_note_find(db, "zz", "mtu"), -1);
	ck_assert_int_eq(sig_note_find(NULL, "c", "mtu"), -1);
	ck_assert(!sig_note_get(db, 4, &n));
	/* the qos view: defaults are "any", strings never NULL */
	ck_assert_uint_eq(sig_qos_count(db), 1);
	struct sig_qos_view q;
	ck_assert(sig_qos_get(db, 0, &q));
	ck_assert_str_eq(q.app, "c");
	ck_assert_str_eq(q.service, "sip");
	ck_assert_str_eq(q.proto, "udp");
	ck_assert_uint_eq(q.dscp, 46);
	ck_assert_str_eq(q.server, "any");
	ck_assert_str_eq(q.server_port, "any");
	ck_assert_str_eq(q.client_port, "8500-8599");
	ck_assert_str_eq(q.label, "audio");
	ck_assert_str_eq(q.file, "a.sig");
	ck_assert_uint_eq(q.line, 9);
	ck_assert_str_eq(q.doc, "d.txt");
	ck_assert_str_eq(q.doc_title, "Doc");
	ck_assert_str_eq(q.table, "Ports");
	ck_assert(!sig_qos_get(db, 1, &q));
	/* --check-signatures counts notes per file */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	sig_db_print_counts(db, fp);
	fclose(fp);
	ck_assert_msg(strstr(buf, "portsets   0  notes   4\n") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "portsets 0  notes 4\n") != NULL, "%s", buf);
	free(buf);
	sig_db_free(db);
}
END_TEST

START_TEST(test_err_note)
{
	put("d/a.sig", HDR "note app=a id=x text=\"one\"\nnote app=a id=x text=\"two\"\n");
	expect_error("a.sig:5:15", "redefinition of note 'x' of app 'a' (first defined at ");
	ck_assert_msg(strstr(err, "/d/a.sig:4:15)") != NULL, "%s", err);
	/* duplicates across files are found too */
	put("d/a.sig", HDR "note app=c id=mtu text=t\n");
	put("d/b.sig", "doc b.txt\n\n  note text=u id=mtu app=c\n");
	expect_error("b.sig:3:18", "redefinition of note 'mtu' of app 'c'");
	{ /* back to one file */
		char b[512];
		snprintf(b, sizeof b, "%s/d/b.sig", tmpdir);
		ck_assert_int_eq(unlink(b), 0);
	}
	put("d/a.sig", HDR "note app=a id=x text=t colour=red\n");
	expect_error("a.sig:4:24", "unknown key 'colour' for 'note'");
	put("d/a.sig", HDR "note app=a id=x table=t text=t\n");
	expect_error("a.sig:4:17", "unknown key 'table' for 'note'");
	put("d/a.sig", HDR "note app=a id=x section=\"S\"\n");
	expect_error("a.sig:4:1", "note: missing required key 'text'");
	put("d/a.sig", HDR "note app=a text=t\n");
	expect_error("a.sig:4:1", "note: missing required key 'id'");
	put("d/a.sig", HDR "note app=a id=x text=\"\"\n");
	expect_error("a.sig:4:22", "empty value for 'text'");
	put("d/a.sig", HDR "note app=zz id=x text=t\n");
	expect_error("a.sig:4:10", "undeclared app 'zz'");
	put("d/a.sig", HDR "note app=a id=x/y text=t\n");
	expect_error("a.sig:4:15", "bad id name 'x/y'");
	put("d/a.sig", HDR "note app=a id=x text=t section=s text=u\n");
	expect_error("a.sig:4:34", "duplicate key 'text'");
	put("d/a.sig", HDR "note app=a id=x text=t stray\n");
	expect_error("a.sig:4:24", "expected key=value, got 'stray'");
	put("d/a.sig", "app a \"A\"\nnote app=a id=x text=t\n");
	expect_error("a.sig:2:1", "'note' before any 'doc' statement");
}
END_TEST

/* payload= and needs=payload: accepted forms, the compiled set in --list-rules, every error with
 * its FILE:LINE:COL. */
START_TEST(test_payload_keys)
{
	put("d/a.sig", HDR
	    "rule app=c service=media category=media proto=udp server=192.0.2.0/24 \\\n"
	    "     server_port=8500-8699 payload=rtp,rtcp,stun,dtls needs=payload\n"
	    "rule app=a service=x category=notification proto=tcp server_port=5222 "
	    "payload=\"xmpp-client\"\n"
	    "rule app=a service=y category=other proto=tcp server_port=7\n"
	    "rule app=a service=z category=other proto=both server_port=9 "
	    "payload=dns,http,xmpp-server,sip,tls\n");
	int rc;
	struct sig_db *db = load(NULL, NULL, &rc);
	ck_assert_msg(rc == UCF_OK, "%s", err);
	ck_assert_uint_eq(sig_rule_count(db), 4);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	sig_db_print_rules(db, fp);
	sig_db_print_counts(db, fp);
	fclose(fp);
	/* listed in the payload stage's order, whatever order the file gave */
	ck_assert_msg(strstr(buf, "\tdscp\tpayload\tneeds\tdoc\t") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "\t-\tdtls,rtp,rtcp,stun\tpayload\td.txt\t") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "\t-\txmpp-client\t-\td.txt\t") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "a.sig:7\ta\ty\tother\ttcp\t@internal\t7\tany\tany\tunknown\t-\t-\t-\t")
		      != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "\t-\ttls,sip,xmpp-server,http,dns\t-\t") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "payload: rules validated by payload (payload=) 3, labelling only "
			      "when confirmed (needs=payload) 1\n") != NULL, "%s", buf);
	free(buf);
	sig_db_free(db);

#define R4 "rule app=a service=x category=other proto=tcp server_port=1 " /* 60 columns */
	put("d/a.sig", HDR R4 "payload=tls,foo\n");
	expect_error("a.sig:4:73", "payload: unknown protocol 'foo' (expected tls, dtls, rtp, rtcp, "
				   "stun, sip, xmpp-client, xmpp-server, http or dns)");
	put("d/a.sig", HDR R4 "payload=unknown\n"); /* a verdict, not a protocol */
	expect_error("a.sig:4:69", "payload: unknown protocol 'unknown'");
	put("d/a.sig", HDR R4 "payload=TLS\n"); /* names are exact */
	expect_error("a.sig:4:69", "payload: unknown protocol 'TLS'");
	put("d/a.sig", HDR R4 "payload=xmpp\n");
	expect_error("a.sig:4:69", "payload: unknown protocol 'xmpp'");
	put("d/a.sig", HDR R4 "payload=tls,,rtp\n");
	expect_error("a.sig:4:73", "empty list item");
	put("d/a.sig", HDR R4 "payload=tls,\n");
	expect_error("a.sig:4:73", "empty list item");
	put("d/a.sig", HDR R4 "payload=rtp,tls,rtp\n");
	expect_error("a.sig:4:77", "payload: 'rtp' listed twice");
	put("d/a.sig", HDR R4 "payload=\"tls,bar\"\n"); /* quoted: columns count the quote */
	expect_error("a.sig:4:74", "payload: unknown protocol 'bar'");
	put("d/a.sig", HDR R4 "payload=\n");
	expect_error("a.sig:4:69", "empty value for 'payload'");
	put("d/a.sig", HDR R4 "payload=tls payload=tls\n");
	expect_error("a.sig:4:73", "duplicate key 'payload'");
	put("d/a.sig", HDR R4 "\\\n  label=\"x\" payload=sip,rtp,nope\n"); /* continuation line */
	expect_error("a.sig:5:29", "payload: unknown protocol 'nope'");
	put("d/a.sig", HDR R4 "payload=tls needs=yes\n");
	expect_error("a.sig:4:79", "needs: expected payload, corroboration or name, got 'yes'");
	put("d/a.sig", HDR R4 "needs=payload\n");
	expect_error("a.sig:4:61", "needs=payload without payload=");
	put("d/a.sig", HDR R4 "label=x needs=payload\n");
	expect_error("a.sig:4:69", "needs=payload without payload=");
	/* qos and domain rows take neither key */
	put("d/a.sig", HDR "qos app=c service=x proto=udp dscp=46 payload=rtp\n");
	expect_error("a.sig:4:39", "unknown key 'payload' for 'qos'");
	put("d/a.sig", HDR "domain app=c service=x pattern=*.example.com needs=payload\n");
	expect_error("a.sig:4:46", "unknown key 'needs' for 'domain'");
#undef R4
}
END_TEST

/* The shipped Webex Calling QoS table (signatures/webex-calling.sig) through sig_qos_get, and the
 * two notes the audit report cites. */
START_TEST(test_shipped_webex_qos)
{
	char dir[4096];
	const char *top = getenv("top_srcdir");
	if (top && *top)
		snprintf(dir, sizeof dir, "%s/signatures", top);
	else
		snprintf(dir, sizeof dir, "%s", UCFLOW_SRC_SIGDIR);
	struct sig_db *db = NULL;
	int rc = sig_db_load(&db, dir, NULL, err, sizeof err);
	ck_assert_msg(rc == UCF_OK, "%s", err);
	static const struct {
		const char *service, *proto, *client_port, *server_port;
		uint8_t dscp;
	} want[] = {
		{ "app-audio", "udp", "8500-8599", "8500-8599,19560-65535", 46 },
		{ "app-video", "udp", "8600-8699", "8600-8699,19560-65535", 34 },
		{ "app-sip-tls", "tcp", "any", "8934", 0 },
		{ "device-media", "udp", "19560-19661", "19560-65535", 46 },
		{ "device-media", "udp", "19560-19661", "19560-65535", 34 },
		{ "device-sip-tls", "tcp", "5060-5080", "8934", 24 },
	};
	size_t k = 0;
	unsigned last = 0;
	struct sig_qos_view q;
	for (size_t i = 0; i < sig_qos_count(db); i++) {
		ck_assert(sig_qos_get(db, i, &q));
		if (strcmp(q.app, "webex-calling") != 0)
			continue;
		ck_assert_uint_lt(k, sizeof want / sizeof want[0]);
		ck_assert_str_eq(q.service, want[k].service);
		ck_assert_str_eq(q.proto, want[k].proto);
		ck_assert_str_eq(q.client_port, want[k].client_port);
		ck_assert_str_eq(q.server_port, want[k].server_port);
		ck_assert_uint_eq(q.dscp, want[k].dscp);
		ck_assert_str_eq(q.server, "@webex_calling_service");
		ck_assert_str_eq(q.file, "webex-calling.sig");
		ck_assert_str_eq(q.doc, "004_657a5ed6fe137e34.txt");
		ck_assert_str_eq(q.doc_title, "Network requirements for Webex Calling");
		ck_assert_str_eq(q.table, "Quality of Service (QoS)");
		ck_assert(*q.label);
		ck_assert_uint_gt(q.line, last);
		last = q.line;
		k++;
	}
	ck_assert_uint_eq(k, 6);
	ck_assert(!sig_qos_get(db, sig_qos_count(db), &q));
	static const char *const notes[] = { "media-transport", "mtu" };
	for (size_t i = 0; i < 2; i++) {
		struct sig_note_view n;
		int idx = sig_note_find(db, "webex-calling", notes[i]);
		ck_assert_msg(idx >= 0, "no note webex-calling/%s", notes[i]);
		ck_assert(sig_note_get(db, (size_t)idx, &n));
		ck_assert_str_eq(n.file, "webex-calling.sig");
		ck_assert_str_eq(n.doc, "004_657a5ed6fe137e34.txt");
		ck_assert(*n.section && *n.text && n.line > last);
	}
	sig_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sig");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ok_basic);
	tcase_add_test(tc, test_ok_include);
	tcase_add_test(tc, test_ok_site);
	tcase_add_test(tc, test_err_lexical);
	tcase_add_test(tc, test_err_values);
	tcase_add_test(tc, test_err_structure);
	tcase_add_test(tc, test_err_include);
	tcase_add_test(tc, test_err_files);
	tcase_add_test(tc, test_ok_note);
	tcase_add_test(tc, test_err_note);
	tcase_add_test(tc, test_shipped_webex_qos);
	tcase_add_test(tc, test_payload_keys);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
