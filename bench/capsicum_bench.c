/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cost of capability mode, measured against the same code outside it in
 * the same run:
 *
 *   - hot system calls (getppid, a 1-byte pipe read, fstat) in capability
 *     mode with no limited descriptor (goal <= 1.10x);
 *   - the same on descriptors limited before cap_enter (goal <= 1.4x);
 *   - the emulated fstatat(fd, "", AT_EMPTY_PATH) (no goal: a trap);
 *   - cap_enter() latency (goal <= 100 us), next to the kernel's own cost
 *     of installing a one-instruction filter, measured in the same run;
 *   - for reference, the same hot calls under a one-instruction filter
 *     that allows everything: what any seccomp filter costs them (the
 *     kernel's entry path, not BPF: cached calls run no BPF at all).
 *
 * Every variant runs in its own forked child (capability mode cannot be
 * left), pinned to one CPU.
 */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <capsicum_helpers.h>
#include <sys/capsicum.h>

#include "bench.h"

#define	ITERS		100000
#define	PIPE_BYTES	(1 << 20)

enum setup { PLAIN, CAPMODE, LIMITED, STDIO, FLOOR };

struct result {
	double	getppid, read, fstat, fstat_empty, read_limited, fstat_limited;
};

static int rfd = -1, wfd = -1;
static char byte;

static void
op_getppid(void *a)
{

	(void)syscall(SYS_getppid);
}

static void
op_read(void *a)
{

	if (syscall(SYS_read, *(int *)a, &byte, 1) != 1)
		abort();
}

static void
op_fstat(void *a)
{
	struct stat st;

	if (syscall(SYS_fstat, *(int *)a, &st) != 0)
		abort();
}

static void
op_fstat_empty(void *a)
{
	struct stat st;

	if (syscall(SYS_newfstatat, *(int *)a, "", &st, AT_EMPTY_PATH) != 0)
		abort();
}

/* Keep the pipe full enough for BENCH_RUNS * ITERS one-byte reads. */
static void
fill(void)
{
	static char buf[65536];
	ssize_t n, left = (ssize_t)ITERS + ITERS / 10 + 1;

	while (left > 0) {
		n = write(wfd, buf, left < (ssize_t)sizeof(buf) ? (size_t)left :
		    sizeof(buf));
		if (n <= 0)
			abort();
		left -= n;
	}
}

static double
timed_reads(int fd)
{
	double runs[BENCH_RUNS];
	uint64_t t0;
	int r, i;

	for (r = 0; r < BENCH_RUNS; r++) {
		fill();
		for (i = 0; i < ITERS / 10; i++)
			op_read(&fd);
		t0 = bench_now_ns();
		for (i = 0; i < ITERS; i++)
			op_read(&fd);
		runs[r] = (double)(bench_now_ns() - t0) / ITERS;
		/* Drain what is left. */
		while (syscall(SYS_read, fd, &byte, 1) == 1 &&
		    fcntl(fd, F_GETFL) >= 0) {
			int avail;

			if (ioctl(fd, FIONREAD, &avail) != 0 || avail == 0)
				break;
		}
	}
	return (bench_median(runs, BENCH_RUNS));
}

static void
child(enum setup s, int out)
{
	struct result res;
	cap_rights_t r;
	int lfd, p[2];

	memset(&res, 0, sizeof(res));
	if (pipe2(p, O_NONBLOCK) != 0)
		abort();
	(void)fcntl(p[0], F_SETPIPE_SZ, PIPE_BYTES);
	rfd = p[0];
	wfd = p[1];
	/* A second pipe whose read end gets limited. */
	if (pipe2(p, O_NONBLOCK) != 0)
		abort();
	(void)fcntl(p[0], F_SETPIPE_SZ, PIPE_BYTES);
	lfd = p[0];
	if (s == LIMITED) {
		cap_rights_init(&r, CAP_READ, CAP_FSTAT, CAP_EVENT);
		if (cap_rights_limit(lfd, &r) != 0)
			abort();
		(void)caph_limit_stdio();
	}
	if (s == STDIO)
		(void)caph_limit_stdio();
	if (s == FLOOR) {
		struct sock_filter f = BPF_STMT(BPF_RET | BPF_K,
		    SECCOMP_RET_ALLOW);
		struct sock_fprog prog = { 1, &f };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
		    &prog) != 0)
			abort();
	} else if (s != PLAIN && cap_enter() != 0)
		abort();
	res.getppid = bench_ns_per_op(op_getppid, NULL, ITERS);
	res.read = timed_reads(rfd);
	res.fstat = bench_ns_per_op(op_fstat, &rfd, ITERS);
	res.fstat_empty = bench_ns_per_op(op_fstat_empty, &rfd, ITERS / 10);
	/* The limited pipe, fed through the unlimited write end. */
	wfd = p[1];
	res.read_limited = timed_reads(lfd);
	res.fstat_limited = bench_ns_per_op(op_fstat, &lfd, ITERS);
	if (write(out, &res, sizeof(res)) != sizeof(res))
		abort();
	_exit(0);
}

static struct result
measure_once(enum setup s)
{
	struct result res;
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		abort();
	fflush(NULL);
	if ((pid = fork()) == 0)
		child(s, p[1]);
	close(p[1]);
	if (read(p[0], &res, sizeof(res)) != sizeof(res)) {
		fprintf(stderr, "bench: child %d failed\n", (int)s);
		exit(1);
	}
	close(p[0]);
	waitpid(pid, NULL, 0);
	return (res);
}

/*
 * Each setup runs in five processes, interleaved with the others so that
 * a burst of outside load hits them alike; the fastest per-process
 * median is kept (interference only ever adds time).
 */
#define	PROCS	5
static struct result results[5];

static void
measure_all(void)
{
	struct result r;
	int i, s;

	for (i = 0; i < PROCS; i++) {
		for (s = PLAIN; s <= FLOOR; s++) {
			r = measure_once((enum setup)s);
			if (i == 0) {
				results[s] = r;
				continue;
			}
#define	MIN(f)	if (r.f < results[s].f) results[s].f = r.f
			MIN(getppid); MIN(read); MIN(fstat); MIN(fstat_empty);
			MIN(read_limited); MIN(fstat_limited);
#undef MIN
		}
	}
}

/* Median cap_enter() latency over fresh processes. */
static double
enter_latency(int limits)
{
	double runs[31];
	int p[2], i;
	pid_t pid;

	for (i = 0; i < 31; i++) {
		if (pipe(p) != 0)
			abort();
		fflush(NULL);
		if ((pid = fork()) == 0) {
			uint64_t t0;
			double us;

			if (limits)
				(void)caph_limit_stdio();
			setenv("CAPSICUM_QUIET", "1", 1);
			t0 = bench_now_ns();
			if (cap_enter() != 0)
				abort();
			us = (double)(bench_now_ns() - t0) / 1000.0;
			(void)write(p[1], &us, sizeof(us));
			_exit(0);
		}
		close(p[1]);
		if (read(p[0], &runs[i], sizeof(runs[i])) != sizeof(runs[i]))
			abort();
		close(p[0]);
		waitpid(pid, NULL, 0);
	}
	return (bench_median(runs, 31));
}

/* The kernel's floor: installing a filter of one instruction. */
static double
trivial_filter_latency(void)
{
	struct sock_filter f = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &f };
	double runs[31];
	int p[2], i;
	pid_t pid;

	for (i = 0; i < 31; i++) {
		if (pipe(p) != 0)
			abort();
		if ((pid = fork()) == 0) {
			uint64_t t0;
			double us;

			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			t0 = bench_now_ns();
			syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
			us = (double)(bench_now_ns() - t0) / 1000.0;
			(void)write(p[1], &us, sizeof(us));
			_exit(0);
		}
		close(p[1]);
		if (read(p[0], &runs[i], sizeof(runs[i])) != sizeof(runs[i]))
			abort();
		close(p[0]);
		waitpid(pid, NULL, 0);
	}
	return (bench_median(runs, 31));
}

int
main(void)
{
	struct result plain, cap, lim, stdio, any;
	double e0, e1, floor1;

	bench_pin(1);
	measure_all();
	plain = results[PLAIN];
	cap = results[CAPMODE];
	lim = results[LIMITED];
	stdio = results[STDIO];
	any = results[FLOOR];
	printf("capability mode, no descriptor limited (vs. outside):\n");
	bench_report("getppid", cap.getppid, plain.getppid, 1.10);
	bench_report("read 1 byte from a pipe", cap.read, plain.read, 1.10);
	bench_report("fstat (SYS_fstat, glibc fstat())", cap.fstat,
	    plain.fstat, 1.10);
	printf("capability mode with caph_limit_stdio() (vs. outside):\n");
	bench_report("getppid", stdio.getppid, plain.getppid, 1.10);
	bench_report("read 1 byte, unlimited pipe", stdio.read, plain.read,
	    1.40);
	bench_report("fstat, unlimited pipe", stdio.fstat, plain.fstat, 1.40);
	printf("descriptor limited before cap_enter (vs. outside):\n");
	bench_report("read 1 byte, limited pipe", lim.read_limited,
	    plain.read_limited, 1.40);
	bench_report("fstat, limited pipe", lim.fstat_limited,
	    plain.fstat_limited, 1.40);
	bench_report("getppid", lim.getppid, plain.getppid, 1.40);
	printf("any seccomp filter, one instruction allowing everything "
	    "(vs. outside; the floor, no goal):\n");
	bench_info("getppid", any.getppid, plain.getppid);
	bench_info("read 1 byte from a pipe", any.read, plain.read);
	bench_info("fstat", any.fstat, plain.fstat);
	printf("emulated slow path (SIGSYS trap; no goal):\n");
	bench_report("fstatat(fd, \"\", AT_EMPTY_PATH)", cap.fstat_empty,
	    plain.fstat_empty, 100.0);
	floor1 = trivial_filter_latency();
	e0 = enter_latency(0);
	e1 = enter_latency(1);
	printf("cap_enter() latency (median of 31 fresh processes):\n");
	printf("%-44s %10.1f us  goal <=100 us %s\n", "cap_enter", e0,
	    e0 <= 100 ? "ok" : "MISSED");
	printf("%-44s %10.1f us  goal <=100 us %s\n",
	    "cap_enter after caph_limit_stdio", e1, e1 <= 100 ? "ok" : "MISSED");
	printf("%-44s %10.1f us  (the kernel's floor per filter)\n",
	    "install a 1-instruction seccomp filter", floor1);
	return (0);
}
