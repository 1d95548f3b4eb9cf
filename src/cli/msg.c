/* The one place the tool prints diagnostics. */
#include <stdarg.h>
#include <stdio.h>
#include "cli.h"
#include "redflag/rules.h"

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

/* Print a diagnostic "file:line[:col]: error: msg" (the form editors jump to),
 * or "redflag: error: file: msg" when it has no line. */
void msg_diag(const rf_diag *d, int rc)
{
    const char *msg = d->msg[0] ? d->msg : rf_strerror(rc);
    if (d->line && d->col > 0)
        fprintf(stderr, "%s:%d:%d: error: %s\n", d->file, d->line, d->col, msg);
    else if (d->line)
        fprintf(stderr, "%s:%d: error: %s\n", d->file, d->line, msg);
    else
        msg_error("%s%s%s", d->file, d->file[0] ? ": " : "", msg);
}
