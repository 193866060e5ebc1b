// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cpu and clocksource checks (health.h): probe every CPU and judge the
 * readings; read the clocksource and act on a change.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/health/health_priv.h"
#include "daemon/log.h"
#include "phc/systime.h"

static void cpu_why(const struct cpucheck_result *r, char *why, size_t len)
{
	const struct cpucheck_cpu *w = &r->cpu[r->worst];

	snprintf(why, len, "CPU %d reads %+.6f s off the other CPUs%s", w->cpu,
		 (double)w->skew_ns / NS_PER_SEC,
		 r->backwards ? "; clocks went backwards across a migration" : "");
}

/* gnomond's own timekeeping must not run on a CPU whose clock is wrong:
 * while some (not all) CPUs disagree, it keeps to the others. */
static void keep_off_bad(struct health *h)
{
	int good[CPUPROBE_MAX_CPUS], n = 0, i;

	for (i = 0; i < h->res.n; i++)
		if (!h->res.cpu[i].bad)
			good[n++] = h->res.cpu[i].cpu;
	if (h->res.alarm && n > 0 && n < h->res.n) {
		if (cpuprobe_pin(good, n) == 0 && !h->pinned)
			pr_warn("health: gnomond keeps off the CPUs whose clocks disagree "
				"while they do");
		h->pinned = true;
	} else if (!h->res.alarm && h->pinned) {
		if (cpuprobe_pin(h->cpus, h->ncpus) == 0)
			pr_notice("health: gnomond may run on every CPU again");
		h->pinned = false;
	}
}

void health_check_cpus(struct health *h)
{
	struct health_status *st = &h->st;
	int64_t dur = 0;
	char why[160];
	int n, i;

	if (h->ncpus <= 0)
		h->ncpus = cpuprobe_allowed(h->cpus, CPUPROBE_MAX_CPUS);
	n = h->ncpus > 0 ? cpuprobe_run(h->cpus, h->ncpus, h->rd, &dur) : h->ncpus;

	if (n < 0) {
		pr_warn("health: cannot probe the CPUs' clocks: %s", strerror(-n));
		return;
	}
	cpucheck_judge(h->rd, n, h->conf.cpu_tolerance_ns, &h->res);
	st->cpu_checks++;
	st->cpus = h->res.n;
	st->cpu_check_us = dur / 1000;
	st->n_skew = h->res.n;
	for (i = 0; i < h->res.n; i++) {
		st->skew[i].cpu = h->res.cpu[i].cpu;
		st->skew[i].skew_ns = h->res.cpu[i].skew_ns;
	}
	pr_debug("health: %d CPUs probed in %" PRId64 " us, largest skew %" PRId64 " ns",
		 h->res.n, st->cpu_check_us, h->res.max_abs_skew_ns);
	if (!h->res.alarm) {
		health_alarm(h, HEALTH_CPU, NULL);
	} else {
		cpu_why(&h->res, why, sizeof(why));
		health_alarm(h, HEALTH_CPU, why);
	}
	keep_off_bad(h);
}

/* The system clock's rate changed under it: a recovery event, and its
 * servo re-learns the frequency instead of fighting the jump. */
static void tell_system_clock(struct health *h, const char *from, const char *to)
{
	char why[96];

	snprintf(why, sizeof(why), "clocksource %s -> %s", from, to);
	for (int i = 0; i < h->env.discs.n; i++) {
		struct discipline *d = h->env.discs.d[i];

		if (d && clock_kind(discipline_clock(d)) == CLOCK_KIND_SYSTEM)
			discipline_rate_changed(d, RECOVERY_CLOCKSOURCE, why);
	}
}

void health_check_clocksource(struct health *h, bool first)
{
	struct health_status *st = &h->st;
	char cur[CLOCKSOURCE_NAME_MAX], avail[CLOCKSOURCE_LIST_MAX], why[160];
	int r = clocksource_read(cur, sizeof(cur), avail, sizeof(avail));

	if (r < 0) {
		if (first)
			pr_info("health: no clocksource in sysfs (%s): not watched", strerror(-r));
		return;
	}
	if (!first && strcmp(cur, st->clocksource)) {
		st->clocksource_changes++;
		pr_warn("health: the kernel's clocksource changed from %s to %s: the system "
			"clock's frequency changes with it; re-learning it", st->clocksource, cur);
		if (h->env.audit) {
			const struct audit_kv kv[] = {
				AKV_STR("from", st->clocksource), AKV_STR("to", cur),
			};

			audit_write(h->env.audit, systime_realtime_ns(), "CLOCK_REALTIME",
				    AUDIT_CLOCKSOURCE, kv, 2);
		}
		tell_system_clock(h, st->clocksource, cur);
	}
	if (first || strcmp(cur, st->clocksource))
		pr_info("health: clocksource %s (available: %s)", cur, avail);
	snprintf(st->clocksource, sizeof(st->clocksource), "%s", cur);
	snprintf(st->available, sizeof(st->available), "%s", avail);
	if (clocksource_is_poor(cur)) {
		snprintf(why, sizeof(why), "clocksource %s keeps time poorly (available: %.80s)",
			 cur, avail);
		health_alarm(h, HEALTH_CLOCKSOURCE, why);
	} else {
		health_alarm(h, HEALTH_CLOCKSOURCE, NULL);
	}
}
