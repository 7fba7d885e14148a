/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Resolver results as nvlists (see dnsmarshal.h).
 *
 * Wire layout.  hostent: "name" string, "naliases" number and "alias%u"
 * strings, "addrtype" and "length" numbers, "naddrs" number and "addr%u"
 * binaries.  addrinfo: one nvlist "res%u" per entry holding "ai_flags",
 * "ai_family", "ai_socktype", "ai_protocol" numbers, "ai_addr" binary and
 * an optional "ai_canonname" string.  Hints travel as the four numbers
 * "hints_flags", "hints_family", "hints_socktype", "hints_protocol".
 */
#include <sys/socket.h>
#include <sys/nv.h>

#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmarshal.h"

/* More than any resolver returns; bounds what a hostile reply can cost. */
#define	DNSM_MAXENTRIES	1024

size_t
dnsm_sockaddr_len(int family)
{

	switch (family) {
	case AF_INET:
		return (sizeof(struct sockaddr_in));
	case AF_INET6:
		return (sizeof(struct sockaddr_in6));
	default:
		return (0);
	}
}

bool
dnsm_addr_ok(const void *addr, size_t len, int family)
{

	if (addr == NULL)
		return (false);
	switch (family) {
	case AF_INET:
		return (len == sizeof(struct in_addr));
	case AF_INET6:
		return (len == sizeof(struct in6_addr));
	default:
		return (false);
	}
}

bool
dnsm_sockaddr_equal(const struct sockaddr *a, size_t alen,
    const struct sockaddr *b, size_t blen, bool port)
{
	const struct sockaddr_in *a4, *b4;
	const struct sockaddr_in6 *a6, *b6;

	if (alen < sizeof(sa_family_t) || blen < sizeof(sa_family_t) ||
	    a->sa_family != b->sa_family ||
	    alen != dnsm_sockaddr_len(a->sa_family) || blen != alen)
		return (false);
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)(const void *)a;
		b4 = (const struct sockaddr_in *)(const void *)b;
		return (a4->sin_addr.s_addr == b4->sin_addr.s_addr &&
		    (!port || a4->sin_port == b4->sin_port));
	}
	a6 = (const struct sockaddr_in6 *)(const void *)a;
	b6 = (const struct sockaddr_in6 *)(const void *)b;
	return (memcmp(&a6->sin6_addr, &b6->sin6_addr,
	    sizeof(a6->sin6_addr)) == 0 &&
	    a6->sin6_scope_id == b6->sin6_scope_id &&
	    (!port || a6->sin6_port == b6->sin6_port));
}

void
dnsm_hostent_pack(const struct hostent *hp, nvlist_t *nvl)
{
	char key[32];
	unsigned int i;

	if (hp->h_name != NULL)
		nvlist_add_string(nvl, "name", hp->h_name);
	for (i = 0; hp->h_aliases != NULL && hp->h_aliases[i] != NULL &&
	    i < DNSM_MAXENTRIES; i++) {
		snprintf(key, sizeof(key), "alias%u", i);
		nvlist_add_string(nvl, key, hp->h_aliases[i]);
	}
	nvlist_add_number(nvl, "naliases", i);
	nvlist_add_number(nvl, "addrtype", (uint64_t)hp->h_addrtype);
	nvlist_add_number(nvl, "length", (uint64_t)hp->h_length);
	for (i = 0; hp->h_addr_list != NULL && hp->h_addr_list[i] != NULL &&
	    i < DNSM_MAXENTRIES; i++) {
		snprintf(key, sizeof(key), "addr%u", i);
		nvlist_add_binary(nvl, key, hp->h_addr_list[i],
		    (size_t)hp->h_length);
	}
	nvlist_add_number(nvl, "naddrs", i);
}

void
dnsm_hostent_free(struct hostent *hp)
{
	char **pp;

	free(hp->h_name);
	if (hp->h_aliases != NULL) {
		for (pp = hp->h_aliases; *pp != NULL; pp++)
			free(*pp);
		free(hp->h_aliases);
	}
	if (hp->h_addr_list != NULL) {
		for (pp = hp->h_addr_list; *pp != NULL; pp++)
			free(*pp);
		free(hp->h_addr_list);
	}
	memset(hp, 0, sizeof(*hp));
}

struct hostent *
dnsm_hostent_unpack(const nvlist_t *nvl, struct hostent *hp)
{
	const void *addr;
	const char *s;
	char key[32];
	uint64_t naliases, naddrs, type, len;
	size_t size, i;

	dnsm_hostent_free(hp);
	if (!nvlist_exists_number(nvl, "naliases") ||
	    !nvlist_exists_number(nvl, "naddrs") ||
	    !nvlist_exists_number(nvl, "addrtype") ||
	    !nvlist_exists_number(nvl, "length"))
		return (NULL);
	naliases = nvlist_get_number(nvl, "naliases");
	naddrs = nvlist_get_number(nvl, "naddrs");
	type = nvlist_get_number(nvl, "addrtype");
	len = nvlist_get_number(nvl, "length");
	if (naliases > DNSM_MAXENTRIES || naddrs > DNSM_MAXENTRIES ||
	    !((type == AF_INET && len == sizeof(struct in_addr)) ||
	    (type == AF_INET6 && len == sizeof(struct in6_addr))))
		return (NULL);
	hp->h_addrtype = (int)type;
	hp->h_length = (int)len;
	s = nvlist_exists_string(nvl, "name") ?
	    nvlist_get_string(nvl, "name") : "";
	hp->h_aliases = calloc(naliases + 1, sizeof(char *));
	hp->h_addr_list = calloc(naddrs + 1, sizeof(char *));
	if ((hp->h_name = strdup(s)) == NULL || hp->h_aliases == NULL ||
	    hp->h_addr_list == NULL)
		goto fail;
	for (i = 0; i < naliases; i++) {
		snprintf(key, sizeof(key), "alias%zu", i);
		if (!nvlist_exists_string(nvl, key) ||
		    (hp->h_aliases[i] = strdup(nvlist_get_string(nvl,
		    key))) == NULL)
			goto fail;
	}
	for (i = 0; i < naddrs; i++) {
		snprintf(key, sizeof(key), "addr%zu", i);
		if (!nvlist_exists_binary(nvl, key))
			goto fail;
		addr = nvlist_get_binary(nvl, key, &size);
		if (size != len || (hp->h_addr_list[i] = malloc(size)) == NULL)
			goto fail;
		memcpy(hp->h_addr_list[i], addr, size);
	}
	return (hp);
fail:
	dnsm_hostent_free(hp);
	return (NULL);
}

void
dnsm_addrinfo_pack(const struct addrinfo *ai, unsigned int idx,
    nvlist_t *nvl)
{
	nvlist_t *elem;
	char key[32];

	elem = nvlist_create(0);
	nvlist_add_number(elem, "ai_flags", (uint64_t)ai->ai_flags);
	nvlist_add_number(elem, "ai_family", (uint64_t)ai->ai_family);
	nvlist_add_number(elem, "ai_socktype", (uint64_t)ai->ai_socktype);
	nvlist_add_number(elem, "ai_protocol", (uint64_t)ai->ai_protocol);
	nvlist_add_binary(elem, "ai_addr", ai->ai_addr, ai->ai_addrlen);
	if (ai->ai_canonname != NULL)
		nvlist_add_string(elem, "ai_canonname", ai->ai_canonname);
	snprintf(key, sizeof(key), "res%u", idx);
	nvlist_move_nvlist(nvl, key, elem);
}

/* One addrinfo in the layout glibc's freeaddrinfo() releases. */
static struct addrinfo *
dnsm_addrinfo_one(const nvlist_t *elem)
{
	static const char *const fields[] = { "ai_flags", "ai_family",
	    "ai_socktype", "ai_protocol" };
	struct addrinfo *ai;
	const struct sockaddr *sa;
	uint64_t v[4];
	size_t len, i;

	for (i = 0; i < 4; i++) {
		if (!nvlist_exists_number(elem, fields[i]))
			return (NULL);
		v[i] = nvlist_get_number(elem, fields[i]);
		if (v[i] > INT_MAX)
			return (NULL);
	}
	if (!nvlist_exists_binary(elem, "ai_addr"))
		return (NULL);
	sa = nvlist_get_binary(elem, "ai_addr", &len);
	if (len == 0 || len != dnsm_sockaddr_len((int)v[1]) ||
	    sa->sa_family != (sa_family_t)v[1])
		return (NULL);
	/*
	 * glibc 2.36's freeaddrinfo() frees each entry and its ai_canonname
	 * and nothing else: the socket address must live in the entry's own
	 * allocation, the canonical name in a separate one.
	 */
	if ((ai = calloc(1, sizeof(*ai) + len)) == NULL)
		return (NULL);
	ai->ai_flags = (int)v[0];
	ai->ai_family = (int)v[1];
	ai->ai_socktype = (int)v[2];
	ai->ai_protocol = (int)v[3];
	ai->ai_addrlen = (socklen_t)len;
	ai->ai_addr = (struct sockaddr *)(void *)(ai + 1);
	memcpy(ai->ai_addr, sa, len);
	if (nvlist_exists_string(elem, "ai_canonname") &&
	    (ai->ai_canonname = strdup(nvlist_get_string(elem,
	    "ai_canonname"))) == NULL) {
		free(ai);
		return (NULL);
	}
	return (ai);
}

int
dnsm_addrinfo_unpack(const nvlist_t *nvl, struct addrinfo **res)
{
	struct addrinfo *head, **tailp, *ai;
	char key[32];
	unsigned int i;

	head = NULL;
	tailp = &head;
	for (i = 0; i < DNSM_MAXENTRIES; i++) {
		snprintf(key, sizeof(key), "res%u", i);
		if (!nvlist_exists_nvlist(nvl, key))
			break;
		if ((ai = dnsm_addrinfo_one(nvlist_get_nvlist(nvl,
		    key))) == NULL) {
			freeaddrinfo(head);
			return (EAI_FAIL);
		}
		*tailp = ai;
		tailp = &ai->ai_next;
	}
	if (head == NULL)
		return (EAI_NONAME);
	*res = head;
	return (0);
}

void
dnsm_hints_pack(const struct addrinfo *hints, nvlist_t *nvl)
{

	if (hints == NULL)
		return;
	nvlist_add_number(nvl, "hints_flags", (uint64_t)hints->ai_flags);
	nvlist_add_number(nvl, "hints_family", (uint64_t)hints->ai_family);
	nvlist_add_number(nvl, "hints_socktype",
	    (uint64_t)hints->ai_socktype);
	nvlist_add_number(nvl, "hints_protocol",
	    (uint64_t)hints->ai_protocol);
}

int
dnsm_hints_unpack(const nvlist_t *nvl, struct addrinfo *hints,
    bool *hashints)
{
	static const char *const fields[] = { "hints_flags", "hints_family",
	    "hints_socktype", "hints_protocol" };
	uint64_t v[4];
	size_t i, n;

	memset(hints, 0, sizeof(*hints));
	for (i = n = 0; i < 4; i++) {
		if (!nvlist_exists(nvl, fields[i]))
			continue;
		if (!nvlist_exists_number(nvl, fields[i]))
			return (EAI_FAIL);
		v[i] = nvlist_get_number(nvl, fields[i]);
		/* glibc's values are small and non-negative. */
		if (v[i] > INT_MAX)
			return (EAI_BADFLAGS);
		n++;
	}
	if (n != 0 && n != 4)
		return (EAI_FAIL);
	*hashints = (n == 4);
	if (n == 4) {
		hints->ai_flags = (int)v[0];
		hints->ai_family = (int)v[1];
		hints->ai_socktype = (int)v[2];
		hints->ai_protocol = (int)v[3];
	}
	return (0);
}
