/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.random: cap_random_buf from capability mode, small and large
 * (chunked) requests, the service's answers to hostile requests, and its
 * sandbox (capability mode).
 */
#include "harness.h"
#include "casper/casper_test.h"

#include <sys/capsicum.h>
#include <libcasper.h>
#include <casper/cap_random.h>

static cap_channel_t *
open_random(void)
{
	cap_channel_t *cas, *chan;

	if ((cas = cap_init()) == NULL)
		_exit(2);
	chan = cap_service_open(cas, "system.random");
	cap_close(cas);
	if (chan == NULL)
		_exit(3);
	capmode_enter();
	return (chan);
}

/* Bytes that are not all one value (2^-8000 chance of a false alarm). */
static int
varied(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (b[i] != b[0])
			return (1);
	return (0);
}

static void
sizes(void *arg)
{
	static unsigned char big[1 << 20];
	unsigned char a[1000], b[1000], one[1];
	cap_channel_t *chan;

	(void)arg;
	chan = open_random();
	memset(a, 0, sizeof(a));
	CHECK(cap_random_buf(chan, a, sizeof(a)) == 0);
	CHECK(cap_random_buf(chan, b, sizeof(b)) == 0);
	CHECK(varied(a, sizeof(a)) && memcmp(a, b, sizeof(a)) != 0);
	CHECK(cap_random_buf(chan, one, 1) == 0);
	/* Zero bytes: nothing to do, no round trip needed. */
	CHECK(cap_random_buf(chan, NULL, 0) == 0);
	/* 1 MiB: sixteen chunks, every part filled. */
	CHECK(cap_random_buf(chan, big, sizeof(big)) == 0);
	CHECK(varied(big, 1000) && varied(big + sizeof(big) - 1000, 1000));
	CHECK(varied(big + 65536 - 500, 1000));
	cap_close(chan);
	_exit(0);
}

Test(random, sizes_from_capability_mode)
{
	SANDBOXED(sizes, NULL);
}

static int
xfer_error(cap_channel_t *chan, nvlist_t *nvl)
{
	int error;

	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	error = (int)nvlist_get_number(nvl, "error");
	nvlist_destroy(nvl);
	return (error);
}

static void
hostile(void *arg)
{
	cap_channel_t *chan;
	nvlist_t *nvl;
	unsigned char b[16];

	(void)arg;
	chan = open_random();
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "generate");
	CHECK(xfer_error(chan, nvl) == EINVAL);		/* no size */
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "generate");
	nvlist_add_number(nvl, "size", 0);
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "generate");
	nvlist_add_number(nvl, "size", UINT64_MAX);
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "generate");
	nvlist_add_string(nvl, "size", "10");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "other");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	/* No limits in this service. */
	CHECK_LIBC_ERR(cap_limit_set(chan, nvlist_create(0)), EOPNOTSUPP);
	/* Still serving. */
	CHECK(cap_random_buf(chan, b, sizeof(b)) == 0);
	cap_close(chan);
	_exit(0);
}

Test(random, hostile_requests)
{
	SANDBOXED(hostile, NULL);
}

static void
dead(void *arg)
{
	cap_channel_t *cas, *chan;
	unsigned char b[16];
	int sv[2];

	(void)arg;
	/* A channel with no service behind it: a clean error. */
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	(void)close(sv[1]);
	CHECK((chan = cap_wrap(sv[0], 0)) != NULL);
	capmode_enter();
	CHECK(cap_random_buf(chan, b, sizeof(b)) == -1);
	CHECK(errno == EPIPE || errno == ENOTCONN);
	cap_close(chan);
	(void)cas;
	_exit(0);
}

Test(random, dead_service_is_an_error)
{
	SANDBOXED(dead, NULL);
}

static int
in_sandbox(void)
{
	unsigned char b[32];

	/* Capability mode: no paths, but getrandom works. */
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/dev/urandom", O_RDONLY),
	    ECAPMODE);
	CHECK_OK(raw(SYS_getrandom, b, sizeof(b), 0));
	return (0);
}

Test(random, sandbox_is_capability_mode)
{
	cr_assert(casper_sandbox_of("system.random") != NULL);
	cr_assert(casper_sandbox_of("system.random")->sb_flags ==
	    CASPER_SANDBOX_CAPMODE);
	cr_assert_eq(casper_test_in_sandbox("system.random", in_sandbox), 0);
}
