// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Virtual time. The program's clock only moves while it waits: vt_poll()
 * first asks the kernel about the real descriptors with a zero timeout,
 * then moves true time from change point to change point (world events,
 * timer expiries, the deadline) until something is ready. With --speed X
 * each step is paced to X virtual seconds per real second, waiting on the
 * real descriptors meanwhile, so people and other processes can interact.
 * After the end of the run a wait also costs 1 ms of real time, so a
 * program that ignores SIGTERM does not spin until the runner kills it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/net.h"
#include "tests/sim/ptp4lplay.h"
#include "tests/sim/sim.h"

#define STACK_FDS 64
#define SIM_WAKE_COST_NS 20000	/* CPU time of one early wakeup */

struct waitset {
	struct pollfd *fds;	/* the caller's */
	nfds_t n;
	struct pollfd *rfd;	/* real ones, copied */
	int *map;		/* rfd[i] is fds[map[i]] */
	int nreal;
	struct pollfd rbuf[STACK_FDS];
	int mbuf[STACK_FDS];
};

static int64_t real_now(void)
{
	struct timespec ts;

	real.clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

void vt_after(struct sim *s, int64_t dt, struct vt_deadline *dl)
{
	dl->clock = CLOCK_MONOTONIC;
	/* on the clock of the program's CPU, as it reads it */
	dl->value = sys_value(s->w, CLOCK_MONOTONIC, (double)health_cpu_offset(s->w)) +
		    (dt > 0 ? dt : 0);
	dl->abs = false;
}

static int ws_init(struct sim *s, struct waitset *ws, struct pollfd *fds, nfds_t n)
{
	nfds_t i;

	memset(ws, 0, offsetof(struct waitset, rbuf));
	ws->fds = fds;
	ws->n = n;
	ws->rfd = ws->rbuf;
	ws->map = ws->mbuf;
	if (n > STACK_FDS) {
		ws->rfd = calloc(n, sizeof(*ws->rfd));
		ws->map = calloc(n, sizeof(*ws->map));
		if (!ws->rfd || !ws->map)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd >= 0 && !simfd_get(s, fds[i].fd)) {
			ws->rfd[ws->nreal] = fds[i];
			ws->map[ws->nreal++] = (int)i;
		}
	}
	return 0;
}

static void ws_free(struct waitset *ws)
{
	if (ws->rfd != ws->rbuf)
		free(ws->rfd);
	if (ws->map != ws->mbuf)
		free(ws->map);
}

/* Simulated fds: timers are readable once expired; UDP sockets when a
 * packet is queued (POLLERR with an error queue), netlink sockets with
 * something queued; PHCs have no events. */
static int scan_sim(struct sim *s, struct waitset *ws, int64_t *next)
{
	int ready = 0;
	nfds_t i;

	*next = INT64_MAX;
	for (i = 0; i < ws->n; i++) {
		struct simfd *f = ws->fds[i].fd >= 0 ? simfd_get(s, ws->fds[i].fd) : NULL;
		int64_t t;

		if (f && f->kind == SIMFD_UDP) {
			ws->fds[i].revents = sim_udp_revents(s, f->sock, ws->fds[i].events);
			ready += ws->fds[i].revents != 0;
			continue;
		}
		if (f && f->kind == SIMFD_NETLINK) {
			if ((ws->fds[i].events & POLLIN) && nlsim_ready(s, f)) {
				ws->fds[i].revents = POLLIN;
				ready++;
			}
			continue;
		}
		if (!f || f->kind != SIMFD_TIMER)
			continue;
		simtimer_update(s, f);
		if (f->ticks && (ws->fds[i].events & POLLIN)) {
			ws->fds[i].revents = POLLIN;
			ready++;
		}
		t = simtimer_next(s, f);
		if (t < *next)
			*next = t;
	}
	return ready;
}

/* Real fds, waiting at most timeout (NULL: forever). */
static int scan_real(struct waitset *ws, const struct timespec *timeout)
{
	int r, i;

	if (ws->nreal == 0 && timeout && !timeout->tv_sec && !timeout->tv_nsec)
		return 0;
	r = real.ppoll(ws->rfd, (nfds_t)ws->nreal, timeout, NULL);
	if (r < 0)
		return -errno;
	for (i = 0; r > 0 && i < ws->nreal; i++)
		ws->fds[ws->map[i]].revents = ws->rfd[i].revents;
	return r;
}

/* Sleep in real time until virtual t_next is due; real fds may cut it short. */
static int pace(struct sim *s, struct waitset *ws, int64_t t_next)
{
	struct world *w = s->w;
	int64_t target, now, v;
	int r;

	if (!s->paced) {
		s->paced = true;
		s->real0 = real_now();
		s->virt0 = w->t;
	}
	target = s->real0 + (int64_t)((double)(t_next - s->virt0) / s->speed);
	while ((now = real_now()) < target) {
		struct timespec ts = { (target - now) / NS_PER_S, (target - now) % NS_PER_S };

		r = scan_real(ws, &ts);
		if (r == 0)
			continue;
		v = s->virt0 + (int64_t)((double)(real_now() - s->real0) * s->speed);
		world_advance_to(w, v < t_next ? v : t_next);
		return r;
	}
	return 0;
}

/* The deadline as a wait fault moves it (earlier, or later if negative). */
static int64_t dl_value(struct sim *s, const struct vt_deadline *dl)
{
	return dl->value - health_wait_skew(s->w, dl->clock, dl->abs);
}

static bool deadline_passed(struct sim *s, const struct vt_deadline *dl)
{
	int64_t now;

	if (!dl || (now = sys_value(s->w, dl->clock, 0.0)) < dl_value(s, dl))
		return false;
	if (now + health_cpu_offset(s->w) < dl->value)
		s->woke_early = true;
	return true;
}

static int after_end(struct sim *s, struct waitset *ws, const struct vt_deadline *dl,
		     int64_t t_timer)
{
	static const struct timespec ms = { 0, 1000000 };
	int64_t t, t_net = net_next(s->w->net);
	int r;

	if (!dl && t_timer == INT64_MAX && t_net == INT64_MAX)
		return scan_real(ws, NULL);	/* nothing simulated to wait for */
	if ((r = scan_real(ws, &ms)))
		return r;
	t = dl ? sys_when(s->w, dl->clock, dl_value(s, dl)) : INT64_MAX;
	t = t < t_timer ? t : t_timer;
	world_advance_to(s->w, t < t_net ? t : t_net);	/* packets still arrive */
	return 0;
}

/* Everything ready now, simulated and real (the latter without waiting). */
static int ready_now(struct sim *s, struct waitset *ws, int64_t *t_timer)
{
	static const struct timespec zero = { 0, 0 };
	int r_sim, r_real;

	ptp4l_play_serve(s);	/* the requests the program just sent */
	r_sim = scan_sim(s, ws, t_timer);

	if (r_sim == 0 && ws->nreal == 0)
		return 0;
	r_real = scan_real(ws, &zero);
	return r_real < 0 ? r_real : r_sim + r_real;
}

static int wait_loop(struct sim *s, struct waitset *ws, const struct vt_deadline *dl)
{
	struct world *w = s->w;
	int64_t t_next, t_timer;
	int r;

	if ((r = ready_now(s, ws, &t_timer)))
		return r;
	for (;;) {
		if (sim_sig_seen)
			return -EINTR;
		if (deadline_passed(s, dl))
			return 0;
		if (s->end_done) {
			if ((r = after_end(s, ws, dl, t_timer)))
				return r;
		} else {
			t_next = world_next_change(w);
			if (dl && sys_when(w, dl->clock, dl_value(s, dl)) < t_next)
				t_next = sys_when(w, dl->clock, dl_value(s, dl));
			if (t_timer < t_next)
				t_next = t_timer;
			if (s->speed > 0 && (r = pace(s, ws, t_next)))
				return r;
			world_advance_to(w, t_next);
			if (sim_end_check(s) && sim_sig_seen)
				return -EINTR;
		}
		/* real fds only at the start (or while pacing), as promised */
		if ((r = scan_sim(s, ws, &t_timer)))
			return r;
	}
}

int vt_poll(struct sim *s, struct pollfd *fds, nfds_t n, const struct vt_deadline *dl,
	    const sigset_t *mask)
{
	struct waitset ws;
	sigset_t old;
	int r;

	s->woke_early = false;
	if ((r = ws_init(s, &ws, fds, n)) == 0) {
		sim_sig_seen = 0;	/* before the mask: it may let a pending signal in */
		if (mask)
			real.sigprocmask(SIG_SETMASK, mask, &old);
		r = wait_loop(s, &ws, dl);
		if (mask)
			real.sigprocmask(SIG_SETMASK, &old, NULL);
	}
	ws_free(&ws);
	/* A wakeup costs CPU time: a program spinning on early waits still
	 * moves the world on (as the CPUs of 2012 burned real time). */
	if (s->woke_early)
		world_advance(s->w, SIM_WAKE_COST_NS);
	return r;
}
