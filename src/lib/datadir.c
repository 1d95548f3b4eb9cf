/* The data directory's StrictModes check (datadir.h). */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "redflag/datadir.h"

/* The outcome of checking one path. */
typedef struct check {
    char *why;
    size_t whylen;
} check;

/* Whether st is owned by the effective user or root. */
static bool owner_ok(const struct stat *st)
{
    return st->st_uid == geteuid() || st->st_uid == 0;
}

/* Refuse: write the reason into c->why. Always RF_EIO. */
static int refuse(check *c, const char *path, const char *what, const char *fix)
{
    snprintf(c->why, c->whylen, "%s %s: run `%s %s`, or pass --insecure-data", path, what, fix,
             path);
    return RF_EIO;
}

/* Check one existing node (lstat'd into st): owner and group/other write bits. */
static int check_stat(check *c, const char *path, const struct stat *st)
{
    bool dir = S_ISDIR(st->st_mode);
    char what[96];
    if (!owner_ok(st)) {
        snprintf(what, sizeof what, "is owned by uid %u, not by you (uid %u)",
                 (unsigned)st->st_uid, (unsigned)geteuid());
        return refuse(c, path, what, dir ? "sudo chown -R \"$USER\"" : "sudo chown \"$USER\"");
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(what, sizeof what, "is writable by %s (mode %04o)",
                 (st->st_mode & S_IWOTH) ? "every user" : "its group",
                 (unsigned)(st->st_mode & 07777));
        return refuse(c, path, what, dir ? "chmod 700" : "chmod 600");
    }
    return RF_OK;
}

/* Check path if it exists; a symlink is refused (it would be followed). */
static int check_path(check *c, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return RF_OK; /* absent: created by us, 0700, when needed */
    if (S_ISLNK(st.st_mode))
        return refuse(c, path, "is a symbolic link, which redflag does not follow", "rm");
    return check_stat(c, path, &st);
}

/* Check the entries of directory dir, and theirs down to depth levels. */
static int check_tree(check *c, const char *dir, int depth)
{
    int rc = check_path(c, dir);
    DIR *d = rc == RF_OK && depth > 0 ? opendir(dir) : NULL;
    for (struct dirent *e; d && rc == RF_OK && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
            continue;
        struct stat st;
        rc = lstat(p, &st) == 0 && S_ISDIR(st.st_mode) ? check_tree(c, p, depth - 1)
                                                      : check_path(c, p);
    }
    if (d)
        closedir(d);
    return rc;
}

/* Check the index symlink: it must name a generation inside dir, checked with its files. */
static int check_index(check *c, const char *dir)
{
    char link[PATH_MAX], target[PATH_MAX];
    snprintf(link, sizeof link, "%s/index", dir);
    struct stat st;
    if (lstat(link, &st) != 0)
        return RF_OK;
    if (!S_ISLNK(st.st_mode))
        return check_tree(c, link, 1);
    if (!owner_ok(&st)) /* a link's own mode means nothing; who made it does */
        return check_stat(c, link, &st);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return refuse(c, link, "cannot be read", "rm");
    target[n] = '\0';
    if (strchr(target, '/') || strncmp(target, "index.", 6) != 0)
        return refuse(c, link, "points outside the data directory", "rm");
    char gen[PATH_MAX];
    if (snprintf(gen, sizeof gen, "%s/%s", dir, target) >= (int)sizeof gen)
        return refuse(c, link, "names a path too long", "rm");
    return check_tree(c, gen, 1);
}

/* Check the data directory, its index, cache and feed copies. */
int rf_data_dir_check(const char *dir, char *why, size_t whylen)
{
    char buf[1];
    check c = {why ? why : buf, why ? whylen : sizeof buf};
    c.why[0] = '\0';
    if (!dir)
        return RF_EINVAL;
    struct stat st;
    if (stat(dir, &st) != 0)
        return RF_OK; /* absent: made 0700 when needed; unreadable: opening it says why */
    if (!S_ISDIR(st.st_mode)) {
        snprintf(c.why, c.whylen, "%s is not a directory", dir);
        return RF_EIO;
    }
    int rc = check_stat(&c, dir, &st);
    char p[PATH_MAX];
    if (rc == RF_OK)
        rc = check_index(&c, dir);
    if (rc == RF_OK && snprintf(p, sizeof p, "%s/cache", dir) < (int)sizeof p)
        rc = check_tree(&c, p, 1);
    if (rc == RF_OK && snprintf(p, sizeof p, "%s/feeds", dir) < (int)sizeof p)
        rc = check_tree(&c, p, 2);
    return rc;
}
