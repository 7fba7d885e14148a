/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Rights travel with SCM_RIGHTS (issue 6): a limited descriptor sent over
 * a unix socket and received in capability mode comes back with its
 * rights (the broker receives on the process's behalf and installs each
 * limited file in its profile's band), never as a full-rights copy.  And
 * limits set after cap_enter: what is made through such a descriptor, or
 * received back, is never wider.  Everything through raw system calls.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/capsicum.h>
#include <capsicum_helpers.h>

#include "harness.h"
#include "escape/tree.h"

#define	BAND_MIN	256	/* bands start here (fdtable.h) */

/* A fresh directory: f ("hello"), sub/f ("inner"). */
static char *
dir_new(void)
{
	char *d = test_tmpdir();

	tree_file(d, "f", "hello");
	tree_mkdir(d, "sub");
	tree_file(d, "sub/f", "inner");
	tree_open_to_all(d);
	return (d);
}

#define	IN_DIR(fn)	IN_TREE_OF(dir_new, fn, 60)

static int
open_limited(const char *root, const char *name, int flags,
    const cap_rights_t *r)
{
	char p[512];
	int fd;

	SKIP_UNDER_VALGRIND();
	snprintf(p, sizeof(p), "%s%s%s", root, name[0] != '\0' ? "/" : "",
	    name);
	fd = open(p, flags);
	CHECK(fd >= 0);
	if (r != NULL)
		CHECK(cap_rights_limit(fd, r) == 0);
	return (fd);
}

#define	RIGHTS(...)	cap_rights_init(&(cap_rights_t){ { 0 } }, __VA_ARGS__)

/* Send n descriptors with one byte of data, through raw sendmsg. */
static long
send_fds(int s, const int *fds, int n)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(16 * sizeof(int))];
	} u;
	struct msghdr m;
	struct iovec iov;
	char c = 'x';

	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	iov.iov_base = &c;
	iov.iov_len = 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (n > 0) {
		m.msg_control = u.b;
		m.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		u.h.cmsg_level = SOL_SOCKET;
		u.h.cmsg_type = SCM_RIGHTS;
		u.h.cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
		memcpy(CMSG_DATA(&u.h), fds, (size_t)n * sizeof(int));
	}
	return (raw(SYS_sendmsg, s, &m, MSG_NOSIGNAL));
}

/* Receive one message; the descriptors in *fds (up to max), their count
 * as the return value, or -errno.  *mflags gets msg_flags. */
static long
recv_fds(int s, int *fds, int max, int flags, int *mflags)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(16 * sizeof(int))];
	} u;
	struct cmsghdr *c;
	struct msghdr m;
	struct iovec iov;
	char buf[16];
	long r;
	int n;

	memset(&m, 0, sizeof(m));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.b;
	m.msg_controllen = CMSG_SPACE((size_t)max * sizeof(int));
	r = raw(SYS_recvmsg, s, &m, flags);
	if (r < 0)
		return (r);
	if (mflags != NULL)
		*mflags = m.msg_flags;
	n = 0;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(fds + n, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
		n += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	}
	return (n);
}

/* Send fd to ourselves, drop our own copy, and take it back. */
static int
round_trip(int fd, bool close_first)
{
	int sv[2], got, n, mf;

	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(send_fds(sv[0], &fd, 1) == 1);
	if (close_first)
		CHECK(raw(SYS_close, fd) == 0);
	n = (int)recv_fds(sv[1], &got, 1, 0, &mf);
	CHECK(n == 1);
	CHECK((mf & MSG_CTRUNC) == 0);
	raw(SYS_close, sv[0]);
	raw(SYS_close, sv[1]);
	return (got);
}

static bool
same_rights(int a, const cap_rights_t *want)
{
	cap_rights_t got;

	return (cap_rights_get(a, &got) == 0 &&
	    cap_rights_contains(&got, want) && cap_rights_contains(want, &got));
}

/* ---------------------------------------------------------------------
 * A file limited before cap_enter, sent to ourselves.
 */
static void
limited_file_to_self(void *arg)
{
	const cap_rights_t *r = RIGHTS(CAP_READ, CAP_FSTAT, CAP_SEEK);
	struct stat st;
	char buf[8];
	int fd, got;

	fd = open_limited(arg, "f", O_RDWR, r);
	capmode_enter();
	got = round_trip(fd, true);
	CHECK(got >= BAND_MIN);
	CHECK(same_rights(got, r));
	CHECK(raw(SYS_pread64, got, buf, 5, 0) == 5);
	CHECK_ERR(raw(SYS_write, got, "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ftruncate, got, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmod, got, 0777), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_mmap, 0, 4096, 3, MAP_SHARED, got, 0), ENOTCAPABLE);
	CHECK(raw(SYS_fstat, got, &st) == 0 && st.st_size == 5);
	/* Again, keeping the original: a second copy, also limited. */
	fd = round_trip(got, false);
	CHECK(fd >= BAND_MIN && fd != got);
	CHECK_ERR(raw(SYS_write, fd, "x", 1), ENOTCAPABLE);
	/* And the copy's own copies. */
	got = (int)raw(SYS_dup, fd);
	CHECK(got >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, got, "x", 1), ENOTCAPABLE);
}

Test(scmrights, limited_file_sent_to_itself, .timeout = 60)
{
	IN_DIR(limited_file_to_self);
}

/*
 * Nothing open but stdio, the limited file and a unix socket (which makes
 * the broker necessary), descriptor 3 free: the broker then receives its
 * listener as descriptor 3, where it keeps it.  (It used to dup3() it onto
 * itself, fail and exit; every brokered call then failed with ENOSYS.)
 * cap_enforcement() must report the broker only when it runs.
 */
static void
broker_with_three_free(void *arg)
{
	struct cap_enforcement ce;
	char p[512];
	int fd, got, sv[2];

	SKIP_UNDER_VALGRIND();
	raw(SYS_close_range, 3, ~0U, 0);
	snprintf(p, sizeof(p), "%s/f", (const char *)arg);
	fd = (int)raw(SYS_open, p, O_RDONLY);
	CHECK(fd == 3);
	CHECK(raw(SYS_dup2, fd, 9) == 9 && raw(SYS_close, fd) == 0);
	CHECK(cap_rights_limit(9, RIGHTS(CAP_READ, CAP_FSTAT)) == 0);
	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(raw(SYS_dup2, sv[0], 10) == 10 && raw(SYS_close, sv[0]) == 0);
	CHECK(raw(SYS_dup2, sv[1], 11) == 11 && raw(SYS_close, sv[1]) == 0);
	capmode_enter();
	CHECK(cap_enforcement(&ce) == 0);
	CHECK((ce.ce_active & CAP_LAYER_BROKER) != 0);
	CHECK((ce.ce_missing & CAP_LAYER_BROKER) == 0);
	got = round_trip(9, false);
	CHECK(got >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, got, "x", 1), ENOTCAPABLE);
	/* A plain receive works too (not ENOSYS). */
	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(raw(SYS_write, sv[0], "ab", 2) == 2);
	CHECK(recv_fds(sv[1], &got, 0, 0, NULL) == 0);
}

Test(scmrights, broker_starts_with_descriptor_3_free, .timeout = 60)
{
	IN_DIR(broker_with_three_free);
}

/* ---------------------------------------------------------------------
 * Files opened through a limited directory and connections accepted on
 * a limited listener: the broker made them, it knows them.
 */
static void
derived_to_self(void *arg)
{
	int d, f, got;

	d = open_limited(arg, "", O_RDONLY | O_DIRECTORY,
	    RIGHTS(CAP_LOOKUP, CAP_READ, CAP_FSTAT));
	capmode_enter();
	f = (int)raw(SYS_openat, d, "f", O_RDONLY);
	CHECK(f >= BAND_MIN);
	got = round_trip(f, true);
	CHECK(got >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, got, "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmod, got, 0777), ENOTCAPABLE);
	/* The directory itself, too. */
	got = round_trip(d, false);
	CHECK(got >= BAND_MIN);
	CHECK_ERR(raw(SYS_openat, got, "f", O_RDWR), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_mkdirat, got, "new", 0755), ENOTCAPABLE);
	f = (int)raw(SYS_openat, got, "f", O_RDONLY);
	CHECK(f >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, f, "x", 1), ENOTCAPABLE);
}

Test(scmrights, derived_file_sent_to_itself, .timeout = 60)
{
	IN_DIR(derived_to_self);
}

static void
accepted_to_self(void *arg)
{
	struct sockaddr_un sun;
	int l, c, s, got;

	SKIP_UNDER_VALGRIND();
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock",
	    (const char *)arg);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(listen(l, 8) == 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(c >= 0);
	CHECK(connect(c, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(cap_rights_limit(l, RIGHTS(CAP_ACCEPT, CAP_READ, CAP_FSTAT)) ==
	    0);
	capmode_enter();
	s = (int)raw(SYS_accept, l, NULL, NULL);
	CHECK(s >= BAND_MIN);
	got = round_trip(s, true);
	CHECK(got >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, got, "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_shutdown, got, SHUT_RDWR), ENOTCAPABLE);
	CHECK(raw(SYS_write, c, "y", 1) == 1);
	CHECK(raw(SYS_read, got, &(char){ 0 }, 1) == 1);
}

Test(scmrights, accepted_connection_sent_to_itself, .timeout = 60)
{
	IN_DIR(accepted_to_self);
}

/* ---------------------------------------------------------------------
 * What the kernel would do, otherwise: unlimited descriptors come with
 * full rights at the lowest free number; data, flags, address and the
 * other control messages are what recvmsg gives natively.
 */
static void
message_semantics(void *arg)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred)) +
		    CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct cmsghdr *cm;
	struct mmsghdr mm[3];
	struct msghdr m;
	struct iovec iov[3];
	struct sockaddr_un from;
	struct ucred cred;
	char a[3], b[4], big[64];
	int sv[2], p[2], fds[4], got[4], lim, n, mf, one = 1;

	lim = open_limited(arg, "f", O_RDONLY, RIGHTS(CAP_READ, CAP_FSTAT));
	capmode_enter();
	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(raw(SYS_pipe2, p, 0) == 0);

	/* An unlimited pipe end: full rights, a low number. */
	CHECK(send_fds(sv[0], &p[1], 1) == 1);
	CHECK(recv_fds(sv[1], got, 1, MSG_CMSG_CLOEXEC, &mf) == 1);
	CHECK(got[0] < BAND_MIN);
	CHECK(raw(SYS_fcntl, got[0], F_GETFD) == FD_CLOEXEC);
	CHECK(raw(SYS_write, got[0], "z", 1) == 1);
	CHECK(raw(SYS_read, p[0], a, 1) == 1 && a[0] == 'z');
	raw(SYS_close, got[0]);

	/* Mixed: limited and unlimited in one message, each its own way;
	 * without MSG_CMSG_CLOEXEC. */
	fds[0] = p[1];
	fds[1] = lim;
	fds[2] = p[0];
	CHECK(send_fds(sv[0], fds, 3) == 1);
	CHECK(recv_fds(sv[1], got, 3, 0, &mf) == 3);
	CHECK(got[0] < BAND_MIN && got[1] >= BAND_MIN && got[2] < BAND_MIN);
	CHECK(raw(SYS_fcntl, got[1], F_GETFD) == 0);
	CHECK_ERR(raw(SYS_write, got[1], "x", 1), ENOTCAPABLE);
	CHECK(raw(SYS_write, got[0], "q", 1) == 1);
	CHECK(raw(SYS_read, got[2], a, 1) == 1 && a[0] == 'q');
	for (n = 0; n < 3; n++)
		raw(SYS_close, got[n]);

	/* Control buffer too small: the kernel's truncation, MSG_CTRUNC,
	 * and nothing installed beyond what fits (CMSG_SPACE of one int
	 * holds two). */
	fds[0] = lim;
	fds[1] = p[1];
	fds[2] = p[0];
	CHECK(send_fds(sv[0], fds, 3) == 1);
	CHECK(recv_fds(sv[1], got, 1, 0, &mf) == 2);
	CHECK((mf & MSG_CTRUNC) != 0);
	CHECK(got[0] >= BAND_MIN && got[1] < BAND_MIN);
	CHECK_ERR(raw(SYS_write, got[0], "x", 1), ENOTCAPABLE);
	raw(SYS_close, got[1]);

	/* MSG_PEEK gives copies, the real receive gives them again. */
	CHECK(send_fds(sv[0], &lim, 1) == 1);
	CHECK(recv_fds(sv[1], got, 1, MSG_PEEK, &mf) == 1);
	CHECK(got[0] >= BAND_MIN);
	CHECK(recv_fds(sv[1], got + 1, 1, 0, &mf) == 1);
	CHECK(got[1] >= BAND_MIN && got[1] != got[0]);
	CHECK_ERR(raw(SYS_write, got[1], "x", 1), ENOTCAPABLE);

	/* Scatter into several iovecs; MSG_TRUNC on a datagram that does
	 * not fit gives its real length. */
	CHECK(raw(SYS_write, sv[0], "abcdefg", 7) == 7);
	memset(&m, 0, sizeof(m));
	iov[0] = (struct iovec){ a, sizeof(a) };
	iov[1] = (struct iovec){ NULL, 0 };
	iov[2] = (struct iovec){ b, sizeof(b) };
	m.msg_iov = iov;
	m.msg_iovlen = 3;
	CHECK(raw(SYS_recvmsg, sv[1], &m, 0) == 7);
	CHECK(memcmp(a, "abc", 3) == 0 && memcmp(b, "defg", 4) == 0);
	CHECK(m.msg_flags == 0 && m.msg_controllen == 0);
	CHECK(raw(SYS_write, sv[0], "abcdefgh", 8) == 8);
	m.msg_iovlen = 1;
	CHECK(raw(SYS_recvmsg, sv[1], &m, MSG_TRUNC) == 8);
	CHECK((m.msg_flags & MSG_TRUNC) != 0);

	/* As many iovecs as the kernel takes, one byte each, with an
	 * address and control: the broker splits its copy back. */
	{
		static struct iovec many[1024];
		static char bytes[1024];
		char msg[1024];

		for (n = 0; n < 1024; n++) {
			many[n] = (struct iovec){ bytes + n, 1 };
			msg[n] = (char)n;
		}
		CHECK(raw(SYS_write, sv[0], msg, sizeof(msg)) == 1024);
		memset(&m, 0, sizeof(m));
		m.msg_iov = many;
		m.msg_iovlen = 1024;
		m.msg_name = &from;
		m.msg_namelen = sizeof(from);
		m.msg_control = u.b;
		m.msg_controllen = sizeof(u.b);
		CHECK(raw(SYS_recvmsg, sv[1], &m, 0) == 1024);
		CHECK(memcmp(bytes, msg, sizeof(msg)) == 0);
		CHECK(m.msg_controllen == 0 && m.msg_flags == 0);
	}

	/* Credentials and descriptors in one message; the peer's (empty)
	 * address. */
	CHECK(raw(SYS_setsockopt, sv[1], SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)) == 0);
	CHECK(send_fds(sv[0], &lim, 1) == 1);
	memset(&m, 0, sizeof(m));
	iov[0] = (struct iovec){ big, sizeof(big) };
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	m.msg_control = u.b;
	m.msg_controllen = sizeof(u.b);
	CHECK(raw(SYS_recvmsg, sv[1], &m, 0) == 1);
	CHECK(m.msg_namelen == sizeof(sa_family_t) || m.msg_namelen == 0);
	n = 0;
	for (cm = CMSG_FIRSTHDR(&m); cm != NULL; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
			CHECK(cred.pid == getpid() && cred.uid == getuid());
			n |= 1;
		} else if (cm->cmsg_type == SCM_RIGHTS) {
			memcpy(got, CMSG_DATA(cm), sizeof(int));
			CHECK(got[0] >= BAND_MIN);
			CHECK_ERR(raw(SYS_write, got[0], "x", 1), ENOTCAPABLE);
			n |= 2;
		}
	}
	CHECK(n == 3);
	one = 0;
	CHECK(raw(SYS_setsockopt, sv[1], SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)) == 0);

	/* Nothing there: EAGAIN when not blocking; errors as the kernel's. */
	CHECK(recv_fds(sv[1], got, 1, MSG_DONTWAIT, &mf) == -EAGAIN);
	CHECK_ERR(raw(SYS_recvmsg, sv[1], (void *)8, 0), EFAULT);
	CHECK_ERR(raw(SYS_recvmsg, p[0], &m, 0), ENOTSOCK);
	CHECK_ERR(raw(SYS_recvmsg, 999, &m, 0), EBADF);
	m.msg_iovlen = 5000;
	CHECK_ERR(raw(SYS_recvmsg, sv[1], &m, 0), EMSGSIZE);

	/* recvmmsg: what is queued, up to vlen, each with its descriptors. */
	CHECK(send_fds(sv[0], &lim, 1) == 1);
	CHECK(send_fds(sv[0], &p[1], 1) == 1);
	memset(mm, 0, sizeof(mm));
	for (n = 0; n < 3; n++) {
		iov[n] = (struct iovec){ big + 16 * n, 16 };
		mm[n].msg_hdr.msg_iov = &iov[n];
		mm[n].msg_hdr.msg_iovlen = 1;
	}
	mm[0].msg_hdr.msg_control = u.b;
	mm[0].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(int));
	CHECK(raw(SYS_recvmmsg, sv[1], mm, 3, MSG_DONTWAIT, NULL) == 2);
	CHECK(mm[0].msg_len == 1 && mm[1].msg_len == 1);
	/* The second message's descriptor had no room: dropped, as the
	 * kernel drops it. */
	CHECK((mm[1].msg_hdr.msg_flags & MSG_CTRUNC) != 0);
	cm = CMSG_FIRSTHDR(&mm[0].msg_hdr);
	CHECK(cm != NULL && cm->cmsg_type == SCM_RIGHTS);
	memcpy(got, CMSG_DATA(cm), sizeof(int));
	CHECK(got[0] >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, got[0], "x", 1), ENOTCAPABLE);
}

Test(scmrights, receive_semantics, .timeout = 60)
{
	IN_DIR(message_semantics);
}

/* ---------------------------------------------------------------------
 * Blocking receives wait without holding up the broker; a signal
 * interrupts them and loses nothing.
 */
struct blocker {
	int	 s;
	int	 lim;
	int	 got;
	long	 r;
};

static void *
block_in_recv(void *arg)
{
	struct blocker *b = arg;

	b->r = recv_fds(b->s, &b->got, 1, 0, NULL);
	return (NULL);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
blocking_receive(void *arg)
{
	struct sigaction sa;
	struct blocker b;
	struct timeval tv;
	struct stat st;
	pthread_t t;
	int sv[2], d, got;

	d = open_limited(arg, "", O_RDONLY | O_DIRECTORY,
	    RIGHTS(CAP_LOOKUP, CAP_READ, CAP_FSTAT, CAP_FSTATAT));
	b.lim = open_limited(arg, "f", O_RDONLY, RIGHTS(CAP_READ));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	capmode_enter();
	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b.s = sv[1];
	b.r = 1000;
	CHECK(pthread_create(&t, NULL, block_in_recv, &b) == 0);
	usleep(100000);
	CHECK(b.r == 1000);
	/* Meanwhile the broker answers other calls. */
	CHECK(raw(SYS_newfstatat, d, "f", &st, 0) == 0 && st.st_size == 5);
	got = (int)raw(SYS_openat, d, "f", O_RDONLY);
	CHECK(got >= BAND_MIN);
	CHECK(send_fds(sv[0], &b.lim, 1) == 1);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(b.r == 1 && b.got >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, b.got, "x", 1), ENOTCAPABLE);

	/* Interrupted: EINTR, and the message is still there after. */
	alarm(1);
	CHECK(recv_fds(sv[1], &got, 1, 0, NULL) == -EINTR);
	CHECK(send_fds(sv[0], &b.lim, 1) == 1);
	CHECK(recv_fds(sv[1], &got, 1, 0, NULL) == 1 && got >= BAND_MIN);

	/* A receive timeout ends the wait with EAGAIN. */
	tv.tv_sec = 0;
	tv.tv_usec = 200000;
	CHECK(raw(SYS_setsockopt, sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == 0);
	CHECK(recv_fds(sv[1], &got, 1, 0, NULL) == -EAGAIN);

	/* The peer going away ends it with 0. */
	raw(SYS_close, sv[0]);
	CHECK(recv_fds(sv[1], &got, 1, 0, NULL) == 0);
}

Test(scmrights, blocking_receive, .timeout = 60)
{
	IN_DIR(blocking_receive);
}

/* ---------------------------------------------------------------------
 * Racing threads: one sends a limited file to itself and receives it,
 * others rewrite the msghdr under the broker, close and reuse numbers.
 * No full-rights copy may appear anywhere.
 */
static volatile int race_stop;
static int race_sv[2], race_lim;
static struct msghdr race_m;
static union {
	struct cmsghdr h;
	char b[CMSG_SPACE(4 * sizeof(int))];
} race_c1, race_c2;

static void *
race_rewrite(void *arg)
{
	volatile struct msghdr *m = &race_m;
	unsigned int i;

	(void)arg;
	for (i = 0; !race_stop; i++) {
		m->msg_control = (i & 1) != 0 ? race_c1.b : race_c2.b;
		m->msg_controllen = (i & 2) != 0 ? sizeof(race_c1.b) : 3;
	}
	return (NULL);
}

static void *
race_churn(void *arg)
{
	long d;

	(void)arg;
	while (!race_stop) {
		d = raw(SYS_dup, race_lim);
		if (d >= 0)
			raw(SYS_close, d);
		d = raw(SYS_open, "/", O_RDONLY);	/* ECAPMODE */
		(void)d;
	}
	return (NULL);
}

static void
racing(void *arg)
{
	pthread_t t1, t2;
	struct stat lst, st;
	struct iovec iov;
	char buf[4];
	int i, fd;

	race_lim = open_limited(arg, "f", O_RDWR, RIGHTS(CAP_READ, CAP_FSTAT));
	CHECK(raw(SYS_fstat, race_lim, &lst) == 0);
	capmode_enter();
	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, race_sv) == 0);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	race_m.msg_iov = &iov;
	race_m.msg_iovlen = 1;
	race_m.msg_control = race_c1.b;
	race_m.msg_controllen = sizeof(race_c1.b);
	CHECK(pthread_create(&t1, NULL, race_rewrite, NULL) == 0);
	CHECK(pthread_create(&t2, NULL, race_churn, NULL) == 0);
	for (i = 0; i < 2000; i++) {
		CHECK(send_fds(race_sv[0], &race_lim, 1) == 1);
		if (raw(SYS_recvmsg, race_sv[1], &race_m, MSG_DONTWAIT) < 0)
			continue;
	}
	race_stop = 1;
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	/* Whatever landed wherever: every descriptor of the file outside
	 * the bands must refuse to write. */
	for (fd = 0; fd < 4096; fd++) {
		if (raw(SYS_fstat, fd, &st) != 0 || st.st_ino != lst.st_ino ||
		    st.st_dev != lst.st_dev)
			continue;
		CHECK_ERR(raw(SYS_write, fd, "x", 1), ENOTCAPABLE);
		CHECK_ERR(raw(SYS_pwrite64, fd, "x", 1, 0), ENOTCAPABLE);
	}
}

Test(scmrights, racing_threads, .timeout = 120)
{
	IN_DIR(racing);
}

/* ---------------------------------------------------------------------
 * Another process of ours (forked in capability mode, same broker).
 */
static void
to_child(void *arg)
{
	int sv[2], lim, got;
	char c;
	pid_t pid;

	lim = open_limited(arg, "f", O_RDWR, RIGHTS(CAP_READ, CAP_FSTAT));
	capmode_enter();
	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		raw(SYS_close, lim);
		c = recv_fds(sv[1], &got, 1, 0, NULL) == 1 && got >= BAND_MIN &&
		    raw(SYS_write, got, "x", 1) == -ENOTCAPABLE &&
		    raw(SYS_read, got, &c, 1) == 1 ? 'k' : 'f';
		raw(SYS_write, sv[1], &c, 1);
		_exit(0);
	}
	CHECK(send_fds(sv[0], &lim, 1) == 1);
	/* No wait4 in capability mode: the child answers on the socket. */
	CHECK(raw(SYS_read, sv[0], &c, 1) == 1 && c == 'k');
}

Test(scmrights, to_a_child_of_ours, .timeout = 60)
{
	IN_DIR(to_child);
}

/* ---------------------------------------------------------------------
 * Limits set after cap_enter: what is made through the descriptor, or
 * received back, is never wider.
 */
static void
limits_after_enter(void *arg)
{
	int d, rod, held, f, got, p[2], sv[2], n, mf;
	const cap_rights_t *ro = RIGHTS(CAP_LOOKUP, CAP_READ, CAP_FSTAT);

	/* A directory limited to ro at cap_enter: that profile has a band
	 * the broker knows. */
	rod = open_limited(arg, "", O_RDONLY | O_DIRECTORY, ro);
	held = open_limited(arg, "sub", O_RDONLY | O_DIRECTORY, NULL);
	capmode_enter();
	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv) == 0);

	/* A directory received after cap_enter (unlimited), then limited
	 * to ro: opens through it get ro. */
	CHECK(send_fds(sv[0], &held, 1) == 1);
	CHECK(recv_fds(sv[1], &d, 1, 0, &mf) == 1 && d < BAND_MIN);
	f = (int)raw(SYS_openat, d, "f", O_RDWR);
	CHECK(f >= 0 && f < BAND_MIN);		/* full rights: unlimited */
	raw(SYS_close, f);
	CHECK(cap_rights_limit(d, ro) == 0);
	CHECK_ERR(raw(SYS_openat, d, "f", O_RDWR), ENOTCAPABLE);
	f = (int)raw(SYS_openat, d, "f", O_RDONLY);
	CHECK(f >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, f, "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmod, f, 0777), ENOTCAPABLE);
	/* Narrowed to a profile the broker never saw: it cannot place
	 * what is made through it, so it refuses. */
	CHECK(cap_rights_limit(d, RIGHTS(CAP_LOOKUP, CAP_READ)) == 0);
	CHECK_ERR(raw(SYS_openat, d, "f", O_RDONLY), ENOTCAPABLE);
	(void)rod;

	/* A directory held without limits at cap_enter goes straight to
	 * the kernel; limited later, it loses CAP_LOOKUP rather than
	 * handing out full-rights descriptors. */
	CHECK(cap_rights_limit(held, ro) == 0);
	CHECK_ERR(raw(SYS_openat, held, "f", O_RDONLY), ENOTCAPABLE);

	/* A pipe limited after cap_enter, sent to ourselves: it cannot
	 * come back with full rights; with no band for its profile it does
	 * not come back at all (MSG_CTRUNC, as when the kernel cannot
	 * install a descriptor). */
	CHECK(raw(SYS_pipe2, p, 0) == 0);
	CHECK(cap_rights_limit(p[1], RIGHTS(CAP_FSTAT)) == 0);
	CHECK(send_fds(sv[0], &p[1], 1) == 1);
	CHECK(raw(SYS_close, p[1]) == 0);
	n = (int)recv_fds(sv[1], &got, 1, 0, &mf);
	CHECK(n == 0 && (mf & MSG_CTRUNC) != 0);
	/* Limited to a profile the broker knows: its band. */
	CHECK(raw(SYS_pipe2, p, 0) == 0);
	CHECK(cap_rights_limit(p[0], ro) == 0);
	CHECK(send_fds(sv[0], &p[0], 1) == 1);
	CHECK(raw(SYS_close, p[0]) == 0);
	CHECK(recv_fds(sv[1], &got, 1, 0, &mf) == 1 && got >= BAND_MIN);
	CHECK_ERR(raw(SYS_fcntl, got, F_SETFL, O_NONBLOCK), ENOTCAPABLE);
}

Test(scmrights, limits_set_after_cap_enter, .timeout = 60)
{
	IN_DIR(limits_after_enter);
}

/*
 * Nothing limited, no directory and no unix socket at cap_enter: no
 * broker, and no one outside can send descriptors.  Until something is
 * limited, descriptors sent among ourselves arrive as the kernel sends
 * them; from the first limit on, recvmsg and recvmmsg trap and receive
 * without descriptors (recvfrom), so a limited one cannot come back
 * unlimited.
 */
static void
no_broker(void *arg)
{
	struct cap_enforcement ce;
	struct mmsghdr mm[3];
	struct iovec iov[2], iv[3];
	struct msghdr m;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(4 * sizeof(int))];
	} u;
	char a[8], b[32], d[3][16];
	int sv[2], dg[2], p[2], got, mf, before, after;

	(void)arg;
	SKIP_UNDER_VALGRIND();
	closefrom(3);		/* the test framework's own sockets */
	CHECK(pipe(p) == 0);
	capmode_enter();
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, dg) == 0);
	CHECK(cap_enforcement(&ce) == 0);
	CHECK((ce.ce_active & CAP_LAYER_BROKER) == 0);
	/* Nothing limited yet: descriptors come through. */
	CHECK(send_fds(sv[0], &p[0], 1) == 1);
	CHECK(recv_fds(sv[1], &got, 1, 0, &mf) == 1 && got >= 0);
	CHECK(raw(SYS_close, got) == 0);

	CHECK(cap_rights_limit(p[0], RIGHTS(CAP_READ)) == 0);
	CHECK_ERR(raw(SYS_fstat, p[0], &(struct stat){ 0 }), ENOTCAPABLE);
	/* Sent to ourselves: the data arrives, the descriptor does not. */
	before = (int)raw(SYS_dup, 0);
	CHECK(before >= 0 && raw(SYS_close, before) == 0);
	CHECK(send_fds(sv[0], &p[0], 1) == 1);
	mf = 0;
	CHECK(recv_fds(sv[1], &got, 1, 0, &mf) == 0);
	CHECK((mf & MSG_CTRUNC) != 0);
	after = (int)raw(SYS_dup, 0);
	CHECK(after == before && raw(SYS_close, after) == 0);
	/* Data over two iovecs, and the message's control length. */
	CHECK(raw(SYS_write, sv[0], "hello world", 11) == 11);
	memset(&m, 0, sizeof(m));
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	iov[0] = (struct iovec){ a, 5 };
	iov[1] = (struct iovec){ b, sizeof(b) };
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	m.msg_control = u.b;
	m.msg_controllen = sizeof(u.b);
	CHECK(raw(SYS_recvmsg, sv[1], &m, 0) == 11);
	CHECK(memcmp(a, "hello", 5) == 0 && strcmp(b, " world") == 0);
	CHECK(m.msg_controllen == 0 && (m.msg_flags & MSG_CTRUNC) != 0);
	/* Records: truncation is reported, MSG_TRUNC gives the length. */
	CHECK(raw(SYS_write, dg[0], "0123456789", 10) == 10);
	memset(&m, 0, sizeof(m));
	iov[0] = (struct iovec){ a, 4 };
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	CHECK(raw(SYS_recvmsg, dg[1], &m, 0) == 4);
	CHECK((m.msg_flags & MSG_TRUNC) != 0 && memcmp(a, "0123", 4) == 0);
	CHECK(raw(SYS_write, dg[0], "0123456789", 10) == 10);
	CHECK(raw(SYS_recvmsg, dg[1], &m, MSG_TRUNC) == 10);
	/* recvmmsg: what is queued, without the descriptors. */
	CHECK(raw(SYS_write, dg[0], "one", 3) == 3);
	CHECK(send_fds(dg[0], &p[0], 1) == 1);
	memset(mm, 0, sizeof(mm));
	for (got = 0; got < 3; got++) {
		iv[got] = (struct iovec){ d[got], sizeof(d[got]) };
		mm[got].msg_hdr.msg_iov = &iv[got];
		mm[got].msg_hdr.msg_iovlen = 1;
	}
	mm[1].msg_hdr.msg_control = u.b;
	mm[1].msg_hdr.msg_controllen = sizeof(u.b);
	CHECK(raw(SYS_recvmmsg, dg[1], mm, 3, 0, NULL) == 2);
	CHECK(mm[0].msg_len == 3 && memcmp(d[0], "one", 3) == 0);
	CHECK(mm[1].msg_len == 1 && d[1][0] == 'x');
	CHECK(mm[1].msg_hdr.msg_controllen == 0 &&
	    (mm[1].msg_hdr.msg_flags & MSG_CTRUNC) != 0);
	after = (int)raw(SYS_dup, 0);
	CHECK(after == before && raw(SYS_close, after) == 0);
	/* Bad pointers are EFAULT, as from the kernel, not a crash. */
	CHECK(raw(SYS_write, sv[0], "z", 1) == 1);
	CHECK_ERR(raw(SYS_recvmsg, sv[1], (void *)8, 0), EFAULT);
	memset(&m, 0, sizeof(m));
	m.msg_iov = (void *)8;
	m.msg_iovlen = 2;
	CHECK_ERR(raw(SYS_recvmsg, sv[1], &m, 0), EFAULT);
	iov[0] = (struct iovec){ a, 1 };
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	CHECK(raw(SYS_recvmsg, sv[1], &m, 0) == 1 && a[0] == 'z');
	/* Nothing waiting on a non-blocking receive. */
	CHECK_ERR(raw(SYS_recvmsg, sv[1], &m, MSG_DONTWAIT), EAGAIN);
	CHECK_ERR(raw(SYS_recvmmsg, sv[1], mm, 2, MSG_DONTWAIT, NULL), EAGAIN);
	/* MSG_PEEK leaves the data queued. */
	CHECK(raw(SYS_write, sv[0], "pq", 2) == 2);
	CHECK(raw(SYS_recvmsg, sv[1], &m, MSG_PEEK) == 1 && a[0] == 'p');
	CHECK(raw(SYS_recvmsg, sv[1], &m, 0) == 1 && a[0] == 'p');
	CHECK(raw(SYS_recvmsg, sv[1], &m, 0) == 1 && a[0] == 'q');
	/* What the kernel's calls refuse, refused alike: not a socket,
	 * too many iovecs for the emulation, no messages asked for. */
	CHECK_ERR(raw(SYS_recvmsg, p[1], &m, 0), ENOTSOCK);
	CHECK_ERR(raw(SYS_recvmmsg, p[1], mm, 1, 0, NULL), ENOTSOCK);
	/* The limited end lacks CAP_RECV: the filter says so first. */
	CHECK_ERR(raw(SYS_recvmsg, p[0], &m, 0), ENOTCAPABLE);
	m.msg_iovlen = 65;
	CHECK_ERR(raw(SYS_recvmsg, sv[1], &m, 0), EMSGSIZE);
	CHECK(raw(SYS_recvmmsg, sv[1], mm, 0, 0, NULL) == 0);
}

/* The same after exec: the new image keeps receiving without them. */
Test(scmrights, limit_without_broker_survives_exec, .timeout = 60)
{
	const char *helper = test_helper("rights_report");
	char out[256], arg[16];
	char *argv[] = { "rights_report", arg, NULL };
	int sv[2], p[2], pp[2], exe;
	pid_t pid;

	if (getenv("CAPSICUM_TEST_VALGRIND") != NULL)
		cr_skip_test("no seccomp under valgrind");
	cr_assert_eq(pipe(pp), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(pp[1], 1);
		closefrom(3);	/* the test framework's own sockets */
		if (pipe(p) != 0 ||
		    (exe = open(helper, O_RDONLY | O_CLOEXEC)) < 0)
			_exit(2);
		capmode_enter();
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
		    cap_rights_limit(p[0], RIGHTS(CAP_READ)) != 0 ||
		    send_fds(sv[0], &p[0], 1) != 1)
			_exit(3);
		snprintf(arg, sizeof(arg), "r%d", sv[1]);
		fexecve(exe, argv, environ);
		_exit(4);
	}
	close(pp[1]);
	child_output(pid, pp[0], out, sizeof(out));
	cr_assert_str_eq(out, "recv 1 fds 0 ctrunc 1\n");
	close(pp[0]);
}

/*
 * The common sandbox: stdio limited, no directory, no unix socket.  No
 * broker is started; descriptors sent among ourselves are dropped from
 * the start, so limited stdio cannot come back unlimited.
 */
static void
stdio_no_broker(void *arg)
{
	struct cap_enforcement ce;
	int sv[2], got, mf, before, after;

	(void)arg;
	SKIP_UNDER_VALGRIND();
	closefrom(3);		/* the test framework's own sockets */
	CHECK(caph_limit_stdio() == 0);
	capmode_enter();
	CHECK(cap_enforcement(&ce) == 0);
	CHECK((ce.ce_active & CAP_LAYER_BROKER) == 0 && ce.ce_missing == 0);
	CHECK(ce.ce_filters == 2);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	before = (int)raw(SYS_dup, sv[0]);
	CHECK(before >= 0 && raw(SYS_close, before) == 0);
	CHECK(send_fds(sv[0], (int[]){ 1 }, 1) == 1);
	mf = 0;
	CHECK(recv_fds(sv[1], &got, 1, 0, &mf) == 0 && (mf & MSG_CTRUNC) != 0);
	after = (int)raw(SYS_dup, sv[0]);
	CHECK(after == before);
	CHECK_ERR(raw(SYS_read, 1, &got, 1), ENOTCAPABLE);
}

Test(scmrights, limited_stdio_without_unix_socket_needs_no_broker,
    .timeout = 60)
{
	SANDBOXED(stdio_no_broker, NULL);
}

/*
 * A unix socket held at cap_enter (a Casper channel, say) may bring
 * descriptors from outside, which a program may limit as it receives
 * them: with no broker those keep arriving, and a limited one sent to
 * oneself is the gap docs/escape.md lists.
 */
static void
no_broker_unix_held(void *arg)
{
	struct cap_enforcement ce;
	int sv[2], p[2], got, mf;

	(void)arg;
	SKIP_UNDER_VALGRIND();
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(pipe(p) == 0);
	capmode_enter();
	CHECK(cap_enforcement(&ce) == 0);
	CHECK((ce.ce_active & CAP_LAYER_BROKER) == 0);
	CHECK(cap_rights_limit(p[1], RIGHTS(CAP_WRITE)) == 0);
	CHECK(send_fds(sv[0], &p[0], 1) == 1);
	CHECK(recv_fds(sv[1], &got, 1, 0, &mf) == 1 && got >= 0);
	CHECK((mf & MSG_CTRUNC) == 0);
	CHECK(cap_rights_limit(got, RIGHTS(CAP_READ)) == 0);
	CHECK_ERR(raw(SYS_fstat, got, &(struct stat){ 0 }), ENOTCAPABLE);
}

Test(scmrights, limit_without_broker_unix_socket_held, .timeout = 60)
{
	SANDBOXED(no_broker_unix_held, NULL);
}

Test(scmrights, limit_in_capmode_without_broker, .timeout = 60)
{
	SANDBOXED(no_broker, NULL);
}

static void
listener_after_enter(void *arg)
{
	struct sockaddr_un sun;
	int l, c;

	SKIP_UNDER_VALGRIND();
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock",
	    (const char *)arg);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(listen(l, 8) == 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(c >= 0);
	CHECK(connect(c, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	/* Something limited, so that there is a broker. */
	CHECK(cap_rights_limit(STDIN_FILENO, RIGHTS(CAP_READ)) == 0);
	capmode_enter();
	/* accept on it never reaches the broker (it was not limited at
	 * cap_enter): CAP_ACCEPT is withdrawn instead. */
	CHECK(cap_rights_limit(l, RIGHTS(CAP_ACCEPT, CAP_READ)) == 0);
	CHECK_ERR(raw(SYS_accept, l, NULL, NULL), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_accept4, l, NULL, NULL, 0), ENOTCAPABLE);
}

Test(scmrights, listener_limited_after_cap_enter, .timeout = 60)
{
	IN_DIR(listener_after_enter);
}

/* ---------------------------------------------------------------------
 * Hostile calls to the broker's limit call: it only narrows.
 */
static long
claim(int fd, const struct stat *st, const cap_rights_t *r, uint32_t fcntls,
    int32_t nioctls, uint64_t ioctls)
{
	/* struct capsicum_claim (lib/capsicum/broker.h). */
	struct {
		uint64_t	dev, ino, rights[2];
		uint32_t	fcntls;
		int32_t		nioctls;
		uint64_t	ioctls;
	} c;

	c.dev = st->st_dev;
	c.ino = st->st_ino;
	c.rights[0] = r != NULL ? r->cr_rights[0] : ~0ULL;
	c.rights[1] = r != NULL ? r->cr_rights[1] : ~0ULL;
	c.fcntls = fcntls;
	c.nioctls = nioctls;
	c.ioctls = ioctls;
	return (raw(1019, fd, &c, 0));
}

static void
hostile_limit_calls(void *arg)
{
	const cap_rights_t *wide = RIGHTS(CAP_LOOKUP, CAP_READ, CAP_WRITE,
	    CAP_CREATE, CAP_FSTAT, CAP_FCHMOD);
	struct stat dst, sst;
	int d, sub, f;

	d = open_limited(arg, "", O_RDONLY | O_DIRECTORY,
	    RIGHTS(CAP_LOOKUP, CAP_READ, CAP_FSTAT));
	sub = open_limited(arg, "sub", O_RDONLY | O_DIRECTORY, wide);
	CHECK(fstat(d, &dst) == 0 && fstat(sub, &sst) == 0);
	capmode_enter();
	/* "d has the rights of sub" (a profile the broker knows, wider):
	 * d keeps its own. */
	CHECK(claim(d, &dst, wide, 0, 0, 0) == 0);
	CHECK_ERR(raw(SYS_openat, d, "f", O_RDWR), ENOTCAPABLE);
	f = (int)raw(SYS_openat, d, "f", O_RDONLY);
	CHECK(f >= BAND_MIN);
	CHECK_ERR(raw(SYS_write, f, "x", 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fchmod, f, 0600), ENOTCAPABLE);
	/* "sub has every right" (no such profile): the broker cannot place
	 * what is made through sub any more, and refuses. */
	CHECK(claim(sub, &sst, NULL, ~0U, -1, 0) == 0);
	CHECK_ERR(raw(SYS_openat, sub, "f", O_RDWR), ENOTCAPABLE);
	/* Garbage. */
	CHECK_ERR(claim(d, &dst, NULL, 0, 100000, 0), EINVAL);
	CHECK_ERR(claim(d, &dst, NULL, 0, 4, 8), EFAULT);
	CHECK_ERR(raw(1019, d, 8, 0), EFAULT);
	/* The broker still works. */
	f = (int)raw(SYS_openat, d, "f", O_RDONLY);
	CHECK(f >= BAND_MIN);
}

Test(scmrights, hostile_limit_calls, .timeout = 60)
{
	IN_DIR(hostile_limit_calls);
}
