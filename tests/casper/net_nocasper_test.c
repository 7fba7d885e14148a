/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The WITHOUT_CASPER fallbacks of <casper/cap_dns.h>, <casper/cap_net.h>
 * and <casper/cap_fileargs.h>: every call is the libc call with the same
 * signature, limits succeed, and both resolver headers coexist.
 */
#define	WITHOUT_CASPER

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <libcasper.h>
#include <casper/cap_dns.h>
#include <casper/cap_net.h>
#include <casper/cap_fileargs.h>

#ifdef WITH_CASPER
#error "WITHOUT_CASPER must leave WITH_CASPER undefined"
#endif

/* The fallbacks must have exactly the real signatures. */
static int (*const gai_p)(cap_channel_t *, const char *, const char *,
    const struct addrinfo *, struct addrinfo **) = cap_getaddrinfo;
static int (*const gni_p)(cap_channel_t *, const struct sockaddr *,
    socklen_t, char *, size_t, char *, size_t, int) = cap_getnameinfo;
static int (*const bind_p)(cap_channel_t *, int, const struct sockaddr *,
    socklen_t) = cap_bind;
static int (*const open_p)(fileargs_t *, const char *) = fileargs_open;

Test(dns_nocasper, lookups_are_libc)
{
	struct addrinfo hints, *res;
	struct sockaddr_in sin;
	struct hostent *hp;
	struct in_addr lo;
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	cap_channel_t *chan;

	cr_assert_eq(CASPER_SUPPORT, 0);
	chan = cap_init();
	cr_assert_not_null(chan);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	cr_assert_eq(gai_p(chan, "localhost", "80", &hints, &res), 0);
	cr_assert_eq(res->ai_family, AF_INET);
	cr_assert_eq(ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port), 80);
	freeaddrinfo(res);
	cr_assert_eq(cap_getaddrinfo(chan, "no.such.name.invalid", NULL,
	    &hints, &res), EAI_NONAME);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(gni_p(chan, (struct sockaddr *)&sin, sizeof(sin), host,
	    sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV),
	    0);
	cr_assert_str_eq(host, "127.0.0.1");
	cr_assert_str_eq(serv, "53");
	cr_assert_eq(cap_getnameinfo(chan, (struct sockaddr *)&sin, 1, host,
	    sizeof(host), NULL, 0, 0), EAI_FAMILY);

	hp = cap_gethostbyname(chan, "localhost");
	cr_assert_not_null(hp);
	cr_assert_eq(hp->h_addrtype, AF_INET);
	hp = cap_gethostbyname2(chan, "localhost", AF_INET);
	cr_assert_not_null(hp);
	lo.s_addr = htonl(INADDR_LOOPBACK);
	hp = cap_gethostbyaddr(chan, &lo, sizeof(lo), AF_INET);
	cr_assert_not_null(hp);
	cr_assert_null(cap_gethostbyaddr(chan, &lo, 3, AF_INET));

	cr_assert_eq(cap_dns_type_limit(chan, (const char *[]){ "ADDR2NAME" },
	    1), 0);
	cr_assert_eq(cap_dns_family_limit(chan, (const int[]){ AF_INET6 }, 1),
	    0);
	/* The limits are no-ops: forward lookups still work. */
	cr_assert_eq(cap_getaddrinfo(chan, "localhost", NULL, &hints, &res),
	    0);
	freeaddrinfo(res);
	cap_close(chan);
}

Test(net_nocasper, bind_connect_and_limits)
{
	struct sockaddr_in sin;
	socklen_t len;
	cap_net_limit_t *limit;
	cap_channel_t *chan;
	int s, c;

	chan = cap_init();
	cr_assert_not_null(chan);
	limit = cap_net_limit_init(chan, CAPNET_BIND);
	cr_assert_not_null(limit);
	cr_assert_eq(cap_net_limit_bind(limit, NULL, 0), limit);
	cr_assert_eq(cap_net_limit_connect(limit, NULL, 0), limit);
	cr_assert_eq(cap_net_limit_addr2name(limit, NULL, 0), limit);
	cr_assert_eq(cap_net_limit_name2addr(limit, "x", NULL), limit);
	cr_assert_eq(cap_net_limit_addr2name_family(limit,
	    (int[]){ AF_INET }, 1), limit);
	cr_assert_eq(cap_net_limit_name2addr_family(limit,
	    (int[]){ AF_INET }, 1), limit);
	cr_assert_eq(cap_net_limit(limit), 0);
	cap_net_free(cap_net_limit_init(chan, 0));

	/* Limits were no-ops: connect works although only bind was named. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind_p(chan, s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(s, 1), 0);
	len = sizeof(sin);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(cap_connect(chan, c, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	/* Errors are libc's. */
	cr_assert_eq(cap_bind(chan, s, (struct sockaddr *)&sin, sizeof(sin)),
	    -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(cap_connect(chan, -1, (struct sockaddr *)&sin,
	    sizeof(sin)), -1);
	cr_assert_eq(errno, EBADF);
	close(c);
	close(s);

	/* cap_net.h's resolver calls are the same libc calls. */
	{
		struct addrinfo *res;

		cr_assert_eq(cap_getaddrinfo(chan, "127.0.0.1", NULL, NULL,
		    &res), 0);
		freeaddrinfo(res);
	}
	cap_close(chan);
}

static char fa_dir[] = "/tmp/casper-fanc.XXXXXX";

static void
fa_setup(void)
{
	char path[PATH_MAX];
	int fd;

	cr_assert_not_null(mkdtemp(fa_dir));
	snprintf(path, sizeof(path), "%s/a", fa_dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "hello\n", 6), 6);
	close(fd);
	cr_assert_eq(chdir(fa_dir), 0);
}

static void
fa_teardown(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/a", fa_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/new", fa_dir);
	unlink(path);
	rmdir(fa_dir);
}

Test(fileargs_nocasper, operations_are_libc, .init = fa_setup,
    .fini = fa_teardown)
{
	char *argv[] = { "a", NULL };
	char buf[PATH_MAX], *rp;
	struct stat st;
	cap_rights_t rights;
	cap_channel_t *chan;
	fileargs_t *fa;
	nvlist_t *nvl;
	FILE *fp;
	int fd, flags;

	fa = fileargs_init(1, argv, O_RDONLY, 0,
	    cap_rights_init(&rights, CAP_READ), FA_OPEN);
	cr_assert_not_null(fa);
	fd = open_p(fa, "a");
	cr_assert_geq(fd, 0);
	cr_assert_eq(read(fd, buf, 6), 6);
	close(fd);
	cr_assert_eq(fileargs_open(fa, "missing"), -1);
	cr_assert_eq(errno, ENOENT);
	fp = fileargs_fopen(fa, "a", "r");
	cr_assert_not_null(fp);
	fclose(fp);
	cr_assert_eq(fileargs_lstat(fa, "a", &st), 0);
	cr_assert_eq(st.st_size, 6);
	rp = fileargs_realpath(fa, "a", buf);
	cr_assert_eq(rp, buf);
	cr_assert(strstr(buf, "/a") != NULL);
	rp = fileargs_realpath(fa, "a", NULL);
	cr_assert_not_null(rp);
	free(rp);
	cr_assert_null(fileargs_realpath(fa, "missing", NULL));
	fileargs_free(fa);
	fileargs_free(NULL);

	/* The flags and mode given at init are those of every open. */
	fa = fileargs_cinit(NULL, 0, NULL, O_WRONLY | O_CREAT, 0600, NULL,
	    FA_OPEN);
	cr_assert_not_null(fa);
	fd = fileargs_open(fa, "new");
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	close(fd);
	chan = fileargs_unwrap(fa, &flags);
	cr_assert_eq(flags, O_WRONLY | O_CREAT);
	cr_assert_not_null(chan);
	fa = fileargs_wrap(chan, O_RDONLY);
	cr_assert_not_null(fa);
	fd = fileargs_open(fa, "a");
	cr_assert_geq(fd, 0);
	close(fd);
	fileargs_free(fa);

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "flags", O_RDONLY);
	fa = fileargs_initnv(nvl);
	cr_assert_not_null(fa);
	fd = fileargs_open(fa, "a");
	cr_assert_geq(fd, 0);
	close(fd);
	fileargs_free(fa);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "flags", O_RDONLY);
	fa = fileargs_cinitnv(NULL, nvl);
	cr_assert_not_null(fa);
	fileargs_free(fa);
}
