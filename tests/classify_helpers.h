/* classify_helpers.h - table loading, flows, label names and label expectations shared by
 * check_classify.c, check_classify_payload.c and (for table loading) check_sig_rows.c. */
#ifndef CLASSIFY_HELPERS_H
#define CLASSIFY_HELPERS_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

/* The functions are static inline so that a test which does not use one of them still builds
 * without an unused-function warning. */

/* rel below the source tree ($top_srcdir, which make check sets; else the current directory),
 * written to buf. */
static inline const char *srcdir_path(char *buf, size_t cap, const char *rel)
{
	const char *top = getenv("top_srcdir");
	snprintf(buf, cap, "%s/%s", top ? top : ".", rel);
	return buf;
}

/* The shipped tables: $UCFLOW_SIGDIR when set (to test other tables), else the source tree's. */
static inline const char *shipped_sigdir(char *buf, size_t cap)
{
	const char *env = getenv("UCFLOW_SIGDIR");
	if (env) {
		snprintf(buf, cap, "%s", env);
		return buf;
	}
	return srcdir_path(buf, cap, "signatures");
}

/* The tables in dir plus the site file site (NULL: none); the test fails if they do not load. */
static inline struct sig_db *load_tables(const char *dir, const char *site)
{
	struct sig_db *db = NULL;
	char err[UCF_ERRBUF_SIZE];
	int rc = sig_db_load(&db, dir, site, err, sizeof err);
	ck_assert_msg(rc == UCF_OK, "load of %s failed: %s", dir, err);
	return db;
}

/* The shipped tables plus the site file site (NULL: none). */
static inline struct sig_db *load_shipped(const char *site)
{
	char dir[4096];
	return load_tables(shipped_sigdir(dir, sizeof dir), site);
}

/* A flow as the flow table hands it over: originator = first sender. */
static inline void mkflow(struct flow *f, uint8_t proto, const char *oa, uint16_t op,
			  const char *ra, uint16_t rp, bool syn)
{
	memset(f, 0, sizeof *f);
	ck_assert(ucf_addr_parse(oa, &f->key.a));
	ck_assert(ucf_addr_parse(ra, &f->key.b));
	f->key.port_a = op;
	f->key.port_b = rp;
	f->key.proto = proto;
	f->orig_is_a = 1;
	f->tcp_state = syn ? FLOW_TCP_SYN_ORIG | FLOW_TCP_SYNACK : 0;
	f->dir[0].pkts = 1;
	f->dir[1].pkts = 1; /* an answered connection (see mkflow_unanswered) */
}

/* The same flow as the server never answered it (TCP: a SYN and no SYN-ACK; UDP: no reply). */
static inline void mkflow_unanswered(struct flow *f, uint8_t proto, const char *oa, uint16_t op,
				     const char *ra, uint16_t rp, bool syn)
{
	mkflow(f, proto, oa, op, ra, rp, syn);
	f->tcp_state &= (uint8_t)~FLOW_TCP_SYNACK;
	f->dir[1].pkts = 0;
}

/* "app/service" of a label index (rule or domain row), or "-". The result stays valid for the
 * next seven calls, enough for every name one assertion message prints. */
static inline const char *name(const struct sig_db *db, uint16_t idx)
{
	static char buf[8][160];
	static int k;
	struct sig_rule_view v;
	if (idx == FLOW_RULE_NONE || !sig_rule_get(db, idx, &v))
		return "-";
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", v.app, v.service);
	return buf[k];
}

/* Whether "app/service" want is among the flow's candidates. */
static inline bool has_cand(const struct sig_db *db, const struct flow *f, const char *want)
{
	for (unsigned i = 0; i < f->label.ncand; i++)
		if (strcmp(name(db, f->label.cand[i]), want) == 0)
			return true;
	return false;
}

/* The label's "app/service" and confidence. */
#define EXPECT(db, f, want, conf)                                                               \
	do {                                                                                    \
		ck_assert_str_eq(name(db, (f)->label.rule), want);                               \
		ck_assert_str_eq(classify_confidence_name((f)->label.confidence),                \
				 classify_confidence_name(conf));                                \
	} while (0)

/* EXPECT, and the label's reason. */
#define EXPECT_WHY(db, f, want, conf, why)                                                      \
	do {                                                                                    \
		EXPECT(db, f, want, conf);                                                      \
		ck_assert_str_eq(classify_reason_name((f)->label.reason), classify_reason_name(why)); \
	} while (0)

#endif
