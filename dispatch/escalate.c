/* The escalation ladder: rows, a rise deadline each, and notices: level 1
 * to the operators, from level 2 also the district's coordinators. */
#include "dispatch/escalate.h"

#include <string.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/deadline.h"
#include "dispatch/log.h"
#include "dispatch/outbox.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"

static void
escalate_notify(struct app *app, const char *request, const char *reason, long level)
{
	json_t			*req, *coords, *c;
	struct outbox_say	 say;
	size_t			 i;

	req = store_request_get(app->store, request);
	say.district = req ? json_string_value(json_object_get(req, "district")) : NULL;
	say.n = (int)level;
	say.word = reason;
	outbox_add(app, "escalation", request, "operators", NULL, NULL, NULL, OUTBOX_ESCALATION,
	    &say);
	if (level >= 2 && say.district != NULL &&
	    (coords = store_service_list(app->store, say.district, "coordinator")) != NULL) {
		json_array_foreach(coords, i, c)
			outbox_add(app, "escalation", request, "service",
			    json_string_value(json_object_get(c, "id")), NULL, NULL,
			    OUTBOX_ESCALATION, &say);
		json_decref(coords);
	}
	json_decref(req);
}

int
escalate_open(struct app *app, const char *request, const char *reason, const char *subject)
{
	json_t	*open;
	char	 id[40], detail[96];

	if ((open = store_escalation_find_open(app->store, request, reason)) != NULL) {
		json_decref(open);
		return 0;
	}
	if (token_id("esc", id, sizeof(id)) != 0 ||
	    store_escalation_add(app->store, id, request, reason, subject) != 1)
		return -1;
	snprintf(detail, sizeof(detail), "%s level 1", reason);
	store_event_add(app->store, request, "escalation", detail);
	escalate_notify(app, request, reason, 1);
	if (app->cfg->escalation_max_level > 1)
		deadline_set(app, "escalation", id,
		    clock_now_ms() + app->cfg->escalation_step * 1000);
	log_info("event=escalation id=%s request=%s reason=%s level=1", id, request, reason);
	return 0;
}

static void
escalate_close(struct app *app, json_t *e)
{
	const char	*id = json_string_value(json_object_get(e, "id"));
	char		 detail[96];

	store_escalation_resolve_id(app->store, id);
	deadline_clear(app, "escalation", id);
	snprintf(detail, sizeof(detail), "%s resolved",
	    json_string_value(json_object_get(e, "reason")));
	store_event_add(app->store, json_string_value(json_object_get(e, "request")),
	    "escalation_resolved", detail);
	log_info("event=escalation_resolved id=%s", id);
}

void
escalate_resolve(struct app *app, const char *request, const char *reason)
{
	json_t	*list, *e;
	size_t	 i;

	if ((list = store_escalation_list(app->store, 1, request)) == NULL)
		return;
	json_array_foreach(list, i, e)
		if (reason == NULL || strcmp(reason, json_string_value(json_object_get(e, "reason"))) == 0)
			escalate_close(app, e);
	json_decref(list);
}

void
escalate_resolve_subject(struct app *app, const char *request, const char *reason,
    const char *subject)
{
	json_t		*list, *e;
	const char	*s;
	size_t		 i;

	if ((list = store_escalation_list(app->store, 1, request)) == NULL)
		return;
	json_array_foreach(list, i, e) {
		s = json_string_value(json_object_get(e, "subject"));
		if (strcmp(reason, json_string_value(json_object_get(e, "reason"))) == 0 &&
		    s != NULL && strcmp(s, subject) == 0)
			escalate_close(app, e);
	}
	json_decref(list);
}

int
escalate_ack(struct app *app, const char *id)
{
	json_t	*e;
	int	 rc = 0;

	if ((e = store_escalation_get(app->store, id)) == NULL)
		return -1;
	if (!json_is_null(json_object_get(e, "resolved_at"))) {
		rc = -2;
	} else if (json_is_null(json_object_get(e, "acked_at"))) {
		store_escalation_ack(app->store, id);
		deadline_clear(app, "escalation", id);
		store_event_add(app->store, json_string_value(json_object_get(e, "request")),
		    "escalation_acked", json_string_value(json_object_get(e, "reason")));
		log_info("event=escalation_acked id=%s", id);
	}
	json_decref(e);
	return rc;
}

/* The rise deadline: one level up, a notice, and the next step. */
static void
escalate_rise(struct app *app, const char *id)
{
	json_t		*e;
	const char	*request, *reason;
	long		 level;
	char		 detail[96];

	if ((e = store_escalation_get(app->store, id)) == NULL)
		return;
	if (!json_is_null(json_object_get(e, "acked_at")) ||
	    !json_is_null(json_object_get(e, "resolved_at")))
		goto out;
	level = (long)json_integer_value(json_object_get(e, "level"));
	if (level >= app->cfg->escalation_max_level)
		goto out;
	level++;
	request = json_string_value(json_object_get(e, "request"));
	reason = json_string_value(json_object_get(e, "reason"));
	store_escalation_set_level(app->store, id, level);
	snprintf(detail, sizeof(detail), "%s level %ld", reason, level);
	store_event_add(app->store, request, "escalation_rise", detail);
	escalate_notify(app, request, reason, level);
	if (level < app->cfg->escalation_max_level)
		deadline_set(app, "escalation", id,
		    clock_now_ms() + app->cfg->escalation_step * 1000);
	log_info("event=escalation_rise id=%s level=%ld", id, level);
out:
	json_decref(e);
}

void
escalate_init(struct app *app)
{
	deadline_on(app->deadline, "escalation", escalate_rise);
}
