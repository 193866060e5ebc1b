// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIGHUP: reopen the log and reload the configuration (reload.h,
 * doc/operations.md). An invalid file changes nothing; a valid one is
 * applied where that is safe while the clocks run, and every other change
 * is reported as needing a restart, key by key, with its FILE:LINE.
 *
 * The comparison works on config_print()'s text of both configurations,
 * so every key of the table is compared, defaults included, without a
 * list to keep in step with the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/lifecycle/ops.h"
#include "daemon/lifecycle/reload.h"
#include "util/util.h"

/* Keys applied at run time (everything else needs a restart). */
static const char *const runtime_global[] = {
	"log_level", "log_target", "metrics_listen", "metrics_allow_remote",
	"metrics_textfile", "metrics_interval", NULL,
};
static const char *const runtime_clock[] = { "max_slew_ppm", NULL };

static bool in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (!strcmp(*list, key))
			return true;
	return false;
}

/* One key of config_print()'s text. */
struct entry {
	char section[CONF_NAME_MAX];
	char key[40];
	char value[RELOAD_VALUE_MAX];
};

struct entries {
	struct entry *e;
	int n;
	size_t cap;
};

static int push(struct entries *es, const char *section, const char *key, const char *value)
{
	struct entry *e;

	if (util_grow((void **)&es->e, &es->cap, (size_t)es->n + 1, sizeof(*es->e)))
		return -ENOMEM;
	e = &es->e[es->n++];
	snprintf(e->section, sizeof(e->section), "%s", section);
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->value, sizeof(e->value), "%s", value);
	return 0;
}

/* "key = value[  # default]" or "# key =" (an empty value). */
static int parse_line(struct entries *es, const char *section, char *line)
{
	char *eq = strstr(line, " = "), *cmt;

	if (line[0] == '#') {
		size_t n = strlen(line);

		if (n > 4 && line[1] == ' ' && !strcmp(line + n - 2, " =")) {
			line[n - 2] = '\0';
			if (!strchr(line + 2, ' '))
				return push(es, section, line + 2, "");
		}
		return 0;	/* a comment */
	}
	if (!eq)
		return 0;
	*eq = '\0';
	cmt = strstr(eq + 3, "  # default");
	if (cmt && !cmt[11])
		*cmt = '\0';
	return push(es, section, line, eq + 3);
}

static int collect(const struct gnomon_config *c, struct entries *es)
{
	char *buf = NULL, *line, *save = NULL, section[CONF_NAME_MAX] = "";
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r = 0;

	if (!f)
		return -ENOMEM;
	config_print(c, f);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	for (line = strtok_r(buf, "\n", &save); line && !r; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (line[0] == '[' && n > 2 && line[n - 1] == ']') {
			snprintf(section, sizeof(section), "%.*s", (int)(n - 2), line + 1);
			r = push(es, section, "", "");	/* the section itself */
		} else if (section[0]) {
			r = parse_line(es, section, line);
		}
	}
	free(buf);
	return r;
}

static const struct entry *find(const struct entries *es, const char *section, const char *key)
{
	for (int i = 0; i < es->n; i++)
		if (!strcmp(es->e[i].section, section) && !strcmp(es->e[i].key, key))
			return &es->e[i];
	return NULL;
}

static const struct clock_conf *clock_of(const struct gnomon_config *c, const char *name)
{
	for (int i = 0; i < c->n_clocks; i++)
		if (!strcmp(c->clocks[i].name, name))
			return &c->clocks[i];
	return NULL;
}

static void record(struct reload_change *out, int max, int n, const struct gnomon_config *b,
		   const char *section, const char *key, const char *ov, const char *nv)
{
	struct reload_change *ch;
	bool global = !strcmp(section, "global");

	if (n >= max || !out)
		return;
	ch = &out[n];
	snprintf(ch->section, sizeof(ch->section), "%s", section);
	snprintf(ch->key, sizeof(ch->key), "%s", key);
	snprintf(ch->old_value, sizeof(ch->old_value), "%s", ov);
	snprintf(ch->new_value, sizeof(ch->new_value), "%s", nv);
	ch->runtime = key[0] && in_list(global ? runtime_global : runtime_clock, key);
	if (global || clock_of(b, section))
		config_where(b, global ? NULL : clock_of(b, section), key[0] ? key : "source",
			     ch->where, sizeof(ch->where));
	else
		snprintf(ch->where, sizeof(ch->where), "%s", b->file);
}

int reload_diff(const struct gnomon_config *a, const struct gnomon_config *b,
		struct reload_change *out, int max)
{
	struct entries ea = { 0 }, eb = { 0 };
	int n = 0, r;

	r = collect(a, &ea);
	if (!r)
		r = collect(b, &eb);
	for (int i = 0; !r && i < eb.n; i++) {
		const struct entry *e = &eb.e[i], *o = find(&ea, e->section, e->key);
		bool sec_new = !find(&ea, e->section, "");

		if (sec_new && e->key[0])
			continue;	/* reported once, as the section */
		if (!o || strcmp(o->value, e->value))
			record(out, max, n++, b, e->section, e->key, o ? o->value : "", e->value);
	}
	for (int i = 0; !r && i < ea.n; i++) {
		const struct entry *e = &ea.e[i];

		if (!e->key[0] && !find(&eb, e->section, ""))
			record(out, max, n++, b, e->section, "", "present", "");
	}
	free(ea.e);
	free(eb.e);
	return r < 0 ? r : n;
}

/* ---- applying ---------------------------------------------------------- */

static void apply_log(const struct reload_env *env, const struct gnomon_config *nc)
{
	int level = env->log_level_cli >= 0 ? env->log_level_cli : nc->log_level;

	env->conf->log_level = nc->log_level;
	env->conf->log_target = nc->log_target;
	log_setup("gnomond", level, !env->foreground && nc->log_target == LOG_TO_SYSLOG);
}

static void apply_metrics(const struct reload_env *env, const struct gnomon_config *nc)
{
	struct gnomon_config *c = env->conf;
	int r;

	memcpy(c->metrics_listen, nc->metrics_listen, sizeof(c->metrics_listen));
	memcpy(c->metrics_textfile, nc->metrics_textfile, sizeof(c->metrics_textfile));
	c->metrics_allow_remote = nc->metrics_allow_remote;
	c->metrics_interval_s = nc->metrics_interval_s;
	r = env->restart_metrics(env->arg);
	if (r < 0)
		pr_err("reload: metrics not (fully) restarted: %s", strerror(-r));
}

static void apply_cap(const struct reload_env *env, const struct reload_change *ch,
		      const struct gnomon_config *nc)
{
	const struct clock_conf *ncc = clock_of(nc, ch->section);
	char err[CONF_PATH_MAX + 128];

	for (int i = 0; i < env->discs.n && ncc; i++) {
		struct discipline *d = env->discs.d[i];

		if (!d || strcmp(env->conf->clocks[i].name, ch->section))
			continue;
		if (discipline_set_cap(d, ncc->max_slew_ppb, err, sizeof(err)) < 0) {
			pr_err("reload: %s: %s; keeping %s ppm", ch->where, err, ch->old_value);
			return;
		}
		env->conf->clocks[i].max_slew_ppm = ncc->max_slew_ppm;
		env->conf->clocks[i].max_slew_ppb = ncc->max_slew_ppb;
		pr_notice("reload: %s: slew cap now %s ppm (was %s)", ch->section,
			  ch->new_value, ch->old_value);
		return;
	}
}

static void apply(const struct reload_env *env, const struct gnomon_config *nc,
		  const struct reload_change *ch, int n)
{
	bool metrics = false, restart = false;

	apply_log(env, nc);
	for (int i = 0; i < n; i++) {
		const struct reload_change *c = &ch[i];

		if (!c->key[0]) {
			pr_warn("reload: %s: clock [%s] %s: needs a restart (gnomond keeps "
				"disciplining the clocks it started with)", c->where, c->section,
				c->old_value[0] ? "removed" : "added");
			restart = true;
		} else if (!c->runtime) {
			pr_warn("reload: %s: %s changed from '%s' to '%s': needs a restart "
				"(the running value stays)", c->where, c->key, c->old_value,
				c->new_value);
			restart = true;
		} else if (!strcmp(c->key, "max_slew_ppm")) {
			apply_cap(env, c, nc);
		} else if (!strncmp(c->key, "metrics_", 8)) {
			metrics = true;
		} else {
			pr_notice("reload: %s changed from '%s' to '%s'", c->key, c->old_value,
				  c->new_value);
		}
	}
	if (metrics)
		apply_metrics(env, nc);
	pr_notice("configuration reloaded from %s: %d change%s%s", nc->file, n,
		  n == 1 ? "" : "s", restart ? ", some need a restart (see above)" : "");
}

int reload_run(const struct reload_env *env, char *error, size_t errlen)
{
	struct gnomon_config *conf = env->conf;
	struct gnomon_config *nc = malloc(sizeof(*nc));
	struct reload_change *ch = NULL;
	char err[CONF_PATH_MAX + 256];
	int r, n = 0;

	ops_notify_reloading(env->notify);
	/* reopen the log (syslog: a new connection to /dev/log) */
	log_setup("gnomond", log_get_level(),
		  !env->foreground && conf->log_target == LOG_TO_SYSLOG);
	pr_notice("SIGHUP: reloading %s", conf->file);
	if (!nc) {
		snprintf(err, sizeof(err), "out of memory");
		r = -ENOMEM;
		goto fail;
	}
	r = config_load(conf->file, nc, err, sizeof(err));
	if (r >= 0)
		r = ops_check_config(nc, err, sizeof(err));
	if (r >= 0) {
		n = reload_diff(conf, nc, NULL, 0);
		ch = n > 0 ? calloc((size_t)n, sizeof(*ch)) : NULL;
		r = n < 0 || (n > 0 && !ch) ? -ENOMEM : 0;
		if (!r && n > 0)
			r = reload_diff(conf, nc, ch, n);
		if (r < 0)
			snprintf(err, sizeof(err), "out of memory");
	}
	if (r < 0)
		goto fail;
	error[0] = '\0';
	apply(env, nc, ch, n);
	ops_notify_reloaded(env->notify, NULL);
	free(ch);
	free(nc);
	return 0;
fail:
	pr_err("reload failed, keeping the running configuration: %s", err);
	snprintf(error, errlen, "%s", err);
	ops_notify_reloaded(env->notify, err);
	free(ch);
	free(nc);
	return r;
}
