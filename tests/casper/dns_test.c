/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.dns against a real DNS server (dnsmasq, tests/casper/dnsfix.h) and
 * the real /etc/hosts, from inside capability mode.  Every test runs in a
 * forked child that builds the fixture, opens the service, enters
 * capability mode and checks; the results come through glibc's own
 * resolver in the service process.
 */
#include <sys/capsicum.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <netdb.h>

#include <libcasper.h>
#include <casper/cap_dns.h>

#include "harness.h"
#include "casper/casper_impl.h"
#include "casper/dnsfix.h"

/* Run fn in a child; skip when the fixture cannot be built here. */
#define	DNS_CHILD(fn) do {						\
	int st_ = run_child((fn), NULL);				\
	if (WIFEXITED(st_) && WEXITSTATUS(st_) == DNSFIX_SKIP)		\
		cr_skip_test("no private DNS server here (stderr says why)"); \
	SKIP_IF_SKIPPED(st_);						\
	cr_assert(WIFEXITED(st_) && WEXITSTATUS(st_) == 0,		\
	    "child %s: %s %d", #fn, WIFEXITED(st_) ? "exit" : "signal",	\
	    WIFEXITED(st_) ? WEXITSTATUS(st_) : WTERMSIG(st_));		\
} while (0)

static struct dnsfix fix;

/* Fixture, Casper, the service channel, capability mode. */
static cap_channel_t *
dns_open(void)
{
	cap_channel_t *cas, *chan;

	dnsfix_start_or_skip(&fix);
	SKIP_UNDER_VALGRIND();
	cas = cap_init();
	CHECK(cas != NULL);
	chan = cap_service_open(cas, "system.dns");
	CHECK(chan != NULL);
	cap_close(cas);
	capmode_enter();
	return (chan);
}

static struct sockaddr_in
sin4(const char *addr, int port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	CHECK(inet_pton(AF_INET, addr, &sin.sin_addr) == 1);
	return (sin);
}

static struct sockaddr_in6
sin6(const char *addr, int port)
{
	struct sockaddr_in6 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin6_family = AF_INET6;
	sin.sin6_port = htons(port);
	CHECK(inet_pton(AF_INET6, addr, &sin.sin6_addr) == 1);
	return (sin);
}

/* Does the list hold this numeric address (and this port if port > 0)? */
static bool
ai_has(const struct addrinfo *ai, const char *addr, int port)
{
	char buf[INET6_ADDRSTRLEN];
	const void *a;
	in_port_t p;

	for (; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			a = &((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			p = ((struct sockaddr_in *)ai->ai_addr)->sin_port;
		} else {
			a = &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
			p = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port;
		}
		CHECK(inet_ntop(ai->ai_family, a, buf, sizeof(buf)) != NULL);
		if (strcmp(buf, addr) == 0 && (port <= 0 || ntohs(p) == port))
			return (true);
	}
	return (false);
}

static bool
ai_only(const struct addrinfo *ai, int family)
{

	for (; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family != family)
			return (false);
	return (true);
}

static void
getaddrinfo_child(void *arg)
{
	struct addrinfo hints, *res;
	cap_channel_t *chan;

	chan = dns_open();
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	CHECK(cap_getaddrinfo(chan, "www.casper.test", "80", &hints,
	    &res) == 0);
	CHECK(ai_has(res, "192.0.2.10", 80));
	CHECK(ai_has(res, "2001:db8::10", 80));
	CHECK(res->ai_canonname != NULL &&
	    strcmp(res->ai_canonname, "www.casper.test") == 0);
	CHECK(res->ai_socktype == SOCK_STREAM);
	CHECK(res->ai_protocol == IPPROTO_TCP);
	/* glibc's freeaddrinfo frees our layout; ASan checks it. */
	freeaddrinfo(res);

	/* No hints: every socket type, both families. */
	CHECK(cap_getaddrinfo(chan, "multi.casper.test", NULL, NULL,
	    &res) == 0);
	CHECK(ai_has(res, "192.0.2.20", 0) && ai_has(res, "192.0.2.21", 0));
	freeaddrinfo(res);

	/* /etc/hosts, through the service's nsswitch "files". */
	hints.ai_flags = 0;
	hints.ai_family = AF_INET;
	CHECK(cap_getaddrinfo(chan, "localhost", NULL, &hints, &res) == 0);
	CHECK(ai_has(res, "127.0.0.1", 0));
	freeaddrinfo(res);

	/* Service names only, numeric hosts. */
	CHECK(cap_getaddrinfo(chan, NULL, "domain", &hints, &res) == 0);
	CHECK(ai_has(res, "127.0.0.1", 53));
	freeaddrinfo(res);
	hints.ai_flags = AI_NUMERICHOST;
	CHECK(cap_getaddrinfo(chan, "192.0.2.99", NULL, &hints, &res) == 0);
	CHECK(ai_has(res, "192.0.2.99", 0));
	freeaddrinfo(res);

	/* Errors are glibc's EAI codes, from the server's answer. */
	hints.ai_flags = 0;
	CHECK(cap_getaddrinfo(chan, "nonexistent.casper.test", NULL, &hints,
	    &res) == EAI_NONAME);
	CHECK(cap_getaddrinfo(chan, NULL, NULL, &hints, &res) == EAI_NONAME);
	CHECK(cap_getaddrinfo(chan, "www.casper.test", "no-such-service",
	    &hints, &res) == EAI_SERVICE);
	hints.ai_flags = 0x7fff0000;
	CHECK(cap_getaddrinfo(chan, "www.casper.test", NULL, &hints,
	    &res) == EAI_BADFLAGS);
	cap_close(chan);
}

Test(dns, getaddrinfo)
{
	DNS_CHILD(getaddrinfo_child);
}

static void
getnameinfo_child(void *arg)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV], tiny[4];
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	cap_channel_t *chan;

	chan = dns_open();
	s4 = sin4("192.0.2.11", 25);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), host,
	    sizeof(host), serv, sizeof(serv), NI_NAMEREQD) == 0);
	CHECK(strcmp(host, "mail.casper.test") == 0);
	CHECK(strcmp(serv, "smtp") == 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), host,
	    sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) == 0);
	CHECK(strcmp(host, "192.0.2.11") == 0 && strcmp(serv, "25") == 0);
	/* Only the host, only the service. */
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), host,
	    sizeof(host), NULL, 0, NI_NAMEREQD) == 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), NULL,
	    0, serv, sizeof(serv), 0) == 0);
	CHECK(strcmp(serv, "smtp") == 0);

	s6 = sin6("2001:db8::30", 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s6, sizeof(s6), host,
	    sizeof(host), NULL, 0, NI_NAMEREQD) == 0);
	CHECK(strcmp(host, "six.casper.test") == 0);
	s4 = sin4("127.0.0.1", 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), host,
	    sizeof(host), NULL, 0, NI_NAMEREQD) == 0);
	CHECK(strcmp(host, "localhost") == 0);

	/* Errors. */
	s4 = sin4("192.0.2.250", 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), host,
	    sizeof(host), NULL, 0, NI_NAMEREQD) == EAI_NONAME);
	s4 = sin4("192.0.2.11", 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), tiny,
	    sizeof(tiny), NULL, 0, NI_NAMEREQD) == EAI_OVERFLOW);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4) - 1,
	    host, sizeof(host), NULL, 0, 0) == EAI_FAIL);
	CHECK(cap_getnameinfo(chan, NULL, 0, host, sizeof(host), NULL, 0,
	    0) == EAI_FAIL);
	cap_close(chan);
}

Test(dns, getnameinfo)
{
	DNS_CHILD(getnameinfo_child);
}

static bool
he_has(const struct hostent *hp, const char *addr)
{
	char buf[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; hp->h_addr_list[i] != NULL; i++) {
		CHECK(inet_ntop(hp->h_addrtype, hp->h_addr_list[i], buf,
		    sizeof(buf)) != NULL);
		if (strcmp(buf, addr) == 0)
			return (true);
	}
	return (false);
}

static void
gethostby_child(void *arg)
{
	struct in6_addr a6;
	struct in_addr a4;
	struct hostent *hp;
	cap_channel_t *chan;

	chan = dns_open();
	hp = cap_gethostbyname(chan, "www.casper.test");
	CHECK(hp != NULL);
	CHECK(strcmp(hp->h_name, "www.casper.test") == 0);
	CHECK(hp->h_addrtype == AF_INET && hp->h_length == 4);
	CHECK(he_has(hp, "192.0.2.10"));
	hp = cap_gethostbyname(chan, "multi.casper.test");
	CHECK(hp != NULL && he_has(hp, "192.0.2.20") &&
	    he_has(hp, "192.0.2.21"));
	hp = cap_gethostbyname2(chan, "six.casper.test", AF_INET6);
	CHECK(hp != NULL && hp->h_addrtype == AF_INET6 &&
	    hp->h_length == 16 && he_has(hp, "2001:db8::30"));
	hp = cap_gethostbyname(chan, "localhost");
	CHECK(hp != NULL && he_has(hp, "127.0.0.1"));
	hp = cap_gethostbyname(chan, "nonexistent.casper.test");
	CHECK(hp == NULL && h_errno == HOST_NOT_FOUND);
	CHECK(cap_gethostbyname(chan, NULL) == NULL);

	CHECK(inet_pton(AF_INET, "192.0.2.10", &a4) == 1);
	hp = cap_gethostbyaddr(chan, &a4, sizeof(a4), AF_INET);
	CHECK(hp != NULL && strcmp(hp->h_name, "www.casper.test") == 0);
	CHECK(inet_pton(AF_INET6, "2001:db8::30", &a6) == 1);
	hp = cap_gethostbyaddr(chan, &a6, sizeof(a6), AF_INET6);
	CHECK(hp != NULL && strcmp(hp->h_name, "six.casper.test") == 0);
	CHECK(inet_pton(AF_INET, "192.0.2.250", &a4) == 1);
	hp = cap_gethostbyaddr(chan, &a4, sizeof(a4), AF_INET);
	CHECK(hp == NULL && h_errno == HOST_NOT_FOUND);
	/* A wrong length or family fails before the service, as glibc. */
	CHECK(cap_gethostbyaddr(chan, &a4, 3, AF_INET) == NULL);
	CHECK(h_errno == NETDB_INTERNAL && errno == EINVAL);
	CHECK(cap_gethostbyaddr(chan, &a4, 4, AF_UNIX) == NULL);
	CHECK(h_errno == NETDB_INTERNAL && errno == EAFNOSUPPORT);
	cap_close(chan);
}

Test(dns, gethostbyname_gethostbyaddr)
{
	DNS_CHILD(gethostby_child);
}

static void
type_limit_child(void *arg)
{
	const char *name2addr[] = { "NAME2ADDR" };
	const char *addr2name[] = { "ADDR2NAME" };
	const char *legacy[] = { "ADDR" };
	const char *bogus[] = { "FOO" };
	char host[NI_MAXHOST];
	struct sockaddr_in s4;
	struct addrinfo *res;
	struct in_addr a4;
	nvlist_t *limits;
	cap_channel_t *chan;

	chan = dns_open();
	/* Unlimited at first. */
	CHECK(cap_limit_get(chan, &limits) == 0 && limits == NULL);
	CHECK_LIBC_ERR(cap_dns_type_limit(chan, bogus, 1), EINVAL);
	CHECK(cap_dns_type_limit(chan, (const char *[]){ "NAME2ADDR",
	    "ADDR2NAME" }, 2) == 0);
	CHECK(cap_dns_type_limit(chan, addr2name, 1) == 0);
	CHECK(cap_limit_get(chan, &limits) == 0 && limits != NULL);
	CHECK(strcmp(nvlist_get_string(limits, "type0"), "ADDR2NAME") == 0);
	CHECK(!nvlist_exists(limits, "type1"));
	nvlist_destroy(limits);

	/* Forward lookups are refused, FreeBSD's NO_RECOVERY / EAI_FAIL. */
	CHECK(cap_getaddrinfo(chan, "www.casper.test", NULL, NULL, &res) ==
	    EAI_FAIL);
	CHECK(cap_gethostbyname(chan, "www.casper.test") == NULL &&
	    h_errno == NO_RECOVERY);
	CHECK(cap_gethostbyname2(chan, "localhost", AF_INET) == NULL &&
	    h_errno == NO_RECOVERY);
	/* Reverse ones work. */
	s4 = sin4("192.0.2.11", 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), host,
	    sizeof(host), NULL, 0, NI_NAMEREQD) == 0);
	CHECK(inet_pton(AF_INET, "192.0.2.11", &a4) == 1);
	CHECK(cap_gethostbyaddr(chan, &a4, 4, AF_INET) != NULL);

	/* Narrowing only; the legacy name means the same type. */
	CHECK_LIBC_ERR(cap_dns_type_limit(chan, name2addr, 1), ENOTCAPABLE);
	CHECK(cap_dns_type_limit(chan, legacy, 1) == 0);
	CHECK_LIBC_ERR(cap_dns_type_limit(chan, (const char *[]){
	    "ADDR2NAME", "NAME" }, 2), ENOTCAPABLE);
	/* No type entries would mean every type again, as on FreeBSD. */
	CHECK_LIBC_ERR(cap_dns_type_limit(chan, NULL, 0), ENOTCAPABLE);
	CHECK(cap_gethostbyaddr(chan, &a4, 4, AF_INET) != NULL);
	cap_close(chan);
}

Test(dns, type_limit)
{
	DNS_CHILD(type_limit_child);
}

static void
family_limit_child(void *arg)
{
	struct addrinfo hints, *res;
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct in6_addr a6;
	char host[NI_MAXHOST];
	nvlist_t *limits;
	cap_channel_t *chan;

	chan = dns_open();
	CHECK_LIBC_ERR(cap_dns_family_limit(chan, (const int[]){ 12345 }, 1),
	    EINVAL);
	CHECK(cap_dns_family_limit(chan, (const int[]){ AF_INET }, 1) == 0);

	/* AF_UNSPEC passes; only IPv4 results come back. */
	CHECK(cap_getaddrinfo(chan, "www.casper.test", NULL, NULL, &res) ==
	    0);
	CHECK(ai_has(res, "192.0.2.10", 0) && ai_only(res, AF_INET));
	freeaddrinfo(res);
	/* A name with only IPv6 addresses has none left. */
	CHECK(cap_getaddrinfo(chan, "six.casper.test", NULL, NULL, &res) ==
	    EAI_NONAME);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET6;
	CHECK(cap_getaddrinfo(chan, "www.casper.test", NULL, &hints, &res) ==
	    EAI_FAIL);
	CHECK(cap_gethostbyname2(chan, "six.casper.test", AF_INET6) == NULL &&
	    h_errno == NO_RECOVERY);
	CHECK(cap_gethostbyname(chan, "www.casper.test") != NULL);
	s6 = sin6("2001:db8::30", 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s6, sizeof(s6), host,
	    sizeof(host), NULL, 0, 0) == EAI_FAIL);
	CHECK(inet_pton(AF_INET6, "2001:db8::30", &a6) == 1);
	CHECK(cap_gethostbyaddr(chan, &a6, 16, AF_INET6) == NULL &&
	    h_errno == NO_RECOVERY);
	s4 = sin4("192.0.2.11", 0);
	CHECK(cap_getnameinfo(chan, (struct sockaddr *)&s4, sizeof(s4), host,
	    sizeof(host), NULL, 0, NI_NAMEREQD) == 0);

	/* Widening fails; the type limits are independent. */
	CHECK_LIBC_ERR(cap_dns_family_limit(chan, (const int[]){ AF_INET,
	    AF_INET6 }, 2), ENOTCAPABLE);
	CHECK(cap_dns_type_limit(chan, (const char *[]){ "NAME2ADDR" }, 1) ==
	    0);
	CHECK(cap_limit_get(chan, &limits) == 0);
	CHECK(nvlist_get_number(limits, "family0") == AF_INET);
	CHECK(strcmp(nvlist_get_string(limits, "type0"), "NAME2ADDR") == 0);
	/* Dropping a prefix would widen: a raw limit without families. */
	nvlist_free(limits, "family0");
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), ENOTCAPABLE);
	/* Malformed raw limits. */
	limits = nvlist_create(0);
	nvlist_add_string(limits, "family0", "AF_INET");
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), EINVAL);
	limits = nvlist_create(0);
	nvlist_add_number(limits, "bogus", 1);
	CHECK_LIBC_ERR(cap_limit_set(chan, limits), EINVAL);
	cap_close(chan);
}

Test(dns, family_limit)
{
	DNS_CHILD(family_limit_child);
}

/* Requests a client would never send must fail, not crash the service. */
static void
hostile_child(void *arg)
{
	static const char *const cmds[] = { "gethostbyname", "gethostbyaddr",
	    "getaddrinfo", "getnameinfo", "nosuchcommand" };
	struct addrinfo *res;
	nvlist_t *nvl;
	cap_channel_t *chan;
	size_t i;

	chan = dns_open();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		/* Every field missing. */
		nvl = nvlist_create(0);
		nvlist_add_string(nvl, "cmd", cmds[i]);
		nvl = cap_xfer_nvlist(chan, nvl);
		CHECK(nvl != NULL && nvlist_get_number(nvl, "error") != 0);
		nvlist_destroy(nvl);
		/* Every field of the wrong type or size. */
		nvl = nvlist_create(0);
		nvlist_add_string(nvl, "cmd", cmds[i]);
		nvlist_add_number(nvl, "name", 1);
		nvlist_add_string(nvl, "family", "x");
		nvlist_add_string(nvl, "addr", "x");
		nvlist_add_number(nvl, "hostname", 1);
		nvlist_add_bool(nvl, "hints_flags", true);
		nvlist_add_binary(nvl, "sa", "xy", 2);
		nvlist_add_number(nvl, "hostlen", UINT64_MAX);
		nvlist_add_number(nvl, "servlen", UINT64_MAX);
		nvlist_add_number(nvl, "flags", UINT64_MAX);
		nvl = cap_xfer_nvlist(chan, nvl);
		CHECK(nvl != NULL && nvlist_get_number(nvl, "error") != 0);
		nvlist_destroy(nvl);
	}
	/* Huge sizes are capped: the lookup still works. */
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getnameinfo");
	{
		struct sockaddr_in s4 = sin4("192.0.2.11", 0);

		nvlist_add_binary(nvl, "sa", &s4, sizeof(s4));
	}
	nvlist_add_number(nvl, "hostlen", UINT64_MAX);
	nvlist_add_number(nvl, "servlen", 0);
	nvlist_add_number(nvl, "flags", NI_NAMEREQD);
	nvl = cap_xfer_nvlist(chan, nvl);
	CHECK(nvl != NULL && nvlist_get_number(nvl, "error") == 0);
	CHECK(strcmp(nvlist_get_string(nvl, "host"), "mail.casper.test") ==
	    0);
	nvlist_destroy(nvl);
	/* The service is still there. */
	CHECK(cap_getaddrinfo(chan, "www.casper.test", NULL, NULL, &res) ==
	    0);
	freeaddrinfo(res);
	cap_close(chan);
}

Test(dns, hostile_requests)
{
	DNS_CHILD(hostile_child);
}

/*
 * The service's sandbox, applied to this process exactly as the framework
 * applies it to the service (casper_service_confine): what a compromised
 * dns service could still do.  Raw system calls, no libc interposition.
 */
static void
sandbox_child(void *arg)
{
	struct addrinfo hints, *res;
	struct sockaddr_in sin;
	char *const argv[] = { "true", NULL };
	long s;

	dnsfix_start_or_skip(&fix);
	SKIP_UNDER_VALGRIND();
	CHECK(casper_service_confine("system.dns") == 0);
	/* Its job still works: glibc resolves through the server. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	CHECK(getaddrinfo("www.casper.test", NULL, &hints, &res) == 0);
	freeaddrinfo(res);
	CHECK(gethostbyname("localhost") != NULL);
	/* The resolver files are readable, nothing else. */
	s = raw(SYS_openat, AT_FDCWD, "/etc/hosts", O_RDONLY);
	CHECK_OK(s);
	raw(SYS_close, s);
	CHECK_OK(s = raw(SYS_openat, AT_FDCWD, "/etc/resolv.conf", O_RDONLY));
	raw(SYS_close, s);
	CHECK(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY) < 0);
	CHECK(raw(SYS_openat, AT_FDCWD, "/etc/shadow", O_RDONLY) < 0);
	CHECK(raw(SYS_openat, AT_FDCWD, "/etc/hosts", O_WRONLY) < 0);
	CHECK(raw(SYS_openat, AT_FDCWD, "/tmp/casper-dns-escape",
	    O_WRONLY | O_CREAT, 0600) < 0);
	CHECK(raw(SYS_openat, AT_FDCWD, "/proc/self/environ", O_RDONLY) < 0);
	/* No unix sockets, no exec. */
	CHECK(raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0) < 0);
	CHECK(raw(SYS_socket, AF_UNIX, SOCK_DGRAM, 0) < 0);
	CHECK(raw(SYS_execve, "/bin/true", argv, NULL) < 0);
	/* TCP: port 53 only. */
	CHECK_OK(s = raw(SYS_socket, AF_INET, SOCK_STREAM, 0));
	sin = sin4("127.0.0.1", 80);
	CHECK_ERR(raw(SYS_connect, s, &sin, sizeof(sin)), EACCES);
	sin = sin4("127.0.0.1", 53);
	CHECK_OK(raw(SYS_connect, s, &sin, sizeof(sin)));
	raw(SYS_close, s);
	CHECK_OK(s = raw(SYS_socket, AF_INET, SOCK_STREAM, 0));
	sin = sin4("127.0.0.1", 5353);
	CHECK(raw(SYS_bind, s, &sin, sizeof(sin)) < 0);
	raw(SYS_close, s);
	/* UDP: the name server of resolv.conf only (the guard). */
	CHECK_OK(s = raw(SYS_socket, AF_INET, SOCK_DGRAM, 0));
	sin = sin4("127.0.0.2", 53);
	CHECK_ERR(raw(SYS_sendto, s, "x", 1, 0, &sin, sizeof(sin)), EACCES);
	sin = sin4("127.0.0.1", 54);
	CHECK_ERR(raw(SYS_sendto, s, "x", 1, 0, &sin, sizeof(sin)), EACCES);
	CHECK_ERR(raw(SYS_connect, s, &sin, sizeof(sin)), EACCES);
	{
		struct iovec iov = { "x", 1 };
		struct msghdr msg;
		struct mmsghdr mm[2];

		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &sin;
		msg.msg_namelen = sizeof(sin);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		CHECK_ERR(raw(SYS_sendmsg, s, &msg, 0), EACCES);
		memset(mm, 0, sizeof(mm));
		mm[0].msg_hdr = msg;
		CHECK_ERR(raw(SYS_sendmmsg, s, mm, 1, 0), EACCES);
		/* The server itself: a one-byte datagram goes out. */
		sin = sin4("127.0.0.1", 53);
		msg.msg_name = &sin;
		CHECK(raw(SYS_sendmsg, s, &msg, 0) == 1);
		CHECK(raw(SYS_sendto, s, "x", 1, 0, &sin, sizeof(sin)) == 1);
		CHECK_OK(raw(SYS_connect, s, &sin, sizeof(sin)));
		msg.msg_name = NULL;
		msg.msg_namelen = 0;
		mm[0].msg_hdr = msg;
		mm[1].msg_hdr = msg;
		CHECK(raw(SYS_sendmmsg, s, mm, 2, 0) == 2);
		CHECK(mm[0].msg_len == 1 && mm[1].msg_len == 1);
		CHECK(raw(SYS_sendto, s, "x", 1, 0, NULL, 0) == 1);
		/* Descriptors in control data are refused. */
		{
			char cbuf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr *cm;
			int zero = 0;

			memset(cbuf, 0, sizeof(cbuf));
			msg.msg_control = cbuf;
			msg.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &zero, sizeof(zero));
			CHECK_ERR(raw(SYS_sendmsg, s, &msg, 0), EOPNOTSUPP);
		}
	}
	raw(SYS_close, s);
	_exit(0);
}

Test(dns, sandbox_escapes)
{
	DNS_CHILD(sandbox_child);
}
