/* flow_state.c - per-flow connection state: the TCP endpoint machine, history letters, Zeek conn_state and history.
 *
 * conn_state and history follow the definitions in Zeek's conn.log documentation; the endpoint
 * states are our reading of Zeek's. The common cases run inline from flow_state.h on the
 * per-packet path; what is here runs a few times per flow.
 */
#include <stddef.h>
#include <stdint.h>

#include "flow_state.h"

/* History letters by code: originator upper case. */
static const char hist_letters[] = "?SHADFRshadfr";

/* flow_hist_add() for a letter the flow does not have yet: a few times per flow. */
void flow_hist_append(struct flow *f, unsigned code, uint64_t h)
{
	uint64_t empty = flow_zero_nibbles(h);
	if (!empty)
		return; /* all 12 taken */
	unsigned i = (unsigned)__builtin_ctzll(empty) / 4; /* the first empty nibble */
	f->hist[i / 2] |= (uint8_t)(code << ((i & 1) * 4));
}

/* Advances the endpoint state machine of the sender `dir` for one TCP segment. */
void flow_tcp_track_slow(struct flow *f, unsigned dir, uint8_t fl, uint32_t paylen)
{
	const unsigned base = dir == FLOW_ORIG ? 0 : 6;
	unsigned me = flow_ep_get(f, dir), peer = flow_ep_get(f, !dir);
	const int syn = fl & 0x02, ack = fl & 0x10, fin = fl & 0x01, rst = fl & 0x04;

	if (syn && !ack) {
		flow_hist_add(f, base + HL_SYN);
		if (dir == FLOW_ORIG)
			f->tcp_state |= FLOW_TCP_SYN_ORIG;
		if (me == EP_INACTIVE)
			me = EP_SYN_SENT;
	} else if (syn && ack) {
		flow_hist_add(f, base + HL_SYNACK);
		if (dir == FLOW_RESP)
			f->tcp_state |= FLOW_TCP_SYNACK;
		if (me == EP_INACTIVE || me == EP_SYN_SENT)
			me = EP_SYN_ACK_SENT;
	} else if (ack || paylen) {
		if (ack && !paylen && !fin && !rst)
			flow_hist_add(f, base + HL_ACK);
		if ((me == EP_SYN_SENT || me == EP_SYN_ACK_SENT) &&
		    (peer == EP_SYN_SENT || peer == EP_SYN_ACK_SENT || peer == EP_ESTABLISHED)) {
			me = EP_ESTABLISHED;
			if (peer != EP_ESTABLISHED)
				flow_ep_set(f, !dir, EP_ESTABLISHED);
		} else if (me == EP_INACTIVE) {
			me = EP_PARTIAL;
		}
	} else if (me == EP_INACTIVE) {
		me = EP_PARTIAL;
	}
	if (paylen)
		flow_hist_add(f, base + HL_DATA);
	if (fin) {
		flow_hist_add(f, base + HL_FIN);
		if (me != EP_RESET)
			me = EP_CLOSED;
	}
	if (rst) {
		flow_hist_add(f, base + HL_RST);
		me = EP_RESET;
	}
	flow_ep_set(f, dir, me);
	peer = flow_ep_get(f, !dir);
	if (me == EP_RESET || peer == EP_RESET || (me == EP_CLOSED && peer == EP_CLOSED))
		f->tcp_state |= FLOW_TCP_CLOSED;
}

const char *flow_conn_state(const struct flow *f)
{
	if (f->key.proto == 17) {
		int o = f->dir[FLOW_ORIG].pkts > 0, r = f->dir[FLOW_RESP].pkts > 0;
		return o ? (r ? "SF" : "S0") : (r ? "SHR" : "OTH");
	}
	if (f->key.proto != 6)
		return "OTH";
	unsigned os = flow_ep_get(f, FLOW_ORIG), rs = flow_ep_get(f, FLOW_RESP);
	int o_inactive = os == EP_INACTIVE || os == EP_PARTIAL;
	int r_inactive = rs == EP_INACTIVE || rs == EP_PARTIAL;
	if (rs == EP_RESET) {
		if (os == EP_SYN_SENT || os == EP_SYN_ACK_SENT ||
		    (os == EP_RESET && f->dir[0].payload_bytes == 0 && f->dir[1].payload_bytes == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == EP_RESET) {
		if (!r_inactive)
			return "RSTO";
		/* RSTOS0: a SYN, then the originator's RST, with no SYN-ACK, ACK or FIN between */
		if ((f->tcp_state & FLOW_TCP_SYN_ORIG) && !(f->tcp_state & FLOW_TCP_SYNACK) &&
		    f->dir[FLOW_RESP].pkts == 0)
			return "RSTOS0";
		return "OTH";
	}
	if (rs == EP_CLOSED && os == EP_CLOSED)
		return "SF";
	if (os == EP_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == EP_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == EP_SYN_SENT && rs == EP_INACTIVE)
		return "S0";
	if (os == EP_ESTABLISHED && rs == EP_ESTABLISHED)
		return "S1";
	return "OTH";
}

const char *flow_history_string(const struct flow *f, char *buf, size_t len)
{
	size_t n = 0;
	if (len == 0)
		return buf;
	if (f->swapped && n + 1 < len)
		buf[n++] = '^';
	for (unsigned i = 0; i < 12 && n + 1 < len; i++) {
		unsigned code = (f->hist[i / 2] >> ((i & 1) * 4)) & 0xf;
		if (code == 0)
			break;
		buf[n++] = hist_letters[code];
	}
	buf[n] = '\0';
	return buf;
}

void flow_swap_direction(struct flow *f)
{
	struct flow_dir d = f->dir[0];
	f->dir[0] = f->dir[1];
	f->dir[1] = d;
	f->orig_is_a ^= 1;
	f->swapped ^= 1;
	/* history: originator letters become responder letters and back */
	for (unsigned i = 0; i < 12; i++) {
		unsigned code = (f->hist[i / 2] >> ((i & 1) * 4)) & 0xf;
		if (code == 0)
			break;
		code = code <= 6 ? code + 6 : code - 6;
		f->hist[i / 2] = (uint8_t)((f->hist[i / 2] & ~(0xfu << ((i & 1) * 4))) |
					   (code << ((i & 1) * 4)));
	}
	unsigned o = flow_ep_get(f, FLOW_ORIG), r = flow_ep_get(f, FLOW_RESP);
	flow_ep_set(f, FLOW_ORIG, r);
	flow_ep_set(f, FLOW_RESP, o);
	uint8_t st = f->tcp_state & FLOW_TCP_CLOSED;
	if (f->tcp_state & FLOW_TCP_SYNACK)
		st |= FLOW_TCP_SYN_ORIG; /* approximate: the SYN-ACK sender now originates */
	f->tcp_state = st;
}
