/* check_output.c - unit tests of the output stage: JSON string escaping, RFC 5952 addresses, and
 * one JSON/CSV record per flow with the documented fields. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "run_suite.h"

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

/* What a writer of the named format writes for sample_flow() (a file of its own, removed). */
static char *write_sample(const char *format)
{
	char path[] = "/tmp/ucflow-out-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	struct out_writer *w;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(out_open(&w, out_format_find(format), path, NULL, err), UCF_OK);
	struct flow f = sample_flow();
	ck_assert_int_eq(out_write_flow(w, &f, FLOW_END_EOF), UCF_OK);
	ck_assert_int_eq(out_close(w, err), UCF_OK);
	FILE *fp = fdopen(fd, "r");
	char *s = read_all(fp);
	fclose(fp);
	unlink(path);
	return s;
}

START_TEST(json_record_fields)
{
	const char *s = write_sample("json");
	ck_assert_ptr_nonnull(strstr(s, "\"ts\":1700000000.123456,"));
	ck_assert_ptr_nonnull(strstr(s, "\"id.orig_h\":\"10.0.0.2\",\"id.orig_p\":40000,"));
	ck_assert_ptr_nonnull(strstr(s, "\"id.resp_h\":\"2001:db8::1\",\"id.resp_p\":5062,"));
	ck_assert_ptr_nonnull(strstr(s, "\"proto\":\"tcp\",\"duration\":1.376544,"));
	ck_assert_ptr_nonnull(strstr(s, "\"orig_pkts\":3,\"orig_ip_bytes\":180,\"resp_pkts\":0"));
	ck_assert_ptr_nonnull(strstr(s, "\"vlan\":7,"));
	/* unset fields are left out, as Zeek does: no inner_vlan, resp_dscp, app, rule ... */
	ck_assert_ptr_nonnull(strstr(s, "\"resp_ip_bytes\":0,\"vlan\":7,\"orig_dscp\":24,\"dscp_changed\""));
	ck_assert_ptr_nonnull(strstr(s, "\"end\":\"eof\",\"confidence\":\"none\",\"community_id\":"));
	static const char *const unset[] = { "inner_vlan", "resp_dscp", "app", "app_service",
		"app_category", "reason", "rule", "candidates", "encrypted", "expected_dscp",
		"payload_proto", "sni", "alpn", "server_names", "dns_name", "host", "stun_software",
		"evidence", "tunnel" };
	for (size_t i = 0; i < sizeof unset / sizeof unset[0]; i++) {
		char key[40];
		snprintf(key, sizeof key, "\"%s\":", unset[i]);
		ck_assert_msg(strstr(s, key) == NULL, "%s is unset but written", unset[i]);
	}
	ck_assert_int_eq(s[strlen(s) - 1], '\n');
	ck_assert_ptr_eq(strchr(s, '\n'), s + strlen(s) - 1); /* exactly one line */
}
END_TEST

/* --json-all-fields: every field, unset ones as null, "" or [] (the form before omission) */
START_TEST(json_all_fields)
{
	struct out_names names = { .json_all_fields = true };
	struct flow f = sample_flow();
	char line[OUT_JSON_MAX];
	ck_assert_uint_lt(out_json_format(&names, &f, FLOW_END_EOF, line, sizeof line), sizeof line);
	ck_assert_ptr_nonnull(strstr(line, "\"vlan\":7,\"inner_vlan\":null,\"orig_dscp\":24,\"resp_dscp\":null"));
	ck_assert_ptr_nonnull(strstr(line, "\"app\":\"\",\"app_service\":\"\",\"app_category\":\"\","
					   "\"app_scope\":\"\",\"confidence\":\"none\",\"reason\":\"\","
					   "\"rule\":\"\",\"rule_basis\":\"\",\"candidates\":[],\"encrypted\":null,\"expected_dscp\":null,"
					   "\"payload_proto\":\"\",\"sni\":\"\",\"alpn\":\"\",\"server_names\":\"\","
					   "\"dns_name\":\"\",\"host\":\"\",\"stun_software\":\"\",\"evidence\":\"\","
					   "\"tunnel\":null,\"community_id\":"));
	/* the default form of the same flow: the same fields but the unset ones, in the same order */
	char compact[OUT_JSON_MAX];
	names.json_all_fields = false;
	ck_assert_uint_lt(out_json_format(&names, &f, FLOW_END_EOF, compact, sizeof compact),
			  strlen(line));
}
END_TEST

/* The uid text as out_format.c first computed it: eleven base-62 digits of the mixed creation
 * number, 64-bit arithmetic throughout (the writer now splits it into 32-bit parts). */
static void reference_uid(uint64_t uid, char out[13])
{
	static const char alpha[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t x = uid * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	out[0] = 'C';
	for (int i = 1; i <= 11; i++) {
		out[i] = alpha[x % 62];
		x /= 62;
	}
	out[12] = '\0';
}

/* Numbers at their widths, timestamps and uids, formatted without printf by the writer: compared
 * with printf and the reference uid. */
START_TEST(json_numbers_and_uid)
{
	static char line[OUT_JSON_MAX];
	const uint64_t vals[] = { 0, 9, 10, 99, 100, 999, 1000, 123456789, 4294967295ULL,
				  9999999999ULL, 10000000000ULL, 12345678901234ULL, UINT64_MAX };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		struct flow f = sample_flow();
		f.dir[0].payload_bytes = vals[i];
		f.dir[1].ip_bytes = vals[i];
		f.ts_first = vals[i] / 3;
		f.ts_last = f.ts_first + vals[i] % 100000000ULL;
		f.uid = vals[i] ^ 0x5555;
		f.key.proto = (uint8_t)(vals[i] % 256);
		ck_assert_uint_lt(out_json_format(NULL, &f, FLOW_END_IDLE, line, sizeof line),
				  sizeof line);
		char want[160], uid[13];
		snprintf(want, sizeof want, "\"orig_bytes\":%llu,", (unsigned long long)vals[i]);
		ck_assert_msg(strstr(line, want), "%s in %s", want, line);
		snprintf(want, sizeof want, "\"resp_ip_bytes\":%llu,", (unsigned long long)vals[i]);
		ck_assert_msg(strstr(line, want), "%s in %s", want, line);
		snprintf(want, sizeof want, "{\"ts\":%llu.%06llu,",
			 (unsigned long long)(f.ts_first / 1000000),
			 (unsigned long long)(f.ts_first % 1000000));
		ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "%s in %s", want, line);
		uint64_t d = f.ts_last - f.ts_first;
		snprintf(want, sizeof want, "\"duration\":%llu.%06llu,",
			 (unsigned long long)(d / 1000000), (unsigned long long)(d % 1000000));
		ck_assert_msg(strstr(line, want), "%s in %s", want, line);
		reference_uid(f.uid, uid);
		snprintf(want, sizeof want, "\"uid\":\"%s\",", uid);
		ck_assert_msg(strstr(line, want), "%s in %s", want, line);
		uint8_t pr = f.key.proto;
		if (pr == 6 || pr == 17 || pr == 1 || pr == 58)
			snprintf(want, sizeof want, "\"proto\":\"%s\",",
				 pr == 6 ? "tcp" : pr == 17 ? "udp" : "icmp");
		else
			snprintf(want, sizeof want, "\"proto\":\"%u\",", pr);
		ck_assert_msg(strstr(line, want), "%s in %s", want, line);
	}
	/* addresses: every octet width, and IPv6 through the general formatter */
	struct flow f = sample_flow();
	ck_assert(ucf_addr_parse("0.9.10.255", &f.key.a));
	ck_assert(ucf_addr_parse("2001:db8::a:0:1", &f.key.b));
	out_json_format(NULL, &f, FLOW_END_IDLE, line, sizeof line);
	ck_assert_msg(strstr(line, "\"id.orig_h\":\"0.9.10.255\","), "%s", line);
	ck_assert_msg(strstr(line, "\"id.resp_h\":\"2001:db8::a:0:1\","), "%s", line);
}
END_TEST

/* The tunnel description is a free string: long and escaped values, on both sides of the size
 * where the writer leaves its single-check form for the bounded line helpers. */
static const char *tunnel_text;
static const char *tunnel_of(void *user, uint16_t id)
{
	(void)user;
	(void)id;
	return tunnel_text;
}

START_TEST(json_long_escaped_values)
{
	static char line[OUT_JSON_MAX], text[6000], want[13000];
	struct out_names names = { .tunnel_of = tunnel_of };
	struct flow f = sample_flow();
	f.tunnel = 1;
	/* the record ends with the tunnel, then the community_id */
	char cid[OUT_COMMUNITY_ID_LEN], tail[64];
	out_flow_community_id(&f, 0, cid);
	snprintf(tail, sizeof tail, "\",\"community_id\":\"%s\"}", cid);
	/* 900 and 1100 quotes: each 2 bytes escaped; the second cannot be bounded in one check
	 * (6 bytes per input byte) but fits: the same text either way */
	const size_t counts[] = { 900, 1100 };
	for (size_t c = 0; c < 2; c++) {
		memset(text, '"', counts[c]);
		text[counts[c]] = '\0';
		text[0] = '\x01'; /* and a control character */
		tunnel_text = text;
		size_t n = out_json_format(&names, &f, FLOW_END_EOF, line, sizeof line);
		ck_assert_uint_lt(n, sizeof line);
		size_t k = (size_t)snprintf(want, sizeof want, ",\"tunnel\":\"\\u0001");
		for (size_t i = 1; i < counts[c]; i++) {
			want[k++] = '\\';
			want[k++] = '"';
		}
		memcpy(want + k, tail, strlen(tail) + 1);
		ck_assert_msg(n > strlen(want) && strcmp(line + n - strlen(want), want) == 0,
			      "%zu quotes: %.80s...", counts[c], line + n - strlen(want));
	}
	/* too long for the line once escaped: the value is dropped, the record stays valid */
	memset(text, '"', 5000);
	text[5000] = '\0';
	size_t n = out_json_format(&names, &f, FLOW_END_EOF, line, sizeof line);
	ck_assert_uint_lt(n, sizeof line);
	snprintf(want, sizeof want, ",\"tunnel\":\"%s", tail);
	ck_assert_str_eq(line + n - strlen(want), want);
	ck_assert_ptr_null(strstr(line, "\"candidates\"")); /* none: left out */
}
END_TEST

START_TEST(csv_header_and_row)
{
	const char *s = write_sample("csv");
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

/* Checks that the file at path holds exactly the records numbered from..to-1 (orig_pkts = number),
 * one whole line each, in order. */
static void expect_records(const char *path, unsigned from, unsigned to)
{
	FILE *fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	static char line[8192];
	unsigned want = from;
	while (fgets(line, sizeof line, fp)) {
		ck_assert_uint_lt(want, to);
		size_t n = strlen(line);
		ck_assert_msg(n > 2 && line[n - 2] == '}' && line[n - 1] == '\n', "cut line %u", want);
		char key[48];
		snprintf(key, sizeof key, "\"orig_pkts\":%u,", want);
		ck_assert_msg(strstr(line, key) != NULL, "record %u out of place", want);
		want++;
	}
	ck_assert_uint_eq(want, to);
	fclose(fp);
}

/* Records go out in large writes (a buffer far bigger than one record): a rotation (rename, then
 * out_reopen) must still leave every record, whole and in order, in the old file or the new. */
START_TEST(reopen_keeps_every_record)
{
	char path[] = "/tmp/ucflow-rot-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	char rotated[sizeof path + 4];
	snprintf(rotated, sizeof rotated, "%s.1", path);
	struct out_writer *w;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(out_open(&w, out_format_find("json"), path, NULL, err), UCF_OK);
	struct flow f = sample_flow();
	const unsigned n = 3000; /* about 2 MB of JSON: several buffers' worth each side */
	for (unsigned i = 0; i < 2 * n; i++) {
		if (i == n) {
			ck_assert_int_eq(rename(path, rotated), 0);
			ck_assert_int_eq(out_reopen(w, err), UCF_OK);
		}
		f.dir[0].pkts = i;
		f.uid = i + 1;
		ck_assert_int_eq(out_write_flow(w, &f, FLOW_END_EOF), UCF_OK);
	}
	ck_assert_int_eq(out_close(w, err), UCF_OK);
	expect_records(rotated, 0, n);
	expect_records(path, n, 2 * n);
	unlink(rotated);
	unlink(path);
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
	tcase_add_test(tc, json_all_fields);
	tcase_add_test(tc, json_numbers_and_uid);
	tcase_add_test(tc, json_long_escaped_values);
	tcase_add_test(tc, csv_header_and_row);
	tcase_add_test(tc, write_error_is_reported);
	tcase_add_test(tc, reopen_keeps_every_record);
	tcase_add_test(tc, unknown_format);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
