/*
 * adapt/crypto.h - the few cryptographic operations connectors need: the
 * only user of OpenSSL's libcrypto.  A client assertion (RFC 7523, as the
 * Microsoft identity platform takes it) is a JWT signed RS256 with the
 * application's private key, naming its certificate by SHA-1 thumbprint.
 */
#ifndef XSM__ADAPT_CRYPTO_H
#define XSM__ADAPT_CRYPTO_H

#include <stddef.h>

#include "exposure/common.h"
#include "exposure/ctx.h"

/* base64url of p[0..n) without padding, appended to out */
int xsm__b64url(xsm_buf *out, const void *p, size_t n);

/*
 * SHA-1 of the DER of the first certificate in pem[0..len) (the x5t of a
 * JWT header); XSM_ECONFIG when there is none.  what names the text in
 * messages (a file name, never the text).
 */
int xsm__cert_sha1(xsm_ctx *ctx, const char *pem, size_t len, const char *what, unsigned char out[20]);

/*
 * "<header>.<claims>.<signature>" for a JWT with the two JSON texts, signed
 * RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with the RSA private key in
 * key_pem (PEM, unencrypted), appended to out.  XSM_ECONFIG for a key
 * that cannot be read or is not RSA.
 */
int xsm__jwt_rs256(xsm_ctx *ctx, const char *header_json, const char *claims_json, const char *key_pem,
		   size_t key_len, const char *what, xsm_buf *out);

/* n random bytes from the system's generator; XSM_EIO when it fails */
int xsm__random(xsm_ctx *ctx, void *out, size_t n);

#endif
