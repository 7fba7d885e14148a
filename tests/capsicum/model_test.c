/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The compiled filters against the C model of the policy table.
 *
 * Filter M (libseccomp, build time) and filter R (emit.c, cap_enter time)
 * are run in a BPF interpreter on many system calls with arguments drawn
 * from interesting values (limited descriptor numbers, band slots,
 * AT_FDCWD, flags, high bits), combined the way the kernel combines
 * stacked filters, and compared with verdict.c, which the SIGSYS handler
 * trusts to explain every trap.  No kernel filter is installed here.
 * The bpf_shrink tests compare M as libseccomp emits it with the
 * smaller program bpfshrink.c makes of it, which is what is installed;
 * the bpf_optimize tests do the same for bpfopt.c's pass over M and R.
 */
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <sys/capsicum.h>

#include <seccomp.h>

#include "capsicum/broker.h"
#include "capsicum/fdtable.h"
#include "capsicum/filter.h"
#include "capsicum/policy.h"
#include "capsicum/verdict.h"
#include "harness.h"

/* A classic-BPF interpreter for seccomp programs. */
static uint32_t
bpf_run(const struct sock_fprog *p, const struct seccomp_data *d)
{
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 }, k;
	const struct sock_filter *f;
	unsigned int pc;
	bool t;

	for (pc = 0; pc < p->len; pc++) {
		f = &p->filter[pc];
		k = f->k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS) {
				cr_assert(k % 4 == 0 && k < sizeof(*d));
				memcpy(&A, (const char *)d + k, 4);
			} else if (BPF_MODE(f->code) == BPF_IMM) {
				A = k;
			} else if (BPF_MODE(f->code) == BPF_MEM) {
				A = M[k];
			} else {
				cr_assert_fail("ld mode %#x", f->code);
			}
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				X = k;
			else if (BPF_MODE(f->code) == BPF_MEM)
				X = M[k];
			else
				cr_assert_fail("ldx mode %#x", f->code);
			break;
		case BPF_ST:
			M[k] = A;
			break;
		case BPF_STX:
			M[k] = X;
			break;
		case BPF_ALU: {
			uint32_t v = BPF_SRC(f->code) == BPF_X ? X : k;

			switch (BPF_OP(f->code)) {
			case BPF_ADD: A += v; break;
			case BPF_SUB: A -= v; break;
			case BPF_MUL: A *= v; break;
			case BPF_DIV: A = v ? A / v : 0; break;
			case BPF_OR: A |= v; break;
			case BPF_AND: A &= v; break;
			case BPF_LSH: A <<= v; break;
			case BPF_RSH: A >>= v; break;
			case BPF_NEG: A = -A; break;
			default: cr_assert_fail("alu %#x", f->code);
			}
			break;
		}
		case BPF_JMP: {
			uint32_t v = BPF_SRC(f->code) == BPF_X ? X : k;

			if (BPF_OP(f->code) == BPF_JA) {
				pc += k;
				break;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ: t = A == v; break;
			case BPF_JGT: t = A > v; break;
			case BPF_JGE: t = A >= v; break;
			case BPF_JSET: t = (A & v) != 0; break;
			default: cr_assert_fail("jmp %#x", f->code); t = false;
			}
			pc += t ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return (BPF_RVAL(f->code) == BPF_A ? A : k);
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				X = A;
			else
				A = X;
			break;
		}
	}
	cr_assert_fail("fell off the program");
	return (0);
}

/* The kernel's combination: lowest action wins; on a tie, the newest
 * filter (M, installed last). */
static uint32_t
combine(uint32_t newest, uint32_t older)
{
	int32_t a = (int32_t)(newest & SECCOMP_RET_ACTION_FULL);
	int32_t b = (int32_t)(older & SECCOMP_RET_ACTION_FULL);

	return (b < a ? older : newest);
}

struct world {
	const struct capsicum_profile *ro, *wo, *dir, *tty, *none;
	int	fds[16];
	int	nfds;
};

static void
make_world(struct world *w)
{
	cap_rights_t r;
	cap_ioctl_t tty[] = { TCGETS, TIOCGWINSZ, FIONREAD };
	struct capsicum_band *b;

	memset(&capsicum_cs, 0, sizeof(capsicum_cs));
	capsicum_cs.cs_ph = 900;
	capsicum_cs.cs_statefd = 902;
	capsicum_cs.cs_pid = 4242;
	capsicum_cs.cs_band_next = 256;
	cap_rights_init(&r, CAP_READ, CAP_SEEK, CAP_FSTAT, CAP_MMAP_R);
	w->ro = capsicum_profile_intern(&r, 0, 0, NULL);
	cap_rights_init(&r, CAP_WRITE, CAP_EVENT, CAP_FCNTL, CAP_IOCTL);
	w->wo = capsicum_profile_intern(&r, CAP_FCNTL_GETFL, 0, NULL);
	cap_rights_init(&r, CAP_LOOKUP, CAP_READ, CAP_FSTAT, CAP_CREATE,
	    CAP_WRITE);
	w->dir = capsicum_profile_intern(&r, 0, 0, NULL);
	cap_rights_init(&r, CAP_READ, CAP_WRITE, CAP_IOCTL, CAP_FCNTL);
	w->tty = capsicum_profile_intern(&r, CAP_FCNTL_ALL, 3, tty);
	cap_rights_init(&r);
	w->none = capsicum_profile_intern(&r, 0, 0, NULL);
	/* Bands by hand (no descriptors exist: nothing is installed). */
	const struct capsicum_profile *profs[] = { w->ro, w->wo, w->dir,
	    w->tty, w->none };
	for (unsigned i = 0; i < 5; i++) {
		b = &capsicum_cs.cs_bands[i];
		b->band_base = 256 + 16 * (int)i;
		b->band_shift = CAPSICUM_BAND_SHIFT;
		b->band_prof = profs[i];
		b->band_writable = true;
	}
	capsicum_cs.cs_nbands = 5;
	/* A sub-band of ro's band for a descriptor narrowed later. */
	b = &capsicum_cs.cs_bands[5];
	b->band_base = 256 + 8;
	b->band_shift = 3;
	b->band_prof = w->none;
	capsicum_cs.cs_nbands = 6;
	capsicum_pin_add(900, NULL, false, NULL);
	capsicum_pin_add(901, NULL, false, NULL);
	capsicum_pin_add(902, NULL, false, NULL);
	capsicum_pin_add(0, w->ro, false, &capsicum_cs.cs_bands[0]);
	capsicum_pin_add(1, w->wo, true, &capsicum_cs.cs_bands[1]);
	capsicum_pin_add(2, w->wo, true, &capsicum_cs.cs_bands[1]);
	capsicum_pin_add(5, w->dir, false, &capsicum_cs.cs_bands[2]);
	capsicum_pin_add(6, w->tty, true, &capsicum_cs.cs_bands[3]);
	capsicum_pin_add(7, w->ro, true, &capsicum_cs.cs_bands[0]);
	capsicum_pin_add(9, w->none, false, &capsicum_cs.cs_bands[5]);
	int fds[] = { 0, 1, 2, 3, 5, 6, 7, 9, 100, 256, 263, 264, 271, 272,
	    290, 900 };
	memcpy(w->fds, fds, sizeof(fds));
	w->nfds = 16;
}

static struct capsicum_target *
world_targets(unsigned int *np)
{
	struct capsicum_target *t;
	unsigned int i, n = 0;

	t = calloc(CAPSICUM_MAX_PINS + CAPSICUM_MAX_BANDS, sizeof(*t));
	for (i = 0; i < capsicum_cs.cs_npins; i++) {
		struct capsicum_pin *p = &capsicum_cs.cs_pins[i];

		t[n] = (struct capsicum_target){ 0xFFFFFFFFU,
		    (uint32_t)p->pin_fd, atomic_load(&p->pin_prof),
		    atomic_load(&p->pin_prof) == NULL, p->pin_writable,
		    atomic_load(&p->pin_band) };
		n++;
	}
	for (i = 0; i < capsicum_cs.cs_nbands; i++) {
		struct capsicum_band *b = &capsicum_cs.cs_bands[i];

		t[n] = (struct capsicum_target){ capsicum_band_mask(b),
		    (uint32_t)b->band_base, b->band_prof, false,
		    b->band_writable, b };
		n++;
	}
	*np = n;
	return (t);
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t
next(void)
{

	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

static uint64_t
pick_arg(const struct world *w)
{
	static const uint64_t vals[] = {
		0, 1, 2, 3, 5, 6, 7, 9, 100, 4242, 4243, (uint64_t)-1,
		(uint32_t)AT_FDCWD, (uint64_t)(int64_t)AT_FDCWD,
		0x100000000ULL | (uint32_t)AT_FDCWD, 0x100000001ULL,
		0x100000000ULL, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT | O_WRONLY,
		O_TRUNC, O_APPEND | O_WRONLY, O_PATH, O_TMPFILE | O_RDWR,
		O_DSYNC, O_SYNC | O_RDWR, F_GETFL, F_SETFL, F_GETOWN, F_SETOWN,
		F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETLK, F_SETSIG, 1033,
		1027, TCGETS, TIOCGWINSZ, FIONREAD, TIOCSTI, TCSETS,
		TIOCSTI | (1ULL << 40), PROT_READ, PROT_WRITE | PROT_READ,
		PROT_EXEC, MAP_SHARED, MAP_PRIVATE, MAP_SHARED | MAP_ANONYMOUS,
		MAP_SHARED_VALIDATE, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK,
		SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET | SOCK_CLOEXEC, 6, 262,
		MSG_FASTOPEN, 0x20000, 0x10000000, S_IFIFO | 0600, S_IFCHR,
		256, 263, 264, 271, 272, 290, 900, 901, 0xffffffffULL,
		0xffffffff00000000ULL,
	};

	if (next() % 4 == 0)
		return (next());
	(void)w;
	return (vals[next() % (sizeof(vals) / sizeof(vals[0]))]);
}

static void
check_model(bool trap, bool nobroker)
{
	struct capsicum_filter_in in;
	struct capsicum_target *t;
	struct capsicum_verdict v;
	struct sock_fprog r, m;
	struct seccomp_data d;
	struct world w;
	unsigned int nt, i, j, iter;
	uint32_t res;
	int nrs[1100], nnr;

	make_world(&w);
	t = world_targets(&nt);
	memset(&in, 0, sizeof(in));
	in.fi_trap = trap;
	in.fi_global = true;
	in.fi_nobroker = nobroker;
	capsicum_cs.cs_recv_nofd = nobroker;
	in.fi_self = 4242;
	in.fi_targets = t;
	in.fi_ntargets = nt;
	in.fi_layers = CAP_LAYERS_ALL;
	int e = capsicum_rfilter_build(&in, &r);
	cr_assert_eq(e, 0, "rfilter_build: %s", strerror(-e));
	cr_log_info("filter R: %u instructions for %u targets", r.len, nt);
	cr_assert_eq(capsicum_mfilter_get(&in, &m), 0);
	capsicum_verdict_init();
	/* Every syscall the table names, some it does not, x32 numbers. */
	nnr = 0;
	for (i = 0; i < capsicum_policy_len; i++) {
		int nr = capsicum_policy_rownr(i);

		for (j = 0; j < (unsigned)nnr && nrs[j] != nr; j++)
			continue;
		if (nr >= 0 && j == (unsigned)nnr)
			nrs[nnr++] = nr;
	}
	for (i = 0; i < 40; i++)
		nrs[nnr++] = (int)(next() % 600);
	nrs[nnr++] = 0x40000000 | SYS_getpid;
	nrs[nnr++] = 0x40000000 | SYS_write;
	for (iter = 0; iter < 200000; iter++) {
		memset(&d, 0, sizeof(d));
		d.nr = nrs[next() % (unsigned)nnr];
		d.arch = next() % 64 == 0 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
		for (j = 0; j < 6; j++)
			d.args[j] = pick_arg(&w);
		res = combine(bpf_run(&m, &d), bpf_run(&r, &d));
		if (d.arch != AUDIT_ARCH_X86_64) {
			cr_assert_eq(res, trap ? SECCOMP_RET_TRAP :
			    SECCOMP_RET_ERRNO | ECAPMODE);
			continue;
		}
		capsicum_verdict(d.nr, (const uint64_t *)d.args, 4242, &v);
		/* Trap: the handler then applies the model's answer, so a
		 * trap may stand for any refusal; an emulation must trap. */
		if ((res & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRAP) {
			cr_assert(v.v_emu != 0 || v.v_errno != 0 ||
			    (d.nr == 1023),
			    "nr %d args %#llx %#llx %#llx %#llx: filter traps, "
			    "model allows", d.nr,
			    (unsigned long long)d.args[0],
			    (unsigned long long)d.args[1],
			    (unsigned long long)d.args[2],
			    (unsigned long long)d.args[3]);
			continue;
		}
		cr_assert_eq(v.v_emu, 0, "nr %d args %#llx %#llx %#llx: model "
		    "emulates, filter returns %#x", d.nr,
		    (unsigned long long)d.args[0],
		    (unsigned long long)d.args[1],
		    (unsigned long long)d.args[2], res);
		if (d.nr == 1023)
			continue;	/* the probe is M's own */
		if (res == SECCOMP_RET_ALLOW) {
			cr_assert_eq(v.v_errno, 0, "nr %d args %#llx %#llx %#llx "
			    "%#llx: filter allows, model says %d", d.nr,
			    (unsigned long long)d.args[0],
			    (unsigned long long)d.args[1],
			    (unsigned long long)d.args[2],
			    (unsigned long long)d.args[3], v.v_errno);
		} else {
			cr_assert_eq(res & SECCOMP_RET_ACTION_FULL,
			    SECCOMP_RET_ERRNO, "nr %d: action %#x", d.nr, res);
			cr_assert_eq((int)(res & SECCOMP_RET_DATA), v.v_errno,
			    "nr %d args %#llx %#llx %#llx %#llx: filter errno %d, "
			    "model %d", d.nr, (unsigned long long)d.args[0],
			    (unsigned long long)d.args[1],
			    (unsigned long long)d.args[2],
			    (unsigned long long)d.args[3],
			    (int)(res & SECCOMP_RET_DATA), v.v_errno);
		}
	}
	capsicum_filter_free(&r);
	capsicum_filter_free(&m);
	free(t);
}


Test(filter_model, filters_agree_with_the_c_model, .timeout = 120)
{

	check_model(false, false);
}

Test(filter_model, trap_mode_filters_agree, .timeout = 120)
{

	check_model(true, false);
}

/* A limit set in capability mode with no broker: recvmsg and recvmmsg
 * trap, in the filter and in the model alike. */
Test(filter_model, no_broker_receive_traps_agree, .timeout = 120)
{

	check_model(false, true);
}

/*
 * Filter R of a process with nothing limited comes from a build-time copy
 * with the pid written in: it must be the program the emitter builds, for
 * any pid, and anything else (another order of the bookkeeping numbers
 * included: the emitter's rules follow the targets' order) must still be
 * built.
 */
static void
same_program(const struct capsicum_filter_in *in)
{
	struct sock_fprog a, b;

	cr_assert_eq(capsicum_rfilter_get(in, &a), 0);
	cr_assert_eq(capsicum_rfilter_build(in, &b), 0);
	cr_assert_eq(a.len, b.len, "pid %d: %u vs %u instructions",
	    (int)in->fi_self, a.len, b.len);
	for (unsigned int i = 0; i < a.len; i++)
		cr_assert_eq(memcmp(&a.filter[i], &b.filter[i],
		    sizeof(a.filter[i])), 0, "pid %d: instruction %u: "
		    "%#x %u %u %#x, built %#x %u %u %#x", (int)in->fi_self, i,
		    a.filter[i].code, a.filter[i].jt, a.filter[i].jf,
		    a.filter[i].k, b.filter[i].code, b.filter[i].jt,
		    b.filter[i].jf, b.filter[i].k);
	capsicum_filter_free(&a);
	capsicum_filter_free(&b);
}

extern const struct sock_filter *const capsicum_rtemplate;
extern const unsigned short capsicum_rtemplate_len;
extern const unsigned short capsicum_rtemplate_pid[];
extern const unsigned int capsicum_rtemplate_npid;

/* R's input with nothing limited: the bookkeeping numbers, in this
 * order, protected. */
static void
bookkeeping_only(struct capsicum_filter_in *in, struct capsicum_target *t,
    const int order[CAPSICUM_RTEMPLATE_NFDS], pid_t pid)
{
	unsigned int k;

	for (k = 0; k < CAPSICUM_RTEMPLATE_NFDS; k++)
		t[k] = (struct capsicum_target){ 0xFFFFFFFFU,
		    (uint32_t)order[k], NULL, true, false, NULL };
	memset(in, 0, sizeof(*in));
	in->fi_global = true;
	in->fi_targets = t;
	in->fi_ntargets = CAPSICUM_RTEMPLATE_NFDS;
	in->fi_self = pid;
	/* The copy was optimised as far as it goes, at build time. */
	in->fi_rounds = CAPSICUM_OPT_ROUNDS_BUILD;
}

/*
 * The rows' facts come from the build-time tables: each number must be
 * libseccomp's, and a row is "allowed" exactly when some allowing row
 * names the same call.
 */
extern const bool capsicum_policy_allowed[] __attribute__((weak));

Test(filter_model, built_row_tables_match_the_policy)
{
	static int nr[2048];
	unsigned int i, j, bad_nr, bad_allowed;
	bool want;

	cr_assert_not_null(capsicum_policy_allowed, "build-time table linked");
	cr_assert_lt(capsicum_policy_len, 2048);
	capsicum_policy_init();
	/* The first wrong row of each table, asserted once at the end.
	 * (No .timeout: with one, Criterion 2.4's runner sometimes leaks
	 * its timer for a test this short, and LeakSanitizer fails it.) */
	bad_nr = bad_allowed = capsicum_policy_len;
	for (i = 0; i < capsicum_policy_len; i++) {
		nr[i] = capsicum_policy_sysnr_slow(&capsicum_policy[i]);
		if (capsicum_policy_rownr(i) != nr[i] &&
		    bad_nr == capsicum_policy_len)
			bad_nr = i;
	}
	for (i = 0; i < capsicum_policy_len; i++) {
		want = false;
		for (j = 0; j < capsicum_policy_len && nr[i] >= 0; j++) {
			if ((capsicum_policy[j].pr_kind == PK_ALLOW ||
			    capsicum_policy[j].pr_kind == PK_ALLOW_IF) &&
			    nr[j] == nr[i])
				want = true;
		}
		if (capsicum_policy_row_allowed(i) != want &&
		    bad_allowed == capsicum_policy_len)
			bad_allowed = i;
	}
	cr_assert_eq(bad_nr, capsicum_policy_len, "number of row %u", bad_nr);
	cr_assert_eq(bad_allowed, capsicum_policy_len, "allowed of row %u",
	    bad_allowed);
}

Test(filter_model, r_template_is_the_built_program)
{
	static const int perm[2][CAPSICUM_RTEMPLATE_NFDS] = { { 200, 201 },
	    { 201, 200 } };
	static const pid_t pids[] = { 256, 300, 4242, 65535, 65536, 123457,
	    4194303 };
	struct sock_filter f[BPF_MAXINSNS];
	struct capsicum_target t[4];
	struct capsicum_filter_in in;
	struct sock_fprog b;
	unsigned int i, j, k;

	memset(&capsicum_cs, 0, sizeof(capsicum_cs));
	for (i = 0; i < 2; i++) {
		for (j = 0; j < sizeof(pids) / sizeof(pids[0]); j++) {
			bookkeeping_only(&in, t, perm[i], pids[j]);
			same_program(&in);
		}
	}
	/* The copy itself, with a pid written in, is the built program. */
	bookkeeping_only(&in, t, perm[0], 31337);
	cr_assert_gt(capsicum_rtemplate_len, 0);
	cr_assert_gt(capsicum_rtemplate_npid, 0);
	memcpy(f, capsicum_rtemplate, capsicum_rtemplate_len * sizeof(f[0]));
	for (k = 0; k < capsicum_rtemplate_npid; k++)
		f[capsicum_rtemplate_pid[k]].k = 31337;
	cr_assert_eq(capsicum_rfilter_build(&in, &b), 0);
	cr_assert_eq(b.len, capsicum_rtemplate_len);
	cr_assert_eq(memcmp(f, b.filter, b.len * sizeof(f[0])), 0);
	capsicum_filter_free(&b);
	/* What the copy does not fit is built: trap mode, the no-broker
	 * traps, a small pid, other numbers, one more target. */
	bookkeeping_only(&in, t, perm[0], 4242);
	in.fi_trap = true;
	same_program(&in);
	in.fi_trap = false;
	in.fi_nobroker = true;
	same_program(&in);
	in.fi_nobroker = false;
	in.fi_self = 1;
	same_program(&in);
	in.fi_self = 4242;
	t[0].t_value = 203;
	same_program(&in);
	t[0].t_value = 200;
	t[2] = (struct capsicum_target){ 0xFFFFFFFFU, 5, NULL, true, false,
	    NULL };
	in.fi_ntargets = 3;
	same_program(&in);
}

/* Hot calls must not load an argument when nothing needs them to, so
 * that the kernel's action cache answers them: run the filters on
 * getppid and read with no descriptor limited and check that no
 * argument word is read. */
static bool
loads_args(const struct sock_fprog *p, const struct seccomp_data *d)
{
	struct sock_filter *copy;
	struct sock_fprog c = *p;
	unsigned int i;
	bool loaded = false;

	/* Instrument: an argument load becomes "ret 0xdead". */
	copy = calloc(p->len, sizeof(*copy));
	memcpy(copy, p->filter, p->len * sizeof(*copy));
	for (i = 0; i < p->len; i++) {
		if (copy[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
		    copy[i].k >= offsetof(struct seccomp_data, args))
			copy[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
			    0xdead);
	}
	c.filter = copy;
	loaded = bpf_run(&c, d) == 0xdead;
	free(copy);
	return (loaded);
}

Test(filter_model, hot_calls_are_decided_by_number)
{
	struct capsicum_filter_in in;
	struct sock_fprog r, m;
	struct seccomp_data d;
	int hot[] = { SYS_read, SYS_write, SYS_getppid, SYS_fstat,
	    SYS_close, SYS_futex, SYS_mmap, SYS_pread64, SYS_recvfrom,
	    SYS_epoll_wait, SYS_clock_gettime, SYS_openat };
	unsigned int i;

	memset(&capsicum_cs, 0, sizeof(capsicum_cs));
	memset(&in, 0, sizeof(in));
	in.fi_global = true;
	in.fi_self = 1;
	cr_assert_eq(capsicum_rfilter_build(&in, &r), 0);
	cr_assert_eq(capsicum_mfilter_get(&in, &m), 0);
	for (i = 0; i < sizeof(hot) / sizeof(hot[0]); i++) {
		memset(&d, 0, sizeof(d));
		d.arch = AUDIT_ARCH_X86_64;
		d.nr = hot[i];
		/* openat needs its dirfd checked (AT_FDCWD): not hot. */
		if (hot[i] == SYS_openat) {
			cr_assert(loads_args(&r, &d));
			continue;
		}
		cr_assert_not(loads_args(&m, &d), "M loads args for %d", hot[i]);
		cr_assert_not(loads_args(&r, &d), "R loads args for %d", hot[i]);
		cr_assert_eq(combine(bpf_run(&m, &d), bpf_run(&r, &d)),
		    SECCOMP_RET_ALLOW);
	}
	capsicum_filter_free(&r);
	capsicum_filter_free(&m);
}

/*
 * bpfshrink.c: the shrunk M gives libseccomp's answers.  Numbers come
 * from around every constant the program compares with (where answers
 * change), random ones, x32 and huge ones; arguments from pick_arg().
 */
static uint32_t
pick_nr(const struct sock_fprog *p)
{
	uint32_t k;

	switch (next() % 4) {
	case 0:
		k = p->filter[next() % p->len].k;
		return (k + (uint32_t)(next() % 3) - 1);
	case 1:
		return ((uint32_t)(next() % 1100));
	case 2:
		return (0x40000000U | (uint32_t)(next() % 600));
	default:
		return ((uint32_t)next());
	}
}

/* A random call: one of arches, number nr, arguments from the world. */
static void
random_call(struct seccomp_data *d, const struct world *w,
    const uint32_t *arches, size_t narches, int nr)
{
	unsigned int j;

	memset(d, 0, sizeof(*d));
	d->arch = arches[next() % narches];
	d->nr = nr;
	d->instruction_pointer = next();
	for (j = 0; j < 6; j++)
		d->args[j] = pick_arg(w);
}

static void
check_same(const struct sock_fprog *a, const struct sock_fprog *b,
    unsigned int iters)
{
	static const uint32_t arches[] = { AUDIT_ARCH_X86_64,
	    AUDIT_ARCH_X86_64, AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, 0,
	    0xFFFFFFFFU, AUDIT_ARCH_AARCH64 };
	struct seccomp_data d;
	struct world w;
	unsigned int i;

	make_world(&w);
	for (i = 0; i < iters; i++) {
		random_call(&d, &w, arches, sizeof(arches) / sizeof(arches[0]),
		    (int)pick_nr(a));
		cr_assert_eq(bpf_run(a, &d), bpf_run(b, &d),
		    "arch %#x nr %#x args %#llx %#llx %#llx", d.arch,
		    (unsigned)d.nr, (unsigned long long)d.args[0],
		    (unsigned long long)d.args[1],
		    (unsigned long long)d.args[2]);
	}
}

Test(bpf_shrink, filter_m_keeps_libseccomps_answers, .timeout = 120)
{
	struct capsicum_filter_in in;
	struct sock_fprog raw, small, linked;
	int trap;

	for (trap = 0; trap < 2; trap++) {
		memset(&in, 0, sizeof(in));
		in.fi_trap = trap;
		in.fi_layers = CAP_LAYERS_ALL;
		cr_assert_eq(capsicum_mfilter_build(&in, &raw), 0);
		cr_assert_eq(capsicum_bpf_shrink(&raw, &small), 0);
		cr_log_info("filter M (trap %d): libseccomp %u, shrunk %u "
		    "instructions", trap, raw.len, small.len);
		cr_assert_lt(small.len, raw.len * 3 / 4);
		check_same(&raw, &small, 200000);
		/* What cap_enter() installs is the shrunk program, then
		 * optimised (bpfopt.c). */
		cr_assert_eq(capsicum_mfilter_get(&in, &linked), 0);
		cr_log_info("filter M (trap %d): optimised %u instructions",
		    trap, linked.len);
		cr_assert_leq(linked.len, small.len);
		check_same(&raw, &linked, 200000);
		capsicum_filter_free(&raw);
		capsicum_filter_free(&small);
		capsicum_filter_free(&linked);
	}
}

/* Many different answers: the search outgrows 8-bit jumps (leaves go
 * inline, nodes go far), and argument rules on scattered numbers are
 * copied. */
Test(bpf_shrink, large_search_with_far_jumps, .timeout = 120)
{
	struct sock_fprog raw, small;
	scmp_filter_ctx ctx;
	char path[] = "/tmp/shrinkXXXXXX";
	struct stat st;
	int fd, nr;

	ctx = seccomp_init(SCMP_ACT_ERRNO(1));
	cr_assert_not_null(ctx);
	cr_assert_eq(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), 0);
	for (nr = 0; nr < 440; nr++) {
		if (nr % 17 == 3)
			cr_assert_eq(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(2),
			    nr, 1, SCMP_A0(SCMP_CMP_EQ, (uint64_t)nr)), 0);
		else if (nr % 3 != 0)
			cr_assert_eq(seccomp_rule_add(ctx,
			    SCMP_ACT_ERRNO((uint32_t)(10 + nr / 3 % 100)), nr, 0),
			    0);
	}
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	unlink(path);
	cr_assert_eq(seccomp_export_bpf(ctx, fd), 0);
	seccomp_release(ctx);
	cr_assert_eq(fstat(fd, &st), 0);
	raw.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	raw.filter = malloc((size_t)st.st_size);
	cr_assert_eq(pread(fd, raw.filter, (size_t)st.st_size, 0),
	    st.st_size);
	close(fd);
	cr_assert_eq(capsicum_bpf_shrink(&raw, &small), 0);
	cr_log_info("synthetic: libseccomp %u, shrunk %u instructions",
	    raw.len, small.len);
	check_same(&raw, &small, 200000);
	capsicum_filter_free(&raw);
	capsicum_filter_free(&small);
}

static int
shrink_of(struct sock_filter *f, unsigned short n)
{
	struct sock_fprog in = { n, f }, out;
	int r;

	r = capsicum_bpf_shrink(&in, &out);
	if (r == 0)
		capsicum_filter_free(&out);
	return (r);
}

#define	ARCH_CHECK \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3)

Test(bpf_shrink, leaves_other_programs_alone)
{
	struct sock_filter tiny[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter no_arch[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
	};
	struct sock_filter imm[] = {
		ARCH_CHECK,
		BPF_STMT(BPF_LD | BPF_IMM, 5),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
	};
	struct sock_filter jset_nr[] = {
		ARCH_CHECK,
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
	};
	struct sock_filter ip[] = {
		ARCH_CHECK,
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
	};
	struct sock_filter out_of_range[] = {
		ARCH_CHECK,
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 9, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
	};
	struct sock_filter nothing_to_gain[] = {
		ARCH_CHECK,
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
	};

	cr_assert_eq(shrink_of(tiny, 1), -ENOTSUP);
	cr_assert_eq(shrink_of(no_arch, 4), -ENOTSUP);
	cr_assert_eq(shrink_of(imm, 6), -ENOTSUP);
	cr_assert_eq(shrink_of(jset_nr, 6), -ENOTSUP);
	cr_assert_eq(shrink_of(ip, 6), -ENOTSUP);
	cr_assert_eq(shrink_of(out_of_range, 6), -ENOTSUP);
	cr_assert_eq(shrink_of(nothing_to_gain, 6), -ENOTSUP);
}

/* ---------------------------------------------------------------------
 * bpfopt.c: the optimised programs give the emitter's answers.
 */
static void
r_pair(struct capsicum_filter_in *in, unsigned int rounds,
    struct sock_fprog *raw, struct sock_fprog *opt)
{

	in->fi_unoptimized = true;
	cr_assert_eq(capsicum_rfilter_build(in, raw), 0);
	in->fi_unoptimized = false;
	in->fi_rounds = rounds;
	cr_assert_eq(capsicum_rfilter_build(in, opt), 0);
	in->fi_rounds = 0;
}

Test(bpf_optimize, r_keeps_the_emitters_answers, .timeout = 120)
{
	struct capsicum_filter_in in;
	struct capsicum_target *t, one[2];
	struct sock_fprog raw, opt;
	struct world w;
	unsigned int nt, i, mode, rounds;

	make_world(&w);
	t = world_targets(&nt);
	/* cap_enter(): everything, in each mode, with 1 and many rounds. */
	for (mode = 0; mode < 6; mode++) {
		memset(&in, 0, sizeof(in));
		in.fi_global = true;
		in.fi_trap = mode % 3 == 1;
		in.fi_nobroker = mode % 3 == 2;
		in.fi_self = 4242;
		in.fi_targets = t;
		in.fi_ntargets = nt;
		rounds = mode < 3 ? CAPSICUM_OPT_ROUNDS :
		    CAPSICUM_OPT_ROUNDS_BUILD;
		r_pair(&in, rounds, &raw, &opt);
		cr_log_info("R, %u targets, mode %u, %u rounds: %u -> %u "
		    "instructions", nt, mode % 3, rounds, raw.len, opt.len);
		cr_assert_lt(opt.len, raw.len * 9 / 10);
		check_same(&raw, &opt, 150000);
		capsicum_filter_free(&raw);
		capsicum_filter_free(&opt);
	}
	/* A limit in capability mode: one number and its band. */
	for (i = 0; i < nt; i++) {
		if (t[i].t_protected || t[i].t_mask != 0xFFFFFFFFU)
			continue;
		one[0] = t[i];
		one[1] = (struct capsicum_target){ 0xFFFFFFF0U, 512,
		    t[i].t_prof, false, t[i].t_writable, NULL };
		memset(&in, 0, sizeof(in));
		in.fi_self = 4242;
		in.fi_targets = one;
		in.fi_ntargets = 2;
		r_pair(&in, CAPSICUM_OPT_ROUNDS, &raw, &opt);
		cr_log_info("R for descriptor %u: %u -> %u instructions",
		    t[i].t_value, raw.len, opt.len);
		cr_assert_leq(opt.len, raw.len);
		check_same(&raw, &opt, 40000);
		capsicum_filter_free(&raw);
		capsicum_filter_free(&opt);
	}
	free(t);
}

/* Filter B (the broker's routing): optimised, the same answers. */
Test(bpf_optimize, b_keeps_its_answers, .timeout = 120)
{
	static const int direct[] = { 5, 100 };
	struct capsicum_target *t;
	struct sock_fprog raw, opt;
	struct world w;
	unsigned int nt, nd;

	make_world(&w);
	t = world_targets(&nt);
	for (nd = 0; nd <= 2; nd++) {
		cr_assert_eq(capsicum_bfilter_emit(direct, nd, t, nt, &raw), 0);
		cr_assert_eq(capsicum_bfilter_build(direct, nd, t, nt, &opt),
		    0);
		cr_log_info("B, %u direct, %u targets: %u -> %u instructions",
		    nd, nt, raw.len, opt.len);
		cr_assert_lt(opt.len, raw.len);
		check_same(&raw, &opt, 100000);
		capsicum_filter_free(&raw);
		capsicum_filter_free(&opt);
	}
	free(t);
}

/*
 * The kernel's 4096 instructions bound what bpfopt.c leaves of R, not
 * what the emitter writes: descriptors with many different profiles, more
 * than fit before, now fit, with the same answers.
 */
Test(bpf_optimize, more_descriptors_fit, .timeout = 120)
{
	static const uint64_t pick[] = { CAP_READ, CAP_WRITE, CAP_SEEK,
	    CAP_FSTAT, CAP_FCNTL, CAP_EVENT, CAP_MMAP_R, CAP_FTRUNCATE,
	    CAP_FCHMOD, CAP_FSYNC, CAP_FLOCK, CAP_FCHOWN };
	struct capsicum_target t[160];
	struct capsicum_filter_in in;
	struct sock_fprog raw, opt;
	cap_rights_t r;
	unsigned int n, i, j;
	bool over = false;

	memset(&capsicum_cs, 0, sizeof(capsicum_cs));
	for (n = 0; n < 160; n++) {
		cap_rights_init(&r);
		for (j = 0; j < sizeof(pick) / sizeof(pick[0]); j++) {
			if (((n + 1) >> (j % 8)) & 1 || (j >= 8 && n % j == 0))
				cap_rights_set(&r, pick[j]);
		}
		t[n] = (struct capsicum_target){ 0xFFFFFFFFU, 10 + n,
		    capsicum_profile_intern(&r, 0, 0, NULL), false, n % 2 == 0,
		    NULL };
	}
	for (n = 60; n <= 160; n += 4) {
		memset(&in, 0, sizeof(in));
		in.fi_global = true;
		in.fi_self = 4242;
		in.fi_targets = t;
		in.fi_ntargets = n;
		in.fi_unoptimized = true;
		cr_assert_eq(capsicum_rfilter_build(&in, &raw), 0);
		in.fi_unoptimized = false;
		i = (unsigned int)capsicum_rfilter_build(&in, &opt);
		cr_log_info("R for %u profiles: %u emitted, %s %u", n, raw.len,
		    i == 0 ? "installed" : "E2BIG", i == 0 ? opt.len : 0);
		if (i != 0) {
			cr_assert_eq((int)i, -E2BIG);
			capsicum_filter_free(&raw);
			break;
		}
		cr_assert_leq(opt.len, BPF_MAXINSNS);
		if (raw.len > BPF_MAXINSNS) {
			over = true;
			check_same(&raw, &opt, 20000);
		}
		capsicum_filter_free(&raw);
		capsicum_filter_free(&opt);
	}
	cr_assert(over, "no program was over the limit before bpfopt.c");
}

static void
replace_k(struct sock_fprog *p, uint32_t from, uint32_t to)
{
	unsigned int i;

	for (i = 0; i < p->len; i++) {
		if (BPF_CLASS(p->filter[i].code) == BPF_JMP &&
		    BPF_OP(p->filter[i].code) != BPF_JA &&
		    p->filter[i].k == from)
			p->filter[i].k = to;
	}
}

/*
 * Filter R's build-time copy gets the real pid written over a stand-in:
 * no decision of the optimiser may rest on the pid's value.  Compare the
 * emitter's program and the optimised one with other values written in
 * (some equal to constants the same arguments are compared with).
 */
Test(bpf_optimize, the_pid_stays_opaque, .timeout = 120)
{
	static const uint32_t others[] = { 0, 1, 2, 5, 9, 256, 4243,
	    0xFFFFFFFFU, (uint32_t)AT_FDCWD };
	struct capsicum_filter_in in;
	struct capsicum_target *t;
	struct sock_fprog raw, opt;
	struct world w;
	unsigned int nt, i;

	make_world(&w);
	t = world_targets(&nt);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.fi_global = true;
		in.fi_self = 4242;
		in.fi_targets = t;
		in.fi_ntargets = nt;
		r_pair(&in, CAPSICUM_OPT_ROUNDS_BUILD, &raw, &opt);
		replace_k(&raw, 4242, others[i]);
		replace_k(&opt, 4242, others[i]);
		check_same(&raw, &opt, 40000);
		capsicum_filter_free(&raw);
		capsicum_filter_free(&opt);
	}
	free(t);
}

#define	LD_NR	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
	offsetof(struct seccomp_data, nr))
#define	LD_A0	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
	offsetof(struct seccomp_data, args))
#define	RET_K(k)	BPF_STMT(BPF_RET | BPF_K, (k))
#define	JEQ_K(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define	JGE_K(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define	JA_K(k)		BPF_JUMP(BPF_JMP | BPF_JA, (k), 0, 0)

/* Every rewrite once, on a program small enough to check by hand. */
Test(bpf_optimize, each_rewrite)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		JEQ_K(AUDIT_ARCH_X86_64, 0, 12),	/* 1: else kill */
		LD_NR,					/* 2 */
		JGE_K(100, 0, 1),			/* 3: node ... */
		JA_K(10),				/* 4: ... its ja */
		JEQ_K(1, 0, 6),				/* 5: else allow */
		JA_K(0),				/* 6: to the next */
		LD_A0,					/* 7 */
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xFFFFFFFFU),
		JEQ_K(4, 3, 0),				/* 8: 4: refuse */
		LD_A0,					/* 9: reload */
		JEQ_K(4, 1, 0),				/* 10: decided */
		RET_K(SECCOMP_RET_ALLOW),		/* 11 */
		RET_K(SECCOMP_RET_ERRNO | 135),		/* 12 */
		RET_K(SECCOMP_RET_KILL),		/* 13 */
		LD_A0,					/* 14: unused */
		LD_NR,					/* 15 */
		JEQ_K(200, 0, 1),			/* 16 */
		RET_K(SECCOMP_RET_ERRNO | 135),		/* 17 */
		RET_K(SECCOMP_RET_ALLOW),		/* 18 */
	};
	struct sock_filter copy[sizeof(f) / sizeof(f[0])];
	struct sock_fprog a = { sizeof(f) / sizeof(f[0]), f };
	struct sock_fprog b = { a.len, copy };
	unsigned int i;

	memcpy(copy, f, sizeof(f));
	cr_assert_eq(capsicum_bpf_optimize(&b, NULL,
	    CAPSICUM_OPT_ROUNDS_BUILD), 0);
	for (i = 0; i < b.len; i++)
		cr_log_info("%2u: %#06x %3u %3u %#x", i, copy[i].code,
		    copy[i].jt, copy[i].jf, copy[i].k);
	check_same(&a, &b, 20000);
	/*
	 * Gone: the node's ja (3 jumps to 16 directly), the ja to the next
	 * instruction, the reload and the compare it decides (8 fails to
	 * 11), the mask with all ones (after 7), the two "ret"s that later
	 * ones replace (11, 12), the unused load and the reload of the
	 * number (A holds it): 20 - 9.  (Numbers as in the comments, which
	 * do not count the mask.)
	 */
	cr_assert_eq(b.len, 11, "%u of %u", b.len, a.len);
	for (i = 0; i < b.len; i++)
		cr_assert(BPF_CLASS(copy[i].code) != BPF_JMP ||
		    BPF_OP(copy[i].code) != BPF_JA);
}

static int
optimize_of(struct sock_filter *f, unsigned short n)
{
	struct sock_filter copy[16];
	struct sock_fprog p = { n, copy };
	int r;

	memcpy(copy, f, n * sizeof(*f));
	r = capsicum_bpf_optimize(&p, NULL, 4);
	/* Left alone means untouched. */
	if (r != 0)
		cr_assert_eq(memcmp(copy, f, n * sizeof(*f)), 0);
	return (r);
}

Test(bpf_optimize, leaves_other_programs_alone)
{
	struct sock_filter ldx[] = {
		BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 1),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_filter ret_a[] = {
		LD_NR,
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter imm[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 5),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_filter odd_offset[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_filter past_end[] = {
		LD_NR,
		JEQ_K(1, 5, 0),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_filter ja_past_end[] = {
		JA_K(1),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_filter no_ret[] = {
		RET_K(SECCOMP_RET_ALLOW),
		LD_NR,
	};
	struct sock_filter jx[] = {
		LD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_filter tiny[] = {
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog none = { 0, NULL };

	cr_assert_eq(optimize_of(ldx, 2), -ENOTSUP);
	cr_assert_eq(optimize_of(ret_a, 2), -ENOTSUP);
	cr_assert_eq(optimize_of(imm, 2), -ENOTSUP);
	cr_assert_eq(optimize_of(odd_offset, 2), -ENOTSUP);
	cr_assert_eq(optimize_of(past_end, 3), -ENOTSUP);
	cr_assert_eq(optimize_of(ja_past_end, 2), -ENOTSUP);
	cr_assert_eq(optimize_of(no_ret, 2), -ENOTSUP);
	cr_assert_eq(optimize_of(jx, 3), -ENOTSUP);
	cr_assert_eq(optimize_of(tiny, 1), 0);
	cr_assert_eq(optimize_of(tiny, 0), -ENOTSUP);
	cr_assert_eq(capsicum_bpf_optimize(NULL, NULL, 1), -EINVAL);
	cr_assert_eq(capsicum_bpf_optimize(&none, NULL, 1), -EINVAL);
}

/* ---------------------------------------------------------------------
 * bpfmerge.c: M and R as one filter answer as the two filters do.
 */
/* What the kernel does with an answer: the data bits only matter to
 * ERRNO, TRAP and TRACE. */
static uint32_t
effect(uint32_t v)
{
	uint32_t a = v & SECCOMP_RET_ACTION_FULL;

	return (a == SECCOMP_RET_ERRNO || a == SECCOMP_RET_TRAP ||
	    a == SECCOMP_RET_TRACE ? v : a);
}

static void
check_merged(const struct sock_fprog *mr, const struct sock_fprog *m,
    const struct sock_fprog *r, unsigned int iters)
{
	static const uint32_t arches[] = { AUDIT_ARCH_X86_64,
	    AUDIT_ARCH_X86_64, AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, 0 };
	static const uint64_t bookkeeping[] = { 200, 201 };
	struct seccomp_data d;
	struct world w;
	unsigned int i, j;

	make_world(&w);
	for (i = 0; i < iters; i++) {
		random_call(&d, &w, arches, sizeof(arches) / sizeof(arches[0]),
		    (int)pick_nr(next() % 2 == 0 ? m : r));
		/* Now and then one of the numbers R protects. */
		for (j = 0; j < 6; j++)
			if (next() % 5 == 0)
				d.args[j] = bookkeeping[next() % 2];
		cr_assert_eq(effect(bpf_run(mr, &d)), effect(combine(bpf_run(m,
		    &d), bpf_run(r, &d))), "arch %#x nr %#x args %#llx %#llx "
		    "%#llx",
		    d.arch, (unsigned)d.nr, (unsigned long long)d.args[0],
		    (unsigned long long)d.args[1],
		    (unsigned long long)d.args[2]);
	}
}

Test(bpf_merge, template_answers_as_r_then_m, .timeout = 120)
{
	static const int order[CAPSICUM_RTEMPLATE_NFDS] = { 200, 201 };
	struct capsicum_target t[CAPSICUM_RTEMPLATE_NFDS + 1];
	struct capsicum_filter_in in;
	struct sock_fprog mr, m, r;

	memset(&capsicum_cs, 0, sizeof(capsicum_cs));
	bookkeeping_only(&in, t, order, 4242);
	in.fi_rounds = 0;
	in.fi_layers = CAP_LAYER_SECCOMP | CAP_LAYER_RIGHTS;
	cr_assert_eq(capsicum_mrfilter_get(&in, &mr), 0);
	cr_assert_eq(capsicum_rfilter_get(&in, &r), 0);
	cr_assert_eq(capsicum_mfilter_get(&in, &m), 0);
	/* One filter's fixed cost saved, and no instruction added. */
	cr_assert_leq(mr.len, m.len + r.len);
	cr_assert_eq(capsicum_bpf_merge_exact(&m, &r), 0);
	check_merged(&mr, &m, &r, 400000);
	capsicum_filter_free(&mr);
	capsicum_filter_free(&m);
	capsicum_filter_free(&r);
	/* What R's copy does not fit, the copy of both does not either. */
	in.fi_trap = true;
	cr_assert_eq(capsicum_mrfilter_get(&in, &mr), -ENOTSUP);
	in.fi_trap = false;
	in.fi_nobroker = true;
	cr_assert_eq(capsicum_mrfilter_get(&in, &mr), -ENOTSUP);
	in.fi_nobroker = false;
	t[2] = (struct capsicum_target){ 0xFFFFFFFFU, 5, NULL, true, false,
	    NULL };
	in.fi_ntargets = 3;
	cr_assert_eq(capsicum_mrfilter_get(&in, &mr), -ENOTSUP);
}

/* With descriptors limited, R traps fcntl on them (the emulated
 * commands) while M refuses some fcntl commands: the proof cannot rule
 * out a call that both catch, so only the copy without limits merges. */
Test(bpf_merge, limited_r_is_not_merged)
{
	struct capsicum_target *t;
	struct capsicum_filter_in in;
	struct sock_fprog m, r;
	struct world w;
	unsigned int nt;

	make_world(&w);
	memset(&in, 0, sizeof(in));
	t = world_targets(&nt);
	in.fi_global = true;
	in.fi_self = 4242;
	in.fi_targets = t;
	in.fi_ntargets = nt;
	cr_assert_eq(capsicum_rfilter_build(&in, &r), 0);
	cr_assert_eq(capsicum_mfilter_get(&in, &m), 0);
	cr_assert_eq(capsicum_bpf_merge_exact(&m, &r), -EXDEV);
	cr_assert_eq(capsicum_mrfilter_get(&in, &m), -ENOTSUP);
	capsicum_filter_free(&m);
	capsicum_filter_free(&r);
	free(t);
}

static int
exact_of(struct sock_filter *mf, unsigned short mn, struct sock_filter *rf,
    unsigned short rn)
{
	struct sock_fprog m = { mn, mf }, r = { rn, rf };

	return (capsicum_bpf_merge_exact(&m, &r));
}

#define	LD_ARCH	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
	    offsetof(struct seccomp_data, arch))
#define	ECAPMODE_RET	RET_K(SECCOMP_RET_ERRNO | ECAPMODE)
/* Four instructions: syscall nr gets action a, every other call b. */
#define	ON_NR(nr, a, b)	LD_NR, JEQ_K((nr), 0, 1), RET_K(a), RET_K(b)

Test(bpf_merge, the_proof)
{
	/* M refuses nr 5 with ECAPMODE; or kills it. */
	struct sock_filter m[] = { ON_NR(5, SECCOMP_RET_ERRNO | ECAPMODE,
	    SECCOMP_RET_ALLOW) };
	struct sock_filter m_kill[] = { ON_NR(5, SECCOMP_RET_KILL_PROCESS,
	    SECCOMP_RET_ALLOW) };
	/* M refuses every other arch. */
	struct sock_filter m_arch[] = {
		LD_ARCH,
		JEQ_K(AUDIT_ARCH_X86_64, 1, 0),
		ECAPMODE_RET,
		RET_K(SECCOMP_RET_ALLOW),
	};
	/* R traps nr 5, or nr 6, or nr 5 when arg0 is 200, or calls of
	 * nr 7 and above from other arches. */
	struct sock_filter r5[] = { ON_NR(5, SECCOMP_RET_TRAP,
	    SECCOMP_RET_ALLOW) };
	struct sock_filter r6[] = { ON_NR(6, SECCOMP_RET_TRAP,
	    SECCOMP_RET_ALLOW) };
	struct sock_filter r5_arg[] = {
		LD_NR,
		JEQ_K(5, 0, 3),
		LD_A0,
		JEQ_K(200, 0, 1),
		RET_K(SECCOMP_RET_TRAP),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_filter r_arch[] = {
		LD_ARCH,
		JEQ_K(AUDIT_ARCH_X86_64, 3, 0),
		LD_NR,
		JGE_K(7, 0, 1),
		RET_K(SECCOMP_RET_TRAP),
		RET_K(SECCOMP_RET_ALLOW),
	};
	/* R answers ENOTCAPABLE for nr 5: M's ECAPMODE wins the tie. */
	struct sock_filter r5_errno[] = { ON_NR(5,
	    SECCOMP_RET_ERRNO | ENOTCAPABLE, SECCOMP_RET_ALLOW) };
	struct sock_filter ret_a[] = {
		LD_NR,
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	/* M allows with data bits (the kernel ignores them). */
	struct sock_filter m_data[] = { ON_NR(5, SECCOMP_RET_ERRNO | ECAPMODE,
	    SECCOMP_RET_ALLOW | 7) };
	/* R compares A before loading anything: alone it sees 0. */
	struct sock_filter r_initial_a[] = {
		JEQ_K(0, 0, 1),
		RET_K(SECCOMP_RET_ERRNO | 1),
		RET_K(SECCOMP_RET_ALLOW),
	};
	/* M traps everything; R kills unless the arch is 0, compared
	 * where the arch constants are not collected. */
	struct sock_filter m_trap[] = {
		RET_K(SECCOMP_RET_TRAP),
	};
	struct sock_filter r_far_arch[] = {
		LD_ARCH,
		JA_K(0),
		JEQ_K(0, 1, 0),
		RET_K(SECCOMP_RET_KILL_PROCESS),
		RET_K(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog pm = { 4, m }, pr = { 4, r6 }, pa = { 2, ret_a };
	struct sock_fprog pd = { 4, m_data }, pi = { 3, r_initial_a };
	struct sock_fprog none = { 0, NULL }, out;

	cr_assert_eq(exact_of(m, 4, r5, 4), -EXDEV);
	cr_assert_eq(exact_of(m, 4, r5_arg, 6), -EXDEV);
	cr_assert_eq(exact_of(m, 4, r6, 4), 0);
	cr_assert_eq(exact_of(m, 4, r5_errno, 4), 0);
	cr_assert_eq(exact_of(m_kill, 4, r5, 4), 0);
	cr_assert_eq(exact_of(m_arch, 4, r_arch, 6), -EXDEV);
	/* r6 traps nr 6 of every arch, which m_arch refuses elsewhere. */
	cr_assert_eq(exact_of(m_arch, 4, r6, 4), -EXDEV);
	cr_assert_eq(exact_of(m, 4, r_arch, 6), 0);
	cr_assert_eq(exact_of(ret_a, 2, r6, 4), -ENOTSUP);
	cr_assert_eq(exact_of(m, 4, ret_a, 2), -ENOTSUP);
	/* Where the proof holds, the merged program is the pair. */
	cr_assert_eq(capsicum_bpf_merge(&pm, &pr, &out), 0);
	cr_assert_eq(out.len, 8);
	check_merged(&out, &pm, &pr, 20000);
	capsicum_filter_free(&out);
	/* ALLOW with data runs R too. */
	cr_assert_eq(exact_of(m_data, 4, r6, 4), 0);
	cr_assert_eq(capsicum_bpf_merge(&pd, &pr, &out), 0);
	cr_assert_eq(out.filter[3].code, BPF_JMP | BPF_JA);
	check_merged(&out, &pd, &pr, 20000);
	capsicum_filter_free(&out);
	/* An R that reads what it did not load cannot follow M. */
	cr_assert_eq(exact_of(m, 4, r_initial_a, 3), -ENOTSUP);
	cr_assert_eq(capsicum_bpf_merge(&pm, &pi, &out), -ENOTSUP);
	cr_assert_eq(exact_of(m_trap, 1, r_far_arch, 5), -EXDEV);
	cr_assert_eq(capsicum_bpf_merge(&pa, &pr, &out), -ENOTSUP);
	cr_assert_eq(capsicum_bpf_merge(&none, &pr, &out), -EINVAL);
	cr_assert_eq(capsicum_bpf_merge(&pm, &none, &out), -EINVAL);
}
