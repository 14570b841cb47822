/* Referrals: consent-gated notices with links, acknowledgements, and the
 * escalation when none comes. */
#include "dispatch/referral.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/deadline.h"
#include "dispatch/escalate.h"
#include "dispatch/log.h"
#include "dispatch/outbox.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/view.h"
#include "geo/district.h"

const char *const referral_kinds[] = { "police", "medical", "social", "crisis_center", "legal",
    "psychological", NULL };

/* Services of kind in district, else in its neighbours (*neighbors = 1). */
static json_t *
referral_services(struct app *app, const char *district, const char *kind, int *neighbors)
{
	json_t			*list, *more;
	const struct district	*d;
	long			 di;
	size_t			 i;

	*neighbors = 0;
	list = store_service_list(app->store, district, kind);
	if (list == NULL || json_array_size(list) > 0)
		return list;
	if ((di = districts_find(app->districts, district)) < 0)
		return list;
	d = districts_at(app->districts, (size_t)di);
	for (i = 0; i < d->nneighbors; i++) {
		more = store_service_list(app->store, districts_at(app->districts,
		    d->neighbors[i])->id, kind);
		if (more != NULL)
			json_array_extend(list, more);
		json_decref(more);
	}
	*neighbors = json_array_size(list) > 0;
	return list;
}

static int
referral_send(struct app *app, const char *rid, const char *district, json_t *svc,
    const char *kind, const char *summary, json_t *sent)
{
	char		 id[40], token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1], link[512];
	char			 detail[160];
	struct outbox_say	 say;
	const char		*sid = view_str(svc, "id");
	const char	*url = json_string_value(json_object_get(svc, "webhook_url"));

	if (token_id("ref", id, sizeof(id)) != 0 || token_new(token) != 0)
		return -1;
	token_hash(token, hash);
	if (store_referral_add(app->store, id, rid, sid, kind, summary) != 1 ||
	    store_link_add(app->store, hash, "referral", id) != 1)
		return -1;
	snprintf(link, sizeof(link), "%s/l/%s", app->cfg->public_url, token);
	say.district = district;
	say.n = 0;
	say.word = kind;
	if (outbox_add(app, "referral", rid, "service", sid, link, url, OUTBOX_REFERRAL, &say) != 0)
		return -1;
	deadline_set(app, "referral", id, clock_now_ms() + app->cfg->referral_ack_timeout * 1000);
	snprintf(detail, sizeof(detail), "%s to %s (%s)", kind, view_str(svc, "name"), sid);
	store_event_add(app->store, rid, "referral_sent", detail);
	json_array_append_new(sent, json_pack("{s:s,s:s,s:{s:s,s:s,s:s}}", "id", id, "kind", kind,
	    "service", "id", sid, "name", view_str(svc, "name"), "district",
	    view_str(svc, "district")));
	log_info("event=referral id=%s request=%s kind=%s service=%s", id, rid, kind, sid);
	return 0;
}

int
referral_create(struct app *app, const char *rid, json_t *kinds, const char *summary,
    json_t **out)
{
	json_t		*req, *sent, *nb, *unserved, *svcs, *k, *s;
	const char	*district;
	size_t		 i, j;
	int		 neighbors, n = 0;

	*out = NULL;
	if ((req = store_request_get(app->store, rid)) == NULL)
		return -1;
	district = view_str(req, "district");
	sent = json_array();
	nb = json_array();
	unserved = json_array();
	json_array_foreach(kinds, i, k) {
		svcs = referral_services(app, district, json_string_value(k), &neighbors);
		if (svcs == NULL || json_array_size(svcs) == 0)
			json_array_append(unserved, k);
		else if (neighbors)
			json_array_append(nb, k);
		json_array_foreach(svcs, j, s) {
			if (referral_send(app, rid, district, s, json_string_value(k), summary,
			    sent) != 0) {
				json_decref(svcs);
				json_decref(sent); json_decref(nb); json_decref(unserved);
				json_decref(req);
				return -1;
			}
			n++;
		}
		json_decref(svcs);
	}
	*out = json_pack("{s:s,s:o,s:o,s:o}", "request", rid, "referrals", sent, "neighbors", nb,
	    "unserved", unserved);
	json_decref(req);
	return n;
}

json_t *
referral_view(struct app *app, const char *id)
{
	json_t	*r, *req, *v;

	if ((r = store_referral_get(app->store, id)) == NULL)
		return NULL;
	if ((req = store_request_get(app->store, view_str(r, "request"))) == NULL) {
		json_decref(r);
		return NULL;
	}
	view_row(r);
	v = json_pack("{s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:{s:O,s:O,s:I,s:I,s:O}}",
	    "kind", "referral", "id", json_object_get(r, "id"),
	    "service_kind", json_object_get(r, "kind"), "service", json_object_get(r, "service_name"),
	    "state", json_object_get(r, "state"), "summary", json_object_get(r, "summary"),
	    "created_at", json_object_get(r, "created_at"),
	    "acked_at", json_object_get(r, "acked_at"), "done_at", json_object_get(r, "done_at"),
	    "request", "id", json_object_get(req, "id"), "district", json_object_get(req, "district"),
	    "adults", view_int(req, "adults"), "children", view_int(req, "children"),
	    "state", json_object_get(req, "state"));
	json_decref(r);
	json_decref(req);
	return v;
}

int
referral_act(struct app *app, const char *id, const char *action, const char *note)
{
	json_t		*r;
	const char	*rid, *state;
	char		 detail[1200];
	int		 rc = 0;

	if (strcmp(action, "ack") != 0 && strcmp(action, "done") != 0)
		return -2;
	if ((r = store_referral_get(app->store, id)) == NULL)
		return -1;
	rid = view_str(r, "request");
	state = view_str(r, "state");
	if ((action[0] == 'a' && strcmp(state, "sent") != 0) ||
	    (action[0] == 'd' && strcmp(state, "done") == 0)) {
		rc = -1;
		goto out;
	}
	store_referral_set(app->store, id, action);
	deadline_clear(app, "referral", id);
	escalate_resolve_subject(app, rid, "referral_unacknowledged", id);
	snprintf(detail, sizeof(detail), "%s (%s)%s%s", view_str(r, "kind"),
	    view_str(r, "service_name"), note[0] ? ": " : "", note);
	store_event_add(app->store, rid, action[0] == 'a' ? "referral_acked" : "referral_done",
	    detail);
	log_info("event=referral_%s id=%s request=%s", action, id, rid);
out:
	json_decref(r);
	return rc;
}

/* The acknowledgement deadline: nobody answered. */
static void
referral_overdue(struct app *app, const char *id)
{
	json_t	*r;

	if ((r = store_referral_get(app->store, id)) == NULL)
		return;
	if (strcmp(view_str(r, "state"), "sent") == 0)
		escalate_open(app, view_str(r, "request"), "referral_unacknowledged", id);
	json_decref(r);
}

void
referral_init(struct app *app)
{
	deadline_on(app->deadline, "referral", referral_overdue);
}
