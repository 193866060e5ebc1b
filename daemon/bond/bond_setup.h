/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file bond_setup.h
 * gnomond's start-up for bonds (bond_setup.c): read the followed bonds,
 * add the implicit member sections, hand each bond source its reference,
 * register its discipline, start listening.
 */
#ifndef GNOMON_BOND_SETUP_H
#define GNOMON_BOND_SETUP_H

#include "daemon/bond/bond.h"
#include "daemon/daemon.h"

/** NAME of "bond:NAME", or NULL. */
const char *bond_source_name(const char *source);
/** Before the clocks are set up. 0 or -errno (logged with FILE:LINE). */
int bond_setup_prepare(struct gnomond *g);
/** The PHC a bond source starts on (NULL: none yet). */
struct clock *bond_setup_reference(struct gnomond *g, const struct clock_conf *cc);
/** Register the discipline of a bond source for failovers. */
int bond_setup_follow(struct gnomond *g, const struct clock_conf *cc, struct discipline *d);
struct metrics;
/** The bonds' metric families (a dmetrics_env fill_more; arg: the bondset). */
int bond_setup_metrics(void *arg, struct metrics *m);
/** After every clock: listen to rtnetlink in the loop. */
int bond_setup_start(struct gnomond *g);

#endif
