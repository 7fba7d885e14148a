/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.dns Casper service.
 *
 * Source compatible with FreeBSD's <casper/cap_dns.h>.  Name and address
 * lookups done by a sandboxed service process that may read the resolver
 * configuration and talk to name servers, nothing else (docs/casper.md).
 *
 * Results are rebuilt in the caller: the addrinfo list from
 * cap_getaddrinfo() is freed with the ordinary freeaddrinfo(3); the hostent
 * from cap_gethostby*() is static storage overwritten by the next call, as
 * gethostbyname(3)'s is.
 *
 * Without Casper (WITHOUT_CASPER) every function is the libc call and the
 * limit functions succeed without doing anything.
 */
#ifndef _CASPER_CAP_DNS_H_
#define	_CASPER_CAP_DNS_H_

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef WITH_CASPER

struct hostent	*cap_gethostbyname(cap_channel_t *chan, const char *name);
struct hostent	*cap_gethostbyname2(cap_channel_t *chan, const char *name,
		    int af);
struct hostent	*cap_gethostbyaddr(cap_channel_t *chan, const void *addr,
		    socklen_t len, int af);

int	cap_getaddrinfo(cap_channel_t *chan, const char *hostname,
	    const char *servname, const struct addrinfo *hints,
	    struct addrinfo **res);
int	cap_getnameinfo(cap_channel_t *chan, const struct sockaddr *sa,
	    socklen_t salen, char *host, size_t hostlen, char *serv,
	    size_t servlen, int flags);

int	cap_dns_type_limit(cap_channel_t *chan, const char *const *types,
	    size_t ntypes);
int	cap_dns_family_limit(cap_channel_t *chan, const int *families,
	    size_t nfamilies);

#else /* !WITH_CASPER */

#include <casper/_resolver_fallback.h>

static inline int
cap_dns_type_limit(cap_channel_t *chan, const char *const *types,
    size_t ntypes)
{
	(void)chan;
	(void)types;
	(void)ntypes;
	return (0);
}

static inline int
cap_dns_family_limit(cap_channel_t *chan, const int *families,
    size_t nfamilies)
{
	(void)chan;
	(void)families;
	(void)nfamilies;
	return (0);
}

#endif /* WITH_CASPER */

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_DNS_H_ */
