/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Name/value pairs: allocation, copying and release of one element.
 * Lists and nesting are nvlist.c's business; a pair only knows the list
 * that holds it (nvp_list) so that cookies can find their way back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nv_impl.h"

/* Binary values inside a pair start on this boundary, as malloc's would. */
#define	NV_INLINE_ALIGN		16

_Noreturn void
nv_impl_abort(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("libnv: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

const char *
nv_impl_type_name(int type)
{

	switch (type) {
	case NV_TYPE_NONE:
		return ("NONE");
	case NV_TYPE_NULL:
		return ("NULL");
	case NV_TYPE_BOOL:
		return ("BOOL");
	case NV_TYPE_NUMBER:
		return ("NUMBER");
	case NV_TYPE_STRING:
		return ("STRING");
	case NV_TYPE_NVLIST:
		return ("NVLIST");
	case NV_TYPE_DESCRIPTOR:
		return ("DESCRIPTOR");
	case NV_TYPE_BINARY:
		return ("BINARY");
	case NV_TYPE_BOOL_ARRAY:
		return ("BOOL ARRAY");
	case NV_TYPE_NUMBER_ARRAY:
		return ("NUMBER ARRAY");
	case NV_TYPE_STRING_ARRAY:
		return ("STRING ARRAY");
	case NV_TYPE_NVLIST_ARRAY:
		return ("NVLIST ARRAY");
	case NV_TYPE_DESCRIPTOR_ARRAY:
		return ("DESCRIPTOR ARRAY");
	default:
		return ("<UNKNOWN>");
	}
}

_Noreturn void
nv_impl_missing(const char *func, int type, const char *name)
{

	nv_impl_abort("%s: no element '%s' of type %s", func,
	    name != NULL ? name : "(null)", nv_impl_type_name(type));
}

void
nv_impl_check_pair(const nvpair_t *nvp, const char *func)
{

	if (nvp == NULL)
		nv_impl_abort("%s: NULL cookie", func);
	if (nvp->nvp_magic != NVPAIR_MAGIC)
		nv_impl_abort("%s: %p is not a valid cookie", func,
		    (const void *)nvp);
}

bool
nv_impl_fd_valid(int fd)
{

	return (fd >= 0 && fcntl(fd, F_GETFD) != -1);
}

/*
 * FNV-1a over the ASCII-lowercased name, so that one hash serves both
 * case-sensitive and NV_FLAG_IGNORE_CASE lists.  Stops at NV_NAME_MAX:
 * the caller treats a length of NV_NAME_MAX as "too long".
 */
uint32_t
nv_impl_hash(const char *name, size_t *lenp)
{
	uint32_t h;
	size_t i;
	unsigned char c;

	h = 2166136261u;
	for (i = 0; i < NV_NAME_MAX && name[i] != '\0'; i++) {
		c = (unsigned char)name[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619u;
	}
	*lenp = i;
	return (h);
}

/*
 * Allocate a pair with a copy of the name and, when extra is not zero, room
 * for an inline value whose address goes to *extrap.  Fails with EINVAL for
 * a NULL name, ENAMETOOLONG and ENOMEM.
 */
nvpair_t *
nv_impl_pair_new(const char *name, int type, size_t extra, void **extrap)
{
	nvpair_t *nvp;
	size_t len, off;
	uint32_t hash;

	if (name == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	hash = nv_impl_hash(name, &len);
	if (len >= NV_NAME_MAX) {
		errno = ENAMETOOLONG;
		return (NULL);
	}
	off = sizeof(*nvp) + len + 1;
	if (extra > 0) {
		off = (off + NV_INLINE_ALIGN - 1) & ~(size_t)(NV_INLINE_ALIGN - 1);
		if (extra > SIZE_MAX - off) {
			errno = ENOMEM;
			return (NULL);
		}
	}
	nvp = malloc(off + extra);
	if (nvp == NULL)
		return (NULL);
	nvp->nvp_magic = NVPAIR_MAGIC;
	nvp->nvp_type = type;
	nvp->nvp_hash = hash;
	nvp->nvp_namesize = (uint16_t)(len + 1);
	nvp->nvp_flags = extra > 0 ? NVP_F_INLINE : 0;
	nvp->nvp_u.num = 0;
	nvp->nvp_datasize = 0;
	nvp->nvp_nitems = 0;
	nvp->nvp_list = NULL;
	nvp->nvp_hnext = NULL;
	memcpy(nvp->nvp_name, name, len + 1);
	if (extrap != NULL)
		*extrap = extra > 0 ? (char *)nvp + off : NULL;
	return (nvp);
}

void
nv_impl_pair_free_structure(nvpair_t *nvp)
{

	nvp->nvp_magic = 0;
	free(nvp);
}

/*
 * Free a pair and its value: close descriptors, destroy nested lists.
 * Nested lists are destroyed through nvlist_destroy(), which is itself
 * iterative, so this never recurses more than one level.
 */
void
nv_impl_pair_free(nvpair_t *nvp)
{
	size_t i;

	switch (nvp->nvp_type) {
	case NV_TYPE_STRING:
	case NV_TYPE_BINARY:
		if ((nvp->nvp_flags & NVP_F_INLINE) == 0)
			free(nvp->nvp_u.ptr);
		break;
	case NV_TYPE_BOOL_ARRAY:
	case NV_TYPE_NUMBER_ARRAY:
		free(nvp->nvp_u.ptr);
		break;
	case NV_TYPE_STRING_ARRAY:
		if ((nvp->nvp_flags & NVP_F_STRBLOCK) == 0) {
			for (i = 0; i < nvp->nvp_nitems; i++)
				free(nvp->nvp_u.strs[i]);
		}
		free(nvp->nvp_u.strs);
		break;
	case NV_TYPE_DESCRIPTOR:
		(void)close(nvp->nvp_u.fd);
		break;
	case NV_TYPE_DESCRIPTOR_ARRAY:
		for (i = 0; i < nvp->nvp_nitems; i++)
			(void)close(((int *)nvp->nvp_u.ptr)[i]);
		free(nvp->nvp_u.ptr);
		break;
	case NV_TYPE_NVLIST:
		if (nvp->nvp_u.nvl != NULL) {
			nvp->nvp_u.nvl->nvl_parent = NULL;
			nvlist_destroy(nvp->nvp_u.nvl);
		}
		break;
	case NV_TYPE_NVLIST_ARRAY:
		nv_impl_nvls_detach(nvp->nvp_u.nvls, nvp->nvp_nitems);
		for (i = 0; i < nvp->nvp_nitems; i++)
			nvlist_destroy(nvp->nvp_u.nvls[i]);
		free(nvp->nvp_u.nvls);
		break;
	default:
		break;
	}
	nv_impl_pair_free_structure(nvp);
}

/*
 * Convert a string array held as one block (as unpack makes it) into one
 * allocation per string, as append and take need.  Returns 0 or -1 with
 * errno set; the pair is unchanged on failure.
 */
int
nv_impl_strs_unblock(nvpair_t *nvp)
{
	char **strs;
	size_t i;

	if ((nvp->nvp_flags & NVP_F_STRBLOCK) == 0)
		return (0);
	strs = malloc(nvp->nvp_nitems * sizeof(strs[0]));
	if (strs == NULL)
		return (-1);
	for (i = 0; i < nvp->nvp_nitems; i++) {
		strs[i] = strdup(nvp->nvp_u.strs[i]);
		if (strs[i] == NULL)
			goto free_strs;
	}
	free(nvp->nvp_u.strs);
	nvp->nvp_u.strs = strs;
	nvp->nvp_flags &= ~NVP_F_STRBLOCK;
	return (0);

free_strs:
	while (i-- > 0)
		free(strs[i]);
	free(strs);
	errno = ENOMEM;
	return (-1);
}

/* The number of descriptors a pair holds, nested lists included. */
size_t
nv_impl_pair_ndesc(const nvpair_t *nvp)
{
	size_t i, n;

	switch (nvp->nvp_type) {
	case NV_TYPE_DESCRIPTOR:
		return (1);
	case NV_TYPE_DESCRIPTOR_ARRAY:
		return (nvp->nvp_nitems);
	case NV_TYPE_NVLIST:
		return (nvp->nvp_u.nvl != NULL ? nvp->nvp_u.nvl->nvl_ndesc : 0);
	case NV_TYPE_NVLIST_ARRAY:
		n = 0;
		for (i = 0; i < nvp->nvp_nitems; i++)
			n += nvp->nvp_u.nvls[i]->nvl_ndesc;
		return (n);
	default:
		return (0);
	}
}

/*
 * Make nitems empty lists to be the elements of the list array held by
 * nvp: linked in order, marked as array elements, parented to nvp.
 */
nvlist_t **
nv_impl_nvls_new(nvpair_t *nvp, size_t nitems, int flags)
{
	nvlist_t **nvls;
	size_t i;

	if (nitems > SIZE_MAX / sizeof(nvls[0])) {
		errno = ENOMEM;
		return (NULL);
	}
	nvls = malloc(nitems * sizeof(nvls[0]));
	if (nvls == NULL)
		return (NULL);
	for (i = 0; i < nitems; i++) {
		nvls[i] = nv_impl_list_new(flags | NV_FLAG_IN_ARRAY);
		if (nvls[i] == NULL)
			goto free_lists;
		nvls[i]->nvl_parent = nvp;
		if (i > 0)
			nvls[i - 1]->nvl_array_next = nvls[i];
	}
	return (nvls);

free_lists:
	while (i-- > 0)
		nv_impl_list_free_structure(nvls[i]);
	free(nvls);
	errno = ENOMEM;
	return (NULL);
}

/* Unlink the elements of a list array so each stands alone. */
void
nv_impl_nvls_detach(nvlist_t **nvls, size_t nitems)
{
	size_t i;

	for (i = 0; i < nitems; i++) {
		nvls[i]->nvl_parent = NULL;
		nvls[i]->nvl_array_next = NULL;
		nvls[i]->nvl_flags &= ~NV_FLAG_IN_ARRAY;
	}
}

static void *
memdup(const void *p, size_t size)
{
	void *q;

	q = malloc(size);
	if (q != NULL)
		memcpy(q, p, size);
	return (q);
}

static int *
fds_dup(const int *fds, size_t n)
{
	int *dup;
	size_t i;

	dup = malloc(n * sizeof(dup[0]));
	if (dup == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		dup[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
		if (dup[i] == -1)
			goto close_dups;
	}
	return (dup);

close_dups:
	{
		int serrno = errno;

		while (i-- > 0)
			(void)close(dup[i]);
		free(dup);
		errno = serrno;
	}
	return (NULL);
}

static char **
strs_dup(char * const *strs, size_t n)
{
	char **dup;
	size_t i;

	dup = malloc(n * sizeof(dup[0]));
	if (dup == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		dup[i] = strdup(strs[i]);
		if (dup[i] == NULL)
			goto free_strs;
	}
	return (dup);

free_strs:
	while (i-- > 0)
		free(dup[i]);
	free(dup);
	errno = ENOMEM;
	return (NULL);
}

/*
 * Copy a pair for nvlist_clone().  Scalars, strings, binaries and arrays
 * are copied and descriptors duplicated (close-on-exec).  A nested list
 * or list array becomes empty lists with the same flags; the clone's walk
 * fills them.  Returns NULL with errno set on failure.
 */
nvpair_t *
nv_impl_pair_clone(const nvpair_t *src)
{
	nvpair_t *nvp;
	void *extra;
	size_t i;

	extra = NULL;
	if (src->nvp_type == NV_TYPE_STRING || src->nvp_type == NV_TYPE_BINARY)
		nvp = nv_impl_pair_new(src->nvp_name, src->nvp_type,
		    src->nvp_datasize, &extra);
	else
		nvp = nv_impl_pair_new(src->nvp_name, src->nvp_type, 0, NULL);
	if (nvp == NULL)
		return (NULL);
	nvp->nvp_datasize = src->nvp_datasize;
	nvp->nvp_nitems = src->nvp_nitems;
	switch (src->nvp_type) {
	case NV_TYPE_NULL:
	case NV_TYPE_BOOL:
	case NV_TYPE_NUMBER:
		nvp->nvp_u = src->nvp_u;
		break;
	case NV_TYPE_STRING:
	case NV_TYPE_BINARY:
		memcpy(extra, src->nvp_u.ptr, src->nvp_datasize);
		nvp->nvp_u.ptr = extra;
		break;
	case NV_TYPE_BOOL_ARRAY:
	case NV_TYPE_NUMBER_ARRAY:
		nvp->nvp_u.ptr = memdup(src->nvp_u.ptr, src->nvp_datasize);
		if (nvp->nvp_u.ptr == NULL)
			goto free_pair;
		break;
	case NV_TYPE_STRING_ARRAY:
		nvp->nvp_u.strs = strs_dup(src->nvp_u.strs, src->nvp_nitems);
		if (nvp->nvp_u.strs == NULL)
			goto free_pair;
		break;
	case NV_TYPE_DESCRIPTOR:
		nvp->nvp_u.fd = fcntl(src->nvp_u.fd, F_DUPFD_CLOEXEC, 0);
		if (nvp->nvp_u.fd == -1)
			goto free_pair;
		break;
	case NV_TYPE_DESCRIPTOR_ARRAY:
		nvp->nvp_u.ptr = fds_dup(src->nvp_u.ptr, src->nvp_nitems);
		if (nvp->nvp_u.ptr == NULL)
			goto free_pair;
		break;
	case NV_TYPE_NVLIST:
		nvp->nvp_u.nvl = nv_impl_list_new(src->nvp_u.nvl->nvl_flags &
		    NV_FLAG_PUBLIC_MASK);
		if (nvp->nvp_u.nvl == NULL)
			goto free_pair;
		nvp->nvp_u.nvl->nvl_parent = nvp;
		break;
	case NV_TYPE_NVLIST_ARRAY:
		nvp->nvp_u.nvls = nv_impl_nvls_new(nvp, src->nvp_nitems, 0);
		if (nvp->nvp_u.nvls == NULL)
			goto free_pair;
		for (i = 0; i < src->nvp_nitems; i++)
			nvp->nvp_u.nvls[i]->nvl_flags |=
			    src->nvp_u.nvls[i]->nvl_flags & NV_FLAG_PUBLIC_MASK;
		break;
	default:
		nv_impl_abort("nvlist_clone: corrupt element '%s' (type %d)",
		    src->nvp_name, src->nvp_type);
	}
	return (nvp);

free_pair:
	{
		int serrno = errno;

		nv_impl_pair_free_structure(nvp);
		errno = serrno;
	}
	return (NULL);
}
