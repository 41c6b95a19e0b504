/* check_report_json.c - unit tests of the audit report's strict JSON parser and record intake, hostile input included. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"
#include "run_suite.h"

static struct rj_doc doc;
static char err[256];

static void setup(void)
{
	rj_init(&doc);
}

static void teardown(void)
{
	rj_free(&doc);
}

static int parse(const char *s)
{
	err[0] = '\0';
	return rj_parse(&doc, s, strlen(s), err, sizeof err);
}

START_TEST(flat_object_all_types)
{
	ck_assert_int_eq(parse(" {\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"n\":-12.5e+3, \"z\":0,"
			       "\"t\":true,\"f\":false,\"x\":null,\"a\":[\"p\", \"q\"],\"e\":[],"
			       "\"id.orig_h\":\"10.0.0.1\"} \r\n"), 0);
	ck_assert_uint_eq(doc.n, 9);
	const struct rj_value *v = rj_get(&doc, "s");
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->type, RJ_STRING);
	ck_assert_str_eq(v->s, "a\"b\\c/d\b\f\n\r\t");
	ck_assert_uint_eq(v->len, 12);
	v = rj_get(&doc, "n");
	ck_assert_int_eq(v->type, RJ_NUMBER);
	ck_assert_str_eq(v->s, "-12.5e+3");
	ck_assert_int_eq(rj_get(&doc, "t")->type, RJ_TRUE);
	ck_assert_int_eq(rj_get(&doc, "f")->type, RJ_FALSE);
	ck_assert_int_eq(rj_get(&doc, "x")->type, RJ_NULL);
	v = rj_get(&doc, "a");
	ck_assert_int_eq(v->type, RJ_ARRAY);
	ck_assert_uint_eq(v->nitems, 2);
	ck_assert_str_eq(v->items[0], "p");
	ck_assert_str_eq(v->items[1], "q");
	ck_assert_uint_eq(rj_get(&doc, "e")->nitems, 0);
	ck_assert_str_eq(rj_get(&doc, "id.orig_h")->s, "10.0.0.1");
	ck_assert_ptr_null(rj_get(&doc, "missing"));
	ck_assert_int_eq(parse("{}"), 0);
	ck_assert_uint_eq(doc.n, 0);
}
END_TEST

START_TEST(unicode_escapes)
{
	ck_assert_int_eq(parse("{\"k\":\"caf\\u00e9 \\u20AC \\ud83d\\ude00 \xe6\x97\xa5\"}"), 0);
	ck_assert_str_eq(rj_get(&doc, "k")->s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe6\x97\xa5");
	/* escaped keys decode too */
	ck_assert_int_eq(parse("{\"\\u0061pp\":\"x\"}"), 0);
	ck_assert_ptr_nonnull(rj_get(&doc, "app"));
}
END_TEST

/* Every one of these must be rejected with a message, never crash or read out of bounds. */
START_TEST(rejects_hostile_input)
{
	static const char *const bad[] = {
		"", "   ", "[]", "\"s\"", "42", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}",
		"{\"a\":1,}", "{,\"a\":1}", "{\"a\":1 \"b\":2}", "{a:1}", "{'a':1}",
		"{\"a\":{\"b\":1}}",               /* nested object */
		"{\"a\":[[\"x\"]]}",                /* nested array */
		"{\"a\":[1]}", "{\"a\":[true]}",      /* arrays hold strings only */
		"{\"a\":[\"x\",]}", "{\"a\":[\"x\"", "{\"a\":[",
		"{\"a\":1,\"a\":2}",                /* duplicate key */
		"{\"a\":\"unterminated}", "{\"a\":\"x\\\"}",
		"{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}",  /* raw control characters */
		"{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\",
		"{\"a\":\"\\u0000\"}",                /* NUL */
		"{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
		"{\"a\":\"\\ud800x\"}",
		"{\"a\":\"\xc0\x80\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf5\x80\x80\x80\"}",
		"{\"a\":\"\xe6\x97\"}", "{\"a\":\"\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":+1}",
		"{\"a\":--1}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":0x10}",
		"{\"a\":tru}", "{\"a\":nul}", "{\"a\":falsey}", "{\"a\":True}",
		"{} x", "{}{}", "{\"a\":1}\n{\"b\":2}",
		"\xef\xbb\xbf{}",                     /* byte order mark */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse(bad[i]);
		ck_assert_msg(rc == -1, "accepted: %s", bad[i]);
		ck_assert_msg(strncmp(err, "column ", 7) == 0 || strstr(err, "line"),
			      "no position for %s: %s", bad[i], err);
	}
	/* NUL bytes inside the given length */
	ck_assert_int_eq(rj_parse(&doc, "{\"a\":1}\0", 8, err, sizeof err), -1);
	ck_assert_int_eq(rj_parse(&doc, "{\"a\":\"x\0y\"}", 11, err, sizeof err), -1);
}
END_TEST

START_TEST(limits)
{
	/* 128 fields pass, 129 do not */
	char *s = malloc(10000);
	size_t n = 0;
	s[n++] = '{';
	for (int i = 0; i < RJ_MAX_FIELDS + 1; i++)
		n += (size_t)sprintf(s + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	s[n++] = '}';
	s[n] = '\0';
	ck_assert_int_eq(parse(s), -1);
	ck_assert_ptr_nonnull(strstr(err, "too many fields"));
	n = 0;
	s[n++] = '{';
	for (int i = 0; i < RJ_MAX_FIELDS; i++)
		n += (size_t)sprintf(s + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	s[n++] = '}';
	s[n] = '\0';
	ck_assert_int_eq(parse(s), 0);
	/* too many array items */
	n = (size_t)sprintf(s, "{\"a\":[");
	for (int i = 0; i < RJ_MAX_ITEMS + 1; i++)
		n += (size_t)sprintf(s + n, "%s\"%d\"", i ? "," : "", i);
	sprintf(s + n, "]}");
	ck_assert_int_eq(parse(s), -1);
	free(s);
	/* a line longer than the limit is refused before parsing */
	size_t big = RJ_MAX_LINE + 2;
	char *l = malloc(big + 1);
	memset(l, ' ', big);
	l[0] = '{';
	l[big - 1] = '}';
	l[big] = '\0';
	ck_assert_int_eq(rj_parse(&doc, l, big, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer"));
	free(l);
	/* deep nesting is refused at the first level, not by recursion */
	char deep[4096];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	deep[0] = '{';
	ck_assert_int_eq(parse(deep), -1);
}
END_TEST

START_TEST(numbers)
{
	uint64_t v;
	ck_assert_int_eq(parse("{\"a\":18446744073709551615,\"b\":18446744073709551616,\"c\":-1,"
			       "\"d\":1.0,\"e\":1e3,\"f\":65535,\"g\":\"5\"}"), 0);
	ck_assert_int_eq(rj_uint(rj_get(&doc, "a"), UINT64_MAX, &v), 0);
	ck_assert(v == UINT64_MAX);
	ck_assert_int_eq(rj_uint(rj_get(&doc, "b"), UINT64_MAX, &v), -1);
	ck_assert_int_eq(rj_uint(rj_get(&doc, "c"), UINT64_MAX, &v), -1);
	ck_assert_int_eq(rj_uint(rj_get(&doc, "d"), UINT64_MAX, &v), -1);
	ck_assert_int_eq(rj_uint(rj_get(&doc, "e"), UINT64_MAX, &v), -1);
	ck_assert_int_eq(rj_uint(rj_get(&doc, "f"), 65535, &v), 0);
	ck_assert_int_eq(rj_uint(rj_get(&doc, "f"), 65534, &v), -1);
	ck_assert_int_eq(rj_uint(rj_get(&doc, "g"), 65535, &v), -1); /* a string is not a number */
	ck_assert_int_eq(rj_uint(NULL, 1, &v), -1);

	static const struct { const char *num; int rc; uint64_t us; } t[] = {
		{ "1746993600.123456", 0, 1746993600123456ULL },
		{ "1746993600.1234569", 0, 1746993600123456ULL }, /* below a microsecond: cut */
		{ "0.000001", 0, 1 }, { "0.0000009", 0, 0 }, { "0", 0, 0 }, { "0.5", 0, 500000 },
		{ "1.5e3", 0, 1500000000ULL }, { "15E-1", 0, 1500000 }, { "1e-6", 0, 1 },
		{ "0e99999", 0, 0 }, { "1e30", -1, 0 }, { "99999999999999999999999", -1, 0 },
		{ "-1", -1, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char s[128];
		snprintf(s, sizeof s, "{\"ts\":%s}", t[i].num);
		ck_assert_int_eq(parse(s), 0);
		v = 42;
		ck_assert_msg(rj_seconds_us(rj_get(&doc, "ts"), &v) == t[i].rc, "%s", t[i].num);
		if (t[i].rc == 0)
			ck_assert_msg(v == t[i].us, "%s -> %llu", t[i].num, (unsigned long long)v);
	}
}
END_TEST

/* ---- record intake (no signature db: counts only) ---- */

static const char *const good =
	"{\"ts\":1746993600.000000,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":5000,"
	"\"id.resp_h\":\"2001:db8::1\",\"id.resp_p\":443,\"proto\":\"tcp\",\"duration\":2.5,"
	"\"orig_bytes\":100,\"resp_bytes\":200,\"conn_state\":\"SF\",\"history\":\"ShADadFf\","
	"\"orig_pkts\":5,\"orig_ip_bytes\":400,\"resp_pkts\":6,\"resp_ip_bytes\":600,\"vlan\":null,"
	"\"inner_vlan\":null,\"orig_dscp\":46,\"resp_dscp\":null,\"dscp_changed\":false,"
	"\"frag_pkts\":0,\"end\":\"closed\",\"app\":\"\",\"app_service\":\"\",\"app_category\":\"\","
	"\"confidence\":\"none\",\"rule\":\"\",\"candidates\":[],\"encrypted\":null,"
	"\"expected_dscp\":null,\"tunnel\":null,\"sni\":\"x.example.com\"}";

static int add(struct report *r, const char *line)
{
	return report_add_json(r, line, strlen(line), "t.jsonl", 7);
}

/* good with one field's text replaced */
static char *variant(const char *from, const char *to)
{
	static char buf[4096];
	const char *p = strstr(good, from);
	ck_assert_ptr_nonnull(p);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
	return buf;
}

START_TEST(records_counted_and_checked)
{
	char eb[UCF_ERRBUF_SIZE];
	struct report *r = report_create(NULL, eb);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(add(r, good), UCF_OK);
	ck_assert_uint_eq(report_records(r), 1);
	ck_assert_uint_eq(r->flows, 1);
	ck_assert_uint_eq(r->pkts, 11);
	ck_assert_uint_eq(r->ip[0] + r->ip[1], 1000);
	ck_assert_uint_eq(r->ts_max - r->ts_min, 2500000);
	/* an interim record adds packets and bytes, not a flow */
	ck_assert_int_eq(add(r, variant("\"end\":\"closed\"", "\"end\":\"interim\"")), UCF_OK);
	ck_assert_uint_eq(r->flows, 1);
	ck_assert_uint_eq(r->interim, 1);
	ck_assert_uint_eq(r->pkts, 22);
	static const struct { const char *from, *to; } bad[] = {
		{ "\"ts\":1746993600.000000,", "" },                    /* missing required field */
		{ "\"id.orig_h\":\"10.0.0.1\"", "\"id.orig_h\":\"10.0.0.300\"" },
		{ "\"id.resp_p\":443", "\"id.resp_p\":65536" },
		{ "\"id.resp_p\":443", "\"id.resp_p\":\"443\"" },
		{ "\"orig_pkts\":5", "\"orig_pkts\":-5" },
		{ "\"orig_pkts\":5", "\"orig_pkts\":5.5" },
		{ "\"orig_dscp\":46", "\"orig_dscp\":64" },
		{ "\"dscp_changed\":false", "\"dscp_changed\":null" },
		{ "\"encrypted\":null", "\"encrypted\":\"no\"" },
		{ "\"candidates\":[]", "\"candidates\":\"x\"" },
		{ "\"app\":\"\"", "\"app\":\"finesse\"" },             /* app without a service */
		{ "\"proto\":\"tcp\"", "\"proto\":\"\"" },
		{ "\"duration\":2.5", "\"duration\":-2.5" },
		{ "\"app\":\"\"", "\"app\":null" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(add(r, variant(bad[i].from, bad[i].to)) == UCF_ERR_RUNTIME, "accepted %s",
			      bad[i].to);
	ck_assert_int_eq(add(r, "not json"), UCF_ERR_RUNTIME);
	size_t nbad = sizeof bad / sizeof bad[0] + 1;
	ck_assert_uint_eq(report_malformed(r), nbad);
	ck_assert_uint_eq(report_records(r), 2); /* nothing else changed */
	ck_assert_uint_eq(r->pkts, 22);
	ck_assert_ptr_nonnull(strstr(r->malformed_list[0], "t.jsonl:7: missing field \"ts\""));
	ck_assert_ptr_nonnull(strstr(r->malformed_list[nbad - 1], "t.jsonl:7: column 1"));
	/* unknown fields are ignored; optional fields may be missing */
	ck_assert_int_eq(add(r, variant("\"tunnel\":null", "\"future\":[\"a\"]")), UCF_OK);
	ck_assert_int_eq(add(r, variant(",\"orig_dscp\":46,\"resp_dscp\":null", "")), UCF_OK);
	/* the report writes, and the file appears only complete (temp file + rename) */
	char dir[] = "/tmp/ucflow-report-test.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/r.txt", dir);
	ck_assert_int_eq(report_finish(r, path, eb), UCF_ERR_RUNTIME); /* malformed lines */
	ck_assert_ptr_nonnull(strstr(eb, "malformed"));
	FILE *fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	char text[200000];
	size_t n = fread(text, 1, sizeof text - 1, fp);
	text[n] = '\0';
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(text, "Malformed lines:               15"));
	ck_assert_ptr_nonnull(strstr(text, "t.jsonl:7: missing field \"ts\""));
	ck_assert_ptr_nonnull(strstr(text, "Flow records:                  3"));
	snprintf(path, sizeof path, "%s/r.html", dir);
	ck_assert_int_eq(report_write(r, path, eb), UCF_OK);
	snprintf(path, sizeof path, "%s/r.pdf", dir);
	ck_assert_int_eq(report_write(r, path, eb), UCF_ERR_CONFIG);
	snprintf(path, sizeof path, "%s/missing/r.txt", dir);
	ck_assert_int_eq(report_write(r, path, eb), UCF_ERR_RUNTIME);
	snprintf(path, sizeof path, "rm -r %s", dir);
	ck_assert_int_eq(system(path), 0);
	report_free(r);
}
END_TEST

START_TEST(format_from_extension)
{
	ck_assert_int_eq(report_format_for_path("a.html"), REPORT_HTML);
	ck_assert_int_eq(report_format_for_path("dir/a.htm"), REPORT_HTML);
	ck_assert_int_eq(report_format_for_path("a.md"), REPORT_MD);
	ck_assert_int_eq(report_format_for_path("a.txt"), REPORT_TEXT);
	ck_assert_int_eq(report_format_for_path("a.pdf"), -1);
	ck_assert_int_eq(report_format_for_path("a"), -1);
	ck_assert_int_eq(report_format_for_path("dir.html/a"), -1);
	ck_assert_int_eq(report_format_for_path("a.HTML.gz"), -1);
}
END_TEST

/* Mutated and random lines: whatever the bytes, the parser answers and the report stays sane. */
START_TEST(mutations_do_not_crash)
{
	char eb[UCF_ERRBUF_SIZE];
	struct report *r = report_create(NULL, eb);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t glen = strlen(good);
	char *buf = malloc(glen + 64);
	uint64_t accepted = 0;
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, good, glen);
		size_t len = glen;
		int edits = 1 + (int)(x % 4);
		for (int e = 0; e < edits; e++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (!len)
				break;
			size_t pos = (size_t)(x % len);
			switch (x >> 60 & 3) {
			case 0: buf[pos] = (char)(x >> 32); break;         /* flip a byte */
			case 1: len = pos; break;                          /* truncate */
			case 2: memmove(buf + pos, buf + pos + 1, len - pos - 1); len--; break;
			default: buf[pos] = "{}[]\",:\\"[x >> 40 & 7]; break;
			}
		}
		if (report_add_json(r, buf, len, "fuzz", (uint64_t)i) == UCF_OK)
			accepted++;
	}
	ck_assert_uint_eq(report_records(r) + report_malformed(r), 20000);
	ck_assert_uint_eq(report_records(r), accepted);
	free(buf);
	report_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report_json");
	TCase *tc = tcase_create("parser");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, flat_object_all_types);
	tcase_add_test(tc, unicode_escapes);
	tcase_add_test(tc, rejects_hostile_input);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, numbers);
	suite_add_tcase(s, tc);
	TCase *tr = tcase_create("records");
	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, records_counted_and_checked);
	tcase_add_test(tr, format_from_extension);
	tcase_add_test(tr, mutations_do_not_crash);
	suite_add_tcase(s, tr);
	return run_suite(s);
}
