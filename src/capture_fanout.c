/* capture_fanout.c - several live sources on one interface sharing its packets by flow: Linux
 * PACKET_FANOUT (packet(7)) in hash mode with defragmentation, as Suricata and Zeek use it.
 *
 * libpcap has no fanout API, so each handle is opened and activated as any live source
 * (capture_live.c) and then joined to the group with setsockopt(PACKET_FANOUT) on its socket
 * (pcap_fileno). The kernel picks a member by the packet's flow hash, which is symmetric (both
 * directions of a flow go to the same member); PACKET_FANOUT_FLAG_DEFRAG reassembles IPv4
 * fragments before hashing, so a fragmented datagram is not split between members (the member then
 * sees the reassembled datagram, not its fragments). The group id comes from the pid: groups are per
 * network namespace, and two ucflow processes on one interface must not join each other's group.
 *
 * A handle receives every packet of the interface from its activation until it joins the group (a
 * few microseconds, at start only): such packets are seen twice, by that handle and by the group.
 * Nothing is lost. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

#include "capture_internal.h"

#if defined(__linux__) && defined(PACKET_FANOUT) && defined(PACKET_FANOUT_HASH)
#define HAVE_FANOUT 1
#ifndef PACKET_FANOUT_FLAG_DEFRAG
#define PACKET_FANOUT_FLAG_DEFRAG 0x8000
#endif

static int join(struct cap_source *s, unsigned group, char *why, size_t len)
{
	int fd = pcap_fileno(s->pcap);
	int arg = (int)((group & 0xffffu) |
			((unsigned)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16));
	if (fd < 0) {
		snprintf(why, len, "no socket to join");
		return -1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
		snprintf(why, len, "setsockopt(PACKET_FANOUT): %s", strerror(errno));
		return -1;
	}
	return 0;
}
#endif

unsigned cap_fanout_group_id(void)
{
	/* 16 bits of id; 0 is a valid id, but a pid never gives it twice at once on one host */
	return (unsigned)getpid() & 0xffffu;
}

/* Falling back to one worker: that worker takes the whole buffer again (the source opened with a
 * share of it is replaced; if that fails, the share it had is kept). */
static void one_with_whole_buffer(struct cap_source **srcs, const struct cap_live_opts *opts,
				  const struct cap_live_opts *share)
{
	if (share->buffer_kib == opts->buffer_kib)
		return;
	struct cap_source *whole = NULL;
	char eb[UCF_ERRBUF_SIZE];
	if (cap_open_live(&whole, opts, eb) == UCF_OK) {
		cap_close(srcs[0]);
		srcs[0] = whole;
	}
}

/* The smallest per-worker share of -B: a few of libpcap's ring blocks (256 KiB with the default
 * snap length). */
#define FANOUT_MIN_BUFFER_KIB 1024

int cap_open_live_fanout(struct cap_source **srcs, unsigned n, unsigned *nopened,
			 const struct cap_live_opts *opts, char *errbuf)
{
	*nopened = 0;
	char warn[UCF_ERRBUF_SIZE] = "";
	/* -B is the whole capture's buffer: each of n workers gets its share (as each gets its share
	 * of the traffic). n times the buffer would lock n times the kernel memory, and a larger
	 * ring costs per packet too: the kernel writes and the worker reads lines that a ring of
	 * 64 MiB has long evicted from the caches (measured on 2 CPUs: --workers 2 spent about a
	 * fifth more CPU per packet with 64 MiB each than with 32 MiB each) */
	struct cap_live_opts share = *opts;
	if (n > 1 && opts->buffer_kib > 0) {
		share.buffer_kib = opts->buffer_kib / (int)n;
		if (share.buffer_kib < FANOUT_MIN_BUFFER_KIB)
			share.buffer_kib = opts->buffer_kib < FANOUT_MIN_BUFFER_KIB ? opts->buffer_kib :
										   FANOUT_MIN_BUFFER_KIB;
	}
	int rc = cap_open_live(&srcs[0], &share, errbuf);
	if (rc != UCF_OK)
		return rc;
	snprintf(warn, sizeof warn, "%s", errbuf); /* e.g. promiscuous mode not supported */
	errbuf[0] = '\0';
	*nopened = 1;
	if (n <= 1)
		goto out;
	if (strcmp(cap_current_name(srcs[0]), "any") == 0) {
		one_with_whole_buffer(srcs, opts, &share);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s%s--workers: the 'any' device is not spread over "
			 "workers (PACKET_FANOUT needs one interface); capturing with one worker", warn,
			 warn[0] ? "; " : "");
		return UCF_OK;
	}
#ifdef HAVE_FANOUT
	char why[256];
	unsigned group = cap_fanout_group_id();
	if (join(srcs[0], group, why, sizeof why) != 0) {
		one_with_whole_buffer(srcs, opts, &share);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s%s--workers: %s: the kernel refused packet fanout "
			 "(%s); capturing with one worker", warn, warn[0] ? "; " : "",
			 cap_current_name(srcs[0]), why);
		return UCF_OK;
	}
	for (unsigned i = 1; i < n; i++) {
		char eb[UCF_ERRBUF_SIZE] = "";
		rc = cap_open_live(&srcs[i], &share, eb);
		if (rc == UCF_OK && join(srcs[i], group, why, sizeof why) != 0) {
			cap_close(srcs[i]);
			snprintf(eb, sizeof eb, "%s", why);
			rc = UCF_ERR_RUNTIME;
		}
		if (rc != UCF_OK) {
			srcs[i] = NULL;
			snprintf(errbuf, UCF_ERRBUF_SIZE, "%s%s--workers: worker %u of %u could not join "
				 "the capture (%.300s); capturing with %u", warn, warn[0] ? "; " : "",
				 i + 1, n, eb, i);
			return UCF_OK;
		}
		*nopened = i + 1;
	}
#else
	one_with_whole_buffer(srcs, opts, &share);
	snprintf(errbuf, UCF_ERRBUF_SIZE, "%s%s--workers: packet fanout is not available on this "
		 "system; capturing with one worker", warn, warn[0] ? "; " : "");
	return UCF_OK;
#endif
out:
	snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", warn);
	return UCF_OK;
}
