/* Unit tests: the store on a real SQLite file — WAL and synchronous=FULL,
 * migrations, savepoint rollback, group commit, bed arithmetic, deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch/store.h"
#include "dispatch/store_api.h"

static char dbpath[64];

static int
setup(void **state)
{
	int	fd;

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "/tmp/jardam-store-XXXXXX");
	fd = mkstemp(dbpath);
	close(fd);
	unlink(dbpath);
	return 0;
}

static int
teardown(void **state)
{
	char	p[80];

	(void)state;
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static json_t *
shelter(int total, int avail)
{
	return json_pack("{s:s,s:s,s:f,s:f,s:s,s:i,s:i,s:s}", "name", "S", "district", "bishkek",
	    "lat", 42.87, "lon", 74.59, "address", "addr", "beds_total", total,
	    "beds_available", avail, "channel", "webhook");
}

/* Read a pragma through a second connection, as an outsider would. */
static long
pragma(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	long		 v = -1;
	const unsigned char *t;

	sqlite3_open(dbpath, &db);
	sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW) {
		t = sqlite3_column_text(s, 0);
		v = strcmp((const char *)t, "wal") == 0 ? 1 : sqlite3_column_int(s, 0);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
test_open_and_migrate(void **state)
{
	struct store	*st;
	char		 err[256];

	(void)state;
	st = store_open(dbpath, NULL, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_ping(st), 0);
	store_free(st);
	assert_int_equal(pragma("PRAGMA journal_mode"), 1);
	assert_int_equal(pragma("PRAGMA user_version"), 2);
	/* Opening again migrates nothing and keeps working. */
	st = store_open(dbpath, NULL, err, sizeof(err));
	assert_non_null(st);
	store_free(st);
}

static void
test_unit_rollback(void **state)
{
	struct store	*st;
	char		 err[256];
	json_t		*v = shelter(4, 4), *row;

	(void)state;
	st = store_open(dbpath, NULL, err, sizeof(err));
	store_unit_begin(st);
	assert_int_equal(store_shelter_add(st, "shl_a", v), 1);
	store_unit_end(st, 0);	/* a failed request leaves nothing behind */
	assert_null(store_shelter_get(st, "shl_a"));
	store_unit_begin(st);
	assert_int_equal(store_shelter_add(st, "shl_a", v), 1);
	store_unit_end(st, 1);
	row = store_shelter_get(st, "shl_a");
	assert_non_null(row);
	json_decref(row);
	json_decref(v);
	store_free(st);
}

static void
test_beds(void **state)
{
	struct store	*st;
	char		 err[256];
	json_t		*row;

	(void)state;
	st = store_open(dbpath, NULL, err, sizeof(err));
	store_unit_begin(st);
	assert_int_equal(store_shelter_hold(st, "shl_a", 3), 1);
	assert_int_equal(store_shelter_hold(st, "shl_a", 2), 0);	/* only 1 left */
	assert_int_equal(store_shelter_set_beds(st, "shl_a", 2, 1), 0);	/* held 3 > 2 */
	assert_int_equal(store_shelter_occupy(st, "shl_a", 3), 1);
	assert_int_equal(store_shelter_release(st, "shl_a", 1), 0);	/* none held */
	store_unit_end(st, 1);
	row = store_shelter_get(st, "shl_a");
	assert_int_equal(json_integer_value(json_object_get(row, "beds_available")), 1);
	assert_int_equal(json_integer_value(json_object_get(row, "beds_held")), 0);
	assert_int_equal(json_integer_value(json_object_get(row, "beds_total")), 4);
	json_decref(row);
	store_free(st);
}

static int commits, failures;

static void
on_commit(void *arg, int ok)
{
	(void)arg;
	if (ok)
		commits++;
	else
		failures++;
}

static void
test_group_commit(void **state)
{
	struct event_base	*base = event_base_new();
	struct store		*st;
	char			 err[256];
	json_t			*v = shelter(1, 1), *row;

	(void)state;
	event_base_priority_init(base, 3);
	st = store_open(dbpath, base, err, sizeof(err));
	store_on_commit(st, on_commit, NULL);
	commits = failures = 0;
	/* Three units in one turn share one commit at its end. */
	store_unit_begin(st);
	store_shelter_add(st, "shl_b", v);
	store_unit_end(st, 1);
	store_unit_begin(st);
	store_shelter_add(st, "shl_c", v);
	store_unit_end(st, 1);
	store_unit_begin(st);
	store_shelter_add(st, "shl_d", v);
	store_unit_end(st, 1);
	assert_true(store_in_tx(st));
	assert_int_equal(commits, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(commits, 1);
	assert_false(store_in_tx(st));
	/* A failed commit loses the turn's writes and says so. */
	store_unit_begin(st);
	store_shelter_add(st, "shl_e", v);
	store_unit_end(st, 1);
	store_fail_next_commit(st);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(failures, 1);
	assert_null(store_shelter_get(st, "shl_e"));
	row = store_shelter_get(st, "shl_d");
	assert_non_null(row);
	json_decref(row);
	json_decref(v);
	store_free(st);
	event_base_free(base);
}

static void
count_row(json_t *row, void *arg)
{
	(void)row;
	(*(int *)arg)++;
}

static void
test_deadlines(void **state)
{
	struct store	*st;
	char		 err[256];
	int64_t		 a, b;
	int		 n;

	(void)state;
	st = store_open(dbpath, NULL, err, sizeof(err));
	store_unit_begin(st);
	a = store_deadline_set(st, "offer", "off_1", 1000);
	b = store_deadline_set(st, "offer", "off_1", 2000);	/* moved: a new row */
	assert_true(a > 0 && b > a);
	assert_null(store_deadline_get(st, a));
	store_deadline_set(st, "stall", "req_1", 3000);
	store_deadline_clear(st, "stall", "req_1");
	store_unit_end(st, 1);
	n = 0;
	assert_int_equal(store_deadline_each(st, count_row, &n), 0);
	assert_int_equal(n, 1);
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_migrate),
		cmocka_unit_test(test_unit_rollback),
		cmocka_unit_test(test_beds),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_deadlines),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
