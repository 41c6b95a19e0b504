/* role.h - the server-roles stage, between the flow table and the classifier: per server address,
 * what the capture showed it to serve (a role port of the signature tables that answered a TCP
 * connection, or a UDP port that exchanged packets both ways) and the product roles that follow
 * from the tables' role statements (ucflow-signatures(5), ROLES). The classifier asks it for the
 * roles of a flow's two addresses; the inventory (--servers, --write-site, the report's Servers
 * table) reads it.
 *
 * Memory is bounded: a fixed open-addressing table of max_servers entries, allocated once; when
 * an address finds no free slot among its probes, the least recently seen entry there is evicted
 * (counted). Only flow events update it (the responder's first packet, the flow's end), never
 * every packet, and nothing allocates after role_table_create().
 */
#ifndef ROLE_H
#define ROLE_H

#include <stdio.h>

#include "ucflow.h"
#include "flow.h"

struct sig_db;
struct role_table;

#define ROLE_DEFAULT_SERVERS 4096u

/* max_servers: table size (rounded up to a power of two; 0 = ROLE_DEFAULT_SERVERS). db may be
 * NULL (no role statements: nothing is learned). UCF_ERR_RUNTIME when out of memory. */
int role_table_create(struct role_table **out, const struct sig_db *db, uint32_t max_servers,
		      char *errbuf);
void role_table_destroy(struct role_table *t);

/* Makes t safe to share between threads (live capture workers, --workers): from now on every
 * call below takes t's read-write lock (flow events and reloads write, lookups read), and
 * role_table_set_db with the db t already has keeps what was learned (each worker's pipeline
 * passes the new tables on a reload; the first one switches t). UCF_ERR_RUNTIME when the lock
 * cannot be made. */
int role_table_share(struct role_table *t);

/* Signature reload: role ports and roles are the new tables' (what was learned is forgotten,
 * since role port numbers and role statements may have changed). */
void role_table_set_db(struct role_table *t, const struct sig_db *db);

/* A flow event: the responder's first packet (end = false) or the flow's record (end = true), with
 * the flow as classified (its originator is the client). Records what its server (the responder)
 * served, when that is a role port and the port answered; at the end also counts the flow. On a
 * peer port (client_of=, serves_to=) of an answered flow whose other end holds the role named,
 * records that peer evidence for this end. */
void role_observe(struct role_table *t, const struct flow *f, uint64_t ts_us, bool end);

/* Counts a record labelled through a role (confidence role+port) for the server whose role it
 * was: the responder, or for a product_side=client row the originator. */
void role_count_labelled(struct role_table *t, const struct sig_db *db, const struct flow *f);

/* Roles of an address (bit k = role statement k; 0 = none, also for an unknown address). */
uint64_t role_of(const struct role_table *t, const struct ucf_addr *a);
/* Whether any address holds a role (a cheap test before per-flow lookups). */
bool role_table_any(const struct role_table *t);

/* Ends a learning pass (--two-pass): keeps what each server served and its roles, clears the
 * flow counts and times so the next pass over the same input counts each flow once. */
void role_table_end_pass(struct role_table *t);

/* One server of the inventory. flows[i] counts records whose server served role port i. */
struct role_server_view {
	struct ucf_addr addr;
	uint64_t served;     /* role ports it served (bit i = sig_role_port_get(db, i)) */
	uint64_t roles;      /* roles it holds (bit k = sig_role_get(db, k)) */
	uint64_t first_us, last_us;
	const uint32_t *flows;
	uint32_t labelled;   /* records labelled role+port through it */
	uint32_t peer;       /* peer evidence it has (bit i = sig_role_peer_get(db, i)) */
};
/* Servers in a stable order (by address), for the inventory writers: fills up to cap views,
 * returns how many servers there are. */
size_t role_table_servers(const struct role_table *t, struct role_server_view *out, size_t cap);

struct role_stats {
	uint64_t servers;  /* addresses in the table now */
	uint64_t evicted;  /* entries replaced because the table was full */
	uint64_t with_role;
};
void role_table_get_stats(const struct role_table *t, struct role_stats *st);

/* The role evidence behind f's label, for the record's evidence tokens, e.g.
 * "role=finesse/finesse-server server=10.40.0.10 serves=tcp/8445,tcp/7443" (client= instead of
 * server= when the role is the originator's: a product_side=client row). Given when the label's
 * app holds a role at either address and the confidence is role+port or stronger. Returns the
 * length written, 0 (buf "") when there is none or it does not fit whole. t is a role_table;
 * the signature fits struct out_names' role_text. */
size_t role_describe(const void *t, const struct sig_db *db, const struct flow *f, char *buf,
		     size_t cap);

/* --servers: one JSON object per line per server that served a role port (role_io.c). */
int role_write_servers(const struct role_table *t, const struct sig_db *db, FILE *fp);
/* --write-site: the servers holding a role as a site file (`server app=... addrs=...`
 * statements with comments citing the evidence) that --site accepts. */
int role_write_site(const struct role_table *t, const struct sig_db *db, FILE *fp);

#endif
