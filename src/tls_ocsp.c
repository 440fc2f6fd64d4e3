/* tls_ocsp.c - OCSP stapling on the server side (RFC 6066 section 8):
 * the proofs named by tls_ocsp_file are loaded with the server context
 * and sent to clients that ask for certificate status. A proof is matched
 * to the certificate being served by its serial number, so a list of
 * proofs needs no particular order; one whose nextUpdate has passed is
 * not sent (a stale proof is worse than none). Sets $tls_in_ocsp.
 *
 * Runs where tls_server.c runs. Built unless DISABLE_OCSP. */

#ifndef DISABLE_OCSP

/* System */
#include <openssl/ocsp.h>
#include <openssl/pem.h>
/* MTA core */
#include "tern.h"
#include "globals.h"
/* This module */
#include "tls_int.h"

/* $tls_in_ocsp values (Exim's) */
enum { OCSP_NOT_REQUESTED = 0, OCSP_NOT_RESP = 1, OCSP_VFY_NOT_TRIED = 2 };

typedef struct ocsp_proof {
    unsigned char *der;   /* the response as sent */
    long len;
    ASN1_INTEGER *serial; /* of the certificate it is for */
    ASN1_GENERALIZEDTIME *next_update; /* NULL: no expiry given */
    OCSP_RESPONSE *resp;  /* owns serial and next_update */
} ocsp_proof;

struct tls_ocsp {
    ocsp_proof proofs[LIMIT_TLS_CERTS];
    int n;
};

/* read_proof - one file, DER or PEM; NULL with *err */
static OCSP_RESPONSE *read_proof(const char *path, bool pem, char **err)
{
    BIO *b = BIO_new_file(path, "rb");
    OCSP_RESPONSE *r = NULL;
    if (b && pem)
        r = PEM_ASN1_read_bio((d2i_of_void *)d2i_OCSP_RESPONSE, PEM_STRING_OCSP_RESPONSE, b, NULL,
                              NULL, NULL);
    else if (b) r = d2i_OCSP_RESPONSE_bio(b, NULL);
    BIO_free(b);
    if (!r) *err = string_sprintf("(tls_ocsp_file %s): %s", path, tls_error_text("unreadable"));
    return r;
}

/* add_proof - keep a successful response and what it is about */
static bool add_proof(struct tls_ocsp *o, OCSP_RESPONSE *r, const char *path, char **err)
{
    OCSP_BASICRESP *basic = OCSP_response_status(r) == OCSP_RESPONSE_STATUS_SUCCESSFUL
                                ? OCSP_response_get1_basic(r) : NULL;
    OCSP_SINGLERESP *single = basic ? OCSP_resp_get0(basic, 0) : NULL;
    ocsp_proof *p = &o->proofs[o->n];
    if (!single || o->n >= LIMIT_TLS_CERTS) {
        OCSP_BASICRESP_free(basic);
        *err = string_sprintf("(tls_ocsp_file %s): not a usable OCSP response", path);
        return false;
    }
    ASN1_INTEGER *serial = NULL;
    OCSP_id_get0_info(NULL, NULL, NULL, &serial, (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(single));
    ASN1_GENERALIZEDTIME *next = NULL;
    OCSP_single_get0_status(single, NULL, NULL, NULL, &next);
    p->serial = ASN1_INTEGER_dup(serial);
    p->next_update = next ? ASN1_STRING_dup(next) : NULL;
    OCSP_BASICRESP_free(basic);
    p->len = i2d_OCSP_RESPONSE(r, NULL);
    p->der = store_get_in(POOL_PERM, (size_t)p->len, GET_UNTAINTED);
    unsigned char *q = p->der;
    i2d_OCSP_RESPONSE(r, &q);
    p->resp = r;
    o->n++;
    return true;
}

/* status_callback - a client asked for certificate status */
static int status_callback(SSL *ssl, void *arg)
{
    const struct tls_ocsp *o = arg;
    X509 *cert = SSL_get_certificate(ssl);
    const ASN1_INTEGER *serial = cert ? X509_get0_serialNumber(cert) : NULL;
    conn.tls_in_ocsp = OCSP_NOT_RESP;
    for (int i = 0; serial && i < o->n; i++) {
        const ocsp_proof *p = &o->proofs[i];
        if (ASN1_INTEGER_cmp(p->serial, serial) != 0) continue;
        if (p->next_update && X509_cmp_current_time(p->next_update) < 0) continue; /* stale */
        unsigned char *copy = OPENSSL_malloc((size_t)p->len);
        if (!copy) break;
        memcpy(copy, p->der, (size_t)p->len);
        SSL_set_tlsext_status_ocsp_resp(ssl, copy, p->len); /* OpenSSL frees it */
        conn.tls_in_ocsp = OCSP_VFY_NOT_TRIED;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

bool tls_ocsp_load(SSL_CTX *ctx, const char *list, char **err)
{
    if (!list || !*list) return true;
    struct tls_ocsp *o = store_get_in(POOL_PERM, sizeof *o, GET_UNTAINTED);
    memset(o, 0, sizeof *o);
    bool pem = false; /* Exim: DER unless a "PEM " prefix says otherwise */
    int sep = 0;
    char *item;
    while ((item = string_nextinlist(&list, &sep))) {
        if (strncmp(item, "PEM ", 4) == 0 || strncmp(item, "DER ", 4) == 0) {
            pem = item[0] == 'P';
            item += 4;
        }
        OCSP_RESPONSE *r = read_proof(item, pem, err);
        if (!r || !add_proof(o, r, item, err)) {
            OCSP_RESPONSE_free(r);
            return false;
        }
    }
    SSL_CTX_set_tlsext_status_cb(ctx, status_callback);
    SSL_CTX_set_tlsext_status_arg(ctx, o);
    return true;
}

#endif
