/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.fileargs: open, lstat and realpath of a fixed list of names.
 *
 * The limits are set once (fileargs_cinitnv) and name the files, the open
 * flags and mode, the operations and optionally the rights of returned
 * descriptors.  The service process shares the application's working
 * directory (it is a fork of it), so relative names mean the same there.
 *
 * Rights: on Linux a descriptor's Capsicum rights are state of the process
 * holding it and do not travel with SCM_RIGHTS, so the client limits every
 * descriptor it receives.  It uses the rights it set itself; after
 * fileargs_wrap() it does not know them and uses the ones the service
 * reports.  A descriptor whose limiting fails is closed, never returned.
 *
 * Sandbox (CASPER_SANDBOX_DEFERRED): when the limits arrive, the service
 * confines itself to exactly the named files before it accepts them
 * (fa_limit), see docs/casper.md.
 *
 * Prefetch, as on FreeBSD: when an open has to ask the service, the
 * service also opens up to FA_CACHE_SIZE of the names that follow in the
 * limits and sends those descriptors after the reply, in a message of
 * their own (CASPER_REPLY_TRAILER); the client limits their rights at
 * once and serves later opens of those names without a round trip.  Only
 * regular files, and only when the open flags have no side effect
 * (no O_CREAT, O_TRUNC, O_TMPFILE, O_PATH); a name that fails to open
 * ahead of time is simply not cached, so its open asks the service and
 * gets the real error.
 */
#include <sys/capsicum.h>
#include <sys/stat.h>
#include <sys/cnv.h>
#include <sys/dnv.h>
#include <sys/nv.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_fileargs.h>

#include "../casper_impl.h"

#define	FILEARGS_SERVICE	"system.fileargs"
#define	FILEARGS_MAGIC		0x46417267U	/* "FArg" */
#define	FA_ALLOPS		(FA_OPEN | FA_LSTAT | FA_REALPATH)
/* Descriptors the service opens ahead per round trip (FreeBSD's too). */
#define	FA_CACHE_SIZE		8

struct fileargs {
	uint32_t	 fa_magic;
	cap_channel_t	*fa_chan;
	int		 fa_fdflags;
	bool		 fa_hasrights;	/* fa_rights known locally */
	bool		 fa_noprefetch;	/* a prefetch failed: ask for none */
	cap_rights_t	 fa_rights;
	nvlist_t	*fa_cache;	/* name -> descriptor, rights limited */
};

static fileargs_t *
fileargs_create(cap_channel_t *chan, int fdflags)
{
	fileargs_t *fa;

	if ((fa = calloc(1, sizeof(*fa))) == NULL)
		return (NULL);
	fa->fa_magic = FILEARGS_MAGIC;
	fa->fa_chan = chan;
	fa->fa_fdflags = fdflags;
	return (fa);
}

static bool
fileargs_valid(const fileargs_t *fa)
{

	if (fa == NULL || fa->fa_magic != FILEARGS_MAGIC ||
	    fa->fa_chan == NULL) {
		errno = EINVAL;
		return (false);
	}
	return (true);
}

fileargs_t *
fileargs_init(int argc, char *argv[], int flags, mode_t mode,
    cap_rights_t *rightsp, int operations)
{
	cap_channel_t *cas;
	fileargs_t *fa;
	int serrno;

	if ((cas = cap_init()) == NULL)
		return (NULL);
	fa = fileargs_cinit(cas, argc, argv, flags, mode, rightsp,
	    operations);
	serrno = errno;
	cap_close(cas);
	errno = serrno;
	return (fa);
}

fileargs_t *
fileargs_cinit(cap_channel_t *cas, int argc, char *argv[], int flags,
    mode_t mode, cap_rights_t *rightsp, int operations)
{
	nvlist_t *limits;
	int i;

	if (argc < 0 || (argc > 0 && argv == NULL)) {
		errno = EINVAL;
		return (NULL);
	}
	/* The same name may be given twice, as in "cat f f". */
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", (uint64_t)flags);
	nvlist_add_number(limits, "operations", (uint64_t)operations);
	if ((flags & O_CREAT) != 0)
		nvlist_add_number(limits, "mode", (uint64_t)mode);
	if (rightsp != NULL)
		nvlist_add_binary(limits, "cap_rights", rightsp,
		    sizeof(*rightsp));
	for (i = 0; i < argc; i++)
		nvlist_add_null(limits, argv[i]);
	return (fileargs_cinitnv(cas, limits));
}

fileargs_t *
fileargs_initnv(nvlist_t *limits)
{
	cap_channel_t *cas;
	fileargs_t *fa;
	int serrno;

	if ((cas = cap_init()) == NULL) {
		nvlist_destroy(limits);
		return (NULL);
	}
	fa = fileargs_cinitnv(cas, limits);
	serrno = errno;
	cap_close(cas);
	errno = serrno;
	return (fa);
}

fileargs_t *
fileargs_cinitnv(cap_channel_t *cas, nvlist_t *limits)
{
	cap_channel_t *chan;
	fileargs_t *fa;
	const void *rights;
	size_t size;
	int serrno, flags;

	if (cas == NULL || limits == NULL || nvlist_error(limits) != 0 ||
	    !nvlist_exists_number(limits, "flags")) {
		nvlist_destroy(limits);
		errno = EINVAL;
		return (NULL);
	}
	if (nvlist_exists_binary(limits, "cap_rights")) {
		rights = nvlist_get_binary(limits, "cap_rights", &size);
		if (size != sizeof(fa->fa_rights)) {
			nvlist_destroy(limits);
			errno = EINVAL;
			return (NULL);
		}
	} else {
		rights = NULL;
	}
	flags = (int)nvlist_get_number(limits, "flags");
	if ((fa = fileargs_create(NULL, flags)) == NULL) {
		nvlist_destroy(limits);
		errno = ENOMEM;
		return (NULL);
	}
	if (rights != NULL) {
		memcpy(&fa->fa_rights, rights, sizeof(fa->fa_rights));
		fa->fa_hasrights = true;
	}
	/* The limits go with the open request: the service confines itself
	 * to the named files before it reads anything from this process. */
	if ((chan = casper_service_open_limited(cas, FILEARGS_SERVICE,
	    limits)) == NULL) {
		serrno = errno;
		fileargs_free(fa);
		errno = serrno;
		return (NULL);
	}
	fa->fa_chan = chan;
	return (fa);
}

/*
 * One request about name (asking for up to ncache prefetched descriptors);
 * the reply, or NULL with errno set.
 */
static nvlist_t *
fileargs_fetch(fileargs_t *fa, const char *cmd, const char *name,
    size_t ncache)
{
	nvlist_t *nvl;
	uint64_t error;

	if (!fileargs_valid(fa))
		return (NULL);
	if (name == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	nvl = nvlist_create(cap_channel_flags(fa->fa_chan) & CASPER_NO_UNIQ ?
	    NV_FLAG_NO_UNIQUE : 0);
	nvlist_add_string(nvl, "cmd", cmd);
	nvlist_add_string(nvl, "name", name);
	if (ncache > 0)
		nvlist_add_number(nvl, "cache", (uint64_t)ncache);
	if ((nvl = cap_xfer_nvlist(fa->fa_chan, nvl)) == NULL)
		return (NULL);
	if (!nvlist_exists_number(nvl, "error")) {
		nvlist_destroy(nvl);
		errno = EPROTO;
		return (NULL);
	}
	if ((error = nvlist_get_number(nvl, "error")) != 0) {
		nvlist_destroy(nvl);
		errno = error <= INT_MAX ? (int)error : EPROTO;
		return (NULL);
	}
	return (nvl);
}

/*
 * Receive the prefetched descriptors announced by an open reply (ncache
 * of them) and limit each to rights (NULL: unlimited).  Anything wrong —
 * the message cannot be received (at the descriptor limit, say), is not
 * what was announced, or a descriptor cannot be limited — drops the
 * whole cache and stops prefetching on this fileargs_t; the open that
 * brought it is not affected.
 */
static void
fileargs_cache_recv(fileargs_t *fa, uint64_t ncache,
    const cap_rights_t *rights)
{
	nvlist_t *cache;
	void *cookie;
	uint64_t n;
	bool bad;
	int type;

	cache = casper_chan_recv(fa->fa_chan, NV_FLAG_NO_UNIQUE);
	if (cache == NULL) {
		fa->fa_noprefetch = true;
		return;
	}
	n = 0;
	bad = false;
	cookie = NULL;
	while (!bad && nvlist_next(cache, &type, &cookie) != NULL) {
		bad = type != NV_TYPE_DESCRIPTOR || (rights != NULL &&
		    cap_rights_limit(cnvlist_get_descriptor(cookie),
		    rights) < 0);
		n++;
	}
	if (bad || n != ncache) {
		nvlist_destroy(cache);
		fa->fa_noprefetch = true;
		return;
	}
	fa->fa_cache = cache;
}

int
fileargs_open(fileargs_t *fa, const char *name)
{
	cap_rights_t rights;
	const void *rp;
	nvlist_t *nvl;
	uint64_t ncache;
	size_t size;
	bool limit;
	int fd, serrno;

	if (!fileargs_valid(fa))
		return (-1);
	if (name == NULL) {
		errno = EINVAL;
		return (-1);
	}
	/* Opened ahead by the service, rights already limited. */
	if (fa->fa_cache != NULL &&
	    nvlist_exists_descriptor(fa->fa_cache, name))
		return (nvlist_take_descriptor(fa->fa_cache, name));
	/* A miss: what is cached was for other names; make room first. */
	nvlist_destroy(fa->fa_cache);
	fa->fa_cache = NULL;
	if ((nvl = fileargs_fetch(fa, "open", name,
	    fa->fa_noprefetch ? 0 : FA_CACHE_SIZE)) == NULL)
		return (-1);
	if (!nvlist_exists_descriptor(nvl, "fd") ||
	    (nvlist_exists(nvl, "cache") &&
	    (!nvlist_exists_number(nvl, "cache") ||
	    nvlist_get_number(nvl, "cache") > FA_CACHE_SIZE))) {
		/* The channel cannot be trusted to be in step any more. */
		nvlist_destroy(nvl);
		errno = EPROTO;
		return (-1);
	}
	ncache = dnvlist_get_number(nvl, "cache", 0);
	fd = nvlist_take_descriptor(nvl, "fd");
	limit = fa->fa_hasrights;
	rights = fa->fa_rights;
	if (!limit && nvlist_exists_binary(nvl, "cap_rights")) {
		rp = nvlist_get_binary(nvl, "cap_rights", &size);
		if (size != sizeof(rights)) {
			nvlist_destroy(nvl);
			/* Take the trailer off the channel all the same. */
			if (ncache > 0) {
				fileargs_cache_recv(fa, ncache, NULL);
				nvlist_destroy(fa->fa_cache);
				fa->fa_cache = NULL;
			}
			close(fd);
			errno = EPROTO;
			return (-1);
		}
		memcpy(&rights, rp, size);
		limit = true;
	}
	nvlist_destroy(nvl);
	if (ncache > 0)
		fileargs_cache_recv(fa, ncache, limit ? &rights : NULL);
	if (limit && cap_rights_limit(fd, &rights) < 0) {
		serrno = errno;
		close(fd);
		errno = serrno;
		return (-1);
	}
	return (fd);
}

FILE *
fileargs_fopen(fileargs_t *fa, const char *name, const char *mode)
{
	FILE *fp;
	int fd, serrno;

	if (mode == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	if ((fd = fileargs_open(fa, name)) < 0)
		return (NULL);
	if ((fp = fdopen(fd, mode)) == NULL) {
		serrno = errno;
		close(fd);
		errno = serrno;
	}
	return (fp);
}

int
fileargs_lstat(fileargs_t *fa, const char *name, struct stat *sb)
{
	const void *st;
	nvlist_t *nvl;
	size_t size;

	if (sb == NULL) {
		errno = EFAULT;
		return (-1);
	}
	if ((nvl = fileargs_fetch(fa, "lstat", name, 0)) == NULL)
		return (-1);
	st = dnvlist_get_binary(nvl, "stat", &size, NULL, 0);
	if (st == NULL || size != sizeof(*sb)) {
		nvlist_destroy(nvl);
		errno = EPROTO;
		return (-1);
	}
	memcpy(sb, st, size);
	nvlist_destroy(nvl);
	return (0);
}

char *
fileargs_realpath(fileargs_t *fa, const char *pathname, char *reserved_path)
{
	nvlist_t *nvl;
	const char *path;
	char *ret;

	if ((nvl = fileargs_fetch(fa, "realpath", pathname, 0)) == NULL)
		return (NULL);
	path = dnvlist_get_string(nvl, "realpath", NULL);
	if (path == NULL || strlen(path) >= PATH_MAX) {
		nvlist_destroy(nvl);
		errno = EPROTO;
		return (NULL);
	}
	if (reserved_path != NULL)
		ret = strcpy(reserved_path, path);
	else
		ret = strdup(path);
	nvlist_destroy(nvl);
	return (ret);
}

void
fileargs_free(fileargs_t *fa)
{

	if (fa == NULL)
		return;
	if (fa->fa_chan != NULL)
		cap_close(fa->fa_chan);
	nvlist_destroy(fa->fa_cache);	/* closes what was never used */
	fa->fa_magic = 0;
	free(fa);
}

fileargs_t *
fileargs_wrap(cap_channel_t *chan, int fdflags)
{
	fileargs_t *fa;

	if (chan == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	if ((fa = fileargs_create(chan, fdflags)) == NULL)
		cap_close(chan);
	return (fa);
}

cap_channel_t *
fileargs_unwrap(fileargs_t *fa, int *fdflags)
{
	cap_channel_t *chan;

	if (!fileargs_valid(fa))
		return (NULL);
	chan = fa->fa_chan;
	if (fdflags != NULL)
		*fdflags = fa->fa_fdflags;
	fa->fa_chan = NULL;
	fileargs_free(fa);
	return (chan);
}

/* ------------------------------------------------------------------ */
/* Service side. */

/*
 * A limit number that must exist (or may be absent when !required) and
 * fit in an int; -1 if it is malformed.
 */
static int
fa_limit_int(const nvlist_t *limits, const char *name, bool required,
    int *valp)
{
	uint64_t v;

	if (!nvlist_exists(limits, name)) {
		*valp = 0;
		return (required ? -1 : 0);
	}
	if (!nvlist_exists_number(limits, name))
		return (-1);
	v = nvlist_get_number(limits, name);
	if (v > INT_MAX)
		return (-1);
	*valp = (int)v;
	return (0);
}

/* Paths the sandbox grants; built once, when the limits arrive. */
struct fa_paths {
	char	**fp_list;
	size_t	  fp_n, fp_cap;
};

static int
fa_paths_add(struct fa_paths *fp, char *path)
{
	char **nl;

	if (path == NULL)
		return (ENOMEM);
	if (fp->fp_n + 2 > fp->fp_cap) {
		nl = reallocarray(fp->fp_list, fp->fp_cap * 2 + 8,
		    sizeof(*nl));
		if (nl == NULL) {
			free(path);
			return (ENOMEM);
		}
		fp->fp_list = nl;
		fp->fp_cap = fp->fp_cap * 2 + 8;
	}
	fp->fp_list[fp->fp_n++] = path;
	fp->fp_list[fp->fp_n] = NULL;
	return (0);
}

static void
fa_paths_free(struct fa_paths *fp)
{
	size_t i;

	for (i = 0; i < fp->fp_n; i++)
		free(fp->fp_list[i]);
	free(fp->fp_list);
	memset(fp, 0, sizeof(*fp));
}

/*
 * Where name lives for Landlock: the file itself when it exists; its
 * directory when open may create it (Landlock can only grant creation on
 * a directory).  NULL with errno ENOENT when neither applies.
 */
static char *
fa_landlock_path(const char *name, bool create)
{
	char *copy, *dir, *path;

	if ((path = realpath(name, NULL)) != NULL || errno != ENOENT ||
	    !create)
		return (path);
	if ((copy = strdup(name)) == NULL)
		return (NULL);
	dir = dirname(copy);
	path = realpath(dir, NULL);
	free(copy);
	return (path);
}

/* Confine this process to the files in limits, as flags allow. */
static int
fa_sandbox(const nvlist_t *limits, int flags, int operations)
{
	struct fa_paths rd, wr;
	struct casper_sandbox sb;
	const char *name;
	void *cookie;
	char *path;
	bool write, create;
	int error, type;

	memset(&rd, 0, sizeof(rd));
	memset(&wr, 0, sizeof(wr));
	error = 0;
	write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
	create = (flags & O_CREAT) != 0;
	cookie = NULL;
	while ((operations & FA_OPEN) != 0 && error == 0 &&
	    (name = nvlist_next(limits, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_NULL)
			continue;
		if ((path = fa_landlock_path(name, create)) == NULL) {
			/* Nothing to grant: open will fail with ENOENT. */
			if (errno == ENOENT || errno == ENOTDIR ||
			    errno == EACCES || errno == ELOOP)
				continue;
			error = errno;
			break;
		}
		error = fa_paths_add(write ? &wr : &rd, path);
	}
	if (error == 0) {
		memset(&sb, 0, sizeof(sb));
		sb.sb_read = (const char *const *)rd.fp_list;
		sb.sb_write = (const char *const *)wr.fp_list;
		sb.sb_flags = CASPER_SANDBOX_DEFERRED;
		if (casper_sandbox_enter(&sb) < 0)
			error = errno != 0 ? errno : EPERM;
	}
	fa_paths_free(&rd);
	fa_paths_free(&wr);
	return (error);
}

/*
 * Prefetch state of this service process: the listed names in order (a
 * copy of the last limits accepted) and the next one to open ahead.
 * Every name is checked against the requesting connection's limits
 * before it is opened, so a connection with other limits (a clone
 * limited differently) is never given more than its own.
 */
static bool fa_allowed(const nvlist_t *, const char *, int);

static struct {
	char	**names;
	size_t	  n;
	size_t	  next;
} fa_pf;

static void
fa_pf_reset(const nvlist_t *limits)
{
	const char *name;
	void *cookie;
	size_t i, n;
	int type;

	for (i = 0; i < fa_pf.n; i++)
		free(fa_pf.names[i]);
	free(fa_pf.names);
	memset(&fa_pf, 0, sizeof(fa_pf));
	n = 0;
	cookie = NULL;
	while ((name = nvlist_next(limits, &type, &cookie)) != NULL)
		n += type == NV_TYPE_NULL;
	if (n == 0 || (fa_pf.names = calloc(n, sizeof(char *))) == NULL)
		return;		/* no prefetch, which is only slower */
	cookie = NULL;
	while ((name = nvlist_next(limits, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_NULL)
			continue;
		if ((fa_pf.names[fa_pf.n] = strdup(name)) == NULL)
			break;
		fa_pf.n++;
	}
}

/* Flags whose open has no effect beyond the descriptor. */
static bool
fa_prefetchable(int flags)
{

	return ((flags & (O_CREAT | O_TRUNC | O_PATH)) == 0 &&
	    (flags & O_TMPFILE) != O_TMPFILE);
}

/*
 * Open name ahead of time, as fa_command would, but only if it is a
 * regular file: a FIFO or a device can block or act on open.  Opened
 * non-blocking (a FIFO swapped in after the stat does not block), then
 * the flags are put back as open would have left them.
 */
static int
fa_open_ahead(const char *name, int flags, mode_t mode)
{
	struct stat st;
	int fd, fl, serrno;

	if (stat(name, &st) < 0)
		return (-1);
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return (-1);
	}
	fd = open(name, flags | O_CLOEXEC | O_NONBLOCK, mode);
	if (fd < 0)
		return (-1);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    ((flags & O_NONBLOCK) == 0 && ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0))) {
		serrno = errno;
		(void)close(fd);
		errno = serrno;
		return (-1);
	}
	return (fd);
}

/*
 * After a successful open of name, open up to want of the names that
 * follow it and attach them to the reply as its trailer.
 */
static void
fa_prefetch(const nvlist_t *limits, const char *name, uint64_t want,
    nvlist_t *nvlout)
{
	nvlist_t *cache;
	const char *next;
	uint64_t count;
	int fd, flags;

	flags = (int)dnvlist_get_number(limits, "flags", 0);
	if (want == 0 || !fa_prefetchable(flags))
		return;
	if (want > FA_CACHE_SIZE)
		want = FA_CACHE_SIZE;
	/* The name just opened is the one the cursor points at: skip it. */
	if (fa_pf.next < fa_pf.n && strcmp(fa_pf.names[fa_pf.next], name) == 0)
		fa_pf.next++;
	if (fa_pf.next >= fa_pf.n ||
	    (cache = nvlist_create(NV_FLAG_NO_UNIQUE)) == NULL)
		return;
	count = 0;
	while (count < want && fa_pf.next < fa_pf.n) {
		next = fa_pf.names[fa_pf.next++];
		if (!fa_allowed(limits, next, FA_OPEN))
			continue;
		fd = fa_open_ahead(next, flags,
		    (mode_t)dnvlist_get_number(limits, "mode", 0));
		if (fd < 0) {
			/* Out of descriptors: leave the rest for later. */
			if (errno == EMFILE || errno == ENFILE)
				break;
			continue;
		}
		nvlist_move_descriptor(cache, next, fd);
		count++;
	}
	if (count == 0 || nvlist_error(cache) != 0) {
		nvlist_destroy(cache);
		return;
	}
	nvlist_add_number(nvlout, "cache", count);
	nvlist_move_nvlist(nvlout, CASPER_REPLY_TRAILER, cache);
}

static int
fa_limit(const nvlist_t *oldlimits, const nvlist_t *newlimits)
{
	const char *name;
	void *cookie;
	size_t size;
	int error, flags, mode, operations, type;

	/* Limits are set once: the sandbox is built from them. */
	if (oldlimits != NULL)
		return (ENOTCAPABLE);
	if (fa_limit_int(newlimits, "flags", true, &flags) < 0 ||
	    fa_limit_int(newlimits, "operations", true, &operations) < 0 ||
	    fa_limit_int(newlimits, "mode", (flags & O_CREAT) != 0,
	    &mode) < 0 || (operations & ~FA_ALLOPS) != 0)
		return (EINVAL);
	cookie = NULL;
	while ((name = nvlist_next(newlimits, &type, &cookie)) != NULL) {
		if (strcmp(name, "flags") == 0 ||
		    strcmp(name, "operations") == 0 ||
		    strcmp(name, "mode") == 0)
			continue;
		if (strcmp(name, "cap_rights") == 0) {
			if (type != NV_TYPE_BINARY)
				return (EINVAL);
			(void)nvlist_get_binary(newlimits, name, &size);
			if (size != sizeof(cap_rights_t))
				return (EINVAL);
			continue;
		}
		if (type != NV_TYPE_NULL)
			return (EINVAL);
	}
	if ((error = fa_sandbox(newlimits, flags, operations)) == 0)
		fa_pf_reset(newlimits);
	return (error);
}

static bool
fa_allowed(const nvlist_t *limits, const char *name, int op)
{
	uint64_t operations;

	if (limits == NULL || !nvlist_exists_null(limits, name))
		return (false);
	operations = dnvlist_get_number(limits, "operations", 0);
	return ((operations & (uint64_t)op) != 0);
}

static int
fa_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	char path[PATH_MAX];
	struct stat st;
	const void *rights;
	const char *name;
	uint64_t want;
	size_t size;
	int fd, op;

	if (strcmp(cmd, "open") == 0)
		op = FA_OPEN;
	else if (strcmp(cmd, "lstat") == 0)
		op = FA_LSTAT;
	else if (strcmp(cmd, "realpath") == 0)
		op = FA_REALPATH;
	else
		return (EINVAL);
	if ((name = dnvlist_get_string(nvlin, "name", NULL)) == NULL)
		return (EINVAL);
	if (!fa_allowed(limits, name, op))
		return (ENOTCAPABLE);
	switch (op) {
	case FA_OPEN:
		/* How many descriptors to open ahead (none if absent). */
		want = 0;
		if (nvlist_exists(nvlin, "cache")) {
			if (!nvlist_exists_number(nvlin, "cache"))
				return (EINVAL);
			want = nvlist_get_number(nvlin, "cache");
		}
		fd = open(name, (int)dnvlist_get_number(limits, "flags", 0) |
		    O_CLOEXEC, (mode_t)dnvlist_get_number(limits, "mode", 0));
		if (fd < 0)
			return (errno);
		nvlist_move_descriptor(nvlout, "fd", fd);
		rights = dnvlist_get_binary(limits, "cap_rights", &size,
		    NULL, 0);
		if (rights != NULL)
			nvlist_add_binary(nvlout, "cap_rights", rights, size);
		fa_prefetch(limits, name, want, nvlout);
		return (0);
	case FA_LSTAT:
		if (lstat(name, &st) < 0)
			return (errno);
		nvlist_add_binary(nvlout, "stat", &st, sizeof(st));
		return (0);
	default:
		if (realpath(name, path) == NULL)
			return (errno);
		nvlist_add_string(nvlout, "realpath", path);
		return (0);
	}
}

static const struct casper_sandbox fa_sandbox_deferred = {
	.sb_prepare = NULL,
	.sb_read = NULL,
	.sb_write = NULL,
	.sb_flags = CASPER_SANDBOX_DEFERRED,
};

static __attribute__((constructor)) void
fa_register(void)
{

	/*
	 * FreeBSD also passes CASPER_SERVICE_FD and CASPER_SERVICE_STDIO;
	 * the service needs none of the application's descriptors and
	 * prints nothing, so it keeps neither.
	 */
	if (service_register(FILEARGS_SERVICE, fa_limit, fa_command,
	    CASPER_SERVICE_NO_UNIQ_LIMITS) != NULL)
		(void)service_sandbox(FILEARGS_SERVICE, &fa_sandbox_deferred);
}
