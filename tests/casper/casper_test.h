/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the Casper test suites (include after harness.h).
 *
 * casper_test_in_sandbox(name, fn): fork, confine the child exactly as the
 * framework confines the service process `name` before its first request
 * (sb_prepare, then its Landlock + seccomp policy, or capability mode, or
 * the baseline of a DEFERRED service), then run fn() in it.  fn returns 0
 * for success; use CHECK*() and raw() from harness.h inside it to try
 * escapes.  Returns fn's exit status, CASPER_TEST_NOCONFINE if the
 * sandbox could not be entered, or 128 + signal number.
 *
 * casper_test_pids(chan, ...): the processes behind a cap_init() channel
 * (casper, zygote); casper_test_children(pid, ...) lists a process's
 * children; casper_test_gone(pid) says whether a process has exited
 * (gone or a zombie).  The lifetime tests use them to prove that nothing
 * is left behind.
 */
#ifndef TESTS_CASPER_TEST_H
#define	TESTS_CASPER_TEST_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <sys/procdesc.h>
#include <libcasper.h>

#include "casper/casper_impl.h"

#define	CASPER_TEST_NOCONFINE	254

static inline int
casper_test_in_sandbox(const char *name, int (*fn)(void))
{
	int status, error;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return (-1);
	if (pid == 0) {
		alarm(20);
		if ((error = casper_service_confine(name)) != 0) {
			dprintf(2, "confine %s: %s\n", name, strerror(error));
			_exit(CASPER_TEST_NOCONFINE);
		}
		_exit(fn());
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return (-1);
	if (WIFSIGNALED(status))
		return (128 + WTERMSIG(status));
	return (WEXITSTATUS(status));
}

/* The parent pid and state letter of a process, from /proc; -1: none. */
static inline pid_t
casper_test_ppid(pid_t pid, char *statep)
{
	char path[64], buf[512], *p;
	FILE *f;
	pid_t ppid;
	char st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %d", &st, &ppid) != 2)
		return (-1);
	if (statep != NULL)
		*statep = st;
	return (ppid);
}

/* True once pid has exited (no such process, or a zombie). */
static inline int
casper_test_gone(pid_t pid)
{
	char st;

	if (casper_test_ppid(pid, &st) < 0)
		return (1);
	return (st == 'Z' || st == 'X');
}

/* Wait up to ms milliseconds for pid to be gone. */
static inline int
casper_test_wait_gone(pid_t pid, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (; ms > 0; ms -= 10) {
		if (casper_test_gone(pid))
			return (1);
		nanosleep(&ts, NULL);
	}
	return (casper_test_gone(pid));
}

/* Up to max live children of pid (scanning /proc); returns how many. */
static inline int
casper_test_children(pid_t pid, pid_t *kids, int max)
{
	struct dirent *de;
	DIR *d;
	pid_t p;
	int n;
	char st = 'Z';

	if ((d = opendir("/proc")) == NULL)
		return (0);
	n = 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if ((p = (pid_t)atoi(de->d_name)) <= 0)
			continue;
		if (casper_test_ppid(p, &st) == pid && st != 'Z')
			kids[n++] = p;
	}
	closedir(d);
	return (n);
}

/* Casper's pid (from the channel's process descriptor) and the zygote's. */
static inline int
casper_test_pids(const cap_channel_t *chan, pid_t *casperp, pid_t *zygotep)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	pid_t kids[4];
	int i;

	if (chan->cch_pd < 0 || pdgetpid(chan->cch_pd, casperp) != 0)
		return (-1);
	/* Casper may not have forked the zygote yet. */
	for (i = 0; i < 500; i++) {
		if (casper_test_children(*casperp, kids, 4) == 1) {
			*zygotep = kids[0];
			return (0);
		}
		nanosleep(&ts, NULL);
	}
	return (-1);
}

#endif /* !TESTS_CASPER_TEST_H */
