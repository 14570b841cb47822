/* The demo data set, in Bishkek, Osh city, Balykchy, Karakol, Kara-Suu
 * (Osh oblast) and Alamudun. */
#include "dispatch/demo.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/auth.h"
#include "dispatch/clock.h"
#include "dispatch/store.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"

static const struct {
	const char	*name, *district, *address, *phone;
	double		 lat, lon;
	int		 beds;
} demo_shelters[] = {
	{ "Crisis centre Sezim", "bishkek", "(demo) Bishkek, 1 Example St", "+996700000101",
	    42.8746, 74.6122, 12 },
	{ "Shelter Ak-Jol", "alamudun", "(demo) Alamudun, 2 Example St", "+996700000102",
	    42.9100, 74.6500, 6 },
	{ "Crisis centre Osh", "osh-city", "(demo) Osh, 3 Example St", "+996700000103",
	    40.5283, 72.7985, 8 },
	{ "Shelter Kara-Suu", "kara-suu", "(demo) Kara-Suu, 4 Example St", "+996700000104",
	    40.7030, 72.8850, 4 },
	{ "Crisis centre Karakol", "karakol-city", "(demo) Karakol, 5 Example St",
	    "+996700000105", 42.4907, 78.3936, 6 },
	{ "Shelter Balykchy", "balykchy-city", "(demo) Balykchy, 6 Example St", "+996700000106",
	    42.4600, 76.1800, 4 },
};

static const struct {
	const char	*name, *district, *phone, *features;
	double		 lat, lon;
	int		 seats;
} demo_vehicles[] = {
	{ "Aigul (demo)", "bishkek", "+996700000201", "[\"child_seat\",\"female_driver\"]",
	    42.8700, 74.5900, 4 },
	{ "Bakyt (demo)", "bishkek", "+996700000202", "[]", 42.8400, 74.6000, 6 },
	{ "Cholpon (demo)", "alamudun", "+996700000203", "[\"female_driver\"]", 42.9200, 74.6200, 4 },
	{ "Dinara (demo)", "osh-city", "+996700000204", "[\"child_seat\",\"female_driver\"]",
	    40.5300, 72.8000, 4 },
	{ "Emil (demo)", "kara-suu", "+996700000205", "[]", 40.7000, 72.8800, 7 },
	{ "Farida (demo)", "karakol-city", "+996700000206", "[\"female_driver\"]", 42.4900, 78.3900, 4 },
	{ "Gulnara (demo)", "balykchy-city", "+996700000207", "[\"child_seat\"]", 42.4600, 76.1850, 4 },
};

static const struct {
	const char	*name, *district, *phone, *role;
	double		 lat, lon;
} demo_volunteers[] = {
	{ "Jyldyz (demo)", "bishkek", "+996700000301", "escort", 42.8800, 74.6000 },
	{ "Kanykei (demo)", "osh-city", "+996700000302", "escort", 40.5200, 72.7900 },
	{ "Lola (demo)", "bishkek", "+996700000303", "psychologist", 42.8650, 74.5800 },
};

static const struct {
	const char	*name, *kind, *district;
} demo_services[] = {
	{ "Bishkek police (demo)", "police", "bishkek" },
	{ "Bishkek social service (demo)", "social", "bishkek" },
	{ "Bishkek hospital (demo)", "medical", "bishkek" },
	{ "Bishkek coordinator (demo)", "coordinator", "bishkek" },
	{ "Osh police (demo)", "police", "osh-city" },
	{ "Osh social service (demo)", "social", "osh-city" },
	{ "Osh coordinator (demo)", "coordinator", "osh-city" },
	{ "Karakol social service (demo)", "social", "karakol-city" },
	{ "Issyk-Kul coordinator (demo)", "coordinator", "karakol-city" },
	{ "Kara-Suu social service (demo)", "social", "kara-suu" },
};

static int
demo_link(struct app *app, const char *kind, const char *id, char *link, size_t len)
{
	char	token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];

	if (token_new(token) != 0)
		return -1;
	token_hash(token, hash);
	if (store_link_add(app->store, hash, kind, id) != 1)
		return -1;
	snprintf(link, len, "%s/l/%s", app->cfg->public_url, token);
	return 0;
}

static int
demo_user(struct app *app, const char *name, const char *role, char pw[TOKEN_LEN + 1])
{
	char	id[40], hash[AUTH_HASH_LEN];

	if (token_new(pw) != 0)
		return -1;
	pw[16] = '\0';
	if (auth_hash(pw, hash) != 0 || token_id("usr", id, sizeof(id)) != 0)
		return -1;
	return store_user_add(app->store, id, name, role, hash) == 1 ? 0 : -1;
}

int
demo_load(struct app *app, const char *path)
{
	char		 admin[TOKEN_LEN + 1], oper[TOKEN_LEN + 1], id[40], link[512], line[700];
	json_t		*v;
	FILE		*fp;
	size_t		 i;
	int		 fd, rc = -1;
	int64_t		 vetted = clock_now() + 365 * 86400;
	char		 buf[512];

	if (store_user_count(app->store) > 0) {
		if ((fp = fopen(path, "r")) != NULL) {
			while (fgets(buf, sizeof(buf), fp) != NULL)
				fputs(buf, stdout);
			fclose(fp);
		} else {
			printf("The database already has users; the demo was not loaded again.\n");
		}
		return 0;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    (fp = fdopen(fd, "w")) == NULL) {
		perror(path);
		return -1;
	}
	store_unit_begin(app->store);
	if (demo_user(app, "admin", "admin", admin) != 0 ||
	    demo_user(app, "operator", "operator", oper) != 0)
		goto out;
	fprintf(fp, "Jardam demo\n  console:  %s/\n  admin:    admin / %s\n  operator: operator / %s\n",
	    app->cfg->public_url, admin, oper);
	fprintf(fp, "\nShelter managers' links:\n");
	for (i = 0; i < sizeof(demo_shelters) / sizeof(demo_shelters[0]); i++) {
		token_id("shl", id, sizeof(id));
		v = json_pack("{s:s,s:s,s:f,s:f,s:s,s:s,s:i,s:i,s:s}", "name", demo_shelters[i].name,
		    "district", demo_shelters[i].district, "lat", demo_shelters[i].lat,
		    "lon", demo_shelters[i].lon, "address", demo_shelters[i].address,
		    "phone", demo_shelters[i].phone, "beds_total", demo_shelters[i].beds,
		    "beds_available", demo_shelters[i].beds, "channel", "webhook");
		if (store_shelter_add(app->store, id, v) != 1 ||
		    demo_link(app, "shelter", id, link, sizeof(link)) != 0) {
			json_decref(v);
			goto out;
		}
		json_decref(v);
		fprintf(fp, "  %-26s %-14s %s\n", demo_shelters[i].name, demo_shelters[i].district, link);
	}
	fprintf(fp, "\nDrivers' links (vehicles start available in the demo):\n");
	for (i = 0; i < sizeof(demo_vehicles) / sizeof(demo_vehicles[0]); i++) {
		token_id("veh", id, sizeof(id));
		v = json_pack("{s:s,s:s,s:s,s:f,s:f,s:i,s:I,s:s,s:s}", "driver_name",
		    demo_vehicles[i].name, "phone", demo_vehicles[i].phone,
		    "district", demo_vehicles[i].district, "lat", demo_vehicles[i].lat,
		    "lon", demo_vehicles[i].lon, "seats", demo_vehicles[i].seats,
		    "vetted_until", (json_int_t)vetted, "features", demo_vehicles[i].features,
		    "channel", "webhook");
		if (store_vehicle_add(app->store, id, v) != 1 ||
		    store_vehicle_set_status(app->store, id, "available") != 1 ||
		    demo_link(app, "vehicle", id, link, sizeof(link)) != 0) {
			json_decref(v);
			goto out;
		}
		json_decref(v);
		fprintf(fp, "  %-26s %-14s %s\n", demo_vehicles[i].name, demo_vehicles[i].district, link);
	}
	fprintf(fp, "\nVolunteers' links:\n");
	for (i = 0; i < sizeof(demo_volunteers) / sizeof(demo_volunteers[0]); i++) {
		token_id("vol", id, sizeof(id));
		v = json_pack("{s:s,s:s,s:s,s:s,s:I,s:f,s:f,s:s}", "name", demo_volunteers[i].name,
		    "phone", demo_volunteers[i].phone, "district", demo_volunteers[i].district,
		    "role", demo_volunteers[i].role, "vetted_until", (json_int_t)vetted,
		    "lat", demo_volunteers[i].lat, "lon", demo_volunteers[i].lon, "channel", "webhook");
		if (store_volunteer_add(app->store, id, v) != 1 ||
		    store_volunteer_set_status(app->store, id, "available") != 1 ||
		    demo_link(app, "volunteer", id, link, sizeof(link)) != 0) {
			json_decref(v);
			goto out;
		}
		json_decref(v);
		fprintf(fp, "  %-26s %-14s %s\n", demo_volunteers[i].name, demo_volunteers[i].district,
		    link);
	}
	for (i = 0; i < sizeof(demo_services) / sizeof(demo_services[0]); i++) {
		token_id("svc", id, sizeof(id));
		v = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", demo_services[i].name,
		    "kind", demo_services[i].kind, "district", demo_services[i].district,
		    "phone", "+996700000400", "channel", "webhook");
		if (store_service_add(app->store, id, v) != 1) {
			json_decref(v);
			goto out;
		}
		json_decref(v);
	}
	rc = 0;
out:
	store_unit_end(app->store, rc == 0);
	if (rc == 0 && store_flush(app->store) != 0)
		rc = -1;
	fclose(fp);
	if (rc != 0) {
		fprintf(stderr, "jardam: the demo could not be loaded\n");
		unlink(path);
		return -1;
	}
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			fputs(line, stdout);
		fclose(fp);
	}
	printf("(kept in %s)\n", path);
	return 0;
}
