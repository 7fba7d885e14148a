/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The zygote: a small, clean fork of Casper that forks the service
 * processes, so that they do not inherit what Casper accumulates.
 *
 * It dies with Casper (PR_SET_PDEATHSIG, and end of file on its socket).
 * Each service is pdforked; its process descriptor is sent to the service
 * itself over the new channel, as on FreeBSD, so the service lives while
 * its clients keep a connection, whatever happens to Casper.
 *
 * The zygote is not confined (each service builds its sandbox from
 * scratch, and a domain inherited from here would bound them all), so it
 * parses nothing: Casper, which does parse what the application sends,
 * names a service by its index in the registry they share (both are forks
 * of the application), one 32-bit number per message.  Anything else is
 * refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/procdesc.h>

#include "casper_impl.h"

static int zygote_sock = -1;

static void __attribute__((noreturn))
service_child(const struct casper_service *svc, int sock)
{
	nvlist_t *nvl;
	int procfd;

	(void)close(zygote_sock);
	procfd = -1;
	/* The zygote sends our own process descriptor first. */
	if ((nvl = nvlist_recv(sock, 0)) == NULL)
		_exit(1);
	if (nvlist_exists_descriptor(nvl, "procfd"))
		procfd = nvlist_take_descriptor(nvl, "procfd");
	nvlist_destroy(nvl);
	if (procfd < 0)
		_exit(1);
	casper_service_main(svc, sock, procfd);
}

/* Fork a process for the service; its channel end or -errno. */
static int
spawn(const struct casper_service *svc)
{
	nvlist_t *nvl;
	int sv[2], pd, error;
	pid_t pid;

	if (socketpair(AF_UNIX, CASPER_SOCK_TYPE | SOCK_CLOEXEC, 0, sv) < 0)
		return (-errno);
	if ((pid = pdfork(&pd, PD_CLOEXEC)) < 0) {
		error = errno;
		(void)close(sv[0]);
		(void)close(sv[1]);
		return (-error);
	}
	if (pid == 0) {
		(void)close(sv[0]);
		service_child(svc, sv[1]);
	}
	(void)close(sv[1]);
	error = 0;
	if ((nvl = nvlist_create(0)) == NULL) {
		error = ENOMEM;
		(void)close(pd);
	} else {
		nvlist_move_descriptor(nvl, "procfd", pd);
		if (nvlist_send(sv[0], nvl) != 0)
			error = errno;
		nvlist_destroy(nvl);	/* the service has its own copy */
	}
	if (error != 0) {
		(void)close(sv[0]);
		return (-error);
	}
	return (sv[0]);
}

void
casper_zygote_main(int sock)
{
	const struct casper_service *svc;
	uint32_t req[2];
	nvlist_t *rep;
	ssize_t n;
	int fd;

	zygote_sock = sock;
	for (;;) {
		/* Descriptors sent along are dropped by the kernel (no
		 * control buffer); a longer message is cut and refused. */
		n = recv(sock, req, sizeof(req), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);	/* Casper is gone */
		if ((rep = nvlist_create(0)) == NULL)
			_exit(1);
		if (n != sizeof(req[0]))
			fd = -EINVAL;
		else if ((svc = casper_service_at(req[0])) == NULL)
			fd = -ENOENT;
		else
			fd = spawn(svc);
		if (fd >= 0)
			nvlist_move_descriptor(rep, "chanfd", fd);
		nvlist_add_number(rep, "error", (uint64_t)(fd >= 0 ? 0 : -fd));
		if (nvlist_send(sock, rep) != 0)
			_exit(0);
		nvlist_destroy(rep);
	}
}

int
casper_zygote_start(int appsock, int *sockp)
{
	int sv[2];
	pid_t casper, pid;

	if (socketpair(AF_UNIX, CASPER_SOCK_TYPE | SOCK_CLOEXEC, 0, sv) < 0)
		return (-1);
	casper = getpid();
	/* Casper does not wait for the zygote; the kernel reaps it. */
	(void)signal(SIGCHLD, SIG_IGN);
	if ((pid = fork()) < 0) {
		(void)close(sv[0]);
		(void)close(sv[1]);
		return (-1);
	}
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != casper)
			_exit(0);
		(void)prctl(PR_SET_NAME, "zygote", 0, 0, 0);
		/* Not Casper's record either (Casper enters capability mode). */
		casper_state_unshare();
		(void)signal(SIGCHLD, SIG_DFL);
		/* Casper must see the application's end of file alone. */
		(void)close(appsock);
		(void)close(sv[0]);
		casper_zygote_main(sv[1]);
	}
	(void)close(sv[1]);
	*sockp = sv[0];
	return (0);
}
