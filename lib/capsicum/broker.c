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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <time.h>
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
#ifndef SCM_PIDFD
#define	SCM_PIDFD		0x04			/* 6.5 */
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
capsicum_bfilter_emit(const int *direct, unsigned int ndirect,
    const struct capsicum_target *t, unsigned int nt,
    struct sock_fprog *prog)
{
	struct sock_filter *f;
	unsigned int i, j, k, m, nrows, len, *ja;
	int nr;

	capsicum_policy_init();		/* the rows' syscall numbers */
	nrows = 0;
	for (i = 0; i < capsicum_policy_len; i++) {
		if (capsicum_policy[i].pr_kind == PK_BROKER &&
		    capsicum_policy_rownr(i) >= 0)
			nrows++;
	}
	if (nrows == 0)
		return (-ENOENT);
	/* The kernel's limit applies to what bpfopt.c leaves of it. */
	len = 5 + 2 * nrows + nrows * (3 * ndirect + 4 * nt + 1);
	if (len > USHRT_MAX)
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

/* Emitted plainly (a chain of compares), then optimised: bpfopt.c
 * threads the chain's jumps and shares its returns. */
int
capsicum_bfilter_build(const int *direct, unsigned int ndirect,
    const struct capsicum_target *t, unsigned int nt,
    struct sock_fprog *prog)
{
	int r;

	if ((r = capsicum_bfilter_emit(direct, ndirect, t, nt, prog)) != 0)
		return (r);
	if (((r = capsicum_bpf_optimize(prog, NULL, CAPSICUM_OPT_ROUNDS)) != 0 &&
	    r != -ENOTSUP) || prog->len > BPF_MAXINSNS) {
		capsicum_filter_free(prog);
		return (r != 0 && r != -ENOTSUP ? r : -E2BIG);
	}
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

/* The broker's "ready" byte: 0, or -ESRCH when it exited instead. */
static int
wait_ready(int sock)
{
	struct pollfd pfd = { sock, POLLIN, 0 };
	char c;
	long r;

	do
		r = RAW3(SYS_poll, &pfd, 1, 5000);
	while (r == -EINTR);
	if (r <= 0)
		return (-ESRCH);
	do
		r = RAW3(SYS_read, sock, &c, 1);
	while (r == -EINTR);
	return (r == 1 && c == 'R' ? 0 : -ESRCH);
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
	if (r != 0)
		RAW1(SYS_close, sock);
	/* Filter B is in either way; without the broker its calls fail with
	 * ENOSYS, closed rather than open, and the layer is reported
	 * missing. */
	return (r);
}

int
capsicum_broker_ready(int sock)
{
	int r;

	r = wait_ready(sock);
	RAW1(SYS_close, sock);
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
		SYS_openat2, SYS_kcmp, SYS_close, SYS_fstat, SYS_newfstatat,
		SYS_statx, SYS_faccessat2, SYS_readlinkat, SYS_fchmodat2,
		SYS_fchownat,
		SYS_utimensat, SYS_fchdir, SYS_bind, SYS_connect,
		SYS_accept4, SYS_fcntl, SYS_recvmsg, SYS_getsockname,
		SYS_getsockopt, SYS_clock_gettime,
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
		/* Most paths are short: copy a little first, not the rest
		 * of the page. */
		if (off == 0 && chunk > 256)
			chunk = 256;
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
 * right, and pidfd_getfd fails (ESRCH) once that task is gone.  *fresh
 * says whether it was made (and checked) just now.
 */
#define	PIDFD_CACHE	16

static struct {
	pid_t	pid;
	int	fd;
} pidfds[PIDFD_CACHE];
static unsigned int pidfd_next;

static int
caller_pidfd(int listener, const struct seccomp_notif *req, bool refresh,
    bool *fresh)
{
	unsigned int i;
	int pfd;

	*fresh = false;
	for (i = 0; i < PIDFD_CACHE; i++) {
		if (pidfds[i].pid != (pid_t)req->pid || pidfds[i].fd <= 0)
			continue;
		if (!refresh)
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
	*fresh = true;
	return (pfd);
}

/*
 * Our own reference to the caller's descriptor fd.  Call after reading the
 * caller's memory: success also says that memory was the caller's, not a
 * reused pid's.  Either the pidfd was made now, after the read, and
 * checked against the live notification; or it was cached, names the task
 * that had the caller's pid when a notification of it was live, and
 * pidfd_getfd through it succeeding says that task is still alive, so the
 * pid has named it all along.  (No NOTIF_ID_VALID round trip needed then.)
 */
static int
take_fd(int listener, const struct seccomp_notif *req, int fd)
{
	bool fresh;
	int pfd, r;

	if ((pfd = caller_pidfd(listener, req, false, &fresh)) < 0)
		return (pfd);
	r = (int)RAW3(SYS_pidfd_getfd, pfd, fd, 0);
	if (r == -ESRCH && !fresh) {
		/* A cached pidfd of a task that has gone. */
		if ((pfd = caller_pidfd(listener, req, true, &fresh)) < 0)
			return (pfd);
		r = (int)RAW3(SYS_pidfd_getfd, pfd, fd, 0);
	}
	if (r == -ESRCH)
		return (-ESRCH);
	return (r < 0 ? -EBADF : r);
}

/*
 * Directories are asked for again and again (every open through one), so
 * the broker keeps its copies of the last few.  A copy serves a request
 * when kcmp says the caller's number holds that very open file: one call
 * instead of pidfd_getfd and close.  That is the object take_fd() would
 * have fetched, so the operation is the one the caller may ask for; if the
 * caller died meanwhile and its pid went to a task holding the same open
 * file there, the result is never installed (its notification is dead).
 * Only directories are kept: a copy held here would keep a pipe or socket
 * from ever reporting its end to the other side.
 */
#define	DIRCACHE	8

static struct {
	int	num;		/* the caller's number */
	int	fd;		/* our copy; -1: empty */
} dircache[DIRCACHE];
static unsigned int dircache_next;
static pid_t broker_pid;

static int
get_dir(int listener, const struct seccomp_notif *req, int num, bool *kept)
{
	struct stat st;
	unsigned int i;
	int fd;

	*kept = false;
	for (i = 0; i < DIRCACHE; i++) {
		if (dircache[i].fd >= 0 && dircache[i].num == num &&
		    RAW5(SYS_kcmp, (pid_t)req->pid, broker_pid, KCMP_FILE,
		    num, dircache[i].fd) == 0) {
			*kept = true;
			return (dircache[i].fd);
		}
	}
	if ((fd = take_fd(listener, req, num)) < 0)
		return (fd);
	if (RAW2(SYS_fstat, fd, &st) != 0 || !S_ISDIR(st.st_mode))
		return (fd);
	i = dircache_next++ % DIRCACHE;
	if (dircache[i].fd >= 0)
		RAW1(SYS_close, dircache[i].fd);
	dircache[i].num = num;
	dircache[i].fd = fd;
	*kept = true;
	return (fd);
}

static void
put_dir(int fd, bool kept)
{

	if (!kept)
		RAW1(SYS_close, fd);
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

/* ---------------------------------------------------------------------
 * What the broker knows about limited open files.
 *
 * Rights belong to descriptor numbers (filter R), but a file sent over
 * SCM_RIGHTS arrives without its number; the broker, which receives it on
 * the process's behalf, must tell from the file alone whether it was
 * limited.  It keeps no reference to the files (that would keep sockets
 * and pipes open after the sandbox closed them), only their identity:
 *
 *   - (device, inode) of every file limited at cap_enter() (the pins it
 *     inherited), of every file it opened through a limited directory,
 *     and of every file the sandbox limited later (CAPSICUM_LIMIT_NR);
 *   - the local address of every limited listening socket: a connection
 *     accepted on it has that address, and the listener's rights.
 *
 * Both over-approximate: another open file of the same inode (the other
 * end of a pipe, the same file opened twice) or another socket with the
 * same local address is treated as limited too.  That only ever narrows.
 * An entry is never removed or widened: a second profile for the same
 * file keeps the narrower one, and two that are not comparable give
 * NOPLACE (limited, but with no band to put it in: refused).  When the
 * table is full, every unidentified file is NOPLACE: fail closed.
 */
static struct capsicum_profile noplace_prof;
#define	NOPLACE		((const struct capsicum_profile *)&noplace_prof)

#define	IDENT_SLOTS	(1U << 17)
#define	IDENT_MAX	(IDENT_SLOTS / 2)

struct ident {
	uint64_t	 dev, ino;
	const struct capsicum_profile *prof;	/* NULL: free slot */
};

static struct ident *idents;		/* mmap'd in broker_main */
static unsigned int nidents;
static bool idents_full;

#define	LADDR_MAX	64

static struct laddr {
	struct sockaddr_storage ss;
	socklen_t	 len;
	const struct capsicum_profile *prof;
} laddrs[LADDR_MAX];
static unsigned int nladdrs;
static bool laddrs_full;

/* Limits told after cap_enter(): until there is one, the numbers the
 * broker inherited say everything about directories and listeners. */
static unsigned int nclaims;

/* The narrower of two profiles (NULL: unlimited), NOPLACE if neither. */
static const struct capsicum_profile *
meet(const struct capsicum_profile *a, const struct capsicum_profile *b)
{

	if (a == NULL)
		return (b);
	if (b == NULL || a == b)
		return (a);
	if (a == NOPLACE || b == NOPLACE)
		return (NOPLACE);
	if (capsicum_profile_le(a, b))
		return (a);
	if (capsicum_profile_le(b, a))
		return (b);
	return (NOPLACE);
}

static struct ident *
ident_slot(uint64_t dev, uint64_t ino)
{
	uint64_t h;
	unsigned int i;

	h = (ino * 0x9E3779B97F4A7C15ULL) ^ (dev * 0xC2B2AE3D27D4EB4FULL);
	for (i = (unsigned int)(h >> 47) & (IDENT_SLOTS - 1);;
	    i = (i + 1) & (IDENT_SLOTS - 1)) {
		if (idents[i].prof == NULL ||
		    (idents[i].dev == dev && idents[i].ino == ino))
			return (&idents[i]);
	}
}

static void
ident_add(uint64_t dev, uint64_t ino, const struct capsicum_profile *prof)
{
	struct ident *e;

	if (prof == NULL || idents == NULL)
		return;
	e = ident_slot(dev, ino);
	if (e->prof != NULL) {
		e->prof = meet(e->prof, prof);
		return;
	}
	if (nidents == IDENT_MAX) {
		idents_full = true;
		return;
	}
	e->dev = dev;
	e->ino = ino;
	e->prof = prof;
	nidents++;
}

static void
laddr_add(int fd, const struct capsicum_profile *prof)
{
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned int i;

	len = sizeof(ss);
	if (RAW3(SYS_getsockname, fd, &ss, &len) != 0 ||
	    len <= sizeof(sa_family_t))
		return;		/* unnamed: nothing was accepted on it */
	for (i = 0; i < nladdrs; i++) {
		if (laddrs[i].len == len && memcmp(&laddrs[i].ss, &ss,
		    len) == 0) {
			laddrs[i].prof = meet(laddrs[i].prof, prof);
			return;
		}
	}
	if (nladdrs == LADDR_MAX) {
		laddrs_full = true;
		return;
	}
	laddrs[nladdrs].ss = ss;
	laddrs[nladdrs].len = len;
	laddrs[nladdrs].prof = prof;
	nladdrs++;
}

/* Does a socket's local address ss fall under listener l? */
static bool
laddr_match(const struct laddr *l, const struct sockaddr_storage *ss,
    socklen_t len)
{
	const struct sockaddr_in *a4, *l4;
	const struct sockaddr_in6 *a6, *l6;

	if (l->ss.ss_family != ss->ss_family)
		return (false);
	switch (ss->ss_family) {
	case AF_INET:
		a4 = (const struct sockaddr_in *)ss;
		l4 = (const struct sockaddr_in *)&l->ss;
		return (a4->sin_port == l4->sin_port &&
		    (l4->sin_addr.s_addr == INADDR_ANY ||
		    l4->sin_addr.s_addr == a4->sin_addr.s_addr));
	case AF_INET6:
		/* A wildcard v6 listener also takes v4-mapped peers;
		 * compare the port alone then. */
		a6 = (const struct sockaddr_in6 *)ss;
		l6 = (const struct sockaddr_in6 *)&l->ss;
		return (a6->sin6_port == l6->sin6_port &&
		    (IN6_IS_ADDR_UNSPECIFIED(&l6->sin6_addr) ||
		    memcmp(&a6->sin6_addr, &l6->sin6_addr, 16) == 0));
	default:
		return (l->len == len && memcmp(&l->ss, ss, len) == 0);
	}
}

/* Record a file the broker has a descriptor for as limited to prof. */
static void
remember(int fd, const struct capsicum_profile *prof)
{
	struct stat st;

	if (prof == NULL)
		return;
	if (RAW2(SYS_fstat, fd, &st) != 0) {
		idents_full = true;	/* cannot know it again: closed */
		return;
	}
	ident_add(st.st_dev, st.st_ino, prof);
	if (S_ISSOCK(st.st_mode) &&
	    cap_rights_is_set(&prof->cp_rights, CAP_ACCEPT))
		laddr_add(fd, prof);
}

/*
 * The rights the broker must give a file it holds a descriptor for: NULL
 * (unlimited: not known to be limited), a profile, or NOPLACE.
 */
static const struct capsicum_profile *
identify(int fd)
{
	const struct capsicum_profile *p;
	struct sockaddr_storage ss;
	struct stat st;
	struct ident *e;
	socklen_t len;
	unsigned int i;
	bool known;

	if (RAW2(SYS_fstat, fd, &st) != 0)
		return (NOPLACE);
	e = idents != NULL ? ident_slot(st.st_dev, st.st_ino) : NULL;
	p = e != NULL ? e->prof : NULL;
	known = p != NULL;
	if (S_ISSOCK(st.st_mode) && nladdrs > 0) {
		len = sizeof(ss);
		if (RAW3(SYS_getsockname, fd, &ss, &len) == 0) {
			for (i = 0; i < nladdrs; i++) {
				if (laddr_match(&laddrs[i], &ss, len)) {
					p = meet(p, laddrs[i].prof);
					known = true;
				}
			}
		}
	}
	if (!known && (idents_full || idents == NULL ||
	    (S_ISSOCK(st.st_mode) && laddrs_full)))
		return (NOPLACE);
	return (p);
}

/* At start, in the broker: the files limited at cap_enter(), through
 * the descriptors it inherited. */
static void
remember_pins(void)
{
	const struct capsicum_pin *pin;
	const struct capsicum_profile *prof;
	unsigned int i, n;

	n = atomic_load(&capsicum_cs.cs_npins);
	for (i = 0; i < n; i++) {
		pin = &capsicum_cs.cs_pins[i];
		prof = atomic_load(&pin->pin_prof);
		if (prof != NULL && pin->pin_fd >= 0)
			remember(pin->pin_fd, prof);
	}
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
	bool kept;
	long r;

	if ((flags = lookup_flags(nr, a)) == -1)
		return (-ENOSYS);
	if ((int)a[0] == AT_FDCWD)
		return (-ECAPMODE);
	if ((r = read_string((pid_t)req->pid, a[1], path, sizeof(path))) != 0)
		return (r);
	if ((dir = get_dir(listener, req, (int)a[0], &kept)) < 0)
		return (dir);
	if (path[0] == '\0') {
		if ((flags & AT_EMPTY_PATH) == 0) {
			put_dir(dir, kept);
			return (-ENOENT);
		}
		r = lookup_do((pid_t)req->pid, nr, a, flags, dir);
		put_dir(dir, kept);
		return (r);
	} else {
		memset(&how, 0, sizeof(how));
		how.flags = O_PATH | O_CLOEXEC |
		    ((flags & AT_SYMLINK_NOFOLLOW) != 0 ? O_NOFOLLOW : 0);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		obj = (int)RAW4(SYS_openat2, dir, path, &how, sizeof(how));
		put_dir(dir, kept);
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
	bool kept;
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
	if ((dir = get_dir(listener, req, (int)req->data.args[0], &kept)) < 0)
		return (dir);
	if ((sock = take_fd(listener, req, (int)req->data.args[1])) < 0) {
		put_dir(dir, kept);
		return (sock);
	}
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	pdir = (int)RAW4(SYS_openat2, dir, parent, &how, sizeof(how));
	put_dir(dir, kept);
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
 * Calls that may have to wait.  The broker must never block (it serves
 * everyone), so a call that finds nothing to take (accept with no
 * connection waiting, a receive with nothing queued) on a blocking socket
 * is parked: the broker polls its copy of the socket alongside the
 * listener and answers when something arrives; the caller blocks as it
 * would in the call itself.  A parked caller that is interrupted or
 * killed is dropped (its notification is no longer live).
 */
#define	PENDING_MAX	128

enum { P_ACCEPT, P_RECV };

static struct pending {
	uint64_t	 id;
	pid_t		 pid;
	int		 lfd;		/* our copy of the socket; -1: free */
	int		 kind;		/* P_ACCEPT, P_RECV */
	int		 flags;		/* accept4 or recv flags */
	long		 nr;		/* recvmsg or recvmmsg */
	uint64_t	 addr, addrlen;	/* accept */
	uint64_t	 msg;		/* recv: msghdr or mmsghdr array */
	unsigned int	 vlen;		/* recvmmsg */
	uint64_t	 deadline;	/* recv: SO_RCVTIMEO, ns; 0: none */
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

/* Park p; PARKED, or -EAGAIN when every place is taken. */
static long
park(int listener, const struct pending *p)
{
	unsigned int i;

	for (i = 0; i < PENDING_MAX; i++) {
		if (pend[i].lfd >= 0 && !live(listener, pend[i].id)) {
			RAW1(SYS_close, pend[i].lfd);
			pend[i].lfd = -1;
		}
		if (pend[i].lfd < 0) {
			pend[i] = *p;
			return (PARKED);
		}
	}
	return (-EAGAIN);
}

static bool
blocking(int fd, int flags)
{

	return ((flags & MSG_DONTWAIT) == 0 &&
	    (RAW2(SYS_fcntl, fd, F_GETFL) & O_NONBLOCK) == 0);
}

static long
broker_accept(int listener, const struct seccomp_notif *req)
{
	struct capsicum_target t;
	struct pending p;
	long r;

	memset(&p, 0, sizeof(p));
	p.id = req->id;
	p.pid = (pid_t)req->pid;
	p.kind = P_ACCEPT;
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
	/* Narrowed since cap_enter()? */
	if (nclaims > 0 && (p.prof = meet(p.prof, identify(p.lfd))) ==
	    NOPLACE) {
		RAW1(SYS_close, p.lfd);
		return (-ENOTCAPABLE);
	}
	r = try_accept(listener, &p);
	if (r != -EAGAIN || !blocking(p.lfd, 0)) {
		RAW1(SYS_close, p.lfd);
		return (r);
	}
	if ((r = park(listener, &p)) != PARKED)
		RAW1(SYS_close, p.lfd);
	return (r);
}

/* ---------------------------------------------------------------------
 * recvmsg and recvmmsg: descriptors in SCM_RIGHTS keep their rights.
 *
 * Seccomp cannot read control messages, so every receive that could
 * carry descriptors comes here.  The broker receives on its own copy of
 * the socket, into its own buffers, with the caller's flags (MSG_PEEK,
 * MSG_TRUNC, MSG_WAITALL, MSG_ERRQUEUE...) and a control buffer no larger
 * than the caller's, so the kernel truncates exactly as it would for the
 * caller.  Each received file is then identified (identify()): a limited
 * one goes to a free slot of its profile's derived band, where filter R
 * enforces the profile; one known to be limited with no band to hold it
 * (or no free slot) is dropped, as the kernel drops what it cannot
 * install: MSG_CTRUNC; anything else is installed at the lowest free
 * number, with full rights, as the kernel would.  Data, address, control
 * and flags are then written into the caller's buffers, whose addresses
 * the broker read once (a thread changing them meanwhile only changes
 * where its own results go).
 */
#define	RECV_BUF	(4U << 20)	/* the largest unix datagram is ~200 KiB */
#define	CTL_BUF		8192		/* 253 descriptors, credentials, ... */

static char *rbuf;			/* mmap'd in broker_main */
static struct iovec riov[UIO_MAXIOV];
static union {
	struct cmsghdr	h;
	char		b[CTL_BUF];
} cin, cout;

/* Install one received file in the caller: its number, or -errno. */
static long
install(int listener, const struct pending *p, int fd, int flags)
{
	const struct capsicum_profile *prof;
	struct seccomp_notif_addfd add;
	int slot;

	slot = 0;
	if ((prof = identify(fd)) == NOPLACE)
		return (-ENOTCAPABLE);
	if (prof != NULL && (slot = free_slot(p->pid, prof)) < 0)
		return (-EMFILE);
	memset(&add, 0, sizeof(add));
	add.id = p->id;
	add.flags = prof != NULL ? SECCOMP_ADDFD_FLAG_SETFD : 0;
	add.srcfd = (uint32_t)fd;
	add.newfd = (uint32_t)slot;
	add.newfd_flags = (flags & MSG_CMSG_CLOEXEC) != 0 ? O_CLOEXEC : 0;
	return (RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add));
}

/* Rewrite the control messages for the caller; their length.  *gone is
 * set when the caller left meanwhile. */
static size_t
translate(int listener, const struct pending *p, struct msghdr *lm,
    int flags, bool *ctrunc, bool *gone)
{
	struct cmsghdr *c, *o;
	size_t olen, n, i, k;
	int fd, nfd;
	long r;

	olen = 0;
	for (c = CMSG_FIRSTHDR(lm); c != NULL; c = CMSG_NXTHDR(lm, c)) {
		o = (struct cmsghdr *)(cout.b + olen);
		if (c->cmsg_level != SOL_SOCKET || (c->cmsg_type != SCM_RIGHTS &&
		    c->cmsg_type != SCM_PIDFD)) {
			memcpy(o, c, c->cmsg_len);
			olen += CMSG_ALIGN(c->cmsg_len);
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0, k = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			r = *gone ? -ESRCH : install(listener, p, fd, flags);
			RAW1(SYS_close, fd);
			if (r == -ENOENT || r == -ESRCH)
				*gone = true;
			if (r < 0) {
				*ctrunc = true;
				continue;
			}
			nfd = (int)r;
			memcpy(CMSG_DATA(o) + k++ * sizeof(int), &nfd,
			    sizeof(int));
		}
		if (k == 0)
			continue;
		o->cmsg_level = SOL_SOCKET;
		o->cmsg_type = c->cmsg_type;
		o->cmsg_len = CMSG_LEN(k * sizeof(int));
		olen += CMSG_ALIGN(o->cmsg_len);
	}
	/* The kernel does not pad the last message past the buffer. */
	return (olen < lm->msg_controllen ? olen : lm->msg_controllen);
}

/* One message for the msghdr at umsg: its length, or -errno (-EAGAIN:
 * nothing queued). */
static long
recv_one(int listener, const struct pending *p, uint64_t umsg, int flags)
{
	static struct iovec wr[UIO_MAXIOV + 8];
	struct sockaddr_storage ss;
	struct iovec iov, lw[8];
	struct msghdr um, lm;
	size_t total, clen, olen, i, left, len, nl, nw, k;
	bool ctrunc, gone;
	long got;
	int oflags;

	if (read_mem(p->pid, umsg, &um, sizeof(um)) != 0)
		return (-EFAULT);
	if (um.msg_iovlen > UIO_MAXIOV)
		return (-EMSGSIZE);
	if ((int)um.msg_namelen < 0)
		return (-EINVAL);
	if (um.msg_iovlen > 0 && read_mem(p->pid, (uint64_t)(uintptr_t)
	    um.msg_iov, riov, um.msg_iovlen * sizeof(*riov)) != 0)
		return (-EFAULT);
	for (i = 0, total = 0; i < um.msg_iovlen; i++) {
		if ((ssize_t)riov[i].iov_len < 0)
			return (-EINVAL);
		total += riov[i].iov_len < RECV_BUF ? riov[i].iov_len :
		    RECV_BUF;
		if (total > RECV_BUF)
			total = RECV_BUF;
	}
	clen = 0;
	if (um.msg_control != NULL)
		clen = um.msg_controllen < CTL_BUF ? um.msg_controllen :
		    CTL_BUF;
	iov.iov_base = rbuf;
	iov.iov_len = total;
	memset(&lm, 0, sizeof(lm));
	lm.msg_iov = &iov;
	lm.msg_iovlen = 1;
	if (um.msg_name != NULL) {
		lm.msg_name = &ss;
		lm.msg_namelen = sizeof(ss);
	}
	if (clen > 0) {
		lm.msg_control = cin.b;
		lm.msg_controllen = clen;
	}
	/* Nothing is taken for a caller that has gone. */
	if (!live(listener, p->id))
		return (-ESRCH);
	got = RAW3(SYS_recvmsg, p->lfd, &lm, (flags & ~MSG_WAITFORONE) |
	    MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (got < 0)
		return (got);
	ctrunc = gone = false;
	olen = translate(listener, p, &lm, flags, &ctrunc, &gone);
	if (gone)
		return (-ESRCH);
	oflags = (lm.msg_flags & ~MSG_CMSG_CLOEXEC) |
	    (flags & MSG_CMSG_CLOEXEC) | (ctrunc ? MSG_CTRUNC : 0);
	/* Everything in one process_vm_writev when it fits: the data
	 * scattered over the caller's iovecs (trimmed to what came), then
	 * the address, the control messages and the three fields the kernel
	 * updates.  Each system call here costs as much as the copy. */
	total = (size_t)got < total ? (size_t)got : total;
	nl = nw = 0;
	if (total > 0)
		lw[nl++] = (struct iovec){ rbuf, total };
	for (i = 0, left = total; left > 0 && i < um.msg_iovlen; i++) {
		if (riov[i].iov_len == 0)
			continue;
		len = riov[i].iov_len < left ? riov[i].iov_len : left;
		wr[nw++] = (struct iovec){ riov[i].iov_base, len };
		left -= len;
	}
	if (um.msg_name != NULL) {
		len = lm.msg_namelen < um.msg_namelen ? lm.msg_namelen :
		    um.msg_namelen;
		if (len > 0) {
			lw[nl++] = (struct iovec){ &ss, len };
			wr[nw++] = (struct iovec){ um.msg_name, len };
		}
		lw[nl++] = (struct iovec){ &lm.msg_namelen,
		    sizeof(lm.msg_namelen) };
		wr[nw++] = (struct iovec){ (void *)(uintptr_t)(umsg +
		    offsetof(struct msghdr, msg_namelen)),
		    sizeof(lm.msg_namelen) };
	}
	if (olen > 0) {
		lw[nl++] = (struct iovec){ cout.b, olen };
		wr[nw++] = (struct iovec){ um.msg_control, olen };
	}
	lw[nl++] = (struct iovec){ &olen, sizeof(olen) };
	wr[nw++] = (struct iovec){ (void *)(uintptr_t)(umsg +
	    offsetof(struct msghdr, msg_controllen)), sizeof(olen) };
	lw[nl++] = (struct iovec){ &oflags, sizeof(oflags) };
	wr[nw++] = (struct iovec){ (void *)(uintptr_t)(umsg +
	    offsetof(struct msghdr, msg_flags)), sizeof(oflags) };
	for (i = 0, len = 0; i < nl; i++)
		len += lw[i].iov_len;
	if (nw <= UIO_MAXIOV) {
		if (RAW6(SYS_process_vm_writev, p->pid, lw, nl, wr, nw, 0) !=
		    (long)len)
			return (-EFAULT);
	} else {
		/* More iovecs than one call takes: the data, then the rest. */
		k = nw - (nl - (total > 0 ? 1 : 0));
		if ((total > 0 && RAW6(SYS_process_vm_writev, p->pid, lw, 1,
		    wr, k, 0) != (long)total) ||
		    RAW6(SYS_process_vm_writev, p->pid, lw + (total > 0),
		    nl - (total > 0), wr + k, nw - k, 0) !=
		    (long)(len - total))
			return (-EFAULT);
	}
	return (got);
}

/* recvmsg: its length; recvmmsg: the number of messages.  -EAGAIN:
 * nothing queued. */
static long
try_recv(int listener, const struct pending *p)
{
	unsigned int i, len;
	uint64_t m;
	long r;

	if (p->nr == SYS_recvmsg)
		return (recv_one(listener, p, p->msg, p->flags));
	/* recvmmsg: the first message as the socket says, the others only
	 * if they are there already. */
	for (i = 0; i < p->vlen; i++) {
		m = p->msg + (uint64_t)i * sizeof(struct mmsghdr);
		r = recv_one(listener, p, m, p->flags |
		    (i > 0 ? MSG_DONTWAIT : 0));
		if (r == -ESRCH)
			return (r);
		if (r < 0) {
			if (i == 0)
				return (r);
			break;
		}
		len = (unsigned int)r;
		if (write_mem(p->pid, m + offsetof(struct mmsghdr, msg_len),
		    &len, sizeof(len)) != 0)
			return (i == 0 ? -EFAULT : (long)i);
	}
	return ((long)i);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	if (RAW2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0)
		return (0);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

static long
broker_recv(int listener, const struct seccomp_notif *req)
{
	struct pending p;
	struct timeval tv;
	socklen_t tl;
	long r;

	memset(&p, 0, sizeof(p));
	p.id = req->id;
	p.pid = (pid_t)req->pid;
	p.kind = P_RECV;
	p.nr = req->data.nr;
	p.msg = req->data.args[1];
	if (p.nr == SYS_recvmsg) {
		p.flags = (int)req->data.args[2];
		p.vlen = 1;
	} else {
		/* The timeout (argument 4) is not honoured: see below. */
		p.flags = (int)req->data.args[3];
		p.vlen = (unsigned int)req->data.args[2];
		if (p.vlen > UIO_MAXIOV)
			p.vlen = UIO_MAXIOV;
		if (p.vlen == 0)
			return (0);
	}
	if ((p.lfd = take_fd(listener, req, (int)req->data.args[0])) < 0)
		return (p.lfd);
	r = try_recv(listener, &p);
	if (r != -EAGAIN || !blocking(p.lfd, p.flags)) {
		RAW1(SYS_close, p.lfd);
		return (r == -ESRCH ? DONE : r);
	}
	/* A receive timeout (SO_RCVTIMEO) ends the wait with EAGAIN. */
	tl = sizeof(tv);
	if (RAW5(SYS_getsockopt, p.lfd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    &tl) == 0 && (tv.tv_sec > 0 || tv.tv_usec > 0))
		p.deadline = now_ns() + (uint64_t)tv.tv_sec * 1000000000ULL +
		    (uint64_t)tv.tv_usec * 1000ULL;
	if ((r = park(listener, &p)) != PARKED)
		RAW1(SYS_close, p.lfd);
	return (r);
}

/* Is dev pidfs's device?  Learnt from a pidfd of the caller. */
static bool
is_pidfs(int listener, const struct seccomp_notif *req, uint64_t dev)
{
	static uint64_t pidfs_dev;
	struct stat st;
	bool fresh;
	int pfd;

	if (pidfs_dev == 0 &&
	    (pfd = caller_pidfd(listener, req, false, &fresh)) >= 0 &&
	    RAW4(SYS_newfstatat, pfd, "", &st, AT_EMPTY_PATH) == 0)
		pidfs_dev = st.st_dev;
	return (pidfs_dev != 0 && dev == pidfs_dev);
}

/* ---------------------------------------------------------------------
 * A limit set in capability mode (capmode.c): (fd, &claim, is_socket).
 * The claim comes from the sandbox, so it is only allowed to narrow:
 * ident_add() keeps the narrower of what it knew and this, for the file
 * the claim names (a lie about which file only narrows another one).  A
 * profile the broker did not inherit has no band it knows to be
 * enforced: NOPLACE, so copies of that file received later, and openat
 * or accept through it, are refused.  The broker takes no reference to
 * the file, except to read a socket's local address.
 */
static long
broker_limit(int listener, const struct seccomp_notif *req)
{
	static cap_ioctl_t ioctls[CAP_IOCTLS_MAX];
	const struct capsicum_profile *prof;
	struct capsicum_claim c;
	cap_rights_t rights;
	int fd;

	if (read_mem((pid_t)req->pid, req->data.args[1], &c, sizeof(c)) != 0)
		return (-EFAULT);
	rights.cr_rights[0] = c.cl_rights[0];
	rights.cr_rights[1] = c.cl_rights[1];
	if (c.cl_nioctls < -1 || c.cl_nioctls > CAP_IOCTLS_MAX)
		return (-EINVAL);
	if (c.cl_nioctls > 0 && read_mem((pid_t)req->pid, c.cl_ioctls,
	    ioctls, (size_t)c.cl_nioctls * sizeof(*ioctls)) != 0)
		return (-EFAULT);
	/* What was read was the caller's. */
	if (!live(listener, req->id))
		return (-ESRCH);
	prof = capsicum_profile_lookup(&rights, c.cl_fcntls, c.cl_nioctls,
	    ioctls);
	if (prof == NULL)
		prof = NOPLACE;
	nclaims++;
	/* Not for a process descriptor: every pidfd of a process shares one
	 * pidfs inode, and the procdesc watchdog, when it was started in
	 * capability mode, legitimately receives other pidfds of the same
	 * child (docs/escape.md lists the gap). */
	if (!is_pidfs(listener, req, c.cl_dev))
		ident_add(c.cl_dev, c.cl_ino, prof);
	if (req->data.args[2] != 0 &&
	    (prof == NOPLACE || cap_rights_is_set(&prof->cp_rights,
	    CAP_ACCEPT))) {
		if ((fd = take_fd(listener, req, (int)req->data.args[0])) < 0)
			return (fd);
		laddr_add(fd, prof);
		RAW1(SYS_close, fd);
	}
	return (0);
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

/* A parked call whose socket is readable, whose caller left, or whose
 * time ran out. */
static void
resume(int listener, struct pending *p, uint64_t now)
{
	long r;

	if (!live(listener, p->id)) {
		r = DONE;
	} else {
		r = p->kind == P_ACCEPT ? try_accept(listener, p) :
		    try_recv(listener, p);
		if (r == -EAGAIN && (p->deadline == 0 || now < p->deadline))
			return;		/* someone else took it: wait on */
		if (r == -ESRCH)
			r = DONE;
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
	const struct capsicum_profile *prof;
	struct seccomp_notif_addfd add;
	struct capsicum_target t;
	struct open_how how;
	char path[PATH_MAX];
	int dirfd, flags, dir, nf, slot, r;
	bool kept;

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
	if ((dir = get_dir(listener, req, dirfd, &kept)) < 0)
		return (dir);
	/* Narrowed since cap_enter()? */
	prof = t.t_prof;
	if (nclaims > 0 && (prof = meet(prof, identify(dir))) == NOPLACE) {
		put_dir(dir, kept);
		return (-ENOTCAPABLE);
	}
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)((flags & OPEN_FLAGS) | O_CLOEXEC);
	if ((flags & (O_CREAT | O_TMPFILE)) != 0)
		how.mode = req->data.args[3] & 07777;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	nf = (int)RAW4(SYS_openat2, dir, path, &how, sizeof(how));
	put_dir(dir, kept);
	if (nf < 0)
		return (nf == -EXDEV ? -ENOTCAPABLE : nf);
	slot = 0;
	if (prof != NULL) {
		if ((slot = free_slot((pid_t)req->pid, prof)) < 0) {
			RAW1(SYS_close, nf);
			return (-EMFILE);
		}
		/* Copies of it received later keep these rights. */
		remember(nf, prof);
	}
	memset(&add, 0, sizeof(add));
	add.id = req->id;
	add.flags = SECCOMP_ADDFD_FLAG_SEND |
	    (prof != NULL ? SECCOMP_ADDFD_FLAG_SETFD : 0);
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
	long r;

	memset(&req, 0, sizeof(req));
	if (RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0)
		return;		/* the caller went away */
	/* Filter B sends only the calls of the PK_BROKER rows, and only
	 * from x86_64. */
	switch (req.data.nr) {
	case SYS_openat:
		r = broker_openat(listener, &req);
		break;
	case SYS_recvmsg:
	case SYS_recvmmsg:
		r = broker_recv(listener, &req);
		break;
	case SYS_accept:
	case SYS_accept4:
		r = broker_accept(listener, &req);
		break;
	case CAPSICUM_BROKER_NR:
		r = broker_lookup(listener, &req);
		break;
	case CAPSICUM_BINDAT_NR:
	case CAPSICUM_CONNECTAT_NR:
		r = broker_sockat(listener, &req,
		    req.data.nr == CAPSICUM_BINDAT_NR);
		break;
	case CAPSICUM_LIMIT_NR:
		r = broker_limit(listener, &req);
		break;
	default:
		r = -ENOSYS;
		break;
	}
	answer(listener, req.id, r);
}

static void *
map(size_t len)
{
	long r;

	r = RAW6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return (r < 0 ? NULL : (void *)r);
}

static void
broker_main(int sock)
{
	struct pollfd p[PENDING_MAX + 1];
	unsigned int at[PENDING_MAX + 1], i, n;
	uint64_t now;
	int listener, timeout;
	long r;

	(void)prctl(PR_SET_NAME, "capsicum-broker", 0, 0, 0);
	broker_pid = (pid_t)RAW0(SYS_getpid);
	/* What was limited at cap_enter(), from the descriptors inherited
	 * (the number of the listener may replace one below).  Without
	 * these tables every received file is refused (identify()). */
	idents = map(IDENT_SLOTS * sizeof(*idents));
	rbuf = map(RECV_BUF);
	remember_pins();
	listener = recv_fd(sock);
	if (listener < 0)
		_exit(0);
	/* The listener may already have that number (dup3 refuses to
	 * duplicate onto itself). */
	if (listener != BROKER_LISTENER &&
	    RAW3(SYS_dup3, listener, BROKER_LISTENER, O_CLOEXEC) < 0)
		_exit(0);
	if (listener == BROKER_LISTENER &&
	    RAW3(SYS_fcntl, listener, F_SETFD, FD_CLOEXEC) < 0)
		_exit(0);
	listener = BROKER_LISTENER;
	/* Ready: capsicum_broker_attach() waits for this byte, so that a
	 * broker that could not start is reported, not silent. */
	if (RAW3(SYS_write, sock, "R", 1) != 1)
		_exit(0);
	RAW1(SYS_close, sock);
	/* It needs none of the sandbox's descriptors: it takes what it
	 * needs from the caller, per request. */
	(void)RAW3(SYS_close_range, 0, listener - 1, 0);
	(void)RAW3(SYS_close_range, listener + 1, ~0U, 0);
	(void)RAW3(SYS_ioctl, listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	if (rbuf == NULL || RAW5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0,
	    0) != 0 || confine() != 0)
		_exit(1);
	for (i = 0; i < PENDING_MAX; i++)
		pend[i].lfd = -1;
	for (i = 0; i < DIRCACHE; i++)
		dircache[i].fd = -1;
	for (;;) {
		p[0].fd = listener;
		p[0].events = POLLIN;
		p[0].revents = 0;
		timeout = -1;
		now = 0;
		for (i = 0, n = 1; i < PENDING_MAX; i++) {
			if (pend[i].lfd < 0)
				continue;
			at[n] = i;
			p[n].fd = pend[i].lfd;
			p[n].events = POLLIN;
			p[n++].revents = 0;
			/* Look for callers that left now and then (their
			 * socket may never become readable). */
			timeout = 1000;
			if (pend[i].deadline != 0) {
				if (now == 0)
					now = now_ns();
				if (pend[i].deadline <= now)
					timeout = 0;
				else if ((pend[i].deadline - now) / 1000000 <
				    (uint64_t)timeout)
					timeout = (int)((pend[i].deadline -
					    now) / 1000000) + 1;
			}
		}
		r = RAW3(SYS_poll, p, n, timeout);
		if (r < 0)
			continue;
		now = n > 1 ? now_ns() : 0;
		for (i = 1; i < n; i++) {
			if (p[i].revents != 0 || r == 0 ||
			    (pend[at[i]].deadline != 0 &&
			    pend[at[i]].deadline <= now))
				resume(listener, &pend[at[i]], now);
		}
		if ((p[0].revents & POLLIN) != 0)
			handle_one(listener);
		else if ((p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0)
			break;
	}
	_exit(0);
}
