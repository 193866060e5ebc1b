/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file netpath.h
 * One direction of a path between the simulated host and a scenario host:
 * the fate of each packet (lost, or its one-way delay) drawn from the
 * scenario's base delay, jitter, loss and reordering plus the timed
 * changes (route changes, outages). Pure: the draws come from the
 * caller's seeded stream, so it is unit-tested directly.
 */
#ifndef GNOMON_SIM_NETPATH_H
#define GNOMON_SIM_NETPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/sim/netscn.h"
#include "tests/sim/prng.h"

struct netpath {
	const struct sc_path_dir *sc;	/**< the scenario's parameters */
	double route_ns;		/**< added by route events so far */
	bool outage;			/**< every packet dropped */
	struct prng rng;
};

enum netpath_fate { NETPATH_OK, NETPATH_LOST, NETPATH_OUTAGE };

void netpath_init(struct netpath *p, const struct sc_path_dir *sc, uint64_t seed,
		  uint64_t stream);
/** Draw one packet: its fate, and for NETPATH_OK its delay (ns, >= 0). */
enum netpath_fate netpath_draw(struct netpath *p, int64_t *delay_ns);

#endif
