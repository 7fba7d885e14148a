/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process descriptors in capability mode: every function works on held
 * descriptors, kill(2) of a child is refused, and the rights CAP_PDKILL,
 * CAP_PDWAIT, CAP_PDGETPID and CAP_EVENT are enforced by the kernel:
 * raw system calls on a limited descriptor fail with ENOTCAPABLE.
 */
#include <sys/epoll.h>
#include <sys/ioctl.h>

#include "pdtest.h"

/* The library's side of the watchdog protocol (procdesc_client.c): what a
 * compromised sandbox could call directly. */
long	capsicum_pd_relay_kill(int fd, int signum);
int	capsicum_pd_setup(void);

/* Every test here needs seccomp, which valgrind does not implement. */
#define	CAPMODE_RUN(fn, arg) do {					\
	if (getenv("CAPSICUM_TEST_VALGRIND") != NULL)			\
		cr_skip_test("no seccomp under valgrind");		\
	PD_RUN((fn), (arg));						\
} while (0)

static void
limit(int fd, uint64_t r1, uint64_t r2)
{
	cap_rights_t r;

	cap_rights_init(&r, r1, r2);
	CHECK(cap_rights_limit(fd, &r) == 0);
}

/* ---------------------------------------------------------------------
 * Working inside.
 */

/* The first pdfork of a process already in capability mode: the
 * watchdog starts inside the sandbox. */
static void
everything_inside(void *arg)
{
	struct pd_info info;
	pid_t pid, got;
	int fd, st, p[2];

	CHECK(pipe(p) == 0);
	pd_enter();
	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0) {
		(void)get_byte(p[0]);
		_exit(12);
	}
	CHECK(pdgetpid(fd, &got) == 0 && got == pid);
	memset(&info, 0, sizeof(info));
	info.mask = 1;
	CHECK_OK(raw(SYS_ioctl, fd, PD_GET_INFO, &info));
	CHECK(info.pid == (unsigned int)pid);
	CHECK(pdkill(fd, 0) == 0);
	CHECK(pdwait4(fd, &st, WNOHANG, NULL) == 0);
	put_byte(p[1], 'x');
	CHECK(pd_poll_hup(fd, 5000) & POLLHUP);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 12);
	CHECK_LIBC_ERR(pdwait4(fd, &st, 0, NULL), ESRCH);
	CHECK(close(fd) == 0);

	pid = pd_sleeper(&fd, PD_CLOEXEC);
	CHECK(pdkill(fd, SIGTERM) == 0);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

Test(capmode, pdfork_pdkill_pdwait_pdgetpid)
{
	CAPMODE_RUN(everything_inside, NULL);
}

static void
close_kills_inside(void *arg)
{
	pid_t pid;
	int fd;

	pd_enter();
	pid = pd_sleeper(&fd, 0);
	CHECK(close(fd) == 0);
	CHECK(proc_wait_gone(pid, 5000));
}

Test(capmode, close_of_last_descriptor_kills)
{
	CAPMODE_RUN(close_kills_inside, NULL);
}

static void
daemon_refused(void *arg)
{
	int fd;

	pd_enter();
	CHECK_LIBC_ERR(pdfork(&fd, PD_DAEMON), ECAPMODE);
	CHECK_LIBC_ERR(pdfork(&fd, PD_DAEMON | PD_CLOEXEC), ECAPMODE);
	CHECK_LIBC_ERR(pdfork(&fd, 8), EINVAL);
}

Test(capmode, pd_daemon_refused)
{
	CAPMODE_RUN(daemon_refused, NULL);
}

/*
 * A process forked from one that uses the watchdog gets a channel of its
 * own from it, whether it entered capability mode itself or was forked
 * inside it.
 */
static int
pdfork_and_wait(void)
{
	pid_t inner;
	int ifd, st;

	inner = pdfork(&ifd, 0);
	if (inner < 0)
		return (10);
	if (inner == 0)
		_exit(5);
	if (pdwait4(ifd, &st, 0, NULL) != inner || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 5)
		return (11);
	inner = pd_sleeper(&ifd, 0);
	close(ifd);
	return (proc_wait_gone(inner, 5000) ? 0 : 12);
}

static void
forked_processes_pdfork(void *arg)
{
	pid_t pid, sub;
	int fd, st;

	pid = pd_sleeper(&fd, 0);
	CHECK(pd_proc() >= 0);
	sub = fork();
	CHECK(sub >= 0);
	if (sub == 0) {
		pd_enter();
		_exit(pdfork_and_wait());
	}
	CHECK(waitpid(sub, &st, 0) == sub);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pd_enter();
	/* wait4 is refused in capability mode: pdfork the subprocess. */
	sub = pdfork(&fd, 0);
	CHECK(sub >= 0);
	if (sub == 0)
		_exit(pdfork_and_wait());
	CHECK(pdwait4(fd, &st, 0, NULL) == sub);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	(void)pid;
}

Test(capmode, forked_processes_pdfork)
{
	CAPMODE_RUN(forked_processes_pdfork, NULL);
}

/* ---------------------------------------------------------------------
 * Children forked before cap_enter are outside the Landlock domain.
 */
static void
child_from_before(void *arg)
{
	pid_t pid;
	int fd, st;

	pid = pd_sleeper(&fd, 0);
	pd_enter();
	/* The kernel refuses the signal (Landlock's scope); the filter
	 * let it through, since the descriptor has CAP_PDKILL. */
	CHECK_ERR(raw(SYS_pidfd_send_signal, fd, 0, 0, 0), EPERM);
	/* Bad signals are still the kernel's EINVAL. */
	CHECK_LIBC_ERR(pdkill(fd, 1000), EINVAL);
	/* pdkill goes through the watchdog, outside the sandbox. */
	CHECK(pdkill(fd, 0) == 0);
	CHECK(pdkill(fd, SIGSTOP) == 0);
	CHECK(pdwait(fd, &st, WSTOPPED, NULL, NULL) == pid);
	CHECK(WIFSTOPPED(st));
	CHECK(pdkill(fd, SIGTERM) == 0);
	CHECK(pdkill(fd, SIGCONT) == 0);
	CHECK(pd_poll_hup(fd, 5000) & POLLHUP);
	CHECK(pdwait4(fd, &st, 0, NULL) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	CHECK_LIBC_ERR(pdkill(fd, SIGTERM), ESRCH);
}

Test(capmode, pdkill_reaches_child_forked_before)
{
	CAPMODE_RUN(child_from_before, NULL);
}

static void
close_kills_child_from_before(void *arg)
{
	pid_t pid;
	int fd;

	pid = pd_sleeper(&fd, 0);
	pd_enter();
	CHECK(close(fd) == 0);
	CHECK(proc_wait_gone(pid, 5000));
}

Test(capmode, close_kills_child_forked_before)
{
	CAPMODE_RUN(close_kills_child_from_before, NULL);
}

/* The watchdog signals only process descriptors: a pidfd of any other
 * process outside the sandbox gains nothing from it. */
static void
relay_only_for_descriptors(void *arg)
{
	pid_t other;
	int pfd, st, fd, p[2];

	/* It leaves when we do (end of file on the pipe). */
	CHECK(pipe(p) == 0);
	other = fork();
	CHECK(other >= 0);
	if (other == 0) {
		close(p[1]);
		(void)read(p[0], &st, 1);
		_exit(0);
	}
	close(p[0]);
	pfd = (int)raw(SYS_pidfd_open, other, 0);
	CHECK(pfd >= 0);
	(void)pd_sleeper(&fd, 0);	/* start the watchdog */
	pd_enter();
	CHECK_LIBC_ERR(pdkill(pfd, SIGKILL), EPERM);
	pd_sleep_ms(100);
	CHECK(proc_alive(other));
	(void)st;
}

Test(capmode, watchdog_signals_only_process_descriptors)
{
	CAPMODE_RUN(relay_only_for_descriptors, NULL);
}

/*
 * A compromised sandbox may speak the watchdog's protocol itself instead
 * of calling pdkill (which the filter stops without CAP_PDKILL).  The
 * watchdog must still refuse children no descriptor here may kill.
 */
static void
relay_needs_pdkill(void *arg)
{
	pid_t pid, kid;
	int fd, kfd, st;

	pid = pd_sleeper(&fd, 0);
	limit(fd, CAP_PDWAIT, 0);
	pd_enter();
	CHECK(capsicum_pd_relay_kill(fd, SIGKILL) == -ENOTCAPABLE);
	CHECK_LIBC_ERR(pdkill(fd, SIGKILL), ENOTCAPABLE);
	/* A process forked inside asks for a channel of its own: it is
	 * as restricted. */
	kid = pdfork(&kfd, 0);
	CHECK(kid >= 0);
	if (kid == 0) {
		if (capsicum_pd_setup() != 0)
			_exit(2);
		_exit(capsicum_pd_relay_kill(fd, SIGKILL) == -ENOTCAPABLE ?
		    0 : 1);
	}
	CHECK(pdwait4(kfd, &st, 0, NULL) == kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pd_sleep_ms(50);
	CHECK(proc_alive(pid));
}

Test(capmode, relay_refused_without_pdkill)
{
	CAPMODE_RUN(relay_needs_pdkill, NULL);
}

/* Another number for the same child that has CAP_PDKILL keeps the relay
 * open: the process may kill the child through it anyway. */
static void
relay_with_capable_copy(void *arg)
{
	pid_t pid;
	int fd, fd2;

	pid = pd_sleeper(&fd, 0);
	fd2 = dup(fd);
	CHECK(fd2 >= 0);
	limit(fd, CAP_PDWAIT, 0);
	pd_enter();
	CHECK(capsicum_pd_relay_kill(fd, SIGKILL) == 0);
	CHECK(proc_wait_gone(pid, 5000));
}

Test(capmode, relay_allowed_with_capable_copy)
{
	CAPMODE_RUN(relay_with_capable_copy, NULL);
}

/* Taking CAP_PDKILL away inside capability mode closes the relay. */
static void
relay_closed_by_later_limit(void *arg)
{
	pid_t pid;
	int fd;

	pid = pd_sleeper(&fd, 0);
	pd_enter();
	CHECK(capsicum_pd_relay_kill(fd, 0) == 0);
	limit(fd, CAP_PDWAIT, 0);
	CHECK(capsicum_pd_relay_kill(fd, SIGKILL) == -ENOTCAPABLE);
	pd_sleep_ms(50);
	CHECK(proc_alive(pid));
}

Test(capmode, relay_closed_by_limit_in_capability_mode)
{
	CAPMODE_RUN(relay_closed_by_later_limit, NULL);
}

/* kill(2) of a child is refused, whenever it was forked. */
static void
kill_refused(void *arg)
{
	pid_t before, after;
	int fb, fa;

	before = pd_sleeper(&fb, 0);
	pd_enter();
	after = pd_sleeper(&fa, 0);
	CHECK_ERR(raw(SYS_kill, before, SIGKILL), ECAPMODE);
	CHECK_ERR(raw(SYS_kill, after, SIGKILL), ECAPMODE);
	CHECK_ERR(raw(SYS_tgkill, after, after, SIGKILL), ECAPMODE);
	CHECK_LIBC_ERR(kill(after, SIGKILL), ECAPMODE);
	pd_sleep_ms(50);
	CHECK(proc_alive(before) && proc_alive(after));
	CHECK(pdkill(fb, SIGKILL) == 0 && pdkill(fa, SIGKILL) == 0);
	CHECK(pdwait4(fb, NULL, 0, NULL) == before);
	CHECK(pdwait4(fa, NULL, 0, NULL) == after);
}

Test(capmode, kill_of_child_refused)
{
	CAPMODE_RUN(kill_refused, NULL);
}

/* ---------------------------------------------------------------------
 * Rights, through raw system calls and through the library.
 */
static void
wait_only(void *arg)
{
	struct pd_info info;
	siginfo_t si;
	pid_t pid;
	int fd, st;

	pid = pd_sleeper(&fd, 0);
	limit(fd, CAP_PDWAIT, CAP_IOCTL);
	pd_enter();
	CHECK_ERR(raw(SYS_pidfd_send_signal, fd, SIGKILL, 0, 0), ENOTCAPABLE);
	memset(&info, 0, sizeof(info));
	info.mask = 1;
	CHECK_ERR(raw(SYS_ioctl, fd, PD_GET_INFO, &info), ENOTCAPABLE);
	CHECK_LIBC_ERR(pdkill(fd, SIGKILL), ENOTCAPABLE);
	CHECK_LIBC_ERR(pdgetpid(fd, &pid), ENOTCAPABLE);
	CHECK(raw(SYS_waitid, P_PIDFD, fd, &si, WEXITED | WNOHANG | __WALL,
	    0) == 0);
	CHECK(pdwait4(fd, &st, WNOHANG, NULL) == 0);
	CHECK(proc_alive(pid));
}

Test(rights, cap_pdwait_alone)
{
	CAPMODE_RUN(wait_only, NULL);
}

static void
kill_only(void *arg)
{
	siginfo_t si;
	pid_t pid;
	int fd, st;

	pid = pd_sleeper(&fd, 0);
	limit(fd, CAP_PDKILL, 0);
	pd_enter();
	CHECK_ERR(raw(SYS_waitid, P_PIDFD, fd, &si, WEXITED | WNOHANG | __WALL,
	    0), ENOTCAPABLE);
	CHECK_LIBC_ERR(pdwait4(fd, &st, WNOHANG, NULL), ENOTCAPABLE);
	CHECK_LIBC_ERR(pdwait(fd, &st, WEXITED, NULL, NULL), ENOTCAPABLE);
	/* Outside the domain, so through the watchdog. */
	CHECK(pdkill(fd, SIGKILL) == 0);
	CHECK(proc_wait_gone(pid, 5000));
}

Test(rights, cap_pdkill_alone)
{
	CAPMODE_RUN(kill_only, NULL);
}

static void
getpid_only(void *arg)
{
	struct pd_info info;
	pid_t pid, got;
	int fd, fd2, fd3, n;

	pid = pd_sleeper(&fd, 0);
	fd2 = dup(fd);
	fd3 = dup(fd);
	CHECK(fd2 >= 0 && fd3 >= 0);
	limit(fd, CAP_PDGETPID, 0);
	limit(fd2, CAP_PDGETPID, CAP_IOCTL);
	CHECK(cap_ioctls_limit(fd2, NULL, 0) == 0);
	limit(fd3, CAP_PDWAIT, CAP_IOCTL);
	pd_enter();
	memset(&info, 0, sizeof(info));
	info.mask = 1;
	/* CAP_PDGETPID alone allows PIDFD_GET_INFO, as it allows
	 * pdgetpid(2) on FreeBSD; it allows no other ioctl. */
	CHECK_OK(raw(SYS_ioctl, fd, PD_GET_INFO, &info));
	CHECK(info.pid == (unsigned int)pid);
	CHECK(pdgetpid(fd, &got) == 0 && got == pid);
	CHECK_ERR(raw(SYS_ioctl, fd, FIONREAD, &n), ENOTCAPABLE);
	/* An empty ioctl list does not bar it either. */
	memset(&info, 0, sizeof(info));
	info.mask = 1;
	CHECK_OK(raw(SYS_ioctl, fd2, PD_GET_INFO, &info));
	CHECK(info.pid == (unsigned int)pid);
	CHECK(pdgetpid(fd2, &got) == 0 && got == pid);
	CHECK_ERR(raw(SYS_ioctl, fd2, FIONREAD, &n), ENOTCAPABLE);
	/* CAP_IOCTL without CAP_PDGETPID does not allow it. */
	CHECK_ERR(raw(SYS_ioctl, fd3, PD_GET_INFO, &info), ENOTCAPABLE);
	CHECK_LIBC_ERR(pdgetpid(fd3, &got), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_pidfd_send_signal, fd, 0, 0, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_pidfd_send_signal, fd2, 0, 0, 0), ENOTCAPABLE);
}

Test(rights, cap_pdgetpid_alone)
{
	CAPMODE_RUN(getpid_only, NULL);
}

static void
event_right(void *arg)
{
	struct epoll_event ev;
	pid_t a, b;
	int fa, fb, ep;

	a = pd_sleeper(&fa, 0);
	b = pd_sleeper(&fb, 0);
	limit(fa, CAP_PDWAIT, 0);
	limit(fb, CAP_PDWAIT, CAP_EVENT);
	ep = epoll_create1(0);
	CHECK(ep >= 0);
	pd_enter();
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	CHECK_ERR(raw(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fa, &ev), ENOTCAPABLE);
	CHECK_OK(raw(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fb, &ev));
	(void)a;
	(void)b;
}

Test(rights, cap_event_for_epoll)
{
	CAPMODE_RUN(event_right, NULL);
}

/* A limit set inside capability mode takes effect at once. */
static void
limit_inside(void *arg)
{
	pid_t pid;
	int fd, st;

	pd_enter();
	pid = pd_sleeper(&fd, 0);
	limit(fd, CAP_PDWAIT, 0);
	CHECK_ERR(raw(SYS_pidfd_send_signal, fd, SIGKILL, 0, 0), ENOTCAPABLE);
	CHECK_LIBC_ERR(pdkill(fd, SIGKILL), ENOTCAPABLE);
	CHECK(pdwait4(fd, &st, WNOHANG, NULL) == 0);
	CHECK(proc_alive(pid));
}

Test(rights, limit_inside_capability_mode)
{
	CAPMODE_RUN(limit_inside, NULL);
}

/* The lifeline counts a limited descriptor: its number keeps a
 * placeholder when closed, but the open file is released. */
static void
limited_close_kills(void *arg)
{
	pid_t a, b;
	int fa, fb;

	a = pd_sleeper(&fa, 0);
	limit(fa, CAP_PDWAIT, 0);
	pd_enter();
	b = pd_sleeper(&fb, 0);
	limit(fb, CAP_PDWAIT, 0);
	CHECK(close(fa) == 0);
	CHECK_OK(raw(SYS_close, fb));
	CHECK(proc_wait_gone(a, 5000));
	CHECK(proc_wait_gone(b, 5000));
}

Test(rights, closing_a_limited_descriptor_kills)
{
	CAPMODE_RUN(limited_close_kills, NULL);
}
