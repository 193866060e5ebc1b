/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file privdrop.h
 * Least privilege: once gnomond has opened its devices, sockets and files,
 * it becomes an ordinary user that keeps only the capabilities it needs
 * (CAP_SYS_TIME to adjust clocks; later CAP_NET_BIND_SERVICE, CAP_NET_RAW
 * for PTP/NTP). Uses libcap. Nothing here logs: errors come back as a
 * negative errno and one line of text for the caller to log.
 */
#ifndef GNOMON_PRIVDROP_H
#define GNOMON_PRIVDROP_H

#include <stddef.h>
#include <sys/capability.h>
#include <sys/types.h>

/**
 * Drop to user:group keeping only the capabilities in keep[0..n-1].
 *
 * In order: check the names and that every kept capability is in the
 * permitted set now; PR_SET_NO_NEW_PRIVS; drop every other capability from
 * the bounding set (PR_CAPBSET_DROP, needs CAP_SETPCAP; capabilities
 * already absent are skipped, so a bounding set narrowed by systemd's
 * CapabilityBoundingSet= needs nothing); if the ids change or we are root:
 * PR_SET_KEEPCAPS, setgroups() to the one group, setresgid(), setresuid()
 * (real, effective, saved), PR_SET_KEEPCAPS off; then cap_set_proc() with
 * permitted = effective = keep, inheritable empty; clear the ambient set;
 * finally verify: the ids, the capability sets read back, and that
 * setuid(0) now fails.
 *
 * When the process already runs as the target user (systemd User= with
 * AmbientCapabilities=) only the capability steps are done. user "root"
 * keeps uid 0 but still loses every capability not in keep.
 *
 * @param user   user name or numeric uid; not NULL
 * @param group  group name or numeric gid; NULL = the user's primary group.
 *               Supplementary groups are reduced to this one group (give
 *               /dev/ptp* to it with a udev rule if PHCs must be opened
 *               after the drop).
 * @param keep   capabilities kept in the permitted and effective sets
 * @param n      entries in keep (0: keep none), <= 64
 * @param err    if not NULL, one line naming the step that failed
 * @return 0, or a negative errno: -ENOENT unknown user or group, -EINVAL
 *         bad capability or arguments, -EPERM not privileged enough for a
 *         step (switching user needs CAP_SETUID/CAP_SETGID, the bounding
 *         set needs CAP_SETPCAP, a kept capability must be permitted now).
 *         After a failure the process may be half-dropped: exit.
 */
int privdrop(const char *user, const char *group, const cap_value_t *keep, int n,
	     char *err, size_t errlen);

/**
 * Before privdrop(): create directory path if missing and give it to
 * user:group with mode, so that gnomond can still create, replace and
 * remove its files there after the drop (the control socket and pid file
 * in /run/gnomon, the history in /var/lib/gnomon). chronyd does the same
 * with its directories. Only the directory itself changes, not its
 * contents. A symbolic link at path is refused, never followed. Needs
 * CAP_CHOWN unless path already belongs to user:group.
 * @param group  NULL = the user's primary group
 * @return 0, or a negative errno (-ENOENT unknown user/group or missing
 *         parent, -ENOTDIR not a directory, -ELOOP a symlink, -EPERM ...)
 */
int privdrop_prepare_dir(const char *path, const char *user, const char *group,
			 mode_t mode, char *err, size_t errlen);

/**
 * Is this process root holding all the capabilities it could hold?
 * True when the effective uid is 0, the effective set contains every
 * capability of the bounding set, and CAP_SYS_ADMIN is among them: plain
 * root, not narrowed by the service manager (CapabilityBoundingSet=), a
 * container runtime or an earlier privdrop(). gnomond refuses to run so
 * unless told to (user = root). A sandbox that withholds a few
 * capabilities from every process (as a container may) does not make this
 * false: what counts is that nothing narrowed the set for gnomond.
 * @return 1 yes, 0 no, or a negative errno if the sets cannot be read
 */
int privdrop_check_root_all_caps(void);

#endif
