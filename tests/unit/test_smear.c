/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Leap smear curves: values and rates at the edges and in the middle of
 * the window, both shapes, insertion and deletion, the presets' exact
 * windows, and offset/rate consistency (the rate is the derivative).
 */
#include <check.h>
#include <errno.h>
#include <math.h>

#include "daemon/leap/smear.h"

Suite *unit_suite(void);

#define NS	1e9

static struct smear_params mk(double window, double start, enum smear_shape shape,
			      bool utc)
{
	struct smear_params p = { window, start, shape, utc };

	ck_assert_int_eq(smear_validate(&p), 0);
	return p;
}

static struct smear_params preset(const char *name)
{
	struct smear_params p;

	ck_assert_int_eq(smear_preset(name, &p), 0);
	ck_assert_int_eq(smear_validate(&p), 0);
	return p;
}

static void assert_window(const struct smear_params *p, int delta, double s, double e)
{
	double a, b;

	ck_assert_int_eq(smear_window(p, delta, &a, &b), 0);
	ck_assert_double_eq(a, s);
	ck_assert_double_eq(b, e);
}

START_TEST(test_linear_insert)
{
	struct smear_params p = mk(1000.0, -500.0, SMEAR_LINEAR, false);

	ck_assert_double_eq(smear_offset_ns(&p, 1, -10000.0), 0.0);
	ck_assert_double_eq(smear_rate_ppb(&p, 1, -10000.0), 0.0);
	ck_assert_double_eq(smear_offset_ns(&p, 1, -500.0), 0.0);	/* start */
	ck_assert_double_eq_tol(smear_offset_ns(&p, 1, -250.0), 0.25 * NS, 1e-6);
	ck_assert_double_eq_tol(smear_offset_ns(&p, 1, 0.0), 0.5 * NS, 1e-6);
	ck_assert_double_eq_tol(smear_rate_ppb(&p, 1, 0.0), 1e6, 1e-9);
	ck_assert_double_eq_tol(smear_rate_ppb(&p, 1, -499.999), 1e6, 1e-9);
	ck_assert_double_eq(smear_offset_ns(&p, 1, 500.0), NS);	/* end */
	ck_assert_double_eq(smear_offset_ns(&p, 1, 1e9), NS);
	ck_assert_double_eq(smear_rate_ppb(&p, 1, 500.0), 0.0);
	ck_assert_double_eq(smear_rate_ppb(&p, 1, 501.0), 0.0);
}
END_TEST

START_TEST(test_linear_delete)
{
	struct smear_params p = mk(1000.0, -500.0, SMEAR_LINEAR, false);

	ck_assert_double_eq(smear_offset_ns(&p, -1, -600.0), 0.0);
	ck_assert_double_eq_tol(smear_offset_ns(&p, -1, 0.0), -0.5 * NS, 1e-6);
	ck_assert_double_eq_tol(smear_rate_ppb(&p, -1, 0.0), -1e6, 1e-9);
	ck_assert_double_eq(smear_offset_ns(&p, -1, 500.0), -NS);
	ck_assert_double_eq(smear_rate_ppb(&p, -1, 600.0), 0.0);
	/* No leap, no smear. */
	ck_assert_double_eq(smear_offset_ns(&p, 0, 0.0), 0.0);
	ck_assert_double_eq(smear_rate_ppb(&p, 0, 0.0), 0.0);
}
END_TEST

START_TEST(test_cosine)
{
	struct smear_params p = mk(1000.0, 0.0, SMEAR_COSINE, false);
	double peak = NS * M_PI / 2000.0;	/* delta 1e9 * pi / (2 W) */
	int d;

	for (d = -1; d <= 1; d += 2) {
		ck_assert_double_eq(smear_offset_ns(&p, d, -1.0), 0.0);
		ck_assert_double_eq(smear_offset_ns(&p, d, 0.0), 0.0);
		ck_assert_double_eq_tol(smear_rate_ppb(&p, d, 1e-6), 0.0, 1e-2);
		ck_assert_double_eq_tol(smear_offset_ns(&p, d, 250.0),
					d * NS * (1.0 - cos(M_PI / 4)) / 2.0, 1e-6);
		ck_assert_double_eq_tol(smear_offset_ns(&p, d, 500.0), d * 0.5 * NS, 1e-6);
		ck_assert_double_eq_tol(smear_rate_ppb(&p, d, 500.0), d * peak, 1e-6);
		ck_assert_double_eq_tol(smear_rate_ppb(&p, d, 999.999999), 0.0, 1e-2);
		ck_assert_double_eq(smear_offset_ns(&p, d, 1000.0), d * NS);
		ck_assert_double_eq(smear_rate_ppb(&p, d, 1000.0), 0.0);
		ck_assert_double_eq(smear_offset_ns(&p, d, 2000.0), d * NS);
	}
	/* The cosine's peak rate is pi/2 times the linear one. */
	ck_assert_double_eq_tol(peak / (NS / 1000.0), M_PI / 2, 1e-12);
}
END_TEST

/* Google/AWS: noon to noon UTC, 24 h of UTC, linear. Around an inserted
 * second that is 86 401 SI seconds (google/unsmear: Hours(24) + smear). */
START_TEST(test_preset_google)
{
	struct smear_params p = preset("google"), q = preset("aws");
	double w = 86401.0;

	ck_assert_double_eq(p.window_s, 86400.0);
	ck_assert_double_eq(p.start_s, -43200.0);
	ck_assert_int_eq(p.shape, SMEAR_LINEAR);
	ck_assert(p.window_in_utc);
	ck_assert_mem_eq(&p, &q, sizeof(p));
	assert_window(&p, 1, -43200.0, 43201.0);	/* noon to noon (new UTC) */
	assert_window(&p, -1, -43200.0, 43199.0);
	ck_assert_double_eq_tol(smear_rate_ppb(&p, 1, 0.0), NS / w, 1e-9);
	ck_assert_double_eq_tol(smear_rate_ppb(&p, -1, 0.0), -NS / 86399.0, 1e-9);
	/* At the start of 23:59:60 the smeared clock is 43200/86401 s behind
	 * the old count, as unsmear's Interpolate() gives. */
	ck_assert_double_eq_tol(smear_offset_ns(&p, 1, 0.0), 43200.0 / w * NS, 1e-6);
	/* Exactly half way through the window: half a second. */
	ck_assert_double_eq_tol(smear_offset_ns(&p, 1, 0.5), 0.5 * NS, 1e-6);
	ck_assert_double_eq(smear_offset_ns(&p, 1, -43200.0), 0.0);
	ck_assert_double_eq(smear_offset_ns(&p, 1, 43201.0), NS);
	ck_assert_double_eq_tol(smear_offset_ns(&p, 1, 43200.0), 86400.0 / w * NS, 1e-6);
}
END_TEST

/* Meta (fbclock): starts at the leap (TAI of 23:59:60), 62 500 TAI s. */
START_TEST(test_preset_meta)
{
	struct smear_params p = preset("meta");

	ck_assert_double_eq(p.window_s, 62500.0);
	ck_assert_double_eq(p.start_s, 0.0);
	ck_assert(!p.window_in_utc);
	assert_window(&p, 1, 0.0, 62500.0);
	assert_window(&p, -1, 0.0, 62500.0);
	ck_assert_double_eq_tol(smear_rate_ppb(&p, 1, 1.0), 16000.0, 1e-9);
	ck_assert_double_eq_tol(smear_rate_ppb(&p, -1, 1.0), -16000.0, 1e-9);
	ck_assert_double_eq(smear_offset_ns(&p, 1, -1.0), 0.0);
	ck_assert_double_eq_tol(smear_offset_ns(&p, 1, 31250.0), 0.5 * NS, 1e-6);
	ck_assert_double_eq(smear_offset_ns(&p, 1, 62500.0), NS);
}
END_TEST

/* PTPd: clock:leap_second_smear_period (default 86400) ending when the
 * smeared clock reads midnight: the new day's start, t_rel = delta. */
START_TEST(test_preset_ptpd)
{
	struct smear_params p = preset("ptpd");

	ck_assert_double_eq(p.window_s, 86400.0);
	ck_assert_double_eq(p.start_s, -86400.0);
	ck_assert(p.window_in_utc);
	assert_window(&p, 1, -86400.0, 1.0);
	assert_window(&p, -1, -86400.0, -1.0);
	ck_assert_double_eq_tol(smear_rate_ppb(&p, 1, -1.0), NS / 86401.0, 1e-9);
	ck_assert_double_eq(smear_offset_ns(&p, 1, 1.0), NS);
	ck_assert_double_eq(smear_offset_ns(&p, -1, -1.0), -NS);
	ck_assert_double_eq(smear_offset_ns(&p, 1, -86400.0), 0.0);
	/* PTPd's fudge 1 - secondsToMidnight / period, read on the smeared
	 * clock: at smeared reading 18:00 (6 h to go) it is 0.75 s. */
	{
		double t = -6 * 3600.0 + 0.75;	/* old count = smeared + fudge */

		ck_assert_double_eq_tol(smear_offset_ns(&p, 1, t), 0.75 * NS, 1e-3);
	}
	ck_assert_int_eq(smear_preset("nist", &p), -EINVAL);
	ck_assert_double_eq(p.window_s, 86400.0);	/* untouched */
	ck_assert_int_eq(smear_preset(NULL, &p), -EINVAL);
}
END_TEST

/* The rate is the offset's derivative: central differences over every
 * preset and shape, both directions, inside the window. */
START_TEST(test_rate_is_derivative)
{
	static const char *const names[] = { "google", "meta", "ptpd" };
	const double h = 1e-3;
	int n, shape, d, k;

	for (n = 0; n < 3; n++) {
		for (shape = SMEAR_LINEAR; shape <= SMEAR_COSINE; shape++) {
			struct smear_params p = preset(names[n]);

			p.shape = (enum smear_shape)shape;
			for (d = -1; d <= 1; d += 2) {
				double a, b, prev = 0.0;

				ck_assert_int_eq(smear_window(&p, d, &a, &b), 0);
				for (k = 1; k < 100; k++) {
					double t = a + (b - a) * k / 100.0;
					double num = (smear_offset_ns(&p, d, t + h) -
						      smear_offset_ns(&p, d, t - h)) / (2 * h);
					double off = smear_offset_ns(&p, d, t);

					ck_assert_double_eq_tol(num, smear_rate_ppb(&p, d, t), 1e-2);
					/* monotonic toward delta, sign of delta */
					ck_assert(d > 0 ? off >= prev : off <= prev);
					ck_assert(d > 0 ? smear_rate_ppb(&p, d, t) > 0 :
							  smear_rate_ppb(&p, d, t) < 0);
					prev = off;
				}
				/* continuous at both edges */
				ck_assert_double_eq_tol(smear_offset_ns(&p, d, a + 1e-6), 0.0, 1.0);
				ck_assert_double_eq_tol(smear_offset_ns(&p, d, b - 1e-6), d * NS, 1.0);
			}
		}
	}
}
END_TEST

START_TEST(test_invalid)
{
	struct smear_params p = { 1000.0, 0.0, SMEAR_LINEAR, false };
	struct smear_params bad[] = {
		{ 0.0, 0.0, SMEAR_LINEAR, false },
		{ -5.0, 0.0, SMEAR_LINEAR, false },
		{ NAN, 0.0, SMEAR_LINEAR, false },
		{ INFINITY, 0.0, SMEAR_LINEAR, false },
		{ 1000.0, NAN, SMEAR_LINEAR, false },
		{ 1000.0, -INFINITY, SMEAR_LINEAR, false },
		{ 1000.0, 0.0, (enum smear_shape)7, false },
		{ 1.0, 0.0, SMEAR_LINEAR, true },	/* nothing left for -1 */
	};
	enum smear_shape sh;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(smear_validate(&bad[i]), -EINVAL);
		ck_assert(isnan(smear_offset_ns(&bad[i], 1, 0.0)));
		ck_assert(isnan(smear_rate_ppb(&bad[i], 1, 0.0)));
		ck_assert_int_eq(smear_window(&bad[i], 1, NULL, NULL), -EINVAL);
	}
	ck_assert_int_eq(smear_validate(NULL), -EINVAL);
	ck_assert(isnan(smear_offset_ns(&p, 2, 0.0)));
	ck_assert(isnan(smear_rate_ppb(&p, -2, 0.0)));
	ck_assert(isnan(smear_offset_ns(&p, 1, NAN)));
	ck_assert_double_eq(smear_offset_ns(&p, 1, INFINITY), NS);
	ck_assert_double_eq(smear_offset_ns(&p, 1, -INFINITY), 0.0);
	ck_assert_int_eq(smear_shape_parse("cosine", &sh), 0);
	ck_assert_int_eq(sh, SMEAR_COSINE);
	ck_assert_int_eq(smear_shape_parse("linear", &sh), 0);
	ck_assert_int_eq(sh, SMEAR_LINEAR);
	ck_assert_int_eq(smear_shape_parse("quadratic", &sh), -EINVAL);
	ck_assert_str_eq(smear_shape_name(SMEAR_COSINE), "cosine");
	ck_assert_str_eq(smear_shape_name((enum smear_shape)9), "?");
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("smear");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_linear_insert);
	tcase_add_test(tc, test_linear_delete);
	tcase_add_test(tc, test_cosine);
	tcase_add_test(tc, test_preset_google);
	tcase_add_test(tc, test_preset_meta);
	tcase_add_test(tc, test_preset_ptpd);
	tcase_add_test(tc, test_rate_is_derivative);
	tcase_add_test(tc, test_invalid);
	suite_add_tcase(s, tc);
	return s;
}
