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
 *
 * Size is what cap_enter() pays for: the kernel converts and JIT-compiles
 * every instruction (about 0.3 us each on the project VM).  So the rules
 * are shared: a syscall's chain of rules is a path in a graph whose nodes
 * are "this rule, then that node", and syscalls that end the same way
 * (most descriptor calls refuse the same set of numbers) share one copy.
 * Rows that differ only in one compared value (fcntl commands, the broker
 * call's syscall numbers) merge into one rule testing a set of values.
 * The code itself stays simple and local (trampolines, a "ja" per search
 * node, each rule loading its argument); bpfopt.c then removes what that
 * leaves behind, about a third of the program.
 */
#include <errno.h>
#include <limits.h>
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
};

/*
 * A rule followed by what runs when it does not match: a node of the
 * shared code.  Syscalls whose remaining rules are the same share one
 * copy of them, so the program grows with the number of distinct rules
 * rather than with the number of syscalls times descriptors.
 */
struct enode {
	unsigned int	rule;		/* the rule it tests */
	int		next;		/* node tried next; -1: allow */
	unsigned int	npred;		/* nodes whose next this is */
	int		label;
	int		tramp;		/* its dispatch trampoline, or -1 */
	bool		far;		/* sets jump through JA (too long) */
	unsigned int	far_pass;	/* the pass that made it far */
	bool		done;		/* emitted in this pass */
	unsigned int	first, last;	/* instructions it was emitted to */
};

struct emitter {
	const struct capsicum_filter_in *in;
	struct erule	*rules;
	unsigned int	nrules, caprules;
	struct cube	**arena;	/* cube blocks to free */
	unsigned int	narena, caparena;
	struct cube	*pool;		/* free part of the last block */
	unsigned int	pool_left;
	struct enode	*nodes;
	unsigned int	nnodes;
	int		*entry;		/* per distinct syscall: first node */
	int		*plain_head;	/* unconditional rows, by call */
	int		*plain_next;
	bool		dispatch_far;	/* leaves jump through their own ja */
	unsigned int	dispatch_pass;	/* the pass that made it far */
	unsigned int	pass;		/* resolve() calls so far */
	unsigned int	dispatch_first, dispatch_last;
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

/*
 * Cube arrays come from blocks that live as long as the emitter: one
 * calloc per block, not per rule (allocation was the largest cost of
 * building R).
 */
#define	POOL_BLOCK	1024

static struct cube *
cubes_new(struct emitter *e, unsigned int n)
{
	struct cube *c;
	unsigned int size;

	n++;			/* as before: one spare entry */
	if (e->pool_left < n) {
		size = n > POOL_BLOCK ? n : POOL_BLOCK;
		e->arena = grow(e->arena, &e->caparena, e->narena + 1,
		    sizeof(*e->arena), &e->error);
		if (e->error != 0)
			return (NULL);
		if ((c = calloc(size, sizeof(*c))) == NULL) {
			e->error = -ENOMEM;
			return (NULL);
		}
		e->arena[e->narena++] = c;
		e->pool = c;
		e->pool_left = size;
	}
	c = e->pool;
	e->pool += n;
	e->pool_left -= n;
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
 * (openat without CAP_LOOKUP fails whatever the flags).  The candidates
 * are chained per syscall once per filter: scanning the table for every
 * row and target made this the costliest part of building R.
 */
#define	MAX_NR	1024

static void
index_plain(struct emitter *e)
{
	const struct prow *u;
	unsigned int i;
	int nr;

	e->plain_head = malloc(MAX_NR * sizeof(*e->plain_head));
	e->plain_next = malloc((capsicum_policy_len + 1) *
	    sizeof(*e->plain_next));
	if (e->plain_head == NULL || e->plain_next == NULL) {
		e->error = -ENOMEM;
		return;
	}
	for (i = 0; i < MAX_NR; i++)
		e->plain_head[i] = -1;
	for (i = capsicum_policy_len; i-- > 0;) {
		u = &capsicum_policy[i];
		nr = capsicum_policy_rownr(i);
		if (u->pr_kind != PK_RIGHT || u->pr_ncond != 0 ||
		    u->pr_fcntl != 0 || u->pr_right == PR_IOCTL_LIST ||
		    nr < 0 || nr >= MAX_NR)
			continue;
		e->plain_next[i] = e->plain_head[nr];
		e->plain_head[nr] = (int)i;
	}
}

static bool
subsumed(const struct emitter *e, const struct prow *row, int nr,
    const struct capsicum_target *t)
{
	const struct prow *u;
	int j;

	if (row->pr_ncond == 0 && row->pr_fcntl == 0)
		return (false);
	if (nr < 0 || nr >= MAX_NR)
		return (false);
	for (j = e->plain_head[nr]; j >= 0; j = e->plain_next[j]) {
		u = &capsicum_policy[j];
		if (u != row && u->pr_fd == row->pr_fd && target_lacks(t, u))
			return (true);
	}
	return (false);
}

/*
 * A row whose one condition is "argument equals v" (fcntl commands, the
 * broker call's syscall numbers) joins an earlier rule for the same call
 * and descriptors: the rule then tests the low word against the set of
 * values, and the high word, when the row compares all 64 bits, against
 * the value they share.
 */
static bool
single_value(const struct prow *row)
{
	const struct pcond *pc = &row->pr_cond[0];

	if (row->pr_ncond != 1 || pc->pc_value == PV_SELF_PID)
		return (false);
	return (pc->pc_op == PC_EQ || (pc->pc_op == PC_MASKED &&
	    pc->pc_mask == 0xFFFFFFFFU));
}

static bool
high_test(const struct prow *row, struct pcond *hi)
{
	const struct pcond *pc = &row->pr_cond[0];

	if (pc->pc_op != PC_EQ)
		return (false);
	*hi = (struct pcond){ pc->pc_arg, PC_MASKED, 0xFFFFFFFF00000000ULL,
	    pc->pc_value & 0xFFFFFFFF00000000ULL };
	return (true);
}

static bool
merge_value(struct emitter *e, int nr, const struct prow *row,
    const struct cube *fds, unsigned int nfds)
{
	const struct pcond *pc = &row->pr_cond[0];
	struct pcond hi = { 0, 0, 0, 0 };
	struct erule *r;
	struct etest *v;
	unsigned int i, ntests;
	bool has_hi;

	has_hi = high_test(row, &hi);
	ntests = has_hi ? 3 : 2;
	for (i = e->nrules; i-- > 0;) {
		r = &e->rules[i];
		if (r->nr != nr || r->prio != 2 || r->ntests < 2)
			break;
		v = &r->tests[1];
		if (r->ntests != ntests || r->tests[0].kind != ET_IN ||
		    r->tests[0].arg != (uint8_t)row->pr_fd ||
		    r->tests[0].ncubes != nfds ||
		    memcmp(r->tests[0].cubes, fds, nfds * sizeof(*fds)) != 0 ||
		    v->kind != ET_IN || v->arg != pc->pc_arg ||
		    v->ncubes == v->capcubes)
			continue;
		if (has_hi && (r->tests[2].kind != ET_COND ||
		    r->tests[2].cond.pc_arg != hi.pc_arg ||
		    r->tests[2].cond.pc_op != hi.pc_op ||
		    r->tests[2].cond.pc_mask != hi.pc_mask ||
		    r->tests[2].cond.pc_value != hi.pc_value))
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
	struct pcond hi;
	unsigned int i, n;
	bool single;

	/* Most rows refuse no target: allocate only for those that do. */
	for (i = 0; i < in->fi_ntargets; i++) {
		if (target_lacks(&in->fi_targets[i], row))
			break;
	}
	if (i == in->fi_ntargets)
		return;
	if ((c = cubes_new(e, in->fi_ntargets)) == NULL)
		return;
	for (n = 0; i < in->fi_ntargets; i++) {
		if (target_lacks(&in->fi_targets[i], row) &&
		    !subsumed(e, row, nr, &in->fi_targets[i]))
			c[n++] = target_cube(&in->fi_targets[i]);
	}
	if (n == 0)
		return;
	single = single_value(row);
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
	if (high_test(row, &hi))
		rule_cond(r, &hi, in->fi_self);
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
		case PK_NOBROKER_EMULATE:
			if (!in->fi_nobroker)
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

static const struct erule *sort_base;

static int
rule_cmp(const void *a, const void *b)
{
	const struct erule *x = &sort_base[*(const unsigned int *)a];
	const struct erule *y = &sort_base[*(const unsigned int *)b];

	if (x->nr != y->nr)
		return ((x->nr > y->nr) - (x->nr < y->nr));
	if (x->prio != y->prio)
		return (x->prio - y->prio);
	return ((x->seq > y->seq) - (x->seq < y->seq));
}

/* Rules by syscall, then priority, then table order.  An index is
 * sorted and the rules permuted in place (they are large, and in a
 * process just forked every new page costs a fault).  rule_cmp() needs
 * the base in a static: the emitter runs under the capability-mode
 * lock. */
static void
sort_rules(struct emitter *e)
{
	struct erule tmp;
	unsigned int *order, i, j, k;

	if ((order = malloc((e->nrules + 1) * sizeof(*order))) == NULL) {
		e->error = -ENOMEM;
		return;
	}
	for (i = 0; i < e->nrules; i++)
		order[i] = i;
	sort_base = e->rules;
	qsort(order, e->nrules, sizeof(*order), rule_cmp);
	/* Position i takes rule order[i]: follow each cycle once. */
	for (i = 0; i < e->nrules; i++) {
		if (order[i] == i || order[i] == UINT_MAX)
			continue;
		tmp = e->rules[i];
		for (j = i;;) {
			k = order[j];
			order[j] = UINT_MAX;
			if (k == i) {
				e->rules[j] = tmp;
				break;
			}
			e->rules[j] = e->rules[k];
			j = k;
		}
	}
	free(order);
}

/* ---------------------------------------------------------------------
 * Sharing: rules as nodes of a graph.
 */
static bool
test_eq(const struct etest *a, const struct etest *b)
{

	if (a->kind != b->kind || a->arg != b->arg)
		return (false);
	if (a->kind == ET_COND)
		return (a->cond.pc_arg == b->cond.pc_arg &&
		    a->cond.pc_op == b->cond.pc_op &&
		    a->cond.pc_mask == b->cond.pc_mask &&
		    a->cond.pc_value == b->cond.pc_value);
	return (a->ncubes == b->ncubes && memcmp(a->cubes, b->cubes,
	    a->ncubes * sizeof(*a->cubes)) == 0);
}

static bool
rule_eq(const struct erule *a, const struct erule *b)
{
	unsigned int i;

	if (a->action != b->action || a->ntests != b->ntests)
		return (false);
	for (i = 0; i < a->ntests; i++) {
		if (!test_eq(&a->tests[i], &b->tests[i]))
			return (false);
	}
	return (true);
}

static uint64_t
mix(uint64_t h, uint64_t v)
{

	return ((h ^ v) * 0x100000001B3ULL);
}

static uint64_t
node_hash(const struct erule *r, int next)
{
	const struct etest *t;
	uint64_t h = 0xCBF29CE484222325ULL;
	unsigned int i, j;

	h = mix(h, r->action);
	h = mix(h, (uint64_t)(int64_t)next);
	for (i = 0; i < r->ntests; i++) {
		t = &r->tests[i];
		h = mix(h, (uint64_t)t->kind << 8 | t->arg);
		if (t->kind == ET_COND) {
			h = mix(h, t->cond.pc_op);
			h = mix(h, t->cond.pc_mask);
			h = mix(h, t->cond.pc_value);
			continue;
		}
		for (j = 0; j < t->ncubes; j++)
			h = mix(h, (uint64_t)t->cubes[j].mask << 32 |
			    t->cubes[j].value);
	}
	return (h);
}

/*
 * Build the graph: each syscall's rules, from its last to its first,
 * become nodes "this rule, then that node", found again when another
 * syscall ends the same way.  Rules are sorted by syscall.
 */
static void
share(struct emitter *e, const int *nrs, unsigned int n)
{
	struct enode *nd;
	unsigned int i, j, first, last, nslots, *slot;
	uint64_t h;
	int next;

	nslots = 64;
	while (nslots < 2 * e->nrules)
		nslots *= 2;
	e->nodes = calloc(e->nrules + 1, sizeof(*e->nodes));
	e->entry = calloc(n + 1, sizeof(*e->entry));
	slot = calloc(nslots, sizeof(*slot));	/* node index + 1 */
	if (e->nodes == NULL || e->entry == NULL || slot == NULL) {
		e->error = -ENOMEM;
		free(slot);
		return;
	}
	for (i = 0, j = 0; j < n; j++) {
		first = i;
		while (i < e->nrules && e->rules[i].nr == nrs[j])
			i++;
		next = -1;
		for (last = i; last-- > first;) {
			h = node_hash(&e->rules[last], next);
			for (h &= nslots - 1; slot[h] != 0; h = (h + 1) &
			    (nslots - 1)) {
				nd = &e->nodes[slot[h] - 1];
				if (nd->next == next && rule_eq(&e->rules[nd->rule],
				    &e->rules[last]))
					break;
			}
			if (slot[h] == 0) {
				nd = &e->nodes[e->nnodes];
				nd->rule = last;
				nd->next = next;
				if (next >= 0)
					e->nodes[next].npred++;
				slot[h] = ++e->nnodes;
			}
			next = (int)(slot[h] - 1);
		}
		e->entry[j] = next;
	}
	free(slot);
}

/* One node: the sets first, then the conditions, which stay close
 * enough to the rule's end for 8-bit jumps; then its successor, which
 * follows directly when nothing else still has to jump to it. */
static int
emit_node(struct emitter *e, struct enode *nd)
{
	const struct erule *r = &e->rules[nd->rule];
	struct enode *nx;
	unsigned int j;
	int fail;

	label_here(e, nd->label);
	nd->first = e->len;
	fail = label_new(e);
	for (j = 0; j < r->ntests; j++) {
		if (r->tests[j].kind != ET_COND)
			emit_set(e, &r->tests[j], fail, nd->far);
	}
	for (j = 0; j < r->ntests; j++) {
		if (r->tests[j].kind == ET_COND)
			emit_cond(e, &r->tests[j].cond, fail);
	}
	RET(e, r->action);
	label_here(e, fail);
	nd->last = e->len;
	if (nd->next < 0) {
		RET(e, SECCOMP_RET_ALLOW);
		return (-1);
	}
	nx = &e->nodes[nd->next];
	if (--nx->npred == 0)
		return (nd->next);
	JA(e, nx->label);
	return (-1);
}

/* Every node after all nodes that jump to it (BPF jumps forward only). */
static void
emit_nodes(struct emitter *e)
{
	unsigned int *npred, i;
	int cur;

	if ((npred = calloc(e->nnodes + 1, sizeof(*npred))) == NULL) {
		e->error = -ENOMEM;
		return;
	}
	for (i = 0; i < e->nnodes; i++)
		npred[i] = e->nodes[i].npred;
	/* Created last is nearest the syscalls' entries: start there. */
	for (i = e->nnodes; i-- > 0 && e->error == 0;) {
		if (e->nodes[i].npred != 0 || e->nodes[i].done)
			continue;
		for (cur = (int)i; cur >= 0 && e->error == 0;) {
			e->nodes[cur].done = true;
			cur = emit_node(e, &e->nodes[cur]);
		}
	}
	for (i = 0; i < e->nnodes; i++)
		e->nodes[i].npred = npred[i];
	free(npred);
}

/*
 * Binary search over the distinct syscall numbers nrs[lo..hi].  A leaf
 * compares a number and jumps to its syscall's trampoline, a "ja" to the
 * rules placed just after the search, so that one 8-bit jump reaches it;
 * when the search grows too long for that, every leaf jumps through a
 * "ja" of its own (far form).
 */
static void
emit_dispatch(struct emitter *e, const int *nrs, const int *blocks, int lo,
    int hi, int deflt)
{
	int mid, right, i;

	if (hi - lo < 4) {
		for (i = lo; i <= hi; i++) {
			if (!e->dispatch_far) {
				JEQ(e, (uint32_t)nrs[i], blocks[i], -1);
				continue;
			}
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
/*
 * A jump that does not fit marks its node (or the search) far.  Every
 * such jump of a pass is marked before emitting again, so a program
 * needs a few passes, not one per far node.  -EAGAIN: marked (now or
 * earlier in this pass); -E2BIG: it was far already and still fails.
 */
static int
far_rule(struct emitter *e, unsigned int insn)
{
	struct enode *nd;
	unsigned int i;

	if (insn >= e->dispatch_first && insn < e->dispatch_last) {
		if (!e->dispatch_far) {
			e->dispatch_far = true;
			e->dispatch_pass = e->pass;
		}
		return (e->dispatch_pass == e->pass ? -EAGAIN : -E2BIG);
	}
	for (i = 0; i < e->nnodes; i++) {
		nd = &e->nodes[i];
		if (insn < nd->first || insn >= nd->last)
			continue;
		if (!nd->far) {
			nd->far = true;
			nd->far_pass = e->pass;
		}
		return (nd->far_pass == e->pass ? -EAGAIN : -E2BIG);
	}
	return (-E2BIG);
}

static int
resolve(struct emitter *e)
{
	struct sock_filter *f;
	unsigned int i;
	int d, r, again;

	e->pass++;
	again = 0;
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
			if (d < 0 || d > 255) {
				if ((r = far_rule(e, e->fix[i].insn)) != -EAGAIN)
					return (r);
				again = -EAGAIN;
			}
			f->jt = (uint8_t)d;
		}
		if (e->fix[i].jf >= 0) {
			d = e->labels[e->fix[i].jf] - (int)e->fix[i].insn - 1;
			if (d < 0 || d > 255) {
				if ((r = far_rule(e, e->fix[i].insn)) != -EAGAIN)
					return (r);
				again = -EAGAIN;
			}
			f->jf = (uint8_t)d;
		}
	}
	return (again);
}

static void
emit_program(struct emitter *e, const int *nrs, int *blocks,
    unsigned int n, int allow)
{
	struct enode *nd;
	unsigned int i;

	for (i = 0; i < e->nnodes; i++) {
		e->nodes[i].label = label_new(e);
		e->nodes[i].tramp = -1;
		e->nodes[i].done = false;
	}
	/* Leaves jump to a trampoline per entry node (near form) or
	 * straight to the node (far form). */
	for (i = 0; i < n; i++) {
		nd = &e->nodes[e->entry[i]];
		if (e->dispatch_far) {
			blocks[i] = nd->label;
			continue;
		}
		if (nd->tramp < 0)
			nd->tramp = label_new(e);
		blocks[i] = nd->tramp;
	}
	/* A foreign architecture is filter M's business. */
	LD(e, OFF_ARCH);
	JEQ(e, AUDIT_ARCH_X86_64, -1, -1);
	if (e->error == 0)
		e->prog[e->len - 1].jt = 1;
	JA(e, allow);
	LD(e, OFF_NR);
	e->dispatch_first = e->len;
	if (n > 0)
		emit_dispatch(e, nrs, blocks, 0, (int)n - 1, allow);
	e->dispatch_last = e->len;
	label_here(e, allow);
	RET(e, SECCOMP_RET_ALLOW);
	for (i = 0; i < e->nnodes && !e->dispatch_far; i++) {
		nd = &e->nodes[i];
		if (nd->tramp < 0)
			continue;
		label_here(e, nd->tramp);
		JA(e, nd->label);
	}
	emit_nodes(e);
}

static void
generate(struct emitter *e)
{
	int *nrs, *blocks, allow;
	unsigned int i, n, tries;

	sort_rules(e);
	if (e->error != 0)
		return;
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
	share(e, nrs, n);
	for (tries = 0; tries <= e->nnodes && e->error == 0; tries++) {
		e->len = e->nlabels = e->nfix = 0;
		allow = label_new(e);
		emit_program(e, nrs, blocks, n, allow);
		if (e->error == 0)
			e->error = resolve(e);
		if (e->error != -EAGAIN)
			break;
		e->error = 0;
	}
	/* The kernel's limit applies to what bpfopt.c leaves of it. */
	if (e->error == 0 && e->len > USHRT_MAX)
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
	uint32_t self;
	int r;

	memset(&e, 0, sizeof(e));
	memset(prog, 0, sizeof(*prog));
	e.in = in;
	capsicum_policy_init();
	/* Room for a rule per row from the start: untouched pages cost
	 * nothing, while growing copies every rule (and faults). */
	e.caprules = capsicum_policy_len + 64;
	if ((e.rules = malloc(e.caprules * sizeof(*e.rules))) == NULL)
		return (-ENOMEM);
	index_plain(&e);
	if (e.error == 0)
		collect(&e);
	if (e.error == 0)
		generate(&e);
	for (i = 0; i < e.narena; i++)
		free(e.arena[i]);
	free(e.arena);
	free(e.rules);
	free(e.nodes);
	free(e.entry);
	free(e.plain_head);
	free(e.plain_next);
	free(e.labels);
	free(e.fix);
	if (e.error != 0) {
		free(e.prog);
		return (e.error);
	}
	prog->filter = e.prog;
	prog->len = (unsigned short)e.len;
	/* The pid is opaque: the build-time copy of R takes another. */
	self = (uint32_t)in->fi_self;
	if (in->fi_unoptimized)
		return (0);
	if (((r = capsicum_bpf_optimize(prog, &self, in->fi_rounds != 0 ?
	    in->fi_rounds : CAPSICUM_OPT_ROUNDS)) != 0 && r != -ENOTSUP) ||
	    prog->len > BPF_MAXINSNS) {
		capsicum_filter_free(prog);
		return (r != 0 && r != -ENOTSUP ? r : -E2BIG);
	}
	return (0);
}
