/* `redflag audit`: screen a supplier list or a year of orders and hand over
 * one HTML report of the run (the screening itself is `screen`'s). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "redflag/writer.h"

/* Open PATH.tmp-PID for writing the report. */
FILE *cli_report_open(cli_report *r, const char *path)
{
    r->path = path;
    if ((size_t)snprintf(r->tmp, sizeof r->tmp, "%s.tmp-%ld", path, (long)getpid()) >=
        sizeof r->tmp) {
        msg_error("%s: report path too long", path);
        return NULL;
    }
    if (!(r->fp = fopen(r->tmp, "w")))
        msg_error("%s: cannot write the report: %s", path, strerror(errno));
    return r->fp;
}

/* Close the report; rename it into place and print the summary, or remove it. */
int cli_report_close(cli_report *r, bool ok, struct rf_writer *w, int rc)
{
    if (fclose(r->fp) != 0 && ok) {
        msg_error("%s: cannot write the report: %s", r->tmp, strerror(errno));
        ok = false;
    }
    if (ok && rename(r->tmp, r->path) != 0) {
        msg_error("%s: cannot write the report: %s", r->path, strerror(errno));
        ok = false;
    }
    if (!ok) {
        unlink(r->tmp);
        return EXIT_IO;
    }
    char line[256];
    rf_writer_summary(w, line, sizeof line);
    printf("%s\nreport: %s\n", line, r->path);
    return fflush(stdout) == 0 ? rc : EXIT_IO;
}

/* Entry point of `redflag audit`. */
int cmd_audit(int argc, char **argv)
{
    return cli_screen(argc, argv, true);
}
