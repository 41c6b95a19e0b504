/* role_table.c - server roles learned across flows: a fixed open-addressing table of server
 * addresses, what each served, and the roles the signature tables' role statements derive. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "role.h"
#include "classify.h"

/* Probes per address: an address lives in one of the PROBES slots after its hash, so a lookup
 * reads at most that many, and an insert that finds them all taken evicts one of them. */
#define PROBES 16
#define MAX_PORTS 64 /* role ports (sig_role_port_count() <= 64) */
#define FED_MAX 6    /* federates= ports remembered for peer_evidence()'s shortcut */

struct role_entry {
	struct ucf_addr addr;
	uint64_t served, roles;
	uint64_t first_us, last_us;
	uint32_t labelled;
	uint32_t peer; /* peer evidence (sig_role_peer_get) */
	uint8_t used;
	uint32_t flows[MAX_PORTS];
};

struct role_table {
	/* read by every call: one cache line */
	const struct sig_db *db;
	struct role_entry *e;
	uint32_t mask; /* capacity - 1 */
	/* role_table_share(): capture workers (live_workers.c) on several threads learn into and
	 * read one table; every public call then holds this lock (writers: flow events, reload). */
	bool shared;
	/* peer_evidence() needs no look at the peer items when neither end holds a role, unless
	 * a federates= item (which needs no role) is on the flow's port: those ports, from db */
	uint8_t nfed;
	bool fed_many; /* more than FED_MAX of them: always look */
	uint64_t with_role;
	struct { uint8_t proto; uint16_t port; } fed[FED_MAX];
	uint64_t used, evicted;
	/* Addresses ever added since the last clear, by the top bits of their hash, in two levels:
	 * 512 bits in one cache line (by the top 9 bits), then 65536 (the top 16). Most lookups
	 * (clients, servers of no role port: nearly every flow) end at the first, which stays in
	 * the L1 cache while a handful of servers are known; the second keeps them cheap when
	 * thousands are. Without it a lookup was a cache miss on the table per flow (bench's mix). */
	_Alignas(64) uint64_t present1[512 / 64];
	uint64_t present[65536 / 64];
	pthread_rwlock_t lock;
};

static void note_federates(struct role_table *t);

int role_table_share(struct role_table *t)
{
	if (!t || t->shared)
		return UCF_OK;
	if (pthread_rwlock_init(&t->lock, NULL) != 0)
		return UCF_ERR_RUNTIME;
	t->shared = true;
	return UCF_OK;
}

static inline void rd_lock(const struct role_table *t)
{
	if (t && t->shared)
		pthread_rwlock_rdlock((pthread_rwlock_t *)&t->lock);
}
static inline void wr_lock(struct role_table *t)
{
	if (t && t->shared)
		pthread_rwlock_wrlock(&t->lock);
}
static inline void un_lock(const struct role_table *t)
{
	if (t && t->shared)
		pthread_rwlock_unlock((pthread_rwlock_t *)&t->lock);
}

int role_table_create(struct role_table **out, const struct sig_db *db, uint32_t max_servers,
		      char *errbuf)
{
	*out = NULL;
	uint32_t cap = 64;
	if (!max_servers)
		max_servers = ROLE_DEFAULT_SERVERS;
	while (cap < max_servers && cap < (1u << 24))
		cap <<= 1;
	struct role_table *t = calloc(1, sizeof *t);
	if (t)
		t->e = calloc(cap, sizeof *t->e); /* zero pages: touched only as servers appear */
	if (!t || !t->e) {
		free(t);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory for the server-role table");
		return UCF_ERR_RUNTIME;
	}
	t->mask = cap - 1;
	t->db = db;
	note_federates(t);
	*out = t;
	return UCF_OK;
}

void role_table_destroy(struct role_table *t)
{
	if (!t)
		return;
	if (t->shared)
		pthread_rwlock_destroy(&t->lock);
	free(t->e);
	free(t);
}

static void clear(struct role_table *t)
{
	memset(t->e, 0, ((size_t)t->mask + 1) * sizeof *t->e);
	memset(t->present1, 0, sizeof t->present1);
	memset(t->present, 0, sizeof t->present);
	t->used = t->with_role = 0;
}

/* The federates= peer items' ports of db (peer_evidence's shortcut). */
static void note_federates(struct role_table *t)
{
	t->nfed = 0;
	t->fed_many = false;
	for (size_t i = 0; t->db && i < sig_role_peer_count(t->db); i++) {
		struct sig_role_peer_view pv;
		if (!sig_role_peer_get(t->db, i, &pv) || pv.kind != SIG_PEER_FEDERATES)
			continue;
		if (t->nfed == FED_MAX) {
			t->fed_many = true;
			return;
		}
		t->fed[t->nfed].proto = pv.ipproto;
		t->fed[t->nfed].port = pv.port;
		t->nfed++;
	}
}

void role_table_set_db(struct role_table *t, const struct sig_db *db)
{
	if (!t)
		return;
	wr_lock(t);
	/* a shared table is switched by the first worker that reaches the new tables; the others'
	 * calls with the same db keep what was learned since */
	if (!t->shared || t->db != db) {
		t->db = db;
		note_federates(t);
		clear(t);
	}
	un_lock(t);
}

static uint32_t hash_addr(const struct ucf_addr *a)
{
	uint64_t x, y;
	memcpy(&x, a->b, 8);
	memcpy(&y, a->b + 8, 8);
	uint64_t h = (x ^ (y * 0x9e3779b97f4a7c15ULL)) * 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	return (uint32_t)(h ^ (h >> 29));
}

static inline bool maybe_present(const struct role_table *t, uint32_t h)
{
	return (t->present1[h >> 29] >> (h >> 23 & 63) & 1) &&
	       (t->present[h >> 22] >> (h >> 16 & 63) & 1);
}

static inline void mark_present(struct role_table *t, uint32_t h)
{
	t->present1[h >> 29] |= 1ULL << (h >> 23 & 63);
	t->present[h >> 22] |= 1ULL << (h >> 16 & 63);
}

static struct role_entry *find(const struct role_table *t, const struct ucf_addr *a)
{
	uint32_t h = hash_addr(a);
	if (!maybe_present(t, h))
		return NULL;
	for (uint32_t i = 0; i < PROBES; i++) {
		struct role_entry *e = &t->e[(h + i) & t->mask];
		if (!e->used)
			return NULL;
		if (memcmp(e->addr.b, a->b, 16) == 0)
			return e;
	}
	return NULL;
}

/* The entry of a, created when new. A full probe window evicts its least valuable entry: one
 * without a role before one with, then the least recently seen. */
static struct role_entry *find_or_add(struct role_table *t, const struct ucf_addr *a)
{
	uint32_t h = hash_addr(a);
	struct role_entry *victim = NULL;
	mark_present(t, h);
	for (uint32_t i = 0; i < PROBES; i++) {
		struct role_entry *e = &t->e[(h + i) & t->mask];
		if (!e->used) {
			memset(e, 0, sizeof *e);
			e->used = 1;
			e->addr = *a;
			t->used++;
			return e;
		}
		if (memcmp(e->addr.b, a->b, 16) == 0)
			return e;
		if (!victim || (!e->roles && victim->roles) ||
		    (!e->roles == !victim->roles && e->last_us < victim->last_us))
			victim = e;
	}
	t->evicted++;
	if (victim->roles)
		t->with_role--;
	memset(victim, 0, sizeof *victim);
	victim->used = 1;
	victim->addr = *a;
	return victim;
}

/* Whether the flow's responder answered: a TCP handshake it answered (SYN-ACK) or data it sent
 * (mid-stream: data both ways), or UDP packets both ways. A refused SYN (RST) or an unanswered
 * probe is no evidence. */
static bool answered(const struct flow *f)
{
	if (f->key.proto == 6) {
		if (f->tcp_state & FLOW_TCP_SYN_ORIG)
			return (f->tcp_state & FLOW_TCP_SYNACK) || f->dir[FLOW_RESP].payload_bytes;
		return f->dir[FLOW_RESP].payload_bytes && f->dir[FLOW_ORIG].payload_bytes;
	}
	if (f->key.proto == 17)
		return f->dir[FLOW_ORIG].pkts && f->dir[FLOW_RESP].pkts;
	return false;
}

static uint64_t roles_at(const struct role_table *t, const struct ucf_addr *a);

static void set_roles(struct role_table *t, struct role_entry *e)
{
	uint64_t roles = sig_roles_of_served(t->db, e->served, e->peer);
	if (roles && !e->roles)
		t->with_role++;
	else if (!roles && e->roles)
		t->with_role--;
	e->roles = roles;
}

static void seen(struct role_entry *e, const struct flow *f, uint64_t ts_us)
{
	uint64_t first = f->ts_first < ts_us ? f->ts_first : ts_us;
	if (!e->first_us || first < e->first_us)
		e->first_us = first;
	if (ts_us > e->last_us)
		e->last_us = ts_us;
}

static void add_peer(struct role_table *t, const struct ucf_addr *a, uint32_t bits,
		     const struct flow *f, uint64_t ts_us)
{
	struct role_entry *e = find_or_add(t, a);
	if ((e->peer & bits) != bits) {
		e->peer |= bits;
		set_roles(t, e);
	}
	seen(e, f, ts_us);
}

/* Peer evidence on the flow's port: client_of=/serves_to= (the role of the other end of an
 * answered connection says what this end is) and federates= (an internal host's answered
 * connection with a host outside the internal networks, whichever side it was). */
static void peer_evidence(struct role_table *t, const struct flow *f, uint64_t ts_us)
{
	uint64_t rroles = roles_at(t, flow_resp_addr(f)), oroles = roles_at(t, flow_orig_addr(f));
	uint16_t port = flow_resp_port(f);
	/* client_of=/serves_to= need a role at the other end; only federates= items need none */
	if (!rroles && !oroles && !t->fed_many) {
		bool fed = false;
		for (unsigned k = 0; k < t->nfed && !fed; k++)
			fed = t->fed[k].proto == f->key.proto && t->fed[k].port == port;
		if (!fed)
			return;
	}
	int inside = -1; /* federates=: 0 the originator is the internal end, 1 the responder, 2 none */
	for (size_t i = 0; i < sig_role_peer_count(t->db); i++) {
		struct sig_role_peer_view pv;
		if (!sig_role_peer_get(t->db, i, &pv) || pv.kind == SIG_PEER_USES ||
		    pv.ipproto != f->key.proto || pv.port != port)
			continue;
		const struct ucf_addr *who;
		if (pv.kind == SIG_PEER_FEDERATES) {
			if (inside < 0) {
				bool oi = sig_addr_is_internal(t->db, flow_orig_addr(f));
				bool ri = sig_addr_is_internal(t->db, flow_resp_addr(f));
				inside = oi == ri ? 2 : oi ? 0 : 1;
			}
			if (inside == 2)
				continue;
			who = inside ? flow_resp_addr(f) : flow_orig_addr(f);
		} else {
			uint64_t other = pv.as_client ? rroles : oroles;
			if (!(other >> pv.role & 1))
				continue;
			who = pv.as_client ? flow_orig_addr(f) : flow_resp_addr(f);
		}
		add_peer(t, who, 1u << i, f, ts_us);
	}
}

/* uses=: the flow's client used a service of the app that its label names, shown by a
 * documented address, a site server, a name or payload; never by a port alone or a role (a role
 * must not make another role). */
static void uses_evidence(struct role_table *t, const struct flow *f, uint64_t ts_us)
{
	uint8_t c = f->label.confidence;
	if (c < CONF_SUBNET_PORT || c == CONF_ROLE_PORT)
		return;
	uint32_t bits = sig_rule_uses(t->db, f->label.rule);
	if (bits)
		add_peer(t, flow_orig_addr(f), bits, f, ts_us);
}

static void observe(struct role_table *t, const struct flow *f, uint64_t ts_us, bool end);

void role_observe(struct role_table *t, const struct flow *f, uint64_t ts_us, bool end)
{
	if (!t)
		return;
	wr_lock(t);
	observe(t, f, ts_us, end);
	un_lock(t);
}

static void observe(struct role_table *t, const struct flow *f, uint64_t ts_us, bool end)
{
	if (!t->db)
		return;
	uint16_t port = flow_resp_port(f);
	int idx = sig_role_port_find(t->db, f->key.proto, port);
	bool peer = sig_role_peer_port(t->db, f->key.proto, port);
	/* uses= reads the label, which is final only in the flow's record */
	bool uses = end && f->label.rule != FLOW_RULE_NONE && sig_rule_uses(t->db, f->label.rule);
	if ((idx < 0 && !peer && !uses) || !answered(f))
		return;
	uint64_t ignore = idx >= 0 ? sig_role_port_ignore(t->db, idx) : 0;
	if (ignore && (roles_at(t, flow_orig_addr(f)) & ignore))
		idx = -1; /* served to a server of a role that says so: e.g. Finesse's gadget server */
	if (idx >= 0) {
		struct role_entry *e = find_or_add(t, flow_resp_addr(f));
		uint64_t bit = 1ULL << idx;
		if (!(e->served & bit)) {
			e->served |= bit;
			set_roles(t, e);
		}
		seen(e, f, ts_us);
		if (end)
			e->flows[idx]++;
	}
	if (peer)
		peer_evidence(t, f, ts_us);
	if (uses)
		uses_evidence(t, f, ts_us);
}

uint64_t role_of(const struct role_table *t, const struct ucf_addr *a)
{
	if (!t)
		return 0;
	rd_lock(t);
	uint64_t r = roles_at(t, a);
	un_lock(t);
	return r;
}

/* role_of without the lock: inside the table's own calls, which hold it already */
static uint64_t roles_at(const struct role_table *t, const struct ucf_addr *a)
{
	const struct role_entry *e = t->with_role ? find(t, a) : NULL;
	return e ? e->roles : 0;
}

bool role_table_any(const struct role_table *t)
{
	if (!t)
		return false;
	rd_lock(t);
	bool any = t->with_role != 0;
	un_lock(t);
	return any;
}

/* The server whose role stands behind f's label: the responder, or for a row where the product
 * is the client the originator, when it holds a role covering the label's rule. NULL otherwise
 * (also for labels weaker than role+port, which no role made). */
static const struct role_entry *label_server(const struct role_table *t, const struct sig_db *db,
					     const struct flow *f, uint64_t *roles, bool *client)
{
	uint64_t covering;
	if (!t || !db || !t->with_role || f->label.confidence < CONF_ROLE_PORT ||
	    !sig_rule_roles(db, f->label.rule, &covering, client))
		return NULL;
	const struct role_entry *e = find(t, *client ? flow_orig_addr(f) : flow_resp_addr(f));
	if (!e || !(e->roles & covering))
		return NULL;
	*roles = e->roles & covering;
	return e;
}

void role_count_labelled(struct role_table *t, const struct sig_db *db, const struct flow *f)
{
	uint64_t roles;
	bool client;
	wr_lock(t);
	struct role_entry *e = (struct role_entry *)label_server(t, db, f, &roles, &client);
	if (e)
		e->labelled++;
	un_lock(t);
}

static size_t describe(const struct role_table *t, const struct sig_db *db, const struct flow *f,
		       char *buf, size_t cap);

size_t role_describe(const void *tv, const struct sig_db *db, const struct flow *f, char *buf,
		     size_t cap)
{
	const struct role_table *t = tv;
	rd_lock(t);
	size_t n = describe(t, db, f, buf, cap);
	un_lock(t);
	return n;
}

static size_t describe(const struct role_table *t, const struct sig_db *db, const struct flow *f,
		       char *buf, size_t cap)
{
	uint64_t roles;
	bool client;
	if (!cap)
		return 0;
	buf[0] = '\0';
	const struct role_entry *e = label_server(t, db, f, &roles, &client);
	if (!e)
		return 0;
	char a[UCF_ADDR_STRLEN];
	ucf_addr_format(&e->addr, a, sizeof a);
	uint64_t ev = 0;
	uint32_t pe = 0;
	struct sig_role_view v = { 0 };
	for (size_t k = 0; k < sig_role_count(db); k++) {
		struct sig_role_view x;
		if ((roles >> k & 1) && sig_role_get(db, k, &x)) {
			ev |= (x.key | x.support) & e->served;
			pe |= x.peer & e->peer;
			if (!v.app)
				v = x; /* the first role names it; the inventory lists them all */
		}
	}
	int w = snprintf(buf, cap, "role=%s/%s %s=%s", v.app, v.role, client ? "client" : "server",
			 a);
	size_t n = w > 0 ? (size_t)w : cap;
	/* peer evidence: peer=client-of:ROLE:tcp/1516, serves-to:ROLE:tcp/8088, uses:SERVICE,
	 * federates:tcp/5061 */
	const char *sep = " peer=";
	for (size_t i = 0; i < sig_role_peer_count(db) && n < cap; i++) {
		struct sig_role_peer_view pv;
		struct sig_role_view rv;
		if (!(pe >> i & 1) || !sig_role_peer_get(db, i, &pv) || !sig_role_get(db, pv.role, &rv))
			continue;
		const char *pn = pv.ipproto == 6 ? "tcp" : "udp";
		if (pv.kind == SIG_PEER_USES)
			w = snprintf(buf + n, cap - n, "%suses:%s", sep, pv.service);
		else if (pv.kind == SIG_PEER_FEDERATES)
			w = snprintf(buf + n, cap - n, "%sfederates:%s/%u", sep, pn, pv.port);
		else
			w = snprintf(buf + n, cap - n, "%s%s:%s:%s/%u", sep,
				     pv.as_client ? "client-of" : "serves-to", rv.role, pn, pv.port);
		n += w > 0 ? (size_t)w : cap;
		sep = ",";
	}
	sep = " serves=";
	for (size_t i = 0; i < sig_role_port_count(db) && n < cap; i++) {
		uint8_t proto;
		uint16_t port;
		if (!(ev >> i & 1) || !sig_role_port_get(db, i, &proto, &port))
			continue;
		w = snprintf(buf + n, cap - n, "%s%s/%u", sep, proto == 6 ? "tcp" : "udp", port);
		n += w > 0 ? (size_t)w : cap;
		sep = ",";
	}
	if (n >= cap) { /* never a cut text: nothing rather than half */
		buf[0] = '\0';
		return 0;
	}
	return n;
}

void role_table_end_pass(struct role_table *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i <= t->mask; i++) {
		struct role_entry *e = &t->e[i];
		if (!e->used)
			continue;
		e->first_us = e->last_us = 0;
		e->labelled = 0;
		memset(e->flows, 0, sizeof e->flows);
	}
}

static int cmp_view(const void *a, const void *b)
{
	const struct role_server_view *x = a, *y = b;
	return memcmp(x->addr.b, y->addr.b, 16);
}

size_t role_table_servers(const struct role_table *t, struct role_server_view *out, size_t cap)
{
	size_t n = 0;
	if (!t)
		return 0;
	for (uint32_t i = 0; i <= t->mask; i++) {
		const struct role_entry *e = &t->e[i];
		if (!e->used || !(e->served || e->peer))
			continue;
		if (n < cap)
			out[n] = (struct role_server_view){ e->addr, e->served, e->roles, e->first_us,
							    e->last_us, e->flows, e->labelled,
							    e->peer };
		n++;
	}
	if (out && n <= cap)
		qsort(out, n, sizeof *out, cmp_view);
	return n;
}

void role_table_get_stats(const struct role_table *t, struct role_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!t)
		return;
	st->servers = t->used;
	st->evicted = t->evicted;
	st->with_role = t->with_role;
}
