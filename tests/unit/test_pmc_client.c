/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ptp4l management client (daemon/source/pmc_client.c) against a fake
 * ptp4l on a Unix datagram socket in this process, on the same loop: it
 * learns the port, the time status and the time properties; it ignores a
 * malformed datagram, a reply with a sequence id it never sent and one for
 * another identity; a vanished ptp4l is noticed and the client reconnects
 * when it is back. Conditions are waited for, never timed.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/loop.h"
#include "daemon/source/pmc_client.h"

#define MS 1000000LL

Suite *unit_suite(void);

static char dir[32], srv_path[64], cli_path[64];
static int srv = -1;
static unsigned changes_seen, downs, ups;
static int mode;	/* 0 good, 1 malformed + stray replies first */

static const struct pmc_hdr ptp4l = {
	.source = { { 0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 }, 1 },
};

static int open_server(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", srv_path);
	unlink(srv_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void reply(int fd, const struct sockaddr_un *to, socklen_t tl, const struct pmc_reply *q)
{
	union pmc_data d;
	uint8_t b[PMC_MSG_MAX];
	ssize_t n;

	memset(&d, 0, sizeof(d));
	switch (q->id) {
	case PMC_ID_PORT_PROPERTIES_NP:
		d.port_props.port = ptp4l.source;
		d.port_props.state = PTP_PS_SLAVE;
		d.port_props.timestamping = PTP_TS_HARDWARE;
		strcpy(d.port_props.iface, "eth7");
		break;
	case PMC_ID_PORT_DATA_SET:
		d.port_ds.port = ptp4l.source;
		d.port_ds.state = PTP_PS_SLAVE;
		break;
	case PMC_ID_TIME_STATUS_NP:
		d.time_status.master_offset_ns = -17;
		d.time_status.gm_present = true;
		memcpy(d.time_status.gm_identity, "\xaa\xbb\xcc\xff\xfe\x01\x02\x03", 8);
		break;
	case PMC_ID_TIME_PROPERTIES_DATA_SET:
		d.time_props.utc_offset = 37;
		d.time_props.flags = PTP_TP_UTC_VALID | PTP_TP_PTP_TIMESCALE | PTP_TP_LEAP61;
		break;
	case PMC_ID_SUBSCRIBE_EVENTS_NP:
		d.subscribe = q->data.subscribe;
		break;
	}
	if (mode == 1) {
		static const uint8_t junk[60] = { 0x0d, 0x02, 0x00, 0x3c };
		struct ptp_port_id other = q->source;

		sendto(fd, junk, 7, 0, (const struct sockaddr *)to, tl);	/* short */
		n = pmc_build_response(b, sizeof(b), &ptp4l, (uint16_t)(q->seq + 1000),
				       &q->source, q->id, &d);	/* a sequence id never sent */
		sendto(fd, b, (size_t)n, 0, (const struct sockaddr *)to, tl);
		other.port ^= 0x100;				/* someone else's */
		n = pmc_build_response(b, sizeof(b), &ptp4l, q->seq, &other, q->id, &d);
		sendto(fd, b, (size_t)n, 0, (const struct sockaddr *)to, tl);
	}
	n = pmc_build_response(b, sizeof(b), &ptp4l, q->seq, &q->source, q->id, &d);
	ck_assert_int_gt(n, 0);
	sendto(fd, b, (size_t)n, 0, (const struct sockaddr *)to, tl);
}

static void on_server(struct loop *l, int fd, short revents, void *arg)
{
	struct sockaddr_un from;
	socklen_t fl = sizeof(from);
	struct pmc_reply q;
	uint8_t b[PMC_MSG_MAX];
	ssize_t n;

	(void)l; (void)revents; (void)arg;
	while ((n = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl)) > 0) {
		if (pmc_decode(b, (size_t)n, &q) == 0 &&
		    (q.action == PMC_GET || q.action == PMC_SET))
			reply(fd, &from, fl, &q);
		fl = sizeof(from);
	}
}

static void on_change(void *arg, unsigned ch, const struct ptp4l_view *v)
{
	(void)arg; (void)v;
	changes_seen |= ch;
	if (ch & PMC_CHANGE_DOWN)
		downs++;
	if (ch & PMC_CHANGE_UP)
		ups++;
}

/* Run the loop until cond() or 3 s. */
static int (*cond)(const struct pmc_client *c);
static const struct pmc_client *cur;

static int64_t check_cb(struct loop *l, long id, void *arg)
{
	(void)id; (void)arg;
	if (cond(cur))
		loop_stop(l);
	return 5 * MS;
}

static int64_t guard_cb(struct loop *l, long id, void *arg)
{
	(void)id;
	*(int *)arg = 1;
	loop_stop(l);
	return 0;
}

static bool run_until(struct loop *l, const struct pmc_client *c,
		      int (*f)(const struct pmc_client *))
{
	int fired = 0;
	long t1, t2;
	volatile int quit = 0;

	cond = f;
	cur = c;
	t1 = loop_add_timer(l, 0, check_cb, NULL);
	t2 = loop_add_timer(l, 3000 * MS, guard_cb, &fired);
	loop_run(l, &quit);
	loop_del_timer(l, t1);
	if (!fired)
		loop_del_timer(l, t2);
	return !fired;
}

static int learnt(const struct pmc_client *c)
{
	const struct ptp4l_view *v = pmc_client_view(c);

	return v->up && v->active >= 0 && v->ports[v->active].iface[0] && v->have_status &&
	       v->have_tprops;
}

static int is_down(const struct pmc_client *c)
{
	return !pmc_client_view(c)->up;
}

static struct loop *setup(struct pmc_client **c)
{
	struct pmc_client_params p = {
		.server = srv_path, .local = cli_path, .name = "test",
		.poll_ns = 20 * MS, .timeout_ns = 100 * MS, .subscribe_s = 60,
	};
	struct loop *l = loop_create();
	int err = 0;

	snprintf(dir, sizeof(dir), "/tmp/gnomon-pmc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(srv_path, sizeof(srv_path), "%s/ptp4l", dir);
	snprintf(cli_path, sizeof(cli_path), "%s/pmc", dir);
	changes_seen = downs = ups = 0;
	srv = open_server();
	ck_assert_int_eq(loop_add_fd(l, srv, POLLIN, on_server, NULL), 0);
	*c = pmc_client_create(l, &p, on_change, NULL, &err);
	ck_assert_ptr_nonnull(*c);
	return l;
}

static void teardown(struct loop *l, struct pmc_client *c)
{
	pmc_client_destroy(c);
	if (srv >= 0) {
		loop_del_fd(l, srv);
		close(srv);
		srv = -1;
	}
	loop_destroy(l);
	unlink(srv_path);
	ck_assert_int_ne(access(cli_path, F_OK), 0);	/* the client unlinked its path */
	rmdir(dir);
}

START_TEST(learns_the_port)
{
	struct pmc_client *c;
	struct loop *l;
	const struct ptp4l_view *v;

	mode = 0;
	l = setup(&c);
	ck_assert(run_until(l, c, learnt));
	v = pmc_client_view(c);
	ck_assert_str_eq(v->ports[v->active].iface, "eth7");
	ck_assert_int_eq(v->ports[v->active].state, PTP_PS_SLAVE);
	ck_assert_int_eq(v->ports[v->active].timestamping, PTP_TS_HARDWARE);
	ck_assert(v->status.master_offset_ns == -17);
	ck_assert(v->status.gm_present);
	ck_assert_int_eq(v->tprops.utc_offset, 37);
	ck_assert(v->tprops.flags & PTP_TP_LEAP61);
	ck_assert_uint_eq(v->malformed, 0);
	ck_assert(changes_seen & PMC_CHANGE_UP);
	ck_assert(changes_seen & PMC_CHANGE_PORT);
	teardown(l, c);
}
END_TEST

START_TEST(ignores_bad_and_stray)
{
	struct pmc_client *c;
	struct loop *l;
	const struct ptp4l_view *v;

	mode = 1;
	l = setup(&c);
	ck_assert(run_until(l, c, learnt));
	v = pmc_client_view(c);
	ck_assert_uint_gt(v->malformed, 0);
	ck_assert_uint_gt(v->unexpected, 0);
	ck_assert_str_eq(v->ports[v->active].iface, "eth7");
	ck_assert(v->status.master_offset_ns == -17);
	teardown(l, c);
}
END_TEST

START_TEST(reconnects)
{
	struct pmc_client *c;
	struct loop *l;

	mode = 0;
	l = setup(&c);
	ck_assert(run_until(l, c, learnt));
	/* ptp4l goes away */
	loop_del_fd(l, srv);
	close(srv);
	unlink(srv_path);
	srv = -1;
	ck_assert(run_until(l, c, is_down));
	ck_assert_uint_eq(downs, 1);
	/* and comes back at the same path */
	srv = open_server();
	ck_assert_int_eq(loop_add_fd(l, srv, POLLIN, on_server, NULL), 0);
	ck_assert(run_until(l, c, learnt));
	ck_assert_uint_eq(ups, 2);
	ck_assert_uint_eq(pmc_client_view(c)->reconnects, 2);
	teardown(l, c);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("pmc_client");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, learns_the_port);
	tcase_add_test(tc, ignores_bad_and_stray);
	tcase_add_test(tc, reconnects);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}
