/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file pmc_client.h
 * A management client of ptp4l on its Unix socket, on the poll loop:
 * a datagram socket bound to a path of our own (as pmc binds
 * /var/run/pmc.PID), connected to ptp4l's uds_address. It subscribes to
 * port-state, time-sync and parent-data-set notifications (renewed at half
 * their duration), polls PORT_PROPERTIES_NP, PORT_DATA_SET, TIME_STATUS_NP,
 * PARENT_DATA_SET and TIME_PROPERTIES_DATA_SET every poll interval, and
 * keeps the last word of each in a view. Replies are matched by sequence
 * id and our port identity; notifications by our port identity. A
 * malformed datagram is counted, logged (rate-limited) and ignored.
 * ptp4l gone (send/recv refused, or silent for the timeout) closes the
 * socket; it is reopened every poll interval until ptp4l answers again.
 * Never blocks.
 */
#ifndef GNOMON_PMC_CLIENT_H
#define GNOMON_PMC_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/loop.h"
#include "daemon/source/pmc_msg.h"

#define PMC_MAX_PORTS	8

struct pmc_port {
	struct ptp_port_id id;
	uint8_t state;			/**< enum ptp_port_state */
	uint8_t timestamping;		/**< enum ptp_timestamping; 0xff unknown */
	char iface[PMC_IFACE_MAX];	/**< "" until PORT_PROPERTIES_NP said */
};

/** What ptp4l last said. */
struct ptp4l_view {
	bool up;			/**< ptp4l answers */
	int nports;
	struct pmc_port ports[PMC_MAX_PORTS];
	int active;			/**< index of the SLAVE port (else UNCALIBRATED,
					     else the first); -1 if none */
	bool have_status;
	struct pmc_time_status status;	/**< TIME_STATUS_NP */
	int64_t status_mono_ns;		/**< when it arrived (CLOCK_MONOTONIC) */
	uint64_t status_count;		/**< TIME_STATUS_NP received */
	bool have_parent;
	struct pmc_parent_ds parent;
	bool have_tprops;
	struct pmc_time_props tprops;
	uint64_t replies, notifications, malformed, unexpected, reconnects;
	int last_error;			/**< -errno of the last socket failure */
};

/** What changed, for the owner's callback. */
enum pmc_change {
	PMC_CHANGE_UP = 1 << 0,		/**< ptp4l answers again (or for the first time) */
	PMC_CHANGE_DOWN = 1 << 1,	/**< ptp4l gone */
	PMC_CHANGE_PORT = 1 << 2,	/**< a port's state or interface */
	PMC_CHANGE_STATUS = 1 << 3,	/**< TIME_STATUS_NP */
	PMC_CHANGE_PARENT = 1 << 4,
	PMC_CHANGE_TPROPS = 1 << 5,
};

typedef void (*pmc_client_cb)(void *arg, unsigned changes, const struct ptp4l_view *v);

struct pmc_client_params {
	const char *server;		/**< ptp4l's uds_address */
	const char *local;		/**< our socket's path (unlinked first and at the end) */
	const char *name;		/**< for log lines (the clock) */
	uint8_t domain;			/**< ptp4l's domainNumber */
	int64_t poll_ns;		/**< GET interval; also the reconnect interval */
	int64_t timeout_ns;		/**< silence after which ptp4l counts as gone */
	uint16_t subscribe_s;		/**< SUBSCRIBE_EVENTS_NP duration */
};

/** Create and start (the first connection attempt is immediate, on the
 *  loop). Returns NULL with *err set (-EINVAL bad params, -ENAMETOOLONG
 *  a path longer than sun_path, -ENOMEM). */
struct pmc_client *pmc_client_create(struct loop *l, const struct pmc_client_params *p,
				     pmc_client_cb cb, void *arg, int *err);
/** Close the socket, unlink our path; accepts NULL. */
void pmc_client_destroy(struct pmc_client *c);
const struct ptp4l_view *pmc_client_view(const struct pmc_client *c);

/** The port the view picks (SLAVE, else UNCALIBRATED, else the first). */
int pmc_view_pick(const struct ptp4l_view *v);

#endif
