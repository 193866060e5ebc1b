// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomonctl's output (daemon/ctl/ctl_render.c): unit formatting, the human
 * forms of every subcommand on schema-v1 data, --json round trip, and
 * robustness against data that does not follow the schema.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon/ctl/ctl_render.h"
#include "tests/unit/ctl_fixture.h"

Suite *unit_suite(void);

/* Render text (JSON) as command's reply; returns malloc'd output. */
static char *render(const char *command, const char *text, bool json)
{
	struct json_object *o = json_tokener_parse(text);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ctl_render(f, command, o, json), 0);
	fclose(f);
	json_object_put(o);
	return buf;
}

#define assert_has(out, s) ck_assert_msg(strstr(out, s) != NULL, "missing '%s' in:\n%s", s, out)

START_TEST(test_fmt_offset)
{
	static const struct { int64_t ns; const char *s; } cases[] = {
		{ 0, "+0 ns" }, { 999, "+999 ns" }, { -999, "-999 ns" }, { 1000, "+1.000 us" },
		{ -1500, "-1.500 us" }, { 12345, "+12.345 us" }, { 2500000, "+2.500 ms" },
		{ 999999499, "+999.999 ms" }, { -999999999, "-1.000000 s" },
		{ -3000000000LL, "-3.000000 s" },
		{ INT64_MIN, "-9223372036.854776 s" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctl_fmt_offset(buf, sizeof(buf), cases[i].ns);
		ck_assert_str_eq(buf, cases[i].s);
	}
}
END_TEST

/* An ok:false error string is data from the other end of the socket:
 * escape sequences in it never reach the terminal raw. */
START_TEST(test_error_sanitised)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	ctl_print_error(f, "/run/gnomon/ctl.sock", "status", "\x1b]0;pwned\x07\x1b[2Jbad\r\nline\x7f");
	fclose(f);
	ck_assert_str_eq(buf, "gnomonctl: /run/gnomon/ctl.sock: status: ?]0;pwned??[2Jbad??line?\n");
}
END_TEST

START_TEST(test_fmt_duration)
{
	char buf[64];

	ctl_fmt_duration(buf, sizeof(buf), 0.25);
	ck_assert_str_eq(buf, "0.250 s");
	ctl_fmt_duration(buf, sizeof(buf), 3723.9);
	ck_assert_str_eq(buf, "1h 02m 03s");
	ctl_fmt_duration(buf, sizeof(buf), 90061);
	ck_assert_str_eq(buf, "1d 01h 01m");
	ctl_fmt_duration(buf, sizeof(buf), -1);
	ck_assert_str_eq(buf, "-");
	ctl_fmt_duration(buf, sizeof(buf), 1e300);
	ck_assert_str_eq(buf, "104166666666d 16h 00m");
}
END_TEST

START_TEST(test_status_human)
{
	char *out = render("status", FIXTURE_STATUS, false);

	assert_has(out, "Daemon pid      : 4242\n");
	assert_has(out, "Uptime          : 1h 02m 03s\n");
	assert_has(out, "Loop iterations : 123456\n");
	assert_has(out, "Mode            : normal\n");
	assert_has(out, "\nClock           : CLOCK_REALTIME\n");
	assert_has(out, "State           : LOCKED\n");
	assert_has(out, "Servo           : pi, locked\n");
	assert_has(out, "Offset          : +12.345 us\n");
	assert_has(out, "Frequency       : -3.217 ppm\n");
	assert_has(out, "Slewing         : no\n");
	assert_has(out, "Last error      : none\n");
	assert_has(out, "Failed updates  : 3\n");
	assert_has(out, "RMS offset      : 850 ns (last 16 updates)\n");
	assert_has(out, "Error bound     : 15.100 us\n");
	assert_has(out, "Last good (UTC) : 2026-12-02T20:14:20.123456Z\n");
	assert_has(out, "Leap pending    : insert a second\n");
	assert_has(out, "TAI offset      : 37 s\n");
	assert_has(out, "Kernel sync     : synchronised, maxerror 16.000 us, esterror 1.200 us\n");
	assert_has(out, "\nClock           : /dev/ptp1\n");
	assert_has(out, "Offset          : -1.500000 s\n");
	assert_has(out, "Frequency       : +100000.000 ppm\n");
	assert_has(out, "Slewing         : yes, 15.200 s left, at the cap\n");
	assert_has(out, "Faults          : 2\n");
	assert_has(out, "Last error      : read failed: Input/output error\n");
	free(out);
}
END_TEST

START_TEST(test_json_round_trip)
{
	static const char *const cases[][2] = {
		{ "status", FIXTURE_STATUS }, { "sources", FIXTURE_SOURCES },
		{ "recovery", FIXTURE_RECOVERY }, { "config", FIXTURE_CONFIG },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = render(cases[i][0], cases[i][1], true);
		struct json_object *a = json_tokener_parse(out), *b = json_tokener_parse(cases[i][1]);

		ck_assert_msg(a && json_object_equal(a, b), "%s: '%s'", cases[i][0], out);
		/* numbers keep the daemon's spelling */
		if (!strcmp(cases[i][0], "status"))
			assert_has(out, "\"freq_ppb\": -3217.4");
		json_object_put(a);
		json_object_put(b);
		free(out);
	}
}
END_TEST

START_TEST(test_tables)
{
	char *out = render("clocks", FIXTURE_CLOCKS, false);
	char *line2;

	ck_assert_msg(!strncmp(out, "NAME ", 5), "%s", out);
	assert_has(out, "OFFSET");
	line2 = strchr(out, '\n') + 1;
	ck_assert(!strncmp(line2, "CLOCK_REALTIME  system  LOCKED", 30));
	assert_has(out, "+12.345 us");
	assert_has(out, "15.200 s (cap)");
	ck_assert_ptr_null(strstr(out, " \n"));		/* no trailing blanks */
	free(out);

	out = render("sources", FIXTURE_SOURCES, false);
	assert_has(out, "NAME           KIND  CLOCK      METHOD   DELAY  READINGS  USED_BY");
	assert_has(out, "phc:/dev/ptp0  phc   /dev/ptp0  precise  48 ns         5  "
		   "CLOCK_REALTIME,/dev/ptp1  -\n");
	free(out);

	out = render("recovery", FIXTURE_RECOVERY, false);
	assert_has(out, "clock           event  offset_ns  recovery_s  peak_ns\n");
	assert_has(out, "/dev/ptp1       step   -          -           -40\n");
	free(out);
	out = render("recovery", "{\"events\":[]}", false);
	ck_assert_str_eq(out, "No recovery event.\n");
	free(out);
}
END_TEST

START_TEST(test_leap_config_generic)
{
	char *out = render("leap", FIXTURE_LEAP, false);

	assert_has(out, "tai_utc_s       : 37\n");
	assert_has(out, "clocks:\n  clock           policy\n  CLOCK_REALTIME  smear\n");
	free(out);
	out = render("config", FIXTURE_CONFIG, false);
	ck_assert_str_eq(out, "[global]\nlog_level = info\n");
	free(out);
	out = render("newcommand", "{\"a\":true,\"b\":{\"c\":null}}", false);
	ck_assert_str_eq(out, "a               : yes\nb:\n  c               : -\n");
	free(out);
}
END_TEST

START_TEST(test_off_schema_data)
{
	static const char *const cases[][2] = {
		{ "status", "{}" }, { "status", "{\"clocks\":[{},3,null,\"x\"]}" },
		{ "status", "{\"clocks\":{},\"daemon\":[]}" },
		{ "clocks", "{\"clocks\":[{\"offset_ns\":\"big\",\"freq_ppb\":1e308,"
			    "\"last_update_age_s\":-5,\"name\":\"a\\nb\\u0001c\"}]}" },
		{ "sources", "{\"sources\":[{\"used_by\":[1,[2],{}]},7]}" },
		{ "recovery", "{\"events\":[1,{\"k\":[1,2]}],\"n\":3}" },
		{ "config", "{\"text\":5}" }, { "leap", "{\"x\":[[1],[2]]}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = render(cases[i][0], cases[i][1], false);

		ck_assert_ptr_nonnull(out);
		ck_assert_ptr_null(strchr(out, '\001'));	/* control chars replaced */
		free(out);
	}
	{
		char *out = render("clocks", "{\"clocks\":[{\"name\":\"a\\nb\"}]}", false);

		assert_has(out, "a?b");
		free(out);
	}
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("ctl_render");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fmt_offset);
	tcase_add_test(tc, test_fmt_duration);
	tcase_add_test(tc, test_status_human);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_leap_config_generic);
	tcase_add_test(tc, test_off_schema_data);
	tcase_add_test(tc, test_error_sanitised);
	suite_add_tcase(s, tc);
	return s;
}
