/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test fixture: a private DNS server for the system.dns and system.net
 * tests.
 *
 * dnsfix_start() moves the calling process into new user, network and
 * mount namespaces (unprivileged: the caller's uid becomes 0 inside), brings
 * up the loopback interface, bind-mounts a resolv.conf naming 127.0.0.1
 * over /etc/resolv.conf and starts dnsmasq on 127.0.0.1:53 serving the
 * names below.  Nothing outside the namespaces changes, so the tests run as
 * root and as uid 65534 alike.  dnsmasq dies with its parent
 * (PR_SET_PDEATHSIG).
 *
 * It must run in a single-threaded process (unshare(CLONE_NEWUSER) refuses
 * threaded ones): call it in the forked child, before cap_init().
 */
#ifndef TESTS_CASPER_DNSFIX_H
#define	TESTS_CASPER_DNSFIX_H

#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/procdesc.h>

#define	DNSFIX_DNSMASQ	"/usr/sbin/dnsmasq"

/* The zone dnsmasq serves (forward and reverse). */
#define	DNSFIX_HOSTS							\
	"192.0.2.10 www.casper.test www\n"				\
	"2001:db8::10 www.casper.test\n"				\
	"192.0.2.11 mail.casper.test\n"					\
	"192.0.2.20 multi.casper.test\n"				\
	"192.0.2.21 multi.casper.test\n"				\
	"2001:db8::30 six.casper.test\n"

/* Exit status of a child whose fixture could not be built. */
#define	DNSFIX_SKIP	78

struct dnsfix {
	pid_t	df_pid;			/* dnsmasq */
	int	df_pd;			/* its process descriptor */
	char	df_why[256];		/* why the fixture failed */
};

static inline int
dnsfix_fail(struct dnsfix *f, const char *what)
{

	snprintf(f->df_why, sizeof(f->df_why), "%s: %s", what,
	    strerror(errno));
	return (-1);
}

static inline int
dnsfix_write(const char *path, const char *text)
{
	int fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0)
		return (-1);
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return (ok ? 0 : -1);
}

static inline int
dnsfix_idmap(const char *file, const char *text)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	return (dnsfix_write(path, text));
}

/* Does the server answer with the zone (and not only accept packets)? */
static inline int
dnsfix_ready(void)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo("www.casper.test", NULL, &hints, &res) != 0)
		return (0);
	freeaddrinfo(res);
	return (1);
}

static inline int
dnsfix_start(struct dnsfix *f)
{
	char dir[] = "/tmp/casper-dnsfix.XXXXXX";
	char hosts[64], resolv[64], map[64], addn[96];
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct ifreq ifr;
	uid_t uid = getuid();
	gid_t gid = getgid();
	int s, i;

	memset(f, 0, sizeof(*f));
	if (access(DNSFIX_DNSMASQ, X_OK) < 0)
		return (dnsfix_fail(f, DNSFIX_DNSMASQ
		    " (run mk/deps.sh casper)"));
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0)
		return (dnsfix_fail(f, "unshare(USER|NET|NS)"));
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (dnsfix_idmap("setgroups", "deny") < 0 ||
	    dnsfix_idmap("uid_map", map) < 0)
		return (dnsfix_fail(f, "uid_map"));
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (dnsfix_idmap("gid_map", map) < 0)
		return (dnsfix_fail(f, "gid_map"));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return (dnsfix_fail(f, "mount private"));

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return (dnsfix_fail(f, "socket"));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return (dnsfix_fail(f, "SIOCGIFFLAGS lo"));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return (dnsfix_fail(f, "SIOCSIFFLAGS lo"));
	close(s);

	if (mkdtemp(dir) == NULL)
		return (dnsfix_fail(f, "mkdtemp"));
	snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", dir);
	snprintf(addn, sizeof(addn), "--addn-hosts=%s", hosts);
	if (dnsfix_write(hosts, DNSFIX_HOSTS) < 0 ||
	    dnsfix_write(resolv, "nameserver 127.0.0.1\n"
	    "options timeout:2 attempts:2\n") < 0)
		return (dnsfix_fail(f, "writing the fixture files"));
	if (mount(resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
		return (dnsfix_fail(f, "bind-mount resolv.conf"));

	fflush(NULL);
	/*
	 * A process descriptor, not PR_SET_PDEATHSIG: dnsmasq changes its
	 * credentials, which clears the death signal, and the test may be
	 * in capability mode, where kill() is refused.  Closing the last
	 * descriptor (at the latest, when the test process exits) kills it.
	 */
	if ((f->df_pid = pdfork(&f->df_pd, 0)) < 0)
		return (dnsfix_fail(f, "pdfork"));
	if (f->df_pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0 && getenv("DNSFIX_DEBUG") == NULL) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(DNSFIX_DNSMASQ, "dnsmasq", "-d", "--conf-file=/dev/null",
		    "--no-resolv", "--no-hosts", addn,
		    "--listen-address=127.0.0.1", "--bind-interfaces",
		    "--local=/casper.test/", "--local=/2.0.192.in-addr.arpa/",
		    "--pid-file",
		    "--log-facility=-", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300 && !dnsfix_ready(); i++)
		nanosleep(&ts, NULL);
	/* dnsmasq has read its files; the mount keeps resolv.conf alive. */
	unlink(hosts);
	unlink(resolv);
	rmdir(dir);
	if (i == 300) {
		errno = ETIMEDOUT;
		close(f->df_pd);
		return (dnsfix_fail(f, "dnsmasq did not start"));
	}
	return (0);
}

static inline void
dnsfix_stop(struct dnsfix *f)
{

	if (f->df_pid > 0) {
		(void)pdkill(f->df_pd, SIGKILL);
		(void)pdwait4(f->df_pd, NULL, 0, NULL);
		close(f->df_pd);
		f->df_pid = 0;
	}
}

/*
 * In a forked child: build the fixture or leave with DNSFIX_SKIP after
 * saying why on stderr.
 */
static inline void
dnsfix_start_or_skip(struct dnsfix *f)
{

	if (dnsfix_start(f) < 0) {
		dprintf(2, "dnsfix: %s\n", f->df_why);
		_exit(DNSFIX_SKIP);
	}
}

#endif /* !TESTS_CASPER_DNSFIX_H */
