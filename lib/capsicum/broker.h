/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The broker: a process outside the sandbox's memory that performs the
 * calls the kernel cannot decide (policy rows PK_BROKER) on the sandbox's
 * behalf, with its own copies of the arguments.  docs/design.md, "The
 * broker", explains the design.  Never installed.
 */
#ifndef CAPSICUM_BROKER_H
#define	CAPSICUM_BROKER_H

#include <stdint.h>
#include <linux/filter.h>

#include "filter.h"

/*
 * Filter B: USER_NOTIF for each broker row, except when its descriptor
 * argument is one of the `direct` numbers (directories held without limits
 * at cap_enter, which the kernel and Landlock handle at full speed).  So
 * limited directories, descriptors derived from them and directories that
 * arrive later all go to the broker.  Every other call is decided by number
 * alone, so the kernel's action cache keeps it free.  Rows flagged
 * PF_BROKER_LIMITED (accept) go to the broker only for the targets t
 * (limited descriptors).  0 or -errno.
 */
int	capsicum_bfilter_build(const int *direct, unsigned int ndirect,
	    const struct capsicum_target *t, unsigned int nt,
	    struct sock_fprog *prog);
/* The same before bpfopt.c (tests compare the two). */
int	capsicum_bfilter_emit(const int *direct, unsigned int ndirect,
	    const struct capsicum_target *t, unsigned int nt,
	    struct sock_fprog *prog);

/*
 * A limit set in capability mode, told to the broker with call
 * CAPSICUM_LIMIT_NR (fd, &claim, is_socket).  The file is named by its
 * identity: the broker takes no reference to it, except for a socket,
 * whose local address it reads.
 */
struct capsicum_claim {
	uint64_t	cl_dev, cl_ino;
	uint64_t	cl_rights[2];
	uint32_t	cl_fcntls;
	int32_t		cl_nioctls;
	uint64_t	cl_ioctls;	/* address of the ioctl list */
};

/*
 * cap_enter(), before Landlock: start the broker process (outside the
 * sandbox's Landlock domain, so that it can open beneath directories the
 * sandbox receives later; it may still read the sandbox, a domain below
 * it).  Returns our end of its socket, or -errno.
 */
int	capsicum_broker_spawn(void);

/*
 * cap_enter(), after Landlock and before filters M and R: load filter B
 * with a listener and hand the listener to the broker.  0, or -errno
 * (with B loaded, brokered calls then fail with ENOSYS).  sock stays
 * open for capsicum_broker_ready() on success, is closed on failure.
 */
int	capsicum_broker_attach(int sock, const struct sock_fprog *bprog);

/*
 * Then, after other work (the broker starts meanwhile): wait for its
 * "ready" byte.  0, or -ESRCH when it exited instead.  Closes sock.
 */
int	capsicum_broker_ready(int sock);

#endif /* !CAPSICUM_BROKER_H */
