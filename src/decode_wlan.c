/* decode_wlan.c - PPI (CACE Per-Packet Information header specification 1.0.10, DLT_PPI),
 * radiotap (radiotap.org, DLT_IEEE802_11_RADIO) and IEEE 802.11 data frames (IEEE Std 802.11-2020
 * clause 9.3.2.1) whose LLC/SNAP header (IEEE 802-2014 clause 10, RFC 1042) leads to IP.
 *
 * PPI wraps a frame of another link type, named in its header: that frame is decoded as the link
 * type says (usually 802.11, sometimes Ethernet); a PPI header inside PPI is MALFORMED, so the
 * link dispatch cannot recurse. 802.11 management and control frames, null-data frames, protected
 * (encrypted) frames, A-MSDUs and LLC other than SNAP are NONIP. Frames are assumed without FCS;
 * a trailing FCS is dropped anyway by the IP length.
 */
#include "decode_internal.h"

#define PPI_HDR_MIN 8
#define PPI_LEN_OFF 2
#define PPI_DLT_OFF 4

#define RADIOTAP_HDR_MIN 8
#define RADIOTAP_LEN_OFF 2

#define WLAN_HDR_LEN 24
#define WLAN_ADDR4_LEN 6
#define WLAN_QOS_LEN 2
#define WLAN_HTC_LEN 4
#define WLAN_FC_VERSION_MASK 0x03
#define WLAN_TYPE_DATA 2
#define WLAN_SUBTYPE_NODATA 0x04 /* null function and the CF-only subtypes: no frame body */
#define WLAN_SUBTYPE_QOS 0x08
#define WLAN_FLAG_TODS 0x01
#define WLAN_FLAG_FROMDS 0x02
#define WLAN_FLAG_PROTECTED 0x40
#define WLAN_FLAG_ORDER 0x80     /* in a QoS data frame: an HT control field follows */
#define WLAN_QOS_AMSDU 0x0080

#define LLC_SNAP_LEN 8           /* DSAP 0xaa, SSAP 0xaa, control 0x03, OUI, ethertype */
#define LLC_SAP_SNAP 0xaa
#define LLC_CTRL_UI 0x03
#define LLC_TYPE_OFF 6

enum decode_status decode_ppi(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t version;
	uint16_t len;
	uint32_t dlt;
	if (!bv_has(v, 0, PPI_HDR_MIN) || !bv_u8(v, 0, &version) ||
	    !bv_le16(v, PPI_LEN_OFF, &len) || !bv_le32(v, PPI_DLT_OFF, &dlt))
		return DECODE_TRUNCATED;
	if (version != 0 || len < PPI_HDR_MIN || dlt == DLT_PPI)
		return DECODE_MALFORMED;
	struct bview frame;
	if (!bv_tail(v, len, &frame))
		return DECODE_TRUNCATED; /* the PPI fields are longer than the capture */
	if (dlt > 0xffff)
		return DECODE_UNSUPPORTED_LINK;
	return decode_link((int)dlt, frame, out, depth);
}

enum decode_status decode_radiotap(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t version;
	uint16_t len;
	if (!bv_has(v, 0, RADIOTAP_HDR_MIN) || !bv_u8(v, 0, &version) ||
	    !bv_le16(v, RADIOTAP_LEN_OFF, &len))
		return DECODE_TRUNCATED;
	if (version != 0 || len < RADIOTAP_HDR_MIN)
		return DECODE_MALFORMED;
	struct bview frame;
	if (!bv_tail(v, len, &frame))
		return DECODE_TRUNCATED;
	return decode_ieee80211(frame, out, depth);
}

enum decode_status decode_ieee80211(struct bview v, struct decoded_pkt *out, int depth)
{
	uint8_t fc0, fc1;
	if (!bv_u8(v, 0, &fc0) || !bv_u8(v, 1, &fc1))
		return DECODE_TRUNCATED;
	if (fc0 & WLAN_FC_VERSION_MASK)
		return DECODE_MALFORMED; /* protocol version 0 is the only one */
	unsigned type = (fc0 >> 2) & 0x03, subtype = fc0 >> 4;
	if (type != WLAN_TYPE_DATA || (subtype & WLAN_SUBTYPE_NODATA) ||
	    (fc1 & WLAN_FLAG_PROTECTED))
		return DECODE_NONIP;

	size_t hlen = WLAN_HDR_LEN;
	if ((fc1 & (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS)) == (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS))
		hlen += WLAN_ADDR4_LEN; /* wireless distribution system: four addresses */
	if (subtype & WLAN_SUBTYPE_QOS) {
		uint16_t qos;
		if (!bv_le16(v, hlen, &qos))
			return DECODE_TRUNCATED;
		if (qos & WLAN_QOS_AMSDU)
			return DECODE_NONIP; /* aggregated subframes: not decoded */
		hlen += WLAN_QOS_LEN;
		if (fc1 & WLAN_FLAG_ORDER)
			hlen += WLAN_HTC_LEN;
	}
	uint8_t dsap, ssap, ctrl;
	uint16_t type_field;
	if (!bv_has(v, 0, hlen) || !bv_u8(v, hlen, &dsap) || !bv_u8(v, hlen + 1, &ssap) ||
	    !bv_u8(v, hlen + 2, &ctrl))
		return DECODE_TRUNCATED;
	if (dsap != LLC_SAP_SNAP || ssap != LLC_SAP_SNAP || ctrl != LLC_CTRL_UI)
		return DECODE_NONIP; /* plain 802.2 LLC (STP, NetBIOS ...) */
	if (!bv_be16(v, hlen + LLC_TYPE_OFF, &type_field))
		return DECODE_TRUNCATED;
	/* RFC 1042 (OUI 00-00-00) and 802.1H (00-00-f8) both carry an ethertype. */
	return decode_ethertype(type_field, v, hlen + LLC_SNAP_LEN, out, depth);
}
