/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Name/value lists: life cycle, lookup, the sticky error, iteration and
 * the get, take, free and exists families.  The add, move and append
 * families live in nvlist_add.c, packing in nvpack.c and transport in
 * msgio.c.
 *
 * Programming errors abort with a message naming the function and the
 * element: a bad list pointer, a lookup of a missing or wrongly typed
 * element, or any lookup on a list in error (FreeBSD asserts the same).
 * Run-time failures never abort; they set the list's sticky error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "nv_impl.h"

void
nv_impl_check_list(const nvlist_t *nvl, const char *func)
{

	if (nvl == NULL)
		nv_impl_abort("%s: NULL list", func);
	if (nvl->nvl_magic != NVLIST_MAGIC)
		nv_impl_abort("%s: %p is not a valid list", func,
		    (const void *)nvl);
}

void
nv_impl_check_usable(const nvlist_t *nvl, const char *func)
{

	nv_impl_check_list(nvl, func);
	if (nvl->nvl_error != 0)
		nv_impl_abort("%s: list is in error (%s)", func,
		    strerror(nvl->nvl_error));
}

/*
 * Record error as the list's sticky error, unless one is already there,
 * and set errno to the recorded one.  A NULL list stands for a list whose
 * creation failed.
 */
void
nv_impl_fail(nvlist_t *nvl, int error)
{

	if (error == 0)
		error = ENOMEM;
	if (nvl == NULL) {
		errno = ENOMEM;
		return;
	}
	if (nvl->nvl_error == 0)
		nvl->nvl_error = error;
	errno = nvl->nvl_error;
}

/*
 * Whether an add or move may proceed.  A NULL list (a failed create) and
 * a list in error are not usable, and errno tells why.
 */
bool
nv_impl_usable(nvlist_t *nvl)
{

	if (nvl == NULL) {
		errno = ENOMEM;
		return (false);
	}
	nv_impl_check_list(nvl, "nvlist_add");
	if (nvl->nvl_error != 0) {
		errno = nvl->nvl_error;
		return (false);
	}
	return (true);
}

nvlist_t *
nv_impl_list_new(int flags)
{
	nvlist_t *nvl;

	nvl = malloc(sizeof(*nvl));
	if (nvl == NULL)
		return (NULL);
	nvl->nvl_magic = NVLIST_MAGIC;
	nvl->nvl_error = 0;
	nvl->nvl_flags = flags;
	nvl->nvl_count = 0;
	nvl->nvl_ndesc = 0;
	nvl->nvl_parent = NULL;
	nvl->nvl_array_next = NULL;
	TAILQ_INIT(&nvl->nvl_head);
	nvl->nvl_buckets = NULL;
	nvl->nvl_nbuckets = 0;
	return (nvl);
}

void
nv_impl_list_free_structure(nvlist_t *nvl)
{

	nvl->nvl_magic = 0;
	free(nvl->nvl_buckets);
	free(nvl);
}

nvlist_t *
nvlist_create(int flags)
{

	if ((flags & ~NV_FLAG_PUBLIC_MASK) != 0)
		nv_impl_abort("nvlist_create: invalid flags 0x%x", flags);
	return (nv_impl_list_new(flags));
}

/*
 * Destroy a list tree without recursion.  Descend into the last nested
 * list of the first pair until reaching a list with no nested lists left,
 * free its pairs, then free it and mark it gone in the pair above.
 */
void
nvlist_destroy(nvlist_t *nvl)
{
	nvlist_t *cur;
	nvpair_t *nvp, *up;
	int serrno;

	if (nvl == NULL)
		return;
	nv_impl_check_list(nvl, "nvlist_destroy");
	if (nvl->nvl_parent != NULL)
		nv_impl_abort("nvlist_destroy: list %p belongs to element "
		    "'%s' of another list", (void *)nvl,
		    nvl->nvl_parent->nvp_name);
	serrno = errno;
	cur = nvl;
	for (;;) {
		nvp = TAILQ_FIRST(&cur->nvl_head);
		if (nvp == NULL) {
			if (cur == nvl)
				break;
			up = cur->nvl_parent;
			nv_impl_list_free_structure(cur);
			if (up->nvp_type == NV_TYPE_NVLIST)
				up->nvp_u.nvl = NULL;
			else
				up->nvp_nitems--;
			cur = up->nvp_list;
			continue;
		}
		if (nvp->nvp_type == NV_TYPE_NVLIST && nvp->nvp_u.nvl != NULL) {
			cur = nvp->nvp_u.nvl;
			continue;
		}
		if (nvp->nvp_type == NV_TYPE_NVLIST_ARRAY &&
		    nvp->nvp_nitems > 0) {
			cur = nvp->nvp_u.nvls[nvp->nvp_nitems - 1];
			continue;
		}
		TAILQ_REMOVE(&cur->nvl_head, nvp, nvp_link);
		nv_impl_pair_free(nvp);
	}
	nv_impl_list_free_structure(nvl);
	errno = serrno;
}

int
nvlist_error(const nvlist_t *nvl)
{

	if (nvl == NULL)
		return (ENOMEM);
	nv_impl_check_list(nvl, "nvlist_error");
	return (nvl->nvl_error);
}

void
nvlist_set_error(nvlist_t *nvl, int error)
{

	/* Zero would clear nothing and record nothing: ignore it. */
	if (nvl == NULL || error == 0)
		return;
	nv_impl_check_list(nvl, "nvlist_set_error");
	if (nvl->nvl_error == 0)
		nvl->nvl_error = error;
}

bool
nvlist_empty(const nvlist_t *nvl)
{

	nv_impl_check_usable(nvl, "nvlist_empty");
	return (nvl->nvl_count == 0);
}

int
nvlist_flags(const nvlist_t *nvl)
{

	nv_impl_check_usable(nvl, "nvlist_flags");
	return (nvl->nvl_flags & NV_FLAG_PUBLIC_MASK);
}

/*
 * Lookup.  Short lists are searched in order; longer ones keep a hash
 * index (NV_HASH_MIN) so that building or unpacking a list of n unique
 * names costs O(n), not O(n^2).  Chains hold newer pairs first, so with
 * NV_FLAG_NO_UNIQUE the last match in a chain is the first in the list.
 */
static bool
name_equal(const nvlist_t *nvl, const char *a, const char *b)
{

	if ((nvl->nvl_flags & NV_FLAG_IGNORE_CASE) == 0)
		return (strcmp(a, b) == 0);
	for (; *a != '\0'; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return (false);
	}
	return (*b == '\0');
}

static nvpair_t *
find_hashed(const nvlist_t *nvl, int type, const char *name, uint32_t hash)
{
	nvpair_t *nvp, *found;

	if (nvl->nvl_buckets == NULL) {
		TAILQ_FOREACH(nvp, &nvl->nvl_head, nvp_link) {
			if ((type == NV_TYPE_NONE || nvp->nvp_type == type) &&
			    nvp->nvp_hash == hash &&
			    name_equal(nvl, nvp->nvp_name, name))
				return (nvp);
		}
		return (NULL);
	}
	found = NULL;
	nvp = nvl->nvl_buckets[hash & (nvl->nvl_nbuckets - 1)];
	for (; nvp != NULL; nvp = nvp->nvp_hnext) {
		if ((type == NV_TYPE_NONE || nvp->nvp_type == type) &&
		    nvp->nvp_hash == hash &&
		    name_equal(nvl, nvp->nvp_name, name)) {
			found = nvp;
			if ((nvl->nvl_flags & NV_FLAG_NO_UNIQUE) == 0)
				break;
		}
	}
	return (found);
}

nvpair_t *
nv_impl_find(const nvlist_t *nvl, int type, const char *name)
{
	size_t len;
	uint32_t hash;

	if (name == NULL)
		return (NULL);
	hash = nv_impl_hash(name, &len);
	if (len >= NV_NAME_MAX)
		return (NULL);
	return (find_hashed(nvl, type, name, hash));
}

/*
 * (Re)build the hash index with nbuckets chains.  On allocation failure
 * the old index (or none) stays, which is still correct, only slower.
 */
static bool
hash_rebuild(nvlist_t *nvl, size_t nbuckets)
{
	nvpair_t **buckets, *nvp;
	size_t mask;

	buckets = calloc(nbuckets, sizeof(buckets[0]));
	if (buckets == NULL)
		return (false);
	mask = nbuckets - 1;
	TAILQ_FOREACH(nvp, &nvl->nvl_head, nvp_link) {
		nvp->nvp_hnext = buckets[nvp->nvp_hash & mask];
		buckets[nvp->nvp_hash & mask] = nvp;
	}
	free(nvl->nvl_buckets);
	nvl->nvl_buckets = buckets;
	nvl->nvl_nbuckets = nbuckets;
	return (true);
}

/* Index a pair just appended to the list. */
static void
hash_add(nvlist_t *nvl, nvpair_t *nvp)
{
	size_t b;

	if (nvl->nvl_count > NV_HASH_MIN &&
	    nvl->nvl_count > nvl->nvl_nbuckets &&
	    hash_rebuild(nvl, nvl->nvl_nbuckets == 0 ? 2 * NV_HASH_MIN :
	    2 * nvl->nvl_nbuckets))
		return;
	if (nvl->nvl_buckets == NULL)
		return;
	b = nvp->nvp_hash & (nvl->nvl_nbuckets - 1);
	nvp->nvp_hnext = nvl->nvl_buckets[b];
	nvl->nvl_buckets[b] = nvp;
}

/* Account for descriptors added below nvl, in nvl and every ancestor. */
void
nv_impl_ndesc_add(nvlist_t *nvl, size_t n)
{

	while (nvl != NULL) {
		nvl->nvl_ndesc += n;
		nvl = nvl->nvl_parent != NULL ? nvl->nvl_parent->nvp_list :
		    NULL;
	}
}

void
nv_impl_ndesc_sub(nvlist_t *nvl, size_t n)
{

	while (nvl != NULL) {
		nvl->nvl_ndesc -= n;
		nvl = nvl->nvl_parent != NULL ? nvl->nvl_parent->nvp_list :
		    NULL;
	}
}

/*
 * Append a pair to a usable list.  Without NV_FLAG_NO_UNIQUE a name that
 * exists (with any type) is refused with EEXIST.  The pair is consumed:
 * on failure it is freed and the list's sticky error set.
 */
bool
nv_impl_insert(nvlist_t *nvl, nvpair_t *nvp)
{
	size_t ndesc;

	if ((nvl->nvl_flags & NV_FLAG_NO_UNIQUE) == 0 &&
	    find_hashed(nvl, NV_TYPE_NONE, nvp->nvp_name,
	    nvp->nvp_hash) != NULL) {
		nv_impl_pair_free(nvp);
		nv_impl_fail(nvl, EEXIST);
		return (false);
	}
	TAILQ_INSERT_TAIL(&nvl->nvl_head, nvp, nvp_link);
	nvp->nvp_list = nvl;
	nvl->nvl_count++;
	hash_add(nvl, nvp);
	ndesc = nv_impl_pair_ndesc(nvp);
	if (ndesc > 0)
		nv_impl_ndesc_add(nvl, ndesc);
	return (true);
}

void
nv_impl_remove(nvlist_t *nvl, nvpair_t *nvp)
{
	nvpair_t **pp;
	size_t ndesc;

	TAILQ_REMOVE(&nvl->nvl_head, nvp, nvp_link);
	nvl->nvl_count--;
	if (nvl->nvl_buckets != NULL) {
		pp = &nvl->nvl_buckets[nvp->nvp_hash & (nvl->nvl_nbuckets - 1)];
		while (*pp != NULL && *pp != nvp)
			pp = &(*pp)->nvp_hnext;
		if (*pp == nvp)
			*pp = nvp->nvp_hnext;
	}
	nvp->nvp_hnext = NULL;
	nvp->nvp_list = NULL;
	ndesc = nv_impl_pair_ndesc(nvp);
	if (ndesc > 0)
		nv_impl_ndesc_sub(nvl, ndesc);
}

/*
 * Iteration and navigation.
 */
const char *
nvlist_next(const nvlist_t *nvl, int *typep, void **cookiep)
{
	nvpair_t *nvp;

	nv_impl_check_list(nvl, "nvlist_next");
	if (cookiep == NULL || *cookiep == NULL) {
		nvp = TAILQ_FIRST(&nvl->nvl_head);
	} else {
		nvp = *cookiep;
		nv_impl_check_pair(nvp, "nvlist_next");
		if (nvp->nvp_list != nvl)
			nv_impl_abort("nvlist_next: cookie of element '%s' "
			    "does not belong to this list", nvp->nvp_name);
		nvp = TAILQ_NEXT(nvp, nvp_link);
	}
	if (nvp == NULL)
		return (NULL);
	if (typep != NULL)
		*typep = nvp->nvp_type;
	if (cookiep != NULL)
		*cookiep = nvp;
	return (nvp->nvp_name);
}

const nvlist_t *
nvlist_get_parent(const nvlist_t *nvl, void **cookiep)
{
	nvpair_t *nvp;

	nv_impl_check_list(nvl, "nvlist_get_parent");
	nvp = nvl->nvl_parent;
	if (cookiep != NULL)
		*cookiep = nvp;
	if (nvp == NULL)
		return (NULL);
	return (nvp->nvp_list);
}

const nvlist_t *
nvlist_get_array_next(const nvlist_t *nvl)
{

	nv_impl_check_list(nvl, "nvlist_get_array_next");
	return (nvl->nvl_array_next);
}

bool
nvlist_in_array(const nvlist_t *nvl)
{

	nv_impl_check_list(nvl, "nvlist_in_array");
	return ((nvl->nvl_flags & NV_FLAG_IN_ARRAY) != 0);
}

const nvlist_t *
nvlist_get_pararr(const nvlist_t *nvl, void **cookiep)
{

	nv_impl_check_list(nvl, "nvlist_get_pararr");
	if (nvl->nvl_array_next != NULL) {
		if (cookiep != NULL)
			*cookiep = NULL;
		return (nvl->nvl_array_next);
	}
	return (nvlist_get_parent(nvl, cookiep));
}

/*
 * exists
 */
static bool
exists(const nvlist_t *nvl, const char *name, int type, const char *func)
{

	nv_impl_check_usable(nvl, func);
	if (type != NV_TYPE_NONE &&
	    (type < NV_TYPE_FIRST || type > NV_TYPE_LAST))
		nv_impl_abort("%s: invalid type %d", func, type);
	return (nv_impl_find(nvl, type, name) != NULL);
}

bool
nvlist_exists(const nvlist_t *nvl, const char *name)
{

	return (exists(nvl, name, NV_TYPE_NONE, __func__));
}

bool
nvlist_exists_type(const nvlist_t *nvl, const char *name, int type)
{

	return (exists(nvl, name, type, __func__));
}

#define	NVLIST_EXISTS(type, TYPE)					\
bool									\
nvlist_exists_##type(const nvlist_t *nvl, const char *name)		\
{									\
									\
	return (exists(nvl, name, NV_TYPE_##TYPE, __func__));		\
}

NVLIST_EXISTS(null, NULL)
NVLIST_EXISTS(bool, BOOL)
NVLIST_EXISTS(number, NUMBER)
NVLIST_EXISTS(string, STRING)
NVLIST_EXISTS(nvlist, NVLIST)
NVLIST_EXISTS(binary, BINARY)
NVLIST_EXISTS(bool_array, BOOL_ARRAY)
NVLIST_EXISTS(number_array, NUMBER_ARRAY)
NVLIST_EXISTS(string_array, STRING_ARRAY)
NVLIST_EXISTS(nvlist_array, NVLIST_ARRAY)
NVLIST_EXISTS(descriptor, DESCRIPTOR)
NVLIST_EXISTS(descriptor_array, DESCRIPTOR_ARRAY)

#undef	NVLIST_EXISTS

/*
 * get: find an element of the given type or abort.
 */
static nvpair_t *
get_pair(const nvlist_t *nvl, const char *name, int type, const char *func)
{
	nvpair_t *nvp;

	nv_impl_check_usable(nvl, func);
	nvp = nv_impl_find(nvl, type, name);
	if (nvp == NULL)
		nv_impl_missing(func, type, name);
	return (nvp);
}

static const void *
array_value(const nvpair_t *nvp, size_t *nitemsp)
{

	if (nitemsp != NULL)
		*nitemsp = nvp->nvp_nitems;
	return (nvp->nvp_u.ptr);
}

bool
nvlist_get_bool(const nvlist_t *nvl, const char *name)
{

	return (get_pair(nvl, name, NV_TYPE_BOOL, __func__)->nvp_u.b);
}

uint64_t
nvlist_get_number(const nvlist_t *nvl, const char *name)
{

	return (get_pair(nvl, name, NV_TYPE_NUMBER, __func__)->nvp_u.num);
}

const char *
nvlist_get_string(const nvlist_t *nvl, const char *name)
{

	return (get_pair(nvl, name, NV_TYPE_STRING, __func__)->nvp_u.str);
}

const nvlist_t *
nvlist_get_nvlist(const nvlist_t *nvl, const char *name)
{

	return (get_pair(nvl, name, NV_TYPE_NVLIST, __func__)->nvp_u.nvl);
}

int
nvlist_get_descriptor(const nvlist_t *nvl, const char *name)
{

	return (get_pair(nvl, name, NV_TYPE_DESCRIPTOR, __func__)->nvp_u.fd);
}

const void *
nvlist_get_binary(const nvlist_t *nvl, const char *name, size_t *sizep)
{
	nvpair_t *nvp;

	nvp = get_pair(nvl, name, NV_TYPE_BINARY, __func__);
	if (sizep != NULL)
		*sizep = nvp->nvp_datasize;
	return (nvp->nvp_u.ptr);
}

#define	NVLIST_GET_ARRAY(ftype, type, TYPE)				\
ftype									\
nvlist_get_##type##_array(const nvlist_t *nvl, const char *name,	\
    size_t *nitemsp)							\
{									\
									\
	return (array_value(get_pair(nvl, name, NV_TYPE_##TYPE##_ARRAY,	\
	    __func__), nitemsp));					\
}

NVLIST_GET_ARRAY(const bool *, bool, BOOL)
NVLIST_GET_ARRAY(const uint64_t *, number, NUMBER)
NVLIST_GET_ARRAY(const char * const *, string, STRING)
NVLIST_GET_ARRAY(const nvlist_t * const *, nvlist, NVLIST)
NVLIST_GET_ARRAY(const int *, descriptor, DESCRIPTOR)

#undef	NVLIST_GET_ARRAY

/*
 * take: remove the element, hand its value to the caller.  Values that
 * live inside the pair are copied out first; nested lists are detached.
 * Returns NULL (and aborts nothing) only when that copy fails, with
 * errno ENOMEM; the element is then left in place.
 */
static void *
take_value(nvpair_t *nvp, size_t *nitemsp)
{
	void *value;

	switch (nvp->nvp_type) {
	case NV_TYPE_STRING:
	case NV_TYPE_BINARY:
		if ((nvp->nvp_flags & NVP_F_INLINE) != 0) {
			value = malloc(nvp->nvp_datasize);
			if (value == NULL)
				return (NULL);
			memcpy(value, nvp->nvp_u.ptr, nvp->nvp_datasize);
		} else {
			value = nvp->nvp_u.ptr;
		}
		if (nitemsp != NULL)
			*nitemsp = nvp->nvp_datasize;
		break;
	case NV_TYPE_STRING_ARRAY:
		if (nv_impl_strs_unblock(nvp) != 0)
			return (NULL);
		value = nvp->nvp_u.ptr;
		if (nitemsp != NULL)
			*nitemsp = nvp->nvp_nitems;
		break;
	case NV_TYPE_NVLIST:
		value = nvp->nvp_u.nvl;
		break;
	case NV_TYPE_NVLIST_ARRAY:
		value = nvp->nvp_u.nvls;
		if (nitemsp != NULL)
			*nitemsp = nvp->nvp_nitems;
		break;
	default:
		value = nvp->nvp_u.ptr;
		if (nitemsp != NULL)
			*nitemsp = nvp->nvp_nitems;
		break;
	}
	return (value);
}

/* Remove a pair whose value now belongs to the caller; free the pair. */
void
nv_impl_release(nvpair_t *nvp)
{

	if (nvp->nvp_list != NULL)
		nv_impl_remove(nvp->nvp_list, nvp);
	if (nvp->nvp_type == NV_TYPE_NVLIST)
		nvp->nvp_u.nvl->nvl_parent = NULL;
	else if (nvp->nvp_type == NV_TYPE_NVLIST_ARRAY)
		nv_impl_nvls_detach(nvp->nvp_u.nvls, nvp->nvp_nitems);
	nv_impl_pair_free_structure(nvp);
}

void *
nv_impl_take(nvpair_t *nvp, size_t *nitemsp)
{
	void *value;

	value = take_value(nvp, nitemsp);
	if (value == NULL)
		return (NULL);
	nv_impl_release(nvp);
	return (value);
}

bool
nvlist_take_bool(nvlist_t *nvl, const char *name)
{
	nvpair_t *nvp;
	bool value;

	nvp = get_pair(nvl, name, NV_TYPE_BOOL, __func__);
	value = nvp->nvp_u.b;
	nv_impl_release(nvp);
	return (value);
}

uint64_t
nvlist_take_number(nvlist_t *nvl, const char *name)
{
	nvpair_t *nvp;
	uint64_t value;

	nvp = get_pair(nvl, name, NV_TYPE_NUMBER, __func__);
	value = nvp->nvp_u.num;
	nv_impl_release(nvp);
	return (value);
}

int
nvlist_take_descriptor(nvlist_t *nvl, const char *name)
{
	nvpair_t *nvp;
	int value;

	nvp = get_pair(nvl, name, NV_TYPE_DESCRIPTOR, __func__);
	value = nvp->nvp_u.fd;
	nv_impl_release(nvp);
	return (value);
}

char *
nvlist_take_string(nvlist_t *nvl, const char *name)
{

	return (nv_impl_take(get_pair(nvl, name, NV_TYPE_STRING, __func__),
	    NULL));
}

nvlist_t *
nvlist_take_nvlist(nvlist_t *nvl, const char *name)
{

	return (nv_impl_take(get_pair(nvl, name, NV_TYPE_NVLIST, __func__),
	    NULL));
}

void *
nvlist_take_binary(nvlist_t *nvl, const char *name, size_t *sizep)
{

	return (nv_impl_take(get_pair(nvl, name, NV_TYPE_BINARY, __func__),
	    sizep));
}

#define	NVLIST_TAKE_ARRAY(ftype, type, TYPE)				\
ftype									\
nvlist_take_##type##_array(nvlist_t *nvl, const char *name,		\
    size_t *nitemsp)							\
{									\
									\
	return (nv_impl_take(get_pair(nvl, name,			\
	    NV_TYPE_##TYPE##_ARRAY, __func__), nitemsp));		\
}

NVLIST_TAKE_ARRAY(bool *, bool, BOOL)
NVLIST_TAKE_ARRAY(uint64_t *, number, NUMBER)
NVLIST_TAKE_ARRAY(char **, string, STRING)
NVLIST_TAKE_ARRAY(nvlist_t **, nvlist, NVLIST)
NVLIST_TAKE_ARRAY(int *, descriptor, DESCRIPTOR)

#undef	NVLIST_TAKE_ARRAY

/*
 * free
 */
void
nvlist_free_type(nvlist_t *nvl, const char *name, int type)
{
	nvpair_t *nvp;

	if (type != NV_TYPE_NONE &&
	    (type < NV_TYPE_FIRST || type > NV_TYPE_LAST))
		nv_impl_abort("nvlist_free_type: invalid type %d", type);
	nvp = get_pair(nvl, name, type, __func__);
	nv_impl_remove(nvl, nvp);
	nv_impl_pair_free(nvp);
}

void
nvlist_free(nvlist_t *nvl, const char *name)
{

	nvlist_free_type(nvl, name, NV_TYPE_NONE);
}

#define	NVLIST_FREE(type, TYPE)						\
void									\
nvlist_free_##type(nvlist_t *nvl, const char *name)			\
{									\
									\
	nvlist_free_type(nvl, name, NV_TYPE_##TYPE);			\
}

NVLIST_FREE(null, NULL)
NVLIST_FREE(bool, BOOL)
NVLIST_FREE(number, NUMBER)
NVLIST_FREE(string, STRING)
NVLIST_FREE(nvlist, NVLIST)
NVLIST_FREE(binary, BINARY)
NVLIST_FREE(bool_array, BOOL_ARRAY)
NVLIST_FREE(number_array, NUMBER_ARRAY)
NVLIST_FREE(string_array, STRING_ARRAY)
NVLIST_FREE(nvlist_array, NVLIST_ARRAY)
NVLIST_FREE(descriptor, DESCRIPTOR)
NVLIST_FREE(descriptor_array, DESCRIPTOR_ARRAY)

#undef	NVLIST_FREE

/*
 * Deep copy, iteratively: walk the source and keep cur as the copy of the
 * list the walk is in.  Descriptors are duplicated.
 */
nvlist_t *
nvlist_clone(const nvlist_t *nvl)
{
	struct nv_walk w;
	nvlist_t *copy, *cur;
	nvpair_t *nvp, *last;
	int serrno;

	if (nvl == NULL) {
		errno = ENOMEM;
		return (NULL);
	}
	nv_impl_check_list(nvl, "nvlist_clone");
	if (nvl->nvl_error != 0) {
		errno = nvl->nvl_error;
		return (NULL);
	}
	copy = nv_impl_list_new(nvl->nvl_flags & NV_FLAG_PUBLIC_MASK);
	if (copy == NULL)
		return (NULL);
	cur = copy;
	last = NULL;
	nv_impl_walk_init(&w, nvl);
	for (;;) {
		switch (nv_impl_walk_next(&w)) {
		case NV_WALK_PAIR:
			nvp = nv_impl_pair_clone(w.w_nvp);
			if (nvp == NULL || !nv_impl_insert(cur, nvp))
				goto destroy_copy;
			last = nvp;
			break;
		case NV_WALK_DOWN:
			cur = last->nvp_type == NV_TYPE_NVLIST ?
			    last->nvp_u.nvl : last->nvp_u.nvls[0];
			break;
		case NV_WALK_NEXT:
			cur = cur->nvl_array_next;
			break;
		case NV_WALK_UP:
			cur = cur->nvl_parent->nvp_list;
			break;
		case NV_WALK_END:
			return (copy);
		}
	}

destroy_copy:
	serrno = errno;
	nvlist_destroy(copy);
	errno = serrno;
	return (NULL);
}
