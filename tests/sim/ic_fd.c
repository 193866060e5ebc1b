// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Descriptors: open() of /dev/ptpN gives a simulated PHC (only the
 * scenario's exist: the host's PHCs are never opened); close/dup/fcntl keep
 * the table right; ioctl() serves the PHC ioctls and SIOCETHTOOL
 * ETHTOOL_GET_TS_INFO for the scenario's interfaces (the simulated world is
 * closed: other names get ENODEV as unknown interfaces do); read() serves
 * timers. Everything else goes to the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/net_tstamp.h>
#include <linux/ptp_clock.h>
#include <linux/sockios.h>

#include "tests/sim/net.h"
#include "tests/sim/nlmsg.h"
#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

#define IFINDEX_BASE SIM_IFINDEX_BASE

static int ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

/* N of "/dev/ptpN", or -1. */
static int ptp_path(const char *path)
{
	const char *p;

	if (!path || strncmp(path, "/dev/ptp", 8) || !path[8])
		return -1;
	for (p = path + 8; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	return atoi(path + 8);
}

static int open_phc(struct sim *s, int n, int flags)
{
	struct simfd proto = { .kind = SIMFD_PHC };
	int fd;

	proto.clock = scenario_phc(&s->w->sc, n);
	if (proto.clock < 0 || s->w->t < s->w->phc[proto.clock].absent_until)
		return ret_errno(-ENOENT);	/* none, or unplugged and not back yet */
	proto.gen = s->w->phc[proto.clock].gen;
	proto.writable = (flags & O_ACCMODE) != O_RDONLY;
	if ((fd = simfd_placeholder(flags)) < 0)
		return -1;
	if (simfd_attach(s, fd, &proto)) {
		real.close(fd);
		return ret_errno(-EMFILE);
	}
	return fd;
}

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	struct sim *s = sim_get();
	int n = ptp_path(path), r;

	if (s && n >= 0)
		return open_phc(s, n, flags);
	if (s && (r = sim_sysfs_open(s, path, flags)) != -ENOENT)
		return ret_errno(r);
	return real.openat(dirfd, path, flags, mode);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE ?
	       (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags, mode);
}

int sim_open64(const char *path, int flags, ...) __asm__("open64");
int sim_open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(AT_FDCWD, path, flags, mode);
}

int sim_openat64(int dirfd, const char *path, int flags, ...) __asm__("openat64");
int sim_openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

int __openat_2(int dirfd, const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

int close(int fd)
{
	struct sim *s = sim_get();

	if (s) {
		if (simfd_protected(s, fd))
			return 0;	/* the simulator's own: pretend */
		simfd_release(s, fd);
	}
	return real.close(fd);
}

int dup(int old)
{
	struct sim *s = sim_get();
	int fd = real.dup(old);

	if (s && fd >= 0)
		simfd_share(s, old, fd);
	return fd;
}

int dup2(int old, int fd)
{
	struct sim *s = sim_get();
	int r;

	if (s && simfd_protected(s, fd))
		return ret_errno(-EBUSY);
	r = real.dup2(old, fd);
	if (s && r >= 0)
		simfd_share(s, old, r);
	return r;
}

int dup3(int old, int fd, int flags)
{
	struct sim *s = sim_get();
	int r;

	if (s && simfd_protected(s, fd))
		return ret_errno(-EBUSY);
	r = real.dup3(old, fd, flags);
	if (s && r >= 0)
		simfd_share(s, old, r);
	return r;
}

static int do_fcntl(int fd, int cmd, void *arg)
{
	struct sim *s = sim_get();
	int r = real.fcntl(fd, cmd, arg);

	if (s && r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		simfd_share(s, fd, r);
	return r;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

int sim_fcntl64(int fd, int cmd, ...) __asm__("fcntl64");
int sim_fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

/* A bond answers with its active member's PHC, as bond_ethtool_get_ts_info(). */
static void ts_info(int phc_index, struct ethtool_ts_info *info)
{
	memset(info, 0, sizeof(*info));
	info->cmd = ETHTOOL_GET_TS_INFO;
	info->phc_index = phc_index;
	info->so_timestamping = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
				SOF_TIMESTAMPING_SOFTWARE;
	if (phc_index < 0)
		return;
	info->so_timestamping |= SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE |
				 SOF_TIMESTAMPING_RAW_HARDWARE;
	info->tx_types = (1 << HWTSTAMP_TX_OFF) | (1 << HWTSTAMP_TX_ON);
	info->rx_filters = (1 << HWTSTAMP_FILTER_NONE) | (1 << HWTSTAMP_FILTER_ALL);
}

static int iface_of(struct sim *s, const struct ifreq *ifr)
{
	char name[IFNAMSIZ + 1];

	memcpy(name, ifr->ifr_name, IFNAMSIZ);
	name[IFNAMSIZ] = '\0';
	return scenario_iface(&s->w->sc, name);
}

static int ethtool(struct sim *s, struct ifreq *ifr)
{
	int i = iface_of(s, ifr);
	struct ethtool_ts_info info;
	uint32_t cmd;

	if (i < 0)
		return -ENODEV;
	memcpy(&cmd, ifr->ifr_data, sizeof(cmd));
	if (cmd != ETHTOOL_GET_TS_INFO)
		return -EOPNOTSUPP;
	ts_info(bond_iface_phc(s->w, i), &info);
	memcpy(ifr->ifr_data, &info, sizeof(info));
	return 0;
}

/* A simulated UDP socket: FIONREAD/FIONBIO; the rest (SIOCSHWTSTAMP...) refused. */
static int udp_ioctl(struct sim *s, struct simfd *f, unsigned long req, void *arg)
{
	struct net_sock *k = net_sock(s->w, f->sock);

	if (req == FIONREAD && k) {
		*(int *)arg = k->rx.head ? (int)k->rx.head->len : 0;
		return 0;
	}
	if (req == SIOCGIFINDEX)
		return -ENODEV;
	sim_unsupported("ioctl 0x%lx on a simulated UDP socket", req);
	return req == SIOCSHWTSTAMP || req == SIOCGHWTSTAMP ? -EOPNOTSUPP : -ENOTTY;
}

static int sim_ioctl(struct sim *s, int fd, unsigned long req, void *arg)
{
	struct simfd *f = simfd_get(s, fd);
	int r, i;

	if (f && f->kind == SIMFD_PHC) {
		/* an unplugged device's descriptor: everything fails */
		r = f->gen != s->w->phc[f->clock].gen ? -ENODEV : phc_ioctl(s->w, f->clock, req, arg);
		sim_end_check(s);
		return ret_errno(r);
	}
	if (f && f->kind != SIMFD_UDP)
		return ret_errno(-ENOTTY);
	if (f && req == FIONBIO)
		return real.ioctl(fd, req, arg);	/* the placeholder keeps O_NONBLOCK */
	if (req == SIOCETHTOOL)
		return ret_errno(ethtool(s, arg));
	if (req == SIOCGIFINDEX && (i = iface_of(s, arg)) >= 0) {
		((struct ifreq *)arg)->ifr_ifindex = IFINDEX_BASE + i;
		return 0;
	}
	if (f)
		return ret_errno(udp_ioctl(s, f, req, arg));
	return real.ioctl(fd, req, arg);
}

int ioctl(int fd, unsigned long req, ...)
{
	struct sim *s = sim_get();
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	return s ? sim_ioctl(s, fd, req, arg) : real.ioctl(fd, req, arg);
}

/* read() of PTP external timestamps: simulated PHCs never have any. */
static ssize_t phc_read(struct sim *s, int fd, size_t n)
{
	int r;

	if (n % sizeof(struct ptp_extts_event))
		return ret_errno(-EINVAL);
	if (simfd_nonblock(fd))
		return ret_errno(-EAGAIN);
	r = vt_poll(s, NULL, 0, NULL, NULL);	/* until a signal */
	return ret_errno(r < 0 ? r : -EINTR);
}

ssize_t read(int fd, void *buf, size_t n)
{
	struct sim *s = sim_get();
	struct simfd *f = s ? simfd_get(s, fd) : NULL;

	if (!f)
		return real.read(fd, buf, n);
	if (f->kind == SIMFD_TIMER)
		return simtimer_read(s, fd, buf, n);
	if (f->kind == SIMFD_UDP)
		return recv(fd, buf, n, 0);
	if (f->kind == SIMFD_NETLINK)
		return nlsim_read(s, fd, f, buf, n);
	return phc_read(s, fd, n);
}

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		abort();
	return read(fd, buf, n);
}

unsigned int if_nametoindex(const char *name)
{
	struct sim *s = sim_get();
	int i = s ? scenario_iface(&s->w->sc, name) : -1;

	return i >= 0 ? (unsigned int)(IFINDEX_BASE + i) : real.if_nametoindex(name);
}

char *if_indextoname(unsigned int index, char name[IF_NAMESIZE])
{
	struct sim *s = sim_get();

	if (s && index >= IFINDEX_BASE && index < (unsigned int)(IFINDEX_BASE + s->w->sc.nifaces)) {
		memcpy(name, s->w->sc.ifaces[index - IFINDEX_BASE].name, IF_NAMESIZE);
		return name;
	}
	return real.if_indextoname(index, name);
}
