/* capture_internal.h - the capture stage's source vtable, shared by its offline and live backends. */
#ifndef CAPTURE_INTERNAL_H
#define CAPTURE_INTERNAL_H

#include <signal.h>
#include <stdatomic.h>
#include <pcap/pcap.h>

#include "capture.h"

struct cap_ops {
	int (*run)(struct cap_source *s, cap_input_fn on_input, cap_packet_fn on_packet,
		   void (*tick)(void *user), void *user, uint64_t max_packets, char *errbuf);
	void (*stats)(struct cap_source *s, struct cap_stats *st);
	void (*close)(struct cap_source *s);
};

struct cap_source {
	const struct cap_ops *ops;
	pcap_t *pcap;              /* the handle being read, NULL between files */
	/* Set by cap_break, possibly from a signal handler: a lock-free atomic (async-signal-safe in
	 * C11) rather than volatile sig_atomic_t, because the offline consumer and reader threads
	 * both look at it. */
	atomic_int stop;
	const char *name;
	/* delivery state shared with the pcap callback */
	cap_packet_fn on_packet;
	void *user;
	/* cap_run_batch: the batch callback and its user (the offline reader thread's consumer
	 * hands the ring's packets to it directly; NULL under plain cap_run) */
	cap_batch_fn on_batch;
	void *batch_user;
	uint64_t delivered, max_packets;
	int linktype;
};

/* A libpcap header's time in microseconds since the epoch. pcap files store the seconds unsigned
 * (good to 2106), but libpcap hands them over through a signed 32-bit field on the way: a negative
 * value there is a time from 2038 on, never one before 1970. */
static inline uint64_t cap_ts_us(const struct pcap_pkthdr *h)
{
	uint64_t sec = h->ts.tv_sec < 0 ? (uint64_t)(uint32_t)h->ts.tv_sec : (uint64_t)h->ts.tv_sec;
	return sec * 1000000ULL + (uint64_t)(uint32_t)h->ts.tv_usec;
}

/* A libpcap header as the pipeline takes it (cap_deliver, and the live batch collector). */
static inline void cap_hdr_of(struct cap_pkthdr *ph, const struct pcap_pkthdr *h, int linktype)
{
	ph->ts_us = cap_ts_us(h);
	ph->caplen = h->caplen;
	ph->wirelen = h->len;
	ph->linktype = linktype;
}

/* The pcap_handler that converts headers and forwards to on_packet; honours max_packets/stop. */
void cap_deliver(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes);

/* Compiles and installs a BPF filter on s->pcap; UCF_ERR_CONFIG with errbuf on failure. */
int cap_set_filter(struct cap_source *s, const char *bpf, char *errbuf);

/* ---- the pcapng reader (capture_pcapng.c) ---- */
struct pcapng_file;
/* Reads a pcapng file from fp, positioned at its start: the section header and the interfaces
 * declared before the first packet. bpf (may be NULL) is compiled for each interface's link
 * type (an interface it cannot apply to passes no packet); a filter that compiles for none of
 * those interfaces gives UCF_ERR_CONFIG. fp stays the caller's. */
int pcapng_open(struct pcapng_file **out, FILE *fp, const char *name, const char *bpf,
		char *errbuf);
/* The link type all interfaces declared so far share, or CAP_LINKTYPE_PER_PACKET. */
int pcapng_linktype(const struct pcapng_file *f);
/* The next packet that passes the filter: 1 with *h and *data set (valid until the next call),
 * 0 at the end of the file, -UCF_ERR_RUNTIME with errbuf set. */
int pcapng_next(struct pcapng_file *f, struct cap_pkthdr *h, const uint8_t **data, char *errbuf);
void pcapng_close(struct pcapng_file *f);

/* Test hooks of the offline reader thread (capture_offline_ring.c). The ring size applies to later
 * cap_run calls: 0 restores the default, other values are rounded up to a power of two of at
 * least 4 KiB. Records larger than a quarter of the ring are handed over by pointer instead. */
void cap_offline_set_ring_size(size_t bytes);

struct cap_offline_diag {
	bool threaded;  /* the last cap_run used the reader thread */
	size_t ring_size;
	bool ring_huge_hint; /* the kernel took the ring's huge-page hint (MADV_HUGEPAGE) */
	uint64_t wraps; /* times the reader wrapped around the ring */
	uint64_t big;   /* packets handed over by pointer (too large for the ring) */
	uint64_t producer_waits, consumer_waits; /* times either side went to sleep */
};
/* What the last cap_run on offline source s did (zeroes if it was never run). */
void cap_offline_get_diag(const struct cap_source *s, struct cap_offline_diag *d);

/* ---- the offline source, shared by capture_offline.c (files, the synchronous loop, the
 * generic interface) and capture_offline_ring.c (the reader thread and its ring) ---- */
struct cap_offline {
	struct cap_source base; /* first: the generic handle */
	const char *const *files;
	size_t nfiles;
	const char *bpf;
	FILE *fp;
	struct pcapng_file *ng;         /* the file being read, when pcapng */
	char *iobuf;
	struct cap_offline_diag diag;
	cap_input_error_fn on_error; /* NULL: the first unreadable input stops the source */
	void *error_user;
};

/* Opens one input (pcapng by capture_pcapng.c, anything else by libpcap), reading through iobuf
 * (OFFLINE_STDIO_BUF bytes); closes what cap_offline_open_file opened. */
int cap_offline_open_file(const char *name, char *iobuf, const char *bpf, pcap_t **pp,
			  struct pcapng_file **ngp, FILE **fpp, char *errbuf);
void cap_offline_close_file(pcap_t **pp, struct pcapng_file **ngp, FILE **fpp);
/* Compiles and installs bpf (NULL or "" installs nothing) on a libpcap handle. */
int cap_pcap_set_filter(pcap_t *p, const char *bpf, char *errbuf);
/* cap_run over o's files with the reader thread; -1 if the thread could not be started (the
 * caller then runs the synchronous loop). input_bytes sizes the ring. */
int cap_offline_threaded_run(struct cap_offline *o, cap_input_fn on_input,
			     cap_packet_fn on_packet, void *user, uint64_t max_packets,
			     uint64_t input_bytes, char *errbuf);

#endif
