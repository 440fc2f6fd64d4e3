/* fuzz_smtp_cmd.c - libFuzzer target for the SMTP command-line parsers:
 * verb recognition, MAIL/RCPT address parsing, ESMTP parameter splitting
 * and xtext decoding (smtp_parse.c). The input is one command line as
 * the line reader would deliver it: at most LIMIT_SMTP_CMD_LINE bytes,
 * NUL-terminated, NULs already replaced. */
#include "tern.h"
#include "smtp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > LIMIT_SMTP_CMD_LINE) size = LIMIT_SMTP_CMD_LINE;
    rmark m = store_mark();
    char *line = store_get(size + 1, GET_TAINTED);
    for (size_t i = 0; i < size; i++) line[i] = data[i] ? (char)data[i] : '?';
    line[size] = 0;
    char *arg;
    enum smtp_cmd_id id = smtp_parse_verb(line, &arg);
    ASSERT(arg >= line && arg <= line + size);
    char *addr, *rest, *name, *value;
    if (id == CMD_MAIL || id == CMD_RCPT || id == CMD_UNKNOWN) {
        if (!smtp_parse_address(arg, &addr, &rest)) {
            ASSERT(strlen(addr) <= size);
            while (smtp_split_param(rest, &name, &value))
                if (value) (void)smtp_xtext_decode(value);
        }
    }
    (void)smtp_xtext_decode(line);
    store_reset(m);
    return 0;
}
