// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opsclient: the ops tests' probes of a running gnomond, in plain C so the
 * tests need nothing beyond the build's own packages.
 *
 *   opsclient notify-recv PATH OUT MAX_S   bind a datagram socket at PATH (a
 *       stand-in for systemd's $NOTIFY_SOCKET) and append each message to
 *       OUT as one line "SEQ MS MSG", MS real milliseconds since the start
 *       (newlines inside shown as '|'); exit
 *       after MAX_S real seconds
 *   opsclient ctl PATH TIMEOUT_MS [CHUNK DELAY_MS]   connect to a control
 *       socket, send stdin (CHUNK bytes at a time, DELAY_MS apart), print
 *       what comes back until the daemon closes ("<EOF after N ms>") or
 *       TIMEOUT_MS passes ("<OPEN after N ms>")
 *   opsclient hold PATH MS   send stdin and then read nothing for MS real
 *       milliseconds (a client that does not read its replies); print how
 *       many bytes were sent and whether the daemon closed the connection
 *   opsclient idle PATH N TIMEOUT_MS   open N connections that send
 *       nothing and report for each whether the daemon closed it
 *       ("closed"), answered it ("reply: ...") or left it open ("open")
 *   opsclient http PORT PATH TIMEOUT_MS   GET http://127.0.0.1:PORT/PATH and
 *       print the whole response
 *   opsclient prom FILE   check Prometheus text format 0.0.4 line by line:
 *       HELP/TYPE before a family's samples, names, labels, values; print
 *       "ok: N families, N samples" or the first bad line, exit 1
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests/ops/promcheck.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	strcpy(sa->sun_path, path);
	return 0;
}

static int notify_recv(const char *path, const char *out, double max_s)
{
	struct sockaddr_un sa;
	long long start = now_ms(), end = start + (long long)(max_s * 1000);
	char buf[8192];
	FILE *f = fopen(out, "a");
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0), seq = 0;

	if (fd < 0 || !f || unix_addr(path, &sa) < 0) {
		perror("notify-recv");
		return 2;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("notify-recv: bind");
		return 2;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (char *c = buf; *c; c++)
			if (*c == '\n')
				*c = '|';
		fprintf(f, "%d %lld %s\n", ++seq, now_ms() - start, buf);
	}
	unlink(path);
	return 0;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || unix_addr(path, &sa) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "opsclient: connect %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Print what fd sends until EOF or the deadline; returns 1 on EOF. */
static int drain(int fd, long long start, long long deadline)
{
	char buf[65536];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			printf("<OPEN after %lld ms>\n", now_ms() - start);
			return 0;
		}
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			printf("<EOF after %lld ms>\n", now_ms() - start);
			return 1;
		}
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
}

static int ctl(const char *path, int timeout_ms, size_t chunk, int delay_ms)
{
	static char req[1 << 20];
	size_t len = fread(req, 1, sizeof(req), stdin), off = 0;
	long long start = now_ms();
	int fd = connect_unix(path);

	if (fd < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	while (off < len) {
		size_t n = chunk && chunk < len - off ? chunk : len - off;
		ssize_t w = write(fd, req + off, n);

		if (w <= 0) {
			printf("<write failed after %zu bytes: %s>\n", off, strerror(errno));
			break;
		}
		off += (size_t)w;
		if (delay_ms && off < len)
			usleep((useconds_t)delay_ms * 1000);
	}
	drain(fd, start, start + timeout_ms);
	close(fd);
	return 0;
}

static int hold(const char *path, int ms)
{
	static char req[1 << 20];
	size_t len = fread(req, 1, sizeof(req), stdin), off = 0;
	long long end = now_ms() + ms;
	int fd = connect_unix(path), fl;

	if (fd < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (now_ms() < end) {
		ssize_t w = off < len ? write(fd, req + off, len - off) : 0;

		if (w < 0 && errno != EAGAIN)
			break;	/* the daemon closed it */
		off += w > 0 ? (size_t)w : 0;
		usleep(10000);
	}
	printf("sent %zu of %zu bytes, %s\n", off, len, off < len ? "blocked or closed" : "all");
	close(fd);
	return 0;
}

static int idle(const char *path, int n, int timeout_ms)
{
	int *fds = calloc((size_t)n, sizeof(int));
	long long deadline = now_ms() + timeout_ms;

	for (int i = 0; i < n; i++)
		fds[i] = connect_unix(path);
	for (int i = 0; i < n; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };
		long long left = deadline - now_ms();
		char buf[512];
		ssize_t r = -1;

		if (fds[i] < 0) {
			printf("%d connect-failed\n", i);
			continue;
		}
		if (poll(&p, 1, left > 0 ? (int)left : 0) > 0)
			r = read(fds[i], buf, sizeof(buf) - 1);
		if (r > 0) {
			buf[r] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			printf("%d reply: %s\n", i, buf);
		} else {
			printf("%d %s\n", i, r == 0 ? "closed" : "open");
		}
	}
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return 0;
}

static int http(int port, const char *path, int timeout_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long long start = now_ms();
	char req[512];
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "opsclient: connect 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 2;
	}
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
	if (write(fd, req, (size_t)n) != n)
		return 2;
	drain(fd, start, start + timeout_ms);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "notify-recv"))
		return notify_recv(argv[2], argv[3], atof(argv[4]));
	if ((argc == 4 || argc == 6) && !strcmp(argv[1], "ctl"))
		return ctl(argv[2], atoi(argv[3]), argc == 6 ? (size_t)atoi(argv[4]) : 0,
			   argc == 6 ? atoi(argv[5]) : 0);
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "idle"))
		return idle(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "http"))
		return http(atoi(argv[2]), argv[3], atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "prom"))
		return prom_check_file(argv[2]);
	fprintf(stderr, "usage: see the top of tests/ops/opsclient.c\n");
	return 2;
}
