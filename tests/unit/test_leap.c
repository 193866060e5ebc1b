/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The leap policy engine (daemon/leap/leap.c) on the real tzdata table (the
 * 2016-12-31 insertion) and on a fixture with a deletion (2026-12-31). */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/leap/leap.h"

Suite *unit_suite(void);

#define NS	1000000000LL
#define L2017	1483228800LL	/* 2017-01-01T00:00:00Z: after the +1 leap, TAI-UTC 37 */
#define L2027	1798761600LL	/* 2027-01-01T00:00:00Z: after the -1 leap of negative.list */

static struct leaptable *load(const char *name)
{
	const char *dir = getenv("GNOMON_SRCDIR");
	struct leaptable *t = leaptable_create();
	char path[512], err[512];

	snprintf(path, sizeof(path), "%s/tests/leap/%s", dir ? dir : ".", name);
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(leaptable_load_file(t, path, err, sizeof(err)) == 0, "%s", err);
	return t;
}

/* TAI ns at t_rel seconds from the leap reference instant (smear.h). */
static int64_t tai_at(int64_t leap_utc, int before, double t_rel)
{
	return (leap_utc + before) * NS + (int64_t)llround(t_rel * 1e9);
}

static struct leap_view view(struct leaptable *t, enum leap_policy p, int64_t tai_ns)
{
	struct leap_policy_conf c = { .policy = p, .pause_s = 5 };
	struct leap_view v;

	if (p == LEAP_POLICY_SMEAR)
		ck_assert_int_eq(smear_preset("google", &c.smear), 0);
	ck_assert_int_eq(leap_view_at(t, &c, tai_ns, &v), 0);
	return v;
}

START_TEST(test_accept_insert)
{
	struct leaptable *t = load("leap-seconds.list");
	struct leap_view v;

	v = view(t, LEAP_POLICY_ACCEPT, tai_at(L2017, 36, -43200));	/* noon before */
	ck_assert_int_eq(v.delta, 1);
	ck_assert_int_eq(v.arm, 1);
	ck_assert(!v.pause);
	ck_assert_int_eq(v.tai_utc_ns, 36 * NS);
	v = view(t, LEAP_POLICY_ACCEPT, tai_at(L2017, 36, -90000));	/* two days before */
	ck_assert_int_eq(v.arm, 0);
	v = view(t, LEAP_POLICY_ACCEPT, tai_at(L2017, 36, -2));
	ck_assert(v.pause);
	ck_assert_int_eq(v.tai_utc_ns, 36 * NS);
	v = view(t, LEAP_POLICY_ACCEPT, tai_at(L2017, 36, -1e-9));	/* last ns of 23:59:59 */
	ck_assert_int_eq(v.tai_utc_ns, 36 * NS);
	ck_assert(!v.past);
	v = view(t, LEAP_POLICY_ACCEPT, tai_at(L2017, 36, 0));		/* 23:59:60 begins */
	ck_assert_int_eq(v.tai_utc_ns, 37 * NS);
	ck_assert(v.past);
	ck_assert_int_eq(v.arm, 0);
	v = view(t, LEAP_POLICY_ACCEPT, tai_at(L2017, 36, 6));
	ck_assert(!v.pause);
	ck_assert_int_eq(v.tai_utc_ns, 37 * NS);
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_ignore_and_step)
{
	struct leaptable *t = load("leap-seconds.list");
	struct leap_view v;

	v = view(t, LEAP_POLICY_IGNORE, tai_at(L2017, 36, -1));
	ck_assert(!v.pause && !v.arm);
	ck_assert_int_eq(v.tai_utc_ns, 36 * NS);
	v = view(t, LEAP_POLICY_IGNORE, tai_at(L2017, 36, 0.5));
	ck_assert_int_eq(v.tai_utc_ns, 37 * NS);
	ck_assert(!v.step_due);

	v = view(t, LEAP_POLICY_STEP, tai_at(L2017, 36, -4.9));
	ck_assert(v.pause && !v.arm && !v.step_due);
	ck_assert_double_eq_tol(v.next_change_s, 4.9, 1e-6);	/* sample at the leap */
	v = view(t, LEAP_POLICY_STEP, tai_at(L2017, 36, 0.001));
	ck_assert(v.pause && v.step_due);	/* step at once, hold the servo */
	v = view(t, LEAP_POLICY_STEP, tai_at(L2017, 36, 4.9));
	ck_assert(v.pause && v.step_due);
	v = view(t, LEAP_POLICY_STEP, tai_at(L2017, 36, 5.0));
	ck_assert(!v.pause && v.step_due);
	ck_assert_int_eq(v.tai_utc_ns, 37 * NS);
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_smear_google)
{
	struct leaptable *t = load("leap-seconds.list");
	struct leap_view v;

	v = view(t, LEAP_POLICY_SMEAR, tai_at(L2017, 36, -43300));
	ck_assert(!v.smearing);
	ck_assert_int_eq(v.tai_utc_ns, 36 * NS);
	ck_assert(v.feedforward_ppb == 0);
	/* Middle of Google's noon-to-noon window (86401 SI s around an insertion). */
	v = view(t, LEAP_POLICY_SMEAR, tai_at(L2017, 36, 0.5));
	ck_assert(v.smearing);
	ck_assert(!v.arm && !v.pause);
	ck_assert(fabs(v.smear_offset_ns - 0.5e9) < 1);
	ck_assert(llabs(v.tai_utc_ns - (36 * NS + NS / 2)) <= 1);
	ck_assert(fabs(v.feedforward_ppb + 1e9 / 86401) < 1e-6);
	/* After the window: plain new UTC, no feed-forward. */
	v = view(t, LEAP_POLICY_SMEAR, tai_at(L2017, 36, 43201));
	ck_assert(!v.smearing);
	ck_assert_int_eq(v.tai_utc_ns, 37 * NS);
	ck_assert(v.feedforward_ppb == 0);
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_delete)
{
	struct leaptable *t = load("negative.list");
	struct leap_view v;

	v = view(t, LEAP_POLICY_ACCEPT, tai_at(L2027, 37, -3600));
	ck_assert_int_eq(v.delta, -1);
	ck_assert_int_eq(v.arm, -1);
	ck_assert_int_eq(v.tai_utc_ns, 37 * NS);
	/* 23:59:59 never happens: the new value applies from t_rel = -1. */
	v = view(t, LEAP_POLICY_IGNORE, tai_at(L2027, 37, -1.000000001));
	ck_assert_int_eq(v.tai_utc_ns, 37 * NS);
	v = view(t, LEAP_POLICY_IGNORE, tai_at(L2027, 37, -1));
	ck_assert_int_eq(v.tai_utc_ns, 36 * NS);
	ck_assert(v.past);
	v = view(t, LEAP_POLICY_SMEAR, tai_at(L2027, 37, 0));
	ck_assert(v.smearing);
	ck_assert(v.feedforward_ppb > 0);	/* a deletion: the clock runs fast */
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_no_leap_in_view)
{
	struct leaptable *t = load("leap-seconds.list");
	struct leap_view v;

	/* 2026-11-24: no leap announced; TAI-UTC 37 */
	v = view(t, LEAP_POLICY_ACCEPT, (1795478400LL + 37) * NS);
	ck_assert_int_eq(v.delta, 0);
	ck_assert_int_eq(v.arm, 0);
	ck_assert_int_eq(v.tai_utc_ns, 37 * NS);
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_no_table)
{
	struct leaptable *t = leaptable_create();
	struct leap_policy_conf c = { .policy = LEAP_POLICY_ACCEPT };
	struct leap_view v;
	enum leap_policy p;

	ck_assert_int_eq(leap_view_at(t, &c, 1795478400LL * NS, &v), -ENODATA);
	ck_assert_int_eq(leap_policy_parse("smear", &p), 0);
	ck_assert_int_eq(p, LEAP_POLICY_SMEAR);
	ck_assert_int_eq(leap_policy_parse("slew", &p), -EINVAL);
	ck_assert_str_eq(leap_policy_name(LEAP_POLICY_STEP), "step");
	leaptable_destroy(t);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("leap");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, test_accept_insert);
	tcase_add_test(tc, test_ignore_and_step);
	tcase_add_test(tc, test_smear_google);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_no_leap_in_view);
	tcase_add_test(tc, test_no_table);
	suite_add_tcase(s, tc);
	return s;
}
