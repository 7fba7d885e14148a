/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cap_rights_limit, cap_ioctls_limit, cap_fcntls_limit and their getters,
 * outside capability mode: FreeBSD's argument checks and errno order,
 * limits only shrink, and limits follow the descriptor through dup, dup2,
 * dup3, F_DUPFD, fork and exec.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <sys/capsicum.h>

#include "harness.h"

static int
new_fd(void)
{
	int fd = open("/dev/null", O_RDWR);

	cr_assert_geq(fd, 0);
	return (fd);
}

static void
assert_rights(int fd, const cap_rights_t *want)
{
	cap_rights_t got;

	cr_assert_eq(cap_rights_get(fd, &got), 0, "cap_rights_get(%d): %s",
	    fd, strerror(errno));
	cr_assert(cap_rights_contains(&got, want) &&
	    cap_rights_contains(want, &got), "fd %d: rights differ", fd);
}

Test(cap_rights_get, new_descriptor_has_all)
{
	cap_rights_t all;
	uint32_t fcntls;
	int fd = new_fd();

	CAP_ALL(&all);
	assert_rights(fd, &all);
	cr_assert_eq(cap_fcntls_get(fd, &fcntls), 0);
	cr_assert_eq(fcntls, CAP_FCNTL_ALL);
	cr_assert_eq(cap_ioctls_get(fd, NULL, 0), CAP_IOCTLS_ALL);
	close(fd);
}

Test(cap_rights_limit, narrows_and_reports)
{
	cap_rights_t r;
	int fd = new_fd();

	cap_rights_init(&r, CAP_READ, CAP_FSTAT);
	cr_assert_eq(cap_rights_limit(fd, &r), 0);
	assert_rights(fd, &r);
	close(fd);
}

Test(cap_rights_limit, widening_is_enotcapable)
{
	cap_rights_t r;
	int fd = new_fd();

	cap_rights_init(&r, CAP_READ);
	cr_assert_eq(cap_rights_limit(fd, &r), 0);
	cap_rights_init(&r, CAP_READ, CAP_WRITE);
	cr_assert_eq(cap_rights_limit(fd, &r), -1);
	cr_assert_eq(errno, ENOTCAPABLE);
	cap_rights_init(&r, CAP_READ);
	assert_rights(fd, &r);
	/* The same rights again are not a widening. */
	cr_assert_eq(cap_rights_limit(fd, &r), 0);
	close(fd);
}

Test(cap_rights_limit, errors)
{
	cap_rights_t r;
	int fd = new_fd();

	cap_rights_init(&r, CAP_READ);
	cr_assert_eq(cap_rights_limit(-1, &r), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(cap_rights_limit(1000, &r), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(cap_rights_limit(fd, NULL), -1);
	cr_assert_eq(errno, EFAULT);
	/* Malformed rights: EINVAL, checked before the descriptor. */
	memset(&r, 0, sizeof(r));
	cr_assert_eq(cap_rights_limit(-1, &r), -1);
	cr_assert_eq(errno, EINVAL);
	cap_rights_init(&r, CAP_READ);
	r.cr_rights[0] |= CAP_UNUSED0_57;
	cr_assert_eq(cap_rights_limit(fd, &r), -1);
	cr_assert_eq(errno, EINVAL);
	close(fd);
}

Test(cap_rights_get, errors)
{
	cap_rights_t r;

	cr_assert_eq(cap_rights_get(-1, &r), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(cap_rights_get(0, NULL), -1);
	cr_assert_eq(errno, EFAULT);
	cr_assert_eq(__cap_rights_get(1, 0, &r), -1);
	cr_assert_eq(errno, EINVAL);
}

Test(cap_rights_limit, dropping_fcntl_and_ioctl_empties_their_limits)
{
	cap_rights_t r;
	cap_ioctl_t cmds[4];
	uint32_t fcntls;
	int fd = new_fd();

	cap_rights_init(&r, CAP_READ);
	cr_assert_eq(cap_rights_limit(fd, &r), 0);
	cr_assert_eq(cap_fcntls_get(fd, &fcntls), 0);
	cr_assert_eq(fcntls, 0);
	cr_assert_eq(cap_ioctls_get(fd, cmds, 4), 0);
	close(fd);
}

Test(cap_ioctls_limit, narrows_sorted_and_counts)
{
	cap_ioctl_t set[] = { TIOCGWINSZ, FIONREAD, TCGETS, TCGETS };
	cap_ioctl_t got[8];
	cap_ioctl_t one = FIONREAD;
	ssize_t n;
	int fd = new_fd();

	cr_assert_eq(cap_ioctls_limit(fd, set, 4), 0);
	n = cap_ioctls_get(fd, got, 8);
	cr_assert_eq(n, 3, "duplicates are folded");
	/* maxcmds smaller than the list: total count, partial copy. */
	memset(got, 0, sizeof(got));
	cr_assert_eq(cap_ioctls_get(fd, got, 1), 3);
	cr_assert_neq(got[0], 0);
	cr_assert_eq(got[1], 0);
	cr_assert_eq(cap_ioctls_get(fd, NULL, 0), 3);
	/* Narrowing works; widening is refused. */
	cr_assert_eq(cap_ioctls_limit(fd, &one, 1), 0);
	cr_assert_eq(cap_ioctls_limit(fd, set, 3), -1);
	cr_assert_eq(errno, ENOTCAPABLE);
	cr_assert_eq(cap_ioctls_get(fd, got, 8), 1);
	cr_assert_eq(got[0], FIONREAD);
	/* Empty list: nothing allowed; still not widenable. */
	cr_assert_eq(cap_ioctls_limit(fd, NULL, 0), 0);
	cr_assert_eq(cap_ioctls_get(fd, got, 8), 0);
	cr_assert_eq(cap_ioctls_limit(fd, &one, 1), -1);
	cr_assert_eq(errno, ENOTCAPABLE);
	close(fd);
}

Test(cap_ioctls_limit, errors)
{
	cap_ioctl_t big[CAP_IOCTLS_MAX + 1];
	cap_ioctl_t one = FIONREAD;
	int fd = new_fd();

	memset(big, 0, sizeof(big));
	cr_assert_eq(cap_ioctls_limit(fd, big, CAP_IOCTLS_MAX + 1), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(cap_ioctls_limit(-1, big, CAP_IOCTLS_MAX + 1), -1);
	cr_assert_eq(errno, EINVAL, "EINVAL is checked before EBADF");
	cr_assert_eq(cap_ioctls_limit(-1, &one, 1), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(cap_ioctls_limit(fd, NULL, 2), -1);
	cr_assert_eq(errno, EFAULT);
	cr_assert_eq(cap_ioctls_get(-1, NULL, 0), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(cap_ioctls_get(fd, NULL, 3), -1);
	cr_assert_eq(errno, EFAULT);
	/* The full 256 entries are accepted. */
	for (unsigned i = 0; i < CAP_IOCTLS_MAX; i++)
		big[i] = 0x1000 + i;
	cr_assert_eq(cap_ioctls_limit(fd, big, CAP_IOCTLS_MAX), 0);
	cr_assert_eq(cap_ioctls_get(fd, NULL, 0), CAP_IOCTLS_MAX);
	close(fd);
}

Test(cap_ioctls_limit, without_cap_ioctl_only_empty)
{
	cap_rights_t r;
	cap_ioctl_t one = FIONREAD;
	int fd = new_fd();

	cap_rights_init(&r, CAP_READ);
	cr_assert_eq(cap_rights_limit(fd, &r), 0);
	cr_assert_eq(cap_ioctls_limit(fd, &one, 1), -1);
	cr_assert_eq(errno, ENOTCAPABLE);
	cr_assert_eq(cap_ioctls_limit(fd, NULL, 0), 0);
	close(fd);
}

Test(cap_fcntls_limit, narrows_only)
{
	uint32_t f;
	int fd = new_fd();

	cr_assert_eq(cap_fcntls_limit(fd, CAP_FCNTL_GETFL | CAP_FCNTL_SETFL),
	    0);
	cr_assert_eq(cap_fcntls_get(fd, &f), 0);
	cr_assert_eq(f, CAP_FCNTL_GETFL | CAP_FCNTL_SETFL);
	cr_assert_eq(cap_fcntls_limit(fd, CAP_FCNTL_ALL), -1);
	cr_assert_eq(errno, ENOTCAPABLE);
	cr_assert_eq(cap_fcntls_limit(fd, CAP_FCNTL_GETFL), 0);
	cr_assert_eq(cap_fcntls_limit(fd, 0), 0);
	cr_assert_eq(cap_fcntls_get(fd, &f), 0);
	cr_assert_eq(f, 0);
	close(fd);
}

Test(cap_fcntls_limit, errors)
{
	uint32_t f;
	int fd = new_fd();

	cr_assert_eq(cap_fcntls_limit(fd, 1U << 30), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(cap_fcntls_limit(-1, 1U << 30), -1);
	cr_assert_eq(errno, EINVAL, "EINVAL is checked before EBADF");
	cr_assert_eq(cap_fcntls_limit(-1, CAP_FCNTL_GETFL), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(cap_fcntls_get(-1, &f), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(cap_fcntls_get(fd, NULL), -1);
	cr_assert_eq(errno, EFAULT);
	close(fd);
}

static void
limited_pair(int *fd, cap_rights_t *r)
{

	*fd = new_fd();
	cap_rights_init(r, CAP_READ, CAP_FSTAT);
	cr_assert_eq(cap_rights_limit(*fd, r), 0);
	cr_assert_eq(cap_fcntls_limit(*fd, 0), 0);
}

Test(limits_follow, dup_dup2_dup3_fdupfd)
{
	cap_rights_t r, all;
	uint32_t f;
	int fd, d1, d2, d3, d4, d5;

	limited_pair(&fd, &r);
	d1 = dup(fd);
	d2 = dup2(fd, 40);
	d3 = dup3(fd, 41, O_CLOEXEC);
	d4 = fcntl(fd, F_DUPFD, 50);
	d5 = fcntl(fd, F_DUPFD_CLOEXEC, 60);
	cr_assert(d1 >= 0 && d2 == 40 && d3 == 41 && d4 >= 50 && d5 >= 60);
	assert_rights(d1, &r);
	assert_rights(d2, &r);
	assert_rights(d3, &r);
	assert_rights(d4, &r);
	assert_rights(d5, &r);
	cr_assert_eq(cap_fcntls_get(d4, &f), 0);
	cr_assert_eq(f, 0);
	/* dup2 of an unlimited descriptor over a limited number. */
	int u = new_fd();
	cr_assert_eq(dup2(u, d2), d2);
	CAP_ALL(&all);
	assert_rights(d2, &all);
	close(fd); close(d1); close(d2); close(d3); close(d4); close(d5);
	close(u);
}

Test(limits_follow, close_forgets_the_number)
{
	cap_rights_t r, all;
	int fd, again;

	limited_pair(&fd, &r);
	close(fd);
	again = open("/dev/null", O_RDONLY);
	cr_assert_eq(again, fd, "the number is reused");
	CAP_ALL(&all);
	assert_rights(again, &all);
	close(again);
}

Test(limits_follow, stale_entry_for_another_file_is_ignored)
{
	cap_rights_t r, all;
	int fd, again;

	limited_pair(&fd, &r);
	/* Closed behind the library's back, reused for another file. */
	cr_assert_eq(raw(SYS_close, fd), 0);
	again = open("/proc/self/exe", O_RDONLY);
	cr_assert_eq(again, fd);
	CAP_ALL(&all);
	assert_rights(again, &all);
	close(again);
}

Test(limits_follow, close_range_and_closefrom)
{
	cap_rights_t r, all;
	int fd, again;

	limited_pair(&fd, &r);
	cr_assert_eq(dup2(fd, 90), 90);
	cr_assert_eq(close_range(90, 90, 0), 0);
	closefrom(fd);
	again = open("/dev/null", O_RDONLY);
	CAP_ALL(&all);
	assert_rights(again, &all);
	cr_assert_eq(dup2(again, 90), 90);
	assert_rights(90, &all);
	close(again);
	close(90);
}

static void
child_checks_rights(void *arg)
{
	cap_rights_t *r = arg, got;

	CHECK(cap_rights_get(107, &got) == 0);
	CHECK(cap_rights_contains(&got, r) && cap_rights_contains(r, &got));
}

Test(limits_follow, fork)
{
	cap_rights_t r;
	int fd;

	limited_pair(&fd, &r);
	cr_assert_eq(dup2(fd, 107), 107);
	SANDBOXED(child_checks_rights, &r);
	close(fd);
	close(107);
}

/* Across exec: a helper program reports the rights it sees. */
Test(limits_follow, exec)
{
	const char *helper = test_helper("rights_report");
	char out[256];
	cap_rights_t r;
	int fd, p[2];
	pid_t pid;

	limited_pair(&fd, &r);
	cr_assert_eq(dup2(fd, 109), 109);
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl(helper, "rights_report", "109", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	child_output(pid, p[0], out, sizeof(out));
	cr_assert_str_eq(out, "fd 109: 0x0200000000080001 0x0400000000000000 "
	    "fcntls 0x0 ioctls 0\n");
	close(p[0]);
	close(fd);
	close(109);
}

/* The record fork shares: a child's limits and cap_enter() go to a record
 * of its own, so the parent's stays as it was, and the child's own exec
 * still sees the child's limits. */
static size_t
read_record(char *buf, size_t size)
{
	const char *env = getenv("CAPSICUM_STATE_FD");
	ssize_t n;

	cr_assert_not_null(env, "no CAPSICUM_STATE_FD");
	n = pread(atoi(env), buf, size, 0);
	cr_assert_gt(n, 0);
	return ((size_t)n);
}

Test(limits_follow, fork_child_keeps_its_own_record)
{
	static char before[65536], after[65536];
	const char *helper = test_helper("rights_report");
	cap_rights_t r, w;
	size_t nb, na;
	char out[256];
	int fd, p[2], st;
	pid_t pid;

	limited_pair(&fd, &r);
	nb = read_record(before, sizeof(before));
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		int mine = open("/dev/null", O_RDWR);

		cap_rights_init(&w, CAP_WRITE);
		if (mine < 0 || dup2(mine, 111) != 111 ||
		    cap_rights_limit(111, &w) != 0)
			_exit(2);
		dup2(p[1], 1);
		execl(helper, "rights_report", "111", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	child_output(pid, p[0], out, sizeof(out));
	cr_assert_str_eq(out, "fd 111: 0x0200000000000002 0x0400000000000000 "
	    "fcntls 0x0 ioctls 0\n");
	na = read_record(after, sizeof(after));
	cr_assert_eq(na, nb);
	cr_assert_eq(memcmp(before, after, nb), 0,
	    "the child rewrote the parent's record");
	/* And a child in capability mode (pins, bands, layers) neither. */
	pid = fork();
	if (pid == 0) {
		setenv("CAPSICUM_QUIET", "1", 1);
		/* Under valgrind there is no seccomp: the failed
		 * cap_enter() must leave the record alone as well. */
		if (cap_enter() == 0 || (errno == ENOSYS &&
		    getenv("CAPSICUM_TEST_VALGRIND") != NULL))
			_exit(0);
		_exit(3);
	}
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	na = read_record(after, sizeof(after));
	cr_assert_eq(na, nb);
	cr_assert_eq(memcmp(before, after, nb), 0,
	    "cap_enter in a child rewrote the parent's record");
	close(p[0]);
	close(fd);
}

/* A program that reuses the record's number for a file of its own:
 * the library neither writes into that file nor closes it. */
Test(limits_follow, record_number_reused_by_the_program)
{
	char path[] = "/tmp/capsicum-recordXXXXXX", buf[16];
	cap_rights_t r;
	struct stat a, b;
	int fd, n, mine;

	limited_pair(&fd, &r);
	n = atoi(getenv("CAPSICUM_STATE_FD"));
	mine = mkstemp(path);
	cr_assert_geq(mine, 0);
	unlink(path);
	cr_assert_eq(write(mine, "keep", 4), 4);
	cr_assert_eq(dup2(mine, n), n);
	cr_assert_eq(fstat(n, &a), 0);
	/* The next save must go elsewhere. */
	cr_assert_eq(cap_rights_limit(fd, cap_rights_init(&r, CAP_READ)), 0);
	cr_assert_eq(fstat(n, &b), 0, "the program's descriptor was closed");
	cr_assert(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	cr_assert_eq(b.st_size, 4);
	cr_assert_eq(pread(n, buf, sizeof(buf), 0), 4);
	cr_assert_eq(memcmp(buf, "keep", 4), 0);
	cr_assert_neq(atoi(getenv("CAPSICUM_STATE_FD")), n);
	close(mine);
	close(n);
	close(fd);
}
