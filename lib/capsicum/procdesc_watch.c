/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The process-descriptor watchdog.
 *
 * One watchdog serves a process that pdforked and every process forked
 * from it (each has a channel of its own, see PDM_HELLO).  For each child
 * it holds a pidfd on an open file of its own and:
 *
 *  - waits for the program's descriptor to be closed for the last time,
 *    in whatever process: the program's open file holds a shared flock(2)
 *    lock, which the kernel drops with the last reference, so an
 *    exclusive non-blocking flock on our open file succeeds from then on.
 *    Closes are noticed through inotify (IN_CLOSE fires when any open file
 *    of the pidfs inode is released); a watchdog inside capability mode
 *    cannot add inotify watches (they take a path) and polls instead.
 *    Then, unless PD_DAEMON, it sends SIGKILL through its pidfd, which
 *    cannot reach a recycled pid;
 *  - tells the parent when the child exits, handing it a pidfd to reap it
 *    through (the parent holds no pidfd of a live child but the program's);
 *  - delivers pdkill for sandboxed holders that Landlock's signal scope
 *    stops (a child forked before cap_enter is outside the domain).
 *
 * Started before cap_enter, the watchdog is outside the sandbox, so
 * everything a client sends is distrusted: sizes, magic and descriptor
 * counts are checked, a client may only register its own children, and
 * only registered children are ever signalled.  It opens no paths but its
 * own /proc/self/fd entries, and never executes anything.
 *
 * It is started by a vfork-like clone of the caller whose child calls
 * fork(): the watchdog thus comes from glibc's fork (allocator and stdio
 * locks reset, fork handlers run) and is a grandchild, adopted by init
 * when the intermediate exits, so it is never the program's child.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <sys/capsicum.h>
#include <sys/procdesc.h>

#include "capsicum_impl.h"
#include "procdesc_impl.h"
#include "sys.h"

#define	SPAWN_STACK	(256 * 1024)
#define	TICK_NS		10000000	/* 10 ms: polling, batched news */
#define	YOUNG_NS	1000000		/* 1 ms: exits of young children */
#define	YOUNG_TICKS	(TICK_NS / YOUNG_NS)	/* then watched for good */
#define	YOUNG_BATCH	64		/* pidfds per poll() */
#define	MAX_EVENTS	32

enum wkind { WK_CLIENT = 1, WK_CHILD, WK_INOTIFY, WK_TIMER };

struct wclient {
	int		 wl_kind;	/* WK_CLIENT, first for epoll */
	struct wclient	*wl_next;
	int		 wl_fd;
	pid_t		 wl_pid;	/* who made the channel */
	bool		 wl_gone;
	/* Children this client may no longer signal through PDM_KILL: it
	 * held no descriptor of them with CAP_PDKILL (PDM_NOKILL).  Only
	 * ever grows, and channels made through this one inherit it. */
	uint64_t	*wl_nokill;
	unsigned int	 wl_nnokill;
	bool		 wl_nokill_all;	/* the set overflowed: refuse all */
};

#define	NOKILL_MAX	4096

struct wchild {
	int		 wc_kind;	/* WK_CHILD */
	struct wchild	*wc_next;
	struct wclient	*wc_client;	/* parent's channel; NULL: gone */
	uint64_t	 wc_ino;
	pid_t		 wc_pid;
	int		 wc_fd;		/* our pidfd, our own open file */
	int		 wc_wd;		/* inotify watch; -1: polled */
	bool		 wc_young;	/* not watched for release yet */
	unsigned int	 wc_age;	/* young ticks seen */
	bool		 wc_notified;	/* PDM_EXITED sent */
	bool		 wc_daemon;
	bool		 wc_exited;
	bool		 wc_released;
	bool		 wc_gone;
};

static struct watch {
	int		 w_ep;
	int		 w_in;		/* inotify, -1 */
	int		 w_timer;	/* timerfd, -1 */
	int		 w_in_kind;
	int		 w_timer_kind;
	unsigned int	 w_npolled;	/* children with no inotify watch */
	unsigned int	 w_nyoung;	/* children not watched yet */
	int		 w_timer_level;	/* TL_OFF, TL_SLOW or TL_FAST */
	unsigned long	 w_since_slow;	/* ns of ticks since the slow work */
	struct wnews {			/* PDM_RELEASED not yet sent */
		struct wclient	*n_client;
		uint64_t	 n_ino;
	}		*w_news;
	unsigned int	 w_nnews, w_capnews;
	struct wclient	*w_clients;
	struct wchild	*w_children;
} w;

/* ---------------------------------------------------------------------
 * Bookkeeping.
 */
static void
send_client(struct wclient *c, int type, uint64_t ino, const int *fds,
    int nfds)
{
	struct pd_msg m;

	if (c == NULL || c->wl_gone)
		return;
	memset(&m, 0, sizeof(m));
	m.pm_magic = PD_MSG_MAGIC;
	m.pm_type = (uint32_t)type;
	m.pm_ino = ino;
	/* Never block on a client: one that does not read loses news. */
	(void)capsicum_pd_send(c->wl_fd, &m, fds, nfds, MSG_DONTWAIT);
}

/*
 * The timer ticks every YOUNG_NS while a young child may exit unnoticed,
 * every TICK_NS while something is polled or news wait, and not at all
 * otherwise.  It speeds up at once but slows down only at a tick, so that
 * a program forking one short-lived child after another does not set the
 * timer twice per child.
 */
enum { TL_OFF, TL_SLOW, TL_FAST };

static int
timer_want(void)
{

	if (w.w_nyoung > 0)
		return (TL_FAST);
	return (w.w_npolled > 0 || w.w_nnews > 0 ? TL_SLOW : TL_OFF);
}

static void
timer_set(int level)
{
	struct itimerspec its;
	long ns;

	if (w.w_timer < 0 || level == w.w_timer_level)
		return;
	memset(&its, 0, sizeof(its));
	if (level != TL_OFF) {
		ns = level == TL_FAST ? YOUNG_NS : TICK_NS;
		its.it_value.tv_nsec = ns;
		its.it_interval.tv_nsec = ns;
	}
	if (timerfd_settime(w.w_timer, 0, &its, NULL) == 0)
		w.w_timer_level = level;
}

static void
timer_update(void)
{
	int want;

	if ((want = timer_want()) > w.w_timer_level)
		timer_set(want);
}

/*
 * A released child's parent needs to hear of it only to forget its
 * record, which can wait: batching saves a wake-up of its reaper for
 * every close.
 */
static void
news_released(struct wclient *c, uint64_t ino)
{
	struct wnews *n;
	unsigned int cap;

	if (c == NULL || c->wl_gone)
		return;
	if (w.w_nnews == w.w_capnews) {
		cap = w.w_capnews == 0 ? 16 : 2 * w.w_capnews;
		if (w.w_timer < 0 ||
		    (n = realloc(w.w_news, cap * sizeof(*n))) == NULL) {
			send_client(c, PDM_RELEASED, ino, NULL, 0);
			return;
		}
		w.w_news = n;
		w.w_capnews = cap;
	}
	w.w_news[w.w_nnews].n_client = c;
	w.w_news[w.w_nnews].n_ino = ino;
	w.w_nnews++;
	timer_update();
}

static void
news_flush(void)
{
	unsigned int i;

	for (i = 0; i < w.w_nnews; i++)
		send_client(w.w_news[i].n_client, PDM_RELEASED,
		    w.w_news[i].n_ino, NULL, 0);
	w.w_nnews = 0;
	timer_update();
}

static void
unwatch(struct wchild *ch)
{

	if (ch->wc_young) {
		ch->wc_young = false;
		w.w_nyoung--;
	} else if (ch->wc_wd >= 0) {
		inotify_rm_watch(w.w_in, ch->wc_wd);
		ch->wc_wd = -1;
	} else if (!ch->wc_released) {
		w.w_npolled--;
	}
	timer_update();
}

/* Drop a child once nothing more can happen to it that anyone needs. */
static void
maybe_forget(struct wchild *ch)
{

	/* Reaped by its parent's pdwait: nothing left to kill, nothing the
	 * parent needs to hear. */
	if (ch->wc_exited && !ch->wc_notified && !ch->wc_released) {
		unwatch(ch);
		ch->wc_released = true;
	}
	if (!ch->wc_released || (!ch->wc_exited && ch->wc_client != NULL))
		return;
	if (!ch->wc_exited)
		epoll_ctl(w.w_ep, EPOLL_CTL_DEL, ch->wc_fd, NULL);
	ch->wc_gone = true;
}

/* Has the program's last descriptor gone?  Then do what closing it does
 * on FreeBSD. */
static void
check_release(struct wchild *ch)
{

	if (ch->wc_released || ch->wc_gone || ch->wc_young)
		return;
	if (RAW2(SYS_flock, ch->wc_fd, LOCK_EX | LOCK_NB) != 0)
		return;
	unwatch(ch);
	ch->wc_released = true;
	if (!ch->wc_daemon && !ch->wc_exited)
		capsicum_pd_signal(ch->wc_fd, SIGKILL);
	news_released(ch->wc_client, ch->wc_ino);
	maybe_forget(ch);
}

static void
child_exited(struct wchild *ch, uint32_t events)
{
	struct pollfd pfd;

	if (ch->wc_exited || ch->wc_gone)
		return;
	ch->wc_exited = true;
	epoll_ctl(w.w_ep, EPOLL_CTL_DEL, ch->wc_fd, NULL);
	/*
	 * POLLHUP: reaped already, by pdwait.  A parent waiting for the
	 * child was woken with us; let it reap first (on a shared CPU it
	 * runs now), which saves waking its reaper for nothing.
	 */
	if ((events & EPOLLHUP) == 0) {
		sched_yield();
		pfd.fd = ch->wc_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) != 1 || (pfd.revents & POLLHUP) == 0) {
			send_client(ch->wc_client, PDM_EXITED, ch->wc_ino,
			    &ch->wc_fd, 1);
			ch->wc_notified = true;
		}
	}
	maybe_forget(ch);
}

static struct wchild *
child_by_ino(uint64_t ino)
{
	struct wchild *ch;

	for (ch = w.w_children; ch != NULL; ch = ch->wc_next) {
		if (ch->wc_ino == ino && !ch->wc_gone)
			return (ch);
	}
	return (NULL);
}

/* ---------------------------------------------------------------------
 * Requests.
 */
static void
client_add(int fd, const struct wclient *parent)
{
	struct epoll_event ev;
	struct wclient *c;
	struct ucred uc;
	socklen_t len;

	len = sizeof(uc);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	/* A channel asked for over a restricted one is as restricted. */
	if (parent != NULL && (parent->wl_nokill_all ||
	    parent->wl_nnokill > 0)) {
		c->wl_nokill_all = parent->wl_nokill_all;
		c->wl_nokill = calloc(NOKILL_MAX, sizeof(uint64_t));
		if (c->wl_nokill == NULL)
			c->wl_nokill_all = true;
		else {
			memcpy(c->wl_nokill, parent->wl_nokill,
			    parent->wl_nnokill * sizeof(uint64_t));
			c->wl_nnokill = parent->wl_nnokill;
		}
	}
	c->wl_kind = WK_CLIENT;
	c->wl_fd = fd;
	c->wl_pid = uc.pid;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(w.w_ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		free(c->wl_nokill);
		free(c);
		return;
	}
	c->wl_next = w.w_clients;
	w.w_clients = c;
}

static bool
is_seqpacket(int fd)
{
	socklen_t len;
	int type;

	len = sizeof(type);
	return (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_SEQPACKET);
}

/* Hear of the child's exit from epoll (the pidfd becomes readable). */
static void
watch_exit(struct wchild *ch)
{
	struct epoll_event ev;

	if (ch->wc_exited)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = ch;
	if (epoll_ctl(w.w_ep, EPOLL_CTL_ADD, ch->wc_fd, &ev) != 0)
		ch->wc_exited = true;
}

/* Start noticing the last close of the program's descriptor. */
static void
watch_release(struct wchild *ch)
{
	char path[64];

	if (!ch->wc_young)
		return;
	ch->wc_young = false;
	w.w_nyoung--;
	/* Watch before checking, so that no close falls in between. */
	if (w.w_in >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", ch->wc_fd);
		ch->wc_wd = inotify_add_watch(w.w_in, path,
		    IN_CLOSE_WRITE | IN_CLOSE_NOWRITE);
	}
	if (ch->wc_wd < 0)
		w.w_npolled++;
	timer_update();
	check_release(ch);
}

/*
 * PDM_REG: fd is a pidfd of the child on an open file of the client's
 * making, which becomes ours; the child waits for a byte on go before it
 * runs the program.  Only a child of the client is accepted.  If the
 * client died before we got here, its child has been reparented and is
 * refused: closing go without a word makes it kill itself, as the death
 * of the last holder of its descriptor requires.  A child reaped already
 * can no longer be signalled, and is watched only to report the last
 * close.
 */
static void
child_add(struct wclient *c, const struct pd_msg *m, int fd, int go)
{
	struct pd_pidfd_info info;
	struct wchild *ch;
	struct stat st;
	long r;

	ch = NULL;
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_ino != m->pm_ino)
		goto refuse;
	r = capsicum_pd_info(fd, &info, PD_INFO_PID);
	if ((r == 0 && ((pid_t)info.ppid != c->wl_pid ||
	    (pid_t)info.pid != m->pm_pid)) || (r != 0 && r != -ESRCH))
		goto refuse;
	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		goto refuse;
	ch->wc_kind = WK_CHILD;
	ch->wc_client = c;
	ch->wc_ino = m->pm_ino;
	ch->wc_pid = m->pm_pid;
	ch->wc_fd = fd;
	ch->wc_daemon = (m->pm_flags & PD_DAEMON) != 0;
	ch->wc_exited = r != 0;
	ch->wc_wd = -1;
	ch->wc_next = w.w_children;
	w.w_children = ch;
	/*
	 * Most children are reaped by a waiting parent soon after they
	 * exit, and then need no watching at all.  So a young child is in
	 * no set: young_tick() finds its exit (POLLHUP for the program at
	 * most YOUNG_NS late when its parent does not wait) and, once it has
	 * lived TICK_NS, watches it for good.  Without a timer, at once.
	 */
	ch->wc_young = true;
	w.w_nyoung++;
	timer_update();
	if (w.w_timer < 0) {
		watch_exit(ch);
		watch_release(ch);
	}
	maybe_forget(ch);
	(void)write(go, "", 1);
	close(go);
	return;

refuse:
	close(fd);
	close(go);
}

/* PDM_NOKILL: the client gives up relayed signals to a child. */
static void
nokill_add(struct wclient *c, uint64_t ino)
{
	unsigned int i;

	if (c->wl_nokill_all)
		return;
	for (i = 0; i < c->wl_nnokill; i++) {
		if (c->wl_nokill[i] == ino)
			return;
	}
	if (c->wl_nokill == NULL &&
	    (c->wl_nokill = calloc(NOKILL_MAX, sizeof(uint64_t))) == NULL) {
		c->wl_nokill_all = true;
		return;
	}
	if (c->wl_nnokill == NOKILL_MAX) {
		c->wl_nokill_all = true;
		return;
	}
	c->wl_nokill[c->wl_nnokill++] = ino;
}

static bool
nokill_has(const struct wclient *c, uint64_t ino)
{
	unsigned int i;

	if (c->wl_nokill_all)
		return (true);
	for (i = 0; i < c->wl_nnokill; i++) {
		if (c->wl_nokill[i] == ino)
			return (true);
	}
	return (false);
}

/* PDM_KILL: the holder proves it holds the descriptor by sending it, and
 * must not have given up the right to the child (PDM_NOKILL). */
static void
relay_kill(const struct wclient *c, const struct pd_msg *m, int target,
    int reply)
{
	struct pd_msg rep;
	struct wchild *ch;
	struct stat st;
	int err;

	err = EPERM;
	if (fstat(target, &st) == 0 &&
	    (ch = child_by_ino((uint64_t)st.st_ino)) != NULL) {
		if (nokill_has(c, (uint64_t)st.st_ino))
			err = ENOTCAPABLE;
		else
			err = (int)-capsicum_pd_signal(ch->wc_fd, m->pm_arg);
	}
	close(target);
	memset(&rep, 0, sizeof(rep));
	rep.pm_magic = PD_MSG_MAGIC;
	rep.pm_type = PDM_REPLY;
	rep.pm_arg = err;
	if (is_seqpacket(reply))
		(void)capsicum_pd_send(reply, &rep, NULL, 0, MSG_DONTWAIT);
	close(reply);
}

static void
client_gone(struct wclient *c)
{
	struct wchild *ch;
	unsigned int i;

	if (c->wl_gone)
		return;
	c->wl_gone = true;
	for (i = 0; i < w.w_nnews; i++) {
		if (w.w_news[i].n_client == c)
			w.w_news[i].n_client = NULL;
	}
	epoll_ctl(w.w_ep, EPOLL_CTL_DEL, c->wl_fd, NULL);
	close(c->wl_fd);
	for (ch = w.w_children; ch != NULL; ch = ch->wc_next) {
		if (ch->wc_client == c) {
			ch->wc_client = NULL;
			maybe_forget(ch);
		}
	}
}

/*
 * One message per call: epoll is level-triggered and reports the channel
 * again while messages wait, which spares the receive that would only
 * say EAGAIN after each registration.
 */
static void
client_readable(struct wclient *c)
{
	int fds[PD_MSG_MAXFDS], nfds, i;
	struct pd_msg m;
	long r;

	do {
		r = capsicum_pd_recv(c->wl_fd, &m, fds, &nfds, NULL,
		    MSG_DONTWAIT);
	} while (r == -EINTR);
	if (r == -EAGAIN)
		return;
	if (r <= 0) {
		client_gone(c);
		return;
	}
	if (r == sizeof(m) && m.pm_magic == PD_MSG_MAGIC) {
		if (m.pm_type == PDM_HELLO && nfds == 1 &&
		    is_seqpacket(fds[0])) {
			client_add(fds[0], c);
			nfds = 0;
		} else if (m.pm_type == PDM_REG && nfds == 2) {
			child_add(c, &m, fds[0], fds[1]);
			nfds = 0;
		} else if (m.pm_type == PDM_KILL && nfds == 2) {
			relay_kill(c, &m, fds[0], fds[1]);
			nfds = 0;
		} else if (m.pm_type == PDM_NOKILL && nfds == 0) {
			nokill_add(c, m.pm_ino);
		}
	}
	for (i = 0; i < nfds; i++)
		close(fds[i]);
}

static void
inotify_readable(void)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	struct wchild *ch;
	bool all;
	ssize_t n;
	char *p;

	all = false;
	while ((n = read(w.w_in, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if ((ev->mask & IN_Q_OVERFLOW) != 0) {
				all = true;
				continue;
			}
			for (ch = w.w_children; ch != NULL; ch = ch->wc_next) {
				if (ch->wc_wd == ev->wd)
					check_release(ch);
			}
		}
	}
	if (all) {
		for (ch = w.w_children; ch != NULL; ch = ch->wc_next)
			check_release(ch);
	}
}

/*
 * One young child at a tick, with what poll() said of its pidfd: readable
 * once it exited, POLLHUP too once its parent reaped it.
 */
static void
young_check(struct wchild *ch, short revents, unsigned int age)
{

	if (!ch->wc_exited && (revents & (POLLIN | POLLHUP)) != 0) {
		ch->wc_exited = true;
		/* Not reaped: the parent's reaper must, for POLLHUP. */
		if ((revents & POLLHUP) == 0) {
			send_client(ch->wc_client, PDM_EXITED, ch->wc_ino,
			    &ch->wc_fd, 1);
			ch->wc_notified = true;
		}
		maybe_forget(ch);
	}
	if (ch->wc_gone || !ch->wc_young)
		return;
	ch->wc_age += age;
	if (ch->wc_age < YOUNG_TICKS)
		return;
	watch_exit(ch);
	watch_release(ch);
}

static void
young_tick(unsigned int age)
{
	struct wchild *batch[YOUNG_BATCH], *ch;
	struct pollfd pfd[YOUNG_BATCH];
	unsigned int i, n;

	ch = w.w_children;
	while (ch != NULL) {
		for (n = 0; ch != NULL && n < YOUNG_BATCH; ch = ch->wc_next) {
			if (!ch->wc_young || ch->wc_gone)
				continue;
			batch[n] = ch;
			pfd[n].fd = ch->wc_fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
		if (n > 0 && poll(pfd, n, 0) < 0)
			return;
		for (i = 0; i < n; i++)
			young_check(batch[i], pfd[i].revents, age);
	}
}

static void
poll_tick(void)
{
	struct wchild *ch;
	uint64_t n;
	bool slow;

	(void)read(w.w_timer, &n, sizeof(n));
	/* Counted in time, not in fast ticks: a level that keeps changing
	 * must not put the slow work off for ever. */
	w.w_since_slow += w.w_timer_level == TL_FAST ? YOUNG_NS : TICK_NS;
	slow = w.w_since_slow >= TICK_NS;
	if (slow)
		w.w_since_slow = 0;
	young_tick(w.w_timer_level == TL_FAST ? 1 : YOUNG_TICKS);
	if (slow) {
		for (ch = w.w_children; ch != NULL; ch = ch->wc_next) {
			if (!ch->wc_gone && !ch->wc_young && ch->wc_wd < 0)
				check_release(ch);
		}
		news_flush();
	}
	/* Slow down only here (timer_update never does). */
	timer_set(timer_want());
}

/* Free what the last batch of events finished with. */
static void
sweep(void)
{
	struct wclient **cp, *c;
	struct wchild **hp, *ch;

	for (hp = &w.w_children; (ch = *hp) != NULL;) {
		if (ch->wc_gone) {
			*hp = ch->wc_next;
			if (ch->wc_wd >= 0)
				inotify_rm_watch(w.w_in, ch->wc_wd);
			close(ch->wc_fd);
			free(ch);
		} else {
			hp = &ch->wc_next;
		}
	}
	for (cp = &w.w_clients; (c = *cp) != NULL;) {
		if (c->wl_gone) {
			*cp = c->wl_next;
			free(c->wl_nokill);
			free(c);
		} else {
			cp = &c->wl_next;
		}
	}
}

static void
watch_loop(int server)
{
	struct epoll_event ev[MAX_EVENTS], e;
	int i, n;

	memset(&w, 0, sizeof(w));
	w.w_in = w.w_timer = -1;
	w.w_in_kind = WK_INOTIFY;
	w.w_timer_kind = WK_TIMER;
	if ((w.w_ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return;
	/* A sandboxed watchdog cannot add watches: do not even try (in
	 * trap mode the refusal would raise SIGTRAP). */
	if (!cap_sandboxed())
		w.w_in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w.w_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	if (w.w_in >= 0) {
		e.data.ptr = &w.w_in_kind;
		epoll_ctl(w.w_ep, EPOLL_CTL_ADD, w.w_in, &e);
	}
	if (w.w_timer >= 0) {
		e.data.ptr = &w.w_timer_kind;
		epoll_ctl(w.w_ep, EPOLL_CTL_ADD, w.w_timer, &e);
	}
	client_add(server, NULL);
	while (w.w_clients != NULL || w.w_children != NULL) {
		if (w.w_clients == NULL)
			w.w_nnews = 0;
		n = epoll_wait(w.w_ep, ev, MAX_EVENTS, -1);
		if (n < 0 && errno != EINTR)
			return;
		for (i = 0; i < n; i++) {
			switch (*(int *)ev[i].data.ptr) {
			case WK_CLIENT:
				client_readable(ev[i].data.ptr);
				break;
			case WK_CHILD:
				child_exited(ev[i].data.ptr, ev[i].events);
				break;
			case WK_INOTIFY:
				inotify_readable();
				break;
			case WK_TIMER:
				poll_tick();
				break;
			}
		}
		sweep();
	}
}

/* ---------------------------------------------------------------------
 * Starting the watchdog.
 */
/*
 * The watchdog runs on the intermediate's stack, which the address
 * sanitizer does not know; nothing here may make it look.
 */
static void __attribute__((noreturn, no_sanitize_address))
watch_main(int server)
{
	sigset_t set;

	/* Out of the program's session and process group: a terminal's
	 * ^C, or a kill of the group, is not meant for us. */
	RAW0(SYS_setsid);
	RAW5(SYS_prctl, PR_SET_NAME, "capsicum-pdwatch", 0, 0, 0);
	/* Only SIGKILL stops the watchdog.  SIGSYS stays open: in
	 * capability mode the emulations run in its handler. */
	signal(SIGPIPE, SIG_IGN);
	sigfillset(&set);
	sigdelset(&set, SIGSYS);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/* Hold nothing of the program's: among its descriptors may be
	 * process descriptors whose last close we are to notice. */
	if (server > 0)
		RAW3(SYS_close_range, 0, server - 1, 0);
	RAW3(SYS_close_range, server + 1, ~0U, 0);
	watch_loop(server);
	_exit(0);
}

struct spawn_arg {
	int	sa_server;
};

/* Runs in the intermediate, on its own stack but in the caller's memory
 * (CLONE_VM | CLONE_VFORK): the caller is suspended until we exit. */
static int __attribute__((no_sanitize_address))
spawn_intermediate(void *arg)
{
	struct spawn_arg *sa = arg;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		watch_main(sa->sa_server);
	_exit(pid < 0 ? 1 : 0);
}

/*
 * Start a watchdog; return the client end of its first channel in
 * *clientp.  0 or -errno.
 */
int
capsicum_pd_spawn_watch(int *clientp)
{
	struct spawn_arg sa;
	sigset_t all, old;
	siginfo_t si;
	char *stack;
	int sv[2], ipidfd, sub, r;
	bool resub;
	long ipid;

	r = (int)RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
	    0, sv);
	if (r != 0)
		return (r);
	sv[0] = capsicum_pd_move_high(sv[0]);
	sv[1] = capsicum_pd_move_high(sv[1]);
	stack = mmap(NULL, SPAWN_STACK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		r = -ENOMEM;
		goto out;
	}
	/*
	 * A subreaper adopts its orphaned descendants, which would make the
	 * watchdog its child.  Outside capability mode we can step aside
	 * while the intermediate exits; inside it PR_SET_CHILD_SUBREAPER is
	 * refused and the subreaper adopts the watchdog (docs/procdesc.md).
	 */
	sub = 0;
	resub = !cap_sandboxed() &&
	    RAW2(SYS_prctl, PR_GET_CHILD_SUBREAPER, &sub) == 0 && sub != 0 &&
	    RAW2(SYS_prctl, PR_SET_CHILD_SUBREAPER, 0) == 0;
	sa.sa_server = sv[1];
	ipidfd = -1;
	/* No handler of the program may run on the intermediate, which
	 * shares its memory. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ipid = clone(spawn_intermediate, stack + SPAWN_STACK,
	    CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &sa, &ipidfd);
	r = ipid < 0 ? -errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ipid > 0) {
		memset(&si, 0, sizeof(si));
		if (ipidfd >= 0) {
			while ((r = (int)RAW5(SYS_waitid, P_PIDFD, ipidfd, &si,
			    WEXITED | __WALL, NULL)) == -EINTR)
				;
			RAW1(SYS_close, ipidfd);
		} else {
			while ((r = (int)RAW5(SYS_waitid, P_PID, ipid, &si,
			    WEXITED | __WALL, NULL)) == -EINTR)
				;
		}
		if (r == 0 && (si.si_code != CLD_EXITED || si.si_status != 0))
			r = -EAGAIN;
	}
	if (resub)
		RAW2(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1);
	munmap(stack, SPAWN_STACK);
out:
	RAW1(SYS_close, sv[1]);
	if (r != 0) {
		RAW1(SYS_close, sv[0]);
		return (r);
	}
	*clientp = sv[0];
	return (0);
}
