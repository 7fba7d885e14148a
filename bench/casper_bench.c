/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcasper benchmarks (issue 5).
 *
 * 1. Starting Casper and one service: cap_init() + cap_service_open() of
 *    system.random + cap_close() of both, against fork() + _exit() +
 *    waitpid() of a plain child.  The service's start includes its
 *    sandbox (capability mode) and the status message Casper waits for.
 * 2. A core round trip, cap_limit_get() on a service channel (request
 *    {cmd: limit_get}, reply {limits: null, error: 0}), against a raw
 *    SOCK_SEQPACKET send/recv of the same packed bytes to a forked echo
 *    peer.  Goal <= 2x.
 * 3. cap_getprotobyname() against glibc's getprotobyname() in-process
 *    (which reads /etc/protocols each time).
 * 5. system.fileargs: NFA fileargs_open() + close() of distinct files in a
 *    fresh fileargs_t (its prefetch cache serves 8 of every 9 opens), per
 *    open, against the same opens each asking the service (the "open"
 *    request without "cache", what fileargs_open did before the cache).
 * 4. The channel socket type: nvlist_xfer() of the same request to an
 *    nvlist echo peer over SOCK_SEQPACKET against SOCK_STREAM (why
 *    CASPER_SOCK_TYPE is SOCK_SEQPACKET).
 *
 * Everything runs pinned to one CPU (bench_pin, inherited by Casper, the
 * zygote and the services).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/nv.h>
#include <libcasper.h>
#include <casper/cap_fileargs.h>
#include <casper/cap_netdb.h>
#include <casper/cap_random.h>

#include "bench.h"

static void
start_casper(void *arg)
{
	cap_channel_t *cas, *svc;

	(void)arg;
	if ((cas = cap_init()) == NULL)
		err(1, "cap_init");
	if ((svc = cap_service_open(cas, "system.random")) == NULL)
		err(1, "cap_service_open");
	cap_close(svc);
	cap_close(cas);
}

static void
fork_wait(void *arg)
{
	pid_t pid;

	(void)arg;
	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0)
		_exit(0);
	(void)waitpid(pid, NULL, 0);
}

static void
limit_get(void *arg)
{
	nvlist_t *l;

	if (cap_limit_get(arg, &l) != 0)
		err(1, "cap_limit_get");
}

struct raw {
	int		 sock;
	size_t		 reqlen;
	unsigned char	*req;
	unsigned char	 buf[256];
};

static void
raw_rt(void *arg)
{
	struct raw *r = arg;

	if (send(r->sock, r->req, r->reqlen, 0) != (ssize_t)r->reqlen ||
	    recv(r->sock, r->buf, sizeof(r->buf), 0) <= 0)
		err(1, "raw round trip");
}

/* A peer answering every record with the packed reply. */
static pid_t
raw_peer(int sock, int other, const void *rep, size_t replen)
{
	unsigned char buf[256];
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

static void
protobyname(void *arg)
{

	if (cap_getprotobyname(arg, "tcp") == NULL)
		err(1, "cap_getprotobyname");
}

static void
protobyname_libc(void *arg)
{

	(void)arg;
	if (getprotobyname("tcp") == NULL)
		err(1, "getprotobyname");
}

static void
xfer(void *arg)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "limit_get");
	if ((nvl = nvlist_xfer(*(int *)arg, nvl, 0)) == NULL)
		err(1, "nvlist_xfer");
	nvlist_destroy(nvl);
}

static pid_t
nv_peer(int sock, int other)
{
	nvlist_t *nvl;
	pid_t pid;

	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		(void)close(other);
		while ((nvl = nvlist_recv(sock, 0)) != NULL) {
			nvlist_destroy(nvl);
			nvl = nvlist_create(0);
			nvlist_add_null(nvl, "limits");
			nvlist_add_number(nvl, "error", 0);
			if (nvlist_send(sock, nvl) != 0)
				break;
			nvlist_destroy(nvl);
		}
		_exit(0);
	}
	return (pid);
}

static double
xfer_over(int type)
{
	double ns;
	pid_t pid;
	int sv[2];

	if (socketpair(AF_UNIX, type, 0, sv) < 0)
		err(1, "socketpair");
	pid = nv_peer(sv[1], sv[0]);
	(void)close(sv[1]);
	ns = bench_ns_per_op(xfer, &sv[0], 20000);
	(void)close(sv[0]);
	(void)waitpid(pid, NULL, 0);
	return (ns);
}

#define	NFA	72

static char fa_names[NFA][64];
static char *fa_argv[NFA];

static double
fa_per_open(cap_channel_t *cas, bool cached)
{
	double runs[BENCH_RUNS];
	cap_channel_t *chan;
	fileargs_t *fa;
	nvlist_t *nvl;
	uint64_t t0;
	int r, i, fd;

	for (r = 0; r < BENCH_RUNS; r++) {
		fa = fileargs_cinit(cas, NFA, fa_argv, O_RDONLY, 0, NULL,
		    FA_OPEN);
		if (fa == NULL)
			err(1, "fileargs_cinit");
		if (cached) {
			t0 = bench_now_ns();
			for (i = 0; i < NFA; i++) {
				if ((fd = fileargs_open(fa, fa_argv[i])) < 0)
					err(1, "fileargs_open");
				(void)close(fd);
			}
		} else {
			chan = fileargs_unwrap(fa, NULL);
			t0 = bench_now_ns();
			for (i = 0; i < NFA; i++) {
				nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
				nvlist_add_string(nvl, "cmd", "open");
				nvlist_add_string(nvl, "name", fa_argv[i]);
				nvl = cap_xfer_nvlist(chan, nvl);
				if (nvl == NULL ||
				    !nvlist_exists_descriptor(nvl, "fd"))
					errx(1, "open request");
				(void)close(nvlist_take_descriptor(nvl, "fd"));
				nvlist_destroy(nvl);
			}
			fa = fileargs_wrap(chan, O_RDONLY);
		}
		runs[r] = (double)(bench_now_ns() - t0) / NFA;
		fileargs_free(fa);
	}
	return (bench_median(runs, BENCH_RUNS));
}

static void
fileargs_bench(cap_channel_t *cas)
{
	char dir[] = "/tmp/casper-bench.XXXXXX";
	double a, b;
	int i, fd;

	/* Absolute names: the service has Casper's working directory. */
	if (mkdtemp(dir) == NULL)
		err(1, "fileargs bench tree");
	for (i = 0; i < NFA; i++) {
		snprintf(fa_names[i], sizeof(fa_names[i]), "%s/f%d", dir, i);
		fa_argv[i] = fa_names[i];
		if ((fd = open(fa_names[i], O_WRONLY | O_CREAT, 0644)) < 0)
			err(1, "%s", fa_names[i]);
		(void)close(fd);
	}
	a = fa_per_open(cas, true);
	b = fa_per_open(cas, false);
	bench_report("fileargs_open per open, cache vs no cache", a, b, 1.0);
	for (i = 0; i < NFA; i++)
		(void)unlink(fa_names[i]);
	if (rmdir(dir) != 0)
		warn("fileargs bench tree");
}

int
main(void)
{
	cap_channel_t *cas, *rnd, *netdb;
	nvlist_t *req, *rep;
	struct raw r;
	void *repbuf;
	size_t replen;
	double a, b;
	pid_t pid;
	int sv[2];

	bench_pin(0);
	(void)signal(SIGPIPE, SIG_IGN);

	a = bench_ns_per_op(start_casper, NULL, 20);
	b = bench_ns_per_op(fork_wait, NULL, 20);
	printf("cap_init + cap_service_open + cap_close: %.0f us; "
	    "fork + exit + wait: %.0f us\n", a / 1000, b / 1000);
	bench_report("cap_init+service_open vs fork+wait", a, b, 40.0);

	if ((cas = cap_init()) == NULL ||
	    (rnd = cap_service_open(cas, "system.random")) == NULL ||
	    (netdb = cap_service_open(cas, "system.netdb")) == NULL)
		err(1, "casper");
	fileargs_bench(cas);
	cap_close(cas);
	/* (Also links system.random into this static program.) */
	if (cap_random_buf(rnd, &r.buf, sizeof(r.buf)) != 0)
		err(1, "cap_random_buf");

	/* The same bytes as the core round trip, over a raw socket. */
	req = nvlist_create(0);
	nvlist_add_string(req, "cmd", "limit_get");
	rep = nvlist_create(0);
	nvlist_add_null(rep, "limits");
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
	b = bench_ns_per_op(raw_rt, &r, 20000);
	a = bench_ns_per_op(limit_get, rnd, 20000);
	bench_report("cap_limit_get vs raw SEQPACKET round trip", a, b, 2.0);
	(void)close(sv[0]);
	(void)waitpid(pid, NULL, 0);
	free(r.req);
	free(repbuf);

	a = bench_ns_per_op(protobyname, netdb, 5000);
	b = bench_ns_per_op(protobyname_libc, NULL, 5000);
	bench_report("cap_getprotobyname vs getprotobyname", a, b, 4.0);

	a = xfer_over(SOCK_SEQPACKET);
	b = xfer_over(SOCK_STREAM);
	bench_report("nvlist_xfer SEQPACKET vs STREAM", a, b, 1.0);

	cap_close(rnd);
	cap_close(netdb);
	return (0);
}
