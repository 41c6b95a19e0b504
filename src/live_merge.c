/* live_merge.c - the live capture workers' shared output and counter sums. See live_merge.h. */
#include <string.h>

#include "live_merge.h"

int live_output_init(struct live_output *o, struct out_writer *w, char *errbuf)
{
	o->w = w;
	int e = pthread_mutex_init(&o->mu, NULL);
	if (e) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "output lock: %s", strerror(e));
		return UCF_ERR_RUNTIME;
	}
	return UCF_OK;
}

void live_output_destroy(struct live_output *o)
{
	pthread_mutex_destroy(&o->mu);
}

int live_output_sink(void *user, const char *rec, size_t len)
{
	struct live_output *o = user;
	pthread_mutex_lock(&o->mu);
	int e = out_write_raw(o->w, rec, len);
	pthread_mutex_unlock(&o->mu);
	return e;
}

int live_output_flush(struct live_output *o, char *errbuf)
{
	pthread_mutex_lock(&o->mu);
	int rc = out_flush(o->w, errbuf);
	pthread_mutex_unlock(&o->mu);
	return rc;
}

int live_output_reopen(struct live_output *o, char *errbuf)
{
	pthread_mutex_lock(&o->mu);
	int rc = out_reopen(o->w, errbuf);
	pthread_mutex_unlock(&o->mu);
	return rc;
}

/* Both counter structs are plain uint64_t counters: summed word by word, so a counter added to
 * either later is summed too (the asserts catch a field of another type). */
_Static_assert(sizeof(struct pipeline_counters) % sizeof(uint64_t) == 0, "u64 counters only");
_Static_assert(sizeof(struct flow_table_stats) % sizeof(uint64_t) == 0, "u64 counters only");

static void add_words(void *sum, const void *part, size_t bytes)
{
	uint64_t a[32], b[32];
	_Static_assert(sizeof(struct pipeline_counters) <= sizeof a, "room");
	_Static_assert(sizeof(struct flow_table_stats) <= sizeof a, "room");
	memcpy(a, sum, bytes);
	memcpy(b, part, bytes);
	for (size_t i = 0; i < bytes / sizeof a[0]; i++)
		a[i] += b[i];
	memcpy(sum, a, bytes);
}

void live_snapshot_add(struct live_snapshot *sum, const struct live_snapshot *part, bool first)
{
	add_words(&sum->pc, &part->pc, sizeof sum->pc);
	add_words(&sum->fs, &part->fs, sizeof sum->fs);
	sum->cs.recv += part->cs.recv;
	sum->cs.drop += part->cs.drop;
	sum->cs.ifdrop += part->cs.ifdrop;
	sum->cs.valid = part->cs.valid && (first || sum->cs.valid);
	if (part->mono_us > sum->mono_us)
		sum->mono_us = part->mono_us;
}
