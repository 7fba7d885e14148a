/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.sysctl: FreeBSD's sysctl service over Linux's /proc/sys.  Client
 * and service side.  The value rules are in <casper/_sysctl_proc.h>.  The
 * service may read and write below /proc/sys and nothing else (Landlock),
 * only read once its limits grant no write, has no sockets (seccomp); which
 * entries may be written is decided by the limits here and by the kernel's
 * own /proc/sys permissions (docs/casper.md).
 *
 * Limits are FreeBSD's raw form: one number entry per name, the value a
 * mask of CAP_SYSCTL_READ, _WRITE and _RECURSIVE (the name's children).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capsicum.h>
#include <sys/dnv.h>
#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_sysctl.h>

struct cap_sysctl_limit {
	cap_channel_t	*chan;
	nvlist_t	*nvl;
	int		 error;
};

#define	SYSCTL_FLAGS	(CAP_SYSCTL_RDWR | CAP_SYSCTL_RECURSIVE)

int
cap_sysctl(cap_channel_t *chan, const int *name, unsigned int namelen,
    void *oldp, size_t *oldlenp, const void *newp, size_t newlen)
{

	/* Linux has no numeric MIBs (sysctl(2) is gone since 5.5). */
	(void)chan;
	(void)name;
	(void)namelen;
	(void)oldp;
	(void)oldlenp;
	(void)newp;
	(void)newlen;
	errno = EOPNOTSUPP;
	return (-1);
}

int
cap_sysctlnametomib(cap_channel_t *chan, const char *name, int *mibp,
    size_t *sizep)
{

	(void)chan;
	(void)name;
	(void)mibp;
	(void)sizep;
	errno = EOPNOTSUPP;
	return (-1);
}

int
cap_sysctlbyname(cap_channel_t *chan, const char *name, void *oldp,
    size_t *oldlenp, const void *newp, size_t newlen)
{
	nvlist_t *nvl;
	const void *data;
	size_t size;
	int error;

	if (name == NULL || (oldp != NULL && oldlenp == NULL) ||
	    (newp == NULL && newlen > 0)) {
		errno = EINVAL;
		return (-1);
	}
	if ((nvl = nvlist_create(0)) == NULL)
		return (-1);
	nvlist_add_string(nvl, "cmd", "sysctlbyname");
	nvlist_add_string(nvl, "name", name);
	if (oldlenp != NULL) {
		nvlist_add_number(nvl, "oldlen",
		    oldp != NULL ? (uint64_t)*oldlenp : 0);
		nvlist_add_bool(nvl, "justsize", oldp == NULL);
	}
	if (newp != NULL && newlen > 0)
		nvlist_add_binary(nvl, "newp", newp, newlen);
	if ((nvl = cap_xfer_nvlist(chan, nvl)) == NULL)
		return (-1);
	error = nvlist_exists_number(nvl, "error") ?
	    (int)nvlist_get_number(nvl, "error") : EPROTO;
	if (error == 0 && oldlenp != NULL) {
		if (!nvlist_exists_number(nvl, "oldlen"))
			error = EPROTO;
		else if (oldp == NULL)
			*oldlenp = (size_t)nvlist_get_number(nvl, "oldlen");
		else if (nvlist_exists_binary(nvl, "oldp")) {
			data = nvlist_get_binary(nvl, "oldp", &size);
			/* Never more than the caller's buffer. */
			if (size > *oldlenp)
				error = EPROTO;
			else {
				memcpy(oldp, data, size);
				*oldlenp = size;
			}
		} else
			*oldlenp = 0;
		if (error == 0 && nvlist_exists_bool(nvl, "enomem") &&
		    nvlist_get_bool(nvl, "enomem"))
			error = ENOMEM;
	}
	nvlist_destroy(nvl);
	if (error != 0) {
		errno = error;
		return (-1);
	}
	return (0);
}

static bool
sysctl_valid(const char *name, uint64_t flags)
{
	char path[CAP_SYSCTL_MAXNAME + 16];

	return (_cap_sysctl_path(name, path, sizeof(path)) == 0 &&
	    (flags & ~(uint64_t)SYSCTL_FLAGS) == 0 &&
	    (flags & CAP_SYSCTL_RDWR) != 0);
}

cap_sysctl_limit_t *
cap_sysctl_limit_init(cap_channel_t *chan)
{
	cap_sysctl_limit_t *limit;

	if ((limit = calloc(1, sizeof(*limit))) == NULL)
		return (NULL);
	if ((limit->nvl = nvlist_create(0)) == NULL) {
		free(limit);
		return (NULL);
	}
	limit->chan = chan;
	return (limit);
}

cap_sysctl_limit_t *
cap_sysctl_limit_name(cap_sysctl_limit_t *limit, const char *name, int flags)
{
	uint64_t old;

	if (limit == NULL)
		return (NULL);
	if (flags < 0 || !sysctl_valid(name, (uint64_t)flags)) {
		limit->error = EINVAL;
		return (limit);
	}
	/* The same name twice: the union of the two. */
	old = 0;
	if (nvlist_exists_number(limit->nvl, name)) {
		old = nvlist_get_number(limit->nvl, name);
		nvlist_free(limit->nvl, name);
	}
	nvlist_add_number(limit->nvl, name, old | (uint64_t)flags);
	return (limit);
}

cap_sysctl_limit_t *
cap_sysctl_limit_mib(cap_sysctl_limit_t *limit, const int *mibp,
    unsigned int miblen, int flags)
{

	(void)mibp;
	(void)miblen;
	(void)flags;
	if (limit != NULL)
		limit->error = EOPNOTSUPP;
	return (limit);
}

int
cap_sysctl_limit(cap_sysctl_limit_t *limit)
{
	cap_channel_t *chan;
	nvlist_t *nvl;
	int error;

	if (limit == NULL) {
		errno = EINVAL;
		return (-1);
	}
	chan = limit->chan;
	nvl = limit->nvl;
	error = limit->error != 0 ? limit->error : nvlist_error(nvl);
	free(limit);
	if (error != 0) {
		nvlist_destroy(nvl);
		errno = error;
		return (-1);
	}
	return (cap_limit_set(chan, nvl));
}

/* Service side. */

static const char *const sysctl_paths[] = {
	"/proc/sys",
	NULL
};

/*
 * Once the limits grant no write at all, Landlock's write right on
 * /proc/sys goes too: a second layer that only reads (layers only
 * narrow), so a compromised service cannot write either.  Once only.
 */
static const struct casper_sandbox sysctl_ro_sandbox = {
	.sb_prepare = NULL,
	.sb_read = sysctl_paths,
	.sb_write = NULL,
	.sb_flags = 0,
};
static bool sysctl_readonly;

/* Do the (trusted, already checked) limits grant ops on name? */
static bool
sysctl_allowed(const nvlist_t *limits, const char *name, uint64_t ops,
    bool recursive)
{
	const char *ename;
	void *cookie;
	uint64_t f;
	size_t len;
	int type;

	if (limits == NULL)
		return (true);
	cookie = NULL;
	while ((ename = nvlist_next(limits, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_NUMBER)
			continue;
		f = nvlist_get_number(limits, ename);
		if ((f & ops) != ops)
			continue;
		if (strcmp(ename, name) == 0 &&
		    (!recursive || (f & CAP_SYSCTL_RECURSIVE) != 0))
			return (true);
		len = strlen(ename);
		if ((f & CAP_SYSCTL_RECURSIVE) != 0 &&
		    strncmp(ename, name, len) == 0 && name[len] == '.')
			return (true);
	}
	return (false);
}

static int
sysctl_limit(const nvlist_t *oldlimits, const nvlist_t *newlimits)
{
	const char *name;
	void *cookie;
	uint64_t f;
	bool write;
	int type;

	if (newlimits == NULL)
		return (oldlimits == NULL ? 0 : ENOTCAPABLE);
	write = false;
	cookie = NULL;
	while ((name = nvlist_next(newlimits, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_NUMBER)
			return (EINVAL);
		f = nvlist_get_number(newlimits, name);
		if (!sysctl_valid(name, f))
			return (EINVAL);
		if (oldlimits != NULL && !sysctl_allowed(oldlimits, name,
		    f & CAP_SYSCTL_RDWR, (f & CAP_SYSCTL_RECURSIVE) != 0))
			return (ENOTCAPABLE);
		if ((f & CAP_SYSCTL_WRITE) != 0)
			write = true;
	}
	if (!write && !sysctl_readonly) {
		if (casper_sandbox_enter(&sysctl_ro_sandbox) < 0)
			return (errno);
		sysctl_readonly = true;
	}
	return (0);
}

static int
sysctl_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	char path[CAP_SYSCTL_MAXNAME + 16], *buf;
	const char *name;
	const void *newp;
	size_t oldlen, newlen, *oldlenp;
	uint64_t ops;
	bool justsize;
	int error;

	if (strcmp(cmd, "sysctlbyname") != 0 ||
	    !nvlist_exists_string(nvlin, "name"))
		return (EINVAL);
	name = nvlist_get_string(nvlin, "name");
	if (_cap_sysctl_path(name, path, sizeof(path)) != 0)
		return (EINVAL);
	if (nvlist_exists(nvlin, "oldlen") &&
	    !nvlist_exists_number(nvlin, "oldlen"))
		return (EINVAL);
	if (nvlist_exists(nvlin, "newp") && !nvlist_exists_binary(nvlin,
	    "newp"))
		return (EINVAL);
	ops = 0;
	oldlenp = NULL;
	oldlen = 0;
	if (nvlist_exists_number(nvlin, "oldlen")) {
		ops |= CAP_SYSCTL_READ;
		/* No value is larger; a larger buffer is not allocated. */
		oldlen = nvlist_get_number(nvlin, "oldlen") > CAP_SYSCTL_MAXVALUE ?
		    CAP_SYSCTL_MAXVALUE :
		    (size_t)nvlist_get_number(nvlin, "oldlen");
		oldlenp = &oldlen;
	}
	newp = NULL;
	newlen = 0;
	if (nvlist_exists_binary(nvlin, "newp")) {
		ops |= CAP_SYSCTL_WRITE;
		newp = nvlist_get_binary(nvlin, "newp", &newlen);
	}
	if (ops == 0)
		return (EINVAL);
	if (!sysctl_allowed(limits, name, ops, false))
		return (ENOTCAPABLE);
	justsize = dnvlist_get_bool(nvlin, "justsize", false);
	buf = NULL;
	if (oldlenp != NULL && !justsize && oldlen > 0 &&
	    (buf = malloc(oldlen)) == NULL)
		return (ENOMEM);
	error = 0;
	if (oldlenp != NULL && !justsize && oldlen == 0) {
		/* FreeBSD: a zero-sized buffer gets nothing but ENOMEM. */
		if (cap_sysctl_proc(name, NULL, &oldlen, NULL, 0) < 0)
			error = errno;
		else
			nvlist_add_bool(nvlout, "enomem", true);
		oldlen = 0;
	} else if (cap_sysctl_proc(name, justsize ? NULL : buf, oldlenp,
	    newp, newlen) < 0) {
		error = errno;
		if (error == ENOMEM && buf != NULL) {
			nvlist_add_bool(nvlout, "enomem", true);
			error = 0;
		}
	}
	if (error == 0 && oldlenp != NULL) {
		nvlist_add_number(nvlout, "oldlen", (uint64_t)oldlen);
		if (buf != NULL && oldlen > 0)
			nvlist_add_binary(nvlout, "oldp", buf, oldlen);
	}
	free(buf);
	return (error);
}

static const struct casper_sandbox sysctl_sandbox = {
	.sb_prepare = NULL,
	.sb_read = sysctl_paths,
	.sb_write = sysctl_paths,
	.sb_flags = 0,
};

static __attribute__((constructor)) void
sysctl_sandbox_init(void)
{

	(void)service_sandbox("system.sysctl", &sysctl_sandbox);
}

CREATE_SERVICE("system.sysctl", sysctl_limit, sysctl_command, 0);
