/* Storage: the only module that speaks SQL. SQLite in WAL mode with
 * synchronous=FULL, versioned migrations, cached prepared statements, and
 * group commit: the writes of every unit of work handled in one turn of
 * the event loop share one transaction, committed at the end of the turn,
 * and the answers to them are released only after that commit. */
#ifndef DISPATCH_STORE_H
#define DISPATCH_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct store;

/* Open (create) the database at path and migrate it. With base, commits
 * run at the end of each loop turn; without, each unit commits at once. */
struct store	*store_open(const char *path, struct event_base *base, char *err,
		    size_t errlen);
void		 store_free(struct store *);

/* 0 when the database answers a query. */
int		 store_ping(struct store *);

/* Start one unit of work (a savepoint inside the turn's transaction). */
int		 store_unit_begin(struct store *);

/* End the unit: keep its writes (ok) or roll them back. */
void		 store_unit_end(struct store *, int ok);

/* Commit now (used without an event base and at shutdown). 0 on success. */
int		 store_flush(struct store *);

/* fn(arg, ok) runs after every commit (ok=1) or failed commit (ok=0). */
void		 store_on_commit(struct store *, void (*fn)(void *, int), void *arg);

/* True while a transaction is open (answers must wait for its commit). */
int		 store_in_tx(const struct store *);

/* Make the next commit fail (tests of the 503 path). */
void		 store_fail_next_commit(struct store *);

/* Statements run and transactions committed since start. */
void		 store_stats(const struct store *, unsigned long long *statements,
		    unsigned long long *commits);

/* Set when a statement failed inside the current unit. */
int		 store_failed(const struct store *);

#endif
