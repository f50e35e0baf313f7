/* adapt/crypto.c - JWT RS256 and certificate thumbprints over libcrypto (see crypto.h). */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <string.h>

#include "adapt/crypto.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

int xsm__b64url(xsm_buf *out, const void *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *s = p;
	size_t i;
	int rc = 0;

	for (i = 0; i + 2 < n && rc == 0; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		char q[4] = { tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63], tab[v & 63] };
		rc = xsm_buf_put(out, q, 4);
	}
	if (rc == 0 && n - i == 1) {
		unsigned v = (unsigned)s[i] << 16;
		char q[2] = { tab[v >> 18], tab[(v >> 12) & 63] };
		rc = xsm_buf_put(out, q, 2);
	} else if (rc == 0 && n - i == 2) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8;
		char q[3] = { tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63] };
		rc = xsm_buf_put(out, q, 3);
	}
	return rc;
}

/* OpenSSL's reason for the last failure, or a fallback (never key material) */
static const char *ossl_why(const char *dflt)
{
	static _Thread_local char why[160];
	unsigned long e = ERR_peek_last_error();
	if (!e)
		return dflt;
	ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	return why;
}

int xsm__cert_sha1(xsm_ctx *ctx, const char *pem, size_t len, const char *what, unsigned char out[20])
{
	BIO *bio;
	X509 *x = NULL;
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int n, rc = 0;

	if (len > (size_t)1 << 30 || !(bio = BIO_new_mem_buf(pem, (int)len)))
		return xsm__error_oom(ctx);
	/* the PEM may hold the key first: read on to the first certificate */
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!x) {
		rc = xsm__error_set(ctx, XSM_ECONFIG, "%s: no PEM certificate in it (%s)", what,
				    ossl_why("no CERTIFICATE block"));
		goto done;
	}
	if ((n = i2d_X509(x, &der)) <= 0 || !EVP_Digest(der, (size_t)n, out, &mdlen, EVP_sha1(), NULL) || mdlen != 20)
		rc = xsm__error_set(ctx, XSM_ECONFIG, "%s: cannot encode the certificate (%s)", what, ossl_why("?"));
done:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int xsm__jwt_rs256(xsm_ctx *ctx, const char *header_json, const char *claims_json, const char *key_pem,
		   size_t key_len, const char *what, xsm_buf *out)
{
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0, start = out->size;
	int rc = 0;

	if (key_len > (size_t)1 << 30 || !(bio = BIO_new_mem_buf(key_pem, (int)key_len)))
		return xsm__error_oom(ctx);
	if (!(key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL))) {
		rc = xsm__error_set(ctx, XSM_ECONFIG, "%s: not a readable unencrypted PEM private key (%s)", what,
				    ossl_why("no key"));
		goto done;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		rc = xsm__error_set(ctx, XSM_ECONFIG, "%s: the key is not an RSA key (RS256 needs one)", what);
		goto done;
	}
	if (xsm__b64url(out, header_json, strlen(header_json)) < 0 || xsm_buf_putc(out, '.') < 0 ||
	    xsm__b64url(out, claims_json, strlen(claims_json)) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if (!(md = EVP_MD_CTX_new())) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)out->ptr + start, out->size - start) != 1) {
		rc = xsm__error_set(ctx, XSM_ECONFIG, "%s: cannot sign (%s)", what, ossl_why("?"));
		goto done;
	}
	if (!(sig = xsm__malloc(siglen))) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out->ptr + start, out->size - start) != 1) {
		rc = xsm__error_set(ctx, XSM_ECONFIG, "%s: cannot sign (%s)", what, ossl_why("?"));
		goto done;
	}
	if (xsm_buf_putc(out, '.') < 0 || xsm__b64url(out, sig, siglen) < 0)
		rc = xsm__error_oom(ctx);
done:
	xsm__free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int xsm__random(xsm_ctx *ctx, void *out, size_t n)
{
	if (n > (size_t)1 << 20 || RAND_bytes(out, (int)n) != 1)
		return xsm__error_set(ctx, XSM_EIO, "no random bytes from the system (%s)", ossl_why("?"));
	return 0;
}
