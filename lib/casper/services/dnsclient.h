/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client half of the resolver calls of system.dns and system.net
 * (dnsclient.c).  Internal to libcasper.
 */
#ifndef CASPER_DNSCLIENT_H
#define	CASPER_DNSCLIENT_H

#include <sys/nv.h>
#include <sys/socket.h>

#include <netdb.h>

#include <libcasper.h>

/*
 * Send a request; return the reply if it carries error 0, else NULL with
 * *errorp set to the service's code (or failcode if the channel failed or
 * the reply is malformed).
 */
nvlist_t	*dnsc_xfer(cap_channel_t *chan, nvlist_t *nvl, int failcode,
		    int *errorp);

/* The lookups; hostent results live in *store, the caller's static. */
struct hostent	*dnsc_gethostbyname2(cap_channel_t *chan, const char *name,
		    int af, struct hostent *store);
struct hostent	*dnsc_gethostbyaddr(cap_channel_t *chan, const void *addr,
		    socklen_t len, int af, struct hostent *store);
int		 dnsc_getaddrinfo(cap_channel_t *chan, const char *hostname,
		    const char *servname, const struct addrinfo *hints,
		    struct addrinfo **res);
int		 dnsc_getnameinfo(cap_channel_t *chan,
		    const struct sockaddr *sa, socklen_t salen, char *host,
		    size_t hostlen, char *serv, size_t servlen, int flags);

#endif /* !CASPER_DNSCLIENT_H */
