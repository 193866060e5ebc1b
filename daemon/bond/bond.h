/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file bond.h
 * daemon/bond/ owns bonded interfaces: the link table and bond views (pure,
 * linktable.h), and the bond set below, which listens to rtnetlink
 * (phc/iflink.h) in the poll loop and moves every discipline following a
 * bond onto the new active member's PHC the moment the kernel reports a
 * failover.
 * It may call phc/ (iflink, clocks), daemon/discipline/, daemon/record/.
 *
 * A clock with source = bond:NAME follows the active member's PHC; every
 * member's PHC is such a clock too (its own section, or an implicit one
 * with the defaults), so each non-active member is disciplined from the
 * active one from the first second, and the active one leads (its
 * discipline measures nothing while it does).
 */
#ifndef GNOMON_BOND_H
#define GNOMON_BOND_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/bond/linktable.h"
#include "daemon/discipline/clockreg.h"
#include "daemon/discipline/discipline.h"
#include "daemon/loop.h"
#include "daemon/record/audit.h"

#define BONDSET_MAX	4
#define BOND_MAX_FOLLOWERS 32

struct bondset;

struct bondset_env {
	struct loop *loop;
	struct clockreg *clocks;
	struct audit *audit;	/**< may be NULL */
};

/** The last failover of a bond, with its figures. */
struct bond_failover {
	bool valid;
	int64_t utc_ns;			/**< when the notification was handled */
	char from[IF_NAMESIZE], to[IF_NAMESIZE];	/**< "" = none */
	bool phc_changed;		/**< false: both members share one PHC */
	double switch_ms;		/**< notification read to every follower switched */
	int switched;			/**< followers moved */
};

/** What gnomonctl bonds and the metrics show of one bond. */
struct bond_status {
	const char *name;
	struct bond_view view;
	int member_phc[BOND_MAX_MEMBERS];	/**< PHC index of view.m[i], -1 none */
	uint64_t failovers;
	struct bond_failover last;
	int nfollowers;
	struct discipline *followers[BOND_MAX_FOLLOWERS];
};

/**
 * Open the rtnetlink socket and read the links (a dump, waited for).
 * NULL and *err = -errno on failure.
 */
struct bondset *bondset_create(const struct bondset_env *env, int *err);
/** Accepts NULL. Does not touch the disciplines. */
void bondset_destroy(struct bondset *bs);
/** Follow the bond called name; -ENODEV (no such bond), -ENOSPC. */
int bondset_add(struct bondset *bs, const char *name);
/** The bond's view now (NULL if not added). */
const struct bond_view *bondset_view(const struct bondset *bs, const char *name);
/** The active member's PHC, NULL if none (no active member, or no PHC). */
struct clock *bondset_leader(struct bondset *bs, const char *name);
/** d follows the bond: moved at every failover. 0, -ENODEV, -ENOSPC. */
int bondset_follow(struct bondset *bs, const char *name, struct discipline *d);
/** Start listening in the loop. */
int bondset_start(struct bondset *bs);
int bondset_count(const struct bondset *bs);
/** Status of bond i (0 .. count-1). */
void bondset_status(const struct bondset *bs, int i, struct bond_status *st);
/** Failovers of every bond so far. */
uint64_t bondset_failovers(const struct bondset *bs);

#endif
