/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every right, every row of the policy table, against the live kernel.
 *
 * For each right a child limits one descriptor to all rights but that one,
 * enters capability mode and issues, with raw system calls, every call
 * the table says needs the right, with the row's argument conditions
 * satisfied: the kernel must answer ENOTCAPABLE.  The same call on an
 * unlimited descriptor must get past the filters (any other answer: the
 * pointer arguments are NULL and lengths 0, so calls fail harmlessly with
 * EFAULT or EINVAL or do nothing, the try-syscall technique).  Calls that
 * capability mode refuses outright must answer ECAPMODE on both.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/capsicum.h>

#include "capsicum/policy.h"
#include "harness.h"

static int
scratch(void)
{
	char path[] = "/tmp/capsicum-conf.XXXXXX";
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	return (fd);
}

/* Arguments for a row: the descriptor, other descriptors valid and
 * unlimited, the conditions met, everything else 0 (NULL). */
static void
row_args(const struct prow *row, int fd, int other, uint64_t a[6])
{
	unsigned int j;

	memset(a, 0, 6 * sizeof(*a));
	/* Descriptor-ish arguments of two-descriptor calls. */
	if (strcmp(row->pr_sys, "sendfile") == 0 ||
	    strcmp(row->pr_sys, "tee") == 0)
		a[0] = a[1] = (uint64_t)other;
	if (strcmp(row->pr_sys, "copy_file_range") == 0 ||
	    strcmp(row->pr_sys, "splice") == 0 ||
	    strcmp(row->pr_sys, "renameat") == 0 ||
	    strcmp(row->pr_sys, "renameat2") == 0 ||
	    strcmp(row->pr_sys, "linkat") == 0 ||
	    strcmp(row->pr_sys, "epoll_ctl") == 0)
		a[0] = a[2] = (uint64_t)other;
	if (strcmp(row->pr_sys, "mmap") == 0)
		a[3] = MAP_PRIVATE;
	if (strcmp(row->pr_sys, "symlinkat") == 0)
		a[1] = (uint64_t)other;
	for (j = 0; j < row->pr_ncond; j++) {
		const struct pcond *pc = &row->pr_cond[j];

		switch (pc->pc_op) {
		case PC_MASKED:
			a[pc->pc_arg] = (a[pc->pc_arg] & ~pc->pc_mask) |
			    pc->pc_value;
			break;
		case PC_EQ:
			a[pc->pc_arg] = pc->pc_value;
			break;
		case PC_NE:
		case PC_GT:
			a[pc->pc_arg] = pc->pc_value + 1;
			break;
		case PC_MASKED_NE:
			a[pc->pc_arg] = (a[pc->pc_arg] & ~pc->pc_mask) |
			    ((pc->pc_value + 1) & pc->pc_mask);
			break;
		default:
			a[pc->pc_arg] = pc->pc_value;
			break;
		}
	}
	a[row->pr_fd] = (uint64_t)fd;
}

/* Where the limited descriptor comes from. */
enum origin {
	LIMITED,	/* limited with cap_rights_limit() before cap_enter */
	DERIVED,	/* opened after cap_enter through a limited directory */
	ACCEPTED,	/* accepted after cap_enter on a limited listener */
	RECEIVED,	/* limited before cap_enter, then sent to itself over
			 * SCM_RIGHTS in capability mode and received back */
};

/* Send fd over a fresh socket pair, close it, receive it: the copy. */
static int
to_self(int fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m;
	struct iovec iov;
	int sv[2], got;
	char c = 'x';

	CHECK(raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv) == 0);
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
	memcpy(CMSG_DATA(&u.h), &fd, sizeof(int));
	CHECK(raw(SYS_sendmsg, sv[0], &m, 0) == 1);
	CHECK(raw(SYS_close, fd) == 0);
	memset(&u, 0, sizeof(u));
	m.msg_controllen = sizeof(u.b);
	CHECK(raw(SYS_recvmsg, sv[1], &m, 0) == 1);
	CHECK(u.h.cmsg_type == SCM_RIGHTS &&
	    u.h.cmsg_len == CMSG_LEN(sizeof(int)));
	memcpy(&got, CMSG_DATA(&u.h), sizeof(int));
	raw(SYS_close, sv[0]);
	raw(SYS_close, sv[1]);
	return (got);
}

struct job {
	uint64_t	right;
	uint32_t	fcntl;
	enum origin	origin;
	const char	*dir;		/* DERIVED: holds a file "f" */
};

/* A descriptor with rights r (and fcntl mask), obtained as `origin`
 * says; -1 if that origin cannot exist without the right (openat needs
 * CAP_LOOKUP, accept CAP_ACCEPT).  Enters capability mode. */
static int
limited_descriptor(const struct job *job, cap_rights_t *r)
{
	struct sockaddr_un sun;
	int fd, src, c;

	if (job->origin == LIMITED || job->origin == RECEIVED) {
		fd = scratch();
		CHECK(cap_rights_limit(fd, r) == 0);
		if (job->fcntl != 0)
			CHECK(cap_fcntls_limit(fd, CAP_FCNTL_ALL &
			    ~job->fcntl) == 0);
		capmode_enter();
		return (job->origin == RECEIVED ? to_self(fd) : fd);
	}
	if (job->origin == DERIVED) {
		if (job->right == CAP_LOOKUP)
			return (-1);
		/* Composite rights (CAP_MKDIRAT...) include CAP_LOOKUP,
		 * which the open itself needs: keep it, drop the rest. */
		cap_rights_set(r, CAP_LOOKUP);
		src = open(job->dir, O_RDONLY | O_DIRECTORY);
		CHECK(src >= 0);
		CHECK(cap_rights_limit(src, r) == 0);
		if (job->fcntl != 0)
			CHECK(cap_fcntls_limit(src, CAP_FCNTL_ALL &
			    ~job->fcntl) == 0);
		capmode_enter();
		/* Open it in a mode the rights allow; the filter checks
		 * rights before the kernel looks at the mode. */
		fd = (int)raw(SYS_openat, src, "f",
		    cap_rights_is_set(r, CAP_READ) ? O_RDONLY :
		    O_WRONLY | O_APPEND);
		CHECK(fd >= 0);
		return (fd);
	}
	if (job->right == CAP_ACCEPT)
		return (-1);
	src = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(src >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
	    "capsicum-conf-%d", (int)getpid());
	CHECK(bind(src, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(listen(src, 1) == 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(c >= 0 && connect(c, (struct sockaddr *)&sun,
	    sizeof(sun)) == 0);
	CHECK(cap_rights_limit(src, r) == 0);
	if (job->fcntl != 0)
		CHECK(cap_fcntls_limit(src, CAP_FCNTL_ALL & ~job->fcntl) == 0);
	capmode_enter();
	fd = (int)raw(SYS_accept, src, NULL, NULL);
	CHECK(fd >= 0);
	return (fd);
}

static void
check_right(void *arg)
{
	const struct job *job = arg;
	const struct prow *row;
	cap_rights_t r, drop;
	uint64_t a[6];
	unsigned int i, n;
	long res, ok;
	int lim, full;

	full = scratch();
	CAP_ALL(&r);
	if (job->right != 0) {
		CAP_NONE(&drop);
		drop.cr_rights[CAPIDXBIT(job->right) == 2 ? 1 : 0] |=
		    job->right;
		cap_rights_remove(&r, &drop);
	}
	capsicum_policy_init();
	if ((lim = limited_descriptor(job, &r)) < 0)
		_exit(0);	/* no such descriptor without the right */
	for (i = 0, n = 0; i < capsicum_policy_len; i++) {
		row = &capsicum_policy[i];
		if (row->pr_kind != PK_RIGHT || row->pr_right == PR_IOCTL_LIST)
			continue;
		if (job->fcntl != 0 ? row->pr_fcntl != job->fcntl :
		    (row->pr_right != job->right || row->pr_fcntl != 0))
			continue;
		/* Rows the other conditions of which clash with the
		 * descriptor position are covered elsewhere. */
		n++;
		row_args(row, lim, full, a);
		res = raw(capsicum_policy_rownr(i), a[0], a[1], a[2], a[3],
		    a[4], a[5]);
		row_args(row, full, full, a);
		ok = raw(capsicum_policy_rownr(i), a[0], a[1], a[2], a[3], a[4],
		    a[5]);
		if (!capsicum_policy_capmode_allows(row->pr_sys)) {
			if (res != -ECAPMODE || ok != -ECAPMODE) {
				dprintf(2, "%s (%s): %ld/%ld, want ECAPMODE\n",
				    row->pr_sys, row->pr_why, res, ok);
				_exit(1);
			}
			continue;
		}
		if (res != -ENOTCAPABLE) {
			dprintf(2, "%s without %s (%s): %ld, want ENOTCAPABLE\n",
			    row->pr_sys, capsicum_right_name(job->right),
			    row->pr_why, res);
			_exit(1);
		}
		if (ok == -ENOTCAPABLE || ok == -ECAPMODE) {
			dprintf(2, "%s with every right (%s): %ld\n",
			    row->pr_sys, row->pr_why, ok);
			_exit(1);
		}
	}
	CHECK(n > 0);
}

static void
run_jobs(enum origin origin)
{
	struct job jobs[128];
	unsigned int i, j, n;
	const struct prow *row;
	char *dir, path[512];
	int fd;

	dir = test_tmpdir();
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_CREAT | O_RDWR, 0666);
	cr_assert(fd >= 0 && fchmod(fd, 0666) == 0 && chmod(dir, 0777) == 0);
	close(fd);
	n = 0;
	for (i = 0; i < capsicum_policy_len; i++) {
		row = &capsicum_policy[i];
		if (row->pr_kind != PK_RIGHT || row->pr_right == PR_IOCTL_LIST)
			continue;
		struct job jb = { row->pr_fcntl != 0 ? 0 : row->pr_right,
		    row->pr_fcntl, origin, dir };
		for (j = 0; j < n; j++) {
			if (jobs[j].right == jb.right && jobs[j].fcntl == jb.fcntl)
				break;
		}
		if (j == n && n < 128)
			jobs[n++] = jb;
	}
	cr_assert_gt(n, 40);
	for (i = 0; i < n; i++) {
		int st = run_child(check_right, &jobs[i]);

		SKIP_IF_SKIPPED(st);
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "right %s (fcntl bit %#x): child %s %d",
		    capsicum_right_name(jobs[i].right), jobs[i].fcntl,
		    WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
	test_rmtree(dir);
	free(dir);
}

Test(conformance, every_row_of_every_right, .timeout = 120)
{
	run_jobs(LIMITED);
}

/* The same for a file opened through a directory limited to all rights
 * but one: it has exactly those rights (the broker). */
Test(conformance, derived_through_openat, .timeout = 120)
{
	run_jobs(DERIVED);
}

/* The same for a connection accepted on a listener limited to all rights
 * but one. */
Test(conformance, derived_through_accept, .timeout = 120)
{
	run_jobs(ACCEPTED);
}

/* The same for a descriptor limited to all rights but one, sent to itself
 * over SCM_RIGHTS in capability mode (its own copy closed meanwhile) and
 * received back: the copy has exactly those rights (the broker). */
Test(conformance, received_over_scm_rights, .timeout = 120)
{
	run_jobs(RECEIVED);
}
