/* capture_offline.c - offline packet source: pcap and pcapng files (or stdin) read as one stream.
 * pcap files are read by libpcap, pcapng files by capture_pcapng.c (interfaces of several link
 * types, which libpcap refuses); by default a reader thread runs ahead of the pipeline
 * (capture_offline_ring.c). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <sched.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <stdio_ext.h> /* __fsetlocking */
#endif
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_internal.h"

/* Large stdio buffer: one read() per MiB. It is allocated on a page boundary: read() copies
 * whole page-cache pages into it, and when the destination sits a few bytes past a page boundary
 * (where malloc puts a block this large) the copy's loads keep colliding with its own stores to
 * addresses that look the same to the CPU in their low 12 bits: the floor's loop was 15% slower
 * that way. bench/floor allocates its buffer the same way. */
#define OFFLINE_STDIO_BUF (1u << 20)
#define OFFLINE_STDIO_ALIGN 4096u

/* cap_break stores to cap_source.stop from signal handlers: only lock-free atomics may be used there */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "cap_break needs a lock-free atomic_int");

void cap_deliver(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cap_source *s = (struct cap_source *)arg;
	if (s->stop)
		return;
	struct cap_pkthdr ph;
	cap_hdr_of(&ph, h, s->linktype);
	s->on_packet(s->user, &ph, bytes);
	s->delivered++;
	if (s->max_packets && s->delivered >= s->max_packets) {
		s->stop = 1;
		pcap_breakloop(s->pcap);
	}
}

int cap_pcap_set_filter(pcap_t *p, const char *bpf, char *errbuf)
{
	struct bpf_program prog;
	if (!bpf || !*bpf)
		return UCF_OK;
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "bad filter expression '%s': %s", bpf,
			 pcap_geterr(p));
		return UCF_ERR_CONFIG;
	}
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot install filter: %s", pcap_geterr(p));
		return UCF_ERR_RUNTIME;
	}
	return UCF_OK;
}

int cap_set_filter(struct cap_source *s, const char *bpf, char *errbuf)
{
	return cap_pcap_set_filter(s->pcap, bpf, errbuf);
}

void cap_offline_close_file(pcap_t **pp, struct pcapng_file **ngp, FILE **fpp)
{
	if (*ngp) {
		pcapng_close(*ngp);
		*ngp = NULL;
	}
	if (*pp) {
		pcap_close(*pp); /* also closes the FILE */
		*pp = NULL;
	} else if (*fpp && *fpp != stdin) {
		fclose(*fpp);
	}
	*fpp = NULL;
}

/* Opens a file: pcapng (whose block type begins with 0x0a in either byte order, which no pcap
 * magic does: one byte of look-ahead, so stdin works too) with capture_pcapng.c, compiling bpf
 * for its interfaces; anything else with libpcap (the filter is installed later). */
int cap_offline_open_file(const char *name, char *iobuf, const char *bpf, pcap_t **pp,
		     struct pcapng_file **ngp, FILE **fpp, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	FILE *fp;
	if (strcmp(name, "-") == 0) {
		fp = stdin;
	} else {
		fp = fopen(name, "rb");
		if (!fp) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: %s", name, strerror(errno));
			return UCF_ERR_RUNTIME;
		}
	}
	setvbuf(fp, iobuf, _IOFBF, OFFLINE_STDIO_BUF);
#ifdef FSETLOCKING_BYCALLER
	/* One thread reads this stream (the reader thread, or the caller's when there is none):
	 * libpcap's two freads a packet need not take the stream's lock, which glibc takes once
	 * the process has a second thread (4% of the reading on bench's mix). */
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
#endif
	int c = getc(fp);
	if (c == 0x0a) {
		ungetc(c, fp);
		int rc = pcapng_open(ngp, fp, name, bpf, errbuf);
		if (rc != UCF_OK) {
			if (fp != stdin)
				fclose(fp);
			return rc;
		}
		*fpp = fp;
		return UCF_OK;
	}
	if (c != EOF)
		ungetc(c, fp);
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: not a readable pcap or pcapng file: %s",
			 name, perr);
		if (fp != stdin)
			fclose(fp);
		return UCF_ERR_RUNTIME;
	}
	*pp = p;
	*fpp = fp;
	return UCF_OK;
}

/* ---- the synchronous loop (UCFLOW_READER_THREAD=0, and inputs that may block) ---- */

static void offline_close_file(struct cap_offline *o)
{
	cap_offline_close_file(&o->base.pcap, &o->ng, &o->fp);
}

static int offline_open_file(struct cap_offline *o, const char *name, char *errbuf)
{
	int rc = cap_offline_open_file(name, o->iobuf, o->bpf, &o->base.pcap, &o->ng, &o->fp, errbuf);
	if (rc != UCF_OK)
		return rc;
	o->base.name = name;
	o->base.linktype = o->ng ? pcapng_linktype(o->ng) : pcap_datalink(o->base.pcap);
	return UCF_OK;
}

/* The synchronous loop over a pcapng file: cap_deliver's rules (stop flag, max_packets). */
static int sync_pcapng(struct cap_offline *o, char *errbuf)
{
	struct cap_source *s = &o->base;
	struct cap_pkthdr ph;
	const uint8_t *data;
	while (!s->stop) {
		int rc = pcapng_next(o->ng, &ph, &data, errbuf);
		if (rc <= 0)
			return -rc;
		s->on_packet(s->user, &ph, data);
		s->delivered++;
		if (s->max_packets && s->delivered >= s->max_packets)
			s->stop = 1;
	}
	return UCF_OK;
}

static int sync_run(struct cap_offline *o, cap_input_fn on_input, void *user, char *errbuf)
{
	struct cap_source *s = &o->base;
	for (size_t i = 0; i < o->nfiles && !s->stop; i++) {
		int rc = offline_open_file(o, o->files[i], errbuf);
		if (rc == UCF_OK && on_input && !on_input(user, o->files[i], s->linktype, errbuf))
			rc = UCF_ERR_RUNTIME;
		if (rc == UCF_OK && o->ng) {
			rc = sync_pcapng(o, errbuf);
		} else if (rc == UCF_OK) {
			rc = cap_set_filter(s, o->bpf, errbuf);
			if (rc == UCF_OK && pcap_loop(s->pcap, -1, cap_deliver, (u_char *)s) == PCAP_ERROR) {
				snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: %s", o->files[i],
					 pcap_geterr(s->pcap));
				rc = UCF_ERR_RUNTIME;
			}
		}
		offline_close_file(o);
		/* an unreadable input: told, then the next file (unless there is no one to tell);
		 * a filter error is the command line's and stops */
		if (rc == UCF_ERR_RUNTIME && o->on_error) {
			o->on_error(o->error_user, o->files[i], errbuf);
			errbuf[0] = '\0';
		} else if (rc != UCF_OK) {
			return rc;
		}
	}
	return UCF_OK;
}

/* true when every input is something whose read() returns by itself (a regular file, a
 * directory, a name that does not exist): a pipe or terminal could hold the reader in read()
 * after the consumer stopped, and joining it would then wait on the writer. *bytes: the
 * inputs' total size, for sizing the ring. */
static bool inputs_never_block(const struct cap_offline *o, uint64_t *bytes)
{
	*bytes = 0;
	for (size_t i = 0; i < o->nfiles; i++) {
		struct stat st;
		int rc = strcmp(o->files[i], "-") == 0 ? fstat(STDIN_FILENO, &st)
						       : stat(o->files[i], &st);
		if (rc == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode)))
			return false;
		if (rc == 0 && S_ISREG(st.st_mode))
			*bytes += (uint64_t)st.st_size;
	}
	return true;
}

/* More than one CPU to run on (the affinity mask, e.g. taskset, or else the online count)? */
static bool several_cpus(void)
{
#ifdef __linux__
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set) > 1;
#endif
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

static int offline_run(struct cap_source *s, cap_input_fn on_input, cap_packet_fn on_packet,
		       void (*tick)(void *user), void *user, uint64_t max_packets, char *errbuf)
{
	struct cap_offline *o = (struct cap_offline *)s;
	(void)tick;
	s->on_packet = on_packet;
	s->user = user;
	s->max_packets = max_packets;
	memset(&o->diag, 0, sizeof o->diag);
	/* UCFLOW_READER_THREAD: 0 never, 1 even on one CPU, unset (or else) when several */
	const char *env = getenv("UCFLOW_READER_THREAD");
	bool never = env && strcmp(env, "0") == 0, always = env && strcmp(env, "1") == 0;
	uint64_t bytes;
	if (!never && !s->stop && inputs_never_block(o, &bytes) && (always || several_cpus())) {
		int rc = cap_offline_threaded_run(o, on_input, on_packet, user, max_packets, bytes, errbuf);
		if (rc >= 0)
			return rc;
	}
	return sync_run(o, on_input, user, errbuf);
}

void cap_offline_set_error_fn(struct cap_source *s, cap_input_error_fn fn, void *user)
{
	struct cap_offline *o = (struct cap_offline *)s;
	o->on_error = fn;
	o->error_user = user;
}

void cap_offline_get_diag(const struct cap_source *s, struct cap_offline_diag *d)
{
	*d = ((const struct cap_offline *)s)->diag;
}

static void offline_stats(struct cap_source *s, struct cap_stats *st)
{
	(void)s;
	memset(st, 0, sizeof *st);
}

static void offline_close(struct cap_source *s)
{
	struct cap_offline *o = (struct cap_offline *)s;
	offline_close_file(o);
	free(o->iobuf);
	free(o);
}

static const struct cap_ops offline_ops = { offline_run, offline_stats, offline_close };

int cap_open_offline(struct cap_source **out, const char *const *files, size_t nfiles,
		     const char *bpf, char *errbuf)
{
	*out = NULL;
	struct cap_offline *o = calloc(1, sizeof *o);
	char *buf = aligned_alloc(OFFLINE_STDIO_ALIGN, OFFLINE_STDIO_BUF);
	if (!o || !buf) {
		free(o);
		free(buf);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	o->base.ops = &offline_ops;
	atomic_init(&o->base.stop, 0);
	o->files = files;
	o->nfiles = nfiles;
	o->bpf = bpf;
	o->iobuf = buf;
	o->base.name = nfiles ? files[0] : "";
	*out = &o->base;
	return UCF_OK;
}

/* ---- the generic interface ---- */

int cap_run(struct cap_source *s, cap_input_fn on_input, cap_packet_fn on_packet,
	    void (*tick)(void *user), void *user, uint64_t max_packets, char *errbuf)
{
	return s->ops->run(s, on_input, on_packet, tick, user, max_packets, errbuf);
}

/* In the threaded offline path s->pcap stays NULL (the reader's handle is its own), so this only
 * sets the flag, which the consumer checks after every record. */
/* cap_run_batch over a source (or path) that delivers one packet at a time: the callbacks go
 * through these, each packet a batch of one. */
struct batch_adapter {
	struct cap_source *s;
	cap_input_fn on_input;
	cap_batch_fn on_batch;
	void (*tick)(void *user);
	void *user;
};

static bool adapt_input(void *u, const char *name, int linktype, char *errbuf)
{
	const struct batch_adapter *a = u;
	return a->on_input(a->user, name, linktype, errbuf);
}

static void adapt_packet(void *u, const struct cap_pkthdr *h, const uint8_t *bytes)
{
	const struct batch_adapter *a = u;
	struct cap_frame one = { *h, bytes };
	if (a->on_batch(a->user, &one, 1) < 1)
		cap_break(a->s);
}

static void adapt_tick(void *u)
{
	const struct batch_adapter *a = u;
	a->tick(a->user);
}

int cap_run_batch(struct cap_source *s, cap_input_fn on_input, cap_batch_fn on_batch,
		  void (*tick)(void *user), void *user, uint64_t max_packets, char *errbuf)
{
	struct batch_adapter a = { s, on_input, on_batch, tick, user };
	s->on_batch = on_batch;
	s->batch_user = user;
	int rc = s->ops->run(s, on_input ? adapt_input : NULL, adapt_packet, tick ? adapt_tick : NULL,
			     &a, max_packets, errbuf);
	s->on_batch = NULL;
	s->batch_user = NULL;
	return rc;
}

void cap_break(struct cap_source *s)
{
	s->stop = 1;
	if (s->pcap)
		pcap_breakloop(s->pcap);
}

void cap_get_stats(struct cap_source *s, struct cap_stats *st)
{
	s->ops->stats(s, st);
}

const char *cap_current_name(const struct cap_source *s)
{
	return s->name;
}

void cap_close(struct cap_source *s)
{
	if (s)
		s->ops->close(s);
}
