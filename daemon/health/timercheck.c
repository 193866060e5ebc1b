// SPDX-License-Identifier: GPL-2.0-or-later
/* Timer sanity from the health tick (timercheck.h). */
#include <string.h>

#include "daemon/health/timercheck.h"

void timercheck_init(struct timercheck *t, const struct timercheck_conf *c)
{
	memset(t, 0, sizeof(*t));
	t->conf = *c;
}

enum timercheck_finding timercheck_tick(struct timercheck *t, int64_t due_mono_ns,
					int64_t now_mono_ns, int64_t now_raw_ns,
					uint64_t iterations, bool sharp)
{
	int64_t tol = sharp ? t->conf.tolerance_ns / 10 : t->conf.tolerance_ns;
	int64_t dt = now_raw_ns - t->last_raw_ns;
	bool primed = t->primed, rate = primed && dt >= TIMERCHECK_MIN_WINDOW_NS;

	t->late_ns = now_mono_ns - due_mono_ns;
	/* a rate over a window too short to mean anything (two overdue
	 * ticks back to back) waits for the next tick */
	if (rate)
		t->wakeups_hz = (double)(iterations - t->last_iter) * 1e9 / (double)dt;
	if (rate || !primed) {
		t->last_raw_ns = now_raw_ns;
		t->last_iter = iterations;
	}
	t->primed = true;
	if (!primed)
		return TIMERCHECK_OK;
	if (t->late_ns > t->max_late_ns)
		t->max_late_ns = t->late_ns;
	if (t->wakeups_hz > t->max_wakeups_hz)
		t->max_wakeups_hz = t->wakeups_hz;
	if (rate && t->wakeups_hz > t->conf.spin_limit_hz)
		return TIMERCHECK_SPIN;
	if (t->late_ns > tol)
		return TIMERCHECK_LATE;
	return TIMERCHECK_OK;
}

int64_t timercheck_rt_early(int64_t target_rt_ns, int64_t now_rt_ns)
{
	return target_rt_ns - now_rt_ns;
}

const char *timercheck_finding_name(enum timercheck_finding f)
{
	switch (f) {
	case TIMERCHECK_OK: return "ok";
	case TIMERCHECK_LATE: return "late";
	case TIMERCHECK_SPIN: return "spin";
	}
	return "?";
}
