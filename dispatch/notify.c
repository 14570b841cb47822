/* Delivery of the outbox (see notify.h). */
#include "dispatch/notify.h"

#include <stdlib.h>

#include "dispatch/app.h"

struct notify {
	struct app	*app;
};

struct notify *
notify_new(struct app *app)
{
	struct notify	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->app = app;
	return n;
}

void
notify_free(struct notify *n)
{
	free(n);
}

void
notify_kick(struct app *app)
{
	(void)app;
}
