/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: default-value accessors for name/value lists.
 *
 * Source compatible with FreeBSD's <sys/dnv.h>.  Each function behaves as
 * its nvlist_get or nvlist_take counterpart when an element of the given
 * name and type exists, and returns the default instead of aborting when
 * none does.
 */
#ifndef _DNV_H_
#define	_DNV_H_

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

bool		 dnvlist_get_bool(const nvlist_t *nvl, const char *name,
		    bool defval);
uint64_t	 dnvlist_get_number(const nvlist_t *nvl, const char *name,
		    uint64_t defval);
const char	*dnvlist_get_string(const nvlist_t *nvl, const char *name,
		    const char *defval);
const nvlist_t	*dnvlist_get_nvlist(const nvlist_t *nvl, const char *name,
		    const nvlist_t *defval);
int		 dnvlist_get_descriptor(const nvlist_t *nvl, const char *name,
		    int defval);
const void	*dnvlist_get_binary(const nvlist_t *nvl, const char *name,
		    size_t *sizep, const void *defval, size_t defsize);

bool		 dnvlist_take_bool(nvlist_t *nvl, const char *name,
		    bool defval);
uint64_t	 dnvlist_take_number(nvlist_t *nvl, const char *name,
		    uint64_t defval);
char		*dnvlist_take_string(nvlist_t *nvl, const char *name,
		    char *defval);
nvlist_t	*dnvlist_take_nvlist(nvlist_t *nvl, const char *name,
		    nvlist_t *defval);
int		 dnvlist_take_descriptor(nvlist_t *nvl, const char *name,
		    int defval);
void		*dnvlist_take_binary(nvlist_t *nvl, const char *name,
		    size_t *sizep, void *defval, size_t defsize);

#ifdef __cplusplus
}
#endif

#endif /* !_DNV_H_ */
