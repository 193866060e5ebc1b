// SPDX-License-Identifier: GPL-2.0-or-later
/* A program that ignores SIGTERM: the runner must SIGKILL it (run-tests.sh). */
#include <poll.h>
#include <signal.h>

int main(void)
{
	signal(SIGTERM, SIG_IGN);
	for (;;)
		poll(NULL, 0, 1000);
}
