// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The network inside the world, without the preload: sockets bind and
 * connect as the kernel's, a request to a played server comes back after
 * exactly the path's delays with CLOCK_REALTIME stamps of the true
 * instants, the error queue holds the TX stamp, closed sockets and other
 * ports drop, unknown addresses are unreachable, events change the path.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/net_tstamp.h>

#include "tests/sim/net.h"
#include "tests/sim/world.h"
#include "tests/unit/sim_world_fixture.h"

Suite *unit_suite(void);

#define S 1000000000LL

static struct scenario sc;

static struct world *make(const char *text)
{
	return sim_world_make(&sc, text, 0);
}

static const char text[] =
	"duration 100\nsystem\n\toffset 1ms\n"
	"host a\n\taddress 192.0.2.1\n\tdelay_out 2ms\n\tdelay_in 3ms\n\tntp\n\tproc_delay 0\n"
	"at 50 route a in 1ms\n";

static struct net_addr addr(const char *ip, uint16_t port)
{
	struct sc_addr a;
	struct net_addr n = { .port = port };

	ck_assert_int_eq(sc_parse_addr(ip, &a), 0);
	n.family = a.family;
	memcpy(n.a, a.a, 16);
	return n;
}

START_TEST(exchange_in_true_time)
{
	struct world *w = make(text);
	struct net_addr srv = addr("192.0.2.1", 123);
	uint8_t req[48] = { 0x23 };
	int id = net_socket(w, AF_INET);
	struct net_sock *k = net_sock(w, id);
	struct net_pkt *p;
	int64_t t0 = w->t, rt0 = sys_value(w, CLOCK_REALTIME, 0.0);

	k->ts_flags = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE |
		      SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_OPT_ID;
	ck_assert_int_eq(net_connect(w, id, &srv), 0);
	ck_assert_int_eq(k->local.port, NET_PORT_BASE);
	ck_assert_int_eq(net_send(w, id, NULL, req, sizeof(req), k->ts_flags), 48);
	p = net_pop(w, id, true, false);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->stamp, rt0);
	free(p);
	ck_assert_int_eq(net_next(w->net), t0 + 2000000);
	world_advance(w, 4999999);
	ck_assert_ptr_null(net_pop(w, id, false, true));
	world_advance(w, 1);
	p = net_pop(w, id, false, false);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->len, 48);
	ck_assert_int_eq(p->stamp, rt0 + 5000000);
	ck_assert_int_eq(p->src.port, 123);
	free(p);
	ck_assert_int_eq(w->net->host[0].srv.answers, 1);
	/* after the route change the answer takes 1 ms longer */
	world_advance_to(w, t0 + 60 * S);
	net_send(w, id, NULL, req, sizeof(req), 0);
	world_advance(w, 6000000);
	p = net_pop(w, id, false, false);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->t_arrive - p->t_sent, 4000000);
	free(p);
	world_destroy(w);
}
END_TEST

START_TEST(sockets_as_the_kernel)
{
	struct world *w = make(text);
	struct net_addr any = { .family = AF_INET, .port = 5000 }, srv = addr("192.0.2.1", 123);
	struct net_addr other = addr("192.0.2.99", 123), port9 = addr("192.0.2.1", 9);
	int a = net_socket(w, AF_INET), b = net_socket(w, AF_INET);
	uint8_t req[48] = { 0x23 };

	ck_assert_int_eq(net_bind(w, a, &any), 0);
	ck_assert_int_eq(net_bind(w, b, &any), -EADDRINUSE);
	net_sock(w, a)->reuseaddr = net_sock(w, b)->reuseaddr = true;
	ck_assert_int_eq(net_bind(w, b, &any), 0);
	ck_assert_int_eq(net_bind(w, a, &any), -EINVAL);	/* bound already */
	ck_assert_int_eq(net_connect(w, a, &other), -ENETUNREACH);
	ck_assert_int_eq(net_send(w, a, &other, req, 48, 0), -ENETUNREACH);
	ck_assert_int_eq(net_send(w, a, NULL, req, 48, 0), -EDESTADDRREQ);
	/* another port: dropped at the host; a closed socket: its answer dropped */
	net_send(w, a, &port9, req, 48, 0);
	net_send(w, a, &srv, req, 48, 0);
	net_send(w, b, &srv, req, 48, 0);
	net_close(w, a);
	net_close(w, b);
	world_advance(w, S);
	ck_assert_int_eq(w->net->host[0].refused, 1);
	ck_assert_int_eq(w->net->host[0].closed, 2);
	world_destroy(w);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sim_networld");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, exchange_in_true_time);
	tcase_add_test(tc, sockets_as_the_kernel);
	suite_add_tcase(s, tc);
	return s;
}
