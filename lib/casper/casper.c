/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cap_init() and the Casper process.
 *
 * Casper is a pdfork of the application: its process descriptor stays in
 * the application's channel, so closing that channel (or the application
 * dying) kills Casper.  Casper starts the zygote, enters capability mode,
 * then serves the core service "core.casper" on the application's socket: "open" has the zygote
 * fork a service process and hands the application the new channel once
 * the service reports that it is confined and ready.
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

int casper_zygote_sock = -1;

/* Names in the limits are the services the channel may open. */
static int
core_limit(const nvlist_t *oldlimits, const nvlist_t *newlimits)
{
	const char *name;
	void *cookie;
	int type;

	cookie = NULL;
	while ((name = nvlist_next(newlimits, &type, &cookie)) != NULL) {
		if (type != NV_TYPE_NULL)
			return (EINVAL);
		if (oldlimits != NULL && !nvlist_exists_null(oldlimits, name))
			return (ENOTCAPABLE);
	}
	return (0);
}

/*
 * Ask the zygote for a service process, named by its index in the
 * registry (zygote.c); returns its channel or -errno.
 */
static int
spawn_service(const struct casper_service *svc)
{
	nvlist_t *rep, *status;
	uint32_t idx;
	int fd, error, i;

	if (casper_zygote_sock < 0)
		return (-ENOTCONN);
	if ((i = casper_service_index(svc)) < 0)
		return (-ENOENT);
	idx = (uint32_t)i;
	if (send(casper_zygote_sock, &idx, sizeof(idx), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(idx))
		return (-errno);
	if ((rep = nvlist_recv(casper_zygote_sock, 0)) == NULL)
		return (-errno);
	error = nvlist_exists_number(rep, "error") ?
	    (int)nvlist_get_number(rep, "error") : EPROTO;
	if (error == 0 && !nvlist_exists_descriptor(rep, "chanfd"))
		error = EPROTO;
	if (error != 0) {
		nvlist_destroy(rep);
		return (-error);
	}
	fd = nvlist_take_descriptor(rep, "chanfd");
	nvlist_destroy(rep);
	/* The service confines itself, then says whether that worked. */
	if ((status = nvlist_recv(fd, 0)) == NULL) {
		error = errno;
	} else {
		error = nvlist_exists_number(status, "error") ?
		    (int)nvlist_get_number(status, "error") : EPROTO;
		nvlist_destroy(status);
	}
	if (error != 0) {
		(void)close(fd);
		return (-error);
	}
	return (fd);
}

/*
 * Limits sent with "open" (casper_service_open_limited): the service gets
 * them from Casper before the channel goes to the application, so a
 * DEFERRED service confines itself before it reads anything the
 * application sends.  0 or the service's errno.
 */
static int
preset_limits(const struct casper_service *svc, int fd, nvlist_t *limits)
{
	nvlist_t *req, *rep;
	int error;

	if ((req = nvlist_create(casper_nvlist_flags(svc->cs_flags))) ==
	    NULL) {
		nvlist_destroy(limits);
		return (ENOMEM);
	}
	nvlist_add_string(req, "cmd", "limit_set");
	nvlist_move_nvlist(req, "limits", limits);
	if ((rep = nvlist_xfer(fd, req, casper_nvlist_flags(svc->cs_flags))) ==
	    NULL)
		return (errno != 0 ? errno : EPROTO);
	error = nvlist_exists_number(rep, "error") ?
	    (int)nvlist_get_number(rep, "error") : EPROTO;
	nvlist_destroy(rep);
	return (error);
}

static int
core_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	const struct casper_service *svc;
	const char *name;
	int fd, error;

	if (strcmp(cmd, "open") != 0 || !nvlist_exists_string(nvlin, "service"))
		return (EINVAL);
	name = nvlist_get_string(nvlin, "service");
	if ((svc = casper_service_find(name)) == NULL)
		return (ENOENT);
	if (limits != NULL && !nvlist_exists_null(limits, name))
		return (ENOTCAPABLE);
	if (nvlist_exists(nvlin, "limits") &&
	    !nvlist_exists_nvlist(nvlin, "limits"))
		return (EINVAL);
	if ((fd = spawn_service(svc)) < 0)
		return (-fd);
	if (nvlist_exists_nvlist(nvlin, "limits") &&
	    (error = preset_limits(svc, fd,
	    nvlist_take_nvlist(nvlin, "limits"))) != 0) {
		(void)close(fd);
		return (error);
	}
	nvlist_move_descriptor(nvlout, "chanfd", fd);
	nvlist_add_number(nvlout, "chanflags",
	    (svc->cs_flags & CASPER_SERVICE_NO_UNIQ_LIMITS) != 0 ?
	    CASPER_NO_UNIQ : 0);
	return (0);
}

static const struct casper_service core = {
	.cs_name = (char *)CASPER_CORE_NAME,
	.cs_limit = core_limit,
	.cs_command = core_command,
	.cs_flags = 0,
};

const struct casper_service *
casper_core_service(void)
{

	return (&core);
}

void
casper_main(int sock)
{

	(void)prctl(PR_SET_NAME, "casper", 0, 0, 0);
	(void)signal(SIGPIPE, SIG_IGN);
	/* Its cap_enter() must not rewrite the application's rights record. */
	casper_state_unshare();
	/*
	 * As on FreeBSD, Casper keeps the descriptors the application had
	 * at cap_init(): CASPER_SERVICE_FD services inherit them; the others
	 * close them when they start.
	 */
	if (casper_zygote_start(sock, &casper_zygote_sock) != 0)
		_exit(1);
	/*
	 * From here Casper only passes messages and descriptors between the
	 * application and the zygote: capability mode.  Fail closed: a
	 * Casper that cannot confine itself serves nothing (cap_service_open
	 * then fails with EPIPE or ENOTCONN).
	 */
	if (cap_enter() != 0)
		_exit(1);
	casper_serve(&core, sock);
	_exit(0);
}

cap_channel_t *
cap_init(void)
{
	cap_channel_t *chan;
	int sv[2], pd, serrno;
	pid_t pid;

	if (socketpair(AF_UNIX, CASPER_SOCK_TYPE | SOCK_CLOEXEC, 0, sv) < 0)
		return (NULL);
	pid = pdfork(&pd, PD_CLOEXEC);
	if (pid < 0) {
		serrno = errno;
		(void)close(sv[0]);
		(void)close(sv[1]);
		errno = serrno;
		return (NULL);
	}
	if (pid == 0) {
		(void)close(sv[0]);
		casper_main(sv[1]);
	}
	(void)close(sv[1]);
	if ((chan = cap_wrap(sv[0], 0)) == NULL) {
		serrno = errno;
		(void)close(sv[0]);
		(void)close(pd);
		errno = serrno;
		return (NULL);
	}
	chan->cch_pd = pd;
	return (chan);
}
