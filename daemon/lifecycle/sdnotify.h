/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file sdnotify.h
 * The service manager's notification protocol (sd_notify(3), NOTES), in a
 * few lines and without libsystemd: one datagram per message, newline
 * separated VARIABLE=VALUE assignments, sent to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (an absolute path, or "@name" for the Linux abstract
 * namespace). The manager learns our pid from the socket credentials the
 * kernel attaches (it enables SO_PASSCRED on its side).
 *
 * Without $NOTIFY_SOCKET (not started by systemd with Type=notify) every
 * function here does nothing and returns 0: silently off. Nothing here
 * logs; the caller logs a failure once. The environment is read on every
 * call and never modified; no state is kept between calls.
 */
#ifndef GNOMON_SDNOTIFY_H
#define GNOMON_SDNOTIFY_H

#include <stdint.h>

/** Longest message sdnotify_send() accepts, bytes (a STATUS= line fits). */
#define SDNOTIFY_MSG_MAX	4096

/**
 * Send one message ("READY=1", "STATUS=...\nWATCHDOG=1", ...) as one
 * datagram to $NOTIFY_SOCKET. The socket is created for the call (without
 * SOCK_CLOEXEC in its creation flags; FD_CLOEXEC is set with fcntl) and
 * closed again, so nothing stays open and nothing is polled.
 * @return 1 when sent, 0 when $NOTIFY_SOCKET is unset or empty (nothing
 *         done), or a negative errno: -EINVAL for a relative path or an
 *         empty message, -ENAMETOOLONG for an address that does not fit
 *         sockaddr_un, -EMSGSIZE for a message over SDNOTIFY_MSG_MAX,
 *         -EAFNOSUPPORT for "vsock:" addresses (not supported), or the
 *         error of socket()/sendto() (-ECONNREFUSED, -ENOENT, -EAGAIN ...)
 */
int sdnotify_send(const char *msg);

/** "READY=1": start-up (or a reload) is complete. Same returns. */
int sdnotify_ready(void);

/** "WATCHDOG=1": keep-alive for WatchdogSec=. Same returns. */
int sdnotify_watchdog(void);

/** "STOPPING=1": shutting down. Same returns. */
int sdnotify_stopping(void);

/**
 * "RELOADING=1\nMONOTONIC_USEC=<now>": a configuration reload starts; send
 * READY=1 when it is done. MONOTONIC_USEC is CLOCK_MONOTONIC in µs when the
 * message is made: systemd >= 253 needs it to match the reload to a
 * Type=notify-reload request (older managers ignore it). Same returns.
 */
int sdnotify_reloading(void);

/**
 * "STATUS=<text>": one line for `systemctl status`. Any newline or other
 * control character in text becomes a space (a newline would end the
 * assignment); text longer than fits SDNOTIFY_MSG_MAX is truncated.
 * @return as sdnotify_send(); -EINVAL if text is NULL
 */
int sdnotify_status(const char *text);

/**
 * Is the service manager's watchdog enabled for this process?
 * Reads $WATCHDOG_USEC (the WatchdogSec= value in µs) and, when set,
 * $WATCHDOG_PID, which must equal getpid() (otherwise the variables were
 * inherited and are meant for another process). Send WATCHDOG=1 at least
 * every *usec / 2 µs, as sd_watchdog_enabled(3) recommends.
 * @param usec  set to the interval in µs when enabled (may be NULL)
 * @return 1 when enabled, 0 when not (unset, or WATCHDOG_PID names another
 *         process), -EINVAL when a variable is malformed or
 *         WATCHDOG_USEC is 0
 */
int sdnotify_watchdog_usec(uint64_t *usec);

#endif
