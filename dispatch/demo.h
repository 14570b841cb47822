/* The demo: an admin and an operator, shelters, vehicles, volunteers and
 * services in real districts, so a newcomer sees Jardam work at once. */
#ifndef DISPATCH_DEMO_H
#define DISPATCH_DEMO_H

struct app;

/* Load the demo into an empty database and write its logins and links to
 * path (mode 0600); on a database that has users, change nothing.
 * Prints what a newcomer needs. 0 on success. */
int	demo_load(struct app *, const char *path);

#endif
