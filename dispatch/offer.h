/* Offers as their holders see them: what an offer link shows, and what
 * its holder may do — accept, decline, the trip's steps, details. */
#ifndef DISPATCH_OFFER_H
#define DISPATCH_OFFER_H

#include <jansson.h>

struct app;

enum offer_result {
	OFFER_OK = 0,
	OFFER_CONFLICT = -1,	/* not allowed in the current state: 409 */
	OFFER_GONE = -2,	/* lapsed or withdrawn: 410 */
	OFFER_BAD = -3,		/* unknown action: 400 */
};

/* What the offer link shows: never the pickup point or the shelter. */
json_t			*offer_view(struct app *, const char *offer_id);

/* Do action on offer; *out gets an answer body on success (details). */
enum offer_result	 offer_act(struct app *, const char *offer_id, const char *action,
			    json_t **out);

#endif
