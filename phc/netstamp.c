/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SO_TIMESTAMPING with software stamps (Documentation/networking/
 * timestamping.rst): the stamp arrives as SCM_TIMESTAMPING, ts[0] being
 * the software one; transmit stamps come back on the error queue
 * (MSG_ERRQUEUE), with OPT_TSONLY without the frame.
 */
#include <errno.h>
#include <linux/net_tstamp.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "phc/netstamp.h"
#include "util/util.h"

#ifndef SCM_TIMESTAMPING
#define SCM_TIMESTAMPING SO_TIMESTAMPING
#endif

int netstamp_enable(int fd)
{
	int flags = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
		    SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
		    SOF_TIMESTAMPING_OPT_TSONLY;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) < 0)
		return -errno;
	return 0;
}

int netstamp_enable_rx(int fd)
{
	int flags = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) < 0)
		return -errno;
	return 0;
}

static int64_t stamp_of(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		const struct timespec *ts;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPING ||
		    c->cmsg_len < CMSG_LEN(sizeof(struct timespec) * 3))
			continue;
		ts = (const struct timespec *)(const void *)CMSG_DATA(c);
		if (ts[0].tv_sec || ts[0].tv_nsec)
			return (int64_t)ts[0].tv_sec * NS_PER_S + ts[0].tv_nsec;
	}
	return 0;
}

static ssize_t recv_stamped(int fd, void *buf, size_t len, int flags, int64_t *ns,
			    struct sockaddr_storage *from, socklen_t *fromlen)
{
	char ctl[512];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl), .msg_name = from,
			    .msg_namelen = fromlen ? *fromlen : 0 };
	ssize_t n = recvmsg(fd, &m, flags | MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	*ns = stamp_of(&m);
	if (fromlen)
		*fromlen = m.msg_namelen;
	return n;
}

ssize_t netstamp_recv(int fd, void *buf, size_t len, int64_t *rx_ns)
{
	return recv_stamped(fd, buf, len, 0, rx_ns, NULL, NULL);
}

ssize_t netstamp_recvfrom(int fd, void *buf, size_t len, struct sockaddr_storage *from,
			  socklen_t *fromlen, int64_t *rx_ns)
{
	return recv_stamped(fd, buf, len, 0, rx_ns, from, fromlen);
}

int netstamp_tx(int fd, int64_t *tx_ns)
{
	char frame[256];
	ssize_t n = recv_stamped(fd, frame, sizeof(frame), MSG_ERRQUEUE, tx_ns, NULL, NULL);

	if (n < 0)
		return (int)n;
	return *tx_ns ? 0 : -ENOMSG;
}
