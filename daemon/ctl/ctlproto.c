// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control protocol framing: parse and format the one-line JSON requests
 * and replies. Pure functions of their input (no I/O), fuzzed by
 * tests/fuzz/fuzz_ctl.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon/ctl/ctlproto.h"

/* Depth allowed in replies: the daemon's own schema nests 4 levels. */
#define REPLY_MAX_DEPTH	32

/*
 * Parse exactly one JSON value from buf[0..len): trailing spaces, tabs and
 * CRs are allowed, anything else after the value is an error.
 */
static struct json_object *parse_one(const char *buf, size_t len, int depth,
				     char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;

	if (len > (size_t)CTL_MAX_REPLY) {
		snprintf(err, errlen, "line too long (%zu bytes)", len);
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "NUL byte in line");
		return NULL;
	}
	tok = json_tokener_new_ex(depth);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!obj || jerr != json_tokener_success) {
		json_object_put(obj);
		if (jerr == json_tokener_continue)
			snprintf(err, errlen, "malformed JSON: incomplete");
		else
			snprintf(err, errlen, "malformed JSON at byte %zu: %s", end,
				 json_tokener_error_desc(jerr));
		return NULL;
	}
	while (end < len && (buf[end] == ' ' || buf[end] == '\t' || buf[end] == '\r'))
		end++;
	if (end != len) {
		json_object_put(obj);
		snprintf(err, errlen, "malformed JSON: trailing data at byte %zu", end);
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		snprintf(err, errlen, "expected a JSON object");
		return NULL;
	}
	return obj;
}

static bool valid_command(const char *s, size_t n)
{
	if (n == 0 || n > CTL_MAX_COMMAND)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int ctlproto_parse_request(const char *line, size_t len,
			   char command[CTL_MAX_COMMAND + 1],
			   struct json_object **args, char *err, size_t errlen)
{
	struct json_object *req, *cmd = NULL, *a = NULL;
	const char *name;
	size_t n;
	int r = -EINVAL;

	*args = NULL;
	command[0] = '\0';
	if (len >= CTL_MAX_REQUEST) {
		snprintf(err, errlen, "request longer than %d bytes", CTL_MAX_REQUEST);
		return -EINVAL;
	}
	req = parse_one(line, len, CTL_MAX_DEPTH, err, errlen);
	if (!req)
		return -EINVAL;
	json_object_object_foreach(req, key, val) {
		if (!strcmp(key, "command")) {
			cmd = val;
		} else if (!strcmp(key, "args")) {
			a = val;
		} else {
			snprintf(err, errlen, "unknown key \"%.32s\" in request", key);
			goto out;
		}
	}
	if (!cmd || !json_object_is_type(cmd, json_type_string)) {
		snprintf(err, errlen, "request needs \"command\": a string");
		goto out;
	}
	name = json_object_get_string(cmd);
	n = (size_t)json_object_get_string_len(cmd);
	if (!valid_command(name, n)) {
		snprintf(err, errlen, "bad command name (1 to %d characters of a-z 0-9 _ -)",
			 CTL_MAX_COMMAND);
		goto out;
	}
	if (a && !json_object_is_type(a, json_type_object)) {
		snprintf(err, errlen, "\"args\" must be an object");
		goto out;
	}
	memcpy(command, name, n);
	command[n] = '\0';
	*args = a ? json_object_get(a) : NULL;
	r = 0;
out:
	json_object_put(req);
	return r;
}

/* Serialise obj on one line, add "\n"; malloc'd copy. */
static char *to_line(struct json_object *obj, size_t *len)
{
	const char *s;
	size_t n;
	char *line;

	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return NULL;
	n = strlen(s);
	line = malloc(n + 2);
	if (!line)
		return NULL;
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return line;
}

char *ctlproto_format_request(const char *command, struct json_object *args, size_t *len)
{
	struct json_object *req;
	char *line = NULL;

	if (!command || !valid_command(command, strlen(command)))
		return NULL;
	req = json_object_new_object();
	if (!req)
		return NULL;
	if (json_object_object_add(req, "command", json_object_new_string(command)))
		goto out;
	if (args && json_object_object_add(req, "args", json_object_get(args)))
		goto out;
	line = to_line(req, len);
out:
	json_object_put(req);
	return line;
}

char *ctlproto_format_ok(const char *command, struct json_object *data, size_t *len)
{
	struct json_object *rep = json_object_new_object();
	char *line = NULL;

	if (!rep)
		return NULL;
	if (json_object_object_add(rep, "ok", json_object_new_boolean(1)) ||
	    (command && json_object_object_add(rep, "command", json_object_new_string(command))) ||
	    json_object_object_add(rep, "data", data ? json_object_get(data) : json_object_new_object()))
		goto out;
	line = to_line(rep, len);
out:
	json_object_put(rep);
	return line;
}

char *ctlproto_format_error(const char *command, const char *message, size_t *len)
{
	struct json_object *rep = json_object_new_object();
	char *line = NULL;

	if (!rep)
		return NULL;
	if (json_object_object_add(rep, "ok", json_object_new_boolean(0)) ||
	    (command && json_object_object_add(rep, "command", json_object_new_string(command))) ||
	    json_object_object_add(rep, "error", json_object_new_string(message ? message : "error")))
		goto out;
	line = to_line(rep, len);
out:
	json_object_put(rep);
	return line;
}

int ctlproto_parse_reply(const char *line, size_t len, bool *ok,
			 struct json_object **data, char *err, size_t errlen)
{
	struct json_object *rep, *v;
	int r = -EPROTO;

	*data = NULL;
	*ok = false;
	rep = parse_one(line, len, REPLY_MAX_DEPTH, err, errlen);
	if (!rep)
		return -EPROTO;
	if (!json_object_object_get_ex(rep, "ok", &v) || !json_object_is_type(v, json_type_boolean)) {
		snprintf(err, errlen, "reply has no boolean \"ok\"");
		goto out;
	}
	if (json_object_get_boolean(v)) {
		if (!json_object_object_get_ex(rep, "data", &v) ||
		    !json_object_is_type(v, json_type_object)) {
			snprintf(err, errlen, "reply has no \"data\" object");
			goto out;
		}
		*ok = true;
		*data = json_object_get(v);
	} else {
		if (!json_object_object_get_ex(rep, "error", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "error reply has no \"error\" string");
			goto out;
		}
		snprintf(err, errlen, "%s", json_object_get_string(v));
	}
	r = 0;
out:
	json_object_put(rep);
	return r;
}
