/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Messages for ECAPMODE and ENOTCAPABLE.
 *
 * glibc does not know these numbers and would print "Unknown error 134".
 * libcapsicum defines the libc functions that turn an errno into text, so
 * a program linked with it sees the real messages.  Everything else is
 * glibc's own text (translated through its message catalog, as glibc
 * does).  glibc-internal paths that never call these symbols still print
 * the number: printf's %m, syslog's %m, and glibc's own callers of
 * strerror; docs/enforcement.md lists them.
 */
#include <err.h>
#include <errno.h>
#include <error.h>
#include <libintl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capsicum.h>

#include "capsicum_impl.h"

extern char *program_invocation_name;
extern char *program_invocation_short_name;

/* Our errnos' messages, or NULL. */
static const char *
capsicum_errmsg(int errnum)
{

	switch (errnum) {
	case ECAPMODE:
		return ("Not permitted in capability mode");
	case ENOTCAPABLE:
		return ("Capabilities insufficient");
	default:
		return (NULL);
	}
}

/*
 * The message for errnum in the current (or given) locale.  Unknown
 * numbers are formatted into buf as glibc does.
 */
static const char *
message(int errnum, char *buf, size_t len, bool *unknown)
{
	const char *m;

	*unknown = false;
	if ((m = capsicum_errmsg(errnum)) != NULL)
		return (m);
	if ((m = strerrordesc_np(errnum)) != NULL)
		return (dcgettext("libc", m, LC_MESSAGES));
	*unknown = true;
	snprintf(buf, len, "%s%d", dcgettext("libc", "Unknown error ",
	    LC_MESSAGES), errnum);
	return (buf);
}

char *
strerror(int errnum)
{
	static __thread char buf[64];
	bool unknown;

	return ((char *)message(errnum, buf, sizeof(buf), &unknown));
}

char *
strerror_l(int errnum, locale_t loc)
{
	static __thread char buf[64];
	locale_t old;
	const char *m;
	bool unknown;

	old = uselocale(loc);
	m = message(errnum, buf, sizeof(buf), &unknown);
	uselocale(old);
	return ((char *)m);
}

/* The GNU strerror_r: returns a pointer, maybe not to buf. */
char *
strerror_r(int errnum, char *buf, size_t len)
{
	char tmp[64];
	const char *m;
	bool unknown;

	m = message(errnum, tmp, sizeof(tmp), &unknown);
	if (!unknown)
		return ((char *)m);
	if (len > 0) {
		strncpy(buf, m, len - 1);
		buf[len - 1] = '\0';
	}
	return (buf);
}

/* The POSIX strerror_r, which <string.h> maps to this name. */
int
__xpg_strerror_r(int errnum, char *buf, size_t len)
{
	char tmp[64];
	const char *m;
	bool unknown;
	size_t n;

	m = message(errnum, tmp, sizeof(tmp), &unknown);
	n = strlen(m);
	if (len > 0) {
		memcpy(buf, m, n < len ? n + 1 : len - 1);
		buf[len - 1 < n ? len - 1 : n] = '\0';
	}
	if (unknown)
		return (EINVAL);
	return (n < len ? 0 : ERANGE);
}

void
perror(const char *s)
{
	int saved = errno;

	if (s != NULL && *s != '\0')
		fprintf(stderr, "%s: %s\n", s, strerror(saved));
	else
		fprintf(stderr, "%s\n", strerror(saved));
	errno = saved;
}

/* err(3) and warn(3): "prog: message: error". */
static void
vwarn_common(int errnum, bool with_errno, const char *fmt, va_list ap)
{

	flockfile(stderr);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	if (fmt != NULL) {
		vfprintf(stderr, fmt, ap);
		if (with_errno)
			fputs(": ", stderr);
	}
	if (with_errno)
		fputs(strerror(errnum), stderr);
	putc('\n', stderr);
	funlockfile(stderr);
}

void
vwarn(const char *fmt, va_list ap)
{
	int saved = errno;

	vwarn_common(saved, true, fmt, ap);
	errno = saved;
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
vwarnc(int code, const char *fmt, va_list ap)
{
	int saved = errno;

	vwarn_common(code, true, fmt, ap);
	errno = saved;
}

void
warnc(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnc(code, fmt, ap);
	va_end(ap);
}

void
verr(int status, const char *fmt, va_list ap)
{

	vwarn_common(errno, true, fmt, ap);
	exit(status);
}

void
err(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(status, fmt, ap);
	va_end(ap);
}

void
verrc(int status, int code, const char *fmt, va_list ap)
{

	vwarn_common(code, true, fmt, ap);
	exit(status);
}

void
errc(int status, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrc(status, code, fmt, ap);
	va_end(ap);
}

/* GNU error(3): "prog: message: error", exit if status != 0. */
void
error(int status, int errnum, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	flockfile(stderr);
	fprintf(stderr, "%s: ", program_invocation_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	putc('\n', stderr);
	funlockfile(stderr);
	if (status != 0)
		exit(status);
}

void
error_at_line(int status, int errnum, const char *file, unsigned int line,
    const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	flockfile(stderr);
	fprintf(stderr, "%s:%s:%u: ", program_invocation_name, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	putc('\n', stderr);
	funlockfile(stderr);
	if (status != 0)
		exit(status);
}
