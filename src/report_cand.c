/* report_cand.c - the flows a finding would hold if their candidates were right: unlabelled flows (ambiguous, shared-port, needs-payload ...) measured against their candidate rows. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* "app/service" -> the report rows (rules) of that service, in load order. */
struct rsvc_rules {
	UT_hash_handle hh;
	size_t n;
	uint32_t *idx;
	char key[];
};

void report_cand_unindex(struct report *r)
{
	report_cand_cache_clear(r);
	struct rsvc_rules *e, *t;
	HASH_ITER(hh, r->svc_rules, e, t) {
		HASH_DEL(r->svc_rules, e);
		free(e->idx);
		free(e);
	}
}

int report_cand_index(struct report *r)
{
	for (size_t i = 0; i < r->ntable_rules; i++) {
		struct rcite c;
		if (!report_cite_idx(r, i, &c))
			continue;
		char key[600];
		snprintf(key, sizeof key, "%s/%s", c.app, c.service);
		struct rsvc_rules *e;
		HASH_FIND_STR(r->svc_rules, key, e);
		if (!e) {
			size_t len = strlen(key);
			if (!(e = calloc(1, sizeof *e + len + 1)))
				return -1;
			memcpy(e->key, key, len + 1);
			HASH_ADD_STR(r->svc_rules, key, e);
		}
		uint32_t *n = realloc(e->idx, (e->n + 1) * sizeof *n);
		if (!n)
			return -1;
		e->idx = n;
		e->idx[e->n++] = (uint32_t)i;
	}
	return 0;
}

/* The candidate's row for this flow: the first rule of the service whose transport and server
 * ports hold the flow's; else the service's first rule (a candidate the classifier named matched
 * some row of it, e.g. through a port set this view cannot expand). */
static int32_t cand_rule(const struct report *r, const char *cand, const char *proto, uint64_t port)
{
	struct rsvc_rules *e;
	HASH_FIND_STR(r->svc_rules, cand, e);
	if (!e || !e->n)
		return -1;
	for (size_t i = 0; i < e->n; i++) {
		struct rcite c;
		if (!report_cite_idx(r, e->idx[i], &c))
			continue;
		bool p = strcmp(c.proto, "both") == 0 || strcmp(c.proto, proto) == 0;
		if (p && report_ports_hold(c.server_port, (unsigned long)port))
			return (int32_t)e->idx[i];
	}
	return (int32_t)e->idx[0];
}

/* Why a cache: most records are unlabelled with one to four candidates, and finding a
 * candidate's row walks its service's rules, parsing their port lists (a tenth of --from-json's
 * time). The answer depends only on (candidate, proto, port) and the loaded tables, so it is kept
 * in a direct-mapped table, emptied when the rules are indexed again. */
#define CAND_CACHE 1024
#define CAND_KEY 48
struct rcand_hit {
	char cand[CAND_KEY];
	char proto[8];
	uint32_t port;
	int32_t idx;
	int8_t encrypted;       /* of the row: 1, 0, -1 none */
	bool webex_media;       /* the row is Webex Calling's media category */
	bool used;
};

/* cand: cl bytes, report_key_hash ch (add_record's, shared with the candidates' count). */
static const struct rcand_hit *cand_hit(struct report *r, const char *cand, size_t cl, uint64_t ch,
					const char *proto, size_t pl, uint64_t port,
					struct rcand_hit *tmp)
{
	struct rcand_hit *h = tmp;
	if (cl < CAND_KEY && pl < sizeof h->proto && port <= 65535) {
		if (!r->cand_cache && !(r->cand_cache = calloc(CAND_CACHE, sizeof *r->cand_cache)))
			h = tmp;
		else {
			uint64_t k = ch ^ (port * 0x9e3779b97f4a7c15ULL) ^
				     (uint64_t)(unsigned char)proto[0] << 56;
			h = &r->cand_cache[(k >> 20) & (CAND_CACHE - 1)];
			/* both NUL-terminated within their arrays: the compares stop there */
			if (h->used && h->port == port && report_key_eq(h->cand, cand, cl + 1) &&
			    report_key_eq(h->proto, proto, pl + 1))
				return h;
		}
	}
	memset(h, 0, sizeof *h);
	if (h != tmp) {
		memcpy(h->cand, cand, cl + 1);
		memcpy(h->proto, proto, pl + 1);
		h->port = (uint32_t)port;
		h->used = true;
	}
	h->idx = cand_rule(r, cand, proto, port);
	struct rcite c;
	h->encrypted = -1;
	if (h->idx >= 0 && report_cite_idx(r, (size_t)h->idx, &c)) {
		h->encrypted = (int8_t)(c.encrypted > 0 ? 1 : c.encrypted == 0 ? 0 : -1);
		/* a Webex media row, or a Webex subnet-only row on a documented UDP media port */
		h->webex_media = report_webex_family(c.app) &&
				 (strcmp(c.category, "media") == 0 ||
				  ((report_rule_flags(r, h->idx) & RFL_SUBNET_ONLY) &&
				   report_port_marked(r->media_ports, port)));
	} else {
		h->idx = -1;
	}
	return h;
}

int32_t report_cand_rule(struct report *r, const struct rec *x, size_t i)
{
	struct rcand_hit tmp;
	return cand_hit(r, x->cand[i], x->cand_len[i], x->cand_hash[i], x->proto, x->proto_len,
			x->resp_p, &tmp)->idx;
}

void report_cand_cache_clear(struct report *r)
{
	free(r->cand_cache);
	r->cand_cache = NULL;
}

static void cand_count(struct report *r, enum rfind k, size_t ci, const struct rec *x,
		       int32_t idx, bool *oom)
{
	struct rgroup *g = report_group_addh(&r->cand[k], x->cand[ci], x->cand_len[ci],
					     x->cand_hash[ci], x, oom);
	if (g && idx >= 0 && !g->extra_key) {
		char ref[600];
		g->extra_key = strdup(report_rule_ref(r, (size_t)idx, ref, sizeof ref));
		if (!g->extra_key)
			*oom = true;
	}
	if (*x->reason)
		report_count_addh(&r->cand[k].reasons, x->reason, x->reason_len, x->reason_hash,
				  x->final, x->oip + x->rip, oom);
	else
		report_count_add(&r->cand[k].reasons, "(not recorded)", x->final, x->oip + x->rip,
				 oom);
}

/* An unlabelled record: for each finding, the first candidate that would put it there. A flow
 * counts once per finding whatever the number of its candidates. */
void report_cand_add(struct report *r, const struct rec *x, bool *oom)
{
	bool done[RF_N] = { false };
	for (size_t i = 0; i < x->ncand; i++) {
		const char *cand = x->cand[i];
		struct rcand_hit tmp;
		const struct rcand_hit *h = cand_hit(r, cand, x->cand_len[i], x->cand_hash[i],
						     x->proto, x->proto_len, x->resp_p, &tmp);
		int32_t idx = h->idx;
		if (idx < 0)
			continue;
		if (h->encrypted == 0 && !done[RF_CLEAR]) {
			int32_t var = report_enc_variant(r, (size_t)idx);
			cand_count(r, var >= 0 ? RF_CLEAR : RF_CLEAR_INFO, i, x, idx, oom);
			done[RF_CLEAR] = true;
		}
		uint64_t mask = report_dscp_mask(r, (size_t)idx);
		if (mask && x->orig_dscp >= 0 && x->final && !done[RF_DSCP] &&
		    (!(mask >> x->orig_dscp & 1) || x->changed == 1)) {
			cand_count(r, RF_DSCP, i, x, idx, oom);
			done[RF_DSCP] = true;
		}
		if (h->webex_media && strcmp(x->proto, "tcp") == 0 && !done[RF_MEDIA_TCP]) {
			cand_count(r, RF_MEDIA_TCP, i, x, idx, oom);
			done[RF_MEDIA_TCP] = true;
		}
		if (x->frag > 0 && !done[RF_FRAG]) {
			cand_count(r, RF_FRAG, i, x, idx, oom);
			done[RF_FRAG] = true;
		}
	}
}
