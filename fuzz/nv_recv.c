/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for nvlist_recv() over a socketpair.
 *
 * Input: byte 0 picks the socket type (bit 0: stream or seqpacket) and
 * the receive flags (bits 1-2); byte 1 picks how many descriptors ride
 * with the data (bits 0-2, up to 7) and how many one-byte messages with
 * a descriptor each follow it (bits 3-4); the rest is the message.  The
 * sending end is closed afterwards, so a receiver that wants more sees
 * end-of-file rather than blocking.
 *
 * Besides the sanitizers, the harness aborts when a descriptor is left
 * open after the received list (if any) is destroyed: every descriptor
 * that arrives must be owned by the list or closed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/nv.h>

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define	FD_SCAN		64	/* descriptors checked for leaks */

static int	devnull = -1;

/*
 * Write one seed.  With ndesc > 0 the list's first pair must be a number
 * holding 0: it is retyped into a descriptor pair with index 0, and the
 * header's descriptor count set, since nvlist_pack() refuses descriptors.
 */
static void
write_seed(const char *dir, const char *name, unsigned char b0,
    unsigned char b1, const nvlist_t *nvl, int ndesc)
{
	char path[4096];
	unsigned char *buf;
	uint64_t n;
	size_t size;
	FILE *fp;

	buf = nvlist_pack(nvl, &size);
	if (buf == NULL)
		return;
	if (ndesc > 0) {
		n = (uint64_t)ndesc;
		memcpy(buf + 3, &n, sizeof(n));
		buf[19] = NV_TYPE_DESCRIPTOR;
	}
	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	fp = fopen(path, "w");
	if (fp != NULL) {
		fwrite(&b0, 1, 1, fp);
		fwrite(&b1, 1, 1, fp);
		fwrite(buf, 1, size, fp);
		fclose(fp);
	}
	free(buf);
}

static void
write_seeds(const char *dir)
{
	nvlist_t *nvl, *child;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "fd", 0);
	nvlist_add_string(nvl, "cmd", "open");
	write_seed(dir, "plain-stream", 0, 0, nvl, 0);
	write_seed(dir, "fd-stream", 0, 1, nvl, 1);
	write_seed(dir, "fd-seqpacket", 1, 1, nvl, 1);
	write_seed(dir, "fd-after-data", 1, 1 << 3, nvl, 1);
	child = nvlist_create(0);
	nvlist_add_number(child, "x", 1);
	nvlist_append_nvlist_array(nvl, "arr", child);
	nvlist_move_nvlist(nvl, "child", child);
	write_seed(dir, "nested", 1, 1, nvl, 1);
	nvlist_destroy(nvl);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir;

	(void)argc;
	(void)argv;
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull == -1)
		abort();
	dir = getenv("NV_FUZZ_SEED_DIR");
	if (dir != NULL)
		write_seeds(dir);
	return (0);
}

static void
send_with_fds(int sock, const void *buf, size_t len, int nfds)
{
	char cbuf[CMSG_SPACE(8 * sizeof(int))] = { 0 };
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	int fds[8], i;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		for (i = 0; i < nfds; i++)
			fds[i] = devnull;
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, (size_t)nfds * sizeof(int));
	}
	(void)sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/*
 * The open descriptors are compared before and after each input, not
 * against a snapshot taken once: libFuzzer itself opens some along the
 * way (pipes to its symbolizer, for one).
 */
static void
snapshot(bool *open)
{
	int fd;

	for (fd = 0; fd < FD_SCAN; fd++)
		open[fd] = fcntl(fd, F_GETFD) != -1;
}

static void
check_leaks(const bool *before)
{
	int fd;

	for (fd = 0; fd < FD_SCAN; fd++) {
		if (!before[fd] && fcntl(fd, F_GETFD) != -1) {
			fprintf(stderr, "nv_recv: descriptor %d leaked\n", fd);
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool before[FD_SCAN];
	nvlist_t *nvl, *again;
	int sv[2], tv[2], type, flags, i, extra;

	if (size < 2)
		return (0);
	snapshot(before);
	type = (data[0] & 1) != 0 ? SOCK_SEQPACKET : SOCK_STREAM;
	flags = (data[0] >> 1) & 3;
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	send_with_fds(sv[0], data + 2, size - 2, data[1] & 7);
	extra = (data[1] >> 3) & 3;
	for (i = 0; i < extra; i++)
		send_with_fds(sv[0], "", 1, 1);
	close(sv[0]);
	nvl = nvlist_recv(sv[1], flags);
	close(sv[1]);
	if (nvl != NULL) {
		/* What was accepted must travel again. */
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    tv) != 0)
			abort();
		if (nvlist_send(tv[0], nvl) != 0)
			abort();
		again = nvlist_recv(tv[1], flags);
		if (again == NULL)
			abort();
		nvlist_destroy(again);
		nvlist_destroy(nvl);
		close(tv[0]);
		close(tv[1]);
	}
	check_leaks(before);
	return (0);
}
