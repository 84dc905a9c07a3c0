/* errmsg.h - the one-line reasons the readers and builders give back to their callers. */
#ifndef IO_ERRMSG_H
#define IO_ERRMSG_H

#include <stddef.h>

/* Formats a reason into err (errlen bytes; err may be NULL) and returns -1, so a failing
 * path reads `return errmsg(err, errlen, "what is wrong: %d", x);`. */
int errmsg(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
