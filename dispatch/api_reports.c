/* Monitoring: per-district reports, Prometheus metrics, health. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/api.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/deadline.h"
#include "dispatch/fleet.h"
#include "dispatch/server.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/view.h"
#include "geo/district.h"

#define API_SAFE_MINUTES 180	/* safe within three hours */

int
api_health(struct http *h)
{
	if (store_ping(h->app->store) != 0)
		return http_error(h, 503, "unavailable", "the database is not answering");
	return http_json(h, 200, json_pack("{s:s}", "status", "ok"));
}

/* The nearest-rank percentile of sorted minutes, or null. */
static json_t *
api_percentile(json_t *sorted, double p)
{
	size_t	n = json_array_size(sorted), k;

	if (n == 0)
		return json_null();
	k = (size_t)ceil(p * (double)n);
	if (k < 1)
		k = 1;
	return json_real(round(json_number_value(json_object_get(json_array_get(sorted, k - 1),
	    "minutes")) * 10) / 10);
}

int
api_report_districts(struct http *h)
{
	const char		*qf = http_query(h, "from"), *qt = http_query(h, "to");
	int64_t			 from, to = clock_now();
	json_t			*rows, *r, *out, *by, *mins, *shelters, *s, *row;
	const struct district	*d;
	size_t			 i, j, within;
	long long		 bt, ba;

	if (qt != NULL && clock_parse(qt, &to) != 0)
		return http_error(h, 400, "bad_request", "to must be an RFC 3339 time");
	from = to - 30 * 86400;
	if (qf != NULL && clock_parse(qf, &from) != 0)
		return http_error(h, 400, "bad_request", "from must be an RFC 3339 time");
	if (from > to)
		return http_error(h, 400, "bad_request", "from is after to");
	if ((rows = store_report_districts(h->app->store, from, to)) == NULL ||
	    (shelters = store_shelter_list(h->app->store, NULL)) == NULL) {
		json_decref(rows);
		return http_error(h, 503, "unavailable", "the database is not answering");
	}
	by = json_object();
	json_array_foreach(rows, i, r)
		json_object_set(by, view_str(r, "district"), r);
	out = json_array();
	for (i = 0; i < districts_count(h->app->districts); i++) {
		d = districts_at(h->app->districts, i);
		r = json_object_get(by, d->id);
		mins = store_delivery_minutes(h->app->store, d->id, from, to);
		within = 0;
		json_array_foreach(mins, j, s)
			if (json_number_value(json_object_get(s, "minutes")) <= API_SAFE_MINUTES)
				within++;
		bt = ba = 0;
		json_array_foreach(shelters, j, s) {
			if (strcmp(view_str(s, "district"), d->id) == 0) {
				bt += view_int(s, "beds_total");
				ba += view_int(s, "beds_available");
			}
		}
		row = json_pack("{s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I}",
		    "district", d->id, "name", d->name,
		    "requests", view_int(r, "requests"), "delivered", view_int(r, "delivered"),
		    "cancelled", view_int(r, "cancelled"),
		    "median_minutes_to_delivery", api_percentile(mins, 0.5),
		    "p90_minutes_to_delivery", api_percentile(mins, 0.9),
		    "delivered_within_3h", (json_int_t)within,
		    "escalations", view_int(r, "escalations"),
		    "unmet_no_bed", view_int(r, "unmet_no_bed"),
		    "unmet_no_vehicle", view_int(r, "unmet_no_vehicle"),
		    "beds_total", bt, "beds_available", ba);
		json_array_append_new(out, row);
		json_decref(mins);
	}
	json_decref(by);
	json_decref(rows);
	json_decref(shelters);
	return http_json(h, 200, out);
}

int
api_metrics(struct http *h)
{
	static const char *const states[] = { "waiting", "offered", "accepted", "en_route",
	    "picked_up", "delivered", "cancelled" };
	json_t	*c = store_counts(h->app->store);
	char			 buf[4096];
	size_t			 n = 0, i;
	unsigned long long	 stmts, commits;

	if (c == NULL)
		return http_error(h, 503, "unavailable", "the database is not answering");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
	    "# HELP jardam_requests Requests by state.\n# TYPE jardam_requests gauge\n");
	for (i = 0; i < 7; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "jardam_requests{state=\"%s\"} %lld\n",
		    states[i], view_int(c, states[i]));
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
	    "# HELP jardam_escalations_open Escalations not resolved.\n"
	    "# TYPE jardam_escalations_open gauge\njardam_escalations_open %lld\n"
	    "# HELP jardam_outbox_pending Messages not yet delivered.\n"
	    "# TYPE jardam_outbox_pending gauge\njardam_outbox_pending %lld\n"
	    "# HELP jardam_vehicles_available Vehicles available for offers.\n"
	    "# TYPE jardam_vehicles_available gauge\njardam_vehicles_available %lld\n"
	    "# HELP jardam_beds_available Shelter beds available.\n"
	    "# TYPE jardam_beds_available gauge\njardam_beds_available %lld\n"
	    "# HELP jardam_deadlines Durable deadlines pending.\n"
	    "# TYPE jardam_deadlines gauge\njardam_deadlines %lld\n"
	    "# HELP jardam_http_responses_total HTTP answers by status class.\n"
	    "# TYPE jardam_http_responses_total counter\n",
	    view_int(c, "escalations_open"), view_int(c, "outbox_pending"),
	    view_int(c, "vehicles_available"), view_int(c, "beds_available"),
	    view_int(c, "deadlines"));
	for (i = 2; i < 6; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "jardam_http_responses_total{class=\"%zuxx\"} %llu\n", i,
		    server_requests(h->app->server, (int)i));
	store_stats(h->app->store, &stmts, &commits);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
	    "# HELP jardam_sql_statements_total SQL statements run.\n"
	    "# TYPE jardam_sql_statements_total counter\njardam_sql_statements_total %llu\n"
	    "# HELP jardam_commits_total Transactions committed (one per loop turn with writes).\n"
	    "# TYPE jardam_commits_total counter\njardam_commits_total %llu\n", stmts, commits);
	json_decref(c);
	return http_text(h, 200, "text/plain; version=0.0.4; charset=utf-8", buf, n);
}
