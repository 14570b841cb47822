/* The application: everything one running Jardam holds, passed to every
 * handler and callback. */
#ifndef DISPATCH_APP_H
#define DISPATCH_APP_H

#include <stdint.h>

#include "dispatch/token.h"

struct config;
struct districts;
struct event_base;
struct store;
struct server;
struct fleet;
struct deadline;
struct worker;
struct notify;
struct auth;
struct event;

struct app {
	struct config		*cfg;
	struct event_base	*base;
	struct store		*store;
	struct districts	*districts;
	uint8_t			 key[TOKEN_KEY_LEN];
	struct server		*server;
	struct fleet		*fleet;
	struct deadline		*deadline;
	struct worker		*worker;
	struct notify		*notify;
	struct auth		*auth;
	struct event		*rematch;	/* match_kick: once per turn */
	int			 rematch_what;	/* MATCH_FLEET | MATCH_BEDS pending */
};

/* Open everything a running server needs; 0 on success, else a message
 * on standard error. With base NULL, no server parts are started. */
int	app_open(struct app *, struct config *, struct event_base *);

/* Close everything app_open opened. */
void	app_close(struct app *);

#endif
