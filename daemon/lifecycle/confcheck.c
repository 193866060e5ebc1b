// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What --check-config adds to the start-up checks (ops.h): the leap file
 * read and verified as the daemon will read it, and warnings about a
 * configuration others can change or a user others share.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/leap/leaptable.h"
#include "daemon/lifecycle/ops.h"
#include "phc/systime.h"

#define WHERE_MAX	(CONF_PATH_MAX + 32)

int ops_check_leapfile(const struct gnomon_config *c, char *err, size_t errlen)
{
	struct leaptable *t;
	char where[WHERE_MAX], msg[CONF_PATH_MAX + 256];
	int64_t now_s = systime_realtime_ns() / 1000000000LL;
	int r;

	if (!c->leapfile[0] || !strcmp(c->leapfile, "none"))
		return 0;
	t = leaptable_create();
	if (!t)
		return -ENOMEM;
	config_where(c, NULL, "leapfile", where, sizeof(where));
	r = leaptable_load_file(t, c->leapfile, msg, sizeof(msg));
	if (r < 0)
		snprintf(err, errlen, "%s: leapfile: %s", where, msg);
	else if (leaptable_expiry_state(t, now_s) == LEAP_EXPIRED) {
		leaptable_status(t, now_s, msg, sizeof(msg));
		snprintf(err, errlen, "%s: leapfile: %s has expired (%s): update tzdata", where,
			 c->leapfile, msg);
		r = -ESTALE;
	}
	leaptable_destroy(t);
	return r;
}

/* One warning line appended to buf ("" on entry). */
static void add(char *buf, size_t len, size_t *pos, const char *fmt, const char *a,
		const char *b)
{
	int n;

	if (*pos >= len)
		return;
	n = snprintf(buf + *pos, len - *pos, fmt, a, b);
	if (n > 0)
		*pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

int ops_config_warnings(const struct gnomon_config *c, const char *path, char *buf, size_t len)
{
	char where[WHERE_MAX];
	struct stat st;
	size_t pos = 0;
	int n = 0;

	buf[0] = '\0';
	if (path && stat(path, &st) == 0 && (st.st_mode & S_IWOTH)) {
		add(buf, len, &pos, "%s: writable by every user: anyone can change what gnomond "
		    "does to the clocks at the next reload (chmod o-w %s)\n", path, path);
		n++;
	}
	if (!strcmp(c->user, "nobody")) {
		add(buf, len, &pos, "%s: user = %s is shared with other daemons, which can then "
		    "signal and trace gnomond: create a system user for it (useradd --system "
		    "gnomon)\n", config_where(c, NULL, "user", where, sizeof(where)), c->user);
		n++;
	}
	return n;
}
