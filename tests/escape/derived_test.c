/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Descriptors opened through a limited directory after cap_enter (issue 6):
 * the broker opens them beneath the directory and places them in its
 * derived band, so they carry exactly the directory's rights, enforced by
 * the kernel.  Every attempt to get more goes through raw system calls.
 *
 * The tree each test works on:
 *   f            "hello"
 *   sub/g        "inner"
 *   sub/back  -> ../f            (a symlink that stays beneath)
 *   abs       -> /etc/passwd     (escapes)
 *   up        -> ..              (escapes)
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <sys/capsicum.h>
#include <sys/procdesc.h>

#include "harness.h"
#include "escape/tree.h"

static char *
tree_new(void)
{
	char *d = test_tmpdir();

	tree_file(d, "f", "hello");
	tree_mkdir(d, "sub");
	tree_file(d, "sub/g", "inner");
	tree_symlink(d, "sub/back", "../f");
	tree_symlink(d, "abs", "/etc/passwd");
	tree_symlink(d, "up", "..");
	tree_open_to_all(d);
	return (d);
}

#define	IN_TREE(fn)	IN_TREE_OF(tree_new, fn, 20)

/* The directory, opened and limited to rights r (CAP_* list). */
#define	LIMITED_DIR(root, ...) limited_dir((root),			\
	cap_rights_init(&(cap_rights_t){ { 0 } }, __VA_ARGS__))

static int
limited_dir(const char *root, const cap_rights_t *r)
{
	int fd;

	SKIP_UNDER_VALGRIND();
	fd = open(root, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK(cap_rights_limit(fd, r) == 0);
	return (fd);
}

static bool
same_rights(int a, int b)
{
	cap_rights_t ra, rb;

	CHECK(cap_rights_get(a, &ra) == 0 && cap_rights_get(b, &rb) == 0);
	return (cap_rights_contains(&ra, &rb) && cap_rights_contains(&rb, &ra));
}

/* ---------------------------------------------------------------------
 * Rights of the new descriptor.
 */
static void
read_only(void *arg)
{
	struct cap_enforcement ce;
	struct stat st;
	char buf[8];
	int dir, fd;
	void *p;

	dir = LIMITED_DIR(arg, CAP_LOOKUP, CAP_READ, CAP_FSTAT, CAP_SEEK);
	capmode_enter();
	CHECK(cap_enforcement(&ce) == 0);
	CHECK((ce.ce_active & CAP_LAYER_BROKER) != 0 && ce.ce_missing == 0);
	CHECK(ce.ce_filters == 3);
	fd = (int)raw(SYS_openat, dir, "f", O_RDONLY);
	CHECK(fd >= 0);
	memset(buf, 0, sizeof(buf));
	CHECK(raw(SYS_read, fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK_OK(raw(SYS_lseek, fd, 0, SEEK_SET));
	CHECK_OK(raw(SYS_fstat, fd, &st));
	CHECK(same_rights(fd, dir));
	/* Everything the directory lacks. */
	CHECK_ERR(raw(SYS_write, fd, "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_pwrite64, fd, "x", 1, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ftruncate, fd, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmod, fd, 0777), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchown, fd, 0, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fsync, fd), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_flock, fd, 1), ENOTCAPABLE);
	p = (void *)raw(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK((long)p == -ENOTCAPABLE);
	/* A copy keeps them. */
	CHECK_ERR(raw(SYS_write, (int)raw(SYS_dup, fd), "x", 1), ENOTCAPABLE);
	/* Opening for writing was never possible. */
	CHECK_ERR(raw(SYS_openat, dir, "f", O_WRONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "f", O_RDWR), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "new", O_RDONLY | O_CREAT, 0644),
	    ENOTCAPABLE);
}

Test(derived, read_only_directory_gives_read_only_files)
{
	IN_TREE(read_only);
}

static void
read_write(void *arg)
{
	char buf[8];
	int dir, fd;

	dir = LIMITED_DIR(arg, CAP_LOOKUP, CAP_READ, CAP_WRITE, CAP_SEEK,
	    CAP_CREATE, CAP_FSTAT);
	capmode_enter();
	fd = (int)raw(SYS_openat, dir, "new", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(raw(SYS_write, fd, "abc", 3) == 3);
	CHECK_OK(raw(SYS_lseek, fd, 0, SEEK_SET));
	CHECK(raw(SYS_read, fd, buf, 3) == 3 && memcmp(buf, "abc", 3) == 0);
	CHECK(same_rights(fd, dir));
	CHECK_ERR(raw(SYS_ftruncate, fd, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmod, fd, 0777), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "new", O_RDWR | O_CREAT | O_EXCL, 0600),
	    EEXIST);
}

Test(derived, created_files_get_the_directory_rights)
{
	IN_TREE(read_write);
}

/*
 * A subdirectory opened through a read-only directory cannot be used to
 * change the tree, even while another descriptor with more rights reaches
 * the same tree.
 */
static void
sub_of_read_only(void *arg)
{
	int dir, rw, sub, fd;
	char buf[8];

	dir = LIMITED_DIR(arg, CAP_LOOKUP, CAP_READ, CAP_FSTAT);
	rw = open(arg, O_RDONLY | O_DIRECTORY);
	CHECK(rw >= 0);
	capmode_enter();
	sub = (int)raw(SYS_openat, dir, "sub", O_RDONLY | O_DIRECTORY);
	CHECK(sub >= 0);
	CHECK(same_rights(sub, dir));
	CHECK_ERR(raw(SYS_mkdirat, sub, "x", 0755), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_unlinkat, sub, "g", 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_renameat, sub, "g", sub, "h"), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_renameat, sub, "g", rw, "h"), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_symlinkat, "g", sub, "l"), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_linkat, sub, "g", sub, "l", 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, sub, "n", O_WRONLY | O_CREAT, 0644),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmodat, sub, "g", 0777), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_utimensat, sub, "g", NULL, 0), ENOTCAPABLE);
	/* Reading through it works, and so does a chain. */
	fd = (int)raw(SYS_openat, sub, "g", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(raw(SYS_read, fd, buf, 5) == 5 && memcmp(buf, "inner", 5) == 0);
	CHECK(same_rights(fd, dir));
	CHECK_ERR(raw(SYS_write, fd, "x", 1), ENOTCAPABLE);
	/* The unlimited descriptor still may. */
	CHECK_OK(raw(SYS_mkdirat, rw, "sub/x", 0755));
}

Test(derived, subdirectory_of_read_only_directory_is_read_only)
{
	IN_TREE(sub_of_read_only);
}

/* ---------------------------------------------------------------------
 * Lookups: FreeBSD's rules, ENOTCAPABLE for anything leaving the
 * directory.
 */
static void
lookups(void *arg)
{
	char magic[64];
	int dir, fd;

	dir = LIMITED_DIR(arg, CAP_LOOKUP, CAP_READ, CAP_FSTAT);
	capmode_enter();
	CHECK_ERR(raw(SYS_openat, dir, "/etc/passwd", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "/", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "..", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "../etc", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "sub/../../f", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "abs", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, dir, "up/f", O_RDONLY), ENOTCAPABLE);
	snprintf(magic, sizeof(magic), "/proc/self/fd/%d", dir);
	CHECK_ERR(raw(SYS_openat, dir, magic, O_RDONLY), ENOTCAPABLE);
	/* ".." that stays beneath, and symlinks that do, are fine. */
	CHECK_OK(fd = (int)raw(SYS_openat, dir, "sub/../f", O_RDONLY));
	CHECK_OK(raw(SYS_openat, dir, ".", O_RDONLY | O_DIRECTORY));
	CHECK_OK(raw(SYS_openat, dir, "sub/back", O_RDONLY));
	CHECK_ERR(raw(SYS_openat, dir, "missing", O_RDONLY), ENOENT);
	CHECK_ERR(raw(SYS_openat, dir, "f/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(raw(SYS_openat, dir, (char *)8, O_RDONLY), EFAULT);
	(void)fd;
}

Test(derived, lookups_stay_beneath)
{
	IN_TREE(lookups);
}

/* ---------------------------------------------------------------------
 * Descriptor numbers.
 */
static void
numbers(void *arg)
{
	int dir, fds[100], i, n, plain;
	char c;

	dir = LIMITED_DIR(arg, CAP_LOOKUP, CAP_READ, CAP_FSTAT, CAP_FCNTL);
	plain = open(arg, O_RDONLY | O_DIRECTORY);
	CHECK(plain >= 0);
	capmode_enter();
	/* Closing gives the slot back: libc's close() (libcapsicum parks
	 * the number itself) and the raw call (which traps). */
	for (i = 0; i < 300; i++) {
		fds[0] = (int)raw(SYS_openat, dir, "f", O_RDONLY);
		CHECK(fds[0] >= 0);
		if (i % 2 == 0)
			CHECK(close(fds[0]) == 0);
		else
			CHECK_OK(raw(SYS_close, fds[0]));
		CHECK_ERR(raw(SYS_read, fds[0], &c, 1), EBADF);
		CHECK(close(fds[0]) == -1 && errno == EBADF);
	}
	/* 48 at once per profile (a derived band of 16 and one of 32),
	 * each in the family's block of 64 after the dup band, then
	 * EMFILE. */
	for (n = 0; n < 100; n++) {
		fds[n] = (int)raw(SYS_openat, dir, "f", O_RDONLY);
		if (fds[n] < 0)
			break;
		CHECK(fds[n] >= 256 && (fds[n] & 63) >= 16);
		CHECK((fds[n] & ~63) == (fds[0] & ~63));
		CHECK_ERR(raw(SYS_fchmod, fds[n], 0600), ENOTCAPABLE);
	}
	CHECK(n == 48 && fds[n] == -EMFILE);
	CHECK(close(fds[7]) == 0);
	CHECK(close(fds[40]) == 0);
	CHECK_OK(fds[40] = (int)raw(SYS_openat, dir, "f", O_RDONLY));
	CHECK_OK(fds[7] = (int)raw(SYS_openat, dir, "f", O_RDONLY));
	for (i = 0; i < n; i++)
		CHECK(close(fds[i]) == 0);
	/* O_CLOEXEC is honoured. */
	fds[0] = (int)raw(SYS_openat, dir, "f", O_RDONLY | O_CLOEXEC);
	fds[1] = (int)raw(SYS_openat, dir, "f", O_RDONLY);
	CHECK(fds[0] >= 0 && fds[1] >= 0);
	CHECK(raw(SYS_fcntl, fds[0], F_GETFD) == FD_CLOEXEC);
	CHECK(raw(SYS_fcntl, fds[1], F_GETFD) == 0);
	/* An unlimited directory is not brokered: ordinary numbers,
	 * full rights. */
	fds[2] = (int)raw(SYS_openat, plain, "f", O_RDONLY);
	CHECK(fds[2] >= 0 && fds[2] < 64);
}

Test(derived, numbers_are_reused_and_bounded)
{
	IN_TREE(numbers);
}

struct opener {
	int	dir;
	int	failures;
};

static void *
open_many(void *arg)
{
	struct opener *o = arg;
	int i, fd;

	for (i = 0; i < 200; i++) {
		fd = (int)raw(SYS_openat, o->dir, "sub/g", O_RDONLY);
		if (fd < 0 || raw(SYS_write, fd, "x", 1) != -ENOTCAPABLE)
			o->failures++;
		if (fd >= 0)
			close(fd);
	}
	return (NULL);
}

static void
threads_and_forks(void *arg)
{
	struct opener o[4];
	pthread_t t[4];
	int dir, i, fd, st, pd;
	pid_t pid;

	dir = LIMITED_DIR(arg, CAP_LOOKUP, CAP_READ, CAP_FSTAT);
	capmode_enter();
	for (i = 0; i < 4; i++) {
		o[i].dir = dir;
		o[i].failures = 0;
		CHECK(pthread_create(&t[i], NULL, open_many, &o[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		CHECK(pthread_join(t[i], NULL) == 0);
		CHECK(o[i].failures == 0);
	}
	/* A child of the sandbox uses the same broker with its own
	 * descriptor table. */
	fd = (int)raw(SYS_openat, dir, "f", O_RDONLY);
	CHECK(fd >= 0);
	pid = pdfork(&pd, 0);
	CHECK(pid >= 0);
	if (pid == 0) {
		int cfd = (int)raw(SYS_openat, dir, "sub/g", O_RDONLY);

		_exit(cfd >= 0 && raw(SYS_write, cfd, "x", 1) ==
		    -ENOTCAPABLE && raw(SYS_write, fd, "x", 1) ==
		    -ENOTCAPABLE ? 0 : 1);
	}
	CHECK(pdwait4(pd, &st, 0, NULL) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

Test(derived, threads_and_children)
{
	IN_TREE(threads_and_forks);
}

/* ---------------------------------------------------------------------
 * The broker process itself: confined by its own filter, gone with the
 * sandbox.
 */
static pid_t
find_broker(pid_t parent, char *status, size_t size)
{
	char path[300], buf[4096], *p;
	struct dirent *de;
	DIR *d;
	pid_t found = 0;
	FILE *f;
	size_t n;

	if ((d = opendir("/proc")) == NULL)
		return (0);
	while (found == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (strncmp(buf, "Name:\tcapsicum-broker\n", 22) != 0 ||
		    (p = strstr(buf, "\nPPid:\t")) == NULL ||
		    atoi(p + 7) != parent)
			continue;
		found = atoi(de->d_name);
		snprintf(status, size, "%s", buf);
	}
	closedir(d);
	return (found);
}

Test(broker, confined_and_gone_with_the_sandbox)
{
	char status[4096], *root;
	int go[2], ready[2], dir, i;
	pid_t pid, broker;
	char c;

	if (getenv("CAPSICUM_TEST_VALGRIND") != NULL)
		cr_skip_test("no seccomp under valgrind");
	root = tree_new();
	cr_assert(pipe(go) == 0 && pipe(ready) == 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dir = limited_dir(root, cap_rights_init(&(cap_rights_t){ { 0 } },
		    CAP_LOOKUP, CAP_READ));
		capmode_enter();
		(void)dir;
		(void)write(ready[1], "r", 1);
		(void)read(go[0], &c, 1);
		_exit(0);
	}
	cr_assert(read(ready[0], &c, 1) == 1);
	broker = find_broker(pid, status, sizeof(status));
	cr_assert(broker > 0, "no broker process under %d", (int)pid);
	cr_assert(strstr(status, "\nSeccomp:\t2\n") != NULL);
	cr_assert(strstr(status, "\nNoNewPrivs:\t1\n") != NULL);
	cr_assert(write(go[1], "g", 1) == 1);
	cr_assert(waitpid(pid, NULL, 0) == pid);
	for (i = 0; i < 200 && kill(broker, 0) == 0; i++)
		usleep(10000);
	cr_assert(kill(broker, 0) == -1 && errno == ESRCH,
	    "broker %d outlived its sandbox", (int)broker);
	test_rmtree(root);
	free(root);
}

/* ---------------------------------------------------------------------
 * A directory received after cap_enter, from a process outside the
 * sandbox: usable for lookups beneath it, nothing more.
 */
static int
recv_one_fd(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr msg;
	int fd;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = buf;
	msg.msg_controllen = sizeof(buf);
	if (recvmsg(sock, &msg, 0) != 1 || CMSG_FIRSTHDR(&msg) == NULL)
		return (-1);
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	return (fd);
}

static void
send_one_fd(int sock, int fd)
{
	char buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "d", 1 };
	struct msghdr msg;
	struct cmsghdr *c;

	memset(&msg, 0, sizeof(msg));
	memset(buf, 0, sizeof(buf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = buf;
	msg.msg_controllen = sizeof(buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	CHECK(sendmsg(sock, &msg, 0) == 1);
}

/*
 * A second tree, outside everything the sandbox holds, with a file x
 * ("other"), and a process that sends a descriptor of it when poked ("g"
 * on the socket returned) and removes the tree once the sandbox is gone.
 */
static int
giver_of_other_tree(void)
{
	char other[] = "/tmp/capsicum-recv.XXXXXX", p[128], c;
	int sv[2], fd;
	pid_t giver;

	CHECK(mkdtemp(other) != NULL);
	snprintf(p, sizeof(p), "%s/x", other);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && write(fd, "other", 5) == 5);
	close(fd);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	giver = fork();
	CHECK(giver >= 0);
	if (giver == 0) {
		close(sv[0]);
		(void)read(sv[1], &c, 1);
		send_one_fd(sv[1], open(other, O_RDONLY | O_DIRECTORY));
		while (read(sv[1], &c, 1) > 0)
			;
		unlink(p);
		rmdir(other);
		_exit(0);
	}
	close(sv[1]);
	return (sv[0]);
}

static void
received_directory(void *arg)
{
	char buf[8];
	struct stat st;
	int giver, held, got, fd, dup_held;

	SKIP_UNDER_VALGRIND();
	giver = giver_of_other_tree();
	held = open(arg, O_RDONLY | O_DIRECTORY);
	CHECK(held >= 0);
	capmode_enter();
	CHECK(write(giver, "g", 1) == 1);
	got = recv_one_fd(giver);
	CHECK(got >= 0);
	fd = (int)raw(SYS_openat, got, "x", O_RDONLY);
	CHECK(fd >= 0);
	memset(buf, 0, sizeof(buf));
	CHECK(raw(SYS_read, fd, buf, 5) == 5 && memcmp(buf, "other", 5) == 0);
	CHECK_OK(raw(SYS_newfstatat, got, "x", &st, 0));
	CHECK_ERR(raw(SYS_openat, got, "../", O_RDONLY), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_openat, got, "/etc/passwd", O_RDONLY), ENOTCAPABLE);
	/* The held directory itself goes straight to the kernel; a copy
	 * of it is brokered, with the same answers. */
	CHECK_OK(raw(SYS_openat, held, "f", O_RDONLY));
	dup_held = (int)raw(SYS_dup, held);
	CHECK(dup_held >= 0);
	CHECK_OK(raw(SYS_openat, dup_held, "f", O_RDONLY));
	CHECK_ERR(raw(SYS_openat, dup_held, "/etc/passwd", O_RDONLY),
	    ENOTCAPABLE);
	/* The sandbox may create nothing there by itself. */
	CHECK(raw(SYS_mkdirat, got, "new", 0700) < 0);
}

Test(derived, directory_received_after_cap_enter)
{
	IN_TREE(received_directory);
}

/*
 * The broker keeps copies of the directories it is asked about; a copy
 * must never answer for a number that now holds something else: a closed
 * limited directory (its placeholder), or another directory received into
 * a number that a closed one had.
 */
static void
directory_numbers_reused(void *arg)
{
	int giver, dir, held, copy, got, fd;

	SKIP_UNDER_VALGRIND();
	giver = giver_of_other_tree();
	dir = LIMITED_DIR(arg, CAP_LOOKUP, CAP_READ, CAP_FSTAT);
	held = open(arg, O_RDONLY | O_DIRECTORY);
	CHECK(held >= 0);
	capmode_enter();
	/* A limited directory, used, then closed: nothing through it. */
	CHECK_OK(fd = (int)raw(SYS_openat, dir, "f", O_RDONLY));
	close(fd);
	CHECK_OK(raw(SYS_close, dir));
	CHECK(raw(SYS_openat, dir, "f", O_RDONLY) < 0);
	CHECK(raw(SYS_openat, dir, ".", O_RDONLY) < 0);
	/* A copy of the held directory (brokered), used, closed; the next
	 * directory received takes its number. */
	CHECK_OK(copy = (int)raw(SYS_dup, held));
	CHECK_OK(fd = (int)raw(SYS_openat, copy, "f", O_RDONLY));
	close(fd);
	CHECK_OK(raw(SYS_close, copy));
	CHECK(write(giver, "g", 1) == 1);
	got = recv_one_fd(giver);
	CHECK(got == copy);
	CHECK_ERR(raw(SYS_openat, got, "f", O_RDONLY), ENOENT);
	CHECK_OK(fd = (int)raw(SYS_openat, got, "x", O_RDONLY));
	close(fd);
}

Test(derived, directory_numbers_reused)
{
	IN_TREE(directory_numbers_reused);
}
