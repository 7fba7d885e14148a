/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trap mode: capability violations raise SIGTRAP at the call (FreeBSD's
 * procctl(PROC_TRAPCAP_CTL) and kern.trap_enotcap, here CAPSICUM_TRAP).
 */
#include <signal.h>
#include <sys/procctl.h>

#include <sys/capsicum.h>

#include "harness.h"

static volatile sig_atomic_t got_code, got_errno, got_syscall, got_count;

static void
on_trap(int sig, siginfo_t *si, void *uc)
{

	got_count++;
	got_code = si->si_code;
	got_errno = si->si_errno;
	got_syscall = si->si_syscall;
}

static void
catch_traps(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGTRAP, &sa, NULL) == 0);
}

static void
enable(void)
{
	int v = PROC_TRAPCAP_CTL_ENABLE;

	CHECK(procctl(P_PID, 0, PROC_TRAPCAP_CTL, &v) == 0);
}

static void
trap_reports_ecapmode(void *arg)
{
	int fd;

	catch_traps();
	enable();
	capmode_enter();
	CHECK_ERR(raw(SYS_open, "/etc/passwd", O_RDONLY), ECAPMODE);
	CHECK(got_count == 1);
	CHECK(got_code == TRAP_CAP);
	CHECK(got_errno == ECAPMODE);
	CHECK(got_syscall == SYS_open);
	CHECK(capsicum_trap_last.ti_syscall == SYS_open);
	CHECK(capsicum_trap_last.ti_errno == ECAPMODE);
	CHECK(capsicum_trap_last.ti_addr != NULL);
	CHECK(capsicum_trap_last.ti_args[1] == O_RDONLY);
	/* Argument-dependent refusals trap too. */
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "x", O_RDONLY), ECAPMODE);
	CHECK(got_count == 2 && got_syscall == SYS_openat);
	/* Emulations are not violations. */
	struct stat st;
	CHECK_OK(raw(SYS_newfstatat, 1, "", &st, AT_EMPTY_PATH));
	fd = (int)raw(SYS_dup, 1);
	CHECK(fd >= 0);
	CHECK(got_count == 2);
	/* Allowed calls do not trap. */
	CHECK(raw(SYS_getpid) > 0);
	CHECK(got_count == 2);
}

Test(trap_mode, sigtrap_with_details_for_ecapmode)
{
	SANDBOXED(trap_reports_ecapmode, NULL);
}

static void
trap_reports_enotcapable(void *arg)
{
	cap_rights_t r;
	int p[2];

	CHECK(pipe(p) == 0);
	cap_rights_init(&r, CAP_READ);
	CHECK(cap_rights_limit(p[1], &r) == 0);
	catch_traps();
	enable();
	capmode_enter();
	CHECK_ERR(raw(SYS_write, p[1], "x", 1), ENOTCAPABLE);
	CHECK(got_count == 1 && got_code == TRAP_CAP);
	CHECK(got_errno == ENOTCAPABLE && got_syscall == SYS_write);
	CHECK_ERR(raw(SYS_dup2, p[1], 100), ENOTCAPABLE);
	CHECK(got_count == 2 && got_syscall == SYS_dup2);
}

Test(trap_mode, sigtrap_for_enotcapable)
{
	SANDBOXED(trap_reports_enotcapable, NULL);
}

/* Unhandled, the trap kills the process (a core dump shows the call). */
static void
trap_default_kills(void *arg)
{

	enable();
	signal(SIGTRAP, SIG_IGN);	/* ignored is not enough to hide it */
	capmode_enter();
	(void)raw(SYS_open, "/etc/passwd", O_RDONLY);
	_exit(0);
}

Test(trap_mode, unhandled_trap_kills)
{
	SANDBOXED_SIGNAL(trap_default_kills, NULL, SIGTRAP);
}

static void
trap_from_environment(void *arg)
{

	setenv("CAPSICUM_TRAP", "1", 1);
	capmode_enter();
	(void)raw(SYS_chdir, "/");
	_exit(0);
}

Test(trap_mode, environment_variable)
{
	SANDBOXED_SIGNAL(trap_from_environment, NULL, SIGTRAP);
}

static void
no_trap_by_default(void *arg)
{

	catch_traps();
	capmode_enter();
	CHECK_ERR(raw(SYS_open, "/etc/passwd", O_RDONLY), ECAPMODE);
	CHECK(got_count == 0);
}

Test(trap_mode, off_by_default)
{
	SANDBOXED(no_trap_by_default, NULL);
}

/* Children and exec'd images inherit trap mode. */
static void
trap_inherited_by_fork(void *arg)
{
	pid_t pid;
	int st;

	SKIP_UNDER_VALGRIND();
	enable();
	pid = fork();
	if (pid == 0) {
		if (cap_enter() != 0)
			_exit(2);
		(void)raw(SYS_open, "/", O_RDONLY);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP);
}

Test(trap_mode, inherited_by_children)
{
	SANDBOXED(trap_inherited_by_fork, NULL);
}

static void
procctl_errors(void *arg)
{
	int v;

	CHECK(procctl(P_PID, 0, PROC_TRAPCAP_STATUS, &v) == 0);
	CHECK(v == PROC_TRAPCAP_CTL_DISABLE);
	v = 3;
	CHECK_LIBC_ERR(procctl(P_PID, 0, PROC_TRAPCAP_CTL, &v), EINVAL);
	CHECK_LIBC_ERR(procctl(P_PID, 0, 99, &v), EINVAL);
	CHECK_LIBC_ERR(procctl(P_PID, getppid(), PROC_TRAPCAP_STATUS, &v),
	    ESRCH);
	CHECK_LIBC_ERR(procctl(P_PGID, 0, PROC_TRAPCAP_STATUS, &v), ESRCH);
	CHECK_LIBC_ERR(procctl(P_PID, 0, PROC_TRAPCAP_STATUS, NULL), EFAULT);
	v = PROC_TRAPCAP_CTL_ENABLE;
	CHECK(procctl(P_PID, getpid(), PROC_TRAPCAP_CTL, &v) == 0);
	CHECK(procctl(P_PID, 0, PROC_TRAPCAP_STATUS, &v) == 0);
	CHECK(v == PROC_TRAPCAP_CTL_ENABLE);
	v = PROC_TRAPCAP_CTL_DISABLE;
	CHECK(procctl(P_PID, 0, PROC_TRAPCAP_CTL, &v) == 0);
	capmode_enter();
	v = PROC_TRAPCAP_CTL_ENABLE;
	/* Decided before capability mode, as on FreeBSD. */
	CHECK_LIBC_ERR(procctl(P_PID, 0, PROC_TRAPCAP_CTL, &v), ECAPMODE);
	CHECK(procctl(P_PID, 0, PROC_TRAPCAP_STATUS, &v) == 0);
	CHECK(v == PROC_TRAPCAP_CTL_DISABLE);
}

Test(procctl, errors_and_status)
{
	SANDBOXED(procctl_errors, NULL);
}
