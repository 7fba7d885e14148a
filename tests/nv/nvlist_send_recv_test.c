/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nvlist_send, nvlist_recv and nvlist_xfer over unix sockets of each type,
 * in one process and across a fork: descriptors arrive open and are
 * closed exactly once; hostile messages fail with the documented errno
 * and every descriptor that came with them is closed.
 */
#include <criterion/criterion.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/nv.h>

#define	BY(x, n)	((unsigned char)(((uint64_t)(x) >> (8 * (n))) & 0xff))
#define	L16(x)	BY(x, 0), BY(x, 1)
#define	L64(x)	BY(x, 0), BY(x, 1), BY(x, 2), BY(x, 3),			\
		BY(x, 4), BY(x, 5), BY(x, 6), BY(x, 7)
#define	LHDR(fl, nd, sz)	0x6c, 0x00, (fl), L64(nd), L64(sz)
#define	LPAIR(t, ns, ds, ni)	(t), L16(ns), L64(ds), L64(ni)

static int
count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n;

	d = opendir("/proc/self/fd");
	cr_assert_not_null(d);
	n = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return (n - 1);
}

static bool
same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) != 0 || fstat(b, &sb) != 0)
		return (false);
	return (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

static void
pair_of(int type, int sv[2])
{

	cr_assert_eq(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
}

static void
close_pair(int sv[2])
{

	close(sv[0]);
	close(sv[1]);
}

/* Send bytes with descriptors attached, the way a hostile peer might. */
static void
raw_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	char cbuf[CMSG_SPACE(16 * sizeof(int))] = { 0 };
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
	}
	cr_assert_eq(sendmsg(sock, &msg, MSG_NOSIGNAL), (ssize_t)len);
}

static nvlist_t *
sample(void)
{
	const char *sa[] = { "a", "bc" };
	uint64_t na[] = { 1, 2, 3 };
	nvlist_t *nvl, *child;
	int fds[2] = { STDIN_FILENO, STDERR_FILENO };

	nvl = nvlist_create(0);
	nvlist_add_null(nvl, "null");
	nvlist_add_bool(nvl, "bool", true);
	nvlist_add_number(nvl, "number", 42);
	nvlist_add_string(nvl, "string", "hello");
	nvlist_add_binary(nvl, "binary", "\0\1", 2);
	nvlist_add_number_array(nvl, "number_array", na, 3);
	nvlist_add_string_array(nvl, "string_array", sa, 2);
	nvlist_append_bool_array(nvl, "bool_array", true);
	nvlist_add_descriptor(nvl, "descriptor", STDOUT_FILENO);
	nvlist_add_descriptor_array(nvl, "descriptor_array", fds, 2);
	child = nvlist_create(0);
	nvlist_add_descriptor(child, "inner", STDIN_FILENO);
	nvlist_append_nvlist_array(nvl, "nvlist_array", child);
	nvlist_append_nvlist_array(nvl, "nvlist_array", child);
	nvlist_move_nvlist(nvl, "nvlist", child);
	cr_assert_eq(nvlist_error(nvl), 0);
	return (nvl);
}

static void
check_sample(const nvlist_t *nvl)
{
	const nvlist_t * const *arr;
	const int *fds;
	size_t n;

	cr_assert(nvlist_exists_null(nvl, "null"));
	cr_assert(nvlist_get_bool(nvl, "bool"));
	cr_assert_eq(nvlist_get_number(nvl, "number"), 42);
	cr_assert_str_eq(nvlist_get_string(nvl, "string"), "hello");
	cr_assert_eq(nvlist_get_number_array(nvl, "number_array", &n)[2], 3);
	cr_assert_str_eq(nvlist_get_string_array(nvl, "string_array",
	    &n)[1], "bc");
	cr_assert(same_file(nvlist_get_descriptor(nvl, "descriptor"),
	    STDOUT_FILENO));
	fds = nvlist_get_descriptor_array(nvl, "descriptor_array", &n);
	cr_assert_eq(n, 2);
	cr_assert(same_file(fds[0], STDIN_FILENO));
	cr_assert(same_file(fds[1], STDERR_FILENO));
	cr_assert(same_file(nvlist_get_descriptor(nvlist_get_nvlist(nvl,
	    "nvlist"), "inner"), STDIN_FILENO));
	arr = nvlist_get_nvlist_array(nvl, "nvlist_array", &n);
	cr_assert_eq(n, 2);
	cr_assert(same_file(nvlist_get_descriptor(arr[1], "inner"),
	    STDIN_FILENO));
}

static void
round_trip(int type)
{
	nvlist_t *nvl, *got;
	int before, sv[2], fd;

	pair_of(type, sv);
	before = count_fds();
	nvl = sample();
	cr_assert_eq(nvlist_send(sv[0], nvl), 0);
	got = nvlist_recv(sv[1], 0);
	cr_assert_not_null(got, "recv: %s", strerror(errno));
	check_sample(got);
	/* The sender's 6 copies, the receiver's 6 received descriptors. */
	cr_assert_eq(count_fds(), before + 12);
	fd = nvlist_get_descriptor(got, "descriptor");
	cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	nvlist_destroy(got);
	cr_assert_eq(count_fds(), before + 6);
	nvlist_destroy(nvl);
	cr_assert_eq(count_fds(), before);
	close_pair(sv);
}

Test(nvlist_send_recv, __every_type__stream)
{

	round_trip(SOCK_STREAM);
}

Test(nvlist_send_recv, __every_type__seqpacket)
{

	round_trip(SOCK_SEQPACKET);
}

Test(nvlist_send_recv, __every_type__dgram)
{

	round_trip(SOCK_DGRAM);
}

Test(nvlist_send_recv, __empty_list__each_type)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	nvlist_t *nvl;
	size_t i;
	int sv[2];

	for (i = 0; i < 3; i++) {
		pair_of(types[i], sv);
		nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
		cr_assert_eq(nvlist_send(sv[0], nvl), 0);
		nvlist_destroy(nvl);
		nvl = nvlist_recv(sv[1], NV_FLAG_NO_UNIQUE);
		cr_assert_not_null(nvl);
		cr_assert(nvlist_empty(nvl));
		nvlist_destroy(nvl);
		close_pair(sv);
	}
}

/*
 * Across processes: the child writes through a received descriptor.
 */
static void
cross_process(int type)
{
	char dir[] = "/tmp/nvtest.XXXXXX", path[64], buf[16];
	nvlist_t *nvl;
	pid_t pid;
	int sv[2], fd, status;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	pair_of(type, sv);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		nvl = nvlist_recv(sv[1], 0);
		if (nvl == NULL || write(nvlist_get_descriptor(nvl, "fd"),
		    nvlist_get_string(nvl, "text"), 5) != 5)
			_exit(1);
		nvlist_add_string(nvl, "reply", "done");
		nvl = nvlist_xfer(sv[1], nvl, 0);
		_exit(nvl == NULL ? 0 : 2);
	}
	close(sv[1]);
	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "fd", fd);
	nvlist_add_string(nvl, "text", "hello");
	cr_assert_eq(nvlist_send(sv[0], nvl), 0);
	nvlist_destroy(nvl);
	nvl = nvlist_recv(sv[0], 0);
	cr_assert_not_null(nvl);
	cr_assert_str_eq(nvlist_get_string(nvl, "reply"), "done");
	cr_assert(same_file(nvlist_get_descriptor(nvl, "fd"), fd));
	nvlist_destroy(nvl);
	close(sv[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(pread(fd, buf, 5, 0), 5);
	cr_assert_eq(memcmp(buf, "hello", 5), 0);
	close(fd);
	unlink(path);
	rmdir(dir);
}

Test(nvlist_send_recv, __descriptor_across_fork__stream)
{

	cross_process(SOCK_STREAM);
}

Test(nvlist_send_recv, __descriptor_across_fork__seqpacket)
{

	cross_process(SOCK_SEQPACKET);
}

/*
 * More descriptors than one SCM_RIGHTS message may carry.
 */
static void
many_fds(int type)
{
	nvlist_t *nvl, *got;
	const int *fds;
	size_t n, i;
	int sv[2], before;

	pair_of(type, sv);
	before = count_fds();
	nvl = nvlist_create(0);
	for (i = 0; i < 300; i++)
		nvlist_append_descriptor_array(nvl, "fds", i % 2 == 0 ?
		    STDIN_FILENO : STDERR_FILENO);
	nvlist_add_descriptor(nvl, "one", STDOUT_FILENO);
	cr_assert_eq(nvlist_error(nvl), 0, "%s", strerror(nvlist_error(nvl)));
	cr_assert_eq(nvlist_send(sv[0], nvl), 0, "send: %s", strerror(errno));
	got = nvlist_recv(sv[1], 0);
	cr_assert_not_null(got, "recv: %s", strerror(errno));
	fds = nvlist_get_descriptor_array(got, "fds", &n);
	cr_assert_eq(n, 300);
	for (i = 0; i < n; i++)
		cr_assert(same_file(fds[i], i % 2 == 0 ? STDIN_FILENO :
		    STDERR_FILENO));
	cr_assert(same_file(nvlist_get_descriptor(got, "one"), STDOUT_FILENO));
	cr_assert_eq(count_fds(), before + 602);
	nvlist_destroy(got);
	nvlist_destroy(nvl);
	cr_assert_eq(count_fds(), before);
	close_pair(sv);
}

Test(nvlist_send_recv, __many_descriptors__stream)
{

	many_fds(SOCK_STREAM);
}

Test(nvlist_send_recv, __many_descriptors__seqpacket)
{

	many_fds(SOCK_SEQPACKET);
}

Test(nvlist_send_recv, __many_descriptors__dgram)
{

	many_fds(SOCK_DGRAM);
}

/*
 * A large message through a stream, with a forked reader so that the
 * socket buffer does not limit the size.
 */
Test(nvlist_send_recv, __large_message__stream)
{
	nvlist_t *nvl, *got;
	const unsigned char *b;
	unsigned char *data;
	size_t size, i;
	pid_t pid;
	int sv[2], status;

	size = 8 << 20;
	data = malloc(size);
	for (i = 0; i < size; i++)
		data[i] = (unsigned char)(i * 7);
	pair_of(SOCK_STREAM, sv);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		nvl = nvlist_create(0);
		nvlist_move_binary(nvl, "b", data, size);
		_exit(nvlist_send(sv[0], nvl) == 0 ? 0 : 1);
	}
	got = nvlist_recv(sv[1], 0);
	cr_assert_not_null(got, "recv: %s", strerror(errno));
	b = nvlist_get_binary(got, "b", &i);
	cr_assert_eq(i, size);
	cr_assert_eq(memcmp(b, data, size), 0);
	nvlist_destroy(got);
	free(data);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close_pair(sv);
}

Test(nvlist_send_recv, __64k_message__seqpacket)
{
	nvlist_t *nvl, *got;
	char *s;
	int sv[2];

	pair_of(SOCK_SEQPACKET, sv);
	s = malloc(65536);
	memset(s, 'x', 65535);
	s[65535] = '\0';
	nvl = nvlist_create(0);
	nvlist_move_string(nvl, "s", s);
	cr_assert_eq(nvlist_send(sv[0], nvl), 0, "%s", strerror(errno));
	got = nvlist_recv(sv[1], 0);
	cr_assert_not_null(got);
	cr_assert_eq(strlen(nvlist_get_string(got, "s")), 65535);
	nvlist_destroy(got);
	nvlist_destroy(nvl);
	close_pair(sv);
}

/*
 * The sender side.
 */
Test(nvlist_send, __golden_bytes_with_descriptor)
{
	const unsigned char want[] = {
		LHDR(0, 1, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
	};
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	unsigned char buf[64];
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct iovec iov;
	nvlist_t *nvl;
	ssize_t n;
	int sv[2], fd;

	pair_of(SOCK_SEQPACKET, sv);
	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "d", STDERR_FILENO);
	cr_assert_eq(nvlist_send(sv[0], nvl), 0);
	nvlist_destroy(nvl);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	n = recvmsg(sv[1], &msg, 0);
	cr_assert_eq(n, (ssize_t)sizeof(want));
	cr_assert_eq(memcmp(buf, want, sizeof(want)), 0);
	cmsg = CMSG_FIRSTHDR(&msg);
	cr_assert_not_null(cmsg);
	cr_assert_eq(cmsg->cmsg_type, SCM_RIGHTS);
	cr_assert_eq(cmsg->cmsg_len, CMSG_LEN(sizeof(int)));
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	cr_assert(same_file(fd, STDERR_FILENO));
	close(fd);
	close_pair(sv);
}

Test(nvlist_send, __list_in_error_fails)
{
	nvlist_t *nvl;
	int sv[2];

	pair_of(SOCK_STREAM, sv);
	nvl = nvlist_create(0);
	nvlist_set_error(nvl, ENOEXEC);
	errno = 0;
	cr_assert_eq(nvlist_send(sv[0], nvl), -1);
	cr_assert_eq(errno, ENOEXEC);
	nvlist_destroy(nvl);
	errno = 0;
	cr_assert_eq(nvlist_send(sv[0], NULL), -1);
	cr_assert_eq(errno, ENOMEM);
	close_pair(sv);
}

Test(nvlist_send, __closed_peer_is_epipe_without_signal)
{
	nvlist_t *nvl;
	int sv[2];

	pair_of(SOCK_STREAM, sv);
	close(sv[1]);
	nvl = nvlist_create(0);
	errno = 0;
	cr_assert_eq(nvlist_send(sv[0], nvl), -1);
	cr_assert_eq(errno, EPIPE);
	nvlist_destroy(nvl);
	close(sv[0]);
}

Test(nvlist_send, __not_a_socket_fails)
{
	nvlist_t *nvl;
	int p[2];

	cr_assert_eq(pipe(p), 0);
	nvl = nvlist_create(0);
	cr_assert_eq(nvlist_send(p[1], nvl), -1);
	cr_assert_eq(errno, ENOTSOCK);
	cr_assert_null(nvlist_recv(p[0], 0));
	cr_assert_eq(errno, ENOTSOCK);
	nvlist_destroy(nvl);
	close(p[0]);
	close(p[1]);
}

Test(nvlist_send, __nonblocking_waits_for_room)
{
	nvlist_t *nvl, *got;
	pid_t pid;
	int sv[2], status;

	pair_of(SOCK_STREAM, sv);
	cr_assert_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		usleep(100000);
		got = nvlist_recv(sv[1], 0);
		status = got != NULL && nvlist_get_number(got, "n") == 7 ? 0 : 1;
		nvlist_destroy(got);
		_exit(status);
	}
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "n", 7);
	nvlist_move_binary(nvl, "big", calloc(1, 4 << 20), 4 << 20);
	cr_assert_eq(nvlist_send(sv[0], nvl), 0, "%s", strerror(errno));
	nvlist_destroy(nvl);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close_pair(sv);
}

/*
 * xfer
 */
Test(nvlist_xfer, __destroys_input_and_returns_reply)
{
	nvlist_t *nvl, *got;
	pid_t pid;
	int sv[2], before, status;

	pair_of(SOCK_SEQPACKET, sv);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		got = nvlist_recv(sv[1], 0);
		if (got == NULL)
			_exit(1);
		nvlist_add_number(got, "answer", 42);
		_exit(nvlist_send(sv[1], got) == 0 ? 0 : 2);
	}
	close(sv[1]);
	before = count_fds();
	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "d", STDIN_FILENO);
	got = nvlist_xfer(sv[0], nvl, 0);
	cr_assert_not_null(got);
	cr_assert_eq(nvlist_get_number(got, "answer"), 42);
	cr_assert_eq(count_fds(), before + 1);	/* the reply's descriptor */
	nvlist_destroy(got);
	cr_assert_eq(count_fds(), before);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sv[0]);
}

Test(nvlist_xfer, __destroys_input_on_failure)
{
	nvlist_t *nvl;
	int sv[2], before;

	pair_of(SOCK_STREAM, sv);
	close(sv[1]);
	before = count_fds();
	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "d", STDIN_FILENO);
	cr_assert_null(nvlist_xfer(sv[0], nvl, 0));
	cr_assert_eq(errno, EPIPE);
	cr_assert_eq(count_fds(), before);
	nvl = nvlist_create(0);
	nvlist_set_error(nvl, E2BIG);
	cr_assert_null(nvlist_xfer(sv[0], nvl, 0));
	cr_assert_eq(errno, E2BIG);
	cr_assert_null(nvlist_xfer(sv[0], NULL, 0));
	cr_assert_eq(errno, ENOMEM);
	close(sv[0]);
}

/*
 * The receiver side, including hostile peers.
 */
Test(nvlist_recv, __end_of_stream_is_enotconn)
{
	int sv[2];

	pair_of(SOCK_STREAM, sv);
	close(sv[0]);
	errno = 0;
	cr_assert_null(nvlist_recv(sv[1], 0));
	cr_assert_eq(errno, ENOTCONN);
	close(sv[1]);
	pair_of(SOCK_SEQPACKET, sv);
	close(sv[0]);
	cr_assert_null(nvlist_recv(sv[1], 0));
	cr_assert_eq(errno, ENOTCONN);
	close(sv[1]);
}

Test(nvlist_recv, __truncated_stream_is_enotconn)
{
	const unsigned char msg[] = {
		LHDR(0, 0, 29),
		LPAIR(3, 2, 8, 0), 'a', 0,
	};
	int sv[2];

	pair_of(SOCK_STREAM, sv);
	raw_send(sv[0], msg, sizeof(msg), NULL, 0);
	close(sv[0]);
	cr_assert_null(nvlist_recv(sv[1], 0));
	cr_assert_eq(errno, ENOTCONN);
	close(sv[1]);
}

Test(nvlist_recv, __invalid_flags_are_einval)
{
	int sv[2];

	pair_of(SOCK_STREAM, sv);
	cr_assert_null(nvlist_recv(sv[1], 0x80));
	cr_assert_eq(errno, EINVAL);
	close_pair(sv);
}

static void
hostile(int type, const void *msg, size_t len, size_t nfds, int error)
{
	int sv[2], before, fds[16];
	size_t i;

	pair_of(type, sv);
	before = count_fds();
	for (i = 0; i < nfds; i++)
		fds[i] = STDERR_FILENO;
	raw_send(sv[0], msg, len, fds, nfds);
	if (type == SOCK_STREAM)
		shutdown(sv[0], SHUT_WR);
	errno = 0;
	cr_assert_null(nvlist_recv(sv[1], 0));
	cr_assert_eq(errno, error, "errno %d (%s), want %d", errno,
	    strerror(errno), error);
	cr_assert_eq(count_fds(), before, "descriptors leaked");
	close_pair(sv);
}

Test(nvlist_recv, __bad_magic_closes_descriptors)
{
	unsigned char msg[] = {
		LHDR(0, 2, 0),
	};

	msg[0] = 'x';
	hostile(SOCK_STREAM, msg, sizeof(msg), 2, EINVAL);
	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 2, EINVAL);
	hostile(SOCK_DGRAM, msg, sizeof(msg), 2, EINVAL);
}

Test(nvlist_recv, __short_record_is_einval)
{

	hostile(SOCK_SEQPACKET, "\x6c\0\0", 3, 1, EINVAL);
	hostile(SOCK_DGRAM, "\x6c", 1, 0, EINVAL);
}

Test(nvlist_recv, __record_size_mismatch_is_einval)
{
	const unsigned char msg[] = {
		LHDR(0, 0, 30),
		LPAIR(3, 2, 8, 0), 'a', 0, L64(1),
	};

	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 1, EINVAL);
}

Test(nvlist_recv, __oversized_message_is_emsgsize)
{
	const unsigned char msg[] = {
		LHDR(0, 0, 1ULL << 40),
	};

	hostile(SOCK_STREAM, msg, sizeof(msg), 1, EMSGSIZE);
}

Test(nvlist_recv, __too_many_descriptors_is_emsgsize)
{
	const unsigned char msg[] = {
		LHDR(0, 5000, 0),
	};

	hostile(SOCK_STREAM, msg, sizeof(msg), 3, EMSGSIZE);
	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 3, EMSGSIZE);
}

Test(nvlist_recv, __more_descriptors_than_announced_is_einval)
{
	const unsigned char msg[] = {
		LHDR(0, 1, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
	};

	hostile(SOCK_STREAM, msg, sizeof(msg), 3, EINVAL);
	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 3, EINVAL);
	hostile(SOCK_DGRAM, msg, sizeof(msg), 3, EINVAL);
}

Test(nvlist_recv, __fewer_descriptors_than_announced_fails)
{
	const unsigned char msg[] = {
		LHDR(0, 2, 58),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
		LPAIR(6, 2, 8, 0), 'e', 0, L64(1),
	};

	hostile(SOCK_STREAM, msg, sizeof(msg), 1, ENOTCONN);
}

Test(nvlist_recv, __repeated_descriptor_index_is_einval)
{
	const unsigned char msg[] = {
		LHDR(0, 2, 58),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
		LPAIR(6, 2, 8, 0), 'e', 0, L64(0),
	};

	hostile(SOCK_STREAM, msg, sizeof(msg), 2, EINVAL);
	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 2, EINVAL);
}

Test(nvlist_recv, __unreferenced_descriptor_is_einval)
{
	const unsigned char msg[] = {
		LHDR(0, 2, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(1),
	};

	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 2, EINVAL);
}

Test(nvlist_recv, __descriptor_index_out_of_range_is_einval)
{
	const unsigned char msg[] = {
		LHDR(0, 1, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(UINT64_MAX),
	};

	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 1, EINVAL);
}

Test(nvlist_recv, __repeated_index_in_array_is_einval)
{
	const unsigned char msg[] = {
		LHDR(0, 2, 40),
		LPAIR(12, 2, 16, 2), 'd', 0, L64(1), L64(1),
	};

	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 2, EINVAL);
}

Test(nvlist_recv, __duplicate_name_closes_descriptors)
{
	const unsigned char msg[] = {
		LHDR(0, 2, 58),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(1),
	};

	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 2, EEXIST);
}

Test(nvlist_recv, __flags_mismatch_is_eilseq)
{
	const unsigned char msg[] = {
		LHDR(NV_FLAG_IGNORE_CASE, 1, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
	};

	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 1, EILSEQ);
}

Test(nvlist_recv, __bad_record_is_dropped_and_stream_stays_in_sync)
{
	nvlist_t *nvl;
	int sv[2], fds[2] = { STDIN_FILENO, STDIN_FILENO }, before;

	pair_of(SOCK_SEQPACKET, sv);
	before = count_fds();
	raw_send(sv[0], "garbage that is long enough", 27, fds, 2);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "n", 5);
	cr_assert_eq(nvlist_send(sv[0], nvl), 0);
	nvlist_destroy(nvl);
	cr_assert_null(nvlist_recv(sv[1], 0));
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(count_fds(), before);
	nvl = nvlist_recv(sv[1], 0);
	cr_assert_not_null(nvl);
	cr_assert_eq(nvlist_get_number(nvl, "n"), 5);
	nvlist_destroy(nvl);
	close_pair(sv);
}

/* FreeBSD's sender puts the descriptors in messages of their own. */
Test(nvlist_recv, __descriptors_after_data_are_accepted)
{
	const unsigned char msg[] = {
		LHDR(0, 1, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
	};
	nvlist_t *nvl;
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET };
	int sv[2], fd, before;
	size_t i;

	for (i = 0; i < 2; i++) {
		pair_of(types[i], sv);
		before = count_fds();
		fd = STDERR_FILENO;
		raw_send(sv[0], msg, sizeof(msg), NULL, 0);
		raw_send(sv[0], "", 1, &fd, 1);
		nvl = nvlist_recv(sv[1], 0);
		cr_assert_not_null(nvl, "recv: %s", strerror(errno));
		cr_assert(same_file(nvlist_get_descriptor(nvl, "d"),
		    STDERR_FILENO));
		cr_assert_eq(count_fds(), before + 1);
		nvlist_destroy(nvl);
		cr_assert_eq(count_fds(), before);
		close_pair(sv);
	}
}

Test(nvlist_recv, __batch_without_descriptors_is_einval)
{
	const unsigned char msg[] = {
		LHDR(0, 1, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
	};
	int sv[2];

	pair_of(SOCK_SEQPACKET, sv);
	raw_send(sv[0], msg, sizeof(msg), NULL, 0);
	raw_send(sv[0], "", 1, NULL, 0);
	cr_assert_null(nvlist_recv(sv[1], 0));
	cr_assert_eq(errno, EINVAL);
	close_pair(sv);
}

Test(nvlist_recv, __nonblocking_socket_waits)
{
	nvlist_t *nvl;
	pid_t pid;
	int sv[2], status;

	pair_of(SOCK_SEQPACKET, sv);
	cr_assert_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		usleep(50000);
		nvl = nvlist_create(0);
		nvlist_add_number(nvl, "n", 1);
		_exit(nvlist_send(sv[0], nvl) == 0 ? 0 : 1);
	}
	nvl = nvlist_recv(sv[1], 0);
	cr_assert_not_null(nvl, "recv: %s", strerror(errno));
	cr_assert_eq(nvlist_get_number(nvl, "n"), 1);
	nvlist_destroy(nvl);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close_pair(sv);
}

Test(nvlist_recv, __receive_timeout_is_eagain)
{
	struct timeval tv = { 0, 50000 };
	int sv[2];

	pair_of(SOCK_STREAM, sv);
	cr_assert_eq(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	errno = 0;
	cr_assert_null(nvlist_recv(sv[1], 0));
	cr_assert_eq(errno, EAGAIN);
	close_pair(sv);
}

Test(nvlist_recv, __credentials_are_ignored)
{
	nvlist_t *nvl;
	int sv[2], on = 1;

	pair_of(SOCK_SEQPACKET, sv);
	cr_assert_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)), 0);
	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "d", STDIN_FILENO);
	cr_assert_eq(nvlist_send(sv[0], nvl), 0);
	nvlist_destroy(nvl);
	nvl = nvlist_recv(sv[1], 0);
	cr_assert_not_null(nvl, "recv: %s", strerror(errno));
	nvlist_destroy(nvl);
	close_pair(sv);
}

/*
 * The receive paths that depend on how the bytes arrive.
 */
Test(nvlist_recv, __stream_split_at_descriptor_boundaries)
{
	const unsigned char msg[] = {
		LHDR(0, 1, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
	};
	size_t cuts[] = { 1, 10, 19, 20, 40 };
	nvlist_t *nvl;
	size_t i;
	int sv[2], fd, before;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		pair_of(SOCK_STREAM, sv);
		before = count_fds();
		fd = STDERR_FILENO;
		raw_send(sv[0], msg, cuts[i], &fd, 1);
		raw_send(sv[0], msg + cuts[i], sizeof(msg) - cuts[i], NULL, 0);
		nvl = nvlist_recv(sv[1], 0);
		cr_assert_not_null(nvl, "cut at %zu: %s", cuts[i],
		    strerror(errno));
		cr_assert(same_file(nvlist_get_descriptor(nvl, "d"),
		    STDERR_FILENO));
		nvlist_destroy(nvl);
		cr_assert_eq(count_fds(), before);
		close_pair(sv);
	}
}

Test(nvlist_recv, __header_only_record_announcing_more_is_einval)
{
	const unsigned char msg[] = {
		LHDR(0, 0, 29),
	};

	hostile(SOCK_SEQPACKET, msg, sizeof(msg), 1, EINVAL);
	hostile(SOCK_DGRAM, msg, sizeof(msg), 0, EINVAL);
}

Test(nvlist_recv, __empty_datagram_is_einval)
{

	hostile(SOCK_DGRAM, "", 0, 0, EINVAL);
}

Test(nvlist_send_recv, __mid_size_messages__each_type)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	nvlist_t *nvl, *got;
	size_t i, len;
	char *s;
	int sv[2];

	for (i = 0; i < 3; i++) {
		/* Around the 4 KiB stack buffer, and well past it. */
		for (len = 4000; len < 40000; len += len < 4200 ? 29 : 9000) {
			pair_of(types[i], sv);
			s = malloc(len + 1);
			memset(s, 'a' + (int)(len % 26), len);
			s[len] = '\0';
			nvl = nvlist_create(0);
			nvlist_move_string(nvl, "s", s);
			nvlist_add_descriptor(nvl, "d", STDIN_FILENO);
			cr_assert_eq(nvlist_send(sv[0], nvl), 0, "%s",
			    strerror(errno));
			got = nvlist_recv(sv[1], 0);
			cr_assert_not_null(got, "type %d, %zu bytes: %s",
			    types[i], len, strerror(errno));
			cr_assert_str_eq(nvlist_get_string(got, "s"), s);
			nvlist_destroy(got);
			nvlist_destroy(nvl);
			close_pair(sv);
		}
	}
}

Test(nvlist_recv, __big_endian_message_with_descriptors)
{
#define	B64(x)	BY(x, 7), BY(x, 6), BY(x, 5), BY(x, 4),			\
		BY(x, 3), BY(x, 2), BY(x, 1), BY(x, 0)
	const unsigned char msg[] = {
		0x6c, 0x00, 0x80, B64(2), B64(87),
		6, 0, 2, B64(8), B64(0), 'd', 0, B64(1),
		12, 0, 2, B64(8), B64(1), 'a', 0, B64(0),
		3, 0, 2, B64(8), B64(0), 'n', 0, B64(0x0102030405060708ULL),
	};
	nvlist_t *nvl;
	int sv[2], fds[2] = { STDIN_FILENO, STDERR_FILENO }, before;
	size_t n;
#undef	B64

	pair_of(SOCK_SEQPACKET, sv);
	before = count_fds();
	raw_send(sv[0], msg, sizeof(msg), fds, 2);
	nvl = nvlist_recv(sv[1], 0);
	cr_assert_not_null(nvl, "recv: %s", strerror(errno));
	cr_assert(same_file(nvlist_get_descriptor(nvl, "d"), STDERR_FILENO));
	cr_assert(same_file(nvlist_get_descriptor_array(nvl, "a", &n)[0],
	    STDIN_FILENO));
	cr_assert_eq(n, 1);
	cr_assert_eq(nvlist_get_number(nvl, "n"), 0x0102030405060708ULL);
	nvlist_destroy(nvl);
	cr_assert_eq(count_fds(), before);
	close_pair(sv);
}

/*
 * A message that announces no descriptors is read without control data
 * (recv(), which stays out of libcapsicum's broker in capability mode):
 * descriptors the peer attached anyway are discarded by the kernel and
 * never installed, and the list itself arrives.
 */
Test(nvlist_recv, __descriptors_on_a_message_announcing_none_are_dropped)
{
	nvlist_t *nvl, *in;
	unsigned char *packed;
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	int sv[2], fds[3], before;
	size_t i, len;

	in = nvlist_create(0);
	nvlist_add_number(in, "n", 42);
	packed = nvlist_pack(in, &len);
	cr_assert_not_null(packed);
	for (i = 0; i < 3; i++) {
		pair_of(types[i], sv);
		before = count_fds();
		fds[0] = fds[1] = fds[2] = STDERR_FILENO;
		raw_send(sv[0], packed, len, fds, 3);
		nvl = nvlist_recv(sv[1], 0);
		cr_assert_not_null(nvl, "type %d: %s", types[i],
		    strerror(errno));
		cr_assert_eq(nvlist_get_number(nvl, "n"), 42);
		cr_assert_eq(count_fds(), before);
		nvlist_destroy(nvl);
		close_pair(sv);
	}
	free(packed);
	nvlist_destroy(in);
}
