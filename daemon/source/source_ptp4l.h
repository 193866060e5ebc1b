/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file source_ptp4l.h
 * The "ptp4l" source: the clock ptp4l disciplines, found and judged by
 * asking ptp4l on its management socket (pmc_client.h).
 *
 * The reference is the PHC of the port in SLAVE state (else the
 * UNCALIBRATED one, else the first), from PORT_PROPERTIES_NP's interface
 * name through the clock seam's name resolution (IFACE -> /dev/ptpN), and
 * it is looked up again whenever the port or its interface changes (a
 * bond failover, a new port): a SOURCE_EV_REF_CHANGE. A port that uses
 * software time stamping has no PHC: ptp4l then disciplines
 * CLOCK_REALTIME itself, which is the reference (on UTC); a clock cannot
 * follow itself, so that is accepted only for a dry run (monitoring).
 *
 * Fitness (source_health()): ptp4l answering, the port SLAVE, a
 * grandmaster present, a TIME_STATUS_NP not older than 4 s and |master
 * offset| within lock_threshold. The chain's offset is ptp4l's master
 * offset (the PHC - the grandmaster). Events: a new grandmaster identity,
 * a master offset jump of at least step_detect (ptp4l stepped the PHC),
 * the port leaving SLAVE.
 */
#ifndef GNOMON_SOURCE_PTP4L_H
#define GNOMON_SOURCE_PTP4L_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/loop.h"
#include "daemon/source/pmc_client.h"
#include "daemon/source/source.h"

struct source_ptp4l_params {
	const char *spec;		/**< "ptp4l" or "ptp4l:PATH" */
	const char *server;		/**< ptp4l's uds_address */
	const char *local;		/**< our socket's path */
	const char *name;		/**< the clock, for log lines */
	uint8_t domain;
	int samples;			/**< readings per measurement */
	int64_t lock_threshold_ns;	/**< |master offset| above: not fit */
	int64_t step_detect_ns;		/**< a master offset jump this large is a step */
	bool dry_run;			/**< may follow CLOCK_REALTIME from CLOCK_REALTIME */
};

/** Create and start the client; NULL with *err (-errno). */
struct source *source_ptp4l_create(struct loop *l, const struct source_ptp4l_params *p,
				   int *err);
/** ptp4l's view, or NULL when s is not a ptp4l source. */
const struct ptp4l_view *source_ptp4l_view(const struct source *s);
/** The reference clock's name now ("" if none yet). */
const char *source_ptp4l_ref(const struct source *s);

#endif
