/* Durable deadlines: rows in the store, a min-heap of (due, row) in
 * memory and one libevent timer for the top. A row that was moved or
 * dropped leaves a stale heap entry, skipped when it comes up. */
#include "dispatch/deadline.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/app.h"
#include "dispatch/clock.h"
#include "dispatch/log.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"

#define DEADLINE_MAX_KINDS 8

struct deadline_entry {
	int64_t	due_ms;
	int64_t	seq;
};

struct deadline {
	struct app		*app;
	struct event		*timer;
	struct deadline_entry	*heap;
	size_t			 n, cap;
	struct {
		const char	*kind;
		deadline_fn	 fn;
	}			 kinds[DEADLINE_MAX_KINDS];
	size_t			 nkinds;
	int64_t			 armed_ms;	/* due of the armed timer, or -1 */
};

static void
deadline_swap(struct deadline_entry *a, struct deadline_entry *b)
{
	struct deadline_entry	t = *a;

	*a = *b;
	*b = t;
}

static int
deadline_push(struct deadline *dl, int64_t due_ms, int64_t seq)
{
	struct deadline_entry	*p;
	size_t			 i;

	if (dl->n == dl->cap) {
		dl->cap = dl->cap ? dl->cap * 2 : 256;
		if ((p = realloc(dl->heap, dl->cap * sizeof(*p))) == NULL)
			return -1;
		dl->heap = p;
	}
	i = dl->n++;
	dl->heap[i] = (struct deadline_entry){ due_ms, seq };
	while (i > 0 && dl->heap[(i - 1) / 2].due_ms > dl->heap[i].due_ms) {
		deadline_swap(&dl->heap[(i - 1) / 2], &dl->heap[i]);
		i = (i - 1) / 2;
	}
	return 0;
}

static struct deadline_entry
deadline_pop(struct deadline *dl)
{
	struct deadline_entry	top = dl->heap[0];
	size_t			 i = 0, l, m;

	dl->heap[0] = dl->heap[--dl->n];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < dl->n && dl->heap[l].due_ms < dl->heap[m].due_ms)
			m = l;
		if (l + 1 < dl->n && dl->heap[l + 1].due_ms < dl->heap[m].due_ms)
			m = l + 1;
		if (m == i)
			break;
		deadline_swap(&dl->heap[i], &dl->heap[m]);
		i = m;
	}
	return top;
}

static void
deadline_arm(struct deadline *dl)
{
	struct timeval	tv;
	int64_t		wait;

	if (dl->n == 0) {
		event_del(dl->timer);
		dl->armed_ms = -1;
		return;
	}
	if (dl->armed_ms == dl->heap[0].due_ms && evtimer_pending(dl->timer, NULL))
		return;
	wait = dl->heap[0].due_ms - clock_now_ms();
	if (wait < 0)
		wait = 0;
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(dl->timer, &tv);
	dl->armed_ms = dl->heap[0].due_ms;
}

static void
deadline_fire(struct deadline *dl, int64_t seq, int64_t due_ms)
{
	struct app	*app = dl->app;
	json_t		*row;
	const char	*kind;
	size_t		 i;

	store_unit_begin(app->store);
	row = store_deadline_get(app->store, seq);
	if (row == NULL || json_integer_value(json_object_get(row, "due_ms")) != due_ms) {
		json_decref(row);	/* moved or dropped since */
		store_unit_end(app->store, 1);
		return;
	}
	store_deadline_delete(app->store, seq);
	kind = json_string_value(json_object_get(row, "kind"));
	for (i = 0; i < dl->nkinds; i++) {
		if (strcmp(dl->kinds[i].kind, kind) == 0) {
			dl->kinds[i].fn(app, json_string_value(json_object_get(row, "subject")));
			break;
		}
	}
	if (i == dl->nkinds)
		log_warn("event=deadline_unknown kind=%s", kind);
	json_decref(row);
	store_unit_end(app->store, 1);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct deadline		*dl = arg;
	struct deadline_entry	 e;
	int64_t			 now = clock_now_ms();

	(void)fd; (void)what;
	dl->armed_ms = -1;
	while (dl->n > 0 && dl->heap[0].due_ms <= now) {
		e = deadline_pop(dl);
		deadline_fire(dl, e.seq, e.due_ms);
	}
	deadline_arm(dl);
}

struct deadline *
deadline_new(struct app *app)
{
	struct deadline	*dl;

	if ((dl = calloc(1, sizeof(*dl))) == NULL)
		return NULL;
	dl->app = app;
	dl->armed_ms = -1;
	if ((dl->timer = evtimer_new(app->base, deadline_cb, dl)) == NULL) {
		free(dl);
		return NULL;
	}
	return dl;
}

void
deadline_free(struct deadline *dl)
{
	if (dl == NULL)
		return;
	event_free(dl->timer);
	free(dl->heap);
	free(dl);
}

int
deadline_on(struct deadline *dl, const char *kind, deadline_fn fn)
{
	if (dl->nkinds == DEADLINE_MAX_KINDS)
		return -1;
	dl->kinds[dl->nkinds].kind = kind;
	dl->kinds[dl->nkinds++].fn = fn;
	return 0;
}

static void
deadline_load_row(json_t *row, void *arg)
{
	struct deadline	*dl = arg;

	deadline_push(dl, json_integer_value(json_object_get(row, "due_ms")),
	    json_integer_value(json_object_get(row, "seq")));
}

long
deadline_rearm(struct deadline *dl)
{
	if (store_deadline_each(dl->app->store, deadline_load_row, dl) != 0)
		return -1;
	deadline_arm(dl);
	return (long)dl->n;
}

int
deadline_set(struct app *app, const char *kind, const char *subject, int64_t due_ms)
{
	int64_t	seq;

	if ((seq = store_deadline_set(app->store, kind, subject, due_ms)) < 0)
		return -1;
	if (app->deadline == NULL)
		return 0;
	/* Armed before the commit: if the commit fails, the alarm finds no
	 * row (or another due) and does nothing. */
	if (deadline_push(app->deadline, due_ms, seq) != 0)
		return -1;
	deadline_arm(app->deadline);
	return 0;
}

void
deadline_clear(struct app *app, const char *kind, const char *subject)
{
	store_deadline_clear(app->store, kind, subject);
}
