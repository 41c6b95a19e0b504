/* flow_state.h - per-flow connection state inside the flow stage: TCP endpoint states and history letters (Zeek conn.log). */
#ifndef UCFLOW_FLOW_STATE_H
#define UCFLOW_FLOW_STATE_H

#include <stdint.h>

#include "flow.h"

/* TCP endpoint states (our reading of Zeek's per-endpoint states). */
enum tcp_ep_state {
	EP_INACTIVE = 0,
	EP_SYN_SENT,
	EP_SYN_ACK_SENT,
	EP_PARTIAL,
	EP_ESTABLISHED,
	EP_CLOSED,
	EP_RESET,
};

/* History letter codes (4 bits each; 0 ends the string); the originator's are 1-6, the
 * responder's the same plus 6. */
enum { HL_SYN = 1, HL_SYNACK, HL_ACK, HL_DATA, HL_FIN, HL_RST };

/* The out-of-line halves of flow_hist_add() and flow_tcp_track() (flow_state.c). */
void flow_hist_append(struct flow *f, unsigned code, uint64_t h);
void flow_tcp_track_slow(struct flow *f, unsigned dir, uint8_t fl, uint32_t paylen);

/* Which of the 12 nibbles of x (bits 0-47) are zero: bit 4i+3 set for the lowest zero nibble and
 * possibly above it (the classic "has a zero byte" test on 4-bit lanes), 0 when none is. */
static inline uint64_t flow_zero_nibbles(uint64_t x)
{
	return (x - 0x111111111111ULL) & ~x & 0x888888888888ULL;
}

/* The 12 history nibbles as one word: nibble i is bits 4i..4i+3 (written out: the compiler merges
 * these into two loads). */
static inline uint64_t flow_hist_word(const struct flow *f)
{
	const uint8_t *b = f->hist;
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
	       (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40;
}

/* Appends a history letter unless the flow already has it. Called for most packets, and the
 * letter is usually there already: one word-wide test, inline, instead of a loop over the nibbles.
 * Letters fill nibbles from 0 without gaps, so a match can only be among the filled ones. */
static inline void flow_hist_add(struct flow *f, unsigned code)
{
	uint64_t h = flow_hist_word(f);
	if (!flow_zero_nibbles(h ^ (code * 0x111111111111ULL)))
		flow_hist_append(f, code, h);
}

static inline unsigned flow_ep_get(const struct flow *f, unsigned dir)
{
	return (f->tcp_ep >> (dir * 3)) & 7;
}

static inline void flow_ep_set(struct flow *f, unsigned dir, unsigned st)
{
	f->tcp_ep = (uint8_t)((f->tcp_ep & ~(7u << (dir * 3))) | (st << (dir * 3)));
}

/* flow_tcp_track_slow() with the common case inline: an established endpoint sending neither SYN,
 * FIN nor RST changes no state (its peer cannot be reset without the flow being closed already),
 * so only the A or D history letter is left to note. */
static inline void flow_tcp_track(struct flow *f, unsigned dir, uint8_t fl, uint32_t paylen)
{
	if ((fl & 0x07) == 0 && flow_ep_get(f, dir) == EP_ESTABLISHED) {
		const unsigned base = dir == FLOW_ORIG ? 0 : 6;
		if (paylen)
			flow_hist_add(f, base + HL_DATA);
		else if (fl & 0x10)
			flow_hist_add(f, base + HL_ACK);
		return;
	}
	flow_tcp_track_slow(f, dir, fl, paylen);
}

#endif
