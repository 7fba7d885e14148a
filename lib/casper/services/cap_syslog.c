/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.syslog: syslog(3) from capability mode.  Client and service
 * side.  The service connects a datagram socket to the log socket before
 * its sandbox (capability mode) and then formats each line itself: glibc's
 * syslog(3) would reconnect by path, which capability mode refuses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/capsicum.h>
#include <sys/dnv.h>
#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_syslog.h>

/* Longer messages are cut, as syslogd would. */
#define	SYSLOG_MAXMSG	8192
#define	SYSLOG_MAXIDENT	64

static void
syslog_send(cap_channel_t *chan, nvlist_t *nvl)
{

	/* syslog(3) reports nothing; neither do we. */
	if (nvl == NULL)
		return;
	if ((nvl = cap_xfer_nvlist(chan, nvl)) != NULL)
		nvlist_destroy(nvl);
}

static nvlist_t *
syslog_cmd(const char *cmd)
{
	nvlist_t *nvl;

	if ((nvl = nvlist_create(0)) != NULL)
		nvlist_add_string(nvl, "cmd", cmd);
	return (nvl);
}

void
cap_vsyslog(cap_channel_t *chan, int priority, const char *fmt, va_list ap)
{
	char *msg;
	nvlist_t *nvl;

	if (fmt == NULL || (msg = malloc(SYSLOG_MAXMSG)) == NULL)
		return;
	/* Formatted here: %m is the caller's errno. */
	(void)vsnprintf(msg, SYSLOG_MAXMSG, fmt, ap);
	if ((nvl = syslog_cmd("vsyslog")) != NULL) {
		nvlist_add_number(nvl, "priority", (uint64_t)priority);
		nvlist_add_number(nvl, "pid", (uint64_t)getpid());
		nvlist_add_string(nvl, "message", msg);
	}
	free(msg);
	syslog_send(chan, nvl);
}

void
cap_syslog(cap_channel_t *chan, int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cap_vsyslog(chan, pri, fmt, ap);
	va_end(ap);
}

void
cap_openlog(cap_channel_t *chan, const char *ident, int logopt, int facility)
{
	nvlist_t *nvl;

	if ((nvl = syslog_cmd("openlog")) == NULL)
		return;
	if (ident != NULL)
		nvlist_add_string(nvl, "ident", ident);
	nvlist_add_number(nvl, "logopt", (uint64_t)logopt);
	nvlist_add_number(nvl, "facility", (uint64_t)facility);
	syslog_send(chan, nvl);
}

void
cap_closelog(cap_channel_t *chan)
{

	syslog_send(chan, syslog_cmd("closelog"));
}

/* The previous mask, as setlogmask(3); -1 if the service is unreachable. */
int
cap_setlogmask(cap_channel_t *chan, int maskpri)
{
	nvlist_t *nvl;
	int old;

	if ((nvl = syslog_cmd("setlogmask")) == NULL)
		return (-1);
	nvlist_add_number(nvl, "maskpri", (uint64_t)maskpri);
	if ((nvl = cap_xfer_nvlist(chan, nvl)) == NULL)
		return (-1);
	old = nvlist_exists_number(nvl, "omask") &&
	    dnvlist_get_number(nvl, "error", EPROTO) == 0 ?
	    (int)nvlist_get_number(nvl, "omask") : -1;
	nvlist_destroy(nvl);
	return (old);
}

/* Service side: the state openlog(3) keeps, per service process. */
static int log_fd = -1;
static char log_ident[SYSLOG_MAXIDENT];
static int log_opt;
static int log_facility = LOG_USER;
static int log_mask = 0xff;

static void
syslog_reset(void)
{

	snprintf(log_ident, sizeof(log_ident), "%s",
	    program_invocation_short_name);
	log_opt = 0;
	log_facility = LOG_USER;
}

static void
syslog_line(int pri, uint64_t pid, const char *msg)
{
	char *line, stamp[32];
	struct tm tm;
	time_t now;
	int n, h;

	if ((pri & ~(LOG_PRIMASK | LOG_FACMASK)) != 0)
		pri &= LOG_PRIMASK | LOG_FACMASK;
	if ((LOG_MASK(LOG_PRI(pri)) & log_mask) == 0)
		return;
	if ((pri & LOG_FACMASK) == 0)
		pri |= log_facility;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %T", &tm) == 0)
		stamp[0] = '\0';
	if ((line = malloc(SYSLOG_MAXMSG + 128)) == NULL)
		return;
	n = snprintf(line, SYSLOG_MAXMSG + 128, "<%d>%s ", pri, stamp);
	h = n;
	if ((log_opt & LOG_PID) != 0 && pid <= INT32_MAX)
		n += snprintf(line + n, SYSLOG_MAXMSG + 128 - (size_t)n,
		    "%s[%d]: %.*s", log_ident, (int)pid, SYSLOG_MAXMSG, msg);
	else
		n += snprintf(line + n, SYSLOG_MAXMSG + 128 - (size_t)n,
		    "%s: %.*s", log_ident, SYSLOG_MAXMSG, msg);
	if (n > SYSLOG_MAXMSG + 127)
		n = SYSLOG_MAXMSG + 127;
	if (log_fd >= 0)
		(void)send(log_fd, line, (size_t)n, MSG_NOSIGNAL);
	/* LOG_PERROR: the application's stderr (CASPER_SERVICE_STDIO). */
	if ((log_opt & LOG_PERROR) != 0)
		dprintf(STDERR_FILENO, "%s\n", line + h);
	free(line);
}

static int
syslog_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	uint64_t v;
	int old;

	(void)limits;
	if (strcmp(cmd, "vsyslog") == 0) {
		if (!nvlist_exists_number(nvlin, "priority") ||
		    !nvlist_exists_string(nvlin, "message"))
			return (EINVAL);
		syslog_line((int)nvlist_get_number(nvlin, "priority"),
		    dnvlist_get_number(nvlin, "pid", UINT64_MAX),
		    nvlist_get_string(nvlin, "message"));
		return (0);
	}
	if (strcmp(cmd, "openlog") == 0) {
		if (!nvlist_exists_number(nvlin, "logopt") ||
		    !nvlist_exists_number(nvlin, "facility") ||
		    (nvlist_exists(nvlin, "ident") &&
		    !nvlist_exists_string(nvlin, "ident")))
			return (EINVAL);
		syslog_reset();
		if (nvlist_exists_string(nvlin, "ident"))
			snprintf(log_ident, sizeof(log_ident), "%s",
			    nvlist_get_string(nvlin, "ident"));
		log_opt = (int)nvlist_get_number(nvlin, "logopt");
		v = nvlist_get_number(nvlin, "facility");
		/* As openlog(3): a bad facility is ignored. */
		if (v != 0 && (v & ~(uint64_t)LOG_FACMASK) == 0)
			log_facility = (int)v;
		return (0);
	}
	if (strcmp(cmd, "closelog") == 0) {
		/* The socket stays: capability mode could not reopen it. */
		syslog_reset();
		return (0);
	}
	if (strcmp(cmd, "setlogmask") == 0) {
		if (!nvlist_exists_number(nvlin, "maskpri"))
			return (EINVAL);
		old = log_mask;
		v = nvlist_get_number(nvlin, "maskpri");
		if (v != 0)
			log_mask = (int)(v & 0xff);
		nvlist_add_number(nvlout, "omask", (uint64_t)old);
		return (0);
	}
	return (EINVAL);
}

/*
 * Before capability mode: connect to the log socket and load the time
 * zone.  A missing log socket is not an error (syslog(3) drops messages
 * then too); the service just has nowhere to send.
 */
static int
syslog_prepare(void)
{
	struct sockaddr_un sun;
	const char *path;
	time_t now;
	struct tm tm;

	syslog_reset();
	tzset();
	now = time(NULL);
	(void)localtime_r(&now, &tm);
	if ((path = getenv(CAP_SYSLOG_PATH_ENV)) == NULL || *path == '\0')
		path = CAP_SYSLOG_PATH;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return (0);
	strcpy(sun.sun_path, path);
	if ((log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return (0);
	if (connect(log_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		(void)close(log_fd);
		log_fd = -1;
	}
	return (0);
}

static const struct casper_sandbox syslog_sandbox = {
	.sb_prepare = syslog_prepare,
	.sb_read = NULL,
	.sb_write = NULL,
	.sb_flags = CASPER_SANDBOX_CAPMODE,
};

static __attribute__((constructor)) void
syslog_sandbox_init(void)
{

	(void)service_sandbox("system.syslog", &syslog_sandbox);
}

CREATE_SERVICE("system.syslog", NULL, syslog_command, CASPER_SERVICE_STDIO);
