/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.sysctl Casper service.
 *
 * FreeBSD's <casper/cap_sysctl.h> over Linux's /proc/sys: the dotted name
 * "kernel.ostype" is the file /proc/sys/kernel/ostype.  Values are the
 * file's text without its trailing newline, NUL-terminated; an integer
 * value read into a buffer of exactly sizeof(int) or sizeof(int64_t) bytes
 * comes back in binary, and a write of exactly those lengths is a binary
 * integer written as decimal text (see cap_sysctl(3)).  Linux has no
 * numeric MIBs: cap_sysctl(), cap_sysctlnametomib() and
 * cap_sysctl_limit_mib() fail with EOPNOTSUPP.
 *
 * Without Casper (WITHOUT_CASPER) cap_sysctlbyname reads and writes
 * /proc/sys directly with the same rules (no library needed), the numeric
 * calls still fail, and the limit functions succeed doing nothing.
 */
#ifndef _CASPER_CAP_SYSCTL_H_
#define	_CASPER_CAP_SYSCTL_H_

#include <stddef.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	CAP_SYSCTL_READ		0x01
#define	CAP_SYSCTL_WRITE	0x02
#define	CAP_SYSCTL_RDWR		(CAP_SYSCTL_READ | CAP_SYSCTL_WRITE)
#define	CAP_SYSCTL_RECURSIVE	0x04

struct cap_sysctl_limit;
typedef struct cap_sysctl_limit cap_sysctl_limit_t;

/* The /proc/sys implementation, shared by the service and the fallback. */
#include <casper/_sysctl_proc.h>

#ifdef WITH_CASPER
int	cap_sysctl(cap_channel_t *chan, const int *name, unsigned int namelen,
	    void *oldp, size_t *oldlenp, const void *newp, size_t newlen);
int	cap_sysctlbyname(cap_channel_t *chan, const char *name, void *oldp,
	    size_t *oldlenp, const void *newp, size_t newlen);
int	cap_sysctlnametomib(cap_channel_t *chan, const char *name, int *mibp,
	    size_t *sizep);
cap_sysctl_limit_t *cap_sysctl_limit_init(cap_channel_t *chan);
cap_sysctl_limit_t *cap_sysctl_limit_name(cap_sysctl_limit_t *limit,
	    const char *name, int flags);
cap_sysctl_limit_t *cap_sysctl_limit_mib(cap_sysctl_limit_t *limit,
	    const int *mibp, unsigned int miblen, int flags);
int	cap_sysctl_limit(cap_sysctl_limit_t *limit);
#else
#include <errno.h>

static inline int
cap_sysctl(cap_channel_t *chan, const int *name, unsigned int namelen,
    void *oldp, size_t *oldlenp, const void *newp, size_t newlen)
{
	(void)chan;
	(void)name;
	(void)namelen;
	(void)oldp;
	(void)oldlenp;
	(void)newp;
	(void)newlen;
	errno = EOPNOTSUPP;
	return (-1);
}
static inline int
cap_sysctlbyname(cap_channel_t *chan, const char *name, void *oldp,
    size_t *oldlenp, const void *newp, size_t newlen)
{
	(void)chan;
	return (cap_sysctl_proc(name, oldp, oldlenp, newp, newlen));
}
static inline int
cap_sysctlnametomib(cap_channel_t *chan, const char *name, int *mibp,
    size_t *sizep)
{
	(void)chan;
	(void)name;
	(void)mibp;
	(void)sizep;
	errno = EOPNOTSUPP;
	return (-1);
}
/* A non-NULL handle that is never dereferenced. */
static inline cap_sysctl_limit_t *
cap_sysctl_limit_init(cap_channel_t *chan)
{
	(void)chan;
	return ((cap_sysctl_limit_t *)(void *)&cap_sysctl_proc);
}
static inline cap_sysctl_limit_t *
cap_sysctl_limit_name(cap_sysctl_limit_t *limit, const char *name, int flags)
{
	(void)name;
	(void)flags;
	return (limit);
}
static inline cap_sysctl_limit_t *
cap_sysctl_limit_mib(cap_sysctl_limit_t *limit, const int *mibp,
    unsigned int miblen, int flags)
{
	(void)mibp;
	(void)miblen;
	(void)flags;
	return (limit);
}
static inline int
cap_sysctl_limit(cap_sysctl_limit_t *limit)
{
	(void)limit;
	return (0);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_SYSCTL_H_ */
