/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The WITHOUT_CASPER fallbacks of <libcasper.h>, <casper/cap_random.h>
 * and <casper/cap_netdb.h>: same signatures as the real functions, plain
 * descriptors and libc calls, limits that succeed and free what they are
 * given.  The other service headers have their own fallback tests
 * (net_nocasper_test.c, sys_nocasper_test.c); here they are only all
 * included together, which must compile.
 */
#define	WITHOUT_CASPER

#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include <criterion/criterion.h>

#include <libcasper.h>
#include <casper/cap_random.h>
#include <casper/cap_netdb.h>
/* Every service header compiles in one file without Casper. */
#include <casper/cap_dns.h>
#include <casper/cap_fileargs.h>
#include <casper/cap_grp.h>
#include <casper/cap_net.h>
#include <casper/cap_pwd.h>
#include <casper/cap_sysctl.h>
#include <casper/cap_syslog.h>

#ifdef WITH_CASPER
#error "WITHOUT_CASPER must leave WITH_CASPER undefined"
#endif
#if CASPER_SUPPORT != 0
#error "CASPER_SUPPORT must be 0 without Casper"
#endif

/* Exactly the real signatures. */
static cap_channel_t *(*const init_p)(void) = cap_init;
static cap_channel_t *(*const wrap_p)(int, int) = cap_wrap;
static int (*const unwrap_p)(cap_channel_t *, int *) = cap_unwrap;
static cap_channel_t *(*const clone_p)(const cap_channel_t *) = cap_clone;
static void (*const close_p)(cap_channel_t *) = cap_close;
static int (*const sock_p)(const cap_channel_t *) = cap_sock;
static int (*const flags_p)(const cap_channel_t *) = cap_channel_flags;
static int (*const lset_p)(const cap_channel_t *, nvlist_t *) =
    cap_limit_set;
static int (*const lget_p)(const cap_channel_t *, nvlist_t **) =
    cap_limit_get;
static int (*const send_p)(const cap_channel_t *, const nvlist_t *) =
    cap_send_nvlist;
static nvlist_t *(*const recv_p)(const cap_channel_t *) = cap_recv_nvlist;
static nvlist_t *(*const xfer_p)(const cap_channel_t *, nvlist_t *) =
    cap_xfer_nvlist;
static cap_channel_t *(*const open_p)(const cap_channel_t *,
    const char *) = cap_service_open;
static int (*const slimit_p)(const cap_channel_t *, const char *const *,
    size_t) = cap_service_limit;
static int (*const random_p)(cap_channel_t *, void *, size_t) =
    cap_random_buf;
static struct protoent *(*const proto_p)(cap_channel_t *, const char *) =
    cap_getprotobyname;

Test(nocasper, channels)
{
	cap_channel_t *cas, *svc, *w, *c;
	int sv[2], flags;

	cr_assert((cas = init_p()) != NULL);
	cr_assert_eq(sock_p(cas), -1);
	cr_assert((svc = open_p(cas, "system.random")) != NULL);
	cr_assert_eq(flags_p(svc), 0);
	cr_assert((c = clone_p(cas)) != NULL);
	cr_assert_eq(sock_p(c), -1);
	close_p(c);
	close_p(svc);
	cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	cr_assert_null(wrap_p(-1, 0));
	cr_assert_null(wrap_p(sv[0], 0x100));
	cr_assert((w = wrap_p(sv[0], CASPER_NO_UNIQ)) != NULL);
	cr_assert_eq(sock_p(w), sv[0]);
	cr_assert_eq(flags_p(w), CASPER_NO_UNIQ);
	cr_assert((c = clone_p(w)) != NULL);
	cr_assert(sock_p(c) >= 0 && sock_p(c) != sv[0]);
	close_p(c);
	flags = 0;
	cr_assert_eq(unwrap_p(w, &flags), sv[0]);
	cr_assert_eq(flags, CASPER_NO_UNIQ);
	close(sv[0]);
	close(sv[1]);
	close_p(NULL);
	close_p(cas);
}

Test(nocasper, limits_and_nvlists)
{
	const char *names[] = { "system.random" };
	cap_channel_t *cas;
	nvlist_t *l, *r;

	cr_assert((cas = init_p()) != NULL);
	l = nvlist_create(0);
	nvlist_add_bool(l, "x", true);
	cr_assert_eq(lset_p(cas, l), 0);	/* frees l (LeakSanitizer) */
	cr_assert_eq(lget_p(cas, &r), 0);
	cr_assert(r != NULL && nvlist_empty(r));
	nvlist_destroy(r);
	cr_assert_eq(slimit_p(cas, names, 1), 0);
	l = nvlist_create(0);
	cr_assert_eq(send_p(cas, l), 0);
	nvlist_destroy(l);
	cr_assert((r = recv_p(cas)) != NULL && nvlist_empty(r));
	nvlist_destroy(r);
	cr_assert((r = xfer_p(cas, nvlist_create(0))) != NULL);
	nvlist_destroy(r);
	cap_close(cas);
}

Test(nocasper, services_are_libc)
{
	unsigned char a[64], b[64];
	struct protoent *pe;
	cap_channel_t *cas;

	cas = cap_init();
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	cr_assert_eq(random_p(cas, a, sizeof(a)), 0);
	cr_assert_eq(random_p(NULL, b, sizeof(b)), 0);
	cr_assert(memcmp(a, b, sizeof(a)) != 0);
	cr_assert((pe = proto_p(cas, "tcp")) != NULL);
	cr_assert_eq(pe->p_proto, 6);
	cr_assert_null(proto_p(NULL, "no-such-protocol"));
	cap_close(cas);
}
