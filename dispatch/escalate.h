/* The escalation ladder: open once per (request, reason), rise a level per
 * step while unacknowledged, up to max_level; resolve when the cause goes. */
#ifndef DISPATCH_ESCALATE_H
#define DISPATCH_ESCALATE_H

struct app;

/* Open an escalation unless one is open for (request, reason). */
int	escalate_open(struct app *, const char *request, const char *reason,
	    const char *subject);

/* Resolve the open escalations of request with reason (NULL: all). */
void	escalate_resolve(struct app *, const char *request, const char *reason);

/* Resolve the open escalation about one subject (a referral). */
void	escalate_resolve_subject(struct app *, const char *request, const char *reason,
	    const char *subject);

/* Acknowledge: 0 done, -1 unknown id, -2 already resolved. */
int	escalate_ack(struct app *, const char *id);

/* Register the deadline kind that makes escalations rise. */
void	escalate_init(struct app *);

#endif
