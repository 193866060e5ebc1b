/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd_notify without libsystemd. The protocol (sd_notify(3), NOTES): "send a
 * single datagram with the state string as payload to the AF_UNIX socket
 * referenced in the $NOTIFY_SOCKET environment variable. If the first
 * character of $NOTIFY_SOCKET is '@', the string is understood as Linux
 * abstract namespace socket." The systemd developers call the protocol the
 * stable interface and recommend reimplementing it over linking libsystemd.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/lifecycle/sdnotify.h"
#include "util/util.h"

/*
 * Fill a sockaddr_un from $NOTIFY_SOCKET. For the abstract namespace the
 * leading '@' becomes a NUL and the length counts exactly the name's bytes
 * (abstract names are not NUL-terminated: a trailing NUL would be part of
 * the name). Returns the address length or a negative errno.
 */
static int notify_addr(const char *e, struct sockaddr_un *sa)
{
	size_t n = strlen(e);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strncmp(e, "vsock:", 6) == 0)
		return -EAFNOSUPPORT;
	if (e[0] != '/' && e[0] != '@')
		return -EINVAL;
	if (n > sizeof(sa->sun_path) || (e[0] == '/' && n == sizeof(sa->sun_path)))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, e, n);
	if (e[0] == '@') {
		sa->sun_path[0] = '\0';
		return (int)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return (int)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

int sdnotify_send(const char *msg)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len;
	ssize_t w;
	int fd, alen, r;

	if (!e || !*e)
		return 0;
	if (!msg || !*msg)
		return -EINVAL;
	len = strlen(msg);
	if (len > SDNOTIFY_MSG_MAX)
		return -EMSGSIZE;
	alen = notify_addr(e, &sa);
	if (alen < 0)
		return alen;

	/* No SOCK_CLOEXEC in the creation flags (LD_PRELOAD simulators see
	 * the plain call); close-on-exec is set afterwards. */
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	r = fd_cloexec(fd);
	if (r < 0)
		goto out;
	/* MSG_DONTWAIT: never block the loop on a full manager queue; the
	 * message is then lost and the caller sees -EAGAIN. MSG_NOSIGNAL for
	 * form's sake (datagram sockets do not raise SIGPIPE). */
	w = sendto(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		   (const struct sockaddr *)&sa, (socklen_t)alen);
	if (w < 0)
		r = -errno;
	else
		r = (size_t)w == len ? 1 : -EMSGSIZE;
out:
	close(fd);
	return r;
}

int sdnotify_ready(void)
{
	return sdnotify_send("READY=1");
}

int sdnotify_watchdog(void)
{
	return sdnotify_send("WATCHDOG=1");
}

int sdnotify_stopping(void)
{
	return sdnotify_send("STOPPING=1");
}

int sdnotify_reloading(void)
{
	char buf[64];
	struct timespec ts;
	uint64_t us;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return -errno;
	us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, us);
	return sdnotify_send(buf);
}

int sdnotify_status(const char *text)
{
	char buf[SDNOTIFY_MSG_MAX + 1];
	size_t i, n;

	if (!text)
		return -EINVAL;
	n = (size_t)snprintf(buf, sizeof(buf), "STATUS=%s", text);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (i = 7; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = ' ';
	return sdnotify_send(buf);
}

/* A whole decimal number without sign or spaces; -EINVAL otherwise. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

int sdnotify_watchdog_usec(uint64_t *usec)
{
	const char *us = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t u, p;

	if (!us)
		return 0;
	if (parse_u64(us, &u) < 0 || u == 0)
		return -EINVAL;
	if (pid) {
		if (parse_u64(pid, &p) < 0 || p == 0)
			return -EINVAL;
		if (p != (uint64_t)getpid())
			return 0;
	}
	if (usec)
		*usec = u;
	return 1;
}
