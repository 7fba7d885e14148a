/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal to libcasper: the UDP guard of the system.dns service.
 *
 * Landlock (before ABI 10) cannot restrict UDP and seccomp cannot read the
 * address behind connect(2)'s or sendto(2)'s pointer.  dnsguard_start(),
 * called while the service is still unconfined and single-threaded, forks
 * a supervisor and installs a seccomp user-notification filter on the
 * service: every connect, every sendto with an address, every sendmsg and
 * sendmmsg stops in the kernel and the supervisor, after checking the
 * destination against the name servers of resolv.conf, performs the call
 * itself on a copy of the socket (pidfd_getfd) with its own copies of the
 * arguments.  The service's call is never let through
 * (no SECCOMP_USER_NOTIF_FLAG_CONTINUE), so no pointer is read twice.
 */
#ifndef _CASPER_DNSGUARD_H_
#define	_CASPER_DNSGUARD_H_

/* 0, or an errno value (the service must then not start). */
int	dnsguard_start(void);

#endif /* !_CASPER_DNSGUARD_H_ */
