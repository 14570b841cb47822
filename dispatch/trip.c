/* The trip: the transition table and trip_enter_state(). */
#include "dispatch/trip.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/deadline.h"
#include "dispatch/escalate.h"
#include "dispatch/fleet.h"
#include "dispatch/log.h"
#include "dispatch/match.h"
#include "dispatch/store_api.h"
#include "dispatch/view.h"

static const struct {
	const char	*from, *action, *to;
} trip_table[] = {
	{ "waiting",	"offer",		"offered" },
	{ "offered",	"accept",		"accepted" },
	{ "offered",	"no_vehicle",		"waiting" },
	{ "accepted",	"en_route",		"en_route" },
	{ "accepted",	"picked_up",		"picked_up" },
	{ "en_route",	"picked_up",		"picked_up" },
	{ "picked_up",	"delivered",		"delivered" },
	{ "accepted",	"cannot_complete",	"waiting" },
	{ "en_route",	"cannot_complete",	"waiting" },
	{ "picked_up",	"cannot_complete",	"waiting" },
	{ "waiting",	"cancel",		"cancelled" },
	{ "offered",	"cancel",		"cancelled" },
	{ "accepted",	"cancel",		"cancelled" },
	{ "en_route",	"cancel",		"cancelled" },
	{ "picked_up",	"cancel",		"cancelled" },
};

const char *
trip_next_state(const char *state, const char *action)
{
	size_t	i;

	for (i = 0; i < sizeof(trip_table) / sizeof(trip_table[0]); i++)
		if (strcmp(trip_table[i].from, state) == 0 &&
		    strcmp(trip_table[i].action, action) == 0)
			return trip_table[i].to;
	return NULL;
}

void
trip_vehicle_status(struct app *app, const char *id, const char *status)
{
	if (id == NULL)
		return;
	store_vehicle_set_status(app->store, id, status);
	fleet_set_available(app->fleet, FLEET_VEHICLE, id, strcmp(status, "available") == 0);
	if (strcmp(status, "available") == 0)
		match_kick(app, MATCH_FLEET);
}

void
trip_escort_status(struct app *app, const char *id, const char *status)
{
	if (id == NULL)
		return;
	store_volunteer_set_status(app->store, id, status);
	fleet_set_available(app->fleet, FLEET_ESCORT, id, strcmp(status, "available") == 0);
	if (strcmp(status, "available") == 0)
		match_kick(app, MATCH_FLEET);
}

/* Arm the stall deadline of a moving state. */
static void
trip_arm_stall(struct app *app, const char *request, const char *state)
{
	long	secs = strcmp(state, "accepted") == 0 ? app->cfg->stall_accepted :
	    strcmp(state, "en_route") == 0 ? app->cfg->stall_en_route : app->cfg->stall_picked_up;

	deadline_set(app, "stall", request, clock_now_ms() + secs * 1000);
}

static void
trip_release_hold(struct app *app, const char *request, json_t *req)
{
	const char	*shelter = json_string_value(json_object_get(req, "shelter_id"));
	long long	 beds = view_int(req, "beds_held");

	if (shelter == NULL || beds == 0)
		return;
	store_shelter_release(app->store, shelter, beds);
	store_request_set_hold(app->store, request, NULL, 0);
	store_event_add(app->store, request, "bed_released", "");
	match_kick(app, MATCH_BEDS);
}

int
trip_enter_state(struct app *app, const char *request, const char *action, const char *detail)
{
	json_t		*req;
	const char	*from, *to, *vehicle, *escort, *shelter;
	long long	 beds;

	if ((req = store_request_get(app->store, request)) == NULL)
		return -2;
	from = view_str(req, "state");
	if ((to = trip_next_state(from, action)) == NULL) {
		json_decref(req);
		return -1;
	}
	vehicle = json_string_value(json_object_get(req, "vehicle_id"));
	escort = json_string_value(json_object_get(req, "escort_id"));
	shelter = json_string_value(json_object_get(req, "shelter_id"));
	beds = view_int(req, "beds_held");
	store_request_set_state(app->store, request, to);
	store_event_add(app->store, request, action, detail);
	/* Only the moving states have a stall deadline to drop. */
	if (strcmp(from, "accepted") == 0 || strcmp(from, "en_route") == 0 ||
	    strcmp(from, "picked_up") == 0)
		deadline_clear(app, "stall", request);
	log_info("event=trip request=%s action=%s state=%s->%s", request, action, from, to);

	if (strcmp(to, "accepted") == 0) {
		escalate_resolve(app, request, "no_vehicle");
		trip_arm_stall(app, request, to);
	} else if (strcmp(to, "en_route") == 0) {
		escalate_resolve(app, request, "stalled_accepted");
		trip_arm_stall(app, request, to);
	} else if (strcmp(to, "picked_up") == 0) {
		escalate_resolve(app, request, "stalled_accepted");
		escalate_resolve(app, request, "stalled_en_route");
		trip_arm_stall(app, request, to);
	} else if (strcmp(to, "delivered") == 0) {
		if (shelter != NULL && beds > 0) {
			store_shelter_occupy(app->store, shelter, beds);
			store_request_set_hold(app->store, request, shelter, 0);
		}
		store_request_mark(app->store, request, "delivered_at");
		match_withdraw(app, request, "escort");
		trip_vehicle_status(app, vehicle, "available");
		trip_escort_status(app, escort, "available");
		escalate_resolve(app, request, NULL);
	} else if (strcmp(to, "cancelled") == 0) {
		match_withdraw(app, request, "vehicle");
		match_withdraw(app, request, "escort");
		trip_release_hold(app, request, req);
		trip_vehicle_status(app, vehicle, "available");
		trip_escort_status(app, escort, "available");
		store_request_mark(app->store, request, "cancelled_at");
		escalate_resolve(app, request, NULL);
	} else if (strcmp(to, "waiting") == 0 && strcmp(action, "cannot_complete") == 0) {
		/* The driver steps back: free the bed and the car, find others. */
		match_close_accepted(app, request, "vehicle");
		store_request_set_vehicle(app->store, request, NULL);
		trip_vehicle_status(app, vehicle, "off");
		trip_release_hold(app, request, req);
		escalate_resolve(app, request, "stalled_accepted");
		escalate_resolve(app, request, "stalled_en_route");
		escalate_resolve(app, request, "stalled_picked_up");
		match_kick(app, MATCH_FLEET | MATCH_BEDS);
	}
	json_decref(req);
	return 0;
}

/* The stall deadline: the trip has not moved on in time. */
static void
trip_stall(struct app *app, const char *request)
{
	json_t		*req;
	const char	*state;
	char		 reason[40];

	if ((req = store_request_get(app->store, request)) == NULL)
		return;
	state = view_str(req, "state");
	if (strcmp(state, "accepted") == 0 || strcmp(state, "en_route") == 0 ||
	    strcmp(state, "picked_up") == 0) {
		snprintf(reason, sizeof(reason), "stalled_%s", state);
		escalate_open(app, request, reason, NULL);
	}
	json_decref(req);
}

void
trip_init(struct app *app)
{
	deadline_on(app->deadline, "stall", trip_stall);
}
