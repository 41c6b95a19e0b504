/* gen_records.c - synthetic flow records for the report benchmark: bench's own records, replayed with distinct hosts. */
/*
 * Usage: gen_records [-s SERVERS_EVERY] [-b FIRST] N TEMPLATE.jsonl
 *
 * Writes N JSON Lines records to stdout, numbered from FIRST (default 0, so that several files
 * hold different hosts): record i is template line i % T (T = the template's
 * lines, e.g. ucflow's records of bench's mix) with its "id.orig_h" replaced by a client address
 * unique to i (10.a.b.c for i < 2^24, then fd00::i), and, every SERVERS_EVERY-th record (default
 * 4, 0 = never), its "id.resp_h" by a server address unique to i (172.16.0.0/12, then fd01::i):
 * the worst case for a report that keeps per-host state. Everything else (labels, rules, counts,
 * timestamps) is the template's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tmpl {
	char *s;
	size_t len;
	size_t oh, ohl; /* offset and length of the orig_h value (inside the quotes) */
	size_t rh, rhl;
};

static int find_value(const char *s, const char *key, size_t *off, size_t *len)
{
	const char *k = strstr(s, key);
	if (!k)
		return -1;
	const char *v = k + strlen(key);
	const char *e = strchr(v, '"');
	if (!e)
		return -1;
	*off = (size_t)(v - s);
	*len = (size_t)(e - v);
	return 0;
}

static size_t addr(char *out, unsigned long long i, int server)
{
	if (!server && i < (1ULL << 24))
		return (size_t)sprintf(out, "10.%llu.%llu.%llu", i >> 16 & 255, i >> 8 & 255, i & 255);
	if (server && i < (1ULL << 20))
		return (size_t)sprintf(out, "172.%llu.%llu.%llu", 16 + (i >> 16 & 15), i >> 8 & 255,
				       i & 255);
	return (size_t)sprintf(out, "fd0%d::%llx:%llx", server, i >> 16, i & 0xffff);
}

int main(int argc, char **argv)
{
	unsigned long long every = 4, first = 0;
	int a = 1;
	while (argc - a > 2 && argv[a][0] == '-') {
		if (strcmp(argv[a], "-s") == 0)
			every = strtoull(argv[a + 1], NULL, 10);
		else if (strcmp(argv[a], "-b") == 0)
			first = strtoull(argv[a + 1], NULL, 10);
		else
			break;
		a += 2;
	}
	if (argc - a != 2) {
		fprintf(stderr, "Usage: gen_records [-s SERVERS_EVERY] [-b FIRST] N TEMPLATE.jsonl\n");
		return 2;
	}
	unsigned long long n = strtoull(argv[a], NULL, 10);
	FILE *fp = fopen(argv[a + 1], "r");
	if (!fp) {
		perror(argv[a + 1]);
		return 1;
	}
	struct tmpl *t = NULL;
	size_t nt = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t got;
	while ((got = getline(&line, &lcap, fp)) > 0) {
		struct tmpl x = { 0 };
		x.s = strdup(line);
		x.len = (size_t)got;
		if (!x.s || find_value(x.s, "\"id.orig_h\":\"", &x.oh, &x.ohl) ||
		    find_value(x.s, "\"id.resp_h\":\"", &x.rh, &x.rhl) || x.oh > x.rh) {
			free(x.s);
			continue; /* not a flow record of the expected shape */
		}
		if (nt == cap) {
			cap = cap ? cap * 2 : 1024;
			t = realloc(t, cap * sizeof *t);
			if (!t)
				return 1;
		}
		t[nt++] = x;
	}
	free(line);
	fclose(fp);
	if (!nt) {
		fprintf(stderr, "gen_records: no records in %s\n", argv[a + 1]);
		return 1;
	}
	static char obuf[1 << 20];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	char ca[64], sa[64];
	for (unsigned long long i = first; i < first + n; i++) {
		const struct tmpl *x = &t[i % nt];
		size_t cl = addr(ca, i, 0);
		fwrite(x->s, 1, x->oh, stdout);
		fwrite(ca, 1, cl, stdout);
		const char *p = x->s + x->oh + x->ohl;
		if (every && i % every == 0) {
			size_t sl = addr(sa, i, 1);
			fwrite(p, 1, (size_t)(x->s + x->rh - p), stdout);
			fwrite(sa, 1, sl, stdout);
			p = x->s + x->rh + x->rhl;
		}
		fwrite(p, 1, (size_t)(x->s + x->len - p), stdout);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
