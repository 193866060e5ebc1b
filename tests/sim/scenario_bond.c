// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario bonds: "bond NAME MEMBER..." (active-backup over declared
 * interfaces), the ptp4l_* keys of the reference that follows the bond, and
 * the bond events: failover, carrier, release, enslave, phc_reset,
 * netlink_overrun.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/sim/scenario.h"
#include "tests/sim/scenario_int.h"

static const char *const ptp4l_keys[] = {
	"ptp4l_fault_s", "ptp4l_step", "ptp4l_slew", "ptp4l_tau", "ptp4l_noise", NULL,
};

bool sc_is_bond_line(const char *kw)
{
	int i;

	if (!strcmp(kw, "bond"))
		return true;
	for (i = 0; ptp4l_keys[i]; i++)
		if (!strcmp(kw, ptp4l_keys[i]))
			return true;
	return false;
}

void sc_bond_defaults(struct scenario *sc)
{
	sc->ptp4l.fault_ns = 16 * NS_PER_S;	/* ptp4l's fault_reset_interval 4 (2^4 s) */
	sc->ptp4l.step_ns = 20000;		/* ptp4l's first_step_threshold */
	sc->ptp4l.slew_ppb = 100000;
	sc->ptp4l.tau_s = 2.0;
	sc->ptp4l.noise_ns = 0;
}

int scenario_bond(const struct scenario *sc, const char *name)
{
	int i = scenario_iface(sc, name);

	return i < 0 ? -1 : scenario_bond_of(sc, i);
}

int scenario_bond_of(const struct scenario *sc, int iface)
{
	int b;

	for (b = 0; b < sc->nbonds; b++)
		if (sc->bonds[b].iface == iface)
			return b;
	return -1;
}

static int ptp4l_key(struct parser *p, int ntok, char **tok)
{
	struct sc_ptp4l *r = &p->sc->ptp4l;
	const char *key = tok[0];
	double v;

	if (ntok != 2)
		return fail(p, "%s: expected one value", key);
	if (!strcmp(key, "ptp4l_slew")) {
		if (get_freq(p, key, tok[1], 1e3, &v))
			return -EINVAL;
		if (v <= 0 || v > 1e8)
			return fail(p, "%s: must be within 0..10%% (exclusive of 0)", key);
		r->slew_ppb = v;
		return 0;
	}
	if (get_time(p, key, tok[1], !strcmp(key, "ptp4l_fault_s") || !strcmp(key, "ptp4l_tau") ?
		     1e9 : 1.0, &v))
		return -EINVAL;
	if (v < 0)
		return fail(p, "%s: must be >= 0", key);
	if (!strcmp(key, "ptp4l_fault_s"))
		r->fault_ns = (int64_t)v;
	else if (!strcmp(key, "ptp4l_step"))
		r->step_ns = (int64_t)v;
	else if (!strcmp(key, "ptp4l_tau")) {
		if (v < 1e8)
			return fail(p, "%s: at least 0.1 s", key);
		r->tau_s = v * 1e-9;
	} else {
		r->noise_ns = v;
	}
	return 0;
}

static int member_of(const struct sc_bond *b, int iface)
{
	int m;

	for (m = 0; m < b->nmembers; m++)
		if (b->member[m] == iface)
			return m;
	return -1;
}

static int bond_of_member(const struct scenario *sc, int iface)
{
	int b;

	for (b = 0; b < sc->nbonds; b++)
		if (member_of(&sc->bonds[b], iface) >= 0)
			return b;
	return -1;
}

int sc_bond_line(struct parser *p, int ntok, char **tok)
{
	struct scenario *sc = p->sc;
	struct sc_bond *b;
	int i, f;

	if (strcmp(tok[0], "bond"))
		return ptp4l_key(p, ntok, tok);
	if (ntok < 3 || ntok - 2 > SC_MAX_MEMBERS)
		return fail(p, "bond: expected 'bond NAME MEMBER...' (1 to %d members)",
			    SC_MAX_MEMBERS);
	if (sc->nbonds >= SC_MAX_BONDS)
		return fail(p, "bond: more than %d", SC_MAX_BONDS);
	if (strlen(tok[1]) >= sizeof(sc->ifaces[0].name))
		return fail(p, "bond: name too long");
	if (scenario_iface(sc, tok[1]) >= 0)
		return fail(p, "bond: %s is already an interface", tok[1]);
	if (sc->nifaces >= SC_MAX_IFACES)
		return fail(p, "bond: more than %d interfaces", SC_MAX_IFACES);
	b = &sc->bonds[sc->nbonds];
	memset(b, 0, sizeof(*b));
	b->line = p->line;
	for (i = 2; i < ntok; i++) {
		if ((f = scenario_iface(sc, tok[i])) < 0)
			return fail(p, "bond: member %s is not a declared interface", tok[i]);
		if (scenario_bond_of(sc, f) >= 0)
			return fail(p, "bond: member %s is a bond", tok[i]);
		if (bond_of_member(sc, f) >= 0 || member_of(b, f) >= 0)
			return fail(p, "bond: %s is already a member of a bond", tok[i]);
		b->member[b->nmembers++] = f;
	}
	b->iface = sc->nifaces;
	snprintf(sc->ifaces[sc->nifaces].name, sizeof(sc->ifaces[0].name), "%s", tok[1]);
	sc->ifaces[sc->nifaces++].phc_index = -1;
	sc->nbonds++;
	return 0;
}

bool sc_is_bond_event(const char *kind)
{
	static const char *const kinds[] = {
		"failover", "carrier", "release", "enslave", "phc_reset", "netlink_overrun", NULL,
	};
	int i;

	for (i = 0; kinds[i]; i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

static int event_iface(struct parser *p, const char *name, bool bond)
{
	int f = scenario_iface(p->sc, name);

	if (f < 0 || (scenario_bond_of(p->sc, f) >= 0) != bond)
		return fail(p, "at: '%s' is not a declared %s", name, bond ? "bond" : "interface");
	return f;
}

/* failover BOND MEMBER, release BOND MEMBER, enslave BOND IFACE */
static int bond_member_event(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	int f;

	if (ntok != 3)
		return fail(p, "at: expected '%s BOND INTERFACE'", tok[0]);
	if ((f = event_iface(p, tok[1], true)) < 0)
		return -EINVAL;
	e->bond = scenario_bond_of(p->sc, f);
	if ((e->iface = event_iface(p, tok[2], false)) < 0)
		return -EINVAL;
	e->kind = !strcmp(tok[0], "failover") ? SC_EV_FAILOVER :
		  !strcmp(tok[0], "release") ? SC_EV_RELEASE : SC_EV_ENSLAVE;
	return 0;
}

int sc_bond_event(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	if (!strcmp(tok[0], "carrier")) {
		if (ntok != 3 || (strcmp(tok[2], "up") && strcmp(tok[2], "down")))
			return fail(p, "at: expected 'carrier INTERFACE up|down'");
		if ((e->iface = event_iface(p, tok[1], false)) < 0)
			return -EINVAL;
		e->kind = SC_EV_CARRIER;
		e->value = tok[2][0] == 'u';
		return 0;
	}
	if (!strcmp(tok[0], "phc_reset")) {
		if (ntok != 2 || (e->clock = scenario_clock(p->sc, tok[1])) <= 0)
			return fail(p, "at: expected 'phc_reset ptpN' (a declared PHC)");
		e->kind = SC_EV_PHC_RESET;
		return 0;
	}
	if (!strcmp(tok[0], "netlink_overrun")) {
		if (ntok != 1)
			return fail(p, "at: netlink_overrun takes no value");
		e->kind = SC_EV_NL_OVERRUN;
		return 0;
	}
	return bond_member_event(p, e, ntok, tok);
}

/* Run after parsing: a bond member's PHC is not a "reference" (the bond's
 * reference disciplines it), and events name members of their bond. */
int sc_bond_check(struct parser *p)
{
	const struct scenario *sc = p->sc;
	int b, m, k, c;

	for (b = 0; b < sc->nbonds; b++) {
		p->line = sc->bonds[b].line;
		for (m = 0; m < sc->bonds[b].nmembers; m++) {
			c = scenario_phc(sc, sc->ifaces[sc->bonds[b].member[m]].phc_index);
			if (c > 0 && sc->clocks[c].reference)
				return fail(p, "bond: %s's PHC is a 'reference': the bond's reference "
					    "disciplines it", sc->ifaces[sc->bonds[b].member[m]].name);
		}
	}
	for (k = 0; k < sc->nevents; k++) {
		const struct sc_event *e = &sc->events[k];

		p->line = e->line;
		if ((e->kind == SC_EV_FAILOVER || e->kind == SC_EV_RELEASE) &&
		    bond_of_member(sc, e->iface) != e->bond &&
		    !(e->kind == SC_EV_FAILOVER && bond_of_member(sc, e->iface) < 0))
			return fail(p, "at: %s is a member of another bond", sc->ifaces[e->iface].name);
		if (e->kind == SC_EV_ENSLAVE && bond_of_member(sc, e->iface) >= 0 &&
		    bond_of_member(sc, e->iface) != e->bond)
			return fail(p, "at: %s is a member of another bond", sc->ifaces[e->iface].name);
	}
	return 0;
}
