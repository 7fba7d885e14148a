/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared benchmark helpers.  Every figure is a median of per-run medians,
 * reported next to its unsandboxed baseline measured in the same process
 * run, and as a ratio.  Benchmarks pin themselves to one CPU: on the
 * project's VMs a wake-up across vCPUs costs ~30 us and would swamp
 * everything else (see ../shared/reference/perf-anchors.md).
 */
#ifndef BENCH_H
#define	BENCH_H

#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define	BENCH_RUNS	15

static inline uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

static inline double
bench_median(double *v, int n)
{

	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return ((n % 2) != 0 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

/* Pin the calling process (and its future children) to one CPU. */
static inline void
bench_pin(int cpu)
{
	cpu_set_t set;
	const char *env;

	env = getenv("BENCH_CPU");
	if (env != NULL)
		cpu = atoi(env);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		perror("bench: sched_setaffinity");
}

/*
 * Time fn(arg) called iters times, BENCH_RUNS times over after a warm-up;
 * return the median ns per call.
 */
static inline double
bench_ns_per_op(void (*fn)(void *), void *arg, long iters)
{
	double runs[BENCH_RUNS];
	uint64_t t0;
	long i;
	int r;

	for (i = 0; i < iters / 10 + 1; i++)
		fn(arg);
	for (r = 0; r < BENCH_RUNS; r++) {
		t0 = bench_now_ns();
		for (i = 0; i < iters; i++)
			fn(arg);
		runs[r] = (double)(bench_now_ns() - t0) / (double)iters;
	}
	return (bench_median(runs, BENCH_RUNS));
}

/* One result line: name, value, baseline, ratio, and the goal it meets. */
static inline void
bench_report(const char *name, double ns, double base_ns, double goal)
{
	double ratio = ns / base_ns;

	printf("%-44s %10.1f ns  base %10.1f ns  ratio %5.2fx  goal <=%.2fx %s\n",
	    name, ns, base_ns, ratio, goal, ratio <= goal ? "ok" : "MISSED");
}

/* A ratio reported for reference, with no goal. */
static inline void
bench_info(const char *name, double ns, double base_ns)
{

	printf("%-44s %10.1f ns  base %10.1f ns  ratio %5.2fx  (no goal)\n",
	    name, ns, base_ns, ns / base_ns);
}

#endif /* !BENCH_H */
