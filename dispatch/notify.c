/* Delivery of the outbox: libcurl's multi socket interface on the event
 * loop (socket and timer callbacks, no blocking call, no thread), one
 * adapter per channel — signed webhook, Telegram Bot API, HTTP SMS
 * gateway — at least once, retried with capped exponential backoff. */
#include "dispatch/notify.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/log.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/view.h"

#define NOTIFY_MAX_FLIGHT	32
#define NOTIFY_MAX_RESPONSE	(64 * 1024)
#define NOTIFY_BACKOFF_MAX_MS	60000
#define NOTIFY_CONNECT_S	5
#define NOTIFY_TOTAL_S		15

struct notify_job {
	struct notify		*n;
	CURL			*easy;
	struct curl_slist	*headers;
	char			 id[40];	/* carried, not a pointer to the row */
	char			 channel[16];
	char			*body;
	char			 resp[2048];	/* the start of the answer */
	size_t			 resplen, total;
	struct notify_job	*next;
};

struct notify_sock {
	struct event	*ev;
};

struct notify {
	struct app		*app;
	CURLM			*multi;
	struct event		*curl_timer;	/* libcurl's own timeouts */
	struct event		*wake;		/* the next retry, or a scan now */
	struct notify_job	*flight;
	int			 nflight;
	int			 kicked;
	int			 channels;	/* configured: 1 webhook, 2 telegram, 4 sms */
};

static void notify_scan(struct notify *);

static size_t
notify_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct notify_job	*j = arg;
	size_t			 n = size * nmemb, keep;

	j->total += n;
	if (j->total > NOTIFY_MAX_RESPONSE)
		return 0;	/* a capped answer: the transfer fails */
	keep = sizeof(j->resp) - 1 - j->resplen;
	if (keep > n)
		keep = n;
	memcpy(j->resp + j->resplen, ptr, keep);
	j->resplen += keep;
	j->resp[j->resplen] = '\0';
	return n;
}

static void
notify_job_free(struct notify_job *j)
{
	if (j == NULL)
		return;
	if (j->easy != NULL)
		curl_easy_cleanup(j->easy);
	curl_slist_free_all(j->headers);
	free(j->body);
	free(j);
}

/* When to try again: 1 s doubling per attempt, capped at 60 s, with
 * jitter (half to all of the step) so failed receivers are not stampeded. */
static int64_t
notify_backoff_ms(long attempts)
{
	double		step = 1000.0 * pow(2, attempts > 16 ? 16 : (double)attempts);
	uint32_t	r = 0;

	if (step > NOTIFY_BACKOFF_MAX_MS)
		step = NOTIFY_BACKOFF_MAX_MS;
	token_random(&r, sizeof(r));
	return (int64_t)(step / 2 + (step / 2) * (r / 4294967295.0));
}

/* Telegram says how long to wait on 429: honour it. */
static int64_t
notify_retry_after_ms(const struct notify_job *j)
{
	json_t	*root = json_loads(j->resp, 0, NULL);
	json_t	*ra = json_object_get(json_object_get(root, "parameters"), "retry_after");
	int64_t	 ms = json_is_integer(ra) ? json_integer_value(ra) * 1000 : -1;

	json_decref(root);
	return ms;
}

static void
notify_done(struct notify *n, struct notify_job *j, CURLcode code)
{
	struct app	*app = n->app;
	long		 status = 0;
	json_t		*row;
	int64_t		 wait;
	char		 err[128];

	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	store_unit_begin(app->store);
	if ((row = store_outbox_get(app->store, j->id)) == NULL) {
		store_unit_end(app->store, 1);
		return;
	}
	if (code == CURLE_OK && status >= 200 && status < 300) {
		store_outbox_sent(app->store, j->id);
		log_info("event=notify_sent id=%s channel=%s status=%ld", j->id, j->channel, status);
	} else {
		wait = notify_backoff_ms(view_int(row, "attempts"));
		if (status == 429 && strcmp(j->channel, "telegram") == 0 &&
		    notify_retry_after_ms(j) >= 0)
			wait = notify_retry_after_ms(j);
		snprintf(err, sizeof(err), "%s %ld", code == CURLE_OK ? "http" :
		    curl_easy_strerror(code), status);
		store_outbox_retry(app->store, j->id, clock_now_ms() + wait, err);
		log_info("event=notify_retry id=%s channel=%s status=%ld wait_ms=%lld", j->id,
		    j->channel, status, (long long)wait);
	}
	json_decref(row);
	store_unit_end(app->store, 1);
	n->kicked = 1;
}

static void
notify_check(struct notify *n)
{
	CURLMsg			*msg;
	struct notify_job	*j, **pp;
	int			 left;

	while ((msg = curl_multi_info_read(n->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		notify_done(n, j, msg->data.result);
		curl_multi_remove_handle(n->multi, j->easy);
		for (pp = &n->flight; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == j) {
				*pp = j->next;
				break;
			}
		}
		n->nflight--;
		notify_job_free(j);
	}
}

static void
notify_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct notify	*n = arg;
	int		 running, action;

	action = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	curl_multi_socket_action(n->multi, fd, action, &running);
	notify_check(n);
}

static int
notify_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct notify		*n = userp;
	struct notify_sock	*si = sockp;
	short			 kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (si != NULL) {
			event_free(si->ev);
			free(si);
		}
		curl_multi_assign(n->multi, s, NULL);
		return 0;
	}
	kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0) |
	    EV_PERSIST);
	if (si == NULL) {
		if ((si = calloc(1, sizeof(*si))) == NULL)
			return -1;
		curl_multi_assign(n->multi, s, si);
	} else {
		event_free(si->ev);
	}
	si->ev = event_new(n->app->base, s, kind, notify_event_cb, n);
	event_add(si->ev, NULL);
	return 0;
}

static void
notify_curl_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct notify	*n = arg;
	int		 running;

	(void)fd; (void)what;
	curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	notify_check(n);
}

static int
notify_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct notify	*n = userp;
	struct timeval	 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(n->curl_timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(n->curl_timer, &tv);
	return 0;
}

/* Name and phone of the recipient, looked up at send time. */
static json_t *
notify_to(struct notify *n, json_t *msg, const char **chat)
{
	const char	*kind = view_str(msg, "to_kind"), *id = view_str(msg, "to_id");
	json_t		*row = NULL, *to;

	*chat = NULL;
	if (strcmp(kind, "vehicle") == 0)
		row = store_vehicle_get(n->app->store, id);
	else if (strcmp(kind, "volunteer") == 0)
		row = store_volunteer_get(n->app->store, id);
	else if (strcmp(kind, "service") == 0)
		row = store_service_get(n->app->store, id);
	else if (strcmp(kind, "shelter") == 0)
		row = store_shelter_get(n->app->store, id);
	if (row == NULL)
		return json_pack("{s:s,s:n}", "name", "operators", "phone");
	to = json_pack("{s:O,s:O}", "name", json_object_get(row,
	    strcmp(kind, "vehicle") == 0 ? "driver_name" : "name"), "phone",
	    json_object_get(row, "phone"));
	if (json_is_string(json_object_get(row, "telegram_chat")))
		*chat = json_string_value(json_object_get(row, "telegram_chat"));
	json_object_set(to, "telegram_chat", json_object_get(row, "telegram_chat"));
	json_decref(row);
	return to;
}

/* Replace {to} and {text} in the SMS URL template, URL-encoded. */
static char *
notify_sms_url(CURL *easy, const char *tmpl, const char *to, const char *text)
{
	char		*eto = curl_easy_escape(easy, to ? to : "", 0);
	char		*etext = curl_easy_escape(easy, text, 0);
	size_t		 cap = strlen(tmpl) + strlen(eto) * 2 + strlen(etext) * 2 + 1, o = 0;
	char		*out = malloc(cap);
	const char	*p = tmpl;

	while (out != NULL && *p != '\0') {
		if (strncmp(p, "{to}", 4) == 0) {
			o += (size_t)snprintf(out + o, cap - o, "%s", eto);
			p += 4;
		} else if (strncmp(p, "{text}", 6) == 0) {
			o += (size_t)snprintf(out + o, cap - o, "%s", etext);
			p += 6;
		} else {
			out[o++] = *p++;
		}
	}
	if (out != NULL)
		out[o] = '\0';
	curl_free(eto);
	curl_free(etext);
	return out;
}

/* Build and start one transfer; 0 when started, 1 when it cannot be sent
 * now (channel not configured: the message waits), -1 on error. */
static int
notify_start(struct notify *n, json_t *msg)
{
	struct config		*cfg = n->app->cfg;
	struct notify_job	*j;
	json_t			*to = NULL, *body = NULL;
	const char		*channel = view_str(msg, "channel"), *chat, *url;
	char			*link = NULL, full[1024], sig[128], hdr[256], ts[32], *sms = NULL;
	char			 target[1200], *signing = NULL;
	size_t			 len;
	int			 rc = -1;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->n = n;
	snprintf(j->id, sizeof(j->id), "%s", view_str(msg, "id"));
	if (json_is_string(json_object_get(msg, "link")))
		link = token_open_text(n->app->key, view_str(msg, "link"));
	to = notify_to(n, msg, &chat);
	url = json_string_value(json_object_get(msg, "url"));
	/* Operators, and copies to a service's own webhook, go by webhook. */
	if (url != NULL || strcmp(view_str(msg, "to_kind"), "operators") == 0 ||
	    (strcmp(channel, "telegram") == 0 && chat == NULL))
		channel = "webhook";
	snprintf(j->channel, sizeof(j->channel), "%s", channel);
	snprintf(full, sizeof(full), "%s%s%s", view_str(msg, "text"), link ? " " : "",
	    link ? link : "");
	if ((j->easy = curl_easy_init()) == NULL)
		goto out;
	if (strcmp(channel, "webhook") == 0) {
		if (url == NULL)
			url = cfg->webhook_url;
		if (url == NULL || url[0] == '\0') {
			rc = 1;
			goto out;
		}
		json_object_del(to, "telegram_chat");
		body = json_pack("{s:s,s:s,s:O,s:s,s:s?,s:O}", "id", j->id, "kind",
		    view_str(msg, "kind"), "to", to, "text", view_str(msg, "text"), "link", link,
		    "request", json_object_get(msg, "request"));
		if (json_object_get(body, "link") == NULL)
			json_object_set_new(body, "link", json_null());
		j->body = json_dumps(body, JSON_COMPACT);
		snprintf(ts, sizeof(ts), "%lld", (long long)clock_now());
		len = strlen(j->id) + strlen(ts) + strlen(j->body) + 3;
		if ((signing = malloc(len)) == NULL)
			goto out;
		snprintf(signing, len, "%s.%s.%s", j->id, ts, j->body);
		if (token_hmac_b64(cfg->webhook_secret, strlen(cfg->webhook_secret), signing,
		    strlen(signing), sig, sizeof(sig)) != 0)
			goto out;
		snprintf(hdr, sizeof(hdr), "webhook-id: %s", j->id);
		j->headers = curl_slist_append(j->headers, hdr);
		snprintf(hdr, sizeof(hdr), "webhook-timestamp: %s", ts);
		j->headers = curl_slist_append(j->headers, hdr);
		snprintf(hdr, sizeof(hdr), "webhook-signature: v1,%s", sig);
		j->headers = curl_slist_append(j->headers, hdr);
		snprintf(target, sizeof(target), "%s", url);
	} else if (strcmp(channel, "telegram") == 0) {
		if (cfg->telegram_token == NULL || cfg->telegram_token[0] == '\0') {
			rc = 1;
			goto out;
		}
		body = json_pack("{s:s,s:s,s:b,s:{s:b}}", "chat_id", chat, "text", full,
		    "disable_web_page_preview", 1, "link_preview_options", "is_disabled", 1);
		j->body = json_dumps(body, JSON_COMPACT);
		snprintf(target, sizeof(target), "%s/bot%s/sendMessage", cfg->telegram_api,
		    cfg->telegram_token);
	} else {
		if (cfg->sms_url == NULL || cfg->sms_url[0] == '\0') {
			rc = 1;
			goto out;
		}
		sms = notify_sms_url(j->easy, cfg->sms_url,
		    json_string_value(json_object_get(to, "phone")), full);
		if (sms == NULL)
			goto out;
		snprintf(target, sizeof(target), "%s", sms);
	}
	j->headers = curl_slist_append(j->headers, "Content-Type: application/json");
	curl_easy_setopt(j->easy, CURLOPT_URL, target);
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, j->headers);
	if (j->body != NULL)
		curl_easy_setopt(j->easy, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, notify_write_cb);
	curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->easy, CURLOPT_CONNECTTIMEOUT, (long)NOTIFY_CONNECT_S);
	curl_easy_setopt(j->easy, CURLOPT_TIMEOUT, (long)NOTIFY_TOTAL_S);
	curl_easy_setopt(j->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(j->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(j->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(j->easy, CURLOPT_USERAGENT, "jardam/0.1");
	if (curl_multi_add_handle(n->multi, j->easy) != CURLM_OK)
		goto out;
	j->next = n->flight;
	n->flight = j;
	n->nflight++;
	j = NULL;
	rc = 0;
out:
	json_decref(to);
	json_decref(body);
	free(link);
	free(sms);
	free(signing);
	notify_job_free(j);
	return rc;
}

static int
notify_in_flight(struct notify *n, const char *id)
{
	struct notify_job	*j;

	for (j = n->flight; j != NULL; j = j->next)
		if (strcmp(j->id, id) == 0)
			return 1;
	return 0;
}

/* Start what is due, then sleep until the next retry. Reads only
 * committed rows: it runs after the commit, never inside a turn's writes. */
static void
notify_scan(struct notify *n)
{
	json_t		*due, *m;
	size_t		 i;
	int64_t		 next, now = clock_now_ms(), wait;
	struct timeval	 tv;
	int		 parked = 0;

	n->kicked = 0;
	if (store_in_tx(n->app->store)) {
		n->kicked = 1;	/* after this turn's commit */
		return;
	}
	if (n->channels == 0)
		return;		/* nothing configured: messages wait in the outbox */
	due = store_outbox_due(n->app->store, now, NOTIFY_MAX_FLIGHT * 2, n->channels);
	json_array_foreach(due, i, m) {
		if (n->nflight >= NOTIFY_MAX_FLIGHT)
			break;
		if (notify_in_flight(n, view_str(m, "id")))
			continue;
		if (notify_start(n, m) == 1)
			parked++;
	}
	json_decref(due);
	if (n->nflight > 0) {
		int running;
		curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		notify_check(n);
	}
	/* Sleep until the earliest pending message (at most a minute, so a
	 * channel configured later or a clock jump is picked up). */
	next = store_outbox_next_ms(n->app->store, n->channels);
	wait = next < 0 || parked ? 60000 : next - clock_now_ms();
	if (wait < 50)
		wait = 50;
	if (wait > 60000)
		wait = 60000;
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(n->wake, &tv);
}

static void
notify_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	notify_scan(arg);
}

static void
notify_on_commit(void *arg, int ok)
{
	struct notify	*n = arg;
	struct timeval	 now = { 0, 0 };

	if (ok && n->kicked)
		evtimer_add(n->wake, &now);
	n->kicked = 0;
}

struct notify *
notify_new(struct app *app)
{
	struct notify	*n;
	struct timeval	 now = { 0, 0 };

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->app = app;
	n->channels = (app->cfg->webhook_url[0] ? 1 : 0) | (app->cfg->telegram_token[0] ? 2 : 0) |
	    (app->cfg->sms_url[0] ? 4 : 0);
	if (n->channels == 0)
		log_info("event=notify_idle reason=\"no channel configured\"");
	n->multi = curl_multi_init();
	n->curl_timer = evtimer_new(app->base, notify_curl_timer_cb, n);
	n->wake = evtimer_new(app->base, notify_wake_cb, n);
	if (n->multi == NULL || n->curl_timer == NULL || n->wake == NULL) {
		notify_free(n);
		return NULL;
	}
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, notify_sock_cb);
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, notify_timer_cb);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n);
	store_on_commit(app->store, notify_on_commit, n);
	/* Resume what a previous run left pending. */
	evtimer_add(n->wake, &now);
	return n;
}

void
notify_free(struct notify *n)
{
	struct notify_job	*j, *next;

	if (n == NULL)
		return;
	for (j = n->flight; j != NULL; j = next) {
		next = j->next;
		curl_multi_remove_handle(n->multi, j->easy);
		notify_job_free(j);
	}
	if (n->multi != NULL)
		curl_multi_cleanup(n->multi);
	if (n->curl_timer != NULL)
		event_free(n->curl_timer);
	if (n->wake != NULL)
		event_free(n->wake);
	free(n);
	curl_global_cleanup();
}

void
notify_kick(struct app *app)
{
	if (app->notify != NULL)
		app->notify->kicked = 1;
}
