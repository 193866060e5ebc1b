// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A faked NETLINK_ROUTE socket, so that libnl (or any rtnetlink client)
 * runs unchanged on the simulated interfaces and bonds: bind/getsockname
 * with a port id, NETLINK_ADD_MEMBERSHIP, RTM_GETLINK (a dump, or one link
 * by index or name) answered in datagrams like the kernel's, RTNLGRP_LINK
 * notifications of every link change the world logs (bond.c), ENOBUFS when
 * the world says notifications were dropped (netlink_overrun) or more
 * changes happened than a socket kept. recvmsg honours MSG_PEEK, MSG_TRUNC
 * and MSG_DONTWAIT/O_NONBLOCK, and blocks in virtual time. Only for a
 * scenario that declares interfaces; other netlink families and a scenario
 * without interfaces go to the kernel. The interposers are ic_net.c's and
 * ic_netio.c's: what is not a UDP socket comes here (nlsim_*), and what is
 * not a netlink one either goes on to the kernel.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "tests/sim/nlmsg.h"
#include "tests/sim/sim.h"

#define NL_BUF		1024	/* one datagram: a link message is ~150 bytes */
#define NL_MAX_QUEUE	1024	/* datagrams before the kernel would drop */

struct nldgram {
	struct nldgram *next;
	size_t len;
	bool notify;
	unsigned char data[NL_BUF];
};

struct nlsock {
	uint32_t pid;
	uint32_t groups;		/* bit g-1 for group g */
	int rcvbuf, sndbuf;
	uint32_t seen;			/* world link changes consumed */
	uint32_t overruns_seen;
	bool enobufs;
	int queued;
	struct nldgram *head, *tail;
};

static int ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

static struct nlsock *nl_of(struct sim **sp, int fd)
{
	struct sim *s = sim_get();
	struct simfd *f = s ? simfd_get(s, fd) : NULL;

	*sp = s;
	return f && f->kind == SIMFD_NETLINK ? f->nl : NULL;
}

void nlsim_free(struct nlsock *n)
{
	struct nldgram *d;

	if (!n)
		return;
	while ((d = n->head)) {
		n->head = d->next;
		free(d);
	}
	free(n);
}

static struct nldgram *dgram_new(struct nlsock *n, bool notify)
{
	struct nldgram *d;

	if (n->queued >= NL_MAX_QUEUE) {
		n->enobufs = true;
		return NULL;
	}
	if (!(d = calloc(1, sizeof(*d))))
		return NULL;
	d->notify = notify;
	if (n->tail)
		n->tail->next = d;
	else
		n->head = d;
	n->tail = d;
	n->queued++;
	return d;
}

static void dgram_pop(struct nlsock *n)
{
	struct nldgram *d = n->head;

	n->head = d->next;
	if (!n->head)
		n->tail = NULL;
	n->queued--;
	free(d);
}

static void drop_notifications(struct nlsock *n)
{
	struct nldgram **pp = &n->head, *d;

	n->tail = NULL;
	while ((d = *pp)) {
		if (d->notify) {
			*pp = d->next;
			n->queued--;
			free(d);
		} else {
			n->tail = d;
			pp = &d->next;
		}
	}
}

/* Bring the socket up to date with the world's link changes. */
static void pull(struct sim *s, struct nlsock *n)
{
	struct world *w = s->w;
	struct nldgram *d;

	if (!(n->groups & (1u << (RTNLGRP_LINK - 1)))) {
		n->seen = w->link_seq;
		n->overruns_seen = w->nl_overruns;
		return;
	}
	if (n->overruns_seen != w->nl_overruns || w->link_seq - n->seen > SIM_LINK_LOG) {
		n->overruns_seen = w->nl_overruns;
		n->seen = w->link_seq;
		drop_notifications(n);
		n->enobufs = true;
		return;
	}
	for (; n->seen != w->link_seq; n->seen++) {
		const struct link_change *c = &w->link_log[n->seen % SIM_LINK_LOG];

		if (!(d = dgram_new(n, true)))
			continue;
		d->len = nlmsg_link(w, c->iface, c->failover, 0, 0, 0, d->data, sizeof(d->data));
	}
}

bool nlsim_ready(struct sim *s, struct simfd *f)
{
	pull(s, f->nl);
	return f->nl->head || f->nl->enobufs;
}

static void reply_link(struct sim *s, struct nlsock *n, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct nldgram *d;
	int i = -1;

	if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)) && ifi->ifi_index > 0)
		i = ifi->ifi_index - SIM_IFINDEX_BASE;
	if (i < 0 && h->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi))) {
		const struct rtattr *a = (const void *)((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
		int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));

		for (; RTA_OK(a, left); a = RTA_NEXT(a, left))
			if (a->rta_type == IFLA_IFNAME)
				i = scenario_iface(&s->w->sc, RTA_DATA(a));
	}
	if (!(d = dgram_new(n, false)))
		return;
	if (i < 0 || i >= s->w->sc.nifaces) {
		d->len = nlmsg_error(h, -ENODEV, n->pid, d->data, sizeof(d->data));
		return;
	}
	d->len = nlmsg_link(s->w, i, false, 0, h->nlmsg_seq, n->pid, d->data, sizeof(d->data));
	if ((h->nlmsg_flags & NLM_F_ACK) && (d = dgram_new(n, false)))
		d->len = nlmsg_error(h, 0, n->pid, d->data, sizeof(d->data));
}

/* A dump: one datagram per link, then NLMSG_DONE. Other dumps are empty. */
static void reply_dump(struct sim *s, struct nlsock *n, const struct nlmsghdr *h)
{
	struct nldgram *d;
	int i;

	for (i = 0; h->nlmsg_type == RTM_GETLINK && i < s->w->sc.nifaces; i++)
		if ((d = dgram_new(n, false)))
			d->len = nlmsg_link(s->w, i, false, NLM_F_MULTI, h->nlmsg_seq, n->pid,
					    d->data, sizeof(d->data));
	if ((d = dgram_new(n, false)))
		d->len = nlmsg_done(h->nlmsg_seq, n->pid, d->data, sizeof(d->data));
}

static void request(struct sim *s, struct nlsock *n, const struct nlmsghdr *h)
{
	struct nldgram *d;

	if (h->nlmsg_type < NLMSG_MIN_TYPE || !(h->nlmsg_flags & NLM_F_REQUEST))
		return;
	if ((h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP && (h->nlmsg_type % 4) == 2)
		reply_dump(s, n, h);	/* RTM_GET*: the world changes nothing else */
	else if (h->nlmsg_type == RTM_GETLINK)
		reply_link(s, n, h);
	else if ((d = dgram_new(n, false)))	/* the simulated world is read-only */
		d->len = nlmsg_error(h, -EOPNOTSUPP, n->pid, d->data, sizeof(d->data));
}

static ssize_t nl_send(struct sim *s, struct nlsock *n, const void *buf, size_t len)
{
	const struct nlmsghdr *h = buf;
	size_t left = len;

	pull(s, n);
	while (left >= sizeof(*h) && h->nlmsg_len >= sizeof(*h) && h->nlmsg_len <= left) {
		request(s, n, h);
		left -= NLMSG_ALIGN(h->nlmsg_len) < left ? NLMSG_ALIGN(h->nlmsg_len) : left;
		h = (const void *)((const char *)h + NLMSG_ALIGN(h->nlmsg_len));
	}
	return (ssize_t)len;
}

/* Wait in virtual time until the socket has something. */
static int nl_wait(struct sim *s, int fd, struct nlsock *n, int flags)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	pull(s, n);
	while (!n->head && !n->enobufs) {
		if ((flags & MSG_DONTWAIT) || simfd_nonblock(fd))
			return -EAGAIN;
		if ((r = vt_poll(s, &p, 1, NULL, NULL)) < 0)
			return r;
		sim_end_check(s);
	}
	return 0;
}

static ssize_t nl_recv(struct sim *s, int fd, struct nlsock *n, struct msghdr *m, int flags)
{
	struct nldgram *d;
	size_t off = 0, i;
	int r;

	if ((r = nl_wait(s, fd, n, flags)) < 0)
		return r;
	if (n->enobufs) {
		n->enobufs = false;
		return -ENOBUFS;
	}
	d = n->head;
	m->msg_flags = 0;
	for (i = 0; i < m->msg_iovlen && off < d->len; i++) {
		size_t k = d->len - off < m->msg_iov[i].iov_len ? d->len - off : m->msg_iov[i].iov_len;

		memcpy(m->msg_iov[i].iov_base, d->data + off, k);
		off += k;
	}
	if (off < d->len)
		m->msg_flags |= MSG_TRUNC;
	if (m->msg_name && m->msg_namelen >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

		sa.nl_groups = d->notify ? 1u << (RTNLGRP_LINK - 1) : 0;
		memcpy(m->msg_name, &sa, sizeof(sa));
		m->msg_namelen = sizeof(sa);
	}
	m->msg_controllen = 0;
	r = (flags & MSG_TRUNC) ? (int)d->len : (int)off;
	if (!(flags & MSG_PEEK))
		dgram_pop(n);
	return r;
}

/* ---- called by the socket interposers (ic_net.c, ic_netio.c) for what is
 * not a simulated UDP socket: a netlink one, or the kernel's ---- */

int nlsim_socket(int domain, int type, int protocol)
{
	struct sim *s = sim_get();
	struct simfd proto = { .kind = SIMFD_NETLINK };
	int fd;

	if (!s || domain != AF_NETLINK || protocol != NETLINK_ROUTE || !s->w->sc.nifaces)
		return real.socket(domain, type, protocol);
	if ((type & 0xf) != SOCK_RAW && (type & 0xf) != SOCK_DGRAM)
		return ret_errno(-ESOCKTNOSUPPORT);
	if (!(proto.nl = calloc(1, sizeof(*proto.nl))))
		return ret_errno(-ENOMEM);
	proto.nl->rcvbuf = proto.nl->sndbuf = 212992;
	pull(s, proto.nl);
	fd = simfd_placeholder((type & SOCK_CLOEXEC ? O_CLOEXEC : 0) |
			       (type & SOCK_NONBLOCK ? O_NONBLOCK : 0));
	if (fd < 0 || simfd_attach(s, fd, &proto)) {
		nlsim_free(proto.nl);
		if (fd >= 0)
			real.close(fd);
		return ret_errno(-EMFILE);
	}
	return fd;
}

/* A port id nobody else holds: the pid first, as the kernel's autobind. */
static uint32_t free_pid(struct sim *s, uint32_t want)
{
	uint32_t pid = want ? want : (uint32_t)getpid();
	int fd;

	for (fd = 0; fd < SIM_MAX_FD; fd++) {
		struct simfd *f = s->fd[fd];

		if (f && f->kind == SIMFD_NETLINK && f->nl->pid == pid) {
			if (want)
				return 0;
			pid = (uint32_t)-4096 - (uint32_t)fd;	/* as netlink_autobind() */
			fd = -1;
		}
	}
	return pid;
}

int nlsim_bind(int fd, const struct sockaddr *a, socklen_t len)
{
	struct sim *s;
	struct nlsock *n = nl_of(&s, fd);
	const struct sockaddr_nl *sa = (const void *)a;
	uint32_t pid;

	if (!n)
		return real.bind(fd, a, len);
	if (len < sizeof(*sa) || sa->nl_family != AF_NETLINK)
		return ret_errno(-EINVAL);
	if (n->pid && sa->nl_pid && sa->nl_pid != n->pid)
		return ret_errno(-EINVAL);
	if (!n->pid) {
		if (!(pid = free_pid(s, sa->nl_pid)))
			return ret_errno(-EADDRINUSE);
		n->pid = pid;
	}
	n->groups |= sa->nl_groups;
	pull(s, n);
	return 0;
}

int nlsim_getsockname(int fd, struct sockaddr *a, socklen_t *len)
{
	struct sim *s;
	struct nlsock *n = nl_of(&s, fd);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (!n)
		return real.getsockname(fd, a, len);
	if (!n->pid)
		n->pid = free_pid(s, 0);
	sa.nl_pid = n->pid;
	sa.nl_groups = n->groups;
	memcpy(a, &sa, *len < sizeof(sa) ? *len : sizeof(sa));
	*len = sizeof(sa);
	return 0;
}

int nlsim_setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	struct sim *s;
	struct nlsock *n = nl_of(&s, fd);
	int x = 0;

	if (!n)
		return real.setsockopt(fd, level, name, v, len);
	if (len >= sizeof(int))
		memcpy(&x, v, sizeof(int));
	if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_RCVBUFFORCE))
		n->rcvbuf = 2 * x;
	else if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_SNDBUFFORCE))
		n->sndbuf = 2 * x;
	else if (level == SOL_NETLINK && name == NETLINK_ADD_MEMBERSHIP && x >= 1 && x <= 32) {
		pull(s, n);	/* a new member hears only what happens from now on */
		n->groups |= 1u << (x - 1);
		n->seen = s->w->link_seq;
		n->overruns_seen = s->w->nl_overruns;
	} else if (level == SOL_NETLINK && name == NETLINK_DROP_MEMBERSHIP && x >= 1 && x <= 32)
		n->groups &= ~(1u << (x - 1));
	else if (level != SOL_NETLINK && level != SOL_SOCKET)
		return ret_errno(-ENOPROTOOPT);
	return 0;		/* the rest (EXT_ACK, STRICT_CHK, PKTINFO, ...) accepted */
}

int nlsim_getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	struct sim *s;
	struct nlsock *n = nl_of(&s, fd);
	int x = 0;

	if (!n)
		return real.getsockopt(fd, level, name, v, len);
	if (level == SOL_SOCKET && name == SO_RCVBUF)
		x = n->rcvbuf;
	else if (level == SOL_SOCKET && name == SO_SNDBUF)
		x = n->sndbuf;
	else if (level == SOL_SOCKET && name == SO_TYPE)
		x = SOCK_RAW;
	else if (level == SOL_SOCKET && name == SO_ERROR)
		x = 0;
	else if (level != SOL_NETLINK)
		return ret_errno(-ENOPROTOOPT);
	if (*len < sizeof(int))
		return ret_errno(-EINVAL);
	memcpy(v, &x, sizeof(int));
	*len = sizeof(int);
	return 0;
}

ssize_t nlsim_sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct sim *s;
	struct nlsock *n = nl_of(&s, fd);
	unsigned char buf[8192];
	size_t len = 0, i;

	if (!n)
		return real.sendmsg(fd, m, flags);
	for (i = 0; i < m->msg_iovlen; i++) {
		if (len + m->msg_iov[i].iov_len > sizeof(buf))
			return ret_errno(-EMSGSIZE);
		memcpy(buf + len, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
		len += m->msg_iov[i].iov_len;
	}
	if (!n->pid)
		n->pid = free_pid(s, 0);
	return nl_send(s, n, buf, len);
}

ssize_t nlsim_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *a,
	       socklen_t alen)
{
	struct sim *s;
	struct nlsock *n = nl_of(&s, fd);

	if (!n)
		return real.sendto(fd, buf, len, flags, a, alen);
	if (!n->pid)
		n->pid = free_pid(s, 0);
	return nl_send(s, n, buf, len);
}

ssize_t nlsim_recvmsg(int fd, struct msghdr *m, int flags)
{
	struct sim *s;
	struct nlsock *n = nl_of(&s, fd);

	if (!n)
		return real.recvmsg(fd, m, flags);
	return ret_errno((int)nl_recv(s, fd, n, m, flags));
}

ssize_t nlsim_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a, socklen_t *alen)
{
	struct sim *s;
	struct nlsock *n = nl_of(&s, fd);
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct sockaddr_nl sa;
	ssize_t r;

	if (!n)
		return real.recvfrom(fd, buf, len, flags, a, alen);
	if (a && alen) {
		m.msg_name = &sa;
		m.msg_namelen = sizeof(sa);
	}
	r = nl_recv(s, fd, n, &m, flags);
	if (r >= 0 && a && alen) {
		memcpy(a, &sa, *alen < sizeof(sa) ? *alen : sizeof(sa));
		*alen = sizeof(sa);
	}
	return ret_errno((int)r);
}

ssize_t nlsim_read(struct sim *s, int fd, struct simfd *f, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	return ret_errno((int)nl_recv(s, fd, f->nl, &m, 0));
}
