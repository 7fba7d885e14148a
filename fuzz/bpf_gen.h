/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the differential BPF fuzzers share: programs decoded from fuzzer
 * input, an interpreter for them, and calls to run them on.
 */
#ifndef FUZZ_BPF_GEN_H
#define	FUZZ_BPF_GEN_H

#include <stdint.h>
#include <stdlib.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define	MAX_LEN		96
#define	NWORDS		(sizeof(struct seccomp_data) / 4)
#define	CALLS		256

static const uint32_t pool[] = { 0, 2, 1, 3, 4, 7, 0x10, 0xff, 0x100,
    0xf000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
#define	NPOOL	(sizeof(pool) / sizeof(pool[0]))

struct input {
	const uint8_t	*p;
	size_t		 left;
};

static uint8_t
byte(struct input *in)
{

	if (in->left == 0)
		return (0);
	in->left--;
	return (*in->p++);
}

static uint32_t
constant(struct input *in)
{
	uint8_t b = byte(in);
	uint32_t v;

	/* Mostly four values, so that comparisons decide each other. */
	if (b < 0x80)
		return (pool[b % 4 == 3 ? NPOOL - 1 : b % 4 * 2]);
	if (b < 0xc0)
		return (pool[b % NPOOL]);
	v = (uint32_t)byte(in) | (uint32_t)byte(in) << 8 |
	    (uint32_t)byte(in) << 16 | (uint32_t)byte(in) << 24;
	return (v);
}

static uint32_t
ret_value(struct input *in, const uint32_t *acts, unsigned int nacts)
{

	if (acts == NULL)
		return (constant(in));
	return (acts[byte(in) % nacts] | byte(in));
}

/* Jumps are mostly short, so that they chain. */
static uint8_t
offset(struct input *in, unsigned int room)
{
	uint8_t b = byte(in);

	if (b < 0xa0 && room > 2)
		room = 2;
	return ((uint8_t)(b % (room + 1)));
}

/*
 * A program of up to MAX_LEN instructions.  With acts, a "ret" returns one
 * of those actions (with a data byte), and loads favour the syscall number
 * and the arch (words 0 and 1), as seccomp programs do.
 */
static unsigned int
decode(struct input *in, struct sock_filter *f, const uint32_t *acts,
    unsigned int nacts)
{
	static const uint16_t alu[] = { BPF_AND, BPF_OR, BPF_ADD, BPF_SUB,
	    BPF_XOR, BPF_LSH, BPF_RSH, BPF_MUL };
	static const uint16_t jmp[] = { BPF_JEQ, BPF_JEQ, BPF_JGT, BPF_JGE,
	    BPF_JSET };
	unsigned int n, i, room, kind;
	uint8_t b;

	n = 2 + byte(in) % (MAX_LEN - 1);
	for (i = 0; i + 1 < n; i++) {
		room = n - i - 2;	/* instructions a jump may skip */
		kind = byte(in) % 8;
		if (kind <= 1) {
			b = byte(in);
			f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W |
			    BPF_ABS, 4 * (acts != NULL && b < 0xa0 ? b % 2 :
			    b % NWORDS));
		} else if (kind == 2) {
			f[i] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_K |
			    alu[byte(in) % 8], constant(in));
			if (BPF_OP(f[i].code) == BPF_LSH ||
			    BPF_OP(f[i].code) == BPF_RSH)
				f[i].k %= 32;
		} else if (kind == 3) {
			f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
			    offset(in, room), 0, 0);
		} else if (kind == 4) {
			f[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
			    ret_value(in, acts, nacts));
		} else {
			f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_K |
			    jmp[byte(in) % 5], constant(in), 0, 0);
			if (room > 255)
				room = 255;
			f[i].jt = offset(in, room);
			f[i].jf = offset(in, room);
		}
	}
	f[n - 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    ret_value(in, acts, nacts));
	return (n);
}

static uint32_t
run(const struct sock_filter *f, unsigned int n, const uint32_t *w)
{
	uint32_t a = 0, k;
	unsigned int pc;
	int t;

	for (pc = 0; pc < n; pc++) {
		k = f[pc].k;
		switch (BPF_CLASS(f[pc].code)) {
		case BPF_LD:
			a = w[k / 4];
			break;
		case BPF_ALU:
			switch (BPF_OP(f[pc].code)) {
			case BPF_AND: a &= k; break;
			case BPF_OR: a |= k; break;
			case BPF_ADD: a += k; break;
			case BPF_SUB: a -= k; break;
			case BPF_XOR: a ^= k; break;
			case BPF_LSH: a <<= k; break;
			case BPF_RSH: a >>= k; break;
			case BPF_MUL: a *= k; break;
			default: abort();
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f[pc].code) == BPF_JA) {
				pc += k;
				break;
			}
			switch (BPF_OP(f[pc].code)) {
			case BPF_JEQ: t = a == k; break;
			case BPF_JGT: t = a > k; break;
			case BPF_JGE: t = a >= k; break;
			case BPF_JSET: t = (a & k) != 0; break;
			default: abort();
			}
			pc += t ? f[pc].jt : f[pc].jf;
			break;
		case BPF_RET:
			return (k);
		default:
			abort();
		}
	}
	abort();	/* ran off the end: malformed */
}

/* Forward jumps inside the program, a "ret" last. */
static void
check_form(const struct sock_filter *f, unsigned int n)
{
	unsigned int i;

	if (n == 0 || BPF_CLASS(f[n - 1].code) != BPF_RET)
		abort();
	for (i = 0; i < n; i++) {
		if (BPF_CLASS(f[i].code) != BPF_JMP)
			continue;
		if (BPF_OP(f[i].code) == BPF_JA) {
			if (f[i].k >= n - i - 1)
				abort();
		} else if (i + 1 + f[i].jt >= n || i + 1 + f[i].jf >= n) {
			abort();
		}
	}
}

static uint64_t
rnd(uint64_t *s)
{

	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

/* The words of a call: the program's constants, their neighbours, the
 * pool, random values. */
static void
make_call(uint64_t *s, const struct sock_filter *f, unsigned int n,
    uint32_t *w)
{
	unsigned int i;
	uint64_t r;

	for (i = 0; i < NWORDS; i++) {
		r = rnd(s);
		switch (r % 4) {
		case 0:
		case 1:
			w[i] = f[(r >> 8) % n].k + (uint32_t)((r >> 40) % 3) - 1;
			break;
		case 2:
			w[i] = pool[(r >> 8) % NPOOL];
			break;
		default:
			w[i] = (uint32_t)(r >> 16);
			break;
		}
	}
}

#endif /* !FUZZ_BPF_GEN_H */
