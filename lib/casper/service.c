/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A service process: its connections, the request loop and the watcher.
 *
 * The process serves every connection of one service (the first from
 * cap_service_open, more from clone) and exits when the last one closes.
 * A request runs to completion in the main thread, so while a command
 * blocks (a resolver waiting for a name server, say) nobody reads the
 * sockets.  The watcher thread covers that case: it waits for hang-ups on
 * all connections and ends the process once every client has gone, so a
 * client that dies never leaves a service behind, blocked or not.  It is
 * started after the sandbox is entered, and inherits it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "casper_impl.h"

struct conn {
	int		 c_sock;
	nvlist_t	*c_limits;
};

static struct {
	pthread_mutex_t	 lock;		/* conns, nconns (watcher reads) */
	struct conn	*conns;
	size_t		 nconns;
	size_t		 cap;
	int		 wake[2];	/* tells the watcher the set changed */
	bool		 watched;
	bool		 quit;		/* the watcher is to return */
	bool		 paused;
	pthread_t	 watcher;
} srv = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = { -1, -1 } };

static void
wake_watcher(void)
{
	char c = 0;

	if (srv.watched)
		(void)write(srv.wake[1], &c, 1);
}

static int
conn_add(int sock, nvlist_t *limits)
{
	struct conn *n;

	pthread_mutex_lock(&srv.lock);
	if (srv.nconns == srv.cap) {
		n = realloc(srv.conns, (srv.cap * 2 + 4) * sizeof(*n));
		if (n == NULL) {
			pthread_mutex_unlock(&srv.lock);
			return (-1);
		}
		srv.conns = n;
		srv.cap = srv.cap * 2 + 4;
	}
	srv.conns[srv.nconns].c_sock = sock;
	srv.conns[srv.nconns].c_limits = limits;
	srv.nconns++;
	wake_watcher();
	pthread_mutex_unlock(&srv.lock);
	return (0);
}

static void
conn_drop(size_t i)
{

	pthread_mutex_lock(&srv.lock);
	(void)close(srv.conns[i].c_sock);
	nvlist_destroy(srv.conns[i].c_limits);
	srv.conns[i] = srv.conns[--srv.nconns];
	wake_watcher();
	pthread_mutex_unlock(&srv.lock);
}

/*
 * Ends the process when every connection has hung up.  Polling with no
 * events still reports POLLHUP and POLLERR; a unix socket reports POLLHUP
 * once its peer is closed.
 */
static void *
watcher_main(void *arg)
{
	struct pollfd *pfd;
	size_t i, n, hung;
	char buf[64];

	(void)arg;
	pfd = NULL;
	for (;;) {
		pthread_mutex_lock(&srv.lock);
		n = srv.nconns;
		free(pfd);
		if ((pfd = calloc(n + 1, sizeof(*pfd))) == NULL)
			_exit(1);
		for (i = 0; i < n; i++)
			pfd[i].fd = srv.conns[i].c_sock;
		pthread_mutex_unlock(&srv.lock);
		pfd[n].fd = srv.wake[0];
		pfd[n].events = POLLIN;
		hung = 0;
		while (hung < n || n == 0) {
			if (poll(pfd, n + 1, -1) < 0) {
				if (errno == EINTR)
					continue;
				_exit(1);
			}
			if (pfd[n].revents != 0)
				break;		/* the set changed */
			/* poll() skips negative numbers: done with those. */
			for (i = 0; i < n; i++) {
				if (pfd[i].fd >= 0 && (pfd[i].revents &
				    (POLLHUP | POLLERR | POLLNVAL)) != 0) {
					pfd[i].fd = -1;
					hung++;
				}
			}
		}
		if (pfd[n].revents != 0) {
			while (read(srv.wake[0], buf, sizeof(buf)) > 0)
				;
			if (srv.quit) {
				free(pfd);
				return (NULL);
			}
			continue;
		}
		/* Every client is gone; unless the set just changed, leave. */
		pthread_mutex_lock(&srv.lock);
		if (read(srv.wake[0], buf, 1) <= 0)
			_exit(0);
		pthread_mutex_unlock(&srv.lock);
	}
}

static int
start_watcher(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int error;

	if (srv.wake[0] < 0 && pipe2(srv.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return (errno);
	srv.quit = false;
	(void)pthread_attr_init(&attr);
	(void)pthread_attr_setstacksize(&attr, 64 * 1024);
	/* The watcher takes no signals; the service's handlers stay its. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&srv.watcher, &attr, watcher_main, NULL);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	(void)pthread_attr_destroy(&attr);
	if (error == 0)
		srv.watched = true;
	return (error);
}

/*
 * A DEFERRED service confines itself while the watcher runs; Landlock
 * (ABI < 8) binds only the calling thread, so the watcher is stopped and
 * started again in the new domain.
 */
void
casper_watcher_pause(void)
{

	if (!srv.watched)
		return;
	pthread_mutex_lock(&srv.lock);
	srv.quit = true;
	wake_watcher();
	pthread_mutex_unlock(&srv.lock);
	(void)pthread_join(srv.watcher, NULL);
	srv.watched = false;
	srv.paused = true;
}

void
casper_watcher_resume(void)
{

	if (!srv.paused)
		return;
	srv.paused = false;
	if (start_watcher() != 0)
		_exit(1);	/* unwatched, a service could outlive its client */
}

/* Receive and answer one request on connection i; false drops it. */
static bool
serve_one(const struct casper_service *svc, size_t i)
{
	nvlist_t *nvlin, *nvlout, *trailer;
	int nvflags, newsock, error;
	bool ok;

	nvflags = casper_nvlist_flags(svc->cs_flags);
	if ((nvlin = casper_sock_recv(srv.conns[i].c_sock, nvflags)) == NULL)
		return (false);
	if ((nvlout = nvlist_create(nvflags)) == NULL) {
		nvlist_destroy(nvlin);
		return (false);
	}
	error = casper_dispatch(svc, &srv.conns[i].c_limits, nvlin, nvlout,
	    &newsock);
	nvlist_destroy(nvlin);
	if (nvlist_error(nvlout) != 0) {
		nvlist_destroy(nvlout);
		if ((nvlout = nvlist_create(nvflags)) == NULL)
			return (false);
		nvlist_add_number(nvlout, "error", (uint64_t)error);
	}
	trailer = NULL;
	if (error == 0 && nvlist_exists_nvlist(nvlout, CASPER_REPLY_TRAILER))
		trailer = nvlist_take_nvlist(nvlout, CASPER_REPLY_TRAILER);
	ok = nvlist_send(srv.conns[i].c_sock, nvlout) == 0;
	nvlist_destroy(nvlout);
	/*
	 * The client waits for the trailer the reply announced: if it cannot
	 * be sent, the connection goes (the client sees end of file).
	 */
	if (ok && trailer != NULL)
		ok = nvlist_send(srv.conns[i].c_sock, trailer) == 0;
	nvlist_destroy(trailer);
	if (newsock >= 0) {
		/* The clone starts with the limits of its origin. */
		nvlist_t *l = srv.conns[i].c_limits == NULL ? NULL :
		    nvlist_clone(srv.conns[i].c_limits);

		if (!ok || (srv.conns[i].c_limits != NULL && l == NULL) ||
		    conn_add(newsock, l) != 0) {
			nvlist_destroy(l);
			(void)close(newsock);
		}
	}
	return (ok);
}

/*
 * Serve sock and the connections cloned from it until none is left.
 * Used by the service processes and, for the core service, by Casper.
 */
void
casper_serve(const struct casper_service *svc, int sock)
{
	struct pollfd *pfd, *np;
	size_t i, n, room;

	if (conn_add(sock, NULL) != 0)
		return;
	pfd = NULL;
	room = 0;
	while (srv.nconns > 0) {
		n = srv.nconns;
		if (n == 1) {
			/*
			 * One connection (the common case): wait in the
			 * receive itself, a poll() less per request.  A hang-up
			 * ends the receive as it would end the poll.
			 */
			if (!serve_one(svc, 0))
				conn_drop(0);
			continue;
		}
		if (n > room) {
			/* Grows with the connections; no allocation per request. */
			if ((np = realloc(pfd, n * 2 * sizeof(*pfd))) == NULL)
				break;
			pfd = np;
			room = n * 2;
		}
		for (i = 0; i < n; i++) {
			pfd[i].fd = srv.conns[i].c_sock;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* Backwards: conn_drop moves the last entry into slot i. */
		for (i = n; i-- > 0;) {
			if (pfd[i].revents == 0)
				continue;
			if ((pfd[i].revents & POLLIN) == 0 ||
			    !serve_one(svc, i))
				conn_drop(i);
		}
	}
	free(pfd);
}

/*
 * libcapsicum records the rights of the process's descriptors in a memfd
 * whose number is in CAPSICUM_STATE_FD (it reads it back after exec).  A
 * forked process shares that open file with its parent, and libcapsicum
 * rewrites it whole whenever its bookkeeping changes: Casper entering
 * capability mode, or a service closing the application's limited
 * descriptors, would overwrite the application's record.  Put a fresh
 * memfd of this process's own at the same number (libcapsicum writes its
 * state there next time; nothing here reads it, services never exec).
 * Best effort: what fails leaves the record shared, as before.
 */
void
casper_state_unshare(void)
{
	struct stat st;
	const char *env;
	char *end;
	long v;
	int fd, nfd, fl;

	if ((env = getenv("CAPSICUM_STATE_FD")) == NULL)
		return;
	errno = 0;
	v = strtol(env, &end, 10);
	if (errno != 0 || *end != '\0' || end == env || v < 0 || v > INT_MAX)
		return;
	fd = (int)v;
	/* What libcapsicum would accept: an unlinked regular file. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 0 ||
	    (fl = fcntl(fd, F_GETFD)) < 0)
		return;
	nfd = memfd_create("capsicum-state",
	    (fl & FD_CLOEXEC) != 0 ? MFD_CLOEXEC : 0);
	if (nfd < 0)
		return;
	/*
	 * Raw: libcapsicum's dup3 would take fd for one of its own.  In
	 * capability mode (cap_init() after cap_enter(), which the services
	 * do not survive anyway) the number is pinned and this fails.
	 */
	(void)syscall(SYS_dup3, nfd, fd, (fl & FD_CLOEXEC) != 0 ? O_CLOEXEC :
	    0);
	(void)syscall(SYS_close, nfd);
}

/*
 * libcapsicum's bookkeeping descriptors, which a service keeps: memfds
 * named "capsicum-..." (its rights record and the placeholder that holds
 * the numbers of closed limited descriptors in capability mode).  Everything else at CASPER_LIBFD_MIN and above is the
 * application's, or libcapsicum's channel to the zygote's process-
 * descriptor watchdog, which a service does not need (it pdforks nothing;
 * libcapsicum makes a channel of its own if it ever has to) and has no
 * business holding: it speaks to the watchdog as the zygote.
 */
static bool
is_libcapsicum_fd(int fd)
{
	static const char memfd[] = "/memfd:capsicum-";
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return (false);
	link[n] = '\0';
	return (strncmp(link, memfd, sizeof(memfd) - 1) == 0);
}

int
casper_close_fds(const int *keep, int nkeep)
{
	struct dirent *de;
	DIR *dir;
	long v;
	char *end;
	int fd, k, dfd;
	bool kept;

	/* Below CASPER_LIBFD_MIN every number, open or not. */
	for (fd = 0; fd < CASPER_LIBFD_MIN; fd++) {
		for (kept = false, k = 0; k < nkeep; k++)
			kept |= keep[k] == fd;
		if (!kept)
			(void)close(fd);
	}
	/*
	 * Above, the open ones as /proc lists them.  Without /proc the
	 * service does not start: it would keep what it must not.
	 */
	if ((dir = opendir("/proc/self/fd")) == NULL)
		return (errno != 0 ? errno : EBADF);
	dfd = dirfd(dir);
	while ((de = readdir(dir)) != NULL) {
		v = strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name ||
		    v < CASPER_LIBFD_MIN || v > INT_MAX || (int)v == dfd)
			continue;
		fd = (int)v;
		for (kept = false, k = 0; k < nkeep; k++)
			kept |= keep[k] == fd;
		/* (close: libcapsicum forgets the rights it recorded.) */
		if (!kept && !is_libcapsicum_fd(fd))
			(void)close(fd);
	}
	(void)closedir(dir);
	return (0);
}

/* Without CASPER_SERVICE_STDIO: stdio on /dev/null, a session of its own. */
static int
null_stdio(void)
{
	int fd, i;

	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return (errno);
	for (i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) < 0)
			return (errno);
	if (fd > 2)
		(void)close(fd);
	(void)setsid();
	return (0);
}

/*
 * Tidy the process for its service: move the channel and the process
 * descriptor out of the stdio range, then close and reopen per flags.
 */
static int
service_clean(const struct casper_service *svc, int *sockp, int *procfdp)
{
	int keep[5], nkeep, error;

	if (*sockp <= 2 && (*sockp = fcntl(*sockp, F_DUPFD_CLOEXEC, 3)) < 0)
		return (errno);
	if (*procfdp >= 0 && *procfdp <= 2 &&
	    (*procfdp = fcntl(*procfdp, F_DUPFD_CLOEXEC, 3)) < 0)
		return (errno);
	if ((svc->cs_flags & CASPER_SERVICE_FD) == 0) {
		/* stdio is dealt with below. */
		nkeep = 0;
		keep[nkeep++] = 0;
		keep[nkeep++] = 1;
		keep[nkeep++] = 2;
		keep[nkeep++] = *sockp;
		if (*procfdp >= 0)
			keep[nkeep++] = *procfdp;
		if ((error = casper_close_fds(keep, nkeep)) != 0)
			return (error);
	}
	if ((svc->cs_flags & CASPER_SERVICE_STDIO) == 0)
		return (null_stdio());
	return (0);
}

void
casper_service_main(const struct casper_service *svc, int sock, int procfd)
{
	nvlist_t *status;
	int error;

	(void)prctl(PR_SET_NAME, svc->cs_name, 0, 0, 0);
	(void)signal(SIGPIPE, SIG_IGN);
	casper_state_unshare();
	error = service_clean(svc, &sock, &procfd);
	if (error == 0)
		error = casper_service_confine(svc->cs_name);
	if (error == 0)
		error = start_watcher();
	/* Casper waits for this before it hands the channel out. */
	if ((status = nvlist_create(0)) != NULL) {
		nvlist_add_number(status, "error", (uint64_t)error);
		if (nvlist_send(sock, status) != 0)
			error = error != 0 ? error : EPIPE;
		nvlist_destroy(status);
	}
	if (error != 0)
		_exit(1);
	casper_serve(svc, sock);
	_exit(0);
}
