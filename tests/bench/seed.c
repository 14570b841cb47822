/* Benchmark seeding: fill a Jardam database through the store module
 * (the server's own SQL) faster than the API could, and write the link
 * tokens the load generator needs.
 * Usage: seed CONFIG [--shelters N --beds B] [--vehicles N --bishkek PCT]
 *             [--offers N] [--trips N] [--requests N] [--tokens FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "geo/district.h"

static unsigned long seed_rng = 88172645463325252UL;

static double
seed_rand(void)
{
	seed_rng ^= seed_rng << 13;
	seed_rng ^= seed_rng >> 7;
	seed_rng ^= seed_rng << 17;
	return (double)(seed_rng % 1000000) / 1000000.0;
}

/* A district: Bishkek with probability pct/100, else any. */
static const struct district *
seed_district(struct app *app, int pct)
{
	size_t	n = districts_count(app->districts);

	if (seed_rand() * 100 < pct)
		return districts_at(app->districts, (size_t)districts_find(app->districts, "bishkek"));
	return districts_at(app->districts, (size_t)(seed_rand() * (double)n) % n);
}

static void
seed_token(const char *kind, long i, char *token, size_t len)
{
	snprintf(token, len, "bench-%s-%08ld-0123456789abcdef", kind, i);
}

static int
seed_link(struct app *app, const char *kind, const char *subject, const char *token)
{
	char	hash[TOKEN_HASH_LEN + 1];

	token_hash(token, hash);
	return store_link_add(app->store, hash, kind, subject) == 1 ? 0 : -1;
}

/* A point spread evenly over the district (tried inside its bbox). */
static void
seed_point(struct app *app, const struct district *d, double *lat, double *lon)
{
	long	want = districts_find(app->districts, d->id);
	int	tries;

	for (tries = 0; tries < 200; tries++) {
		*lat = d->minlat + seed_rand() * (d->maxlat - d->minlat);
		*lon = d->minlon + seed_rand() * (d->maxlon - d->minlon);
		if (districts_locate(app->districts, *lat, *lon) == want)
			return;
	}
	*lat = d->label_lat;
	*lon = d->label_lon;
}

static int
seed_vehicle(struct app *app, const char *id, const struct district *d, const char *status)
{
	double	 lat, lon;
	json_t	*v;
	int	 rc;

	seed_point(app, d, &lat, &lon);
	v = json_pack("{s:s,s:s,s:s,s:f,s:f,s:i,s:I,s:s,s:s}", "driver_name", "Bench",
	    "phone", "+996000000000", "district", d->id, "lat", lat, "lon", lon, "seats", 4,
	    "vetted_until", (json_int_t)(clock_now() + 365 * 86400), "features", "[]",
	    "channel", "webhook");
	rc = store_vehicle_add(app->store, id, v) == 1 &&
	    store_vehicle_set_status(app->store, id, status) == 1 ? 0 : -1;

	json_decref(v);
	return rc;
}

static int
seed_request(struct app *app, const char *id, const struct district *d, const char *state)
{
	json_t	*v = json_pack("{s:s,s:f,s:f,s:i,s:i,s:s,s:s,s:i,s:i,s:s,s:s,s:s}", "district", d->id,
	    "lat", d->label_lat, "lon", d->label_lon, "adults", 1, "children", 0, "needs", "[]",
	    "risk", "standard", "risk_rank", 0, "escort", 0, "destination", "any",
	    "consent", "{}", "created_by", "bench");
	int	rc = store_request_add(app->store, id, v, NULL, 0, NULL, 0) == 1 &&
	    store_request_set_state(app->store, id, state) == 1 ? 0 : -1;

	json_decref(v);
	return rc;
}

int
main(int argc, char **argv)
{
	struct config	*cfg;
	struct app	 app;
	char		*errs = NULL, id[48], vid[48], oid[48], token[96];
	long		 shelters = 0, beds = 50, vehicles = 0, pct = 30, offers = 0, trips = 0;
	long		 requests = 0, i;
	const char	*tokens = NULL;
	const struct district *d;
	FILE		*tf = NULL;
	json_t		*v;
	int		 a, rc = 1;
	int64_t		 far = clock_now_ms() + 3600 * 1000;

	if (argc < 2) {
		fprintf(stderr, "usage: seed CONFIG [--shelters N] [--beds B] [--vehicles N]"
		    " [--bishkek PCT] [--offers N] [--trips N] [--requests N] [--tokens FILE]\n");
		return 64;
	}
	for (a = 2; a + 1 < argc; a += 2) {
		long *dst = strcmp(argv[a], "--shelters") == 0 ? &shelters :
		    strcmp(argv[a], "--beds") == 0 ? &beds :
		    strcmp(argv[a], "--vehicles") == 0 ? &vehicles :
		    strcmp(argv[a], "--bishkek") == 0 ? &pct :
		    strcmp(argv[a], "--offers") == 0 ? &offers :
		    strcmp(argv[a], "--trips") == 0 ? &trips :
		    strcmp(argv[a], "--requests") == 0 ? &requests : NULL;
		if (strcmp(argv[a], "--tokens") == 0)
			tokens = argv[a + 1];
		else if (dst == NULL || config_parse_long(argv[a + 1], 0, 10000000, dst) != 0) {
			fprintf(stderr, "seed: bad option %s\n", argv[a]);
			return 64;
		}
	}
	if ((cfg = config_load(argv[1], &errs)) == NULL) {
		fprintf(stderr, "%s", errs);
		return 1;
	}
	if (app_open(&app, cfg, NULL) != 0)
		return 1;
	if (tokens != NULL && (tf = fopen(tokens, "w")) == NULL) {
		perror(tokens);
		goto out;
	}
	store_unit_begin(app.store);
	for (i = 0; i < shelters; i++) {
		d = seed_district(&app, (int)pct);
		snprintf(id, sizeof(id), "shl_bench%06ld", i);
		v = json_pack("{s:s,s:s,s:f,s:f,s:s,s:I,s:I,s:s}", "name", "Bench", "district", d->id,
		    "lat", d->label_lat, "lon", d->label_lon, "address", "bench", "beds_total",
		    (json_int_t)beds, "beds_available", (json_int_t)beds, "channel", "webhook");
		if (store_shelter_add(app.store, id, v) != 1)
			goto fail;
		json_decref(v);
	}
	for (i = 0; i < vehicles; i++) {
		snprintf(vid, sizeof(vid), "veh_bench%07ld", i);
		if (seed_vehicle(&app, vid, seed_district(&app, (int)pct), "available") != 0)
			goto fail;
		if (i == 0) {
			seed_token("vehicle", i, token, sizeof(token));
			if (seed_link(&app, "vehicle", vid, token) != 0)
				goto fail;
			if (tf)
				fprintf(tf, "vehicle %s\n", token);
		}
	}
	/* Requests each with one open offer to its own (offered) vehicle. */
	for (i = 0; i < offers; i++) {
		d = seed_district(&app, (int)pct);
		snprintf(id, sizeof(id), "req_offer%07ld", i);
		snprintf(vid, sizeof(vid), "veh_offer%07ld", i);
		snprintf(oid, sizeof(oid), "off_bench%07ld", i);
		seed_token("offer", i, token, sizeof(token));
		if (seed_vehicle(&app, vid, d, "offered") != 0 ||
		    seed_request(&app, id, d, "offered") != 0 ||
		    store_offer_add(app.store, oid, id, "vehicle", vid, 1000, far) != 1 ||
		    seed_link(&app, "offer", oid, token) != 0 ||
		    store_deadline_set(app.store, "offer", oid, far) < 0)
			goto fail;
		if (tf)
			fprintf(tf, "offer %s\n", token);
	}
	/* Open trips, each holding a pending stall deadline. */
	for (i = 0; i < trips; i++) {
		d = seed_district(&app, (int)pct);
		snprintf(id, sizeof(id), "req_trip%07ld", i);
		snprintf(vid, sizeof(vid), "veh_trip%07ld", i);
		snprintf(oid, sizeof(oid), "off_trip%07ld", i);
		if (seed_vehicle(&app, vid, d, "busy") != 0 ||
		    seed_request(&app, id, d, "accepted") != 0 ||
		    store_request_set_vehicle(app.store, id, vid) != 1 ||
		    store_offer_add(app.store, oid, id, "vehicle", vid, 1000, far) != 1 ||
		    store_offer_set_state(app.store, oid, "open", "accepted") != 1 ||
		    store_deadline_set(app.store, "stall", id, far + (int64_t)(seed_rand() * 3.6e6)) < 0)
			goto fail;
	}
	for (i = 0; i < requests; i++) {
		static const char *const states[] = { "waiting", "offered", "accepted", "delivered",
		    "delivered", "cancelled" };
		snprintf(id, sizeof(id), "req_list%07ld", i);
		if (seed_request(&app, id, seed_district(&app, (int)pct), states[i % 6]) != 0)
			goto fail;
	}
	store_unit_end(app.store, 1);
	printf("seeded: shelters=%ld vehicles=%ld offers=%ld trips=%ld requests=%ld\n", shelters,
	    vehicles, offers, trips, requests);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "seed: a write failed\n");
	store_unit_end(app.store, 0);
out:
	if (tf)
		fclose(tf);
	app_close(&app);
	config_free(cfg);
	return rc;
}
