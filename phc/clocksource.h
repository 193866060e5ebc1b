/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file clocksource.h
 * The kernel's clocksource (what drives CLOCK_REALTIME and its kin), from
 * /sys/devices/system/clocksource/clocksource0/. The clocksource watchdog
 * may demote an unstable TSC to hpet or acpi_pm at run time, which changes
 * the system clock's natural frequency and its read cost.
 */
#ifndef GNOMON_CLOCKSOURCE_H
#define GNOMON_CLOCKSOURCE_H

#include <stdbool.h>
#include <stddef.h>

#define CLOCKSOURCE_NAME_MAX 32
#define CLOCKSOURCE_LIST_MAX 256

/**
 * Read the current and the available clocksources (names, no newline).
 * @return 0, or -errno (no sysfs: -ENOENT; the file is not a regular
 *         file or larger than the buffer: -EINVAL)
 */
int clocksource_read(char *current, size_t clen, char *available, size_t alen);

/** jiffies, refined-jiffies and acpi_pm keep time poorly (coarse or slow). */
bool clocksource_is_poor(const char *name);

#endif
