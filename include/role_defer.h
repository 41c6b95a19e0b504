/* role_defer.h - the second look: a bounded store of flow records held back until the server roles
 * of the whole input are known (offline runs), so that a flow that ended before its server showed
 * its role is labelled as --two-pass would label it.
 *
 * The pipeline asks role_defer_wanted() when a final record is due (never per packet). A record
 * whose label could still change once roles are known is copied into the store instead of being
 * written (every other record is written at once). At the end of input the pipeline takes the held
 * records back in the order they were held (role_defer_take), classifies each again with the final
 * role table and writes it whole: held records come after all the others, in their own order.
 *
 * Memory is bounded: at most max_records copies, in chunks allocated as the store first needs them
 * (a held record never moves). When the store is full, holding a new record pushes out the oldest
 * one, which the caller classifies with the roles known then and writes at once; such records are
 * counted (overflow), never dropped.
 */
#ifndef ROLE_DEFER_H
#define ROLE_DEFER_H

#include "ucflow.h"
#include "flow.h"

#define ROLE_DEFER_DEFAULT_MAX 65536u  /* records (about 12 MiB of flow copies at most) */

struct role_defer;

/* max_records 0 = ROLE_DEFER_DEFAULT_MAX. Allocates nothing until the first record is held.
 * UCF_ERR_RUNTIME when out of memory. */
int role_defer_create(struct role_defer **out, uint32_t max_records, char *errbuf);
void role_defer_destroy(struct role_defer *d);

/* Whether f's label could still change once more roles are known: it is not from a name, the
 * payload or a role yet, and f is on the server port of a rule some role stands in for
 * (sig_role_rule_port; either port when classifying may still turn the flow around). This
 * over-approximates: a held record whose label the roles leave as it was costs only its place in
 * the store. db may be NULL (nothing is wanted). A bit test or two: no classification. */
struct sig_db;
bool role_defer_wanted(const struct flow *f, const struct sig_db *db);

/* Holds a copy of f, to be written later with end reason why. When the store is full, the oldest
 * held record is moved to *out (*out_why) and true is returned: the caller writes it now (counted
 * as overflow). Never fails: when no memory can be had for f, f itself comes back in *out (also
 * counted as overflow). */
bool role_defer_hold(struct role_defer *d, const struct flow *f, enum flow_end why,
		     struct flow *out, enum flow_end *out_why);

/* The oldest held record (holding order) into *out; false when none is held. The hash handle
 * (out->hh) is zeroed: it was the flow table's. */
bool role_defer_take(struct role_defer *d, struct flow *out, enum flow_end *why);

/* The caller's verdict on a record it took back and classified again: its label changed. */
void role_defer_note_relabelled(struct role_defer *d);

struct role_defer_stats {
	uint64_t held;        /* records held for the second look (overflow included) */
	uint64_t relabelled;  /* of those, records whose label the second look changed */
	uint64_t overflow;    /* records pushed out early because the store was full */
	uint64_t peak;        /* most records held at once */
	uint32_t now;         /* records held now */
	uint32_t max_records; /* the bound */
};
void role_defer_get_stats(const struct role_defer *d, struct role_defer_stats *st);

#endif
