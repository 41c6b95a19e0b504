/* report_io.c - the audit report's files: reading saved flow records, writing the report atomically. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"

/* Lines come from one large buffer filled by read(2): no stdio, no per-line allocation. The
 * buffer holds the longest line the parser accepts (RJ_MAX_LINE); a longer line is handed over
 * cut (the parser reports it as too long) and the rest of it skipped. */
#define READ_BUF_SIZE (4u << 20)
/* ...but read in pieces that stay in the CPU's cache until parsed: a 4 MB read was copied out to
 * memory and read back by the parser (measured: 256 KB pieces save about 5 % of the CPU time) */
#define READ_CHUNK (256u << 10)

int report_read_jsonl(struct report *r, const char *path, char *errbuf)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot open %s: %s", path, strerror(e));
		report_add_input(r, "flow records", path);
		report_input_failed(r, path, strerror(e));
		return UCF_ERR_RUNTIME;
	}
	const char *name = is_stdin ? "(stdin)" : path;
	report_add_input(r, "flow records", name);
	char *buf = malloc(READ_BUF_SIZE);
	if (!buf) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory reading %s", path);
		report_input_failed(r, name, "out of memory");
		if (!is_stdin)
			close(fd);
		return UCF_ERR_RUNTIME;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	if (!is_stdin)
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
#ifdef F_SETPIPE_SZ
	/* From a pipe: a read returns at most the pipe's buffer (64 KB by default), and each one
	 * waits for the writer: a larger buffer (where allowed; nothing changes where not) means
	 * fewer reads and wake-ups (--from-json - spent twice the system time of a file). */
	if (is_stdin)
		(void)fcntl(fd, F_SETPIPE_SZ, (int)READ_CHUNK * 4);
#endif
	size_t have = 0;
	uint64_t lineno = 0;
	bool skipping = false, eof = false;
	int rc = UCF_OK;
	while (!eof) {
		size_t want = READ_BUF_SIZE - have;
		if (want > READ_CHUNK && have < READ_BUF_SIZE - READ_CHUNK)
			want = READ_CHUNK;
		ssize_t n = read(fd, buf + have, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			snprintf(errbuf, UCF_ERRBUF_SIZE, "error reading %s: %s", path, strerror(e));
			report_input_failed(r, name, strerror(e));
			rc = UCF_ERR_RUNTIME;
			break;
		}
		eof = n == 0;
		have += (size_t)n;
		char *p = buf, *end = buf + have;
		for (;;) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				break;
			if (!skipping) {
				lineno++;
				report_add_json_w(r, p, (size_t)(nl - p), name, lineno);
			}
			skipping = false;
			p = nl + 1;
		}
		if (eof && p < end && !skipping) { /* a last line without its newline */
			lineno++;
			report_add_json_w(r, p, (size_t)(end - p), name, lineno);
			p = end;
		}
		have = (size_t)(end - p);
		if (have == READ_BUF_SIZE) { /* no newline in a full buffer: far too long a line */
			if (!skipping) {
				lineno++;
				report_add_json_w(r, buf, have, name, lineno);
			}
			skipping = true;
			have = 0;
		} else if (have && p != buf) {
			memmove(buf, p, have);
		}
	}
	free(buf);
	if (!is_stdin)
		close(fd);
	return rc;
}

/* ---- writing ---- */

int report_write(struct report *r, const char *path, char *errbuf)
{
	int fmt = report_format_for_path(path);
	if (fmt < 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: unknown report format (use .html, .md or .txt)",
			 path);
		return UCF_ERR_CONFIG;
	}
	size_t tlen = strlen(path) + 32;
	char *tmp = malloc(tlen);
	if (!tmp || report_fill_products(r) != 0) {
		free(tmp);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());
	if (r->counters_fn) {
		r->counters_fn(r->counters_user, &r->run);
		r->have_run = true;
	}
	struct rout o = { fopen(tmp, "w"), 0 };
	if (!o.fp) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return UCF_ERR_RUNTIME;
	}
	if (fmt == REPORT_HTML)
		report_render_html(r, &o);
	else if (fmt == REPORT_MD)
		report_render_md(r, &o);
	else
		report_render_text(r, &o);
	if (fflush(o.fp) != 0 || ferror(o.fp))
		o.error = errno ? errno : EIO;
	if (fclose(o.fp) != 0 && !o.error)
		o.error = errno ? errno : EIO;
	if (!o.error && rename(tmp, path) != 0)
		o.error = errno;
	if (o.error) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot write report %s: %s", path,
			 strerror(o.error));
		unlink(tmp);
		free(tmp);
		return UCF_ERR_RUNTIME;
	}
	free(tmp);
	return UCF_OK;
}

void report_set_output(struct report *r, const char *path, uint64_t interval_s)
{
	r->out_path = path;
	r->interval_s = interval_s;
}

void report_on_tick(void *report, uint64_t now_us)
{
	struct report *r = report;
	uint64_t now_s = now_us / 1000000;
	if (!r->out_path || !r->interval_s)
		return;
	if (!r->tick_started) {
		r->tick_started = true;
		r->last_write_s = now_s;
		return;
	}
	if (now_s < r->last_write_s + r->interval_s)
		return;
	r->last_write_s = now_s;
	char eb[UCF_ERRBUF_SIZE];
	if (report_write(r, r->out_path, eb) != UCF_OK) {
		fprintf(stderr, "ucflow: %s\n", eb);
		if (!r->write_error) {
			r->write_error = UCF_ERR_RUNTIME;
			snprintf(r->write_errbuf, sizeof r->write_errbuf, "%s", eb);
		}
	}
}

int report_write_error(const struct report *r, char *errbuf)
{
	if (r->write_error)
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", r->write_errbuf);
	return r->write_error;
}

void report_on_db_changed(void *report, const struct sig_db *db)
{
	struct report *r = report;
	r->db = db;
	r->names_copy.db = db;
	if (report_index_rules(r) != 0 && !r->write_error) {
		r->write_error = UCF_ERR_RUNTIME;
		snprintf(r->write_errbuf, sizeof r->write_errbuf, "out of memory indexing the rules");
	}
}

int report_finish(struct report *r, const char *path, char *errbuf)
{
	int rc = report_write(r, path, errbuf);
	if (rc != UCF_OK)
		return rc;
	if (report_write_error(r, errbuf))
		return UCF_ERR_RUNTIME;
	if (r->malformed) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%llu malformed flow record%s (listed in %s)",
			 (unsigned long long)r->malformed, r->malformed == 1 ? "" : "s", path);
		return UCF_ERR_RUNTIME;
	}
	return UCF_OK;
}

int report_from_json(const struct sig_db *db, const char *path, const char *const *files,
		     size_t nfiles, char *errbuf)
{
	struct report *r = report_create(db, errbuf);
	if (!r)
		return UCF_ERR_RUNTIME;
	int status = UCF_OK;
	char eb[UCF_ERRBUF_SIZE];
	if (report_read_files(r, files, nfiles, eb) != UCF_OK) {
		status = UCF_ERR_RUNTIME;
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", eb);
	}
	int rc = report_finish(r, path, eb);
	if (rc != UCF_OK && status == UCF_OK) {
		status = rc;
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", eb);
	}
	report_free(r);
	return status;
}
