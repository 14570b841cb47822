/* Matching: a bed for the whole party, then the nearest fitting vehicles
 * (and an escort) by offers; waiting requests are matched again as soon
 * as a vehicle, an escort or a bed frees up — highest risk, then oldest. */
#ifndef DISPATCH_MATCH_H
#define DISPATCH_MATCH_H

#include <jansson.h>

#include "dispatch/fleet.h"

struct app;
struct districts;

/* Load the fleet from the store into app->fleet. 0 on success. */
int	match_load(struct app *);

/* Put a vehicle or volunteer row (as stored) into the fleet. 0 on success. */
int	match_fleet_put(struct app *, enum fleet_kind, json_t *row);

/* Match one request as far as it can go now (inside a unit of work). */
int	match_request(struct app *, const char *request);

/* What freed up, so the re-match tries only the requests it can help. */
#define MATCH_FLEET	0x1	/* a vehicle or escort became available */
#define MATCH_BEDS	0x2	/* beds were released or added */

/* Match waiting requests again at the end of this turn of the loop. */
void	match_kick(struct app *, int what);

/* Withdraw the open offers of kind for request, with notices. */
void	match_withdraw(struct app *, const char *request, const char *kind);

/* Mark the accepted offer of kind for request as given back. */
void	match_close_accepted(struct app *, const char *request, const char *kind);

/* After an offer closed without acceptance: refill, or fall back to waiting. */
void	match_after_close(struct app *, const char *request, const char *kind);

/* The shelter choice for unit tests: index of the best of shelters (rows
 * with district, lat, lon) for a pickup, or -1. dest: same_district,
 * other_district or any. */
long	match_pick_shelter(const struct districts *, json_t *shelters, long district,
	    double lat, double lon, const char *dest);

/* Register the offer-lapse deadline and the re-match event. */
int	match_init(struct app *);
void	match_free(struct app *);

#endif
