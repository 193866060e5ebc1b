/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ctlproto.h
 * The control protocol's framing, shared by the server (ctl.c) and the
 * client (gnomonctl): one JSON object per line each way.
 *
 *   request:  {"command":"status","args":{...}}\n      ("args" optional)
 *   reply:    {"ok":true,"command":"status","data":{...}}\n
 *             {"ok":false,"command":"status","error":"..."}\n
 *
 * A request line is at most CTL_MAX_REQUEST bytes including its newline.
 * See doc/control-protocol.md for the schema of each command's data.
 */
#ifndef GNOMON_CTLPROTO_H
#define GNOMON_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/** Default read-write socket; the read-only one adds CTL_RO_SUFFIX. */
#define CTL_DEFAULT_PATH	"/run/gnomon/gnomond.sock"
#define CTL_RO_SUFFIX		".ro"
/** Default read-only socket (control_socket_ro of gnomon.conf(5)). */
#define CTL_DEFAULT_RO_PATH	"/run/gnomon/gnomond.ro.sock"
/** Longest request line, bytes, newline included. */
#define CTL_MAX_REQUEST		4096
/** Longest reply line, bytes, newline included. */
#define CTL_MAX_REPLY		(1024 * 1024)
/** Longest command name, bytes, without the terminating NUL. */
#define CTL_MAX_COMMAND		63
/** Deepest nesting accepted in a request. */
#define CTL_MAX_DEPTH		16
/** Version of the data schema in doc/control-protocol.md. */
#define CTL_SCHEMA_VERSION	1

/**
 * Parse one request line (without its newline; len bytes, need not be
 * NUL-terminated). On success returns 0, copies the command name into
 * command (CTL_MAX_COMMAND + 1 bytes) and sets *args to a new reference to
 * the "args" object, or NULL when absent or null. On error returns -EINVAL
 * (or -ENOMEM) and writes a one-line message into err.
 * Rules: a JSON object alone on the line; "command" a string of 1 to
 * CTL_MAX_COMMAND characters from [a-z0-9_-]; "args" an object or null;
 * no other keys; no NUL bytes; at most CTL_MAX_DEPTH levels of nesting.
 */
int ctlproto_parse_request(const char *line, size_t len,
			   char command[CTL_MAX_COMMAND + 1],
			   struct json_object **args, char *err, size_t errlen);

/**
 * Format a request line ("\n"-terminated, malloc'd, *len bytes without the
 * NUL). args may be NULL. NULL if out of memory or the command is invalid.
 */
char *ctlproto_format_request(const char *command, struct json_object *args, size_t *len);

/**
 * Format a success reply line carrying data (NULL = {}); malloc'd,
 * "\n"-terminated, *len bytes. NULL if out of memory.
 */
char *ctlproto_format_ok(const char *command, struct json_object *data, size_t *len);

/**
 * Format an error reply line; command may be NULL (request not understood).
 * malloc'd, "\n"-terminated, *len bytes. NULL if out of memory.
 */
char *ctlproto_format_error(const char *command, const char *message, size_t *len);

/**
 * Parse one reply line (without its newline). Returns 0 when the line is a
 * well-formed reply: then *ok says which kind; for ok, *data is a new
 * reference to the data object; for !ok, *data is NULL and err holds the
 * daemon's message. Returns -EPROTO with a message in err when the line is
 * not a well-formed reply.
 */
int ctlproto_parse_reply(const char *line, size_t len, bool *ok,
			 struct json_object **data, char *err, size_t errlen);

#endif
