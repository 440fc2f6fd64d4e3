/* hints_records.h - what tern_dumpdb and tern_tidydb know about the
 * records in each hints database: when a record was last written and how
 * exim_dumpdb would print it. */
#ifndef TERN_HINTS_RECORDS_H
#define TERN_HINTS_RECORDS_H

#include "tern.h"

/* hints_db_name_valid - retry misc wait-<transport> callout ratelimit tls seen */
bool hints_db_name_valid(const char *name);
/* hints_record_stamp - when the record was last updated; false when this
 * database's records carry no time Tern can read (then tidying keeps it) */
bool hints_record_stamp(const char *db, const char *key, const void *data, size_t len, long *stamp);
/* hints_record_dump - the record as exim_dumpdb prints it, newline ended */
char *hints_record_dump(const char *db, const char *key, const void *data, size_t len, bool utc);
/* hints_print_time - "25-Nov-2026 07:26:48", local time or UTC */
char *hints_print_time(long t, bool utc);

#endif
