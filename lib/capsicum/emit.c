/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Filter R: argument refusals, emulation traps and descriptor rights,
 * compiled from the policy table into classic BPF at cap_enter().
 *
 * Why not libseccomp here, as for filter M: R depends on the descriptors
 * limited at run time, and libseccomp needs milliseconds to build it (17 ms
 * for caph_limit_stdio's three descriptors on the project VM) and emits a
 * rule per descriptor, with set complements expanded into dozens of
 * rules.  This emitter builds one rule per table row, tests a descriptor
 * against the whole set of numbers lacking the right in one pass, and
 * negates tests directly.  It is checked against the C model of the same
 * table (verdict.c) by running the emitted program in a BPF interpreter
 * (tests/capsicum/filter_model.c) and by the live tests.
 *
 * Layout: architecture check, binary search on the syscall number, then
 * per syscall its rules in priority order (traps, ECAPMODE, ENOTCAPABLE);
 * the first rule whose tests all hold returns its action.  Syscalls with
 * no rule never load an argument, so the kernel's action cache keeps them
 * free.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "capsicum_impl.h"
#include "fdtable.h"
#include "filter.h"
#include "policy.h"
#include "verdict.h"

#define	OFF_NR		offsetof(struct seccomp_data, nr)
#define	OFF_ARCH	offsetof(struct seccomp_data, arch)
#define	OFF_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#define	OFF_HI(i)	(OFF_LO(i) + 4)

/* ---------------------------------------------------------------------
 * Rules.
 */
enum etest_kind {
	ET_COND,	/* a policy condition (64-bit semantics) */
	ET_IN,		/* low word in a set of cubes */
	ET_NOTIN,	/* low word in none of a set of cubes */
};

struct cube {
	uint32_t	mask;
	uint32_t	value;
};

struct etest {
	uint8_t		kind;
	uint8_t		arg;
	struct pcond	cond;		/* ET_COND */
	struct cube	*cubes;		/* ET_IN, ET_NOTIN */
	unsigned int	ncubes;
	unsigned int	capcubes;	/* room to merge more values in */
};

#define	MERGE_ROOM	64

#define	MAX_TESTS	(PCOND_MAX + 2)

struct erule {
	int		nr;
	int		prio;		/* 0 trap, 1 ECAPMODE, 2 ENOTCAPABLE */
	unsigned int	seq;		/* insertion order within prio */
	uint32_t	action;
	unsigned int	ntests;
	struct etest	tests[MAX_TESTS];
	bool		far;		/* sets jump through JA (too long) */
	unsigned int	first, last;	/* instructions it was emitted to */
};

struct emitter {
	const struct capsicum_filter_in *in;
	struct erule	*rules;
	unsigned int	nrules, caprules;
	struct cube	**arena;	/* cube arrays to free */
	unsigned int	narena, caparena;
	/* output */
	struct sock_filter *prog;
	unsigned int	len, cap;
	/* labels: insn index each label resolves to */
	int		*labels;
	unsigned int	nlabels, caplabels;
	/* fixups: jumps whose targets are labels */
	struct fixup {
		unsigned int	insn;
		int		jt, jf, ja;	/* label ids, -1: none */
	} *fix;
	unsigned int	nfix, capfix;
	int		error;
};

static void *
grow(void *p, unsigned int *cap, unsigned int need, size_t size, int *error)
{
	unsigned int n;
	void *np;

	if (need <= *cap)
		return (p);
	n = *cap == 0 ? 16 : *cap;
	while (n < need)
		n *= 2;
	np = realloc(p, (size_t)n * size);
	if (np == NULL) {
		*error = -ENOMEM;
		return (p);
	}
	*cap = n;
	return (np);
}

static struct cube *
cubes_new(struct emitter *e, unsigned int n)
{
	struct cube *c;

	e->arena = grow(e->arena, &e->caparena, e->narena + 1,
	    sizeof(*e->arena), &e->error);
	if (e->error != 0)
		return (NULL);
	c = calloc(n + 1, sizeof(*c));
	if (c == NULL) {
		e->error = -ENOMEM;
		return (NULL);
	}
	e->arena[e->narena++] = c;
	return (c);
}

static struct erule *
rule_new(struct emitter *e, int nr, int prio, uint32_t action)
{
	struct erule *r;

	e->rules = grow(e->rules, &e->caprules, e->nrules + 1,
	    sizeof(*e->rules), &e->error);
	if (e->error != 0 || nr < 0)
		return (NULL);
	r = &e->rules[e->nrules];
	memset(r, 0, sizeof(*r));
	r->nr = nr;
	r->prio = prio;
	r->seq = e->nrules++;
	r->action = action;
	return (r);
}

static void
rule_cond(struct erule *r, const struct pcond *pc, pid_t self)
{
	struct etest *t = &r->tests[r->ntests++];

	t->kind = ET_COND;
	t->arg = pc->pc_arg;
	t->cond = *pc;
	if (t->cond.pc_value == PV_SELF_PID)
		t->cond.pc_value = (uint64_t)self;
}

static void
rule_set(struct erule *r, int kind, unsigned int arg, struct cube *c,
    unsigned int n)
{
	struct etest *t = &r->tests[r->ntests++];

	t->kind = (uint8_t)kind;
	t->arg = (uint8_t)arg;
	t->cubes = c;
	t->ncubes = n;
	t->capcubes = n;
}

static uint32_t
act_refuse(const struct emitter *e, int err)
{

	return (e->in->fi_trap ? SECCOMP_RET_TRAP :
	    SECCOMP_RET_ERRNO | ((uint32_t)err & SECCOMP_RET_DATA));
}

/* ---------------------------------------------------------------------
 * From the policy table to rules.
 */
static struct cube
target_cube(const struct capsicum_target *t)
{

	return ((struct cube){ t->t_mask, t->t_value });
}

static bool
target_lacks(const struct capsicum_target *t, const struct prow *row)
{

	if (t->t_protected)
		return (false);
	if ((row->pr_flags & PF_WRITABLE_OFD) != 0 && !t->t_writable)
		return (false);
	return (!capsicum_profile_allows(t->t_prof, row));
}

static void
add_row_conds(struct erule *r, const struct prow *row, pid_t self)
{
	unsigned int j;

	for (j = 0; j < row->pr_ncond; j++)
		rule_cond(r, &row->pr_cond[j], self);
}

/*
 * Does an unconditional row for the same call and descriptor argument
 * already refuse this target?  Then conditional rows need not repeat it
 * (openat without CAP_LOOKUP fails whatever the flags).
 */
static bool
subsumed(const struct emitter *e, const struct prow *row, int nr,
    const struct capsicum_target *t)
{
	const struct prow *u;
	unsigned int i;

	if (row->pr_ncond == 0 && row->pr_fcntl == 0)
		return (false);
	for (i = 0; i < capsicum_policy_len; i++) {
		u = &capsicum_policy[i];
		if (u == row || u->pr_kind != PK_RIGHT || u->pr_ncond != 0 ||
		    u->pr_fcntl != 0 || u->pr_right == PR_IOCTL_LIST ||
		    u->pr_fd != row->pr_fd || capsicum_policy_rownr(i) != nr)
			continue;
		if (target_lacks(t, u))
			return (true);
	}
	return (false);
}

/*
 * A row whose one condition is "argument equals v" (fcntl commands) joins
 * an earlier rule for the same call and descriptors: the rule then tests
 * the argument against the set of values.
 */
static bool
merge_value(struct emitter *e, int nr, const struct prow *row,
    const struct cube *fds, unsigned int nfds)
{
	const struct pcond *pc = &row->pr_cond[0];
	struct erule *r;
	struct etest *v;
	unsigned int i;

	for (i = e->nrules; i-- > 0;) {
		r = &e->rules[i];
		if (r->nr != nr || r->prio != 2 || r->ntests != 2)
			break;
		v = &r->tests[1];
		if (r->tests[0].kind != ET_IN ||
		    r->tests[0].arg != (uint8_t)row->pr_fd ||
		    r->tests[0].ncubes != nfds ||
		    memcmp(r->tests[0].cubes, fds, nfds * sizeof(*fds)) != 0 ||
		    v->kind != ET_IN || v->arg != pc->pc_arg ||
		    v->ncubes == v->capcubes)
			continue;
		v->cubes[v->ncubes++] = (struct cube){ 0xFFFFFFFFU,
		    (uint32_t)pc->pc_value };
		return (true);
	}
	return (false);
}

/* PK_RIGHT: one rule, the descriptor in the set of targets lacking it. */
static void
rules_right(struct emitter *e, const struct prow *row, int nr)
{
	const struct capsicum_filter_in *in = e->in;
	struct erule *r;
	struct cube *c, *vals;
	unsigned int i, n;
	bool single;

	if ((c = cubes_new(e, in->fi_ntargets)) == NULL)
		return;
	for (i = 0, n = 0; i < in->fi_ntargets; i++) {
		if (target_lacks(&in->fi_targets[i], row) &&
		    !subsumed(e, row, nr, &in->fi_targets[i]))
			c[n++] = target_cube(&in->fi_targets[i]);
	}
	if (n == 0)
		return;
	single = row->pr_ncond == 1 && row->pr_cond[0].pc_op == PC_MASKED &&
	    row->pr_cond[0].pc_mask == 0xFFFFFFFFU &&
	    row->pr_cond[0].pc_value != PV_SELF_PID;
	if (single && merge_value(e, nr, row, c, n))
		return;
	if ((r = rule_new(e, nr, 2, act_refuse(e, ENOTCAPABLE))) == NULL)
		return;
	rule_set(r, ET_IN, (unsigned int)row->pr_fd, c, n);
	if (!single) {
		add_row_conds(r, row, in->fi_self);
		return;
	}
	if ((vals = cubes_new(e, MERGE_ROOM)) == NULL)
		return;
	vals[0] = (struct cube){ 0xFFFFFFFFU,
	    (uint32_t)row->pr_cond[0].pc_value };
	rule_set(r, ET_IN, row->pr_cond[0].pc_arg, vals, 1);
	r->tests[1].capcubes = MERGE_ROOM;
}

/* The ioctl list: per profile, commands outside its list. */
static void
rules_ioctl_list(struct emitter *e, const struct prow *row, int nr)
{
	const struct capsicum_filter_in *in = e->in;
	const struct capsicum_profile *p;
	struct erule *r;
	struct cube *fds, *cmds;
	unsigned int i, j, n;
	int32_t k;

	for (i = 0; i < in->fi_ntargets; i++) {
		p = in->fi_targets[i].t_prof;
		if (in->fi_targets[i].t_protected || p->cp_nioctls < 0 ||
		    !cap_rights_is_set(&p->cp_rights, CAP_IOCTL))
			continue;
		/* First target of this profile gathers all of them. */
		for (j = 0; j < i; j++) {
			if (in->fi_targets[j].t_prof == p)
				break;
		}
		if (j < i)
			continue;
		if ((fds = cubes_new(e, in->fi_ntargets)) == NULL ||
		    (cmds = cubes_new(e, (unsigned int)p->cp_nioctls)) == NULL)
			return;
		for (j = i, n = 0; j < in->fi_ntargets; j++) {
			if (in->fi_targets[j].t_prof == p &&
			    !in->fi_targets[j].t_protected)
				fds[n++] = target_cube(&in->fi_targets[j]);
		}
		for (k = 0; k < p->cp_nioctls; k++)
			cmds[k] = (struct cube){ 0xFFFFFFFFU,
			    (uint32_t)p->cp_ioctls[k] };
		if ((r = rule_new(e, nr, 2, act_refuse(e, ENOTCAPABLE))) ==
		    NULL)
			return;
		rule_set(r, ET_IN, (unsigned int)row->pr_fd, fds, n);
		rule_set(r, ET_NOTIN, 1, cmds, (unsigned int)p->cp_nioctls);
		add_row_conds(r, row, in->fi_self);
	}
}

static void
rules_emulate(struct emitter *e, const struct prow *row, int nr)
{
	const struct capsicum_filter_in *in = e->in;
	struct erule *r;
	struct cube *c;
	unsigned int i, n;

	if ((c = cubes_new(e, in->fi_ntargets)) == NULL)
		return;
	for (i = 0, n = 0; i < in->fi_ntargets; i++) {
		if (in->fi_targets[i].t_protected && row->pr_emu != EMU_CLOSE)
			continue;
		c[n++] = target_cube(&in->fi_targets[i]);
	}
	if (n == 0 || (r = rule_new(e, nr, 0, SECCOMP_RET_TRAP)) == NULL)
		return;
	rule_set(r, ET_IN, (unsigned int)row->pr_fd, c, n);
	add_row_conds(r, row, in->fi_self);
}

/* dup2/dup3: nothing onto a protected number; a limited descriptor only
 * into its own band (dup3), never through dup2.  Targets sharing a band
 * share a rule. */
static void
rules_dup_target(struct emitter *e, const struct prow *row, int nr)
{
	const struct capsicum_filter_in *in = e->in;
	const struct capsicum_target *ti, *tj;
	const struct capsicum_band *band;
	struct erule *r;
	struct cube *c, *b;
	unsigned int i, j, n;
	bool dup3;

	dup3 = strcmp(row->pr_sys, "dup3") == 0;
	if ((c = cubes_new(e, in->fi_ntargets)) == NULL)
		return;
	for (i = 0, n = 0; i < in->fi_ntargets; i++) {
		if (in->fi_targets[i].t_protected)
			c[n++] = target_cube(&in->fi_targets[i]);
	}
	if (n > 0 && (r = rule_new(e, nr, 2, act_refuse(e, ENOTCAPABLE))) !=
	    NULL)
		rule_set(r, ET_IN, (unsigned int)row->pr_fd2, c, n);
	for (i = 0; i < in->fi_ntargets; i++) {
		ti = &in->fi_targets[i];
		if (ti->t_protected)
			continue;
		for (j = 0; j < i; j++) {
			tj = &in->fi_targets[j];
			if (!tj->t_protected && tj->t_band == ti->t_band &&
			    (ti->t_band != NULL || tj->t_prof == ti->t_prof))
				break;
		}
		if (j < i)
			continue;
		if ((c = cubes_new(e, in->fi_ntargets)) == NULL)
			return;
		for (j = i, n = 0; j < in->fi_ntargets; j++) {
			tj = &in->fi_targets[j];
			if (!tj->t_protected && tj->t_band == ti->t_band &&
			    (ti->t_band != NULL || tj->t_prof == ti->t_prof))
				c[n++] = target_cube(tj);
		}
		if ((r = rule_new(e, nr, 2, act_refuse(e, ENOTCAPABLE))) ==
		    NULL)
			return;
		rule_set(r, ET_IN, (unsigned int)row->pr_fd, c, n);
		band = ti->t_band;
		if (band != NULL && dup3) {
			if ((b = cubes_new(e, 1)) == NULL)
				return;
			b[0] = (struct cube){ capsicum_band_mask(band),
			    (uint32_t)band->band_base };
			rule_set(r, ET_NOTIN, (unsigned int)row->pr_fd2, b, 1);
		}
	}
}

/* close_range: a range over any target traps (one rule per target). */
static void
rules_range(struct emitter *e, const struct prow *row, int nr)
{
	const struct capsicum_filter_in *in = e->in;
	const struct capsicum_target *t;
	struct pcond lo, hi;
	struct erule *r;
	unsigned int i;

	for (i = 0; i < in->fi_ntargets; i++) {
		t = &in->fi_targets[i];
		if ((r = rule_new(e, nr, 0, SECCOMP_RET_TRAP)) == NULL)
			return;
		lo = (struct pcond){ (uint8_t)row->pr_fd, PC_LE, 0,
		    t->t_value | ~t->t_mask };
		hi = (struct pcond){ (uint8_t)row->pr_fd2, PC_GE, 0,
		    t->t_value };
		rule_cond(r, &lo, in->fi_self);
		rule_cond(r, &hi, in->fi_self);
	}
}

static void
collect(struct emitter *e)
{
	const struct capsicum_filter_in *in = e->in;
	const struct prow *row;
	struct erule *r;
	struct cube *c;
	unsigned int i;
	int nr;

	for (i = 0; i < capsicum_policy_len && e->error == 0; i++) {
		row = &capsicum_policy[i];
		nr = capsicum_policy_rownr(i);
		switch (row->pr_kind) {
		case PK_REFUSE:
			if (!in->fi_global)
				break;
			if ((r = rule_new(e, nr, 1, act_refuse(e, ECAPMODE))) !=
			    NULL)
				add_row_conds(r, row, in->fi_self);
			break;
		case PK_EMULATE:
			if (!in->fi_global)
				break;
			if ((r = rule_new(e, nr, 0, SECCOMP_RET_TRAP)) != NULL)
				add_row_conds(r, row, in->fi_self);
			break;
		default:
			if (row->pr_fd < 0 || in->fi_ntargets == 0 ||
			    !capsicum_policy_row_allowed(i))
				break;
			if (row->pr_kind == PK_RIGHT &&
			    row->pr_right == PR_IOCTL_LIST)
				rules_ioctl_list(e, row, nr);
			else if (row->pr_kind == PK_RIGHT)
				rules_right(e, row, nr);
			else if (row->pr_kind == PK_LIMITED_EMULATE)
				rules_emulate(e, row, nr);
			else if (row->pr_kind == PK_LIMITED_DUP_TARGET)
				rules_dup_target(e, row, nr);
			else if (row->pr_kind == PK_LIMITED_RANGE)
				rules_range(e, row, nr);
			break;
		}
	}
	if (!in->fi_global || e->error != 0)
		return;
	if ((c = cubes_new(e, capsicum_refused_ioctls_len)) == NULL)
		return;
	for (i = 0; i < capsicum_refused_ioctls_len; i++)
		c[i] = (struct cube){ 0xFFFFFFFFU,
		    (uint32_t)capsicum_refused_ioctls[i] };
	if ((r = rule_new(e, SYS_ioctl, 1, act_refuse(e, ECAPMODE))) != NULL)
		rule_set(r, ET_IN, 1, c, capsicum_refused_ioctls_len);
}

/* ---------------------------------------------------------------------
 * Code generation with labels.
 */
static int
label_new(struct emitter *e)
{

	e->labels = grow(e->labels, &e->caplabels, e->nlabels + 1,
	    sizeof(*e->labels), &e->error);
	if (e->error != 0)
		return (0);
	e->labels[e->nlabels] = -1;
	return ((int)e->nlabels++);
}

static void
label_here(struct emitter *e, int l)
{

	if (e->error == 0)
		e->labels[l] = (int)e->len;
}

/* Emit code; jt/jf/ja name labels (-1: fall through / unused). */
static void
emit(struct emitter *e, uint16_t code, uint32_t k, int jt, int jf, int ja)
{

	e->prog = grow(e->prog, &e->cap, e->len + 1, sizeof(*e->prog),
	    &e->error);
	if (e->error != 0)
		return;
	e->prog[e->len] = (struct sock_filter)BPF_STMT(code, k);
	if (jt >= 0 || jf >= 0 || ja >= 0) {
		e->fix = grow(e->fix, &e->capfix, e->nfix + 1,
		    sizeof(*e->fix), &e->error);
		if (e->error != 0)
			return;
		e->fix[e->nfix++] = (struct fixup){ e->len, jt, jf, ja };
	}
	e->len++;
}

#define	LD(e, off)	emit(e, BPF_LD | BPF_W | BPF_ABS, (uint32_t)(off), -1, -1, -1)
#define	AND(e, m)	emit(e, BPF_ALU | BPF_AND | BPF_K, (m), -1, -1, -1)
#define	JEQ(e, k, t, f)	emit(e, BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f), -1)
#define	JGT(e, k, t, f)	emit(e, BPF_JMP | BPF_JGT | BPF_K, (k), (t), (f), -1)
#define	JGE(e, k, t, f)	emit(e, BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f), -1)
#define	JA(e, l)	emit(e, BPF_JMP | BPF_JA, 0, -1, -1, (l))
#define	RET(e, k)	emit(e, BPF_RET | BPF_K, (k), -1, -1, -1)

/* A 32-bit masked compare: (word & mask) == value, else jump to fail. */
static void
word_eq(struct emitter *e, uint32_t off, uint32_t mask, uint32_t value,
    int fail)
{

	if (mask == 0) {
		if (value != 0)
			JA(e, fail);
		return;
	}
	LD(e, off);
	if (mask != 0xFFFFFFFFU)
		AND(e, mask);
	JEQ(e, value, -1, fail);
}

/* Emit code that falls through when the condition holds. */
static void
emit_cond(struct emitter *e, const struct pcond *pc, int fail)
{
	uint32_t vh = (uint32_t)(pc->pc_value >> 32), vl = (uint32_t)pc->pc_value;
	int ok;

	switch (pc->pc_op) {
	case PC_MASKED:
		word_eq(e, OFF_HI(pc->pc_arg), (uint32_t)(pc->pc_mask >> 32),
		    vh, fail);
		word_eq(e, OFF_LO(pc->pc_arg), (uint32_t)pc->pc_mask, vl, fail);
		break;
	case PC_EQ:
		word_eq(e, OFF_HI(pc->pc_arg), 0xFFFFFFFFU, vh, fail);
		word_eq(e, OFF_LO(pc->pc_arg), 0xFFFFFFFFU, vl, fail);
		break;
	case PC_NE:
		ok = label_new(e);
		LD(e, OFF_HI(pc->pc_arg));
		JEQ(e, vh, -1, ok);
		LD(e, OFF_LO(pc->pc_arg));
		JEQ(e, vl, fail, -1);
		label_here(e, ok);
		break;
	case PC_GT:
	case PC_GE:
		ok = label_new(e);
		LD(e, OFF_HI(pc->pc_arg));
		JGT(e, vh, ok, -1);
		JEQ(e, vh, -1, fail);
		LD(e, OFF_LO(pc->pc_arg));
		if (pc->pc_op == PC_GT)
			JGT(e, vl, -1, fail);
		else
			JGE(e, vl, -1, fail);
		label_here(e, ok);
		break;
	case PC_MASKED_NE:
		/* Holds when either word differs under the mask. */
		ok = label_new(e);
		if ((pc->pc_mask >> 32) != 0) {
			LD(e, OFF_HI(pc->pc_arg));
			AND(e, (uint32_t)(pc->pc_mask >> 32));
			JEQ(e, vh, -1, ok);
		}
		LD(e, OFF_LO(pc->pc_arg));
		if ((uint32_t)pc->pc_mask != 0xFFFFFFFFU)
			AND(e, (uint32_t)pc->pc_mask);
		JEQ(e, vl, fail, -1);
		label_here(e, ok);
		break;
	case PC_ANY:
		/* The bits can sit in either word (clone flags are 64-bit). */
		ok = label_new(e);
		if ((pc->pc_mask >> 32) != 0) {
			LD(e, OFF_HI(pc->pc_arg));
			emit(e, BPF_JMP | BPF_JSET | BPF_K,
			    (uint32_t)(pc->pc_mask >> 32), ok, -1, -1);
		}
		LD(e, OFF_LO(pc->pc_arg));
		emit(e, BPF_JMP | BPF_JSET | BPF_K, (uint32_t)pc->pc_mask, -1,
		    fail, -1);
		label_here(e, ok);
		break;
	case PC_LE:
		ok = label_new(e);
		LD(e, OFF_HI(pc->pc_arg));
		JGT(e, vh, fail, -1);
		JEQ(e, vh, -1, ok);
		LD(e, OFF_LO(pc->pc_arg));
		JGT(e, vl, fail, -1);
		label_here(e, ok);
		break;
	}
}

/*
 * Low word of arg in (ET_IN) or outside (ET_NOTIN) a set of cubes.
 * Exact values come first so one load serves them all.  Near form: each
 * value is one "jeq" whose 8-bit jump reaches the end of the test (or the
 * rule's fail label); far form, for sets too long for that: "jeq; ja".
 */
static void
emit_set(struct emitter *e, const struct etest *t, int fail, bool far)
{
	int match, loaded, pass;
	unsigned int i;

	match = label_new(e);
	loaded = 0;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < t->ncubes; i++) {
			if ((t->cubes[i].mask == 0xFFFFFFFFU) != (pass == 0))
				continue;
			if (!loaded) {
				LD(e, OFF_LO(t->arg));
				loaded = 1;
			}
			if (t->cubes[i].mask != 0xFFFFFFFFU) {
				AND(e, t->cubes[i].mask);
				loaded = 0;	/* A holds the masked value */
			}
			if (!far) {
				JEQ(e, t->cubes[i].value,
				    t->kind == ET_IN ? match : fail, -1);
				continue;
			}
			JEQ(e, t->cubes[i].value, -1, -1);
			if (e->error == 0)
				e->prog[e->len - 1].jf = 1;
			JA(e, t->kind == ET_IN ? match : fail);
		}
	}
	if (t->kind == ET_IN)
		JA(e, fail);
	label_here(e, match);
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct erule *x = a, *y = b;

	if (x->nr != y->nr)
		return ((x->nr > y->nr) - (x->nr < y->nr));
	if (x->prio != y->prio)
		return (x->prio - y->prio);
	return ((x->seq > y->seq) - (x->seq < y->seq));
}

/* A rule: the sets first, then the conditions, which stay close enough
 * to the rule's end for 8-bit jumps. */
static void
emit_block(struct emitter *e, unsigned int first, unsigned int last)
{
	struct erule *r;
	unsigned int i, j;
	int next;

	for (i = first; i <= last && e->error == 0; i++) {
		r = &e->rules[i];
		r->first = e->len;
		next = label_new(e);
		for (j = 0; j < r->ntests; j++) {
			if (r->tests[j].kind != ET_COND)
				emit_set(e, &r->tests[j], next, r->far);
		}
		for (j = 0; j < r->ntests; j++) {
			if (r->tests[j].kind == ET_COND)
				emit_cond(e, &r->tests[j].cond, next);
		}
		RET(e, r->action);
		label_here(e, next);
		r->last = e->len;
	}
	RET(e, SECCOMP_RET_ALLOW);
}

/* Binary search over the distinct syscall numbers nrs[lo..hi]. */
static void
emit_dispatch(struct emitter *e, const int *nrs, const int *blocks, int lo,
    int hi, int deflt)
{
	int mid, right, i;

	if (hi - lo < 4) {
		for (i = lo; i <= hi; i++) {
			JEQ(e, (uint32_t)nrs[i], -1, -1);
			if (e->error == 0)
				e->prog[e->len - 1].jf = 1;
			JA(e, blocks[i]);
		}
		JA(e, deflt);
		return;
	}
	mid = (lo + hi + 1) / 2;
	right = label_new(e);
	JGE(e, (uint32_t)nrs[mid], -1, -1);
	if (e->error == 0)
		e->prog[e->len - 1].jf = 1;
	JA(e, right);
	emit_dispatch(e, nrs, blocks, lo, mid - 1, deflt);
	label_here(e, right);
	emit_dispatch(e, nrs, blocks, mid, hi, deflt);
}

/*
 * Fill in jump offsets.  A conditional jump beyond 8 bits marks its rule
 * far and fails with EAGAIN (the caller emits again); one that cannot be
 * made far is E2BIG.
 */
static int
far_rule(struct emitter *e, unsigned int insn)
{
	unsigned int i;

	for (i = 0; i < e->nrules; i++) {
		if (insn >= e->rules[i].first && insn < e->rules[i].last &&
		    !e->rules[i].far) {
			e->rules[i].far = true;
			return (-EAGAIN);
		}
	}
	return (-E2BIG);
}

static int
resolve(struct emitter *e)
{
	struct sock_filter *f;
	unsigned int i;
	int d;

	for (i = 0; i < e->nfix; i++) {
		f = &e->prog[e->fix[i].insn];
		if (e->fix[i].ja >= 0) {
			d = e->labels[e->fix[i].ja] - (int)e->fix[i].insn - 1;
			if (d < 0)
				return (-EINVAL);
			f->k = (uint32_t)d;
		}
		if (e->fix[i].jt >= 0) {
			d = e->labels[e->fix[i].jt] - (int)e->fix[i].insn - 1;
			if (d < 0 || d > 255)
				return (far_rule(e, e->fix[i].insn));
			f->jt = (uint8_t)d;
		}
		if (e->fix[i].jf >= 0) {
			d = e->labels[e->fix[i].jf] - (int)e->fix[i].insn - 1;
			if (d < 0 || d > 255)
				return (far_rule(e, e->fix[i].insn));
			f->jf = (uint8_t)d;
		}
	}
	return (0);
}

static void
emit_program(struct emitter *e, const int *nrs, const int *blocks,
    unsigned int n, int allow)
{
	unsigned int i, j, first;

	/* A foreign architecture is filter M's business. */
	LD(e, OFF_ARCH);
	JEQ(e, AUDIT_ARCH_X86_64, -1, -1);
	if (e->error == 0)
		e->prog[e->len - 1].jt = 1;
	JA(e, allow);
	LD(e, OFF_NR);
	if (n > 0)
		emit_dispatch(e, nrs, blocks, 0, (int)n - 1, allow);
	label_here(e, allow);
	RET(e, SECCOMP_RET_ALLOW);
	for (i = 0, j = 0; j < n && e->error == 0; j++) {
		first = i;
		while (i < e->nrules && e->rules[i].nr == nrs[j])
			i++;
		label_here(e, blocks[j]);
		emit_block(e, first, i - 1);
	}
}

static void
generate(struct emitter *e)
{
	int *nrs, *blocks, allow;
	unsigned int i, n, tries;

	qsort(e->rules, e->nrules, sizeof(*e->rules), rule_cmp);
	nrs = calloc(e->nrules + 1, sizeof(*nrs));
	blocks = calloc(e->nrules + 1, sizeof(*blocks));
	if (nrs == NULL || blocks == NULL) {
		e->error = -ENOMEM;
		goto out;
	}
	for (i = 0, n = 0; i < e->nrules; i++) {
		if (n == 0 || nrs[n - 1] != e->rules[i].nr)
			nrs[n++] = e->rules[i].nr;
	}
	for (tries = 0; tries <= e->nrules && e->error == 0; tries++) {
		e->len = e->nlabels = e->nfix = 0;
		for (i = 0; i < n; i++)
			blocks[i] = label_new(e);
		allow = label_new(e);
		emit_program(e, nrs, blocks, n, allow);
		if (e->error == 0)
			e->error = resolve(e);
		if (e->error != -EAGAIN)
			break;
		e->error = 0;
	}
	if (e->error == 0 && e->len > BPF_MAXINSNS)
		e->error = -E2BIG;
out:
	free(nrs);
	free(blocks);
}

int
capsicum_rfilter_build(const struct capsicum_filter_in *in,
    struct sock_fprog *prog)
{
	struct emitter e;
	unsigned int i;

	memset(&e, 0, sizeof(e));
	memset(prog, 0, sizeof(*prog));
	e.in = in;
	capsicum_policy_init();
	collect(&e);
	if (e.error == 0)
		generate(&e);
	for (i = 0; i < e.narena; i++)
		free(e.arena[i]);
	free(e.arena);
	free(e.rules);
	free(e.labels);
	free(e.fix);
	if (e.error != 0) {
		free(e.prog);
		return (e.error);
	}
	prog->filter = e.prog;
	prog->len = (unsigned short)e.len;
	return (0);
}
