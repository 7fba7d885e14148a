/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.net Casper service.
 *
 * Source compatible with FreeBSD's <casper/cap_net.h>: bind(2) and
 * connect(2) of the caller's sockets and name lookups, done by a sandboxed
 * service process within limits set with the cap_net_limit_* builder.
 *
 * FreeBSD's libcap_net and libcap_dns both define cap_getaddrinfo,
 * cap_getnameinfo and cap_gethostby*, so a FreeBSD program links one or
 * the other.  Here both services live in one libcasper: this header
 * renames its four resolver calls to cap_net_*, so a program that includes
 * it gets system.net's versions under the FreeBSD names, and one that
 * includes only <casper/cap_dns.h> gets system.dns's.  A file that
 * includes both gets system.net's for every call after this header.
 *
 * Without Casper (WITHOUT_CASPER) every call is the libc call and the
 * limit functions succeed without doing anything.
 */
#ifndef _CASPER_CAP_NET_H_
#define	_CASPER_CAP_NET_H_

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	CAPNET_ADDR2NAME		(0x01)
#define	CAPNET_NAME2ADDR		(0x02)
#define	CAPNET_DEPRECATED_ADDR2NAME	(0x04)
#define	CAPNET_DEPRECATED_NAME2ADDR	(0x08)
#define	CAPNET_CONNECT			(0x10)
#define	CAPNET_BIND			(0x20)
#define	CAPNET_CONNECTDNS		(0x40)

typedef struct cap_net_limit cap_net_limit_t;

#ifdef WITH_CASPER

#define	cap_getaddrinfo		cap_net_getaddrinfo
#define	cap_getnameinfo		cap_net_getnameinfo
#define	cap_gethostbyname	cap_net_gethostbyname
#define	cap_gethostbyname2	cap_net_gethostbyname2
#define	cap_gethostbyaddr	cap_net_gethostbyaddr

int	cap_bind(cap_channel_t *chan, int s, const struct sockaddr *addr,
	    socklen_t addrlen);
int	cap_connect(cap_channel_t *chan, int s, const struct sockaddr *name,
	    socklen_t namelen);

int	cap_net_getaddrinfo(cap_channel_t *chan, const char *hostname,
	    const char *servname, const struct addrinfo *hints,
	    struct addrinfo **res);
int	cap_net_getnameinfo(cap_channel_t *chan, const struct sockaddr *sa,
	    socklen_t salen, char *host, size_t hostlen, char *serv,
	    size_t servlen, int flags);
struct hostent	*cap_net_gethostbyname(cap_channel_t *chan,
		    const char *name);
struct hostent	*cap_net_gethostbyname2(cap_channel_t *chan,
		    const char *name, int af);
struct hostent	*cap_net_gethostbyaddr(cap_channel_t *chan,
		    const void *addr, socklen_t len, int af);

cap_net_limit_t	*cap_net_limit_init(cap_channel_t *chan, uint64_t mode);
int		 cap_net_limit(cap_net_limit_t *limit);
void		 cap_net_free(cap_net_limit_t *limit);

cap_net_limit_t	*cap_net_limit_addr2name_family(cap_net_limit_t *limit,
		    int *family, size_t size);
cap_net_limit_t	*cap_net_limit_addr2name(cap_net_limit_t *limit,
		    const struct sockaddr *sa, socklen_t salen);
cap_net_limit_t	*cap_net_limit_name2addr_family(cap_net_limit_t *limit,
		    int *family, size_t size);
cap_net_limit_t	*cap_net_limit_name2addr(cap_net_limit_t *limit,
		    const char *name, const char *serv);
cap_net_limit_t	*cap_net_limit_connect(cap_net_limit_t *limit,
		    const struct sockaddr *sa, socklen_t salen);
cap_net_limit_t	*cap_net_limit_bind(cap_net_limit_t *limit,
		    const struct sockaddr *sa, socklen_t salen);

#else /* !WITH_CASPER */

#include <casper/_resolver_fallback.h>

static inline int
cap_bind(cap_channel_t *chan, int s, const struct sockaddr *addr,
    socklen_t addrlen)
{
	(void)chan;
	return (bind(s, addr, addrlen));
}

static inline int
cap_connect(cap_channel_t *chan, int s, const struct sockaddr *name,
    socklen_t namelen)
{
	(void)chan;
	return (connect(s, name, namelen));
}

/* A real allocation, so that a program freeing it stays correct. */
static inline cap_net_limit_t *
cap_net_limit_init(cap_channel_t *chan, uint64_t mode)
{
	(void)chan;
	(void)mode;
	return ((cap_net_limit_t *)malloc(8));
}

static inline int
cap_net_limit(cap_net_limit_t *limit)
{
	free(limit);
	return (0);
}

static inline void
cap_net_free(cap_net_limit_t *limit)
{
	free(limit);
}

static inline cap_net_limit_t *
cap_net_limit_addr2name_family(cap_net_limit_t *limit, int *family,
    size_t size)
{
	(void)family;
	(void)size;
	return (limit);
}

static inline cap_net_limit_t *
cap_net_limit_addr2name(cap_net_limit_t *limit, const struct sockaddr *sa,
    socklen_t salen)
{
	(void)sa;
	(void)salen;
	return (limit);
}

static inline cap_net_limit_t *
cap_net_limit_name2addr_family(cap_net_limit_t *limit, int *family,
    size_t size)
{
	(void)family;
	(void)size;
	return (limit);
}

static inline cap_net_limit_t *
cap_net_limit_name2addr(cap_net_limit_t *limit, const char *name,
    const char *serv)
{
	(void)name;
	(void)serv;
	return (limit);
}

static inline cap_net_limit_t *
cap_net_limit_connect(cap_net_limit_t *limit, const struct sockaddr *sa,
    socklen_t salen)
{
	(void)sa;
	(void)salen;
	return (limit);
}

static inline cap_net_limit_t *
cap_net_limit_bind(cap_net_limit_t *limit, const struct sockaddr *sa,
    socklen_t salen)
{
	(void)sa;
	(void)salen;
	return (limit);
}

#endif /* WITH_CASPER */

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_NET_H_ */
