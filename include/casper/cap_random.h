/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.random Casper service.
 *
 * Source compatible with the historic FreeBSD <casper/cap_random.h>:
 * cap_random_buf() fills a buffer with random bytes from the service.
 * getrandom(2) works in capability mode, so new code should call
 * arc4random_buf(3) or getrandom(2); this service keeps old code working.
 *
 * Without Casper (WITHOUT_CASPER) cap_random_buf is arc4random_buf.
 */
#ifndef _CASPER_CAP_RANDOM_H_
#define	_CASPER_CAP_RANDOM_H_

#include <stddef.h>
#include <stdlib.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef WITH_CASPER
int	cap_random_buf(cap_channel_t *chan, void *buf, size_t nbytes);
#else
static inline int
cap_random_buf(cap_channel_t *chan, void *buf, size_t nbytes)
{
	(void)chan;
	arc4random_buf(buf, nbytes);
	return (0);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_RANDOM_H_ */
