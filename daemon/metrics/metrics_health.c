// SPDX-License-Identifier: GPL-2.0-or-later
/* The clock-health checks as Prometheus samples (doc/metrics.md). */
#include <stdio.h>
#include <string.h>

#include "daemon/metrics/metrics_fill.h"

static int put(struct metrics *m, const char *name, const char *k, const char *v, double x)
{
	const char *kv[] = { k, v, NULL };

	return metrics_fill_sample(m, name, k ? kv : NULL, x);
}

static int fill_clocksources(struct metrics *m, const struct health_status *st)
{
	char list[CLOCKSOURCE_LIST_MAX], *save = NULL, *name;
	int r = 0;

	snprintf(list, sizeof(list), "%s", st->available);
	for (name = strtok_r(list, " ", &save); name && r >= 0; name = strtok_r(NULL, " ", &save))
		r = put(m, METRIC_CLOCKSOURCE, "name", name, !strcmp(name, st->clocksource));
	if (r >= 0 && st->clocksource[0] && !strstr(st->available, st->clocksource))
		r = put(m, METRIC_CLOCKSOURCE, "name", st->clocksource, 1);
	return r < 0 ? r : put(m, METRIC_CLOCKSOURCE_CHANGES, NULL, NULL,
			       (double)st->clocksource_changes);
}

int metrics_fill_health(struct metrics *m, const struct health_status *st)
{
	char cpu[16];
	int r = 0, c, i;

	for (c = 0; c < HEALTH_CHECK_COUNT && r >= 0; c++) {
		r = put(m, METRIC_HEALTH, "check", health_check_name(c), st->alarm[c] ? 0 : 1);
		if (r >= 0)
			r = put(m, METRIC_HEALTH_ALARMS, "check", health_check_name(c),
				(double)st->alarms_total[c]);
	}
	for (i = 0; i < st->n_skew && r >= 0; i++) {
		snprintf(cpu, sizeof(cpu), "%d", st->skew[i].cpu);
		r = put(m, METRIC_CPU_SKEW, "cpu", cpu, (double)st->skew[i].skew_ns / 1e9);
	}
	if (r >= 0 && st->cpu_checks)
		r = put(m, METRIC_CPU_CHECK_DURATION, NULL, NULL, (double)st->cpu_check_us / 1e6);
	if (r >= 0)
		r = put(m, METRIC_TIMER_MAX_LATE, NULL, NULL, (double)st->max_late_ns / 1e9);
	return r < 0 ? r : fill_clocksources(m, st);
}
