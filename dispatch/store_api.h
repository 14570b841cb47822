/* Storage: the queries of every resource. Rows come back as JSON objects
 * keyed by column (times as epoch seconds); the view module shapes them
 * for answers. Writes return changed rows or -1 (and mark the unit failed). */
#ifndef DISPATCH_STORE_API_H
#define DISPATCH_STORE_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* staff: users and sessions */
json_t	*store_session_get(struct store *, const char *hash);
int	 store_session_add(struct store *, const char *hash, const char *user_id,
	    const char *csrf, int64_t expires);
int	 store_session_delete(struct store *, const char *hash);
json_t	*store_user_by_name(struct store *, const char *username);
json_t	*store_user_get(struct store *, const char *id);
int	 store_user_add(struct store *, const char *id, const char *username,
	    const char *role, const char *pw_hash);
int64_t	 store_user_count(struct store *);
json_t	*store_user_list(struct store *);

/* registry: each add takes the validated fields as a JSON object */
int	 store_shelter_add(struct store *, const char *id, json_t *v);
json_t	*store_shelter_get(struct store *, const char *id);
json_t	*store_shelter_list(struct store *, const char *district);
json_t	*store_shelter_with_room(struct store *, const char *district, int64_t beds);
int	 store_shelter_set_beds(struct store *, const char *id, int64_t total, int64_t avail);
int	 store_shelter_hold(struct store *, const char *id, int64_t beds);
int	 store_shelter_release(struct store *, const char *id, int64_t beds);
int	 store_shelter_occupy(struct store *, const char *id, int64_t beds);
json_t	*store_shelter_incoming(struct store *, const char *id);

int	 store_vehicle_add(struct store *, const char *id, json_t *v);
json_t	*store_vehicle_get(struct store *, const char *id);
json_t	*store_vehicle_list(struct store *, const char *district);
int	 store_vehicle_each(struct store *, void (*fn)(json_t *, void *), void *arg);
int	 store_vehicle_set_status(struct store *, const char *id, const char *status);
int	 store_vehicle_set_position(struct store *, const char *id, const char *district,
	    double lat, double lon);

int	 store_volunteer_add(struct store *, const char *id, json_t *v);
json_t	*store_volunteer_get(struct store *, const char *id);
json_t	*store_volunteer_list(struct store *, const char *district);
int	 store_volunteer_each(struct store *, void (*fn)(json_t *, void *), void *arg);
int	 store_volunteer_set_status(struct store *, const char *id, const char *status);
int	 store_volunteer_set_position(struct store *, const char *id, const char *district,
	    double lat, double lon);

int	 store_service_add(struct store *, const char *id, json_t *v);
json_t	*store_service_get(struct store *, const char *id);
json_t	*store_service_list(struct store *, const char *district, const char *kind);

/* links: only token hashes are stored */
int	 store_link_add(struct store *, const char *hash, const char *kind, const char *subject);
int	 store_link_revoke(struct store *, const char *kind, const char *subject);
json_t	*store_link_get(struct store *, const char *hash);

/* requests */
int	 store_request_add(struct store *, const char *id, json_t *v,
	    const void *pickup_note, size_t pickup_len, const void *notes, size_t notes_len);
json_t	*store_request_get(struct store *, const char *id);
json_t	*store_request_list(struct store *, const char *state, const char *district,
	    int64_t limit);
json_t	*store_request_waiting(struct store *);
void	*store_request_secret(struct store *, const char *id, const char *column, size_t *len);
int	 store_request_set_state(struct store *, const char *id, const char *state);
int	 store_request_set_hold(struct store *, const char *id, const char *shelter, int64_t beds);
int	 store_request_set_vehicle(struct store *, const char *id, const char *vehicle);
int	 store_request_set_escort(struct store *, const char *id, const char *volunteer);
int	 store_request_set_risk(struct store *, const char *id, const char *risk, int64_t rank);
int	 store_request_set_consent(struct store *, const char *id, const char *consent);
int	 store_request_mark(struct store *, const char *id, const char *column);

/* the timeline */
int	 store_event_add(struct store *, const char *request, const char *type,
	    const char *detail);
json_t	*store_event_list(struct store *, const char *request);

/* offers */
int	 store_offer_add(struct store *, const char *id, const char *request, const char *kind,
	    const char *subject, double distance_m, int64_t expires_ms);
json_t	*store_offer_get(struct store *, const char *id);
json_t	*store_offer_open(struct store *, const char *request, const char *kind);
json_t	*store_offer_for_subject(struct store *, const char *subject, const char *state);
int	 store_offer_set_state(struct store *, const char *id, const char *from,
	    const char *to);
json_t	*store_offer_accepted(struct store *, const char *request, const char *kind);
int64_t	 store_offer_count(struct store *, const char *request, const char *kind,
	    const char *state);
/* Who must not be asked (again) for request: declined, lapsed, gave
 * back, or holding an open offer now. */
json_t	*store_offer_asked(struct store *, const char *request, const char *kind);

/* escalations */
int	 store_escalation_add(struct store *, const char *id, const char *request,
	    const char *reason, const char *subject);
json_t	*store_escalation_get(struct store *, const char *id);
json_t	*store_escalation_find_open(struct store *, const char *request, const char *reason);
json_t	*store_escalation_list(struct store *, int open_only, const char *request);
int	 store_escalation_set_level(struct store *, const char *id, int64_t level);
int	 store_escalation_ack(struct store *, const char *id);
int	 store_escalation_resolve_id(struct store *, const char *id);

/* deadlines: one row per (kind, subject) */
int64_t	 store_deadline_set(struct store *, const char *kind, const char *subject, int64_t due_ms);
int	 store_deadline_clear(struct store *, const char *kind, const char *subject);
json_t	*store_deadline_get(struct store *, int64_t seq);
int	 store_deadline_delete(struct store *, int64_t seq);
int	 store_deadline_each(struct store *, void (*fn)(json_t *, void *), void *arg);

/* the outbox */
int	 store_outbox_add(struct store *, const char *id, json_t *msg);
/* channels: 1 webhook, 2 telegram, 4 sms configured */
json_t	*store_outbox_due(struct store *, int64_t now_ms, int64_t limit, int64_t channels);
json_t	*store_outbox_get(struct store *, const char *id);
int64_t	 store_outbox_next_ms(struct store *, int64_t channels);
int	 store_outbox_sent(struct store *, const char *id);
int	 store_outbox_retry(struct store *, const char *id, int64_t next_ms, const char *error);
int	 store_outbox_cancel_referrals(struct store *, const char *request, const char *kind);

/* referrals */
int	 store_referral_add(struct store *, const char *id, const char *request,
	    const char *service, const char *kind, const char *summary);
json_t	*store_referral_get(struct store *, const char *id);
int	 store_referral_set(struct store *, const char *id, const char *state);
json_t	*store_referral_list(struct store *, const char *request);

/* idempotency keys */
json_t	*store_idem_get(struct store *, const char *key, int64_t since);
int	 store_idem_put(struct store *, const char *key, const char *body_hash, int64_t status,
	    const char *response);

/* reports and metrics */
json_t	*store_report_districts(struct store *, int64_t from, int64_t to);
json_t	*store_delivery_minutes(struct store *, const char *district, int64_t from, int64_t to);
json_t	*store_counts(struct store *);

#endif
