/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file log.h
 * Logging for daemon/: to stderr (with a monotonic timestamp prefix) or
 * syslog, filtered by level (syslog priorities). servo/ and phc/ never log.
 */
#ifndef GNOMON_LOG_H
#define GNOMON_LOG_H

#include <syslog.h>

/** Configure: level is a syslog priority (LOG_ERR .. LOG_DEBUG);
 *  use_syslog selects syslog(3) over stderr; ident names the program. */
void log_setup(const char *ident, int level, int use_syslog);
/** Change the level at run time. */
void log_set_level(int level);
int log_get_level(void);
/** Parse "err", "warning", "notice", "info", "debug" (or 3..7); -1 if bad. */
int log_level_parse(const char *s);
const char *log_level_name(int level);

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
