/* pipeline.c - the per-packet path: decode, account to a flow, classify new flows, write ended ones. */
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "classify.h"
#include "tunnel_intern.h"
#include "evidence.h"
#include "export.h"
#include "role.h"
#include "role_defer.h"

struct pipeline {
	struct pipeline_config cfg;
	struct flow_table *flows;
	struct cap_source *src;
	struct pipeline_counters c;
	uint64_t last_ts;           /* latest packet time seen (live: expiry uses max(this, wall clock)) */
	uint64_t next_sweep;        /* next active-timeout sweep of the whole table (pipeline_tick) */
	struct role_defer *defer;   /* the second look (NULL: off) */
	int error;                  /* first fatal error; stops the capture */
	char errbuf[UCF_ERRBUF_SIZE];
};

static void fail(struct pipeline *p, const char *msg)
{
	if (p->error)
		return;
	p->error = UCF_ERR_RUNTIME;
	snprintf(p->errbuf, sizeof p->errbuf, "%s", msg);
	if (p->src)
		cap_break(p->src);
}

static void classify_with_evidence(const struct pipeline *p, const struct sig_db *db,
				   struct flow *f, uint64_t roles_orig, uint64_t roles_resp);

/* Whether classifying f can no longer swap its originator and responder: a TCP flow whose
 * originator sent a SYN. Its label is read only when the flow is written (emit_flow: records,
 * reports) or re-classified after a reload, and every input of classify_with_evidence() is kept in
 * the flow, so classifying it then gives the label that classifying at each change would have
 * left: once per record instead of at the SYN and again at each new piece of evidence (a TLS
 * flow: SNI, then certificate names). A flow that may still be swapped is classified at once, as
 * the swap changes the direction of its later packets. */
static inline bool orientation_fixed(const struct flow *f)
{
	return f->key.proto == 6 && (f->tcp_state & FLOW_TCP_SYN_ORIG);
}

/* Writes a record whose label is final: output, exporters, observers. */
static void write_record(struct pipeline *p, struct flow *f, enum flow_end why)
{
	if (p->cfg.roles && f->label.confidence >= CONF_ROLE_PORT)
		role_count_labelled(p->cfg.roles, p->cfg.db, f);
	if (p->cfg.out && out_write_flow(p->cfg.out, f, why) != UCF_OK) {
		char eb[UCF_ERRBUF_SIZE];
		out_flush(p->cfg.out, eb);
		fail(p, eb);
	}
	for (size_t i = 0; i < p->cfg.nexports; i++)
		if (export_flow(p->cfg.exports[i], f, why) != UCF_OK) {
			char eb[UCF_ERRBUF_SIZE];
			snprintf(eb, sizeof eb, "--ipfix %s: write error",
				 export_name(p->cfg.exports[i]));
			fail(p, eb);
		}
	if (p->cfg.on_flow)
		p->cfg.on_flow(p->cfg.hook_user, f, why);
	/* the record is written: drop the flow's references to interned names (an interim record's
	 * flow lives on and keeps them) */
	if (p->cfg.ev && why != FLOW_END_ACTIVE)
		evidence_flow_end(p->cfg.ev, f);
}

/* A held record's second look: classified with the roles known now, then written. When its
 * addresses hold no role now and the role table never forgot one, they held none when the
 * record was classified last either, so classifying again would give the same label: skipped. */
static void write_second_look(struct pipeline *p, struct flow *f, enum flow_end why)
{
	uint64_t ro = 0, rr = 0;
	if (role_table_any(p->cfg.roles)) {
		ro = role_of(p->cfg.roles, flow_orig_addr(f));
		rr = role_of(p->cfg.roles, flow_resp_addr(f));
	}
	struct role_stats rs = { 0 };
	if (!ro && !rr)
		role_table_get_stats(p->cfg.roles, &rs);
	if (ro || rr || rs.evicted) {
		struct flow_label was = f->label;
		classify_with_evidence(p, p->cfg.db, f, ro, rr);
		if (f->label.rule != was.rule || f->label.confidence != was.confidence)
			role_defer_note_relabelled(p->defer);
	}
	write_record(p, f, why);
}

/* A final record while the second look is on: held when its label could still change once
 * roles are known, written at once otherwise. */
static void hold_or_write(struct pipeline *p, struct flow *f, enum flow_end why)
{
	if (!role_defer_wanted(f, p->cfg.db)) {
		write_record(p, f, why);
		return;
	}
	if (p->cfg.ev) /* the flow is recycled: its reassembly slot goes, its names stay held */
		evidence_flow_detach(p->cfg.ev, f);
	struct flow o;
	enum flow_end ow;
	if (role_defer_hold(p->defer, f, why, &o, &ow))
		write_second_look(p, &o, ow);
}

static void emit_flow(void *user, struct flow *f, enum flow_end why)
{
	struct pipeline *p = user;
	/* Live workers share DNS names (evidence_set_dns_share): the answer naming this flow's
	 * server may have reached the share, from another worker, only after the flow started. */
	if (p->cfg.ev && (evidence_flow_recheck_dns(p->cfg.ev, f) & EV_CHG_CLASSIFY))
		f->label.flags &= (uint8_t)~CLASSIFY_F_DONE;
	/* A flow between addresses that hold a server role is classified again: the role may have
	 * been learned after its last classification (roles are learned from other flows). */
	uint64_t ro = 0, rr = 0;
	if (role_table_any(p->cfg.roles)) {
		ro = role_of(p->cfg.roles, flow_orig_addr(f));
		rr = role_of(p->cfg.roles, flow_resp_addr(f));
	}
	if (!(f->label.flags & CLASSIFY_F_DONE) || ro || rr || classify_flow_stale(f))
		classify_with_evidence(p, p->cfg.db, f, ro, rr);
	if (p->cfg.roles)
		role_observe(p->cfg.roles, f, f->ts_last, true);
	/* interim records are written when cut: their flow lives on and holds their names */
	if (p->defer && why != FLOW_END_ACTIVE)
		hold_or_write(p, f, why);
	else
		write_record(p, f, why);
}

/* The second look at the held records, in the order they were held. */
static void second_look_all(struct pipeline *p)
{
	struct flow f;
	enum flow_end why;
	while (p->defer && role_defer_take(p->defer, &f, &why))
		write_second_look(p, &f, why);
}

/* Hands the evidence stage the domain rows of db; user_id is the row index. */
static int register_domains(struct evidence_ctx *ev, const struct sig_db *db, char *errbuf)
{
	evidence_clear_domains(ev);
	if (!db)
		return UCF_OK;
	for (size_t i = 0; i < sig_domain_count(db); i++) {
		struct sig_domain_view v;
		if (!sig_domain_get(db, i, &v))
			continue;
		int rc = evidence_add_domain(ev, v.pattern, (int)i, errbuf);
		if (rc != UCF_OK)
			return rc;
	}
	return UCF_OK;
}

/* Classifies with whatever payload evidence the flow carries; called when a flow is created and
 * when the evidence stage reports a change that matters, never per packet. */
static void classify_once(const struct pipeline *p, const struct sig_db *db, struct flow *f,
			  uint64_t roles_orig, uint64_t roles_resp);

static void classify_with_evidence(const struct pipeline *p, const struct sig_db *db,
				   struct flow *f, uint64_t roles_orig, uint64_t roles_resp)
{
	if (!db)
		return;
	bool was = f->swapped;
	classify_once(p, db, f, roles_orig, roles_resp);
	/* Swapped: the DNS-cache name was looked up for the side that turned out to be the client,
	 * and only the server's name may label the flow. Look again, once (the roles follow the
	 * swap). */
	if (f->swapped != was && p->cfg.ev &&
	    evidence_flow_oriented(p->cfg.ev, f, f->ts_first) & EV_CHG_CLASSIFY)
		classify_once(p, db, f, roles_resp, roles_orig);
}

static void classify_once(const struct pipeline *p, const struct sig_db *db, struct flow *f,
			  uint64_t roles_orig, uint64_t roles_resp)
{
	struct classify_evidence ce = { -1, 0, EV_PROTO_NONE, roles_orig, roles_resp };
	if (p->cfg.ev) {
		struct evidence_match m;
		ce.payload_proto = f->ev.payload_proto;
		if (evidence_domain_of(p->cfg.ev, f, &m) >= 0) {
			ce.domain = m.user_id;
			ce.domain_src = (uint8_t)m.src;
		}
	}
	if (ce.domain >= 0 || ce.payload_proto != EV_PROTO_NONE || roles_orig || roles_resp)
		classify_flow_payload(db, f, &ce);
	else
		classify_flow(db, f);
}

/* classify_with_evidence() with the roles the flow's addresses hold now. */
static void classify_now(const struct pipeline *p, const struct sig_db *db, struct flow *f)
{
	uint64_t ro = 0, rr = 0;
	if (role_table_any(p->cfg.roles)) {
		ro = role_of(p->cfg.roles, flow_orig_addr(f));
		rr = role_of(p->cfg.roles, flow_resp_addr(f));
	}
	classify_with_evidence(p, db, f, ro, rr);
}

struct pipeline *pipeline_create(const struct pipeline_config *cfg, char *errbuf)
{
	struct pipeline *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	if (cfg->ev && register_domains(cfg->ev, cfg->db, errbuf) != UCF_OK) {
		free(p);
		return NULL;
	}
	/* no role table or no role statements: no role can change a label */
	if (cfg->second_look && cfg->roles && cfg->db && sig_role_count(cfg->db) &&
	    role_defer_create(&p->defer, cfg->second_look, errbuf) != UCF_OK) {
		free(p);
		return NULL;
	}
	p->flows = flow_table_create(&cfg->flows, emit_flow, p, errbuf);
	if (!p->flows) {
		role_defer_destroy(p->defer);
		free(p);
		return NULL;
	}
	return p;
}

void pipeline_destroy(struct pipeline *p)
{
	if (!p)
		return;
	flow_table_destroy(p->flows);
	role_defer_destroy(p->defer);
	free(p);
}

void pipeline_set_source(struct pipeline *p, struct cap_source *src)
{
	p->src = src;
}

bool pipeline_on_input(void *user, const char *name, int linktype, char *errbuf)
{
	(void)user;
	/* a pcapng file of several link types: a packet of one not decoded counts as unsupported */
	if (linktype == CAP_LINKTYPE_PER_PACKET || decode_linktype_supported(linktype))
		return true;
	snprintf(errbuf, UCF_ERRBUF_SIZE, "%s: unsupported link type %d (%s)", name, linktype,
		 decode_linktype_name(linktype));
	return false;
}

/* Counts a decode outcome; true when the packet goes on to the flow table. */
static inline bool count_decoded(struct pipeline *p, const struct cap_pkthdr *h,
				 enum decode_status st)
{
	p->c.packets++;
	if (h->ts_us > p->last_ts)
		p->last_ts = h->ts_us;
	p->c.bytes += h->wirelen;
	switch (st) {
	case DECODE_OK:
		p->c.decoded++;
		return true;
	case DECODE_NONIP:
		p->c.nonip++;
		break;
	case DECODE_TRUNCATED:
		p->c.truncated++;
		break;
	case DECODE_MALFORMED:
		p->c.malformed++;
		break;
	case DECODE_UNSUPPORTED_LINK:
		p->c.unsupported++;
		break;
	}
	return false;
}

/* Everything after the flow table's update: tunnel, payload evidence, classification. Inline in
 * the per-packet loops (GCC stopped inlining it by itself once it grew the deferred case). */
static inline __attribute__((always_inline)) void
after_update(struct pipeline *p, const struct cap_pkthdr *h, const struct decoded_pkt *d, int rc,
	     const struct flow_update *u)
{
	if (rc != UCF_OK) {
		fail(p, "out of memory in the flow table");
		return;
	}
	if (!u->flow) {
		if (!u->after_close) /* a late TCP packet of a closed connection is counted apart */
			p->c.frag_unattributed++;
		return;
	}
	/* The tunnel is described once, when the flow is created: never per packet. */
	if (u->is_new && d->tunnel_type != TUNNEL_NONE && p->cfg.tunnels)
		u->flow->tunnel = tunnel_intern_id(p->cfg.tunnels, d->tunnel_type, &d->tunnel_src,
						   &d->tunnel_dst);
	/* Evidence first: classifying may swap the flow's direction, and u->dir is this packet's. */
	unsigned changed = 0;
	if (p->cfg.ev) {
		if (u->is_new)
			changed |= evidence_flow_start(p->cfg.ev, u->flow, h->ts_us);
		/* only TCP and UDP payload is inspected: skip the call for the rest (bare ACKs, ICMP),
		 * for which evidence_inspect() returns 0 at once */
		if (d->payload.len && (d->proto == 6 || d->proto == 17))
			changed |= evidence_inspect(p->cfg.ev, u->flow, u->dir, d, h->ts_us);
	}
	if (u->is_new || (changed & EV_CHG_CLASSIFY)) {
		if (orientation_fixed(u->flow))
			u->flow->label.flags &= (uint8_t)~CLASSIFY_F_DONE; /* at emit_flow() */
		else
			classify_now(p, p->cfg.db, u->flow);
	}
	/* The responder's first packet: what the server answered on is role evidence (a flow
	 * event, not per-packet work: one compare on a counter the update just wrote). */
	if (u->dir == FLOW_RESP && u->flow->dir[FLOW_RESP].pkts == 1 && p->cfg.roles)
		role_observe(p->cfg.roles, u->flow, h->ts_us, false);
}

void pipeline_on_packet(void *user, const struct cap_pkthdr *h, const uint8_t *bytes)
{
	struct pipeline *p = user;
	struct decoded_pkt d;
	if (!count_decoded(p, h, decode_packet(h->linktype, bytes, h->caplen, &d)))
		return;
	struct flow_update u;
	int rc = flow_table_update(p->flows, &d, h->ts_us, &u);
	after_update(p, h, &d, rc, &u);
}

/* Frames decoded ahead of their flow-table updates: enough that the memory they prefetch arrives
 * before it is needed, few enough that it is still in the L1 cache then. The chain heads are
 * prefetched PIPELINE_HEAD_LAG frames behind the decode, once their buckets have arrived. (16 and
 * 8 measured best with bench/batch -t on bench's 1M-packet mix; 8 to 64 ahead were within 5%.) */
#define PIPELINE_AHEAD 16
#define PIPELINE_HEAD_LAG 8

size_t pipeline_on_batch(void *user, const struct cap_frame *fr, size_t n)
{
	struct pipeline *p = user;
	struct decoded_pkt d[PIPELINE_AHEAD];
	struct flow_lookup lk[PIPELINE_AHEAD];
	uint8_t st[PIPELINE_AHEAD];
	for (size_t base = 0; base < n; base += PIPELINE_AHEAD) {
		size_t m = n - base < PIPELINE_AHEAD ? n - base : PIPELINE_AHEAD;
		/* decode and hash ahead; nothing here changes the pipeline or the flow table */
		for (size_t i = 0; i < m; i++) {
			const struct cap_frame *f = &fr[base + i];
			st[i] = (uint8_t)decode_packet(f->h.linktype, f->bytes, f->h.caplen, &d[i]);
			if (st[i] == DECODE_OK) {
				flow_table_prepare(p->flows, &d[i], &lk[i]);
				/* The payload's first two lines, which the evidence stage reads
				 * in a flow's first packets: the reader thread wrote them on its
				 * core, and fetching them on demand stalled the update stage.
				 * (Packets past the budget do not need them; prefetching for all
				 * still measured 3-8% less wall time on bench's mix.) */
				if (d[i].payload.len) {
					__builtin_prefetch(d[i].payload.p);
					if (d[i].payload.len > 64)
						__builtin_prefetch(d[i].payload.p + 64);
				}
			}
			if (i >= PIPELINE_HEAD_LAG && st[i - PIPELINE_HEAD_LAG] == DECODE_OK)
				flow_table_prefetch(p->flows, &lk[i - PIPELINE_HEAD_LAG]);
		}
		for (size_t i = m > PIPELINE_HEAD_LAG ? m - PIPELINE_HEAD_LAG : 0; i < m; i++)
			if (st[i] == DECODE_OK)
				flow_table_prefetch(p->flows, &lk[i]);
		/* then each frame in order, exactly as pipeline_on_packet() would */
		for (size_t i = 0; i < m; i++) {
			const struct cap_pkthdr *h = &fr[base + i].h;
			if (count_decoded(p, h, (enum decode_status)st[i])) {
				struct flow_update u;
				int rc = flow_table_update_prepared(p->flows, &d[i], &lk[i], h->ts_us,
								    &u);
				after_update(p, h, &d[i], rc, &u);
			}
			if (p->error) /* as cap_break() would: nothing after this frame */
				return base + i + 1;
		}
	}
	return n;
}

int pipeline_error(const struct pipeline *p, char *errbuf)
{
	if (p->error)
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", p->errbuf);
	return p->error;
}

void pipeline_tick(struct pipeline *p, uint64_t now_us)
{
	uint64_t now = now_us > p->last_ts ? now_us : p->last_ts;
	flow_table_expire(p->flows, now);
	uint64_t active_us = (uint64_t)p->cfg.flows.active_timeout_s * 1000000ULL;
	if (active_us && now >= p->next_sweep) {
		/* A full walk (about 25 ms per million flows), so every tenth of the timeout and at
		 * most once a second; busy flows are cut on their packets anyway (flow_table_update). */
		flow_table_active_timeout(p->flows, now, active_us);
		uint64_t period = active_us / 10 > 1000000ULL ? active_us / 10 : 1000000ULL;
		p->next_sweep = now + period;
	}
	for (size_t i = 0; i < p->cfg.nexports; i++)
		export_tick(p->cfg.exports[i]);
	if (p->cfg.on_tick)
		p->cfg.on_tick(p->cfg.hook_user, now_us);
}

/* Re-classification after a reload. A label that came from evidence (DNS name, payload) is
 * re-derived through the same app in the new tables; the old db is still valid during the walk. */
struct reclassify_ctx {
	const struct pipeline *p;
	const struct sig_db *new_db;
	uint64_t n;
};

static void reclassify_one(void *user, struct flow *f)
{
	struct reclassify_ctx *rc = user;
	rc->n++;
	classify_now(rc->p, rc->new_db, f);
}

uint64_t pipeline_set_db(struct pipeline *p, const struct sig_db *db)
{
	struct reclassify_ctx rc = { p, db, 0 };
	/* held records cite the old tables and were waiting for the roles about to be forgotten */
	second_look_all(p);
	/* the evidence facts stay with the flows; only the domain rows they are matched to change */
	if (p->cfg.ev) {
		char eb[UCF_ERRBUF_SIZE];
		if (register_domains(p->cfg.ev, db, eb) != UCF_OK)
			fprintf(stderr, "ucflow: reload: %s\n", eb);
	}
	role_table_set_db(p->cfg.roles, db); /* role ports and statements are the new tables' */
	if (db)
		flow_table_foreach(p->flows, reclassify_one, &rc);
	p->cfg.db = db;
	out_set_db(p->cfg.out, db);
	for (size_t i = 0; i < p->cfg.nexports; i++)
		export_set_db(p->cfg.exports[i], db);
	return rc.n;
}

void pipeline_get_flow_stats(const struct pipeline *p, struct flow_table_stats *st)
{
	flow_table_get_stats(p->flows, st);
}

void pipeline_finish(struct pipeline *p)
{
	flow_table_flush(p->flows, FLOW_END_EOF);
	second_look_all(p);
}

bool pipeline_get_second_look(const struct pipeline *p, struct role_defer_stats *st)
{
	if (!p->defer)
		return false;
	role_defer_get_stats(p->defer, st);
	return true;
}

void pipeline_get_counters(const struct pipeline *p, struct pipeline_counters *c)
{
	*c = p->c;
}

void pipeline_print_summary(const struct pipeline *p, FILE *fp)
{
	struct flow_table_stats st;
	struct out_counts oc;
	flow_table_get_stats(p->flows, &st);
	out_get_counts(p->cfg.out, &oc);
	pipeline_print_summary_totals(&p->c, &st, &oc,
				      p->cfg.tunnels ? tunnel_intern_overflows(p->cfg.tunnels) : 0, fp);
}

void pipeline_print_second_look(const struct pipeline *p, FILE *fp, bool always)
{
	struct role_defer_stats ds;
	if (!pipeline_get_second_look(p, &ds) || !(ds.relabelled || ds.overflow || (always && ds.held)))
		return;
	fprintf(fp, "ucflow: second look: %llu records held until the end of input, %llu relabelled",
		(unsigned long long)ds.held, (unsigned long long)ds.relabelled);
	if (ds.overflow)
		fprintf(fp, "; %llu of them written early (more than %u records held: "
			    "--second-look-max)", (unsigned long long)ds.overflow,
			(unsigned)ds.max_records);
	fputc('\n', fp);
}

void pipeline_print_summary_totals(const struct pipeline_counters *c, const struct flow_table_stats *st,
				   const struct out_counts *oc, uint64_t tunnel_overflows, FILE *fp)
{
	/* what reached the output whole: final records (flows) and interim ones, apart */
	uint64_t flows = oc ? oc->records - oc->interim : st->emitted;
	uint64_t interim = oc ? oc->interim : st->interim;
	fprintf(fp,
		"ucflow: %llu packets read, %llu decoded, %llu truncated, %llu malformed, "
		"%llu non-IP, %llu unsupported link\n"
		"ucflow: %llu flows written, %llu interim records, %llu evicted early; "
		"%llu fragments attributed, %llu not attributable\n",
		(unsigned long long)c->packets, (unsigned long long)c->decoded,
		(unsigned long long)c->truncated, (unsigned long long)c->malformed,
		(unsigned long long)c->nonip, (unsigned long long)c->unsupported,
		(unsigned long long)flows, (unsigned long long)interim,
		(unsigned long long)st->evicted, (unsigned long long)st->frags_attributed,
		(unsigned long long)st->frags_unattributed);
	if (oc && oc->lost)
		fprintf(fp, "ucflow: %llu records not written because of the write error (the output "
			    "ends with the last whole record)\n", (unsigned long long)oc->lost);
	if (st->late_after_close)
		fprintf(fp, "ucflow: %llu TCP packets (FIN, RST or ACK) came after their connection "
			    "was closed and written: counted here, not made into new flows\n",
			(unsigned long long)st->late_after_close);
	if (tunnel_overflows)
		fprintf(fp, "ucflow: %llu flows in tunnels beyond the first %u distinct ones are "
			    "described as \"(too many tunnels)\"\n",
			(unsigned long long)tunnel_overflows, (unsigned)TUNNEL_INTERN_MAX);
}
