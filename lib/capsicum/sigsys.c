/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SIGSYS handler: in-process emulations and trap mode.
 *
 * The filters trap (SECCOMP_RET_TRAP) in two situations:
 *
 *  - A call that needs bookkeeping the kernel cannot do: fstatat(fd, "",
 *    AT_EMPTY_PATH) (seccomp cannot see the empty string), close or dup
 *    of a limited descriptor number.  Every emulation only issues calls
 *    the caller could issue itself and goes through the filters again,
 *    so a program that bypasses or replaces this handler gains nothing:
 *    the handler is plumbing, not a security boundary.
 *  - Trap mode: every refusal traps and the handler raises SIGTRAP with
 *    the details, as FreeBSD's kern.trap_enotcap does.
 *
 * libseccomp's TRAP carries no data, so the handler asks verdict.c why
 * the call trapped.  Async-signal-safe throughout.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <linux/audit.h>
#include <linux/close_range.h>
#include <sys/stat.h>

#include <sys/procctl.h>

#include "capsicum_impl.h"
#include "fdtable.h"
#include "policy.h"
#include "sys.h"
#include "verdict.h"

#ifndef SYS_SECCOMP
#define	SYS_SECCOMP	1
#endif
#ifndef TRAP_CAP
#define	TRAP_CAP	4	/* FreeBSD's code; Linux calls 4 TRAP_HWBKPT */
#endif

/* The last violation, for debuggers and core dumps. */
struct capsicum_trap_info capsicum_trap_last;

static struct sigaction old_sigsys;
static atomic_bool handler_installed;

/* ---------------------------------------------------------------------
 * Emulations.  Each returns the value the trapped call returns.
 */

/*
 * Copy len bytes from src to dst, either of which may be the caller's
 * memory, through the (non-blocking) pipe p made for the emulation: the
 * kernel does the copying, so a bad pointer gives EFAULT instead of a
 * fault inside the handler, and the pipe is private to the call.  0 or
 * -EFAULT.
 */
#define	UCOPY_CHUNK	4096		/* atomic for a pipe, fits by default */

long
capsicum_ucopy(const int p[2], void *dst, const void *src, size_t len)
{
	char junk[256];
	size_t off, n;
	long r;

	for (off = 0; off < len; off += n) {
		n = len - off < UCOPY_CHUNK ? len - off : UCOPY_CHUNK;
		r = RAW3(SYS_write, p[1], (const char *)src + off, n);
		if (r == (long)n)
			r = RAW3(SYS_read, p[0], (char *)dst + off, n);
		if (r != (long)n) {
			/* Empty what a failed copy left behind. */
			while (RAW3(SYS_read, p[0], junk, sizeof(junk)) > 0)
				;
			return (-EFAULT);
		}
	}
	return (0);
}

/* First byte of a user string, or -errno. */
static int
first_byte(uint64_t ptr)
{
	unsigned char c;
	int p[2];
	long r;

	if ((r = RAW2(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK)) != 0)
		return ((int)r);
	r = capsicum_ucopy(p, &c, (const void *)(uintptr_t)ptr, 1);
	RAW1(SYS_close, p[0]);
	RAW1(SYS_close, p[1]);
	return (r == 0 ? c : (int)r);
}

/*
 * A lookup by path relative to a directory: the broker resolves it beneath
 * the directory.  The reissued call carries the original number; filter R
 * checks the directory's rights on it, filter B sends it to the broker.
 * Without a broker the kernel knows no such call: ECAPMODE, as before.
 */
static long
emu_broker(int nr, const uint64_t a[6])
{
	long r;

	/* The current directory is a global namespace. */
	if ((int)a[0] == AT_FDCWD)
		return (-ECAPMODE);
	r = capsicum_raw6(CAPSICUM_BROKER_NR, nr, (long)a[0], (long)a[1],
	    (long)a[2], (long)a[3], (long)a[4]);
	return (r == -ENOSYS ? -ECAPMODE : r);
}

static long
emu_empty_path(int nr, const uint64_t a[6])
{
	int flags, c;

	flags = (int)(nr == SYS_statx ? a[2] : a[3]);
	if ((flags & AT_EMPTY_PATH) == 0)
		return (emu_broker(nr, a));
	if ((c = first_byte(a[1])) < 0)
		return (c);
	if (c != '\0')
		return (emu_broker(nr, a));
	if (nr == SYS_statx)
		return (RAW5(SYS_statx, a[0], 0, a[2], a[3], a[4]));
	return (RAW4(SYS_newfstatat, a[0], 0, a[2], a[3]));
}

/* Is this number currently parked on the placeholder? */
static bool
is_placeholder(int fd)
{

	return (RAW3(SYS_fcntl, fd, F_DUPFD_QUERY, capsicum_cs.cs_ph) == 1);
}

/* Close a limited (or protected) number: it keeps a placeholder.  Also
 * called by the interposed close() (interpose.c), which spares a program
 * the trap. */
long
capsicum_close_one(int fd)
{
	struct capsicum_target t;
	struct capsicum_band *band;
	long r;

	if (!capsicum_classify((uint64_t)(uint32_t)fd, &t))
		return (RAW1(SYS_close, fd));
	if (t.t_protected)
		return (0);
	if (is_placeholder(fd))
		return (-EBADF);
	r = RAW3(SYS_dup3, capsicum_cs.cs_ph, fd, 0);
	if (r < 0)
		return (r);
	/* A band slot is free again (a pinned one stays reserved). */
	if (capsicum_pin_find(fd) == NULL &&
	    (band = capsicum_band_of_fd(fd)) != NULL)
		atomic_fetch_and(&band->band_used,
		    ~(1U << (fd - band->band_base)));
	return (0);
}

/* Lowest pinned, protected or band number >= from, or -1. */
static long
next_target(uint64_t from)
{
	unsigned int i, n;
	uint64_t best, v, b;

	best = UINT64_MAX;
	n = atomic_load(&capsicum_cs.cs_npins);
	for (i = 0; i < n; i++) {
		v = (uint32_t)capsicum_cs.cs_pins[i].pin_fd;
		if (v >= from && v < best)
			best = v;
	}
	n = atomic_load(&capsicum_cs.cs_nbands);
	for (i = 0; i < n; i++) {
		b = (uint32_t)capsicum_cs.cs_bands[i].band_base;
		for (v = b; v < b + (uint64_t)capsicum_band_size(
		    &capsicum_cs.cs_bands[i]); v++) {
			if (v >= from && v < best)
				best = v;
		}
	}
	return (best == UINT64_MAX ? -1 : (long)best);
}

static long
emu_close_range(const uint64_t a[6])
{
	struct capsicum_target t;
	uint64_t lo = a[0], hi = a[1], cur;
	unsigned int flags = (unsigned int)a[2];
	long r, next;

	if (lo > hi)
		return (-EINVAL);
	if ((flags & CLOSE_RANGE_UNSHARE) != 0) {
		r = RAW1(SYS_unshare, CLONE_FILES);
		if (r < 0)
			return (r);
		flags &= ~CLOSE_RANGE_UNSHARE;
	}
	for (cur = lo; cur <= hi; cur = (uint64_t)next + 1) {
		next = next_target(cur);
		if (next < 0 || (uint64_t)next > hi) {
			return (RAW3(SYS_close_range, cur, hi, flags));
		}
		if ((uint64_t)next > cur) {
			r = RAW3(SYS_close_range, cur, next - 1, flags);
			if (r < 0)
				return (r);
		}
		if (!capsicum_classify((uint64_t)next, &t) || t.t_protected)
			continue;
		if ((flags & CLOSE_RANGE_CLOEXEC) != 0)
			(void)RAW3(SYS_fcntl, next, F_SETFD, FD_CLOEXEC);
		else if (!is_placeholder((int)next))
			(void)capsicum_close_one((int)next);
		if ((uint64_t)next == hi)
			break;
	}
	return (0);
}

/* dup or F_DUPFD of a limited descriptor: a copy in its band. */
static long
emu_dup(int nr, const uint64_t a[6])
{
	struct capsicum_target t;
	struct capsicum_band *band;
	uint32_t used, want;
	int fd, slot, first, flags;
	long r;

	fd = (int)a[0];
	first = 0;
	flags = 0;
	if (nr == SYS_fcntl) {
		if ((int)a[1] == F_DUPFD_CLOEXEC)
			flags = O_CLOEXEC;
		if ((long)(int)a[2] < 0)
			return (-EINVAL);
		first = (int)a[2];
	}
	if (!capsicum_classify((uint64_t)(uint32_t)fd, &t) || t.t_protected)
		return (-EBADF);
	if (is_placeholder(fd))
		return (-EBADF);
	band = capsicum_dup_band(fd);
	if (band == NULL)
		return (-ENOTCAPABLE);
	for (slot = 0; slot < capsicum_band_size(band); slot++) {
		if (band->band_base + slot < first)
			continue;
		used = atomic_load(&band->band_used);
		want = 1U << slot;
		if ((used & want) != 0)
			continue;
		if (!atomic_compare_exchange_strong(&band->band_used, &used,
		    used | want)) {
			slot = -1;	/* raced: rescan */
			continue;
		}
		r = RAW3(SYS_dup3, fd, band->band_base + slot, flags);
		if (r < 0)
			atomic_fetch_and(&band->band_used, ~want);
		return (r);
	}
	return (-EMFILE);
}

/*
 * A signal to a pid other than the one that entered capability mode: fine
 * if it is the caller's own (a process forked in capability mode), through
 * the kernel's "self" pidfds (6.15), which name no other process.
 */
#define	PIDFD_SELF_THREAD	-10000
#define	PIDFD_SELF_THREAD_GROUP	-10001

static long
emu_signal(int nr, const uint64_t a[6])
{
	pid_t me = (pid_t)RAW0(SYS_getpid), tid = (pid_t)RAW0(SYS_gettid);

	switch (nr) {
	case SYS_kill:
		if ((pid_t)a[0] == me)
			return (RAW4(SYS_pidfd_send_signal,
			    PIDFD_SELF_THREAD_GROUP, a[1], NULL, 0));
		break;
	case SYS_rt_sigqueueinfo:
		if ((pid_t)a[0] == me)
			return (RAW4(SYS_pidfd_send_signal,
			    PIDFD_SELF_THREAD_GROUP, a[1], a[2], 0));
		break;
	case SYS_tgkill:
		if ((pid_t)a[0] == me && (pid_t)a[1] == tid)
			return (RAW4(SYS_pidfd_send_signal, PIDFD_SELF_THREAD,
			    a[2], NULL, 0));
		break;
	case SYS_rt_tgsigqueueinfo:
		if ((pid_t)a[0] == me && (pid_t)a[1] == tid)
			return (RAW4(SYS_pidfd_send_signal, PIDFD_SELF_THREAD,
			    a[2], a[3], 0));
		break;
	}
	return (-ECAPMODE);
}

/* ---------------------------------------------------------------------
 * Trap mode: raise SIGTRAP at the call, as FreeBSD does, with si_code
 * TRAP_CAP, si_errno the error, and the SIGSYS fields (call address,
 * syscall number, architecture) in the same places.
 */
static void
raise_trap(int nr, const uint64_t a[6], void *ip, int err, ucontext_t *uc)
{
	struct sigaction sa;
	siginfo_t si;

	capsicum_trap_last.ti_syscall = nr;
	memcpy(capsicum_trap_last.ti_args, a, sizeof(capsicum_trap_last.ti_args));
	capsicum_trap_last.ti_addr = ip;
	capsicum_trap_last.ti_errno = err;
	capsicum_trap_last.ti_count++;

	/* Like the kernel's forced signals: an ignored SIGTRAP would hide
	 * the violation, so restore the default (core dump). */
	if (sigaction(SIGTRAP, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGTRAP, &sa, NULL);
	}
	sigdelset(&uc->uc_sigmask, SIGTRAP);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGTRAP;
	si.si_code = TRAP_CAP;
	si.si_errno = err;
	si.si_call_addr = ip;
	si.si_syscall = nr;
	si.si_arch = AUDIT_ARCH_X86_64;
	if (RAW4(SYS_pidfd_send_signal, PIDFD_SELF_THREAD, SIGTRAP, &si, 0) < 0)
		RAW4(SYS_rt_tgsigqueueinfo, RAW0(SYS_getpid), RAW0(SYS_gettid),
		    SIGTRAP, &si);
}

static void
sigsys_handler(int sig, siginfo_t *si, void *uctx)
{
	struct capsicum_verdict v;
	ucontext_t *uc = uctx;
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t a[6];
	int nr, saved;
	long ret;

	if (si->si_code != SYS_SECCOMP || si->si_arch != AUDIT_ARCH_X86_64 ||
	    !atomic_load(&capsicum_cs.cs_mode)) {
		/* Not ours (or a foreign architecture): previous owner. */
		if ((old_sigsys.sa_flags & SA_SIGINFO) != 0 &&
		    old_sigsys.sa_sigaction != NULL)
			old_sigsys.sa_sigaction(sig, si, uctx);
		else if (old_sigsys.sa_handler != SIG_DFL &&
		    old_sigsys.sa_handler != SIG_IGN)
			old_sigsys.sa_handler(sig);
		else if (si->si_code == SYS_SECCOMP)
			g[REG_RAX] = -ECAPMODE;
		return;
	}
	saved = errno;
	nr = si->si_syscall;
	a[0] = (uint64_t)g[REG_RDI];
	a[1] = (uint64_t)g[REG_RSI];
	a[2] = (uint64_t)g[REG_RDX];
	a[3] = (uint64_t)g[REG_R10];
	a[4] = (uint64_t)g[REG_R8];
	a[5] = (uint64_t)g[REG_R9];
	/* close traps for one reason only, parking a limited number (no
	 * policy row refuses it): skip the model's walk of the table, which
	 * costs as much as the rest of the emulation.  Trap mode asks the
	 * model as for everything else. */
	if (nr == SYS_close && !capsicum_cs.cs_trap) {
		g[REG_RAX] = capsicum_close_one((int)a[0]);
		errno = saved;
		return;
	}
	capsicum_verdict(nr, a, capsicum_cs.cs_pid, &v);
	switch (v.v_emu) {
	case EMU_EMPTY_PATH:
		ret = emu_empty_path(nr, a);
		break;
	case EMU_CLOSE:
		ret = capsicum_close_one((int)a[0]);
		break;
	case EMU_CLOSE_RANGE:
		ret = emu_close_range(a);
		break;
	case EMU_DUP:
		ret = emu_dup(nr, a);
		break;
	case EMU_SIGNAL:
		ret = emu_signal(nr, a);
		break;
	case EMU_BROKER:
		ret = emu_broker(nr, a);
		break;
	case EMU_RECV_NOFD:
		ret = capsicum_emu_recv_nofd(nr, a);
		break;
	default:
		/* A refusal (trap mode), or a model disagreement, which
		 * must fail closed. */
		ret = -(v.v_errno != 0 ? v.v_errno : ECAPMODE);
		break;
	}
	if (capsicum_cs.cs_trap && (ret == -ECAPMODE || ret == -ENOTCAPABLE))
		raise_trap(nr, a, si->si_call_addr, (int)-ret, uc);
	g[REG_RAX] = ret;
	errno = saved;
}

/*
 * Install the handler (before cap_enter, and again in a new image after
 * exec).  SA_NODEFER: an emulation's own call may trap again (trap mode),
 * and a blocked SIGSYS would make the kernel kill the process instead.
 */
int
capsicum_sigsys_install(void)
{
	struct sigaction sa;

	if (atomic_exchange(&handler_installed, true))
		return (0);
	capsicum_verdict_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, &old_sigsys) != 0) {
		atomic_store(&handler_installed, false);
		return (-errno);
	}
	if (old_sigsys.sa_sigaction == sigsys_handler)
		memset(&old_sigsys, 0, sizeof(old_sigsys));
	return (0);
}
