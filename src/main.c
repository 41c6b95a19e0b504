/* main.c - ucflow's run: wires the stages from the parsed options (main_opts.c); only main exits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "ucflow.h"
#include "main_opts.h"
#include "capture.h"
#include "classify.h"
#include "evidence.h"
#include "export.h"
#include "output.h"
#include "pipeline.h"
#include "live.h"
#include "live_workers.h"
#include "report.h"
#include "role.h"
#include "role_defer.h"
#include "tunnel_intern.h"

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
					   cs.ifdrop, false, 0, 0, 0 };
	struct role_defer_stats ds;
	if (pipeline_get_second_look(rr->pl, &ds)) {
		c->second_look = true;
		c->second_look_held = ds.held;
		c->second_look_relabelled = ds.relabelled;
		c->second_look_overflow = ds.overflow;
	}
}

/* ---- inputs: which were read, which failed and why (the summary, -v and the report) ---- */
struct run_input {
	uint64_t packets;   /* packets read from it (after the filter) */
	char *error;        /* why it could not be read (whole or part way), or NULL */
	bool started;
};

struct run_inputs {
	const char *const *files;
	size_t n, cur;      /* cur: the input being read (n: none yet) */
	struct run_input *v;
	struct pipeline *pl;
	struct report *report;
	uint64_t pkt_mark;  /* the pipeline's packet count when cur started */
	size_t failed;
};

/* The index of an input by the name pointer the capture stage passes (one of files[]). */
static size_t input_index(const struct run_inputs *ri, const char *name)
{
	for (size_t i = 0; i < ri->n; i++)
		if (ri->files[i] == name)
			return i;
	for (size_t i = 0; i < ri->n; i++)
		if (strcmp(ri->files[i], name) == 0 && !ri->v[i].started)
			return i;
	return ri->n;
}

/* Closes the packet count of the input being read. */
static void input_settle(struct run_inputs *ri)
{
	struct pipeline_counters c;
	pipeline_get_counters(ri->pl, &c);
	if (ri->cur < ri->n)
		ri->v[ri->cur].packets += c.packets - ri->pkt_mark;
	ri->pkt_mark = c.packets;
}

static bool run_on_input(void *user, const char *name, int linktype, char *errbuf)
{
	struct run_inputs *ri = user;
	input_settle(ri);
	ri->cur = input_index(ri, name);
	if (ri->cur < ri->n)
		ri->v[ri->cur].started = true;
	return pipeline_on_input(ri->pl, name, linktype, errbuf);
}

/* The capture hands one user pointer to both callbacks: this one's is the inputs (once a batch). */
static size_t run_on_batch(void *user, const struct cap_frame *frames, size_t n)
{
	return pipeline_on_batch(((struct run_inputs *)user)->pl, frames, n);
}

/* An input that could not be read: said now, remembered for the summary and the report, and the
 * run goes on with the next one (the capture's error callback; not set with --stop-on-error). */
static void run_on_input_error(void *user, const char *name, const char *msg)
{
	struct run_inputs *ri = user;
	input_settle(ri);
	size_t i = input_index(ri, name);
	ri->cur = ri->n;
	fprintf(stderr, "ucflow: %s\n", msg);
	if (i == ri->n || ri->v[i].error)
		return;
	/* the reason without the name the message starts with */
	size_t nl = strlen(name);
	const char *why = strncmp(msg, name, nl) == 0 && strncmp(msg + nl, ": ", 2) == 0 ? msg + nl + 2
											   : msg;
	ri->v[i].error = strdup(why);
	ri->failed++;
	if (ri->report)
		report_input_failed(ri->report, name, ri->v[i].error);
}

static void print_inputs(const struct run_inputs *ri, FILE *fp, bool verbose)
{
	if (verbose)
		for (size_t i = 0; i < ri->n; i++) {
			const struct run_input *in = &ri->v[i];
			if (in->error && !in->started)
				fprintf(fp, "ucflow: input %s: not read: %s\n", ri->files[i], in->error);
			else if (in->error)
				fprintf(fp, "ucflow: input %s: %llu packets, then failed: %s\n",
					ri->files[i], (unsigned long long)in->packets, in->error);
			else if (in->started)
				fprintf(fp, "ucflow: input %s: %llu packets\n", ri->files[i],
					(unsigned long long)in->packets);
			else
				fprintf(fp, "ucflow: input %s: not read\n", ri->files[i]);
		}
	if (ri->failed)
		fprintf(fp, "ucflow: inputs: %zu read, %zu could not be read (named above)\n",
			ri->n - ri->failed, ri->failed);
}

/* -v: the records by the reason they were written, and the uid seed that reproduces the run. */
static void print_details(const struct out_writer *out, uint64_t uid_seed, FILE *fp)
{
	struct out_counts c;
	out_get_counts(out, &c);
	fprintf(fp, "ucflow: records by end: %llu idle, %llu closed, %llu evicted, %llu eof, "
		    "%llu interim; %llu bytes written\n",
		(unsigned long long)c.by_end[FLOW_END_IDLE], (unsigned long long)c.by_end[FLOW_END_CLOSED],
		(unsigned long long)c.by_end[FLOW_END_EVICTED], (unsigned long long)c.by_end[FLOW_END_EOF],
		(unsigned long long)c.by_end[FLOW_END_ACTIVE], (unsigned long long)c.bytes);
	fprintf(fp, "ucflow: uid seed %llu (--uid-seed %llu gives the same uids again)\n",
		(unsigned long long)uid_seed, (unsigned long long)uid_seed);
}

/* A seed no other run or sensor is likely to draw: uids must not collide when records from many
 * runs meet in one store. */
static uint64_t random_seed(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof v, 0) == (ssize_t)sizeof v)
		return v;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, &v, sizeof v);
		close(fd);
		if (n == (ssize_t)sizeof v)
			return v;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^ (uint64_t)getpid() << 40;
}

/* Every file the run reads and writes, registered before anything is written: an output that is
 * an input or another output is refused (exit 2); the report's directory must take a new file
 * (exit 1), found now rather than at the end of a long run. */
static int check_paths(const struct options *o, const char *sigdir, char *errbuf)
{
	struct out_paths *ps = out_paths_create();
	if (!ps) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	int rc = out_paths_add_input_dir(ps, "signature file in", sigdir, errbuf);
	for (size_t i = 0; rc == UCF_OK && i < o->nfiles; i++)
		rc = out_paths_add_input(ps, "-r", o->files[i], errbuf);
	for (size_t i = 0; rc == UCF_OK && i < o->njson; i++)
		rc = out_paths_add_input(ps, "--from-json", o->json_files[i], errbuf);
	if (rc == UCF_OK && o->site)
		rc = out_paths_add_input(ps, "--site", o->site, errbuf);
	if (rc == UCF_OK && o->filter_file)
		rc = out_paths_add_input(ps, "-F", o->filter_file, errbuf);
	if (rc == UCF_OK && !o->njson) /* --from-json writes no records */
		rc = out_paths_add_output(ps, "-o", o->outfile ? o->outfile : "-", errbuf);
	if (rc == UCF_OK && o->report)
		rc = out_paths_add_output(ps, "--report", o->report, errbuf);
	for (size_t i = 0; rc == UCF_OK && !o->njson && i < o->nipfix; i++)
		if (strncmp(o->ipfix[i], "file:", 5) == 0)
			rc = out_paths_add_output(ps, "--ipfix", o->ipfix[i] + 5, errbuf);
	if (rc == UCF_OK && o->servers_file)
		rc = out_paths_add_output(ps, "--servers", o->servers_file, errbuf);
	if (rc == UCF_OK && o->write_site)
		rc = out_paths_add_output(ps, "--write-site", o->write_site, errbuf);
	out_paths_free(ps);
	if (rc == UCF_OK && o->report)
		rc = out_path_check_replaceable(o->report, errbuf);
	return rc;
}

/* Writes an inventory file whole: into PATH.tmp, renamed over PATH once complete ("-": stdout). */
static int write_whole(const char *path, const struct role_table *roles, const struct sig_db *db,
		       int (*fn)(const struct role_table *, const struct sig_db *, FILE *),
		       char *errbuf)
{
	if (strcmp(path, "-") == 0) { /* stdout */
		int rc = fn(roles, db, stdout);
		if (fflush(stdout) != 0 || rc != UCF_OK) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "stdout: write error");
			return UCF_ERR_RUNTIME;
		}
		return UCF_OK;
	}
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%.400s: path too long", path);
		return UCF_ERR_RUNTIME;
	}
	FILE *fp = fopen(tmp, "w");
	if (!fp) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%.400s: %s", tmp, strerror(errno));
		return UCF_ERR_RUNTIME;
	}
	int rc = fn(roles, db, fp);
	if (fclose(fp) != 0 || rc != UCF_OK || rename(tmp, path) != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%.400s: %s", path,
			 errno ? strerror(errno) : "write error");
		remove(tmp);
		return UCF_ERR_RUNTIME;
	}
	return UCF_OK;
}

static void learn_input_error(void *user, const char *name, const char *msg)
{
	(void)user, (void)name, (void)msg; /* the labelling pass reports it */
}

/* --two-pass: first passes over the files that only learn server roles (no records, no payload
 * inspection, so the labelling pass starts from the same state as a single pass would), repeated
 * while they find new roles (a role from a peer's role may need the peer's first: at most 3). */
static int learn_pass(const struct options *o, const struct sig_db *db, struct role_table *roles,
		      char *errbuf)
{
	uint64_t before = UINT64_MAX;
	int rc = UCF_OK;
	for (int pass = 0; pass < 3 && rc == UCF_OK; pass++) {
		struct role_stats st;
		role_table_get_stats(roles, &st);
		if (st.with_role == before)
			break;
		before = st.with_role;
		struct pipeline_config lc = { o->flows, db, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
					      NULL, 0 };
		lc.roles = roles;
		struct pipeline *lp = pipeline_create(&lc, errbuf);
		if (!lp)
			return UCF_ERR_RUNTIME;
		struct cap_source *src = NULL;
		rc = cap_open_offline(&src, o->files, o->nfiles, o->filter, errbuf);
		if (rc == UCF_OK) {
			cap_offline_set_error_fn(src, learn_input_error, NULL);
			pipeline_set_source(lp, src);
			rc = cap_run_batch(src, pipeline_on_input, pipeline_on_batch, NULL, lp,
					   o->count, errbuf);
			pipeline_finish(lp);
			if (rc == UCF_OK && pipeline_error(lp, errbuf))
				rc = UCF_ERR_RUNTIME;
		}
		cap_close(src);
		pipeline_destroy(lp);
		role_table_end_pass(roles);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	char errbuf[UCF_ERRBUF_SIZE] = "";
	int status = 0;
	bool write_error_said = false; /* the output's error was printed (once is enough) */

	int rc = main_parse_options(argc, argv, &o);
	if (rc) {
		main_options_free(&o);
		return rc - 1;
	}
	if (o.list_ifaces) {
		main_options_free(&o);
		if (cap_list_interfaces(stdout, errbuf) != UCF_OK) {
			fprintf(stderr, "ucflow: %s\n", errbuf);
			return EXIT_RUNTIME;
		}
		return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
	}
	if (o.live.iface && o.nfiles) {
		fprintf(stderr, "ucflow: give either -r FILE or -i IFACE, not both\n");
		main_options_free(&o);
		return EXIT_USAGE;
	}
	if (o.append && !o.outfile) {
		fprintf(stderr, "ucflow: -a needs -o FILE\n");
		main_options_free(&o);
		return EXIT_USAGE;
	}
	const char *sigdir = main_signature_dir(&o);
	if (!o.check_signatures && !o.list_rules &&
	    (rc = check_paths(&o, sigdir, errbuf)) != UCF_OK) {
		fprintf(stderr, "ucflow: %s\n", errbuf);
		main_options_free(&o);
		return rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
	}
	/* past a file size limit (ulimit -f), write(2) fails with EFBIG instead of killing us: the
	 * writer then keeps the file to its last whole record and the run says so */
	signal(SIGXFSZ, SIG_IGN);

	struct sig_db *db = NULL;
	if (sig_db_load(&db, sigdir, o.site, errbuf, sizeof errbuf) != UCF_OK) {
		fprintf(stderr, "ucflow: %s\n", errbuf);
		main_options_free(&o);
		return EXIT_USAGE;
	}
	if (o.check_signatures || o.list_rules) {
		if (o.check_signatures)
			sig_db_print_counts(db, stdout);
		if (o.list_rules)
			sig_db_print_rules(db, stdout);
		sig_db_free(db);
		main_options_free(&o);
		return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
	}
	if (o.njson) {
		rc = report_from_json(db, o.report, o.json_files, o.njson, errbuf);
		if (rc != UCF_OK && errbuf[0])
			fprintf(stderr, "ucflow: %s\n", errbuf);
		sig_db_free(db);
		main_options_free(&o);
		return rc == UCF_OK ? 0 : rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (o.nfiles == 0 && !o.live.iface) {
		fprintf(stderr, "ucflow: no input: give -r FILE or -i IFACE (see ucflow --help)\n");
		sig_db_free(db);
		main_options_free(&o);
		return EXIT_USAGE;
	}

	const char *fmtname = o.format;
	if (!fmtname)
		fmtname = (!o.outfile && isatty(STDOUT_FILENO)) ? "text" : "json";
	const struct out_format *fmt = out_format_find(fmtname);
	if (!fmt) {
		fprintf(stderr, "ucflow: -T: unknown format '%s' (json, csv, text)\n", fmtname);
		sig_db_free(db);
		main_options_free(&o);
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
			main_options_free(&o);
			return EXIT_RUNTIME;
		}
	}
	uint64_t uid_seed = o.uid_seed_set ? o.uid_seed : random_seed();
	struct out_names names = { .db = db, .ev = ev, .tunnel_of = tunnel_name, .user = &tables,
				   .community_id_seed = o.community_id_seed,
				   .uid_key = out_uid_key(uid_seed),
				   .json_all_fields = o.json_all_fields != 0 };
	names.role_text = role_describe;
	struct out_writer *out = NULL;
	struct cap_source *src = NULL;
	struct pipeline *pl = NULL;
	struct report *report = NULL;
	struct exporter **exports = NULL;
	size_t nexports = 0;
	struct role_table *roles = NULL;
	struct run_inputs inputs = { o.files, o.nfiles, o.nfiles, NULL, NULL, NULL, 0, 0 };
	if (!tables.tunnels || !(inputs.v = calloc(o.nfiles + 1, sizeof *inputs.v))) {
		status = EXIT_RUNTIME;
		goto done;
	}
	if (!o.no_roles && role_table_create(&roles, db, 0, errbuf) != UCF_OK) {
		status = EXIT_RUNTIME;
		goto done;
	}
	names.role_user = roles;
	/* opened now, before any packet: an unwritable output fails at once */
	if (out_open_flags(&out, fmt, o.outfile, &names, o.append ? OUT_APPEND : 0, errbuf) !=
	    UCF_OK) {
		status = EXIT_RUNTIME;
		goto done;
	}
	if (o.two_pass && (rc = learn_pass(&o, db, roles, errbuf)) != UCF_OK) {
		status = rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
		goto done;
	}
	struct pipeline_config pc = { o.flows, db, out, tables.tunnels, ev, NULL, NULL, NULL, NULL, 0,
				      roles, 0 };
	/* The second look: offline only (a live record is written when its flow ends), and not
	 * after --two-pass, whose roles are the whole input's already. */
	if (!o.no_second_look && !o.two_pass && !o.live.iface)
		pc.second_look = o.second_look_max ? o.second_look_max : ROLE_DEFER_DEFAULT_MAX;
	if (o.nipfix && !(exports = calloc(o.nipfix, sizeof *exports))) {
		snprintf(errbuf, sizeof errbuf, "out of memory");
		status = EXIT_RUNTIME;
		goto done;
	}
	for (; nexports < o.nipfix; nexports++) {
		rc = export_open(&exports[nexports], o.ipfix[nexports], &o.export, &names, errbuf);
		if (rc != UCF_OK) {
			status = rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
			goto done;
		}
	}
	pc.exports = exports;
	pc.nexports = nexports;
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
			{ sigdir, o.site, o.stats_s, o.flush_s, o.live.snaplen, o.quiet != 0,
			  NULL, NULL, NULL, 0 },
			o.count, fmt, &names, o.outfile, report, o.quiet != 0, roles,
		};
		wc.live.bpf = o.filter;
		wc.lc.exports = exports; /* shared by the workers, under a lock (live_workers.c) */
		wc.lc.nexports = nexports;
		rc = live_workers_run(&wc, out, &db, errbuf);
		if (rc != UCF_OK) {
			status = rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
			fprintf(stderr, "ucflow: %s\n", errbuf);
			errbuf[0] = '\0';
		}
		goto finish_report;
	}
	inputs.pl = pl;
	inputs.report = report;
	if (o.live.iface) {
		o.live.bpf = o.filter;
		rc = cap_open_live(&src, &o.live, errbuf);
		if (rc == UCF_OK && errbuf[0]) { /* e.g. promiscuous mode not supported */
			fprintf(stderr, "ucflow: warning: %s\n", errbuf);
			errbuf[0] = '\0';
		}
	} else {
		rc = cap_open_offline(&src, o.files, o.nfiles, o.filter, errbuf);
		if (rc == UCF_OK && !o.stop_on_error)
			cap_offline_set_error_fn(src, run_on_input_error, &inputs);
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
	/* the report is written as USER from now on: checked again as USER, still before reading */
	if (o.user && o.report && out_path_check_replaceable(o.report, errbuf) != UCF_OK) {
		status = EXIT_RUNTIME;
		goto done;
	}
	pipeline_set_source(pl, src);
	struct report_run rrun = { pl, src, o.live.iface != NULL };
	if (report)
		report_set_counters_fn(report, report_run_counters, &rrun);
	if (o.live.iface) {
		struct live_config lc = { sigdir, o.site, o.stats_s, o.flush_s, o.live.snaplen,
					  o.quiet != 0, NULL, NULL, NULL, 0 };
		lc.exports = exports;
		lc.nexports = nexports;
		if (report) {
			lc.db_changed = report_on_db_changed;
			lc.db_changed_user = report;
		}
		live_install_signals(src);
		rc = live_run(&lc, src, pl, out, &db, o.count, errbuf);
	} else {
		rc = cap_run_batch(src, run_on_input, run_on_batch, NULL, &inputs, o.count,
				   errbuf);
		input_settle(&inputs);
	}
	if (rc != UCF_OK) {
		/* the cause first, then (for runtime errors) what was still written */
		status = rc == UCF_ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
		fprintf(stderr, "ucflow: %s\n", errbuf);
		errbuf[0] = '\0';
	}
	/* Whatever stopped the input, every flow seen so far is written, and pushed to the file
	 * before the summary counts what reached it. */
	pipeline_finish(pl);
	if (pipeline_error(pl, errbuf) || out_flush(out, errbuf) != UCF_OK) {
		fprintf(stderr, "ucflow: %s\n", errbuf);
		errbuf[0] = '\0';
		write_error_said = true;
		if (!status)
			status = EXIT_RUNTIME;
	}
	if (inputs.failed && !status)
		status = EXIT_RUNTIME;
	if (!o.quiet && status != EXIT_USAGE) {
		pipeline_print_summary(pl, stderr);
		pipeline_print_second_look(pl, stderr, o.verbose > 0);
		print_inputs(&inputs, stderr, o.verbose > 0);
		if (o.verbose)
			print_details(out, uid_seed, stderr);
		if (o.live.iface)
			live_print_summary(stderr);
	}
finish_report:
	for (int i = 0; i < 2 && status != EXIT_USAGE; i++) {
		const char *inv = i ? o.write_site : o.servers_file;
		char reb[UCF_ERRBUF_SIZE] = "";
		if (inv && write_whole(inv, roles, db, i ? role_write_site : role_write_servers, reb) !=
				   UCF_OK) {
			fprintf(stderr, "ucflow: %s\n", reb);
			if (!status)
				status = EXIT_RUNTIME;
		}
	}
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
	for (size_t i = 0; i < nexports; i++) {
		/* what could not be delivered is said even with -q: never a silent loss */
		char eb[UCF_ERRBUF_SIZE];
		struct export_stats xs;
		if (export_finish(exports[i], eb) != UCF_OK && !status)
			status = EXIT_RUNTIME;
		export_get_stats(exports[i], &xs);
		if ((!o.quiet && status != EXIT_USAGE) || xs.dropped)
			export_print_stats(exports[i], stderr);
		if (export_close(exports[i], eb) != UCF_OK) {
			fprintf(stderr, "ucflow: %s\n", eb);
			if (!status)
				status = EXIT_RUNTIME;
		}
	}
	free(exports);
	if (out) {
		char eb[UCF_ERRBUF_SIZE];
		if (out_close(out, eb) != UCF_OK) {
			if (!write_error_said)
				fprintf(stderr, "ucflow: %s\n", eb);
			if (!status)
				status = EXIT_RUNTIME;
		}
	}
	cap_close(src);
	pipeline_destroy(pl);
	role_table_destroy(roles);
	report_free(report);
	evidence_destroy(ev);
	tunnel_intern_destroy(tables.tunnels);
	sig_db_free(db);
	for (size_t i = 0; inputs.v && i < inputs.n; i++)
		free(inputs.v[i].error);
	free(inputs.v);
	main_options_free(&o);
	return status;
}
