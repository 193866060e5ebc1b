/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file clockname.c
 * Clock names -> system clock, PHC index, or interface -> PHC index.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "phc/clockname.h"
#include "util/util.h"

#define PHC_DEV_PREFIX "/dev/ptp"
#define PHC_NAME_PREFIX "ptp"
#define PHC_INDEX_MAX_DIGITS 9		/* keeps N well inside an int */

static const char *const system_names[] = { "CLOCK_REALTIME", "realtime", "sys" };

/* N of "ptpN": decimal digits only, no sign, no leading zero.
 * @return N, -ENOENT if s is not "ptp" followed by digits, -EINVAL if
 * the digits are malformed (leading zero, too many). */
static int parse_ptp_index(const char *s)
{
	const char *d = s + strlen(PHC_NAME_PREFIX);
	size_t i, n;
	int index = 0;

	if (strncmp(s, PHC_NAME_PREFIX, strlen(PHC_NAME_PREFIX)))
		return -ENOENT;
	n = strlen(d);
	if (n == 0)
		return -ENOENT;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)d[i]))
			return -ENOENT;
	if ((n > 1 && d[0] == '0') || n > PHC_INDEX_MAX_DIGITS)
		return -EINVAL;
	for (i = 0; i < n; i++)
		index = index * 10 + (d[i] - '0');
	return index;
}

/* The kernel's dev_valid_name(): 1..IFNAMSIZ-1 bytes, not "." or "..",
 * no '/', ':' or white space. */
static int check_ifname(const char *name)
{
	const char *p;

	if (strnlen(name, IFNAMSIZ) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return -EINVAL;
	return 0;
}

int clockname_classify(const char *name, int *phc_index)
{
	size_t i;
	int r;

	if (phc_index)
		*phc_index = -1;
	if (!name || !*name)
		return -EINVAL;
	for (i = 0; i < sizeof(system_names) / sizeof(system_names[0]); i++)
		if (!strcmp(name, system_names[i]))
			return CLOCKNAME_SYSTEM;
	/* CLOCK_MONOTONIC, clock_realtime ...: POSIX clocks gnomon does not
	 * handle, or a misspelling; never an interface name. */
	if (!strncasecmp(name, "CLOCK_", 6))
		return -EINVAL;

	if (!strncmp(name, PHC_DEV_PREFIX, strlen(PHC_DEV_PREFIX)))
		r = parse_ptp_index(name + strlen("/dev/"));
	else
		r = parse_ptp_index(name);
	if (r >= 0) {
		if (phc_index)
			*phc_index = r;
		return CLOCKNAME_PHC;
	}
	if (r != -ENOENT)
		return r;

	/* Not "ptpN": an interface name, which cannot hold a '/', so a
	 * malformed "/dev/ptpx" ends here as -EINVAL. */
	r = check_ifname(name);
	return r < 0 ? r : CLOCKNAME_IFACE;
}

bool clockname_is_system(const char *name)
{
	return clockname_classify(name, NULL) == CLOCKNAME_SYSTEM;
}

int clockname_canonical(const char *name, char *buf, size_t len)
{
	int index, kind = clockname_classify(name, &index), n;

	if (kind < 0)
		return kind;
	if (kind == CLOCKNAME_PHC)
		return clockname_phc_path(index, buf, len) < 0 ? -ENAMETOOLONG : kind;
	n = snprintf(buf, len, "%s", kind == CLOCKNAME_SYSTEM ? system_names[0] : name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : kind;
}

bool clockname_same(const char *a, const char *b)
{
	char ca[IFNAMSIZ + 32], cb[IFNAMSIZ + 32];

	if (clockname_canonical(a, ca, sizeof(ca)) < 0 ||
	    clockname_canonical(b, cb, sizeof(cb)) < 0)
		return a && b && !strcmp(a, b);
	return !strcmp(ca, cb);
}

int clockname_phc_path(int index, char *buf, size_t len)
{
	int n;

	if (index < 0 || !buf)
		return -EINVAL;
	n = snprintf(buf, len, PHC_DEV_PREFIX "%d", index);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* One SIOCETHTOOL request on a throw-away datagram socket. */
static int ethtool_ts_info(const char *ifname, struct ethtool_ts_info *info)
{
	struct ifreq ifr;
	int fd, r;

	/* Any socket reaches the device ioctls; AF_UNIX if IPv4 is absent.
	 * Plain socket() then FD_CLOEXEC: no SOCK_CLOEXEC (simulators). */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	r = fd_cloexec(fd);
	if (r < 0)
		goto out;
	memset(&ifr, 0, sizeof(ifr));
	memset(info, 0, sizeof(*info));
	info->cmd = ETHTOOL_GET_TS_INFO;
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	ifr.ifr_data = (char *)info;
	r = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
out:
	close(fd);
	return r;
}

int clockname_iface_phc(const char *ifname, int *phc_index)
{
	struct ethtool_ts_info info;
	int r;

	if (!ifname || !phc_index)
		return -EINVAL;
	*phc_index = -1;
	r = check_ifname(ifname);
	if (r < 0 || !*ifname)
		return r < 0 ? r : -EINVAL;
	r = ethtool_ts_info(ifname, &info);
	/* The kernel says ENODEV for an unknown interface name. */
	if (r == -ENODEV)
		return -ENOENT;
	if (r == -EOPNOTSUPP)
		return -ENODEV;
	if (r < 0)
		return r;
	/* phc_index is -1 when the device has no PTP hardware clock. */
	if (info.phc_index < 0)
		return -ENODEV;
	*phc_index = info.phc_index;
	return 0;
}

int clockname_resolve(const char *name, int *phc_index)
{
	int index = -1, r;

	r = clockname_classify(name, &index);
	if (r == CLOCKNAME_IFACE) {
		r = clockname_iface_phc(name, &index);
		if (r == 0)
			r = CLOCKNAME_PHC;
	}
	if (phc_index)
		*phc_index = r == CLOCKNAME_PHC ? index : -1;
	return r;
}
