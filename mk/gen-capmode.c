/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Build step: compile filter M (the capability-mode allowlist) from the
 * policy table with libseccomp, once per variant, shrink the result
 * (bpfshrink.c), and write the programs as C arrays for libcapsicum
 * (capmode_bpf.c), with filter R of a process with nothing limited, alone
 * and merged after M into one filter (bpfmerge.c).  Values only known at
 * cap_enter() are sentinels that capsicum_mfilter_get() patches.
 *
 * usage: gen-capmode OUTPUT.c
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "policy.h"
#include <linux/seccomp.h>

/*
 * Filter R of a process with nothing limited: only the library's
 * bookkeeping numbers protected, where a fresh process has them.  Built
 * with two pids that no process can have; the instructions that differ
 * are where cap_enter() writes its own (filter.c, capsicum_rfilter_get).
 * Building R costs a fresh process more than the filter's size suggests:
 * every page of the table and the emitter it touches faults in first.
 */
#define	RPID_A	0x7FFFFF01
#define	RPID_B	0x7FFFFF02

static unsigned int
count_probes(const struct sock_fprog *p)
{
	unsigned int i, n;

	for (i = 0, n = 0; i < p->len; i++) {
		if (p->filter[i].code == (BPF_RET | BPF_K) &&
		    p->filter[i].k == (SECCOMP_RET_ERRNO |
		    (CAPSICUM_PROBE_BASE + CAPSICUM_LAYERS_SENTINEL)))
			n++;
	}
	return (n);
}

/*
 * Write a program built twice, for RPID_A and for RPID_B, as
 * capsicum_<name> with the indices where the pid goes.
 */
static int
emit_template(FILE *f, const char *name, const struct sock_fprog *a,
    const struct sock_fprog *b)
{
	unsigned int i, n;

	if (a->len != b->len) {
		fprintf(stderr, "gen-capmode: %s depends on the pid\n", name);
		return (1);
	}
	fprintf(f, "static const struct sock_filter %s_[] = {\n", name);
	for (i = 0; i < a->len; i++)
		fprintf(f, "\t{ 0x%04x, %u, %u, 0x%08x },\n",
		    a->filter[i].code, a->filter[i].jt, a->filter[i].jf,
		    a->filter[i].k);
	fprintf(f, "};\n\nconst struct sock_filter *const capsicum_%s = "
	    "%s_;\nconst unsigned short capsicum_%s_len = %u;\n", name, name,
	    name, a->len);
	fprintf(f, "const unsigned short capsicum_%s_pid[] = {", name);
	for (i = 0, n = 0; i < a->len; i++) {
		if (memcmp(&a->filter[i], &b->filter[i], sizeof(a->filter[i])) ==
		    0)
			continue;
		if (a->filter[i].code != b->filter[i].code ||
		    a->filter[i].jt != b->filter[i].jt ||
		    a->filter[i].jf != b->filter[i].jf ||
		    a->filter[i].k != RPID_A || b->filter[i].k != RPID_B) {
			fprintf(stderr, "gen-capmode: %s depends on the pid "
			    "at %u\n", name, i);
			return (1);
		}
		fprintf(f, "%s%u,", n % 12 == 0 ? "\n\t" : " ", i);
		n++;
	}
	fprintf(f, "\n};\nconst unsigned int capsicum_%s_npid = %u;\n\n",
	    name, n);
	return (0);
}

/* M (the variant without trap mode) then R, as one filter, when that
 * answers every call as the two filters do (bpfmerge.c). */
static int
merged(const struct sock_fprog *m, const struct sock_fprog *r,
    uint32_t pid, struct sock_fprog *out)
{
	int e;

	if ((e = capsicum_bpf_merge_exact(m, r)) != 0) {
		fprintf(stderr, "gen-capmode: M and R cannot be one filter: "
		    "%s\n", e == -EXDEV ? "R outranks a refusal of M" :
		    strerror(-e));
		return (e);
	}
	if ((e = capsicum_bpf_merge(m, r, out)) != 0 ||
	    (e = capsicum_bpf_optimize(out, &pid,
	    CAPSICUM_OPT_ROUNDS_BUILD)) != 0) {
		fprintf(stderr, "gen-capmode: MR: %s\n", strerror(-e));
		return (e);
	}
	return (0);
}

static int
rtemplate(FILE *f, const struct sock_fprog *m)
{
	static const int prot[] = { CAPSICUM_RTEMPLATE_FDS };
	struct capsicum_target t[CAPSICUM_RTEMPLATE_NFDS];
	struct capsicum_filter_in in;
	struct sock_fprog a, b, ma, mb;
	unsigned int i;
	int r;

	for (i = 0; i < CAPSICUM_RTEMPLATE_NFDS; i++)
		t[i] = (struct capsicum_target){ 0xFFFFFFFFU,
		    (uint32_t)prot[i], NULL, true, false, NULL };
	memset(&in, 0, sizeof(in));
	in.fi_global = true;
	in.fi_targets = t;
	in.fi_ntargets = CAPSICUM_RTEMPLATE_NFDS;
	in.fi_rounds = CAPSICUM_OPT_ROUNDS_BUILD;	/* free here */
	in.fi_self = RPID_A;
	if ((r = capsicum_rfilter_build(&in, &a)) != 0)
		goto fail;
	in.fi_self = RPID_B;
	if ((r = capsicum_rfilter_build(&in, &b)) != 0)
		goto fail;
	if (emit_template(f, "rtemplate", &a, &b) != 0)
		return (1);
	if (merged(m, &a, RPID_A, &ma) != 0 || merged(m, &b, RPID_B, &mb) != 0)
		return (1);
	if (count_probes(&ma) != 1) {
		fprintf(stderr, "gen-capmode: MR: probe sentinel found %u "
		    "times\n", count_probes(&ma));
		return (1);
	}
	if (emit_template(f, "mrtemplate", &ma, &mb) != 0)
		return (1);
	capsicum_filter_free(&a);
	capsicum_filter_free(&b);
	capsicum_filter_free(&ma);
	capsicum_filter_free(&mb);
	return (0);
fail:
	fprintf(stderr, "gen-capmode: R: %s\n", strerror(-r));
	return (1);
}

int
main(int argc, char **argv)
{
	struct capsicum_filter_in in;
	struct sock_fprog prog, raw, m0 = { 0, NULL };
	unsigned int i, found;
	int trap, r;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-capmode OUTPUT.c\n");
		return (2);
	}
	if ((f = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		return (1);
	}
	fprintf(f, "/* Generated by mk/gen-capmode.c from lib/capsicum/"
	    "policy.c.  Do not edit. */\n#include <stdbool.h>\n"
	    "#include <linux/filter.h>\n\n");
	for (trap = 0; trap < 2; trap++) {
		memset(&in, 0, sizeof(in));
		in.fi_trap = trap;
		in.fi_layers = CAPSICUM_LAYERS_SENTINEL;
		if ((r = capsicum_mfilter_build(&in, &raw)) != 0) {
			fprintf(stderr, "gen-capmode: variant %d: %s\n", trap,
			    strerror(-r));
			return (1);
		}
		/* Half the instructions, so half the kernel's work at
		 * cap_enter(); libseccomp's program when that fails. */
		if ((r = capsicum_bpf_shrink(&raw, &prog)) != 0) {
			fprintf(stderr, "gen-capmode: variant %d: not shrunk "
			    "(%s), %u instructions\n", trap, strerror(-r),
			    raw.len);
			prog = raw;
			raw.filter = NULL;
		}
		capsicum_filter_free(&raw);
		/* Then the peephole pass (threading, shared returns). */
		if ((r = capsicum_bpf_optimize(&prog, NULL,
		    CAPSICUM_OPT_ROUNDS_BUILD)) != 0 &&
		    r != -ENOTSUP) {
			fprintf(stderr, "gen-capmode: variant %d: %s\n", trap,
			    strerror(-r));
			return (1);
		}
		fprintf(f, "static const struct sock_filter m%d[] = {\n", trap);
		for (i = 0; i < prog.len; i++)
			fprintf(f, "\t{ 0x%04x, %u, %u, 0x%08x },\n",
			    prog.filter[i].code, prog.filter[i].jt,
			    prog.filter[i].jf, prog.filter[i].k);
		fprintf(f, "};\n\n");
		if ((found = count_probes(&prog)) != 1) {
			fprintf(stderr, "gen-capmode: probe sentinel found %u "
			    "times in variant %d\n", found, trap);
			return (1);
		}
		if (trap == 0)
			m0 = prog;
		else
			capsicum_filter_free(&prog);
	}
	if (rtemplate(f, &m0) != 0)
		return (1);
	capsicum_filter_free(&m0);
	/* The syscall number of every policy row, so that the library
	 * need not ask libseccomp at run time. */
	fprintf(f, "const int capsicum_policy_nrs[] = {");
	for (i = 0; i < capsicum_policy_len; i++)
		fprintf(f, "%s%d,", i % 16 == 0 ? "\n\t" : " ",
		    capsicum_policy_sysnr_slow(&capsicum_policy[i]));
	fprintf(f, "\n};\nconst unsigned int capsicum_policy_nrs_len = %u;\n\n",
	    capsicum_policy_len);
	/* And whether each row's call is allowed in capability mode. */
	capsicum_policy_init();
	fprintf(f, "const bool capsicum_policy_allowed[] = {");
	for (i = 0; i < capsicum_policy_len; i++)
		fprintf(f, "%s%d,", i % 32 == 0 ? "\n\t" : " ",
		    capsicum_policy_row_allowed(i) ? 1 : 0);
	fprintf(f, "\n};\n\n");
	fprintf(f, "const struct sock_filter *const capsicum_mvariant[2] = "
	    "{ m0, m1 };\n");
	fprintf(f, "const unsigned short capsicum_mvariant_len[2] = {\n"
	    "\tsizeof(m0) / sizeof(m0[0]), sizeof(m1) / sizeof(m1[0]),\n};\n");
	if (fclose(f) != 0) {
		perror(argv[1]);
		return (1);
	}
	return (0);
}
