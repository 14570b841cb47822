/* Storage: staff accounts and sessions, the registry, links. */
#include "dispatch/store_api.h"
#include "dispatch/store_int.h"

#include "dispatch/clock.h"

#define S(k)	json_string_value(json_object_get(v, k))
#define I(k)	((int64_t)json_integer_value(json_object_get(v, k)))
#define D(k)	json_number_value(json_object_get(v, k))

json_t *
store_session_get(struct store *st, const char *hash)
{
	return store_row(st, "SELECT s.user_id, s.csrf, u.role, u.username FROM sessions s"
	    " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
	    "si", hash, clock_now());
}

int
store_session_add(struct store *st, const char *hash, const char *user_id, const char *csrf,
    int64_t expires)
{
	store_exec(st, "DELETE FROM sessions WHERE expires_at <= ?", "i", clock_now());
	return store_exec(st, "INSERT INTO sessions(token_hash, user_id, csrf, expires_at)"
	    " VALUES(?,?,?,?)", "sssi", hash, user_id, csrf, expires);
}

int
store_session_delete(struct store *st, const char *hash)
{
	return store_exec(st, "DELETE FROM sessions WHERE token_hash = ?", "s", hash);
}

json_t *
store_user_by_name(struct store *st, const char *username)
{
	return store_row(st, "SELECT id, role, pw_hash FROM users WHERE username = ?", "s",
	    username);
}

json_t *
store_user_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT id, username, role FROM users WHERE id = ?", "s", id);
}

int
store_user_add(struct store *st, const char *id, const char *username, const char *role,
    const char *pw_hash)
{
	if (store_int(st, 0, "SELECT count(*) FROM users WHERE username = ?", "s", username) > 0)
		return -2;
	return store_exec(st, "INSERT INTO users(id, username, role, pw_hash, created_at)"
	    " VALUES(?,?,?,?,?)", "ssssi", id, username, role, pw_hash, clock_now());
}

json_t *
store_user_list(struct store *st)
{
	return store_rows(st, "SELECT id, username, role, created_at FROM users ORDER BY username",
	    "");
}

int64_t
store_user_count(struct store *st)
{
	return store_int(st, 0, "SELECT count(*) FROM users", "");
}

int
store_shelter_add(struct store *st, const char *id, json_t *v)
{
	return store_exec(st, "INSERT INTO shelters(id, name, district, lat, lon, address, phone,"
	    " beds_total, beds_available, channel, lang, telegram_chat, created_at)"
	    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", "sssddssiisssi", id, S("name"), S("district"),
	    D("lat"), D("lon"), S("address"), S("phone"), I("beds_total"), I("beds_available"),
	    S("channel"), S("lang"), S("telegram_chat"), clock_now());
}

#define SHELTER_COLS "id, name, district, lat, lon, address, phone, beds_total," \
	" beds_available, beds_held, channel, lang, telegram_chat, created_at"

json_t *
store_shelter_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT " SHELTER_COLS " FROM shelters WHERE id = ?", "s", id);
}

json_t *
store_shelter_list(struct store *st, const char *district)
{
	if (district != NULL)
		return store_rows(st, "SELECT " SHELTER_COLS " FROM shelters WHERE district = ?"
		    " ORDER BY name", "s", district);
	return store_rows(st, "SELECT " SHELTER_COLS " FROM shelters ORDER BY district, name", "");
}

json_t *
store_shelter_with_room(struct store *st, const char *district, int64_t beds)
{
	if (district != NULL)
		return store_rows(st, "SELECT id, district, lat, lon FROM shelters"
		    " WHERE district = ? AND beds_available >= ?", "si", district, beds);
	return store_rows(st, "SELECT id, district, lat, lon FROM shelters"
	    " WHERE beds_available >= ?", "i", beds);
}

int
store_shelter_set_beds(struct store *st, const char *id, int64_t total, int64_t avail)
{
	return store_exec(st, "UPDATE shelters SET beds_total = ?, beds_available = ?"
	    " WHERE id = ? AND ? + beds_held <= ?", "iisii", total, avail, id, avail, total);
}

int
store_shelter_hold(struct store *st, const char *id, int64_t beds)
{
	return store_exec(st, "UPDATE shelters SET beds_available = beds_available - ?1,"
	    " beds_held = beds_held + ?1 WHERE id = ?2 AND beds_available >= ?1", "is", beds, id);
}

int
store_shelter_release(struct store *st, const char *id, int64_t beds)
{
	return store_exec(st, "UPDATE shelters SET beds_available = beds_available + ?1,"
	    " beds_held = beds_held - ?1 WHERE id = ?2 AND beds_held >= ?1", "is", beds, id);
}

int
store_shelter_occupy(struct store *st, const char *id, int64_t beds)
{
	return store_exec(st, "UPDATE shelters SET beds_held = beds_held - ?1"
	    " WHERE id = ?2 AND beds_held >= ?1", "is", beds, id);
}

json_t *
store_shelter_incoming(struct store *st, const char *id)
{
	return store_rows(st, "SELECT id AS request, adults + children AS party, state"
	    " FROM requests WHERE shelter_id = ? AND state NOT IN ('delivered','cancelled')"
	    " ORDER BY created_at", "s", id);
}

int
store_vehicle_add(struct store *st, const char *id, json_t *v)
{
	return store_exec(st, "INSERT INTO vehicles(id, driver_name, phone, district, lat, lon,"
	    " seats, vetted_until, features, channel, lang, telegram_chat, created_at)"
	    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", "ssssddiissssi", id, S("driver_name"),
	    S("phone"), S("district"), D("lat"), D("lon"), I("seats"), I("vetted_until"),
	    S("features"), S("channel"), S("lang"), S("telegram_chat"), clock_now());
}

#define VEHICLE_COLS "id, driver_name, phone, district, lat, lon, seats, vetted_until," \
	" features, status, channel, lang, telegram_chat, created_at"

json_t *
store_vehicle_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT " VEHICLE_COLS " FROM vehicles WHERE id = ?", "s", id);
}

json_t *
store_vehicle_list(struct store *st, const char *district)
{
	if (district != NULL)
		return store_rows(st, "SELECT " VEHICLE_COLS " FROM vehicles WHERE district = ?"
		    " ORDER BY driver_name", "s", district);
	return store_rows(st, "SELECT " VEHICLE_COLS " FROM vehicles ORDER BY district, driver_name",
	    "");
}

int
store_vehicle_each(struct store *st, void (*fn)(json_t *, void *), void *arg)
{
	return store_each(st, fn, arg, "SELECT id, district, lat, lon, seats, vetted_until,"
	    " features, status FROM vehicles", "");
}

int
store_vehicle_set_status(struct store *st, const char *id, const char *status)
{
	return store_exec(st, "UPDATE vehicles SET status = ? WHERE id = ?", "ss", status, id);
}

int
store_vehicle_set_position(struct store *st, const char *id, const char *district,
    double lat, double lon)
{
	return store_exec(st, "UPDATE vehicles SET district = ?, lat = ?, lon = ? WHERE id = ?",
	    "sdds", district, lat, lon, id);
}

int
store_volunteer_add(struct store *st, const char *id, json_t *v)
{
	return store_exec(st, "INSERT INTO volunteers(id, name, phone, district, role,"
	    " vetted_until, lat, lon, channel, lang, telegram_chat, created_at)"
	    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", "sssssiddsssi", id, S("name"), S("phone"),
	    S("district"), S("role"), I("vetted_until"), D("lat"), D("lon"), S("channel"),
	    S("lang"), S("telegram_chat"), clock_now());
}

#define VOLUNTEER_COLS "id, name, phone, district, role, vetted_until, lat, lon, status," \
	" channel, lang, telegram_chat, created_at"

json_t *
store_volunteer_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT " VOLUNTEER_COLS " FROM volunteers WHERE id = ?", "s", id);
}

json_t *
store_volunteer_list(struct store *st, const char *district)
{
	if (district != NULL)
		return store_rows(st, "SELECT " VOLUNTEER_COLS " FROM volunteers WHERE district = ?"
		    " ORDER BY name", "s", district);
	return store_rows(st, "SELECT " VOLUNTEER_COLS " FROM volunteers ORDER BY district, name", "");
}

int
store_volunteer_each(struct store *st, void (*fn)(json_t *, void *), void *arg)
{
	return store_each(st, fn, arg, "SELECT id, district, lat, lon, role, vetted_until, status"
	    " FROM volunteers", "");
}

int
store_volunteer_set_status(struct store *st, const char *id, const char *status)
{
	return store_exec(st, "UPDATE volunteers SET status = ? WHERE id = ?", "ss", status, id);
}

int
store_volunteer_set_position(struct store *st, const char *id, const char *district,
    double lat, double lon)
{
	return store_exec(st, "UPDATE volunteers SET district = ?, lat = ?, lon = ? WHERE id = ?",
	    "sdds", district, lat, lon, id);
}

int
store_service_add(struct store *st, const char *id, json_t *v)
{
	return store_exec(st, "INSERT INTO services(id, name, kind, district, phone, webhook_url,"
	    " channel, lang, telegram_chat, created_at) VALUES(?,?,?,?,?,?,?,?,?,?)",
	    "sssssssssi", id, S("name"), S("kind"), S("district"), S("phone"), S("webhook_url"),
	    S("channel"), S("lang"), S("telegram_chat"), clock_now());
}

#define SERVICE_COLS "id, name, kind, district, phone, webhook_url, channel, lang," \
	" telegram_chat, created_at"

json_t *
store_service_get(struct store *st, const char *id)
{
	return store_row(st, "SELECT " SERVICE_COLS " FROM services WHERE id = ?", "s", id);
}

json_t *
store_service_list(struct store *st, const char *district, const char *kind)
{
	if (district != NULL)
		return store_rows(st, "SELECT " SERVICE_COLS " FROM services WHERE district = ?1"
		    " AND (?2 IS NULL OR kind = ?2) ORDER BY kind, name", "ss", district, kind);
	return store_rows(st, "SELECT " SERVICE_COLS " FROM services WHERE ?1 IS NULL OR kind = ?1"
	    " ORDER BY district, kind, name", "s", kind);
}

int
store_link_add(struct store *st, const char *hash, const char *kind, const char *subject)
{
	return store_exec(st, "INSERT INTO links(token_hash, kind, subject, created_at)"
	    " VALUES(?,?,?,?)", "sssi", hash, kind, subject, clock_now());
}

int
store_link_revoke(struct store *st, const char *kind, const char *subject)
{
	return store_exec(st, "UPDATE links SET revoked_at = ? WHERE kind = ? AND subject = ?"
	    " AND revoked_at IS NULL", "iss", clock_now(), kind, subject);
}

json_t *
store_link_get(struct store *st, const char *hash)
{
	return store_row(st, "SELECT kind, subject FROM links WHERE token_hash = ?"
	    " AND revoked_at IS NULL", "s", hash);
}
