/* The command line: serve, check, user add, demo. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/auth.h"
#include "dispatch/demo.h"
#include "dispatch/log.h"
#include "dispatch/server.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "dispatch/worker.h"
#include "geo/district.h"

#define JARDAM_VERSION	"0.1.0"
#define EX_USAGE	64

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: jardam [--config FILE] COMMAND\n"
	    "\n"
	    "commands:\n"
	    "  serve                         start the server\n"
	    "  check                         validate the config and the districts file\n"
	    "  user add NAME --role ROLE     create a user (admin or operator); the password\n"
	    "                                is read from standard input\n"
	    "  demo                          create the database with demo data and print\n"
	    "                                the logins and links (does nothing if it has users)\n"
	    "\n"
	    "options:\n"
	    "  --config FILE   INI file (without it: the built-in defaults, paths relative\n"
	    "                  to the current folder)\n"
	    "  --help          this text\n"
	    "  --version       the version\n"
	    "\n"
	    "Every key may be overridden by JARDAM_<SECTION>_<KEY> in the environment.\n"
	    "Keys:\n");
	if (fp == stdout)
		config_print_keys();
}

static void
main_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	log_info("event=stop signal=%d", (int)sig);
	event_base_loopexit(arg, NULL);
}

static int
main_serve(struct config *cfg)
{
	struct event_base	*base = NULL;
	struct event_config	*ec;
	struct event		*sigint = NULL, *sigterm = NULL;
	struct app		 app;
	int			 rc = 1;

	signal(SIGPIPE, SIG_IGN);
	if ((ec = event_config_new()) == NULL)
		return 1;
	base = event_base_new_with_config(ec);
	event_config_free(ec);
	/* Three priorities: urgent, normal (the default), end of turn (commit). */
	if (base == NULL || event_base_priority_init(base, 3) != 0) {
		fprintf(stderr, "jardam: cannot create the event loop\n");
		goto out;
	}
	if (app_open(&app, cfg, base) != 0)
		goto close;
	if ((app.server = server_new(&app)) == NULL)
		goto close;
	sigint = evsignal_new(base, SIGINT, main_stop, base);
	sigterm = evsignal_new(base, SIGTERM, main_stop, base);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	printf("jardam: serving on http://%s:%d/\n", cfg->listen_host, cfg->listen_port);
	fflush(stdout);
	log_info("event=listen host=%s port=%d", cfg->listen_host, cfg->listen_port);
	event_base_dispatch(base);
	rc = 0;
close:
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	/* Logins still hashing answer before their server goes. */
	worker_free(app.worker);
	app.worker = NULL;
	server_free(app.server);
	app.server = NULL;
	app_close(&app);
out:
	if (base)
		event_base_free(base);
	return rc;
}

static int
main_check(const char *file)
{
	struct config		*cfg;
	struct districts	*ds;
	char			*errs = NULL;
	int			 rc = 0;

	if ((cfg = config_load(file, &errs)) == NULL) {
		fprintf(stderr, "%s", errs);
		free(errs);
		return 1;
	}
	if ((ds = districts_load(cfg->districts, &errs)) == NULL) {
		fprintf(stderr, "%s", errs);
		free(errs);
		rc = 1;
	} else {
		printf("%s: ok (%zu districts)\n", file ? file : "defaults", districts_count(ds));
	}
	districts_free(ds);
	config_free(cfg);
	return rc;
}

static int
main_user_add(struct config *cfg, const char *name, const char *role)
{
	struct app	 app;
	char		 pw[512], hash[AUTH_HASH_LEN], id[40];
	size_t		 n;
	int		 rc = 1;

	if (strcmp(role, "admin") != 0 && strcmp(role, "operator") != 0) {
		fprintf(stderr, "jardam: --role must be admin or operator\n");
		return EX_USAGE;
	}
	if (strlen(name) == 0 || strlen(name) > 64) {
		fprintf(stderr, "jardam: the name must be 1-64 bytes\n");
		return EX_USAGE;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password: ");
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fprintf(stderr, "jardam: no password on standard input\n");
		return 1;
	}
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (n < 10) {
		fprintf(stderr, "jardam: the password must have at least 10 characters\n");
		return 1;
	}
	if (app_open(&app, cfg, NULL) != 0)
		goto out;
	if (auth_hash(pw, hash) != 0 || token_id("usr", id, sizeof(id)) != 0) {
		fprintf(stderr, "jardam: cannot hash the password\n");
		goto close;
	}
	store_unit_begin(app.store);
	switch (store_user_add(app.store, id, name, role, hash)) {
	case 1:
		rc = 0;
		break;
	case -2:
		fprintf(stderr, "jardam: user %s exists\n", name);
		break;
	default:
		fprintf(stderr, "jardam: cannot save the user\n");
	}
	store_unit_end(app.store, rc == 0);
	if (rc == 0)
		printf("user %s (%s) created\n", name, role);
close:
	app_close(&app);
out:
	explicit_bzero(pw, sizeof(pw));
	return rc;
}

static int
main_demo(struct config *cfg)
{
	struct app	 app;
	char		*path, *slash, *real;
	int		 rc;

	if (app_open(&app, cfg, NULL) != 0)
		return 1;
	/* The logins file sits beside the database (which exists by now). */
	if ((real = realpath(cfg->database, NULL)) == NULL ||
	    (path = malloc(strlen(real) + 32)) == NULL) {
		free(real);
		app_close(&app);
		return 1;
	}
	slash = strrchr(real, '/');
	*slash = '\0';
	snprintf(path, strlen(real) + 32, "%s/demo-logins.txt", real);
	free(real);
	rc = demo_load(&app, path) == 0 ? 0 : 1;
	free(path);
	app_close(&app);
	return rc;
}

int
main(int argc, char **argv)
{
	const char	*file = NULL, *role = NULL;
	struct config	*cfg;
	char		*errs = NULL;
	int		 i, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("jardam %s\n", JARDAM_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else {
			fprintf(stderr, "jardam: unknown option %s\n", argv[i]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[i], "check") == 0 && i + 1 == argc)
		return main_check(file);
	if ((cfg = config_load(file, &errs)) == NULL) {
		fprintf(stderr, "%s", errs);
		free(errs);
		return 1;
	}
	if (strcmp(argv[i], "serve") == 0 && i + 1 == argc) {
		rc = main_serve(cfg);
	} else if (strcmp(argv[i], "demo") == 0 && i + 1 == argc) {
		rc = main_demo(cfg);
	} else if (strcmp(argv[i], "user") == 0 && i + 5 == argc && strcmp(argv[i + 1], "add") == 0 &&
	    strcmp(argv[i + 3], "--role") == 0) {
		role = argv[i + 4];
		rc = main_user_add(cfg, argv[i + 2], role);
	} else {
		usage(stderr);
		rc = EX_USAGE;
	}
	config_free(cfg);
	return rc;
}
