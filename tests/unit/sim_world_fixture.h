/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated world built from scenario text, for the test_sim_* suites. */
#ifndef GNOMON_TEST_SIM_WORLD_FIXTURE_H
#define GNOMON_TEST_SIM_WORLD_FIXTURE_H

#include <check.h>

#include "tests/sim/world.h"

/** Parse text into *sc (it must outlive the world) and build the world;
 *  seed 0 keeps the scenario's. Fails the test on any error. */
static inline struct world *sim_world_make(struct scenario *sc, const char *text,
					   uint64_t seed)
{
	struct world_opts o = { .seed_set = seed != 0, .seed = seed };
	char err[256];
	struct world *w;

	ck_assert_msg(scenario_parse(sc, text, "t", err, sizeof(err)) == 0, "%s", err);
	w = world_create(sc, &o, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	return w;
}

#endif
