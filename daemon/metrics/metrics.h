/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file metrics.h
 * daemon/metrics/ owns Prometheus exposition, textfile writer, HTTP listener, the daemon's metrics.
 * It may call daemon/ (sockserv, loop, log), daemon/discipline/ (queries), daemon/leap/
 * (table), daemon/record/ (recovery types), phc/ (UTC now, the kernel tick).
 *
 * Prometheus text exposition (format version 0.0.4) built in memory, and
 * the atomic writer for node_exporter's textfile collector. The HTTP side
 * is metrics_http.h; the list of gnomon's metrics, their units and labels
 * is doc/metrics.md.
 *
 * Use: per scrape, metrics_reset(), then metrics_family() for each family
 * (or metrics_declare_gnomon() for all of gnomon's), then metrics_sample()
 * in any order, then metrics_text(). Samples of one family come out
 * together under one "# HELP" and one "# TYPE" line, in the order the
 * families were declared, whatever order the samples were added in.
 *
 * The builder is strict, so that a mistake shows up as an error in a unit
 * test rather than as a scrape Prometheus rejects: names must match
 * [a-zA-Z_][a-zA-Z0-9_]* (no colons: those are for recording rules),
 * counters must end in "_total" and gauges must not, label names must not
 * start with "__" (reserved), the same label set twice in one family is
 * refused, and label values and help text must be UTF-8.
 *
 * Values are doubles written so that they read back exactly (shortest
 * "%.*g" that round-trips), NaN as "NaN", infinities as "+Inf" / "-Inf".
 * printf's decimal point follows LC_NUMERIC: gnomond never calls
 * setlocale(), so it is always ".".
 *
 * Nothing here logs; errors are negative errno.
 */
#ifndef GNOMON_METRICS_H
#define GNOMON_METRICS_H

#include <stddef.h>

struct metrics;

/** Content-Type of the text format, for HTTP. */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/** Create an empty builder. NULL on allocation failure. */
struct metrics *metrics_create(void);

/** Free; accepts NULL. */
void metrics_destroy(struct metrics *m);

/** Start a new scrape: forget every family and sample (keeps memory). */
void metrics_reset(struct metrics *m);

/**
 * Declare a metric family.
 * @param name  metric name, [a-zA-Z_][a-zA-Z0-9_]*; counters end in
 *              "_total", gauges do not
 * @param type  "gauge" or "counter"
 * @param help  one line of UTF-8, non-empty; backslashes and newlines are
 *              escaped on output
 * @return 0 (also when the same name is declared again with the same
 *         type: the first help text stays), -EINVAL for a bad name, type
 *         or help, -EEXIST if it exists with another type (which the
 *         "_total" rule already makes -EINVAL), -ENOMEM
 */
int metrics_family(struct metrics *m, const char *name, const char *type,
		   const char *help);

/**
 * Add one sample to a declared family.
 * @param name       family name
 * @param labels_kv  NULL, or a NULL-terminated list key, value, key,
 *                   value, ..., NULL. Keys [a-zA-Z_][a-zA-Z0-9_]*, not
 *                   "__..."; values any UTF-8 (backslash, double quote
 *                   and newline are escaped on output). Written in the
 *                   order given.
 * @param value      the value, in the family's unit; NaN and infinities
 *                   allowed in gauges; a counter must be >= 0 (not NaN)
 * @return 0; -ENOENT if the family was not declared; -EINVAL for a bad
 *         label name, a key without a value, a repeated key or a value
 *         that is not UTF-8; -EEXIST if the family already has a sample
 *         with the same labels in the same order; -ERANGE for a counter
 *         value < 0 or NaN; -ENOMEM. On error nothing is added.
 */
int metrics_sample(struct metrics *m, const char *name, const char *const labels_kv[],
		   double value);

/**
 * The exposition text: every declared family in declaration order, each
 * "# HELP", "# TYPE" and its samples (a family without samples gets its
 * two comment lines only, which the format allows). Ends with "\n".
 * @param len  set to the length in bytes (may be NULL)
 * @return NUL-terminated text owned by m, valid until the next call on m;
 *         NULL on allocation failure
 */
const char *metrics_text(struct metrics *m, size_t *len);

/**
 * Replace the file at path with text, atomically, for node_exporter's
 * textfile collector: write "PATH.tmp.PID" in the same directory (a name
 * not ending in ".prom", which the collector ignores), fsync it, give it
 * mode 0644, rename() it over path. A reader sees the old file or the new
 * one, never a torn one. On failure the temporary file is removed.
 * Written through safefile_replace() (daemon/safefile.h): a link planted
 * at the temporary name is removed, never written through.
 * Blocking file I/O: meant for a small file on a local filesystem.
 * @return 0, or -errno (-ENOENT when the directory does not exist,
 *         -ENAMETOOLONG when the temporary name does not fit PATH_MAX)
 */
int metrics_write_textfile(const char *path, const char *text, size_t len);

/* ---- gnomon's metric families (doc/metrics.md) ------------------------ */

/* Per clock; labels clock="CLOCK_REALTIME", source="phc:/dev/ptp0". */
#define METRIC_CLOCK_INFO		"gnomon_clock_info"
#define METRIC_CLOCK_OFFSET		"gnomon_clock_offset_seconds"
#define METRIC_CLOCK_FREQ		"gnomon_clock_frequency_adjustment_ratio"
#define METRIC_CLOCK_TICK		"gnomon_clock_tick_seconds"
#define METRIC_CLOCK_STATE		"gnomon_clock_state"
#define METRIC_CLOCK_SAMPLE_AGE		"gnomon_clock_sample_age_seconds"
#define METRIC_CLOCK_UPDATES		"gnomon_clock_updates_total"
#define METRIC_CLOCK_STEPS		"gnomon_clock_steps_total"
#define METRIC_CLOCK_FAULTS		"gnomon_clock_faults_total"
#define METRIC_CLOCK_UPDATE_FAILURES	"gnomon_clock_update_failures_total"
#define METRIC_CLOCK_RMS_OFFSET		"gnomon_clock_rms_offset_seconds"
#define METRIC_CLOCK_ERROR_BOUND	"gnomon_clock_error_bound_seconds"
#define METRIC_CLOCK_KERNEL_SYNCED	"gnomon_clock_kernel_synced"
#define METRIC_CLOCK_KERNEL_MAXERROR	"gnomon_clock_kernel_maxerror_seconds"
#define METRIC_CLOCK_KERNEL_ESTERROR	"gnomon_clock_kernel_esterror_seconds"
#define METRIC_TAI_OFFSET		"gnomon_tai_offset_seconds"
#define METRIC_CLOCK_SLOW_READS		"gnomon_clock_slow_reads_total"
#define METRIC_CLOCK_FOREIGN_STEPS	"gnomon_clock_foreign_steps_total"
#define METRIC_CLOCK_FOREIGN_FREQS	"gnomon_clock_foreign_frequency_changes_total"
#define METRIC_CLOCK_FOREIGN_ALARM	"gnomon_clock_foreign_adjust_alarm"
#define METRIC_CLOCK_REF_JUMPS		"gnomon_clock_reference_jumps_total"
#define METRIC_CLOCK_REOPENS		"gnomon_clock_device_reopens_total"
#define METRIC_CLOCK_SLEWING		"gnomon_clock_slewing"
#define METRIC_CLOCK_SLEW_LEFT		"gnomon_clock_slew_remaining_seconds"
#define METRIC_RECOVERY_EVENTS		"gnomon_clock_recovery_events_total"
#define METRIC_RECOVERY_LAST		"gnomon_clock_last_recovery_seconds"
#define METRIC_RECOVERY_LAST_LIMIT	"gnomon_clock_last_recovery_limit_seconds"
/* A clock fed by ptp4l. */
#define METRIC_PTP_PORT_STATE		"gnomon_ptp_port_state"
#define METRIC_PTP_MASTER_OFFSET	"gnomon_ptp_master_offset_seconds"
#define METRIC_PTP_GM_PRESENT		"gnomon_ptp_gm_present"
#define METRIC_PTP_UTC_OFFSET		"gnomon_ptp_utc_offset_seconds"
#define METRIC_LEAP_PENDING		"gnomon_leap_pending"
/* Process-wide. */
#define METRIC_LEAP_EXPIRY		"gnomon_leap_file_expiry_timestamp_seconds"
#define METRIC_LEAP_STATUS		"gnomon_leap_file_status"
#define METRIC_LOOP_ITERATIONS		"gnomon_loop_iterations_total"
#define METRIC_RECORDS_LOST		"gnomon_records_lost_total"
#define METRIC_RECORDS_PENDING		"gnomon_records_pending"
#define METRIC_RECORDS_DROPPED		"gnomon_records_dropped_total"
#define METRIC_BUILD_INFO		"gnomon_build_info"
#define METRIC_START_TIME		"process_start_time_seconds"
/* Clock health (daemon/health/). */
#define METRIC_HEALTH			"gnomon_health"
#define METRIC_HEALTH_ALARMS		"gnomon_health_alarms_total"
#define METRIC_CPU_SKEW			"gnomon_cpu_clock_skew_seconds"
#define METRIC_CPU_CHECK_DURATION	"gnomon_cpu_check_duration_seconds"
#define METRIC_CLOCKSOURCE		"gnomon_clocksource"
#define METRIC_CLOCKSOURCE_CHANGES	"gnomon_clocksource_changes_total"
#define METRIC_TIMER_MAX_LATE		"gnomon_timer_max_late_seconds"
/* Per bond followed (daemon/bond/). */
#define METRIC_BOND_FAILOVERS		"gnomon_bond_failovers_total"
#define METRIC_BOND_ACTIVE		"gnomon_bond_active_member"

/** One entry of gnomon's catalogue. */
struct metrics_def {
	const char *name;	/**< one of the METRIC_* names */
	const char *type;	/**< "gauge" or "counter" */
	const char *labels;	/**< label names, comma-separated, for docs */
	const char *help;	/**< the HELP text */
};

/** gnomon's families in exposition order; *n set to the count. */
const struct metrics_def *metrics_gnomon_defs(size_t *n);

/** Declare every family of the catalogue on m (after metrics_reset()).
 *  @return 0 or the first metrics_family() error. */
int metrics_declare_gnomon(struct metrics *m);

#endif
