/* The trip: a request's states, the one transition table, and the one
 * function through which every change of state goes. */
#ifndef DISPATCH_TRIP_H
#define DISPATCH_TRIP_H

struct app;

/* The state action leads to from state, or NULL when not allowed. */
const char	*trip_next_state(const char *state, const char *action);

/*
 * Apply action to request: check the table, write the new state and its
 * timeline event, move vehicle/escort status and the bed hold as the new
 * state needs, withdraw offers, resolve escalations, and re-arm the stall
 * deadline — all inside the current unit of work. Logs "old -> new".
 * 0 on success, -1 when the table does not allow it, -2 unknown request.
 */
int		 trip_enter_state(struct app *, const char *request, const char *action,
		    const char *detail);

/* Set a vehicle's or volunteer's status in the store and the fleet. */
void		 trip_vehicle_status(struct app *, const char *id, const char *status);
void		 trip_escort_status(struct app *, const char *id, const char *status);

/* Register the stall deadline. */
void		 trip_init(struct app *);

#endif
