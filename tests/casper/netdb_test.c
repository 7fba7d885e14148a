/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.netdb: cap_getprotobyname from capability mode against the real
 * protocols database (compared with glibc's own answers), unknown names,
 * hostile requests, and the service's sandbox (Landlock: the protocols
 * database and the NSS configuration only; no network; seccomp).
 */
#include <netdb.h>

#include "harness.h"
#include "casper/casper_test.h"

#include <sys/capsicum.h>
#include <libcasper.h>
#include <casper/cap_netdb.h>

/* glibc's answers, looked up before the child enters capability mode. */
struct expect {
	char	name[64];
	int	proto;
	char	alias[64];
};

static void
expect_of(const char *name, struct expect *e)
{
	struct protoent *pe;

	memset(e, 0, sizeof(*e));
	if ((pe = getprotobyname(name)) == NULL)
		return;
	snprintf(e->name, sizeof(e->name), "%s", pe->p_name);
	e->proto = pe->p_proto;
	if (pe->p_aliases[0] != NULL)
		snprintf(e->alias, sizeof(e->alias), "%s", pe->p_aliases[0]);
}

static void
lookups(void *arg)
{
	static const char *const names[] = { "tcp", "udp", "icmp", "ipv6",
	    "TCP", "ip" };
	struct expect e[6];
	struct protoent *pe;
	cap_channel_t *cas, *chan;
	size_t i;

	(void)arg;
	for (i = 0; i < 6; i++)
		expect_of(names[i], &e[i]);
	CHECK(e[0].proto == 6 && e[1].proto == 17);
	CHECK((cas = cap_init()) != NULL);
	CHECK((chan = cap_service_open(cas, "system.netdb")) != NULL);
	cap_close(cas);
	capmode_enter();
	for (i = 0; i < 6; i++) {
		pe = cap_getprotobyname(chan, names[i]);
		if (e[i].name[0] == '\0') {
			CHECK(pe == NULL);
			continue;
		}
		CHECK(pe != NULL);
		CHECK(strcmp(pe->p_name, e[i].name) == 0);
		CHECK(pe->p_proto == e[i].proto);
		if (e[i].alias[0] != '\0')
			CHECK(pe->p_aliases[0] != NULL &&
			    strcmp(pe->p_aliases[0], e[i].alias) == 0);
		else
			CHECK(pe->p_aliases[0] == NULL);
	}
	errno = 0;
	CHECK(cap_getprotobyname(chan, "no-such-protocol") == NULL);
	CHECK(errno == ENOENT);
	CHECK(cap_getprotobyname(chan, "") == NULL);
	CHECK(cap_getprotobyname(chan, NULL) == NULL && errno == EINVAL);
	/* The previous result is replaced, not leaked. */
	CHECK((pe = cap_getprotobyname(chan, "tcp")) != NULL);
	CHECK((pe = cap_getprotobyname(chan, "udp")) != NULL &&
	    pe->p_proto == 17);
	/* No limits. */
	CHECK_LIBC_ERR(cap_limit_set(chan, nvlist_create(0)), EOPNOTSUPP);
	cap_close(chan);
	_exit(0);
}

Test(netdb, lookups_from_capability_mode)
{
	SANDBOXED(lookups, NULL);
}

static void
hostile(void *arg)
{
	cap_channel_t *cas, *chan;
	nvlist_t *nvl;

	(void)arg;
	CHECK((cas = cap_init()) != NULL);
	CHECK((chan = cap_service_open(cas, "system.netdb")) != NULL);
	cap_close(cas);
	capmode_enter();
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getprotobyname");
	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	CHECK(nvlist_get_number(nvl, "error") == EINVAL);
	nvlist_destroy(nvl);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getprotobyname");
	nvlist_add_number(nvl, "name", 6);
	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	CHECK(nvlist_get_number(nvl, "error") == EINVAL);
	nvlist_destroy(nvl);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getprotobynumber");
	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	CHECK(nvlist_get_number(nvl, "error") == EINVAL);
	nvlist_destroy(nvl);
	CHECK(cap_getprotobyname(chan, "tcp") != NULL);
	cap_close(chan);
	_exit(0);
}

Test(netdb, hostile_requests)
{
	SANDBOXED(hostile, NULL);
}

static int
in_sandbox(void)
{

	CHECK_OK(raw(SYS_openat, AT_FDCWD, "/etc/protocols", O_RDONLY));
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/hosts", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/protocols", O_RDWR), EACCES);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_DGRAM, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0), EPERM);
	CHECK_ERR(raw(SYS_execve, "/bin/true", NULL, NULL), EPERM);
	CHECK_ERR(raw(SYS_kill, getppid(), 0), EPERM);
	/* glibc still answers from inside. */
	CHECK(getprotobyname("tcp") != NULL);
	return (0);
}

Test(netdb, sandbox_reads_the_protocols_database_only)
{
	cr_assert_eq(casper_test_in_sandbox("system.netdb", in_sandbox), 0);
}
