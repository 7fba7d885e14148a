/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process descriptors: which children the watchdog may still signal for
 * this process.
 *
 * A child forked before cap_enter is outside the sandbox's Landlock
 * domain, so pdkill reaches it through the watchdog (PDM_KILL), and the
 * watchdog cannot see the rights on the sender's descriptor number.  So
 * while the process is still trusted, in cap_enter, we work out for every
 * process descriptor it holds whether some number naming that child has
 * CAP_PDKILL, and tell the watchdog to refuse relays for the children
 * none has (PDM_NOKILL, irrevocable, inherited by channels of processes
 * forked later).  Limits set in capability mode that take the last
 * CAP_PDKILL away do the same.  docs/procdesc.md explains what is left.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capsicum.h>

#include "capsicum_impl.h"
#include "fdtable.h"
#include "procdesc_impl.h"
#include "sys.h"

/* Numbers with CAP_PDKILL remembered per child; past this many, the
 * child stays signallable (the process holds it with the right anyway). */
#define	KILLERS_MAX	8

struct pd_holding {
	uint64_t	ph_ino;
	int		ph_killers[KILLERS_MAX];
	unsigned int	ph_nkillers;
	bool		ph_many;	/* more killers than remembered */
	bool		ph_revoked;	/* PDM_NOKILL sent */
};

static pthread_mutex_t holdings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pd_holding *holdings;
static unsigned int nholdings;

static struct pd_holding *
holding_of(uint64_t ino, bool add)
{
	struct pd_holding *h;
	unsigned int i;

	for (i = 0; i < nholdings; i++) {
		if (holdings[i].ph_ino == ino)
			return (&holdings[i]);
	}
	if (!add)
		return (NULL);
	h = realloc(holdings, (nholdings + 1) * sizeof(*h));
	if (h == NULL)
		return (NULL);
	holdings = h;
	h = &holdings[nholdings++];
	memset(h, 0, sizeof(*h));
	h->ph_ino = ino;
	return (h);
}

/*
 * The pidfs inode of a held descriptor, or 0 if it is not a process
 * descriptor of a process still there.  The fstat cap_enter made tells
 * most descriptors apart by their device, without asking the kernel
 * again, once pidfs's device is known.
 */
static uint64_t
pidfd_ino(const struct capsicum_held *h)
{
	struct pd_pidfd_info info;
	dev_t dev;

	if (!h->hd_ok)
		return (0);
	if ((dev = capsicum_pd_pidfs_dev()) != 0 && h->hd_dev != dev)
		return (0);
	if (capsicum_pd_info(h->hd_fd, &info, PD_INFO_PID) != 0)
		return (0);
	return ((uint64_t)h->hd_ino);
}

static bool
may_kill(int fd)
{
	const struct capsicum_profile *prof;

	if (capsicum_fd_profile(fd, &prof) != 0)
		return (false);
	return (prof == NULL || cap_rights_is_set(&prof->cp_rights,
	    CAP_PDKILL));
}

static void
nokill_if_none(struct pd_holding *h)
{

	if (h->ph_revoked || h->ph_many || h->ph_nkillers > 0)
		return;
	/* On failure the relay stays open, as it was before; the watchdog
	 * is gone or unreachable, and then it relays nothing anyway. */
	if (capsicum_pd_nokill(h->ph_ino) == 0)
		h->ph_revoked = true;
}

/*
 * cap_enter: held lists every open descriptor.  Runs before the filters
 * are loaded, so every call here is still allowed.
 */
void
capsicum_pd_capmode_enter(const struct capsicum_held *held,
    unsigned int nheld)
{
	struct pd_holding *h;
	unsigned int i;
	uint64_t ino;

	if (!capsicum_pd_have_watchdog())
		return;
	pthread_mutex_lock(&holdings_lock);
	for (i = 0; i < nheld; i++) {
		if ((ino = pidfd_ino(&held[i])) == 0 ||
		    (h = holding_of(ino, true)) == NULL)
			continue;
		if (!may_kill(held[i].hd_fd))
			continue;
		if (h->ph_nkillers < KILLERS_MAX)
			h->ph_killers[h->ph_nkillers++] = held[i].hd_fd;
		else
			h->ph_many = true;
	}
	for (i = 0; i < nholdings; i++)
		nokill_if_none(&holdings[i]);
	pthread_mutex_unlock(&holdings_lock);
}

/* A limit set in capability mode: fd may have lost CAP_PDKILL.  Found by
 * number, since the descriptor may no longer allow fstat or ioctl. */
void
capsicum_pd_capmode_limited(int fd, const cap_rights_t *rights)
{
	struct pd_holding *h;
	unsigned int i, j;

	if (cap_rights_is_set(rights, CAP_PDKILL))
		return;
	pthread_mutex_lock(&holdings_lock);
	for (i = 0; i < nholdings; i++) {
		h = &holdings[i];
		for (j = 0; j < h->ph_nkillers; j++) {
			if (h->ph_killers[j] == fd) {
				h->ph_killers[j] =
				    h->ph_killers[--h->ph_nkillers];
				nokill_if_none(h);
				break;
			}
		}
	}
	pthread_mutex_unlock(&holdings_lock);
}
