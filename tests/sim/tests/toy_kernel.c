// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel semantics of the simulated system clock, checked from a program:
 *   toy_kernel adj      frequency clamp, tick range and rate, steps,
 *                       settime, TAI, STA_UNSYNC, maxerror (kernel.scn)
 *   toy_kernel insert   the leap state machine at an inserted leap (leap_insert.scn)
 *   toy_kernel delete   ... at a deleted leap (leap_delete.scn)
 *   toy_kernel stepleap a step while TIME_INS drops the leap (leap_insert.scn)
 *   toy_kernel probe    chronyd's ADJ_SETOFFSET probe (a step of 0), then a
 *                       1 ms step: run-tests.sh reads steps/zero_steps
 *   toy_kernel sync     clear STA_UNSYNC with maxerror 1000 us, esterror 10 us,
 *                       exit 3.5 s later: run-tests.sh reads --kernel-csv
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <unistd.h>

#include "tap.h"

#define NS 1000000000LL

static int adj(int modes, struct timex *tx)
{
	tx->modes = modes;
	return adjtimex(tx);
}

static int state(void)
{
	struct timex tx = { 0 };

	return adjtimex(&tx);
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { ns / NS, ns % NS };

	nanosleep(&ts, NULL);
}

static void test_freq_tick(void)
{
	struct timex tx = { 0 };
	int64_t m0, r0, m1, r1;
	int r;

	tx.freq = 600 * 65536;
	r = adj(ADJ_FREQUENCY, &tx);
	check(r >= 0 && tx.freq == 500 * 65536, "freq_clamped_at_500ppm", "r=%d freq=%ld", r, tx.freq);
	tx.tick = 8999;
	check(adj(ADJ_TICK, &tx) < 0 && errno == EINVAL, "tick_8999_einval", "errno=%d", errno);
	tx.tick = 11001;
	check(adj(ADJ_TICK, &tx) < 0 && errno == EINVAL, "tick_11001_einval", "errno=%d", errno);
	tx.tick = 9000;
	check(adj(ADJ_TICK, &tx) >= 0 && tx.tick == 9000, "tick_9000_ok", "tick=%ld", tx.tick);
	/* +1 % by tick and +100 ppm by frequency: MONOTONIC gains, RAW does not */
	tx.tick = 10100;
	tx.freq = 100 * 65536;
	adj(ADJ_TICK | ADJ_FREQUENCY, &tx);
	m0 = now_ns(CLOCK_MONOTONIC);
	r0 = now_ns(CLOCK_MONOTONIC_RAW);
	sleep_ns(NS);
	m1 = now_ns(CLOCK_MONOTONIC);
	r1 = now_ns(CLOCK_MONOTONIC_RAW);
	check(llabs((r1 - r0) - (int64_t)(1e9 / 1.0101)) < 50, "tick_freq_rate",
	      "mono %lld raw %lld, want raw %lld", (long long)(m1 - m0), (long long)(r1 - r0),
	      (long long)(1e9 / 1.0101));
	tx.tick = 10000;
	tx.freq = 0;
	adj(ADJ_TICK | ADJ_FREQUENCY, &tx);
}

static void test_steps(void)
{
	struct timex tx = { 0 };
	struct timespec ts;
	int64_t d0, d1;

	d0 = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	tx.time.tv_sec = 1;
	tx.time.tv_usec = 500000000;
	check(adj(ADJ_SETOFFSET | ADJ_NANO, &tx) >= 0, "setoffset_nano", "errno=%d", errno);
	d1 = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	check(llabs(d1 - d0 - 1500000000LL) < 100, "setoffset_moves_realtime_not_monotonic",
	      "moved %lld", (long long)(d1 - d0));
	tx.time.tv_sec = -1;
	tx.time.tv_usec = 500000;	/* -0.5 s in microseconds */
	check(adj(ADJ_SETOFFSET, &tx) >= 0, "setoffset_usec", "errno=%d", errno);
	d0 = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	check(llabs(d0 - d1 + 500000000LL) < 100, "setoffset_usec_negative", "moved %lld",
	      (long long)(d0 - d1));
	tx.time.tv_sec = 0;
	tx.time.tv_usec = 1000000;
	check(adj(ADJ_SETOFFSET, &tx) < 0 && errno == EINVAL, "setoffset_usec_range", "errno=%d", errno);
	tx.time.tv_usec = -1;
	check(adj(ADJ_SETOFFSET | ADJ_NANO, &tx) < 0 && errno == EINVAL, "setoffset_negative_frac",
	      "errno=%d", errno);
	tx.time.tv_sec = -1;
	tx.time.tv_usec = 0;
	adj(ADJ_SETOFFSET, &tx);
	ts.tv_sec = 1700000000;
	ts.tv_nsec = 250000000;
	check(clock_settime(CLOCK_REALTIME, &ts) == 0 && time(NULL) == 1700000000,
	      "settime_realtime", "time %ld", (long)time(NULL));
	check(clock_settime(CLOCK_MONOTONIC, &ts) < 0 && errno == EINVAL, "settime_monotonic_einval",
	      "errno=%d", errno);
}

/*
 * Every step runs the kernel's ntp_clear() (TK_CLEAR_NTP) before the other
 * modes of the call: STA_UNSYNC, maxerror and esterror 16 s; frequency,
 * tick, constant, TAI and the other status bits stay. A refused step
 * (CLOCK_REALTIME before CLOCK_MONOTONIC) changes nothing.
 */
static void test_step_clears(void)
{
	struct timex tx = { 0 };
	struct timespec ts;
	struct timeval tv;
	int r;

	tx.status = STA_PLL | STA_NANO;
	tx.maxerror = 1000;
	tx.esterror = 20;
	tx.freq = 12 * 65536;
	tx.tick = 10010;
	tx.constant = 3;
	r = adj(ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR | ADJ_FREQUENCY | ADJ_TICK |
		ADJ_TIMECONST, &tx);
	check(r == TIME_OK, "synced_before_step", "r=%d", r);
	memset(&tx, 0, sizeof(tx));
	r = adj(ADJ_SETOFFSET | ADJ_NANO, &tx);	/* a step of 0 */
	check(r == TIME_ERROR && (tx.status & STA_UNSYNC) && tx.maxerror == 16000000 &&
	      tx.esterror == 16000000, "zero_step_runs_ntp_clear",
	      "r=%d status %#x maxerror %ld esterror %ld", r, tx.status, tx.maxerror, tx.esterror);
	check((tx.status & (STA_PLL | STA_NANO)) == (STA_PLL | STA_NANO) &&
	      tx.freq == 12 * 65536 && tx.tick == 10010 && tx.constant == 3,
	      "step_keeps_freq_tick_status", "status %#x freq %ld tick %ld constant %ld",
	      tx.status, tx.freq, tx.tick, tx.constant);
	tx.maxerror = 500;
	tx.status = STA_PLL;
	tx.time.tv_sec = 0;
	tx.time.tv_usec = 1000;
	r = adj(ADJ_SETOFFSET | ADJ_MAXERROR | ADJ_STATUS, &tx);
	check(r == TIME_OK && tx.maxerror == 500 && tx.esterror == 16000000,
	      "modes_apply_after_the_clear", "r=%d maxerror %ld esterror %ld", r, tx.maxerror,
	      tx.esterror);
	/* CLOCK_REALTIME 1 s before CLOCK_MONOTONIC: EINVAL, nothing cleared */
	tx.time.tv_sec = (now_ns(CLOCK_MONOTONIC) - now_ns(CLOCK_REALTIME)) / NS - 1;
	tx.time.tv_usec = 0;
	r = adj(ADJ_SETOFFSET, &tx);
	check(r < 0 && errno == EINVAL && adj(0, &tx) == TIME_OK && tx.maxerror < 100000,
	      "step_before_monotonic_einval_no_clear", "r=%d errno=%d maxerror %ld", r, errno,
	      tx.maxerror);
	ts.tv_sec = 999;	/* CLOCK_MONOTONIC is 1000 s and more */
	ts.tv_nsec = 0;
	check(clock_settime(CLOCK_REALTIME, &ts) < 0 && errno == EINVAL,
	      "settime_before_monotonic_einval", "errno=%d", errno);
	ts.tv_sec = time(NULL) + 5;
	check(clock_settime(CLOCK_REALTIME, &ts) == 0 && adj(0, &tx) == TIME_ERROR &&
	      tx.maxerror == 16000000, "settime_runs_ntp_clear", "maxerror %ld", tx.maxerror);
	tx.status = 0;
	tx.maxerror = 500;
	adj(ADJ_STATUS | ADJ_MAXERROR, &tx);
	tv.tv_sec = time(NULL) + 5;
	tv.tv_usec = 0;
	check(settimeofday(&tv, NULL) == 0 && adj(0, &tx) == TIME_ERROR &&
	      tx.maxerror == 16000000, "settimeofday_runs_ntp_clear", "maxerror %ld", tx.maxerror);
	tx.status = 0;
	tx.tick = 10000;
	tx.freq = 0;
	adj(ADJ_STATUS | ADJ_TICK | ADJ_FREQUENCY, &tx);
}

/* chronyd's test_step_offset() (sys_linux.c), then a real step. */
static void test_probe(void)
{
	struct timex tx = { 0 };

	tx.maxerror = 0;
	check(adj(ADJ_MAXERROR, &tx) >= 0 && tx.maxerror == 0, "probe_maxerror_0", "maxerror %ld",
	      tx.maxerror);
	memset(&tx, 0, sizeof(tx));
	check(adj(ADJ_SETOFFSET | ADJ_NANO, &tx) >= 0 && tx.maxerror >= 100000,
	      "probe_setoffset_supported", "maxerror %ld", tx.maxerror);
	tx.time.tv_sec = 0;
	tx.time.tv_usec = 1000000;
	check(adj(ADJ_SETOFFSET | ADJ_NANO, &tx) >= 0, "step_1ms", "errno=%d", errno);
}

static void test_status(void)
{
	struct timex tx = { 0 };
	int r;

	tx.status = STA_UNSYNC;
	r = adj(ADJ_STATUS, &tx);
	check(r == TIME_ERROR, "unsync_time_error", "r=%d", r);
	tx.status = 0;
	r = adj(ADJ_STATUS, &tx);
	check(r == TIME_OK, "sync_time_ok", "r=%d", r);
	tx.constant = 37;
	adj(ADJ_TAI, &tx);
	tx.constant = 200000;
	adj(ADJ_TAI, &tx);
	check(tx.tai == 37, "adj_tai_and_range", "tai=%d", tx.tai);
	check(now_ns(CLOCK_TAI) - now_ns(CLOCK_REALTIME) > 36900000000LL, "clock_tai", "tai-real %lld",
	      (long long)(now_ns(CLOCK_TAI) - now_ns(CLOCK_REALTIME)));
	tx.maxerror = 1000;
	tx.esterror = 20;
	adj(ADJ_MAXERROR | ADJ_ESTERROR, &tx);
	sleep_ns(10 * NS);
	r = adj(0, &tx);
	check(tx.maxerror == 6000 && tx.esterror == 20, "maxerror_grows_500us_per_s",
	      "maxerror %ld esterror %ld", tx.maxerror, tx.esterror);
	tx.maxerror = 15999000;
	adj(ADJ_MAXERROR, &tx);
	sleep_ns(3 * NS);
	r = adj(0, &tx);
	check(r == TIME_ERROR && (tx.status & STA_UNSYNC) && tx.maxerror == 16000000,
	      "maxerror_limit_sets_unsync", "r=%d status %#x maxerror %ld", r, tx.status, tx.maxerror);
}

/* Sleep until CLOCK_REALTIME reads sec + frac_ns within the current minute. */
static void sleep_until_second(int sec, int64_t frac_ns)
{
	int64_t now = now_ns(CLOCK_REALTIME), target = now - now % (60 * NS) + sec * NS + frac_ns;

	if (target > now)
		sleep_ns(target - now);
}

static void test_leap(int insert)
{
	int want = insert ? TIME_INS : TIME_DEL, flag = insert ? STA_INS : STA_DEL;
	struct timex tx = { 0 };
	long secs[5];
	int st[5], r, i, tai0;

	tx.constant = 36;
	adj(ADJ_TAI, &tx);
	tai0 = tx.tai;
	tx.status = flag;
	tx.maxerror = 0;	/* else it reaches 16 s, sets STA_UNSYNC: TIME_ERROR */
	r = adj(ADJ_STATUS | ADJ_MAXERROR, &tx);
	check(r == TIME_OK, "arm_returns_ok_until_next_second", "r=%d", r);
	sleep_ns(NS);
	check(state() == want, "armed_state", "state %d", state());
	sleep_until_second(57, 500000000);
	for (i = 0; i < 5; i++) {
		secs[i] = time(NULL) % 60;
		st[i] = state();
		sleep_ns(NS);
	}
	if (insert)
		check(secs[0] == 57 && secs[1] == 58 && secs[2] == 59 && secs[3] == 59 && secs[4] == 0,
		      "insert_repeats_23_59_59", "%ld %ld %ld %ld %ld", secs[0], secs[1], secs[2],
		      secs[3], secs[4]);
	else
		check(secs[0] == 57 && secs[1] == 58 && secs[2] == 0 && secs[3] == 1,
		      "delete_skips_23_59_59", "%ld %ld %ld %ld", secs[0], secs[1], secs[2], secs[3]);
	if (insert)
		check(st[2] == TIME_INS && st[3] == TIME_OOP && st[4] == TIME_WAIT, "insert_states",
		      "%d %d %d", st[2], st[3], st[4]);
	else
		check(st[1] == TIME_DEL && st[2] == TIME_WAIT && st[3] == TIME_WAIT, "delete_states",
		      "%d %d %d", st[1], st[2], st[3]);
	adj(0, &tx);
	check(tx.tai == tai0 + (insert ? 1 : -1), "leap_changes_tai", "tai %d", tx.tai);
	tx.status = 0;
	adj(ADJ_STATUS, &tx);
	sleep_ns(NS);
	check(state() == TIME_OK, "wait_to_ok_after_clear", "state %d", state());
}

/*
 * A step while TIME_INS: ntp_clear() forgets the leap's second, the state
 * still reads TIME_INS and midnight passes without a leap; clearing
 * STA_INS over a second boundary and setting it again re-arms.
 */
static void test_step_leap(void)
{
	struct timex tx = { 0 };
	long secs[5];
	int r, i, tai0;

	tx.constant = 36;
	adj(ADJ_TAI, &tx);
	tai0 = tx.tai;
	tx.status = STA_INS;
	tx.maxerror = 0;
	adj(ADJ_STATUS | ADJ_MAXERROR, &tx);
	sleep_ns(NS);
	check(state() == TIME_INS, "armed_before_step", "state %d", state());
	memset(&tx, 0, sizeof(tx));
	r = adj(ADJ_SETOFFSET | ADJ_NANO, &tx);
	check(r == TIME_ERROR && (tx.status & STA_INS) && (tx.status & STA_UNSYNC),
	      "step_sets_unsync_keeps_sta_ins", "r=%d status %#x", r, tx.status);
	tx.status = STA_INS;
	tx.maxerror = 0;
	r = adj(ADJ_STATUS | ADJ_MAXERROR, &tx);
	check(r == TIME_INS, "step_keeps_time_ins", "r=%d", r);
	sleep_until_second(57, 500000000);
	for (i = 0; i < 5; i++) {
		secs[i] = time(NULL) % 60;
		sleep_ns(NS);
	}
	check(secs[0] == 57 && secs[1] == 58 && secs[2] == 59 && secs[3] == 0 && secs[4] == 1,
	      "step_drops_the_leap", "%ld %ld %ld %ld %ld", secs[0], secs[1], secs[2], secs[3],
	      secs[4]);
	r = adj(0, &tx);
	check(r == TIME_INS && tx.tai == tai0, "stale_time_ins_after_midnight", "r=%d tai %d", r,
	      tx.tai);
	tx.status = 0;
	adj(ADJ_STATUS, &tx);
	sleep_ns(NS);
	check(state() == TIME_OK, "clear_returns_to_ok", "state %d", state());
	tx.status = STA_INS;
	adj(ADJ_STATUS, &tx);
	sleep_ns(NS);
	check(state() == TIME_INS, "rearmed", "state %d", state());
}

static void sync_and_exit(void)
{
	struct timex tx = { .status = 0, .maxerror = 1000, .esterror = 10 };

	adj(ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR, &tx);
	sleep_ns(3 * NS + NS / 2);
}

static volatile sig_atomic_t quit;

static void on_term(int sig)
{
	(void)sig;
	quit = 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "adj";
	struct sigaction sa = { .sa_handler = on_term };

	sigaction(SIGTERM, &sa, NULL);
	if (!strcmp(mode, "adj")) {
		test_freq_tick();
		test_steps();
		test_step_clears();
		test_status();
	} else if (!strcmp(mode, "probe")) {
		test_probe();
	} else if (!strcmp(mode, "stepleap")) {
		test_step_leap();
	} else if (!strcmp(mode, "sync")) {
		sync_and_exit();
		return 0;
	} else {
		test_leap(!strcmp(mode, "insert"));
	}
	while (!quit)	/* until the simulator's SIGTERM */
		pause();
	return tap_failed ? 1 : 0;
}
