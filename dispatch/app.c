/* The application: open and close everything one running Jardam holds. */
#include "dispatch/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "dispatch/auth.h"
#include "dispatch/clock.h"
#include "dispatch/deadline.h"
#include "dispatch/escalate.h"
#include "dispatch/fleet.h"
#include "dispatch/log.h"
#include "dispatch/match.h"
#include "dispatch/notify.h"
#include "dispatch/referral.h"
#include "dispatch/store.h"
#include "dispatch/trip.h"
#include "dispatch/worker.h"
#include "geo/district.h"

/* Create the folder a file lives in (one level), mode 0700. */
static int
app_mkdir_for(const char *path)
{
	char	*dir, *slash;
	int	 rc = 0;

	if ((dir = strdup(path)) == NULL)
		return -1;
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "jardam: cannot create %s: %s\n", dir, strerror(errno));
			rc = -1;
		}
	}
	free(dir);
	return rc;
}

int
app_open(struct app *app, struct config *cfg, struct event_base *base)
{
	char	 err[512], *errs = NULL;
	long	 n;
	int64_t	 t0;

	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->base = base;
	if ((app->districts = districts_load(cfg->districts, &errs)) == NULL) {
		fprintf(stderr, "%s", errs);
		free(errs);
		return -1;
	}
	if (app_mkdir_for(cfg->key_file) != 0 || app_mkdir_for(cfg->database) != 0)
		return -1;
	if (token_key_load(cfg->key_file, app->key, err, sizeof(err)) != 0) {
		fprintf(stderr, "jardam: %s\n", err);
		return -1;
	}
	if ((app->store = store_open(cfg->database, base, err, sizeof(err))) == NULL) {
		fprintf(stderr, "jardam: %s\n", err);
		return -1;
	}
	if ((app->fleet = fleet_new(app->districts)) == NULL || match_load(app) != 0) {
		fprintf(stderr, "jardam: cannot load the fleet\n");
		return -1;
	}
	if (base == NULL)
		return 0;
	if ((app->auth = auth_new()) == NULL || (app->worker = worker_new(base)) == NULL ||
	    (app->deadline = deadline_new(app)) == NULL || match_init(app) != 0 ||
	    (app->notify = notify_new(app)) == NULL) {
		fprintf(stderr, "jardam: cannot start the dispatcher\n");
		return -1;
	}
	trip_init(app);
	escalate_init(app);
	referral_init(app);
	t0 = clock_now_ms();
	if ((n = deadline_rearm(app->deadline)) < 0) {
		fprintf(stderr, "jardam: cannot re-arm the deadlines\n");
		return -1;
	}
	log_info("event=start districts=%zu deadlines=%ld rearm_ms=%lld vehicles_available=%zu",
	    districts_count(app->districts), n, (long long)(clock_now_ms() - t0),
	    fleet_available(app->fleet, FLEET_VEHICLE));
	match_kick(app, MATCH_FLEET | MATCH_BEDS);
	return 0;
}

void
app_close(struct app *app)
{
	notify_free(app->notify);
	match_free(app);
	deadline_free(app->deadline);
	worker_free(app->worker);
	auth_free(app->auth);
	fleet_free(app->fleet);
	store_free(app->store);
	districts_free(app->districts);
	memset(app->key, 0, sizeof(app->key));
}
