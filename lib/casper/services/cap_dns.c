/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.dns: name and address lookups in a sandboxed service process.
 *
 * Client half: each cap_* call sends one request and rebuilds the result
 * from the reply (dnsmarshal.c).  Service half: dns_limit() checks that new
 * limits only narrow the old ones, dns_command() runs the resolver.
 *
 * Limits are FreeBSD's: string entries "type%u" (NAME2ADDR, ADDR2NAME and
 * the legacy NAME, ADDR) and number entries "family%u" (AF_INET, AF_INET6).
 * A missing prefix allows every type or family.
 *
 * Denials: the hostent calls fail with h_errno NO_RECOVERY as on FreeBSD.
 * FreeBSD's getaddrinfo and getnameinfo return NO_RECOVERY (3) too, which a
 * caller reads as an EAI code; glibc's EAI codes are negative and 3 is none
 * of them, so here they return EAI_FAIL, the code with NO_RECOVERY's
 * meaning ("non-recoverable failure in name resolution").
 */
#include <sys/capsicum.h>
#include <sys/socket.h>
#include <sys/dnv.h>
#include <sys/nv.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_dns.h>

#include "dnsclient.h"
#include "dnsguard.h"
#include "dnsmarshal.h"

#define	DNS_SERVICE	"system.dns"

/* FreeBSD's gethostbyname(3) storage is static; so is ours. */
static struct hostent dns_hostent;

struct hostent *
cap_gethostbyname(cap_channel_t *chan, const char *name)
{

	return (dnsc_gethostbyname2(chan, name, AF_INET, &dns_hostent));
}

struct hostent *
cap_gethostbyname2(cap_channel_t *chan, const char *name, int af)
{

	return (dnsc_gethostbyname2(chan, name, af, &dns_hostent));
}

struct hostent *
cap_gethostbyaddr(cap_channel_t *chan, const void *addr, socklen_t len,
    int af)
{

	return (dnsc_gethostbyaddr(chan, addr, len, af, &dns_hostent));
}

int
cap_getaddrinfo(cap_channel_t *chan, const char *hostname,
    const char *servname, const struct addrinfo *hints,
    struct addrinfo **res)
{

	return (dnsc_getaddrinfo(chan, hostname, servname, hints, res));
}

int
cap_getnameinfo(cap_channel_t *chan, const struct sockaddr *sa,
    socklen_t salen, char *host, size_t hostlen, char *serv, size_t servlen,
    int flags)
{

	return (dnsc_getnameinfo(chan, sa, salen, host, hostlen, serv,
	    servlen, flags));
}

/*
 * Replace the entries of the current limits whose names start with prefix
 * by the ones add() puts in, keep the rest, and set the result.
 */
static int
dns_limit_replace(cap_channel_t *chan, const char *prefix,
    void (*add)(nvlist_t *, const void *, size_t), const void *arg, size_t n)
{
	nvlist_t *old, *nvl;
	const char *name;
	void *cookie;
	int type;

	if (cap_limit_get(chan, &old) < 0)
		return (-1);
	nvl = nvlist_create(0);
	if (old != NULL) {
		cookie = NULL;
		while ((name = nvlist_next(old, &type, &cookie)) != NULL) {
			if (strncmp(name, prefix, strlen(prefix)) == 0)
				continue;
			if (type == NV_TYPE_STRING)
				nvlist_add_string(nvl, name,
				    nvlist_get_string(old, name));
			else if (type == NV_TYPE_NUMBER)
				nvlist_add_number(nvl, name,
				    nvlist_get_number(old, name));
		}
		nvlist_destroy(old);
	}
	add(nvl, arg, n);
	return (cap_limit_set(chan, nvl));
}

static void
dns_add_types(nvlist_t *nvl, const void *arg, size_t n)
{
	const char *const *types = arg;
	char key[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "type%zu", i);
		nvlist_add_string(nvl, key, types[i]);
	}
}

static void
dns_add_families(nvlist_t *nvl, const void *arg, size_t n)
{
	const int *families = arg;
	char key[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "family%zu", i);
		nvlist_add_number(nvl, key, (uint64_t)families[i]);
	}
}

int
cap_dns_type_limit(cap_channel_t *chan, const char *const *types,
    size_t ntypes)
{

	if (ntypes != 0 && types == NULL) {
		errno = EINVAL;
		return (-1);
	}
	return (dns_limit_replace(chan, "type", dns_add_types, types,
	    ntypes));
}

int
cap_dns_family_limit(cap_channel_t *chan, const int *families,
    size_t nfamilies)
{

	if (nfamilies != 0 && families == NULL) {
		errno = EINVAL;
		return (-1);
	}
	return (dns_limit_replace(chan, "family", dns_add_families, families,
	    nfamilies));
}

/* ------------------------------------------------------------------ */
/* Service side. */

/* Canonical type name: the legacy names mean the same as the new ones. */
static const char *
dns_type_canon(const char *type)
{

	if (strcmp(type, "NAME2ADDR") == 0 || strcmp(type, "NAME") == 0)
		return ("NAME2ADDR");
	if (strcmp(type, "ADDR2NAME") == 0 || strcmp(type, "ADDR") == 0)
		return ("ADDR2NAME");
	return (NULL);
}

/* Does limits allow type (canonical)?  No type entries allow all. */
static bool
dns_allowed_type(const nvlist_t *limits, const char *type)
{
	const char *name, *canon;
	void *cookie;
	bool any;
	int nvtype;

	if (limits == NULL)
		return (true);
	any = false;
	cookie = NULL;
	while ((name = nvlist_next(limits, &nvtype, &cookie)) != NULL) {
		if (strncmp(name, "type", 4) != 0 || nvtype != NV_TYPE_STRING)
			continue;
		any = true;
		canon = dns_type_canon(nvlist_get_string(limits, name));
		if (canon != NULL && strcmp(canon, type) == 0)
			return (true);
	}
	return (!any);
}

/* Does limits allow family?  AF_UNSPEC and no family entries allow all. */
static bool
dns_allowed_family(const nvlist_t *limits, int family)
{
	const char *name;
	void *cookie;
	bool any;
	int nvtype;

	if (limits == NULL || family == AF_UNSPEC)
		return (true);
	any = false;
	cookie = NULL;
	while ((name = nvlist_next(limits, &nvtype, &cookie)) != NULL) {
		if (strncmp(name, "family", 6) != 0 ||
		    nvtype != NV_TYPE_NUMBER)
			continue;
		any = true;
		if (nvlist_get_number(limits, name) == (uint64_t)family)
			return (true);
	}
	return (!any);
}

static bool
dns_has_prefix(const nvlist_t *limits, const char *prefix)
{
	const char *name;
	void *cookie;
	int nvtype;

	if (limits == NULL)
		return (false);
	cookie = NULL;
	while ((name = nvlist_next(limits, &nvtype, &cookie)) != NULL)
		if (strncmp(name, prefix, strlen(prefix)) == 0)
			return (true);
	return (false);
}

static int
dns_limit(const nvlist_t *oldlimits, const nvlist_t *newlimits)
{
	const char *name, *canon;
	void *cookie;
	uint64_t family;
	int nvtype;

	cookie = NULL;
	while ((name = nvlist_next(newlimits, &nvtype, &cookie)) != NULL) {
		if (strncmp(name, "type", 4) == 0) {
			if (nvtype != NV_TYPE_STRING)
				return (EINVAL);
			canon = dns_type_canon(nvlist_get_string(newlimits,
			    name));
			if (canon == NULL)
				return (EINVAL);
			if (!dns_allowed_type(oldlimits, canon))
				return (ENOTCAPABLE);
		} else if (strncmp(name, "family", 6) == 0) {
			if (nvtype != NV_TYPE_NUMBER)
				return (EINVAL);
			family = nvlist_get_number(newlimits, name);
			if (family != AF_INET && family != AF_INET6)
				return (EINVAL);
			if (!dns_allowed_family(oldlimits, (int)family))
				return (ENOTCAPABLE);
		} else
			return (EINVAL);
	}
	/* Dropping a prefix would allow every type or family again. */
	if ((dns_has_prefix(oldlimits, "type") &&
	    !dns_has_prefix(newlimits, "type")) ||
	    (dns_has_prefix(oldlimits, "family") &&
	    !dns_has_prefix(newlimits, "family")))
		return (ENOTCAPABLE);
	return (0);
}

/* A request's number field as an int, or -1 if absent or out of range. */
static int
dns_get_int(const nvlist_t *nvl, const char *name)
{
	uint64_t v;

	if (!nvlist_exists_number(nvl, name))
		return (-1);
	v = nvlist_get_number(nvl, name);
	return (v > INT32_MAX ? -1 : (int)v);
}

static int
dns_gethostbyname(const nvlist_t *limits, const nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	struct hostent *hp;
	const char *name;
	int family;

	name = dnvlist_get_string(nvlin, "name", NULL);
	family = dns_get_int(nvlin, "family");
	if (name == NULL || family < 0)
		return (NO_RECOVERY);
	if (!dns_allowed_type(limits, "NAME2ADDR") ||
	    !dns_allowed_family(limits, family) || family == AF_UNSPEC)
		return (NO_RECOVERY);
	if ((hp = gethostbyname2(name, family)) == NULL)
		return (h_errno);
	dnsm_hostent_pack(hp, nvlout);
	return (0);
}

static int
dns_gethostbyaddr(const nvlist_t *limits, const nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	struct hostent *hp;
	const void *addr;
	size_t len;
	int family;

	addr = dnvlist_get_binary(nvlin, "addr", &len, NULL, 0);
	family = dns_get_int(nvlin, "family");
	if (!dnsm_addr_ok(addr, len, family))
		return (NO_RECOVERY);
	if (!dns_allowed_type(limits, "ADDR2NAME") ||
	    !dns_allowed_family(limits, family))
		return (NO_RECOVERY);
	if ((hp = gethostbyaddr(addr, (socklen_t)len, family)) == NULL)
		return (h_errno);
	dnsm_hostent_pack(hp, nvlout);
	return (0);
}

static int
dns_getaddrinfo(const nvlist_t *limits, const nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	struct addrinfo hints, *res, *ai;
	const char *hostname, *servname;
	unsigned int n;
	bool hashints;
	int error;

	if (nvlist_exists(nvlin, "hostname") &&
	    !nvlist_exists_string(nvlin, "hostname"))
		return (EAI_FAIL);
	if (nvlist_exists(nvlin, "servname") &&
	    !nvlist_exists_string(nvlin, "servname"))
		return (EAI_FAIL);
	hostname = dnvlist_get_string(nvlin, "hostname", NULL);
	servname = dnvlist_get_string(nvlin, "servname", NULL);
	if ((error = dnsm_hints_unpack(nvlin, &hints, &hashints)) != 0)
		return (error);
	if (!dns_allowed_type(limits, "NAME2ADDR") ||
	    !dns_allowed_family(limits, hints.ai_family))
		return (EAI_FAIL);
	error = getaddrinfo(hostname, servname, hashints ? &hints : NULL,
	    &res);
	if (error != 0)
		return (error);
	/* With AF_UNSPEC only the allowed families come back. */
	for (ai = res, n = 0; ai != NULL; ai = ai->ai_next) {
		if (!dns_allowed_family(limits, ai->ai_family) ||
		    dnsm_sockaddr_len(ai->ai_family) != ai->ai_addrlen)
			continue;
		dnsm_addrinfo_pack(ai, n++, nvlout);
	}
	freeaddrinfo(res);
	return (n == 0 ? EAI_NONAME : 0);
}

static int
dns_getnameinfo(const nvlist_t *limits, const nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	const struct sockaddr *sa;
	uint64_t hostlen, servlen;
	size_t salen;
	int error, flags;

	sa = dnvlist_get_binary(nvlin, "sa", &salen, NULL, 0);
	flags = dns_get_int(nvlin, "flags");
	if (sa == NULL || salen < sizeof(sa_family_t) ||
	    salen != dnsm_sockaddr_len(sa->sa_family) || flags < 0 ||
	    !nvlist_exists_number(nvlin, "hostlen") ||
	    !nvlist_exists_number(nvlin, "servlen"))
		return (EAI_FAIL);
	if (!dns_allowed_type(limits, "ADDR2NAME") ||
	    !dns_allowed_family(limits, sa->sa_family))
		return (EAI_FAIL);
	/* The caller's sizes, capped at what getnameinfo can produce. */
	hostlen = nvlist_get_number(nvlin, "hostlen");
	servlen = nvlist_get_number(nvlin, "servlen");
	if (hostlen > sizeof(host))
		hostlen = sizeof(host);
	if (servlen > sizeof(serv))
		servlen = sizeof(serv);
	error = getnameinfo(sa, (socklen_t)salen, hostlen != 0 ? host : NULL,
	    (socklen_t)hostlen, servlen != 0 ? serv : NULL,
	    (socklen_t)servlen, flags);
	if (error != 0)
		return (error);
	if (hostlen != 0)
		nvlist_add_string(nvlout, "host", host);
	if (servlen != 0)
		nvlist_add_string(nvlout, "serv", serv);
	return (0);
}

static int
dns_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{

	if (strcmp(cmd, "gethostbyname") == 0)
		return (dns_gethostbyname(limits, nvlin, nvlout));
	if (strcmp(cmd, "gethostbyaddr") == 0)
		return (dns_gethostbyaddr(limits, nvlin, nvlout));
	if (strcmp(cmd, "getaddrinfo") == 0)
		return (dns_getaddrinfo(limits, nvlin, nvlout));
	if (strcmp(cmd, "getnameinfo") == 0)
		return (dns_getnameinfo(limits, nvlin, nvlout));
	return (EINVAL);
}

/*
 * Load the NSS modules and read the configuration once, before the
 * sandbox makes the library directories unreadable.  Only files lookups:
 * a query here could wait for a name server that is not there.  Then the
 * UDP guard (dnsguard.h): from here on the service reaches the configured
 * name servers only.
 */
static int
dns_prepare(void)
{
	struct addrinfo hints, *res;

	(void)gethostbyname2("localhost", AF_INET);
	(void)getservbyname("domain", "udp");
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo("127.0.0.1", "53", &hints, &res) == 0)
		freeaddrinfo(res);
	return (dnsguard_start());
}

/* What glibc's resolver reads; absent files are skipped by the core. */
static const char *const dns_read[] = {
	"/etc/resolv.conf",
	"/etc/hosts",
	"/etc/host.conf",
	"/etc/nsswitch.conf",
	"/etc/gai.conf",
	"/etc/services",
	"/etc/protocols",
	NULL
};

static const struct casper_sandbox dns_sandbox = {
	.sb_prepare = dns_prepare,
	.sb_read = dns_read,
	.sb_write = NULL,
	.sb_flags = CASPER_SANDBOX_DNS,
};

static __attribute__((constructor)) void
dns_register(void)
{

	if (service_register(DNS_SERVICE, dns_limit, dns_command, 0) != NULL)
		(void)service_sandbox(DNS_SERVICE, &dns_sandbox);
}
