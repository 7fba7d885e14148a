/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nv_impl_recv_seqpacket(), libcasper's one-call receive on SOCK_SEQPACKET
 * sockets (lib/nv/msgio.c): every test of nvlist_send_recv_test.c again,
 * with each nvlist_recv() on a SOCK_SEQPACKET socket going through it
 * (other socket types keep nvlist_recv()), plus the cases of its own: a
 * message larger than the part of the buffer it keeps, and one per thread.
 */
#include <sys/socket.h>

#include <pthread.h>

#include <sys/nv.h>

#include "nv/nv_impl.h"

static nvlist_t *
recv_any(int sock, int flags)
{
	socklen_t len;
	int type;

	len = sizeof(type);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_SEQPACKET)
		return (nv_impl_recv_seqpacket(sock, flags));
	return (nvlist_recv(sock, flags));
}

#define	nvlist_recv(sock, flags)	recv_any((sock), (flags))

#include "nvlist_send_recv_test.c"

#undef nvlist_recv

/* Larger than the 64 KiB the buffer keeps; then a small one again. */
Test(nv_impl_recv_seqpacket, __large_then_small)
{
	static char big[300000];
	nvlist_t *nvl, *got;
	int sv[2], sndbuf;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	sndbuf = 1 << 20;
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf));
	memset(big, 'x', sizeof(big) - 1);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "big", big);
	nvlist_add_descriptor(nvl, "fd", sv[0]);
	cr_assert_eq(nvlist_send(sv[0], nvl), 0, "%s", strerror(errno));
	nvlist_destroy(nvl);
	got = nv_impl_recv_seqpacket(sv[1], 0);
	cr_assert_not_null(got, "%s", strerror(errno));
	cr_assert_str_eq(nvlist_get_string(got, "big"), big);
	cr_assert(same_file(nvlist_get_descriptor(got, "fd"), sv[0]));
	nvlist_destroy(got);

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "n", 7);
	cr_assert_eq(nvlist_send(sv[0], nvl), 0);
	nvlist_destroy(nvl);
	got = nv_impl_recv_seqpacket(sv[1], 0);
	cr_assert_not_null(got);
	cr_assert_eq(nvlist_get_number(got, "n"), 7);
	nvlist_destroy(got);
	cr_assert_null(nv_impl_recv_seqpacket(sv[1], 0x100));
	cr_assert_eq(errno, EINVAL);
	close(sv[0]);
	cr_assert_null(nv_impl_recv_seqpacket(sv[1], 0));
	cr_assert_eq(errno, ENOTCONN);
	close(sv[1]);
}

/* Each thread has a buffer of its own; messages do not mix. */
struct thr {
	int	sock;
	int	n;
	bool	ok;
};

static void *
thr_main(void *arg)
{
	struct thr *t = arg;
	nvlist_t *got;
	int i;

	t->ok = true;
	for (i = 0; i < 200; i++) {
		got = nv_impl_recv_seqpacket(t->sock, 0);
		if (got == NULL || nvlist_get_number(got, "n") !=
		    (uint64_t)(t->n * 1000 + i))
			t->ok = false;
		nvlist_destroy(got);
	}
	return (NULL);
}

Test(nv_impl_recv_seqpacket, __per_thread)
{
	struct thr t[2];
	pthread_t th[2];
	nvlist_t *nvl;
	int sv[2][2], i, k;

	for (k = 0; k < 2; k++) {
		cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv[k]), 0);
		t[k].sock = sv[k][1];
		t[k].n = k;
		cr_assert_eq(pthread_create(&th[k], NULL, thr_main, &t[k]), 0);
	}
	for (i = 0; i < 200; i++) {
		for (k = 0; k < 2; k++) {
			nvl = nvlist_create(0);
			nvlist_add_number(nvl, "n", (uint64_t)(k * 1000 + i));
			cr_assert_eq(nvlist_send(sv[k][0], nvl), 0);
			nvlist_destroy(nvl);
		}
	}
	for (k = 0; k < 2; k++) {
		cr_assert_eq(pthread_join(th[k], NULL), 0);
		cr_assert(t[k].ok);
		close(sv[k][0]);
		close(sv[k][1]);
	}
}
