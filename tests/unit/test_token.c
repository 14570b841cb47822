/* Unit tests: tokens, ids, hashes, HMAC (a known vector), AES-256-GCM,
 * the key file, and the password hash (with its measured cost). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dispatch/auth.h"
#include "dispatch/token.h"

static void
test_tokens(void **state)
{
	char	a[TOKEN_LEN + 1], b[TOKEN_LEN + 1], id[40];
	size_t	i;

	(void)state;
	assert_int_equal(token_new(a), 0);
	assert_int_equal(token_new(b), 0);
	assert_int_equal(strlen(a), TOKEN_LEN);	/* 256 bits in base64url */
	assert_string_not_equal(a, b);
	for (i = 0; i < TOKEN_LEN; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", a[i]));
	assert_int_equal(token_id("req", id, sizeof(id)), 0);
	assert_int_equal(strncmp(id, "req_", 4), 0);
	assert_int_equal(strlen(id), 20);
	{
		/* ids sort by time (for index locality) yet differ at once */
		char later[40], same[40];
		struct timespec pause = { 0, 2000000 };

		token_id("req", same, sizeof(same));
		nanosleep(&pause, NULL);
		token_id("req", later, sizeof(later));
		assert_true(strcmp(id, later) < 0);
		assert_true(strcmp(same, later) < 0);
		assert_string_not_equal(id, same);
	}
}

static void
test_hashes(void **state)
{
	char	h[TOKEN_HASH_LEN + 1], mac[128];

	(void)state;
	token_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* RFC 4231 test case 2. */
	assert_int_equal(token_hmac_b64("Jefe", 4, "what do ya want for nothing?", 28, mac,
	    sizeof(mac)), 0);
	assert_string_equal(mac, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
	assert_true(token_equal("same", "same"));
	assert_false(token_equal("same", "sane"));
	assert_false(token_equal("same", "same2"));
}

static void
test_aead(void **state)
{
	uint8_t	 key[TOKEN_KEY_LEN], *box;
	size_t	 len, plen;
	char	*plain, *sealed, *opened;

	(void)state;
	token_random(key, sizeof(key));
	assert_int_equal(token_seal(key, "pickup behind the pharmacy", 26, &box, &len), 0);
	assert_int_equal(len, 12 + 26 + 16);
	assert_null(memmem(box, len, "pharmacy", 8));
	assert_int_equal(token_open(key, box, len, &plain, &plen), 0);
	assert_string_equal(plain, "pickup behind the pharmacy");
	free(plain);
	box[20] ^= 1;	/* tampering is detected */
	assert_int_not_equal(token_open(key, box, len, &plain, &plen), 0);
	free(box);
	sealed = token_seal_text(key, "http://x/l/secret");
	assert_non_null(sealed);
	assert_null(strstr(sealed, "secret"));
	opened = token_open_text(key, sealed);
	assert_string_equal(opened, "http://x/l/secret");
	free(sealed);
	free(opened);
}

static void
test_key_file(void **state)
{
	char		 dir[] = "/tmp/jardam-key-XXXXXX", path[64], err[256];
	uint8_t		 k1[TOKEN_KEY_LEN], k2[TOKEN_KEY_LEN];
	struct stat	 st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	assert_int_equal(token_key_load(path, k1, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(token_key_load(path, k2, err, sizeof(err)), 0);
	assert_memory_equal(k1, k2, TOKEN_KEY_LEN);
	chmod(path, 0644);
	assert_int_not_equal(token_key_load(path, k2, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "chmod 600"));
	unlink(path);
	rmdir(dir);
}

static void
test_password(void **state)
{
	char		hash[AUTH_HASH_LEN];
	struct timespec	t0, t1;
	double		ms;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth_hash("correct horse battery", hash), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* Far over a few milliseconds: that is why logins hash on the worker. */
	printf("argon2id hash took %.1f ms\n", ms);
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_true(auth_verify(hash, "correct horse battery"));
	assert_false(auth_verify(hash, "correct horse battery!"));
}

static void
test_rate_limit(void **state)
{
	struct auth	*a = auth_new();
	int		 i;

	(void)state;
	for (i = 0; i < AUTH_MAX_FAILS; i++) {
		assert_false(auth_limited(a, "u:bob", AUTH_MAX_FAILS, 1000));
		auth_failed(a, "u:bob", 1000);
	}
	assert_true(auth_limited(a, "u:bob", AUTH_MAX_FAILS, 1000));
	assert_false(auth_limited(a, "u:alice", AUTH_MAX_FAILS, 1000));
	assert_false(auth_limited(a, "u:bob", AUTH_MAX_FAILS, 1000 + AUTH_WINDOW + 1));
	auth_succeeded(a, "u:bob");
	assert_false(auth_limited(a, "u:bob", AUTH_MAX_FAILS, 1000));
	auth_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_aead),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
