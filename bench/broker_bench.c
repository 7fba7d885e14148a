/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Descriptors opened through a limited directory (the broker, issue 6),
 * against the unsandboxed equivalent in the same run:
 *   - pread of 1 byte on such a descriptor (the kernel decides: no
 *     broker round trip per read);
 *   - openat + close through the limited directory;
 *   - the broker's round trip (an openat it answers with ENOENT) against
 *     a bare seccomp user-notification round trip (a supervisor that
 *     answers at once), both with the synchronous wake-up;
 *   - recvmsg, which goes to the broker in capability mode so that
 *     descriptors keep their rights: write + recvmsg of one byte, and
 *     sendmsg + recvmsg + close of one limited descriptor; and the same
 *     write + recvmsg in a sandbox that needs no broker (something
 *     limited, no directory or unix socket), where recvmsg is emulated
 *     without descriptors (recvnofd.c).
 * Each measurement runs in fresh processes, interleaved, pinned to one
 * CPU; the fastest per-process median is kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <sys/capsicum.h>

#include "bench.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define	SECCOMP_IOCTL_NOTIF_SET_FLAGS	SECCOMP_IOW(4, __u64)
#endif

#define	ITERS	20000

enum setup { PLAIN, BROKERED, RAWNOTIF, NOBROKER, NSETUPS };

struct result {
	double	pread;
	double	open;
	double	round;
	double	recv;
	double	recvfd;
};

static char dir_path[] = "/tmp/capsicum-bench.XXXXXX";
static int dirfd_ = -1, filefd = -1, pair[2] = { -1, -1 };

static void
op_pread(void *arg)
{
	char b;

	(void)arg;
	if (syscall(SYS_pread64, filefd, &b, 1, 0) != 1)
		abort();
}

static void
op_open(void *arg)
{
	long fd;

	(void)arg;
	fd = syscall(SYS_openat, dirfd_, "f", O_RDONLY);
	if (fd < 0)
		abort();
	/* libc's close(), as programs call it: in capability mode
	 * libcapsicum's parks a derived number without the trap a raw
	 * close takes. */
	close((int)fd);
}

static void
op_open_missing(void *arg)
{

	(void)arg;
	if (syscall(SYS_openat, dirfd_, "missing", O_RDONLY) != -1)
		abort();
}

static void
op_recv(void *arg)
{
	struct msghdr m;
	struct iovec iov;
	char c = 'x';

	(void)arg;
	if (syscall(SYS_write, pair[0], &c, 1) != 1)
		abort();
	memset(&m, 0, sizeof(m));
	iov.iov_base = &c;
	iov.iov_len = 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (syscall(SYS_recvmsg, pair[1], &m, 0) != 1)
		abort();
}

static void
op_recvfd(void *arg)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m;
	struct iovec iov;
	char c = 'x';
	int fd;

	(void)arg;
	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	iov.iov_base = &c;
	iov.iov_len = 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.b;
	m.msg_controllen = sizeof(u.b);
	u.h.cmsg_level = SOL_SOCKET;
	u.h.cmsg_type = SCM_RIGHTS;
	u.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&u.h), &filefd, sizeof(int));
	if (syscall(SYS_sendmsg, pair[0], &m, 0) != 1)
		abort();
	m.msg_controllen = sizeof(u.b);
	if (syscall(SYS_recvmsg, pair[1], &m, 0) != 1 ||
	    m.msg_controllen < CMSG_LEN(sizeof(int)))
		abort();
	memcpy(&fd, CMSG_DATA(&u.h), sizeof(int));
	syscall(SYS_close, fd);
}

static void
op_getppid(void *arg)
{

	(void)arg;
	syscall(SYS_getppid);
}

/* A supervisor that answers every notification at once. */
static void
supervise(int sock)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	char buf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg;
	struct iovec iov;
	struct pollfd p;
	char c;
	int l;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = buf;
	msg.msg_controllen = sizeof(buf);
	if (recvmsg(sock, &msg, 0) != 1)
		_exit(1);
	memcpy(&l, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	(void)ioctl(l, SECCOMP_IOCTL_NOTIF_SET_FLAGS, 1UL);
	for (;;) {
		p.fd = l;
		p.events = POLLIN;
		if (poll(&p, 1, -1) < 0 || (p.revents & POLLIN) == 0)
			_exit(0);
		memset(&req, 0, sizeof(req));
		if (ioctl(l, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0)
			continue;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.val = 1;
		(void)ioctl(l, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

/* getppid goes to the supervisor; everything else is allowed. */
static void
raw_notif_setup(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	char buf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg;
	struct cmsghdr *cm;
	struct iovec iov;
	int sv[2], l;
	char c = 'x';

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		abort();
	if (fork() == 0) {
		close(sv[0]);
		supervise(sv[1]);
	}
	close(sv[1]);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		abort();
	l = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (l < 0)
		abort();
	memset(&msg, 0, sizeof(msg));
	memset(buf, 0, sizeof(buf));
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = buf;
	msg.msg_controllen = sizeof(buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &l, sizeof(int));
	if (sendmsg(sv[0], &msg, 0) != 1)
		abort();
	close(l);
}

static void
child(enum setup s, int out)
{
	struct result res;
	cap_rights_t r;
	char p[256];

	memset(&res, 0, sizeof(res));
	if ((dirfd_ = open(dir_path, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	if (s == RAWNOTIF) {
		raw_notif_setup();
		res.round = bench_ns_per_op(op_getppid, NULL, ITERS / 4);
		goto done;
	}
	if (s == NOBROKER) {
		/* Something limited, no directory or unix socket: no
		 * broker; recvmsg is emulated without descriptors. */
		close(dirfd_);
		snprintf(p, sizeof(p), "%s/f", dir_path);
		cap_rights_init(&r, CAP_READ, CAP_FSTAT);
		if ((filefd = open(p, O_RDONLY)) < 0 ||
		    cap_rights_limit(filefd, &r) != 0 || cap_enter() != 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
			abort();
		res.recv = bench_ns_per_op(op_recv, NULL, ITERS / 4);
		goto done;
	}
	if (s == BROKERED) {
		cap_rights_init(&r, CAP_LOOKUP, CAP_READ, CAP_FSTAT, CAP_SEEK);
		if (cap_rights_limit(dirfd_, &r) != 0 || cap_enter() != 0)
			abort();
		filefd = (int)syscall(SYS_openat, dirfd_, "f", O_RDONLY);
	} else {
		snprintf(p, sizeof(p), "%s/f", dir_path);
		filefd = open(p, O_RDONLY);
	}
	if (filefd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
		abort();
	res.pread = bench_ns_per_op(op_pread, NULL, ITERS * 10);
	res.recv = bench_ns_per_op(op_recv, NULL, ITERS / 4);
	res.recvfd = bench_ns_per_op(op_recvfd, NULL, ITERS / 4);
	res.open = bench_ns_per_op(op_open, NULL, ITERS / 4);
	res.round = bench_ns_per_op(op_open_missing, NULL, ITERS / 4);
done:
	if (write(out, &res, sizeof(res)) != sizeof(res))
		abort();
	_exit(0);
}

static struct result
measure_once(enum setup s)
{
	struct result res;
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		abort();
	fflush(NULL);
	if ((pid = fork()) == 0)
		child(s, p[1]);
	close(p[1]);
	if (read(p[0], &res, sizeof(res)) != sizeof(res)) {
		fprintf(stderr, "broker_bench: child %d failed\n", (int)s);
		exit(1);
	}
	close(p[0]);
	waitpid(pid, NULL, 0);
	return (res);
}

#define	PROCS	5

static double
lower(double a, double b)
{

	return (a < b ? a : b);
}

int
main(void)
{
	struct result best[NSETUPS], r;
	char p[256];
	int i, s, fd;

	if (mkdtemp(dir_path) == NULL)
		abort();
	snprintf(p, sizeof(p), "%s/f", dir_path);
	if ((fd = open(p, O_CREAT | O_WRONLY, 0644)) < 0 ||
	    write(fd, "data", 4) != 4)
		abort();
	close(fd);
	bench_pin(1);
	for (i = 0; i < PROCS; i++) {
		for (s = 0; s < NSETUPS; s++) {
			r = measure_once((enum setup)s);
			if (i == 0) {
				best[s] = r;
				continue;
			}
			best[s].pread = lower(best[s].pread, r.pread);
			best[s].open = lower(best[s].open, r.open);
			best[s].round = lower(best[s].round, r.round);
			best[s].recv = lower(best[s].recv, r.recv);
			best[s].recvfd = lower(best[s].recvfd, r.recvfd);
		}
	}
	printf("descriptors opened through a limited directory (broker):\n");
	bench_report("pread 1 byte, derived descriptor",
	    best[BROKERED].pread, best[PLAIN].pread, 1.40);
	bench_report("openat+close through the directory",
	    best[BROKERED].open, best[PLAIN].open, 3.00);
	bench_report("broker round trip vs raw USER_NOTIF",
	    best[BROKERED].round, best[RAWNOTIF].round, 2.00);
	printf("  (raw user-notification round trip %.1f ns; native failed "
	    "openat %.1f ns)\n", best[RAWNOTIF].round, best[PLAIN].round);
	printf("recvmsg in capability mode (broker: descriptors keep their "
	    "rights):\n");
	printf("%-44s %10.1f ns  base %10.1f ns  ratio %5.2fx  (no goal)\n",
	    "write+recvmsg 1 byte", best[BROKERED].recv, best[PLAIN].recv,
	    best[BROKERED].recv / best[PLAIN].recv);
	bench_info("write+recvmsg 1 byte, no broker (emulated)",
	    best[NOBROKER].recv, best[PLAIN].recv);
	printf("%-44s %10.1f ns  base %10.1f ns  ratio %5.2fx  (no goal)\n",
	    "sendmsg+recvmsg+close, 1 limited fd", best[BROKERED].recvfd,
	    best[PLAIN].recvfd, best[BROKERED].recvfd / best[PLAIN].recvfd);
	snprintf(p, sizeof(p), "%s/f", dir_path);
	unlink(p);
	rmdir(dir_path);
	return (0);
}
