/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the process-descriptor suites.
 *
 * Every test runs its body in a forked child (harness.h), so that the
 * library's per-process helpers (the reaper thread, the watchdog channel)
 * start fresh and capability mode can be entered.  Children the body makes
 * are observed through /proc: a process that is gone from /proc has been
 * reaped, so "gone" also proves that no zombie was left.
 */
#ifndef TESTS_PDTEST_H
#define	TESTS_PDTEST_H

#include <poll.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include <sys/capsicum.h>
#include <sys/procdesc.h>

#include "harness.h"

#define	PD_SKIP		77	/* the child cannot run the test here */

#ifndef P_PIDFD
#define	P_PIDFD		3
#endif
/* PIDFD_GET_INFO with the first version of struct pidfd_info. */
#define	PD_GET_INFO	0xC040FF0BUL

struct pd_info {
	unsigned long long mask, cgroupid;
	unsigned int	pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid,
			fsuid, fsgid;
	int		exit_code;
	unsigned int	coredump_mask, spare;
};

/* /proc, held open so that processes can still be observed in capability
 * mode (Landlock lets a held directory be looked up beneath). */
static int pd_procfd = -1;

static inline int
pd_proc(void)
{

	if (pd_procfd < 0)
		pd_procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return (pd_procfd);
}

/* Enter capability mode, or report that it cannot be (valgrind has no
 * seccomp). */
static inline void
pd_enter(void)
{

	CHECK(pd_proc() >= 0);
	if (cap_enter() == 0)
		return;
	if ((errno == ENOSYS || errno == ENOTSUP) &&
	    getenv("CAPSICUM_TEST_VALGRIND") != NULL)
		_exit(PD_SKIP);
	dprintf(2, "cap_enter: %s\n", strerror(errno));
	_exit(3);
}

/* Run fn in a child; it must exit 0 (or report that it was skipped). */
#define	PD_RUN(fn, arg) do {						\
	int st_ = run_child_timeout((fn), (arg), 30);			\
	if (WIFEXITED(st_) && WEXITSTATUS(st_) == PD_SKIP)		\
		cr_skip_test("not possible here");			\
	cr_assert(WIFEXITED(st_) && WEXITSTATUS(st_) == 0,		\
	    "child %s: %s %d", #fn, WIFEXITED(st_) ? "exit" : "signal",	\
	    WIFEXITED(st_) ? WEXITSTATUS(st_) : WTERMSIG(st_));		\
} while (0)

static inline void
pd_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The state letter of a process in /proc (R, S, Z, ...), 0 if gone. */
static inline char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	if ((fd = openat(pd_proc(), path, O_RDONLY | O_CLOEXEC)) < 0) {
		/* Gone; anything else would make every test lie. */
		CHECK(errno == ENOENT || errno == ESRCH);
		return (0);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return (0);
	return (p[2]);
}

/* Running (or sleeping): not dead, not a zombie. */
static inline bool
proc_alive(pid_t pid)
{
	char s = proc_state(pid);

	return (s != 0 && s != 'Z' && s != 'X');
}

/* Wait up to ms for the process to be gone: killed and reaped. */
static inline bool
proc_wait_gone(pid_t pid, long ms)
{

	for (; ms > 0; ms -= 10) {
		if (proc_state(pid) == 0)
			return (true);
		pd_sleep_ms(10);
	}
	return (proc_state(pid) == 0);
}

/* A child that waits to be killed.  Returns its pid; *fdp its descriptor. */
static inline pid_t
pd_sleeper(int *fdp, int flags)
{
	pid_t pid;

	pid = pdfork(fdp, flags);
	CHECK(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	return (pid);
}

/* Poll the descriptor for the child's exit as a FreeBSD program does. */
static inline int
pd_poll_hup(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLHUP, 0 };

	if (poll(&pfd, 1, ms) < 0)
		return (-1);
	return (pfd.revents);
}

/* Descriptor passing over a socket. */
static inline void
send_fd(int sock, int fd)
{
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(int))];
	} cb;
	struct iovec iov = { "f", 1 };
	struct msghdr mh;
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	memset(&cb, 0, sizeof(cb));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = sizeof(cb.b);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	CHECK(sendmsg(sock, &mh, 0) == 1);
}

static inline int
recv_fd(int sock)
{
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(int))];
	} cb;
	char c;
	struct iovec iov = { &c, 1 };
	struct msghdr mh;
	struct cmsghdr *cm;
	int fd;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = sizeof(cb.b);
	CHECK(recvmsg(sock, &mh, 0) == 1);
	cm = CMSG_FIRSTHDR(&mh);
	CHECK(cm != NULL && cm->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return (fd);
}

/* One byte over a pipe or socket, to order two processes. */
static inline void
put_byte(int fd, char c)
{

	CHECK(write(fd, &c, 1) == 1);
}

static inline char
get_byte(int fd)
{
	char c;

	CHECK(read(fd, &c, 1) == 1);
	return (c);
}

static inline void
put_pid(int fd, pid_t pid)
{

	CHECK(write(fd, &pid, sizeof(pid)) == sizeof(pid));
}

static inline pid_t
get_pid(int fd)
{
	pid_t pid;

	CHECK(read(fd, &pid, sizeof(pid)) == sizeof(pid));
	return (pid);
}

#endif /* !TESTS_PDTEST_H */
