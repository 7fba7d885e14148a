/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.syslog Casper service.
 *
 * Source compatible with FreeBSD's <casper/cap_syslog.h>: syslog(3) from
 * capability mode.  The message is formatted by the caller (so %m is the
 * caller's errno) and sent to the service, which filters it by the log
 * mask and writes an RFC 3164 line, as glibc's syslog(3) does, to the
 * log socket it connected before entering capability mode: /dev/log, or
 * the path in the environment variable CASPER_SYSLOG_PATH when the service
 * starts.  LOG_PID gives the caller's pid.  No limits.
 *
 * Without Casper (WITHOUT_CASPER) these are openlog(3), syslog(3),
 * vsyslog(3), closelog(3) and setlogmask(3).
 */
#ifndef _CASPER_CAP_SYSLOG_H_
#define	_CASPER_CAP_SYSLOG_H_

#include <stdarg.h>
#include <syslog.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where the service sends messages if CASPER_SYSLOG_PATH is not set. */
#define	CAP_SYSLOG_PATH		"/dev/log"
#define	CAP_SYSLOG_PATH_ENV	"CASPER_SYSLOG_PATH"

#ifdef WITH_CASPER
void	cap_syslog(cap_channel_t *chan, int pri, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
void	cap_vsyslog(cap_channel_t *chan, int priority, const char *fmt,
	    va_list ap) __attribute__((__format__(__printf__, 3, 0)));
void	cap_openlog(cap_channel_t *chan, const char *ident, int logopt,
	    int facility);
void	cap_closelog(cap_channel_t *chan);
int	cap_setlogmask(cap_channel_t *chan, int maskpri);
#else
#define	cap_syslog(chan, ...)		syslog(__VA_ARGS__)
static inline void
cap_vsyslog(cap_channel_t *chan, int priority, const char *fmt, va_list ap)
{
	(void)chan;
	vsyslog(priority, fmt, ap);
}
static inline void
cap_openlog(cap_channel_t *chan, const char *ident, int logopt, int facility)
{
	(void)chan;
	openlog(ident, logopt, facility);
}
static inline void
cap_closelog(cap_channel_t *chan)
{
	(void)chan;
	closelog();
}
static inline int
cap_setlogmask(cap_channel_t *chan, int maskpri)
{
	(void)chan;
	return (setlogmask(maskpri));
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_SYSLOG_H_ */
