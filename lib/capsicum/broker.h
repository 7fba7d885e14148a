/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The broker: a process outside the sandbox's memory that performs the
 * calls the kernel cannot decide (policy rows PK_BROKER) on the sandbox's
 * behalf, with its own copies of the arguments.  docs/design.md, "The
 * broker", explains the design.  Never installed.
 */
#ifndef CAPSICUM_BROKER_H
#define	CAPSICUM_BROKER_H

#include <linux/filter.h>

#include "filter.h"

/*
 * Filter B: USER_NOTIF for each broker row whose descriptor argument is one
 * of the targets (limited descriptors with CAP_LOOKUP); ALLOW otherwise.
 * Decided by number alone for every other call, so the kernel's action
 * cache keeps them free.  0 or -errno.
 */
int	capsicum_bfilter_build(const struct capsicum_target *t, unsigned int n,
	    struct sock_fprog *prog);

/*
 * cap_enter(): start the broker (it must already be in the sandbox's
 * Landlock domain, so call this after Landlock and before the seccomp
 * filters), load filter B with a listener and hand the listener over.
 * 0, or -errno with nothing loaded.
 */
int	capsicum_broker_start(const struct sock_fprog *bprog);

#endif /* !CAPSICUM_BROKER_H */
