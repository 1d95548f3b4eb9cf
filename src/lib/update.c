/* Bringing the risk lists up to date: fetch, check, keep the last good copy,
 * rebuild the index (see update.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "feed_int.h"
#include "redflag/name.h"
#include "redflag/update.h"
#include "update_meta.h"

#define MAX_FILES FEED_META_MAX_FILES
#define RUN_DEADLINE_MS (30L * 60 * 1000)

static _Thread_local char update_error[768];

/* One feed's state during an update. */
typedef struct feed_run {
    const rf_feed_def *def;
    char dir[4096];              /* DATA/feeds/NAME */
    feed_meta meta;              /* DATA/feeds/NAME/meta.json, or empty */
    rf_update_outcome outcome;
    char message[600];
    const char *paths[MAX_FILES]; /* what gets indexed */
    char pathbuf[MAX_FILES][4400];
    size_t npaths;
    rf_feed_format format;       /* of those files */
    size_t entities, goods;
} feed_run;

/* Context of the index build callbacks. */
typedef struct build_ctx {
    rf_index_builder *b;
    const rf_update_opts *o;
    feed_run *fr;
    int rc;
} build_ctx;

/* The message for the last failing rf_update(). */
const char *rf_update_error(void)
{
    return update_error;
}

/* Set the thread's error message; returns rc. */
static int fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(update_error, sizeof update_error, fmt, ap);
    va_end(ap);
    return rc;
}

/* Name of an outcome. */
const char *rf_update_outcome_name(rf_update_outcome o)
{
    static const char *const names[] = {"fetched", "unchanged", "kept", "snapshot",
                                        "failed", "no data", "disabled"};
    return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "unknown";
}

/* Defaults: online, every feed, the fetcher's defaults. */
void rf_update_opts_init(rf_update_opts *o)
{
    memset(o, 0, sizeof *o);
    rf_fetch_opts_init(&o->fetch);
    o->deadline_ms = RUN_DEADLINE_MS;
}

/* Milliseconds on the monotonic clock. */
static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* mkdir -p with mode 0700 for every component we create. */
static int make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* Parse one feed's files in a format, delivering entities or goods rows. */
static int parse_files(const rf_feed_def *def, rf_feed_format fmt, const char *const *paths,
                       size_t n, rf_entity_cb ecb, rf_goods_cb gcb, void *ud, rf_feed_diag *d)
{
    rf_feed_src src[MAX_FILES] = {{0}};
    n = n < MAX_FILES ? n : MAX_FILES;
    for (size_t i = 0; i < n; i++)
        src[i] = (rf_feed_src){.path = paths[i], .list = def->name};
    const feed_ops *ops = feed_ops_of(fmt);
    return ops ? feed_parse(ops, def, src, n, ecb, gcb, ud, d) : RF_EINVAL;
}

/* Count entities (check of a download). */
static int count_entity(const rf_entity *e, void *ud)
{
    (void)e;
    ++*(size_t *)ud;
    return 0;
}

/* Count goods rows (check of a download). */
static int count_goods(const rf_goods *g, void *ud)
{
    (void)g;
    ++*(size_t *)ud;
    return 0;
}

/* What the fetcher must see for a format. */
static rf_fetch_expect expect_of(rf_feed_format f)
{
    const feed_ops *ops = feed_ops_of(f);
    return ops ? ops->expect : RF_EXPECT_XML;
}

/* Path of DATA/feeds/NAME/<what>.<i>. */
static void file_path(const feed_run *fr, const char *what, size_t i, char *out, size_t n)
{
    snprintf(out, n, "%s/%s.%zu", fr->dir, what, i);
}

/* The feed's URLs: main, then alt and add for ofac_csv. */
static size_t feed_urls(const rf_feed_def *def, const char *urls[MAX_FILES])
{
    size_t n = 0;
    urls[n++] = def->url;
    const feed_ops *ops = feed_ops_of(def->format);
    if (ops && ops->extra_urls && def->alt_url)
        urls[n++] = def->alt_url;
    if (ops && ops->extra_urls && def->add_url)
        urls[n++] = def->add_url;
    return n;
}

/* Load DATA/feeds/NAME/meta.json, or start an empty one. */
static void load_meta(feed_run *fr)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.json", fr->dir);
    feed_meta_load(&fr->meta, path);
}

/* Write meta.json atomically (temp file, fsync, rename). */
static int save_meta(const feed_run *fr)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.json", fr->dir);
    return feed_meta_save(&fr->meta, path);
}

/* Remove the staging copies DATA/feeds/NAME/incoming.*. */
static void drop_incoming(const feed_run *fr, size_t n)
{
    char p[4400];
    for (size_t i = 0; i < n; i++) {
        file_path(fr, "incoming", i, p, sizeof p);
        unlink(p);
    }
}

/* Fetch each URL into incoming.i (hard-linked from current.i first, so the
 * validators apply), all before end_ms; returns how many were updated, or -1
 * with the message set. run_bound: end_ms is the run's deadline, not the feed's. */
static int fetch_files(feed_run *fr, const rf_update_opts *o, rf_fetch_result *res, size_t n,
                       const char *const *urls, long long end_ms, bool run_bound)
{
    int updated = 0;
    for (size_t i = 0; i < n; i++) {
        long long left = end_ms - mono_ms();
        if (left <= 0 && o->fetch.deadline_ms > 0) { /* else rf_fetch names the bad option */
            snprintf(fr->message, sizeof fr->message, "%s: not fetched: the %s deadline was "
                     "reached", urls[i], run_bound ? "run's" : "feed's");
            return -1;
        }
        char cur[4400], inc[4400];
        file_path(fr, "current", i, cur, sizeof cur);
        file_path(fr, "incoming", i, inc, sizeof inc);
        unlink(inc);
        if (link(cur, inc) != 0 && errno != ENOENT) {
            snprintf(fr->message, sizeof fr->message, "cannot stage %.400s: %s", inc, strerror(errno));
            return -1;
        }
        rf_fetch_opts fo = o->fetch;
        fo.url = urls[i];
        fo.dest_path = inc;
        fo.etag = feed_meta_file_at(&fr->meta, i)->etag;
        fo.last_modified = feed_meta_file_at(&fr->meta, i)->last_modified;
        fo.expect = expect_of(fr->def->format);
        fo.deadline_ms = left > 0 ? (long)left : o->fetch.deadline_ms;
        if (rf_fetch(&fo, &res[i]) != RF_OK) {
            snprintf(fr->message, sizeof fr->message, "%s: %s%s", urls[i], res[i].error,
                     res[i].cause == RF_FETCH_E_DEADLINE && run_bound ? " (the run's deadline)"
                                                                      : "");
            return -1;
        }
        updated += res[i].status == RF_FETCH_UPDATED;
    }
    return updated;
}

/* Check the staged files parse and hold entries, then make them current. */
static int accept_download(feed_run *fr, rf_fetch_result *res, size_t n, const char *const *urls)
{
    char paths[MAX_FILES][4400];
    const char *pp[MAX_FILES];
    for (size_t i = 0; i < n; i++) {
        file_path(fr, "incoming", i, paths[i], sizeof paths[i]);
        pp[i] = paths[i];
    }
    size_t count = 0;
    rf_feed_diag d;
    int rc = parse_files(fr->def, fr->def->format, pp, n, count_entity, count_goods, &count, &d);
    if (rc != RF_OK || count == 0) {
        snprintf(fr->message, sizeof fr->message, "download rejected, last good copy kept: %s",
                 rc != RF_OK ? d.message : "no entries in the file");
        return -1;
    }
    feed_meta fresh = {.nfiles = n};
    int bad = 0;
    for (size_t i = 0; i < n && bad == 0; i++) {
        char cur[4400];
        file_path(fr, "current", i, cur, sizeof cur);
        if (rename(paths[i], cur) != 0) {
            snprintf(fr->message, sizeof fr->message, "cannot keep %.400s: %s", cur, strerror(errno));
            bad = 1;
            break;
        }
        struct stat st;
        feed_meta_file *f = &fresh.files[i];
        const char *prev_sha = feed_meta_file_at(&fr->meta, i)->sha256;
        f->bytes = stat(cur, &st) == 0 ? (long long)st.st_size : 0;
        if (feed_meta_set(&f->url, urls[i]) != 0 ||
            feed_meta_set(&f->sha256, res[i].status == RF_FETCH_UPDATED ? res[i].sha256
                                                                         : prev_sha) != 0 ||
            feed_meta_set(&f->etag, res[i].etag) != 0 ||
            feed_meta_set(&f->last_modified, res[i].last_modified) != 0) {
            snprintf(fr->message, sizeof fr->message, "out of memory recording the download");
            bad = 1;
        }
    }
    if (!bad) { /* the new files' records replace the old ones */
        feed_meta_free_files(&fr->meta);
        memcpy(fr->meta.files, fresh.files, sizeof fresh.files);
        fr->meta.nfiles = n;
    } else {
        feed_meta_free_files(&fresh);
        return -1;
    }
    fr->meta.fetched_at = (long long)time(NULL);
    if (feed_meta_set(&fr->meta.url, fr->def->url) != 0)
        return -1;
    return save_meta(fr) == 0 ? 0 : -1;
}

/* Fetch one feed before its deadline or the run's (run_end_ms, 0: none);
 * sets outcome and message. */
static void fetch_feed(feed_run *fr, const rf_update_opts *o, long long run_end_ms)
{
    const char *urls[MAX_FILES];
    size_t n = feed_urls(fr->def, urls);
    rf_fetch_result res[MAX_FILES];
    long long end = mono_ms() + o->fetch.deadline_ms;
    bool run_bound = run_end_ms && run_end_ms < end;
    memset(res, 0, sizeof res);
    int updated = fetch_files(fr, o, res, n, urls, run_bound ? run_end_ms : end, run_bound);
    if (updated < 0) {
        fr->outcome = RF_UPDATE_FAILED;
    } else if (updated == 0) {
        fr->outcome = RF_UPDATE_UNCHANGED;
        fr->meta.checked_at = (long long)time(NULL);
    } else if (accept_download(fr, res, n, urls) != 0) {
        fr->outcome = RF_UPDATE_FAILED;
    } else {
        fr->outcome = RF_UPDATE_FETCHED;
    }
    if (fr->outcome == RF_UPDATE_FAILED) { /* remembered until a fetch succeeds */
        feed_meta_set(&fr->meta.last_error, fr->message);
        fr->meta.failed_at = (long long)time(NULL);
    } else {
        feed_meta_set(&fr->meta.last_error, NULL);
        fr->meta.failed_at = 0;
    }
    save_meta(fr);
    drop_incoming(fr, n);
    for (size_t i = 0; i < n; i++)
        rf_fetch_result_clear(&res[i]);
}

/* Pick what to index: the last good download, else the bundled snapshot. */
static void choose_source(feed_run *fr, const rf_feedconf *conf)
{
    const char *urls[MAX_FILES];
    size_t n = feed_urls(fr->def, urls);
    file_path(fr, "current", 0, fr->pathbuf[0], sizeof fr->pathbuf[0]);
    if (access(fr->pathbuf[0], R_OK) == 0) {
        for (size_t i = 0; i < n; i++) {
            file_path(fr, "current", i, fr->pathbuf[i], sizeof fr->pathbuf[i]);
            fr->paths[i] = fr->pathbuf[i];
        }
        fr->npaths = n;
        fr->format = fr->def->format;
        return;
    }
    for (size_t i = 0; i < fr->def->nsnapshots && i < MAX_FILES; i++) {
        snprintf(fr->pathbuf[i], sizeof fr->pathbuf[i], "%s/%s", conf->snapshot_dir,
                 fr->def->snapshots[i]);
        fr->paths[i] = fr->pathbuf[i];
    }
    fr->npaths = fr->def->nsnapshots < MAX_FILES ? fr->def->nsnapshots : MAX_FILES;
    fr->format = fr->def->snapshot_format;
    if (fr->outcome != RF_UPDATE_FAILED)
        fr->outcome = fr->npaths ? RF_UPDATE_SNAPSHOT : RF_UPDATE_NO_DATA;
    if (!fr->npaths && fr->outcome == RF_UPDATE_NO_DATA)
        snprintf(fr->message, sizeof fr->message, "never fetched and no bundled snapshot%s",
                 fr->def->non_commercial ? " (non-commercial data is not bundled)" : "");
}

/* The entity a name key belongs to, for add_key. */
typedef struct key_ctx {
    rf_index_builder *b;
    const rf_entity *e;
} key_ctx;

/* Name matcher callback: store one retrieval key for the entity. */
static int add_key(const char *key, size_t len, rf_name_key_class cls, double weight, void *ud)
{
    (void)cls;
    (void)weight;
    key_ctx *k = ud;
    return rf_index_builder_add_key(k->b, key, len, k->e->list, k->e->id);
}

/* Add the retrieval keys of an entity's name and every alias. */
static int add_name_keys(rf_index_builder *b, const rf_entity *e)
{
    rf_name_kind kind = e->kind == RF_ENTITY_PERSON ? RF_NAME_PERSON : RF_NAME_COMPANY;
    key_ctx k = {b, e};
    int rc = rf_name_keys(e->name, kind, add_key, &k);
    for (size_t i = 0; i < e->naliases && rc != RF_ENOMEM; i++)
        if (rf_name_keys(e->aliases[i].name, kind, add_key, &k) == RF_ENOMEM)
            rc = RF_ENOMEM;
    return rc == RF_ENOMEM || rc == RF_ESTORE || rc == RF_EIO ? rc : RF_OK; /* odd names: no keys */
}

/* Builder callback: one entity into the index, with its name keys. */
static int build_entity(const rf_entity *e, void *ud)
{
    build_ctx *c = ud;
    int rc = rf_index_builder_add_entity(c->b, e, c->fr->def->critical);
    if (rc == RF_OK)
        rc = add_name_keys(c->b, e);
    c->fr->entities += rc == RF_OK;
    return c->rc = rc;
}

/* Builder callback: one goods row into the index. */
static int build_goods(const rf_goods *g, void *ud)
{
    build_ctx *c = ud;
    int rc = rf_index_builder_add_goods(c->b, g);
    c->fr->goods += rc == RF_OK;
    return c->rc = rc;
}

/* Unix time of a YYYY-MM-DD date, 0 when absent or malformed. */
static long long date_epoch(const char *date)
{
    struct tm tm = {0};
    if (!date || sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm);
}

/* When the source last confirmed our copy: the download, or a later "not modified". */
static long long confirmed_at(const feed_run *fr)
{
    long long f = fr->meta.fetched_at, c = fr->meta.checked_at;
    return c > f ? c : f;
}

/* Store the feed's provenance in the index. */
static int add_feed_meta(rf_index_builder *b, const feed_run *fr)
{
    bool snap = fr->format != fr->def->format || fr->outcome == RF_UPDATE_SNAPSHOT ||
                (fr->outcome == RF_UPDATE_FAILED && !fr->meta.fetched_at);
    char status[700];
    const char *last_error = fr->meta.last_error;
    if (last_error)
        snprintf(status, sizeof status, "stale: %s", last_error);
    else if (!fr->npaths)
        snprintf(status, sizeof status, "no data: %s", fr->message);
    else if (snap)
        snprintf(status, sizeof status, "bundled snapshot of %s",
                 fr->def->snapshot_date ? fr->def->snapshot_date : "unknown date");
    else
        snprintf(status, sizeof status, "ok");
    struct stat st;
    rf_index_feed f = {
        .name = fr->def->name, .url = fr->def->url,
        .format = rf_feed_format_name(fr->format), .licence = fr->def->licence,
        .critical = fr->def->critical, .entities = fr->entities, .goods = fr->goods,
        .status = status, .error = last_error,
        .fetched_at = snap ? date_epoch(fr->def->snapshot_date) : confirmed_at(fr),
        .sha256 = snap ? NULL : feed_meta_file_at(&fr->meta, 0)->sha256,
        .etag = snap ? NULL : feed_meta_file_at(&fr->meta, 0)->etag,
        .last_modified = snap ? NULL : feed_meta_file_at(&fr->meta, 0)->last_modified,
        .bytes = fr->npaths && stat(fr->paths[0], &st) == 0 ? (long long)st.st_size : 0,
    };
    return rf_index_builder_add_feed(b, &f);
}

/* Parse every feed's chosen files into a new index and swap it in. */
static int build_index(feed_run *runs, size_t n, const char *datadir, const rf_update_opts *o,
                       char gen[RF_INDEX_GEN_HEX])
{
    rf_index_builder *b = NULL;
    int rc = rf_index_builder_create(&b, datadir);
    if (rc != RF_OK)
        return fail(rc, "cannot start the index build: %s", rf_index_error());
    for (size_t i = 0; rc == RF_OK && i < n; i++) {
        feed_run *fr = &runs[i];
        if (!fr->def->enabled)
            continue;
        build_ctx c = {b, o, fr, RF_OK};
        rf_feed_diag d = {0};
        if (fr->npaths)
            rc = parse_files(fr->def, fr->format, fr->paths, fr->npaths, build_entity,
                             build_goods, &c, &d);
        if (rc != RF_OK)
            rc = fail(c.rc ? c.rc : rc, "feed %s: %s: %s", fr->def->name, fr->paths[0],
                      c.rc ? rf_index_error() : d.message);
        if (rc == RF_OK)
            rc = add_feed_meta(b, fr);
    }
    if (rc == RF_OK && (rc = rf_index_builder_commit(b, gen)) != RF_OK)
        fail(rc, "cannot commit the index: %s", rf_index_error());
    rf_index_builder_destroy(b);
    return rc;
}

/* Whether the feed was named in o->only (or no names were given). */
static bool selected(const rf_update_opts *o, const rf_feed_def *def)
{
    if (!o->nonly)
        return true;
    for (size_t i = 0; i < o->nonly; i++)
        if (strcmp(o->only[i], def->name) == 0)
            return true;
    return false;
}

/* Prepare, fetch (when due, before run_end_ms) and choose the source of one feed. */
static int run_feed(feed_run *fr, const rf_feedconf *conf, const char *datadir,
                    const rf_update_opts *o, long long run_end_ms)
{
    snprintf(fr->dir, sizeof fr->dir, "%s/feeds/%s", datadir, fr->def->name);
    if (make_dirs(fr->dir) != 0)
        return fail(RF_EIO, "cannot create %s: %s", fr->dir, strerror(errno));
    load_meta(fr);
    fr->outcome = RF_UPDATE_KEPT;
    if (!o->offline && selected(o, fr->def))
        fetch_feed(fr, o, run_end_ms);
    choose_source(fr, conf);
    return RF_OK;
}

/* Take DATA/fetch.lock so two updates never interleave their downloads. */
static int lock_data(const char *datadir, int *fd)
{
    char path[4200];
    if (make_dirs(datadir) != 0)
        return fail(RF_EIO, "cannot create %s: %s", datadir, strerror(errno));
    snprintf(path, sizeof path, "%s/fetch.lock", datadir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0)
        return fail(RF_EIO, "cannot open %s: %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX) != 0)
        return fail(RF_EIO, "cannot lock %s: %s", path, strerror(errno));
    return RF_OK;
}

/* Tell the caller how each feed went. */
static void report_all(const feed_run *runs, size_t n, const rf_update_opts *o, size_t *failed)
{
    for (size_t i = 0; i < n; i++) {
        const feed_run *fr = &runs[i];
        *failed += fr->outcome == RF_UPDATE_FAILED;
        if (!o->report)
            continue;
        rf_update_report r = {fr->def, fr->outcome, fr->message,
                              fr->npaths ? fr->paths[0] : "", fr->entities, fr->goods};
        o->report(&r, o->report_ud);
    }
}

/* Update datadir from conf (see update.h). */
int rf_update(const rf_feedconf *conf, const char *datadir, const rf_update_opts *o,
              char generation[RF_INDEX_GEN_HEX], size_t *failed)
{
    size_t nfail = 0;
    update_error[0] = 0;
    for (size_t i = 0; i < o->nonly; i++)
        if (!rf_feedconf_find(conf, o->only[i]))
            return fail(RF_ENOTFOUND, "no feed named '%s' in %s", o->only[i], conf->path);
    int lockfd = -1;
    int rc = lock_data(datadir, &lockfd);
    feed_run *runs = rc == RF_OK ? calloc(conf->nfeeds + 1, sizeof *runs) : NULL;
    if (rc == RF_OK && !runs)
        rc = fail(RF_ENOMEM, "out of memory");
    long long run_end = o->deadline_ms > 0 ? mono_ms() + o->deadline_ms : 0;
    for (size_t i = 0; rc == RF_OK && i < conf->nfeeds; i++) {
        runs[i].def = &conf->feeds[i];
        if (!conf->feeds[i].enabled)
            runs[i].outcome = RF_UPDATE_DISABLED;
        else
            rc = run_feed(&runs[i], conf, datadir, o, run_end);
    }
    if (rc == RF_OK)
        rc = build_index(runs, conf->nfeeds, datadir, o, generation);
    if (runs)
        report_all(runs, conf->nfeeds, o, &nfail);
    for (size_t i = 0; runs && i < conf->nfeeds; i++)
        feed_meta_free(&runs[i].meta);
    free(runs);
    if (lockfd >= 0)
        close(lockfd);
    if (failed)
        *failed = nfail;
    return rc;
}
