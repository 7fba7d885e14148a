/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * FreeBSD's bindat(2) and connectat(2): unix sockets named relative to a
 * directory capability, in and out of capability mode, with the rights
 * CAP_BINDAT/CAP_CONNECTAT (directory) and CAP_BIND/CAP_CONNECT (socket)
 * checked by the kernel and names resolved beneath the directory.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/capsicum.h>

#include "harness.h"
#include "escape/tree.h"
#include "capsicum/policy.h"

static socklen_t
addr(struct sockaddr_un *sun, const char *name)
{

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", name);
	return ((socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name) + 1));
}

static int
usock(void)
{
	int s;

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(s >= 0);
	return (s);
}

/* A fresh directory with a subdirectory sub. */
static char *
sub_new(void)
{
	char *d = test_tmpdir();

	tree_mkdir(d, "sub");
	tree_open_to_all(d);
	return (d);
}

#define	IN_DIR(fn)	IN_TREE_OF(sub_new, fn, 20)

/* Both ends: bind and listen, connect, accept, one byte across. */
static void
pair(int dir, const char *name)
{
	struct sockaddr_un sun;
	socklen_t len;
	int l, c, a;
	char b;

	len = addr(&sun, name);
	l = usock();
	CHECK(bindat(dir, l, (struct sockaddr *)&sun, len) == 0);
	CHECK(listen(l, 1) == 0);
	c = usock();
	CHECK(connectat(dir, c, (struct sockaddr *)&sun, len) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(write(c, "z", 1) == 1 && read(a, &b, 1) == 1 && b == 'z');
	close(a);
	close(c);
	close(l);
}

static void
outside(void *arg)
{
	struct sockaddr_un sun;
	int dir;

	dir = open(arg, O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	pair(dir, "s1");
	pair(dir, "sub/s2");
	pair(AT_FDCWD, "/tmp/capsicum-sockat-test");
	unlink("/tmp/capsicum-sockat-test");
	CHECK_LIBC_ERR(bindat(dir, usock(), (struct sockaddr *)&sun,
	    addr(&sun, "missing/s")), ENOENT);
	CHECK_LIBC_ERR(bindat(-5, usock(), (struct sockaddr *)&sun,
	    addr(&sun, "s")), EBADF);
	sun.sun_family = AF_INET;
	CHECK_LIBC_ERR(bindat(dir, usock(), (struct sockaddr *)&sun,
	    sizeof(sun)), EAFNOSUPPORT);
}

Test(sockat, outside_capability_mode)
{
	IN_DIR(outside);
}

static void
inside(void *arg)
{
	struct sockaddr_un sun;
	cap_rights_t r;
	int dir, nobind, s, nos;

	dir = open(arg, O_RDONLY | O_DIRECTORY);
	nobind = open(arg, O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0 && nobind >= 0);
	CHECK(cap_rights_limit(dir, cap_rights_init(&r, CAP_BINDAT,
	    CAP_CONNECTAT, CAP_LOOKUP)) == 0);
	CHECK(cap_rights_limit(nobind, cap_rights_init(&r, CAP_LOOKUP,
	    CAP_CONNECTAT)) == 0);
	nos = usock();
	CHECK(cap_rights_limit(nos, cap_rights_init(&r, CAP_LISTEN)) == 0);
	SKIP_UNDER_VALGRIND();
	capmode_enter();
	pair(dir, "s1");
	pair(dir, "sub/s2");
	s = usock();
	/* The directory's and the socket's rights, from the kernel. */
	CHECK_LIBC_ERR(bindat(nobind, s, (struct sockaddr *)&sun,
	    addr(&sun, "s3")), ENOTCAPABLE);
	CHECK_LIBC_ERR(bindat(dir, nos, (struct sockaddr *)&sun,
	    addr(&sun, "s4")), ENOTCAPABLE);
	CHECK_ERR(raw(CAPSICUM_BINDAT_NR, nobind, s, &sun, addr(&sun, "s3")),
	    ENOTCAPABLE);
	/* Names stay beneath the directory. */
	CHECK_LIBC_ERR(bindat(dir, s, (struct sockaddr *)&sun,
	    addr(&sun, "../escape")), ENOTCAPABLE);
	CHECK_LIBC_ERR(bindat(dir, s, (struct sockaddr *)&sun,
	    addr(&sun, "/tmp/escape")), ENOTCAPABLE);
	CHECK_LIBC_ERR(connectat(dir, s, (struct sockaddr *)&sun,
	    addr(&sun, "sub/../../x")), ENOTCAPABLE);
	CHECK_LIBC_ERR(bindat(dir, s, (struct sockaddr *)&sun,
	    addr(&sun, "..")), EINVAL);
	CHECK_LIBC_ERR(connectat(dir, s, (struct sockaddr *)&sun,
	    addr(&sun, "nobody")), ENOENT);
	/* The global namespace stays closed. */
	CHECK_LIBC_ERR(bindat(AT_FDCWD, s, (struct sockaddr *)&sun,
	    addr(&sun, "/tmp/x")), ECAPMODE);
	CHECK_ERR(raw(SYS_bind, s, &sun, addr(&sun, "x")), ECAPMODE);
	CHECK_ERR(raw(SYS_connect, s, &sun, addr(&sun, "x")), ECAPMODE);
	CHECK_ERR(raw(CAPSICUM_BINDAT_NR, AT_FDCWD, s, &sun, addr(&sun, "x")),
	    ECAPMODE);
	CHECK_ERR(raw(CAPSICUM_CONNECTAT_NR, dir, s, (void *)8, 20), EFAULT);
	sun.sun_family = AF_INET;
	CHECK_ERR(raw(CAPSICUM_BINDAT_NR, dir, s, &sun, sizeof(sun)),
	    EAFNOSUPPORT);
}

Test(sockat, inside_capability_mode)
{
	IN_DIR(inside);
}
