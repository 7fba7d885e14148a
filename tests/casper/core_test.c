/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcasper core: every client function and its error paths, the core
 * protocol, service flags, lifetimes (nothing survives the client; a dead
 * service is a clean error) and the service sandbox.  Most cases run in a
 * forked child that enters capability mode after cap_init(), as a real
 * program would; the same checks run without capability mode too.
 *
 * The services used here are registered by this test binary: Casper is a
 * fork of the application, so it knows them.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <linux/sched.h>

#include "harness.h"
#include "casper/casper_test.h"
#include "casper/casper_impl.h"

#include <sys/capsicum.h>
#include <sys/procdesc.h>
#include <sys/dnv.h>
#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_random.h>

/* ------------------------------------------------------------------ */
/* Test services */

/* Limits: names with bool values; a new set may only drop names. */
static int
echo_limit(const nvlist_t *oldlimits, const nvlist_t *newlimits)
{
	const char *name;
	void *cookie;
	int type;

	cookie = NULL;
	while ((name = nvlist_next(newlimits, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_BOOL)
			return (EINVAL);
		if (oldlimits != NULL && !nvlist_exists_bool(oldlimits, name))
			return (ENOTCAPABLE);
	}
	return (0);
}

static int
echo_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	struct stat st;
	int fd;

	if (limits != NULL && !nvlist_exists_bool(limits, cmd))
		return (ENOTCAPABLE);
	if (strcmp(cmd, "echo") == 0) {
		if (!nvlist_exists_string(nvlin, "value"))
			return (EINVAL);
		nvlist_add_string(nvlout, "value",
		    nvlist_get_string(nvlin, "value"));
		return (0);
	}
	if (strcmp(cmd, "getpid") == 0) {
		nvlist_add_number(nvlout, "pid", (uint64_t)getpid());
		return (0);
	}
	if (strcmp(cmd, "sleep") == 0) {
		for (;;)
			pause();
	}
	if (strcmp(cmd, "fds") == 0) {
		/* Is stdio /dev/null, and is descriptor "fd" open? */
		/* /dev/null is 1:3 (the service may not stat paths). */
		nvlist_add_bool(nvlout, "stdout_null", fstat(1, &st) == 0 &&
		    S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
		    minor(st.st_rdev) == 3);
		fd = (int)nvlist_get_number(nvlin, "fd");
		nvlist_add_bool(nvlout, "open", fcntl(fd, F_GETFD) >= 0);
		nvlist_add_bool(nvlout, "sid", getsid(0) == getpid());
		return (0);
	}
	if (strcmp(cmd, "badreply") == 0) {
		/* A reply in an error state: the framework must cope. */
		nvlist_add_number(nvlout, "x", 1);
		nvlist_add_number(nvlout, "x", 2);
		return (0);
	}
	if (strcmp(cmd, "capmode") == 0) {
		u_int mode = 0;

		nvlist_add_bool(nvlout, "capmode",
		    cap_getmode(&mode) == 0 && mode == 1);
		return (0);
	}
	if (strcmp(cmd, "open") == 0) {
		if (!nvlist_exists_string(nvlin, "path"))
			return (EINVAL);
		fd = open(nvlist_get_string(nvlin, "path"), O_RDONLY);
		if (fd < 0)
			return (errno);
		(void)close(fd);
		return (0);
	}
	return (EINVAL);
}

CREATE_SERVICE("test.echo", echo_limit, echo_command, 0);

/* The same commands with every flag, registered by hand. */
static __attribute__((constructor)) void
register_more(void)
{

	(void)service_register("test.keep", echo_limit, echo_command,
	    CASPER_SERVICE_STDIO | CASPER_SERVICE_FD |
	    CASPER_SERVICE_NO_UNIQ_LIMITS);
	(void)service_register("test.nolimit", NULL, echo_command, 0);
	(void)service_register("test.failprep", NULL, echo_command, 0);
	(void)service_register("test.landlock", NULL, echo_command, 0);
	(void)service_register("test.dns", NULL, echo_command, 0);
	(void)service_register("test.deferred", NULL, echo_command, 0);
}

static int
failing_prepare(void)
{

	return (EDOM);
}

static const struct casper_sandbox failprep_sb = {
	.sb_prepare = failing_prepare,
	.sb_flags = 0,
};
static const char *const ll_read[] = { "/etc/protocols", "/nonexistent",
    NULL };
static const struct casper_sandbox landlock_sb = {
	.sb_read = ll_read,
	.sb_flags = 0,
};
static const struct casper_sandbox dns_sb = {
	.sb_read = ll_read,
	.sb_flags = CASPER_SANDBOX_DNS,
};
static const struct casper_sandbox deferred_sb = {
	.sb_read = ll_read,
	.sb_flags = CASPER_SANDBOX_DEFERRED,
};

/*
 * Attached in a constructor that may run before or after the ones that
 * register the services: the order must not matter.
 */
static __attribute__((constructor)) void
attach_sandboxes(void)
{

	(void)service_sandbox("test.failprep", &failprep_sb);
	(void)service_sandbox("test.landlock", &landlock_sb);
	(void)service_sandbox("test.dns", &dns_sb);
	(void)service_sandbox("test.deferred", &deferred_sb);
}

/* ------------------------------------------------------------------ */
/* Helpers */

/* Send {cmd} (plus a string) and return the reply's error (-1: none). */
static int
request(cap_channel_t *chan, const char *cmd, const char *key,
    const char *value, nvlist_t **repp)
{
	nvlist_t *nvl;
	int error;

	nvl = nvlist_create(cap_channel_flags(chan) & CASPER_NO_UNIQ ?
	    NV_FLAG_NO_UNIQUE : 0);
	nvlist_add_string(nvl, "cmd", cmd);
	if (key != NULL)
		nvlist_add_string(nvl, key, value);
	if ((nvl = cap_xfer_nvlist(chan, nvl)) == NULL)
		return (-1);
	error = nvlist_exists_number(nvl, "error") ?
	    (int)nvlist_get_number(nvl, "error") : -2;
	if (repp != NULL)
		*repp = nvl;
	else
		nvlist_destroy(nvl);
	return (error);
}

static pid_t
service_pid(cap_channel_t *chan)
{
	nvlist_t *rep;
	pid_t pid;

	if (request(chan, "getpid", NULL, NULL, &rep) != 0)
		return (-1);
	pid = (pid_t)nvlist_get_number(rep, "pid");
	nvlist_destroy(rep);
	return (pid);
}

static void
echo_works(cap_channel_t *chan, const char *s)
{
	nvlist_t *rep;

	CHECK(request(chan, "echo", "value", s, &rep) == 0);
	CHECK(strcmp(nvlist_get_string(rep, "value"), s) == 0);
	nvlist_destroy(rep);
}

/* Whether the child bodies enter capability mode after cap_init. */
static int capmode;

static void
maybe_enter(void)
{

	if (capmode)
		capmode_enter();
}

#define	BOTH(name, body)						\
	Test(core, name) { capmode = 0; SANDBOXED(body, NULL); }	\
	Test(core_capmode, name) { capmode = 1; SANDBOXED(body, NULL); }

/* ------------------------------------------------------------------ */
/* Opening services */

static void
open_and_use(void *arg)
{
	cap_channel_t *cas, *svc;
	unsigned char buf[200000];
	size_t i;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK((svc = cap_service_open(cas, "test.echo")) != NULL);
	maybe_enter();
	echo_works(svc, "hello");
	CHECK(cap_channel_flags(svc) == 0);
	cap_close(svc);
	/* Opening in capability mode works too. */
	CHECK((svc = cap_service_open(cas, "system.random")) != NULL);
	memset(buf, 0, sizeof(buf));
	CHECK(cap_random_buf(svc, buf, sizeof(buf)) == 0);
	for (i = 0; i < sizeof(buf) && buf[i] == 0; i++)
		;
	CHECK(i < 64);
	cap_close(svc);
	cap_close(cas);
	_exit(0);
}
BOTH(open_and_use, open_and_use)

static void
open_errors(void *arg)
{
	cap_channel_t *cas;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	maybe_enter();
	errno = 0;
	CHECK(cap_service_open(cas, "no.such.service") == NULL);
	CHECK(errno == ENOENT);
	CHECK(cap_service_open(cas, CASPER_CORE_NAME) == NULL);
	CHECK(errno == ENOENT);
	CHECK(cap_service_open(cas, NULL) == NULL && errno == EINVAL);
	CHECK(cap_service_open(cas, "") == NULL && errno == ENOENT);
	/* The sandbox's sb_prepare failed: its error, and no channel. */
	CHECK(cap_service_open(cas, "test.failprep") == NULL);
	CHECK(errno == EDOM);
	/* Casper still serves after the failures. */
	cap_close(cap_service_open(cas, "test.echo"));
	cap_close(cas);
	_exit(0);
}
BOTH(open_errors, open_errors)

/*
 * Limits sent with the open request (libcasper's own fileargs uses it):
 * the service has them before the channel reaches the caller.
 */
static void
open_limited(void *arg)
{
	cap_channel_t *cas, *svc;
	nvlist_t *l, *req, *rep;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	maybe_enter();
	l = nvlist_create(0);
	nvlist_add_bool(l, "echo", true);
	CHECK((svc = casper_service_open_limited(cas, "test.echo", l)) !=
	    NULL);
	CHECK(cap_limit_get(svc, &l) == 0 && l != NULL);
	CHECK(nvlist_exists_bool(l, "echo") &&
	    !nvlist_exists_bool(l, "getpid"));
	nvlist_destroy(l);
	/* In force from the first request: echo only. */
	echo_works(svc, "limited");
	CHECK(request(svc, "getpid", NULL, NULL, NULL) == ENOTCAPABLE);
	/* Only narrower from here. */
	l = nvlist_create(0);
	nvlist_add_bool(l, "echo", true);
	nvlist_add_bool(l, "getpid", true);
	CHECK(cap_limit_set(svc, l) == -1 && errno == ENOTCAPABLE);
	cap_close(svc);
	/* Limits the service refuses: its errno, and no channel. */
	l = nvlist_create(0);
	nvlist_add_string(l, "a", "not a bool");
	errno = 0;
	CHECK(casper_service_open_limited(cas, "test.echo", l) == NULL);
	CHECK(errno == EINVAL);
	/* Bad arguments. */
	CHECK(casper_service_open_limited(cas, "test.echo", NULL) == NULL &&
	    errno == EINVAL);
	CHECK(casper_service_open_limited(cas, NULL, nvlist_create(0)) ==
	    NULL && errno == EINVAL);
	l = nvlist_create(0);
	nvlist_set_error(l, ENOMEM);
	CHECK(casper_service_open_limited(cas, "test.echo", l) == NULL &&
	    errno == ENOMEM);
	l = nvlist_create(0);
	CHECK(casper_service_open_limited(cas, "no.such.service", l) ==
	    NULL && errno == ENOENT);
	/* A request whose limits are not a list: EINVAL from Casper. */
	req = nvlist_create(0);
	nvlist_add_string(req, "cmd", "open");
	nvlist_add_string(req, "service", "test.echo");
	nvlist_add_string(req, "limits", "x");
	CHECK((rep = cap_xfer_nvlist(cas, req)) != NULL);
	CHECK(nvlist_get_number(rep, "error") == EINVAL);
	CHECK(!nvlist_exists_descriptor(rep, "chanfd"));
	nvlist_destroy(rep);
	/* Casper still serves. */
	cap_close(cap_service_open(cas, "test.echo"));
	cap_close(cas);
	_exit(0);
}
BOTH(open_limited, open_limited)

static void
service_limit(void *arg)
{
	const char *one[] = { "test.echo" };
	const char *two[] = { "test.echo", "system.random" };
	cap_channel_t *cas, *svc;
	nvlist_t *l;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	maybe_enter();
	CHECK(cap_limit_get(cas, &l) == 0 && l == NULL);
	CHECK(cap_service_limit(cas, two, 2) == 0);
	CHECK(cap_limit_get(cas, &l) == 0 && l != NULL);
	CHECK(nvlist_exists_null(l, "test.echo") &&
	    nvlist_exists_null(l, "system.random"));
	nvlist_destroy(l);
	CHECK(cap_service_limit(cas, one, 1) == 0);
	/* Widening again fails. */
	CHECK_LIBC_ERR(cap_service_limit(cas, two, 2), ENOTCAPABLE);
	CHECK((svc = cap_service_open(cas, "test.echo")) != NULL);
	cap_close(svc);
	CHECK(cap_service_open(cas, "system.random") == NULL);
	CHECK(errno == ENOTCAPABLE);
	/* Unknown is still ENOENT. */
	CHECK(cap_service_open(cas, "no.such") == NULL && errno == ENOENT);
	/* Non-null entries are malformed. */
	l = nvlist_create(0);
	nvlist_add_number(l, "test.echo", 1);
	CHECK_LIBC_ERR(cap_limit_set(cas, l), EINVAL);
	CHECK_LIBC_ERR(cap_service_limit(cas, NULL, 1), EINVAL);
	/* No services at all. */
	CHECK(cap_service_limit(cas, NULL, 0) == 0);
	CHECK(cap_service_open(cas, "test.echo") == NULL &&
	    errno == ENOTCAPABLE);
	/* Removing the limits is widening. */
	CHECK_LIBC_ERR(cap_limit_set(cas, NULL), ENOTCAPABLE);
	cap_close(cas);
	_exit(0);
}
BOTH(service_limit, service_limit)

/* ------------------------------------------------------------------ */
/* Limits on a service */

static void
limits(void *arg)
{
	cap_channel_t *cas, *svc, *nolim;
	nvlist_t *l, *got;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK((svc = cap_service_open(cas, "test.echo")) != NULL);
	CHECK((nolim = cap_service_open(cas, "test.nolimit")) != NULL);
	cap_close(cas);
	maybe_enter();
	CHECK(cap_limit_get(svc, &got) == 0 && got == NULL);
	/* Unlimited to unlimited is fine. */
	CHECK(cap_limit_set(svc, NULL) == 0);
	l = nvlist_create(0);
	nvlist_add_bool(l, "echo", true);
	nvlist_add_bool(l, "getpid", true);
	CHECK(cap_limit_set(svc, l) == 0);
	CHECK(cap_limit_get(svc, &got) == 0 && got != NULL);
	CHECK(nvlist_exists_bool(got, "echo") &&
	    nvlist_exists_bool(got, "getpid") &&
	    !nvlist_exists(got, "fds"));
	nvlist_destroy(got);
	echo_works(svc, "limited");
	/* A command outside the limits: the service's refusal. */
	CHECK(request(svc, "capmode", NULL, NULL, NULL) == ENOTCAPABLE);
	/* Widening: ENOTCAPABLE, limits unchanged. */
	l = nvlist_create(0);
	nvlist_add_bool(l, "echo", true);
	nvlist_add_bool(l, "capmode", true);
	CHECK_LIBC_ERR(cap_limit_set(svc, l), ENOTCAPABLE);
	/* Malformed: EINVAL. */
	l = nvlist_create(0);
	nvlist_add_string(l, "echo", "yes");
	CHECK_LIBC_ERR(cap_limit_set(svc, l), EINVAL);
	/* A list in an error state is refused before it is sent. */
	l = nvlist_create(0);
	nvlist_add_bool(l, "echo", true);
	nvlist_add_bool(l, "echo", true);
	CHECK_LIBC_ERR(cap_limit_set(svc, l), EEXIST);
	/* Back to unlimited is widening. */
	CHECK_LIBC_ERR(cap_limit_set(svc, NULL), ENOTCAPABLE);
	/* Narrowing further works. */
	l = nvlist_create(0);
	nvlist_add_bool(l, "echo", true);
	CHECK(cap_limit_set(svc, l) == 0);
	CHECK(request(svc, "getpid", NULL, NULL, NULL) == ENOTCAPABLE);
	echo_works(svc, "still");
	/* A service without a limit function. */
	l = nvlist_create(0);
	CHECK_LIBC_ERR(cap_limit_set(nolim, l), EOPNOTSUPP);
	CHECK(cap_limit_get(nolim, &got) == 0 && got == NULL);
	cap_close(svc);
	cap_close(nolim);
	_exit(0);
}
BOTH(limits, limits)

/* ------------------------------------------------------------------ */
/* Clone, wrap, unwrap, raw nvlists */

static void
clone_channels(void *arg)
{
	cap_channel_t *cas, *cas2, *svc, *svc2;
	nvlist_t *l, *got;
	pid_t pid;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	maybe_enter();
	CHECK((cas2 = cap_clone(cas)) != NULL);
	CHECK(cap_sock(cas2) != cap_sock(cas));
	/* The clone of the Casper channel opens services. */
	CHECK((svc = cap_service_open(cas2, "test.echo")) != NULL);
	cap_close(cas2);
	/* Casper lives until its process descriptor is closed. */
	cap_close(cas);
	l = nvlist_create(0);
	nvlist_add_bool(l, "echo", true);
	nvlist_add_bool(l, "getpid", true);
	CHECK(cap_limit_set(svc, l) == 0);
	pid = service_pid(svc);
	CHECK((svc2 = cap_clone(svc)) != NULL);
	/* Same process, same limits, independent afterwards. */
	CHECK(service_pid(svc2) == pid);
	CHECK(cap_limit_get(svc2, &got) == 0 && got != NULL &&
	    nvlist_exists_bool(got, "getpid"));
	nvlist_destroy(got);
	l = nvlist_create(0);
	nvlist_add_bool(l, "echo", true);
	CHECK(cap_limit_set(svc2, l) == 0);
	CHECK(service_pid(svc) == pid);
	CHECK(request(svc2, "getpid", NULL, NULL, NULL) == ENOTCAPABLE);
	/* The service lives while one connection does. */
	cap_close(svc);
	echo_works(svc2, "clone");
	cap_close(svc2);
	_exit(0);
}
BOTH(clone_channels, clone_channels)

static void
wrap_unwrap(void *arg)
{
	cap_channel_t *cas, *svc, *w;
	int sock, flags, sv[2];

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK((svc = cap_service_open(cas, "test.echo")) != NULL);
	cap_close(cas);
	maybe_enter();
	sock = cap_sock(svc);
	CHECK(sock >= 0);
	flags = -1;
	CHECK(cap_unwrap(svc, &flags) == sock && flags == 0);
	CHECK((w = cap_wrap(sock, 0)) != NULL);
	CHECK(cap_sock(w) == sock && cap_channel_flags(w) == 0);
	echo_works(w, "wrapped");
	CHECK(cap_unwrap(w, NULL) == sock);
	/* Errors. */
	CHECK(cap_wrap(-1, 0) == NULL && errno == EBADF);
	CHECK(cap_wrap(1000, 0) == NULL && errno == EBADF);
	CHECK(cap_wrap(sock, 0x100) == NULL && errno == EINVAL);
	CHECK((w = cap_wrap(sock, CASPER_NO_UNIQ)) != NULL);
	CHECK(cap_channel_flags(w) == CASPER_NO_UNIQ);
	cap_close(w);
	CHECK(fcntl(sock, F_GETFD) < 0 && errno == EBADF);
	/* A channel over a socket with nothing behind it. */
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK((w = cap_wrap(sv[0], 0)) != NULL);
	(void)close(sv[1]);
	CHECK(cap_xfer_nvlist(w, nvlist_create(0)) == NULL);
	CHECK(errno == EPIPE || errno == ENOTCONN || errno == ECONNRESET);
	CHECK_LIBC_ERR(cap_limit_set(w, nvlist_create(0)), EPIPE);
	CHECK(cap_clone(w) == NULL && errno == EPIPE);
	cap_close(w);
	_exit(0);
}
BOTH(wrap_unwrap, wrap_unwrap)

static void
raw_nvlists(void *arg)
{
	cap_channel_t *cas, *svc;
	nvlist_t *nvl, *rep;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK((svc = cap_service_open(cas, "test.echo")) != NULL);
	cap_close(cas);
	maybe_enter();
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "echo");
	nvlist_add_string(nvl, "value", "raw");
	CHECK(cap_send_nvlist(svc, nvl) == 0);
	nvlist_destroy(nvl);
	CHECK((rep = cap_recv_nvlist(svc)) != NULL);
	CHECK(nvlist_get_number(rep, "error") == 0);
	CHECK(strcmp(nvlist_get_string(rep, "value"), "raw") == 0);
	nvlist_destroy(rep);
	/* No cmd, a mistyped cmd, an unknown cmd: EINVAL replies. */
	nvl = nvlist_create(0);
	CHECK((rep = cap_xfer_nvlist(svc, nvl)) != NULL);
	CHECK(nvlist_get_number(rep, "error") == EINVAL);
	nvlist_destroy(rep);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "cmd", 7);
	CHECK((rep = cap_xfer_nvlist(svc, nvl)) != NULL);
	CHECK(nvlist_get_number(rep, "error") == EINVAL);
	nvlist_destroy(rep);
	CHECK(request(svc, "nonsense", NULL, NULL, NULL) == EINVAL);
	/* limit_set without limits. */
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "limit_set");
	CHECK((rep = cap_xfer_nvlist(svc, nvl)) != NULL);
	CHECK(nvlist_get_number(rep, "error") == EINVAL);
	nvlist_destroy(rep);
	/* A reply the service could not build: its error, cleanly. */
	CHECK(request(svc, "badreply", NULL, NULL, NULL) == EEXIST);
	echo_works(svc, "after");
	/* Sending a list in an error state fails; xfer destroys it. */
	nvl = nvlist_create(0);
	nvlist_add_bool(nvl, "a", true);
	nvlist_add_bool(nvl, "a", true);
	CHECK(cap_send_nvlist(svc, nvl) == -1 && errno == EEXIST);
	CHECK(cap_xfer_nvlist(svc, nvl) == NULL && errno == EEXIST);
	echo_works(svc, "still");
	cap_close(svc);
	_exit(0);
}
BOTH(raw_nvlists, raw_nvlists)

/* ------------------------------------------------------------------ */
/* Service flags */

static void
flags_clean(void *arg)
{
	cap_channel_t *cas, *plain, *keep;
	nvlist_t *nvl, *rep;
	int fd;

	(void)arg;
	CHECK((fd = open("/dev/zero", O_RDONLY)) >= 0);
	CHECK((cas = cap_init()) != NULL);
	CHECK((plain = cap_service_open(cas, "test.echo")) != NULL);
	CHECK((keep = cap_service_open(cas, "test.keep")) != NULL);
	cap_close(cas);
	maybe_enter();
	CHECK(cap_channel_flags(plain) == 0);
	CHECK(cap_channel_flags(keep) == CASPER_NO_UNIQ);

	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "fds");
	nvlist_add_number(nvl, "fd", (uint64_t)fd);
	CHECK((rep = cap_xfer_nvlist(plain, nvl)) != NULL);
	CHECK(nvlist_get_number(rep, "error") == 0);
	CHECK(nvlist_get_bool(rep, "stdout_null"));
	CHECK(!nvlist_get_bool(rep, "open"));
	CHECK(nvlist_get_bool(rep, "sid"));
	nvlist_destroy(rep);

	nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_string(nvl, "cmd", "fds");
	nvlist_add_number(nvl, "fd", (uint64_t)fd);
	CHECK((rep = cap_xfer_nvlist(keep, nvl)) != NULL);
	CHECK(nvlist_get_number(rep, "error") == 0);
	CHECK(nvlist_get_bool(rep, "open"));
	CHECK(!nvlist_get_bool(rep, "sid"));
	nvlist_destroy(rep);

	/* NO_UNIQ_LIMITS: repeated names in limits reach the service. */
	nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_bool(nvl, "echo", true);
	nvlist_add_bool(nvl, "echo", true);
	CHECK(cap_limit_set(keep, nvl) == 0);
	CHECK(cap_limit_get(keep, &rep) == 0 && rep != NULL);
	CHECK(nvlist_flags(rep) == NV_FLAG_NO_UNIQUE);
	nvlist_destroy(rep);
	cap_close(plain);
	cap_close(keep);
	_exit(0);
}
BOTH(flags_clean, flags_clean)

/*
 * What libcapsicum in a new image believes about descriptors 150 and 600
 * (and capability mode): a child execs the report helper directly, after
 * starting Casper and two services when casper is set.  NULL on failure.
 */
static char *
rights_after_exec(bool casper)
{
	static char out[512];
	cap_channel_t *cas;
	ssize_t n;
	size_t got;
	int p[2], st;
	pid_t pid;

	if (pipe(p) != 0 || (pid = fork()) < 0)
		return (NULL);
	if (pid == 0) {
		dup2(p[1], 1);
		if (casper && ((cas = cap_init()) == NULL ||
		    cap_service_open(cas, "test.echo") == NULL ||
		    cap_service_open(cas, "test.keep") == NULL))
			_exit(126);
		/* No fork in between (fork rewrites the record itself). */
		execl(test_helper("rights_report"), "rights_report", "m",
		    "150", "600", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	got = 0;
	while (got < sizeof(out) - 1 &&
	    (n = read(p[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return (NULL);
	return (out);
}

/*
 * Descriptors at CASPER_LIBFD_MIN and above, where libcapsicum keeps its
 * own, do not reach a service without CASPER_SERVICE_FD either; with it
 * they do.  libcapsicum's own go on working in the service (test.echo
 * enters capability mode after the cleaning).  The application's record
 * of its limited descriptors is not rewritten by a service closing them,
 * nor by Casper entering capability mode: a new image of the application
 * (exec) still sees their rights, and no capability mode.
 */
static void
flags_clean_high(void *arg)
{
	static const char want[] = "mode 0\nfd 150: 0x0200000000080001 ";
	int hi[4] = { -1, 250, 600, 1000 };
	cap_channel_t *cas, *plain, *keep;
	char before[512], *after;
	nvlist_t *nvl, *rep;
	cap_rights_t r;
	int fd, i;

	(void)arg;
	CHECK((fd = open("/dev/zero", O_RDONLY)) >= 0);
	/* The lowest free number from CASPER_LIBFD_MIN on, and some more. */
	CHECK((hi[0] = fcntl(fd, F_DUPFD, CASPER_LIBFD_MIN)) >= 0);
	for (i = 1; i < 4; i++) {
		CHECK(fcntl(hi[i], F_GETFD) < 0);
		CHECK(dup2(fd, hi[i]) == hi[i]);
	}
	CHECK(dup2(fd, 150) == 150);
	close(fd);
	cap_rights_init(&r, CAP_READ, CAP_FSTAT);
	CHECK(cap_rights_limit(150, &r) == 0 && cap_rights_limit(600, &r) == 0);
	CHECK((after = rights_after_exec(false)) != NULL);
	snprintf(before, sizeof(before), "%s", after);
	CHECK(strncmp(before, want, strlen(want)) == 0);
	CHECK((after = rights_after_exec(true)) != NULL);
	CHECK(strcmp(after, before) == 0);

	CHECK((cas = cap_init()) != NULL);
	CHECK((plain = cap_service_open(cas, "test.echo")) != NULL);
	CHECK((keep = cap_service_open(cas, "test.keep")) != NULL);
	cap_close(cas);
	maybe_enter();
	for (i = 0; i < 4; i++) {
		nvl = nvlist_create(0);
		nvlist_add_string(nvl, "cmd", "fds");
		nvlist_add_number(nvl, "fd", (uint64_t)hi[i]);
		CHECK((rep = cap_xfer_nvlist(plain, nvl)) != NULL);
		CHECK(nvlist_get_number(rep, "error") == 0);
		CHECK(!nvlist_get_bool(rep, "open"));
		nvlist_destroy(rep);

		nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
		nvlist_add_string(nvl, "cmd", "fds");
		nvlist_add_number(nvl, "fd", (uint64_t)hi[i]);
		CHECK((rep = cap_xfer_nvlist(keep, nvl)) != NULL);
		CHECK(nvlist_get_number(rep, "error") == 0);
		CHECK(nvlist_get_bool(rep, "open"));
		nvlist_destroy(rep);
	}
	/* The confined service still works. */
	CHECK(request(plain, "capmode", NULL, NULL, &rep) == 0);
	CHECK(nvlist_get_bool(rep, "capmode"));
	nvlist_destroy(rep);
	cap_close(plain);
	cap_close(keep);
	_exit(0);
}
BOTH(flags_clean_high, flags_clean_high)

/* ------------------------------------------------------------------ */
/* Lifetimes */

struct pids {
	pid_t	casper;
	pid_t	zygote;
	pid_t	service;
	pid_t	blocked;
};

/* The client: opens services, reports the pids, waits to be killed. */
static void
client(int wfd, bool block)
{
	cap_channel_t *cas, *svc, *svc2;
	struct pids p;
	nvlist_t *nvl;

	if ((cas = cap_init()) == NULL ||
	    casper_test_pids(cas, &p.casper, &p.zygote) != 0 ||
	    (svc = cap_service_open(cas, "test.echo")) == NULL ||
	    (svc2 = cap_service_open(cas, "test.echo")) == NULL)
		_exit(2);
	p.service = service_pid(svc);
	p.blocked = service_pid(svc2);
	if (block) {
		/* The second service blocks in a request for ever. */
		nvl = nvlist_create(0);
		nvlist_add_string(nvl, "cmd", "sleep");
		if (cap_send_nvlist(svc2, nvl) != 0)
			_exit(3);
		nvlist_destroy(nvl);
	}
	if (capmode)
		capmode_enter();
	if (write(wfd, &p, sizeof(p)) != sizeof(p))
		_exit(4);
	for (;;)
		pause();
}

static void
kill_client_check(bool block)
{
	struct pids p;
	pid_t pid;
	int fds[2], status;

	cr_assert(pipe(fds) == 0);
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		alarm(30);
		(void)close(fds[0]);
		client(fds[1], block);
	}
	(void)close(fds[1]);
	cr_assert(read(fds[0], &p, sizeof(p)) == sizeof(p),
	    "the client could not start");
	(void)close(fds[0]);
	cr_assert(p.casper > 0 && p.zygote > 0 && p.service > 0 &&
	    p.blocked > 0);
	cr_assert(p.service != p.blocked && p.service != p.zygote);
	cr_assert(!casper_test_gone(p.casper) && !casper_test_gone(p.zygote) &&
	    !casper_test_gone(p.service) && !casper_test_gone(p.blocked));
	if (block)
		usleep(50 * 1000);	/* let the service start sleeping */
	cr_assert(kill(pid, SIGKILL) == 0);
	cr_assert(waitpid(pid, &status, 0) == pid);
	cr_assert(casper_test_wait_gone(p.casper, 5000), "casper survived");
	cr_assert(casper_test_wait_gone(p.zygote, 5000), "zygote survived");
	cr_assert(casper_test_wait_gone(p.service, 5000), "service survived");
	cr_assert(casper_test_wait_gone(p.blocked, 5000),
	    "blocked service survived");
}

Test(lifetime, killed_client_leaves_nothing)
{
	capmode = 0;
	kill_client_check(false);
}

Test(lifetime, killed_client_in_capmode_leaves_nothing)
{
	capmode = 1;
	kill_client_check(false);
}

Test(lifetime, killed_client_ends_blocked_service)
{
	capmode = 0;
	kill_client_check(true);
}

Test(lifetime, killed_client_in_capmode_ends_blocked_service)
{
	capmode = 1;
	kill_client_check(true);
}

static void
services_outlive_casper(void *arg)
{
	cap_channel_t *cas, *svc;
	pid_t casper = 0, zygote = 0, spid;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK(casper_test_pids(cas, &casper, &zygote) == 0);
	CHECK((svc = cap_service_open(cas, "test.echo")) != NULL);
	CHECK((spid = service_pid(svc)) > 0);
	cap_close(cas);
	CHECK(casper_test_wait_gone(casper, 5000));
	CHECK(casper_test_wait_gone(zygote, 5000));
	maybe_enter();
	echo_works(svc, "orphan");
	/* The last connection closed: the service exits. */
	cap_close(svc);
	CHECK(casper_test_wait_gone(spid, 5000));
	_exit(0);
}
BOTH(services_outlive_casper, services_outlive_casper)

static void
unwrap_kills_casper(void *arg)
{
	cap_channel_t *cas;
	pid_t casper, zygote;
	int sock;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK(casper_test_pids(cas, &casper, &zygote) == 0);
	sock = cap_unwrap(cas, NULL);
	CHECK(casper_test_wait_gone(casper, 5000));
	CHECK(casper_test_wait_gone(zygote, 5000));
	(void)close(sock);
	_exit(0);
}

Test(lifetime, unwrap_closes_casper_procdesc)
{
	SANDBOXED(unwrap_kills_casper, NULL);
}

/* A dead service is a clean error, never a hang. */
static void
dead_service(void *arg)
{
	cap_channel_t *cas, *svc, *svc2;
	nvlist_t *nvl;
	pid_t spid, spid2, killer;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK((svc = cap_service_open(cas, "test.echo")) != NULL);
	CHECK((svc2 = cap_service_open(cas, "test.echo")) != NULL);
	cap_close(cas);
	CHECK((spid = service_pid(svc)) > 0);
	CHECK((spid2 = service_pid(svc2)) > 0);
	/* Killed between requests. */
	CHECK(kill(spid, SIGKILL) == 0);
	CHECK(casper_test_wait_gone(spid, 5000));
	/* Killed while we wait for a reply (from another process). */
	killer = fork();
	CHECK(killer >= 0);
	if (killer == 0) {
		usleep(100 * 1000);
		(void)kill(spid2, SIGKILL);
		_exit(0);
	}
	maybe_enter();
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "echo");
	nvlist_add_string(nvl, "value", "x");
	errno = 0;
	CHECK(cap_xfer_nvlist(svc, nvl) == NULL);
	CHECK(errno == ENOTCONN || errno == EPIPE || errno == ECONNRESET);
	CHECK(request(svc, "echo", "value", "x", NULL) == -1);
	CHECK(cap_limit_get(svc, &nvl) == -1 &&
	    (errno == EPIPE || errno == ECONNRESET));
	CHECK(cap_clone(svc) == NULL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "sleep");
	errno = 0;
	CHECK(cap_xfer_nvlist(svc2, nvl) == NULL);
	CHECK(errno == ENOTCONN || errno == ECONNRESET);
	cap_close(svc);
	cap_close(svc2);
	_exit(0);
}
BOTH(dead_service, dead_service)

/* A dead Casper: open fails cleanly. */
static void
dead_casper(void *arg)
{
	cap_channel_t *cas;
	pid_t casper, zygote;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK(casper_test_pids(cas, &casper, &zygote) == 0);
	CHECK(kill(casper, SIGKILL) == 0);
	CHECK(casper_test_wait_gone(casper, 5000));
	CHECK(casper_test_wait_gone(zygote, 5000));
	maybe_enter();
	CHECK(cap_service_open(cas, "test.echo") == NULL);
	CHECK(errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN);
	cap_close(cas);
	_exit(0);
}
BOTH(dead_casper, dead_casper)

/*
 * cap_init() belongs before cap_enter().  After it, Casper still starts
 * (pdfork works in capability mode) but every service inherits capability
 * mode and cannot prepare: a clean ECAPMODE, no hang, no crash.
 */
static void
init_in_capmode(void *arg)
{
	cap_channel_t *cas;

	(void)arg;
	capmode_enter();
	CHECK((cas = cap_init()) != NULL);
	CHECK(cap_service_open(cas, "system.random") == NULL);
	CHECK(errno == ECAPMODE);
	CHECK(cap_service_open(cas, "no.such") == NULL && errno == ENOENT);
	cap_close(cas);
	_exit(0);
}

Test(core, init_after_cap_enter_fails_cleanly)
{
	SANDBOXED(init_in_capmode, NULL);
}

/* ------------------------------------------------------------------ */
/* The service sandbox */

Test(sandbox, registry)
{
	const struct casper_sandbox *sb;

	sb = casper_sandbox_of("test.echo");
	cr_assert(sb != NULL && sb->sb_flags == CASPER_SANDBOX_CAPMODE);
	cr_assert(casper_sandbox_of("test.landlock") == &landlock_sb);
	cr_assert(casper_sandbox_of("no.such") == NULL && errno == ENOENT);
	cr_assert(service_sandbox("test.landlock", &landlock_sb) == -1 &&
	    errno == EEXIST);
	cr_assert(service_sandbox(NULL, &landlock_sb) == -1 &&
	    errno == EINVAL);
	cr_assert(service_sandbox("x", NULL) == -1 && errno == EINVAL);
	{
		static const struct casper_sandbox bad = { .sb_flags = 0x100 };

		cr_assert(service_sandbox("x", &bad) == -1 &&
		    errno == EINVAL);
	}
	cr_assert(casper_sandbox_enter(NULL) == -1 && errno == EINVAL);
	cr_assert(casper_service_confine("no.such") == ENOENT);
	cr_assert(casper_service_confine("test.failprep") == EDOM);
}

Test(sandbox, register_errors)
{
	cr_assert(service_register(NULL, NULL, echo_command, 0) == NULL &&
	    errno == EINVAL);
	cr_assert(service_register("", NULL, echo_command, 0) == NULL &&
	    errno == EINVAL);
	cr_assert(service_register("x.y", NULL, NULL, 0) == NULL &&
	    errno == EINVAL);
	cr_assert(service_register("x.y", NULL, echo_command, 0x80) == NULL &&
	    errno == EINVAL);
	cr_assert(service_register("test.echo", NULL, echo_command, 0) ==
	    NULL && errno == EEXIST);
	cr_assert(service_register(CASPER_CORE_NAME, NULL, echo_command, 0) ==
	    NULL && errno == EINVAL);
}

static void
services_are_confined(void *arg)
{
	cap_channel_t *cas, *echo, *ll;
	nvlist_t *rep;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK((echo = cap_service_open(cas, "test.echo")) != NULL);
	CHECK((ll = cap_service_open(cas, "test.landlock")) != NULL);
	cap_close(cas);
	maybe_enter();
	/* The default sandbox is capability mode. */
	CHECK(request(echo, "capmode", NULL, NULL, &rep) == 0);
	CHECK(nvlist_get_bool(rep, "capmode"));
	nvlist_destroy(rep);
	CHECK(request(echo, "open", "path", "/etc/protocols", NULL) ==
	    ECAPMODE);
	/* Landlock: sb_read only. */
	CHECK(request(ll, "open", "path", "/etc/protocols", NULL) == 0);
	CHECK(request(ll, "open", "path", "/etc/passwd", NULL) == EACCES);
	CHECK(request(ll, "open", "path", "/tmp", NULL) == EACCES);
	cap_close(echo);
	cap_close(ll);
	_exit(0);
}
BOTH(services_are_confined, services_are_confined)

/* Escapes tried with raw system calls from inside a service sandbox. */
static int
escapes_common(void)
{
	char *argv[] = { "/bin/true", NULL };
	struct clone_args ca;
	int sv[2];

	CHECK_ERR(raw(SYS_execve, "/bin/true", argv, NULL), EPERM);
	CHECK_ERR(raw(SYS_execveat, AT_FDCWD, "/bin/true", argv, NULL, 0),
	    EPERM);
	CHECK_ERR(raw(SYS_ptrace, 16 /* PTRACE_ATTACH */, getppid(), 0, 0),
	    EPERM);
	CHECK_ERR(raw(SYS_unshare, CLONE_NEWUSER), EPERM);
	CHECK_ERR(raw(SYS_setns, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0), EPERM);
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	CHECK_ERR(raw(SYS_clone3, &ca, sizeof(ca)), ENOSYS);
	CHECK_ERR(raw(SYS_mount, "none", "/tmp", "tmpfs", 0, 0), EPERM);
	CHECK_ERR(raw(SYS_bpf, 0, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_perf_event_open, 0, 0, -1, -1, 0), EPERM);
	CHECK_ERR(raw(SYS_keyctl, 0, 0, 0, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_add_key, "user", "x", "y", 1, -1), EPERM);
	CHECK_ERR(raw(SYS_io_uring_setup, 4, 0), EPERM);
	CHECK_ERR(raw(SYS_finit_module, -1, "", 0), EPERM);
	CHECK_ERR(raw(SYS_kexec_load, 0, 0, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_reboot, 0, 0, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_swapon, "/x", 0), EPERM);
	CHECK_ERR(raw(SYS_pidfd_open, getppid(), 0), EPERM);
	CHECK_ERR(raw(SYS_pidfd_getfd, 0, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_open_by_handle_at, AT_FDCWD, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_process_vm_readv, getppid(), 0, 0, 0, 0, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_NETLINK, SOCK_RAW, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_PACKET, SOCK_RAW, 0), EPERM);
	/* socketpair stays: clone needs it. */
	CHECK_OK(raw(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv));
	/* Landlock: paths outside sb_read; writes. */
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/protocols", O_WRONLY),
	    EACCES);
	CHECK_OK(raw(SYS_openat, AT_FDCWD, "/etc/protocols", O_RDONLY));
	CHECK_ERR(raw(SYS_mkdirat, AT_FDCWD, "/tmp/casper-escape", 0700),
	    EACCES);
	/* Signals outside the domain (Landlock scope). */
	CHECK_ERR(raw(SYS_kill, getppid(), 0), EPERM);
	return (0);
}

static int
escapes_landlock(void)
{

	escapes_common();
	/* No network at all. */
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_DGRAM, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET6, SOCK_STREAM, 0), EPERM);
	return (0);
}

static int
escapes_dns(void)
{
	struct sockaddr_in sin;
	int s;

	escapes_common();
	CHECK_OK(s = (int)raw(SYS_socket, AF_INET, SOCK_DGRAM, 0));
	(void)close(s);
	CHECK_OK(s = (int)raw(SYS_socket, AF_INET6, SOCK_STREAM |
	    SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP));
	(void)close(s);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_ICMP), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_STREAM, 262 /* MPTCP */),
	    EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_STREAM, 132 /* SCTP */),
	    EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_SEQPACKET, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET | (1L << 32), SOCK_DGRAM, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_DGRAM | (1L << 40), 0), EPERM);
	/* TCP: port 53 only (Landlock). */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(80);
	CHECK_OK(s = (int)raw(SYS_socket, AF_INET, SOCK_STREAM, 0));
	CHECK_ERR(raw(SYS_connect, s, &sin, sizeof(sin)), EACCES);
	CHECK_ERR(raw(SYS_bind, s, &sin, sizeof(sin)), EACCES);
	sin.sin_port = htons(53);
	/* Allowed by the sandbox: refused or accepted by the network. */
	long r = raw(SYS_connect, s, &sin, sizeof(sin));
	CHECK(r == 0 || r == -ECONNREFUSED);
	(void)close(s);
	return (0);
}

static int
escapes_deferred(void)
{

	struct sockaddr_un sun;
	char path[64];
	long abi, fd;
	int sv[2];

	/* The baseline: seccomp, scopes and no file rules yet... */
	CHECK_ERR(raw(SYS_execve, "/bin/true", NULL, NULL), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0), EPERM);
	CHECK_ERR(raw(SYS_kill, getppid(), 0), EPERM);
	CHECK_OK(fd = raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY));
	raw(SYS_close, fd);
	snprintf(path, sizeof(path), "/tmp/casper-deferred.%d", (int)getpid());
	CHECK_OK(fd = raw(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT |
	    O_EXCL, 0600));
	raw(SYS_close, fd);
	CHECK_OK(raw(SYS_unlinkat, AT_FDCWD, path, 0));
	/*
	 * ...but what no full sandbox grants is refused already: device
	 * nodes (even as root), socket files, device ioctls (ABI 5).
	 */
	CHECK_ERR(raw(SYS_mknodat, AT_FDCWD, path, S_IFCHR | 0600,
	    makedev(1, 3)), EACCES);
	CHECK_ERR(raw(SYS_mknodat, AT_FDCWD, path, S_IFBLK | 0600,
	    makedev(7, 0)), EACCES);
	CHECK_OK(raw(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	CHECK_ERR(raw(SYS_bind, sv[0], &sun, sizeof(sun)), EACCES);
	abi = raw(SYS_landlock_create_ruleset, NULL, 0, 1);
	if (abi >= 5) {
		CHECK_OK(fd = raw(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY));
		CHECK_ERR(raw(SYS_ioctl, fd, TCGETS, &(struct termios){ 0 }),
		    EACCES);
		raw(SYS_close, fd);
	}
	CHECK_ERR(raw(SYS_faccessat, AT_FDCWD, path, F_OK), ENOENT);
	/* The service narrows itself later. */
	CHECK(casper_sandbox_enter(&deferred_sb) == 0);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY), EACCES);
	CHECK_OK(raw(SYS_openat, AT_FDCWD, "/etc/protocols", O_RDONLY));
	return (0);
}

static int
foreign_x32(void)
{

	/* An x32 system call (bit 30): the process is killed. */
	(void)raw(0x40000000 | 39 /* getpid */);
	return (10);
}

static int
foreign_ia32(void)
{

	(void)raw_ia32(20 /* getpid */, 0, 0, 0);
	return (10);
}

static int
capmode_escape(void)
{

	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/protocols", O_RDONLY),
	    ECAPMODE);
	return (0);
}

Test(sandbox, escapes_from_landlock_service)
{
	cr_assert_eq(casper_test_in_sandbox("test.landlock",
	    escapes_landlock), 0);
}

Test(sandbox, escapes_from_dns_service)
{
	cr_assert_eq(casper_test_in_sandbox("test.dns", escapes_dns), 0);
}

Test(sandbox, deferred_service_baseline_then_narrowed)
{
	cr_assert_eq(casper_test_in_sandbox("test.deferred",
	    escapes_deferred), 0);
}

Test(sandbox, foreign_architectures_killed)
{
	cr_assert_eq(casper_test_in_sandbox("test.landlock", foreign_x32),
	    128 + SIGSYS);
	cr_assert_eq(casper_test_in_sandbox("test.landlock", foreign_ia32),
	    128 + SIGSYS);
}

Test(sandbox, default_is_capability_mode)
{
	cr_assert_eq(casper_test_in_sandbox("test.echo", capmode_escape), 0);
}

/* The seccomp mode of a process, from /proc (2: filtered). */
static int
seccomp_mode(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	int mode;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	mode = -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return (mode);
}

Test(sandbox, casper_and_services_are_confined_zygote_is_not)
{
	cap_channel_t *cas, *svc;
	pid_t casper = 0, zygote = 0, spid;

	cr_assert((cas = cap_init()) != NULL);
	cr_assert(casper_test_pids(cas, &casper, &zygote) == 0);
	cr_assert((svc = cap_service_open(cas, "test.landlock")) != NULL);
	spid = service_pid(svc);
	/* Casper enters capability mode once the zygote is forked. */
	cr_assert_eq(seccomp_mode(casper), 2);
	cr_assert_eq(seccomp_mode(spid), 2);
	/* The zygote must stay unconfined: services build their own. */
	cr_assert_eq(seccomp_mode(zygote), 0);
	cap_close(svc);
	cap_close(cas);
}

/*
 * The zygote is unconfined, so it parses nothing: a request is one 32-bit
 * service index.  Anything else gets an error and no process; a valid
 * index gets a channel to a new service.
 */
static int
zygote_ask(int sock, const void *req, size_t len, int *chanfd)
{
	nvlist_t *rep;
	int error;

	cr_assert_eq(send(sock, req, len, 0), (ssize_t)len);
	cr_assert((rep = nvlist_recv(sock, 0)) != NULL);
	error = (int)dnvlist_get_number(rep, "error", EPROTO);
	*chanfd = nvlist_exists_descriptor(rep, "chanfd") ?
	    nvlist_take_descriptor(rep, "chanfd") : -1;
	nvlist_destroy(rep);
	return (error);
}

Test(sandbox, zygote_takes_only_a_service_index)
{
	const struct casper_service *echo;
	uint32_t idx, two[2] = { 0, 0 };
	nvlist_t *nvl, *status;
	size_t len;
	void *packed;
	int sv[2], fd, status_code;
	pid_t pid;

	cr_assert((echo = casper_service_find("test.echo")) != NULL);
	cr_assert(casper_service_index(echo) >= 0);
	cr_assert_eq(casper_service_at((uint32_t)casper_service_index(echo)),
	    echo);
	cr_assert_null(casper_service_at(100000));
	cr_assert_eq(casper_service_index(NULL), -1);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	cr_assert((pid = fork()) >= 0);
	if (pid == 0) {
		close(sv[0]);
		casper_zygote_main(sv[1]);
	}
	close(sv[1]);
	/* The old request, an nvlist naming the service: refused. */
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "service", "test.echo");
	cr_assert((packed = nvlist_pack(nvl, &len)) != NULL);
	nvlist_destroy(nvl);
	cr_assert_eq(zygote_ask(sv[0], packed, len, &fd), EINVAL);
	cr_assert_eq(fd, -1);
	free(packed);
	cr_assert_eq(zygote_ask(sv[0], "abc", 3, &fd), EINVAL);
	cr_assert_eq(zygote_ask(sv[0], two, sizeof(two), &fd), EINVAL);
	idx = 100000;
	cr_assert_eq(zygote_ask(sv[0], &idx, sizeof(idx), &fd), ENOENT);
	cr_assert_eq(fd, -1);
	/* The right index: a service that reports its sandbox entered. */
	idx = (uint32_t)casper_service_index(echo);
	cr_assert_eq(zygote_ask(sv[0], &idx, sizeof(idx), &fd), 0);
	cr_assert(fd >= 0);
	cr_assert((status = nvlist_recv(fd, 0)) != NULL);
	cr_assert_eq(dnvlist_get_number(status, "error", EPROTO), 0);
	nvlist_destroy(status);
	close(fd);
	/* End of file ends it, cleanly. */
	close(sv[0]);
	cr_assert_eq(waitpid(pid, &status_code, 0), pid);
	cr_assert(WIFEXITED(status_code) && WEXITSTATUS(status_code) == 0);
}

/* A sandbox attached before its service registers still applies. */
Test(sandbox, attach_before_register)
{
	static const struct casper_sandbox late_sb = { .sb_read = ll_read };

	cr_assert(casper_sandbox_of("test.late") == NULL && errno == ENOENT);
	cr_assert_eq(service_sandbox("test.late", &late_sb), 0);
	cr_assert(casper_sandbox_of("test.late") == NULL);
	cr_assert(service_register("test.late", NULL, echo_command, 0) !=
	    NULL);
	cr_assert(casper_sandbox_of("test.late") == &late_sb);
}
