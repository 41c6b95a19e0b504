/* capture.h - the capture stage: a packet source (pcap/pcapng files or a live interface) that
 * hands every frame to a callback. Sources are opaque handles behind one interface, so the rest of
 * the pipeline does not know whether packets come from files or from a mirror port. */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stdio.h>

#include "ucflow.h"

struct cap_pkthdr {
	uint64_t ts_us;   /* packet time, microseconds since the epoch */
	uint32_t caplen;  /* bytes captured */
	uint32_t wirelen; /* bytes on the wire */
	int linktype;     /* DLT_* of the file or interface the frame came from */
};

typedef void (*cap_packet_fn)(void *user, const struct cap_pkthdr *h, const uint8_t *bytes);

/* One captured frame of a batch. */
struct cap_frame {
	struct cap_pkthdr h;
	const uint8_t *bytes; /* h.caplen bytes, valid until the batch callback returns */
};
/* Consumes frames[0..n) in order and returns n, or fewer to stop the capture after that many;
 * it may also call cap_break() (e.g. on the batch's last frame), as a cap_packet_fn may. */
typedef size_t (*cap_batch_fn)(void *user, const struct cap_frame *frames, size_t n);

/* The link type announced for a pcapng file whose interfaces differ in link type: each frame's
 * cap_pkthdr.linktype is its own interface's. */
#define CAP_LINKTYPE_PER_PACKET (-1)

/* Called when a new input (file or interface) starts; returning false rejects it (the source then
 * stops with UCF_ERR_RUNTIME and the errbuf the callback filled). linktype may be
 * CAP_LINKTYPE_PER_PACKET. */
typedef bool (*cap_input_fn)(void *user, const char *name, int linktype, char *errbuf);

struct cap_source;

/* Offline source over files read in order as one stream; "-" is standard input. bpf may be NULL.
 * Files are opened one at a time as the stream reaches them. */
int cap_open_offline(struct cap_source **out, const char *const *files, size_t nfiles,
		     const char *bpf, char *errbuf);

/* Offline sources: an input that cannot be read (it cannot be opened, is not a capture, fails part
 * way, or on_input rejected it). Without this callback the source stops at it (cap_run returns
 * UCF_ERR_RUNTIME with the message). With it, the callback gets the file's name and the message
 * (which starts with the name), and the source goes on with the next file; the packets a file
 * delivered before its error stay delivered. Called in stream order, on the thread running cap_run. */
typedef void (*cap_input_error_fn)(void *user, const char *name, const char *msg);
void cap_offline_set_error_fn(struct cap_source *s, cap_input_error_fn fn, void *user);

struct cap_live_opts {
	const char *iface;    /* interface name, or "any" */
	int snaplen;          /* default 262144 */
	int promisc;          /* default 1 */
	int buffer_kib;       /* kernel buffer; default 65536 */
	int immediate;        /* immediate mode; default 0 */
	int timeout_ms;       /* read timeout, so a quiet link still returns to the caller */
	const char *bpf;
};
void cap_live_opts_defaults(struct cap_live_opts *o);
/* Live source; activation errors and warnings go to errbuf. iface may be a number: the Nth
 * interface of cap_list_interfaces() (tcpdump -i N). The filter is installed here, so a bad one
 * fails now (UCF_ERR_CONFIG). On UCF_OK errbuf is empty or holds a warning to print (e.g.
 * promiscuous mode not supported). */
int cap_open_live(struct cap_source **out, const struct cap_live_opts *opts, char *errbuf);

/* Up to n live sources on one interface that share its packets by flow (Linux PACKET_FANOUT, hash
 * mode, IPv4 fragments reassembled first): the kernel hands each packet to one source, both
 * directions of a flow to the same one. srcs[0..*nopened) get the sources (n <= 1: one, as
 * cap_open_live). Errors opening the first source are cap_open_live's. When packets cannot be
 * spread (the "any" device, a kernel or interface that refuses fanout, another system), fewer
 * sources are opened (at least one) and errbuf holds a warning saying why, with UCF_OK; errbuf
 * also carries cap_open_live's warnings. opts->buffer_kib is shared out: each of n sources gets
 * buffer_kib / n (at least 1024 KiB); one source alone (n <= 1 or a fallback) gets all of it. */
int cap_open_live_fanout(struct cap_source **srcs, unsigned n, unsigned *nopened,
			 const struct cap_live_opts *opts, char *errbuf);
/* The fanout group id this process uses (from its pid). */
unsigned cap_fanout_group_id(void);

/* Prints the capture interfaces as tcpdump -D does: "1.eth0 [Up, Running, Connected]". */
int cap_list_interfaces(FILE *fp, char *errbuf);

/* Delivers packets until the input ends (UCF_OK), cap_break() is called (UCF_OK), max_packets have
 * been delivered (0 = no limit; UCF_OK) or an error occurs (UCF_ERR_RUNTIME with errbuf set; e.g. a
 * truncated file). A BPF filter that does not compile gives UCF_ERR_CONFIG. For live sources, `tick`
 * (may be NULL) is called after each batch, including empty ones after the read timeout. */
int cap_run(struct cap_source *s, cap_input_fn on_input, cap_packet_fn on_packet,
	    void (*tick)(void *user), void *user, uint64_t max_packets, char *errbuf);

/* cap_run with packets handed over in batches where the source holds several at once (the offline
 * reader thread's ring), so the consumer can work a few packets ahead; elsewhere in batches of
 * one. Same order, same stopping rules (a batch never goes past max_packets; cap_break() ends
 * delivery after the current batch). */
int cap_run_batch(struct cap_source *s, cap_input_fn on_input, cap_batch_fn on_batch,
		  void (*tick)(void *user), void *user, uint64_t max_packets, char *errbuf);

/* Asks cap_run to return after the current packet; safe from a signal handler. */
void cap_break(struct cap_source *s);

struct cap_stats {
	uint64_t recv, drop, ifdrop; /* libpcap's ps_recv, ps_drop, ps_ifdrop (live only) */
	bool valid;
};
void cap_get_stats(struct cap_source *s, struct cap_stats *st);

/* The current input's name (file name, "-", or the interface). */
const char *cap_current_name(const struct cap_source *s);

void cap_close(struct cap_source *s);

#endif
