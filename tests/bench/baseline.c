/* Benchmark baselines, so Jardam's figures are ratios to them measured in
 * the same run on the same machine:
 *   baseline PORT       the least an evhttp server can do: a fixed JSON
 *                       body for GET and POST;
 *   baseline PORT DB    the least a durable one can do: each POST inserts
 *                       its body as one row into SQLite (WAL, synchronous=
 *                       FULL), the posts of one loop turn share a commit,
 *                       and each is answered after it. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char baseline_body[] = "{\"status\":\"ok\"}\n";

struct baseline {
	sqlite3			*db;
	sqlite3_stmt		*insert;
	struct event		*commit;
	struct evhttp_request	*pending[4096];
	int			 npending;
	int			 in_tx;
};

static void
baseline_reply(struct evhttp_request *req, int status)
{
	struct evbuffer	*buf = evbuffer_new();

	evbuffer_add(buf, baseline_body, sizeof(baseline_body) - 1);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Service Unavailable", buf);
	evbuffer_free(buf);
}

static void
baseline_commit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct baseline	*b = arg;
	int		 ok, i;

	(void)fd; (void)what;
	ok = sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	b->in_tx = 0;
	for (i = 0; i < b->npending; i++)
		baseline_reply(b->pending[i], ok ? 200 : 503);
	b->npending = 0;
}

static void
baseline_cb(struct evhttp_request *req, void *arg)
{
	struct baseline	*b = arg;
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);

	if (b->db == NULL || evhttp_request_get_command(req) != EVHTTP_REQ_POST ||
	    b->npending == 4096) {
		baseline_reply(req, 200);
		return;
	}
	if (!b->in_tx) {
		sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		b->in_tx = 1;
		event_active(b->commit, 0, 0);
	}
	sqlite3_reset(b->insert);
	sqlite3_bind_blob(b->insert, 1, evbuffer_pullup(in, -1), (int)evbuffer_get_length(in),
	    SQLITE_TRANSIENT);
	sqlite3_step(b->insert);
	b->pending[b->npending++] = req;
}

int
main(int argc, char **argv)
{
	struct event_base	*base = event_base_new();
	struct evhttp		*http = evhttp_new(base);
	struct baseline		 b;
	char			*end;
	long			 port;

	memset(&b, 0, sizeof(b));
	if (argc < 2 || argc > 3 || (port = strtol(argv[1], &end, 10)) <= 0 || port > 65535 ||
	    *end) {
		fprintf(stderr, "usage: baseline PORT [DB]\n");
		return 64;
	}
	event_base_priority_init(base, 3);
	if (argc == 3) {
		if (sqlite3_open(argv[2], &b.db) != SQLITE_OK ||
		    sqlite3_exec(b.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		    "CREATE TABLE IF NOT EXISTS posts(seq INTEGER PRIMARY KEY, body BLOB);",
		    NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(b.db, "INSERT INTO posts(body) VALUES(?)", -1, &b.insert,
		    NULL) != SQLITE_OK) {
			fprintf(stderr, "baseline: cannot open %s\n", argv[2]);
			return 1;
		}
		b.commit = event_new(base, -1, 0, baseline_commit_cb, &b);
		event_priority_set(b.commit, 2);
	}
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(http, baseline_cb, &b);
	if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)port) != 0) {
		fprintf(stderr, "baseline: cannot listen on %ld\n", port);
		return 1;
	}
	event_base_dispatch(base);
	return 0;
}
