/* export_ipfix.c - IPFIX encoder (RFC 7011; biflow per RFC 5103; application ids per RFC 6759):
 * templates, options records naming the application selectors, one data record per flow record.
 *
 * The templates are tables of (information element, length, source field); a record is encoded
 * by walking its table into a preallocated message, so nothing is allocated per record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export_internal.h"
#include "classify.h"

#define IPFIX_VERSION 10
#define SET_TEMPLATE 2
#define SET_OPTIONS_TEMPLATE 3
#define TID_V4 256
#define TID_V6 257
#define TID_APPS 258
#define ENGINE_USER 6      /* RFC 6759: classification engine "USER-Defined" */

/* What each information element of a flow record is taken from. */
enum ie_src {
	S_START_MS, S_END_MS, S_SRC, S_DST, S_SPORT, S_DPORT, S_PROTO, S_TOS, S_TCPFLAGS, S_VLAN,
	S_END_REASON, S_OCTETS, S_PKTS, S_APPID, S_FLOWID, S_NAME, S_DESC,
};

struct ipfix_ie {
	uint16_t id, len;
	uint8_t src;
};

/* The flow template: one record per direction of a flow (uniflow), the sender as source. RFC
 * 5103 biflow records (reverse elements, PEN 29305) were tried first: ipfixDump and nfdump 1.7.1
 * read their reverse counters, but pmacct 1.7.7's nfacctd ignores them and so lost every
 * responder's packets and bytes; two uniflow records are read whole by all three. Addresses are
 * sourceIPv4Address/destinationIPv4Address (8, 12) in the IPv4 template and
 * sourceIPv6Address/destinationIPv6Address (27, 28) in the IPv6 one. */
static const struct ipfix_ie flow_ies[] = {
	{ 152, 8, S_START_MS },            /* flowStartMilliseconds */
	{ 153, 8, S_END_MS },              /* flowEndMilliseconds */
	{ 8, 4, S_SRC },                   /* sourceIPv4Address / sourceIPv6Address */
	{ 12, 4, S_DST },                  /* destinationIPv4Address / destinationIPv6Address */
	{ 7, 2, S_SPORT },                 /* sourceTransportPort */
	{ 11, 2, S_DPORT },                /* destinationTransportPort */
	{ 4, 1, S_PROTO },                 /* protocolIdentifier */
	{ 5, 1, S_TOS },                   /* ipClassOfService: the first DSCP seen << 2 */
	{ 6, 2, S_TCPFLAGS },              /* tcpControlBits: OR of the sender's flags */
	{ 58, 2, S_VLAN },                 /* vlanId (outer) */
	{ 136, 1, S_END_REASON },          /* flowEndReason */
	{ 1, 8, S_OCTETS },                /* octetDeltaCount: IP bytes */
	{ 2, 8, S_PKTS },                  /* packetDeltaCount */
	{ 95, 5, S_APPID },                /* applicationId: engine 6 + selector */
	{ 148, 8, S_FLOWID },              /* flowId: shared by both directions' records */
};
#define N_FLOW_IES (sizeof flow_ies / sizeof flow_ies[0])

/* Options template: scope applicationId, then applicationName and applicationDescription as
 * fixed-length strings padded with NULs: pmacct 1.7.7 and nfdump 1.7.1 read a variable-length
 * string's length prefix as part of the name (pmacct) or refuse the record (nfdump). */
#define APP_NAME_LEN 64
#define APP_DESC_LEN 128
static const struct ipfix_ie app_ies[] = {
	{ 95, 5, S_APPID },
	{ 96, APP_NAME_LEN, S_NAME },
	{ 94, APP_DESC_LEN, S_DESC },
};
#define N_APP_IES (sizeof app_ies / sizeof app_ies[0])

static size_t ie_len(const struct ipfix_ie *ie, bool v6)
{
	if (ie->src == S_SRC || ie->src == S_DST)
		return v6 ? 16 : 4;
	return ie->len;
}

static size_t flow_record_len(bool v6)
{
	size_t n = 0;
	for (size_t i = 0; i < N_FLOW_IES; i++)
		n += ie_len(&flow_ies[i], v6);
	return n;
}

static inline uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *put64(uint8_t *p, uint64_t v)
{
	p = put32(p, (uint32_t)(v >> 32));
	return put32(p, (uint32_t)v);
}

/* A template field specifier (RFC 7011 3.2): IANA elements only. */
static uint8_t *put_field_spec(uint8_t *p, uint16_t id, uint16_t len)
{
	p = put16(p, id);
	return put16(p, len);
}

/* RFC 5102 flowEndReason: 1 idle timeout, 2 active timeout, 3 end of flow detected, 4 forced
 * end, 5 lack of resources. */
static uint8_t end_reason(enum flow_end why)
{
	switch (why) {
	case FLOW_END_IDLE: return 1;
	case FLOW_END_ACTIVE: return 2;
	case FLOW_END_CLOSED: return 3;
	case FLOW_END_EOF: return 4;
	case FLOW_END_EVICTED: return 5;
	}
	return 4;
}

/* ---- selectors ---- */

uint32_t export_app_selector(const char *app, const char *service)
{
	/* FNV-1a over "app/service": the same number on every sensor with the same tables */
	uint32_t h = 2166136261u;
	for (const char *s = app; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *s = service; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h ? h : 1;
}

/* The selector of name (adding it to the named list); another name with the same hash moves on
 * to the next free number, so selectors stay distinct. */
static uint32_t intern_app(struct exporter *x, const char *app, const char *service,
			   const char *label, size_t cap)
{
	char name[sizeof x->apps[0].name];
	snprintf(name, sizeof name, "%s/%s", app, service);
	uint32_t sel = export_app_selector(app, service);
	for (size_t i = 0; i < x->napps; i++) {
		if (strcmp(x->apps[i].name, name) == 0)
			return x->apps[i].selector;
	}
	for (bool clash = true; clash;) {
		clash = false;
		for (size_t i = 0; i < x->napps; i++)
			if (x->apps[i].selector == sel) {
				sel = sel + 1 ? sel + 1 : 1;
				clash = true;
			}
	}
	if (x->napps < cap) {
		struct export_app *a = &x->apps[x->napps++];
		a->selector = sel;
		snprintf(a->name, sizeof a->name, "%s", name);
		snprintf(a->desc, sizeof a->desc, "%s", label && *label ? label : name);
	}
	return sel;
}

static int build_selectors(struct exporter *x, const struct sig_db *db)
{
	free(x->rule_sel);
	free(x->dom_sel);
	free(x->apps);
	x->rule_sel = x->dom_sel = NULL;
	x->apps = NULL;
	x->nrules = x->ndoms = x->napps = 0;
	if (!db)
		return UCF_OK;
	size_t nr = sig_rule_count(db), nd = sig_domain_count(db);
	x->rule_sel = calloc(nr ? nr : 1, sizeof *x->rule_sel);
	x->dom_sel = calloc(nd ? nd : 1, sizeof *x->dom_sel);
	x->apps = calloc(nr + nd + 1, sizeof *x->apps);
	if (!x->rule_sel || !x->dom_sel || !x->apps)
		return UCF_ERR_RUNTIME;
	x->nrules = nr;
	x->ndoms = nd;
	for (size_t i = 0; i < nr; i++) {
		struct sig_rule_view v;
		if (sig_rule_get(db, (uint16_t)i, &v) && v.app && v.service)
			x->rule_sel[i] = intern_app(x, v.app, v.service, v.label, nr + nd);
	}
	for (size_t d = 0; d < nd; d++) {
		struct sig_rule_view v;
		if (sig_rule_get(db, (uint16_t)(CLASSIFY_RULE_DOMAIN_BASE + d), &v) && v.app &&
		    v.service)
			x->dom_sel[d] = intern_app(x, v.app, v.service, v.label, nr + nd);
	}
	return UCF_OK;
}

/* The selector of a label made with another db than the exporter's (a --workers reload: a worker
 * that already switched to the new tables, before the exporter does): by its app/service name,
 * the number the exporter gives or will give that name. */
static uint32_t other_db_selector(const struct exporter *x, const struct sig_db *db, uint16_t r)
{
	struct sig_rule_view v;
	if (!sig_rule_get(db, r, &v) || !v.app || !v.service)
		return 0;
	char name[sizeof x->apps[0].name];
	snprintf(name, sizeof name, "%s/%s", v.app, v.service);
	for (size_t i = 0; i < x->napps; i++)
		if (strcmp(x->apps[i].name, name) == 0)
			return x->apps[i].selector;
	return export_app_selector(v.app, v.service);
}

static uint32_t flow_selector(const struct exporter *x, const struct flow *f)
{
	uint16_t r = f->label.rule;
	if (r == FLOW_RULE_NONE)
		return 0;
	if (r >= CLASSIFY_RULE_DOMAIN_BASE)
		return (size_t)(r - CLASSIFY_RULE_DOMAIN_BASE) < x->ndoms
			       ? x->dom_sel[r - CLASSIFY_RULE_DOMAIN_BASE] : 0;
	return r < x->nrules ? x->rule_sel[r] : 0;
}

/* ---- messages ---- */

uint64_t export_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static void msg_begin(struct exporter *x)
{
	x->msg_len = 16; /* header, completed by msg_finish */
	x->set_off = 0;
	x->msg_records = 0;
}

static void set_close(struct exporter *x)
{
	if (x->set_off) {
		put16(x->msg + x->set_off + 2, (uint16_t)(x->msg_len - x->set_off));
		x->set_off = 0;
	}
}

/* Completes the header and hands the message over; data_records counts what it carries (flow
 * and options records) for the next sequence number. */
static void msg_flush(struct exporter *x, uint32_t data_records)
{
	if (x->msg_len <= 16)
		return;
	set_close(x);
	uint8_t *p = x->msg;
	uint32_t now = x->cfg.fixed_time ? x->cfg.fixed_time : (uint32_t)time(NULL);
	p = put16(p, IPFIX_VERSION);
	p = put16(p, (uint16_t)x->msg_len);
	p = put32(p, now);
	p = put32(p, x->seq);
	put32(p, x->cfg.domain_id);
	x->seq += data_records;
	/* reset first: a TCP send may set up a connection, which sends templates through x->msg
	 * (the transport has copied or sent the message by then) */
	size_t len = x->msg_len;
	uint32_t nrec = x->msg_records;
	x->msg_len = 0;
	x->msg_records = 0;
	x->set_off = 0;
	x->st.messages++;
	export_io_send(x, x->msg, len, nrec);
}

static uint8_t *set_open(struct exporter *x, uint16_t id)
{
	uint8_t *p = x->msg + x->msg_len;
	x->set_off = x->msg_len;
	x->set_id = id;
	put16(p, id);
	x->msg_len += 4;
	return x->msg + x->msg_len;
}

static uint8_t *put_template(uint8_t *p, uint16_t tid, bool v6)
{
	p = put16(p, tid);
	p = put16(p, (uint16_t)N_FLOW_IES);
	for (size_t i = 0; i < N_FLOW_IES; i++) {
		const struct ipfix_ie *ie = &flow_ies[i];
		uint16_t id = ie->id;
		if (v6 && ie->src == S_SRC)
			id = 27;
		else if (v6 && ie->src == S_DST)
			id = 28;
		p = put_field_spec(p, id, (uint16_t)ie_len(ie, v6));
	}
	return p;
}

/* A fixed-length string field: the text, cut to the field, then NULs. */
static uint8_t *put_fixstr(uint8_t *p, const char *s, size_t len)
{
	size_t n = strlen(s);
	if (n > len)
		n = len;
	memcpy(p, s, n);
	memset(p + n, 0, len - n);
	return p + len;
}

void export_send_templates(struct exporter *x, bool with_templates)
{
	/* a refused UDP collector is tried again a little later (export_ipfix_io.c) */
	if (x->kind == EXPORT_UDP && x->down_until && export_now_us() < x->down_until)
		return;
	/* Built in their own buffer: the message being filled waits and goes after them, so that
	 * a collector that lost the templates (restarted) can read it. Its records do not depend
	 * on the templates' contents (fixed) nor on the options (a reload flushes it first). */
	uint8_t *dmsg = x->msg;
	size_t dlen = x->msg_len, doff = x->set_off;
	uint16_t did = x->set_id;
	uint32_t drec = x->msg_records;
	x->msg = x->tmsg;
	x->msg_len = x->set_off = 0;
	x->msg_records = 0;
	x->need_templates = false; /* a transport error from here on asks for them again */
	x->reload_pending = false;
	if (x->kind == EXPORT_UDP && x->cfg.template_refresh_s)
		x->next_refresh_us = export_now_us() + x->cfg.template_refresh_s * 1000000ULL;
	uint8_t *p;
	if (!with_templates)
		goto options;
	msg_begin(x);
	p = set_open(x, SET_TEMPLATE);
	p = put_template(p, TID_V4, false);
	p = put_template(p, TID_V6, true);
	x->msg_len = (size_t)(p - x->msg);
	set_close(x);
	p = set_open(x, SET_OPTIONS_TEMPLATE);
	p = put16(p, TID_APPS);
	p = put16(p, (uint16_t)N_APP_IES);
	p = put16(p, 1); /* scope: applicationId */
	for (size_t i = 0; i < N_APP_IES; i++)
		p = put_field_spec(p, app_ies[i].id, app_ies[i].len);
	x->msg_len = (size_t)(p - x->msg);
	set_close(x);
	msg_flush(x, 0);
options:;
	/* the options records, as many messages as they take */
	uint32_t nopt = 0;
	msg_begin(x);
	for (size_t i = 0; i < x->napps; i++) {
		const struct export_app *a = &x->apps[i];
		size_t need = 5 + APP_NAME_LEN + APP_DESC_LEN;
		if (x->msg_len + (x->set_off ? 0 : 4) + need > x->msg_cap) {
			msg_flush(x, nopt);
			nopt = 0;
			msg_begin(x);
		}
		if (!x->set_off)
			set_open(x, TID_APPS);
		p = x->msg + x->msg_len;
		*p++ = ENGINE_USER;
		p = put32(p, a->selector);
		p = put_fixstr(p, a->name, APP_NAME_LEN);
		p = put_fixstr(p, a->desc, APP_DESC_LEN);
		x->msg_len = (size_t)(p - x->msg);
		nopt++;
	}
	msg_flush(x, nopt);
	x->msg = dmsg;
	x->msg_len = dlen;
	x->set_off = doff;
	x->set_id = did;
	x->msg_records = drec;
}

/* ---- records ---- */

/* One direction of a flow: d is FLOW_ORIG (originator -> responder) or FLOW_RESP. */
static void encode_flow(uint8_t *p, const struct flow *f, enum flow_end why, bool v6, int d,
			uint32_t sel)
{
	const struct flow_dir *o = &f->dir[d];
	const struct ucf_addr *src = d == FLOW_ORIG ? flow_orig_addr(f) : flow_resp_addr(f);
	const struct ucf_addr *dst = d == FLOW_ORIG ? flow_resp_addr(f) : flow_orig_addr(f);
	uint16_t sport = d == FLOW_ORIG ? flow_orig_port(f) : flow_resp_port(f);
	uint16_t dport = d == FLOW_ORIG ? flow_resp_port(f) : flow_orig_port(f);
	for (size_t i = 0; i < N_FLOW_IES; i++) {
		switch ((enum ie_src)flow_ies[i].src) {
		case S_START_MS: p = put64(p, f->ts_first / 1000); break;
		case S_END_MS:
			p = put64(p, (f->ts_last > f->ts_first ? f->ts_last : f->ts_first) / 1000);
			break;
		case S_SRC:
		case S_DST: {
			const struct ucf_addr *a = flow_ies[i].src == S_SRC ? src : dst;
			memcpy(p, v6 ? a->b : a->b + 12, v6 ? 16 : 4);
			p += v6 ? 16 : 4;
			break;
		}
		case S_SPORT: p = put16(p, sport); break;
		case S_DPORT: p = put16(p, dport); break;
		case S_PROTO: *p++ = f->key.proto; break;
		case S_TOS: *p++ = o->pkts ? (uint8_t)(o->dscp_first << 2) : 0; break;
		case S_TCPFLAGS: p = put16(p, o->tcp_flags); break;
		case S_VLAN: p = put16(p, f->key.vlan); break;
		case S_END_REASON: *p++ = end_reason(why); break;
		case S_OCTETS: p = put64(p, o->ip_bytes); break;
		case S_PKTS: p = put64(p, o->pkts); break;
		case S_APPID: {
			*p++ = sel ? ENGINE_USER : 0; /* all zero: no label */
			p = put32(p, sel);
			break;
		}
		case S_FLOWID: p = put64(p, f->uid); break;
		case S_NAME:
		case S_DESC: break; /* options only */
		}
	}
}

/* One record into the message (a new message or data set as needed). */
static void add_record(struct exporter *x, const struct flow *f, enum flow_end why, bool v6,
		       int d, uint32_t sel)
{
	uint16_t tid = v6 ? TID_V6 : TID_V4;
	size_t rlen = flow_record_len(v6);
	if (x->msg_len && x->msg_len + rlen + (x->set_off && x->set_id == tid ? 0 : 4) > x->msg_cap)
		msg_flush(x, x->msg_records);
	if (!x->msg_len) {
		msg_begin(x);
		x->msg_since_us = 0;
	}
	if (!x->set_off || x->set_id != tid) {
		set_close(x);
		set_open(x, tid);
	}
	encode_flow(x->msg + x->msg_len, f, why, v6, d, sel);
	x->msg_len += rlen;
	x->msg_records++;
	x->st.records++;
}

static int flow_out(struct exporter *x, const struct flow *f, enum flow_end why, uint32_t sel)
{
	if (x->finished) {
		x->st.records++;
		x->st.dropped++;
		return UCF_OK;
	}
	if (x->need_templates)
		export_send_templates(x, x->kind != EXPORT_TCP);
	bool v6 = !ucf_addr_is_v4(flow_orig_addr(f));
	/* the originator's record, and the responder's when it sent anything; an interim interval
	 * may have packets of the responder only */
	if (f->dir[FLOW_ORIG].pkts || !f->dir[FLOW_RESP].pkts)
		add_record(x, f, why, v6, FLOW_ORIG, sel);
	if (f->dir[FLOW_RESP].pkts)
		add_record(x, f, why, v6, FLOW_RESP, sel);
	return x->error ? UCF_ERR_RUNTIME : UCF_OK;
}

int export_flow(struct exporter *x, const struct flow *f, enum flow_end why)
{
	return flow_out(x, f, why, flow_selector(x, f)); /* the selector once per flow */
}

int export_flow_db(struct exporter *x, const struct sig_db *db, const struct flow *f,
		   enum flow_end why)
{
	if (db == x->names.db || !db || f->label.rule == FLOW_RULE_NONE)
		return export_flow(x, f, why);
	return flow_out(x, f, why, other_db_selector(x, db, f->label.rule));
}

void export_tick(struct exporter *x)
{
	if (x->finished)
		return;
	uint64_t now_us = export_now_us();
	/* the periodic refresh (UDP) and a reload's new options; templates that a refusal asked
	 * for go with the next record (export_flow), not to a collector that may still be away */
	if ((x->kind == EXPORT_UDP && x->cfg.template_refresh_s && now_us >= x->next_refresh_us) ||
	    x->reload_pending)
		export_send_templates(x, x->kind != EXPORT_TCP);
	/* a record waits about a second at most in the message (no clock is read per record: the
	 * first tick that sees the message starts its wait) */
	if (x->msg_len > 16) {
		if (!x->msg_since_us)
			x->msg_since_us = now_us;
		else if (now_us - x->msg_since_us >= 1000000)
			msg_flush(x, x->msg_records);
	}
	export_io_tick(x, now_us);
}

void export_set_db(struct exporter *x, const struct sig_db *db)
{
	msg_flush(x, x->msg_records); /* encoded with the old selectors */
	x->names.db = db;
	if (build_selectors(x, db) != UCF_OK)
		x->napps = 0;
	x->need_templates = true;
	x->reload_pending = true;
}

void export_config_defaults(struct export_config *c)
{
	memset(c, 0, sizeof *c);
	c->template_refresh_s = 60;
	c->queue_bytes = 4u << 20;
	c->domain_id = 1;
}

int export_open(struct exporter **xp, const char *spec, const struct export_config *cfg,
		const struct out_names *names, char *errbuf)
{
	*xp = NULL;
	enum export_kind kind;
	const char *target;
	if (strncmp(spec, "udp://", 6) == 0) {
		kind = EXPORT_UDP;
		target = spec + 6;
	} else if (strncmp(spec, "tcp://", 6) == 0) {
		kind = EXPORT_TCP;
		target = spec + 6;
	} else if (strncmp(spec, "file:", 5) == 0 && spec[5]) {
		kind = EXPORT_FILE;
		target = spec + 5;
	} else {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "--ipfix %s: expected udp://HOST:PORT, "
			 "tcp://HOST:PORT or file:PATH", spec);
		return UCF_ERR_CONFIG;
	}
	struct exporter *x = calloc(1, sizeof *x);
	if (!x || !(x->spec = strdup(spec))) {
		free(x);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	x->kind = kind;
	x->cfg = *cfg;
	x->names = *names;
	x->fd = -1;
	x->msg_cap = kind == EXPORT_UDP ? IPFIX_UDP_MSG : IPFIX_STREAM_MSG;
	/* UDP: room for the largest message; export_io_open sets msg_cap from the route's MTU */
	x->msg = malloc(kind == EXPORT_UDP ? IPFIX_UDP_MSG_MAX : x->msg_cap);
	x->tmsg = malloc(kind == EXPORT_UDP ? IPFIX_UDP_MSG_MAX : x->msg_cap);
	int rc = UCF_ERR_RUNTIME;
	if (!x->msg || !x->tmsg || build_selectors(x, names->db) != UCF_OK) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		goto fail;
	}
	rc = export_io_open(x, target, errbuf);
	if (rc != UCF_OK)
		goto fail;
	/* a file or datagram collector gets the templates at once; TCP on each connection */
	if (kind != EXPORT_TCP)
		export_send_templates(x, true);
	*xp = x;
	return UCF_OK;
fail:
	export_io_close(x);
	free(x->msg);
	free(x->tmsg);
	free(x->rule_sel);
	free(x->dom_sel);
	free(x->apps);
	free(x->spec);
	free(x);
	return rc;
}

int export_finish(struct exporter *x, char *errbuf)
{
	if (!x->finished) {
		x->finished = true;
		msg_flush(x, x->msg_records);
		export_io_close(x);
	}
	if (x->error) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "--ipfix %s: %s", x->spec, strerror(x->error));
		return UCF_ERR_RUNTIME;
	}
	return UCF_OK;
}

int export_close(struct exporter *x, char *errbuf)
{
	if (!x)
		return UCF_OK;
	int rc = export_finish(x, errbuf);
	free(x->msg);
	free(x->tmsg);
	free(x->q);
	free(x->qrec);
	free(x->rule_sel);
	free(x->dom_sel);
	free(x->apps);
	free(x->spec);
	free(x);
	return rc;
}

void export_get_stats(const struct exporter *x, struct export_stats *st)
{
	*st = x->st;
	st->connected = x->kind != EXPORT_TCP || x->connected;
}

const char *export_name(const struct exporter *x)
{
	return x->spec;
}

void export_print_stats(const struct exporter *x, FILE *fp)
{
	struct export_stats st;
	export_get_stats(x, &st);
	fprintf(fp, "ucflow: ipfix %s: %llu records, %llu sent, %llu dropped, %llu messages",
		x->spec, (unsigned long long)st.records, (unsigned long long)st.sent,
		(unsigned long long)st.dropped, (unsigned long long)st.messages);
	if (x->kind == EXPORT_TCP)
		fprintf(fp, ", %llu reconnects, %s, %zu bytes queued",
			(unsigned long long)st.reconnects, st.connected ? "connected" : "not connected",
			x->qlen);
	fputc('\n', fp);
}
