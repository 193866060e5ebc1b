// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The program's CPUs and the kernel's clocksource files, from the
 * scenario: sched_getaffinity/sched_setaffinity/sched_getcpu see the
 * scenario's `cpus` (moving to another CPU changes which cpu_offset its
 * clock reads carry), and /sys/devices/system/clocksource/clocksource0/
 * {current,available}_clocksource read as the world says. The real
 * process is never moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/sim/sim.h"

#define CS_DIR "/sys/devices/system/clocksource/clocksource0/"

static int ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask)
{
	struct sim *s = sim_get();
	int c;

	if (!s) {
		errno = ENOSYS;		/* never reached: the library is always active */
		return -1;
	}
	if (pid != 0 && pid != getpid())
		return ret_errno(-ESRCH);
	if (size < sizeof(uint64_t))
		return ret_errno(-EINVAL);
	memset(mask, 0, size);
	for (c = 0; c < s->w->sc.ncpus; c++)
		if (s->w->hl.affinity & (1ULL << c))
			CPU_SET_S(c, size, mask);
	return 0;
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask)
{
	struct sim *s = sim_get();
	struct simhealth *h;
	uint64_t m = 0;
	int c;

	if (!s) {
		errno = ENOSYS;
		return -1;
	}
	if (pid != 0 && pid != getpid())
		return ret_errno(-ESRCH);
	h = &s->w->hl;
	for (c = 0; c < s->w->sc.ncpus && (size_t)c < size * 8; c++)
		if (CPU_ISSET_S(c, size, mask))
			m |= 1ULL << c;
	if (!m)
		return ret_errno(-EINVAL);	/* no online CPU in the mask */
	h->affinity = m;
	if (!(m & (1ULL << h->cur_cpu)))
		h->cur_cpu = __builtin_ctzll(m);	/* migrated at once */
	return 0;
}

int sched_getcpu(void)
{
	struct sim *s = sim_get();

	return s ? s->w->hl.cur_cpu : 0;
}

/* A clocksource file of the world, as a memory file; -ENOENT: not one. */
int sim_sysfs_open(struct sim *s, const char *path, int flags)
{
	const char *text;
	char buf[SC_CS_LEN + 2];
	int fd, n;

	if (!path || strncmp(path, CS_DIR, strlen(CS_DIR)))
		return -ENOENT;
	if (!strcmp(path + strlen(CS_DIR), "current_clocksource"))
		text = s->w->hl.current;
	else if (!strcmp(path + strlen(CS_DIR), "available_clocksource"))
		text = s->w->sc.clocksources;
	else
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	n = snprintf(buf, sizeof(buf), "%s\n", text);
	if ((fd = memfd_create("gnomon-sim-sysfs", 0)) < 0)
		return -errno;
	if (write(fd, buf, (size_t)n) != n || lseek(fd, 0, SEEK_SET) != 0) {
		real.close(fd);
		return -EIO;
	}
	if (flags & O_CLOEXEC)
		real.fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (flags & O_NONBLOCK)
		real.fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}
