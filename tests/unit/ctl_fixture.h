/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Canned control replies in schema v1 (doc/control-protocol.md), shared by
 * test_ctl.c (the fake daemon's answers) and test_ctl_render.c.
 */
#ifndef GNOMON_TEST_CTL_FIXTURE_H
#define GNOMON_TEST_CTL_FIXTURE_H

#define FIXTURE_CLOCK_RT \
	"{\"name\":\"CLOCK_REALTIME\",\"kind\":\"system\",\"source\":\"phc:/dev/ptp0\"," \
	"\"state\":\"LOCKED\",\"servo\":\"pi\",\"servo_state\":\"locked\",\"offset_ns\":12345," \
	"\"freq_ppb\":-3217.4,\"max_slew_ppm\":500.0,\"slewing\":false,\"slew_left_s\":0.0," \
	"\"at_cap\":false,\"last_update_age_s\":0.25,\"updates\":1200,\"steps\":0,\"faults\":0," \
	"\"update_failures\":3,\"tracking\":{\"rms_offset_ns\":850,\"rms_updates\":16," \
	"\"error_bound_ns\":15100,\"last_good_utc\":\"2026-12-02T20:14:20.123456Z\"," \
	"\"leap_pending\":1,\"tai_offset_s\":37,\"kernel\":{\"synced\":true," \
	"\"maxerror_ns\":16000,\"esterror_ns\":1200}}," \
	"\"last_error\":null}"

#define FIXTURE_CLOCK_PHC \
	"{\"name\":\"/dev/ptp1\",\"kind\":\"phc\",\"source\":\"phc:/dev/ptp0\"," \
	"\"state\":\"HOLDOVER\",\"servo\":\"kalman\",\"servo_state\":\"locking\"," \
	"\"offset_ns\":-1500000000,\"freq_ppb\":100000000.0,\"max_slew_ppm\":100000.0," \
	"\"slewing\":true,\"slew_left_s\":15.2,\"at_cap\":true,\"last_update_age_s\":1.5," \
	"\"updates\":10,\"steps\":1,\"faults\":2,\"last_error\":\"read failed: Input/output error\"}"

#define FIXTURE_STATUS \
	"{\"version\":1,\"daemon\":{\"pid\":4242,\"uptime_s\":3723.5,\"dry_run\":false," \
	"\"loop_iterations\":123456},\"clocks\":[" FIXTURE_CLOCK_RT "," FIXTURE_CLOCK_PHC "]}"

#define FIXTURE_CLOCKS "{\"clocks\":[" FIXTURE_CLOCK_RT "," FIXTURE_CLOCK_PHC "]}"

#define FIXTURE_SOURCES \
	"{\"sources\":[{\"name\":\"phc:/dev/ptp0\",\"kind\":\"phc\",\"clock\":\"/dev/ptp0\"," \
	"\"method\":\"precise\",\"delay_ns\":48,\"readings\":5," \
	"\"used_by\":[\"CLOCK_REALTIME\",\"/dev/ptp1\"],\"last_error\":null}]}"

#define FIXTURE_RECOVERY \
	"{\"events\":[{\"clock\":\"CLOCK_REALTIME\",\"event\":\"start\",\"offset_ns\":1000000," \
	"\"recovery_s\":2.5},{\"clock\":\"/dev/ptp1\",\"event\":\"step\",\"peak_ns\":-40}]}"

#define FIXTURE_LEAP \
	"{\"file\":\"/usr/share/zoneinfo/leap-seconds.list\",\"expires\":\"2026-06-28\"," \
	"\"tai_utc_s\":37,\"clocks\":[{\"clock\":\"CLOCK_REALTIME\",\"policy\":\"smear\"}]}"

#define FIXTURE_CONFIG "{\"text\":\"[global]\\nlog_level = info\\n\"}"

#endif
