/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: internal to <casper/cap_dns.h> and <casper/cap_net.h>.
 *
 * Without Casper both services' resolver calls are the libc calls; the two
 * headers share these definitions so that a program may include both.
 */
#ifndef _CASPER_RESOLVER_FALLBACK_
#define	_CASPER_RESOLVER_FALLBACK_

#include <sys/socket.h>

#include <netdb.h>

#include <libcasper.h>

static inline struct hostent *
cap_gethostbyname(cap_channel_t *chan, const char *name)
{
	(void)chan;
	return (gethostbyname(name));
}

static inline struct hostent *
cap_gethostbyname2(cap_channel_t *chan, const char *name, int af)
{
	(void)chan;
	return (gethostbyname2(name, af));
}

static inline struct hostent *
cap_gethostbyaddr(cap_channel_t *chan, const void *addr, socklen_t len,
    int af)
{
	(void)chan;
	return (gethostbyaddr(addr, len, af));
}

static inline int
cap_getaddrinfo(cap_channel_t *chan, const char *hostname,
    const char *servname, const struct addrinfo *hints,
    struct addrinfo **res)
{
	(void)chan;
	return (getaddrinfo(hostname, servname, hints, res));
}

static inline int
cap_getnameinfo(cap_channel_t *chan, const struct sockaddr *sa,
    socklen_t salen, char *host, size_t hostlen, char *serv, size_t servlen,
    int flags)
{
	(void)chan;
	return (getnameinfo(sa, salen, host, (socklen_t)hostlen, serv,
	    (socklen_t)servlen, flags));
}

#endif /* !_CASPER_RESOLVER_FALLBACK_ */
