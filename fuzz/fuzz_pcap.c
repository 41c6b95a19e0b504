/* fuzz_pcap.c - libFuzzer target: a whole capture file (pcap or pcapng, as libpcap reads them)
 * through the offline capture source and the pipeline, as main() runs them, writing JSON to
 * /dev/null.
 *
 * The input is written to a memfd (a tmpfile where memfd_create is missing) and opened by name
 * through /proc/self/fd, so the capture source reads it exactly as it reads a file given with -r.
 * Each input gets a fresh pipeline; the signature database, the payload-evidence stage (on, as
 * main() runs it by default), the tunnel table and the writer are shared.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pipeline.h"
#include "classify.h"
#include "evidence.h"
#include "tunnel_intern.h"

#ifndef FUZZ_SIGDIR
#define FUZZ_SIGDIR "signatures"
#endif

static struct sig_db *db;
static struct out_writer *out;
static struct tunnel_intern *tunnels;
static struct evidence_ctx *ev;
static FILE *devnull;
static int fd = -1;
static char path[64];

static const char *tunnel_name(void *user, uint16_t id)
{
	return tunnel_intern_name(user, id);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char errbuf[UCF_ERRBUF_SIZE];
	const char *dir = getenv("UCFLOW_SIGNATURES");
	if (sig_db_load(&db, dir && *dir ? dir : FUZZ_SIGDIR, NULL, errbuf, sizeof errbuf) !=
	    UCF_OK) {
		fprintf(stderr, "fuzz_pcap: signatures: %s\n", errbuf);
		abort();
	}
	/* payload inspection on, as main() runs by default (its state lives across inputs) */
	struct evidence_config ecfg;
	evidence_config_defaults(&ecfg);
	tunnels = tunnel_intern_create(errbuf);
	if (!tunnels || evidence_create(&ev, &ecfg, errbuf) != UCF_OK) {
		fprintf(stderr, "fuzz_pcap: %s\n", errbuf);
		abort();
	}
	struct out_names names = { db, ev, tunnel_name, tunnels };
	if (
	    out_open(&out, out_format_find("json"), "/dev/null", &names, errbuf) != UCF_OK) {
		fprintf(stderr, "fuzz_pcap: %s\n", errbuf);
		abort();
	}
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

	char errbuf[UCF_ERRBUF_SIZE] = "";
	struct pipeline_config pc;
	memset(&pc, 0, sizeof pc);
	flow_table_config_defaults(&pc.flows);
	pc.flows.max_flows = 4096;
	pc.db = db;
	pc.out = out;
	pc.tunnels = tunnels;
	pc.ev = ev;
	struct pipeline *pl = pipeline_create(&pc, errbuf);
	if (!pl)
		abort();
	const char *files[] = { path };
	struct cap_source *src = NULL;
	if (cap_open_offline(&src, files, 1, NULL, errbuf) == UCF_OK) {
		pipeline_set_source(pl, src);
		(void)cap_run(src, pipeline_on_input, pipeline_on_packet, NULL, pl, 0, errbuf);
	}
	/* as main does: whatever stopped the input, every flow seen so far is written */
	pipeline_finish(pl);
	pipeline_print_summary(pl, devnull);
	cap_close(src);
	pipeline_destroy(pl);
	return 0;
}
