/* Durable deadlines: each is a row (kind, subject, due); the libevent
 * timer is only the in-memory alarm for the earliest, re-armed from the
 * rows at start-up, where overdue ones fire at once. */
#ifndef DISPATCH_DEADLINE_H
#define DISPATCH_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

struct app;
struct deadline;

typedef void (*deadline_fn)(struct app *, const char *subject);

struct deadline	*deadline_new(struct app *);
void		 deadline_free(struct deadline *);

/* Call fn when a deadline of kind comes due (inside a unit of work). */
int		 deadline_on(struct deadline *, const char *kind, deadline_fn fn);

/* Load every row and arm the alarm. Returns the number of rows, or -1. */
long		 deadline_rearm(struct deadline *);

/* Set (or move) the deadline of (kind, subject) to due_ms. 0 on success. */
int		 deadline_set(struct app *, const char *kind, const char *subject, int64_t due_ms);

/* Drop the deadline of (kind, subject), if any. */
void		 deadline_clear(struct app *, const char *kind, const char *subject);

#endif
