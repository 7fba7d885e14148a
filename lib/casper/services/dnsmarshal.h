/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal to libcasper: resolver results as nvlists, shared by the
 * system.dns and system.net services (both offer the same lookups).
 *
 * The service side flattens a hostent or an addrinfo list into per-field
 * nvlist entries; the client side rebuilds them.  Both sides treat what
 * they receive as hostile: a wrong type, a missing field or a size that
 * does not fit makes the decoder fail, never crash.
 */
#ifndef _CASPER_DNSMARSHAL_H_
#define	_CASPER_DNSMARSHAL_H_

#include <sys/socket.h>
#include <sys/nv.h>

#include <netdb.h>
#include <stdbool.h>

/* Service side. */
void	dnsm_hostent_pack(const struct hostent *hp, nvlist_t *nvl);
void	dnsm_addrinfo_pack(const struct addrinfo *ai, unsigned int idx,
	    nvlist_t *nvl);
/* Hints from a request: EAI_* on malformed fields, 0 otherwise. */
int	dnsm_hints_unpack(const nvlist_t *nvl, struct addrinfo *hints,
	    bool *hashints);
/* Address of a request ("addr" binary) sized for family; false if not. */
bool	dnsm_addr_ok(const void *addr, size_t len, int family);

/* Client side. */
void	dnsm_hints_pack(const struct addrinfo *hints, nvlist_t *nvl);
/*
 * Rebuild the hostent of a reply into *hp, freeing what a previous call
 * left there.  Returns hp, or NULL (with everything freed) if the reply is
 * malformed.
 */
struct hostent *dnsm_hostent_unpack(const nvlist_t *nvl, struct hostent *hp);
void	dnsm_hostent_free(struct hostent *hp);
/*
 * Rebuild the "res%u" entries of a reply as a list that glibc's
 * freeaddrinfo(3) frees.  Returns 0 or an EAI_* code.
 */
int	dnsm_addrinfo_unpack(const nvlist_t *nvl, struct addrinfo **res);

/* Both: compare two inet socket addresses (family, address, port). */
bool	dnsm_sockaddr_equal(const struct sockaddr *a, size_t alen,
	    const struct sockaddr *b, size_t blen, bool port);
/* Length an inet sockaddr of this family must have, 0 if not inet. */
size_t	dnsm_sockaddr_len(int family);

#endif /* !_CASPER_DNSMARSHAL_H_ */
