/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The UDP guard of system.dns (see dnsguard.h).
 *
 * The supervisor is a child of the service, forked before the sandbox; it
 * holds a pidfd of the service and the notification descriptor, confines
 * itself with seccomp (guard_seccomp) and then serves notifications until
 * the service dies (PR_SET_PDEATHSIG, or the listener hangs up).  If it dies, the guarded calls fail with ENOSYS:
 * the guard fails closed.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/seccomp.h>
#include <netinet/in.h>
#include <arpa/nameser.h>

#include <errno.h>
#include <poll.h>
#include <resolv.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../casper_impl.h"
#include "dnsguard.h"

#define	GUARD_MAXDATA	65536	/* a DNS message over UDP is far smaller */
#define	GUARD_MAXIOV	16
#define	GUARD_MAXMSG	16

struct guard {
	struct sockaddr_storage	g_ns[MAXNS];	/* allowed destinations */
	int			g_nns;
	pid_t			g_pid;		/* the service */
	int			g_pidfd;
	int			g_notify;
};

/* The name servers glibc will use, read as glibc reads them. */
static void
guard_servers(struct guard *g)
{
	struct __res_state st;
	int i;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0)
		return;
	for (i = 0; i < st.nscount && i < MAXNS; i++) {
		if (st.nsaddr_list[i].sin_family == AF_INET) {
			memcpy(&g->g_ns[g->g_nns++], &st.nsaddr_list[i],
			    sizeof(struct sockaddr_in));
		} else if (st._u._ext.nsaddrs[i] != NULL &&
		    st._u._ext.nsaddrs[i]->sin6_family == AF_INET6) {
			memcpy(&g->g_ns[g->g_nns++], st._u._ext.nsaddrs[i],
			    sizeof(struct sockaddr_in6));
		}
	}
	res_nclose(&st);
}

/* Is sa (len bytes, from the service) one of the name servers? */
static bool
guard_allowed(const struct guard *g, const struct sockaddr_storage *ss,
    size_t len)
{
	const struct sockaddr_in6 *s6, *n6;
	const struct sockaddr_in *s4, *n4;
	struct sockaddr_in mapped;
	int i;

	if (len < sizeof(sa_family_t))
		return (false);
	s4 = (const struct sockaddr_in *)ss;
	s6 = (const struct sockaddr_in6 *)ss;
	if (ss->ss_family == AF_INET6 && len >= sizeof(*s6) &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		/* An IPv4 server reached through an IPv6 socket. */
		memset(&mapped, 0, sizeof(mapped));
		mapped.sin_family = AF_INET;
		mapped.sin_port = s6->sin6_port;
		memcpy(&mapped.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
		s4 = &mapped;
		len = sizeof(mapped);
	}
	for (i = 0; i < g->g_nns; i++) {
		if (g->g_ns[i].ss_family != s4->sin_family)
			continue;
		if (s4->sin_family == AF_INET && len >= sizeof(*s4)) {
			n4 = (const struct sockaddr_in *)&g->g_ns[i];
			if (n4->sin_addr.s_addr == s4->sin_addr.s_addr &&
			    n4->sin_port == s4->sin_port)
				return (true);
		} else if (s4->sin_family == AF_INET6 && len >= sizeof(*s6)) {
			n6 = (const struct sockaddr_in6 *)&g->g_ns[i];
			if (memcmp(&n6->sin6_addr, &s6->sin6_addr,
			    sizeof(s6->sin6_addr)) == 0 &&
			    n6->sin6_port == s6->sin6_port)
				return (true);
		}
	}
	return (false);
}

/* Copy len bytes at addr of thread tid; 0 or an errno value. */
static int
guard_read(pid_t tid, void *dst, uint64_t addr, size_t len)
{
	struct iovec local, remote;

	if (len == 0)
		return (0);
	local.iov_base = dst;
	local.iov_len = len;
	remote.iov_base = (void *)(uintptr_t)addr;
	remote.iov_len = len;
	return (process_vm_readv(tid, &local, 1, &remote, 1, 0) ==
	    (ssize_t)len ? 0 : EFAULT);
}

/* A checked socket address of the service, in ss. */
static int
guard_addr(const struct guard *g, pid_t tid, uint64_t addr, uint64_t len,
    struct sockaddr_storage *ss)
{
	int error;

	if (len < sizeof(sa_family_t) || len > sizeof(*ss))
		return (EINVAL);
	memset(ss, 0, sizeof(*ss));
	if ((error = guard_read(tid, ss, addr, len)) != 0)
		return (error);
	return (guard_allowed(g, ss, len) ? 0 : EACCES);
}

/* A message's name and data, copied and checked, as a local msghdr. */
struct guard_msg {
	struct msghdr		gm_hdr;
	struct iovec		gm_iov;
	struct sockaddr_storage	gm_name;
	char			*gm_data;
};

static int
guard_msg(const struct guard *g, pid_t tid, const struct msghdr *m,
    struct guard_msg *gm)
{
	struct iovec iov[GUARD_MAXIOV];
	size_t i, total;
	int error;

	memset(gm, 0, sizeof(*gm));
	/* Descriptors in control data would be the supervisor's. */
	if (m->msg_controllen != 0)
		return (EOPNOTSUPP);
	if (m->msg_name != NULL) {
		if ((error = guard_addr(g, tid, (uintptr_t)m->msg_name,
		    m->msg_namelen, &gm->gm_name)) != 0)
			return (error);
		gm->gm_hdr.msg_name = &gm->gm_name;
		gm->gm_hdr.msg_namelen = m->msg_namelen;
	}
	if (m->msg_iovlen > GUARD_MAXIOV)
		return (EMSGSIZE);
	if ((error = guard_read(tid, iov, (uintptr_t)m->msg_iov,
	    m->msg_iovlen * sizeof(iov[0]))) != 0)
		return (error);
	for (i = total = 0; i < m->msg_iovlen; i++) {
		if (iov[i].iov_len > GUARD_MAXDATA - total)
			return (EMSGSIZE);
		total += iov[i].iov_len;
	}
	if ((gm->gm_data = malloc(total + 1)) == NULL)
		return (ENOMEM);
	for (i = total = 0; i < m->msg_iovlen; i++) {
		if ((error = guard_read(tid, gm->gm_data + total,
		    (uintptr_t)iov[i].iov_base, iov[i].iov_len)) != 0)
			return (error);
		total += iov[i].iov_len;
	}
	gm->gm_iov.iov_base = gm->gm_data;
	gm->gm_iov.iov_len = total;
	gm->gm_hdr.msg_iov = &gm->gm_iov;
	gm->gm_hdr.msg_iovlen = 1;
	return (0);
}

/* The service's socket args[0], as a descriptor of ours. */
static int
guard_getfd(const struct guard *g, uint64_t fd)
{

	if (fd > INT32_MAX)
		return (-1);
	return ((int)syscall(SYS_pidfd_getfd, g->g_pidfd, (int)fd, 0));
}

/* Check and perform one guarded call; the result as the kernel's. */
static int64_t
guard_call(const struct guard *g, const struct seccomp_notif *req)
{
	struct guard_msg gm[GUARD_MAXMSG];
	struct mmsghdr mm[GUARD_MAXMSG];
	struct sockaddr_storage ss;
	struct iovec local, remote;
	struct msghdr m;
	const __u64 *a = req->data.args;
	pid_t tid = g->g_pid;	/* any thread's memory: they share it */
	unsigned int i, n;
	int64_t ret;
	char *buf;
	int error, fd;

	buf = NULL;
	n = 0;
	memset(gm, 0, sizeof(gm));
	switch (req->data.nr) {
	case SYS_connect:
		error = guard_addr(g, tid, a[1], a[2], &ss);
		break;
	case SYS_sendto:
		error = guard_addr(g, tid, a[4], a[5], &ss);
		if (error == 0 && a[2] > GUARD_MAXDATA)
			error = EMSGSIZE;
		if (error == 0 && (buf = malloc(a[2] + 1)) == NULL)
			error = ENOMEM;
		if (error == 0)
			error = guard_read(tid, buf, a[1], a[2]);
		break;
	case SYS_sendmsg:
		error = guard_read(tid, &m, a[1], sizeof(m));
		if (error == 0)
			error = guard_msg(g, tid, &m, &gm[0]);
		break;
	case SYS_sendmmsg:
		n = a[2] > GUARD_MAXMSG ? GUARD_MAXMSG : (unsigned int)a[2];
		error = guard_read(tid, mm, a[1], n * sizeof(mm[0]));
		for (i = 0; error == 0 && i < n; i++)
			error = guard_msg(g, tid, &mm[i].msg_hdr, &gm[i]);
		for (i = 0; error == 0 && i < n; i++) {
			mm[i].msg_hdr = gm[i].gm_hdr;
			mm[i].msg_len = 0;
		}
		break;
	default:
		error = ENOSYS;
		break;
	}
	/* The memory read belonged to the caller only if it is still there. */
	if (error == 0 && ioctl(g->g_notify, SECCOMP_IOCTL_NOTIF_ID_VALID,
	    &req->id) < 0)
		error = ESRCH;
	fd = -1;
	if (error == 0 && (fd = guard_getfd(g, a[0])) < 0)
		error = errno;
	ret = 0;
	if (error == 0) {
		switch (req->data.nr) {
		case SYS_connect:
			ret = connect(fd, (struct sockaddr *)&ss,
			    (socklen_t)a[2]);
			break;
		case SYS_sendto:
			ret = sendto(fd, buf, a[2], (int)a[3],
			    (struct sockaddr *)&ss, (socklen_t)a[5]);
			break;
		case SYS_sendmsg:
			ret = sendmsg(fd, &gm[0].gm_hdr, (int)a[2]);
			break;
		default:
			ret = sendmmsg(fd, mm, n, (int)a[3]);
			/* The lengths sent go back into the caller's array. */
			for (i = 0; ret > 0 && i < (unsigned int)ret; i++) {
				local.iov_base = &mm[i].msg_len;
				local.iov_len = sizeof(mm[i].msg_len);
				remote.iov_base = (void *)(uintptr_t)(a[1] +
				    i * sizeof(mm[0]) +
				    offsetof(struct mmsghdr, msg_len));
				remote.iov_len = sizeof(mm[i].msg_len);
				(void)process_vm_writev(tid, &local, 1,
				    &remote, 1, 0);
			}
			break;
		}
		if (ret < 0)
			error = errno;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	for (i = 0; i < GUARD_MAXMSG; i++)
		free(gm[i].gm_data);
	return (error != 0 ? -(int64_t)error : ret);
}

/*
 * seccomp: the supervisor opens, creates and runs nothing, signals no one,
 * and reads or takes descriptors of the service only.  (Not Landlock: a
 * Landlock domain may only inspect processes inside it, and the service's
 * domain is not.)  Reading the service's memory through its process id
 * covers every thread: they share the address space.
 */
static int
guard_seccomp(const struct guard *g)
{
	static const int refused[] = {
		SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2),
		SCMP_SYS(creat), SCMP_SYS(open_by_handle_at),
		SCMP_SYS(name_to_handle_at), SCMP_SYS(mkdir),
		SCMP_SYS(mkdirat), SCMP_SYS(mknod), SCMP_SYS(mknodat),
		SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rmdir),
		SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
		SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(symlink),
		SCMP_SYS(symlinkat), SCMP_SYS(chmod), SCMP_SYS(fchmodat),
		SCMP_SYS(chown), SCMP_SYS(lchown), SCMP_SYS(fchownat),
		SCMP_SYS(truncate), SCMP_SYS(chdir), SCMP_SYS(chroot),
		SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(execve),
		SCMP_SYS(execveat), SCMP_SYS(ptrace), SCMP_SYS(clone),
		SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(pidfd_open),
		SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(mount),
		SCMP_SYS(bpf), SCMP_SYS(io_uring_setup), SCMP_SYS(keyctl),
		SCMP_SYS(userfaultfd), SCMP_SYS(perf_event_open),
		SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(bind),
		SCMP_SYS(listen), SCMP_SYS(kill), SCMP_SYS(tkill),
		SCMP_SYS(tgkill), SCMP_SYS(rt_sigqueueinfo),
		SCMP_SYS(rt_tgsigqueueinfo), SCMP_SYS(pidfd_send_signal),
		SCMP_SYS(process_madvise), SCMP_SYS(kcmp),
	};
	scmp_filter_ctx ctx;
	size_t i;
	int r;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return (ENOMEM);
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), refused[i],
		    0);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(process_vm_readv), 1,
	    SCMP_A0(SCMP_CMP_NE, (uint64_t)g->g_pid, 0));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(process_vm_writev), 1,
	    SCMP_A0(SCMP_CMP_NE, (uint64_t)g->g_pid, 0));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(pidfd_getfd), 1,
	    SCMP_A0(SCMP_CMP_NE, (uint64_t)g->g_pidfd, 0));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return (r == 0 ? 0 : r < 0 ? -r : EINVAL);
}

/*
 * The notification descriptor, taken from the service by number: the
 * service cannot sendmsg(2) it, sendmsg being guarded by then.
 */
static int
guard_take_notify(const struct guard *g, int sock)
{
	int nfd;

	if (read(sock, &nfd, sizeof(nfd)) != sizeof(nfd)) {
		errno = EPROTO;
		return (-1);
	}
	return ((int)syscall(SYS_pidfd_getfd, g->g_pidfd, nfd, 0));
}

static void __attribute__((noreturn))
guard_main(struct guard *g, int sock)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct pollfd pfd[2];
	int status, keep[1];

	keep[0] = sock;
	(void)casper_close_fds(keep, 1);
	(void)prctl(PR_SET_NAME, "dns-guard", 0, 0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != g->g_pid)
		_exit(1);
	status = 0;
	if ((g->g_pidfd = (int)syscall(SYS_pidfd_open, g->g_pid, 0)) < 0 ||
	    (g->g_notify = guard_take_notify(g, sock)) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		status = errno != 0 ? errno : EPROTO;
	if (status == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		status = errno;
	if (status == 0)
		status = guard_seccomp(g);
	(void)write(sock, &status, sizeof(status));
	close(sock);
	if (status != 0)
		_exit(1);
	/* The kernel's structures may be larger than ours. */
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ?
	    sizes.seccomp_notif : sizeof(*req));
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ?
	    sizes.seccomp_notif_resp : sizeof(*resp));
	if (req == NULL || resp == NULL)
		_exit(1);
	for (;;) {
		/*
		 * Wait for a request or for the service to be gone: its
		 * pidfd becomes readable when it exits, which does not
		 * depend on the death signal (cleared by some credential
		 * changes) nor on the listener's hang-up (which waits for
		 * the service to be reaped).
		 */
		pfd[0].fd = g->g_notify;
		pfd[0].events = POLLIN;
		pfd[1].fd = g->g_pidfd;
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(0);
		}
		if (pfd[1].revents != 0 ||
		    (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0)
			_exit(0);
		if ((pfd[0].revents & POLLIN) == 0)
			continue;
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(g->g_notify, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno != EINTR && errno != ENOENT)
				_exit(0);
			/* ENOENT: the caller went away meanwhile. */
			continue;
		}
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		resp->val = guard_call(g, req);
		if (resp->val < 0) {
			resp->error = (int32_t)resp->val;
			resp->val = 0;
		}
		(void)ioctl(g->g_notify, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
}

int
dnsguard_start(void)
{
	struct guard g;
	scmp_filter_ctx ctx;
	pid_t pid;
	int sv[2], nfd, status, r;

	memset(&g, 0, sizeof(g));
	g.g_pid = getpid();
	guard_servers(&g);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return (errno);
	if ((pid = fork()) < 0) {
		r = errno;
		close(sv[0]);
		close(sv[1]);
		return (r);
	}
	if (pid == 0) {
		close(sv[0]);
		guard_main(&g, sv[1]);
	}
	close(sv[1]);
	/*
	 * The filter: the calls that carry a destination address.  sendto
	 * without one (a connected socket, whose peer the guard approved)
	 * and send/write pass.
	 */
	r = -ENOMEM;
	nfd = -1;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) != NULL) {
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(connect),
		    0);
		r |= seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendto),
		    1, SCMP_A4(SCMP_CMP_NE, 0, 0));
		r |= seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendmsg),
		    0);
		r |= seccomp_rule_add(ctx, SCMP_ACT_NOTIFY,
		    SCMP_SYS(sendmmsg), 0);
		if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			r = -errno;
		if (r == 0)
			r = seccomp_load(ctx);
		if (r == 0 && (nfd = seccomp_notify_fd(ctx)) < 0)
			r = nfd;
		seccomp_release(ctx);
	}
	status = r < 0 ? -r : r != 0 ? EINVAL : 0;
	if (status == 0 && write(sv[0], &nfd, sizeof(nfd)) != sizeof(nfd))
		status = errno;
	/* The supervisor says whether it is confined and serving. */
	if (status == 0 && read(sv[0], &status, sizeof(status)) !=
	    sizeof(status))
		status = EPROTO;
	if (nfd >= 0)
		close(nfd);
	close(sv[0]);
	if (status != 0) {
		kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
	}
	return (status);
}
