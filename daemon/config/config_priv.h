/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file config_priv.h
 * Inside of the config module: the key table and the typed value
 * conversions shared by the parser (config.c) and the table, printer and
 * reference (config_table.c). Unit tests include it; nothing else should.
 */
#ifndef GNOMON_CONFIG_PRIV_H
#define GNOMON_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/config/config.h"

enum conf_scope { SCOPE_GLOBAL, SCOPE_CLOCK };

enum conf_type {
	CT_ENUM,	/**< one of a list of names, stored as int */
	CT_INT,		/**< decimal integer, stored as int */
	CT_DOUBLE,	/**< finite decimal number, stored as double */
	CT_STRING,	/**< text, stored in a char array of size bytes */
	CT_BOOL,	/**< yes/no, true/false, on/off, 1/0, stored as bool */
	CT_AUTO_INT,	/**< "auto" (bool at aux_offset) or an integer (int at offset) */
};

/** Key flags. */
#define KEY_REQUIRED	0x1	/**< no default: the section must set it */
#define KEY_MIN_EXCL	0x2	/**< value must be > min (not >= min) */
#define KEY_DEF_KIND	0x4	/**< default depends on the clock (see def_doc) */

/** One name of an enum value. A later entry with an earlier entry's value
 *  is an alias: accepted when read, never listed or printed. */
struct conf_enum {
	const char *name;
	int value;
};

/**
 * Extra check of a parsed value that the range cannot express. cc is the
 * clock section (NULL in [global]), field points at the stored value.
 * Returns 0, or -EINVAL/-ERANGE with msg set (without FILE:LINE).
 */
typedef int (*conf_check_fn)(const struct clock_conf *cc, const void *field,
			     char *msg, size_t len);

struct conf_key {
	const char *name;
	enum conf_scope scope;
	enum conf_type type;
	/** Default as it would be written in the file; parsed by the same code
	 *  as file values. NULL for KEY_REQUIRED and KEY_DEF_KIND keys. */
	const char *def;
	/** How the default reads in the reference when def is NULL. */
	const char *def_doc;
	double min, max;	/**< CT_INT, CT_DOUBLE, CT_AUTO_INT; min == max: no range */
	unsigned flags;
	const char *unit;	/**< "" when none */
	const char *what;	/**< CT_STRING: what the text must be, for messages */
	const char *help;
	size_t offset;		/**< into struct gnomon_config or struct clock_conf */
	size_t size;		/**< CT_STRING: the buffer's size */
	size_t aux_offset;	/**< CT_AUTO_INT: the bool "auto" field */
	const struct conf_enum *enums;	/**< CT_ENUM, ended by { NULL } */
	conf_check_fn check;	/**< optional */
};

/* The value checks of the table (config_check.c). */
int conf_check_abs_path(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_source(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_sysclk_cap(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_threshold(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_account(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_metrics_addr(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_ntp_serve(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_ntp_allow(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_path_or_none(const struct clock_conf *cc, const void *field, char *msg, size_t len);
int conf_check_textfile(const struct clock_conf *cc, const void *field, char *msg, size_t len);

/** The table, in the order keys are printed. */
extern const struct conf_key conf_keys[];
extern const size_t conf_n_keys;

/** The key named name in scope, or NULL. */
const struct conf_key *conf_key_find(const char *name, enum conf_scope scope);
/** The key named name in any scope, or NULL (for "wrong scope" messages). */
const struct conf_key *conf_key_find_any(const char *name);
/** Position of k in conf_keys: the index into key_line[]. */
int conf_key_index(const struct conf_key *k);
/** A known key of scope within edit distance 2 of name, or NULL. */
const char *conf_key_suggest(const char *name, enum conf_scope scope);

/**
 * Parse text as the value of k and store it at base + k->offset (base is a
 * struct gnomon_config or struct clock_conf as k->scope says). Runs the
 * range check and k->check. On error nothing is stored, -EINVAL or -ERANGE
 * is returned and msg says "key: what is wrong" (no FILE:LINE).
 */
int conf_parse_value(const struct conf_key *k, const char *text,
		     const struct clock_conf *cc, void *base, char *msg, size_t len);

/** Write the value of k stored in base as text that conf_parse_value()
 *  reads back to the same value (doubles: shortest exact form). */
void conf_format_value(const struct conf_key *k, const void *base, char *buf, size_t len);

/** "allowed values" of an enum key as "a|b|c". */
void conf_enum_list(const struct conf_key *k, char *buf, size_t len);

/** Describe the range of k with its unit, e.g. "> 0 and <= 1000000 ppm". */
void conf_range_text(const struct conf_key *k, char *buf, size_t len);

/** What a value of k looks like, e.g. "a number, 0.01 to 128 Hz" or
 *  "pi|kalman" (aliases left out); "" when there is nothing short to say. */
void conf_expect_text(const struct conf_key *k, char *buf, size_t len);

/**
 * Check a clock name, as a section name or as a source after "phc:".
 * Accepted: what clockname_classify() (phc/clockname.h) accepts, but
 * "global". Returns 0 or -EINVAL with msg.
 */
int conf_clock_name_check(const char *name, char *msg, size_t len);

/** Copy s into buf for a message: quoted, non-printable bytes as \xHH,
 *  long text cut with "...". Returns buf. */
const char *conf_quote(const char *s, char *buf, size_t len);

#endif
