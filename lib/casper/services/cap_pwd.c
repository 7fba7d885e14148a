/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.pwd: the passwd database through glibc's NSS from capability
 * mode.  Client and service side.  The service may read /etc/passwd and
 * the NSS configuration and nothing else (Landlock), has no sockets
 * (seccomp), so NSS sources that need a socket (systemd-userdb, sssd,
 * LDAP) answer "unavailable" and only the "files" entries are seen
 * (docs/casper.md).
 *
 * Limits, as on FreeBSD: "cmds" (set of command names), "fields" (set of
 * field names), "users" (uid numbers and login strings), each a sub-nvlist
 * narrowed on its own.
 */
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capsicum.h>
#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_pwd.h>

#include "idlimit.h"

static const char *const pwd_cmds[] = {
	"getpwent", "getpwnam", "getpwuid", "getpwent_r", "getpwnam_r",
	"getpwuid_r", "setpassent", "setpwent", "endpwent", NULL
};
/* FreeBSD's names; pw_change .. pw_fields have no glibc counterpart. */
static const char *const pwd_fields[] = {
	"pw_name", "pw_passwd", "pw_uid", "pw_gid", "pw_change", "pw_class",
	"pw_gecos", "pw_dir", "pw_shell", "pw_expire", "pw_fields", NULL
};
static const char *const pwd_keys[] = { "cmds", "fields", "users", NULL };
static const char *const pwd_strfields[] = {
	"pw_name", "pw_passwd", "pw_gecos", "pw_dir", "pw_shell", NULL
};

/* The non-_r functions' result: the reply keeps the strings. */
static struct passwd cpwd;
static nvlist_t *cpwd_nvl;

/*
 * Send one lookup; on success *replyp is the reply holding an entry, or
 * NULL when there is none.  Returns an errno value.
 */
static int
pwd_request(cap_channel_t *chan, nvlist_t *req, nvlist_t **replyp)
{
	nvlist_t *rep;
	const char *const *f;
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
	if (error != 0 || !nvlist_exists_string(rep, "pw_name")) {
		nvlist_destroy(rep);
		return (error);
	}
	for (f = pwd_strfields; *f != NULL; f++)
		if (!nvlist_exists_string(rep, *f))
			error = EPROTO;
	if (!nvlist_exists_number(rep, "pw_uid") ||
	    !nvlist_exists_number(rep, "pw_gid"))
		error = EPROTO;
	if (error != 0) {
		nvlist_destroy(rep);
		return (error);
	}
	*replyp = rep;
	return (0);
}

/* Fill pwd from rep, strings copied into buf (or pointing into rep). */
static int
pwd_unpack(const nvlist_t *rep, struct passwd *pwd, char *buf, size_t size)
{
	char **dst[] = { &pwd->pw_name, &pwd->pw_passwd, &pwd->pw_gecos,
	    &pwd->pw_dir, &pwd->pw_shell };
	size_t i;
	int error;

	memset(pwd, 0, sizeof(*pwd));
	for (i = 0; pwd_strfields[i] != NULL; i++) {
		if (buf == NULL) {
			*dst[i] = (char *)nvlist_get_string(rep,
			    pwd_strfields[i]);
			continue;
		}
		error = idlimit_strcpy(dst[i],
		    nvlist_get_string(rep, pwd_strfields[i]), &buf, &size);
		if (error != 0)
			return (error);
	}
	pwd->pw_uid = (uid_t)nvlist_get_number(rep, "pw_uid");
	pwd->pw_gid = (gid_t)nvlist_get_number(rep, "pw_gid");
	return (0);
}

static nvlist_t *
pwd_cmd(const char *cmd)
{
	nvlist_t *nvl;

	if ((nvl = nvlist_create(0)) != NULL)
		nvlist_add_string(nvl, "cmd", cmd);
	return (nvl);
}

static struct passwd *
pwd_common(cap_channel_t *chan, nvlist_t *req)
{
	nvlist_t *rep;
	int error;

	if ((error = pwd_request(chan, req, &rep)) != 0) {
		errno = error;
		return (NULL);
	}
	if (rep == NULL)
		return (NULL);
	nvlist_destroy(cpwd_nvl);
	cpwd_nvl = rep;
	(void)pwd_unpack(rep, &cpwd, NULL, 0);
	return (&cpwd);
}

static int
pwd_common_r(cap_channel_t *chan, nvlist_t *req, struct passwd *pwd,
    char *buffer, size_t bufsize, struct passwd **result)
{
	nvlist_t *rep;
	int error;

	*result = NULL;
	if (pwd == NULL || buffer == NULL) {
		nvlist_destroy(req);
		return (EINVAL);
	}
	if ((error = pwd_request(chan, req, &rep)) != 0 || rep == NULL)
		return (error);
	error = pwd_unpack(rep, pwd, buffer, bufsize);
	nvlist_destroy(rep);
	if (error == 0)
		*result = pwd;
	return (error);
}

static nvlist_t *
pwd_nam(const char *cmd, const char *name)
{
	nvlist_t *nvl;

	if ((nvl = pwd_cmd(cmd)) != NULL)
		nvlist_add_string(nvl, "name", name);
	return (nvl);
}

static nvlist_t *
pwd_uid(const char *cmd, uid_t uid)
{
	nvlist_t *nvl;

	if ((nvl = pwd_cmd(cmd)) != NULL)
		nvlist_add_number(nvl, "uid", (uint64_t)uid);
	return (nvl);
}

struct passwd *
cap_getpwent(cap_channel_t *chan)
{

	return (pwd_common(chan, pwd_cmd("getpwent")));
}

struct passwd *
cap_getpwnam(cap_channel_t *chan, const char *login)
{

	if (login == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	return (pwd_common(chan, pwd_nam("getpwnam", login)));
}

struct passwd *
cap_getpwuid(cap_channel_t *chan, uid_t uid)
{

	return (pwd_common(chan, pwd_uid("getpwuid", uid)));
}

int
cap_getpwent_r(cap_channel_t *chan, struct passwd *pwd, char *buffer,
    size_t bufsize, struct passwd **result)
{

	return (pwd_common_r(chan, pwd_cmd("getpwent_r"), pwd, buffer,
	    bufsize, result));
}

int
cap_getpwnam_r(cap_channel_t *chan, const char *name, struct passwd *pwd,
    char *buffer, size_t bufsize, struct passwd **result)
{

	if (name == NULL) {
		*result = NULL;
		return (EINVAL);
	}
	return (pwd_common_r(chan, pwd_nam("getpwnam_r", name), pwd, buffer,
	    bufsize, result));
}

int
cap_getpwuid_r(cap_channel_t *chan, uid_t uid, struct passwd *pwd,
    char *buffer, size_t bufsize, struct passwd **result)
{

	return (pwd_common_r(chan, pwd_uid("getpwuid_r", uid), pwd, buffer,
	    bufsize, result));
}

/* A command without an entry in the reply; returns an errno value. */
static int
pwd_simple(cap_channel_t *chan, nvlist_t *req)
{
	nvlist_t *rep;
	int error;

	if ((error = pwd_request(chan, req, &rep)) != 0)
		return (error);
	nvlist_destroy(rep);
	return (0);
}

/* 1 on success, 0 with errno on failure, as FreeBSD's setpassent(3). */
int
cap_setpassent(cap_channel_t *chan, int stayopen)
{
	nvlist_t *req;
	int error;

	if ((req = pwd_cmd("setpassent")) != NULL)
		nvlist_add_bool(req, "stayopen", stayopen != 0);
	if ((error = pwd_simple(chan, req)) != 0) {
		errno = error;
		return (0);
	}
	return (1);
}

void
cap_setpwent(cap_channel_t *chan)
{

	(void)pwd_simple(chan, pwd_cmd("setpwent"));
}

void
cap_endpwent(cap_channel_t *chan)
{

	(void)pwd_simple(chan, pwd_cmd("endpwent"));
}

int
cap_pwd_limit_cmds(cap_channel_t *chan, const char *const *cmds,
    size_t ncmds)
{

	return (idlimit_replace(chan, "cmds", idlimit_nameset(cmds, ncmds)));
}

int
cap_pwd_limit_fields(cap_channel_t *chan, const char *const *fields,
    size_t nfields)
{

	return (idlimit_replace(chan, "fields",
	    idlimit_nameset(fields, nfields)));
}

int
cap_pwd_limit_users(cap_channel_t *chan, const char *const *names,
    size_t nnames, const uid_t *uids, size_t nuids)
{
	nvlist_t *nvl;
	char key[32];
	size_t i;

	if ((nnames > 0 && names == NULL) || (nuids > 0 && uids == NULL)) {
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
	for (i = 0; i < nuids; i++) {
		snprintf(key, sizeof(key), "uid%zu", i);
		nvlist_add_number(nvl, key, (uint64_t)uids[i]);
	}
	return (idlimit_replace(chan, "users", nvl));
}

/* Service side. */

static int
pwd_limit(const nvlist_t *oldlimits, const nvlist_t *newlimits)
{
	int error;

	if (newlimits == NULL)
		return (oldlimits == NULL ? 0 : ENOTCAPABLE);
	if ((error = idlimit_check_keys(newlimits, pwd_keys)) != 0 ||
	    (error = idlimit_check_set(oldlimits, newlimits, "cmds",
	    pwd_cmds)) != 0 ||
	    (error = idlimit_check_set(oldlimits, newlimits, "fields",
	    pwd_fields)) != 0)
		return (error);
	return (idlimit_check_ids(oldlimits, newlimits, "users"));
}

static void
pwd_pack(const nvlist_t *limits, const struct passwd *pw, nvlist_t *nvlout)
{
	const char *vals[] = { pw->pw_name, pw->pw_passwd, pw->pw_gecos,
	    pw->pw_dir, pw->pw_shell };
	size_t i;

	for (i = 0; pwd_strfields[i] != NULL; i++)
		nvlist_add_string(nvlout, pwd_strfields[i],
		    idlimit_allowed(limits, "fields", pwd_strfields[i]) &&
		    vals[i] != NULL ? vals[i] : "");
	nvlist_add_number(nvlout, "pw_uid",
	    idlimit_allowed(limits, "fields", "pw_uid") ?
	    (uint64_t)pw->pw_uid : (uint64_t)(uid_t)-1);
	nvlist_add_number(nvlout, "pw_gid",
	    idlimit_allowed(limits, "fields", "pw_gid") ?
	    (uint64_t)pw->pw_gid : (uint64_t)(gid_t)-1);
}

/*
 * glibc reports "no such user" as NULL with errno 0, ENOENT, ESRCH, EBADF
 * or EPERM (the latter from an NSS source the sandbox cut off); only
 * resource errors are worth reporting.
 */
static int
pwd_lookup_error(int error)
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
pwd_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	const char *const *c;
	struct passwd *pw;
	const char *name;
	uint64_t uid;

	for (c = pwd_cmds; *c != NULL && strcmp(*c, cmd) != 0; c++)
		;
	if (*c == NULL)
		return (EINVAL);
	if (!idlimit_allowed(limits, "cmds", cmd))
		return (ENOTCAPABLE);
	if (strcmp(cmd, "setpassent") == 0) {
		if (!nvlist_exists_bool(nvlin, "stayopen"))
			return (EINVAL);
		/* glibc's files source keeps the file open anyway. */
		setpwent();
		return (0);
	}
	if (strcmp(cmd, "setpwent") == 0) {
		setpwent();
		return (0);
	}
	if (strcmp(cmd, "endpwent") == 0) {
		endpwent();
		return (0);
	}
	if (strncmp(cmd, "getpwent", 8) == 0) {
		/* Entries outside the limits are skipped, as on FreeBSD. */
		for (;;) {
			errno = 0;
			if ((pw = getpwent()) == NULL)
				return (pwd_lookup_error(errno));
			if (idlimit_id_allowed(limits, "users", pw->pw_name,
			    pw->pw_uid))
				break;
		}
		pwd_pack(limits, pw, nvlout);
		return (0);
	}
	if (strncmp(cmd, "getpwnam", 8) == 0) {
		if (!nvlist_exists_string(nvlin, "name"))
			return (EINVAL);
		name = nvlist_get_string(nvlin, "name");
		errno = 0;
		pw = getpwnam(name);
		/* An absent user outside the limits is not revealed. */
		if (pw == NULL) {
			if (!idlimit_id_allowed(limits, "users", name,
			    UINT64_MAX))
				return (ENOTCAPABLE);
			return (pwd_lookup_error(errno));
		}
	} else {
		if (!nvlist_exists_number(nvlin, "uid"))
			return (EINVAL);
		uid = nvlist_get_number(nvlin, "uid");
		if (uid > UINT32_MAX)
			return (EINVAL);
		errno = 0;
		pw = getpwuid((uid_t)uid);
		if (pw == NULL) {
			if (!idlimit_id_allowed(limits, "users", NULL, uid))
				return (ENOTCAPABLE);
			return (pwd_lookup_error(errno));
		}
	}
	if (!idlimit_id_allowed(limits, "users", pw->pw_name, pw->pw_uid))
		return (ENOTCAPABLE);
	pwd_pack(limits, pw, nvlout);
	return (0);
}

/* Load the NSS configuration and modules before the sandbox hides them. */
static int
pwd_prepare(void)
{

	(void)getpwuid(0);
	(void)getpwnam("root");
	setpwent();
	(void)getpwent();
	endpwent();
	return (0);
}

static const char *const pwd_read[] = {
	"/etc/passwd",
	"/etc/nsswitch.conf",
	NULL
};

static const struct casper_sandbox pwd_sandbox = {
	.sb_prepare = pwd_prepare,
	.sb_read = pwd_read,
	.sb_write = NULL,
	.sb_flags = 0,
};

static __attribute__((constructor)) void
pwd_sandbox_init(void)
{

	(void)service_sandbox("system.pwd", &pwd_sandbox);
}

CREATE_SERVICE("system.pwd", pwd_limit, pwd_command, 0);
