/* One line per event, key=value, to standard error. */
#include "dispatch/log.h"

#include <stdarg.h>
#include <stdio.h>

#include "dispatch/clock.h"

static void
log_line(const char *level, const char *fmt, va_list ap)
{
	char	ts[CLOCK_RFC3339_LEN], msg[1024];

	clock_rfc3339(clock_now(), ts);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s %s %s\n", ts, level, msg);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_line("warn", fmt, ap);
	va_end(ap);
}
