/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file linktable.h
 * What the kernel told about links, kept as a table (pure: unit-tested),
 * and what it means for a bond: its members, their carrier, the active one,
 * and what changed between two views. Order independent: a member's record
 * may come before its bond's. A fresh dump is bracketed by
 * linktable_dump_begin()/end(): links it did not list are gone.
 */
#ifndef GNOMON_LINKTABLE_H
#define GNOMON_LINKTABLE_H

#include <stdbool.h>

#include "phc/iflink.h"

#define LINKTABLE_MAX	128
#define BOND_MAX_MEMBERS 8

struct linktable;

struct linktable *linktable_create(void);
void linktable_destroy(struct linktable *t);
/** Add, update or (deleted) remove a link. Returns 0 or -ENOSPC. */
int linktable_update(struct linktable *t, const struct iflink_rec *r);
void linktable_dump_begin(struct linktable *t);
void linktable_dump_end(struct linktable *t);

struct bond_member {
	int index;
	char name[IF_NAMESIZE];
	bool up;
};

/** A bond as it stands. */
struct bond_view {
	bool found;		/**< the bond exists (and is a bond) */
	int index;
	int n;
	struct bond_member m[BOND_MAX_MEMBERS];	/**< by ifindex */
	int active;		/**< position in m[] of the active member, -1: none */
};

/** The view of the bond called name. */
void linktable_bond(const struct linktable *t, const char *name, struct bond_view *v);

/** What changed from a to b (b is now). */
struct bond_delta {
	bool active_changed;
	int old_active, new_active;	/**< ifindex, 0 = none */
	int n_joined, n_left, n_carrier;
	int joined[BOND_MAX_MEMBERS], left[BOND_MAX_MEMBERS];	/**< ifindexes */
	int carrier[BOND_MAX_MEMBERS];	/**< ifindexes whose carrier changed */
	bool appeared, vanished;	/**< the bond itself */
};

/** Compare two views. Returns true if anything changed. */
bool bond_diff(const struct bond_view *a, const struct bond_view *b, struct bond_delta *d);
/** Member of v with this ifindex, or NULL. */
const struct bond_member *bond_view_member(const struct bond_view *v, int index);

#endif
