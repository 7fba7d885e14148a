/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interposed libc descriptor functions.
 *
 * Before cap_enter() nothing is enforced yet, and rights are library
 * bookkeeping: these wrappers let limits follow a descriptor through dup,
 * dup2, dup3 and F_DUPFD, and forget a closed number, as on FreeBSD.  They
 * are not a security mechanism (raw system calls bypass them; before
 * cap_enter() all code is trusted by definition).  After cap_enter() the
 * kernel does the same work (filter.c, sigsys.c) and these wrappers only
 * pass calls through.
 *
 * fstat() is interposed for speed: glibc implements it as
 * newfstatat(fd, "", AT_EMPTY_PATH), whose path seccomp cannot inspect,
 * so in capability mode it would trap.  The plain fstat system call has
 * identical semantics on x86_64 and is decided by number alone.
 *
 * Each wrapper reaches the real call through glibc's exported alias
 * (__close, __dup2, __fcntl) or a raw system call, never through itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/stat.h>

#include "capsicum_impl.h"
#include "fdtable.h"
#include "procdesc_impl.h"
#include "sys.h"
#include "verdict.h"

int	__close(int);
int	__dup2(int, int);
int	__fcntl(int, int, ...);

int
close(int fd)
{
	struct capsicum_target t;
	int r;

	/*
	 * In capability mode, closing a limited number traps so that the
	 * number keeps a placeholder (sigsys.c).  Doing the same work here
	 * spares the signal, several microseconds per close of a file
	 * opened through a limited directory.  (It is what the handler
	 * would do; trap mode keeps the trap, which reports through it.)
	 */
	if (atomic_load_explicit(&capsicum_cs.cs_mode,
	    memory_order_relaxed) && !capsicum_cs.cs_trap &&
	    capsicum_classify((uint64_t)(uint32_t)fd, &t))
		r = (int)capsicum_sysret(capsicum_close_one(fd));
	else
		r = __close(fd);
	if (capsicum_fdtab_any() && (r == 0 || errno != EBADF))
		capsicum_fdtab_close(fd);
	return (r);
}

int
dup(int fd)
{
	long r;

	r = capsicum_sysret(RAW1(SYS_dup, fd));
	if (r >= 0 && capsicum_fdtab_any())
		capsicum_fdtab_dup(fd, (int)r);
	return ((int)r);
}

int
dup2(int fd, int fd2)
{
	int r;

	r = __dup2(fd, fd2);
	if (r >= 0 && capsicum_fdtab_any())
		capsicum_fdtab_dup(fd, r);
	return (r);
}

int
dup3(int fd, int fd2, int flags)
{
	long r;

	r = capsicum_sysret(RAW3(SYS_dup3, fd, fd2, flags));
	if (r >= 0 && capsicum_fdtab_any())
		capsicum_fdtab_dup(fd, (int)r);
	return ((int)r);
}

static int
fcntl_common(int fd, int cmd, unsigned long arg)
{
	int r;

	r = __fcntl(fd, cmd, arg);
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) &&
	    capsicum_fdtab_any())
		capsicum_fdtab_dup(fd, r);
	return (r);
}

int
fcntl(int fd, int cmd, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	return (fcntl_common(fd, cmd, arg));
}

int
fcntl64(int fd, int cmd, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	return (fcntl_common(fd, cmd, arg));
}

int
close_range(unsigned int lo, unsigned int hi, int flags)
{
	long r;

	r = capsicum_sysret(RAW3(SYS_close_range, lo, hi, flags));
	if (r == 0 && (flags & CLOSE_RANGE_CLOEXEC) == 0 &&
	    capsicum_fdtab_any())
		capsicum_fdtab_close_range(lo, hi);
	return ((int)r);
}

void
closefrom(int lo)
{

	if (lo < 0)
		lo = 0;
	(void)close_range((unsigned int)lo, ~0U, 0);
}

int
fstat(int fd, struct stat *st)
{
	long r;

	if ((r = RAW2(SYS_fstat, fd, st)) == 0)
		capsicum_pd_fix_stat(fd, st);
	return ((int)capsicum_sysret(r));
}

int
fstat64(int fd, struct stat64 *st)
{
	long r;

	/* On x86_64 struct stat64 is struct stat. */
	if ((r = RAW2(SYS_fstat, fd, st)) == 0)
		capsicum_pd_fix_stat(fd, (struct stat *)st);
	return ((int)capsicum_sysret(r));
}
