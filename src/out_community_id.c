/* out_community_id.c - Community ID v1 of a flow (corelight community-id-spec, v1): "1:" and the
 * base64 of SHA-1(seed . lower endpoint . higher endpoint . proto . 0 . ports), the hash that
 * Zeek, Suricata and nDPI put in their records so that tools can join them.
 *
 * Computed when a record is written, never per packet. The SHA-1 compression comes from nettle;
 * the input (at most 40 bytes) and SHA-1's padding fit one 64-byte block, so a record costs one
 * compression and a 20-byte base64 encoding, written here (RFC 4648, section 4, with padding). */
#include "config.h"

#include <string.h>

#include <nettle/sha1.h>

#include "output.h"

#define CID_B64_LEN 28 /* base64 of 20 bytes: 6 groups of 3 and 2 bytes with one '=' */
_Static_assert(2 + CID_B64_LEN < OUT_COMMUNITY_ID_LEN, "room for \"1:\", the base64 digest and the NUL");

/* The ICMP types that have a counterpart, as the spec takes them from Zeek (ICMP4_counterpart and
 * ICMP6_counterpart): echo, timestamp, information, router solicitation and mask requests for
 * ICMP; echo, router and neighbour discovery, MLD, node information and home agent address
 * discovery for ICMPv6. Every other type is one-way: its endpoints are never reordered. */
static bool icmp_two_way(uint8_t proto, uint16_t type)
{
	if (proto == 1)
		return type == 8 || type == 0 || type == 13 || type == 14 || type == 15 ||
		       type == 16 || type == 10 || type == 17 || type == 18;
	return type == 128 || type == 129 || type == 133 || type == 134 || type == 135 ||
	       type == 136 || type == 130 || type == 131 || type == 139 || type == 140 ||
	       type == 144 || type == 145;
}

/* Transports whose ports (for ICMP: type and counterpart or code) are part of the hash. */
static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
}

void out_community_id(uint16_t seed, const struct ucf_addr *src, const struct ucf_addr *dst,
		      uint8_t proto, uint16_t sport, uint16_t dport, char out[OUT_COMMUNITY_ID_LEN])
{
	bool ports = has_ports(proto);
	bool v4 = ucf_addr_is_v4(src) && ucf_addr_is_v4(dst);
	size_t off = v4 ? 12 : 0, alen = v4 ? 4 : 16;
	/* the lower (address, port) first, unless a one-way ICMP message fixes the order */
	bool keep = (proto == 1 || proto == 58) ? !icmp_two_way(proto, sport) : false;
	if (!keep) {
		int c = memcmp(src->b + off, dst->b + off, alen);
		if (c > 0 || (c == 0 && ports && sport > dport)) {
			const struct ucf_addr *t = src;
			src = dst;
			dst = t;
			uint16_t tp = sport;
			sport = dport;
			dport = tp;
		}
	}
	/* the input and SHA-1's padding in one block (FIPS 180-4, 5.1.1): the bytes, 0x80, zeros,
	 * the input's length in bits as a 64-bit big-endian number in the last 8 bytes */
	uint8_t in[SHA1_BLOCK_SIZE] = { 0 };
	size_t n = 0;
	in[n++] = (uint8_t)(seed >> 8);
	in[n++] = (uint8_t)seed;
	memcpy(in + n, src->b + off, alen);
	n += alen;
	memcpy(in + n, dst->b + off, alen);
	n += alen;
	in[n++] = proto;
	in[n++] = 0;
	if (ports) {
		in[n++] = (uint8_t)(sport >> 8);
		in[n++] = (uint8_t)sport;
		in[n++] = (uint8_t)(dport >> 8);
		in[n++] = (uint8_t)dport;
	}
	uint8_t digest[SHA1_DIGEST_SIZE];
#ifdef HAVE_NETTLE_SHA1_COMPRESS
	in[n] = 0x80;
	in[SHA1_BLOCK_SIZE - 2] = (uint8_t)(n * 8 >> 8);
	in[SHA1_BLOCK_SIZE - 1] = (uint8_t)(n * 8);
	uint32_t h[5] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u };
	nettle_sha1_compress(h, in);
	for (unsigned i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)h[i];
	}
#else
	struct sha1_ctx ctx;
	sha1_init(&ctx);
	sha1_update(&ctx, n, in);
	sha1_digest(&ctx, sizeof digest, digest);
#endif
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = out;
	*o++ = '1';
	*o++ = ':';
	for (unsigned i = 0; i + 3 <= SHA1_DIGEST_SIZE; i += 3) {
		uint32_t v = (uint32_t)digest[i] << 16 | (uint32_t)digest[i + 1] << 8 | digest[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	uint32_t v = (uint32_t)digest[18] << 16 | (uint32_t)digest[19] << 8;
	*o++ = b64[v >> 18];
	*o++ = b64[v >> 12 & 63];
	*o++ = b64[v >> 6 & 63];
	*o++ = '=';
	*o = '\0';
}

void out_flow_community_id(const struct flow *f, uint16_t seed, char out[OUT_COMMUNITY_ID_LEN])
{
	/* ICMP flows carry Zeek's type and counterpart-or-code in their ports, as the spec hashes */
	out_community_id(seed, flow_orig_addr(f), flow_resp_addr(f), f->key.proto,
			 flow_orig_port(f), flow_resp_port(f), out);
}
