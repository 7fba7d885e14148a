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
 * The process never holds a second, unlimited pidfd of a live child: that
 * would bypass the rights of the program's descriptor.  The watchdog
 * hands one over only after the child has exited, to reap it.
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
#include "fdtable.h"
#include "procdesc_impl.h"
#include "sys.h"

/* Library descriptors live above the numbers programs use themselves. */
#define	PD_FD_MIN	192

/* glibc (x86_64) keeps the thread id here in struct pthread. */
#define	GLIBC_TID_OFFSET	0x2d0

/* Options each wait accepts (Linux values, see <sys/wait.h>). */
#define	WAIT4_OPTIONS	(WNOHANG | WUNTRACED | WCONTINUED | WEXITED | WNOWAIT)
#define	WAIT6_OPTIONS	(WNOHANG | WSTOPPED | WCONTINUED | WEXITED | WNOWAIT)
#define	WAIT_EVENTS	(WEXITED | WSTOPPED | WCONTINUED)

/*
 * A child this process pdforked, until it is reaped and no descriptor of
 * it is left.  The slot keeps what FreeBSD keeps in the process
 * descriptor: the pid (pdgetpid works after exit) and, once the reaper
 * reaped the child, the status for pdwait.
 */
enum pd_slot_state {
	PS_RUNNING,	/* not reaped */
	PS_STORED,	/* reaped by the reaper; status kept */
	PS_WAITED,	/* status consumed by pdwait (or reaped by it) */
};

struct pd_slot {
	uint64_t	ps_ino;		/* pidfs inode of the child */
	pid_t		ps_pid;
	int		ps_fd;		/* descriptor pdfork returned */
	uint8_t		ps_state;	/* enum pd_slot_state */
	bool		ps_released;	/* watchdog: last descriptor closed */
	siginfo_t	ps_si;
	struct rusage	ps_ru;
};

/*
 * Per-process state.  pd_pid says which process it belongs to: after a
 * fork the child finds the parent's pid there and sets itself up (its own
 * channel to the watchdog, its own reaper).
 */
static struct pd_state {
	pthread_mutex_t	 lock;		/* slots and the channel number */
	pid_t		 pid;		/* owner; 0: none yet */
	int		 chan;		/* client end of the watchdog channel */
	dev_t		 chan_dev;
	ino_t		 chan_ino;
	atomic_bool	 reaper;	/* reaper thread running on chan */
	unsigned long	 gen;		/* bumped with every new channel */
	struct pd_slot	*slots;
	unsigned int	 nslots;
	unsigned int	 capslots;
} pd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.chan = -1,
};

/* Serialises setting up the helpers.  Not taken by the fork handlers:
 * starting the watchdog forks while holding it. */
static pthread_mutex_t pd_setup_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------------------------------------------------------------------
 * Small helpers shared with the watchdog.
 */
int
capsicum_pd_move_high(int fd)
{
	long hi;

	if (fd < 0 || fd >= PD_FD_MIN)
		return (fd);
	hi = RAW3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, PD_FD_MIN);
	if (hi < 0)
		return (fd);
	RAW1(SYS_close, fd);
	return ((int)hi);
}

long
capsicum_pd_send(int sock, const struct pd_msg *m, const int *fds, int nfds,
    int flags)
{
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(int) * PD_MSG_MAXFDS)];
	} cb;
	struct iovec iov = { (void *)m, sizeof(*m) };
	struct msghdr mh;
	struct cmsghdr *cm;
	long r;

	memset(&mh, 0, sizeof(mh));
	memset(&cb, 0, sizeof(cb));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		mh.msg_control = cb.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	do {
		r = RAW3(SYS_sendmsg, sock, &mh, MSG_NOSIGNAL | flags);
	} while (r == -EINTR);
	return (r);
}

/*
 * Receive one message and the descriptors it carries (up to
 * PD_MSG_MAXFDS; the kernel closes any that do not fit).  Descriptors
 * passed by any other means (SCM_PIDFD) are closed.
 */
long
capsicum_pd_recv(int sock, struct pd_msg *m, int *fds, int *nfdsp, int flags)
{
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(int) * PD_MSG_MAXFDS) +
				    CMSG_SPACE(sizeof(int))];
	} cb;
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh;
	struct cmsghdr *cm;
	size_t n, i;
	int fd;
	long r;

	*nfdsp = 0;
	memset(m, 0, sizeof(*m));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = sizeof(cb.b);
	r = RAW3(SYS_recvmsg, sock, &mh, MSG_CMSG_CLOEXEC | flags);
	if (r < 0)
		return (r);
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    (cm->cmsg_type != SCM_RIGHTS && cm->cmsg_type != SCM_PIDFD))
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (cm->cmsg_type == SCM_RIGHTS &&
			    *nfdsp < PD_MSG_MAXFDS)
				fds[(*nfdsp)++] = fd;
			else
				RAW1(SYS_close, fd);
		}
	}
	return (r);
}

long
capsicum_pd_info(int fd, struct pd_pidfd_info *info, uint64_t mask)
{

	memset(info, 0, sizeof(*info));
	info->mask = mask;
	return (RAW3(SYS_ioctl, fd, PD_GET_INFO, info));
}

/* The pidfs inode of a descriptor, 0 if fstat is refused or fails. */
static uint64_t
fd_ino(int fd)
{
	struct stat st;

	if (RAW2(SYS_fstat, fd, &st) != 0)
		return (0);
	return ((uint64_t)st.st_ino);
}

/* ---------------------------------------------------------------------
 * Slots.  Callers hold pd.lock.
 */
static struct pd_slot *
slot_by_ino(uint64_t ino)
{
	unsigned int i;

	for (i = 0; i < pd.nslots; i++) {
		if (pd.slots[i].ps_ino == ino)
			return (&pd.slots[i]);
	}
	return (NULL);
}

/* The slot of descriptor fd: by inode, or by number when fstat is
 * refused (a limited descriptor without CAP_FSTAT). */
static struct pd_slot *
slot_by_fd(int fd, uint64_t ino)
{
	unsigned int i;

	if (ino != 0)
		return (slot_by_ino(ino));
	for (i = 0; i < pd.nslots; i++) {
		if (pd.slots[i].ps_fd == fd)
			return (&pd.slots[i]);
	}
	return (NULL);
}

/* Forget a slot nobody can ask about any more. */
static void
slot_settle(struct pd_slot *s)
{

	if (!s->ps_released || s->ps_state == PS_RUNNING)
		return;
	*s = pd.slots[--pd.nslots];
}

/* Room for one more slot, allocated by the caller's thread: the reaper
 * never allocates (see pd_child). */
static int
slot_reserve(void)
{
	struct pd_slot *n;
	unsigned int cap;

	if (pd.nslots < pd.capslots)
		return (0);
	cap = pd.capslots == 0 ? 16 : pd.capslots * 2;
	n = realloc(pd.slots, cap * sizeof(*n));
	if (n == NULL)
		return (-ENOMEM);
	pd.slots = n;
	pd.capslots = cap;
	return (0);
}

/* ---------------------------------------------------------------------
 * The reaper thread.
 */
static void
reap(uint64_t ino, int fd)
{
	struct pd_slot *s;
	struct rusage ru;
	siginfo_t si;
	long r;

	pthread_mutex_lock(&pd.lock);
	s = slot_by_ino(ino);
	memset(&si, 0, sizeof(si));
	memset(&ru, 0, sizeof(ru));
	/* WNOHANG: a thread-group leader whose threads still run is
	 * reported exited before it can be reaped. */
	r = RAW5(SYS_waitid, P_PIDFD, fd, &si, WEXITED | WNOHANG | __WALL,
	    &ru);
	if (r == 0 && si.si_pid != 0 && s != NULL &&
	    s->ps_state == PS_RUNNING) {
		s->ps_si = si;
		s->ps_ru = ru;
		s->ps_state = PS_STORED;
	}
	if (s != NULL)
		slot_settle(s);
	pthread_mutex_unlock(&pd.lock);
}

static void
released(uint64_t ino)
{
	struct pd_slot *s;

	pthread_mutex_lock(&pd.lock);
	if ((s = slot_by_ino(ino)) != NULL) {
		s->ps_released = true;
		slot_settle(s);
	}
	pthread_mutex_unlock(&pd.lock);
}

static bool
chan_is(int fd, dev_t dev, ino_t ino)
{
	struct stat st;

	return (fd >= 0 && RAW2(SYS_fstat, fd, &st) == 0 &&
	    st.st_dev == dev && st.st_ino == ino);
}

/*
 * Only system calls and pd.lock here: a pdfork in another thread copies
 * this process as it is, and its child must not find a lock of libc's or
 * of the allocator held.  The argument is the channel generation the
 * thread was started for.
 */
static void *
reaper_main(void *arg)
{
	int fds[PD_MSG_MAXFDS], nfds, i, chan;
	unsigned long gen;
	struct pd_msg m;
	dev_t dev;
	ino_t ino;
	long r;

	gen = (unsigned long)(uintptr_t)arg;
	pthread_mutex_lock(&pd.lock);
	chan = pd.gen == gen ? pd.chan : -1;
	dev = pd.chan_dev;
	ino = pd.chan_ino;
	pthread_mutex_unlock(&pd.lock);
	for (;;) {
		/* A program that closed our descriptor and reused the
		 * number must not have its messages read. */
		if (!chan_is(chan, dev, ino))
			break;
		r = capsicum_pd_recv(chan, &m, fds, &nfds, 0);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			break;
		if (r == sizeof(m) && m.pm_magic == PD_MSG_MAGIC) {
			if (m.pm_type == PDM_EXITED && nfds == 1)
				reap(m.pm_ino, fds[0]);
			else if (m.pm_type == PDM_RELEASED && nfds == 0)
				released(m.pm_ino);
		}
		for (i = 0; i < nfds; i++)
			RAW1(SYS_close, fds[i]);
	}
	pthread_mutex_lock(&pd.lock);
	if (pd.gen == gen)
		atomic_store(&pd.reaper, false);
	pthread_mutex_unlock(&pd.lock);
	return (NULL);
}

static int
start_reaper(void)
{
	pthread_attr_t attr;
	sigset_t set, old;
	pthread_t t;
	void *arg;
	int sig, r;

	pthread_mutex_lock(&pd.lock);
	arg = (void *)(uintptr_t)pd.gen;
	pthread_mutex_unlock(&pd.lock);
	/*
	 * The reaper takes no signal meant for the program, except the
	 * real-time signals: cap_enter() asks every thread to restrict
	 * itself with one of them.  SIGSYS stays open because the kernel
	 * kills a thread that blocks it when a filter traps.
	 */
	sigfillset(&set);
	sigdelset(&set, SIGSYS);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigdelset(&set, sig);
	pthread_sigmask(SIG_SETMASK, &set, &old);
	atomic_store(&pd.reaper, true);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, reaper_main, arg);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		atomic_store(&pd.reaper, false);
		return (-r);
	}
	return (0);
}

/* ---------------------------------------------------------------------
 * Connecting to the watchdog.
 */
static void
set_chan(int fd)
{
	struct stat st;

	pthread_mutex_lock(&pd.lock);
	pd.chan = fd;
	pd.gen++;
	if (fd >= 0 && RAW2(SYS_fstat, fd, &st) == 0) {
		pd.chan_dev = st.st_dev;
		pd.chan_ino = st.st_ino;
	}
	pthread_mutex_unlock(&pd.lock);
}

/*
 * A process forked from one that uses the watchdog inherits its channel:
 * ask the watchdog, over it, to take a channel of our own.
 */
static int
hello(int inherited)
{
	struct pd_msg m;
	int sv[2];
	long r;

	r = RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv);
	if (r < 0)
		return ((int)r);
	sv[0] = capsicum_pd_move_high(sv[0]);
	memset(&m, 0, sizeof(m));
	m.pm_magic = PD_MSG_MAGIC;
	m.pm_type = PDM_HELLO;
	r = capsicum_pd_send(inherited, &m, &sv[1], 1, 0);
	RAW1(SYS_close, sv[1]);
	if (r < 0) {
		RAW1(SYS_close, sv[0]);
		return ((int)r);
	}
	RAW1(SYS_close, inherited);
	set_chan(sv[0]);
	return (0);
}

/*
 * Make sure this process has a channel to a live watchdog and a reaper
 * reading it.  Called with pd_setup_lock held.
 */
static int
setup_locked(pid_t self)
{
	int chan, r;

	if (pd.pid == self && atomic_load(&pd.reaper))
		return (0);
	r = -1;
	if (pd.pid != self && chan_is(pd.chan, pd.chan_dev, pd.chan_ino))
		r = hello(pd.chan);
	if (r != 0) {
		/* Ours and dead, or the parent's and unusable. */
		if (pd.chan >= 0 && chan_is(pd.chan, pd.chan_dev,
		    pd.chan_ino))
			RAW1(SYS_close, pd.chan);
		set_chan(-1);
		if ((r = capsicum_pd_spawn_watch(&chan)) != 0)
			return (r);
		set_chan(chan);
	}
	pthread_mutex_lock(&pd.lock);
	if (pd.pid != self)
		pd.nslots = 0;
	pd.pid = self;
	pthread_mutex_unlock(&pd.lock);
	return (start_reaper());
}

static int
setup(void)
{
	pid_t self;
	int r;

	self = (pid_t)RAW0(SYS_getpid);
	if (pd.pid == self && atomic_load(&pd.reaper))
		return (0);
	pthread_mutex_lock(&pd_setup_lock);
	r = setup_locked(self);
	pthread_mutex_unlock(&pd_setup_lock);
	return (r);
}

/* ---------------------------------------------------------------------
 * Fork handlers.  A child process starts without helpers of its own; it
 * sets them up at its first pdfork.
 */
static void
reset_child(void)
{

	pthread_mutex_init(&pd.lock, NULL);
	pthread_mutex_init(&pd_setup_lock, NULL);
	atomic_store(&pd.reaper, false);
	/* The parent's children are not ours. */
	pd.nslots = 0;
}

static void
atfork_prepare(void)
{

	pthread_mutex_lock(&pd.lock);
}

static void
atfork_parent(void)
{

	pthread_mutex_unlock(&pd.lock);
}

__attribute__((constructor))
static void
procdesc_init(void)
{

	pthread_atfork(atfork_prepare, atfork_parent, reset_child);
}

/* ---------------------------------------------------------------------
 * pdfork().
 */

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

/* In the new child, before it returns to the program. */
static void
pd_child(void *rhead, size_t rlen, const int *sv)
{
	char c = 0;

	/* The kernel forgets the robust mutex list at fork. */
	if (rhead != NULL)
		RAW2(SYS_set_robust_list, rhead, rlen);
	reset_child();
	if (sv[1] >= 0) {
		/* Introduce ourselves: the parent gets a pidfd of us on a
		 * new open file from SCM_PIDFD (pidfd_open is refused in
		 * capability mode). */
		capsicum_raw6(SYS_sendto, sv[1], (long)&c, 1, MSG_NOSIGNAL, 0,
		    0);
		RAW1(SYS_close, sv[0]);
		RAW1(SYS_close, sv[1]);
	}
}

/* The SCM_PIDFD the child sent, or -errno (-ESRCH: it died first). */
static long
recv_child_pidfd(int sock)
{
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(int)) * 2];
	} cb;
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	char c;
	long r, fd;
	int v;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = &c;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = sizeof(cb.b);
	do {
		r = RAW3(SYS_recvmsg, sock, &mh, MSG_CMSG_CLOEXEC);
	} while (r == -EINTR);
	if (r <= 0)
		return (r == 0 ? -ESRCH : r);
	fd = -ESRCH;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_len < CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&v, CMSG_DATA(cm), sizeof(v));
		if (cm->cmsg_type == SCM_PIDFD && fd < 0)
			fd = v;
		else if (cm->cmsg_type == SCM_PIDFD ||
		    cm->cmsg_type == SCM_RIGHTS)
			RAW1(SYS_close, v);
	}
	return (fd);
}

/* The child could not be watched: do not leave it behind. */
static void
abandon(int pfd)
{
	siginfo_t si;

	RAW4(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
	RAW5(SYS_waitid, P_PIDFD, pfd, &si, WEXITED | __WALL, NULL);
	RAW1(SYS_close, pfd);
}

/* Hand the child to the watchdog; start another one if ours died. */
static int
watch(const struct pd_msg *m, int ofd)
{
	int chan, tries, r;

	for (tries = 0; tries < 2; tries++) {
		pthread_mutex_lock(&pd.lock);
		chan = pd.chan;
		pthread_mutex_unlock(&pd.lock);
		r = (int)capsicum_pd_send(chan, m, &ofd, 1, 0);
		if (r >= 0)
			return (0);
		pthread_mutex_lock(&pd_setup_lock);
		atomic_store(&pd.reaper, false);
		r = setup_locked((pid_t)RAW0(SYS_getpid));
		pthread_mutex_unlock(&pd_setup_lock);
		if (r != 0)
			return (r);
	}
	return (-EPIPE);
}

static pid_t
pd_parent(pid_t pid, int pfd, int flags, const int *sv, int *fdp)
{
	struct pd_msg m;
	struct pd_slot *s;
	uint64_t ino;
	long ofd;
	int r;

	/* The lifeline: the kernel releases this lock when the last
	 * reference to the open file goes, in any process. */
	RAW2(SYS_flock, pfd, LOCK_SH);
	if (sv[0] >= 0) {
		RAW1(SYS_close, sv[1]);
		ofd = recv_child_pidfd(sv[0]);
		RAW1(SYS_close, sv[0]);
	} else {
		ofd = RAW2(SYS_pidfd_open, pid, 0);
	}
	ino = fd_ino(pfd);
	pthread_mutex_lock(&pd.lock);
	if ((r = slot_reserve()) == 0) {
		s = &pd.slots[pd.nslots++];
		memset(s, 0, sizeof(*s));
		s->ps_ino = ino;
		s->ps_pid = pid;
		s->ps_fd = pfd;
		s->ps_state = PS_RUNNING;
		/* Killed before it ran: reap it now; pdwait reports it. */
		if (ofd == -ESRCH && RAW5(SYS_waitid, P_PIDFD, pfd,
		    &s->ps_si, WEXITED | __WALL, &s->ps_ru) == 0)
			s->ps_state = PS_STORED;
	}
	pthread_mutex_unlock(&pd.lock);
	if (r != 0) {
		if (ofd >= 0)
			RAW1(SYS_close, ofd);
		goto fail;
	}
	if (ofd == -ESRCH) {
		/* Nothing to watch. */
	} else if (ofd < 0) {
		r = (int)ofd;
		goto fail;
	} else {
		memset(&m, 0, sizeof(m));
		m.pm_magic = PD_MSG_MAGIC;
		m.pm_type = PDM_REG;
		m.pm_ino = ino;
		m.pm_pid = pid;
		m.pm_flags = (uint32_t)(flags & PD_DAEMON);
		r = watch(&m, (int)ofd);
		RAW1(SYS_close, ofd);
		if (r != 0)
			goto fail;
	}
	if ((flags & PD_CLOEXEC) == 0)
		RAW3(SYS_fcntl, pfd, F_SETFD, 0);
	*fdp = pfd;
	return (pid);

fail:
	pthread_mutex_lock(&pd.lock);
	if ((s = slot_by_ino(ino)) != NULL)
		*s = pd.slots[--pd.nslots];
	pthread_mutex_unlock(&pd.lock);
	abandon(pfd);
	errno = -r;
	return (-1);
}

pid_t
pdfork(int *fdp, int flags)
{
	void *rhead;
	size_t rlen;
	pid_t *tidp;
	long pid, r;
	int pfd, sv[2], one;
	bool sandboxed;

	if ((flags & ~PD_ALLOWED_AT_FORK) != 0) {
		errno = EINVAL;
		return (-1);
	}
	if (fdp == NULL) {
		errno = EFAULT;
		return (-1);
	}
	sandboxed = cap_sandboxed();
	/* pdfork(2): PD_DAEMON is not permitted in capability mode. */
	if (sandboxed && (flags & PD_DAEMON) != 0) {
		errno = ECAPMODE;
		return (-1);
	}
	if ((r = setup()) != 0) {
		errno = (int)-r;
		return (-1);
	}
	sv[0] = sv[1] = -1;
	if (sandboxed) {
		r = RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET |
		    SOCK_CLOEXEC, 0, sv);
		one = 1;
		if (r == 0)
			r = RAW5(SYS_setsockopt, sv[0], SOL_SOCKET,
			    SO_PASSPIDFD, &one, sizeof(one));
		if (r != 0) {
			if (sv[0] >= 0) {
				RAW1(SYS_close, sv[0]);
				RAW1(SYS_close, sv[1]);
			}
			errno = (int)-r;
			return (-1);
		}
	}
	rhead = NULL;
	rlen = 0;
	RAW3(SYS_get_robust_list, 0, &rhead, &rlen);
	tidp = glibc_tid_ptr();
	pfd = -1;
	pid = RAW5(SYS_clone, CLONE_PIDFD |
	    (tidp != NULL ? CLONE_CHILD_SETTID : 0), 0, &pfd, tidp, 0);
	if (pid == 0) {
		pd_child(rhead, rlen, sv);
		return (0);
	}
	if (pid < 0) {
		if (sv[0] >= 0) {
			RAW1(SYS_close, sv[0]);
			RAW1(SYS_close, sv[1]);
		}
		errno = (int)-pid;
		return (-1);
	}
	return (pd_parent((pid_t)pid, pfd, flags, sv, fdp));
}

/* ---------------------------------------------------------------------
 * pdkill().
 */

/*
 * Landlock's signal scope refuses signals to processes outside the
 * sandbox's domain, which includes children forked before cap_enter.
 * The watchdog, outside it, delivers them for a holder of the descriptor.
 * The filter has already checked CAP_PDKILL on the call that failed.
 */
static long
relay_kill(int fd, int signum)
{
	struct pd_msg m, rep;
	int sv[2], fds[2], rfds[PD_MSG_MAXFDS], nr, i, chan;
	long r;

	pthread_mutex_lock(&pd_setup_lock);
	chan = pd.chan;
	if (!chan_is(chan, pd.chan_dev, pd.chan_ino)) {
		pthread_mutex_unlock(&pd_setup_lock);
		return (-EPERM);
	}
	r = RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv);
	if (r < 0) {
		pthread_mutex_unlock(&pd_setup_lock);
		return (-EPERM);
	}
	memset(&m, 0, sizeof(m));
	m.pm_magic = PD_MSG_MAGIC;
	m.pm_type = PDM_KILL;
	m.pm_arg = signum;
	fds[0] = fd;
	fds[1] = sv[1];
	r = capsicum_pd_send(chan, &m, fds, 2, 0);
	pthread_mutex_unlock(&pd_setup_lock);
	RAW1(SYS_close, sv[1]);
	if (r < 0) {
		RAW1(SYS_close, sv[0]);
		return (-EPERM);
	}
	do {
		r = capsicum_pd_recv(sv[0], &rep, rfds, &nr, 0);
	} while (r == -EINTR);
	RAW1(SYS_close, sv[0]);
	if (r > 0) {
		for (i = 0; i < nr; i++)
			RAW1(SYS_close, rfds[i]);
	}
	if (r != sizeof(rep) || rep.pm_magic != PD_MSG_MAGIC ||
	    rep.pm_type != PDM_REPLY || rep.pm_arg < 0 || rep.pm_arg > 4095)
		return (-EPERM);
	return (-(long)rep.pm_arg);
}

int
pdkill(int fd, int signum)
{
	long r;

	r = RAW4(SYS_pidfd_send_signal, fd, signum, NULL, 0);
	if (r == -EPERM && cap_sandboxed())
		r = relay_kill(fd, signum);
	return ((int)capsicum_sysret(r));
}

/* ---------------------------------------------------------------------
 * pdgetpid().
 */

/* The pid this process recorded when it forked the child. */
static pid_t
recorded_pid(int fd)
{
	struct pd_slot *s;
	pid_t pid;

	pthread_mutex_lock(&pd.lock);
	s = pd.pid == (pid_t)RAW0(SYS_getpid) ? slot_by_fd(fd, fd_ino(fd)) :
	    NULL;
	pid = s != NULL ? s->ps_pid : 0;
	pthread_mutex_unlock(&pd.lock);
	return (pid);
}

static bool
holds_right(int fd, uint64_t right)
{
	const struct capsicum_profile *p;
	cap_rights_t need;

	if (capsicum_fd_profile(fd, &p) != 0)
		return (false);
	if (p == NULL)
		return (true);
	cap_rights_init(&need, right);
	return (cap_rights_contains(&p->cp_rights, &need));
}

int
pdgetpid(int fd, pid_t *pidp)
{
	struct pd_pidfd_info info;
	pid_t pid;
	long r;

	r = capsicum_pd_info(fd, &info, PD_INFO_PID);
	if (r == 0 && (info.mask & PD_INFO_PID) != 0) {
		pid = (pid_t)info.pid;
	} else if (r == -ESRCH ||
	    (r == -ENOTCAPABLE && holds_right(fd, CAP_PDGETPID))) {
		/*
		 * Reaped: the kernel has forgotten the pid, FreeBSD's
		 * descriptor has not.  Or the filter refused the ioctl for
		 * a missing CAP_IOCTL although CAP_PDGETPID is held (see
		 * docs/procdesc.md).  Our own record answers for children
		 * this process forked.
		 */
		if ((pid = recorded_pid(fd)) == 0) {
			errno = r == -ESRCH ? ESRCH : ENOTCAPABLE;
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
	struct pd_slot *s;
	uint64_t ino;
	long r;

	memset(si, 0, sizeof(*si));
	memset(ru, 0, sizeof(*ru));
	if (fd < 0)
		return (-EBADF);	/* Linux says EINVAL */
	r = RAW5(SYS_waitid, P_PIDFD, fd, si, options | __WALL, ru);
	if (r == 0) {
		if (si->si_pid != 0 && (options & WNOWAIT) == 0 &&
		    (si->si_code == CLD_EXITED || si->si_code == CLD_KILLED ||
		    si->si_code == CLD_DUMPED)) {
			/* We reaped it: a second wait must fail. */
			ino = fd_ino(fd);
			pthread_mutex_lock(&pd.lock);
			if ((s = slot_by_fd(fd, ino)) != NULL) {
				s->ps_state = PS_WAITED;
				slot_settle(s);
			}
			pthread_mutex_unlock(&pd.lock);
		}
		return (si->si_pid);
	}
	if (r != -ECHILD)
		return (r);
	/* The reaper holds pd.lock from its waitid to storing the status,
	 * so an ECHILD seen here finds the status stored. */
	ino = fd_ino(fd);
	pthread_mutex_lock(&pd.lock);
	s = pd.pid == (pid_t)RAW0(SYS_getpid) ? slot_by_fd(fd, ino) : NULL;
	if (s != NULL && s->ps_state == PS_STORED) {
		if ((options & WEXITED) == 0) {
			r = (options & WNOHANG) != 0 ? 0 : -ESRCH;
		} else {
			*si = s->ps_si;
			*ru = s->ps_ru;
			r = s->ps_pid;
			if ((options & WNOWAIT) == 0) {
				s->ps_state = PS_WAITED;
				slot_settle(s);
			}
		}
		pthread_mutex_unlock(&pd.lock);
		return (r);
	}
	pthread_mutex_unlock(&pd.lock);
	if (s != NULL)
		return (-ESRCH);	/* reaped and waited for already */
	/*
	 * Not a child of ours.  FreeBSD's ESRCH if the process is gone
	 * (the kernel keeps its exit status for pidfd holders once it is
	 * reaped), otherwise Linux's rule: only the parent may wait.
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
