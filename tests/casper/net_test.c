/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.net: bind and connect on loopback, lookups through /etc/hosts and
 * a private DNS server, every mode and limit, from inside capability mode.
 *
 * <casper/cap_dns.h> is included first on purpose: with <casper/cap_net.h>
 * after it, cap_getaddrinfo and friends are system.net's.
 */
#include <sys/capsicum.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <netdb.h>

#include <libcasper.h>
#include <casper/cap_dns.h>
#include <casper/cap_net.h>

#include "harness.h"
#include "casper/casper_impl.h"
#include "casper/dnsfix.h"

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

#define	SA(s)	((struct sockaddr *)&(s))

/* A TCP listener on 127.0.0.1 (made before capability mode). */
static int
listener(int *portp)
{
	struct sockaddr_in sin;
	socklen_t len;
	int s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(s >= 0);
	sin = sin4("127.0.0.1", 0);
	CHECK(bind(s, SA(sin), sizeof(sin)) == 0);
	CHECK(listen(s, 8) == 0);
	len = sizeof(sin);
	CHECK(getsockname(s, SA(sin), &len) == 0);
	*portp = ntohs(sin.sin_port);
	return (s);
}

/* A free port number on 127.0.0.1 (nothing listens there afterwards). */
static int
free_port(void)
{
	int s, port;

	s = listener(&port);
	close(s);
	return (port);
}

static cap_channel_t *
net_open(void)
{
	cap_channel_t *cas, *chan;

	SKIP_UNDER_VALGRIND();
	cas = cap_init();
	CHECK(cas != NULL);
	chan = cap_service_open(cas, "system.net");
	CHECK(chan != NULL);
	cap_close(cas);
	return (chan);
}

static int
tcp(void)
{
	int s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(s >= 0);
	return (s);
}

static void
unlimited_child(void *arg)
{
	struct sockaddr_in sin;
	socklen_t len;
	cap_channel_t *chan;
	int l, s, c, a, port, fp;

	chan = net_open();
	l = tcp();
	s = tcp();
	fp = free_port();
	capmode_enter();
	/* Plain bind/connect are refused in capability mode... */
	sin = sin4("127.0.0.1", 0);
	CHECK_LIBC_ERR(bind(l, SA(sin), sizeof(sin)), ECAPMODE);
	/* ...the service does them on the caller's socket. */
	CHECK(cap_bind(chan, l, SA(sin), sizeof(sin)) == 0);
	len = sizeof(sin);
	CHECK(getsockname(l, SA(sin), &len) == 0);
	port = ntohs(sin.sin_port);
	CHECK(port != 0);
	CHECK(listen(l, 1) == 0);
	CHECK(cap_connect(chan, s, SA(sin), sizeof(sin)) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(write(s, "ping", 4) == 4);
	{
		char buf[4];

		CHECK(read(a, buf, 4) == 4 && memcmp(buf, "ping", 4) == 0);
	}
	/* Errors of the real calls come back as errno. */
	CHECK_LIBC_ERR(cap_bind(chan, l, SA(sin), sizeof(sin)), EINVAL);
	CHECK_LIBC_ERR(cap_connect(chan, s, SA(sin), sizeof(sin)), EISCONN);
	c = tcp();
	sin = sin4("127.0.0.1", fp);
	CHECK_LIBC_ERR(cap_connect(chan, c, SA(sin), sizeof(sin)),
	    ECONNREFUSED);
	CHECK_LIBC_ERR(cap_connect(chan, c, SA(sin), 3), EAFNOSUPPORT);
	CHECK_LIBC_ERR(cap_connect(chan, c, NULL, 0), EFAULT);
	close(a);
	close(s);
	close(l);
	close(c);
	cap_close(chan);
}

Test(net, bind_connect_unlimited)
{
	SANDBOXED(unlimited_child, NULL);
}

static void
modes_child(void *arg)
{
	struct sockaddr_in sin;
	cap_net_limit_t *limit;
	cap_channel_t *chan;
	int l, s, port;

	chan = net_open();
	l = listener(&port);
	capmode_enter();
	/* Bind only. */
	limit = cap_net_limit_init(chan, CAPNET_BIND);
	CHECK(limit != NULL);
	CHECK(cap_net_limit(limit) == 0);
	s = tcp();
	sin = sin4("127.0.0.1", port);
	CHECK_LIBC_ERR(cap_connect(chan, s, SA(sin), sizeof(sin)),
	    ENOTCAPABLE);
	sin = sin4("127.0.0.1", 0);
	CHECK(cap_bind(chan, s, SA(sin), sizeof(sin)) == 0);
	close(s);
	/* Lookups are refused too. */
	{
		struct addrinfo *res;
		char host[64];

		CHECK(cap_getaddrinfo(chan, "localhost", NULL, NULL, &res) ==
		    EAI_FAIL);
		CHECK(cap_getnameinfo(chan, SA(sin), sizeof(sin), host,
		    sizeof(host), NULL, 0, NI_NUMERICHOST) == EAI_FAIL);
		CHECK(cap_gethostbyname(chan, "localhost") == NULL &&
		    h_errno == NO_RECOVERY);
	}
	/* Widening is refused; so are unknown bits. */
	limit = cap_net_limit_init(chan, CAPNET_BIND | CAPNET_CONNECT);
	CHECK_LIBC_ERR(cap_net_limit(limit), ENOTCAPABLE);
	limit = cap_net_limit_init(chan, 0x80);
	CHECK_LIBC_ERR(cap_net_limit(limit), EINVAL);
	/* Narrowing to nothing works and refuses bind. */
	CHECK(cap_net_limit(cap_net_limit_init(chan, 0)) == 0);
	s = tcp();
	CHECK_LIBC_ERR(cap_bind(chan, s, SA(sin), sizeof(sin)), ENOTCAPABLE);
	close(s);
	close(l);
	cap_close(chan);
}

Test(net, modes)
{
	SANDBOXED(modes_child, NULL);
}

static void
connect_mode_child(void *arg)
{
	struct sockaddr_in sin;
	cap_channel_t *chan;
	int l, s, port;

	chan = net_open();
	l = listener(&port);
	capmode_enter();
	CHECK(cap_net_limit(cap_net_limit_init(chan, CAPNET_CONNECT)) == 0);
	s = tcp();
	sin = sin4("127.0.0.1", 0);
	CHECK_LIBC_ERR(cap_bind(chan, s, SA(sin), sizeof(sin)), ENOTCAPABLE);
	sin = sin4("127.0.0.1", port);
	CHECK(cap_connect(chan, s, SA(sin), sizeof(sin)) == 0);
	close(s);
	close(l);
	cap_close(chan);
}

Test(net, connect_mode)
{
	SANDBOXED(connect_mode_child, NULL);
}

static void
addr_lists_child(void *arg)
{
	struct sockaddr_in sin, ok, other;
	cap_net_limit_t *limit;
	cap_channel_t *chan;
	nvlist_t *limits;
	int l1, l2, s, p1, p2, bp;

	chan = net_open();
	l1 = listener(&p1);
	l2 = listener(&p2);
	bp = free_port();
	capmode_enter();
	ok = sin4("127.0.0.1", p1);
	other = sin4("127.0.0.1", bp);
	limit = cap_net_limit_init(chan, CAPNET_CONNECT | CAPNET_BIND);
	CHECK(cap_net_limit_connect(limit, SA(ok), sizeof(ok)) == limit);
	CHECK(cap_net_limit_bind(limit, SA(other), sizeof(other)) == limit);
	CHECK(cap_net_limit(limit) == 0);

	s = tcp();
	CHECK(cap_connect(chan, s, SA(ok), sizeof(ok)) == 0);
	close(s);
	/* Another port, another address: refused. */
	s = tcp();
	sin = sin4("127.0.0.1", p2);
	CHECK_LIBC_ERR(cap_connect(chan, s, SA(sin), sizeof(sin)),
	    ENOTCAPABLE);
	sin = sin4("127.0.0.2", p1);
	CHECK_LIBC_ERR(cap_connect(chan, s, SA(sin), sizeof(sin)),
	    ENOTCAPABLE);
	/* Bind: exactly the address and port listed. */
	sin = sin4("127.0.0.1", 0);
	CHECK_LIBC_ERR(cap_bind(chan, s, SA(sin), sizeof(sin)), ENOTCAPABLE);
	CHECK(cap_bind(chan, s, SA(other), sizeof(other)) == 0);
	close(s);

	/* The limits read back; a list may not be dropped or widened. */
	CHECK(cap_limit_get(chan, &limits) == 0 && limits != NULL);
	CHECK(nvlist_exists_nvlist(limits, "connect"));
	CHECK(nvlist_exists_nvlist(limits, "bind"));
	nvlist_destroy(limits);
	limit = cap_net_limit_init(chan, CAPNET_CONNECT | CAPNET_BIND);
	CHECK_LIBC_ERR(cap_net_limit(cap_net_limit_connect(limit, SA(ok),
	    sizeof(ok))), ENOTCAPABLE);		/* bind list dropped */
	limit = cap_net_limit_init(chan, CAPNET_CONNECT | CAPNET_BIND);
	cap_net_limit_connect(limit, SA(ok), sizeof(ok));
	cap_net_limit_connect(limit, SA(other), sizeof(other));
	cap_net_limit_bind(limit, SA(other), sizeof(other));
	CHECK_LIBC_ERR(cap_net_limit(limit), ENOTCAPABLE);
	/* A subset is fine: connect only, same address. */
	limit = cap_net_limit_init(chan, CAPNET_CONNECT);
	cap_net_limit_connect(limit, SA(ok), sizeof(ok));
	cap_net_limit_bind(limit, SA(other), sizeof(other));
	CHECK(cap_net_limit(limit) == 0);
	s = tcp();
	CHECK_LIBC_ERR(cap_bind(chan, s, SA(other), sizeof(other)),
	    ENOTCAPABLE);
	close(s);
	/* Malformed addresses in a list. */
	limit = cap_net_limit_init(chan, CAPNET_CONNECT);
	cap_net_limit_connect(limit, SA(ok), 5);
	CHECK_LIBC_ERR(cap_net_limit(limit), EINVAL);
	limit = cap_net_limit_init(chan, CAPNET_CONNECT);
	cap_net_limit_connect(limit, NULL, 0);
	CHECK_LIBC_ERR(cap_net_limit(limit), EINVAL);
	/* cap_net_free drops a builder unused. */
	limit = cap_net_limit_init(chan, CAPNET_CONNECT);
	cap_net_limit_connect(limit, SA(ok), sizeof(ok));
	cap_net_free(limit);
	cap_net_free(NULL);
	close(l1);
	close(l2);
	cap_close(chan);
}

Test(net, address_lists)
{
	SANDBOXED(addr_lists_child, NULL);
}

static void
connectdns_child(void *arg)
{
	struct addrinfo hints, *res;
	struct sockaddr_in sin;
	cap_channel_t *chan;
	char serv[8];
	int l1, l2, s, p1, p2;

	chan = net_open();
	l1 = listener(&p1);
	l2 = listener(&p2);
	capmode_enter();
	CHECK(cap_net_limit(cap_net_limit_init(chan, CAPNET_NAME2ADDR |
	    CAPNET_DEPRECATED_NAME2ADDR | CAPNET_CONNECTDNS)) == 0);
	s = tcp();
	sin = sin4("127.0.0.1", p1);
	/* Not looked up yet. */
	CHECK_LIBC_ERR(cap_connect(chan, s, SA(sin), sizeof(sin)),
	    ENOTCAPABLE);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", p1);
	CHECK(cap_getaddrinfo(chan, "localhost", serv, &hints, &res) == 0);
	CHECK(cap_connect(chan, s, res->ai_addr, res->ai_addrlen) == 0);
	freeaddrinfo(res);
	close(s);
	/* getaddrinfo allows its port only. */
	s = tcp();
	sin = sin4("127.0.0.1", p2);
	CHECK_LIBC_ERR(cap_connect(chan, s, SA(sin), sizeof(sin)),
	    ENOTCAPABLE);
	/* gethostbyname allows any port of the address. */
	CHECK(cap_gethostbyname(chan, "localhost") != NULL);
	CHECK(cap_connect(chan, s, SA(sin), sizeof(sin)) == 0);
	close(s);
	/* Binding was never allowed. */
	s = tcp();
	CHECK_LIBC_ERR(cap_bind(chan, s, SA(sin), sizeof(sin)), ENOTCAPABLE);
	close(s);
	close(l1);
	close(l2);
	cap_close(chan);
}

Test(net, connectdns)
{
	SANDBOXED(connectdns_child, NULL);
}

static void
name2addr_child(void *arg)
{
	struct addrinfo hints, *res;
	cap_net_limit_t *limit;
	cap_channel_t *chan;
	struct hostent *hp;

	chan = net_open();
	capmode_enter();
	limit = cap_net_limit_init(chan, CAPNET_NAME2ADDR |
	    CAPNET_DEPRECATED_NAME2ADDR);
	cap_net_limit_name2addr(limit, "localhost", "80");
	cap_net_limit_name2addr(limit, "127.0.0.1", NULL);
	cap_net_limit_name2addr_family(limit, (int[]){ AF_INET }, 1);
	CHECK(cap_net_limit(limit) == 0);

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	CHECK(cap_getaddrinfo(chan, "localhost", "80", &hints, &res) == 0);
	CHECK(res->ai_family == AF_INET);
	freeaddrinfo(res);
	CHECK(cap_getaddrinfo(chan, "localhost", "81", &hints, &res) ==
	    EAI_FAIL);
	CHECK(cap_getaddrinfo(chan, "localhost", NULL, &hints, &res) ==
	    EAI_FAIL);
	/* A NULL service in the limit allows any. */
	CHECK(cap_getaddrinfo(chan, "127.0.0.1", "443", &hints, &res) == 0);
	freeaddrinfo(res);
	CHECK(cap_getaddrinfo(chan, "127.0.0.1", NULL, &hints, &res) == 0);
	freeaddrinfo(res);
	hints.ai_family = AF_INET6;
	CHECK(cap_getaddrinfo(chan, "localhost", "80", &hints, &res) ==
	    EAI_FAIL);
	/* gethostbyname: names and families, no services. */
	hp = cap_gethostbyname(chan, "localhost");
	CHECK(hp != NULL && hp->h_addrtype == AF_INET);
	CHECK(cap_gethostbyname2(chan, "localhost", AF_INET6) == NULL &&
	    h_errno == NO_RECOVERY);
	CHECK(cap_gethostbyname(chan, "ip6-localhost") == NULL &&
	    h_errno == NO_RECOVERY);
	/* Subsets only: a wildcard is not covered by a name. */
	limit = cap_net_limit_init(chan, CAPNET_NAME2ADDR);
	cap_net_limit_name2addr(limit, NULL, "80");
	cap_net_limit_name2addr_family(limit, (int[]){ AF_INET }, 1);
	CHECK_LIBC_ERR(cap_net_limit(limit), ENOTCAPABLE);
	limit = cap_net_limit_init(chan, CAPNET_NAME2ADDR);
	cap_net_limit_name2addr(limit, "127.0.0.1", "53");
	cap_net_limit_name2addr_family(limit, (int[]){ AF_INET, AF_INET6 },
	    2);
	CHECK_LIBC_ERR(cap_net_limit(limit), ENOTCAPABLE);
	limit = cap_net_limit_init(chan, CAPNET_NAME2ADDR);
	cap_net_limit_name2addr(limit, "127.0.0.1", "53");
	cap_net_limit_name2addr_family(limit, (int[]){ AF_INET }, 1);
	CHECK(cap_net_limit(limit) == 0);
	hints.ai_family = AF_INET;
	CHECK(cap_getaddrinfo(chan, "127.0.0.1", "80", &hints, &res) ==
	    EAI_FAIL);
	CHECK(cap_getaddrinfo(chan, "127.0.0.1", "53", &hints, &res) == 0);
	freeaddrinfo(res);
	CHECK(cap_gethostbyname(chan, "localhost") == NULL &&
	    h_errno == NO_RECOVERY);
	/* Family lists hold inet families only. */
	limit = cap_net_limit_init(chan, CAPNET_NAME2ADDR);
	cap_net_limit_name2addr_family(limit, (int[]){ AF_UNIX }, 1);
	CHECK_LIBC_ERR(cap_net_limit(limit), EINVAL);
	cap_close(chan);
}

Test(net, name2addr_limits)
{
	SANDBOXED(name2addr_child, NULL);
}

static void
addr2name_child(void *arg)
{
	struct sockaddr_in lo, lo2;
	struct in_addr a;
	cap_net_limit_t *limit;
	cap_channel_t *chan;
	char host[NI_MAXHOST];

	chan = net_open();
	capmode_enter();
	lo = sin4("127.0.0.1", 0);
	lo2 = sin4("127.0.0.2", 0);
	limit = cap_net_limit_init(chan, CAPNET_ADDR2NAME |
	    CAPNET_DEPRECATED_ADDR2NAME);
	cap_net_limit_addr2name(limit, SA(lo), sizeof(lo));
	cap_net_limit_addr2name_family(limit, (int[]){ AF_INET }, 1);
	CHECK(cap_net_limit(limit) == 0);
	CHECK(cap_getnameinfo(chan, SA(lo), sizeof(lo), host, sizeof(host),
	    NULL, 0, NI_NAMEREQD) == 0);
	CHECK(strcmp(host, "localhost") == 0);
	CHECK(cap_getnameinfo(chan, SA(lo2), sizeof(lo2), host, sizeof(host),
	    NULL, 0, NI_NUMERICHOST) == EAI_FAIL);
	/* gethostbyaddr compares the address, whatever the port. */
	a.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(cap_gethostbyaddr(chan, &a, sizeof(a), AF_INET) != NULL);
	a.s_addr = htonl(0x7f000002);
	CHECK(cap_gethostbyaddr(chan, &a, sizeof(a), AF_INET) == NULL &&
	    h_errno == NO_RECOVERY);
	/* Forward lookups were not in the mode. */
	{
		struct addrinfo *res;

		CHECK(cap_getaddrinfo(chan, "localhost", NULL, NULL, &res) ==
		    EAI_FAIL);
	}
	/* Deprecated and new modes are separate. */
	CHECK(cap_net_limit(cap_net_limit_addr2name(cap_net_limit_init(chan,
	    CAPNET_ADDR2NAME), SA(lo), sizeof(lo))) == -1 &&
	    errno == ENOTCAPABLE);	/* family list dropped */
	limit = cap_net_limit_init(chan, CAPNET_DEPRECATED_ADDR2NAME);
	cap_net_limit_addr2name(limit, SA(lo), sizeof(lo));
	cap_net_limit_addr2name_family(limit, (int[]){ AF_INET }, 1);
	CHECK(cap_net_limit(limit) == 0);
	CHECK(cap_getnameinfo(chan, SA(lo), sizeof(lo), host, sizeof(host),
	    NULL, 0, 0) == EAI_FAIL);
	a.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(cap_gethostbyaddr(chan, &a, sizeof(a), AF_INET) != NULL);
	cap_close(chan);
}

Test(net, addr2name_limits)
{
	SANDBOXED(addr2name_child, NULL);
}

static void
dns_child(void *arg)
{
	struct dnsfix fix;
	struct addrinfo hints, *res;
	struct sockaddr_in sin;
	cap_channel_t *chan;
	char host[NI_MAXHOST];

	dnsfix_start_or_skip(&fix);
	chan = net_open();
	capmode_enter();
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	CHECK(cap_getaddrinfo(chan, "www.casper.test", "80", &hints,
	    &res) == 0);
	CHECK(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr ==
	    inet_addr("192.0.2.10"));
	freeaddrinfo(res);
	sin = sin4("192.0.2.11", 0);
	CHECK(cap_getnameinfo(chan, SA(sin), sizeof(sin), host, sizeof(host),
	    NULL, 0, NI_NAMEREQD) == 0);
	CHECK(strcmp(host, "mail.casper.test") == 0);
	CHECK(cap_gethostbyname(chan, "multi.casper.test") != NULL);
	CHECK(cap_getaddrinfo(chan, "nonexistent.casper.test", NULL, &hints,
	    &res) == EAI_NONAME);
	cap_close(chan);
}

Test(net, lookups_against_dns_server)
{
	int st = run_child(dns_child, NULL);

	if (WIFEXITED(st) && WEXITSTATUS(st) == DNSFIX_SKIP)
		cr_skip_test("no private DNS server here (stderr says why)");
	SKIP_IF_SKIPPED(st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
hostile_child(void *arg)
{
	static const char *const cmds[] = { "bind", "connect",
	    "gethostbyname", "gethostbyaddr", "getaddrinfo", "getnameinfo",
	    "bogus" };
	cap_channel_t *chan;
	nvlist_t *nvl;
	size_t i;

	chan = net_open();
	capmode_enter();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		nvl = nvlist_create(0);
		nvlist_add_string(nvl, "cmd", cmds[i]);
		nvl = cap_xfer_nvlist(chan, nvl);
		CHECK(nvl != NULL && nvlist_get_number(nvl, "error") != 0);
		nvlist_destroy(nvl);
		nvl = nvlist_create(0);
		nvlist_add_string(nvl, "cmd", cmds[i]);
		nvlist_add_number(nvl, "s", 0);
		nvlist_add_string(nvl, "sa", "x");
		nvlist_add_number(nvl, "name", 0);
		nvlist_add_binary(nvl, "addr", "abc", 3);
		nvlist_add_number(nvl, "family", UINT64_MAX);
		nvlist_add_number(nvl, "hints_family", UINT64_MAX);
		nvl = cap_xfer_nvlist(chan, nvl);
		CHECK(nvl != NULL && nvlist_get_number(nvl, "error") != 0);
		nvlist_destroy(nvl);
	}
	/* A descriptor that is not a socket. */
	{
		struct sockaddr_in sin = sin4("127.0.0.1", 0);

		CHECK_LIBC_ERR(cap_bind(chan, 0, SA(sin), sizeof(sin)),
		    ENOTSOCK);
	}
	/* Malformed limits. */
	nvl = nvlist_create(0);
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "mode", CAPNET_BIND);
	nvlist_add_number(nvl, "bind", 1);
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "mode", CAPNET_BIND);
	nvlist_move_nvlist(nvl, "other", nvlist_create(0));
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	{
		nvlist_t *l = nvlist_create(0), *e = nvlist_create(0);

		nvlist_add_number(e, "name", 1);
		nvlist_move_nvlist(l, "0", e);
		nvl = nvlist_create(0);
		nvlist_add_number(nvl, "mode", CAPNET_NAME2ADDR);
		nvlist_move_nvlist(nvl, "name2addr", l);
		CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	}
	CHECK(cap_net_limit(NULL) == -1 && errno == EINVAL);
	CHECK(cap_net_limit_init(NULL, 0) == NULL && errno == EINVAL);
	CHECK(cap_net_limit_bind(NULL, NULL, 0) == NULL);
	cap_close(chan);
}

Test(net, hostile_requests)
{
	SANDBOXED(hostile_child, NULL);
}

/*
 * The sandbox of a limited net service applied to this process as the
 * framework and the service apply it: TCP bind and connect only on the
 * listed ports (Landlock), resolver files only, no unix sockets.
 */
static void
sandbox_child(void *arg)
{
	const struct casper_service *svc;
	struct sockaddr_in b, c, sin;
	nvlist_t *limits, *l;
	int l1, l2, p1, p2, bp;
	long s;

	SKIP_UNDER_VALGRIND();
	l1 = listener(&p1);
	l2 = listener(&p2);
	bp = free_port();
	svc = casper_service_find("system.net");
	CHECK(svc != NULL);
	CHECK(casper_service_confine("system.net") == 0);
	/* Confined before any limit or request: the resolver files only. */
	CHECK(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY) < 0);
	CHECK(raw(SYS_openat, AT_FDCWD, "/tmp/capsicum-net-escape",
	    O_WRONLY | O_CREAT, 0600) < 0);
	b = sin4("127.0.0.1", bp);
	c = sin4("127.0.0.1", p1);
	limits = nvlist_create(0);
	nvlist_add_number(limits, "mode", CAPNET_BIND | CAPNET_CONNECT);
	l = nvlist_create(0);
	nvlist_add_binary(l, "0", &b, sizeof(b));
	nvlist_move_nvlist(limits, "bind", l);
	l = nvlist_create(0);
	nvlist_add_binary(l, "0", &c, sizeof(c));
	nvlist_move_nvlist(limits, "connect", l);
	CHECK(svc->cs_limit(NULL, limits) == 0);
	nvlist_destroy(limits);

	CHECK_OK(s = raw(SYS_socket, AF_INET, SOCK_STREAM, 0));
	sin = sin4("127.0.0.1", p2);
	CHECK_ERR(raw(SYS_connect, s, &sin, sizeof(sin)), EACCES);
	CHECK_OK(raw(SYS_connect, s, &c, sizeof(c)));
	raw(SYS_close, s);
	CHECK_OK(s = raw(SYS_socket, AF_INET, SOCK_STREAM, 0));
	sin = sin4("127.0.0.1", 0);
	CHECK_ERR(raw(SYS_bind, s, &sin, sizeof(sin)), EACCES);
	CHECK_OK(raw(SYS_bind, s, &b, sizeof(b)));
	raw(SYS_close, s);
	CHECK(raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0) < 0);
	CHECK(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY) < 0);
	CHECK_OK(s = raw(SYS_openat, AT_FDCWD, "/etc/hosts", O_RDONLY));
	raw(SYS_close, s);
	close(l1);
	close(l2);
	_exit(0);
}

Test(net, sandbox_escapes)
{
	SANDBOXED(sandbox_child, NULL);
}
