/* main.c - ucflow's command line: one option table drives parsing and --help; only main exits. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ucflow.h"
#include "capture.h"
#include "classify.h"
#include "evidence.h"
#include "output.h"
#include "pipeline.h"
#include "live.h"
#include "live_workers.h"
#include "report.h"
#include "tunnel_intern.h"

#ifndef UCFLOW_SIGDIR
#define UCFLOW_SIGDIR "/usr/local/share/ucflow/signatures"
#endif

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
};

enum opt_id {
	OPT_READ = 'r', OPT_FILTER_FILE = 'F', OPT_COUNT = 'c', OPT_FORMAT = 'T', OPT_OUT = 'o',
	OPT_SIGDIR = 'S', OPT_QUIET = 'q', OPT_HELP = 'h', OPT_VERSION = 'V',
	OPT_IDLE = 1000, OPT_MAX_FLOWS, OPT_SITE, OPT_CHECK_SIGS, OPT_LIST_RULES,
	OPT_NO_PAYLOAD, OPT_PAYLOAD_PKTS,
};
/* Live capture (tcpdump's letters and long names where tcpdump has the option). */
enum opt_id_live {
	OPT_IFACE = 'i', OPT_LIST_IFACES = 'D', OPT_NO_PROMISC = 'p', OPT_SNAPLEN = 's',
	OPT_BUFSIZE = 'B', OPT_USER = 'Z',
	OPT_IMMEDIATE = 1100, OPT_STATS, OPT_FLUSH, OPT_ACTIVE, OPT_WORKERS,
};
enum opt_id_report { OPT_REPORT = 1200, OPT_REPORT_INTERVAL, OPT_FROM_JSON };
enum opt_id_export { OPT_COMMUNITY_ID_SEED = 1300 };

struct opt_desc {
	int id;
	const char *long_name;
	const char *arg;   /* NULL: no argument */
	const char *help;
};

/* The one table: getopt's arrays and the --help text are both built from it. */
static const struct opt_desc opt_table[] = {
	{ OPT_READ, "read", "FILE", "read packets from a pcap/pcapng FILE (repeatable; - = stdin)" },
	{ OPT_FILTER_FILE, "filter-file", "FILE", "read the BPF filter expression from FILE" },
	{ OPT_COUNT, "count", "N", "stop after N packets" },
	{ OPT_FORMAT, "format", "FMT", "output format: json, csv, text" },
	{ OPT_OUT, "output", "FILE", "write flow records to FILE instead of stdout" },
	{ OPT_IDLE, "idle-timeout", "SPEC",
	  "idle timeouts in seconds: N (all) or tcp=N,udp=N,other=N (default tcp=300,udp=60,other=60)" },
	{ OPT_MAX_FLOWS, "max-flows", "N",
	  "at most N open flows; the least recently seen is written early (default: no limit)" },
	{ OPT_SIGDIR, "signatures", "DIR", "signature directory (default $UCFLOW_SIGNATURES or "
					   "the installed tables)" },
	{ OPT_SITE, "site", "FILE", "site file: internal networks and known servers" },
	{ OPT_CHECK_SIGS, "check-signatures", NULL, "validate the signature tables, print counts, exit" },
	{ OPT_LIST_RULES, "list-rules", NULL, "print the compiled rule table and exit" },
	{ OPT_IFACE, "interface", "IFACE",
	  "capture live on IFACE: a name, a number from -D, or any" },
	{ OPT_LIST_IFACES, "list-interfaces", NULL, "list the interfaces -i can capture on and exit" },
	{ OPT_NO_PROMISC, "no-promiscuous-mode", NULL, "do not put the interface in promiscuous mode" },
	{ OPT_SNAPLEN, "snapshot-length", "BYTES", "capture at most BYTES of each packet "
						   "(default 262144)" },
	{ OPT_BUFSIZE, "buffer-size", "KIB", "kernel capture buffer in KiB (default 65536)" },
	{ OPT_IMMEDIATE, "immediate-mode", NULL, "deliver each packet at once instead of in batches" },
	{ OPT_STATS, "stats", "SECONDS",
	  "print capture health to stderr every SECONDS (and on SIGUSR1)" },
	{ OPT_FLUSH, "flush-interval", "SECONDS",
	  "live: flush the output at least every SECONDS (default 1; 0 = every batch)" },
	{ OPT_ACTIVE, "active-timeout", "SECONDS",
	  "interim record of a flow every SECONDS it stays open (default 300; 0 = never)" },
	{ OPT_WORKERS, "workers", "N",
	  "live: capture on N threads sharing the interface by flow hash (auto = CPUs; default 1)" },
	{ OPT_USER, "relinquish-privileges", "USER",
	  "after opening the capture and the output, run as USER" },
	{ OPT_REPORT, "report", "FILE",
	  "write the audit report to FILE (.html, .md or .txt) at the end (live: also periodically)" },
	{ OPT_REPORT_INTERVAL, "report-interval", "SECONDS",
	  "live: rewrite the report every SECONDS (default: only at exit)" },
	{ OPT_FROM_JSON, "from-json", "FILE",
	  "build the --report from saved JSON flow records (more files may follow)" },
	{ OPT_NO_PAYLOAD, "no-payload", NULL,
	  "label from ports, subnets and the site file only: inspect no payload" },
	{ OPT_PAYLOAD_PKTS, "payload-packets", "N",
	  "inspect the payload of the first N packets of each direction of a flow (default 8)" },
	{ OPT_COMMUNITY_ID_SEED, "community-id-seed", "N",
	  "seed of the records' community_id (Community ID v1; 0..65535, default 0)" },
	{ OPT_QUIET, "quiet", NULL, "no summary on stderr at exit" },
	{ OPT_HELP, "help", NULL, "show this help and exit" },
	{ OPT_VERSION, "version", NULL, "show the version and exit" },
};
#define N_OPTS (sizeof opt_table / sizeof opt_table[0])

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: ucflow [OPTIONS] -r FILE [-r FILE ...] [BPF FILTER ...]\n"
		    "       ucflow [OPTIONS] -i IFACE [BPF FILTER ...]\n"
		    "Labels network flows with the unified-communications product and service that\n"
		    "the vendors' documented port and subnet tables say they are.\n\nOptions:\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		const struct opt_desc *o = &opt_table[i];
		char lhs[64];
		if (o->id < 256)
			snprintf(lhs, sizeof lhs, "-%c, --%s%s%s", o->id, o->long_name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(lhs, sizeof lhs, "    --%s%s%s", o->long_name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(fp, "  %-28s %s\n", lhs, o->help);
	}
	fprintf(fp, "\nOutput formats:\n");
	for (size_t i = 0; out_formats[i]; i++)
		fprintf(fp, "  %-8s %s\n", out_formats[i]->name, out_formats[i]->description);
	fprintf(fp, "\nExit status: 0 ok, 1 runtime error, 2 usage or configuration error.\n"
		    "See ucflow(1) and ucflow-signatures(5).\n");
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_idle(const char *spec, struct flow_table_config *c)
{
	uint64_t v;
	if (parse_u64(spec, UINT32_MAX, &v) == 0) {
		c->idle_tcp_s = c->idle_udp_s = c->idle_other_s = (uint32_t)v;
		return 0;
	}
	char buf[256];
	snprintf(buf, sizeof buf, "%s", spec);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			return -1;
		*eq = '\0';
		if (parse_u64(eq + 1, UINT32_MAX, &v) != 0)
			return -1;
		if (strcmp(tok, "tcp") == 0)
			c->idle_tcp_s = (uint32_t)v;
		else if (strcmp(tok, "udp") == 0)
			c->idle_udp_s = (uint32_t)v;
		else if (strcmp(tok, "other") == 0)
			c->idle_other_s = (uint32_t)v;
		else
			return -1;
	}
	return 0;
}

static char *read_filter_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int ch;
	while (buf && (ch = fgetc(fp)) != EOF) {
		if (n + 2 > cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		/* tcpdump -F: '#' comments are not BPF, but newlines are just spaces */
		buf[n++] = (char)(ch == '\n' ? ' ' : ch);
	}
	fclose(fp);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Returns 0 to go on, or an exit status + 1 (so 1 = exit 0). */
static int parse_options(int argc, char **argv, struct options *o)
{
	struct option longopts[N_OPTS + 1];
	char shortopts[2 * N_OPTS + 3]; /* "+:", two per option, NUL */
	size_t ns = 0;
	shortopts[ns++] = '+'; /* stop at the first non-option: the BPF filter */
	shortopts[ns++] = ':'; /* report a missing argument as ':' */
	for (size_t i = 0; i < N_OPTS; i++) {
		longopts[i].name = opt_table[i].long_name;
		longopts[i].has_arg = opt_table[i].arg ? required_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = opt_table[i].id;
		if (opt_table[i].id < 256) {
			shortopts[ns++] = (char)opt_table[i].id;
			if (opt_table[i].arg)
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[N_OPTS], 0, sizeof longopts[N_OPTS]);
	shortopts[ns] = '\0';

	int c;
	uint64_t v;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_READ: {
			const char **nf = realloc(o->files, (o->nfiles + 1) * sizeof *nf);
			if (!nf) {
				fprintf(stderr, "ucflow: out of memory\n");
				return EXIT_RUNTIME + 1;
			}
			o->files = nf;
			o->files[o->nfiles++] = optarg;
			break;
		}
		case OPT_FILTER_FILE: o->filter_file = optarg; break;
		case OPT_COUNT:
			if (parse_u64(optarg, UINT64_MAX, &o->count) != 0 || o->count == 0) {
				fprintf(stderr, "ucflow: -c: expected a positive number, got '%s'\n", optarg);
				return EXIT_USAGE + 1;
			}
			break;
		case OPT_FORMAT: o->format = optarg; break;
		case OPT_OUT: o->outfile = optarg; break;
		case OPT_IDLE:
			if (parse_idle(optarg, &o->flows) != 0) {
				fprintf(stderr, "ucflow: --idle-timeout: bad value '%s'\n", optarg);
				return EXIT_USAGE + 1;
			}
			break;
		case OPT_MAX_FLOWS:
			if (parse_u64(optarg, UINT32_MAX - 1, &v) != 0 || v == 0) {
				fprintf(stderr, "ucflow: --max-flows: expected 1..%u, got '%s'\n",
					UINT32_MAX - 1, optarg);
				return EXIT_USAGE + 1;
			}
			o->flows.max_flows = (uint32_t)v;
			break;
		case OPT_SIGDIR: o->sigdir = optarg; break;
		case OPT_SITE: o->site = optarg; break;
		case OPT_CHECK_SIGS: o->check_signatures = 1; break;
		case OPT_LIST_RULES: o->list_rules = 1; break;
		case OPT_IFACE: o->live.iface = optarg; break;
		case OPT_LIST_IFACES: o->list_ifaces = 1; break;
		case OPT_NO_PROMISC: o->live.promisc = 0; break;
		case OPT_IMMEDIATE: o->live.immediate = 1; break;
		case OPT_USER: o->user = optarg; break;
		case OPT_SNAPLEN:
			if (parse_u64(optarg, 262144, &v) != 0) {
				fprintf(stderr, "ucflow: -s: expected 0..262144, got '%s'\n", optarg);
				return EXIT_USAGE + 1;
			}
			o->live.snaplen = v ? (int)v : 262144; /* 0 = the default, as in tcpdump */
			break;
		case OPT_BUFSIZE:
			if (parse_u64(optarg, INT_MAX / 1024, &v) != 0 || v == 0) {
				fprintf(stderr, "ucflow: -B: expected a size in KiB, got '%s'\n", optarg);
				return EXIT_USAGE + 1;
			}
			o->live.buffer_kib = (int)v;
			break;
		case OPT_STATS:
			if (parse_u64(optarg, 86400, &v) != 0 || v == 0) {
				fprintf(stderr, "ucflow: --stats: expected 1..86400 seconds, got '%s'\n",
					optarg);
				return EXIT_USAGE + 1;
			}
			o->stats_s = (unsigned)v;
			break;
		case OPT_FLUSH:
			if (parse_u64(optarg, 86400, &v) != 0) {
				fprintf(stderr, "ucflow: --flush-interval: expected 0..86400 seconds, "
						"got '%s'\n", optarg);
				return EXIT_USAGE + 1;
			}
			o->flush_s = (unsigned)v;
			break;
		case OPT_WORKERS:
			if (strcmp(optarg, "auto") == 0) {
				o->workers = 0;
			} else if (parse_u64(optarg, LIVE_WORKERS_MAX, &v) != 0 || v == 0) {
				fprintf(stderr, "ucflow: --workers: expected 1..%d or auto, got '%s'\n",
					LIVE_WORKERS_MAX, optarg);
				return EXIT_USAGE + 1;
			} else {
				o->workers = (unsigned)v;
			}
			break;
		case OPT_ACTIVE:
			if (parse_u64(optarg, UINT32_MAX, &v) != 0) {
				fprintf(stderr, "ucflow: --active-timeout: expected seconds, got '%s'\n",
					optarg);
				return EXIT_USAGE + 1;
			}
			o->flows.active_timeout_s = (uint32_t)v;
			break;
		case OPT_REPORT:
			if (report_format_for_path(optarg) < 0) {
				fprintf(stderr, "ucflow: --report: '%s': unknown format (use .html, .md "
						"or .txt)\n", optarg);
				return EXIT_USAGE + 1;
			}
			o->report = optarg;
			break;
		case OPT_REPORT_INTERVAL:
			if (parse_u64(optarg, 86400 * 365, &o->report_interval_s) != 0 ||
			    !o->report_interval_s) {
				fprintf(stderr, "ucflow: --report-interval: expected seconds, got '%s'\n",
					optarg);
				return EXIT_USAGE + 1;
			}
			break;
		case OPT_FROM_JSON: {
			const char **nf = realloc(o->json_files, (o->njson + 1) * sizeof *nf);
			if (!nf) {
				fprintf(stderr, "ucflow: out of memory\n");
				return EXIT_RUNTIME + 1;
			}
			o->json_files = nf;
			o->json_files[o->njson++] = optarg;
			break;
		}
		case OPT_NO_PAYLOAD: o->no_payload = 1; break;
		case OPT_PAYLOAD_PKTS:
			if (parse_u64(optarg, 255, &v) != 0 || v == 0) {
				fprintf(stderr, "ucflow: --payload-packets: expected 1..255, got '%s'\n",
					optarg);
				return EXIT_USAGE + 1;
			}
			o->payload_pkts = (unsigned)v;
			break;
		case OPT_COMMUNITY_ID_SEED:
			if (parse_u64(optarg, 65535, &v) != 0) {
				fprintf(stderr, "ucflow: --community-id-seed: expected 0..65535, got '%s'\n",
					optarg);
				return EXIT_USAGE + 1;
			}
			o->community_id_seed = (uint16_t)v;
			break;
		case OPT_QUIET: o->quiet = 1; break;
		case OPT_HELP: usage(stdout); return 0 + 1;
		case OPT_VERSION: printf("ucflow %s\n", PACKAGE_VERSION); return 0 + 1;
		default:
			/* getopt's own message would name argv[0]; say it the same way every time */
			if (optopt && optopt < 256)
				fprintf(stderr, "ucflow: option -%c: %s\n", optopt,
					c == ':' ? "needs an argument" : "unknown option");
			else
				fprintf(stderr, "ucflow: %s: unknown option or missing argument\n",
					argv[optind - 1]);
			fprintf(stderr, "Try 'ucflow --help' for more information.\n");
			return EXIT_USAGE + 1;
		}
	}
	if (o->njson) {
		/* with --from-json, the remaining arguments are more flow-record files */
		for (; optind < argc; optind++) {
			const char **nf = realloc(o->json_files, (o->njson + 1) * sizeof *nf);
			if (!nf)
				return EXIT_RUNTIME + 1;
			o->json_files = nf;
			o->json_files[o->njson++] = argv[optind];
		}
		if (!o->report || o->nfiles || o->live.iface || o->filter_file) {
			fprintf(stderr, "ucflow: --from-json needs --report FILE and no -r, -i or -F\n");
			return EXIT_USAGE + 1;
		}
	}
	if (o->report_interval_s && !o->report) {
		fprintf(stderr, "ucflow: --report-interval needs --report FILE\n");
		return EXIT_USAGE + 1;
	}
	if (optind < argc) {
		if (o->filter_file) {
			fprintf(stderr, "ucflow: give the filter either as arguments or with -F, not both\n");
			return EXIT_USAGE + 1;
		}
		o->filter = join_args(argc - optind, argv + optind);
	} else if (o->filter_file) {
		o->filter = read_filter_file(o->filter_file);
		if (!o->filter) {
			fprintf(stderr, "ucflow: -F %s: %s\n", o->filter_file, strerror(errno));
			return EXIT_USAGE + 1;
		}
	}
	return 0;
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* -S, then $UCFLOW_SIGNATURES, then the installed tables, then the source tree (uninstalled). */
static const char *signature_dir(const struct options *o)
{
	if (o->sigdir)
		return o->sigdir;
	const char *env = getenv("UCFLOW_SIGNATURES");
	if (env && *env)
		return env;
	if (is_dir(UCFLOW_SIGDIR))
		return UCFLOW_SIGDIR;
#ifdef UCFLOW_SRC_SIGDIR
	if (is_dir(UCFLOW_SRC_SIGDIR))
		return UCFLOW_SRC_SIGDIR;
#endif
	return UCFLOW_SIGDIR;
}

/* out_names has one user pointer for all its id-to-text callbacks: it points at this. */
struct name_tables {
	struct tunnel_intern *tunnels;
};

static const char *tunnel_name(void *user, uint16_t id)
{
	const struct name_tables *nt = user;
	return tunnel_intern_name(nt->tunnels, id);
}

/* The run's own counters for the audit report (read at each write: periodic and final). */
struct report_run {
	struct pipeline *pl;
	struct cap_source *src;
	bool live;
};

static void report_run_counters(void *user, struct report_run_counters *c)
{
	const struct report_run *rr = user;
	struct pipeline_counters pcn;
	struct cap_stats cs = { 0 };
	pipeline_get_counters(rr->pl, &pcn);
	cap_get_stats(rr->src, &cs);
	*c = (struct report_run_counters){ pcn.packets, pcn.truncated, rr->live, cs.valid, cs.drop,
					   cs.ifdrop };
}

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof o);
	flow_table_config_defaults(&o.flows);
	o.flows.active_timeout_s = 300;
	cap_live_opts_defaults(&o.live);
	o.flush_s = 1;
	o.workers = 1;
	char errbuf[UCF_ERRBUF_SIZE] = "";
	int status = 0;

	int rc = parse_options(argc, argv, &o);
	if (rc) {
		free(o.files);
		free(o.json_files);
		return rc - 1;
	}
	if (o.list_ifaces) {
		free(o.files);
		free(o.filter);
		if (cap_list_interfaces(stdout, errbuf) != UCF_OK) {
			fprintf(stderr, "ucflow: %s\n", errbuf);
			return EXIT_RUNTIME;
		}
		return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
	}
	if (o.live.iface && o.nfiles) {
		fprintf(stderr, "ucflow: give either -r FILE or -i IFACE, not both\n");
		free(o.files);
		free(o.filter);
		return EXIT_USAGE;
	}

	struct sig_db *db = NULL;
	if (sig_db_load(&db, signature_dir(&o), o.site, errbuf, sizeof errbuf) != UCF_OK) {
		fprintf(stderr, "ucflow: %s\n", errbuf);
		free(o.files);
		free(o.filter);
		return EXIT_USAGE;
	}
	if (o.check_signatures || o.list_rules) {
		if (o.check_signatures)
			sig_db_print_counts(db, stdout);
		if (o.list_rules)
			sig_db_print_rules(db, stdout);
		sig_db_free(db);
		free(o.files);
		free(o.filter);
		return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
	}
	if (o.njson) {
		rc = report_from_json(db, o.report, o.json_files, o.njson, errbuf);
		if (rc != UCF_OK && errbuf[0])
			fprintf(stderr, "ucflow: %s\n", errbuf);
		sig_db_free(db);
		free(o.json_files);
		free(o.filter);
		return rc == UCF_OK ? 0 : rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (o.nfiles == 0 && !o.live.iface) {
		fprintf(stderr, "ucflow: no input: give -r FILE or -i IFACE (see ucflow --help)\n");
		sig_db_free(db);
		free(o.filter);
		return EXIT_USAGE;
	}

	const char *fmtname = o.format;
	if (!fmtname)
		fmtname = (!o.outfile && isatty(STDOUT_FILENO)) ? "text" : "json";
	const struct out_format *fmt = out_format_find(fmtname);
	if (!fmt) {
		fprintf(stderr, "ucflow: -T: unknown format '%s' (json, csv, text)\n", fmtname);
		sig_db_free(db);
		free(o.files);
		free(o.filter);
		return EXIT_USAGE;
	}

	struct name_tables tables = { tunnel_intern_create(errbuf) };
	struct evidence_ctx *ev = NULL;
	if (!o.no_payload) {
		struct evidence_config ecfg;
		evidence_config_defaults(&ecfg);
		if (o.payload_pkts)
			ecfg.max_pkts_per_dir = o.payload_pkts;
		if (evidence_create(&ev, &ecfg, errbuf) != UCF_OK) {
			fprintf(stderr, "ucflow: %s\n", errbuf);
			tunnel_intern_destroy(tables.tunnels);
			sig_db_free(db);
			free(o.files);
			free(o.json_files);
			free(o.filter);
			return EXIT_RUNTIME;
		}
	}
	struct out_names names = { db, ev, tunnel_name, &tables, o.community_id_seed };
	struct out_writer *out = NULL;
	struct cap_source *src = NULL;
	struct pipeline *pl = NULL;
	struct report *report = NULL;
	if (!tables.tunnels) {
		status = EXIT_RUNTIME;
		goto done;
	}
	if (out_open(&out, fmt, o.outfile, &names, errbuf) != UCF_OK) {
		status = EXIT_RUNTIME;
		goto done;
	}
	struct pipeline_config pc = { o.flows, db, out, tables.tunnels, ev, NULL, NULL, NULL };
	if (o.report) {
		if (!(report = report_create(db, errbuf))) {
			status = EXIT_RUNTIME;
			goto done;
		}
		for (size_t i = 0; i < o.nfiles; i++)
			report_add_input(report, "capture", o.files[i]);
		if (o.live.iface)
			report_add_input(report, "interface", o.live.iface);
		report_set_names(report, &names);
		report_set_output(report, o.report, o.report_interval_s);
		pc.on_flow = report_on_flow;
		pc.on_tick = report_on_tick;
		pc.hook_user = report;
	}
	pl = pipeline_create(&pc, errbuf);
	if (!pl) {
		status = EXIT_RUNTIME;
		goto done;
	}
	unsigned workers = o.workers ? o.workers : live_workers_auto();
	if (workers > 1 && !o.live.iface)
		fprintf(stderr, "ucflow: warning: --workers applies to live capture (-i) only\n");
	if (workers > 1 && o.live.iface) {
		/* capture on several threads: opening, -Z, the run and its summary are all there */
		struct live_workers_config wc = {
			workers, o.live, o.flows, !o.no_payload, o.payload_pkts, o.user,
			{ signature_dir(&o), o.site, o.stats_s, o.flush_s, o.live.snaplen, o.quiet != 0,
			  NULL, NULL },
			o.count, fmt, &names, o.outfile, report, o.quiet != 0,
		};
		wc.live.bpf = o.filter;
		rc = live_workers_run(&wc, out, &db, errbuf);
		if (rc != UCF_OK) {
			status = rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
			fprintf(stderr, "ucflow: %s\n", errbuf);
			errbuf[0] = '\0';
		}
		goto finish_report;
	}
	if (o.live.iface) {
		o.live.bpf = o.filter;
		rc = cap_open_live(&src, &o.live, errbuf);
		if (rc == UCF_OK && errbuf[0]) { /* e.g. promiscuous mode not supported */
			fprintf(stderr, "ucflow: warning: %s\n", errbuf);
			errbuf[0] = '\0';
		}
	} else {
		rc = cap_open_offline(&src, o.files, o.nfiles, o.filter, errbuf);
	}
	if (rc != UCF_OK) {
		status = rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
		goto done;
	}
	/* -Z: like tcpdump, once the capture and the output are open */
	if (o.user && (rc = live_drop_privileges(o.user, errbuf)) != UCF_OK) {
		status = rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
		goto done;
	}
	pipeline_set_source(pl, src);
	struct report_run rrun = { pl, src, o.live.iface != NULL };
	if (report)
		report_set_counters_fn(report, report_run_counters, &rrun);
	if (o.live.iface) {
		struct live_config lc = { signature_dir(&o), o.site, o.stats_s, o.flush_s,
					  o.live.snaplen, o.quiet != 0, NULL, NULL };
		if (report) {
			lc.db_changed = report_on_db_changed;
			lc.db_changed_user = report;
		}
		live_install_signals(src);
		rc = live_run(&lc, src, pl, out, &db, o.count, errbuf);
	} else {
		rc = cap_run_batch(src, pipeline_on_input, pipeline_on_batch, NULL, pl, o.count, errbuf);
	}
	if (rc != UCF_OK) {
		/* the cause first, then (for runtime errors) what was still written */
		status = rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
		fprintf(stderr, "ucflow: %s\n", errbuf);
		errbuf[0] = '\0';
	}
	/* Whatever stopped the input, every flow seen so far is written. */
	pipeline_finish(pl);
	if (!status && pipeline_error(pl, errbuf))
		status = EXIT_RUNTIME;
	if (!o.quiet && status != EXIT_USAGE) {
		pipeline_print_summary(pl, stderr);
		if (o.live.iface)
			live_print_summary(stderr);
	}
finish_report:
	if (report) {
		char reb[UCF_ERRBUF_SIZE] = "";
		if (report_finish(report, o.report, reb) != UCF_OK) {
			fprintf(stderr, "ucflow: %s\n", reb);
			if (!status)
				status = EXIT_RUNTIME;
		}
	}

done:
	if (status && errbuf[0])
		fprintf(stderr, "ucflow: %s\n", errbuf);
	if (out) {
		char eb[UCF_ERRBUF_SIZE];
		if (out_close(out, eb) != UCF_OK) {
			fprintf(stderr, "ucflow: %s\n", eb);
			if (!status)
				status = EXIT_RUNTIME;
		}
	}
	cap_close(src);
	pipeline_destroy(pl);
	report_free(report);
	evidence_destroy(ev);
	tunnel_intern_destroy(tables.tunnels);
	sig_db_free(db);
	free(o.files);
	free(o.json_files);
	free(o.filter);
	return status;
}
