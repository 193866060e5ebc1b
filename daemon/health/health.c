// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The clock-health checks on the loop (health.h): alarms, the periodic cpu
 * and clocksource checks, the timer tick and the REALTIME probe around a
 * leap.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon/health/health_priv.h"
#include "daemon/log.h"
#include "phc/systime.h"

static const char *const names[HEALTH_CHECK_COUNT] = {
	[HEALTH_CPU] = "cpu", [HEALTH_TIMER] = "timer",
	[HEALTH_RT_TIMER] = "realtime_timer", [HEALTH_CLOCKSOURCE] = "clocksource",
};

const char *health_check_name(enum health_check c)
{
	return c < HEALTH_CHECK_COUNT ? names[c] : "?";
}

bool health_degraded(const struct health_status *st)
{
	for (int c = 0; c < HEALTH_CHECK_COUNT; c++)
		if (st->alarm[c])
			return true;
	return false;
}

void health_alarm(struct health *h, enum health_check c, const char *why)
{
	struct health_status *st = &h->st;
	int64_t utc = systime_realtime_ns();

	if (why) {
		bool news = !st->alarm[c] || strcmp(st->why[c], why);

		if (!st->alarm[c])
			st->alarms_total[c]++;
		if (news && !st->alarm[c]) {
			pr_warn("health: %s alarm: %s", names[c], why);
			if (h->env.audit) {
				const struct audit_kv kv[] = {
					AKV_STR("check", names[c]), AKV_STR("reason", why),
				};

				audit_write(h->env.audit, utc, "CLOCK_REALTIME", AUDIT_HEALTH_ALARM,
					    kv, 2);
			}
		}
		st->alarm[c] = true;
		snprintf(st->why[c], sizeof(st->why[c]), "%s", why);
		return;
	}
	if (!st->alarm[c])
		return;
	pr_notice("health: %s alarm cleared (was: %s)", names[c], st->why[c]);
	if (h->env.audit) {
		const struct audit_kv kv[] = { AKV_STR("check", names[c]) };

		audit_write(h->env.audit, utc, "CLOCK_REALTIME", AUDIT_HEALTH_CLEAR, kv, 1);
	}
	st->alarm[c] = false;
	st->why[c][0] = '\0';
}

/* Within HEALTH_SHARP_WINDOW_S of a leap (before or after), or after a step. */
static bool near_leap(const struct health *h, int64_t utc_s)
{
	int64_t leap;
	int delta;

	if (h->env.leaps &&
	    leaptable_next_leap(h->env.leaps, utc_s - HEALTH_SHARP_WINDOW_S, &leap, &delta) == 0)
		return llabs(leap - utc_s) <= HEALTH_SHARP_WINDOW_S;
	return false;
}

static int64_t cpu_tick(struct loop *l, long id, void *arg)
{
	struct health *h = arg;

	(void)l; (void)id;
	health_check_cpus(h);
	health_check_clocksource(h, false);
	if (h->conf.cpu_interval_s <= 0) {
		h->cpu_timer = 0;
		return 0;
	}
	return (int64_t)(h->conf.cpu_interval_s * NS_PER_SEC);
}

static void rt_disarm(struct health *h)
{
	if (h->rt_fd < 0)
		return;
	loop_del_fd(h->env.loop, h->rt_fd);
	close(h->rt_fd);
	h->rt_fd = -1;
}

static void rt_fired(struct loop *l, int fd, short revents, void *arg)
{
	struct health *h = arg;
	int64_t early = timercheck_rt_early(h->rt_target_ns, systime_realtime_ns());
	uint64_t n;
	char why[160];

	(void)l; (void)revents;
	if (read(fd, &n, sizeof(n)) < 0 && errno == EAGAIN)
		return;
	h->st.rt_probed = true;
	h->st.rt_early_ns = early;
	if (early > h->conf.timer_tolerance_ns) {
		snprintf(why, sizeof(why), "a CLOCK_REALTIME absolute timer armed for 0.5 s after "
			 "the leap fired %.3f s early (the 2012 leap-second hrtimer bug)",
			 (double)early / NS_PER_SEC);
		health_alarm(h, HEALTH_RT_TIMER, why);
	} else {
		pr_info("health: CLOCK_REALTIME timer across the leap fired on time (%+.6f s)",
			(double)-early / NS_PER_SEC);
		health_alarm(h, HEALTH_RT_TIMER, NULL);
	}
	rt_disarm(h);
}

/* Arm the REALTIME probe HEALTH_RT_ARM_S before the next leap. */
static void rt_maybe_arm(struct health *h, int64_t utc_s)
{
	struct itimerspec it = { { 0, 0 }, { 0, 0 } };
	int64_t leap;
	int delta, fd;

	if (h->rt_fd >= 0 || !h->env.leaps ||
	    leaptable_next_leap(h->env.leaps, utc_s, &leap, &delta) != 0 ||
	    leap - utc_s > HEALTH_RT_ARM_S || leap == h->rt_leap_s)
		return;
	h->rt_leap_s = leap;
	/* the first second of the new day, + 0.5 s: after 23:59:60 (or the
	 * skipped 23:59:59) on a kernel that applies the leap */
	h->rt_target_ns = leap * NS_PER_SEC + HEALTH_RT_AFTER_NS;
	it.it_value.tv_sec = h->rt_target_ns / NS_PER_SEC;
	it.it_value.tv_nsec = h->rt_target_ns % NS_PER_SEC;
	if ((fd = timerfd_create(CLOCK_REALTIME, 0)) < 0)
		return;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) || fcntl(fd, F_SETFL, O_NONBLOCK) ||
	    timerfd_settime(fd, TFD_TIMER_ABSTIME, &it, NULL) ||
	    loop_add_fd(h->env.loop, fd, POLLIN, rt_fired, h) < 0) {
		close(fd);
		return;
	}
	h->rt_fd = fd;
	pr_info("health: CLOCK_REALTIME absolute timer armed for 0.5 s after the leap");
}

static void timer_judge(struct health *h, enum timercheck_finding f)
{
	char why[160];

	if (f == TIMERCHECK_OK) {
		if (++h->good_ticks >= HEALTH_CLEAR_AFTER)
			health_alarm(h, HEALTH_TIMER, NULL);
		return;
	}
	h->good_ticks = 0;
	if (f == TIMERCHECK_SPIN)
		snprintf(why, sizeof(why), "the loop woke %.0f times a second (limit %.0f): "
			 "waits end early and it spins", h->tc.wakeups_hz, h->conf.spin_limit_hz);
	else
		snprintf(why, sizeof(why), "a wait ended %.3f ms late (tolerance %.3f ms%s)",
			 (double)h->tc.late_ns / 1e6,
			 (double)h->conf.timer_tolerance_ns / (h->st.sharp ? 1e7 : 1e6),
			 h->st.sharp ? ", sharpened near a leap or a step" : "");
	health_alarm(h, HEALTH_TIMER, why);
}

/* After a step of any disciplined clock, or once a leap has passed, check
 * the CPUs again and sharpen the timer check (health_kick()). A jump of
 * the system clock's frequency that no slew explains may be a clocksource
 * change: read it again now rather than at the next interval. */
static void kick_on_news(struct health *h, int64_t utc_s)
{
	uint64_t steps = 0;
	int64_t leap;
	int delta;

	for (int i = 0; i < h->env.discs.n; i++) {
		struct discipline_status ds;

		if (!h->env.discs.d[i])
			continue;
		discipline_get_status(h->env.discs.d[i], &ds);
		steps += ds.steps;
		if (ds.kind != CLOCK_KIND_SYSTEM)
			continue;
		if (ds.slewing || ds.state != DISC_LOCKED)
			continue;
		/* the frequency it settled at since the last look */
		if (h->sys_freq_known && fabs(ds.freq_ppb - h->sys_freq_ppb) > HEALTH_FREQ_JUMP_PPB)
			health_check_clocksource(h, false);
		else if (h->sys_freq_known)
			continue;
		h->sys_freq_ppb = ds.freq_ppb;
		h->sys_freq_known = true;
	}
	if (steps != h->last_steps) {
		h->last_steps = steps;
		health_kick(h);
	}
	if (h->env.leaps && leaptable_next_leap(h->env.leaps, utc_s - 60, &leap, &delta) == 0 &&
	    leap <= utc_s && leap != h->leap_checked_s) {
		h->leap_checked_s = leap;
		health_kick(h);
	}
}

static int64_t timer_tick(struct loop *l, long id, void *arg)
{
	struct health *h = arg;
	int64_t raw = systime_raw_ns(), utc_s = systime_realtime_ns() / NS_PER_SEC, next;

	(void)id;
	h->st.sharp = near_leap(h, utc_s) || raw < h->sharp_until_raw;
	timer_judge(h, timercheck_tick(&h->tc, h->tick_due_ns, loop_now(l), raw,
				       loop_iterations(l), h->st.sharp));
	h->st.max_late_ns = h->tc.max_late_ns;
	h->st.wakeups_hz = h->tc.wakeups_hz;
	h->st.max_wakeups_hz = h->tc.max_wakeups_hz;
	rt_maybe_arm(h, utc_s);
	kick_on_news(h, utc_s);
	next = h->st.sharp ? HEALTH_SHARP_TICK_NS : HEALTH_TICK_NS;
	h->tick_due_ns += next;
	if (h->tick_due_ns <= loop_now(l))	/* the loop re-arms from now then */
		h->tick_due_ns = loop_now(l) + next;
	return next;
}

struct health *health_create(const struct health_env *env, const struct health_conf *c)
{
	struct health *h = calloc(1, sizeof(*h));
	struct timercheck_conf tcc = {
		.tolerance_ns = c->timer_tolerance_ns, .spin_limit_hz = c->spin_limit_hz,
	};

	if (!h)
		return NULL;
	h->env = *env;
	h->conf = *c;
	h->rt_fd = -1;
	timercheck_init(&h->tc, &tcc);
	health_check_clocksource(h, true);
	h->tick_due_ns = loop_now(env->loop) + HEALTH_TICK_NS;
	h->cpu_timer = loop_add_timer(env->loop, 0, cpu_tick, h);
	h->tick_timer = loop_add_timer(env->loop, HEALTH_TICK_NS, timer_tick, h);
	if (h->cpu_timer < 0 || h->tick_timer < 0) {
		health_destroy(h);
		return NULL;
	}
	return h;
}

void health_destroy(struct health *h)
{
	if (!h)
		return;
	if (h->cpu_timer > 0)
		loop_del_timer(h->env.loop, h->cpu_timer);
	if (h->tick_timer > 0)
		loop_del_timer(h->env.loop, h->tick_timer);
	rt_disarm(h);
	free(h);
}

void health_kick(struct health *h)
{
	if (!h)
		return;
	h->sharp_until_raw = systime_raw_ns() + (int64_t)HEALTH_SHARP_WINDOW_S * NS_PER_SEC;
	health_check_cpus(h);
}

void health_get_status(const struct health *h, struct health_status *st)
{
	*st = h->st;
}
