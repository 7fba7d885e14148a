/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The broker (see broker.h and docs/design.md, "The broker").
 *
 * cap_enter() clones it (no exit signal) before Landlock is applied, so it
 * stays outside the sandbox's Landlock domain: it can open beneath
 * directories the sandbox receives later, and it may still read the
 * sandbox's memory and take its descriptors (the sandbox's domain is below
 * its own).  What confines it is RESOLVE_BENEATH on every lookup, with a
 * directory taken from the caller, and its own seccomp allowlist.  The
 * sandbox then loads filter B with a listener and sends the listener over
 * a socket pair.  The broker answers notifications until no task uses the
 * filter any more (POLLHUP), then exits.
 *
 * For each notification the broker copies the path out of the caller
 * (process_vm_readv), checks that the notification is still live, takes its
 * own reference to the directory (pidfd_getfd), opens with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), and installs the new
 * file in a free slot of the directory's derived band with
 * SECCOMP_IOCTL_NOTIF_ADDFD (SETFD | SEND).  It never answers CONTINUE.
 * Filter R enforces the directory's rights on every number of that band,
 * so reads and writes on the new descriptor never come back here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <linux/audit.h>
#include <linux/kcmp.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>

#include <sys/capsicum.h>

#include "broker.h"
#include "fdtable.h"
#include "policy.h"
#include "sys.h"
#include "verdict.h"

/* Newer than the build machine's headers. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define	SECCOMP_IOCTL_NOTIF_SET_FLAGS	SECCOMP_IOW(4, __u64)	/* 6.6 */
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define	SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP	1UL
#endif
#ifndef PIDFD_THREAD
#define	PIDFD_THREAD		O_EXCL			/* 6.9 */
#endif
#ifndef SYS_fchmodat2
#define	SYS_fchmodat2		452			/* 6.6 */
#endif

/* The open flags openat2() accepts (it refuses unknown bits; openat
 * ignores them). */
#define	OPEN_FLAGS	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | \
			 O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | \
			 O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | \
			 O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE)

/* A handler has completed the call itself (ADDFD with SEND), or parked it
 * to complete later (accept with no connection yet). */
#define	DONE		LONG_MIN
#define	PARKED		(LONG_MIN + 1)

/* ---------------------------------------------------------------------
 * Filter B.
 */
#define	OFF_NR		offsetof(struct seccomp_data, nr)
#define	OFF_ARCH	offsetof(struct seccomp_data, arch)
#define	OFF_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i))

static void
put(struct sock_filter *f, unsigned int *n, uint16_t code, uint32_t k,
    uint8_t jt, uint8_t jf)
{

	f[*n] = (struct sock_filter){ code, jt, jf, k };
	(*n)++;
}

int
capsicum_bfilter_build(const int *direct, unsigned int ndirect,
    const struct capsicum_target *t, unsigned int nt,
    struct sock_fprog *prog)
{
	struct sock_filter *f;
	unsigned int i, j, k, m, nrows, len, *ja;
	int nr;

	nrows = 0;
	for (i = 0; i < capsicum_policy_len; i++) {
		if (capsicum_policy[i].pr_kind == PK_BROKER &&
		    capsicum_policy_rownr(i) >= 0)
			nrows++;
	}
	if (nrows == 0)
		return (-ENOENT);
	len = 5 + 2 * nrows + nrows * (3 * ndirect + 4 * nt + 1);
	if (len > BPF_MAXINSNS)
		return (-E2BIG);
	f = calloc(len, sizeof(*f));
	ja = calloc(nrows, sizeof(*ja));
	if (f == NULL || ja == NULL) {
		free(f);
		free(ja);
		return (-ENOMEM);
	}
	k = 0;
	/* Other architectures are filter M's business. */
	put(f, &k, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH, 0, 0);
	put(f, &k, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	put(f, &k, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	put(f, &k, BPF_LD | BPF_W | BPF_ABS, OFF_NR, 0, 0);
	for (i = 0, j = 0; i < capsicum_policy_len; i++) {
		if (capsicum_policy[i].pr_kind != PK_BROKER ||
		    (nr = capsicum_policy_rownr(i)) < 0)
			continue;
		put(f, &k, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1);
		ja[j++] = k;
		put(f, &k, BPF_JMP | BPF_JA, 0, 0, 0);
	}
	put(f, &k, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	for (i = 0, j = 0; i < capsicum_policy_len; i++) {
		if (capsicum_policy[i].pr_kind != PK_BROKER ||
		    capsicum_policy_rownr(i) < 0)
			continue;
		f[ja[j]].k = k - (ja[j] + 1);
		j++;
		/* A descriptor is a C int: the kernel reads the low word. */
		if ((capsicum_policy[i].pr_flags & PF_BROKER_LIMITED) != 0) {
			for (m = 0; m < nt; m++) {
				if (t[m].t_protected)
					continue;
				put(f, &k, BPF_LD | BPF_W | BPF_ABS,
				    OFF_LO(capsicum_policy[i].pr_fd), 0, 0);
				put(f, &k, BPF_ALU | BPF_AND | BPF_K,
				    t[m].t_mask, 0, 0);
				put(f, &k, BPF_JMP | BPF_JEQ | BPF_K,
				    t[m].t_value, 0, 1);
				put(f, &k, BPF_RET | BPF_K,
				    SECCOMP_RET_USER_NOTIF, 0, 0);
			}
			put(f, &k, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
			continue;
		}
		for (m = 0; capsicum_policy[i].pr_fd >= 0 && m < ndirect; m++) {
			put(f, &k, BPF_LD | BPF_W | BPF_ABS,
			    OFF_LO(capsicum_policy[i].pr_fd), 0, 0);
			put(f, &k, BPF_JMP | BPF_JEQ | BPF_K,
			    (uint32_t)direct[m], 0, 1);
			put(f, &k, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
		}
		put(f, &k, BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF, 0, 0);
	}
	free(ja);
	prog->len = (unsigned short)k;
	prog->filter = f;
	return (0);
}

/* ---------------------------------------------------------------------
 * Starting it (in the sandbox, inside cap_enter).
 */
static void broker_main(int sock) __attribute__((noreturn));

static int
send_fd(int sock, int fd)
{
	char buf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg;
	struct cmsghdr *c;
	struct iovec iov;
	char byte = 'B';

	memset(&msg, 0, sizeof(msg));
	memset(buf, 0, sizeof(buf));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = buf;
	msg.msg_controllen = sizeof(buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return (RAW3(SYS_sendmsg, sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -EPIPE);
}

int
capsicum_broker_spawn(void)
{
	int sv[2];
	pid_t pid;

	if (RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv) < 0)
		return (-EMFILE);
	/*
	 * A plain clone with no exit signal: the sandbox gets no SIGCHLD
	 * and never waits for it (it outlives the sandbox in practice).
	 * Not glibc's fork: no atfork handlers run, so the broker must not
	 * take libc locks; it allocates nothing and calls the kernel only.
	 */
	pid = (pid_t)RAW5(SYS_clone, 0, 0, 0, 0, 0);
	if (pid < 0) {
		RAW1(SYS_close, sv[0]);
		RAW1(SYS_close, sv[1]);
		return (-EAGAIN);
	}
	if (pid == 0) {
		RAW1(SYS_close, sv[0]);
		broker_main(sv[1]);
	}
	RAW1(SYS_close, sv[1]);
	return (sv[0]);
}

int
capsicum_broker_attach(int sock, const struct sock_fprog *bprog)
{
	long listener;
	int r;

	/* One listener per filter chain: EBUSY if something already
	 * supervises this process. */
	listener = RAW3(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, bprog);
	if (listener < 0) {
		RAW1(SYS_close, sock);	/* the broker sees the end and exits */
		return ((int)listener);
	}
	r = send_fd(sock, (int)listener);
	RAW1(SYS_close, listener);
	RAW1(SYS_close, sock);
	/* Filter B is in either way; without the broker its calls fail with
	 * ENOSYS, closed rather than open. */
	return (r);
}

/* ---------------------------------------------------------------------
 * The broker process.
 */
static int
recv_fd(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg;
	struct cmsghdr *c;
	struct iovec iov;
	char byte;
	int fd;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = buf;
	msg.msg_controllen = sizeof(buf);
	if (RAW3(SYS_recvmsg, sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return (-1);
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET ||
	    c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return (-1);
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return (fd);
}

/* The broker's own sandbox: the calls its loop makes, nothing else.
 * Built by hand on the stack (the broker allocates nothing); ioctl only on
 * the listener, which the broker keeps at BROKER_LISTENER. */
#define	BROKER_LISTENER	3

static int
confine(void)
{
	static const int allow[] = {
		SYS_poll, SYS_ppoll, SYS_process_vm_readv,
		SYS_process_vm_writev, SYS_pidfd_open, SYS_pidfd_getfd,
		SYS_openat2, SYS_kcmp, SYS_close, SYS_newfstatat, SYS_statx,
		SYS_faccessat2, SYS_readlinkat, SYS_fchmodat2, SYS_fchownat,
		SYS_utimensat, SYS_fchdir, SYS_bind, SYS_connect,
		SYS_accept4, SYS_fcntl,
		SYS_exit, SYS_exit_group, SYS_rt_sigreturn,
		SYS_restart_syscall,
	};
	enum { N = sizeof(allow) / sizeof(allow[0]) };
	struct sock_filter f[N + 16];
	struct sock_fprog prog;
	unsigned int i, k;

	k = 0;
	put(f, &k, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH, 0, 0);
	put(f, &k, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	put(f, &k, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	put(f, &k, BPF_LD | BPF_W | BPF_ABS, OFF_NR, 0, 0);
	/* N allowed numbers, then ioctl (5 insns), then kill, then allow. */
	for (i = 0; i < N; i++)
		put(f, &k, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)allow[i],
		    (uint8_t)(N - i + 5), 0);
	put(f, &k, BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 4);
	put(f, &k, BPF_LD | BPF_W | BPF_ABS, OFF_LO(0) + 4, 0, 0);
	put(f, &k, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2);
	put(f, &k, BPF_LD | BPF_W | BPF_ABS, OFF_LO(0), 0, 0);
	put(f, &k, BPF_JMP | BPF_JEQ | BPF_K, BROKER_LISTENER, 1, 0);
	put(f, &k, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	put(f, &k, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	prog.len = (unsigned short)k;
	prog.filter = f;
	return ((int)RAW3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
}

/* Copy a NUL-terminated string out of the caller, page by page. */
static int
read_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	struct iovec local, remote;
	size_t off, chunk;
	long r;

	for (off = 0; off < size;) {
		chunk = 4096 - ((addr + off) & 4095);
		if (chunk > size - off)
			chunk = size - off;
		local.iov_base = buf + off;
		local.iov_len = chunk;
		remote.iov_base = (void *)(uintptr_t)(addr + off);
		remote.iov_len = chunk;
		r = RAW6(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0);
		if (r <= 0)
			return (-EFAULT);
		if (memchr(buf + off, '\0', (size_t)r) != NULL)
			return (0);
		off += (size_t)r;
	}
	return (-ENAMETOOLONG);
}

static bool
live(int listener, uint64_t id)
{

	return (RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_ID_VALID,
	    &id) == 0);
}

/*
 * A free number in one of the derived bands of prof, in the caller's
 * descriptor table: one that holds the placeholder (or nothing).  The
 * search starts after the slot given last, so that it usually takes one
 * probe.  (The placeholder number is protected: the filter lets nothing
 * be put there, so whatever it holds is what "free" looks like.)
 */
static int
free_slot(pid_t pid, const struct capsicum_profile *prof)
{
	static unsigned int hint[CAPSICUM_MAX_BANDS];
	const struct capsicum_band *b;
	unsigned int i, n, k, size;
	int fd;
	long r;

	n = atomic_load(&capsicum_cs.cs_nbands);
	for (i = 0; i < n; i++) {
		b = &capsicum_cs.cs_bands[i];
		if (!b->band_derived || b->band_prof != prof)
			continue;
		size = (unsigned int)capsicum_band_size(b);
		for (k = 0; k < size; k++) {
			fd = b->band_base + (int)((hint[i] + k) % size);
			r = RAW5(SYS_kcmp, pid, pid, KCMP_FILE, fd,
			    capsicum_cs.cs_ph);
			if (r == 0 || r == -EBADF) {
				hint[i] = (hint[i] + k + 1) % size;
				return (fd);
			}
		}
	}
	return (-1);
}

/*
 * A pidfd of the calling thread, kept for later requests: a pidfd names
 * its task for good, so once checked against a live notification it stays
 * right, and pidfd_getfd fails (ESRCH) once that task is gone.
 */
#define	PIDFD_CACHE	16

static struct {
	pid_t	pid;
	int	fd;
} pidfds[PIDFD_CACHE];
static unsigned int pidfd_next;

static int
caller_pidfd(int listener, const struct seccomp_notif *req, bool fresh)
{
	unsigned int i;
	int pfd;

	for (i = 0; i < PIDFD_CACHE; i++) {
		if (pidfds[i].pid != (pid_t)req->pid || pidfds[i].fd <= 0)
			continue;
		if (!fresh)
			return (pidfds[i].fd);
		RAW1(SYS_close, pidfds[i].fd);
		pidfds[i].fd = 0;
	}
	pfd = (int)RAW2(SYS_pidfd_open, req->pid, PIDFD_THREAD);
	if (pfd == -EINVAL)
		pfd = (int)RAW2(SYS_pidfd_open, req->pid, 0);
	if (pfd < 0)
		return (-ESRCH);
	/* The pid named the caller when the pidfd was made. */
	if (!live(listener, req->id)) {
		RAW1(SYS_close, pfd);
		return (-ESRCH);
	}
	i = pidfd_next++ % PIDFD_CACHE;
	if (pidfds[i].fd > 0)
		RAW1(SYS_close, pidfds[i].fd);
	pidfds[i].pid = (pid_t)req->pid;
	pidfds[i].fd = pfd;
	return (pfd);
}

/*
 * Our own reference to the caller's descriptor fd.  Call after reading the
 * caller's memory: the liveness check also says that memory was the
 * caller's, not a reused pid's.
 */
static int
take_fd(int listener, const struct seccomp_notif *req, int fd)
{
	int pfd, r;

	if (!live(listener, req->id))
		return (-ESRCH);
	if ((pfd = caller_pidfd(listener, req, false)) < 0)
		return (pfd);
	r = (int)RAW3(SYS_pidfd_getfd, pfd, fd, 0);
	if (r == -ESRCH) {
		/* A cached pidfd of a task that has gone. */
		if ((pfd = caller_pidfd(listener, req, true)) < 0)
			return (pfd);
		r = (int)RAW3(SYS_pidfd_getfd, pfd, fd, 0);
	}
	return (r < 0 ? -EBADF : r);
}

static int
read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	return (RAW6(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0) ==
	    (long)len ? 0 : -EFAULT);
}

static int
write_mem(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)(uintptr_t)buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	return (RAW6(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0) ==
	    (long)len ? 0 : -EFAULT);
}

/* The flags argument of a call the SIGSYS handler reissued, or -1. */
static int
lookup_flags(long nr, const uint64_t *a)
{

	switch (nr) {
	case SYS_newfstatat:
	case SYS_faccessat2:
	case SYS_fchmodat2:
	case SYS_utimensat:
		return ((int)a[3]);
	case SYS_statx:
		return ((int)a[2]);
	case SYS_fchownat:
		return ((int)a[4]);
	case SYS_faccessat:
	case SYS_fchmodat:
		return (0);
	case SYS_readlinkat:
		return (AT_SYMLINK_NOFOLLOW);
	default:
		return (-1);
	}
}

/* Do call nr on obj, found beneath the directory. */
static long
lookup_do(pid_t pid, long nr, const uint64_t *a, int flags, int obj)
{
	char buf[PATH_MAX];
	struct timespec ts[2];
	struct statx stx;
	struct stat st;
	long r;

	switch (nr) {
	case SYS_newfstatat:
		r = RAW4(SYS_newfstatat, obj, "", &st, AT_EMPTY_PATH);
		return (r == 0 ? write_mem(pid, a[2], &st, sizeof(st)) : r);
	case SYS_statx:
		r = RAW5(SYS_statx, obj, "", AT_EMPTY_PATH |
		    (flags & AT_STATX_SYNC_TYPE), a[3], &stx);
		return (r == 0 ? write_mem(pid, a[4], &stx, sizeof(stx)) : r);
	case SYS_faccessat:
	case SYS_faccessat2:
		return (RAW4(SYS_faccessat2, obj, "", a[2],
		    AT_EMPTY_PATH | (flags & AT_EACCESS)));
	case SYS_readlinkat:
		if ((long)a[3] <= 0)
			return (-EINVAL);
		r = RAW4(SYS_readlinkat, obj, "", buf,
		    a[3] < sizeof(buf) ? a[3] : sizeof(buf));
		/* Not a symlink: readlinkat by path says EINVAL. */
		if (r == -ENOENT && RAW4(SYS_newfstatat, obj, "", &st,
		    AT_EMPTY_PATH) == 0 && !S_ISLNK(st.st_mode))
			return (-EINVAL);
		if (r > 0 && write_mem(pid, a[2], buf, (size_t)r) != 0)
			return (-EFAULT);
		return (r);
	case SYS_fchmodat:
	case SYS_fchmodat2:
		return (RAW4(SYS_fchmodat2, obj, "", a[2], AT_EMPTY_PATH));
	case SYS_fchownat:
		return (RAW5(SYS_fchownat, obj, "", a[2], a[3],
		    AT_EMPTY_PATH));
	case SYS_utimensat:
		if (a[2] != 0 && read_mem(pid, a[2], ts, sizeof(ts)) != 0)
			return (-EFAULT);
		return (RAW4(SYS_utimensat, obj, "", a[2] != 0 ? ts : NULL,
		    AT_EMPTY_PATH));
	default:
		return (-ENOSYS);
	}
}

/*
 * A call by path the SIGSYS handler reissued: argument 0 is the original
 * call, 1-5 its arguments (directory, path, ...).  Filter R has checked
 * the directory's rights.  Resolve the path beneath the directory to an
 * O_PATH descriptor, then do the call on that.
 */
static long
broker_lookup(int listener, const struct seccomp_notif *req)
{
	const uint64_t *a = (const uint64_t *)&req->data.args[1];
	long nr = (long)req->data.args[0];
	char path[PATH_MAX];
	struct open_how how;
	int flags, dir, obj;
	long r;

	if ((flags = lookup_flags(nr, a)) == -1)
		return (-ENOSYS);
	if ((int)a[0] == AT_FDCWD)
		return (-ECAPMODE);
	if ((r = read_string((pid_t)req->pid, a[1], path, sizeof(path))) != 0)
		return (r);
	if ((dir = take_fd(listener, req, (int)a[0])) < 0)
		return (dir);
	if (path[0] == '\0') {
		if ((flags & AT_EMPTY_PATH) == 0) {
			RAW1(SYS_close, dir);
			return (-ENOENT);
		}
		obj = dir;
	} else {
		memset(&how, 0, sizeof(how));
		how.flags = O_PATH | O_CLOEXEC |
		    ((flags & AT_SYMLINK_NOFOLLOW) != 0 ? O_NOFOLLOW : 0);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		obj = (int)RAW4(SYS_openat2, dir, path, &how, sizeof(how));
		RAW1(SYS_close, dir);
		if (obj < 0)
			return (obj == -EXDEV ? -ENOTCAPABLE : obj);
	}
	r = lookup_do((pid_t)req->pid, nr, a, flags, obj);
	RAW1(SYS_close, obj);
	return (r);
}

/*
 * bindat/connectat(dirfd, s, addr, addrlen): a unix socket name resolved
 * beneath the directory.  Filter R has checked CAP_BINDAT/CAP_CONNECTAT on
 * the directory and CAP_BIND/CAP_CONNECT on the socket.  The broker is
 * single-threaded, so it can work from the parent directory as its own
 * current directory and use the last component alone.
 */
static long
broker_sockat(int listener, const struct seccomp_notif *req, bool bind)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	struct sockaddr_un sun, local;
	char path[sizeof(sun.sun_path) + 1], *base;
	const char *parent;
	struct open_how how;
	socklen_t len;
	int dir, sock, pdir;
	size_t n;
	long r;

	if ((int)req->data.args[0] == AT_FDCWD)
		return (-ECAPMODE);
	len = (socklen_t)req->data.args[3];
	if (len <= off || len > sizeof(sun))
		return (-EINVAL);
	memset(&sun, 0, sizeof(sun));
	if (read_mem((pid_t)req->pid, req->data.args[2], &sun, len) != 0)
		return (-EFAULT);
	if (sun.sun_family != AF_UNIX)
		return (-EAFNOSUPPORT);
	n = strnlen(sun.sun_path, len - off);
	if (n == 0)
		return (-EINVAL);	/* abstract or unnamed: no directory */
	memcpy(path, sun.sun_path, n);
	path[n] = '\0';
	if (path[0] == '/')
		return (-ENOTCAPABLE);
	if ((base = strrchr(path, '/')) != NULL) {
		*base++ = '\0';
		parent = path;
	} else {
		base = path;
		parent = ".";
	}
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return (-EINVAL);
	if ((dir = take_fd(listener, req, (int)req->data.args[0])) < 0)
		return (dir);
	if ((sock = take_fd(listener, req, (int)req->data.args[1])) < 0) {
		RAW1(SYS_close, dir);
		return (sock);
	}
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	pdir = (int)RAW4(SYS_openat2, dir, parent, &how, sizeof(how));
	RAW1(SYS_close, dir);
	if (pdir < 0) {
		RAW1(SYS_close, sock);
		return (pdir == -EXDEV ? -ENOTCAPABLE : pdir);
	}
	memset(&local, 0, sizeof(local));
	local.sun_family = AF_UNIX;
	memcpy(local.sun_path, base, strlen(base));
	r = RAW1(SYS_fchdir, pdir);
	if (r == 0)
		r = RAW3(bind ? SYS_bind : SYS_connect, sock, &local,
		    off + strlen(base) + 1);
	RAW1(SYS_close, pdir);
	RAW1(SYS_close, sock);
	return (r);
}

/*
 * accept/accept4 on a limited listening socket: the connection goes to the
 * listener's derived band, with the listener's rights.  The broker must
 * never block (it serves everyone), so a call that finds no connection
 * waiting is parked and answered when one arrives; the caller blocks as
 * it would in accept.  A parked caller that is interrupted or killed is
 * dropped (its notification is no longer live).
 */
#define	PENDING_MAX	32

static struct pending {
	uint64_t	 id;
	pid_t		 pid;
	int		 lfd;		/* our copy of the listener; -1: free */
	int		 flags;		/* accept4 flags */
	uint64_t	 addr, addrlen;
	const struct capsicum_profile *prof;
} pend[PENDING_MAX];

/* Accept one connection for the caller if one is waiting: DONE, an error,
 * or -EAGAIN (nothing yet). */
static long
try_accept(int listener, const struct pending *p)
{
	struct seccomp_notif_addfd add;
	struct sockaddr_storage ss;
	struct pollfd pf;
	socklen_t sl, len;
	int nf, slot;
	long r;

	pf.fd = p->lfd;
	pf.events = POLLIN;
	pf.revents = 0;
	if (RAW3(SYS_poll, &pf, 1, 0) <= 0 || (pf.revents & POLLIN) == 0)
		return (-EAGAIN);
	len = 0;
	if (p->addr != 0 && read_mem(p->pid, p->addrlen, &len,
	    sizeof(len)) != 0)
		return (-EFAULT);
	/* Room first, so that no connection is taken and then dropped. */
	if ((slot = free_slot(p->pid, p->prof)) < 0)
		return (-EMFILE);
	if (!live(listener, p->id))
		return (-ESRCH);
	sl = sizeof(ss);
	nf = (int)RAW4(SYS_accept4, p->lfd, &ss, &sl,
	    SOCK_CLOEXEC | (p->flags & SOCK_NONBLOCK));
	if (nf < 0)
		return (nf);
	if (p->addr != 0 && (write_mem(p->pid, p->addr, &ss,
	    len < sl ? len : sl) != 0 || write_mem(p->pid, p->addrlen, &sl,
	    sizeof(sl)) != 0)) {
		RAW1(SYS_close, nf);
		return (-EFAULT);
	}
	memset(&add, 0, sizeof(add));
	add.id = p->id;
	add.flags = SECCOMP_ADDFD_FLAG_SETFD | SECCOMP_ADDFD_FLAG_SEND;
	add.srcfd = (uint32_t)nf;
	add.newfd = (uint32_t)slot;
	add.newfd_flags = (p->flags & SOCK_CLOEXEC) != 0 ? O_CLOEXEC : 0;
	r = RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	RAW1(SYS_close, nf);
	return (r < 0 ? r : DONE);
}

static long
broker_accept(int listener, const struct seccomp_notif *req)
{
	struct capsicum_target t;
	struct pending p;
	unsigned int i;
	long r;

	memset(&p, 0, sizeof(p));
	p.id = req->id;
	p.pid = (pid_t)req->pid;
	p.addr = req->data.args[1];
	p.addrlen = req->data.args[2];
	p.flags = req->data.nr == SYS_accept4 ? (int)req->data.args[3] : 0;
	if ((p.flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0)
		return (-EINVAL);
	if (!capsicum_classify((uint64_t)(uint32_t)req->data.args[0], &t) ||
	    t.t_protected || t.t_prof == NULL)
		return (-EBADF);
	p.prof = t.t_prof;
	if ((p.lfd = take_fd(listener, req, (int)req->data.args[0])) < 0)
		return (p.lfd);
	r = try_accept(listener, &p);
	if (r != -EAGAIN ||
	    (RAW2(SYS_fcntl, p.lfd, F_GETFL) & O_NONBLOCK) != 0) {
		RAW1(SYS_close, p.lfd);
		return (r);
	}
	for (i = 0; i < PENDING_MAX; i++) {
		if (pend[i].lfd >= 0 && !live(listener, pend[i].id)) {
			RAW1(SYS_close, pend[i].lfd);
			pend[i].lfd = -1;
		}
		if (pend[i].lfd < 0) {
			pend[i] = p;
			return (PARKED);
		}
	}
	RAW1(SYS_close, p.lfd);
	return (-EAGAIN);
}

static void
answer(int listener, uint64_t id, long r)
{
	struct seccomp_notif_resp resp;

	if (r == DONE || r == PARKED)
		return;
	memset(&resp, 0, sizeof(resp));
	resp.id = id;
	if (r >= 0)
		resp.val = r;
	else
		resp.error = (int32_t)r;
	(void)RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* A parked accept whose listener is readable, or whose caller left. */
static void
resume(int listener, struct pending *p)
{
	long r;

	if (!live(listener, p->id)) {
		r = DONE;
	} else {
		r = try_accept(listener, p);
		if (r == -EAGAIN)
			return;		/* someone else took it: wait on */
	}
	answer(listener, p->id, r);
	RAW1(SYS_close, p->lfd);
	p->lfd = -1;
}

/*
 * openat(dirfd, path, flags, mode) with dirfd a limited directory: filters
 * M and R have allowed it, so the rights fit the flags.
 */
static long
broker_openat(int listener, const struct seccomp_notif *req)
{
	struct seccomp_notif_addfd add;
	struct capsicum_target t;
	struct open_how how;
	char path[PATH_MAX];
	int dirfd, flags, dir, nf, slot, r;

	dirfd = (int)req->data.args[0];
	flags = (int)req->data.args[2];
	if ((r = read_string((pid_t)req->pid, req->data.args[1], path,
	    sizeof(path))) != 0)
		return (r);
	/* Not limited (received later, or a copy of a held directory):
	 * full rights, any free number. */
	if (!capsicum_classify((uint64_t)(uint32_t)dirfd, &t))
		t.t_prof = NULL;
	else if (t.t_protected)
		return (-EBADF);
	if ((dir = take_fd(listener, req, dirfd)) < 0)
		return (dir);
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)((flags & OPEN_FLAGS) | O_CLOEXEC);
	if ((flags & (O_CREAT | O_TMPFILE)) != 0)
		how.mode = req->data.args[3] & 07777;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	nf = (int)RAW4(SYS_openat2, dir, path, &how, sizeof(how));
	RAW1(SYS_close, dir);
	if (nf < 0)
		return (nf == -EXDEV ? -ENOTCAPABLE : nf);
	slot = 0;
	if (t.t_prof != NULL &&
	    (slot = free_slot((pid_t)req->pid, t.t_prof)) < 0) {
		RAW1(SYS_close, nf);
		return (-EMFILE);
	}
	memset(&add, 0, sizeof(add));
	add.id = req->id;
	add.flags = SECCOMP_ADDFD_FLAG_SEND |
	    (t.t_prof != NULL ? SECCOMP_ADDFD_FLAG_SETFD : 0);
	add.srcfd = (uint32_t)nf;
	add.newfd = (uint32_t)slot;
	add.newfd_flags = (uint32_t)(flags & O_CLOEXEC);
	r = (int)RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	RAW1(SYS_close, nf);
	return (r < 0 ? r : DONE);
}

static void
handle_one(int listener)
{
	struct seccomp_notif req;
	unsigned int i;
	long r;

	memset(&req, 0, sizeof(req));
	if (RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0)
		return;		/* the caller went away */
	r = -ENOSYS;
	for (i = 0; i < capsicum_policy_len; i++) {
		if (capsicum_policy[i].pr_kind != PK_BROKER ||
		    capsicum_policy_rownr(i) != req.data.nr)
			continue;
		if (strcmp(capsicum_policy[i].pr_sys, "openat") == 0)
			r = broker_openat(listener, &req);
		else if (req.data.nr == CAPSICUM_BROKER_NR)
			r = broker_lookup(listener, &req);
		else if (req.data.nr == CAPSICUM_BINDAT_NR ||
		    req.data.nr == CAPSICUM_CONNECTAT_NR)
			r = broker_sockat(listener, &req,
			    req.data.nr == CAPSICUM_BINDAT_NR);
		else if (req.data.nr == SYS_accept ||
		    req.data.nr == SYS_accept4)
			r = broker_accept(listener, &req);
		break;
	}
	answer(listener, req.id, r);
}

static void
broker_main(int sock)
{
	struct pollfd p[PENDING_MAX + 1];
	unsigned int at[PENDING_MAX + 1], i, n;
	int listener;
	long r;

	(void)prctl(PR_SET_NAME, "capsicum-broker", 0, 0, 0);
	listener = recv_fd(sock);
	RAW1(SYS_close, sock);
	if (listener < 0 ||
	    RAW3(SYS_dup3, listener, BROKER_LISTENER, O_CLOEXEC) < 0)
		_exit(0);
	listener = BROKER_LISTENER;
	/* It needs none of the sandbox's descriptors: it takes what it
	 * needs from the caller, per request. */
	(void)RAW3(SYS_close_range, 0, listener - 1, 0);
	(void)RAW3(SYS_close_range, listener + 1, ~0U, 0);
	(void)RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	if (RAW5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    confine() != 0)
		_exit(1);
	for (i = 0; i < PENDING_MAX; i++)
		pend[i].lfd = -1;
	for (;;) {
		p[0].fd = listener;
		p[0].events = POLLIN;
		p[0].revents = 0;
		for (i = 0, n = 1; i < PENDING_MAX; i++) {
			if (pend[i].lfd < 0)
				continue;
			at[n] = i;
			p[n].fd = pend[i].lfd;
			p[n].events = POLLIN;
			p[n++].revents = 0;
		}
		/* With callers parked, look for ones that left now and
		 * then (their listener may never become readable). */
		r = RAW3(SYS_poll, p, n, n > 1 ? 1000 : -1);
		if (r < 0)
			continue;
		for (i = 1; i < n; i++) {
			if (p[i].revents != 0 || r == 0)
				resume(listener, &pend[at[i]]);
		}
		if ((p[0].revents & POLLIN) != 0)
			handle_one(listener);
		else if ((p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0)
			break;
	}
	_exit(0);
}
