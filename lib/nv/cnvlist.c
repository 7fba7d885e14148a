/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cookie-based access (cnv.h).  The cookie from nvlist_next() is the pair
 * itself, so these work without a name lookup.  A cookie of another type
 * aborts, as a missing element does for the nvlist_get family.  Taking or
 * freeing through a cookie frees the pair, so the cookie is dead after.
 */
#include <sys/cnv.h>
#include <sys/nv.h>

#include "nv_impl.h"

static nvpair_t *
cookie_pair(const void *cookie, int type, const char *func)
{
	nvpair_t *nvp;

	nvp = (nvpair_t *)(uintptr_t)cookie;
	nv_impl_check_pair(nvp, func);
	if (type != NV_TYPE_NONE && nvp->nvp_type != type)
		nv_impl_abort("%s: element '%s' is of type %s, not %s", func,
		    nvp->nvp_name, nv_impl_type_name(nvp->nvp_type),
		    nv_impl_type_name(type));
	return (nvp);
}

const char *
cnvlist_name(const void *cookie)
{

	return (cookie_pair(cookie, NV_TYPE_NONE, __func__)->nvp_name);
}

int
cnvlist_type(const void *cookie)
{

	return (cookie_pair(cookie, NV_TYPE_NONE, __func__)->nvp_type);
}

bool
cnvlist_get_bool(const void *cookie)
{

	return (cookie_pair(cookie, NV_TYPE_BOOL, __func__)->nvp_u.b);
}

uint64_t
cnvlist_get_number(const void *cookie)
{

	return (cookie_pair(cookie, NV_TYPE_NUMBER, __func__)->nvp_u.num);
}

const char *
cnvlist_get_string(const void *cookie)
{

	return (cookie_pair(cookie, NV_TYPE_STRING, __func__)->nvp_u.str);
}

const nvlist_t *
cnvlist_get_nvlist(const void *cookie)
{

	return (cookie_pair(cookie, NV_TYPE_NVLIST, __func__)->nvp_u.nvl);
}

int
cnvlist_get_descriptor(const void *cookie)
{

	return (cookie_pair(cookie, NV_TYPE_DESCRIPTOR, __func__)->nvp_u.fd);
}

const void *
cnvlist_get_binary(const void *cookie, size_t *sizep)
{
	nvpair_t *nvp;

	nvp = cookie_pair(cookie, NV_TYPE_BINARY, __func__);
	if (sizep != NULL)
		*sizep = nvp->nvp_datasize;
	return (nvp->nvp_u.ptr);
}

#define	CNVLIST_GET_ARRAY(ftype, type, TYPE)				\
ftype									\
cnvlist_get_##type##_array(const void *cookie, size_t *nitemsp)		\
{									\
	nvpair_t *nvp;							\
									\
	nvp = cookie_pair(cookie, NV_TYPE_##TYPE##_ARRAY, __func__);	\
	if (nitemsp != NULL)						\
		*nitemsp = nvp->nvp_nitems;				\
	return (nvp->nvp_u.ptr);					\
}

CNVLIST_GET_ARRAY(const bool *, bool, BOOL)
CNVLIST_GET_ARRAY(const uint64_t *, number, NUMBER)
CNVLIST_GET_ARRAY(const char * const *, string, STRING)
CNVLIST_GET_ARRAY(const nvlist_t * const *, nvlist, NVLIST)
CNVLIST_GET_ARRAY(const int *, descriptor, DESCRIPTOR)

#undef	CNVLIST_GET_ARRAY

bool
cnvlist_take_bool(void *cookie)
{
	nvpair_t *nvp;
	bool value;

	nvp = cookie_pair(cookie, NV_TYPE_BOOL, __func__);
	value = nvp->nvp_u.b;
	nv_impl_release(nvp);
	return (value);
}

uint64_t
cnvlist_take_number(void *cookie)
{
	nvpair_t *nvp;
	uint64_t value;

	nvp = cookie_pair(cookie, NV_TYPE_NUMBER, __func__);
	value = nvp->nvp_u.num;
	nv_impl_release(nvp);
	return (value);
}

int
cnvlist_take_descriptor(void *cookie)
{
	nvpair_t *nvp;
	int value;

	nvp = cookie_pair(cookie, NV_TYPE_DESCRIPTOR, __func__);
	value = nvp->nvp_u.fd;
	nv_impl_release(nvp);
	return (value);
}

char *
cnvlist_take_string(void *cookie)
{

	return (nv_impl_take(cookie_pair(cookie, NV_TYPE_STRING, __func__),
	    NULL));
}

nvlist_t *
cnvlist_take_nvlist(void *cookie)
{

	return (nv_impl_take(cookie_pair(cookie, NV_TYPE_NVLIST, __func__),
	    NULL));
}

void *
cnvlist_take_binary(void *cookie, size_t *sizep)
{

	return (nv_impl_take(cookie_pair(cookie, NV_TYPE_BINARY, __func__),
	    sizep));
}

#define	CNVLIST_TAKE_ARRAY(ftype, type, TYPE)				\
ftype									\
cnvlist_take_##type##_array(void *cookie, size_t *nitemsp)		\
{									\
									\
	return (nv_impl_take(cookie_pair(cookie,			\
	    NV_TYPE_##TYPE##_ARRAY, __func__), nitemsp));		\
}

CNVLIST_TAKE_ARRAY(bool *, bool, BOOL)
CNVLIST_TAKE_ARRAY(uint64_t *, number, NUMBER)
CNVLIST_TAKE_ARRAY(char **, string, STRING)
CNVLIST_TAKE_ARRAY(nvlist_t **, nvlist, NVLIST)
CNVLIST_TAKE_ARRAY(int *, descriptor, DESCRIPTOR)

#undef	CNVLIST_TAKE_ARRAY

static void
free_cookie(void *cookie, int type, const char *func)
{
	nvpair_t *nvp;

	nvp = cookie_pair(cookie, type, func);
	if (nvp->nvp_list != NULL)
		nv_impl_remove(nvp->nvp_list, nvp);
	nv_impl_pair_free(nvp);
}

#define	CNVLIST_FREE(type, TYPE)					\
void									\
cnvlist_free_##type(void *cookie)					\
{									\
									\
	free_cookie(cookie, NV_TYPE_##TYPE, __func__);			\
}

CNVLIST_FREE(bool, BOOL)
CNVLIST_FREE(number, NUMBER)
CNVLIST_FREE(string, STRING)
CNVLIST_FREE(nvlist, NVLIST)
CNVLIST_FREE(binary, BINARY)
CNVLIST_FREE(bool_array, BOOL_ARRAY)
CNVLIST_FREE(number_array, NUMBER_ARRAY)
CNVLIST_FREE(string_array, STRING_ARRAY)
CNVLIST_FREE(nvlist_array, NVLIST_ARRAY)
CNVLIST_FREE(descriptor, DESCRIPTOR)
CNVLIST_FREE(descriptor_array, DESCRIPTOR_ARRAY)

#undef	CNVLIST_FREE
