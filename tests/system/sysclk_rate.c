/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysclk_rate: the one test that touches the real CLOCK_REALTIME.
 *
 * Through the phc layer it sets the system clock's rate to +1 % (1e7 ppb,
 * which needs the tick: ADJ_FREQUENCY alone stops at 500 ppm) for 0.5 s,
 * then to -1 % for 0.5 s, so the net effect on the time is zero, and
 * measures each half against CLOCK_MONOTONIC_RAW, which no adjustment
 * moves: rate = elapsed REALTIME / elapsed MONOTONIC_RAW - 1.
 * Expected: +10000 and -10000 ppm, each within 200 ppm.
 *
 * The saved tick and frequency are restored on every exit path. SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT are blocked while the clock is changed; one
 * that arrives meanwhile is delivered only after the restore.
 * Without root or CAP_SYS_TIME it skips (exit 0).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "phc/clock.h"
#include "phc/sysclk.h"

#define RATE_PPB 1e7			/* 1 % */
#define PHASE_NS 500000000L		/* 0.5 s per half */
#define TOLERANCE_PPM 200.0
#define SCALED_PPM_PER_PPB 65.536

struct stamp {
	int64_t rt_ns;		/* CLOCK_REALTIME, through the phc layer */
	int64_t raw_ns;		/* CLOCK_MONOTONIC_RAW around it, midpoint */
};

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int take_stamp(struct clock *c, struct stamp *s)
{
	struct timespec a, b;
	int r;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	r = clock_gettime_ns(c, &s->rt_ns);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	s->raw_ns = ts_ns(&a) + (ts_ns(&b) - ts_ns(&a)) / 2;
	return r;
}

/* Set the rate, hold it for PHASE_NS of MONOTONIC_RAW, return the measured
 * rate in ppm relative to MONOTONIC_RAW. */
static int run_phase(struct clock *c, double ppb, double *ppm)
{
	/* The sleep runs on CLOCK_MONOTONIC, which the kernel slews along
	 * with CLOCK_REALTIME: stretch it by the rate so that both halves
	 * last PHASE_NS of MONOTONIC_RAW, and their effects cancel (equal
	 * monotonic halves would leave 0.01 * (0.5/1.01 - 0.5/0.99) s =
	 * -100 us behind). */
	struct timespec hold = { 0, (long)(PHASE_NS * (1 + ppb * 1e-9)) };
	struct stamp s0, s1;
	int r;

	r = clock_adj_freq(c, ppb);
	if (r < 0)
		return r;
	r = take_stamp(c, &s0);
	if (r < 0)
		return r;
	/* Signals are blocked, so the sleep is not interrupted. */
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &hold, &hold) == EINTR)
		;
	r = take_stamp(c, &s1);
	if (r < 0)
		return r;
	*ppm = ((double)(s1.rt_ns - s0.rt_ns) / (double)(s1.raw_ns - s0.raw_ns) - 1) * 1e6;
	return 0;
}

static int skip(const char *why)
{
	printf("sysclk: skipped: %s\n", why);
	printf("sysclk: 0 passed, 0 failed, 1 skipped\n");
	return 0;
}

static int fail(const char *what, int r)
{
	printf("sysclk: %s: %s\n", what, strerror(-r));
	printf("sysclk: 0 passed, 1 failed\n");
	return 1;
}

static bool in_band(double ppm, double want)
{
	return fabs(ppm - want) <= TOLERANCE_PPM;
}

int main(void)
{
	long tick0, freq0, tick1 = 0, freq1 = 0;
	double plus = NAN, minus = NAN;
	struct stamp before, after;
	struct clock *c;
	sigset_t block, old, pending;
	int err, r, rr, ok;

	/* Defence in depth: make check never runs this, but neither may a
	 * stray invocation change the real clock unasked. */
	if (!getenv("GNOMON_REAL_CLOCK_TESTS") ||
	    strcmp(getenv("GNOMON_REAL_CLOCK_TESTS"), "1") != 0)
		return skip("changes the real clock; set GNOMON_REAL_CLOCK_TESTS=1");
	if (geteuid() != 0)
		return skip("not root");
	c = clock_open("CLOCK_REALTIME", &err);
	if (!c)
		return fail("open CLOCK_REALTIME", err);
	r = sysclk_read_raw(c, &tick0, &freq0);
	if (r < 0) {
		clock_close(c);
		return fail("read tick and frequency", r);
	}

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);

	/* Writing back what is there changes nothing and tells us whether
	 * we may write at all (EPERM without CAP_SYS_TIME). */
	r = sysclk_write_raw(c, tick0, freq0);
	if (r == -EPERM || r == -EACCES) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		clock_close(c);
		return skip("no CAP_SYS_TIME (clock_adjtime: EPERM)");
	}

	if (r == 0)
		r = take_stamp(c, &before);
	if (r == 0)
		r = run_phase(c, RATE_PPB, &plus);
	if (r == 0)
		r = run_phase(c, -RATE_PPB, &minus);

	/* Restore, whatever happened above. */
	rr = sysclk_write_raw(c, tick0, freq0);
	if (rr == 0)
		rr = take_stamp(c, &after);
	if (rr == 0)
		rr = sysclk_read_raw(c, &tick1, &freq1);

	printf("sysclk_saved tick=%ld us freq=%ld scaled_ppm\n", tick0, freq0);
	if (r == 0) {
		/* What the clock moved against MONOTONIC_RAW beyond what its
		 * own saved rate explains: the test's net effect on the time. */
		double base_ppb = ((tick0 - SYSCLK_NOMINAL_TICK_US) * 1e5 +
				   freq0 / SCALED_PPM_PER_PPB);
		int64_t raw = after.raw_ns - before.raw_ns;
		double net = (double)(after.rt_ns - before.rt_ns - raw) - base_ppb * 1e-9 * raw;

		printf("sysclk_rate_plus %.1f ppm\n", plus);
		printf("sysclk_rate_minus %.1f ppm\n", minus);
		printf("sysclk_net_offset %.0f ns\n", net);
	}
	printf("sysclk_restored tick=%ld us freq=%ld scaled_ppm\n", tick1, freq1);
	clock_close(c);

	ok = r == 0 && rr == 0 && tick1 == tick0 && freq1 == freq0 &&
	     in_band(plus, RATE_PPB / 1e3) && in_band(minus, -RATE_PPB / 1e3);
	if (r < 0)
		printf("sysclk: adjusting failed: %s\n", strerror(-r));
	if (rr < 0 || tick1 != tick0 || freq1 != freq0)
		printf("sysclk: RESTORE FAILED (%s): set tick %ld and freq %ld by hand\n",
		       rr < 0 ? strerror(-rr) : "values differ", tick0, freq0);
	printf("sysclk: %d passed, %d failed\n", ok, !ok);
	fflush(stdout);

	sigpending(&pending);
	if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
	    sigismember(&pending, SIGHUP) || sigismember(&pending, SIGQUIT))
		printf("sysclk: signal arrived during the test; clock restored, exiting\n");
	fflush(stdout);
	/* A pending signal now takes its default action. */
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ok ? 0 : 1;
}
