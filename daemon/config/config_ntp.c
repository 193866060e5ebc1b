/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `server` lines of a clock whose source is ntp, written as chrony
 * and ntpd write them: `server ADDR [iburst] [minpoll N] [maxpoll N]`
 * (also `server = ADDR ...`). Each may appear up to CONF_NTP_MAX times.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config.h"

#define POLL_MIN	-4
#define POLL_MAX	17

bool conf_is_ntp_source(const char *source)
{
	return !strcmp(source, "ntp");
}

static int poll_word(const char *w, const char *name, int *out, char *msg, size_t len)
{
	char *end;
	long v;

	if (!w) {
		snprintf(msg, len, "server: %s needs a value (log2 s, %d..%d)", name,
			 POLL_MIN, POLL_MAX);
		return -EINVAL;
	}
	v = strtol(w, &end, 10);
	if (*end || end == w || v < POLL_MIN || v > POLL_MAX) {
		snprintf(msg, len, "server: %s '%.32s' is not an integer in %d..%d (log2 s)",
			 name, w, POLL_MIN, POLL_MAX);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

static int option(char **save, const char *w, struct conf_ntp_server *o, char *msg, size_t len)
{
	if (!strcmp(w, "iburst")) {
		o->iburst = true;
		return 0;
	}
	if (!strcmp(w, "minpoll"))
		return poll_word(strtok_r(NULL, " \t", save), "minpoll", &o->minpoll, msg, len);
	if (!strcmp(w, "maxpoll"))
		return poll_word(strtok_r(NULL, " \t", save), "maxpoll", &o->maxpoll, msg, len);
	snprintf(msg, len, "server: unknown option '%.32s' (iburst, minpoll N, maxpoll N; "
		 "prefer, noselect and pool are not implemented)", w);
	return -EINVAL;
}

int conf_ntp_server_parse(const char *val, struct conf_ntp_server *out, char *msg, size_t len)
{
	char buf[256], *save = NULL, *w;
	struct conf_ntp_server o = { .minpoll = 6, .maxpoll = 10 };
	int r;

	if (strlen(val) >= sizeof(buf)) {
		snprintf(msg, len, "server: line too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", val);
	w = strtok_r(buf, " \t", &save);
	if (!w) {
		snprintf(msg, len, "server: no address (server ADDR [iburst] [minpoll N] [maxpoll N])");
		return -EINVAL;
	}
	if (strlen(w) >= sizeof(o.addr)) {
		snprintf(msg, len, "server: address longer than %zu bytes", sizeof(o.addr) - 1);
		return -EINVAL;
	}
	snprintf(o.addr, sizeof(o.addr), "%s", w);
	while ((w = strtok_r(NULL, " \t", &save)))
		if ((r = option(&save, w, &o, msg, len)) < 0)
			return r;
	if (o.minpoll > o.maxpoll) {
		snprintf(msg, len, "server: minpoll %d is above maxpoll %d", o.minpoll, o.maxpoll);
		return -EINVAL;
	}
	*out = o;
	return 0;
}

void conf_ntp_print(const struct clock_conf *cc, FILE *out)
{
	for (int i = 0; i < cc->n_ntp; i++)
		fprintf(out, "server %s%s minpoll %d maxpoll %d\n", cc->ntp[i].addr,
			cc->ntp[i].iburst ? " iburst" : "", cc->ntp[i].minpoll, cc->ntp[i].maxpoll);
}
