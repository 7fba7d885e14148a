/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness, differential: whenever capsicum_bpf_merge_exact()
 * says two programs may be merged, the merged program must answer every
 * call as the kernel answers for the pair (the action of highest
 * precedence, the later program's on a tie).  The input is decoded into
 * two programs whose loads favour the syscall number and the arch and
 * whose "ret"s return real actions; calls take their words from the
 * programs' constants, their neighbours and random values.  A wrong
 * proof, a malformed merge or a crash aborts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "capsicum/filter.h"
#include "bpf_gen.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t acts[] = { SECCOMP_RET_ALLOW, SECCOMP_RET_ALLOW,
    SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_ERRNO,
    SECCOMP_RET_TRAP, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
    SECCOMP_RET_USER_NOTIF, SECCOMP_RET_LOG, SECCOMP_RET_TRACE };
#define	NACTS	(sizeof(acts) / sizeof(acts[0]))

/* The kernel's answer for "older" installed before "newest". */
static uint32_t
combine(uint32_t newest, uint32_t older)
{
	int32_t a = (int32_t)(newest & SECCOMP_RET_ACTION_FULL);
	int32_t b = (int32_t)(older & SECCOMP_RET_ACTION_FULL);

	return (b < a ? older : newest);
}

/* What the kernel does with an answer: the data bits only matter to
 * ERRNO, TRAP and TRACE. */
static uint32_t
effect(uint32_t v)
{
	uint32_t a = v & SECCOMP_RET_ACTION_FULL;

	return (a == SECCOMP_RET_ERRNO || a == SECCOMP_RET_TRAP ||
	    a == SECCOMP_RET_TRACE ? v : a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_filter m[MAX_LEN], r[MAX_LEN], both[2 * MAX_LEN];
	struct sock_fprog pm, pr, out;
	struct input in = { data, size };
	uint32_t w[NWORDS];
	uint64_t seed;
	unsigned int nm, nr, i;
	int e, m2;

	if (size < 4)
		return (0);
	nm = decode(&in, m, acts, NACTS);
	nr = decode(&in, r, acts, NACTS);
	pm = (struct sock_fprog){ (unsigned short)nm, m };
	pr = (struct sock_fprog){ (unsigned short)nr, r };
	/* -ENOTSUP: R reads A before it loads it. */
	e = capsicum_bpf_merge_exact(&pm, &pr);
	if (e != 0 && e != -EXDEV && e != -ENOTSUP)
		abort();
	m2 = capsicum_bpf_merge(&pm, &pr, &out);
	if (m2 == -ENOTSUP && e == -ENOTSUP)
		return (0);
	if (m2 != 0 || out.len != nm + nr)
		abort();
	memcpy(both, out.filter, out.len * sizeof(both[0]));
	capsicum_filter_free(&out);
	check_form(both, nm + nr);
	if (e != 0)
		return (0);
	seed = 0x9E3779B97F4A7C15ULL ^ size;
	for (i = 0; i < CALLS; i++) {
		make_call(&seed, i % 2 == 0 ? m : r, i % 2 == 0 ? nm : nr, w);
		if (effect(run(both, nm + nr, w)) !=
		    effect(combine(run(m, nm, w), run(r, nr, w))))
			abort();
	}
	return (0);
}
