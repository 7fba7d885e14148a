/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Rights of descriptors limited before cap_enter(), enforced by the
 * kernel from then on: every missing right refused with ENOTCAPABLE when
 * reached through raw system calls, limits not bypassed through dup,
 * close and reuse, high argument bits, or another thread; limits set
 * after cap_enter() take effect at once.
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <linux/close_range.h>

#include <sys/capsicum.h>
#include <capsicum_helpers.h>

#include "harness.h"

static void
enter(void)
{

	capmode_enter();
}

static int
scratch_file(int flags)
{
	char path[] = "/tmp/capsicum-enforce.XXXXXX";
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "0123456789", 10) == 10);
	close(fd);
	fd = open(path, flags);
	CHECK(fd >= 0);
	unlink(path);
	return (fd);
}

static void
limit(int fd, cap_rights_t *r)
{

	CHECK(cap_rights_limit(fd, r) == 0);
}

/* ---------------------------------------------------------------------
 * A read-only descriptor.
 */
static void
read_only_file(void *arg)
{
	struct iovec iov = { "x", 1 };
	struct timespec ts[2] = { { 0, 0 }, { 0, 0 } };
	cap_rights_t r;
	struct stat st;
	char buf[16];
	int fd, p[2];
	loff_t off = 0;

	fd = scratch_file(O_RDWR);
	CHECK(pipe(p) == 0);
	cap_rights_init(&r, CAP_READ, CAP_SEEK, CAP_FSTAT);
	limit(fd, &r);
	enter();
	CHECK(raw(SYS_read, fd, buf, 2) == 2);
	CHECK(raw(SYS_pread64, fd, buf, 2, 4) == 2);
	CHECK(raw(SYS_lseek, fd, 0, SEEK_SET) == 0);
	CHECK_OK(raw(SYS_fstat, fd, &st));
	CHECK_OK(raw(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH));
	CHECK_OK(fstat(fd, &st));
	CHECK_ERR(raw(SYS_write, fd, "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_writev, fd, &iov, 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_pwrite64, fd, "x", 1, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_pwritev2, fd, &iov, 1, 0, 0, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ftruncate, fd, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fallocate, fd, 0, 0, 100), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmod, fd, 0777), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchown, fd, -1, -1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fsync, fd), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fdatasync, fd), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_flock, fd, LOCK_EX), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fcntl, fd, F_GETFL), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fcntl, fd, F_SETLK, buf), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ioctl, fd, FIONREAD, buf), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fstatfs, fd, buf), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_utimensat, fd, NULL, ts, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fsetxattr, fd, "user.x", "y", 1, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fgetxattr, fd, "user.x", buf, sizeof(buf)),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_sendfile, fd, p[0], NULL, 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_copy_file_range, p[0], NULL, fd, &off, 1, 0),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_splice, p[0], NULL, fd, &off, 1, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, fd, "x", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_execveat, fd, "", NULL, NULL, AT_EMPTY_PATH),
	    ENOTCAPABLE);
	/* The kernel truncates descriptors to 32 bits; so does the check. */
	CHECK_ERR(raw(SYS_write, fd | (1ULL << 32), "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_write, fd | (0xffffffffULL << 32), "x", 1),
	    ENOTCAPABLE);
	/* Data moves the other way. */
	CHECK(raw(SYS_lseek, fd, 0, SEEK_SET) == 0);
	CHECK(raw(SYS_sendfile, p[1], fd, NULL, 3) == 3);
	/* libc reports the errno with its message. */
	CHECK_LIBC_ERR(write(fd, "x", 1), ENOTCAPABLE);
	CHECK(strcmp(strerror(ENOTCAPABLE), "Capabilities insufficient") == 0);
}

Test(rights, read_only_file)
{
	SANDBOXED(read_only_file, NULL);
}

/* lseek(fd, 0, SEEK_CUR) needs only CAP_SEEK_TELL. */
static void
seek_tell(void *arg)
{
	cap_rights_t r;
	int fd;

	fd = scratch_file(O_RDONLY);
	cap_rights_init(&r, CAP_READ, CAP_SEEK_TELL);
	limit(fd, &r);
	enter();
	CHECK(raw(SYS_lseek, fd, 0, SEEK_CUR) == 0);
	CHECK_ERR(raw(SYS_lseek, fd, 1, SEEK_CUR), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_lseek, fd, 0, SEEK_SET), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_lseek, fd, 0, SEEK_END), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_pread64, fd, &r, 1, 0), ENOTCAPABLE);
}

Test(rights, seek_tell_only_reports_position)
{
	SANDBOXED(seek_tell, NULL);
}

/* ---------------------------------------------------------------------
 * Duplicates keep the rights; nothing duplicates into a wider number.
 */
static void
dup_keeps_rights(void *arg)
{
	cap_rights_t r, got;
	int fd, d, d2, d3;

	fd = scratch_file(O_RDWR);
	cap_rights_init(&r, CAP_READ, CAP_FSTAT);
	limit(fd, &r);
	enter();
	d = (int)raw(SYS_dup, fd);
	CHECK(d >= 0 && d != fd);
	CHECK_ERR(raw(SYS_write, d, "x", 1), ENOTCAPABLE);
	CHECK(raw(SYS_pread64, d, &got, 1, 0) == -ENOTCAPABLE);
	CHECK(raw(SYS_read, d, &got, 1) == 1);
	CHECK(cap_rights_get(d, &got) == 0 && cap_rights_contains(&r, &got) &&
	    cap_rights_contains(&got, &r));
	d2 = (int)raw(SYS_fcntl, fd, F_DUPFD, 0);
	CHECK(d2 >= 0);
	CHECK_ERR(raw(SYS_write, d2, "x", 1), ENOTCAPABLE);
	d3 = (int)raw(SYS_fcntl, d, F_DUPFD_CLOEXEC, 0);
	CHECK(d3 >= 0 && raw(SYS_fcntl, d3, F_GETFD) == FD_CLOEXEC);
	CHECK_ERR(raw(SYS_write, d3, "x", 1), ENOTCAPABLE);
	/* dup2/dup3 onto an arbitrary number would shed the rights. */
	CHECK_ERR(raw(SYS_dup2, fd, 100), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_dup3, fd, 100, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_dup3, d, 100, O_CLOEXEC), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_dup2, fd, 100 | (1ULL << 32)), ENOTCAPABLE);
	CHECK(raw(SYS_fcntl, 100, F_GETFD) == -EBADF);
	/* libc's dup goes the same way. */
	int d4 = dup(fd);
	CHECK(d4 >= 0);
	CHECK_LIBC_ERR(write(d4, "x", 1), ENOTCAPABLE);
	CHECK_LIBC_ERR(dup2(fd, 101), ENOTCAPABLE);
}

Test(rights, dup_keeps_rights)
{
	SANDBOXED(dup_keeps_rights, NULL);
}

/* An unlimited descriptor duplicated onto a limited number is limited:
 * the number keeps its rules. */
static void
dup_onto_limited_number(void *arg)
{
	cap_rights_t r;
	int fd, p[2];

	fd = scratch_file(O_RDWR);
	cap_rights_init(&r, CAP_READ);
	limit(fd, &r);
	CHECK(pipe(p) == 0);
	enter();
	CHECK(raw(SYS_dup2, p[1], fd) == fd);
	CHECK_ERR(raw(SYS_write, fd, "x", 1), ENOTCAPABLE);
	CHECK(raw(SYS_write, p[1], "x", 1) == 1);
}

Test(rights, dup_onto_limited_number_is_limited)
{
	SANDBOXED(dup_onto_limited_number, NULL);
}

/* Closing a limited number parks a placeholder there: the number is
 * never handed to an unrelated new descriptor. */
static void
close_keeps_number(void *arg)
{
	cap_rights_t r;
	int fd, p[2], i, d;
	char c;

	fd = scratch_file(O_RDWR);
	cap_rights_init(&r, CAP_READ);
	limit(fd, &r);
	enter();
	d = (int)raw(SYS_dup, fd);
	CHECK(d >= 0);
	CHECK(raw(SYS_close, fd) == 0);
	CHECK(raw(SYS_read, fd, &c, 1) == -EBADF);
	CHECK(raw(SYS_close, fd) == -EBADF);
	CHECK(raw(SYS_close, d) == 0);
	CHECK(raw(SYS_read, d, &c, 1) == -EBADF);
	for (i = 0; i < 20; i++) {
		CHECK(pipe(p) == 0);
		CHECK(p[0] != fd && p[1] != fd && p[0] != d && p[1] != d);
	}
	/* The band slot freed by close is used again. */
	CHECK(raw(SYS_dup, 0) >= 0);
}

Test(rights, close_keeps_the_number_occupied)
{
	SANDBOXED(close_keeps_number, NULL);
}

static void
closefrom_in_capmode(void *arg)
{
	cap_rights_t r;
	int fd, p[2];
	char c;

	fd = scratch_file(O_RDWR);
	cap_rights_init(&r, CAP_READ);
	limit(fd, &r);
	CHECK(pipe(p) == 0);
	enter();
	CHECK(raw(SYS_close_range, 3, ~0U, 0) == 0);
	CHECK(raw(SYS_fcntl, p[0], F_GETFD) == -EBADF);
	CHECK(raw(SYS_read, fd, &c, 1) == -EBADF);
	/* The range may not hide a descriptor in the high word. */
	CHECK_ERR(raw(SYS_close_range, 1ULL << 32, 1ULL << 33, 0), ECAPMODE);
	/* Capability mode still holds: the bookkeeping survived. */
	CHECK_ERR(raw(SYS_write, fd, "x", 1), ENOTCAPABLE);
	CHECK(pipe(p) == 0 && p[0] != fd && p[1] != fd);
	CHECK(raw(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) == 0);
}

Test(rights, closefrom_keeps_limited_numbers)
{
	SANDBOXED(closefrom_in_capmode, NULL);
}

/* ---------------------------------------------------------------------
 * ioctl and fcntl limits.
 */
static void
ioctl_list(void *arg)
{
	struct winsize ws;
	struct termios t;
	int m, s, n;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	CHECK(s >= 0);
	CHECK(caph_limit_stream(s, CAPH_READ | CAPH_WRITE) == 0);
	enter();
	CHECK_OK(raw(SYS_ioctl, s, TCGETS, &t));
	CHECK_OK(raw(SYS_ioctl, s, TIOCGWINSZ, &ws));
	CHECK_OK(raw(SYS_ioctl, s, FIONREAD, &n));
	CHECK(isatty(s));
	CHECK_ERR(raw(SYS_ioctl, s, TIOCSWINSZ, &ws), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ioctl, s, TCSETS, &t), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ioctl, s, FIONBIO, &n), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ioctl, s, TIOCSWINSZ | (1ULL << 40), &ws),
	    ENOTCAPABLE);
	/* High bits are truncated by the kernel: still TCGETS. */
	CHECK_OK(raw(SYS_ioctl, s, TCGETS | (1ULL << 40), &t));
	/* The master is not limited. */
	CHECK_OK(raw(SYS_ioctl, m, TIOCSWINSZ, &ws));
	/* fcntl: only F_GETFL of the limitable commands. */
	CHECK(raw(SYS_fcntl, s, F_GETFL) >= 0);
	CHECK_ERR(raw(SYS_fcntl, s, F_SETFL, O_NONBLOCK), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fcntl, s, F_GETOWN), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fcntl, s, F_SETOWN, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fcntl, s, F_SETSIG, 0), ENOTCAPABLE);
	CHECK(raw(SYS_fcntl, s, F_GETFD) >= 0);
	CHECK(raw(SYS_fcntl, s, F_SETFD, FD_CLOEXEC) == 0);
}

Test(rights, ioctl_and_fcntl_limits)
{
	SANDBOXED(ioctl_list, NULL);
}

static void
empty_ioctl_list(void *arg)
{
	int n, fd;

	fd = scratch_file(O_RDONLY);
	CHECK(cap_ioctls_limit(fd, NULL, 0) == 0);
	enter();
	CHECK_ERR(raw(SYS_ioctl, fd, FIONREAD, &n), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ioctl, fd, FIOCLEX, 0), ENOTCAPABLE);
}

Test(rights, empty_ioctl_list_allows_none)
{
	SANDBOXED(empty_ioctl_list, NULL);
}

/* ---------------------------------------------------------------------
 * mmap.
 */
static void
mmap_rights(void *arg)
{
	cap_rights_t r;
	int rw, ro;

	rw = scratch_file(O_RDWR);
	ro = scratch_file(O_RDONLY);
	cap_rights_init(&r, CAP_MMAP_R);
	limit(rw, &r);
	limit(ro, &r);
	enter();
	CHECK(raw(SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, rw, 0) > 0);
	CHECK(raw(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE,
	    rw, 0) > 0);
	CHECK_ERR(raw(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
	    rw, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE,
	    rw, 0), ENOTCAPABLE);
	/* A shared mapping of a writable open file could be made writable
	 * later with mprotect(), which names no descriptor. */
	CHECK_ERR(raw(SYS_mmap, NULL, 4096, PROT_READ, MAP_SHARED, rw, 0),
	    ENOTCAPABLE);
	/* A read-only open file cannot be: fine. */
	CHECK(raw(SYS_mmap, NULL, 4096, PROT_READ, MAP_SHARED, ro, 0) > 0);
	/* Anonymous memory is not about descriptors. */
	CHECK(raw(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, rw, 0) > 0);
}

Test(rights, mmap)
{
	SANDBOXED(mmap_rights, NULL);
}

/* ---------------------------------------------------------------------
 * Directories.
 */
struct dirs {
	char	*path;
};

/* fn, sandboxed, on a fresh temporary directory removed after. */
#define	IN_TMPDIR(fn) do {						\
	struct dirs d_ = { test_tmpdir() };				\
	SANDBOXED(fn, &d_);						\
	test_rmtree(d_.path);						\
	free(d_.path);							\
} while (0)

static void
read_only_directory(void *arg)
{
	struct dirs *d = arg;
	cap_rights_t r;
	int dir, sub, f;

	dir = open(d->path, O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	cap_rights_init(&r, CAP_LOOKUP, CAP_READ, CAP_FSTAT, CAP_SEEK);
	limit(dir, &r);
	enter();
	f = (int)raw(SYS_openat, dir, "file", O_RDONLY);
	CHECK(f >= 0);
	CHECK_ERR(raw(SYS_openat, dir, "file", O_WRONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "file", O_RDWR), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "new", O_RDONLY | O_CREAT, 0600),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "file", O_RDONLY | O_TRUNC),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, ".", O_RDONLY | O_TMPFILE, 0600),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "file", O_WRONLY | (1ULL << 40)),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_mkdirat, dir, "d", 0700), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_unlinkat, dir, "file", 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_renameat, dir, "file", dir, "f2"), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_linkat, dir, "file", dir, "f3", 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_symlinkat, "file", dir, "s"), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_mknodat, dir, "p", S_IFIFO | 0600, 0), ENOTCAPABLE);
	/* A subdirectory opened through it gets no more: the broker gives
	 * it the directory's rights (tests/escape has the details). */
	sub = (int)raw(SYS_openat, dir, "sub", O_RDONLY | O_DIRECTORY);
	CHECK(sub >= 0);
	CHECK_ERR(raw(SYS_mkdirat, sub, "d", 0700), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, sub, "x", O_WRONLY | O_CREAT, 0600),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_unlinkat, sub, "inner", 0), ENOTCAPABLE);
	CHECK(raw(SYS_openat, sub, "inner", O_RDONLY) >= 0);
	/* Escapes by path: the broker resolves beneath the directory, and
	 * answers as FreeBSD does. */
	CHECK_ERR(raw(SYS_openat, dir, "../../../etc/passwd", O_RDONLY),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "/etc/passwd", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "link-out", O_RDONLY), ENOTCAPABLE);
}

Test(rights, read_only_directory)
{
	struct dirs d;
	char p[512];
	int fd;

	d.path = test_tmpdir();
	snprintf(p, sizeof(p), "%s/file", d.path);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/sub", d.path);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sub/inner", d.path);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/link-out", d.path);
	cr_assert_eq(symlink("/etc/passwd", p), 0);
	SANDBOXED(read_only_directory, &d);
	test_rmtree(d.path);
	free(d.path);
}

static void
directory_without_lookup(void *arg)
{
	struct dirs *d = arg;
	cap_rights_t r;
	char buf[256];
	int dir;

	dir = open(d->path, O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	cap_rights_init(&r, CAP_READ, CAP_FSTAT);
	limit(dir, &r);
	enter();
	CHECK_ERR(raw(SYS_openat, dir, "file", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "file", O_PATH), ENOTCAPABLE);
	CHECK(raw(SYS_getdents64, dir, buf, sizeof(buf)) > 0);
}

Test(rights, directory_without_lookup)
{
	struct dirs d;
	char p[512];
	int fd;

	d.path = test_tmpdir();
	snprintf(p, sizeof(p), "%s/file", d.path);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	SANDBOXED(directory_without_lookup, &d);
	test_rmtree(d.path);
	free(d.path);
}

/* ---------------------------------------------------------------------
 * Sockets.
 */
static void
socket_rights(void *arg)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	cap_rights_t r;
	int sv[2], one = 1;
	char c;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	cap_rights_init(&r, CAP_RECV, CAP_GETSOCKOPT);
	limit(sv[0], &r);
	enter();
	CHECK(raw(SYS_write, sv[1], "ab", 2) == 2);
	CHECK(raw(SYS_recvfrom, sv[0], &c, 1, 0, NULL, NULL) == 1);
	CHECK(raw(SYS_read, sv[0], &c, 1) == 1);
	CHECK_ERR(raw(SYS_sendto, sv[0], "x", 1, 0, NULL, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_write, sv[0], "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_sendmsg, sv[0], NULL, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_setsockopt, sv[0], SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_getsockname, sv[0], &a, &len), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_getpeername, sv[0], &a, &len), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_shutdown, sv[0], SHUT_RDWR), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_listen, sv[0], 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_accept4, sv[0], NULL, NULL, 0), ENOTCAPABLE);
	len = sizeof(one);
	CHECK_OK(raw(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, &one, &len));
}

Test(rights, socket)
{
	SANDBOXED(socket_rights, NULL);
}

/* accept on a held listening socket works in capability mode and gives
 * the listener's rights; a listener without CAP_ACCEPT refuses. */
static void
accept_on_held_listener(void *arg)
{
	struct dirs *d = arg;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	cap_rights_t r;
	int l, l2, c, s;
	pid_t pid;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/sock", d->path);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0 && bind(l, (void *)&a, sizeof(a)) == 0 &&
	    listen(l, 4) == 0);
	l2 = dup(l);
	cap_rights_init(&r, CAP_ACCEPT, CAP_EVENT, CAP_READ);
	limit(l, &r);
	cap_rights_init(&r, CAP_EVENT);
	limit(l2, &r);
	pid = fork();
	if (pid == 0) {
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (void *)&a, sizeof(a)) != 0)
			_exit(1);
		(void)write(c, "hi", 2);
		sleep(1);
		_exit(0);
	}
	enter();
	CHECK_ERR(raw(SYS_accept4, l2, NULL, NULL, 0), ENOTCAPABLE);
	s = (int)raw(SYS_accept4, l, NULL, NULL, SOCK_CLOEXEC);
	CHECK(s >= 0);
	char buf[2];
	CHECK(raw(SYS_read, s, buf, 2) == 2 && buf[0] == 'h');
	/* The connection has the listener's rights (tests/escape). */
	CHECK_ERR(raw(SYS_write, s, "x", 1), ENOTCAPABLE);
}

Test(rights, accept_on_held_listening_socket)
{

	IN_TMPDIR(accept_on_held_listener);
}

/* ---------------------------------------------------------------------
 * Limits set in capability mode.
 */
static void
limit_after_cap_enter(void *arg)
{
	cap_rights_t r, got;
	struct cap_enforcement ce;
	int p[2], d;
	char c;

	enter();
	CHECK(pipe(p) == 0);
	cap_rights_init(&r, CAP_WRITE, CAP_FSTAT);
	CHECK(cap_rights_limit(p[1], &r) == 0);
	CHECK(cap_rights_get(p[1], &got) == 0 && cap_rights_contains(&r, &got));
	CHECK(raw(SYS_write, p[1], "x", 1) == 1);
	CHECK(raw(SYS_read, p[0], &c, 1) == 1);
	cap_rights_init(&r, CAP_FSTAT);
	CHECK(cap_rights_limit(p[1], &r) == 0);
	CHECK_ERR(raw(SYS_write, p[1], "x", 1), ENOTCAPABLE);
	cap_rights_init(&r, CAP_FSTAT, CAP_WRITE);
	CHECK_LIBC_ERR(cap_rights_limit(p[1], &r), ENOTCAPABLE);
	d = (int)raw(SYS_dup, p[1]);
	CHECK(d >= 0);
	CHECK_ERR(raw(SYS_write, d, "x", 1), ENOTCAPABLE);
	CHECK(cap_ioctls_limit(p[0], NULL, 0) == 0);
	CHECK_ERR(raw(SYS_ioctl, p[0], FIONREAD, &d), ENOTCAPABLE);
	CHECK(cap_fcntls_limit(p[0], 0) == 0);
	CHECK_ERR(raw(SYS_fcntl, p[0], F_GETFL), ENOTCAPABLE);
	CHECK(cap_enforcement(&ce) == 0 && ce.ce_filters >= 4);
	CHECK(raw(SYS_close, p[1]) == 0);
	CHECK(pipe(p) == 0);
}

Test(rights, limits_set_in_capability_mode)
{
	SANDBOXED(limit_after_cap_enter, NULL);
}

/* ---------------------------------------------------------------------
 * Threads and children.
 */
static int race_fd;
static volatile int race_stop, race_go;

static void *
race_dup(void *arg)
{

	/* Before cap_enter a raw dup is trusted code and unlimited. */
	while (!race_go)
		sched_yield();
	while (!race_stop) {
		long d = raw(SYS_dup, race_fd);

		if (d >= 0) {
			if (raw(SYS_write, d, "x", 1) != -ENOTCAPABLE)
				_exit(7);
			raw(SYS_close, d);
		}
		if (raw(SYS_write, race_fd, "x", 1) != -ENOTCAPABLE)
			_exit(8);
	}
	return (NULL);
}

static void
threads_race(void *arg)
{
	pthread_t t[4];
	cap_rights_t r;
	int i;

	race_fd = scratch_file(O_RDWR);
	cap_rights_init(&r, CAP_READ);
	limit(race_fd, &r);
	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, race_dup, NULL) == 0);
	enter();
	race_go = 1;
	usleep(200000);
	race_stop = 1;
	for (i = 0; i < 4; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
}

Test(rights, threads_racing_dup_and_close, .timeout = 30)
{
	SANDBOXED(threads_race, NULL);
}

static void
child_keeps_limits(void *arg)
{
	cap_rights_t r;
	int fd, p[2];
	long res;
	pid_t pid;

	fd = scratch_file(O_RDWR);
	cap_rights_init(&r, CAP_READ);
	limit(fd, &r);
	CHECK(pipe(p) == 0);
	enter();
	pid = fork();
	if (pid == 0) {
		res = raw(SYS_write, fd, "x", 1);
		(void)write(p[1], &res, sizeof(res));
		_exit(0);
	}
	CHECK(read(p[0], &res, sizeof(res)) == sizeof(res));
	CHECK(res == -ENOTCAPABLE);
}

Test(rights, forked_children_keep_limits)
{
	SANDBOXED(child_keeps_limits, NULL);
}

/* ---------------------------------------------------------------------
 * exec: fexecve of a held, static program; it stays in capability mode
 * and its library knows the limits.
 */
static void
fexecve_keeps_mode_and_limits(void *arg)
{
	const char *helper = arg;
	char *argv[] = { "rights_report", "m", "150", NULL };
	cap_rights_t r;
	int fd, exe;

	fd = scratch_file(O_RDWR);
	CHECK(dup2(fd, 150) == 150);
	cap_rights_init(&r, CAP_READ, CAP_FSTAT);
	limit(150, &r);
	exe = open(helper, O_RDONLY | O_CLOEXEC);
	CHECK(exe >= 0);
	enter();
	fexecve(exe, argv, environ);
	dprintf(2, "fexecve: %s\n", strerror(errno));
	_exit(9);
}

Test(rights, fexecve_keeps_mode_and_limits)
{
	const char *helper = test_helper("rights_report");
	char out[512];
	int p[2], saved;
	pid_t pid;

	cr_assert_eq(pipe(p), 0);
	saved = dup(1);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		fexecve_keeps_mode_and_limits((void *)helper);
	}
	close(p[1]);
	child_output(pid, p[0], out, sizeof(out));
	cr_assert_str_eq(out, "mode 1\nfd 150: 0x0200000000080001 "
	    "0x0400000000000000 fcntls 0x0 ioctls 0\n");
	close(p[0]);
	close(saved);
}

/* ---------------------------------------------------------------------
 * A writable directory capability: create, write, rename, link, unlink,
 * mkdir, rmdir, symlink and list inside it.
 */
static void
writable_directory(void *arg)
{
	struct dirs *d = arg;
	struct dirent *de;
	cap_rights_t r;
	DIR *dir;
	char buf[8];
	int dfd, f, sub, seen;

	dfd = open(d->path, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	cap_rights_init(&r, CAP_LOOKUP, CAP_READ, CAP_WRITE, CAP_CREATE,
	    CAP_SEEK, CAP_FSTAT, CAP_FTRUNCATE, CAP_UNLINKAT, CAP_MKDIRAT,
	    CAP_RENAMEAT_SOURCE, CAP_RENAMEAT_TARGET, CAP_LINKAT_SOURCE,
	    CAP_LINKAT_TARGET, CAP_SYMLINKAT, CAP_FCNTL);
	limit(dfd, &r);
	enter();
	f = (int)raw(SYS_openat, dfd, "new", O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(f >= 0);
	CHECK(raw(SYS_write, f, "hello", 5) == 5);
	CHECK(raw(SYS_close, f) == 0);
	CHECK_OK(raw(SYS_renameat, dfd, "new", dfd, "renamed"));
	CHECK_OK(raw(SYS_linkat, dfd, "renamed", dfd, "hard", 0));
	CHECK_OK(raw(SYS_symlinkat, "renamed", dfd, "soft"));
	CHECK_OK(raw(SYS_mkdirat, dfd, "sub", 0700));
	sub = (int)raw(SYS_openat, dfd, "sub", O_RDONLY | O_DIRECTORY);
	CHECK(sub >= 0);
	CHECK_OK(raw(SYS_renameat, dfd, "hard", sub, "moved"));
	f = (int)raw(SYS_openat, sub, "moved", O_RDONLY);
	CHECK(f >= 0 && raw(SYS_read, f, buf, 5) == 5 &&
	    memcmp(buf, "hello", 5) == 0);
	f = (int)raw(SYS_openat, dfd, "soft", O_RDONLY);
	CHECK(f >= 0 && raw(SYS_read, f, buf, 5) == 5);
	CHECK_OK(raw(SYS_unlinkat, sub, "moved", 0));
	CHECK_OK(raw(SYS_unlinkat, dfd, "sub", AT_REMOVEDIR));
	CHECK_OK(raw(SYS_unlinkat, dfd, "soft", 0));
	/* fdopendir and readdir on a duplicate of the capability. */
	dir = fdopendir(dup(dfd));
	CHECK(dir != NULL);
	seen = 0;
	while ((de = readdir(dir)) != NULL)
		seen += strcmp(de->d_name, "renamed") == 0;
	CHECK(seen == 1);
	closedir(dir);
	CHECK_OK(raw(SYS_unlinkat, dfd, "renamed", 0));
	/* Still confined: nothing above it.  The broker opens beneath the
	 * directory only (FreeBSD's ENOTCAPABLE); other calls by path are
	 * Landlock's to stop. */
	CHECK_ERR(raw(SYS_openat, dfd, "../escape", O_WRONLY | O_CREAT, 0600),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_mkdirat, dfd, "../escape", 0700), EACCES);
}

Test(rights, writable_directory_capability)
{

	IN_TMPDIR(writable_directory);
}

/*
 * A descriptor above 255 at cap_enter(): the quick probe of the list
 * (poll over 0..255) misses it, so the library reads /proc/self/fd.  The
 * directory there must get its Landlock rule, and the bands must start
 * above it.
 */
static void
high_numbers(void *arg)
{
	struct dirs *d = arg;
	cap_rights_t r;
	int top, dfd, f, p[2], dup1;

	top = open(d->path, O_RDONLY | O_DIRECTORY);
	CHECK(top >= 0 && mkdirat(top, "in", 0700) == 0);
	f = openat(top, "outside", O_WRONLY | O_CREAT, 0600);
	CHECK(f >= 0 && close(f) == 0);
	f = openat(top, "in/file", O_WRONLY | O_CREAT, 0600);
	CHECK(f >= 0 && close(f) == 0);
	dfd = openat(top, "in", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && dup2(dfd, 300) == 300 && close(dfd) == 0);
	CHECK(close(top) == 0);
	CHECK(pipe(p) == 0);
	cap_rights_init(&r, CAP_READ, CAP_FCNTL);
	limit(p[0], &r);
	enter();
	f = (int)raw(SYS_openat, 300, "file", O_RDONLY);
	CHECK(f >= 0);
	/* Unlimited, so opened through directly: Landlock refuses what is
	 * not beneath it. */
	CHECK_ERR(raw(SYS_openat, 300, "../outside", O_RDONLY), EACCES);
	dup1 = (int)raw(SYS_fcntl, p[0], F_DUPFD, 0);
	CHECK(dup1 > 300);
	CHECK_ERR(raw(SYS_write, dup1, "x", 1), ENOTCAPABLE);
}

Test(rights, descriptors_above_255_at_cap_enter)
{

	IN_TMPDIR(high_numbers);
}
