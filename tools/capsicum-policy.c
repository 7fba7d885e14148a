/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capsicum-policy: print or check the policy table.
 *
 *   capsicum-policy markdown   the enforcement matrix (docs/policy-table.md)
 *   capsicum-policy check      consistency checks; exit 1 on a problem
 *   capsicum-policy bpf [r]    dump filter M (or R for stdio limits)
 *
 * Everything printed comes from lib/capsicum/policy.c, the single source
 * of truth; `make check` fails when the committed documentation differs.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capsicum.h>

#include "capsicum_impl.h"
#include "fdtable.h"
#include "filter.h"
#include "policy.h"

static const char *
kind_name(const struct prow *row)
{

	switch (row->pr_kind) {
	case PK_ALLOW:
		return ("allowed");
	case PK_ALLOW_IF:
		return ("allowed if");
	case PK_REFUSE:
		return ("ECAPMODE if");
	case PK_ENOSYS:
		return ("ENOSYS");
	case PK_EMULATE:
		return ("emulated if");
	case PK_DENY:
		return ("ECAPMODE");
	default:
		return ("");
	}
}

static void
print_cond(const struct pcond *pc)
{
	const char *ops[] = { "&", "==", "!=", ">", "<=", ">=" };

	if (pc->pc_value == PV_SELF_PID) {
		printf("arg%u %s own pid", pc->pc_arg,
		    pc->pc_op == PC_NE ? "!=" : "==");
		return;
	}
	if (pc->pc_op == PC_MASKED_NE) {
		printf("(arg%u & %#llx) != %#llx", pc->pc_arg,
		    (unsigned long long)pc->pc_mask,
		    (unsigned long long)pc->pc_value);
		return;
	}
	if (pc->pc_op == PC_ANY) {
		printf("arg%u has any of %#llx", pc->pc_arg,
		    (unsigned long long)pc->pc_mask);
		return;
	}
	if (pc->pc_op == PC_MASKED) {
		if (pc->pc_mask == 0xFFFFFFFFULL)
			printf("(int)arg%u == %#llx", pc->pc_arg,
			    (unsigned long long)pc->pc_value);
		else if (pc->pc_mask == pc->pc_value)
			printf("arg%u has %#llx", pc->pc_arg,
			    (unsigned long long)pc->pc_mask);
		else if (pc->pc_value == 0)
			printf("arg%u lacks %#llx", pc->pc_arg,
			    (unsigned long long)pc->pc_mask);
		else
			printf("arg%u & %#llx == %#llx", pc->pc_arg,
			    (unsigned long long)pc->pc_mask,
			    (unsigned long long)pc->pc_value);
		return;
	}
	printf("arg%u %s %#llx", pc->pc_arg, ops[pc->pc_op],
	    (unsigned long long)pc->pc_value);
}

static void
print_conds(const struct prow *row)
{
	unsigned int j;

	for (j = 0; j < row->pr_ncond; j++) {
		if (j > 0)
			printf(" and ");
		print_cond(&row->pr_cond[j]);
	}
}

static bool
right_in_row(uint64_t right, const struct prow *row)
{

	return (row->pr_kind == PK_RIGHT && row->pr_right == right);
}

static void
markdown(void)
{
	const struct prow *row;
	unsigned int i, j, k;
	bool any;

	printf("# The policy table\n\n"
	    "Generated from `lib/capsicum/policy.c` by `tools/capsicum-policy "
	    "markdown`; do not edit.\n`make check` fails when this file and "
	    "the table disagree.  How the layers work is in\n"
	    "[design.md](design.md); what they guarantee, and the gaps, in\n"
	    "[enforcement.md](enforcement.md).\n\n");

	printf("## Rights: what enforces each one\n\n"
	    "A right is checked by the kernel from `cap_enter()` on, by seccomp "
	    "filter R, for every\ndescriptor limited before `cap_enter()` or "
	    "afterwards (a stacked filter), its duplicates\nand its band.  "
	    "Rights that also map to Landlock access govern files opened "
	    "beneath\ndirectories held at `cap_enter()`.\n\n"
	    "| Right | Checked on (system call: argument, condition) | "
	    "Landlock access |\n|---|---|---|\n");
	for (i = 0; i < capsicum_right_names_len; i++) {
		uint64_t r = capsicum_right_names[i].pn_right;

		printf("| `%s` | ", capsicum_right_names[i].pn_name);
		any = false;
		for (j = 0; j < capsicum_policy_len; j++) {
			row = &capsicum_policy[j];
			if (!right_in_row(r, row))
				continue;
			printf("%s`%s`: arg%d", any ? "; " : "", row->pr_sys,
			    row->pr_fd);
			if (row->pr_ncond > 0) {
				printf(", ");
				print_conds(row);
			}
			if (row->pr_fcntl != 0)
				printf(" (and fcntl bit %#x)", row->pr_fcntl);
			if (!capsicum_policy_capmode_allows(row->pr_sys))
				printf(" (refused in capability mode)");
			any = true;
		}
		for (k = 0; k < capsicum_unenforced_len; k++) {
			if (capsicum_unenforced[k].pu_right == r) {
				printf("%snot checked: %s", any ? "; " : "",
				    capsicum_unenforced[k].pu_why);
				any = true;
			}
		}
		if (!any)
			printf("(part of a composite right)");
		printf(" | ");
		for (k = 0; k < capsicum_landlock_map_len; k++) {
			if (capsicum_landlock_map[k].pl_right == r)
				printf("%s", capsicum_landlock_map[k].pl_why);
		}
		printf(" |\n");
	}
	for (i = 0; i < capsicum_policy_len; i++) {
		row = &capsicum_policy[i];
		if (row->pr_kind != PK_RIGHT || row->pr_right != PR_IOCTL_LIST)
			continue;
		printf("| ioctl list | `%s`: arg%d, the command (arg1) must be "
		    "listed by `cap_ioctls_limit()`", row->pr_sys, row->pr_fd);
		for (j = 0; j < row->pr_ncond; j++) {
			printf(j == 0 ? " when " : ", ");
			print_cond(&row->pr_cond[j]);
		}
		printf(" | |\n");
	}

	printf("\n## Capability mode, system call by system call\n\n"
	    "The filter's default is ECAPMODE: a system call not listed here "
	    "is refused.  Calls that\nname a limited descriptor also need the "
	    "rights above.\n\n"
	    "| System call | Verdict | Condition | Why |\n|---|---|---|---|\n");
	for (i = 0; i < capsicum_policy_len; i++) {
		row = &capsicum_policy[i];
		if (row->pr_kind > PK_DENY)
			continue;
		printf("| `%s` | %s | ", row->pr_sys, kind_name(row));
		print_conds(row);
		printf(" | %s |\n", row->pr_why);
	}
	printf("| `ioctl` | ECAPMODE if | command is one of:");
	for (i = 0; i < capsicum_refused_ioctls_len; i++)
		printf(" %#lx", capsicum_refused_ioctls[i]);
	printf(" | they act beyond the descriptor (TIOCSTI, TIOCLINUX, "
	    "TIOCCONS, TIOCSCTTY, TIOCSETD) |\n");

	printf("\n## Descriptor-number bookkeeping\n\n"
	    "| System call | What happens to a limited number | Why |\n"
	    "|---|---|---|\n");
	for (i = 0; i < capsicum_policy_len; i++) {
		row = &capsicum_policy[i];
		if (row->pr_kind != PK_LIMITED_EMULATE &&
		    row->pr_kind != PK_LIMITED_DUP_TARGET &&
		    row->pr_kind != PK_LIMITED_RANGE &&
		    row->pr_kind != PK_BROKER &&
		    row->pr_kind != PK_NOBROKER_EMULATE)
			continue;
		printf("| `%s` | %s", row->pr_sys,
		    row->pr_kind == PK_LIMITED_EMULATE ? "trapped and emulated" :
		    row->pr_kind == PK_LIMITED_RANGE ? "range trapped and split" :
		    row->pr_kind == PK_BROKER ?
		    "sent to the broker (filter B), after M and R allowed it" :
		    row->pr_kind == PK_NOBROKER_EMULATE ?
		    "trapped and emulated once a descriptor is limited in "
		    "capability mode with no broker running" :
		    "ENOTCAPABLE unless the target is in its band");
		if (row->pr_ncond > 0) {
			printf(" when ");
			print_conds(row);
		}
		printf(" | %s |\n", row->pr_why);
	}

	printf("\n## Landlock access beneath a directory held at cap_enter()\n\n"
	    "| Right on the directory | Landlock access granted |\n|---|---|\n");
	for (i = 0; i < capsicum_landlock_map_len; i++)
		printf("| `%s` | %s (%#llx) |\n",
		    capsicum_right_name(capsicum_landlock_map[i].pl_right),
		    capsicum_landlock_map[i].pl_why,
		    (unsigned long long)capsicum_landlock_map[i].pl_access);
	printf("\nA directory without `CAP_LOOKUP` gets no rule.  Regular files "
	    "held with `CAP_FEXECVE` get\nEXECUTE and READ_FILE so that "
	    "`fexecve()` works.\n");
}

/* Returns the number of problems found. */
static int
check(void)
{
	const struct prow *row, *o;
	unsigned int i, j, k;
	int bad = 0;
	bool checked;

	capsicum_policy_init();
	for (i = 0; i < capsicum_policy_len; i++) {
		row = &capsicum_policy[i];
		if (capsicum_policy_rownr(i) < 0) {
			warnx("row %u: unknown system call %s", i, row->pr_sys);
			bad++;
		}
		if (row->pr_why == NULL || row->pr_why[0] == '\0') {
			warnx("row %u (%s): no reason", i, row->pr_sys);
			bad++;
		}
		if (row->pr_ncond > PCOND_MAX) {
			warnx("row %u (%s): too many conditions", i, row->pr_sys);
			bad++;
		}
		for (j = 0; j < row->pr_ncond; j++) {
			if ((row->pr_cond[j].pc_op == PC_ANY ||
			    row->pr_cond[j].pc_op == PC_MASKED_NE) &&
			    (row->pr_kind == PK_ALLOW_IF ||
			    row->pr_kind == PK_ENOSYS)) {
				warnx("row %u (%s): R-only condition in a filter M row", i,
				    row->pr_sys);
				bad++;
			}
			if (row->pr_cond[j].pc_arg > 5 ||
			    (row->pr_fd >= 0 &&
			    row->pr_cond[j].pc_arg == (uint8_t)row->pr_fd)) {
				warnx("row %u (%s): bad condition argument", i,
				    row->pr_sys);
				bad++;
			}
		}
		/* A broker row without one is routed by number alone. */
		if (row->pr_kind >= PK_RIGHT &&
		    row->pr_kind != PK_NOBROKER_EMULATE && (row->pr_fd < 0 ||
		    row->pr_fd > 5) &&
		    !(row->pr_kind == PK_BROKER && row->pr_fd == -1)) {
			warnx("row %u (%s): no descriptor argument", i,
			    row->pr_sys);
			bad++;
		}
		if ((row->pr_kind == PK_EMULATE ||
		    row->pr_kind == PK_NOBROKER_EMULATE ||
		    row->pr_kind == PK_LIMITED_EMULATE ||
		    row->pr_kind == PK_LIMITED_RANGE) &&
		    (row->pr_emu == EMU_NONE || row->pr_emu >= EMU_MAX)) {
			warnx("row %u (%s): no emulation", i, row->pr_sys);
			bad++;
		}
		if (row->pr_kind == PK_RIGHT && row->pr_right != PR_IOCTL_LIST &&
		    strcmp(capsicum_right_name(row->pr_right), "?") == 0) {
			warnx("row %u (%s): unnamed right %#llx", i, row->pr_sys,
			    (unsigned long long)row->pr_right);
			bad++;
		}
		/* An unconditional allow swallows conditional ones. */
		for (k = 0; k < capsicum_policy_len; k++) {
			o = &capsicum_policy[k];
			if (row->pr_kind == PK_ALLOW &&
			    o->pr_kind == PK_ALLOW_IF &&
			    strcmp(row->pr_sys, o->pr_sys) == 0) {
				warnx("%s: both allowed and allowed-if", o->pr_sys);
				bad++;
			}
		}
	}
	/* Every right is checked somewhere or says why not. */
	for (i = 0; i < capsicum_right_names_len; i++) {
		uint64_t r = capsicum_right_names[i].pn_right;
		bool listed = false;

		checked = false;
		for (j = 0; j < capsicum_policy_len; j++) {
			if (right_in_row(r, &capsicum_policy[j]))
				checked = true;
		}
		for (k = 0; k < capsicum_unenforced_len; k++) {
			if (capsicum_unenforced[k].pu_right == r)
				listed = true;
		}
		/* Composite rights are checked through their parts. */
		if (!checked && !listed && __builtin_popcountll(r &
		    0x01FFFFFFFFFFFFFFULL) == 1) {
			warnx("%s: checked by no row and not listed as "
			    "unenforced", capsicum_right_names[i].pn_name);
			bad++;
		}
		if (checked && listed) {
			warnx("%s: checked by a row but listed as unenforced",
			    capsicum_right_names[i].pn_name);
			bad++;
		}
	}
	return (bad);
}

static void
dump(bool r)
{
	struct capsicum_filter_in in;
	struct capsicum_target t[1];
	struct sock_fprog p;
	cap_rights_t rr;
	unsigned int i;
	int e;

	memset(&in, 0, sizeof(in));
	in.fi_self = 1;
	in.fi_global = true;
	if (r) {
		cap_rights_init(&rr, CAP_WRITE, CAP_FSTAT, CAP_SEEK);
		t[0] = (struct capsicum_target){ 0xFFFFFFFFU, 1,
		    capsicum_profile_intern(&rr, 0, 0, NULL), false, true, NULL };
		in.fi_targets = t;
		in.fi_ntargets = 1;
		e = capsicum_rfilter_build(&in, &p);
	} else {
		e = capsicum_mfilter_get(&in, &p);
	}
	if (e != 0)
		errx(1, "build: %s", strerror(-e));
	for (i = 0; i < p.len; i++)
		printf("%4u: code %#06x jt %3u jf %3u k %#010x\n", i,
		    p.filter[i].code, p.filter[i].jt, p.filter[i].jf,
		    p.filter[i].k);
	capsicum_filter_free(&p);
}

int
main(int argc, char **argv)
{

	if (argc >= 2 && strcmp(argv[1], "markdown") == 0) {
		markdown();
		return (0);
	}
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return (check() == 0 ? 0 : 1);
	if (argc >= 2 && strcmp(argv[1], "bpf") == 0) {
		dump(argc >= 3 && strcmp(argv[2], "r") == 0);
		return (0);
	}
	fprintf(stderr, "usage: capsicum-policy markdown | check | bpf [r]\n");
	return (2);
}
