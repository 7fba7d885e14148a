/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process descriptors: what the library side (procdesc.c, in every process
 * that calls pdfork) and the watchdog (procdesc_watch.c) share.  Never
 * installed.  docs/procdesc.md describes the design.
 *
 * The watchdog is a small process outside the sandbox (when it was started
 * before cap_enter) that holds a pidfd of every pdforked child on its own
 * open file, separate from the descriptor the program holds.  The
 * program's descriptor carries a shared flock(2) lock; the kernel drops it
 * when the last reference to that open file goes away, whoever held it,
 * and the watchdog then sends SIGKILL.  Client processes and the watchdog
 * talk over SOCK_SEQPACKET socket pairs with the fixed-size messages below.
 */
#ifndef CAPSICUM_PROCDESC_IMPL_H
#define	CAPSICUM_PROCDESC_IMPL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <sys/capsicum.h>

/* Kernel interfaces newer than the build machine's headers. */
#ifndef SO_PASSPIDFD
#define	SO_PASSPIDFD		76	/* 6.5 */
#endif
#ifndef SCM_PIDFD
#define	SCM_PIDFD		0x04	/* 6.5 */
#endif
#ifndef P_PIDFD
#define	P_PIDFD			3	/* 5.4 */
#endif
#ifndef CLONE_PIDFD
#define	CLONE_PIDFD		0x00001000	/* 5.2 */
#endif
#define	PD_SELF_THREAD_GROUP	(-10001)	/* 6.15: own process */

/*
 * PIDFD_GET_INFO (6.13).  The kernel accepts any size from the first
 * version of the structure (64 bytes) up, so the policy row matches the
 * command with the size field masked out.
 */
#define	PD_IOC_TYPE		0xFFU
#define	PD_IOC_NR_GET_INFO	11U
#define	PD_GET_INFO_MASK	0xC000FFFFU	/* direction, type, number */
#define	PD_GET_INFO_MATCH	(0xC0000000U | (PD_IOC_TYPE << 8) |	\
				 PD_IOC_NR_GET_INFO)
#define	PD_GET_INFO		(PD_GET_INFO_MATCH | (64U << 16))
#define	PD_INFO_PID		(1ULL << 0)
#define	PD_INFO_EXIT		(1ULL << 3)	/* 6.15 */

struct pd_pidfd_info {
	uint64_t	mask;
	uint64_t	cgroupid;
	uint32_t	pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid,
			fsuid, fsgid;
	int32_t		exit_code;
	uint32_t	coredump_mask;
	uint32_t	spare;
};

/* Messages.  Every field is checked by the receiver. */
#define	PD_MSG_MAGIC		0x31444450U	/* "PDD1" */

enum pd_msg_type {
	PDM_HELLO = 1,	/* client -> W: a new client channel (fd: W's end) */
	PDM_REG,	/* client -> W: watch a child (fds: a pidfd of it on
			 * an open file of its own; "go", to release the
			 * child once it is watched) */
	PDM_KILL,	/* client -> W: signal a child for a sandboxed holder
			 * (fds: the holder's descriptor, a reply socket) */
	PDM_EXITED,	/* W -> client: a child exited (fd: a pidfd to reap
			 * it through) */
	PDM_RELEASED,	/* W -> client: the last descriptor was closed */
	PDM_REPLY,	/* W -> reply socket: result of PDM_KILL */
	PDM_NOKILL,	/* client -> W: refuse PDM_KILL for this child (no
			 * descriptor of it held CAP_PDKILL at cap_enter) */
};

struct pd_msg {
	uint32_t	pm_magic;
	uint32_t	pm_type;	/* enum pd_msg_type */
	uint64_t	pm_ino;		/* pidfs inode: names the child */
	int32_t		pm_pid;		/* PDM_REG: its pid */
	int32_t		pm_arg;		/* KILL: signal; REPLY: errno */
	uint32_t	pm_flags;	/* PDM_REG: PD_DAEMON */
	uint32_t	pm_pad;
};

#define	PD_MSG_MAXFDS		2

/* procdesc_client.c */
int	capsicum_pd_move_high(int fd);
long	capsicum_pd_send(int sock, const struct pd_msg *m, const int *fds,
	    int nfds, int flags);
long	capsicum_pd_recv(int sock, struct pd_msg *m, int *fds, int *nfdsp,
	    int *pidfdp, int flags);
long	capsicum_pd_info(int fd, struct pd_pidfd_info *info, uint64_t mask);
uint64_t capsicum_pd_ino(int fd);
long	capsicum_pd_signal(int fd, int signum);
bool	capsicum_pd_have_pidfd_open(void);
int	capsicum_pd_setup(void);
int	capsicum_pd_request(const struct pd_msg *m, const int *fds, int nfds);
long	capsicum_pd_relay_kill(int fd, int signum);
bool	capsicum_pd_have_watchdog(void);
int	capsicum_pd_nokill(uint64_t ino);

/* procdesc.c */
struct stat;
void	capsicum_pd_fix_stat(int fd, struct stat *st);

/* procdesc_rights.c */
struct capsicum_held;
void	capsicum_pd_capmode_enter(const struct capsicum_held *held,
	    unsigned int nheld);
dev_t	capsicum_pd_pidfs_dev(void);
void	capsicum_pd_capmode_limited(int fd, const cap_rights_t *rights);
void	capsicum_pd_reset_child(void);
int	capsicum_pd_slot_new(uint64_t ino, pid_t pid, int fd, bool reap);
void	capsicum_pd_slot_drop(uint64_t ino);
pid_t	capsicum_pd_slot_pid(int fd);
void	capsicum_pd_slot_waited(int fd, pid_t pid);
long	capsicum_pd_slot_status(int fd, int options, siginfo_t *si,
	    struct rusage *ru);

/* procdesc_watch.c */
int	capsicum_pd_spawn_watch(int *clientp);

#endif /* !CAPSICUM_PROCDESC_IMPL_H */
