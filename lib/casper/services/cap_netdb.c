/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.netdb: cap_getprotobyname().  The service may read the protocols
 * database and the NSS configuration and nothing else (Landlock); it has
 * no network and no other paths (docs/casper.md).  No limits, as on
 * FreeBSD.
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_netdb.h>

/* The client's result, replaced by each call as getprotobyname's is. */
static struct protoent proto;
static nvlist_t *proto_nvl;

static void
proto_free(void)
{

	free(proto.p_aliases);
	proto.p_aliases = NULL;
	nvlist_destroy(proto_nvl);
	proto_nvl = NULL;
}

struct protoent *
cap_getprotobyname(cap_channel_t *chan, const char *name)
{
	nvlist_t *nvl;
	const char *const *aliases;
	size_t naliases, i;
	int error;

	if (name == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	if ((nvl = nvlist_create(0)) == NULL)
		return (NULL);
	nvlist_add_string(nvl, "cmd", "getprotobyname");
	nvlist_add_string(nvl, "name", name);
	if ((nvl = cap_xfer_nvlist(chan, nvl)) == NULL)
		return (NULL);
	error = nvlist_exists_number(nvl, "error") ?
	    (int)nvlist_get_number(nvl, "error") : EPROTO;
	if (error == 0 && (!nvlist_exists_string(nvl, "name") ||
	    !nvlist_exists_number(nvl, "proto")))
		error = EPROTO;
	if (error != 0) {
		nvlist_destroy(nvl);
		errno = error;
		return (NULL);
	}
	proto_free();
	naliases = 0;
	aliases = nvlist_exists_string_array(nvl, "aliases") ?
	    nvlist_get_string_array(nvl, "aliases", &naliases) : NULL;
	if ((proto.p_aliases = calloc(naliases + 1, sizeof(char *))) == NULL) {
		nvlist_destroy(nvl);
		return (NULL);
	}
	for (i = 0; i < naliases; i++)
		proto.p_aliases[i] = (char *)aliases[i];
	proto.p_name = (char *)nvlist_get_string(nvl, "name");
	proto.p_proto = (int)nvlist_get_number(nvl, "proto");
	proto_nvl = nvl;	/* keeps the strings */
	return (&proto);
}

static int
netdb_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	struct protoent *pe;
	size_t n;

	(void)limits;
	if (strcmp(cmd, "getprotobyname") != 0)
		return (EINVAL);
	if (!nvlist_exists_string(nvlin, "name"))
		return (EINVAL);
	errno = 0;
	pe = getprotobyname(nvlist_get_string(nvlin, "name"));
	if (pe == NULL)
		return (errno != 0 ? errno : ENOENT);
	nvlist_add_string(nvlout, "name", pe->p_name);
	nvlist_add_number(nvlout, "proto", (uint64_t)pe->p_proto);
	for (n = 0; pe->p_aliases != NULL && pe->p_aliases[n] != NULL; n++)
		;
	if (n > 0)
		nvlist_add_string_array(nvlout, "aliases",
		    (const char *const *)pe->p_aliases, n);
	return (0);
}

/* Load the NSS configuration before the sandbox hides it. */
static int
netdb_prepare(void)
{

	(void)getprotobyname("ip");
	endprotoent();
	return (0);
}

static const char *const netdb_read[] = {
	"/etc/protocols",
	"/etc/nsswitch.conf",
	NULL
};

static const struct casper_sandbox netdb_sandbox = {
	.sb_prepare = netdb_prepare,
	.sb_read = netdb_read,
	.sb_write = NULL,
	.sb_flags = 0,
};

static __attribute__((constructor)) void
netdb_sandbox_init(void)
{

	(void)service_sandbox("system.netdb", &netdb_sandbox);
}

CREATE_SERVICE("system.netdb", NULL, netdb_command, 0);
