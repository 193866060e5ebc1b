// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomond's side of bonds at start-up: the bonds that clocks follow are
 * read from rtnetlink before any discipline starts; every member with a
 * PHC that no section disciplines gets an implicit section with the
 * defaults (source = bond:NAME), members sharing a PHC once; then each
 * discipline with a bond source starts on the active member's PHC and is
 * registered for failovers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/bond/bond_setup.h"
#include "daemon/log.h"
#include "daemon/metrics/metrics_fill.h"

const char *bond_source_name(const char *source)
{
	return strncmp(source, "bond:", 5) ? NULL : source + 5;
}

/* Some clock (configured so far, or implicit) already is c. */
static bool disciplined(struct gnomond *g, struct clock *c)
{
	int r = 0;

	for (int i = 0; i < g->conf.n_clocks; i++)
		if (clockreg_get(g->clocks, g->conf.clocks[i].name, &r) == c)
			return true;
	return false;
}

static void add_member(struct gnomond *g, const char *bond, const struct bond_member *m)
{
	struct clock_conf *cc;
	struct clock *c;
	int r = 0;

	c = clockreg_get(g->clocks, m->name, &r);
	if (!c) {
		pr_warn("%s: member %s has no PHC (%s): not disciplined", bond, m->name,
			strerror(-r));
		return;
	}
	if (disciplined(g, c)) {
		pr_info("%s: member %s: %s is disciplined once already", bond, m->name,
			clock_name(c));
		return;
	}
	if (g->conf.n_clocks == CONF_MAX_CLOCKS) {
		pr_warn("%s: member %s: more than %d clocks: not disciplined", bond, m->name,
			CONF_MAX_CLOCKS);
		return;
	}
	cc = &g->conf.clocks[g->conf.n_clocks++];
	config_clock_defaults(cc, m->name);
	snprintf(cc->source, sizeof(cc->source), "bond:%s", bond);
	cc->source_timescale = TS_TAI;
	pr_info("%s: member %s (%s) follows the active member, with the defaults", bond,
		m->name, clock_name(c));
}

int bond_setup_prepare(struct gnomond *g)
{
	char where[CONF_PATH_MAX + 32];
	const struct bondset_env env = { .loop = g->loop, .clocks = g->clocks, .audit = g->audit };
	int n = g->conf.n_clocks, r = 0;

	for (int i = 0; i < n; i++) {
		const char *b = bond_source_name(g->conf.clocks[i].source);

		if (!b)
			continue;
		if (!g->bonds && !(g->bonds = bondset_create(&env, &r))) {
			pr_err("%s: cannot read the links from rtnetlink: %s",
			       config_where(&g->conf, &g->conf.clocks[i], "source", where,
					    sizeof(where)), strerror(-r));
			return r;
		}
		if ((r = bondset_add(g->bonds, b)) < 0) {
			pr_err("%s: bond %s: %s",
			       config_where(&g->conf, &g->conf.clocks[i], "source", where,
					    sizeof(where)), b,
			       r == -ENODEV ? "no such bond" : strerror(-r));
			return r;
		}
	}
	for (int k = 0; k < bondset_count(g->bonds); k++) {
		struct bond_status st;

		bondset_status(g->bonds, k, &st);
		for (int m = 0; m < st.view.n; m++)
			add_member(g, st.name, &st.view.m[m]);
	}
	return 0;
}

struct clock *bond_setup_reference(struct gnomond *g, const struct clock_conf *cc)
{
	return bondset_leader(g->bonds, bond_source_name(cc->source));
}

int bond_setup_follow(struct gnomond *g, const struct clock_conf *cc, struct discipline *d)
{
	return bondset_follow(g->bonds, bond_source_name(cc->source), d);
}

int bond_setup_metrics(void *arg, struct metrics *m)
{
	const struct bondset *bs = arg;
	int r = 0;

	for (int i = 0; i < bondset_count(bs) && r >= 0; i++) {
		const char *names[BOND_MAX_MEMBERS];
		struct bond_status st;

		bondset_status(bs, i, &st);
		for (int k = 0; k < st.view.n; k++)
			names[k] = st.view.m[k].name;
		r = metrics_fill_bond(m, st.name, st.failovers, names, st.view.n, st.view.active);
	}
	return r;
}

int bond_setup_start(struct gnomond *g)
{
	int r;

	if (!g->bonds)
		return 0;
	r = bondset_start(g->bonds);
	if (r < 0)
		pr_err("bonds: cannot listen to rtnetlink: %s", strerror(-r));
	return r;
}
