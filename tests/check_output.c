/* check_output.c - unit tests of the output stage: JSON string escaping, RFC 5952 addresses, and
 * one JSON/CSV record per flow with the documented fields. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

START_TEST(json_escape_cases)
{
	char buf[128];
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" },
		{ "a\"b", "a\\\"b" },
		{ "back\\slash", "back\\\\slash" },
		{ "nl\ncr\rtab\t", "nl\\ncr\\rtab\\t" },
		{ "\x01\x1f\x7f", "\\u0001\\u001f\\u007f" },
		{ "\b\f", "\\b\\f" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" }, /* UTF-8 passes through */
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = out_json_escape(buf, sizeof buf, cases[i].in);
		ck_assert_str_eq(buf, cases[i].out);
		ck_assert_uint_eq(n, strlen(cases[i].out));
	}
	/* too small: reports the size needed and leaves no partial escape */
	char small[4];
	ck_assert_uint_eq(out_json_escape(small, sizeof small, "\"\"\""), 6);
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(rfc5952_addresses)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" }, /* a single 0 group stays */
		{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },          /* the longest run wins */
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },    /* first of equal runs */
		{ "2001:DB8::AAAA", "2001:db8::aaaa" },              /* lower case */
		{ "::1", "::1" },
		{ "::", "::" },
		{ "fe80::", "fe80::" },
		{ "192.0.2.33", "192.0.2.33" },
		{ "0.0.0.0", "0.0.0.0" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ucf_addr a;
		char buf[UCF_ADDR_STRLEN];
		ck_assert(ucf_addr_parse(cases[i].in, &a));
		ck_assert_str_eq(ucf_addr_format(&a, buf, sizeof buf), cases[i].out);
	}
	struct ucf_addr a;
	ck_assert(!ucf_addr_parse("300.1.1.1", &a));
	ck_assert(!ucf_addr_parse("1::2::3", &a));
}
END_TEST

static struct flow sample_flow(void)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	ck_assert(ucf_addr_parse("10.0.0.2", &f.key.a));
	ck_assert(ucf_addr_parse("2001:db8::1", &f.key.b));
	f.key.port_a = 40000;
	f.key.port_b = 5062;
	f.key.proto = 6;
	f.key.vlan = 7;
	f.orig_is_a = 1;
	f.uid = 1;
	f.ts_first = 1700000000123456ULL;
	f.ts_last = 1700000001500000ULL;
	f.dir[0].pkts = 3;
	f.dir[0].ip_bytes = 180;
	f.dir[0].payload_bytes = 60;
	f.dir[0].dscp_first = 24;
	f.label.rule = FLOW_RULE_NONE;
	f.label.expected_dscp = 0xff;
	return f;
}

static char *read_all(FILE *fp)
{
	static char buf[8192];
	rewind(fp);
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	return buf;
}

START_TEST(json_record_fields)
{
	char path[] = "/tmp/ucflow-out-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	struct out_writer *w;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(out_open(&w, out_format_find("json"), path, NULL, err), UCF_OK);
	struct flow f = sample_flow();
	ck_assert_int_eq(out_write_flow(w, &f, FLOW_END_EOF), UCF_OK);
	ck_assert_int_eq(out_close(w, err), UCF_OK);
	FILE *fp = fdopen(fd, "r");
	char *s = read_all(fp);
	fclose(fp);
	unlink(path);
	ck_assert_ptr_nonnull(strstr(s, "\"ts\":1700000000.123456,"));
	ck_assert_ptr_nonnull(strstr(s, "\"id.orig_h\":\"10.0.0.2\",\"id.orig_p\":40000,"));
	ck_assert_ptr_nonnull(strstr(s, "\"id.resp_h\":\"2001:db8::1\",\"id.resp_p\":5062,"));
	ck_assert_ptr_nonnull(strstr(s, "\"proto\":\"tcp\",\"duration\":1.376544,"));
	ck_assert_ptr_nonnull(strstr(s, "\"orig_pkts\":3,\"orig_ip_bytes\":180,\"resp_pkts\":0"));
	ck_assert_ptr_nonnull(strstr(s, "\"vlan\":7,"));
	ck_assert_ptr_nonnull(strstr(s, "\"orig_dscp\":24,\"resp_dscp\":null"));
	ck_assert_ptr_nonnull(strstr(s, "\"confidence\":\"none\",\"reason\":\"\",\"rule\":\"\",\"candidates\":[]"));
	ck_assert_ptr_nonnull(strstr(s, "\"app\":\"\""));
	ck_assert_int_eq(s[strlen(s) - 1], '\n');
	ck_assert_ptr_eq(strchr(s, '\n'), s + strlen(s) - 1); /* exactly one line */
}
END_TEST

START_TEST(csv_header_and_row)
{
	char path[] = "/tmp/ucflow-csv-XXXXXX";
	int fd = mkstemp(path);
	struct out_writer *w;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(out_open(&w, out_format_find("csv"), path, NULL, err), UCF_OK);
	struct flow f = sample_flow();
	ck_assert_int_eq(out_write_flow(w, &f, FLOW_END_EOF), UCF_OK);
	ck_assert_int_eq(out_close(w, err), UCF_OK);
	FILE *fp = fdopen(fd, "r");
	char *s = read_all(fp);
	fclose(fp);
	unlink(path);
	ck_assert_ptr_eq(strstr(s, "ts,uid,id.orig_h,id.orig_p,"), s);
	ck_assert_ptr_nonnull(strstr(s, "\n1700000000.123456,"));
	ck_assert_ptr_nonnull(strstr(s, ",10.0.0.2,40000,2001:db8::1,5062,tcp,"));
}
END_TEST

START_TEST(write_error_is_reported)
{
	struct out_writer *w;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(out_open(&w, out_format_find("json"), "/dev/full", NULL, err), UCF_OK);
	struct flow f = sample_flow();
	for (int i = 0; i < 100; i++)
		out_write_flow(w, &f, FLOW_END_EOF);
	ck_assert_int_eq(out_close(w, err), UCF_ERR_RUNTIME);
	ck_assert_ptr_nonnull(strstr(err, "/dev/full"));
}
END_TEST

START_TEST(unknown_format)
{
	ck_assert_ptr_null(out_format_find("xml"));
	ck_assert_ptr_nonnull(out_format_find("text"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("output");
	tcase_add_test(tc, json_escape_cases);
	tcase_add_test(tc, rfc5952_addresses);
	tcase_add_test(tc, json_record_fields);
	tcase_add_test(tc, csv_header_and_row);
	tcase_add_test(tc, write_error_is_reported);
	tcase_add_test(tc, unknown_format);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
