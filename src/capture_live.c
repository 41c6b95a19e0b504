/* capture_live.c - live packet source: one interface (or "any") through libpcap's callback API.
 *
 * The handle is created and activated here, with tcpdump's defaults (promiscuous, 262144-byte snap
 * length, 64 MiB kernel buffer) and a read timeout so that a quiet link still returns to the caller
 * (the tick). Frames are handed to the pipeline straight from libpcap's ring buffer: no copy. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

#include "capture_internal.h"

#define LIVE_TIMEOUT_MS 200
/* Frames handed to a batch consumer at once at most (pipeline_on_batch works 16 ahead). */
#define LIVE_BATCH 64
/* Ring memory asked for ahead of the frame being read (about eight of bench's mix's frames). Why:
 * on a lightly loaded link the kernel writes a block on the core that received its packets while
 * the capture sleeps, so every line of it is elsewhere when the capture wakes; asking for the next
 * frame only (live_deliver) left libpcap's read of each frame header and its move of the MAC
 * addresses (a VLAN tag put back) waiting for those lines: 40 % of the capture's time at 30,000
 * packets/s with sender and capture on different CPUs. Streamed ahead, they arrive while the
 * frames before them are processed. For write: libpcap writes the MAC header of a tagged frame. */
#define LIVE_PREFETCH_AHEAD 4096

struct cap_live {
	struct cap_source base; /* first: the generic handle */
	char *ifname;
	int fd;          /* pcap_get_selectable_fd, -1 when the platform has none */
	int timeout_ms;
	/* libpcap's counters are 32-bit and wrap: keep 64-bit sums of their deltas */
	struct pcap_stat last;
	uint64_t recv, drop, ifdrop;
	/* cap_run_batch: the frames of the ring block being read, not yet handed over */
	bool ring_v3;   /* libpcap reads a TPACKET_V3 ring of Ethernet frames: batches possible */
	unsigned mac;   /* tp_mac of the last frame whose ring header was found (0: none yet) */
	const u_char *next_hdr; /* where the held frames' block goes on: the next one's header */
	const u_char *pf_end;   /* ring memory asked for (prefetched) up to here */
	size_t nbatch;
	struct cap_frame batch[LIVE_BATCH];
};

void cap_live_opts_defaults(struct cap_live_opts *o)
{
	memset(o, 0, sizeof *o);
	o->snaplen = 262144;
	o->promisc = 1;
	o->buffer_kib = 65536;
	o->immediate = 0;
	o->timeout_ms = LIVE_TIMEOUT_MS;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* tcpdump's -i N: a name that is not an interface but a number picks the Nth entry of -D. */
static char *resolve_iface(const char *want, char *errbuf)
{
	if (!all_digits(want))
		return strdup(want);
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *devs = NULL;
	if (pcap_findalldevs(&devs, perr) != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot list interfaces: %s", perr);
		return NULL;
	}
	char *name = NULL;
	long want_n = strtol(want, NULL, 10), n = 0;
	pcap_if_t *hit = NULL;
	for (pcap_if_t *d = devs; d; d = d->next)
		if (strcmp(d->name, want) == 0) /* an interface really named so wins */
			hit = d;
	for (pcap_if_t *d = devs; d; d = d->next)
		if (++n == want_n && !hit)
			hit = d;
	if (hit)
		name = strdup(hit->name);
	else
		snprintf(errbuf, UCF_ERRBUF_SIZE,
			 "interface number %s out of range (1..%ld; see ucflow -D)", want, n);
	pcap_freealldevs(devs);
	return name;
}

/* The status as libpcap names it, plus its message when it has one (tcpdump's wording). */
static void status_message(pcap_t *p, const char *dev, int status, char *buf, size_t len)
{
	const char *detail = pcap_geterr(p);
	if (status == PCAP_ERROR || status == PCAP_WARNING)
		snprintf(buf, len, "%s: %s", dev, detail);
	else if (detail && *detail && strcmp(detail, pcap_statustostr(status)) != 0)
		snprintf(buf, len, "%s: %s (%s)", dev, pcap_statustostr(status), detail);
	else
		snprintf(buf, len, "%s: %s", dev, pcap_statustostr(status));
}

/* The pcap_handler of live sources: cap_deliver, after a prefetch of the next frame. On Linux
 * libpcap hands over the frames of a TPACKET_V3 ring block in order, each frame's header at the
 * first 16-byte boundary after the previous frame's data (the kernel aligns frames so); the kernel
 * wrote them on the core that received the packet, and libpcap's first read of the next frame's
 * header (and, for a VLAN-tagged frame, its move of the MAC addresses to reinsert the tag) waited
 * for those lines to come over. Asking for them now overlaps that wait with this frame's work.
 * A hint only: nothing is read from the address (after a block's last frame it is not a frame),
 * and a prefetch never faults. */
static void live_deliver(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	const u_char *next = (const u_char *)(((uintptr_t)bytes + h->caplen + 15) & ~(uintptr_t)15);
	__builtin_prefetch(next);      /* the frame header libpcap reads */
	__builtin_prefetch(next + 64, 1); /* the MAC header (moved for a VLAN tag) */
	__builtin_prefetch(next + 128);   /* IP and transport headers */
	cap_deliver(arg, h, bytes);
}

#ifdef __linux__
/* The ring header of a frame libpcap handed over, or NULL. libpcap (TPACKET_V3) hands over
 * frames in place: bytes = header + tp_mac, 4 bytes less when it moved the MAC addresses to put
 * back a VLAN tag the kernel had taken off. The kernel puts the MAC header at least
 * TPACKET3_HDRLEN (68) + PACKET_RESERVE bytes after the 8-aligned header, and a block's first
 * header 48 bytes into the ring, so the 112 bytes before any frame are ring memory: candidates are
 * looked for there only, and one is taken only when its length, captured length, time and tp_mac
 * all match the frame's (a frame never matches by chance: otherwise no header, no batching). */
static inline const struct tpacket3_hdr *ring_header_at(const struct pcap_pkthdr *h, uintptr_t b,
							 unsigned off)
{
	const struct tpacket3_hdr *t = (const struct tpacket3_hdr *)(b - off);
	unsigned tag = (unsigned)t->tp_mac - off; /* 0, or 4 with a tag put back */
	if ((tag == 0 || tag == 4) && t->tp_snaplen + tag == h->caplen && t->tp_len + tag == h->len &&
	    t->tp_sec == (uint32_t)h->ts.tv_sec)
		return t;
	return NULL;
}

static const struct tpacket3_hdr *ring_header(struct cap_live *l, const struct pcap_pkthdr *h,
					      const u_char *bytes)
{
	uintptr_t b = (uintptr_t)bytes;
	if (l->mac) { /* where the previous frames' headers were: the same tp_mac, tag or not */
		const struct tpacket3_hdr *t = ring_header_at(h, b, l->mac);
		if (!t)
			t = ring_header_at(h, b, l->mac - 4);
		if (t)
			return t;
	}
	for (unsigned off = 64 + (unsigned)(b & 7); off <= 112; off += 8) { /* 8-aligned headers */
		const struct tpacket3_hdr *t = off >= 68 ? ring_header_at(h, b, off) : NULL;
		if (t) {
			l->mac = t->tp_mac;
			return t;
		}
	}
	return NULL;
}
#endif

/* Hands the frames collected so far to the batch consumer; honours max_packets and stop as
 * cap_deliver does. */
static void live_flush_batch(struct cap_live *l)
{
	struct cap_source *s = &l->base;
	size_t n = l->nbatch;
	l->nbatch = 0;
	if (!n) /* (collected before a stop: handed over, as they would have been one by one) */
		return;
	if (s->max_packets && n > s->max_packets - s->delivered)
		n = (size_t)(s->max_packets - s->delivered);
	size_t done = s->on_batch(s->batch_user, l->batch, n);
	s->delivered += done;
	if (done < n || (s->max_packets && s->delivered >= s->max_packets)) {
		s->stop = 1;
		pcap_breakloop(s->pcap);
	}
}

/* The pcap_handler under cap_run_batch: frames are collected while they stay valid, i.e. until
 * the last frame of their ring block, after whose callback libpcap hands the block back to the
 * kernel (tp_next_offset 0 marks that frame). A frame whose ring header cannot be found is
 * handed over at once, after the ones before it. Consuming a block's frames together lets the
 * pipeline prefetch their flows ahead (pipeline_on_batch): on a lightly loaded link, where the
 * process sleeps between blocks, those flows are no longer in the cache when a block arrives. */
static void live_collect(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cap_live *l = (struct cap_live *)arg;
	struct cap_source *s = &l->base;
	if (s->stop)
		return;
	struct cap_frame *f = &l->batch[l->nbatch++];
	cap_hdr_of(&f->h, h, s->linktype);
	f->bytes = bytes;
#ifdef __linux__
	const struct tpacket3_hdr *t = ring_header(l, h, bytes);
	if (l->nbatch > 1 && (const u_char *)t != l->next_hdr) {
		/* frames were held past the end of their block (a kernel that does not mark a
		 * block's last frame?): never again */
		l->ring_v3 = false;
	}
	if (t && t->tp_next_offset != 0 && l->ring_v3) {
		/* the next frame's ring header, MAC and IP headers, as live_deliver, but exactly */
		const u_char *next = (const u_char *)t + t->tp_next_offset;
		__builtin_prefetch(next);
		__builtin_prefetch(next + 64, 1);
		__builtin_prefetch(next + 128);
		l->next_hdr = next;
		/* and the ring's lines up to LIVE_PREFETCH_AHEAD past it, each once: a block's
		 * frames are consecutive; past the block's end the hint is at worst wasted */
		const u_char *want = next + LIVE_PREFETCH_AHEAD;
		const u_char *from = l->pf_end;
		if (from < next || from > want) /* another block (or the first) */
			from = next + 192;
		for (; from < want; from += 64)
			__builtin_prefetch(from, 1);
		l->pf_end = from;
		if (l->nbatch < LIVE_BATCH)
			return;
	}
#endif
	live_flush_batch(l);
}

static int live_run(struct cap_source *s, cap_input_fn on_input, cap_packet_fn on_packet,
		    void (*tick)(void *user), void *user, uint64_t max_packets, char *errbuf)
{
	s->on_packet = on_packet;
	s->user = user;
	s->max_packets = max_packets;
	struct cap_live *l = (struct cap_live *)s;
	if (on_input && !on_input(user, s->name, s->linktype, errbuf))
		return UCF_ERR_RUNTIME;
	bool ready = true; /* read first: packets may be waiting already */
	pcap_handler deliver = s->on_batch && l->ring_v3 ? live_collect : live_deliver;
	l->nbatch = 0;
	while (!s->stop) {
		/* Non-blocking: whatever the kernel has handed over, straight from the ring. Only
		 * when the wait below saw a block handed over (or timed out): in non-blocking mode
		 * libpcap polls the socket once itself whenever it finds no block ready, a second
		 * system call for every wake-up. */
		if (ready) {
			int r = pcap_dispatch(s->pcap, -1, deliver, (u_char *)s);
			/* frames held when a break ended the read: their block is still ours */
			live_flush_batch(l);
			if (r == PCAP_ERROR) {
				snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: %s", s->name,
					 pcap_geterr(s->pcap));
				return UCF_ERR_RUNTIME;
			}
		}
		/* Then wait here, not inside libpcap. On Linux (TPACKET_V3) libpcap's own wait
		 * never times out on a link with no packets at all and restarts after signals;
		 * this poll() returns when the kernel hands over a block of packets, on the read
		 * timeout, or on any signal (EINTR: the flags are looked at before any read). */
		if (l->fd >= 0 && !s->stop) {
			struct pollfd pfd = { l->fd, POLLIN, 0 };
			int r = poll(&pfd, 1, l->timeout_ms);
			if (r < 0 && errno != EINTR) {
				snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: poll: %s", s->name, strerror(errno));
				return UCF_ERR_RUNTIME;
			}
			ready = r >= 0; /* POLLERR (interface gone) too: the read reports it */
		}
		if (tick && !s->stop)
			tick(user);
	}
	return UCF_OK;
}

static void live_stats(struct cap_source *s, struct cap_stats *st)
{
	struct cap_live *l = (struct cap_live *)s;
	struct pcap_stat ps;
	memset(st, 0, sizeof *st);
	if (!s->pcap || pcap_stats(s->pcap, &ps) != 0)
		return;
	l->recv += (u_int)(ps.ps_recv - l->last.ps_recv);
	l->drop += (u_int)(ps.ps_drop - l->last.ps_drop);
	l->ifdrop += (u_int)(ps.ps_ifdrop - l->last.ps_ifdrop);
	l->last = ps;
	st->recv = l->recv;
	st->drop = l->drop;
	st->ifdrop = l->ifdrop;
	st->valid = true;
}

static void live_close(struct cap_source *s)
{
	struct cap_live *l = (struct cap_live *)s;
	if (s->pcap)
		pcap_close(s->pcap);
	free(l->ifname);
	free(l);
}

static const struct cap_ops live_ops = { live_run, live_stats, live_close };

int cap_open_live(struct cap_source **out, const struct cap_live_opts *opts, char *errbuf)
{
	*out = NULL;
	errbuf[0] = '\0';
	if (!opts->iface || !*opts->iface) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "no interface given");
		return UCF_ERR_CONFIG;
	}
	struct cap_live *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	l->base.ops = &live_ops;
	l->ifname = resolve_iface(opts->iface, errbuf);
	if (!l->ifname) {
		if (!errbuf[0])
			snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		free(l);
		return UCF_ERR_RUNTIME;
	}
	l->base.name = l->ifname;

	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(l->ifname, perr);
	if (!p) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: %s", l->ifname, perr);
		live_close(&l->base);
		return UCF_ERR_RUNTIME;
	}
	l->base.pcap = p;
	int snaplen = opts->snaplen > 0 ? opts->snaplen : 262144;
	int timeout = opts->timeout_ms > 0 ? opts->timeout_ms : LIVE_TIMEOUT_MS;
	if (pcap_set_snaplen(p, snaplen) != 0 || pcap_set_promisc(p, opts->promisc ? 1 : 0) != 0 ||
	    pcap_set_timeout(p, timeout) != 0 || pcap_set_immediate_mode(p, opts->immediate ? 1 : 0) != 0 ||
	    (opts->buffer_kib > 0 && pcap_set_buffer_size(p, opts->buffer_kib * 1024) != 0)) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: cannot set capture options: %s", l->ifname,
			 pcap_geterr(p));
		live_close(&l->base);
		return UCF_ERR_RUNTIME;
	}
	char warning[UCF_ERRBUF_SIZE] = "";
	int status = pcap_activate(p);
	if (status < 0) {
		char msg[UCF_ERRBUF_SIZE];
		status_message(p, l->ifname, status, msg, sizeof msg);
		if (status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_PROMISC_PERM_DENIED)
			snprintf(errbuf, UCF_ERRBUF_SIZE,
				 "%.400s (capturing needs root, or: setcap cap_net_raw,cap_net_admin=eip on "
				 "the binary)", msg);
		else
			snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", msg);
		live_close(&l->base);
		return UCF_ERR_RUNTIME;
	}
	if (status > 0) /* PCAP_WARNING_PROMISC_NOTSUP, PCAP_WARNING_TSTAMP_TYPE_NOTSUP, ... */
		status_message(p, l->ifname, status, warning, sizeof warning);
	l->base.linktype = pcap_datalink(p);
	l->timeout_ms = timeout;
	l->fd = pcap_get_selectable_fd(p);
	if (l->fd >= 0 && pcap_setnonblock(p, 1, perr) != 0)
		l->fd = -1; /* blocking reads with the read timeout, then */
#ifdef __linux__
	{
		int ver = -1;
		socklen_t len = sizeof ver;
		l->ring_v3 = l->base.linktype == DLT_EN10MB && pcap_fileno(p) >= 0 &&
			     getsockopt(pcap_fileno(p), SOL_PACKET, PACKET_VERSION, &ver, &len) == 0 &&
			     ver == TPACKET_V3;
	}
#endif
	int rc = cap_set_filter(&l->base, opts->bpf, errbuf);
	if (rc != UCF_OK) {
		live_close(&l->base);
		return rc;
	}
	/* a warning goes back in errbuf with UCF_OK: the caller prints it and goes on */
	snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", warning);
	*out = &l->base;
	return UCF_OK;
}

/* The connection-status words tcpdump -D prints after the flags. */
static const char *conn_status(bpf_u_int32 flags)
{
#ifdef PCAP_IF_CONNECTION_STATUS
	bool wireless = (flags & PCAP_IF_WIRELESS) != 0;
	switch (flags & PCAP_IF_CONNECTION_STATUS) {
	case PCAP_IF_CONNECTION_STATUS_UNKNOWN:
		return wireless ? ", Association status unknown" : ", Connection status unknown";
	case PCAP_IF_CONNECTION_STATUS_CONNECTED:
		return wireless ? ", Associated" : ", Connected";
	case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
		return wireless ? ", Not associated" : ", Disconnected";
	default:
		return "";
	}
#else
	(void)flags;
	return "";
#endif
}

int cap_list_interfaces(FILE *fp, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *devs = NULL;
	if (pcap_findalldevs(&devs, perr) != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot list interfaces: %s", perr);
		return UCF_ERR_RUNTIME;
	}
	if (!devs) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "no interfaces available for capture");
		return UCF_ERR_RUNTIME;
	}
	static const struct {
		bpf_u_int32 bit;
		const char *name;
	} words[] = {
		{ PCAP_IF_UP, "Up" },
		{ PCAP_IF_RUNNING, "Running" },
		{ PCAP_IF_LOOPBACK, "Loopback" },
		{ PCAP_IF_WIRELESS, "Wireless" },
	};
	int i = 0;
	for (pcap_if_t *d = devs; d; d = d->next) {
		fprintf(fp, "%d.%s", ++i, d->name);
		if (d->description)
			fprintf(fp, " (%s)", d->description);
		if (d->flags) {
			const char *sep = "";
			fputs(" [", fp);
			for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
				if (d->flags & words[k].bit) {
					fprintf(fp, "%s%s", sep, words[k].name);
					sep = ", ";
				}
			if (!*sep)
				fputs("none", fp);
			fprintf(fp, "%s]", conn_status(d->flags));
		}
		fputc('\n', fp);
	}
	pcap_freealldevs(devs);
	return UCF_OK;
}
