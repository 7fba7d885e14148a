/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ECAPMODE and ENOTCAPABLE have real messages in strerror(3), perror(3),
 * err(3)/warn(3) and error(3); other errnos keep glibc's text.
 */
#include <err.h>
#include <error.h>
#include <locale.h>

#include <sys/capsicum.h>

#include "harness.h"

/* The messages are plain C strings defined in libcapsicum. */
void	warnc(int, const char *, ...);
void	errc(int, int, const char *, ...);
int	__xpg_strerror_r(int, char *, size_t);

Test(strerror, capsicum_errnos)
{

	cr_assert_str_eq(strerror(ECAPMODE), "Not permitted in capability mode");
	cr_assert_str_eq(strerror(ENOTCAPABLE), "Capabilities insufficient");
	cr_assert_str_eq(strerror(ENOENT), "No such file or directory");
	cr_assert_str_eq(strerror(4000), "Unknown error 4000");
}

Test(strerror_r, gnu_form)
{
	char buf[8];

	cr_assert_str_eq(strerror_r(ECAPMODE, buf, sizeof(buf)),
	    "Not permitted in capability mode");
	cr_assert_str_eq(strerror_r(EPERM, buf, sizeof(buf)),
	    "Operation not permitted");
	/* Unknown numbers are formatted into the (truncating) buffer. */
	cr_assert_eq(strerror_r(4000, buf, sizeof(buf)), buf);
	cr_assert_str_eq(buf, "Unknown");
}

Test(strerror_r, posix_form)
{
	char buf[64], small[4];

	cr_assert_eq(__xpg_strerror_r(ENOTCAPABLE, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "Capabilities insufficient");
	cr_assert_eq(__xpg_strerror_r(ENOTCAPABLE, small, sizeof(small)),
	    ERANGE);
	cr_assert_str_eq(small, "Cap");
	cr_assert_eq(__xpg_strerror_r(4000, buf, sizeof(buf)), EINVAL);
	cr_assert_str_eq(buf, "Unknown error 4000");
}

Test(strerror_l, capsicum_errnos)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);

	cr_assert_neq(c, (locale_t)0);
	cr_assert_str_eq(strerror_l(ECAPMODE, c),
	    "Not permitted in capability mode");
	cr_assert_str_eq(strerror_l(EACCES, c), "Permission denied");
	freelocale(c);
}

/* Run fn with stderr captured; compare what it printed. */
static void
expect_stderr(void (*fn)(void), const char *want, int want_status)
{
	char buf[512];
	int p[2], st;
	ssize_t n, got;
	pid_t pid;

	cr_assert_eq(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		fn();
		fflush(stderr);
		_exit(0);
	}
	close(p[1]);
	got = 0;
	while ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(p[0]);
	/* exit() runs LeakSanitizer, which may add "==pid==" lines. */
	char *l;
	while ((l = strstr(buf, "==")) != NULL && (l == buf || l[-1] == '\n'))
		*l = '\0';
	waitpid(pid, &st, 0);
	SKIP_IF_SKIPPED(st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == want_status,
	    "status %#x", st);
	cr_assert_str_eq(buf, want);
}

static void
do_perror(void)
{

	errno = ENOTCAPABLE;
	perror("write");
	errno = ECAPMODE;
	perror(NULL);
	errno = ECAPMODE;
	perror("");
}

Test(perror, capsicum_errnos)
{

	expect_stderr(do_perror, "write: Capabilities insufficient\n"
	    "Not permitted in capability mode\n"
	    "Not permitted in capability mode\n", 0);
}

static void
do_warn(void)
{

	program_invocation_short_name = "prog";
	errno = ECAPMODE;
	warn("open %s", "/etc");
	errno = ENOTCAPABLE;
	warn(NULL);
	warnc(ENOTCAPABLE, "fd %d", 3);
	warnx("plain %d", 1);
	errno = EBADF;
	warn("bad");
}

Test(warn, capsicum_errnos)
{

	expect_stderr(do_warn,
	    "prog: open /etc: Not permitted in capability mode\n"
	    "prog: Capabilities insufficient\n"
	    "prog: fd 3: Capabilities insufficient\n"
	    "prog: plain 1\n"
	    "prog: bad: Bad file descriptor\n", 0);
}

static void
do_err(void)
{

	program_invocation_short_name = "prog";
	errno = ENOTCAPABLE;
	err(3, "write");
}

Test(err, capsicum_errnos_and_status)
{

	expect_stderr(do_err, "prog: write: Capabilities insufficient\n", 3);
}

static void
do_errc(void)
{

	program_invocation_short_name = "prog";
	errc(4, ECAPMODE, "%s", "bind");
}

Test(errc, capsicum_errnos_and_status)
{

	expect_stderr(do_errc, "prog: bind: Not permitted in capability mode\n",
	    4);
}

static void
do_error(void)
{

	program_invocation_name = "prog";
	error(0, ENOTCAPABLE, "read %d", 7);
	error_at_line(0, ECAPMODE, "f.c", 12, "open");
	error(0, 0, "no errno");
	error(5, ECAPMODE, "fatal");
}

Test(error, capsicum_errnos)
{

	expect_stderr(do_error, "prog: read 7: Capabilities insufficient\n"
	    "prog:f.c:12: open: Not permitted in capability mode\n"
	    "prog: no errno\n"
	    "prog: fatal: Not permitted in capability mode\n", 5);
}

/* The messages work in capability mode, where no file may be opened. */
static void
in_capmode(void)
{

	program_invocation_short_name = "prog";
	SKIP_UNDER_VALGRIND();
	if (cap_enter() != 0)
		_exit(9);
	errno = 0;
	if (write(-1, "", 0) < 0)
		warn("write");
	if (raw(SYS_open, "/", 0) == -ECAPMODE) {
		errno = ECAPMODE;
		warn("open");
	}
}

Test(warn, in_capability_mode)
{

	expect_stderr(in_capmode, "prog: write: Bad file descriptor\n"
	    "prog: open: Not permitted in capability mode\n", 0);
}
