/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system's <sys/socket.h> plus FreeBSD's
 * bindat(2) and connectat(2), which name a unix-domain socket relative to
 * a directory descriptor and work in capability mode (libcapsicum).
 */
#ifndef _CAPSICUM_SYS_SOCKET_H_
#define	_CAPSICUM_SYS_SOCKET_H_

#include_next <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

int	bindat(int fd, int s, const struct sockaddr *addr, socklen_t addrlen);
int	connectat(int fd, int s, const struct sockaddr *name,
	    socklen_t namelen);

#ifdef __cplusplus
}
#endif

#endif /* !_CAPSICUM_SYS_SOCKET_H_ */
