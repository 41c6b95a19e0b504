/* live_merge.h - what the workers of a live capture (live_workers.c) share: one output that takes
 * whole records from every worker's own writer and never interleaves them, and their counters
 * summed. Kept apart from the threads so that it can be tested alone (tests/check_workers.c). */
#ifndef LIVE_MERGE_H
#define LIVE_MERGE_H

#include <pthread.h>

#include "output.h"
#include "live.h"

/* The one real writer (out_open) behind a mutex. Each worker formats a record completely in its
 * own writer (out_open_sink with live_output_sink and this as the user), so only the copy of the
 * finished record into the stream's buffer happens under the lock. */
struct live_output {
	pthread_mutex_t mu;
	struct out_writer *w;
};
int live_output_init(struct live_output *o, struct out_writer *w, char *errbuf);
void live_output_destroy(struct live_output *o);
/* out_sink_fn: appends one whole record under the lock; 0 or the output's sticky errno. */
int live_output_sink(void *user, const char *rec, size_t len);
/* out_flush / out_reopen under the lock. */
int live_output_flush(struct live_output *o, char *errbuf);
int live_output_reopen(struct live_output *o, char *errbuf);

/* part added into sum: every counter; the libpcap statistics are valid when every part's are. */
void live_snapshot_add(struct live_snapshot *sum, const struct live_snapshot *part, bool first);

#endif
