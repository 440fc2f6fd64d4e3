/* fuzz_config.c - libFuzzer target for the configuration reader.
 *
 * Writes each input to a temporary file and reads it with readconf_read(),
 * as "tern -C file" would. Configuration errors normally end the process;
 * here log_config_die's test hook jumps back so one process can try many
 * inputs. Between inputs every piece of reader state is reset. */

/* System */
#include <setjmp.h>
#include <stdint.h>
/* MTA core */
#include "tern.h"
#include "cfgfile.h"
#include "globals.h"
#include "log.h"
#include "modes.h"
#include "readconf.h"

static jmp_buf on_error;
static char path[64];

static void config_died(const char *msg)
{
    (void)msg;
    longjmp(on_error, 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    snprintf(path, sizeof path, "/tmp/tern-fuzz-config-%d.conf", (int)getpid());
    log_set_config_die_test_hook(config_died);
    proc.debug_fd = 2;
    return 0;
}

/* fresh_state - as at process start: no config, only builtin macros */
static void fresh_state(void)
{
    cfgfile_reset();
    readconf_reset();
    store_reset_pool(POOL_CONFIG);
    store_reset_pool(POOL_MAIN);
    store_set_pool(POOL_MAIN);
    cfg = main_options_default;
    builtin_macros_define();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "w");
    if (!f) return 0;
    if (size && fwrite(data, 1, size, f) != size) { fclose(f); return 0; }
    fclose(f);
    fresh_state();
    if (setjmp(on_error) == 0) readconf_read(path);
    fresh_state();
    return 0;
}
