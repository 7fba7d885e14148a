/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.pwd benchmark (issue 5).
 *
 * 1. cap_getpwnam(chan, "root") against glibc's getpwnam("root") in the
 *    same process (NSS "files": it reads /etc/passwd every call).  Goal
 *    <= 4x.
 * 2. The same cap_getpwnam() against a raw SOCK_SEQPACKET round trip to a
 *    forked peer carrying the same bytes: the packed request
 *    {cmd: "getpwnam", name: "root"} one way and the packed reply (root's
 *    entry and error 0) back.  What is left is libnv packing and
 *    unpacking, the service's dispatch and its getpwnam().  Goal <= 2x.
 * 3. For reference, the floor of 2.: the same getpwnam("root") timed in a
 *    child confined exactly as the service is (casper_service_confine:
 *    Landlock + seccomp), added to the raw round trip.  No Casper
 *    round trip can cost less than that sum.
 *
 * Pinned to one CPU (inherited by Casper and the service).
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/nv.h>
#include <libcasper.h>
#include <casper/cap_pwd.h>

#include "bench.h"
#include "casper/casper_impl.h"

struct raw {
	int		 sock;
	size_t		 reqlen;
	unsigned char	*req;
	unsigned char	 buf[4096];
};

static void
cap_lookup(void *arg)
{

	if (cap_getpwnam(arg, "root") == NULL)
		err(1, "cap_getpwnam");
}

static void
libc_lookup(void *arg)
{

	(void)arg;
	if (getpwnam("root") == NULL)
		err(1, "getpwnam");
}

static void
raw_rt(void *arg)
{
	struct raw *r = arg;

	if (send(r->sock, r->req, r->reqlen, 0) != (ssize_t)r->reqlen ||
	    recv(r->sock, r->buf, sizeof(r->buf), 0) <= 0)
		err(1, "raw round trip");
}

static pid_t
raw_peer(int sock, int other, const void *rep, size_t replen)
{
	unsigned char buf[4096];
	pid_t pid;

	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		(void)close(other);
		while (recv(sock, buf, sizeof(buf), 0) > 0)
			if (send(sock, rep, replen, 0) < 0)
				break;
		_exit(0);
	}
	return (pid);
}

#define	ITERS	2000

static double run_once(void (*)(void *), void *, long);

/*
 * A child confined as system.pwd is; each byte on ctl makes it time ITERS
 * lookups and write back the ns per call (a double).
 */
static pid_t
confined_peer(int ctl, int other)
{
	double ns;
	pid_t pid;
	char c;
	int error;

	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		(void)close(other);
		if ((error = casper_service_confine("system.pwd")) != 0)
			errx(1, "casper_service_confine: %s", strerror(error));
		while (read(ctl, &c, 1) == 1) {
			ns = run_once(libc_lookup, NULL, ITERS);
			if (write(ctl, &ns, sizeof(ns)) != sizeof(ns))
				break;
		}
		_exit(0);
	}
	return (pid);
}

static double
confined_once(int ctl)
{
	double ns;

	if (write(ctl, "g", 1) != 1 || read(ctl, &ns, sizeof(ns)) !=
	    sizeof(ns))
		err(1, "confined peer");
	return (ns);
}

/* ns per call of fn over iters calls (after a short warm-up). */
static double
run_once(void (*fn)(void *), void *arg, long iters)
{
	uint64_t t0;
	long i;

	for (i = 0; i < iters / 10; i++)
		fn(arg);
	t0 = bench_now_ns();
	for (i = 0; i < iters; i++)
		fn(arg);
	return ((double)(bench_now_ns() - t0) / (double)iters);
}

int
main(void)
{
	double ra[BENCH_RUNS], rb[BENCH_RUNS], rc[BENCH_RUNS], rd[BENCH_RUNS];
	int i;
	cap_channel_t *cas, *chan;
	struct passwd *pw;
	nvlist_t *req, *rep;
	struct raw r;
	void *repbuf;
	size_t replen;
	double a, b, c, d;
	pid_t pid, cpid;
	int sv[2], cv[2];

	bench_pin(0);
	(void)signal(SIGPIPE, SIG_IGN);
	if ((cas = cap_init()) == NULL ||
	    (chan = cap_service_open(cas, "system.pwd")) == NULL)
		err(1, "casper");
	cap_close(cas);

	/* The bytes cap_getpwnam() sends and receives. */
	if ((pw = getpwnam("root")) == NULL)
		err(1, "getpwnam");
	req = nvlist_create(0);
	nvlist_add_string(req, "cmd", "getpwnam");
	nvlist_add_string(req, "name", "root");
	rep = nvlist_create(0);
	nvlist_add_string(rep, "pw_name", pw->pw_name);
	nvlist_add_string(rep, "pw_passwd", pw->pw_passwd);
	nvlist_add_string(rep, "pw_gecos", pw->pw_gecos);
	nvlist_add_string(rep, "pw_dir", pw->pw_dir);
	nvlist_add_string(rep, "pw_shell", pw->pw_shell);
	nvlist_add_number(rep, "pw_uid", pw->pw_uid);
	nvlist_add_number(rep, "pw_gid", pw->pw_gid);
	nvlist_add_number(rep, "error", 0);
	r.req = nvlist_pack(req, &r.reqlen);
	repbuf = nvlist_pack(rep, &replen);
	nvlist_destroy(req);
	nvlist_destroy(rep);
	if (r.req == NULL || repbuf == NULL)
		err(1, "nvlist_pack");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		err(1, "socketpair");
	pid = raw_peer(sv[1], sv[0], repbuf, replen);
	(void)close(sv[1]);
	r.sock = sv[0];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, cv) < 0)
		err(1, "socketpair");
	cpid = confined_peer(cv[1], cv[0]);
	(void)close(cv[1]);

	/*
	 * Interleaved: one run of each per round, so that the three figures
	 * see the same machine state (the VMs are shared and noisy).
	 */
	for (i = 0; i < BENCH_RUNS; i++) {
		ra[i] = run_once(cap_lookup, chan, ITERS);
		rb[i] = run_once(libc_lookup, NULL, ITERS);
		rc[i] = run_once(raw_rt, &r, ITERS);
		rd[i] = confined_once(cv[0]);
	}
	a = bench_median(ra, BENCH_RUNS);
	b = bench_median(rb, BENCH_RUNS);
	c = bench_median(rc, BENCH_RUNS);
	d = bench_median(rd, BENCH_RUNS);
	printf("request %zu bytes, reply %zu bytes\n", r.reqlen, replen);
	bench_report("cap_getpwnam vs getpwnam", a, b, 4.0);
	bench_report("cap_getpwnam vs raw SEQPACKET round trip", a, c, 2.0);
	printf("# floor: raw round trip + getpwnam in a confined child = "
	    "%.1f + %.1f ns = %.2fx raw\n", c, d, (c + d) / c);
	printf("# cap_getpwnam above that floor: %.1f ns\n", a - c - d);

	(void)close(sv[0]);
	(void)close(cv[0]);
	(void)waitpid(pid, NULL, 0);
	(void)waitpid(cpid, NULL, 0);
	free(r.req);
	free(repbuf);
	cap_close(chan);
	return (0);
}
