// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The progress watchdog's decision table: loop progress or not, fresh and
 * stale clocks, the boundary, the floor, a clock that never succeeds,
 * recovery when a clock comes back, unwatched clocks, the reason text, and
 * a seeded randomised comparison against a direct model of the rule.
 * All times are invented: nothing here reads a clock.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/lifecycle/watchdog.h"

#define MS 1000000LL
#define S  1000000000LL

Suite *unit_suite(void);

static struct watchdog *wd_default(void)
{
	struct watchdog *w = watchdog_create(NULL);

	ck_assert_ptr_nonnull(w);
	return w;
}

START_TEST(test_params)
{
	struct watchdog_params p = { .stale_factor = 5, .stale_floor_ns = 500 * MS };
	struct watchdog *w = wd_default();

	/* max(3 x interval, 2 s) by default. */
	ck_assert_int_eq(watchdog_add_clock(w, "a", 1 * S), 0);
	ck_assert_int_eq(watchdog_add_clock(w, "b", 100 * MS), 1);
	ck_assert_int_eq(watchdog_add_clock(w, "c", 16 * S), 2);
	ck_assert_int_eq(watchdog_clock_limit_ns(w, 0), 3 * S);
	ck_assert_int_eq(watchdog_clock_limit_ns(w, 1), 2 * S);
	ck_assert_int_eq(watchdog_clock_limit_ns(w, 2), 48 * S);
	ck_assert_int_eq(watchdog_clock_limit_ns(w, 3), -EINVAL);
	watchdog_destroy(w);

	w = watchdog_create(&p);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(watchdog_add_clock(w, "a", 1 * S), 0);
	ck_assert_int_eq(watchdog_add_clock(w, "b", 10 * MS), 1);
	ck_assert_int_eq(watchdog_clock_limit_ns(w, 0), 5 * S);
	ck_assert_int_eq(watchdog_clock_limit_ns(w, 1), 500 * MS);
	/* A huge interval saturates instead of overflowing. */
	ck_assert_int_eq(watchdog_add_clock(w, "slow", INT64_MAX / 2), 2);
	ck_assert_int_eq(watchdog_clock_limit_ns(w, 2), INT64_MAX);
	watchdog_destroy(w);
	watchdog_destroy(NULL);
}
END_TEST

START_TEST(test_bad_input)
{
	struct watchdog_params p = { .stale_factor = 0.5 };
	struct watchdog *w;

	ck_assert_ptr_null(watchdog_create(&p));
	p.stale_factor = NAN;
	ck_assert_ptr_null(watchdog_create(&p));
	p.stale_factor = INFINITY;
	ck_assert_ptr_null(watchdog_create(&p));
	p.stale_factor = 3;
	p.stale_floor_ns = -1;
	ck_assert_ptr_null(watchdog_create(&p));

	w = wd_default();
	ck_assert_int_eq(watchdog_add_clock(w, "x", 0), -EINVAL);
	ck_assert_int_eq(watchdog_add_clock(w, "x", -5), -EINVAL);
	ck_assert_int_eq(watchdog_add_clock(w, NULL, S), -EINVAL);
	ck_assert_int_eq(watchdog_add_clock(NULL, "x", S), -EINVAL);
	ck_assert_int_eq(watchdog_clock_ok(w, 0, 0), -EINVAL);
	ck_assert_int_eq(watchdog_clock_ok(w, -1, 0), -EINVAL);
	ck_assert_int_eq(watchdog_clock_ok(NULL, 0, 0), -EINVAL);
	ck_assert_int_eq(watchdog_clock_watch(w, 3, true), -EINVAL);
	ck_assert(!watchdog_check(NULL, 1, 0, NULL, 0));
	watchdog_destroy(w);
}
END_TEST

START_TEST(test_loop_progress)
{
	struct watchdog *w = wd_default();
	char why[256];

	/* The loop never ran: no progress since creation. */
	ck_assert(!watchdog_check(w, 0, 0, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "no progress"));
	ck_assert(watchdog_check(w, 5, 1 * S, why, sizeof(why)));
	ck_assert_str_eq(why, "ok (0 clocks fresh)");
	/* Stuck: the same count twice. */
	ck_assert(!watchdog_check(w, 5, 2 * S, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "poll loop made no progress (5 iterations)"));
	ck_assert(!watchdog_check(w, 5, 3 * S, why, sizeof(why)));
	/* Moving again: healthy at once. */
	ck_assert(watchdog_check(w, 6, 4 * S, why, sizeof(why)));
	/* A counter that went back (a new loop): unhealthy once, then followed. */
	ck_assert(!watchdog_check(w, 2, 5 * S, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "went back"));
	ck_assert(watchdog_check(w, 3, 6 * S, why, sizeof(why)));
	watchdog_destroy(w);
}
END_TEST

START_TEST(test_stale_clock_and_recovery)
{
	struct watchdog *w = wd_default();
	char why[256];
	uint64_t it = 0;
	int a, b;

	a = watchdog_add_clock(w, "eth0", 1 * S);
	b = watchdog_add_clock(w, "CLOCK_REALTIME", 1 * S);
	ck_assert_int_eq(watchdog_clock_ok(w, a, 100 * S), 0);
	ck_assert_int_eq(watchdog_clock_ok(w, b, 100 * S), 0);
	ck_assert(watchdog_check(w, ++it, 101 * S, why, sizeof(why)));
	ck_assert_str_eq(why, "ok (2 clocks fresh)");

	/* eth0 keeps updating, CLOCK_REALTIME's adjust stops returning. */
	watchdog_clock_ok(w, a, 105 * S);
	ck_assert(!watchdog_check(w, ++it, 105500 * MS, why, sizeof(why)));
	ck_assert_str_eq(why, "clock CLOCK_REALTIME: last successful read/adjust 5.5 s ago "
			 "(limit 3.0 s)");
	/* Still stale while it does not come back, whatever the loop does. */
	watchdog_clock_ok(w, a, 108 * S);
	ck_assert(!watchdog_check(w, ++it, 108 * S, why, sizeof(why)));
	ck_assert_ptr_null(strstr(why, "eth0"));

	/* It comes back: the pings resume at the next check. */
	watchdog_clock_ok(w, b, 109 * S);
	ck_assert(watchdog_check(w, ++it, 110 * S, why, sizeof(why)));

	/* Both stale and the loop stuck: every reason is given. */
	ck_assert(!watchdog_check(w, it, 120 * S, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "no progress"));
	ck_assert_ptr_nonnull(strstr(why, "; clock eth0: last successful read/adjust 12.0 s"));
	ck_assert_ptr_nonnull(strstr(why, "; clock CLOCK_REALTIME: last successful read/adjust 11.0 s"));
	watchdog_destroy(w);
}
END_TEST

START_TEST(test_boundary_and_floor)
{
	struct watchdog *w = wd_default();
	uint64_t it = 0;
	int fast, slow;

	fast = watchdog_add_clock(w, "fast", 10 * MS);	/* limit = floor 2 s */
	slow = watchdog_add_clock(w, "slow", 1 * S);	/* limit 3 s */
	watchdog_clock_ok(w, fast, 0);
	watchdog_clock_ok(w, slow, 0);
	ck_assert(watchdog_check(w, ++it, 2 * S, NULL, 0));
	ck_assert(!watchdog_check(w, ++it, 2 * S + 1, NULL, 0));
	watchdog_clock_ok(w, fast, 2 * S + 1);
	ck_assert(watchdog_check(w, ++it, 3 * S, NULL, 0));
	ck_assert(!watchdog_check(w, ++it, 3 * S + 1, NULL, 0));
	watchdog_destroy(w);
}
END_TEST

START_TEST(test_success_in_the_future_or_out_of_order)
{
	struct watchdog *w = wd_default();
	uint64_t it = 0;
	int c = watchdog_add_clock(w, "c", 1 * S);

	/* A success stamped after "now" counts as age 0. */
	watchdog_clock_ok(w, c, 50 * S);
	ck_assert(watchdog_check(w, ++it, 49 * S, NULL, 0));
	/* A late report of an older success does not age the clock. */
	watchdog_clock_ok(w, c, 10 * S);
	ck_assert(watchdog_check(w, ++it, 52 * S, NULL, 0));
	watchdog_destroy(w);
}
END_TEST

START_TEST(test_never_succeeds)
{
	struct watchdog *w = wd_default();
	char why[256];
	uint64_t it = 0;

	watchdog_add_clock(w, "ptp3", 1 * S);
	/* Start-up grace: measured from the first check that sees it. */
	ck_assert(watchdog_check(w, ++it, 1000 * S, why, sizeof(why)));
	ck_assert(watchdog_check(w, ++it, 1003 * S, why, sizeof(why)));
	ck_assert(!watchdog_check(w, ++it, 1004 * S, why, sizeof(why)));
	ck_assert_str_eq(why, "clock ptp3: no successful read/adjust in the 4.0 s since start "
			 "(limit 3.0 s)");
	watchdog_clock_ok(w, 0, 1004500 * MS);
	ck_assert(watchdog_check(w, ++it, 1005 * S, why, sizeof(why)));
	watchdog_destroy(w);
}
END_TEST

START_TEST(test_unwatched_clock)
{
	struct watchdog *w = wd_default();
	uint64_t it = 0;
	char why[128];
	int a, b;

	a = watchdog_add_clock(w, "gone", 1 * S);
	b = watchdog_add_clock(w, "here", 1 * S);
	watchdog_clock_ok(w, a, 0);
	watchdog_clock_ok(w, b, 0);
	ck_assert(!watchdog_check(w, ++it, 10 * S, NULL, 0));
	ck_assert_int_eq(watchdog_clock_watch(w, a, false), 0);
	watchdog_clock_ok(w, b, 10 * S);
	ck_assert(watchdog_check(w, ++it, 10 * S, why, sizeof(why)));
	ck_assert_str_eq(why, "ok (1 clock fresh)");
	/* Watched again: a fresh grace period, as for a new clock. */
	ck_assert_int_eq(watchdog_clock_watch(w, a, true), 0);
	ck_assert(watchdog_check(w, ++it, 11 * S, NULL, 0));
	watchdog_clock_ok(w, b, 14 * S);
	ck_assert(watchdog_check(w, ++it, 14 * S, NULL, 0));
	ck_assert(!watchdog_check(w, ++it, 14 * S + 1, NULL, 0));
	watchdog_destroy(w);
}
END_TEST

START_TEST(test_why_truncated)
{
	struct watchdog *w = wd_default();
	char why[16];
	int i;

	for (i = 0; i < 40; i++)
		watchdog_add_clock(w, "a-clock-with-a-rather-long-name-for-the-test", 1 * S);
	for (i = 0; i < 40; i++)
		watchdog_clock_ok(w, i, 0);
	memset(why, 'Z', sizeof(why));
	ck_assert(!watchdog_check(w, 1, 100 * S, why, 8));
	ck_assert_int_eq(strlen(why), 7);
	ck_assert_int_eq(why[8], 'Z');
	ck_assert(!watchdog_check(w, 2, 100 * S, why, 1));
	ck_assert_int_eq(why[0], '\0');
	watchdog_destroy(w);
}
END_TEST

/* The rule written out directly, against random histories (seed fixed). */
START_TEST(test_random_against_model)
{
	enum { NC = 4, STEPS = 20000 };
	static const int64_t iv[NC] = { 10 * MS, 125 * MS, 1 * S, 8 * S };
	int64_t last[NC], now = 0, lim;
	struct watchdog *w = wd_default();
	uint64_t it = 0, prev = 0;
	bool want;
	int i, k;

	srand(12345);
	for (i = 0; i < NC; i++) {
		ck_assert_int_eq(watchdog_add_clock(w, "c", iv[i]), i);
		last[i] = 0;
		watchdog_clock_ok(w, i, 0);
	}
	for (k = 0; k < STEPS; k++) {
		now += (rand() % 3000) * MS;
		for (i = 0; i < NC; i++)
			if (rand() % 4) {
				int64_t t = now - (rand() % 30000) * MS;

				watchdog_clock_ok(w, i, t);
				if (t > last[i])
					last[i] = t;
			}
		if (rand() % 5)
			it++;
		want = it > prev;
		/* Model: latest success kept; limit max(3 x interval, 2 s). */
		for (i = 0; i < NC; i++) {
			lim = 3 * iv[i] > 2 * S ? 3 * iv[i] : 2 * S;
			if (now - last[i] > lim)
				want = false;
		}
		ck_assert_msg(watchdog_check(w, it, now, NULL, 0) == want, "step %d", k);
		prev = it;
	}
	watchdog_destroy(w);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("watchdog");
	TCase *tc = tcase_create("watchdog");

	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_loop_progress);
	tcase_add_test(tc, test_stale_clock_and_recovery);
	tcase_add_test(tc, test_boundary_and_floor);
	tcase_add_test(tc, test_success_in_the_future_or_out_of_order);
	tcase_add_test(tc, test_never_succeeds);
	tcase_add_test(tc, test_unwatched_clock);
	tcase_add_test(tc, test_why_truncated);
	tcase_add_test(tc, test_random_against_model);
	suite_add_tcase(s, tc);
	return s;
}
