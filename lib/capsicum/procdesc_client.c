/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process descriptors, the client side of the watchdog: the channel, the
 * reaper thread and the record of children this process forked.
 *
 * Each process that pdforks has a channel of its own to the watchdog (a
 * SOCK_SEQPACKET pair): the first one started it, a process forked from it
 * asks for one over the channel it inherited (PDM_HELLO).  The reaper is a
 * thread reading the channel.  Only the parent can reap a child, and a
 * pidfd reports POLLHUP only once its process is reaped, so when the
 * watchdog reports an exit the reaper reaps the child at once and keeps
 * the status and resource usage for pdwait.  No zombie outlives that, and
 * FreeBSD programs polling for POLLHUP see it at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sys/capsicum.h>
#include <sys/procdesc.h>

#include "capsicum_impl.h"
#include "procdesc_impl.h"
#include "sys.h"

/* Library descriptors live above the numbers programs use themselves. */
#define	PD_FD_MIN	192

/*
 * A child this process pdforked, until it is reaped and no descriptor of
 * it is left.  The slot keeps what FreeBSD keeps in the process
 * descriptor: the pid (pdgetpid works after exit) and, once the reaper
 * reaped the child, the status for pdwait.
 */
enum pd_slot_state {
	PS_RUNNING,	/* not reaped */
	PS_STORED,	/* reaped by the reaper; status kept */
	PS_WAITED,	/* status consumed by pdwait (or reaped by it); the
			 * pid is kept while a descriptor may ask for it */
};

/* Past this many slots, waited-for children whose descriptor number no
 * longer names them are forgotten (the watchdog does not report the last
 * close of children their parent reaped itself). */
#define	PD_SLOTS_PRUNE	256

struct pd_slot {
	uint64_t	ps_ino;		/* pidfs inode of the child */
	pid_t		ps_pid;
	int		ps_fd;		/* descriptor pdfork returned */
	uint8_t		ps_state;	/* enum pd_slot_state */
	bool		ps_released;	/* its last descriptor closed */
	siginfo_t	ps_si;
	struct rusage	ps_ru;
};

/*
 * Per-process state.  pd.pid says which process it belongs to: after a
 * fork the child finds the parent's pid there and sets itself up (its own
 * channel to the watchdog, its own reaper).
 */
static struct pd_state {
	pid_t		 pid;		/* owner; 0: none yet */
	int		 chan;		/* our end of the channel */
	dev_t		 chan_dev;
	ino_t		 chan_ino;
	unsigned long	 gen;		/* bumped for every channel */
	struct pd_slot	*slots;		/* hot->nslots in use */
	unsigned int	 capslots;
} pd = {
	.chan = -1,
};

/*
 * What a forked child must start without: unlocked locks, no slots, no
 * reaper.  It lives, with the slots, in pages the kernel hands a forked
 * child zero-filled (MADV_WIPEONFORK).  So the child needs no reset, and
 * the parent's writes while its new child runs (the locks, the new slot)
 * fall on pages the child does not share: no copy-on-write fault, a few
 * microseconds per pdfork.  Where the kernel refuses (or mmap fails), the
 * static copy below is used and the fork handlers reset it.
 */
struct pd_hot {
	pthread_mutex_t	 lock;		/* slots and the channel */
	/* Serialises setting up the helpers and requests to the watchdog.
	 * Not taken by the fork handlers: starting the watchdog forks while
	 * holding it. */
	pthread_mutex_t	 setup_lock;
	unsigned int	 nslots;
	atomic_bool	 reaper;	/* reaper thread running on chan */
};

static struct pd_hot hot_static = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.setup_lock = PTHREAD_MUTEX_INITIALIZER,
};
static struct pd_hot *hot = &hot_static;
static bool hot_wiped;		/* hot and the slots wiped at fork */

/* The reaper has started and holds no lock (see start_reaper()). */
static atomic_bool reaper_ready;

/* ---------------------------------------------------------------------
 * Messages.
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
 * PD_MSG_MAXFDS; the kernel closes any that do not fit).  A pidfd passed
 * as SCM_PIDFD is returned in *pidfdp if it is not NULL, else closed.
 */
long
capsicum_pd_recv(int sock, struct pd_msg *m, int *fds, int *nfdsp,
    int *pidfdp, int flags)
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
	if (pidfdp != NULL)
		*pidfdp = -1;
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
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(fd));
			if (cm->cmsg_type == SCM_RIGHTS &&
			    *nfdsp < PD_MSG_MAXFDS)
				fds[(*nfdsp)++] = fd;
			else if (cm->cmsg_type == SCM_PIDFD &&
			    pidfdp != NULL && *pidfdp < 0)
				*pidfdp = fd;
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

/*
 * pidfd_send_signal, or kill(2) where the kernel, or valgrind 3.19, does
 * not know it: the pid of a process that has not exited cannot have been
 * reused, so it names the same process until exit, when signals stop
 * mattering.
 */
long
capsicum_pd_signal(int fd, int signum)
{
	struct pd_pidfd_info info;
	struct pollfd pfd;
	long r;

	r = RAW4(SYS_pidfd_send_signal, fd, signum, NULL, 0);
	if (r != -ENOSYS)
		return (r);
	if ((r = capsicum_pd_info(fd, &info, PD_INFO_PID)) != 0)
		return (r == -ESRCH || r == -ENOTCAPABLE ? r : -EBADF);
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (RAW3(SYS_poll, &pfd, 1, 0) != 0)
		return ((pfd.revents & POLLHUP) != 0 ? -ESRCH : 0);
	return (RAW2(SYS_kill, info.pid, signum));
}

/* pidfd_open works (valgrind 3.19 does not know it). */
bool
capsicum_pd_have_pidfd_open(void)
{
	static atomic_int known;	/* 0: not yet, 1: yes, 2: no */
	long fd;

	if (atomic_load(&known) == 0) {
		fd = RAW2(SYS_pidfd_open, RAW0(SYS_getpid), 0);
		if (fd >= 0)
			RAW1(SYS_close, fd);
		atomic_store(&known, fd == -ENOSYS ? 2 : 1);
	}
	return (atomic_load(&known) == 1);
}

/* The pidfs inode of a descriptor, 0 if fstat is refused or fails. */
uint64_t
capsicum_pd_ino(int fd)
{
	struct stat st;

	if (RAW2(SYS_fstat, fd, &st) != 0)
		return (0);
	return ((uint64_t)st.st_ino);
}

/* ---------------------------------------------------------------------
 * Slots.
 */

/* Caller holds hot->lock.  By inode; by number when fstat was refused (a
 * limited descriptor without CAP_FSTAT).  Only this process's slots. */
static struct pd_slot *
slot_find(int fd, uint64_t ino)
{
	unsigned int i;

	/* A forked child's wiped count is 0 already. */
	if (!hot_wiped && pd.pid != (pid_t)RAW0(SYS_getpid))
		return (NULL);
	for (i = 0; i < hot->nslots; i++) {
		if (ino != 0 ? pd.slots[i].ps_ino == ino :
		    pd.slots[i].ps_fd == fd)
			return (&pd.slots[i]);
	}
	return (NULL);
}

/* Forget a slot nobody can ask about any more.  Caller holds hot->lock. */
static void
slot_settle(struct pd_slot *s)
{

	if (s->ps_released && s->ps_state != PS_RUNNING)
		*s = pd.slots[--hot->nslots];
}

/* Room for cap slots: in wiped pages when hot is. */
static struct pd_slot *
slots_alloc(unsigned int cap)
{
	void *p;

	if (!hot_wiped)
		return (malloc(cap * sizeof(struct pd_slot)));
	p = mmap(NULL, cap * sizeof(struct pd_slot), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (NULL);
	if (madvise(p, cap * sizeof(struct pd_slot), MADV_WIPEONFORK) != 0) {
		munmap(p, cap * sizeof(struct pd_slot));
		return (NULL);
	}
	return (p);
}

static void
slots_free(struct pd_slot *slots, unsigned int cap)
{

	if (slots == NULL)
		return;
	if (hot_wiped)
		munmap(slots, cap * sizeof(struct pd_slot));
	else
		free(slots);
}

/* Caller holds hot->lock and allocates; never the reaper. */
static void
slot_prune(void)
{
	struct pd_slot *s;
	unsigned int i;

	for (i = hot->nslots; i-- > 0;) {
		s = &pd.slots[i];
		if (s->ps_state == PS_WAITED &&
		    capsicum_pd_ino(s->ps_fd) != s->ps_ino)
			*s = pd.slots[--hot->nslots];
	}
}

/*
 * Record a new child.  If reap is true the child died before it could be
 * watched: reap it now through fd, and keep its status.  0 or -errno.
 */
int
capsicum_pd_slot_new(uint64_t ino, pid_t pid, int fd, bool reap)
{
	struct pd_slot *s, *n, *old;
	unsigned int cap, oldcap;
	int r;

	r = 0;
	pthread_mutex_lock(&hot->lock);
	if (hot->nslots == pd.capslots && hot->nslots >= PD_SLOTS_PRUNE)
		slot_prune();
	if (hot->nslots == pd.capslots) {
		cap = pd.capslots == 0 ? 64 : pd.capslots * 2;
		if ((n = slots_alloc(cap)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		if (hot->nslots > 0)
			memcpy(n, pd.slots, hot->nslots * sizeof(*n));
		/* New room first, its size after, the old room last: a child
		 * forked meanwhile without our handlers never sees a size
		 * larger than the room it points to, nor unmapped room. */
		old = pd.slots;
		oldcap = pd.capslots;
		pd.slots = n;
		atomic_signal_fence(memory_order_seq_cst);
		pd.capslots = cap;
		atomic_signal_fence(memory_order_seq_cst);
		slots_free(old, oldcap);
	}
	s = &pd.slots[hot->nslots++];
	memset(s, 0, sizeof(*s));
	s->ps_ino = ino;
	s->ps_pid = pid;
	s->ps_fd = fd;
	s->ps_state = PS_RUNNING;
	if (reap && RAW5(SYS_waitid, P_PIDFD, fd, &s->ps_si, WEXITED | __WALL,
	    &s->ps_ru) == 0)
		s->ps_state = PS_STORED;
out:
	pthread_mutex_unlock(&hot->lock);
	return (r);
}

void
capsicum_pd_slot_drop(uint64_t ino)
{
	struct pd_slot *s;

	pthread_mutex_lock(&hot->lock);
	if ((s = slot_find(-1, ino)) != NULL)
		*s = pd.slots[--hot->nslots];
	pthread_mutex_unlock(&hot->lock);
}

/* The pid recorded when this process forked the child, 0 if none. */
pid_t
capsicum_pd_slot_pid(int fd)
{
	struct pd_slot *s;
	uint64_t ino;
	pid_t pid;

	ino = capsicum_pd_ino(fd);
	pthread_mutex_lock(&hot->lock);
	pid = (s = slot_find(fd, ino)) != NULL ? s->ps_pid : 0;
	pthread_mutex_unlock(&hot->lock);
	return (pid);
}

/* pdwait reaped the child itself: a second wait must fail. */
void
capsicum_pd_slot_waited(int fd, pid_t pid)
{
	struct pd_slot *s;
	unsigned int i;
	uint64_t ino;

	/*
	 * Usually the number pdfork returned: the running child of that
	 * number with the pid just reaped, no fstat needed.  A stale record
	 * of the number cannot match: its child's pid was free to be reused
	 * only once that child was reaped, which ended its record's
	 * PS_RUNNING (a program reaping behind the library's back leaves it
	 * so, and then either record answers a second wait with ESRCH).
	 */
	pthread_mutex_lock(&hot->lock);
	if (hot_wiped || pd.pid == (pid_t)RAW0(SYS_getpid)) {
		for (i = 0; i < hot->nslots; i++) {
			s = &pd.slots[i];
			if (s->ps_fd == fd && s->ps_pid == pid &&
			    s->ps_state == PS_RUNNING) {
				s->ps_state = PS_WAITED;
				slot_settle(s);
				pthread_mutex_unlock(&hot->lock);
				return;
			}
		}
	}
	pthread_mutex_unlock(&hot->lock);
	ino = capsicum_pd_ino(fd);
	pthread_mutex_lock(&hot->lock);
	if ((s = slot_find(fd, ino)) != NULL) {
		s->ps_state = PS_WAITED;
		slot_settle(s);
	}
	pthread_mutex_unlock(&hot->lock);
}

/*
 * waitid(P_PIDFD) said ECHILD: what the reaper kept, if it reaped the
 * child.  The reaper holds hot->lock from its waitid to storing the status,
 * so an ECHILD seen before finds the status stored.  Returns the pid, 0
 * (WNOHANG, nothing to report), -ESRCH (reaped and waited for) or -ECHILD
 * (not a child this process forked).
 */
long
capsicum_pd_slot_status(int fd, int options, siginfo_t *si,
    struct rusage *ru)
{
	struct pd_slot *s;
	uint64_t ino;
	long r;

	ino = capsicum_pd_ino(fd);
	pthread_mutex_lock(&hot->lock);
	if ((s = slot_find(fd, ino)) == NULL) {
		r = -ECHILD;
	} else if (s->ps_state != PS_STORED) {
		r = -ESRCH;
	} else if ((options & WEXITED) == 0) {
		/* Exited: it will never stop or continue again. */
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
	pthread_mutex_unlock(&hot->lock);
	return (r);
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

	pthread_mutex_lock(&hot->lock);
	memset(&si, 0, sizeof(si));
	memset(&ru, 0, sizeof(ru));
	/* WNOHANG: never block holding the lock. */
	r = RAW5(SYS_waitid, P_PIDFD, fd, &si, WEXITED | WNOHANG | __WALL,
	    &ru);
	if ((s = slot_find(-1, ino)) != NULL) {
		if (r == 0 && si.si_pid != 0 && s->ps_state == PS_RUNNING) {
			s->ps_si = si;
			s->ps_ru = ru;
			s->ps_state = PS_STORED;
		}
		slot_settle(s);
	}
	pthread_mutex_unlock(&hot->lock);
}

static void
released(uint64_t ino)
{
	struct pd_slot *s;

	pthread_mutex_lock(&hot->lock);
	if ((s = slot_find(-1, ino)) != NULL) {
		s->ps_released = true;
		slot_settle(s);
	}
	pthread_mutex_unlock(&hot->lock);
}

static bool
chan_is(int fd, dev_t dev, ino_t ino)
{
	struct stat st;

	return (fd >= 0 && RAW2(SYS_fstat, fd, &st) == 0 &&
	    st.st_dev == dev && st.st_ino == ino);
}

/*
 * Only system calls and hot->lock here: a pdfork in another thread copies
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
	pthread_mutex_lock(&hot->lock);
	chan = pd.gen == gen ? pd.chan : -1;
	dev = pd.chan_dev;
	ino = pd.chan_ino;
	pthread_mutex_unlock(&hot->lock);
	atomic_store(&reaper_ready, true);
	for (;;) {
		/* A program that closed our descriptor and reused the
		 * number must not have its messages read. */
		if (!chan_is(chan, dev, ino))
			break;
		r = capsicum_pd_recv(chan, &m, fds, &nfds, NULL, 0);
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
	pthread_mutex_lock(&hot->lock);
	if (pd.gen == gen)
		atomic_store(&hot->reaper, false);
	pthread_mutex_unlock(&hot->lock);
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

	pthread_mutex_lock(&hot->lock);
	arg = (void *)(uintptr_t)pd.gen;
	pthread_mutex_unlock(&hot->lock);
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
	atomic_store(&hot->reaper, true);
	atomic_store(&reaper_ready, false);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, reaper_main, arg);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		atomic_store(&hot->reaper, false);
		return (-r);
	}
	/*
	 * pdfork clones without fork handlers: a thread still starting up
	 * (taking libc's or a sanitizer's allocator locks, or hot->lock) at
	 * that moment would leave the child with a lock nobody releases.
	 * Wait until the reaper is past that, in its receive loop.
	 */
	while (!atomic_load(&reaper_ready))
		sched_yield();
	return (0);
}

/* ---------------------------------------------------------------------
 * The channel.
 */
static void
set_chan(int fd)
{
	struct stat st;

	pthread_mutex_lock(&hot->lock);
	pd.chan = fd;
	pd.gen++;
	if (fd >= 0 && RAW2(SYS_fstat, fd, &st) == 0) {
		pd.chan_dev = st.st_dev;
		pd.chan_ino = st.st_ino;
	}
	pthread_mutex_unlock(&hot->lock);
}

/* A process forked from one that uses the watchdog inherits its channel:
 * ask the watchdog, over it, to take a channel of our own. */
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

/* A channel to a live watchdog and a reaper reading it.  Called with
 * hot->setup_lock held. */
static int
setup_locked(pid_t self)
{
	int chan, r;

	if (pd.pid == self && atomic_load(&hot->reaper))
		return (0);
	r = -1;
	if (pd.pid != self && chan_is(pd.chan, pd.chan_dev, pd.chan_ino))
		r = hello(pd.chan);
	if (r != 0) {
		/* Ours and dead, or the parent's and unusable. */
		if (chan_is(pd.chan, pd.chan_dev, pd.chan_ino))
			RAW1(SYS_close, pd.chan);
		set_chan(-1);
		if ((r = capsicum_pd_spawn_watch(&chan)) != 0)
			return (r);
		set_chan(chan);
	}
	pthread_mutex_lock(&hot->lock);
	if (pd.pid != self)
		hot->nslots = 0;
	pd.pid = self;
	pthread_mutex_unlock(&hot->lock);
	return (start_reaper());
}

int
capsicum_pd_setup(void)
{
	pid_t self;
	int r;

	/* The reaper flag is wiped in a forked child: no getpid() then. */
	if (hot_wiped && atomic_load(&hot->reaper))
		return (0);
	self = (pid_t)RAW0(SYS_getpid);
	if (pd.pid == self && atomic_load(&hot->reaper))
		return (0);
	pthread_mutex_lock(&hot->setup_lock);
	r = setup_locked(self);
	pthread_mutex_unlock(&hot->setup_lock);
	return (r);
}

/* Send a request; if the watchdog died, start another and send again. */
int
capsicum_pd_request(const struct pd_msg *m, const int *fds, int nfds)
{
	int tries, r;

	pthread_mutex_lock(&hot->setup_lock);
	for (tries = 0; tries < 2; tries++) {
		r = (int)capsicum_pd_send(pd.chan, m, fds, nfds, 0);
		if (r >= 0)
			break;
		atomic_store(&hot->reaper, false);
		if ((r = setup_locked((pid_t)RAW0(SYS_getpid))) != 0)
			break;
		r = -EPIPE;
	}
	pthread_mutex_unlock(&hot->setup_lock);
	return (r < 0 ? r : 0);
}

/* Is there a watchdog this process could ask to relay signals (its own
 * channel or one inherited from its parent)? */
bool
capsicum_pd_have_watchdog(void)
{
	bool r;

	pthread_mutex_lock(&hot->setup_lock);
	r = chan_is(pd.chan, pd.chan_dev, pd.chan_ino);
	pthread_mutex_unlock(&hot->setup_lock);
	return (r);
}

/* Tell the watchdog, on a channel of this process's own, never to relay
 * signals from it (or from processes it forks) to the child ino. */
int
capsicum_pd_nokill(uint64_t ino)
{
	struct pd_msg m;
	int r;

	if ((r = capsicum_pd_setup()) != 0)
		return (r);
	memset(&m, 0, sizeof(m));
	m.pm_magic = PD_MSG_MAGIC;
	m.pm_type = PDM_NOKILL;
	m.pm_ino = ino;
	return (capsicum_pd_request(&m, NULL, 0));
}

/*
 * Landlock's signal scope refuses signals to processes outside the
 * sandbox's domain, which includes children forked before cap_enter.
 * The watchdog, outside it, delivers them for a holder of the descriptor.
 * The filter has already checked CAP_PDKILL on the call that failed.
 */
long
capsicum_pd_relay_kill(int fd, int signum)
{
	struct pd_msg m, rep;
	int sv[2], fds[2], rfds[PD_MSG_MAXFDS], nr, i;
	long r;

	pthread_mutex_lock(&hot->setup_lock);
	if (!chan_is(pd.chan, pd.chan_dev, pd.chan_ino)) {
		pthread_mutex_unlock(&hot->setup_lock);
		return (-EPERM);
	}
	r = RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv);
	if (r < 0) {
		pthread_mutex_unlock(&hot->setup_lock);
		return (-EPERM);
	}
	memset(&m, 0, sizeof(m));
	m.pm_magic = PD_MSG_MAGIC;
	m.pm_type = PDM_KILL;
	m.pm_arg = signum;
	fds[0] = fd;
	fds[1] = sv[1];
	r = capsicum_pd_send(pd.chan, &m, fds, 2, 0);
	pthread_mutex_unlock(&hot->setup_lock);
	RAW1(SYS_close, sv[1]);
	if (r < 0) {
		RAW1(SYS_close, sv[0]);
		return (-EPERM);
	}
	do {
		r = capsicum_pd_recv(sv[0], &rep, rfds, &nr, NULL, 0);
	} while (r == -EINTR);
	RAW1(SYS_close, sv[0]);
	for (i = 0; r > 0 && i < nr; i++)
		RAW1(SYS_close, rfds[i]);
	if (r != sizeof(rep) || rep.pm_magic != PD_MSG_MAGIC ||
	    rep.pm_type != PDM_REPLY || rep.pm_arg < 0 || rep.pm_arg > 4095)
		return (-EPERM);
	return (-(long)rep.pm_arg);
}

/* ---------------------------------------------------------------------
 * Fork handlers.  A child process starts without helpers of its own and
 * sets them up at its first pdfork.
 */
void
capsicum_pd_reset_child(void)
{
	static const pthread_mutex_t unlocked = PTHREAD_MUTEX_INITIALIZER;

	/* The kernel did it (and a write here would fault a page in). */
	if (hot_wiped)
		return;
	/* An assignment, not pthread_mutex_init(): this runs in every child
	 * of fork(), where each first touch of a page of libc's code faults. */
	hot->lock = unlocked;
	hot->setup_lock = unlocked;
	atomic_store(&hot->reaper, false);
	/* The parent's children are not ours. */
	hot->nslots = 0;
}

static void
atfork_prepare(void)
{

	pthread_mutex_lock(&hot->lock);
}

static void
atfork_parent(void)
{

	pthread_mutex_unlock(&hot->lock);
}

__attribute__((constructor))
static void
procdesc_client_init(void)
{
	struct pd_hot *h;

	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h != MAP_FAILED && madvise(h, sizeof(*h), MADV_WIPEONFORK) == 0) {
		/* Zero bytes: unlocked mutexes (PTHREAD_MUTEX_INITIALIZER),
		 * no slots, no reaper; what a child gets too. */
		hot = h;
		hot_wiped = true;
	} else if (h != MAP_FAILED) {
		munmap(h, sizeof(*h));
	}

	pthread_atfork(atfork_prepare, atfork_parent,
	    capsicum_pd_reset_child);
}
