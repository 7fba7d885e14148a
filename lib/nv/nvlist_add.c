/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The add, move and append families.
 *
 * All of them return nothing: a failure sets the list's sticky error (and
 * errno), and every later add, move or append on that list does nothing,
 * so callers check nvlist_error() once at the end.  A NULL list stands for
 * a failed nvlist_create() and behaves as a list in error with ENOMEM.
 *
 * add copies the value (a descriptor is duplicated, close-on-exec).  move
 * takes ownership of it and frees (or closes) it whenever it cannot be
 * stored, including when the list is already in error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nv_impl.h"

/* Store a freshly made pair, or record why it could not be made. */
static void
add_pair(nvlist_t *nvl, nvpair_t *nvp)
{

	if (nvp == NULL)
		nv_impl_fail(nvl, errno);
	else
		(void)nv_impl_insert(nvl, nvp);
}

static nvpair_t *
fail_pair(nvpair_t *nvp, int error)
{

	if (nvp != NULL)
		nv_impl_pair_free_structure(nvp);
	errno = error;
	return (NULL);
}

/*
 * Scalars, strings and binaries.
 */
void
nvlist_add_null(nvlist_t *nvl, const char *name)
{

	if (!nv_impl_usable(nvl))
		return;
	add_pair(nvl, nv_impl_pair_new(name, NV_TYPE_NULL, 0, NULL));
}

void
nvlist_add_bool(nvlist_t *nvl, const char *name, bool value)
{
	nvpair_t *nvp;

	if (!nv_impl_usable(nvl))
		return;
	nvp = nv_impl_pair_new(name, NV_TYPE_BOOL, 0, NULL);
	if (nvp != NULL) {
		nvp->nvp_u.b = value;
		nvp->nvp_datasize = 1;
	}
	add_pair(nvl, nvp);
}

void
nvlist_add_number(nvlist_t *nvl, const char *name, uint64_t value)
{
	nvpair_t *nvp;

	if (!nv_impl_usable(nvl))
		return;
	nvp = nv_impl_pair_new(name, NV_TYPE_NUMBER, 0, NULL);
	if (nvp != NULL) {
		nvp->nvp_u.num = value;
		nvp->nvp_datasize = sizeof(uint64_t);
	}
	add_pair(nvl, nvp);
}

/* A string or binary copied into the pair's own allocation. */
static nvpair_t *
inline_pair(const char *name, int type, const void *value, size_t size)
{
	nvpair_t *nvp;
	void *extra;

	nvp = nv_impl_pair_new(name, type, size, &extra);
	if (nvp == NULL)
		return (NULL);
	memcpy(extra, value, size);
	nvp->nvp_u.ptr = extra;
	nvp->nvp_datasize = size;
	return (nvp);
}

void
nvlist_add_string(nvlist_t *nvl, const char *name, const char *value)
{

	if (!nv_impl_usable(nvl))
		return;
	if (value == NULL) {
		nv_impl_fail(nvl, EINVAL);
		return;
	}
	add_pair(nvl, inline_pair(name, NV_TYPE_STRING, value,
	    strlen(value) + 1));
}

void
nvlist_add_stringv(nvlist_t *nvl, const char *name, const char *valuefmt,
    va_list valueap)
{
	char *value;

	if (!nv_impl_usable(nvl))
		return;
	if (valuefmt == NULL) {
		nv_impl_fail(nvl, EINVAL);
		return;
	}
	if (vasprintf(&value, valuefmt, valueap) < 0) {
		nv_impl_fail(nvl, ENOMEM);
		return;
	}
	nvlist_move_string(nvl, name, value);
}

void
nvlist_add_stringf(nvlist_t *nvl, const char *name, const char *valuefmt,
    ...)
{
	va_list ap;

	va_start(ap, valuefmt);
	nvlist_add_stringv(nvl, name, valuefmt, ap);
	va_end(ap);
}

void
nvlist_add_binary(nvlist_t *nvl, const char *name, const void *value,
    size_t size)
{

	if (!nv_impl_usable(nvl))
		return;
	if (value == NULL || size == 0) {
		nv_impl_fail(nvl, EINVAL);
		return;
	}
	add_pair(nvl, inline_pair(name, NV_TYPE_BINARY, value, size));
}

void
nvlist_add_descriptor(nvlist_t *nvl, const char *name, int value)
{
	nvpair_t *nvp;

	if (!nv_impl_usable(nvl))
		return;
	if (!nv_impl_fd_valid(value)) {
		nv_impl_fail(nvl, EBADF);
		return;
	}
	nvp = nv_impl_pair_new(name, NV_TYPE_DESCRIPTOR, 0, NULL);
	if (nvp != NULL) {
		nvp->nvp_u.fd = fcntl(value, F_DUPFD_CLOEXEC, 0);
		if (nvp->nvp_u.fd == -1)
			nvp = fail_pair(nvp, errno);
		else
			nvp->nvp_datasize = sizeof(int64_t);
	}
	add_pair(nvl, nvp);
}

/*
 * Nested lists.  The parent must not end up inside its own child; moving
 * a list that already belongs to another is refused with EINVAL and the
 * list is left alone, since it is not the caller's to give away.
 */
static bool
is_ancestor(const nvlist_t *maybe, const nvlist_t *nvl)
{

	for (; nvl != NULL; nvl = nvl->nvl_parent != NULL ?
	    nvl->nvl_parent->nvp_list : NULL) {
		if (nvl == maybe)
			return (true);
	}
	return (false);
}

static nvpair_t *
nvlist_pair(const char *name, nvlist_t *child)
{
	nvpair_t *nvp;

	nvp = nv_impl_pair_new(name, NV_TYPE_NVLIST, 0, NULL);
	if (nvp == NULL)
		return (NULL);
	nvp->nvp_u.nvl = child;
	child->nvl_parent = nvp;
	return (nvp);
}

void
nvlist_add_nvlist(nvlist_t *nvl, const char *name, const nvlist_t *value)
{
	nvlist_t *child;
	nvpair_t *nvp;
	int serrno;

	if (!nv_impl_usable(nvl))
		return;
	if (value == NULL) {
		nv_impl_fail(nvl, EINVAL);
		return;
	}
	/* A child in error passes its error on (nvlist_clone fails). */
	child = nvlist_clone(value);
	if (child == NULL) {
		nv_impl_fail(nvl, errno);
		return;
	}
	nvp = nvlist_pair(name, child);
	if (nvp == NULL) {
		serrno = errno;
		nvlist_destroy(child);
		nv_impl_fail(nvl, serrno);
		return;
	}
	(void)nv_impl_insert(nvl, nvp);
}

void
nvlist_move_nvlist(nvlist_t *nvl, const char *name, nvlist_t *value)
{
	nvpair_t *nvp;
	int serrno;

	if (nvl != NULL)
		nv_impl_check_list(nvl, "nvlist_move_nvlist");
	if (value != NULL) {
		nv_impl_check_list(value, "nvlist_move_nvlist");
		if (value->nvl_parent != NULL ||
		    (value->nvl_flags & NV_FLAG_IN_ARRAY) != 0 ||
		    (nvl != NULL && is_ancestor(value, nvl))) {
			nv_impl_fail(nvl, EINVAL);
			return;
		}
	}
	if (!nv_impl_usable(nvl)) {
		serrno = errno;
		nvlist_destroy(value);
		errno = serrno;
		return;
	}
	if (value == NULL) {
		nv_impl_fail(nvl, EINVAL);
		return;
	}
	if (value->nvl_error != 0) {
		serrno = value->nvl_error;
		nvlist_destroy(value);
		nv_impl_fail(nvl, serrno);
		return;
	}
	nvp = nvlist_pair(name, value);
	if (nvp == NULL) {
		serrno = errno;
		nvlist_destroy(value);
		nv_impl_fail(nvl, serrno);
		return;
	}
	(void)nv_impl_insert(nvl, nvp);
}

/*
 * move for strings, binaries and descriptors.
 */
void
nvlist_move_string(nvlist_t *nvl, const char *name, char *value)
{
	nvpair_t *nvp;
	int serrno;

	if (!nv_impl_usable(nvl) || value == NULL) {
		if (value == NULL)
			nv_impl_fail(nvl, EINVAL);
		serrno = errno;
		free(value);
		errno = serrno;
		return;
	}
	nvp = nv_impl_pair_new(name, NV_TYPE_STRING, 0, NULL);
	if (nvp == NULL) {
		serrno = errno;
		free(value);
		nv_impl_fail(nvl, serrno);
		return;
	}
	nvp->nvp_u.str = value;
	nvp->nvp_datasize = strlen(value) + 1;
	(void)nv_impl_insert(nvl, nvp);
}

void
nvlist_move_binary(nvlist_t *nvl, const char *name, void *value, size_t size)
{
	nvpair_t *nvp;
	int serrno;

	if (!nv_impl_usable(nvl) || value == NULL || size == 0) {
		if (nvl != NULL && nvl->nvl_error == 0)
			nv_impl_fail(nvl, EINVAL);
		serrno = errno;
		free(value);
		errno = serrno;
		return;
	}
	nvp = nv_impl_pair_new(name, NV_TYPE_BINARY, 0, NULL);
	if (nvp == NULL) {
		serrno = errno;
		free(value);
		nv_impl_fail(nvl, serrno);
		return;
	}
	nvp->nvp_u.ptr = value;
	nvp->nvp_datasize = size;
	(void)nv_impl_insert(nvl, nvp);
}

void
nvlist_move_descriptor(nvlist_t *nvl, const char *name, int value)
{
	nvpair_t *nvp;
	int serrno;

	if (!nv_impl_usable(nvl))
		goto close_value;
	if (!nv_impl_fd_valid(value)) {
		nv_impl_fail(nvl, EBADF);
		return;
	}
	nvp = nv_impl_pair_new(name, NV_TYPE_DESCRIPTOR, 0, NULL);
	if (nvp == NULL) {
		nv_impl_fail(nvl, errno);
		goto close_value;
	}
	nvp->nvp_u.fd = value;
	nvp->nvp_datasize = sizeof(int64_t);
	(void)nv_impl_insert(nvl, nvp);
	return;

close_value:
	serrno = errno;
	if (value >= 0)
		(void)close(value);
	errno = serrno;
}

/*
 * Arrays.  nitems must not be zero and no element may be NULL (EINVAL);
 * descriptors must be open (EBADF).
 */
static nvpair_t *
array_pair(const char *name, int type, void *value, size_t nitems,
    size_t datasize)
{
	nvpair_t *nvp;

	nvp = nv_impl_pair_new(name, type, 0, NULL);
	if (nvp == NULL)
		return (NULL);
	nvp->nvp_u.ptr = value;
	nvp->nvp_nitems = nitems;
	nvp->nvp_datasize = datasize;
	return (nvp);
}

/* Make a pair owning value, or free value; NULL with errno on failure. */
static nvpair_t *
array_pair_or_free(const char *name, int type, void *value, size_t nitems,
    size_t datasize)
{
	nvpair_t *nvp;
	int serrno;

	nvp = array_pair(name, type, value, nitems, datasize);
	if (nvp == NULL) {
		serrno = errno;
		free(value);
		errno = serrno;
	}
	return (nvp);
}

static bool
array_args_ok(nvlist_t *nvl, const void *value, size_t nitems, size_t size)
{

	if (value == NULL || nitems == 0) {
		nv_impl_fail(nvl, EINVAL);
		return (false);
	}
	if (nitems > SIZE_MAX / size) {
		nv_impl_fail(nvl, ENOMEM);
		return (false);
	}
	return (true);
}

static void *
copy_array(const void *value, size_t size)
{
	void *copy;

	copy = malloc(size);
	if (copy != NULL)
		memcpy(copy, value, size);
	return (copy);
}

void
nvlist_add_bool_array(nvlist_t *nvl, const char *name, const bool *value,
    size_t nitems)
{
	void *copy;

	if (!nv_impl_usable(nvl) || !array_args_ok(nvl, value, nitems, 1))
		return;
	copy = copy_array(value, nitems * sizeof(bool));
	if (copy == NULL) {
		nv_impl_fail(nvl, ENOMEM);
		return;
	}
	add_pair(nvl, array_pair_or_free(name, NV_TYPE_BOOL_ARRAY, copy,
	    nitems, nitems));
}

void
nvlist_add_number_array(nvlist_t *nvl, const char *name,
    const uint64_t *value, size_t nitems)
{
	void *copy;

	if (!nv_impl_usable(nvl) ||
	    !array_args_ok(nvl, value, nitems, sizeof(uint64_t)))
		return;
	copy = copy_array(value, nitems * sizeof(uint64_t));
	if (copy == NULL) {
		nv_impl_fail(nvl, ENOMEM);
		return;
	}
	add_pair(nvl, array_pair_or_free(name, NV_TYPE_NUMBER_ARRAY, copy,
	    nitems, nitems * sizeof(uint64_t)));
}

void
nvlist_add_string_array(nvlist_t *nvl, const char *name,
    const char * const *value, size_t nitems)
{
	nvpair_t *nvp;
	char **strs;
	size_t datasize, i;

	if (!nv_impl_usable(nvl) ||
	    !array_args_ok(nvl, value, nitems, sizeof(char *)))
		return;
	for (i = 0; i < nitems; i++) {
		if (value[i] == NULL) {
			nv_impl_fail(nvl, EINVAL);
			return;
		}
	}
	strs = malloc(nitems * sizeof(strs[0]));
	if (strs == NULL) {
		nv_impl_fail(nvl, ENOMEM);
		return;
	}
	datasize = 0;
	for (i = 0; i < nitems; i++) {
		strs[i] = strdup(value[i]);
		if (strs[i] == NULL)
			goto free_strs;
		datasize += strlen(strs[i]) + 1;
	}
	nvp = array_pair(name, NV_TYPE_STRING_ARRAY, strs, nitems, datasize);
	if (nvp == NULL)
		goto free_strs;
	(void)nv_impl_insert(nvl, nvp);
	return;

free_strs:
	while (i-- > 0)
		free(strs[i]);
	free(strs);
	nv_impl_fail(nvl, ENOMEM);
}

void
nvlist_add_descriptor_array(nvlist_t *nvl, const char *name,
    const int *value, size_t nitems)
{
	nvpair_t *nvp;
	int *fds;
	size_t i;
	int serrno;

	if (!nv_impl_usable(nvl) ||
	    !array_args_ok(nvl, value, nitems, sizeof(int64_t)))
		return;
	for (i = 0; i < nitems; i++) {
		if (!nv_impl_fd_valid(value[i])) {
			nv_impl_fail(nvl, EBADF);
			return;
		}
	}
	fds = malloc(nitems * sizeof(fds[0]));
	if (fds == NULL) {
		nv_impl_fail(nvl, ENOMEM);
		return;
	}
	for (i = 0; i < nitems; i++) {
		fds[i] = fcntl(value[i], F_DUPFD_CLOEXEC, 0);
		if (fds[i] == -1)
			goto close_fds;
	}
	nvp = array_pair(name, NV_TYPE_DESCRIPTOR_ARRAY, fds, nitems,
	    nitems * sizeof(int64_t));
	if (nvp == NULL)
		goto close_fds;
	(void)nv_impl_insert(nvl, nvp);
	return;

close_fds:
	serrno = errno;
	while (i-- > 0)
		(void)close(fds[i]);
	free(fds);
	nv_impl_fail(nvl, serrno);
}

/* Link lists as the elements of the array held by nvp. */
static void
link_nvls(nvpair_t *nvp, nvlist_t **nvls, size_t nitems)
{
	size_t i;

	for (i = 0; i < nitems; i++) {
		nvls[i]->nvl_parent = nvp;
		nvls[i]->nvl_flags |= NV_FLAG_IN_ARRAY;
		nvls[i]->nvl_array_next = i + 1 < nitems ? nvls[i + 1] : NULL;
	}
}

void
nvlist_add_nvlist_array(nvlist_t *nvl, const char *name,
    const nvlist_t * const *value, size_t nitems)
{
	nvlist_t **nvls;
	nvpair_t *nvp;
	size_t i;
	int serrno;

	if (!nv_impl_usable(nvl) ||
	    !array_args_ok(nvl, value, nitems, sizeof(int64_t)))
		return;
	for (i = 0; i < nitems; i++) {
		if (value[i] == NULL) {
			nv_impl_fail(nvl, EINVAL);
			return;
		}
	}
	nvls = malloc(nitems * sizeof(nvls[0]));
	if (nvls == NULL) {
		nv_impl_fail(nvl, ENOMEM);
		return;
	}
	for (i = 0; i < nitems; i++) {
		nvls[i] = nvlist_clone(value[i]);
		if (nvls[i] == NULL)
			goto destroy_nvls;
	}
	nvp = array_pair(name, NV_TYPE_NVLIST_ARRAY, nvls, nitems,
	    nitems * sizeof(int64_t));
	if (nvp == NULL)
		goto destroy_nvls;
	link_nvls(nvp, nvls, nitems);
	(void)nv_impl_insert(nvl, nvp);
	return;

destroy_nvls:
	serrno = errno;
	while (i-- > 0)
		nvlist_destroy(nvls[i]);
	free(nvls);
	nv_impl_fail(nvl, serrno);
}

/*
 * move for arrays.  The array and every element are the list's from now
 * on, or freed (closed, destroyed) when the move fails.
 */
void
nvlist_move_bool_array(nvlist_t *nvl, const char *name, bool *value,
    size_t nitems)
{
	int serrno;

	if (!nv_impl_usable(nvl) || !array_args_ok(nvl, value, nitems, 1)) {
		serrno = errno;
		free(value);
		errno = serrno;
		return;
	}
	add_pair(nvl, array_pair_or_free(name, NV_TYPE_BOOL_ARRAY, value,
	    nitems, nitems));
}

void
nvlist_move_number_array(nvlist_t *nvl, const char *name, uint64_t *value,
    size_t nitems)
{
	int serrno;

	if (!nv_impl_usable(nvl) ||
	    !array_args_ok(nvl, value, nitems, sizeof(uint64_t))) {
		serrno = errno;
		free(value);
		errno = serrno;
		return;
	}
	add_pair(nvl, array_pair_or_free(name, NV_TYPE_NUMBER_ARRAY, value,
	    nitems, nitems * sizeof(uint64_t)));
}

void
nvlist_move_string_array(nvlist_t *nvl, const char *name, char **value,
    size_t nitems)
{
	nvpair_t *nvp;
	size_t datasize, i;
	int serrno;

	if (!nv_impl_usable(nvl) ||
	    !array_args_ok(nvl, value, nitems, sizeof(char *)))
		goto free_value;
	datasize = 0;
	for (i = 0; i < nitems; i++) {
		if (value[i] == NULL) {
			nv_impl_fail(nvl, EINVAL);
			goto free_value;
		}
		datasize += strlen(value[i]) + 1;
	}
	nvp = array_pair(name, NV_TYPE_STRING_ARRAY, value, nitems, datasize);
	if (nvp == NULL) {
		nv_impl_fail(nvl, errno);
		goto free_value;
	}
	(void)nv_impl_insert(nvl, nvp);
	return;

free_value:
	serrno = errno;
	if (value != NULL) {
		for (i = 0; i < nitems; i++)
			free(value[i]);
		free(value);
	}
	errno = serrno;
}

void
nvlist_move_descriptor_array(nvlist_t *nvl, const char *name, int *value,
    size_t nitems)
{
	nvpair_t *nvp;
	size_t i;
	int serrno;

	if (!nv_impl_usable(nvl) ||
	    !array_args_ok(nvl, value, nitems, sizeof(int64_t)))
		goto close_value;
	for (i = 0; i < nitems; i++) {
		if (!nv_impl_fd_valid(value[i])) {
			nv_impl_fail(nvl, EBADF);
			goto close_value;
		}
	}
	nvp = array_pair(name, NV_TYPE_DESCRIPTOR_ARRAY, value, nitems,
	    nitems * sizeof(int64_t));
	if (nvp == NULL) {
		nv_impl_fail(nvl, errno);
		goto close_value;
	}
	(void)nv_impl_insert(nvl, nvp);
	return;

close_value:
	serrno = errno;
	if (value != NULL) {
		for (i = 0; i < nitems; i++) {
			if (value[i] >= 0)
				(void)close(value[i]);
		}
		free(value);
	}
	errno = serrno;
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void * const *)a;
	uintptr_t y = (uintptr_t)*(void * const *)b;

	return ((x > y) - (x < y));
}

/*
 * A sorted copy of the pointers, so that duplicates sit side by side; NULL
 * when memory is short (callers then fall back to a quadratic check).
 */
static nvlist_t **
sorted_nvls(nvlist_t **value, size_t nitems)
{
	nvlist_t **sorted;

	sorted = malloc(nitems * sizeof(sorted[0]));
	if (sorted == NULL)
		return (NULL);
	memcpy(sorted, value, nitems * sizeof(sorted[0]));
	qsort(sorted, nitems, sizeof(sorted[0]), ptr_cmp);
	return (sorted);
}

/* Whether value[i] also appears earlier in value (or sorted, if given). */
static bool
is_repeat(nvlist_t **v, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++) {
		if (v[j] == v[i])
			return (true);
	}
	return (false);
}

/*
 * Whether the caller may give this list away: a list of its own, not an
 * element of another list, and not the list being added to or one of its
 * ancestors.
 */
static bool
is_free_list(const nvlist_t *value, const nvlist_t *nvl)
{

	return (value != NULL && value->nvl_parent == NULL &&
	    (value->nvl_flags & NV_FLAG_IN_ARRAY) == 0 &&
	    (nvl == NULL || !is_ancestor(value, nvl)));
}

/*
 * Check the lists handed to nvlist_move_nvlist_array(): each must be free
 * to give away (EINVAL), appear once (EINVAL) and be error-free (its
 * error).  Returns 0 or the errno to fail with.
 */
static int
check_move_nvls(const nvlist_t *nvl, nvlist_t **value, size_t nitems,
    nvlist_t **sorted)
{
	size_t i;

	for (i = 0; i < nitems; i++) {
		if (value[i] != NULL)
			nv_impl_check_list(value[i], "nvlist_move_nvlist_array");
		if (!is_free_list(value[i], nvl))
			return (EINVAL);
	}
	for (i = 1; i < nitems; i++) {
		if (sorted != NULL ? sorted[i] == sorted[i - 1] :
		    is_repeat(value, i))
			return (EINVAL);
	}
	for (i = 0; i < nitems; i++) {
		if (value[i]->nvl_error != 0)
			return (value[i]->nvl_error);
	}
	return (0);
}

/*
 * After a failed move, destroy each of the caller's lists once, except
 * the ones that were never the caller's to give away.
 */
static void
destroy_moved_nvls(const nvlist_t *nvl, nvlist_t **value, size_t nitems,
    nvlist_t **sorted)
{
	nvlist_t **v;
	size_t i;
	int serrno;

	serrno = errno;
	v = sorted != NULL ? sorted : value;
	for (i = 0; i < nitems; i++) {
		if (sorted != NULL ? (i > 0 && v[i] == v[i - 1]) :
		    is_repeat(v, i))
			continue;
		if (v[i] != NULL &&
		    v[i]->nvl_magic == NVLIST_MAGIC && is_free_list(v[i], nvl))
			nvlist_destroy(v[i]);
	}
	free(sorted);
	free(value);
	errno = serrno;
}

void
nvlist_move_nvlist_array(nvlist_t *nvl, const char *name, nvlist_t **value,
    size_t nitems)
{
	nvlist_t **sorted;
	nvpair_t *nvp;
	int error;

	if (nvl != NULL)
		nv_impl_check_list(nvl, "nvlist_move_nvlist_array");
	if (value == NULL || nitems == 0 ||
	    nitems > SIZE_MAX / sizeof(int64_t)) {
		if (nv_impl_usable(nvl))
			nv_impl_fail(nvl, EINVAL);
		error = errno;
		free(value);
		errno = error;
		return;
	}
	sorted = sorted_nvls(value, nitems);
	error = check_move_nvls(nvl, value, nitems, sorted);
	if (!nv_impl_usable(nvl)) {
		destroy_moved_nvls(nvl, value, nitems, sorted);
		return;
	}
	if (error != 0) {
		nv_impl_fail(nvl, error);
		destroy_moved_nvls(nvl, value, nitems, sorted);
		return;
	}
	free(sorted);
	nvp = array_pair(name, NV_TYPE_NVLIST_ARRAY, value, nitems,
	    nitems * sizeof(int64_t));
	if (nvp == NULL) {
		nv_impl_fail(nvl, errno);
		destroy_moved_nvls(nvl, value, nitems, NULL);
		return;
	}
	link_nvls(nvp, value, nitems);
	(void)nv_impl_insert(nvl, nvp);
}

/*
 * append: grow the array of that name and type by one element, or create
 * it with one element when it does not exist.
 */
static int
grow(nvpair_t *nvp, size_t elemsize)
{
	void *p;

	if (nvp->nvp_nitems >= SIZE_MAX / elemsize - 1) {
		errno = ENOMEM;
		return (-1);
	}
	p = realloc(nvp->nvp_u.ptr, (nvp->nvp_nitems + 1) * elemsize);
	if (p == NULL)
		return (-1);
	nvp->nvp_u.ptr = p;
	return (0);
}

void
nvlist_append_bool_array(nvlist_t *nvl, const char *name, const bool value)
{
	nvpair_t *nvp;

	if (!nv_impl_usable(nvl))
		return;
	nvp = nv_impl_find(nvl, NV_TYPE_BOOL_ARRAY, name);
	if (nvp == NULL) {
		nvlist_add_bool_array(nvl, name, &value, 1);
		return;
	}
	if (grow(nvp, sizeof(bool)) != 0) {
		nv_impl_fail(nvl, errno);
		return;
	}
	((bool *)nvp->nvp_u.ptr)[nvp->nvp_nitems++] = value;
	nvp->nvp_datasize++;
}

void
nvlist_append_number_array(nvlist_t *nvl, const char *name,
    const uint64_t value)
{
	nvpair_t *nvp;

	if (!nv_impl_usable(nvl))
		return;
	nvp = nv_impl_find(nvl, NV_TYPE_NUMBER_ARRAY, name);
	if (nvp == NULL) {
		nvlist_add_number_array(nvl, name, &value, 1);
		return;
	}
	if (grow(nvp, sizeof(uint64_t)) != 0) {
		nv_impl_fail(nvl, errno);
		return;
	}
	((uint64_t *)nvp->nvp_u.ptr)[nvp->nvp_nitems++] = value;
	nvp->nvp_datasize += sizeof(uint64_t);
}

void
nvlist_append_string_array(nvlist_t *nvl, const char *name,
    const char * const value)
{
	nvpair_t *nvp;
	char *copy;

	if (!nv_impl_usable(nvl))
		return;
	if (value == NULL) {
		nv_impl_fail(nvl, EINVAL);
		return;
	}
	nvp = nv_impl_find(nvl, NV_TYPE_STRING_ARRAY, name);
	if (nvp == NULL) {
		nvlist_add_string_array(nvl, name, &value, 1);
		return;
	}
	copy = strdup(value);
	if (copy == NULL || nv_impl_strs_unblock(nvp) != 0 ||
	    grow(nvp, sizeof(char *)) != 0) {
		free(copy);
		nv_impl_fail(nvl, ENOMEM);
		return;
	}
	nvp->nvp_u.strs[nvp->nvp_nitems++] = copy;
	nvp->nvp_datasize += strlen(copy) + 1;
}

void
nvlist_append_descriptor_array(nvlist_t *nvl, const char *name, int value)
{
	nvpair_t *nvp;
	int fd, serrno;

	if (!nv_impl_usable(nvl))
		return;
	nvp = nv_impl_find(nvl, NV_TYPE_DESCRIPTOR_ARRAY, name);
	if (nvp == NULL) {
		nvlist_add_descriptor_array(nvl, name, &value, 1);
		return;
	}
	if (!nv_impl_fd_valid(value)) {
		nv_impl_fail(nvl, EBADF);
		return;
	}
	fd = fcntl(value, F_DUPFD_CLOEXEC, 0);
	if (fd == -1 || grow(nvp, sizeof(int)) != 0) {
		serrno = errno;
		if (fd != -1)
			(void)close(fd);
		nv_impl_fail(nvl, serrno);
		return;
	}
	((int *)nvp->nvp_u.ptr)[nvp->nvp_nitems++] = fd;
	nvp->nvp_datasize += sizeof(int64_t);
	nv_impl_ndesc_add(nvl, 1);
}

void
nvlist_append_nvlist_array(nvlist_t *nvl, const char *name,
    const nvlist_t * const value)
{
	nvlist_t *copy, **nvls;
	nvpair_t *nvp;
	int serrno;

	if (!nv_impl_usable(nvl))
		return;
	if (value == NULL) {
		nv_impl_fail(nvl, EINVAL);
		return;
	}
	nvp = nv_impl_find(nvl, NV_TYPE_NVLIST_ARRAY, name);
	if (nvp == NULL) {
		nvlist_add_nvlist_array(nvl, name, &value, 1);
		return;
	}
	copy = nvlist_clone(value);
	if (copy == NULL) {
		nv_impl_fail(nvl, errno);
		return;
	}
	if (grow(nvp, sizeof(nvlist_t *)) != 0) {
		serrno = errno;
		nvlist_destroy(copy);
		nv_impl_fail(nvl, serrno);
		return;
	}
	nvls = nvp->nvp_u.nvls;
	nvls[nvp->nvp_nitems - 1]->nvl_array_next = copy;
	nvls[nvp->nvp_nitems++] = copy;
	copy->nvl_parent = nvp;
	copy->nvl_flags |= NV_FLAG_IN_ARRAY;
	nvp->nvp_datasize += sizeof(int64_t);
	if (copy->nvl_ndesc > 0)
		nv_impl_ndesc_add(nvl, copy->nvl_ndesc);
}
