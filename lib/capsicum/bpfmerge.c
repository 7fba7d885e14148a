/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Filters M and R as one program.
 *
 * Every filter the kernel installs has a fixed cost (about 13-15 us on
 * the project VM: the program's allocation, its JIT image, the text
 * poke), and the kernel's action cache runs each new filter over every
 * syscall number of both ABIs.  A process with nothing limited installs
 * M and R; as one program they cost one filter, and the cache walks one
 * dispatch instead of two.
 *
 * The program is M with each "ret ALLOW" turned into a jump to R (which
 * must not read A, X or scratch memory before it writes them: alone it
 * would read zeros, merged what M left there).  For two filters the
 * kernel answers with the action of highest precedence, the later
 * filter's (M's) on a tie.  The merged program gives M's answer
 * when M refuses and R's otherwise, which is the same unless R can return
 * something that outranks one of M's refusals for the same call (R traps
 * where M answers ECAPMODE).  capsicum_bpf_merge_exact() proves there is
 * no such call: for every class of (arch, nr) it collects the actions
 * each program can return whatever the arguments, and compares them.
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

/* What an instruction reads and writes of A, X and the scratch words. */
#define	ST_A		1u
#define	ST_X		2u
#define	ST_MEM(k)	(4u << (k))

static void
uses(const struct sock_filter *f, uint32_t *rd, uint32_t *wr)
{
	uint32_t src;

	src = BPF_SRC(f->code) == BPF_X ? ST_X : 0;
	*rd = *wr = 0;
	switch (BPF_CLASS(f->code)) {
	case BPF_LD:
		*rd = BPF_MODE(f->code) == BPF_MEM ? ST_MEM(f->k % 16) :
		    BPF_MODE(f->code) == BPF_IND ? ST_X : 0;
		*wr = ST_A;
		break;
	case BPF_LDX:
		*rd = BPF_MODE(f->code) == BPF_MEM ? ST_MEM(f->k % 16) : 0;
		*wr = ST_X;
		break;
	case BPF_ST:
		*rd = ST_A;
		*wr = ST_MEM(f->k % 16);
		break;
	case BPF_STX:
		*rd = ST_X;
		*wr = ST_MEM(f->k % 16);
		break;
	case BPF_ALU:
		*rd = ST_A | src;
		*wr = ST_A;
		break;
	case BPF_JMP:
		*rd = BPF_OP(f->code) == BPF_JA ? 0 : ST_A | src;
		break;
	case BPF_RET:
		*rd = BPF_RVAL(f->code) == BPF_A ? ST_A :
		    BPF_RVAL(f->code) == BPF_X ? ST_X : 0;
		break;
	default:	/* BPF_MISC */
		*rd = BPF_MISCOP(f->code) == BPF_TAX ? ST_A : ST_X;
		*wr = BPF_MISCOP(f->code) == BPF_TAX ? ST_X : ST_A;
		break;
	}
}

/*
 * Does the program read A, X or a scratch word before writing it on some
 * path?  Alone it would read 0; after M it would read M's values, so
 * such an R cannot follow M.  Jumps only go forward: one pass in order.
 */
static int
reads_initial(const struct sock_fprog *p)
{
	uint32_t *in, rd, wr, out;
	unsigned int pc, t[2], n, j;
	int e;

	if ((in = malloc(p->len * sizeof(*in))) == NULL)
		return (-ENOMEM);
	for (pc = 0; pc < p->len; pc++)
		in[pc] = UINT32_MAX;	/* not reached yet */
	in[0] = 0;
	e = 0;
	for (pc = 0; pc < p->len && e == 0; pc++) {
		if (in[pc] == UINT32_MAX)
			continue;
		uses(&p->filter[pc], &rd, &wr);
		if ((rd & ~in[pc]) != 0) {
			e = 1;
			break;
		}
		out = in[pc] | wr;
		n = 0;
		if (BPF_CLASS(p->filter[pc].code) == BPF_JMP) {
			if (BPF_OP(p->filter[pc].code) == BPF_JA) {
				t[n++] = pc + 1 + p->filter[pc].k;
			} else {
				t[n++] = pc + 1 + p->filter[pc].jt;
				t[n++] = pc + 1 + p->filter[pc].jf;
			}
		} else if (BPF_CLASS(p->filter[pc].code) != BPF_RET) {
			t[n++] = pc + 1;
		}
		for (j = 0; j < n; j++) {
			if (t[j] >= p->len || t[j] <= pc) {
				e = -EINVAL;
				break;
			}
			in[t[j]] = in[t[j]] == UINT32_MAX ? out : in[t[j]] & out;
		}
	}
	free(in);
	return (e);
}

int
capsicum_bpf_merge(const struct sock_fprog *m, const struct sock_fprog *r,
    struct sock_fprog *out)
{
	struct sock_filter *f;
	unsigned int i, n;
	int e;

	n = (unsigned int)m->len + r->len;
	if (m->len == 0 || r->len == 0 || n > USHRT_MAX)
		return (-EINVAL);
	if ((e = reads_initial(r)) != 0)
		return (e < 0 ? e : -ENOTSUP);
	if ((f = malloc(n * sizeof(*f))) == NULL)
		return (-ENOMEM);
	memcpy(f, m->filter, m->len * sizeof(*f));
	memcpy(f + m->len, r->filter, r->len * sizeof(*f));
	for (i = 0; i < m->len; i++) {
		if (BPF_CLASS(f[i].code) != BPF_RET)
			continue;
		if (f[i].code != (BPF_RET | BPF_K)) {
			free(f);
			return (-ENOTSUP);
		}
		/* The kernel allows whatever the data bits say. */
		if ((f[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW)
			f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
			    m->len - i - 1, 0, 0);
	}
	out->filter = f;
	out->len = (unsigned short)n;
	return (0);
}

/* ---------------------------------------------------------------------
 * The proof.
 */

/* What A holds during the walk. */
enum src { S_UNKNOWN, S_NR, S_ARCH };

struct vals {
	uint32_t	*v;
	unsigned int	n, cap;
};

static int
vals_add(struct vals *s, uint32_t v)
{
	uint32_t *nv;

	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 256 : s->cap * 2;
		if ((nv = realloc(s->v, s->cap * sizeof(*nv))) == NULL)
			return (-ENOMEM);
		s->v = nv;
	}
	s->v[s->n++] = v;
	return (0);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

static void
vals_sort(struct vals *s)
{
	unsigned int i, j;

	qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
	for (i = 0, j = 0; i < s->n; i++) {
		if (j == 0 || s->v[j - 1] != s->v[i])
			s->v[j++] = s->v[i];
	}
	s->n = j;
}

static bool
vals_has(const struct vals *s, uint32_t v)
{

	return (bsearch(&v, s->v, s->n, sizeof(v), cmp_u32) != NULL);
}

/*
 * A comparison with k is decided from the values enumerated only if k
 * and both its neighbours are among them.  Then a value strictly between
 * two neighbouring elements a < v < b takes the same branches as a: a
 * and b are not such constants (their neighbour would lie between them),
 * so every decided k is below a or above b.  Other comparisons are
 * followed both ways.
 */
static bool
decides(const struct vals *s, uint32_t k)
{

	return (vals_has(s, k - 1) && vals_has(s, k) && vals_has(s, k + 1));
}

static bool
is_cmp(uint16_t code)
{

	return (code == (BPF_JMP | BPF_JEQ | BPF_K) ||
	    code == (BPF_JMP | BPF_JGT | BPF_K) ||
	    code == (BPF_JMP | BPF_JGE | BPF_K));
}

static bool
is_load(const struct sock_filter *f, uint32_t off)
{

	return (f->code == (BPF_LD | BPF_W | BPF_ABS) && f->k == off);
}

/* Each constant c a comparison may test, with c - 1 and c + 1 (see
 * decides()).  Arch constants are those compared right after the arch
 * is loaded; the walk follows any other comparison of the arch both
 * ways. */
static int
collect(const struct sock_fprog *p, struct vals *nrs, struct vals *archs)
{
	unsigned int i, d;
	uint32_t k;
	int e;

	for (i = 0; i < p->len; i++) {
		if (!is_cmp(p->filter[i].code))
			continue;
		k = p->filter[i].k;
		for (d = 0; d < 3; d++) {
			if ((e = vals_add(nrs, k + d - 1)) != 0)
				return (e);
			if (i > 0 && is_load(&p->filter[i - 1],
			    offsetof(struct seccomp_data, arch)) &&
			    (e = vals_add(archs, k + d - 1)) != 0)
				return (e);
		}
	}
	return (0);
}

/*
 * The actions p may return for this arch and nr, whatever the arguments:
 * the one of highest precedence in *hi, and the non-ALLOW one of lowest
 * precedence in *lo (SECCOMP_RET_ALLOW when it only allows).  Actions
 * compare as signed numbers, as the kernel compares them: smaller wins.
 */
static int
actions(const struct sock_fprog *p, uint32_t arch, uint32_t nr,
    const struct vals *nrs, const struct vals *archs, uint8_t *seen,
    unsigned int *stack, int32_t *hi, int32_t *lo)
{
	const struct sock_filter *f;
	unsigned int sp, pc, next;
	enum src a;
	uint32_t v;
	int32_t act;
	bool known;

	memset(seen, 0, p->len);
	*hi = (int32_t)SECCOMP_RET_ALLOW;
	*lo = (int32_t)SECCOMP_RET_ALLOW;
	sp = 0;
	stack[sp++] = 0 << 2 | S_UNKNOWN;
	while (sp > 0) {
		pc = stack[--sp];
		a = (enum src)(pc & 3);
		pc >>= 2;
		for (;;) {
			if (pc >= p->len)
				return (-EINVAL);
			if ((seen[pc] & (1 << a)) != 0)
				break;
			seen[pc] |= (uint8_t)(1 << a);
			f = &p->filter[pc];
			if (f->code == (BPF_RET | BPF_K)) {
				act = (int32_t)(f->k & SECCOMP_RET_ACTION_FULL);
				if (act < *hi)
					*hi = act;
				if (act != (int32_t)SECCOMP_RET_ALLOW &&
				    (*lo == (int32_t)SECCOMP_RET_ALLOW ||
				    act > *lo))
					*lo = act;
				break;
			}
			if (f->code == (BPF_JMP | BPF_JA)) {
				if (f->k >= p->len - pc - 1)
					return (-EINVAL);
				pc += 1 + f->k;
				continue;
			}
			if (BPF_CLASS(f->code) == BPF_JMP) {
				if (BPF_SRC(f->code) != BPF_K ||
				    pc + 1u + f->jt >= p->len ||
				    pc + 1u + f->jf >= p->len)
					return (-ENOTSUP);
				v = a == S_NR ? nr : arch;
				known = is_cmp(f->code) && (a == S_NR ?
				    decides(nrs, f->k) : a == S_ARCH &&
				    decides(archs, f->k));
				if (!known) {
					/* Both ways (the stack holds at most
					 * one entry per instruction and src). */
					next = (pc + 1 + f->jt) << 2 | a;
					if (sp == 3u * p->len)
						return (-E2BIG);
					stack[sp++] = next;
					pc += 1 + f->jf;
					continue;
				}
				pc += 1 + (capsicum_bpf_taken(f->code, v, f->k) ?
				    f->jt : f->jf);
				continue;
			}
			if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
				a = f->k == offsetof(struct seccomp_data, nr) ?
				    S_NR : f->k == offsetof(struct seccomp_data,
				    arch) ? S_ARCH : S_UNKNOWN;
			} else if (BPF_CLASS(f->code) == BPF_ALU ||
			    BPF_CLASS(f->code) == BPF_LD ||
			    BPF_CLASS(f->code) == BPF_MISC) {
				a = S_UNKNOWN;	/* anything: both ways below */
			} else if (BPF_CLASS(f->code) != BPF_LDX &&
			    BPF_CLASS(f->code) != BPF_ST &&
			    BPF_CLASS(f->code) != BPF_STX) {
				return (-ENOTSUP);
			}
			pc++;
		}
	}
	return (0);
}

int
capsicum_bpf_merge_exact(const struct sock_fprog *m, const struct sock_fprog *r)
{
	struct vals nrs = { 0 }, archs = { 0 };
	unsigned int i, j, *stack;
	int32_t mhi, mlo, rhi, rlo;
	uint8_t *seen;
	int e;

	if (m->len == 0 || r->len == 0)
		return (-EINVAL);
	if ((e = reads_initial(r)) != 0)
		return (e < 0 ? e : -ENOTSUP);
	seen = malloc((size_t)m->len + r->len);
	stack = malloc(3 * ((size_t)m->len + r->len) * sizeof(*stack));
	if (seen == NULL || stack == NULL) {
		e = -ENOMEM;
		goto out;
	}
	if ((e = collect(m, &nrs, &archs)) != 0 ||
	    (e = collect(r, &nrs, &archs)) != 0 ||
	    (e = vals_add(&nrs, 0)) != 0 ||
	    (e = vals_add(&nrs, UINT32_MAX)) != 0 ||
	    (e = vals_add(&archs, 0)) != 0)
		goto out;
	vals_sort(&nrs);
	vals_sort(&archs);
	for (i = 0; i < archs.n; i++) {
		for (j = 0; j < nrs.n; j++) {
			if ((e = actions(m, archs.v[i], nrs.v[j], &nrs, &archs,
			    seen, stack, &mhi, &mlo)) != 0)
				goto out;
			if (mlo == (int32_t)SECCOMP_RET_ALLOW)
				continue;	/* M only allows: R decides */
			if ((e = actions(r, archs.v[i], nrs.v[j], &nrs, &archs,
			    seen, stack, &rhi, &rlo)) != 0)
				goto out;
			if (rhi < mlo) {
				e = -EXDEV;
				goto out;
			}
		}
	}
	e = 0;
out:
	free(nrs.v);
	free(archs.v);
	free(seen);
	free(stack);
	return (e);
}
