/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trap mode control: FreeBSD's procctl(PROC_TRAPCAP_CTL) and its
 * kern.trap_enotcap sysctl (here the CAPSICUM_TRAP environment variable,
 * read by cap_enter()).  In trap mode a call refused with ECAPMODE or
 * ENOTCAPABLE in capability mode raises SIGTRAP at the call (sigsys.c).
 *
 * The choice is compiled into the filters, so it must be made before
 * cap_enter(), as on FreeBSD where procctl is not allowed in capability
 * mode.  The flag is inherited by children and across exec.
 */
#include <errno.h>
#include <unistd.h>

#include <sys/capsicum.h>
#include <sys/procctl.h>

#include "capsicum_impl.h"
#include "fdtable.h"

int
procctl(idtype_t idtype, id_t id, int cmd, void *data)
{
	int *arg = data;

	if (cmd != PROC_TRAPCAP_CTL && cmd != PROC_TRAPCAP_STATUS) {
		errno = EINVAL;
		return (-1);
	}
	if (idtype != P_PID || (id != 0 && id != (id_t)getpid())) {
		errno = ESRCH;
		return (-1);
	}
	if (arg == NULL) {
		errno = EFAULT;
		return (-1);
	}
	if (cmd == PROC_TRAPCAP_STATUS) {
		*arg = capsicum_cs.cs_trap ? PROC_TRAPCAP_CTL_ENABLE :
		    PROC_TRAPCAP_CTL_DISABLE;
		return (0);
	}
	if (cap_sandboxed()) {
		errno = ECAPMODE;
		return (-1);
	}
	switch (*arg) {
	case PROC_TRAPCAP_CTL_ENABLE:
		capsicum_cs.cs_trap = true;
		break;
	case PROC_TRAPCAP_CTL_DISABLE:
		capsicum_cs.cs_trap = false;
		break;
	default:
		errno = EINVAL;
		return (-1);
	}
	capsicum_state_save();
	return (0);
}
