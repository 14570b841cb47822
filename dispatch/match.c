/* Matching: beds, candidates from the in-memory fleet, offers by link. */
#include "dispatch/match.h"

#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/deadline.h"
#include "dispatch/escalate.h"
#include "dispatch/fleet.h"
#include "dispatch/log.h"
#include "dispatch/outbox.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/trip.h"
#include "dispatch/view.h"
#include "geo/district.h"
#include "geo/geo.h"

int
match_fleet_put(struct app *app, enum fleet_kind kind, json_t *r)
{
	struct fleet_member	m;
	long			f = 0;
	json_t			*feat;

	memset(&m, 0, sizeof(m));
	m.id = view_str(r, "id");
	m.district = districts_find(app->districts, view_str(r, "district"));
	m.lat = json_number_value(json_object_get(r, "lat"));
	m.lon = json_number_value(json_object_get(r, "lon"));
	m.vetted_until = view_int(r, "vetted_until");
	m.available = strcmp(view_str(r, "status"), "available") == 0;
	if (kind == FLEET_VEHICLE) {
		m.seats = (int)view_int(r, "seats");
		feat = json_loads(view_str(r, "features"), 0, NULL);
		f = feat ? fleet_features(feat) : 0;
		json_decref(feat);
		m.features = f > 0 ? (unsigned)f : 0;
	} else if (strcmp(view_str(r, "role"), "escort") != 0) {
		return 0;	/* only escorts are matched to trips */
	}
	if (m.district < 0)
		return 0;	/* a district no longer in the file: never offered */
	return fleet_put(app->fleet, kind, &m);
}

static void
match_load_vehicle(json_t *row, void *arg)
{
	match_fleet_put(arg, FLEET_VEHICLE, row);
}

static void
match_load_escort(json_t *row, void *arg)
{
	match_fleet_put(arg, FLEET_ESCORT, row);
}

int
match_load(struct app *app)
{
	fleet_clear(app->fleet);
	if (store_vehicle_each(app->store, match_load_vehicle, app) != 0 ||
	    store_volunteer_each(app->store, match_load_escort, app) != 0)
		return -1;
	return 0;
}

/* Acceptable for the destination, then own district, neighbours, farther;
 * nearest first within each. */
long
match_pick_shelter(const struct districts *ds, json_t *shelters, long district, double lat,
    double lon, const char *dest)
{
	json_t	*s;
	size_t	 i;
	long	 best = -1, d, tier, best_tier = 99;
	double	 dist, best_dist = INFINITY;

	json_array_foreach(shelters, i, s) {
		d = districts_find(ds, view_str(s, "district"));
		if (d < 0)
			continue;
		if (strcmp(dest, "same_district") == 0 && d != district)
			continue;
		if (strcmp(dest, "other_district") == 0 && d == district)
			continue;
		tier = d == district ? 0 : districts_adjacent(ds, (size_t)district, (size_t)d) ? 1 : 2;
		dist = geo_distance_m(lat, lon, json_number_value(json_object_get(s, "lat")),
		    json_number_value(json_object_get(s, "lon")));
		if (tier < best_tier || (tier == best_tier && dist < best_dist)) {
			best = (long)i;
			best_tier = tier;
			best_dist = dist;
		}
	}
	return best;
}

/* Shelters with room for the party, nearest tier first: the district
 * itself, then its neighbours, then everywhere — each a small indexed
 * query, so a request that finds a bed nearby never reads every shelter. */
static json_t *
match_shelters(struct app *app, json_t *req, long party, long *pick)
{
	const char		*dest = view_str(req, "destination");
	long			 di = districts_find(app->districts, view_str(req, "district"));
	double			 lat = json_number_value(json_object_get(req, "lat"));
	double			 lon = json_number_value(json_object_get(req, "lon"));
	const struct district	*d = districts_at(app->districts, (size_t)di);
	json_t			*rows, *more;
	size_t			 i;

	*pick = -1;
	if (d == NULL)
		return NULL;
	if (strcmp(dest, "other_district") != 0) {
		rows = store_shelter_with_room(app->store, d->id, party);
		if ((*pick = match_pick_shelter(app->districts, rows, di, lat, lon, dest)) >= 0 ||
		    strcmp(dest, "same_district") == 0)
			return rows;
		json_decref(rows);
	}
	rows = json_array();
	for (i = 0; i < d->nneighbors; i++) {
		more = store_shelter_with_room(app->store,
		    districts_at(app->districts, d->neighbors[i])->id, party);
		if (more != NULL)
			json_array_extend(rows, more);
		json_decref(more);
	}
	if ((*pick = match_pick_shelter(app->districts, rows, di, lat, lon, dest)) >= 0)
		return rows;
	json_decref(rows);
	rows = store_shelter_with_room(app->store, NULL, party);
	*pick = match_pick_shelter(app->districts, rows, di, lat, lon, dest);
	return rows;
}

/* Hold beds for the whole party; 0 when held (now or before). */
static int
match_bed(struct app *app, const char *rid, json_t *req)
{
	json_t		*shelters;
	long		 k, party = (long)(view_int(req, "adults") + view_int(req, "children"));
	const char	*sid;
	char		 detail[96];

	if (json_is_string(json_object_get(req, "shelter_id")) && view_int(req, "beds_held") > 0)
		return 0;
	shelters = match_shelters(app, req, party, &k);
	if (k < 0) {
		json_decref(shelters);
		return -1;
	}
	sid = view_str(json_array_get(shelters, (size_t)k), "id");
	if (store_shelter_hold(app->store, sid, party) != 1) {
		json_decref(shelters);
		return -1;
	}
	store_request_set_hold(app->store, rid, sid, party);
	json_object_set_new(req, "shelter_id", json_string(sid));
	json_object_set_new(req, "beds_held", json_integer(party));
	snprintf(detail, sizeof(detail), "%ld beds in shelter %.40s", party, sid);
	store_event_add(app->store, rid, "bed_held", detail);
	escalate_resolve(app, rid, "no_bed");
	log_info("event=bed_held request=%s shelter=%s beds=%ld", rid, sid, party);
	json_decref(shelters);
	return 0;
}

/* Create one offer with its link, deadline and message. */
static int
match_offer(struct app *app, const char *rid, json_t *req, const char *kind,
    const struct fleet_hit *hit)
{
	char		 oid[40], token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1], link[512];
	char		 detail[96];
	int64_t		 expires = clock_now_ms() + app->cfg->offer_timeout * 1000;
	int		 vehicle = strcmp(kind, "vehicle") == 0;
	struct outbox_say say = { view_str(req, "district"),
	    (int)(view_int(req, "adults") + view_int(req, "children")), NULL };

	if (token_id("off", oid, sizeof(oid)) != 0 || token_new(token) != 0)
		return -1;
	token_hash(token, hash);
	if (store_offer_add(app->store, oid, rid, kind, hit->id, hit->distance_m, expires) != 1 ||
	    store_link_add(app->store, hash, "offer", oid) != 1)
		return -1;
	if (vehicle)
		trip_vehicle_status(app, hit->id, "offered");
	else
		trip_escort_status(app, hit->id, "offered");
	deadline_set(app, "offer", oid, expires);
	snprintf(link, sizeof(link), "%s/l/%s", app->cfg->public_url, token);
	outbox_add(app, "offer", rid, vehicle ? "vehicle" : "volunteer", hit->id, link, NULL,
	    vehicle ? OUTBOX_OFFER : OUTBOX_ESCORT_OFFER, &say);
	snprintf(detail, sizeof(detail), "%.16s %.63s, %.1f km", kind, hit->id,
	    hit->distance_m / 1000);
	store_event_add(app->store, rid, "offer_sent", detail);
	log_info("event=offer id=%s request=%s kind=%s subject=%s", oid, rid, kind, hit->id);
	return 0;
}

/* Offer to up to want new candidates of kind; returns how many. */
static int
match_candidates(struct app *app, const char *rid, json_t *req, const char *kind, size_t want)
{
	struct fleet_hit	 hits[64];
	json_t			*asked, *ex, *v, *feat;
	size_t			 i, n;
	long			 need = 0;
	int			 made = 0, vehicle = strcmp(kind, "vehicle") == 0;

	asked = store_offer_asked(app->store, rid, kind);
	ex = json_array();
	json_array_foreach(asked, i, v)
		json_array_append(ex, json_object_get(v, "subject"));
	json_decref(asked);
	if (vehicle) {
		feat = json_loads(view_str(req, "needs"), 0, NULL);
		need = feat ? fleet_features(feat) : 0;
		json_decref(feat);
		if (need < 0)
			need = 0;
	}
	n = fleet_nearest(app->fleet, vehicle ? FLEET_VEHICLE : FLEET_ESCORT,
	    districts_find(app->districts, view_str(req, "district")),
	    json_number_value(json_object_get(req, "lat")),
	    json_number_value(json_object_get(req, "lon")),
	    vehicle ? (int)(view_int(req, "adults") + view_int(req, "children")) : 0,
	    (unsigned)need, clock_now(), ex, hits, want);
	json_decref(ex);
	for (i = 0; i < n; i++)
		if (match_offer(app, rid, req, kind, &hits[i]) == 0)
			made++;
	return made;
}

static size_t
match_width(struct app *app, json_t *req)
{
	return strcmp(view_str(req, "risk"), "high") == 0 ?
	    (size_t)app->cfg->offer_parallel_high : 1;
}

static int
match_escort(struct app *app, const char *rid, json_t *req)
{
	const char	*state = view_str(req, "state");

	if (view_int(req, "escort") == 0)
		return 0;
	if (json_is_string(json_object_get(req, "escort_id")) ||
	    strcmp(state, "delivered") == 0 || strcmp(state, "cancelled") == 0 ||
	    strcmp(state, "picked_up") == 0)
		return 0;
	if (store_offer_count(app->store, rid, "escort", "open") > 0)
		return 0;
	if (match_candidates(app, rid, req, "escort", match_width(app, req)) == 0)
		return escalate_open(app, rid, "no_escort", NULL);
	return 0;
}

int
match_request(struct app *app, const char *rid)
{
	json_t	*req;
	int	 rc = 0;

	if ((req = store_request_get(app->store, rid)) == NULL)
		return -1;
	if (strcmp(view_str(req, "state"), "waiting") == 0) {
		if (match_bed(app, rid, req) != 0) {
			escalate_open(app, rid, "no_bed", NULL);
			goto out;
		}
		if (!json_is_string(json_object_get(req, "vehicle_id")) &&
		    store_offer_count(app->store, rid, "vehicle", "open") == 0) {
			if (match_candidates(app, rid, req, "vehicle", match_width(app, req)) > 0)
				trip_enter_state(app, rid, "offer", "");
			else
				escalate_open(app, rid, "no_vehicle", NULL);
		}
	}
	if (json_is_string(json_object_get(req, "shelter_id")))
		rc = match_escort(app, rid, req);
out:
	json_decref(req);
	return rc;
}

void
match_after_close(struct app *app, const char *rid, const char *kind)
{
	json_t	*req;
	int64_t	 open;
	size_t	 width;
	int	 made = 0;

	if ((req = store_request_get(app->store, rid)) == NULL)
		return;
	open = store_offer_count(app->store, rid, kind, "open");
	if (strcmp(kind, "vehicle") == 0) {
		if (strcmp(view_str(req, "state"), "offered") == 0) {
			width = match_width(app, req);
			if ((size_t)open < width)
				made = match_candidates(app, rid, req, kind, width - (size_t)open);
			if (open == 0 && made == 0) {
				trip_enter_state(app, rid, "no_vehicle", "no more candidates");
				escalate_open(app, rid, "no_vehicle", NULL);
			}
		}
	} else if (open == 0) {
		match_escort(app, rid, req);
	}
	json_decref(req);
}

void
match_withdraw(struct app *app, const char *rid, const char *kind)
{
	json_t		*open, *o;
	const char	*oid, *subject;
	size_t		 i;
	int		 vehicle = strcmp(kind, "vehicle") == 0;

	if ((open = store_offer_open(app->store, rid, kind)) == NULL)
		return;
	json_array_foreach(open, i, o) {
		oid = view_str(o, "id");
		subject = view_str(o, "subject");
		store_offer_set_state(app->store, oid, "open", "withdrawn");
		deadline_clear(app, "offer", oid);
		if (vehicle)
			trip_vehicle_status(app, subject, "available");
		else
			trip_escort_status(app, subject, "available");
		outbox_add(app, "offer_withdrawn", rid, vehicle ? "vehicle" : "volunteer", subject,
		    NULL, NULL, OUTBOX_WITHDRAWN, NULL);
		log_info("event=offer_withdrawn id=%s request=%s", oid, rid);
	}
	json_decref(open);
}

void
match_close_accepted(struct app *app, const char *rid, const char *kind)
{
	json_t	*o;

	if ((o = store_offer_accepted(app->store, rid, kind)) == NULL)
		return;
	store_offer_set_state(app->store, view_str(o, "id"), "accepted", "cancelled");
	json_decref(o);
}

/* The offer-lapse deadline: pass the offer on. */
static void
match_lapse(struct app *app, const char *oid)
{
	json_t		*o;
	const char	*rid, *kind, *subject;

	if ((o = store_offer_get(app->store, oid)) == NULL)
		return;
	if (strcmp(view_str(o, "state"), "open") != 0 ||
	    store_offer_set_state(app->store, oid, "open", "lapsed") != 1) {
		json_decref(o);
		return;
	}
	rid = view_str(o, "request_id");
	kind = view_str(o, "kind");
	subject = view_str(o, "subject");
	store_event_add(app->store, rid, "offer_lapsed", subject);
	if (strcmp(kind, "vehicle") == 0)
		trip_vehicle_status(app, subject, "available");
	else
		trip_escort_status(app, subject, "available");
	outbox_add(app, "offer_withdrawn", rid, strcmp(kind, "vehicle") == 0 ? "vehicle" :
	    "volunteer", subject, NULL, NULL, OUTBOX_WITHDRAWN, NULL);
	log_info("event=offer_lapsed id=%s request=%s", oid, rid);
	match_after_close(app, rid, kind);
	json_decref(o);
}

/* Whether matching r again could change anything: a request holding its
 * bed needs an available vehicle (or escort) near it; one without a bed
 * needs a shelter query, which only matching can do. */
static int
match_worth_trying(struct app *app, json_t *r, int what)
{
	long	d = districts_find(app->districts, view_str(r, "district"));

	if (!json_is_string(json_object_get(r, "shelter_id")))
		return (what & MATCH_BEDS) != 0;
	if (strcmp(view_str(r, "state"), "waiting") == 0 &&
	    !json_is_string(json_object_get(r, "vehicle_id")) &&
	    fleet_any_near(app->fleet, FLEET_VEHICLE, d))
		return 1;
	return view_int(r, "escort") && !json_is_string(json_object_get(r, "escort_id")) &&
	    fleet_any_near(app->fleet, FLEET_ESCORT, d);
}

static void
match_rematch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app	*app = arg;
	json_t		*list, *r;
	size_t		 i;
	int		 freed = app->rematch_what;

	(void)fd; (void)what;
	app->rematch_what = 0;
	store_unit_begin(app->store);
	if ((list = store_request_waiting(app->store)) != NULL) {
		json_array_foreach(list, i, r)
			if (match_worth_trying(app, r, freed))
				match_request(app, view_str(r, "id"));
		json_decref(list);
	}
	store_unit_end(app->store, 1);
}

void
match_kick(struct app *app, int what)
{
	app->rematch_what |= what;
	if (app->rematch != NULL)
		event_active(app->rematch, 0, 0);
}

int
match_init(struct app *app)
{
	deadline_on(app->deadline, "offer", match_lapse);
	app->rematch = event_new(app->base, -1, 0, match_rematch_cb, app);
	return app->rematch ? 0 : -1;
}

void
match_free(struct app *app)
{
	if (app->rematch != NULL)
		event_free(app->rematch);
	app->rematch = NULL;
}
