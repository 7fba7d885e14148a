/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * accept on a limited listening socket in capability mode: the connection
 * has the listener's rights, as on FreeBSD (the broker accepts and places
 * it in the listener's derived band).  Blocking, non-blocking, flags, the
 * peer's address, interruption and reuse of numbers.
 */
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/capsicum.h>

#include "harness.h"

struct setup {
	char			 path[108];
	int			 listener;
	int			 go;	/* write a byte: the client connects */
};

/* A client outside the sandbox: one connection per byte on `go`, each
 * sending "hi". */
static void
client(const char *path, int go)
{
	struct sockaddr_un sun;
	char c;
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	while (read(go, &c, 1) == 1) {
		if (c == 'w')
			usleep(200000);
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&sun,
		    sizeof(sun)) != 0)
			_exit(1);
		/* The server may have closed it already. */
		(void)send(s, "hi", 2, MSG_NOSIGNAL);
		close(s);
	}
	/* The sandbox cannot remove it; the client, outside, does. */
	unlink(path);
	_exit(0);
}

static void
setup(struct setup *su, bool nonblock)
{
	struct sockaddr_un sun;
	cap_rights_t r;
	int p[2];

	SKIP_UNDER_VALGRIND();
	snprintf(su->path, sizeof(su->path), "/tmp/capsicum-accept.%d",
	    (int)getpid());
	unlink(su->path);
	su->listener = socket(AF_UNIX, SOCK_STREAM |
	    (nonblock ? SOCK_NONBLOCK : 0), 0);
	CHECK(su->listener >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", su->path);
	CHECK(bind(su->listener, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(listen(su->listener, 64) == 0);
	CHECK(pipe(p) == 0);
	if (fork() == 0) {
		close(p[1]);
		client(su->path, p[0]);
	}
	close(p[0]);
	su->go = p[1];
	CHECK(cap_rights_limit(su->listener, cap_rights_init(&r, CAP_ACCEPT,
	    CAP_READ, CAP_EVENT, CAP_FSTAT, CAP_GETPEERNAME)) == 0);
}

static bool
same_rights(int a, int b)
{
	cap_rights_t ra, rb;

	return (cap_rights_get(a, &ra) == 0 && cap_rights_get(b, &rb) == 0 &&
	    cap_rights_contains(&ra, &rb) && cap_rights_contains(&rb, &ra));
}

static void
rights_of_the_connection(void *arg)
{
	struct sockaddr_un peer;
	struct setup su;
	socklen_t len;
	char buf[4];
	int s, i;

	(void)arg;
	setup(&su, false);
	capmode_enter();
	CHECK(write(su.go, "c", 1) == 1);
	s = (int)raw(SYS_accept, su.listener, NULL, NULL);
	CHECK(s >= 256);	/* in the listener's band */
	CHECK(same_rights(s, su.listener));
	CHECK(raw(SYS_read, s, buf, 2) == 2 && memcmp(buf, "hi", 2) == 0);
	CHECK_ERR(raw(SYS_write, s, "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_sendto, s, "x", 1, 0, NULL, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_shutdown, s, SHUT_RDWR), ENOTCAPABLE);
	CHECK(raw(SYS_fcntl, s, F_GETFD) == 0);
	/* accept4: flags, and the peer's address. */
	CHECK(write(su.go, "c", 1) == 1);
	len = sizeof(peer);
	memset(&peer, 0xff, sizeof(peer));
	s = (int)raw(SYS_accept4, su.listener, &peer, &len,
	    SOCK_CLOEXEC | SOCK_NONBLOCK);
	CHECK(s >= 0);
	CHECK(peer.sun_family == AF_UNIX && len == sizeof(sa_family_t));
	CHECK(raw(SYS_fcntl, s, F_GETFD) == FD_CLOEXEC);
	CHECK((raw(SYS_fcntl, s, F_GETFL) & O_NONBLOCK) != 0);
	CHECK_ERR(raw(SYS_accept4, su.listener, NULL, NULL, 0x4000000),
	    EINVAL);
	/* Numbers come back when closed. */
	for (i = 0; i < 40; i++) {
		CHECK(write(su.go, "c", 1) == 1);
		s = (int)raw(SYS_accept, su.listener, NULL, NULL);
		CHECK(s >= 0 && close(s) == 0);
	}
}

Test(accept, connection_has_the_listener_rights, .timeout = 30)
{
	SANDBOXED(rights_of_the_connection, NULL);
}

/* A blocking accept waits for the connection without holding up the
 * broker: another brokered call from a second thread is answered
 * meanwhile. */
static void
blocking(void *arg)
{
	struct setup su;
	struct stat st;
	char dir[] = "/tmp";
	int s, d;

	(void)arg;
	d = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(d >= 0);
	setup(&su, false);
	capmode_enter();
	CHECK(write(su.go, "w", 1) == 1);	/* connects in 200 ms */
	if (fork() == 0) {
		/* Meanwhile, the broker answers others. */
		usleep(50000);
		_exit(raw(SYS_newfstatat, d, ".", &st, 0) == 0 ? 0 : 1);
	}
	s = (int)raw(SYS_accept, su.listener, NULL, NULL);
	CHECK(s >= 0);
	CHECK_ERR(raw(SYS_write, s, "x", 1), ENOTCAPABLE);
}

Test(accept, blocking_accept_waits, .timeout = 30)
{
	SANDBOXED(blocking, NULL);
}

static void
nonblocking(void *arg)
{
	struct setup su;

	(void)arg;
	setup(&su, true);
	capmode_enter();
	CHECK_ERR(raw(SYS_accept, su.listener, NULL, NULL), EAGAIN);
	CHECK(write(su.go, "c", 1) == 1);
	usleep(100000);
	CHECK(raw(SYS_accept, su.listener, NULL, NULL) >= 0);
}

Test(accept, nonblocking_listener, .timeout = 30)
{
	SANDBOXED(nonblocking, NULL);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/* Interrupted while waiting: EINTR, and the next connection is not lost. */
static void
interrupted(void *arg)
{
	struct sigaction sa;
	struct setup su;
	char buf[4];
	int s;

	(void)arg;
	setup(&su, false);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	capmode_enter();
	alarm(1);
	CHECK_ERR(raw(SYS_accept, su.listener, NULL, NULL), EINTR);
	CHECK(write(su.go, "c", 1) == 1);
	s = (int)raw(SYS_accept, su.listener, NULL, NULL);
	CHECK(s >= 0);
	CHECK(raw(SYS_read, s, buf, 2) == 2);
}

Test(accept, interrupted_accept, .timeout = 30)
{
	SANDBOXED(interrupted, NULL);
}
