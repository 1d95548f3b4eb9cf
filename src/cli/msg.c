/* The one place the tool prints diagnostics. */
#include <stdarg.h>
#include <stdio.h>
#include "cli.h"

/* Print "redflag: LEVEL: message" to stderr. */
static void vmsg(const char *level, const char *fmt, va_list ap)
{
    fprintf(stderr, "redflag: %s: ", level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

/* Report an error. */
void msg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("error", fmt, ap);
    va_end(ap);
}

/* Report a warning. */
void msg_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning", fmt, ap);
    va_end(ap);
}

/* Report a usage error and point at --help. */
int msg_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("error", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'redflag %s --help'.\n", cmd);
    return EXIT_INPUT;
}
