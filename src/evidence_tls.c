/* evidence_tls.c - TLS 1.0-1.3 (RFC 8446 / RFC 5246) and DTLS 1.0/1.2 (RFC 6347) ClientHello with SNI
 * (RFC 6066 3) and ALPN (RFC 7301 3.1), the TLS <= 1.2 server flight up to the first certificate, and a
 * minimal DER (X.690) walk of an X.509 certificate (RFC 5280 4.1) for subject CN and subjectAltName
 * dNSName entries.
 *
 * Every length is checked against two limits: the length its enclosing structure declares (beyond
 * it = EV_BAD, a hostile or broken message) and the bytes actually present (beyond them = EV_MORE,
 * the data was cut: the next TCP segment or the snap length). All reads go through pkt_access.h.
 */
#include <string.h>

#include "evidence.h"

#define TLS_MAX_RECORD EV_TLS_MAX_RECORD

/* ---------------------------------------------------------------------------------------------- */
/* Record layer */


void ev_hs_init(struct ev_hs *hs, uint8_t *buf, uint32_t cap)
{
	memset(hs, 0, sizeof *hs);
	hs->buf = buf;
	hs->cap = cap;
}

bool ev_hs_view(struct ev_hs *hs, struct bview data, uint32_t cap, struct bview *body)
{
	uint8_t hdr[5];
	if (!bv_copy(data, 0, hdr, sizeof hdr))
		return false;
	uint32_t len = ((uint32_t)hdr[3] << 8) | hdr[4];
	/* what ev_hs_feed accepts as a handshake record header, not empty */
	if (hdr[0] != 22 || hdr[1] != 3 || hdr[2] > 4 || len == 0 || len > TLS_MAX_RECORD)
		return false;
	/* the record holds the rest of data (no second record) and the buffer would take it all */
	if (!bv_tail(data, sizeof hdr, body) || body->len > len || body->len > cap)
		return false;
	memset(hs, 0, sizeof *hs);
	memcpy(hs->hdr, hdr, sizeof hdr); /* as the feed leaves it */
	hs->buf = (uint8_t *)(uintptr_t)body->p; /* only read through hs (tls_parse) */
	hs->cap = cap;
	hs->len = (uint32_t)body->len;
	hs->rec_type = 22;
	hs->rec_left = len - (uint32_t)body->len;
	return true;
}

int ev_hs_feed(struct ev_hs *hs, struct bview data)
{
	size_t i = 0;
	while (i < data.len && !(hs->flags & EV_HS_BAD)) {
		if (hs->rec_left == 0) {
			/* a record header, possibly split across segments */
			while (hs->hdr_have < 5 && bv_u8(data, i, &hs->hdr[hs->hdr_have])) {
				hs->hdr_have++;
				i++;
			}
			if (hs->hdr_have < 5)
				break;
			uint8_t type = hs->hdr[0];
			uint32_t len = ((uint32_t)hs->hdr[3] << 8) | hs->hdr[4];
			hs->hdr_have = 0;
			if (type < 20 || type > 23 || hs->hdr[1] != 3 || hs->hdr[2] > 4 ||
			    len > TLS_MAX_RECORD || (len == 0 && type != 23)) {
				hs->flags |= EV_HS_BAD;
				break;
			}
			/* after ChangeCipherSpec or application data, handshake bytes are ciphertext */
			if (type == 20 || type == 23)
				hs->flags |= EV_HS_ENCRYPTED;
			hs->rec_type = type;
			hs->rec_left = len;
			continue;
		}
		size_t n = data.len - i;
		if (n > hs->rec_left)
			n = hs->rec_left;
		if (hs->rec_type == 22 && !(hs->flags & EV_HS_ENCRYPTED)) {
			size_t k = hs->cap - hs->len;
			if (k > n) {
				k = n;
			} else if (k < n) {
				hs->flags |= EV_HS_FULL;
			}
			if (k && bv_copy(data, i, hs->buf + hs->len, k))
				hs->len += (uint32_t)k;
		}
		i += n;
		hs->rec_left -= (uint32_t)n;
	}
	return (hs->flags & EV_HS_BAD) ? EV_BAD : EV_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* A reader over a structure that declares `decl` bytes of which v.len (<= decl) are present. */
struct rd {
	struct bview v;
	size_t decl;
};

/* Whether [off, off+n) can be read: EV_OK, EV_BAD (beyond the declared size), EV_MORE (cut). */
static int rd_need(const struct rd *r, size_t off, size_t n)
{
	if (off > r->decl || n > r->decl - off)
		return EV_BAD;
	return bv_has(r->v, off, n) ? EV_OK : EV_MORE;
}

#define NEED(r, off, n)                                   \
	do {                                              \
		int need_rc_ = rd_need((r), (off), (n));  \
		if (need_rc_ != EV_OK)                    \
			return need_rc_;                  \
	} while (0)

/* server_name (RFC 6066 3): ServerNameList of {name_type, HostName<1..2^16-1>}. */
static int ext_sni(struct bview d, struct ev_hello *out)
{
	uint16_t list;
	if (!bv_be16(d, 0, &list) || list > d.len - 2)
		return EV_BAD;
	for (size_t off = 2; off < 2u + list;) {
		uint8_t type;
		uint16_t nlen;
		struct bview name;
		if (!bv_u8(d, off, &type) || !bv_be16(d, off + 1, &nlen) || off + 3 + nlen > 2u + list ||
		    !bv_sub(d, off + 3, nlen, &name))
			return EV_BAD;
		if (type == 0 && !out->has_sni && nlen > 0) {
			out->has_sni = true;
			out->sni = name;
		}
		off += 3u + nlen;
	}
	return EV_OK;
}

/* ALPN (RFC 7301 3.1): ProtocolNameList of ProtocolName<1..2^8-1>; joined with ','. */
static int ext_alpn(struct bview d, struct ev_hello *out)
{
	uint16_t list;
	if (!bv_be16(d, 0, &list) || list > d.len - 2)
		return EV_BAD;
	bool stop = false;
	for (size_t off = 2; off < 2u + list;) {
		uint8_t plen;
		if (!bv_u8(d, off, &plen) || plen == 0 || off + 1 + plen > 2u + list)
			return EV_BAD;
		char tmp[256];
		bool ok = bv_copy(d, off + 1, tmp, plen);
		for (size_t i = 0; ok && i < plen; i++)
			if (tmp[i] < 0x21 || tmp[i] > 0x7e || tmp[i] == ',')
				ok = false; /* GREASE or binary ids: not printable, skipped */
		size_t need = plen + (out->alpn_len ? 1u : 0u);
		if (ok && !stop && out->alpn_len + need <= EV_ALPN_MAX) {
			if (out->alpn_len)
				out->alpn[out->alpn_len++] = ',';
			memcpy(out->alpn + out->alpn_len, tmp, plen);
			out->alpn_len += plen;
		} else if (ok) {
			stop = true; /* cut at a protocol boundary, keep the order */
		}
		off += 1u + plen;
	}
	out->alpn[out->alpn_len] = '\0';
	return EV_OK;
}

/* ClientHello body (RFC 8446 4.1.2; DTLS adds the cookie, RFC 6347 4.2.1). */
static int hello_body(const struct rd *r, bool dtls, struct ev_hello *out)
{
	uint16_t ver = 0, cs = 0, ext_total = 0;
	uint8_t sid = 0, cookie = 0, comp = 0;
	NEED(r, 0, 2);
	bv_be16(r->v, 0, &ver);
	out->version = ver;
	if (dtls ? (ver >> 8) != 0xfe : (ver >> 8) != 3)
		return EV_BAD;
	size_t off = 34;
	NEED(r, off, 1);
	bv_u8(r->v, off, &sid);
	if (sid > 32)
		return EV_BAD;
	off += 1u + sid;
	if (dtls) {
		NEED(r, off, 1);
		bv_u8(r->v, off, &cookie);
		off += 1u + cookie;
	}
	NEED(r, off, 2);
	bv_be16(r->v, off, &cs);
	if (cs < 2 || (cs & 1))
		return EV_BAD;
	off += 2u + cs;
	NEED(r, off, 1);
	bv_u8(r->v, off, &comp);
	if (comp < 1)
		return EV_BAD;
	off += 1u + comp;
	NEED(r, off, 0); /* the compression methods themselves are there */
	if (off == r->decl)
		return r->v.len == r->decl ? EV_OK : EV_MORE; /* no extensions (TLS 1.0 era) */
	NEED(r, off, 2);
	bv_be16(r->v, off, &ext_total);
	off += 2;
	if (ext_total > r->decl - off)
		return EV_BAD; /* extensions claim more than the handshake message holds */
	size_t end = off + ext_total;
	while (off < end) {
		uint16_t type = 0, elen = 0;
		int rc = rd_need(r, off, 4);
		if (rc == EV_BAD || off + 4 > end)
			return EV_BAD;
		if (rc == EV_MORE)
			return EV_MORE;
		bv_be16(r->v, off, &type);
		bv_be16(r->v, off + 2, &elen);
		if (elen > end - off - 4)
			return EV_BAD;
		struct bview d;
		if (!bv_sub(r->v, off + 4, elen, &d))
			return EV_MORE; /* the extension is cut: the facts so far stand */
		if (type == 0 && ext_sni(d, out) != EV_OK)
			return EV_BAD;
		if (type == 16 && ext_alpn(d, out) != EV_OK)
			return EV_BAD;
		off += 4u + elen;
	}
	return r->v.len >= r->decl ? EV_OK : EV_MORE;
}

int ev_tls_client_hello(struct bview hs, struct ev_hello *out)
{
	memset(out, 0, sizeof *out);
	uint8_t type;
	uint32_t mlen;
	if (!bv_u8(hs, 0, &type))
		return EV_MORE;
	if (type != 1)
		return EV_BAD;
	if (!bv_be24(hs, 1, &mlen))
		return EV_MORE;
	if (mlen < 41) /* version, random, empty session id, one suite, one compression method */
		return EV_BAD;
	bool cut;
	struct rd r = { bv_clamp(hs, 4, mlen, &cut), mlen };
	return hello_body(&r, false, out);
}

bool ev_dtls_record(struct bview dgram)
{
	uint8_t type;
	uint16_t ver, len;
	if (!bv_u8(dgram, 0, &type) || !bv_be16(dgram, 1, &ver) || !bv_be16(dgram, 11, &len))
		return false;
	return type >= 20 && type <= 23 && (ver == 0xfeff || ver == 0xfefd || ver == 0xfefc) &&
	       len > 0 && len <= dgram.len - 13;
}

int ev_dtls_client_hello(struct bview dgram, struct ev_hello *out)
{
	memset(out, 0, sizeof *out);
	uint8_t type = 0, hs_type;
	uint16_t epoch = 0, rlen = 0;
	uint32_t mlen, frag_off, frag_len;
	if (!ev_dtls_record(dgram))
		return bv_has(dgram, 0, 13) ? EV_BAD : EV_MORE;
	bv_u8(dgram, 0, &type);
	bv_be16(dgram, 3, &epoch);
	bv_be16(dgram, 11, &rlen);
	if (type != 22 || epoch != 0)
		return EV_BAD;
	struct bview rec = bv_make(NULL, 0);
	bv_sub(dgram, 13, rlen, &rec); /* ev_dtls_record checked it fits */
	/* handshake header: type, length, message_seq, fragment_offset, fragment_length */
	if (!bv_u8(rec, 0, &hs_type) || !bv_be24(rec, 1, &mlen) || !bv_be24(rec, 6, &frag_off) ||
	    !bv_be24(rec, 9, &frag_len))
		return EV_BAD;
	if (hs_type != 1 || mlen < 42 || frag_len > mlen || frag_off > mlen - frag_len ||
	    frag_len > rec.len - 12)
		return EV_BAD;
	if (frag_off != 0)
		return EV_MORE; /* a later fragment: the facts are in the first one */
	struct rd r;
	bv_sub(rec, 12, frag_len, &r.v);
	r.decl = mlen;
	return hello_body(&r, true, out);
}

/* ---------------------------------------------------------------------------------------------- */
/* Server flight: ServerHello (RFC 5246 7.4.1.3, RFC 8446 4.1.3), then Certificate (7.4.2). */

static int server_hello_is_13(struct bview b, bool *is13)
{
	uint16_t ver, ext_total;
	uint8_t sid;
	*is13 = false;
	if (!bv_be16(b, 0, &ver) || (ver >> 8) != 3 || !bv_u8(b, 34, &sid) || sid > 32)
		return EV_BAD;
	size_t off = 35u + sid + 3; /* cipher suite, compression method */
	if (off > b.len)
		return EV_BAD;
	if (off == b.len)
		return EV_OK;
	if (!bv_be16(b, off, &ext_total) || ext_total > b.len - off - 2)
		return EV_BAD;
	size_t end = off + 2 + ext_total;
	for (off += 2; off < end;) {
		uint16_t type, elen, sv;
		if (!bv_be16(b, off, &type) || !bv_be16(b, off + 2, &elen) || elen > end - off - 4)
			return EV_BAD;
		/* supported_versions (RFC 8446 4.2.1): the server selected TLS 1.3 */
		if (type == 43 && elen == 2 && bv_be16(b, off + 4, &sv) && sv == 0x0304)
			*is13 = true;
		off += 4u + elen;
	}
	return EV_OK;
}

int ev_tls_server_flight(struct bview hs, bool encrypted, struct bview *cert)
{
	uint8_t type;
	uint32_t len;
	*cert = bv_make(NULL, 0);
	if (!bv_u8(hs, 0, &type))
		return encrypted ? EV_NONE : EV_MORE;
	if (type != 2)
		return EV_BAD;
	if (!bv_be24(hs, 1, &len))
		return EV_MORE;
	if (len < 38 || len > 65535)
		return EV_BAD;
	struct bview sh;
	if (!bv_sub(hs, 4, len, &sh))
		return encrypted ? EV_NONE : EV_MORE;
	bool is13;
	if (server_hello_is_13(sh, &is13) != EV_OK)
		return EV_BAD;
	if (is13)
		return EV_NONE; /* the Certificate is encrypted in TLS 1.3 */
	size_t off = 4u + len;
	if (!bv_u8(hs, off, &type))
		return encrypted ? EV_NONE : EV_MORE; /* resumption: CCS follows ServerHello */
	if (type != 11)
		return EV_NONE; /* anonymous / PSK: no certificate */
	uint32_t mlen, list, clen;
	if (!bv_be24(hs, off + 1, &mlen) || !bv_be24(hs, off + 4, &list))
		return EV_MORE;
	if (mlen < 3 || list > mlen - 3)
		return EV_BAD;
	if (list == 0)
		return EV_NONE;
	if (!bv_be24(hs, off + 7, &clen))
		return EV_MORE;
	if (clen == 0 || list < 3 || clen > list - 3)
		return EV_BAD;
	if (!bv_sub(hs, off + 10, clen, cert))
		return EV_MORE;
	return EV_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* DER (X.690 8.1): one TLV at off inside v; the value must lie inside v. Low tag numbers only,
 * definite lengths of at most 4 length octets. */
static bool der_tlv(struct bview v, size_t off, uint8_t *tag, struct bview *val, size_t *next)
{
	uint8_t t, l;
	if (!bv_u8(v, off, &t) || !bv_u8(v, off + 1, &l) || (t & 0x1f) == 0x1f)
		return false;
	size_t len = l, hdr = 2;
	if (l & 0x80) {
		unsigned n = l & 0x7f;
		if (n == 0 || n > 4)
			return false;
		len = 0;
		for (unsigned i = 0; i < n; i++) {
			uint8_t b;
			if (!bv_u8(v, off + 2 + i, &b))
				return false;
			len = (len << 8) | b;
		}
		hdr += n;
	}
	if (!bv_sub(v, off + hdr, len, val))
		return false;
	*tag = t;
	*next = off + hdr + len;
	return true;
}

static bool der_expect(struct bview v, size_t *off, uint8_t want, struct bview *val)
{
	uint8_t tag;
	size_t next;
	if (!der_tlv(v, *off, &tag, val, &next) || tag != want)
		return false;
	*off = next;
	return true;
}

#define X509_MAX_NAMES 128

struct names_acc {
	struct bview v[X509_MAX_NAMES];
	uint8_t bmp[X509_MAX_NAMES]; /* BMPString (UCS-2) value */
	unsigned n;
};

/* subject Name: SEQUENCE OF SET OF AttributeTypeAndValue; the first CN (2.5.4.3). */
static bool subject_cn(struct bview name, struct names_acc *acc)
{
	static const uint8_t cn_oid[3] = { 0x55, 0x04, 0x03 };
	for (size_t off = 0; off < name.len;) {
		struct bview set, atv;
		if (!der_expect(name, &off, 0x31, &set))
			return false;
		for (size_t o2 = 0; o2 < set.len;) {
			struct bview oid, val;
			uint8_t tag;
			size_t o3 = 0, next;
			if (!der_expect(set, &o2, 0x30, &atv) || !der_expect(atv, &o3, 0x06, &oid) ||
			    !der_tlv(atv, o3, &tag, &val, &next))
				return false;
			uint8_t ob[3];
			if (oid.len == 3 && bv_copy(oid, 0, ob, 3) && memcmp(ob, cn_oid, 3) == 0 &&
			    acc->n == 0 && val.len > 0 &&
			    (tag == 0x0c || tag == 0x13 || tag == 0x16 || tag == 0x14 || tag == 0x1e)) {
				acc->v[0] = val;
				acc->bmp[0] = tag == 0x1e;
				acc->n = 1;
			}
		}
	}
	return true;
}

/* Extensions [3] { SEQUENCE OF Extension }; subjectAltName (2.5.29.17) dNSName [2] entries. */
static bool san_names(struct bview exts, struct names_acc *acc)
{
	static const uint8_t san_oid[3] = { 0x55, 0x1d, 0x11 };
	struct bview seq;
	size_t off = 0;
	if (!der_expect(exts, &off, 0x30, &seq))
		return false;
	for (off = 0; off < seq.len;) {
		struct bview ext, oid, val, gns;
		size_t o2 = 0;
		uint8_t tag, ob[3];
		if (!der_expect(seq, &off, 0x30, &ext) || !der_expect(ext, &o2, 0x06, &oid))
			return false;
		size_t next;
		if (!der_tlv(ext, o2, &tag, &val, &next))
			return false;
		if (tag == 0x01) { /* critical BOOLEAN */
			o2 = next;
			if (!der_tlv(ext, o2, &tag, &val, &next))
				return false;
		}
		if (tag != 0x04)
			return false;
		if (oid.len != 3 || !bv_copy(oid, 0, ob, 3) || memcmp(ob, san_oid, 3) != 0)
			continue;
		size_t o3 = 0;
		if (!der_expect(val, &o3, 0x30, &gns))
			return false;
		for (size_t o4 = 0; o4 < gns.len;) {
			struct bview gn;
			if (!der_tlv(gns, o4, &tag, &gn, &next))
				return false;
			o4 = next;
			if (tag == 0x82 && gn.len > 0 && acc->n < X509_MAX_NAMES) {
				acc->bmp[acc->n] = 0;
				acc->v[acc->n++] = gn;
			}
		}
	}
	return true;
}

/* Normalises one certificate name (BMPString: ASCII from UCS-2, others '?'). */
static size_t cert_name(const struct names_acc *acc, unsigned i, char *out, size_t cap)
{
	if (!acc->bmp[i])
		return ev_norm_host(acc->v[i], out, cap);
	uint8_t tmp[EV_NAME_MAX + 1];
	size_t n = 0;
	for (size_t k = 0; k + 1 < acc->v[i].len && n < sizeof tmp - 1; k += 2) {
		uint16_t u;
		if (!bv_be16(acc->v[i], k, &u))
			break;
		tmp[n++] = u < 0x80 ? (uint8_t)u : '?';
	}
	return ev_norm_host(bv_make(tmp, n), out, cap);
}

static bool list_has(const char *list, size_t len, const char *s, size_t sl)
{
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && list[j] != ',')
			j++;
		if (j - i == sl && memcmp(list + i, s, sl) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

int ev_x509_names(struct bview der, const struct ev_domains *dom, char *out, size_t cap,
		  size_t *out_len)
{
	struct bview cert, tbs, tmp, subject = { NULL, 0 }, exts = { NULL, 0 };
	struct names_acc acc;
	size_t off = 0;
	uint8_t tag;
	size_t next;
	acc.n = 0;
	*out_len = 0;
	if (cap)
		out[0] = '\0';
	if (!der_expect(der, &off, 0x30, &cert))
		return EV_BAD;
	off = 0;
	if (!der_expect(cert, &off, 0x30, &tbs))
		return EV_BAD;
	off = 0;
	if (!der_tlv(tbs, off, &tag, &tmp, &next))
		return EV_BAD;
	if (tag == 0xa0) /* [0] EXPLICIT version */
		off = next;
	/* serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo */
	if (!der_expect(tbs, &off, 0x02, &tmp) || !der_expect(tbs, &off, 0x30, &tmp) ||
	    !der_expect(tbs, &off, 0x30, &tmp) || !der_expect(tbs, &off, 0x30, &tmp) ||
	    !der_expect(tbs, &off, 0x30, &subject) || !der_expect(tbs, &off, 0x30, &tmp))
		return EV_BAD;
	while (off < tbs.len) { /* issuerUniqueID [1], subjectUniqueID [2], extensions [3] */
		if (!der_tlv(tbs, off, &tag, &tmp, &next))
			return EV_BAD;
		if (tag == 0xa3)
			exts = tmp;
		off = next;
	}
	if (!subject_cn(subject, &acc))
		return EV_BAD;
	if (acc.n == 0) { /* keep index 0 for the CN */
		acc.v[0] = bv_make(NULL, 0);
		acc.bmp[0] = 0;
		acc.n = 1;
	}
	if (exts.len && !san_names(exts, &acc))
		return EV_BAD;
	if (cap == 0)
		return EV_OK;
	/* pass 0: names matching a domain pattern; pass 1: CN, then SANs in certificate order */
	size_t len = 0;
	bool full = false;
	for (int pass = dom ? 0 : 1; pass < 2 && !full; pass++) {
		for (unsigned i = 0; i < acc.n && !full; i++) {
			char nm[EV_NAME_MAX + 1];
			size_t nl = cert_name(&acc, i, nm, sizeof nm);
			if (nl == 0 || list_has(out, len, nm, nl))
				continue;
			if (pass == 0 && ev_domains_match(dom, nm, nl, NULL) < 0)
				continue;
			size_t need = nl + (len ? 1 : 0);
			if (len + need + 1 > cap) {
				full = true;
				break;
			}
			if (len)
				out[len++] = ',';
			memcpy(out + len, nm, nl);
			len += nl;
			out[len] = '\0';
		}
	}
	*out_len = len;
	return EV_OK;
}
