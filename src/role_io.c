/* role_io.c - the server inventory in writing: --servers (JSON Lines) and --write-site (a site
 * file of the learned roles, ucflow-signatures(5) SITE FILE, that --site accepts). */
#include <stdlib.h>
#include <string.h>

#include "role.h"
#include "classify.h"

static struct role_server_view *snapshot(const struct role_table *t, size_t *n)
{
	*n = role_table_servers(t, NULL, 0);
	if (!*n)
		return NULL;
	struct role_server_view *v = calloc(*n, sizeof *v);
	if (v)
		*n = role_table_servers(t, v, *n);
	return v;
}

static void put_port(FILE *fp, const struct sig_db *db, size_t i)
{
	uint8_t proto;
	uint16_t port;
	if (sig_role_port_get(db, i, &proto, &port))
		fprintf(fp, "%s/%u", proto == 6 ? "tcp" : "udp", port);
}

/* Seconds since the epoch with microseconds, like the flow records' ts. */
static void put_ts(FILE *fp, uint64_t us)
{
	fprintf(fp, "%llu.%06llu", (unsigned long long)(us / 1000000u),
		(unsigned long long)(us % 1000000u));
}

/* JSON string body of a name from the tables: [A-Za-z0-9_.-] only (sig_valid_name), so no escape
 * is ever needed; labels may hold anything and are escaped. */
static void put_json_text(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

int role_write_servers(const struct role_table *t, const struct sig_db *db, FILE *fp)
{
	size_t n;
	struct role_server_view *v = snapshot(t, &n);
	if (n && !v)
		return UCF_ERR_RUNTIME;
	for (size_t s = 0; s < n; s++) {
		const struct role_server_view *sv = &v[s];
		char a[UCF_ADDR_STRLEN];
		ucf_addr_format(&sv->addr, a, sizeof a);
		/* the product when the roles agree on one; roles of two products are a conflict the
		 * auditor settles (the classifier then calls the shared ports ambiguous) */
		const char *product = NULL;
		bool conflict = false;
		for (size_t k = 0; k < sig_role_count(db); k++) {
			struct sig_role_view rv;
			if (!(sv->roles >> k & 1) || !sig_role_get(db, k, &rv))
				continue;
			if (product && strcmp(product, rv.app) != 0)
				conflict = true;
			product = product ? product : rv.app;
		}
		fprintf(fp, "{\"addr\":\"%s\",\"product\":", a);
		if (product && !conflict)
			put_json_text(fp, product);
		else
			fputs("null", fp);
		fputs(",\"roles\":[", fp);
		const char *sep = "";
		for (size_t k = 0; k < sig_role_count(db); k++) {
			struct sig_role_view rv;
			if (!(sv->roles >> k & 1) || !sig_role_get(db, k, &rv))
				continue;
			fprintf(fp, "%s{\"app\":", sep);
			put_json_text(fp, rv.app);
			fputs(",\"role\":", fp);
			put_json_text(fp, rv.role);
			fputs(",\"label\":", fp);
			put_json_text(fp, rv.label);
			fprintf(fp, ",\"rule\":\"%s:%u\"}", rv.file, rv.line);
			sep = ",";
		}
		/* roles whose ports it served without meeting their condition: what is missing */
		fputs("],\"partial\":[", fp);
		sep = "";
		for (size_t k = 0; k < sig_role_count(db); k++) {
			struct sig_role_view rv;
			if ((sv->roles >> k & 1) || !sig_role_get(db, k, &rv) ||
			    !(((rv.key | rv.support) & sv->served) || (rv.peer & sv->peer)))
				continue;
			fprintf(fp, "%s{\"app\":", sep);
			put_json_text(fp, rv.app);
			fputs(",\"role\":", fp);
			put_json_text(fp, rv.role);
			fprintf(fp, ",\"why\":\"%s\"}",
				!(rv.key & sv->served) && !(rv.peer & sv->peer)
					? "no key port served" : "fewer ports than min");
			sep = ",";
		}
		fputs("],\"peers\":[", fp);
		sep = "";
		for (size_t i = 0; i < sig_role_peer_count(db); i++) {
			struct sig_role_peer_view pv;
			struct sig_role_view rv;
			if (!(sv->peer >> i & 1) || !sig_role_peer_get(db, i, &pv) ||
			    !sig_role_get(db, pv.role, &rv))
				continue;
			if (pv.kind == SIG_PEER_USES) { /* uses: the service, no port */
				fprintf(fp, "%s{\"uses\":", sep);
				put_json_text(fp, pv.service);
				fputc('}', fp);
				sep = ",";
				continue;
			}
			fprintf(fp, "%s{\"%s\":", sep,
				pv.kind == SIG_PEER_FEDERATES ? "federates"
				: pv.as_client		     ? "client_of" : "serves_to");
			put_json_text(fp, pv.kind == SIG_PEER_FEDERATES ? "external" : rv.role);
			fprintf(fp, ",\"port\":\"%s/%u\"}", pv.ipproto == 6 ? "tcp" : "udp", pv.port);
			sep = ",";
		}
		fputs("],\"serves\":[", fp);
		sep = "";
		for (size_t i = 0; i < sig_role_port_count(db); i++) {
			if (!(sv->served >> i & 1))
				continue;
			fprintf(fp, "%s{\"port\":\"", sep);
			put_port(fp, db, i);
			fprintf(fp, "\",\"flows\":%u}", sv->flows[i]);
			sep = ",";
		}
		fprintf(fp, "],\"labelled_flows\":%u,\"first_seen\":", sv->labelled);
		put_ts(fp, sv->first_us);
		fputs(",\"last_seen\":", fp);
		put_ts(fp, sv->last_us);
		fputs("}\n", fp);
	}
	free(v);
	return ferror(fp) ? UCF_ERR_RUNTIME : UCF_OK;
}

int role_write_site(const struct role_table *t, const struct sig_db *db, FILE *fp)
{
	size_t n;
	struct role_server_view *v = snapshot(t, &n);
	if (n && !v)
		return UCF_ERR_RUNTIME;
	fputs("# Site file written by ucflow --write-site: the server roles learned from the capture.\n"
	      "# Review it (a role is an inference from the ports a server answered on), edit it, and\n"
	      "# pass it back with --site. Each server statement cites its evidence above it.\n", fp);
	size_t written = 0;
	for (size_t s = 0; s < n; s++) {
		const struct role_server_view *sv = &v[s];
		if (!sv->roles)
			continue;
		char a[UCF_ADDR_STRLEN];
		ucf_addr_format(&sv->addr, a, sizeof a);
		for (size_t k = 0; k < sig_role_count(db); k++) {
			struct sig_role_view rv;
			if (!(sv->roles >> k & 1) || !sig_role_get(db, k, &rv))
				continue;
			fprintf(fp, "\n# %s: role %s/%s (%s:%u)%s%s%s", a, rv.app, rv.role, rv.file,
				rv.line, *rv.label ? ": " : "", rv.label, sv->served ? "; served" : "");
			for (size_t i = 0; i < sig_role_port_count(db); i++) {
				if (!(sv->served >> i & 1))
					continue;
				fputc(' ', fp);
				put_port(fp, db, i);
				fprintf(fp, " (%u flow%s)", sv->flows[i], sv->flows[i] == 1 ? "" : "s");
			}
			for (size_t i = 0; i < sig_role_peer_count(db); i++) {
				struct sig_role_peer_view pv;
				struct sig_role_view pr;
				if (!(sv->peer & rv.peer) || !(sv->peer >> i & 1) ||
				    !sig_role_peer_get(db, i, &pv) || !sig_role_get(db, pv.role, &pr))
					continue;
				const char *pn = pv.ipproto == 6 ? "tcp" : "udp";
				if (pv.kind == SIG_PEER_USES)
					fprintf(fp, "; client of %s/%s", rv.app, pv.service);
				else if (pv.kind == SIG_PEER_FEDERATES)
					fprintf(fp, "; exchanged %s/%u with an external host", pn,
						pv.port);
				else
					fprintf(fp, "; %s a %s on %s/%u",
						pv.as_client ? "client of" : "served", pr.role, pn,
						pv.port);
			}
			fputc('\n', fp);
			/* a role limited to some services (services=) is declared service by service */
			size_t ns = sig_role_service_count(db, k);
			if (!ns)
				fprintf(fp, "server app=%s addrs=%s\n", rv.app, a);
			for (size_t i = 0; i < ns; i++)
				fprintf(fp, "server app=%s service=%s addrs=%s\n", rv.app,
					sig_role_service(db, k, i), a);
			written++;
		}
	}
	if (!written)
		fputs("\n# (no server held a role)\n", fp);
	free(v);
	return ferror(fp) ? UCF_ERR_RUNTIME : UCF_OK;
}
