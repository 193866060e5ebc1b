/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file log.h
 * Logging for daemon/: to stderr (with a monotonic timestamp prefix) or
 * syslog, filtered by level (syslog priorities). servo/ and phc/ never log.
 *
 * On stderr, each line starts with the sd-daemon priority prefix "<N>"
 * (sd-daemon(3); N the syslog priority) unless stderr is a terminal, so
 * that the journal, or any collector that reads the prefix, files each
 * line at its level (journalctl -p warning). When stderr is the journal's
 * own stream (JOURNAL_STREAM names its device and inode) the journal adds
 * ident and pid itself, and the line is "<N>[mono.sss] message".
 */
#ifndef GNOMON_LOG_H
#define GNOMON_LOG_H

#include <syslog.h>

/** Configure: level is a syslog priority (LOG_ERR .. LOG_DEBUG);
 *  use_syslog selects syslog(3) over stderr; ident names the program. */
void log_setup(const char *ident, int level, int use_syslog);
/** How lines on stderr look. */
enum log_form {
	LOG_FORM_AUTO,		/**< decided by log_setup() from stderr (log_form_detect) */
	LOG_FORM_PLAIN,		/**< "ident[pid]: [mono.sss] message" (a terminal) */
	LOG_FORM_PRIO,		/**< "<N>ident[pid]: [mono.sss] message" (a pipe, a file) */
	LOG_FORM_JOURNAL,	/**< "<N>[mono.sss] message" (the journal's stream) */
};

/**
 * The form for a stderr that is a terminal or not, given JOURNAL_STREAM
 * ("DEV:INODE", or NULL) and stderr's device and inode: JOURNAL when they
 * match, PLAIN for a terminal, PRIO otherwise (JOURNAL_STREAM set but not
 * ours: a collector still reads the prefix).
 */
enum log_form log_form_detect(int is_tty, const char *journal_stream,
			      unsigned long long dev, unsigned long long ino);
/** Force a form (LOG_FORM_AUTO: detect again at the next log_setup()). */
void log_set_form(enum log_form form);
enum log_form log_get_form(void);
/** Change the level at run time. */
void log_set_level(int level);
int log_get_level(void);
/** Parse "err", "warning", "notice", "info", "debug" (or 3..7); -1 if bad. */
int log_level_parse(const char *s);
const char *log_level_name(int level);

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Before log_setup() (a configuration error at start): "ident: message"
 *  on stderr, with the "<N>" prefix unless stderr is a terminal, so that
 *  the journal files it at its level too. Whatever the level filter. */
void log_early(int prio, const char *ident, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define pr_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
