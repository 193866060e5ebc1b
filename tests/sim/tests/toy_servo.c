// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A toy clock daemon, the way gnomond is written: one poll() loop timed by
 * CLOCK_MONOTONIC, a reference PHC read with PTP_SYS_OFFSET_EXTENDED (min
 * delay of 5), a PI servo, CLOCK_REALTIME slewed with the tick+frequency
 * split, exit 0 on SIGTERM. Used by run-tests.sh to exercise the simulator.
 *
 *   toy_servo [-d /dev/ptpN] [-O tai_utc_s] [-S step_threshold_ns]
 *             [-m max_ppb] [-i interval_ms] [-v]
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>
#include <linux/ptp_clock.h>

#define NS 1000000000LL

static volatile sig_atomic_t quit;

static void on_term(int sig)
{
	(void)sig;
	quit = 1;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static int64_t pt_ns(const struct ptp_clock_time *t)
{
	return t->sec * NS + t->nsec;
}

/* offset = CLOCK_REALTIME - PHC at the narrowest window, ns */
static int measure(int fd, int64_t *offset)
{
	struct ptp_sys_offset_extended so;
	int64_t best = INT64_MAX;
	unsigned int i;

	memset(&so, 0, sizeof(so));
	so.n_samples = 5;
	if (ioctl(fd, PTP_SYS_OFFSET_EXTENDED, &so))
		return -errno;
	for (i = 0; i < so.n_samples; i++) {
		int64_t t1 = pt_ns(&so.ts[i][0]), tp = pt_ns(&so.ts[i][1]);
		int64_t t2 = pt_ns(&so.ts[i][2]);

		if (t2 - t1 < best) {
			best = t2 - t1;
			*offset = t1 + (t2 - t1) / 2 - tp;
		}
	}
	return 0;
}

static int set_freq(double ppb)
{
	struct timex tx = { .modes = ADJ_TICK | ADJ_FREQUENCY };
	long tick = 10000 + lround(ppb / 1e5);

	tx.tick = tick;
	tx.freq = lround((ppb - (double)(tick - 10000) * 1e5) * 65.536);
	return adjtimex(&tx) < 0 ? -errno : 0;
}

static int step(int64_t delta)
{
	struct timex tx = { .modes = ADJ_SETOFFSET | ADJ_NANO };

	tx.time.tv_sec = delta >= 0 ? delta / NS : -((-delta + NS - 1) / NS);
	tx.time.tv_usec = delta - tx.time.tv_sec * NS;
	return adjtimex(&tx) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/ptp0";
	double max_ppb = 1e8, kp = 0.7, ki = 0.3, integral = 0, ppb;
	int64_t step_thr = 0, interval = NS, next, off = 0, tai = 37;
	struct ptp_clock_caps caps;
	int fd, c, verbose = 0, first = 1, updates = 0;
	struct sigaction sa = { .sa_handler = on_term };

	while ((c = getopt(argc, argv, "d:O:S:m:i:v")) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'O': tai = atoll(optarg); break;
		case 'S': step_thr = atoll(optarg); break;
		case 'm': max_ppb = atof(optarg); break;
		case 'i': interval = atoll(optarg) * 1000000; break;
		case 'v': verbose = 1; break;
		default: return 2;
		}
	}
	sigaction(SIGTERM, &sa, NULL);
	if ((fd = open(dev, O_RDWR)) < 0 || ioctl(fd, PTP_CLOCK_GETCAPS, &caps)) {
		perror(dev);
		return 1;
	}
	next = mono_ns();
	while (!quit) {
		int64_t now = mono_ns();
		int timeout = next > now ? (int)((next - now + 999999) / 1000000) : 0;

		if (poll(NULL, 0, timeout) < 0 && errno != EINTR)
			return 1;
		if (quit || mono_ns() < next)
			continue;
		next += interval;
		if (measure(fd, &off)) {
			if (verbose)
				fprintf(stderr, "toy: read failed\n");
			continue;
		}
		off += tai * NS;	/* the PHC carries TAI, the system clock UTC */
		if (first && step_thr && llabs(off) > step_thr) {
			step(-off);
			first = 0;
			continue;
		}
		first = 0;
		integral += ki * (double)off;
		ppb = -(kp * (double)off + integral);
		ppb = ppb > max_ppb ? max_ppb : ppb < -max_ppb ? -max_ppb : ppb;
		if (set_freq(ppb))
			return 1;
		if (verbose)
			fprintf(stderr, "toy: offset %lld freq %.1f\n", (long long)off, ppb);
		updates++;
	}
	if (verbose)
		fprintf(stderr, "toy: %d updates, clean exit\n", updates);
	close(fd);
	return 0;
}
