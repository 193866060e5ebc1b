// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulator's scenario parser: a full file with units, defaults,
 * absolute and relative event times, generated fault ends; every error
 * names its line; civil dates.
 */
#include <check.h>
#include <string.h>

#include "tests/sim/scenario.h"

Suite *unit_suite(void);

static struct scenario sc;
static char err[256];

static const char full[] =
	"# a comment\n"
	"start 2016-12-31T23:00:00Z\n"
	"duration 2h\n"
	"seed 0x2a\n"
	"tai_utc 36\n"
	"csv_interval 100ms\n"
	"stats_from 600\n"
	"system\n"
	"\toffset 1ms\n"
	"\tfreq -20ppm\n"
	"\twander 1.5\n"
	"\ttick 10001\n"
	"phc /dev/ptp3\n"
	"\treference\n"
	"\tnoise 10   # ns\n"
	"phc ptp1\n"
	"\tfreq 500ppb\n"
	"\tmax_adj 500ppm\n"
	"\tcross_timestamping yes\n"
	"\ttimescale utc\n"
	"interface eth0 ptp3\n"
	"interface eth9 none\n"
	"at 2017-01-01T00:00:00Z leap insert\n"
	"at 10m fault ptp1 eio 30\n"
	"at 5 time_jump system -2us\n"
	"at 2017-01-01T00:00:10Z freq_jump ptp1 3\n";

START_TEST(full_file)
{
	ck_assert_int_eq(scenario_parse(&sc, full, "full", err, sizeof(err)), 0);
	ck_assert_int_eq(sc.start_utc_s, 1483225200);
	ck_assert_int_eq(sc.duration_ns, 7200000000000LL);
	ck_assert_uint_eq(sc.seed, 42);
	ck_assert_int_eq(sc.csv_interval_ns, 100000000);
	ck_assert_int_eq(scenario_stats_from(&sc), 600000000000LL);
	ck_assert_int_eq(sc.nclocks, 3);
	ck_assert_str_eq(sc.clocks[0].name, "CLOCK_REALTIME");
	ck_assert_double_eq(sc.clocks[0].offset_ns, 1e6);
	ck_assert_double_eq(sc.clocks[0].freq_ppm, -20);
	ck_assert_int_eq(sc.clocks[0].tick_us, 10001);
	ck_assert_str_eq(sc.clocks[1].name, "ptp3");
	ck_assert(sc.clocks[1].reference);
	ck_assert_int_eq(sc.clocks[1].timescale, SC_TS_TAI);
	ck_assert_double_eq(sc.clocks[1].read_delay_ns, 500);	/* default */
	ck_assert_double_eq_tol(sc.clocks[2].freq_ppm, 0.5, 1e-12);
	ck_assert_int_eq(sc.clocks[2].max_adj_ppb, 500000);
	ck_assert(sc.clocks[2].cross_ts);
	ck_assert_int_eq(sc.clocks[2].timescale, SC_TS_UTC);
	ck_assert_int_eq(scenario_clock(&sc, "/dev/ptp1"), 2);
	ck_assert_int_eq(scenario_clock(&sc, "ptp7"), -1);
	ck_assert_int_eq(sc.nifaces, 2);
	ck_assert_int_eq(sc.ifaces[1].phc_index, -1);
}
END_TEST

START_TEST(events_resolved_and_sorted)
{
	ck_assert_int_eq(scenario_parse(&sc, full, "full", err, sizeof(err)), 0);
	ck_assert_int_eq(sc.nevents, 5);
	ck_assert_int_eq(sc.events[0].kind, SC_EV_TIME_JUMP);
	ck_assert_int_eq(sc.events[0].at_ns, 5000000000LL);
	ck_assert_double_eq(sc.events[0].value, -2000);
	ck_assert_int_eq(sc.events[1].kind, SC_EV_FAULT_EIO);
	ck_assert_int_eq(sc.events[2].kind, SC_EV_FAULT_END);
	ck_assert_int_eq(sc.events[2].at_ns, 630000000000LL);
	/* insertion: TAI-UTC 36 -> 37 at TAI midnight + 36 s = 3600 s in */
	ck_assert_int_eq(sc.events[3].kind, SC_EV_LEAP_INS);
	ck_assert_int_eq(sc.events[3].at_ns, 3600000000000LL);
	/* 00:00:10 UTC after the leap: 3600 + 1 + 10 s of TAI */
	ck_assert_int_eq(sc.events[4].kind, SC_EV_FREQ_JUMP);
	ck_assert_int_eq(sc.events[4].at_ns, 3611000000000LL);
}
END_TEST

START_TEST(leap_delete_time)
{
	static const char t[] = "start 2016-12-31T23:00:00Z\nduration 2h\ntai_utc 36\n"
				"at 2017-01-01T00:00:00Z leap delete\n";

	ck_assert_int_eq(scenario_parse(&sc, t, "t", err, sizeof(err)), 0);
	/* the skipped 23:59:59 starts 3599 s in */
	ck_assert_int_eq(sc.events[0].at_ns, 3599000000000LL);
}
END_TEST

static void expect_error(const char *text, const char *msg)
{
	ck_assert_int_lt(scenario_parse(&sc, text, "x.scn", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, msg), "error '%s' lacks '%s'", err, msg);
}

START_TEST(errors_name_the_line)
{
	expect_error("duration 1\nbogus 3\n", "x.scn:2: unknown keyword 'bogus'");
	expect_error("duration 1\noffset 3\n", "x.scn:2: offset: clock key outside");
	expect_error("duration 1\nsystem\n\tfreq 3 Hz\n", "x.scn:3: freq: expected one value");
	expect_error("duration 1\nsystem\n\tfreq 3Hz\n", "x.scn:3: freq: bad frequency");
	expect_error("duration 1\nsystem\n\ttick 8000\n", "x.scn:3: tick:");
	expect_error("duration 1\nsystem\n\tmax_adj 5\n", "x.scn:3: max_adj: only for a PHC");
	expect_error("duration 1\nphc ptp0\nphc ptp0\n", "x.scn:3: phc: ptp0 declared twice");
	expect_error("duration 1\nphc ptp0\n\treference\n\toffset 1\n", "x.scn:2: ptp0: a reference");
	expect_error("duration 1\ninterface eth0 ptp4\n", "interface eth0: ptp4 is not declared");
	expect_error("seed 1\n", "no 'duration'");
	expect_error("duration 10\nat 10 time_jump system 1\n", "x.scn:2: at: event outside the run");
	expect_error("duration 10\nat 5 time_jump ptp0 1\n", "x.scn:2: at: unknown clock 'ptp0'");
	expect_error("duration 10\nat 5 leap insert\n", "x.scn:2: at: a leap needs an absolute UTC midnight");
	expect_error("duration 1d\nstart 2016-12-31T12:00:00Z\nat 2017-01-01T00:00:01Z leap insert\n",
		     "x.scn:3: at: a leap needs");
	expect_error("duration 10\nphc ptp0\nat 5 fault system eio 1\n", "only a PHC can fault");
	expect_error("duration 10\nphc ptp0\nat 5 fault ptp0 melt 1\n",
		     "x.scn:3: at: expected 'fault ptpN eio|hang|enodev|ebusy|unplug LENGTH'");
	expect_error("duration 10\nphc ptp0\nat 5 fault ptp0 unplug 0\n", "fault length must be positive");
	expect_error("duration 10\nat 5 foreign_tick 8000\n", "x.scn:2: foreign_tick: '8000' is not an integer in 9000..11000");
	expect_error("duration 10\nat 5 foreign_freq system 600ppm\n", "x.scn:2: at: foreign_freq: 600ppm is beyond 500 ppm");
	expect_error("duration 10\nat 5 freq_reset system 1\n", "x.scn:2: at: expected 'freq_reset CLOCK'");
	expect_error("duration 10\nstart 2017-02-30T00:00:00Z\n", "x.scn:2: start:");
	expect_error("duration 10\nstats_from 20\n", "stats_from: at or after the end");
}
END_TEST

START_TEST(health_keys)
{
	static const char t[] = "duration 100\ncpus 6\nclocksources kvm-clock tsc\n"
				"at 10 cpu_offset 0 -85s\nat 20 clocksource tsc 30ppm\n"
				"at 30 timer_late all 5ms 2s\nat 40 timer_early realtime 1s 3s\n";

	ck_assert_int_eq(scenario_parse(&sc, t, "t", err, sizeof(err)), 0);
	ck_assert_int_eq(sc.ncpus, 6);
	ck_assert_str_eq(sc.clocksources, "kvm-clock tsc");
	ck_assert_int_eq(sc.events[0].kind, SC_EV_CPU_OFFSET);
	ck_assert_int_eq(sc.events[0].cpu, 0);
	ck_assert_double_eq(sc.events[0].value, -85e9);
	ck_assert_int_eq(sc.events[1].kind, SC_EV_CLOCKSOURCE);
	ck_assert_str_eq(sc.events[1].name, "tsc");
	ck_assert_double_eq_tol(sc.events[1].value, 30, 1e-9);
	ck_assert_int_eq(sc.events[2].kind, SC_EV_TIMER_EARLY);
	ck_assert_double_eq(sc.events[2].value, -5e6);	/* late: negative */
	ck_assert_int_eq(sc.events[2].cpu, 0);
	ck_assert_int_eq(sc.events[3].cpu, 1);		/* realtime only */
	ck_assert_int_eq(sc.events[3].length_ns, 3000000000LL);
	expect_error("duration 10\ncpus 65\n", "x.scn:2: cpus: '65' is not an integer in 1..64");
	expect_error("duration 10\nat 1 cpu_offset 1 5s\n", "x.scn:2: at: cpu_offset: CPU '1' is not within 0..0");
	expect_error("duration 10\nat 1 timer_early some 1s 1s\n", "x.scn:2: at: expected 'timer_early all|realtime");
	expect_error("duration 10\nat 1 timer_late all -1s 1s\n", "AMOUNT and LENGTH must be positive");
	expect_error("duration 10\nat 1 clocksource hpet\n", "x.scn:2: at: expected 'clocksource NAME FREQ_JUMP'");
}
END_TEST

START_TEST(dates)
{
	int64_t s, ns;
	char buf[32];

	ck_assert_int_eq(sc_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(sc_days_from_civil(2017, 1, 1), 17167);
	ck_assert_int_eq(sc_days_from_civil(2000, 3, 1), 11017);
	ck_assert_int_eq(sc_parse_date("2016-12-31T23:59:59.25Z", &s, &ns), 0);
	ck_assert_int_eq(s, 1483228799);
	ck_assert_int_eq(ns, 250000000);
	ck_assert_int_lt(sc_parse_date("2016-12-31 23:59:59Z", &s, &ns), 0);
	ck_assert_int_lt(sc_parse_date("2016-02-30T00:00:00Z", &s, &ns), 0);
	ck_assert_int_lt(sc_parse_date("2016-12-31T23:59:59", &s, &ns), 0);
	ck_assert_int_eq(sc_parse_date("2024-02-29T00:00:00Z", &s, &ns), 0);
	sc_format_date(1483228800, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2017-01-01T00:00:00Z");
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sim_scenario");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, full_file);
	tcase_add_test(tc, events_resolved_and_sorted);
	tcase_add_test(tc, leap_delete_time);
	tcase_add_test(tc, errors_name_the_line);
	tcase_add_test(tc, dates);
	tcase_add_test(tc, health_keys);
	suite_add_tcase(s, tc);
	return s;
}
