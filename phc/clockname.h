/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file clockname.h
 * Clock names, the one home of their rules (the configuration checks
 * them here, and clock_open() resolves them here): "CLOCK_REALTIME" / "realtime" /
 * "sys" is the system clock; "/dev/ptpN" or "ptpN" is a PHC (N decimal,
 * no leading zero); any other "CLOCK_..." (any case) is refused; anything
 * else is a network interface whose PHC the kernel names through
 * ETHTOOL_GET_TS_INFO (so "/dev/ptp_kvm" and other paths are refused:
 * an interface name holds no '/').
 * The classification and the path are pure (unit-tested); only
 * clockname_iface_phc() and clockname_resolve() ask the kernel.
 */
#ifndef GNOMON_CLOCKNAME_H
#define GNOMON_CLOCKNAME_H

#include <stdbool.h>
#include <stddef.h>

enum clockname_kind {
	CLOCKNAME_SYSTEM = 1,	/**< CLOCK_REALTIME */
	CLOCKNAME_PHC,		/**< /dev/ptpN, N known */
	CLOCKNAME_IFACE,	/**< a network interface name */
};

/**
 * Classify a clock name without asking the kernel.
 * @param phc_index  set to N for CLOCKNAME_PHC, else -1 (may be NULL)
 * @return a clockname_kind, or -EINVAL (NULL, empty, "/dev/ptpx", "ptp01",
 *         "CLOCK_MONOTONIC" or any other CLOCK_ name but the three
 *         system ones, a '/' or ':' or blank in an interface name, "." or ".."),
 *         -ENAMETOOLONG (an interface name of IFNAMSIZ or more bytes).
 */
int clockname_classify(const char *name, int *phc_index);

/** Does name classify as the system clock ("CLOCK_REALTIME", "realtime", "sys")? */
bool clockname_is_system(const char *name);

/**
 * The one spelling of a clock: "CLOCK_REALTIME" for the system clock,
 * "/dev/ptpN" for a PHC, the interface name as given. Pure.
 * @return the kind, or -errno as clockname_classify(), -ENAMETOOLONG (buf)
 */
int clockname_canonical(const char *name, char *buf, size_t len);

/** Do a and b name the same clock without asking the kernel ("sys" and
 *  "CLOCK_REALTIME", "ptp1" and "/dev/ptp1"; an interface only itself)?
 *  Names that do not classify are the same only when spelt the same. */
bool clockname_same(const char *a, const char *b);

/** Write "/dev/ptp<index>" into buf. @return 0, -EINVAL (index < 0),
 *  -ENAMETOOLONG (buf too small). */
int clockname_phc_path(int index, char *buf, size_t len);

/**
 * The PHC index of a network interface (SIOCETHTOOL ETHTOOL_GET_TS_INFO).
 * @return 0 and *phc_index >= 0, or -ENOENT (no such interface), -ENODEV
 *         (interface without a PHC), -EINVAL (bad name), other -errno.
 */
int clockname_iface_phc(const char *ifname, int *phc_index);

/**
 * Resolve a name to a clock: CLOCKNAME_SYSTEM, or CLOCKNAME_PHC with
 * *phc_index set (interfaces are resolved to their PHC).
 * @return the kind or -errno as clockname_classify / clockname_iface_phc.
 */
int clockname_resolve(const char *name, int *phc_index);

#endif
