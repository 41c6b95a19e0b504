/* ucflow.h - types shared by every pipeline stage: addresses, error buffers, status codes. */
#ifndef UCFLOW_H
#define UCFLOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

/* Every library-like function that can fail fills an errbuf of this size. */
#define UCF_ERRBUF_SIZE 512

/* Status codes returned by library-like modules; only main() turns them into exit codes. */
enum ucf_status {
	UCF_OK = 0,
	UCF_ERR_RUNTIME = 1, /* I/O, resources, bad input data: exit 1 */
	UCF_ERR_CONFIG = 2,  /* usage or configuration: exit 2 */
};

/* An IP address: IPv4 is stored IPv4-mapped (::ffff:a.b.c.d) so one type covers both families. */
struct ucf_addr {
	uint8_t b[16];
};

static inline bool ucf_addr_is_v4(const struct ucf_addr *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(a->b, prefix, sizeof prefix) == 0; /* two loads and compares, not a loop */
}

void ucf_addr_set_v4(struct ucf_addr *a, const uint8_t v4[4]);
void ucf_addr_set_v6(struct ucf_addr *a, const uint8_t v6[16]);
int ucf_addr_cmp(const struct ucf_addr *x, const struct ucf_addr *y);

/* Longest text form: an IPv6 address with an embedded IPv4 tail, plus NUL. */
#define UCF_ADDR_STRLEN 46
/* Formats a (dotted quad for IPv4, RFC 5952 for IPv6); returns buf. */
char *ucf_addr_format(const struct ucf_addr *a, char *buf, size_t len);
/* Parses dotted-quad IPv4 or any RFC 4291 IPv6 text; returns false on bad input. */
bool ucf_addr_parse(const char *s, struct ucf_addr *out);

#endif
