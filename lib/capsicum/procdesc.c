/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process descriptors: pdfork(2), pdgetpid(2), pdkill(2), pdwait4(2) and
 * pdwait(2) on Linux pidfds.
 *
 * The descriptor the program gets is the pidfd from clone(CLONE_PIDFD) of a
 * child whose exit signal is 0: no SIGCHLD, invisible to wait(-1).  Every
 * operation is the system call on that descriptor, so the seccomp filter
 * checks the right on the number the program uses (policy.c):
 *
 *   pdkill    pidfd_send_signal       CAP_PDKILL
 *   pdwait*   waitid(P_PIDFD)         CAP_PDWAIT
 *   pdgetpid  ioctl(PIDFD_GET_INFO)   CAP_PDGETPID
 *   polling   epoll_ctl               CAP_EVENT (poll and select: unchecked)
 *
 * What the kernel does not do on 6.18 the library adds with two helpers:
 *
 *  - The watchdog (procdesc_watch.c), a process started at the first
 *    pdfork, holds a pidfd of each child on an open file of its own.  The
 *    program's open file carries a shared flock(2) lock that the kernel
 *    drops when the last reference goes away, in whatever process; the
 *    watchdog then sends SIGKILL (unless PD_DAEMON).  The watchdog also
 *    delivers pdkill for a sandboxed holder when Landlock's signal scope
 *    refuses it (a child forked before cap_enter is outside the domain).
 *  - The reaper, a thread in each process that pdforked.  Only the parent
 *    can reap a child, and FreeBSD programs expect POLLHUP at exit, which a
 *    pidfd only reports once its process is reaped.  When the watchdog
 *    reports an exit the reaper reaps the child at once and keeps the
 *    status and resource usage for pdwait.  No zombie outlives that.
 *
 * The process keeps no second, unlimited pidfd of a live child: that would
 * bypass the rights of the program's descriptor.  The watchdog hands one
 * over only after the child has exited, to reap it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sys/capsicum.h>
#include <sys/procdesc.h>

#include "capsicum_impl.h"
#include "procdesc_impl.h"
#include "sys.h"

static void	note_pidfs(int pfd);

/* glibc (x86_64) keeps the thread id here in struct pthread. */
#define	GLIBC_TID_OFFSET	0x2d0

/* Options each wait accepts (Linux values, see <sys/wait.h>). */
#define	WAIT4_OPTIONS	(WNOHANG | WUNTRACED | WCONTINUED | WEXITED |	\
			 WNOWAIT)
#define	WAIT6_OPTIONS	(WNOHANG | WSTOPPED | WCONTINUED | WEXITED |	\
			 WNOWAIT)
#define	WAIT_EVENTS	(WEXITED | WSTOPPED | WCONTINUED)

/* ---------------------------------------------------------------------
 * pdfork().
 *
 * The parent takes the lifeline lock and hands the watchdog a pidfd of
 * the child (pidfd_open; in capability mode, where it is refused, one the
 * kernel makes from the child's SCM_PIDFD) together with a "go" descriptor
 * the child waits on.  The watchdog checks that the child is the sender's,
 * starts watching it and writes to "go"; only then does the child return
 * to the program.  If the parent dies first, the watchdog's check fails
 * (the child has been reparented), nobody writes, the child reads end of
 * file and kills itself (unless PD_DAEMON): FreeBSD kills a child whose
 * descriptor is closed, and the parent's death closed it.
 */
struct pd_fork {
	int	pf_flags;
	bool	pf_scm;		/* capability mode: child sends SCM_PIDFD */
	int	pf_child;	/* the child's end: waits on it */
	int	pf_parent;	/* the parent's end: becomes "go" */
	void	*pf_rhead;	/* glibc's robust mutex list */
	size_t	pf_rlen;
};

/*
 * pdfork issues clone() itself, since glibc's fork() cannot ask for a
 * pidfd and exit signal 0.  Like glibc, have the kernel store the child's
 * thread id where glibc caches it (raise(), mutex owners), when that is
 * where we expect it.
 */
static pid_t *
glibc_tid_ptr(void)
{
#if defined(__x86_64__) && defined(__GLIBC__)
	pid_t *p;

	p = (pid_t *)((char *)pthread_self() + GLIBC_TID_OFFSET);
	if (*p == (pid_t)RAW0(SYS_gettid))
		return (p);
#endif
	return (NULL);
}

/*
 * The calling thread's robust mutex list and glibc's thread id field, for
 * the child.  glibc registers the list once when the thread starts and
 * never moves it, so each thread looks both up once.
 */
static _Thread_local struct thread_facts {
	bool	 tf_known;
	void	*tf_rhead;
	size_t	 tf_rlen;
	pid_t	*tf_tidp;
} thread_facts;

static const struct thread_facts *
thread_facts_get(void)
{
	struct thread_facts *tf = &thread_facts;

	if (!tf->tf_known) {
		tf->tf_rhead = NULL;
		tf->tf_rlen = 0;
		RAW3(SYS_get_robust_list, 0, &tf->tf_rhead, &tf->tf_rlen);
		tf->tf_tidp = glibc_tid_ptr();
		tf->tf_known = true;
	}
	return (tf);
}

/* Die as a child whose descriptor was closed does on FreeBSD. */
static void __attribute__((noreturn))
die_killed(void)
{

	RAW4(SYS_pidfd_send_signal, PD_SELF_THREAD_GROUP, SIGKILL, NULL, 0);
	RAW2(SYS_kill, RAW0(SYS_getpid), SIGKILL);
	RAW1(SYS_exit_group, 128 + SIGKILL);
	for (;;)
		;
}

/* In the new child, before it returns to the program. */
static void
pd_child(const struct pd_fork *pf)
{
	char c;
	long r;

	/* The kernel forgets the robust mutex list at fork. */
	if (pf->pf_rhead != NULL)
		RAW2(SYS_set_robust_list, pf->pf_rhead, pf->pf_rlen);
	capsicum_pd_reset_child();
	RAW1(SYS_close, pf->pf_parent);
	c = 0;
	if (pf->pf_scm)
		capsicum_raw6(SYS_sendto, pf->pf_child, (long)&c, 1,
		    MSG_NOSIGNAL, 0, 0);
	do {
		r = RAW3(SYS_read, pf->pf_child, &c, 1);
	} while (r == -EINTR);
	RAW1(SYS_close, pf->pf_child);
	/* Not watched: the parent died before the watchdog took us. */
	if (r != 1 && (pf->pf_flags & PD_DAEMON) == 0)
		die_killed();
}

/* The SCM_PIDFD the child sent, or -errno (-ESRCH: it died first). */
static long
recv_child_pidfd(int sock)
{
	int fds[PD_MSG_MAXFDS], nfds, pidfd, i;
	struct pd_msg m;
	long r;

	/* The child sends one byte; recv takes it as a short message. */
	do {
		r = capsicum_pd_recv(sock, &m, fds, &nfds, &pidfd, 0);
	} while (r == -EINTR);
	for (i = 0; r >= 0 && i < nfds; i++)
		RAW1(SYS_close, fds[i]);
	if (r <= 0)
		return (r == 0 ? -ESRCH : r);
	return (pidfd >= 0 ? pidfd : -ESRCH);
}

/* The child could not be watched: do not leave it behind. */
static void
abandon(int pfd)
{
	siginfo_t si;

	capsicum_pd_signal(pfd, SIGKILL);
	RAW5(SYS_waitid, P_PIDFD, pfd, &si, WEXITED | __WALL, NULL);
	RAW1(SYS_close, pfd);
}

static pid_t
pd_parent(pid_t pid, int pfd, const struct pd_fork *pf, int *fdp)
{
	struct pd_msg m;
	uint64_t ino;
	long ofd;
	int fds[2], r;

	/* The lifeline: the kernel releases this lock when the last
	 * reference to the open file goes, in any process. */
	RAW2(SYS_flock, pfd, LOCK_SH);
	/* Closed first, so that a child dying before it speaks is seen. */
	RAW1(SYS_close, pf->pf_child);
	if (pf->pf_scm)
		ofd = recv_child_pidfd(pf->pf_parent);
	else
		ofd = RAW2(SYS_pidfd_open, pid, 0);
	ino = capsicum_pd_ino(pfd);
	note_pidfs(pfd);
	/* Killed before it could introduce itself: nothing to watch;
	 * reap it now and keep the status for pdwait. */
	r = capsicum_pd_slot_new(ino, pid, pfd, ofd == -ESRCH);
	if (r == 0 && ofd != -ESRCH) {
		if (ofd < 0) {
			r = (int)ofd;
		} else {
			memset(&m, 0, sizeof(m));
			m.pm_magic = PD_MSG_MAGIC;
			m.pm_type = PDM_REG;
			m.pm_ino = ino;
			m.pm_pid = pid;
			m.pm_flags = (uint32_t)(pf->pf_flags & PD_DAEMON);
			fds[0] = (int)ofd;
			fds[1] = pf->pf_parent;
			r = capsicum_pd_request(&m, fds, 2);
			RAW1(SYS_close, ofd);
			if (r != 0)
				capsicum_pd_slot_drop(ino);
		}
	}
	RAW1(SYS_close, pf->pf_parent);
	if (r != 0) {
		abandon(pfd);
		errno = -r;
		return (-1);
	}
	if ((pf->pf_flags & PD_CLOEXEC) == 0)
		RAW3(SYS_fcntl, pfd, F_SETFD, 0);
	*fdp = pfd;
	return (pid);
}

/* The descriptors the child waits on: a socket pair in capability mode
 * (the child also sends SCM_PIDFD over it), a pipe otherwise. */
static int
make_go(struct pd_fork *pf)
{
	int one, fds[2];
	long r;

	if (pf->pf_scm) {
		r = RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET |
		    SOCK_CLOEXEC, 0, fds);
		one = 1;
		if (r == 0 && (r = RAW5(SYS_setsockopt, fds[0], SOL_SOCKET,
		    SO_PASSPIDFD, &one, sizeof(one))) != 0) {
			RAW1(SYS_close, fds[0]);
			RAW1(SYS_close, fds[1]);
		}
		pf->pf_parent = fds[0];
		pf->pf_child = fds[1];
	} else {
		r = RAW2(SYS_pipe2, fds, O_CLOEXEC);
		pf->pf_child = fds[0];
		pf->pf_parent = fds[1];
	}
	return ((int)r);
}

pid_t
pdfork(int *fdp, int flags)
{
	const struct thread_facts *tf;
	struct pd_fork pf;
	pid_t *tidp;
	long pid;
	int pfd, r;

	if ((flags & ~PD_ALLOWED_AT_FORK) != 0) {
		errno = EINVAL;
		return (-1);
	}
	if (fdp == NULL) {
		errno = EFAULT;
		return (-1);
	}
	memset(&pf, 0, sizeof(pf));
	pf.pf_flags = flags;
	/* pdfork(2): PD_DAEMON is not permitted in capability mode, where
	 * pidfd_open is refused too. */
	if (cap_sandboxed()) {
		if ((flags & PD_DAEMON) != 0) {
			errno = ECAPMODE;
			return (-1);
		}
		pf.pf_scm = true;
	} else {
		pf.pf_scm = !capsicum_pd_have_pidfd_open();
	}
	if ((r = capsicum_pd_setup()) != 0 || (r = make_go(&pf)) != 0) {
		errno = -r;
		return (-1);
	}
	tf = thread_facts_get();
	pf.pf_rhead = tf->tf_rhead;
	pf.pf_rlen = tf->tf_rlen;
	tidp = tf->tf_tidp;
	pfd = -1;
	pid = RAW5(SYS_clone, CLONE_PIDFD |
	    (tidp != NULL ? CLONE_CHILD_SETTID : 0), 0, &pfd, tidp, 0);
	if (pid == 0) {
		pd_child(&pf);
		return (0);
	}
	if (pid < 0) {
		RAW1(SYS_close, pf.pf_parent);
		RAW1(SYS_close, pf.pf_child);
		errno = (int)-pid;
		return (-1);
	}
	return (pd_parent((pid_t)pid, pfd, &pf, fdp));
}

/* ---------------------------------------------------------------------
 * pdkill().
 */
int
pdkill(int fd, int signum)
{
	long r;

	r = capsicum_pd_signal(fd, signum);
	/* Landlock's signal scope: the child is outside the domain. */
	if (r == -EPERM && cap_sandboxed())
		r = capsicum_pd_relay_kill(fd, signum);
	return ((int)capsicum_sysret(r));
}

/* ---------------------------------------------------------------------
 * fstat() of a process descriptor, as FreeBSD reports it.
 */
static _Atomic dev_t pidfs_dev;

/* pidfs's device, learnt from the first pidfd this process makes. */
static void
note_pidfs(int pfd)
{
	struct stat st;

	if (atomic_load_explicit(&pidfs_dev, memory_order_relaxed) == 0 &&
	    RAW2(SYS_fstat, pfd, &st) == 0)
		atomic_store(&pidfs_dev, st.st_dev);
}

/* That device, or 0 if this process (or the one it was forked from)
 * has made no pidfd yet. */
dev_t
capsicum_pd_pidfs_dev(void)
{

	return (atomic_load_explicit(&pidfs_dev, memory_order_relaxed));
}

/*
 * FreeBSD: a regular file, mode 0700 while the process has not exited and
 * no permission bits after, owned by the process's real ids.  Linux
 * reports pidfs's inode (mode 0700, no file type, owned by root).  Called
 * by the interposed fstat (interpose.c) for every successful call, so the
 * common case is one comparison.  The times stay pidfs's: the start time
 * is not available without /proc.
 */
void
capsicum_pd_fix_stat(int fd, struct stat *st)
{
	struct pd_pidfd_info info;
	dev_t dev;

	dev = atomic_load_explicit(&pidfs_dev, memory_order_relaxed);
	if (dev == 0 || st->st_dev != dev)
		return;
	memset(&info, 0, sizeof(info));
	if (capsicum_pd_info(fd, &info, PD_INFO_PID | PD_INFO_EXIT) != 0 ||
	    (info.mask & PD_INFO_PID) == 0) {
		/* Reaped, or the ioctl refused (no CAP_PDGETPID). */
		st->st_mode = S_IFREG;
		return;
	}
	st->st_mode = S_IFREG | ((info.mask & PD_INFO_EXIT) != 0 ? 0 : S_IRWXU);
	st->st_uid = info.ruid;
	st->st_gid = info.rgid;
}

/* ---------------------------------------------------------------------
 * pdgetpid().
 */
int
pdgetpid(int fd, pid_t *pidp)
{
	struct pd_pidfd_info info;
	pid_t pid;
	long r;

	r = capsicum_pd_info(fd, &info, PD_INFO_PID);
	if (r == 0 && (info.mask & PD_INFO_PID) != 0) {
		pid = (pid_t)info.pid;
	} else if (r == -ESRCH) {
		/*
		 * Reaped: the kernel has forgotten the pid, FreeBSD's
		 * descriptor has not.  Our own record answers for children
		 * this process forked.
		 */
		if ((pid = capsicum_pd_slot_pid(fd)) == 0) {
			errno = ESRCH;
			return (-1);
		}
	} else if (r == -ENOTCAPABLE || r == -EBADF || r == -EFAULT) {
		errno = (int)-r;
		return (-1);
	} else {
		/* Not a process descriptor: FreeBSD says EBADF. */
		errno = EBADF;
		return (-1);
	}
	if (pidp == NULL) {
		errno = EFAULT;
		return (-1);
	}
	*pidp = pid;
	return (0);
}

/* ---------------------------------------------------------------------
 * pdwait4(), pdwait().
 */
static int
status_of(const siginfo_t *si)
{

	switch (si->si_code) {
	case CLD_EXITED:
		return ((si->si_status & 0xff) << 8);
	case CLD_KILLED:
		return (si->si_status & 0x7f);
	case CLD_DUMPED:
		return ((si->si_status & 0x7f) | 0x80);
	case CLD_STOPPED:
	case CLD_TRAPPED:
		return (((si->si_status & 0xff) << 8) | 0x7f);
	case CLD_CONTINUED:
		return (0xffff);
	}
	return (0);
}

/*
 * waitid(P_PIDFD) on the descriptor; when the reaper got there first,
 * the status it kept.  Returns the pid, 0 (WNOHANG, nothing to report)
 * or -errno.
 */
static long
wait_common(int fd, int options, siginfo_t *si, struct rusage *ru)
{
	struct pd_pidfd_info info;
	long r;

	memset(si, 0, sizeof(*si));
	memset(ru, 0, sizeof(*ru));
	if (fd < 0)
		return (-EBADF);	/* Linux says EINVAL */
	r = RAW5(SYS_waitid, P_PIDFD, fd, si, options | __WALL, ru);
	if (r == 0) {
		if (si->si_pid != 0 && (options & WNOWAIT) == 0 &&
		    (si->si_code == CLD_EXITED || si->si_code == CLD_KILLED ||
		    si->si_code == CLD_DUMPED))
			capsicum_pd_slot_waited(fd, si->si_pid);
		return (si->si_pid);
	}
	if (r != -ECHILD)
		return (r);
	r = capsicum_pd_slot_status(fd, options, si, ru);
	if (r != -ECHILD)
		return (r);
	/*
	 * Not a child this process forked.  FreeBSD's ESRCH if the process
	 * is gone (the kernel keeps the exit status of a reaped process for
	 * pidfd holders), otherwise Linux's rule: only the parent waits.
	 */
	r = capsicum_pd_info(fd, &info, PD_INFO_PID | PD_INFO_EXIT);
	if (r == -ESRCH || (r == 0 && (info.mask & PD_INFO_PID) == 0))
		return (-ESRCH);
	return (-ECHILD);
}

int
pdwait4(int fd, int *status, int options, struct rusage *rusage)
{
	struct rusage ru;
	siginfo_t si;
	long r;

	if ((options & ~WAIT4_OPTIONS) != 0) {
		errno = EINVAL;
		return (-1);
	}
	r = wait_common(fd, options | WEXITED, &si, &ru);
	if (r < 0) {
		errno = (int)-r;
		return (-1);
	}
	if (r > 0 && status != NULL)
		*status = status_of(&si);
	if (rusage != NULL)
		*rusage = ru;
	return ((int)r);
}

int
pdwait(int fd, int *status, int options, struct __wrusage *wrusage,
    siginfo_t *info)
{
	struct rusage ru;
	siginfo_t si;
	long r;

	if ((options & ~WAIT6_OPTIONS) != 0 || (options & WAIT_EVENTS) == 0) {
		errno = EINVAL;
		return (-1);
	}
	r = wait_common(fd, options, &si, &ru);
	if (r < 0) {
		errno = (int)-r;
		return (-1);
	}
	if (r > 0 && status != NULL)
		*status = status_of(&si);
	if (wrusage != NULL) {
		memset(wrusage, 0, sizeof(*wrusage));
		wrusage->wru_self = ru;
	}
	if (info != NULL)
		*info = si;
	return ((int)r);
}
