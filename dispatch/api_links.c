/* Links: the personal pages of vehicles, volunteers and shelters, offers
 * and referrals. A link carries its own authority; an unknown, revoked or
 * expired token gets one and the same 404. GET never changes anything. */
#include <stdio.h>
#include <string.h>

#include "dispatch/api.h"
#include "dispatch/app.h"
#include "dispatch/escalate.h"
#include "dispatch/log.h"
#include "dispatch/match.h"
#include "dispatch/offer.h"
#include "dispatch/referral.h"
#include "dispatch/server.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/trip.h"
#include "dispatch/view.h"
#include "geo/district.h"

/* The link's (kind, subject), or NULL after answering 404. */
static json_t *
api_link_resolve(struct http *h)
{
	char	 hash[TOKEN_HASH_LEN + 1];
	json_t	*link;

	token_hash(h->args[0], hash);
	if (strlen(h->args[0]) < 22 || (link = store_link_get(h->app->store, hash)) == NULL) {
		http_error(h, 404, "not_found", "this link is not valid");
		return NULL;
	}
	return link;
}

/* Offers of one vehicle or volunteer in a state, as their links show them. */
static json_t *
api_link_offers(struct http *h, const char *subject, const char *state)
{
	json_t	*rows, *r, *out = json_array(), *v, *req;
	size_t	 i;

	if ((rows = store_offer_for_subject(h->app->store, subject, state)) == NULL)
		return out;
	json_array_foreach(rows, i, r) {
		if (strcmp(state, "accepted") == 0) {
			req = store_request_get(h->app->store, view_str(r, "request_id"));
			if (req == NULL || strcmp(view_str(req, "state"), "delivered") == 0 ||
			    strcmp(view_str(req, "state"), "cancelled") == 0) {
				json_decref(req);
				continue;
			}
			json_decref(req);
		}
		if ((v = offer_view(h->app, view_str(r, "id"))) != NULL)
			json_array_append_new(out, v);
	}
	json_decref(rows);
	return out;
}

static json_t *
api_link_member(struct http *h, const char *kind, const char *id)
{
	json_t	*row = strcmp(kind, "vehicle") == 0 ? store_vehicle_get(h->app->store, id) :
	    store_volunteer_get(h->app->store, id);
	json_t	*v;

	if (row == NULL)
		return NULL;
	view_row(row);
	v = json_pack("{s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "kind", kind, "id", json_object_get(row, "id"),
	    "status", json_object_get(row, "status"), "district", json_object_get(row, "district"),
	    "lat", json_object_get(row, "lat"), "lon", json_object_get(row, "lon"),
	    "vetted_until", json_object_get(row, "vetted_until"),
	    "name", json_object_get(row, strcmp(kind, "vehicle") == 0 ? "driver_name" : "name"));
	if (strcmp(kind, "vehicle") == 0) {
		json_object_set(v, "seats", json_object_get(row, "seats"));
		json_object_set(v, "features", json_object_get(row, "features"));
	} else {
		json_object_set(v, "role", json_object_get(row, "role"));
	}
	json_object_set_new(v, "offers", api_link_offers(h, id, "open"));
	json_object_set_new(v, "trips", api_link_offers(h, id, "accepted"));
	json_decref(row);
	return v;
}

static json_t *
api_link_shelter(struct http *h, const char *id)
{
	json_t	*row = store_shelter_get(h->app->store, id), *v;

	if (row == NULL)
		return NULL;
	v = json_pack("{s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:o}", "kind", "shelter",
	    "id", json_object_get(row, "id"), "name", json_object_get(row, "name"),
	    "district", json_object_get(row, "district"),
	    "beds_total", json_object_get(row, "beds_total"),
	    "beds_available", json_object_get(row, "beds_available"),
	    "beds_held", json_object_get(row, "beds_held"),
	    "incoming", store_shelter_incoming(h->app->store, id));
	json_decref(row);
	return v;
}

/* What a link shows; NULL when its subject is gone. *gone set for 410. */
static json_t *
api_link_view(struct http *h, json_t *link, int *gone)
{
	const char	*kind = view_str(link, "kind"), *subject = view_str(link, "subject");
	json_t		*v = NULL;
	const char	*state;

	*gone = 0;
	if (strcmp(kind, "vehicle") == 0 || strcmp(kind, "volunteer") == 0) {
		v = api_link_member(h, kind, subject);
	} else if (strcmp(kind, "shelter") == 0) {
		v = api_link_shelter(h, subject);
	} else if (strcmp(kind, "offer") == 0) {
		v = offer_view(h->app, subject);
		state = view_str(v, "state");
		if (v != NULL && (strcmp(state, "lapsed") == 0 || strcmp(state, "withdrawn") == 0))
			*gone = 1;
	} else if (strcmp(kind, "referral") == 0) {
		v = referral_view(h->app, subject);
	}
	return v;
}

int
api_link_get(struct http *h)
{
	json_t	*link, *v;
	int	 gone;

	if ((link = api_link_resolve(h)) == NULL)
		return h->status;
	v = api_link_view(h, link, &gone);
	json_decref(link);
	if (v == NULL)
		return http_error(h, 404, "not_found", "this link is not valid");
	if (gone) {
		json_decref(v);
		return http_error(h, 410, "gone", "this offer is no longer open");
	}
	return http_json(h, 200, v);
}

static int
api_offer_answer(struct http *h, enum offer_result rc, json_t *out)
{
	switch (rc) {
	case OFFER_OK:
		return http_json(h, 200, out ? out : json_pack("{s:b}", "ok", 1));
	case OFFER_CONFLICT:
		return http_error(h, 409, "conflict", "not allowed in the offer's current state");
	case OFFER_GONE:
		return http_error(h, 410, "gone", "this offer is no longer open");
	default:
		return http_error(h, 400, "bad_request", "unknown action");
	}
}

/* available / unavailable / location on a personal link, or an offer
 * action naming the offer (for phones that open only their own page). */
static int
api_link_member_act(struct http *h, const char *kind, const char *id, const char *action)
{
	int		 vehicle = strcmp(kind, "vehicle") == 0;
	json_t		*row, *o;
	const char	*status, *oid, *district;
	double		 lat, lon;
	long		 d;
	int		 rc;
	enum offer_result orc;
	json_t		*out;

	row = vehicle ? store_vehicle_get(h->app->store, id) : store_volunteer_get(h->app->store, id);
	if (row == NULL)
		return http_error(h, 404, "not_found", "this link is not valid");
	status = view_str(row, "status");
	district = view_str(row, "district");
	if (strcmp(action, "available") == 0 || strcmp(action, "location") == 0) {
		if (http_field_num(h, "lat", strcmp(action, "location") == 0, -90, 90, &lat) < 0 ||
		    http_field_num(h, "lon", strcmp(action, "location") == 0, -180, 180, &lon) < 0)
			goto out;
		if (strcmp(action, "available") == 0 &&
		    (json_object_get(h->body, "lat") == NULL) != (json_object_get(h->body, "lon") == NULL)) {
			http_error(h, 400, "bad_request", "give both lat and lon");
			goto out;
		}
		if (strcmp(action, "available") == 0 &&
		    (strcmp(status, "offered") == 0 || strcmp(status, "busy") == 0)) {
			http_error(h, 409, "conflict", "answer the open offer or trip first");
			goto out;
		}
		if (json_object_get(h->body, "lat") != NULL) {
			if ((d = districts_locate(h->app->districts, lat, lon)) < 0) {
				http_error(h, 422, "unprocessable", "the position is in no district");
				goto out;
			}
			district = districts_at(h->app->districts, (size_t)d)->id;
			if (vehicle)
				store_vehicle_set_position(h->app->store, id, district, lat, lon);
			else
				store_volunteer_set_position(h->app->store, id, district, lat, lon);
		}
		json_decref(row);
		row = vehicle ? store_vehicle_get(h->app->store, id) :
		    store_volunteer_get(h->app->store, id);
		if (strcmp(action, "available") == 0)
			json_object_set_new(row, "status", json_string("available"));
		match_fleet_put(h->app, vehicle ? FLEET_VEHICLE : FLEET_ESCORT, row);
		if (strcmp(action, "available") == 0) {
			if (vehicle)
				trip_vehicle_status(h->app, id, "available");
			else
				trip_escort_status(h->app, id, "available");
		}
		log_info("event=%s kind=%s id=%s", action, kind, id);
		rc = http_json(h, 200, api_link_member(h, kind, id));
		json_decref(row);
		return rc;
	}
	if (strcmp(action, "unavailable") == 0) {
		if (strcmp(status, "offered") == 0 || strcmp(status, "busy") == 0) {
			http_error(h, 409, "conflict", "answer the open offer or trip first");
			goto out;
		}
		if (vehicle)
			trip_vehicle_status(h->app, id, "off");
		else
			trip_escort_status(h->app, id, "off");
		log_info("event=unavailable kind=%s id=%s", kind, id);
		json_decref(row);
		return http_json(h, 200, api_link_member(h, kind, id));
	}
	/* An offer action from the personal page: the offer must be its own. */
	if (http_field_str(h, "offer", 1, 64, &oid) != 0)
		goto out;
	o = store_offer_get(h->app->store, oid);
	if (o == NULL || strcmp(view_str(o, "subject"), id) != 0) {
		json_decref(o);
		http_error(h, 404, "not_found", "no such offer for this link");
		goto out;
	}
	json_decref(o);
	json_decref(row);
	orc = offer_act(h->app, oid, action, &out);
	return api_offer_answer(h, orc, out);
out:
	json_decref(row);
	return h->status;
}

static int
api_link_shelter_act(struct http *h, const char *id, const char *action)
{
	json_t		*row, *req;
	long long	 total, avail;
	const char	*rid;
	int		 rc;

	if ((row = store_shelter_get(h->app->store, id)) == NULL)
		return http_error(h, 404, "not_found", "this link is not valid");
	if (strcmp(action, "set_beds") == 0) {
		if (http_field_int(h, "beds_total", 1, 0, 100000, &total) != 0 ||
		    http_field_int(h, "beds_available", 1, 0, 100000, &avail) != 0)
			goto out;
		if (avail > total || avail + view_int(row, "beds_held") > total) {
			http_error(h, 422, "unprocessable", "beds_available plus beds held (%lld) cannot"
			    " exceed beds_total", view_int(row, "beds_held"));
			goto out;
		}
		if (store_shelter_set_beds(h->app->store, id, total, avail) != 1) {
			http_error(h, 409, "conflict", "the counts changed; try again");
			goto out;
		}
		log_info("event=set_beds shelter=%s total=%lld available=%lld", id, total, avail);
		match_kick(h->app, MATCH_BEDS);
		json_decref(row);
		return http_json(h, 200, api_link_shelter(h, id));
	}
	if (strcmp(action, "arrived") == 0) {
		if (http_field_str(h, "request", 1, 64, &rid) != 0)
			goto out;
		req = store_request_get(h->app->store, rid);
		if (req == NULL || strcmp(view_str(req, "shelter_id"), id) != 0) {
			json_decref(req);
			http_error(h, 404, "not_found", "no such trip to this shelter");
			goto out;
		}
		if (strcmp(view_str(req, "state"), "delivered") == 0) {
			store_event_add(h->app->store, rid, "arrival_confirmed", "");
			rc = 0;
		} else {
			rc = trip_enter_state(h->app, rid, "delivered", "confirmed by the shelter");
		}
		json_decref(req);
		if (rc != 0) {
			http_error(h, 409, "conflict", "the trip has not picked anyone up");
			goto out;
		}
		json_decref(row);
		return http_json(h, 200, api_link_shelter(h, id));
	}
	http_error(h, 400, "bad_request", "unknown action");
out:
	json_decref(row);
	return h->status;
}

int
api_link_post(struct http *h)
{
	json_t		*link, *out = NULL;
	const char	*action, *kind, *subject;
	char		 note[1024];
	const char	*n = NULL;
	int		 rc;

	if ((link = api_link_resolve(h)) == NULL)
		return h->status;
	if (http_field_str(h, "action", 1, 32, &action) != 0) {
		json_decref(link);
		return h->status;
	}
	kind = view_str(link, "kind");
	subject = view_str(link, "subject");
	if (strcmp(kind, "vehicle") == 0 || strcmp(kind, "volunteer") == 0) {
		rc = api_link_member_act(h, kind, subject, action);
	} else if (strcmp(kind, "shelter") == 0) {
		rc = api_link_shelter_act(h, subject, action);
	} else if (strcmp(kind, "offer") == 0) {
		enum offer_result orc = offer_act(h->app, subject, action, &out);
		rc = api_offer_answer(h, orc, out);
	} else if (strcmp(kind, "referral") == 0) {
		if (http_field_str(h, "note", 0, 1000, &n) < 0) {
			json_decref(link);
			return h->status;
		}
		snprintf(note, sizeof(note), "%s", n ? n : "");
		switch (referral_act(h->app, subject, action, note)) {
		case 0:
			rc = http_json(h, 200, referral_view(h->app, subject));
			break;
		case -1:
			rc = http_error(h, 409, "conflict", "not allowed in the referral's state");
			break;
		default:
			rc = http_error(h, 400, "bad_request", "unknown action");
		}
	} else {
		rc = http_error(h, 404, "not_found", "this link is not valid");
	}
	json_decref(link);
	return rc;
}
