/* sig_values.c - value parsers for signature statements: names, ports, port and address lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig_values.h"

int sig_perr(const struct sig_pstate *ps, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[UCF_ERRBUF_SIZE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct sig_loc loc = { ps->path, line, col }; /* messages name the file as opened */
	sig_errf(ps->ctx->err, ps->ctx->errlen, &loc, "%s", msg);
	return -1;
}

bool sig_valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* ---- list splitting: items separated by commas, each with its column ---- */

struct item {
	char s[128];
	unsigned col;
	bool too_long;
};

/* Calls fn for each comma-separated item of text (column of text's first byte is col0). */
static int for_items(const struct sig_pstate *ps, const char *text, unsigned line, unsigned col0,
		     int (*fn)(const struct sig_pstate *, const struct item *, unsigned line, void *),
		     void *arg)
{
	const char *p = text;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		struct item it;
		it.col = col0 + (unsigned)(p - text);
		if (n == 0)
			return sig_perr(ps, line, it.col, "empty list item");
		it.too_long = n >= sizeof it.s;
		if (it.too_long)
			n = sizeof it.s - 1;
		memcpy(it.s, p, n);
		it.s[n] = '\0';
		if (it.too_long)
			return sig_perr(ps, line, it.col, "list item too long: '%.40s...'", it.s);
		if (fn(ps, &it, line, arg))
			return -1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* ---- ports ---- */

static bool parse_u32(const char *s, unsigned long *out)
{
	if (!*s)
		return false;
	unsigned long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 0xffffffffUL)
			v = 0xffffffffUL; /* saturate: still out of range, no overflow */
	}
	*out = v;
	return true;
}

static int parse_port(const struct sig_pstate *ps, const char *s, unsigned line, unsigned col,
		      uint16_t *out)
{
	unsigned long v;
	if (!parse_u32(s, &v))
		return sig_perr(ps, line, col, "bad port '%s'", s);
	if (v > 65535)
		return sig_perr(ps, line, col, "port %s out of range (0-65535)", s);
	*out = (uint16_t)v;
	return 0;
}

struct range_acc {
	struct sig_range *r;
	size_t n, cap;
	bool any;
	bool allow_any;
	unsigned items;
};

static int range_add(struct range_acc *acc, uint16_t lo, uint16_t hi)
{
	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 16;
		struct sig_range *r = realloc(acc->r, cap * sizeof *r);
		if (!r)
			return -1;
		acc->r = r;
		acc->cap = cap;
	}
	acc->r[acc->n].lo = lo;
	acc->r[acc->n].hi = hi;
	acc->n++;
	return 0;
}

static int port_item(const struct sig_pstate *ps, const struct item *it, unsigned line, void *arg)
{
	struct range_acc *acc = arg;
	acc->items++;
	if (strcmp(it->s, "any") == 0) {
		if (!acc->allow_any)
			return sig_perr(ps, line, it->col, "'any' is not allowed here");
		acc->any = true;
		return 0;
	}
	if (it->s[0] == '@') {
		const struct sig_set *set = sig_find_set(ps, it->s + 1);
		if (!set && strcmp(it->s + 1, "internal") != 0)
			return sig_perr(ps, line, it->col, "undefined set '%s'", it->s);
		if (!set || !set->is_port)
			return sig_perr(ps, line, it->col, "'%s' is an address set, not a port set",
					it->s);
		for (uint32_t i = 0; i < set->ports.nr; i++)
			if (range_add(acc, set->ports.r[i].lo, set->ports.r[i].hi))
				return sig_perr(ps, line, it->col, "out of memory");
		return 0;
	}
	char lo_s[128], *dash = strchr(it->s, '-');
	uint16_t lo, hi;
	if (dash) {
		size_t n = (size_t)(dash - it->s);
		memcpy(lo_s, it->s, n);
		lo_s[n] = '\0';
		if (parse_port(ps, lo_s, line, it->col, &lo) ||
		    parse_port(ps, dash + 1, line, it->col + (unsigned)n + 1, &hi))
			return -1;
		if (hi < lo)
			return sig_perr(ps, line, it->col, "reversed port range '%s'", it->s);
	} else {
		if (parse_port(ps, it->s, line, it->col, &lo))
			return -1;
		hi = lo;
	}
	if (range_add(acc, lo, hi))
		return sig_perr(ps, line, it->col, "out of memory");
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct sig_range *x = a, *y = b;
	return x->lo != y->lo ? (x->lo < y->lo ? -1 : 1) : (x->hi < y->hi ? -1 : x->hi > y->hi);
}

int sig_parse_ports(const struct sig_pstate *ps, const char *text, unsigned line, unsigned col,
		    bool allow_any, struct sig_pspec *out)
{
	struct range_acc acc = { .allow_any = allow_any };
	memset(out, 0, sizeof *out);
	if (for_items(ps, text, line, col, port_item, &acc)) {
		free(acc.r);
		return -1;
	}
	if (acc.any && acc.items > 1) {
		free(acc.r);
		return sig_perr(ps, line, col, "'any' cannot be combined with other ports");
	}
	out->any = acc.any;
	/* Sorted and merged (overlapping or adjacent ranges join), so lookups can stop early and
	 * the width of a range is the width of the documented run it belongs to. */
	if (acc.n) {
		qsort(acc.r, acc.n, sizeof *acc.r, cmp_range);
		size_t k = 0;
		for (size_t i = 1; i < acc.n; i++) {
			if ((uint32_t)acc.r[i].lo <= (uint32_t)acc.r[k].hi + 1) {
				if (acc.r[i].hi > acc.r[k].hi)
					acc.r[k].hi = acc.r[i].hi;
			} else {
				acc.r[++k] = acc.r[i];
			}
		}
		out->nr = (uint32_t)(k + 1);
		out->r = sig_alloc(&ps->ctx->db->arena, out->nr * sizeof *out->r);
		if (!out->r) {
			free(acc.r);
			return sig_perr(ps, line, col, "out of memory");
		}
		memcpy(out->r, acc.r, out->nr * sizeof *out->r);
	}
	free(acc.r);
	out->text = sig_strdup(&ps->ctx->db->arena, text);
	return out->text ? 0 : sig_perr(ps, line, col, "out of memory");
}

/* ---- addresses ---- */

int sig_parse_prefix(const struct sig_pstate *ps, const char *s, unsigned line, unsigned col,
		     struct sig_prefix *out)
{
	char addr[128];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof addr)
		return sig_perr(ps, line, col, "bad address '%s'", s);
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (!ucf_addr_parse(addr, &out->a))
		return sig_perr(ps, line, col, "bad address '%s'", addr);
	bool v4 = strchr(addr, ':') == NULL;
	unsigned max = v4 ? 32 : 128;
	unsigned long len = max;
	if (slash) {
		if (!parse_u32(slash + 1, &len))
			return sig_perr(ps, line, col + (unsigned)n + 1, "bad prefix length '%s'",
					slash + 1);
		if (len > max)
			return sig_perr(ps, line, col + (unsigned)n + 1,
					"prefix length %lu out of range (0-%u)", len, max);
	}
	unsigned mlen = (unsigned)len + (v4 ? 96 : 0);
	if (cidr_host_bits_set(&out->a, mlen)) {
		struct ucf_addr net = out->a;
		char buf[UCF_ADDR_STRLEN];
		cidr_mask(&net, mlen);
		return sig_perr(ps, line, col, "host bits set in '%s' (the network is %s/%lu)", s,
				ucf_addr_format(&net, buf, sizeof buf), len);
	}
	out->len = (uint8_t)mlen;
	return 0;
}

struct pfx_acc {
	struct sig_prefix *p;
	size_t n, cap;
	bool any, internal;
	bool allow_any;
	unsigned items;
};

static int pfx_add(struct pfx_acc *acc, const struct sig_prefix *p)
{
	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 16;
		struct sig_prefix *np = realloc(acc->p, cap * sizeof *np);
		if (!np)
			return -1;
		acc->p = np;
		acc->cap = cap;
	}
	acc->p[acc->n++] = *p;
	return 0;
}

static int addr_item(const struct sig_pstate *ps, const struct item *it, unsigned line, void *arg)
{
	struct pfx_acc *acc = arg;
	acc->items++;
	if (strcmp(it->s, "any") == 0) {
		if (!acc->allow_any)
			return sig_perr(ps, line, it->col, "'any' is not allowed here");
		acc->any = true;
		return 0;
	}
	if (it->s[0] == '@') {
		if (strcmp(it->s + 1, "internal") == 0) {
			acc->internal = true;
			return 0;
		}
		const struct sig_set *set = sig_find_set(ps, it->s + 1);
		if (!set)
			return sig_perr(ps, line, it->col, "undefined set '%s'", it->s);
		if (set->is_port)
			return sig_perr(ps, line, it->col, "'%s' is a port set, not an address set",
					it->s);
		acc->internal |= set->addrs.internal;
		for (uint32_t i = 0; i < set->addrs.npfx; i++)
			if (pfx_add(acc, &set->addrs.pfx[i]))
				return sig_perr(ps, line, it->col, "out of memory");
		return 0;
	}
	struct sig_prefix p;
	if (sig_parse_prefix(ps, it->s, line, it->col, &p))
		return -1;
	if (pfx_add(acc, &p))
		return sig_perr(ps, line, it->col, "out of memory");
	return 0;
}

int sig_parse_addrs(const struct sig_pstate *ps, const char *text, unsigned line, unsigned col,
		    bool allow_any, struct sig_aspec *out)
{
	struct pfx_acc acc = { .allow_any = allow_any };
	memset(out, 0, sizeof *out);
	if (for_items(ps, text, line, col, addr_item, &acc)) {
		free(acc.p);
		return -1;
	}
	if (acc.any && acc.items > 1) {
		free(acc.p);
		return sig_perr(ps, line, col, "'any' cannot be combined with other addresses");
	}
	out->any = acc.any;
	out->internal = acc.internal;
	if (acc.n) {
		out->pfx = sig_alloc(&ps->ctx->db->arena, acc.n * sizeof *out->pfx);
		if (!out->pfx) {
			free(acc.p);
			return sig_perr(ps, line, col, "out of memory");
		}
		memcpy(out->pfx, acc.p, acc.n * sizeof *out->pfx);
		out->npfx = (uint32_t)acc.n;
	}
	free(acc.p);
	out->text = sig_strdup(&ps->ctx->db->arena, text);
	return out->text ? 0 : sig_perr(ps, line, col, "out of memory");
}

/* Appends b's prefixes (and internal flag) to a, in the arena. */
int sig_aspec_append(struct sig_db *db, struct sig_aspec *a, const struct sig_aspec *b)
{
	a->internal |= b->internal;
	a->any |= b->any;
	if (!b->npfx)
		return 0;
	struct sig_prefix *p = sig_alloc(&db->arena, (a->npfx + b->npfx) * sizeof *p);
	if (!p)
		return -1;
	if (a->npfx)
		memcpy(p, a->pfx, a->npfx * sizeof *p);
	memcpy(p + a->npfx, b->pfx, b->npfx * sizeof *p);
	a->pfx = p;
	a->npfx += b->npfx;
	return 0;
}

/* ---- small enumerations ---- */

int sig_parse_yesno(const struct sig_pstate *ps, const struct sig_tok *t, bool *out)
{
	if (strcmp(t->val, "yes") == 0)
		*out = true;
	else if (strcmp(t->val, "no") == 0)
		*out = false;
	else
		return sig_perr(ps, t->line, t->vcol, "%s: expected yes or no, got '%s'", t->key,
				t->val);
	return 0;
}

int sig_parse_proto(const struct sig_pstate *ps, const struct sig_tok *t, uint8_t *out)
{
	if (strcmp(t->val, "tcp") == 0)
		*out = SIG_PROTO_TCP;
	else if (strcmp(t->val, "udp") == 0)
		*out = SIG_PROTO_UDP;
	else if (strcmp(t->val, "both") == 0)
		*out = SIG_PROTO_TCP | SIG_PROTO_UDP;
	else
		return sig_perr(ps, t->line, t->vcol, "proto: expected tcp, udp or both, got '%s'",
				t->val);
	return 0;
}

struct dscp_acc {
	uint8_t *v;
	uint8_t n, max;
};

static int dscp_item(const struct sig_pstate *ps, const struct item *it, unsigned line, void *arg)
{
	struct dscp_acc *acc = arg;
	unsigned long v;
	if (!parse_u32(it->s, &v))
		return sig_perr(ps, line, it->col, "bad DSCP value '%s'", it->s);
	if (v > 63)
		return sig_perr(ps, line, it->col, "DSCP value %s out of range (0-63)", it->s);
	if (acc->n == acc->max)
		return sig_perr(ps, line, it->col, "too many DSCP values (at most %u)", acc->max);
	acc->v[acc->n++] = (uint8_t)v;
	return 0;
}

int sig_parse_dscp(const struct sig_pstate *ps, const struct sig_tok *t, uint8_t *v, uint8_t max,
		   uint8_t *n)
{
	struct dscp_acc acc = { v, 0, max };
	if (for_items(ps, t->val, t->line, t->vcol + t->vquoted, dscp_item, &acc))
		return -1;
	*n = acc.n;
	return 0;
}
