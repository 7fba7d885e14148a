/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.grp: the group database through glibc's NSS from capability
 * mode.  Client and service side.  The service may read /etc/group and
 * the NSS configuration and nothing else (Landlock) and has no sockets
 * (seccomp); NSS sources that need a socket answer "unavailable"
 * (docs/casper.md).
 *
 * Limits, as on FreeBSD: "cmds", "fields" (sets of names) and "groups"
 * (gid numbers and group name strings), each narrowed on its own.
 */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capsicum.h>
#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_grp.h>

#include "idlimit.h"

static const char *const grp_cmds[] = {
	"getgrent", "getgrnam", "getgrgid", "getgrent_r", "getgrnam_r",
	"getgrgid_r", "setgroupent", "setgrent", "endgrent", NULL
};
static const char *const grp_fields[] = {
	"gr_name", "gr_passwd", "gr_gid", "gr_mem", NULL
};
static const char *const grp_keys[] = { "cmds", "fields", "groups", NULL };

/* Hostile replies cannot make the client allocate without bound. */
#define	GRP_MAXMEM	65536

/* The non-_r functions' result: the reply keeps the strings. */
static struct group cgrp;
static nvlist_t *cgrp_nvl;
static char **cgrp_mem;

static int
grp_request(cap_channel_t *chan, nvlist_t *req, nvlist_t **replyp)
{
	nvlist_t *rep;
	int error;

	*replyp = NULL;
	if (req == NULL || nvlist_error(req) != 0) {
		nvlist_destroy(req);
		return (ENOMEM);
	}
	if ((rep = cap_xfer_nvlist(chan, req)) == NULL)
		return (errno != 0 ? errno : EIO);
	error = nvlist_exists_number(rep, "error") ?
	    (int)nvlist_get_number(rep, "error") : EPROTO;
	if (error != 0 || !nvlist_exists_string(rep, "gr_name")) {
		nvlist_destroy(rep);
		return (error);
	}
	if (!nvlist_exists_string(rep, "gr_passwd") ||
	    !nvlist_exists_number(rep, "gr_gid") ||
	    (nvlist_exists(rep, "gr_mem") &&
	    !nvlist_exists_string_array(rep, "gr_mem"))) {
		nvlist_destroy(rep);
		return (EPROTO);
	}
	*replyp = rep;
	return (0);
}

/*
 * Fill grp from rep.  With buf, the member pointer array (aligned) and
 * then the strings go into buf; without, gr_mem is allocated in *memp and
 * the strings point into rep.
 */
static int
grp_unpack(const nvlist_t *rep, struct group *grp, char *buf, size_t size,
    char ***memp)
{
	const char *const *mem;
	char **arr;
	size_t nmem, i, pad;
	int error;

	memset(grp, 0, sizeof(*grp));
	nmem = 0;
	mem = nvlist_exists_string_array(rep, "gr_mem") ?
	    nvlist_get_string_array(rep, "gr_mem", &nmem) : NULL;
	if (nmem > GRP_MAXMEM)
		return (EPROTO);
	grp->gr_gid = (gid_t)nvlist_get_number(rep, "gr_gid");
	if (buf == NULL) {
		if ((arr = calloc(nmem + 1, sizeof(char *))) == NULL)
			return (ENOMEM);
		for (i = 0; i < nmem; i++)
			arr[i] = (char *)mem[i];
		*memp = arr;
		grp->gr_mem = arr;
		grp->gr_name = (char *)nvlist_get_string(rep, "gr_name");
		grp->gr_passwd = (char *)nvlist_get_string(rep, "gr_passwd");
		return (0);
	}
	pad = (sizeof(char *) - (uintptr_t)buf % sizeof(char *)) %
	    sizeof(char *);
	if (size < pad || (size - pad) / sizeof(char *) < nmem + 1)
		return (ERANGE);
	arr = (char **)(void *)(buf + pad);
	buf += pad + (nmem + 1) * sizeof(char *);
	size -= pad + (nmem + 1) * sizeof(char *);
	if ((error = idlimit_strcpy(&grp->gr_name,
	    nvlist_get_string(rep, "gr_name"), &buf, &size)) != 0 ||
	    (error = idlimit_strcpy(&grp->gr_passwd,
	    nvlist_get_string(rep, "gr_passwd"), &buf, &size)) != 0)
		return (error);
	for (i = 0; i < nmem; i++)
		if ((error = idlimit_strcpy(&arr[i], mem[i], &buf,
		    &size)) != 0)
			return (error);
	arr[nmem] = NULL;
	grp->gr_mem = arr;
	return (0);
}

static nvlist_t *
grp_cmd(const char *cmd)
{
	nvlist_t *nvl;

	if ((nvl = nvlist_create(0)) != NULL)
		nvlist_add_string(nvl, "cmd", cmd);
	return (nvl);
}

static nvlist_t *
grp_nam(const char *cmd, const char *name)
{
	nvlist_t *nvl;

	if ((nvl = grp_cmd(cmd)) != NULL)
		nvlist_add_string(nvl, "name", name);
	return (nvl);
}

static nvlist_t *
grp_gid(const char *cmd, gid_t gid)
{
	nvlist_t *nvl;

	if ((nvl = grp_cmd(cmd)) != NULL)
		nvlist_add_number(nvl, "gid", (uint64_t)gid);
	return (nvl);
}

static struct group *
grp_common(cap_channel_t *chan, nvlist_t *req)
{
	nvlist_t *rep;
	char **mem;
	int error;

	if ((error = grp_request(chan, req, &rep)) != 0) {
		errno = error;
		return (NULL);
	}
	if (rep == NULL)
		return (NULL);
	mem = NULL;
	if ((error = grp_unpack(rep, &cgrp, NULL, 0, &mem)) != 0) {
		nvlist_destroy(rep);
		errno = error;
		return (NULL);
	}
	free(cgrp_mem);
	nvlist_destroy(cgrp_nvl);
	cgrp_nvl = rep;
	cgrp_mem = mem;
	cgrp.gr_mem = mem;
	return (&cgrp);
}

static int
grp_common_r(cap_channel_t *chan, nvlist_t *req, struct group *grp,
    char *buffer, size_t bufsize, struct group **result)
{
	nvlist_t *rep;
	int error;

	*result = NULL;
	if (grp == NULL || buffer == NULL) {
		nvlist_destroy(req);
		return (EINVAL);
	}
	if ((error = grp_request(chan, req, &rep)) != 0 || rep == NULL)
		return (error);
	error = grp_unpack(rep, grp, buffer, bufsize, NULL);
	nvlist_destroy(rep);
	if (error == 0)
		*result = grp;
	return (error);
}

struct group *
cap_getgrent(cap_channel_t *chan)
{

	return (grp_common(chan, grp_cmd("getgrent")));
}

struct group *
cap_getgrnam(cap_channel_t *chan, const char *name)
{

	if (name == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	return (grp_common(chan, grp_nam("getgrnam", name)));
}

struct group *
cap_getgrgid(cap_channel_t *chan, gid_t gid)
{

	return (grp_common(chan, grp_gid("getgrgid", gid)));
}

int
cap_getgrent_r(cap_channel_t *chan, struct group *grp, char *buffer,
    size_t bufsize, struct group **result)
{

	return (grp_common_r(chan, grp_cmd("getgrent_r"), grp, buffer,
	    bufsize, result));
}

int
cap_getgrnam_r(cap_channel_t *chan, const char *name, struct group *grp,
    char *buffer, size_t bufsize, struct group **result)
{

	if (name == NULL) {
		*result = NULL;
		return (EINVAL);
	}
	return (grp_common_r(chan, grp_nam("getgrnam_r", name), grp, buffer,
	    bufsize, result));
}

int
cap_getgrgid_r(cap_channel_t *chan, gid_t gid, struct group *grp,
    char *buffer, size_t bufsize, struct group **result)
{

	return (grp_common_r(chan, grp_gid("getgrgid_r", gid), grp, buffer,
	    bufsize, result));
}

/* 1 on success, 0 with errno on failure, as FreeBSD's setgrent(3). */
static int
grp_simple(cap_channel_t *chan, nvlist_t *req)
{
	nvlist_t *rep;
	int error;

	if ((error = grp_request(chan, req, &rep)) != 0) {
		errno = error;
		return (0);
	}
	nvlist_destroy(rep);
	return (1);
}

int
cap_setgroupent(cap_channel_t *chan, int stayopen)
{
	nvlist_t *req;

	if ((req = grp_cmd("setgroupent")) != NULL)
		nvlist_add_bool(req, "stayopen", stayopen != 0);
	return (grp_simple(chan, req));
}

int
cap_setgrent(cap_channel_t *chan)
{

	return (grp_simple(chan, grp_cmd("setgrent")));
}

void
cap_endgrent(cap_channel_t *chan)
{

	(void)grp_simple(chan, grp_cmd("endgrent"));
}

int
cap_grp_limit_cmds(cap_channel_t *chan, const char *const *cmds,
    size_t ncmds)
{

	return (idlimit_replace(chan, "cmds", idlimit_nameset(cmds, ncmds)));
}

int
cap_grp_limit_fields(cap_channel_t *chan, const char *const *fields,
    size_t nfields)
{

	return (idlimit_replace(chan, "fields",
	    idlimit_nameset(fields, nfields)));
}

int
cap_grp_limit_groups(cap_channel_t *chan, const char *const *names,
    size_t nnames, const gid_t *gids, size_t ngids)
{
	nvlist_t *nvl;
	char key[32];
	size_t i;

	if ((nnames > 0 && names == NULL) || (ngids > 0 && gids == NULL)) {
		errno = EINVAL;
		return (-1);
	}
	if ((nvl = nvlist_create(0)) == NULL)
		return (-1);
	for (i = 0; i < nnames; i++) {
		if (names[i] == NULL) {
			nvlist_destroy(nvl);
			errno = EINVAL;
			return (-1);
		}
		snprintf(key, sizeof(key), "name%zu", i);
		nvlist_add_string(nvl, key, names[i]);
	}
	for (i = 0; i < ngids; i++) {
		snprintf(key, sizeof(key), "gid%zu", i);
		nvlist_add_number(nvl, key, (uint64_t)gids[i]);
	}
	return (idlimit_replace(chan, "groups", nvl));
}

/* Service side. */

static int
grp_limit(const nvlist_t *oldlimits, const nvlist_t *newlimits)
{
	int error;

	if (newlimits == NULL)
		return (oldlimits == NULL ? 0 : ENOTCAPABLE);
	if ((error = idlimit_check_keys(newlimits, grp_keys)) != 0 ||
	    (error = idlimit_check_set(oldlimits, newlimits, "cmds",
	    grp_cmds)) != 0 ||
	    (error = idlimit_check_set(oldlimits, newlimits, "fields",
	    grp_fields)) != 0)
		return (error);
	return (idlimit_check_ids(oldlimits, newlimits, "groups"));
}

static void
grp_pack(const nvlist_t *limits, const struct group *gr, nvlist_t *nvlout)
{
	size_t n;

	nvlist_add_string(nvlout, "gr_name",
	    idlimit_allowed(limits, "fields", "gr_name") ? gr->gr_name : "");
	nvlist_add_string(nvlout, "gr_passwd",
	    idlimit_allowed(limits, "fields", "gr_passwd") &&
	    gr->gr_passwd != NULL ? gr->gr_passwd : "");
	nvlist_add_number(nvlout, "gr_gid",
	    idlimit_allowed(limits, "fields", "gr_gid") ?
	    (uint64_t)gr->gr_gid : (uint64_t)(gid_t)-1);
	if (!idlimit_allowed(limits, "fields", "gr_mem") || gr->gr_mem == NULL)
		return;
	for (n = 0; gr->gr_mem[n] != NULL; n++)
		;
	/* No member: no array (libnv arrays are never empty). */
	if (n > 0)
		nvlist_add_string_array(nvlout, "gr_mem",
		    (const char *const *)gr->gr_mem, n);
}

/* See pwd_lookup_error() in cap_pwd.c: only resource errors count. */
static int
grp_lookup_error(int error)
{

	switch (error) {
	case ENOMEM:
	case EIO:
	case EMFILE:
	case ENFILE:
	case EINTR:
		return (error);
	}
	return (0);
}

static int
grp_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	const char *const *c;
	struct group *gr;
	const char *name;
	uint64_t gid;

	for (c = grp_cmds; *c != NULL && strcmp(*c, cmd) != 0; c++)
		;
	if (*c == NULL)
		return (EINVAL);
	if (!idlimit_allowed(limits, "cmds", cmd))
		return (ENOTCAPABLE);
	if (strcmp(cmd, "setgroupent") == 0) {
		if (!nvlist_exists_bool(nvlin, "stayopen"))
			return (EINVAL);
		setgrent();
		return (0);
	}
	if (strcmp(cmd, "setgrent") == 0) {
		setgrent();
		return (0);
	}
	if (strcmp(cmd, "endgrent") == 0) {
		endgrent();
		return (0);
	}
	if (strncmp(cmd, "getgrent", 8) == 0) {
		/* Groups outside the limits are skipped, as on FreeBSD. */
		for (;;) {
			errno = 0;
			if ((gr = getgrent()) == NULL)
				return (grp_lookup_error(errno));
			if (idlimit_id_allowed(limits, "groups", gr->gr_name,
			    gr->gr_gid))
				break;
		}
		grp_pack(limits, gr, nvlout);
		return (0);
	}
	if (strncmp(cmd, "getgrnam", 8) == 0) {
		if (!nvlist_exists_string(nvlin, "name"))
			return (EINVAL);
		name = nvlist_get_string(nvlin, "name");
		errno = 0;
		if ((gr = getgrnam(name)) == NULL) {
			/* An absent group outside the limits stays hidden. */
			if (!idlimit_id_allowed(limits, "groups", name,
			    UINT64_MAX))
				return (ENOTCAPABLE);
			return (grp_lookup_error(errno));
		}
	} else {
		if (!nvlist_exists_number(nvlin, "gid"))
			return (EINVAL);
		gid = nvlist_get_number(nvlin, "gid");
		if (gid > UINT32_MAX)
			return (EINVAL);
		errno = 0;
		if ((gr = getgrgid((gid_t)gid)) == NULL) {
			if (!idlimit_id_allowed(limits, "groups", NULL, gid))
				return (ENOTCAPABLE);
			return (grp_lookup_error(errno));
		}
	}
	if (!idlimit_id_allowed(limits, "groups", gr->gr_name, gr->gr_gid))
		return (ENOTCAPABLE);
	grp_pack(limits, gr, nvlout);
	return (0);
}

/* Load the NSS configuration and modules before the sandbox hides them. */
static int
grp_prepare(void)
{

	(void)getgrgid(0);
	(void)getgrnam("root");
	setgrent();
	(void)getgrent();
	endgrent();
	return (0);
}

static const char *const grp_read[] = {
	"/etc/group",
	"/etc/nsswitch.conf",
	NULL
};

static const struct casper_sandbox grp_sandbox = {
	.sb_prepare = grp_prepare,
	.sb_read = grp_read,
	.sb_write = NULL,
	.sb_flags = 0,
};

static __attribute__((constructor)) void
grp_sandbox_init(void)
{

	(void)service_sandbox("system.grp", &grp_sandbox);
}

CREATE_SERVICE("system.grp", grp_limit, grp_command, 0);
