/* capture_offline_ring.c - the offline source's reader thread: libpcap (or the pcapng reader)
 * runs ahead of the pipeline and hands packets over through a single-producer/single-consumer
 * byte ring. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h> /* madvise */
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "capture_internal.h"

/*
 * Reading a file costs libpcap's parsing plus read() system calls, about 40% of the time the
 * pipeline spends on the packets. By default a reader thread therefore runs libpcap ahead of the
 * pipeline: it copies every packet into a single-producer/single-consumer byte ring, and the thread
 * that called cap_run pops the packets and calls on_packet exactly as the synchronous loop does.
 * Input starts, errors and the end of the stream travel through the same ring, so the order of
 * everything the caller sees is unchanged. UCFLOW_READER_THREAD=0 selects the synchronous loop
 * (for comparisons), =1 the thread even on one CPU (for tests); inputs that may block indefinitely (pipes, terminals, sockets) use it too, so
 * that stopping never waits on a read() that only a writer can end, and so does a process allowed
 * on one CPU only, where the thread could only add the copy and the hand-over.
 */
/* Packets per cap_run_batch call from the ring, when the reader is that far ahead: the batch's
 * record headers are read and the second lines of its frames prefetched before the first frame
 * is processed, so a larger batch gives those lines more time to arrive. 128 (54 KB of frames on
 * bench's mix, a fortieth of the ring) took 5-8% less wall time than 32 in alternating series on
 * the mix; 256 no less than 128. */
#define CONS_BATCH 128

#ifndef RING_DEFAULT
/* One huge page, ~5k average packets. On bench's mix (alternating runs) 2 MiB beat 4 MiB by 4-15%
 * and 1 MiB: less fresh memory to fault in (in a VM the host backs it on first touch too) and
 * lines that are still in the shared cache when the other thread comes to them. */
#define RING_DEFAULT (2u << 20)
#endif
#define RING_MIN 4096u
#define RING_HUGE (2u << 20)    /* a huge page, where the kernel has them */
#define LOOK_AHEAD (32u << 10)  /* bytes of records whose headers the consumer prefetches ahead */
/* Polls before a waiting side sleeps on the condition variable: about 0.5 ms here (a pause is
 * ~28 ns on this AMD EPYC; ~40 ns on recent Intel cores). Sleeping costs a futex wait, and the
 * wake-up an IPI and, in a VM, an exit of the idle virtual CPU: 10-100 us each. With 256 polls
 * (7 us) the threads slept 30-240 times a run on bench's mix; with 16384 a few times, and the
 * run took 3-9% less wall time (alternating series of 41 runs). */
#define SPIN_ITERS 16384
#define PUB_PKTS 32             /* the reader publishes after this many packets or ... */
#define PUB_BYTES (64u << 10)   /* ... this many bytes (or the ring size / 8 if smaller) */

/* REC_LINK: the packets after it are of another link type (a pcapng file's interfaces). */
/* REC_FAIL: an input could not be read (wholly); the message follows. */
enum rec_kind { REC_PAD = 1, REC_PKT, REC_BIG, REC_INPUT, REC_END, REC_LINK, REC_FAIL };

/* One ring record; whole records are multiples of 8 bytes, so the header is always aligned. A PAD
 * record (the unused tail of the ring before a wrap) may be just the 8 bytes of kind and len. */
struct rec {
	uint32_t kind;
	uint32_t len;   /* the whole record, header included */
	uint32_t a, b;  /* PKT/BIG: caplen, wirelen; INPUT: file index, link type; END: status;
			 * LINK: link type; FAIL: file index */
	uint64_t ts_us; /* PKT/BIG */
	/* PKT: caplen bytes follow; BIG: a pointer to them (valid until the consumer releases it);
	 * FAIL: the message, NUL-terminated */
};

struct ring {
	/* written by the reader; the consumer reads them when it runs out of records */
	_Alignas(64) atomic_size_t head; /* bytes published */
	atomic_int prod_waiting;
	atomic_size_t prod_want;         /* the sleeping reader needs tail >= this */
	/* written by the consumer */
	_Alignas(64) atomic_size_t tail; /* bytes released */
	atomic_int cons_waiting;
	atomic_size_t cons_at;           /* where the sleeping consumer waits */
	/* The consumer is done: the reader must quit. On a line of its own: the reader reads it for
	 * every packet, and beside tail it missed each time the consumer had given space back. */
	_Alignas(64) atomic_int stop;
	_Alignas(64) pthread_mutex_t mu;
	pthread_cond_t prod_cv, cons_cv;
	/* set before the reader starts, read-only afterwards */
	_Alignas(64) size_t size, mask, pub_bytes, big_limit;
	size_t wake_bytes;
	unsigned char *buf;
	/* The length of every record, in order (entry = record number & len_mask): the consumer reads
	 * these, densely packed, to find the headers of the next records and prefetch them all at
	 * once, instead of walking header to header, one dependent miss per record. A record takes
	 * at least 24 bytes (only the PAD at a wrap may take 8), so size / 16 entries never wrap
	 * onto a record still in the ring. */
	uint32_t *lens;
	size_t len_mask;
	struct cap_offline *o;
	/* reader-private: on lines of their own, as the reader writes them for every packet */
	_Alignas(64) size_t w, w_pub, t_cache;
	size_t nrec;                     /* records written */
	unsigned npend;
	uint64_t queued, max_packets;
	bool limit_hit;
	pcap_t *pcap;
	struct pcapng_file *ng;
	FILE *fp;
	int link;                        /* the link type of the packets last queued */
	uint64_t wraps, big, prod_waits;
	bool huge_hint;                  /* madvise(MADV_HUGEPAGE) on buf succeeded */
	char err[UCF_ERRBUF_SIZE]; /* the message of a failing END; read after its record */
};

static size_t ring_size_override;

void cap_offline_set_ring_size(size_t bytes)
{
	size_t n = RING_MIN;
	while (bytes && n < bytes)
		n <<= 1;
	ring_size_override = bytes ? n : 0;
}

/* ---- the ring between the reader thread and the consumer ---- */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause");
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static struct ring *ring_new(size_t size)
{
	struct ring *r = aligned_alloc(64, (sizeof(struct ring) + 63) & ~(size_t)63);
	if (!r)
		return NULL;
	memset(r, 0, sizeof *r);
	/* a ring of 2 MiB or more on huge pages where the kernel has them: a TLB entry for every 4 KiB
	 * page, crossed by both threads, costs more than the copy into it */
	if (size >= RING_HUGE)
		r->buf = aligned_alloc(RING_HUGE, size);
	else
		r->buf = malloc(size);
	r->len_mask = size / 16 - 1;
	r->lens = malloc((r->len_mask + 1) * sizeof *r->lens);
	if (!r->buf || !r->lens)
		goto fail_mem;
#ifdef MADV_HUGEPAGE
	/* a hint: without it (or on a kernel without transparent huge pages), 4 KiB pages */
	if (size >= RING_HUGE)
		r->huge_hint = madvise(r->buf, size, MADV_HUGEPAGE) == 0;
#endif
	atomic_init(&r->head, 0);
	atomic_init(&r->prod_waiting, 0);
	atomic_init(&r->prod_want, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->cons_waiting, 0);
	atomic_init(&r->cons_at, 0);
	atomic_init(&r->stop, 0);
	r->size = size;
	r->mask = size - 1;
	r->pub_bytes = size / 8 < PUB_BYTES ? size / 8 : PUB_BYTES;
	r->big_limit = size / 4;
	r->wake_bytes = size / 8;
	if (pthread_mutex_init(&r->mu, NULL) != 0)
		goto fail_mem;
	if (pthread_cond_init(&r->prod_cv, NULL) != 0)
		goto fail_mu;
	if (pthread_cond_init(&r->cons_cv, NULL) != 0)
		goto fail_cv;
	return r;
fail_cv:
	pthread_cond_destroy(&r->prod_cv);
fail_mu:
	pthread_mutex_destroy(&r->mu);
fail_mem:
	free(r->buf);
	free(r->lens);
	free(r);
	return NULL;
}

static void ring_free(struct ring *r)
{
	pthread_cond_destroy(&r->cons_cv);
	pthread_cond_destroy(&r->prod_cv);
	pthread_mutex_destroy(&r->mu);
	free(r->buf);
	free(r->lens);
	free(r);
}

/* Makes the reader's records up to r->w visible. The seq_cst store and load pair with those in
 * cons_wait: either the consumer sees the new head, or this sees it waiting and wakes it (under
 * the mutex it holds while it checks the head, so the signal cannot fall between check and wait).
 * A sleeping consumer is woken only for an eighth of the ring's worth of packets, or when `force`
 * (events, and before the reader itself sleeps), so that a consumer faster than the reader does
 * not trade a wake-up for every batch. */
static void prod_publish(struct ring *r, bool force)
{
	r->npend = 0;
	if (r->w == r->w_pub)
		return;
	r->w_pub = r->w;
	atomic_store_explicit(&r->head, r->w, memory_order_seq_cst);
	if (atomic_load_explicit(&r->cons_waiting, memory_order_seq_cst) &&
	    (force || r->w - atomic_load_explicit(&r->cons_at, memory_order_relaxed) >=
			      r->wake_bytes)) {
		pthread_mutex_lock(&r->mu);
		pthread_cond_signal(&r->cons_cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* Waits until the consumer has released everything before position want; false if it stopped. */
static bool prod_wait(struct ring *r, size_t want)
{
	size_t t;
	for (int i = 0; i < SPIN_ITERS; i++) {
		t = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (t >= want) {
			r->t_cache = t;
			return true;
		}
		if (atomic_load_explicit(&r->stop, memory_order_relaxed))
			return false;
		cpu_relax();
	}
	r->prod_waits++;
	pthread_mutex_lock(&r->mu);
	atomic_store_explicit(&r->prod_want, want, memory_order_relaxed);
	atomic_store_explicit(&r->prod_waiting, 1, memory_order_seq_cst);
	bool stop;
	while (!(stop = atomic_load_explicit(&r->stop, memory_order_acquire)) &&
	       (t = atomic_load_explicit(&r->tail, memory_order_seq_cst)) < want)
		pthread_cond_wait(&r->prod_cv, &r->mu);
	atomic_store_explicit(&r->prod_waiting, 0, memory_order_relaxed);
	pthread_mutex_unlock(&r->mu);
	if (stop)
		return false;
	r->t_cache = t;
	return true;
}

/* Room for a need-byte record at r->w (after a PAD to the end of the ring if it would not fit
 * before it); NULL if the consumer stopped. need <= r->big_limit. */
static __attribute__((noinline)) unsigned char *prod_reserve_slow(struct ring *r, size_t need)
{
	size_t off = r->w & r->mask;
	size_t pad = off + need > r->size ? r->size - off : 0;
	if (r->size - (r->w - r->t_cache) < pad + need) {
		r->t_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (r->size - (r->w - r->t_cache) < pad + need) {
			/* full: let the consumer see everything, then sleep until a quarter of the
			 * ring is free, not just this record's room, so the two sides do not trade a
			 * wake-up for every packet */
			size_t target = pad + need > r->size / 4 ? pad + need : r->size / 4;
			prod_publish(r, true);
			if (!prod_wait(r, r->w + target - r->size))
				return NULL;
		}
	}
	if (pad) {
		struct rec *p = (struct rec *)(r->buf + off);
		p->kind = REC_PAD;
		p->len = (uint32_t)pad;
		r->lens[r->nrec++ & r->len_mask] = (uint32_t)pad;
		r->w += pad;
		r->wraps++;
		off = 0;
	}
	return r->buf + off;
}

/* prod_reserve_slow() for the usual case inline (once per packet): the record fits before the
 * end of the ring and in the room the consumer had released when last looked at. */
static inline unsigned char *prod_reserve(struct ring *r, size_t need)
{
	size_t off = r->w & r->mask;
	if (off + need <= r->size && r->size - (r->w - r->t_cache) >= need)
		return r->buf + off;
	return prod_reserve_slow(r, need);
}

/* Queues a non-packet record and publishes it at once; false if the consumer stopped. */
static bool prod_event(struct ring *r, uint32_t kind, uint32_t a, uint32_t b)
{
	struct rec *p = (struct rec *)prod_reserve(r, sizeof(struct rec));
	if (!p)
		return false;
	p->kind = kind;
	p->len = sizeof(struct rec);
	p->a = a;
	p->b = b;
	p->ts_us = 0;
	r->lens[r->nrec++ & r->len_mask] = sizeof(struct rec);
	r->w += sizeof(struct rec);
	prod_publish(r, true);
	return true;
}

/* Copies a packet into the ring (or, when it is larger than a quarter of the ring, hands the
 * consumer a pointer and waits until it is done with it: the bytes are the reader's only until
 * it reads on). false when reading must stop: the consumer stopped, or max_packets are queued. */
static inline bool reader_put(struct ring *r, uint64_t ts, uint32_t caplen, uint32_t wirelen,
			      const u_char *bytes)
{
	size_t need = sizeof(struct rec) + (((size_t)caplen + 7) & ~(size_t)7);
	if (need <= r->big_limit) {
		struct rec *p = (struct rec *)prod_reserve(r, need);
		if (!p)
			return false;
		p->kind = REC_PKT;
		p->len = (uint32_t)need;
		p->a = caplen;
		p->b = wirelen;
		p->ts_us = ts;
		memcpy(p + 1, bytes, caplen);
		r->lens[r->nrec++ & r->len_mask] = (uint32_t)need;
		r->w += need;
		if (++r->npend >= PUB_PKTS || r->w - r->w_pub >= r->pub_bytes)
			prod_publish(r, false);
	} else {
		need = sizeof(struct rec) + sizeof bytes;
		struct rec *p = (struct rec *)prod_reserve(r, need);
		if (!p)
			return false;
		p->kind = REC_BIG;
		p->len = (uint32_t)need;
		p->a = caplen;
		p->b = wirelen;
		p->ts_us = ts;
		memcpy(p + 1, &bytes, sizeof bytes);
		r->lens[r->nrec++ & r->len_mask] = (uint32_t)need;
		r->w += need;
		r->big++;
		prod_publish(r, true);
		if (!prod_wait(r, r->w))
			return false;
	}
	if (r->max_packets && ++r->queued >= r->max_packets) {
		/* the consumer stops at this packet: read no further, as the synchronous loop */
		r->limit_hit = true;
		return false;
	}
	return true;
}

/* The reader's pcap_handler. */
static void reader_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct ring *r = (struct ring *)arg;
	if (atomic_load_explicit(&r->stop, memory_order_relaxed) ||
	    !reader_put(r, cap_ts_us(h), h->caplen, h->len, bytes))
		pcap_breakloop(r->pcap);
}

/* Queues an input's failure with its message; false if the consumer stopped. */
static bool prod_fail(struct ring *r, uint32_t file, const char *msg)
{
	size_t n = strlen(msg) + 1;
	size_t need = sizeof(struct rec) + ((n + 7) & ~(size_t)7);
	struct rec *p = (struct rec *)prod_reserve(r, need);
	if (!p)
		return false;
	p->kind = REC_FAIL;
	p->len = (uint32_t)need;
	p->a = file;
	p->b = 0;
	p->ts_us = 0;
	memcpy(p + 1, msg, n);
	r->lens[r->nrec++ & r->len_mask] = (uint32_t)need;
	r->w += need;
	prod_publish(r, true);
	return true;
}

/* The reader's loop over a pcapng file: a REC_LINK before each packet whose link type differs
 * from the one before it. */
static int reader_pcapng(struct ring *r)
{
	struct cap_pkthdr ph;
	const uint8_t *data;
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		int rc = pcapng_next(r->ng, &ph, &data, r->err);
		if (rc <= 0)
			return -rc;
		if (ph.linktype != r->link) {
			if (!prod_event(r, REC_LINK, (uint32_t)ph.linktype, 0))
				return UCF_OK;
			r->link = ph.linktype;
		}
		if (!reader_put(r, ph.ts_us, ph.caplen, ph.wirelen, data))
			return UCF_OK;
	}
	return UCF_OK;
}

/* The reader thread: everything libpcap does for the files, in order, ending with REC_END. */
static void *reader_main(void *arg)
{
	struct ring *r = arg;
	struct cap_offline *o = r->o;
	int rc = UCF_OK;
#ifdef __linux__
	prctl(PR_SET_NAME, "ucflow-reader", 0, 0, 0); /* for top -H and perf; tests count it */
#endif
	for (size_t i = 0; i < o->nfiles && !r->limit_hit; i++) {
		if (atomic_load_explicit(&r->stop, memory_order_relaxed))
			return NULL;
		rc = cap_offline_open_file(o->files[i], o->iobuf, o->bpf, &r->pcap, &r->ng, &r->fp, r->err);
		if (rc == UCF_OK) {
			r->link = r->ng ? pcapng_linktype(r->ng) : pcap_datalink(r->pcap);
			if (!prod_event(r, REC_INPUT, (uint32_t)i, (uint32_t)r->link)) {
				cap_offline_close_file(&r->pcap, &r->ng, &r->fp);
				return NULL;
			}
			if (r->ng) {
				rc = reader_pcapng(r);
			} else {
				rc = cap_pcap_set_filter(r->pcap, o->bpf, r->err);
				if (rc == UCF_OK &&
				    pcap_loop(r->pcap, -1, reader_packet, (u_char *)r) == PCAP_ERROR) {
					snprintf(r->err, sizeof r->err, "%s: %s", o->files[i],
						 pcap_geterr(r->pcap));
					rc = UCF_ERR_RUNTIME;
				}
			}
			cap_offline_close_file(&r->pcap, &r->ng, &r->fp);
		}
		/* an unreadable input: told to the consumer in order, then the next file (a filter
		 * error is the command line's and stops) */
		if (rc == UCF_ERR_RUNTIME && o->on_error) {
			if (!prod_fail(r, (uint32_t)i, r->err))
				return NULL;
			rc = UCF_OK;
		}
		if (rc != UCF_OK)
			break;
	}
	(void)prod_event(r, REC_END, (uint32_t)rc, 0);
	return NULL;
}

/* Releases the consumer's records up to t to the reader, waking it if it sleeps for them. */
static void cons_publish(struct ring *r, size_t t)
{
	atomic_store_explicit(&r->tail, t, memory_order_seq_cst);
	if (atomic_load_explicit(&r->prod_waiting, memory_order_seq_cst) &&
	    t >= atomic_load_explicit(&r->prod_want, memory_order_relaxed)) {
		pthread_mutex_lock(&r->mu);
		pthread_cond_signal(&r->prod_cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* Waits until the reader has published beyond position t; returns the new head. The reader
 * always ends with REC_END, so this cannot wait forever while the reader runs. */
static size_t cons_wait(struct ring *r, size_t t, uint64_t *waits)
{
	size_t h;
	for (int i = 0; i < SPIN_ITERS; i++) {
		h = atomic_load_explicit(&r->head, memory_order_acquire);
		if (h != t)
			return h;
		cpu_relax();
	}
	(*waits)++;
	pthread_mutex_lock(&r->mu);
	atomic_store_explicit(&r->cons_at, t, memory_order_relaxed);
	atomic_store_explicit(&r->cons_waiting, 1, memory_order_seq_cst);
	while ((h = atomic_load_explicit(&r->head, memory_order_seq_cst)) == t)
		pthread_cond_wait(&r->cons_cv, &r->mu);
	atomic_store_explicit(&r->cons_waiting, 0, memory_order_relaxed);
	pthread_mutex_unlock(&r->mu);
	return h;
}

/* The consumer side of cap_run; -1 if the thread could not be started (run synchronously). */
int cap_offline_threaded_run(struct cap_offline *o, cap_input_fn on_input, cap_packet_fn on_packet,
			void *user, uint64_t max_packets, uint64_t input_bytes, char *errbuf)
{
	struct cap_source *s = &o->base;
	/* Small inputs get a small ring (records take at most twice their bytes in the file): less
	 * memory to set up for each of many small files, as a fuzzer runs them. */
	size_t size = RING_MIN;
	while (size < RING_DEFAULT && size < 2 * input_bytes)
		size <<= 1;
	struct ring *r = ring_new(ring_size_override ? ring_size_override : size);
	if (!r)
		return -1;
	r->o = o;
	r->max_packets = max_packets;
	/* signals are for the caller's thread: the reader runs with all of them blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_t tid;
	int prc = pthread_create(&tid, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (prc != 0) {
		ring_free(r);
		return -1;
	}

	int rc = UCF_OK;
	size_t t = 0, h = 0, t_pub = 0;
	size_t ci = 0;           /* the number of the record at t */
	size_t apos = 0, ai = 0; /* the first record whose header is not prefetched yet, and its number */
	uint64_t cons_waits = 0;
	struct cap_pkthdr ph;
	bool skipping = false; /* on_input rejected the current file: drop its packets */
	while (!s->stop) {
		if (t == h) {
			if (t != t_pub) {
				cons_publish(r, t);
				t_pub = t;
			}
			h = cons_wait(r, t, &cons_waits);
		}
		const struct rec *rec = (const struct rec *)(r->buf + (t & r->mask));
		uint32_t kind = rec->kind, len = rec->len;
		/* The reader wrote the next record on its core: start pulling its header and the
		 * frame's first headers over now, while this packet is processed, rather than stall
		 * on them (a miss on every record otherwise; the synchronous loop gets them hot). */
		if (t + len != h) {
			const unsigned char *next = r->buf + ((t + len) & r->mask);
			__builtin_prefetch(next);
			__builtin_prefetch(next + 64);
			__builtin_prefetch(next + 128);
		}
		if (skipping && (kind == REC_PKT || kind == REC_BIG)) {
			t += len;
			ci++;
			if (kind == REC_BIG) { /* its reader waits for exactly this */
				cons_publish(r, t);
				t_pub = t;
			}
		} else if (kind == REC_PKT && s->on_batch) {
			/* cap_run_batch: the packets already in the ring, up to CONS_BATCH, go in one
			 * call (they stay in place: the space is given back only after it returns) */
			struct cap_frame fr[CONS_BATCH];
			size_t n = 0, tt = t;
			/* (the reader queues at most max_packets anyway) */
			uint64_t room = max_packets ? max_packets - s->delivered : CONS_BATCH;
			/* the headers of the records up to LOOK_AHEAD bytes on: their lengths say where
			 * they are, so the misses overlap, and the headers arrive while this batch is
			 * processed. (The header's line only: a second line per record fills the queue
			 * of outstanding misses, and measured slower.) */
			if (apos < t) {
				apos = t;
				ai = ci;
			}
			while (apos != h && apos - t < LOOK_AHEAD) {
				const unsigned char *a = r->buf + (apos & r->mask);
				__builtin_prefetch(a);
				apos += r->lens[ai++ & r->len_mask];
			}
			while (tt != h && n < CONS_BATCH && n < room) {
				const struct rec *q = (const struct rec *)(r->buf + (tt & r->mask));
				/* the length from lens[], not from the header: where the next
				 * header is then does not wait for this one to arrive, and the
				 * CPU can have several of them on the way */
				uint32_t qlen = r->lens[ci & r->len_mask];
				if (q->kind == REC_PAD) {
					tt += qlen;
					ci++;
					continue;
				}
				if (q->kind != REC_PKT)
					break;
				fr[n].h.ts_us = q->ts_us;
				fr[n].h.caplen = q->a;
				fr[n].h.wirelen = q->b;
				fr[n].h.linktype = s->linktype;
				fr[n].bytes = (const uint8_t *)(q + 1);
				/* the frame's headers run past the header's line (Ethernet, a tag,
				 * IPv4 and TCP with options end ~70 bytes into the frame, 94 into the
				 * record): their second line, a batch ahead of the decode */
				if (qlen > 88)
					__builtin_prefetch((const unsigned char *)q + 88);
				n++;
				tt += qlen;
				ci++;
			}
			size_t done = s->on_batch(s->batch_user, fr, n);
			t = tt;
			s->delivered += done;
			if (done < n) {
				s->stop = 1;
				break;
			}
			if (t - t_pub >= r->pub_bytes) {
				cons_publish(r, t);
				t_pub = t;
			}
			if (max_packets && s->delivered >= max_packets)
				break;
		} else if (kind == REC_PKT || kind == REC_BIG) {
			const uint8_t *bytes;
			if (kind == REC_PKT)
				bytes = (const uint8_t *)(rec + 1);
			else
				memcpy(&bytes, rec + 1, sizeof bytes);
			ph.ts_us = rec->ts_us;
			ph.caplen = rec->a;
			ph.wirelen = rec->b;
			ph.linktype = s->linktype;
			if (s->on_batch) {
				struct cap_frame one = { ph, bytes };
				if (s->on_batch(s->batch_user, &one, 1) < 1)
					s->stop = 1;
			} else {
				on_packet(user, &ph, bytes);
			}
			t += len;
			ci++;
			if (kind == REC_BIG || t - t_pub >= r->pub_bytes) {
				cons_publish(r, t); /* a BIG record's reader waits for exactly this */
				t_pub = t;
			}
			if (max_packets && ++s->delivered >= max_packets)
				break;
		} else if (kind == REC_PAD) {
			t += len;
			ci++;
		} else if (kind == REC_LINK) {
			s->linktype = (int)rec->a;
			t += len;
			ci++;
		} else if (kind == REC_INPUT) {
			s->name = o->files[rec->a];
			s->linktype = (int)rec->b;
			t += len;
			ci++;
			skipping = false;
			if (on_input && !on_input(user, s->name, s->linktype, errbuf)) {
				if (!o->on_error) {
					rc = UCF_ERR_RUNTIME;
					break;
				}
				o->on_error(o->error_user, s->name, errbuf);
				errbuf[0] = '\0';
				skipping = true;
			}
		} else if (kind == REC_FAIL) {
			t += len;
			ci++;
			o->on_error(o->error_user, o->files[rec->a], (const char *)(rec + 1));
		} else { /* REC_END */
			rc = (int)rec->a;
			if (rc != UCF_OK)
				snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", r->err);
			break;
		}
	}

	/* stop the reader (wherever it is: copying, sleeping for room, or already finished) */
	atomic_store(&r->stop, 1);
	pthread_mutex_lock(&r->mu);
	pthread_cond_broadcast(&r->prod_cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(tid, NULL);
	o->diag.threaded = true;
	o->diag.ring_size = r->size;
	o->diag.ring_huge_hint = r->huge_hint;
	o->diag.wraps = r->wraps;
	o->diag.big = r->big;
	o->diag.producer_waits = r->prod_waits;
	o->diag.consumer_waits = cons_waits;
	ring_free(r);
	return rc;
}
