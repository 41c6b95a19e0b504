/* capture_internal.h - the capture stage's source vtable, shared by its offline and live backends. */
#ifndef CAPTURE_INTERNAL_H
#define CAPTURE_INTERNAL_H

#include <signal.h>
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
	volatile sig_atomic_t stop;
	const char *name;
	/* delivery state shared with the pcap callback */
	cap_packet_fn on_packet;
	void *user;
	uint64_t delivered, max_packets;
	int linktype;
};

/* The pcap_handler that converts headers and forwards to on_packet; honours max_packets/stop. */
void cap_deliver(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes);

/* Compiles and installs a BPF filter on s->pcap; UCF_ERR_CONFIG with errbuf on failure. */
int cap_set_filter(struct cap_source *s, const char *bpf, char *errbuf);

#endif
