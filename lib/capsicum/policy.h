/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The policy table: which system call needs which right, with which
 * arguments, and what capability mode does with it.  It is the single
 * source of truth.  The seccomp filters (filter.c), the Landlock access
 * map (landlock.c), the in-process emulations (sigsys.c) and the generated
 * documentation (tools/capsicum-policy.c -> docs/policy-table.md) all read
 * it; nothing else encodes policy.
 */
#ifndef CAPSICUM_POLICY_H
#define	CAPSICUM_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/capsicum.h>

/*
 * An argument condition, evaluated by the kernel on the 64-bit argument.
 * Descriptors, commands and flags are C ints or unsigned ints that the
 * kernel truncates to 32 bits, so conditions on them compare the low word
 * only (PC_LO32 and PC_BITS masks stay within the low word); a caller
 * cannot slip past a check by setting high bits.  Exact-value allowlists
 * (PC_EQ in an allow row) compare all 64 bits, so high bits make the value
 * miss the allowlist and the call is refused.
 */
enum pc_op {
	PC_MASKED,	/* (arg & mask) == value */
	PC_EQ,		/* arg == value (64 bits) */
	PC_NE,		/* arg != value (64 bits) */
	PC_GT,		/* arg > value (unsigned 64 bits) */
	PC_LE,		/* arg <= value (unsigned 64 bits) */
	PC_GE,		/* arg >= value (unsigned 64 bits) */
	PC_ANY,		/* (arg & mask) != 0: any of the bits (filter R only) */
	PC_MASKED_NE,	/* (arg & mask) != value (filter R only) */
};

struct pcond {
	uint8_t		pc_arg;		/* 0..5 */
	uint8_t		pc_op;		/* enum pc_op */
	uint64_t	pc_mask;	/* PC_MASKED, PC_ANY, PC_MASKED_NE */
	uint64_t	pc_value;
};

#define	PCOND_MAX	3

/* What a row says. */
enum prow_kind {
	/* Capability mode: the call is allowed (decided by number alone). */
	PK_ALLOW,
	/* Capability mode: allowed only when all conditions hold; several
	 * rows for one call are alternatives (an allowlist). */
	PK_ALLOW_IF,
	/* Capability mode: refused with ECAPMODE when all conditions hold. */
	PK_REFUSE,
	/* Capability mode: refused with ENOSYS so that libc falls back to a
	 * call whose arguments the filter can inspect. */
	PK_ENOSYS,
	/* Capability mode: trapped (SIGSYS) and emulated in process when all
	 * conditions hold.  Only for emulations that are safe whatever the
	 * arguments: the handler issues calls the caller could issue itself. */
	PK_EMULATE,
	/* Capability mode: refused (the filter's default).  Listed so the
	 * documentation says why. */
	PK_DENY,
	/* The descriptor in argument pr_fd needs pr_right when all conditions
	 * hold.  Enforced from cap_enter() on, for limited descriptors. */
	PK_RIGHT,
	/* Limited descriptor in argument pr_fd: trap to emulation pr_emu
	 * (descriptor-number bookkeeping: close, dup). */
	PK_LIMITED_EMULATE,
	/* Limited descriptor in pr_fd may only be duplicated onto a number in
	 * its own band (argument pr_fd2); anything else is ENOTCAPABLE. */
	PK_LIMITED_DUP_TARGET,
	/* Range [arg pr_fd, arg pr_fd2] covering a limited descriptor: trap
	 * to emulation pr_emu. */
	PK_LIMITED_RANGE,
	/* Limited descriptor in pr_fd whose rights allow the call: it goes
	 * to the broker (filter B, seccomp user notification), which does
	 * it on its own copies of the arguments.  Filters M and R refuse
	 * first; their ERRNO outranks USER_NOTIF. */
	PK_BROKER,
	/* No broker, and a descriptor was limited in capability mode: the
	 * call traps to emulation pr_emu, which must not need the broker
	 * (recvmsg through recvfrom, which installs no descriptor). */
	PK_NOBROKER_EMULATE,
};

/* Row flags. */
#define	PF_WRITABLE_OFD	0x01	/* only where the open file allows writing */
#define	PF_BROKER_LIMITED 0x02	/* PK_BROKER: only for limited descriptors */

/* Condition values filled in when the filter is built. */
#define	PV_SELF_PID	0xFFFFFFFFFFFF0001ULL	/* getpid() at cap_enter */

/* Calls by path that the broker resolves beneath their directory: the
 * SIGSYS handler reissues them as syscall CAPSICUM_BROKER_NR (orig nr,
 * args 0-4), which filter B sends to the broker and filter R checks the
 * directory's rights on (argument 1).  ENOSYS without a broker. */
#define	CAPSICUM_BROKER_NR	1022

/* FreeBSD's bindat(2) and connectat(2): (dirfd, socket, addr, addrlen),
 * performed by the broker beneath the directory (sockat.c). */
#define	CAPSICUM_BINDAT_NR	1021
#define	CAPSICUM_CONNECTAT_NR	1020

/* A limit set in capability mode, told to the broker (capmode.c):
 * (fd, rights word 0, rights word 1, fcntl mask, ioctl count, ioctl
 * list).  The broker only ever narrows what it knows about the file, so
 * the call needs no right; ENOSYS without a broker. */
#define	CAPSICUM_LIMIT_NR	1019

/* Special values of pr_right for PK_RIGHT. */
#define	PR_IOCTL_LIST	1	/* command in arg 1 must be in the ioctl list */

/* In-process emulations (SIGSYS handler codes, passed as RET_DATA). */
enum pemu {
	EMU_NONE = 0,
	EMU_EMPTY_PATH,	/* *at(fd, "", AT_EMPTY_PATH) -> NULL-path form */
	EMU_CLOSE,	/* close of a limited number: park a placeholder */
	EMU_CLOSE_RANGE,/* close_range over limited numbers */
	EMU_DUP,	/* dup / F_DUPFD of a limited descriptor: into its band */
	EMU_SIGNAL,	/* a signal to another pid: only the caller itself */
	EMU_BROKER,	/* a lookup by path: reissued to the broker */
	EMU_RECV_NOFD,	/* recvmsg/recvmmsg as recvfrom: no descriptors */
	EMU_MAX
};

struct prow {
	const char	*pr_sys;	/* syscall name (libseccomp's) */
	int		 pr_nr;		/* x86_64 number if libseccomp lacks it, else -1 */
	uint8_t		 pr_kind;	/* enum prow_kind */
	int8_t		 pr_fd;		/* descriptor argument, -1 if none */
	int8_t		 pr_fd2;	/* second descriptor argument */
	uint8_t		 pr_emu;	/* enum pemu */
	uint8_t		 pr_flags;	/* PF_* */
	uint32_t	 pr_fcntl;	/* CAP_FCNTL_* bit also needed (PK_RIGHT) */
	uint64_t	 pr_right;	/* PK_RIGHT: the right (or PR_IOCTL_LIST) */
	uint8_t		 pr_ncond;
	struct pcond	 pr_cond[PCOND_MAX];
	const char	*pr_why;	/* one line for the documentation */
};

/* Capability rights -> Landlock file system access for directory rules. */
struct plandlock {
	uint64_t	 pl_right;
	uint64_t	 pl_access;	/* LANDLOCK_ACCESS_FS_* */
	const char	*pl_why;
};

/* Rights no Linux operation maps to, and why. */
struct punenforced {
	uint64_t	 pu_right;
	const char	*pu_why;
};

/* Names of rights, for diagnostics and documentation. */
struct pright_name {
	uint64_t	 pn_right;
	const char	*pn_name;
};

extern const struct prow		capsicum_policy[];
extern const unsigned int		capsicum_policy_len;
extern const struct plandlock		capsicum_landlock_map[];
extern const unsigned int		capsicum_landlock_map_len;
extern const struct punenforced		capsicum_unenforced[];
extern const unsigned int		capsicum_unenforced_len;
extern const struct pright_name		capsicum_right_names[];
extern const unsigned int		capsicum_right_names_len;

/* Ioctls that capability mode refuses on every descriptor. */
extern const unsigned long		capsicum_refused_ioctls[];
extern const unsigned int		capsicum_refused_ioctls_len;

struct capsicum_profile;

const char	*capsicum_right_name(uint64_t right);
int		 capsicum_policy_sysnr_slow(const struct prow *row);
void		 capsicum_policy_init(void);
int		 capsicum_policy_rownr(unsigned int i);
bool		 capsicum_policy_row_allowed(unsigned int i);
bool		 capsicum_policy_capmode_allows(const char *sys);
bool		 capsicum_profile_allows(const struct capsicum_profile *p,
		    const struct prow *row);
bool		 capsicum_pcond_holds(const struct pcond *pc, uint64_t arg,
		    pid_t self);

#endif /* !CAPSICUM_POLICY_H */
