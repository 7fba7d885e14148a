/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cost of process descriptors, against plain fork in the same run:
 *
 *   - pdfork + _exit + pdwait4 + close against fork + _exit + waitpid
 *     (goal <= 1.3x).  pdfork's extra work: the lifeline lock, a pidfd
 *     for the watchdog, registering the child there (the child waits for
 *     it), and the watchdog noticing the exit and the last close;
 *   - a sandboxed child, pdfork + cap_enter + one round trip over a
 *     socket pair, against fork + the same round trip (goal <= 2x;
 *     FreeBSD's published sandbox start was 1.86x fork + exec).
 *
 * The raw kernel floor, clone(CLONE_PIDFD) + _exit + waitid, is printed
 * for reference, and so are two floors of the sandboxed child: the same
 * child installing only a one-instruction seccomp filter, and installing
 * only the filter cap_enter() installs when nothing is limited (the
 * build-time copy, M and R as one program), without Landlock and without
 * any of the library's bookkeeping.  No capability mode enforced by a
 * seccomp filter can cost less than the second.  Everything runs pinned to one CPU, so the watchdog's
 * and the reaper's work is counted in the times.  A variant and its
 * baseline are measured in alternating batches, so that other load on
 * the machine weighs on both alike.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include <sys/capsicum.h>
#include <sys/procdesc.h>

#include "bench.h"

#define	ITERS		100
#define	SANDBOX_ITERS	50

#ifndef P_PIDFD
#define	P_PIDFD		3
#endif

static int sv[2];

static void
die(const char *what)
{

	perror(what);
	exit(1);
}

static void
op_fork(void *arg)
{
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
}

static void
op_pdfork(void *arg)
{
	pid_t pid;
	int fd, st;

	if ((pid = pdfork(&fd, 0)) < 0)
		die("pdfork");
	if (pid == 0)
		_exit(0);
	if (pdwait4(fd, &st, 0, NULL) != pid)
		die("pdwait4");
	close(fd);
}

static void
op_clone_pidfd(void *arg)
{
	siginfo_t si;
	long pid;
	int fd;

	pid = syscall(SYS_clone, CLONE_PIDFD, 0, &fd, 0, 0);
	if (pid < 0)
		die("clone");
	if (pid == 0)
		_exit(0);
	if (syscall(SYS_waitid, P_PIDFD, fd, &si, WEXITED | __WALL, NULL) != 0)
		die("waitid");
	close(fd);
}

/* The child's half of the round trip. */
static void
echo_once(void)
{
	char c;

	if (read(sv[1], &c, 1) != 1 || write(sv[1], &c, 1) != 1)
		_exit(1);
	_exit(0);
}

static void
round_trip(void)
{
	char c = 'x';

	if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
		die("round trip");
}

static void
op_fork_trip(void *arg)
{
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0)
		echo_once();
	round_trip();
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("waitpid");
}

/* pdfork + round trip; the child runs prepare (if any) first. */
static void
pd_trip(void (*prepare)(void))
{
	pid_t pid;
	int fd, st;

	if ((pid = pdfork(&fd, PD_CLOEXEC)) < 0)
		die("pdfork");
	if (pid == 0) {
		if (prepare != NULL)
			prepare();
		echo_once();
	}
	round_trip();
	if (pdwait4(fd, &st, 0, NULL) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("pdwait4");
	close(fd);
}

static void
op_pdfork_trip(void *arg)
{

	pd_trip(NULL);
}

static void
enter_or_die(void)
{

	if (cap_enter() != 0)
		_exit(2);
}

static void
op_sandbox_trip(void *arg)
{

	pd_trip(enter_or_die);
}

/* Build-time copy of the filter (build/gen/capmode_bpf.c). */
extern const struct sock_filter *const capsicum_mrtemplate;
extern const unsigned short capsicum_mrtemplate_len;
extern const unsigned short capsicum_mrtemplate_pid[];
extern const unsigned int capsicum_mrtemplate_npid;

static const struct sock_filter allow_all[] = {
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static const struct sock_filter *floor_prog;
static unsigned short floor_len;

/* In the child: the filter alone, copied and given the pid as cap_enter
 * does (the copy's pages are new in a forked child). */
static void
install_floor(void)
{
	struct sock_fprog fp;
	struct sock_filter *f;
	unsigned int i;

	if ((f = malloc(floor_len * sizeof(*f))) == NULL)
		_exit(3);
	memcpy(f, floor_prog, floor_len * sizeof(*f));
	if (floor_prog == capsicum_mrtemplate)
		for (i = 0; i < capsicum_mrtemplate_npid; i++)
			f[capsicum_mrtemplate_pid[i]].k = (uint32_t)getpid();
	fp.len = floor_len;
	fp.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) != 0)
		_exit(3);
	free(f);
}

static void
op_filter_trip(void *arg)
{

	pd_trip(install_floor);
}

/*
 * One batch in a new process, so that each starts single-threaded and
 * without the library's helpers (a process that pdforked has a reaper
 * thread, and glibc's fork is slower in a multithreaded process).
 */
static double
batch(void (*fn)(void *), long iters)
{
	uint64_t t0;
	double ns;
	pid_t pid;
	long i;
	int p[2], st;

	if (pipe(p) != 0)
		die("pipe");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		for (i = 0; i < iters / 10 + 1; i++)
			fn(NULL);
		t0 = bench_now_ns();
		for (i = 0; i < iters; i++)
			fn(NULL);
		ns = (double)(bench_now_ns() - t0) / (double)iters;
		if (write(p[1], &ns, sizeof(ns)) != sizeof(ns))
			_exit(1);
		_exit(0);
	}
	if (read(p[0], &ns, sizeof(ns)) != sizeof(ns) ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("batch");
	close(p[0]);
	close(p[1]);
	return (ns);
}

/* Median ns per call of a and of b, measured in alternating batches. */
static void
paired(void (*a)(void *), void (*b)(void *), long iters, double *na,
    double *nb)
{
	double ra[BENCH_RUNS], rb[BENCH_RUNS];
	int r;

	for (r = 0; r < BENCH_RUNS; r++) {
		ra[r] = batch(a, iters);
		rb[r] = batch(b, iters);
	}
	*na = bench_median(ra, BENCH_RUNS);
	*nb = bench_median(rb, BENCH_RUNS);
}

int
main(void)
{
	double base, pd, raw, trip, sand, trip2, pdtrip, trip3, one, trip4, mr;

	bench_pin(1);
	setenv("CAPSICUM_QUIET", "1", 1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair");
	printf("process descriptors, pinned to one CPU; medians of %d runs\n",
	    BENCH_RUNS);
	paired(op_fork, op_pdfork, ITERS, &base, &pd);
	raw = batch(op_clone_pidfd, ITERS);
	bench_report("pdfork+_exit+pdwait4 vs fork+_exit+waitpid", pd, base,
	    1.30);
	printf("%-44s %10.1f ns  (kernel floor, for reference)\n",
	    "clone(CLONE_PIDFD)+_exit+waitid", raw);
	paired(op_fork_trip, op_sandbox_trip, SANDBOX_ITERS, &trip, &sand);
	bench_report("pdfork+cap_enter+round trip vs fork+trip", sand, trip,
	    2.00);
	/* Where the time of the sandboxed child goes. */
	paired(op_fork_trip, op_pdfork_trip, SANDBOX_ITERS, &trip2, &pdtrip);
	printf("%-44s %10.1f ns  base %10.1f ns  ratio %5.2fx  (cap_enter "
	    "and the longer exit of a sandboxed process: %.0f us)\n",
	    "  of which pdfork+round trip", pdtrip, trip2, pdtrip / trip2,
	    (sand - pdtrip) / 1000.0);
	floor_prog = allow_all;
	floor_len = 1;
	paired(op_fork_trip, op_filter_trip, SANDBOX_ITERS, &trip3, &one);
	bench_info("floor: pdfork+1-insn filter+trip vs fork+trip", one,
	    trip3);
	floor_prog = capsicum_mrtemplate;
	floor_len = capsicum_mrtemplate_len;
	paired(op_fork_trip, op_filter_trip, SANDBOX_ITERS, &trip4, &mr);
	printf("%-44s %10.1f ns  base %10.1f ns  ratio %5.2fx  (no goal; "
	    "%u instructions)\n", "floor: pdfork+cap_enter's filter+trip",
	    mr, trip4, mr / trip4, (unsigned)floor_len);
	return (0);
}
