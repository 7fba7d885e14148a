/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One request on a service connection: the core commands every service
 * understands (limit_set, limit_get, clone) and the service's own.  The
 * request comes from the client and is hostile until checked: a missing
 * or mistyped field is EINVAL in the reply, never a crash.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "casper_impl.h"

static int
do_limit_set(const struct casper_service *svc, nvlist_t **limitsp,
    const nvlist_t *nvlin)
{
	const nvlist_t *newlimits;
	nvlist_t *copy;
	int error;

	if (svc->cs_limit == NULL)
		return (EOPNOTSUPP);
	if (nvlist_exists_null(nvlin, "limits")) {
		/* No limits: allowed only while there are none. */
		return (*limitsp == NULL ? 0 : ENOTCAPABLE);
	}
	if (!nvlist_exists_nvlist(nvlin, "limits"))
		return (EINVAL);
	newlimits = nvlist_get_nvlist(nvlin, "limits");
	error = svc->cs_limit(*limitsp, newlimits);
	if (error != 0)
		return (error);
	if ((copy = nvlist_clone(newlimits)) == NULL)
		return (errno != 0 ? errno : ENOMEM);
	nvlist_destroy(*limitsp);
	*limitsp = copy;
	return (0);
}

static int
do_clone(const struct casper_service *svc, const nvlist_t *limits,
    nvlist_t *nvlout, int *newsockp)
{
	int sv[2];

	if (newsockp == NULL)
		return (EOPNOTSUPP);
	if (socketpair(AF_UNIX, CASPER_SOCK_TYPE | SOCK_CLOEXEC, 0, sv) < 0)
		return (errno);
	nvlist_move_descriptor(nvlout, "sock", sv[0]);
	*newsockp = sv[1];
	(void)svc;
	(void)limits;
	return (0);
}

int
casper_dispatch(const struct casper_service *svc, nvlist_t **limitsp,
    nvlist_t *nvlin, nvlist_t *nvlout, int *newsockp)
{
	const char *cmd;
	int error;

	if (newsockp != NULL)
		*newsockp = -1;
	if (nvlin == NULL || nvlist_error(nvlin) != 0 ||
	    !nvlist_exists_string(nvlin, "cmd")) {
		error = EINVAL;
		goto out;
	}
	cmd = nvlist_get_string(nvlin, "cmd");
	if (strcmp(cmd, "limit_set") == 0) {
		error = do_limit_set(svc, limitsp, nvlin);
	} else if (strcmp(cmd, "limit_get") == 0) {
		if (*limitsp == NULL)
			nvlist_add_null(nvlout, "limits");
		else
			nvlist_add_nvlist(nvlout, "limits", *limitsp);
		error = 0;
	} else if (strcmp(cmd, "clone") == 0) {
		error = do_clone(svc, *limitsp, nvlout, newsockp);
	} else {
		error = svc->cs_command(cmd, *limitsp, nvlin, nvlout);
	}
out:
	/*
	 * A reply the command function left in an error state cannot be
	 * sent; report that error instead, in a clean reply.
	 */
	if (nvlist_error(nvlout) != 0) {
		if (error == 0)
			error = nvlist_error(nvlout);
		if (newsockp != NULL && *newsockp >= 0) {
			(void)close(*newsockp);
			*newsockp = -1;
		}
		return (error);
	}
	if (nvlist_exists(nvlout, "error"))
		nvlist_free(nvlout, "error");
	nvlist_add_number(nvlout, "error", (uint64_t)error);
	return (error);
}
