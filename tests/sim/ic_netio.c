// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sending and receiving on the simulated UDP sockets: send, sendto,
 * sendmsg (control messages SO_TIMESTAMPING, IP_PKTINFO, IP_TOS), sendmmsg,
 * write, writev; recv, recvfrom (and their _chk entry points), recvmsg
 * (MSG_ERRQUEUE, MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC), recvmmsg (with a
 * timeout: the datagrams already queued after the first), read, readv. A
 * receive on an empty queue blocks in virtual time (poll), unless the
 * socket is non-blocking or the call says MSG_DONTWAIT; the error queue
 * never blocks. shutdown() of a simulated socket is refused loudly.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/net_tstamp.h>

#include "tests/sim/net.h"
#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

#define SUPPORTED_RECV (MSG_ERRQUEUE | MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL | \
			MSG_CMSG_CLOEXEC | MSG_NOSIGNAL)
#define SUPPORTED_SEND (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CONFIRM | MSG_DONTROUTE)

static ssize_t ret_errno(ssize_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* Control messages of a send: per-packet timestamping flags, source, TOS. */
static int send_cmsgs(struct sim *s, struct net_sock *k, const struct msghdr *m, int *ts)
{
	struct msghdr mc = *m;	/* CMSG_NXTHDR takes no const */
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(&mc); c; c = CMSG_NXTHDR(&mc, c)) {
		int v = 0;

		if (c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&v, CMSG_DATA(c), sizeof(int));
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING)
			*ts = v;	/* replaces the socket's TX record flags */
		else if ((c->cmsg_level == IPPROTO_IP && (c->cmsg_type == IP_PKTINFO ||
							   c->cmsg_type == IP_TOS)) ||
			 (c->cmsg_level == IPPROTO_IPV6 && (c->cmsg_type == IPV6_PKTINFO ||
							     c->cmsg_type == IPV6_TCLASS)))
			continue;	/* source and TOS: one path per host whatever they are */
		else {
			sim_unsupported("sendmsg control message level %d type %d", c->cmsg_level,
					c->cmsg_type);
			return -EINVAL;
		}
	}
	(void)s;
	(void)k;
	return 0;
}

/* The iovecs gathered into one datagram. */
static ssize_t gather(const struct msghdr *m, unsigned char **buf)
{
	size_t n = 0, i, off = 0;

	for (i = 0; i < m->msg_iovlen; i++)
		n += m->msg_iov[i].iov_len;
	if (n > NET_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (!(*buf = malloc(n ? n : 1)))
		return -ENOMEM;
	for (i = 0; i < m->msg_iovlen; i++) {
		memcpy(*buf + off, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
		off += m->msg_iov[i].iov_len;
	}
	return (ssize_t)n;
}

ssize_t sim_udp_sendmsg(struct sim *s, int fd, int id, const struct msghdr *m, int flags)
{
	struct net_sock *k = net_sock(s->w, id);
	int ts = k->ts_flags & SOF_TIMESTAMPING_TX_RECORD_MASK, r;
	struct net_addr dst;
	unsigned char *buf;
	ssize_t n;
	long sent;

	(void)fd;
	if (flags & ~SUPPORTED_SEND) {
		sim_unsupported("send flags 0x%x on a simulated UDP socket", flags & ~SUPPORTED_SEND);
		return -EINVAL;
	}
	if (m->msg_name && (r = sim_from_sockaddr(m->msg_name, m->msg_namelen, &dst)))
		return r;
	if (m->msg_controllen && (r = send_cmsgs(s, k, m, &ts)))
		return r;
	if ((n = gather(m, &buf)) < 0)
		return n;
	sent = net_send(s->w, id, m->msg_name ? &dst : NULL, buf, (size_t)n, ts);
	free(buf);
	if (sent == -ENETUNREACH)
		sim_unsupported("send to %s: not a scenario host; the simulated network reaches "
				"only the scenario's hosts", sim_addr_str(m->msg_name ? &dst : &k->peer));
	sim_end_check(s);
	return sent;
}

/* Wait for a packet: -EAGAIN if non-blocking, at SO_RCVTIMEO, or -EINTR. */
static int wait_rx(struct sim *s, int fd, struct net_sock *k, int flags)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct vt_deadline dl;
	int r;

	if ((flags & MSG_DONTWAIT) || simfd_nonblock(fd))
		return -EAGAIN;
	if (k->rcvtimeo_ns > 0)
		vt_after(s, k->rcvtimeo_ns, &dl);
	r = vt_poll(s, &pfd, 1, k->rcvtimeo_ns > 0 ? &dl : NULL, NULL);
	return r < 0 ? r : r == 0 ? -EAGAIN : 0;
}

ssize_t sim_udp_recvmsg(struct sim *s, int fd, int id, struct msghdr *m, int flags)
{
	bool errq = flags & MSG_ERRQUEUE, peek = flags & MSG_PEEK;
	struct net_sock *k;
	struct net_pkt *p;
	ssize_t n;
	int r;

	if (flags & ~SUPPORTED_RECV) {
		sim_unsupported("recv flags 0x%x on a simulated UDP socket", flags & ~SUPPORTED_RECV);
		return -EINVAL;
	}
	for (;;) {
		if (!(k = net_sock(s->w, id)))
			return -EBADF;
		if ((p = net_pop(s->w, id, errq, peek)))
			break;
		if (errq)
			return -EAGAIN;
		if ((r = wait_rx(s, fd, k, flags)))
			return r;
	}
	n = sim_udp_fill(s, k, p, errq, m);
	if (flags & MSG_TRUNC && !errq)
		n = (ssize_t)p->len;
	if (!peek)
		free(p);
	return n;
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct sim *s = sim_get();
	int id;

	if (!s || !sim_udp(s, fd, &id)) {
		if (s && m && !sim_real_dest_ok(m->msg_name, m->msg_namelen))
			return ret_errno(-ENETUNREACH);
		return nlsim_sendmsg(fd, m, flags);
	}
	return ret_errno(sim_udp_sendmsg(s, fd, id, m, flags));
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa,
	       socklen_t salen)
{
	struct sim *s = sim_get();
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	struct msghdr m = { .msg_name = (void *)(uintptr_t)sa, .msg_namelen = salen,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	int id;

	if (!s || !sim_udp(s, fd, &id)) {
		if (s && !sim_real_dest_ok(sa, salen))
			return ret_errno(-ENETUNREACH);
		return nlsim_sendto(fd, buf, len, flags, sa, salen);
	}
	return ret_errno(sim_udp_sendmsg(s, fd, id, &m, flags));
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct sim *s = sim_get();

	if (!s || !sim_udp(s, fd, NULL))
		return nlsim_sendto(fd, buf, len, flags, NULL, 0);
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	struct sim *s = sim_get();

	if (!s || !sim_udp(s, fd, NULL))
		return real.write(fd, buf, len);
	return sendto(fd, buf, len, 0, NULL, 0);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	struct sim *s = sim_get();
	struct msghdr m = { .msg_iov = (struct iovec *)(uintptr_t)iov, .msg_iovlen = (size_t)n };
	int id;

	if (!s || !sim_udp(s, fd, &id))
		return real.writev(fd, iov, n);
	return ret_errno(n < 0 ? -EINVAL : sim_udp_sendmsg(s, fd, id, &m, 0));
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	struct sim *s = sim_get();
	unsigned int i;
	int id;

	if (!s || !sim_udp(s, fd, &id)) {
		for (i = 0; s && i < n; i++)
			if (!sim_real_dest_ok(v[i].msg_hdr.msg_name, v[i].msg_hdr.msg_namelen))
				return (int)ret_errno(-ENETUNREACH);
		return real.sendmmsg(fd, v, n, flags);
	}
	for (i = 0; i < n; i++) {
		ssize_t r = sim_udp_sendmsg(s, fd, id, &v[i].msg_hdr, flags);

		if (r < 0)
			return i ? (int)i : (int)ret_errno(r);
		v[i].msg_len = (unsigned int)r;
	}
	return (int)n;
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	struct sim *s = sim_get();
	int id;

	if (!s || !sim_udp(s, fd, &id))
		return nlsim_recvmsg(fd, m, flags);
	return ret_errno(sim_udp_recvmsg(s, fd, id, m, flags));
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *sa,
		 socklen_t *salen)
{
	struct sim *s = sim_get();
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_name = sa, .msg_namelen = salen ? *salen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;
	int id;

	if (!s || !sim_udp(s, fd, &id))
		return nlsim_recvfrom(fd, buf, len, flags, sa, salen);
	if (!sa)
		m.msg_name = NULL;
	r = sim_udp_recvmsg(s, fd, id, &m, flags);
	if (r >= 0 && salen && sa)
		*salen = m.msg_namelen;
	return ret_errno(r);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct sim *s = sim_get();

	if (!s || !sim_udp(s, fd, NULL))
		return nlsim_recvfrom(fd, buf, len, flags, NULL, NULL);
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t readv(int fd, const struct iovec *iov, int n)
{
	struct sim *s = sim_get();
	struct msghdr m = { .msg_iov = (struct iovec *)(uintptr_t)iov, .msg_iovlen = (size_t)n };
	int id;

	if (!s || !sim_udp(s, fd, &id))
		return real.readv(fd, iov, n);
	return ret_errno(n < 0 ? -EINVAL : sim_udp_recvmsg(s, fd, id, &m, 0));
}

int shutdown(int fd, int how)
{
	struct sim *s = sim_get();

	if (!s || !sim_udp(s, fd, NULL))
		return real.shutdown(fd, how);
	sim_unsupported("shutdown() of a simulated UDP socket");
	return (int)ret_errno(-EOPNOTSUPP);
}

/* the _FORTIFY_SOURCE entry points */
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen)
		abort();
	return recv(fd, buf, len, flags);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		       struct sockaddr *sa, socklen_t *salen);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		       struct sockaddr *sa, socklen_t *salen)
{
	if (len > buflen)
		abort();
	return recvfrom(fd, buf, len, flags, sa, salen);
}

int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags, struct timespec *timeout)
{
	struct sim *s = sim_get();
	unsigned int i;
	int id;

	if (!s || !sim_udp(s, fd, &id))
		return real.recvmmsg(fd, v, n, flags, timeout);
	for (i = 0; i < n; i++) {
		ssize_t r = sim_udp_recvmsg(s, fd, id, &v[i].msg_hdr,
					    (flags & ~MSG_WAITFORONE) |
					    (i && ((flags & MSG_WAITFORONE) || timeout) ?
					     MSG_DONTWAIT : 0));

		if (r < 0)
			return i ? (int)i : (int)ret_errno(r);
		v[i].msg_len = (unsigned int)r;
	}
	return (int)n;
}
