// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the kernel's clocksource from sysfs (clocksource.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "phc/clocksource.h"

#define CS_DIR "/sys/devices/system/clocksource/clocksource0/"

static int read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (len == 0)
		return -EINVAL;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int clocksource_read(char *current, size_t clen, char *available, size_t alen)
{
	int r = read_line(CS_DIR "current_clocksource", current, clen);

	if (r == 0 && available)
		r = read_line(CS_DIR "available_clocksource", available, alen);
	return r;
}

bool clocksource_is_poor(const char *name)
{
	return !strcmp(name, "jiffies") || !strcmp(name, "refined-jiffies") ||
	       !strcmp(name, "acpi_pm");
}
