/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gnomond: disciplines the system clock and PHCs from references.
 * One thread, one poll loop on CLOCK_MONOTONIC; see doc/architecture.md.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phc/systime.h"
#include "daemon/bond/bond_setup.h"
#include "daemon/daemon.h"
#include "daemon/health/health.h"
#include "daemon/log.h"
#include "daemon/ctl/status.h"
#include "daemon/safefile.h"
#include "daemon/source_make.h"
#include "daemon/source/source_ptp4l.h"
#include "daemon/lifecycle/ops.h"
#include "daemon/lifecycle/ops_notify.h"
#include "daemon/lifecycle/reload.h"
#include "daemon/metrics/metrics_fill.h"
#include "daemon/ntpserve/ntpserve.h"
#include "phc/sysclk.h"

#define DEFAULT_CONFIG "/etc/gnomon/gnomon.conf"

struct opts {
	const char *config;
	bool dry_run, check_only, print_config, foreground;
	int log_level;		/* -1: from the config */
};

/* Process-wide: set by the signal handlers, read by the loop and main.
 * Any of them sets quit_flag, which makes loop_run() return between two
 * iterations (never inside a callback); main then stops (term_flag) or
 * reloads (hup_flag) and runs the loop again. */
static volatile int quit_flag;
static volatile sig_atomic_t term_flag, hup_flag, usr1_flag;

static void on_term(int sig)
{
	(void)sig;
	term_flag = 1;
	quit_flag = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	hup_flag = 1;
	quit_flag = 1;
}

/* SIGUSR1: reopen the state files only (logrotate's postrotate). */
static void on_usr1(int sig)
{
	(void)sig;
	usr1_flag = 1;
	quit_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gnomond [options]\n"
		"  -f, --config FILE     configuration file (default " DEFAULT_CONFIG ")\n"
		"  -n, --dry-run         measure and log, adjust no clock\n"
		"  -d, --foreground      stay in the foreground, log to stderr\n"
		"  -l, --log-level LVL   err|warning|notice|info|debug (overrides the config)\n"
		"      --check-config [FILE]  check the configuration and exit\n"
		"      --print-config [FILE]  check as --check-config, then print the effective\n"
		"                        configuration and exit\n"
		"      --config-keys     print the reference of every configuration key\n"
		"  -V, --version         print the version\n"
		"  -h, --help            this text\n"
		"signals: SIGHUP reloads the configuration and reopens the log, SIGTERM and\n"
		"SIGINT stop (clocks are left at their natural frequency). See gnomond(8).\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "check-config", optional_argument, NULL, 'C' },
		{ "print-config", optional_argument, NULL, 'P' },
		{ "config-keys", no_argument, NULL, 'K' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct opts){ .config = DEFAULT_CONFIG, .log_level = -1 };
	while ((c = getopt_long(argc, argv, "f:ndl:Vh", lo, NULL)) != -1) {
		switch (c) {
		case 'f': o->config = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'd': o->foreground = true; break;
		case 'l':
			o->log_level = log_level_parse(optarg);
			if (o->log_level < 0) {
				fprintf(stderr, "gnomond: --log-level: unknown level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'C':
		case 'P':
			if (c == 'C')
				o->check_only = true;
			else
				o->print_config = true;
			if (optarg)
				o->config = optarg;
			else if (optind < argc && argv[optind][0] != '-')
				o->config = argv[optind++];
			break;
		case 'K': config_print_reference(stdout); exit(0);
		case 'V': printf("gnomond %s\n", GNOMON_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gnomond: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* The system clock is taken over: the kernel's own PLL must not fight us. */
static int take_over(struct clock *target, const char *where, const char *name)
{
	int r;

	if (clock_kind(target) != CLOCK_KIND_SYSTEM || clock_is_dryrun(target))
		return 0;
	r = sysclk_init_for_discipline(target);
	if (r < 0)
		pr_err("%s: cannot take over %s: %s", where, name, strerror(-r));
	return r;
}

static int setup_clock(struct gnomond *g, const struct clock_conf *cc, int i)
{
	const struct discipline_env env = {
		.loop = g->loop, .conf = &g->conf, .leaps = g->leaps,
		.audit = g->audit, .history = g->history,
	};
	char err[CONF_PATH_MAX + 256], where[CONF_PATH_MAX + 32];
	struct clock *target;
	int r = 0;

	config_where(&g->conf, cc, "source", where, sizeof(where));
	target = clockreg_get(g->clocks, cc->name, &r);
	if (!target) {
		pr_err("%s: cannot open clock %s: %s", where, cc->name, strerror(-r));
		return r;
	}
	for (int j = 0; j < i; j++) {
		if (clockreg_get(g->clocks, g->conf.clocks[j].name, &r) == target) {
			pr_err("%s: %s is the same clock as [%s]: discipline it once",
			       where, cc->name, g->conf.clocks[j].name);
			return -EEXIST;
		}
	}
	r = -ENOMEM;
	g->sources[i] = gnomond_make_source(g, cc, i, target, where, &r);
	if (!g->sources[i])
		return r;
	r = take_over(target, where, cc->name);
	if (r < 0)
		return r;
	g->disc[i] = discipline_create(&env, cc, target, g->sources[i], err, sizeof(err));
	if (!g->disc[i]) {
		pr_err("%s", err);
		return -EINVAL;
	}
	return g->sources[i]->follows_bond ? bond_setup_follow(g, cc, g->disc[i]) : 0;
}

/* Lines a full disk refused are written as soon as it takes them again. */
static int64_t flush_tick(struct loop *l, long id, void *arg)
{
	struct gnomond *g = arg;
	struct recfile *files[] = { audit_file(g->audit), history_file(g->history) };
	struct recfile_stats st;

	(void)l;
	(void)id;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!files[i])
			continue;
		recfile_stats(files[i], &st);
		if (st.pending && recfile_flush(files[i]) == 0)
			pr_notice("state_dir: %s: %llu waiting line(s) written (%llu failed "
				  "writes in all)", recfile_path(files[i]),
				  (unsigned long long)st.pending, (unsigned long long)st.lost);
	}
	return NS_PER_S;
}

/* The state files, opened as root but through safefile: nothing the
 * daemon's user planted in state_dir (which it owns) is followed. */
static int open_state(struct gnomond *g)
{
	struct recfile_conf rc = { .owner = SAFEFILE_SELF, .keep = (unsigned)g->conf.state_keep };
	char path[CONF_PATH_MAX + 32], why[CONF_PATH_MAX + 128];
	int r = 0;

	if (safefile_user_uid(g->conf.user, &rc.owner) < 0)
		rc.owner = SAFEFILE_SELF;	/* ops_check_config() said so already */
	snprintf(path, sizeof(path), "%s/audit.log", g->conf.state_dir);
	rc.max_bytes = (uint64_t)g->conf.audit_max_bytes;
	g->audit = audit_open(path, &rc, &r, why, sizeof(why));
	if (!g->audit) {
		pr_err("state_dir: cannot open audit trail %s: %s", path, why[0] ? why : strerror(-r));
		return r;
	}
	snprintf(g->history_path, sizeof(g->history_path), "%s/recovery.jsonl",
		 g->conf.state_dir);
	rc.max_bytes = (uint64_t)g->conf.history_max_bytes;
	g->history = history_open(g->history_path, &rc, &r, why, sizeof(why));
	if (!g->history) {
		pr_err("state_dir: cannot open recovery history %s: %s", g->history_path,
		       why[0] ? why : strerror(-r));
		return r;
	}
	return loop_add_timer(g->loop, NS_PER_S, flush_tick, g) < 0 ? -ENOMEM : 0;
}

static int open_ctl(struct gnomond *g)
{
	const struct gnomon_config *c = &g->conf;
	struct group *gr;
	int r = 0;

	/* "none" turns a socket off; the read-only one rides on the server of
	 * the read-write one, so without that there is none at all */
	if (!strcmp(c->control_socket, "none")) {
		if (strcmp(c->control_socket_ro, "none"))
			pr_warn("control_socket = none: no control socket at all, "
				"control_socket_ro %s is not opened either", c->control_socket_ro);
		return 0;
	}
	g->ctl = ctl_create(g->loop, c->control_socket,
			    strcmp(c->control_socket_ro, "none") ? c->control_socket_ro : "", &r);
	if (!g->ctl) {
		pr_err("control socket %s: %s", c->control_socket, strerror(-r));
		return r;
	}
	if (c->control_group[0]) {
		gr = getgrnam(c->control_group);
		if (!gr || (r = ctl_set_group(g->ctl, gr->gr_gid)) < 0) {
			pr_err("control_group %s: %s", c->control_group,
			       gr ? strerror(-r) : "no such group");
			return gr ? r : -ENOENT;
		}
	}
	return status_register(g);
}

static void teardown(struct gnomond *g)
{
	daemon_metrics_stop(&g->metrics);
	ntpserve_stop(g->ntpserve);
	g->ntpserve = NULL;
	health_destroy(g->health);
	g->health = NULL;
	ops_notify_stop(g->notify);
	g->notify = NULL;
	bondset_destroy(g->bonds);
	for (int i = 0; i < CONF_MAX_CLOCKS; i++) {
		discipline_destroy(g->disc[i]);
		source_destroy(g->sources[i]);
	}
	ctl_destroy(g->ctl);
	history_close(g->history);
	audit_close(g->audit);
	leaptable_destroy(g->leaps);
	clockreg_destroy(g->clocks);
	loop_destroy(g->loop);
	pidfile_release(g->pidfile);
	g->pidfile = NULL;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_term };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int start_health(struct gnomond *g)
{
	struct health_env env = {
		.loop = g->loop, .audit = g->audit, .leaps = g->leaps, .discs = g->discs,
	};
	struct health_conf hc = {
		.cpu_interval_s = g->conf.cpu_check_interval_s,
		.cpu_tolerance_ns = (int64_t)(g->conf.cpu_check_tolerance_s * 1e9),
		.timer_tolerance_ns = (int64_t)(g->conf.timer_check_tolerance_s * 1e9),
		.spin_limit_hz = g->conf.timer_spin_limit,
	};

	g->health = health_create(&env, &hc);
	return g->health ? 0 : -ENOMEM;
}

static int start_metrics(void *arg)
{
	struct gnomond *g = arg;
	struct dmetrics_env env = {
		.loop = g->loop, .discs = g->discs, .leaps = g->leaps,
		.start_utc_ns = g->start_utc_ns, .health = g->health,
		.fill_more = g->bonds ? bond_setup_metrics : NULL, .more_arg = g->bonds,
		.history = history_file(g->history), .audit = audit_file(g->audit),
	};

	return daemon_metrics_start(&env, &g->conf, &g->metrics);
}

/* ntp_serve: CLOCK_REALTIME is served, with what its discipline says. */
static int start_ntpserve(struct gnomond *g)
{
	struct ntpserve_env env = { .loop = g->loop, .conf = &g->conf, .leaps = g->leaps };
	int r = 0;

	for (int i = 0; i < g->n; i++) {
		if (g->disc[i] && clock_kind(discipline_clock(g->disc[i])) == CLOCK_KIND_SYSTEM) {
			env.disc = g->disc[i];
			env.src = g->sources[i];
		}
	}
	g->ntpserve = ntpserve_start(&env, &r);
	return r;
}

static int start_notify(struct gnomond *g)
{
	struct ops_notify_env env = {
		.loop = g->loop, .discs = g->discs, .dry_run = g->dry_run,
		.start_mono_ns = g->start_mono_ns,
	};

	return ops_notify_start(&env, &g->notify);
}

static void reload(struct gnomond *g)
{
	struct reload_env env = {
		.conf = &g->conf, .discs = g->discs, .notify = g->notify,
		.log_level_cli = g->log_level_cli, .foreground = g->foreground,
		.restart_metrics = start_metrics, .arg = g,
	};

	g->reloads++;
	reload_run(&env, g->reload_error, sizeof(g->reload_error));
}

/* Everything that needs privileges, in the order of doc/operations.md:
 * directories, pid file, clocks, state files, sockets; then the drop. */
static int open_all(struct gnomond *g)
{
	int r;

	r = ops_prepare_dirs(&g->conf);
	if (!r)
		r = ops_pidfile(&g->conf, &g->pidfile);
	if (r < 0)
		return r;
	g->loop = loop_create();
	g->clocks = clockreg_create(g->dry_run);
	g->leaps = leaptable_create();
	if (!g->loop || !g->clocks || !g->leaps)
		return -ENOMEM;
	g->start_mono_ns = loop_mono_ns();
	g->start_utc_ns = systime_realtime_ns();
	r = open_state(g);
	if (r < 0)
		return r;
	leapwatch_start(&g->leapwatch, g->loop, g->leaps, g->conf.leapfile);
	r = bond_setup_prepare(g);
	if (r < 0)
		return r;
	for (g->n = 0; g->n < g->conf.n_clocks; g->n++) {
		r = setup_clock(g, &g->conf.clocks[g->n], g->n);
		if (r < 0)
			return r;
	}
	g->discs = (struct discipline_set){ .d = g->disc, .n = g->n };
	r = start_health(g);
	if (!r)
		r = bond_setup_start(g);
	if (!r)
		r = open_ctl(g);
	if (!r)
		r = start_metrics(g);
	if (!r)
		r = start_ntpserve(g);
	return r;
}

/* After logrotate moved the files away (or a reload): open the paths
 * again, with the rotation the configuration now asks for. */
static void reopen_state(struct gnomond *g)
{
	struct recfile *files[] = { audit_file(g->audit), history_file(g->history) };
	const int64_t max[] = { g->conf.audit_max_bytes, g->conf.history_max_bytes };
	char why[CONF_PATH_MAX + 128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!files[i])
			continue;
		recfile_set_rotation(files[i], (uint64_t)max[i], (unsigned)g->conf.state_keep);
		if (recfile_reopen(files[i], why, sizeof(why)) < 0)
			pr_err("state_dir: cannot reopen %s: %s; still writing to the file "
			       "open before", recfile_path(files[i]), why);
		else
			pr_info("state_dir: %s reopened", recfile_path(files[i]));
	}
}

/* The loop, until SIGTERM/SIGINT; a SIGHUP reloads between iterations. */
static int run_loop(struct gnomond *g)
{
	int r;

	for (;;) {
		r = loop_run(g->loop, &quit_flag);
		if (r < 0 || term_flag)
			break;
		quit_flag = 0;
		if (term_flag) {	/* arrived just now: keep it */
			quit_flag = 1;
			break;
		}
		if (hup_flag) {
			hup_flag = 0;
			usr1_flag = 1;		/* a reload reopens the files too */
			reload(g);
		}
		if (usr1_flag) {
			usr1_flag = 0;
			reopen_state(g);
		}
	}
	return r;
}

static int run(struct gnomond *g)
{
	int r;

	signals();
	r = ops_root_check(&g->conf);
	if (!r)
		r = open_all(g);
	if (!r)
		r = ops_drop_privileges(&g->conf, g->dry_run);
	if (!r)
		r = start_notify(g);
	if (r < 0)
		return r;
	pr_notice("gnomond %s started: %d clock%s%s", GNOMON_VERSION, g->n, g->n == 1 ? "" : "s",
		  g->dry_run ? ", dry run: no clock will be adjusted" : "");
	r = run_loop(g);
	if (r < 0)
		pr_err("event loop failed: %s", strerror(-r));
	else
		pr_notice("gnomond exiting on signal");
	ops_notify_stopping(g->notify);
	return r;
}

/* The warnings of ops_config_warnings(), one line each: to stderr for
 * --check-config, to the log at start-up. */
static void warnings(const char *warn, bool to_log)
{
	for (const char *w = warn; *w; ) {
		const char *nl = strchr(w, '\n');
		int n = nl ? (int)(nl - w) : (int)strlen(w);

		if (to_log)
			pr_warn("%.*s", n, w);
		else
			fprintf(stderr, "gnomond: warning: %.*s\n", n, w);
		w += n + (nl != NULL);
	}
}

/* --check-config: what start-up checks, plus the leap file; warnings too. */
static int check_only(const struct gnomon_config *c, const char *path, const char *warn,
		      bool say_ok)
{
	char err[2 * CONF_PATH_MAX + 512];

	int r;

	warnings(warn, false);
	r = ops_check_leapfile(c, err, sizeof(err));
	if (r == -ESTALE) {	/* still used, as at start-up: said, not fatal */
		fprintf(stderr, "gnomond: warning: %s\n", err);
	} else if (r < 0) {
		fprintf(stderr, "gnomond: %s\n", err);
		return 1;
	}
	if (say_ok)
		printf("%s: OK, %d clock%s\n", path, c->n_clocks, c->n_clocks == 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	static struct gnomond g;
	char err[CONF_PATH_MAX + 256], warn[2 * CONF_PATH_MAX + 512];
	struct opts o;
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r;
	r = config_load(o.config, &g.conf, err, sizeof(err));
	if (r >= 0)
		r = ops_check_config(&g.conf, err, sizeof(err));
	if (r < 0) {
		log_early(LOG_ERR, "gnomond", "%s", err);
		return 1;
	}
	ops_config_warnings(&g.conf, o.config, warn, sizeof(warn));
	if (o.print_config) {	/* checked as --check-config, then printed */
		r = check_only(&g.conf, o.config, warn, false);
		if (r == 0)
			config_print(&g.conf, stdout);
		return r;
	}
	if (o.check_only)
		return check_only(&g.conf, o.config, warn, true);
	g.dry_run = o.dry_run;
	g.foreground = o.foreground;
	g.log_level_cli = o.log_level;
	log_setup("gnomond", o.log_level >= 0 ? o.log_level : g.conf.log_level,
		  !o.foreground && g.conf.log_target == LOG_TO_SYSLOG);
	warnings(warn, true);
	r = run(&g);
	teardown(&g);
	return r < 0 ? 1 : 0;
}
