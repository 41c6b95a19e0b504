/* report_servers.c - the report's Servers table: the servers whose learned role (ucflow(1),
 * SERVER ROLES) stands behind labels, read from the records' evidence tokens (role=, server= or
 * client=, peer=, serves=), so that --from-json builds the same table as a run. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

struct rserver {
	UT_hash_handle hh;
	char *key;            /* "address\trole" (the hash key) */
	char evidence[224];   /* peer= and serves= tokens of the latest record */
	char products[96];    /* the products labelled through it, comma-separated */
	uint64_t as_server, as_client, first, last;
};

/* The value of token name= in the space-separated tokens s, copied into buf ("" when absent). */
static const char *token(const char *s, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	buf[0] = '\0';
	for (const char *p = s; p && *p;) {
		while (*p == ' ')
			p++;
		const char *e = strchr(p, ' ');
		size_t tl = e ? (size_t)(e - p) : strlen(p);
		if (tl > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			size_t vl = tl - n - 1;
			if (vl >= len)
				vl = len - 1;
			memcpy(buf, p + n + 1, vl);
			buf[vl] = '\0';
			return buf;
		}
		p = e;
	}
	return buf;
}

void report_servers_add(struct report *r, const struct rec *x, bool *oom)
{
	if (!x->evidence || !strstr(x->evidence, "role="))
		return;
	char role[128], srv[UCF_ADDR_STRLEN + 1], cli[UCF_ADDR_STRLEN + 1], peer[96], serves[96];
	token(x->evidence, "role", role, sizeof role);
	token(x->evidence, "server", srv, sizeof srv);
	token(x->evidence, "client", cli, sizeof cli);
	token(x->evidence, "peer", peer, sizeof peer);
	token(x->evidence, "serves", serves, sizeof serves);
	const char *addr = *srv ? srv : cli;
	if (!*role || !*addr)
		return;
	char key[sizeof role + sizeof srv + 2];
	snprintf(key, sizeof key, "%s\t%s", addr, role);
	struct rserver *s;
	HASH_FIND_STR(r->servers, key, s);
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s || !(s->key = strdup(key))) {
			free(s);
			*oom = true;
			return;
		}
		s->first = x->ts;
		HASH_ADD_KEYPTR(hh, r->servers, s->key, strlen(s->key), s);
	}
	if (x->final) { /* a flow counts once, on its last record */
		if (*srv)
			s->as_server++;
		else
			s->as_client++;
	}
	if (x->ts < s->first)
		s->first = x->ts;
	if (x->ts + x->dur > s->last)
		s->last = x->ts + x->dur;
	snprintf(s->evidence, sizeof s->evidence, "%s%s%s%s%s", *peer ? "peer " : "", peer,
		 *peer && *serves ? "; " : "", *serves ? "serves " : "", serves);
	if (*x->app && !strstr(s->products, x->app)) {
		size_t n = strlen(s->products);
		snprintf(s->products + n, sizeof s->products - n, "%s%s", n ? ", " : "", x->app);
	}
}

void report_servers_free(struct report *r)
{
	struct rserver *s, *t;
	HASH_ITER(hh, r->servers, s, t) {
		HASH_DEL(r->servers, s);
		free(s->key);
		free(s);
	}
}

static int cmp_server(const void *a, const void *b)
{
	const struct rserver *x = *(const struct rserver *const *)a;
	const struct rserver *y = *(const struct rserver *const *)b;
	return strcmp(x->key, y->key);
}

struct rtab *report_tab_servers(const struct report *r)
{
	size_t n = HASH_COUNT(r->servers);
	if (!n)
		return NULL;
	struct rserver **v = calloc(n, sizeof *v);
	static const char *const head[] = { "Server", "Role", "Evidence (peers, answered ports)",
					     "Products", "Flows as server", "Flows as client",
					     "First seen", "Last seen" };
	struct rtab *t = v ? rtab_new(8, 0x30u, head) : NULL;
	if (!t) {
		free(v);
		return NULL;
	}
	size_t i = 0;
	for (struct rserver *s = r->servers; s; s = s->hh.next)
		v[i++] = s;
	qsort(v, n, sizeof *v, cmp_server);
	for (i = 0; i < n; i++) {
		const struct rserver *s = v[i];
		char addr[UCF_ADDR_STRLEN + 1], ns[24], nc[24], f[48], l[48];
		const char *tab = strchr(s->key, '\t');
		snprintf(addr, sizeof addr, "%.*s", (int)(tab - s->key), s->key);
		snprintf(ns, sizeof ns, "%llu", (unsigned long long)s->as_server);
		snprintf(nc, sizeof nc, "%llu", (unsigned long long)s->as_client);
		report_fmt_time(s->first, f, sizeof f);
		report_fmt_time(s->last, l, sizeof l);
		const char *cells[] = { addr, tab + 1, s->evidence, s->products, ns, nc, f, l };
		rtab_row(t, RT_BODY, cells);
	}
	free(v);
	return t;
}

/* Parallel --from-json (report_merge.c): src, read from later files, added to dst. */
int report_servers_merge(struct report *dst, const struct report *src)
{
	for (const struct rserver *x = src->servers; x; x = x->hh.next) {
		struct rserver *s;
		HASH_FIND_STR(dst->servers, x->key, s);
		if (!s) {
			s = calloc(1, sizeof *s);
			if (!s || !(s->key = strdup(x->key))) {
				free(s);
				return -1;
			}
			s->first = x->first;
			HASH_ADD_KEYPTR(hh, dst->servers, s->key, strlen(s->key), s);
		}
		s->as_server += x->as_server;
		s->as_client += x->as_client;
		if (x->first < s->first)
			s->first = x->first;
		if (x->last > s->last)
			s->last = x->last;
		memcpy(s->evidence, x->evidence, sizeof s->evidence); /* the latest record's */
		char prods[sizeof x->products];
		memcpy(prods, x->products, sizeof prods);
		for (char *save = NULL, *p = strtok_r(prods, ", ", &save); p;
		     p = strtok_r(NULL, ", ", &save))
			if (!strstr(s->products, p)) {
				size_t n = strlen(s->products);
				snprintf(s->products + n, sizeof s->products - n, "%s%s", n ? ", " : "",
					 p);
			}
	}
	return 0;
}
