/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness, differential: bpfopt.c must never change what a
 * seccomp program answers.  The input is decoded into a program of the
 * instructions the optimiser understands (word loads, ALU and jumps with
 * constants, "ret" of a constant), with constants drawn mostly from a
 * small pool so that comparisons repeat and decide each other.  The
 * optimised program must be well formed, no longer, and give the same
 * answer as the original on many calls whose words are those constants,
 * their neighbours and random values; with a constant declared opaque,
 * also after another value is written over it in both programs.  Any
 * difference aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "capsicum/filter.h"
#include "bpf_gen.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
compare(const struct sock_filter *a, unsigned int na,
    const struct sock_filter *b, unsigned int nb, uint64_t seed)
{
	uint32_t w[NWORDS];
	unsigned int i;

	for (i = 0; i < CALLS; i++) {
		make_call(&seed, a, na, w);
		if (run(a, na, w) != run(b, nb, w))
			abort();
	}
}

static void
replace(struct sock_filter *f, unsigned int n, uint32_t from, uint32_t to)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (BPF_CLASS(f[i].code) == BPF_JMP &&
		    BPF_OP(f[i].code) != BPF_JA && f[i].k == from)
			f[i].k = to;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_filter orig[MAX_LEN], opt[MAX_LEN], a[MAX_LEN],
	    b[MAX_LEN];
	struct sock_fprog p;
	struct input in = { data, size };
	uint32_t opaque, other;
	uint64_t seed;
	unsigned int n, rounds;
	bool use_opaque;
	int r;

	if (size < 2)
		return (0);
	rounds = 1 + byte(&in) % 4;
	use_opaque = byte(&in) % 2 == 0;
	opaque = pool[byte(&in) % NPOOL];
	other = constant(&in);
	n = decode(&in, orig, NULL, 0);
	memcpy(opt, orig, n * sizeof(orig[0]));
	p.len = (unsigned short)n;
	p.filter = opt;
	r = capsicum_bpf_optimize(&p, use_opaque ? &opaque : NULL, rounds);
	if (r != 0)
		abort();	/* every decoded program is supported */
	if (p.len > n)
		abort();
	check_form(opt, p.len);
	seed = 0x9E3779B97F4A7C15ULL ^ size;
	compare(orig, n, opt, p.len, seed);
	if (!use_opaque)
		return (0);
	/* No decision rested on the opaque constant's value. */
	memcpy(a, orig, n * sizeof(orig[0]));
	memcpy(b, opt, p.len * sizeof(opt[0]));
	replace(a, n, opaque, other);
	replace(b, p.len, opaque, other);
	compare(a, n, b, p.len, seed + 1);
	return (0);
}
