/* floor.c - the benchmark floor: a bare libpcap read loop over the files, opened exactly as ucflow opens them. */
/*
 * Usage: floor [-b BYTES] FILE...
 *
 * Each file is opened with fopen + setvbuf + pcap_fopen_offline_with_tstamp_precision, as in
 * src/capture_offline.c, and read with pcap_loop. The stdio buffer is ucflow's: 1 MiB on a page
 * boundary (-b gives another size; bench/run.sh also times 256 KiB and takes the faster floor). The callback touches what any consumer must
 * (the header's caplen and the frame's first byte), so the loop cannot be optimised away. Prints
 * the packet count, captured bytes and a checksum of first bytes on stdout.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <stdio_ext.h>
#endif
#include <stdlib.h>
#include <string.h>

#define STDIO_BUF (1u << 20) /* OFFLINE_STDIO_BUF in src/capture_offline.c */
#define STDIO_ALIGN 4096u     /* OFFLINE_STDIO_ALIGN */

struct tally {
	uint64_t packets, bytes, sum;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tally *t = (struct tally *)user;
	t->packets++;
	t->bytes += h->caplen;
	if (h->caplen)
		t->sum += bytes[0];
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 2 ? stderr : stdout, "Usage: floor [-b BYTES] FILE...\n");
		return argc < 2 ? 2 : 0;
	}
	size_t bufsize = STDIO_BUF;
	int first = 1;
	if (strcmp(argv[1], "-b") == 0) {
		char *end;
		unsigned long long v = argc > 2 ? strtoull(argv[2], &end, 10) : 0;
		if (argc < 4 || *end || v < 1024 || v > (1ULL << 30)) {
			fprintf(stderr, "floor: -b takes a size in bytes (1024 to 1 GiB), then files\n");
			return 2;
		}
		bufsize = (size_t)v;
		first = 3;
	}
	char *iobuf = aligned_alloc(STDIO_ALIGN, (bufsize + STDIO_ALIGN - 1) / STDIO_ALIGN * STDIO_ALIGN);
	if (!iobuf) {
		fprintf(stderr, "floor: out of memory\n");
		return 1;
	}
	struct tally t = { 0, 0, 0 };
	for (int i = first; i < argc; i++) {
		char err[PCAP_ERRBUF_SIZE] = "";
		FILE *fp = fopen(argv[i], "rb");
		if (!fp) {
			perror(argv[i]);
			return 1;
		}
		setvbuf(fp, iobuf, _IOFBF, bufsize);
#ifdef FSETLOCKING_BYCALLER
		__fsetlocking(fp, FSETLOCKING_BYCALLER); /* as ucflow (a no-op in one thread) */
#endif
		pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO,
								      err);
		if (!p) {
			fprintf(stderr, "floor: %s: %s\n", argv[i], err);
			fclose(fp);
			return 1;
		}
		if (pcap_loop(p, -1, on_packet, (u_char *)&t) == PCAP_ERROR) {
			fprintf(stderr, "floor: %s: %s\n", argv[i], pcap_geterr(p));
			pcap_close(p);
			return 1;
		}
		pcap_close(p); /* closes fp */
	}
	printf("floor: %llu packets, %llu bytes, checksum %llu\n", (unsigned long long)t.packets,
	       (unsigned long long)t.bytes, (unsigned long long)t.sum);
	free(iobuf);
	return 0;
}
