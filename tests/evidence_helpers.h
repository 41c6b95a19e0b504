/* evidence_helpers.h - a byte builder for crafted messages, exact-size copies, and flows fed
 * packet by packet to the evidence driver: shared by the check_evidence*.c tests. */
#ifndef EVIDENCE_HELPERS_H
#define EVIDENCE_HELPERS_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"

/* The functions are static inline so that a test which does not use one of them still builds
 * without an unused-function warning. */

/* packet time is in microseconds */
#define SEC 1000000ULL

/* ---- byte builder: big-endian fields appended to b; lengths written after what they count ---- */
struct buf {
	uint8_t b[16384];
	size_t n;
};
static inline void p8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static inline void p16(struct buf *b, unsigned v) { p8(b, v >> 8); p8(b, v); }
static inline void p24(struct buf *b, unsigned v) { p8(b, v >> 16); p16(b, v & 0xffff); }
static inline void p32(struct buf *b, uint32_t v) { p16(b, v >> 16); p16(b, v & 0xffff); }
static inline void pn(struct buf *b, const void *s, size_t n)
{
	memcpy(b->b + b->n, s, n);
	b->n += n;
}
static inline void ps(struct buf *b, const char *s) { pn(b, s, strlen(s)); }
/* Leaves room for a w-byte length; patch() fills it with the count of bytes written since. */
static inline size_t mark(struct buf *b, unsigned w)
{
	size_t m = b->n;
	b->n += w;
	return m;
}
static inline void patch(struct buf *b, size_t m, unsigned w)
{
	size_t v = b->n - m - w;
	for (unsigned i = 0; i < w; i++)
		b->b[m + i] = (uint8_t)(v >> (8 * (w - 1 - i)));
}

/* Exact-size heap copy of the first n bytes (AddressSanitizer reports any read past it). */
static inline uint8_t *dup_n(const void *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(d);
	memcpy(d, p, n);
	return d;
}

/* ---- flows and packets for the driver ---- */

/* A context (cfg NULL: the defaults) that knows three services' domains: *.webex.com (1),
 * *.wbx2.com (2) and *.google.com (3). */
static inline struct evidence_ctx *mkctx(const struct evidence_config *cfg)
{
	struct evidence_ctx *x;
	char err[UCF_ERRBUF_SIZE];
	ck_assert_int_eq(evidence_create(&x, cfg, err), UCF_OK);
	ck_assert_int_eq(evidence_add_domain(x, "*.webex.com", 1, err), UCF_OK);
	ck_assert_int_eq(evidence_add_domain(x, "*.wbx2.com", 2, err), UCF_OK);
	ck_assert_int_eq(evidence_add_domain(x, "*.google.com", 3, err), UCF_OK);
	return x;
}

/* A new flow (its own uid, unlabelled) from client:cport to server:sport. */
static inline void mkflow(struct flow *f, uint8_t proto, const char *client, unsigned cport,
			  const char *server, unsigned sport)
{
	static uint64_t next_uid = 1;
	memset(f, 0, sizeof *f);
	f->uid = next_uid++;
	f->orig_is_a = 1;
	ck_assert(ucf_addr_parse(client, &f->key.a));
	ck_assert(ucf_addr_parse(server, &f->key.b));
	f->key.port_a = (uint16_t)cport;
	f->key.port_b = (uint16_t)sport;
	f->key.proto = proto;
	f->label.rule = FLOW_RULE_NONE;
}

/* Inspects one packet carrying p[0..n) (an exact-size heap copy) from dir at time ts, with TCP
 * sequence number seq; returns what changed (EV_CHG_*). */
static inline unsigned send_seq(struct evidence_ctx *x, struct flow *f, unsigned dir,
				const void *p, size_t n, uint32_t seq, uint64_t ts)
{
	struct decoded_pkt d;
	memset(&d, 0, sizeof d);
	d.proto = f->key.proto;
	d.ipver = 4;
	d.src = dir == FLOW_ORIG ? f->key.a : f->key.b;
	d.dst = dir == FLOW_ORIG ? f->key.b : f->key.a;
	d.sport = dir == FLOW_ORIG ? f->key.port_a : f->key.port_b;
	d.dport = dir == FLOW_ORIG ? f->key.port_b : f->key.port_a;
	d.tcp_seq = seq;
	d.payload_len = (uint32_t)n;
	uint8_t *copy = dup_n(p, n);
	d.payload = bv_make(copy, n);
	f->dir[dir].pkts++;
	unsigned chg = evidence_inspect(x, f, dir, &d, ts);
	free(copy);
	return chg;
}

/* send_seq at sequence number 0, one second into the capture. */
static inline unsigned send(struct evidence_ctx *x, struct flow *f, unsigned dir, const void *p,
			    size_t n)
{
	return send_seq(x, f, dir, p, n, 0, 1 * SEC);
}

/* An interned name, or "(none)" for id 0. */
static inline const char *name(struct evidence_ctx *x, uint32_t id)
{
	const char *s = evidence_name(x, id);
	return s ? s : "(none)";
}

#endif
