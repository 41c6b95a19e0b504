/* bench_cidr.c - lookups per second of the prefix trie, and classify_flow calls per second.
 *
 * usage: bench_cidr [SIGDIR]   (SIGDIR: the signature tables to time classify_flow with;
 *                               default ./signatures, skipped when it does not load)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "classify_cidr.h"

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rnd_v4(struct ucf_addr *a)
{
	uint32_t r = (uint32_t)rnd();
	uint8_t q[4] = { (uint8_t)(r >> 24), (uint8_t)(r >> 16), (uint8_t)(r >> 8), (uint8_t)r };
	ucf_addr_set_v4(a, q);
}

static void rnd_v6(struct ucf_addr *a)
{
	uint64_t h = rnd(), l = rnd();
	memcpy(a->b, &h, 8);
	memcpy(a->b + 8, &l, 8);
	a->b[0] = 0x20;
}

#define NADDR (1u << 20)
static volatile uint32_t sink;

static void run(const char *what, struct cidr *t, const struct ucf_addr *addrs)
{
	unsigned rounds = 8;
	double t0 = now();
	uint32_t acc = 0;
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < NADDR; i++)
			acc += cidr_lookup(t, &addrs[i], NULL);
	double dt = now() - t0;
	struct cidr_hit hits[CIDR_MAX_HITS];
	double t1 = now();
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < NADDR; i++)
			acc += cidr_lookup_all(t, &addrs[i], hits, CIDR_MAX_HITS);
	double dt2 = now() - t1;
	sink = acc;
	printf("%-44s %8zu prefixes %6.1f MB  lookup %6.1f M/s  lookup_all %6.1f M/s\n", what,
	       cidr_count(t), (double)cidr_bytes(t) / 1e6, rounds * NADDR / dt / 1e6,
	       rounds * NADDR / dt2 / 1e6);
}

static struct cidr *build(unsigned n, int family, unsigned minlen)
{
	struct cidr *t = cidr_new();
	for (unsigned i = 0; i < n; i++) {
		struct ucf_addr a;
		unsigned len;
		bool v4 = family == 4 || (family == 0 && (rnd() & 1));
		if (v4) {
			rnd_v4(&a);
			len = 96 + minlen + (unsigned)(rnd() % (33 - minlen));
		} else {
			rnd_v6(&a);
			len = 16 + (unsigned)(rnd() % 113);
		}
		cidr_mask(&a, len);
		cidr_insert(t, &a, len, i);
	}
	return t;
}


static void bench_classify(const char *sigdir)
{
	struct sig_db *db = NULL;
	char err[UCF_ERRBUF_SIZE];
	if (sig_db_load(&db, sigdir, NULL, err, sizeof err) != UCF_OK) {
		printf("classify_flow: skipped (%s)\n", err);
		return;
	}
	enum { NF = 1 << 16 };
	struct flow *fl = calloc(NF, sizeof *fl);
	static const char *const servers[] = { "23.89.1.2", "10.1.1.5", "8.8.8.8", "170.72.3.4",
					       "192.168.5.5", "157.240.1.1" };
	static const uint16_t ports[] = { 443, 5222, 8934, 19600, 1516, 53, 5061, 40000, 8500 };
	for (unsigned i = 0; i < NF; i++) {
		struct flow *f = &fl[i];
		ucf_addr_parse("10.0.0.1", &f->key.a);
		f->key.a.b[15] = (uint8_t)i;
		ucf_addr_parse(servers[rnd() % 6], &f->key.b);
		f->key.port_a = (uint16_t)(30000 + rnd() % 30000);
		f->key.port_b = ports[rnd() % 9];
		f->key.proto = rnd() & 1 ? 6 : 17;
		f->orig_is_a = 1;
		f->tcp_state = rnd() & 1 ? FLOW_TCP_SYN_ORIG : 0;
	}
	unsigned rounds = 16;
	double t0 = now();
	uint32_t acc = 0;
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < NF; i++) {
			classify_flow(db, &fl[i]);
			acc += fl[i].label.rule;
		}
	double dt = now() - t0;
	sink = acc;
	printf("classify_flow (%s, %zu rules): %.2f M flows/s (%.0f ns per call)\n", sigdir,
	       sig_rule_count(db), rounds * NF / dt / 1e6, dt / (rounds * NF) * 1e9);
	free(fl);
	sig_db_free(db);
}

int main(int argc, char **argv)
{
	struct ucf_addr *v4 = malloc(NADDR * sizeof *v4), *v6 = malloc(NADDR * sizeof *v6);
	if (!v4 || !v6)
		return 1;
	for (unsigned i = 0; i < NADDR; i++) {
		rnd_v4(&v4[i]);
		rnd_v6(&v6[i]);
	}
	struct cidr *t;
	t = build(40, 4, 16);
	run("IPv4, 40 prefixes /16-/32 (signature-sized)", t, v4);
	cidr_free(t);
	t = build(100000, 4, 8);
	run("IPv4, 100000 prefixes /8-/32", t, v4);
	cidr_free(t);
	t = build(900000, 4, 8);
	run("IPv4, 900000 prefixes /8-/32 (full table)", t, v4);
	cidr_free(t);
	t = build(100000, 6, 0);
	run("IPv6, 100000 prefixes /16-/128", t, v6);
	cidr_free(t);
	free(v4);
	free(v6);
	bench_classify(argc > 1 ? argv[1] : "signatures");
	return 0;
}
