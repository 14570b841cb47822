/* The HTTP layer: evhttp, the route table, limits, security headers, the
 * error JSON, one log line per request, answers released after commit. */
#include "dispatch/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "config/config.h"
#include "dispatch/api.h"
#include "dispatch/app.h"
#include "dispatch/input.h"
#include "dispatch/log.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"

struct server {
	struct app		*app;
	struct evhttp		*http;
	struct http		*pending;	/* answers waiting for the commit */
	struct http		**pending_tail;
	unsigned long long	 requests;
	unsigned long long	 by_class[6];
};

static const struct route server_routes[] = {
	{ "GET",   "/healthz",				api_health,		ROLE_PUBLIC },
	{ "GET",   "/metrics",				api_metrics,		ROLE_PUBLIC },
	{ "GET",   "/",					api_page_console,	ROLE_PUBLIC },
	{ "GET",   "/static/:file",			api_page_static,	ROLE_PUBLIC },
	{ "GET",   "/l/:token",				api_page_link,		ROLE_PUBLIC },
	{ "POST",  "/api/login",			api_login,		ROLE_PUBLIC },
	{ "POST",  "/api/logout",			api_logout,		ROLE_OPERATOR },
	{ "GET",   "/api/me",				api_me,			ROLE_OPERATOR },
	{ "POST",  "/api/users",			api_user_add,		ROLE_ADMIN },
	{ "GET",   "/api/users",			api_user_list,		ROLE_ADMIN },
	{ "GET",   "/api/districts",			api_districts,		ROLE_OPERATOR },
	{ "GET",   "/api/geo/locate",			api_locate,		ROLE_OPERATOR },
	{ "POST",  "/api/shelters",			api_shelter_add,	ROLE_ADMIN },
	{ "GET",   "/api/shelters",			api_shelter_list,	ROLE_OPERATOR },
	{ "POST",  "/api/vehicles",			api_vehicle_add,	ROLE_ADMIN },
	{ "GET",   "/api/vehicles",			api_vehicle_list,	ROLE_OPERATOR },
	{ "POST",  "/api/volunteers",			api_volunteer_add,	ROLE_ADMIN },
	{ "GET",   "/api/volunteers",			api_volunteer_list,	ROLE_OPERATOR },
	{ "POST",  "/api/services",			api_service_add,	ROLE_ADMIN },
	{ "GET",   "/api/services",			api_service_list,	ROLE_OPERATOR },
	{ "POST",  "/api/:kind/:id/link",		api_relink,		ROLE_ADMIN },
	{ "GET",   "/api/l/:token",			api_link_get,		ROLE_PUBLIC },
	{ "POST",  "/api/l/:token",			api_link_post,		ROLE_PUBLIC },
	{ "POST",  "/api/requests",			api_request_add,	ROLE_OPERATOR },
	{ "GET",   "/api/requests",			api_request_list,	ROLE_OPERATOR },
	{ "GET",   "/api/requests/:id",			api_request_get,	ROLE_OPERATOR },
	{ "PATCH", "/api/requests/:id",			api_request_patch,	ROLE_OPERATOR },
	{ "POST",  "/api/requests/:id/cancel",		api_request_cancel,	ROLE_OPERATOR },
	{ "GET",   "/api/escalations",			api_escalation_list,	ROLE_OPERATOR },
	{ "POST",  "/api/escalations/:id/ack",		api_escalation_ack,	ROLE_OPERATOR },
	{ "POST",  "/api/referrals",			api_referral_add,	ROLE_OPERATOR },
	{ "GET",   "/api/reports/districts",		api_report_districts,	ROLE_OPERATOR },
};

#define NROUTES (sizeof(server_routes) / sizeof(server_routes[0]))

static long long
server_now_us(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int
http_json(struct http *h, int status, json_t *o)
{
	json_decref(h->resp);
	h->resp = o;
	h->status = status;
	return status;
}

int
http_error(struct http *h, int status, const char *code, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return http_json(h, status, json_pack("{s:{s:s,s:s}}", "error", "code", code,
	    "message", msg));
}

int
http_text(struct http *h, int status, const char *ctype, const char *text, size_t len)
{
	free(h->text);
	if ((h->text = malloc(len + 1)) == NULL)
		return http_error(h, 503, "unavailable", "out of memory");
	memcpy(h->text, text, len);
	h->text[len] = '\0';
	h->textlen = len;
	h->ctype = ctype;
	h->status = status;
	return status;
}

const char *
http_query(struct http *h, const char *key)
{
	return h->query ? evhttp_find_header(h->query, key) : NULL;
}

const char *
http_header(struct http *h, const char *key)
{
	return evhttp_find_header(evhttp_request_get_input_headers(h->req), key);
}

void
http_link(struct http *h, const char *token, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/l/%s", h->app->cfg->public_url, token);
}

static json_t *
http_field(struct http *h, const char *key, int required, int *rc)
{
	json_t	*v = h->body ? json_object_get(h->body, key) : NULL;

	*rc = 0;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			http_error(h, 400, "bad_request", "field \"%s\" is required", key);
			*rc = -1;
		} else {
			*rc = 1;
		}
		return NULL;
	}
	return v;
}

int
http_field_str(struct http *h, const char *key, int required, size_t maxlen, const char **out)
{
	json_t	*v;
	int	 rc;

	if ((v = http_field(h, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_string(v)) {
		http_error(h, 400, "bad_request", "field \"%s\" must be a string", key);
		return -1;
	}
	if (json_string_length(v) > maxlen) {
		http_error(h, 400, "bad_request", "field \"%s\" is longer than %zu bytes", key, maxlen);
		return -1;
	}
	if (required && json_string_length(v) == 0) {
		http_error(h, 400, "bad_request", "field \"%s\" must not be empty", key);
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		http_error(h, 400, "bad_request", "field \"%s\" contains a NUL character", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
http_field_num(struct http *h, const char *key, int required, double min, double max,
    double *out)
{
	json_t	*v;
	int	 rc;

	if ((v = http_field(h, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_number(v)) {
		http_error(h, 400, "bad_request", "field \"%s\" must be a number", key);
		return -1;
	}
	if (!(json_number_value(v) >= min && json_number_value(v) <= max)) {
		http_error(h, 400, "bad_request", "field \"%s\" must be from %g to %g", key, min, max);
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

int
http_field_int(struct http *h, const char *key, int required, long long min, long long max,
    long long *out)
{
	json_t	*v;
	int	 rc;

	if ((v = http_field(h, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_integer(v)) {
		http_error(h, 400, "bad_request", "field \"%s\" must be a whole number", key);
		return -1;
	}
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		http_error(h, 400, "bad_request", "field \"%s\" must be from %lld to %lld", key,
		    min, max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int
http_field_bool(struct http *h, const char *key, int required, int *out)
{
	json_t	*v;
	int	 rc;

	if ((v = http_field(h, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_boolean(v)) {
		http_error(h, 400, "bad_request", "field \"%s\" must be true or false", key);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

static int
server_match(const char *pattern, const char *path, char **args)
{
	const char	*p = pattern, *s = path, *seg;
	size_t		 n, na = 0;

	while (*p != '\0' && *s != '\0') {
		if (*p == ':') {
			while (*p != '\0' && *p != '/')
				p++;
			seg = s;
			while (*s != '\0' && *s != '/')
				s++;
			n = (size_t)(s - seg);
			if (n == 0 || n > 200 || na >= 3)
				return 0;
			args[na++] = strndup(seg, n);
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

static void server_args_free(char **);

const struct route *
server_route(const char *method, const char *path, char **args,
    const struct route **allowed)
{
	size_t	i;

	*allowed = NULL;
	for (i = 0; i < NROUTES; i++) {
		server_args_free(args);
		if (!server_match(server_routes[i].pattern, path, args))
			continue;
		*allowed = &server_routes[i];
		if (strcmp(server_routes[i].method, method) == 0)
			return &server_routes[i];
	}
	server_args_free(args);
	return NULL;
}

static void
server_args_free(char **args)
{
	int	i;

	for (i = 0; i < 3; i++) {
		free(args[i]);
		args[i] = NULL;
	}
}

static const char *
server_method(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PATCH: return "PATCH";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	default: return "OTHER";
	}
}

static void
server_send(struct http *h)
{
	struct evkeyvalq	*out;
	struct evbuffer		*buf;
	char			*dump;
	const char		*reason;
	long long		 us;

	out = evhttp_request_get_output_headers(h->req);
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_add_header(out, "Referrer-Policy", "no-referrer");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(out, "X-Frame-Options", "DENY");
	evhttp_add_header(out, "Content-Security-Policy",
	    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
	if (h->cookie != NULL)
		evhttp_add_header(out, "Set-Cookie", h->cookie);
	buf = evbuffer_new();
	if (h->text != NULL) {
		evhttp_add_header(out, "Content-Type", h->ctype);
		evbuffer_add(buf, h->text, h->textlen);
	} else {
		if (h->resp == NULL)
			h->resp = json_object();
		dump = json_dumps(h->resp, JSON_COMPACT | JSON_REAL_PRECISION(10));
		evhttp_add_header(out, "Content-Type", "application/json; charset=utf-8");
		if (dump != NULL) {
			evbuffer_add(buf, dump, strlen(dump));
			evbuffer_add(buf, "\n", 1);
		}
		free(dump);
	}
	switch (h->status) {
	case 200: reason = "OK"; break;
	case 201: reason = "Created"; break;
	case 400: reason = "Bad Request"; break;
	case 401: reason = "Unauthorized"; break;
	case 403: reason = "Forbidden"; break;
	case 404: reason = "Not Found"; break;
	case 405: reason = "Method Not Allowed"; break;
	case 409: reason = "Conflict"; break;
	case 410: reason = "Gone"; break;
	case 413: reason = "Payload Too Large"; break;
	case 422: reason = "Unprocessable Entity"; break;
	case 429: reason = "Too Many Requests"; break;
	default: reason = h->status >= 500 ? "Service Unavailable" : "OK";
	}
	evhttp_send_reply(h->req, h->status, reason, buf);
	evbuffer_free(buf);
	us = server_now_us() - h->start_us;
	log_info("event=http method=%s route=%s status=%d ms=%.1f", h->method,
	    h->route ? h->route : "-", h->status, us / 1000.0);
	if (h->app->server != NULL) {
		h->app->server->requests++;
		h->app->server->by_class[h->status / 100 < 6 ? h->status / 100 : 5]++;
	}
	json_decref(h->resp);
	json_decref(h->body);
	free(h->text);
	free(h->cookie);
	server_args_free(h->args);
	if (h->query != NULL) {
		evhttp_clear_headers(h->query);
		free(h->query);
	}
	free(h);
}

/* Send now, or queue until the turn's transaction commits. */
static void
server_respond(struct http *h)
{
	struct server	*sv = h->app->server;

	if (sv != NULL && store_in_tx(h->app->store)) {
		h->next = NULL;
		*sv->pending_tail = h;
		sv->pending_tail = &h->next;
		return;
	}
	server_send(h);
}

void
http_finish(struct http *h)
{
	server_respond(h);
}

/* After each commit: release the answers, or turn them into 503. */
static void
server_on_commit(void *arg, int ok)
{
	struct server	*sv = arg;
	struct http	*h, *next;

	h = sv->pending;
	sv->pending = NULL;
	sv->pending_tail = &sv->pending;
	for (; h != NULL; h = next) {
		next = h->next;
		if (!ok) {
			free(h->text);
			h->text = NULL;
			free(h->cookie);
			h->cookie = NULL;
			http_error(h, 503, "unavailable", "the database could not commit");
		}
		server_send(h);
	}
}

/* Who is calling: a bearer token or the session cookie (with CSRF). */
static int
server_auth(struct http *h, enum server_role role)
{
	const char	*auth, *cookie, *p, *csrf;
	char		 token[128], hash[TOKEN_HASH_LEN + 1];
	size_t		 n;
	int		 via_cookie = 0;
	json_t		*s;

	token[0] = '\0';
	if ((auth = http_header(h, "Authorization")) != NULL &&
	    strncasecmp(auth, "Bearer ", 7) == 0) {
		snprintf(token, sizeof(token), "%s", auth + 7);
	} else if ((cookie = http_header(h, "Cookie")) != NULL &&
	    (p = strstr(cookie, "jardam_session=")) != NULL) {
		p += strlen("jardam_session=");
		n = strcspn(p, "; ");
		if (n < sizeof(token)) {
			memcpy(token, p, n);
			token[n] = '\0';
			via_cookie = 1;
		}
	}
	if (token[0] == '\0')
		return http_error(h, 401, "unauthorized", "log in first");
	token_hash(token, hash);
	if ((s = store_session_get(h->app->store, hash)) == NULL)
		return http_error(h, 401, "unauthorized", "the session is unknown or expired");
	snprintf(h->user_id, sizeof(h->user_id), "%s", json_string_value(json_object_get(s, "user_id")));
	snprintf(h->role, sizeof(h->role), "%s", json_string_value(json_object_get(s, "role")));
	snprintf(h->session, sizeof(h->session), "%s", hash);
	if (via_cookie && strcmp(h->method, "GET") != 0 && strcmp(h->method, "HEAD") != 0) {
		csrf = http_header(h, "X-CSRF-Token");
		if (csrf == NULL || !token_equal(csrf, json_string_value(json_object_get(s, "csrf")))) {
			json_decref(s);
			return http_error(h, 403, "forbidden", "missing or wrong CSRF token");
		}
	}
	json_decref(s);
	if (role == ROLE_ADMIN && strcmp(h->role, "admin") != 0)
		return http_error(h, 403, "forbidden", "this needs the admin role");
	return 0;
}

/* Read, check and parse the body of a write. */
static int
server_body(struct http *h)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(h->req);
	size_t		 n = evbuffer_get_length(in);
	char		 err[256];

	if (n > SERVER_MAX_BODY)
		return http_error(h, 413, "too_large", "the body is larger than %d bytes",
		    SERVER_MAX_BODY);
	h->raw = (const char *)evbuffer_pullup(in, -1);
	h->rawlen = n;
	if (n == 0) {
		h->body = json_object();
		return 0;
	}
	if ((h->body = input_json_object(h->raw, n, SERVER_MAX_DEPTH, err, sizeof(err))) == NULL)
		return http_error(h, 400, "bad_request", "%s", err);
	return 0;
}

static void
server_handle(struct evhttp_request *req, void *arg)
{
	struct server		*sv = arg;
	struct http		*h;
	const struct evhttp_uri	*uri;
	const char		*path, *q, *method;
	const struct route	*r, *allowed = NULL;
	char			*decoded = NULL;
	int			 status, began = 0;
	char			*peer = NULL;
	ev_uint16_t		 port = 0;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		evhttp_send_error(req, 503, "out of memory");
		return;
	}
	h->app = sv->app;
	h->req = req;
	h->start_us = server_now_us();
	h->method = server_method(evhttp_request_get_command(req));
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &peer, &port);
	snprintf(h->ip, sizeof(h->ip), "%s", peer ? peer : "-");
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || (decoded = evhttp_uridecode(path, 0, NULL)) == NULL ||
	    strlen(decoded) >= sizeof(h->path)) {
		free(decoded);
		http_error(h, 400, "bad_request", "bad path");
		goto done;
	}
	snprintf(h->path, sizeof(h->path), "%s", decoded);
	free(decoded);
	if ((q = evhttp_uri_get_query(uri)) != NULL) {
		h->query = calloc(1, sizeof(*h->query));
		if (h->query == NULL || evhttp_parse_query_str(q, h->query) != 0) {
			free(h->query);
			h->query = NULL;
			http_error(h, 400, "bad_request", "bad query string");
			goto done;
		}
	}
	method = strcmp(h->method, "HEAD") == 0 ? "GET" : h->method;
	if ((r = server_route(method, h->path, h->args, &allowed)) == NULL) {
		if (allowed != NULL) {
			h->route = allowed->pattern;
			http_error(h, 405, "method_not_allowed", "method %s is not allowed here",
			    h->method);
		} else {
			http_error(h, 404, "not_found", "no such resource");
		}
		goto done;
	}
	h->route = r->pattern;
	if ((strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0) && server_body(h) != 0)
		goto done;
	if (store_unit_begin(h->app->store) != 0) {
		store_unit_end(h->app->store, 0);
		http_error(h, 503, "unavailable", "the database is not answering");
		goto done;
	}
	began = 1;
	if (r->role != ROLE_PUBLIC && server_auth(h, r->role) != 0)
		goto done;
	status = r->handler(h);
	if (status == SERVER_ASYNC) {
		store_unit_end(h->app->store, 1);
		return;
	}
	if (store_failed(h->app->store) && h->status < 400)
		http_error(h, 503, "unavailable", "the database could not save this");
done:
	if (began)
		store_unit_end(h->app->store, h->status < 400);
	server_respond(h);
}

struct server *
server_new(struct app *app)
{
	struct server			*sv;
	struct evhttp_bound_socket	*bound;
	int				 one = 1;

	if ((sv = calloc(1, sizeof(*sv))) == NULL)
		return NULL;
	sv->app = app;
	sv->pending_tail = &sv->pending;
	if ((sv->http = evhttp_new(app->base)) == NULL) {
		free(sv);
		return NULL;
	}
	/* Bodies up to 1 MiB are read so that 64 KiB-1 MiB get our 413 JSON;
	 * larger ones are cut off by evhttp itself. */
	evhttp_set_max_body_size(sv->http, 1024 * 1024);
	evhttp_set_max_headers_size(sv->http, SERVER_MAX_HEADERS);
	evhttp_set_timeout(sv->http, 30);
	evhttp_set_allowed_methods(sv->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PATCH | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(sv->http, "application/json; charset=utf-8");
	evhttp_set_gencb(sv->http, server_handle, sv);
	if ((bound = evhttp_bind_socket_with_handle(sv->http, app->cfg->listen_host,
	    (ev_uint16_t)app->cfg->listen_port)) == NULL) {
		fprintf(stderr, "jardam: cannot listen on %s:%d\n", app->cfg->listen_host,
		    app->cfg->listen_port);
		evhttp_free(sv->http);
		free(sv);
		return NULL;
	}
	/* Accepted sockets inherit TCP_NODELAY from the listener: an answer's
	 * last segment must not wait for the client's delayed ACK. */
	setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	store_on_commit(app->store, server_on_commit, sv);
	return sv;
}

void
server_free(struct server *sv)
{
	if (sv == NULL)
		return;
	/* Answers still waiting are released only by a commit that worked. */
	server_on_commit(sv, store_flush(sv->app->store) == 0);
	evhttp_free(sv->http);
	free(sv);
}

unsigned long long
server_requests(const struct server *sv, int klass)
{
	return sv && klass >= 0 && klass < 6 ? sv->by_class[klass] : 0;
}
