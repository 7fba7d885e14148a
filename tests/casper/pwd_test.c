/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.pwd from capability mode against the real passwd database:
 * every entry compared with glibc's own getpwent/getpwnam/getpwuid
 * answers (collected before cap_enter), the _r variants with small
 * buffers, rewinding, every limit (cmds, fields, users) with FreeBSD's
 * narrowing errors, hostile requests and limits, and the sandbox.
 */
#include <pwd.h>
#include <sys/socket.h>

#include "harness.h"
#include "casper/casper_test.h"

#include <sys/capsicum.h>
#include <libcasper.h>
#include <casper/cap_pwd.h>
#include <capsicum_helpers.h>

#define	MAXENT	512

struct ent {
	char	name[64], passwd[64], gecos[128], dir[256], shell[128];
	uid_t	uid;
	gid_t	gid;
};

static struct ent ents[MAXENT];
static size_t nents;

static void
ent_of(const struct passwd *pw, struct ent *e)
{

	snprintf(e->name, sizeof(e->name), "%s", pw->pw_name);
	snprintf(e->passwd, sizeof(e->passwd), "%s", pw->pw_passwd);
	snprintf(e->gecos, sizeof(e->gecos), "%s", pw->pw_gecos);
	snprintf(e->dir, sizeof(e->dir), "%s", pw->pw_dir);
	snprintf(e->shell, sizeof(e->shell), "%s", pw->pw_shell);
	e->uid = pw->pw_uid;
	e->gid = pw->pw_gid;
}

static int
ent_eq(const struct passwd *pw, const struct ent *e)
{

	return (pw != NULL && strcmp(pw->pw_name, e->name) == 0 &&
	    strcmp(pw->pw_passwd, e->passwd) == 0 &&
	    strcmp(pw->pw_gecos, e->gecos) == 0 &&
	    strcmp(pw->pw_dir, e->dir) == 0 &&
	    strcmp(pw->pw_shell, e->shell) == 0 &&
	    pw->pw_uid == e->uid && pw->pw_gid == e->gid);
}

/* glibc's view, before capability mode. */
static void
collect(void)
{
	struct passwd *pw;

	nents = 0;
	setpwent();
	while ((pw = getpwent()) != NULL && nents < MAXENT)
		ent_of(pw, &ents[nents++]);
	endpwent();
	CHECK(nents > 0 && strcmp(ents[0].name, "root") == 0);
}

static cap_channel_t *
open_pwd(void)
{
	cap_channel_t *cas, *chan;

	CHECK((cas = cap_init()) != NULL);
	CHECK((chan = cap_service_open(cas, "system.pwd")) != NULL);
	cap_close(cas);
	return (chan);
}

static void
every_entry(void *arg)
{
	struct ent byuid[MAXENT];
	struct passwd pwd, *pw, *res;
	cap_channel_t *chan;
	char buf[4096], tiny[8];
	size_t i;

	(void)arg;
	collect();
	for (i = 0; i < nents; i++) {
		CHECK((pw = getpwuid(ents[i].uid)) != NULL);
		ent_of(pw, &byuid[i]);
	}
	chan = open_pwd();
	capmode_enter();
	/* Iteration: the same entries in the same order. */
	for (i = 0; i < nents; i++)
		CHECK(ent_eq(cap_getpwent(chan), &ents[i]));
	CHECK(cap_getpwent(chan) == NULL);
	cap_setpwent(chan);
	CHECK(ent_eq(cap_getpwent(chan), &ents[0]));
	CHECK(cap_setpassent(chan, 1) == 1);
	for (i = 0; i < nents; i++) {
		CHECK(cap_getpwent_r(chan, &pwd, buf, sizeof(buf), &res) == 0);
		CHECK(res == &pwd && ent_eq(res, &ents[i]));
	}
	CHECK(cap_getpwent_r(chan, &pwd, buf, sizeof(buf), &res) == 0);
	CHECK(res == NULL);
	cap_endpwent(chan);
	CHECK(ent_eq(cap_getpwent(chan), &ents[0]));
	/* Lookups by name and by uid. */
	for (i = 0; i < nents; i++) {
		CHECK(ent_eq(cap_getpwnam(chan, ents[i].name), &ents[i]));
		CHECK(ent_eq(cap_getpwuid(chan, ents[i].uid), &byuid[i]));
		CHECK(cap_getpwnam_r(chan, ents[i].name, &pwd, buf,
		    sizeof(buf), &res) == 0 && ent_eq(res, &ents[i]));
		CHECK(cap_getpwuid_r(chan, ents[i].uid, &pwd, buf,
		    sizeof(buf), &res) == 0 && ent_eq(res, &byuid[i]));
	}
	/* The static result is replaced by the next call. */
	pw = cap_getpwnam(chan, "root");
	CHECK(pw != NULL && pw->pw_uid == 0);
	/* Absent entries: NULL, and 0 with a NULL result for _r. */
	CHECK(cap_getpwnam(chan, "no-such-user.casper") == NULL);
	CHECK(cap_getpwuid(chan, 4000000000u) == NULL);
	res = &pwd;
	CHECK(cap_getpwnam_r(chan, "no-such-user.casper", &pwd, buf,
	    sizeof(buf), &res) == 0 && res == NULL);
	res = &pwd;
	CHECK(cap_getpwuid_r(chan, 4000000000u, &pwd, buf, sizeof(buf),
	    &res) == 0 && res == NULL);
	/* Too small a buffer: ERANGE, as getpwnam_r. */
	res = &pwd;
	CHECK(cap_getpwnam_r(chan, "root", &pwd, tiny, sizeof(tiny),
	    &res) == ERANGE && res == NULL);
	CHECK(cap_getpwuid_r(chan, 0, &pwd, tiny, sizeof(tiny), &res) ==
	    ERANGE);
	CHECK(cap_getpwent_r(chan, &pwd, tiny, 0, &res) == ERANGE);
	/* Bad arguments. */
	errno = 0;
	CHECK(cap_getpwnam(chan, NULL) == NULL && errno == EINVAL);
	CHECK(cap_getpwnam_r(chan, NULL, &pwd, buf, sizeof(buf), &res) ==
	    EINVAL && res == NULL);
	CHECK(cap_getpwnam_r(chan, "root", &pwd, NULL, 10, &res) == EINVAL);
	cap_close(chan);
	_exit(0);
}

Test(pwd, every_entry_from_capability_mode)
{
	SANDBOXED(every_entry, NULL);
}

/*
 * The usual capsicumized program: nothing open but stdio, stdio limited,
 * Casper opened, then capability mode.  Limited descriptors start the
 * broker, which then receives the process's replies (recvmsg); this
 * once failed with ENOSYS when the broker could not start.
 */
static void
limited_stdio(void *arg)
{
	cap_channel_t *chan;
	struct passwd *pw;
	int i;

	(void)arg;
	(void)syscall(SYS_close_range, 3, ~0U, 0);
	CHECK(caph_limit_stdio() == 0);
	chan = open_pwd();
	capmode_enter();
	for (i = 0; i < 100; i++) {
		pw = cap_getpwnam(chan, "root");
		CHECK(pw != NULL && pw->pw_uid == 0);
	}
	cap_close(chan);
	_exit(0);
}

Test(pwd, from_a_program_with_limited_stdio)
{
	SANDBOXED(limited_stdio, NULL);
}

static void
limit_cmds(void *arg)
{
	static const char *const two[] = { "getpwnam", "getpwent" };
	static const char *const one[] = { "getpwnam" };
	static const char *const wide[] = { "getpwnam", "getpwuid" };
	static const char *const bad[] = { "getpwnam", "chpass" };
	struct passwd pwd, *res;
	cap_channel_t *chan;
	char buf[4096];

	(void)arg;
	chan = open_pwd();
	capmode_enter();
	CHECK(cap_pwd_limit_cmds(chan, two, 2) == 0);
	CHECK(cap_getpwnam(chan, "root") != NULL);
	CHECK(cap_getpwent(chan) != NULL);
	errno = 0;
	CHECK(cap_getpwuid(chan, 0) == NULL && errno == ENOTCAPABLE);
	CHECK(cap_getpwnam_r(chan, "root", &pwd, buf, sizeof(buf), &res) ==
	    ENOTCAPABLE && res == NULL);
	CHECK(cap_getpwent_r(chan, &pwd, buf, sizeof(buf), &res) ==
	    ENOTCAPABLE);
	CHECK(cap_getpwuid_r(chan, 0, &pwd, buf, sizeof(buf), &res) ==
	    ENOTCAPABLE);
	errno = 0;
	CHECK(cap_setpassent(chan, 0) == 0 && errno == ENOTCAPABLE);
	cap_setpwent(chan);	/* refused silently: void */
	cap_endpwent(chan);
	/* Widening and unknown names. */
	CHECK_LIBC_ERR(cap_pwd_limit_cmds(chan, wide, 2), ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_pwd_limit_cmds(chan, bad, 2), EINVAL);
	CHECK(cap_pwd_limit_cmds(chan, one, 1) == 0);
	errno = 0;
	CHECK(cap_getpwent(chan) == NULL && errno == ENOTCAPABLE);
	CHECK(cap_getpwnam(chan, "root") != NULL);
	CHECK_LIBC_ERR(cap_pwd_limit_cmds(chan, two, 2), ENOTCAPABLE);
	/* The empty set refuses everything. */
	CHECK(cap_pwd_limit_cmds(chan, NULL, 0) == 0);
	errno = 0;
	CHECK(cap_getpwnam(chan, "root") == NULL && errno == ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_pwd_limit_cmds(chan, one, 1), ENOTCAPABLE);
	cap_close(chan);
	_exit(0);
}

Test(pwd, limit_cmds)
{
	SANDBOXED(limit_cmds, NULL);
}

static void
limit_fields(void *arg)
{
	static const char *const some[] = { "pw_name", "pw_uid", "pw_dir",
	    "pw_change", "pw_class" };
	static const char *const name[] = { "pw_name", "pw_uid" };
	static const char *const bad[] = { "pw_name", "pw_age" };
	struct passwd pwd, *pw, *res;
	struct ent root;
	cap_channel_t *chan;
	char buf[4096];

	(void)arg;
	CHECK((pw = getpwnam("root")) != NULL);
	ent_of(pw, &root);
	chan = open_pwd();
	capmode_enter();
	/* FreeBSD-only fields are accepted (and have nothing to hide). */
	CHECK(cap_pwd_limit_fields(chan, some, 5) == 0);
	CHECK((pw = cap_getpwnam(chan, "root")) != NULL);
	CHECK(strcmp(pw->pw_name, "root") == 0 && pw->pw_uid == 0);
	CHECK(strcmp(pw->pw_dir, root.dir) == 0);
	CHECK(strcmp(pw->pw_passwd, "") == 0 && strcmp(pw->pw_gecos, "") == 0);
	CHECK(strcmp(pw->pw_shell, "") == 0 && pw->pw_gid == (gid_t)-1);
	CHECK(cap_getpwuid_r(chan, 0, &pwd, buf, sizeof(buf), &res) == 0);
	CHECK(res != NULL && strcmp(res->pw_shell, "") == 0 &&
	    strcmp(res->pw_dir, root.dir) == 0);
	CHECK(cap_pwd_limit_fields(chan, name, 2) == 0);
	CHECK((pw = cap_getpwent(chan)) != NULL);
	CHECK(strcmp(pw->pw_name, "root") == 0 && strcmp(pw->pw_dir, "") == 0);
	CHECK_LIBC_ERR(cap_pwd_limit_fields(chan, some, 5), ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_pwd_limit_fields(chan, bad, 2), EINVAL);
	cap_close(chan);
	_exit(0);
}

Test(pwd, limit_fields)
{
	SANDBOXED(limit_fields, NULL);
}

static void
limit_users(void *arg)
{
	const char *names[2];
	struct passwd pwd, *pw, *res;
	cap_channel_t *chan;
	char other[64], buf[4096];
	uid_t uids[2], ouid;
	size_t n;

	(void)arg;
	collect();
	CHECK(nents >= 3);
	/* root by name, the second entry by uid; the third is outside. */
	names[0] = "root";
	uids[0] = ents[1].uid;
	snprintf(other, sizeof(other), "%s", ents[2].name);
	ouid = ents[2].uid;
	CHECK(ouid != 0 && ouid != uids[0]);
	chan = open_pwd();
	capmode_enter();
	CHECK(cap_pwd_limit_users(chan, names, 1, uids, 1) == 0);
	CHECK((pw = cap_getpwnam(chan, "root")) != NULL && pw->pw_uid == 0);
	CHECK((pw = cap_getpwuid(chan, 0)) != NULL);
	CHECK((pw = cap_getpwuid(chan, uids[0])) != NULL);
	CHECK(cap_getpwnam(chan, ents[1].name) != NULL);
	errno = 0;
	CHECK(cap_getpwnam(chan, other) == NULL && errno == ENOTCAPABLE);
	errno = 0;
	CHECK(cap_getpwuid(chan, ouid) == NULL && errno == ENOTCAPABLE);
	CHECK(cap_getpwnam_r(chan, other, &pwd, buf, sizeof(buf), &res) ==
	    ENOTCAPABLE && res == NULL);
	/* Absent users outside the limits are not revealed as absent. */
	errno = 0;
	CHECK(cap_getpwnam(chan, "no-such-user.casper") == NULL &&
	    errno == ENOTCAPABLE);
	/* Iteration skips everyone else. */
	for (n = 0; (pw = cap_getpwent(chan)) != NULL; n++)
		CHECK(pw->pw_uid == 0 || pw->pw_uid == uids[0]);
	CHECK(n >= 2);
	/* Widening by name or uid, and dropping the set. */
	names[1] = other;
	CHECK_LIBC_ERR(cap_pwd_limit_users(chan, names, 2, uids, 1),
	    ENOTCAPABLE);
	uids[1] = ouid;
	CHECK_LIBC_ERR(cap_pwd_limit_users(chan, names, 1, uids, 2),
	    ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_pwd_limit_users(chan, NULL, 0, NULL, 0) == 0 ?
	    cap_pwd_limit_users(chan, names, 1, NULL, 0) : 0, ENOTCAPABLE);
	cap_close(chan);
	_exit(0);
}

Test(pwd, limit_users)
{
	SANDBOXED(limit_users, NULL);
}

static void
limit_users_narrow(void *arg)
{
	const char *names[1] = { "root" };
	uid_t uids[1] = { 0 };
	cap_channel_t *chan;
	nvlist_t *limits;

	(void)arg;
	chan = open_pwd();
	capmode_enter();
	CHECK(cap_pwd_limit_users(chan, names, 1, uids, 1) == 0);
	/* By uid alone, then by name alone: both subsets. */
	CHECK(cap_pwd_limit_users(chan, NULL, 0, uids, 1) == 0);
	CHECK(cap_getpwnam(chan, "root") != NULL);
	CHECK_LIBC_ERR(cap_pwd_limit_users(chan, names, 1, NULL, 0),
	    ENOTCAPABLE);
	/* The other sets survive a limit on one of them. */
	CHECK(cap_pwd_limit_cmds(chan, (const char *const[]){ "getpwnam" },
	    1) == 0);
	CHECK(cap_limit_get(chan, &limits) == 0 && limits != NULL);
	CHECK(nvlist_exists_nvlist(limits, "users"));
	CHECK(nvlist_exists_nvlist(limits, "cmds"));
	nvlist_destroy(limits);
	/* Bad arguments. */
	CHECK_LIBC_ERR(cap_pwd_limit_users(chan, NULL, 1, NULL, 0), EINVAL);
	CHECK_LIBC_ERR(cap_pwd_limit_users(chan, (const char *const[]){ NULL },
	    1, NULL, 0), EINVAL);
	cap_close(chan);
	_exit(0);
}

Test(pwd, limit_users_narrowing)
{
	SANDBOXED(limit_users_narrow, NULL);
}

static int
raw_limit(cap_channel_t *chan, const char *key, int type)
{
	nvlist_t *limits, *sub;

	limits = nvlist_create(0);
	switch (type) {
	case 0:	/* not an nvlist */
		nvlist_add_number(limits, key, 1);
		break;
	case 1:	/* a set with a number entry */
		sub = nvlist_create(0);
		nvlist_add_number(sub, "getpwnam", 1);
		nvlist_move_nvlist(limits, key, sub);
		break;
	case 2:	/* an id set with a bool */
		sub = nvlist_create(0);
		nvlist_add_bool(sub, "uid0", true);
		nvlist_move_nvlist(limits, key, sub);
		break;
	case 3:	/* a well-formed empty set */
		nvlist_move_nvlist(limits, key, nvlist_create(0));
		break;
	}
	return (cap_limit_set(chan, limits));
}

static void
hostile(void *arg)
{
	static const char *const cmds[] = { "getpwent", "getpwnam",
	    "getpwuid", "getpwnam_r", "getpwuid_r", "getpwent_r",
	    "setpassent" };
	cap_channel_t *chan;
	nvlist_t *nvl;
	size_t i;

	(void)arg;
	chan = open_pwd();
	capmode_enter();
	CHECK_LIBC_ERR(raw_limit(chan, "cmds", 0), EINVAL);
	CHECK_LIBC_ERR(raw_limit(chan, "cmds", 1), EINVAL);
	CHECK_LIBC_ERR(raw_limit(chan, "users", 2), EINVAL);
	CHECK_LIBC_ERR(raw_limit(chan, "shells", 3), EINVAL);
	CHECK_LIBC_ERR(raw_limit(chan, "fields", 1), EINVAL);
	/* Wrong or missing arguments to every command. */
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		nvl = nvlist_create(0);
		nvlist_add_string(nvl, "cmd", cmds[i]);
		nvlist_add_bool(nvl, "name", true);
		nvlist_add_string(nvl, "uid", "0");
		nvlist_add_number(nvl, "stayopen", 1);
		CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
		if (strcmp(cmds[i], "getpwent") == 0 ||
		    strcmp(cmds[i], "getpwent_r") == 0)
			CHECK(nvlist_get_number(nvl, "error") == 0);
		else
			CHECK(nvlist_get_number(nvl, "error") == EINVAL);
		nvlist_destroy(nvl);
	}
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getpwuid");
	nvlist_add_number(nvl, "uid", (uint64_t)1 << 40);
	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	CHECK(nvlist_get_number(nvl, "error") == EINVAL);
	nvlist_destroy(nvl);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getspnam");
	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	CHECK(nvlist_get_number(nvl, "error") == EINVAL);
	nvlist_destroy(nvl);
	/* Still serving, and still unlimited. */
	CHECK(raw_limit(chan, "users", 3) == 0);
	errno = 0;
	CHECK(cap_getpwnam(chan, "root") == NULL && errno == ENOTCAPABLE);
	cap_close(chan);
	_exit(0);
}

Test(pwd, hostile_requests_and_limits)
{
	SANDBOXED(hostile, NULL);
}

static int
in_sandbox(void)
{

	CHECK_OK(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY));
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_WRONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/shadow", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/group", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/root", O_RDONLY | O_DIRECTORY),
	    EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/tmp/casper-pwd-escape",
	    O_WRONLY | O_CREAT, 0600), EACCES);
	CHECK_ERR(raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_DGRAM, 0), EPERM);
	CHECK_ERR(raw(SYS_execve, "/bin/true", NULL, NULL), EPERM);
	CHECK_ERR(raw(SYS_kill, getppid(), 0), EPERM);
	/* glibc still answers from inside. */
	CHECK(getpwnam("root") != NULL);
	CHECK(getpwuid(0) != NULL);
	return (0);
}

Test(pwd, sandbox_reads_the_passwd_database_only)
{
	cr_assert_eq(casper_test_in_sandbox("system.pwd", in_sandbox), 0);
}
