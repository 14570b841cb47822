/* Storage: requests, their timeline, offers, escalations and deadlines. */
#include "dispatch/store_api.h"
#include "dispatch/store_int.h"

#include <string.h>

#include "dispatch/clock.h"

#define S(k)	json_string_value(json_object_get(v, k))
#define I(k)	((int64_t)json_integer_value(json_object_get(v, k)))
#define D(k)	json_number_value(json_object_get(v, k))

int
store_request_add(struct store *st, const char *id, json_t *v, const void *pickup_note,
    size_t pickup_len, const void *notes, size_t notes_len)
{
	int64_t	now = clock_now();

	return store_exec(st, "INSERT INTO requests(id, state, district, lat, lon, adults,"
	    " children, needs, risk, risk_rank, escort, destination, consent, pickup_note, notes,"
	    " created_by, created_at, updated_at) VALUES(?,'waiting',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    "ssddiissiissbbsii", id, S("district"), D("lat"), D("lon"), I("adults"),
	    I("children"), S("needs"), S("risk"), I("risk_rank"), I("escort"), S("destination"),
	    S("consent"), pickup_note, pickup_len, notes, notes_len, S("created_by"), now, now);
}

#define REQUEST_COLS "id, state, district, lat, lon, adults, children, needs, risk," \
	" risk_rank, escort, destination, consent, shelter_id, beds_held, vehicle_id, escort_id," \
	" created_at, updated_at, accepted_at, delivered_at, cancelled_at"

json_t *
store_request_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT " REQUEST_COLS " FROM requests WHERE id = ?", "s", id);
}

json_t *
store_request_list(struct store *st, const char *state, const char *district, int64_t limit)
{
	/* One statement per filter, so each can use its index. */
	if (state != NULL && district != NULL)
		return store_rows(st, "SELECT " REQUEST_COLS " FROM requests WHERE district = ?2"
		    " AND state = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?3", "ssi", state,
		    district, limit);
	if (state != NULL)
		return store_rows(st, "SELECT " REQUEST_COLS " FROM requests WHERE state = ?"
		    " ORDER BY created_at DESC, rowid DESC LIMIT ?", "si", state, limit);
	if (district != NULL)
		return store_rows(st, "SELECT " REQUEST_COLS " FROM requests WHERE district = ?"
		    " ORDER BY created_at DESC, rowid DESC LIMIT ?", "si", district, limit);
	return store_rows(st, "SELECT " REQUEST_COLS " FROM requests"
	    " ORDER BY created_at DESC, rowid DESC LIMIT ?", "i", limit);
}

json_t *
store_request_waiting(struct store *st)
{
	return store_rows(st, "SELECT id, state, district, shelter_id, vehicle_id, escort,"
	    " escort_id FROM requests WHERE state = 'waiting'"
	    " OR (escort = 1 AND escort_id IS NULL AND state IN ('offered','accepted','en_route'))"
	    " ORDER BY risk_rank DESC, created_at, rowid", "");
}

void *
store_request_secret(struct store *st, const char *id, const char *column, size_t *len)
{
	if (strcmp(column, "notes") == 0)
		return store_blob(st, len, "SELECT notes FROM requests WHERE id = ?", "s", id);
	return store_blob(st, len, "SELECT pickup_note FROM requests WHERE id = ?", "s", id);
}

int
store_request_set_state(struct store *st, const char *id, const char *state)
{
	return store_exec(st, "UPDATE requests SET state = ?, updated_at = ? WHERE id = ?",
	    "sis", state, clock_now(), id);
}

int
store_request_set_hold(struct store *st, const char *id, const char *shelter, int64_t beds)
{
	return store_exec(st, "UPDATE requests SET shelter_id = ?, beds_held = ? WHERE id = ?",
	    "sis", shelter, beds, id);
}

int
store_request_set_vehicle(struct store *st, const char *id, const char *vehicle)
{
	return store_exec(st, "UPDATE requests SET vehicle_id = ?, accepted_at ="
	    " CASE WHEN ?1 IS NULL THEN NULL ELSE ?3 END WHERE id = ?2", "ssi", vehicle, id,
	    clock_now());
}

int
store_request_set_escort(struct store *st, const char *id, const char *volunteer)
{
	return store_exec(st, "UPDATE requests SET escort_id = ? WHERE id = ?", "ss",
	    volunteer, id);
}

int
store_request_set_risk(struct store *st, const char *id, const char *risk, int64_t rank)
{
	return store_exec(st, "UPDATE requests SET risk = ?, risk_rank = ?, updated_at = ?"
	    " WHERE id = ?", "siis", risk, rank, clock_now(), id);
}

int
store_request_set_consent(struct store *st, const char *id, const char *consent)
{
	return store_exec(st, "UPDATE requests SET consent = ?, updated_at = ? WHERE id = ?",
	    "sis", consent, clock_now(), id);
}

int
store_request_mark(struct store *st, const char *id, const char *column)
{
	if (strcmp(column, "delivered_at") == 0)
		return store_exec(st, "UPDATE requests SET delivered_at = ? WHERE id = ?", "is",
		    clock_now(), id);
	return store_exec(st, "UPDATE requests SET cancelled_at = ? WHERE id = ?", "is",
	    clock_now(), id);
}

int
store_event_add(struct store *st, const char *request, const char *type, const char *detail)
{
	return store_exec(st, "INSERT INTO events(request_id, at, type, detail) VALUES(?,?,?,?)",
	    "siss", request, clock_now(), type, detail ? detail : "");
}

json_t *
store_event_list(struct store *st, const char *request)
{
	return store_rows(st, "SELECT at, type, detail FROM events WHERE request_id = ?"
	    " ORDER BY seq", "s", request);
}

int
store_offer_add(struct store *st, const char *id, const char *request, const char *kind,
    const char *subject, double distance_m, int64_t expires_ms)
{
	return store_exec(st, "INSERT INTO offers(id, request_id, kind, subject, state,"
	    " distance_m, created_at, expires_ms) VALUES(?,?,?,?,'open',?,?,?)", "ssssdii", id,
	    request, kind, subject, distance_m, clock_now(), expires_ms);
}

#define OFFER_COLS "id, request_id, kind, subject, state, distance_m, created_at," \
	" expires_ms, decided_at"

json_t *
store_offer_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT " OFFER_COLS " FROM offers WHERE id = ?", "s", id);
}

json_t *
store_offer_open(struct store *st, const char *request, const char *kind)
{
	return store_rows(st, "SELECT " OFFER_COLS " FROM offers WHERE request_id = ?"
	    " AND kind = ? AND state = 'open'", "ss", request, kind);
}

json_t *
store_offer_for_subject(struct store *st, const char *subject, const char *state)
{
	return store_rows(st, "SELECT " OFFER_COLS " FROM offers WHERE subject = ? AND state = ?"
	    " ORDER BY created_at DESC", "ss", subject, state);
}

int
store_offer_set_state(struct store *st, const char *id, const char *from, const char *to)
{
	return store_exec(st, "UPDATE offers SET state = ?, decided_at = ? WHERE id = ?"
	    " AND state = ?", "siss", to, clock_now(), id, from);
}

json_t *
store_offer_accepted(struct store *st, const char *request, const char *kind)
{
	return store_row(st, "SELECT " OFFER_COLS " FROM offers WHERE request_id = ?"
	    " AND kind = ? AND state = 'accepted'", "ss", request, kind);
}

int64_t
store_offer_count(struct store *st, const char *request, const char *kind, const char *state)
{
	return store_int(st, 0, "SELECT count(*) FROM offers WHERE request_id = ? AND kind = ?"
	    " AND state = ?", "sss", request, kind, state);
}

json_t *
store_offer_asked(struct store *st, const char *request, const char *kind)
{
	return store_rows(st, "SELECT DISTINCT subject FROM offers WHERE request_id = ?"
	    " AND kind = ? AND state IN ('declined','lapsed','cancelled','open')", "ss", request,
	    kind);
}

int
store_escalation_add(struct store *st, const char *id, const char *request,
    const char *reason, const char *subject)
{
	return store_exec(st, "INSERT INTO escalations(id, request_id, reason, level, created_at,"
	    " subject) VALUES(?,?,?,1,?,?)", "sssis", id, request, reason, clock_now(), subject);
}

#define ESCALATION_COLS "id, request_id AS request, level, reason, created_at, acked_at," \
	" resolved_at, subject"

json_t *
store_escalation_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT " ESCALATION_COLS " FROM escalations WHERE id = ?", "s", id);
}

json_t *
store_escalation_find_open(struct store *st, const char *request, const char *reason)
{
	return store_row(st, "SELECT " ESCALATION_COLS " FROM escalations WHERE request_id = ?"
	    " AND reason = ? AND resolved_at IS NULL", "ss", request, reason);
}

json_t *
store_escalation_list(struct store *st, int open_only, const char *request)
{
	if (request != NULL)
		return store_rows(st, "SELECT " ESCALATION_COLS " FROM escalations"
		    " WHERE request_id = ?2 AND (?1 = 0 OR resolved_at IS NULL)"
		    " ORDER BY created_at DESC, rowid DESC", "is", (int64_t)open_only, request);
	if (open_only)
		return store_rows(st, "SELECT " ESCALATION_COLS " FROM escalations"
		    " WHERE resolved_at IS NULL ORDER BY created_at DESC, rowid DESC", "");
	return store_rows(st, "SELECT " ESCALATION_COLS " FROM escalations"
	    " ORDER BY created_at DESC, rowid DESC", "");
}

int
store_escalation_set_level(struct store *st, const char *id, int64_t level)
{
	return store_exec(st, "UPDATE escalations SET level = ? WHERE id = ?", "is", level, id);
}

int
store_escalation_ack(struct store *st, const char *id)
{
	return store_exec(st, "UPDATE escalations SET acked_at = ? WHERE id = ?"
	    " AND acked_at IS NULL AND resolved_at IS NULL", "is", clock_now(), id);
}

int
store_escalation_resolve_id(struct store *st, const char *id)
{
	return store_exec(st, "UPDATE escalations SET resolved_at = ? WHERE id = ?"
	    " AND resolved_at IS NULL", "is", clock_now(), id);
}

int64_t
store_deadline_set(struct store *st, const char *kind, const char *subject, int64_t due_ms)
{
	if (store_exec(st, "INSERT OR REPLACE INTO deadlines(kind, subject, due_ms) VALUES(?,?,?)",
	    "ssi", kind, subject, due_ms) < 0)
		return -1;
	return store_last_rowid(st);
}

int
store_deadline_clear(struct store *st, const char *kind, const char *subject)
{
	return store_exec(st, "DELETE FROM deadlines WHERE kind = ? AND subject = ?", "ss", kind,
	    subject);
}

json_t *
store_deadline_get(struct store *st, int64_t seq)
{
	return store_row(st, "SELECT seq, kind, subject, due_ms FROM deadlines WHERE seq = ?",
	    "i", seq);
}

int
store_deadline_delete(struct store *st, int64_t seq)
{
	return store_exec(st, "DELETE FROM deadlines WHERE seq = ?", "i", seq);
}

int
store_deadline_each(struct store *st, void (*fn)(json_t *, void *), void *arg)
{
	return store_each(st, fn, arg, "SELECT seq, due_ms FROM deadlines", "");
}
