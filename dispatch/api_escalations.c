/* Escalations (list, acknowledge) and referrals (consent-gated). */
#include <string.h>

#include "dispatch/api.h"
#include "dispatch/app.h"
#include "dispatch/escalate.h"
#include "dispatch/referral.h"
#include "dispatch/server.h"
#include "dispatch/store_api.h"
#include "dispatch/view.h"

int
api_escalation_list(struct http *h)
{
	const char	*open = http_query(h, "open"), *request = http_query(h, "request");
	json_t		*rows, *r;
	size_t		 i;

	if (open != NULL && strcmp(open, "0") != 0 && strcmp(open, "1") != 0)
		return http_error(h, 400, "bad_request", "open must be 0 or 1");
	rows = store_escalation_list(h->app->store, open != NULL && open[0] == '1', request);
	if (rows == NULL)
		return http_error(h, 503, "unavailable", "the database is not answering");
	json_array_foreach(rows, i, r)
		json_object_del(r, "subject");
	return http_json(h, 200, view_rows(rows));
}

int
api_escalation_ack(struct http *h)
{
	json_t	*e;

	switch (escalate_ack(h->app, h->args[0])) {
	case -1:
		return http_error(h, 404, "not_found", "no such escalation");
	case -2:
		return http_error(h, 409, "conflict", "the escalation is already resolved");
	}
	e = view_row(store_escalation_get(h->app->store, h->args[0]));
	json_object_del(e, "subject");
	return http_json(h, 200, e);
}

int
api_referral_add(struct http *h)
{
	const char	*rid, *summary = "";
	json_t		*kinds, *k, *req, *consent, *out = NULL;
	size_t		 i, j;
	int		 n;

	if (http_field_str(h, "request", 1, 64, &rid) != 0 ||
	    http_field_str(h, "summary", 0, 2000, &summary) < 0)
		return h->status;
	kinds = json_object_get(h->body, "kinds");
	if (!json_is_array(kinds) || json_array_size(kinds) == 0 || json_array_size(kinds) > 6)
		return http_error(h, 400, "bad_request", "kinds must be a non-empty array of kinds");
	json_array_foreach(kinds, i, k) {
		for (j = 0; referral_kinds[j] != NULL; j++)
			if (json_is_string(k) && strcmp(json_string_value(k), referral_kinds[j]) == 0)
				break;
		if (referral_kinds[j] == NULL)
			return http_error(h, 400, "bad_request", "kinds[%zu] is not a service kind", i);
	}
	if ((req = store_request_get(h->app->store, rid)) == NULL)
		return http_error(h, 404, "not_found", "no such request");
	consent = json_loads(view_str(req, "consent"), 0, NULL);
	json_decref(req);
	json_array_foreach(kinds, i, k) {
		if (!json_is_true(json_object_get(consent, json_string_value(k)))) {
			json_decref(consent);
			return http_error(h, 422, "consent_required",
			    "the survivor has not consented to share with %s", json_string_value(k));
		}
	}
	json_decref(consent);
	if ((n = referral_create(h->app, rid, kinds, summary ? summary : "", &out)) < 0)
		return http_error(h, 503, "unavailable", "the database could not save this");
	if (n == 0) {
		json_decref(out);
		return http_error(h, 422, "unprocessable",
		    "no service of these kinds in the district or its neighbours");
	}
	return http_json(h, 201, out);
}
