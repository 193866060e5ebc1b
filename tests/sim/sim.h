/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file sim.h
 * The LD_PRELOAD side of the simulator: the one process-wide instance that
 * binds the interposed libc functions to the simulated world, the table of
 * simulated file descriptors, and the real libc functions underneath.
 *
 * Interposers call sim_get(): NULL means "not active" (while the library
 * initialises itself) and the call goes to the real libc unchanged, which
 * is also how the library's own file and socket work reaches the kernel.
 */
#ifndef GNOMON_SIM_SIM_H
#define GNOMON_SIM_SIM_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netdb.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <time.h>
#include <linux/capability.h>

#include "tests/sim/world.h"

#define SIM_MAX_FD	4096
#define SIM_HIGH_FD	900	/* the library's own descriptors live here */

enum simfd_kind { SIMFD_PHC = 1, SIMFD_TIMER, SIMFD_UDP, SIMFD_NETLINK };

struct nlsock;

/** A simulated descriptor; dup()s share it. The real fd is a /dev/null
 *  placeholder that keeps the number taken and fcntl() working. */
struct simfd {
	int refs;
	enum simfd_kind kind;
	int clock;		/**< PHC: scenario clock index */
	bool writable;		/**< PHC: opened for writing */
	unsigned gen;		/**< PHC: the device's generation at open (an unplug kills it) */
	clockid_t tclock;	/**< timer: MONOTONIC, REALTIME, BOOTTIME */
	int64_t deadline;	/**< timer: expiry on tclock, ns; 0 disarmed */
	bool abs;		/**< timer: armed with TFD_TIMER_ABSTIME */
	int64_t interval;	/**< timer: period, ns; 0 one-shot */
	uint64_t ticks;		/**< timer: expirations not yet read */
	int sock;		/**< UDP: the world's socket id (net.h) */
	struct nlsock *nl;	/**< netlink: the socket (netlink.c) */
};

struct sim {
	struct world *w;
	pid_t pid;
	double speed;		/**< > 0: virtual s per real s; 0: flat out */
	int notify_fd;		/**< pipe to the runner, -1 if none */
	bool end_done;		/**< end reached, runner told, SIGTERM sent */
	bool paced;
	int64_t real0, virt0;	/**< pacing anchor */
	struct simfd *fd[SIM_MAX_FD];
	int protect[6];		/**< the library's own fds (close() is a no-op) */
	bool woke_early;	/**< a wait fault ended this wait early */
	int nprotect;
};

/** Exported for the runner's dlopen() check that this is the library:
 *  returns the handshake version, 1. */
int gnomon_sim_probe(void);

/** The real libc functions (dlsym(RTLD_NEXT)). */
struct real_fns {
	int (*poll)(struct pollfd *, nfds_t, int);
	int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
	int (*nanosleep)(const struct timespec *, struct timespec *);
	int (*clock_nanosleep)(clockid_t, int, const struct timespec *, struct timespec *);
	int (*select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
	int (*pselect)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
		       const sigset_t *);
	int (*clock_gettime)(clockid_t, struct timespec *);
	int (*clock_getres)(clockid_t, struct timespec *);
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*close)(int);
	ssize_t (*read)(int, void *, size_t);
	int (*ioctl)(int, unsigned long, ...);
	int (*fcntl)(int, int, ...);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	int (*sigprocmask)(int, const sigset_t *, sigset_t *);
	long (*syscall)(long, ...);
	int (*prctl)(int, ...);
	int (*capget)(cap_user_header_t, cap_user_data_t);
	int (*capset)(cap_user_header_t, const cap_user_data_t);
	int (*setuid)(uid_t);
	int (*setresuid)(uid_t, uid_t, uid_t);
	int (*setreuid)(uid_t, uid_t);
	int (*seteuid)(uid_t);
	unsigned int (*if_nametoindex)(const char *);
	char *(*if_indextoname)(unsigned int, char *);
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned int, int, struct timespec *);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*readv)(int, const struct iovec *, int);
	int (*shutdown)(int, int);
	int (*getaddrinfo)(const char *, const char *, const struct addrinfo *,
			   struct addrinfo **);
	void (*freeaddrinfo)(struct addrinfo *);
	int (*getnameinfo)(const struct sockaddr *, socklen_t, char *, socklen_t, char *,
			   socklen_t, int);
	ssize_t (*getrandom)(void *, size_t, unsigned int);
	int (*getentropy)(void *, size_t);
};

extern struct real_fns real;
/** Resolve the real functions (idempotent). */
void real_init(void);

/** The simulator, or NULL when not active (pass the call through). */
struct sim *sim_get(void);

/** Set by the signal trampoline whenever a handled signal arrives. */
extern volatile sig_atomic_t sim_sig_seen;

/** After time moved: at the end of the run, tell the runner and send
 *  SIGTERM to ourselves (once). Returns true when it did just now. */
bool sim_end_check(struct sim *s);

/** Open a simulated sysfs file (ic_health.c): an fd, or -errno;
 *  -ENOENT when path is not one the world serves. */
int sim_sysfs_open(struct sim *s, const char *path, int flags);

/* ---- fd table (simfd.c) ---- */
struct simfd *simfd_get(struct sim *s, int fd);
/** Make fd (a fresh placeholder) simulated. Returns 0 or -ENOMEM. */
int simfd_attach(struct sim *s, int fd, const struct simfd *proto);
/** fd now refers to the same object as old (dup). */
void simfd_share(struct sim *s, int old, int fd);
void simfd_release(struct sim *s, int fd);
bool simfd_protected(const struct sim *s, int fd);
/** A placeholder descriptor with the given flags (O_CLOEXEC, O_NONBLOCK). */
int simfd_placeholder(int flags);
/** O_NONBLOCK currently set on fd. */
bool simfd_nonblock(int fd);

/* ---- UDP sockets (ic_net.c, ic_sockopt.c, ic_netio.c, ic_netmsg.c) ---- */
struct net_addr;
struct net_sock;
struct net_pkt;
/** sockaddr to net_addr: 0 or -EINVAL/-EAFNOSUPPORT. */
int sim_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct net_addr *a);
/** net_addr to sockaddr (truncated to *len, which is set to the full size). */
void sim_to_sockaddr(const struct net_addr *a, struct sockaddr *sa, socklen_t *len);
/** "192.0.2.1:123" for messages. */
const char *sim_addr_str(const struct net_addr *a);
/** A real (TCP) socket may go to sa: not IP, or the loopback; else says so loudly. */
bool sim_real_dest_ok(const struct sockaddr *sa, socklen_t len);
/** The UDP socket fd is, or NULL. */
struct net_sock *sim_udp(struct sim *s, int fd, int *id);
/** poll() events of a simulated UDP socket now. */
short sim_udp_revents(struct sim *s, int id, short events);
int setsockopt_udp(struct sim *s, struct net_sock *k, int level, int name, const void *v,
		   socklen_t len);
int getsockopt_udp(struct sim *s, struct net_sock *k, int level, int name, void *v,
		   socklen_t *len);
/** recvmsg on a simulated socket (blocking in virtual time). Returns len or -errno. */
ssize_t sim_udp_recvmsg(struct sim *s, int fd, int id, struct msghdr *m, int flags);
ssize_t sim_udp_sendmsg(struct sim *s, int fd, int id, const struct msghdr *m, int flags);
/** Fill the control messages and data of a received packet (ic_netmsg.c). */
ssize_t sim_udp_fill(struct sim *s, const struct net_sock *k, const struct net_pkt *p,
		     bool errq, struct msghdr *m);

/* ---- timers (timerfd.c) ---- */
/** Collect pending expirations of a timer fd at the current time. */
void simtimer_update(struct sim *s, struct simfd *f);
/** True time of the timer's next expiry, or INT64_MAX. */
int64_t simtimer_next(struct sim *s, const struct simfd *f);
/** read() on a timer fd: the expiration count, blocking in virtual time. */
ssize_t simtimer_read(struct sim *s, int fd, void *buf, size_t count);

/* ---- netlink (netlink.c) ---- */
/** Readable: notifications or replies queued (or an overrun to report). */
bool nlsim_ready(struct sim *s, struct simfd *f);
void nlsim_free(struct nlsock *n);
/* The socket calls for what is not a simulated UDP socket: a faked
 * NETLINK_ROUTE one, else the kernel's (as the libc call, errno set). */
int nlsim_socket(int domain, int type, int protocol);
int nlsim_bind(int fd, const struct sockaddr *a, socklen_t len);
int nlsim_getsockname(int fd, struct sockaddr *a, socklen_t *len);
int nlsim_setsockopt(int fd, int level, int name, const void *v, socklen_t len);
int nlsim_getsockopt(int fd, int level, int name, void *v, socklen_t *len);
ssize_t nlsim_sendmsg(int fd, const struct msghdr *m, int flags);
ssize_t nlsim_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *a,
		     socklen_t alen);
ssize_t nlsim_recvmsg(int fd, struct msghdr *m, int flags);
ssize_t nlsim_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a,
		       socklen_t *alen);
/** read() on a netlink socket: one datagram, as recv(). */
ssize_t nlsim_read(struct sim *s, int fd, struct simfd *f, void *buf, size_t len);

/* ---- virtual time (vtime.c) ---- */
struct vt_deadline {
	clockid_t clock;	/**< CLOCK_MONOTONIC, CLOCK_REALTIME, ... */
	int64_t value;		/**< absolute, ns on that clock */
	bool abs;		/**< the program asked for an absolute time */
};

/**
 * The one blocking primitive: poll() in virtual time. Simulated fds are
 * served by the simulator, real fds by the kernel (never blocking in real
 * time unless pacing with --speed, or after the end). dl NULL: no deadline.
 * mask non-NULL: signal mask during the wait (ppoll/pselect).
 * @return ready count, 0 at the deadline, or -errno (-EINTR on a signal).
 */
int vt_poll(struct sim *s, struct pollfd *fds, nfds_t n, const struct vt_deadline *dl,
	    const sigset_t *mask);
/** Deadline dt ns from now on CLOCK_MONOTONIC. */
void vt_after(struct sim *s, int64_t dt, struct vt_deadline *dl);

/* ---- clocks (ic_clock.c) ---- */
/** What a clock id names in the simulated world. */
enum sim_clock_kind { SCK_SYS, SCK_PHC, SCK_CPU, SCK_BAD, SCK_DEAD };
/** Classify clk; for SCK_PHC, *c is the scenario clock and *f the fd. */
enum sim_clock_kind sim_clock_kind(struct sim *s, clockid_t clk, int *c, struct simfd **f);

/* ---- capabilities (ic_caps.c) ---- */
void caps_init(const char *spec);
/* glibc exports these without declaring them (libcap's header does) */
int capget(cap_user_header_t hdr, cap_user_data_t data);
int capset(cap_user_header_t hdr, const cap_user_data_t data);

#endif
