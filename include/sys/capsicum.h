/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: capability rights and capability mode.
 *
 * Source compatible with FreeBSD's <sys/capsicum.h>: the same names, values,
 * bit layout and function signatures.  Differences forced by Linux are
 * marked "Linux:" and listed in capsicum(4) and docs/enforcement.md.
 */
#ifndef _SYS_CAPSICUM_H_
#define	_SYS_CAPSICUM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/caprights.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Error numbers.  FreeBSD uses 93 and 94, which Linux already assigns to
 * EPROTONOSUPPORT and ESOCKTNOSUPPORT; we use the numbers the Linux kernel
 * port of Capsicum chose, above Linux's highest errno (EHWPOISON, 133).
 */
#ifndef ECAPMODE
#define	ECAPMODE	134	/* Not permitted in capability mode */
#endif
#ifndef ENOTCAPABLE
#define	ENOTCAPABLE	135	/* Capabilities insufficient */
#endif

#define	CAPRIGHT(idx, bit)	((1ULL << (57 + (idx))) | (bit))

/*
 * Rights in word 0.
 */
#define	CAP_READ		CAPRIGHT(0, 0x0000000000000001ULL)
#define	CAP_WRITE		CAPRIGHT(0, 0x0000000000000002ULL)
#define	CAP_SEEK_TELL		CAPRIGHT(0, 0x0000000000000004ULL)
#define	CAP_SEEK		(CAP_SEEK_TELL | 0x0000000000000008ULL)
#define	CAP_PREAD		(CAP_SEEK | CAP_READ)
#define	CAP_PWRITE		(CAP_SEEK | CAP_WRITE)
#define	CAP_MMAP		CAPRIGHT(0, 0x0000000000000010ULL)
#define	CAP_MMAP_R		(CAP_MMAP | CAP_SEEK | CAP_READ)
#define	CAP_MMAP_W		(CAP_MMAP | CAP_SEEK | CAP_WRITE)
#define	CAP_MMAP_X		(CAP_MMAP | CAP_SEEK | 0x0000000000000020ULL)
#define	CAP_MMAP_RW		(CAP_MMAP_R | CAP_MMAP_W)
#define	CAP_MMAP_RX		(CAP_MMAP_R | CAP_MMAP_X)
#define	CAP_MMAP_WX		(CAP_MMAP_W | CAP_MMAP_X)
#define	CAP_MMAP_RWX		(CAP_MMAP_R | CAP_MMAP_W | CAP_MMAP_X)
#define	CAP_CREATE		CAPRIGHT(0, 0x0000000000000040ULL)
#define	CAP_FEXECVE		CAPRIGHT(0, 0x0000000000000080ULL)
#define	CAP_FSYNC		CAPRIGHT(0, 0x0000000000000100ULL)
#define	CAP_FTRUNCATE		CAPRIGHT(0, 0x0000000000000200ULL)
#define	CAP_LOOKUP		CAPRIGHT(0, 0x0000000000000400ULL)
#define	CAP_FCHDIR		CAPRIGHT(0, 0x0000000000000800ULL)
#define	CAP_FCHFLAGS		CAPRIGHT(0, 0x0000000000001000ULL)
#define	CAP_CHFLAGSAT		(CAP_FCHFLAGS | CAP_LOOKUP)
#define	CAP_FCHMOD		CAPRIGHT(0, 0x0000000000002000ULL)
#define	CAP_FCHMODAT		(CAP_FCHMOD | CAP_LOOKUP)
#define	CAP_FCHOWN		CAPRIGHT(0, 0x0000000000004000ULL)
#define	CAP_FCHOWNAT		(CAP_FCHOWN | CAP_LOOKUP)
#define	CAP_FCNTL		CAPRIGHT(0, 0x0000000000008000ULL)
#define	CAP_FLOCK		CAPRIGHT(0, 0x0000000000010000ULL)
#define	CAP_FPATHCONF		CAPRIGHT(0, 0x0000000000020000ULL)
#define	CAP_FSCK		CAPRIGHT(0, 0x0000000000040000ULL)
#define	CAP_FSTAT		CAPRIGHT(0, 0x0000000000080000ULL)
#define	CAP_FSTATAT		(CAP_FSTAT | CAP_LOOKUP)
#define	CAP_FSTATFS		CAPRIGHT(0, 0x0000000000100000ULL)
#define	CAP_FUTIMES		CAPRIGHT(0, 0x0000000000200000ULL)
#define	CAP_FUTIMESAT		(CAP_FUTIMES | CAP_LOOKUP)
#define	CAP_LINKAT_TARGET	(CAP_LOOKUP | 0x0000000000400000ULL)
#define	CAP_MKDIRAT		(CAP_LOOKUP | 0x0000000000800000ULL)
#define	CAP_MKFIFOAT		(CAP_LOOKUP | 0x0000000001000000ULL)
#define	CAP_MKNODAT		(CAP_LOOKUP | 0x0000000002000000ULL)
#define	CAP_RENAMEAT_SOURCE	(CAP_LOOKUP | 0x0000000004000000ULL)
#define	CAP_SYMLINKAT		(CAP_LOOKUP | 0x0000000008000000ULL)
#define	CAP_UNLINKAT		(CAP_LOOKUP | 0x0000000010000000ULL)
#define	CAP_ACCEPT		CAPRIGHT(0, 0x0000000020000000ULL)
#define	CAP_BIND		CAPRIGHT(0, 0x0000000040000000ULL)
#define	CAP_CONNECT		CAPRIGHT(0, 0x0000000080000000ULL)
#define	CAP_GETPEERNAME		CAPRIGHT(0, 0x0000000100000000ULL)
#define	CAP_GETSOCKNAME		CAPRIGHT(0, 0x0000000200000000ULL)
#define	CAP_GETSOCKOPT		CAPRIGHT(0, 0x0000000400000000ULL)
#define	CAP_LISTEN		CAPRIGHT(0, 0x0000000800000000ULL)
#define	CAP_PEELOFF		CAPRIGHT(0, 0x0000001000000000ULL)
#define	CAP_RECV		CAP_READ
#define	CAP_SEND		CAP_WRITE
#define	CAP_SETSOCKOPT		CAPRIGHT(0, 0x0000002000000000ULL)
#define	CAP_SHUTDOWN		CAPRIGHT(0, 0x0000004000000000ULL)
#define	CAP_BINDAT		(CAP_LOOKUP | 0x0000008000000000ULL)
#define	CAP_CONNECTAT		(CAP_LOOKUP | 0x0000010000000000ULL)
#define	CAP_LINKAT_SOURCE	(CAP_LOOKUP | 0x0000020000000000ULL)
#define	CAP_RENAMEAT_TARGET	(CAP_LOOKUP | 0x0000040000000000ULL)

#define	CAP_SOCK_CLIENT							\
	(CAP_CONNECT | CAP_GETPEERNAME | CAP_GETSOCKNAME | CAP_GETSOCKOPT | \
	 CAP_PEELOFF | CAP_RECV | CAP_SEND | CAP_SETSOCKOPT | CAP_SHUTDOWN)
#define	CAP_SOCK_SERVER							\
	(CAP_ACCEPT | CAP_BIND | CAP_GETPEERNAME | CAP_GETSOCKNAME |	\
	 CAP_GETSOCKOPT | CAP_LISTEN | CAP_PEELOFF | CAP_RECV | CAP_SEND | \
	 CAP_SETSOCKOPT | CAP_SHUTDOWN)

#define	CAP_ALL0		CAPRIGHT(0, 0x000007FFFFFFFFFFULL)

#define	CAP_UNUSED0_44		CAPRIGHT(0, 0x0000080000000000ULL)
#define	CAP_UNUSED0_57		CAPRIGHT(0, 0x0100000000000000ULL)

/*
 * Rights in word 1.
 */
#define	CAP_MAC_GET		CAPRIGHT(1, 0x0000000000000001ULL)
#define	CAP_MAC_SET		CAPRIGHT(1, 0x0000000000000002ULL)
#define	CAP_SEM_GETVALUE	CAPRIGHT(1, 0x0000000000000004ULL)
#define	CAP_SEM_POST		CAPRIGHT(1, 0x0000000000000008ULL)
#define	CAP_SEM_WAIT		CAPRIGHT(1, 0x0000000000000010ULL)
#define	CAP_EVENT		CAPRIGHT(1, 0x0000000000000020ULL)
#define	CAP_KQUEUE_EVENT	CAPRIGHT(1, 0x0000000000000040ULL)
#define	CAP_IOCTL		CAPRIGHT(1, 0x0000000000000080ULL)
#define	CAP_TTYHOOK		CAPRIGHT(1, 0x0000000000000100ULL)
#define	CAP_PDGETPID		CAPRIGHT(1, 0x0000000000000200ULL)
#define	CAP_PDWAIT		CAPRIGHT(1, 0x0000000000000400ULL)
#define	CAP_PDKILL		CAPRIGHT(1, 0x0000000000000800ULL)
#define	CAP_EXTATTR_DELETE	CAPRIGHT(1, 0x0000000000001000ULL)
#define	CAP_EXTATTR_GET		CAPRIGHT(1, 0x0000000000002000ULL)
#define	CAP_EXTATTR_LIST	CAPRIGHT(1, 0x0000000000004000ULL)
#define	CAP_EXTATTR_SET		CAPRIGHT(1, 0x0000000000008000ULL)
#define	CAP_ACL_CHECK		CAPRIGHT(1, 0x0000000000010000ULL)
#define	CAP_ACL_DELETE		CAPRIGHT(1, 0x0000000000020000ULL)
#define	CAP_ACL_GET		CAPRIGHT(1, 0x0000000000040000ULL)
#define	CAP_ACL_SET		CAPRIGHT(1, 0x0000000000080000ULL)
#define	CAP_KQUEUE_CHANGE	CAPRIGHT(1, 0x0000000000100000ULL)
#define	CAP_KQUEUE		(CAP_KQUEUE_EVENT | CAP_KQUEUE_CHANGE)
#define	CAP_POLL_EVENT		CAP_EVENT

/*
 * Linux: rights for descriptor operations FreeBSD does not have.  They live
 * in the top of word 1 (bits 51..56), far from where FreeBSD allocates new
 * rights (upwards from bit 21), and are part of CAP_ALL.
 */
#define	CAP_PDGETFD		CAPRIGHT(1, 0x0008000000000000ULL) /* pidfd_getfd */
#define	CAP_SETNS		CAPRIGHT(1, 0x0010000000000000ULL) /* setns */
#define	CAP_FSIGNAL		CAPRIGHT(1, 0x0020000000000000ULL) /* F_SETSIG, F_GETSIG */
#define	CAP_SIGNALFD		CAPRIGHT(1, 0x0040000000000000ULL) /* signalfd on it */
#define	CAP_NOTIFY_MARK		CAPRIGHT(1, 0x0080000000000000ULL) /* inotify/fanotify marks, F_NOTIFY */
#define	CAP_EPOLL_CTL		CAPRIGHT(1, 0x0100000000000000ULL) /* epoll_ctl */
#define	CAP_LINUX_ALL1		CAPRIGHT(1, 0x01F8000000000000ULL)

/* FreeBSD's CAP_ALL1 is CAPRIGHT(1, 0x1FFFFF); ours adds the Linux rights. */
#define	CAP_ALL1		(CAPRIGHT(1, 0x00000000001FFFFFULL) | CAP_LINUX_ALL1)

#define	CAP_UNUSED1_22		CAPRIGHT(1, 0x0000000000200000ULL)
#define	CAP_UNUSED1_51		CAPRIGHT(1, 0x0004000000000000ULL)

/* Helpers on the encoding. */
#define	CAPRVER(right)		((int)((right) >> 62))
#define	CAPVER(rights)		CAPRVER((rights)->cr_rights[0])
#define	CAPARSIZE_MIN		(CAP_RIGHTS_VERSION_00 + 2)
#define	CAPARSIZE_MAX		(CAP_RIGHTS_VERSION + 2)
#define	CAPARSIZE(rights)	(CAPVER(rights) + 2)
#define	CAPIDXBIT(right)	((int)(((right) >> 57) & 0x1F))

#define	CAP_NONE(rights)	do {					\
	(rights)->cr_rights[0] =					\
	    ((uint64_t)CAP_RIGHTS_VERSION << 62) | CAPRIGHT(0, 0ULL);	\
	(rights)->cr_rights[1] = CAPRIGHT(1, 0ULL);			\
} while (0)

#define	CAP_ALL(rights)		do {					\
	(rights)->cr_rights[0] =					\
	    ((uint64_t)CAP_RIGHTS_VERSION << 62) | CAP_ALL0;		\
	(rights)->cr_rights[1] = CAP_ALL1;				\
} while (0)

/*
 * fcntl(2) commands that cap_fcntls_limit() can restrict.  Linux: the bits
 * are 1 << (Linux command number); F_GETOWN and F_SETOWN are 9 and 8 here,
 * so their masks differ from FreeBSD's (0x20 and 0x40).
 */
#define	CAP_FCNTL_GETFL		(1U << 3)	/* F_GETFL */
#define	CAP_FCNTL_SETFL		(1U << 4)	/* F_SETFL */
#define	CAP_FCNTL_GETOWN	(1U << 9)	/* F_GETOWN, F_GETOWN_EX */
#define	CAP_FCNTL_SETOWN	(1U << 8)	/* F_SETOWN, F_SETOWN_EX */
#define	CAP_FCNTL_ALL		(CAP_FCNTL_GETFL | CAP_FCNTL_SETFL |	\
				 CAP_FCNTL_GETOWN | CAP_FCNTL_SETOWN)

/* ioctl(2) commands that cap_ioctls_limit() can restrict. */
typedef unsigned long	cap_ioctl_t;
#define	CAP_IOCTLS_ALL		((ssize_t)(~(size_t)0 >> 1))	/* SSIZE_MAX */
#define	CAP_IOCTLS_MAX		256

/*
 * Rights sets.  The variadic forms take rights of one or both words, in
 * any order; they abort on a value that is not a right (FreeBSD asserts).
 */
#define	cap_rights_init(...)						\
	__cap_rights_init(CAP_RIGHTS_VERSION, __VA_ARGS__, 0ULL)
#define	cap_rights_set(...)						\
	__cap_rights_set(__VA_ARGS__, 0ULL)
#define	cap_rights_clear(...)						\
	__cap_rights_clear(__VA_ARGS__, 0ULL)
#define	cap_rights_is_set(...)						\
	__cap_rights_is_set(__VA_ARGS__, 0ULL)
#define	cap_rights_get(fd, rights)					\
	__cap_rights_get(CAP_RIGHTS_VERSION, (fd), (rights))

cap_rights_t	*__cap_rights_init(int version, cap_rights_t *rights, ...);
cap_rights_t	*__cap_rights_set(cap_rights_t *rights, ...);
cap_rights_t	*__cap_rights_clear(cap_rights_t *rights, ...);
bool		 __cap_rights_is_set(const cap_rights_t *rights, ...);
bool		 cap_rights_is_valid(const cap_rights_t *rights);
bool		 cap_rights_is_empty(const cap_rights_t *rights);
cap_rights_t	*cap_rights_merge(cap_rights_t *dst, const cap_rights_t *src);
cap_rights_t	*cap_rights_remove(cap_rights_t *dst, const cap_rights_t *src);
bool		 cap_rights_contains(const cap_rights_t *big,
		    const cap_rights_t *little);

/* Descriptor limits.  Limits only ever shrink. */
int	cap_rights_limit(int fd, const cap_rights_t *rights);
int	__cap_rights_get(int version, int fd, cap_rights_t *rights);
int	cap_ioctls_limit(int fd, const cap_ioctl_t *cmds, size_t ncmds);
ssize_t	cap_ioctls_get(int fd, cap_ioctl_t *cmds, size_t maxcmds);
int	cap_fcntls_limit(int fd, uint32_t fcntlrights);
int	cap_fcntls_get(int fd, uint32_t *fcntlrightsp);

/* Capability mode. */
int	cap_enter(void);
int	cap_getmode(unsigned int *modep);
bool	cap_sandboxed(void);

/*
 * Linux extensions: what enforces capability mode on this kernel.
 *
 * cap_enter() applies every layer the running kernel supports and reports
 * the result here.  A missing layer is never silent: it is listed in
 * ce_missing, warned about on standard error unless CAPSICUM_QUIET is set,
 * and makes cap_enter() fail with ENOTSUP when strict mode is on
 * (cap_set_strict(true) or CAPSICUM_STRICT=1 in the environment).
 */
#define	CAP_LAYER_SECCOMP	0x0001	/* syscall allowlist (seccomp-BPF) */
#define	CAP_LAYER_RIGHTS	0x0002	/* descriptor rights (seccomp-BPF) */
#define	CAP_LAYER_LANDLOCK_FS	0x0004	/* paths beneath held directories */
#define	CAP_LAYER_LANDLOCK_NET	0x0008	/* TCP bind/connect denied */
#define	CAP_LAYER_LANDLOCK_SCOPE 0x0010	/* signals, abstract unix sockets */
#define	CAP_LAYER_ALL_THREADS	0x0020	/* Landlock reached every thread */
#define	CAP_LAYER_DUP_BANDS	0x0040	/* dup of limited descriptors */
#define	CAP_LAYER_BROKER	0x0080	/* descriptors opened through limited
					   directories get their rights
					   (wanted only when such a
					   directory is held) */
#define	CAP_LAYERS_ALL		0x00ff

struct cap_enforcement {
	unsigned int	ce_mode;	/* 1 in capability mode */
	unsigned int	ce_active;	/* CAP_LAYER_* in force */
	unsigned int	ce_missing;	/* CAP_LAYER_* wanted but not in force */
	int		ce_landlock_abi; /* 0: no Landlock */
	unsigned int	ce_filters;	/* seccomp filters installed by us */
	unsigned int	ce_filter_insns; /* their total BPF length */
	bool		ce_strict;	/* strict mode was requested */
	bool		ce_trap;	/* violations raise SIGTRAP */
};

int		 cap_enforcement(struct cap_enforcement *info);
const char	*cap_layer_name(unsigned int layer);
int		 cap_set_strict(bool strict);

#ifdef __cplusplus
}
#endif

#endif /* !_SYS_CAPSICUM_H_ */
