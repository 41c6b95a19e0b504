/* report_sig.c - what the audit report asks of the signature tables, through classify.h's public API. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "classify.h"

static void *xcalloc(size_t n, size_t sz, bool *oom)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		*oom = true;
	return p;
}

/* Report row idx: the table rules first, then the domain rows (a flow labelled from a domain
 * name cites its domain row, which sig_rule_get views at CLASSIFY_RULE_DOMAIN_BASE + row). */
static bool rule_view(const struct report *r, size_t idx, struct sig_rule_view *v)
{
	if (!r->db || idx >= r->nrules)
		return false;
	if (idx < r->ntable_rules)
		return sig_rule_get(r->db, (uint16_t)idx, v);
	return sig_rule_get(r->db, (uint16_t)(CLASSIFY_RULE_DOMAIN_BASE + (idx - r->ntable_rules)), v);
}

bool report_webex_family(const char *app)
{
	/* per record, several times: most apps differ in the first byte */
	return app[0] == 'w' &&
	       (strcmp(app, WEBEX_APP) == 0 || strcmp(app, WEBEX_PLATFORM_APP) == 0);
}

uint8_t report_rule_flags(const struct report *r, int32_t idx)
{
	return idx >= 0 && (size_t)idx < r->nrules && r->rule_flags ? r->rule_flags[idx] : 0;
}

const char *report_basis_note(const struct rcite *c, char *buf, size_t len)
{
	if (!c->interpretation)
		return "";
	snprintf(buf, len, " [ucflow's interpretation, not the document's text%s%s]",
		 *c->standard ? "; it follows " : "", c->standard);
	return buf;
}

int32_t report_rule_find(const struct report *r, const char *ref)
{
	struct rrule_ref *e;
	HASH_FIND_STR(r->by_ref, ref, e);
	return e ? (int32_t)e->idx : -1;
}

int32_t report_rule_findh(const struct report *r, const char *ref, size_t len, uint64_t hash)
{
	struct rrule_ref *e;
	HASH_FIND_BYHASHVALUE(hh, r->by_ref, ref, (unsigned)len, (unsigned)hash, e);
	return e ? (int32_t)e->idx : -1;
}

bool report_cite_idx(const struct report *r, size_t idx, struct rcite *c)
{
	struct sig_rule_view v;
	memset(c, 0, sizeof *c);
	if (!rule_view(r, idx, &v))
		return false;
	c->file = v.file;
	c->line = v.line;
	c->doc = v.doc;
	c->doc_title = v.doc_title ? v.doc_title : "";
	c->interpretation = v.interpretation;
	c->standard = v.standard ? v.standard : "";
	c->table = v.table;
	c->label = v.label;
	c->app = v.app;
	c->service = v.service;
	c->proto = v.proto ? v.proto : "";
	c->server_port = v.server_port ? v.server_port : "";
	c->category = v.category;
	c->encrypted = v.encrypted;
	return true;
}

bool report_cite(const struct report *r, const char *rule, struct rcite *c)
{
	int32_t idx = rule && *rule ? report_rule_find(r, rule) : -1;
	if (idx < 0) {
		memset(c, 0, sizeof *c);
		return false;
	}
	return report_cite_idx(r, (size_t)idx, c);
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;
	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* The documented encrypted variant of a cleartext rule: an encrypted rule of the same app and
 * category, the one whose service name shares the longest prefix (ldap -> ldaps, http -> https,
 * xmpp -> xmpp-secure); -1 when the document gives none. Cached per rule. */
int32_t report_enc_variant(struct report *r, size_t idx)
{
	if (r->enc_variant[idx] != -2)
		return r->enc_variant[idx];
	struct sig_rule_view v, w;
	int32_t best = -1;
	size_t best_score = 0;
	if (rule_view(r, idx, &v) && v.encrypted == 0) {
		for (size_t j = 0; j < r->nrules; j++) {
			if (!rule_view(r, j, &w) || w.encrypted != 1 || strcmp(w.app, v.app) != 0 ||
			    strcmp(w.category, v.category) != 0)
				continue;
			size_t s = common_prefix(v.service, w.service) + 1;
			if (s > best_score) {
				best_score = s;
				best = (int32_t)j;
			}
		}
	}
	r->enc_variant[idx] = best;
	return best;
}

/* DSCP values documented for a rule's service: every dscp= of the rules with its app and service. */
uint64_t report_dscp_mask(struct report *r, size_t idx)
{
	/* UINT64_MAX = not computed yet (a real mask never holds all 64 values) */
	if (r->svc_dscp_mask[idx] != UINT64_MAX)
		return r->svc_dscp_mask[idx];
	struct sig_rule_view v, w;
	uint64_t m = 0;
	if (rule_view(r, idx, &v)) {
		for (size_t j = 0; j < r->nrules; j++) {
			if (!rule_view(r, j, &w) || strcmp(w.app, v.app) != 0 ||
			    strcmp(w.service, v.service) != 0)
				continue;
			for (unsigned k = 0; k < w.ndscp && k < 8; k++)
				if (w.dscp[k] < 64)
					m |= 1ULL << w.dscp[k];
		}
	}
	r->svc_dscp_mask[idx] = m;
	return m;
}

/* Marks the ports of a port list as written ("8500-8599,19560-65535"); set names are skipped. */
static void mark_ports(uint8_t *bits, const char *spec)
{
	const char *p = spec;
	while (p && *p) {
		char *end;
		if (*p >= '0' && *p <= '9') {
			unsigned long lo = strtoul(p, &end, 10), hi = lo;
			if (*end == '-')
				hi = strtoul(end + 1, &end, 10);
			for (unsigned long x = lo; x <= hi && x < 65536; x++)
				bits[x >> 3] |= (uint8_t)(1u << (x & 7));
			p = end;
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
}

bool report_port_marked(const uint8_t *bits, uint64_t port)
{
	return port < 65536 && (bits[port >> 3] >> (port & 7) & 1);
}

void report_unindex_rules(struct report *r)
{
	struct rrule_ref *e, *te;
	HASH_ITER(hh, r->by_ref, e, te) {
		HASH_DEL(r->by_ref, e);
		free(e);
	}
	free(r->enc_variant);
	free(r->svc_dscp_mask);
	free(r->rule_flags);
	r->rule_flags = NULL;
	r->enc_variant = NULL;
	r->svc_dscp_mask = NULL;
	r->nrules = 0;
	r->webex_doc = NULL;
	report_cand_unindex(r);
	memset(r->media_ports, 0, sizeof r->media_ports);
}

int report_index_rules(struct report *r)
{
	bool oom = false;
	report_unindex_rules(r);
	size_t n = r->db ? sig_rule_count(r->db) + sig_domain_count(r->db) : 0;
	r->ntable_rules = r->db ? sig_rule_count(r->db) : 0;
	r->enc_variant = xcalloc(n, sizeof *r->enc_variant, &oom);
	r->svc_dscp_mask = xcalloc(n, sizeof *r->svc_dscp_mask, &oom);
	r->rule_flags = xcalloc(n, sizeof *r->rule_flags, &oom);
	if (oom)
		return -1;
	r->nrules = n;
	for (size_t i = 0; i < r->nrules; i++) {
		struct sig_rule_view v;
		r->enc_variant[i] = -2;
		r->svc_dscp_mask[i] = UINT64_MAX;
		if (!rule_view(r, i, &v))
			continue;
		char ref[600];
		snprintf(ref, sizeof ref, "%s:%u", v.file, v.line);
		struct rrule_ref *e;
		HASH_FIND_STR(r->by_ref, ref, e);
		if (!e) {
			size_t len = strlen(ref);
			e = calloc(1, sizeof *e + len + 1);
			if (!e)
				return -1;
			e->idx = (uint32_t)i;
			memcpy(e->key, ref, len + 1);
			HASH_ADD_STR(r->by_ref, key, e);
		}
		/* a row with a documented server subnet and no port (a domain row has neither) */
		if (i < r->ntable_rules && v.server_port && strcmp(v.server_port, "any") == 0 &&
		    v.server && *v.server == '@' && strcmp(v.server, "@internal") != 0)
			r->rule_flags[i] |= RFL_SUBNET_ONLY;
		if (report_webex_family(v.app)) {
			r->rule_flags[i] |= RFL_WEBEX;
			if (!r->webex_doc)
				r->webex_doc = v.doc;
			if (strcmp(v.category, "media") == 0 && v.proto && strcmp(v.proto, "tcp") != 0)
				mark_ports(r->media_ports, v.server_port);
		}
	}
	return report_cand_index(r);
}

/* "file:line" of rule idx into buf ("" when out of range). */
const char *report_rule_ref(const struct report *r, size_t idx, char *buf, size_t len)
{
	struct sig_rule_view v;
	buf[0] = '\0';
	if (rule_view(r, idx, &v))
		snprintf(buf, len, "%s:%u", v.file, v.line);
	return buf;
}

/* Whether a loaded rule was named by a record: as its rule, or by app/service in candidates. */
bool report_rule_seen(const struct report *r, size_t idx)
{
	struct sig_rule_view v;
	if (!rule_view(r, idx, &v))
		return true;
	char key[600];
	struct rcount *c;
	snprintf(key, sizeof key, "%s:%u", v.file, v.line);
	HASH_FIND_STR(r->rule_refs, key, c);
	if (c)
		return true;
	snprintf(key, sizeof key, "%s/%s", v.app, v.service);
	HASH_FIND_STR(r->cand_svcs, key, c);
	return c != NULL;
}

/* A document as its doc statement records it: 'document FILE "Title" (Cisco, Japanese edition
 * "original title", revised 2013-01-06)'; "(site file)" for rows of the site file. */
const char *report_fmt_doc(const struct report *r, const char *doc, const char *title, char *buf,
			   size_t len)
{
	if (!doc || !*doc) {
		snprintf(buf, len, "(site file)");
		return buf;
	}
	struct sig_doc_view d;
	bool known = r->db && sig_doc_find(r->db, doc, &d);
	int n = snprintf(buf, len, "document %s%s%s%s", doc, title && *title ? " \"" : "",
			 title ? title : "", title && *title ? "\"" : "");
	if (n < 0 || (size_t)n >= len)
		return buf;
	if (!known) {
		snprintf(buf + n, len - (size_t)n, " (vendor, edition and revision not recorded)");
		return buf;
	}
	snprintf(buf + n, len - (size_t)n, " (%s%s%s%s%s%s%s; revised: %s)",
		 *d.vendor ? d.vendor : "vendor not recorded", ", ",
		 *d.edition ? d.edition : "edition not recorded", *d.edition ? " edition" : "",
		 *d.original ? " \"" : "", d.original, *d.original ? "\"" : "",
		 *d.revised ? d.revised : "not recorded");
	return buf;
}

const char *report_app_name(const struct report *r, const char *app)
{
	int i = r->db && *app ? sig_app_find(r->db, app) : -1;
	const char *n = i >= 0 ? sig_app_name(r->db, i) : NULL;
	return n ? n : app;
}
