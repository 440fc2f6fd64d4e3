/* test_tls.c - tls.c's context building from option values: which
 * values are accepted, and the "(what): reason" texts the log lines
 * carry for those that are not. No network: contexts only. */
#include "tern.h"
#include "globals.h"
#include "tls_int.h"
#include "unit.h"

/* build - a server context from the spec; NULL and *err on failure */
static bool build(const tls_ctx_spec *spec, char **err)
{
    *err = NULL;
    SSL_CTX *ctx = tls_ctx_new(true, spec, err);
    SSL_CTX_free(ctx);
    return ctx != NULL;
}

static void test_values(void)
{
    static const struct {
        const char *label;
        tls_ctx_spec spec;
        bool ok;
        const char *err_prefix;
    } cases[] = {
        {"self-signed, defaults", {0}, true, NULL},
        {"missing cert", {.certificate = "/nonexistent/c.pem"}, false,
         "(SSL_CTX_use_certificate_chain_file file=/nonexistent/c.pem): "},
        {"cipher list, _ as -", {.ciphers = "ECDHE_RSA_AES128_GCM_SHA256"}, true, NULL},
        {"no cipher matches", {.ciphers = "NO-SUCH-CIPHER"}, false,
         "(SSL_CTX_set_cipher_list NO-SUCH-CIPHER): "},
        {"dhparam none", {.dhparam = "none"}, true, NULL},
        {"dhparam default", {.dhparam = "default"}, true, NULL},
        {"dhparam ffdhe2048", {.dhparam = "ffdhe2048"}, true, NULL},
        {"dhparam ike14", {.dhparam = "ike14"}, true, NULL},
        {"dhparam above tls_dh_max_bits is ignored", {.dhparam = "ffdhe8192"}, true, NULL},
        {"dhparam unknown", {.dhparam = "ike1"}, false,
         "(tls_dhparam): unknown DH parameters \"ike1\""},
        {"dhparam missing file", {.dhparam = "/nonexistent/dh.pem"}, false,
         "(DH params file /nonexistent/dh.pem): "},
        {"eccurve auto", {.eccurve = "auto"}, true, NULL},
        {"eccurve list", {.eccurve = "X25519:P-256"}, true, NULL},
        {"eccurve unknown", {.eccurve = "P-999"}, false, "(tls_eccurve): unknown curve \"P-999\""},
        {"CAs system", {.verify_certificates = "system"}, true, NULL},
        {"CAs missing", {.verify_certificates = "/nonexistent/ca.pem"}, false,
         "(tls_verify_certificates /nonexistent/ca.pem): No such file or directory"},
        {"CA directory", {.verify_certificates = "/etc/ssl/certs"}, true, NULL},
        {"CRL missing", {.crl = "/nonexistent/crl.pem"}, false, "(tls_crl /nonexistent/crl.pem): "},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *err;
        bool ok = build(&cases[i].spec, &err);
        CHECK(ok == cases[i].ok, cases[i].label);
        if (cases[i].err_prefix)
            CHECK(err && strncmp(err, cases[i].err_prefix, strlen(cases[i].err_prefix)) == 0,
                  err ? err : cases[i].label);
    }
}

static void test_names(void)
{
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"GB", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"a.example", -1, -1, 0);
    char *s = tls_name_oneline(n);
    CHECK_STR(s, "/C=GB/CN=a.example", "one-line DN");
    CHECK(store_is_tainted(s), "peer DN is tainted");
    X509_NAME_free(n);
}

int main(void)
{
    cfg = main_options_default;
    cfg.primary_hostname = "unit.example";
    cfg.tls_dh_max_bits = 2236;
    test_values();
    test_names();
    return unit_done("test_tls");
}
