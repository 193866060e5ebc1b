// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated system clock. As in the kernel, one clocksource drives
 * everything: CLOCK_MONOTONIC_RAW runs at its natural rate;
 * CLOCK_MONOTONIC runs at the natural rate times the NTP rate (tick and
 * frequency); CLOCK_REALTIME is CLOCK_MONOTONIC plus an offset that steps
 * (settime, ADJ_SETOFFSET, leap seconds) change; CLOCK_TAI adds the
 * kernel's TAI offset. The leap state machine runs at each second boundary
 * of CLOCK_REALTIME, exactly where the kernel's second_overflow() does.
 */
#include <errno.h>
#include <math.h>

#include "tests/sim/simlog.h"
#include "tests/sim/world.h"

static double mono_rate(const struct simsys *s)
{
	return (1.0 + s->e) * (1.0 + kntp_rate(&s->k)) - 1.0;
}

static int64_t realtime_now(const struct world *w)
{
	return lclock_read(&w->sys.mono, w->t, 0.0) + w->sys.wall_off;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b && (a < 0) != (b < 0)) ? q - 1 : q;
}

void sys_init(struct world *w)
{
	const struct sc_clock *c = &w->sc.clocks[SC_SYS];
	struct simsys *s = &w->sys;
	int64_t ideal = world_ideal(w, SC_SYS);

	s->e = c->freq_ppm * 1e-6;
	kntp_init(&s->k);
	s->k.tick = c->tick_us;
	s->k.freq = c->freq_scaled;
	s->k.tai = w->sc.kernel_tai_s;
	if (!w->sc.kernel_unsync)
		s->k.status &= ~STA_UNSYNC;
	lclock_init(&s->raw, w->t, w->sc.uptime_ns, s->e);
	lclock_init(&s->mono, w->t, w->sc.uptime_ns, mono_rate(s));
	s->wall_off = ideal + llround(c->offset_ns) - w->sc.uptime_ns;
	s->sec = floor_div(realtime_now(w), NS_PER_S);
}

double sys_offset(const struct world *w)
{
	return lclock_diff(&w->sys.mono, w->t, world_ideal(w, SC_SYS) - w->sys.wall_off);
}

int64_t sys_value(const struct world *w, clockid_t clk, double extra_ns)
{
	const struct simsys *s = &w->sys;

	switch (clk) {
	case CLOCK_MONOTONIC_RAW:
		return lclock_read(&s->raw, w->t, extra_ns);
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		return lclock_read(&s->mono, w->t, extra_ns);
	case CLOCK_TAI:
		return lclock_read(&s->mono, w->t, extra_ns) + s->wall_off +
		       (int64_t)s->k.tai * NS_PER_S;
	default:	/* CLOCK_REALTIME and its _COARSE/_ALARM variants */
		return lclock_read(&s->mono, w->t, extra_ns) + s->wall_off;
	}
}

static void ns_to_ts(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = floor_div(ns, NS_PER_S);
	ts->tv_nsec = ns - ts->tv_sec * NS_PER_S;
}

int sys_gettime(struct world *w, clockid_t clk, struct timespec *ts)
{
	bool wall = clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE ||
		    clk == CLOCK_REALTIME_ALARM || clk == CLOCK_TAI;

	/* A CPU whose clocks disagree shifts every read made on it. */
	ns_to_ts(sys_value(w, clk, (wall ? world_noise(w, SC_SYS) : 0.0) +
			   (double)health_cpu_offset(w)), ts);
	w->cnt[SC_SYS].reads++;
	world_advance(w, llround(w->sc.clocks[SC_SYS].read_delay_ns));
	return 0;
}

/* The NTP rate or the natural rate changed: re-anchor MONOTONIC. */
static void rate_changed(struct world *w)
{
	lclock_set_rate(&w->sys.mono, w->t, mono_rate(&w->sys));
}

/* timespec64_valid_settod(): KTIME_SEC_MAX less 30 years of uptime */
#define SETTOD_SEC_MAX	(9223372036LL - 30LL * 365 * 86400)

static void step_realtime(struct world *w, int64_t delta)
{
	w->sys.wall_off += delta;
	/* A step does not run second_overflow() for the seconds it skips. */
	w->sys.sec = floor_div(realtime_now(w), NS_PER_S);
}

/*
 * A step of CLOCK_REALTIME by delta ns, as timekeeping_inject_offset()
 * (ADJ_SETOFFSET) and do_settimeofday64() (clock_settime, settimeofday) do
 * it: -EINVAL, nothing changed, if CLOCK_REALTIME would end before
 * CLOCK_MONOTONIC (wall_to_monotonic > 0: a boot time before 1970) or
 * outside timespec64_valid_settod(); else the step, then ntp_clear()
 * (TK_UPDATE_ALL includes TK_CLEAR_NTP), even for a step of 0. Kernels
 * before 6.13 ran ntp_clear() on that -EINVAL too; 6.13's shadow
 * timekeeper restores the state instead, as here.
 */
static int program_step(struct world *w, int64_t delta)
{
	int64_t after, wall_off;

	if (__builtin_add_overflow(realtime_now(w), delta, &after) ||
	    __builtin_add_overflow(w->sys.wall_off, delta, &wall_off) ||
	    wall_off < 0 || after < 0 || floor_div(after, NS_PER_S) >= SETTOD_SEC_MAX)
		return -EINVAL;
	step_realtime(w, delta);
	kntp_clear(&w->sys.k);
	world_count_step(w, SC_SYS, delta);
	return 0;
}

int sys_adjtimex(struct world *w, struct timex *tx)
{
	struct simsys *s = &w->sys;
	double before = sys_offset(w);
	const char *what;
	int r = kntp_validate(tx);

	if (r)
		return r;
	if ((what = kntp_unsupported(&s->k, tx))) {
		sim_unsupported("adjtimex: %s (modes 0x%x)", what, tx->modes);
		return -EPERM;
	}
	/* do_adjtimex(): the step (and its ntp_clear()) before the other modes */
	if ((tx->modes & ADJ_SETOFFSET) && (r = program_step(w, kntp_setoffset_ns(tx))))
		return r;
	kntp_apply(&s->k, tx);
	if (tx->modes & (ADJ_TICK | ADJ_FREQUENCY)) {
		rate_changed(w);
		w->cnt[SC_SYS].freq_sets++;
	}
	if (tx->modes & ADJ_STATUS)
		w->cnt[SC_SYS].status_sets++;
	if (tx->modes & (ADJ_SETOFFSET | ADJ_TICK | ADJ_FREQUENCY))
		world_changed(w, SC_SYS, before);
	return kntp_fill(&s->k, tx, realtime_now(w));
}

int sys_settime(struct world *w, const struct timespec *ts)
{
	double before = sys_offset(w);
	int r;

	/* do_sys_settimeofday64(): timespec64_valid_settod() first */
	if (ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_S || ts->tv_sec < 0 ||
	    ts->tv_sec >= SETTOD_SEC_MAX)
		return -EINVAL;
	r = program_step(w, (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec - realtime_now(w));
	if (!r)
		world_changed(w, SC_SYS, before);
	return r;
}

int64_t sys_when(const struct world *w, clockid_t clk, int64_t value)
{
	const struct simsys *s = &w->sys;

	switch (clk) {
	case CLOCK_MONOTONIC_RAW:
		return lclock_when(&s->raw, w->t, value);
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		return lclock_when(&s->mono, w->t, value);
	case CLOCK_TAI:
		value -= (int64_t)s->k.tai * NS_PER_S;
		/* fall through */
	default:
		return lclock_when(&s->mono, w->t, value - s->wall_off);
	}
}

int64_t sys_next_second(const struct world *w)
{
	return lclock_when(&w->sys.mono, w->t, (w->sys.sec + 1) * NS_PER_S - w->sys.wall_off);
}

void sys_tick(struct world *w)
{
	struct simsys *s = &w->sys;

	while (floor_div(realtime_now(w), NS_PER_S) > s->sec) {
		double before = sys_offset(w);
		int leap = kntp_second_overflow(&s->k, ++s->sec);

		if (leap) {
			s->wall_off += leap * NS_PER_S;
			s->sec = floor_div(realtime_now(w), NS_PER_S);
			world_changed(w, SC_SYS, before);
			sim_log("kernel: %s leap second at CLOCK_REALTIME %lld",
				leap < 0 ? "inserted" : "deleted",
				(long long)(s->sec + (leap < 0 ? 1 : 0)));
		}
	}
}

void sys_set_natural(struct world *w, double e)
{
	double before = sys_offset(w);

	w->sys.e = e;
	lclock_set_rate(&w->sys.raw, w->t, e);
	rate_changed(w);
	world_changed(w, SC_SYS, before);
}

/*
 * Only the timekeeping core steps CLOCK_REALTIME on Linux: a jump that is
 * not the program's is another process's settimeofday(), with the same
 * ntp_clear(). It is not counted as the program's step, and the scenario
 * may take the clock where the kernel would refuse to.
 */
void sys_jump(struct world *w, int64_t delta_ns)
{
	double before = sys_offset(w);

	step_realtime(w, delta_ns);
	kntp_clear(&w->sys.k);
	world_changed(w, SC_SYS, before);
}

void sys_foreign_adjust(struct world *w, int modes, double ppm, long tick)
{
	struct timex tx = { .modes = modes };
	double before = sys_offset(w);

	/* another process's adjtimex(): the kernel's rules, not the program's counters */
	tx.freq = lround(ppm * 65536.0);
	tx.tick = tick;
	kntp_apply(&w->sys.k, &tx);
	rate_changed(w);
	world_changed(w, SC_SYS, before);
}
