/* report_summary.c - the audit report's opening summary in plain words: inputs, products found, unlabelled flows by reason, findings. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* The record's reasons for no label (ucflow(1), field reason), in plain words. Reasons other
 * versions or sensors write are shown by name only. */
const char *report_reason_text(const char *reason)
{
	static const char *const known[][2] = {
		{ "ambiguous", "two or more products document the port and nothing else tells them "
			       "apart (a site file declaring the servers decides)" },
		{ "shared-port", "a port many services share, with no documented subnet, site-declared "
				 "server or payload evidence" },
		{ "needs-payload", "a row that labels only when the payload confirms it, and it did not" },
		{ "needs-corroboration", "a documented port whose label needs a second sign (subnet, "
					 "site server or payload) that the flow did not show" },
		{ "unanswered", "an attempt the server never answered: nothing confirms the product" },
		{ "public-port-only", "a documented port, but the server is outside the internal "
				      "networks" },
		{ "server-not-internal", "an on-premises product's port on a server outside the "
					 "internal networks" },
		{ "payload-mismatch", "the payload shows another protocol than the row documents" },
		{ "dependency", "a third party the product depends on (never labelled as the product)" },
		{ "allow-list", "a name the document lists only for a firewall allow-list (e.g. "
				"*.cisco.com for Webex Calling): allowed, never the product" },
		{ "needs-name", "a row that labels only with a name of its own service (e.g. Webex "
				"CScan's cscan.webex.com), and the flow showed none" },
		{ "no-rule", "no documented row matches" },
		{ "(not recorded)", "records without a reason field" },
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(known[i][0], reason) == 0)
			return known[i][1];
	return "";
}

static uint64_t labelled_flows(const struct report *r)
{
	return r->flows - r->find[RF_UNCLASS].flows;
}

void report_verdict(const struct report *r, char *buf, size_t len)
{
	uint64_t lab = labelled_flows(r);
	if (!r->records) {
		snprintf(buf, len, "no flow records%s", r->failed_inputs ? ", inputs failed" : "");
		return;
	}
	if (!lab) {
		snprintf(buf, len, "no product traffic (%llu flow%s, none labelled)",
			 (unsigned long long)r->flows, plural(r->flows));
		return;
	}
	size_t np, used;
	struct rprod **p = report_sorted_prods(r, &np);
	used = (size_t)snprintf(buf, len, "product traffic in %llu of %llu flows (",
				(unsigned long long)lab, (unsigned long long)r->flows);
	size_t shown = 0;
	for (size_t i = 0; p && i < np && used < len; i++) {
		if (!*p[i]->app || !p[i]->flows)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", shown++ ? ", " : "",
					 report_app_name(r, p[i]->app));
		uint64_t other = strcmp(p[i]->app, WEBEX_APP) == 0 ? report_scope_calling_app_other(r)
								     : 0;
		if (other && used < len) /* never passed as Calling: see the Webex scope table */
			used += (size_t)snprintf(buf + used, len - used, " (%llu flow%s not of Calling "
						 "scope)", (unsigned long long)other, plural(other));
	}
	if (used < len)
		snprintf(buf + used, len - used, ")");
	free(p);
}

static void inputs(const struct report *r, rline_fn fn, void *u)
{
	size_t nread = r->ninputs - (size_t)r->failed_inputs;
	if (!r->ninputs) {
		report_linef(fn, u, RL_SUMMARY, "Inputs: none named.");
		return;
	}
	if (r->failed_inputs)
		report_linef(fn, u, RL_SUMMARY, "Inputs: %zu read, %llu FAILED (the counts below leave out "
		    "what could not be read, and the run exits with status 1):", nread,
		    (unsigned long long)r->failed_inputs);
	else
		report_linef(fn, u, RL_SUMMARY, "Inputs: %zu read, none failed:", nread);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct rinput *in = &r->inputs[i];
		if (in->reason)
			report_linef(fn, u, RL_DETAIL, "FAILED: %s %s: %s", in->kind, in->name, in->reason);
		else
			report_linef(fn, u, RL_DETAIL, "read: %s %s", in->kind, in->name);
	}
}

static void products(const struct report *r, rline_fn fn, void *u)
{
	uint64_t lab = labelled_flows(r);
	char pct[32];
	report_fmt_percent(lab, r->flows, pct, sizeof pct);
	if (!lab) {
		report_linef(fn, u, RL_SUMMARY, "Found: no product traffic. None of the %llu flow%s matched a "
		    "documented row of a product well enough to be labelled.",
		    (unsigned long long)r->flows, plural(r->flows));
		return;
	}
	report_linef(fn, u, RL_SUMMARY, "Found: %llu of %llu flows (%s) labelled with a product:",
	    (unsigned long long)lab, (unsigned long long)r->flows, pct);
	size_t np, ns;
	struct rprod **p = report_sorted_prods(r, &np);
	struct rsvc **s = report_sorted_svcs(r, &ns);
	for (size_t i = 0; p && s && i < np; i++) {
		if (!*p[i]->app)
			continue;
		char svcs[1024], hb[32];
		size_t used = 0;
		svcs[0] = '\0';
		for (size_t j = 0; j < ns && used < sizeof svcs; j++)
			if (strcmp(s[j]->app, p[i]->app) == 0)
				used += (size_t)snprintf(svcs + used, sizeof svcs - used, "%s%s %llu",
							 used ? ", " : "", s[j]->service,
							 (unsigned long long)s[j]->flows);
		report_fmt_bytes(p[i]->ip[0] + p[i]->ip[1], hb, sizeof hb);
		char nc[32], nsv[32]; /* "> 256" once the bounded summary dropped hosts */
		report_topk_fmt_distinct(&p[i]->clients, nc, sizeof nc);
		report_topk_fmt_distinct(&p[i]->servers, nsv, sizeof nsv);
		/* Webex Calling's flows whose records do not give scope calling (records without
		 * app_scope, or another scope): said here, so this line never passes them as Calling */
		char note[160] = "";
		uint64_t other = strcmp(p[i]->app, WEBEX_APP) == 0 ? report_scope_calling_app_other(r) : 0;
		if (other)
			snprintf(note, sizeof note, " (%llu of them not of Webex Calling scope: no "
				 "app_scope recorded or another one, see Webex scope)",
				 (unsigned long long)other);
		report_linef(fn, u, RL_DETAIL, "%s (%s): %llu flow%s%s, %s, %s client%s, %s server%s; by "
		    "service: %s", report_app_name(r, p[i]->app), p[i]->app,
		    (unsigned long long)p[i]->flows, plural(p[i]->flows), note, hb,
		    nc, strcmp(nc, "1") == 0 ? "" : "s", nsv, strcmp(nsv, "1") == 0 ? "" : "s",
		    svcs);
	}
	free(p);
	free(s);
}

static void unlabelled(const struct report *r, rline_fn fn, void *u)
{
	uint64_t n = r->find[RF_UNCLASS].flows;
	char pct[32];
	report_fmt_percent(n, r->flows, pct, sizeof pct);
	if (!n) {
		report_linef(fn, u, RL_SUMMARY, "Unlabelled: none.");
		return;
	}
	report_linef(fn, u, RL_SUMMARY, "Unlabelled: %llu flow%s (%s), by the records' reason:",
	    (unsigned long long)n, plural(n), pct);
	size_t nr;
	struct rcount **v = report_sorted_counts(r->reasons, &nr);
	for (size_t i = 0; v && i < nr; i++) {
		if (!v[i]->flows)
			continue;
		const char *key = *v[i]->key ? v[i]->key : "(not recorded)";
		const char *t = report_reason_text(key);
		report_linef(fn, u, RL_DETAIL, "%s: %llu flow%s%s%s", key, (unsigned long long)v[i]->flows,
		    plural(v[i]->flows), *t ? " - " : "", t);
	}
	free(v);
}

static void findings(const struct report *r, rline_fn fn, void *u)
{
	report_linef(fn, u, RL_SUMMARY, "Findings (labelled flows; candidate flows are unlabelled flows "
	    "that would fall under the finding if one of their candidate rows were right, never "
	    "counted as labelled):");
	for (size_t i = 0; i < report_nfindings; i++) {
		enum rfind k = report_finding_order[i];
		char cnt[96];
		report_fmt_finding_count(r, k, cnt, sizeof cnt);
		report_linef(fn, u, RL_DETAIL, "%c. %s: %s", (int)('a' + i), report_finding_title(k), cnt);
	}
}

void report_summary_lines(const struct report *r, rline_fn fn, void *u)
{
	char v[512];
	report_verdict(r, v, sizeof v);
	if (!r->records)
		report_linef(fn, u, RL_SUMMARY, "No product traffic: no flow records were read.");
	else if (!labelled_flows(r))
		report_linef(fn, u, RL_SUMMARY, "No product traffic: none of the %llu flow%s was labelled with "
		    "a product.", (unsigned long long)r->flows, plural(r->flows));
	else
		report_linef(fn, u, RL_SUMMARY, "Product traffic: %s.", v + strlen("product traffic "));
	inputs(r, fn, u);
	products(r, fn, u);
	report_scope_summary(r, fn, u);
	unlabelled(r, fn, u);
	findings(r, fn, u);
	if (r->malformed)
		report_linef(fn, u, RL_SUMMARY, "Malformed flow records: %llu, skipped (listed in the "
		    "overview; the run exits with status 1).", (unsigned long long)r->malformed);
}
