/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * FreeBSD's bindat(2) and connectat(2): a unix-domain socket named
 * relative to a directory descriptor.
 *
 * In capability mode the broker does it (CAPSICUM_BINDAT_NR and
 * CAPSICUM_CONNECTAT_NR; filter R checks CAP_BINDAT or CAP_CONNECTAT on the
 * directory and CAP_BIND or CAP_CONNECT on the socket), resolving the name
 * beneath the directory.  Outside, the name is resolved relative to the
 * directory through /proc/self/fd, as the kernel has no such calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/capsicum.h>

#include "capsicum_impl.h"
#include "policy.h"
#include "sys.h"

static int
sockat(int fd, int s, const struct sockaddr *addr, socklen_t len, bool bind)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	struct sockaddr_un sun;
	char path[sizeof(sun.sun_path) + 1], *base;
	const char *parent;
	long pdir, r;
	size_t n;
	int k;

	if (fd == AT_FDCWD)
		return ((int)capsicum_sysret(RAW3(bind ? SYS_bind : SYS_connect,
		    s, addr, len)));
	if (cap_sandboxed()) {
		r = RAW4(bind ? CAPSICUM_BINDAT_NR : CAPSICUM_CONNECTAT_NR, fd,
		    s, addr, len);
		/* No broker: the process held no directory at cap_enter. */
		return ((int)capsicum_sysret(r == -ENOSYS ? -ECAPMODE : r));
	}
	if (addr == NULL || len <= off || len > sizeof(sun)) {
		errno = addr == NULL ? EFAULT : EINVAL;
		return (-1);
	}
	memset(&sun, 0, sizeof(sun));
	memcpy(&sun, addr, len);
	if (sun.sun_family != AF_UNIX) {
		errno = EAFNOSUPPORT;
		return (-1);
	}
	if ((n = strnlen(sun.sun_path, len - off)) == 0 ||
	    sun.sun_path[0] == '/') {
		/* Abstract, or absolute: the directory plays no part. */
		return ((int)capsicum_sysret(RAW3(bind ? SYS_bind :
		    SYS_connect, s, addr, len)));
	}
	memcpy(path, sun.sun_path, n);
	path[n] = '\0';
	if ((base = strrchr(path, '/')) != NULL) {
		*base++ = '\0';
		parent = path;
	} else {
		base = path;
		parent = ".";
	}
	pdir = RAW4(SYS_openat, fd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (pdir < 0)
		return ((int)capsicum_sysret(pdir));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	k = snprintf(sun.sun_path, sizeof(sun.sun_path), "/proc/self/fd/%d/%s",
	    (int)pdir, base);
	if (k < 0 || (size_t)k >= sizeof(sun.sun_path))
		r = -ENAMETOOLONG;
	else
		r = RAW3(bind ? SYS_bind : SYS_connect, s, &sun,
		    off + (size_t)k + 1);
	RAW1(SYS_close, pdir);
	return ((int)capsicum_sysret(r));
}

int
bindat(int fd, int s, const struct sockaddr *addr, socklen_t addrlen)
{

	return (sockat(fd, s, addr, addrlen, true));
}

int
connectat(int fd, int s, const struct sockaddr *name, socklen_t namelen)
{

	return (sockat(fd, s, name, namelen, false));
}
