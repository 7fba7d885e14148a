/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helpers shared by every suite.
 *
 * Capability mode cannot be left, and Criterion's worker process has a
 * helper thread that blocks all signals; so every test that enters
 * capability mode does it in a forked child (fork copies only the calling
 * thread).  The child checks with CHECK*() macros, which print the failed
 * expression and _exit(1); the Criterion test asserts the child's status.
 * Children leave with _exit so that LeakSanitizer, which needs ptrace,
 * does not run inside the sandbox.
 *
 * raw() issues a system call with an inline `syscall` instruction and
 * returns the kernel's value (-errno on failure): enforcement tests must
 * not depend on libc (libcapsicum interposes some libc functions).
 */
#ifndef TESTS_HARNESS_H
#define	TESTS_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

static inline long
raw6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile ("syscall"
	    : "=a"(ret)
	    : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return (ret);
}

#define	RAW_(nr, a, b, c, d, e, f, ...) raw6((long)(nr), (long)(a), (long)(b), \
	(long)(c), (long)(d), (long)(e), (long)(f))
/* raw(SYS_x, args...): up to six arguments. */
#define	raw(...)	RAW_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

/* A 32-bit int system call through int $0x80 (ia32 entry point). */
static inline long
raw_ia32(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("int $0x80"
	    : "=a"(ret)
	    : "a"(nr), "b"(a), "c"(b), "d"(c)
	    : "memory");
	return (ret);
}

/* Checks inside a forked child. */
#define	CHECK(cond) do {						\
	if (!(cond)) {							\
		dprintf(2, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
		    #cond);						\
		_exit(1);						\
	}								\
} while (0)

/* A raw call must fail with this errno. */
#define	CHECK_ERR(expr, err) do {					\
	long r_ = (expr);						\
	if (r_ != -(long)(err)) {					\
		dprintf(2, "%s:%d: %s = %ld, want -%s (%d)\n", __FILE__,	\
		    __LINE__, #expr, r_, #err, (int)(err));		\
		_exit(1);						\
	}								\
} while (0)

/* A raw call must succeed (return >= 0). */
#define	CHECK_OK(expr) do {						\
	long r_ = (expr);						\
	if (r_ < 0) {							\
		dprintf(2, "%s:%d: %s = %ld (%s)\n", __FILE__, __LINE__,	\
		    #expr, r_, strerror((int)-r_));			\
		_exit(1);						\
	}								\
} while (0)

/* A libc call must fail with -1 and this errno. */
#define	CHECK_LIBC_ERR(expr, err) do {					\
	errno = 0;							\
	long r_ = (long)(expr);						\
	if (r_ != -1 || errno != (err)) {				\
		dprintf(2, "%s:%d: %s = %ld errno %d, want -1 errno %s\n",	\
		    __FILE__, __LINE__, #expr, r_, errno, #err);	\
		_exit(1);						\
	}								\
} while (0)

/*
 * Run fn(arg) in a forked child; return its wait status.  A child that
 * hangs is killed after `timeout` seconds.
 */
static inline int
run_child_timeout(void (*fn)(void *), void *arg, unsigned int timeout)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		cr_assert_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		alarm(timeout);
		fn(arg);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			cr_assert_fail("waitpid: %s", strerror(errno));
	}
	return (status);
}

static inline int
run_child(void (*fn)(void *), void *arg)
{

	return (run_child_timeout(fn, arg, 20));
}

/*
 * Under valgrind (mk/valgrind.sh sets CAPSICUM_TEST_VALGRIND) there is no
 * seccomp, so cap_enter() fails with ENOSYS; a child reports that with
 * exit status 77 and the test is skipped.  Anywhere else ENOSYS fails.
 */
#define	EXIT_SKIP	77

static inline void
capmode_enter(void)
{
	extern int cap_enter(void);

	if (cap_enter() == 0)
		return;
	if (errno == ENOSYS && getenv("CAPSICUM_TEST_VALGRIND") != NULL)
		_exit(EXIT_SKIP);
	dprintf(2, "cap_enter: %s\n", strerror(errno));
	_exit(3);
}

/* In a child whose test needs seccomp. */
#define	SKIP_UNDER_VALGRIND() do {					\
	if (getenv("CAPSICUM_TEST_VALGRIND") != NULL)			\
		_exit(EXIT_SKIP);					\
} while (0)

/* Where the helper programs of tests/bin are. */
static inline const char *
test_helper(const char *name)
{
	static char path[4096];
	const char *dir;
	ssize_t n;

	if ((dir = getenv("CAPSICUM_TESTBIN_DIR")) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		return (path);
	}
	n = readlink("/proc/self/exe", path, sizeof(path) - 64);
	if (n <= 0)
		return (name);
	path[n] = '\0';
	snprintf(strrchr(path, '/'), 64, "/../bin/%s", name);
	return (path);
}

#define	SKIP_IF_SKIPPED(st_) do {					\
	if (WIFEXITED(st_) && WEXITSTATUS(st_) == EXIT_SKIP)		\
		cr_skip_test("capability mode is not available here");	\
} while (0)

/*
 * What child pid wrote on fd (at most size - 1 bytes, NUL-terminated, read
 * once: the children write one line and exit).  Skipped if the child was;
 * it must have written something and exited 0.
 */
static inline void
child_output(pid_t pid, int fd, char *out, size_t size)
{
	ssize_t n;
	int st;

	n = read(fd, out, size - 1);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	SKIP_IF_SKIPPED(st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x",
	    st);
	cr_assert_gt(n, 0, "no output from the child");
	out[n] = '\0';
}

/* The child must exit 0. */
#define	SANDBOXED(fn, arg) do {						\
	int st_ = run_child((fn), (arg));				\
	SKIP_IF_SKIPPED(st_);						\
	cr_assert(WIFEXITED(st_) && WEXITSTATUS(st_) == 0,		\
	    "child %s: %s %d", #fn, WIFEXITED(st_) ? "exit" : "signal",	\
	    WIFEXITED(st_) ? WEXITSTATUS(st_) : WTERMSIG(st_));		\
} while (0)

/* The child must die of this signal. */
#define	SANDBOXED_SIGNAL(fn, arg, sig) do {				\
	int st_ = run_child((fn), (arg));				\
	SKIP_IF_SKIPPED(st_);						\
	cr_assert(WIFSIGNALED(st_) && WTERMSIG(st_) == (sig),		\
	    "child %s: %s %d, want signal %d", #fn,			\
	    WIFEXITED(st_) ? "exit" : "signal",				\
	    WIFEXITED(st_) ? WEXITSTATUS(st_) : WTERMSIG(st_), (sig));	\
} while (0)

/* A fresh private directory under /tmp, writable by whoever runs. */
static inline char *
test_tmpdir(void)
{
	char *d;

	d = strdup("/tmp/capsicum-test.XXXXXX");
	if (d == NULL || mkdtemp(d) == NULL)
		cr_assert_fail("mkdtemp: %s", strerror(errno));
	return (d);
}

/* Remove a test tree (best effort; used from the parent only). */
static inline void
test_rmtree(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

/* Count open descriptors (for leak checks). */
static inline int
count_fds(void)
{
	int fd, n;

	for (fd = 0, n = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	}
	return (n);
}

#endif /* !TESTS_HARNESS_H */
