// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A toy NTP client under the simulator (net.scn, net_offset.scn): the
 * sockets, their kernel timestamps and the played servers, checked from a
 * program.
 *   toy_net basic            sockets, options, timestamps, resolution, refusals
 *   toy_net stats N          N exchanges with host "stat": the one-way delays
 *                            from the timestamps (perfect clocks) against the
 *                            scenario's path, and "out_ns in_ns" lines on
 *                            stderr for run-tests.sh to hold against the
 *                            simulator's per-packet truth
 *   toy_net offset HOST NS   the offset measured from HOST = NS, to 2 ns
 *   toy_net events           net_events.scn's timed changes, one exchange a second
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>

#include "tap.h"

#define NS 1000000000LL
#define NTP_EPOCH 2208988800LL

struct exch {
	int64_t t1, t2, t3, t4;	/* kernel TX stamp, server rx, server tx, kernel RX stamp */
	int li, stratum;
	char refid[5];
};

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int64_t ntp_ns(uint64_t ts)
{
	return ((int64_t)(ts >> 32) - NTP_EPOCH) * NS +
	       (int64_t)(((ts & 0xffffffffu) * (unsigned __int128)NS + (1u << 31)) >> 32);
}

static int udp_to(const char *host, int family)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_DGRAM }, *ai;
	int fd, on = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
		     SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_ID;

	if (getaddrinfo(host, "ntp", &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &on, sizeof(on)) ||
	    fcntl(fd, F_SETFL, O_NONBLOCK)) {
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int64_t cmsg_stamp(struct msghdr *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
			struct scm_timestamping st;

			memcpy(&st, CMSG_DATA(c), sizeof(st));
			return st.ts[0].tv_sec * NS + st.ts[0].tv_nsec;
		}
	return -1;
}

static ssize_t recv_ts(int fd, int flags, unsigned char *buf, size_t len, int64_t *ts)
{
	char ctl[512];
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(fd, &m, flags);

	*ts = n >= 0 ? cmsg_stamp(&m) : -1;
	return n;
}

/* One exchange; 0, or -1 if no answer within 1 s (lost). */
static int exchange(int fd, struct exch *x)
{
	unsigned char req[48] = { 0x23 }, resp[128], frame[256];
	struct pollfd pfd = { fd, POLLIN, 0 };
	int64_t t;

	t = now_ns(CLOCK_REALTIME);	/* the transmit timestamp, as a client writes it */
	req[40] = (unsigned char)(((t / NS + NTP_EPOCH) >> 24) & 0xff);
	memcpy(req + 44, &t, 4);
	if (send(fd, req, sizeof(req), 0) != sizeof(req))
		return -2;
	if (recv_ts(fd, MSG_ERRQUEUE, frame, sizeof(frame), &x->t1) < 0)
		return -3;
	for (;;) {
		if (poll(&pfd, 1, 1000) <= 0)
			return -1;
		if (recv_ts(fd, 0, resp, sizeof(resp), &x->t4) < 48)
			return -4;
		if (!memcmp(resp + 24, req + 40, 8))
			break;	/* a late answer to an earlier request otherwise */
	}
	x->t2 = ntp_ns(get64(resp + 32));
	x->t3 = ntp_ns(get64(resp + 40));
	x->li = resp[0] >> 6;
	x->stratum = resp[1];
	memcpy(x->refid, resp + 12, 4);
	x->refid[4] = '\0';
	return 0;
}

static void test_refusals(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(123) };
	struct addrinfo *ai;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), r;

	inet_pton(AF_INET, "8.8.8.8", &a.sin_addr);
	errno = 0;
	r = (int)sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
	check(r < 0 && errno == ENETUNREACH, "refuse_sendto_real_address", "r %d errno %d", r, errno);
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	check(r < 0 && errno == ENETUNREACH, "refuse_connect_real_address", "r %d errno %d", r, errno);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	check(r < 0 && errno == ENETUNREACH, "refuse_tcp_real_address", "r %d errno %d", r, errno);
	r = (int)sendto(fd, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&a, sizeof(a));
	check(r < 0 && errno == ENETUNREACH, "refuse_tcp_fastopen_real_address", "r %d errno %d",
	      r, errno);
	close(fd);
	r = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	check(r < 0 && errno == EPERM, "refuse_raw_socket", "r %d errno %d", r, errno);
	r = socket(AF_PACKET, SOCK_DGRAM, 0);
	check(r < 0 && errno == EPERM, "refuse_packet_socket", "r %d errno %d", r, errno);
	/* the kernel's wall under the library: no datagram socket for a raw syscall */
	errno = 0;
	r = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	check(r < 0 && errno == EPERM, "kernel_refuses_raw_udp_socket", "r %d errno %d", r, errno);
	r = (int)syscall(SYS_socket, AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
	check(r < 0 && errno == EPERM, "kernel_refuses_raw_socket", "r %d errno %d", r, errno);
	r = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check(r >= 0, "kernel_allows_tcp_socket", "r %d errno %d", r, errno);
	if (r >= 0)
		close(r);
	r = getaddrinfo("pool.ntp.org", "123", NULL, &ai);
	check(r == EAI_NONAME, "refuse_dns_name", "r %d", r);
}

static void test_resolution(void)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *ai = NULL;
	char host[64] = "", ip[64] = "";
	int r = getaddrinfo("ntp1", "123", &hints, &ai);

	if (!r)
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, ip, sizeof(ip));
	check(!r && !strcmp(ip, "192.0.2.1") &&
	      ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port) == 123,
	      "getaddrinfo_scenario_host", "r %d ip %s", r, ip);
	if (!r)
		r = getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL, 0, 0);
	check(!r && !strcmp(host, "ntp1"), "getnameinfo_scenario_host", "r %d host %s", r, host);
	if (ai)
		freeaddrinfo(ai);
}

static void test_socket_basics(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = udp_to("ntp1", AF_INET), v = 0, fl;

	check(fd >= 0, "udp_socket_connected", "fd %d errno %d", fd, errno);
	getsockname(fd, (struct sockaddr *)&a, &len);
	check(a.sin_port != 0 && ntohl(a.sin_addr.s_addr) == 0xc6336401, "getsockname_autobound",
	      "port %u addr %08x", ntohs(a.sin_port), ntohl(a.sin_addr.s_addr));
	len = sizeof(v);
	getsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &v, &len);
	check(v & SOF_TIMESTAMPING_RX_SOFTWARE, "getsockopt_timestamping", "flags %x", v);
	fl = fcntl(fd, F_GETFL);
	check(fl >= 0 && (fl & O_NONBLOCK), "udp_nonblocking", "fl %x", fl);
	check(recv(fd, &v, sizeof(v), 0) < 0 && errno == EAGAIN, "recv_empty_eagain", "errno %d",
	      errno);
	check(shutdown(fd, SHUT_RDWR) < 0 && errno == EOPNOTSUPP, "shutdown_refused", "errno %d",
	      errno);
	{
		unsigned char req[48] = { 0x1b }, resp[48];
		struct iovec iv[2] = { { req, 20 }, { req + 20, 28 } }, b = { resp, sizeof(resp) };
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t w = writev(fd, iv, 2), r;
		int64_t ts;

		check(poll(&pfd, 1, 1000) == 1 && pfd.revents == POLLERR, "poll_pollerr_tx_stamp",
		      "revents %x", pfd.revents);
		recv_ts(fd, MSG_ERRQUEUE, resp, sizeof(resp), &ts);
		poll(&pfd, 1, 1000);
		r = readv(fd, &b, 1);
		check(w == 48 && r == 48 && (resp[0] & 7) == 4, "writev_readv", "w %zd r %zd", w, r);
	}
	close(fd);
}

static void test_exchange(int family, const char *name)
{
	struct exch x;
	int fd = udp_to("ntp1", family), r = fd < 0 ? -9 : exchange(fd, &x);
	char n[64];

	snprintf(n, sizeof(n), "ntp_exchange_%s", name);
	check(r == 0, n, "r %d", r);
	if (r)
		return;
	snprintf(n, sizeof(n), "delays_from_stamps_%s", name);
	/* net.scn: ntp1 5 ms out, 7 ms in, no jitter; perfect clocks, 5 us processing */
	check(x.t2 - x.t1 == 5000000 && x.t4 - x.t3 == 7000000 && x.t3 - x.t2 == 5000, n,
	      "out %lld in %lld proc %lld", (long long)(x.t2 - x.t1), (long long)(x.t4 - x.t3),
	      (long long)(x.t3 - x.t2));
	snprintf(n, sizeof(n), "server_fields_%s", name);
	check(x.stratum == 2 && !strcmp(x.refid, "PPS") && x.li == 0, n, "stratum %d refid %s li %d",
	      x.stratum, x.refid, x.li);
	close(fd);
}

static void stats(long n)
{
	struct exch x;
	double so = 0, so2 = 0, si = 0, si2 = 0, mino = 1e18, mini = 1e18;
	long ok = 0, i;
	int fd = udp_to("stat", AF_INET);

	for (i = 0; i < n; i++) {
		if (exchange(fd, &x))
			continue;
		double o = (double)(x.t2 - x.t1), in = (double)(x.t4 - x.t3);

		fprintf(stderr, "%lld %lld\n", (long long)(x.t2 - x.t1), (long long)(x.t4 - x.t3));
		ok++;
		so += o, so2 += o * o, si += in, si2 += in * in;
		mino = o < mino ? o : mino;
		mini = in < mini ? in : mini;
	}
	so /= (double)ok, si /= (double)ok;
	/* net.scn "stat": out 5 ms + exp(1 ms), 1 % loss; in 7 ms + normal(500 us), 2 % loss */
	double sdo = sqrt(so2 / (double)ok - so * so), sdi = sqrt(si2 / (double)ok - si * si);
	double loss = 1.0 - (double)ok / (double)n, want = 1.0 - 0.99 * 0.98;
	double se = sqrt(want * (1 - want) / (double)n);

	check(fabs(so - 6e6) < 5 * 1e6 / sqrt((double)ok), "stat_out_mean", "%.1f", so);
	check(fabs(sdo - 1e6) < 0.03e6, "stat_out_jitter_sd", "%.1f", sdo);
	check(mino >= 5e6 && mino < 5e6 + 1e6 * 5e-4 * 20, "stat_out_min_is_base", "%.1f", mino);
	check(fabs(si - 7e6) < 5 * 0.5e6 / sqrt((double)ok), "stat_in_mean", "%.1f", si);
	check(fabs(sdi - 0.5e6) < 0.015 * 0.5e6, "stat_in_jitter_sd", "%.1f", sdi);
	check(fabs(si - so - 1e6) < 30e3, "stat_asymmetry", "in - out %.1f", si - so);
	check(fabs(loss - want) < 5 * se, "stat_loss", "%.5f want %.5f", loss, want);
	printf("stat ok %ld mean_out %.1f sd_out %.1f mean_in %.1f sd_in %.1f loss %.5f\n", ok, so,
	       sdo, si, sdi, loss);
}

static void offset(const char *host, long long want)
{
	struct exch x;
	int fd = udp_to(host, AF_INET), r = fd < 0 ? -9 : exchange(fd, &x);
	long long off = r ? 0 : ((x.t2 - x.t1) + (x.t3 - x.t4)) / 2;

	check(r == 0 && llabs(off - want) <= 2, "offset_is_truth", "r %d offset %lld want %lld", r,
	      off, want);
}

/* net_events.scn: route +2 ms out at 10 s, outage 20..25 s, KoD RATE
 * 30..35 s, unreachable 40..45 s, the server's clock +1 ms at 50 s, LI=1
 * from 55 s. */
static void events(void)
{
	int fd = udp_to("ev", AF_INET), bad[7] = { 0 }, i;
	struct exch x;

	for (i = 0; i < 60; i++) {
		int64_t t0 = now_ns(CLOCK_MONOTONIC), r = exchange(fd, &x);
		int64_t out = x.t2 - x.t1, off = ((x.t2 - x.t1) + (x.t3 - x.t4)) / 2;
		int kod = !r && x.stratum == 0 && !strcmp(x.refid, "RATE");

		if (i < 10)
			bad[0] += r || out != 1000000;
		else if (i < 20)
			bad[1] += r || out != 3000000;
		else if (i > 20 && i < 25)
			bad[2] += r != -1;
		else if (i > 30 && i < 35)
			bad[3] += !kod;
		else if (i > 40 && i < 45)
			bad[4] += r != -1;
		else if (i > 50)
			bad[5] += r || llabs((long long)(off - 2000000)) > 2;	/* +1 ms, and 1 ms of asymmetry */
		if (i > 10 && i != 55 && !r && !kod)
			bad[6] += x.li != (i > 55);
		if (!r || r == -1) {	/* one exchange a second */
			struct timespec ts = { 0, 0 };
			int64_t left = 1000000000 - (now_ns(CLOCK_MONOTONIC) - t0);

			if (left > 0) {
				ts.tv_nsec = left;
				nanosleep(&ts, NULL);
			}
		}
	}
	check(!bad[0], "event_base_delay", "%d bad", bad[0]);
	check(!bad[1], "event_route_change", "%d bad", bad[1]);
	check(!bad[2], "event_outage_drops", "%d bad", bad[2]);
	check(!bad[3], "event_kod_rate", "%d bad", bad[3]);
	check(!bad[4], "event_unreachable", "%d bad", bad[4]);
	check(!bad[5], "event_server_step", "%d bad", bad[5]);
	check(!bad[6], "event_announce_leap", "%d bad", bad[6]);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "stats")) {
		stats(atol(argv[2]));
	} else if (argc >= 2 && !strcmp(argv[1], "events")) {
		events();
	} else if (argc >= 4 && !strcmp(argv[1], "offset")) {
		offset(argv[2], atoll(argv[3]));
	} else {
		test_refusals();
		test_resolution();
		test_socket_basics();
		test_exchange(AF_INET, "v4");
		test_exchange(AF_INET6, "v6");
	}
	return tap_failed ? 1 : 0;
}
