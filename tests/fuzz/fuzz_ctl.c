// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the control protocol's parsers (daemon/ctl/ctlproto.c)
 * and gnomonctl's renderer (daemon/ctl/ctl_render.c), which both take bytes
 * from the other side of a socket.
 *
 * Each input is tried as a request line and as a reply line. Properties
 * checked besides "no crash, no leak, no UB":
 *  - an accepted request has a valid command name, and formatting it back
 *    with ctlproto_format_request() gives a line that parses to the same
 *    command and args;
 *  - an accepted reply renders (human and JSON, for every subcommand).
 *
 * Build and run (about a minute):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *     $(pkg-config --cflags json-c) tests/fuzz/fuzz_ctl.c daemon/ctl/ctlproto.c \
 *     daemon/ctl/ctl_render.c $(pkg-config --libs json-c) -lm -o build/fuzz_ctl
 *   build/fuzz_ctl -max_total_time=60 -max_len=4200
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon/ctl/ctl_render.h"
#include "daemon/ctl/ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void check_request(const char *buf, size_t size)
{
	char cmd[CTL_MAX_COMMAND + 1], cmd2[CTL_MAX_COMMAND + 1], err[256];
	struct json_object *args = NULL, *args2 = NULL;
	char *line;
	size_t len;

	if (ctlproto_parse_request(buf, size, cmd, &args, err, sizeof(err)) < 0) {
		if (!err[0])
			abort();	/* every refusal says why */
		return;
	}
	if (!cmd[0] || strspn(cmd, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(cmd))
		abort();
	if (args && !json_object_is_type(args, json_type_object))
		abort();
	line = ctlproto_format_request(cmd, args, &len);
	if (!line || len < 1 || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
		abort();
	/* re-serialising may grow the line (escapes) past the limit: only
	 * check the round trip when it fits */
	if (len < CTL_MAX_REQUEST) {
		if (ctlproto_parse_request(line, len - 1, cmd2, &args2, err, sizeof(err)) < 0 ||
		    strcmp(cmd, cmd2) || !json_object_equal(args, args2))
			abort();
	}
	json_object_put(args2);
	json_object_put(args);
	free(line);
}

static void check_reply(const char *buf, size_t size)
{
	static const char *const cmds[] = {
		"status", "clocks", "sources", "recovery", "leap", "config", "other",
	};
	struct json_object *data = NULL;
	char err[256];
	bool ok;

	if (ctlproto_parse_reply(buf, size, &ok, &data, err, sizeof(err)) < 0 || !ok) {
		if (data)
			abort();
		return;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ctl_render(devnull, cmds[i], data, false);
		ctl_render(devnull, cmds[i], data, true);
	}
	json_object_put(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	check_request(buf, size);
	check_reply(buf, size);
	return 0;
}
