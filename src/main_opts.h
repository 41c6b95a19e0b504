/* main_opts.h - ucflow's command line: the option table, --help, and parsing into struct options. */
#ifndef MAIN_OPTS_H
#define MAIN_OPTS_H

#include <stdio.h>

#include "ucflow.h"
#include "capture.h"
#include "flow.h"
#include "export.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct options {
	const char **files;
	size_t nfiles;
	const char *filter_file;
	char *filter;
	uint64_t count;
	const char *format;
	const char *outfile;
	const char *sigdir;
	const char *site;
	int check_signatures, list_rules, quiet;
	int verbose;                 /* -v: each -v adds detail to the exit summary */
	int append;                  /* -a: append to -o FILE instead of replacing it */
	int stop_on_error;           /* --stop-on-error: an unreadable input ends the run */
	int json_all_fields;         /* --json-all-fields: JSON keeps unset fields (null, "", []) */
	int uid_seed_set;            /* --uid-seed given: uids reproducible from uid_seed */
	uint64_t uid_seed;
	int no_payload;              /* --no-payload: ports and subnets only */
	unsigned payload_pkts;       /* --payload-packets: 0 = the evidence stage's default */
	/* live capture */
	struct cap_live_opts live;   /* live.iface set: -i */
	int list_ifaces;
	unsigned stats_s, flush_s;
	const char *user;            /* -Z */
	unsigned workers;            /* --workers: capture threads; 0 = auto (online CPUs) */
	struct flow_table_config flows;
	/* audit report */
	const char *report;
	uint64_t report_interval_s;
	const char **json_files;     /* --from-json: build the report from saved flow records */
	size_t njson;
	uint16_t community_id_seed;  /* --community-id-seed */
	const char **ipfix;          /* --ipfix targets */
	size_t nipfix;
	struct export_config export; /* --ipfix-template-refresh ... */
	/* server roles */
	const char *servers_file;    /* --servers: the server inventory (JSON Lines) */
	const char *write_site;      /* --write-site: the learned roles as a site file */
	int two_pass;                /* --two-pass: learn roles from the files, then label */
	int no_roles;                /* --no-roles: learn no server roles (as --workers) */
	int no_second_look;          /* --no-second-look: write each record when its flow ends */
	uint32_t second_look_max;    /* --second-look-max: records held at most (0 = the default) */
};

/* Fills o with the defaults, then parses argv. Options and the BPF filter may come in any order
 * (GNU getopt permutation, as tcpdump on Linux; "--" ends the options). Returns 0 to go on, or an
 * exit status + 1 (so 1 = exit 0, after --help or --version). */
int main_parse_options(int argc, char **argv, struct options *o);

/* Frees what parsing allocated. */
void main_options_free(struct options *o);

/* -S, then $UCFLOW_SIGNATURES, then the installed tables; the source tree's only for the binary
 * that was never installed (the one in the build tree). */
const char *main_signature_dir(const struct options *o);

#endif
