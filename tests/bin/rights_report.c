/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helper, run through exec: report what libcapsicum believes about
 * the descriptors named on the command line ("m": the capability mode;
 * "r<fd>": what one raw recvmsg on fd receives).
 * Built static (a program exec'd in capability mode cannot open shared
 * libraries by path).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <sys/capsicum.h>

/* One raw recvmsg with room for descriptors: what arrived. */
static void
recv_report(int fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct iovec iov;
	struct msghdr m;
	struct cmsghdr *c;
	char byte;
	long n;
	int nfds;

	memset(&m, 0, sizeof(m));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.b;
	m.msg_controllen = sizeof(u.b);
	n = syscall(SYS_recvmsg, fd, &m, 0);
	if (n < 0) {
		printf("recv error %d\n", errno);
		return;
	}
	nfds = 0;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			nfds += (int)((c->cmsg_len - CMSG_LEN(0)) /
			    sizeof(int));
	printf("recv %ld fds %d ctrunc %d\n", n, nfds,
	    (m.msg_flags & MSG_CTRUNC) != 0);
}

int
main(int argc, char **argv)
{
	cap_rights_t r;
	uint32_t fcntls;
	unsigned int mode;
	int i, fd;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == 'r') {
			recv_report(atoi(argv[i] + 1));
			continue;
		}
		if (argv[i][0] == 'm') {
			if (cap_getmode(&mode) != 0)
				return (2);
			printf("mode %u\n", mode);
			continue;
		}
		fd = atoi(argv[i]);
		if (cap_rights_get(fd, &r) != 0 ||
		    cap_fcntls_get(fd, &fcntls) != 0) {
			printf("fd %d: error\n", fd);
			continue;
		}
		printf("fd %d: 0x%016llx 0x%016llx fcntls 0x%x ioctls %zd\n",
		    fd, (unsigned long long)r.cr_rights[0],
		    (unsigned long long)r.cr_rights[1], fcntls,
		    cap_ioctls_get(fd, NULL, 0));
	}
	fflush(stdout);
	return (0);
}
