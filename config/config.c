/* The configuration loader: one table of keys (section, key, type, bounds,
 * default, help), read with inih, overridden by JARDAM_<SECTION>_<KEY>. */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum config_type {
	CONFIG_STR,
	CONFIG_SECRET,
	CONFIG_PATH,
	CONFIG_URL,
	CONFIG_LISTEN,
	CONFIG_INT,
	CONFIG_DURATION,
	CONFIG_LANG,
};

struct config_key {
	const char	*section;
	const char	*key;
	enum config_type type;
	long		 min, max;	/* ints and durations; string min length */
	const char	*def;
	size_t		 off;
	const char	*help;
};

#define OFF(f) offsetof(struct config, f)

static const struct config_key config_keys[] = {
	{ "server", "listen", CONFIG_LISTEN, 0, 0, "127.0.0.1:8080", OFF(listen_host),
	    "host:port to listen on; port 0 is not allowed" },
	{ "server", "public_url", CONFIG_URL, 0, 0, "http://127.0.0.1:8080", OFF(public_url),
	    "base of every link sent out" },
	{ "server", "session_ttl", CONFIG_DURATION, 60, 7 * 86400, "12h", OFF(session_ttl),
	    "how long a staff login lasts" },
	{ "storage", "database", CONFIG_PATH, 0, 0, "var/jardam.db", OFF(database),
	    "SQLite file, created if missing" },
	{ "storage", "key_file", CONFIG_PATH, 0, 0, "var/jardam.key", OFF(key_file),
	    "master key, created (mode 0600) if missing" },
	{ "geo", "districts", CONFIG_PATH, 0, 0, "config/districts/kg.geojson", OFF(districts),
	    "GeoJSON FeatureCollection of districts" },
	{ "dispatch", "offer_timeout", CONFIG_DURATION, 1, 86400, "90s", OFF(offer_timeout),
	    "a driver/volunteer offer lapses after this" },
	{ "dispatch", "offer_parallel_high", CONFIG_INT, 1, 50, "3", OFF(offer_parallel_high),
	    "high-risk requests are offered to this many at once" },
	{ "dispatch", "stall_accepted", CONFIG_DURATION, 1, 7 * 86400, "10m", OFF(stall_accepted),
	    "accepted but not en_route after this: escalate" },
	{ "dispatch", "stall_en_route", CONFIG_DURATION, 1, 7 * 86400, "45m", OFF(stall_en_route),
	    "en_route but not picked_up after this: escalate" },
	{ "dispatch", "stall_picked_up", CONFIG_DURATION, 1, 7 * 86400, "3h", OFF(stall_picked_up),
	    "picked_up but not delivered after this: escalate" },
	{ "dispatch", "referral_ack_timeout", CONFIG_DURATION, 1, 7 * 86400, "30m",
	    OFF(referral_ack_timeout), "a referral not acknowledged after this: escalate" },
	{ "escalation", "step", CONFIG_DURATION, 1, 86400, "5m", OFF(escalation_step),
	    "an unacknowledged escalation rises one level per step" },
	{ "escalation", "max_level", CONFIG_INT, 1, 10, "3", OFF(escalation_max_level),
	    "highest escalation level" },
	{ "notify", "webhook_url", CONFIG_URL, 0, 0, "", OFF(webhook_url),
	    "webhook-channel messages are POSTed here (empty: kept in the outbox)" },
	{ "notify", "webhook_secret", CONFIG_SECRET, 24, 0, "change-me-at-least-24-bytes-long",
	    OFF(webhook_secret), "HMAC-SHA256 key for webhook signatures, at least 24 bytes" },
	{ "notify", "default_lang", CONFIG_LANG, 0, 0, "ru", OFF(default_lang),
	    "ky | ru | en" },
	{ "notify", "telegram_api", CONFIG_URL, 0, 0, "https://api.telegram.org", OFF(telegram_api),
	    "Telegram Bot API base URL" },
	{ "notify", "telegram_token", CONFIG_STR, 0, 0, "", OFF(telegram_token),
	    "Telegram bot token" },
	{ "notify", "sms_url", CONFIG_STR, 0, 0, "", OFF(sms_url),
	    "SMS gateway URL template with {to} and {text}" },
};

#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

struct config_loader {
	struct config	*cfg;
	const char	*file;
	char		*dir;		/* folder of the file, for relative paths */
	int		 line;		/* current line, counted by the reader */
	char		*errs;
	size_t		 errlen;
	int		 nerr;
};

static void
config_error(struct config_loader *ld, const char *where, int line, const char *fmt, ...)
{
	char	 msg[512], full[768];
	va_list	 ap;
	size_t	 n;
	char	*p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s\n", where, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s\n", where, msg);
	n = strlen(full);
	p = realloc(ld->errs, ld->errlen + n + 1);
	if (p == NULL)
		return;
	memcpy(p + ld->errlen, full, n + 1);
	ld->errs = p;
	ld->errlen += n;
	ld->nerr++;
}

/* Whole decimal number, nothing else, within bounds. */
int
config_parse_long(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
config_parse_duration(const char *s, long *out)
{
	char	 num[32];
	size_t	 n;
	long	 v, mul = 1;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's': mul = 1; num[--n] = '\0'; break;
	case 'm': mul = 60; num[--n] = '\0'; break;
	case 'h': mul = 3600; num[--n] = '\0'; break;
	case 'd': mul = 86400; num[--n] = '\0'; break;
	default: break;
	}
	if (config_parse_long(num, 0, LONG_MAX / 86400, &v) != 0)
		return -1;
	*out = v * mul;
	return 0;
}

static char *
config_join(const char *dir, const char *path)
{
	size_t	 n;
	char	*p;

	if (path[0] == '/' || dir == NULL || dir[0] == '\0')
		return strdup(path);
	n = strlen(dir) + strlen(path) + 2;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s/%s", dir, path);
	return p;
}

static int
config_url_ok(const char *v)
{
	return v[0] == '\0' || strncmp(v, "http://", 7) == 0 ||
	    strncmp(v, "https://", 8) == 0;
}

/* Set one key from its text; returns an error message or NULL. */
static const char *
config_set(struct config_loader *ld, const struct config_key *k, const char *v,
    const char *dir)
{
	char	**sp = (char **)((char *)ld->cfg + k->off);
	long	 *lp = (long *)((char *)ld->cfg + k->off);
	long	  n;
	char	 *colon, *end;

	switch (k->type) {
	case CONFIG_STR:
	case CONFIG_SECRET:
		if (k->min > 0 && v[0] != '\0' && (long)strlen(v) < k->min)
			return "too short (at least 24 bytes)";
		free(*sp);
		*sp = strdup(v);
		return NULL;
	case CONFIG_URL:
		if (!config_url_ok(v))
			return "must be an http:// or https:// URL";
		free(*sp);
		*sp = strdup(v);
		/* Trailing slashes would double up in links. */
		for (n = (long)strlen(*sp); n > 0 && (*sp)[n - 1] == '/'; n--)
			(*sp)[n - 1] = '\0';
		return NULL;
	case CONFIG_PATH:
		if (v[0] == '\0')
			return "must not be empty";
		free(*sp);
		*sp = config_join(dir, v);
		return NULL;
	case CONFIG_LANG:
		if (strcmp(v, "ky") != 0 && strcmp(v, "ru") != 0 && strcmp(v, "en") != 0)
			return "must be one of ky, ru, en";
		free(*sp);
		*sp = strdup(v);
		return NULL;
	case CONFIG_INT:
		if (config_parse_long(v, k->min, k->max, &n) != 0)
			return "must be a whole number in range";
		*lp = n;
		return NULL;
	case CONFIG_DURATION:
		if (config_parse_duration(v, &n) != 0)
			return "must be a duration like 90, 90s, 5m, 2h";
		if (n < k->min || n > k->max)
			return "duration out of range";
		*lp = n;
		return NULL;
	case CONFIG_LISTEN:
		colon = strrchr(v, ':');
		if (colon == NULL || colon == v)
			return "must be host:port";
		if (config_parse_long(colon + 1, 0, 65535, &n) != 0)
			return "port must be a number from 1 to 65535";
		if (n == 0)
			return "port 0 is not allowed";
		free(ld->cfg->listen_host);
		ld->cfg->listen_host = strndup(v, (size_t)(colon - v));
		ld->cfg->listen_port = (int)strtol(colon + 1, &end, 10);
		return NULL;
	}
	return "unknown type";
}

static const struct config_key *
config_find(const char *section, const char *key)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].key, key) == 0)
			return &config_keys[i];
	return NULL;
}

static int
config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_loader	*ld = user;
	const struct config_key	*k;
	const char		*err;

	if (name == NULL)	/* a bare [section] line */
		return 1;
	if ((k = config_find(section, name)) == NULL) {
		config_error(ld, ld->file, ld->line, "unknown key [%s] %s", section, name);
		return 1;
	}
	if ((err = config_set(ld, k, value, ld->dir)) != NULL)
		config_error(ld, ld->file, ld->line, "[%s] %s: %s", section, name, err);
	return 1;
}

/* fgets that counts lines, so the handler can say where it is. */
struct config_stream {
	FILE			*fp;
	struct config_loader	*ld;
};

static char *
config_read_line(char *str, int num, void *stream)
{
	struct config_stream	*cs = stream;
	char			*r;

	r = fgets(str, num, cs->fp);
	if (r != NULL)
		cs->ld->line++;
	return r;
}

void
config_free(struct config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		switch (config_keys[i].type) {
		case CONFIG_INT:
		case CONFIG_DURATION:
			break;
		default:
			free(*(char **)((char *)cfg + config_keys[i].off));
		}
	}
	free(cfg);
}

struct config *
config_load(const char *file, char **errs)
{
	struct config_loader	 ld;
	struct config_stream	 cs;
	const struct config_key	*k;
	const char		*err, *v;
	char			 env[128], *slash;
	size_t			 i, j;
	int			 rc;

	memset(&ld, 0, sizeof(ld));
	*errs = NULL;
	if ((ld.cfg = calloc(1, sizeof(*ld.cfg))) == NULL)
		return NULL;
	for (i = 0; i < NKEYS; i++) {
		k = &config_keys[i];
		err = config_set(&ld, k, k->def, NULL);
		if (err != NULL)
			config_error(&ld, "default", 0, "[%s] %s: %s", k->section, k->key, err);
	}
	if (file != NULL) {
		ld.file = file;
		ld.dir = strdup(file);
		if ((slash = strrchr(ld.dir, '/')) != NULL)
			*slash = '\0';
		else
			ld.dir[0] = '\0';
		/* Defaulted paths are relative to the config file too. */
		for (i = 0; i < NKEYS; i++) {
			k = &config_keys[i];
			if (k->type == CONFIG_PATH)
				config_set(&ld, k, k->def, ld.dir);
		}
		if ((cs.fp = fopen(file, "r")) == NULL) {
			config_error(&ld, file, 0, "cannot open: %s", strerror(errno));
		} else {
			cs.ld = &ld;
			rc = ini_parse_stream(config_read_line, &cs, config_ini_handler, &ld);
			fclose(cs.fp);
			if (rc > 0)
				config_error(&ld, file, rc, "syntax error");
		}
	}
	for (i = 0; i < NKEYS; i++) {
		k = &config_keys[i];
		snprintf(env, sizeof(env), "JARDAM_%s_%s", k->section, k->key);
		for (j = 0; env[j] != '\0'; j++)
			env[j] = (char)toupper((unsigned char)env[j]);
		if ((v = getenv(env)) == NULL)
			continue;
		if ((err = config_set(&ld, k, v, NULL)) != NULL)
			config_error(&ld, env, 0, "%s", err);
	}
	if (ld.cfg->webhook_secret == NULL || strlen(ld.cfg->webhook_secret) < 24)
		config_error(&ld, file ? file : "config", 0,
		    "[notify] webhook_secret: must be at least 24 bytes");
	free(ld.dir);
	if (ld.nerr > 0) {
		config_free(ld.cfg);
		*errs = ld.errs;
		return NULL;
	}
	free(ld.errs);
	return ld.cfg;
}

void
config_print_keys(void)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		printf("  [%s] %-22s default %-32s %s\n", config_keys[i].section,
		    config_keys[i].key, config_keys[i].def[0] ? config_keys[i].def : "(empty)",
		    config_keys[i].help);
}
