/* capture_offline.c - offline packet source: pcap and pcapng files (or stdin) read as one stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "capture_internal.h"

/* Large stdio buffer: offline reading is bound by read() calls, not by parsing. */
#define OFFLINE_STDIO_BUF (1u << 20)

struct cap_offline {
	struct cap_source base; /* first: the generic handle */
	const char *const *files;
	size_t nfiles;
	const char *bpf;
	FILE *fp;
	char *iobuf;
};

void cap_deliver(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cap_source *s = (struct cap_source *)arg;
	if (s->stop)
		return;
	struct cap_pkthdr ph;
	ph.ts_us = (uint64_t)h->ts.tv_sec * 1000000ULL + (uint64_t)h->ts.tv_usec;
	ph.caplen = h->caplen;
	ph.wirelen = h->len;
	ph.linktype = s->linktype;
	s->on_packet(s->user, &ph, bytes);
	s->delivered++;
	if (s->max_packets && s->delivered >= s->max_packets) {
		s->stop = 1;
		pcap_breakloop(s->pcap);
	}
}

int cap_set_filter(struct cap_source *s, const char *bpf, char *errbuf)
{
	struct bpf_program prog;
	if (!bpf || !*bpf)
		return UCF_OK;
	if (pcap_compile(s->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "bad filter expression '%s': %s", bpf,
			 pcap_geterr(s->pcap));
		return UCF_ERR_CONFIG;
	}
	int rc = pcap_setfilter(s->pcap, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot install filter: %s", pcap_geterr(s->pcap));
		return UCF_ERR_RUNTIME;
	}
	return UCF_OK;
}

static void offline_close_file(struct cap_offline *o)
{
	if (o->base.pcap) {
		pcap_close(o->base.pcap); /* also closes o->fp */
		o->base.pcap = NULL;
		o->fp = NULL;
	} else if (o->fp && o->fp != stdin) {
		fclose(o->fp);
	}
	o->fp = NULL;
}

static int offline_open_file(struct cap_offline *o, const char *name, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	if (strcmp(name, "-") == 0) {
		o->fp = stdin;
	} else {
		o->fp = fopen(name, "rb");
		if (!o->fp) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: %s", name, strerror(errno));
			return UCF_ERR_RUNTIME;
		}
	}
	setvbuf(o->fp, o->iobuf, _IOFBF, OFFLINE_STDIO_BUF);
	o->base.pcap = pcap_fopen_offline_with_tstamp_precision(o->fp, PCAP_TSTAMP_PRECISION_MICRO,
								 perr);
	if (!o->base.pcap) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: not a readable pcap or pcapng file: %s",
			 name, perr);
		if (o->fp != stdin)
			fclose(o->fp);
		o->fp = NULL;
		return UCF_ERR_RUNTIME;
	}
	o->base.name = name;
	o->base.linktype = pcap_datalink(o->base.pcap);
	return UCF_OK;
}

static int offline_run(struct cap_source *s, cap_input_fn on_input, cap_packet_fn on_packet,
		       void (*tick)(void *user), void *user, uint64_t max_packets, char *errbuf)
{
	struct cap_offline *o = (struct cap_offline *)s;
	(void)tick;
	s->on_packet = on_packet;
	s->user = user;
	s->max_packets = max_packets;
	for (size_t i = 0; i < o->nfiles && !s->stop; i++) {
		int rc = offline_open_file(o, o->files[i], errbuf);
		if (rc != UCF_OK)
			return rc;
		if (on_input && !on_input(user, o->files[i], s->linktype, errbuf)) {
			offline_close_file(o);
			return UCF_ERR_RUNTIME;
		}
		rc = cap_set_filter(s, o->bpf, errbuf);
		if (rc != UCF_OK) {
			offline_close_file(o);
			return rc;
		}
		rc = pcap_loop(s->pcap, -1, cap_deliver, (u_char *)s);
		if (rc == PCAP_ERROR) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: %s", o->files[i], pcap_geterr(s->pcap));
			offline_close_file(o);
			return UCF_ERR_RUNTIME;
		}
		offline_close_file(o);
	}
	return UCF_OK;
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
	char *buf = malloc(OFFLINE_STDIO_BUF);
	if (!o || !buf) {
		free(o);
		free(buf);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	o->base.ops = &offline_ops;
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
