/* Staff: login (password checked on the worker thread), logout, who am I. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/api.h"
#include "dispatch/app.h"
#include "dispatch/auth.h"
#include "dispatch/clock.h"
#include "dispatch/log.h"
#include "dispatch/server.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/view.h"
#include "dispatch/worker.h"

struct api_login_job {
	struct http	*h;
	char		 userkey[80];	/* rate-limit keys: "u:NAME", "ip:ADDR" */
	char		 ipkey[80];
	char		 password[264];
	char		 hash[256];
	char		 user_id[64];
	char		 role[16];
	int		 known;
	int		 ok;
};

static void
api_login_work(void *arg)
{
	struct api_login_job	*j = arg;

	j->ok = auth_verify(j->hash, j->password);
}

static void
api_login_done(void *arg)
{
	struct api_login_job	*j = arg;
	struct http		*h = j->h;
	struct app		*app = h->app;
	char			 token[TOKEN_LEN + 1], csrf[TOKEN_LEN + 1];
	char			 hash[TOKEN_HASH_LEN + 1], cookie[256], ts[CLOCK_RFC3339_LEN];
	int64_t			 now = clock_now(), expires;

	explicit_bzero(j->password, sizeof(j->password));
	if (!j->ok || !j->known) {
		auth_failed(app->auth, j->userkey, now);
		auth_failed(app->auth, j->ipkey, now);
		log_info("event=login_failed ip=%s", h->ip);
		http_error(h, 401, "unauthorized", "wrong username or password");
		goto out;
	}
	auth_succeeded(app->auth, j->userkey);
	expires = now + app->cfg->session_ttl;
	if (token_new(token) != 0 || token_new(csrf) != 0) {
		http_error(h, 503, "unavailable", "no randomness");
		goto out;
	}
	token_hash(token, hash);
	store_unit_begin(app->store);
	if (store_session_add(app->store, hash, j->user_id, csrf, expires) != 1) {
		store_unit_end(app->store, 0);
		http_error(h, 503, "unavailable", "the database could not save the session");
		goto out;
	}
	store_unit_end(app->store, 1);
	clock_rfc3339(expires, ts);
	snprintf(cookie, sizeof(cookie), "jardam_session=%s; Path=/; HttpOnly; SameSite=Strict;"
	    " Max-Age=%ld%s", token, app->cfg->session_ttl,
	    strncmp(app->cfg->public_url, "https:", 6) == 0 ? "; Secure" : "");
	h->cookie = strdup(cookie);
	log_info("event=login user=%s role=%s", j->user_id, j->role);
	http_json(h, 200, json_pack("{s:s,s:s,s:s,s:s}", "token", token, "role", j->role,
	    "expires_at", ts, "csrf", csrf));
out:
	free(j);
	http_finish(h);
}

int
api_login(struct http *h)
{
	struct api_login_job	*j;
	const char		*user, *pw;
	json_t			*u;
	int64_t			 now = clock_now();

	if (http_field_str(h, "username", 1, 64, &user) != 0 ||
	    http_field_str(h, "password", 1, 256, &pw) != 0)
		return h->status;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return http_error(h, 503, "unavailable", "out of memory");
	snprintf(j->userkey, sizeof(j->userkey), "u:%s", user);
	snprintf(j->ipkey, sizeof(j->ipkey), "ip:%s", h->ip);
	if (auth_limited(h->app->auth, j->userkey, AUTH_MAX_FAILS, now) ||
	    auth_limited(h->app->auth, j->ipkey, AUTH_MAX_FAILS_IP, now)) {
		free(j);
		return http_error(h, 429, "rate_limited", "too many failed logins; wait 15 minutes");
	}
	j->h = h;
	snprintf(j->password, sizeof(j->password), "%s", pw);
	if ((u = store_user_by_name(h->app->store, user)) != NULL) {
		j->known = 1;
		snprintf(j->hash, sizeof(j->hash), "%s", json_string_value(json_object_get(u, "pw_hash")));
		snprintf(j->user_id, sizeof(j->user_id), "%s", json_string_value(json_object_get(u, "id")));
		snprintf(j->role, sizeof(j->role), "%s", json_string_value(json_object_get(u, "role")));
		json_decref(u);
	} else {
		/* Unknown users cost the same time as known ones. */
		snprintf(j->hash, sizeof(j->hash), "%s", auth_dummy_hash(h->app->auth));
	}
	if (worker_submit(h->app->worker, api_login_work, api_login_done, j) != 0) {
		free(j);
		return http_error(h, 503, "unavailable", "out of memory");
	}
	return SERVER_ASYNC;
}

int
api_logout(struct http *h)
{
	store_session_delete(h->app->store, h->session);
	h->cookie = strdup("jardam_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	return http_json(h, 200, json_pack("{s:b}", "ok", 1));
}

int
api_me(struct http *h)
{
	json_t	*u = store_user_get(h->app->store, h->user_id), *s;

	if (u == NULL)
		return http_error(h, 401, "unauthorized", "log in first");
	/* The console needs its CSRF token again after a reload; only a
	 * same-origin page can read this answer. */
	if ((s = store_session_get(h->app->store, h->session)) != NULL) {
		json_object_set(u, "csrf", json_object_get(s, "csrf"));
		json_decref(s);
	}
	return http_json(h, 200, u);
}

/* A new staff account: the password is hashed on the worker thread. */
struct api_user_job {
	struct http	*h;
	char		 username[72];
	char		 role[16];
	char		 password[264];
	char		 hash[AUTH_HASH_LEN];
	int		 ok;
};

static void
api_user_work(void *arg)
{
	struct api_user_job	*j = arg;

	j->ok = auth_hash(j->password, j->hash) == 0;
	explicit_bzero(j->password, sizeof(j->password));
}

static void
api_user_done(void *arg)
{
	struct api_user_job	*j = arg;
	struct http		*h = j->h;
	char			 id[40];
	int			 rc;

	store_unit_begin(h->app->store);
	if (!j->ok || token_id("usr", id, sizeof(id)) != 0) {
		http_error(h, 503, "unavailable", "cannot hash the password");
		rc = -1;
	} else if ((rc = store_user_add(h->app->store, id, j->username, j->role, j->hash)) == -2) {
		http_error(h, 409, "conflict", "a user with this name exists");
	} else if (rc != 1) {
		http_error(h, 503, "unavailable", "the database could not save this");
	} else {
		log_info("event=user_added id=%s role=%s by=%s", id, j->role, h->user_id);
		http_json(h, 201, json_pack("{s:s,s:s,s:s}", "id", id, "username", j->username,
		    "role", j->role));
	}
	store_unit_end(h->app->store, h->status < 400);
	free(j);
	http_finish(h);
}

int
api_user_add(struct http *h)
{
	struct api_user_job	*j;
	const char		*name, *pw, *role;

	if (http_field_str(h, "username", 1, 64, &name) != 0 ||
	    http_field_str(h, "password", 1, 256, &pw) != 0 ||
	    http_field_str(h, "role", 1, 16, &role) != 0)
		return h->status;
	if (strcmp(role, "admin") != 0 && strcmp(role, "operator") != 0)
		return http_error(h, 400, "bad_request", "role must be admin or operator");
	if (strlen(pw) < 10)
		return http_error(h, 400, "bad_request", "the password needs at least 10 characters");
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return http_error(h, 503, "unavailable", "out of memory");
	j->h = h;
	snprintf(j->username, sizeof(j->username), "%s", name);
	snprintf(j->role, sizeof(j->role), "%s", role);
	snprintf(j->password, sizeof(j->password), "%s", pw);
	if (worker_submit(h->app->worker, api_user_work, api_user_done, j) != 0) {
		free(j);
		return http_error(h, 503, "unavailable", "out of memory");
	}
	return SERVER_ASYNC;
}

int
api_user_list(struct http *h)
{
	json_t	*rows = store_user_list(h->app->store);

	if (rows == NULL)
		return http_error(h, 503, "unavailable", "the database is not answering");
	return http_json(h, 200, view_rows(rows));
}
