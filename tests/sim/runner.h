/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file runner.h
 * gnomon-sim's walls between COMMAND and the real clocks (runner_guard.c).
 * The preload library simulates every clock call; these make sure COMMAND
 * runs with it, and that a call which slips past it fails in the kernel.
 */
#ifndef GNOMON_SIM_RUNNER_H
#define GNOMON_SIM_RUNNER_H

/**
 * Check, in a child process, that @p lib dlopen()s (RTLD_NOW) and is the
 * simulator's library (it exports gnomon_sim_probe()). Its constructor is
 * told (GNOMON_SIM_PROBE) to set nothing up. The reason of a failure is
 * printed on stderr. Returns 0 or -1.
 */
int guard_probe_library(const char *lib);

/**
 * CAP_SYS_TIME as this process holds it, as the preload's GNOMON_SIM_VCAP
 * spec: letters e, p, i (effective, permitted, inheritable) and b
 * (bounding set). @p spec has room for 5 characters.
 */
void guard_vcap_spec(char *spec);

/**
 * In the child, before exec: drop CAP_SYS_TIME from the bounding, ambient,
 * effective, permitted and inheritable sets. Where the bounding set cannot
 * be changed (no CAP_SETPCAP), set no_new_privs instead, so that exec
 * cannot grant it back from file capabilities or a setuid-root file.
 * Returns 0, or -1 if CAP_SYS_TIME could survive the exec.
 */
int guard_drop_sys_time(void);

/**
 * In the child, before exec: a seccomp filter that fails the syscalls that
 * set a clock (clock_settime, clock_adjtime, adjtimex, settimeofday, and
 * stime and the 64-bit time variants where they exist) with EPERM, and
 * every syscall of a foreign ABI (x32, 32-bit on 64-bit) likewise. Reads
 * through adjtimex fail too: the library serves them all. Sets
 * no_new_privs if the kernel wants it (no CAP_SYS_ADMIN). Returns 0, or
 * -errno (-ENOSYS: no filter for this architecture).
 */
int guard_clock_filter(void);

#endif
