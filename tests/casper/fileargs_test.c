/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.fileargs on a temporary tree, from inside capability mode.
 *
 * The Criterion fixture builds the tree and makes it the working
 * directory; each test forks a child that sets the limits, enters
 * capability mode and checks what it can open, lstat and resolve.
 */
#include <sys/capsicum.h>
#include <sys/cnv.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include <libcasper.h>
#include <casper/cap_fileargs.h>

#include "harness.h"
#include "casper/casper_impl.h"

static char tree[] = "/tmp/casper-fileargs.XXXXXX";

static void
put(const char *name, const char *text)
{
	int fd;

	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0, "%s: %s", name, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
tree_setup(void)
{

	cr_assert_not_null(mkdtemp(tree));
	cr_assert_eq(chdir(tree), 0);
	put("a", "alpha\n");
	put("b", "bravo!\n");
	put("secret", "not for you\n");
	cr_assert_eq(mkdir("sub", 0755), 0);
	put("sub/c", "charlie\n");
	cr_assert_eq(symlink("a", "link"), 0);
}

static void
tree_teardown(void)
{
	static const char *const files[] = { "a", "b", "secret", "sub/c",
	    "link", "out", "new", "fifo" };
	char name[16];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	/* The prefetch tests' files, also when a test failed half-way. */
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		unlink(name);
	}
	rmdir("sub");
	cr_assert_eq(chdir("/"), 0);
	rmdir(tree);
}

TestSuite(fileargs, .init = tree_setup, .fini = tree_teardown);

static void
readall(int fd, const char *want)
{
	char buf[64];
	ssize_t n;

	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n >= 0);
	buf[n] = '\0';
	CHECK(strcmp(buf, want) == 0);
}

/* fileargs_cinit with its own Casper, then capability mode. */
static fileargs_t *
fa_open(int argc, char **argv, int flags, mode_t mode, cap_rights_t *rights,
    int ops)
{
	cap_channel_t *cas;
	fileargs_t *fa;

	SKIP_UNDER_VALGRIND();
	cas = cap_init();
	CHECK(cas != NULL);
	fa = fileargs_cinit(cas, argc, argv, flags, mode, rights, ops);
	CHECK(fa != NULL);
	cap_close(cas);
	capmode_enter();
	return (fa);
}

static void
open_child(void *arg)
{
	char *argv[] = { "a", "sub/c", "a", "missing" };
	cap_rights_t rights, got, want;
	fileargs_t *fa;
	int fd, fd2;

	fa = fa_open(4, argv, O_RDONLY, 0,
	    cap_rights_init(&rights, CAP_READ, CAP_FSTAT), FA_OPEN);
	fd = fileargs_open(fa, "a");
	CHECK(fd >= 0);
	readall(fd, "alpha\n");
	/* Exactly the rights asked for, enforced on this descriptor. */
	CHECK(cap_rights_get(fd, &got) == 0);
	cap_rights_init(&want, CAP_READ, CAP_FSTAT);
	CHECK(cap_rights_contains(&want, &got) &&
	    cap_rights_contains(&got, &want));
	CHECK_LIBC_ERR(write(fd, "x", 1), ENOTCAPABLE);
	CHECK_LIBC_ERR(lseek(fd, 0, SEEK_SET), ENOTCAPABLE);
	/*
	 * Again (the second "a" in the list, opened ahead and limited in
	 * capability mode), and a name in a subdirectory.
	 */
	fd2 = fileargs_open(fa, "a");
	CHECK(fd2 >= 0 && fd2 != fd);
	readall(fd2, "alpha\n");
	CHECK(cap_rights_get(fd2, &got) == 0);
	CHECK(cap_rights_contains(&want, &got) &&
	    cap_rights_contains(&got, &want));
	CHECK_LIBC_ERR(write(fd2, "x", 1), ENOTCAPABLE);
	close(fd2);
	close(fd);
	fd = fileargs_open(fa, "sub/c");
	CHECK(fd >= 0);
	readall(fd, "charlie\n");
	close(fd);

	/* Names outside the list, even of the same file. */
	CHECK_LIBC_ERR(fileargs_open(fa, "b"), ENOTCAPABLE);
	CHECK_LIBC_ERR(fileargs_open(fa, "./a"), ENOTCAPABLE);
	CHECK_LIBC_ERR(fileargs_open(fa, "secret"), ENOTCAPABLE);
	CHECK_LIBC_ERR(fileargs_open(fa, "/etc/passwd"), ENOTCAPABLE);
	/* A listed name that does not exist. */
	CHECK_LIBC_ERR(fileargs_open(fa, "missing"), ENOENT);
	/* Operations outside FA_OPEN. */
	{
		struct stat st;
		char buf[PATH_MAX];

		CHECK_LIBC_ERR(fileargs_lstat(fa, "a", &st), ENOTCAPABLE);
		CHECK(fileargs_realpath(fa, "a", buf) == NULL &&
		    errno == ENOTCAPABLE);
	}
	CHECK_LIBC_ERR(fileargs_open(fa, NULL), EINVAL);
	CHECK_LIBC_ERR(fileargs_open(NULL, "a"), EINVAL);
	fileargs_free(fa);
	fileargs_free(NULL);
}

Test(fileargs, open)
{
	SANDBOXED(open_child, NULL);
}

static void
fopen_child(void *arg)
{
	char *argv[] = { "b" };
	char line[32];
	cap_rights_t rights;
	fileargs_t *fa;
	FILE *fp;

	fa = fa_open(1, argv, O_RDONLY, 0,
	    cap_rights_init(&rights, CAP_READ, CAP_FSTAT, CAP_SEEK,
	    CAP_FCNTL), FA_OPEN);
	fp = fileargs_fopen(fa, "b", "r");
	CHECK(fp != NULL);
	CHECK(fgets(line, sizeof(line), fp) != NULL);
	CHECK(strcmp(line, "bravo!\n") == 0);
	fclose(fp);
	CHECK(fileargs_fopen(fa, "a", "r") == NULL && errno == ENOTCAPABLE);
	CHECK(fileargs_fopen(fa, "b", NULL) == NULL && errno == EINVAL);
	/* fdopen refuses a mode the descriptor cannot have. */
	CHECK(fileargs_fopen(fa, "b", "w") == NULL && errno == EINVAL);
	fileargs_free(fa);
}

Test(fileargs, fopen)
{
	SANDBOXED(fopen_child, NULL);
}

static void
lstat_realpath_child(void *arg)
{
	char *argv[] = { "a", "link", "sub/c", "missing" };
	char buf[PATH_MAX], want[PATH_MAX], *rp;
	struct stat st;
	fileargs_t *fa;

	CHECK(getcwd(want, sizeof(want)) != NULL);
	strcat(want, "/a");
	fa = fa_open(4, argv, O_RDONLY, 0, NULL, FA_LSTAT | FA_REALPATH);
	CHECK(fileargs_lstat(fa, "a", &st) == 0);
	CHECK(S_ISREG(st.st_mode) && st.st_size == 6);
	/* lstat: the link itself. */
	CHECK(fileargs_lstat(fa, "link", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_LIBC_ERR(fileargs_lstat(fa, "missing", &st), ENOENT);
	CHECK_LIBC_ERR(fileargs_lstat(fa, "b", &st), ENOTCAPABLE);
	CHECK_LIBC_ERR(fileargs_lstat(fa, "a", NULL), EFAULT);

	rp = fileargs_realpath(fa, "link", buf);
	CHECK(rp == buf && strcmp(buf, want) == 0);
	rp = fileargs_realpath(fa, "a", NULL);
	CHECK(rp != NULL && strcmp(rp, want) == 0);
	free(rp);
	CHECK(fileargs_realpath(fa, "missing", NULL) == NULL &&
	    errno == ENOENT);
	CHECK(fileargs_realpath(fa, "secret", NULL) == NULL &&
	    errno == ENOTCAPABLE);
	/* FA_OPEN was not given. */
	CHECK_LIBC_ERR(fileargs_open(fa, "a"), ENOTCAPABLE);
	fileargs_free(fa);
}

Test(fileargs, lstat_realpath)
{
	SANDBOXED(lstat_realpath_child, NULL);
}

static void
create_child(void *arg)
{
	char *argv[] = { "out", "a" };
	cap_rights_t rights;
	struct stat st;
	fileargs_t *fa;
	int fd;

	fa = fa_open(2, argv, O_WRONLY | O_CREAT | O_TRUNC, 0640,
	    cap_rights_init(&rights, CAP_WRITE, CAP_FSTAT, CAP_FTRUNCATE),
	    FA_OPEN);
	fd = fileargs_open(fa, "out");
	CHECK(fd >= 0);
	CHECK(write(fd, "written\n", 8) == 8);
	CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0640);
	CHECK_LIBC_ERR(read(fd, &st, 1), ENOTCAPABLE);
	close(fd);
	/* O_TRUNC applies to every listed name. */
	fd = fileargs_open(fa, "a");
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
	close(fd);
	CHECK_LIBC_ERR(fileargs_open(fa, "new"), ENOTCAPABLE);
	fileargs_free(fa);
}

Test(fileargs, create)
{
	struct stat st;

	SANDBOXED(create_child, NULL);
	cr_assert_eq(stat("out", &st), 0);
	cr_assert_eq(st.st_size, 8);
	cr_assert_eq(stat("new", &st), -1);
}

static void
norights_child(void *arg)
{
	char *argv[] = { "a" };
	cap_rights_t got, all;
	fileargs_t *fa;
	int fd;

	fa = fa_open(1, argv, O_RDONLY, 0, NULL, FA_OPEN);
	fd = fileargs_open(fa, "a");
	CHECK(fd >= 0);
	CHECK(cap_rights_get(fd, &got) == 0);
	CAP_ALL(&all);
	CHECK(cap_rights_contains(&got, &all));
	CHECK(lseek(fd, 2, SEEK_SET) == 2);
	readall(fd, "pha\n");
	close(fd);
	fileargs_free(fa);
}

Test(fileargs, no_rights_means_all)
{
	SANDBOXED(norights_child, NULL);
}

static void
limits_child(void *arg)
{
	char *argv[] = { "a" };
	cap_rights_t rights;
	cap_channel_t *chan;
	fileargs_t *fa;
	nvlist_t *limits;
	int fd, flags;

	fa = fa_open(1, argv, O_RDONLY, 0, cap_rights_init(&rights,
	    CAP_READ), FA_OPEN);
	chan = fileargs_unwrap(fa, &flags);
	CHECK(chan != NULL && flags == O_RDONLY);
	/* Limits are set once, even when the new ones are narrower. */
	CHECK(cap_limit_get(chan, &limits) == 0 && limits != NULL);
	CHECK(nvlist_exists_null(limits, "a"));
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), ENOTCAPABLE);
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", 0);
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), ENOTCAPABLE);

	/* Wrapped again, the rights still apply (the service reports them). */
	fa = fileargs_wrap(chan, flags);
	CHECK(fa != NULL);
	fd = fileargs_open(fa, "a");
	CHECK(fd >= 0);
	CHECK_LIBC_ERR(fstat(fd, &(struct stat){ 0 }), ENOTCAPABLE);
	readall(fd, "alpha\n");
	close(fd);
	fileargs_free(fa);
	CHECK(fileargs_wrap(NULL, 0) == NULL && errno == EINVAL);
	CHECK(fileargs_unwrap(NULL, NULL) == NULL && errno == EINVAL);
}

Test(fileargs, limits_once_and_wrap)
{
	SANDBOXED(limits_child, NULL);
}

/* A service channel with no limits yet; then raw limits. */
static cap_channel_t *
raw_chan(void)
{
	cap_channel_t *cas, *chan;

	SKIP_UNDER_VALGRIND();
	cas = cap_init();
	CHECK(cas != NULL);
	chan = cap_service_open(cas, "system.fileargs");
	CHECK(chan != NULL);
	cap_close(cas);
	capmode_enter();
	return (chan);
}

static int
raw_cmd(cap_channel_t *chan, const char *cmd, const char *name)
{
	nvlist_t *nvl;
	int error;

	nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_string(nvl, "cmd", cmd);
	if (name != NULL)
		nvlist_add_string(nvl, "name", name);
	nvl = cap_xfer_nvlist(chan, nvl);
	CHECK(nvl != NULL);
	error = (int)nvlist_get_number(nvl, "error");
	nvlist_destroy(nvl);
	return (error);
}

static void
malformed_child(void *arg)
{
	cap_channel_t *chan;
	nvlist_t *limits;

	chan = raw_chan();
	/* Before any limits nothing is allowed. */
	CHECK(raw_cmd(chan, "open", "a") == ENOTCAPABLE);
	CHECK(raw_cmd(chan, "lstat", "a") == ENOTCAPABLE);
	/* Malformed limits are refused and do not count as the one set. */
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "operations", FA_OPEN);
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), EINVAL);
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), EINVAL);
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDWR | O_CREAT);
	nvlist_add_number(limits, "operations", FA_OPEN);
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), EINVAL);	/* no mode */
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", 0x100);
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), EINVAL);
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", FA_OPEN);
	nvlist_add_string(limits, "a", "not a null entry");
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), EINVAL);
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", FA_OPEN);
	nvlist_add_binary(limits, "cap_rights", "short", 5);
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), EINVAL);
	/* Good limits: the names given, nothing else. */
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", FA_OPEN | FA_LSTAT);
	nvlist_add_null(limits, "a");
	CHECK(cap_limit_set(chan, limits) == 0);
	CHECK(raw_cmd(chan, "open", "a") == 0);
	CHECK(raw_cmd(chan, "lstat", "a") == 0);
	CHECK(raw_cmd(chan, "realpath", "a") == ENOTCAPABLE);
	CHECK(raw_cmd(chan, "open", NULL) == EINVAL);
	CHECK(raw_cmd(chan, "unlink", "a") == EINVAL);
	cap_close(chan);
}

Test(fileargs, malformed_limits_and_requests)
{
	SANDBOXED(malformed_child, NULL);
}

static void
initnv_child(void *arg)
{
	fileargs_t *fa;
	nvlist_t *limits;
	int fd;

	SKIP_UNDER_VALGRIND();
	/* fileargs_initnv starts its own Casper. */
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", FA_OPEN);
	nvlist_add_null(limits, "b");
	fa = fileargs_initnv(limits);
	CHECK(fa != NULL);
	/* fileargs_init likewise. */
	{
		char *argv[] = { "a" };
		fileargs_t *fa2;

		fa2 = fileargs_init(1, argv, O_RDONLY, 0, NULL, FA_OPEN);
		CHECK(fa2 != NULL);
		capmode_enter();
		fd = fileargs_open(fa2, "a");
		CHECK(fd >= 0);
		close(fd);
		CHECK_LIBC_ERR(fileargs_open(fa2, "b"), ENOTCAPABLE);
		fileargs_free(fa2);
	}
	fd = fileargs_open(fa, "b");
	CHECK(fd >= 0);
	readall(fd, "bravo!\n");
	close(fd);
	CHECK_LIBC_ERR(fileargs_open(fa, "a"), ENOTCAPABLE);
	fileargs_free(fa);
	/* No flags: refused before any service is involved. */
	limits = nvlist_create(0);
	CHECK(fileargs_cinitnv(NULL, limits) == NULL && errno == EINVAL);
	limits = nvlist_create(0);
	nvlist_add_number(limits, "operations", FA_OPEN);
	CHECK(fileargs_initnv(limits) == NULL);
	CHECK(fileargs_cinit(NULL, -1, NULL, O_RDONLY, 0, NULL, 0) == NULL &&
	    errno == EINVAL);
}

Test(fileargs, init_initnv_cinitnv)
{
	SANDBOXED(initnv_child, NULL);
}

/*
 * The sandbox the service enters when its limits arrive, applied to this
 * process as the framework and the service apply it (baseline, then the
 * service's limit function): only the named files, as the flags allow.
 */
static void
sandbox_child(void *arg)
{
	const struct casper_service *svc;
	char *const argv[] = { "true", NULL };
	nvlist_t *limits;
	long fd;

	SKIP_UNDER_VALGRIND();
	svc = casper_service_find("system.fileargs");
	CHECK(svc != NULL && svc->cs_limit != NULL);
	CHECK(casper_service_confine("system.fileargs") == 0);
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", FA_OPEN | FA_LSTAT);
	nvlist_add_null(limits, "a");
	nvlist_add_null(limits, "sub/c");
	nvlist_add_null(limits, "missing");
	CHECK(svc->cs_limit(NULL, limits) == 0);
	nvlist_destroy(limits);

	CHECK_OK(fd = raw(SYS_openat, AT_FDCWD, "a", O_RDONLY));
	raw(SYS_close, fd);
	CHECK_OK(fd = raw(SYS_openat, AT_FDCWD, "sub/c", O_RDONLY));
	raw(SYS_close, fd);
	/* Read only, as the flags said. */
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "a", O_WRONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "a", O_RDONLY | O_TRUNC), EACCES);
	/* Other files of the tree and elsewhere. */
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "b", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "secret", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY), EACCES);
	CHECK(raw(SYS_openat, AT_FDCWD, "new", O_WRONLY | O_CREAT, 0600) < 0);
	CHECK(raw(SYS_openat, AT_FDCWD, "sub", O_RDONLY | O_DIRECTORY) < 0);
	/* No sockets, no exec. */
	CHECK(raw(SYS_socket, AF_INET, SOCK_STREAM, 0) < 0);
	CHECK(raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0) < 0);
	CHECK(raw(SYS_execve, "/bin/true", argv, NULL) < 0);
	/* Limits are set once. */
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", FA_OPEN);
	CHECK(svc->cs_limit(limits, limits) == ENOTCAPABLE);
	nvlist_destroy(limits);
	_exit(0);
}

Test(fileargs, sandbox_escapes)
{
	int st = run_child(sandbox_child, NULL);

	SKIP_IF_SKIPPED(st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* With O_CREAT the directory of a new name must allow creating it. */
static void
sandbox_create_child(void *arg)
{
	const struct casper_service *svc;
	nvlist_t *limits;
	long fd;

	SKIP_UNDER_VALGRIND();
	svc = casper_service_find("system.fileargs");
	CHECK(svc != NULL);
	CHECK(casper_service_confine("system.fileargs") == 0);
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_WRONLY | O_CREAT);
	nvlist_add_number(limits, "mode", 0600);
	nvlist_add_number(limits, "operations", FA_OPEN);
	nvlist_add_null(limits, "sub/new");
	CHECK(svc->cs_limit(NULL, limits) == 0);
	nvlist_destroy(limits);
	CHECK_OK(fd = raw(SYS_openat, AT_FDCWD, "sub/new",
	    O_WRONLY | O_CREAT, 0600));
	raw(SYS_close, fd);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "a", O_RDONLY), EACCES);
	CHECK(raw(SYS_openat, AT_FDCWD, "new", O_WRONLY | O_CREAT, 0600) < 0);
	_exit(0);
}

Test(fileargs, sandbox_create)
{
	int st = run_child(sandbox_create_child, NULL);

	unlink("sub/new");
	SKIP_IF_SKIPPED(st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * Prefetch.  The tree gets f0..f11; the names are listed in that order,
 * so the open of f0 asks the service, which opens f1..f8 ahead.
 */
#define	NPF	12

static char pfname[NPF][16];
static char *pfargv[NPF];

static void
pf_files(void)
{
	char text[32];
	int i;

	for (i = 0; i < NPF; i++) {
		snprintf(pfname[i], sizeof(pfname[i]), "f%d", i);
		snprintf(text, sizeof(text), "file %d\n", i);
		put(pfname[i], text);
		pfargv[i] = pfname[i];
	}
}

/*
 * The application's descriptors: below CASPER_LIBFD_MIN (libcapsicum keeps
 * its own above, and makes some when rights are first limited).
 */
static int
app_fds(void)
{
	int fd, n;

	for (n = 0, fd = 0; fd < CASPER_LIBFD_MIN; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return (n);
}

/*
 * app_fds() once the descriptors of the Casper process that pf_init
 * stopped are gone (libcapsicum's watcher closes them in the background).
 */
static int
app_fds_settled(void)
{
	int i, n;

	n = app_fds();
	for (i = 0; i < 100; i++) {
		usleep(10000);
		if (app_fds() == n)
			break;
		n = app_fds();
	}
	return (n);
}

static void
pf_unlink(void)
{
	int i;

	for (i = 0; i < NPF; i++)
		unlink(pfname[i]);
	unlink("fifo");
}

static fileargs_t *
pf_init(int argc, char **argv, int flags, cap_rights_t *rights)
{
	cap_channel_t *cas;
	fileargs_t *fa;

	SKIP_UNDER_VALGRIND();
	cas = cap_init();
	CHECK(cas != NULL);
	fa = fileargs_cinit(cas, argc, argv, flags, 0, rights, FA_OPEN);
	CHECK(fa != NULL);
	cap_close(cas);
	return (fa);
}

static void
prefetch_child(void *arg)
{
	char *argv2[] = { "f10", "f11", "f0" };
	cap_rights_t rights, got, want;
	fileargs_t *fa;
	int base, fd, fds[NPF], i, uncached_fl, uncached_fd;
	char text[32];

	/*
	 * Descriptor accounting outside capability mode (libcapsicum renumbers
	 * descriptors there).  Cached descriptors nobody asked for are closed
	 * by fileargs_free.
	 */
	base = app_fds_settled();
	fa = pf_init(3, argv2, O_RDONLY, NULL);
	(void)app_fds_settled();
	fd = fileargs_open(fa, "f10");
	CHECK(fd >= 0);
	CHECK(app_fds() == base + 1 + 1 + 2);	/* channel, f10, f11, f0 */
	close(fd);
	fileargs_free(fa);
	CHECK(app_fds() == base);

	fa = pf_init(NPF, pfargv, O_RDONLY, cap_rights_init(&rights, CAP_READ,
	    CAP_FSTAT, CAP_FCNTL));
	base = app_fds_settled();
	fds[0] = fileargs_open(fa, "f0");
	CHECK(fds[0] >= 0);
	/* f0 and the eight names after it. */
	CHECK(app_fds() == base + 1 + 8);
	uncached_fl = fcntl(fds[0], F_GETFL);
	uncached_fd = fcntl(fds[0], F_GETFD);
	/*
	 * Gone from the file system: an open that asked the service now
	 * would fail, so f1..f8 can only come from the cache, and f9 must
	 * ask (and get the real error).
	 */
	for (i = 1; i <= 9; i++)
		CHECK(unlink(pfname[i]) == 0);
	cap_rights_init(&want, CAP_READ, CAP_FSTAT, CAP_FCNTL);
	for (i = 1; i <= 8; i++) {
		if (i == 5) {
			/* Taking them from the cache opens nothing. */
			CHECK(app_fds() == base + 1 + 8);
			capmode_enter();
		}
		fds[i] = fileargs_open(fa, pfname[i]);
		CHECK(fds[i] >= 0);
		snprintf(text, sizeof(text), "file %d\n", i);
		readall(fds[i], text);
		/* Exactly what an uncached open gives. */
		CHECK(cap_rights_get(fds[i], &got) == 0);
		CHECK(cap_rights_contains(&want, &got) &&
		    cap_rights_contains(&got, &want));
		/* (Rights are enforced from capability mode on.) */
		if (i >= 5)
			CHECK_LIBC_ERR(write(fds[i], "x", 1), ENOTCAPABLE);
		CHECK(fcntl(fds[i], F_GETFL) == uncached_fl);
		CHECK(fcntl(fds[i], F_GETFD) == uncached_fd);
	}
	CHECK_LIBC_ERR(fileargs_open(fa, "f9"), ENOENT);
	/* A name taken from the cache once is asked for again. */
	CHECK_LIBC_ERR(fileargs_open(fa, "f1"), ENOENT);
	for (i = 0; i <= 8; i++)
		close(fds[i]);
	fileargs_free(fa);
}

Test(fileargs, prefetch_serves_later_opens)
{
	pf_files();
	SANDBOXED(prefetch_child, NULL);
	pf_unlink();
}

static void
prefetch_errors_child(void *arg)
{
	char *argv[] = { "a", "missing", "fifo", "sub", "b", "a", "link" };
	fileargs_t *fa;
	struct stat st;
	int base, fd, fd2;

	fa = pf_init(7, argv, O_RDONLY, NULL);
	base = app_fds_settled();
	fd = fileargs_open(fa, "a");
	CHECK(fd >= 0);
	/* b, a and link (a regular file behind a symbolic link) ahead. */
	CHECK(app_fds() == base + 1 + 3);
	/* Nobody opened the FIFO for reading: a writer finds no reader. */
	CHECK_LIBC_ERR(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);
	/* Names that were not opened ahead ask, and get the real result. */
	CHECK_LIBC_ERR(fileargs_open(fa, "missing"), ENOENT);
	/* That miss dropped the cache (b, a, link) and opened nothing. */
	CHECK(app_fds() == base + 1);
	capmode_enter();
	fd2 = fileargs_open(fa, "sub");
	CHECK(fd2 >= 0 && fstat(fd2, &st) == 0 && S_ISDIR(st.st_mode));
	close(fd2);
	/* A listed name twice: two opens, two descriptors. */
	fd2 = fileargs_open(fa, "a");
	CHECK(fd2 >= 0 && fd2 != fd);
	readall(fd2, "alpha\n");
	readall(fd, "alpha\n");
	close(fd2);
	close(fd);
	CHECK_LIBC_ERR(fileargs_open(fa, "secret"), ENOTCAPABLE);
	fileargs_free(fa);
}

Test(fileargs, prefetch_errors_as_uncached)
{
	cr_assert_eq(mkfifo("fifo", 0600), 0);
	SANDBOXED(prefetch_errors_child, NULL);
	unlink("fifo");
}

static void
prefetch_notrunc_child(void *arg)
{
	char *argv[] = { "out", "a", "b" };
	cap_rights_t rights;
	fileargs_t *fa;
	struct stat st;
	int base, fd;

	put("out", "x");
	fa = pf_init(3, argv, O_WRONLY | O_TRUNC, cap_rights_init(&rights,
	    CAP_WRITE, CAP_FSTAT));
	base = app_fds_settled();
	fd = fileargs_open(fa, "out");
	CHECK(fd >= 0);
	/* Nothing opened ahead, nothing truncated ahead. */
	CHECK(app_fds() == base + 1);
	CHECK(stat("a", &st) == 0 && st.st_size == 6);
	close(fd);
	capmode_enter();
	fd = fileargs_open(fa, "a");
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
	close(fd);
	fileargs_free(fa);
}

Test(fileargs, prefetch_never_truncates_or_creates_ahead)
{
	SANDBOXED(prefetch_notrunc_child, NULL);
}

/*
 * At the descriptor limit the prefetched descriptors cannot be received:
 * the open still succeeds as it would uncached, nothing leaks, and later
 * opens simply ask the service.
 */
static void
prefetch_emfile_child(void *arg)
{
	struct rlimit rl;
	fileargs_t *fa;
	int fill[1024], nfill, maxfd, fd, base, i;

	fa = pf_init(NPF, pfargv, O_RDONLY, NULL);
	base = app_fds_settled();
	for (maxfd = 0, i = 0; i < 1024; i++)
		if (fcntl(i, F_GETFD) >= 0)
			maxfd = i;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = (rlim_t)maxfd + 3;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	for (nfill = 0; nfill < 1024 && (fd = dup(0)) >= 0; )
		fill[nfill++] = fd;
	CHECK(errno == EMFILE && nfill > 0);
	close(fill[--nfill]);		/* room for exactly one */
	/* (Not in capability mode: entering it needs descriptors.) */
	fd = fileargs_open(fa, "f0");
	CHECK(fd >= 0);
	readall(fd, "file 0\n");
	close(fd);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	CHECK(app_fds() == base);
	/* Prefetch is off now; every open asks and works. */
	for (i = 1; i < NPF; i++) {
		char text[32];

		fd = fileargs_open(fa, pfname[i]);
		CHECK(fd >= 0);
		snprintf(text, sizeof(text), "file %d\n", i);
		readall(fd, text);
		CHECK(app_fds() == base + 1);
		close(fd);
	}
	fileargs_free(fa);
}

Test(fileargs, prefetch_at_the_descriptor_limit)
{
	pf_files();
	SANDBOXED(prefetch_emfile_child, NULL);
	pf_unlink();
}

/* The request's "cache" is hostile input like the rest. */
static void
prefetch_raw_child(void *arg)
{
	cap_channel_t *chan;
	nvlist_t *limits, *nvl, *cache;
	void *cookie;
	int i, n, type;

	chan = raw_chan();
	limits = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(limits, "flags", O_RDONLY);
	nvlist_add_number(limits, "operations", FA_OPEN);
	for (i = 0; i < NPF; i++)
		nvlist_add_null(limits, pfname[i]);
	CHECK(cap_limit_set(chan, limits) == 0);
	/* Not a number: EINVAL, nothing opened. */
	nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_string(nvl, "cmd", "open");
	nvlist_add_string(nvl, "name", "f0");
	nvlist_add_string(nvl, "cache", "many");
	nvl = cap_xfer_nvlist(chan, nvl);
	CHECK(nvl != NULL && nvlist_get_number(nvl, "error") == EINVAL);
	CHECK(!nvlist_exists(nvl, "fd") && !nvlist_exists(nvl, "cache"));
	nvlist_destroy(nvl);
	/* A huge count is FA_CACHE_SIZE (8). */
	nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_string(nvl, "cmd", "open");
	nvlist_add_string(nvl, "name", "f0");
	nvlist_add_number(nvl, "cache", UINT64_MAX);
	nvl = cap_xfer_nvlist(chan, nvl);
	CHECK(nvl != NULL && nvlist_get_number(nvl, "error") == 0);
	CHECK(nvlist_exists_descriptor(nvl, "fd"));
	CHECK(nvlist_get_number(nvl, "cache") == 8);
	CHECK(!nvlist_exists(nvl, CASPER_REPLY_TRAILER));
	nvlist_destroy(nvl);
	cache = cap_recv_nvlist(chan);
	CHECK(cache != NULL);
	n = 0;
	cookie = NULL;
	while (nvlist_next(cache, &type, &cookie) != NULL) {
		CHECK(type == NV_TYPE_DESCRIPTOR);
		CHECK(strcmp(cnvlist_name(cookie), pfname[n + 1]) == 0);
		n++;
	}
	CHECK(n == 8);
	nvlist_destroy(cache);
	/* Without "cache" (an old client): no trailer. */
	CHECK(raw_cmd(chan, "open", "f10") == 0);
	/* cache 0 likewise; the channel is still in step. */
	nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_string(nvl, "cmd", "open");
	nvlist_add_string(nvl, "name", "f11");
	nvlist_add_number(nvl, "cache", 0);
	nvl = cap_xfer_nvlist(chan, nvl);
	CHECK(nvl != NULL && nvlist_get_number(nvl, "error") == 0);
	CHECK(!nvlist_exists(nvl, "cache"));
	nvlist_destroy(nvl);
	CHECK(raw_cmd(chan, "open", "f11") == 0);
	cap_close(chan);
}

Test(fileargs, prefetch_hostile_requests)
{
	pf_files();
	SANDBOXED(prefetch_raw_child, NULL);
	pf_unlink();
}
