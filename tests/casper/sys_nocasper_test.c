/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The WITHOUT_CASPER fallbacks of <casper/cap_pwd.h>, <casper/cap_grp.h>,
 * <casper/cap_sysctl.h> and <casper/cap_syslog.h>: the exact signatures
 * of the real functions, the libc (or /proc/sys) answers, and limit
 * functions that succeed doing nothing.
 */
#define	WITHOUT_CASPER

#include <sys/socket.h>
#include <sys/un.h>

#include <criterion/criterion.h>

#include <libcasper.h>
#include <casper/cap_pwd.h>
#include <casper/cap_grp.h>
#include <casper/cap_sysctl.h>
#include <casper/cap_syslog.h>

#ifdef WITH_CASPER
#error "WITHOUT_CASPER must leave WITH_CASPER undefined"
#endif

static struct passwd *(*const pwent_p)(cap_channel_t *) = cap_getpwent;
static struct passwd *(*const pwnam_p)(cap_channel_t *, const char *) =
    cap_getpwnam;
static struct passwd *(*const pwuid_p)(cap_channel_t *, uid_t) =
    cap_getpwuid;
static int (*const pwent_r_p)(cap_channel_t *, struct passwd *, char *,
    size_t, struct passwd **) = cap_getpwent_r;
static int (*const pwnam_r_p)(cap_channel_t *, const char *,
    struct passwd *, char *, size_t, struct passwd **) = cap_getpwnam_r;
static int (*const pwuid_r_p)(cap_channel_t *, uid_t, struct passwd *,
    char *, size_t, struct passwd **) = cap_getpwuid_r;
static int (*const setpassent_p)(cap_channel_t *, int) = cap_setpassent;
static void (*const setpwent_p)(cap_channel_t *) = cap_setpwent;
static void (*const endpwent_p)(cap_channel_t *) = cap_endpwent;
static int (*const pwcmds_p)(cap_channel_t *, const char *const *,
    size_t) = cap_pwd_limit_cmds;
static int (*const pwfields_p)(cap_channel_t *, const char *const *,
    size_t) = cap_pwd_limit_fields;
static int (*const pwusers_p)(cap_channel_t *, const char *const *, size_t,
    const uid_t *, size_t) = cap_pwd_limit_users;

static struct group *(*const grent_p)(cap_channel_t *) = cap_getgrent;
static struct group *(*const grnam_p)(cap_channel_t *, const char *) =
    cap_getgrnam;
static struct group *(*const grgid_p)(cap_channel_t *, gid_t) =
    cap_getgrgid;
static int (*const grent_r_p)(cap_channel_t *, struct group *, char *,
    size_t, struct group **) = cap_getgrent_r;
static int (*const grnam_r_p)(cap_channel_t *, const char *, struct group *,
    char *, size_t, struct group **) = cap_getgrnam_r;
static int (*const grgid_r_p)(cap_channel_t *, gid_t, struct group *,
    char *, size_t, struct group **) = cap_getgrgid_r;
static int (*const setgroupent_p)(cap_channel_t *, int) = cap_setgroupent;
static int (*const setgrent_p)(cap_channel_t *) = cap_setgrent;
static void (*const endgrent_p)(cap_channel_t *) = cap_endgrent;
static int (*const grcmds_p)(cap_channel_t *, const char *const *,
    size_t) = cap_grp_limit_cmds;
static int (*const grfields_p)(cap_channel_t *, const char *const *,
    size_t) = cap_grp_limit_fields;
static int (*const grgroups_p)(cap_channel_t *, const char *const *, size_t,
    const gid_t *, size_t) = cap_grp_limit_groups;

static int (*const sysctl_p)(cap_channel_t *, const int *, unsigned int,
    void *, size_t *, const void *, size_t) = cap_sysctl;
static int (*const byname_p)(cap_channel_t *, const char *, void *,
    size_t *, const void *, size_t) = cap_sysctlbyname;
static int (*const nametomib_p)(cap_channel_t *, const char *, int *,
    size_t *) = cap_sysctlnametomib;
static cap_sysctl_limit_t *(*const linit_p)(cap_channel_t *) =
    cap_sysctl_limit_init;
static cap_sysctl_limit_t *(*const lname_p)(cap_sysctl_limit_t *,
    const char *, int) = cap_sysctl_limit_name;
static cap_sysctl_limit_t *(*const lmib_p)(cap_sysctl_limit_t *,
    const int *, unsigned int, int) = cap_sysctl_limit_mib;
static int (*const limit_p)(cap_sysctl_limit_t *) = cap_sysctl_limit;

static void (*const vsyslog_p)(cap_channel_t *, int, const char *,
    va_list) = cap_vsyslog;
static void (*const openlog_p)(cap_channel_t *, const char *, int, int) =
    cap_openlog;
static void (*const closelog_p)(cap_channel_t *) = cap_closelog;
static int (*const setlogmask_p)(cap_channel_t *, int) = cap_setlogmask;

Test(sys_nocasper, pwd)
{
	static const char *const cmds[] = { "getpwnam" };
	struct passwd pwd, *pw, *res;
	cap_channel_t *cas;
	char buf[4096];
	uid_t uid = 0;

	cr_assert((cas = cap_init()) != NULL);
	cr_assert_eq(pwcmds_p(cas, cmds, 1), 0);
	cr_assert_eq(pwfields_p(cas, cmds, 1), 0);
	cr_assert_eq(pwusers_p(cas, cmds, 1, &uid, 1), 0);
	/* Limits did nothing: getpwuid still answers. */
	cr_assert((pw = pwuid_p(cas, 0)) != NULL);
	cr_assert_str_eq(pw->pw_name, "root");
	cr_assert((pw = pwnam_p(cas, "root")) != NULL && pw->pw_uid == 0);
	cr_assert_eq(setpassent_p(cas, 1), 1);
	cr_assert((pw = pwent_p(cas)) != NULL);
	cr_assert_str_eq(pw->pw_name, "root");
	setpwent_p(cas);
	cr_assert_eq(pwent_r_p(cas, &pwd, buf, sizeof(buf), &res), 0);
	cr_assert(res == &pwd && strcmp(pwd.pw_name, "root") == 0);
	endpwent_p(cas);
	cr_assert_eq(pwnam_r_p(cas, "root", &pwd, buf, sizeof(buf), &res), 0);
	cr_assert(res == &pwd && pwd.pw_uid == 0);
	cr_assert_eq(pwuid_r_p(cas, 0, &pwd, buf, 4, &res), ERANGE);
	cr_assert(pwnam_p(cas, "no-such-user.casper") == NULL);
	cap_close(cas);
}

Test(sys_nocasper, grp)
{
	static const char *const cmds[] = { "getgrnam" };
	struct group grp, *gr, *res;
	cap_channel_t *cas;
	char buf[4096];
	gid_t gid = 0;

	cr_assert((cas = cap_init()) != NULL);
	cr_assert_eq(grcmds_p(cas, cmds, 1), 0);
	cr_assert_eq(grfields_p(cas, cmds, 1), 0);
	cr_assert_eq(grgroups_p(cas, cmds, 1, &gid, 1), 0);
	cr_assert((gr = grgid_p(cas, 0)) != NULL);
	cr_assert_str_eq(gr->gr_name, "root");
	cr_assert((gr = grnam_p(cas, "root")) != NULL && gr->gr_gid == 0);
	cr_assert_eq(setgroupent_p(cas, 0), 1);
	cr_assert((gr = grent_p(cas)) != NULL);
	cr_assert_eq(setgrent_p(cas), 1);
	cr_assert_eq(grent_r_p(cas, &grp, buf, sizeof(buf), &res), 0);
	cr_assert(res == &grp && strcmp(grp.gr_name, "root") == 0);
	endgrent_p(cas);
	cr_assert_eq(grnam_r_p(cas, "root", &grp, buf, sizeof(buf), &res), 0);
	cr_assert_eq(grgid_r_p(cas, 0, &grp, buf, sizeof(buf), &res), 0);
	cr_assert(res == &grp && grp.gr_gid == 0);
	cap_close(cas);
}

Test(sys_nocasper, sysctl)
{
	cap_sysctl_limit_t *l;
	cap_channel_t *cas;
	char buf[64];
	size_t len;
	int32_t v;
	int mib[2] = { 1, 1 };

	cr_assert((cas = cap_init()) != NULL);
	cr_assert((l = linit_p(cas)) != NULL);
	cr_assert(lname_p(l, "kernel.ostype", CAP_SYSCTL_READ) == l);
	cr_assert(lmib_p(l, mib, 2, CAP_SYSCTL_READ) == l);
	cr_assert_eq(limit_p(l), 0);
	len = sizeof(buf);
	cr_assert_eq(byname_p(cas, "kernel.ostype", buf, &len, NULL, 0), 0);
	cr_assert_str_eq(buf, "Linux");
	cr_assert_eq(len, 6);
	len = 0;
	cr_assert_eq(byname_p(cas, "kernel.ostype", NULL, &len, NULL, 0), 0);
	cr_assert_eq(len, 6);
	len = sizeof(v);
	cr_assert_eq(byname_p(cas, "kernel.pid_max", &v, &len, NULL, 0), 0);
	cr_assert(v > 0);
	len = 2;
	errno = 0;
	cr_assert_eq(byname_p(cas, "kernel.ostype", buf, &len, NULL, 0), -1);
	cr_assert_eq(errno, ENOMEM);
	errno = 0;
	cr_assert_eq(byname_p(cas, "kernel..ostype", buf, &len, NULL, 0), -1);
	cr_assert_eq(errno, EINVAL);
	errno = 0;
	cr_assert_eq(sysctl_p(cas, mib, 2, buf, &len, NULL, 0), -1);
	cr_assert_eq(errno, EOPNOTSUPP);
	errno = 0;
	cr_assert_eq(nametomib_p(cas, "kernel.ostype", mib, &len), -1);
	cr_assert_eq(errno, EOPNOTSUPP);
	cap_close(cas);
}

static void
vlog(cap_channel_t *cas, int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog_p(cas, pri, fmt, ap);
	va_end(ap);
}

Test(sys_nocasper, syslog)
{
	cap_channel_t *cas;
	int p[2];
	char buf[256];
	ssize_t n;

	cr_assert((cas = cap_init()) != NULL);
	/* LOG_PERROR shows that glibc's syslog(3) did the work. */
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	openlog_p(cas, "nocasper", LOG_PERROR, LOG_USER);
	cap_syslog(cas, LOG_ERR, "one %d", 1);
	vlog(cas, LOG_ERR, "two %d", 2);
	cr_assert_eq(setlogmask_p(cas, LOG_UPTO(LOG_ERR)), 0xff);
	cap_syslog(cas, LOG_DEBUG, "filtered");
	cr_assert_eq(setlogmask_p(cas, 0), LOG_UPTO(LOG_ERR));
	closelog_p(cas);
	n = read(p[0], buf, sizeof(buf) - 1);
	cr_assert(n > 0);
	buf[n] = '\0';
	cr_assert(strstr(buf, "nocasper: one 1") != NULL, "%s", buf);
	cr_assert(strstr(buf, "nocasper: two 2") != NULL, "%s", buf);
	cr_assert(strstr(buf, "filtered") == NULL);
	cap_close(cas);
}
