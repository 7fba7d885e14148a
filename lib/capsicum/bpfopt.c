/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A peephole optimiser for the seccomp programs the library builds.
 *
 * The kernel converts and JIT-compiles every instruction of a filter when
 * it is installed (about 0.4 us each on the project VM: most of what
 * cap_enter() and a limit in capability mode cost), and runs the filter on
 * every call its cache cannot answer.  The emitters favour simple, local
 * code generation; this pass removes what that leaves behind.
 *
 * Passes, repeated until the program stops changing or for the rounds
 * asked (each costs about as much as emitting the program; the first
 * does most of the work, later ones mostly use jumps that compaction
 * brought within reach):
 *
 *  - Jump threading.  An edge that leads to a "ja", to a load, or to a
 *    comparison the edge already decides (after "jeq #4" failed, a later
 *    "jeq #4" on the same word fails too; after "arg0 == 4" held, a later
 *    reload of arg0 and "jeq #4" holds too) goes straight to where that
 *    leads, as far as the edge can reach and wherever A either is what it
 *    was on the edge (a reload and the same "and" rebuild it) or is loaded
 *    again before it is read.  What an edge
 *    knows: A's range, bits and values it is not, from the comparisons on
 *    the way, and the words of the call known to equal a value on every
 *    path into the edge (the call's data never changes while the filter
 *    runs).
 *  - A load of the word A holds on every path into it is dropped, and so
 *    is a load or ALU whose result nothing reads.
 *  - A conditional jump whose two edges meet becomes a "ja"; a "ja" to the
 *    next instruction is dropped.
 *  - A "ret" reached only by jumps joins a later "ret" of the same value.
 *  - What nothing reaches is dropped, and the offsets recomputed (they
 *    only get shorter).
 *
 * Only programs made of what the emitters produce are touched: absolute
 * word loads, ALU with a constant, JA/JEQ/JGT/JGE/JSET with a constant,
 * RET with a constant.  Anything else is left as it is (-ENOTSUP).
 *
 * One constant may be declared opaque: a comparison with it is never
 * decided and teaches nothing.  Filter R's build-time copy is emitted for
 * a stand-in pid and has the real one written in at cap_enter(); with the
 * pid opaque, no decision here depended on its value, so the copy stays
 * exact for any pid.
 *
 * tests/capsicum/model_test.c runs programs before and after on random
 * inputs and requires the same answer for each; fuzz/bpf_optimize.c does
 * the same for programs made from fuzzer input.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "filter.h"

#define	MAX_WALK	64	/* instructions followed per edge */
#define	MAX_NE		8	/* "A is not v" facts kept per edge */
#define	MAX_RETVALS	16	/* values whose "ret"s are merged */

/*
 * What A holds: word w of the call masked with m, as m << 8 | w, or one
 * of these.
 */
typedef int64_t	src_t;
#define	SRC_UNSET	(-2)	/* no path seen yet */
#define	SRC_UNKNOWN	(-1)	/* anything else */

struct oins {
	uint16_t	code;
	uint32_t	k;
	int		jt, jf;		/* absolute targets; JA uses jt */
	bool		dead;
};

/* Words of the call known to equal a value (seccomp_data never changes
 * while a filter runs, so these hold until paths meet). */
#define	MAX_EQ		4
#define	EQ_UNSET	0xff

struct eqs {
	uint8_t		n;		/* EQ_UNSET: no path seen yet */
	uint8_t		word[MAX_EQ];	/* offset / 4 */
	uint32_t	value[MAX_EQ];
};

struct opt {
	struct oins	*ins;
	src_t		*src;		/* what A holds on entry */
	struct eqs	*eq;		/* what holds on entry */
	bool		*reach;
	int		*scratch;	/* 4 * len: merge_returns(), drop_noops() */
	int		 len;
	uint32_t	 opaque;
	bool		 has_opaque;
};

/* What an edge knows about A. */
struct facts {
	uint32_t	lo, hi;		/* A in [lo, hi] */
	uint32_t	ones, zeros;	/* bits known set, known clear */
	uint32_t	ne[MAX_NE];
	unsigned int	nne;
};

static bool
is_jump(const struct oins *in)
{

	return (BPF_CLASS(in->code) == BPF_JMP);
}

static bool
is_cond(const struct oins *in)
{

	return (is_jump(in) && BPF_OP(in->code) != BPF_JA);
}

/* The instructions this pass understands. */
static bool
supported(const struct sock_filter *f, unsigned int i, unsigned int len)
{
	uint32_t far;

	switch (BPF_CLASS(f->code)) {
	case BPF_LD:
		return (f->code == (BPF_LD | BPF_W | BPF_ABS) &&
		    f->k % 4 == 0 && f->k < sizeof(struct seccomp_data));
	case BPF_ALU:
		return (BPF_SRC(f->code) == BPF_K &&
		    BPF_OP(f->code) != BPF_DIV && BPF_OP(f->code) != BPF_MOD);
	case BPF_JMP:
		if (BPF_SRC(f->code) != BPF_K)
			return (false);
		if (BPF_OP(f->code) == BPF_JA) {
			far = len - i - 1;
			return (f->k < far);
		}
		if (BPF_OP(f->code) != BPF_JEQ && BPF_OP(f->code) != BPF_JGT &&
		    BPF_OP(f->code) != BPF_JGE && BPF_OP(f->code) != BPF_JSET)
			return (false);
		return (i + 1 + f->jt < len && i + 1 + f->jf < len);
	case BPF_RET:
		return (BPF_RVAL(f->code) == BPF_K);
	default:
		return (false);
	}
}

/* ---------------------------------------------------------------------
 * Facts along an edge.
 */
static void
facts_init(struct facts *f)
{

	memset(f, 0, sizeof(*f));
	f->hi = UINT32_MAX;
}

static bool
facts_ne(const struct facts *f, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < f->nne; i++) {
		if (f->ne[i] == v)
			return (true);
	}
	return (false);
}

/* 1: the jump is taken, 0: it is not, -1: unknown. */
static int
decide(const struct facts *f, const struct oins *in)
{
	uint32_t v = in->k;

	switch (BPF_OP(in->code)) {
	case BPF_JEQ:
		if (f->lo == f->hi)
			return (f->lo == v);
		if (v < f->lo || v > f->hi || facts_ne(f, v) ||
		    (v & f->zeros) != 0 || (v & f->ones) != f->ones)
			return (0);
		return (-1);
	case BPF_JGT:
		if (f->lo > v)
			return (1);
		if (f->hi <= v)
			return (0);
		return (-1);
	case BPF_JGE:
		if (f->lo >= v)
			return (1);
		if (f->hi < v)
			return (0);
		return (-1);
	case BPF_JSET:
		if (f->lo == f->hi)
			return ((f->lo & v) != 0);
		if ((v & f->ones) != 0)
			return (1);
		if ((v & ~f->zeros) == 0)
			return (0);
		return (-1);
	}
	return (-1);
}

/* Learn the outcome of a comparison; false if the edge cannot be taken. */
static bool
learn(struct facts *f, const struct oins *in, bool taken)
{
	uint32_t v = in->k;

	switch (BPF_OP(in->code)) {
	case BPF_JEQ:
		if (taken) {
			if (v < f->lo || v > f->hi)
				return (false);
			f->lo = f->hi = v;
		} else {
			if (f->lo == f->hi && f->lo == v)
				return (false);
			if (v == f->lo)
				f->lo++;
			else if (v == f->hi)
				f->hi--;
			else if (f->nne < MAX_NE)
				f->ne[f->nne++] = v;
		}
		break;
	case BPF_JGT:
		if (taken) {
			if (v == UINT32_MAX || v + 1 > f->hi)
				return (false);
			if (v + 1 > f->lo)
				f->lo = v + 1;
		} else {
			if (v < f->lo)
				return (false);
			if (v < f->hi)
				f->hi = v;
		}
		break;
	case BPF_JGE:
		if (taken) {
			if (v > f->hi)
				return (false);
			if (v > f->lo)
				f->lo = v;
		} else {
			if (v == 0 || v - 1 < f->lo)
				return (false);
			if (v - 1 < f->hi)
				f->hi = v - 1;
		}
		break;
	case BPF_JSET:
		if (taken) {
			if ((v & (v - 1)) == 0)		/* one bit */
				f->ones |= v;
		} else {
			f->zeros |= v;
		}
		if ((f->ones & f->zeros) != 0)
			return (false);
		break;
	}
	return (f->lo <= f->hi);
}

/* ---------------------------------------------------------------------
 * Analyses.
 */
/* "and #0xffffffff", "add #0" and the like (B masks with all ones). */
static bool
alu_noop(const struct oins *in)
{

	if (BPF_CLASS(in->code) != BPF_ALU)
		return (false);
	switch (BPF_OP(in->code)) {
	case BPF_AND:
		return (in->k == UINT32_MAX);
	case BPF_MUL:
		return (in->k == 1);
	case BPF_OR:
	case BPF_XOR:
	case BPF_ADD:
	case BPF_SUB:
	case BPF_LSH:
	case BPF_RSH:
		return (in->k == 0);
	default:
		return (false);
	}
}

static src_t
src_word(uint32_t off)
{

	return ((src_t)UINT32_MAX << 8 | off / 4);
}

/* A after "and #m" (or another ALU instruction) on what s says. */
static src_t
src_alu(src_t s, const struct oins *in)
{

	if (alu_noop(in))
		return (s);
	if (s < 0 || BPF_OP(in->code) != BPF_AND)
		return (SRC_UNKNOWN);
	return ((src_t)((uint32_t)(s >> 8) & in->k) << 8 | (s & 0xff));
}

/* A holds a whole word: facts about A are facts about the word. */
static bool
src_is_word(src_t s)
{

	return (s >= 0 && (uint32_t)(s >> 8) == UINT32_MAX);
}

static uint32_t
src_off(src_t s)
{

	return ((uint32_t)(s & 0xff) * 4);
}

static void
meet(struct opt *o, int to, src_t src)
{

	if (o->src[to] == SRC_UNSET)
		o->src[to] = src;
	else if (o->src[to] != src)
		o->src[to] = SRC_UNKNOWN;
}

static bool
eq_find(const struct eqs *e, uint32_t off, uint32_t *v)
{
	unsigned int i;

	for (i = 0; e->n != EQ_UNSET && i < e->n; i++) {
		if (e->word[i] == off / 4) {
			*v = e->value[i];
			return (true);
		}
	}
	return (false);
}

static void
eq_add(struct eqs *e, uint32_t off, uint32_t v)
{
	uint32_t old;

	if (e->n >= MAX_EQ || eq_find(e, off, &old))
		return;
	e->word[e->n] = (uint8_t)(off / 4);
	e->value[e->n++] = v;
}

/* Paths meet: what holds on both. */
static void
eq_meet(struct eqs *to, const struct eqs *from)
{
	unsigned int i, n;
	uint32_t v;

	if (to->n == EQ_UNSET) {
		*to = *from;
		return;
	}
	for (i = 0, n = 0; i < to->n; i++) {
		if (eq_find(from, 4U * to->word[i], &v) && v == to->value[i]) {
			to->word[n] = to->word[i];
			to->value[n++] = to->value[i];
		}
	}
	to->n = (uint8_t)n;
}

/* The opaque constant teaches nothing. */
static bool
opaque(const struct opt *o, const struct oins *in)
{

	return (o->has_opaque && in->k == o->opaque);
}

/*
 * Which word A holds on entry to each instruction, which words are known
 * to equal what, and whether anything reaches it (jumps go forward only,
 * so program order visits every predecessor first).
 */
static void
analyse(struct opt *o)
{
	const struct oins *in;
	struct eqs taken;
	src_t out;
	int i;

	for (i = 0; i < o->len; i++) {
		o->src[i] = SRC_UNSET;
		o->eq[i].n = EQ_UNSET;
	}
	o->src[0] = SRC_UNKNOWN;
	o->eq[0].n = 0;
	for (i = 0; i < o->len; i++) {
		in = &o->ins[i];
		o->reach[i] = o->src[i] != SRC_UNSET;
		if (!o->reach[i] || BPF_CLASS(in->code) == BPF_RET)
			continue;
		out = o->src[i];
		if (BPF_CLASS(in->code) == BPF_LD)
			out = src_word(in->k);
		else if (BPF_CLASS(in->code) == BPF_ALU)
			out = src_alu(out, in);
		if (is_jump(in)) {
			taken = o->eq[i];
			if (BPF_OP(in->code) == BPF_JEQ && src_is_word(out) &&
			    !opaque(o, in))
				eq_add(&taken, src_off(out), in->k);
			meet(o, in->jt, out);
			eq_meet(&o->eq[in->jt], &taken);
			if (is_cond(in)) {
				meet(o, in->jf, out);
				eq_meet(&o->eq[in->jf], &o->eq[i]);
			}
		} else {
			meet(o, i + 1, out);
			eq_meet(&o->eq[i + 1], &o->eq[i]);
		}
	}
}

/* ---------------------------------------------------------------------
 * Rewrites.
 */
static bool
in_reach(const struct opt *o, int from, int to)
{

	return (!is_cond(&o->ins[from]) || to - from - 1 <= 255);
}

/* A's facts when it holds word off: its value, if known. */
static void
facts_of_word(struct facts *f, const struct eqs *e, uint32_t off)
{
	uint32_t v;

	facts_init(f);
	if (eq_find(e, off, &v))
		f->lo = f->hi = v;
}

/*
 * Where the edge from -> to really leads, as far as from can jump.  The
 * walk follows jumps, loads, "and"s and the comparisons its facts decide;
 * it may end only where A is what it was on the edge, or where A is not
 * read before it is loaded again (a load, a "ret").  fe: what the edge
 * knows about its A, for when the walk gets back to it (a reload, or a
 * load and mask that rebuild it).
 */
static int
walk(const struct opt *o, int from, int to, const struct facts *fe,
    struct eqs *e)
{
	const struct oins *in;
	struct facts f;
	src_t v, edge;
	int cur, best, steps, d;
	bool same;

	best = cur = to;
	edge = o->src[from];
	v = edge;
	same = true;
	f = *fe;
	for (steps = 0; steps < MAX_WALK; steps++) {
		in = &o->ins[cur];
		if (BPF_CLASS(in->code) == BPF_LD ||
		    BPF_CLASS(in->code) == BPF_ALU) {
			if (BPF_CLASS(in->code) == BPF_LD) {
				if (v == src_word(in->k)) {
					cur++;		/* a reload */
					goto next;
				}
				v = src_word(in->k);
			} else if ((v = src_alu(v, in)) < 0) {
				break;
			}
			same = edge >= 0 && v == edge;
			if (same)
				f = *fe;
			else if (src_is_word(v))
				facts_of_word(&f, e, src_off(v));
			else
				facts_init(&f);
			cur++;
		} else if (is_cond(in)) {
			if (opaque(o, in))
				break;
			if ((d = decide(&f, in)) < 0 || !learn(&f, in, d == 1))
				break;
			if (d == 1 && BPF_OP(in->code) == BPF_JEQ &&
			    src_is_word(v))
				eq_add(e, src_off(v), in->k);
			cur = d == 1 ? in->jt : in->jf;
		} else if (is_jump(in)) {
			cur = in->jt;
		} else {
			break;
		}
next:
		if (!in_reach(o, from, cur))
			break;
		if (same || BPF_CLASS(o->ins[cur].code) == BPF_LD ||
		    BPF_CLASS(o->ins[cur].code) == BPF_RET)
			best = cur;
	}
	return (best);
}

/* What the edge from i knows: A's word's value, then the comparison. */
static void
edge_facts(const struct opt *o, int i, bool taken, struct facts *f,
    struct eqs *e)
{
	const struct oins *in = &o->ins[i];

	*e = o->eq[i];
	if (src_is_word(o->src[i]))
		facts_of_word(f, e, src_off(o->src[i]));
	else
		facts_init(f);
	if (!is_cond(in) || opaque(o, in))
		return;
	if (!learn(f, in, taken)) {
		facts_init(f);		/* never taken: learn nothing */
		return;
	}
	if (taken && BPF_OP(in->code) == BPF_JEQ && src_is_word(o->src[i]))
		eq_add(e, src_off(o->src[i]), in->k);
}

/* Move one edge of jump i to where it really leads; true if it moved. */
static bool
thread_edge(struct opt *o, int i, bool taken, int *target)
{
	struct facts f;
	struct eqs e;
	int t;

	edge_facts(o, i, taken, &f, &e);
	t = walk(o, i, *target, &f, &e);
	if (t == *target)
		return (false);
	*target = t;
	return (true);
}

static bool
thread_jumps(struct opt *o)
{
	struct oins *in;
	bool changed = false;
	int i;

	for (i = 0; i < o->len; i++) {
		in = &o->ins[i];
		if (!o->reach[i] || !is_jump(in))
			continue;
		changed |= thread_edge(o, i, true, &in->jt);
		if (is_cond(in))
			changed |= thread_edge(o, i, false, &in->jf);
	}
	return (changed);
}

/*
 * No-op loads and ALU, jumps to the next instruction, branches that meet;
 * then loads and ALU whose result nothing reads (a "ret" or another load
 * comes first on every path), found backwards: jumps go forward only.
 */
static bool
drop_noops(struct opt *o)
{
	struct oins *in;
	bool changed = false, *live;
	int i;

	for (i = 0; i < o->len; i++) {
		in = &o->ins[i];
		if (!o->reach[i] || in->dead)
			continue;
		if (is_cond(in) && in->jt == in->jf) {
			in->code = BPF_JMP | BPF_JA;
			in->k = 0;
			changed = true;
		}
		if ((BPF_CLASS(in->code) == BPF_LD &&
		    o->src[i] == src_word(in->k)) || alu_noop(in) ||
		    (is_jump(in) && !is_cond(in) && in->jt == i + 1)) {
			in->dead = true;
			changed = true;
		}
	}
	/* live[i]: A's value on entry to i is read later. */
	live = (bool *)o->scratch;
	for (i = o->len - 1; i >= 0; i--) {
		in = &o->ins[i];
		if (!o->reach[i] || BPF_CLASS(in->code) == BPF_RET) {
			live[i] = false;
		} else if (in->dead) {
			live[i] = live[i + 1];
		} else if (is_cond(in)) {
			live[i] = true;
		} else if (is_jump(in)) {
			live[i] = live[in->jt];
		} else if (!live[i + 1]) {
			in->dead = true;	/* a load or ALU: unused */
			live[i] = false;
			changed = true;
		} else {
			live[i] = BPF_CLASS(in->code) == BPF_ALU;
		}
	}
	return (changed);
}

/* The group of "ret"s returning k; -1 past MAX_RETVALS values. */
static int
ret_group(uint32_t *vals, int *nvals, uint32_t k)
{
	int g;

	for (g = 0; g < *nvals; g++) {
		if (vals[g] == k)
			return (g);
	}
	if (*nvals == MAX_RETVALS)
		return (-1);
	vals[*nvals] = k;
	return ((*nvals)++);
}

/*
 * A "ret" entered only by jumps moves them to a later "ret" of the same
 * value that all of them reach; it is then unreachable.  Runs on a
 * compacted program (nothing dead), from the last instruction back, so
 * the "ret"s kept after r are known when r picks one.
 */
static bool
merge_returns(struct opt *o)
{
	uint32_t vals[MAX_RETVALS];
	int base[MAX_RETVALS], cnt[MAX_RETVALS];
	int *low, *to, *kept, *grp, nvals, i, r, g, c, lo, hi, mid, limit;
	bool changed = false;

	low = o->scratch;
	to = low + o->len;
	kept = to + o->len;
	grp = kept + o->len;
	nvals = 0;
	memset(cnt, 0, sizeof(cnt));
	for (i = o->len - 1; i >= 0; i--) {
		low[i] = INT_MAX;
		to[i] = i;
		grp[i] = -1;
		if (o->reach[i] && BPF_CLASS(o->ins[i].code) == BPF_RET &&
		    (grp[i] = ret_group(vals, &nvals, o->ins[i].k)) >= 0)
			cnt[grp[i]]++;
	}
	for (g = 0, i = 0; g < nvals; g++) {
		base[g] = i;
		i += cnt[g];
		cnt[g] = 0;	/* now: how many are kept */
	}
	/* The first conditional jump into each instruction. */
	for (i = o->len - 1; i >= 0; i--) {
		if (o->reach[i] && is_cond(&o->ins[i])) {
			low[o->ins[i].jt] = i;
			low[o->ins[i].jf] = i;
		}
	}
	for (r = o->len - 1; r >= 0; r--) {
		if ((g = grp[r]) < 0)
			continue;
		c = -1;
		/* Not when a load or ALU falls into it. */
		if (r == 0 || !o->reach[r - 1] || is_jump(&o->ins[r - 1]) ||
		    BPF_CLASS(o->ins[r - 1].code) == BPF_RET) {
			/* kept[] of the group: positions, descending. */
			limit = low[r] == INT_MAX ? INT_MAX : low[r] + 256;
			lo = 0;
			hi = cnt[g];
			while (lo < hi) {
				mid = (lo + hi) / 2;
				if (kept[base[g] + mid] > limit)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < cnt[g])
				c = kept[base[g] + lo];
		}
		if (c >= 0) {
			to[r] = c;
			o->reach[r] = false;	/* nothing jumps to it now */
			changed = true;
		} else {
			kept[base[g] + cnt[g]++] = r;
		}
	}
	if (!changed)
		return (false);
	for (i = 0; i < o->len; i++) {
		if (!o->reach[i] || !is_jump(&o->ins[i]))
			continue;
		o->ins[i].jt = to[o->ins[i].jt];
		if (is_cond(&o->ins[i]))
			o->ins[i].jf = to[o->ins[i].jf];
	}
	return (true);
}

/* Drop dead and unreachable instructions; renumber the jumps. */
static bool
compact(struct opt *o)
{
	int *map, i, n;
	bool changed;

	if ((map = malloc(((size_t)o->len + 1) * sizeof(*map))) == NULL)
		return (false);
	n = 0;
	for (i = 0; i < o->len; i++) {
		if (!o->reach[i])
			o->ins[i].dead = true;
		map[i] = n;
		if (!o->ins[i].dead)
			n++;
	}
	map[o->len] = n;
	changed = n != o->len;
	/* A jump to a dropped instruction goes to the next one kept:
	 * dropped instructions are unreachable or do nothing. */
	for (i = 0, n = 0; i < o->len; i++) {
		if (o->ins[i].dead)
			continue;
		o->ins[n] = o->ins[i];
		if (is_jump(&o->ins[n])) {
			o->ins[n].jt = map[o->ins[n].jt];
			if (is_cond(&o->ins[n]))
				o->ins[n].jf = map[o->ins[n].jf];
		}
		n++;
	}
	o->len = n;
	free(map);
	return (changed);
}

/* ---------------------------------------------------------------------
 * Entry point.
 */
static int
load(struct opt *o, const struct sock_filter *f, unsigned int len)
{
	unsigned int i;

	if (len == 0 || BPF_CLASS(f[len - 1].code) != BPF_RET)
		return (-ENOTSUP);
	for (i = 0; i < len; i++) {
		if (!supported(&f[i], i, len))
			return (-ENOTSUP);
	}
	o->ins = calloc(len, sizeof(*o->ins));
	o->src = calloc(len, sizeof(*o->src));
	o->reach = calloc(len, sizeof(*o->reach));
	o->eq = calloc(len, sizeof(*o->eq));
	o->scratch = calloc(4 * (size_t)len, sizeof(*o->scratch));
	if (o->ins == NULL || o->src == NULL || o->reach == NULL ||
	    o->eq == NULL || o->scratch == NULL)
		return (-ENOMEM);
	for (i = 0; i < len; i++) {
		o->ins[i].code = f[i].code;
		o->ins[i].k = f[i].k;
		if (BPF_CLASS(f[i].code) != BPF_JMP)
			continue;
		if (BPF_OP(f[i].code) == BPF_JA) {
			o->ins[i].jt = (int)(i + 1 + f[i].k);
			o->ins[i].k = 0;
		} else {
			o->ins[i].jt = (int)(i + 1 + f[i].jt);
			o->ins[i].jf = (int)(i + 1 + f[i].jf);
		}
	}
	o->len = (int)len;
	return (0);
}

static bool
target_ok(const struct opt *o, int i, int t)
{

	return (t > i && t < o->len && in_reach(o, i, t));
}

static int
store(const struct opt *o, struct sock_filter *f)
{
	const struct oins *in;
	int i;

	/* Offsets only shrank; check anyway before touching the program. */
	for (i = 0; i < o->len; i++) {
		in = &o->ins[i];
		if (is_jump(in) && !target_ok(o, i, in->jt))
			return (-EOVERFLOW);
		if (is_cond(in) && !target_ok(o, i, in->jf))
			return (-EOVERFLOW);
	}
	if (o->len == 0 || BPF_CLASS(o->ins[o->len - 1].code) != BPF_RET)
		return (-EOVERFLOW);
	for (i = 0; i < o->len; i++) {
		in = &o->ins[i];
		f[i] = (struct sock_filter){ in->code, 0, 0, in->k };
		if (!is_jump(in))
			continue;
		if (!is_cond(in)) {
			f[i].k = (uint32_t)(in->jt - i - 1);
		} else {
			f[i].jt = (uint8_t)(in->jt - i - 1);
			f[i].jf = (uint8_t)(in->jf - i - 1);
		}
	}
	return (0);
}

int
capsicum_bpf_optimize(struct sock_fprog *prog, const uint32_t *opaque,
    unsigned int rounds)
{
	struct opt o;
	unsigned int round;
	bool changed;
	int r;

	if (prog == NULL || prog->filter == NULL)
		return (-EINVAL);
	memset(&o, 0, sizeof(o));
	if (opaque != NULL) {
		o.has_opaque = true;
		o.opaque = *opaque;
	}
	if ((r = load(&o, prog->filter, prog->len)) != 0)
		goto out;
	for (round = 0; round < rounds; round++) {
		analyse(&o);
		changed = thread_jumps(&o);
		analyse(&o);
		changed |= merge_returns(&o);
		changed |= drop_noops(&o);
		changed |= compact(&o);
		if (!changed)
			break;
	}
	if ((r = store(&o, prog->filter)) == 0)
		prog->len = (unsigned short)o.len;
out:
	free(o.ins);
	free(o.src);
	free(o.reach);
	free(o.eq);
	free(o.scratch);
	return (r);
}
