/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sandbox of a service process (the Linux contract of
 * <libcasper_service.h>).
 *
 * CASPER_SANDBOX_CAPMODE is libcapsicum's cap_enter().  Anything else is
 * a Landlock domain plus a seccomp filter:
 *
 *  - Landlock handles every file-system right the kernel knows: sb_read
 *    paths are readable, sb_write paths readable and writable, nothing
 *    else.  TCP bind and connect are handled too: refused, except connect
 *    to port 53 with CASPER_SANDBOX_DNS; CASPER_SANDBOX_INET leaves TCP
 *    alone.  Signals and abstract unix sockets are scoped to the domain.
 *    Without Landlock the service does not start (fail closed): its
 *    cap_service_open() fails with the error.  Rights newer than the
 *    running ABI are left out (best effort up to ABI 7).
 *  - seccomp refuses what Landlock cannot see (list in build_filter()),
 *    kills foreign-architecture system calls (ia32, x32), and refuses
 *    socket() except AF_INET/AF_INET6 datagram or stream sockets when the
 *    service needs the network.  A service never creates unix sockets:
 *    Landlock ABI 7 cannot stop a connect to a pathname socket.
 *
 * Attachments live in a list of their own, looked up by name when a
 * service starts, so service_sandbox() works whatever the order of the
 * constructors.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <netinet/in.h>

#include <seccomp.h>

#include <sys/capsicum.h>

#include "casper_impl.h"

/* Landlock uapi, spelled out: the build headers may predate ABI 7. */
struct cll_ruleset_attr {
	uint64_t	fs;
	uint64_t	net;
	uint64_t	scoped;
};
struct cll_path_beneath {
	uint64_t	allowed;
	int32_t		parent_fd;
} __attribute__((packed));
struct cll_net_port {
	uint64_t	allowed;
	uint64_t	port;
};
#define	CLL_VERSION		(1U << 0)
#define	CLL_RULE_PATH		1
#define	CLL_RULE_NET		2
#define	CLL_FS_EXECUTE		(1ULL << 0)
#define	CLL_FS_WRITE_FILE	(1ULL << 1)
#define	CLL_FS_READ_FILE	(1ULL << 2)
#define	CLL_FS_READ_DIR		(1ULL << 3)
#define	CLL_FS_REMOVE_DIR	(1ULL << 4)
#define	CLL_FS_REMOVE_FILE	(1ULL << 5)
#define	CLL_FS_MAKE_CHAR	(1ULL << 6)
#define	CLL_FS_MAKE_DIR		(1ULL << 7)
#define	CLL_FS_MAKE_REG		(1ULL << 8)
#define	CLL_FS_MAKE_SOCK	(1ULL << 9)
#define	CLL_FS_MAKE_FIFO	(1ULL << 10)
#define	CLL_FS_MAKE_BLOCK	(1ULL << 11)
#define	CLL_FS_MAKE_SYM		(1ULL << 12)
#define	CLL_FS_REFER		(1ULL << 13)
#define	CLL_FS_TRUNCATE		(1ULL << 14)
#define	CLL_FS_IOCTL_DEV	(1ULL << 15)
#define	CLL_NET_BIND_TCP	(1ULL << 0)
#define	CLL_NET_CONNECT_TCP	(1ULL << 1)
#define	CLL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)
#define	CLL_SCOPE_SIGNAL	(1ULL << 1)

#define	CLL_READ		(CLL_FS_READ_FILE | CLL_FS_READ_DIR)
#define	CLL_WRITE		(CLL_READ | CLL_FS_WRITE_FILE |		\
	CLL_FS_REMOVE_DIR | CLL_FS_REMOVE_FILE | CLL_FS_MAKE_DIR |	\
	CLL_FS_MAKE_REG | CLL_FS_MAKE_SYM | CLL_FS_MAKE_FIFO |		\
	CLL_FS_REFER | CLL_FS_TRUNCATE)
/* What a rule on a file (not a directory) may carry. */
#define	CLL_FILE_RIGHTS		(CLL_FS_EXECUTE | CLL_FS_WRITE_FILE |	\
	CLL_FS_READ_FILE | CLL_FS_TRUNCATE | CLL_FS_IOCTL_DEV)

static const struct casper_sandbox capmode_sandbox = {
	.sb_flags = CASPER_SANDBOX_CAPMODE,
};

struct attachment {
	struct attachment		*a_next;
	char				*a_name;
	const struct casper_sandbox	*a_sb;
};
static struct attachment *attachments;

int
service_sandbox(const char *name, const struct casper_sandbox *sb)
{
	struct attachment *a;

	if (name == NULL || name[0] == '\0' || sb == NULL ||
	    (sb->sb_flags & ~(uint64_t)(CASPER_SANDBOX_CAPMODE |
	    CASPER_SANDBOX_DNS | CASPER_SANDBOX_INET |
	    CASPER_SANDBOX_DEFERRED)) != 0) {
		errno = EINVAL;
		return (-1);
	}
	for (a = attachments; a != NULL; a = a->a_next) {
		if (strcmp(a->a_name, name) == 0) {
			errno = EEXIST;
			return (-1);
		}
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (-1);
	if ((a->a_name = strdup(name)) == NULL) {
		free(a);
		return (-1);
	}
	a->a_sb = sb;
	a->a_next = attachments;
	attachments = a;
	return (0);
}

const struct casper_sandbox *
casper_sandbox_of(const char *service_name)
{
	const struct attachment *a;

	if (casper_service_find(service_name) == NULL) {
		errno = ENOENT;
		return (NULL);
	}
	for (a = attachments; a != NULL; a = a->a_next)
		if (strcmp(a->a_name, service_name) == 0)
			return (a->a_sb);
	return (&capmode_sandbox);
}

static int
landlock_abi(void)
{
	long abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, CLL_VERSION);
	return (abi < 0 ? -errno : (int)abi);
}

static int
add_path(int rs, const char *path, uint64_t access, uint64_t handled)
{
	struct cll_path_beneath pb;
	struct stat st;
	int fd, error;

	if (path == NULL || path[0] != '/')
		return (EINVAL);
	if ((fd = open(path, O_PATH | O_CLOEXEC)) < 0) {
		/* A path this system lacks grants nothing and is no error. */
		return (errno == ENOENT || errno == ENOTDIR ? 0 : errno);
	}
	if (fstat(fd, &st) < 0) {
		error = errno;
		(void)close(fd);
		return (error);
	}
	if (!S_ISDIR(st.st_mode))
		access &= CLL_FILE_RIGHTS;
	pb.allowed = access & handled;
	pb.parent_fd = fd;
	error = 0;
	if (pb.allowed != 0 &&
	    syscall(SYS_landlock_add_rule, rs, CLL_RULE_PATH, &pb, 0) < 0)
		error = errno;
	(void)close(fd);
	return (error);
}

/*
 * Build and enter the Landlock domain.  full: the whole policy; otherwise
 * only the scopes (the baseline of a DEFERRED service, which adds its
 * file and network rules itself later).
 */
int
casper_sandbox_landlock(const struct casper_sandbox *sb, bool full)
{
	struct cll_ruleset_attr attr;
	struct cll_net_port np;
	const char *const *p;
	size_t size;
	int abi, rs, error;

	if ((abi = landlock_abi()) < 0)
		return (-abi);		/* fail closed: ENOSYS, EOPNOTSUPP */
	memset(&attr, 0, sizeof(attr));
	if (full) {
		attr.fs = CLL_FS_EXECUTE | CLL_FS_WRITE_FILE |
		    CLL_FS_READ_FILE | CLL_FS_READ_DIR | CLL_FS_REMOVE_DIR |
		    CLL_FS_REMOVE_FILE | CLL_FS_MAKE_CHAR | CLL_FS_MAKE_DIR |
		    CLL_FS_MAKE_REG | CLL_FS_MAKE_SOCK | CLL_FS_MAKE_FIFO |
		    CLL_FS_MAKE_BLOCK | CLL_FS_MAKE_SYM;
		if (abi >= 2)
			attr.fs |= CLL_FS_REFER;
		if (abi >= 3)
			attr.fs |= CLL_FS_TRUNCATE;
		if (abi >= 5)
			attr.fs |= CLL_FS_IOCTL_DEV;
		if (abi >= 4 && (sb->sb_flags & CASPER_SANDBOX_INET) == 0)
			attr.net = CLL_NET_BIND_TCP | CLL_NET_CONNECT_TCP;
	} else {
		/*
		 * The baseline of a DEFERRED service: already refuse what
		 * its full sandbox never grants anywhere (add_path grants
		 * none of these), so the layers agree.  Reading and writing
		 * files stays open until the service confines itself.
		 */
		attr.fs = CLL_FS_EXECUTE | CLL_FS_MAKE_CHAR |
		    CLL_FS_MAKE_BLOCK | CLL_FS_MAKE_SOCK;
		if (abi >= 5)
			attr.fs |= CLL_FS_IOCTL_DEV;
		if (abi >= 4 && (sb->sb_flags & CASPER_SANDBOX_INET) == 0)
			attr.net = CLL_NET_BIND_TCP | CLL_NET_CONNECT_TCP;
	}
	if (abi >= 6)
		attr.scoped = CLL_SCOPE_ABSTRACT_UNIX | CLL_SCOPE_SIGNAL;
	if (attr.fs == 0 && attr.net == 0 && attr.scoped == 0)
		return (0);	/* a scope-only baseline on ABI < 6 */
	size = abi >= 6 ? sizeof(attr) : abi >= 4 ? 16 : 8;
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size,
	    0)) < 0)
		return (errno);
	error = 0;
	for (p = full ? sb->sb_read : NULL; p != NULL && *p != NULL &&
	    error == 0; p++)
		error = add_path(rs, *p, CLL_READ, attr.fs);
	for (p = full ? sb->sb_write : NULL; p != NULL && *p != NULL &&
	    error == 0; p++)
		error = add_path(rs, *p, CLL_WRITE, attr.fs);
	if (error == 0 && attr.net != 0 &&
	    (sb->sb_flags & CASPER_SANDBOX_DNS) != 0) {
		np.allowed = CLL_NET_CONNECT_TCP;
		np.port = 53;
		if (syscall(SYS_landlock_add_rule, rs, CLL_RULE_NET, &np,
		    0) < 0)
			error = errno;
	}
	if (error == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		error = errno;
	if (error == 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		error = errno;
	(void)close(rs);
	return (error);
}

/* System calls no service needs, and that Landlock does not cover. */
static const int refused[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace),
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root),
	SCMP_SYS(chroot), SCMP_SYS(fsopen), SCMP_SYS(fsconfig),
	SCMP_SYS(fsmount), SCMP_SYS(fspick), SCMP_SYS(move_mount),
	SCMP_SYS(open_tree), SCMP_SYS(mount_setattr), SCMP_SYS(unshare),
	SCMP_SYS(setns), SCMP_SYS(bpf), SCMP_SYS(perf_event_open),
	SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
	SCMP_SYS(io_uring_register), SCMP_SYS(init_module),
	SCMP_SYS(finit_module), SCMP_SYS(delete_module),
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(reboot),
	SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(pidfd_open),
	SCMP_SYS(pidfd_getfd), SCMP_SYS(open_by_handle_at),
	SCMP_SYS(name_to_handle_at), SCMP_SYS(userfaultfd),
	SCMP_SYS(personality), SCMP_SYS(acct), SCMP_SYS(quotactl),
};

#define	NS_FLAGS	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |	\
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |	\
	CLONE_NEWTIME)

#define	DENY	SCMP_ACT_ERRNO(EPERM)

/*
 * socket(): only AF_INET or AF_INET6, SOCK_STREAM or SOCK_DGRAM (with
 * SOCK_NONBLOCK, SOCK_CLOEXEC), protocol 0, TCP or UDP; everything else
 * refused.  libseccomp compares one argument once per rule, so the
 * complement is spelled out as ranges and single values.
 */
static int
socket_rules(scmp_filter_ctx ctx)
{
	const uint64_t keep = SOCK_NONBLOCK | SOCK_CLOEXEC | 3;
	int r, v, bit;

	r = seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_LT, AF_INET));
	r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_GT, AF_INET6));
	for (v = AF_INET + 1; v < AF_INET6; v++)
		r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ, (uint64_t)v));
	/* Type: low two bits 1 or 2, no bit beyond the two flags. */
	r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
	    SCMP_A1(SCMP_CMP_MASKED_EQ, 3, 0));
	r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
	    SCMP_A1(SCMP_CMP_MASKED_EQ, 3, 3));
	for (bit = 2; bit < 64; bit++) {
		if ((keep & (1ULL << bit)) != 0)
			continue;
		r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 1ULL << bit, 1ULL << bit));
	}
	/* Protocol 0, IPPROTO_TCP or IPPROTO_UDP (no MPTCP, SCTP, ...). */
	r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
	    SCMP_A2(SCMP_CMP_GT, IPPROTO_UDP));
	for (v = 1; v < IPPROTO_UDP; v++)
		if (v != IPPROTO_TCP)
			r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
			    SCMP_A2(SCMP_CMP_EQ, (uint64_t)v));
	return (r);
}

static int
seccomp_enter(const struct casper_sandbox *sb)
{
	scmp_filter_ctx ctx;
	size_t i;
	int r, bit;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return (ENOMEM);
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS);
	r |= seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		r |= seccomp_rule_add(ctx, DENY, refused[i], 0);
	/* clone3 hides its flags in memory: ENOSYS makes libc use clone. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0);
	for (bit = 0; bit < 64; bit++) {
		if ((NS_FLAGS & (1ULL << bit)) == 0)
			continue;
		r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, 1ULL << bit, 1ULL << bit));
	}
	if ((sb->sb_flags & (CASPER_SANDBOX_DNS | CASPER_SANDBOX_INET)) != 0)
		r |= socket_rules(ctx);
	else
		r |= seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return (r == 0 ? 0 : (r < 0 ? -r : EINVAL));
}

/* Set by fuzz/casper_service.c only; never by the library. */
bool casper_sandbox_fuzzing;

int
casper_sandbox_enter(const struct casper_sandbox *sb)
{
	int error;

	if (sb == NULL) {
		errno = EINVAL;
		return (-1);
	}
	/*
	 * The fuzzer confines itself once, more tightly than any service;
	 * limit functions that confine their service (DEFERRED) would
	 * otherwise stack a layer per input and lock the fuzzer out of its
	 * corpus.
	 */
	if (casper_sandbox_fuzzing)
		return (0);
	if ((sb->sb_flags & CASPER_SANDBOX_CAPMODE) != 0)
		return (cap_enter());
	/* Landlock binds threads one by one: no watcher meanwhile. */
	casper_watcher_pause();
	if ((error = casper_sandbox_landlock(sb, true)) == 0)
		error = seccomp_enter(sb);
	casper_watcher_resume();
	if (error != 0) {
		errno = error;
		return (-1);
	}
	return (0);
}

int
casper_sandbox_baseline(const struct casper_sandbox *sb)
{
	int error;

	if ((error = casper_sandbox_landlock(sb, false)) == 0)
		error = seccomp_enter(sb);
	return (error);
}

int
casper_service_confine(const char *service_name)
{
	const struct casper_sandbox *sb;
	int error;

	if ((sb = casper_sandbox_of(service_name)) == NULL)
		return (errno);
	errno = 0;
	if (sb->sb_prepare != NULL && (error = sb->sb_prepare()) != 0)
		return (error > 0 ? error : errno != 0 ? errno : EINVAL);
	if ((sb->sb_flags & CASPER_SANDBOX_DEFERRED) != 0 &&
	    (sb->sb_flags & CASPER_SANDBOX_CAPMODE) == 0)
		return (casper_sandbox_baseline(sb));
	if (casper_sandbox_enter(sb) != 0)
		return (errno);
	return (0);
}
