/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: libcasper, the client side of Casper.
 *
 * Source compatible with FreeBSD's <libcasper.h>.  cap_init() starts the
 * Casper process before cap_enter(); each cap_service_open() gets a channel
 * to a separate, sandboxed service process.  See libcasper(3) and
 * docs/casper.md.
 *
 * Building without Casper: define WITHOUT_CASPER before including this
 * header (or pass -DWITHOUT_CASPER) and every function below, and every
 * service function in <casper/cap_*.h>, becomes an inline call of the plain
 * libc function with the same signature, so a program needs no #ifdefs.
 * FreeBSD programs that test WITH_CASPER keep working: it is defined here
 * unless WITHOUT_CASPER is.
 */
#ifndef _LIBCASPER_H_
#define	_LIBCASPER_H_

#include <sys/nv.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#if !defined(WITHOUT_CASPER) && !defined(WITH_CASPER)
#define	WITH_CASPER
#endif

#ifdef WITH_CASPER
#define	CASPER_SUPPORT	1
#else
#define	CASPER_SUPPORT	0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The channel's nvlists are NV_FLAG_NO_UNIQUE. */
#define	CASPER_NO_UNIQ		0x00000001
#define	CASPER_VALID_FLAGS	(CASPER_NO_UNIQ)

#ifdef WITH_CASPER

struct cap_channel;
typedef struct cap_channel cap_channel_t;

cap_channel_t	*cap_init(void);
cap_channel_t	*cap_wrap(int sock, int flags);
int		 cap_unwrap(cap_channel_t *chan, int *flags);
cap_channel_t	*cap_clone(const cap_channel_t *chan);
void		 cap_close(cap_channel_t *chan);
int		 cap_sock(const cap_channel_t *chan);
int		 cap_channel_flags(const cap_channel_t *chan);

int		 cap_limit_set(const cap_channel_t *chan, nvlist_t *limits);
int		 cap_limit_get(const cap_channel_t *chan, nvlist_t **limitsp);

int		 cap_send_nvlist(const cap_channel_t *chan, const nvlist_t *nvl);
nvlist_t	*cap_recv_nvlist(const cap_channel_t *chan);
nvlist_t	*cap_xfer_nvlist(const cap_channel_t *chan, nvlist_t *nvl);

cap_channel_t	*cap_service_open(const cap_channel_t *chan, const char *name);
int		 cap_service_limit(const cap_channel_t *chan,
		    const char *const *names, size_t nnames);

#else /* !WITH_CASPER: the fallback, plain descriptors and no-ops */

struct cap_channel {
	int	cch_fd;
	int	cch_flags;
};
typedef struct cap_channel cap_channel_t;

static inline cap_channel_t *
cap_wrap(int sock, int flags)
{
	cap_channel_t *chan;

	if (sock < 0 || (flags & ~CASPER_VALID_FLAGS) != 0) {
		errno = EINVAL;
		return (NULL);
	}
	if ((chan = (cap_channel_t *)malloc(sizeof(*chan))) == NULL)
		return (NULL);
	chan->cch_fd = sock;
	chan->cch_flags = flags;
	return (chan);
}

static inline cap_channel_t *
cap_init(void)
{
	cap_channel_t *chan;

	if ((chan = (cap_channel_t *)malloc(sizeof(*chan))) == NULL)
		return (NULL);
	chan->cch_fd = -1;
	chan->cch_flags = 0;
	return (chan);
}

static inline int
cap_unwrap(cap_channel_t *chan, int *flags)
{
	int fd = chan->cch_fd;

	if (flags != NULL)
		*flags = chan->cch_flags;
	free(chan);
	return (fd);
}

static inline cap_channel_t *
cap_clone(const cap_channel_t *chan)
{
	cap_channel_t *nchan;

	if ((nchan = cap_init()) == NULL)
		return (NULL);
	nchan->cch_flags = chan->cch_flags;
	if (chan->cch_fd >= 0 && (nchan->cch_fd = dup(chan->cch_fd)) < 0) {
		free(nchan);
		return (NULL);
	}
	return (nchan);
}

static inline void
cap_close(cap_channel_t *chan)
{
	if (chan == NULL)
		return;
	if (chan->cch_fd >= 0)
		close(chan->cch_fd);
	free(chan);
}

static inline int
cap_sock(const cap_channel_t *chan)
{
	return (chan->cch_fd);
}

static inline int
cap_channel_flags(const cap_channel_t *chan)
{
	return (chan->cch_flags);
}

/* Unlike FreeBSD's fallback, this one frees limits, as the real one does. */
static inline int
cap_limit_set(const cap_channel_t *chan, nvlist_t *limits)
{
	(void)chan;
	nvlist_destroy(limits);
	return (0);
}

static inline int
cap_limit_get(const cap_channel_t *chan, nvlist_t **limitsp)
{
	(void)chan;
	*limitsp = nvlist_create(0);
	return (*limitsp == NULL ? -1 : 0);
}

static inline int
cap_send_nvlist(const cap_channel_t *chan, const nvlist_t *nvl)
{
	(void)chan;
	(void)nvl;
	return (0);
}

static inline nvlist_t *
cap_recv_nvlist(const cap_channel_t *chan)
{
	(void)chan;
	return (nvlist_create(0));
}

static inline nvlist_t *
cap_xfer_nvlist(const cap_channel_t *chan, nvlist_t *nvl)
{
	(void)chan;
	nvlist_destroy(nvl);
	return (nvlist_create(0));
}

static inline cap_channel_t *
cap_service_open(const cap_channel_t *chan, const char *name)
{
	(void)chan;
	(void)name;
	return (cap_init());
}

static inline int
cap_service_limit(const cap_channel_t *chan, const char *const *names,
    size_t nnames)
{
	(void)chan;
	(void)names;
	(void)nnames;
	return (0);
}

#endif /* WITH_CASPER */

#ifdef __cplusplus
}
#endif

#endif /* !_LIBCASPER_H_ */
