/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.pwd Casper service.
 *
 * Source compatible with FreeBSD's <casper/cap_pwd.h>: the passwd database
 * (glibc, NSS) read from capability mode.  The struct is glibc's
 * struct passwd, which has no pw_change, pw_class, pw_expire or pw_fields;
 * those names are still accepted by cap_pwd_limit_fields() and have no
 * effect.  Fields outside the limits come back as "" (strings) and -1
 * (pw_uid, pw_gid).  The non-_r functions return storage of the library,
 * replaced by the next call.  Without Casper (WITHOUT_CASPER) every
 * function is the libc one and the limit functions succeed doing nothing.
 */
#ifndef _CASPER_CAP_PWD_H_
#define	_CASPER_CAP_PWD_H_

#include <sys/types.h>
#include <pwd.h>
#include <stddef.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef WITH_CASPER
struct passwd	*cap_getpwent(cap_channel_t *chan);
struct passwd	*cap_getpwnam(cap_channel_t *chan, const char *login);
struct passwd	*cap_getpwuid(cap_channel_t *chan, uid_t uid);
int	cap_getpwent_r(cap_channel_t *chan, struct passwd *pwd, char *buffer,
	    size_t bufsize, struct passwd **result);
int	cap_getpwnam_r(cap_channel_t *chan, const char *name,
	    struct passwd *pwd, char *buffer, size_t bufsize,
	    struct passwd **result);
int	cap_getpwuid_r(cap_channel_t *chan, uid_t uid, struct passwd *pwd,
	    char *buffer, size_t bufsize, struct passwd **result);
int	cap_setpassent(cap_channel_t *chan, int stayopen);
void	cap_setpwent(cap_channel_t *chan);
void	cap_endpwent(cap_channel_t *chan);
int	cap_pwd_limit_cmds(cap_channel_t *chan, const char *const *cmds,
	    size_t ncmds);
int	cap_pwd_limit_fields(cap_channel_t *chan, const char *const *fields,
	    size_t nfields);
int	cap_pwd_limit_users(cap_channel_t *chan, const char *const *names,
	    size_t nnames, const uid_t *uids, size_t nuids);
#else
static inline struct passwd *
cap_getpwent(cap_channel_t *chan)
{
	(void)chan;
	return (getpwent());
}
static inline struct passwd *
cap_getpwnam(cap_channel_t *chan, const char *login)
{
	(void)chan;
	return (getpwnam(login));
}
static inline struct passwd *
cap_getpwuid(cap_channel_t *chan, uid_t uid)
{
	(void)chan;
	return (getpwuid(uid));
}
static inline int
cap_getpwent_r(cap_channel_t *chan, struct passwd *pwd, char *buffer,
    size_t bufsize, struct passwd **result)
{
	(void)chan;
	return (getpwent_r(pwd, buffer, bufsize, result));
}
static inline int
cap_getpwnam_r(cap_channel_t *chan, const char *name, struct passwd *pwd,
    char *buffer, size_t bufsize, struct passwd **result)
{
	(void)chan;
	return (getpwnam_r(name, pwd, buffer, bufsize, result));
}
static inline int
cap_getpwuid_r(cap_channel_t *chan, uid_t uid, struct passwd *pwd,
    char *buffer, size_t bufsize, struct passwd **result)
{
	(void)chan;
	return (getpwuid_r(uid, pwd, buffer, bufsize, result));
}
/* glibc has no setpassent(); setpwent() rewinds, which is all it does. */
static inline int
cap_setpassent(cap_channel_t *chan, int stayopen)
{
	(void)chan;
	(void)stayopen;
	setpwent();
	return (1);
}
static inline void
cap_setpwent(cap_channel_t *chan)
{
	(void)chan;
	setpwent();
}
static inline void
cap_endpwent(cap_channel_t *chan)
{
	(void)chan;
	endpwent();
}
static inline int
cap_pwd_limit_cmds(cap_channel_t *chan, const char *const *cmds, size_t ncmds)
{
	(void)chan;
	(void)cmds;
	(void)ncmds;
	return (0);
}
static inline int
cap_pwd_limit_fields(cap_channel_t *chan, const char *const *fields,
    size_t nfields)
{
	(void)chan;
	(void)fields;
	(void)nfields;
	return (0);
}
static inline int
cap_pwd_limit_users(cap_channel_t *chan, const char *const *names,
    size_t nnames, const uid_t *uids, size_t nuids)
{
	(void)chan;
	(void)names;
	(void)nnames;
	(void)uids;
	(void)nuids;
	return (0);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_PWD_H_ */
