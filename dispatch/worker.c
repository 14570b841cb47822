/* One worker thread: a locked queue in, a pipe back to the event loop. */
#include "dispatch/worker.h"

#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct worker_job {
	void			(*work)(void *);
	void			(*done)(void *);
	void			*arg;
	struct worker_job	*next;
};

struct worker {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct worker_job	*head, *tail;
	int			 stop;
	int			 pipe[2];	/* completions: worker -> loop */
	struct event		*ev;
};

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct worker_job	*j;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->head == NULL && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->head == NULL) {
			pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		j = w->head;
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		j->work(j->arg);
		/* A pointer fits in one atomic pipe write. */
		if (write(w->pipe[1], &j, sizeof(j)) != sizeof(j))
			abort();
	}
}

static void
worker_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker_job	*j;

	(void)what; (void)arg;
	while (read(fd, &j, sizeof(j)) == sizeof(j)) {
		j->done(j->arg);
		free(j);
	}
}

struct worker *
worker_new(struct event_base *base)
{
	struct worker	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pipe2(w->pipe, O_CLOEXEC) != 0) {
		free(w);
		return NULL;
	}
	fcntl(w->pipe[0], F_SETFL, O_NONBLOCK);
	w->ev = event_new(base, w->pipe[0], EV_READ | EV_PERSIST, worker_done_cb, w);
	if (w->ev == NULL || event_add(w->ev, NULL) != 0 ||
	    pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		if (w->ev)
			event_free(w->ev);
		close(w->pipe[0]);
		close(w->pipe[1]);
		free(w);
		return NULL;
	}
	return w;
}

void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	worker_done_cb(w->pipe[0], 0, w);
	event_free(w->ev);
	close(w->pipe[0]);
	close(w->pipe[1]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

int
worker_submit(struct worker *w, void (*work)(void *), void (*done)(void *), void *arg)
{
	struct worker_job	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->work = work;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}
