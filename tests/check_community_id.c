/* check_community_id.c - Community ID v1 against the community-id-spec's baseline vectors
 * (baseline/baseline_deflt.json, seed 0, and baseline_seed1.json, seed 1), then per flow: both
 * orientations of a flow give the spec's ID, and the JSON and CSV records carry it. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "run_suite.h"

/* seed, proto, saddr, daddr, sport, dport (ICMP: type and counterpart or code; 0 where the
 * baseline has none), the expected ID */
static const struct cid_vector {
	uint16_t seed;
	uint8_t proto;
	const char *saddr, *daddr;
	uint16_t sport, dport;
	const char *id;
} vectors[] = {
	{ 0,  58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0,  58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0,  58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0,  58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0,  58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
	{ 0,  58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
	{ 0,  58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0,  58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0,  58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=" },
	{ 0,  58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00=" },
	{ 0,   1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0,   1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0,   1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
	{ 0,   6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0,   6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0,   6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0,   6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0,  17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0,  17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0,  46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 0,  46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 1,  58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 1,  58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 1,  58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 1,  58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 1,  58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
	{ 1,  58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
	{ 1,  58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 1,  58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 1,  58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
	{ 1,  58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
	{ 1,   1, "192.168.0.89", "192.168.0.1", 8, 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1,   1, "192.168.0.1", "192.168.0.89", 0, 8, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1,   1, "10.0.0.1", "10.0.0.2", 11, 0, "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
	{ 1,   6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 1,   6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 1, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 1, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 1,   6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 1,   6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 1,  17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 1,  17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 1,  46, "10.1.12.1", "10.1.12.2", 0, 0, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	{ 1,  46, "10.1.12.2", "10.1.12.1", 0, 0, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

START_TEST(baseline_vectors)
{
	const struct cid_vector *v = &vectors[_i];
	struct ucf_addr s, d;
	char id[OUT_COMMUNITY_ID_LEN];
	ck_assert(ucf_addr_parse(v->saddr, &s));
	ck_assert(ucf_addr_parse(v->daddr, &d));
	out_community_id(v->seed, &s, &d, v->proto, v->sport, v->dport, id);
	ck_assert_msg(strcmp(id, v->id) == 0, "vector %d (seed %u, %u %s %s %u %u): %s, expected %s",
		      _i, v->seed, v->proto, v->saddr, v->daddr, v->sport, v->dport, id, v->id);
}
END_TEST

/* A flow with the spec's TCP vector as originator and responder, either way round. */
static void mkflow(struct flow *f, bool orig_is_a)
{
	memset(f, 0, sizeof *f);
	ck_assert(ucf_addr_parse("66.35.250.204", &f->key.a));
	ck_assert(ucf_addr_parse("128.232.110.120", &f->key.b));
	f->key.port_a = 80;
	f->key.port_b = 34855;
	f->key.proto = 6;
	f->orig_is_a = orig_is_a;
	f->label.rule = FLOW_RULE_NONE;
	f->label.expected_dscp = 0xff;
	f->ts_first = f->ts_last = 1000000;
	f->dir[0].pkts = 1;
}

START_TEST(flow_either_orientation)
{
	struct flow f;
	char id[OUT_COMMUNITY_ID_LEN];
	for (int o = 0; o < 2; o++) {
		mkflow(&f, o);
		out_flow_community_id(&f, 0, id);
		ck_assert_str_eq(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
		out_flow_community_id(&f, 1, id);
		ck_assert_str_eq(id, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=");
	}
}
END_TEST

START_TEST(records_carry_it)
{
	struct flow f;
	mkflow(&f, false);
	static char buf[OUT_JSON_MAX];
	struct out_names names = { 0 };
	names.community_id_seed = 1;
	size_t n = out_json_format(&names, &f, FLOW_END_EOF, buf, sizeof buf);
	ck_assert_uint_lt(n, sizeof buf);
	ck_assert_msg(strstr(buf, ",\"community_id\":\"1:3V71V58M3Ksw/yuFALMcW0LAHvc=\"}") != NULL,
		      "%s", buf);
	/* CSV: the last column */
	char path[] = "/tmp/ucflow-cid-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct out_writer *w;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(out_open(&w, out_format_find("csv"), path, &names, err), UCF_OK);
	ck_assert_int_eq(out_write_flow(w, &f, FLOW_END_EOF), UCF_OK);
	ck_assert_int_eq(out_close(w, err), UCF_OK);
	FILE *fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	char line[4096];
	ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
	ck_assert_msg(strstr(line, ",community_id\n") != NULL, "%s", line);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
	ck_assert_msg(strstr(line, ",1:3V71V58M3Ksw/yuFALMcW0LAHvc=\n") != NULL, "%s", line);
	fclose(fp);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("community_id");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, baseline_vectors, 0, (int)(sizeof vectors / sizeof vectors[0]));
	tcase_add_test(tc, flow_either_orientation);
	tcase_add_test(tc, records_carry_it);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
