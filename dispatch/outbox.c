/* The outbox: message rows committed with their cause, texts per language. */
#include "dispatch/outbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dispatch/app.h"
#include "dispatch/notify.h"
#include "dispatch/store_api.h"
#include "dispatch/token.h"

/* One SMS holds 70 Cyrillic characters: keep ky and ru under that. */
static const struct {
	const char	*en, *ru, *ky;
} outbox_texts[] = {
	[OUTBOX_OFFER] = {
		"Jardam: trip offer in %s, %d people. Open the link to answer.",
		"Jardam: поездка, %s, %d чел. Ответьте по ссылке.",
		"Jardam: сапар, %s, %d киши. Шилтеме аркылуу жооп бериңиз." },
	[OUTBOX_ESCORT_OFFER] = {
		"Jardam: escort needed in %s, %d people. Open the link to answer.",
		"Jardam: нужно сопровождение, %s, %d чел. Ссылка:",
		"Jardam: коштоо керек, %s, %d киши. Шилтеме:" },
	[OUTBOX_WITHDRAWN] = {
		"Jardam: the offer is no longer open. Thank you.",
		"Jardam: предложение больше не действует. Спасибо.",
		"Jardam: сунуш жарактуу эмес. Рахмат." },
	[OUTBOX_ESCALATION] = {
		"Jardam: escalation %s, level %d, %s.",
		"Jardam: эскалация %s, уровень %d, %s.",
		"Jardam: эскалация %s, деңгээл %d, %s." },
	[OUTBOX_REFERRAL] = {
		"Jardam: new %s referral in %s. Please acknowledge by the link.",
		"Jardam: направление (%s), %s. Подтвердите по ссылке.",
		"Jardam: жолдомо (%s), %s. Шилтеме аркылуу ырастаңыз." },
	[OUTBOX_LINK] = {
		"Jardam: your new link.",
		"Jardam: ваша новая ссылка.",
		"Jardam: жаңы шилтемеңиз." },
};

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
    const char *to_id, const char *link, const char *url, enum outbox_msg msg, ...)
{
	const char	*lang, *channel, *fmt;
	char		 id[40], text[512], *sealed = NULL;
	json_t		*row, *m;
	va_list		 ap;
	int		 rc;

	outbox_recipient(app, to_kind, to_id, &lang, &channel, &row);
	fmt = strcmp(lang, "ky") == 0 ? outbox_texts[msg].ky :
	    strcmp(lang, "en") == 0 ? outbox_texts[msg].en : outbox_texts[msg].ru;
	va_start(ap, msg);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
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

int
outbox_cancel(struct app *app, const char *request, const char *kind)
{
	return store_outbox_cancel_request(app->store, request, kind);
}
