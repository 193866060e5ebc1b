/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dropping root (privdrop.h). The kernel rules that govern it
 * (capabilities(7)):
 *  - setresuid() from uid 0 to non-zero ids clears the permitted and
 *    effective sets unless PR_SET_KEEPCAPS is set; with it set, permitted
 *    survives and effective is still cleared, so cap_set_proc() must
 *    raise the kept capabilities into effective afterwards.
 *  - The bounding set only shrinks (PR_CAPBSET_DROP needs CAP_SETPCAP) and
 *    limits what any later execve() could gain; NO_NEW_PRIVS stops setuid
 *    binaries and file capabilities from granting more.
 *  - Ambient capabilities would survive an execve(); gnomond never execs,
 *    so it keeps none.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "daemon/lifecycle/privdrop.h"

#define KEEP_MAX	64

static int fail(int r, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Write the message (with strerror(-r) appended) and return r. */
static int fail(int r, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return r;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, ": %s", strerror(-r));
	return r;
}

/* "cap_sys_time" for messages (libcap's name; numeric if unknown). */
static void cap_name(cap_value_t c, char *buf, size_t len)
{
	char *s = cap_to_name(c);

	snprintf(buf, len, "%s", s ? s : "?");
	cap_free(s);
}

static bool parse_id(const char *s, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v < (unsigned long)(uid_t)-1;
}

/* Resolve user and group to ids. */
static int lookup(const char *user, const char *group, uid_t *uid, gid_t *gid,
		  char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;
	unsigned long v;

	errno = 0;
	pw = getpwnam(user);
	if (!pw && parse_id(user, &v))
		pw = getpwuid((uid_t)v);
	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else if (parse_id(user, &v) && group) {
		*uid = (uid_t)v;
	} else {
		return fail(-ENOENT, err, errlen, "privdrop: user '%s' not found", user);
	}
	if (!group)
		return 0;
	gr = getgrnam(group);
	if (gr) {
		*gid = gr->gr_gid;
	} else if (parse_id(group, &v)) {
		*gid = (gid_t)v;
	} else {
		return fail(-ENOENT, err, errlen, "privdrop: group '%s' not found", group);
	}
	return 0;
}

/* Every kept capability must be known and in the permitted set now. */
static int check_keep(const cap_value_t *keep, int n, char *err, size_t errlen)
{
	cap_t cur = cap_get_proc();
	cap_flag_value_t v;
	char name[40];
	int i, r = 0;

	if (!cur)
		return fail(-errno, err, errlen, "privdrop: cap_get_proc");
	for (i = 0; i < n && !r; i++) {
		if (keep[i] < 0 || keep[i] >= cap_max_bits()) {
			r = fail(-EINVAL, err, errlen, "privdrop: capability %d unknown to this kernel",
				 (int)keep[i]);
		} else if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &v) < 0 || v != CAP_SET) {
			cap_name(keep[i], name, sizeof(name));
			r = fail(-EPERM, err, errlen, "privdrop: %s is not in the permitted set, cannot keep it",
				 name);
		}
	}
	cap_free(cur);
	return r;
}

static bool is_kept(cap_value_t c, const cap_value_t *keep, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (keep[i] == c)
			return true;
	return false;
}

/* Remove every capability not kept from the bounding set. */
static int drop_bounding(const cap_value_t *keep, int n, char *err, size_t errlen)
{
	cap_value_t c, max = cap_max_bits();
	char name[40];

	for (c = 0; c < max; c++) {
		if (is_kept(c, keep, n) || prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			cap_name(c, name, sizeof(name));
			return fail(-errno, err, errlen,
				    "privdrop: cannot drop %s from the bounding set (needs cap_setpcap, "
				    "or narrow it with CapabilityBoundingSet=)", name);
		}
	}
	return 0;
}

/* Change groups, gid and uid, keeping the permitted set across setresuid. */
static int switch_ids(const char *user, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return fail(-errno, err, errlen, "privdrop: PR_SET_KEEPCAPS");
	if (setgroups(1, &gid) < 0)
		return fail(-errno, err, errlen, "privdrop: setgroups(%u)", (unsigned)gid);
	if (setresgid(gid, gid, gid) < 0)
		return fail(-errno, err, errlen, "privdrop: setresgid(%u)", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return fail(-errno, err, errlen, "privdrop: setresuid(%u) for user '%s'",
			    (unsigned)uid, user);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return fail(-errno, err, errlen, "privdrop: PR_SET_KEEPCAPS off");
	return 0;
}

/* Permitted = effective = keep, inheritable empty; ambient cleared. */
static int set_caps(const cap_value_t *keep, int n, char *err, size_t errlen)
{
	cap_t want = cap_init(), got = NULL;
	int r = 0;

	if (!want)
		return fail(-errno, err, errlen, "privdrop: cap_init");
	if (n > 0 && (cap_set_flag(want, CAP_PERMITTED, n, keep, CAP_SET) < 0 ||
		      cap_set_flag(want, CAP_EFFECTIVE, n, keep, CAP_SET) < 0)) {
		r = fail(-errno, err, errlen, "privdrop: cap_set_flag");
		goto out;
	}
	if (cap_set_proc(want) < 0) {
		r = fail(-errno, err, errlen, "privdrop: cap_set_proc");
		goto out;
	}
	/* EINVAL: a kernel before 4.3 has no ambient set, nothing to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		r = fail(-errno, err, errlen, "privdrop: clearing the ambient set");
		goto out;
	}
	got = cap_get_proc();
	if (!got)
		r = fail(-errno, err, errlen, "privdrop: cap_get_proc");
	else if (cap_compare(want, got) != 0)
		r = fail(-EPERM, err, errlen, "privdrop: capability sets differ from the request after cap_set_proc");
out:
	cap_free(got);
	cap_free(want);
	return r;
}

/* The ids are what was asked and root cannot be regained. */
static int verify_ids(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return fail(-errno, err, errlen, "privdrop: getresuid");
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return fail(-EPERM, err, errlen, "privdrop: ids are not %u:%u after the drop",
			    (unsigned)uid, (unsigned)gid);
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return fail(-EPERM, err, errlen, "privdrop: root could be regained after the drop");
	if (gid != 0 && (setgid(0) == 0 || setegid(0) == 0))
		return fail(-EPERM, err, errlen, "privdrop: gid 0 could be regained after the drop");
	return 0;
}

int privdrop(const char *user, const char *group, const cap_value_t *keep, int n,
	     char *err, size_t errlen)
{
	uid_t uid = (uid_t)-1, ru, eu, su;
	gid_t gid = (gid_t)-1, rg, eg, sg;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!user || !*user || n < 0 || n > KEEP_MAX || (n > 0 && !keep) || (group && !*group))
		return fail(-EINVAL, err, errlen, "privdrop: bad arguments");
	r = lookup(user, group, &uid, &gid, err, errlen);
	if (r < 0)
		return r;
	r = check_keep(keep, n, err, errlen);
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(-errno, err, errlen, "privdrop: PR_SET_NO_NEW_PRIVS");
	r = drop_bounding(keep, n, err, errlen);
	if (r < 0)
		return r;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return fail(-errno, err, errlen, "privdrop: getresuid");
	/* As root, always: that also reduces the supplementary groups. */
	if (eu == 0 || ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		r = switch_ids(user, uid, gid, err, errlen);
		if (r < 0)
			return r;
	}
	r = set_caps(keep, n, err, errlen);
	if (r < 0)
		return r;
	return verify_ids(uid, gid, err, errlen);
}

int privdrop_prepare_dir(const char *path, const char *user, const char *group,
			 mode_t mode, char *err, size_t errlen)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	struct stat st;
	int fd, r = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!path || path[0] != '/' || !user || !*user || (group && !*group) || (mode & ~07777u))
		return fail(-EINVAL, err, errlen, "privdrop: bad arguments for a directory");
	r = lookup(user, group, &uid, &gid, err, errlen);
	if (r < 0)
		return r;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return fail(-errno, err, errlen, "privdrop: mkdir %s", path);
	/* Open without following a symlink, then change what was opened. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0) {
		r = -errno;
		/* O_NOFOLLOW|O_DIRECTORY on a symlink gives ENOTDIR or ELOOP. */
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			r = -ELOOP;
		return fail(r, err, errlen, "privdrop: open directory %s", path);
	}
	if (fchown(fd, uid, gid) < 0)
		r = fail(-errno, err, errlen, "privdrop: chown %s to %u:%u", path,
			 (unsigned)uid, (unsigned)gid);
	else if (fchmod(fd, mode) < 0)
		r = fail(-errno, err, errlen, "privdrop: chmod %s %04o", path, (unsigned)mode);
	close(fd);
	return r;
}

int privdrop_check_root_all_caps(void)
{
	cap_t cur;
	cap_value_t c, max = cap_max_bits();
	cap_flag_value_t v;
	int all = 1;

	if (geteuid() != 0)
		return 0;
	cur = cap_get_proc();
	if (!cur)
		return -errno;
	if (cap_get_flag(cur, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v) < 0 || v != CAP_SET)
		all = 0;
	for (c = 0; c < max && all; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;
		if (cap_get_flag(cur, c, CAP_EFFECTIVE, &v) < 0 || v != CAP_SET)
			all = 0;
	}
	cap_free(cur);
	return all;
}
