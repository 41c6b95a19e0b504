/* report_util.c - the audit report's sorted views, number and time formatting, and output helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_internal.h"

/* ---- sorted views ---- */

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b ? 1 : 0;
}

static const struct report *sort_ctx; /* qsort has no user pointer in C11 */

static uint64_t prod_bytes(const struct report *r, const char *app)
{
	struct rprod *p;
	HASH_FIND_STR(r->prods, app, p);
	return p ? p->ip[0] + p->ip[1] : 0;
}

static int cmp_prod_names(const char *a, const char *b, uint64_t ba, uint64_t bb)
{
	if (!*a != !*b)
		return *a ? -1 : 1; /* unclassified last */
	int c = cmp_u64_desc(ba, bb);
	return c ? c : strcmp(a, b);
}

static int cmp_svc(const void *x, const void *y)
{
	const struct rsvc *a = *(const struct rsvc *const *)x, *b = *(const struct rsvc *const *)y;
	if (strcmp(a->app, b->app) != 0)
		return cmp_prod_names(a->app, b->app, prod_bytes(sort_ctx, a->app),
				      prod_bytes(sort_ctx, b->app));
	int c = cmp_u64_desc(a->ip[0] + a->ip[1], b->ip[0] + b->ip[1]);
	if (!c)
		c = cmp_u64_desc(a->flows, b->flows);
	return c ? c : strcmp(a->service, b->service);
}

struct rsvc **report_sorted_svcs(const struct report *r, size_t *n)
{
	*n = HASH_COUNT(r->svcs);
	struct rsvc **v = calloc(*n ? *n : 1, sizeof *v);
	if (!v) {
		*n = 0;
		return NULL;
	}
	size_t i = 0;
	for (struct rsvc *s = r->svcs; s; s = s->hh.next)
		v[i++] = s;
	sort_ctx = r;
	qsort(v, *n, sizeof *v, cmp_svc);
	return v;
}

static int cmp_prod(const void *x, const void *y)
{
	const struct rprod *a = *(const struct rprod *const *)x, *b = *(const struct rprod *const *)y;
	return cmp_prod_names(a->app, b->app, a->ip[0] + a->ip[1], b->ip[0] + b->ip[1]);
}

struct rprod **report_sorted_prods(const struct report *r, size_t *n)
{
	*n = HASH_COUNT(r->prods);
	struct rprod **v = calloc(*n ? *n : 1, sizeof *v);
	if (!v) {
		*n = 0;
		return NULL;
	}
	size_t i = 0;
	for (struct rprod *p = r->prods; p; p = p->hh.next)
		v[i++] = p;
	qsort(v, *n, sizeof *v, cmp_prod);
	return v;
}

static int cmp_group(const void *x, const void *y)
{
	const struct rgroup *a = *(const struct rgroup *const *)x, *b = *(const struct rgroup *const *)y;
	int c = cmp_u64_desc(a->flows, b->flows);
	if (!c)
		c = cmp_u64_desc(a->n1, b->n1);
	if (!c)
		c = cmp_u64_desc(a->bytes, b->bytes);
	return c ? c : strcmp(a->key, b->key);
}

static int cmp_group_bytes(const void *x, const void *y)
{
	const struct rgroup *a = *(const struct rgroup *const *)x, *b = *(const struct rgroup *const *)y;
	int c = cmp_u64_desc(a->bytes, b->bytes);
	if (!c)
		c = cmp_u64_desc(a->flows, b->flows);
	return c ? c : strcmp(a->key, b->key);
}

static struct rgroup **sorted_groups(const struct rfinding *f, size_t *n,
				     int (*cmp)(const void *, const void *))
{
	*n = HASH_COUNT(f->groups);
	struct rgroup **v = calloc(*n ? *n : 1, sizeof *v);
	if (!v) {
		*n = 0;
		return NULL;
	}
	size_t i = 0;
	for (struct rgroup *g = f->groups; g; g = g->hh.next)
		v[i++] = g;
	qsort(v, *n, sizeof *v, cmp);
	return v;
}

struct rgroup **report_sorted_groups(const struct rfinding *f, size_t *n)
{
	return sorted_groups(f, n, cmp_group);
}

struct rgroup **report_sorted_groups_by_bytes(const struct rfinding *f, size_t *n)
{
	return sorted_groups(f, n, cmp_group_bytes);
}

static int cmp_count(const void *x, const void *y)
{
	const struct rcount *a = *(const struct rcount *const *)x, *b = *(const struct rcount *const *)y;
	int c = cmp_u64_desc(a->flows, b->flows);
	if (!c)
		c = cmp_u64_desc(a->bytes, b->bytes);
	return c ? c : strcmp(a->key, b->key);
}

void report_sort_counts(struct rcount **v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_count);
}

struct rcount **report_sorted_counts(struct rcount *map, size_t *n)
{
	*n = HASH_COUNT(map);
	struct rcount **v = calloc(*n ? *n : 1, sizeof *v);
	if (!v) {
		*n = 0;
		return NULL;
	}
	size_t i = 0;
	for (struct rcount *c = map; c; c = c->hh.next)
		v[i++] = c;
	qsort(v, *n, sizeof *v, cmp_count);
	return v;
}

/* Numeric order of "proto/port" keys, for port lists. */
static int cmp_port_key(const void *x, const void *y)
{
	const struct rcount *a = *(const struct rcount *const *)x, *b = *(const struct rcount *const *)y;
	const char *sa = strchr(a->key, '/'), *sb = strchr(b->key, '/');
	size_t la = sa ? (size_t)(sa - a->key) : strlen(a->key);
	size_t lb = sb ? (size_t)(sb - b->key) : strlen(b->key);
	int c = strncmp(a->key, b->key, la < lb ? la : lb);
	if (c || la != lb)
		return c ? c : (la < lb ? -1 : 1);
	long pa = sa ? strtol(sa + 1, NULL, 10) : 0, pb = sb ? strtol(sb + 1, NULL, 10) : 0;
	return pa < pb ? -1 : pa > pb;
}

void report_fmt_ports(struct rcount *ports, size_t max_items, char *buf, size_t len)
{
	size_t n;
	struct rcount **v = report_sorted_counts(ports, &n);
	buf[0] = '\0';
	if (!v)
		return;
	qsort(v, n, sizeof *v, cmp_port_key);
	size_t used = 0, items = 0, i = 0;
	while (i < n) {
		/* a run of consecutive ports of one protocol prints as lo-hi */
		size_t j = i;
		const char *slash = strchr(v[i]->key, '/');
		size_t plen = slash ? (size_t)(slash - v[i]->key) : 0;
		long lo = slash ? strtol(slash + 1, NULL, 10) : 0, hi = lo;
		while (j + 1 < n && slash) {
			const char *s2 = strchr(v[j + 1]->key, '/');
			if (!s2 || (size_t)(s2 - v[j + 1]->key) != plen ||
			    strncmp(v[j + 1]->key, v[i]->key, plen) != 0 ||
			    strtol(s2 + 1, NULL, 10) != hi + 1)
				break;
			hi++;
			j++;
		}
		if (items == max_items) {
			snprintf(buf + used, len - used, ", +%zu more", n - i);
			break;
		}
		int w;
		if (hi > lo)
			w = snprintf(buf + used, len - used, "%s%.*s/%ld-%ld", items ? ", " : "",
				     (int)plen, v[i]->key, lo, hi);
		else
			w = snprintf(buf + used, len - used, "%s%s", items ? ", " : "", v[i]->key);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
		items++;
		i = j + 1;
	}
	free(v);
}

/* Whether a port list as written ("8500-8599,19560-65535", "any") holds port. A list naming a set
 * (@name) cannot be told from here: it counts as holding it. */
bool report_ports_hold(const char *spec, unsigned long port)
{
	if (!*spec || strcmp(spec, "any") == 0)
		return true;
	for (const char *p = spec; p && *p;) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;
		if (*p == '@' || end == p)
			return true;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (port >= lo && port <= hi)
			return true;
		if ((p = strchr(end, ',')))
			p++;
	}
	return false;
}

/* ---- formatting ---- */

void report_fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "kB", "MB", "GB", "TB", "PB", "EB" };
	if (b < 1000) {
		snprintf(buf, len, "%llu B", (unsigned long long)b);
		return;
	}
	double v = (double)b / 1000.0;
	size_t u = 0;
	while (v >= 999.95 && u + 1 < sizeof unit / sizeof unit[0]) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, len, "%.*f %s", v < 9.995 ? 2 : v < 99.95 ? 1 : 0, v, unit[u]);
}

void report_fmt_time(uint64_t us, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	char s[40];
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s UTC", s);
}

void report_fmt_span(uint64_t us, char *buf, size_t len)
{
	uint64_t s = us / 1000000;
	if (s < 60)
		snprintf(buf, len, "%.3f s", (double)us / 1e6);
	else if (s < 3600 && s % 60 == 0 && us % 1000000 == 0)
		snprintf(buf, len, "%llu min", (unsigned long long)(s / 60));
	else if (s < 3600)
		snprintf(buf, len, "%llu min %02llu s", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400 && s % 3600 == 0 && us % 1000000 == 0)
		snprintf(buf, len, "%llu h", (unsigned long long)(s / 3600));
	else if (s < 86400)
		snprintf(buf, len, "%llu h %02llu min %02llu s", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llu d %02llu h %02llu min", (unsigned long long)(s / 86400),
			 (unsigned long long)(s / 3600 % 24), (unsigned long long)(s / 60 % 60));
}

void report_fmt_percent(uint64_t part, uint64_t whole, char *buf, size_t len)
{
	if (!whole)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f %%", 100.0 * (double)part / (double)whole);
}

const enum rfind report_finding_order[] = { RF_CLEAR, RF_DSCP, RF_MEDIA_TCP, RF_SUBNET,
					     RF_UNCLASS, RF_FRAG, RF_FIREWALL };
const size_t report_nfindings = sizeof report_finding_order / sizeof report_finding_order[0];

/* Flows a finding would hold if their candidate rows were right (a: both cleartext parts). */
uint64_t report_cand_flows(const struct report *r, enum rfind k)
{
	if (k == RF_FIREWALL) {
		uint64_t lab, cand;
		report_fw_counts(r, &lab, &cand);
		return cand;
	}
	return r->cand[k].flows + (k == RF_CLEAR ? r->cand[RF_CLEAR_INFO].flows : 0);
}

/* Labelled flows a finding holds (g: unanswered attempts outside port scans). */
uint64_t report_finding_flows(const struct report *r, enum rfind k)
{
	uint64_t n = r->find[k].flows, c;
	if (k == RF_FIREWALL)
		report_fw_counts(r, &n, &c);
	return n;
}

/* "0 flows" or "0 flows, 5 candidate flows": a finding's count as its heading shows it. */
void report_fmt_finding_count(const struct report *r, enum rfind k, char *buf, size_t len)
{
	uint64_t n = report_finding_flows(r, k), c = report_cand_flows(r, k);
	int w = snprintf(buf, len, "%llu flow%s", (unsigned long long)n, n == 1 ? "" : "s");
	if (c && w > 0 && (size_t)w < len)
		snprintf(buf + w, len - (size_t)w, ", %llu candidate flow%s", (unsigned long long)c,
			 c == 1 ? "" : "s");
}

const char *report_finding_title(enum rfind f)
{
	switch (f) {
	case RF_CLEAR: return "Cleartext variants in use where the documents give an encrypted one";
	case RF_CLEAR_INFO: return "Cleartext traffic with no documented encrypted variant (for information)";
	case RF_DSCP: return "DSCP markings that differ from the documented QoS values";
	case RF_MEDIA_TCP: return "Webex media over TCP";
	case RF_SUBNET: return "Traffic to documented vendor subnets on ports the documents do not list";
	case RF_UNCLASS: return "Unclassified traffic by server port and protocol";
	case RF_FRAG: return "Fragmented packets on UC flows";
	case RF_FIREWALL: return "Connection attempts on documented rows that never completed";
	case RF_N: break;
	}
	return "";
}

/* ---- output ---- */

void rout_puts(struct rout *o, const char *s)
{
	if (fputs(s, o->fp) == EOF && !o->error)
		o->error = errno ? errno : EIO;
}

void rout_printf(struct rout *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(o->fp, fmt, ap) < 0 && !o->error)
		o->error = errno ? errno : EIO;
	va_end(ap);
}

void rout_html(struct rout *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': rout_puts(o, "&amp;"); break;
		case '<': rout_puts(o, "&lt;"); break;
		case '>': rout_puts(o, "&gt;"); break;
		case '"': rout_puts(o, "&quot;"); break;
		case '\'': rout_puts(o, "&#39;"); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				rout_puts(o, "\xef\xbf\xbd"); /* U+FFFD: not allowed in XML */
			else if (fputc(*s, o->fp) == EOF && !o->error)
				o->error = errno ? errno : EIO;
		}
	}
}

void report_linef(rline_fn fn, void *u, enum rline k, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fn(u, k, buf);
}
