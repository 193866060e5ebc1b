// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A daemon's privilege drop under the simulator (run as root): become
 * another user keeping only CAP_SYS_TIME with libcap, as gnomond's
 * privdrop does. The runner removed the real CAP_SYS_TIME; the simulator
 * shows the program the one it would have had, so the drop succeeds, the
 * simulated clock can be corrected, and the kernel still says no.
 *   toy_privdrop USER
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <unistd.h>

#include "tap.h"

static int has(cap_flag_t set)
{
	cap_t c = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (c) {
		cap_get_flag(c, CAP_SYS_TIME, set, &v);
		cap_free(c);
	}
	return v == CAP_SET;
}

static int drop(const struct passwd *pw)
{
	cap_value_t keep = CAP_SYS_TIME;
	cap_t want;
	int c, r;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (c != CAP_SYS_TIME && c != CAP_SETPCAP && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgid(pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))
		return -errno;
	if (!(want = cap_init()))
		return -ENOMEM;
	r = cap_set_flag(want, CAP_PERMITTED, 1, &keep, CAP_SET) ||
	    cap_set_flag(want, CAP_EFFECTIVE, 1, &keep, CAP_SET) || cap_set_proc(want) ? -errno : 0;
	cap_free(want);
	return r;
}

static volatile sig_atomic_t quit;

static void on_term(int sig)
{
	(void)sig;
	quit = 1;
}

int main(int argc, char **argv)
{
	struct passwd *pw = getpwnam(argc > 1 ? argv[1] : "nobody");
	struct sigaction sa = { .sa_handler = on_term };
	struct timex tx = { .modes = ADJ_FREQUENCY, .freq = 65536 };
	int r;

	sigaction(SIGTERM, &sa, NULL);
	check(pw != NULL, "user_exists", "no such user");
	check(getuid() == 0 && has(CAP_PERMITTED) && has(CAP_EFFECTIVE), "root_sees_cap_sys_time",
	      "uid %d", (int)getuid());
	check(prctl(PR_CAPBSET_READ, CAP_SYS_TIME, 0, 0, 0) == 1, "bounding_shows_cap_sys_time", "no");
	r = pw ? drop(pw) : -EINVAL;
	check(r == 0, "drop_keeping_cap_sys_time", "%s", strerror(-r));
	check(getuid() == pw->pw_uid && has(CAP_EFFECTIVE) && has(CAP_PERMITTED),
	      "after_drop_cap_sys_time", "uid %d eff %d", (int)getuid(), has(CAP_EFFECTIVE));
	check(adjtimex(&tx) >= 0, "simulated_adjust_after_drop", "errno=%d", errno);
	tx.modes = ADJ_TICK;
	tx.tick = 1;	/* invalid: EPERM without the capability, EINVAL with it */
	check(syscall(SYS_adjtimex, &tx) < 0 && errno == EPERM, "simulator_refuses_raw", "errno=%d",
	      errno);
	while (!quit)
		pause();
	return tap_failed ? 1 : 0;
}
