/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: name/value lists (libnv).
 *
 * Source compatible with FreeBSD's <sys/nv.h>: the same names, constants,
 * types and error model, and a byte-compatible packed form.  See nv(3) and
 * docs/nv.md for the limits and for what differs from FreeBSD.
 */
#ifndef _NV_H_
#define	_NV_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef	_NVLIST_T_DECLARED
#define	_NVLIST_T_DECLARED
struct nvlist;

typedef struct nvlist nvlist_t;
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define	NV_NAME_MAX	2048

#define	NV_TYPE_NONE			0

#define	NV_TYPE_NULL			1
#define	NV_TYPE_BOOL			2
#define	NV_TYPE_NUMBER			3
#define	NV_TYPE_STRING			4
#define	NV_TYPE_NVLIST			5
#define	NV_TYPE_DESCRIPTOR		6
#define	NV_TYPE_BINARY			7
#define	NV_TYPE_BOOL_ARRAY		8
#define	NV_TYPE_NUMBER_ARRAY		9
#define	NV_TYPE_STRING_ARRAY		10
#define	NV_TYPE_NVLIST_ARRAY		11
#define	NV_TYPE_DESCRIPTOR_ARRAY	12

/* Names are compared without regard to (ASCII) case. */
#define	NV_FLAG_IGNORE_CASE		0x01
/* Several elements may share a name; lookups return the first one. */
#define	NV_FLAG_NO_UNIQUE		0x02

#if defined(__GNUC__) || defined(__clang__)
#define	__nv_printflike(f, a)	__attribute__((__format__(__printf__, f, a)))
#else
#define	__nv_printflike(f, a)
#endif

nvlist_t	*nvlist_create(int flags);
void		 nvlist_destroy(nvlist_t *nvl);
int		 nvlist_error(const nvlist_t *nvl);
bool		 nvlist_empty(const nvlist_t *nvl);
int		 nvlist_flags(const nvlist_t *nvl);
void		 nvlist_set_error(nvlist_t *nvl, int error);

nvlist_t	*nvlist_clone(const nvlist_t *nvl);

void		 nvlist_dump(const nvlist_t *nvl, int fd);
void		 nvlist_fdump(const nvlist_t *nvl, FILE *fp);

size_t		 nvlist_size(const nvlist_t *nvl);
void		*nvlist_pack(const nvlist_t *nvl, size_t *sizep);
nvlist_t	*nvlist_unpack(const void *buf, size_t size, int flags);

int		 nvlist_send(int sock, const nvlist_t *nvl);
nvlist_t	*nvlist_recv(int sock, int flags);
nvlist_t	*nvlist_xfer(int sock, nvlist_t *nvl, int flags);

const char	*nvlist_next(const nvlist_t *nvl, int *typep, void **cookiep);

const nvlist_t	*nvlist_get_parent(const nvlist_t *nvl, void **cookiep);

const nvlist_t	*nvlist_get_array_next(const nvlist_t *nvl);
bool		 nvlist_in_array(const nvlist_t *nvl);

const nvlist_t	*nvlist_get_pararr(const nvlist_t *nvl, void **cookiep);

/*
 * The nvlist_exists functions check if an element of the given name (and
 * type) exists.
 */
bool	nvlist_exists(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_type(const nvlist_t *nvl, const char *name, int type);

bool	nvlist_exists_null(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_bool(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_number(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_string(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_nvlist(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_binary(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_bool_array(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_number_array(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_string_array(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_nvlist_array(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_descriptor(const nvlist_t *nvl, const char *name);
bool	nvlist_exists_descriptor_array(const nvlist_t *nvl, const char *name);

/*
 * The nvlist_add functions add the given name/value pair.  The value is
 * copied (a descriptor is duplicated); the caller keeps its own.  On error
 * the list's sticky error is set.
 */
void	nvlist_add_null(nvlist_t *nvl, const char *name);
void	nvlist_add_bool(nvlist_t *nvl, const char *name, bool value);
void	nvlist_add_number(nvlist_t *nvl, const char *name, uint64_t value);
void	nvlist_add_string(nvlist_t *nvl, const char *name, const char *value);
void	nvlist_add_stringf(nvlist_t *nvl, const char *name,
	    const char *valuefmt, ...) __nv_printflike(3, 4);
void	nvlist_add_stringv(nvlist_t *nvl, const char *name,
	    const char *valuefmt, va_list valueap) __nv_printflike(3, 0);
void	nvlist_add_nvlist(nvlist_t *nvl, const char *name,
	    const nvlist_t *value);
void	nvlist_add_binary(nvlist_t *nvl, const char *name, const void *value,
	    size_t size);
void	nvlist_add_bool_array(nvlist_t *nvl, const char *name,
	    const bool *value, size_t nitems);
void	nvlist_add_number_array(nvlist_t *nvl, const char *name,
	    const uint64_t *value, size_t nitems);
void	nvlist_add_string_array(nvlist_t *nvl, const char *name,
	    const char * const *value, size_t nitems);
void	nvlist_add_nvlist_array(nvlist_t *nvl, const char *name,
	    const nvlist_t * const *value, size_t nitems);
void	nvlist_add_descriptor(nvlist_t *nvl, const char *name, int value);
void	nvlist_add_descriptor_array(nvlist_t *nvl, const char *name,
	    const int *value, size_t nitems);

/*
 * The nvlist_append functions append one value to an array, creating the
 * array when no element of that name and type exists.
 */
void	nvlist_append_bool_array(nvlist_t *nvl, const char *name,
	    const bool value);
void	nvlist_append_number_array(nvlist_t *nvl, const char *name,
	    const uint64_t value);
void	nvlist_append_string_array(nvlist_t *nvl, const char *name,
	    const char * const value);
void	nvlist_append_nvlist_array(nvlist_t *nvl, const char *name,
	    const nvlist_t * const value);
void	nvlist_append_descriptor_array(nvlist_t *nvl, const char *name,
	    int value);

/*
 * The nvlist_move functions add the given name/value pair and take
 * ownership of the value: it is freed (or closed) on error too.
 */
void	nvlist_move_string(nvlist_t *nvl, const char *name, char *value);
void	nvlist_move_nvlist(nvlist_t *nvl, const char *name, nvlist_t *value);
void	nvlist_move_binary(nvlist_t *nvl, const char *name, void *value,
	    size_t size);
void	nvlist_move_bool_array(nvlist_t *nvl, const char *name, bool *value,
	    size_t nitems);
void	nvlist_move_string_array(nvlist_t *nvl, const char *name,
	    char **value, size_t nitems);
void	nvlist_move_nvlist_array(nvlist_t *nvl, const char *name,
	    nvlist_t **value, size_t nitems);
void	nvlist_move_number_array(nvlist_t *nvl, const char *name,
	    uint64_t *value, size_t nitems);
void	nvlist_move_descriptor(nvlist_t *nvl, const char *name, int value);
void	nvlist_move_descriptor_array(nvlist_t *nvl, const char *name,
	    int *value, size_t nitems);

/*
 * The nvlist_get functions return a value that stays owned by the list.
 * A missing element, or one of another type, aborts the program.
 */
bool			 nvlist_get_bool(const nvlist_t *nvl, const char *name);
uint64_t		 nvlist_get_number(const nvlist_t *nvl,
			    const char *name);
const char		*nvlist_get_string(const nvlist_t *nvl,
			    const char *name);
const nvlist_t		*nvlist_get_nvlist(const nvlist_t *nvl,
			    const char *name);
const void		*nvlist_get_binary(const nvlist_t *nvl,
			    const char *name, size_t *sizep);
const bool		*nvlist_get_bool_array(const nvlist_t *nvl,
			    const char *name, size_t *nitemsp);
const uint64_t		*nvlist_get_number_array(const nvlist_t *nvl,
			    const char *name, size_t *nitemsp);
const char * const	*nvlist_get_string_array(const nvlist_t *nvl,
			    const char *name, size_t *nitemsp);
const nvlist_t * const	*nvlist_get_nvlist_array(const nvlist_t *nvl,
			    const char *name, size_t *nitemsp);
int			 nvlist_get_descriptor(const nvlist_t *nvl,
			    const char *name);
const int		*nvlist_get_descriptor_array(const nvlist_t *nvl,
			    const char *name, size_t *nitemsp);

/*
 * The nvlist_take functions remove the element and hand its value to the
 * caller, who must free (or close) it.  A missing element aborts.
 */
bool		 nvlist_take_bool(nvlist_t *nvl, const char *name);
uint64_t	 nvlist_take_number(nvlist_t *nvl, const char *name);
char		*nvlist_take_string(nvlist_t *nvl, const char *name);
nvlist_t	*nvlist_take_nvlist(nvlist_t *nvl, const char *name);
void		*nvlist_take_binary(nvlist_t *nvl, const char *name,
		    size_t *sizep);
bool		*nvlist_take_bool_array(nvlist_t *nvl, const char *name,
		    size_t *nitemsp);
uint64_t	*nvlist_take_number_array(nvlist_t *nvl, const char *name,
		    size_t *nitemsp);
char		**nvlist_take_string_array(nvlist_t *nvl, const char *name,
		    size_t *nitemsp);
nvlist_t	**nvlist_take_nvlist_array(nvlist_t *nvl, const char *name,
		    size_t *nitemsp);
int		 nvlist_take_descriptor(nvlist_t *nvl, const char *name);
int		*nvlist_take_descriptor_array(nvlist_t *nvl, const char *name,
		    size_t *nitemsp);

/*
 * The nvlist_free functions remove the element and free (or close) its
 * value.  A missing element aborts.
 */
void	nvlist_free(nvlist_t *nvl, const char *name);
void	nvlist_free_type(nvlist_t *nvl, const char *name, int type);

void	nvlist_free_null(nvlist_t *nvl, const char *name);
void	nvlist_free_bool(nvlist_t *nvl, const char *name);
void	nvlist_free_number(nvlist_t *nvl, const char *name);
void	nvlist_free_string(nvlist_t *nvl, const char *name);
void	nvlist_free_nvlist(nvlist_t *nvl, const char *name);
void	nvlist_free_binary(nvlist_t *nvl, const char *name);
void	nvlist_free_bool_array(nvlist_t *nvl, const char *name);
void	nvlist_free_number_array(nvlist_t *nvl, const char *name);
void	nvlist_free_string_array(nvlist_t *nvl, const char *name);
void	nvlist_free_nvlist_array(nvlist_t *nvl, const char *name);
void	nvlist_free_descriptor(nvlist_t *nvl, const char *name);
void	nvlist_free_descriptor_array(nvlist_t *nvl, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* !_NV_H_ */
