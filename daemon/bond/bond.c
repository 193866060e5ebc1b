// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bond set: rtnetlink records into the link table, and after every
 * batch the difference of each followed bond's view, acted on at once:
 * a new active member moves every follower onto its PHC (no step, no servo
 * reset), members joining, leaving or losing their carrier are reported.
 * A lost notification (ENOBUFS) asks for a fresh dump; nothing is polled.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bond/bond.h"
#include "daemon/log.h"
#include "phc/clockname.h"
#include "phc/iflink.h"
#include "phc/systime.h"

struct bond {
	char name[IF_NAMESIZE];
	struct bond_view view;
	struct clock *leader;
	uint64_t failovers;
	struct bond_failover last;
	int nf;
	struct discipline *f[BOND_MAX_FOLLOWERS];
};

struct bondset {
	struct bondset_env env;
	struct iflink *nl;
	struct linktable *links;
	bool redump;		/* a fresh dump is in progress */
	bool registered;
	int n;
	struct bond b[BONDSET_MAX];
};

static void bs_audit(struct bondset *bs, const char *name, const char *action,
		     const struct audit_kv *kv, size_t n)
{
	int r;

	if (!bs->env.audit)
		return;
	r = audit_write(bs->env.audit, systime_realtime_ns(), name, action, kv, n);
	if (r < 0)
		pr_err("%s: audit trail: %s", name, strerror(-r));
}

/* "bond_member member=M change=C" */
static void member_audit(struct bondset *bs, const char *bond, const char *member,
			 const char *change)
{
	const struct audit_kv kv[] = { AKV_STR("member", member), AKV_STR("change", change) };

	bs_audit(bs, bond, "bond_member", kv, 2);
}

static int find_at(const struct bondset *bs, const char *name)
{
	for (int i = 0; i < bs->n; i++)
		if (!strcmp(bs->b[i].name, name))
			return i;
	return -1;
}

static struct bond *find(struct bondset *bs, const char *name)
{
	int i = find_at(bs, name);

	return i < 0 ? NULL : &bs->b[i];
}

static const char *member_name(const struct bond_view *v, int index)
{
	const struct bond_member *m = bond_view_member(v, index);

	return m ? m->name : "none";
}

/* The PHC of a member, through the registry (one clock object per PHC). */
static struct clock *member_clock(struct bondset *bs, const struct bond *b, int index)
{
	const struct bond_member *m = bond_view_member(&b->view, index);
	struct clock *c;
	int r = 0;

	if (!m)
		return NULL;
	c = clockreg_get(bs->env.clocks, m->name, &r);
	if (!c)
		pr_err("%s: member %s: no PHC to follow (%s)", b->name, m->name, strerror(-r));
	return c;
}

static void failover(struct bondset *bs, struct bond *b, const struct bond_view *was,
		     const struct bond_delta *d, int64_t t_read)
{
	struct bond_failover *f = &b->last;
	struct clock *old = b->leader;
	char why[64];

	b->leader = d->new_active ? member_clock(bs, b, d->new_active) : NULL;
	memset(f, 0, sizeof(*f));
	snprintf(f->from, sizeof(f->from), "%s", d->old_active ? member_name(was, d->old_active) : "");
	snprintf(f->to, sizeof(f->to), "%s", d->new_active ? member_name(&b->view, d->new_active) : "");
	snprintf(why, sizeof(why), "failover %s->%s", f->from[0] ? f->from : "none",
		 f->to[0] ? f->to : "none");
	for (int i = 0; i < b->nf; i++)
		discipline_set_reference(b->f[i], b->leader, why);
	b->failovers++;
	f->valid = true;
	f->utc_ns = systime_realtime_ns();
	f->phc_changed = old != b->leader;
	f->switched = f->phc_changed ? b->nf : 0;
	f->switch_ms = (double)(loop_mono_ns() - t_read) / 1e6;
	pr_notice("%s: %s (%s -> %s): %d clock%s switched in %.3f ms%s", b->name, why,
		  old ? clock_name(old) : "none", b->leader ? clock_name(b->leader) : "none",
		  f->switched, f->switched == 1 ? "" : "s", f->switch_ms,
		  f->phc_changed ? "" : ", the same PHC: nothing to move");
	{
		const struct audit_kv kv[] = {
			AKV_STR("from", f->from[0] ? f->from : "none"),
			AKV_STR("to", f->to[0] ? f->to : "none"),
			AKV_STR("phc_from", old ? clock_name(old) : "none"),
			AKV_STR("phc_to", b->leader ? clock_name(b->leader) : "none"),
			AKV_NUM("switch_ms", f->switch_ms, 3),
		};

		bs_audit(bs, b->name, "bond_failover", kv, sizeof(kv) / sizeof(kv[0]));
	}
}

static void report(struct bondset *bs, struct bond *b, const struct bond_view *old,
		   const struct bond_delta *d)
{
	int i;

	if (d->vanished)
		pr_err("%s: the bond is gone: its followers hold their frequency", b->name);
	if (d->appeared)
		pr_notice("%s: the bond is back", b->name);
	for (i = 0; i < d->n_joined; i++) {
		pr_notice("%s: %s joined", b->name, member_name(&b->view, d->joined[i]));
		member_audit(bs, b->name, member_name(&b->view, d->joined[i]), "joined");
	}
	for (i = 0; i < d->n_left; i++) {
		pr_warn("%s: %s left the bond", b->name, member_name(old, d->left[i]));
		member_audit(bs, b->name, member_name(old, d->left[i]), "left");
	}
	for (i = 0; i < d->n_carrier; i++) {
		const struct bond_member *m = bond_view_member(&b->view, d->carrier[i]);

		pr_notice("%s: %s carrier %s", b->name, m->name, m->up ? "up" : "down");
		member_audit(bs, b->name, m->name, m->up ? "carrier_up" : "carrier_down");
	}
}

/* After a batch of records: act on what changed in each bond. */
static void evaluate(struct bondset *bs, int64_t t_read)
{
	for (int i = 0; i < bs->n; i++) {
		struct bond *b = &bs->b[i];
		struct bond_view old = b->view;
		struct bond_delta d;

		linktable_bond(bs->links, b->name, &b->view);
		if (!bond_diff(&old, &b->view, &d))
			continue;
		report(bs, b, &old, &d);
		if (d.active_changed)
			failover(bs, b, &old, &d, t_read);
	}
}

static void on_record(void *arg, const struct iflink_rec *r)
{
	struct bondset *bs = arg;

	if (!r) {		/* a dump ended */
		if (bs->redump)
			linktable_dump_end(bs->links);
		bs->redump = false;
		return;
	}
	if (linktable_update(bs->links, r) < 0)
		pr_warn("bonds: more than %d links: %s not followed", LINKTABLE_MAX, r->name);
}

static void redump(struct bondset *bs)
{
	int r;

	linktable_dump_begin(bs->links);
	bs->redump = true;
	r = iflink_request_dump(bs->nl);
	if (r < 0) {
		bs->redump = false;
		pr_err("bonds: cannot ask rtnetlink for the links again: %s", strerror(-r));
	}
}

static void on_readable(struct loop *l, int fd, short revents, void *arg)
{
	struct bondset *bs = arg;
	int64_t t_read = loop_mono_ns();
	int r;

	(void)l;
	(void)fd;
	(void)revents;
	r = iflink_receive(bs->nl);
	if (r == -ENOBUFS) {
		pr_warn("bonds: rtnetlink notifications were lost (ENOBUFS): reading every link "
			"again");
		redump(bs);
	} else if (r < 0) {
		pr_err("bonds: reading rtnetlink: %s", strerror(-r));
	}
	if (!bs->redump)
		evaluate(bs, t_read);
}

struct bondset *bondset_create(const struct bondset_env *env, int *err)
{
	struct bondset *bs = calloc(1, sizeof(*bs));
	int r;

	if (!bs || !(bs->links = linktable_create())) {
		free(bs);
		*err = -ENOMEM;
		return NULL;
	}
	bs->env = *env;
	bs->nl = iflink_open(on_record, bs, err);
	if (!bs->nl)
		goto fail;
	r = iflink_request_dump(bs->nl);
	if (!r)
		r = iflink_wait_dump(bs->nl, 5000);
	if (r < 0) {
		*err = r;
		goto fail;
	}
	return bs;
fail:
	bondset_destroy(bs);
	return NULL;
}

void bondset_destroy(struct bondset *bs)
{
	if (!bs)
		return;
	if (bs->registered)
		loop_del_fd(bs->env.loop, iflink_fd(bs->nl));
	iflink_close(bs->nl);
	linktable_destroy(bs->links);
	free(bs);
}

int bondset_add(struct bondset *bs, const char *name)
{
	struct bond *b;

	if (find(bs, name))
		return 0;
	if (bs->n == BONDSET_MAX)
		return -ENOSPC;
	b = &bs->b[bs->n];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	linktable_bond(bs->links, name, &b->view);
	if (!b->view.found)
		return -ENODEV;
	if (b->view.active >= 0)
		b->leader = member_clock(bs, b, b->view.m[b->view.active].index);
	bs->n++;
	return 0;
}

const struct bond_view *bondset_view(const struct bondset *bs, const char *name)
{
	int i = find_at(bs, name);

	return i < 0 ? NULL : &bs->b[i].view;
}

struct clock *bondset_leader(struct bondset *bs, const char *name)
{
	struct bond *b = find(bs, name);

	return b ? b->leader : NULL;
}

int bondset_follow(struct bondset *bs, const char *name, struct discipline *d)
{
	struct bond *b = find(bs, name);

	if (!b)
		return -ENODEV;
	if (b->nf == BOND_MAX_FOLLOWERS)
		return -ENOSPC;
	b->f[b->nf++] = d;
	return 0;
}

int bondset_start(struct bondset *bs)
{
	int r = loop_add_fd(bs->env.loop, iflink_fd(bs->nl), POLLIN, on_readable, bs);

	bs->registered = r >= 0;
	return r < 0 ? r : 0;
}

int bondset_count(const struct bondset *bs)
{
	return bs ? bs->n : 0;
}

void bondset_status(const struct bondset *bs, int i, struct bond_status *st)
{
	const struct bond *b = &bs->b[i];

	memset(st, 0, sizeof(*st));
	st->name = b->name;
	st->view = b->view;
	for (int k = 0; k < b->view.n; k++) {
		int idx = -1;

		if (clockname_iface_phc(b->view.m[k].name, &idx) < 0)
			idx = -1;
		st->member_phc[k] = idx;
	}
	st->failovers = b->failovers;
	st->last = b->last;
	st->nfollowers = b->nf;
	memcpy(st->followers, b->f, sizeof(b->f[0]) * (size_t)b->nf);
}

uint64_t bondset_failovers(const struct bondset *bs)
{
	uint64_t n = 0;

	for (int i = 0; bs && i < bs->n; i++)
		n += bs->b[i].failovers;
	return n;
}
