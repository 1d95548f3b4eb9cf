/* Where the tool finds its rules when run from a checkout or installed. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

#ifndef RF_RULES_DIR
#define RF_RULES_DIR "/usr/local/share/redflag/rules"
#endif

/* Whether path is a directory. */
static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The rules directory to use. */
const char *cli_rules_dir(const char *opt)
{
    static char buf[PATH_MAX + 32];
    if (opt)
        return opt;
    const char *env = getenv("REDFLAG_RULES");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, sizeof buf, "%s/rules", exe);
            if (is_dir(buf))
                return buf;
            snprintf(buf, sizeof buf, "%s/../share/redflag/rules", exe);
            if (is_dir(buf))
                return buf;
        }
    }
    return RF_RULES_DIR;
}
