/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the config parser (config_load_string). Besides
 * "nothing crashes", it checks two properties on every input that loads:
 * every error names the file, and config_print's output loads back to the
 * same values (print -> load -> print gives the same text, but for the
 * "# default" notes, as every key is now set).
 * Build and run (from the top of the tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *     tests/fuzz/fuzz_config.c daemon/config/config.c daemon/config/config_table.c \
 *     daemon/config/config_value.c -lm -o build/fuzz_config
 *   build/fuzz_config -max_total_time=60 -dict=tests/fuzz/config.dict \
 *     tests/fuzz/corpus_config
 * (copy the corpus first if new inputs should not be added to it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *print(const struct gnomon_config *conf)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	config_print(conf, f);
	fclose(f);
	return buf;
}

/* Remove the "  # default" notes in place. */
static void strip_notes(char *s)
{
	static const char note[] = "  # default";
	char *at;

	while ((at = strstr(s, note)))
		memmove(at, at + sizeof(note) - 1, strlen(at + sizeof(note) - 1) + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gnomon_config conf, conf2;
	char err[512], where[600], *text, *p1, *p2;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (config_load_string(text, "fuzz", &conf, err, sizeof(err)) < 0) {
		if (strncmp(err, "fuzz", 4))	/* every message names the file */
			abort();
		free(text);
		return 0;
	}
	for (int i = 0; i < conf.n_clocks; i++)
		config_where(&conf, &conf.clocks[i], "max_slew_ppm", where, sizeof(where));
	p1 = print(&conf);
	/* Compare from the first section: the header names the file. */
	if (config_load_string(p1, "fuzz", &conf2, err, sizeof(err)) < 0) {
		fprintf(stderr, "printed config does not load: %s\n%s\n", err, p1);
		abort();
	}
	p2 = print(&conf2);
	strip_notes(p1);
	if (strcmp(strchr(p1, '['), strchr(p2, '['))) {
		fprintf(stderr, "print -> load -> print differs:\n%s\n----\n%s\n", p1, p2);
		abort();
	}
	free(p1);
	free(p2);
	free(text);
	return 0;
}
