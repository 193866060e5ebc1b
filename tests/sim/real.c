// SPDX-License-Identifier: GPL-2.0-or-later
/* The real libc functions underneath the interposers. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/sim/sim.h"

struct real_fns real;	/* process-wide: there is one libc */

static void *must(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	static const char msg[] = "gnomon-sim: cannot find a libc function\n";

	if (!p) {
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(2);
		_exit(2);
	}
	return p;
}

#define RESOLVE(f) (*(void **)&real.f = must(#f))

void real_init(void)
{
	static int done;

	if (done)
		return;
	RESOLVE(poll);
	RESOLVE(ppoll);
	RESOLVE(nanosleep);
	RESOLVE(clock_nanosleep);
	RESOLVE(select);
	RESOLVE(pselect);
	RESOLVE(clock_gettime);
	RESOLVE(clock_getres);
	RESOLVE(open);
	RESOLVE(openat);
	RESOLVE(close);
	RESOLVE(read);
	RESOLVE(ioctl);
	RESOLVE(fcntl);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(sigaction);
	RESOLVE(sigprocmask);
	RESOLVE(syscall);
	RESOLVE(prctl);
	RESOLVE(capget);
	RESOLVE(capset);
	RESOLVE(setuid);
	RESOLVE(setresuid);
	RESOLVE(setreuid);
	RESOLVE(seteuid);
	RESOLVE(if_nametoindex);
	RESOLVE(if_indextoname);
	RESOLVE(socket);
	RESOLVE(bind);
	RESOLVE(connect);
	RESOLVE(getsockname);
	RESOLVE(getpeername);
	RESOLVE(setsockopt);
	RESOLVE(getsockopt);
	RESOLVE(send);
	RESOLVE(sendto);
	RESOLVE(sendmsg);
	RESOLVE(sendmmsg);
	RESOLVE(recv);
	RESOLVE(recvfrom);
	RESOLVE(recvmsg);
	RESOLVE(recvmmsg);
	RESOLVE(write);
	RESOLVE(writev);
	RESOLVE(readv);
	RESOLVE(shutdown);
	RESOLVE(getaddrinfo);
	RESOLVE(freeaddrinfo);
	RESOLVE(getnameinfo);
	RESOLVE(getrandom);
	RESOLVE(getentropy);
	done = 1;
}
