// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Clock health, pure parts: the cross-CPU judgement (agreeing CPUs, the
 * 85 s CPU 0 of the KVM guest named even as the home CPU, a CPU ahead, a
 * reading that goes backwards, wide brackets that prove nothing, a CPU
 * whose move failed), the timer check (on time, late, sharpened, a spin),
 * the REALTIME probe and the poor clocksources. Readings are invented.
 */
#include <check.h>
#include <string.h>

#include "daemon/health/cpucheck.h"
#include "daemon/health/timercheck.h"
#include "phc/clocksource.h"

#define US 1000LL
#define MS 1000000LL
#define S  1000000000LL

Suite *unit_suite(void);

static struct cpuprobe_reading rd[8];
static struct cpucheck_result res;

/* n CPUs, bracket of width w around each reading; off[c] the CPU's offset. */
static void make(int n, int64_t w, const int64_t *off)
{
	int64_t t = 1000 * S;
	int c, k;

	memset(rd, 0, sizeof(rd));
	for (c = 0; c < n; c++) {
		rd[c].cpu = c;
		for (k = 0; k < 2; k++) {
			rd[c].before[k] = t + off[0];
			rd[c].on[k] = t + w / 2 + off[c];
			rd[c].after[k] = t + w + off[0];
		}
		if (c == 0)
			for (k = 0; k < 2; k++)
				rd[0].on[k] = rd[0].before[k] = rd[0].after[k];
		t += 10 * US;
	}
}

START_TEST(cpus_agree)
{
	static const int64_t off[6] = { 0, 300, -200, 0, 100, 50 };

	make(6, 20 * US, off);
	cpucheck_judge(rd, 6, 100 * US, &res);
	ck_assert_int_eq(res.n, 6);
	ck_assert(!res.alarm);
	ck_assert(!res.backwards);
	ck_assert_int_le(res.max_abs_skew_ns, 500);
}
END_TEST

START_TEST(home_cpu0_85s_behind_is_named)
{
	static const int64_t off[6] = { -85 * S, 0, 0, 0, 0, 0 };

	make(6, 20 * US, off);
	/* the home CPU's own readings carry its offset: others look 85 s ahead */
	for (int c = 1; c < 6; c++)
		for (int k = 0; k < 2; k++)
			rd[c].on[k] += 85 * S;
	cpucheck_judge(rd, 6, 100 * US, &res);
	ck_assert(res.alarm);
	ck_assert(res.backwards);	/* back home, the clock read 85 s less */
	ck_assert_int_eq(res.cpu[res.worst].cpu, 0);
	ck_assert_int_lt(res.cpu[res.worst].skew_ns, -84 * S);
	for (int c = 1; c < 6; c++)
		ck_assert(!res.cpu[c].bad);
}
END_TEST

START_TEST(cpu_ahead_named)
{
	static const int64_t off[4] = { 0, 0, 0, 250 * US };

	make(4, 20 * US, off);
	cpucheck_judge(rd, 4, 100 * US, &res);
	ck_assert(res.alarm);
	ck_assert_int_eq(res.cpu[res.worst].cpu, 3);
	ck_assert_int_ge(res.cpu[res.worst].proven_ns, 200 * US);
	ck_assert(res.backwards);	/* back home, time read less than on CPU 3 */
}
END_TEST

START_TEST(small_backwards_is_an_alarm)
{
	static const int64_t off[2] = { 0, 0 };

	make(2, 20 * US, off);
	rd[1].on[0] = rd[1].before[0] - 50;	/* RAW read 50 ns before home's */
	cpucheck_judge(rd, 2, 100 * US, &res);
	ck_assert(res.backwards);
	ck_assert(res.alarm);
}
END_TEST

START_TEST(wide_bracket_proves_nothing)
{
	static const int64_t off[3] = { 0, 0, 0 };

	make(3, 4 * MS, off);			/* a slow migration */
	rd[2].on[0] = rd[2].before[0] + 3900 * US;	/* late in the bracket */
	rd[2].on[1] = rd[2].on[0];
	cpucheck_judge(rd, 3, 100 * US, &res);
	ck_assert(!res.alarm);
	ck_assert_int_eq(res.max_bracket_ns, 4 * MS);
}
END_TEST

START_TEST(failed_move_left_out)
{
	static const int64_t off[3] = { 0, 0, 9 * S };

	make(3, 20 * US, off);
	rd[2].err = -22;
	cpucheck_judge(rd, 3, 100 * US, &res);
	ck_assert_int_eq(res.n, 2);
	ck_assert(!res.alarm);
}
END_TEST

START_TEST(timer_on_time_late_spin)
{
	struct timercheck_conf c = { .tolerance_ns = 10 * MS, .spin_limit_hz = 1000 };
	struct timercheck t;
	int64_t mono = 100 * S, raw = 50 * S;
	uint64_t it = 10;

	timercheck_init(&t, &c);
	ck_assert_int_eq(timercheck_tick(&t, mono, mono, raw, it, false), TIMERCHECK_OK);
	mono += S; raw += S; it += 20;
	ck_assert_int_eq(timercheck_tick(&t, mono, mono + 2 * MS, raw, it, false), TIMERCHECK_OK);
	ck_assert_int_eq(t.late_ns, 2 * MS);
	ck_assert_double_eq_tol(t.wakeups_hz, 20, 1e-9);
	mono += S; raw += S; it += 20;
	/* 2 ms late is fine, but not when sharpened (tolerance 1 ms) */
	ck_assert_int_eq(timercheck_tick(&t, mono, mono + 2 * MS, raw, it, true), TIMERCHECK_LATE);
	mono += S; raw += S; it += 20;
	ck_assert_int_eq(timercheck_tick(&t, mono, mono + 50 * MS, raw, it, false), TIMERCHECK_LATE);
	mono += S; raw += S; it += 50000;
	ck_assert_int_eq(timercheck_tick(&t, mono, mono, raw, it, false), TIMERCHECK_SPIN);
	ck_assert_double_ge(t.max_wakeups_hz, 50000);
	ck_assert_int_eq(t.max_late_ns, 50 * MS);
	ck_assert_str_eq(timercheck_finding_name(TIMERCHECK_SPIN), "spin");
	/* two overdue ticks back to back (13 us apart, one wake-up): no rate */
	mono += S; raw += S; it += 20;
	timercheck_tick(&t, mono, mono, raw, it, false);
	ck_assert_int_eq(timercheck_tick(&t, mono, mono, raw + 13000, it + 1, false), TIMERCHECK_OK);
	mono += S; raw += S; it += 22;
	ck_assert_int_eq(timercheck_tick(&t, mono, mono, raw, it, false), TIMERCHECK_OK);
	ck_assert_double_eq_tol(t.wakeups_hz, 22, 1e-6);	/* over the whole second */
}
END_TEST

START_TEST(rt_probe_and_clocksources)
{
	ck_assert_int_eq(timercheck_rt_early(10 * S, 9 * S), S);
	ck_assert_int_le(timercheck_rt_early(10 * S, 10 * S + 5), 0);
	ck_assert(clocksource_is_poor("jiffies"));
	ck_assert(clocksource_is_poor("acpi_pm"));
	ck_assert(clocksource_is_poor("refined-jiffies"));
	ck_assert(!clocksource_is_poor("tsc"));
	ck_assert(!clocksource_is_poor("kvm-clock"));
	ck_assert(!clocksource_is_poor("hpet"));
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, cpus_agree);
	tcase_add_test(tc, home_cpu0_85s_behind_is_named);
	tcase_add_test(tc, cpu_ahead_named);
	tcase_add_test(tc, small_backwards_is_an_alarm);
	tcase_add_test(tc, wide_bracket_proves_nothing);
	tcase_add_test(tc, failed_move_left_out);
	tcase_add_test(tc, timer_on_time_late_spin);
	tcase_add_test(tc, rt_probe_and_clocksources);
	suite_add_tcase(s, tc);
	return s;
}
