/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The extra checks of key values that a range cannot express (the
 * conf_check_fn of config_priv.h): paths, sources, the system clock's cap,
 * thresholds, account names, listen addresses (metrics, NTP server),
 * networks (ntp_allow). Moved out of config_table.c, which keeps the table.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/config/config_priv.h"
#include "daemon/metrics/metrics_http.h"
#include "daemon/ntpserve/ntps_addr.h"
#include "phc/clockname.h"
#include "daemon/source/source.h"

/* The system clock takes at most 10 % through tick + frequency: the tick
 * (nominally 10000 us at USER_HZ = 100) is valid from 9000 to 11000 us. */
#define SYSCLK_MAX_PPM	100000.0

int conf_check_abs_path(const struct clock_conf *cc, const void *field,
			char *msg, size_t len)
{
	const char *path = field;

	(void)cc;
	if (path[0] == '/')
		return 0;
	snprintf(msg, len, "must be an absolute path");
	return -EINVAL;
}

int conf_check_source(const struct clock_conf *cc, const void *field,
		      char *msg, size_t len)
{
	const char *src = field, *clk = source_clock_name(src);
	const char *colon = strchr(src, ':');
	char q[64];

	if (conf_is_ntp_source(src))
		return 0;
	if (!strncmp(src, "bond:", 5)) {
		if (conf_clock_name_check(src + 5, msg, len) < 0 || clockname_is_system(src + 5) ||
		    !strncmp(src + 5, "/dev/", 5) || !src[5]) {
			snprintf(msg, len, "bond:%s: not a network interface name", src + 5);
			return -EINVAL;
		}
		if (cc && !strcmp(cc->name, src + 5)) {
			snprintf(msg, len, "a bond cannot discipline itself ([%s])", cc->name);
			return -EINVAL;
		}
		return 0;
	}
	if (conf_is_ptp4l_source(src)) {
		if (colon && colon[1] != '/') {
			snprintf(msg, len, "ptp4l's socket must be an absolute path (ptp4l:/var/run/ptp4l)");
			return -EINVAL;
		}
		if (colon && strlen(colon + 1) >= 108) {
			snprintf(msg, len, "ptp4l's socket path is longer than a Unix socket's 107 bytes");
			return -EINVAL;
		}
		return 0;
	}
	if (clk == src && colon) {
		snprintf(msg, len, "unknown source type in %s (expected phc:NAME, ptp4l[:PATH], "
			 "bond:NAME or CLOCK_REALTIME)",
			 conf_quote(src, q, sizeof(q)));
		return -EINVAL;
	}
	if (conf_clock_name_check(clk, msg, len) < 0)
		return -EINVAL;
	if (clk != src && clockname_is_system(clk)) {
		snprintf(msg, len, "%s is the system clock, not a PHC (write source = %s)",
			 conf_quote(clk, q, sizeof(q)), clk);
		return -EINVAL;
	}
	if (clk == src && !clockname_is_system(clk)) {
		snprintf(msg, len, "%s needs its type (write phc:%s)",
			 conf_quote(src, q, sizeof(q)), src);
		return -EINVAL;
	}
	if (cc && clockname_same(cc->name, clk)) {
		snprintf(msg, len, "a clock cannot be its own source ([%s] from %s)",
			 cc->name, conf_quote(src, q, sizeof(q)));
		return -EINVAL;
	}
	return 0;
}

int conf_check_sysclk_cap(const struct clock_conf *cc, const void *field,
			  char *msg, size_t len)
{
	double ppm = *(const double *)field;

	if (!cc || !clockname_is_system(cc->name) || ppm <= SYSCLK_MAX_PPM)
		return 0;
	snprintf(msg, len, "%g ppm is above the %.0f ppm (10 %%) the system clock can slew",
		 ppm, SYSCLK_MAX_PPM);
	return -ERANGE;
}

/* The servo takes thresholds in whole nanoseconds: a positive value under
 * 1 ns would become 0, which means "never step", the opposite of intent. */
int conf_check_threshold(const struct clock_conf *cc, const void *field,
			 char *msg, size_t len)
{
	double s = *(const double *)field;

	(void)cc;
	if (s == 0 || s >= 1e-9)
		return 0;
	snprintf(msg, len, "%g s is below 1 ns (use 0 for never)", s);
	return -ERANGE;
}

/* A user or group name as getpwnam()/getgrnam() take it, or a number:
 * printable, no whitespace, no ':' (the separator of /etc/passwd). */
int conf_check_account(const struct clock_conf *cc, const void *field,
		       char *msg, size_t len)
{
	const char *s = field;

	(void)cc;
	for (; *s; s++) {
		if ((unsigned char)*s <= ' ' || *s == ':' || *s == 0x7f) {
			snprintf(msg, len, "not a user or group name (no blanks, ':' or "
				 "control characters)");
			return -EINVAL;
		}
	}
	return 0;
}

int conf_check_metrics_addr(const struct clock_conf *cc, const void *field,
			    char *msg, size_t len)
{
	const char *addr = field;
	struct sockaddr_storage ss;
	socklen_t sl;

	(void)cc;
	if (!addr[0] || metrics_http_parse_addr(addr, &ss, &sl, NULL) == 0)
		return 0;
	snprintf(msg, len, "not a numeric address: ADDR:PORT, [IPV6]:PORT or ADDR "
		 "(for example 127.0.0.1:9475)");
	return -EINVAL;
}

int conf_check_ntp_serve(const struct clock_conf *cc, const void *field,
			 char *msg, size_t len)
{
	struct ntps_listen l[NTPS_MAX_LISTEN];
	int n;

	(void)cc;
	return ntps_parse_listen(field, l, NTPS_MAX_LISTEN, &n, msg, len);
}

int conf_check_ntp_allow(const struct clock_conf *cc, const void *field,
			 char *msg, size_t len)
{
	struct ntps_net a[NTPS_MAX_ALLOW];
	int n;

	(void)cc;
	return ntps_parse_allow(field, a, NTPS_MAX_ALLOW, &n, msg, len);
}

/* An absolute path, or "none" (an empty value is not accepted by the
 * parser): pidfile, control_socket, control_socket_ro. */
int conf_check_path_or_none(const struct clock_conf *cc, const void *field,
			    char *msg, size_t len)
{
	if (!strcmp(field, "none"))
		return 0;
	if (conf_check_abs_path(cc, field, msg, len) == 0)
		return 0;
	snprintf(msg, len, "must be an absolute path, or none");
	return -EINVAL;
}

/* node_exporter's textfile collector reads only *.prom files. */
int conf_check_textfile(const struct clock_conf *cc, const void *field,
			char *msg, size_t len)
{
	const char *path = field;
	size_t n = strlen(path);

	if (!n)
		return 0;
	if (conf_check_abs_path(cc, field, msg, len) < 0)
		return -EINVAL;
	if (n < 6 || strcmp(path + n - 5, ".prom") || path[n - 6] == '/') {
		snprintf(msg, len, "must end in .prom (node_exporter's textfile "
			 "collector reads only *.prom files)");
		return -EINVAL;
	}
	return 0;
}
