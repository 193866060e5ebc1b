// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libgnomonsim.so: set-up from the environment the runner prepares
 * (GNOMON_SIM_*), the end of the run, and the exit path. The environment
 * variables, LD_PRELOAD included, are removed once read, so programs the
 * simulated one starts run in the real world (and see no simulated clock).
 *
 * The handshake: the first thing the library does in a process is write
 * "hello TOKEN" (GNOMON_SIM_HELLO) to the runner's pipe, from its
 * constructor, so before main. A COMMAND that came up without the library
 * (ld.so ignored LD_PRELOAD: missing or broken file, a static or setuid
 * program) never says it, and the runner kills it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/sim/ptp4lplay.h"
#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

static struct sim *the_sim;	/* the process-wide instance */
static int state;		/* 0 new, 1 initialising, 2 active */
volatile sig_atomic_t sim_sig_seen;

static void fatal(const char *msg)
{
	sim_log("%s", msg);
	_exit(2);
}

static int high_fd(int fd)
{
	int hi = real.fcntl(fd, F_DUPFD_CLOEXEC, SIM_HIGH_FD);

	return hi < 0 ? fd : hi;
}

static double env_double(const char *name, double def)
{
	const char *v = getenv(name);

	return v && *v ? strtod(v, NULL) : def;
}

static int64_t env_ns(const char *name)
{
	return (int64_t)(env_double(name, 0.0) * 1e9);
}

static void read_env(struct world_opts *o, const char **scn)
{
	const char *v;

	*scn = getenv("GNOMON_SIM_SCENARIO");
	if ((v = getenv("GNOMON_SIM_SEED")) && *v) {
		o->seed_set = true;
		o->seed = strtoull(v, NULL, 0);
	}
	o->duration_ns = env_ns("GNOMON_SIM_DURATION");
	o->csv_interval_ns = env_ns("GNOMON_SIM_CSV_INTERVAL");
	o->progress_ns = env_ns("GNOMON_SIM_PROGRESS");
	o->csv_fd = (int)env_double("GNOMON_SIM_CSV_FD", 0);
	o->summary_fd = (int)env_double("GNOMON_SIM_SUMMARY_FD", 0);
	o->kcsv_fd = (int)env_double("GNOMON_SIM_KCSV_FD", 0);
	o->kcsv_path = getenv("GNOMON_SIM_KCSV");
	if (o->kcsv_path && !*o->kcsv_path)
		o->kcsv_path = NULL;
	o->netcsv_fd = (int)env_double("GNOMON_SIM_NETCSV_FD", 0);
	o->csv_path = getenv("GNOMON_SIM_CSV");
	o->summary_path = getenv("GNOMON_SIM_SUMMARY");
	if (o->csv_path && !*o->csv_path)
		o->csv_path = NULL;
	if (o->summary_path && !*o->summary_path)
		o->summary_path = NULL;
}

static void clean_env(void)
{
	static const char *const vars[] = {
		"GNOMON_SIM_SCENARIO", "GNOMON_SIM_SEED", "GNOMON_SIM_DURATION",
		"GNOMON_SIM_CSV_INTERVAL", "GNOMON_SIM_PROGRESS", "GNOMON_SIM_CSV",
		"GNOMON_SIM_SUMMARY", "GNOMON_SIM_SPEED", "GNOMON_SIM_NOTIFY_FD",
		"GNOMON_SIM_VCAP", "GNOMON_SIM_CSV_FD", "GNOMON_SIM_SUMMARY_FD",
		"GNOMON_SIM_HELLO", "GNOMON_SIM_KCSV", "GNOMON_SIM_KCSV_FD", "GNOMON_SIM_NETCSV_FD",
		"LD_PRELOAD", NULL,
	};
	int i;

	for (i = 0; vars[i]; i++)
		unsetenv(vars[i]);
}

/* The program may close every descriptor it does not know; not these. */
static void protect(struct sim *s, int fd)
{
	if (fd > 2 && s->nprotect < (int)(sizeof(s->protect) / sizeof(s->protect[0])))
		s->protect[s->nprotect++] = fd;
}

static void notify(struct sim *s, const char *msg)
{
	if (s->notify_fd >= 0 && write(s->notify_fd, msg, strlen(msg)) < 0)
		s->notify_fd = -1;
}

/* Before anything else that could fail: the library is in. */
static void hello(struct sim *s)
{
	const char *token = getenv("GNOMON_SIM_HELLO");
	char msg[160];

	if (token && snprintf(msg, sizeof(msg), "hello %s\n", token) < (int)sizeof(msg))
		notify(s, msg);
}

static struct sim *sim_init(void)
{
	static struct scenario sc;	/* large; read once */
	struct world_opts o = { 0 };
	const char *path, *v;
	struct sim *s;
	char err[512];

	sim_log_set_fd(high_fd(2));
	read_env(&o, &path);
	if (!path)
		fatal("GNOMON_SIM_SCENARIO is not set: run programs with tests/sim/gnomon-sim");
	if (scenario_load(&sc, path, err, sizeof(err)))
		fatal(err);
	if (!(s = calloc(1, sizeof(*s))))
		fatal("out of memory");
	s->pid = getpid();
	s->speed = env_double("GNOMON_SIM_SPEED", 0.0);
	s->notify_fd = -1;
	if ((v = getenv("GNOMON_SIM_NOTIFY_FD")) && *v)
		s->notify_fd = high_fd(atoi(v));
	hello(s);
	caps_init(getenv("GNOMON_SIM_VCAP"));
	if (!(s->w = world_create(&sc, &o, err, sizeof(err))))
		fatal(err);
	protect(s, sim_log_fd());
	protect(s, s->notify_fd);
	protect(s, s->w->out_fd[0]);
	protect(s, s->w->out_fd[1]);
	protect(s, s->w->out_fd[2]);
	protect(s, s->w->out_fd[3]);
	ptp4l_play_init(s, getenv("GNOMON_SIM_PTP4L"));
	clean_env();
	return s;
}

struct sim *sim_get(void)
{
	if (state == 2)
		return the_sim;
	if (state == 1)
		return NULL;
	state = 1;
	real_init();
	the_sim = sim_init();
	state = 2;
	return the_sim;
}

bool sim_end_check(struct sim *s)
{
	if (s->end_done || !s->w->ended || getpid() != s->pid)
		return false;
	s->end_done = true;
	notify(s, "end\n");
	kill(getpid(), SIGTERM);
	return true;
}

int gnomon_sim_probe(void)
{
	return 1;
}

/* GNOMON_SIM_PROBE: the runner's dlopen() check; nothing to set up. */
__attribute__((constructor)) static void sim_ctor(void)
{
	if (!getenv("GNOMON_SIM_PROBE"))
		sim_get();
}

__attribute__((destructor)) static void sim_dtor(void)
{
	struct sim *s = the_sim;

	if (state != 2 || !s || getpid() != s->pid)
		return;
	if (!s->w->ended) {
		world_finish(s->w, "exit");
		notify(s, "exit\n");
	}
	world_out_exit(s->w);
}
