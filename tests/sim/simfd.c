// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Simulated descriptors. Each one holds a real descriptor on /dev/null so
 * that the number is taken, close() and fcntl() behave, and nothing the
 * kernel sees can be mistaken for a clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "tests/sim/net.h"
#include "tests/sim/sim.h"

struct simfd *simfd_get(struct sim *s, int fd)
{
	return fd >= 0 && fd < SIM_MAX_FD ? s->fd[fd] : NULL;
}

int simfd_attach(struct sim *s, int fd, const struct simfd *proto)
{
	struct simfd *f;

	if (fd < 0 || fd >= SIM_MAX_FD)
		return -EMFILE;
	if (!(f = malloc(sizeof(*f))))
		return -ENOMEM;
	*f = *proto;
	f->refs = 1;
	s->fd[fd] = f;
	return 0;
}

void simfd_share(struct sim *s, int old, int fd)
{
	struct simfd *f = simfd_get(s, old);

	if (fd < 0 || fd >= SIM_MAX_FD || fd == old)
		return;
	simfd_release(s, fd);
	if (f) {
		f->refs++;
		s->fd[fd] = f;
	}
}

void simfd_release(struct sim *s, int fd)
{
	struct simfd *f = simfd_get(s, fd);

	if (!f)
		return;
	s->fd[fd] = NULL;
	if (--f->refs)
		return;
	if (f->kind == SIMFD_UDP)
		net_close(s->w, f->sock);
	if (f->kind == SIMFD_NETLINK)
		nlsim_free(f->nl);
	free(f);
}

bool simfd_protected(const struct sim *s, int fd)
{
	int i;

	for (i = 0; i < s->nprotect; i++)
		if (s->protect[i] == fd)
			return true;
	return false;
}

int simfd_placeholder(int flags)
{
	real_init();
	return real.open("/dev/null", O_RDWR | (flags & (O_CLOEXEC | O_NONBLOCK)));
}

bool simfd_nonblock(int fd)
{
	int fl = real.fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_NONBLOCK);
}
