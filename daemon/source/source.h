/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file source.h
 * daemon/source/ owns sources of offset samples (the phc kind today) behind one ops table.
 * It may call phc/, servo/ (sample filter).
 *
 * A source measures the offset of a target clock against a reference.
 * Kinds: "phc" (a local clock read through the clock seam: a PHC, or any
 * clock name). PTP and NTP sources will be further kinds behind the same ops.
 */
#ifndef GNOMON_SOURCE_H
#define GNOMON_SOURCE_H

#include <stdint.h>

#include "phc/clock.h"

struct source_sample {
	int64_t offset_ns;	/**< target - reference, in the reference's timescale */
	int64_t delay_ns;	/**< smallest delay among the readings used */
	int64_t ref_ns;		/**< reference time of the sample */
	int readings;		/**< readings taken */
	int used;		/**< readings the filter kept */
	enum compare_method method;
};

struct source;

struct source_ops {
	const char *kind;
	/** Measure target against the source: 0 or -errno. */
	int (*measure)(struct source *s, struct clock *target, struct source_sample *out);
	void (*destroy)(struct source *s);
};

struct source {
	const struct source_ops *ops;
	char spec[128];			/**< as configured, e.g. "phc:/dev/ptp0" */
	struct clock *ref;		/**< reference clock, if the source is a local clock */
	int samples;			/**< readings per measurement */
	enum compare_method last_method;
	int64_t last_delay_ns;
	int last_error;			/**< -errno of the last measurement, 0 if fine */
};

/** Measure; records last_method / last_delay_ns / last_error. */
int source_measure(struct source *s, struct clock *target, struct source_sample *out);
void source_destroy(struct source *s);

/** A source that compares against a local clock (not owned). */
struct source *source_phc_create(const char *spec, struct clock *ref, int samples);

/** The clock a source spec names: spec without its "phc:" prefix (the
 *  one home of the spec syntax; "CLOCK_REALTIME" has no prefix). */
const char *source_clock_name(const char *spec);

#endif
