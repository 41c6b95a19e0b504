/* fuzz_sigparse.c - libFuzzer target: the signature-table and site-file parser (classify.h,
 * signatures/FORMAT.md) on arbitrary text, through sig_db_load() as main() calls it; a table that
 * loads may then be printed (--check-signatures, --list-rules) to /dev/null.
 *
 * Input: byte 0 chooses the role, the rest is the file. Bit 0 clear: the only *.sig file of an
 * otherwise empty signature directory; set: the site file, loaded after the small tables of the
 * classifier's unit tests (tests/sig/classify: apps alpha and beta), which it may refer to
 * (loading the project's full tables for every input would make the target far slower). Bit 1:
 * print the loaded tables to /dev/null. The parser reads files, so the input is written to a
 * private temporary directory. Inputs that would `include` a path with a '/' are skipped: they
 * would read the real file system (device files, the project tree), which is not under test.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"

#ifndef FUZZ_SITE_SIGDIR
#define FUZZ_SITE_SIGDIR "tests/sig/classify"
#endif

static char dir[64], sig_path[96], site_path[96];
static FILE *devnull;
static const char *sigdir;

static void cleanup(void)
{
	unlink(sig_path);
	unlink(site_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/ucflow-fuzz-sig.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz_sigparse: mkdtemp");
		abort();
	}
	snprintf(sig_path, sizeof sig_path, "%s/fuzz.sig", dir);
	snprintf(site_path, sizeof site_path, "%s/site.txt", dir);
	atexit(cleanup);
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	const char *env = getenv("FUZZ_SITE_SIGDIR");
	sigdir = env && *env ? env : FUZZ_SITE_SIGDIR;
	return 0;
}

static bool writes_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return false;
	bool ok = fwrite(data, 1, size, fp) == size;
	return fclose(fp) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool site = data[0] & 1, print = data[0] & 2;
	data++;
	size--;
	if (memmem(data, size, "include", 7) && memchr(data, '/', size))
		return -1;
	if (!writes_file(site ? site_path : sig_path, data, size))
		abort();

	struct sig_db *db = NULL;
	char errbuf[UCF_ERRBUF_SIZE];
	int rc = sig_db_load(&db, site ? sigdir : dir, site ? site_path : NULL, errbuf,
			     sizeof errbuf);
	if (rc == UCF_OK) {
		if (!db)
			abort();
		if (print) {
			sig_db_print_counts(db, devnull);
			sig_db_print_rules(db, devnull);
		}
	} else if (db || !errbuf[0] || !memchr(errbuf, '\0', sizeof errbuf)) {
		abort(); /* the contract: NULL database and a message on error */
	}
	sig_db_free(db);
	return 0;
}
