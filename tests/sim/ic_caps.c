// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Virtual CAP_SYS_TIME. The runner drops CAP_SYS_TIME for real (the second
 * wall), which would make a program that keeps it across its privilege
 * drop fail. So the program is shown the CAP_SYS_TIME it would have had:
 * capget/capset (which libcap uses), prctl's bounding-set and ambient
 * calls, and the setuid family's effect on capabilities are emulated for
 * that one bit, as cap_emulate_setxuid() does in the kernel. The other
 * capabilities are the real ones. Active only when the runner dropped it
 * (GNOMON_SIM_VCAP lists what the process had: e, p, i, b).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <linux/capability.h>

#include "tests/sim/sim.h"

#define BIT (1u << CAP_SYS_TIME)	/* CAP_SYS_TIME < 32: word 0 */

static struct {
	bool active;
	bool eff, perm, inh, bnd, amb;
} vcap;				/* process-wide, like the real capability sets */

void caps_init(const char *spec)
{
	if (!spec || !*spec)
		return;
	vcap.active = true;
	vcap.eff = strchr(spec, 'e') != NULL;
	vcap.perm = strchr(spec, 'p') != NULL;
	vcap.inh = strchr(spec, 'i') != NULL;
	vcap.bnd = strchr(spec, 'b') != NULL;
}

static bool self(cap_user_header_t hdr)
{
	return hdr && (hdr->pid == 0 || hdr->pid == getpid()) &&
	       (hdr->version == _LINUX_CAPABILITY_VERSION_1 ||
		hdr->version == _LINUX_CAPABILITY_VERSION_2 ||
		hdr->version == _LINUX_CAPABILITY_VERSION_3);
}

int capget(cap_user_header_t hdr, cap_user_data_t data)
{
	int r;

	real_init();
	r = real.capget(hdr, data);
	if (r == 0 && vcap.active && data && self(hdr)) {
		data[0].effective |= vcap.eff ? BIT : 0;
		data[0].permitted |= vcap.perm ? BIT : 0;
		data[0].inheritable |= vcap.inh ? BIT : 0;
	}
	return r;
}

int capset(cap_user_header_t hdr, const cap_user_data_t data)
{
	struct __user_cap_data_struct copy[2];
	bool e, p, i;
	int n, r;

	real_init();
	if (!vcap.active || !data || !self(hdr))
		return real.capset(hdr, data);
	n = hdr->version == _LINUX_CAPABILITY_VERSION_1 ? 1 : 2;
	memcpy(copy, data, (size_t)n * sizeof(copy[0]));
	e = copy[0].effective & BIT;
	p = copy[0].permitted & BIT;
	i = copy[0].inheritable & BIT;
	/* the kernel's rules: permitted may only shrink, effective within it,
	 * inheritable within the bounding set unless CAP_SETPCAP */
	if ((p && !vcap.perm) || (e && !p) || (i && !vcap.inh && !vcap.bnd)) {
		errno = EPERM;
		return -1;
	}
	copy[0].effective &= ~BIT;
	copy[0].permitted &= ~BIT;
	copy[0].inheritable &= ~BIT;
	r = real.capset(hdr, copy);
	if (r == 0) {
		vcap.eff = e;
		vcap.perm = p;
		vcap.inh = i;
		vcap.amb = vcap.amb && p && i;
	}
	return r;
}

static int prctl_vcap(int option, unsigned long a2, unsigned long a3, bool *handled)
{
	*handled = true;
	if (option == PR_CAPBSET_READ && a2 == CAP_SYS_TIME)
		return vcap.bnd;
	if (option == PR_CAPBSET_DROP && a2 == CAP_SYS_TIME) {
		vcap.bnd = false;
		return 0;
	}
	if (option == PR_CAP_AMBIENT && a3 == CAP_SYS_TIME) {
		if (a2 == PR_CAP_AMBIENT_IS_SET)
			return vcap.amb;
		if (a2 == PR_CAP_AMBIENT_LOWER) {
			vcap.amb = false;
			return 0;
		}
		if (a2 == PR_CAP_AMBIENT_RAISE) {
			if (!vcap.perm || !vcap.inh) {
				errno = EPERM;
				return -1;
			}
			vcap.amb = true;
			return 0;
		}
	}
	if (option == PR_CAP_AMBIENT && a2 == PR_CAP_AMBIENT_CLEAR_ALL)
		vcap.amb = false;
	*handled = false;
	return 0;
}

int prctl(int option, ...)
{
	unsigned long a2, a3, a4, a5;
	bool handled;
	va_list ap;
	int r;

	va_start(ap, option);
	a2 = va_arg(ap, unsigned long);
	a3 = va_arg(ap, unsigned long);
	a4 = va_arg(ap, unsigned long);
	a5 = va_arg(ap, unsigned long);
	va_end(ap);
	real_init();
	if (vcap.active) {
		r = prctl_vcap(option, a2, a3, &handled);
		if (handled)
			return r;
	}
	return real.prctl(option, a2, a3, a4, a5);
}

/* cap_emulate_setxuid(): what a uid change does to the capability sets. */
static void after_setxuid(uid_t or, uid_t oe, uid_t os)
{
	uid_t nr, ne, ns;

	if (!vcap.active || getresuid(&nr, &ne, &ns))
		return;
	if ((or == 0 || oe == 0 || os == 0) && nr && ne && ns &&
	    real.prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 1) {
		vcap.perm = vcap.eff = false;
		vcap.amb = false;
	}
	if (oe == 0 && ne != 0)
		vcap.eff = false;
	if (oe != 0 && ne == 0)
		vcap.eff = vcap.perm;
}

#define SETXUID(call)						\
	uid_t or, oe, os;					\
	int r;							\
								\
	real_init();						\
	if (getresuid(&or, &oe, &os))				\
		return -1;					\
	r = call;						\
	if (r == 0)						\
		after_setxuid(or, oe, os);			\
	return r

int setuid(uid_t u)
{
	SETXUID(real.setuid(u));
}

int seteuid(uid_t u)
{
	SETXUID(real.seteuid(u));
}

int setreuid(uid_t r_, uid_t e_)
{
	SETXUID(real.setreuid(r_, e_));
}

int setresuid(uid_t r_, uid_t e_, uid_t s_)
{
	SETXUID(real.setresuid(r_, e_, s_));
}
