/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Limit helpers shared by system.pwd and system.grp: both keep their
 * limits as sub-nvlists ("cmds", "fields", "users"/"groups") of one limits
 * nvlist, narrowed one sub-nvlist at a time, and both copy strings into a
 * caller's buffer for the _r functions.
 */
#ifndef LIB_CASPER_SERVICES_IDLIMIT_H
#define	LIB_CASPER_SERVICES_IDLIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/nv.h>
#include <libcasper.h>

/* Replace the sub-nvlist key of chan's limits by sub (consumed). */
int	idlimit_replace(cap_channel_t *chan, const char *key, nvlist_t *sub);
/* Build a set of NULL entries from names; NULL if a name is NULL. */
nvlist_t *idlimit_nameset(const char *const *names, size_t n);
/*
 * Validate the set newlimits[key] against oldlimits[key]: every entry must
 * be a NULL entry named in valid (else EINVAL) and present in the old set
 * if there was one (else ENOTCAPABLE); dropping a set the old limits had
 * is widening (ENOTCAPABLE).
 */
int	idlimit_check_set(const nvlist_t *oldlimits, const nvlist_t *newlimits,
	    const char *key, const char *const *valid);
/*
 * Validate the id set newlimits[key]: number entries (ids) and string
 * entries (names) only, each present in the old set if there was one.
 */
int	idlimit_check_ids(const nvlist_t *oldlimits, const nvlist_t *newlimits,
	    const char *key);
/* No top-level names other than those in keys (EINVAL otherwise). */
int	idlimit_check_keys(const nvlist_t *newlimits, const char *const *keys);
/* True if limits allow name in the set key (no limits: everything). */
bool	idlimit_allowed(const nvlist_t *limits, const char *key,
	    const char *name);
/* True if limits allow the id or the name in the id set key. */
bool	idlimit_id_allowed(const nvlist_t *limits, const char *key,
	    const char *name, uint64_t id);
/* Copy s into *bufp (advancing it); ERANGE when it does not fit. */
int	idlimit_strcpy(char **dst, const char *s, char **bufp, size_t *leftp);

#endif /* !LIB_CASPER_SERVICES_IDLIMIT_H */
