/* Evacuation requests: create (idempotent by key), read, list, cancel,
 * raise the risk, change consent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/api.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/fleet.h"
#include "dispatch/log.h"
#include "dispatch/match.h"
#include "dispatch/outbox.h"
#include "dispatch/referral.h"
#include "dispatch/server.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/trip.h"
#include "dispatch/view.h"
#include "geo/district.h"

#define API_IDEM_TTL	(24 * 3600)

static const char *const api_risks[] = { "standard", "medium", "high", NULL };
static const char *const api_states[] = { "waiting", "offered", "accepted", "en_route",
    "picked_up", "delivered", "cancelled", NULL };

static long
api_index(const char *const *list, const char *s)
{
	long	i;

	for (i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

/* A free-text field sealed with the master key (NULL when absent). */
static int
api_sealed(struct http *h, const char *key, size_t max, uint8_t **box, size_t *len)
{
	const char	*s;
	int		 rc;

	*box = NULL;
	*len = 0;
	if ((rc = http_field_str(h, key, 0, max, &s)) != 0)
		return rc < 0 ? -1 : 0;
	if (token_seal(h->app->key, s, strlen(s), box, len) != 0) {
		http_error(h, 503, "unavailable", "cannot encrypt");
		return -1;
	}
	return 0;
}

/* The consent object: one boolean per known kind; absent means no. */
static char *
api_consent(struct http *h, json_t *given)
{
	json_t		*out = json_object(), *v;
	const char	*k;
	char		*s;
	size_t		 i;

	if (given != NULL && !json_is_null(given) && !json_is_object(given)) {
		http_error(h, 400, "bad_request", "consent must be an object of booleans");
		goto fail;
	}
	json_object_foreach(given, k, v) {
		if (api_index(referral_kinds, k) < 0) {
			http_error(h, 400, "bad_request", "consent: unknown kind \"%s\"", k);
			goto fail;
		}
		if (!json_is_boolean(v)) {
			http_error(h, 400, "bad_request", "consent.%s must be true or false", k);
			goto fail;
		}
	}
	for (i = 0; referral_kinds[i] != NULL; i++)
		json_object_set_new(out, referral_kinds[i],
		    json_boolean(json_is_true(json_object_get(given, referral_kinds[i]))));
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	return s;
fail:
	json_decref(out);
	return NULL;
}

static int
api_enum(struct http *h, const char *key, const char *const *list, const char *def,
    const char **out)
{
	int	rc;

	*out = def;
	if ((rc = http_field_str(h, key, 0, 32, out)) < 0)
		return -1;
	if (rc == 0 && api_index(list, *out) < 0) {
		http_error(h, 400, "bad_request", "field \"%s\" has an unknown value", key);
		return -1;
	}
	return 0;
}

/* The request as operators see it, with its timeline. */
static json_t *
api_request_view(struct http *h, const char *id, int full)
{
	json_t		*r, *esc, *e, *shelter, *veh, *events;
	long long	 level = 0;
	size_t		 i, len;
	uint8_t		*box;
	char		*plain;
	size_t		 plen;
	static const char *const secrets[] = { "pickup_note", "notes" };

	if ((r = store_request_get(h->app->store, id)) == NULL)
		return NULL;
	if ((esc = store_escalation_list(h->app->store, 1, id)) != NULL) {
		json_array_foreach(esc, i, e)
			if (view_int(e, "level") > level)
				level = view_int(e, "level");
		json_decref(esc);
	}
	json_object_set_new(r, "escalation_level", json_integer(level));
	if (json_is_string(json_object_get(r, "shelter_id")) &&
	    (shelter = store_shelter_get(h->app->store, view_str(r, "shelter_id"))) != NULL) {
		json_object_set_new(r, "shelter", json_pack("{s:O,s:O,s:O}", "id",
		    json_object_get(shelter, "id"), "name", json_object_get(shelter, "name"),
		    "district", json_object_get(shelter, "district")));
		json_decref(shelter);
	} else {
		json_object_set_new(r, "shelter", json_null());
	}
	json_object_del(r, "shelter_id");
	if (json_is_string(json_object_get(r, "vehicle_id")) &&
	    (veh = store_vehicle_get(h->app->store, view_str(r, "vehicle_id"))) != NULL) {
		json_object_set_new(r, "vehicle", json_pack("{s:O,s:O,s:O}", "id",
		    json_object_get(veh, "id"), "driver_name", json_object_get(veh, "driver_name"),
		    "phone", json_object_get(veh, "phone")));
		json_decref(veh);
		json_object_del(r, "vehicle_id");
	} else {
		view_ref(r, "vehicle_id", "vehicle");
	}
	view_ref(r, "escort_id", "escort_volunteer");
	view_row(r);
	if (!full)
		return r;
	events = store_event_list(h->app->store, id);
	json_object_set_new(r, "events", view_rows(events ? events : json_array()));
	json_object_set_new(r, "referrals", view_rows(store_referral_list(h->app->store, id)));
	for (i = 0; i < 2; i++) {
		len = 0;
		plain = NULL;
		box = store_request_secret(h->app->store, id, secrets[i], &len);
		if (box != NULL && token_open(h->app->key, box, len, &plain, &plen) == 0)
			json_object_set_new(r, secrets[i], json_string(plain));
		else
			json_object_set_new(r, secrets[i], json_null());
		free(box);
		free(plain);
	}
	return r;
}

/* Validate the body of POST /api/requests into v. */
static int
api_request_fields(struct http *h, json_t *v)
{
	const char	*district = NULL, *risk, *dest;
	double		 lat, lon;
	long long	 adults = 1, children = 0;
	int		 escort = 0, rc;
	long		 d;
	json_t		*needs = json_object_get(h->body, "needs");
	char		*s;

	if (http_field_num(h, "lat", 1, -90, 90, &lat) != 0 ||
	    http_field_num(h, "lon", 1, -180, 180, &lon) != 0 ||
	    (rc = http_field_str(h, "district", 0, 64, &district)) < 0 ||
	    http_field_int(h, "adults", 0, 0, 50, &adults) < 0 ||
	    http_field_int(h, "children", 0, 0, 50, &children) < 0 ||
	    http_field_bool(h, "escort", 0, &escort) < 0 ||
	    api_enum(h, "risk", api_risks, "standard", &risk) != 0 ||
	    api_enum(h, "destination", (const char *const[]){ "same_district", "other_district",
	    "any", NULL }, "any", &dest) != 0)
		return -1;
	if (adults + children < 1) {
		http_error(h, 400, "bad_request", "the party needs at least one person");
		return -1;
	}
	if (needs != NULL && !json_is_null(needs) &&
	    (!json_is_array(needs) || json_array_size(needs) > 8 || fleet_features(needs) < 0)) {
		http_error(h, 400, "bad_request",
		    "needs must be an array of child_seat, wheelchair, female_driver");
		return -1;
	}
	if (rc == 0) {
		if ((d = districts_find(h->app->districts, district)) < 0) {
			http_error(h, 422, "unprocessable", "unknown district \"%s\"", district);
			return -1;
		}
	} else if ((d = districts_locate(h->app->districts, lat, lon)) < 0) {
		http_error(h, 422, "unprocessable", "the pickup point is in no district; give one");
		return -1;
	}
	if ((s = api_consent(h, json_object_get(h->body, "consent"))) == NULL)
		return -1;
	json_object_set_new(v, "consent", json_string(s));
	free(s);
	s = needs && json_is_array(needs) ? json_dumps(needs, JSON_COMPACT) : NULL;
	json_object_set_new(v, "needs", json_string(s ? s : "[]"));
	free(s);
	json_object_set_new(v, "district", json_string(districts_at(h->app->districts,
	    (size_t)d)->id));
	json_object_set_new(v, "lat", json_real(lat));
	json_object_set_new(v, "lon", json_real(lon));
	json_object_set_new(v, "adults", json_integer(adults));
	json_object_set_new(v, "children", json_integer(children));
	json_object_set_new(v, "escort", json_integer(escort));
	json_object_set_new(v, "risk", json_string(risk));
	json_object_set_new(v, "risk_rank", json_integer(api_index(api_risks, risk)));
	json_object_set_new(v, "destination", json_string(dest));
	json_object_set_new(v, "created_by", json_string(h->user_id));
	return 0;
}

int
api_request_add(struct http *h)
{
	const char	*key = http_header(h, "Idempotency-Key");
	char		 bodyhash[TOKEN_HASH_LEN + 1], id[40], *dump;
	json_t		*v = NULL, *prev, *resp;
	uint8_t		*pickup = NULL, *notes = NULL;
	size_t		 plen = 0, nlen = 0;
	int		 status;

	if (key != NULL && (strlen(key) == 0 || strlen(key) > 128))
		return http_error(h, 400, "bad_request", "Idempotency-Key must be 1-128 bytes");
	if (key != NULL) {
		token_hash_buf(h->raw ? h->raw : "", h->rawlen, bodyhash);
		prev = store_idem_get(h->app->store, key, clock_now() - API_IDEM_TTL);
		if (prev != NULL) {
			if (strcmp(view_str(prev, "body_hash"), bodyhash) != 0) {
				json_decref(prev);
				return http_error(h, 422, "unprocessable",
				    "this Idempotency-Key was used with another body");
			}
			status = (int)view_int(prev, "status");
			resp = json_loads(view_str(prev, "response"), 0, NULL);
			json_decref(prev);
			/* The first answer again, as it stands now. */
			if (resp != NULL && json_is_string(json_object_get(resp, "id"))) {
				json_t *now = api_request_view(h, view_str(resp, "id"), 1);
				if (now != NULL) {
					json_decref(resp);
					resp = now;
				}
			}
			return http_json(h, status, resp ? resp : json_object());
		}
	}
	v = json_object();
	if (api_request_fields(h, v) != 0 ||
	    api_sealed(h, "pickup_note", 2000, &pickup, &plen) != 0 ||
	    api_sealed(h, "notes", 10000, &notes, &nlen) != 0)
		goto out;
	token_id("req", id, sizeof(id));
	if (store_request_add(h->app->store, id, v, pickup, plen, notes, nlen) != 1) {
		http_error(h, 503, "unavailable", "the database could not save this");
		goto out;
	}
	store_event_add(h->app->store, id, "created", view_str(v, "risk"));
	log_info("event=request_created id=%s district=%s risk=%s", id, view_str(v, "district"),
	    view_str(v, "risk"));
	match_request(h->app, id);
	resp = api_request_view(h, id, 1);
	if (key != NULL && resp != NULL) {
		prev = json_pack("{s:s}", "id", id);
		dump = json_dumps(prev, JSON_COMPACT);
		json_decref(prev);
		store_idem_put(h->app->store, key, bodyhash, 201, dump);
		free(dump);
	}
	http_json(h, 201, resp);
out:
	json_decref(v);
	free(pickup);
	free(notes);
	return h->status;
}

int
api_request_get(struct http *h)
{
	json_t	*r = api_request_view(h, h->args[0], 1);

	if (r == NULL)
		return http_error(h, 404, "not_found", "no such request");
	return http_json(h, 200, r);
}

int
api_request_list(struct http *h)
{
	const char	*state = http_query(h, "state"), *district = http_query(h, "district");
	const char	*lim = http_query(h, "limit");
	json_t		*rows, *r, *out;
	size_t		 i;
	char		*end;
	long		 limit = 100;

	if (state != NULL && api_index(api_states, state) < 0)
		return http_error(h, 400, "bad_request", "unknown state");
	if (district != NULL && districts_find(h->app->districts, district) < 0)
		return http_error(h, 422, "unprocessable", "unknown district");
	if (lim != NULL && ((limit = strtol(lim, &end, 10)) < 1 || limit > 1000 || *end != '\0'))
		return http_error(h, 400, "bad_request", "limit must be from 1 to 1000");
	if ((rows = store_request_list(h->app->store, state, district, limit)) == NULL)
		return http_error(h, 503, "unavailable", "the database is not answering");
	out = json_array();
	json_array_foreach(rows, i, r) {
		json_t *v = api_request_view(h, view_str(r, "id"), 0);
		if (v != NULL)
			json_array_append_new(out, v);
	}
	json_decref(rows);
	return http_json(h, 200, out);
}

int
api_request_cancel(struct http *h)
{
	const char	*reason = NULL;
	int		 rc;

	if (http_field_str(h, "reason", 0, 500, &reason) < 0)
		return h->status;
	rc = trip_enter_state(h->app, h->args[0], "cancel", reason ? reason : "");
	if (rc == -2)
		return http_error(h, 404, "not_found", "no such request");
	if (rc == -1)
		return http_error(h, 409, "conflict", "the request is already finished");
	return http_json(h, 200, api_request_view(h, h->args[0], 1));
}

int
api_request_patch(struct http *h)
{
	json_t		*r, *old, *given;
	const char	*risk = NULL, *state;
	char		*consent = NULL;
	size_t		 i;
	long		 now_rank, new_rank;
	int		 rc;

	if ((r = store_request_get(h->app->store, h->args[0])) == NULL)
		return http_error(h, 404, "not_found", "no such request");
	state = view_str(r, "state");
	if ((rc = http_field_str(h, "risk", 0, 32, &risk)) < 0)
		goto out;
	if (rc == 0) {
		new_rank = api_index(api_risks, risk);
		now_rank = api_index(api_risks, view_str(r, "risk"));
		if (new_rank < 0) {
			http_error(h, 400, "bad_request", "unknown risk");
			goto out;
		}
		if (new_rank < now_rank) {
			http_error(h, 422, "unprocessable", "risk may only rise");
			goto out;
		}
	}
	given = json_object_get(h->body, "consent");
	if (given != NULL && (consent = api_consent(h, given)) == NULL)
		goto out;
	if (risk != NULL && (strcmp(state, "delivered") == 0 || strcmp(state, "cancelled") == 0)) {
		http_error(h, 409, "conflict", "the request is finished");
		goto out;
	}
	if (risk != NULL && strcmp(risk, view_str(r, "risk")) != 0) {
		store_request_set_risk(h->app->store, h->args[0], risk, api_index(api_risks, risk));
		store_event_add(h->app->store, h->args[0], "risk_raised", risk);
		/* A rise to high widens the open offers now, and moves a waiting
		 * request up the queue. */
		match_after_close(h->app, h->args[0], "vehicle");
		match_kick(h->app, MATCH_FLEET | MATCH_BEDS);
	}
	if (consent != NULL) {
		old = json_loads(view_str(r, "consent"), 0, NULL);
		given = json_loads(consent, 0, NULL);
		for (i = 0; referral_kinds[i] != NULL; i++)
			if (json_is_true(json_object_get(old, referral_kinds[i])) &&
			    !json_is_true(json_object_get(given, referral_kinds[i])))
				store_outbox_cancel_referrals(h->app->store, h->args[0],
				    referral_kinds[i]);
		json_decref(old);
		json_decref(given);
		store_request_set_consent(h->app->store, h->args[0], consent);
		store_event_add(h->app->store, h->args[0], "consent_changed", consent);
	}
	http_json(h, 200, api_request_view(h, h->args[0], 1));
out:
	free(consent);
	json_decref(r);
	return h->status;
}
