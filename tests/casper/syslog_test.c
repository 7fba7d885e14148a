/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.syslog from capability mode, received by a test listener: a
 * datagram socket bound in a private directory, named to the service by
 * CASPER_SYSLOG_PATH before cap_init().  Checks priority and facility,
 * ident, LOG_PID (the caller's pid), LOG_PERROR, %m, setlogmask
 * filtering, closelog, hostile requests, and that the service runs in
 * capability mode.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/time.h>

#include "harness.h"
#include "casper/casper_test.h"

#include <sys/capsicum.h>
#include <libcasper.h>
#include <casper/cap_syslog.h>

struct listener {
	char	dir[4096];
	int	fd;
};

static void
listen_log(struct listener *l)
{
	struct sockaddr_un sun;
	struct timeval tv = { 5, 0 };
	char *dir;

	CHECK((dir = test_tmpdir()) != NULL);
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log", dir);
	CHECK((l->fd = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	CHECK(bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	CHECK(setsockopt(l->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == 0);
	CHECK(setenv(CAP_SYSLOG_PATH_ENV, sun.sun_path, 1) == 0);
}

/*
 * Once the service has connected, the socket's name can go (the
 * connection stays): nothing is left in /tmp, and the service is seen
 * not to need the path again.
 */
static void
listen_unlink(struct listener *l)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/log", l->dir);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(l->dir) == 0);
}

/* The next line, without "<pri>timestamp "; returns pri or -1. */
static int
next_line(struct listener *l, char *buf, size_t size)
{
	char raw_[9000], *p;
	ssize_t n;
	int pri;

	n = recv(l->fd, raw_, sizeof(raw_) - 1, 0);
	if (n <= 0)
		return (-1);
	raw_[n] = '\0';
	if (sscanf(raw_, "<%d>", &pri) != 1 || (p = strchr(raw_, '>')) == NULL)
		return (-1);
	/* "Mmm dd hh:mm:ss " is 16 bytes. */
	if (strlen(p + 1) < 16 || p[4] != ' ' || p[10] != ':' || p[16] != ' ')
		return (-1);
	snprintf(buf, size, "%s", p + 17);
	return (pri);
}

static cap_channel_t *
open_syslog(void)
{
	cap_channel_t *cas, *chan;

	CHECK((cas = cap_init()) != NULL);
	CHECK((chan = cap_service_open(cas, "system.syslog")) != NULL);
	cap_close(cas);
	return (chan);
}

static void
messages(void *arg)
{
	struct listener l;
	cap_channel_t *chan;
	char line[9000], want[256], big[10000];

	(void)arg;
	listen_log(&l);
	chan = open_syslog();
	listen_unlink(&l);
	capmode_enter();
	/* Defaults: LOG_USER, the program's name, no pid. */
	cap_syslog(chan, LOG_NOTICE, "hello %d", 42);
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_USER | LOG_NOTICE));
	snprintf(want, sizeof(want), "%s: hello 42",
	    program_invocation_short_name);
	CHECK(strcmp(line, want) == 0);
	/* A facility in the priority wins. */
	cap_syslog(chan, LOG_DAEMON | LOG_ERR, "daemon");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_DAEMON | LOG_ERR));
	/* openlog: ident, pid (ours), default facility. */
	cap_openlog(chan, "casper-test", LOG_PID | LOG_NDELAY, LOG_LOCAL3);
	cap_syslog(chan, LOG_INFO, "with pid");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_LOCAL3 | LOG_INFO));
	snprintf(want, sizeof(want), "casper-test[%d]: with pid",
	    (int)getpid());
	CHECK(strcmp(line, want) == 0);
	/* %m is the caller's errno. */
	errno = ENOENT;
	cap_syslog(chan, LOG_WARNING, "err: %m");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_LOCAL3 | LOG_WARNING));
	snprintf(want, sizeof(want), "casper-test[%d]: err: %s",
	    (int)getpid(), strerror(ENOENT));
	CHECK(strcmp(line, want) == 0);
	/* setlogmask: returns the old mask, filters, 0 leaves it. */
	CHECK(cap_setlogmask(chan, LOG_UPTO(LOG_WARNING)) == 0xff);
	CHECK(cap_setlogmask(chan, 0) == LOG_UPTO(LOG_WARNING));
	cap_syslog(chan, LOG_INFO, "filtered");
	cap_syslog(chan, LOG_DEBUG, "filtered too");
	cap_syslog(chan, LOG_ERR, "passes");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_LOCAL3 | LOG_ERR));
	CHECK(strstr(line, ": passes") != NULL);
	CHECK(cap_setlogmask(chan, LOG_MASK(LOG_DEBUG)) ==
	    LOG_UPTO(LOG_WARNING));
	cap_syslog(chan, LOG_ERR, "filtered");
	cap_syslog(chan, LOG_DEBUG, "debug");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_LOCAL3 | LOG_DEBUG));
	CHECK(strstr(line, ": debug") != NULL);
	CHECK(cap_setlogmask(chan, 0xff) == LOG_MASK(LOG_DEBUG));
	/* closelog: back to the defaults, and the socket still works. */
	cap_closelog(chan);
	cap_syslog(chan, LOG_ALERT, "after close");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_USER | LOG_ALERT));
	snprintf(want, sizeof(want), "%s: after close",
	    program_invocation_short_name);
	CHECK(strcmp(line, want) == 0);
	/* A NULL ident keeps the program's name; a bad facility is ignored. */
	cap_openlog(chan, NULL, 0, 0x7fff);
	cap_syslog(chan, LOG_CRIT, "x");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_USER | LOG_CRIT));
	/* Bits outside facility and level are dropped. */
	cap_syslog(chan, 0x10000 | LOG_KERN | LOG_EMERG, "y");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_USER | LOG_EMERG));
	/* Long messages are cut, not lost. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cap_syslog(chan, LOG_INFO, "%s", big);
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_USER | LOG_INFO));
	CHECK(strlen(line) > 8000 && strlen(line) < 8300);
	cap_syslog(chan, LOG_INFO, NULL);
	cap_close(chan);
	_exit(0);
}

Test(syslog, messages_from_capability_mode)
{
	SANDBOXED(messages, NULL);
}

static void
perror_opt(void *arg)
{
	struct listener l;
	cap_channel_t *chan;
	char line[512], err[512];
	ssize_t n;
	int p[2];

	(void)arg;
	listen_log(&l);
	CHECK(pipe(p) == 0);
	CHECK(dup2(p[1], STDERR_FILENO) == STDERR_FILENO);
	chan = open_syslog();
	listen_unlink(&l);
	capmode_enter();
	cap_openlog(chan, "perr", LOG_PERROR, LOG_USER);
	cap_syslog(chan, LOG_ERR, "to both");
	CHECK(next_line(&l, line, sizeof(line)) == (LOG_USER | LOG_ERR));
	CHECK(strcmp(line, "perr: to both") == 0);
	CHECK((n = read(p[0], err, sizeof(err) - 1)) > 0);
	err[n] = '\0';
	CHECK(strcmp(err, "perr: to both\n") == 0);
	cap_close(chan);
	_exit(0);
}

Test(syslog, log_perror_writes_stderr)
{
	SANDBOXED(perror_opt, NULL);
}

static void
no_log_socket(void *arg)
{
	cap_channel_t *chan;

	(void)arg;
	/* Nobody listening: messages are dropped, nothing fails. */
	CHECK(setenv(CAP_SYSLOG_PATH_ENV, "/nonexistent/casper-log", 1) == 0);
	chan = open_syslog();
	capmode_enter();
	cap_syslog(chan, LOG_ERR, "lost");
	CHECK(cap_setlogmask(chan, LOG_UPTO(LOG_ERR)) == 0xff);
	cap_close(chan);
	_exit(0);
}

Test(syslog, missing_log_socket)
{
	SANDBOXED(no_log_socket, NULL);
}

static uint64_t
xfer_error(cap_channel_t *chan, nvlist_t *nvl)
{
	uint64_t e;

	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	e = nvlist_get_number(nvl, "error");
	nvlist_destroy(nvl);
	return (e);
}

static void
hostile(void *arg)
{
	struct listener l;
	cap_channel_t *chan;
	nvlist_t *nvl;
	char line[512];

	(void)arg;
	listen_log(&l);
	chan = open_syslog();
	listen_unlink(&l);
	capmode_enter();
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "vsyslog");
	nvlist_add_string(nvl, "priority", "3");
	nvlist_add_string(nvl, "message", "m");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "vsyslog");
	nvlist_add_number(nvl, "priority", 3);
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "openlog");
	nvlist_add_number(nvl, "ident", 1);
	nvlist_add_number(nvl, "logopt", 0);
	nvlist_add_number(nvl, "facility", 0);
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "openlog");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "setlogmask");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "reboot");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	/* A huge pid and priority are tolerated. */
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "vsyslog");
	nvlist_add_number(nvl, "priority", UINT64_MAX);
	nvlist_add_number(nvl, "pid", UINT64_MAX);
	nvlist_add_string(nvl, "message", "odd");
	CHECK(xfer_error(chan, nvl) == 0);
	CHECK(next_line(&l, line, sizeof(line)) >= 0);
	CHECK(strstr(line, ": odd") != NULL);
	/* No limits. */
	CHECK_LIBC_ERR(cap_limit_set(chan, nvlist_create(0)), EOPNOTSUPP);
	cap_close(chan);
	_exit(0);
}

Test(syslog, hostile_requests)
{
	SANDBOXED(hostile, NULL);
}

static int
in_sandbox(void)
{
	struct sockaddr_un sun;
	int s;

	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/tmp/casper-syslog-escape",
	    O_WRONLY | O_CREAT, 0600), ECAPMODE);
	/* No new connection to any path (a local socket is allowed). */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/dev/log");
	if ((s = (int)raw(SYS_socket, AF_UNIX, SOCK_DGRAM, 0)) >= 0)
		CHECK_ERR(raw(SYS_connect, s, &sun, sizeof(sun)), ECAPMODE);
	CHECK_ERR(raw(SYS_execve, "/bin/true", NULL, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_kill, getppid(), 0), ECAPMODE);
	return (0);
}

Test(syslog, sandbox_is_capability_mode)
{
	cr_assert(casper_sandbox_of("system.syslog") != NULL);
	cr_assert(casper_sandbox_of("system.syslog")->sb_flags ==
	    CASPER_SANDBOX_CAPMODE);
	cr_assert_eq(casper_test_in_sandbox("system.syslog", in_sandbox), 0);
}
