/* One worker thread for blocking work (password hashing): jobs go in from
 * the loop, and their completions come back to run on the loop. */
#ifndef DISPATCH_WORKER_H
#define DISPATCH_WORKER_H

struct event_base;
struct worker;

struct worker	*worker_new(struct event_base *);
void		 worker_free(struct worker *);

/* Run work(arg) on the worker, then done(arg) on the loop. 0 on success. */
int		 worker_submit(struct worker *, void (*work)(void *), void (*done)(void *),
		    void *arg);

#endif
