/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ctl.h
 * daemon/ctl/ owns the control socket, its protocol, command handlers, renderers, gnomonctl.
 * It may call daemon/ (sockserv, loop, log), daemon/discipline/ (queries), daemon/record/,
 * daemon/leap/ (table), daemon/lifecycle/ (notify state), phc/ (UTC now).
 *
 * The control socket server, driven by the event loop: Unix stream
 * sockets speaking the one-line JSON protocol of ctlproto.h and
 * doc/control-protocol.md.
 *
 * Two sockets: a read-write one (mode 0660) and a read-only one (mode 0666,
 * like ptp4l's ptp4lro). Commands registered as changing state are refused
 * on the read-only socket. Every client is bounded: CTL_MAX_REQUEST bytes
 * per request, CTL_MAX_CLIENTS at once per socket (a pool each; on the
 * read-only one half of it per uid; the oldest idle one dropped for a new
 * one), and the idle timeout (default 2 s,
 * on the loop's CLOCK_MONOTONIC) for sending a request or reading a reply.
 * Nothing a client does can block the loop.
 */
#ifndef GNOMON_CTL_H
#define GNOMON_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ctl;
struct loop;
struct json_object;

/** Most clients connected at once; more are told so and closed. */
#define CTL_MAX_CLIENTS		16
/** Most commands that can be registered. */
#define CTL_MAX_COMMANDS	32
/** Default client timeout, ns. */
#define CTL_DEFAULT_TIMEOUT_NS	2000000000LL

/**
 * A command handler. args is the request's "args" object or NULL (borrowed;
 * take a reference to keep it). On success return 0 and set *data to a new
 * JSON object (ownership passes to the server; leaving it NULL sends {}).
 * On failure return -errno and write a one-line message into err (errlen
 * bytes); an empty message is replaced by strerror.
 */
typedef int (*ctl_handler)(void *arg, struct json_object *args,
			   struct json_object **data, char *err, size_t errlen);

/**
 * Create the server and start listening.
 * @param l        loop that drives it (must outlive the server)
 * @param rw_path  read-write socket path (< 108 bytes)
 * @param ro_path  read-only socket path; NULL = rw_path + ".ro";
 *                 "" = no read-only socket
 * @param err      set to -errno on failure (may be NULL)
 * A stale socket file left by a dead daemon is unlinked; a path where a
 * live server accepts connections gives -EADDRINUSE, a path that is not a
 * socket -EEXIST. Failures are logged naming the path.
 * @return the server, or NULL.
 */
struct ctl *ctl_create(struct loop *l, const char *rw_path, const char *ro_path, int *err);

/** Close every client and both sockets, unlink the socket files (if they
 *  are still ours); accepts NULL. Not from inside a ctl_handler. */
void ctl_destroy(struct ctl *c);

/**
 * Register a command. changes_state = true refuses it on the read-only
 * socket. Names: 1..CTL_MAX_COMMAND chars of [a-z0-9_-].
 * @return 0, -EINVAL (bad name or handler), -EEXIST (already registered)
 *         or -ENOSPC (CTL_MAX_COMMANDS reached).
 */
int ctl_register(struct ctl *c, const char *command, bool changes_state,
		 ctl_handler fn, void *arg);

/** Set the client timeout (> 0 ns; default CTL_DEFAULT_TIMEOUT_NS).
 *  Applies to deadlines set from now on. */
void ctl_set_timeout(struct ctl *c, int64_t timeout_ns);

/** Give the read-write socket file to group gid (operators' group).
 *  @return 0 or -errno. */
int ctl_set_group(struct ctl *c, gid_t gid);

/** Clients connected now. */
int ctl_client_count(const struct ctl *c);

#endif
