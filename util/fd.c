// SPDX-License-Identifier: GPL-2.0-or-later
/* Descriptor flags after the fact (util.h): close-on-exec, non-blocking. */
#include <errno.h>
#include <fcntl.h>

#include "util/util.h"

int fd_cloexec(int fd)
{
	/* FD_CLOEXEC is the only descriptor flag: no F_GETFD round trip. */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

int fd_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	if (fcntl(fd, F_SETFL, fl) < 0)
		return -errno;
	return 0;
}
