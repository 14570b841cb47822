/* Random tokens and ids, hashes, HMAC, base64 and AES-256-GCM (OpenSSL). */
#include "dispatch/token.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char token_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
token_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* base64url without padding of len bytes; out must hold 4*len/3+2. */
static void
token_b64url_encode(const uint8_t *in, size_t len, char *out)
{
	size_t		i, o = 0;
	uint32_t	v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = token_b64url[(v >> 18) & 63];
		out[o++] = token_b64url[(v >> 12) & 63];
		out[o++] = token_b64url[(v >> 6) & 63];
		out[o++] = token_b64url[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = token_b64url[(v >> 18) & 63];
		out[o++] = token_b64url[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = token_b64url[(v >> 18) & 63];
		out[o++] = token_b64url[(v >> 12) & 63];
		out[o++] = token_b64url[(v >> 6) & 63];
	}
	out[o] = '\0';
}

int
token_new(char out[TOKEN_LEN + 1])
{
	uint8_t	raw[32];

	if (token_random(raw, sizeof(raw)) != 0)
		return -1;
	token_b64url_encode(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

/* The 64 characters of base64url in ASCII order, so that encoded ids sort
 * as their bytes do. */
static const char token_sorted[] =
    "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

int
token_id(const char *prefix, char *out, size_t outlen)
{
	uint8_t		raw[12];
	char		enc[17];
	struct timespec	ts;
	uint64_t	ms;
	size_t		i;
	uint32_t	v;

	/* 48 bits of milliseconds, then 48 random bits: opaque and never a
	 * count, yet new rows land at the end of the primary-key index
	 * instead of on a random page of it. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (i = 0; i < 6; i++)
		raw[i] = (uint8_t)(ms >> (40 - 8 * i));
	if (token_random(raw + 6, 6) != 0)
		return -1;
	for (i = 0; i < 12; i += 3) {
		v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
		enc[i / 3 * 4] = token_sorted[(v >> 18) & 63];
		enc[i / 3 * 4 + 1] = token_sorted[(v >> 12) & 63];
		enc[i / 3 * 4 + 2] = token_sorted[(v >> 6) & 63];
		enc[i / 3 * 4 + 3] = token_sorted[v & 63];
	}
	enc[16] = '\0';
	snprintf(out, outlen, "%s_%s", prefix, enc);
	return 0;
}

void
token_hash_buf(const void *buf, size_t len, char out[TOKEN_HASH_LEN + 1])
{
	uint8_t		md[SHA256_DIGEST_LENGTH];
	unsigned int	mdlen = 0;
	size_t		i;

	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void
token_hash(const char *s, char out[TOKEN_HASH_LEN + 1])
{
	token_hash_buf(s, strlen(s), out);
}

int
token_hmac_b64(const void *key, size_t keylen, const void *data, size_t len,
    char *out, size_t outlen)
{
	uint8_t		md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	if (outlen < 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1)
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, data, len, md, &mdlen) == NULL)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	return 0;
}

int
token_equal(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

int
token_seal(const uint8_t key[TOKEN_KEY_LEN], const void *plain, size_t len,
    uint8_t **out, size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	uint8_t		*box = NULL;
	int		 n, rc = -1;

	if (len > 1u << 24 || (box = malloc(12 + len + 16)) == NULL)
		goto out;
	if (token_random(box, 12) != 0 || (ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, box) != 1 ||
	    EVP_EncryptUpdate(ctx, box + 12, &n, plain, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, box + 12 + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, box + 12 + len) != 1)
		goto out;
	*out = box;
	*outlen = 12 + len + 16;
	box = NULL;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	free(box);
	return rc;
}

int
token_open(const uint8_t key[TOKEN_KEY_LEN], const uint8_t *box, size_t len,
    char **plain, size_t *plainlen)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	char		*p = NULL;
	size_t		 n;
	int		 m, rc = -1;

	if (len < 28)
		return -1;
	n = len - 28;
	if ((p = malloc(n + 1)) == NULL || (ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, box) != 1 ||
	    EVP_DecryptUpdate(ctx, (uint8_t *)p, &m, box + 12, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)(box + 12 + n)) != 1 ||
	    EVP_DecryptFinal_ex(ctx, (uint8_t *)p + m, &m) != 1)
		goto out;
	p[n] = '\0';
	*plain = p;
	*plainlen = n;
	p = NULL;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	free(p);
	return rc;
}

int
token_key_load(const char *path, uint8_t key[TOKEN_KEY_LEN], char *err, size_t errlen)
{
	struct stat	st;
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
			snprintf(err, errlen, "%s: key file must not be readable by others (chmod 600)", path);
			close(fd);
			return -1;
		}
		n = read(fd, key, TOKEN_KEY_LEN);
		close(fd);
		if (n != TOKEN_KEY_LEN) {
			snprintf(err, errlen, "%s: key file must hold %d bytes", path, TOKEN_KEY_LEN);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (token_random(key, TOKEN_KEY_LEN) != 0) {
		snprintf(err, errlen, "%s: no randomness", path);
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	n = write(fd, key, TOKEN_KEY_LEN);
	if (n != TOKEN_KEY_LEN || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

char *
token_seal_text(const uint8_t key[TOKEN_KEY_LEN], const char *plain)
{
	uint8_t	*box = NULL;
	size_t	 len;
	char	*out = NULL;

	if (token_seal(key, plain, strlen(plain), &box, &len) != 0)
		return NULL;
	if ((out = malloc(4 * ((len + 2) / 3) + 1)) != NULL)
		EVP_EncodeBlock((unsigned char *)out, box, (int)len);
	free(box);
	return out;
}

char *
token_open_text(const uint8_t key[TOKEN_KEY_LEN], const char *sealed)
{
	size_t	 n = strlen(sealed), plen;
	uint8_t	*box;
	char	*plain = NULL;
	int	 len;

	if (n == 0 || n % 4 != 0 || (box = malloc(n)) == NULL)
		return NULL;
	len = EVP_DecodeBlock(box, (const unsigned char *)sealed, (int)n);
	if (len > 0) {
		/* EVP_DecodeBlock counts padding as zero bytes. */
		if (sealed[n - 1] == '=')
			len--;
		if (sealed[n - 2] == '=')
			len--;
		if (token_open(key, box, (size_t)len, &plain, &plen) != 0)
			plain = NULL;
	}
	free(box);
	return plain;
}
