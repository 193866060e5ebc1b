// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event loop: one poll() per iteration, timers on CLOCK_MONOTONIC.
 *
 * Timers fire on time: poll()'s timeout is whole milliseconds (rounded
 * up, plus the kernel's timer slack), so the earliest due timer is armed
 * instead on one timerfd (CLOCK_MONOTONIC, TFD_TIMER_ABSTIME, to the
 * nanosecond; an hrtimer without slack) that sits in every poll set. It is
 * read only after poll() says it is readable, and non-blocking even then:
 * an LD_PRELOAD simulator fakes timerfd the same way. It is created
 * without TFD_CLOEXEC/TFD_NONBLOCK (simulators refuse creation flags) and
 * given FD_CLOEXEC and O_NONBLOCK with fcntl().
 *
 * Why poll() and not ppoll(): poll() is the call every LD_PRELOAD clock
 * simulator intercepts (ours and clknetsim), and ppoll() would need the
 * caller's signal mask, which loop.h does not carry. The price is the
 * classic race: a signal that lands after the quit check but before poll()
 * blocks is only noticed when poll() returns, so the timeout is capped at
 * LOOP_MAX_SLEEP_MS and a SIGTERM is honoured within a second at worst.
 *
 * Dispatch rules (what makes callbacks safe):
 *  - fds: the poll set is a snapshot taken before poll(). Each handler
 *    registration carries a serial number; an event is delivered only if
 *    the fd is still registered under the same serial, so an fd removed
 *    (or closed and re-added) by an earlier callback gets no stale event.
 *  - timers: after the fds, due timers run earliest first (ties by id).
 *    A timer is looked up by id before and after its callback, so a
 *    callback may remove itself or any other timer. A timer armed or
 *    re-armed during iteration N runs no earlier than iteration N + 1:
 *    this is the zero-delay guard, a timer re-armed with 1 ns runs at most
 *    once per iteration and fds are polled in between.
 *  - periodic timers are re-armed from their previous due time (no drift);
 *    when that is already past (the loop was late by a whole period) they
 *    are re-armed from now and the missed periods are skipped, not bunched.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "daemon/log.h"
#include "daemon/loop.h"

/* Longest sleep in one poll(), ms: bounds the signal-before-poll race. */
#define LOOP_MAX_SLEEP_MS	1000

struct fd_entry {
	int fd;
	short events;
	loop_fd_cb cb;
	void *arg;
	uint64_t serial;	/* registration number, never reused */
};

struct timer {
	long id;
	int64_t when_ns;	/* CLOCK_MONOTONIC due time */
	uint64_t armed_iter;	/* iteration in which it was (re)armed */
	loop_timer_cb cb;
	void *arg;
};

struct loop {
	struct fd_entry *fds;
	int n_fds;
	size_t cap_fds;
	struct timer *timers;
	int n_timers;
	size_t cap_timers;
	/* poll set snapshot, rebuilt each iteration */
	struct pollfd *pfd;
	uint64_t *pserial;
	size_t cap_pfd, cap_pserial;

	int tfd;		/* timerfd armed at the earliest due timer */
	int64_t armed_ns;	/* its deadline (CLOCK_MONOTONIC), 0 = disarmed */

	uint64_t next_serial;
	long next_id;
	uint64_t iter;
	int64_t now_ns;
	bool running;		/* inside loop_run() */
	bool dispatching;	/* inside a callback: loop_now() is current */
	bool stop;
};

int64_t loop_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static int open_timerfd(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);

	if (fd < 0)
		return -1;
	if (fd_cloexec(fd) < 0 || fd_nonblock(fd, 1) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct loop *loop_create(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->tfd = open_timerfd();
	if (l->tfd < 0) {
		free(l);
		return NULL;
	}
	l->next_serial = 1;
	l->next_id = 1;
	l->now_ns = loop_mono_ns();
	return l;
}

void loop_destroy(struct loop *l)
{
	if (!l)
		return;
	close(l->tfd);
	free(l->fds);
	free(l->timers);
	free(l->pfd);
	free(l->pserial);
	free(l);
}

static int find_fd(const struct loop *l, int fd)
{
	for (int i = 0; i < l->n_fds; i++)
		if (l->fds[i].fd == fd)
			return i;
	return -1;
}

int loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	struct fd_entry *e;

	if (!l || fd < 0 || !cb)
		return -EINVAL;
	if (find_fd(l, fd) >= 0)
		return -EEXIST;
	if (util_grow((void **)&l->fds, &l->cap_fds, (size_t)l->n_fds + 1, sizeof(*l->fds)))
		return -ENOMEM;
	e = &l->fds[l->n_fds++];
	*e = (struct fd_entry){ .fd = fd, .events = events, .cb = cb, .arg = arg,
				.serial = l->next_serial++ };
	return 0;
}

int loop_del_fd(struct loop *l, int fd)
{
	int i;

	if (!l)
		return -EINVAL;
	i = find_fd(l, fd);
	if (i < 0)
		return -ENOENT;
	l->fds[i] = l->fds[--l->n_fds];
	return 0;
}

static int find_timer(const struct loop *l, long id)
{
	for (int i = 0; i < l->n_timers; i++)
		if (l->timers[i].id == id)
			return i;
	return -1;
}

/* a + b for b >= 0, saturating at INT64_MAX. */
static int64_t add_sat(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

long loop_add_timer(struct loop *l, int64_t delay_ns, loop_timer_cb cb, void *arg)
{
	struct timer *t;
	int64_t base;

	if (!l || !cb || delay_ns < 0)
		return -EINVAL;
	if (l->next_id == LONG_MAX)
		return -EOVERFLOW;
	if (util_grow((void **)&l->timers, &l->cap_timers, (size_t)l->n_timers + 1, sizeof(*l->timers)))
		return -ENOMEM;
	/* Inside a callback, delays count from the wake-up (one timestamp per
	 * iteration); outside, from the present. */
	base = l->dispatching ? l->now_ns : loop_mono_ns();
	t = &l->timers[l->n_timers++];
	*t = (struct timer){ .id = l->next_id++, .when_ns = add_sat(base, delay_ns),
			     .armed_iter = l->iter, .cb = cb, .arg = arg };
	return t->id;
}

int loop_del_timer(struct loop *l, long id)
{
	int i;

	if (!l)
		return -EINVAL;
	i = find_timer(l, id);
	if (i < 0)
		return -ENOENT;
	l->timers[i] = l->timers[--l->n_timers];
	return 0;
}

int64_t loop_now(const struct loop *l)
{
	return l->now_ns;
}

uint64_t loop_iterations(const struct loop *l)
{
	return l->iter;
}

void loop_stop(struct loop *l)
{
	if (l)
		l->stop = true;
}

/* Arm the timerfd at the earliest timer (disarm when there is none). A
 * deadline already past fires at once. Returns 0 or -errno. */
static int arm_timerfd(struct loop *l)
{
	struct itimerspec its = { 0 };
	int64_t earliest = 0;

	for (int i = 0; i < l->n_timers; i++)
		if (!earliest || l->timers[i].when_ns < earliest)
			earliest = l->timers[i].when_ns;
	if (earliest == l->armed_ns)
		return 0;
	if (earliest == INT64_MAX)
		earliest = 0;	/* saturated: never */
	if (earliest) {
		/* 0 would disarm: the kernel's CLOCK_MONOTONIC is never 0 */
		its.it_value.tv_sec = earliest / NS_PER_S;
		its.it_value.tv_nsec = earliest % NS_PER_S ? earliest % NS_PER_S : 1;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	l->armed_ns = earliest;
	return 0;
}

/* poll() timeout: 0 with a timer already due, else the longest sleep (the
 * timerfd wakes the loop on time). */
static int poll_timeout_ms(const struct loop *l)
{
	return l->armed_ns && l->armed_ns <= loop_mono_ns() ? 0 : LOOP_MAX_SLEEP_MS;
}

/* The poll set: the handlers' fds, then the timerfd. */
static int build_pollset(struct loop *l)
{
	int n = l->n_fds;

	if (util_grow((void **)&l->pfd, &l->cap_pfd, (size_t)n + 1, sizeof(*l->pfd)) ||
	    util_grow((void **)&l->pserial, &l->cap_pserial, (size_t)n, sizeof(*l->pserial)))
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		l->pfd[i] = (struct pollfd){ .fd = l->fds[i].fd, .events = l->fds[i].events };
		l->pserial[i] = l->fds[i].serial;
	}
	l->pfd[n] = (struct pollfd){ .fd = l->tfd, .events = POLLIN };
	return n;
}

/* Clear the timerfd's expiry count; poll() said it is readable. */
static void drain_timerfd(struct loop *l)
{
	uint64_t ticks;

	if (read(l->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN && errno != EINTR)
		pr_err("loop: reading the timerfd: %s", strerror(errno));
	l->armed_ns = 0;	/* expired: re-armed before the next poll() */
}

static void dispatch_fds(struct loop *l, int nfds)
{
	for (int k = 0; k < nfds; k++) {
		struct fd_entry e;
		int i;

		if (!l->pfd[k].revents)
			continue;
		i = find_fd(l, l->pfd[k].fd);
		if (i < 0 || l->fds[i].serial != l->pserial[k])
			continue;	/* removed or replaced by an earlier callback */
		e = l->fds[i];
		e.cb(l, e.fd, l->pfd[k].revents, e.arg);
		if (!(l->pfd[k].revents & POLLNVAL))
			continue;
		/* A closed fd left registered would wake every poll(). */
		i = find_fd(l, e.fd);
		if (i >= 0 && l->fds[i].serial == e.serial) {
			pr_err("loop: fd %d is not open; no longer watching it", e.fd);
			loop_del_fd(l, e.fd);
		}
	}
}

/* The due timer to run next this iteration: earliest, then lowest id. */
static int next_due(const struct loop *l)
{
	int best = -1;

	for (int i = 0; i < l->n_timers; i++) {
		const struct timer *t = &l->timers[i];

		if (t->when_ns > l->now_ns || t->armed_iter >= l->iter)
			continue;
		if (best < 0 || t->when_ns < l->timers[best].when_ns ||
		    (t->when_ns == l->timers[best].when_ns && t->id < l->timers[best].id))
			best = i;
	}
	return best;
}

static void dispatch_timers(struct loop *l)
{
	int i;

	while ((i = next_due(l)) >= 0) {
		struct timer t = l->timers[i];
		int64_t next, when;

		l->timers[i].armed_iter = l->iter;
		next = t.cb(l, t.id, t.arg);
		i = find_timer(l, t.id);
		if (i < 0)
			continue;	/* the callback removed it */
		if (next <= 0) {
			loop_del_timer(l, t.id);
			continue;
		}
		when = add_sat(t.when_ns, next);
		if (when <= l->now_ns)
			when = add_sat(l->now_ns, next);
		l->timers[i].when_ns = when;
		l->timers[i].armed_iter = l->iter;
	}
}

static bool quitting(const struct loop *l, volatile int *quit)
{
	return l->stop || (quit && *quit);
}

int loop_run(struct loop *l, volatile int *quit)
{
	int r = 0;

	if (!l)
		return -EINVAL;
	if (l->running)
		return -EBUSY;
	l->running = true;
	while (!quitting(l, quit)) {
		int nfds = build_pollset(l), n;

		if (nfds < 0 || (r = arm_timerfd(l)) < 0) {
			r = nfds < 0 ? nfds : r;
			break;
		}
		n = poll(l->pfd, (nfds_t)nfds + 1, poll_timeout_ms(l));
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			r = -errno;
			break;
		}
		l->iter++;
		l->now_ns = loop_mono_ns();
		if (quit && *quit)
			break;
		if (n > 0 && l->pfd[nfds].revents)
			drain_timerfd(l);
		l->dispatching = true;
		if (n > 0)
			dispatch_fds(l, nfds);
		dispatch_timers(l);
		l->dispatching = false;
	}
	l->stop = false;
	l->running = false;
	return r;
}
