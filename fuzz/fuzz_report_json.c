/* fuzz_report_json.c - libFuzzer target for the audit report's reader of flow records
 * (src/report_json.c, and report.c's use of it for `--from-json` and records from other sensors).
 *
 * Each input is JSON Lines: every line goes through the strict parser and every value it returns
 * through the typed accessors, then into a fresh report (report_add_json, as --from-json feeds
 * it), which is finally written as a text report, so the aggregation and rendering of what
 * the parser accepted run too. A report per input: a leak or a stale reference shows at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_internal.h"

static void accessors(const struct rj_doc *d)
{
	volatile size_t sink = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct rj_value *v = &d->v[i];
		uint64_t u;
		if (rj_get(d, v->key) != v) /* keys are unique: the lookup finds this one */
			__builtin_trap();
		if (rj_uint(v, UINT64_MAX, &u) == 0)
			sink += (size_t)u;
		if (rj_uint(v, 65535, &u) == 0 && u > 65535)
			__builtin_trap();
		if (rj_seconds_us(v, &u) == 0)
			sink += (size_t)u;
		if (v->type == RJ_STRING)
			sink += strlen(v->s) <= v->len ? v->len : 0;
		for (size_t k = 0; k < v->nitems; k++)
			sink += strlen(v->items[k]);
	}
	(void)sink;
}

/* The report's text rendering goes to a file in a directory of our own (report_write renames
 * a temporary file beside it into place). */
static char outdir[512], outpath[600];

static void cleanup(void)
{
	unlink(outpath);
	rmdir(outdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(outdir, sizeof outdir, "%s/fuzz_report_json.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(outdir))
		abort();
	snprintf(outpath, sizeof outpath, "%s/report.txt", outdir);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], errbuf[UCF_ERRBUF_SIZE];
	struct rj_doc d;
	rj_init(&d);
	struct report *r = report_create(NULL, errbuf);
	if (!r)
		abort();
	const char *s = (const char *)data, *end = s + size;
	uint64_t lineno = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		lineno++;
		if (rj_parse(&d, s, len, err, sizeof err) == 0)
			accessors(&d);
		else if (!memchr(err, '\0', sizeof err))
			__builtin_trap(); /* the message must be a terminated string */
		(void)report_add_json(r, s, len, "fuzz", lineno);
		s += len + (nl != NULL);
	}
	if (report_records(r) + report_malformed(r) != lineno)
		__builtin_trap(); /* every line is either a record or a malformed line */
	(void)report_write(r, outpath, errbuf);
	report_free(r);
	rj_free(&d);
	return 0;
}
