/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Big-endian field access and the byte offsets of a management message,
 * shared by the decoder (pmc_msg.c) and the builders (pmc_build.c). */
#ifndef GNOMON_PMC_WIRE_H
#define GNOMON_PMC_WIRE_H

#include <stdint.h>
#include <string.h>

#include "daemon/source/pmc_msg.h"

#define PTP_MSG_MANAGEMENT	0x0d
#define PTP_MAJOR_VERSION	2
#define PTP_CTL_MANAGEMENT	4
#define TLV_MANAGEMENT		0x0001
#define TLV_MANAGEMENT_ERROR	0x0002

/* offsets in the message (1588 Table 18, 13.12.1) */
#define OFF_TSMT	0
#define OFF_VER		1
#define OFF_LEN		2
#define OFF_DOMAIN	4
#define OFF_SRC_PORT	20
#define OFF_SEQ		30
#define OFF_CONTROL	32
#define OFF_LOGINT	33
#define OFF_TARGET	34
#define OFF_SBH		44	/* startingBoundaryHops */
#define OFF_BH		45
#define OFF_ACTION	46

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static inline void get_port_id(const uint8_t *p, struct ptp_port_id *id)
{
	memcpy(id->clock, p, 8);
	id->port = get16(p + 8);
}

static inline void put_port_id(uint8_t *p, const struct ptp_port_id *id)
{
	memcpy(p, id->clock, 8);
	put16(p + 8, id->port);
}

#endif
