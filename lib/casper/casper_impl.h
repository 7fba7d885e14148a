/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcasper internals shared between its source files, the tests and the
 * fuzz harness (which include it with -Ilib).  Never installed.
 *
 * Process tree, as on FreeBSD:
 *
 *	application --pdfork--> casper --fork--> zygote --pdfork--> service
 *
 * The application's cap_init() channel keeps casper's process descriptor;
 * the zygote dies with casper (PR_SET_PDEATHSIG and end of file); each
 * service process holds its own process descriptor and lives while one of
 * its connections is open (see service.c for the watcher thread that ends
 * a service blocked in a request when its clients go away).
 */
#ifndef CASPER_IMPL_H
#define	CASPER_IMPL_H

#include <sys/capsicum.h>
#include <sys/nv.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>

#include <libcasper.h>
#include <libcasper_service.h>

/*
 * Channel socket type.  SOCK_SEQPACKET keeps message boundaries, so a
 * receive is one peek and one read, and it was measurably faster than
 * SOCK_STREAM for small nvlists (docs/casper.md, bench/casper_bench.c).
 */
#define	CASPER_SOCK_TYPE	SOCK_SEQPACKET

/* libcapsicum keeps its descriptors at or above this number (its rights
 * record, placeholders, watchdog channel); casper_close_fds() tells which
 * of those are its own bookkeeping. */
#define	CASPER_LIBFD_MIN	192

#define	CAP_CHANNEL_MAGIC	0xcaecaec0

struct cap_channel {
	uint32_t	cch_magic;
	int		cch_sock;	/* connection to casper or a service */
	int		cch_pd;		/* casper's process descriptor, or -1 */
	int		cch_flags;	/* CASPER_NO_UNIQ */
	bool		cch_seqpacket;	/* cch_sock is SOCK_SEQPACKET */
};

/*
 * libnv's receive in one system call for SOCK_SEQPACKET sockets (no peek:
 * lib/nv/msgio.c); exported by libnv for libcasper only.
 */
nvlist_t *nv_impl_recv_seqpacket(int sock, int flags);

/* Receive one message on a channel (the fast way when it is a record
 * socket), unpacked with nvflags. */
nvlist_t *casper_chan_recv(const cap_channel_t *chan, int nvflags);

/* Receive one message on a connection of CASPER_SOCK_TYPE. */
static inline nvlist_t *
casper_sock_recv(int sock, int nvflags)
{

	return (CASPER_SOCK_TYPE == SOCK_SEQPACKET ?
	    nv_impl_recv_seqpacket(sock, nvflags) : nvlist_recv(sock, nvflags));
}

/* Name of the core service spoken on the cap_init() channel. */
#define	CASPER_CORE_NAME	"core.casper"

struct casper_service {
	struct casper_service	*cs_next;
	char			*cs_name;
	service_limit_func_t	*cs_limit;
	service_command_func_t	*cs_command;
	uint64_t		 cs_flags;
};

/* registry.c */
const struct casper_service *casper_service_find(const char *name);
const struct casper_service *casper_service_first(void);
/* Position in the registry (Casper and the zygote share it), and back;
 * -1 or NULL when there is none. */
int	casper_service_index(const struct casper_service *svc);
const struct casper_service *casper_service_at(uint32_t idx);
const struct casper_service *casper_core_service(void);
int	casper_nvlist_flags(uint64_t service_flags);

/*
 * The sandbox a service process enters: the one attached with
 * service_sandbox(), or the capability-mode default.  NULL (ENOENT) for an
 * unknown service name.
 */
const struct casper_sandbox *casper_sandbox_of(const char *service_name);

/*
 * Confine the calling process exactly as the framework confines the
 * service process of that name before its first request: sb_prepare, then
 * the sandbox (only the baseline for CASPER_SANDBOX_DEFERRED).  0 or an
 * errno value.  The tests use it to try escapes from a service's sandbox.
 */
int	casper_service_confine(const char *service_name);
/* The fuzz harness, already confined, makes casper_sandbox_enter a no-op. */
extern bool casper_sandbox_fuzzing;
/* Only the Landlock half of a sandbox (full: paths and ports too). */
int	casper_sandbox_landlock(const struct casper_sandbox *sb, bool full);
/* The baseline of DEFERRED services: seccomp plus Landlock scopes. */
int	casper_sandbox_baseline(const struct casper_sandbox *sb);

/*
 * One request of a connection of service svc, as the service loop handles
 * it: limit_set, limit_get, clone (a new connection, returned in *newsockp
 * with its limits in *newlimitsp) or the service's command.  *limitsp is
 * the connection's limits (NULL: unlimited), replaced on a successful
 * limit_set.  Returns the reply's error, also stored in nvlout unless
 * nvlout is in an error state (then the caller sends a fresh reply).
 */
int	casper_dispatch(const struct casper_service *svc, nvlist_t **limitsp,
	    nvlist_t *nvlin, nvlist_t *nvlout, int *newsockp);

/*
 * A command function may leave an nvlist under this name in a successful
 * reply: the service loop takes it out, sends the reply without it and
 * then sends it as a message of its own on the same connection (the
 * client knows from the reply that it follows).  system.fileargs sends
 * its prefetched descriptors that way, so that a client that cannot take
 * them (descriptor limit) still gets its reply intact.  Never sent when
 * the reply is an error.
 */
#define	CASPER_REPLY_TRAILER	"casper.trailer"

/* service.c: serve sock and its clones until none is left. */
void	casper_serve(const struct casper_service *svc, int sock);
/* Run a service process on sock; never returns. */
void	casper_service_main(const struct casper_service *svc, int sock,
	    int procfd) __attribute__((noreturn));
/* Stop and restart the watcher thread around casper_sandbox_enter(). */
void	casper_watcher_pause(void);
void	casper_watcher_resume(void);
/*
 * Close every descriptor except those in keep and libcapsicum's own
 * bookkeeping memfds (at CASPER_LIBFD_MIN and above); 0 or an errno value
 * (EACCES, ENOENT... when /proc/self/fd cannot be listed).
 */
int	casper_close_fds(const int *keep, int nkeep);
/* Give this process a private copy of libcapsicum's rights record. */
void	casper_state_unshare(void);

/*
 * cap_service_open() with limits the service receives from Casper before
 * the channel reaches the caller (channel.c): a DEFERRED service confines
 * itself before it reads anything the application sends.  Takes limits.
 */
cap_channel_t *casper_service_open_limited(const cap_channel_t *chan,
	    const char *name, nvlist_t *limits);

/* casper.c: the Casper process; zygote.c: the zygote. */
void	casper_main(int sock) __attribute__((noreturn));
int	casper_zygote_start(int appsock, int *sockp);
void	casper_zygote_main(int sock) __attribute__((noreturn));
/* The core service's command "open" asks the zygote through this socket. */
extern int casper_zygote_sock;

#endif /* !CASPER_IMPL_H */
