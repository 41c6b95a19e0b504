/* export.h - the export stage: flow records to IPFIX collectors (RFC 7011) over UDP or TCP, or
 * into an IPFIX file (RFC 5655), beside the output stage's own files.
 *
 * For every written flow record (end, eviction, interim), one IPFIX data record per direction
 * that sent packets (uniflow: see export_ipfix.c for why not RFC 5103 biflow), with the application
 * label as applicationId (RFC 6759: classification engine 6, user-defined, then a 4-byte selector
 * per app/service) and an options template that names each selector (applicationName,
 * applicationDescription). Network trouble never stops or slows the packet path: UDP datagrams
 * that cannot be sent and TCP records that do not fit the bounded queue while the collector is
 * away are counted as dropped (export_get_stats), never silently lost. Only a file exporter's write
 * error is an error (the run then fails, as for -o). */
#ifndef EXPORT_H
#define EXPORT_H

#include <stdio.h>

#include "ucflow.h"
#include "flow.h"
#include "output.h"

struct sig_db;

struct export_config {
	unsigned template_refresh_s; /* UDP: templates and options re-sent every N s (default 60) */
	size_t queue_bytes;          /* TCP: bounded queue while the collector is away (4 MiB) */
	uint32_t domain_id;          /* observation domain ID (default 1) */
	uint32_t fixed_time;         /* tests: export time of every message (0 = the clock) */
};
void export_config_defaults(struct export_config *c);

struct exporter;

/* spec: "udp://HOST:PORT", "tcp://HOST:PORT" ([v6 address] in brackets) or "file:PATH". A bad
 * spec or an unresolvable host is UCF_ERR_CONFIG; a file that cannot be created UCF_ERR_RUNTIME.
 * A TCP collector that is not there yet is not an error: it is connected to with backoff. The
 * names (db, seed) are copied; names->db gives the selectors. */
int export_open(struct exporter **x, const char *spec, const struct export_config *cfg,
		const struct out_names *names, char *errbuf);
/* One flow record; UCF_ERR_RUNTIME only when a file exporter cannot write (errbuf via
 * export_close). No allocation: the record goes into a preallocated message. */
int export_flow(struct exporter *x, const struct flow *f, enum flow_end why);
/* The same for a flow classified with db, which may not be the exporter's own yet (--workers:
 * a worker that switched to reloaded tables before the exporter did); its selector is then found
 * by the label's app/service name. Callers sharing an exporter between threads serialize every
 * call on it. */
int export_flow_db(struct exporter *x, const struct sig_db *db, const struct flow *f,
		   enum flow_end why);
/* Between packet batches (live) and at least about once a second: sends a message that has
 * waited about a second, re-sends templates when due (UDP), drains the TCP queue and
 * reconnects. */
void export_tick(struct exporter *x);
/* Signature reload: selectors of db (new ones may appear); templates and options are sent again
 * before the next data record. */
void export_set_db(struct exporter *x, const struct sig_db *db);
/* Sends or writes what is pending (TCP: waits at most about 2 s for the queue to drain;
 * what is left counts as dropped) and closes the file or socket, so that the counters are final;
 * returns the first file write error, if any (errbuf). Once only; export_close does it if needed. */
int export_finish(struct exporter *x, char *errbuf);
/* export_finish if not done, then frees x. */
int export_close(struct exporter *x, char *errbuf);

/* Counted in IPFIX data records of flows: one per direction of a flow record that has packets
 * (options records are not counted). */
struct export_stats {
	uint64_t records;     /* IPFIX flow records made */
	uint64_t sent;        /* sent or written */
	uint64_t dropped;     /* lost: send errors, queue full, collector away */
	uint64_t reconnects;  /* TCP connections made after the first */
	uint64_t messages;    /* IPFIX messages sent or written */
	bool connected;       /* TCP: a connection is up now (UDP, file: always true) */
};
void export_get_stats(const struct exporter *x, struct export_stats *st);
const char *export_name(const struct exporter *x);
/* One line per exporter, for --stats, SIGUSR1 and the exit summary: "ucflow: ipfix NAME: ...". */
void export_print_stats(const struct exporter *x, FILE *fp);

/* The application selector of a label (4 bytes of applicationId after engine 6): a stable hash of
 * "app/service", so that every sensor with the same tables gives the same number; 0 = no label. */
uint32_t export_app_selector(const char *app, const char *service);

#endif
