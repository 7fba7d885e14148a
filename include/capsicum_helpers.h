/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: helpers that remove Capsicum boilerplate, with
 * FreeBSD's names and behaviour (capsicum_helpers(3)).  Header only.
 *
 * Linux: the terminal ioctls kept on streams are TCGETS, TIOCGWINSZ and
 * FIONREAD (FreeBSD keeps TIOCGETA, TIOCGWINSZ and FIODTYPE, which Linux
 * does not have).  caph_cache_tzdata() and caph_cache_catpages() load
 * glibc's lazily loaded state (time zone, message catalog) so that
 * localtime(3) and err(3) keep working in capability mode.
 */
#ifndef _CAPSICUM_HELPERS_H_
#define	_CAPSICUM_HELPERS_H_

#include <errno.h>
#include <nl_types.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <sys/capsicum.h>

#if defined(__has_include)
#if __has_include(<libcasper.h>)
#include <libcasper.h>
#endif
#endif
#ifndef CASPER_SUPPORT
#define	CASPER_SUPPORT	0
#endif

#define	CAPH_IGNORE_EBADF	0x0001
#define	CAPH_READ		0x0002
#define	CAPH_WRITE		0x0004
#define	CAPH_LOOKUP		0x0008

static const cap_ioctl_t caph_stream_cmds[] = { TCGETS, TIOCGWINSZ, FIONREAD };
static const uint32_t caph_stream_fcntls = CAP_FCNTL_GETFL;

static __inline void
caph_stream_rights(cap_rights_t *rights, int flags)
{

	cap_rights_init(rights, CAP_EVENT, CAP_FCNTL, CAP_FSTAT, CAP_IOCTL,
	    CAP_SEEK);
	if ((flags & CAPH_READ) != 0)
		cap_rights_set(rights, CAP_READ);
	if ((flags & CAPH_WRITE) != 0)
		cap_rights_set(rights, CAP_WRITE);
	if ((flags & CAPH_LOOKUP) != 0)
		cap_rights_set(rights, CAP_LOOKUP);
}

static __inline int
caph_limit_stream(int fd, int flags)
{
	cap_rights_t rights;

	caph_stream_rights(&rights, flags);
	if (cap_rights_limit(fd, &rights) < 0 && errno != ENOSYS) {
		if (errno == EBADF && (flags & CAPH_IGNORE_EBADF) != 0)
			return (0);
		return (-1);
	}
	if (cap_ioctls_limit(fd, caph_stream_cmds,
	    sizeof(caph_stream_cmds) / sizeof(caph_stream_cmds[0])) < 0 &&
	    errno != ENOSYS)
		return (-1);
	if (cap_fcntls_limit(fd, caph_stream_fcntls) < 0 && errno != ENOSYS)
		return (-1);
	return (0);
}

static __inline int
caph_limit_stdin(void)
{

	return (caph_limit_stream(STDIN_FILENO, CAPH_READ));
}

static __inline int
caph_limit_stderr(void)
{

	return (caph_limit_stream(STDERR_FILENO, CAPH_WRITE));
}

static __inline int
caph_limit_stdout(void)
{

	return (caph_limit_stream(STDOUT_FILENO, CAPH_WRITE));
}

static __inline int
caph_limit_stdio(void)
{
	const int iebadf = CAPH_IGNORE_EBADF;

	if (caph_limit_stream(STDIN_FILENO, CAPH_READ | iebadf) == -1 ||
	    caph_limit_stream(STDOUT_FILENO, CAPH_WRITE | iebadf) == -1 ||
	    caph_limit_stream(STDERR_FILENO, CAPH_WRITE | iebadf) == -1)
		return (-1);
	return (0);
}

/*
 * glibc re-reads the time zone file whenever TZ is unset or changed, which
 * capability mode forbids; pinning TZ to the file just loaded makes every
 * later localtime() use the loaded rules.
 */
static __inline void
caph_cache_tzdata(void)
{

	if (getenv("TZ") == NULL)
		(void)setenv("TZ", ":/etc/localtime", 0);
	tzset();
}

/*
 * glibc loads its message catalog (gettext domain "libc") on the first
 * translated message; load it now.  catopen() is kept for programs that
 * use their own catalogs through FreeBSD's interface.
 */
static __inline void
caph_cache_catpages(void)
{

	(void)catopen("libc", NL_CAT_LOCALE);
	(void)strerror(EPERM);
	(void)strsignal(SIGTERM);
}

static __inline int
caph_enter(void)
{

	if (cap_enter() < 0 && errno != ENOSYS)
		return (-1);
	return (0);
}

static __inline int
caph_rights_limit(int fd, const cap_rights_t *rights)
{

	if (cap_rights_limit(fd, rights) < 0 && errno != ENOSYS)
		return (-1);
	return (0);
}

static __inline int
caph_ioctls_limit(int fd, const cap_ioctl_t *cmds, size_t ncmds)
{

	if (cap_ioctls_limit(fd, cmds, ncmds) < 0 && errno != ENOSYS)
		return (-1);
	return (0);
}

static __inline int
caph_fcntls_limit(int fd, uint32_t fcntlrights)
{

	if (cap_fcntls_limit(fd, fcntlrights) < 0 && errno != ENOSYS)
		return (-1);
	return (0);
}

/*
 * Without Casper the cap_* service calls are libc fallbacks that need the
 * global namespaces, so the program must not enter capability mode.
 */
static __inline int
caph_enter_casper(void)
{

	return (CASPER_SUPPORT == 0 ? 0 : caph_enter());
}

#endif /* !_CAPSICUM_HELPERS_H_ */
