/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: sysctl-by-name over /proc/sys, the one
 * implementation behind the system.sysctl service and the WITHOUT_CASPER
 * fallback of <casper/cap_sysctl.h> (inline so that a program built
 * without Casper needs no library).  Not a public interface.
 *
 * Rules (cap_sysctl(3)):
 *   name	dotted components, each non-empty, no '/', at most
 *		CAP_SYSCTL_MAXNAME bytes; "a.b" is /proc/sys/a/b.
 *   read	the file's text without its trailing newline plus a NUL.
 *		oldp NULL: *oldlenp becomes that size.  A buffer of exactly
 *		4 or 8 bytes and a value that is one integer fitting it: the
 *		binary int or int64_t.  Too small: as much as fits, *oldlenp
 *		the amount copied, ENOMEM (as FreeBSD).
 *   write	newlen 4 or 8: a binary int or int64_t written as decimal.
 *		Any other length: text, trailing NULs and newlines dropped.
 */
#ifndef _CASPER__SYSCTL_PROC_H_
#define	_CASPER__SYSCTL_PROC_H_

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define	CAP_SYSCTL_MAXNAME	256
/* /proc/sys values are small; larger ones are refused, not truncated. */
#define	CAP_SYSCTL_MAXVALUE	65536

static inline int
_cap_sysctl_path(const char *name, char *path, size_t size)
{
	size_t i, len, off;

	if (name == NULL || (len = strlen(name)) == 0 ||
	    len > CAP_SYSCTL_MAXNAME || name[0] == '.' || name[len - 1] == '.')
		return (EINVAL);
	off = (size_t)snprintf(path, size, "/proc/sys/");
	if (off + len + 1 > size)
		return (EINVAL);
	for (i = 0; i < len; i++) {
		if (name[i] == '/' || (unsigned char)name[i] <= ' ' ||
		    (name[i] == '.' && name[i + 1] == '.'))
			return (EINVAL);
		path[off + i] = name[i] == '.' ? '/' : name[i];
	}
	path[off + len] = '\0';
	return (0);
}

/* The value of path as a NUL-terminated string in buf; its length. */
static inline ssize_t
_cap_sysctl_read(const char *path, char *buf, size_t size)
{
	size_t n;
	ssize_t r;
	int fd, error;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (-1);
	n = 0;
	for (;;) {
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == size - 1) {
			r = -1;
			errno = EFBIG;
			break;
		}
	}
	error = errno;
	(void)close(fd);
	if (r < 0) {
		errno = error;
		return (-1);
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return ((ssize_t)n);
}

/* Store text into a 4- or 8-byte buffer in binary if it is one integer. */
static inline int
_cap_sysctl_binary(const char *text, void *oldp, size_t size)
{
	long long sv;
	unsigned long long uv;
	char *end;
	int32_t i32;
	int64_t i64;

	if (size != sizeof(int32_t) && size != sizeof(int64_t))
		return (0);
	if (text[0] == '\0' || strchr(" \t\n", text[0]) != NULL)
		return (0);
	errno = 0;
	if (text[0] == '-') {
		sv = strtoll(text, &end, 10);
		if (errno != 0 || *end != '\0')
			return (0);
		if (size == sizeof(int32_t) && sv < INT32_MIN)
			return (0);
		i64 = (int64_t)sv;
	} else {
		uv = strtoull(text, &end, 10);
		if (errno != 0 || *end != '\0')
			return (0);
		if (size == sizeof(int32_t) && uv > UINT32_MAX)
			return (0);
		i64 = (int64_t)uv;
	}
	if (size == sizeof(int32_t)) {
		i32 = (int32_t)i64;
		memcpy(oldp, &i32, sizeof(i32));
	} else
		memcpy(oldp, &i64, sizeof(i64));
	return (1);
}

static inline int
_cap_sysctl_write(const char *path, const void *newp, size_t newlen)
{
	char num[32];
	const char *text;
	size_t len;
	ssize_t r;
	int fd, error;
	int32_t i32;
	int64_t i64;

	if (newlen == sizeof(int32_t)) {
		memcpy(&i32, newp, sizeof(i32));
		len = (size_t)snprintf(num, sizeof(num), "%" PRId32, i32);
		text = num;
	} else if (newlen == sizeof(int64_t)) {
		memcpy(&i64, newp, sizeof(i64));
		len = (size_t)snprintf(num, sizeof(num), "%" PRId64, i64);
		text = num;
	} else {
		text = (const char *)newp;
		len = newlen;
		while (len > 0 && (text[len - 1] == '\0' ||
		    text[len - 1] == '\n'))
			len--;
		if (memchr(text, '\0', len) != NULL)
			return (EINVAL);
	}
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return (errno);
	r = write(fd, text, len);
	error = r < 0 ? errno : ((size_t)r != len ? EIO : 0);
	(void)close(fd);
	return (error);
}

/* sysctlbyname(3) over /proc/sys; 0, or -1 and errno. */
static inline int
cap_sysctl_proc(const char *name, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	char path[CAP_SYSCTL_MAXNAME + 16], *buf;
	ssize_t n;
	size_t want;
	int error;

	if ((error = _cap_sysctl_path(name, path, sizeof(path))) != 0 ||
	    (oldp != NULL && oldlenp == NULL) || (newp == NULL && newlen > 0)) {
		errno = error != 0 ? error : EINVAL;
		return (-1);
	}
	if (oldlenp != NULL) {
		if ((buf = malloc(CAP_SYSCTL_MAXVALUE)) == NULL)
			return (-1);
		if ((n = _cap_sysctl_read(path, buf, CAP_SYSCTL_MAXVALUE)) < 0) {
			error = errno;
			free(buf);
			errno = error;
			return (-1);
		}
		want = (size_t)n + 1;
		if (oldp == NULL) {
			*oldlenp = want;
		} else if (_cap_sysctl_binary(buf, oldp, *oldlenp)) {
			/* *oldlenp already is the binary size */
		} else if (want > *oldlenp) {
			memcpy(oldp, buf, *oldlenp);
			free(buf);
			errno = ENOMEM;
			return (-1);
		} else {
			memcpy(oldp, buf, want);
			*oldlenp = want;
		}
		free(buf);
	}
	if (newp != NULL && (error = _cap_sysctl_write(path, newp,
	    newlen)) != 0) {
		errno = error;
		return (-1);
	}
	return (0);
}

#endif /* !_CASPER__SYSCTL_PROC_H_ */
