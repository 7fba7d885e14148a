/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Filter M, the capability-mode allowlist, compiled from the policy table
 * with libseccomp (binary-tree dispatch on the syscall number).  libseccomp
 * takes milliseconds, so the library build runs this once per variant
 * (trap mode or not) and links the programs in
 * (mk/gen-capmode.c), after bpfshrink.c has made it smaller; cap_enter()
 * only patches the probe's value in a copy.
 * Filter R is emit.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <linux/seccomp.h>

#include <seccomp.h>

#include "capsicum_impl.h"
#include "filter.h"
#include "policy.h"
#include "sys.h"

#define	MAX_CMP		6

struct builder {
	scmp_filter_ctx	ctx;
	const struct capsicum_filter_in *in;
	pid_t		self;
	int		error;
	const char	*what;		/* row being compiled, for errors */
};

static uint32_t
act_refuse(const struct builder *b, int err)
{

	/* libseccomp takes no data with TRAP: the SIGSYS handler works out
	 * the errno again from the table (verdict.c). */
	return (b->in->fi_trap ? SCMP_ACT_TRAP : SCMP_ACT_ERRNO((uint32_t)err));
}

static void
add_cmp(struct scmp_arg_cmp *c, unsigned int *n, const struct pcond *pc,
    pid_t self)
{
	uint64_t v;

	v = pc->pc_value == PV_SELF_PID ? (uint64_t)self : pc->pc_value;
	c[*n].arg = pc->pc_arg;
	c[*n].datum_a = v;
	c[*n].datum_b = 0;
	switch (pc->pc_op) {
	case PC_MASKED:
		c[*n].op = SCMP_CMP_MASKED_EQ;
		c[*n].datum_a = pc->pc_mask;
		c[*n].datum_b = v;
		break;
	case PC_EQ:
		c[*n].op = SCMP_CMP_EQ;
		break;
	case PC_NE:
		c[*n].op = SCMP_CMP_NE;
		break;
	case PC_GT:
		c[*n].op = SCMP_CMP_GT;
		break;
	case PC_LE:
		c[*n].op = SCMP_CMP_LE;
		break;
	case PC_GE:
		c[*n].op = SCMP_CMP_GE;
		break;
	case PC_ANY:
	case PC_MASKED_NE:
		/* Not expressible as one libseccomp comparison; the table
		 * check keeps it out of filter M's rows. */
		abort();
	}
	(*n)++;
}

static void
rule(struct builder *b, uint32_t action, int nr, const struct scmp_arg_cmp *c,
    unsigned int n)
{
	int r;

	if (b->error != 0 || nr < 0)
		return;
	r = seccomp_rule_add_exact_array(b->ctx, action, nr, n, c);
	/* EEXIST: an identical rule is already there (rows may overlap). */
	if (r != 0 && r != -EEXIST) {
		fprintf(stderr, "capsicum: filter rule for %s (nr %d): %s\n",
		    b->what, nr, strerror(-r));
		b->error = r;
	}
}

/* Does this row apply under the build's Landlock situation? */
/* ---------------------------------------------------------------------
 * M: the capability-mode allowlist.
 */
static void
build_capmode(struct builder *b)
{
	struct scmp_arg_cmp c[MAX_CMP];
	const struct prow *row;
	unsigned int i, j, n;
	int nr;

	for (i = 0; i < capsicum_policy_len && b->error == 0; i++) {
		row = &capsicum_policy[i];
		b->what = row->pr_sys;
		nr = capsicum_policy_sysnr_slow(row);
		n = 0;
		switch (row->pr_kind) {
		case PK_ALLOW:
			rule(b, SCMP_ACT_ALLOW, nr, c, 0);
			break;
		case PK_ALLOW_IF:
			for (j = 0; j < row->pr_ncond; j++)
				add_cmp(c, &n, &row->pr_cond[j], b->self);
			rule(b, SCMP_ACT_ALLOW, nr, c, n);
			break;
		case PK_ENOSYS:
			rule(b, SCMP_ACT_ERRNO(ENOSYS), nr, c, 0);
			break;
		default:
			break;
		}
	}
	b->what = "probe";
	rule(b, SCMP_ACT_ERRNO(CAPSICUM_PROBE_BASE + b->in->fi_layers),
	    CAPSICUM_PROBE_NR, c, 0);
}

/* ---------------------------------------------------------------------
 * Build, export, load.
 */
int
capsicum_mfilter_build(const struct capsicum_filter_in *in,
    struct sock_fprog *prog)
{
	struct builder b;
	struct stat st;
	void *buf;
	long mfd;
	int r;

	memset(&b, 0, sizeof(b));
	memset(prog, 0, sizeof(*prog));
	b.in = in;
	b.self = in->fi_self;
	b.ctx = seccomp_init(act_refuse(&b, ECAPMODE));
	if (b.ctx == NULL)
		return (-ENOMEM);
	/* Binary-tree dispatch on the syscall number; a foreign
	 * architecture (ia32 via int $0x80) is refused like a forbidden
	 * call.  Only x86_64 is added, so x32 numbers match no rule. */
	if ((r = seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) != 0 ||
	    (r = seccomp_attr_set(b.ctx, SCMP_FLTATR_ACT_BADARCH,
	    act_refuse(&b, ECAPMODE))) != 0 ||
	    (r = seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_NNP, 0)) != 0)
		goto out;
	build_capmode(&b);
	if ((r = b.error) != 0)
		goto out;
	mfd = RAW2(SYS_memfd_create, "capsicum-bpf", MFD_CLOEXEC);
	if (mfd < 0) {
		r = (int)mfd;
		goto out;
	}
	r = seccomp_export_bpf(b.ctx, (int)mfd);
	if (r == 0 && RAW2(SYS_fstat, mfd, &st) < 0)
		r = -EIO;
	if (r == 0) {
		buf = malloc((size_t)st.st_size);
		if (buf == NULL)
			r = -ENOMEM;
		else if (RAW4(SYS_pread64, mfd, buf, st.st_size, 0) !=
		    st.st_size) {
			free(buf);
			r = -EIO;
		} else {
			prog->filter = buf;
			prog->len = (unsigned short)(st.st_size /
			    (off_t)sizeof(struct sock_filter));
			if (st.st_size / (off_t)sizeof(struct sock_filter) >
			    BPF_MAXINSNS) {
				fprintf(stderr, "capsicum: filter of %lld "
				    "instructions exceeds the kernel's %d\n",
				    (long long)(st.st_size /
				    (off_t)sizeof(struct sock_filter)),
				    BPF_MAXINSNS);
				capsicum_filter_free(prog);
				r = -E2BIG;
			}
		}
	}
	RAW1(SYS_close, mfd);
out:
	seccomp_release(b.ctx);
	return (r);
}

/*
 * Install on every thread of the process (TSYNC).  The kernel answers
 * with a thread id if some thread's filters diverged; we report EBUSY.
 */
int
capsicum_filter_load(const struct sock_fprog *prog)
{
	long r;

	r = RAW3(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_TSYNC, prog);
	if (r > 0)
		return (-EBUSY);
	return ((int)r);
}

/* Build-time copies (build/gen/capmode_bpf.c), indexed [trap][scope].
 * Weak: the generator itself links this file without them. */
extern const struct sock_filter *const capsicum_mvariant[2]
    __attribute__((weak));
extern const unsigned short capsicum_mvariant_len[2]
    __attribute__((weak));

/* A copy of a build-time program, with the pid written where it goes. */
static int
template_copy(const struct sock_filter *src, unsigned int n,
    const unsigned short *pid_at, unsigned int npid, pid_t self,
    struct sock_fprog *prog)
{
	struct sock_filter *f;
	unsigned int i;

	if ((f = malloc(n * sizeof(*f))) == NULL)
		return (-ENOMEM);
	memcpy(f, src, n * sizeof(*f));
	for (i = 0; i < npid; i++)
		f[pid_at[i]].k = (uint32_t)self;
	prog->filter = f;
	prog->len = (unsigned short)n;
	return (0);
}

void
capsicum_filter_set_layers(struct sock_fprog *prog, unsigned int layers)
{
	uint32_t probe;
	unsigned int i;

	probe = SECCOMP_RET_ERRNO | (CAPSICUM_PROBE_BASE +
	    CAPSICUM_LAYERS_SENTINEL);
	for (i = 0; i < prog->len; i++) {
		if (prog->filter[i].code == (BPF_RET | BPF_K) &&
		    prog->filter[i].k == probe)
			prog->filter[i].k = SECCOMP_RET_ERRNO |
			    (CAPSICUM_PROBE_BASE + layers);
	}
}

int
capsicum_mfilter_get(const struct capsicum_filter_in *in,
    struct sock_fprog *prog)
{
	const struct sock_filter *src;
	unsigned int n;
	int r;

	if (capsicum_mvariant == NULL)
		return (capsicum_mfilter_build(in, prog));
	src = capsicum_mvariant[in->fi_trap];
	n = capsicum_mvariant_len[in->fi_trap];
	if (src == NULL || n == 0)
		return (capsicum_mfilter_build(in, prog));
	if ((r = template_copy(src, n, NULL, 0, 0, prog)) != 0)
		return (r);
	capsicum_filter_set_layers(prog, in->fi_layers);
	return (0);
}

extern const struct sock_filter *const capsicum_rtemplate
    __attribute__((weak));
extern const unsigned short capsicum_rtemplate_len __attribute__((weak));
extern const unsigned short capsicum_rtemplate_pid[] __attribute__((weak));
extern const unsigned int capsicum_rtemplate_npid __attribute__((weak));

/* Nothing limited: the bookkeeping numbers alone, protected. */
static bool
rtemplate_fits(const struct capsicum_filter_in *in)
{
	static const uint32_t want[] = { CAPSICUM_RTEMPLATE_FDS };
	const struct capsicum_target *t;
	unsigned int i;

	/* A pid that could equal a constant of the signal rows (0, -1)
	 * might shape the program differently. */
	if (!in->fi_global || in->fi_trap || in->fi_nobroker ||
	    in->fi_ntargets != CAPSICUM_RTEMPLATE_NFDS || in->fi_self <= 255 ||
	    &capsicum_rtemplate == NULL || &capsicum_rtemplate_len == NULL ||
	    &capsicum_rtemplate_npid == NULL || capsicum_rtemplate_len == 0)
		return (false);
	/* In this order: the emitter's rules follow the targets'. */
	for (i = 0; i < CAPSICUM_RTEMPLATE_NFDS; i++) {
		t = &in->fi_targets[i];
		if (!t->t_protected || t->t_prof != NULL ||
		    t->t_mask != 0xFFFFFFFFU || t->t_value != want[i])
			return (false);
	}
	return (true);
}

int
capsicum_rfilter_get(const struct capsicum_filter_in *in,
    struct sock_fprog *prog)
{

	if (!rtemplate_fits(in))
		return (capsicum_rfilter_build(in, prog));
	return (template_copy(capsicum_rtemplate, capsicum_rtemplate_len,
	    capsicum_rtemplate_pid, capsicum_rtemplate_npid, in->fi_self,
	    prog));
}

extern const struct sock_filter *const capsicum_mrtemplate
    __attribute__((weak));
extern const unsigned short capsicum_mrtemplate_len __attribute__((weak));
extern const unsigned short capsicum_mrtemplate_pid[] __attribute__((weak));
extern const unsigned int capsicum_mrtemplate_npid __attribute__((weak));

int
capsicum_mrfilter_get(const struct capsicum_filter_in *in,
    struct sock_fprog *prog)
{
	int r;

	if (!rtemplate_fits(in) || &capsicum_mrtemplate == NULL ||
	    &capsicum_mrtemplate_len == NULL ||
	    &capsicum_mrtemplate_npid == NULL || capsicum_mrtemplate_len == 0)
		return (-ENOTSUP);
	if ((r = template_copy(capsicum_mrtemplate, capsicum_mrtemplate_len,
	    capsicum_mrtemplate_pid, capsicum_mrtemplate_npid, in->fi_self,
	    prog)) != 0)
		return (r);
	capsicum_filter_set_layers(prog, in->fi_layers);
	return (0);
}

void
capsicum_filter_free(struct sock_fprog *prog)
{

	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}
