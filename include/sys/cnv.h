/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: cookie-based access to name/value lists.
 *
 * Source compatible with FreeBSD's <sys/cnv.h>.  The cookie is the one
 * nvlist_next() returns; it names one element.  A type mismatch aborts.
 * Taking or freeing an element through its cookie invalidates the cookie:
 * restart the iteration with a NULL cookie afterwards.
 */
#ifndef _CNV_H_
#define	_CNV_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef	_NVLIST_T_DECLARED
#define	_NVLIST_T_DECLARED
struct nvlist;

typedef struct nvlist nvlist_t;
#endif

#ifdef __cplusplus
extern "C" {
#endif

const char	*cnvlist_name(const void *cookie);
int		 cnvlist_type(const void *cookie);

bool			 cnvlist_get_bool(const void *cookie);
uint64_t		 cnvlist_get_number(const void *cookie);
const char		*cnvlist_get_string(const void *cookie);
const nvlist_t		*cnvlist_get_nvlist(const void *cookie);
const void		*cnvlist_get_binary(const void *cookie, size_t *sizep);
const bool		*cnvlist_get_bool_array(const void *cookie,
			    size_t *nitemsp);
const uint64_t		*cnvlist_get_number_array(const void *cookie,
			    size_t *nitemsp);
const char * const	*cnvlist_get_string_array(const void *cookie,
			    size_t *nitemsp);
const nvlist_t * const	*cnvlist_get_nvlist_array(const void *cookie,
			    size_t *nitemsp);
int			 cnvlist_get_descriptor(const void *cookie);
const int		*cnvlist_get_descriptor_array(const void *cookie,
			    size_t *nitemsp);

bool		 cnvlist_take_bool(void *cookie);
uint64_t	 cnvlist_take_number(void *cookie);
char		*cnvlist_take_string(void *cookie);
nvlist_t	*cnvlist_take_nvlist(void *cookie);
void		*cnvlist_take_binary(void *cookie, size_t *sizep);
bool		*cnvlist_take_bool_array(void *cookie, size_t *nitemsp);
uint64_t	*cnvlist_take_number_array(void *cookie, size_t *nitemsp);
char		**cnvlist_take_string_array(void *cookie, size_t *nitemsp);
nvlist_t	**cnvlist_take_nvlist_array(void *cookie, size_t *nitemsp);
int		 cnvlist_take_descriptor(void *cookie);
int		*cnvlist_take_descriptor_array(void *cookie, size_t *nitemsp);

void	cnvlist_free_bool(void *cookie);
void	cnvlist_free_number(void *cookie);
void	cnvlist_free_string(void *cookie);
void	cnvlist_free_nvlist(void *cookie);
void	cnvlist_free_binary(void *cookie);
void	cnvlist_free_bool_array(void *cookie);
void	cnvlist_free_number_array(void *cookie);
void	cnvlist_free_string_array(void *cookie);
void	cnvlist_free_nvlist_array(void *cookie);
void	cnvlist_free_descriptor(void *cookie);
void	cnvlist_free_descriptor_array(void *cookie);

#ifdef __cplusplus
}
#endif

#endif /* !_CNV_H_ */
