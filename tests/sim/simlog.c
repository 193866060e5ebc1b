// SPDX-License-Identifier: GPL-2.0-or-later
/* Simulator messages. write(2) only: safe from any context but a signal. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/sim/simlog.h"

static int log_fd = 2;	/* process-wide: the one place messages go */

void sim_log_set_fd(int fd)
{
	log_fd = fd;
}

int sim_log_fd(void)
{
	return log_fd;
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "gnomon-sim: %s", prefix);

	if (n < 0)
		return;
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	n = (int)strlen(buf);
	buf[n++] = '\n';
	if (write(log_fd, buf, (size_t)n) < 0)
		return;
}

void sim_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void sim_unsupported(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("unsupported: ", fmt, ap);
	va_end(ap);
}
