/* evidence_text.c - clear-text protocol recognisers: SIP start lines (RFC 3261 7.1/7.2), XMPP stream
 * headers (RFC 6120 4.7) and HTTP/1.x start lines and the Host header (RFC 9112 3, 4; RFC 9110 7.2).
 *
 * Only the first packet(s) of a flow are seen, so each recogniser answers EV_MORE when the data is
 * a consistent prefix that was cut, not EV_BAD. Scans are bounded by TEXT_SCAN.
 */
#include <string.h>

#include "evidence.h"

#define TEXT_SCAN 4096 /* bytes of a packet searched for line ends and headers */

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Offset of the CRLF (or bare LF) ending the line that starts at off; SIZE_MAX when not present.
 * Searched a copied block at a time (memchr), not byte by byte: header sections are long. */
static size_t line_end(struct bview v, size_t off)
{
	size_t lim = v.len < TEXT_SCAN ? v.len : TEXT_SCAN;
	uint8_t buf[256];
	for (size_t at = off; at < lim; at += sizeof buf) {
		size_t n = lim - at < sizeof buf ? lim - at : sizeof buf;
		if (!bv_copy(v, at, buf, n))
			break;
		const uint8_t *nl = memchr(buf, '\n', n);
		if (nl) {
			size_t i = at + (size_t)(nl - buf);
			uint8_t c;
			return (i > off && bv_u8(v, i - 1, &c) && c == '\r') ? i - 1 : i;
		}
	}
	return SIZE_MAX;
}

/* Compares v[off..] with lit; a literal cut short by the end of v is "maybe" (EV_MORE). */
static int prefix(struct bview v, size_t off, const char *lit, bool ci)
{
	for (size_t i = 0; lit[i]; i++) {
		uint8_t c;
		if (!bv_u8(v, off + i, &c))
			return EV_MORE;
		if (ci ? ev_lower(c) != ev_lower((unsigned char)lit[i]) : c != (uint8_t)lit[i])
			return EV_BAD;
	}
	return EV_OK;
}

/* A token of upper-case letters followed by one space; returns its length or 0. *cut when the
 * data ended inside it. */
static size_t upper_token(struct bview v, size_t max, bool *cut)
{
	*cut = false;
	for (size_t i = 0; i <= max; i++) {
		uint8_t c;
		if (!bv_u8(v, i, &c)) {
			*cut = i > 0;
			return 0;
		}
		if (c == ' ')
			return i;
		if (c < 'A' || c > 'Z')
			return 0;
	}
	return 0;
}

static bool digits3(struct bview v, size_t off)
{
	for (size_t i = 0; i < 3; i++) {
		uint8_t c;
		if (!bv_u8(v, off + i, &c) || c < '0' || c > '9')
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------------------------------- */
int ev_sip_check(struct bview pkt)
{
	uint8_t c;
	if (!bv_u8(pkt, 0, &c))
		return EV_BAD;
	/* what the tests below accept starts with CR, LF or an upper-case letter: binary and most
	 * text payloads end here, at the first byte */
	if (c != '\r' && c != '\n' && (c < 'A' || c > 'Z'))
		return EV_BAD;
	/* RFC 5626 keep-alive: only CR/LF */
	bool crlf_only = true;
	for (size_t i = 0; i < pkt.len && i < 8 && crlf_only; i++)
		crlf_only = bv_u8(pkt, i, &c) && (c == '\r' || c == '\n');
	if (crlf_only && pkt.len <= 8)
		return EV_MORE;
	int r = prefix(pkt, 0, "SIP/2.0 ", false);
	if (r == EV_MORE)
		return EV_MORE;
	if (r == EV_OK) { /* Status-Line: SIP/2.0 SP 3DIGIT SP Reason */
		if (!bv_has(pkt, 8, 4))
			return EV_MORE;
		return (digits3(pkt, 8) && bv_u8(pkt, 11, &c) && c == ' ') ? EV_OK : EV_BAD;
	}
	/* Request-Line: Method SP Request-URI SP SIP/2.0 CRLF */
	bool cut;
	size_t m = upper_token(pkt, 16, &cut);
	if (m == 0)
		return cut ? EV_MORE : EV_BAD;
	size_t u = m + 1;
	int s1 = prefix(pkt, u, "sip:", true), s2 = prefix(pkt, u, "sips:", true),
	    s3 = prefix(pkt, u, "tel:", true);
	if (s1 == EV_BAD && s2 == EV_BAD && s3 == EV_BAD)
		return EV_BAD;
	if (s1 != EV_OK && s2 != EV_OK && s3 != EV_OK)
		return EV_MORE;
	size_t le = line_end(pkt, u);
	size_t lim = le == SIZE_MAX ? pkt.len : le;
	size_t sp = SIZE_MAX;
	for (size_t i = u; i < lim; i++)
		if (bv_u8(pkt, i, &c) && c == ' ')
			sp = i;
	if (le == SIZE_MAX) /* the line is cut: fine while what is there is consistent */
		return (sp == SIZE_MAX || prefix(pkt, sp + 1, "SIP/2.0", false) != EV_BAD) ? EV_MORE
											   : EV_BAD;
	return (sp != SIZE_MAX && sp + 8 == le && prefix(pkt, sp + 1, "SIP/2.0", false) == EV_OK)
		       ? EV_OK
		       : EV_BAD;
}

/* ---------------------------------------------------------------------------------------------- */
static const char *const http_methods[] = { "GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS",
					    "PATCH", "CONNECT", "TRACE", "PRI", NULL };

/* Host value without port or IPv6 brackets. */
static struct bview strip_port(struct bview h)
{
	uint8_t c;
	if (bv_u8(h, 0, &c) && c == '[') {
		for (size_t i = 1; i < h.len; i++)
			if (bv_u8(h, i, &c) && c == ']')
				return bv_make(h.p + 1, i - 1);
		return bv_make(NULL, 0);
	}
	for (size_t i = h.len; i-- > 0;) {
		if (!bv_u8(h, i, &c))
			break;
		if (c == ':')
			return bv_make(h.p, i);
		if (c < '0' || c > '9')
			break;
	}
	return h;
}

/* The Host header among the header lines starting at off (only a complete line counts). */
static struct bview find_host(struct bview v, size_t off)
{
	for (unsigned n = 0; n < 64; n++) {
		size_t le = line_end(v, off);
		if (le == SIZE_MAX || le == off)
			break; /* cut, or the empty line ending the header section */
		if (ev_bv_lit(v, off, "host:", true)) {
			size_t a = off + 5, b = le;
			uint8_t c;
			while (a < b && bv_u8(v, a, &c) && (c == ' ' || c == '\t'))
				a++;
			while (b > a && bv_u8(v, b - 1, &c) && (c == ' ' || c == '\t'))
				b--;
			struct bview h;
			if (bv_sub(v, a, b - a, &h))
				return strip_port(h);
		}
		uint8_t c;
		off = (bv_u8(v, le, &c) && c == '\r') ? le + 2 : le + 1;
	}
	return bv_make(NULL, 0);
}

int ev_http_check(struct bview pkt, struct bview *host)
{
	uint8_t c;
	*host = bv_make(NULL, 0);
	/* a status line or a request method: an upper-case letter first (see upper_token) */
	if (!bv_u8(pkt, 0, &c) || c < 'A' || c > 'Z')
		return EV_BAD;
	int r = prefix(pkt, 0, "HTTP/1.", false);
	if (r == EV_MORE)
		return EV_MORE;
	if (r == EV_OK) { /* status-line: HTTP/1.x SP 3DIGIT SP (lenient: or CR) */
		uint8_t e;
		if (!bv_has(pkt, 7, 6))
			return EV_MORE;
		return (bv_u8(pkt, 7, &c) && (c == '0' || c == '1') && bv_u8(pkt, 8, &c) && c == ' ' &&
			digits3(pkt, 9) && bv_u8(pkt, 12, &e) && (e == ' ' || e == '\r'))
			       ? EV_OK
			       : EV_BAD;
	}
	bool cut;
	size_t m = upper_token(pkt, 8, &cut);
	if (m == 0) {
		if (!cut)
			return EV_BAD;
		for (unsigned i = 0; http_methods[i]; i++)
			if (pkt.len <= strlen(http_methods[i]) &&
			    prefix(pkt, 0, http_methods[i], false) != EV_BAD)
				return EV_MORE; /* "GE", or "GET" without its space yet */
		return EV_BAD;
	}
	unsigned meth;
	for (meth = 0; http_methods[meth]; meth++)
		if (ev_bv_lit(pkt, 0, http_methods[meth], false) && m == strlen(http_methods[meth]))
			break;
	if (!http_methods[meth])
		return EV_BAD;
	/* request-target SP HTTP-version CRLF */
	size_t t = m + 1, le = line_end(pkt, t), sp = SIZE_MAX;
	size_t lim = le == SIZE_MAX ? pkt.len : le;
	if (le == SIZE_MAX && lim > t && bv_u8(pkt, lim - 1, &c) && c == '\r')
		lim--; /* cut between CR and LF */
	for (size_t i = t; i < lim; i++) {
		c = 0;
		bv_u8(pkt, i, &c);
		if (c == ' ' && sp == SIZE_MAX && i > t)
			sp = i; /* the one space between request-target and version */
		else if (c < 0x21 || c == 0x7f)
			return EV_BAD;
	}
	const char *ver = strcmp(http_methods[meth], "PRI") ? "HTTP/1." : "HTTP/2.0";
	if (le == SIZE_MAX) /* cut: fine while the version so far is consistent */
		return (sp == SIZE_MAX || prefix(pkt, sp + 1, ver, false) != EV_BAD) ? EV_MORE : EV_BAD;
	if (sp == SIZE_MAX || prefix(pkt, sp + 1, ver, false) != EV_OK)
		return EV_BAD;
	if (strcmp(http_methods[meth], "PRI") == 0)
		return sp + 9 == le ? EV_OK : EV_BAD;
	if (sp + 9 != le || !bv_u8(pkt, sp + 8, &c) || (c != '0' && c != '1'))
		return EV_BAD;
	if (strcmp(http_methods[meth], "CONNECT") == 0) { /* authority-form */
		struct bview a;
		if (bv_sub(pkt, t, sp - t, &a))
			*host = strip_port(a);
		return EV_OK;
	}
	uint8_t lf = 0;
	bv_u8(pkt, le, &lf);
	*host = find_host(pkt, lf == '\r' ? le + 2 : le + 1);
	return EV_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Value of attribute `name` (preceded by white space, then optional space, '=', a quote) inside
 * tag [from, to); empty view when absent or unterminated. */
static struct bview xml_attr(struct bview v, size_t from, size_t to, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = from + 1; i + nl < to; i++) {
		uint8_t c, q;
		if (!bv_u8(v, i - 1, &c) || !is_ws(c) || !ev_bv_lit(v, i, name, false))
			continue;
		size_t k = i + nl;
		while (k < to && bv_u8(v, k, &c) && is_ws(c))
			k++;
		if (!bv_u8(v, k, &c) || c != '=')
			continue;
		k++;
		while (k < to && bv_u8(v, k, &c) && is_ws(c))
			k++;
		if (!bv_u8(v, k, &q) || (q != '\'' && q != '"'))
			continue;
		for (size_t e = k + 1; e < to; e++)
			if (bv_u8(v, e, &c) && c == q)
				return bv_make(v.p + k + 1, e - k - 1);
		return bv_make(NULL, 0);
	}
	return bv_make(NULL, 0);
}

int ev_xmpp_check(struct bview pkt, uint8_t *proto, struct bview *to)
{
	uint8_t c;
	size_t off = 0;
	*proto = EV_PROTO_NONE;
	*to = bv_make(NULL, 0);
	/* white space or '<' first, else neither prefix below can match */
	if (bv_u8(pkt, 0, &c) && c != '<' && !is_ws(c))
		return EV_BAD;
	while (off < pkt.len && off < 64 && bv_u8(pkt, off, &c) && is_ws(c))
		off++;
	if (off == pkt.len)
		return pkt.len ? EV_MORE : EV_BAD;
	if (bv_u8(pkt, off, &c) && c != '<')
		return EV_BAD; /* both prefixes below start with '<' */
	int r = prefix(pkt, off, "<?xml", false);
	if (r == EV_MORE)
		return EV_MORE;
	if (r == EV_OK) { /* XML declaration first */
		size_t e = ev_bv_find(pkt, off + 5, TEXT_SCAN, "?>", false);
		if (e == SIZE_MAX)
			return pkt.len < TEXT_SCAN ? EV_MORE : EV_BAD;
		off = e + 2;
		while (off < pkt.len && bv_u8(pkt, off, &c) && is_ws(c))
			off++;
		if (off == pkt.len)
			return EV_MORE;
	}
	r = prefix(pkt, off, "<stream:stream", false);
	if (r != EV_OK)
		return r;
	if (bv_u8(pkt, off + 14, &c) && !is_ws(c) && c != '>')
		return EV_BAD; /* <stream:streamfoo */
	size_t gt = ev_bv_find(pkt, off, TEXT_SCAN, ">", false);
	size_t end = gt == SIZE_MAX ? (pkt.len < TEXT_SCAN ? pkt.len : TEXT_SCAN) : gt;
	struct bview ns = xml_attr(pkt, off, end, "xmlns");
	*to = xml_attr(pkt, off, end, "to");
	if (ns.len == 13 && ev_bv_lit(ns, 0, "jabber:server", false))
		*proto = EV_PROTO_XMPP_SERVER;
	else if (ns.len == 13 && ev_bv_lit(ns, 0, "jabber:client", false))
		*proto = EV_PROTO_XMPP_CLIENT;
	else if (gt != SIZE_MAX)
		*proto = EV_PROTO_XMPP_CLIENT; /* a complete header without the namespace */
	return *proto != EV_PROTO_NONE ? EV_OK : EV_MORE;
}
