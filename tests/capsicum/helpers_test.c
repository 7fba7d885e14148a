/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capsicum_helpers.h: FreeBSD's caph_* behaviour, with Linux's stream
 * ioctls, and glibc's lazily loaded state cached before capability mode.
 */
#include <sys/ioctl.h>
#include <time.h>

#include <capsicum_helpers.h>

#include "harness.h"

static void
assert_stream_rights(int fd, int flags)
{
	cap_rights_t want, got;
	cap_ioctl_t cmds[8];
	uint32_t fcntls;

	caph_stream_rights(&want, flags);
	cr_assert_eq(cap_rights_get(fd, &got), 0);
	cr_assert(cap_rights_contains(&want, &got) &&
	    cap_rights_contains(&got, &want), "fd %d rights", fd);
	cr_assert_eq(cap_ioctls_get(fd, cmds, 8), 3);
	cr_assert_eq(cap_fcntls_get(fd, &fcntls), 0);
	cr_assert_eq(fcntls, CAP_FCNTL_GETFL);
}

Test(caph_stream_rights, freebsd_set)
{
	cap_rights_t r;

	caph_stream_rights(&r, CAPH_READ);
	cr_assert(cap_rights_is_set(&r, CAP_EVENT, CAP_FCNTL, CAP_FSTAT,
	    CAP_IOCTL, CAP_SEEK, CAP_READ));
	cr_assert_not(cap_rights_is_set(&r, CAP_WRITE));
	cr_assert_not(cap_rights_is_set(&r, CAP_LOOKUP));
	caph_stream_rights(&r, CAPH_WRITE | CAPH_LOOKUP);
	cr_assert(cap_rights_is_set(&r, CAP_WRITE, CAP_LOOKUP));
	cr_assert_not(cap_rights_is_set(&r, CAP_READ));
	cr_assert_eq(caph_stream_fcntls, CAP_FCNTL_GETFL);
	cr_assert_eq(caph_stream_cmds[0], TCGETS);
	cr_assert_eq(caph_stream_cmds[1], TIOCGWINSZ);
	cr_assert_eq(caph_stream_cmds[2], FIONREAD);
}

Test(caph_limit_stdio, limits_all_three)
{
	int saved[3], i, fd;

	fd = open("/dev/null", O_RDWR);
	for (i = 0; i < 3; i++) {
		saved[i] = dup(i);
		dup2(fd, i);
	}
	cr_assert_eq(caph_limit_stdio(), 0);
	assert_stream_rights(0, CAPH_READ);
	assert_stream_rights(1, CAPH_WRITE);
	assert_stream_rights(2, CAPH_WRITE);
	for (i = 0; i < 3; i++) {
		dup2(saved[i], i);
		close(saved[i]);
	}
	close(fd);
}

Test(caph_limit_stdin, stdout_and_stderr)
{
	int saved[3], i, fd;

	fd = open("/dev/null", O_RDWR);
	for (i = 0; i < 3; i++) {
		saved[i] = dup(i);
		dup2(fd, i);
	}
	cr_assert_eq(caph_limit_stdin(), 0);
	cr_assert_eq(caph_limit_stdout(), 0);
	cr_assert_eq(caph_limit_stderr(), 0);
	assert_stream_rights(0, CAPH_READ);
	assert_stream_rights(1, CAPH_WRITE);
	assert_stream_rights(2, CAPH_WRITE);
	for (i = 0; i < 3; i++) {
		dup2(saved[i], i);
		close(saved[i]);
	}
	close(fd);
}

Test(caph_limit_stream, ebadf_handling)
{

	cr_assert_eq(caph_limit_stream(900, CAPH_READ), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(caph_limit_stream(900, CAPH_READ | CAPH_IGNORE_EBADF), 0);
}

static void
stdio_closed_is_fine(void *arg)
{

	close(0);
	close(1);
	close(2);
	CHECK(caph_limit_stdio() == 0);
	CHECK(caph_limit_stdin() == -1 && errno == EBADF);
}

Test(caph_limit_stdio, closed_descriptors_are_ignored)
{
	SANDBOXED(stdio_closed_is_fine, NULL);
}

Test(caph_rights_limit, wrappers)
{
	cap_rights_t r, got;
	cap_ioctl_t cmd = FIONREAD;
	uint32_t f;
	int fd = open("/dev/null", O_RDONLY);

	cap_rights_init(&r, CAP_READ, CAP_IOCTL, CAP_FCNTL);
	cr_assert_eq(caph_rights_limit(fd, &r), 0);
	cr_assert_eq(cap_rights_get(fd, &got), 0);
	cr_assert(cap_rights_contains(&r, &got));
	cr_assert_eq(caph_ioctls_limit(fd, &cmd, 1), 0);
	cr_assert_eq(cap_ioctls_get(fd, NULL, 0), 1);
	cr_assert_eq(caph_fcntls_limit(fd, CAP_FCNTL_GETFL), 0);
	cr_assert_eq(cap_fcntls_get(fd, &f), 0);
	cr_assert_eq(f, CAP_FCNTL_GETFL);
	/* Errors other than ENOSYS pass through. */
	cap_rights_init(&r, CAP_READ, CAP_WRITE);
	cr_assert_eq(caph_rights_limit(fd, &r), -1);
	cr_assert_eq(errno, ENOTCAPABLE);
	cr_assert_eq(caph_fcntls_limit(fd, CAP_FCNTL_ALL), -1);
	cr_assert_eq(errno, ENOTCAPABLE);
	cmd = TCGETS;
	cr_assert_eq(caph_ioctls_limit(fd, &cmd, 1), -1);
	cr_assert_eq(errno, ENOTCAPABLE);
	close(fd);
}

static void
enter_helpers(void *arg)
{

	SKIP_UNDER_VALGRIND();
	CHECK(!cap_sandboxed());
	CHECK(caph_enter() == 0);
	CHECK(cap_sandboxed());
	capmode_enter();
}

/* With Casper (libcasper.h without WITHOUT_CASPER), caph_enter_casper
 * enters capability mode; tests/casper covers the fallback build. */
static void
enter_casper(void *arg)
{

	SKIP_UNDER_VALGRIND();
	CHECK(CASPER_SUPPORT == 1);
	CHECK(!cap_sandboxed());
	CHECK(caph_enter_casper() == 0);
	CHECK(cap_sandboxed());
	capmode_enter();
}

Test(caph_enter, enter_casper_enters_with_casper)
{
	SANDBOXED(enter_casper, NULL);
}

Test(caph_enter, enters_capability_mode)
{
	SANDBOXED(enter_helpers, NULL);
}

/*
 * localtime() in capability mode after caph_cache_tzdata(): glibc would
 * otherwise try to re-read the zone file and fall back to UTC.
 */
static void
tzdata_cached(void *arg)
{
	const char *zone = arg;
	time_t t = 1751371200;	/* 2025-07-01 12:00:00 UTC */
	struct tm tm;

	setenv("TZ", zone, 1);
	caph_cache_tzdata();
	capmode_enter();
	CHECK(localtime_r(&t, &tm) != NULL);
	CHECK(tm.tm_hour == 8 && tm.tm_gmtoff == -4 * 3600);
	CHECK(strcmp(tm.tm_zone, "EDT") == 0);
	CHECK(localtime(&t)->tm_hour == 8);
}

/* The control: without the helper, glibc cannot load the zone in
 * capability mode and silently uses UTC. */
static void
tzdata_not_cached(void *arg)
{
	const char *zone = arg;
	time_t t = 1751371200;
	struct tm tm;

	setenv("TZ", zone, 1);
	capmode_enter();
	CHECK(localtime_r(&t, &tm) != NULL);
	CHECK(tm.tm_hour == 12 && tm.tm_gmtoff == 0);
}

Test(caph_cache_tzdata, without_it_glibc_falls_back_to_utc)
{
	const char *zone = ":/usr/share/zoneinfo/America/New_York";

	if (access(zone + 1, R_OK) != 0)
		cr_skip_test("no tzdata (%s)", zone + 1);
	SANDBOXED(tzdata_not_cached, (void *)zone);
}

Test(caph_cache_tzdata, localtime_in_capability_mode)
{
	const char *zone = ":/usr/share/zoneinfo/America/New_York";

	if (access(zone + 1, R_OK) != 0)
		cr_skip_test("no tzdata (%s)", zone + 1);
	SANDBOXED(tzdata_cached, (void *)zone);
}

static void
tzdata_default_zone(void *arg)
{
	time_t t = 1751371200;
	struct tm before, after;

	unsetenv("TZ");
	caph_cache_tzdata();
	CHECK(localtime_r(&t, &before) != NULL);
	capmode_enter();
	CHECK(localtime_r(&t, &after) != NULL);
	CHECK(before.tm_gmtoff == after.tm_gmtoff);
	CHECK(strcmp(before.tm_zone, after.tm_zone) == 0);
}

Test(caph_cache_tzdata, system_zone)
{
	SANDBOXED(tzdata_default_zone, NULL);
}

static void
catpages_cached(void *arg)
{

	caph_cache_catpages();
	capmode_enter();
	CHECK(strcmp(strerror(EACCES), "Permission denied") == 0);
	CHECK(strsignal(SIGTERM) != NULL);
}

Test(caph_cache_catpages, messages_in_capability_mode)
{
	SANDBOXED(catpages_cached, NULL);
}
