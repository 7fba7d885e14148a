/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * recvmsg and recvmmsg without descriptors (EMU_RECV_NOFD).
 *
 * With no broker running, nothing can give a descriptor received over
 * SCM_RIGHTS the rights it had, so one limited in capability mode and sent
 * to oneself would come back unlimited.  Once such a limit exists filter R
 * traps both calls (capsicum_capmode_limit) and this emulation receives
 * with recvfrom, which has no control buffer: the kernel drops whatever
 * descriptors the message carried and installs none.  The program keeps
 * the data, the sender's address and MSG_TRUNC for datagrams; control data
 * is lost and reported with MSG_CTRUNC.
 *
 * It runs in the SIGSYS handler: raw system calls only, no allocation but
 * mmap.  The caller's msghdr, iovecs and mmsghdrs are read and written
 * with capsicum_ucopy() (sigsys.c) through a pipe made for the call, so
 * that a bad pointer gives EFAULT, as the real call does, instead of a
 * fault in the handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "capsicum_impl.h"
#include "sys.h"

#define	GATHER_MAX	(16UL << 20)	/* one message split over iovecs */

/* got bytes of buf into the caller's iovecs, at most what they hold. */
static long
scatter(const int p[2], const struct iovec *iov, size_t iovlen,
    const char *buf, size_t got)
{
	size_t i, n;
	long r;

	for (i = 0; i < iovlen && got > 0; i++) {
		n = iov[i].iov_len < got ? iov[i].iov_len : got;
		if (n > 0 && (r = capsicum_ucopy(p, iov[i].iov_base, buf, n)) != 0)
			return (r);
		buf += n;
		got -= n;
	}
	return (0);
}

/* One message into the caller's msghdr at um; its length or -errno. */
static long
recv_one(const int p[2], int fd, uint64_t um, int flags)
{
	struct iovec iov[64];
	struct msghdr m;
	socklen_t alen, tlen;
	size_t i, total, len;
	char *buf;
	bool dgram, gather;
	int type, rflags, oflags;
	long r, got;

	if ((r = capsicum_ucopy(p, &m, (const void *)(uintptr_t)um,
	    sizeof(m))) != 0)
		return (r);
	if (m.msg_iovlen > sizeof(iov) / sizeof(iov[0]))
		return (-EMSGSIZE);
	if (m.msg_iovlen > 0 && (r = capsicum_ucopy(p, iov, m.msg_iov,
	    m.msg_iovlen * sizeof(iov[0]))) != 0)
		return (r);
	for (i = 0, total = 0; i < m.msg_iovlen; i++) {
		if (iov[i].iov_len > GATHER_MAX - total)
			return (-EMSGSIZE);
		total += iov[i].iov_len;
	}
	tlen = sizeof(type);
	if ((r = RAW5(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &type,
	    &tlen)) != 0)
		return (r);
	/* MSG_TRUNC asks a datagram socket for its real length, but makes
	 * a stream socket discard the data. */
	dgram = type != SOCK_STREAM;
	rflags = (flags & ~MSG_CMSG_CLOEXEC) | (dgram ? MSG_TRUNC : 0);
	gather = m.msg_iovlen > 1;
	buf = NULL;
	len = total;
	if (gather) {
		r = RAW6(SYS_mmap, 0, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r < 0)
			return (r);
		buf = (char *)r;
	} else if (m.msg_iovlen == 1) {
		buf = iov[0].iov_base;
	}
	alen = m.msg_name != NULL ? m.msg_namelen : 0;
	got = RAW6(SYS_recvfrom, fd, buf, len, rflags, m.msg_name,
	    m.msg_name != NULL ? &alen : NULL);
	oflags = 0;
	if (got >= 0 && dgram && (size_t)got > len) {
		oflags |= MSG_TRUNC;
		if ((flags & MSG_TRUNC) == 0)
			got = (long)len;
	}
	if (got > 0 && gather &&
	    (r = scatter(p, iov, m.msg_iovlen, buf, (size_t)got)) != 0)
		got = r;
	if (gather)
		(void)RAW2(SYS_munmap, buf, total);
	if (got < 0)
		return (got);
	/* The sender's address as recvfrom gave it; the control data
	 * cannot be had without a broker. */
	m.msg_namelen = m.msg_name != NULL ? alen : 0;
	if (m.msg_controllen > 0)
		oflags |= MSG_CTRUNC;
	m.msg_controllen = 0;
	m.msg_flags = oflags;
	/* The whole header back in one copy: the other fields are as read. */
	r = capsicum_ucopy(p, (void *)(uintptr_t)um, &m, sizeof(m));
	return (r != 0 ? r : got);
}

/*
 * recvmsg(fd, msg, flags) or recvmmsg(fd, msgvec, vlen, flags, timeout).
 * recvmmsg takes the first message as the socket says and the others only
 * if they are already queued (as with MSG_WAITFORONE; its timeout never
 * applies), as the broker does.
 */
long
capsicum_emu_recv_nofd(long nr, const uint64_t a[6])
{
	unsigned int i, vlen, len;
	uint64_t um;
	int p[2], flags;
	long r;

	if ((r = RAW2(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK)) != 0)
		return (r);
	if (nr == SYS_recvmsg) {
		r = recv_one(p, (int)a[0], a[1], (int)a[2]);
		goto out;
	}
	vlen = (unsigned int)a[2];
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	r = 0;
	flags = (int)a[3] & ~MSG_WAITFORONE;
	for (i = 0; i < vlen; i++) {
		um = a[1] + (uint64_t)i * sizeof(struct mmsghdr);
		r = recv_one(p, (int)a[0], um, flags |
		    (i > 0 ? MSG_DONTWAIT : 0));
		if (r < 0)
			break;
		len = (unsigned int)r;
		if ((r = capsicum_ucopy(p, (char *)(uintptr_t)um +
		    offsetof(struct mmsghdr, msg_len), &len,
		    sizeof(len))) != 0)
			break;
	}
	/* Messages received count, as the kernel's recvmmsg does; an error
	 * only when there are none. */
	if (i > 0)
		r = (long)i;
out:
	RAW1(SYS_close, p[0]);
	RAW1(SYS_close, p[1]);
	return (r);
}
