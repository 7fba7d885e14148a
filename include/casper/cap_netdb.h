/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.netdb Casper service.
 *
 * Source compatible with FreeBSD's <casper/cap_netdb.h>:
 * cap_getprotobyname() looks a protocol up in the protocols database
 * (/etc/protocols through glibc) from capability mode.  The result lives
 * in storage of the library, overwritten by the next call, like
 * getprotobyname(3)'s.  The service has no limits.
 *
 * Without Casper (WITHOUT_CASPER) cap_getprotobyname is getprotobyname.
 */
#ifndef _CASPER_CAP_NETDB_H_
#define	_CASPER_CAP_NETDB_H_

#include <netdb.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef WITH_CASPER
struct protoent	*cap_getprotobyname(cap_channel_t *chan, const char *name);
#else
static inline struct protoent *
cap_getprotobyname(cap_channel_t *chan, const char *name)
{
	(void)chan;
	return (getprotobyname(name));
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_NETDB_H_ */
