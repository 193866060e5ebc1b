// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomon-sim's walls (runner.h). The first is the library: checked here
 * with dlopen() before COMMAND is started, then by the handshake in
 * runner.c. The second is CAP_SYS_TIME, dropped for real (the library
 * shows COMMAND the one it would have had). The third is a seccomp filter
 * that refuses the clock-setting syscalls whatever the capabilities, and
 * datagram, raw and packet sockets of the kernel: COMMAND runs main()
 * before the runner can know that the library said hello, and without the
 * library nothing else would stop it there.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "tests/sim/runner.h"

int guard_probe_library(const char *lib)
{
	int (*probe)(void);
	pid_t pid;
	void *h;
	int st;

	fflush(NULL);
	if ((pid = fork()) < 0) {
		perror("gnomon-sim: fork");
		return -1;
	}
	if (pid == 0) {
		setenv("GNOMON_SIM_PROBE", "1", 1);
		if (!(h = dlopen(lib, RTLD_NOW | RTLD_LOCAL))) {
			fprintf(stderr, "gnomon-sim: %s\n", dlerror());
			_exit(1);
		}
		*(void **)&probe = dlsym(h, "gnomon_sim_probe");
		if (!probe || probe() != 1) {
			fprintf(stderr, "gnomon-sim: %s: not the simulator's library "
				"(no gnomon_sim_probe 1)\n", lib);
			_exit(1);
		}
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

void guard_vcap_spec(char *spec)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v;
	char *p = spec;

	if (caps) {
		if (!cap_get_flag(caps, CAP_SYS_TIME, CAP_EFFECTIVE, &v) && v)
			*p++ = 'e';
		if (!cap_get_flag(caps, CAP_SYS_TIME, CAP_PERMITTED, &v) && v)
			*p++ = 'p';
		if (!cap_get_flag(caps, CAP_SYS_TIME, CAP_INHERITABLE, &v) && v)
			*p++ = 'i';
		cap_free(caps);
	}
	if (prctl(PR_CAPBSET_READ, CAP_SYS_TIME, 0, 0, 0) == 1)
		*p++ = 'b';
	*p = '\0';
}

int guard_drop_sys_time(void)
{
	cap_value_t v = CAP_SYS_TIME;
	cap_t caps;
	int r = 0;

	prctl(PR_CAPBSET_DROP, CAP_SYS_TIME, 0, 0, 0);	/* needs CAP_SETPCAP */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SYS_TIME, 0, 0);
	if (!(caps = cap_get_proc()))
		return -1;
	if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) ||
	    cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_CLEAR) ||
	    cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_CLEAR) || cap_set_proc(caps))
		r = -1;
	cap_free(caps);
	/* Still in the bounding set: root would get it back at exec, anyone
	 * from a file with the capability or a setuid-root file, unless exec
	 * may not grant privileges at all (with no_new_privs the new
	 * permitted set is capped by the old one). */
	if (prctl(PR_CAPBSET_READ, CAP_SYS_TIME, 0, 0, 0) != 0 &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		r = -1;
	return r;
}

#if defined(__x86_64__)
#define GUARD_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define GUARD_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define GUARD_ARCH AUDIT_ARCH_I386
#endif

#define REFUSE BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), REFUSE
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args[i]) + 4)
#else
#define ARG_LO(i) offsetof(struct seccomp_data, args[i])
#endif

/*
 * The network wall (where socket() is a syscall of its own, not i386's
 * socketcall): only AF_UNIX, AF_NETLINK, AF_ALG and AF_INET/AF_INET6
 * SOCK_STREAM sockets may be made; any other (UDP, raw, AF_PACKET, the
 * families that reach other machines) fails with EPERM. The library never
 * asks the kernel for one (it simulates UDP and refuses the rest), so only
 * a program without the library, a raw syscall or a program it starts
 * could, and none may send a datagram to the real network. TCP stays (for
 * local listeners); the library refuses a TCP connect off the loopback.
 */
#if defined(__NR_socket) && !defined(__i386__)
#define NET_WALL \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 10), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 8, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 7, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_ALG, 6, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 3), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)), \
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, 1, 0), \
	REFUSE, \
	ALLOW,
#else
#define NET_WALL
#endif

int guard_clock_filter(void)
{
#ifdef GUARD_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, GUARD_ARCH, 1, 0),
		REFUSE,
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __X32_SYSCALL_BIT
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1),
		REFUSE,
#endif
		DENY(__NR_clock_settime),
		DENY(__NR_clock_adjtime),
		DENY(__NR_adjtimex),
		DENY(__NR_settimeofday),
#ifdef __NR_stime
		DENY(__NR_stime),
#endif
#ifdef __NR_clock_settime64
		DENY(__NR_clock_settime64),
#endif
#ifdef __NR_clock_adjtime64
		DENY(__NR_clock_adjtime64),
#endif
		NET_WALL
		ALLOW,
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (!prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		return 0;
	if (errno != EACCES)
		return -errno;
	/* without CAP_SYS_ADMIN the kernel wants no_new_privs first */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		return -errno;
	return 0;
#else
	return -ENOSYS;
#endif
}
