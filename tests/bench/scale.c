/* Benchmark: server time from a request's arrival to its first offer
 * (validation aside: insert, bed hold, candidate search, offer, timeline,
 * outbox — everything before the commit) with N available vehicles and
 * 1k shelters; the commit is timed apart. Usage: scale CONFIG N [PCT] */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/fleet.h"
#include "dispatch/match.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "geo/district.h"

#define SCALE_RUNS 300

static double
scale_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
scale_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct config		*cfg;
	struct app		 app;
	char			*errs = NULL, id[40];
	double			 match[SCALE_RUNS], commit[SCALE_RUNS], search[SCALE_RUNS], t0, t1;
	struct fleet_hit	 hits[4];
	json_t			*v, *req;
	int			 i, offered = 0;
	const struct district	*b;

	if (argc < 2 || (cfg = config_load(argv[1], &errs)) == NULL) {
		fprintf(stderr, "usage: scale CONFIG\n%s", errs ? errs : "");
		return 64;
	}
	base = event_base_new();
	event_base_priority_init(base, 3);
	if (app_open(&app, cfg, base) != 0)
		return 1;
	b = districts_at(app.districts, (size_t)districts_find(app.districts, "bishkek"));
	for (i = 0; i < SCALE_RUNS; i++) {
		token_id("req", id, sizeof(id));
		v = json_pack("{s:s,s:f,s:f,s:i,s:i,s:s,s:s,s:i,s:i,s:s,s:s,s:s}", "district", b->id,
		    "lat", b->label_lat + (i % 17) * 0.001, "lon", b->label_lon - (i % 13) * 0.001,
		    "adults", 1, "children", 0, "needs", "[]", "risk", "standard", "risk_rank", 0,
		    "escort", 0, "destination", "any", "consent", "{}", "created_by", "bench");
		t0 = scale_ms();
		store_unit_begin(app.store);
		store_request_add(app.store, id, v, NULL, 0, NULL, 0);
		match_request(&app, id);
		store_unit_end(app.store, 1);
		t1 = scale_ms();
		store_flush(app.store);
		commit[i] = scale_ms() - t1;
		match[i] = t1 - t0;
		req = store_request_get(app.store, id);
		offered += strcmp(json_string_value(json_object_get(req, "state")), "offered") == 0;
		json_decref(req);
		json_decref(v);
	}
	/* The part that depends on the fleet's size: the candidate search
	 * alone, at the same points. */
	for (i = 0; i < SCALE_RUNS; i++) {
		t0 = scale_ms();
		fleet_nearest(app.fleet, FLEET_VEHICLE, districts_find(app.districts, "bishkek"),
		    b->label_lat + (i % 17) * 0.001, b->label_lon - (i % 13) * 0.001, 2, 0,
		    (int64_t)time(NULL), NULL, hits, 1);
		search[i] = scale_ms() - t0;
	}
	qsort(search, SCALE_RUNS, sizeof(double), scale_cmp);
	qsort(match, SCALE_RUNS, sizeof(double), scale_cmp);
	qsort(commit, SCALE_RUNS, sizeof(double), scale_cmp);
	printf("{\"vehicles\": %zu, \"runs\": %d, \"offered\": %d, \"first_offer_p50_ms\": %.4f,"
	    " \"first_offer_p99_ms\": %.4f, \"commit_p50_ms\": %.3f, \"search_p50_ms\": %.4f}\n",
	    fleet_available(app.fleet, FLEET_VEHICLE) + (size_t)offered, SCALE_RUNS, offered,
	    match[SCALE_RUNS / 2], match[SCALE_RUNS * 99 / 100], commit[SCALE_RUNS / 2],
	    search[SCALE_RUNS / 2]);
	app_close(&app);
	config_free(cfg);
	event_base_free(base);
	return 0;
}
