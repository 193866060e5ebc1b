/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the leap-seconds.list parser and the table built
 * from it (leaptable_load_string), with queries and announcements on the
 * result. Build and run by hand, seeded with the fixtures of tests/leap/:
 *
 *   clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined \
 *         -fno-sanitize-recover=all \
 *         tests/fuzz/fuzz_leapfile.c daemon/leap/leaptable.c daemon/leap/leapfile.c \
 *         -lnettle -o /tmp/fuzz_leapfile
 *   mkdir -p /tmp/leapcorpus && cp tests/leap/[a-z]*.list /tmp/leapcorpus/
 *   /tmp/fuzz_leapfile -max_total_time=60 -max_len=8192 /tmp/leapcorpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha1.h>
#include <nettle/version.h>

#include "daemon/leap/leaptable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Random bytes almost never carry a right SHA-1, which would keep the
 * fuzzer out of everything after the hash check. So each input is also
 * tried with its "#h" lines dropped and a correct one appended, computed
 * the way doc/leap.md says (digits of "#$"/"#@" lines and of data lines
 * before any '#').
 */
static char *with_hash(const char *text)
{
	size_t len = strlen(text), o = 0;
	char *out = malloc(len + 64);
	const char *p = text;
	uint8_t md[SHA1_DIGEST_SIZE];
	struct sha1_ctx c;
	int i;

	if (!out)
		return NULL;
	sha1_init(&c);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		bool stamp = p[0] == '#' && (p[1] == '$' || p[1] == '@');
		size_t k;

		if (p[0] == '#' && p[1] == 'h') {
			p += n;
			continue;
		}
		for (k = 0; k < n && (stamp || p[k] != '#'); k++)
			if (p[k] >= '0' && p[k] <= '9')
				sha1_update(&c, 1, (const uint8_t *)p + k);
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
#if NETTLE_VERSION_MAJOR > 3 || (NETTLE_VERSION_MAJOR == 3 && NETTLE_VERSION_MINOR >= 10)
	sha1_digest(&c, md);
#else
	sha1_digest(&c, SHA1_DIGEST_SIZE, md);
#endif
	o += (size_t)sprintf(out + o, "\n#h");
	for (i = 0; i < 20; i += 4)
		o += (size_t)sprintf(out + o, " %x", (unsigned)md[i] << 24 |
				     md[i + 1] << 16 | md[i + 2] << 8 | md[i + 3]);
	sprintf(out + o, "\n");
	return out;
}

static void exercise(const char *text)
{
	static const int64_t probes[] = {
		INT64_MIN, -1, 0, 63072000, 1483228799, 1483228800,
		1814400000, 4000000000LL, INT64_MAX,
	};
	struct leaptable *t = leaptable_create();
	char err[256], status[512];
	int64_t leap;
	size_t i;
	int v, d;

	if (!t)
		return;
	if (leaptable_load_string(t, text, "fuzz", err, sizeof(err)) == 0) {
		/* A loaded table must answer sensibly everywhere. */
		if (!leaptable_loaded(t) || !leaptable_entries(t))
			abort();
	} else if (leaptable_loaded(t) || !strstr(err, "fuzz")) {
		abort();	/* failed loads leave nothing and name the input */
	}
	leaptable_add_announcement(t, LEAP_ORIGIN_PTP, 1814400000, 1, 38, err, sizeof(err));
	leaptable_add_announcement(t, LEAP_ORIGIN_NTP, 1814400000, -1, LEAP_TAI_UNKNOWN,
				   err, sizeof(err));
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		leaptable_tai_offset(t, probes[i], &v);
		leaptable_tai_offset_tai(t, probes[i], &v);
		if (leaptable_next_leap(t, probes[i], &leap, &d) == 0) {
			int a, b, x, y;

			if (leap <= probes[i] || (d != 1 && d != -1))
				abort();
			/* TAI - UTC steps by delta at the leap, on both axes */
			if (leaptable_tai_offset(t, leap - 1, &a) ||
			    leaptable_tai_offset(t, leap, &b))
				continue;
			if (b - a != d ||
			    leaptable_tai_offset_tai(t, leap + a - 2, &x) ||
			    leaptable_tai_offset_tai(t, leap + a + 1, &y) ||
			    x != a || y != b)
				abort();
		}
		leaptable_expiry_state(t, probes[i]);
		leaptable_status(t, probes[i], status, sizeof(status));
	}
	/* Reload the same text on top: must not leak or corrupt. */
	leaptable_load_string(t, text, "fuzz2", err, sizeof(err));
	leaptable_destroy(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *hashed;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	exercise(text);
	hashed = with_hash(text);
	if (hashed)
		exercise(hashed);
	free(hashed);
	free(text);
	return 0;
}
