/* The fleet in memory: every vehicle and escort volunteer with its
 * position, and per-district lists of the available ones, so a search
 * reads one district and its neighbours, never every vehicle. */
#ifndef DISPATCH_FLEET_H
#define DISPATCH_FLEET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define FLEET_CHILD_SEAT	0x1
#define FLEET_WHEELCHAIR	0x2
#define FLEET_FEMALE_DRIVER	0x4

enum fleet_kind {
	FLEET_VEHICLE,
	FLEET_ESCORT,
};

struct fleet;
struct districts;

struct fleet_member {
	const char	*id;
	long		 district;
	double		 lat, lon;
	int		 seats;
	unsigned	 features;
	int64_t		 vetted_until;
	int		 available;
};

struct fleet_hit {
	char		 id[64];
	double		 distance_m;
};

struct fleet	*fleet_new(const struct districts *);
void		 fleet_free(struct fleet *);

/* Add or update a member (copies the id). 0 on success. */
int		 fleet_put(struct fleet *, enum fleet_kind, const struct fleet_member *);

/* Mark a known member available or not. */
void		 fleet_set_available(struct fleet *, enum fleet_kind, const char *id, int);

/* Forget everything (before a reload). */
void		 fleet_clear(struct fleet *);

/* Up to want nearest available members for a pickup: vetted past now,
 * seats >= seats, features covering need, not in exclude (array of id
 * strings); first in district, then in its neighbours. Returns the count. */
size_t		 fleet_nearest(const struct fleet *, enum fleet_kind, long district, double lat,
		    double lon, int seats, unsigned need, int64_t now, json_t *exclude,
		    struct fleet_hit *out, size_t want);

/* Parse an array of feature names into a mask; -1 on an unknown name. */
long		 fleet_features(json_t *names);

/* True when any member of kind is available in district or its
 * neighbours (fit aside): a cheap "nothing to try" test. */
int		 fleet_any_near(const struct fleet *, enum fleet_kind, long district);

/* Number of members of a kind that are available. */
size_t		 fleet_available(const struct fleet *, enum fleet_kind);

#endif
