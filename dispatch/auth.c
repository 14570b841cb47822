/* Staff authentication: argon2id password hashes and login rate limits. */
#include "dispatch/auth.h"

#include <argon2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/token.h"

#define AUTH_T_COST	2
#define AUTH_M_COST	19456	/* KiB: the OWASP minimum for argon2id */
#define AUTH_SLOTS	512

struct auth_slot {
	char	key[96];
	int	fails;
	int64_t	since;
};

struct auth {
	struct auth_slot	slots[AUTH_SLOTS];
	char			dummy[AUTH_HASH_LEN];
};

int
auth_hash(const char *password, char out[AUTH_HASH_LEN])
{
	uint8_t	salt[16];

	if (token_random(salt, sizeof(salt)) != 0)
		return -1;
	return argon2id_hash_encoded(AUTH_T_COST, AUTH_M_COST, 1, password, strlen(password),
	    salt, sizeof(salt), 32, out, AUTH_HASH_LEN) == ARGON2_OK ? 0 : -1;
}

int
auth_verify(const char *encoded, const char *password)
{
	return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

struct auth *
auth_new(void)
{
	struct auth	*a;
	char		 pw[TOKEN_LEN + 1];

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if (token_new(pw) != 0 || auth_hash(pw, a->dummy) != 0) {
		free(a);
		return NULL;
	}
	return a;
}

void
auth_free(struct auth *a)
{
	free(a);
}

const char *
auth_dummy_hash(struct auth *a)
{
	return a->dummy;
}

static struct auth_slot *
auth_slot(struct auth *a, const char *key)
{
	char		hex[TOKEN_HASH_LEN + 1];
	unsigned long	h;

	token_hash(key, hex);
	h = strtoul(hex + 56, NULL, 16);
	return &a->slots[h % AUTH_SLOTS];
}

int
auth_limited(struct auth *a, const char *key, int max, int64_t now)
{
	struct auth_slot	*s = auth_slot(a, key);

	if (strcmp(s->key, key) != 0 || now - s->since > AUTH_WINDOW)
		return 0;
	return s->fails >= max;
}

void
auth_failed(struct auth *a, const char *key, int64_t now)
{
	struct auth_slot	*s = auth_slot(a, key);

	if (strcmp(s->key, key) != 0 || now - s->since > AUTH_WINDOW) {
		/* A new key takes the slot: collisions only ever forget. */
		snprintf(s->key, sizeof(s->key), "%s", key);
		s->fails = 0;
		s->since = now;
	}
	s->fails++;
}

void
auth_succeeded(struct auth *a, const char *key)
{
	struct auth_slot	*s = auth_slot(a, key);

	if (strcmp(s->key, key) == 0)
		memset(s, 0, sizeof(*s));
}
