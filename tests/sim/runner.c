// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomon-sim: run a program in a simulated world of clocks.
 *
 *   gnomon-sim [options] SCENARIO -- COMMAND [ARGS...]
 *
 * Checks the scenario, starts COMMAND with libgnomonsim.so preloaded and
 * without CAP_SYS_TIME (bounding, effective, permitted, inheritable and
 * ambient sets: a call that slips past the preload gets EPERM from the
 * kernel), waits for the end of the scenario (the preload then sends
 * SIGTERM to COMMAND), gives COMMAND time to exit, prints the summary.
 * Exit code: COMMAND's (128 + signal if it was killed).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/sim/scenario.h"

struct opts {
	const char *seed, *duration, *csv, *csv_interval, *summary, *speed, *progress;
	const char *user, *lib;
	double timeout_s, kill_after_s;
	bool quiet, check;
	const char *scenario;
	char **cmd;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gnomon-sim [options] SCENARIO -- COMMAND [ARGS...]\n"
		"  --seed N           override the scenario's seed\n"
		"  --duration S       override the scenario's duration (seconds)\n"
		"  --csv FILE         write true offsets (ns) as CSV\n"
		"  --csv-interval S   CSV sampling interval (default: scenario's, else 1 s)\n"
		"  --summary FILE     also write the summary to FILE\n"
		"  --speed X          pace virtual time at X virtual s per real s\n"
		"  --progress S       print true offsets to stderr every S virtual s\n"
		"  --timeout S        real-time limit for the whole run (then SIGTERM, SIGKILL)\n"
		"  --kill-after S     real seconds COMMAND gets to exit after SIGTERM (10)\n"
		"  --user NAME        run COMMAND as NAME\n"
		"  --lib PATH         preload library (default: libgnomonsim.so beside us)\n"
		"  --quiet            do not print the summary\n"
		"  --check            check the scenario and exit\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "seed", 1, 0, 's' }, { "duration", 1, 0, 'd' }, { "csv", 1, 0, 'c' },
		{ "csv-interval", 1, 0, 'i' }, { "summary", 1, 0, 'S' },
		{ "speed", 1, 0, 'x' }, { "progress", 1, 0, 'p' }, { "timeout", 1, 0, 't' },
		{ "kill-after", 1, 0, 'k' }, { "user", 1, 0, 'u' }, { "lib", 1, 0, 'l' },
		{ "quiet", 0, 0, 'q' }, { "check", 0, 0, 'C' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;

	o->kill_after_s = 10;
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->seed = optarg; break;
		case 'd': o->duration = optarg; break;
		case 'c': o->csv = optarg; break;
		case 'i': o->csv_interval = optarg; break;
		case 'S': o->summary = optarg; break;
		case 'x': o->speed = optarg; break;
		case 'p': o->progress = optarg; break;
		case 't': o->timeout_s = atof(optarg); break;
		case 'k': o->kill_after_s = atof(optarg); break;
		case 'u': o->user = optarg; break;
		case 'l': o->lib = optarg; break;
		case 'q': o->quiet = true; break;
		case 'C': o->check = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind >= argc)
		goto bad;
	o->scenario = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	o->cmd = argv + optind;
	if (!o->check && optind >= argc)
		goto bad;
	return 0;
bad:
	usage(stderr);
	return -1;
}

static bool positive_number(const char *s)
{
	char *end;
	double v;

	if (!s)
		return true;
	v = strtod(s, &end);
	return end != s && !*end && v > 0;
}

static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *r;

	if (!path || path[0] == '/')
		return path ? strdup(path) : NULL;
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&r, "%s/%s", cwd, path) < 0)
		return NULL;
	return r;
}

static char *default_lib(void)
{
	char exe[PATH_MAX], *slash, *r;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')))
		*slash = '\0';
	if (asprintf(&r, "%s/libgnomonsim.so", exe) < 0)
		return NULL;
	return r;
}

/* CAP_SYS_TIME as this process has it: what COMMAND would have had. */
static void vcap_spec(char *spec)
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

/* The second wall. Fails only if CAP_SYS_TIME would survive the exec. */
static int drop_sys_time(void)
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
	/* root gets the bounding set at exec: it must not hold CAP_SYS_TIME */
	if (geteuid() == 0 && prctl(PR_CAPBSET_READ, CAP_SYS_TIME, 0, 0, 0) != 0)
		r = -1;
	return r;
}

static int become(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		fprintf(stderr, "gnomon-sim: no user '%s'\n", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		perror("gnomon-sim: switching user");
		return -1;
	}
	return 0;
}

static void set_env(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
}

struct outs {
	char *summary;		/* path of the summary file */
	int summary_fd, csv_fd;	/* opened here: the program may run as another user */
	int notify_fd;
};

static void set_env_int(const char *name, int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", v);
	setenv(name, buf, 1);
}

static void child_env(const struct opts *o, const char *lib, const struct outs *out)
{
	const char *old = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");
	char buf[PATH_MAX + 64], spec[8], *p;

	set_env("GNOMON_SIM_SCENARIO", p = absolute(o->scenario));
	free(p);
	set_env_int("GNOMON_SIM_SUMMARY_FD", out->summary_fd);
	if (out->csv_fd >= 0)
		set_env_int("GNOMON_SIM_CSV_FD", out->csv_fd);
	set_env("GNOMON_SIM_SEED", o->seed);
	set_env("GNOMON_SIM_DURATION", o->duration);
	set_env("GNOMON_SIM_CSV_INTERVAL", o->csv_interval);
	set_env("GNOMON_SIM_SPEED", o->speed);
	set_env("GNOMON_SIM_PROGRESS", o->progress);
	set_env_int("GNOMON_SIM_NOTIFY_FD", out->notify_fd);
	vcap_spec(spec);
	set_env("GNOMON_SIM_VCAP", spec);
	snprintf(buf, sizeof(buf), "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
	set_env("LD_PRELOAD", buf);
	/* an ASan-built COMMAND would refuse a preload listed before its runtime */
	if (!asan || !strstr(asan, "verify_asan_link_order")) {
		snprintf(buf, sizeof(buf), "%s%sverify_asan_link_order=0", asan ? asan : "",
			 asan && *asan ? ":" : "");
		set_env("ASAN_OPTIONS", buf);
	}
}

static void run_child(const struct opts *o, const char *lib, const struct outs *out)
{
	child_env(o, lib, out);
	if (drop_sys_time()) {
		fprintf(stderr, "gnomon-sim: cannot drop CAP_SYS_TIME; refusing to run\n");
		_exit(126);
	}
	if (o->user && become(o->user))
		_exit(126);
	execvp(o->cmd[0], o->cmd);
	fprintf(stderr, "gnomon-sim: %s: %s\n", o->cmd[0], strerror(errno));
	_exit(127);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct watch {
	pid_t pid;
	int fd;			/* notify pipe, -1 once closed */
	double start, end_at, kill_at;
	bool killed, termed;
};

static void watch_pipe(struct watch *w, const struct opts *o)
{
	char buf[64];
	ssize_t n = read(w->fd, buf, sizeof(buf) - 1);

	if (n <= 0) {
		close(w->fd);
		w->fd = -1;
		return;
	}
	buf[n] = '\0';
	if (strstr(buf, "end") && w->end_at == 0) {
		w->end_at = now_s();
		w->kill_at = w->end_at + o->kill_after_s;
	}
}

static void watch_time(struct watch *w, const struct opts *o)
{
	double t = now_s();

	if (got_signal && !w->termed) {
		kill(w->pid, SIGTERM);
		w->termed = true;
		w->kill_at = t + o->kill_after_s;
	}
	if (o->timeout_s > 0 && t > w->start + o->timeout_s && !w->termed) {
		fprintf(stderr, "gnomon-sim: --timeout: %.0f s of real time passed\n", o->timeout_s);
		kill(w->pid, SIGTERM);
		w->termed = true;
		w->kill_at = t + o->kill_after_s;
	}
	if (w->kill_at > 0 && t > w->kill_at && !w->killed) {
		fprintf(stderr, "gnomon-sim: COMMAND did not exit %.0f s after SIGTERM: SIGKILL\n",
			o->kill_after_s);
		kill(w->pid, SIGKILL);
		w->killed = true;
	}
}

static int wait_child(struct watch *w, const struct opts *o)
{
	int status;

	for (;;) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
		pid_t r = waitpid(w->pid, &status, WNOHANG);

		if (r == w->pid)
			break;
		if (poll(&pfd, w->fd >= 0 ? 1 : 0, w->fd >= 0 ? 50 : 2) > 0)
			watch_pipe(w, o);
		watch_time(w, o);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "gnomon-sim: COMMAND killed by signal %d\n", WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

/* Copy the summary to stdout; return the simulated time it reports. */
static double print_summary(const char *path, bool quiet)
{
	FILE *f = fopen(path, "r");
	char line[512];
	double elapsed = -1;

	if (!f)
		return -1;
	fflush(stdout);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "elapsed_s ", 10))
			elapsed = atof(line + 10);
		if (!quiet)
			fputs(line, stdout);
	}
	fclose(f);
	fflush(stdout);
	return elapsed;
}

static void print_check(const struct scenario *sc)
{
	char date[32];
	int i;

	sc_format_date(sc->start_utc_s, date, sizeof(date));
	printf("%s: ok: start %s, duration %.3f s, seed %llu, %d clocks, %d interfaces, "
	       "%d events\n", sc->name, date, (double)sc->duration_ns * 1e-9,
	       (unsigned long long)sc->seed, sc->nclocks, sc->nifaces, sc->nevents);
	for (i = 0; i < sc->nevents; i++)
		printf("  at %.6f s: %s%s%s\n", (double)sc->events[i].at_ns * 1e-9,
		       sc_event_kind_name(sc->events[i].kind), sc->events[i].clock >= 0 ? " " : "",
		       sc->events[i].clock >= 0 ? sc->clocks[sc->events[i].clock].name : "");
}

static int open_out(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		fprintf(stderr, "gnomon-sim: %s: %s\n", path, strerror(errno));
	return fd;
}

/* The summary (a temporary file unless --summary) and the CSV. */
static int open_outs(const struct opts *o, struct outs *out)
{
	char tmp[] = "/tmp/gnomon-sim-summary.XXXXXX";

	out->csv_fd = -1;
	if (o->summary) {
		out->summary = absolute(o->summary);
		out->summary_fd = out->summary ? open_out(out->summary) : -1;
	} else {
		out->summary_fd = mkstemp(tmp);
		out->summary = strdup(tmp);
	}
	if (out->summary_fd < 0 || !out->summary)
		return -1;
	if (o->csv && (out->csv_fd = open_out(o->csv)) < 0)
		return -1;
	return 0;
}

static bool check_opts(const struct opts *o)
{
	char *end;

	if (o->seed && (strtoull(o->seed, &end, 0), *end || end == o->seed)) {
		fprintf(stderr, "gnomon-sim: --seed: not a number\n");
		return false;
	}
	if (!positive_number(o->duration) || !positive_number(o->csv_interval) ||
	    !positive_number(o->speed) || !positive_number(o->progress)) {
		fprintf(stderr, "gnomon-sim: --duration, --csv-interval, --speed and --progress "
			"take positive numbers\n");
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static struct scenario sc;
	struct opts o = { 0 };
	struct watch w = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct outs out = { 0 };
	char err[512], *lib;
	int pfd[2], rc;
	double elapsed;

	if (parse_args(argc, argv, &o) || !check_opts(&o))
		return 2;
	if (scenario_load(&sc, o.scenario, err, sizeof(err))) {
		fprintf(stderr, "gnomon-sim: %s\n", err);
		return 2;
	}
	if (o.check) {
		print_check(&sc);
		return 0;
	}
	lib = o.lib ? absolute(o.lib) : default_lib();
	if (!lib || access(lib, R_OK)) {
		fprintf(stderr, "gnomon-sim: cannot read the preload library %s\n", lib ? lib : "");
		return 2;
	}
	if (open_outs(&o, &out) || pipe(pfd))
		return 2;
	out.notify_fd = pfd[1];
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	w.start = now_s();
	if ((w.pid = fork()) < 0) {
		perror("gnomon-sim: fork");
		return 2;
	}
	if (w.pid == 0) {
		close(pfd[0]);
		run_child(&o, lib, &out);
	}
	close(pfd[1]);
	close(out.summary_fd);
	if (out.csv_fd >= 0)
		close(out.csv_fd);
	w.fd = pfd[0];
	rc = wait_child(&w, &o);
	elapsed = print_summary(out.summary, o.quiet);
	if (elapsed < 0)
		fprintf(stderr, "gnomon-sim: no summary: COMMAND ended before the simulator "
			"wrote one\n");
	else
		fprintf(stderr, "gnomon-sim: %.1f s simulated in %.3f s real (%.0fx)%s\n", elapsed,
			now_s() - w.start, elapsed / (now_s() - w.start),
			w.end_at == 0 ? " - COMMAND exited before the end of the scenario" : "");
	if (!o.summary)
		unlink(out.summary);
	return rc;
}
