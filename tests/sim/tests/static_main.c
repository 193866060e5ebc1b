// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Linked statically (sim.mk): no ld.so, so LD_PRELOAD is ignored without a
 * word and this main runs on the real kernel. gnomon-sim must notice that
 * the library did not say hello and refuse (exit code 125), killing it.
 *   static_main exit    print "main ran" and exit 0 at once
 *   static_main wait    print "main ran" and wait to be killed
 * It never touches a clock.
 */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char msg[] = "main ran\n";

	if (write(1, msg, sizeof(msg) - 1) < 0)
		return 1;
	if (argc > 1 && !strcmp(argv[1], "wait"))
		for (;;)
			pause();
	return 0;
}
