/* fuzz_packet.c - libFuzzer target: one frame through the per-packet path (decode, flow table,
 * tunnel description, classification, JSON output) exactly as pipeline_on_packet() runs it.
 *
 * Input: byte 0 picks the link type (from the decoder's list, plus one it rejects), the rest is the
 * frame. The frame is fed twice, one second apart, so both the new-flow and the existing-flow
 * paths run; then the table is flushed. Each input gets a fresh pipeline; the signature database,
 * the payload-evidence stage (on, as main() runs it by default), the tunnel table and the
 * /dev/null writer are shared.
 */
#include "fuzz_harness.h"

static const int linktypes[] = {
	1,   /* EN10MB */   113, /* LINUX_SLL */ 276, /* LINUX_SLL2 */ 12,  /* RAW (Linux) */
	101, /* RAW */      228, /* IPV4 */      229, /* IPV6 */       0,   /* NULL */
	108, /* LOOP */     9,   /* PPP */       50,  /* PPP_SERIAL */ 51,  /* PPP_ETHER */
	104, /* C_HDLC */   105, /* 802.11 */    127, /* radiotap */   192, /* PPI */
	107, /* Frame Relay: not decoded */
	239, /* NFLOG */    258, /* PKTAP */     226, /* IPNET */      242, /* IPOIB */
	19,  /* ATM_CLIP (Linux) */ 178, /* JUNIPER_ETHER */ 10, /* FDDI */ 197, /* ERF */
};
#define N_LINKTYPES (sizeof linktypes / sizeof linktypes[0])

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	harness_init("fuzz_packet");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct pipeline *pl = harness_pipeline(8);

	/* The frame in an exact-size heap buffer, so AddressSanitizer sees any read past it. */
	size_t len = size - 1;
	uint8_t *frame = malloc(len ? len : 1);
	if (!frame)
		abort();
	memcpy(frame, data + 1, len);
	struct cap_pkthdr h = {
		.ts_us = 1700000000000000ULL,
		.caplen = (uint32_t)len,
		.wirelen = (uint32_t)len,
		.linktype = linktypes[data[0] % N_LINKTYPES],
	};
	pipeline_on_packet(pl, &h, frame);
	h.ts_us += 1000000;
	pipeline_on_packet(pl, &h, frame);
	pipeline_finish(pl);
	free(frame);
	pipeline_destroy(pl);
	return 0;
}
