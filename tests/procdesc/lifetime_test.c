/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * FreeBSD's lifetime rules for process descriptors: closing the last
 * reference kills the child with SIGKILL unless PD_DAEMON, counting
 * references held through dup, fork, exec and SCM_RIGHTS in other
 * processes, and when the holder exits, crashes or is killed.  No zombie
 * is left behind, and pid reuse cannot redirect a signal.
 *
 * Orphans are reparented; the tests that kill a holder make their child
 * a subreaper, so that the orphan comes to it and its fate (killed by
 * SIGKILL, or still running) can be read with waitpid.
 */
#include <sched.h>
#include <sys/resource.h>

#include "pdtest.h"

/* ---------------------------------------------------------------------
 * References in the parent itself.
 */
static void
close_kills(void *arg)
{
	pid_t pid;
	int fd;

	pid = pd_sleeper(&fd, 0);
	CHECK(proc_alive(pid));
	CHECK(close(fd) == 0);
	/* Killed by the watchdog, reaped by the reaper: gone entirely. */
	CHECK(proc_wait_gone(pid, 5000));
}

Test(lifetime, close_of_last_descriptor_kills)
{
	PD_RUN(close_kills, NULL);
}

static void
dup_keeps_alive(void *arg)
{
	pid_t pid;
	int fd, fd2, fd3;

	pid = pd_sleeper(&fd, 0);
	fd2 = dup(fd);
	fd3 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	CHECK(fd2 >= 0 && fd3 >= 100);
	CHECK(close(fd) == 0);
	CHECK(close(fd3) == 0);
	pd_sleep_ms(200);
	CHECK(proc_alive(pid));
	CHECK(pdkill(fd2, 0) == 0);
	CHECK(close(fd2) == 0);
	CHECK(proc_wait_gone(pid, 5000));
}

Test(lifetime, dup_keeps_child_until_last_copy)
{
	PD_RUN(dup_keeps_alive, NULL);
}

/* A raw close, bypassing the library entirely, counts the same. */
static void
raw_close_kills(void *arg)
{
	pid_t pid;
	int fd;

	pid = pd_sleeper(&fd, 0);
	CHECK_OK(raw(SYS_close, fd));
	CHECK(proc_wait_gone(pid, 5000));
}

Test(lifetime, raw_close_kills)
{
	PD_RUN(raw_close_kills, NULL);
}

static void
fork_copy_keeps_alive(void *arg)
{
	pid_t pid, holder;
	int fd, st, p[2], q[2];

	CHECK(pipe(p) == 0 && pipe(q) == 0);
	pid = pd_sleeper(&fd, 0);
	holder = fork();
	CHECK(holder >= 0);
	if (holder == 0) {
		/* The fork holds a copy until it exits. */
		put_byte(q[1], 'r');
		(void)get_byte(p[0]);
		_exit(0);
	}
	CHECK(get_byte(q[0]) == 'r');
	CHECK(close(fd) == 0);
	pd_sleep_ms(200);
	CHECK(proc_alive(pid));
	put_byte(p[1], 'x');
	CHECK(waitpid(holder, &st, 0) == holder);
	CHECK(proc_wait_gone(pid, 5000));
}

Test(lifetime, fork_copy_keeps_child_until_it_exits)
{
	PD_RUN(fork_copy_keeps_alive, NULL);
}

/* exec keeps a descriptor without PD_CLOEXEC and drops one with it. */
static void
exec_keeps_or_drops(void *arg)
{
	pid_t kept, dropped, sleeper;
	int fk, fdr, st;
	char num[16];

	kept = pd_sleeper(&fk, 0);
	dropped = pd_sleeper(&fdr, PD_CLOEXEC);
	sleeper = fork();
	CHECK(sleeper >= 0);
	if (sleeper == 0) {
		/* Let the parent close its copies, then hold ours across
		 * exec for a while. */
		snprintf(num, sizeof(num), "%d", 1);
		execl("/bin/sleep", "sleep", num, (char *)NULL);
		_exit(127);
	}
	CHECK(close(fk) == 0 && close(fdr) == 0);
	/* The exec'd program holds fk's open file, not fdr's. */
	CHECK(proc_wait_gone(dropped, 5000));
	CHECK(proc_alive(kept));
	CHECK(waitpid(sleeper, &st, 0) == sleeper && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	CHECK(proc_wait_gone(kept, 5000));
}

Test(lifetime, exec_keeps_descriptor_unless_cloexec)
{
	PD_RUN(exec_keeps_or_drops, NULL);
}

/* ---------------------------------------------------------------------
 * SCM_RIGHTS: another process holds the last copy.
 */
static void
passed_descriptor(void *arg)
{
	pid_t pid, peer;
	int fd, st, sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	/* The peer exists before the child, so it can hold the child's
	 * descriptor only by receiving it. */
	peer = fork();
	CHECK(peer >= 0);
	if (peer == 0) {
		close(sv[0]);
		fd = recv_fd(sv[1]);
		put_byte(sv[1], 'g');
		(void)get_byte(sv[1]);
		/* A received descriptor works like the original. */
		if (pdkill(fd, 0) != 0)
			_exit(1);
		close(fd);
		put_byte(sv[1], 'c');
		(void)get_byte(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	pid = pd_sleeper(&fd, 0);
	send_fd(sv[0], fd);
	CHECK(get_byte(sv[0]) == 'g');
	CHECK(close(fd) == 0);
	pd_sleep_ms(200);
	CHECK(proc_alive(pid));
	put_byte(sv[0], 'k');
	CHECK(get_byte(sv[0]) == 'c');
	/* The peer's close was the last: killed, and reaped by us. */
	CHECK(proc_wait_gone(pid, 5000));
	put_byte(sv[0], 'x');
	CHECK(waitpid(peer, &st, 0) == peer && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
}

Test(lifetime, passed_descriptor_keeps_child_until_last_copy)
{
	PD_RUN(passed_descriptor, NULL);
}

/* A descriptor still in flight (sent, not yet received) is a reference;
 * the socket's destruction releases it. */
static void
in_flight_descriptor(void *arg)
{
	pid_t pid;
	int fd, sv[2];

	/* Made after the child, which must not hold the sockets. */
	pid = pd_sleeper(&fd, 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	send_fd(sv[0], fd);
	CHECK(close(fd) == 0);
	pd_sleep_ms(200);
	CHECK(proc_alive(pid));
	close(sv[0]);
	close(sv[1]);
	CHECK(proc_wait_gone(pid, 5000));
}

Test(lifetime, descriptor_in_flight_counts)
{
	PD_RUN(in_flight_descriptor, NULL);
}

/* ---------------------------------------------------------------------
 * The holder goes away.
 */
enum holder_end { HOLDER_EXITS, HOLDER_KILLED, HOLDER_CRASHES };

struct holder_case {
	enum holder_end	hc_end;
	int		hc_flags;
};

static void
holder(const struct holder_case *hc, int out, int go)
{
	pid_t pid;
	int fd;

	pid = pd_sleeper(&fd, hc->hc_flags);
	put_pid(out, pid);
	(void)get_byte(go);
	switch (hc->hc_end) {
	case HOLDER_EXITS:
		_exit(0);
	case HOLDER_KILLED:
		for (;;)
			pause();
	case HOLDER_CRASHES:
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
		_exit(1);
	}
}

static void
grandchild_fate(void *arg)
{
	const struct holder_case *hc = arg;
	pid_t h, g;
	int st, p[2], go[2];

	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	CHECK(pipe(p) == 0 && pipe(go) == 0);
	h = fork();
	CHECK(h >= 0);
	if (h == 0)
		holder(hc, p[1], go[0]);
	g = get_pid(p[0]);
	put_byte(go[1], 'g');
	if (hc->hc_end == HOLDER_KILLED)
		CHECK(kill(h, SIGKILL) == 0);
	CHECK(waitpid(h, &st, 0) == h);
	if ((hc->hc_flags & PD_DAEMON) == 0) {
		/* Orphaned to us, killed by SIGKILL: nothing else kills. */
		CHECK(waitpid(g, &st, 0) == g);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	} else {
		pd_sleep_ms(300);
		CHECK(waitpid(g, &st, WNOHANG) == 0);
		CHECK(proc_alive(g));
		CHECK(kill(g, SIGTERM) == 0);
		CHECK(waitpid(g, &st, 0) == g);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	}
	CHECK(proc_state(g) == 0);
}

Test(lifetime, grandchild_killed_when_holder_exits)
{
	static const struct holder_case hc = { HOLDER_EXITS, 0 };

	PD_RUN(grandchild_fate, (void *)&hc);
}

Test(lifetime, grandchild_killed_when_holder_is_sigkilled)
{
	static const struct holder_case hc = { HOLDER_KILLED, 0 };

	PD_RUN(grandchild_fate, (void *)&hc);
}

Test(lifetime, grandchild_killed_when_holder_crashes)
{
	static const struct holder_case hc = { HOLDER_CRASHES, PD_CLOEXEC };

	PD_RUN(grandchild_fate, (void *)&hc);
}

Test(lifetime, daemon_survives_holder_exit)
{
	static const struct holder_case hc = { HOLDER_EXITS, PD_DAEMON };

	PD_RUN(grandchild_fate, (void *)&hc);
}

Test(lifetime, daemon_survives_holder_sigkill)
{
	static const struct holder_case hc = { HOLDER_KILLED, PD_DAEMON };

	PD_RUN(grandchild_fate, (void *)&hc);
}

/* PD_DAEMON in a living parent: not killed on close, still reaped when
 * it exits (FreeBSD hands it to init; only the parent can reap here). */
static void
daemon_close_then_exit(void *arg)
{
	pid_t pid;
	int fd, p[2];

	CHECK(pipe(p) == 0);
	pid = pdfork(&fd, PD_DAEMON);
	CHECK(pid >= 0);
	if (pid == 0) {
		(void)get_byte(p[0]);
		_exit(0);
	}
	CHECK(close(fd) == 0);
	pd_sleep_ms(200);
	CHECK(proc_alive(pid));
	put_byte(p[1], 'x');
	CHECK(proc_wait_gone(pid, 5000));
}

Test(lifetime, daemon_survives_close_and_is_reaped)
{
	PD_RUN(daemon_close_then_exit, NULL);
}

/* Exited, never waited for, descriptor closed: no zombie either. */
static void
exited_then_closed(void *arg)
{
	pid_t pid;
	int fd;

	pid = pdfork(&fd, 0);
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	CHECK(pd_poll_hup(fd, 5000) & POLLHUP);
	CHECK(close(fd) == 0);
	CHECK(proc_wait_gone(pid, 5000));
	/* ... and many of them. */
	for (int i = 0; i < 20; i++) {
		pid = pdfork(&fd, i % 2 ? PD_DAEMON : 0);
		CHECK(pid >= 0);
		if (pid == 0)
			_exit(0);
		CHECK(close(fd) == 0);
		CHECK(proc_wait_gone(pid, 5000));
	}
}

Test(lifetime, no_zombie_without_pdwait)
{
	PD_RUN(exited_then_closed, NULL);
}

/* ---------------------------------------------------------------------
 * pid reuse.  In a pid namespace of our own (a user namespace makes it
 * possible without privilege) ns_last_pid can be set so that the next
 * process takes a pid just freed.
 */
static void
set_last_pid(pid_t pid)
{
	char buf[32];
	int fd, n;

	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	CHECK(write(fd, buf, (size_t)n) == n);
	close(fd);
}

static void
reuse_in_namespace(int out)
{
	pid_t pid, reuser;
	int fd, st;

	/* Neither pdkill nor the watchdog's kill on close reaches the
	 * process that took the pid over. */
	pid = pdfork(&fd, 0);
	if (pid < 0)
		_exit(20);
	if (pid == 0)
		_exit(0);
	if (pdwait4(fd, &st, 0, NULL) != pid)
		_exit(21);
	set_last_pid(pid - 1);
	reuser = fork();
	if (reuser < 0)
		_exit(22);
	if (reuser == 0) {
		for (;;)
			pause();
	}
	if (reuser != pid)
		_exit(23);
	if (pdkill(fd, SIGKILL) != -1 || errno != ESRCH)
		_exit(24);
	close(fd);
	pd_sleep_ms(300);
	if (waitpid(reuser, &st, WNOHANG) != 0)
		_exit(25);
	kill(reuser, SIGKILL);
	waitpid(reuser, &st, 0);
	put_byte(out, 'k');
	_exit(0);
}

static void
pid_reuse(void *arg)
{
	pid_t init;
	int st, p[2];

	CHECK(pipe(p) == 0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0)
		_exit(PD_SKIP);
	init = fork();
	CHECK(init >= 0);
	if (init == 0)
		reuse_in_namespace(p[1]);
	CHECK(waitpid(init, &st, 0) == init);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		dprintf(2, "namespace init: status %#x\n", st);
		_exit(1);
	}
	CHECK(get_byte(p[0]) == 'k');
}

Test(lifetime, pid_reuse_cannot_redirect_signals)
{
	PD_RUN(pid_reuse, NULL);
}
