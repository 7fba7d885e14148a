/* SPDX-License-Identifier: BSD-2-Clause */
/* The policy table evaluated in C (see verdict.c). */
#ifndef CAPSICUM_VERDICT_H
#define	CAPSICUM_VERDICT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "filter.h"

struct capsicum_verdict {
	int	v_errno;	/* 0: allowed; else the errno the call gets */
	int	v_emu;		/* EMU_*: the filters trap for this emulation */
	int	v_rerrno;	/* R's own errno (before combining) */
};

void	capsicum_verdict_init(void);
void	capsicum_verdict(int nr, const uint64_t args[6], pid_t self,
	    struct capsicum_verdict *v);
bool	capsicum_classify(uint64_t arg, struct capsicum_target *t);

#endif /* !CAPSICUM_VERDICT_H */
