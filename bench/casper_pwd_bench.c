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
 * 3. For reference, two floors of 2., each a round trip of the same bytes
 *    to a forked peer confined exactly as system.pwd is
 *    (casper_service_confine: Landlock + seccomp):
 *    - "lookup": the peer calls getpwnam("root") for each message and
 *      sends the packed reply.  Any design that looks the name up in a
 *      sandboxed process costs at least this.  (Timing getpwnam in a hot
 *      loop and adding it to the raw round trip underestimates it: between
 *      two switches the lookup runs with cold caches.)
 *    - "lookup + nvlist": as above, and both sides carry FreeBSD's wire
 *      format: the client builds, packs and sends the request and
 *      unpacks the reply and reads its fields; the peer unpacks the
 *      request and builds and packs the reply.  This is cap_getpwnam
 *      without Casper's own code (dispatch, limits, the struct passwd).
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
#include "nv/nv_impl.h"

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

struct nvrt {
	int	sock;
};

/* The reply system.pwd sends for an entry. */
static nvlist_t *
pw_reply(const struct passwd *pw)
{
	nvlist_t *rep;

	rep = nvlist_create(0);
	nvlist_add_string(rep, "pw_name", pw->pw_name);
	nvlist_add_string(rep, "pw_passwd", pw->pw_passwd);
	nvlist_add_string(rep, "pw_gecos", pw->pw_gecos);
	nvlist_add_string(rep, "pw_dir", pw->pw_dir);
	nvlist_add_string(rep, "pw_shell", pw->pw_shell);
	nvlist_add_number(rep, "pw_uid", pw->pw_uid);
	nvlist_add_number(rep, "pw_gid", pw->pw_gid);
	nvlist_add_number(rep, "error", 0);
	return (rep);
}

static void
confine(void)
{
	int error;

	if ((error = casper_service_confine("system.pwd")) != 0)
		errx(1, "casper_service_confine: %s", strerror(error));
}

/* Confined; a lookup per message, then the packed reply. */
static pid_t
lookup_peer(int sock, int other, const void *rep, size_t replen)
{
	unsigned char buf[4096];
	pid_t pid;

	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		(void)close(other);
		confine();
		while (recv(sock, buf, sizeof(buf), 0) > 0) {
			libc_lookup(NULL);
			if (send(sock, rep, replen, 0) < 0)
				break;
		}
		_exit(0);
	}
	return (pid);
}

/* Confined; unpacks the request, looks the name up, packs the reply. */
static pid_t
nvlist_peer(int sock, int other)
{
	struct passwd *pw;
	nvlist_t *req, *rep;
	pid_t pid;

	if ((pid = fork()) < 0)
		err(1, "fork");
	if (pid == 0) {
		(void)close(other);
		confine();
		while ((req = nv_impl_recv_seqpacket(sock, 0)) != NULL) {
			if ((pw = getpwnam(nvlist_get_string(req, "name"))) ==
			    NULL)
				errx(1, "getpwnam");
			rep = pw_reply(pw);
			if (nvlist_send(sock, rep) != 0)
				break;
			nvlist_destroy(rep);
			nvlist_destroy(req);
		}
		_exit(0);
	}
	return (pid);
}

/* The client's half of "lookup + nvlist". */
static void
nvlist_rt(void *arg)
{
	struct nvrt *n = arg;
	nvlist_t *req, *rep;
	size_t len;

	req = nvlist_create(0);
	nvlist_add_string(req, "cmd", "getpwnam");
	nvlist_add_string(req, "name", "root");
	if (nvlist_send(n->sock, req) != 0 ||
	    (rep = nv_impl_recv_seqpacket(n->sock, 0)) == NULL)
		err(1, "nvlist round trip");
	nvlist_destroy(req);
	len = strlen(nvlist_get_string(rep, "pw_name")) +
	    strlen(nvlist_get_string(rep, "pw_passwd")) +
	    strlen(nvlist_get_string(rep, "pw_gecos")) +
	    strlen(nvlist_get_string(rep, "pw_dir")) +
	    strlen(nvlist_get_string(rep, "pw_shell"));
	if (len == 0 || nvlist_get_number(rep, "pw_uid") != 0 ||
	    nvlist_get_number(rep, "pw_gid") != 0 ||
	    nvlist_get_number(rep, "error") != 0)
		errx(1, "nvlist round trip: wrong reply");
	nvlist_destroy(rep);
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
	double ra[BENCH_RUNS], rb[BENCH_RUNS], rc[BENCH_RUNS], rd[BENCH_RUNS],
	    re[BENCH_RUNS];
	int i;
	cap_channel_t *cas, *chan;
	struct passwd *pw;
	nvlist_t *req, *rep;
	struct raw r, lr;
	struct nvrt nr;
	void *repbuf;
	size_t replen;
	double a, b, c, d, e;
	pid_t pid, lpid, npid;
	int sv[2], lv[2], nv[2];

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
	rep = pw_reply(pw);
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
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, lv) < 0)
		err(1, "socketpair");
	lpid = lookup_peer(lv[1], lv[0], repbuf, replen);
	(void)close(lv[1]);
	lr = r;
	lr.sock = lv[0];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, nv) < 0)
		err(1, "socketpair");
	npid = nvlist_peer(nv[1], nv[0]);
	(void)close(nv[1]);
	nr.sock = nv[0];

	/*
	 * Interleaved: one run of each per round, so that the five figures
	 * see the same machine state (the VMs are shared and noisy).
	 */
	for (i = 0; i < BENCH_RUNS; i++) {
		ra[i] = run_once(cap_lookup, chan, ITERS);
		rb[i] = run_once(libc_lookup, NULL, ITERS);
		rc[i] = run_once(raw_rt, &r, ITERS);
		rd[i] = run_once(raw_rt, &lr, ITERS);
		re[i] = run_once(nvlist_rt, &nr, ITERS);
	}
	a = bench_median(ra, BENCH_RUNS);
	b = bench_median(rb, BENCH_RUNS);
	c = bench_median(rc, BENCH_RUNS);
	d = bench_median(rd, BENCH_RUNS);
	e = bench_median(re, BENCH_RUNS);
	printf("request %zu bytes, reply %zu bytes\n", r.reqlen, replen);
	bench_report("cap_getpwnam vs getpwnam", a, b, 4.0);
	bench_report("cap_getpwnam vs raw SEQPACKET round trip", a, c, 2.0);
	bench_info("floor: lookup in a confined peer vs raw", d, c);
	bench_info("floor: lookup + nvlist vs raw", e, c);
	printf("# cap_getpwnam above the lookup + nvlist floor: %.1f ns\n",
	    a - e);

	(void)close(sv[0]);
	(void)close(lv[0]);
	(void)close(nv[0]);
	(void)waitpid(pid, NULL, 0);
	(void)waitpid(lpid, NULL, 0);
	(void)waitpid(npid, NULL, 0);
	free(r.req);
	free(repbuf);
	cap_close(chan);
	return (0);
}
