// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomonctl's human output for the schema-v1 fields beyond the first
 * table (daemon/ctl/ctl_render_ops.c): the daemon's user, capabilities,
 * configuration and systemd lines, each clock's leap policy and recovery
 * in progress, the leap and recovery commands; data shaped as the daemon
 * sends it (daemon/ctl/status.c), and data that is not.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon/ctl/ctl_render.h"

Suite *unit_suite(void);

static char *render(const char *command, const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_msg(o != NULL, "bad fixture: %s", text);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ctl_render(f, command, o, false), 0);
	fclose(f);
	json_object_put(o);
	return buf;
}

#define assert_has(out, s) ck_assert_msg(strstr(out, s) != NULL, "missing '%s' in:\n%.3000s", s, out)

#define LEAP_SMEAR "{\"policy\":\"smear\",\"applies\":true,\"smearing\":true," \
	"\"smear_offset_ns\":-523000000,\"paused\":false,\"kernel_armed\":0," \
	"\"leap_date\":\"2016-12-31\",\"leap_delta\":1,\"leap_past\":false}"
#define REC_FIELDS "\"event\":\"leap\",\"elapsed_s\":3.21,\"offset_ns\":1200000," \
	"\"threshold_ns\":1000,\"limit_s\":10.0,\"expected_left_s\":7.08"
#define RECOVERING "{" REC_FIELDS "}"
#define CLOCK(name, leap, rec) "{\"name\":\"" name "\",\"kind\":\"system\"," \
	"\"source\":\"phc:/dev/ptp0\",\"state\":\"LOCKED\",\"servo\":\"kalman\"," \
	"\"servo_state\":\"locked\",\"offset_ns\":12,\"freq_ppb\":-3217.4,\"max_slew_ppm\":500," \
	"\"slewing\":false,\"slew_left_s\":0,\"at_cap\":false,\"last_update_age_s\":0.25," \
	"\"updates\":10,\"steps\":0,\"faults\":0,\"last_error\":null,\"leap\":" leap "," \
	"\"recovering\":" rec "}"
#define DAEMON(service, err) "{\"pid\":4242,\"uptime_s\":3723.5,\"dry_run\":false," \
	"\"loop_iterations\":123456,\"version\":\"0.1.0\",\"user\":\"gnomon (uid 998)\"," \
	"\"capabilities\":\"cap_sys_time=ep\",\"config_file\":\"/etc/gnomon/gnomon.conf\"," \
	"\"reloads\":2,\"reload_error\":" err ",\"service\":" service "}"
#define SERVICE "{\"ready\":true,\"watchdog\":true,\"watchdog_interval_s\":5," \
	"\"healthy\":true,\"reason\":\"ok (2 clocks fresh)\"}"

START_TEST(test_status_ops)
{
	char *out = render("status", "{\"version\":1,\"daemon\":" DAEMON(SERVICE, "null") ","
			   "\"clocks\":[" CLOCK("CLOCK_REALTIME", LEAP_SMEAR, RECOVERING) "]}");

	assert_has(out, "Mode            : normal\nVersion         : 0.1.0\n");
	assert_has(out, "User            : gnomon (uid 998)\n");
	assert_has(out, "Capabilities    : cap_sys_time=ep\n");
	assert_has(out, "Configuration   : /etc/gnomon/gnomon.conf, 2 reloads\n");
	assert_has(out, "Systemd         : ready, watchdog checked every 5.000 s: pinging "
		   "(ok (2 clocks fresh))\n");
	assert_has(out, "Leap policy     : smear (SMEARING: 0.523 s of +1 s applied; "
		   "next leap +1 s at the end of 2016-12-31)\n");
	assert_has(out, "Recovering      : from leap, 3.2 s elapsed, offset +1.200 ms, "
		   "about 7.1 s left\n");
	free(out);

	out = render("status", "{\"daemon\":" DAEMON("null", "\"x.conf:3: unknown key 'y'\"")
		     ",\"clocks\":[" CLOCK("eth1", "{\"policy\":\"accept\",\"applies\":false}",
					   "null") "]}");
	assert_has(out, "Configuration   : /etc/gnomon/gnomon.conf, 2 reloads, last one FAILED: "
		   "x.conf:3: unknown key 'y'\n");
	assert_has(out, "Systemd         : not started by a service manager (no NOTIFY_SOCKET)\n");
	assert_has(out, "Leap policy     : accept (not applied: the clock keeps its source's timescale)\n");
	assert_has(out, "Recovering      : none\n");
	free(out);

	out = render("status", "{\"daemon\":" DAEMON("{\"ready\":false,\"watchdog\":true,"
		     "\"watchdog_interval_s\":1,\"healthy\":false,\"reason\":\"clock eth1: last "
		     "successful read/adjust 7.4 s ago (limit 3.0 s)\"}", "null") ",\"clocks\":[]}");
	assert_has(out, "Systemd         : starting, watchdog checked every 1.000 s: NOT PINGING "
		   "(clock eth1: last successful read/adjust 7.4 s ago (limit 3.0 s))\n");
	free(out);
}
END_TEST

START_TEST(test_leap_lines)
{
	char *out = render("status", "{\"clocks\":["
		CLOCK("a", "{\"policy\":\"accept\",\"applies\":true,\"smearing\":false,"
		      "\"smear_offset_ns\":0,\"paused\":false,\"kernel_armed\":1,"
		      "\"leap_date\":\"2016-12-31\",\"leap_delta\":1,\"leap_past\":false}", "null") ","
		CLOCK("b", "{\"policy\":\"step\",\"applies\":true,\"smearing\":false,"
		      "\"smear_offset_ns\":0,\"paused\":true,\"kernel_armed\":0,"
		      "\"leap_date\":\"2016-12-31\",\"leap_delta\":1,\"leap_past\":true}", "null") ","
		CLOCK("c", "{\"policy\":\"ignore\",\"applies\":true,\"smearing\":false,"
		      "\"smear_offset_ns\":0,\"paused\":false,\"kernel_armed\":-1}",
		      "{\"event\":\"start\",\"elapsed_s\":75,\"offset_ns\":-40,\"threshold_ns\":100,"
		      "\"limit_s\":0}") "]}");

	assert_has(out, "Leap policy     : accept (kernel armed to insert a second; next leap +1 s "
		   "at the end of 2016-12-31)\n");
	assert_has(out, "Leap policy     : step (PAUSED around the leap; last leap +1 s at the end "
		   "of 2016-12-31)\n");
	assert_has(out, "Leap policy     : ignore (kernel armed to delete a second)\n");
	assert_has(out, "Recovering      : from start, 0h 01m 15s elapsed, offset -40 ns\n");
	free(out);
}
END_TEST

START_TEST(test_leap_command)
{
	char *out = render("leap", "{\"table\":{\"file\":\"/usr/share/zoneinfo/leap-seconds.list\","
		"\"loaded\":true,\"status\":\"loaded from x, 28 entries, expires 2027-06-28, hash OK\","
		"\"entries\":28,\"expiry\":\"ok\",\"expires_utc\":\"2027-06-28\",\"tai_utc_s\":36,"
		"\"next_leap\":{\"date\":\"2016-12-31\",\"delta\":1}},\"clocks\":["
		"{\"clock\":\"CLOCK_REALTIME\",\"policy\":\"smear\",\"applies\":true,\"smearing\":true,"
		"\"smear_offset_ns\":-523000000,\"paused\":false,\"kernel_armed\":0,"
		"\"leap_date\":\"2016-12-31\",\"leap_delta\":1,\"leap_past\":false},"
		"{\"clock\":\"/dev/ptp1\",\"policy\":\"accept\",\"applies\":false,\"smearing\":false,"
		"\"smear_offset_ns\":0,\"paused\":false,\"kernel_armed\":0}]}");

	assert_has(out, "Leap file       : /usr/share/zoneinfo/leap-seconds.list\n");
	assert_has(out, "Loaded          : yes\n");
	assert_has(out, "Expiry          : ok, expires 2027-06-28\n");
	assert_has(out, "TAI - UTC       : 36 s\n");
	assert_has(out, "Next leap       : +1 s at the end of 2016-12-31\n");
	assert_has(out, "\nCLOCK           POLICY  APPLIES  NOW               KERNEL  LEAP\n");
	assert_has(out, "CLOCK_REALTIME  smear   yes      SMEARING 0.523 s  -       2016-12-31 +1\n");
	assert_has(out, "/dev/ptp1       accept  no       -                 -       -\n");
	free(out);

	out = render("leap", "{\"table\":{\"file\":\"/x\",\"loaded\":false,\"status\":\"no leap "
		     "table\",\"entries\":0,\"expiry\":\"none\"},\"clocks\":[]}");
	assert_has(out, "TAI - UTC       : unknown\n");
	assert_has(out, "Next leap       : none announced\n");
	assert_has(out, "No clock is disciplined.\n");
	free(out);
}
END_TEST

START_TEST(test_recovery_command)
{
	char *out = render("recovery", "{\"events\":[{\"schema\":\"gnomon.recovery.v1\","
		"\"time_utc\":\"2024-06-01T00:00:00.001Z\",\"clock\":\"CLOCK_REALTIME\","
		"\"event\":\"start\",\"offset_at_event_ns\":1000000,\"peak_ns\":1000000,"
		"\"overshoot_ns\":1,\"limit_s\":1.0,\"recovery_s\":1.0583,\"ratio\":1.0583,"
		"\"threshold_ns\":1000,\"hold_s\":10.0,\"recovered\":true,\"superseded\":false,"
		"\"cap_ppb\":1000000,\"elapsed_s\":11.06,\"event_utc_ns\":1717200000001004760,"
		"\"event_mono_ns\":1000000000220},{\"schema\":\"gnomon.recovery.v1\","
		"\"time_utc\":\"2024-06-01T00:01:00.000Z\",\"clock\":\"/dev/ptp1\",\"event\":\"step\","
		"\"offset_at_event_ns\":null,\"peak_ns\":40,\"overshoot_ns\":0,\"limit_s\":0,"
		"\"recovery_s\":null,\"ratio\":null,\"threshold_ns\":100,\"hold_s\":10,"
		"\"recovered\":false,\"superseded\":true,\"cap_ppb\":500000,\"elapsed_s\":2,"
		"\"event_utc_ns\":1,\"event_mono_ns\":2}],"
		"\"in_progress\":[{\"clock\":\"CLOCK_REALTIME\"," REC_FIELDS "}],"
		"\"history_file\":\"/var/lib/gnomon/recovery.jsonl\"}");

	assert_has(out, "History file    : /var/lib/gnomon/recovery.jsonl\n");
	assert_has(out, "In progress     : CLOCK_REALTIME: from leap, 3.2 s elapsed, offset "
		   "+1.200 ms, about 7.1 s left\n");
	assert_has(out, "TIME_UTC                  CLOCK           EVENT     OFFSET      PEAK  "
		   "OVERSHOOT    LIMIT  RECOVERY  RATIO  OUTCOME\n");
	assert_has(out, "2024-06-01T00:00:00.001Z  CLOCK_REALTIME  start  +1.000 ms  1.000 ms"
		   "       1 ns  1.000 s   1.058 s  1.058  recovered\n");
	assert_has(out, "2024-06-01T00:01:00.000Z  /dev/ptp1       step           -     40 ns"
		   "       0 ns  0.000 s         -      -  superseded\n");
	free(out);

	out = render("recovery", "{\"events\":[],\"in_progress\":[],\"history_file\":\"/h\"}");
	ck_assert_str_eq(out, "History file    : /h\nIn progress     : none\n\n"
			 "No completed recovery event.\n");
	free(out);
}
END_TEST

START_TEST(test_off_schema)
{
	static const char *const cases[][2] = {
		{ "status", "{\"daemon\":{\"version\":3,\"service\":[1],\"reloads\":\"x\","
			    "\"config_file\":{}},\"clocks\":[{\"leap\":5,\"recovering\":\"x\"}]}" },
		{ "status", "{\"clocks\":[{\"leap\":{\"policy\":7,\"leap_date\":[]},"
			    "\"recovering\":{\"event\":null,\"elapsed_s\":\"a\"}}]}" },
		{ "leap", "{\"table\":{\"next_leap\":[],\"tai_utc_s\":\"x\"},\"clocks\":[1,{}]}" },
		{ "leap", "{\"table\":{},\"clocks\":{}}" },
		{ "recovery", "{\"history_file\":1,\"in_progress\":[1,null,{}],\"events\":[2,{}]}" },
		{ "recovery", "{\"in_progress\":{}}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = render(cases[i][0], cases[i][1]);

		ck_assert_ptr_nonnull(out);
		free(out);
	}
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("ops_render");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_status_ops);
	tcase_add_test(tc, test_leap_lines);
	tcase_add_test(tc, test_leap_command);
	tcase_add_test(tc, test_recovery_command);
	tcase_add_test(tc, test_off_schema);
	suite_add_tcase(s, tc);
	return s;
}
