/* Report files (`audit --report FILE`): written aside in the target's own
 * directory with mkstemp (never a predictable name, never through a planted
 * symlink), with a mode that follows the data directory's, and renamed over
 * the target only when complete. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "redflag/writer.h"

/* The report's mode: the owner's, and the group's read when the data
 * directory lets its group in; never other users'. */
static mode_t report_mode(const char *data_dir)
{
    struct stat st;
    bool group = data_dir && stat(data_dir, &st) == 0 && (st.st_mode & S_IRWXG);
    return group ? 0640 : 0600;
}

/* Open a fresh temporary file beside path for writing the report. */
FILE *cli_report_open(cli_report *r, const char *path, const char *data_dir)
{
    r->path = path;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        msg_error("%s is a symbolic link: not replacing it (give the path it points to)", path);
        return NULL;
    }
    if ((size_t)snprintf(r->tmp, sizeof r->tmp, "%s.XXXXXX", path) >= sizeof r->tmp) {
        msg_error("%s: report path too long", path);
        return NULL;
    }
    int fd = mkstemp(r->tmp); /* O_CREAT|O_EXCL, mode 0600 */
    if (fd < 0) {
        msg_error("%s: cannot write the report: %s", path, strerror(errno));
        return NULL;
    }
    if (fchmod(fd, report_mode(data_dir)) != 0 || !(r->fp = fdopen(fd, "w"))) {
        msg_error("%s: cannot write the report: %s", path, strerror(errno));
        close(fd);
        unlink(r->tmp);
        return NULL;
    }
    return r->fp;
}

/* Close the report; rename it into place and print the summary, or remove it. */
int cli_report_close(cli_report *r, bool ok, struct rf_writer *w, int rc)
{
    if (fflush(r->fp) != 0 || fsync(fileno(r->fp)) != 0) {
        if (ok)
            msg_error("%s: cannot write the report: %s", r->tmp, strerror(errno));
        ok = false;
    }
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
