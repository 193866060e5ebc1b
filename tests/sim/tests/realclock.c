// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prints the REAL kernel clock state (adjtimex with modes 0: read-only,
 * allowed to anyone): run-tests.sh compares it before and after the
 * simulator's tests to show they never touched this machine's clock.
 */
#include <stdio.h>
#include <sys/timex.h>

int main(void)
{
	struct timex tx = { .modes = 0 };
	int r = adjtimex(&tx);

	if (r < 0) {
		perror("adjtimex");
		return 1;
	}
	printf("tick %ld freq %ld status %#x tai %d offset %ld\n", tx.tick, tx.freq,
	       tx.status & (STA_PLL | STA_INS | STA_DEL | STA_UNSYNC | STA_FLL | STA_NANO),
	       tx.tai, tx.offset);
	return 0;
}
