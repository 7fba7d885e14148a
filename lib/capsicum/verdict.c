/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The policy table evaluated in C, the way the compiled filters evaluate
 * it in the kernel.  The SIGSYS handler uses it to learn why a call
 * trapped (libseccomp's TRAP action carries no data): an emulation, or,
 * in trap mode, a refusal and its errno.  Tests use it as the reference
 * model the kernel's answers are compared with.
 *
 * Async-signal-safe: no allocation, no locks; capability-mode state is
 * append-only and read with atomics.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>

#include "fdtable.h"
#include "filter.h"
#include "policy.h"
#include "verdict.h"

void
capsicum_verdict_init(void)
{

	capsicum_policy_init();
}

/* Which pinned number, protected number or band holds this value? */
bool
capsicum_classify(uint64_t arg, struct capsicum_target *t)
{
	const struct capsicum_pin *pin;
	const struct capsicum_band *band;
	uint32_t fd = (uint32_t)arg;

	if ((pin = capsicum_pin_find((int)fd)) != NULL) {
		t->t_mask = 0xFFFFFFFFU;
		t->t_value = fd;
		t->t_prof = atomic_load(&pin->pin_prof);
		t->t_protected = t->t_prof == NULL;
		t->t_writable = pin->pin_writable;
		t->t_band = atomic_load(&pin->pin_band);
		return (true);
	}
	if ((band = capsicum_band_of_fd((int)fd)) != NULL) {
		t->t_mask = capsicum_band_mask(band);
		t->t_value = (uint32_t)band->band_base;
		t->t_prof = band->band_prof;
		t->t_protected = false;
		t->t_writable = band->band_writable;
		/* Copies of the broker's descriptors go to the top band. */
		t->t_band = band->band_derived ?
		    capsicum_band_top(band->band_prof) : band;
		return (true);
	}
	return (false);
}

static bool
conds_hold(const struct prow *row, const uint64_t a[6], pid_t self)
{
	unsigned int j;

	for (j = 0; j < row->pr_ncond; j++) {
		if (!capsicum_pcond_holds(&row->pr_cond[j],
		    a[row->pr_cond[j].pc_arg], self))
			return (false);
	}
	return (true);
}

static bool
ioctl_listed(const struct capsicum_profile *p, uint64_t cmd)
{
	int32_t i;

	for (i = 0; i < p->cp_nioctls; i++) {
		if ((uint32_t)p->cp_ioctls[i] == (uint32_t)cmd)
			return (true);
	}
	return (false);
}

/* Does the range [lo, hi] (64-bit, as the filter compares) cover any
 * pinned number or band? */
static bool
range_covers_target(uint64_t lo, uint64_t hi)
{
	unsigned int i, n;
	uint64_t b;

	n = atomic_load(&capsicum_cs.cs_npins);
	for (i = 0; i < n; i++) {
		b = (uint64_t)(uint32_t)capsicum_cs.cs_pins[i].pin_fd;
		if (lo <= b && hi >= b)
			return (true);
	}
	n = atomic_load(&capsicum_cs.cs_nbands);
	for (i = 0; i < n; i++) {
		b = (uint64_t)(uint32_t)capsicum_cs.cs_bands[i].band_base;
		if (lo <= b + (uint64_t)capsicum_band_size(
		    &capsicum_cs.cs_bands[i]) - 1 && hi >= b)
			return (true);
	}
	return (false);
}

/* R's verdict for one descriptor row. */
static void
target_row(const struct prow *row, const uint64_t a[6], pid_t self,
    struct capsicum_verdict *v)
{
	struct capsicum_target t, t2;
	const struct capsicum_band *band;
	uint32_t to;

	switch (row->pr_kind) {
	case PK_RIGHT:
		if (!capsicum_classify(a[row->pr_fd], &t) || t.t_protected)
			return;
		if ((row->pr_flags & PF_WRITABLE_OFD) != 0 && !t.t_writable)
			return;
		if (row->pr_right == PR_IOCTL_LIST) {
			if (cap_rights_is_set(&t.t_prof->cp_rights, CAP_IOCTL) &&
			    t.t_prof->cp_nioctls >= 0 &&
			    !ioctl_listed(t.t_prof, a[1]) &&
			    conds_hold(row, a, self))
				v->v_rerrno = ENOTCAPABLE;
			return;
		}
		if (!capsicum_profile_allows(t.t_prof, row) &&
		    conds_hold(row, a, self))
			v->v_rerrno = ENOTCAPABLE;
		return;
	case PK_LIMITED_EMULATE:
		if (!capsicum_classify(a[row->pr_fd], &t))
			return;
		if (t.t_protected && row->pr_emu != EMU_CLOSE)
			return;
		if (conds_hold(row, a, self))
			v->v_emu = row->pr_emu;
		return;
	case PK_LIMITED_DUP_TARGET:
		if (capsicum_classify(a[row->pr_fd2], &t2) && t2.t_protected) {
			v->v_rerrno = ENOTCAPABLE;
			return;
		}
		if (!capsicum_classify(a[row->pr_fd], &t) || t.t_protected)
			return;
		band = t.t_band;
		to = (uint32_t)a[row->pr_fd2];
		if (band == NULL || strcmp(row->pr_sys, "dup3") != 0 ||
		    (to & capsicum_band_mask(band)) != (uint32_t)band->band_base)
			v->v_rerrno = ENOTCAPABLE;
		return;
	case PK_LIMITED_RANGE:
		if (range_covers_target(a[row->pr_fd], a[row->pr_fd2]))
			v->v_emu = row->pr_emu;
		return;
	default:
		return;
	}
}

void
capsicum_verdict(int nr, const uint64_t a[6], pid_t self,
    struct capsicum_verdict *v)
{
	const struct prow *row;
	bool allowed, enosys;
	unsigned int i;

	memset(v, 0, sizeof(*v));
	allowed = enosys = false;
	for (i = 0; i < capsicum_policy_len; i++) {
		row = &capsicum_policy[i];
		if (capsicum_policy_rownr(i) != nr)
			continue;
		switch (row->pr_kind) {
		case PK_ALLOW:
			allowed = true;
			break;
		case PK_ALLOW_IF:
			if (conds_hold(row, a, self))
				allowed = true;
			break;
		case PK_ENOSYS:
			enosys = true;
			break;
		case PK_REFUSE:
			if (conds_hold(row, a, self))
				v->v_rerrno = ECAPMODE;
			break;
		case PK_EMULATE:
			if (conds_hold(row, a, self))
				v->v_emu = row->pr_emu;
			break;
		case PK_NOBROKER_EMULATE:
			if (capsicum_cs.cs_recv_nofd && conds_hold(row, a, self))
				v->v_emu = row->pr_emu;
			break;
		default:
			if (row->pr_fd >= 0 && v->v_rerrno != ECAPMODE &&
			    capsicum_policy_row_allowed(i))
				target_row(row, a, self, v);
			break;
		}
	}
	if (nr == SYS_ioctl) {
		for (i = 0; i < capsicum_refused_ioctls_len; i++) {
			if ((uint32_t)a[1] == (uint32_t)capsicum_refused_ioctls[i])
				v->v_rerrno = ECAPMODE;
		}
	}
	/* The newest filter (M) wins among errnos; a trap wins over any. */
	if (!allowed) {
		v->v_emu = EMU_NONE;
		v->v_errno = enosys ? ENOSYS : ECAPMODE;
	} else if (v->v_emu == EMU_NONE) {
		v->v_errno = v->v_rerrno;
	}
}
