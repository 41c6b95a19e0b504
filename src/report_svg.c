/* report_svg.c - the audit report's charts as inline SVG: bytes per service, traffic over time, confidence. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_internal.h"

#define W 960
/* the body's font stack (report_html.c): Latin, then CJK fallbacks */
#define FONT                                                                                     \
	"font-family=\"'DejaVu Sans', Arial, Helvetica, 'Noto Sans CJK JP', 'Noto Sans JP', "       \
	"IPAexGothic, IPAGothic, 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', 'Yu Gothic', "      \
	"Meiryo, sans-serif\" font-size=\"13\""
#define TOP_BARS 20
#define MAX_POINTS 120
#define TICK_CHAR_PX 8.5 /* a 13 px digit is 7 to 8.3 px wide in the usual fonts */

/* Okabe-Ito, safe for colour-blind readers; grey for unclassified traffic. */
static const char *const palette[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
				       "#D55E00", "#8C6D31", "#000000" };
static const char *const conf_colour[RC_N] = { "#1b7837", "#7fbf7b", "#2166ac", "#92c5de",
					       "#762a83", "#c2a5cf", "#f4a582", "#d0d0d0", "#444444" };

/* The colour of a product: by its rank in the product order (same in every chart). */
static const char *prod_colour(const struct report *r, const char *app)
{
	if (!*app)
		return "#999999";
	size_t n, rank = 0;
	struct rprod **p = report_sorted_prods(r, &n);
	for (size_t i = 0; p && i < n; i++)
		if (strcmp(p[i]->app, app) == 0)
			rank = i;
	free(p);
	return palette[rank % (sizeof palette / sizeof palette[0])];
}

/* A "nice" step (1, 2, 2.5, 5 x 10^k) so that max/step gives about `ticks` intervals. */
static double nice_step(double max, int ticks)
{
	if (max <= 0)
		return 1;
	double raw = max / ticks, p = 1;
	while (p * 10 <= raw)
		p *= 10;
	while (p > raw)
		p /= 10;
	double f = raw / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/* ceil without libm, for the non-negative values of chart axes */
static double up(double x)
{
	double i = (double)(uint64_t)x;
	return i < x ? i + 1 : i;
}

/* Axis labels: at most three significant digits, no trailing zeros ("2.5 kB", "10 MB"). */
static void fmt_axis(double v, const char *const *unit, size_t nunit, char *buf, size_t len)
{
	size_t u = 0;
	while (v >= 999.5 && u + 1 < nunit) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.3g %s", v, unit[u]);
}

static void fmt_bytes_d(double b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	fmt_axis(b, unit, sizeof unit / sizeof unit[0], buf, len);
}

static void fmt_rate(double bps, char *buf, size_t len)
{
	static const char *const unit[] = { "bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s" };
	fmt_axis(bps, unit, sizeof unit / sizeof unit[0], buf, len);
}

static void text(struct rout *o, double x, double y, const char *anchor, const char *extra,
		 const char *s)
{
	rout_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
	rout_html(o, s);
	rout_puts(o, "</text>\n");
}

static void open_svg(struct rout *o, int h, const char *title, const char *desc)
{
	rout_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		       "height=\"%d\" role=\"img\" " FONT " fill=\"#222222\">\n<title>", W, h, W, h);
	rout_html(o, title);
	rout_puts(o, "</title>\n<desc>");
	rout_html(o, desc);
	rout_puts(o, "</desc>\n");
}

/* ---- figure 1: IP bytes per product/service, horizontal bars split by direction ---- */

void report_svg_bytes(const struct report *r, struct rout *o)
{
	size_t n;
	struct rsvc **s = report_sorted_svcs(r, &n);
	if (!s)
		return;
	/* by bytes across products */
	struct rsvc *rows[TOP_BARS + 1];
	size_t nrows = 0;
	bool *used = calloc(n ? n : 1, sizeof *used);
	for (size_t k = 0; used && k < TOP_BARS && k < n; k++) {
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (!used[i] && (best == n || s[i]->ip[0] + s[i]->ip[1] >
						       s[best]->ip[0] + s[best]->ip[1]))
				best = i;
		used[best] = true;
		rows[nrows++] = s[best];
	}
	uint64_t rest[2] = { 0, 0 };
	size_t nrest = 0;
	for (size_t i = 0; used && i < n; i++)
		if (!used[i]) {
			rest[0] += s[i]->ip[0];
			rest[1] += s[i]->ip[1];
			nrest++;
		}
	free(used);
	double max = 1;
	for (size_t i = 0; i < nrows; i++)
		if ((double)(rows[i]->ip[0] + rows[i]->ip[1]) > max)
			max = (double)(rows[i]->ip[0] + rows[i]->ip[1]);
	if ((double)(rest[0] + rest[1]) > max)
		max = (double)(rest[0] + rest[1]);
	size_t nbars = nrows + (nrest ? 1 : 0);
	const double lx = 300, rx = W - 110, row_h = 24, top = 40;
	int h = (int)(top + row_h * (double)(nbars ? nbars : 1) + 70);
	open_svg(o, h, "IP bytes per product and service",
		 "Horizontal bars: IP bytes of each product/service, originator to responder "
		 "(solid) and responder to originator (light).");
	double step = nice_step(max, 5), axis_max = up(max / step) * step;
	double scale = (rx - lx) / axis_max;
	double y0 = top, y1 = top + row_h * (double)(nbars ? nbars : 1);
	char buf[64];
	for (double v = 0; v <= axis_max + step / 2; v += step) {
		double x = lx + v * scale;
		rout_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			       "stroke=\"#dddddd\"/>\n", x, y0 - 4, x, y1);
		fmt_bytes_d(v, buf, sizeof buf);
		text(o, x, y1 + 18, "middle", "", buf);
	}
	text(o, (lx + rx) / 2, y1 + 42, "middle", " font-weight=\"bold\"",
	     "IP bytes (both directions, stacked)");
	/* legend */
	rout_printf(o, "<rect x=\"%.1f\" y=\"12\" width=\"14\" height=\"12\" fill=\"#555555\"/>\n", lx);
	text(o, lx + 20, 23, "start", "", "originator to responder (c->s)");
	rout_printf(o, "<rect x=\"%.1f\" y=\"12\" width=\"14\" height=\"12\" fill=\"#555555\" "
		       "fill-opacity=\"0.4\"/>\n", lx + 250);
	text(o, lx + 270, 23, "start", "", "responder to originator (s->c)");
	for (size_t i = 0; i < nbars; i++) {
		double y = top + row_h * (double)i;
		const char *colour = "#999999";
		uint64_t b0, b1;
		char label[160];
		if (i < nrows) {
			b0 = rows[i]->ip[0];
			b1 = rows[i]->ip[1];
			colour = prod_colour(r, rows[i]->app);
			if (*rows[i]->app)
				snprintf(label, sizeof label, "%s/%s", rows[i]->app, rows[i]->service);
			else
				snprintf(label, sizeof label, "(unclassified)");
		} else {
			b0 = rest[0];
			b1 = rest[1];
			snprintf(label, sizeof label, "(%zu other services)", nrest);
		}
		if (strlen(label) > 44)
			memcpy(label + 41, "...", 4);
		text(o, lx - 8, y + 16, "end", "", label);
		double w0 = (double)b0 * scale, w1 = (double)b1 * scale;
		rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>\n",
			    lx, y + 4, w0, colour);
		rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\" "
			       "fill-opacity=\"0.4\"/>\n", lx + w0, y + 4, w1, colour);
		report_fmt_bytes(b0 + b1, buf, sizeof buf);
		text(o, lx + w0 + w1 + 6, y + 16, "start", "", buf);
	}
	rout_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222222\"/>\n",
		    lx, y0 - 4, lx, y1);
	rout_puts(o, "</svg>\n");
	free(s);
}

/* ---- figure 2: throughput over time per product, stacked step areas ---- */

void report_svg_timeline(const struct report *r, struct rout *o)
{
	size_t np;
	struct rprod **p = report_sorted_prods(r, &np);
	if (!p)
		return;
	const double lx = 110, rx = W - 20, top = 20, bottom = 300;
	int h = 380 + (int)((np + 3) / 4) * 22;
	open_svg(o, h, "Traffic over time per product",
		 "Stacked areas: throughput (IP bytes as bit/s) of each product over time, UTC.");
	if (!r->flows || !r->bin_width) {
		text(o, W / 2.0, 150, "middle", "", "no flow records");
		rout_puts(o, "</svg>\n");
		free(p);
		return;
	}
	uint64_t w = r->bin_width, org = r->bin_origin;
	size_t i0 = (size_t)((r->ts_min - org) / w), i1 = (size_t)((r->ts_max - org) / w);
	if (i1 >= REPORT_SERIES_BINS)
		i1 = REPORT_SERIES_BINS - 1;
	size_t nb = i1 - i0 + 1, k = (nb + MAX_POINTS - 1) / MAX_POINTS, npts = (nb + k - 1) / k;
	double dw_s = (double)(w * k) / 1e6;
	double t_start = (double)(org + i0 * w) / 1e6, t_end = t_start + dw_s * (double)npts;
	/* stacked rates: cum[j][pt] */
	double *cum = calloc((np + 1) * npts, sizeof *cum);
	if (!cum) {
		rout_puts(o, "</svg>\n");
		free(p);
		return;
	}
	double max = 0;
	for (size_t j = 0; j < np; j++)
		for (size_t q = 0; q < npts; q++) {
			double b = 0;
			for (size_t i = i0 + q * k; i < i0 + (q + 1) * k && i <= i1; i++)
				b += p[j]->bins[i];
			cum[(j + 1) * npts + q] = cum[j * npts + q] + b * 8 / dw_s;
			if (cum[(j + 1) * npts + q] > max)
				max = cum[(j + 1) * npts + q];
		}
	double ystep = nice_step(max, 5), ymax = up(max / ystep) * ystep;
	if (ymax <= 0)
		ymax = ystep;
	double xs = (rx - lx) / (t_end - t_start), ys = (bottom - top) / ymax;
	char buf[64];
	/* y grid and labels */
	for (double v = 0; v <= ymax + ystep / 2; v += ystep) {
		double y = bottom - v * ys;
		rout_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			       "stroke=\"#dddddd\"/>\n", lx, y, rx, y);
		fmt_rate(v, buf, sizeof buf);
		text(o, lx - 8, y + 4, "end", "", buf);
	}
	/* areas, bottom product first */
	for (size_t j = 0; j < np; j++) {
		rout_printf(o, "<path fill=\"%s\" fill-opacity=\"0.85\" stroke=\"%s\" d=\"",
			    prod_colour(r, p[j]->app), prod_colour(r, p[j]->app));
		for (size_t q = 0; q < npts; q++) {
			double xa = lx + (double)q * dw_s * xs, xb = xa + dw_s * xs;
			double y = bottom - cum[(j + 1) * npts + q] * ys;
			rout_printf(o, "%s%.1f %.1f L%.1f %.1f ", q ? "L" : "M", xa, y, xb, y);
		}
		for (size_t q = npts; q-- > 0;) {
			double xb = lx + (double)(q + 1) * dw_s * xs, xa = xb - dw_s * xs;
			double y = bottom - cum[j * npts + q] * ys;
			rout_printf(o, "L%.1f %.1f L%.1f %.1f ", xb, y, xa, y);
		}
		rout_puts(o, "Z\"><title>");
		rout_html(o, *p[j]->app ? p[j]->app : "(unclassified)");
		rout_puts(o, "</title></path>\n");
	}
	/* x axis: ticks at round UTC times, the unit from the span, labels that fit */
	struct raxis_tick ticks[RAXIS_MAX_TICKS];
	const char *unit;
	uint64_t us0 = org + i0 * w, us1 = UINT64_MAX; /* the drawn domain, saturated */
	if (w * k <= (UINT64_MAX - us0) / npts)
		us1 = us0 + w * k * npts;
	size_t nt = report_axis_ticks(us0, us1, rx - lx, TICK_CHAR_PX, ticks, 10, &unit);
	for (size_t q = 0; q < nt; q++) {
		double x = lx + ((double)(ticks[q].us - us0) / 1e6) * xs;
		double half = (double)strlen(ticks[q].label) * TICK_CHAR_PX / 2;
		const char *anchor = x + half > W - 4 ? "end" : x - half < 4 ? "start" : "middle";
		rout_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			       "stroke=\"#222222\"/>\n", x, bottom, x, bottom + 5);
		text(o, x, bottom + 20, anchor, " class=\"tick-x\"", ticks[q].label);
	}
	time_t ts0 = (time_t)(r->ts_min / 1000000), ts1 = (time_t)(r->ts_max / 1000000);
	struct tm a, b;
	gmtime_r(&ts0, &a);
	gmtime_r(&ts1, &b);
	bool multi_day = a.tm_yday != b.tm_yday || a.tm_year != b.tm_year;
	rout_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222222\"/>\n"
		       "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222222\"/>\n",
		    lx, bottom, rx, bottom, lx, top, lx, bottom);
	char d0[32], d1[32], axis[256];
	strftime(d0, sizeof d0, "%Y-%m-%d", &a);
	strftime(d1, sizeof d1, "%Y-%m-%d", &b);
	char bin[64];
	report_fmt_span(w * k, bin, sizeof bin);
	snprintf(axis, sizeof axis, "Time (UTC), %s%s%s; ticks in %s; one step = %s", d0,
		 multi_day ? " to " : "", multi_day ? d1 : "", unit, bin);
	text(o, (lx + rx) / 2, bottom + 44, "middle", " font-weight=\"bold\"", axis);
	rout_printf(o, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\" "
		       "transform=\"rotate(-90 18 %.1f)\">Throughput (bit/s, stacked)</text>\n",
		    (top + bottom) / 2, (top + bottom) / 2);
	/* legend, four per row */
	for (size_t j = 0; j < np; j++) {
		double x = lx + (double)(j % 4) * 210, y = bottom + 62 + (double)(j / 4) * 22;
		rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%s\"/>\n",
			    x, y, prod_colour(r, p[j]->app));
		text(o, x + 20, y + 11, "start", "", *p[j]->app ? p[j]->app : "(unclassified)");
	}
	rout_puts(o, "</svg>\n");
	free(cum);
	free(p);
}

/* ---- figure 3: confidence mix per product, 100 % stacked bars ---- */

void report_svg_confidence(const struct report *r, struct rout *o)
{
	size_t np;
	struct rprod **p = report_sorted_prods(r, &np);
	if (!p)
		return;
	const double lx = 300, rx = W - 30, top = 56, row_h = 28;
	int h = (int)(top + row_h * (double)(np ? np : 1) + 60);
	open_svg(o, h, "Confidence mix per product",
		 "100% stacked bars: the share of each product's flows by how the label was reached.");
	/* legend */
	double lxp = 20;
	for (int c = 0; c < RC_N; c++) {
		if (c == RC_OTHER)
			continue;
		rout_printf(o, "<rect x=\"%.1f\" y=\"12\" width=\"14\" height=\"12\" fill=\"%s\"/>\n",
			    lxp, conf_colour[c]);
		text(o, lxp + 19, 23, "start", "", report_conf_names[c]);
		lxp += 40 + 8.0 * (double)strlen(report_conf_names[c]);
	}
	double y1 = top + row_h * (double)(np ? np : 1);
	char buf[64];
	for (int v = 0; v <= 100; v += 20) {
		double x = lx + (rx - lx) * v / 100.0;
		rout_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			       "stroke=\"#dddddd\"/>\n", x, top - 4, x, y1);
		snprintf(buf, sizeof buf, "%d %%", v);
		text(o, x, y1 + 18, "middle", "", buf);
	}
	text(o, (lx + rx) / 2, y1 + 42, "middle", " font-weight=\"bold\"",
	     "Share of the product's flows (labels: flow counts)");
	for (size_t j = 0; j < np; j++) {
		double y = top + row_h * (double)j, x = lx;
		char label[160];
		snprintf(label, sizeof label, "%s (%llu flow%s)", *p[j]->app ? p[j]->app : "(unclassified)",
			 (unsigned long long)p[j]->flows, p[j]->flows == 1 ? "" : "s");
		text(o, lx - 8, y + 18, "end", "", label);
		for (int c = 0; c < RC_N && p[j]->flows; c++) {
			if (!p[j]->conf[c])
				continue;
			double wdt = (rx - lx) * (double)p[j]->conf[c] / (double)p[j]->flows;
			rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"20\" "
				       "fill=\"%s\"><title>%s: %llu</title></rect>\n", x, y + 4, wdt,
				    conf_colour[c], report_conf_names[c],
				    (unsigned long long)p[j]->conf[c]);
			snprintf(buf, sizeof buf, "%llu", (unsigned long long)p[j]->conf[c]);
			if (wdt > 8.0 * (double)strlen(buf) + 6)
				text(o, x + wdt / 2, y + 18, "middle",
				     c == RC_SUBNET_PORT || c == RC_SITE_PORT || c == RC_PAYLOAD ||
						     c == RC_OTHER
					     ? " fill=\"#ffffff\""
					     : "",
				     buf);
			x += wdt;
		}
	}
	rout_puts(o, "</svg>\n");
	free(p);
}
