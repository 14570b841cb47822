/* The outbox: every outbound message is a row written in the same
 * transaction as the change that caused it. Texts are short and neutral,
 * in the recipient's language, and never carry an address, a survivor's
 * name or notes. */
#ifndef DISPATCH_OUTBOX_H
#define DISPATCH_OUTBOX_H

struct app;

enum outbox_msg {
	OUTBOX_OFFER,		/* %s district, %d party */
	OUTBOX_ESCORT_OFFER,	/* %s district, %d party */
	OUTBOX_WITHDRAWN,	/* (no arguments) */
	OUTBOX_ESCALATION,	/* %s reason, %d level, %s district */
	OUTBOX_REFERRAL,	/* %s kind, %s district */
	OUTBOX_LINK,		/* (no arguments) a new personal link */
};

/*
 * Queue a message of kind to a recipient (to_kind: vehicle, volunteer,
 * service, shelter or operators; to_id its id or NULL) about request (or
 * NULL), with an optional link and an optional extra URL (a service's own
 * webhook). The text is made from msg in the recipient's language.
 * 0 on success.
 */
int	outbox_add(struct app *, const char *kind, const char *request, const char *to_kind,
	    const char *to_id, const char *link, const char *url, enum outbox_msg msg, ...);

/* Cancel unsent messages of kind about request (revoked consent). */
int	outbox_cancel(struct app *, const char *request, const char *kind);

#endif
