/* The outbox: message rows committed with their cause, texts per language. */
#include "dispatch/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/notify.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"
#include "geo/district.h"

/* One SMS holds 70 Cyrillic characters: ky and ru texts stay under that
 * with the longest district name and word (a unit test holds them to it).
 * {d} district, {n} number, {w} word. */
static const struct {
	const char	*en, *ru, *ky;
} outbox_texts[] = {
	[OUTBOX_OFFER] = {
		"Jardam: trip offer, {d}, {n} people. Answer by the link.",
		"Jardam: поездка, {d}, {n} чел. Ответьте по ссылке.",
		"Jardam: сапар, {d}, {n} киши. Шилтеме менен жооп бериңиз:" },
	[OUTBOX_ESCORT_OFFER] = {
		"Jardam: escort needed, {d}, {n} people. Answer by the link.",
		"Jardam: сопровождение, {d}, {n} чел. Ответьте по ссылке.",
		"Jardam: коштоо, {d}, {n} киши. Шилтеме менен жооп бериңиз:" },
	[OUTBOX_WITHDRAWN] = {
		"Jardam: the offer is no longer open. Thank you.",
		"Jardam: предложение больше не действует. Спасибо.",
		"Jardam: сунуш жарактуу эмес. Рахмат." },
	[OUTBOX_ESCALATION] = {
		"Jardam: escalation level {n}: {w}, {d}.",
		"Jardam: эскалация {n}: {w}, {d}.",
		"Jardam: эскалация {n}: {w}, {d}." },
	[OUTBOX_REFERRAL] = {
		"Jardam: referral ({w}), {d}. Please acknowledge by the link.",
		"Jardam: направление ({w}), {d}. Подтвердите:",
		"Jardam: жолдомо ({w}), {d}. Ырастаңыз:" },
};

static const struct {
	const char	*code, *en, *ru, *ky;
} outbox_words[] = {
	{ "no_vehicle", "no vehicle", "нет машины", "унаа жок" },
	{ "no_bed", "no bed", "нет места", "орун жок" },
	{ "no_escort", "no escort", "нет сопровождения", "коштоочу жок" },
	{ "stalled_accepted", "driver not moving", "водитель не выехал", "айдоочу чыга элек" },
	{ "stalled_en_route", "pickup late", "задержка в пути", "жолдо кечигүү" },
	{ "stalled_picked_up", "delivery late", "задержка доставки", "жеткирүү кечикти" },
	{ "referral_unacknowledged", "referral not acknowledged", "нет ответа на направление",
	    "жолдомого жооп жок" },
	{ "police", "police", "милиция", "милиция" },
	{ "medical", "medical", "медицина", "медицина" },
	{ "social", "social service", "соцслужба", "социалдык кызмат" },
	{ "crisis_center", "crisis centre", "кризисный центр", "кризистик борбор" },
	{ "legal", "legal aid", "юрист", "юрист" },
	{ "psychological", "psychologist", "психолог", "психолог" },
};

static const char *
outbox_word(const char *code, const char *lang)
{
	size_t	i;

	for (i = 0; code != NULL && i < sizeof(outbox_words) / sizeof(outbox_words[0]); i++)
		if (strcmp(outbox_words[i].code, code) == 0)
			return strcmp(lang, "ky") == 0 ? outbox_words[i].ky :
			    strcmp(lang, "en") == 0 ? outbox_words[i].en : outbox_words[i].ru;
	return code ? code : "";
}

void
outbox_format(enum outbox_msg msg, const char *lang, const char *district_name,
    const struct outbox_say *say, char *out, size_t len)
{
	const char	*p = strcmp(lang, "ky") == 0 ? outbox_texts[msg].ky :
	    strcmp(lang, "en") == 0 ? outbox_texts[msg].en : outbox_texts[msg].ru;
	size_t		 o = 0;
	int		 w;

	for (; *p != '\0' && o + 1 < len; p++) {
		w = 0;
		if (strncmp(p, "{d}", 3) == 0)
			w = snprintf(out + o, len - o, "%s", district_name ? district_name : "");
		else if (strncmp(p, "{n}", 3) == 0)
			w = snprintf(out + o, len - o, "%d", say ? say->n : 0);
		else if (strncmp(p, "{w}", 3) == 0)
			w = snprintf(out + o, len - o, "%s", outbox_word(say ? say->word : NULL, lang));
		else {
			out[o++] = *p;
			continue;
		}
		p += 2;
		o += w > 0 && (size_t)w < len - o ? (size_t)w : 0;
	}
	out[o < len ? o : len - 1] = '\0';
}

/* The district's name in lang. */
static const char *
outbox_district(struct app *app, const char *id, const char *lang)
{
	long			 i = id ? districts_find(app->districts, id) : -1;
	const struct district	*d;

	if (i < 0)
		return id;
	d = districts_at(app->districts, (size_t)i);
	if (strcmp(lang, "ky") == 0 && d->name_ky != NULL)
		return d->name_ky;
	if (strcmp(lang, "ru") == 0 && d->name_ru != NULL)
		return d->name_ru;
	return d->name;
}

/* Recipient's language and channel from the registry, else the defaults. */
static void
outbox_recipient(struct app *app, const char *to_kind, const char *to_id, const char **lang,
    const char **channel, json_t **row)
{
	*row = NULL;
	if (to_id != NULL) {
		if (strcmp(to_kind, "vehicle") == 0)
			*row = store_vehicle_get(app->store, to_id);
		else if (strcmp(to_kind, "volunteer") == 0)
			*row = store_volunteer_get(app->store, to_id);
		else if (strcmp(to_kind, "service") == 0)
			*row = store_service_get(app->store, to_id);
		else if (strcmp(to_kind, "shelter") == 0)
			*row = store_shelter_get(app->store, to_id);
	}
	*lang = json_string_value(json_object_get(*row, "lang"));
	*channel = json_string_value(json_object_get(*row, "channel"));
	if (*lang == NULL)
		*lang = app->cfg->default_lang;
	if (*channel == NULL)
		*channel = "webhook";
}

int
outbox_add(struct app *app, const char *kind, const char *request, const char *to_kind,
    const char *to_id, const char *link, const char *url, enum outbox_msg msg,
    const struct outbox_say *say)
{
	const char	*lang, *channel;
	char		 id[40], text[512], *sealed = NULL;
	json_t		*row, *m;
	int		 rc;

	outbox_recipient(app, to_kind, to_id, &lang, &channel, &row);
	outbox_format(msg, lang, outbox_district(app, say ? say->district : NULL, lang), say, text,
	    sizeof(text));
	/* A link is a secret: only its hash is kept in clear, so the
	 * message keeps it sealed with the master key until delivery. */
	if (token_id("msg", id, sizeof(id)) != 0 ||
	    (link != NULL && (sealed = token_seal_text(app->key, link)) == NULL)) {
		json_decref(row);
		return -1;
	}
	m = json_pack("{s:s,s:s?,s:s,s:s?,s:s,s:s,s:s,s:s?}", "kind", kind, "request",
	    request, "to_kind", to_kind, "to_id", to_id, "channel", channel, "lang", lang,
	    "text", text, "link", sealed);
	rc = store_outbox_add(app->store, id, m) == 1 ? 0 : -1;
	/* A copy for the recipient's own webhook (a referral to a service). */
	if (rc == 0 && url != NULL && url[0] != '\0') {
		json_object_set_new(m, "url", json_string(url));
		json_object_set_new(m, "channel", json_string("webhook"));
		if (token_id("msg", id, sizeof(id)) != 0 || store_outbox_add(app->store, id, m) != 1)
			rc = -1;
	}
	free(sealed);
	json_decref(m);
	json_decref(row);
	if (rc == 0)
		notify_kick(app);
	return rc;
}
