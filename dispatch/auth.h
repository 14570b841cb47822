/* Staff authentication: argon2id password hashes and login rate limits. */
#ifndef DISPATCH_AUTH_H
#define DISPATCH_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_HASH_LEN		128
#define AUTH_MAX_FAILS		5	/* failures per user and window before 429 */
#define AUTH_MAX_FAILS_IP	30	/* failures per address and window */
#define AUTH_WINDOW		900	/* seconds */

struct auth;

struct auth	*auth_new(void);
void		 auth_free(struct auth *);

/* Encode an argon2id hash of password into out[AUTH_HASH_LEN]. 0 on success.
 * Blocking (tens of milliseconds): call it off the loop. */
int		 auth_hash(const char *password, char out[AUTH_HASH_LEN]);

/* 1 when password matches the encoded hash. Blocking like auth_hash. */
int		 auth_verify(const char *encoded, const char *password);

/* A hash of a random password, to verify against for unknown users. */
const char	*auth_dummy_hash(struct auth *);

/* True while key (a username or an address) has max or more recent failures. */
int		 auth_limited(struct auth *, const char *key, int max, int64_t now);

/* Record a failed or a good login for key. */
void		 auth_failed(struct auth *, const char *key, int64_t now);
void		 auth_succeeded(struct auth *, const char *key);

#endif
