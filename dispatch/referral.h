/* Referrals to partner agencies: sent only with the survivor's consent,
 * each with a link the agency acknowledges; silence escalates. */
#ifndef DISPATCH_REFERRAL_H
#define DISPATCH_REFERRAL_H

#include <jansson.h>

struct app;

/* The consent kinds a request can carry. NULL-terminated. */
extern const char *const referral_kinds[];

/*
 * Refer request to every service of each kind in kinds (an array of
 * strings) in its district, or in its neighbours when it has none. The
 * caller has checked consent. *out gets {"referrals": [...], "neighbors":
 * [kinds served from neighbours], "unserved": [kinds with no service]}.
 * Returns the number of referrals sent, or -1.
 */
int	 referral_create(struct app *, const char *request, json_t *kinds, const char *summary,
	    json_t **out);

/* What a referral link shows: only what was consented. */
json_t	*referral_view(struct app *, const char *id);

/* ack or done with a note: 0 done, -1 not allowed now, -2 unknown action. */
int	 referral_act(struct app *, const char *id, const char *action, const char *note);

/* Register the acknowledgement deadline. */
void	 referral_init(struct app *);

#endif
