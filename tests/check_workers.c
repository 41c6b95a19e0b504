/* check_workers.c - the pure parts of live capture on several workers: the shared output (records
 * formatted by each thread's sink writer arrive whole, once each, never interleaved; a CSV header
 * once), the counters summed over workers (every counter), and flow uids that stay unique across
 * the workers' tables (uid_first/uid_step). The threads, fanout and signals are tested end to end
 * by tests/live_workers.sh. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live_merge.h"
#include "live_dns.h"
#include "flow_helpers.h"
#include "run_suite.h"

#define THREADS 4
#define RECS 3000

struct thr {
	struct live_output *out;
	const char *fmt;
	unsigned id;
	int rc;
};

/* Writes RECS flows through a sink writer of its own: originator port = thread, responder port =
 * sequence number, and a long server_names-like value through the JSON path's buffer sizes. */
static void *writer_thread(void *arg)
{
	struct thr *t = arg;
	char err[UCF_ERRBUF_SIZE];
	struct out_writer *w = NULL;
	t->rc = out_open_sink(&w, out_format_find(t->fmt), NULL, live_output_sink, t->out, "test",
			      err);
	if (t->rc != UCF_OK)
		return NULL;
	for (unsigned i = 0; i < RECS && t->rc == UCF_OK; i++) {
		struct flow f;
		memset(&f, 0, sizeof f);
		ucf_addr_parse("192.0.2.1", &f.key.a);
		ucf_addr_parse("198.51.100.2", &f.key.b);
		f.key.port_a = (uint16_t)(t->id + 1);
		f.key.port_b = (uint16_t)(i + 1);
		f.key.proto = 17;
		f.orig_is_a = 1;
		f.uid = (uint64_t)t->id * RECS + i + 1;
		f.ts_first = 1700000000000000ULL + i;
		f.ts_last = f.ts_first + 1000;
		f.dir[0].pkts = i;
		f.dir[1].pkts = t->id;
		f.label.rule = FLOW_RULE_NONE;
		t->rc = out_write_flow(w, &f, FLOW_END_EOF);
	}
	char eb[UCF_ERRBUF_SIZE];
	if (out_close(w, eb) != UCF_OK && t->rc == UCF_OK)
		t->rc = UCF_ERR_RUNTIME;
	return NULL;
}

/* THREADS threads into one output of format fmt; returns the file's contents (malloc'd). */
static char *write_concurrently(const char *fmt, uint64_t *records)
{
	char path[] = "/tmp/check_workers.XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	close(fd);
	char err[UCF_ERRBUF_SIZE];
	struct out_writer *real = NULL;
	ck_assert_int_eq(out_open(&real, out_format_find(fmt), path, NULL, err), UCF_OK);
	struct live_output lo;
	ck_assert_int_eq(live_output_init(&lo, real, err), UCF_OK);
	pthread_t th[THREADS];
	struct thr t[THREADS];
	for (unsigned i = 0; i < THREADS; i++) {
		t[i] = (struct thr){ &lo, fmt, i, UCF_OK };
		ck_assert_int_eq(pthread_create(&th[i], NULL, writer_thread, &t[i]), 0);
	}
	for (unsigned i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(t[i].rc, UCF_OK);
	}
	*records = out_records_written(real);
	ck_assert_int_eq(live_output_flush(&lo, err), UCF_OK);
	ck_assert_int_eq(out_close(real, err), UCF_OK);
	live_output_destroy(&lo);
	FILE *fp = fopen(path, "r");
	ck_assert(fp != NULL);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	rewind(fp);
	char *buf = malloc((size_t)n + 1);
	ck_assert(buf && fread(buf, 1, (size_t)n, fp) == (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	unlink(path);
	return buf;
}

START_TEST(test_output_whole_records)
{
	uint64_t records;
	char *buf = write_concurrently("json", &records);
	ck_assert_uint_eq(records, THREADS * RECS);
	static unsigned char seen[THREADS][RECS];
	memset(seen, 0, sizeof seen);
	unsigned lines = 0;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lines++;
		/* a whole record: one object, the fields in order, nothing of another record inside */
		ck_assert_msg(strncmp(l, "{\"ts\":", 6) == 0 && l[strlen(l) - 1] == '}', "cut: %s", l);
		ck_assert_msg(strstr(l + 1, "{\"ts\":") == NULL, "interleaved: %s", l);
		unsigned op, rp;
		const char *o = strstr(l, "\"id.orig_p\":"), *r = strstr(l, "\"id.resp_p\":");
		ck_assert(o && r && sscanf(o, "\"id.orig_p\":%u", &op) == 1 &&
			  sscanf(r, "\"id.resp_p\":%u", &rp) == 1);
		ck_assert(op >= 1 && op <= THREADS && rp >= 1 && rp <= RECS);
		ck_assert_msg(!seen[op - 1][rp - 1]++, "record %u/%u twice", op, rp);
	}
	ck_assert_uint_eq(lines, THREADS * RECS);
	free(buf);
}
END_TEST

START_TEST(test_output_csv_header_once)
{
	uint64_t records;
	char *buf = write_concurrently("csv", &records);
	ck_assert_uint_eq(records, THREADS * RECS);
	unsigned lines = 0, headers = 0;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lines++;
		headers += strncmp(l, "ts,", 3) == 0;
	}
	ck_assert_uint_eq(headers, 1);
	ck_assert_uint_eq(lines, THREADS * RECS + 1);
	free(buf);
}
END_TEST

START_TEST(test_sink_error_is_sticky)
{
	/* a full disk behind the shared output: every worker's writer reports it */
	char err[UCF_ERRBUF_SIZE];
	struct out_writer *real = NULL, *w = NULL;
	ck_assert_int_eq(out_open(&real, out_format_find("json"), "/dev/full", NULL, err), UCF_OK);
	struct live_output lo;
	ck_assert_int_eq(live_output_init(&lo, real, err), UCF_OK);
	ck_assert_int_eq(out_open_sink(&w, out_format_find("json"), NULL, live_output_sink, &lo,
				       "/dev/full", err), UCF_OK);
	struct flow f;
	memset(&f, 0, sizeof f);
	f.key.proto = 17;
	f.label.rule = FLOW_RULE_NONE;
	int rc = UCF_OK;
	/* the stream's buffer takes the first records; the error shows once it is written */
	for (unsigned i = 0; i < 100000 && rc == UCF_OK; i++)
		rc = out_write_flow(w, &f, FLOW_END_EOF);
	ck_assert_int_eq(rc, UCF_ERR_RUNTIME);
	ck_assert_int_ne(out_close(w, err), UCF_OK);
	ck_assert_msg(strstr(err, "/dev/full") != NULL, "%s", err);
	ck_assert_int_ne(out_close(real, err), UCF_OK);
	live_output_destroy(&lo);
}
END_TEST

START_TEST(test_snapshot_sum_every_counter)
{
	struct live_snapshot a, b, sum;
	memset(&sum, 0, sizeof sum);
	uint64_t wa[sizeof a.pc / 8 + sizeof a.fs / 8], wb[sizeof wa / 8];
	for (size_t i = 0; i < sizeof wa / 8; i++) {
		wa[i] = 1000 + i;
		wb[i] = 1u << (i % 20);
	}
	memcpy(&a.pc, wa, sizeof a.pc);
	memcpy(&a.fs, wa + sizeof a.pc / 8, sizeof a.fs);
	memcpy(&b.pc, wb, sizeof b.pc);
	memcpy(&b.fs, wb + sizeof b.pc / 8, sizeof b.fs);
	a.cs = (struct cap_stats){ 10, 2, 1, true };
	b.cs = (struct cap_stats){ 20, 3, 0, true };
	a.mono_us = 5;
	b.mono_us = 7;
	live_snapshot_add(&sum, &a, true);
	live_snapshot_add(&sum, &b, false);
	uint64_t ws[sizeof wa / 8];
	memcpy(ws, &sum.pc, sizeof sum.pc);
	memcpy(ws + sizeof sum.pc / 8, &sum.fs, sizeof sum.fs);
	for (size_t i = 0; i < sizeof wa / 8; i++)
		ck_assert_msg(ws[i] == wa[i] + wb[i], "counter %zu: %llu", i, (unsigned long long)ws[i]);
	ck_assert_uint_eq(sum.pc.packets, a.pc.packets + b.pc.packets);
	ck_assert_uint_eq(sum.fs.emitted, a.fs.emitted + b.fs.emitted);
	ck_assert_uint_eq(sum.cs.recv, 30);
	ck_assert_uint_eq(sum.cs.drop, 5);
	ck_assert_uint_eq(sum.cs.ifdrop, 1);
	ck_assert(sum.cs.valid);
	ck_assert_uint_eq(sum.mono_us, 7);
	/* one worker without libpcap statistics: the sum has none */
	b.cs.valid = false;
	live_snapshot_add(&sum, &b, false);
	ck_assert(!sum.cs.valid);
	live_snapshot_add(&sum, &a, false);
	ck_assert(!sum.cs.valid);
}
END_TEST

static uint64_t emitted_uids[16];
static unsigned n_emitted;
static void keep_uid(void *user, struct flow *f, enum flow_end why)
{
	(void)user;
	(void)why;
	if (n_emitted < 16)
		emitted_uids[n_emitted++] = f->uid;
}

START_TEST(test_uid_stride)
{
	/* worker 2 of 3: uids 2, 5, 8 ...; worker 1's and 3's never meet them */
	struct flow_table_config c;
	char err[UCF_ERRBUF_SIZE];
	flow_table_config_defaults(&c);
	c.uid_first = 2;
	c.uid_step = 3;
	struct flow_table *t = flow_table_create(&c, keep_uid, NULL, err);
	ck_assert(t != NULL);
	n_emitted = 0;
	for (unsigned i = 0; i < 4; i++) {
		struct decoded_pkt p = mk("10.0.0.1", 1000 + i, "10.0.0.2", 53, 17, 0, 10);
		struct flow_update u;
		ck_assert_int_eq(flow_table_update(t, &p, SEC + i, &u), UCF_OK);
		ck_assert(u.is_new);
	}
	flow_table_flush(t, FLOW_END_EOF);
	flow_table_destroy(t);
	ck_assert_uint_eq(n_emitted, 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(emitted_uids[i], 2 + 3 * i);
	/* the defaults (zeros) keep 1, 2, 3 ... */
	memset(&c, 0, sizeof c);
	flow_table_config_defaults(&c);
	t = flow_table_create(&c, keep_uid, NULL, err);
	n_emitted = 0;
	for (unsigned i = 0; i < 2; i++) {
		struct decoded_pkt p = mk("10.0.0.1", 1000 + i, "10.0.0.2", 53, 17, 0, 10);
		struct flow_update u;
		ck_assert_int_eq(flow_table_update(t, &p, SEC + i, &u), UCF_OK);
	}
	flow_table_flush(t, FLOW_END_EOF);
	flow_table_destroy(t);
	ck_assert_uint_eq(emitted_uids[0], 1);
	ck_assert_uint_eq(emitted_uids[1], 2);
}
END_TEST

/* ---- the DNS names workers share (live_dns.c) ---- */

static struct ucf_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct ucf_addr x = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d } };
	return x;
}

static const char *share_get(const struct evidence_dns_share *sh, struct ucf_addr a, uint64_t at)
{
	static char buf[EV_NAME_MAX + 1];
	size_t n = sh->get(sh->user, &a, at, buf, EV_NAME_MAX);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_dns_share_times)
{
	struct live_dns *d = live_dns_create(64);
	ck_assert_ptr_nonnull(d);
	struct evidence_dns_share sh;
	live_dns_share(d, &sh);
	struct ucf_addr a = v4(198, 51, 100, 7);
	sh.put(sh.user, &a, "a.webex.com", 11, 1000, 5000);
	ck_assert_str_eq(share_get(&sh, a, 1000), "a.webex.com");
	ck_assert_str_eq(share_get(&sh, a, 4999), "a.webex.com");
	ck_assert_str_eq(share_get(&sh, a, 999), "");  /* answered after the flow started */
	ck_assert_str_eq(share_get(&sh, a, 5000), ""); /* expired */
	ck_assert_str_eq(share_get(&sh, v4(198, 51, 100, 8), 2000), "");
	/* a later answer replaces; an earlier one reported late (another worker) does not */
	sh.put(sh.user, &a, "b.webex.com", 11, 2000, 9000);
	sh.put(sh.user, &a, "c.webex.com", 11, 1500, 9000);
	ck_assert_str_eq(share_get(&sh, a, 3000), "b.webex.com");
	live_dns_destroy(d);
}
END_TEST

START_TEST(test_dns_share_many_neighbours)
{
	/* 200 addresses of one /24 in a table of 256: every one findable (the hash spreads the last
	 * byte), the oldest-expiring evicted only when a window is full */
	struct live_dns *d = live_dns_create(256);
	struct evidence_dns_share sh;
	live_dns_share(d, &sh);
	char name[32];
	for (int i = 0; i < 200; i++) {
		struct ucf_addr a = v4(198, 51, 100, (uint8_t)i);
		int n = snprintf(name, sizeof name, "n%d.webex.com", i);
		sh.put(sh.user, &a, name, (size_t)n, 100, 1000000);
	}
	int found = 0;
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "n%d.webex.com", i);
		found += strcmp(share_get(&sh, v4(198, 51, 100, (uint8_t)i), 200), name) == 0;
	}
	ck_assert_int_ge(found, 190);
	live_dns_destroy(d);
}
END_TEST

/* Two threads putting and getting at once (run under the sanitizers / helgrind in CI). */
static void *dns_hammer(void *arg)
{
	struct evidence_dns_share *sh = arg;
	char buf[EV_NAME_MAX];
	for (int i = 0; i < 20000; i++) {
		struct ucf_addr a = v4(10, 0, (uint8_t)(i >> 8), (uint8_t)i);
		sh->put(sh->user, &a, "x.webex.com", 11, (uint64_t)i, (uint64_t)i + 100);
		(void)sh->get(sh->user, &a, (uint64_t)i, buf, sizeof buf);
	}
	return NULL;
}

START_TEST(test_dns_share_threads)
{
	struct live_dns *d = live_dns_create(1024);
	struct evidence_dns_share sh;
	live_dns_share(d, &sh);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, dns_hammer, &sh), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_str_eq(share_get(&sh, v4(10, 0, 78, 31), 19999), "x.webex.com");
	live_dns_destroy(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workers");
	TCase *tc = tcase_create("merge");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_output_whole_records);
	tcase_add_test(tc, test_output_csv_header_once);
	tcase_add_test(tc, test_sink_error_is_sticky);
	tcase_add_test(tc, test_snapshot_sum_every_counter);
	tcase_add_test(tc, test_uid_stride);
	tcase_add_test(tc, test_dns_share_times);
	tcase_add_test(tc, test_dns_share_many_neighbours);
	tcase_add_test(tc, test_dns_share_threads);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
