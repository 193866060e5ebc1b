/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config parser: good files, one test per kind of bad input with the
 * exact FILE:LINE and the message, the print -> load round trip, defaults
 * by clock kind, config_where, the man page naming every key, and every
 * example in conf/ loading. Run from the top of the tree.
 */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/config/config.h"
#include "daemon/config/config_priv.h"
#include "phc/clockname.h"
#include "daemon/source/source.h"

static struct gnomon_config conf, conf2;
static char err[1024];

static int load(const char *text)
{
	err[0] = '\0';
	return config_load_string(text, "t.conf", &conf, err, sizeof(err));
}

#define SYSCLK "[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\n"

/* ---- good files ---- */

START_TEST(test_minimal)
{
	const struct clock_conf *cc = &conf.clocks[0];

	ck_assert_int_eq(load(SYSCLK), 0);
	ck_assert_int_eq(conf.n_clocks, 1);
	ck_assert_str_eq(cc->name, "CLOCK_REALTIME");
	ck_assert_str_eq(cc->source, "phc:/dev/ptp0");
	ck_assert_int_eq(cc->line, 1);
	ck_assert_int_eq(cc->servo, SERVO_KALMAN);
	ck_assert_double_eq(cc->max_slew_ppm, 500);
	ck_assert_double_eq(cc->max_slew_ppb, 500000);	/* resolved once, at load */
	ck_assert_double_eq(cc->step_threshold_s, 0);
	ck_assert_double_eq(cc->first_step_threshold_s, 0);
	ck_assert_double_eq(cc->update_rate_hz, 1);
	ck_assert_int_eq(cc->samples, 25);
	ck_assert_int_eq(cc->timescale, TS_UTC);
	ck_assert_int_eq(cc->source_timescale, TS_TAI);
	ck_assert_double_eq(cc->pi_kp, 0);
	ck_assert_double_eq(cc->pi_ki, 0);
	ck_assert_int_eq(conf.log_level, LOG_INFO);
	ck_assert_int_eq(conf.log_target, LOG_TO_STDERR);
	ck_assert(conf.tai_offset_auto);
	ck_assert_str_eq(conf.leapfile, "/usr/share/zoneinfo/leap-seconds.list");
	ck_assert_str_eq(conf.file, "t.conf");
}
END_TEST

static const char full[] =
	"[global]\n"
	"log_level = debug\n"
	"log_target = syslog\n"
	"tai_offset = 37\n"
	"leapfile = /etc/leap-seconds.list\n"
	"[CLOCK_REALTIME]\n"
	"source = phc:eth0\n"
	"servo = pi\n"
	"max_slew_ppm = 100000\n"
	"step_threshold = 0.5\n"
	"first_step_threshold = 0.00002\n"
	"update_rate = 16\n"
	"samples = 25\n"
	"timescale = tai\n"
	"source_timescale = utc\n"
	"pi_kp = 0.7\n"
	"pi_ki = 0.3\n";

START_TEST(test_full)
{
	const struct clock_conf *cc = &conf.clocks[0];

	ck_assert_msg(load(full) == 0, "%s", err);
	ck_assert_int_eq(conf.log_level, LOG_DEBUG);
	ck_assert_int_eq(conf.log_target, LOG_TO_SYSLOG);
	ck_assert(!conf.tai_offset_auto);
	ck_assert_int_eq(conf.tai_offset_s, 37);
	ck_assert_str_eq(conf.leapfile, "/etc/leap-seconds.list");
	ck_assert_int_eq(conf.global_line, 1);
	ck_assert_str_eq(cc->source, "phc:eth0");
	ck_assert_int_eq(cc->servo, SERVO_PI);
	ck_assert_double_eq(cc->max_slew_ppm, 100000);
	ck_assert_double_eq(cc->step_threshold_s, 0.5);
	ck_assert_double_eq(cc->first_step_threshold_s, 0.00002);
	ck_assert_double_eq(cc->update_rate_hz, 16);
	ck_assert_int_eq(cc->samples, 25);
	ck_assert_int_eq(cc->timescale, TS_TAI);
	ck_assert_int_eq(cc->source_timescale, TS_UTC);
	ck_assert_double_eq(cc->pi_kp, 0.7);
	ck_assert_double_eq(cc->pi_ki, 0.3);
	ck_assert_int_eq(cc->line, 6);
}
END_TEST

START_TEST(test_multiple_clocks)
{
	ck_assert_msg(load(SYSCLK
			   "[/dev/ptp1]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 1000000\n"
			   "[eth2]\nsource = phc:ptp0\n"
			   "[ptp3]\nsource = CLOCK_REALTIME\n") == 0, "%s", err);
	ck_assert_int_eq(conf.n_clocks, 4);
	ck_assert_str_eq(conf.clocks[1].name, "/dev/ptp1");
	ck_assert_int_eq(conf.clocks[1].line, 3);
	ck_assert_double_eq(conf.clocks[1].max_slew_ppm, 1e6);
	ck_assert_str_eq(conf.clocks[2].name, "eth2");
	ck_assert_str_eq(conf.clocks[3].name, "ptp3");
	ck_assert_int_eq(conf.clocks[3].line, 8);
	ck_assert_str_eq(conf.clocks[3].source, "CLOCK_REALTIME");
}
END_TEST

START_TEST(test_comments_whitespace)
{
	/* '#' inside a word does not start a comment (so the key is unknown). */
	ck_assert_int_lt(load(SYSCLK "servo#x = pi\n"), 0);
	ck_assert_str_eq(err, "t.conf:3: unknown key 'servo#x' in [CLOCK_REALTIME] (did you mean 'servo'?)");
	ck_assert_msg(load("\xef\xbb\xbf# c\n[global]   # c\n\tlog_level\t=\tnotice   ; why\n"
			   "[ eth1 ]\r\nsource=phc:eth0\r\n   servo   =   PI   \n"
			   "max_slew_ppm = 2000 # two thousand\n"
			   "\n   \n; end\n# end") == 0, "%s", err);
	ck_assert_int_eq(conf.log_level, LOG_NOTICE);
	ck_assert_str_eq(conf.clocks[0].name, "eth1");
	ck_assert_str_eq(conf.clocks[0].source, "phc:eth0");
	ck_assert_int_eq(conf.clocks[0].servo, SERVO_PI);
	ck_assert_double_eq(conf.clocks[0].max_slew_ppm, 2000);
	ck_assert_int_eq(conf.clocks[0].key_line[conf_key_index(conf_key_find("max_slew_ppm",
								       SCOPE_CLOCK))], 7);
}
END_TEST

START_TEST(test_long_lines)
{
	char text[4096], path[600];

	/* A long comment is fine; a path up to the buffer is kept whole. */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[CONF_PATH_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "#%0600d\n[global]\nleapfile = %s\n" SYSCLK, 0, path);
	ck_assert_msg(load(text) == 0, "%s", err);
	ck_assert_str_eq(conf.leapfile, path);
	path[CONF_PATH_MAX - 1] = 'a';
	path[CONF_PATH_MAX] = '\0';
	snprintf(text, sizeof(text), "[global]\nleapfile = %s\n" SYSCLK, path);
	ck_assert_int_lt(load(text), 0);
	ck_assert_str_eq(err, "t.conf:2: leapfile: value too long (at most 511 characters)");
}
END_TEST

/* ---- bad input: one case per kind, with the exact place ---- */

struct bad {
	const char *text;
	const char *msg;	/* the whole message, "t.conf:LINE: ..." */
};

static const struct bad bad[] = {
	/* unknown key, with the section, and a suggestion when close */
	{ SYSCLK "max_slew = 5\n", "t.conf:3: unknown key 'max_slew' in [CLOCK_REALTIME]" },
	{ SYSCLK "max_slew_pmm = 5\n",
	  "t.conf:3: unknown key 'max_slew_pmm' in [CLOCK_REALTIME] (did you mean 'max_slew_ppm'?)" },
	{ "[global]\nloglevel = info\n" SYSCLK,
	  "t.conf:2: unknown key 'loglevel' in [global] (did you mean 'log_level'?)" },
	/* key before any section */
	{ "log_level = info\n" SYSCLK,
	  "t.conf:1: key 'log_level' before any section (put it under [global] or a clock section)" },
	/* wrong scope, both ways */
	{ "[global]\nservo = pi\n" SYSCLK,
	  "t.conf:2: key 'servo' belongs in a clock section such as [CLOCK_REALTIME], not in [global]" },
	{ "[eth1]\nsource = phc:eth0\nlog_level = debug\n",
	  "t.conf:3: key 'log_level' belongs in [global], not in clock section [eth1]" },
	/* numbers */
	{ SYSCLK "max_slew_ppm = 12x\n",
	  "t.conf:3: max_slew_ppm: '12x' is not a number of ppm (units accepted: ppb, ppm, %)" },
	{ SYSCLK "lock_threshold = 1 fortnight\n", "t.conf:3: lock_threshold: '1 fortnight' "
	  "is not a number of s (units accepted: ns, us, \u00b5s, ms, s, min, h)" },
	{ SYSCLK "max_slew_ppm = 1us\n",
	  "t.conf:3: max_slew_ppm: '1us' is not a number of ppm (units accepted: ppb, ppm, %)" },
	{ SYSCLK "samples = 5s\n", "t.conf:3: samples: '5s' is not an integer (this key takes no unit)" },
	{ SYSCLK "max_slew_ppm = nan\n", "t.conf:3: max_slew_ppm: 'nan' is not a number" },
	{ SYSCLK "max_slew_ppm = inf\n", "t.conf:3: max_slew_ppm: 'inf' is not a number" },
	{ SYSCLK "max_slew_ppm = 0x10\n",
	  "t.conf:3: max_slew_ppm: '0x10' is not a number of ppm (units accepted: ppb, ppm, %)" },
	{ SYSCLK "max_slew_ppm = 1..5\n", "t.conf:3: max_slew_ppm: '1..5' is not a number" },
	{ SYSCLK "max_slew_ppm = 1e999\n",
	  "t.conf:3: max_slew_ppm: '1e999' is out of range (must be > 0 and <= 1000000 ppm)" },
	{ SYSCLK "samples = 9.5\n", "t.conf:3: samples: '9.5' is not an integer" },
	{ SYSCLK "samples = 99999999999999999999\n",
	  "t.conf:3: samples: '99999999999999999999' is out of range (must be 1 to 25)" },
	/* out of range, with the range and unit */
	{ SYSCLK "max_slew_ppm = 0\n",
	  "t.conf:3: max_slew_ppm: '0' is out of range (must be > 0 and <= 1000000 ppm)" },
	{ SYSCLK "max_slew_ppm = -5\n",
	  "t.conf:3: max_slew_ppm: '-5' is out of range (must be > 0 and <= 1000000 ppm)" },
	{ "[/dev/ptp1]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 1000001\n",
	  "t.conf:3: max_slew_ppm: '1000001' is out of range (must be > 0 and <= 1000000 ppm)" },
	{ SYSCLK "update_rate = 200\n",
	  "t.conf:3: update_rate: '200' is out of range (must be 0.01 to 128 Hz)" },
	{ SYSCLK "update_rate = 0.001\n",
	  "t.conf:3: update_rate: '0.001' is out of range (must be 0.01 to 128 Hz)" },
	{ SYSCLK "samples = 0\n", "t.conf:3: samples: '0' is out of range (must be 1 to 25)" },
	{ SYSCLK "step_threshold = -1\n",
	  "t.conf:3: step_threshold: '-1' is out of range (must be 0 to 1000000 s)" },
	{ SYSCLK "first_step_threshold = 1e-10\n",
	  "t.conf:3: first_step_threshold: 1e-10 s is below 1 ns (use 0 for never)" },
	{ SYSCLK "pi_kp = -0.1\n", "t.conf:3: pi_kp: '-0.1' is out of range (must be 0 to 10)" },
	{ "[global]\ntai_offset = 300\n" SYSCLK,
	  "t.conf:2: tai_offset: '300' is out of range (must be 0 to 200 s)" },
	{ "[global]\ntai_offset = automatic\n" SYSCLK,
	  "t.conf:2: tai_offset: 'automatic' is not auto or an integer" },
	/* the system clock's own cap */
	{ "\n[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 100001\n",
	  "t.conf:4: max_slew_ppm: 100001 ppm is above the 100000 ppm (10 %) the system clock can slew" },
	/* enums */
	{ SYSCLK "servo = foo\n", "t.conf:3: servo: 'foo' is not one of pi|kalman" },
	{ "[global]\nlog_level = verbose\n" SYSCLK,
	  "t.conf:2: log_level: 'verbose' is not one of err|warning|notice|info|debug" },
	{ SYSCLK "timescale = gps\n", "t.conf:3: timescale: 'gps' is not one of utc|tai" },
	/* duplicates */
	{ SYSCLK "servo = pi\nservo = linreg\n",
	  "t.conf:4: duplicate key 'servo' in [CLOCK_REALTIME] (first set at line 3)" },
	{ "[eth1]\nsource = phc:eth0\n[eth2]\nsource = phc:eth0\n[eth1]\nservo = pi\n",
	  "t.conf:5: duplicate section [eth1] (first at line 1)" },
	{ "[ptp1]\nsource = phc:eth0\n[/dev/ptp1]\nsource = phc:eth0\n",
	  "t.conf:3: duplicate section: [/dev/ptp1] is the same clock as [ptp1] at line 1" },
	{ "[global]\n" SYSCLK "[global]\n", "t.conf:4: duplicate section [global] (first at line 1)" },
	/* empty values */
	{ SYSCLK "servo =\n", "t.conf:3: servo: empty value (expected pi|kalman)" },
	{ SYSCLK "update_rate = # none\n",
	  "t.conf:3: update_rate: empty value (expected a number, 0.01 to 128 Hz)" },
	{ "[eth1]\nsource =\n",
	  "t.conf:2: source: empty value (expected phc:/dev/ptpN, phc:ptpN, phc:IFACE, ptp4l[:PATH], ntp or CLOCK_REALTIME)" },
	/* missing required key: at the section's line */
	{ "[global]\n\n[eth1]\nservo = pi\n", "t.conf:3: [eth1]: missing required key 'source'" },
	{ SYSCLK "[/dev/ptp1]\n", "t.conf:3: [/dev/ptp1]: missing required key 'source'" },
	/* syntax */
	{ "[eth1\nsource = phc:eth0\n", "t.conf:1: syntax error: section header without ']'" },
	{ "[eth1] x\nsource = phc:eth0\n", "t.conf:1: syntax error: text after the section header ']'" },
	{ "[]\n", "t.conf:1: syntax error: empty section name '[]'" },
	{ SYSCLK "servo pi\n",
	  "t.conf:3: syntax error: expected '[section]' or 'key = value', got 'servo pi'" },
	{ SYSCLK "source: phc:eth0\n",
	  "t.conf:3: syntax error: expected '[section]' or 'key = value', got 'source: phc:eth0'" },
	{ SYSCLK " = pi\n", "t.conf:3: syntax error: no key name before '='" },
	{ SYSCLK "servo = \x01\xff\n", "t.conf:3: servo: '\\x01\\xff' is not one of pi|kalman" },
	/* section names: phc/clockname.c's rules */
	{ "[sys]\nsource = phc:eth0\n[CLOCK_REALTIME]\nsource = phc:eth0\n",
	  "t.conf:3: duplicate section: [CLOCK_REALTIME] is the same clock as [sys] at line 1" },
	{ "[realtime]\nsource = phc:eth0\n[sys]\nsource = phc:eth0\n",
	  "t.conf:3: duplicate section: [sys] is the same clock as [realtime] at line 1" },
	{ "[CLOCK_TAI]\nsource = phc:eth0\n", "t.conf:1: section 'CLOCK_TAI' is not a clock "
	  "gnomon disciplines or reads (the system clock is CLOCK_REALTIME, also spelt realtime or sys)" },
	{ "[clock_realtime]\nsource = phc:eth0\n", "t.conf:1: section 'clock_realtime' is not a "
	  "clock gnomon disciplines or reads (the system clock is CLOCK_REALTIME, also spelt realtime or sys)" },
	{ "[/dev/ptp01]\nsource = phc:eth0\n", "t.conf:1: section '/dev/ptp01' is not a clock " "(expected CLOCK_REALTIME, /dev/ptpN, ptpN with N without leading zeros, or an interface name of at most 15 characters)" },
	{ "[ptp01]\nsource = phc:eth0\n", "t.conf:1: section 'ptp01' is not a clock " "(expected CLOCK_REALTIME, /dev/ptpN, ptpN with N without leading zeros, or an interface name of at most 15 characters)" },
	{ "[/dev/ptp_kvm]\nsource = phc:eth0\n", "t.conf:1: section '/dev/ptp_kvm' is not a clock " "(expected CLOCK_REALTIME, /dev/ptpN, ptpN with N without leading zeros, or an interface name of at most 15 characters)" },
	{ "[eth 1]\nsource = phc:eth0\n", "t.conf:1: section 'eth 1' is not a clock " "(expected CLOCK_REALTIME, /dev/ptpN, ptpN with N without leading zeros, or an interface name of at most 15 characters)" },
	{ "[averyverylongifname]\nsource = phc:eth0\n", "t.conf:1: section 'averyverylongifname' is not a clock " "(expected CLOCK_REALTIME, /dev/ptpN, ptpN with N without leading zeros, or an interface name of at most 15 characters)" },
	/* sources */
	{ "[/dev/ptp1]\nsource = phc:ptp1\n",
	  "t.conf:2: source: a clock cannot be its own source ([/dev/ptp1] from 'phc:ptp1')" },
	{ "[CLOCK_REALTIME]\nsource = CLOCK_REALTIME\n", "t.conf:2: source: a clock cannot be "
	  "its own source ([CLOCK_REALTIME] from 'CLOCK_REALTIME')" },
	{ SYSCLK "[eth1]\nsource = ptp:eth0\n", "t.conf:4: source: unknown source type in "
	  "'ptp:eth0' (expected phc:NAME, ptp4l[:PATH], bond:NAME or CLOCK_REALTIME)" },
	{ SYSCLK "[eth1]\nsource = eth0\n", "t.conf:4: source: 'eth0' needs its type (write phc:eth0)" },
	{ "[eth1]\nsource = phc:CLOCK_REALTIME\n", "t.conf:2: source: 'CLOCK_REALTIME' is the "
	  "system clock, not a PHC (write source = CLOCK_REALTIME)" },
	{ "[eth1]\nsource = phc:sys\n",
	  "t.conf:2: source: 'sys' is the system clock, not a PHC (write source = sys)" },
	{ "[eth1]\nsource = phc:/dev/ptp01\n", "t.conf:2: source: '/dev/ptp01' is not a clock " "(expected CLOCK_REALTIME, /dev/ptpN, ptpN with N without leading zeros, or an interface name of at most 15 characters)" },
	{ "[sys]\nsource = phc:eth0\n[eth0]\nsource = CLOCK_REALTIME\n",
	  "t.conf:2: source: the clocks discipline each other in a loop (sys from eth0 from sys)" },
	{ "[eth1]\nsource = phc:\n", "t.conf:2: source: '' is not a clock " "(expected CLOCK_REALTIME, /dev/ptpN, ptpN with N without leading zeros, or an interface name of at most 15 characters)" },
	{ "[/dev/ptp1]\nsource = phc:/dev/ptp2\n[/dev/ptp2]\nsource = phc:ptp1\n",
	  "t.conf:2: source: the clocks discipline each other in a loop "
	  "(/dev/ptp1 from /dev/ptp2 from /dev/ptp1)" },
	/* paths */
	{ "[global]\nleapfile = leap-seconds.list\n" SYSCLK,
	  "t.conf:2: leapfile: must be an absolute path" },
	/* no clock at all: no line */
	{ "[global]\nlog_level = info\n",
	  "t.conf: no clock to discipline (add a section such as [CLOCK_REALTIME] with "
	  "source = phc:/dev/ptp0)" },
	{ "", "t.conf: no clock to discipline (add a section such as [CLOCK_REALTIME] with "
	  "source = phc:/dev/ptp0)" },
};

START_TEST(test_bad)
{
	const struct bad *b = &bad[_i];

	ck_assert_msg(load(b->text) < 0, "case %d loaded:\n%s", _i, b->text);
	ck_assert_msg(!strcmp(err, b->msg), "case %d:\n got: %s\nwant: %s", _i, err, b->msg);
}
END_TEST

START_TEST(test_too_many_clocks)
{
	char text[8192];
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "[global]\n");
	for (int i = 0; i <= CONF_MAX_CLOCKS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[eth%d]\nsource = phc:ptp0\n", i);
	ck_assert_int_lt(load(text), 0);
	ck_assert_str_eq(err, "t.conf:66: too many clock sections (at most 32)");
}
END_TEST

START_TEST(test_file_errors)
{
	char path[] = "/tmp/test_config_XXXXXX", fifo[64];
	int fd;

	ck_assert_int_eq(config_load("/nonexistent/gnomon.conf", &conf, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/gnomon.conf: No such file or directory");
	ck_assert_int_lt(config_load("/tmp", &conf, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "/tmp: is a directory, not a regular file");
	/* a FIFO is refused at once (open(O_RDONLY) would wait for a writer
	 * forever: start-up, --check-config and SIGHUP all hung) */
	snprintf(fifo, sizeof(fifo), "/tmp/test_config_fifo.%ld", (long)getpid());
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(config_load(fifo, &conf, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is a FIFO, not a regular file"));
	unlink(fifo);
	/* /dev/null reads as an empty file (which names no clock) */
	ck_assert_int_eq(config_load("/dev/null", &conf, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "/dev/null: no clock to discipline"));

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, SYSCLK "servo = pi\0\n", sizeof(SYSCLK) + 11), (ssize_t)sizeof(SYSCLK) + 11);
	close(fd);
	ck_assert_int_lt(config_load(path, &conf, err, sizeof(err)), 0);
	ck_assert(strstr(err, ":3: NUL byte") != NULL);
	unlink(path);
}
END_TEST

/* ---- print -> load round trip ---- */

static void same_values(const void *a, const void *b, enum conf_scope scope)
{
	char va[CONF_PATH_MAX], vb[CONF_PATH_MAX];

	for (size_t i = 0; i < conf_n_keys; i++) {
		const struct conf_key *k = &conf_keys[i];
		size_t size = k->type == CT_STRING ? k->size : k->type == CT_DOUBLE ?
			      sizeof(double) : k->type == CT_BOOL ? sizeof(bool) : sizeof(int);

		if (k->scope != scope)
			continue;
		conf_format_value(k, a, va, sizeof(va));
		conf_format_value(k, b, vb, sizeof(vb));
		ck_assert_msg(!strcmp(va, vb), "%s: %s != %s", k->name, va, vb);
		if (k->type == CT_STRING)
			ck_assert_str_eq((const char *)a + k->offset, (const char *)b + k->offset);
		else
			ck_assert_msg(!memcmp((const char *)a + k->offset,
					      (const char *)b + k->offset, size), "%s differs", k->name);
		if (k->type == CT_AUTO_INT)
			ck_assert(!memcmp((const char *)a + k->aux_offset,
					  (const char *)b + k->aux_offset, sizeof(bool)));
	}
}

static void round_trip(const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(load(text) == 0, "%s", err);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	config_print(&conf, f);
	fclose(f);
	ck_assert_msg(config_load_string(buf, "printed", &conf2, err, sizeof(err)) == 0,
		      "%s\n%s", err, buf);
	same_values(&conf, &conf2, SCOPE_GLOBAL);
	ck_assert_int_eq(conf.n_clocks, conf2.n_clocks);
	for (int i = 0; i < conf.n_clocks; i++) {
		ck_assert_str_eq(conf.clocks[i].name, conf2.clocks[i].name);
		same_values(&conf.clocks[i], &conf2.clocks[i], SCOPE_CLOCK);
	}
	free(buf);
}

/* source = ntp and its server lines (daemon/config/config_ntp.c) */
START_TEST(test_ntp_servers)
{
	static const char *const nbad[][2] = {
		{ "server 192.0.2.1 fast\n", "t.conf:3: server: unknown option 'fast'" },
		{ "server 192.0.2.1 minpoll\n", "t.conf:3: server: minpoll needs a value" },
		{ "server 192.0.2.1 maxpoll 18\n", "t.conf:3: server: maxpoll '18' is not" },
		{ "server 192.0.2.1 minpoll 6 maxpoll 4\n", "t.conf:3: server: minpoll 6 is above" },
		{ "server\n", "t.conf:3: syntax error" },
		{ "server =\n", "t.conf:3: server: no address" },
	};
	const struct clock_conf *cc = &conf.clocks[0];
	char text[256], *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(load("[CLOCK_REALTIME]\nsource = ntp\nserver 192.0.2.1 iburst minpoll 0 "
			   "maxpoll 4\nserver = ntp2 # a name\n") == 0, "%s", err);
	ck_assert_int_eq(cc->n_ntp, 2);
	ck_assert_str_eq(cc->ntp[0].addr, "192.0.2.1");
	ck_assert(cc->ntp[0].iburst);
	ck_assert_int_eq(cc->ntp[0].minpoll, 0);
	ck_assert_int_eq(cc->ntp[0].maxpoll, 4);
	ck_assert_int_eq(cc->ntp[0].line, 3);
	ck_assert_str_eq(cc->ntp[1].addr, "ntp2");
	ck_assert(!cc->ntp[1].iburst);
	ck_assert_int_eq(cc->ntp[1].minpoll, 6);
	ck_assert_int_eq(cc->ntp[1].maxpoll, 10);
	ck_assert_int_eq(cc->source_timescale, TS_UTC);
	f = open_memstream(&buf, &len);
	config_print(&conf, f);
	fclose(f);
	ck_assert_msg(strstr(buf, "server 192.0.2.1 iburst minpoll 0 maxpoll 4\n"), "%s", buf);
	ck_assert_msg(config_load_string(buf, "printed", &conf2, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(conf2.clocks[0].n_ntp, 2);
	free(buf);
	for (unsigned i = 0; i < sizeof(nbad) / sizeof(nbad[0]); i++) {
		snprintf(text, sizeof(text), "[CLOCK_REALTIME]\nsource = ntp\n%s", nbad[i][0]);
		ck_assert_int_lt(load(text), 0);
		ck_assert_msg(!strncmp(err, nbad[i][1], strlen(nbad[i][1])), "%s", err);
	}
	ck_assert_int_lt(load("[CLOCK_REALTIME]\nsource = ntp\n"), 0);
	ck_assert_msg(strstr(err, "t.conf:1: [CLOCK_REALTIME]: source = ntp needs at least one"), "%s", err);
	ck_assert_int_lt(load(SYSCLK "server 192.0.2.1\n"), 0);
	ck_assert_msg(strstr(err, "t.conf:3: [CLOCK_REALTIME]: server lines need source = ntp"), "%s", err);
}
END_TEST

START_TEST(test_round_trip)
{
	round_trip(SYSCLK);
	round_trip(full);
	round_trip(SYSCLK "[/dev/ptp1]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 0.1\n"
		   "update_rate = 0.3\nstep_threshold = 1e-9\n[eth3]\nsource = CLOCK_REALTIME\n"
		   "pi_kp = 0.123456789012345678\n");
}
END_TEST

/* ---- defaults ---- */

START_TEST(test_table_defaults_parse)
{
	struct clock_conf cc;
	char msg[256];

	config_clock_defaults(&cc, "CLOCK_REALTIME");
	for (size_t i = 0; i < conf_n_keys; i++) {
		const struct conf_key *k = &conf_keys[i];
		void *base = k->scope == SCOPE_CLOCK ? (void *)&cc : (void *)&conf;

		ck_assert_msg(k->help && *k->help, "%s: no help", k->name);
		ck_assert_msg(k->def || k->def_doc, "%s: no default documented", k->name);
		ck_assert_msg(!(k->flags & KEY_REQUIRED) || !k->def, "%s", k->name);
		if (k->def)
			ck_assert_msg(conf_parse_value(k, k->def, &cc, base, msg, sizeof(msg)) == 0,
				      "%s: default '%s' does not parse: %s", k->name, k->def, msg);
		ck_assert_ptr_eq(conf_key_find(k->name, k->scope), k);
	}
}
END_TEST

START_TEST(test_defaults_by_kind)
{
	ck_assert_msg(load(SYSCLK "[/dev/ptp1]\nsource = phc:eth0\n"
			   "[eth1]\nsource = CLOCK_REALTIME\n"
			   "[ptp4]\nsource = CLOCK_REALTIME\nsource_timescale = tai\ntimescale = utc\n")
		      == 0, "%s", err);
	ck_assert_int_eq(conf.clocks[0].timescale, TS_UTC);	/* system from PHC */
	ck_assert_int_eq(conf.clocks[0].source_timescale, TS_TAI);
	ck_assert_int_eq(conf.clocks[1].timescale, TS_TAI);	/* PHC from PHC */
	ck_assert_int_eq(conf.clocks[1].source_timescale, TS_TAI);
	ck_assert_int_eq(conf.clocks[2].timescale, TS_TAI);	/* PHC from system */
	ck_assert_int_eq(conf.clocks[2].source_timescale, TS_UTC);
	ck_assert_int_eq(conf.clocks[3].timescale, TS_UTC);	/* as set */
	ck_assert_int_eq(conf.clocks[3].source_timescale, TS_TAI);
}
END_TEST

/* The system clock by its other names: the defaults of its kind, a source. */
START_TEST(test_system_clock_spellings)
{
	ck_assert_msg(load("[sys]\nsource = phc:eth0\nmax_slew_ppm = 100000\n"
			   "[eth1]\nsource = realtime\n") == 0, "%s", err);
	ck_assert_int_eq(conf.clocks[0].timescale, TS_UTC);
	ck_assert_double_eq(conf.clocks[0].max_slew_ppb, 1e8);
	ck_assert_double_eq(conf.clocks[0].recovery_threshold_s, 1e-6);
	ck_assert_int_eq(conf.clocks[1].source_timescale, TS_UTC);
	ck_assert_int_lt(load("[sys]\nsource = phc:eth0\nmax_slew_ppm = 100001\n"), 0);
	ck_assert_msg(strstr(err, "the system clock can slew"), "%s", err);
}
END_TEST

/* linreg, the Kalman bank's first name, is read as kalman and printed as kalman. */
START_TEST(test_servo_alias)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(load(SYSCLK "servo = linreg\n") == 0, "%s", err);
	ck_assert_int_eq(conf.clocks[0].servo, SERVO_KALMAN);
	ck_assert_msg(load(SYSCLK "servo = Kalman\n") == 0, "%s", err);
	ck_assert_int_eq(conf.clocks[0].servo, SERVO_KALMAN);
	load(SYSCLK "servo = linreg\n");
	f = open_memstream(&buf, &len);
	config_print(&conf, f);
	fclose(f);
	ck_assert_msg(strstr(buf, "servo = kalman"), "%s", buf);
	ck_assert_msg(!strstr(buf, "linreg"), "%s", buf);
	free(buf);
}
END_TEST

/* One home for clock names: the configuration accepts exactly what
 * phc/clockname.c classifies (the clocks gnomond can then open). */
START_TEST(test_clock_names_agree)
{
	static const char *const names[] = {
		"CLOCK_REALTIME", "realtime", "sys", "ptp0", "/dev/ptp0", "/dev/ptp12", "eth0",
		"enp3s0f1", "ptp01", "/dev/ptp01", "/dev/ptp", "/dev/ptpx", "/dev/ptp_kvm",
		"/dev/ptp_hyperv", "/dev/../etc/x", "..", ".", "", "eth 0", "a:b",
		"CLOCK_MONOTONIC", "clock_realtime", "Clock_Tai", "averyverylongifname",
		"fifteen_chars_x", "sys ", "ptp2147483648",
	};
	char msg[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		bool phc_ok = clockname_classify(names[i], NULL) >= 0;
		bool conf_ok = conf_clock_name_check(names[i], msg, sizeof(msg)) == 0;

		ck_assert_msg(phc_ok == conf_ok, "'%s': phc/ %s, the config %s", names[i],
			      phc_ok ? "accepts" : "refuses", conf_ok ? "accepts" : "refuses");
	}
}
END_TEST

/* ---- config_where ---- */

START_TEST(test_where)
{
	char buf[600];

	ck_assert_int_eq(load("# x\n[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\n\n"
			      "max_slew_ppm = 100000\n[global]\nlog_level = debug\n"), 0);
	ck_assert_str_eq(config_where(&conf, &conf.clocks[0], "max_slew_ppm", buf, sizeof(buf)),
			 "t.conf:5");
	ck_assert_str_eq(config_where(&conf, &conf.clocks[0], "source", buf, sizeof(buf)),
			 "t.conf:3");
	ck_assert_str_eq(config_where(&conf, &conf.clocks[0], "servo", buf, sizeof(buf)),
			 "t.conf:2");
	ck_assert_str_eq(config_where(&conf, &conf.clocks[0], "no_such_key", buf, sizeof(buf)),
			 "t.conf:2");
	ck_assert_str_eq(config_where(&conf, NULL, "log_level", buf, sizeof(buf)), "t.conf:7");
	ck_assert_str_eq(config_where(&conf, NULL, "leapfile", buf, sizeof(buf)), "t.conf:6");
	ck_assert_int_eq(load(SYSCLK), 0);
	ck_assert_str_eq(config_where(&conf, NULL, "leapfile", buf, sizeof(buf)), "t.conf");
	config_defaults(&conf);
	ck_assert_str_eq(config_where(&conf, NULL, "leapfile", buf, sizeof(buf)), "(defaults)");
}
END_TEST

/* ---- helpers ---- */

static const struct conf_key bool_key = {
	.name = "flag", .scope = SCOPE_GLOBAL, .type = CT_BOOL, .offset = 0, .help = "x",
};

/* Values with the unit written: brought to the key's unit (its .unit in the
 * table); plain numbers keep meaning what they meant. */
START_TEST(test_units)
{
	const struct clock_conf *cc = &conf.clocks[0];

	ck_assert_msg(load(SYSCLK "max_slew_ppm = 10%\nlock_threshold = 1us\n"
			   "recovery_hold = 2min\nstep_threshold = 500 ms\n"
			   "recovery_threshold = 250ns\nholdover_timeout = 1h\n") == 0, "%s", err);
	ck_assert_double_eq(cc->max_slew_ppm, 100000);
	ck_assert_double_eq_tol(cc->lock_threshold_s, 1e-6, 1e-18);
	ck_assert_double_eq(cc->recovery_hold_s, 120);
	ck_assert_double_eq_tol(cc->step_threshold_s, 0.5, 1e-15);
	ck_assert_double_eq_tol(cc->recovery_threshold_s, 250e-9, 1e-20);
	ck_assert_double_eq(cc->holdover_timeout_s, 3600);
	ck_assert_msg(load(SYSCLK "max_slew_ppm = 250ppb\nlock_threshold = 2\u00b5s\n"
			   "recovery_hold = 7s\n") == 0, "%s", err);
	ck_assert_double_eq_tol(cc->max_slew_ppm, 0.25, 1e-12);
	ck_assert_double_eq_tol(cc->lock_threshold_s, 2e-6, 1e-18);
	ck_assert_double_eq(cc->recovery_hold_s, 7);
	ck_assert_int_eq(load(SYSCLK "max_slew_ppm = 12\nlock_threshold = 0.001\n"), 0);
	ck_assert_double_eq(cc->max_slew_ppm, 12);
	ck_assert_double_eq(cc->lock_threshold_s, 0.001);
	/* the range is checked after the unit: 200% is 2e6 ppm */
	ck_assert_int_lt(load(SYSCLK "max_slew_ppm = 200%\n"), 0);
	ck_assert_str_eq(err, "t.conf:3: max_slew_ppm: '200%' is out of range "
			 "(must be > 0 and <= 1000000 ppm)");
}
END_TEST

START_TEST(test_values)
{
	char msg[256], q[16], buf[32];
	bool b = false;

	ck_assert_int_eq(conf_parse_value(&bool_key, "Yes", NULL, &b, msg, sizeof(msg)), 0);
	ck_assert(b);
	ck_assert_int_eq(conf_parse_value(&bool_key, "off", NULL, &b, msg, sizeof(msg)), 0);
	ck_assert(!b);
	conf_format_value(&bool_key, &b, buf, sizeof(buf));
	ck_assert_str_eq(buf, "no");
	ck_assert_int_lt(conf_parse_value(&bool_key, "maybe", NULL, &b, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "flag: 'maybe' is not yes or no");

	ck_assert_str_eq(conf_quote("abc", q, sizeof(q)), "'abc'");
	ck_assert_str_eq(conf_quote("a\nb", q, sizeof(q)), "'a\\x0ab'");
	ck_assert_str_eq(conf_quote("abcdefghijklmnop", q, sizeof(q)), "'abcdefghij...'");

	ck_assert(clockname_same("ptp1", "/dev/ptp1"));
	ck_assert(clockname_same("sys", "CLOCK_REALTIME"));
	ck_assert(!clockname_same("ptp1", "/dev/ptp12"));
	ck_assert_int_lt(conf_clock_name_check("/dev/ptp_hyperv", msg, sizeof(msg)), 0);
	ck_assert_int_lt(conf_clock_name_check("/dev/../etc/x", msg, sizeof(msg)), 0);
	ck_assert_int_lt(conf_clock_name_check("..", msg, sizeof(msg)), 0);
	ck_assert_int_lt(conf_clock_name_check("clock_realtime", msg, sizeof(msg)), 0);
	ck_assert_int_lt(conf_clock_name_check("global", msg, sizeof(msg)), 0);
}
END_TEST

START_TEST(test_reference)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	config_print_reference(f);
	fclose(f);
	for (size_t i = 0; i < conf_n_keys; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  %s = ", conf_keys[i].name);
		ck_assert_msg(strstr(buf, want), "reference lacks %s", conf_keys[i].name);
	}
	free(buf);
}
END_TEST

/* ---- the man page and the examples ---- */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Drop troff escapes that appear inside names and values: \- \& \fB \fR \fI. */
static void untroff(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && (s[1] == '-' || s[1] == '&')) {
			if (s[1] == '-')
				*o++ = '-';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'f' && s[2]) {
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

START_TEST(test_man_page)
{
	char *man = read_all("conf/gnomon.conf.5");

	ck_assert_msg(man != NULL, "conf/gnomon.conf.5 not found (run from the top of the tree)");
	untroff(man);
	for (size_t i = 0; i < conf_n_keys; i++) {
		const struct conf_key *k = &conf_keys[i];
		char entry[64], *at, *end;

		/* Each key has its own ".TP\n.B key" entry that states its default. */
		snprintf(entry, sizeof(entry), ".TP\n.B %s\n", k->name);
		at = strstr(man, entry);
		ck_assert_msg(at != NULL, "gnomon.conf.5 lacks an entry for %s", k->name);
		end = strstr(at + 1, "\n.TP");
		if (!end)
			end = strstr(at + 1, "\n.SH");
		if (end)
			*end = '\0';
		ck_assert_msg(strstr(at, "Default") != NULL, "%s: no Default in the man page", k->name);
		if (k->def)
			ck_assert_msg(strstr(at, k->def) != NULL,
				      "%s: the man page does not give the default %s", k->name, k->def);
		if (end)
			*end = '\n';
	}
	free(man);
}
END_TEST

START_TEST(test_examples_load)
{
	glob_t g;

	ck_assert_int_eq(glob("conf/*.conf", 0, NULL, &g), 0);
	ck_assert_int_ge(g.gl_pathc, 3);
	for (size_t i = 0; i < g.gl_pathc; i++)
		ck_assert_msg(config_load(g.gl_pathv[i], &conf, err, sizeof(err)) == 0,
			      "%s", err);
	globfree(&g);
}
END_TEST

START_TEST(test_template_is_defaults)
{
	/* conf/gnomon.conf mirrors the defaults: every value it sets is the
	 * table's default for the clock kind it names. */
	struct clock_conf def;

	ck_assert_msg(config_load("conf/gnomon.conf", &conf, err, sizeof(err)) == 0, "%s", err);
	config_defaults(&conf2);
	same_values(&conf, &conf2, SCOPE_GLOBAL);
	for (int i = 0; i < conf.n_clocks; i++) {
		config_clock_defaults(&def, conf.clocks[i].name);
		strcpy(def.source, conf.clocks[i].source);
		def.source_timescale = conf.clocks[i].source_timescale;
		same_values(&conf.clocks[i], &def, SCOPE_CLOCK);
	}
}
END_TEST

Suite *unit_suite(void);
Suite *unit_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("good");

	tcase_add_test(tc, test_minimal);
	tcase_add_test(tc, test_units);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_multiple_clocks);
	tcase_add_test(tc, test_comments_whitespace);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_ntp_servers);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_too_many_clocks);
	tcase_add_test(tc, test_file_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_table_defaults_parse);
	tcase_add_test(tc, test_defaults_by_kind);
	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_system_clock_spellings);
	tcase_add_test(tc, test_clock_names_agree);
	tcase_add_test(tc, test_servo_alias);
	tcase_add_test(tc, test_reference);
	suite_add_tcase(s, tc);

	tc = tcase_create("docs");
	tcase_add_test(tc, test_man_page);
	tcase_add_test(tc, test_examples_load);
	tcase_add_test(tc, test_template_is_defaults);
	suite_add_tcase(s, tc);
	return s;
}
