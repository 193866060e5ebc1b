// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomon-sim: run a program in a simulated world of clocks.
 *
 *   gnomon-sim [options] SCENARIO -- COMMAND [ARGS...]
 *
 * Checks the scenario and that the library loads, starts COMMAND with
 * libgnomonsim.so preloaded, without CAP_SYS_TIME and under a seccomp
 * filter that refuses the clock-setting syscalls (runner_guard.c: a call
 * that slips past the preload gets EPERM from the kernel), waits for the
 * library's hello (else COMMAND runs on the real kernel: SIGKILL, exit
 * code 125), waits for the end of the scenario (the preload then sends
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
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/sim/runner.h"
#include "tests/sim/scenario.h"

/* Real seconds the library gets to say hello once COMMAND is exec'd. */
#define HELLO_TIMEOUT_S 5.0
#define REFUSED 125

struct opts {
	const char *seed, *duration, *csv, *csv_interval, *summary, *speed, *progress, *kcsv;
	const char *netcsv;
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
		"  --kernel-csv FILE  write the kernel's NTP state (maxerror, STA_UNSYNC) as CSV\n"
		"  --net-csv FILE     write every packet's fate and delay as CSV\n"
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
		{ "csv-interval", 1, 0, 'i' }, { "summary", 1, 0, 'S' }, { "kernel-csv", 1, 0, 'K' },
		{ "speed", 1, 0, 'x' }, { "progress", 1, 0, 'p' }, { "timeout", 1, 0, 't' },
		{ "kill-after", 1, 0, 'k' }, { "user", 1, 0, 'u' }, { "lib", 1, 0, 'l' },
		{ "net-csv", 1, 0, 'N' }, { "quiet", 0, 0, 'q' }, { "check", 0, 0, 'C' },
		{ "help", 0, 0, 'h' },
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
		case 'K': o->kcsv = optarg; break;
		case 'N': o->netcsv = optarg; break;
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
	int summary_fd, csv_fd, kcsv_fd, netcsv_fd;	/* opened here: the program may run as another user */
	int notify_fd;
	int exec_fd;		/* child: a byte here if it fails before exec */
	char token[40];		/* the hello the library must send */
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
	if (out->kcsv_fd >= 0)
		set_env_int("GNOMON_SIM_KCSV_FD", out->kcsv_fd);
	if (out->netcsv_fd >= 0)
		set_env_int("GNOMON_SIM_NETCSV_FD", out->netcsv_fd);
	set_env("GNOMON_SIM_SEED", o->seed);
	set_env("GNOMON_SIM_DURATION", o->duration);
	set_env("GNOMON_SIM_CSV_INTERVAL", o->csv_interval);
	set_env("GNOMON_SIM_SPEED", o->speed);
	set_env("GNOMON_SIM_PROGRESS", o->progress);
	set_env_int("GNOMON_SIM_NOTIFY_FD", out->notify_fd);
	set_env("GNOMON_SIM_HELLO", out->token);
	unsetenv("GNOMON_SIM_PROBE");
	guard_vcap_spec(spec);
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

static _Noreturn void child_fail(const struct outs *out, int code)
{
	if (write(out->exec_fd, "x", 1) < 0)
		_exit(code);
	_exit(code);
}

static void run_child(const struct opts *o, const char *lib, const struct outs *out)
{
	int r;

	child_env(o, lib, out);
	if (guard_drop_sys_time()) {
		fprintf(stderr, "gnomon-sim: cannot drop CAP_SYS_TIME; refusing to run\n");
		child_fail(out, 126);
	}
	if ((r = guard_clock_filter()) && r != -ENOSYS) {
		fprintf(stderr, "gnomon-sim: cannot install the seccomp filter: %s; "
			"refusing to run\n", strerror(-r));
		child_fail(out, 126);
	}
	if (o->user && become(o->user))
		child_fail(out, 126);
	execvp(o->cmd[0], o->cmd);
	fprintf(stderr, "gnomon-sim: %s: %s\n", o->cmd[0], strerror(errno));
	child_fail(out, 127);
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
	const char *token;	/* the hello expected */
	bool hello;		/* the library said it: COMMAND is simulated */
	double hello_by;	/* real time limit for it */
	char line[128];		/* a line from the pipe, being read */
	size_t nline;
};

/* Lines from the library: "hello TOKEN" first, "end" at the end of the
 * scenario, "exit" if the program exits before. Nothing counts before
 * the hello: COMMAND inherits the pipe with or without the library. */
static void watch_line(struct watch *w, const struct opts *o, const char *line)
{
	if (!w->hello) {
		w->hello = !strncmp(line, "hello ", 6) && !strcmp(line + 6, w->token);
		return;
	}
	if (!strcmp(line, "end") && w->end_at == 0) {
		w->end_at = now_s();
		w->kill_at = w->end_at + o->kill_after_s;
	}
}

static void watch_pipe(struct watch *w, const struct opts *o)
{
	char buf[256];
	ssize_t n = read(w->fd, buf, sizeof(buf)), i;

	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return;
		close(w->fd);
		w->fd = -1;
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (w->nline < sizeof(w->line) - 1)
				w->line[w->nline++] = buf[i];
			continue;
		}
		w->line[w->nline] = '\0';
		w->nline = 0;
		watch_line(w, o, w->line);
	}
}

/* What the library wrote before COMMAND exited is still in the pipe. */
static void drain_pipe(struct watch *w, const struct opts *o)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };

	while (w->fd >= 0 && poll(&pfd, 1, 0) > 0)
		watch_pipe(w, o);
}

static void watch_time(struct watch *w, const struct opts *o)
{
	double t = now_s();

	if (!w->hello && t > w->hello_by && !w->killed) {
		kill(w->pid, SIGKILL);	/* running on the real kernel */
		w->killed = true;
	}
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
	drain_pipe(w, o);
	if (!w->hello) {
		fprintf(stderr, "gnomon-sim: the preload library did not load in COMMAND; "
			"refusing to let it run on the real kernel\n");
		return REFUSED;
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
	       "%d hosts, %d events\n", sc->name, date, (double)sc->duration_ns * 1e-9,
	       (unsigned long long)sc->seed, sc->nclocks, sc->nifaces, sc->net.nhosts, sc->nevents);
	for (i = 0; i < sc->nevents; i++) {
		const struct sc_event *e = &sc->events[i];
		const char *who = e->clock >= 0 ? sc->clocks[e->clock].name :
				  e->host >= 0 ? sc->net.hosts[e->host].name :
				  e->host == SC_HOST_ALL ? "all" : NULL;

		printf("  at %.6f s: %s%s%s\n", (double)e->at_ns * 1e-9, sc_event_kind_name(e->kind),
		       who ? " " : "", who ? who : "");
	}
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

	out->csv_fd = out->kcsv_fd = out->netcsv_fd = -1;
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
	if (o->kcsv && (out->kcsv_fd = open_out(o->kcsv)) < 0)
		return -1;
	if (o->netcsv && (out->netcsv_fd = open_out(o->netcsv)) < 0)
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

static void make_token(char *tok, size_t len)
{
	unsigned char b[12];
	size_t i;

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		unsigned long long x = (unsigned long long)getpid() * 2654435761ULL ^
				       (unsigned long long)(now_s() * 1e9);

		for (i = 0; i < sizeof(b); i++, x = x * 6364136223846793005ULL + 1)
			b[i] = (unsigned char)(x >> 56);
	}
	for (i = 0; i < sizeof(b) && 2 * i + 2 < len; i++)
		snprintf(tok + 2 * i, 3, "%02x", b[i]);
}

/*
 * Fork and exec COMMAND. Returns 0 once it is exec'd (w set up to watch
 * it), the child's exit code if it failed before exec (it said why), or
 * -1. exec_fd is close-on-exec: EOF on it means the exec happened.
 */
static int start(struct watch *w, const struct opts *o, const char *lib, struct outs *out)
{
	int pfd[2], efd[2], st;
	ssize_t n;
	char c;

	if (pipe(pfd) || pipe2(efd, O_CLOEXEC))
		return -1;
	out->notify_fd = pfd[1];
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	make_token(out->token, sizeof(out->token));
	w->token = out->token;
	fflush(NULL);
	if ((w->pid = fork()) < 0) {
		perror("gnomon-sim: fork");
		return -1;
	}
	if (w->pid == 0) {
		close(pfd[0]);
		close(efd[0]);
		out->exec_fd = efd[1];
		run_child(o, lib, out);
	}
	close(pfd[1]);
	close(efd[1]);
	close(out->summary_fd);
	if (out->csv_fd >= 0)
		close(out->csv_fd);
	if (out->kcsv_fd >= 0)
		close(out->kcsv_fd);
	if (out->netcsv_fd >= 0)
		close(out->netcsv_fd);
	w->fd = pfd[0];
	while ((n = read(efd[0], &c, 1)) < 0 && errno == EINTR)
		;
	close(efd[0]);
	if (n > 0) {
		while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
			;
		return WIFEXITED(st) && WEXITSTATUS(st) ? WEXITSTATUS(st) : 126;
	}
	w->hello_by = now_s() + HELLO_TIMEOUT_S;
	return 0;
}

int main(int argc, char **argv)
{
	static struct scenario sc;
	struct opts o = { 0 };
	struct watch w = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct outs out = { 0 };
	char err[512], *lib;
	int rc;
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
	if (guard_probe_library(lib)) {
		fprintf(stderr, "gnomon-sim: the preload library %s does not load; refusing to "
			"let COMMAND run on the real kernel\n", lib);
		return REFUSED;
	}
	if (open_outs(&o, &out))
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	w.start = now_s();
	if ((rc = start(&w, &o, lib, &out)) == 0)
		rc = wait_child(&w, &o);
	else if (rc < 0)
		rc = 2;
	if (w.hello) {
		elapsed = print_summary(out.summary, o.quiet);
		if (elapsed < 0)
			fprintf(stderr, "gnomon-sim: no summary: COMMAND ended before the "
				"simulator wrote one\n");
		else
			fprintf(stderr, "gnomon-sim: %.1f s simulated in %.3f s real (%.0fx)%s\n",
				elapsed, now_s() - w.start, elapsed / (now_s() - w.start),
				w.end_at == 0 ? " - COMMAND exited before the end of the scenario"
					      : "");
	}
	if (!o.summary)
		unlink(out.summary);
	return rc;
}
