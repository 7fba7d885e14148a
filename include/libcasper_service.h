/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: libcasper, the service side.
 *
 * Source compatible with FreeBSD's <libcasper_service.h>.  A service library
 * registers itself with CREATE_SERVICE(); the registration runs as a
 * constructor in every process that links the library, so the Casper
 * process (a fork of the application) knows the same services.
 *
 * Linux addition: service_sandbox() attaches the sandbox policy a service
 * process enters before it handles its first request (see docs/casper.md).
 * A service without one runs in capability mode.
 */
#ifndef _LIBCASPER_SERVICE_H_
#define	_LIBCASPER_SERVICE_H_

#include <sys/nv.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Keep stdin, stdout and stderr (otherwise they are /dev/null, setsid()). */
#define	CASPER_SERVICE_STDIO		0x00000001
/* Keep the other descriptors (otherwise all but the channel are closed). */
#define	CASPER_SERVICE_FD		0x00000002
/* The limits nvlist may repeat names; the channel is CASPER_NO_UNIQ. */
#define	CASPER_SERVICE_NO_UNIQ_LIMITS	0x00000004

struct casper_service;

/*
 * Accept newlimits (return 0) or refuse them: ENOTCAPABLE when they would
 * widen oldlimits, EINVAL when malformed.  oldlimits is NULL while the
 * channel is unlimited.
 */
typedef int service_limit_func_t(const nvlist_t *oldlimits,
    const nvlist_t *newlimits);
/* Handle cmd; the return value is sent back as the reply's "error". */
typedef int service_command_func_t(const char *cmd, const nvlist_t *limits,
    nvlist_t *nvlin, nvlist_t *nvlout);

struct casper_service *service_register(const char *name,
    service_limit_func_t *limitfunc, service_command_func_t *commandfunc,
    uint64_t flags);

/*
 * Linux: how a service process is confined.  The framework applies the
 * sandbox in the new service process, after sb_prepare and before the first
 * request.  Everything not granted here is refused by the kernel (Landlock
 * for paths and TCP ports, seccomp for system calls and socket types).
 *
 *   sb_prepare	runs unconfined first: warm caches (NSS modules, time
 *		zone), open what the service keeps.  Nonzero aborts the
 *		service; the client's cap_service_open() fails with it.
 *   sb_read	NULL-terminated absolute paths readable (a directory grants
 *		its tree).  NULL: none.
 *   sb_write	the same for read and write.
 *   sb_flags	CASPER_SANDBOX_* below.
 *
 * A service that registers no sandbox runs in capability mode
 * (CASPER_SANDBOX_CAPMODE).
 */
#define	CASPER_SANDBOX_CAPMODE	0x0001	/* cap_enter(); paths are ignored */
#define	CASPER_SANDBOX_DNS	0x0002	/* UDP/TCP sockets to name servers */
#define	CASPER_SANDBOX_INET	0x0004	/* inet sockets, bind and connect */
#define	CASPER_SANDBOX_DEFERRED	0x0008	/* the service calls
					   casper_sandbox_enter() itself */

struct casper_sandbox {
	int		(*sb_prepare)(void);
	const char *const *sb_read;
	const char *const *sb_write;
	uint64_t	sb_flags;
};

/* Attach sb to the registered service name; call it from a constructor. */
int	service_sandbox(const char *name, const struct casper_sandbox *sb);
/* Confine the calling service process now (for CASPER_SANDBOX_DEFERRED). */
int	casper_sandbox_enter(const struct casper_sandbox *sb);

#define	CREATE_SERVICE(name, limit_func, command_func, flags)		\
	static __attribute__((constructor)) void			\
	init_casper_service(void)					\
	{								\
									\
		(void)service_register((name), (limit_func),		\
		    (command_func), (flags));				\
	}

#ifdef __cplusplus
}
#endif

#endif /* !_LIBCASPER_SERVICE_H_ */
