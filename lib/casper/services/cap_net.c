/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.net: bind(2), connect(2) and name lookups within limits.
 *
 * cap_bind() and cap_connect() send the socket to the service, which binds
 * or connects its copy: the two descriptors share one open file
 * description, so the caller's socket is bound or connected afterwards.
 *
 * Limits (built with cap_net_limit_init and the cap_net_limit_* calls):
 *   "mode"		number, CAPNET_* bits
 *   "addr2name_family"	nvlist of family numbers
 *   "addr2name"	nvlist of socket addresses (binary)
 *   "name2addr_family"	nvlist of family numbers
 *   "name2addr"	nvlist of nvlists with optional "name", "serv"
 *   "connect", "bind"	nvlists of socket addresses
 * A missing list allows everything its mode bit allows.  Later limits must
 * be subsets: fewer mode bits, and for each list of the old limits a list
 * whose entries all appear in it.
 *
 * Sandbox (docs/casper.md): the framework defers it; the service enters it
 * at its first request or limit, after adding a Landlock layer that allows
 * TCP bind and connect only on the ports the limits name (net_ports).
 */
#include <sys/capsicum.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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
#include <unistd.h>

#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_net.h>

#include "../casper_impl.h"
#include "dnsclient.h"
#include "dnsmarshal.h"

#define	NET_SERVICE	"system.net"
#define	NET_ALLMODES	(CAPNET_ADDR2NAME | CAPNET_NAME2ADDR |		\
			 CAPNET_DEPRECATED_ADDR2NAME |			\
			 CAPNET_DEPRECATED_NAME2ADDR | CAPNET_CONNECT |	\
			 CAPNET_BIND | CAPNET_CONNECTDNS)
#define	NET_NAMEMODES	(CAPNET_ADDR2NAME | CAPNET_NAME2ADDR |		\
			 CAPNET_DEPRECATED_ADDR2NAME |			\
			 CAPNET_DEPRECATED_NAME2ADDR)

enum net_list {
	NL_A2N_FAMILY, NL_A2N, NL_N2A_FAMILY, NL_N2A, NL_CONNECT, NL_BIND,
	NL_COUNT
};
static const char *const net_listname[NL_COUNT] = {
	"addr2name_family", "addr2name", "name2addr_family", "name2addr",
	"connect", "bind"
};

struct cap_net_limit {
	cap_channel_t	*cnl_chan;
	uint64_t	 cnl_mode;
	nvlist_t	*cnl_list[NL_COUNT];
	unsigned int	 cnl_count[NL_COUNT];
};

/* As in cap_dns.c: the hostent of the last call. */
static struct hostent net_hostent;

/* ------------------------------------------------------------------ */
/* Client side. */

static int
net_sockcmd(cap_channel_t *chan, const char *cmd, int s,
    const struct sockaddr *sa, socklen_t salen)
{
	nvlist_t *nvl;
	int error;

	if (sa == NULL) {
		errno = EFAULT;
		return (-1);
	}
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", cmd);
	/* A copy: the caller keeps its descriptor. */
	nvlist_add_descriptor(nvl, "s", s);
	nvlist_add_binary(nvl, "sa", sa, salen);
	if ((nvl = dnsc_xfer(chan, nvl, -1, &error)) == NULL) {
		/* A failed channel already set errno. */
		if (error != -1)
			errno = error;
		return (-1);
	}
	nvlist_destroy(nvl);
	return (0);
}

int
cap_bind(cap_channel_t *chan, int s, const struct sockaddr *addr,
    socklen_t addrlen)
{

	return (net_sockcmd(chan, "bind", s, addr, addrlen));
}

int
cap_connect(cap_channel_t *chan, int s, const struct sockaddr *name,
    socklen_t namelen)
{

	return (net_sockcmd(chan, "connect", s, name, namelen));
}

struct hostent *
cap_net_gethostbyname(cap_channel_t *chan, const char *name)
{

	return (dnsc_gethostbyname2(chan, name, AF_INET, &net_hostent));
}

struct hostent *
cap_net_gethostbyname2(cap_channel_t *chan, const char *name, int af)
{

	return (dnsc_gethostbyname2(chan, name, af, &net_hostent));
}

struct hostent *
cap_net_gethostbyaddr(cap_channel_t *chan, const void *addr, socklen_t len,
    int af)
{

	return (dnsc_gethostbyaddr(chan, addr, len, af, &net_hostent));
}

int
cap_net_getaddrinfo(cap_channel_t *chan, const char *hostname,
    const char *servname, const struct addrinfo *hints,
    struct addrinfo **res)
{

	return (dnsc_getaddrinfo(chan, hostname, servname, hints, res));
}

int
cap_net_getnameinfo(cap_channel_t *chan, const struct sockaddr *sa,
    socklen_t salen, char *host, size_t hostlen, char *serv, size_t servlen,
    int flags)
{

	return (dnsc_getnameinfo(chan, sa, salen, host, hostlen, serv,
	    servlen, flags));
}

cap_net_limit_t *
cap_net_limit_init(cap_channel_t *chan, uint64_t mode)
{
	cap_net_limit_t *limit;

	if (chan == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	if ((limit = calloc(1, sizeof(*limit))) == NULL)
		return (NULL);
	limit->cnl_chan = chan;
	limit->cnl_mode = mode;
	return (limit);
}

void
cap_net_free(cap_net_limit_t *limit)
{
	int i;

	if (limit == NULL)
		return;
	for (i = 0; i < NL_COUNT; i++)
		nvlist_destroy(limit->cnl_list[i]);
	free(limit);
}

int
cap_net_limit(cap_net_limit_t *limit)
{
	cap_channel_t *chan;
	nvlist_t *nvl;
	int i;

	if (limit == NULL) {
		errno = EINVAL;
		return (-1);
	}
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "mode", limit->cnl_mode);
	for (i = 0; i < NL_COUNT; i++) {
		if (limit->cnl_list[i] != NULL)
			nvlist_move_nvlist(nvl, net_listname[i],
			    limit->cnl_list[i]);
		limit->cnl_list[i] = NULL;
	}
	chan = limit->cnl_chan;
	cap_net_free(limit);
	return (cap_limit_set(chan, nvl));
}

/* The list i of limit, created on first use; its next entry name. */
static nvlist_t *
net_limit_list(cap_net_limit_t *limit, int i, char *key, size_t keysize)
{

	if (limit->cnl_list[i] == NULL)
		limit->cnl_list[i] = nvlist_create(0);
	snprintf(key, keysize, "%u", limit->cnl_count[i]++);
	return (limit->cnl_list[i]);
}

static cap_net_limit_t *
net_limit_families(cap_net_limit_t *limit, int i, const int *family,
    size_t size)
{
	char key[16];
	nvlist_t *l;
	size_t j;

	if (limit == NULL)
		return (NULL);
	for (j = 0; j < size; j++) {
		l = net_limit_list(limit, i, key, sizeof(key));
		nvlist_add_number(l, key, (uint64_t)family[j]);
	}
	/* An empty family list still restricts: to nothing. */
	if (size == 0 && limit->cnl_list[i] == NULL)
		limit->cnl_list[i] = nvlist_create(0);
	return (limit);
}

static cap_net_limit_t *
net_limit_sockaddr(cap_net_limit_t *limit, int i, const struct sockaddr *sa,
    socklen_t salen)
{
	char key[16];
	nvlist_t *l;

	if (limit == NULL)
		return (NULL);
	l = net_limit_list(limit, i, key, sizeof(key));
	/* Malformed addresses are refused by the service at cap_net_limit. */
	if (sa == NULL)
		nvlist_add_null(l, key);
	else
		nvlist_add_binary(l, key, sa, salen);
	return (limit);
}

cap_net_limit_t *
cap_net_limit_addr2name_family(cap_net_limit_t *limit, int *family,
    size_t size)
{

	return (net_limit_families(limit, NL_A2N_FAMILY, family, size));
}

cap_net_limit_t *
cap_net_limit_name2addr_family(cap_net_limit_t *limit, int *family,
    size_t size)
{

	return (net_limit_families(limit, NL_N2A_FAMILY, family, size));
}

cap_net_limit_t *
cap_net_limit_addr2name(cap_net_limit_t *limit, const struct sockaddr *sa,
    socklen_t salen)
{

	return (net_limit_sockaddr(limit, NL_A2N, sa, salen));
}

cap_net_limit_t *
cap_net_limit_connect(cap_net_limit_t *limit, const struct sockaddr *sa,
    socklen_t salen)
{

	return (net_limit_sockaddr(limit, NL_CONNECT, sa, salen));
}

cap_net_limit_t *
cap_net_limit_bind(cap_net_limit_t *limit, const struct sockaddr *sa,
    socklen_t salen)
{

	return (net_limit_sockaddr(limit, NL_BIND, sa, salen));
}

cap_net_limit_t *
cap_net_limit_name2addr(cap_net_limit_t *limit, const char *name,
    const char *serv)
{
	nvlist_t *l, *elem;
	char key[16];

	if (limit == NULL)
		return (NULL);
	l = net_limit_list(limit, NL_N2A, key, sizeof(key));
	elem = nvlist_create(0);
	if (name != NULL)
		nvlist_add_string(elem, "name", name);
	if (serv != NULL)
		nvlist_add_string(elem, "serv", serv);
	nvlist_move_nvlist(l, key, elem);
	return (limit);
}

/* ------------------------------------------------------------------ */
/* Service side: limits. */

static bool
net_sockaddr_ok(const void *sa, size_t len)
{

	return (len >= sizeof(sa_family_t) &&
	    len == dnsm_sockaddr_len(((const struct sockaddr *)sa)->sa_family));
}

/* Is every entry of list i well formed?  Values only, names are free. */
static bool
net_list_valid(int i, const nvlist_t *l)
{
	const nvlist_t *elem;
	const char *name, *ename;
	const void *sa;
	void *cookie, *ecookie;
	size_t len;
	uint64_t fam;
	int type, etype;

	cookie = NULL;
	while ((name = nvlist_next(l, &type, &cookie)) != NULL) {
		switch (i) {
		case NL_A2N_FAMILY:
		case NL_N2A_FAMILY:
			if (type != NV_TYPE_NUMBER)
				return (false);
			fam = nvlist_get_number(l, name);
			if (fam != AF_INET && fam != AF_INET6)
				return (false);
			break;
		case NL_N2A:
			if (type != NV_TYPE_NVLIST)
				return (false);
			elem = nvlist_get_nvlist(l, name);
			ecookie = NULL;
			while ((ename = nvlist_next(elem, &etype,
			    &ecookie)) != NULL)
				if (etype != NV_TYPE_STRING ||
				    (strcmp(ename, "name") != 0 &&
				    strcmp(ename, "serv") != 0))
					return (false);
			break;
		default:
			if (type != NV_TYPE_BINARY)
				return (false);
			sa = nvlist_get_binary(l, name, &len);
			if (!net_sockaddr_ok(sa, len))
				return (false);
			break;
		}
	}
	return (true);
}

/* Does list l hold family? */
static bool
net_list_family(const nvlist_t *l, int family)
{
	const char *name;
	void *cookie;
	int type;

	cookie = NULL;
	while ((name = nvlist_next(l, &type, &cookie)) != NULL)
		if (type == NV_TYPE_NUMBER &&
		    nvlist_get_number(l, name) == (uint64_t)family)
			return (true);
	return (false);
}

/* Does list l hold the socket address (with the port if port)? */
static bool
net_list_sockaddr(const nvlist_t *l, const struct sockaddr *sa, size_t len,
    bool port)
{
	const void *entry;
	const char *name;
	void *cookie;
	size_t elen;
	int type;

	cookie = NULL;
	while ((name = nvlist_next(l, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_BINARY)
			continue;
		entry = nvlist_get_binary(l, name, &elen);
		if (dnsm_sockaddr_equal(entry, elen, sa, len, port))
			return (true);
	}
	return (false);
}

/* Does a name2addr entry with these fields allow (name, serv)? */
static bool
net_n2a_match(const nvlist_t *entry, const char *name, const char *serv)
{
	const char *ename, *eserv;

	ename = dnvlist_get_string(entry, "name", NULL);
	eserv = dnvlist_get_string(entry, "serv", NULL);
	return ((ename == NULL || (name != NULL && strcmp(ename, name) == 0)) &&
	    (eserv == NULL || (serv != NULL && strcmp(eserv, serv) == 0)));
}

/*
 * Does the name2addr list l allow (name, serv)?  For gethostbyname
 * (anyserv) only the names are compared.
 */
static bool
net_list_n2a(const nvlist_t *l, const char *name, const char *serv,
    bool anyserv)
{
	const nvlist_t *entry;
	const char *key, *ename;
	void *cookie;
	int type;

	cookie = NULL;
	while ((key = nvlist_next(l, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_NVLIST)
			continue;
		entry = nvlist_get_nvlist(l, key);
		if (anyserv) {
			ename = dnvlist_get_string(entry, "name", NULL);
			if (ename == NULL || strcmp(ename, name) == 0)
				return (true);
		} else if (net_n2a_match(entry, name, serv))
			return (true);
	}
	return (false);
}

/* Is every entry of the new list i contained in the old one? */
static bool
net_list_subset(int i, const nvlist_t *oldl, const nvlist_t *newl)
{
	const nvlist_t *entry;
	const void *sa;
	const char *name;
	void *cookie;
	size_t len;
	int type;

	cookie = NULL;
	while ((name = nvlist_next(newl, &type, &cookie)) != NULL) {
		switch (i) {
		case NL_A2N_FAMILY:
		case NL_N2A_FAMILY:
			if (!net_list_family(oldl,
			    (int)nvlist_get_number(newl, name)))
				return (false);
			break;
		case NL_N2A:
			/* A wildcard field is covered only by a wildcard. */
			entry = nvlist_get_nvlist(newl, name);
			if (!net_list_n2a(oldl,
			    dnvlist_get_string(entry, "name", NULL),
			    dnvlist_get_string(entry, "serv", NULL), false))
				return (false);
			break;
		default:
			sa = nvlist_get_binary(newl, name, &len);
			if (!net_list_sockaddr(oldl, sa, len, true))
				return (false);
			break;
		}
	}
	return (true);
}

static const nvlist_t *
net_get_list(const nvlist_t *limits, int i)
{

	if (limits == NULL)
		return (NULL);
	return (dnvlist_get_nvlist(limits, net_listname[i], NULL));
}

static uint64_t
net_mode(const nvlist_t *limits)
{

	if (limits == NULL)
		return (NET_ALLMODES);
	return (dnvlist_get_number(limits, "mode", 0));
}

static bool net_confined;		/* a port layer is in force */
static int net_confine(const nvlist_t *limits);

static int
net_limit(const nvlist_t *oldlimits, const nvlist_t *newlimits)
{
	const nvlist_t *oldl, *newl;
	const char *name;
	void *cookie;
	uint64_t mode;
	int i, type;

	if (!nvlist_exists_number(newlimits, "mode"))
		return (EINVAL);
	mode = nvlist_get_number(newlimits, "mode");
	if ((mode & ~(uint64_t)NET_ALLMODES) != 0)
		return (EINVAL);
	cookie = NULL;
	while ((name = nvlist_next(newlimits, &type, &cookie)) != NULL) {
		if (strcmp(name, "mode") == 0)
			continue;
		for (i = 0; i < NL_COUNT; i++)
			if (strcmp(name, net_listname[i]) == 0)
				break;
		if (i == NL_COUNT || type != NV_TYPE_NVLIST ||
		    !net_list_valid(i, nvlist_get_nvlist(newlimits, name)))
			return (EINVAL);
	}
	if ((mode & ~net_mode(oldlimits)) != 0)
		return (ENOTCAPABLE);
	for (i = 0; i < NL_COUNT; i++) {
		oldl = net_get_list(oldlimits, i);
		newl = net_get_list(newlimits, i);
		if (oldl == NULL)
			continue;
		if (newl == NULL || !net_list_subset(i, oldl, newl))
			return (ENOTCAPABLE);
	}
	return (net_confine(newlimits));
}

/* ------------------------------------------------------------------ */
/* Service side: addresses from name lookups, for CAPNET_CONNECTDNS. */

#define	NET_DNSCACHE	1024

struct net_dnsaddr {
	struct sockaddr_storage	 nd_sa;
	size_t			 nd_len;
	bool			 nd_anyport;	/* from gethostbyname */
};
static struct net_dnsaddr *net_dnscache;
static unsigned int net_dnsnext, net_dnscount;

/* Remember an address; the oldest is forgotten when the table is full. */
static void
net_dns_remember(const struct sockaddr *sa, size_t len, bool anyport)
{
	struct net_dnsaddr *nd;

	if (len > sizeof(nd->nd_sa) || !net_sockaddr_ok(sa, len))
		return;
	if (net_dnscache == NULL &&
	    (net_dnscache = calloc(NET_DNSCACHE, sizeof(*nd))) == NULL)
		return;
	nd = &net_dnscache[net_dnsnext];
	memcpy(&nd->nd_sa, sa, len);
	nd->nd_len = len;
	nd->nd_anyport = anyport;
	net_dnsnext = (net_dnsnext + 1) % NET_DNSCACHE;
	if (net_dnscount < NET_DNSCACHE)
		net_dnscount++;
}

static bool
net_dns_known(const struct sockaddr *sa, size_t len)
{
	const struct net_dnsaddr *nd;
	unsigned int i;

	for (i = 0; i < net_dnscount; i++) {
		nd = &net_dnscache[i];
		if (dnsm_sockaddr_equal((const struct sockaddr *)&nd->nd_sa,
		    nd->nd_len, sa, len, !nd->nd_anyport))
			return (true);
	}
	return (false);
}

/* Remember the addresses of a hostent, any port. */
static void
net_dns_remember_hostent(const struct hostent *hp)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	int i;

	for (i = 0; hp->h_addr_list[i] != NULL; i++) {
		if (hp->h_addrtype == AF_INET && hp->h_length == 4) {
			memset(&sin, 0, sizeof(sin));
			sin.sin_family = AF_INET;
			memcpy(&sin.sin_addr, hp->h_addr_list[i], 4);
			net_dns_remember((struct sockaddr *)&sin, sizeof(sin),
			    true);
		} else if (hp->h_addrtype == AF_INET6 &&
		    hp->h_length == 16) {
			memset(&sin6, 0, sizeof(sin6));
			sin6.sin6_family = AF_INET6;
			memcpy(&sin6.sin6_addr, hp->h_addr_list[i], 16);
			net_dns_remember((struct sockaddr *)&sin6,
			    sizeof(sin6), true);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Service side: commands. */

static int
net_get_int(const nvlist_t *nvl, const char *name)
{
	uint64_t v;

	if (!nvlist_exists_number(nvl, name))
		return (-1);
	v = nvlist_get_number(nvl, name);
	return (v > INT32_MAX ? -1 : (int)v);
}

static bool
net_family_allowed(const nvlist_t *limits, int i, int family)
{
	const nvlist_t *l;

	if ((l = net_get_list(limits, i)) == NULL || family == AF_UNSPEC)
		return (true);
	return (net_list_family(l, family));
}

static bool
net_connect_allowed(const nvlist_t *limits, const struct sockaddr *sa,
    size_t len)
{
	const nvlist_t *l;
	uint64_t mode;

	mode = net_mode(limits);
	if ((mode & CAPNET_CONNECT) != 0) {
		l = net_get_list(limits, NL_CONNECT);
		if (l == NULL || net_list_sockaddr(l, sa, len, true))
			return (true);
	}
	return ((mode & CAPNET_CONNECTDNS) != 0 && limits != NULL &&
	    net_dns_known(sa, len));
}

static int
net_sock(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin)
{
	const struct sockaddr *sa;
	const nvlist_t *l;
	size_t len;
	int s, error;
	bool isbind;

	isbind = strcmp(cmd, "bind") == 0;
	sa = dnvlist_get_binary(nvlin, "sa", &len, NULL, 0);
	if (!nvlist_exists_descriptor(nvlin, "s") || sa == NULL)
		return (EINVAL);
	if (!net_sockaddr_ok(sa, len))
		return (EAFNOSUPPORT);
	if (isbind) {
		l = net_get_list(limits, NL_BIND);
		if ((net_mode(limits) & CAPNET_BIND) == 0 ||
		    (l != NULL && !net_list_sockaddr(l, sa, len, true)))
			return (ENOTCAPABLE);
	} else if (!net_connect_allowed(limits, sa, len))
		return (ENOTCAPABLE);
	s = nvlist_take_descriptor(nvlin, "s");
	error = (isbind ? bind(s, sa, (socklen_t)len) :
	    connect(s, sa, (socklen_t)len)) < 0 ? errno : 0;
	close(s);
	return (error);
}

static int
net_gethostbyname(const nvlist_t *limits, const nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	const nvlist_t *l;
	struct hostent *hp;
	const char *name;
	int family;

	name = dnvlist_get_string(nvlin, "name", NULL);
	family = net_get_int(nvlin, "family");
	if (name == NULL || family < 0)
		return (NO_RECOVERY);
	l = net_get_list(limits, NL_N2A);
	if ((net_mode(limits) & CAPNET_DEPRECATED_NAME2ADDR) == 0 ||
	    family == AF_UNSPEC ||
	    !net_family_allowed(limits, NL_N2A_FAMILY, family) ||
	    (l != NULL && !net_list_n2a(l, name, NULL, true)))
		return (NO_RECOVERY);
	if ((hp = gethostbyname2(name, family)) == NULL)
		return (h_errno);
	if ((net_mode(limits) & CAPNET_CONNECTDNS) != 0)
		net_dns_remember_hostent(hp);
	dnsm_hostent_pack(hp, nvlout);
	return (0);
}

static int
net_gethostbyaddr(const nvlist_t *limits, const nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	struct sockaddr_storage ss;
	const nvlist_t *l;
	struct hostent *hp;
	const void *addr;
	size_t len;
	int family;

	addr = dnvlist_get_binary(nvlin, "addr", &len, NULL, 0);
	family = net_get_int(nvlin, "family");
	if (!dnsm_addr_ok(addr, len, family))
		return (NO_RECOVERY);
	if ((net_mode(limits) & CAPNET_DEPRECATED_ADDR2NAME) == 0 ||
	    !net_family_allowed(limits, NL_A2N_FAMILY, family))
		return (NO_RECOVERY);
	if ((l = net_get_list(limits, NL_A2N)) != NULL) {
		/* The list holds socket addresses; compare the address. */
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = (sa_family_t)family;
		if (family == AF_INET)
			memcpy(&((struct sockaddr_in *)&ss)->sin_addr, addr,
			    len);
		else
			memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, addr,
			    len);
		if (!net_list_sockaddr(l, (struct sockaddr *)&ss,
		    dnsm_sockaddr_len(family), false))
			return (NO_RECOVERY);
	}
	if ((hp = gethostbyaddr(addr, (socklen_t)len, family)) == NULL)
		return (h_errno);
	dnsm_hostent_pack(hp, nvlout);
	return (0);
}

static int
net_getaddrinfo(const nvlist_t *limits, const nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	struct addrinfo hints, *res, *ai;
	const char *hostname, *servname;
	const nvlist_t *l;
	unsigned int n;
	bool hashints;
	int error;

	if ((nvlist_exists(nvlin, "hostname") &&
	    !nvlist_exists_string(nvlin, "hostname")) ||
	    (nvlist_exists(nvlin, "servname") &&
	    !nvlist_exists_string(nvlin, "servname")))
		return (EAI_FAIL);
	hostname = dnvlist_get_string(nvlin, "hostname", NULL);
	servname = dnvlist_get_string(nvlin, "servname", NULL);
	if ((error = dnsm_hints_unpack(nvlin, &hints, &hashints)) != 0)
		return (error);
	l = net_get_list(limits, NL_N2A);
	if ((net_mode(limits) & CAPNET_NAME2ADDR) == 0 ||
	    !net_family_allowed(limits, NL_N2A_FAMILY, hints.ai_family) ||
	    (l != NULL && !net_list_n2a(l, hostname, servname, false)))
		return (EAI_FAIL);
	error = getaddrinfo(hostname, servname, hashints ? &hints : NULL,
	    &res);
	if (error != 0)
		return (error);
	for (ai = res, n = 0; ai != NULL; ai = ai->ai_next) {
		if (!net_family_allowed(limits, NL_N2A_FAMILY,
		    ai->ai_family) ||
		    dnsm_sockaddr_len(ai->ai_family) != ai->ai_addrlen)
			continue;
		if ((net_mode(limits) & CAPNET_CONNECTDNS) != 0)
			net_dns_remember(ai->ai_addr, ai->ai_addrlen, false);
		dnsm_addrinfo_pack(ai, n++, nvlout);
	}
	freeaddrinfo(res);
	return (n == 0 ? EAI_NONAME : 0);
}

static int
net_getnameinfo(const nvlist_t *limits, const nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	const struct sockaddr *sa;
	const nvlist_t *l;
	uint64_t hostlen, servlen;
	size_t salen;
	int error, flags;

	sa = dnvlist_get_binary(nvlin, "sa", &salen, NULL, 0);
	flags = net_get_int(nvlin, "flags");
	if (sa == NULL || !net_sockaddr_ok(sa, salen) || flags < 0 ||
	    !nvlist_exists_number(nvlin, "hostlen") ||
	    !nvlist_exists_number(nvlin, "servlen"))
		return (EAI_FAIL);
	l = net_get_list(limits, NL_A2N);
	if ((net_mode(limits) & CAPNET_ADDR2NAME) == 0 ||
	    !net_family_allowed(limits, NL_A2N_FAMILY, sa->sa_family) ||
	    (l != NULL && !net_list_sockaddr(l, sa, salen, true)))
		return (EAI_FAIL);
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
net_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{

	if (strcmp(cmd, "bind") == 0 || strcmp(cmd, "connect") == 0)
		return (net_sock(cmd, limits, nvlin));
	if (strcmp(cmd, "gethostbyname") == 0)
		return (net_gethostbyname(limits, nvlin, nvlout));
	if (strcmp(cmd, "gethostbyaddr") == 0)
		return (net_gethostbyaddr(limits, nvlin, nvlout));
	if (strcmp(cmd, "getaddrinfo") == 0)
		return (net_getaddrinfo(limits, nvlin, nvlout));
	if (strcmp(cmd, "getnameinfo") == 0)
		return (net_getnameinfo(limits, nvlin, nvlout));
	return (EINVAL);
}

/* ------------------------------------------------------------------ */
/* Service side: sandbox. */

/* Landlock ABI 4 network rules; Debian 12's headers predate them. */
#define	NET_LL_BIND_TCP		(1ULL << 0)
#define	NET_LL_CONNECT_TCP	(1ULL << 1)
#define	NET_LL_RULE_PORT	2

struct net_ll_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
};

struct net_ll_port_attr {
	uint64_t	allowed_access;
	uint64_t	port;
} __attribute__((packed));

static int
net_ll_port(int rfd, uint64_t access, const void *sa)
{
	struct net_ll_port_attr pa;
	in_port_t port;

	if (((const struct sockaddr *)sa)->sa_family == AF_INET)
		port = ((const struct sockaddr_in *)sa)->sin_port;
	else
		port = ((const struct sockaddr_in6 *)sa)->sin6_port;
	pa.allowed_access = access;
	pa.port = ntohs(port);
	return ((int)syscall(SYS_landlock_add_rule, rfd, NET_LL_RULE_PORT,
	    &pa, 0));
}

static int
net_ll_list(int rfd, uint64_t access, const nvlist_t *l)
{
	const char *name;
	const void *sa;
	void *cookie;
	size_t len;
	int type;

	cookie = NULL;
	while ((name = nvlist_next(l, &type, &cookie)) != NULL) {
		sa = nvlist_get_binary(l, name, &len);
		if (net_ll_port(rfd, access, sa) < 0)
			return (-1);
	}
	return (0);
}

/*
 * A Landlock layer for the TCP ports the limits allow.  Binding is handled
 * unless any port may be bound; connecting unless any port may be reached
 * (CONNECT without a list, or CONNECTDNS, whose ports come from lookups).
 * The resolver may need TCP port 53.  UDP is out of Landlock's reach.
 */
static int
net_ports(const nvlist_t *limits)
{
	struct net_ll_ruleset_attr attr;
	struct sockaddr_in dns;
	const nvlist_t *bl, *cl;
	uint64_t mode, handled;
	int rfd, error;

	/* The fuzz harness drives the limit function in its own process. */
	if (casper_sandbox_fuzzing)
		return (0);
	mode = net_mode(limits);
	bl = net_get_list(limits, NL_BIND);
	cl = net_get_list(limits, NL_CONNECT);
	handled = 0;
	if ((mode & CAPNET_BIND) == 0 || bl != NULL)
		handled |= NET_LL_BIND_TCP;
	if ((mode & CAPNET_CONNECTDNS) == 0 &&
	    ((mode & CAPNET_CONNECT) == 0 || cl != NULL))
		handled |= NET_LL_CONNECT_TCP;
	if (handled == 0)
		return (0);
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_net = handled;
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr),
	    0);
	if (rfd < 0)
		return (errno);
	error = 0;
	if ((mode & CAPNET_BIND) != 0 && bl != NULL &&
	    net_ll_list(rfd, NET_LL_BIND_TCP, bl) < 0)
		error = errno;
	if (error == 0 && (handled & NET_LL_CONNECT_TCP) != 0 &&
	    (mode & CAPNET_CONNECT) != 0 &&
	    net_ll_list(rfd, NET_LL_CONNECT_TCP, cl) < 0)
		error = errno;
	if (error == 0 && (handled & NET_LL_CONNECT_TCP) != 0 &&
	    (mode & NET_NAMEMODES) != 0) {
		memset(&dns, 0, sizeof(dns));
		dns.sin_family = AF_INET;
		dns.sin_port = htons(53);
		if (net_ll_port(rfd, NET_LL_CONNECT_TCP, &dns) < 0)
			error = errno;
	}
	/*
	 * Landlock confines the calling thread only: the framework's watcher
	 * thread stops meanwhile and restarts confined (it inherits).
	 */
	if (error == 0) {
		casper_watcher_pause();
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_landlock_restrict_self, rfd, 0) < 0)
			error = errno;
		casper_watcher_resume();
	}
	close(rfd);
	return (error);
}

static const char *const net_read[] = {
	"/etc/resolv.conf",
	"/etc/hosts",
	"/etc/host.conf",
	"/etc/nsswitch.conf",
	"/etc/gai.conf",
	"/etc/services",
	"/etc/protocols",
	NULL
};

static int
net_prepare(void)
{
	struct addrinfo hints, *res;

	/* As system.dns: load the NSS modules while they are readable. */
	(void)gethostbyname2("localhost", AF_INET);
	(void)getservbyname("domain", "udp");
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo("127.0.0.1", "53", &hints, &res) == 0)
		freeaddrinfo(res);
	return (0);
}

/*
 * Entered before the first request: the resolver files only, no other
 * path; TCP left to the port layers that limits add (INET).
 */
static const struct casper_sandbox net_sandbox = {
	.sb_prepare = net_prepare,
	.sb_read = net_read,
	.sb_write = NULL,
	.sb_flags = CASPER_SANDBOX_INET,
};

/*
 * Limits add a Landlock layer for their TCP ports over the sandbox (layers
 * only ever narrow).  The first must succeed; a later one that cannot be
 * added is enforced by the checks above only, over the earlier layer.
 */
static int
net_confine(const nvlist_t *limits)
{
	int error;

	if (limits == NULL)
		return (0);
	error = net_ports(limits);
	if (!net_confined) {
		if (error != 0)
			return (error);
		net_confined = true;
	}
	return (0);
}

static __attribute__((constructor)) void
net_register(void)
{

	if (service_register(NET_SERVICE, net_limit, net_command, 0) != NULL)
		(void)service_sandbox(NET_SERVICE, &net_sandbox);
}
