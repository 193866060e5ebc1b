/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file netstamp.h
 * Kernel time stamps of datagrams (SO_TIMESTAMPING, software), for the
 * NTP client: the receive stamp of each datagram and the transmit stamp
 * from the error queue; for the NTP server (daemon/ntpserve/), receive
 * stamps with the sender's address. Raw data only; never logs.
 */
#ifndef GNOMON_NETSTAMP_H
#define GNOMON_NETSTAMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/** Ask for software RX and TX stamps (OPT_ID, OPT_TSONLY): 0 or -errno. */
int netstamp_enable(int fd);
/**
 * Receive one datagram (non-blocking): its length, or -errno (-EAGAIN:
 * none). *rx_ns: the kernel's receive stamp, CLOCK_REALTIME Unix ns, or
 * 0 when the datagram came without one.
 */
ssize_t netstamp_recv(int fd, void *buf, size_t len, int64_t *rx_ns);
/** Ask for software RX stamps only (a server's socket: no error queue
 *  to drain for every answer): 0 or -errno. */
int netstamp_enable_rx(int fd);
/** As netstamp_recv(), and the sender's address in *from (*fromlen in:
 *  its size, out: the address's length). */
ssize_t netstamp_recvfrom(int fd, void *buf, size_t len, struct sockaddr_storage *from,
			  socklen_t *fromlen, int64_t *rx_ns);
/** Pop one transmit stamp from the error queue: 0 and *tx_ns, or -errno
 *  (-EAGAIN: none queued). */
int netstamp_tx(int fd, int64_t *tx_ns);

#endif
