/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Default-value accessors (dnv.h): the value when an element of that name
 * and type exists, the default otherwise.  Like the exists functions they
 * require a list that is not in error.
 */
#include <sys/dnv.h>
#include <sys/nv.h>

#include "nv_impl.h"

#define	DNVLIST_GET(ftype, type)					\
ftype									\
dnvlist_get_##type(const nvlist_t *nvl, const char *name, ftype defval)	\
{									\
									\
	if (nvlist_exists_##type(nvl, name))				\
		return (nvlist_get_##type(nvl, name));			\
	return (defval);						\
}

DNVLIST_GET(bool, bool)
DNVLIST_GET(uint64_t, number)
DNVLIST_GET(const char *, string)
DNVLIST_GET(const nvlist_t *, nvlist)
DNVLIST_GET(int, descriptor)

#undef	DNVLIST_GET

const void *
dnvlist_get_binary(const nvlist_t *nvl, const char *name, size_t *sizep,
    const void *defval, size_t defsize)
{

	if (nvlist_exists_binary(nvl, name))
		return (nvlist_get_binary(nvl, name, sizep));
	if (sizep != NULL)
		*sizep = defsize;
	return (defval);
}

#define	DNVLIST_TAKE(ftype, type)					\
ftype									\
dnvlist_take_##type(nvlist_t *nvl, const char *name, ftype defval)	\
{									\
									\
	if (nvlist_exists_##type(nvl, name))				\
		return (nvlist_take_##type(nvl, name));			\
	return (defval);						\
}

DNVLIST_TAKE(bool, bool)
DNVLIST_TAKE(uint64_t, number)
DNVLIST_TAKE(char *, string)
DNVLIST_TAKE(nvlist_t *, nvlist)
DNVLIST_TAKE(int, descriptor)

#undef	DNVLIST_TAKE

void *
dnvlist_take_binary(nvlist_t *nvl, const char *name, size_t *sizep,
    void *defval, size_t defsize)
{

	if (nvlist_exists_binary(nvl, name))
		return (nvlist_take_binary(nvl, name, sizep));
	if (sizep != NULL)
		*sizep = defsize;
	return (defval);
}
