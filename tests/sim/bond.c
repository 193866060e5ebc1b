// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bonds as the kernel's active-backup mode keeps them (drivers/net/bonding):
 * members in order, one active; a member that loses its carrier or leaves
 * hands over to the next member with a carrier. Every change is logged as
 * the RTM_NEWLINK the kernel would multicast (a failover with
 * IFLA_EVENT_BONDING_FAILOVER on the bond), for the netlink sockets.
 *
 * The reference behind a bond plays ptp4l on the active member's port: once
 * a second it measures the PHC against true TAI (with its noise) and dials
 * the frequency that cancels the PHC's natural error and slews the offset
 * out with time constant tau, at most slew; a servo that starts beyond its
 * step threshold steps first. After a failover the port is faulted for
 * ptp4l_fault_s and nothing disciplines any PHC: the old active one runs
 * free from its last state; then the servo starts afresh on the new active
 * member's PHC.
 */
#include <math.h>
#include <string.h>

#include "tests/sim/world.h"
#include "util/util.h"

static void log_change(struct world *w, int iface, bool failover)
{
	struct link_change *c = &w->link_log[w->link_seq % SIM_LINK_LOG];

	c->iface = iface;
	c->failover = failover;
	w->link_seq++;
}

int bond_master(const struct world *w, int iface)
{
	int b, m;

	for (b = 0; b < w->sc.nbonds; b++)
		for (m = 0; m < w->bond[b].nmembers; m++)
			if (w->bond[b].member[m] == iface)
				return b;
	return -1;
}

int bond_iface_phc(const struct world *w, int iface)
{
	int b = scenario_bond_of(&w->sc, iface);

	if (b >= 0)
		iface = w->bond[b].active;
	return iface < 0 ? -1 : w->sc.ifaces[iface].phc_index;
}

static int iface_clock(const struct world *w, int iface)
{
	int n = iface < 0 ? -1 : w->sc.ifaces[iface].phc_index;

	return n < 0 ? -1 : scenario_phc(&w->sc, n);
}

static void ref_start(struct world *w, struct simbond *b)
{
	b->ref_resume = INT64_MAX;
	b->ref_clock = iface_clock(w, b->active);
	b->ref_fresh = true;
	b->ref_next = w->t;
}

/* One servo update of the reference on PHC c. */
static void ref_tick(struct world *w, struct simbond *b)
{
	const struct sc_ptp4l *r = &w->sc.ptp4l;
	int c = b->ref_clock;
	double off = phc_offset(w, c), corr;

	if (r->noise_ns > 0)
		off += r->noise_ns * prng_gauss(&w->refnoise);
	if (b->ref_fresh && r->step_ns > 0 && fabs(off) > (double)r->step_ns) {
		phc_jump(w, c, -llround(off));
		off = 0;
	}
	b->ref_fresh = false;
	corr = -off / r->tau_s * 1e-9;
	if (fabs(corr) > r->slew_ppb * 1e-9)
		corr = copysign(r->slew_ppb * 1e-9, corr);
	phc_dial(w, c, phc_dialed_for_rate(w, c, corr));
}

void bond_init(struct world *w)
{
	int b, i;

	for (i = 0; i < w->sc.nifaces; i++)
		w->carrier[i] = true;
	for (b = 0; b < w->sc.nbonds; b++) {
		struct simbond *sb = &w->bond[b];

		memset(sb, 0, sizeof(*sb));
		sb->nmembers = w->sc.bonds[b].nmembers;
		memcpy(sb->member, w->sc.bonds[b].member, sizeof(int) * (size_t)sb->nmembers);
		sb->active = sb->member[0];
		ref_start(w, sb);
	}
}

int64_t bond_next_change(const struct world *w)
{
	int64_t n = INT64_MAX;
	int b;

	for (b = 0; b < w->sc.nbonds; b++) {
		const struct simbond *sb = &w->bond[b];

		if (sb->ref_resume < n)
			n = sb->ref_resume;
		if (sb->ref_clock > 0 && sb->ref_next < n)
			n = sb->ref_next;
	}
	return n;
}

void bond_process(struct world *w)
{
	int b;

	for (b = 0; b < w->sc.nbonds; b++) {
		struct simbond *sb = &w->bond[b];

		if (w->t >= sb->ref_resume)
			ref_start(w, sb);
		if (sb->ref_clock > 0 && w->t >= sb->ref_next) {
			ref_tick(w, sb);
			sb->ref_next += NS_PER_S;
		}
	}
}

/* The bond's active member becomes iface (-1: none): the kernel's
 * bond_change_active_slave() and its NETDEV_BONDING_FAILOVER. */
static void set_active(struct world *w, int b, int iface)
{
	struct simbond *sb = &w->bond[b];
	int old = sb->active;

	if (iface == old)
		return;
	sb->active = iface;
	sb->ref_clock = -1;
	sb->ref_resume = INT64_MAX;
	if (iface >= 0) {
		sb->failovers++;
		sb->ref_resume = w->t + w->sc.ptp4l.fault_ns;
	}
	if (old >= 0)
		log_change(w, old, false);
	if (iface >= 0)
		log_change(w, iface, false);
	log_change(w, w->sc.bonds[b].iface, iface >= 0);
	if (sb->ref_resume <= w->t)
		ref_start(w, sb);
}

/* The first member with a carrier, -1 if none. */
static int next_up(const struct world *w, int b)
{
	const struct simbond *sb = &w->bond[b];
	int m;

	for (m = 0; m < sb->nmembers; m++)
		if (w->carrier[sb->member[m]])
			return sb->member[m];
	return -1;
}

static void remove_member(struct world *w, int b, int iface)
{
	struct simbond *sb = &w->bond[b];
	int m, k = 0;

	for (m = 0; m < sb->nmembers; m++)
		if (sb->member[m] != iface)
			sb->member[k++] = sb->member[m];
	sb->nmembers = k;
	w->released[iface] = true;
	log_change(w, iface, false);
	if (sb->active == iface) {
		sb->active = -1;	/* no failover back onto it */
		set_active(w, b, next_up(w, b));
		if (sb->active < 0)
			log_change(w, w->sc.bonds[b].iface, false);
	}
}

static void carrier(struct world *w, int iface, bool up)
{
	int b = bond_master(w, iface);

	if (w->carrier[iface] == up)
		return;
	w->carrier[iface] = up;
	log_change(w, iface, false);
	if (b < 0)
		return;
	if (!up && w->bond[b].active == iface)
		set_active(w, b, next_up(w, b));
	else if (up && w->bond[b].active < 0)
		set_active(w, b, iface);
}

void bond_apply_event(struct world *w, const struct sc_event *e)
{
	struct simbond *sb = e->bond >= 0 ? &w->bond[e->bond] : NULL;

	switch (e->kind) {
	case SC_EV_FAILOVER:
		if (bond_master(w, e->iface) == e->bond && w->carrier[e->iface])
			set_active(w, e->bond, e->iface);
		break;
	case SC_EV_CARRIER:
		carrier(w, e->iface, e->value > 0);
		break;
	case SC_EV_RELEASE:
		if (bond_master(w, e->iface) == e->bond)
			remove_member(w, e->bond, e->iface);
		break;
	case SC_EV_ENSLAVE:
		if (bond_master(w, e->iface) >= 0 || sb->nmembers >= SC_MAX_IFACES)
			break;
		sb->member[sb->nmembers++] = e->iface;
		w->released[e->iface] = false;
		log_change(w, e->iface, false);
		if (sb->active < 0 && w->carrier[e->iface])
			set_active(w, e->bond, e->iface);
		break;
	case SC_EV_PHC_RESET:
		phc_reset(w, e->clock);
		for (int b = 0; b < w->sc.nbonds; b++)
			if (w->bond[b].ref_clock == e->clock)
				w->bond[b].ref_fresh = true;
		break;
	case SC_EV_NL_OVERRUN:
		w->nl_overruns++;
		break;
	default:
		break;
	}
}
