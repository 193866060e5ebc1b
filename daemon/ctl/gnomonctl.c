// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomonctl: ask a running gnomond what its clocks are doing, in the
 * manner of chronyc and pmc. One request, one reply, over the control
 * socket (doc/control-protocol.md).
 *
 * Exit codes: 0 ok, 1 the daemon answered with an error, 2 usage,
 * 3 no usable answer (cannot connect, timeout, broken reply).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/ctl/ctl_render.h"
#include "daemon/ctl/ctlproto.h"
#include "daemon/daemon.h"
#include "util/util.h"

enum { EXIT_OK = 0, EXIT_DAEMON = 1, EXIT_USAGE = 2, EXIT_COMM = 3 };

static const char *const commands[] = {
	"status", "clocks", "sources", "recovery", "leap", "health", "config", "bonds",
};

struct opts {
	const char *socket;	/* NULL: default, falling back to the .ro one */
	bool json;
	double timeout_s;
	const char *command;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gnomonctl [-s SOCKET] [--json] [-t TIMEOUT_S] COMMAND\n"
		"commands:\n"
		"  status    each clock: source, state, offset, frequency, slew\n"
		"  clocks    one line per disciplined clock\n"
		"  sources   one line per reference\n"
		"  recovery  recovery-time events\n"
		"  leap      leap table and per-clock policy\n"
		"  health    clock-health checks: CPUs, timers, clocksource\n"
		"  config    the configuration as running\n"
		"  bonds     bonds followed: members, active one, offsets, last failover\n"
		"options:\n"
		"  -s, --socket PATH   control socket (default " CTL_DEFAULT_PATH ";\n"
		"                      if not permitted, the read-only " CTL_DEFAULT_RO_PATH ")\n"
		"  -j, --json          print the reply's data as JSON\n"
		"  -t, --timeout SEC   give up after SEC seconds (default 5)\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n"
		"exit status: 0 ok, 1 daemon error, 2 usage, 3 cannot connect or no reply\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	char *end;
	int c;

	*o = (struct opts){ .timeout_s = 5.0 };
	while ((c = getopt_long(argc, argv, "s:jt:hV", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->socket = optarg; break;
		case 'j': o->json = true; break;
		case 't':
			errno = 0;
			o->timeout_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->timeout_s > 0) ||
			    o->timeout_s > 3600) {
				fprintf(stderr, "gnomonctl: --timeout: '%s' is not a number of "
					"seconds in (0, 3600]\n", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(EXIT_OK);
		case 'V': printf("gnomonctl %s\n", GNOMON_VERSION); exit(EXIT_OK);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "gnomonctl: %s\n", optind < argc ? "one command only" : "no command");
		usage(stderr);
		return -1;
	}
	o->command = argv[optind];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(o->command, commands[i]))
			return 0;
	fprintf(stderr, "gnomonctl: unknown command '%s'\n", o->command);
	usage(stderr);
	return -1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	r = fd_nonblock(fd, 1);
	if (!r)
		r = fd_cloexec(fd);
	if (!r && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;	/* EAGAIN from a Unix connect(): the listen backlog is full */
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* Wait for events on fd until the deadline: 1 ready, 0 timeout, -errno. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int n;

	for (;;) {
		left = deadline_ms - mono_ms();
		if (left <= 0)
			return 0;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * Send the request and read the reply line (malloc'd in *reply, newline
 * removed). Returns 0, -ETIMEDOUT, -EPIPE (closed before a full reply),
 * -EMSGSIZE (reply too long) or another -errno.
 */
static int exchange(int fd, const char *req, size_t req_len, int64_t deadline_ms,
		    char **reply, size_t *reply_len)
{
	size_t off = 0, len = 0, cap = 0;
	char *buf = NULL, *nl;
	ssize_t n;
	int r;

	while (off < req_len) {
		r = wait_fd(fd, POLLOUT, deadline_ms);
		if (r <= 0)
			return r ? r : -ETIMEDOUT;
		n = send(fd, req + off, req_len - off, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		off += n > 0 ? (size_t)n : 0;
	}
	for (;;) {
		if (len == cap) {
			char *p;

			if (cap >= CTL_MAX_REPLY) {
				r = -EMSGSIZE;
				goto fail;
			}
			cap = cap ? cap * 4 : 16384;
			p = realloc(buf, cap + 1);
			if (!p) {
				r = -ENOMEM;
				goto fail;
			}
			buf = p;
		}
		r = wait_fd(fd, POLLIN, deadline_ms);
		if (r <= 0) {
			r = r ? r : -ETIMEDOUT;
			goto fail;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			r = n ? -errno : -EPIPE;
			goto fail;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl) {
			*nl = '\0';
			*reply = buf;
			*reply_len = (size_t)(nl - buf);
			return 0;
		}
	}
fail:
	free(buf);
	return r;
}

static const char *comm_error(int r)
{
	switch (r) {
	case -ETIMEDOUT: return "no reply in time";
	case -EPIPE: return "connection closed before a complete reply";
	case -EMSGSIZE: return "reply too long";
	case -ENOENT: return "no such socket (is gnomond running?)";
	case -ECONNREFUSED: return "connection refused (is gnomond running?)";
	case -EAGAIN: return "the daemon is not accepting connections (backlog full)";
	default: return strerror(-r);
	}
}

/* Connect to the socket given, or to the default one and, if that is not
 * permitted (not in the operators' group), to the read-only one: the
 * control_socket_ro default of gnomon.conf(5), then the protocol's
 * "<control_socket>.ro". */
static int open_socket(const struct opts *o, const char **used)
{
	static const char *const ro[] = {
		CTL_DEFAULT_RO_PATH, CTL_DEFAULT_PATH CTL_RO_SUFFIX,
	};
	const char *first;
	int fd, r;

	*used = first = o->socket ? o->socket : CTL_DEFAULT_PATH;
	fd = r = connect_to(*used);
	for (size_t i = 0; !o->socket && (r == -EACCES || r == -EPERM) &&
			   fd < 0 && i < sizeof(ro) / sizeof(ro[0]); i++) {
		*used = ro[i];
		fd = connect_to(*used);
	}
	if (fd < 0) {
		/* name the socket that was refused, not a fallback that is absent */
		if (fd == -ENOENT && *used != first)
			*used = first, fd = r;
		fprintf(stderr, "gnomonctl: cannot connect to %s: %s\n", *used, comm_error(fd));
	}
	return fd;
}

static int run(const struct opts *o)
{
	char err[512], *req, *line = NULL;
	struct json_object *data = NULL;
	size_t req_len, line_len = 0;
	const char *path;
	bool ok;
	int fd, r, rc = EXIT_COMM;

	req = ctlproto_format_request(o->command, NULL, &req_len);
	if (!req) {
		fprintf(stderr, "gnomonctl: out of memory\n");
		return EXIT_COMM;
	}
	fd = open_socket(o, &path);
	if (fd < 0)
		goto out;
	r = exchange(fd, req, req_len, mono_ms() + (int64_t)ceil(o->timeout_s * 1000), &line,
		     &line_len);
	close(fd);
	if (r < 0) {
		if (r == -ETIMEDOUT)
			fprintf(stderr, "gnomonctl: %s: no reply within %g s\n", path, o->timeout_s);
		else
			fprintf(stderr, "gnomonctl: %s: %s\n", path, comm_error(r));
		goto out;
	}
	if (ctlproto_parse_reply(line, line_len, &ok, &data, err, sizeof(err)) < 0) {
		ctl_print_error(stderr, path, "bad reply", err);
		goto out;
	}
	if (!ok) {
		ctl_print_error(stderr, path, o->command, err);
		rc = EXIT_DAEMON;
		goto out;
	}
	rc = ctl_render(stdout, o->command, data, o->json) < 0 ? EXIT_COMM : EXIT_OK;
	if (rc)
		fprintf(stderr, "gnomonctl: cannot write the output: %s\n", strerror(EIO));
out:
	json_object_put(data);
	free(line);
	free(req);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (parse_args(argc, argv, &o) < 0)
		return EXIT_USAGE;
	return run(&o);
}
