/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shrinking filter M after libseccomp compiled it.
 *
 * cap_enter() pays for every instruction it installs: the kernel converts
 * and JIT-compiles the program (about 0.25 us per instruction on the
 * project VM).  libseccomp's binary tree spends about two instructions per
 * allowed syscall: one compare per number, plus the tree.  Most of M's
 * decisions depend on the number alone, and neighbouring numbers mostly
 * share their answer, so a search over the intervals of equal answers is
 * half the size.
 *
 * The pass works on libseccomp's output, not on the policy table, so
 * libseccomp stays the compiler and this is an optimisation of its
 * program:
 *
 *  1. Run the program symbolically for the native architecture at every
 *     number where a comparison in it can change its answer (each
 *     constant k and k + 1).  Between two such points the path taken, and
 *     so the answer, is the same.  An answer is either an action (a "ret")
 *     or "loads an argument at instruction p".
 *  2. Emit: the same architecture check, a binary search over the
 *     intervals whose leaves return the action or jump to a copy of the
 *     argument-checking code, then that code: every instruction reachable
 *     from the continuation points, in the original order, so every jump
 *     keeps its target and gets no longer.  (Folding the comparisons of
 *     the number out of a copy per number was tried: libseccomp's checks
 *     end in shared "ret"s, not back in its search, so the copies only
 *     grew.)
 *
 * Anything outside the instruction subset libseccomp emits, or a program
 * not starting with the usual architecture check, is left alone
 * (-ENOTSUP).  tests/capsicum/model_test.c compares both programs on
 * random inputs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "filter.h"

#define	OFF_NR		offsetof(struct seccomp_data, nr)
#define	OFF_ARCH	offsetof(struct seccomp_data, arch)
#define	OFF_ARGS	offsetof(struct seccomp_data, args)

/* An answer for a number: an action, or the argument load it reaches. */
struct answer {
	bool		arg;
	uint32_t	value;		/* action, or instruction index */
};

struct interval {
	uint32_t	lo;		/* first number of the interval */
	struct answer	ans;
};

static bool
supported(const struct sock_filter *f, unsigned int pc, unsigned int len)
{

	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return (f->k % 4 == 0 && f->k < sizeof(struct seccomp_data));
	case BPF_RET | BPF_K:
	case BPF_ALU | BPF_AND | BPF_K:
		return (true);
	case BPF_JMP | BPF_JA:
		return (f->k < len - pc - 1);
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_K:
		return (f->jt < len - pc - 1 && f->jf < len - pc - 1);
	default:
		return (false);
	}
}

/*
 * Run for (arch, nr) until a "ret" or an argument load.  -ENOTSUP when
 * the path does something the interval argument does not cover: a JSET
 * or an AND on the number (the answer would not be constant between
 * comparison points), a load of the instruction pointer.
 */
static int
walk(const struct sock_fprog *p, uint32_t arch, uint32_t nr,
    struct answer *ans)
{
	const struct sock_filter *f;
	unsigned int pc;
	uint32_t a = 0;
	bool is_nr = false, known = false;

	for (pc = 0; pc < p->len; pc++) {
		f = &p->filter[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k >= OFF_ARGS) {
				*ans = (struct answer){ true, pc };
				return (0);
			}
			if (f->k != OFF_NR && f->k != OFF_ARCH)
				return (-ENOTSUP);
			a = f->k == OFF_NR ? nr : arch;
			is_nr = f->k == OFF_NR;
			known = true;
			break;
		case BPF_RET | BPF_K:
			*ans = (struct answer){ false, f->k };
			return (0);
		case BPF_ALU | BPF_AND | BPF_K:
			if (is_nr || !known)
				return (-ENOTSUP);
			a &= f->k;
			break;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		default:
			if (!known || (is_nr && BPF_OP(f->code) == BPF_JSET))
				return (-ENOTSUP);
			pc += capsicum_bpf_taken(f->code, a, f->k) ? f->jt :
			    f->jf;
			break;
		}
	}
	return (-ENOTSUP);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return ((x > y) - (x < y));
}

/* Step 1: the intervals of equal answers, in order from 0. */
static int
intervals(const struct sock_fprog *p, struct interval **out, unsigned int *np)
{
	struct interval *iv;
	struct answer ans;
	uint32_t *pts;
	unsigned int i, n, npts;
	int r;

	if ((pts = malloc((2 * p->len + 1) * sizeof(*pts))) == NULL)
		return (-ENOMEM);
	npts = 0;
	pts[npts++] = 0;
	for (i = 0; i < p->len; i++) {
		if (BPF_CLASS(p->filter[i].code) != BPF_JMP ||
		    BPF_OP(p->filter[i].code) == BPF_JA)
			continue;
		pts[npts++] = p->filter[i].k;
		if (p->filter[i].k != UINT32_MAX)
			pts[npts++] = p->filter[i].k + 1;
	}
	qsort(pts, npts, sizeof(*pts), cmp_u32);
	if ((iv = malloc(npts * sizeof(*iv))) == NULL) {
		free(pts);
		return (-ENOMEM);
	}
	for (i = 0, n = 0; i < npts; i++) {
		if (i > 0 && pts[i] == pts[i - 1])
			continue;
		if ((r = walk(p, AUDIT_ARCH_X86_64, pts[i], &ans)) != 0) {
			free(pts);
			free(iv);
			return (r);
		}
		if (n > 0 && iv[n - 1].ans.arg == ans.arg &&
		    iv[n - 1].ans.value == ans.value)
			continue;
		iv[n++] = (struct interval){ pts[i], ans };
	}
	free(pts);
	*out = iv;
	*np = n;
	return (0);
}

/* ---------------------------------------------------------------------
 * Step 2: emission.  Jumps name labels.  A search node jumps straight to
 * the shared "ret" (or the copied code) of a leaf; when 8 bits cannot
 * reach it, that leaf is placed inline, and when a node cannot reach its
 * right subtree it becomes "jge; ja" (far).  Emission repeats until
 * everything resolves.
 */
struct copy {
	bool		*keep;		/* instructions kept */
};

struct shrink {
	const struct sock_fprog *in;
	const struct interval *iv;
	unsigned int	niv;
	struct sock_filter *out;
	unsigned int	len, cap;
	int		*where;		/* label -> instruction */
	unsigned int	nlabels;
	bool		*far;		/* per interval index: node is far */
	bool		*inl;		/* per interval index: leaf inline */
	int		*rets;		/* label of the shared "ret" */
	uint32_t	*actions;
	unsigned int	nrets;
	struct copy	copy;
	struct fix {
		unsigned int	insn;
		int		jt, jf, ja;
		int		jt_leaf, jf_leaf; /* shared leaf or -1 */
		unsigned int	node;
	} *fix;
	unsigned int	nfix;
	int		error;
};

static int
new_label(struct shrink *s)
{

	return ((int)s->nlabels++);
}

static void
put(struct shrink *s, uint16_t code, uint32_t k, int jt, int jf, int ja)
{

	if (s->len == s->cap) {
		s->error = -E2BIG;
		return;
	}
	s->out[s->len] = (struct sock_filter){ code, 0, 0, k };
	if (jt >= 0 || jf >= 0 || ja >= 0)
		s->fix[s->nfix++] = (struct fix){ s->len, jt, jf, ja, -1, -1,
		    0 };
	s->len++;
}

static int
ret_label(struct shrink *s, uint32_t action)
{
	unsigned int i;

	for (i = 0; i < s->nrets; i++) {
		if (s->actions[i] == action)
			return (s->rets[i]);
	}
	s->actions[s->nrets] = action;
	s->rets[s->nrets] = new_label(s);
	return (s->rets[s->nrets++]);
}

/* Where a leaf that is not inline goes: a shared "ret" or its copy of
 * the argument checks. */
static int
leaf_label(struct shrink *s, unsigned int i)
{

	if (s->iv[i].ans.arg)
		return ((int)s->iv[i].ans.value);
	return (ret_label(s, s->iv[i].ans.value));
}

static void
leaf_inline(struct shrink *s, unsigned int i)
{

	if (s->iv[i].ans.arg)
		put(s, BPF_JMP | BPF_JA, 0, -1, -1, (int)s->iv[i].ans.value);
	else
		put(s, BPF_RET | BPF_K, s->iv[i].ans.value, -1, -1, -1);
}

/* Search intervals [a, b] (the number is in A), emitted here. */
static void
search(struct shrink *s, unsigned int a, unsigned int b)
{
	unsigned int mid;
	int right, left, rleaf, lleaf;

	if (a == b) {
		leaf_inline(s, a);
		return;
	}
	mid = (a + b + 1) / 2;
	rleaf = mid == b && !s->inl[b] ? (int)b : -1;
	lleaf = a == mid - 1 && !s->inl[a] ? (int)a : -1;
	right = rleaf >= 0 ? leaf_label(s, b) : new_label(s);
	left = lleaf >= 0 ? leaf_label(s, a) : -1;
	if (s->far[mid]) {
		/* jge: to the "ja right" below; else over it. */
		put(s, BPF_JMP | BPF_JGE | BPF_K, s->iv[mid].lo, -1, -1, -1);
		s->out[s->len - 1].jf = 1;
		put(s, BPF_JMP | BPF_JA, 0, -1, -1, right);
		if (left >= 0)
			put(s, BPF_JMP | BPF_JA, 0, -1, -1, left);
	} else {
		put(s, BPF_JMP | BPF_JGE | BPF_K, s->iv[mid].lo, right, left,
		    -1);
		if (s->error == 0) {
			s->fix[s->nfix - 1].jt_leaf = rleaf;
			s->fix[s->nfix - 1].jf_leaf = lleaf;
			s->fix[s->nfix - 1].node = mid;
		}
	}
	if (left < 0)
		search(s, a, mid - 1);
	if (rleaf < 0) {
		s->where[right] = (int)s->len;
		search(s, mid, b);
	}
}

/*
 * The argument checks: every original instruction reachable from an
 * argument load, in the original order, so every jump keeps its target
 * and gets no longer ("ja" chains are followed, not copied).
 */
static unsigned int
follow(const struct sock_fprog *p, unsigned int pc)
{

	while (pc < p->len && p->filter[pc].code == (BPF_JMP | BPF_JA))
		pc += 1 + p->filter[pc].k;
	return (pc);
}

static void
keep(const struct sock_fprog *p, struct copy *c, unsigned int pc)
{
	const struct sock_filter *f;

	for (pc = follow(p, pc); pc < p->len && !c->keep[pc];) {
		c->keep[pc] = true;
		f = &p->filter[pc];
		if (f->code == (BPF_RET | BPF_K))
			return;
		if (BPF_CLASS(f->code) == BPF_JMP) {
			keep(p, c, pc + 1 + f->jt);
			pc = follow(p, pc + 1 + f->jf);
		} else {
			pc = follow(p, pc + 1);
		}
	}
}

static void
emit_copy(struct shrink *s)
{
	const struct sock_fprog *p = s->in;
	const struct sock_filter *f;
	unsigned int pc, nx, succ;

	for (pc = 0; pc < p->len; pc++) {
		if (!s->copy.keep[pc])
			continue;
		f = &p->filter[pc];
		s->where[pc] = (int)s->len;
		if (BPF_CLASS(f->code) == BPF_JMP) {
			put(s, f->code, f->k, (int)follow(p, pc + 1 + f->jt),
			    (int)follow(p, pc + 1 + f->jf), -1);
			continue;
		}
		put(s, f->code, f->k, -1, -1, -1);
		if (f->code == (BPF_RET | BPF_K))
			continue;
		/* A load or an AND: on to its successor, by "ja" when that
		 * is not the next instruction kept. */
		succ = follow(p, pc + 1);
		for (nx = pc + 1; nx < p->len && !s->copy.keep[nx]; nx++)
			continue;
		if (nx != succ)
			put(s, BPF_JMP | BPF_JA, 0, -1, -1, (int)succ);
	}
}

static void
emit_all(struct shrink *s, uint32_t badarch)
{
	unsigned int i;

	s->len = s->nfix = s->nrets = 0;
	s->nlabels = s->in->len;	/* 0..len-1: the copied instructions */
	put(s, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH, -1, -1, -1);
	put(s, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, -1, -1, -1);
	if (s->error == 0)
		s->out[s->len - 1].jt = 1;
	put(s, BPF_RET | BPF_K, badarch, -1, -1, -1);
	put(s, BPF_LD | BPF_W | BPF_ABS, OFF_NR, -1, -1, -1);
	search(s, 0, s->niv - 1);
	for (i = 0; i < s->nrets; i++) {
		s->where[s->rets[i]] = (int)s->len;
		put(s, BPF_RET | BPF_K, s->actions[i], -1, -1, -1);
	}
	emit_copy(s);
}

/* A jump too long for 8 bits: inline its leaf, or make its node far. */
static int
too_far(struct shrink *s, int leaf, unsigned int node)
{

	if (leaf >= 0 && !s->inl[leaf]) {
		s->inl[leaf] = true;
		return (1);
	}
	if (leaf < 0 && node != 0 && !s->far[node]) {
		s->far[node] = true;
		return (1);
	}
	return (-E2BIG);
}

/* Fill in offsets; 1 when emission has to be repeated. */
static int
resolve(struct shrink *s)
{
	struct sock_filter *f;
	struct fix *x;
	unsigned int i;
	int d, dt, df;

	for (i = 0; i < s->nfix; i++) {
		x = &s->fix[i];
		f = &s->out[x->insn];
		if (x->ja >= 0) {
			d = s->where[x->ja] - (int)x->insn - 1;
			if (d < 0)
				return (-EINVAL);
			f->k = (uint32_t)d;
			continue;
		}
		dt = x->jt < 0 ? f->jt : s->where[x->jt] - (int)x->insn - 1;
		df = x->jf < 0 ? f->jf : s->where[x->jf] - (int)x->insn - 1;
		if (dt < 0 || df < 0)
			return (-EINVAL);
		if (dt > 255)
			return (too_far(s, x->jt_leaf, x->node));
		if (df > 255)
			return (too_far(s, x->jf_leaf, x->node));
		f->jt = (uint8_t)dt;
		f->jf = (uint8_t)df;
	}
	return (0);
}

int
capsicum_bpf_shrink(const struct sock_fprog *in, struct sock_fprog *out)
{
	struct shrink s;
	struct answer bad;
	struct interval *iv;
	unsigned int i, niv, room, tries;
	int r;

	memset(out, 0, sizeof(*out));
	if (in->len < 4 || in->filter[in->len - 1].code != (BPF_RET | BPF_K))
		return (-ENOTSUP);
	for (i = 0; i < in->len; i++) {
		if (!supported(&in->filter[i], i, in->len))
			return (-ENOTSUP);
	}
	/* The usual start: load arch, native goes on, else a "ret". */
	if (in->filter[0].code != (BPF_LD | BPF_W | BPF_ABS) ||
	    in->filter[0].k != OFF_ARCH ||
	    in->filter[1].code != (BPF_JMP | BPF_JEQ | BPF_K) ||
	    in->filter[1].k != AUDIT_ARCH_X86_64 || in->filter[1].jt != 0)
		return (-ENOTSUP);
	i = follow(in, 2u + in->filter[1].jf);
	if (i >= in->len || in->filter[i].code != (BPF_RET | BPF_K))
		return (-ENOTSUP);
	bad = (struct answer){ false, in->filter[i].k };
	if ((r = intervals(in, &iv, &niv)) != 0)
		return (r);
	memset(&s, 0, sizeof(s));
	s.in = in;
	s.iv = iv;
	s.niv = niv;
	s.copy.keep = calloc(in->len, sizeof(*s.copy.keep));
	s.far = calloc(niv, sizeof(*s.far));
	s.inl = calloc(niv, sizeof(*s.inl));
	s.rets = calloc(niv, sizeof(*s.rets));
	s.actions = calloc(niv, sizeof(*s.actions));
	r = -ENOMEM;
	if (s.copy.keep == NULL || s.far == NULL || s.inl == NULL ||
	    s.rets == NULL || s.actions == NULL)
		goto out;
	for (i = 0; i < niv; i++) {
		if (iv[i].ans.arg)
			keep(in, &s.copy, iv[i].ans.value);
	}
	/* Search: 3 per node at worst, plus leaves; the copy: an
	 * instruction and a "ja" each at worst. */
	room = 4 * niv + 2 * in->len + 8;
	s.out = calloc(room, sizeof(*s.out));
	s.fix = calloc(room, sizeof(*s.fix));
	s.where = calloc(in->len + 2 * niv + 8, sizeof(*s.where));
	r = -ENOMEM;
	if (s.out == NULL || s.fix == NULL || s.where == NULL)
		goto out;
	s.cap = room;
	for (tries = 0, r = 1; r == 1 && tries <= 2 * niv; tries++) {
		s.error = 0;
		emit_all(&s, bad.value);
		r = s.error != 0 ? s.error : resolve(&s);
	}
	if (r == 0 && s.len >= in->len)
		r = -ENOTSUP;		/* no gain: keep libseccomp's */
	if (r == 0) {
		out->filter = s.out;
		out->len = (unsigned short)s.len;
		s.out = NULL;
	}
out:
	free(s.copy.keep);
	free(s.out);
	free(s.fix);
	free(s.where);
	free(s.far);
	free(s.inl);
	free(s.rets);
	free(s.actions);
	free(iv);
	return (r == 1 ? -E2BIG : r);
}
