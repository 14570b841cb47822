/* Delivery of the outbox: libcurl's multi interface driven by the event
 * loop, one channel adapter per recipient, retries with backoff. The only
 * module that includes curl. */
#ifndef DISPATCH_NOTIFY_H
#define DISPATCH_NOTIFY_H

struct app;
struct notify;

struct notify	*notify_new(struct app *);
void		 notify_free(struct notify *);

/* Look at the outbox after the current commit. */
void		 notify_kick(struct app *);

#endif
