// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket's "bonds" command: each bond followed, its members
 * (PHC, carrier, which is active, the member PHC's offset to the active
 * one as its follower last measured it) and the last failover with its
 * figures (per clock: the failover recovery event's peak and time back).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/bond/bond.h"
#include "daemon/ctl/status.h"
#include "daemon/daemon.h"
#include "phc/clock.h"

#define jadd(o, k, v) json_object_object_add(o, k, v)

/* The discipline following the bond whose clock is PHC n, or NULL. */
static struct discipline *follower_of(const struct bond_status *st, int phc)
{
	for (int i = 0; i < st->nfollowers; i++) {
		struct clock *c = discipline_clock(st->followers[i]);

		if (phc >= 0 && clock_kind(c) == CLOCK_KIND_PHC && clock_phc_index(c) == phc)
			return st->followers[i];
	}
	return NULL;
}

static struct json_object *member_json(const struct bond_status *st, int k)
{
	const struct bond_member *m = &st->view.m[k];
	struct json_object *o = json_object_new_object();
	struct discipline *d = follower_of(st, st->member_phc[k]);
	struct discipline_status ds;
	char phc[32];

	snprintf(phc, sizeof(phc), "/dev/ptp%d", st->member_phc[k]);
	jadd(o, "name", json_object_new_string(m->name));
	jadd(o, "phc", st->member_phc[k] >= 0 ? json_object_new_string(phc) : NULL);
	jadd(o, "active", json_object_new_boolean(k == st->view.active));
	jadd(o, "carrier", json_object_new_boolean(m->up));
	jadd(o, "clock", d ? json_object_new_string((discipline_get_status(d, &ds), ds.name)) : NULL);
	if (d && !discipline_leading(d) && ds.updates)
		jadd(o, "offset_to_active_ns", json_object_new_int64(ds.offset_ns));
	else
		jadd(o, "offset_to_active_ns", k == st->view.active ? json_object_new_int64(0) : NULL);
	return o;
}

/* One clock's figures of the failover: the last failover event it saw. */
static struct json_object *failover_clock_json(struct discipline *d)
{
	struct recovery_report reps[RECOVERY_HISTORY_DEFAULT];
	struct json_object *o = json_object_new_object();
	struct discipline_status ds;
	size_t n = discipline_recovery_history(d, reps, RECOVERY_HISTORY_DEFAULT);

	discipline_get_status(d, &ds);
	jadd(o, "clock", json_object_new_string(ds.name));
	if (ds.recovery.active && ds.recovery.kind == RECOVERY_FAILOVER) {
		jadd(o, "peak_ns", json_object_new_int64(ds.recovery.peak_ns));
		jadd(o, "recovery_s", NULL);
		return o;
	}
	while (n > 0 && reps[n - 1].kind != RECOVERY_FAILOVER)
		n--;
	if (n == 0) {
		json_object_put(o);
		return NULL;
	}
	jadd(o, "peak_ns", json_object_new_int64(reps[n - 1].peak_ns));
	jadd(o, "recovery_s", reps[n - 1].recovered && isfinite(reps[n - 1].recovery_s) ?
	     json_object_new_double(reps[n - 1].recovery_s) : NULL);
	return o;
}

static struct json_object *failover_json(const struct bond_status *st)
{
	const struct bond_failover *f = &st->last;
	struct json_object *o, *clocks;

	if (!f->valid)
		return NULL;
	o = json_object_new_object();
	clocks = json_object_new_array();
	jadd(o, "utc_s", json_object_new_double((double)f->utc_ns / 1e9));
	jadd(o, "from", f->from[0] ? json_object_new_string(f->from) : NULL);
	jadd(o, "to", f->to[0] ? json_object_new_string(f->to) : NULL);
	jadd(o, "phc_changed", json_object_new_boolean(f->phc_changed));
	jadd(o, "switch_ms", json_object_new_double(f->switch_ms));
	jadd(o, "switched", json_object_new_int(f->switched));
	for (int i = 0; i < st->nfollowers; i++) {
		struct json_object *c = failover_clock_json(st->followers[i]);

		if (c)
			json_object_array_add(clocks, c);
	}
	jadd(o, "clocks", clocks);
	return o;
}

static struct json_object *bond_json(const struct bondset *bs, int i)
{
	struct json_object *o = json_object_new_object(), *ms = json_object_new_array();
	struct bond_status st;

	bondset_status(bs, i, &st);
	jadd(o, "name", json_object_new_string(st.name));
	jadd(o, "present", json_object_new_boolean(st.view.found));
	jadd(o, "active", st.view.active >= 0 ?
	     json_object_new_string(st.view.m[st.view.active].name) : NULL);
	for (int k = 0; k < st.view.n; k++)
		json_object_array_add(ms, member_json(&st, k));
	jadd(o, "members", ms);
	jadd(o, "failovers", json_object_new_int64((int64_t)st.failovers));
	jadd(o, "last_failover", failover_json(&st));
	return o;
}

int cmd_bonds(void *arg, struct json_object *args, struct json_object **data,
	      char *err, size_t errlen)
{
	struct gnomond *g = arg;
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	(void)args; (void)err; (void)errlen;
	for (int i = 0; i < bondset_count(g->bonds); i++)
		json_object_array_add(a, bond_json(g->bonds, i));
	jadd(o, "bonds", a);
	*data = o;
	return 0;
}
