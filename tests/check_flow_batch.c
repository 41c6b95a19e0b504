/* check_flow_batch.c - pipeline_on_batch gives exactly what pipeline_on_packet gives: records, order, counters. */
/*
 * Every capture in pcaps/ and tests/regress/ is read into memory and run through two pipelines
 * built as ucflow builds them (signatures, payload evidence, tunnels, JSON output): one fed frame
 * by frame, one fed batches of various sizes (1 up to the whole capture, so batches hold several
 * packets of one new flow, flows that end and start again, non-IP and malformed frames). The JSON
 * outputs must be byte-identical, and so must the counters and the flow-table statistics; also with
 * a small --max-flows (evictions) and an active timeout (interim records). A pipeline that fails
 * (output to /dev/full) must stop the batch right after the frame where frame-by-frame delivery
 * failed.
 */
#include <check.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline.h"
#include "classify.h"
#include "evidence.h"
#include "tunnel_intern.h"
#include "run_suite.h"

struct capture {
	struct cap_frame *v;
	size_t n;
	uint8_t *data;
};

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");
	return s && *s ? s : ".";
}

static void load(const char *path, struct capture *c)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
	ck_assert_msg(pc != NULL, "%s: %s", path, err);
	int lt = pcap_datalink(pc);
	size_t cap = 0, used = 0, dcap = 0;
	size_t *off = NULL;
	struct pcap_pkthdr *h;
	const u_char *b;
	memset(c, 0, sizeof *c);
	while (pcap_next_ex(pc, &h, &b) == 1) {
		if (c->n == cap) {
			cap = cap ? 2 * cap : 256;
			c->v = realloc(c->v, cap * sizeof *c->v);
			off = realloc(off, cap * sizeof *off);
			ck_assert(c->v && off);
		}
		if (used + h->caplen > dcap) {
			dcap = 2 * dcap + h->caplen + 65536;
			c->data = realloc(c->data, dcap);
			ck_assert_ptr_nonnull(c->data);
		}
		memcpy(c->data + used, b, h->caplen);
		struct cap_frame *f = &c->v[c->n];
		f->h.ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		f->h.caplen = h->caplen;
		f->h.wirelen = h->len;
		f->h.linktype = lt;
		off[c->n++] = used;
		used += h->caplen;
	}
	pcap_close(pc);
	for (size_t i = 0; i < c->n; i++)
		c->v[i].bytes = c->data + off[i];
	free(off);
}

static const char *tunnel_name(void *user, uint16_t id)
{
	return tunnel_intern_name(user, id);
}

struct result {
	char *out;      /* the JSON output */
	size_t len;
	struct pipeline_counters c;
	struct flow_table_stats st;
	size_t stopped; /* frames delivered before the pipeline asked to stop (n = never) */
};

/* Runs the capture through a fresh pipeline, frame by frame (batch 0) or in batches; outpath NULL
 * = a temporary file read back into r->out. */
static void run(const struct capture *cap, const struct sig_db *db, size_t batch,
		uint32_t max_flows, uint32_t active_s, const char *outpath, struct result *r)
{
	char err[UCF_ERRBUF_SIZE], tmp[] = "/tmp/check_flow_batch.XXXXXX";
	int fd = -1;
	if (!outpath) {
		fd = mkstemp(tmp);
		ck_assert_int_ge(fd, 0);
		outpath = tmp;
	}
	struct tunnel_intern *tun = tunnel_intern_create(err);
	ck_assert_ptr_nonnull(tun);
	struct evidence_ctx *ev = NULL;
	struct evidence_config ecfg;
	evidence_config_defaults(&ecfg);
	ck_assert_int_eq(evidence_create(&ev, &ecfg, err), UCF_OK);
	struct out_names names = { .db = db, .ev = ev, .tunnel_of = tunnel_name, .user = tun };
	struct out_writer *out = NULL;
	ck_assert_int_eq(out_open(&out, out_format_find("json"), outpath, &names, err), UCF_OK);
	struct pipeline_config pc = { { 0 }, db, out, tun, ev, NULL, NULL, NULL, NULL, 0, NULL, 0 };
	flow_table_config_defaults(&pc.flows);
	pc.flows.max_flows = max_flows;
	pc.flows.active_timeout_s = active_s;
	struct pipeline *pl = pipeline_create(&pc, err);
	ck_assert_ptr_nonnull(pl);
	r->stopped = cap->n;
	if (!batch) {
		for (size_t i = 0; i < cap->n; i++) {
			pipeline_on_packet(pl, &cap->v[i].h, cap->v[i].bytes);
			if (pipeline_error(pl, err)) { /* cap_break: delivery stops here */
				r->stopped = i + 1;
				break;
			}
		}
	} else {
		for (size_t i = 0; i < cap->n; i += batch) {
			size_t m = cap->n - i < batch ? cap->n - i : batch;
			size_t done = pipeline_on_batch(pl, cap->v + i, m);
			if (done < m) {
				ck_assert(pipeline_error(pl, err) != 0);
				r->stopped = i + done;
				break;
			}
		}
	}
	pipeline_finish(pl);
	pipeline_get_counters(pl, &r->c);
	pipeline_get_flow_stats(pl, &r->st);
	pipeline_destroy(pl);
	out_close(out, err);
	evidence_destroy(ev);
	tunnel_intern_destroy(tun);
	r->out = NULL;
	r->len = 0;
	if (fd >= 0) {
		FILE *fp = fdopen(fd, "rb");
		ck_assert_ptr_nonnull(fp);
		fseek(fp, 0, SEEK_END);
		long n = ftell(fp);
		ck_assert_int_ge(n, 0);
		rewind(fp);
		r->out = malloc((size_t)n + 1);
		ck_assert_ptr_nonnull(r->out);
		r->len = fread(r->out, 1, (size_t)n, fp);
		ck_assert_uint_eq(r->len, (size_t)n);
		fclose(fp);
		unlink(tmp);
	}
}

static struct sig_db *load_db(void)
{
	char dir[4096], err[UCF_ERRBUF_SIZE];
	snprintf(dir, sizeof dir, "%s/signatures", srcdir());
	struct sig_db *db = NULL;
	ck_assert_msg(sig_db_load(&db, dir, NULL, err, sizeof err) == UCF_OK, "%s", err);
	return db;
}

/* Every capture of a directory, each frame by frame and in batches of several sizes. */
static void compare_dir(const char *sub, uint32_t max_flows, uint32_t active_s)
{
	static const size_t sizes[] = { 1, 2, 3, 7, 16, 17, 64, 256, (size_t)-1 };
	struct sig_db *db = load_db();
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", srcdir(), sub);
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "%s", dir);
	struct dirent *de;
	unsigned files = 0;
	uint64_t records = 0;
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		if (nl < 5 || strcmp(de->d_name + nl - 5, ".pcap") != 0)
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct capture cap;
		load(path, &cap);
		struct result a;
		run(&cap, db, 0, max_flows, active_s, NULL, &a);
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			struct result b;
			size_t bn = sizes[s] == (size_t)-1 ? (cap.n ? cap.n : 1) : sizes[s];
			run(&cap, db, bn, max_flows, active_s, NULL, &b);
			ck_assert_msg(a.len == b.len && memcmp(a.out, b.out, a.len) == 0,
				      "%s: batches of %zu: output differs", path, bn);
			ck_assert_msg(memcmp(&a.c, &b.c, sizeof a.c) == 0,
				      "%s: batches of %zu: counters differ", path, bn);
			ck_assert_msg(memcmp(&a.st, &b.st, sizeof a.st) == 0,
				      "%s: batches of %zu: flow stats differ", path, bn);
			free(b.out);
		}
		records += a.st.emitted + a.st.interim;
		files++;
		free(a.out);
		free(cap.v);
		free(cap.data);
	}
	closedir(d);
	ck_assert_uint_gt(files, 0);
	ck_assert_uint_gt(records, 0);
	sig_db_free(db);
}

START_TEST(batch_matches_per_packet)
{
	static const char *const dirs[] = { "pcaps", "tests/regress" };
	compare_dir(dirs[_i], 0, 0);
}
END_TEST

START_TEST(batch_matches_with_eviction_and_interim)
{
	compare_dir("pcaps", 3, 1);
}
END_TEST

/* Output to /dev/full fails once the writer's buffer is pushed out: the batch stops right after
 * the frame that failed, as frame-by-frame delivery (cap_break) does. */
START_TEST(batch_stops_after_failing_frame)
{
	if (access("/dev/full", W_OK) != 0)
		return; /* nothing to fail on */
	struct sig_db *db = load_db();
	char path[4096];
	snprintf(path, sizeof path, "%s/pcaps/webex-calling.pcap", srcdir());
	struct capture one, cap = { 0 };
	load(path, &one);
	/* the capture many times over, each copy a second later, so enough records are written
	 * (max_flows 1: a record every few frames) to fill the output buffer */
	enum { COPIES = 400 };
	cap.v = malloc(one.n * COPIES * sizeof *cap.v);
	ck_assert_ptr_nonnull(cap.v);
	for (size_t k = 0; k < COPIES; k++)
		for (size_t i = 0; i < one.n; i++) {
			cap.v[cap.n] = one.v[i];
			cap.v[cap.n++].h.ts_us += k * 1000000u;
		}
	struct result a, b;
	run(&cap, db, 0, 1, 0, "/dev/full", &a);
	ck_assert_uint_lt(a.stopped, cap.n);
	run(&cap, db, 16, 1, 0, "/dev/full", &b);
	ck_assert_uint_eq(a.stopped, b.stopped);
	ck_assert_mem_eq(&a.c, &b.c, sizeof a.c);
	free(cap.v);
	free(one.v);
	free(one.data);
	sig_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("flow_batch");
	TCase *tc = tcase_create("pipeline");
	tcase_add_loop_test(tc, batch_matches_per_packet, 0, 2);
	tcase_add_test(tc, batch_matches_with_eviction_and_interim);
	tcase_add_test(tc, batch_stops_after_failing_frame);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
