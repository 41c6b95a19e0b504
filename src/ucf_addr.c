/* ucf_addr.c - IP address helpers: IPv4-mapped storage, RFC 5952 text form, parsing. */
#include <string.h>
#include <stdio.h>
#include <arpa/inet.h>

#include "ucflow.h"

void ucf_addr_set_v4(struct ucf_addr *a, const uint8_t v4[4])
{
	memset(a->b, 0, 10);
	a->b[10] = 0xff;
	a->b[11] = 0xff;
	memcpy(a->b + 12, v4, 4);
}

void ucf_addr_set_v6(struct ucf_addr *a, const uint8_t v6[16])
{
	memcpy(a->b, v6, 16);
}

int ucf_addr_cmp(const struct ucf_addr *x, const struct ucf_addr *y)
{
	return memcmp(x->b, y->b, 16);
}

/* RFC 5952: lower-case hex, no leading zeros, the longest run (first on a tie) of two or more zero
 * groups shortened to "::". An IPv4-mapped address is ours for IPv4 and prints as a dotted quad. */
char *ucf_addr_format(const struct ucf_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (ucf_addr_is_v4(a)) {
		/* the common case, formatted by hand: output runs this once per flow endpoint */
		char tmp[16];
		size_t n = 0;
		for (int i = 12; i < 16; i++) {
			unsigned v = a->b[i];
			if (v >= 100)
				tmp[n++] = (char)('0' + v / 100);
			if (v >= 10)
				tmp[n++] = (char)('0' + v / 10 % 10);
			tmp[n++] = (char)('0' + v % 10);
			tmp[n++] = i < 15 ? '.' : '\0';
		}
		if (n > len)
			n = len;
		memcpy(buf, tmp, n);
		buf[n - 1] = '\0';
		return buf;
	}
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)((a->b[2 * i] << 8) | a->b[2 * i + 1]);
	int best = -1, best_len = 0;
	for (int i = 0; i < 8;) {
		if (g[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	if (best_len < 2)
		best = -1;
	/* hex digits by hand, not snprintf: output runs this once per IPv6 flow endpoint (at most
	 * 8 groups of 4 digits and 7 colons: 39 characters, within UCF_ADDR_STRLEN) */
	static const char hex[] = "0123456789abcdef";
	char tmp[UCF_ADDR_STRLEN];
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			tmp[n++] = ':';
			tmp[n++] = ':';
			i += best_len - 1;
			continue;
		}
		if (n > 0 && tmp[n - 1] != ':')
			tmp[n++] = ':';
		unsigned v = g[i];
		if (v >= 0x1000)
			tmp[n++] = hex[v >> 12];
		if (v >= 0x100)
			tmp[n++] = hex[(v >> 8) & 15];
		if (v >= 0x10)
			tmp[n++] = hex[(v >> 4) & 15];
		tmp[n++] = hex[v & 15];
	}
	tmp[n] = '\0';
	if (n >= len) /* truncated as snprintf would */
		n = len - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return buf;
}

bool ucf_addr_parse(const char *s, struct ucf_addr *out)
{
	uint8_t raw[16];
	if (inet_pton(AF_INET, s, raw) == 1) {
		ucf_addr_set_v4(out, raw);
		return true;
	}
	if (inet_pton(AF_INET6, s, raw) == 1) {
		ucf_addr_set_v6(out, raw);
		return true;
	}
	return false;
}
