/* Unit tests: the trip's transition table, the route table, and the
 * matcher's choices (fleet search, shelter choice). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "dispatch/fleet.h"
#include "dispatch/match.h"
#include "dispatch/server.h"
#include "dispatch/trip.h"
#include "geo/district.h"
#include "geo/geo.h"
#include "tests/unit/testutil.h"

static struct districts *kg;

TEST_KG_FIXTURES(kg)

static void
test_transitions(void **state)
{
	(void)state;
	assert_string_equal(trip_next_state("waiting", "offer"), "offered");
	assert_string_equal(trip_next_state("offered", "accept"), "accepted");
	assert_string_equal(trip_next_state("accepted", "en_route"), "en_route");
	assert_string_equal(trip_next_state("en_route", "picked_up"), "picked_up");
	assert_string_equal(trip_next_state("picked_up", "delivered"), "delivered");
	assert_string_equal(trip_next_state("en_route", "cannot_complete"), "waiting");
	assert_string_equal(trip_next_state("picked_up", "cancel"), "cancelled");
	assert_null(trip_next_state("waiting", "accept"));
	assert_null(trip_next_state("offered", "delivered"));
	assert_null(trip_next_state("en_route", "delivered"));	/* the address needs picked_up */
	assert_null(trip_next_state("delivered", "cancel"));
	assert_null(trip_next_state("cancelled", "offer"));
	assert_null(trip_next_state("delivered", "cannot_complete"));
}

static void
test_routes(void **state)
{
	char			*args[3] = { NULL, NULL, NULL };
	const struct route	*r, *allowed;

	(void)state;
	r = server_route("GET", "/api/requests/req_abc", args, &allowed);
	assert_non_null(r);
	assert_string_equal(r->pattern, "/api/requests/:id");
	assert_string_equal(args[0], "req_abc");
	assert_int_equal(r->role, ROLE_OPERATOR);
	free(args[0]);
	args[0] = NULL;
	r = server_route("POST", "/api/vehicles/veh_1/link", args, &allowed);
	assert_non_null(r);
	assert_int_equal(r->role, ROLE_ADMIN);
	assert_string_equal(args[0], "vehicles");
	assert_string_equal(args[1], "veh_1");
	free(args[0]);
	free(args[1]);
	args[0] = args[1] = NULL;
	assert_null(server_route("DELETE", "/api/requests/x", args, &allowed));
	assert_non_null(allowed);	/* 405, not 404 */
	assert_null(server_route("GET", "/api/nothing", args, &allowed));
	assert_null(allowed);
	r = server_route("POST", "/api/shelters", args, &allowed);
	assert_int_equal(r->role, ROLE_ADMIN);
	r = server_route("GET", "/api/shelters", args, &allowed);
	assert_int_equal(r->role, ROLE_OPERATOR);
	r = server_route("GET", "/api/l/tok", args, &allowed);
	assert_int_equal(r->role, ROLE_PUBLIC);
	free(args[0]);
}

static void
put(struct fleet *f, const char *id, const char *district, double lat, double lon, int seats,
    unsigned features, int64_t vetted, int available)
{
	struct fleet_member	m = { id, districts_find(kg, district), lat, lon, seats, features,
	    vetted, available };

	assert_int_equal(fleet_put(f, FLEET_VEHICLE, &m), 0);
}

static void
test_fleet(void **state)
{
	struct fleet		*f = fleet_new(kg);
	struct fleet_hit	 hits[8];
	json_t			*ex;
	size_t			 n;
	long			 bishkek = districts_find(kg, "bishkek");

	(void)state;
	put(f, "near", "bishkek", 42.871, 74.591, 4, FLEET_CHILD_SEAT, 2000, 1);
	put(f, "far", "bishkek", 42.80, 74.50, 4, FLEET_CHILD_SEAT, 2000, 1);
	put(f, "small", "bishkek", 42.870, 74.590, 1, FLEET_CHILD_SEAT, 2000, 1);
	put(f, "noseat", "bishkek", 42.870, 74.590, 4, 0, 2000, 1);
	put(f, "lapsed", "bishkek", 42.870, 74.590, 4, FLEET_CHILD_SEAT, 500, 1);
	put(f, "off", "bishkek", 42.870, 74.590, 4, FLEET_CHILD_SEAT, 2000, 0);
	put(f, "neighbour", "alamudun", 42.95, 74.60, 4, FLEET_CHILD_SEAT, 2000, 1);
	put(f, "osh", "osh-city", 40.53, 72.80, 4, FLEET_CHILD_SEAT, 2000, 1);
	n = fleet_nearest(f, FLEET_VEHICLE, bishkek, 42.87, 74.59, 3, FLEET_CHILD_SEAT, 1000, NULL,
	    hits, 8);
	/* own district nearest first, then the neighbour; never the unfit */
	assert_int_equal(n, 3);
	assert_string_equal(hits[0].id, "near");
	assert_string_equal(hits[1].id, "far");
	assert_string_equal(hits[2].id, "neighbour");
	ex = json_pack("[s]", "near");
	n = fleet_nearest(f, FLEET_VEHICLE, bishkek, 42.87, 74.59, 3, FLEET_CHILD_SEAT, 1000, ex,
	    hits, 1);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].id, "far");
	json_decref(ex);
	fleet_set_available(f, FLEET_VEHICLE, "near", 0);
	fleet_set_available(f, FLEET_VEHICLE, "far", 0);
	n = fleet_nearest(f, FLEET_VEHICLE, bishkek, 42.87, 74.59, 3, FLEET_CHILD_SEAT, 1000, NULL,
	    hits, 8);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].id, "neighbour");
	assert_int_equal(fleet_available(f, FLEET_VEHICLE), 5);
	fleet_free(f);
}

/* The grid search gives what a scan of every vehicle gives. */
static void
test_fleet_matches_brute_force(void **state)
{
	struct fleet		*f = fleet_new(kg);
	struct fleet_hit	 hits[5];
	long			 b = districts_find(kg, "bishkek"), a = districts_find(kg, "alamudun");
	const struct district	*db = districts_at(kg, (size_t)b), *da = districts_at(kg, (size_t)a);
	static char		 ids[3000][16];
	double			 lat[3000], lon[3000], best[5], d, qlat, qlon;
	unsigned		 seed = 7;
	int			 i, k, q;
	size_t			 n, j;

	(void)state;
	for (i = 0; i < 3000; i++) {
		const struct district *dd = i % 3 ? db : da;
		seed = seed * 1103515245 + 12345;
		lat[i] = dd->minlat + (seed >> 8) % 10000 / 10000.0 * (dd->maxlat - dd->minlat);
		seed = seed * 1103515245 + 12345;
		lon[i] = dd->minlon + (seed >> 8) % 10000 / 10000.0 * (dd->maxlon - dd->minlon);
		snprintf(ids[i], sizeof(ids[i]), "v%d", i);
		put(f, ids[i], i % 3 ? "bishkek" : "alamudun", lat[i], lon[i], 4, 0, 2000, i % 5 != 0);
	}
	for (q = 0; q < 50; q++) {
		qlat = db->minlat + (q * 37 % 100) / 100.0 * (db->maxlat - db->minlat);
		qlon = db->minlon + (q * 53 % 100) / 100.0 * (db->maxlon - db->minlon);
		n = fleet_nearest(f, FLEET_VEHICLE, b, qlat, qlon, 1, 0, 1000, NULL, hits, 5);
		/* brute force over the Bishkek ones (there are always five) */
		for (k = 0; k < 5; k++)
			best[k] = 1e18;
		for (i = 0; i < 3000; i++) {
			if (i % 3 == 0 || i % 5 == 0)
				continue;
			d = geo_distance_m(qlat, qlon, lat[i], lon[i]);
			for (k = 4; k >= 0 && best[k] > d; k--)
				if (k < 4)
					best[k + 1] = best[k];
			if (k < 4)
				best[k + 1] = d;
		}
		assert_int_equal(n, 5);
		for (j = 0; j < 5; j++)
			assert_true(fabs(hits[j].distance_m - best[j]) < 1.0);
	}
	fleet_free(f);
}

static void
test_pick_shelter(void **state)
{
	json_t	*s = json_pack("[{s:s,s:f,s:f},{s:s,s:f,s:f},{s:s,s:f,s:f},{s:s,s:f,s:f}]",
	    "district", "osh-city", "lat", 40.53, "lon", 72.80,
	    "district", "alamudun", "lat", 42.90, "lon", 74.60,
	    "district", "bishkek", "lat", 42.80, "lon", 74.50,
	    "district", "bishkek", "lat", 42.87, "lon", 74.60);
	long	 b = districts_find(kg, "bishkek");

	(void)state;
	assert_int_equal(match_pick_shelter(kg, s, b, 42.87, 74.59, "any"), 3);
	assert_int_equal(match_pick_shelter(kg, s, b, 42.87, 74.59, "same_district"), 3);
	/* other district: the neighbour before the farther city */
	assert_int_equal(match_pick_shelter(kg, s, b, 42.87, 74.59, "other_district"), 1);
	json_array_remove(s, 1);
	assert_int_equal(match_pick_shelter(kg, s, b, 42.87, 74.59, "other_district"), 0);
	json_decref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_fleet),
		cmocka_unit_test(test_fleet_matches_brute_force),
		cmocka_unit_test(test_pick_shelter),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
