// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated world without the preload: clocks drift by their
 * frequency error, corrections act as in the kernel, leap seconds move
 * the ideal, PHC reads have the scenario's window, the random walk is a
 * function of the seed alone, and truth follows every change.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/ptp_clock.h>

#include "tests/sim/world.h"
#include "tests/unit/sim_world_fixture.h"

Suite *unit_suite(void);

#define S 1000000000LL

static struct scenario sc;

static struct world *make(const char *text, uint64_t seed)
{
	return sim_world_make(&sc, text, seed);
}

static const char base[] =
	"start 2025-03-01T00:00:00Z\nduration 1000\n"
	"system\n\toffset 1ms\n\tfreq 20\n"
	"phc ptp0\n\treference\n"
	"phc ptp1\n\tfreq -10\n\tmax_adj 100ppm\n\tread_delay 600\n\tread_asym 0.25\n";

START_TEST(drift_and_correction)
{
	struct world *w = make(base, 0);
	struct timex tx;

	ck_assert_double_eq_tol(world_offset(w, SC_SYS), 1e6, 1e-3);
	world_advance(w, 10 * S);
	ck_assert_double_eq_tol(world_offset(w, SC_SYS), 1e6 + 200e3, 1e-3);
	ck_assert_double_eq_tol(world_offset(w, 2), -100e3, 1e-3);
	ck_assert_double_eq_tol(world_offset(w, 1), 0, 1e-9);
	/* -20 ppm through ADJ_FREQUENCY cancels the natural +20 ppm, except
	 * for their product: (1 + 20e-6)(1 - 20e-6) = 1 - 4e-10 */
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_FREQUENCY;
	tx.freq = -20 * 65536;
	ck_assert_int_ge(sys_adjtimex(w, &tx), 0);
	world_advance(w, 100 * S);
	ck_assert_double_eq_tol(world_offset(w, SC_SYS), 1.2e6 - 40, 0.1);
	/* a step moves CLOCK_REALTIME, not CLOCK_MONOTONIC */
	{
		int64_t m = sys_value(w, CLOCK_MONOTONIC, 0);

		memset(&tx, 0, sizeof(tx));
		tx.modes = ADJ_SETOFFSET | ADJ_NANO;
		tx.time.tv_sec = -1;
		tx.time.tv_usec = 998800000;	/* -1.2 ms */
		sys_adjtimex(w, &tx);
		ck_assert_double_eq_tol(world_offset(w, SC_SYS), -40, 0.1);
		ck_assert_int_eq(sys_value(w, CLOCK_MONOTONIC, 0), m);
	}
	ck_assert_int_eq(w->cnt[SC_SYS].steps, 1);
	ck_assert_int_eq(w->cnt[SC_SYS].freq_sets, 1);
	world_destroy(w);
}
END_TEST

START_TEST(phc_adjust_and_read_window)
{
	struct world *w = make(base, 0);
	struct ptp_sys_offset_extended ex;
	struct timex tx;
	int64_t t0 = w->t, pre, phc, post;

	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_FREQUENCY;
	tx.freq = 101 * 65536;
	ck_assert_int_eq(phc_adjtime(w, 2, &tx), -ERANGE);
	tx.freq = 10 * 65536;
	ck_assert_int_eq(phc_adjtime(w, 2, &tx), 0);
	world_advance(w, 100 * S);
	ck_assert_double_eq_tol(world_offset(w, 2), -10, 0.01);	/* 1 - 1e-10 */
	memset(&ex, 0, sizeof(ex));
	ex.n_samples = 2;
	t0 = w->t;
	ck_assert_int_eq(phc_ioctl(w, 2, PTP_SYS_OFFSET_EXTENDED, &ex), 0);
	ck_assert_int_eq(w->t - t0, 1200);	/* two 600 ns windows */
	pre = ex.ts[1][0].sec * S + ex.ts[1][0].nsec;
	phc = ex.ts[1][1].sec * S + ex.ts[1][1].nsec;
	post = ex.ts[1][2].sec * S + ex.ts[1][2].nsec;
	ck_assert_int_eq(post - pre, 600);
	/* latched a quarter into the window; PHC on TAI - 10 ns, system on
	 * UTC + 1 ms + 100 s at 20 ppm */
	ck_assert_int_le(llabs(phc - pre - 150 - 37 * S + 10 + 3000000), 2);
	world_destroy(w);
}
END_TEST

START_TEST(leap_armed_and_not)
{
	static const char leap[] =
		"start 2016-12-31T23:59:00Z\nduration 120\ntai_utc 36\n"
		"phc ptp0\n\ttimescale utc\n"
		"at 2017-01-01T00:00:00Z leap insert\n";
	struct world *w = make(leap, 0);
	struct timex tx;

	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_STATUS | ADJ_MAXERROR;
	tx.status = STA_INS;
	sys_adjtimex(w, &tx);
	world_advance(w, 90 * S);
	/* the kernel repeated 23:59:59 for the system clock; the PHC on UTC
	 * nobody told is a second ahead */
	ck_assert_double_eq_tol(world_offset(w, SC_SYS), 0, 1e-3);
	ck_assert_double_eq_tol(world_offset(w, 1), 1e9, 1e-3);
	ck_assert_int_eq(w->sys.k.tai, 1);
	ck_assert_int_eq(w->tai_utc, 37);
	world_destroy(w);
}
END_TEST

/* Steps of the system clock run ntp_clear(); steps of 0 are counted apart. */
START_TEST(steps_clear_ntp_and_count)
{
	struct world *w = make(base, 0);
	struct timespec ts;
	struct timex tx;
	int64_t real;

	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_STATUS | ADJ_MAXERROR;
	ck_assert_int_eq(sys_adjtimex(w, &tx), TIME_OK);
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_SETOFFSET | ADJ_NANO;
	ck_assert_int_eq(sys_adjtimex(w, &tx), TIME_ERROR);
	ck_assert_int_eq(tx.maxerror, KNTP_PHASE_LIMIT);
	ck_assert(tx.status & STA_UNSYNC);
	ck_assert_int_eq(w->cnt[SC_SYS].steps, 0);
	ck_assert_int_eq(w->cnt[SC_SYS].zero_steps, 1);
	/* to 1 ns before CLOCK_MONOTONIC: refused, nothing changed */
	w->sys.k.status = 0;
	w->sys.k.maxerror = 0;
	real = sys_value(w, CLOCK_REALTIME, 0);
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_SETOFFSET | ADJ_NANO;
	tx.time.tv_sec = -(real / S) - 1;
	tx.time.tv_usec = S - real % S + sys_value(w, CLOCK_MONOTONIC, 0) - 1;
	tx.time.tv_sec += tx.time.tv_usec / S;
	tx.time.tv_usec %= S;
	ck_assert_int_eq(sys_adjtimex(w, &tx), -EINVAL);
	ck_assert_int_eq(sys_value(w, CLOCK_REALTIME, 0), real);
	ck_assert_int_eq(w->sys.k.maxerror, 0);
	tx.time.tv_usec += 1;	/* exactly CLOCK_MONOTONIC: allowed */
	ck_assert_int_eq(sys_adjtimex(w, &tx), TIME_ERROR);
	ck_assert_int_eq(sys_value(w, CLOCK_REALTIME, 0), sys_value(w, CLOCK_MONOTONIC, 0));
	ck_assert_int_eq(w->cnt[SC_SYS].steps, 1);
	/* a step too large for 64 bits: refused, no overflow */
	tx.time.tv_sec = INT64_MAX / 2;
	tx.time.tv_usec = 0;
	ck_assert_int_eq(sys_adjtimex(w, &tx), -EINVAL);
	tx.time.tv_sec = -INT64_MAX / 2;
	ck_assert_int_eq(sys_adjtimex(w, &tx), -EINVAL);
	/* clock_settime: the same clear */
	w->sys.k.status = 0;
	w->sys.k.maxerror = 0;
	ts.tv_sec = 1700000000;
	ts.tv_nsec = 0;
	ck_assert_int_eq(sys_settime(w, &ts), 0);
	ck_assert_int_eq(w->sys.k.maxerror, KNTP_PHASE_LIMIT);
	ck_assert_int_eq(w->cnt[SC_SYS].steps, 2);
	/* a time_jump event (another process's settimeofday): cleared, not counted */
	w->sys.k.status = 0;
	w->sys.k.maxerror = 0;
	sys_jump(w, 5 * S);
	ck_assert(w->sys.k.status & STA_UNSYNC);
	ck_assert_int_eq(w->cnt[SC_SYS].steps, 2);
	/* PHC steps of 0 are counted apart too */
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_SETOFFSET;
	ck_assert_int_eq(phc_adjtime(w, 2, &tx), 0);
	ck_assert_int_eq(w->cnt[2].steps, 0);
	ck_assert_int_eq(w->cnt[2].zero_steps, 1);
	world_destroy(w);
}
END_TEST

START_TEST(wander_depends_on_seed_only)
{
	static const char wd[] = "start 2025-03-01T00:00:00Z\nduration 1000\n"
				 "system\n\twander 10\nphc ptp3\n\twander 10\n\tnoise 5\n";
	struct world *a = make(wd, 5), *b = make(wd, 5), *c = make(wd, 6);
	struct timespec ts;
	int i;

	for (i = 0; i < 50; i++)	/* reads in a only: the walk must not care */
		phc_gettime(a, 1, &ts);
	world_advance_to(a, b->t + 300 * S);
	world_advance_to(b, b->t + 300 * S);
	world_advance_to(c, c->t + 300 * S);
	ck_assert_double_eq_tol(world_offset(a, SC_SYS), world_offset(b, SC_SYS), 1e-6);
	ck_assert(fabs(world_offset(a, SC_SYS) - world_offset(c, SC_SYS)) > 1);
	ck_assert(fabs(world_offset(a, SC_SYS)) > 1);
	world_destroy(a);
	world_destroy(b);
	world_destroy(c);
}
END_TEST

START_TEST(faults_and_end)
{
	static const char f[] = "start 2025-03-01T00:00:00Z\nduration 100\nphc ptp0\n"
				"at 10 fault ptp0 eio 5\nat 30 fault ptp0 hang 4\n";
	struct world *w = make(f, 0);
	struct timespec ts;
	int64_t t;

	world_advance_to(w, w->t0 + 11 * S);
	ck_assert_int_eq(phc_gettime(w, 1, &ts), -EIO);
	world_advance_to(w, w->t0 + 16 * S);
	ck_assert_int_eq(phc_gettime(w, 1, &ts), 0);
	world_advance_to(w, w->t0 + 31 * S);
	t = w->t;
	ck_assert_int_eq(phc_gettime(w, 1, &ts), 0);
	ck_assert_int_ge(w->t - t, 3 * S);
	ck_assert(!w->ended);
	world_advance_to(w, w->t0 + 101 * S);
	ck_assert(w->ended);
	ck_assert_str_eq(w->end_reason, "duration");
	world_destroy(w);
}
END_TEST

START_TEST(progress_offsets_readable)
{
	static const struct { double ns; const char *s; } c[] = {
		{ 800e6, "+0.800 s" }, { 99.94e6, "+99.9 ms" }, { -99.96e6, "-0.100 s" }, { 1e9, "+1.000 s" }, { -0.8e9 * 1.25, "-1.000 s" },
		{ 999.96e6, "+1.000 s" }, { 12.34e6, "+12.3 ms" }, { 3.4e3, "+3.4 µs" },
		{ -999.96e3, "-1.0 ms" }, { -12.0, "-12 ns" }, { 999.4, "+999 ns" },
		{ 999.6, "+1.0 µs" }, { 0.0, "+0 ns" }, { -0.4, "-0 ns" }, { 2.5e9, "+2.500 s" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		world_fmt_offset(buf, sizeof(buf), c[i].ns);
		ck_assert_str_eq(buf, c[i].s);
	}
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sim_world");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, drift_and_correction);
	tcase_add_test(tc, phc_adjust_and_read_window);
	tcase_add_test(tc, leap_armed_and_not);
	tcase_add_test(tc, steps_clear_ntp_and_count);
	tcase_add_test(tc, wander_depends_on_seed_only);
	tcase_add_test(tc, faults_and_end);
	tcase_add_test(tc, progress_offsets_readable);
	suite_add_tcase(s, tc);
	return s;
}
