// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Simulated PHCs and interfaces, checked from a program (phc.scn):
 * open, caps, clock_adjtime/settime on FD_TO_CLOCKID, the three
 * PTP_SYS_OFFSET ioctls, SIOCETHTOOL, dup/close, and the faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/ptp_clock.h>
#include <linux/sockios.h>

#include "tap.h"

#define NS 1000000000LL
#define CLOCKFD 3
#define FD_TO_CLOCKID(fd) ((clockid_t)((~(unsigned int)(fd) << 3) | CLOCKFD))

static int64_t pt(const struct ptp_clock_time *t)
{
	return t->sec * NS + t->nsec;
}

static void sleep_until(int64_t mono_target)
{
	int64_t now = now_ns(CLOCK_MONOTONIC);
	struct timespec ts;

	if (mono_target <= now)
		return;
	ts.tv_sec = (mono_target - now) / NS;
	ts.tv_nsec = (mono_target - now) % NS;
	nanosleep(&ts, NULL);
}

static void test_open_caps(int fd0, int fd1)
{
	struct ptp_clock_caps caps;
	int fd;

	errno = 0;
	check(open("/dev/ptp9", O_RDWR) < 0 && errno == ENOENT, "open_unknown_phc_enoent",
	      "errno=%d", errno);
	check(ioctl(fd1, PTP_CLOCK_GETCAPS, &caps) == 0 && caps.max_adj == 500000 &&
	      caps.cross_timestamping == 1, "caps_ptp1", "max_adj %d xts %d", caps.max_adj,
	      caps.cross_timestamping);
	check(ioctl(fd0, PTP_CLOCK_GETCAPS2, &caps) == 0 && caps.max_adj == 100000000 &&
	      caps.cross_timestamping == 0, "caps2_ptp0_defaults", "max_adj %d", caps.max_adj);
	check(ioctl(fd0, _IO(PTP_CLK_MAGIC, 99)) < 0 && errno == ENOTTY, "unknown_ioctl_enotty",
	      "errno=%d", errno);
	fd = open("/dev/ptp1", O_RDONLY);
	{
		struct timex tx = { .modes = ADJ_FREQUENCY, .freq = 65536 };

		check(clock_adjtime(FD_TO_CLOCKID(fd), &tx) < 0 && errno == EACCES,
		      "readonly_adjust_eacces", "errno=%d", errno);
		tx.modes = 0;
		check(clock_adjtime(FD_TO_CLOCKID(fd), &tx) == 0, "readonly_read_ok", "errno=%d", errno);
	}
	close(fd);
}

static void test_adjust(int fd0, int fd1)
{
	clockid_t c0 = FD_TO_CLOCKID(fd0), c1 = FD_TO_CLOCKID(fd1);
	struct timex tx = { .modes = ADJ_FREQUENCY };
	struct timespec ts;
	int64_t d0, d1;

	tx.freq = 600 * 65536;		/* 600 ppm > max_adj 500 ppm */
	check(clock_adjtime(c1, &tx) < 0 && errno == ERANGE, "phc_freq_erange", "errno=%d", errno);
	tx.freq = -400 * 65536;
	check(clock_adjtime(c1, &tx) == 0, "phc_freq_ok", "errno=%d", errno);
	tx.modes = 0;
	tx.freq = 0;
	check(clock_adjtime(c1, &tx) == 0 && tx.freq == -400 * 65536, "phc_freq_readback",
	      "freq %ld", tx.freq);
	tx.modes = ADJ_TICK;
	tx.tick = 10001;
	check(clock_adjtime(c1, &tx) < 0 && errno == EOPNOTSUPP, "phc_tick_eopnotsupp",
	      "errno=%d", errno);
	tx.modes = ADJ_FREQUENCY;
	tx.freq = 0;
	clock_adjtime(c1, &tx);
	d0 = now_ns(c1) - now_ns(c0);
	tx.modes = ADJ_SETOFFSET | ADJ_NANO;
	tx.time.tv_sec = -1;
	tx.time.tv_usec = 999000000;	/* -1 ms */
	check(clock_adjtime(c1, &tx) == 0, "phc_setoffset", "errno=%d", errno);
	d1 = now_ns(c1) - now_ns(c0);
	check(llabs(d1 - d0 + 1000000) < 5000, "phc_setoffset_moves", "moved %lld",
	      (long long)(d1 - d0));
	clock_gettime(c0, &ts);
	check(clock_settime(c1, &ts) == 0 && llabs(now_ns(c1) - now_ns(c0)) < 5000,
	      "phc_settime", "diff %lld", (long long)(now_ns(c1) - now_ns(c0)));
}

static void test_sys_offset(int fd0, int fd1, int fd2)
{
	struct ptp_sys_offset so = { .n_samples = 26 };
	struct ptp_sys_offset_extended ex;
	struct ptp_sys_offset_precise pr;
	int64_t w, m;

	check(ioctl(fd0, PTP_SYS_OFFSET, &so) < 0 && errno == EINVAL, "sys_offset_26_einval",
	      "errno=%d", errno);
	so.n_samples = 25;
	check(ioctl(fd0, PTP_SYS_OFFSET, &so) == 0 && pt(&so.ts[50]) > pt(&so.ts[0]),
	      "sys_offset_25", "errno=%d", errno);
	w = pt(&so.ts[2]) - pt(&so.ts[0]);
	check(w >= 500 && w < 2000, "sys_offset_window", "window %lld ns", (long long)w);
	check(llabs(pt(&so.ts[1]) - pt(&so.ts[0]) - 37 * NS) < 2000, "phc_carries_tai",
	      "phc - sys %lld", (long long)(pt(&so.ts[1]) - pt(&so.ts[0])));
	memset(&ex, 0, sizeof(ex));
	ex.n_samples = 3;
	check(ioctl(fd2, PTP_SYS_OFFSET_EXTENDED, &ex) < 0 && errno == EOPNOTSUPP,
	      "extended_unsupported", "errno=%d", errno);
	ex.rsv[0] = CLOCK_MONOTONIC;
	m = now_ns(CLOCK_MONOTONIC);
	check(ioctl(fd0, PTP_SYS_OFFSET_EXTENDED2, &ex) == 0 && pt(&ex.ts[0][0]) >= m &&
	      pt(&ex.ts[0][0]) - m < 10000, "extended_monotonic", "pre %lld mono %lld",
	      (long long)pt(&ex.ts[0][0]), (long long)m);
	ex.rsv[0] = CLOCK_TAI;
	check(ioctl(fd0, PTP_SYS_OFFSET_EXTENDED, &ex) < 0 && errno == EINVAL, "extended_bad_clock",
	      "errno=%d", errno);
	check(ioctl(fd0, PTP_SYS_OFFSET_PRECISE, &pr) < 0 && errno == EOPNOTSUPP,
	      "precise_unsupported", "errno=%d", errno);
	check(ioctl(fd1, PTP_SYS_OFFSET_PRECISE2, &pr) == 0 &&
	      llabs(pt(&pr.device) - pt(&pr.sys_realtime) - 37 * NS) < 10000, "precise",
	      "device - sys %lld", (long long)(pt(&pr.device) - pt(&pr.sys_realtime)));
}

static int ethtool_phc(int sk, const char *ifname, int *phc)
{
	struct ethtool_ts_info info = { .cmd = ETHTOOL_GET_TS_INFO };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_data = (char *)&info;
	if (ioctl(sk, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	*phc = info.phc_index;
	return 0;
}

static void test_ethtool(void)
{
	int sk = socket(AF_INET, SOCK_DGRAM, 0), phc = -2;

	check(ethtool_phc(sk, "eth1", &phc) == 0 && phc == 1, "ethtool_eth1_ptp1", "phc %d", phc);
	check(ethtool_phc(sk, "eth2", &phc) == 0 && phc == -1, "ethtool_no_phc", "phc %d", phc);
	check(ethtool_phc(sk, "nosuch0", &phc) == -ENODEV, "ethtool_unknown_enodev", "phc %d", phc);
	check(if_nametoindex("eth0") > 0, "if_nametoindex", "0");
	close(sk);
}

static void test_dup(int fd0)
{
	int d = dup(fd0), d2 = fcntl(fd0, F_DUPFD, 100);
	struct timespec ts;

	check(d >= 0 && clock_gettime(FD_TO_CLOCKID(d), &ts) == 0, "dup_phc", "errno=%d", errno);
	close(d);
	check(clock_gettime(FD_TO_CLOCKID(d), &ts) < 0 && errno == EINVAL, "closed_phc_einval",
	      "errno=%d", errno);
	check(clock_gettime(FD_TO_CLOCKID(d2), &ts) == 0, "fcntl_dupfd_phc", "errno=%d", errno);
	close(d2);
	check(clock_gettime(FD_TO_CLOCKID(0), &ts) < 0 && errno == EINVAL, "non_phc_fd_einval",
	      "errno=%d", errno);
}

/* phc.scn: ptp1 fails with EIO from 20 s for 5 s, hangs at 40 s for 3 s. */
static void test_faults(int fd1, int64_t start)
{
	struct ptp_clock_caps caps;
	struct ptp_sys_offset so = { .n_samples = 3 };
	struct timespec ts;
	int64_t t;

	sleep_until(start + 21 * NS);
	check(clock_gettime(FD_TO_CLOCKID(fd1), &ts) < 0 && errno == EIO, "fault_eio_read",
	      "errno=%d", errno);
	check(ioctl(fd1, PTP_SYS_OFFSET, &so) < 0 && errno == EIO, "fault_eio_ioctl", "errno=%d", errno);
	check(ioctl(fd1, PTP_CLOCK_GETCAPS, &caps) == 0, "fault_caps_still_work", "errno=%d", errno);
	sleep_until(start + 26 * NS);
	check(ioctl(fd1, PTP_SYS_OFFSET, &so) == 0, "fault_eio_cleared", "errno=%d", errno);
	sleep_until(start + 40500000000LL);
	t = now_ns(CLOCK_MONOTONIC);
	check(ioctl(fd1, PTP_SYS_OFFSET, &so) == 0, "fault_hang_returns", "errno=%d", errno);
	t = now_ns(CLOCK_MONOTONIC) - t;
	check(t > 2400000000LL && t < 2600000000LL, "fault_hang_takes_the_rest", "took %lld ns",
	      (long long)t);
}

static int64_t start_ns;

static long phc_freq(int fd)
{
	struct timex tx = { .modes = 0 };

	return clock_adjtime(FD_TO_CLOCKID(fd), &tx) < 0 ? -1 : tx.freq;
}

/* phc.scn from 44 s: ENODEV and EBUSY windows on ptp2, its frequency reset
 * to 0 and set to 7 ppm by someone else, CLOCK_REALTIME's frequency and
 * tick set by someone else, then ptp2 unplugged for 2 s. */
static void test_more_faults(int fd2)
{
	struct timex tx = { .modes = ADJ_FREQUENCY, .freq = 65536 * 5 };
	struct timespec ts;
	int fd;

	check(clock_adjtime(FD_TO_CLOCKID(fd2), &tx) == 0, "dial_ptp2_5ppm", "errno=%d", errno);
	sleep_until(44500000000LL + start_ns);
	check(clock_gettime(FD_TO_CLOCKID(fd2), &ts) < 0 && errno == ENODEV, "fault_enodev_read",
	      "errno=%d", errno);
	sleep_until(46500000000LL + start_ns);
	check(clock_gettime(FD_TO_CLOCKID(fd2), &ts) < 0 && errno == EBUSY, "fault_ebusy_read",
	      "errno=%d", errno);
	check(clock_adjtime(FD_TO_CLOCKID(fd2), &tx) < 0 && errno == EBUSY, "fault_ebusy_adjust",
	      "errno=%d", errno);
	sleep_until(47500000000LL + start_ns);
	check(phc_freq(fd2) == 65536 * 5, "ebusy_cleared_freq_kept", "freq %ld", phc_freq(fd2));
	sleep_until(48500000000LL + start_ns);
	check(phc_freq(fd2) == 0, "freq_reset_to_0", "freq %ld", phc_freq(fd2));
	sleep_until(49500000000LL + start_ns);
	check(phc_freq(fd2) == 65536 * 7, "foreign_freq_phc", "freq %ld", phc_freq(fd2));
	tx.modes = 0;
	check(adjtimex(&tx) >= 0 && tx.freq == -65536 * 3 && tx.tick == 10010, "foreign_freq_tick_system",
	      "freq %ld tick %ld", tx.freq, tx.tick);
	sleep_until(50500000000LL + start_ns);
	check(clock_gettime(FD_TO_CLOCKID(fd2), &ts) < 0 && errno == ENODEV, "unplug_fd_dead_read",
	      "errno=%d", errno);
	check(phc_freq(fd2) < 0 && errno == ENODEV, "unplug_fd_dead_adjtime", "errno=%d", errno);
	check(ioctl(fd2, PTP_CLOCK_GETCAPS, &(struct ptp_clock_caps){ 0 }) < 0 && errno == ENODEV,
	      "unplug_fd_dead_caps", "errno=%d", errno);
	fd = open("/dev/ptp2", O_RDWR);
	check(fd < 0 && errno == ENOENT, "unplug_device_absent", "fd %d errno=%d", fd, errno);
	sleep_until(52500000000LL + start_ns);
	check(clock_gettime(FD_TO_CLOCKID(fd2), &ts) < 0 && errno == ENODEV, "unplug_old_fd_stays_dead",
	      "errno=%d", errno);
	fd = open("/dev/ptp2", O_RDWR);
	check(fd >= 0 && clock_gettime(FD_TO_CLOCKID(fd), &ts) == 0, "unplug_reopen_works",
	      "fd %d errno=%d", fd, errno);
	if (fd >= 0)
		close(fd);
}

static volatile sig_atomic_t quit;

static void on_term(int sig)
{
	(void)sig;
	quit = 1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_term };
	int64_t start = now_ns(CLOCK_MONOTONIC);
	int fd0 = open("/dev/ptp0", O_RDWR), fd1 = open("/dev/ptp1", O_RDWR);
	int fd2 = open("/dev/ptp2", O_RDWR);

	sigaction(SIGTERM, &sa, NULL);
	check(fd0 >= 0 && fd1 >= 0 && fd2 >= 0, "open_phcs", "errno=%d", errno);
	test_open_caps(fd0, fd1);
	test_adjust(fd0, fd1);
	test_sys_offset(fd0, fd1, fd2);
	test_ethtool();
	test_dup(fd0);
	test_faults(fd1, start);
	start_ns = start;
	test_more_faults(fd2);
	while (!quit)
		pause();
	return tap_failed ? 1 : 0;
}
