/* flowsize.c - structural bytes per flow: inserts N distinct flows through flow_table_update and asks the table. */
/*
 * Usage: flowsize [N]     (default 1000000)
 *
 * Builds decoded_pkt structs directly (no capture, no decode), one UDP request and one reply per
 * flow, all within the idle timeout, so N flows are open at once. Prints sizeof(struct flow),
 * flow_table_memory() / N (pool high-water mark + uthash buckets + the table: the precise
 * all-in figure), flow_table_bytes_per_flow(), the process's RSS growth per flow, and the cost of
 * an insert and of a lookup in nanoseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow.h"

static uint64_t emitted;

static void on_emit(void *user, struct flow *f, enum flow_end why)
{
	(void)user;
	(void)f;
	(void)why;
	emitted++;
}

/* Resident set size now, in bytes, from /proc/self/statm (0 when unavailable). */
static size_t rss_now(void)
{
	FILE *fp = fopen("/proc/self/statm", "r");
	unsigned long size = 0, res = 0;
	if (!fp)
		return 0;
	if (fscanf(fp, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(fp);
	return (size_t)res * 4096u;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_pkt(struct decoded_pkt *d, uint32_t i, int reply)
{
	memset(d, 0, sizeof *d);
	uint8_t cli[4] = { 10, (uint8_t)((i >> 2) >> 16), (uint8_t)((i >> 2) >> 8), (uint8_t)(i >> 2) };
	uint8_t srv[4] = { 23, 89, (uint8_t)(i >> 8), (uint8_t)i };
	uint16_t cport = (uint16_t)(40000 + (i & 3)), sport = (uint16_t)(8500 + i % 200);
	d->ipver = 4;
	d->proto = 17;
	d->ip_len = 200;
	d->payload_len = 172;
	if (!reply) {
		ucf_addr_set_v4(&d->src, cli);
		ucf_addr_set_v4(&d->dst, srv);
		d->sport = cport;
		d->dport = sport;
	} else {
		ucf_addr_set_v4(&d->src, srv);
		ucf_addr_set_v4(&d->dst, cli);
		d->sport = sport;
		d->dport = cport;
	}
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000;
	if (argc > 1) {
		char *end;
		n = strtoul(argv[1], &end, 10);
		if (*end || n == 0 || n > 0x3fffffffUL) {
			fprintf(stderr, "Usage: flowsize [N]\n");
			return 2;
		}
	}
	char errbuf[UCF_ERRBUF_SIZE];
	struct flow_table_config cfg;
	flow_table_config_defaults(&cfg);
	cfg.idle_tcp_s = cfg.idle_udp_s = cfg.idle_other_s = 3600;
	size_t rss0 = rss_now();
	struct flow_table *t = flow_table_create(&cfg, on_emit, NULL, errbuf);
	if (!t) {
		fprintf(stderr, "flowsize: %s\n", errbuf);
		return 1;
	}
	const uint64_t ts0 = 1700000000ULL * 1000000ULL;
	struct decoded_pkt d;
	struct flow_update u;

	double t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		make_pkt(&d, i, 0);
		if (flow_table_update(t, &d, ts0 + i, &u) != UCF_OK || !u.is_new) {
			fprintf(stderr, "flowsize: insert %u failed\n", i);
			return 1;
		}
	}
	double t1 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		make_pkt(&d, i, 1);
		if (flow_table_update(t, &d, ts0 + n + i, &u) != UCF_OK || u.is_new ||
		    u.dir != FLOW_RESP) {
			fprintf(stderr, "flowsize: lookup %u failed\n", i);
			return 1;
		}
	}
	double t2 = now_s();

	struct flow_table_stats st;
	flow_table_get_stats(t, &st);
	size_t mem = flow_table_memory(t);
	size_t rss1 = rss_now();
	printf("flowsize: %lu flows open (table says %llu active)\n", n,
	       (unsigned long long)st.active);
	printf("flowsize: sizeof(struct flow) = %zu (UT_hash_handle %zu, struct flow_key %zu)\n",
	       sizeof(struct flow), sizeof(UT_hash_handle), sizeof(struct flow_key));
	printf("flowsize: flow_table_memory() = %zu bytes = %.1f bytes/flow all-in "
	       "(pool + hash buckets + table)\n", mem, (double)mem / (double)n);
	printf("flowsize: flow_table_bytes_per_flow() = %zu (the table's own estimate)\n",
	       flow_table_bytes_per_flow());
	printf("flowsize: RSS growth = %.1f bytes/flow\n",
	       rss1 > rss0 ? (double)(rss1 - rss0) / (double)n : 0.0);
	printf("flowsize: insert %.0f ns/flow, lookup %.0f ns/packet\n", (t1 - t0) * 1e9 / (double)n,
	       (t2 - t1) * 1e9 / (double)n);

	flow_table_flush(t, FLOW_END_EOF);
	flow_table_destroy(t);
	if (emitted != n) {
		fprintf(stderr, "flowsize: %llu flows emitted, expected %lu\n",
			(unsigned long long)emitted, n);
		return 1;
	}
	return 0;
}
