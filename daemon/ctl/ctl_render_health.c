// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomonctl's human view of the clock-health checks: one line in `status`,
 * and the whole of `health` (each check, the clocksource, the CPUs, the
 * timer, each CPU's skew from the last probe).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctl/ctl_render_priv.h"

static const char *const checks[] = { "cpu", "timer", "realtime_timer", "clocksource" };

/* "ok" or "DEGRADED: cpu: REASON; timer: REASON" */
static const char *summary(char *buf, size_t len, struct json_object *h)
{
	struct json_object *ck = cr_field(h, "checks");
	size_t n;

	if (cr_get_bool(h, "degraded") != 1)
		return "ok";
	n = (size_t)snprintf(buf, len, "DEGRADED");
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]) && n < len; i++) {
		struct json_object *c = cr_field(ck, checks[i]);

		if (cr_get_bool(c, "ok") == 0)
			n += (size_t)snprintf(buf + n, len - n, "%s %s: %s", n > 8 ? ";" : ":",
					      checks[i], cr_str(c, "reason"));
	}
	return buf;
}

void cr_render_health_line(FILE *out, struct json_object *h)
{
	char b[CELL_MAX * 2];

	if (h)
		cr_kv(out, 0, "Clock health", summary(b, sizeof(b), h));
}

static void render_skews(FILE *out, struct json_object *a)
{
	struct table t = { 0 };
	char b[2][CELL_MAX];
	size_t n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;

	if (!n)
		return;
	cr_table_col(&t, ">CPU");
	cr_table_col(&t, ">SKEW(s)");
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(a, i);
		const char *row[2];
		double v = 0;

		row[0] = cr_fmt_int(b[0], CELL_MAX, c, "cpu");
		cr_get_num(c, "skew_s", &v);
		snprintf(b[1], CELL_MAX, "%+.9f", v);
		row[1] = b[1];
		cr_table_row(&t, row);
	}
	fputc('\n', out);
	cr_table_print(out, &t, 0);
	cr_table_free(&t);
}

bool cr_render_health(FILE *out, struct json_object *data)
{
	struct json_object *h = cr_field(data, "health"), *ck = cr_field(h, "checks");
	char b[CELL_MAX * 2], c[CELL_MAX], e[CELL_MAX];
	double late = 0, hz = 0;

	if (!h)
		return false;
	cr_render_health_line(out, h);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		struct json_object *k = cr_field(ck, checks[i]);

		snprintf(b, sizeof(b), "%s (alarms %s)", cr_get_bool(k, "ok") == 0 ?
			 cr_str(k, "reason") : "ok", cr_fmt_int(c, sizeof(c), k, "alarms"));
		cr_kv(out, 2, checks[i], b);
	}
	snprintf(b, sizeof(b), "%s (available: %s; changes %s)", cr_str(h, "clocksource"),
		 cr_str(h, "clocksources_available"), cr_fmt_int(c, sizeof(c), h, "clocksource_changes"));
	cr_kv(out, 0, "Clocksource", b);
	snprintf(b, sizeof(b), "%s probed, %s checks", cr_fmt_int(c, sizeof(c), h, "cpus"),
		 cr_fmt_int(e, sizeof(e), h, "cpu_checks"));
	cr_kv(out, 0, "CPUs", b);
	cr_get_num(h, "timer_max_late_s", &late);
	cr_get_num(h, "loop_wakeups_hz", &hz);
	snprintf(b, sizeof(b), "latest fire %.6f s late at most, loop %.1f wake-ups/s%s", late, hz,
		 cr_get_bool(h, "sharpened") == 1 ? ", sharpened (near a leap or a step)" : "");
	cr_kv(out, 0, "Timer", b);
	render_skews(out, cr_field(h, "cpu_skew"));
	return true;
}
