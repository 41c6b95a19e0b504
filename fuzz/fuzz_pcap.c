/* fuzz_pcap.c - libFuzzer target: a whole capture file (pcap or pcapng, as libpcap reads them)
 * through the offline capture source and the pipeline, as main() runs them, writing JSON to
 * /dev/null.
 *
 * The input is written to a memfd (a tmpfile where memfd_create is missing) and opened by name
 * through /proc/self/fd, so the capture source reads it exactly as it reads a file given with -r.
 * Each input gets a fresh pipeline; the signature database, the payload-evidence stage (on, as
 * main() runs it by default), the tunnel table and the writer are shared. Packets go through
 * cap_run_batch and pipeline_on_batch, as main() runs them.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_harness.h"

static FILE *devnull;
static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	harness_init("fuzz_pcap");
	devnull = fopen("/dev/null", "w");
#ifdef MFD_CLOEXEC
	fd = memfd_create("fuzz_pcap", MFD_CLOEXEC);
#endif
	if (fd < 0) {
		FILE *tf = tmpfile();
		fd = tf ? dup(fileno(tf)) : -1;
	}
	if (fd < 0 || !devnull) {
		perror("fuzz_pcap: memfd");
		abort();
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();

	/* Both offline paths: one input in four (by length) through the reader thread and its ring,
	 * the rest through the synchronous loop, which runs about twice as many inputs a second. */
	setenv("UCFLOW_READER_THREAD", size % 4 == 0 ? "1" : "0", 1);
	char errbuf[UCF_ERRBUF_SIZE] = "";
	struct pipeline *pl = harness_pipeline(4096);
	const char *files[] = { path };
	struct cap_source *src = NULL;
	if (cap_open_offline(&src, files, 1, NULL, errbuf) == UCF_OK) {
		pipeline_set_source(pl, src);
		(void)cap_run_batch(src, pipeline_on_input, pipeline_on_batch, NULL, pl, 0, errbuf);
	}
	/* as main does: whatever stopped the input, every flow seen so far is written */
	pipeline_finish(pl);
	pipeline_print_summary(pl, devnull);
	cap_close(src);
	pipeline_destroy(pl);
	return 0;
}
