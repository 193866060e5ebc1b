/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ops.h
 * daemon/lifecycle/ owns privileges, pid file, sd_notify, progress watchdog, reload.
 * It may call daemon/config/, daemon/discipline/ (queries, slew cap), daemon/ (loop, log),
 * daemon/metrics/ (listen-address syntax), daemon/ctl/ (the STATUS= wording),
 * daemon/leap/ (the leap file, for --check-config).
 *
 * This header: the root refusal, the runtime and state directories, the
 * pid/lock file and the privilege drop (ops.c), doc/operations.md.
 * Everything logs once, naming the configuration key at fault; functions
 * return 0 or a negative errno.
 *
 * Start-up order (gnomond.c): configuration, log, ops_check_config(),
 * ops_root_check(), ops_prepare_dirs(), ops_pidfile(), open clocks,
 * sockets and state files, ops_drop_privileges(), ops_notify_start(),
 * the loop. At exit: ops_notify_stopping(), tear down, pidfile_release().
 */
#ifndef GNOMON_OPS_H
#define GNOMON_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config/config.h"
#include "daemon/lifecycle/pidfile.h"

/* ---- ops.c: privileges and the pid file ------------------------------- */

/**
 * Checks of the configuration that the key table cannot make alone, run
 * by --check-config too: user and group exist, a non-loopback
 * metrics_listen needs metrics_allow_remote.
 * @param err  "FILE:LINE: message" on failure
 * @return 0, -ENOENT (no such user or group), -EPERM (remote metrics)
 */
int ops_check_config(const struct gnomon_config *c, char *err, size_t errlen);

/* ---- confcheck.c: what --check-config adds ---------------------------- */

/**
 * Read and verify the leap file as the daemon will (--check-config: a
 * load error fails it, an expired file is a warning; at start-up a bad
 * file is logged and gnomond goes on without it, an expired one is used).
 * @param err  "FILE:LINE: leapfile: PATH[:LINE]: message"
 * @return 0, the load error (-ENOENT missing, -EBADMSG bad format or hash,
 *         -EINVAL not a regular file), or -ESTALE (expired)
 */
int ops_check_leapfile(const struct gnomon_config *c, char *err, size_t errlen);

/**
 * Warnings, one line each (ending in '\n') in buf: the configuration file
 * at path writable by every user, user = nobody (shared with other
 * daemons, which could signal gnomond). Printed by --check-config and
 * logged at start-up. @return the number of warnings
 */
int ops_config_warnings(const struct gnomon_config *c, const char *path, char *buf, size_t len);

/**
 * The root refusal: started as root holding every capability
 * (privdrop_check_root_all_caps()) with neither user nor allow_root set,
 * gnomond refuses to start. Logs why and what to set.
 * @return 0 (go on) or -EPERM
 */
int ops_root_check(const struct gnomon_config *c);

/**
 * Create the directories of the pid file, the control sockets and
 * state_dir when missing (one level, mode 0755) and, when running as root
 * with a user to drop to, hand to that user the directories gnomond must
 * still write in after the drop: state_dir and the directory of the pid
 * file and sockets, but only a directory gnomond created or one named
 * ".../gnomon" (never /tmp or another shared directory).
 * @return 0 or -errno (logged)
 */
int ops_prepare_dirs(const struct gnomon_config *c);

/**
 * Take the pid/lock file (c->pidfile; *out NULL when empty or "none"). A
 * second gnomond gets -EEXIST and the log names the pid holding the lock.
 * Release it with pidfile_release().
 */
int ops_pidfile(const struct gnomon_config *c, struct pidfile **out);

/**
 * Drop privileges after everything is open: to conf.user/conf.group when
 * set, else stay the same user; either way keep only CAP_SYS_TIME in the
 * permitted and effective sets (none when dry_run), inheritable and ambient
 * empty, no_new_privs set. A process that holds no capability at all and
 * has no user to switch to has nothing to drop and is left as it is.
 * @return 0 or -errno (logged; the process may be half-dropped: exit)
 */
int ops_drop_privileges(const struct gnomon_config *c, bool dry_run);

/** The process's capabilities as text ("cap_sys_time=ep", "=" for none). */
void ops_caps_text(char *buf, size_t len);

/** The effective user as "name (uid N)" or "uid N". */
void ops_user_text(char *buf, size_t len);

#endif
