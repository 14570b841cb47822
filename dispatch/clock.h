/* The one clock: wall time in seconds and milliseconds, RFC 3339 text. */
#ifndef DISPATCH_CLOCK_H
#define DISPATCH_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_RFC3339_LEN 21

/* Seconds since the epoch. */
int64_t	clock_now(void);

/* Milliseconds since the epoch. */
int64_t	clock_now_ms(void);

/* "2026-11-25T14:03:00Z" into out[CLOCK_RFC3339_LEN]. */
void	clock_rfc3339(int64_t t, char out[CLOCK_RFC3339_LEN]);

/* Parse RFC 3339 (Z or +hh:mm; a bare date means midnight UTC). 0 on success. */
int	clock_parse(const char *s, int64_t *out);

#endif
