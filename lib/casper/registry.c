/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The registry of services.  CREATE_SERVICE() constructors add to it in
 * every process that links a service, so the Casper process, a fork of
 * the application, knows the same services.  Constructors run before main
 * and before any thread, so the list needs no lock; it is never freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "casper_impl.h"

static struct casper_service *services;

struct casper_service *
service_register(const char *name, service_limit_func_t *limitfunc,
    service_command_func_t *commandfunc, uint64_t flags)
{
	struct casper_service *svc;

	if (name == NULL || name[0] == '\0' || commandfunc == NULL ||
	    strcmp(name, CASPER_CORE_NAME) == 0 ||
	    (flags & ~(uint64_t)(CASPER_SERVICE_STDIO | CASPER_SERVICE_FD |
	    CASPER_SERVICE_NO_UNIQ_LIMITS)) != 0) {
		errno = EINVAL;
		return (NULL);
	}
	if (casper_service_find(name) != NULL) {
		errno = EEXIST;
		return (NULL);
	}
	if ((svc = calloc(1, sizeof(*svc))) == NULL)
		return (NULL);
	if ((svc->cs_name = strdup(name)) == NULL) {
		free(svc);
		return (NULL);
	}
	svc->cs_limit = limitfunc;
	svc->cs_command = commandfunc;
	svc->cs_flags = flags;
	svc->cs_next = services;
	services = svc;
	return (svc);
}

const struct casper_service *
casper_service_find(const char *name)
{
	const struct casper_service *svc;

	if (name == NULL)
		return (NULL);
	for (svc = services; svc != NULL; svc = svc->cs_next)
		if (strcmp(svc->cs_name, name) == 0)
			return (svc);
	return (NULL);
}

const struct casper_service *
casper_service_first(void)
{

	return (services);
}

int
casper_service_index(const struct casper_service *svc)
{
	const struct casper_service *s;
	int i;

	for (s = services, i = 0; s != NULL; s = s->cs_next, i++)
		if (s == svc)
			return (i);
	return (-1);
}

const struct casper_service *
casper_service_at(uint32_t idx)
{
	const struct casper_service *s;

	for (s = services; s != NULL; s = s->cs_next)
		if (idx-- == 0)
			return (s);
	return (NULL);
}

int
casper_nvlist_flags(uint64_t service_flags)
{

	return ((service_flags & CASPER_SERVICE_NO_UNIQ_LIMITS) != 0 ?
	    NV_FLAG_NO_UNIQUE : 0);
}
