/* check_ipfix.c - the IPFIX encoder byte for byte (RFC 7011 message, template and data sets, one
 * record per direction; RFC 6759 applicationId), and its options records, on a file export
 * with a fixed export time. The expected bytes are written out here from the RFCs' layouts. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "classify.h"
#include "run_suite.h"
#include "classify_helpers.h"

#define T0 0x5f000000u /* the fixed export time */

/* Reads the whole file into buf; returns its length. */
static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	size_t n = fread(buf, 1, cap, fp);
	fclose(fp);
	return n;
}

static struct exporter *open_file(char *path, const struct sig_db *db)
{
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct export_config cfg;
	export_config_defaults(&cfg);
	cfg.fixed_time = T0;
	struct out_names names = { 0 };
	names.db = db;
	char spec[128], err[UCF_ERRBUF_SIZE];
	snprintf(spec, sizeof spec, "file:%s", path);
	struct exporter *x;
	ck_assert_msg(export_open(&x, spec, &cfg, &names, err) == UCF_OK, "%s", err);
	return x;
}

/* 192.0.2.1:40000 -> 198.51.100.7:5061 TCP, 1.5 s, 5 packets / 800 bytes out, 4 / 3000 back */
static void known_flow(struct flow *f)
{
	memset(f, 0, sizeof *f);
	ck_assert(ucf_addr_parse("192.0.2.1", &f->key.a));
	ck_assert(ucf_addr_parse("198.51.100.7", &f->key.b));
	f->key.port_a = 40000;
	f->key.port_b = 5061;
	f->key.proto = 6;
	f->key.vlan = 42;
	f->orig_is_a = 1;
	f->ts_first = 1700000000123456ULL;
	f->ts_last = 1700000001623999ULL;
	f->dir[0] = (struct flow_dir){ .ip_bytes = 800, .pkts = 5, .dscp_first = 46,
				       .tcp_flags = 0x1b };
	f->dir[1] = (struct flow_dir){ .ip_bytes = 3000, .pkts = 4, .dscp_first = 0,
				       .tcp_flags = 0x12 };
	f->label.rule = FLOW_RULE_NONE;
	f->uid = 0x0102030405060708ULL;
}

/* The message header: version 10, length, export time, sequence, observation domain 1. */
#define HDR(len, seq) 0x00, 0x0a, (len) >> 8, (len) & 0xff, 0x5f, 0x00, 0x00, 0x00, \
	0, 0, (seq) >> 8, (seq) & 0xff, 0, 0, 0, 1
#define F(id, len) (id) >> 8, (id) & 0xff, 0, (len)
#define FLOW_FIELDS(s, d, al) F(152, 8), F(153, 8), F(s, al), F(d, al), F(7, 2), F(11, 2), \
	F(4, 1), F(5, 1), F(6, 2), F(58, 2), F(136, 1), F(1, 8), F(2, 8), F(95, 5), F(148, 8)

static const uint8_t want_templates[] = {
	HDR(170, 0),
	0, 2, 0, 132,                         /* template set */
	1, 0, 0, 15, FLOW_FIELDS(8, 12, 4),   /* 256: IPv4 */
	1, 1, 0, 15, FLOW_FIELDS(27, 28, 16), /* 257: IPv6 */
	0, 3, 0, 22,                          /* options template set */
	1, 2, 0, 3, 0, 1,                     /* 258: 3 fields, 1 scope */
	F(95, 5), F(96, 64), F(94, 128),
};

#define TIMES 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b, /* 1700000000123 ms */ \
	0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x6e, 0x57        /* 1700000001623 ms */
static const uint8_t want_data[] = {
	HDR(148, 0),
	1, 0, 0, 132,                                   /* data set of template 256 */
	/* the originator's record */
	TIMES,
	192, 0, 2, 1, 198, 51, 100, 7,
	0x9c, 0x40, 0x13, 0xc5,                         /* 40000, 5061 */
	6, 46 << 2, 0, 0x1b, 0, 42,                     /* proto, TOS, flags, VLAN */
	4,                                              /* forced end (end of input) */
	0, 0, 0, 0, 0, 0, 0x03, 0x20, 0, 0, 0, 0, 0, 0, 0, 5, /* 800 octets, 5 packets */
	0, 0, 0, 0, 0,                                  /* applicationId: no label */
	1, 2, 3, 4, 5, 6, 7, 8,                         /* flowId */
	/* the responder's */
	TIMES,
	198, 51, 100, 7, 192, 0, 2, 1,
	0x13, 0xc5, 0x9c, 0x40,
	6, 0, 0, 0x12, 0, 42,
	4,
	0, 0, 0, 0, 0, 0, 0x0b, 0xb8, 0, 0, 0, 0, 0, 0, 0, 4, /* 3000 octets, 4 packets */
	0, 0, 0, 0, 0,
	1, 2, 3, 4, 5, 6, 7, 8,
};

START_TEST(template_and_data_bytes)
{
	char path[] = "/tmp/ucflow-ipfix-XXXXXX";
	struct exporter *x = open_file(path, NULL);
	struct flow f;
	known_flow(&f);
	ck_assert_int_eq(export_flow(x, &f, FLOW_END_EOF), UCF_OK);
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(export_close(x, err), UCF_OK);
	static uint8_t buf[4096];
	size_t n = slurp(path, buf, sizeof buf);
	unlink(path);
	ck_assert_uint_eq(n, sizeof want_templates + sizeof want_data);
	for (size_t i = 0; i < sizeof want_templates; i++)
		ck_assert_msg(buf[i] == want_templates[i], "template byte %zu: %02x, expected %02x",
			      i, buf[i], want_templates[i]);
	for (size_t i = 0; i < sizeof want_data; i++)
		ck_assert_msg(buf[sizeof want_templates + i] == want_data[i],
			      "data byte %zu: %02x, expected %02x", i,
			      buf[sizeof want_templates + i], want_data[i]);
}
END_TEST

/* Finds "app/service" among the options records of a file (applicationId, then the name as a
 * fixed 64-byte string): its selector, or 0. */
static uint32_t option_selector(const uint8_t *buf, size_t n, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 5; i + 64 <= n; i++)
		if (memcmp(buf + i, name, len) == 0 && buf[i + len] == 0 && buf[i - 5] == 6)
			return (uint32_t)buf[i - 4] << 24 | (uint32_t)buf[i - 3] << 16 |
			       (uint32_t)buf[i - 2] << 8 | buf[i - 1];
	return 0;
}

START_TEST(labelled_flow_and_its_option)
{
	struct sig_db *db = load_shipped(NULL);
	ck_assert_ptr_nonnull(db);
	/* the first rule's app/service is the label */
	struct sig_rule_view v;
	ck_assert(sig_rule_get(db, 0, &v));
	char want_name[160];
	snprintf(want_name, sizeof want_name, "%s/%s", v.app, v.service);
	uint32_t sel = export_app_selector(v.app, v.service);
	ck_assert_uint_ne(sel, 0);
	char path[] = "/tmp/ucflow-ipfix-XXXXXX";
	struct exporter *x = open_file(path, db);
	struct flow f;
	known_flow(&f);
	f.label.rule = 0;
	ck_assert_int_eq(export_flow(x, &f, FLOW_END_IDLE), UCF_OK);
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(export_close(x, err), UCF_OK);
	static uint8_t buf[1 << 20];
	size_t n = slurp(path, buf, sizeof buf);
	unlink(path);
	/* the options record names the selector before the data record uses it */
	ck_assert_uint_eq(option_selector(buf, n, want_name), sel);
	/* two records (originator, responder), each with engine 6 and the selector */
	ck_assert_uint_gt(n, 2 * 64 + 4 + 16);
	const uint8_t appid[5] = { 6, sel >> 24, (sel >> 16) & 0xff, (sel >> 8) & 0xff, sel & 0xff };
	for (int r = 0; r < 2; r++) {
		const uint8_t *rec = buf + n - (size_t)(2 - r) * 64;
		ck_assert_uint_eq(rec[34], 1); /* idle timeout */
		ck_assert_mem_eq(rec + 51, appid, 5);
	}
	/* the sequence number of the data message counts the options records before it */
	const uint8_t *hdr = buf + n - 2 * 64 - 4 - 16;
	ck_assert_uint_eq(hdr[0] << 8 | hdr[1], 10);
	uint32_t seq = (uint32_t)hdr[8] << 24 | (uint32_t)hdr[9] << 16 | hdr[10] << 8 | hdr[11];
	ck_assert_uint_gt(seq, 0);
	sig_db_free(db);
}
END_TEST

/* How many options records name "app/service" in a file. */
static unsigned option_count(const uint8_t *buf, size_t n, const char *name)
{
	size_t len = strlen(name);
	unsigned k = 0;
	for (size_t i = 5; i + 64 <= n; i++)
		if (memcmp(buf + i, name, len) == 0 && buf[i + len] == 0 && buf[i - 5] == 6)
			k++;
	return k;
}

/* A reload (SIGHUP) sends the options again, before the records labelled with the new tables. */
START_TEST(reload_resends_options)
{
	struct sig_db *db = load_shipped(NULL), *db2 = load_shipped(NULL);
	ck_assert_ptr_nonnull(db);
	ck_assert_ptr_nonnull(db2);
	struct sig_rule_view v;
	ck_assert(sig_rule_get(db, 0, &v));
	char want_name[160];
	snprintf(want_name, sizeof want_name, "%s/%s", v.app, v.service);
	char path[] = "/tmp/ucflow-ipfix-XXXXXX";
	struct exporter *x = open_file(path, db);
	struct flow f;
	known_flow(&f);
	f.label.rule = 0;
	ck_assert_int_eq(export_flow(x, &f, FLOW_END_IDLE), UCF_OK);
	export_set_db(x, db2);
	sig_db_free(db); /* nothing in the exporter refers to it any more */
	ck_assert_int_eq(export_flow(x, &f, FLOW_END_IDLE), UCF_OK);
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(export_close(x, err), UCF_OK);
	static uint8_t buf[1 << 20];
	size_t n = slurp(path, buf, sizeof buf);
	unlink(path);
	ck_assert_uint_eq(option_count(buf, n, want_name), 2);
	/* the second data message is the last, after the second options */
	size_t last_opt = 0;
	for (size_t i = 5; i + 64 <= n; i++)
		if (memcmp(buf + i, want_name, strlen(want_name)) == 0 && buf[i - 5] == 6)
			last_opt = i;
	ck_assert_uint_lt(last_opt, n - 2 * 64);
	sig_db_free(db2);
}
END_TEST

/* flowEndReason (RFC 5102) of each way a record is written, in both directions' records. */
START_TEST(end_reasons)
{
	static const struct { enum flow_end why; uint8_t code; } cases[] = {
		{ FLOW_END_IDLE, 1 }, { FLOW_END_ACTIVE, 2 }, { FLOW_END_CLOSED, 3 },
		{ FLOW_END_EOF, 4 }, { FLOW_END_EVICTED, 5 },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		char path[] = "/tmp/ucflow-ipfix-XXXXXX";
		struct exporter *x = open_file(path, NULL);
		struct flow f;
		known_flow(&f);
		ck_assert_int_eq(export_flow(x, &f, cases[c].why), UCF_OK);
		char err[UCF_ERRBUF_SIZE];
		ck_assert_int_eq(export_close(x, err), UCF_OK);
		static uint8_t buf[4096];
		size_t n = slurp(path, buf, sizeof buf);
		unlink(path);
		ck_assert_uint_eq(n, sizeof want_templates + sizeof want_data);
		ck_assert_uint_eq(buf[n - 2 * 64 + 34], cases[c].code);
		ck_assert_uint_eq(buf[n - 64 + 34], cases[c].code);
	}
}
END_TEST

/* An interval in which only the responder sent (an interim record) gives its record alone. */
START_TEST(responder_only_interval)
{
	char path[] = "/tmp/ucflow-ipfix-XXXXXX";
	struct exporter *x = open_file(path, NULL);
	struct flow f;
	known_flow(&f);
	f.dir[0] = (struct flow_dir){ 0 };
	ck_assert_int_eq(export_flow(x, &f, FLOW_END_ACTIVE), UCF_OK);
	struct export_stats st;
	export_get_stats(x, &st);
	ck_assert_uint_eq(st.records, 1);
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(export_close(x, err), UCF_OK);
	static uint8_t buf[4096];
	size_t n = slurp(path, buf, sizeof buf);
	unlink(path);
	ck_assert_uint_eq(n, sizeof want_templates + 16 + 4 + 64);
	const uint8_t *rec = buf + n - 64;
	static const uint8_t resp_src[4] = { 198, 51, 100, 7 };
	ck_assert_mem_eq(rec + 16, resp_src, 4);
	ck_assert_uint_eq(rec[50], 4); /* packets */
}
END_TEST

START_TEST(bad_specs)
{
	struct export_config cfg;
	export_config_defaults(&cfg);
	struct out_names names = { 0 };
	char err[UCF_ERRBUF_SIZE];
	struct exporter *x;
	static const char *const bad[] = { "udp://", "udp://127.0.0.1", "udp://127.0.0.1:0",
					   "tcp://[::1]4739", "http://x:1", "file:", "udp://h:99999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(export_open(&x, bad[i], &cfg, &names, err) == UCF_ERR_CONFIG, "%s",
			      bad[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ipfix");
	TCase *tc = tcase_create("encoder");
	tcase_add_test(tc, template_and_data_bytes);
	tcase_add_test(tc, labelled_flow_and_its_option);
	tcase_add_test(tc, reload_resends_options);
	tcase_add_test(tc, end_reasons);
	tcase_add_test(tc, responder_only_interval);
	tcase_add_test(tc, bad_specs);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
