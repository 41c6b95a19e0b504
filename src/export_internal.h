/* export_internal.h - the IPFIX exporter's state, shared by its encoder (export_ipfix.c) and its
 * transports (export_ipfix_io.c). */
#ifndef EXPORT_INTERNAL_H
#define EXPORT_INTERNAL_H

#include <sys/socket.h>

#include "export.h"

/* Message sizes: a UDP datagram must not be fragmented on an Ethernet path (RFC 7011 10.3.3);
 * TCP and files take large messages, fewer writes. */
#define IPFIX_UDP_MSG 1400
/* ...unless the route's MTU is known (IP_MTU of the connected socket): then the largest message
 * that fits it, up to this (loopback's 64 KiB MTU would allow more; collectors read 9 KB jumbo
 * datagrams, pmacct's buffer holds 10,000 bytes) */
#define IPFIX_UDP_MSG_MAX 8952
#define IPFIX_STREAM_MSG 32768

enum export_kind { EXPORT_FILE, EXPORT_UDP, EXPORT_TCP };

/* One named selector for the options records. */
struct export_app {
	uint32_t selector;
	char name[96];         /* applicationName: "app/service" */
	char desc[160];        /* applicationDescription: the first rule's label */
};

struct exporter {
	enum export_kind kind;
	char *spec;
	struct export_config cfg;
	struct out_names names;
	/* selectors: per rule index and per domain row (CLASSIFY_RULE_DOMAIN_BASE + d) */
	uint32_t *rule_sel, *dom_sel;
	size_t nrules, ndoms;
	struct export_app *apps;
	size_t napps;
	/* the message being filled */
	uint8_t *msg;
	size_t msg_cap, msg_len;
	size_t set_off;        /* offset of the open data set's header; 0 = none */
	uint16_t set_id;
	uint32_t msg_records;  /* flow records in the message */
	uint32_t seq;          /* data records (flow and options) sent before the message */
	bool need_templates;   /* templates and options go out before the next data record */
	bool reload_pending;   /* a reload's options go out at the next tick, records or not */
	uint64_t msg_since_us; /* when the message got its first record (monotonic) */
	uint64_t next_refresh_us;
	/* transport */
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint32_t last_msg_records; /* UDP: flow records of the last datagram sent */
	uint64_t down_until;       /* UDP: refused; nothing is sent before this (monotonic us) */
	uint8_t *tmsg;             /* templates and options are built here, so that a message
				    * being filled waits and goes after them */
	/* TCP: whole messages waiting, with their flow-record counts */
	uint8_t *q;
	size_t qcap, qlen, qoff;   /* bytes queued; bytes of the first message already sent */
	uint32_t *qrec;            /* flow records per queued message (ring) */
	size_t qrec_cap, qrec_head, qrec_n;
	bool connected, connecting, ever_connected;
	bool fd_direct;            /* TCP: send straight to the socket, not through the queue */
	uint64_t next_connect_us, backoff_us;
	int error;                 /* file: first errno, sticky */
	bool finished;             /* export_finish ran: the transport is closed */
	struct export_stats st;
};

uint64_t export_now_us(void);
/* Transports: open the fd (file, socket); hand over one complete message (msg[0..len), with nrec
 * flow records; templates and options have nrec 0). */
int export_io_open(struct exporter *x, const char *target, char *errbuf);
void export_io_send(struct exporter *x, const uint8_t *msg, size_t len, uint32_t nrec);
void export_io_tick(struct exporter *x, uint64_t now_us);
void export_io_close(struct exporter *x);
/* Builds and hands over the template messages (with_templates) and the options records (also on
 * a new TCP connection; after a reload TCP sends only the options records again). */
void export_send_templates(struct exporter *x, bool with_templates);

#endif
