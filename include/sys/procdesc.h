/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: process descriptors.
 *
 * Source compatible with FreeBSD's <sys/procdesc.h>: pdfork(2), pdgetpid(2),
 * pdkill(2), the never-implemented pdwait4(2) and FreeBSD 15's pdwait(2).
 * A process descriptor is a Linux pidfd; see pdfork(2) and docs/procdesc.md
 * for what the library adds (kill on last close, prompt reaping) and for
 * the differences from FreeBSD.
 *
 * The options of pdwait4() and pdwait() are the WNOHANG, WUNTRACED,
 * WSTOPPED, WCONTINUED, WEXITED and WNOWAIT of the system's <sys/wait.h>;
 * their values are Linux's, not FreeBSD's.
 */
#ifndef _SYS_PROCDESC_H_
#define	_SYS_PROCDESC_H_

#include <signal.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Flags of pdfork(): PD_DAEMON, the child is not killed when the last
 * reference to its descriptor is closed; PD_CLOEXEC, the descriptor is
 * close-on-exec.
 */
#define	PD_DAEMON		0x00000001
#define	PD_CLOEXEC		0x00000002
#define	PD_ALLOWED_AT_FORK	(PD_DAEMON | PD_CLOEXEC)

/*
 * Resource usage reported by pdwait(), as FreeBSD's wait6(2) reports it.
 * Linux: the kernel reports one total for the child and the descendants
 * it waited for; it is returned in wru_self and wru_children is zero.
 */
#ifndef _WRUSAGE_DECLARED
#define	_WRUSAGE_DECLARED
struct __wrusage {
	struct rusage	wru_self;	/* the process */
	struct rusage	wru_children;	/* its waited-for children */
};
#endif

pid_t	pdfork(int *fdp, int flags);
int	pdgetpid(int fd, pid_t *pidp);
int	pdkill(int fd, int signum);
int	pdwait4(int fd, int *status, int options, struct rusage *rusage);
int	pdwait(int fd, int *status, int options, struct __wrusage *wrusage,
	    siginfo_t *info);

#ifdef __cplusplus
}
#endif

#endif /* !_SYS_PROCDESC_H_ */
