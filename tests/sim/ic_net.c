// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sockets. Every AF_INET/AF_INET6 datagram (UDP) socket is simulated: its
 * descriptor is a /dev/null placeholder, so nothing the program does with
 * it can reach the real network, and its packets travel only to the
 * scenario's hosts (net.c). Addresses that are not the scenario's are
 * refused loudly. Raw and packet sockets, other protocols and the other
 * families that reach other machines are refused; TCP sockets stay real
 * but may only connect to the loopback (local listeners such as gnomond's
 * metrics still work). Unix, netlink and AF_ALG sockets are the kernel's.
 * Under all this, the runner's seccomp filter refuses the kernel's UDP,
 * raw and packet sockets (runner_guard.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "tests/sim/net.h"
#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

static int ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int sim_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct net_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!sa || len < sizeof(sa_family_t))
		return -EINVAL;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		if (len < sizeof(*in))
			return -EINVAL;
		a->family = AF_INET;
		memcpy(a->a, &in->sin_addr, 4);
		a->port = ntohs(in->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		if (len < sizeof(*in6))
			return -EINVAL;
		a->family = AF_INET6;
		memcpy(a->a, &in6->sin6_addr, 16);
		a->port = ntohs(in6->sin6_port);
		return 0;
	}
	if (sa->sa_family == AF_UNSPEC)
		return 0;
	return -EAFNOSUPPORT;
}

void sim_to_sockaddr(const struct net_addr *a, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t n;

	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a->a, 16);
		in6->sin6_port = htons(a->port);
		n = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a->a, 4);
		in->sin_port = htons(a->port);
		n = sizeof(*in);
	}
	if (sa && len)
		memcpy(sa, &ss, *len < n ? *len : n);
	if (len)
		*len = n;
}

const char *sim_addr_str(const struct net_addr *a)
{
	static char buf[INET6_ADDRSTRLEN + 16];	/* messages only */
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->a, ip, sizeof(ip));
	snprintf(buf, sizeof(buf), a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
		 (unsigned)a->port);
	return buf;
}

struct net_sock *sim_udp(struct sim *s, int fd, int *id)
{
	struct simfd *f = simfd_get(s, fd);

	if (!f || f->kind != SIMFD_UDP)
		return NULL;
	if (id)
		*id = f->sock;
	return net_sock(s->w, f->sock);
}

short sim_udp_revents(struct sim *s, int id, short events)
{
	struct net_sock *k = net_sock(s->w, id);
	short r = 0;

	if (!k)
		return POLLNVAL;
	if ((events & POLLIN) && k->rx.n)
		r |= POLLIN;
	if (events & POLLOUT)
		r |= POLLOUT;
	if (k->err.n) {
		r |= POLLERR;
		if (k->select_err)
			r |= POLLPRI;
	}
	return r;
}

static int udp_socket(struct sim *s, int domain, int type)
{
	struct simfd proto = { .kind = SIMFD_UDP };
	int fd, flags = 0;

	if ((proto.sock = net_socket(s->w, domain)) < 0)
		return ret_errno(proto.sock);
	if (type & SOCK_CLOEXEC)
		flags |= O_CLOEXEC;
	if (type & SOCK_NONBLOCK)
		flags |= O_NONBLOCK;
	if ((fd = simfd_placeholder(flags)) < 0) {
		net_close(s->w, proto.sock);
		return -1;
	}
	if (simfd_attach(s, fd, &proto)) {
		net_close(s->w, proto.sock);
		real.close(fd);
		return ret_errno(-EMFILE);
	}
	return fd;
}

int socket(int domain, int type, int protocol)
{
	struct sim *s = sim_get();
	int base = type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (!s)
		return real.socket(domain, type, protocol);
	if (domain == AF_NETLINK)	/* NETLINK_ROUTE faked (netlink.c), the rest real */
		return nlsim_socket(domain, type, protocol);
	if (domain == AF_UNIX || domain == AF_ALG)
		return real.socket(domain, type, protocol);	/* this host only */
	if (domain != AF_INET && domain != AF_INET6) {
		sim_unsupported("socket(family %d): it could reach other machines", domain);
		return ret_errno(domain == AF_PACKET ? -EPERM : -EAFNOSUPPORT);
	}
	if (base == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP))
		return udp_socket(s, domain, type);
	if (base == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP))
		return real.socket(domain, type, protocol);
	sim_unsupported("socket(type %d, protocol %d): only UDP is simulated (and TCP to the "
			"loopback kept)", base, protocol);
	return ret_errno(base == SOCK_RAW ? -EPERM : -EPROTONOSUPPORT);
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct sim *s = sim_get();
	struct net_sock *k;
	struct net_addr a;
	int id, r;

	if (!s || !(k = sim_udp(s, fd, &id)))
		return nlsim_bind(fd, sa, len);
	if ((r = sim_from_sockaddr(sa, len, &a)))
		return ret_errno(r);
	if ((r = net_bind(s->w, id, &a)) == -EADDRNOTAVAIL)
		sim_unsupported("bind(%s): not an address of the simulated host "
				"(scenario local_address)", sim_addr_str(&a));
	return ret_errno(r);
}

static bool loopback(const struct sockaddr *sa, socklen_t len)
{
	struct net_addr a;

	if (sim_from_sockaddr(sa, len, &a) || !a.family)
		return true;	/* not IP: the kernel's business */
	if (a.family == AF_INET)
		return a.a[0] == 127;
	return IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)(const void *)a.a) ||
	       (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)(const void *)a.a) && a.a[12] == 127);
}

bool sim_real_dest_ok(const struct sockaddr *sa, socklen_t len)
{
	if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) || loopback(sa, len))
		return true;
	sim_unsupported("a real socket to a real address; only the loopback and the "
			"scenario's hosts (UDP) are reachable");
	return false;
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct sim *s = sim_get();
	struct net_sock *k;
	struct net_addr a;
	int id, r;

	if (!s)
		return real.connect(fd, sa, len);
	if (!(k = sim_udp(s, fd, &id)))
		return sim_real_dest_ok(sa, len) ? real.connect(fd, sa, len) :
		       ret_errno(-ENETUNREACH);
	if ((r = sim_from_sockaddr(sa, len, &a)))
		return ret_errno(r);
	if ((r = net_connect(s->w, id, &a)) == -ENETUNREACH)
		sim_unsupported("connect(%s): not a scenario host; the simulated network "
				"reaches only the scenario's hosts", sim_addr_str(&a));
	return ret_errno(r);
}

int getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct sim *s = sim_get();
	struct net_sock *k;

	if (!s || !(k = sim_udp(s, fd, NULL)))
		return nlsim_getsockname(fd, sa, len);
	if (!len)
		return ret_errno(-EFAULT);
	sim_to_sockaddr(&k->local, sa, len);
	return 0;
}

int getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct sim *s = sim_get();
	struct net_sock *k;

	if (!s || !(k = sim_udp(s, fd, NULL)))
		return real.getpeername(fd, sa, len);
	if (!k->connected)
		return ret_errno(-ENOTCONN);
	if (!len)
		return ret_errno(-EFAULT);
	sim_to_sockaddr(&k->peer, sa, len);
	return 0;
}

int setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	struct sim *s = sim_get();
	struct net_sock *k;

	if (!s || !(k = sim_udp(s, fd, NULL)))
		return nlsim_setsockopt(fd, level, name, v, len);
	return ret_errno(setsockopt_udp(s, k, level, name, v, len));
}

int getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	struct sim *s = sim_get();
	struct net_sock *k;

	if (!s || !(k = sim_udp(s, fd, NULL)))
		return nlsim_getsockopt(fd, level, name, v, len);
	return ret_errno(getsockopt_udp(s, k, level, name, v, len));
}
