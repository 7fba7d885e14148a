/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * shm_open(3) with FreeBSD's SHM_ANON.  The anonymous form is a memfd,
 * which capability mode allows; named objects are files under /dev/shm,
 * opened the way glibc opens them (and refused in capability mode, which
 * has no global namespaces).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "capsicum_impl.h"
#include "sys.h"

#define	SHM_DIR	"/dev/shm/"

int
shm_open(const char *path, int flags, mode_t mode)
{
	char buf[sizeof(SHM_DIR) + NAME_MAX];
	mode_t mask;
	size_t len;
	long fd;

	if (path == SHM_ANON) {
		/* FreeBSD: an anonymous object is opened read-write. */
		if ((flags & O_ACCMODE) != O_RDWR) {
			errno = EINVAL;
			return (-1);
		}
		fd = RAW2(SYS_memfd_create, "SHM_ANON", MFD_CLOEXEC);
		if (fd < 0)
			return ((int)capsicum_sysret(fd));
		mask = (mode_t)RAW1(SYS_umask, 0);
		(void)RAW1(SYS_umask, mask);
		(void)RAW2(SYS_fchmod, fd, mode & ~mask & 07777);
		return ((int)fd);
	}
	while (*path == '/')
		path++;
	len = strlen(path);
	if (len == 0 || len > NAME_MAX || strchr(path, '/') != NULL ||
	    strcmp(path, ".") == 0 || strcmp(path, "..") == 0) {
		errno = EINVAL;
		return (-1);
	}
	memcpy(buf, SHM_DIR, sizeof(SHM_DIR) - 1);
	memcpy(buf + sizeof(SHM_DIR) - 1, path, len + 1);
	return ((int)capsicum_sysret(RAW4(SYS_openat, AT_FDCWD, buf,
	    flags | O_NOFOLLOW | O_CLOEXEC, mode)));
}
