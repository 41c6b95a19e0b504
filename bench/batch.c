/* batch.c - times the pipeline fed one packet at a time against pipeline_on_batch, from memory. */
/*
 * Usage: batch [-m packet|batch|both] [-b N] [-r RUNS] [-o OUT] [-S SIGDIR] [-e KIB] [-t] FILE
 *
 * Reads the whole capture into memory first (so libpcap's reading is not timed), then builds the
 * same pipeline as `ucflow -q -T json -r FILE -o OUT` (signatures, payload evidence, tunnels, JSON
 * output; OUT defaults to /dev/null) and feeds every frame either through pipeline_on_packet or
 * through pipeline_on_batch in slices of N frames (default 256, as a capture ring would hand them
 * over). Each run uses a fresh pipeline; runs alternate between the modes; the best and median CPU
 * times (this thread's, less noisy than wall time on a loaded machine) per mode are printed, and
 * with -o the two modes' outputs can be compared byte for byte (OUT.packet, OUT.batch). -t times
 * decode and the flow table alone (no classification, evidence or output). -e KIB: before each
 * slice, write over KIB KiB of other memory (not timed), as a live capture that sleeps between ring
 * blocks finds its caches taken by others when the next block arrives.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline.h"
#include "classify.h"
#include "evidence.h"
#include "tunnel_intern.h"

struct frames {
	struct cap_frame *v;
	size_t n, cap;
	uint8_t *data;
	size_t used, data_cap;
	int linktype;
};

/* CPU time of this thread: on a busy machine less noisy than wall time. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(const char *path, struct frames *fr)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!pc) {
		fprintf(stderr, "batch: %s: %s\n", path, err);
		return -1;
	}
	fr->linktype = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *b;
	size_t *off = NULL;
	int rc;
	while ((rc = pcap_next_ex(pc, &h, &b)) == 1) {
		if (fr->n == fr->cap) {
			fr->cap = fr->cap ? fr->cap * 2 : 4096;
			fr->v = realloc(fr->v, fr->cap * sizeof *fr->v);
			off = realloc(off, fr->cap * sizeof *off);
			if (!fr->v || !off)
				return -1;
		}
		if (fr->used + h->caplen > fr->data_cap) {
			fr->data_cap = (fr->data_cap ? fr->data_cap * 2 : 1u << 24) + h->caplen;
			if (!(fr->data = realloc(fr->data, fr->data_cap)))
				return -1;
		}
		memcpy(fr->data + fr->used, b, h->caplen);
		struct cap_frame *f = &fr->v[fr->n];
		f->h.ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		f->h.caplen = h->caplen;
		f->h.wirelen = h->len;
		f->h.linktype = fr->linktype;
		off[fr->n++] = fr->used;
		fr->used += h->caplen;
	}
	pcap_close(pc);
	for (size_t i = 0; i < fr->n; i++) /* the data buffer moved while growing: point into it now */
		fr->v[i].bytes = fr->data + off[i];
	free(off);
	return 0;
}

static const char *tunnel_name(void *user, uint16_t id)
{
	return tunnel_intern_name(user, id);
}

static size_t evict_bytes;
static unsigned char *evict_buf;

/* -e: other work between slices; returns the CPU time it took, to leave out. */
static double evict(void)
{
	if (!evict_bytes)
		return 0;
	double t0 = now_s();
	for (size_t i = 0; i < evict_bytes; i += 64)
		evict_buf[i]++;
	return now_s() - t0;
}

/* One run; returns seconds, or -1 on error. */
static double run(const struct frames *fr, const struct sig_db *db, const char *outpath,
		  int batch, size_t bn)
{
	char err[UCF_ERRBUF_SIZE];
	struct tunnel_intern *tun = tunnel_intern_create(err);
	struct evidence_ctx *ev = NULL;
	struct evidence_config ecfg;
	evidence_config_defaults(&ecfg);
	if (!tun || evidence_create(&ev, &ecfg, err) != UCF_OK) {
		fprintf(stderr, "batch: %s\n", err);
		return -1;
	}
	struct out_names names = { .db = db, .ev = ev, .tunnel_of = tunnel_name, .user = tun };
	struct out_writer *out = NULL;
	if (out_open(&out, out_format_find("json"), outpath, &names, err) != UCF_OK) {
		fprintf(stderr, "batch: %s\n", err);
		return -1;
	}
	struct pipeline_config pc = { { 0 }, db, out, tun, ev, NULL, NULL, NULL, NULL, 0, NULL, 0 };
	flow_table_config_defaults(&pc.flows);
	struct pipeline *pl = pipeline_create(&pc, err);
	if (!pl) {
		fprintf(stderr, "batch: %s\n", err);
		return -1;
	}
	double t0 = now_s(), other = 0;
	if (batch) {
		for (size_t i = 0; i < fr->n; i += bn) {
			other += evict();
			pipeline_on_batch(pl, fr->v + i, fr->n - i < bn ? fr->n - i : bn);
		}
	} else {
		for (size_t i = 0; i < fr->n; i++) {
			if (i % bn == 0)
				other += evict();
			pipeline_on_packet(pl, &fr->v[i].h, fr->v[i].bytes);
		}
	}
	pipeline_finish(pl);
	double t = now_s() - t0 - other;
	pipeline_print_summary(pl, stderr);
	pipeline_destroy(pl);
	out_close(out, err);
	evidence_destroy(ev);
	tunnel_intern_destroy(tun);
	return t;
}

static void emit_none(void *user, struct flow *f, enum flow_end why)
{
	(void)f;
	(void)why;
	++*(uint64_t *)user;
}

/* -t: decode and the flow table only (no classification, evidence or output), to see the table's
 * own share; the batched side follows pipeline_on_batch's scheme. */
static double run_table(const struct frames *fr, int batch)
{
	char err[UCF_ERRBUF_SIZE];
	struct flow_table_config c;
	flow_table_config_defaults(&c);
	uint64_t emitted = 0, sum = 0;
	struct flow_table *t = flow_table_create(&c, emit_none, &emitted, err);
	if (!t)
		return -1;
	double t0 = now_s();
	if (!batch) {
		for (size_t i = 0; i < fr->n; i++) {
			struct decoded_pkt d;
			struct flow_update u;
			const struct cap_frame *f = &fr->v[i];
			if (decode_packet(f->h.linktype, f->bytes, f->h.caplen, &d) != DECODE_OK)
				continue;
			flow_table_update(t, &d, f->h.ts_us, &u);
			sum += u.dir;
		}
	} else {
		enum { AHEAD = 16, LAG = 8 }; /* as in pipeline_on_batch */
		struct decoded_pkt d[AHEAD];
		struct flow_lookup lk[AHEAD];
		uint8_t ok[AHEAD];
		for (size_t base = 0; base < fr->n; base += AHEAD) {
			size_t m = fr->n - base < AHEAD ? fr->n - base : AHEAD;
			for (size_t i = 0; i < m; i++) {
				const struct cap_frame *f = &fr->v[base + i];
				ok[i] = decode_packet(f->h.linktype, f->bytes, f->h.caplen, &d[i]) ==
					DECODE_OK;
				if (ok[i])
					flow_table_prepare(t, &d[i], &lk[i]);
				if (i >= LAG && ok[i - LAG])
					flow_table_prefetch(t, &lk[i - LAG]);
			}
			for (size_t i = m > LAG ? m - LAG : 0; i < m; i++)
				if (ok[i])
					flow_table_prefetch(t, &lk[i]);
			for (size_t i = 0; i < m; i++) {
				struct flow_update u;
				if (!ok[i])
					continue;
				flow_table_update_prepared(t, &d[i], &lk[i], fr->v[base + i].h.ts_us, &u);
				sum += u.dir;
			}
		}
	}
	flow_table_flush(t, FLOW_END_EOF);
	double el = now_s() - t0;
	fprintf(stderr, "table: %llu flows, %llu\n", (unsigned long long)emitted,
		(unsigned long long)sum);
	flow_table_destroy(t);
	return el;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *mode = "both", *out = NULL, *sigdir = "signatures";
	size_t bn = 256;
	int runs = 5, i, table = 0;
	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-m"))
			mode = argv[i + 1];
		else if (!strcmp(argv[i], "-b"))
			bn = strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "-r"))
			runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-o"))
			out = argv[i + 1];
		else if (!strcmp(argv[i], "-S"))
			sigdir = argv[i + 1];
		else if (!strcmp(argv[i], "-e"))
			evict_bytes = strtoul(argv[i + 1], NULL, 10) * 1024;
		else
			break;
	}
	if (i < argc && !strcmp(argv[i], "-t")) {
		table = 1;
		i++;
	}
	if (i + 1 != argc || !bn || runs < 1 || runs > 99) {
		fprintf(stderr, "Usage: batch [-m packet|batch|both] [-b N] [-r RUNS] [-o OUT] "
				"[-S SIGDIR] [-e KIB] [-t] FILE\n");
		return 2;
	}
	if (evict_bytes && !(evict_buf = calloc(1, evict_bytes)))
		return 1;
	struct frames fr = { 0 };
	if (load(argv[i], &fr) != 0)
		return 1;
	char err[UCF_ERRBUF_SIZE];
	struct sig_db *db = NULL;
	if (sig_db_load(&db, sigdir, NULL, err, sizeof err) != UCF_OK) {
		fprintf(stderr, "batch: %s\n", err);
		return 2;
	}
	double t[2][99];
	for (int r = 0; r < runs; r++) {
		for (int m = 0; m < 2; m++) {
			if ((m == 0 && !strcmp(mode, "batch")) || (m == 1 && !strcmp(mode, "packet")))
				continue;
			char path[4096];
			snprintf(path, sizeof path, "%s.%s", out ? out : "", m ? "batch" : "packet");
			t[m][r] = table ? run_table(&fr, m) : run(&fr, db, out ? path : "/dev/null", m, bn);
			if (t[m][r] < 0)
				return 1;
		}
	}
	for (int m = 0; m < 2; m++) {
		if ((m == 0 && !strcmp(mode, "batch")) || (m == 1 && !strcmp(mode, "packet")))
			continue;
		qsort(t[m], (size_t)runs, sizeof t[m][0], cmp_d);
		printf("%-6s %zu frames: best %.4f s, median %.4f s (%.1f ns/frame best)\n",
		       m ? "batch" : "packet", fr.n, t[m][0], t[m][runs / 2],
		       t[m][0] / (double)fr.n * 1e9);
	}
	sig_db_free(db);
	free(fr.v);
	free(fr.data);
	return 0;
}
