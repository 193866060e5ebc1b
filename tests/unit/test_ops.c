// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pure parts of gnomond's operations side: the STATUS= line
 * (ops_format_status), what a SIGHUP changes (reload_diff), the
 * configuration checks beyond the key table (ops_check_config), the
 * recovery tally behind the *_total counters, and the metrics of one clock
 * and of the process (metrics_fill_*), on values made up here.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/lifecycle/ops_notify.h"
#include "daemon/lifecycle/reload.h"
#include "daemon/metrics/metrics_fill.h"
#include "daemon/lifecycle/ops.h"

Suite *unit_suite(void);

#define assert_has(out, s) ck_assert_msg(strstr(out, s) != NULL, "missing '%s' in:\n%.2000s", s, out)
#define assert_hasnt(out, s) ck_assert_msg(strstr(out, s) == NULL, "unexpected '%s' in:\n%.2000s", s, out)

static struct discipline_status clock_st(const char *name, enum disc_state state, int64_t off)
{
	struct discipline_status st;

	memset(&st, 0, sizeof(st));
	st.name = name;
	st.source = "phc:/dev/ptp0";
	st.kind = strcmp(name, "CLOCK_REALTIME") ? CLOCK_KIND_PHC : CLOCK_KIND_SYSTEM;
	st.state = state;
	st.servo = SERVO_KALMAN;
	st.offset_ns = off;
	st.updates = 10;
	st.last_update_age_s = 0.25;
	st.max_slew_ppm = 500;
	return st;
}

/* ---- STATUS= ----------------------------------------------------------- */

START_TEST(test_status_line)
{
	struct discipline_status st[3];
	char buf[512];
	size_t n;

	st[0] = clock_st("CLOCK_REALTIME", DISC_LOCKED, 12);
	st[1] = clock_st("/dev/ptp1", DISC_FREERUN, -300000000);
	st[1].slewing = true;
	st[1].slew_left_s = 3.04;
	ops_format_status(st, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "CLOCK_REALTIME LOCKED +12 ns; /dev/ptp1 SLEWING -300.000 ms, 3.0 s left");

	st[0].leap_applies = true;
	st[0].leap.smearing = true;
	st[2] = clock_st("eth1", DISC_HOLDOVER, 40);
	st[2].last_error = -EIO;
	ops_format_status(st, 3, buf, sizeof(buf));
	assert_has(buf, "CLOCK_REALTIME LOCKED +12 ns, smearing; ");
	assert_has(buf, "; eth1 HOLDOVER +40 ns (Input/output error)");

	st[1] = clock_st("/dev/ptp2", DISC_FREERUN, 0);
	st[1].updates = 0;
	st[1].last_update_age_s = -1;
	ops_format_status(&st[1], 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/dev/ptp2 FREERUN no update yet");

	ops_format_status(st, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "no clock");

	/* truncation keeps a terminated string and reports the wanted length */
	n = ops_format_status(st, 3, buf, 10);
	ck_assert_uint_eq(strlen(buf), 9);
	ck_assert_uint_gt(n, 10);
}
END_TEST

/* ---- reload_diff --------------------------------------------------------- */

static struct gnomon_config ca, cb;

static void load(struct gnomon_config *c, const char *name, const char *text)
{
	char err[512];

	ck_assert_msg(config_load_string(text, name, c, err, sizeof(err)) == 0, "%s", err);
}

#define BASE	"[global]\nlog_level = info\n\n[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\n" \
		"max_slew_ppm = 500\n"

static const struct reload_change *find_change(const struct reload_change *ch, int n,
					       const char *section, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ch[i].section, section) && !strcmp(ch[i].key, key))
			return &ch[i];
	return NULL;
}

START_TEST(test_reload_diff)
{
	struct reload_change ch[16];
	const struct reload_change *c;
	int n;

	load(&ca, "a.conf", BASE);
	load(&cb, "b.conf", BASE);
	ck_assert_int_eq(reload_diff(&ca, &cb, ch, 16), 0);

	load(&cb, "b.conf", "[global]\nlog_level = debug\nmetrics_listen = 127.0.0.1:9475\n\n"
	     "[CLOCK_REALTIME]\nsource = phc:/dev/ptp1\nmax_slew_ppm = 1000\n\n"
	     "[/dev/ptp2]\nsource = phc:/dev/ptp0\n");
	n = reload_diff(&ca, &cb, ch, 16);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(reload_diff(&ca, &cb, NULL, 0), 5);	/* counting only */

	c = find_change(ch, n, "global", "log_level");
	ck_assert_ptr_nonnull(c);
	ck_assert(c->runtime);
	ck_assert_str_eq(c->old_value, "info");
	ck_assert_str_eq(c->new_value, "debug");
	ck_assert_str_eq(c->where, "b.conf:2");

	c = find_change(ch, n, "global", "metrics_listen");
	ck_assert(c && c->runtime && !c->old_value[0]);
	ck_assert_str_eq(c->new_value, "127.0.0.1:9475");

	c = find_change(ch, n, "CLOCK_REALTIME", "source");
	ck_assert(c && !c->runtime);
	ck_assert_str_eq(c->where, "b.conf:6");

	c = find_change(ch, n, "CLOCK_REALTIME", "max_slew_ppm");
	ck_assert(c && c->runtime);
	ck_assert_str_eq(c->old_value, "500");
	ck_assert_str_eq(c->new_value, "1000");

	c = find_change(ch, n, "/dev/ptp2", "");	/* a new section: one change */
	ck_assert(c && !c->runtime && !c->old_value[0]);

	/* and back: the section is removed, the rest reverts */
	n = reload_diff(&cb, &ca, ch, 16);
	ck_assert_int_eq(n, 5);
	c = find_change(ch, n, "/dev/ptp2", "");
	ck_assert(c && c->old_value[0]);

	/* more changes than room: the count is still right */
	ck_assert_int_eq(reload_diff(&ca, &cb, ch, 2), 5);
}
END_TEST

START_TEST(test_reload_diff_defaults)
{
	struct reload_change ch[4];
	int n;

	/* setting a key to its default value is no change */
	load(&ca, "a.conf", BASE);
	load(&cb, "b.conf", BASE "update_rate = 1\n");
	ck_assert_int_eq(reload_diff(&ca, &cb, ch, 4), 0);
	/* a default that changes is one */
	load(&cb, "b.conf", BASE "update_rate = 2\n");
	n = reload_diff(&ca, &cb, ch, 4);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(ch[0].key, "update_rate");
	ck_assert(!ch[0].runtime);
}
END_TEST

/* ---- ops_check_config ------------------------------------------------------ */

START_TEST(test_check_config)
{
	char err[512];

	load(&ca, "c.conf", "[global]\nuser = root\ngroup = 0\n\n[CLOCK_REALTIME]\nsource = phc:ptp0\n");
	ck_assert_int_eq(ops_check_config(&ca, err, sizeof(err)), 0);

	load(&ca, "c.conf", "[global]\nuser = no-such-user-qq\n\n[CLOCK_REALTIME]\nsource = phc:ptp0\n");
	ck_assert_int_eq(ops_check_config(&ca, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "c.conf:2: user: no such user 'no-such-user-qq'");

	load(&ca, "c.conf", "[global]\ngroup = 0\n\n[CLOCK_REALTIME]\nsource = phc:ptp0\n");
	ck_assert_int_eq(ops_check_config(&ca, err, sizeof(err)), -EINVAL);
	assert_has(err, "c.conf:2: group is set without user");

	load(&ca, "c.conf", "[global]\nmetrics_listen = 0.0.0.0:9100\n\n[CLOCK_REALTIME]\nsource = phc:ptp0\n");
	ck_assert_int_eq(ops_check_config(&ca, err, sizeof(err)), -EPERM);
	assert_has(err, "c.conf:2: metrics_listen: 0.0.0.0:9100 is not a loopback address");

	load(&ca, "c.conf", "[global]\nmetrics_listen = 0.0.0.0:9100\nmetrics_allow_remote = yes\n\n"
	     "[CLOCK_REALTIME]\nsource = phc:ptp0\n");
	ck_assert_int_eq(ops_check_config(&ca, err, sizeof(err)), 0);
	load(&ca, "c.conf", "[global]\nmetrics_listen = [::1]:9475\npidfile = none\n\n"
	     "[CLOCK_REALTIME]\nsource = phc:ptp0\n");
	ck_assert_int_eq(ops_check_config(&ca, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_config_keys_refused)
{
	static const char *const bad[][2] = {
		{ "metrics_listen = localhost:9475\n", "t.conf:2: metrics_listen: not a numeric address" },
		{ "metrics_textfile = /tmp/gnomon.txt\n", "t.conf:2: metrics_textfile: must end in .prom" },
		{ "metrics_textfile = gnomon.prom\n", "t.conf:2: metrics_textfile: must be an absolute path" },
		{ "metrics_interval = 0.5\n", "t.conf:2: metrics_interval:" },
		{ "user = a b\n", "t.conf:2: user: not a user or group name" },
		{ "pidfile = run/x.pid\n", "t.conf:2: pidfile: must be an absolute path, or none" },
		{ "allow_root = maybe\n", "t.conf:2: allow_root:" },
	};
	char text[256], err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[global]\n%s\n[CLOCK_REALTIME]\nsource = phc:ptp0\n",
			 bad[i][0]);
		ck_assert_int_lt(config_load_string(text, "t.conf", &ca, err, sizeof(err)), 0);
		ck_assert_msg(!strncmp(err, bad[i][1], strlen(bad[i][1])), "'%s' gave '%s'",
			      bad[i][0], err);
	}
	config_defaults(&ca);
	ck_assert_str_eq(ca.pidfile, "/run/gnomon/gnomond.pid");
	ck_assert_str_eq(ca.user, "");
	ck_assert(!ca.allow_root);
	ck_assert_str_eq(ca.metrics_listen, "");
	ck_assert_double_eq(ca.metrics_interval_s, 10);
}
END_TEST

/* ---- the recovery tally ------------------------------------------------------- */

static struct recovery_report rep(enum recovery_kind k, int64_t mono, bool recovered, double s)
{
	struct recovery_report r;

	memset(&r, 0, sizeof(r));
	r.kind = k;
	r.event_mono_ns = mono;
	r.recovered = recovered;
	r.recovery_s = recovered ? s : NAN;
	r.limit_s = 0.5;
	return r;
}

START_TEST(test_tally)
{
	struct recovery_tally t;
	struct recovery_report h[4] = { 0 };
	struct recovery_status rs;

	memset(&t, 0, sizeof(t));
	memset(&rs, 0, sizeof(rs));
	/* the start event in progress: counted once, however often we look */
	rs.active = true;
	rs.kind = RECOVERY_START;
	rs.event_mono_ns = 100;
	recovery_tally_update(&t, h, 0, &rs);
	recovery_tally_update(&t, h, 0, &rs);
	ck_assert_uint_eq(t.events[RECOVERY_START], 1);
	ck_assert(!t.has_last[RECOVERY_START]);

	/* it completes: not counted again; its time becomes the last */
	h[0] = rep(RECOVERY_START, 100, true, 2.5);
	rs.active = false;
	rs.completed = 1;
	recovery_tally_update(&t, h, 1, &rs);
	ck_assert_uint_eq(t.events[RECOVERY_START], 1);
	ck_assert(t.has_last[RECOVERY_START]);
	ck_assert_double_eq(t.last_s[RECOVERY_START], 2.5);
	ck_assert_double_eq(t.last_limit_s[RECOVERY_START], 0.5);

	/* a step that began and ended between two looks, then a leap that is
	 * superseded by a fault_cleared still in progress */
	h[1] = rep(RECOVERY_STEP, 200, true, 1.0);
	h[2] = rep(RECOVERY_LEAP, 300, false, 0);
	rs.completed = 3;
	rs.active = true;
	rs.kind = RECOVERY_FAULT_CLEARED;
	rs.event_mono_ns = 400;
	recovery_tally_update(&t, h, 3, &rs);
	ck_assert_uint_eq(t.events[RECOVERY_START], 1);
	ck_assert_uint_eq(t.events[RECOVERY_STEP], 1);
	ck_assert_uint_eq(t.events[RECOVERY_LEAP], 1);
	ck_assert_uint_eq(t.events[RECOVERY_FAULT_CLEARED], 1);
	ck_assert(isnan(t.last_s[RECOVERY_LEAP]));

	/* the history holds fewer reports than completed: count what it has */
	h[0] = rep(RECOVERY_STEP, 500, true, 3.0);
	rs.completed = 6;
	rs.active = false;
	recovery_tally_update(&t, h, 1, &rs);
	ck_assert_uint_eq(t.events[RECOVERY_STEP], 2);
	ck_assert_double_eq(t.last_s[RECOVERY_STEP], 3.0);
}
END_TEST

/* ---- metrics ------------------------------------------------------------------ */

static const char *render(struct metrics *m)
{
	const char *t = metrics_text(m, NULL);

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_metrics_clock)
{
	struct metrics *m = metrics_create();
	struct discipline_status st = clock_st("CLOCK_REALTIME", DISC_LOCKED, -32);
	struct recovery_tally t;
	const char *txt;

	memset(&t, 0, sizeof(t));
	t.events[RECOVERY_START] = 1;
	t.has_last[RECOVERY_LEAP] = true;
	t.last_s[RECOVERY_LEAP] = NAN;
	t.last_limit_s[RECOVERY_LEAP] = 10;
	st.freq_ppb = 12345;
	st.slewing = true;
	st.slew_left_s = 1.5;
	st.steps = 2;
	st.faults = 3;
	st.update_failures = 7;
	st.have_rms = true;
	st.rms_offset_ns = 20;
	st.have_bound = true;
	st.error_bound_ns = 150;
	st.has_kernel_sync = st.kernel_synced = true;
	st.kernel_maxerror_ns = 1000;
	st.kernel_esterror_ns = 100;
	st.have_tai = true;
	st.tai_offset_s = 37;
	st.leap_pending = 1;
	ck_assert_int_eq(metrics_fill_clock(m, &st, 0.010001, &t), 0);
	txt = render(m);
#define L "{clock=\"CLOCK_REALTIME\",source=\"phc:/dev/ptp0\""
	assert_has(txt, "gnomon_clock_info" L ",kind=\"system\",servo=\"kalman\"} 1\n");
	assert_has(txt, "gnomon_clock_offset_seconds" L "} -3.2e-08\n");
	assert_has(txt, "gnomon_clock_frequency_adjustment_ratio" L "} 1.2345e-05\n");
	assert_has(txt, "gnomon_clock_tick_seconds" L "} 0.010001\n");
	assert_has(txt, "gnomon_clock_state" L ",state=\"LOCKED\"} 1\n");
	assert_has(txt, "gnomon_clock_state" L ",state=\"HOLDOVER\"} 0\n");
	assert_has(txt, "gnomon_clock_sample_age_seconds" L "} 0.25\n");
	assert_has(txt, "gnomon_clock_updates_total" L "} 10\n");
	assert_has(txt, "gnomon_clock_steps_total" L "} 2\n");
	assert_has(txt, "gnomon_clock_faults_total" L "} 3\n");
	assert_has(txt, "gnomon_clock_update_failures_total" L "} 7\n");
	assert_has(txt, "gnomon_clock_rms_offset_seconds" L "} 2e-08\n");
	assert_has(txt, "gnomon_clock_error_bound_seconds" L "} 1.5e-07\n");
	assert_has(txt, "gnomon_clock_kernel_synced" L "} 1\n");
	assert_has(txt, "gnomon_clock_kernel_maxerror_seconds" L "} 1e-06\n");
	assert_has(txt, "gnomon_clock_kernel_esterror_seconds" L "} 1e-07\n");
	assert_has(txt, "gnomon_tai_offset_seconds" L "} 37\n");
	assert_has(txt, "gnomon_leap_pending" L ",from=\"in_use\"} 1\n");
	assert_has(txt, "gnomon_clock_slewing" L "} 1\n");
	assert_has(txt, "gnomon_clock_slew_remaining_seconds" L "} 1.5\n");
	assert_has(txt, "gnomon_clock_recovery_events_total" L ",event=\"start\"} 1\n");
	assert_has(txt, "gnomon_clock_recovery_events_total" L ",event=\"fault_cleared\"} 0\n");
	assert_has(txt, "gnomon_clock_last_recovery_seconds" L ",event=\"leap\"} NaN\n");
	assert_has(txt, "gnomon_clock_last_recovery_limit_seconds" L ",event=\"leap\"} 10\n");
	assert_hasnt(txt, "gnomon_clock_last_recovery_seconds" L ",event=\"start\"}");
#undef L
	/* a PHC that never got a sample: no tick, +Inf age, NaN offset */
	metrics_reset(m);
	st = clock_st("/dev/ptp1", DISC_FREERUN, 0);
	st.updates = 0;
	st.last_update_age_s = -1;
	ck_assert_int_eq(metrics_fill_clock(m, &st, NAN, NULL), 0);
	txt = render(m);
	assert_hasnt(txt, "gnomon_clock_tick_seconds");	/* not even HELP/TYPE */
	assert_has(txt, "gnomon_clock_sample_age_seconds{clock=\"/dev/ptp1\",source=\"phc:/dev/ptp0\"} +Inf\n");
	assert_has(txt, "gnomon_clock_offset_seconds{clock=\"/dev/ptp1\",source=\"phc:/dev/ptp0\"} NaN\n");
	assert_has(txt, ",kind=\"phc\",servo=\"kalman\"} 1\n");
	assert_hasnt(txt, "gnomon_clock_recovery_events_total{");
	/* not LOCKED, nothing known: NaN bound, no kernel series for a PHC */
	assert_has(txt, "gnomon_clock_error_bound_seconds{clock=\"/dev/ptp1\",source=\"phc:/dev/ptp0\"} NaN\n");
	assert_has(txt, "gnomon_clock_rms_offset_seconds{clock=\"/dev/ptp1\",source=\"phc:/dev/ptp0\"} NaN\n");
	assert_has(txt, "gnomon_tai_offset_seconds{clock=\"/dev/ptp1\",source=\"phc:/dev/ptp0\"} NaN\n");
	assert_hasnt(txt, "gnomon_clock_kernel_synced{");
	/* a ptp4l source: the leap as each says it (a repeated "source" label
	 * made the whole clock's scrape fail before) */
	metrics_reset(m);
	st.ptp.present = true;
	st.ptp.leap_source = "ptp";
	st.ptp.ptp_leap = -1;
	ck_assert_int_eq(metrics_fill_clock(m, &st, NAN, NULL), 0);
	txt = render(m);
	assert_has(txt, "gnomon_leap_pending{clock=\"/dev/ptp1\",source=\"phc:/dev/ptp0\",from=\"ptp\"} -1\n");
	assert_has(txt, "gnomon_leap_pending{clock=\"/dev/ptp1\",source=\"phc:/dev/ptp0\",from=\"in_use\"} -1\n");
	metrics_destroy(m);
}
END_TEST

START_TEST(test_metrics_process)
{
	struct metrics *m = metrics_create();
	struct leaptable *lt = leaptable_create();
	const char *txt;

	ck_assert_int_eq(metrics_fill_process(m, lt, 1700000000, 42, 1699999000.5), 0);
	txt = render(m);
	assert_hasnt(txt, "gnomon_leap_file_expiry_timestamp_seconds");
	assert_has(txt, "gnomon_leap_file_status{status=\"none\"} 1\n");
	assert_has(txt, "gnomon_leap_file_status{status=\"ok\"} 0\n");
	assert_has(txt, "gnomon_loop_iterations_total 42\n");
	assert_has(txt, "gnomon_build_info{version=\"" GNOMON_VERSION "\"} 1\n");
	assert_has(txt, "process_start_time_seconds 1699999000.5\n");

	ck_assert_int_eq(leaptable_load_file(lt, "tests/leap/leap-seconds.list", NULL, 0), 0);
	metrics_reset(m);
	ck_assert_int_eq(metrics_fill_process(m, lt, 1700000000, 43, 0), 0);
	txt = render(m);
	assert_has(txt, "gnomon_leap_file_expiry_timestamp_seconds 1814140800\n");
	assert_has(txt, "gnomon_leap_file_status{status=\"ok\"} 1\n");
	/* within 28 days of the expiry */
	metrics_reset(m);
	ck_assert_int_eq(metrics_fill_process(m, lt, 1814140800 - 86400, 43, 0), 0);
	assert_has(render(m), "gnomon_leap_file_status{status=\"expires-soon\"} 1\n");
	leaptable_destroy(lt);
	metrics_destroy(m);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("ops");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_status_line);
	tcase_add_test(tc, test_reload_diff);
	tcase_add_test(tc, test_reload_diff_defaults);
	tcase_add_test(tc, test_check_config);
	tcase_add_test(tc, test_config_keys_refused);
	tcase_add_test(tc, test_tally);
	tcase_add_test(tc, test_metrics_clock);
	tcase_add_test(tc, test_metrics_process);
	suite_add_tcase(s, tc);
	return s;
}
