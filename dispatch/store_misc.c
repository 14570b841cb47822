/* Storage: the outbox, referrals, idempotency keys, reports and counts. */
#include "dispatch/store_api.h"
#include "dispatch/store_int.h"

#include "dispatch/clock.h"

#define S(k)	json_string_value(json_object_get(v, k))

int
store_outbox_add(struct store *st, const char *id, json_t *v)
{
	return store_exec(st, "INSERT INTO outbox(id, kind, request_id, to_kind, to_id, channel,"
	    " lang, text, link, url, created_at, next_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
	    "ssssssssssii", id, S("kind"), S("request"), S("to_kind"), S("to_id"), S("channel"),
	    S("lang"), S("text"), S("link"), S("url"), clock_now(), clock_now_ms());
}

#define OUTBOX_COLS "id, kind, request_id AS request, to_kind, to_id, channel, lang, text," \
	" link, url, created_at, next_ms, attempts, sent_at, cancelled_at, last_error"

/* Which messages a configured channel can carry: a copy to a service's
 * own webhook always; else by channel (telegram falls back to webhook for
 * operators and for recipients without a chat). */
#define OUTBOX_SENDABLE "(url IS NOT NULL" \
	" OR (channel = 'webhook' AND (?1 & 1) != 0)" \
	" OR (channel = 'telegram' AND (?1 & 3) != 0)" \
	" OR (channel = 'sms' AND (?1 & 4) != 0)" \
	" OR (to_kind = 'operators' AND (?1 & 1) != 0))"

json_t *
store_outbox_due(struct store *st, int64_t now_ms, int64_t limit, int64_t channels)
{
	return store_rows(st, "SELECT " OUTBOX_COLS " FROM outbox WHERE sent_at IS NULL"
	    " AND cancelled_at IS NULL AND next_ms <= ?2 AND " OUTBOX_SENDABLE
	    " ORDER BY next_ms LIMIT ?3", "iii", channels, now_ms, limit);
}

json_t *
store_outbox_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?", "s", id);
}

int64_t
store_outbox_next_ms(struct store *st, int64_t channels)
{
	return store_int(st, -1, "SELECT min(next_ms) FROM outbox WHERE sent_at IS NULL"
	    " AND cancelled_at IS NULL AND " OUTBOX_SENDABLE, "i", channels);
}

int
store_outbox_sent(struct store *st, const char *id)
{
	return store_exec(st, "UPDATE outbox SET sent_at = ?, attempts = attempts + 1,"
	    " last_error = NULL WHERE id = ? AND sent_at IS NULL", "is", clock_now(), id);
}

int
store_outbox_retry(struct store *st, const char *id, int64_t next_ms, const char *error)
{
	return store_exec(st, "UPDATE outbox SET next_ms = ?, attempts = attempts + 1,"
	    " last_error = ? WHERE id = ?", "iss", next_ms, error, id);
}

int
store_outbox_cancel_referrals(struct store *st, const char *request, const char *kind)
{
	return store_exec(st, "UPDATE outbox SET cancelled_at = ?1 WHERE request_id = ?2"
	    " AND kind = 'referral' AND sent_at IS NULL AND cancelled_at IS NULL"
	    " AND to_id IN (SELECT id FROM services WHERE kind = ?3)", "iss", clock_now(),
	    request, kind);
}

int
store_referral_add(struct store *st, const char *id, const char *request, const char *service,
    const char *kind, const char *summary)
{
	return store_exec(st, "INSERT INTO referrals(id, request_id, service_id, kind, summary,"
	    " state, created_at) VALUES(?,?,?,?,?,'sent',?)", "sssssi", id, request, service,
	    kind, summary, clock_now());
}

json_t *
store_referral_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT r.id, r.request_id AS request, r.service_id, r.kind,"
	    " r.summary, r.state, r.created_at, r.acked_at, r.done_at, s.name AS service_name"
	    " FROM referrals r JOIN services s ON s.id = r.service_id WHERE r.id = ?", "s", id);
}

int
store_referral_set(struct store *st, const char *id, const char *state)
{
	if (state[0] == 'a')
		return store_exec(st, "UPDATE referrals SET state = 'acknowledged', acked_at = ?"
		    " WHERE id = ? AND state = 'sent'", "is", clock_now(), id);
	return store_exec(st, "UPDATE referrals SET state = 'done', done_at = ?,"
	    " acked_at = coalesce(acked_at, ?1) WHERE id = ? AND state != 'done'", "is",
	    clock_now(), id);
}

json_t *
store_referral_list(struct store *st, const char *request)
{
	return store_rows(st, "SELECT id, service_id, kind, state, created_at, acked_at, done_at"
	    " FROM referrals WHERE request_id = ? ORDER BY created_at", "s", request);
}

json_t *
store_idem_get(struct store *st, const char *key, int64_t since)
{
	return store_row(st, "SELECT body_hash, status, response FROM idempotency"
	    " WHERE key = ? AND created_at > ?", "si", key, since);
}

int
store_idem_put(struct store *st, const char *key, const char *body_hash, int64_t status,
    const char *response)
{
	return store_exec(st, "INSERT OR REPLACE INTO idempotency(key, body_hash, status,"
	    " response, created_at) VALUES(?,?,?,?,?)", "ssisi", key, body_hash, status, response,
	    clock_now());
}

json_t *
store_report_districts(struct store *st, int64_t from, int64_t to)
{
	return store_rows(st, "SELECT district,"
	    " count(*) AS requests,"
	    " sum(state = 'delivered') AS delivered,"
	    " sum(state = 'cancelled') AS cancelled,"
	    " (SELECT count(*) FROM escalations e JOIN requests r2 ON r2.id = e.request_id"
	    "   WHERE r2.district = r.district AND r2.created_at BETWEEN ?1 AND ?2) AS escalations,"
	    " (SELECT count(DISTINCT e.request_id) FROM escalations e JOIN requests r2"
	    "   ON r2.id = e.request_id WHERE r2.district = r.district AND e.reason = 'no_bed'"
	    "   AND r2.created_at BETWEEN ?1 AND ?2) AS unmet_no_bed,"
	    " (SELECT count(DISTINCT e.request_id) FROM escalations e JOIN requests r2"
	    "   ON r2.id = e.request_id WHERE r2.district = r.district AND e.reason = 'no_vehicle'"
	    "   AND r2.created_at BETWEEN ?1 AND ?2) AS unmet_no_vehicle"
	    " FROM requests r WHERE created_at BETWEEN ?1 AND ?2 GROUP BY district", "ii", from, to);
}

json_t *
store_delivery_minutes(struct store *st, const char *district, int64_t from, int64_t to)
{
	return store_rows(st, "SELECT (delivered_at - created_at) / 60.0 AS minutes"
	    " FROM requests WHERE district = ? AND delivered_at IS NOT NULL"
	    " AND created_at BETWEEN ? AND ? ORDER BY minutes", "sii", district, from, to);
}

json_t *
store_counts(struct store *st)
{
	return store_row(st, "SELECT"
	    " (SELECT count(*) FROM requests WHERE state = 'waiting') AS waiting,"
	    " (SELECT count(*) FROM requests WHERE state = 'offered') AS offered,"
	    " (SELECT count(*) FROM requests WHERE state = 'accepted') AS accepted,"
	    " (SELECT count(*) FROM requests WHERE state = 'en_route') AS en_route,"
	    " (SELECT count(*) FROM requests WHERE state = 'picked_up') AS picked_up,"
	    " (SELECT count(*) FROM requests WHERE state = 'delivered') AS delivered,"
	    " (SELECT count(*) FROM requests WHERE state = 'cancelled') AS cancelled,"
	    " (SELECT count(*) FROM escalations WHERE resolved_at IS NULL) AS escalations_open,"
	    " (SELECT count(*) FROM outbox WHERE sent_at IS NULL AND cancelled_at IS NULL)"
	    "   AS outbox_pending,"
	    " (SELECT count(*) FROM vehicles WHERE status = 'available') AS vehicles_available,"
	    " (SELECT coalesce(sum(beds_available), 0) FROM shelters) AS beds_available,"
	    " (SELECT count(*) FROM deadlines) AS deadlines", "");
}
