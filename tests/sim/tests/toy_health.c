// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulator's CPUs, clocksource files and wait faults, checked from a
 * program (health.scn): the scenario's CPU count through sched_*affinity,
 * moving between CPUs, a CPU whose clocks read 85 s behind, the
 * clocksource files before and after a change (with its frequency jump),
 * waits that end early, and REALTIME absolute timers that end early.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "tap.h"

#define NS 1000000000LL
#define CS "/sys/devices/system/clocksource/clocksource0/"

static void sleep_until_mono(int64_t t)
{
	int64_t now = now_ns(CLOCK_MONOTONIC);

	if (t > now)
		poll(NULL, 0, (int)((t - now) / 1000000));
}

static int move_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int64_t read_on(int cpu, clockid_t clk)
{
	return move_to(cpu) ? -1 : now_ns(clk);
}

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static void test_cpus(int64_t t0)
{
	cpu_set_t set;
	int64_t a, b;

	check(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 6,
	      "six_cpus", "count %d", CPU_COUNT(&set));
	check(move_to(3) == 0 && sched_getcpu() == 3, "moves_to_cpu3", "on %d", sched_getcpu());
	CPU_ZERO(&set);
	CPU_SET(7, &set);
	check(sched_setaffinity(0, sizeof(set), &set) == -1, "offline_cpu_refused", "accepted");
	a = read_on(1, CLOCK_MONOTONIC_RAW);
	b = read_on(0, CLOCK_MONOTONIC_RAW);
	check(b - a >= 0 && b - a < 1000, "cpus_agree_before", "cpu0 - cpu1 %lld ns", (long long)(b - a));
	/* a wait on CPU 0 would be on its clock, 85 s late (sleep_on_lagging_cpu) */
	move_to(1);
	sleep_until_mono(t0 + 15 * NS);
	b = read_on(0, CLOCK_REALTIME);
	a = read_on(1, CLOCK_REALTIME);		/* and stay on CPU 1 */
	check(a - b > 84 * NS && a - b < 86 * NS, "cpu0_85s_behind", "cpu1 - cpu0 %lld ns",
	      (long long)(a - b));
	move_to(0);		/* a 1 s sleep on CPU 0, its clock 85 s behind */
	{
		struct timespec one = { 1, 0 };
		int64_t t1, t2;

		t1 = now_ns(CLOCK_MONOTONIC);
		nanosleep(&one, NULL);
		t2 = now_ns(CLOCK_MONOTONIC);
		check(t2 - t1 >= NS && t2 - t1 < NS + 1000000, "sleep_on_lagging_cpu_1s_by_its_clock",
		      "%lld", (long long)(t2 - t1));
	}
	move_to(1);
	sleep_until_mono(t0 + 25 * NS);
	a = read_on(1, CLOCK_MONOTONIC);
	b = read_on(0, CLOCK_MONOTONIC);
	check(b - a >= 0 && b - a < 1000, "cpus_agree_after", "cpu0 - cpu1 %lld ns", (long long)(b - a));
}

static void test_clocksource(int64_t t0)
{
	char cur[64], avail[128];

	read_file(CS "current_clocksource", cur, sizeof(cur));
	read_file(CS "available_clocksource", avail, sizeof(avail));
	check(!strcmp(cur, "tsc\n"), "clocksource_tsc", "'%s'", cur);
	check(!strcmp(avail, "tsc hpet acpi_pm\n"), "clocksources_available", "'%s'", avail);
	check(open(CS "current_clocksource", O_WRONLY) == -1, "clocksource_read_only", "opened");
	sleep_until_mono(t0 + 31 * NS);
	read_file(CS "current_clocksource", cur, sizeof(cur));
	check(!strcmp(cur, "hpet\n"), "clocksource_hpet_after_change", "'%s'", cur);
}

static void test_waits(int64_t t0)
{
	int64_t a, b;
	int n = 0;

	sleep_until_mono(t0 + 40 * NS + NS / 2);
	a = now_ns(CLOCK_MONOTONIC);
	poll(NULL, 0, 100);
	b = now_ns(CLOCK_MONOTONIC);
	check(b - a < 1000000, "wait_ends_early", "a 100 ms wait took %lld ns", (long long)(b - a));
	while (now_ns(CLOCK_MONOTONIC) < t0 + 43 * NS && n < 1000000) {
		poll(NULL, 0, 100);
		n++;
	}
	check(n > 1000 && n < 1000000, "early_waits_spin_but_time_moves", "%d waits", n);
	a = now_ns(CLOCK_MONOTONIC);
	poll(NULL, 0, 100);
	b = now_ns(CLOCK_MONOTONIC);
	check(b - a >= 100000000 && b - a < 101000000, "waits_on_time_after", "%lld", (long long)(b - a));
}

static void test_rt_timer(int64_t t0)
{
	int fd = timerfd_create(CLOCK_REALTIME, 0);
	struct itimerspec it = { { 0, 0 }, { 0, 0 } };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t target, got;

	sleep_until_mono(t0 + 51 * NS);
	target = now_ns(CLOCK_REALTIME) + NS + NS / 2;
	it.it_value.tv_sec = target / NS;
	it.it_value.tv_nsec = target % NS;
	timerfd_settime(fd, TFD_TIMER_ABSTIME, &it, NULL);
	poll(&p, 1, 5000);
	got = now_ns(CLOCK_REALTIME);
	check(target - got > NS - 1000000 && target - got < NS + 1000000, "rt_abs_timer_1s_early",
	      "fired %lld ns before its time", (long long)(target - got));
	{
		int64_t a = now_ns(CLOCK_MONOTONIC), b;

		poll(NULL, 0, 100);
		b = now_ns(CLOCK_MONOTONIC);
		check(b - a >= 100000000, "mono_wait_unaffected_by_rt_fault", "%lld", (long long)(b - a));
	}
	close(fd);
}

int main(void)
{
	int64_t t0 = now_ns(CLOCK_MONOTONIC);

	test_cpus(t0);
	test_clocksource(t0);
	test_waits(t0);
	test_rt_timer(t0);
	return tap_failed ? 1 : 0;
}
