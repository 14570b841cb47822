/* Storage core: open, pragmas, migrations, statement cache, group commit. */
#include "dispatch/store.h"
#include "dispatch/store_int.h"

#include <event2/event.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/log.h"

#define STORE_MAX_STMTS	256
#define STORE_MAX_HOOKS	8

struct store_hook {
	void	(*fn)(void *, int);
	void	*arg;
};

struct store {
	sqlite3			*db;
	struct event		*commit_ev;
	int			 in_tx;
	int			 depth;
	int			 unit_failed;
	int			 fail_next;
	struct {
		const char	*sql;	/* static text: cached by address */
		sqlite3_stmt	*stmt;
	}			 stmts[STORE_MAX_STMTS];
	size_t			 nstmts;
	struct store_hook	 hooks[STORE_MAX_HOOKS];
	size_t			 nhooks;
	unsigned long long	 statements;	/* for /metrics */
	unsigned long long	 commits;
};

/* Each migration takes the schema from version i to i+1. */
static const char *const store_migrations[] = {
	/* 1: the foundation and the dispatch core */
	"CREATE TABLE users(id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK(role IN ('admin','operator')), pw_hash TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE sessions(token_hash TEXT PRIMARY KEY,"
	"  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL, expires_at INTEGER NOT NULL);"
	"CREATE TABLE shelters(id TEXT PRIMARY KEY, name TEXT NOT NULL, district TEXT NOT NULL,"
	"  lat REAL NOT NULL, lon REAL NOT NULL, address TEXT NOT NULL, phone TEXT,"
	"  beds_total INTEGER NOT NULL CHECK(beds_total >= 0),"
	"  beds_available INTEGER NOT NULL CHECK(beds_available >= 0),"
	"  beds_held INTEGER NOT NULL DEFAULT 0 CHECK(beds_held >= 0),"
	"  channel TEXT NOT NULL DEFAULT 'webhook', lang TEXT, telegram_chat TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK(beds_available + beds_held <= beds_total));"
	"CREATE INDEX shelters_district ON shelters(district);"
	"CREATE TABLE vehicles(id TEXT PRIMARY KEY, driver_name TEXT NOT NULL, phone TEXT NOT NULL,"
	"  district TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,"
	"  seats INTEGER NOT NULL CHECK(seats > 0), vetted_until INTEGER NOT NULL,"
	"  features TEXT NOT NULL DEFAULT '[]',"
	"  status TEXT NOT NULL DEFAULT 'off' CHECK(status IN ('available','offered','busy','off')),"
	"  channel TEXT NOT NULL DEFAULT 'webhook', lang TEXT, telegram_chat TEXT,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX vehicles_district ON vehicles(district);"
	"CREATE TABLE volunteers(id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL,"
	"  district TEXT NOT NULL, role TEXT NOT NULL, vetted_until INTEGER NOT NULL,"
	"  lat REAL NOT NULL, lon REAL NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'off' CHECK(status IN ('available','offered','busy','off')),"
	"  channel TEXT NOT NULL DEFAULT 'webhook', lang TEXT, telegram_chat TEXT,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX volunteers_district ON volunteers(district);"
	"CREATE TABLE services(id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
	"  district TEXT NOT NULL, phone TEXT, webhook_url TEXT,"
	"  channel TEXT NOT NULL DEFAULT 'webhook', lang TEXT, telegram_chat TEXT,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX services_district ON services(district, kind);"
	"CREATE TABLE links(token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, revoked_at INTEGER);"
	"CREATE INDEX links_subject ON links(kind, subject);"
	"CREATE TABLE requests(id TEXT PRIMARY KEY, state TEXT NOT NULL, district TEXT NOT NULL,"
	"  lat REAL NOT NULL, lon REAL NOT NULL, adults INTEGER NOT NULL, children INTEGER NOT NULL,"
	"  needs TEXT NOT NULL, risk TEXT NOT NULL, risk_rank INTEGER NOT NULL,"
	"  escort INTEGER NOT NULL, destination TEXT NOT NULL, consent TEXT NOT NULL,"
	"  pickup_note BLOB, notes BLOB,"
	"  shelter_id TEXT REFERENCES shelters(id), beds_held INTEGER NOT NULL DEFAULT 0,"
	"  vehicle_id TEXT REFERENCES vehicles(id), escort_id TEXT REFERENCES volunteers(id),"
	"  created_by TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	"  accepted_at INTEGER, delivered_at INTEGER, cancelled_at INTEGER);"
	"CREATE INDEX requests_state ON requests(state, risk_rank DESC, created_at);"
	"CREATE INDEX requests_created ON requests(created_at DESC);"
	"CREATE INDEX requests_district ON requests(district, created_at DESC);"
	"CREATE TABLE offers(id TEXT PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(id),"
	"  kind TEXT NOT NULL CHECK(kind IN ('vehicle','escort')), subject TEXT NOT NULL,"
	"  state TEXT NOT NULL, distance_m REAL NOT NULL, created_at INTEGER NOT NULL,"
	"  expires_ms INTEGER NOT NULL, decided_at INTEGER);"
	"CREATE INDEX offers_request ON offers(request_id, kind, state);"
	"CREATE INDEX offers_subject ON offers(subject, state);"
	"CREATE TABLE events(seq INTEGER PRIMARY KEY, request_id TEXT NOT NULL,"
	"  at INTEGER NOT NULL, type TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX events_request ON events(request_id, seq);"
	"CREATE TABLE escalations(id TEXT PRIMARY KEY, request_id TEXT NOT NULL,"
	"  reason TEXT NOT NULL, level INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	"  acked_at INTEGER, resolved_at INTEGER, subject TEXT);"
	"CREATE INDEX escalations_open ON escalations(resolved_at, request_id);"
	"CREATE TABLE deadlines(seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,"
	"  due_ms INTEGER NOT NULL, UNIQUE(kind, subject));"
	"CREATE TABLE outbox(id TEXT PRIMARY KEY, kind TEXT NOT NULL, request_id TEXT,"
	"  to_kind TEXT, to_id TEXT, channel TEXT NOT NULL, lang TEXT NOT NULL,"
	"  text TEXT NOT NULL, link TEXT, url TEXT, created_at INTEGER NOT NULL,"
	"  next_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	"  sent_at INTEGER, cancelled_at INTEGER, last_error TEXT);"
	"CREATE INDEX outbox_pending ON outbox(sent_at, cancelled_at, next_ms);"
	"CREATE TABLE referrals(id TEXT PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(id),"
	"  service_id TEXT NOT NULL REFERENCES services(id), kind TEXT NOT NULL,"
	"  summary TEXT NOT NULL, state TEXT NOT NULL, created_at INTEGER NOT NULL,"
	"  acked_at INTEGER, done_at INTEGER);"
	"CREATE INDEX referrals_request ON referrals(request_id);"
	"CREATE TABLE idempotency(key TEXT PRIMARY KEY, body_hash TEXT NOT NULL,"
	"  status INTEGER NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL);",
	/* 2: indexes for the per-request lookups found hot by the benchmarks */
	"CREATE INDEX escalations_request ON escalations(request_id, resolved_at);"
	"CREATE INDEX requests_state_created ON requests(state, created_at DESC);"
	"CREATE INDEX referrals_pending ON referrals(request_id, state);",
};

#define STORE_VERSION ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

static void
store_commit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct store	*st = arg;
	size_t		 i;
	int		 ok;

	(void)fd; (void)what;
	if (!st->in_tx)
		return;
	ok = store_flush(st) == 0;
	for (i = 0; i < st->nhooks; i++)
		st->hooks[i].fn(st->hooks[i].arg, ok);
}

static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	sqlite3_stmt	*s = NULL;
	char		 sql[64], *msg = NULL;
	int		 v = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v > STORE_VERSION) {
		snprintf(err, errlen, "database schema version %d is newer than this jardam (%d)",
		    v, STORE_VERSION);
		return -1;
	}
	for (; v < STORE_VERSION; v++) {
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(st->db, store_migrations[v], NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
		log_info("event=migrate version=%d", v + 1);
	}
	return 0;
fail:
	snprintf(err, errlen, "migration to version %d: %s", v + 1,
	    msg ? msg : sqlite3_errmsg(st->db));
	sqlite3_free(msg);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

struct store *
store_open(const char *path, struct event_base *base, char *err, size_t errlen)
{
	struct store	*st;
	char		*msg = NULL;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* WAL with a full sync at each commit: an acknowledged request
	 * survives a power cut. A 64 MiB page cache keeps the indexes read
	 * while dispatching in memory. */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;",
	    NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		goto fail;
	}
	if (store_migrate(st, err, errlen) != 0)
		goto fail;
	if (base != NULL) {
		st->commit_ev = event_new(base, -1, 0, store_commit_cb, st);
		/* The lowest priority: it runs once everything else of this turn has. */
		if (st->commit_ev == NULL ||
		    event_priority_set(st->commit_ev, event_base_get_npriorities(base) - 1) != 0) {
			snprintf(err, errlen, "cannot create the commit event");
			goto fail;
		}
	}
	return st;
fail:
	store_free(st);
	return NULL;
}

void
store_free(struct store *st)
{
	size_t	i;

	if (st == NULL)
		return;
	if (st->in_tx)
		store_flush(st);
	for (i = 0; i < st->nstmts; i++)
		sqlite3_finalize(st->stmts[i].stmt);
	if (st->commit_ev != NULL)
		event_free(st->commit_ev);
	sqlite3_close(st->db);
	free(st);
}

int
store_ping(struct store *st)
{
	return store_int(st, -1, "SELECT 1", "") == 1 ? 0 : -1;
}

int
store_in_tx(const struct store *st)
{
	return st->in_tx;
}

int
store_failed(const struct store *st)
{
	return st->unit_failed;
}

void
store_fail_next_commit(struct store *st)
{
	st->fail_next = 1;
}

void
store_on_commit(struct store *st, void (*fn)(void *, int), void *arg)
{
	if (st->nhooks < STORE_MAX_HOOKS)
		st->hooks[st->nhooks++] = (struct store_hook){ fn, arg };
}

int
store_unit_begin(struct store *st)
{
	if (st->depth++ > 0)
		return 0;
	st->unit_failed = 0;
	if (!st->in_tx) {
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
			log_warn("event=store_begin_failed error=\"%s\"", sqlite3_errmsg(st->db));
			st->unit_failed = 1;
			return -1;
		}
		st->in_tx = 1;
		if (st->commit_ev != NULL)
			event_active(st->commit_ev, 0, 0);
	}
	if (sqlite3_exec(st->db, "SAVEPOINT unit", NULL, NULL, NULL) != SQLITE_OK) {
		st->unit_failed = 1;
		return -1;
	}
	return 0;
}

void
store_unit_end(struct store *st, int ok)
{
	if (st->depth == 0 || --st->depth > 0)
		return;
	if (!st->in_tx)
		return;
	if (!ok || st->unit_failed)
		sqlite3_exec(st->db, "ROLLBACK TO unit", NULL, NULL, NULL);
	sqlite3_exec(st->db, "RELEASE unit", NULL, NULL, NULL);
	if (st->commit_ev == NULL)
		store_commit_cb(-1, 0, st);
}

int
store_flush(struct store *st)
{
	if (!st->in_tx)
		return 0;
	st->in_tx = 0;
	if (st->fail_next) {
		st->fail_next = 0;
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		log_warn("event=commit_failed error=\"injected\"");
		return -1;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		log_warn("event=commit_failed error=\"%s\"", sqlite3_errmsg(st->db));
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	st->commits++;
	return 0;
}

void
store_stats(const struct store *st, unsigned long long *statements, unsigned long long *commits)
{
	*statements = st->statements;
	*commits = st->commits;
}

static sqlite3_stmt *
store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt	*s = NULL;
	size_t		 i;

	for (i = 0; i < st->nstmts; i++)
		if (st->stmts[i].sql == sql)
			return st->stmts[i].stmt;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		log_warn("event=prepare_failed error=\"%s\"", sqlite3_errmsg(st->db));
		return NULL;
	}
	if (st->nstmts < STORE_MAX_STMTS) {
		st->stmts[st->nstmts].sql = sql;
		st->stmts[st->nstmts++].stmt = s;
	}
	return s;
}

static sqlite3_stmt *
store_bind(struct store *st, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt	*s;
	const char	*str;
	const void	*blob;
	size_t		 len;
	int		 i, rc = SQLITE_OK;

	if ((s = store_prepare(st, sql)) == NULL)
		return NULL;
	st->statements++;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	for (i = 0; fmt[i] != '\0' && rc == SQLITE_OK; i++) {
		switch (fmt[i]) {
		case 's':
			str = va_arg(ap, const char *);
			rc = str ? sqlite3_bind_text(s, i + 1, str, -1, SQLITE_TRANSIENT) :
			    sqlite3_bind_null(s, i + 1);
			break;
		case 'i':
			rc = sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_double(s, i + 1, va_arg(ap, double));
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			rc = blob ? sqlite3_bind_blob(s, i + 1, blob, (int)len, SQLITE_TRANSIENT) :
			    sqlite3_bind_null(s, i + 1);
			break;
		case 'n':
			rc = sqlite3_bind_null(s, i + 1);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		log_warn("event=bind_failed error=\"%s\"", sqlite3_errmsg(st->db));
		return NULL;
	}
	return s;
}

static void
store_step_failed(struct store *st)
{
	log_warn("event=sql_failed error=\"%s\"", sqlite3_errmsg(st->db));
	st->unit_failed = 1;
}

int
store_exec(struct store *st, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*s;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	s = store_bind(st, sql, fmt, ap);
	va_end(ap);
	if (s == NULL) {
		st->unit_failed = 1;
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_step_failed(st);
		return -1;
	}
	return sqlite3_changes(st->db);
}

static json_t *
store_row_json(sqlite3_stmt *s)
{
	json_t	*o = json_object(), *v;
	int	 i, n = sqlite3_column_count(s);

	for (i = 0; i < n; i++) {
		switch (sqlite3_column_type(s, i)) {
		case SQLITE_INTEGER:
			v = json_integer(sqlite3_column_int64(s, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(s, i));
			break;
		case SQLITE_TEXT:
			v = json_stringn((const char *)sqlite3_column_text(s, i),
			    (size_t)sqlite3_column_bytes(s, i));
			break;
		default:
			v = json_null();
		}
		json_object_set_new(o, sqlite3_column_name(s, i), v ? v : json_null());
	}
	return o;
}

static json_t *
store_vrows(struct store *st, int limit, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt	*s;
	json_t		*arr;
	int		 rc, n = 0;

	if ((s = store_bind(st, sql, fmt, ap)) == NULL)
		return NULL;
	arr = json_array();
	while ((limit < 0 || n < limit) && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_array_append_new(arr, store_row_json(s));
		n++;
	}
	if (n != limit && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		store_step_failed(st);
		json_decref(arr);
		return NULL;
	}
	sqlite3_reset(s);
	return arr;
}

int
store_each(struct store *st, void (*fn)(json_t *, void *), void *arg, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt	*s;
	va_list		 ap;
	json_t		*row;
	int		 rc;

	va_start(ap, fmt);
	s = store_bind(st, sql, fmt, ap);
	va_end(ap);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row = store_row_json(s);
		fn(row, arg);
		json_decref(row);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_step_failed(st);
		return -1;
	}
	return 0;
}

json_t *
store_rows(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list	 ap;
	json_t	*r;

	va_start(ap, fmt);
	r = store_vrows(st, -1, sql, fmt, ap);
	va_end(ap);
	return r;
}

json_t *
store_row(struct store *st, const char *sql, const char *fmt, ...)
{
	va_list	 ap;
	json_t	*r, *row = NULL;

	va_start(ap, fmt);
	r = store_vrows(st, 1, sql, fmt, ap);
	va_end(ap);
	if (r != NULL && json_array_size(r) == 1)
		row = json_incref(json_array_get(r, 0));
	json_decref(r);
	return row;
}

int64_t
store_last_rowid(struct store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

int64_t
store_int(struct store *st, int64_t def, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*s;
	va_list		 ap;
	int64_t		 v = def;

	va_start(ap, fmt);
	s = store_bind(st, sql, fmt, ap);
	va_end(ap);
	if (s == NULL)
		return def;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

void *
store_blob(struct store *st, size_t *len, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*s;
	va_list		 ap;
	void		*p = NULL;
	int		 n;

	va_start(ap, fmt);
	s = store_bind(st, sql, fmt, ap);
	va_end(ap);
	if (s == NULL)
		return NULL;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_BLOB) {
		n = sqlite3_column_bytes(s, 0);
		if ((p = malloc((size_t)n + 1)) != NULL) {
			memcpy(p, sqlite3_column_blob(s, 0), (size_t)n);
			*len = (size_t)n;
		}
	}
	sqlite3_reset(s);
	return p;
}
