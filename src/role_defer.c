/* role_defer.c - the second look's store: flow records held in a bounded FIFO ring, in chunks
 * allocated as the ring first reaches them (include/role_defer.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h> /* madvise */

#include "role_defer.h"
#include "classify.h"

/* A held record: the flow from its key on (the hash handle before it is the flow table's, not the
 * record's), and why it ended. */
#define HELD_FROM offsetof(struct flow, key)
struct held {
	unsigned char body[sizeof(struct flow) - HELD_FROM];
	uint8_t why;
};
/* tests/memory_bound.sh counts 192 bytes per held record */
_Static_assert(sizeof(struct held) <= 192, "a held record grew: update tests/memory_bound.sh");

/* A chunk is one 2 MiB huge page where the kernel gives them (a hint: 4 KiB pages otherwise). On
 * bench's mix half the records are held (443 and 80 are server ports of rules a role covers):
 * 2.5 MB of fresh memory, whose 4 KiB first-touch faults cost about 10 us each on a virtual
 * machine, 6 ms of the run; one fault per 2 MiB costs nearly nothing. A ring of max records never
 * moves a record once held; a ring smaller than a chunk gets only what it can use. */
#define CHUNK_BYTES (2u << 20)
#define CHUNK ((uint32_t)(CHUNK_BYTES / sizeof(struct held)))

struct role_defer {
	struct held **chunk;   /* ceil(max / CHUNK) pointers; a chunk is allocated when first used */
	uint32_t nchunks;
	uint32_t max;
	uint32_t head, n;      /* oldest record's ring position, records held */
	struct role_defer_stats st;
};

int role_defer_create(struct role_defer **out, uint32_t max_records, char *errbuf)
{
	struct role_defer *d = calloc(1, sizeof *d);
	uint32_t max = max_records ? max_records : ROLE_DEFER_DEFAULT_MAX;
	uint32_t nch = max / CHUNK + (max % CHUNK != 0);
	if (d)
		d->chunk = calloc(nch, sizeof *d->chunk);
	if (!d || !d->chunk) {
		free(d);
		*out = NULL;
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	d->nchunks = nch;
	d->max = max;
	d->st.max_records = max;
	*out = d;
	return UCF_OK;
}

void role_defer_destroy(struct role_defer *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; i < d->nchunks; i++)
		free(d->chunk[i]);
	free(d->chunk);
	free(d);
}

bool role_defer_wanted(const struct flow *f, const struct sig_db *db)
{
	if (!db)
		return false;
	/* a name, the payload or a role already decided it: a role can only rank below those;
	 * except where the same evidence fits a row on documented addresses whose client a role
	 * names (a local gateway's STUN to 9000 is STUN to the platform's 9000 too) */
	if (f->label.confidence >= CONF_ROLE_PORT) {
		for (unsigned i = 0; i < f->label.ncand; i++)
			if (sig_rule_client_role_doc(db, f->label.cand[i]))
				return true;
		return false;
	}
	/* A role stands in for an address only in a rule whose server port the flow is on. A TCP
	 * flow opened by a SYN keeps its orientation; any other may be turned around. */
	if (sig_role_rule_port(db, f->key.proto, flow_resp_port(f)))
		return true;
	/* a candidate a role can make the label (a needs=name row whose name the flow carries:
	 * IM and Presence's SRV lookups before the node's federation is seen) */
	for (unsigned i = 0; i < f->label.ncand; i++) {
		uint64_t roles;
		bool client;
		if (sig_rule_roles(db, f->label.cand[i], &roles, &client) && roles)
			return true;
	}
	return !(f->key.proto == 6 && (f->tcp_state & FLOW_TCP_SYN_ORIG)) &&
	       sig_role_rule_port(db, f->key.proto, flow_orig_port(f));
}

/* A chunk of the records from ring position first on: a whole one is a huge-page candidate, the
 * ring's last (when max is not a multiple of CHUNK) only as large as the records it holds. */
static struct held *chunk_alloc(const struct role_defer *d, uint32_t first)
{
	uint32_t n = d->max - first < CHUNK ? d->max - first : CHUNK;
	if (n < CHUNK)
		return malloc(n * sizeof(struct held));
	struct held *c = aligned_alloc(CHUNK_BYTES, CHUNK_BYTES);
#ifdef MADV_HUGEPAGE
	if (c)
		(void)madvise(c, CHUNK_BYTES, MADV_HUGEPAGE);
#endif
	return c;
}

/* The slot of ring position pos, allocating its chunk on first use; NULL when that fails. */
static struct held *slot(struct role_defer *d, uint32_t pos)
{
	struct held **c = &d->chunk[pos / CHUNK];
	if (!*c && !(*c = chunk_alloc(d, pos - pos % CHUNK)))
		return NULL;
	return &(*c)[pos % CHUNK];
}

static void load(const struct held *h, struct flow *out, enum flow_end *why)
{
	memset(out, 0, HELD_FROM);
	memcpy((unsigned char *)out + HELD_FROM, h->body, sizeof h->body);
	*why = (enum flow_end)h->why;
}

/* Moves the oldest record out. */
static void pop(struct role_defer *d, struct flow *out, enum flow_end *why)
{
	load(&d->chunk[d->head / CHUNK][d->head % CHUNK], out, why);
	d->head = d->head + 1 == d->max ? 0 : d->head + 1;
	d->n--;
}

bool role_defer_hold(struct role_defer *d, const struct flow *f, enum flow_end why,
		     struct flow *out, enum flow_end *out_why)
{
	d->st.held++;
	uint32_t pos = d->head + d->n;
	if (pos >= d->max)
		pos -= d->max;
	struct held *h = NULL;
	bool pushed = false;
	if (d->n < d->max) {
		h = slot(d, pos);
		if (!h) { /* out of memory for a new chunk: the record itself is written now */
			d->st.overflow++;
			*out = *f;
			*out_why = why;
			return true;
		}
	} else { /* full: the oldest record goes, and its slot (the ring's next) takes f */
		d->st.overflow++;
		h = &d->chunk[d->head / CHUNK][d->head % CHUNK];
		pop(d, out, out_why);
		pushed = true;
	}
	memcpy(h->body, (const unsigned char *)f + HELD_FROM, sizeof h->body);
	h->why = (uint8_t)why;
	d->n++;
	if (d->n > d->st.peak)
		d->st.peak = d->n;
	return pushed;
}

bool role_defer_take(struct role_defer *d, struct flow *out, enum flow_end *why)
{
	if (!d->n)
		return false;
	pop(d, out, why);
	return true;
}

void role_defer_note_relabelled(struct role_defer *d)
{
	d->st.relabelled++;
}

void role_defer_get_stats(const struct role_defer *d, struct role_defer_stats *st)
{
	*st = d->st;
	st->now = d->n;
}
