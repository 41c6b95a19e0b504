/* report_axis.c - time-axis ticks for the report's charts: the unit from the span (ms to years), labels that fit the width, a fixed maximum of ticks. */
#include <string.h>

#include "report_internal.h"

#define US_S 1000000ULL
#define US_DAY (86400ULL * US_S)

/* Civil date of a day number (days since 1970-01-01, proleptic Gregorian): eras of 400 years
 * (146097 days) make every era alike; within one, years start on March 1 so the leap day ends it. */
static void civil(uint64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = (int64_t)days + 719468; /* days since 0000-03-01 */
	int64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                           /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                                     /* March = 0 */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Day number of a civil date (the inverse of civil), for years from 1970 on. */
static uint64_t days_of(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = y / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned mp = m > 2 ? m - 3 : m + 9;
	unsigned doy = (153 * mp + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)(era * 146097 + (int64_t)doe - 719468);
}

/* Microseconds of a day number; UINT64_MAX (past every span) when it does not fit. */
static uint64_t day_us(uint64_t days)
{
	return days > (UINT64_MAX - 1) / US_DAY ? UINT64_MAX : days * US_DAY;
}

enum unit { U_MS, U_S, U_MIN, U_H, U_DAY, U_WEEK, U_MONTH, U_YEAR };
static const char *const unit_names[] = { "milliseconds", "seconds", "minutes", "hours", "days",
					  "weeks", "months", "years" };

struct step {
	enum unit unit;
	uint64_t n; /* microseconds for fixed units; months or years for calendar units */
};

static const struct step fixed_steps[] = {
	{ U_MS, 1000 }, { U_MS, 2000 }, { U_MS, 5000 }, { U_MS, 10000 }, { U_MS, 20000 },
	{ U_MS, 50000 }, { U_MS, 100000 }, { U_MS, 200000 }, { U_MS, 500000 },
	{ U_S, US_S }, { U_S, 2 * US_S }, { U_S, 5 * US_S }, { U_S, 10 * US_S }, { U_S, 15 * US_S },
	{ U_S, 30 * US_S }, { U_MIN, 60 * US_S }, { U_MIN, 120 * US_S }, { U_MIN, 300 * US_S },
	{ U_MIN, 600 * US_S }, { U_MIN, 900 * US_S }, { U_MIN, 1800 * US_S },
	{ U_H, 3600 * US_S }, { U_H, 7200 * US_S }, { U_H, 10800 * US_S }, { U_H, 21600 * US_S },
	{ U_H, 43200 * US_S }, { U_DAY, US_DAY }, { U_DAY, 2 * US_DAY }, { U_WEEK, 7 * US_DAY },
	{ U_WEEK, 14 * US_DAY }, { U_MONTH, 1 }, { U_MONTH, 2 }, { U_MONTH, 3 }, { U_MONTH, 6 },
};

/* Label of a tick at us for a step; multi_day: the span crosses a day (sub-day ticks then carry
 * the date, with its year). */
static void label(uint64_t us, const struct step *s, bool multi_day, char *buf, size_t len)
{
	uint64_t days = us / US_DAY, sod = us % US_DAY / US_S;
	int64_t y;
	unsigned m, d;
	civil(days, &y, &m, &d);
	unsigned hh = (unsigned)(sod / 3600), mm = (unsigned)(sod / 60 % 60), ss = (unsigned)(sod % 60);
	char date[32];
	snprintf(date, sizeof date, "%04lld-%02u-%02u", (long long)y, m, d);
	switch (s->unit) {
	case U_MS:
		snprintf(buf, len, "%02u:%02u:%02u.%03u", hh, mm, ss, (unsigned)(us % US_S / 1000));
		break;
	case U_S:
		snprintf(buf, len, "%02u:%02u:%02u", hh, mm, ss);
		break;
	case U_MIN:
	case U_H:
		if (multi_day && sod == 0)
			snprintf(buf, len, "%s", date); /* midnight: the date alone */
		else if (multi_day)
			snprintf(buf, len, "%s %02u:%02u", date, hh, mm);
		else
			snprintf(buf, len, "%02u:%02u", hh, mm);
		break;
	case U_DAY:
	case U_WEEK:
		snprintf(buf, len, "%s", date);
		break;
	case U_MONTH:
		snprintf(buf, len, "%04lld-%02u", (long long)y, m);
		break;
	case U_YEAR:
		snprintf(buf, len, "%04lld", (long long)y);
		break;
	}
}

/* The widest label a step can give (characters), for the fit. */
static size_t label_chars(const struct step *s, bool multi_day)
{
	switch (s->unit) {
	case U_MS: return 12;
	case U_S: return 8;
	case U_MIN:
	case U_H: return multi_day ? 16 : 5;
	case U_DAY:
	case U_WEEK: return 10;
	case U_MONTH: return 7;
	case U_YEAR: return 6; /* years past 9999 stay readable */
	}
	return 16;
}

/* The first tick at or after t0 for a step. */
static uint64_t first_tick(uint64_t t0, const struct step *s)
{
	if (s->unit == U_MONTH || s->unit == U_YEAR) {
		int64_t y;
		unsigned m, d;
		civil(t0 / US_DAY, &y, &m, &d);
		uint64_t n = s->n;
		int64_t mi = y * 12 + (int64_t)m - 1; /* months since year 0 */
		if (s->unit == U_YEAR)
			mi = (y + (int64_t)n - 1) / (int64_t)n * (int64_t)n * 12;
		else
			mi = (mi + (int64_t)n - 1) / (int64_t)n * (int64_t)n;
		uint64_t t = day_us(days_of(mi / 12, (unsigned)(mi % 12) + 1, 1));
		while (t < t0 && t != UINT64_MAX) { /* t0 after the first of its month (year) */
			mi += s->unit == U_YEAR ? (int64_t)n * 12 : (int64_t)n;
			t = day_us(days_of(mi / 12, (unsigned)(mi % 12) + 1, 1));
		}
		return t;
	}
	/* weeks start on Monday (1970-01-01 was a Thursday: Monday 1970-01-05 is 4 days in) */
	uint64_t off = s->unit == U_WEEK ? 4 * US_DAY : 0;
	if (t0 <= off)
		return off;
	uint64_t q = (t0 - off) / s->n + ((t0 - off) % s->n != 0);
	return q > (UINT64_MAX - off - 1) / s->n ? UINT64_MAX : q * s->n + off;
}

static uint64_t next_tick(uint64_t t, const struct step *s)
{
	if (t == UINT64_MAX || t > UINT64_MAX - s->n)
		return UINT64_MAX;
	if (s->unit != U_MONTH && s->unit != U_YEAR)
		return t + s->n;
	int64_t y;
	unsigned m, d;
	civil(t / US_DAY, &y, &m, &d);
	int64_t mi = y * 12 + (int64_t)m - 1 + (int64_t)(s->unit == U_YEAR ? s->n * 12 : s->n);
	return day_us(days_of(mi / 12, (unsigned)(mi % 12) + 1, 1));
}

/* Ticks a step gives on [t0, t1], counting up to limit + 1. */
static size_t count_ticks(uint64_t t0, uint64_t t1, const struct step *s, size_t limit)
{
	size_t n = 0;
	for (uint64_t t = first_tick(t0, s); t <= t1 && t != UINT64_MAX && n <= limit;
	     t = next_tick(t, s))
		n++;
	return n;
}

size_t report_axis_ticks(uint64_t t0, uint64_t t1, double width_px, double char_px,
			 struct raxis_tick *out, size_t max, const char **unit)
{
	if (t1 <= t0)
		t1 = t0 + 1;
	if (max > RAXIS_MAX_TICKS)
		max = RAXIS_MAX_TICKS;
	bool multi_day = t0 / US_DAY != t1 / US_DAY;
	struct step s = { U_YEAR, 1 };
	bool found = false;
	size_t nfixed = sizeof fixed_steps / sizeof fixed_steps[0];
	for (size_t i = 0; !found; i++) {
		if (i < nfixed) {
			s = fixed_steps[i];
		} else { /* years: 1, 2, 5, 10, 20, 50 ... */
			uint64_t k = i - nfixed, p = 1;
			for (uint64_t j = 0; j < k / 3 && p < UINT64_MAX / 100; j++)
				p *= 10;
			s = (struct step){ U_YEAR, p * (k % 3 == 0 ? 1 : k % 3 == 1 ? 2 : 5) };
			if (p >= UINT64_MAX / 100) /* beyond any span of microseconds */
				found = true;
		}
		/* labels at most this many, each with a gap of two characters */
		double room = (double)(label_chars(&s, multi_day) + 2) * char_px;
		size_t fit = room > 0 ? (size_t)(width_px / room) : max;
		if (fit > max)
			fit = max;
		if (fit >= 2 && count_ticks(t0, t1, &s, fit) <= fit)
			found = true;
	}
	size_t n = 0;
	for (uint64_t t = first_tick(t0, &s); t <= t1 && t != UINT64_MAX && n < max;
	     t = next_tick(t, &s)) {
		out[n].us = t;
		label(t, &s, multi_day, out[n].label, sizeof out[n].label);
		n++;
	}
	*unit = unit_names[s.unit];
	return n;
}
