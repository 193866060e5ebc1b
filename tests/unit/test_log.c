// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Logging: level names both ways, the level filter, the stderr line format
 * "ident[pid]: [mono.sss] message", the sd-daemon "<N>" priority prefix
 * (and when it is chosen), errno kept for %m. stderr is captured through a
 * pipe.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

Suite *unit_suite(void);

struct capture {
	int pipe[2];
	int saved;
	char buf[8192];
};

static void capture_start(struct capture *c)
{
	ck_assert_int_eq(pipe(c->pipe), 0);
	fcntl(c->pipe[0], F_SETFL, O_NONBLOCK);
	c->saved = dup(STDERR_FILENO);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_ge(dup2(c->pipe[1], STDERR_FILENO), 0);
}

/* Restore stderr; the captured text is in c->buf. */
static const char *capture_end(struct capture *c)
{
	ssize_t n;

	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	close(c->pipe[1]);
	n = read(c->pipe[0], c->buf, sizeof(c->buf) - 1);
	close(c->pipe[0]);
	c->buf[n > 0 ? n : 0] = '\0';
	return c->buf;
}

START_TEST(test_level_parse)
{
	static const struct { const char *s; int v; } cases[] = {
		{ "err", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "warn", LOG_WARNING }, { "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG }, { "DEBUG", LOG_DEBUG }, { "Info", LOG_INFO },
		{ "3", 3 }, { "7", 7 }, { "2", -1 }, { "8", -1 }, { "10", -1 }, { "", -1 },
		{ "inf", -1 }, { "debugx", -1 }, { " info", -1 }, { "crit", -1 }, { "-1", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(log_level_parse(cases[i].s) == cases[i].v, "'%s' -> %d, want %d",
			      cases[i].s, log_level_parse(cases[i].s), cases[i].v);
	ck_assert_int_eq(log_level_parse(NULL), -1);
}
END_TEST

START_TEST(test_level_name)
{
	ck_assert_str_eq(log_level_name(LOG_ERR), "err");
	ck_assert_str_eq(log_level_name(LOG_WARNING), "warning");
	ck_assert_str_eq(log_level_name(LOG_NOTICE), "notice");
	ck_assert_str_eq(log_level_name(LOG_INFO), "info");
	ck_assert_str_eq(log_level_name(LOG_DEBUG), "debug");
	ck_assert_str_eq(log_level_name(42), "unknown");
	ck_assert_str_eq(log_level_name(-1), "unknown");
	for (int l = LOG_ERR; l <= LOG_DEBUG; l++)
		ck_assert_int_eq(log_level_parse(log_level_name(l)), l);
}
END_TEST

START_TEST(test_filter_and_format)
{
	struct capture c;
	struct timespec t0, t1;
	char pattern[128];
	const char *out;
	regex_t re;
	regmatch_t m[2];
	double stamp;

	log_set_form(LOG_FORM_PLAIN);
	log_setup("gnomtest", LOG_NOTICE, 0);
	ck_assert_int_eq(log_get_level(), LOG_NOTICE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	capture_start(&c);
	pr_info("hidden info");
	pr_debug("hidden debug");
	pr_notice("shown %d", 1);
	pr_err("error line");
	out = capture_end(&c);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	ck_assert_ptr_null(strstr(out, "hidden"));
	snprintf(pattern, sizeof(pattern),
		 "^gnomtest\\[%ld\\]: \\[([0-9]+\\.[0-9]{3})\\] shown 1\n"
		 "gnomtest\\[%ld\\]: \\[[0-9]+\\.[0-9]{3}\\] error line\n$",
		 (long)getpid(), (long)getpid());
	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED), 0);
	ck_assert_msg(regexec(&re, out, 2, m, 0) == 0, "unexpected output: '%s'", out);
	regfree(&re);
	/* the stamp is CLOCK_MONOTONIC seconds, truncated to ms */
	stamp = strtod(out + m[1].rm_so, NULL);
	ck_assert(stamp >= t0.tv_sec + t0.tv_nsec / 1e9 - 0.001);
	ck_assert(stamp <= t1.tv_sec + t1.tv_nsec / 1e9);

	log_set_level(LOG_DEBUG);
	capture_start(&c);
	pr_debug("now shown");
	out = capture_end(&c);
	ck_assert_ptr_nonnull(strstr(out, "] now shown\n"));

	log_set_level(LOG_ERR);
	capture_start(&c);
	pr_warn("quiet");
	out = capture_end(&c);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_form_detect)
{
	/* a terminal: plain; a pipe or file: the prefix; the journal's own
	 * stream (device:inode match): the prefix without ident and pid */
	ck_assert_int_eq(log_form_detect(1, NULL, 5, 7), LOG_FORM_PLAIN);
	ck_assert_int_eq(log_form_detect(0, NULL, 5, 7), LOG_FORM_PRIO);
	ck_assert_int_eq(log_form_detect(0, "5:7", 5, 7), LOG_FORM_JOURNAL);
	ck_assert_int_eq(log_form_detect(1, "5:7", 5, 7), LOG_FORM_JOURNAL);
	ck_assert_int_eq(log_form_detect(0, "5:8", 5, 7), LOG_FORM_PRIO);
	ck_assert_int_eq(log_form_detect(1, "5:8", 5, 7), LOG_FORM_PRIO);
	ck_assert_int_eq(log_form_detect(0, "5:7x", 5, 7), LOG_FORM_PRIO);
	ck_assert_int_eq(log_form_detect(0, "garbage", 5, 7), LOG_FORM_PRIO);
	ck_assert_int_eq(log_form_detect(1, "", 5, 7), LOG_FORM_PRIO);
}
END_TEST

/* A pipe is not a terminal: log_setup() picks the prefix by itself. */
START_TEST(test_prio_prefix)
{
	struct capture c;
	char pattern[160];
	const char *out;
	regex_t re;

	log_set_form(LOG_FORM_AUTO);
	capture_start(&c);
	unsetenv("JOURNAL_STREAM");
	log_setup("gnomtest", LOG_DEBUG, 0);
	ck_assert_int_eq(log_get_form(), LOG_FORM_PRIO);
	pr_err("e");
	pr_warn("w");
	pr_notice("n");
	pr_info("i");
	pr_debug("d");
	out = capture_end(&c);
	snprintf(pattern, sizeof(pattern),
		 "^<3>gnomtest\\[%ld\\]: \\[[0-9]+\\.[0-9]{3}\\] e\n<4>[^\n]*\\] w\n"
		 "<5>[^\n]*\\] n\n<6>[^\n]*\\] i\n<7>[^\n]*\\] d\n$", (long)getpid());
	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED), 0);
	ck_assert_msg(regexec(&re, out, 0, NULL, 0) == 0, "unexpected output: '%s'", out);
	regfree(&re);
}
END_TEST

/* JOURNAL_STREAM naming the pipe itself: the journal adds ident and pid. */
START_TEST(test_journal_stream)
{
	struct capture c;
	struct stat st;
	char js[64];
	const char *out;
	regex_t re;

	log_set_form(LOG_FORM_AUTO);
	capture_start(&c);
	ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	log_setup("gnomtest", LOG_INFO, 0);
	ck_assert_int_eq(log_get_form(), LOG_FORM_JOURNAL);
	pr_warn("to the journal");
	out = capture_end(&c);
	unsetenv("JOURNAL_STREAM");
	ck_assert_int_eq(regcomp(&re, "^<4>\\[[0-9]+\\.[0-9]{3}\\] to the journal\n$",
				 REG_EXTENDED), 0);
	ck_assert_msg(regexec(&re, out, 0, NULL, 0) == 0, "unexpected output: '%s'", out);
	regfree(&re);
	log_set_form(LOG_FORM_PLAIN);
}
END_TEST

/* Before log_setup(): "ident: message", the prefix all the same off a terminal. */
START_TEST(test_early)
{
	struct capture c;
	const char *out;

	unsetenv("JOURNAL_STREAM");
	log_setup("gnomtest", LOG_ERR, 0);
	capture_start(&c);
	errno = EIO;
	log_early(LOG_ERR, "gnomond", "x.conf:3: bad %s", "value");
	ck_assert_int_eq(errno, EIO);
	log_early(LOG_NOTICE, "gnomond", "shown whatever the level");
	out = capture_end(&c);
	ck_assert_str_eq(out, "<3>gnomond: x.conf:3: bad value\n<5>gnomond: shown whatever the level\n");
}
END_TEST

START_TEST(test_level_clamped)
{
	log_set_level(99);
	ck_assert_int_eq(log_get_level(), LOG_DEBUG);
	log_set_level(0);
	ck_assert_int_eq(log_get_level(), LOG_ERR);
}
END_TEST

START_TEST(test_errno_newline_truncation)
{
	struct capture c;
	const char *out;
	char *big = malloc(5001);

	log_setup("t", LOG_DEBUG, 0);
	capture_start(&c);
	errno = ENOENT;
	pr_err("open x: %m");
	ck_assert_int_eq(errno, ENOENT);
	pr_info("ends with newline\n");
	out = capture_end(&c);
	ck_assert_ptr_nonnull(strstr(out, "] open x: No such file or directory\n"));
	ck_assert_ptr_nonnull(strstr(out, "] ends with newline\n"));
	ck_assert_ptr_null(strstr(out, "\n\n"));

	memset(big, 'a', 5000);
	big[5000] = '\0';
	capture_start(&c);
	pr_info("%s", big);
	out = capture_end(&c);
	ck_assert_int_lt(strlen(out), 1200);
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);	/* one line */
	free(big);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_level_parse);
	tcase_add_test(tc, test_level_name);
	tcase_add_test(tc, test_filter_and_format);
	tcase_add_test(tc, test_form_detect);
	tcase_add_test(tc, test_prio_prefix);
	tcase_add_test(tc, test_journal_stream);
	tcase_add_test(tc, test_early);
	tcase_add_test(tc, test_level_clamped);
	tcase_add_test(tc, test_errno_newline_truncation);
	suite_add_tcase(s, tc);
	return s;
}
