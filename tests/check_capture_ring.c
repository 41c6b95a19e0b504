/* check_capture_ring.c - unit tests of the offline reader thread: packet and input-event order across
 * files, max_packets, truncated and non-pcap files, input rejection, cap_break, packets larger than
 * the ring, filter errors; every case is also run through the synchronous loop and must match it. */
#define _GNU_SOURCE /* sched_setaffinity */
#include <check.h>
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "capture.h"
#include "capture_internal.h"
#include "run_suite.h"

#define MAXEV 20000

struct ev {
	int type; /* 'I' input, 'P' packet */
	char name[128];
	int linktype;
	uint64_t ts_us;
	uint32_t caplen, wirelen;
	uint32_t sum; /* checksum of the bytes */
};

struct log {
	struct ev *ev;
	size_t n;
	/* behaviour knobs */
	int reject_linktype;       /* on_input returns false for this link type (0 = never) */
	size_t break_after;        /* cap_break after this many packets (0 = never) */
	size_t packets;
	bool slow_big;             /* dawdle over large packets before reading them */
	size_t packets_seen;
	int readers_seen;          /* reader threads running at the first packet */
	struct cap_source *src;
};

static uint32_t sum_bytes(const uint8_t *b, uint32_t n)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* Threads of this process named as the offline reader names itself (-1 without /proc). */
static int count_readers(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[300], comm[64] = "";
		snprintf(p, sizeof p, "/proc/self/task/%s/comm", de->d_name);
		FILE *fp = fopen(p, "r");
		if (!fp)
			continue;
		if (fgets(comm, sizeof comm, fp) && strcmp(comm, "ucflow-reader\n") == 0)
			n++;
		fclose(fp);
	}
	closedir(d);
	return n;
}

static bool on_input(void *user, const char *name, int linktype, char *errbuf)
{
	struct log *l = user;
	ck_assert_uint_lt(l->n, MAXEV);
	struct ev *e = &l->ev[l->n++];
	memset(e, 0, sizeof *e);
	e->type = 'I';
	snprintf(e->name, sizeof e->name, "%s", name);
	e->linktype = linktype;
	if (l->reject_linktype && linktype == l->reject_linktype) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: rejected link type %d", name, linktype);
		return false;
	}
	return true;
}

static void on_packet(void *user, const struct cap_pkthdr *h, const uint8_t *bytes)
{
	struct log *l = user;
	ck_assert_uint_lt(l->n, MAXEV);
	/* the bytes of a packet handed over by pointer must stay put until this returns, however
	 * long it takes */
	if (l->slow_big && h->caplen > 1024)
		usleep(2000);
	if (l->packets_seen++ == 0)
		l->readers_seen = count_readers();
	struct ev *e = &l->ev[l->n++];
	memset(e, 0, sizeof *e);
	e->type = 'P';
	e->linktype = h->linktype;
	e->ts_us = h->ts_us;
	e->caplen = h->caplen;
	e->wirelen = h->wirelen;
	e->sum = sum_bytes(bytes, h->caplen);
	if (l->break_after && ++l->packets == l->break_after)
		cap_break(l->src);
}

/* cap_run_batch's callback: each frame logged as on_packet logs it; with break_after set, it calls
 * cap_break at that packet and returns how many it consumed (fewer than n when frames remain). */
static size_t batch_max_seen;
static bool batch_pause_once; /* sleep in the first call: the reader fills the ring meanwhile */

static size_t on_batch(void *user, const struct cap_frame *fr, size_t n)
{
	struct log *l = user;
	ck_assert_uint_gt(n, 0);
	if (n > batch_max_seen)
		batch_max_seen = n;
	if (batch_pause_once) {
		batch_pause_once = false;
		usleep(50000);
	}
	size_t brk = l->break_after;
	l->break_after = 0; /* the batch decides, not cap_break */
	size_t i;
	for (i = 0; i < n; i++) {
		on_packet(user, &fr[i].h, fr[i].bytes);
		if (brk && ++l->packets == brk) {
			/* as the pipeline does on a fatal error: cap_break (the frame may be the
			 * batch's last) and fewer back when frames remain */
			cap_break(l->src);
			i++;
			break;
		}
	}
	l->break_after = brk;
	return i;
}

/* ---- capture files ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_capring.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char p[512];
			snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
}

/* Writes npkts packets of varying sizes (a deterministic function of seed and index); the
 * packet sizes cycle through sizes[] when given. Returns the file's path (static storage per
 * slot). */
static const char *write_pcap(int slot, int linktype, int npkts, unsigned seed,
			      const uint32_t *sizes, size_t nsizes, int snaplen)
{
	static char paths[8][128];
	snprintf(paths[slot], sizeof paths[slot], "%s/f%d.pcap", tmpdir, slot);
	pcap_t *dead = pcap_open_dead(linktype, snaplen);
	ck_assert_ptr_nonnull(dead);
	pcap_dumper_t *d = pcap_dump_open(dead, paths[slot]);
	ck_assert_ptr_nonnull(d);
	static uint8_t buf[1 << 18];
	for (int i = 0; i < npkts; i++) {
		uint32_t len = sizes ? sizes[(size_t)i % nsizes] : 14 + (seed * 7919u + (unsigned)i * 104729u) % 1500u;
		for (uint32_t k = 0; k < len; k++)
			buf[k] = (uint8_t)(seed + (unsigned)i * 31u + k);
		struct pcap_pkthdr h;
		h.ts.tv_sec = 1700000000 + (long)seed * 1000 + i;
		h.ts.tv_usec = (i * 37) % 1000000;
		h.caplen = len;
		h.len = len + (uint32_t)(i % 3);
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return paths[slot];
}

static const char *write_text(int slot, const char *text)
{
	static char paths[8][128];
	snprintf(paths[slot], sizeof paths[slot], "%s/t%d.txt", tmpdir, slot);
	FILE *fp = fopen(paths[slot], "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	return paths[slot];
}

static long file_size(const char *p)
{
	FILE *fp = fopen(p, "rb");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fclose(fp);
	return n;
}

/* ---- running ---- */

struct result {
	int rc;
	char errbuf[UCF_ERRBUF_SIZE];
	struct log log;
	struct cap_offline_diag diag;
	int readers_after; /* reader threads of this process once cap_run returned */
};


static bool slow_big;
static bool use_batch; /* run() through cap_run_batch */

static void run(struct result *r, bool threaded, const char *const *files, size_t nfiles,
		const char *bpf, uint64_t max, int reject_linktype, size_t break_after)
{
	memset(r, 0, sizeof *r);
	r->log.ev = calloc(MAXEV, sizeof *r->log.ev);
	ck_assert_ptr_nonnull(r->log.ev);
	r->log.reject_linktype = reject_linktype;
	r->log.break_after = break_after;
	r->log.slow_big = slow_big;
	/* 1: the thread even where this runs on one CPU */
	setenv("UCFLOW_READER_THREAD", threaded ? "1" : "0", 1);
	struct cap_source *src = NULL;
	ck_assert_int_eq(cap_open_offline(&src, files, nfiles, bpf, r->errbuf), UCF_OK);
	r->log.src = src;
	if (use_batch)
		r->rc = cap_run_batch(src, on_input, on_batch, NULL, &r->log, max, r->errbuf);
	else
		r->rc = cap_run(src, on_input, on_packet, NULL, &r->log, max, r->errbuf);
	/* pthread_join returns once the kernel has cleared the thread's tid, which can be a moment
	 * before its /proc/self/task entry goes: give a joined thread up to 2 s to disappear (a
	 * thread still running would stay) */
	r->readers_after = count_readers();
	for (int i = 0; i < 200 && r->readers_after > 0; i++) {
		usleep(10000);
		r->readers_after = count_readers();
	}
	cap_offline_get_diag(src, &r->diag);
	cap_close(src);
	unsetenv("UCFLOW_READER_THREAD");
	ck_assert(r->diag.threaded == threaded);
	/* the reader (if it was still running at the first packet) is gone now */
	if (r->readers_after >= 0) {
		ck_assert_int_eq(r->readers_after, 0);
		ck_assert_int_le(r->log.readers_seen, threaded ? 1 : 0);
	}
}

static void result_free(struct result *r)
{
	free(r->log.ev);
}

static void assert_same(const struct result *a, const struct result *b)
{
	ck_assert_int_eq(a->rc, b->rc);
	ck_assert_str_eq(a->errbuf, b->errbuf);
	ck_assert_uint_eq(a->log.n, b->log.n);
	for (size_t i = 0; i < a->log.n; i++) {
		const struct ev *x = &a->log.ev[i], *y = &b->log.ev[i];
		ck_assert_msg(x->type == y->type && strcmp(x->name, y->name) == 0 &&
			      x->linktype == y->linktype && x->ts_us == y->ts_us &&
			      x->caplen == y->caplen && x->wirelen == y->wirelen && x->sum == y->sum,
			      "event %zu differs", i);
	}
}

/* Runs threaded (with the given ring size; 0 = default) and synchronously, checks both agree and
 * returns the threaded result in *t (freed by the caller). */
static void run_both(struct result *t, size_t ring, const char *const *files, size_t nfiles,
		     const char *bpf, uint64_t max, int reject, size_t brk)
{
	struct result s;
	cap_offline_set_ring_size(ring);
	run(t, true, files, nfiles, bpf, max, reject, brk);
	cap_offline_set_ring_size(0);
	run(&s, false, files, nfiles, bpf, max, reject, brk);
	assert_same(t, &s);
	result_free(&s);
}

static size_t count_type(const struct result *r, int type)
{
	size_t n = 0;
	for (size_t i = 0; i < r->log.n; i++)
		n += r->log.ev[i].type == type;
	return n;
}

/* ---- tests ---- */

START_TEST(test_order_across_files)
{
	make_tmpdir();
	const char *files[3];
	files[0] = write_pcap(0, DLT_EN10MB, 3000, 1, NULL, 0, 65535);
	files[1] = write_pcap(1, DLT_RAW, 10, 2, NULL, 0, 65535);
	files[2] = write_pcap(2, DLT_EN10MB, 2500, 3, NULL, 0, 65535);
	static const size_t rings[] = { 0, 4096, 16384 };
	for (size_t k = 0; k < sizeof rings / sizeof rings[0]; k++) {
		struct result t;
		run_both(&t, rings[k], files, 3, NULL, 0, 0, 0);
		ck_assert_int_eq(t.rc, UCF_OK);
		ck_assert_uint_eq(t.log.n, 3 + 3000 + 10 + 2500);
		/* the input events sit exactly between the files' packets */
		ck_assert_int_eq(t.log.ev[0].type, 'I');
		ck_assert_str_eq(t.log.ev[0].name, files[0]);
		ck_assert_int_eq(t.log.ev[3001].type, 'I');
		ck_assert_int_eq(t.log.ev[3001].linktype, DLT_RAW);
		ck_assert_int_eq(t.log.ev[3002].linktype, DLT_RAW);
		ck_assert_int_eq(t.log.ev[3012].type, 'I');
		ck_assert_str_eq(t.log.ev[3012].name, files[2]);
		/* packet timestamps increase within each file: nothing reordered or repeated */
		for (size_t i = 1; i < t.log.n; i++)
			if (t.log.ev[i].type == 'P' && t.log.ev[i - 1].type == 'P')
				ck_assert_uint_gt(t.log.ev[i].ts_us, t.log.ev[i - 1].ts_us);
		if (rings[k] == 4096) {
			ck_assert_uint_gt(t.diag.wraps, 100);
			ck_assert_uint_eq(t.diag.ring_size, 4096);
		}
		if (rings[k] == 0) /* 4 MB of input: a full-size ring */
			ck_assert_uint_ge(t.diag.ring_size, 1u << 20);
		result_free(&t);
	}
	rm_tmpdir();
}
END_TEST

START_TEST(test_max_packets)
{
	make_tmpdir();
	const char *files[2];
	files[0] = write_pcap(0, DLT_EN10MB, 50, 1, NULL, 0, 65535);
	files[1] = write_pcap(1, DLT_EN10MB, 50, 2, NULL, 0, 65535);
	struct result t;
	run_both(&t, 4096, files, 2, NULL, 70, 0, 0);
	ck_assert_int_eq(t.rc, UCF_OK);
	ck_assert_uint_eq(count_type(&t, 'P'), 70);
	result_free(&t);
	/* the limit reached with the first file: the next one is never opened (so a missing one is
	 * no error) */
	const char *two[] = { files[0], "/nonexistent/capture.pcap" };
	run_both(&t, 0, two, 2, NULL, 50, 0, 0);
	ck_assert_int_eq(t.rc, UCF_OK);
	ck_assert_uint_eq(count_type(&t, 'P'), 50);
	result_free(&t);
	run_both(&t, 0, two, 2, NULL, 51, 0, 0);
	ck_assert_int_eq(t.rc, UCF_ERR_RUNTIME);
	ck_assert_ptr_nonnull(strstr(t.errbuf, "/nonexistent/capture.pcap: "));
	ck_assert_uint_eq(count_type(&t, 'P'), 50);
	result_free(&t);
	rm_tmpdir();
}
END_TEST

START_TEST(test_truncated)
{
	make_tmpdir();
	uint32_t sz[] = { 100 };
	const char *f = write_pcap(0, DLT_EN10MB, 400, 1, sz, 1, 65535);
	/* 24-byte file header, 116 bytes per record: cut inside record 301's data */
	ck_assert_int_eq(truncate(f, 24 + 116 * 300 + 16 + 40), 0);
	const char *files[] = { write_pcap(1, DLT_EN10MB, 20, 2, NULL, 0, 65535), f,
				write_pcap(2, DLT_EN10MB, 20, 3, NULL, 0, 65535) };
	static const size_t rings[] = { 0, 4096 };
	for (size_t k = 0; k < 2; k++) {
		struct result t;
		run_both(&t, rings[k], files, 3, NULL, 0, 0, 0);
		ck_assert_int_eq(t.rc, UCF_ERR_RUNTIME);
		ck_assert_uint_eq(count_type(&t, 'P'), 20 + 300);
		ck_assert_uint_eq(count_type(&t, 'I'), 2);
		ck_assert_ptr_nonnull(strstr(t.errbuf, "truncated"));
		ck_assert_int_eq(strncmp(t.errbuf, f, strlen(f)), 0);
		result_free(&t);
	}
	rm_tmpdir();
}
END_TEST

START_TEST(test_not_pcap)
{
	make_tmpdir();
	const char *files[] = { write_pcap(0, DLT_EN10MB, 30, 1, NULL, 0, 65535),
				write_text(1, "this is not a capture file at all\n") };
	struct result t;
	run_both(&t, 0, files, 2, NULL, 0, 0, 0);
	ck_assert_int_eq(t.rc, UCF_ERR_RUNTIME);
	ck_assert_uint_eq(count_type(&t, 'P'), 30);
	ck_assert_ptr_nonnull(strstr(t.errbuf, "not a readable pcap or pcapng file"));
	result_free(&t);
	run_both(&t, 0, files + 1, 1, NULL, 0, 0, 0);
	ck_assert_int_eq(t.rc, UCF_ERR_RUNTIME);
	ck_assert_uint_eq(t.log.n, 0);
	result_free(&t);
	rm_tmpdir();
}
END_TEST

START_TEST(test_input_rejected)
{
	make_tmpdir();
	const char *files[] = { write_pcap(0, DLT_EN10MB, 500, 1, NULL, 0, 65535),
				write_pcap(1, DLT_RAW, 500, 2, NULL, 0, 65535),
				write_pcap(2, DLT_EN10MB, 500, 3, NULL, 0, 65535) };
	struct result t;
	run_both(&t, 4096, files, 3, NULL, 0, DLT_RAW, 0);
	ck_assert_int_eq(t.rc, UCF_ERR_RUNTIME);
	ck_assert_uint_eq(count_type(&t, 'P'), 500);
	ck_assert_uint_eq(count_type(&t, 'I'), 2);
	ck_assert_int_eq(t.log.ev[t.log.n - 1].type, 'I');
	ck_assert_ptr_nonnull(strstr(t.errbuf, "rejected link type 12"));
	result_free(&t);
	rm_tmpdir();
}
END_TEST

START_TEST(test_break_from_callback)
{
	make_tmpdir();
	const char *files[] = { write_pcap(0, DLT_EN10MB, 5000, 1, NULL, 0, 65535),
				write_pcap(1, DLT_EN10MB, 5000, 2, NULL, 0, 65535) };
	static const size_t at[] = { 1, 777, 5000, 5001 };
	for (size_t k = 0; k < 4; k++) {
		struct result t;
		run_both(&t, 4096, files, 2, NULL, 0, 0, at[k]);
		ck_assert_int_eq(t.rc, UCF_OK);
		ck_assert_uint_eq(count_type(&t, 'P'), at[k]);
		/* 10000 packets do not fit a 4 KiB ring: the reader was waiting for room when
		 * cap_break came, and was still stopped and joined */
		if (count_readers() >= 0)
			ck_assert_int_eq(t.log.readers_seen, 1);
		result_free(&t);
	}
	rm_tmpdir();
}
END_TEST

START_TEST(test_packet_larger_than_ring)
{
	make_tmpdir();
	/* with a 4 KiB ring, records above 1 KiB are handed over by pointer */
	uint32_t sz[] = { 60, 1000, 1001, 3000, 10000, 200000, 60, 4096, 262144 };
	const char *files[] = { write_pcap(0, DLT_EN10MB, 90, 1, sz, sizeof sz / sizeof sz[0], 262144) };
	struct result t;
	slow_big = true;
	run_both(&t, 4096, files, 1, NULL, 0, 0, 0);
	slow_big = false;
	ck_assert_int_eq(t.rc, UCF_OK);
	ck_assert_uint_eq(count_type(&t, 'P'), 90);
	ck_assert_uint_eq(t.diag.big, 60);
	ck_assert_uint_eq(t.log.ev[5].caplen, 10000);
	ck_assert_uint_eq(t.log.ev[9].caplen, 262144);
	result_free(&t);
	/* ... and stopping at or right after such a packet */
	run_both(&t, 4096, files, 1, NULL, 6, 0, 0);
	ck_assert_uint_eq(count_type(&t, 'P'), 6);
	result_free(&t);
	run_both(&t, 4096, files, 1, NULL, 0, 0, 5);
	ck_assert_uint_eq(count_type(&t, 'P'), 5);
	result_free(&t);
	rm_tmpdir();
}
END_TEST

START_TEST(test_filter)
{
	make_tmpdir();
	const char *files[] = { write_pcap(0, DLT_EN10MB, 100, 1, NULL, 0, 65535),
				write_pcap(1, DLT_EN10MB, 100, 2, NULL, 0, 65535) };
	struct result t;
	/* a filter that does not compile: UCF_ERR_CONFIG, after the first input event */
	run_both(&t, 0, files, 2, "this is ( not bpf", 0, 0, 0);
	ck_assert_int_eq(t.rc, UCF_ERR_CONFIG);
	ck_assert_uint_eq(t.log.n, 1);
	ck_assert_ptr_nonnull(strstr(t.errbuf, "bad filter expression 'this is ( not bpf'"));
	result_free(&t);
	/* a filter on frame length: only matching packets count towards max_packets */
	run_both(&t, 4096, files, 2, "greater 800", 0, 0, 0);
	ck_assert_int_eq(t.rc, UCF_OK);
	size_t all = count_type(&t, 'P');
	ck_assert_uint_gt(all, 10);
	ck_assert_uint_lt(all, 200);
	for (size_t i = 0; i < t.log.n; i++)
		if (t.log.ev[i].type == 'P')
			ck_assert_uint_ge(t.log.ev[i].wirelen, 800);
	result_free(&t);
	run_both(&t, 4096, files, 2, "greater 800", all - 1, 0, 0);
	ck_assert_uint_eq(count_type(&t, 'P'), all - 1);
	result_free(&t);
	rm_tmpdir();
}
END_TEST

START_TEST(test_stdin_regular_file)
{
	make_tmpdir();
	const char *f = write_pcap(0, DLT_EN10MB, 200, 1, NULL, 0, 65535);
	long before = file_size(f);
	ck_assert_int_gt(before, 0);
	/* stdin redirected from a regular file goes through the thread ... */
	ck_assert_ptr_nonnull(freopen(f, "rb", stdin));
	const char *files[] = { "-" };
	struct result t;
	run(&t, true, files, 1, NULL, 0, 0, 0);
	ck_assert_int_eq(t.rc, UCF_OK);
	ck_assert_uint_eq(count_type(&t, 'P'), 200);
	ck_assert_str_eq(t.log.ev[0].name, "-");
	result_free(&t);
	rm_tmpdir();
}
END_TEST

START_TEST(test_pipe_is_synchronous)
{
	make_tmpdir();
	uint32_t sz[] = { 100 };
	const char *f = write_pcap(0, DLT_EN10MB, 200, 1, sz, 1, 65535);
	/* ... a pipe does not: the reader could be stuck in read() when the consumer stops */
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	FILE *in = fopen(f, "rb");
	ck_assert_ptr_nonnull(in);
	static char data[1 << 16];
	size_t n = fread(data, 1, sizeof data, in);
	fclose(in);
	ck_assert_uint_lt(n, sizeof data); /* fits the pipe buffer */
	ck_assert_int_eq(write(fds[1], data, n), (ssize_t)n);
	close(fds[1]);
	ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	clearerr(stdin);
	const char *files[] = { "-" };
	struct result t;
	unsetenv("UCFLOW_READER_THREAD");
	memset(&t, 0, sizeof t);
	t.log.ev = calloc(MAXEV, sizeof *t.log.ev);
	struct cap_source *src = NULL;
	ck_assert_int_eq(cap_open_offline(&src, files, 1, NULL, t.errbuf), UCF_OK);
	t.log.src = src;
	ck_assert_int_eq(cap_run(src, on_input, on_packet, NULL, &t.log, 0, t.errbuf), UCF_OK);
	cap_offline_get_diag(src, &t.diag);
	cap_close(src);
	ck_assert(!t.diag.threaded);
	ck_assert_uint_eq(count_type(&t, 'P'), 200);
	result_free(&t);
	rm_tmpdir();
}
END_TEST

START_TEST(test_one_cpu_is_synchronous)
{
#ifdef __linux__
	cpu_set_t all, one;
	ck_assert_int_eq(sched_getaffinity(0, sizeof all, &all), 0);
	if (CPU_COUNT(&all) < 2)
		return; /* the thread path is tested elsewhere only where it runs at all */
	make_tmpdir();
	const char *files[] = { write_pcap(0, DLT_EN10MB, 100, 1, NULL, 0, 65535) };
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all)) {
			CPU_SET(c, &one);
			break;
		}
	ck_assert_int_eq(sched_setaffinity(0, sizeof one, &one), 0);
	struct result t;
	memset(&t, 0, sizeof t);
	t.log.ev = calloc(MAXEV, sizeof *t.log.ev);
	struct cap_source *src = NULL;
	ck_assert_int_eq(cap_open_offline(&src, files, 1, NULL, t.errbuf), UCF_OK);
	ck_assert_int_eq(cap_run(src, on_input, on_packet, NULL, &t.log, 0, t.errbuf), UCF_OK);
	cap_offline_get_diag(src, &t.diag);
	cap_close(src);
	ck_assert(!t.diag.threaded);
	ck_assert_uint_eq(count_type(&t, 'P'), 100);
	result_free(&t);
	/* ... unless asked for */
	run(&t, true, files, 1, NULL, 0, 0, 0);
	ck_assert_uint_eq(count_type(&t, 'P'), 100);
	result_free(&t);
	ck_assert_int_eq(sched_setaffinity(0, sizeof all, &all), 0);
	rm_tmpdir();
#endif
}
END_TEST

START_TEST(test_close_without_run)
{
	const char *files[] = { "/nonexistent.pcap" };
	char errbuf[UCF_ERRBUF_SIZE] = "";
	struct cap_source *src = NULL;
	ck_assert_int_eq(cap_open_offline(&src, files, 1, NULL, errbuf), UCF_OK);
	cap_close(src);
	cap_close(NULL);
	/* cap_break before cap_run: nothing is read */
	ck_assert_int_eq(cap_open_offline(&src, files, 1, NULL, errbuf), UCF_OK);
	cap_break(src);
	ck_assert_int_eq(cap_run(src, on_input, on_packet, NULL, NULL, 0, errbuf), UCF_OK);
	cap_close(src);
}
END_TEST

START_TEST(test_ring_size_rounding)
{
	make_tmpdir();
	const char *files[] = { write_pcap(0, DLT_EN10MB, 10, 1, NULL, 0, 65535) };
	struct result t;
	cap_offline_set_ring_size(5000);
	run(&t, true, files, 1, NULL, 0, 0, 0);
	ck_assert_uint_eq(t.diag.ring_size, 8192);
	result_free(&t);
	cap_offline_set_ring_size(1);
	run(&t, true, files, 1, NULL, 0, 0, 0);
	ck_assert_uint_eq(t.diag.ring_size, 4096);
	result_free(&t);
	/* by default: twice the input, within [4 KiB, the default size] */
	cap_offline_set_ring_size(0);
	run(&t, true, files, 1, NULL, 0, 0, 0);
	ck_assert_uint_ge(t.diag.ring_size, 2 * (size_t)file_size(files[0]));
	ck_assert_uint_le(t.diag.ring_size, 4 * (size_t)file_size(files[0]));
	result_free(&t);
	rm_tmpdir();
}
END_TEST

/* A ring of 2 MiB or more asks for huge pages. (capture_offline.c once lacked <sys/mman.h>, so the
 * #ifdef around its madvise was false and the ring silently stayed on 4 KiB pages.) Where the
 * kernel has no transparent huge pages the hint is refused, and the check says so and skips. */
START_TEST(test_ring_huge_pages)
{
	const char *thp = "/sys/kernel/mm/transparent_hugepage/enabled";
	FILE *fp = fopen(thp, "r");
	char mode[128] = "";
	if (fp) {
		if (!fgets(mode, sizeof mode, fp))
			mode[0] = '\0';
		fclose(fp);
	}
	if (!strstr(mode, "[always]") && !strstr(mode, "[madvise]")) {
		fprintf(stderr, "test_ring_huge_pages: skipped: no transparent huge pages here (%s: %s)\n",
			thp, fp ? mode : "absent");
		return;
	}
	make_tmpdir();
	const char *files[] = { write_pcap(0, DLT_EN10MB, 10, 1, NULL, 0, 65535) };
	struct result t;
	cap_offline_set_ring_size(4u << 20);
	run(&t, true, files, 1, NULL, 0, 0, 0);
	cap_offline_set_ring_size(0);
	ck_assert_uint_eq(t.diag.ring_size, 4u << 20);
	ck_assert_msg(t.diag.ring_huge_hint, "the 4 MiB ring did not get MADV_HUGEPAGE");
	result_free(&t);
	/* a small ring does not ask */
	cap_offline_set_ring_size(4096);
	run(&t, true, files, 1, NULL, 0, 0, 0);
	cap_offline_set_ring_size(0);
	ck_assert(!t.diag.ring_huge_hint);
	result_free(&t);
	rm_tmpdir();
}
END_TEST

/* cap_run_batch gives exactly what cap_run gives, threaded (where the ring's packets really
 * come several at a time) and synchronous (batches of one): order across files and ring wraps,
 * max_packets, a callback that stops mid-batch, packets handed over by pointer. */
START_TEST(test_batches_match_packets)
{
	make_tmpdir();
	const char *files[2];
	files[0] = write_pcap(0, DLT_EN10MB, 3000, 1, NULL, 0, 65535);
	files[1] = write_pcap(1, DLT_RAW, 700, 2, NULL, 0, 65535);
	static const struct {
		size_t ring;
		uint64_t max;
		size_t brk;
	} cases[] = {
		{ 0, 0, 0 },    { 4096, 0, 0 },  { 0, 1, 0 },     { 0, 33, 0 },    { 16384, 3001, 0 },
		{ 0, 0, 1 },    { 0, 0, 45 },    { 4096, 0, 3100 }, { 0, 100, 50 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		for (int threaded = 0; threaded < 2; threaded++) {
			struct result a, b;
			cap_offline_set_ring_size(cases[k].ring);
			use_batch = false;
			run(&a, threaded, files, 2, NULL, cases[k].max, 0, cases[k].brk);
			use_batch = true;
			batch_max_seen = 0;
			run(&b, threaded, files, 2, NULL, cases[k].max, 0, cases[k].brk);
			use_batch = false;
			cap_offline_set_ring_size(0);
			assert_same(&a, &b);
			if (!threaded)
				ck_assert_uint_eq(batch_max_seen, 1);
			size_t want = cases[k].max ? cases[k].max : 3700;
			if (cases[k].brk && cases[k].brk < want)
				want = cases[k].brk;
			ck_assert_uint_eq(count_type(&b, 'P'), want);
			result_free(&a);
			result_free(&b);
		}
	}
	/* the consumer does hand over several packets at once when the ring holds them */
	struct result t;
	use_batch = true;
	batch_max_seen = 0;
	batch_pause_once = true;
	run(&t, true, files, 2, NULL, 0, 0, 0);
	use_batch = false;
	ck_assert_uint_eq(count_type(&t, 'P'), 3700);
	ck_assert_uint_gt(batch_max_seen, 1);
	result_free(&t);
	rm_tmpdir();
}
END_TEST

START_TEST(test_batches_big_packets)
{
	make_tmpdir();
	const char *files[1];
	files[0] = write_pcap(0, DLT_EN10MB, 40, 1, NULL, 0, 65535);
	struct result a, b;
	cap_offline_set_ring_size(4096); /* most of these frames are handed over by pointer */
	run(&a, true, files, 1, NULL, 0, 0, 0);
	use_batch = true;
	run(&b, true, files, 1, NULL, 0, 0, 0);
	use_batch = false;
	cap_offline_set_ring_size(0);
	assert_same(&a, &b);
	ck_assert_uint_eq(count_type(&b, 'P'), 40);
	result_free(&a);
	result_free(&b);
	rm_tmpdir();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capture_ring");
	TCase *tc = tcase_create("ring");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_order_across_files);
	tcase_add_test(tc, test_max_packets);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_not_pcap);
	tcase_add_test(tc, test_input_rejected);
	tcase_add_test(tc, test_break_from_callback);
	tcase_add_test(tc, test_packet_larger_than_ring);
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_stdin_regular_file);
	tcase_add_test(tc, test_pipe_is_synchronous);
	tcase_add_test(tc, test_one_cpu_is_synchronous);
	tcase_add_test(tc, test_close_without_run);
	tcase_add_test(tc, test_ring_size_rounding);
	tcase_add_test(tc, test_ring_huge_pages);
	tcase_add_test(tc, test_batches_match_packets);
	tcase_add_test(tc, test_batches_big_packets);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
