// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of links and the bond views drawn from it. Pure: no system
 * call, no log; the bond module feeds it from phc/iflink and acts on the
 * differences.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bond/linktable.h"

struct link_ent {
	struct iflink_rec r;
	bool seen;		/* listed by the dump in progress */
};

struct linktable {
	int n;
	struct link_ent e[LINKTABLE_MAX];
};

struct linktable *linktable_create(void)
{
	return calloc(1, sizeof(struct linktable));
}

void linktable_destroy(struct linktable *t)
{
	free(t);
}

static struct link_ent *find(struct linktable *t, int index)
{
	for (int i = 0; i < t->n; i++)
		if (t->e[i].r.index == index)
			return &t->e[i];
	return NULL;
}

static void drop(struct linktable *t, struct link_ent *e)
{
	*e = t->e[--t->n];
}

int linktable_update(struct linktable *t, const struct iflink_rec *r)
{
	struct link_ent *e = find(t, r->index);

	if (r->deleted) {
		if (e)
			drop(t, e);
		return 0;
	}
	if (!e) {
		if (t->n == LINKTABLE_MAX)
			return -ENOSPC;
		e = &t->e[t->n++];
	}
	e->r = *r;
	e->r.failover = false;	/* an event, not a state */
	e->seen = true;
	return 0;
}

void linktable_dump_begin(struct linktable *t)
{
	for (int i = 0; i < t->n; i++)
		t->e[i].seen = false;
}

void linktable_dump_end(struct linktable *t)
{
	for (int i = 0; i < t->n;) {
		if (!t->e[i].seen)
			drop(t, &t->e[i]);
		else
			i++;
	}
}

static int by_index(const void *a, const void *b)
{
	const struct bond_member *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

void linktable_bond(const struct linktable *t, const char *name, struct bond_view *v)
{
	const struct iflink_rec *bond = NULL;
	int i;

	memset(v, 0, sizeof(*v));
	v->active = -1;
	for (i = 0; i < t->n; i++)
		if (t->e[i].r.is_bond && !strcmp(t->e[i].r.name, name))
			bond = &t->e[i].r;
	if (!bond)
		return;
	v->found = true;
	v->index = bond->index;
	for (i = 0; i < t->n && v->n < BOND_MAX_MEMBERS; i++) {
		const struct iflink_rec *r = &t->e[i].r;

		if (r->master != bond->index)
			continue;
		v->m[v->n].index = r->index;
		memcpy(v->m[v->n].name, r->name, sizeof(r->name));
		v->m[v->n++].up = r->up;
	}
	qsort(v->m, (size_t)v->n, sizeof(v->m[0]), by_index);
	for (i = 0; i < v->n; i++)
		if (v->m[i].index == bond->active_slave)
			v->active = i;
}

const struct bond_member *bond_view_member(const struct bond_view *v, int index)
{
	for (int i = 0; i < v->n; i++)
		if (v->m[i].index == index)
			return &v->m[i];
	return NULL;
}

static int active_index(const struct bond_view *v)
{
	return v->found && v->active >= 0 ? v->m[v->active].index : 0;
}

bool bond_diff(const struct bond_view *a, const struct bond_view *b, struct bond_delta *d)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->appeared = !a->found && b->found;
	d->vanished = a->found && !b->found;
	d->old_active = active_index(a);
	d->new_active = active_index(b);
	d->active_changed = d->old_active != d->new_active;
	for (i = 0; i < b->n; i++) {
		const struct bond_member *o = bond_view_member(a, b->m[i].index);

		if (!o)
			d->joined[d->n_joined++] = b->m[i].index;
		else if (o->up != b->m[i].up)
			d->carrier[d->n_carrier++] = b->m[i].index;
	}
	for (i = 0; i < a->n; i++)
		if (!bond_view_member(b, a->m[i].index))
			d->left[d->n_left++] = a->m[i].index;
	return d->appeared || d->vanished || d->active_changed || d->n_joined || d->n_left ||
	       d->n_carrier;
}
