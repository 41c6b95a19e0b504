/* out_writer.c - the output stage's writer: whole records to a file or stdout with write(2).
 *
 * Records are queued whole in a buffer and leave in one write(2) per OUT_BUF_BYTES (a 25k-flow
 * capture made 4,700 write calls with stdio's 4 KiB; the consumer thread is on the critical path).
 * A write that fails part way (ENOSPC, EIO, EFBIG past a file size limit) leaves no cut record: the
 * writer knows where each queued record ends, counts those that reached the file whole, and cuts a
 * regular file back to the end of the last of them (ftruncate). After the first error nothing more
 * is written, and every later record is counted as lost, so the summary says what is on disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_internal.h"

static int set_error(struct out_writer *w, int err)
{
	if (!w->error)
		w->error = err ? err : EIO;
	return UCF_ERR_RUNTIME;
}

/* Writes the queued records. On an error, the records written whole stay and are counted; a cut
 * one is truncated away where the file allows it; the rest are counted as lost. */
static int flush_buffer(struct out_writer *w)
{
	size_t done = 0;
	int err = 0;
	while (done < w->blen) {
		ssize_t n = write(w->fd, w->buf + done, w->blen - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (n == 0) {
			err = EIO;
			break;
		}
		done += (size_t)n;
	}
	/* the records that reached the file whole */
	unsigned whole = 0;
	size_t whole_end = 0;
	for (; whole < w->nrec && w->rec_end[whole] <= done; whole++) {
		whole_end = w->rec_end[whole];
		if (w->rec_kind[whole] == OUT_KIND_HEADER)
			continue;
		w->records++;
		if (w->rec_kind[whole] == OUT_KIND_INTERIM)
			w->interim++;
	}
	w->bytes += whole_end;
	if (err) {
		for (unsigned i = whole; i < w->nrec; i++)
			if (w->rec_kind[i] != OUT_KIND_HEADER)
				w->lost++;
		size_t cut = done - whole_end;
		if (cut && w->seekable) {
			/* the file ends after the cut bytes (O_APPEND: the offset is the end) */
			off_t end = lseek(w->fd, 0, SEEK_CUR);
			if (end >= (off_t)cut && ftruncate(w->fd, end - (off_t)cut) == 0)
				lseek(w->fd, end - (off_t)cut, SEEK_SET);
		}
		set_error(w, err);
	}
	w->blen = 0;
	w->nrec = 0;
	return err ? UCF_ERR_RUNTIME : UCF_OK;
}

/* A sink writer (out_open_sink) hands each record on whole; what the sink accepted counts. */
static int emit_to_sink(struct out_writer *w, size_t n)
{
	int e = w->sink(w->sink_user, w->line, n);
	if (e) {
		set_error(w, e);
		if (w->cur_kind != OUT_KIND_HEADER)
			w->lost++;
		return UCF_ERR_RUNTIME;
	}
	w->bytes += n;
	if (w->cur_kind != OUT_KIND_HEADER) {
		w->records++;
		if (w->cur_kind == OUT_KIND_INTERIM)
			w->interim++;
	}
	return UCF_OK;
}

int out_line_emit(struct out_writer *w)
{
	w->line[w->len++] = '\n';
	size_t n = w->len;
	w->len = 0;
	if (w->sink && !w->error)
		return emit_to_sink(w, n);
	if (w->error) {
		if (w->cur_kind != OUT_KIND_HEADER)
			w->lost++;
		return UCF_ERR_RUNTIME;
	}
	if ((w->blen + n > OUT_BUF_BYTES || w->nrec == OUT_BUF_RECS) && flush_buffer(w) != UCF_OK) {
		if (w->cur_kind != OUT_KIND_HEADER)
			w->lost++;
		return UCF_ERR_RUNTIME;
	}
	memcpy(w->buf + w->blen, w->line, n);
	w->blen += n;
	w->rec_end[w->nrec] = (uint32_t)w->blen;
	w->rec_kind[w->nrec++] = w->cur_kind;
	/* a terminal shows each record as it ends, as stdio's line buffering did */
	if (w->tty)
		return flush_buffer(w);
	return UCF_OK;
}

/* Writes the format's header (CSV columns, the text table's title) unless the writer appends to
 * a file that already holds records. */
static void begin(struct out_writer *w, bool file_empty)
{
	if (!w->fmt->begin || !file_empty)
		return;
	w->cur_kind = OUT_KIND_HEADER;
	if (w->fmt->begin(w) != UCF_OK)
		set_error(w, EIO);
}

static int open_fd(struct out_writer *w, int extra_flags, bool *empty, char *errbuf)
{
	*empty = true;
	if (!w->path) {
		w->fd = STDOUT_FILENO;
	} else {
		w->fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | extra_flags, 0666);
		if (w->fd < 0) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot open output %s: %s", w->path,
				 strerror(errno));
			return UCF_ERR_RUNTIME;
		}
	}
	struct stat st;
	w->seekable = fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode);
	if (w->seekable && st.st_size > 0)
		*empty = false;
	w->tty = isatty(w->fd);
	return UCF_OK;
}

int out_open_flags(struct out_writer **wp, const struct out_format *fmt, const char *path,
		   const struct out_names *names, unsigned flags, char *errbuf)
{
	*wp = NULL;
	if (!fmt) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "unknown output format");
		return UCF_ERR_CONFIG;
	}
	struct out_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->buf = malloc(OUT_BUF_BYTES))) {
		free(w);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	w->fmt = fmt;
	w->flags = flags;
	w->fd = -1;
	if (names)
		w->names = *names;
	if (path && strcmp(path, "-") != 0 && !(w->path = strdup(path))) {
		free(w->buf);
		free(w);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	bool empty;
	/* a new run replaces the file unless -a; a reopen after rotation always appends */
	int rc = open_fd(w, (flags & OUT_APPEND) || !w->path ? 0 : O_TRUNC, &empty, errbuf);
	if (rc != UCF_OK) {
		free(w->path);
		free(w->buf);
		free(w);
		return rc;
	}
	/* stdout gets its header whatever it holds: it may be a pipe */
	begin(w, empty || !w->path);
	*wp = w;
	return UCF_OK;
}

int out_open(struct out_writer **w, const struct out_format *fmt, const char *path,
	     const struct out_names *names, char *errbuf)
{
	return out_open_flags(w, fmt, path, names, 0, errbuf);
}

int out_open_sink(struct out_writer **wp, const struct out_format *fmt, const struct out_names *names,
		  out_sink_fn sink, void *sink_user, const char *name, char *errbuf)
{
	*wp = NULL;
	struct out_writer *w = calloc(1, sizeof *w);
	if (!w || (name && !(w->path = strdup(name)))) {
		free(w);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	w->fmt = fmt;
	w->fd = -1;
	if (names)
		w->names = *names;
	w->sink = sink;
	w->sink_user = sink_user;
	*wp = w;
	return UCF_OK;
}

int out_write_raw(struct out_writer *w, const char *rec, size_t len)
{
	if (w->error)
		return w->error;
	if ((w->blen + len > OUT_BUF_BYTES || w->nrec == OUT_BUF_RECS) && flush_buffer(w) != UCF_OK)
		return w->error;
	if (len > OUT_BUF_BYTES) { /* never for one record (OUT_LINE_MAX); whole or not at all */
		set_error(w, EMSGSIZE);
		return w->error;
	}
	memcpy(w->buf + w->blen, rec, len);
	w->blen += len;
	w->rec_end[w->nrec] = (uint32_t)w->blen;
	w->rec_kind[w->nrec++] = OUT_KIND_FINAL;
	if (w->tty)
		flush_buffer(w);
	return w->error;
}

int out_write_flow(struct out_writer *w, const struct flow *f, enum flow_end why)
{
	w->cur_kind = why == FLOW_END_ACTIVE ? OUT_KIND_INTERIM : OUT_KIND_FINAL;
	if ((unsigned)why <= FLOW_END_ACTIVE)
		w->by_end[why]++;
	int rc = w->fmt->flow(w, f, why);
	return w->error ? UCF_ERR_RUNTIME : rc;
}

static int report_error(const struct out_writer *w, char *errbuf)
{
	snprintf(errbuf, UCF_ERRBUF_SIZE, "error writing %s: %s", w->path ? w->path : "stdout",
		 strerror(w->error));
	return UCF_ERR_RUNTIME;
}

int out_flush(struct out_writer *w, char *errbuf)
{
	if (!w->error && w->blen && !w->sink)
		flush_buffer(w);
	return w->error ? report_error(w, errbuf) : UCF_OK;
}

int out_reopen(struct out_writer *w, char *errbuf)
{
	if (w->sink)
		return w->error ? report_error(w, errbuf) : UCF_OK;
	if (!w->path)
		return out_flush(w, errbuf);
	/* everything queued goes to the old file (the rotated one) first */
	if (out_flush(w, errbuf) != UCF_OK)
		return UCF_ERR_RUNTIME;
	/* Open the new file before closing the old one: when that fails (e.g. after -Z the directory
	 * is not writable), records go on into the old one and the error is reported, not lost. */
	int old = w->fd;
	bool old_seekable = w->seekable, old_tty = w->tty, empty;
	if (open_fd(w, 0, &empty, errbuf) != UCF_OK) {
		w->fd = old;
		w->seekable = old_seekable;
		w->tty = old_tty;
		return UCF_ERR_RUNTIME;
	}
	if (close(old) != 0)
		set_error(w, errno);
	/* a fresh file gets its header again (CSV) */
	begin(w, empty);
	return w->error ? report_error(w, errbuf) : UCF_OK;
}

void out_set_db(struct out_writer *w, const struct sig_db *db)
{
	w->names.db = db;
}

int out_close(struct out_writer *w, char *errbuf)
{
	if (!w)
		return UCF_OK;
	if (w->fmt->end && !w->error && !w->sink) {
		w->cur_kind = OUT_KIND_HEADER;
		w->fmt->end(w);
	}
	if (!w->error && w->blen)
		flush_buffer(w);
	if (w->path && !w->sink && w->fd >= 0 && close(w->fd) != 0)
		set_error(w, errno);
	int rc = w->error ? report_error(w, errbuf) : UCF_OK;
	free(w->buf);
	free(w->path);
	free(w);
	return rc;
}

uint64_t out_records_written(const struct out_writer *w)
{
	uint64_t queued = 0;
	for (unsigned i = 0; i < w->nrec; i++)
		queued += w->rec_kind[i] != OUT_KIND_HEADER;
	return w->records + queued;
}

void out_get_counts(const struct out_writer *w, struct out_counts *c)
{
	memset(c, 0, sizeof *c);
	c->records = w->records;
	c->interim = w->interim;
	c->lost = w->lost;
	c->queued = 0;
	for (unsigned i = 0; i < w->nrec; i++)
		if (w->rec_kind[i] != OUT_KIND_HEADER)
			c->queued++;
	c->bytes = w->bytes;
	memcpy(c->by_end, w->by_end, sizeof c->by_end);
}
