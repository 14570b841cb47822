/* The one clock: wall time in seconds and milliseconds, RFC 3339 text. */
#include "dispatch/clock.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

int64_t
clock_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
clock_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_rfc3339(int64_t t, char out[CLOCK_RFC3339_LEN])
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	strftime(out, CLOCK_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
clock_parse(const char *s, int64_t *out)
{
	struct tm	 tm;
	const char	*p;
	int		 oh = 0, om = 0, sign = 0, n = 0;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL)
		return -1;
	if (strlen(s) == 10) {
		p = strptime(s, "%Y-%m-%d", &tm);
		if (p == NULL || *p != '\0')
			return -1;
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z' && p[1] == '\0') {
		sign = 0;
	} else if ((*p == '+' || *p == '-') &&
	    sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && p[1 + n] == '\0') {
		sign = *p == '+' ? 1 : -1;
	} else {
		return -1;
	}
	*out = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
	return 0;
}
