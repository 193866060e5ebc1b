/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slowloris: a local user trying to lock the operators out of gnomond by
 * holding its connection slots (issue 14): open idle connections (they
 * send nothing, or with "partial" a few bytes of a request that is never
 * finished) at RATE per second, keep the newest HOLD open (closing the
 * oldest for each new one beyond that), for SECONDS real seconds.
 *
 *   slowloris unix PATH RATE HOLD SECONDS
 *   slowloris tcp PORT RATE HOLD SECONDS      (127.0.0.1)
 *
 * Prints "opened N refused_or_closed M" at the end (a connection the
 * daemon closed or refused counts in M).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HOLD_MAX	256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_one(const char *kind, const char *where)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (!strcmp(kind, "unix")) {
		struct sockaddr_un *sa = (struct sockaddr_un *)&ss;

		sa->sun_family = AF_UNIX;
		snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", where);
		sl = sizeof(*sa);
	} else {
		struct sockaddr_in *sa = (struct sockaddr_in *)&ss;

		sa->sin_family = AF_INET;
		sa->sin_port = htons((unsigned short)atoi(where));
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*sa);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Has the daemon closed fd (EOF, reset, or a "busy" text then EOF)? */
static int closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[256];

	if (poll(&p, 1, 0) <= 0)
		return 0;
	(void)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	return 1;	/* EOF, a reset or the busy text: the daemon let go of it */
}

int main(int argc, char **argv)
{
	int fds[HOLD_MAX], n = 0, hold, opened = 0, lost = 0;
	double rate, end, next;

	if (argc != 6 || (strcmp(argv[1], "unix") && strcmp(argv[1], "tcp"))) {
		fprintf(stderr, "usage: slowloris unix PATH|tcp PORT RATE HOLD SECONDS\n");
		return 2;
	}
	rate = atof(argv[3]);
	hold = atoi(argv[4]);
	if (rate <= 0 || hold < 1 || hold > HOLD_MAX)
		return 2;
	end = now_s() + atof(argv[5]);
	next = now_s();
	while (now_s() < end) {
		int fd;

		if (n == hold) {
			if (closed(fds[0]))
				lost++;
			close(fds[0]);
			memmove(fds, fds + 1, (size_t)(n - 1) * sizeof(fds[0]));
			n--;
		}
		fd = open_one(argv[1], argv[2]);
		if (fd < 0) {
			lost++;
		} else {
			fds[n++] = fd;
			opened++;
		}
		next += 1.0 / rate;
		while (now_s() < next) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	for (int i = 0; i < n; i++) {
		if (closed(fds[i]))
			lost++;
		close(fds[i]);
	}
	printf("opened %d refused_or_closed %d\n", opened, lost);
	return 0;
}
