/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.sysctl from capability mode over the real /proc/sys: text and
 * binary reads compared with the files, size queries, ENOMEM on short
 * buffers, writes in a private network namespace (the only place a test
 * may change a sysctl), every limit form with FreeBSD's narrowing rules,
 * the numeric calls' EOPNOTSUPP, hostile requests and the sandbox.
 */
#include <sched.h>
#include <sys/socket.h>

#include "harness.h"
#include "casper/casper_test.h"

#include <sys/capsicum.h>
#include <libcasper.h>
#include <casper/cap_sysctl.h>

/* A /proc/sys file's text without the newline, read before cap_enter. */
static void
file_text(const char *path, char *buf, size_t size)
{
	FILE *f;
	size_t n;

	CHECK((f = fopen(path, "r")) != NULL);
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
}

static cap_channel_t *
open_sysctl(void)
{
	cap_channel_t *cas, *chan;

	CHECK((cas = cap_init()) != NULL);
	CHECK((chan = cap_service_open(cas, "system.sysctl")) != NULL);
	cap_close(cas);
	return (chan);
}

static void
reads(void *arg)
{
	char ostype[64], pidmax[64], printk[64], buf[256];
	cap_channel_t *chan;
	size_t len;
	int32_t i32;
	int64_t i64;
	int mib[2] = { 1, 1 };

	(void)arg;
	file_text("/proc/sys/kernel/ostype", ostype, sizeof(ostype));
	file_text("/proc/sys/kernel/pid_max", pidmax, sizeof(pidmax));
	file_text("/proc/sys/kernel/printk", printk, sizeof(printk));
	chan = open_sysctl();
	capmode_enter();
	/* Size query, then the text with its NUL. */
	len = 0;
	CHECK(cap_sysctlbyname(chan, "kernel.ostype", NULL, &len, NULL, 0) ==
	    0 && len == strlen(ostype) + 1);
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "kernel.ostype", buf, &len, NULL, 0) ==
	    0);
	CHECK(len == strlen(ostype) + 1 && strcmp(buf, ostype) == 0);
	/* Too small: as much as fits, ENOMEM. */
	memset(buf, 'x', sizeof(buf));
	len = 3;
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.ostype", buf, &len,
	    NULL, 0), ENOMEM);
	CHECK(len == 3 && memcmp(buf, ostype, 3) == 0 && buf[3] == 'x');
	len = 0;
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.ostype", buf, &len,
	    NULL, 0), ENOMEM);
	/* Integers: binary into 4 or 8 bytes, text into anything else. */
	len = sizeof(i32);
	CHECK(cap_sysctlbyname(chan, "kernel.pid_max", &i32, &len, NULL, 0) ==
	    0 && len == sizeof(i32) && i32 == atoi(pidmax));
	len = sizeof(i64);
	CHECK(cap_sysctlbyname(chan, "kernel.pid_max", &i64, &len, NULL, 0) ==
	    0 && len == sizeof(i64) && i64 == atoll(pidmax));
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "kernel.pid_max", buf, &len, NULL, 0) ==
	    0 && strcmp(buf, pidmax) == 0);
	/* Several numbers, or a word, are text even into 8 bytes. */
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "kernel.printk", buf, &len, NULL, 0) ==
	    0 && strcmp(buf, printk) == 0);
	len = sizeof(i64);
	memset(buf, 0, sizeof(buf));
	CHECK(cap_sysctlbyname(chan, "kernel.printk", buf, &len, NULL, 0) ==
	    (strlen(printk) < 8 ? 0 : -1));
	CHECK(strncmp(buf, printk, 7) == 0);
	len = sizeof(i64);
	memset(buf, 0, sizeof(buf));
	CHECK(cap_sysctlbyname(chan, "kernel.ostype", buf, &len, NULL, 0) ==
	    (strlen(ostype) < 8 ? 0 : -1));
	CHECK(strncmp(buf, ostype, 8) == 0);
	/* Names. */
	len = sizeof(buf);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.no_such_sysctl", buf,
	    &len, NULL, 0), ENOENT);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel", buf, &len, NULL, 0),
	    EISDIR);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "", buf, &len, NULL, 0), EINVAL);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, ".kernel.ostype", buf, &len,
	    NULL, 0), EINVAL);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel..ostype", buf, &len,
	    NULL, 0), EINVAL);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel/ostype", buf, &len,
	    NULL, 0), EINVAL);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "..", buf, &len, NULL, 0),
	    EINVAL);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, NULL, buf, &len, NULL, 0),
	    EINVAL);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.ostype", buf, NULL,
	    NULL, 0), EINVAL);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.ostype", NULL, NULL,
	    NULL, 1), EINVAL);
	/* Nothing to read or write: still a valid, allowed name. */
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.ostype", NULL, NULL,
	    NULL, 0), EINVAL);
	/* Numeric MIBs do not exist on Linux. */
	CHECK_LIBC_ERR(cap_sysctl(chan, mib, 2, buf, &len, NULL, 0),
	    EOPNOTSUPP);
	len = 2;
	CHECK_LIBC_ERR(cap_sysctlnametomib(chan, "kernel.ostype", mib, &len),
	    EOPNOTSUPP);
	cap_close(chan);
	_exit(0);
}

Test(sysctl, reads_from_capability_mode)
{
	SANDBOXED(reads, NULL);
}

/* A private user and network namespace: its net.* sysctls are ours. */
static void
private_netns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	int fd;

	CHECK(unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0);
	CHECK((fd = open("/proc/self/setgroups", O_WRONLY)) >= 0);
	CHECK(write(fd, "deny", 4) == 4);
	close(fd);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	CHECK((fd = open("/proc/self/uid_map", O_WRONLY)) >= 0);
	CHECK(write(fd, map, strlen(map)) == (ssize_t)strlen(map));
	close(fd);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	CHECK((fd = open("/proc/self/gid_map", O_WRONLY)) >= 0);
	CHECK(write(fd, map, strlen(map)) == (ssize_t)strlen(map));
	close(fd);
}

static void
writes(void *arg)
{
	cap_channel_t *chan;
	char buf[64];
	size_t len;
	int32_t v;
	int64_t v64;

	(void)arg;
	private_netns();
	chan = open_sysctl();
	capmode_enter();
	v = 1;
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_forward", NULL, NULL, &v,
	    sizeof(v)) == 0);
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_forward", buf, &len, NULL,
	    0) == 0 && strcmp(buf, "1") == 0);
	/* Text, with or without the NUL; old value and new in one call. */
	len = sizeof(v);
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_forward", &v, &len, "0\n",
	    2) == 0 && v == 1);
	len = sizeof(v64);
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_forward", &v64, &len, NULL,
	    0) == 0 && v64 == 0);
	v64 = 1;
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_forward", NULL, NULL, &v64,
	    sizeof(v64)) == 0);
	len = sizeof(v);
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_forward", &v, &len, NULL,
	    0) == 0 && v == 1);
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_local_port_range", NULL,
	    NULL, "20000 30000", 12) == 0);
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_local_port_range", buf,
	    &len, NULL, 0) == 0 && strcmp(buf, "20000\t30000") == 0);
	/* The kernel's own checks still apply. */
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "net.ipv4.ip_forward", NULL,
	    NULL, "yes", 3), EINVAL);
	errno = 0;
	CHECK(cap_sysctlbyname(chan, "kernel.ostype", NULL, NULL, "BSD",
	    3) == -1 && (errno == EPERM || errno == EACCES));
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "net.ipv4.ip_forward", NULL,
	    NULL, "1\0" "2", 3), EINVAL);
	cap_close(chan);
	_exit(0);
}

Test(sysctl, writes_in_a_private_network_namespace)
{
	SANDBOXED(writes, NULL);
}

static void
limits(void *arg)
{
	cap_sysctl_limit_t *l;
	cap_channel_t *chan;
	char buf[64];
	size_t len;
	int32_t v;
	int mib[2] = { 1, 1 };

	(void)arg;
	private_netns();
	chan = open_sysctl();
	capmode_enter();
	CHECK((l = cap_sysctl_limit_init(chan)) != NULL);
	CHECK(cap_sysctl_limit_name(l, "kernel", CAP_SYSCTL_READ |
	    CAP_SYSCTL_RECURSIVE) == l);
	CHECK(cap_sysctl_limit_name(l, "net.ipv4.ip_forward",
	    CAP_SYSCTL_RDWR) == l);
	CHECK(cap_sysctl_limit_name(l, "vm.swappiness", CAP_SYSCTL_READ) == l);
	CHECK(cap_sysctl_limit(l) == 0);
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "kernel.ostype", buf, &len, NULL, 0) ==
	    0);
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "kernel.random.boot_id", buf, &len,
	    NULL, 0) == 0);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.ostype", NULL, NULL,
	    "x", 1), ENOTCAPABLE);
	len = sizeof(buf);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernelx.ostype", buf, &len,
	    NULL, 0), ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "fs.file-max", buf, &len,
	    NULL, 0), ENOTCAPABLE);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "vm.swappiness", NULL, NULL,
	    "1", 1), ENOTCAPABLE);
	v = 1;
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_forward", NULL, NULL, &v,
	    sizeof(v)) == 0);
	len = sizeof(buf);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "net.ipv4.ip_forward.x", buf,
	    &len, NULL, 0), ENOTCAPABLE);
	/* Widening: a new name, more rights, recursion where there was none. */
	l = cap_sysctl_limit_name(cap_sysctl_limit_init(chan), "fs.file-max",
	    CAP_SYSCTL_READ);
	CHECK_LIBC_ERR(cap_sysctl_limit(l), ENOTCAPABLE);
	l = cap_sysctl_limit_name(cap_sysctl_limit_init(chan),
	    "kernel.ostype", CAP_SYSCTL_RDWR);
	CHECK_LIBC_ERR(cap_sysctl_limit(l), ENOTCAPABLE);
	l = cap_sysctl_limit_name(cap_sysctl_limit_init(chan),
	    "vm.swappiness", CAP_SYSCTL_READ | CAP_SYSCTL_RECURSIVE);
	CHECK_LIBC_ERR(cap_sysctl_limit(l), ENOTCAPABLE);
	/* Malformed. */
	l = cap_sysctl_limit_name(cap_sysctl_limit_init(chan),
	    "kernel.ostype", 0);
	CHECK_LIBC_ERR(cap_sysctl_limit(l), EINVAL);
	l = cap_sysctl_limit_name(cap_sysctl_limit_init(chan),
	    "kernel.ostype", 0x10 | CAP_SYSCTL_READ);
	CHECK_LIBC_ERR(cap_sysctl_limit(l), EINVAL);
	l = cap_sysctl_limit_name(cap_sysctl_limit_init(chan),
	    "kernel/ostype", CAP_SYSCTL_READ);
	CHECK_LIBC_ERR(cap_sysctl_limit(l), EINVAL);
	l = cap_sysctl_limit_mib(cap_sysctl_limit_init(chan), mib, 2,
	    CAP_SYSCTL_READ);
	CHECK_LIBC_ERR(cap_sysctl_limit(l), EOPNOTSUPP);
	CHECK(cap_sysctl_limit_name(NULL, "kernel", CAP_SYSCTL_READ) == NULL);
	CHECK(cap_sysctl_limit_mib(NULL, mib, 2, CAP_SYSCTL_READ) == NULL);
	CHECK_LIBC_ERR(cap_sysctl_limit(NULL), EINVAL);
	/* Narrowing below a recursive grant, twice the same name. */
	l = cap_sysctl_limit_init(chan);
	cap_sysctl_limit_name(l, "kernel.ostype", CAP_SYSCTL_READ);
	cap_sysctl_limit_name(l, "kernel.ostype", CAP_SYSCTL_READ);
	cap_sysctl_limit_name(l, "net.ipv4.ip_forward", CAP_SYSCTL_WRITE);
	CHECK(cap_sysctl_limit(l) == 0);
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "kernel.ostype", buf, &len, NULL, 0) ==
	    0);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.pid_max", buf, &len,
	    NULL, 0), ENOTCAPABLE);
	/* Write-only: no reading, not even the size. */
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "net.ipv4.ip_forward", NULL,
	    &len, NULL, 0), ENOTCAPABLE);
	CHECK(cap_sysctlbyname(chan, "net.ipv4.ip_forward", NULL, NULL, "0",
	    1) == 0);
	/* The empty set refuses everything, and cannot be widened. */
	CHECK(cap_sysctl_limit(cap_sysctl_limit_init(chan)) == 0);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.ostype", buf, &len,
	    NULL, 0), ENOTCAPABLE);
	l = cap_sysctl_limit_name(cap_sysctl_limit_init(chan),
	    "kernel.ostype", CAP_SYSCTL_READ);
	CHECK_LIBC_ERR(cap_sysctl_limit(l), ENOTCAPABLE);
	cap_close(chan);
	_exit(0);
}

Test(sysctl, limits)
{
	SANDBOXED(limits, NULL);
}

static void
raw_limits(void *arg)
{
	cap_channel_t *chan;
	nvlist_t *nvl;
	char buf[64];
	size_t len;

	(void)arg;
	chan = open_sysctl();
	capmode_enter();
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "kernel.ostype", "read");
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "kernel..ostype", CAP_SYSCTL_READ);
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "kernel.ostype", (uint64_t)1 << 40 |
	    CAP_SYSCTL_READ);
	CHECK_LIBC_ERR(cap_limit_set(chan, nvl), EINVAL);
	/* FreeBSD's raw form {name: flags}. */
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "kernel.ostype", CAP_SYSCTL_READ);
	nvlist_add_number(nvl, "kernel.osrelease", CAP_SYSCTL_READ);
	CHECK(cap_limit_set(chan, nvl) == 0);
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "kernel.osrelease", buf, &len, NULL,
	    0) == 0);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.version", buf, &len,
	    NULL, 0), ENOTCAPABLE);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "kernel.ostype", CAP_SYSCTL_READ);
	CHECK(cap_limit_set(chan, nvl) == 0);
	CHECK_LIBC_ERR(cap_sysctlbyname(chan, "kernel.osrelease", buf, &len,
	    NULL, 0), ENOTCAPABLE);
	cap_close(chan);
	_exit(0);
}

Test(sysctl, raw_limits)
{
	SANDBOXED(raw_limits, NULL);
}

static nvlist_t *
req(const char *name)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "sysctlbyname");
	if (name != NULL)
		nvlist_add_string(nvl, "name", name);
	return (nvl);
}

static uint64_t
xfer_error(cap_channel_t *chan, nvlist_t *nvl)
{
	uint64_t e;

	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	e = nvlist_get_number(nvl, "error");
	nvlist_destroy(nvl);
	return (e);
}

static void
hostile(void *arg)
{
	cap_channel_t *chan;
	nvlist_t *nvl;
	char buf[64];
	size_t len;

	(void)arg;
	chan = open_sysctl();
	capmode_enter();
	nvl = req(NULL);
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = req(NULL);
	nvlist_add_number(nvl, "name", 1);
	nvlist_add_number(nvl, "oldlen", 8);
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = req("kernel.ostype");
	nvlist_add_string(nvl, "oldlen", "8");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = req("kernel.ostype");
	nvlist_add_string(nvl, "newp", "Linux");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = req("kernel.ostype");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = req("kernel.ostype");
	nvlist_add_number(nvl, "oldlen", UINT64_MAX);
	nvlist_add_string(nvl, "justsize", "no");
	CHECK((nvl = cap_xfer_nvlist(chan, nvl)) != NULL);
	CHECK(nvlist_get_number(nvl, "error") == 0);
	CHECK(nvlist_exists_binary(nvl, "oldp"));
	nvlist_destroy(nvl);
	nvl = req("../../etc/passwd");
	nvlist_add_number(nvl, "oldlen", 64);
	CHECK(xfer_error(chan, nvl) == EINVAL);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "sysctl");
	CHECK(xfer_error(chan, nvl) == EINVAL);
	len = sizeof(buf);
	CHECK(cap_sysctlbyname(chan, "kernel.ostype", buf, &len, NULL, 0) ==
	    0);
	cap_close(chan);
	_exit(0);
}

Test(sysctl, hostile_requests)
{
	SANDBOXED(hostile, NULL);
}

static int
in_sandbox(void)
{

	CHECK_OK(raw(SYS_openat, AT_FDCWD, "/proc/sys/kernel/ostype",
	    O_RDONLY));
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY),
	    EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY), EACCES);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/tmp/casper-sysctl-escape",
	    O_WRONLY | O_CREAT, 0600), EACCES);
	CHECK_ERR(raw(SYS_socket, AF_UNIX, SOCK_STREAM, 0), EPERM);
	CHECK_ERR(raw(SYS_socket, AF_NETLINK, SOCK_RAW, 0), EPERM);
	CHECK_ERR(raw(SYS_execve, "/bin/true", NULL, NULL), EPERM);
	CHECK_ERR(raw(SYS_kill, getppid(), 0), EPERM);
	return (0);
}

Test(sysctl, sandbox_is_proc_sys_only)
{
	cr_assert_eq(casper_test_in_sandbox("system.sysctl", in_sandbox), 0);
}

/* The service's limit function, run inside its sandbox. */
static int
limit_in_sandbox(const char *name, uint64_t flags)
{
	const struct casper_service *svc;
	nvlist_t *nvl;
	int error;

	if ((svc = casper_service_find("system.sysctl")) == NULL)
		return (-1);
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, name, flags);
	error = svc->cs_limit(NULL, nvl);
	nvlist_destroy(nvl);
	return (error);
}

static int
writable_then_not(void)
{
	long fd;

	/* Landlock allows the write while the limits allow one ... */
	fd = raw(SYS_openat, AT_FDCWD, "/proc/sys/kernel/domainname",
	    O_WRONLY);
	CHECK(fd >= 0 || (getuid() != 0 && fd == -EACCES));
	CHECK(limit_in_sandbox("kernel.domainname", CAP_SYSCTL_RDWR) == 0);
	fd = raw(SYS_openat, AT_FDCWD, "/proc/sys/kernel/domainname",
	    O_WRONLY);
	CHECK(fd >= 0 || (getuid() != 0 && fd == -EACCES));
	/* ... and refuses it once they are read-only, for good. */
	CHECK(limit_in_sandbox("kernel", CAP_SYSCTL_READ |
	    CAP_SYSCTL_RECURSIVE) == 0);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/proc/sys/kernel/domainname",
	    O_WRONLY), EACCES);
	CHECK_OK(raw(SYS_openat, AT_FDCWD, "/proc/sys/kernel/domainname",
	    O_RDONLY));
	CHECK(limit_in_sandbox("kernel.domainname", CAP_SYSCTL_RDWR) == 0);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/proc/sys/kernel/domainname",
	    O_WRONLY), EACCES);
	return (0);
}

Test(sysctl, read_only_limits_drop_the_write_right)
{
	cr_assert_eq(casper_test_in_sandbox("system.sysctl",
	    writable_then_not), 0);
}
