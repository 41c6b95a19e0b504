/* evidence_rtp.c - media-path validators: RTP and RTCP headers (RFC 3550 5.1, 6.4; SRTP/SRTCP RFC 3711
 * framing), STUN messages (RFC 8489 5, 14) and TURN ChannelData (RFC 8656 12.4).
 *
 * These check one packet each; the driver adds the cross-packet RTP test (constant SSRC, advancing
 * sequence numbers) that makes a random first byte of 0x80 unconvincing on its own.
 */
#include "evidence.h"

#define STUN_MAGIC 0x2112A442u

int ev_rtp_header(struct bview pkt, uint32_t *ssrc, uint16_t *seq, uint8_t *pt)
{
	uint8_t b0, b1;
	uint16_t xlen;
	if (!bv_u8(pkt, 0, &b0) || !bv_u8(pkt, 1, &b1) || !bv_be16(pkt, 2, seq) ||
	    !bv_be32(pkt, 8, ssrc))
		return EV_BAD;
	*pt = b1 & 0x7f;
	if ((b0 >> 6) != 2 || (*pt >= 72 && *pt <= 76)) /* 72..76 with the marker bit = RTCP 200..204 */
		return EV_BAD;
	size_t hdr = 12u + 4u * (b0 & 0x0f); /* CSRC list */
	if (b0 & 0x10) { /* header extension: profile, length in 32-bit words */
		if (!bv_be16(pkt, hdr + 2, &xlen))
			return EV_BAD;
		hdr += 4u + 4u * xlen;
	}
	if (hdr > pkt.len)
		return EV_BAD;
	if (b0 & 0x20) { /* padding: the last octet counts itself and the padding */
		uint8_t pad;
		if (!bv_u8(pkt, pkt.len - 1, &pad) || pad == 0 || pad > pkt.len - hdr)
			return EV_BAD;
	}
	return EV_OK;
}

int ev_rtcp_check(struct bview pkt)
{
	uint8_t b0, pt;
	uint16_t words;
	if (!bv_u8(pkt, 0, &b0) || !bv_u8(pkt, 1, &pt) || !bv_be16(pkt, 2, &words))
		return EV_BAD;
	unsigned rc = b0 & 0x1f;
	size_t plen = ((size_t)words + 1) * 4;
	if ((b0 >> 6) != 2 || pt < 200 || pt > 204 || plen > pkt.len)
		return EV_BAD;
	/* SR: 6 words of sender info + 6 per report block; RR: SSRC + 6 per block (RFC 3550 6.4) */
	if ((pt == 200 && words < 6 + 6 * rc) || (pt == 201 && words < 1 + 6 * rc))
		return EV_BAD;
	/* walk the rest of the compound. SRTCP encrypts it after the first 8 octets, so a remainder
	 * that does not look like RTCP is accepted when it can hold E|index and a tag (>= 8 octets);
	 * an RTCP-looking packet that overruns the datagram means a cut or lying length */
	size_t off = plen;
	while (off < pkt.len) {
		if (!bv_u8(pkt, off, &b0) || !bv_u8(pkt, off + 1, &pt) || !bv_be16(pkt, off + 2, &words))
			break;
		plen = ((size_t)words + 1) * 4;
		if ((b0 >> 6) != 2 || pt < 192 || pt > 223)
			break;
		if (plen > pkt.len - off)
			return EV_BAD;
		off += plen;
	}
	return (off == pkt.len || pkt.len - off >= 8) ? EV_OK : EV_BAD;
}

int ev_stun_check(struct bview pkt, bool stream, struct bview *software)
{
	uint8_t b0;
	uint16_t mlen;
	uint32_t cookie;
	*software = bv_make(NULL, 0);
	if (!bv_u8(pkt, 0, &b0) || !bv_be16(pkt, 2, &mlen) || !bv_be32(pkt, 4, &cookie) ||
	    !bv_has(pkt, 0, 20))
		return EV_BAD;
	if ((b0 & 0xc0) || cookie != STUN_MAGIC || (mlen & 3))
		return EV_BAD;
	size_t end = 20u + mlen;
	if (!stream && end != pkt.len)
		return EV_BAD; /* one message per datagram, length exact */
	bool cut = end > pkt.len;
	size_t lim = cut ? pkt.len : end;
	size_t off = 20;
	while (off < lim) {
		uint16_t type, alen;
		if (!bv_be16(pkt, off, &type) || !bv_be16(pkt, off + 2, &alen) || off + 4 > lim)
			return cut ? EV_MORE : EV_BAD;
		size_t padded = ((size_t)alen + 3) & ~(size_t)3;
		if (padded > end - off - 4)
			return EV_BAD; /* attribute runs past the message */
		if (off + 4 + padded > lim)
			return EV_MORE;
		if (type == 0x8022 && alen > 0 && alen <= 763) /* SOFTWARE, RFC 8489 14.14 */
			bv_sub(pkt, off + 4, alen, software);
		off += 4 + padded;
	}
	return cut ? EV_MORE : EV_OK;
}

int ev_turn_channel_check(struct bview pkt)
{
	uint16_t ch, len;
	if (!bv_be16(pkt, 0, &ch) || !bv_be16(pkt, 2, &len))
		return EV_BAD;
	if (ch < 0x4000 || ch > 0x7fff)
		return EV_BAD;
	size_t total = 4u + len, padded = (total + 3) & ~(size_t)3;
	/* over UDP the padding to 4 octets may or may not be present */
	return (pkt.len >= total && pkt.len <= padded) ? EV_OK : EV_BAD;
}
