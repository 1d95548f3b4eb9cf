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
#ifndef RF_FEEDS_CONF
#define RF_FEEDS_CONF "/usr/local/share/redflag/feeds/feeds.conf"
#endif

/* Whether path is a directory. */
static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether path is a readable regular file. */
static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Find rel beside the executable (a checkout) or in ../share/redflag (an
 * install); buf receives the path. False when neither exists. */
static bool beside_exe(const char *rel, bool dir, char *buf, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return false;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    const char *const fmts[] = {"%s/%s", "%s/../share/redflag/%s"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(buf, n, fmts[i], exe, rel);
        if (dir ? is_dir(buf) : is_file(buf))
            return true;
    }
    return false;
}

/* The rules directory to use. */
const char *cli_rules_dir(const char *opt)
{
    static char buf[PATH_MAX + 64];
    if (opt)
        return opt;
    const char *env = getenv("REDFLAG_RULES");
    if (env && *env)
        return env;
    return beside_exe("rules", true, buf, sizeof buf) ? buf : RF_RULES_DIR;
}

/* The feed list to use: --conf, $REDFLAG_FEEDS, beside the executable, installed. */
const char *cli_feeds_conf(const char *opt)
{
    static char buf[PATH_MAX + 64];
    if (opt)
        return opt;
    const char *env = getenv("REDFLAG_FEEDS");
    if (env && *env)
        return env;
    return beside_exe("feeds/feeds.conf", false, buf, sizeof buf) ? buf : RF_FEEDS_CONF;
}

/* The data directory: --data, $REDFLAG_DATA, $XDG_DATA_HOME/redflag,
 * ~/.local/share/redflag. NULL when none can be named (no HOME). */
const char *cli_data_dir(const char *opt)
{
    static char buf[PATH_MAX + 64];
    const char *env = getenv("REDFLAG_DATA");
    if (opt)
        return opt;
    if (env && *env)
        return env;
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && *xdg == '/')
        snprintf(buf, sizeof buf, "%s/redflag", xdg);
    else if (home && *home)
        snprintf(buf, sizeof buf, "%s/.local/share/redflag", home);
    else
        return NULL;
    return buf;
}
