/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pdfork(2), pdgetpid(2), pdkill(2), pdwait4(2) and pdwait(2) outside
 * capability mode: return values, flags, every error path, waiting, the
 * descriptor's events and metadata, and threads.
 */
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>

#include "pdtest.h"

/* ---------------------------------------------------------------------
 * pdfork.
 */
static void
returns_like_fork(void *arg)
{
	pid_t pid, got;
	int fd, st, p[2];

	CHECK(pipe(p) == 0);
	fd = -1;
	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0) {
		/* In the child: 0, and the parent's variable untouched. */
		put_pid(p[1], fd == -1 ? getpid() : -1);
		_exit(0);
	}
	CHECK(fd >= 0);
	CHECK(get_pid(p[0]) == pid);
	CHECK(pdgetpid(fd, &got) == 0 && got == pid);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(close(fd) == 0);
}

Test(pdfork, returns_like_fork)
{
	PD_RUN(returns_like_fork, NULL);
}

static void
unknown_flags(void *arg)
{
	int fd, bit;

	for (bit = 2; bit < 32; bit++)
		CHECK_LIBC_ERR(pdfork(&fd, (int)(1U << bit)), EINVAL);
	CHECK_LIBC_ERR(pdfork(&fd, -1), EINVAL);
	CHECK_LIBC_ERR(pdfork(NULL, 0), EFAULT);
}

Test(pdfork, unknown_flags_einval)
{
	PD_RUN(unknown_flags, NULL);
}

static void
cloexec_flag(void *arg)
{
	pid_t a, b;
	int fa, fb;

	a = pd_sleeper(&fa, 0);
	b = pd_sleeper(&fb, PD_CLOEXEC);
	CHECK((fcntl(fa, F_GETFD) & FD_CLOEXEC) == 0);
	CHECK((fcntl(fb, F_GETFD) & FD_CLOEXEC) != 0);
	CHECK(pdkill(fa, SIGKILL) == 0 && pdkill(fb, SIGKILL) == 0);
	CHECK(pdwait4(fa, NULL, 0, NULL) == a);
	CHECK(pdwait4(fb, NULL, 0, NULL) == b);
}

Test(pdfork, cloexec_flag)
{
	PD_RUN(cloexec_flag, NULL);
}

static volatile sig_atomic_t sigchld_count;

static void
on_sigchld(int sig)
{

	(void)sig;
	sigchld_count++;
}

static void
no_sigchld_invisible_to_wait(void *arg)
{
	struct sigaction sa;
	pid_t pid;
	int fd, st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(3);
	CHECK(pd_poll_hup(fd, 5000) & POLLHUP);
	/* wait(-1) neither reaps it nor blocks for it. */
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	CHECK(wait(&st) == -1 && errno == ECHILD);
	pd_sleep_ms(50);
	CHECK(sigchld_count == 0);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
}

Test(pdfork, no_sigchld_invisible_to_wait)
{
	PD_RUN(no_sigchld_invisible_to_wait, NULL);
}

/* The library's helpers are not the program's children either. */
static void
helpers_invisible(void *arg)
{
	pid_t child, pid;
	int fd, st;

	child = fork();
	CHECK(child >= 0);
	if (child == 0)
		_exit(4);
	pid = pd_sleeper(&fd, 0);
	CHECK(waitpid(-1, &st, 0) == child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4);
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	CHECK(pdkill(fd, SIGKILL) == 0);
	CHECK(pdwait4(fd, NULL, 0, NULL) == pid);
}

Test(pdfork, helpers_invisible_to_wait)
{
	PD_RUN(helpers_invisible, NULL);
}

/*
 * A process forked from one that pdforked, through glibc's fork() and
 * through the raw system call (no fork handlers), inherits none of its
 * records: the parent's child is not its to wait for, and it forks and
 * waits for its own.  The parent's record survives the fork.
 */
static int
fork_child_clean(int fd)
{
	pid_t mine;
	int myfd, st;

	if (pdwait4(fd, &st, WNOHANG, NULL) != -1 || errno != ECHILD)
		return (10);
	mine = pdfork(&myfd, 0);
	if (mine == 0)
		_exit(7);
	if (mine < 0 || pdwait4(myfd, &st, 0, NULL) != mine ||
	    !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return (11);
	return (0);
}

static void
fork_child_starts_clean(void *arg)
{
	pid_t sleeper, sub;
	int fd, st, how;

	for (how = 0; how < 2; how++) {
		sleeper = pd_sleeper(&fd, 0);
		sub = how == 0 ? fork() : (pid_t)syscall(SYS_fork);
		CHECK(sub >= 0);
		if (sub == 0)
			_exit(fork_child_clean(fd));
		CHECK(waitpid(sub, &st, 0) == sub);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CHECK(pdkill(fd, SIGKILL) == 0);
		CHECK(pdwait4(fd, &st, 0, NULL) == sleeper);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		CHECK(close(fd) == 0);
	}
}

Test(pdfork, forked_process_starts_without_records)
{
	PD_RUN(fork_child_starts_clean, NULL);
}

static void
many_children(void *arg)
{
	pid_t pids[40];
	int fds[40], i, st;

	for (i = 0; i < 40; i++) {
		pids[i] = pdfork(&fds[i], i % 2 ? PD_CLOEXEC : 0);
		CHECK(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(i);
	}
	for (i = 39; i >= 0; i--) {
		CHECK(pdwait4(fds[i], &st, 0, NULL) == pids[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == i);
		CHECK(close(fds[i]) == 0);
	}
}

Test(pdfork, many_children)
{
	PD_RUN(many_children, NULL);
}

/* A pdforked child can pdfork in turn. */
static void
nested(void *arg)
{
	pid_t pid, inner;
	int fd, ifd, st;

	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0) {
		inner = pdfork(&ifd, 0);
		if (inner < 0)
			_exit(10);
		if (inner == 0)
			_exit(6);
		if (pdwait4(ifd, &st, 0, NULL) != inner ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 6)
			_exit(11);
		_exit(7);
	}
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

Test(pdfork, nested)
{
	PD_RUN(nested, NULL);
}

/* ---------------------------------------------------------------------
 * pdgetpid.
 */
static void
pdgetpid_cases(void *arg)
{
	pid_t pid, got;
	int fd, p[2];

	pid = pd_sleeper(&fd, 0);
	CHECK(pdgetpid(fd, &got) == 0 && got == pid);
	CHECK(pdkill(fd, SIGKILL) == 0);
	CHECK(pdwait4(fd, NULL, 0, NULL) == pid);
	/* FreeBSD keeps the pid in the descriptor after the process is
	 * gone. */
	got = 0;
	CHECK(pdgetpid(fd, &got) == 0 && got == pid);
	CHECK_LIBC_ERR(pdgetpid(fd, NULL), EFAULT);
	CHECK(pipe(p) == 0);
	CHECK_LIBC_ERR(pdgetpid(p[0], &got), EBADF);
	CHECK_LIBC_ERR(pdgetpid(-1, &got), EBADF);
	CHECK_LIBC_ERR(pdgetpid(999, &got), EBADF);
	CHECK(close(fd) == 0);
	CHECK_LIBC_ERR(pdgetpid(fd, &got), EBADF);
}

Test(pdgetpid, pid_errors_and_after_exit)
{
	PD_RUN(pdgetpid_cases, NULL);
}

/* Many reaped children whose descriptors stay open keep their pids. */
static void
pdgetpid_many_after_wait(void *arg)
{
	enum { N = 300 };
	pid_t pids[N], got;
	int fds[N], i;

	for (i = 0; i < N; i++) {
		pids[i] = pdfork(&fds[i], PD_CLOEXEC);
		CHECK(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(0);
		CHECK(pdwait4(fds[i], NULL, 0, NULL) == pids[i]);
		if (i % 2 == 1)
			CHECK(close(fds[i - 1]) == 0);
	}
	for (i = 1; i < N; i += 2) {
		got = 0;
		CHECK(pdgetpid(fds[i], &got) == 0 && got == pids[i]);
	}
}

Test(pdgetpid, many_children_after_wait, .timeout = 60)
{
	PD_RUN(pdgetpid_many_after_wait, NULL);
}

/* ---------------------------------------------------------------------
 * pdkill.
 */
static void
pdkill_cases(void *arg)
{
	pid_t pid;
	int fd, st, p[2];

	pid = pd_sleeper(&fd, 0);
	CHECK(pdkill(fd, 0) == 0);
	CHECK_LIBC_ERR(pdkill(fd, -1), EINVAL);
	CHECK_LIBC_ERR(pdkill(fd, 1000), EINVAL);
	CHECK(pdkill(fd, SIGTERM) == 0);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	/* Reaped: FreeBSD's procdesc_find says ESRCH. */
	CHECK_LIBC_ERR(pdkill(fd, SIGTERM), ESRCH);
	CHECK_LIBC_ERR(pdkill(fd, 0), ESRCH);
	CHECK(pipe(p) == 0);
	CHECK_LIBC_ERR(pdkill(p[0], SIGTERM), EBADF);
	CHECK_LIBC_ERR(pdkill(-1, SIGTERM), EBADF);
	CHECK_LIBC_ERR(pdkill(999, SIGTERM), EBADF);
}

Test(pdkill, signals_and_errors)
{
	PD_RUN(pdkill_cases, NULL);
}

/* ---------------------------------------------------------------------
 * pdwait4 and pdwait.
 */
static void
burn_cpu_and_exit(int code)
{
	struct rusage ru;

	do {
		getrusage(RUSAGE_SELF, &ru);
	} while (ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec < 30000);
	_exit(code);
}

static void
pdwait4_cases(void *arg)
{
	struct rusage ru;
	pid_t pid, pid2;
	int fd, fd2, st, p[2];

	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0)
		burn_cpu_and_exit(42);
	memset(&ru, 0, sizeof(ru));
	CHECK(pdwait4(fd, &st, 0, &ru) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	CHECK(ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec >= 20000);
	/* A second wait fails as on FreeBSD: the process is gone. */
	CHECK_LIBC_ERR(pdwait4(fd, &st, 0, NULL), ESRCH);
	CHECK_LIBC_ERR(pdwait4(fd, &st, WNOHANG, NULL), ESRCH);

	pid = pd_sleeper(&fd, 0);
	CHECK(pdwait4(fd, &st, WNOHANG, NULL) == 0);
	CHECK_LIBC_ERR(pdwait4(fd, &st, 0x40000000, NULL), EINVAL);
	CHECK(pdkill(fd, SIGKILL) == 0);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	CHECK(pipe(p) == 0);
	/* Waited through a copy: the original sees the second wait. */
	pid = pd_sleeper(&fd, 0);
	fd2 = dup(fd);
	CHECK(fd2 >= 0);
	CHECK(pdkill(fd2, SIGKILL) == 0);
	CHECK(pdwait4(fd2, &st, 0, NULL) == pid);
	CHECK_LIBC_ERR(pdwait4(fd, &st, 0, NULL), ESRCH);
	CHECK(close(fd2) == 0 && close(fd) == 0);
	/* The number of an old descriptor, reused by a new child's copy. */
	pid = pd_sleeper(&fd, 0);
	CHECK(close(fd) == 0);
	CHECK(dup2(p[0], fd) == fd);	/* keeps the number from fd2 */
	pid2 = pd_sleeper(&fd2, 0);
	CHECK(fd2 != fd);
	CHECK(dup2(fd2, fd) == fd);
	CHECK(pdkill(fd, SIGKILL) == 0);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid2);
	CHECK_LIBC_ERR(pdwait4(fd2, &st, 0, NULL), ESRCH);
	CHECK(close(fd2) == 0 && close(fd) == 0);
	CHECK(proc_wait_gone(pid, 5000));

	CHECK_LIBC_ERR(pdwait4(p[0], &st, 0, NULL), EBADF);
	CHECK_LIBC_ERR(pdwait4(-1, &st, 0, NULL), EBADF);
	CHECK_LIBC_ERR(pdwait4(999, &st, 0, NULL), EBADF);
}

Test(pdwait4, status_rusage_and_errors)
{
	PD_RUN(pdwait4_cases, NULL);
}

/* The reaper took the child at exit; pdwait reports what it kept. */
static void
wait_after_reaper(void *arg)
{
	struct rusage ru;
	pid_t pid;
	int fd, st;

	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0)
		burn_cpu_and_exit(9);
	CHECK(pd_poll_hup(fd, 5000) & POLLHUP);
	/* POLLHUP means reaped: no zombie while the descriptor is open. */
	CHECK(proc_state(pid) == 0);
	CHECK(pdwait4(fd, &st, WNOHANG | WNOWAIT, NULL) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
	memset(&ru, 0, sizeof(ru));
	CHECK(pdwait4(fd, &st, 0, &ru) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9);
	CHECK(ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec >= 20000);
	CHECK_LIBC_ERR(pdwait4(fd, &st, 0, NULL), ESRCH);
}

Test(pdwait4, status_kept_after_prompt_reaping)
{
	PD_RUN(wait_after_reaper, NULL);
}


/*
 * POLLHUP without a pdwait, for a child that exits at once (the watchdog
 * finds it at its next young-child tick) and for one that outlives the
 * young period (found through epoll).  The bound is loose for slow CI
 * runs; without the tick the first would never be reported.
 */
static void
exit_reported_promptly(void *arg)
{
	static const int delays_ms[] = { 0, 40 };
	struct timespec t0, t1;
	unsigned int i;
	long ms;
	pid_t pid;
	int fd, st;

	for (i = 0; i < sizeof(delays_ms) / sizeof(delays_ms[0]); i++) {
		pid = pdfork(&fd, 0);
		CHECK(pid >= 0);
		if (pid == 0) {
			if (delays_ms[i] > 0)
				usleep((useconds_t)delays_ms[i] * 1000);
			_exit(3);
		}
		CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
		CHECK(pd_poll_hup(fd, delays_ms[i] + 1000) & POLLHUP);
		CHECK(clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000;
		CHECK(ms < delays_ms[i] + 1000);
		CHECK(proc_state(pid) == 0);
		CHECK(pdwait4(fd, &st, 0, NULL) == pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
		CHECK(close(fd) == 0);
	}
}

Test(pdwait4, exit_reported_promptly_without_pdwait)
{
	PD_RUN(exit_reported_promptly, NULL);
}
static void
pdwait_cases(void *arg)
{
	struct __wrusage wru;
	siginfo_t si;
	pid_t pid;
	int fd, st, p[2];

	pid = pd_sleeper(&fd, 0);
	CHECK_LIBC_ERR(pdwait(fd, &st, 0, NULL, NULL), EINVAL);
	CHECK_LIBC_ERR(pdwait(fd, &st, WNOHANG, NULL, NULL), EINVAL);
	CHECK_LIBC_ERR(pdwait(fd, &st, WEXITED | 0x40000000, NULL, NULL),
	    EINVAL);
	CHECK(pdwait(fd, &st, WEXITED | WNOHANG, NULL, NULL) == 0);

	/* Stop and continue. */
	CHECK(pdkill(fd, SIGSTOP) == 0);
	memset(&si, 0, sizeof(si));
	CHECK(pdwait(fd, &st, WSTOPPED, NULL, &si) == pid);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	CHECK(si.si_pid == pid && si.si_code == CLD_STOPPED);
	CHECK(pdkill(fd, SIGCONT) == 0);
	CHECK(pdwait(fd, &st, WCONTINUED, NULL, &si) == pid);
	CHECK(WIFCONTINUED(st) && si.si_code == CLD_CONTINUED);

	/* WNOWAIT leaves the status to be collected again. */
	CHECK(pdkill(fd, SIGUSR1) == 0);
	CHECK(pdwait(fd, &st, WEXITED | WNOWAIT, NULL, &si) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	memset(&wru, 0xff, sizeof(wru));
	CHECK(pdwait(fd, &st, WEXITED, &wru, &si) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	CHECK(si.si_pid == pid && si.si_code == CLD_KILLED &&
	    si.si_status == SIGUSR1);
	CHECK(wru.wru_children.ru_utime.tv_sec == 0 &&
	    wru.wru_children.ru_maxrss == 0);
	CHECK_LIBC_ERR(pdwait(fd, &st, WEXITED, NULL, NULL), ESRCH);

	/* An exit status and the child's resource usage. */
	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0)
		burn_cpu_and_exit(17);
	memset(&wru, 0, sizeof(wru));
	CHECK(pdwait(fd, &st, WEXITED, &wru, &si) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 17);
	CHECK(si.si_code == CLD_EXITED && si.si_status == 17);
	CHECK(wru.wru_self.ru_utime.tv_sec > 0 ||
	    wru.wru_self.ru_utime.tv_usec >= 20000);

	CHECK(pipe(p) == 0);
	CHECK_LIBC_ERR(pdwait(p[0], &st, WEXITED, NULL, NULL), EBADF);
	CHECK_LIBC_ERR(pdwait(-1, &st, WEXITED, NULL, NULL), EBADF);
}

Test(pdwait, options_status_siginfo_rusage)
{
	PD_RUN(pdwait_cases, NULL);
}

/* Only the parent can collect a status on Linux. */
static void
wait_from_other_process(void *arg)
{
	pid_t pid, other;
	int fd, st, p[2];

	CHECK(pipe(p) == 0);
	pid = pd_sleeper(&fd, 0);
	other = fork();
	CHECK(other >= 0);
	if (other == 0) {
		/* A copy of the descriptor, in a process that is not the
		 * parent: the child runs, so ECHILD. */
		if (pdwait4(fd, &st, WNOHANG, NULL) != -1 || errno != ECHILD)
			_exit(1);
		put_byte(p[1], 'w');
		_exit(0);
	}
	CHECK(get_byte(p[0]) == 'w');
	CHECK(waitpid(other, &st, 0) == other && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	CHECK(pdkill(fd, SIGKILL) == 0);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
}

Test(pdwait4, not_the_parent_echild)
{
	PD_RUN(wait_from_other_process, NULL);
}

/* ---------------------------------------------------------------------
 * Events and metadata of the descriptor.
 */
static void
events_on_exit(void *arg)
{
	struct epoll_event ev;
	struct pollfd pfd;
	struct timeval tv;
	fd_set rset;
	pid_t pid;
	int fd, ep, p[2];

	CHECK(pipe(p) == 0);
	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0) {
		(void)get_byte(p[0]);
		_exit(0);
	}
	ep = epoll_create1(0);
	CHECK(ep >= 0);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
	/* Nothing while the child runs. */
	pfd.fd = fd;
	pfd.events = POLLHUP;
	CHECK(poll(&pfd, 1, 50) == 0);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);
	put_byte(p[1], 'x');
	/* FreeBSD programs wait for POLLHUP, asked for or not. */
	CHECK(pd_poll_hup(fd, 5000) & POLLHUP);
	pfd.events = 0;
	pfd.revents = 0;
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP) != 0);
	FD_ZERO(&rset);
	FD_SET(fd, &rset);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	CHECK(select(fd + 1, &rset, NULL, NULL, &tv) == 1 &&
	    FD_ISSET(fd, &rset));
	CHECK(epoll_wait(ep, &ev, 1, 1000) == 1 &&
	    (ev.events & EPOLLHUP) != 0 && ev.data.fd == fd);
	CHECK(pdwait4(fd, NULL, 0, NULL) == pid);
}

Test(pdfork, poll_select_epoll_report_exit)
{
	PD_RUN(events_on_exit, NULL);
}

static void
fstat_cases(void *arg)
{
	struct stat a, b, raw_st;
	pid_t pa, pb;
	int fa, fb, p[2];

	pa = pd_sleeper(&fa, 0);
	pb = pd_sleeper(&fb, 0);
	CHECK(fstat(fa, &a) == 0 && fstat(fb, &b) == 0);
	/* As on FreeBSD: a regular file, owner-only while the process
	 * runs, owned by its real ids. */
	CHECK(a.st_mode == (S_IFREG | S_IRWXU));
	CHECK(a.st_uid == getuid() && a.st_gid == getgid());
	CHECK(a.st_ino != b.st_ino && a.st_dev == b.st_dev);
	CHECK(a.st_size == 0);
	/* The kernel itself reports pidfs's view (no file type). */
	CHECK_OK(raw(SYS_fstat, fa, &raw_st));
	CHECK((raw_st.st_mode & S_IFMT) != S_IFREG);
	CHECK(pdkill(fa, SIGKILL) == 0 && pdkill(fb, SIGKILL) == 0);
	CHECK(pdwait4(fa, NULL, 0, NULL) == pa);
	CHECK(pdwait4(fb, NULL, 0, NULL) == pb);
	/* Exited: no permission bits. */
	CHECK(fstat(fa, &b) == 0 && b.st_ino == a.st_ino);
	CHECK(b.st_mode == S_IFREG);
	/* Other files are untouched. */
	CHECK(pipe(p) == 0);
	CHECK(fstat(p[0], &b) == 0 && S_ISFIFO(b.st_mode));
	/* Reading or writing a process descriptor fails. */
	CHECK(read(fa, &a, 1) == -1);
	CHECK(write(fa, "x", 1) == -1);
}

Test(pdfork, fstat)
{
	PD_RUN(fstat_cases, NULL);
}

/* ---------------------------------------------------------------------
 * Threads.
 */
struct thread_fork {
	pid_t	tf_pid;
	int	tf_fd;
};

static void *
fork_in_thread(void *arg)
{
	struct thread_fork *tf = arg;

	tf->tf_pid = pdfork(&tf->tf_fd, 0);
	if (tf->tf_pid == 0) {
		for (;;)
			pause();
	}
	return (NULL);
}

static void
descriptor_outlives_thread(void *arg)
{
	struct thread_fork tf;
	pthread_t t;
	pid_t got;
	int st;

	CHECK(pthread_create(&t, NULL, fork_in_thread, &tf) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(tf.tf_pid > 0);
	/* The creating thread's exit does not kill the child ... */
	pd_sleep_ms(100);
	CHECK(proc_alive(tf.tf_pid));
	/* ... and every operation works from another thread. */
	CHECK(pdgetpid(tf.tf_fd, &got) == 0 && got == tf.tf_pid);
	CHECK(pdkill(tf.tf_fd, SIGTERM) == 0);
	CHECK(pdwait4(tf.tf_fd, &st, 0, NULL) == tf.tf_pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

Test(pdfork, descriptor_outlives_creating_thread)
{
	PD_RUN(descriptor_outlives_thread, NULL);
}

/* The library's reaper thread does not keep capability mode from
 * reaching every thread (cap_enter signals each to restrict itself). */
static void
strict_cap_enter_after_pdfork(void *arg)
{
	pid_t pid;
	int fd;

	pid = pd_sleeper(&fd, 0);
	CHECK(cap_set_strict(true) == 0);
	pd_enter();
	CHECK(pdkill(fd, SIGKILL) == 0);
	CHECK(pdwait4(fd, NULL, 0, NULL) == pid);
}

Test(pdfork, strict_cap_enter_reaches_the_reaper)
{
	PD_RUN(strict_cap_enter_after_pdfork, NULL);
}
