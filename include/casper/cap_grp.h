/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.grp Casper service.
 *
 * Source compatible with FreeBSD's <casper/cap_grp.h>: the group database
 * (glibc, NSS) read from capability mode.  glibc's struct group has the
 * same fields as FreeBSD's (gr_name, gr_passwd, gr_gid, gr_mem).  Fields
 * outside the limits come back as "" (strings), -1 (gr_gid) and an empty
 * member list.  The non-_r functions return storage of the library,
 * replaced by the next call.  Without Casper (WITHOUT_CASPER) every
 * function is the libc one and the limit functions succeed doing nothing.
 */
#ifndef _CASPER_CAP_GRP_H_
#define	_CASPER_CAP_GRP_H_

#include <sys/types.h>
#include <grp.h>
#include <stddef.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef WITH_CASPER
struct group	*cap_getgrent(cap_channel_t *chan);
struct group	*cap_getgrnam(cap_channel_t *chan, const char *name);
struct group	*cap_getgrgid(cap_channel_t *chan, gid_t gid);
int	cap_getgrent_r(cap_channel_t *chan, struct group *grp, char *buffer,
	    size_t bufsize, struct group **result);
int	cap_getgrnam_r(cap_channel_t *chan, const char *name,
	    struct group *grp, char *buffer, size_t bufsize,
	    struct group **result);
int	cap_getgrgid_r(cap_channel_t *chan, gid_t gid, struct group *grp,
	    char *buffer, size_t bufsize, struct group **result);
int	cap_setgroupent(cap_channel_t *chan, int stayopen);
int	cap_setgrent(cap_channel_t *chan);
void	cap_endgrent(cap_channel_t *chan);
int	cap_grp_limit_cmds(cap_channel_t *chan, const char *const *cmds,
	    size_t ncmds);
int	cap_grp_limit_fields(cap_channel_t *chan, const char *const *fields,
	    size_t nfields);
int	cap_grp_limit_groups(cap_channel_t *chan, const char *const *names,
	    size_t nnames, const gid_t *gids, size_t ngids);
#else
static inline struct group *
cap_getgrent(cap_channel_t *chan)
{
	(void)chan;
	return (getgrent());
}
static inline struct group *
cap_getgrnam(cap_channel_t *chan, const char *name)
{
	(void)chan;
	return (getgrnam(name));
}
static inline struct group *
cap_getgrgid(cap_channel_t *chan, gid_t gid)
{
	(void)chan;
	return (getgrgid(gid));
}
static inline int
cap_getgrent_r(cap_channel_t *chan, struct group *grp, char *buffer,
    size_t bufsize, struct group **result)
{
	(void)chan;
	return (getgrent_r(grp, buffer, bufsize, result));
}
static inline int
cap_getgrnam_r(cap_channel_t *chan, const char *name, struct group *grp,
    char *buffer, size_t bufsize, struct group **result)
{
	(void)chan;
	return (getgrnam_r(name, grp, buffer, bufsize, result));
}
static inline int
cap_getgrgid_r(cap_channel_t *chan, gid_t gid, struct group *grp,
    char *buffer, size_t bufsize, struct group **result)
{
	(void)chan;
	return (getgrgid_r(gid, grp, buffer, bufsize, result));
}
/* glibc has no setgroupent(); setgrent() rewinds, which is all it does. */
static inline int
cap_setgroupent(cap_channel_t *chan, int stayopen)
{
	(void)chan;
	(void)stayopen;
	setgrent();
	return (1);
}
static inline int
cap_setgrent(cap_channel_t *chan)
{
	(void)chan;
	setgrent();
	return (1);
}
static inline void
cap_endgrent(cap_channel_t *chan)
{
	(void)chan;
	endgrent();
}
static inline int
cap_grp_limit_cmds(cap_channel_t *chan, const char *const *cmds, size_t ncmds)
{
	(void)chan;
	(void)cmds;
	(void)ncmds;
	return (0);
}
static inline int
cap_grp_limit_fields(cap_channel_t *chan, const char *const *fields,
    size_t nfields)
{
	(void)chan;
	(void)fields;
	(void)nfields;
	return (0);
}
static inline int
cap_grp_limit_groups(cap_channel_t *chan, const char *const *names,
    size_t nnames, const gid_t *gids, size_t ngids)
{
	(void)chan;
	(void)names;
	(void)nnames;
	(void)gids;
	(void)ngids;
	return (0);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_GRP_H_ */
