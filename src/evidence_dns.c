/* evidence_dns.c - DNS message parsing (RFC 1035 4.1, compression 4.1.4; AAAA RFC 3596): the question
 * name, the CNAME chain from it, and the A/AAAA records owned by a name of that chain.
 *
 * Hostile input: counts are never trusted (every record is read against the bytes present, at most
 * EV_DNS_MAX_RRS are examined), compression pointers must go strictly backwards from where the
 * current run of labels started (so no loop and no forward pointer is possible) and are bounded
 * in number, names are bounded to 255 wire octets. Records unrelated to the question's chain are
 * ignored (they cannot vouch for the question's addresses).
 */
#include <string.h>

#include "evidence.h"

#define DNS_HDR 12

/* Copies the bytes of msg from pos, at most 256 of them, to win; returns how many. A run of labels
 * read from pos spans at most 254 + 2 bytes (the wire limit below), so every byte it may use is in
 * the window unless msg ends first: one bounds-checked copy per run instead of a check per byte. */
static size_t name_window(struct bview msg, size_t pos, uint8_t win[256])
{
	size_t m = pos < msg.len ? msg.len - pos : 0;
	if (m > 256)
		m = 256;
	if (!bv_copy(msg, pos, win, m))
		m = 0;
	return m;
}

int ev_dns_name(struct bview msg, size_t off, char *out, size_t cap, size_t *out_len,
		size_t *next)
{
	size_t pos = off, limit = off, n = 0, after = 0, wire = 0;
	unsigned jumps = 0;
	bool jumped = false;
	size_t maxn = cap > 0 ? cap - 1 : 0;
	if (maxn > EV_NAME_MAX)
		maxn = EV_NAME_MAX;
	uint8_t win[256];
	size_t wbase = pos, wlen = name_window(msg, pos, win);
	for (;;) {
		size_t k = pos - wbase; /* at most 254: wire below */
		if (k >= wlen)
			return EV_BAD;
		uint8_t l = win[k];
		if (l == 0) {
			if (!jumped)
				after = pos + 1;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			if (k + 1 >= wlen)
				return EV_BAD;
			size_t target = ((size_t)(l & 0x3f) << 8) | win[k + 1];
			/* strictly before this run of labels, and not into the header */
			if (target >= limit || target < DNS_HDR || ++jumps > EV_DNS_MAX_JUMPS)
				return EV_BAD;
			if (!jumped) {
				after = pos + 2;
				jumped = true;
			}
			pos = limit = target;
			wbase = pos;
			wlen = name_window(msg, pos, win);
			continue;
		}
		if (l & 0xc0) /* 0x40 / 0x80: extended and reserved label types */
			return EV_BAD;
		wire += 1u + l;
		if (wire > 254 || n + (n ? 1u : 0u) + l > maxn)
			return EV_BAD;
		if (k + 1 + l > wlen) /* the label is cut */
			return EV_BAD;
		if (n)
			out[n++] = '.';
		/* as a host name is stored (ev_host_octet), but a '.' inside a label must not fake
		 * a label boundary: '?' too */
		for (size_t i = 0; i < l; i++) {
			uint8_t c = win[k + 1 + i];
			out[n + i] = c == '.' ? '?' : (char)ev_host_octet[c];
		}
		n += l;
		pos += 1u + l;
	}
	if (cap)
		out[n] = '\0';
	*out_len = n;
	*next = after;
	return EV_OK;
}

/* One resource record's fixed fields. */
struct rr {
	size_t owner;          /* offset of the owner name */
	uint16_t type, klass;
	uint32_t ttl;
	size_t rdata;          /* offset */
	uint16_t rdlen;
};

/* Reads one record; its owner name, normalised, goes to owner (EV_NAME_MAX + 1 bytes). q/qlen:
 * the question name (decoded from DNS_HDR with the same limits), which an owner name that is
 * just a pointer to it (the usual answer) is a copy of. */
static int read_rr(struct bview msg, size_t *off, struct rr *rr, char *owner, size_t *owner_len,
		   const char *q, size_t qlen)
{
	size_t next;
	uint8_t b0, b1;
	if (bv_u8(msg, *off, &b0) && bv_u8(msg, *off + 1, &b1) && b0 == 0xc0 && b1 == DNS_HDR &&
	    *off > DNS_HDR) {
		memcpy(owner, q, qlen + 1);
		*owner_len = qlen;
		next = *off + 2;
	} else if (ev_dns_name(msg, *off, owner, EV_NAME_MAX + 1, owner_len, &next) != EV_OK) {
		return EV_BAD;
	}
	rr->owner = *off;
	if (!bv_be16(msg, next, &rr->type) || !bv_be16(msg, next + 2, &rr->klass) ||
	    !bv_be32(msg, next + 4, &rr->ttl) || !bv_be16(msg, next + 8, &rr->rdlen))
		return EV_BAD;
	rr->rdata = next + 10;
	if (!bv_has(msg, rr->rdata, rr->rdlen))
		return EV_BAD;
	if (rr->ttl > 0x7fffffffu) /* RFC 2181 8: treat as zero */
		rr->ttl = 0;
	*off = rr->rdata + rr->rdlen;
	return EV_OK;
}

int ev_dns_parse(struct bview msg, struct ev_dns_msg *out)
{
	uint16_t flags, qd, an;
	out->nchain = 0;
	out->naddrs = 0;
	if (!bv_be16(msg, 0, &out->id) || !bv_be16(msg, 2, &flags) || !bv_be16(msg, 4, &qd) ||
	    !bv_be16(msg, 6, &an))
		return EV_BAD;
	out->qr = (uint8_t)(flags >> 15);
	out->opcode = (uint8_t)((flags >> 11) & 0xf);
	out->rcode = (uint8_t)(flags & 0xf);
	if (qd != 1 || out->opcode > 6 || (!out->qr && an > 0 && out->opcode == 0))
		return EV_BAD; /* one question; a standard query carries no answers */
	size_t nl, off;
	if (ev_dns_name(msg, DNS_HDR, out->chain[0], sizeof out->chain[0], &nl, &off) != EV_OK)
		return EV_BAD;
	uint16_t qclass;
	if (!bv_be16(msg, off, &out->qtype) || !bv_be16(msg, off + 2, &qclass))
		return EV_BAD;
	if (out->qtype == 0 || qclass == 0)
		return EV_BAD;
	out->nchain = 1;
	out->chain_ttl[0] = 0;
	off += 4;

	/* answer records: never more than are present, never more than EV_DNS_MAX_RRS; their
	 * owner names are kept (decoded once) for the chain and address matching below */
	struct rr rrs[EV_DNS_MAX_RRS];
	char oname[EV_DNS_MAX_RRS][EV_NAME_MAX + 1];
	size_t owner_len[EV_DNS_MAX_RRS];
	size_t chain_len[EV_DNS_MAX_CHAIN];
	chain_len[0] = nl;
	unsigned nrr = 0;
	for (unsigned i = 0; i < an && nrr < EV_DNS_MAX_RRS; i++) {
		if (read_rr(msg, &off, &rrs[nrr], oname[nrr], &owner_len[nrr], out->chain[0],
			    chain_len[0]) != EV_OK)
			return EV_MORE; /* the header and question stand; the answers are unusable */
		if (rrs[nrr].klass == 1) /* IN */
			nrr++;
	}
#define OWNER_IS(k, j) \
	(owner_len[k] == chain_len[j] && memcmp(oname[k], out->chain[j], chain_len[j]) == 0)

	/* follow the CNAME chain from the question name */
	while (out->nchain < EV_DNS_MAX_CHAIN) {
		unsigned k;
		for (k = 0; k < nrr; k++)
			if (rrs[k].type == 5 && OWNER_IS(k, out->nchain - 1))
				break;
		if (k == nrr)
			break;
		char *dst = out->chain[out->nchain];
		size_t next;
		if (ev_dns_name(msg, rrs[k].rdata, dst, sizeof out->chain[0], &nl, &next) != EV_OK ||
		    next != rrs[k].rdata + rrs[k].rdlen) {
			out->nchain = 1;
			return EV_MORE;
		}
		bool loop = false;
		for (unsigned j = 0; j < out->nchain; j++)
			loop = loop || (chain_len[j] == nl && memcmp(out->chain[j], dst, nl) == 0);
		if (loop || nl == 0)
			break;
		out->chain_ttl[out->nchain] = rrs[k].ttl;
		chain_len[out->nchain] = nl;
		out->nchain++;
	}

	/* addresses owned by a chain name */
	for (unsigned k = 0; k < nrr && out->naddrs < EV_DNS_MAX_ADDRS; k++) {
		uint8_t raw[16];
		if (!((rrs[k].type == 1 && rrs[k].rdlen == 4) || (rrs[k].type == 28 && rrs[k].rdlen == 16)))
			continue;
		int owner = -1;
		for (unsigned j = 0; j < out->nchain && owner < 0; j++)
			if (OWNER_IS(k, j))
				owner = (int)j;
		if (owner < 0 || !bv_copy(msg, rrs[k].rdata, raw, rrs[k].rdlen))
			continue;
		struct ev_dns_addr *a = &out->addrs[out->naddrs++];
		if (rrs[k].type == 1)
			ucf_addr_set_v4(&a->addr, raw);
		else
			ucf_addr_set_v6(&a->addr, raw);
		a->ttl = rrs[k].ttl;
		a->chain_idx = (uint8_t)owner;
	}
#undef OWNER_IS
	return EV_OK;
}
