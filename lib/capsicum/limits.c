/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cap_rights_limit(2), cap_ioctls_limit(2), cap_fcntls_limit(2) and their
 * getters.  FreeBSD's semantics and errno order: EINVAL for malformed
 * arguments before EBADF, ENOTCAPABLE for any attempt to widen.  Limits
 * set before cap_enter() are recorded and enforced by the kernel from
 * cap_enter() on; limits set afterwards are enforced at once
 * (capsicum_capmode_limit).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capsicum_impl.h"
#include "fdtable.h"

static void
profile_parts(const struct capsicum_profile *p, cap_rights_t *rights,
    uint32_t *fcntls, int32_t *nioctls, const cap_ioctl_t **ioctls)
{

	if (p == NULL) {
		CAP_ALL(rights);
		*fcntls = CAP_FCNTL_ALL;
		*nioctls = -1;
		*ioctls = NULL;
		return;
	}
	*rights = p->cp_rights;
	*fcntls = p->cp_fcntls;
	*nioctls = p->cp_nioctls;
	*ioctls = p->cp_ioctls;
}

/* Install new limits on fd, which must be a narrowing of cur. */
static int
set_limits(int fd, const struct capsicum_profile *cur, const cap_rights_t *r,
    uint32_t fcntls, int32_t nioctls, const cap_ioctl_t *ioctls)
{
	const struct capsicum_profile *np;

	np = capsicum_profile_intern(r, fcntls, nioctls, ioctls);
	if (!capsicum_profile_le(np, cur)) {
		errno = ENOTCAPABLE;
		return (-1);
	}
	if (np == cur)
		return (0);
	if (cap_sandboxed())
		return (capsicum_capmode_limit(fd, np));
	return (capsicum_fd_set_profile(fd, np));
}

int
cap_rights_limit(int fd, const cap_rights_t *rights)
{
	const struct capsicum_profile *cur;
	const cap_ioctl_t *ioctls;
	cap_rights_t currights;
	uint32_t fcntls;
	int32_t nioctls;

	if (rights == NULL) {
		errno = EFAULT;
		return (-1);
	}
	if (!cap_rights_is_valid(rights)) {
		errno = EINVAL;
		return (-1);
	}
	if (capsicum_fd_profile(fd, &cur) != 0)
		return (-1);
	profile_parts(cur, &currights, &fcntls, &nioctls, &ioctls);
	if (!cap_rights_contains(&currights, rights)) {
		errno = ENOTCAPABLE;
		return (-1);
	}
	/* Without CAP_FCNTL the fcntl mask empties; without CAP_IOCTL the
	 * ioctl list does (FreeBSD). */
	if (!cap_rights_is_set(rights, CAP_FCNTL))
		fcntls = 0;
	if (!cap_rights_is_set(rights, CAP_IOCTL)) {
		nioctls = 0;
		ioctls = NULL;
	}
	return (set_limits(fd, cur, rights, fcntls, nioctls, ioctls));
}

int
__cap_rights_get(int version, int fd, cap_rights_t *rights)
{
	const struct capsicum_profile *cur;
	const cap_ioctl_t *ioctls;
	uint32_t fcntls;
	int32_t nioctls;

	if (version != CAP_RIGHTS_VERSION_00) {
		errno = EINVAL;
		return (-1);
	}
	if (rights == NULL) {
		errno = EFAULT;
		return (-1);
	}
	if (capsicum_fd_profile(fd, &cur) != 0)
		return (-1);
	profile_parts(cur, rights, &fcntls, &nioctls, &ioctls);
	return (0);
}

int
cap_ioctls_limit(int fd, const cap_ioctl_t *cmds, size_t ncmds)
{
	const struct capsicum_profile *cur;
	const cap_ioctl_t *curioctls;
	cap_rights_t rights;
	cap_ioctl_t *list;
	uint32_t fcntls;
	int32_t curn;
	size_t n;
	int r;

	if (ncmds > CAP_IOCTLS_MAX) {
		errno = EINVAL;
		return (-1);
	}
	if (cmds == NULL && ncmds > 0) {
		errno = EFAULT;
		return (-1);
	}
	if (capsicum_fd_profile(fd, &cur) != 0)
		return (-1);
	profile_parts(cur, &rights, &fcntls, &curn, &curioctls);
	list = calloc(ncmds + 1, sizeof(*list));
	if (list == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	if (ncmds > 0)
		memcpy(list, cmds, ncmds * sizeof(*cmds));
	n = capsicum_ioctls_normalize(list, ncmds);
	r = set_limits(fd, cur, &rights, fcntls, (int32_t)n, list);
	free(list);
	return (r);
}

ssize_t
cap_ioctls_get(int fd, cap_ioctl_t *cmds, size_t maxcmds)
{
	const struct capsicum_profile *cur;
	const cap_ioctl_t *ioctls;
	cap_rights_t rights;
	uint32_t fcntls;
	int32_t n;

	if (cmds == NULL && maxcmds > 0) {
		errno = EFAULT;
		return (-1);
	}
	if (capsicum_fd_profile(fd, &cur) != 0)
		return (-1);
	profile_parts(cur, &rights, &fcntls, &n, &ioctls);
	if (n < 0)
		return (CAP_IOCTLS_ALL);
	if (cmds != NULL && n > 0)
		memcpy(cmds, ioctls, ((size_t)n < maxcmds ? (size_t)n :
		    maxcmds) * sizeof(*cmds));
	return (n);
}

int
cap_fcntls_limit(int fd, uint32_t fcntlrights)
{
	const struct capsicum_profile *cur;
	const cap_ioctl_t *ioctls;
	cap_rights_t rights;
	uint32_t fcntls;
	int32_t n;

	if ((fcntlrights & ~CAP_FCNTL_ALL) != 0) {
		errno = EINVAL;
		return (-1);
	}
	if (capsicum_fd_profile(fd, &cur) != 0)
		return (-1);
	profile_parts(cur, &rights, &fcntls, &n, &ioctls);
	return (set_limits(fd, cur, &rights, fcntlrights, n, ioctls));
}

int
cap_fcntls_get(int fd, uint32_t *fcntlrightsp)
{
	const struct capsicum_profile *cur;
	const cap_ioctl_t *ioctls;
	cap_rights_t rights;
	int32_t n;

	if (fcntlrightsp == NULL) {
		errno = EFAULT;
		return (-1);
	}
	if (capsicum_fd_profile(fd, &cur) != 0)
		return (-1);
	profile_parts(cur, &rights, fcntlrightsp, &n, &ioctls);
	return (0);
}
