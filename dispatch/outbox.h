/* The outbox: every outbound message is a row written in the same
 * transaction as the change that caused it. Texts are short and neutral,
 * in the recipient's language, and never carry an address, a survivor's
 * name or notes. */
#ifndef DISPATCH_OUTBOX_H
#define DISPATCH_OUTBOX_H

struct app;

#include <stddef.h>

enum outbox_msg {
	OUTBOX_OFFER,		/* district, n = party */
	OUTBOX_ESCORT_OFFER,	/* district, n = party */
	OUTBOX_WITHDRAWN,	/* nothing */
	OUTBOX_ESCALATION,	/* district, n = level, word = reason */
	OUTBOX_REFERRAL,	/* district, word = service kind */
};

/* What a message says: the district's id, a number, a code word (an
 * escalation reason or a service kind), each used as the message needs. */
struct outbox_say {
	const char	*district;
	int		 n;
	const char	*word;
};

/*
 * Queue a message of kind to a recipient (to_kind: vehicle, volunteer,
 * service, shelter or operators; to_id its id or NULL) about request (or
 * NULL), with an optional link and an optional extra URL (a service's own
 * webhook). The text is made from msg in the recipient's language.
 * 0 on success.
 */
int	outbox_add(struct app *, const char *kind, const char *request, const char *to_kind,
	    const char *to_id, const char *link, const char *url, enum outbox_msg msg,
	    const struct outbox_say *say);

/* The text of msg in lang (ky, ru, en) with the district's name already
 * in that language; code words are translated here. */
void	outbox_format(enum outbox_msg msg, const char *lang, const char *district_name,
	    const struct outbox_say *say, char *out, size_t len);

#endif
