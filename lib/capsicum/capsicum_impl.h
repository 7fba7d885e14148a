/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcapsicum internals shared between its source files.  Never installed.
 * Internal symbols carry the capsicum_ prefix and hidden visibility.
 */
#ifndef CAPSICUM_IMPL_H
#define	CAPSICUM_IMPL_H

#include <stdbool.h>
#include <sys/capsicum.h>


#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

bool	capsicum_rights_equal(const cap_rights_t *a, const cap_rights_t *b);
size_t	capsicum_ioctls_normalize(cap_ioctl_t *cmds, size_t n);
int	capsicum_u64_cmp(const void *a, const void *b);

/* BSD err(3) variants glibc lacks, and glibc's POSIX strerror_r. */
void	warnc(int code, const char *fmt, ...);
void	vwarnc(int code, const char *fmt, va_list ap);
void	errc(int status, int code, const char *fmt, ...);
void	verrc(int status, int code, const char *fmt, va_list ap);
int	__xpg_strerror_r(int errnum, char *buf, size_t len);

/* sigsys.c */
int	capsicum_sigsys_install(void);
long	capsicum_close_one(int fd);
/* The SIGSYS handler's safe copy to or from the caller's memory. */
long	capsicum_ucopy(const int p[2], void *dst, const void *src,
	    size_t len);
/* recvmsg/recvmmsg without descriptors, in the SIGSYS handler. */
long	capsicum_emu_recv_nofd(long nr, const uint64_t a[6]);

/* landlock.c */
struct capsicum_ll_result {
	int		abi;		/* 0: unavailable */
	unsigned int	layers;		/* CAP_LAYER_LANDLOCK_* applied */
	bool		all_threads;
	int		error;		/* first error, -errno */
};
/* What one fstat() at cap_enter() said of a descriptor held then, for
 * every step that needs to know what it is. */
struct capsicum_held {
	int	hd_fd;
	bool	hd_ok;		/* fstat succeeded */
	mode_t	hd_mode;
	dev_t	hd_dev;
	ino_t	hd_ino;
};

int	capsicum_landlock_abi(void);
int	capsicum_landlock_build(int *rulesetp, int abi,
	    const struct capsicum_held *held, unsigned int nheld,
	    unsigned int *layersp);
int	capsicum_landlock_apply(int ruleset, int abi, bool *all_threads);

/* capmode.c; procfd: /proc/self/fd open, or -1 */
int	capsicum_capmode_limit(int fd, const void *prof);
int	capsicum_list_fds(long procfd, int **fdsp, unsigned int *np);

/* env.c: getenv, setenv and printf("%lu") without libc's page faults. */
#define	CAPSICUM_UTOA_LEN	21
const char *capsicum_getenv(const char *name);
int	capsicum_setenv_static(char *entry);
char	*capsicum_utoa(unsigned long n, char buf[CAPSICUM_UTOA_LEN]);

#endif /* !CAPSICUM_IMPL_H */
