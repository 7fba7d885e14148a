/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Limit helpers of system.pwd and system.grp (see idlimit.h).  Every
 * nvlist reaching the service is treated as hostile: types are checked
 * before anything is read.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <sys/capsicum.h>

#include "idlimit.h"

int
idlimit_replace(cap_channel_t *chan, const char *key, nvlist_t *sub)
{
	nvlist_t *limits;

	if (sub == NULL || nvlist_error(sub) != 0) {
		nvlist_destroy(sub);
		errno = ENOMEM;
		return (-1);
	}
	if (cap_limit_get(chan, &limits) < 0) {
		nvlist_destroy(sub);
		return (-1);
	}
	if (limits == NULL) {
		if ((limits = nvlist_create(0)) == NULL) {
			nvlist_destroy(sub);
			return (-1);
		}
	} else if (nvlist_exists(limits, key))
		nvlist_free(limits, key);
	nvlist_move_nvlist(limits, key, sub);
	return (cap_limit_set(chan, limits));
}

nvlist_t *
idlimit_nameset(const char *const *names, size_t n)
{
	nvlist_t *nvl;
	size_t i;

	if (n > 0 && names == NULL)
		return (NULL);
	if ((nvl = nvlist_create(0)) == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		if (names[i] == NULL) {
			nvlist_destroy(nvl);
			return (NULL);
		}
		/* A repeated name is the same permission. */
		if (!nvlist_exists_null(nvl, names[i]))
			nvlist_add_null(nvl, names[i]);
	}
	return (nvl);
}

static bool
in_list(const char *name, const char *const *valid)
{

	for (; *valid != NULL; valid++)
		if (strcmp(name, *valid) == 0)
			return (true);
	return (false);
}

int
idlimit_check_keys(const nvlist_t *newlimits, const char *const *keys)
{
	const char *name;
	void *cookie;
	int type;

	cookie = NULL;
	while ((name = nvlist_next(newlimits, &type, &cookie)) != NULL)
		if (type != NV_TYPE_NVLIST || !in_list(name, keys))
			return (EINVAL);
	return (0);
}

int
idlimit_check_set(const nvlist_t *oldlimits, const nvlist_t *newlimits,
    const char *key, const char *const *valid)
{
	const nvlist_t *oset, *nset;
	const char *name;
	void *cookie;
	int type;

	oset = (oldlimits != NULL && nvlist_exists_nvlist(oldlimits, key)) ?
	    nvlist_get_nvlist(oldlimits, key) : NULL;
	if (!nvlist_exists_nvlist(newlimits, key))
		return (oset != NULL ? ENOTCAPABLE : 0);
	nset = nvlist_get_nvlist(newlimits, key);
	cookie = NULL;
	while ((name = nvlist_next(nset, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_NULL || !in_list(name, valid))
			return (EINVAL);
		if (oset != NULL && !nvlist_exists_null(oset, name))
			return (ENOTCAPABLE);
	}
	return (0);
}

int
idlimit_check_ids(const nvlist_t *oldlimits, const nvlist_t *newlimits,
    const char *key)
{
	const nvlist_t *oset, *nset;
	const char *name;
	void *cookie;
	int type;

	oset = (oldlimits != NULL && nvlist_exists_nvlist(oldlimits, key)) ?
	    nvlist_get_nvlist(oldlimits, key) : NULL;
	if (!nvlist_exists_nvlist(newlimits, key))
		return (oset != NULL ? ENOTCAPABLE : 0);
	nset = nvlist_get_nvlist(newlimits, key);
	cookie = NULL;
	while ((name = nvlist_next(nset, &type, &cookie)) != NULL) {
		if (type == NV_TYPE_NUMBER) {
			if (oset != NULL && !idlimit_id_allowed(oldlimits, key,
			    NULL, nvlist_get_number(nset, name)))
				return (ENOTCAPABLE);
		} else if (type == NV_TYPE_STRING) {
			if (oset != NULL && !idlimit_id_allowed(oldlimits, key,
			    nvlist_get_string(nset, name), UINT64_MAX))
				return (ENOTCAPABLE);
		} else
			return (EINVAL);
	}
	return (0);
}

bool
idlimit_allowed(const nvlist_t *limits, const char *key, const char *name)
{

	if (limits == NULL || !nvlist_exists_nvlist(limits, key))
		return (true);
	return (nvlist_exists_null(nvlist_get_nvlist(limits, key), name));
}

bool
idlimit_id_allowed(const nvlist_t *limits, const char *key, const char *name,
    uint64_t id)
{
	const nvlist_t *set;
	const char *ename;
	void *cookie;
	int type;

	if (limits == NULL || !nvlist_exists_nvlist(limits, key))
		return (true);
	set = nvlist_get_nvlist(limits, key);
	cookie = NULL;
	while ((ename = nvlist_next(set, &type, &cookie)) != NULL) {
		if (type == NV_TYPE_NUMBER && id != UINT64_MAX &&
		    nvlist_get_number(set, ename) == id)
			return (true);
		if (type == NV_TYPE_STRING && name != NULL &&
		    strcmp(nvlist_get_string(set, ename), name) == 0)
			return (true);
	}
	return (false);
}

int
idlimit_strcpy(char **dst, const char *s, char **bufp, size_t *leftp)
{
	size_t len;

	len = strlen(s) + 1;
	if (len > *leftp)
		return (ERANGE);
	memcpy(*bufp, s, len);
	*dst = *bufp;
	*bufp += len;
	*leftp -= len;
	return (0);
}
