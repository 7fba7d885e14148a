/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcasper client side: channels and the core requests every service
 * understands (limit_set, limit_get, clone), and the core service's own
 * (open).  Return conventions are FreeBSD's: NULL or -1 with errno, and
 * cap_close, cap_sock and cap_unwrap never fail.  A channel that is not one
 * (wrong magic) is a programming error and trips an assert.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/capsicum.h>
#include <sys/nv.h>

#include "casper_impl.h"

#define	CHECK_CHANNEL(chan)						\
	assert((chan) != NULL && (chan)->cch_magic == CAP_CHANNEL_MAGIC)

static int
channel_nvflags(const cap_channel_t *chan)
{

	return ((chan->cch_flags & CASPER_NO_UNIQ) != 0 ?
	    NV_FLAG_NO_UNIQUE : 0);
}

cap_channel_t *
cap_wrap(int sock, int flags)
{
	cap_channel_t *chan;
	socklen_t typelen;
	int type;

	if ((flags & ~CASPER_VALID_FLAGS) != 0) {
		errno = EINVAL;
		return (NULL);
	}
	if (sock < 0 || fcntl(sock, F_GETFD) < 0) {
		errno = EBADF;
		return (NULL);
	}
	if ((chan = calloc(1, sizeof(*chan))) == NULL)
		return (NULL);
	chan->cch_magic = CAP_CHANNEL_MAGIC;
	chan->cch_sock = sock;
	chan->cch_pd = -1;
	chan->cch_flags = flags;
	/* Record sockets are received without a peek (casper_chan_recv). */
	typelen = sizeof(type);
	chan->cch_seqpacket = getsockopt(sock, SOL_SOCKET, SO_TYPE, &type,
	    &typelen) == 0 && type == SOCK_SEQPACKET;
	return (chan);
}

int
cap_unwrap(cap_channel_t *chan, int *flags)
{
	int sock;

	CHECK_CHANNEL(chan);
	sock = chan->cch_sock;
	if (flags != NULL)
		*flags = chan->cch_flags;
	/* As on FreeBSD: the caller keeps the socket, Casper goes. */
	if (chan->cch_pd >= 0)
		(void)close(chan->cch_pd);
	chan->cch_magic = 0;
	free(chan);
	return (sock);
}

void
cap_close(cap_channel_t *chan)
{
	int serrno;

	CHECK_CHANNEL(chan);
	serrno = errno;
	/* Closing the last process descriptor kills Casper. */
	if (chan->cch_pd >= 0)
		(void)close(chan->cch_pd);
	(void)close(chan->cch_sock);
	chan->cch_magic = 0;
	free(chan);
	errno = serrno;
}

int
cap_sock(const cap_channel_t *chan)
{

	CHECK_CHANNEL(chan);
	return (chan->cch_sock);
}

int
cap_channel_flags(const cap_channel_t *chan)
{

	CHECK_CHANNEL(chan);
	return (chan->cch_flags);
}

int
cap_send_nvlist(const cap_channel_t *chan, const nvlist_t *nvl)
{

	CHECK_CHANNEL(chan);
	return (nvlist_send(chan->cch_sock, nvl));
}

/*
 * In capability mode with libcapsicum's broker running (some descriptor
 * was limited), every recvmsg() is a round trip to the broker, which
 * places received descriptors by their rights.  nvlist_recv() peeks and
 * reads with recv() when the header announces no descriptor, so most
 * replies then cost two plain system calls instead.  The answer cannot
 * change once known: capability mode is for life.
 *
 * Until then every call would ask the kernel (cap_sandboxed() is a system
 * call).  cap_enter() publishes CAPSICUM_STATE_FD in the environment, and
 * an image started in capability mode inherits it, so while it is absent
 * the process is taken as not sandboxed without asking.  Either receive
 * is correct on either answer; a wrong one only costs time.
 */
static bool
recvmsg_brokered(void)
{
	static _Atomic int known;	/* 0: not yet, 1: no, 2: yes */
	struct cap_enforcement ce;
	int k;

	if ((k = known) != 0)
		return (k == 2);
	if (getenv("CAPSICUM_STATE_FD") == NULL || !cap_sandboxed())
		return (false);
	k = cap_enforcement(&ce) == 0 &&
	    (ce.ce_active & CAP_LAYER_BROKER) != 0 ? 2 : 1;
	known = k;
	return (k == 2);
}

nvlist_t *
casper_chan_recv(const cap_channel_t *chan, int nvflags)
{

	return (chan->cch_seqpacket && !recvmsg_brokered() ?
	    nv_impl_recv_seqpacket(chan->cch_sock, nvflags) :
	    nvlist_recv(chan->cch_sock, nvflags));
}

nvlist_t *
cap_recv_nvlist(const cap_channel_t *chan)
{

	CHECK_CHANNEL(chan);
	return (casper_chan_recv(chan, channel_nvflags(chan)));
}

nvlist_t *
cap_xfer_nvlist(const cap_channel_t *chan, nvlist_t *nvl)
{

	CHECK_CHANNEL(chan);
	/* nvlist_xfer(), with the channel's receive. */
	if (nvlist_send(chan->cch_sock, nvl) != 0) {
		nvlist_destroy(nvl);
		return (NULL);
	}
	nvlist_destroy(nvl);
	return (casper_chan_recv(chan, channel_nvflags(chan)));
}

/*
 * Send a core request and receive the reply.  A reply without a numeric
 * "error" is a broken peer (EPROTO); a nonzero one is the request's errno.
 * On success the reply is returned for the caller to take fields from.
 */
static nvlist_t *
core_request(const cap_channel_t *chan, nvlist_t *req)
{
	nvlist_t *rep;
	int error;

	if ((rep = cap_xfer_nvlist(chan, req)) == NULL)
		return (NULL);
	if (!nvlist_exists_number(rep, "error")) {
		nvlist_destroy(rep);
		errno = EPROTO;
		return (NULL);
	}
	error = (int)nvlist_get_number(rep, "error");
	if (error != 0) {
		nvlist_destroy(rep);
		errno = error;
		return (NULL);
	}
	return (rep);
}

static nvlist_t *
core_cmd(const cap_channel_t *chan, const char *cmd)
{
	nvlist_t *req;

	if ((req = nvlist_create(channel_nvflags(chan))) == NULL)
		return (NULL);
	nvlist_add_string(req, "cmd", cmd);
	return (req);
}

int
cap_limit_set(const cap_channel_t *chan, nvlist_t *limits)
{
	nvlist_t *req, *rep;

	CHECK_CHANNEL(chan);
	if (limits != NULL && nvlist_error(limits) != 0) {
		errno = nvlist_error(limits);
		nvlist_destroy(limits);
		return (-1);
	}
	if ((req = core_cmd(chan, "limit_set")) == NULL) {
		nvlist_destroy(limits);
		return (-1);
	}
	if (limits == NULL)
		nvlist_add_null(req, "limits");
	else
		nvlist_move_nvlist(req, "limits", limits);
	if ((rep = core_request(chan, req)) == NULL)
		return (-1);
	nvlist_destroy(rep);
	return (0);
}

int
cap_limit_get(const cap_channel_t *chan, nvlist_t **limitsp)
{
	nvlist_t *req, *rep;

	CHECK_CHANNEL(chan);
	if ((req = core_cmd(chan, "limit_get")) == NULL)
		return (-1);
	if ((rep = core_request(chan, req)) == NULL)
		return (-1);
	if (nvlist_exists_null(rep, "limits")) {
		*limitsp = NULL;
	} else if (nvlist_exists_nvlist(rep, "limits")) {
		*limitsp = nvlist_take_nvlist(rep, "limits");
	} else {
		nvlist_destroy(rep);
		errno = EPROTO;
		return (-1);
	}
	nvlist_destroy(rep);
	return (0);
}

/* Wrap the descriptor named key of a successful reply; consumes rep. */
static cap_channel_t *
wrap_reply(nvlist_t *rep, const char *key, int flags)
{
	cap_channel_t *nchan;
	int sock, serrno;

	if (!nvlist_exists_descriptor(rep, key) ||
	    (flags & ~CASPER_VALID_FLAGS) != 0) {
		nvlist_destroy(rep);
		errno = EPROTO;
		return (NULL);
	}
	sock = nvlist_take_descriptor(rep, key);
	nvlist_destroy(rep);
	if ((nchan = cap_wrap(sock, flags)) == NULL) {
		serrno = errno;
		(void)close(sock);
		errno = serrno;
	}
	return (nchan);
}

cap_channel_t *
cap_clone(const cap_channel_t *chan)
{
	nvlist_t *req, *rep;

	CHECK_CHANNEL(chan);
	if ((req = core_cmd(chan, "clone")) == NULL)
		return (NULL);
	if ((rep = core_request(chan, req)) == NULL)
		return (NULL);
	return (wrap_reply(rep, "sock", chan->cch_flags));
}

static cap_channel_t *
service_open(const cap_channel_t *chan, const char *name, nvlist_t *limits)
{
	nvlist_t *req, *rep;
	uint64_t flags;

	if ((req = core_cmd(chan, "open")) == NULL) {
		nvlist_destroy(limits);
		return (NULL);
	}
	nvlist_add_string(req, "service", name);
	if (limits != NULL)
		nvlist_move_nvlist(req, "limits", limits);
	if ((rep = core_request(chan, req)) == NULL)
		return (NULL);
	if (!nvlist_exists_number(rep, "chanflags") ||
	    (flags = nvlist_get_number(rep, "chanflags")) >
	    CASPER_VALID_FLAGS) {
		nvlist_destroy(rep);
		errno = EPROTO;
		return (NULL);
	}
	return (wrap_reply(rep, "chanfd", (int)flags));
}

cap_channel_t *
cap_service_open(const cap_channel_t *chan, const char *name)
{

	CHECK_CHANNEL(chan);
	if (name == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	return (service_open(chan, name, NULL));
}

cap_channel_t *
casper_service_open_limited(const cap_channel_t *chan, const char *name,
    nvlist_t *limits)
{
	int error;

	if (chan == NULL || name == NULL || limits == NULL ||
	    nvlist_error(limits) != 0) {
		error = limits != NULL && nvlist_error(limits) != 0 ?
		    nvlist_error(limits) : EINVAL;
		nvlist_destroy(limits);
		errno = error;
		return (NULL);
	}
	return (service_open(chan, name, limits));
}

int
cap_service_limit(const cap_channel_t *chan, const char *const *names,
    size_t nnames)
{
	nvlist_t *limits;
	size_t i;

	CHECK_CHANNEL(chan);
	if (nnames > 0 && names == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((limits = nvlist_create(0)) == NULL)
		return (-1);
	for (i = 0; i < nnames; i++) {
		if (names[i] == NULL) {
			nvlist_destroy(limits);
			errno = EINVAL;
			return (-1);
		}
		nvlist_add_null(limits, names[i]);
	}
	return (cap_limit_set(chan, limits));
}
