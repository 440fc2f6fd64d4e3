/* test_rewrite.c - rewrite rule parsing. */
#include "tern.h"
#include "rewrite.h"
#include "unit.h"

int main(void)
{
    static const struct { const char *in; const char *err; unsigned flags; } cases[] = {
        {"*@x.example $1@y.example Ffrs", NULL, RW_ENV_FROM | RW_FROM | RW_REPLY_TO | RW_SENDER},
        {"*@x.example $1@y.example Z", "unknown rewrite flag character 'Z' (could be missing quotes round replacement item)", 0},
        {"*@x.example", "missing rewrite replacement string", 0},
        {"\"a b\" c", NULL, RW_ALL_HEADERS | RW_ENVELOPE},
        {"^(.*)@x $1@y Sq", NULL, RW_SMTP | RW_QUALIFY},
        {"*@x $1@y EFTbcfhrstwQqR", NULL, RW_ALL_HEADERS | RW_ENVELOPE | RW_WHOLE | RW_QUIT | RW_QUALIFY | RW_REWRITE_ALL},
        {"*@x \"$1 @y\" h", NULL, RW_ALL_HEADERS},
        {"*@x $1@y h junk", "unknown rewrite flag character 'j' (could be missing quotes round replacement item)", 0},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        rewrite_rule r;
        const char *err = rewrite_parse_line(cases[i].in, &r);
        CHECK_STR(err, cases[i].err, cases[i].in);
        if (!err && !cases[i].err) CHECK_INT(r.flags, cases[i].flags, cases[i].in);
    }
    rewrite_rule r;
    CHECK_STR(rewrite_parse_line("*@x \"$1 @y\" h", &r), NULL, "quoted");
    CHECK_STR(r.replacement, "$1 @y", "quoted replacement");
    return unit_done("test_rewrite");
}
