/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.grp from capability mode against the real group database: every
 * group compared with glibc's own getgrent/getgrnam/getgrgid answers
 * (collected before cap_enter), the _r variants with small and unaligned
 * buffers, rewinding, every limit (cmds, fields, groups) with FreeBSD's
 * narrowing errors, hostile requests and limits, and the sandbox.
 */
#include <grp.h>
#include <sys/socket.h>

#include "harness.h"
#include "casper/casper_test.h"

#include <sys/capsicum.h>
#include <libcasper.h>
#include <casper/cap_grp.h>

#define	MAXENT	512
#define	MAXMEM	32

struct ent {
	char	name[64], passwd[64];
	char	mem[MAXMEM][64];
	size_t	nmem;
	gid_t	gid;
};

static struct ent ents[MAXENT];
static size_t nents;

static void
ent_of(const struct group *gr, struct ent *e)
{
	size_t i;

	snprintf(e->name, sizeof(e->name), "%s", gr->gr_name);
	snprintf(e->passwd, sizeof(e->passwd), "%s", gr->gr_passwd);
	e->gid = gr->gr_gid;
	for (i = 0; gr->gr_mem[i] != NULL && i < MAXMEM; i++)
		snprintf(e->mem[i], sizeof(e->mem[i]), "%s", gr->gr_mem[i]);
	e->nmem = i;
}

static int
ent_eq(const struct group *gr, const struct ent *e)
{
	size_t i;

	if (gr == NULL || strcmp(gr->gr_name, e->name) != 0 ||
	    strcmp(gr->gr_passwd, e->passwd) != 0 || gr->gr_gid != e->gid)
		return (0);
	for (i = 0; i < e->nmem; i++)
		if (gr->gr_mem[i] == NULL ||
		    strcmp(gr->gr_mem[i], e->mem[i]) != 0)
			return (0);
	return (gr->gr_mem[i] == NULL);
}

static void
collect(void)
{
	struct group *gr;

	nents = 0;
	setgrent();
	while ((gr = getgrent()) != NULL && nents < MAXENT)
		ent_of(gr, &ents[nents++]);
	endgrent();
	CHECK(nents > 0 && strcmp(ents[0].name, "root") == 0);
}

static cap_channel_t *
open_grp(void)
{
	cap_channel_t *cas, *chan;

	CHECK((cas = cap_init()) != NULL);
	CHECK((chan = cap_service_open(cas, "system.grp")) != NULL);
	cap_close(cas);
	return (chan);
}

static void
every_group(void *arg)
{
	static struct ent bygid[MAXENT];
	struct group grp, *gr, *res;
	cap_channel_t *chan;
	char buf[8192], tiny[8];
	size_t i;

	(void)arg;
	collect();
	for (i = 0; i < nents; i++) {
		CHECK((gr = getgrgid(ents[i].gid)) != NULL);
		ent_of(gr, &bygid[i]);
	}
	chan = open_grp();
	capmode_enter();
	for (i = 0; i < nents; i++)
		CHECK(ent_eq(cap_getgrent(chan), &ents[i]));
	CHECK(cap_getgrent(chan) == NULL);
	CHECK(cap_setgrent(chan) == 1);
	CHECK(ent_eq(cap_getgrent(chan), &ents[0]));
	CHECK(cap_setgroupent(chan, 1) == 1);
	for (i = 0; i < nents; i++) {
		/* An odd offset: the member array must still be aligned. */
		CHECK(cap_getgrent_r(chan, &grp, buf + 1, sizeof(buf) - 1,
		    &res) == 0);
		CHECK(res == &grp && ent_eq(res, &ents[i]));
	}
	CHECK(cap_getgrent_r(chan, &grp, buf, sizeof(buf), &res) == 0);
	CHECK(res == NULL);
	cap_endgrent(chan);
	CHECK(ent_eq(cap_getgrent(chan), &ents[0]));
	for (i = 0; i < nents; i++) {
		CHECK(ent_eq(cap_getgrnam(chan, ents[i].name), &ents[i]));
		CHECK(ent_eq(cap_getgrgid(chan, ents[i].gid), &bygid[i]));
		CHECK(cap_getgrnam_r(chan, ents[i].name, &grp, buf,
		    sizeof(buf), &res) == 0 && ent_eq(res, &ents[i]));
		CHECK(cap_getgrgid_r(chan, ents[i].gid, &grp, buf,
		    sizeof(buf), &res) == 0 && ent_eq(res, &bygid[i]));
	}
	CHECK(cap_getgrnam(chan, "no-such-group.casper") == NULL);
	CHECK(cap_getgrgid(chan, 4000000000u) == NULL);
	res = &grp;
	CHECK(cap_getgrnam_r(chan, "no-such-group.casper", &grp, buf,
	    sizeof(buf), &res) == 0 && res == NULL);
	res = &grp;
	CHECK(cap_getgrgid_r(chan, 4000000000u, &grp, buf, sizeof(buf),
	    &res) == 0 && res == NULL);
	res = &grp;
	CHECK(cap_getgrnam_r(chan, "root", &grp, tiny, sizeof(tiny), &res) ==
	    ERANGE && res == NULL);
	CHECK(cap_getgrgid_r(chan, 0, &grp, tiny, 0, &res) == ERANGE);
	CHECK(cap_getgrent_r(chan, &grp, tiny, 3, &res) == ERANGE);
	errno = 0;
	CHECK(cap_getgrnam(chan, NULL) == NULL && errno == EINVAL);
	CHECK(cap_getgrnam_r(chan, NULL, &grp, buf, sizeof(buf), &res) ==
	    EINVAL && res == NULL);
	CHECK(cap_getgrgid_r(chan, 0, NULL, buf, sizeof(buf), &res) == EINVAL);
	cap_close(chan);
	_exit(0);
}

Test(grp, every_group_from_capability_mode)
{
	SANDBOXED(every_group, NULL);
}

static void
limit_cmds(void *arg)
{
	static const char *const two[] = { "getgrnam", "getgrent" };
	static const char *const one[] = { "getgrnam" };
	static const char *const wide[] = { "getgrnam", "getgrgid" };
	static const char *const bad[] = { "getgrnam", "chgrp" };
	struct group grp, *res;
	cap_channel_t *chan;
	char buf[4096];

	(void)arg;
	chan = open_grp();
	capmode_enter();
	CHECK(cap_grp_limit_cmds(chan, two, 2) == 0);
	CHECK(cap_getgrnam(chan, "root") != NULL);
	CHECK(cap_getgrent(chan) != NULL);
	errno = 0;
	CHECK(cap_getgrgid(chan, 0) == NULL && errno == ENOTCAPABLE);
	CHECK(cap_getgrnam_r(chan, "root", &grp, buf, sizeof(buf), &res) ==
	    ENOTCAPABLE && res == NULL);
	CHECK(cap_getgrent_r(chan, &grp, buf, sizeof(buf), &res) ==
	    ENOTCAPABLE);
	CHECK(cap_getgrgid_r(chan, 0, &grp, buf, sizeof(buf), &res) ==
	    ENOTCAPABLE);
	errno = 0;
	CHECK(cap_setgroupent(chan, 0) == 0 && errno == ENOTCAPABLE);
	errno = 0;
	CHECK(cap_setgrent(chan) == 0 && errno == ENOTCAPABLE);
	cap_endgrent(chan);
	CHECK_LIBC_ERR(cap_grp_limit_cmds(chan, wide, 2), ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_grp_limit_cmds(chan, bad, 2), EINVAL);
	CHECK(cap_grp_limit_cmds(chan, one, 1) == 0);
	errno = 0;
	CHECK(cap_getgrent(chan) == NULL && errno == ENOTCAPABLE);
	CHECK(cap_getgrnam(chan, "root") != NULL);
	CHECK_LIBC_ERR(cap_grp_limit_cmds(chan, two, 2), ENOTCAPABLE);
	CHECK(cap_grp_limit_cmds(chan, NULL, 0) == 0);
	errno = 0;
	CHECK(cap_getgrnam(chan, "root") == NULL && errno == ENOTCAPABLE);
	cap_close(chan);
	_exit(0);
}

Test(grp, limit_cmds)
{
	SANDBOXED(limit_cmds, NULL);
}

static void
limit_fields(void *arg)
{
	static const char *const some[] = { "gr_name", "gr_mem" };
	static const char *const name[] = { "gr_name" };
	static const char *const bad[] = { "gr_name", "gr_members" };
	struct group grp, *gr, *res;
	struct ent withmem;
	cap_channel_t *chan;
	char buf[4096];
	size_t i;

	(void)arg;
	collect();
	/* A group with members, if the system has one. */
	for (i = 0; i < nents && ents[i].nmem == 0; i++)
		;
	withmem = ents[i < nents ? i : 0];
	chan = open_grp();
	capmode_enter();
	CHECK(cap_grp_limit_fields(chan, some, 2) == 0);
	CHECK((gr = cap_getgrnam(chan, withmem.name)) != NULL);
	CHECK(strcmp(gr->gr_name, withmem.name) == 0);
	CHECK(strcmp(gr->gr_passwd, "") == 0 && gr->gr_gid == (gid_t)-1);
	withmem.gid = (gid_t)-1;
	withmem.passwd[0] = '\0';
	CHECK(ent_eq(gr, &withmem));
	CHECK(cap_grp_limit_fields(chan, name, 1) == 0);
	CHECK(cap_getgrnam_r(chan, withmem.name, &grp, buf, sizeof(buf),
	    &res) == 0 && res != NULL);
	CHECK(strcmp(res->gr_name, withmem.name) == 0 && res->gr_mem[0] == NULL);
	CHECK_LIBC_ERR(cap_grp_limit_fields(chan, some, 2), ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_grp_limit_fields(chan, bad, 2), EINVAL);
	cap_close(chan);
	_exit(0);
}

Test(grp, limit_fields)
{
	SANDBOXED(limit_fields, NULL);
}

static void
limit_groups(void *arg)
{
	const char *names[2];
	struct group grp, *gr, *res;
	cap_channel_t *chan;
	char other[64], buf[4096];
	gid_t gids[2], ogid;
	size_t n;

	(void)arg;
	collect();
	CHECK(nents >= 3);
	names[0] = "root";
	gids[0] = ents[1].gid;
	snprintf(other, sizeof(other), "%s", ents[2].name);
	ogid = ents[2].gid;
	CHECK(ogid != 0 && ogid != gids[0]);
	chan = open_grp();
	capmode_enter();
	CHECK(cap_grp_limit_groups(chan, names, 1, gids, 1) == 0);
	CHECK((gr = cap_getgrnam(chan, "root")) != NULL && gr->gr_gid == 0);
	CHECK(cap_getgrgid(chan, 0) != NULL);
	CHECK(cap_getgrgid(chan, gids[0]) != NULL);
	CHECK(cap_getgrnam(chan, ents[1].name) != NULL);
	errno = 0;
	CHECK(cap_getgrnam(chan, other) == NULL && errno == ENOTCAPABLE);
	errno = 0;
	CHECK(cap_getgrgid(chan, ogid) == NULL && errno == ENOTCAPABLE);
	CHECK(cap_getgrgid_r(chan, ogid, &grp, buf, sizeof(buf), &res) ==
	    ENOTCAPABLE && res == NULL);
	errno = 0;
	CHECK(cap_getgrnam(chan, "no-such-group.casper") == NULL &&
	    errno == ENOTCAPABLE);
	for (n = 0; (gr = cap_getgrent(chan)) != NULL; n++)
		CHECK(gr->gr_gid == 0 || gr->gr_gid == gids[0]);
	CHECK(n >= 2);
	names[1] = other;
	CHECK_LIBC_ERR(cap_grp_limit_groups(chan, names, 2, gids, 1),
	    ENOTCAPABLE);
	gids[1] = ogid;
	CHECK_LIBC_ERR(cap_grp_limit_groups(chan, names, 1, gids, 2),
	    ENOTCAPABLE);
	CHECK(cap_grp_limit_groups(chan, NULL, 0, gids, 1) == 0);
	CHECK(cap_getgrnam(chan, "root") == NULL);
	CHECK_LIBC_ERR(cap_grp_limit_groups(chan, names, 1, NULL, 0),
	    ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_grp_limit_groups(chan, NULL, 0, NULL, 1), EINVAL);
	cap_close(chan);
	_exit(0);
}

Test(grp, limit_groups)
{
	SANDBOXED(limit_groups, NULL);
}

static void
hostile(void *arg)
{
	static const char *const cmds[] = { "getgrent", "getgrnam",
	    "getgrgid", "getgrnam_r", "getgrgid_r", "getgrent_r",
	    "setgroupent" };
	cap_channel_t *chan;
	nvlist_t *nvl, *sub;
	size_t i;

	(void)arg;
	chan = open_grp();
	capmode_enter();
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmds", "getgrnam");
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	nvl = nvlist_create(0);
	sub = nvlist_create(0);
	nvlist_add_binary(sub, "gid0", "x", 1);
	nvlist_move_nvlist(nvl, "groups", sub);
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	nvl = nvlist_create(0);
	nvlist_move_nvlist(nvl, "users", nvlist_create(0));
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		nvl = nvlist_create(0);
		nvlist_add_string(nvl, "cmd", cmds[i]);
		nvlist_add_number(nvl, "name", 0);
		nvlist_add_string(nvl, "gid", "0");
		nvlist_add_string(nvl, "stayopen", "yes");
		CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
		if (strncmp(cmds[i], "getgrent", 8) == 0)
			CHECK(nvlist_get_number(nvl, "error") == 0);
		else
			CHECK(nvlist_get_number(nvl, "error") == EINVAL);
		nvlist_destroy(nvl);
	}
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getgrgid");
	nvlist_add_number(nvl, "gid", UINT64_MAX);
	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	CHECK(nvlist_get_number(nvl, "error") == EINVAL);
	nvlist_destroy(nvl);
	CHECK(cap_getgrnam(chan, "root") != NULL);
	cap_close(chan);
	_exit(0);
}

Test(grp, hostile_requests_and_limits)
{
	SANDBOXED(hostile, NULL);
}

static int
in_sandbox(void)
{

	CHECK_OK(raw(SYS_openat, AT_FDCWD, "/etc/group", O_RDONLY));
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/group", O_RDWR), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/gshadow", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/root", O_RDONLY | O_DIRECTORY),
	    EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/tmp/casper-grp-escape",
	    O_WRONLY | O_CREAT, 0600), EACCES);
	CHECK_ERR(raw(SYS_socket, AF_UNIX, SOCK_DGRAM, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_INET6, SOCK_STREAM, 0), EPERM);
	CHECK_ERR(raw(SYS_execve, "/bin/true", NULL, NULL), EPERM);
	CHECK_ERR(raw(SYS_kill, getppid(), 0), EPERM);
	CHECK(getgrnam("root") != NULL);
	return (0);
}

Test(grp, sandbox_reads_the_group_database_only)
{
	cr_assert_eq(casper_test_in_sandbox("system.grp", in_sandbox), 0);
}
