/* Offers as their holders see them: staged disclosure and actions. */
#include "dispatch/offer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/deadline.h"
#include "dispatch/escalate.h"
#include "dispatch/log.h"
#include "dispatch/match.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/trip.h"
#include "dispatch/view.h"

json_t *
offer_view(struct app *app, const char *oid)
{
	json_t	*o, *req, *v;
	char	 expires[CLOCK_RFC3339_LEN];

	if ((o = store_offer_get(app->store, oid)) == NULL)
		return NULL;
	if ((req = store_request_get(app->store, view_str(o, "request_id"))) == NULL) {
		json_decref(o);
		return NULL;
	}
	view_row(req);
	clock_rfc3339(view_int(o, "expires_ms") / 1000, expires);
	v = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:I,s:I},s:O,s:O,s:f,s:s}",
	    "kind", "offer", "id", oid, "offer_kind", view_str(o, "kind"),
	    "state", view_str(o, "state"), "request_state", view_str(req, "state"),
	    "district", view_str(req, "district"),
	    "party", "adults", view_int(req, "adults"), "children", view_int(req, "children"),
	    "needs", json_object_get(req, "needs"), "risk", json_object_get(req, "risk"),
	    "distance_km", round(json_number_value(json_object_get(o, "distance_m")) / 100) / 10,
	    "expires_at", expires);
	json_decref(o);
	json_decref(req);
	return v;
}

/* The pickup point and note; the shelter's address once picked up. */
static json_t *
offer_details(struct app *app, json_t *req)
{
	const char	*rid = view_str(req, "id"), *state = view_str(req, "state");
	json_t		*d, *shelter;
	uint8_t		*box;
	size_t		 len = 0, plen;
	char		*note = NULL;

	if ((box = store_request_secret(app->store, rid, "pickup_note", &len)) != NULL) {
		if (token_open(app->key, box, len, &note, &plen) != 0)
			note = NULL;
		free(box);
	}
	d = json_pack("{s:{s:f,s:f},s:s?}", "pickup", "lat",
	    json_number_value(json_object_get(req, "lat")), "lon",
	    json_number_value(json_object_get(req, "lon")), "pickup_note", note);
	free(note);
	if ((strcmp(state, "picked_up") == 0 || strcmp(state, "delivered") == 0) &&
	    (shelter = store_shelter_get(app->store, view_str(req, "shelter_id"))) != NULL) {
		json_object_set_new(d, "shelter", json_pack("{s:O,s:O,s:O,s:O,s:O}",
		    "id", json_object_get(shelter, "id"), "name", json_object_get(shelter, "name"),
		    "address", json_object_get(shelter, "address"),
		    "phone", json_object_get(shelter, "phone"),
		    "district", json_object_get(shelter, "district")));
		json_decref(shelter);
	}
	return d;
}

static enum offer_result
offer_accept(struct app *app, json_t *o, json_t *req)
{
	const char	*oid = view_str(o, "id"), *rid = view_str(req, "id");
	const char	*subject = view_str(o, "subject"), *state = view_str(req, "state");
	int		 vehicle = strcmp(view_str(o, "kind"), "vehicle") == 0;

	if (vehicle) {
		if (strcmp(state, "offered") != 0 || json_is_string(json_object_get(req, "vehicle_id")))
			return OFFER_CONFLICT;
	} else if (json_is_string(json_object_get(req, "escort_id")) ||
	    strcmp(state, "delivered") == 0 || strcmp(state, "cancelled") == 0) {
		return OFFER_CONFLICT;
	}
	if (store_offer_set_state(app->store, oid, "open", "accepted") != 1)
		return OFFER_CONFLICT;
	deadline_clear(app, "offer", oid);
	if (vehicle) {
		store_request_set_vehicle(app->store, rid, subject);
		trip_vehicle_status(app, subject, "busy");
		match_withdraw(app, rid, "vehicle");
		trip_enter_state(app, rid, "accept", subject);
	} else {
		store_request_set_escort(app->store, rid, subject);
		trip_escort_status(app, subject, "busy");
		match_withdraw(app, rid, "escort");
		store_event_add(app->store, rid, "escort_accepted", subject);
		escalate_resolve(app, rid, "no_escort");
	}
	log_info("event=offer_accepted id=%s request=%s", oid, rid);
	return OFFER_OK;
}

static enum offer_result
offer_decline(struct app *app, json_t *o)
{
	const char	*oid = view_str(o, "id"), *rid = view_str(o, "request_id");
	const char	*subject = view_str(o, "subject"), *kind = view_str(o, "kind");

	if (store_offer_set_state(app->store, oid, "open", "declined") != 1)
		return OFFER_CONFLICT;
	deadline_clear(app, "offer", oid);
	store_event_add(app->store, rid, "offer_declined", subject);
	if (strcmp(kind, "vehicle") == 0)
		trip_vehicle_status(app, subject, "available");
	else
		trip_escort_status(app, subject, "available");
	log_info("event=offer_declined id=%s request=%s", oid, rid);
	match_after_close(app, rid, kind);
	return OFFER_OK;
}

/* An escort gives the job back: find another. */
static enum offer_result
offer_escort_quit(struct app *app, json_t *o, json_t *req)
{
	const char	*rid = view_str(req, "id"), *subject = view_str(o, "subject");

	store_offer_set_state(app->store, view_str(o, "id"), "accepted", "cancelled");
	store_request_set_escort(app->store, rid, NULL);
	trip_escort_status(app, subject, "off");
	store_event_add(app->store, rid, "escort_cannot_complete", subject);
	match_after_close(app, rid, "escort");
	return OFFER_OK;
}

enum offer_result
offer_act(struct app *app, const char *oid, const char *action, json_t **out)
{
	json_t			*o, *req = NULL;
	const char		*state, *kind;
	enum offer_result	 rc;
	int			 r;

	*out = NULL;
	if ((o = store_offer_get(app->store, oid)) == NULL)
		return OFFER_GONE;
	state = view_str(o, "state");
	kind = view_str(o, "kind");
	if ((req = store_request_get(app->store, view_str(o, "request_id"))) == NULL) {
		rc = OFFER_GONE;
		goto out;
	}
	if (strcmp(action, "accept") == 0 || strcmp(action, "decline") == 0) {
		if (strcmp(state, "open") == 0 && view_int(o, "expires_ms") <= clock_now_ms()) {
			rc = OFFER_GONE;	/* its deadline is about to fire */
		} else if (strcmp(state, "open") == 0) {
			rc = action[0] == 'a' ? offer_accept(app, o, req) : offer_decline(app, o);
		} else if (strcmp(state, "withdrawn") == 0 && action[0] == 'a') {
			rc = OFFER_CONFLICT;	/* someone else was first */
		} else if (strcmp(state, "lapsed") == 0 || strcmp(state, "withdrawn") == 0) {
			rc = OFFER_GONE;
		} else {
			rc = OFFER_CONFLICT;
		}
		goto out;
	}
	if (strcmp(action, "details") != 0 && strcmp(action, "en_route") != 0 &&
	    strcmp(action, "picked_up") != 0 && strcmp(action, "delivered") != 0 &&
	    strcmp(action, "cannot_complete") != 0) {
		rc = OFFER_BAD;
		goto out;
	}
	/* Everything else needs this offer to be the accepted one. */
	if (strcmp(state, "accepted") != 0) {
		rc = strcmp(state, "open") == 0 || strcmp(state, "declined") == 0 ?
		    OFFER_CONFLICT : OFFER_GONE;
		goto out;
	}
	if (strcmp(action, "details") == 0) {
		*out = offer_details(app, req);
		rc = OFFER_OK;
	} else if (strcmp(kind, "escort") == 0) {
		rc = strcmp(action, "cannot_complete") == 0 ? offer_escort_quit(app, o, req) :
		    OFFER_CONFLICT;
	} else {
		r = trip_enter_state(app, view_str(req, "id"), action, "");
		rc = r == 0 ? OFFER_OK : OFFER_CONFLICT;
		if (r == 0 && strcmp(action, "picked_up") == 0) {
			json_decref(req);
			if ((req = store_request_get(app->store, view_str(o, "request_id"))) != NULL)
				*out = offer_details(app, req);
		}
	}
out:
	json_decref(o);
	json_decref(req);
	return rc;
}
