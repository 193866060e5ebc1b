/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file source.h
 * daemon/source/ owns sources of offset samples (phc, ptp4l) behind one ops table.
 * It may call phc/, servo/ (sample filter), daemon/ (loop, log: the ptp4l client).
 *
 * A source measures the offset of a target clock against a reference.
 * Kinds: "phc" (a local clock read through the clock seam: a PHC, or any
 * clock name) and "ptp4l" (the PHC that ptp4l disciplines, with what ptp4l
 * says about its port, grandmaster and time properties: source_ptp4l.h).
 */
#ifndef GNOMON_SOURCE_H
#define GNOMON_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "phc/clock.h"

struct source_sample {
	int64_t offset_ns;	/**< target - reference, in the reference's timescale */
	int64_t delay_ns;	/**< smallest delay among the readings used */
	int64_t ref_ns;		/**< reference time of the sample */
	int readings;		/**< readings taken */
	int used;		/**< readings the filter kept */
	enum compare_method method;
	bool ref_utc;		/**< the reference keeps UTC this time, whatever
				     source_timescale says (a ptp4l source whose port
				     time-stamps in software: CLOCK_REALTIME) */
};

/** Whether the reference is fit for LOCKED, and how far it is from its
 *  own reference (a grandmaster), for the whole chain's offset. */
struct source_health {
	const char *unfit;	/**< NULL: fit; else why not LOCKED ("port UNCALIBRATED") */
	bool chain_known;	/**< chain_ns is valid */
	int64_t chain_ns;	/**< reference - its master, ns (ptp4l's master offset) */
};

/** What a source knows of the servers behind it (NTP), for the NTP
 *  server's stratum, reference id and root distance (known false: none). */
struct source_upstream {
	bool known;
	uint8_t stratum;	/**< the system peer's */
	uint32_t refid;		/**< its IPv4 address, or the hash of its IPv6 one */
	int64_t root_delay_ns;	/**< its root delay + our round trip to it */
	int64_t root_disp_ns;	/**< its root dispersion + our jitter against it */
};

enum source_event_kind {
	SOURCE_EV_GM_CHANGE,	/**< a new grandmaster */
	SOURCE_EV_REF_STEP,	/**< the reference was stepped (its master offset jumped) */
	SOURCE_EV_PORT_LEFT,	/**< the reference's port left SLAVE */
	SOURCE_EV_REF_CHANGE,	/**< another reference clock (a new port, a failover) */
};

/** News from the source for the recovery tracker and the log. */
struct source_event {
	enum source_event_kind kind;
	int64_t value_ns;	/**< REF_STEP: the jump, ns */
	char text[192];		/**< for the log: what changed, with figures */
};

struct source;

struct source_ops {
	const char *kind;
	/** Measure target against the source: 0 or -errno (-EINPROGRESS: not
	 *  ready yet, before the first sample; not counted as a fault). */
	int (*measure)(struct source *s, struct clock *target, struct source_sample *out);
	void (*destroy)(struct source *s);
	/** Optional: fitness and the chain's offset (absent: fit, chain unknown). */
	void (*health)(struct source *s, struct source_health *h);
	/** Optional: pop the oldest event; false when none. */
	bool (*next_event)(struct source *s, struct source_event *ev);
	/** Optional: the servers behind the source (absent: none known). */
	void (*upstream)(struct source *s, struct source_upstream *u);
};

struct source {
	const struct source_ops *ops;
	char spec[128];			/**< as configured, e.g. "phc:/dev/ptp0" */
	struct clock *ref;		/**< reference clock, if the source is a local clock */
	int samples;			/**< readings per measurement */
	enum compare_method last_method;
	int64_t last_delay_ns;
	int last_error;			/**< -errno of the last measurement, 0 if fine */
	bool follows_bond;		/**< ref is a bond's active member's PHC (daemon/bond/) */
};

/** Measure; records last_method / last_delay_ns / last_error.
 *  -EALREADY: the target is the reference itself (it leads a bond);
 *  -ENOLINK: a bond source whose bond has no active member with a PHC. */
int source_measure(struct source *s, struct clock *target, struct source_sample *out);
void source_destroy(struct source *s);
/** The source's health (a source without the op is fit, chain unknown). */
void source_health(struct source *s, struct source_health *h);
/** Pop the oldest event: true and *ev filled, or false. */
bool source_next_event(struct source *s, struct source_event *ev);

/** What the source knows of the servers behind it (zeroed: nothing). */
void source_upstream(struct source *s, struct source_upstream *u);

/** A source that compares against a local clock (not owned). */
struct source *source_phc_create(const char *spec, struct clock *ref, int samples);

/** The clock a source spec names: spec without its "phc:" prefix (the
 *  one home of the spec syntax; "CLOCK_REALTIME" has no prefix). */
const char *source_clock_name(const char *spec);

#endif
