/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file source_ntp.h
 * The "ntp" source: the section's NTP servers, polled over UDP on the
 * loop (RFC 5905 client mode), each through its clock filter, selected by
 * the intersection algorithm and combined (doc/ntp.md).
 *
 * measure() gives the combined offset (target - the servers' UTC) once
 * per new combination, -EAGAIN between them (no new sample: no fault),
 * -EINPROGRESS before the first, and -EHOSTUNREACH when no server has
 * answered in its last 8 polls or no majority agrees.
 */
#ifndef GNOMON_SOURCE_NTP_H
#define GNOMON_SOURCE_NTP_H

#include "daemon/loop.h"
#include "daemon/source/source.h"

#define SOURCE_NTP_MAX	16

/** One server as configured. */
struct source_ntp_server {
	const char *addr;	/**< numeric address or name (port 123) */
	bool iburst;		/**< 4 requests 2 s apart at start and after unreachability */
	int minpoll, maxpoll;	/**< log2 s */
};

/** Create the source and start polling; NULL with *err (-errno). The
 *  target clock (not owned) is read for T1/T4 where the kernel gives no
 *  stamp, and its steps shift the filters. name is for the log. */
struct source *source_ntp_create(struct loop *l, struct clock *target, const char *name,
				 const struct source_ntp_server *srv, int n, int *err);

#endif
