/* report_firewall.c - connection attempts on documented rows that never completed (TCP S0/REJ, UDP unanswered), kept apart from port scans. */
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

void report_fw_add(struct report *r, const struct rec *x, int32_t idx, bool *oom)
{
	(void)r;
	(void)x;
	(void)idx;
	(void)oom;
}

void report_fw_free(struct report *r)
{
	(void)r;
}

void report_fw_lines(const struct report *r, bool candidates, rline_fn fn, void *u)
{
	(void)r;
	(void)candidates;
	(void)fn;
	(void)u;
}
