/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: FreeBSD's procctl(2), for the capability trap
 * controls only (PROC_TRAPCAP_CTL, PROC_TRAPCAP_STATUS).  Other commands
 * fail with EINVAL.  idtype is Linux's idtype_t from <sys/wait.h>.
 */
#ifndef _SYS_PROCCTL_H_
#define	_SYS_PROCCTL_H_

#include <sys/types.h>
#include <sys/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	PROC_TRAPCAP_CTL		9
#define	PROC_TRAPCAP_STATUS		10

#define	PROC_TRAPCAP_CTL_ENABLE		1
#define	PROC_TRAPCAP_CTL_DISABLE	2

/*
 * si_code of the SIGTRAP raised for a capability violation in trap mode.
 * FreeBSD's value; Linux already uses 4 for TRAP_HWBKPT, so a handler that
 * also debugs hardware breakpoints must look at si_errno (ECAPMODE or
 * ENOTCAPABLE) as well.
 */
#ifndef TRAP_CAP
#define	TRAP_CAP	4
#endif

int	procctl(idtype_t idtype, id_t id, int cmd, void *data);

/*
 * Linux extension: the last violation trapped, for debuggers and core
 * dumps ("print capsicum_trap_last" in gdb).  The SIGTRAP's siginfo also
 * carries si_errno and, in the SIGSYS fields, si_call_addr, si_syscall
 * and si_arch.
 */
struct capsicum_trap_info {
	int		 ti_syscall;	/* system call number */
	unsigned long long ti_args[6];	/* its arguments */
	void		*ti_addr;	/* address of the syscall instruction */
	int		 ti_errno;	/* ECAPMODE or ENOTCAPABLE */
	unsigned int	 ti_count;	/* violations trapped so far */
};
extern struct capsicum_trap_info capsicum_trap_last;

#ifdef __cplusplus
}
#endif

#endif /* !_SYS_PROCCTL_H_ */
