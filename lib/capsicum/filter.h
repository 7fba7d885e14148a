/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Seccomp filters compiled from the policy table.
 *
 * Capability mode installs two filters (one more for each later limit):
 *
 *   R  "restrictions", default ALLOW: refusals that depend on arguments
 *      (AT_FDCWD, namespace flags, an address in sendto), the in-process
 *      emulation traps, and the rights of every limited descriptor number
 *      and band.  Compiled at cap_enter() by emit.c, installed first.
 *   M  "capability mode", default ECAPMODE: the allowlist, decided by
 *      syscall number wherever possible so the kernel's action cache
 *      answers hot calls without running BPF.  Compiled by libseccomp
 *      (binary tree) when the library is built, then shrunk by
 *      bpfshrink.c (a search over intervals of equal answers: 419 -> 262
 *      instructions, the kernel's cost at cap_enter() being per
 *      instruction) and bpfopt.c (262 -> 257); installed last, so its
 *      ECAPMODE wins over R's ENOTCAPABLE when both refuse (the kernel
 *      prefers the newest filter's errno).
 *
 * Two filters because an allowlist wants a default of ECAPMODE and the
 * refusals want a default of ALLOW: "allow unless the descriptor is 5"
 * is not expressible in libseccomp's default-deny rules, "refuse if it
 * is" is one rule in a default-allow filter.
 */
#ifndef CAPSICUM_FILTER_H
#define	CAPSICUM_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>

#include "fdtable.h"

/* A set of descriptor numbers (a cube: (fd & mask) == value) with the
 * limits the filter enforces on it. */
struct capsicum_target {
	uint32_t	t_mask;
	uint32_t	t_value;
	const struct capsicum_profile *t_prof;	/* NULL and t_protected: */
	bool		t_protected;	/* bookkeeping fd: never closed */
	bool		t_writable;	/* open file allows writing */
	const struct capsicum_band *t_band; /* where its duplicates go */
};

struct capsicum_filter_in {
	bool		fi_capmode;	/* build M; else R */
	bool		fi_global;	/* R: include the argument refusals */
	bool		fi_trap;	/* refusals raise SIGSYS (trap mode) */
	bool		fi_nobroker;	/* R: the PK_NOBROKER_EMULATE traps */
	bool		fi_unoptimized;	/* R as emitted (tests compare); may
					 * exceed BPF_MAXINSNS */
	unsigned int	fi_rounds;	/* optimiser rounds; 0: run time's */
	pid_t		fi_self;	/* getpid() at cap_enter: the pid
					 * kill() may name without a trap */
	unsigned int	fi_layers;	/* reported through the probe */
	const struct capsicum_target *fi_targets;
	unsigned int	fi_ntargets;
};

/* The probe: syscall CAPSICUM_PROBE_NR fails with CAPSICUM_PROBE_BASE +
 * the layers in force under our filter, and with ENOSYS otherwise. */
#define	CAPSICUM_PROBE_NR	1023
#define	CAPSICUM_PROBE_BASE	3000

/* Sentinel in the build-time copies of M, patched at cap_enter(). */
#define	CAPSICUM_LAYERS_SENTINEL 1023

/* M with libseccomp (build time, and tests), as libseccomp emits it. */
int	capsicum_mfilter_build(const struct capsicum_filter_in *in,
	    struct sock_fprog *prog);
/* M from the build-time copy, patched; falls back to libseccomp. */
int	capsicum_mfilter_get(const struct capsicum_filter_in *in,
	    struct sock_fprog *prog);
/* A smaller program with the same answers (bpfshrink.c); -ENOTSUP when
 * the input is not of the shape libseccomp emits. */
int	capsicum_bpf_shrink(const struct sock_fprog *in,
	    struct sock_fprog *out);
/* Fewer instructions, same answers (bpfopt.c), in place; comparisons
 * with *opaque (if not NULL) are never decided.  -ENOTSUP: left alone. */
int	capsicum_bpf_optimize(struct sock_fprog *prog, const uint32_t *opaque,
	    unsigned int rounds);
/* Rounds at run time (cap_enter, limits) and for build-time copies. */
#define	CAPSICUM_OPT_ROUNDS		1
#define	CAPSICUM_OPT_ROUNDS_BUILD	16
/* R with the emitter (emit.c), optimised. */
int	capsicum_rfilter_build(const struct capsicum_filter_in *in,
	    struct sock_fprog *prog);
/*
 * R from the build-time copy when nothing is limited (the bookkeeping
 * numbers at CAPSICUM_RTEMPLATE_FDS, no trap mode), with the pid written
 * in; the emitter otherwise.  The same program either way.
 */
#define	CAPSICUM_RTEMPLATE_FDS	200, 201
#define	CAPSICUM_RTEMPLATE_NFDS	2
int	capsicum_rfilter_get(const struct capsicum_filter_in *in,
	    struct sock_fprog *prog);
/* Does a conditional jump with constant k (JEQ, JGT, JGE, JSET) take its
 * true branch when A holds a? */
static inline bool
capsicum_bpf_taken(uint16_t code, uint32_t a, uint32_t k)
{

	switch (BPF_OP(code)) {
	case BPF_JEQ:
		return (a == k);
	case BPF_JGT:
		return (a > k);
	case BPF_JGE:
		return (a >= k);
	default:
		return ((a & k) != 0);
	}
}

/* M then R as one program (bpfmerge.c): M's "ret ALLOW" jumps to R. */
int	capsicum_bpf_merge(const struct sock_fprog *m,
	    const struct sock_fprog *r, struct sock_fprog *out);
/* 0 when the merged program answers every call as the kernel answers for
 * R installed before M; -EXDEV when some call would be answered
 * differently; -ENOTSUP when the programs are of another shape. */
int	capsicum_bpf_merge_exact(const struct sock_fprog *m,
	    const struct sock_fprog *r);
/*
 * M and R as one filter from the build-time copy, when R's build-time
 * copy would do (capsicum_rfilter_get) and not in trap mode, with the pid
 * and in->fi_layers written in; -ENOTSUP otherwise (load R, then M).
 */
int	capsicum_mrfilter_get(const struct capsicum_filter_in *in,
	    struct sock_fprog *prog);
/* The probe's answer in a build-time copy (which holds the sentinel)
 * made to report these layers. */
void	capsicum_filter_set_layers(struct sock_fprog *prog,
	    unsigned int layers);
int	capsicum_filter_load(const struct sock_fprog *prog);
void	capsicum_filter_free(struct sock_fprog *prog);

#endif /* !CAPSICUM_FILTER_H */
