// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulator's truth statistics (tests/sim/truth.c) on hand-made
 * piecewise-linear offsets: exact RMS, interpolated recovery times, peaks,
 * overshoot, windows, and "inf" when a clock never settles.
 */
#include <check.h>
#include <math.h>

#include "tests/sim/truth.h"

Suite *unit_suite(void);

#define S 1000000000LL

START_TEST(constant_and_ramp_rms)
{
	struct truth *tr = truth_create(1, 1, 10 * S);
	struct truth_clock_res r;
	double o = 100;

	truth_open(tr, 0, &o);
	truth_ref(tr, 0, &o);
	truth_record(tr, 0, 10 * S, 100, 0);	/* step to 0 at 10 s */
	truth_record(tr, 0, 20 * S, 300, 300);	/* ramp 0 -> 300 over 10 s */
	o = 300;
	truth_finish(tr, 20 * S, &o);
	truth_clock(tr, 0, &r);
	/* the stats window [10, 20] s sees only the ramp: rms = 300 / sqrt(3) */
	ck_assert_double_eq_tol(r.rms_ns, 300 / sqrt(3), 1e-9);
	ck_assert_double_eq_tol(r.mean_ns, 150, 1e-9);
	ck_assert_double_eq_tol(r.max_ns, 300, 1e-9);
	ck_assert_double_eq_tol(r.window_s, 10, 1e-12);
	ck_assert_double_eq(r.final_ns, 300);
	truth_destroy(tr);
}
END_TEST

START_TEST(recovery_interpolated)
{
	struct truth *tr = truth_create(1, 1, 0);
	struct truth_event_res e;
	double o = 2e6;

	/* 2 ms falling linearly to -100 ns at 2 s, then back to 0 at 3 s */
	truth_open(tr, 0, &o);
	truth_ref(tr, 0, &o);
	truth_record(tr, 0, 2 * S, -100, -100);
	truth_record(tr, 0, 3 * S, 0, 0);
	o = 0;
	truth_finish(tr, 10 * S, &o);
	truth_window(tr, 0, 0, &e);
	/* 1 ms is crossed at (2e6 - 1e6) / (2e6 + 100) * 2 s */
	ck_assert_int_eq(e.recover_ns[0], (int64_t)ceil(2e9 * 1e6 / (2e6 + 100)));
	ck_assert_int_eq(e.recover_ns[1], (int64_t)ceil(2e9 * (2e6 - 1e3) / (2e6 + 100)));
	ck_assert_double_eq(e.peak_ns, 2e6);
	ck_assert_double_eq(e.overshoot_ns, 100);
	ck_assert_double_eq(e.offset_ns, 2e6);
	ck_assert_int_eq(e.t_close, 10 * S);
	truth_destroy(tr);
}
END_TEST

START_TEST(never_settles_and_windows)
{
	struct truth *tr = truth_create(2, 3, 0);
	struct truth_event_res e;
	double o[2] = { 5000, 0 };

	truth_open(tr, 0, o);
	truth_ref(tr, 0, o);
	/* window 1 opens at 5 s, the event happens at 6 s with a +1 s jump */
	o[0] = 0;
	truth_record(tr, 0, 5 * S, 0, 0);
	truth_open(tr, 5 * S, o);
	truth_record(tr, 1, 6 * S, 0, 1e9);
	o[1] = 1e9;
	truth_ref(tr, 6 * S, o);
	truth_finish(tr, 8 * S, o);
	ck_assert_int_eq(truth_nwindows(tr), 2);
	truth_window(tr, 0, 0, &e);
	ck_assert_int_eq(e.t_close, 5 * S);
	ck_assert_int_eq(e.recover_ns[0], 0);
	ck_assert_int_eq(e.recover_ns[1], (int64_t)ceil(5e9 * 4000 / 5000));
	truth_window(tr, 1, 1, &e);
	ck_assert_int_eq(e.t_open, 5 * S);
	ck_assert_int_eq(e.t_ref, 6 * S);
	ck_assert_double_eq(e.offset_ns, 1e9);
	ck_assert_int_eq(e.recover_ns[0], -1);	/* still 1 s off at the end */
	ck_assert_double_eq(e.peak_ns, 1e9);
	truth_destroy(tr);
}
END_TEST

START_TEST(spike_counts_in_peak)
{
	struct truth *tr = truth_create(1, 1, 0);
	struct truth_event_res e;
	double o = 0;

	truth_open(tr, 0, &o);
	truth_ref(tr, 0, &o);
	truth_record(tr, 0, S, 0, -1e9);		/* a 1 s step back ... */
	truth_record(tr, 0, S + 50, -1e9, 10);	/* ... undone 50 ns later */
	o = 10;
	truth_finish(tr, 2 * S, &o);
	truth_window(tr, 0, 0, &e);
	ck_assert_double_eq(e.peak_ns, 1e9);
	ck_assert_int_eq(e.recover_ns[0], S + 50);
	truth_destroy(tr);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sim_truth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, constant_and_ramp_rms);
	tcase_add_test(tc, recovery_interpolated);
	tcase_add_test(tc, never_settles_and_windows);
	tcase_add_test(tc, spike_counts_in_peak);
	suite_add_tcase(s, tc);
	return s;
}
