// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomond's privileges and pid file (ops.h, doc/operations.md): the root
 * refusal, the directories handed to the daemon's user, the lock that
 * keeps a second instance away from the clocks, and the drop to one
 * capability, CAP_SYS_TIME, which clock_adjtime() on CLOCK_REALTIME and on
 * a PHC needs (capabilities(7): "CAP_SYS_TIME: set system clock
 * (settimeofday(2), stime(2), adjtimex(2))").
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/config/config.h"
#include "daemon/log.h"
#include "daemon/metrics/metrics_http.h"
#include "daemon/lifecycle/ops.h"
#include "daemon/lifecycle/pidfile.h"
#include "daemon/lifecycle/privdrop.h"

#define WHERE_MAX	(CONF_PATH_MAX + 32)

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A Unix socket path must fit sun_path with its NUL (unix(7): 108 bytes). */
static bool sock_too_long(const struct gnomon_config *c, const char *key, const char *path,
			  char *err, size_t errlen)
{
	char where[WHERE_MAX];
	const size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

	if (strlen(path) <= max || !strcmp(path, "none"))
		return false;
	snprintf(err, errlen, "%s: %s: %zu bytes, longer than a Unix socket path can be "
		 "(%zu bytes)", config_where(c, NULL, key, where, sizeof(where)), key,
		 strlen(path), max);
	return true;
}

int ops_check_config(const struct gnomon_config *c, char *err, size_t errlen)
{
	char where[WHERE_MAX];
	struct sockaddr_storage ss;
	socklen_t sl;
	bool loopback = true;

	if (c->user[0] && !getpwnam(c->user) && !is_number(c->user)) {
		snprintf(err, errlen, "%s: user: no such user '%s'",
			 config_where(c, NULL, "user", where, sizeof(where)), c->user);
		return -ENOENT;
	}
	if (c->group[0] && !getgrnam(c->group) && !is_number(c->group)) {
		snprintf(err, errlen, "%s: group: no such group '%s'",
			 config_where(c, NULL, "group", where, sizeof(where)), c->group);
		return -ENOENT;
	}
	if (c->control_group[0] && !getgrnam(c->control_group) && !is_number(c->control_group)) {
		snprintf(err, errlen, "%s: control_group: no such group '%s'",
			 config_where(c, NULL, "control_group", where, sizeof(where)),
			 c->control_group);
		return -ENOENT;
	}
	if (sock_too_long(c, "control_socket", c->control_socket, err, errlen) ||
	    sock_too_long(c, "control_socket_ro", c->control_socket_ro, err, errlen))
		return -ENAMETOOLONG;
	if (c->group[0] && !c->user[0]) {
		snprintf(err, errlen, "%s: group is set without user (set user too)",
			 config_where(c, NULL, "group", where, sizeof(where)));
		return -EINVAL;
	}
	if (c->metrics_listen[0] &&
	    metrics_http_parse_addr(c->metrics_listen, &ss, &sl, &loopback) == 0 &&
	    !loopback && !c->metrics_allow_remote) {
		snprintf(err, errlen, "%s: metrics_listen: %s is not a loopback address "
			 "(set metrics_allow_remote = yes to serve metrics to other hosts)",
			 config_where(c, NULL, "metrics_listen", where, sizeof(where)),
			 c->metrics_listen);
		return -EPERM;
	}
	return 0;
}

int ops_root_check(const struct gnomon_config *c)
{
	char where[WHERE_MAX];
	int r;

	if (c->user[0] || c->allow_root)
		return 0;
	r = privdrop_check_root_all_caps();
	if (r < 0) {
		pr_warn("cannot read this process's capabilities: %s", strerror(-r));
		return 0;
	}
	if (!r)
		return 0;
	pr_err("%s: refusing to run as root with every capability: set user = NAME "
	       "(gnomond then becomes NAME keeping only CAP_SYS_TIME), or allow_root = yes",
	       config_where(c, NULL, "user", where, sizeof(where)));
	return -EPERM;
}

/* Will this directory be handed to the user? Only ours: one we create, or
 * one named gnomon (/run/gnomon, /var/lib/gnomon). */
static bool ours(const char *dir, bool created)
{
	const char *base = strrchr(dir, '/');

	return created || (base && !strcmp(base + 1, "gnomon"));
}

/* Make sure the directory exists (one level) and, when dropping from root
 * to a user, belongs to it if it is ours. */
static int prepare_one(const struct gnomon_config *c, const char *dir, const char *key)
{
	char where[WHERE_MAX], err[256];
	bool created = false;
	struct stat st;
	int r;

	if (stat(dir, &st) < 0) {
		if (errno != ENOENT || mkdir(dir, 0755) < 0) {
			pr_err("%s: %s: cannot create directory %s: %s",
			       config_where(c, NULL, key, where, sizeof(where)), key, dir,
			       strerror(errno));
			return -errno;
		}
		created = true;
	}
	if (!c->user[0] || geteuid() != 0 || !ours(dir, created))
		return 0;
	r = privdrop_prepare_dir(dir, c->user, c->group[0] ? c->group : NULL, 0755,
				 err, sizeof(err));
	if (r < 0)
		pr_err("%s: %s: %s: %s", config_where(c, NULL, key, where, sizeof(where)), key,
		       err, strerror(-r));
	return r;
}

/* The directory of path (a file), prepared once per distinct directory. */
static int prepare_parent(const struct gnomon_config *c, const char *path, const char *key,
			  char done[][CONF_PATH_MAX], int *ndone)
{
	char copy[CONF_PATH_MAX], *dir;

	if (!path[0] || path[0] != '/')
		return 0;	/* none */
	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	for (int i = 0; i < *ndone; i++)
		if (!strcmp(done[i], dir))
			return 0;
	snprintf(done[(*ndone)++], CONF_PATH_MAX, "%s", dir);
	return prepare_one(c, dir, key);
}

int ops_prepare_dirs(const struct gnomon_config *c)
{
	char done[4][CONF_PATH_MAX];
	int n = 0, r;

	snprintf(done[n++], CONF_PATH_MAX, "%s", c->state_dir);
	r = prepare_one(c, c->state_dir, "state_dir");
	if (!r)
		r = prepare_parent(c, c->pidfile, "pidfile", done, &n);
	if (!r)
		r = prepare_parent(c, c->control_socket, "control_socket", done, &n);
	if (!r)
		r = prepare_parent(c, c->control_socket_ro, "control_socket_ro", done, &n);
	return r;
}

int ops_pidfile(const struct gnomon_config *c, struct pidfile **out)
{
	char msg[CONF_PATH_MAX + 128], where[WHERE_MAX];
	int r = 0;

	*out = NULL;
	if (!c->pidfile[0] || !strcmp(c->pidfile, "none"))
		return 0;
	*out = pidfile_create(c->pidfile, &r, msg, sizeof(msg));
	if (*out)
		return 0;
	if (r == -EEXIST)
		pr_err("%s", msg);
	else
		pr_err("%s: pidfile: %s", config_where(c, NULL, "pidfile", where,
						       sizeof(where)), msg);
	return r;
}

static bool cap_in(cap_t caps, cap_value_t v, cap_flag_t set)
{
	cap_flag_value_t f = CAP_CLEAR;

	return caps && cap_get_flag(caps, v, set, &f) == 0 && f == CAP_SET;
}

/* Any capability in the effective or permitted set? */
static bool holds_any(cap_t caps)
{
	cap_t none = cap_init();
	bool any;

	if (!caps || !none) {
		cap_free(none);
		return true;	/* cannot tell: try the drop */
	}
	any = cap_compare(caps, none) != 0;
	cap_free(none);
	return any;
}

int ops_drop_privileges(const struct gnomon_config *c, bool dry_run)
{
	const cap_value_t keep[] = { CAP_SYS_TIME };
	char user[sizeof(c->user)], err[256], who[128], caps_txt[256];
	cap_t caps = cap_get_proc();
	bool any = holds_any(caps), time_cap = cap_in(caps, CAP_SYS_TIME, CAP_PERMITTED);
	int n, r;

	cap_free(caps);
	if (!c->user[0] && !any) {
		pr_info("running without any capability: no privileges to drop");
		return 0;
	}
	snprintf(user, sizeof(user), "%s", c->user);
	if (!user[0])
		snprintf(user, sizeof(user), "%u", (unsigned)geteuid());
	n = time_cap && !dry_run ? 1 : 0;
	if (!n && !dry_run)
		pr_warn("CAP_SYS_TIME is not held: every clock adjustment will fail "
			"with EPERM (start gnomond as root, or with AmbientCapabilities=CAP_SYS_TIME)");
	r = privdrop(user, c->group[0] ? c->group : NULL, keep, n, err, sizeof(err));
	if (r < 0) {
		pr_err("dropping privileges to user %s: %s: %s", user, err, strerror(-r));
		return r;
	}
	ops_user_text(who, sizeof(who));
	ops_caps_text(caps_txt, sizeof(caps_txt));
	pr_notice("running as %s with capabilities %s", who, caps_txt);
	return 0;
}

void ops_caps_text(char *buf, size_t len)
{
	cap_t caps = cap_get_proc();
	char *t = caps ? cap_to_text(caps, NULL) : NULL;

	snprintf(buf, len, "%s", t ? t : "?");
	cap_free(t);
	cap_free(caps);
}

void ops_user_text(char *buf, size_t len)
{
	uid_t uid = geteuid();
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s (uid %u)", pw->pw_name, (unsigned)uid);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
}
