/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The client half of the resolver calls, shared by system.dns and
 * system.net: both services speak the same requests (gethostbyname,
 * gethostbyaddr, getaddrinfo, getnameinfo) and the results are rebuilt
 * by dnsmarshal.c.
 */
#include <sys/dnv.h>
#include <sys/nv.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <string.h>

#include <libcasper.h>

#include "dnsclient.h"
#include "dnsmarshal.h"

/*
 * Send a request; return the reply if it carries error 0, else NULL with
 * *errorp set to the service's code (or failcode if the channel failed or
 * the reply is malformed).
 */
nvlist_t *
dnsc_xfer(cap_channel_t *chan, nvlist_t *nvl, int failcode, int *errorp)
{
	uint64_t error;

	if ((nvl = cap_xfer_nvlist(chan, nvl)) == NULL) {
		*errorp = failcode;
		return (NULL);
	}
	if (!nvlist_exists_number(nvl, "error")) {
		nvlist_destroy(nvl);
		*errorp = failcode;
		return (NULL);
	}
	error = nvlist_get_number(nvl, "error");
	if (error != 0) {
		nvlist_destroy(nvl);
		/* The service sends EAI codes (negative ints) sign-extended. */
		*errorp = (int)(int64_t)error;
		return (NULL);
	}
	*errorp = 0;
	return (nvl);
}

static struct hostent *
hostent_reply(nvlist_t *nvl, int error, struct hostent *store)
{
	struct hostent *hp;

	if (nvl == NULL) {
		h_errno = error;
		return (NULL);
	}
	hp = dnsm_hostent_unpack(nvl, store);
	nvlist_destroy(nvl);
	if (hp == NULL)
		h_errno = NO_RECOVERY;
	return (hp);
}

struct hostent *
dnsc_gethostbyname2(cap_channel_t *chan, const char *name, int af,
    struct hostent *store)
{
	nvlist_t *nvl;
	int error;

	if (name == NULL) {
		h_errno = HOST_NOT_FOUND;
		return (NULL);
	}
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "gethostbyname");
	nvlist_add_number(nvl, "family", (uint64_t)af);
	nvlist_add_string(nvl, "name", name);
	nvl = dnsc_xfer(chan, nvl, NO_RECOVERY, &error);
	return (hostent_reply(nvl, error, store));
}

struct hostent *
dnsc_gethostbyaddr(cap_channel_t *chan, const void *addr, socklen_t len,
    int af, struct hostent *store)
{
	nvlist_t *nvl;
	int error;

	if (!dnsm_addr_ok(addr, len, af)) {
		/* What glibc does with a wrong length or family. */
		errno = (addr == NULL || dnsm_sockaddr_len(af) != 0) ?
		    EINVAL : EAFNOSUPPORT;
		h_errno = NETDB_INTERNAL;
		return (NULL);
	}
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "gethostbyaddr");
	nvlist_add_binary(nvl, "addr", addr, len);
	nvlist_add_number(nvl, "family", (uint64_t)af);
	nvl = dnsc_xfer(chan, nvl, NO_RECOVERY, &error);
	return (hostent_reply(nvl, error, store));
}

int
dnsc_getaddrinfo(cap_channel_t *chan, const char *hostname,
    const char *servname, const struct addrinfo *hints,
    struct addrinfo **res)
{
	nvlist_t *nvl;
	int error;

	if (hostname == NULL && servname == NULL)
		return (EAI_NONAME);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getaddrinfo");
	if (hostname != NULL)
		nvlist_add_string(nvl, "hostname", hostname);
	if (servname != NULL)
		nvlist_add_string(nvl, "servname", servname);
	dnsm_hints_pack(hints, nvl);
	if ((nvl = dnsc_xfer(chan, nvl, EAI_FAIL, &error)) == NULL)
		return (error);
	error = dnsm_addrinfo_unpack(nvl, res);
	nvlist_destroy(nvl);
	return (error);
}

int
dnsc_getnameinfo(cap_channel_t *chan, const struct sockaddr *sa,
    socklen_t salen, char *host, size_t hostlen, char *serv, size_t servlen,
    int flags)
{
	nvlist_t *nvl;
	const char *s;
	int error;

	if (sa == NULL || salen < sizeof(sa_family_t) ||
	    salen != dnsm_sockaddr_len(sa->sa_family))
		return (EAI_FAIL);
	if (host == NULL)
		hostlen = 0;
	if (serv == NULL)
		servlen = 0;
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getnameinfo");
	nvlist_add_binary(nvl, "sa", sa, salen);
	nvlist_add_number(nvl, "hostlen", hostlen);
	nvlist_add_number(nvl, "servlen", servlen);
	nvlist_add_number(nvl, "flags", (uint64_t)flags);
	if ((nvl = dnsc_xfer(chan, nvl, EAI_FAIL, &error)) == NULL)
		return (error);
	/* Copy what fits; a reply longer than asked for is malformed. */
	if (hostlen != 0) {
		s = dnvlist_get_string(nvl, "host", NULL);
		if (s == NULL || strlen(s) >= hostlen) {
			nvlist_destroy(nvl);
			return (EAI_FAIL);
		}
		strcpy(host, s);
	}
	if (servlen != 0) {
		s = dnvlist_get_string(nvl, "serv", NULL);
		if (s == NULL || strlen(s) >= servlen) {
			nvlist_destroy(nvl);
			return (EAI_FAIL);
		}
		strcpy(serv, s);
	}
	nvlist_destroy(nvl);
	return (0);
}
