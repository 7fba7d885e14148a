/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel interfaces newer than the build machine's headers (Debian 12 ships
 * linux-libc-dev 6.1), and raw system call wrappers that must not go
 * through anything libcapsicum interposes.
 */
#ifndef CAPSICUM_SYS_H
#define	CAPSICUM_SYS_H

#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/landlock.h>

/* fcntl */
#ifndef F_DUPFD_QUERY
#define	F_DUPFD_QUERY		1027	/* 6.10 */
#endif
#ifndef F_GETOWNER_UIDS
#define	F_GETOWNER_UIDS		17
#endif
#ifndef F_OFD_GETLK
#define	F_OFD_GETLK		36
#define	F_OFD_SETLK		37
#define	F_OFD_SETLKW		38
#endif

/* sched / clone */
#ifndef CLONE_NEWTIME
#define	CLONE_NEWTIME		0x00000080
#endif

/* Landlock ABI 3..7 (6.2..6.15). */
#define	LL_ACCESS_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#define	LL_ACCESS_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
#define	LL_ACCESS_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#define	LL_ACCESS_NET_CONNECT_TCP	(1ULL << 1)	/* ABI 4 */
#define	LL_SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)	/* ABI 6 */
#define	LL_SCOPE_SIGNAL			(1ULL << 1)	/* ABI 6 */
#define	LL_RESTRICT_SELF_TSYNC		(1U << 3)	/* ABI 8 (7.0) */
#define	LL_ACCESS_FS_MAKE_ANY						\
	(LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |	\
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |	\
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |	\
	 LANDLOCK_ACCESS_FS_MAKE_SYM)

struct ll_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
	uint64_t	scoped;
};

struct ll_path_beneath_attr {
	uint64_t	allowed_access;
	int32_t		parent_fd;
} __attribute__((packed));

/*
 * Raw system calls.  These return the kernel's result (-errno on failure)
 * and never touch errno, so they are safe in signal handlers and bypass
 * the libc functions libcapsicum interposes (close, dup, fcntl, fstat).
 */
static inline long
capsicum_raw6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile ("syscall"
	    : "=a"(ret)
	    : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return (ret);
}

#define	RAW0(nr)		capsicum_raw6((nr), 0, 0, 0, 0, 0, 0)
#define	RAW1(nr, a)		capsicum_raw6((nr), (long)(a), 0, 0, 0, 0, 0)
#define	RAW2(nr, a, b)		capsicum_raw6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define	RAW3(nr, a, b, c)	capsicum_raw6((nr), (long)(a), (long)(b), \
				    (long)(c), 0, 0, 0)
#define	RAW4(nr, a, b, c, d)	capsicum_raw6((nr), (long)(a), (long)(b), \
				    (long)(c), (long)(d), 0, 0)
#define	RAW5(nr, a, b, c, d, e)	capsicum_raw6((nr), (long)(a), (long)(b), \
				    (long)(c), (long)(d), (long)(e), 0)
#define	RAW6(nr, a, b, c, d, e, f) capsicum_raw6((nr), (long)(a), (long)(b), \
				    (long)(c), (long)(d), (long)(e), (long)(f))

/* Convert a raw result to the libc convention. */
static inline long
capsicum_sysret(long r)
{

	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return (-1);
	}
	return (r);
}

#endif /* !CAPSICUM_SYS_H */
