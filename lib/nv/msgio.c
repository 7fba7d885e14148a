/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nvlist_send(), nvlist_recv() and nvlist_xfer() over unix sockets.
 *
 * A message is the packed list, with the list's descriptors attached to
 * it as SCM_RIGHTS (at most NV_FD_BATCH per message, Linux's limit).  If
 * there are more, each further batch follows in a one-byte message of its
 * own.  FreeBSD sends every batch separately after the data; we attach the
 * first batch to the data, which saves a system call and a wake-up on each
 * side, and the receiver accepts both arrangements.
 *
 * Stream sockets are read header first, then exactly the announced size;
 * record sockets (SOCK_SEQPACKET, SOCK_DGRAM) are read one record at a
 * time, peeking at the header first to learn the record's real length.
 * A small message costs two system calls either way: the peek and the
 * read (nvlist_recv() explains how the peek stands in for asking the
 * socket its type).
 *
 * The receiver trusts nothing: the header is checked before the size and
 * descriptor count are believed, both are capped (NV_MSG_SIZE_MAX,
 * NV_DESCRIPTORS_MAX), a stream buffer grows only as bytes actually
 * arrive, control data is sized for the descriptors still expected so
 * that the kernel drops any surplus, and every descriptor received is
 * closed on every failure path.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nv_impl.h"

/* Messages up to this size are packed and received on the stack. */
#define	NV_STACK_BUF		4096

/* The first read of a stream buffer; it doubles as data arrives. */
#define	NV_STREAM_CHUNK		(64 * 1024)

/*
 * Wait for the socket to become ready after EAGAIN.  A blocking socket
 * only says EAGAIN when its SO_RCVTIMEO or SO_SNDTIMEO expired: report
 * that to the caller rather than wait forever.  Returns 0 to retry.
 */
static int
wait_ready(int sock, short events)
{
	struct pollfd pfd;
	int flags;

	flags = fcntl(sock, F_GETFL);
	if (flags == -1 || (flags & O_NONBLOCK) == 0) {
		errno = EAGAIN;
		return (-1);
	}
	pfd.fd = sock;
	pfd.events = events;
	for (;;) {
		if (poll(&pfd, 1, -1) >= 0)
			return (0);
		if (errno != EINTR)
			return (-1);
	}
}

/* Fill in one SCM_RIGHTS control message; cbuf must be large enough. */
static void
put_rights(struct msghdr *msg, void *cbuf, const int *fds, size_t nfds)
{
	struct cmsghdr *cmsg;

	msg->msg_control = cbuf;
	msg->msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	/* Alignment padding goes to the kernel too: no stack garbage. */
	memset(cbuf, 0, msg->msg_controllen);
	cmsg = CMSG_FIRSTHDR(msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
}

/*
 * Send len bytes with nfds descriptors attached to the first of them.  A
 * stream socket may take the bytes in pieces; the descriptors travel with
 * the first piece.
 */
static int
send_msg(int sock, const unsigned char *buf, size_t len, const int *fds,
    size_t nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(NV_FD_BATCH * sizeof(int))];
	} cbuf;
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0)
		put_rights(&msg, cbuf.buf, fds, nfds);
	while (len > 0) {
		iov.iov_base = (void *)(uintptr_t)buf;
		iov.iov_len = len;
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && wait_ready(sock, POLLOUT) == 0)
				continue;
			return (-1);
		}
		buf += n;
		len -= (size_t)n;
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
	}
	return (0);
}

int
nvlist_send(int sock, const nvlist_t *nvl)
{
	unsigned char stackbuf[NV_STACK_BUF], *buf;
	int stackfds[16], *fds;
	size_t size, nfds, i, batch;
	int ret, serrno;

	if (nvl == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	nv_impl_check_list(nvl, "nvlist_send");
	if (nvl->nvl_error != 0) {
		errno = nvl->nvl_error;
		return (-1);
	}
	ret = -1;
	size = nvlist_size(nvl);
	nfds = nvl->nvl_ndesc;
	buf = size <= sizeof(stackbuf) ? stackbuf : malloc(size);
	fds = nfds <= sizeof(stackfds) / sizeof(stackfds[0]) ? stackfds :
	    malloc(nfds * sizeof(fds[0]));
	if (buf == NULL || fds == NULL)
		goto free_buffers;
	nv_impl_pack_into(nvl, buf, size, fds);
	batch = nfds < NV_FD_BATCH ? nfds : NV_FD_BATCH;
	if (send_msg(sock, buf, size, fds, batch) != 0)
		goto free_buffers;
	for (i = batch; i < nfds; i += batch) {
		batch = nfds - i < NV_FD_BATCH ? nfds - i : NV_FD_BATCH;
		if (send_msg(sock, (const unsigned char *)"", 1, fds + i,
		    batch) != 0)
			goto free_buffers;
	}
	ret = 0;

free_buffers:
	serrno = errno;
	if (buf != stackbuf)
		free(buf);
	if (fds != stackfds)
		free(fds);
	errno = serrno;
	return (ret);
}

/*
 * Receiving.
 */
struct rx {
	int	 rx_sock;
	int	*rx_fds;	/* received so far: rx_nfds of them */
	size_t	 rx_nfds;
	size_t	 rx_max;	/* how many this message may bring */
	int	 rx_stack[NV_FD_BATCH];
};

static void
rx_close(struct rx *rx)
{
	size_t i;
	int serrno;

	serrno = errno;
	for (i = 0; i < rx->rx_nfds; i++)
		(void)close(rx->rx_fds[i]);
	rx->rx_nfds = 0;
	errno = serrno;
}

/* After a failed receive: try again (a signal, or a non-blocking socket
 * that has become readable)? */
static bool
rx_again(int sock)
{

	return (errno == EINTR ||
	    (errno == EAGAIN && wait_ready(sock, POLLIN) == 0));
}

/* recv() with rx_recvmsg()'s retries and its MSG_TRUNC convention. */
static ssize_t
rx_recv(struct rx *rx, void *buf, size_t len, int flags)
{
	ssize_t ret;

	/* MSG_TRUNC: a record reports its real length (a stream ignores
	 * it), so a record that does not fit is seen, as with recvmsg(). */
	while ((ret = recv(rx->rx_sock, buf, len, flags | MSG_TRUNC)) < 0) {
		if (!rx_again(rx->rx_sock))
			return (-1);
	}
	if ((flags & MSG_PEEK) == 0 && (size_t)ret > len)
		return ((ssize_t)len + 1);	/* The caller sees a misfit. */
	return (ret);
}

/*
 * recvmsg() that collects descriptors.  The control buffer has room for
 * the descriptors still expected (plus credentials, should SO_PASSCRED be
 * on) and no more, so the kernel discards a surplus rather than install
 * it here.  Truncated control data, or surplus descriptors that did
 * arrive, fail the receive with EINVAL.  Returns the byte count, or -1.
 */
static ssize_t
rx_recvmsg(struct rx *rx, void *buf, size_t len, int flags)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(NV_FD_BATCH * sizeof(int)) +
				    CMSG_SPACE(sizeof(struct ucred))];
	} cbuf;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	size_t room, i, n;
	ssize_t ret;
	bool bad;
	int fd;

	room = rx->rx_max - rx->rx_nfds;
	if (room > NV_FD_BATCH)
		room = NV_FD_BATCH;
	/* Peeks, and reads when no descriptor is expected, need no control
	 * data: recv(), which also keeps them out of libcapsicum's broker
	 * (in capability mode every recvmsg() is a round trip to it).  A
	 * descriptor the peer attached anyway is discarded by the kernel,
	 * never installed. */
	if ((flags & MSG_PEEK) != 0 || room == 0)
		return (rx_recv(rx, buf, len, flags));
	iov.iov_base = buf;
	iov.iov_len = len;
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = CMSG_SPACE(room * sizeof(int)) +
		    CMSG_SPACE(sizeof(struct ucred));
		ret = recvmsg(rx->rx_sock, &msg, flags | MSG_CMSG_CLOEXEC);
		if (ret >= 0)
			break;
		if (!rx_again(rx->rx_sock))
			return (-1);
	}
	bad = (msg.msg_flags & MSG_CTRUNC) != 0;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(fd));
			if (rx->rx_nfds < rx->rx_max) {
				rx->rx_fds[rx->rx_nfds++] = fd;
			} else {
				(void)close(fd);
				bad = true;
			}
		}
	}
	if (bad) {
		errno = EINVAL;
		return (-1);
	}
	if ((msg.msg_flags & MSG_TRUNC) != 0)
		return ((ssize_t)len + 1);	/* The caller sees a misfit. */
	return (ret);
}

/* Read exactly len bytes from a stream; EOF is ENOTCONN, as on FreeBSD. */
static int
rx_read_full(struct rx *rx, unsigned char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = rx_recvmsg(rx, buf, len, 0);
		if (n == -1)
			return (-1);
		if (n == 0) {
			errno = ENOTCONN;
			return (-1);
		}
		buf += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Make room for ndesc descriptors once the header has announced them. */
static int
rx_expect(struct rx *rx, uint64_t ndesc)
{
	int *fds;

	if (rx->rx_nfds > ndesc) {
		errno = EINVAL;
		return (-1);
	}
	if (ndesc > NV_FD_BATCH) {
		fds = malloc((size_t)ndesc * sizeof(fds[0]));
		if (fds == NULL)
			return (-1);
		memcpy(fds, rx->rx_fds, rx->rx_nfds * sizeof(fds[0]));
		rx->rx_fds = fds;
	}
	rx->rx_max = (size_t)ndesc;
	return (0);
}

/* Receive the batches of descriptors that did not come with the data. */
static int
rx_more_fds(struct rx *rx)
{
	unsigned char byte;
	size_t before;
	ssize_t n;

	while (rx->rx_nfds < rx->rx_max) {
		before = rx->rx_nfds;
		n = rx_recvmsg(rx, &byte, 1, 0);
		if (n == -1)
			return (-1);
		if (n == 0) {
			errno = ENOTCONN;
			return (-1);
		}
		if (n != 1 || rx->rx_nfds == before) {
			errno = EINVAL;
			return (-1);
		}
	}
	return (0);
}

/* Check a header and apply the limits; 0 or -1 with errno set. */
static int
check_limits(const unsigned char *hdr, uint64_t *ndescp, uint64_t *sizep)
{
	bool isbe;
	int hflags;

	if (nv_impl_check_header(hdr, &isbe, ndescp, sizep, &hflags) != 0) {
		errno = EINVAL;
		return (-1);
	}
	if (*sizep > NV_MSG_SIZE_MAX - NV_HEADER_SIZE ||
	    *ndescp > NV_DESCRIPTORS_MAX) {
		errno = EMSGSIZE;
		return (-1);
	}
	return (0);
}

static unsigned char *
recv_stream(struct rx *rx, unsigned char *stackbuf, size_t *sizep)
{
	unsigned char *buf, *nbuf;
	uint64_t ndesc, size;
	size_t total, have, cap;

	if (rx_read_full(rx, stackbuf, NV_HEADER_SIZE) != 0 ||
	    check_limits(stackbuf, &ndesc, &size) != 0 ||
	    rx_expect(rx, ndesc) != 0)
		return (NULL);
	total = NV_HEADER_SIZE + (size_t)size;
	if (total <= NV_STACK_BUF) {
		if (rx_read_full(rx, stackbuf + NV_HEADER_SIZE,
		    total - NV_HEADER_SIZE) != 0)
			return (NULL);
		*sizep = total;
		return (stackbuf);
	}
	/*
	 * A large message: let the buffer grow with what actually arrives,
	 * so that a header announcing megabytes costs nothing until the
	 * megabytes come.
	 */
	cap = total < NV_STREAM_CHUNK ? total : NV_STREAM_CHUNK;
	buf = malloc(cap);
	if (buf == NULL)
		return (NULL);
	memcpy(buf, stackbuf, NV_HEADER_SIZE);
	have = NV_HEADER_SIZE;
	while (have < total) {
		if (have == cap) {
			cap = cap > total / 2 ? total : cap * 2;
			nbuf = realloc(buf, cap);
			if (nbuf == NULL)
				goto free_buf;
			buf = nbuf;
		}
		if (rx_read_full(rx, buf + have, cap - have) != 0)
			goto free_buf;
		have = cap;
	}
	*sizep = total;
	return (buf);

free_buf:
	free(buf);
	return (NULL);
}

/* Drop the record at the head of a record socket, descriptors and all. */
static void
discard_record(int sock)
{
	int serrno;

	serrno = errno;
	(void)recv(sock, NULL, 0, MSG_DONTWAIT);
	errno = serrno;
}

/*
 * Receive one record from a record socket.  n is the record's length if a
 * peek already learned it, or -1.
 */
static unsigned char *
recv_record(struct rx *rx, int type, ssize_t n, unsigned char *stackbuf,
    size_t *sizep)
{
	unsigned char *buf;
	uint64_t ndesc, size;
	ssize_t got;

	if (n < 0)
		n = rx_recvmsg(rx, stackbuf, NV_HEADER_SIZE,
		    MSG_PEEK | MSG_TRUNC);
	if (n == -1)
		return (NULL);
	if (n < NV_HEADER_SIZE) {
		discard_record(rx->rx_sock);
		errno = n == 0 && type == SOCK_SEQPACKET ? ENOTCONN : EINVAL;
		return (NULL);
	}
	if (check_limits(stackbuf, &ndesc, &size) != 0 ||
	    size != (uint64_t)n - NV_HEADER_SIZE) {
		if (errno != EMSGSIZE)
			errno = EINVAL;
		discard_record(rx->rx_sock);
		return (NULL);
	}
	if (rx_expect(rx, ndesc) != 0) {
		discard_record(rx->rx_sock);
		return (NULL);
	}
	buf = (size_t)n <= NV_STACK_BUF ? stackbuf : malloc((size_t)n);
	if (buf == NULL) {
		discard_record(rx->rx_sock);
		return (NULL);
	}
	got = rx_recvmsg(rx, buf, (size_t)n, 0);
	if (got != n) {
		/* Someone else read the record first, or it changed. */
		if (got != -1)
			errno = EINVAL;
		if (buf != stackbuf)
			free(buf);
		return (NULL);
	}
	*sizep = (size_t)n;
	return (buf);
}

static int
socket_type(int sock)
{
	socklen_t len;
	int type;

	len = sizeof(type);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		return (-1);
	return (type);
}

/*
 * The common case, after a peek returned a whole header without
 * MSG_TRUNC: the socket is a stream with a header waiting, or holds a
 * record of exactly 19 bytes.  A small message is then read in one call
 * whatever the socket type, since a well-formed 19-byte record announces
 * a size of 0.  Returns the buffer; or NULL with errno set; or NULL with
 * *askp set, having consumed nothing, when the socket type must decide.
 */
static unsigned char *
recv_small(struct rx *rx, unsigned char *stackbuf, size_t *sizep, bool *askp)
{
	uint64_t ndesc, size;
	size_t total;
	ssize_t got;
	int type;

	if (check_limits(stackbuf, &ndesc, &size) != 0 ||
	    size > NV_STACK_BUF - NV_HEADER_SIZE || ndesc > NV_FD_BATCH) {
		*askp = true;
		return (NULL);
	}
	(void)rx_expect(rx, ndesc);	/* cannot fail: nothing received yet */
	total = NV_HEADER_SIZE + (size_t)size;
	got = rx_recvmsg(rx, stackbuf, total, MSG_WAITALL);
	if (got == -1)
		return (NULL);
	if ((size_t)got != total) {
		/*
		 * A record shorter than its header announces, or a stream
		 * read cut short (by a signal, or at a descriptor boundary).
		 */
		type = socket_type(rx->rx_sock);
		if (type != SOCK_STREAM) {
			if (type != -1)
				errno = EINVAL;
			return (NULL);
		}
		if (got == 0) {
			errno = ENOTCONN;
			return (NULL);
		}
		if (rx_read_full(rx, stackbuf + got, total - (size_t)got) != 0)
			return (NULL);
	}
	*sizep = total;
	return (stackbuf);
}

/*
 * One peek (MSG_PEEK | MSG_TRUNC | MSG_WAITALL, without room for
 * descriptors, so none is installed) tells most messages apart without
 * asking the socket its type: MSG_TRUNC in the result means a record
 * socket and gives the record's length; a whole header without it is
 * handled by recv_small().  Only the rest (end of file, short or bad
 * headers, large stream messages) costs a getsockopt(SO_TYPE).
 */
nvlist_t *
nvlist_recv(int sock, int flags)
{
	unsigned char stackbuf[NV_STACK_BUF], *buf;
	struct rx rx;
	nvlist_t *nvl;
	size_t size;
	ssize_t n;
	bool ask;
	int type, serrno;

	if ((flags & ~NV_FLAG_PUBLIC_MASK) != 0) {
		errno = EINVAL;
		return (NULL);
	}
	rx.rx_sock = sock;
	rx.rx_fds = rx.rx_stack;
	rx.rx_nfds = 0;
	rx.rx_max = NV_FD_BATCH;
	nvl = NULL;
	buf = NULL;
	ask = false;
	/* recv(), not recvmsg(): a peek takes no descriptors, and in
	 * capability mode recvmsg() goes through libcapsicum's broker. */
	if ((n = rx_recv(&rx, stackbuf, NV_HEADER_SIZE,
	    MSG_PEEK | MSG_WAITALL)) < 0)
		return (NULL);
	/* With MSG_TRUNC a record reports its whole length: longer than
	 * the header means a record socket (a stream never reports more
	 * than it copied). */
	if (n > NV_HEADER_SIZE)
		buf = recv_record(&rx, SOCK_SEQPACKET, n, stackbuf, &size);
	else if (n == NV_HEADER_SIZE)
		buf = recv_small(&rx, stackbuf, &size, &ask);
	else
		ask = true;
	if (ask) {
		type = socket_type(sock);
		if (type == -1)
			goto close_fds;
		if (type == SOCK_STREAM)
			buf = recv_stream(&rx, stackbuf, &size);
		else
			buf = recv_record(&rx, type, -1, stackbuf, &size);
	}
	if (buf == NULL || rx_more_fds(&rx) != 0)
		goto close_fds;
	/* From here on the unpacker owns the descriptors, even on failure. */
	nvl = nv_impl_unpack(buf, size, rx.rx_fds, rx.rx_nfds, flags);
	rx.rx_nfds = 0;

close_fds:
	serrno = errno;
	rx_close(&rx);
	if (buf != NULL && buf != stackbuf)
		free(buf);
	if (rx.rx_fds != rx.rx_stack)
		free(rx.rx_fds);
	errno = serrno;
	return (nvl);
}

/*
 * nv_impl_recv_seqpacket(): nvlist_recv() for a socket the caller knows
 * to be SOCK_SEQPACKET (libcasper's channels, exported for libcasper
 * only).  One recvmsg() into a buffer that holds any message the limits
 * accept, instead of a peek and a read: the buffer is a per-thread
 * reservation of NV_MSG_SIZE_MAX bytes of address space (MAP_NORESERVE),
 * of which only the pages a message fills are ever backed; those beyond
 * the first NV_RECORD_KEEP bytes are given back after a large message.
 * Without the reservation (mmap refused), it is nvlist_recv().
 *
 * The checks are nvlist_recv()'s; what differs is that the descriptors
 * of a record are installed before its header is read: a record that
 * fails the checks (or is larger than NV_MSG_SIZE_MAX) has its
 * descriptors, at most NV_FD_BATCH, closed again rather than never
 * installed.
 */
#define	NV_RECORD_KEEP		(64 * 1024)

static pthread_key_t	 record_key;
static pthread_once_t	 record_once = PTHREAD_ONCE_INIT;
static bool		 record_keyed;
static __thread unsigned char *record_buf;

static void
record_buf_free(void *buf)
{

	(void)munmap(buf, NV_MSG_SIZE_MAX);
}

static void
record_key_init(void)
{

	record_keyed = pthread_key_create(&record_key, record_buf_free) == 0;
}

static unsigned char *
record_buf_get(void)
{
	void *buf;

	if (record_buf != NULL)
		return (record_buf);
	(void)pthread_once(&record_once, record_key_init);
	if (!record_keyed)
		return (NULL);
	buf = mmap(NULL, NV_MSG_SIZE_MAX, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED)
		return (NULL);
	if (pthread_setspecific(record_key, buf) != 0) {
		(void)munmap(buf, NV_MSG_SIZE_MAX);
		return (NULL);
	}
	record_buf = buf;
	return (record_buf);
}

nvlist_t *
nv_impl_recv_seqpacket(int sock, int flags)
{
	unsigned char *buf;
	uint64_t ndesc, size;
	struct rx rx;
	nvlist_t *nvl;
	ssize_t n;
	int serrno;

	if ((flags & ~NV_FLAG_PUBLIC_MASK) != 0) {
		errno = EINVAL;
		return (NULL);
	}
	if ((buf = record_buf_get()) == NULL)
		return (nvlist_recv(sock, flags));
	rx.rx_sock = sock;
	rx.rx_fds = rx.rx_stack;
	rx.rx_nfds = 0;
	rx.rx_max = NV_FD_BATCH;
	nvl = NULL;
	n = rx_recvmsg(&rx, buf, NV_MSG_SIZE_MAX, 0);
	if (n == -1)
		goto close_fds;
	if (n == 0) {
		errno = ENOTCONN;
		goto close_fds;
	}
	if ((size_t)n > NV_MSG_SIZE_MAX) {
		/* rx_recvmsg's MSG_TRUNC: larger than any accepted message. */
		errno = EMSGSIZE;
		goto close_fds;
	}
	if (n < NV_HEADER_SIZE) {
		errno = EINVAL;
		goto close_fds;
	}
	if (check_limits(buf, &ndesc, &size) != 0 ||
	    size != (uint64_t)n - NV_HEADER_SIZE) {
		if (errno != EMSGSIZE)
			errno = EINVAL;
		goto close_fds;
	}
	/* Descriptors on a message that announces none are dropped, as
	 * nvlist_recv()'s recv() drops them. */
	if (ndesc == 0)
		rx_close(&rx);
	if (rx_expect(&rx, ndesc) != 0 || rx_more_fds(&rx) != 0)
		goto close_fds;
	/* From here on the unpacker owns the descriptors, even on failure. */
	nvl = nv_impl_unpack(buf, (size_t)n, rx.rx_fds, rx.rx_nfds, flags);
	rx.rx_nfds = 0;

close_fds:
	serrno = errno;
	rx_close(&rx);
	if (rx.rx_fds != rx.rx_stack)
		free(rx.rx_fds);
	if (n > NV_RECORD_KEEP)
		(void)madvise(buf + NV_RECORD_KEEP, (size_t)(n > (ssize_t)
		    NV_MSG_SIZE_MAX ? (ssize_t)NV_MSG_SIZE_MAX : n) -
		    NV_RECORD_KEEP, MADV_DONTNEED);
	errno = serrno;
	return (nvl);
}

nvlist_t *
nvlist_xfer(int sock, nvlist_t *nvl, int flags)
{

	if (nvlist_send(sock, nvl) != 0) {
		nvlist_destroy(nvl);
		return (NULL);
	}
	nvlist_destroy(nvl);
	return (nvlist_recv(sock, flags));
}
