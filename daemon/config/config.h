/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file config.h
 * daemon/config/ owns the configuration: key table, parser, typed values, FILE:LINE errors.
 * It may call daemon/leap/ (policy names), daemon/metrics/ (listen-address syntax), daemon/ntpserve/ (its address syntax).
 *
 * gnomon's configuration: an INI file with a [global] section and one
 * section per disciplined clock. Every key lives in one table (name, type,
 * default, min, max, scope, unit, help); one generic parser fills typed
 * structs once at start-up. Errors are "FILE:LINE: message".
 */
#ifndef GNOMON_CONFIG_H
#define GNOMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/leap/leap.h"
#include "servo/servo.h"

#define CONF_MAX_CLOCKS	32
#define CONF_NAME_MAX	128
/** gnomon's version, for --version and the gnomon_build_info metric. */
#ifndef GNOMON_VERSION
#define GNOMON_VERSION "0.1.0"
#endif

#define CONF_PATH_MAX	512

enum timescale { TS_DEFAULT = 0, TS_UTC, TS_TAI };

enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG };

/** The smear key: a published preset (smear.h) or custom. */
enum conf_smear { SMEAR_GOOGLE, SMEAR_AWS, SMEAR_META, SMEAR_PTPD, SMEAR_CUSTOM };

/** One disciplined clock: the section [NAME]. */
/** Whose word on TAI - UTC and leaps wins for a clock fed by ptp4l. */
enum leap_authority {
	LEAP_AUTH_AUTO = 0,	/**< ptp if valid, PTP timescale and traceable; else the file */
	LEAP_AUTH_FILE,
	LEAP_AUTH_PTP,
	LEAP_AUTH_BOTH,		/**< both must agree */
};

#define CONF_NTP_MAX	8	/**< NTP servers per clock */
#define CONF_NTP_ADDR_MAX 64

/** One `server ADDR [iburst] [minpoll N] [maxpoll N]` line (source = ntp). */
struct conf_ntp_server {
	char addr[CONF_NTP_ADDR_MAX];	/**< address or name, port 123 */
	bool iburst;			/**< 4 requests 2 s apart at start and after unreachability */
	int minpoll, maxpoll;		/**< log2 s, -4..17; defaults 6 and 10 as ntpd/chrony */
	int line;			/**< where it was written */
};

struct clock_conf {
	char name[CONF_NAME_MAX];	/**< section name = clock to discipline */
	char source[CONF_NAME_MAX];	/**< reference: "phc:/dev/ptp0", "phc:eth0", "bond:bond0"
					     (the bond's active member's PHC), or a clock name */
	int line;			/**< line of the section header */
	enum servo_type servo;
	double max_slew_ppm;		/**< slew cap, ppm, as written */
	double max_slew_ppb;		/**< the same in ppb, what everything else uses (set at load) */
	double step_threshold_s;	/**< 0 = never step after the first update */
	double first_step_threshold_s;	/**< 0 = never step at start */
	double update_rate_hz;		/**< samples per second */
	int samples;			/**< readings per comparison (min-delay filter) */
	enum timescale timescale;	/**< of this clock; default UTC for CLOCK_REALTIME, TAI for PHCs */
	enum timescale source_timescale;/**< of the source; default TAI for a PHC, UTC for CLOCK_REALTIME */
	double pi_kp, pi_ki;		/**< 0 = servo defaults */
	/* leap seconds (a UTC clock following a TAI source) */
	enum leap_policy leap_policy;
	double leap_pause_s;		/**< accept/step: servo held this long either side */
	int smear;			/**< enum conf_smear: a preset, or custom */
	double smear_window_s;		/**< custom (or override): window length */
	double smear_start_s;		/**< custom (or override): start relative to the leap */
	int smear_shape;		/**< enum smear_shape */
	/* operator state */
	double lock_threshold_s;	/**< LOCKED while |offset| stays under this */
	double holdover_timeout_s;	/**< HOLDOVER this long after the source fails, then FREERUN */
	double reference_max_error_s;	/**< the source's own error, added to the kernel's bounds */
	double slow_read_threshold_s;	/**< a source read longer than this is logged and counted */
	double phc_jump_guard_s;	/**< a PHC this far off once running is stepped back; 0 = never */
	double reference_jump_guard_s;	/**< a reference PHC this far from its prediction is refused; 0 = never */
	double reference_jump_accept_s;	/**< ... unless the jump persists this long (and is accepted) */
	bool reference_jump_accept_alone;	/**< accept it with no second reference to agree */
	/* recovery reporting */
	double recovery_threshold_s;	/**< default 1 us CLOCK_REALTIME, 100 ns PHC */
	double recovery_hold_s;
	/* source = ptp4l */
	int ptp4l_domain;		/**< ptp4l's domainNumber */
	int leap_authority;		/**< enum leap_authority */
	/* source = ntp */
	struct conf_ntp_server ntp[CONF_NTP_MAX];
	int n_ntp;
	/** Line numbers of each key as set in the file (0 = default), indexed
	 *  by the key's position in the table; see config_where(). */
	int key_line[64];
};

struct gnomon_config {
	char file[CONF_PATH_MAX];	/**< the file read, for messages */
	/* [global] */
	int log_level;			/**< syslog priority: LOG_ERR .. LOG_DEBUG */
	enum log_target log_target;
	bool tai_offset_auto;		/**< take TAI - UTC from the leap file */
	int tai_offset_s;		/**< TAI - UTC when not auto */
	char leapfile[CONF_PATH_MAX];
	char state_dir[CONF_PATH_MAX];	/**< recovery history and audit trail live here */
	int history_max_bytes;		/**< rotate recovery.jsonl past this; 0 never */
	int audit_max_bytes;		/**< rotate audit.log past this; 0 never */
	int state_keep;			/**< rotated files kept */
	char control_socket[CONF_PATH_MAX];	/**< read-write control socket; "" = none */
	char control_socket_ro[CONF_PATH_MAX];	/**< read-only socket; "" = none */
	char control_group[64];		/**< group owning the rw socket; "" = the daemon's */
	/* operations (daemon/lifecycle/ops.c, daemon/metrics/metrics_fill.c) */
	char user[64];			/**< drop to this user after start-up; "" = stay */
	char group[64];			/**< with this group; "" = the user's primary group */
	bool allow_root;		/**< may keep running as root with every capability */
	char pidfile[CONF_PATH_MAX];	/**< pid/lock file; "" = none */
	char metrics_listen[128];	/**< HTTP address for /metrics; "" = off */
	bool metrics_allow_remote;	/**< metrics_listen may be a non-loopback address */
	char metrics_textfile[CONF_PATH_MAX];	/**< node_exporter textfile; "" = off */
	double metrics_interval_s;	/**< textfile rewrite period, s */
	/* the NTP server (daemon/ntpserve/) */
	char ntp_serve[256];		/**< listen addresses; "" = no server */
	char ntp_allow[384];		/**< networks answered; "" = none */
	bool ntp_serve_unsynced;	/**< answer as synchronized while not LOCKED */
	double ntp_serve_ratelimit_s;	/**< a client's average request interval; 0 = no limit */
	int ntp_serve_burst;		/**< requests a client may send at once */
	/* clock health (daemon/health/) */
	double cpu_check_interval_s;	/**< cross-CPU and clocksource checks; 0 = at start only */
	double cpu_check_tolerance_s;	/**< largest disagreement between CPUs */
	double timer_check_tolerance_s;	/**< a wait may end this late (a tenth near a leap) */
	double timer_spin_limit;	/**< loop wake-ups per second that are a spin */
	int global_line;		/**< line of the [global] header, 0 if none */
	int global_key_line[64];
	/* clocks */
	int n_clocks;
	struct clock_conf clocks[CONF_MAX_CLOCKS];
};

/**
 * Read and check a config file. On error returns a negative errno and
 * writes "FILE:LINE: message" (one line, no newline) into err.
 * Unknown sections/keys, bad values, out-of-range values, duplicate keys or
 * sections, and a CLOCK_REALTIME cap above 100000 ppm are all errors.
 */
int config_load(const char *path, struct gnomon_config *conf, char *err, size_t errlen);

/** Same, from a string (tests, fuzzing); name is used in messages. */
int config_load_string(const char *text, const char *name,
		       struct gnomon_config *conf, char *err, size_t errlen);

/** Defaults only (no clocks). */
void config_defaults(struct gnomon_config *conf);

/** Default values of a clock section named name (timescale by kind). */
void config_clock_defaults(struct clock_conf *cc, const char *name);

/** Write the effective configuration, every key, defaults included, as a
 *  valid config file that config_load() reads back to the same values. */
void config_print(const struct gnomon_config *conf, FILE *out);

/** "FILE:LINE" of where a key of a clock (cc, or NULL for [global]) was
 *  set, or of its section when it was left at its default. */
const char *config_where(const struct gnomon_config *conf, const struct clock_conf *cc,
			 const char *key, char *buf, size_t len);

/**
 * The smear a clock section asks for: its preset, with smear_window,
 * smear_start and smear_shape overriding the preset where they are set in
 * the file (custom: those three keys, SI seconds). Returns 0 or -EINVAL.
 */
int config_smear_params(const struct clock_conf *cc, struct smear_params *out);

/** Print the key reference (name, scope, type, default, range, unit, help). */
void config_print_reference(FILE *out);

/** ptp4l's default uds_address. */
#define CONF_PTP4L_UDS_DEFAULT	"/var/run/ptp4l"
/** source = ptp4l or ptp4l:PATH. */
bool conf_is_ptp4l_source(const char *source);
/** source = ntp: the clock's `server` lines are its references. */
bool conf_is_ntp_source(const char *source);
/** Parse the words after `server`: 0, or -EINVAL with msg. */
int conf_ntp_server_parse(const char *val, struct conf_ntp_server *out, char *msg, size_t len);
/** Print a clock's server lines as config_load() reads them. */
void conf_ntp_print(const struct clock_conf *cc, FILE *out);
/** The socket path of a ptp4l source (the default when not given). */
const char *conf_ptp4l_path(const char *source);

#endif
