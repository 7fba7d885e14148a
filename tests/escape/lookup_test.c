/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Calls by path that Landlock does not confine (fstatat, statx, faccessat,
 * readlinkat, fchmodat, fchownat, utimensat) relative to a held directory
 * in capability mode: the broker resolves the path beneath the directory,
 * with FreeBSD's answers (ENOTCAPABLE for anything leaving it, ECAPMODE
 * for the current directory) and the directory's rights checked by the
 * kernel.  Raw system calls throughout, including the broker's own call.
 */
#include <sys/stat.h>

#include <sys/capsicum.h>

#include "harness.h"
#include "escape/tree.h"
#include "capsicum/policy.h"

#ifndef SYS_fchmodat2
#define	SYS_fchmodat2	452
#endif

static char *
tree_new(void)
{
	char *d = test_tmpdir();

	tree_file(d, "f", "hello");
	tree_mkdir(d, "sub");
	tree_symlink(d, "ln", "f");
	tree_symlink(d, "sub/back", "../f");
	tree_symlink(d, "out", "/etc/passwd");
	tree_open_to_all(d);
	return (d);
}

#define	IN_TREE(fn)	IN_TREE_OF(tree_new, fn, 20)

static int
open_dir(const char *root)
{
	int fd;

	SKIP_UNDER_VALGRIND();
	fd = open(root, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	return (fd);
}

static void
stat_family(void *arg)
{
	struct statx stx;
	struct stat st;
	int dir;

	dir = open_dir(arg);
	capmode_enter();
	CHECK_OK(raw(SYS_newfstatat, dir, "f", &st, 0));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 5);
	CHECK_OK(raw(SYS_newfstatat, dir, "ln", &st, AT_SYMLINK_NOFOLLOW));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_OK(raw(SYS_newfstatat, dir, "ln", &st, 0));
	CHECK(S_ISREG(st.st_mode));
	CHECK_OK(raw(SYS_newfstatat, dir, "sub/back", &st, 0));
	CHECK_OK(raw(SYS_newfstatat, dir, "sub/..", &st, 0));
	CHECK(S_ISDIR(st.st_mode));
	memset(&stx, 0, sizeof(stx));
	CHECK_OK(raw(SYS_statx, dir, "f", 0, STATX_SIZE, &stx));
	CHECK(stx.stx_size == 5);
	/* libc's stat family goes the same way. */
	CHECK(fstatat(dir, "sub", &st, 0) == 0 && S_ISDIR(st.st_mode));
	/* Leaving the directory. */
	CHECK_ERR(raw(SYS_newfstatat, dir, "..", &st, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_newfstatat, dir, "/etc/passwd", &st, 0),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_newfstatat, dir, "out", &st, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_statx, dir, "../..", 0, STATX_SIZE, &stx),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_newfstatat, dir, "missing", &st, 0), ENOENT);
	/* The global namespace. */
	CHECK_ERR(raw(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0),
	    ECAPMODE);
	CHECK_LIBC_ERR(stat("/etc/passwd", &st), ECAPMODE);
	/* Bad buffers are the caller's EFAULT, not the broker's problem. */
	CHECK_ERR(raw(SYS_newfstatat, dir, "f", (void *)8, 0), EFAULT);
	CHECK_ERR(raw(SYS_newfstatat, dir, (char *)8, &st, 0), EFAULT);
	/* The empty-path form still works without the broker. */
	CHECK_OK(raw(SYS_newfstatat, dir, "", &st, AT_EMPTY_PATH));
}

Test(lookup, stat_family_beneath)
{
	IN_TREE(stat_family);
}

static void
others(void *arg)
{
	struct timespec ts[2];
	struct stat st;
	char buf[64];
	int dir;

	dir = open_dir(arg);
	capmode_enter();
	memset(buf, 0, sizeof(buf));
	CHECK(raw(SYS_readlinkat, dir, "ln", buf, sizeof(buf)) == 1 &&
	    buf[0] == 'f');
	CHECK(raw(SYS_readlinkat, dir, "ln", buf, 0) == -EINVAL);
	CHECK_ERR(raw(SYS_readlinkat, dir, "f", buf, sizeof(buf)), EINVAL);
	CHECK_ERR(raw(SYS_readlinkat, dir, "../x", buf, sizeof(buf)),
	    ENOTCAPABLE);
	CHECK_OK(raw(SYS_faccessat, dir, "f", R_OK));
	CHECK_OK(raw(SYS_faccessat2, dir, "f", R_OK | W_OK, AT_EACCESS));
	CHECK_ERR(raw(SYS_faccessat, dir, "/etc/shadow", R_OK), ENOTCAPABLE);
	CHECK_OK(raw(SYS_fchmodat, dir, "f", 0600));
	CHECK_OK(raw(SYS_newfstatat, dir, "f", &st, 0));
	CHECK((st.st_mode & 0777) == 0600);
	CHECK_OK(raw(SYS_fchmodat2, dir, "f", 0640, 0));
	CHECK_ERR(raw(SYS_fchmodat, dir, "out", 0777), ENOTCAPABLE);
	CHECK_OK(raw(SYS_fchownat, dir, "f", getuid(), getgid(), 0));
	CHECK_ERR(raw(SYS_fchownat, dir, "..", getuid(), getgid(), 0),
	    ENOTCAPABLE);
	ts[0].tv_sec = ts[1].tv_sec = 1000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	CHECK_OK(raw(SYS_utimensat, dir, "f", ts, 0));
	CHECK_OK(raw(SYS_newfstatat, dir, "f", &st, 0));
	CHECK(st.st_mtim.tv_sec == 1000000);
	CHECK_OK(raw(SYS_utimensat, dir, "f", NULL, 0));
	CHECK_ERR(raw(SYS_utimensat, dir, "/tmp", NULL, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf,
	    sizeof(buf)), ECAPMODE);
	CHECK_ERR(raw(SYS_fchmodat, AT_FDCWD, "/tmp", 0777), ECAPMODE);
}

Test(lookup, readlink_access_chmod_chown_utimens)
{
	IN_TREE(others);
}

/* Each call needs FreeBSD's rights on the directory, enforced in the
 * kernel (filter R) before the broker sees anything. */
static void
rights(void *arg)
{
	cap_rights_t r;
	struct stat st;
	char buf[8];
	int none, look, full;

	none = open_dir(arg);
	look = open(arg, O_RDONLY | O_DIRECTORY);
	full = open(arg, O_RDONLY | O_DIRECTORY);
	CHECK(look >= 0 && full >= 0);
	CHECK(cap_rights_limit(none, cap_rights_init(&r, CAP_FSTAT)) == 0);
	CHECK(cap_rights_limit(look, cap_rights_init(&r, CAP_LOOKUP,
	    CAP_FSTAT)) == 0);
	capmode_enter();
	CHECK_ERR(raw(SYS_newfstatat, none, "f", &st, 0), ENOTCAPABLE);
	CHECK_OK(raw(SYS_newfstatat, look, "f", &st, 0));
	CHECK_OK(raw(SYS_faccessat, look, "f", R_OK));
	CHECK_ERR(raw(SYS_readlinkat, look, "ln", buf, sizeof(buf)),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmodat, look, "f", 0600), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchownat, look, "f", getuid(), getgid(), 0),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_utimensat, look, "f", NULL, 0), ENOTCAPABLE);
	CHECK_OK(raw(SYS_fchmodat, full, "f", 0600));
	/* Calling the broker directly changes nothing: the same rows
	 * check the same rights, the broker resolves the same way. */
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_fchmodat, look, "f", 0777),
	    ENOTCAPABLE);
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_newfstatat, full, "..", &st, 0),
	    ENOTCAPABLE);
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_newfstatat, AT_FDCWD, "/", &st,
	    0), ECAPMODE);
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_openat, full, "f", 0, 0),
	    ENOSYS);
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, 12345, full, "f", 0, 0), ENOSYS);
}

Test(lookup, rights_are_checked_by_the_kernel)
{
	IN_TREE(rights);
}

/* Without a held directory there is no broker: lookups stay ECAPMODE,
 * and the broker's call is unknown to the kernel. */
static void
no_broker(void *arg)
{
	struct cap_enforcement ce;
	struct stat st;

	SKIP_UNDER_VALGRIND();
	(void)arg;
	CHECK(raw(SYS_close_range, 3, ~0U, 0) == 0);
	capmode_enter();
	CHECK(cap_enforcement(&ce) == 0);
	CHECK((ce.ce_active & CAP_LAYER_BROKER) == 0 && ce.ce_missing == 0);
	CHECK(ce.ce_filters == 1);	/* M and R as one */
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_newfstatat, 0, "x", &st, 0),
	    ENOSYS);
	CHECK_ERR(raw(SYS_newfstatat, 0, "x", &st, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_readlinkat, 0, "x", &st, 8), ECAPMODE);
}

Test(lookup, without_broker_lookups_are_refused)
{
	IN_TREE(no_broker);
}
