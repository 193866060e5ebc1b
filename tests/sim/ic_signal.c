// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signal handlers go through a trampoline that notes the arrival before
 * calling the program's handler, so that a wait in virtual time (which is
 * not a real system call) returns EINTR like a real poll() would. The
 * program sees its own handlers in sigaction()'s old action.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "tests/sim/sim.h"

static struct sigaction user_act[_NSIG];	/* the program's view, per signal */
static bool wrapped[_NSIG];

static void trampoline(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *u = &user_act[sig];

	sim_sig_seen = 1;
	if (u->sa_flags & SA_RESETHAND)
		wrapped[sig] = false;	/* the kernel has reset it to SIG_DFL */
	if (u->sa_flags & SA_SIGINFO)
		u->sa_sigaction(sig, si, uc);
	else if (u->sa_handler != SIG_DFL && u->sa_handler != SIG_IGN)
		u->sa_handler(sig);
}

static bool is_function(const struct sigaction *act)
{
	if (act->sa_flags & SA_SIGINFO)
		return act->sa_sigaction != NULL;
	return act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction prev, kold, k;
	bool was;
	int r;

	real_init();
	if (sig <= 0 || sig >= _NSIG || sig == SIGKILL || sig == SIGSTOP)
		return real.sigaction(sig, act, old);
	prev = user_act[sig];
	was = wrapped[sig];
	if (act && is_function(act)) {
		k = *act;
		k.sa_sigaction = trampoline;
		k.sa_flags |= SA_SIGINFO;
		r = real.sigaction(sig, &k, &kold);
		if (r == 0) {
			user_act[sig] = *act;
			wrapped[sig] = true;
		}
	} else {
		r = real.sigaction(sig, act, &kold);
		if (r == 0 && act)
			wrapped[sig] = false;
	}
	if (r == 0 && old)
		*old = was ? prev : kold;
	return r;
}

/* glibc's signal(): BSD semantics, SA_RESTART, the signal blocked in its handler. */
sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction act, old;

	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	sigemptyset(&act.sa_mask);
	if (sig > 0 && sig < _NSIG)
		sigaddset(&act.sa_mask, sig);
	act.sa_flags = SA_RESTART;
	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}
