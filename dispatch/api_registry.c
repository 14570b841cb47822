/* The registry: districts, locate, shelters, vehicles, volunteers,
 * services, and re-issued links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/api.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/fleet.h"
#include "dispatch/log.h"
#include "dispatch/match.h"
#include "dispatch/server.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/view.h"
#include "geo/district.h"
#include "geo/geo.h"

#define NAME_MAX_LEN	200
#define PHONE_MAX_LEN	32

int
api_districts(struct http *h)
{
	const struct districts	*ds = h->app->districts;
	const struct district	*d;
	json_t			*out = json_array(), *nb;
	size_t			 i, j;

	for (i = 0; i < districts_count(ds); i++) {
		d = districts_at(ds, i);
		nb = json_array();
		for (j = 0; j < d->nneighbors; j++)
			json_array_append_new(nb, json_string(districts_at(ds, d->neighbors[j])->id));
		json_array_append_new(out, json_pack("{s:s,s:s,s:s?,s:s?,s:s?,s:o}", "id", d->id,
		    "name", d->name, "name_ky", d->name_ky, "name_ru", d->name_ru,
		    "oblast", d->oblast, "neighbors", nb));
	}
	return http_json(h, 200, out);
}

/* A number from the query string, strictly parsed. */
static int
api_query_num(struct http *h, const char *key, double min, double max, double *out)
{
	const char	*s = http_query(h, key);
	char		*end;

	if (s == NULL || *s == '\0') {
		http_error(h, 400, "bad_request", "query parameter %s is required", key);
		return -1;
	}
	*out = strtod(s, &end);
	if (*end != '\0' || !(*out >= min && *out <= max)) {
		http_error(h, 400, "bad_request", "query parameter %s must be a number from %g to %g",
		    key, min, max);
		return -1;
	}
	return 0;
}

int
api_locate(struct http *h)
{
	double	lat, lon;
	long	d;

	if (api_query_num(h, "lat", -90, 90, &lat) != 0 ||
	    api_query_num(h, "lon", -180, 180, &lon) != 0)
		return h->status;
	if ((d = districts_locate(h->app->districts, lat, lon)) < 0)
		return http_error(h, 404, "not_found", "the point is in no district");
	return http_json(h, 200, json_pack("{s:s}", "district",
	    districts_at(h->app->districts, (size_t)d)->id));
}

/* The district field, checked against the districts file (422 if unknown). */
static int
api_district_field(struct http *h, json_t *v)
{
	const char	*district;

	if (http_field_str(h, "district", 1, 64, &district) != 0)
		return -1;
	if (districts_find(h->app->districts, district) < 0) {
		http_error(h, 422, "unprocessable", "unknown district \"%s\"", district);
		return -1;
	}
	json_object_set_new(v, "district", json_string(district));
	return 0;
}

static int
api_position_fields(struct http *h, json_t *v, int required)
{
	double	lat, lon;
	int	a, b;

	if ((a = http_field_num(h, "lat", required, -90, 90, &lat)) < 0 ||
	    (b = http_field_num(h, "lon", required, -180, 180, &lon)) < 0)
		return -1;
	if (a != b) {
		http_error(h, 400, "bad_request", "give both lat and lon");
		return -1;
	}
	if (a == 0) {
		json_object_set_new(v, "lat", json_real(lat));
		json_object_set_new(v, "lon", json_real(lon));
	}
	return a;
}

/* Name-like and phone fields, copied into v. */
static int
api_text_field(struct http *h, json_t *v, const char *key, int required, size_t max)
{
	const char	*s;
	int		 rc;

	if ((rc = http_field_str(h, key, required, max, &s)) < 0)
		return -1;
	if (rc == 0)
		json_object_set_new(v, key, json_string(s));
	return 0;
}

static int
api_enum_field(struct http *h, json_t *v, const char *key, int required,
    const char *const *allowed, const char *def)
{
	const char	*s = def;
	size_t		 i;
	int		 rc;

	if ((rc = http_field_str(h, key, required, 64, &s)) < 0)
		return -1;
	if (rc == 0) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], s) == 0)
				break;
		if (allowed[i] == NULL) {
			http_error(h, 400, "bad_request", "field \"%s\" has an unknown value", key);
			return -1;
		}
	}
	if (s != NULL)
		json_object_set_new(v, key, json_string(s));
	return 0;
}

/* channel, telegram_chat and lang: how a recipient hears from Jardam. */
static int
api_contact_fields(struct http *h, json_t *v)
{
	static const char *const channels[] = { "webhook", "telegram", "sms", NULL };
	static const char *const langs[] = { "ky", "ru", "en", NULL };

	if (api_enum_field(h, v, "channel", 0, channels, "webhook") != 0 ||
	    api_enum_field(h, v, "lang", 0, langs, NULL) != 0 ||
	    api_text_field(h, v, "telegram_chat", 0, 64) != 0)
		return -1;
	if (strcmp(view_str(v, "channel"), "telegram") == 0 &&
	    json_object_get(v, "telegram_chat") == NULL) {
		http_error(h, 400, "bad_request", "channel telegram needs telegram_chat");
		return -1;
	}
	return 0;
}

static int
api_vetted_field(struct http *h, json_t *v)
{
	const char	*s;
	int64_t		 t;

	if (http_field_str(h, "vetted_until", 1, 40, &s) != 0)
		return -1;
	if (clock_parse(s, &t) != 0) {
		http_error(h, 400, "bad_request", "vetted_until must be an RFC 3339 time");
		return -1;
	}
	json_object_set_new(v, "vetted_until", json_integer(t));
	return 0;
}

/* Make a link for (kind, subject); link gets the full URL. */
static int
api_new_link(struct http *h, const char *kind, const char *subject, char *link, size_t len)
{
	char	token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];

	if (token_new(token) != 0)
		return -1;
	token_hash(token, hash);
	if (store_link_add(h->app->store, hash, kind, subject) != 1)
		return -1;
	http_link(h, token, link, len);
	return 0;
}

/* Answer 201 with the stored row, shaped, plus its link. */
static int
api_created(struct http *h, json_t *row, const char *link)
{
	if (row == NULL)
		return http_error(h, 503, "unavailable", "the database could not save this");
	view_row(row);
	if (link != NULL)
		json_object_set_new(row, "link", json_string(link));
	return http_json(h, 201, row);
}

int
api_shelter_add(struct http *h)
{
	json_t		*v = json_object();
	long long	 total, avail;
	char		 id[40], link[512];
	int		 rc;

	if (api_text_field(h, v, "name", 1, NAME_MAX_LEN) != 0 || api_district_field(h, v) != 0 ||
	    api_position_fields(h, v, 1) != 0 || api_text_field(h, v, "address", 1, 500) != 0 ||
	    api_text_field(h, v, "phone", 0, PHONE_MAX_LEN) != 0 ||
	    http_field_int(h, "beds_total", 1, 0, 100000, &total) != 0 ||
	    http_field_int(h, "beds_available", 1, 0, 100000, &avail) != 0 ||
	    api_contact_fields(h, v) != 0)
		goto out;
	if (avail > total) {
		http_error(h, 422, "unprocessable", "beds_available cannot exceed beds_total");
		goto out;
	}
	json_object_set_new(v, "beds_total", json_integer(total));
	json_object_set_new(v, "beds_available", json_integer(avail));
	token_id("shl", id, sizeof(id));
	if (store_shelter_add(h->app->store, id, v) != 1 ||
	    api_new_link(h, "shelter", id, link, sizeof(link)) != 0) {
		http_error(h, 503, "unavailable", "the database could not save this");
		goto out;
	}
	log_info("event=shelter_added id=%s", id);
	match_kick(h->app, MATCH_BEDS);
	rc = api_created(h, store_shelter_get(h->app->store, id), link);
	json_decref(v);
	return rc;
out:
	json_decref(v);
	return h->status;
}

/* The optional ?district= filter, checked. */
static int
api_district_query(struct http *h, const char **district)
{
	*district = http_query(h, "district");
	if (*district != NULL && districts_find(h->app->districts, *district) < 0) {
		http_error(h, 422, "unprocessable", "unknown district");
		return -1;
	}
	return 0;
}

int
api_shelter_list(struct http *h)
{
	const char	*district;
	json_t		*rows;

	if (api_district_query(h, &district) != 0)
		return h->status;
	if ((rows = store_shelter_list(h->app->store, district)) == NULL)
		return http_error(h, 503, "unavailable", "the database is not answering");
	return http_json(h, 200, view_rows(rows));
}

static int
api_features_field(struct http *h, json_t *v)
{
	json_t	*f = json_object_get(h->body, "features");
	char	*s;

	if (f == NULL || json_is_null(f)) {
		json_object_set_new(v, "features", json_string("[]"));
		return 0;
	}
	if (!json_is_array(f) || json_array_size(f) > 8 || fleet_features(f) < 0) {
		http_error(h, 400, "bad_request",
		    "features must be an array of child_seat, wheelchair, female_driver");
		return -1;
	}
	s = json_dumps(f, JSON_COMPACT);
	json_object_set_new(v, "features", json_string(s ? s : "[]"));
	free(s);
	return 0;
}

int
api_vehicle_add(struct http *h)
{
	json_t		*v = json_object(), *row;
	long long	 seats;
	char		 id[40], link[512];

	if (api_text_field(h, v, "driver_name", 1, NAME_MAX_LEN) != 0 ||
	    api_text_field(h, v, "phone", 1, PHONE_MAX_LEN) != 0 ||
	    api_district_field(h, v) != 0 || api_position_fields(h, v, 1) != 0 ||
	    http_field_int(h, "seats", 1, 1, 60, &seats) != 0 || api_vetted_field(h, v) != 0 ||
	    api_features_field(h, v) != 0 || api_contact_fields(h, v) != 0)
		goto out;
	json_object_set_new(v, "seats", json_integer(seats));
	token_id("veh", id, sizeof(id));
	if (store_vehicle_add(h->app->store, id, v) != 1 ||
	    api_new_link(h, "vehicle", id, link, sizeof(link)) != 0 ||
	    (row = store_vehicle_get(h->app->store, id)) == NULL) {
		http_error(h, 503, "unavailable", "the database could not save this");
		goto out;
	}
	match_fleet_put(h->app, FLEET_VEHICLE, row);
	log_info("event=vehicle_added id=%s", id);
	json_decref(v);
	return api_created(h, row, link);
out:
	json_decref(v);
	return h->status;
}

int
api_vehicle_list(struct http *h)
{
	const char	*district;
	json_t		*rows;

	if (api_district_query(h, &district) != 0)
		return h->status;
	if ((rows = store_vehicle_list(h->app->store, district)) == NULL)
		return http_error(h, 503, "unavailable", "the database is not answering");
	return http_json(h, 200, view_rows(rows));
}

int
api_volunteer_add(struct http *h)
{
	static const char *const roles[] = { "escort", "psychologist", "social_worker", "lawyer",
	    NULL };
	json_t	*v = json_object(), *row;
	char	 id[40], link[512];

	if (api_text_field(h, v, "name", 1, NAME_MAX_LEN) != 0 ||
	    api_text_field(h, v, "phone", 1, PHONE_MAX_LEN) != 0 ||
	    api_district_field(h, v) != 0 || api_enum_field(h, v, "role", 1, roles, NULL) != 0 ||
	    api_vetted_field(h, v) != 0 || api_position_fields(h, v, 1) != 0 ||
	    api_contact_fields(h, v) != 0)
		goto out;
	token_id("vol", id, sizeof(id));
	if (store_volunteer_add(h->app->store, id, v) != 1 ||
	    api_new_link(h, "volunteer", id, link, sizeof(link)) != 0 ||
	    (row = store_volunteer_get(h->app->store, id)) == NULL) {
		http_error(h, 503, "unavailable", "the database could not save this");
		goto out;
	}
	match_fleet_put(h->app, FLEET_ESCORT, row);
	log_info("event=volunteer_added id=%s", id);
	json_decref(v);
	return api_created(h, row, link);
out:
	json_decref(v);
	return h->status;
}

int
api_volunteer_list(struct http *h)
{
	const char	*district;
	json_t		*rows;

	if (api_district_query(h, &district) != 0)
		return h->status;
	if ((rows = store_volunteer_list(h->app->store, district)) == NULL)
		return http_error(h, 503, "unavailable", "the database is not answering");
	return http_json(h, 200, view_rows(rows));
}

static const char *const api_service_kinds[] = { "police", "medical", "social",
    "crisis_center", "legal", "psychological", "coordinator", NULL };

int
api_service_add(struct http *h)
{
	json_t		*v = json_object();
	const char	*url;
	char		 id[40];
	int		 rc;

	if (api_text_field(h, v, "name", 1, NAME_MAX_LEN) != 0 ||
	    api_enum_field(h, v, "kind", 1, api_service_kinds, NULL) != 0 ||
	    api_district_field(h, v) != 0 || api_text_field(h, v, "phone", 0, PHONE_MAX_LEN) != 0 ||
	    (rc = http_field_str(h, "webhook_url", 0, 1000, &url)) < 0 ||
	    api_contact_fields(h, v) != 0)
		goto out;
	if (rc == 0) {
		if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
			http_error(h, 400, "bad_request", "webhook_url must be an http(s) URL");
			goto out;
		}
		json_object_set_new(v, "webhook_url", json_string(url));
	}
	token_id("svc", id, sizeof(id));
	if (store_service_add(h->app->store, id, v) != 1) {
		http_error(h, 503, "unavailable", "the database could not save this");
		goto out;
	}
	log_info("event=service_added id=%s", id);
	json_decref(v);
	return api_created(h, store_service_get(h->app->store, id), NULL);
out:
	json_decref(v);
	return h->status;
}

int
api_service_list(struct http *h)
{
	const char	*district, *kind = http_query(h, "kind");
	json_t		*rows;
	size_t		 i;

	if (api_district_query(h, &district) != 0)
		return h->status;
	if (kind != NULL) {
		for (i = 0; api_service_kinds[i] != NULL; i++)
			if (strcmp(api_service_kinds[i], kind) == 0)
				break;
		if (api_service_kinds[i] == NULL)
			return http_error(h, 400, "bad_request", "unknown service kind");
	}
	if ((rows = store_service_list(h->app->store, district, kind)) == NULL)
		return http_error(h, 503, "unavailable", "the database is not answering");
	return http_json(h, 200, view_rows(rows));
}

int
api_relink(struct http *h)
{
	const char	*plural = h->args[0], *id = h->args[1], *kind;
	json_t		*row;
	char		 link[512];

	if (strcmp(plural, "shelters") == 0) {
		kind = "shelter";
		row = store_shelter_get(h->app->store, id);
	} else if (strcmp(plural, "vehicles") == 0) {
		kind = "vehicle";
		row = store_vehicle_get(h->app->store, id);
	} else if (strcmp(plural, "volunteers") == 0) {
		kind = "volunteer";
		row = store_volunteer_get(h->app->store, id);
	} else {
		return http_error(h, 404, "not_found", "no such resource");
	}
	if (row == NULL)
		return http_error(h, 404, "not_found", "no such %s", kind);
	json_decref(row);
	if (store_link_revoke(h->app->store, kind, id) < 0 ||
	    api_new_link(h, kind, id, link, sizeof(link)) != 0)
		return http_error(h, 503, "unavailable", "the database could not save this");
	log_info("event=relink kind=%s id=%s", kind, id);
	return http_json(h, 201, json_pack("{s:s}", "link", link));
}
