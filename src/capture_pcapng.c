/* capture_pcapng.c - the offline source's pcapng reader: every interface with its own link type,
 * time-stamp resolution and offset, so merged and multi-interface captures are read whole.
 *
 * Follows the pcapng specification (draft-ietf-opsawg-pcapng): section header (either byte order,
 * several sections per file), interface description (if_tsresol, if_tsoffset), enhanced, simple
 * and obsolete packet blocks; every other block is skipped. libpcap (1.10) refuses a file whose
 * interfaces differ in link type, which is what mergecap and multi-interface Wireshark captures
 * are. Blocks are read whole into one buffer and parsed through pkt_access.h; a block that lies
 * about its lengths is an error, never an over-read. The BPF filter is compiled once per
 * interface, for that interface's link type.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_internal.h"
#include "pkt_access.h"

#define BT_SHB 0x0a0d0d0au
#define BT_IDB 1u
#define BT_OPB 2u   /* obsolete packet block */
#define BT_SPB 3u   /* simple packet block */
#define BT_EPB 6u
#define BOM 0x1a2b3c4du
#define BOM_SWAPPED 0x4d3c2b1au
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14
#define MAX_BLOCK (64u << 20) /* larger than any real block; bounds the buffer */
#define MAX_IFACES 65536u     /* interface ids are 32-bit; no capture has this many */
#define DEFAULT_SNAPLEN 262144

struct ng_iface {
	int linktype;        /* DLT_ value */
	uint32_t snaplen;
	uint8_t tsresol;     /* if_tsresol: bit 7 clear 10^-n s, set 2^-n s */
	int64_t tsoffset;    /* if_tsoffset, seconds */
	struct bpf_program prog;
	bool has_prog;
	bool match_none;     /* the filter does not compile for this link type: nothing matches */
};

struct pcapng_file {
	FILE *fp;
	const char *name;
	const char *bpf;
	bool swap;           /* this section is in the other byte order */
	struct ng_iface *ifs;
	size_t nif, capif;
	uint8_t *buf;        /* the current block, header included */
	size_t bufcap;
	uint32_t pend_type;  /* a block read ahead by pcapng_open (0 = none) */
	size_t pend_len;
	int file_linktype;
	char filter_err[UCF_ERRBUF_SIZE]; /* the first interface's filter error */
};

/* Reads in the section's byte order (a section is "swapped" when its byte-order magic reads
 * back as 0x4d3c2b1a little-endian); *ok turns false when the bytes are not there. */
static uint32_t rd32(const struct pcapng_file *f, struct bview v, size_t off, bool *ok)
{
	uint32_t x = 0;
	*ok = *ok && (f->swap ? bv_be32(v, off, &x) : bv_le32(v, off, &x));
	return x;
}

static uint16_t rd16(const struct pcapng_file *f, struct bview v, size_t off, bool *ok)
{
	uint16_t x = 0;
	*ok = *ok && (f->swap ? bv_be16(v, off, &x) : bv_le16(v, off, &x));
	return x;
}

/* libpcap's LINKTYPE_ -> DLT_ mapping for the values where they differ on this platform. */
static int linktype_to_dlt(uint32_t lt)
{
	switch (lt) {
	case 101:
		return DLT_RAW;
#ifdef DLT_ATM_CLIP
	case 106:
		return DLT_ATM_CLIP;
#endif
#ifdef DLT_ATM_RFC1483
	case 100:
		return DLT_ATM_RFC1483;
#endif
	default:
		return (int)lt;
	}
}

static int fail(char *errbuf, const struct pcapng_file *f, const char *what)
{
	snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: %s", f->name, what);
	return -1;
}

/* Reads n bytes; 1 read, 0 clean end of file (only when allow_eof and nothing was read), -1 a
 * truncated file or a read error. */
static int read_exact(struct pcapng_file *f, void *dst, size_t n, bool allow_eof, char *errbuf)
{
	size_t got = fread(dst, 1, n, f->fp);
	if (got == n)
		return 1;
	if (ferror(f->fp)) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: read error: %s", f->name, strerror(errno));
		return -1;
	}
	if (got == 0 && allow_eof)
		return 0;
	snprintf(errbuf, UCF_ERRBUF_SIZE,
		 "%s: truncated pcapng file; tried to read %zu bytes, only got %zu", f->name, n, got);
	return -1;
}

static bool grow(struct pcapng_file *f, size_t n)
{
	if (n <= f->bufcap)
		return true;
	size_t c = f->bufcap ? f->bufcap : 4096;
	while (c < n)
		c *= 2;
	uint8_t *b = realloc(f->buf, c);
	if (!b)
		return false;
	f->buf = b;
	f->bufcap = c;
	return true;
}

/* Reads the next block whole into f->buf; its type and total length in *type, *len. 1, 0 at the
 * end of the file, -1 on error. A section header sets the byte order it announces. */
static int read_block(struct pcapng_file *f, uint32_t *type, size_t *len, char *errbuf)
{
	if (f->pend_type) {
		*type = f->pend_type;
		*len = f->pend_len;
		f->pend_type = 0;
		return 1;
	}
	uint8_t hdr[12];
	int rc = read_exact(f, hdr, 8, true, errbuf);
	if (rc <= 0)
		return rc;
	struct bview h = bv_make(hdr, sizeof hdr);
	bool ok = true;
	uint32_t t, total;
	if (!bv_le32(h, 0, &t))
		return fail(errbuf, f, "internal error");
	if (t == BT_SHB) {
		/* the block's byte order is in its body: read the byte-order magic first */
		if (read_exact(f, hdr + 8, 4, false, errbuf) < 0)
			return -1;
		uint32_t bom;
		(void)bv_le32(h, 8, &bom);
		if (bom == BOM)
			f->swap = false;
		else if (bom == BOM_SWAPPED)
			f->swap = true;
		else
			return fail(errbuf, f, "not a readable pcapng file: bad byte-order magic");
	}
	t = rd32(f, h, 0, &ok);
	total = rd32(f, h, 4, &ok);
	size_t have = t == BT_SHB ? 12 : 8;
	if (!ok || total < 12 || total % 4 != 0 || total > MAX_BLOCK || total < have)
		return fail(errbuf, f, "malformed pcapng block length");
	if (!grow(f, total))
		return fail(errbuf, f, "out of memory");
	memcpy(f->buf, hdr, have);
	if (read_exact(f, f->buf + have, total - have, false, errbuf) < 0)
		return -1;
	struct bview b = bv_make(f->buf, total);
	if (rd32(f, b, total - 4, &ok) != total || !ok)
		return fail(errbuf, f, "malformed pcapng block: trailing length differs");
	*type = t;
	*len = total;
	return 1;
}

static void free_ifaces(struct pcapng_file *f)
{
	for (size_t i = 0; i < f->nif; i++)
		if (f->ifs[i].has_prog)
			pcap_freecode(&f->ifs[i].prog);
	f->nif = 0;
}

/* An interface description block: link type, snap length, if_tsresol and if_tsoffset. */
static int add_iface(struct pcapng_file *f, size_t len, char *errbuf)
{
	struct bview b = bv_make(f->buf, len - 4); /* without the trailing length */
	bool ok = true;
	uint16_t lt = rd16(f, b, 8, &ok);
	uint32_t snaplen = rd32(f, b, 12, &ok);
	if (!ok)
		return fail(errbuf, f, "malformed pcapng interface description");
	if (f->nif == MAX_IFACES)
		return fail(errbuf, f, "too many pcapng interfaces");
	if (f->nif == f->capif) {
		size_t c = f->capif ? f->capif * 2 : 4;
		struct ng_iface *n = realloc(f->ifs, c * sizeof *n);
		if (!n)
			return fail(errbuf, f, "out of memory");
		f->ifs = n;
		f->capif = c;
	}
	struct ng_iface *i = &f->ifs[f->nif];
	memset(i, 0, sizeof *i);
	i->linktype = linktype_to_dlt(lt);
	i->snaplen = snaplen;
	i->tsresol = 6;
	/* options: code, length, value padded to 4 bytes; up to opt_endofopt or the block's end */
	for (size_t off = 16; off + 4 <= b.len;) {
		bool k = true;
		uint16_t code = rd16(f, b, off, &k), olen = rd16(f, b, off + 2, &k);
		if (!k || code == 0)
			break;
		if (!bv_has(b, off + 4, olen))
			return fail(errbuf, f, "malformed pcapng interface option");
		if (code == OPT_IF_TSRESOL && olen >= 1) {
			(void)bv_u8(b, off + 4, &i->tsresol);
			uint8_t n = i->tsresol & 0x7f;
			/* 10^-n beyond 10^-19, or 2^-n beyond 2^-63, does not fit 64-bit arithmetic */
			if ((i->tsresol & 0x80) ? n > 63 : n > 19)
				return fail(errbuf, f, "unsupported pcapng time-stamp resolution");
		} else if (code == OPT_IF_TSOFFSET && olen >= 8) {
			bool k2 = true;
			uint32_t lo = rd32(f, b, off + 4, &k2), hi = rd32(f, b, off + 8, &k2);
			if (f->swap) {
				uint32_t t = lo;
				lo = hi;
				hi = t;
			}
			i->tsoffset = (int64_t)(((uint64_t)hi << 32) | lo);
		}
		off += 4 + (((size_t)olen + 3) & ~(size_t)3);
	}
	if (f->bpf && *f->bpf) {
		pcap_t *dead = pcap_open_dead(i->linktype, snaplen && snaplen < DEFAULT_SNAPLEN
								   ? (int)snaplen : DEFAULT_SNAPLEN);
		if (!dead)
			return fail(errbuf, f, "out of memory");
		/* A filter that cannot apply to this link type (e.g. "udp" on USB) matches none of
		 * its packets; pcapng_open refuses it only when it compiles for no interface. */
		if (pcap_compile(dead, &i->prog, f->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			if (!f->filter_err[0])
				snprintf(f->filter_err, sizeof f->filter_err,
					 "bad filter expression '%s': %s", f->bpf, pcap_geterr(dead));
			i->match_none = true;
		} else {
			i->has_prog = true;
		}
		pcap_close(dead);
	}
	f->nif++;
	return 0;
}

/* Microseconds since the epoch from a timestamp in the interface's units. */
static uint64_t to_us(const struct ng_iface *i, uint64_t t)
{
	uint8_t n = i->tsresol & 0x7f;
	uint64_t us;
	if (i->tsresol & 0x80) {
		uint64_t sec = n ? t >> n : t, frac = n ? t & ((1ULL << n) - 1) : 0;
		/* frac < 2^n, n <= 63: frac * 10^6 could overflow, so scale in two steps */
		us = sec * 1000000ULL + (uint64_t)(((__uint128_t)frac * 1000000u) >> n);
	} else if (n >= 6) {
		uint64_t div = 1;
		for (uint8_t k = 6; k < n; k++)
			div *= 10;
		us = t / div;
	} else {
		uint64_t mul = 1;
		for (uint8_t k = n; k < 6; k++)
			mul *= 10;
		us = t * mul;
	}
	/* unsigned: a hostile offset wraps instead of overflowing */
	return us + (uint64_t)i->tsoffset * 1000000ULL;
}

int pcapng_open(struct pcapng_file **out, FILE *fp, const char *name, const char *bpf,
		char *errbuf)
{
	*out = NULL;
	struct pcapng_file *f = calloc(1, sizeof *f);
	if (!f) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	f->fp = fp;
	f->name = name;
	f->bpf = bpf;
	f->file_linktype = CAP_LINKTYPE_PER_PACKET;
	uint32_t type;
	size_t len;
	int rc = read_block(f, &type, &len, errbuf);
	if (rc == 0 || (rc > 0 && type != BT_SHB)) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: not a readable pcap or pcapng file: %s",
			 name, rc == 0 ? "empty file" : "no section header block");
		rc = -1;
	}
	/* the interfaces declared before the first packet: one link type for all of them is
	 * announced as the file's */
	while (rc > 0) {
		rc = read_block(f, &type, &len, errbuf);
		if (rc <= 0)
			break;
		if (type == BT_IDB) {
			rc = add_iface(f, len, errbuf);
			rc = rc == 0 ? 1 : rc;
		} else if (type != BT_SHB) {
			f->pend_type = type;
			f->pend_len = len;
			break;
		}
	}
	if (rc < 0) {
		pcapng_close(f);
		return UCF_ERR_RUNTIME;
	}
	bool compiled = false;
	for (size_t i = 0; i < f->nif; i++)
		compiled |= !f->ifs[i].match_none;
	if (f->nif && !compiled) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", f->filter_err);
		pcapng_close(f);
		return UCF_ERR_CONFIG;
	}
	if (f->nif) {
		f->file_linktype = f->ifs[0].linktype;
		for (size_t i = 1; i < f->nif; i++)
			if (f->ifs[i].linktype != f->file_linktype)
				f->file_linktype = CAP_LINKTYPE_PER_PACKET;
	}
	*out = f;
	return UCF_OK;
}

int pcapng_linktype(const struct pcapng_file *f)
{
	return f->file_linktype;
}

int pcapng_next(struct pcapng_file *f, struct cap_pkthdr *h, const uint8_t **data, char *errbuf)
{
	for (;;) {
		uint32_t type;
		size_t len;
		int rc = read_block(f, &type, &len, errbuf);
		if (rc < 0)
			return -UCF_ERR_RUNTIME;
		if (rc == 0)
			return 0;
		struct bview b = bv_make(f->buf, len - 4);
		bool ok = true;
		uint32_t ifid, caplen, wirelen;
		uint64_t ts;
		size_t data_off;
		switch (type) {
		case BT_SHB:
			free_ifaces(f); /* a new section: its own interfaces */
			continue;
		case BT_IDB:
			if (add_iface(f, len, errbuf) < 0)
				return -UCF_ERR_RUNTIME;
			continue;
		case BT_EPB:
		case BT_OPB: /* the obsolete packet block: a 16-bit interface id, then the same */
			ifid = type == BT_EPB ? rd32(f, b, 8, &ok) : rd16(f, b, 8, &ok);
			ts = (uint64_t)rd32(f, b, 12, &ok) << 32;
			ts |= rd32(f, b, 16, &ok);
			caplen = rd32(f, b, 20, &ok);
			wirelen = rd32(f, b, 24, &ok);
			data_off = 28;
			break;
		case BT_SPB:
			/* no interface id (the first), no time stamp; the captured length is what
			 * the block holds, up to the original length and the snap length */
			ifid = 0;
			ts = 0;
			wirelen = rd32(f, b, 8, &ok);
			data_off = 12;
			caplen = ok ? (uint32_t)(b.len - data_off) : 0;
			if (caplen > wirelen)
				caplen = wirelen;
			if (ok && f->nif && f->ifs[0].snaplen && caplen > f->ifs[0].snaplen)
				caplen = f->ifs[0].snaplen;
			break;
		default:
			continue; /* name resolution, statistics, custom ... blocks */
		}
		if (!ok || !bv_has(b, data_off, caplen)) {
			fail(errbuf, f, "malformed pcapng packet block");
			return -UCF_ERR_RUNTIME;
		}
		if (ifid >= f->nif) {
			fail(errbuf, f, "pcapng packet block for an undeclared interface");
			return -UCF_ERR_RUNTIME;
		}
		const struct ng_iface *i = &f->ifs[ifid];
		h->caplen = caplen;
		h->wirelen = wirelen < caplen ? caplen : wirelen;
		h->linktype = i->linktype;
		h->ts_us = type == BT_SPB ? 0 : to_us(i, ts);
		*data = f->buf + data_off;
		if (i->match_none)
			continue;
		if (i->has_prog) {
			struct pcap_pkthdr ph;
			memset(&ph, 0, sizeof ph);
			ph.caplen = h->caplen;
			ph.len = h->wirelen;
			if (!pcap_offline_filter(&i->prog, &ph, *data))
				continue;
		}
		return 1;
	}
}

void pcapng_close(struct pcapng_file *f)
{
	if (!f)
		return;
	free_ifaces(f);
	free(f->ifs);
	free(f->buf);
	free(f);
}
