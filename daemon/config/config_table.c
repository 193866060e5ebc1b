/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration key table: every key gnomon reads, with its scope,
 * type, default, range, unit and help (the value checks it names are in
 * config_check.c). The parser, the printer, the key
 * reference and the defaults (config_print.c) are all driven from here; conf/gnomon.conf.5
 * documents the same keys (a unit test checks that it names every one).
 *
 * To add a key: add its field to struct gnomon_config or struct
 * clock_conf, one entry below, and its entry in conf/gnomon.conf.5.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "daemon/config/config_priv.h"
#include "util/util.h"

#define G(f)	offsetof(struct gnomon_config, f)
#define C(f)	offsetof(struct clock_conf, f)



static const struct conf_enum log_levels[] = {
	{ "err", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO }, { "debug", LOG_DEBUG }, { NULL, 0 },
};

static const struct conf_enum log_targets[] = {
	{ "stderr", LOG_TO_STDERR }, { "syslog", LOG_TO_SYSLOG }, { NULL, 0 },
};

static const struct conf_enum servos[] = {
	{ "pi", SERVO_PI }, { "kalman", SERVO_KALMAN },
	{ "linreg", SERVO_KALMAN },	/* its first name: an alias */
	{ NULL, 0 },
};

static const struct conf_enum timescales[] = {
	{ "utc", TS_UTC }, { "tai", TS_TAI }, { NULL, 0 },
};

static const struct conf_enum leap_policies[] = {
	{ "accept", LEAP_POLICY_ACCEPT }, { "ignore", LEAP_POLICY_IGNORE },
	{ "step", LEAP_POLICY_STEP }, { "smear", LEAP_POLICY_SMEAR }, { NULL, 0 },
};

static const struct conf_enum leap_authorities[] = {
	{ "auto", LEAP_AUTH_AUTO }, { "file", LEAP_AUTH_FILE }, { "ptp", LEAP_AUTH_PTP },
	{ "both-must-agree", LEAP_AUTH_BOTH }, { NULL, 0 },
};

static const struct conf_enum smears[] = {
	{ "google", SMEAR_GOOGLE }, { "aws", SMEAR_AWS }, { "meta", SMEAR_META },
	{ "ptpd", SMEAR_PTPD }, { "custom", SMEAR_CUSTOM }, { NULL, 0 },
};

static const struct conf_enum smear_shapes[] = {
	{ "linear", SMEAR_LINEAR }, { "cosine", SMEAR_COSINE }, { NULL, 0 },
};

const struct conf_key conf_keys[] = {
	/* [global] */
	{ .name = "log_level", .scope = SCOPE_GLOBAL, .type = CT_ENUM, .def = "info",
	  .unit = "", .offset = G(log_level), .enums = log_levels,
	  .help = "Lowest priority of the messages logged. "
		  "The -l option of gnomond overrides it." },
	{ .name = "log_target", .scope = SCOPE_GLOBAL, .type = CT_ENUM, .def = "stderr",
	  .unit = "", .offset = G(log_target), .enums = log_targets,
	  .help = "Where messages go: stderr, or syslog(3) with facility daemon. "
		  "In the foreground (gnomond -d) they always go to stderr." },
	{ .name = "tai_offset", .scope = SCOPE_GLOBAL, .type = CT_AUTO_INT, .def = "auto",
	  .min = 0, .max = 200, .unit = "s",
	  .offset = G(tai_offset_s), .aux_offset = G(tai_offset_auto),
	  .help = "TAI - UTC, used to turn the TAI time of a PHC into the UTC time of "
		  "CLOCK_REALTIME and back. auto takes it from leapfile (37 s since 2017)." },
	{ .name = "leapfile", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def = "/usr/share/zoneinfo/leap-seconds.list", .unit = "",
	  .what = "an absolute path", .offset = G(leapfile), .size = sizeof(((struct gnomon_config *)0)->leapfile),
	  .check = conf_check_abs_path,
	  .help = "The IERS/IETF leap-seconds.list (Debian package tzdata): TAI - UTC and "
		  "announced leap seconds. Its #h hash and #@ expiry are checked; a bad or "
		  "expired file is reported, never silently trusted. Absolute path." },
	{ .name = "state_dir", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def = "/var/lib/gnomon", .unit = "",
	  .what = "an absolute path", .offset = G(state_dir), .size = sizeof(((struct gnomon_config *)0)->state_dir),
	  .check = conf_check_abs_path,
	  .help = "Directory for the recovery history (recovery.jsonl) and the audit "
		  "trail (audit.log). It must exist and be writable." },
	{ .name = "history_max_bytes", .scope = SCOPE_GLOBAL, .type = CT_INT, .def = "16777216",
	  .min = 0, .max = 1073741824, .unit = "bytes", .offset = G(history_max_bytes),
	  .help = "Rotate recovery.jsonl before a line would take it past this size "
		  "(recovery.jsonl.1 ... .state_keep); 0: never. Also reopened on SIGHUP "
		  "and SIGUSR1, for logrotate." },
	{ .name = "audit_max_bytes", .scope = SCOPE_GLOBAL, .type = CT_INT, .def = "16777216",
	  .min = 0, .max = 1073741824, .unit = "bytes", .offset = G(audit_max_bytes),
	  .help = "Rotate audit.log before a line would take it past this size "
		  "(audit.log.1 ... .state_keep); 0: never." },
	{ .name = "state_keep", .scope = SCOPE_GLOBAL, .type = CT_INT, .def = "4",
	  .min = 1, .max = 100, .unit = "", .offset = G(state_keep),
	  .help = "Rotated recovery.jsonl and audit.log files kept (.1 is the newest)." },
	{ .name = "control_socket", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def = "/run/gnomon/gnomond.sock", .unit = "",
	  .what = "an absolute path, or none", .offset = G(control_socket),
	  .size = sizeof(((struct gnomon_config *)0)->control_socket),
	  .check = conf_check_path_or_none,
	  .help = "Unix socket for gnomonctl (mode 0660); none: no read-write socket." },
	{ .name = "control_socket_ro", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def = "/run/gnomon/gnomond.ro.sock", .unit = "",
	  .what = "an absolute path, or none", .offset = G(control_socket_ro),
	  .size = sizeof(((struct gnomon_config *)0)->control_socket_ro),
	  .check = conf_check_path_or_none,
	  .help = "Read-only socket (mode 0666) for monitoring users: queries only, "
		  "like ptp4l's ptp4lro; none: no read-only socket." },
	{ .name = "control_group", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def_doc = "none (the daemon's own group)", .unit = "", .what = "a group name", .offset = G(control_group),
	  .size = sizeof(((struct gnomon_config *)0)->control_group),
	  .help = "Group that owns the read-write control socket; empty keeps the "
		  "daemon's own group." },
	{ .name = "user", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def_doc = "none (stay the user gnomond was started as)", .unit = "",
	  .what = "a user name or uid", .offset = G(user),
	  .size = sizeof(((struct gnomon_config *)0)->user), .check = conf_check_account,
	  .help = "After opening its clocks, sockets and files, gnomond becomes this "
		  "user, keeping only CAP_SYS_TIME (doc/operations.md). Not set: stay the "
		  "user it was started as, still dropping every other capability." },
	{ .name = "group", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def_doc = "none (the user's primary group)", .unit = "",
	  .what = "a group name or gid", .offset = G(group),
	  .size = sizeof(((struct gnomon_config *)0)->group), .check = conf_check_account,
	  .help = "Group to drop to with user; not set: the user's primary group. "
		  "Supplementary groups are reduced to this one." },
	{ .name = "allow_root", .scope = SCOPE_GLOBAL, .type = CT_BOOL, .def = "no",
	  .unit = "", .offset = G(allow_root),
	  .help = "gnomond refuses to run as root holding every capability unless user "
		  "is set or this is yes. Even then it keeps only CAP_SYS_TIME." },
	{ .name = "pidfile", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def = "/run/gnomon/gnomond.pid", .unit = "",
	  .what = "an absolute path, or none", .offset = G(pidfile),
	  .size = sizeof(((struct gnomon_config *)0)->pidfile),
	  .check = conf_check_path_or_none,
	  .help = "Pid file, locked while gnomond runs: a second gnomond with the same "
		  "file refuses to start, naming the pid of the first. none: no pid file." },
	{ .name = "metrics_listen", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def_doc = "none (no HTTP listener)", .unit = "",
	  .what = "ADDR:PORT, [IPV6]:PORT or ADDR",
	  .offset = G(metrics_listen),
	  .size = sizeof(((struct gnomon_config *)0)->metrics_listen),
	  .check = conf_check_metrics_addr,
	  .help = "Serve Prometheus metrics (doc/metrics.md) on GET /metrics at this "
		  "numeric address, e.g. 127.0.0.1:9475. Loopback only unless "
		  "metrics_allow_remote. Not set: no listener." },
	{ .name = "metrics_allow_remote", .scope = SCOPE_GLOBAL, .type = CT_BOOL, .def = "no",
	  .unit = "", .offset = G(metrics_allow_remote),
	  .help = "Allow metrics_listen to be an address other than loopback "
		  "(0.0.0.0, an interface address)." },
	{ .name = "metrics_textfile", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def_doc = "none (no textfile)", .unit = "", .what = "an absolute path ending in .prom",
	  .offset = G(metrics_textfile),
	  .size = sizeof(((struct gnomon_config *)0)->metrics_textfile),
	  .check = conf_check_textfile,
	  .help = "Write the metrics to this file, atomically, every metrics_interval, "
		  "for node_exporter's textfile collector. Not set: none." },
	{ .name = "metrics_interval", .scope = SCOPE_GLOBAL, .type = CT_DOUBLE, .def = "10",
	  .min = 1, .max = 3600, .unit = "s", .offset = G(metrics_interval_s),
	  .help = "Period of the metrics_textfile rewrite." },
	{ .name = "ntp_serve", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def_doc = "none (no NTP server)", .unit = "",
	  .what = "ADDR:PORT, [IPV6]:PORT or ADDR, up to 4, blank-separated",
	  .offset = G(ntp_serve), .size = sizeof(((struct gnomon_config *)0)->ntp_serve),
	  .check = conf_check_ntp_serve,
	  .help = "Serve CLOCK_REALTIME over NTP (RFC 5905 server mode; doc/ntp.md, "
		  "\"Server\") on these numeric addresses (port 123 when none is given), "
		  "to the networks of ntp_allow only. Not set: no server." },
	{ .name = "ntp_allow", .scope = SCOPE_GLOBAL, .type = CT_STRING,
	  .def_doc = "none (every request refused)", .unit = "",
	  .what = "NET/LEN or ADDR, up to 32, blank-separated",
	  .offset = G(ntp_allow), .size = sizeof(((struct gnomon_config *)0)->ntp_allow),
	  .check = conf_check_ntp_allow,
	  .help = "Networks whose NTP requests ntp_serve answers, e.g. 192.0.2.0/24 "
		  "2001:db8::/32; every other request gets no answer, and the log says so "
		  "once per network (/24, /64), at most 10 lines a minute." },
	{ .name = "ntp_serve_unsynced", .scope = SCOPE_GLOBAL, .type = CT_BOOL, .def = "no",
	  .unit = "", .offset = G(ntp_serve_unsynced),
	  .help = "no: while CLOCK_REALTIME is not LOCKED (or no section disciplines it) "
		  "the server answers with leap indicator 3 (unsynchronized) and stratum 16, "
		  "which clients refuse. yes: it answers as if synchronized (stratum 10 when "
		  "no reference's is known), as chronyd's `local`." },
	{ .name = "ntp_serve_ratelimit", .scope = SCOPE_GLOBAL, .type = CT_DOUBLE, .def = "1",
	  .min = 0, .max = 3600, .unit = "s", .offset = G(ntp_serve_ratelimit_s),
	  .help = "A client (one address) may send ntp_serve_burst requests at once, then one "
		  "per this interval on average (chronyd's ratelimit, ntpd's discard); over "
		  "it, it gets a Kiss-o'-Death RATE at most once per interval and no answer. "
		  "0: no limit." },
	{ .name = "ntp_serve_burst", .scope = SCOPE_GLOBAL, .type = CT_INT, .def = "16",
	  .min = 1, .max = 1024, .unit = "", .offset = G(ntp_serve_burst),
	  .help = "Requests a client may send at once before ntp_serve_ratelimit applies "
		  "(an iburst is 4)." },
	{ .name = "cpu_check_interval", .scope = SCOPE_GLOBAL, .type = CT_DOUBLE, .def = "600",
	  .min = 0, .max = 86400, .unit = "s", .offset = G(cpu_check_interval_s),
	  .help = "How often gnomond moves itself across every online CPU to check that "
		  "their clocks agree (also at start and after every step or leap), and "
		  "re-reads the kernel's clocksource. 0: at start (and after steps and "
		  "leaps) only." },
	{ .name = "cpu_check_tolerance", .scope = SCOPE_GLOBAL, .type = CT_DOUBLE, .def = "0.0001",
	  .min = 1e-6, .max = 10, .unit = "s", .offset = G(cpu_check_tolerance_s),
	  .help = "Largest disagreement between two CPUs' clocks that is not an alarm "
		  "(beyond what the migration's own latency can explain)." },
	{ .name = "timer_check_tolerance", .scope = SCOPE_GLOBAL, .type = CT_DOUBLE, .def = "0.1",
	  .min = 1e-4, .max = 10, .unit = "s", .offset = G(timer_check_tolerance_s),
	  .help = "How late gnomond's own once-a-second health timer may fire before "
		  "that is an alarm; a tenth of it within five minutes of a leap second "
		  "or after a step, when the timer is checked ten times a second." },
	{ .name = "timer_spin_limit", .scope = SCOPE_GLOBAL, .type = CT_DOUBLE, .def = "1000",
	  .min = 10, .max = 1e7, .unit = "1/s", .offset = G(timer_spin_limit),
	  .help = "Loop wake-ups per second above which waits are ending early and the "
		  "loop spins (as hrtimers did after the 2012 leap second): an alarm." },

	/* one section per disciplined clock */
	{ .name = "source", .scope = SCOPE_CLOCK, .type = CT_STRING, .flags = KEY_REQUIRED,
	  .def_doc = "none, required", .unit = "",
	  .what = "phc:/dev/ptpN, phc:ptpN, phc:IFACE, ptp4l[:PATH], ntp or CLOCK_REALTIME",
	  .offset = C(source), .size = sizeof(((struct clock_conf *)0)->source),
	  .check = conf_check_source,
	  .help = "The reference the clock is disciplined to: phc:/dev/ptpN, phc:ptpN, "
		  "phc:IFACE (the PHC of a network interface), ptp4l or ptp4l:PATH (the PHC "
		  "of the port ptp4l has in SLAVE state, asked on ptp4l's management socket, "
		  "default /var/run/ptp4l; doc/ptp4l.md), ntp (the section's 'server ADDR "
		  "[iburst] [minpoll N] [maxpoll N]' lines; doc/ntp.md) or CLOCK_REALTIME. "
		  "A clock cannot be its own source." },
	{ .name = "ptp4l_domain", .scope = SCOPE_CLOCK, .type = CT_INT, .def = "0",
	  .min = 0, .max = 255, .unit = "", .offset = C(ptp4l_domain),
	  .help = "source = ptp4l: ptp4l's domainNumber (ptp4l ignores management "
		  "messages of another domain, as pmc -d)." },
	{ .name = "leap_authority", .scope = SCOPE_CLOCK, .type = CT_ENUM, .def = "auto",
	  .unit = "", .offset = C(leap_authority), .enums = leap_authorities,
	  .help = "source = ptp4l: whose word on TAI - UTC and leap seconds wins when the "
		  "leap file and the grandmaster disagree: file, ptp, both-must-agree (no leap "
		  "and no conversion unless they agree; the clock is not LOCKED meanwhile) or "
		  "auto (ptp when the grandmaster's currentUtcOffset is valid, on the PTP "
		  "timescale and traceable, else the file). Without a file, or with an expired "
		  "one, the grandmaster's word is used whatever this says (with a warning)." },
	{ .name = "servo", .scope = SCOPE_CLOCK, .type = CT_ENUM, .def = "kalman",
	  .unit = "", .offset = C(servo), .enums = servos,
	  .help = "kalman (also accepted by its first name, linreg) runs a bank of "
		  "Kalman-weighted line fits of the recent offsets and follows the one that "
		  "predicted best: it finds the frequency error in a few samples and does "
		  "not overshoot, which suits the low-noise, steady-rate clock-to-clock "
		  "comparisons gnomon makes (doc/servo.md). pi is the proportional-integral "
		  "servo phc2sys uses by default (see pi_kp, pi_ki)." },
	{ .name = "max_slew_ppm", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "500",
	  .min = 0, .max = 1e6, .flags = KEY_MIN_EXCL, .unit = "ppm",
	  .offset = C(max_slew_ppm), .check = conf_check_sysclk_cap,
	  .help = "Slew rate on top of the estimated natural frequency (chronyd's "
		  "maxslewrate): the largest rate error while a large offset is slewed away "
		  "(1 s takes 10 s at 100000 ppm). The total stays within what the clock "
		  "accepts: CLOCK_REALTIME reaches 100000 ppm (10 %) through tick + frequency; "
		  "a PHC is checked against its driver's max_adj when it is opened." },
	{ .name = "step_threshold", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "0",
	  .min = 0, .max = 1e6, .unit = "s", .offset = C(step_threshold_s),
	  .check = conf_check_threshold,
	  .help = "Step the clock when |offset| exceeds this once it is running; "
		  "0 = never step, slew instead (for a trading host, where time must "
		  "never jump)." },
	{ .name = "first_step_threshold", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "0",
	  .min = 0, .max = 1e6, .unit = "s", .offset = C(first_step_threshold_s),
	  .check = conf_check_threshold,
	  .help = "Step on the first update when |offset| exceeds this; 0 = never. "
		  "phc2sys steps above 0.00002 s; gnomon defaults to never so that a "
		  "restart cannot jump a clock applications are reading." },
	{ .name = "update_rate", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "1",
	  .min = 0.01, .max = 128, .unit = "Hz", .offset = C(update_rate_hz),
	  .help = "Comparisons (and corrections) per second." },
	{ .name = "samples", .scope = SCOPE_CLOCK, .type = CT_INT, .def = "25",
	  .min = 1, .max = 25, .unit = "", .offset = C(samples),
	  .help = "Readings per comparison (25 is the kernel's most per PTP_SYS_OFFSET "
		  "call); those within 50 ns (or 1/8) of the smallest delay are averaged "
		  "(servo/sample_filter.h)." },
	{ .name = "timescale", .scope = SCOPE_CLOCK, .type = CT_ENUM, .flags = KEY_DEF_KIND,
	  .def_doc = "utc for CLOCK_REALTIME, tai otherwise", .unit = "",
	  .offset = C(timescale), .enums = timescales,
	  .help = "Timescale this clock keeps. When it differs from source_timescale, "
		  "the clock is kept tai_offset away from its source (UTC = TAI - tai_offset)." },
	{ .name = "source_timescale", .scope = SCOPE_CLOCK, .type = CT_ENUM,
	  .flags = KEY_DEF_KIND, .def_doc = "tai for a PHC source, utc for CLOCK_REALTIME",
	  .unit = "", .offset = C(source_timescale), .enums = timescales,
	  .help = "Timescale the source keeps (a PHC run by ptp4l carries TAI)." },
	{ .name = "pi_kp", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "0",
	  .min = 0, .max = 10, .unit = "", .offset = C(pi_kp),
	  .help = "Proportional gain of the pi servo; 0 = the servo's default. "
		  "Ignored by kalman." },
	{ .name = "pi_ki", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "0",
	  .min = 0, .max = 10, .unit = "", .offset = C(pi_ki),
	  .help = "Integral gain of the pi servo; 0 = the servo's default. "
		  "Ignored by kalman." },
	{ .name = "leap_policy", .scope = SCOPE_CLOCK, .type = CT_ENUM, .def = "accept",
	  .unit = "", .offset = C(leap_policy), .enums = leap_policies,
	  .help = "How a leap second reaches a UTC clock that follows a TAI source: "
		  "accept (the kernel inserts or deletes it: no offset), ignore (the clock "
		  "keeps counting and the 1 s is slewed away at max_slew_ppm), step (step "
		  "right after the leap, servo held for leap_pause either side) or smear "
		  "(spread over a window, see smear). Clocks that keep TAI are never leapt." },
	{ .name = "leap_pause", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "5",
	  .min = 0, .max = 3600, .unit = "s", .offset = C(leap_pause_s),
	  .help = "accept and step: no servo updates this long before and after the "
		  "leap (PTPd's leap_second_pause_period); the frequency is held." },
	{ .name = "smear", .scope = SCOPE_CLOCK, .type = CT_ENUM, .def = "google",
	  .unit = "", .offset = C(smear), .enums = smears,
	  .help = "smear policy: google (= aws: 24 h linear, noon to noon UTC around the "
		  "leap), meta (62500 s linear from the leap), ptpd (24 h linear ending at "
		  "the leap) or custom (smear_window, smear_start, smear_shape). Those three "
		  "keys also override a preset where set." },
	{ .name = "smear_window", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "86400",
	  .min = 1, .max = 864000, .unit = "s", .offset = C(smear_window_s),
	  .help = "Length of a custom smear window, SI seconds." },
	{ .name = "smear_start", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "-43200",
	  .min = -864000, .max = 864000, .unit = "s", .offset = C(smear_start_s),
	  .help = "Start of a custom smear window relative to the leap (negative: before)." },
	{ .name = "smear_shape", .scope = SCOPE_CLOCK, .type = CT_ENUM, .def = "linear",
	  .unit = "", .offset = C(smear_shape), .enums = smear_shapes,
	  .help = "linear (constant rate) or cosine (rate zero at both ends)." },
	{ .name = "lock_threshold", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "0.000001",
	  .min = 1e-9, .max = 1, .unit = "s", .offset = C(lock_threshold_s),
	  .help = "The clock is LOCKED once |offset| has stayed under this for a few "
		  "updates, and loses the lock above it. Raise it for a noisy source." },
	{ .name = "holdover_timeout", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "3600",
	  .min = 0, .max = 1e7, .unit = "s", .offset = C(holdover_timeout_s),
	  .help = "When a LOCKED clock's source fails, the clock keeps its last frequency "
		  "and is in HOLDOVER for this long, then FREERUN (the frequency is kept "
		  "either way)." },
	{ .name = "reference_max_error", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "0",
	  .min = 0, .max = 16, .unit = "s", .offset = C(reference_max_error_s),
	  .help = "How far the source itself may be from true time, added to the error "
		  "bounds CLOCK_REALTIME's kernel state is given while LOCKED (maxerror, "
		  "esterror). 0: the source is taken as exact, as chronyd takes a PHC "
		  "refclock; ptp4l's own offset from its master is not known to gnomond." },
	{ .name = "slow_read_threshold", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "0.1",
	  .min = 0.001, .max = 60, .unit = "s", .offset = C(slow_read_threshold_s),
	  .help = "A source read (the clock comparison, its ioctls) that takes longer than "
		  "this, on CLOCK_MONOTONIC_RAW, is logged once per stall with its duration "
		  "and counted (gnomon_clock_slow_reads_total)." },
	{ .name = "phc_jump_guard", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "1",
	  .min = 0, .max = 1e10, .unit = "s", .offset = C(phc_jump_guard_s),
	  .help = "A PHC found this far from its source after it was running (a NIC reset "
		  "puts it near 1970) is stepped back at once instead of being slewed for "
		  "hours; logged, audited and tracked as a step. 0: never. Not for "
		  "CLOCK_REALTIME, whose steps step_threshold governs." },
	{ .name = "reference_jump_guard", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "1",
	  .min = 0, .max = 1e10, .unit = "s", .offset = C(reference_jump_guard_s),
	  .help = "A reference PHC that reads this far from where its last readings put it "
		  "(a NIC reset sends it to 1970) is a fault, not a target: the sample is "
		  "refused, the clock goes to HOLDOVER with the reason, audited. 0: never." },
	{ .name = "reference_jump_accept", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "60",
	  .min = 0, .max = 1e9, .unit = "s", .offset = C(reference_jump_accept_s),
	  .help = "A reference jump that lasts this long is accepted as a real change of "
		  "time if reference_jump_accept_alone is yes (no second reference exists "
		  "to agree: gnomond has one reference per clock)." },
	{ .name = "reference_jump_accept_alone", .scope = SCOPE_CLOCK, .type = CT_BOOL,
	  .def = "no", .unit = "", .offset = C(reference_jump_accept_alone),
	  .help = "yes: a reference jump that lasted reference_jump_accept is accepted "
		  "without a second reference agreeing. no: the clock stays in HOLDOVER "
		  "(then FREERUN) until the reference is back where it was." },
	{ .name = "recovery_threshold", .scope = SCOPE_CLOCK, .type = CT_DOUBLE,
	  .flags = KEY_DEF_KIND | KEY_MIN_EXCL, .def_doc = "0.000001 for CLOCK_REALTIME, 0.0000001 for a PHC",
	  .min = 0, .max = 1, .unit = "s", .offset = C(recovery_threshold_s),
	  .help = "A clock has recovered from an event (start, leap, step, source change, "
		  "fault cleared) once |offset| stays under this for recovery_hold." },
	{ .name = "recovery_hold", .scope = SCOPE_CLOCK, .type = CT_DOUBLE, .def = "10",
	  .min = 0, .max = 86400, .unit = "s", .offset = C(recovery_hold_s),
	  .help = "How long |offset| must stay under recovery_threshold to count as recovered." },
};

const size_t conf_n_keys = sizeof(conf_keys) / sizeof(conf_keys[0]);

_Static_assert(sizeof(conf_keys) / sizeof(conf_keys[0]) <=
	       sizeof(((struct clock_conf *)0)->key_line) / sizeof(int),
	       "key_line[] must have a slot for every key");
_Static_assert(sizeof(conf_keys) / sizeof(conf_keys[0]) <=
	       sizeof(((struct gnomon_config *)0)->global_key_line) / sizeof(int),
	       "global_key_line[] must have a slot for every key");

const struct conf_key *conf_key_find(const char *name, enum conf_scope scope)
{
	for (size_t i = 0; i < conf_n_keys; i++)
		if (conf_keys[i].scope == scope && !strcmp(conf_keys[i].name, name))
			return &conf_keys[i];
	return NULL;
}

const struct conf_key *conf_key_find_any(const char *name)
{
	for (size_t i = 0; i < conf_n_keys; i++)
		if (!strcmp(conf_keys[i].name, name))
			return &conf_keys[i];
	return NULL;
}

int conf_key_index(const struct conf_key *k)
{
	return (int)(k - conf_keys);
}

/* Optimal string alignment distance, case-insensitive, capped at 3. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[33][33];

	if (la > 32 || lb > 32)
		return 3;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = a[i - 1] | 0x20, cb = b[j - 1] | 0x20;
			int v = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == (b[j - 2] | 0x20) && (a[i - 2] | 0x20) == cb &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb] < 3 ? d[la][lb] : 3;
}

const char *conf_key_suggest(const char *name, enum conf_scope scope)
{
	const char *best = NULL;
	int best_d = 3;

	for (size_t i = 0; i < conf_n_keys; i++) {
		int dd;

		if (conf_keys[i].scope != scope)
			continue;
		dd = distance(name, conf_keys[i].name);
		if (dd < best_d) {
			best_d = dd;
			best = conf_keys[i].name;
		}
	}
	return best;
}
