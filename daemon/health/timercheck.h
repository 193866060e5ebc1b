/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file timercheck.h
 * Timer sanity, pure: gnomond's own periodic health tick says how late it
 * fired and how many loop iterations passed since the last one, and this
 * module says whether waits end on time. The 2012 leap second left
 * high-resolution timers a second ahead: waits ended at once, programs
 * re-armed them and spun every CPU. Such a spin shows here as far more
 * loop wake-ups than anything scheduled; a wait that ends late shows as
 * lateness. Around a leap second or a step the check is sharpened (a tenth
 * of the tolerance). A CLOCK_REALTIME absolute timer armed for just after a
 * leap is judged by timercheck_rt_early().
 */
#ifndef GNOMON_TIMERCHECK_H
#define GNOMON_TIMERCHECK_H

#include <stdbool.h>
#include <stdint.h>

/** Wake-up rates are taken over at least this long (CLOCK_MONOTONIC_RAW). */
#define TIMERCHECK_MIN_WINDOW_NS 50000000LL

struct timercheck_conf {
	int64_t tolerance_ns;	/**< a wait may end this late (sharpened: a tenth) */
	double spin_limit_hz;	/**< loop wake-ups per second above this are a spin */
};

enum timercheck_finding {
	TIMERCHECK_OK = 0,
	TIMERCHECK_LATE,	/**< the tick fired later than the tolerance allows */
	TIMERCHECK_SPIN,	/**< the loop woke far more often than scheduled */
};

struct timercheck {
	struct timercheck_conf conf;
	bool primed;
	int64_t last_raw_ns;
	uint64_t last_iter;
	/* last tick's figures */
	int64_t late_ns;	/**< how late the last tick fired */
	double wakeups_hz;	/**< loop iterations per second since the tick before */
	/* worst seen since start */
	int64_t max_late_ns;
	double max_wakeups_hz;
};

void timercheck_init(struct timercheck *t, const struct timercheck_conf *c);

/**
 * One health tick.
 * @param due_mono_ns  when it was due (CLOCK_MONOTONIC)
 * @param now_mono_ns  when it ran (CLOCK_MONOTONIC)
 * @param now_raw_ns   CLOCK_MONOTONIC_RAW now (rates are taken on it)
 * @param iterations   the loop's iteration counter now
 * @param sharp        a leap second or a step is near: a tenth of the tolerance
 * @return what this tick shows (TIMERCHECK_OK for the first, which primes)
 */
enum timercheck_finding timercheck_tick(struct timercheck *t, int64_t due_mono_ns,
					int64_t now_mono_ns, int64_t now_raw_ns,
					uint64_t iterations, bool sharp);

/**
 * A CLOCK_REALTIME absolute timer armed for target fired when
 * CLOCK_REALTIME read now: how early it was, ns (> 0 early; <= 0 on time).
 */
int64_t timercheck_rt_early(int64_t target_rt_ns, int64_t now_rt_ns);

const char *timercheck_finding_name(enum timercheck_finding f);

#endif
