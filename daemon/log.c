// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Logging: "ident[pid]: [mono.sss] message" lines on stderr, with the
 * sd-daemon "<N>" priority prefix when stderr is not a terminal (log.h),
 * or syslog(3).
 * The timestamp is CLOCK_MONOTONIC (seconds.milliseconds), the clock that
 * is never stepped, so lines stay ordered across steps and leaps.
 * The level and target are process-wide (the one place gnomon keeps
 * global state besides the quit flag).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

#define LOG_LINE_MAX	1024

static struct {
	char ident[32];
	int level;
	int use_syslog;
	enum log_form form, forced;
} log_state = { "gnomon", LOG_INFO, 0, LOG_FORM_PLAIN, LOG_FORM_AUTO };

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

static int clamp_level(int level)
{
	if (level < LOG_ERR)
		return LOG_ERR;
	if (level > LOG_DEBUG)
		return LOG_DEBUG;
	return level;
}

enum log_form log_form_detect(int is_tty, const char *journal_stream,
			      unsigned long long dev, unsigned long long ino)
{
	unsigned long long jdev, jino;
	char end;

	if (journal_stream &&
	    sscanf(journal_stream, "%llu:%llu%c", &jdev, &jino, &end) == 2 &&
	    jdev == dev && jino == ino)
		return LOG_FORM_JOURNAL;
	return is_tty && !journal_stream ? LOG_FORM_PLAIN : LOG_FORM_PRIO;
}

static enum log_form detect_stderr(void)
{
	struct stat st;

	if (fstat(STDERR_FILENO, &st) < 0)
		return LOG_FORM_PRIO;
	return log_form_detect(isatty(STDERR_FILENO), getenv("JOURNAL_STREAM"),
			       (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
}

void log_set_form(enum log_form form)
{
	log_state.forced = form;
	log_state.form = form == LOG_FORM_AUTO ? detect_stderr() : form;
}

enum log_form log_get_form(void)
{
	return log_state.form;
}

void log_setup(const char *ident, int level, int use_syslog)
{
	if (log_state.use_syslog)
		closelog();
	snprintf(log_state.ident, sizeof(log_state.ident), "%s", ident ? ident : "gnomon");
	log_state.level = clamp_level(level);
	log_state.use_syslog = use_syslog;
	log_state.form = log_state.forced == LOG_FORM_AUTO ? detect_stderr() : log_state.forced;
	if (use_syslog)
		openlog(log_state.ident, LOG_PID, LOG_DAEMON);
}

void log_set_level(int level)
{
	log_state.level = clamp_level(level);
}

int log_get_level(void)
{
	return log_state.level;
}

int log_level_parse(const char *s)
{
	static const struct { const char *name; int level; } alias[] = {
		{ "error", LOG_ERR }, { "warn", LOG_WARNING },
	};

	if (!s || !*s)
		return -1;
	if (s[0] >= '0' && s[0] <= '9' && s[1] == '\0') {
		int v = s[0] - '0';

		return v >= LOG_ERR && v <= LOG_DEBUG ? v : -1;
	}
	for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (!strcasecmp(s, level_names[i]))
			return i;
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcasecmp(s, alias[i].name))
			return alias[i].level;
	return -1;
}

const char *log_level_name(int level)
{
	if (level < LOG_EMERG || level > LOG_DEBUG)
		return "unknown";
	return level_names[level];
}

/* One write(2) per line, so lines from several processes do not mix. */
static void log_stderr(int prio, const char *msg)
{
	char line[LOG_LINE_MAX + 96], head[64] = "";
	struct timespec ts;
	int n = 0;

	if (log_state.form != LOG_FORM_PLAIN)
		n = snprintf(head, sizeof(head), "<%d>", prio & LOG_PRIMASK);
	if (log_state.form != LOG_FORM_JOURNAL)
		snprintf(head + n, sizeof(head) - (size_t)n, "%s[%ld]: ", log_state.ident,
			 (long)getpid());
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line), "%s[%lld.%03ld] %s\n", head,
		     (long long)ts.tv_sec, ts.tv_nsec / 1000000, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;	/* nowhere left to report it */
}

void log_early(int prio, const char *ident, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], pre[8] = "";
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (detect_stderr() != LOG_FORM_PLAIN)
		snprintf(pre, sizeof(pre), "<%d>", prio & LOG_PRIMASK);
	(void)dprintf(STDERR_FILENO, "%s%s: %s\n", pre, ident, msg);	/* else nowhere to report */
	errno = saved;
}

void log_msg(int prio, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	int saved = errno;
	size_t len;
	va_list ap;

	if (prio > log_state.level)
		return;
	va_start(ap, fmt);
	errno = saved;	/* for %m */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	if (log_state.use_syslog)
		syslog(prio, "%s", msg);
	else
		log_stderr(prio, msg);
	errno = saved;
}
