/* Random tokens and ids, hashes, HMAC, base64 and AES-256-GCM: the only
 * module that calls OpenSSL. */
#ifndef DISPATCH_TOKEN_H
#define DISPATCH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_LEN	43	/* base64url of 32 random bytes (256 bits) */
#define TOKEN_HASH_LEN	64	/* hex SHA-256 */
#define TOKEN_KEY_LEN	32

/* A fresh link or session token, NUL-terminated in out[TOKEN_LEN + 1]. */
int	token_new(char out[TOKEN_LEN + 1]);

/* An opaque id: prefix + "_" + 16 base64url chars (96 random bits). */
int	token_id(const char *prefix, char *out, size_t outlen);

/* Hex SHA-256 of s, in out[TOKEN_HASH_LEN + 1]. */
void	token_hash(const char *s, char out[TOKEN_HASH_LEN + 1]);

/* Hex SHA-256 of a buffer. */
void	token_hash_buf(const void *buf, size_t len, char out[TOKEN_HASH_LEN + 1]);

/* HMAC-SHA256 of data under key, base64 (standard alphabet) into out. */
int	token_hmac_b64(const void *key, size_t keylen, const void *data, size_t len,
	    char *out, size_t outlen);

/* Fill buf with random bytes. */
int	token_random(void *buf, size_t len);

/* Constant-time comparison of two NUL-terminated strings. */
int	token_equal(const char *a, const char *b);

/* AES-256-GCM: out gets nonce(12) | ciphertext | tag(16); *outlen its size.
 * Caller frees *out. 0 on success. */
int	token_seal(const uint8_t key[TOKEN_KEY_LEN], const void *plain, size_t len,
	    uint8_t **out, size_t *outlen);

/* Reverse of token_seal; *plain is NUL-terminated. 0 on success. */
int	token_open(const uint8_t key[TOKEN_KEY_LEN], const uint8_t *box, size_t len,
	    char **plain, size_t *plainlen);

/* Seal text into base64 text (caller frees), or NULL. */
char	*token_seal_text(const uint8_t key[TOKEN_KEY_LEN], const char *plain);

/* Open what token_seal_text made (caller frees), or NULL. */
char	*token_open_text(const uint8_t key[TOKEN_KEY_LEN], const char *sealed);

/* Read the master key from path, or create it (mode 0600). 0 on success. */
int	token_key_load(const char *path, uint8_t key[TOKEN_KEY_LEN], char *err, size_t errlen);

#endif
