/* check_out_writer.c - the writer keeps records whole (a write cut by a file size limit is truncated
 * back to the last whole record, and the counts say what is on disk), appends with OUT_APPEND (CSV
 * header once), and out_path.c refuses an output that is an input or another output. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output.h"
#include "run_suite.h"

/* No ck_assert here: the size-limit child uses it, and Check's messages must come from the test
 * process only. */
static struct flow sample_flow(unsigned i)
{
	struct flow f;
	memset(&f, 0, sizeof f);
	static const uint8_t a[4] = { 10, 0, 0, 2 }, b[4] = { 10, 0, 0, 3 };
	ucf_addr_set_v4(&f.key.a, a);
	ucf_addr_set_v4(&f.key.b, b);
	f.key.port_a = 40000;
	f.key.port_b = 5062;
	f.key.proto = 17;
	f.orig_is_a = 1;
	f.uid = i + 1;
	f.ts_first = 1700000000123456ULL;
	f.ts_last = 1700000001500000ULL;
	f.dir[0].pkts = i;
	f.label.rule = FLOW_RULE_NONE;
	f.label.expected_dscp = 0xff;
	return f;
}

static char dir[] = "/tmp/ucflow-ckw-XXXXXX";

static void setup(void)
{
	strcpy(dir, "/tmp/ucflow-ckw-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *at(const char *name)
{
	static char p[4][256];
	static unsigned k;
	char *s = p[k++ % 4];
	snprintf(s, 256, "%s/%s", dir, name);
	return s;
}

static void touch(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

/* Lines in path, each checked to end with "}\n" (JSON) or any '\n' (other formats). */
static unsigned whole_lines(const char *path, bool json)
{
	FILE *fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	static char line[16384];
	unsigned n = 0;
	while (fgets(line, sizeof line, fp)) {
		size_t len = strlen(line);
		ck_assert_msg(len && line[len - 1] == '\n', "line %u is cut", n + 1);
		if (json)
			ck_assert_msg(len > 2 && line[0] == '{' && line[len - 2] == '}',
				      "line %u is not a whole record", n + 1);
		n++;
	}
	fclose(fp);
	return n;
}

/* In a child under a file size limit of `limit` bytes: writes n records, then reports the counts
 * through a pipe. The file must hold exactly the records counted, whole. */
static void limited_run(const char *format, rlim_t limit, unsigned n, struct out_counts *c, int *rc)
{
	int pfd[2];
	const char *path = at("lim.out");
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { limit, limit };
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		struct out_writer *w;
		char err[UCF_ERRBUF_SIZE];
		if (out_open(&w, out_format_find(format), path, NULL, err) != UCF_OK)
			_exit(4);
		for (unsigned i = 0; i < n; i++) {
			struct flow f = sample_flow(i);
			out_write_flow(w, &f, i % 3 == 0 ? FLOW_END_ACTIVE : FLOW_END_EOF);
		}
		int r = out_flush(w, err);
		struct out_counts oc;
		out_get_counts(w, &oc);
		r |= out_close(w, err) << 4;
		if (write(pfd[1], &oc, sizeof oc) != sizeof oc || write(pfd[1], &r, sizeof r) != sizeof r)
			_exit(5);
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], c, sizeof *c), (ssize_t)sizeof *c);
	ck_assert_int_eq(read(pfd[0], rc, sizeof *rc), (ssize_t)sizeof *rc);
	close(pfd[0]);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

START_TEST(size_limit_keeps_whole_records)
{
	/* limits that cut records at various points, including inside the first one */
	static const rlim_t limits[] = { 100, 1000, 4096, 5000, 12345 };
	for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
		struct out_counts c;
		int rc;
		limited_run("json", limits[k], 200, &c, &rc);
		ck_assert_int_ne(rc, UCF_OK);
		unsigned lines = whole_lines(at("lim.out"), true);
		ck_assert_uint_eq(c.records, lines);
		ck_assert_uint_eq(c.records + c.lost, 200);
		ck_assert_uint_gt(c.lost, 0);
		/* interim records (every third, from the first) are counted apart */
		ck_assert_uint_eq(c.interim, (lines + 2) / 3);
		struct stat st;
		ck_assert_int_eq(stat(at("lim.out"), &st), 0);
		ck_assert_uint_le((uint64_t)st.st_size, limits[k]);
		ck_assert_uint_eq(c.bytes, (uint64_t)st.st_size);
	}
}
END_TEST

START_TEST(size_limit_csv_header)
{
	struct out_counts c;
	int rc;
	limited_run("csv", 3000, 100, &c, &rc);
	ck_assert_int_ne(rc, UCF_OK);
	unsigned lines = whole_lines(at("lim.out"), false);
	ck_assert_uint_eq(c.records + 1, lines); /* the header is no record */
}
END_TEST

START_TEST(no_limit_counts_everything)
{
	struct out_counts c;
	int rc;
	limited_run("json", RLIM_INFINITY, 300, &c, &rc);
	ck_assert_int_eq(rc, UCF_OK);
	ck_assert_uint_eq(c.records, 300);
	ck_assert_uint_eq(c.lost, 0);
	ck_assert_uint_eq(whole_lines(at("lim.out"), true), 300);
}
END_TEST

static void write_n(const char *format, const char *path, unsigned flags, unsigned n)
{
	struct out_writer *w;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(out_open_flags(&w, out_format_find(format), path, NULL, flags, err), UCF_OK);
	for (unsigned i = 0; i < n; i++) {
		struct flow f = sample_flow(i);
		ck_assert_int_eq(out_write_flow(w, &f, FLOW_END_EOF), UCF_OK);
	}
	ck_assert_int_eq(out_close(w, err), UCF_OK);
}

START_TEST(append_and_replace)
{
	write_n("json", at("a.json"), 0, 5);
	write_n("json", at("a.json"), OUT_APPEND, 7);
	ck_assert_uint_eq(whole_lines(at("a.json"), true), 12);
	write_n("json", at("a.json"), 0, 2);
	ck_assert_uint_eq(whole_lines(at("a.json"), true), 2);
	write_n("csv", at("a.csv"), OUT_APPEND, 3); /* a new file: header */
	write_n("csv", at("a.csv"), OUT_APPEND, 4); /* not again */
	ck_assert_uint_eq(whole_lines(at("a.csv"), false), 8);
}
END_TEST

/* ---- out_path.c ---- */

static int add_out(struct out_paths *ps, const char *what, const char *path, char *err)
{
	return out_paths_add_output(ps, what, path, err);
}

START_TEST(paths_same_file)
{
	char err[UCF_ERRBUF_SIZE];
	touch(at("in.pcap"), "x");
	ck_assert_int_eq(link(at("in.pcap"), at("hard.txt")), 0);
	ck_assert_int_eq(symlink("in.pcap", at("soft.txt")), 0);
	ck_assert_int_eq(mkdir(at("sub"), 0700), 0);
	const char *same[] = { at("in.pcap"), at("hard.txt"), at("soft.txt") };
	for (size_t i = 0; i < 3; i++) {
		struct out_paths *ps = out_paths_create();
		ck_assert_int_eq(out_paths_add_input(ps, "-r", at("in.pcap"), err), UCF_OK);
		ck_assert_int_eq(add_out(ps, "-o", same[i], err), UCF_ERR_CONFIG);
		ck_assert_ptr_nonnull(strstr(err, "refusing to overwrite an input"));
		out_paths_free(ps);
	}
	char other[300];
	snprintf(other, sizeof other, "%s/sub/../in.pcap", dir);
	struct out_paths *ps = out_paths_create();
	ck_assert_int_eq(out_paths_add_input(ps, "-r", at("in.pcap"), err), UCF_OK);
	ck_assert_int_eq(add_out(ps, "-o", other, err), UCF_ERR_CONFIG);
	out_paths_free(ps);
}
END_TEST

START_TEST(paths_outputs_to_be_created)
{
	char err[UCF_ERRBUF_SIZE];
	char other[300];
	snprintf(other, sizeof other, "%s/sub/../new.txt", dir);
	ck_assert_int_eq(mkdir(at("sub"), 0700), 0);
	ck_assert_int_eq(symlink("new.txt", at("dangling.txt")), 0);
	struct out_paths *ps = out_paths_create();
	ck_assert_int_eq(add_out(ps, "-o", at("new.txt"), err), UCF_OK);
	ck_assert_int_eq(add_out(ps, "--report", other, err), UCF_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "refusing to overwrite an output"));
	ck_assert_int_eq(add_out(ps, "--report", at("dangling.txt"), err), UCF_ERR_CONFIG);
	ck_assert_int_eq(add_out(ps, "--report", at("other.txt"), err), UCF_OK);
	ck_assert_int_eq(access(at("new.txt"), F_OK), -1); /* nothing was created */
	out_paths_free(ps);
}
END_TEST

START_TEST(paths_inputs_may_repeat_devices_skipped)
{
	char err[UCF_ERRBUF_SIZE];
	touch(at("in.pcap"), "x");
	struct out_paths *ps = out_paths_create();
	/* reading a file twice destroys nothing */
	ck_assert_int_eq(out_paths_add_input(ps, "-r", at("in.pcap"), err), UCF_OK);
	ck_assert_int_eq(out_paths_add_input(ps, "-r", at("in.pcap"), err), UCF_OK);
	/* a missing input is left to the reader's own message */
	ck_assert_int_eq(out_paths_add_input(ps, "-r", at("missing.pcap"), err), UCF_OK);
	ck_assert_int_eq(add_out(ps, "-o", at("missing.pcap"), err), UCF_OK);
	ck_assert_int_eq(add_out(ps, "-o", "/dev/null", err), UCF_OK);
	ck_assert_int_eq(add_out(ps, "--report", "/dev/null", err), UCF_OK);
	out_paths_free(ps);
}
END_TEST

START_TEST(paths_input_dir)
{
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(mkdir(at("sigs"), 0700), 0);
	touch(at("sigs/a.sig"), "x");
	struct out_paths *ps = out_paths_create();
	ck_assert_int_eq(out_paths_add_input_dir(ps, "signature file in", at("sigs"), err), UCF_OK);
	ck_assert_int_eq(add_out(ps, "-o", at("sigs/b.sig"), err), UCF_OK);
	ck_assert_int_eq(add_out(ps, "--report", at("sigs/a.sig"), err), UCF_ERR_CONFIG);
	out_paths_free(ps);
}
END_TEST

START_TEST(paths_replaceable)
{
	char err[UCF_ERRBUF_SIZE];
	touch(at("plain"), "x");
	ck_assert_int_eq(out_path_check_replaceable(at("r.txt"), err), UCF_OK);
	ck_assert_int_eq(access(at("r.txt"), F_OK), -1); /* the probe leaves nothing behind */
	ck_assert_int_eq(out_path_check_replaceable(at("plain/r.txt"), err), UCF_ERR_RUNTIME);
	ck_assert_ptr_nonnull(strstr(err, "Not a directory"));
	ck_assert_int_eq(out_path_check_replaceable(at("none/r.txt"), err), UCF_ERR_RUNTIME);
	ck_assert_int_eq(out_path_check_replaceable(dir, err), UCF_ERR_RUNTIME);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("out_writer");
	TCase *tc = tcase_create("writer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, size_limit_keeps_whole_records);
	tcase_add_test(tc, size_limit_csv_header);
	tcase_add_test(tc, no_limit_counts_everything);
	tcase_add_test(tc, append_and_replace);
	suite_add_tcase(s, tc);
	TCase *tp = tcase_create("paths");
	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_add_test(tp, paths_same_file);
	tcase_add_test(tp, paths_outputs_to_be_created);
	tcase_add_test(tp, paths_inputs_may_repeat_devices_skipped);
	tcase_add_test(tp, paths_input_dir);
	tcase_add_test(tp, paths_replaceable);
	suite_add_tcase(s, tp);
	return run_suite(s);
}
