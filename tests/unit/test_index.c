/* Tests for the list index: round trips of every field on the real feed
 * fixtures, lookups, generations, readers across swaps, clean-up, a full
 * map, a read-only data directory, and kill -9 at every step of a commit
 * and at random moments of a large build. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <lmdb.h>
#include "redflag/feed.h"
#include "redflag/index.h"

/* ---- fault injection: the file-system calls a commit makes ----
 *
 * These definitions interpose on libc for the whole test binary (the
 * library is linked statically into it, LMDB's own fsync calls too). Each
 * call counts a step before and after itself; a child that set crash_at
 * kills itself with SIGKILL at that step, or, with park_fd set, tells its
 * parent and waits there to be killed. */
static long crash_at, steps;
static long arm_at;       /* crash_at to set when a build starts its commit */
static long park_entity = -1; /* park before adding entity number park_entity */
static int park_fd = -1;  /* where a parked child says so */

/* Tell the parent we reached the chosen state, then wait there for SIGKILL. */
static void park(void)
{
    if (write(park_fd, "p", 1) != 1)
        _exit(4);
    for (;;)
        pause();
}

/* Exported, so calls from the shared liblmdb (its fdatasync) come here too
 * despite the build's -fvisibility=hidden. */
#define EXPORTED __attribute__((visibility("default")))

/* Count one step; die on the chosen one. */
static void step(void)
{
    if (crash_at && ++steps == crash_at) {
        if (park_fd >= 0)
            park();
        raise(SIGKILL);
    }
}

/* rename(2), counted. */
EXPORTED int rename(const char *a, const char *b)
{
    step();
    int rc = renameat(AT_FDCWD, a, AT_FDCWD, b);
    step();
    return rc;
}

/* symlink(2), counted. */
EXPORTED int symlink(const char *target, const char *path)
{
    step();
    int rc = symlinkat(target, AT_FDCWD, path);
    step();
    return rc;
}

/* fsync(2), counted. */
EXPORTED int fsync(int fd)
{
    step();
    int rc = (int)syscall(SYS_fsync, fd);
    step();
    return rc;
}

/* fdatasync(2) (LMDB's sync), counted. */
EXPORTED int fdatasync(int fd)
{
    step();
    int rc = (int)syscall(SYS_fdatasync, fd);
    step();
    return rc;
}

/* unlink(2), counted. */
EXPORTED int unlink(const char *path)
{
    step();
    int rc = unlinkat(AT_FDCWD, path, 0);
    step();
    return rc;
}

/* rmdir(2), counted. */
EXPORTED int rmdir(const char *path)
{
    step();
    int rc = unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
    step();
    return rc;
}

/* ---- helpers ---- */

/* A fresh scratch directory per test (removed by teardown). */
typedef struct fixture {
    char root[256];
    char data[300];
} fixture;

/* Remove a tree (test clean-up). */
static void rmrf(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", path, path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

/* Make the scratch directory; DATA is root/data (not created). */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->root, sizeof f->root, "/tmp/rf_index_XXXXXX");
    if (!f || !mkdtemp(f->root))
        return -1;
    chmod(f->root, 0755);
    snprintf(f->data, sizeof f->data, "%s/data", f->root);
    *state = f;
    return 0;
}

/* Remove the scratch directory. */
static int teardown(void **state)
{
    fixture *f = *state;
    rmrf(f->root);
    free(f);
    return 0;
}

/* Path of a feed fixture, under $RF_SRCDIR when set. */
static const char *fx(const char *name)
{
    static char buf[8][1024];
    static int k;
    const char *root = getenv("RF_SRCDIR");
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s%stests/fixtures/feeds/%s", root ? root : "",
             root ? "/" : "", name);
    return buf[k];
}

/* Append to a growing string. */
static void cat(char **s, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    *s = realloc(*s, *len + (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(*s + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
}

/* A nullable string made visible. */
static const char *nz(const char *s)
{
    return s ? s : "<null>";
}

/* Every field of an entity as one string (for exact comparison). */
static char *flatten(const rf_entity *e, bool critical)
{
    char *s = NULL;
    size_t n = 0;
    cat(&s, &n, "%s|%s|%d|%s|%s|%s|%ld|%d|", e->list, e->id, (int)e->kind, e->name,
        nz(e->listed_on), nz(e->remarks), e->line, critical);
    for (size_t i = 0; i < e->naliases; i++)
        cat(&s, &n, "a%d:%s;", (int)e->aliases[i].kind, nz(e->aliases[i].name));
    for (size_t i = 0; i < e->ncountries; i++)
        cat(&s, &n, "c:%s;", nz(e->countries[i]));
    for (size_t i = 0; i < e->nids; i++)
        cat(&s, &n, "i:%s=%s/%s;", nz(e->ids[i].scheme), nz(e->ids[i].value),
            nz(e->ids[i].country));
    for (size_t i = 0; i < e->nprograms; i++)
        cat(&s, &n, "p:%s;", nz(e->programs[i]));
    return s;
}

/* What a build fed in, kept to compare with what comes back. */
typedef struct expect {
    rf_index_builder *b;
    char **flat;
    size_t n, cap;
    bool critical;
    bool with_keys; /* also add name keys */
} expect;

/* Name keys as a matcher might make them: lower-case ASCII words of three
 * letters or more. */
static int add_word_keys(rf_index_builder *b, const char *name, const rf_entity *e)
{
    char w[64];
    size_t n = 0;
    for (const char *p = name;; p++) {
        if (*p && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
            if (n < sizeof w)
                w[n++] = (char)(*p | 0x20);
            continue;
        }
        if (n >= 3) {
            int rc = rf_index_builder_add_key(b, w, n, e->list, e->id);
            if (rc != RF_OK)
                return rc;
        }
        n = 0;
        if (!*p)
            return RF_OK;
    }
}

/* Parser callback: add to the index and remember the flattened entity. */
static int add_cb(const rf_entity *e, void *ud)
{
    expect *x = ud;
    int rc = rf_index_builder_add_entity(x->b, e, x->critical);
    for (size_t i = 0; x->with_keys && rc == RF_OK && i <= e->naliases; i++)
        rc = add_word_keys(x->b, i ? e->aliases[i - 1].name : e->name, e);
    if (rc != RF_OK)
        return rc;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 256;
        x->flat = realloc(x->flat, x->cap * sizeof *x->flat);
    }
    x->flat[x->n++] = flatten(e, x->critical);
    return 0;
}

/* Free the remembered entities. */
static void expect_free(expect *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->flat[i]);
    free(x->flat);
}

/* Start a builder, failing the test with the library's message. */
static rf_index_builder *builder(const char *data)
{
    rf_index_builder *b = NULL;
    int rc = rf_index_builder_create(&b, data);
    if (rc != RF_OK)
        fail_msg("builder_create: %s (%s)", rf_strerror(rc), rf_index_error());
    return b;
}

/* Commit and destroy, failing the test with the library's message. */
static void commit(rf_index_builder *b, char gen[RF_INDEX_GEN_HEX])
{
    int rc = rf_index_builder_commit(b, gen);
    if (rc != RF_OK)
        fail_msg("commit: %s (%s)", rf_strerror(rc), rf_index_error());
    rf_index_builder_destroy(b);
}

/* Open the index, failing the test with the library's message. */
static rf_index *open_ix(const char *data)
{
    rf_index *ix = NULL;
    int rc = rf_index_open(&ix, data);
    if (rc != RF_OK)
        fail_msg("open: %s (%s)", rf_strerror(rc), rf_index_error());
    return ix;
}

/* Collects flattened entities from the index. */
typedef struct got {
    char **flat;
    size_t n, cap;
} got;

/* Entity callback: flatten and keep. */
static int got_cb(const rf_entity *e, bool critical, void *ud)
{
    got *g = ud;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 256;
        g->flat = realloc(g->flat, g->cap * sizeof *g->flat);
    }
    g->flat[g->n++] = flatten(e, critical);
    return 0;
}

/* Free collected entities. */
static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->flat[i]);
    free(g->flat);
    *g = (got){0};
}

/* Count directory entries starting with prefix. */
static int count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

/* Whether path exists. */
static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* A synthetic entity with every field set from n; list "syn". */
typedef struct synth {
    char id[32], name[96], alias[2][96], remarks[64], idval[32];
    rf_alias aliases[2];
    rf_ident ids[2];
    const char *countries[2];
    const char *programs[1];
    rf_entity e;
} synth;

/* Fill s as entity number n of a synthetic list. */
static const rf_entity *synthetic(synth *s, long n, const char *tag)
{
    snprintf(s->id, sizeof s->id, "syn-%ld", n);
    snprintf(s->name, sizeof s->name, "%s Trading Company Number %ld Limited", tag, n);
    snprintf(s->alias[0], sizeof s->alias[0], "%s Trading %ld", tag, n);
    snprintf(s->alias[1], sizeof s->alias[1], "Formerly %ld Holdings", n);
    snprintf(s->remarks, sizeof s->remarks, "synthetic entry %ld", n);
    snprintf(s->idval, sizeof s->idval, "REG-%08ld", n);
    s->aliases[0] = (rf_alias){s->alias[0], RF_ALIAS_AKA};
    s->aliases[1] = (rf_alias){s->alias[1], RF_ALIAS_FORMER};
    s->ids[0] = (rf_ident){"Registration ID", s->idval, "CN"};
    s->ids[1] = (rf_ident){"imo", s->id, NULL};
    s->countries[0] = "CN";
    s->countries[1] = "HK";
    s->programs[0] = "SYN";
    s->e = (rf_entity){.list = "syn", .id = s->id, .kind = RF_ENTITY_COMPANY, .name = s->name,
                       .aliases = s->aliases, .naliases = 2, .countries = s->countries,
                       .ncountries = 2, .ids = s->ids, .nids = 2, .programs = s->programs,
                       .nprograms = 1, .listed_on = "2024-01-31", .remarks = s->remarks,
                       .line = n + 2};
    return &s->e;
}

/* Build n synthetic entities plus a marker whose name is tag; in a child,
 * returns an rf_err instead of failing. */
static int build_synthetic(const char *data, long n, const char *tag, char gen[RF_INDEX_GEN_HEX])
{
    rf_index_builder *b = NULL;
    int rc = rf_index_builder_create(&b, data);
    synth s;
    for (long i = 0; rc == RF_OK && i < n; i++) {
        if (i == park_entity)
            park();
        rc = rf_index_builder_add_entity(b, synthetic(&s, i, tag), false);
    }
    rf_entity marker = {.list = "syn", .id = "marker", .name = tag};
    if (rc == RF_OK)
        rc = rf_index_builder_add_entity(b, &marker, true);
    rf_index_feed feed = {.name = "synthetic", .sha256 = tag, .entities = (size_t)n + 1};
    if (rc == RF_OK)
        rc = rf_index_builder_add_feed(b, &feed);
    if (arm_at) { /* fault injection: count from the commit on */
        steps = 0;
        crash_at = arm_at;
    }
    if (rc == RF_OK)
        rc = rf_index_builder_commit(b, gen);
    rf_index_builder_destroy(b);
    return rc;
}

/* ---- round trips ---- */

/* Parse the real fixtures into one index, as a fetch would. */
static void build_fixtures(rf_index_builder *b, expect *x)
{
    rf_feed_diag d;
    rf_feed_src s = {.path = fx("consolidated.xml"), .list = "us_ofac_cons"};
    x->b = b;
    x->critical = false;
    assert_int_equal(rf_feed_parse_ofac_xml(&s, add_cb, x, &d), RF_OK);
    rf_feed_src sdn = {.path = fx("sdn-csv-small/sdn.csv"), .list = "us_ofac_sdn"};
    rf_feed_src alt = {.path = fx("sdn-csv-small/alt.csv")};
    rf_feed_src add = {.path = fx("sdn-csv-small/add.csv")};
    assert_int_equal(rf_feed_parse_ofac_csv(&sdn, &alt, &add, add_cb, x, &d), RF_OK);
    s = (rf_feed_src){.path = fx("UN_consolidated.xml")};
    assert_int_equal(rf_feed_parse_un_xml(&s, add_cb, x, &d), RF_OK);
    s = (rf_feed_src){.path = fx("csl_legacy.csv")};
    assert_int_equal(rf_feed_parse_csl_csv(&s, add_cb, x, &d), RF_OK);
    s = (rf_feed_src){.path = fx("yente_zala_entities.ftm.json")};
    assert_int_equal(rf_feed_parse_ftm(&s, add_cb, x, &d), RF_OK);
    x->critical = true;
    s = (rf_feed_src){.path = fx("uflpa_entity_list_trimmed_a.html")};
    assert_int_equal(rf_feed_parse_uflpa_html(&s, add_cb, x, &d), RF_OK);
    s = (rf_feed_src){.path = fx("uflpa_entity_list_trimmed_b.html")};
    assert_int_equal(rf_feed_parse_uflpa_html(&s, add_cb, x, &d), RF_OK);
}

/* Order flattened entities by their list|id prefix. */
static int cmp_flat(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    /* list and id sort as the entity key does: list, NUL, id */
    size_t lx = strcspn(x, "|"), ly = strcspn(y, "|");
    int c = memcmp(x, y, lx < ly ? lx : ly);
    if (c || lx != ly)
        return c ? c : (lx < ly ? -1 : 1);
    x += lx + 1, y += ly + 1;
    lx = strcspn(x, "|"), ly = strcspn(y, "|");
    c = memcmp(x, y, lx < ly ? lx : ly);
    return c ? c : (lx < ly ? -1 : lx > ly);
}

/* Every entity of every real fixture comes back field for field (the last
 * of two with the same list and id wins), in entity-key order. */
static void test_roundtrip_fixtures(void **state)
{
    fixture *f = *state;
    expect x = {0};
    rf_index_builder *b = builder(f->data);
    build_fixtures(b, &x);
    char gen[RF_INDEX_GEN_HEX];
    commit(b, gen);
    /* expected: stable sort by key, keep the last of equal keys */
    for (size_t i = 1; i < x.n; i++)
        for (size_t j = i; j > 0 && cmp_flat(&x.flat[j - 1], &x.flat[j]) > 0; j--) {
            char *t = x.flat[j];
            x.flat[j] = x.flat[j - 1];
            x.flat[j - 1] = t;
        }
    size_t m = 0;
    for (size_t i = 0; i < x.n; i++) {
        if (i + 1 < x.n && cmp_flat(&x.flat[i], &x.flat[i + 1]) == 0) {
            free(x.flat[i]);
            continue;
        }
        x.flat[m++] = x.flat[i];
    }
    for (size_t i = m; i < x.n; i++)
        x.flat[i] = NULL; /* moved or dropped below */
    rf_index *ix = open_ix(f->data);
    assert_string_equal(rf_index_generation(ix), gen);
    got g = {0};
    assert_int_equal(rf_index_foreach_entity(ix, got_cb, &g), RF_OK);
    rf_index_stat st;
    rf_index_stats(ix, &st);
    assert_int_equal(st.entities, m);
    assert_int_equal(g.n, m);
    assert_true(m > 1500);
    for (size_t i = 0; i < m; i++)
        assert_string_equal(g.flat[i], x.flat[i]);
    got_free(&g);
    rf_index_close(ix);
    x.n = m; /* the duplicates were freed above */
    expect_free(&x);
}

/* get_entity: one exact entity by key; a missing key is RF_ENOTFOUND. */
static void test_get_entity(void **state)
{
    fixture *f = *state;
    rf_index_builder *b = builder(f->data);
    synth s;
    const rf_entity *e = synthetic(&s, 7, "Acme");
    assert_int_equal(rf_index_builder_add_entity(b, e, true), RF_OK);
    rf_entity bare = {.list = "mine", .id = "r1", .name = "Bare Name"};
    assert_int_equal(rf_index_builder_add_entity(b, &bare, false), RF_OK);
    commit(b, NULL);
    char *want = flatten(e, true), *want_bare = flatten(&bare, false);
    rf_index *ix = open_ix(f->data);
    char key[RF_INDEX_MAX_KEY];
    size_t len;
    assert_int_equal(rf_index_entity_key("syn", "syn-7", key, sizeof key, &len), RF_OK);
    assert_int_equal(len, 9);
    got g = {0};
    assert_int_equal(rf_index_get_entity(ix, key, len, got_cb, &g), RF_OK);
    assert_int_equal(rf_index_entity_key("mine", "r1", key, sizeof key, &len), RF_OK);
    assert_int_equal(rf_index_get_entity(ix, key, len, got_cb, &g), RF_OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.flat[0], want);
    assert_string_equal(g.flat[1], want_bare);
    assert_int_equal(rf_index_entity_key("syn", "nope", key, sizeof key, &len), RF_OK);
    assert_int_equal(rf_index_get_entity(ix, key, len, got_cb, &g), RF_ENOTFOUND);
    assert_non_null(strstr(rf_index_error(), "nope"));
    got_free(&g);
    free(want);
    free(want_bare);
    rf_index_close(ix);
}

/* Collects entity keys as "list/id". */
typedef struct keys {
    char k[16][128];
    int n;
} keys;

/* Entity-key callback. */
static int key_cb(const void *ek, size_t len, void *ud)
{
    keys *k = ud;
    const char *p = ek;
    size_t nl = strnlen(p, len);
    if (k->n < 16)
        snprintf(k->k[k->n], sizeof k->k[0], "%.*s/%.*s", (int)nl, p, (int)(len - nl - 1),
                 p + nl + 1);
    k->n++;
    return 0;
}

/* Identifiers: normalised scheme and value, any scheme, shared ids. */
static void test_find_id(void **state)
{
    fixture *f = *state;
    rf_index_builder *b = builder(f->data);
    rf_ident i1[] = {{"Registration ID", "91-3100 00/123", "CN"}, {"LEI", "5493001KJTIIGC8Y1R12", NULL}};
    rf_ident i2[] = {{"registration id", "913100-00123", NULL}, {"Tax ID No.", "913100 00123", NULL}};
    rf_ident i3[] = {{"Passport", "--", NULL}};
    rf_entity a = {.list = "l", .id = "a", .name = "A", .ids = i1, .nids = 2};
    rf_entity c = {.list = "l", .id = "c", .name = "C", .ids = i2, .nids = 2};
    rf_entity d = {.list = "l", .id = "d", .name = "D", .ids = i3, .nids = 1};
    assert_int_equal(rf_index_builder_add_entity(b, &a, false), RF_OK);
    assert_int_equal(rf_index_builder_add_entity(b, &c, false), RF_OK);
    assert_int_equal(rf_index_builder_add_entity(b, &d, false), RF_OK);
    commit(b, NULL);
    rf_index *ix = open_ix(f->data);
    keys k = {0};
    assert_int_equal(rf_index_find_id(ix, "REGISTRATION-ID", "9131000 0123", key_cb, &k), RF_OK);
    assert_int_equal(k.n, 2);
    assert_string_equal(k.k[0], "l/a");
    assert_string_equal(k.k[1], "l/c");
    k = (keys){0};
    assert_int_equal(rf_index_find_id(ix, "lei", "5493001kjtiigc8y1r12", key_cb, &k), RF_OK);
    assert_int_equal(k.n, 1);
    assert_string_equal(k.k[0], "l/a");
    k = (keys){0}; /* any scheme: registration ids and the tax id, entity c twice */
    assert_int_equal(rf_index_find_id(ix, NULL, "913100.00123", key_cb, &k), RF_OK);
    assert_int_equal(k.n, 3);
    k = (keys){0};
    assert_int_equal(rf_index_find_id(ix, "lei", "913100.00123", key_cb, &k), RF_OK);
    assert_int_equal(k.n, 0);
    assert_int_equal(rf_index_find_id(ix, NULL, "91310000", key_cb, &k), RF_OK);
    assert_int_equal(k.n, 0); /* a prefix of a value is not a match */
    assert_int_equal(rf_index_find_id(ix, "Passport", "--", key_cb, &k), RF_OK);
    assert_int_equal(k.n, 0); /* normalises to nothing: never indexed */
    rf_index_stat st;
    rf_index_stats(ix, &st);
    assert_int_equal(st.ids, 4);
    rf_index_close(ix);
}

/* Name keys: several entities per key, each pair once, binary keys. */
static void test_find_key(void **state)
{
    fixture *f = *state;
    rf_index_builder *b = builder(f->data);
    assert_int_equal(rf_index_builder_add_key(b, "acme", 4, "l", "2"), RF_OK);
    assert_int_equal(rf_index_builder_add_key(b, "acme", 4, "l", "1"), RF_OK);
    assert_int_equal(rf_index_builder_add_key(b, "acme", 4, "other", "9"), RF_OK);
    assert_int_equal(rf_index_builder_add_key(b, "acme", 4, "l", "1"), RF_OK);
    assert_int_equal(rf_index_builder_add_key(b, "acm", 3, "l", "3"), RF_OK);
    assert_int_equal(rf_index_builder_add_key(b, "a\0b", 3, "l", "4"), RF_OK);
    assert_int_equal(rf_index_builder_add_key(b, "", 0, "l", "4"), RF_EINVAL);
    char big[600];
    memset(big, 'k', sizeof big);
    assert_int_equal(rf_index_builder_add_key(b, big, sizeof big, "l", "4"), RF_ELIMIT);
    commit(b, NULL);
    rf_index *ix = open_ix(f->data);
    keys k = {0};
    assert_int_equal(rf_index_find_key(ix, "acme", 4, key_cb, &k), RF_OK);
    assert_int_equal(k.n, 3);
    assert_string_equal(k.k[0], "l/1");
    assert_string_equal(k.k[1], "l/2");
    assert_string_equal(k.k[2], "other/9");
    k = (keys){0};
    assert_int_equal(rf_index_find_key(ix, "acm", 3, key_cb, &k), RF_OK);
    assert_int_equal(k.n, 1);
    k = (keys){0};
    assert_int_equal(rf_index_find_key(ix, "a\0b", 3, key_cb, &k), RF_OK);
    assert_int_equal(k.n, 1);
    assert_string_equal(k.k[0], "l/4");
    k = (keys){0};
    assert_int_equal(rf_index_find_key(ix, "ac", 2, key_cb, &k), RF_OK);
    assert_int_equal(k.n, 0);
    rf_index_stat st;
    rf_index_stats(ix, &st);
    assert_int_equal(st.keys, 5);
    rf_index_close(ix);
}

/* Goods rows seen: count and flattened rows. */
typedef struct goods_seen {
    char **flat;
    size_t n, cap;
} goods_seen;

/* Every field of a goods row as text. */
static char *flatten_goods(const rf_goods *g)
{
    char *s = NULL;
    size_t n = 0;
    cat(&s, &n, "%s|%s|%s|%s|%u|%s|%s|%ld", g->good, nz(g->sector), nz(g->country),
        nz(g->country_name), g->flags, nz(g->derived_country), nz(g->derived_country_name),
        g->line);
    return s;
}

/* Keep one string (owned by the list from now on). */
static void push(goods_seen *s, char *str)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 512;
        s->flat = realloc(s->flat, s->cap * sizeof *s->flat);
    }
    s->flat[s->n++] = str;
}

/* Goods callback: keep the row. */
static int goods_cb(const rf_goods *g, void *ud)
{
    push(ud, flatten_goods(g));
    return 0;
}

/* Parser callback adding goods to a builder. */
static int add_goods_cb(const rf_goods *g, void *ud)
{
    void **pair = ud;
    goods_cb(g, pair[1]);
    return rf_index_builder_add_goods(pair[0], g);
}

/* Free goods rows. */
static void goods_free(goods_seen *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->flat[i]);
    free(s->flat);
    *s = (goods_seen){0};
}

/* Order goods rows as text. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* DOL goods: all 467 rows come back exactly; lookups by good and country. */
static void test_goods(void **state)
{
    fixture *f = *state;
    rf_index_builder *b = builder(f->data);
    goods_seen in = {0}, out = {0};
    void *pair[2] = {b, &in};
    rf_feed_src s = {.path = fx("dol_ilab_goods_2021.xml")};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_dol_goods(&s, add_goods_cb, pair, &d), RF_OK);
    commit(b, NULL);
    rf_index *ix = open_ix(f->data);
    assert_int_equal(rf_index_foreach_goods(ix, goods_cb, &out), RF_OK);
    assert_int_equal(out.n, 467);
    assert_int_equal(in.n, 467);
    qsort(in.flat, in.n, sizeof *in.flat, cmp_str);
    qsort(out.flat, out.n, sizeof *out.flat, cmp_str);
    for (size_t i = 0; i < in.n; i++)
        assert_string_equal(in.flat[i], out.flat[i]);
    goods_free(&out);
    assert_int_equal(rf_index_find_goods(ix, "Rubber Gloves", "MY", goods_cb, &out), RF_OK);
    assert_int_equal(out.n, 1);
    assert_true(strncmp(out.flat[0], "Rubber Gloves|Manufacturing|MY|Malaysia|2|", 42) == 0);
    goods_free(&out);
    assert_int_equal(rf_index_find_goods(ix, "Rubber Gloves", "CN", goods_cb, &out), RF_OK);
    assert_int_equal(out.n, 0);
    assert_int_equal(rf_index_find_goods(ix, "Rubber Glove", NULL, goods_cb, &out), RF_OK);
    assert_int_equal(out.n, 0); /* whole good names only */
    assert_int_equal(rf_index_find_goods(ix, "Rubber", NULL, goods_cb, &out), RF_OK);
    assert_int_equal(out.n, 6); /* "Rubber" itself, not "Rubber Gloves" */
    goods_free(&out);
    assert_int_equal(rf_index_find_goods(ix, "Cotton", NULL, goods_cb, &out), RF_OK);
    assert_true(out.n > 10);
    goods_free(&out);
    goods_free(&in);
    rf_index_stat st;
    rf_index_stats(ix, &st);
    assert_int_equal(st.goods, 467);
    rf_index_close(ix);
}

/* Collects feed records flattened. */
static int feed_cb(const rf_index_feed *fd, void *ud)
{
    char *s = NULL;
    size_t n = 0;
    cat(&s, &n, "%s|%s|%s|%s|%d|%lld|%s|%s|%s|%lld|%zu|%zu|%s|%s", fd->name, nz(fd->url),
        nz(fd->format), nz(fd->licence), fd->critical, fd->fetched_at, nz(fd->etag),
        nz(fd->last_modified), nz(fd->sha256), fd->bytes, fd->entities, fd->goods,
        nz(fd->status), nz(fd->error));
    push(ud, s);
    return 0;
}

/* Feed metadata: every field, NULLs kept, replaced by name, name order. */
static void test_feeds(void **state)
{
    fixture *f = *state;
    rf_index_builder *b = builder(f->data);
    rf_index_feed uflpa = {"us_uflpa", "https://www.dhs.gov/uflpa-entity-list", "uflpa_html",
                           "US government work (public domain)", true, 1732700000,
                           "\"abc-123\"", "Wed, 27 Nov 2024 10:00:00 GMT",
                           "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                           1335, 7, 0, "ok", NULL};
    rf_index_feed old = {.name = "dol_goods", .status = "old"};
    rf_index_feed dol = {.name = "dol_goods", .format = "dol_goods", .fetched_at = -5,
                         .bytes = 203142, .goods = 467, .status = "stale",
                         .error = "download failed: HTTP 503"};
    assert_int_equal(rf_index_builder_add_feed(b, &uflpa), RF_OK);
    assert_int_equal(rf_index_builder_add_feed(b, &old), RF_OK);
    assert_int_equal(rf_index_builder_add_feed(b, &dol), RF_OK);
    assert_int_equal(rf_index_builder_add_feed(b, &(rf_index_feed){0}), RF_EINVAL);
    commit(b, NULL);
    rf_index *ix = open_ix(f->data);
    goods_seen s = {0};
    assert_int_equal(rf_index_foreach_feed(ix, feed_cb, &s), RF_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.flat[0], "dol_goods|<null>|dol_goods|<null>|0|-5|<null>|<null>|"
                                   "<null>|203142|0|467|stale|download failed: HTTP 503");
    assert_string_equal(s.flat[1],
                        "us_uflpa|https://www.dhs.gov/uflpa-entity-list|uflpa_html|US "
                        "government work (public domain)|1|1732700000|\"abc-123\"|Wed, 27 "
                        "Nov 2024 10:00:00 GMT|9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b"
                        "822cd15d6c15b0f00a08|1335|7|0|ok|<null>");
    rf_index_stat st;
    rf_index_stats(ix, &st);
    assert_int_equal(st.feeds, 2);
    assert_int_equal(st.format, 1);
    assert_true(st.built_at >= time(NULL) - 60 && st.built_at <= time(NULL));
    goods_free(&s);
    rf_index_close(ix);
}

/* ---- generations, swaps, clean-up ---- */

/* The generation follows the content: the same lists give the same one
 * (and the same directory), new fetch metadata alone keeps the generation
 * but makes a new directory, a changed entity changes it. */
static void test_generation(void **state)
{
    fixture *f = *state;
    char g1[RF_INDEX_GEN_HEX], g2[RF_INDEX_GEN_HEX], g3[RF_INDEX_GEN_HEX], g4[RF_INDEX_GEN_HEX];
    char d1[64], d3[64];
    assert_int_equal(build_synthetic(f->data, 50, "Acme", g1), RF_OK);
    rf_index *ix = open_ix(f->data);
    snprintf(d1, sizeof d1, "%s", strrchr(rf_index_path(ix), '/') + 1);
    rf_index_close(ix);
    assert_int_equal(build_synthetic(f->data, 50, "Acme", g2), RF_OK);
    assert_string_equal(g1, g2);
    ix = open_ix(f->data);
    assert_string_equal(strrchr(rf_index_path(ix), '/') + 1, d1);
    assert_string_equal(rf_index_generation(ix), g1);
    rf_index_close(ix);
    /* same entities, new fetch time */
    rf_index_builder *b = builder(f->data);
    synth s;
    for (long i = 0; i < 50; i++)
        assert_int_equal(rf_index_builder_add_entity(b, synthetic(&s, i, "Acme"), false), RF_OK);
    rf_entity marker = {.list = "syn", .id = "marker", .name = "Acme"};
    assert_int_equal(rf_index_builder_add_entity(b, &marker, true), RF_OK);
    rf_index_feed feed = {.name = "synthetic", .sha256 = "Acme", .entities = 51,
                          .fetched_at = 99};
    assert_int_equal(rf_index_builder_add_feed(b, &feed), RF_OK);
    commit(b, g3);
    assert_string_equal(g3, g1);
    ix = open_ix(f->data);
    snprintf(d3, sizeof d3, "%s", strrchr(rf_index_path(ix), '/') + 1);
    assert_string_not_equal(d3, d1);
    rf_index_close(ix);
    assert_int_equal(build_synthetic(f->data, 50, "Acne", g4), RF_OK);
    assert_string_not_equal(g4, g1);
    assert_int_equal(strlen(g4), 64);
    assert_int_equal(count_entries(f->data, "index."), 2); /* the new gen and the lock */
}

/* Whether entity list/id is in the index. */
static bool has_entity(rf_index *ix, const char *list, const char *id)
{
    char key[RF_INDEX_MAX_KEY];
    size_t len;
    got g = {0};
    rf_index_entity_key(list, id, key, sizeof key, &len);
    int rc = rf_index_get_entity(ix, key, len, got_cb, &g);
    got_free(&g);
    return rc == RF_OK;
}

/* A reader keeps its generation across swaps; old generations go once
 * unused and stay while open. */
static void test_reader_across_swap(void **state)
{
    fixture *f = *state;
    char ga[RF_INDEX_GEN_HEX], gb[RF_INDEX_GEN_HEX], gc[RF_INDEX_GEN_HEX], pa[512];
    assert_int_equal(build_synthetic(f->data, 10, "Alpha", ga), RF_OK);
    rf_index *ra = open_ix(f->data);
    snprintf(pa, sizeof pa, "%s", rf_index_path(ra));
    assert_true(rf_index_is_current(ra));
    assert_int_equal(build_synthetic(f->data, 20, "Beta", gb), RF_OK);
    /* ra still reads Alpha, though DATA/index moved on */
    assert_false(rf_index_is_current(ra));
    assert_string_equal(rf_index_generation(ra), ga);
    assert_true(has_entity(ra, "syn", "syn-9"));
    assert_false(has_entity(ra, "syn", "syn-15"));
    rf_index_stat st;
    rf_index_stats(ra, &st);
    assert_int_equal(st.entities, 11);
    assert_true(exists(pa));
    rf_index *rb = open_ix(f->data);
    assert_string_equal(rf_index_generation(rb), gb);
    assert_true(has_entity(rb, "syn", "syn-15"));
    /* a third build: Alpha still open (kept), Beta open too (kept) */
    assert_int_equal(build_synthetic(f->data, 30, "Gamma", gc), RF_OK);
    assert_true(exists(pa));
    assert_true(exists(rf_index_path(rb)));
    assert_true(has_entity(ra, "syn", "syn-9"));
    char pb[512];
    snprintf(pb, sizeof pb, "%s", rf_index_path(rb));
    rf_index_close(ra);
    rf_index_close(rb);
    /* the next build removes both, now unused */
    assert_int_equal(build_synthetic(f->data, 5, "Delta", gc), RF_OK);
    assert_false(exists(pa));
    assert_false(exists(pb));
    assert_int_equal(count_entries(f->data, "index."), 2); /* the new gen and the lock */
}

/* No index yet: RF_ENOTFOUND with a message; a stray DATA/index that is not
 * our symlink is refused clearly. */
static void test_no_index(void **state)
{
    fixture *f = *state;
    rf_index *ix = (rf_index *)1;
    assert_int_equal(rf_index_open(&ix, f->data), RF_ENOTFOUND);
    assert_null(ix);
    assert_non_null(strstr(rf_index_error(), "no index"));
    assert_int_equal(mkdir(f->data, 0700), 0);
    char p[400];
    snprintf(p, sizeof p, "%s/index", f->data);
    assert_int_equal(symlink("../../etc", p), 0);
    assert_int_equal(rf_index_open(&ix, f->data), RF_ESTORE);
    assert_non_null(strstr(rf_index_error(), "not an index generation"));
    assert_int_equal(unlink(p), 0);
    assert_int_equal(mkdir(p, 0700), 0);
    assert_int_equal(rf_index_open(&ix, f->data), RF_ESTORE);
    /* and a build refuses to replace a real directory */
    rf_index_builder *b = builder(f->data);
    assert_int_equal(rf_index_builder_commit(b, NULL), RF_EIO);
    assert_non_null(strstr(rf_index_error(), "is a directory"));
    rf_index_builder_destroy(b);
    assert_true(exists(p));
}

/* An index another redflag wrote in another format is refused, naming the
 * format, never read as ours. */
static void test_other_format(void **state)
{
    fixture *f = *state;
    char gen[RF_INDEX_GEN_HEX], path[600];
    commit(builder(f->data), gen);
    rf_index_close(open_ix(f->data));
    snprintf(path, sizeof path, "%s/index", f->data);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
    assert_int_equal(mdb_env_open(env, path, MDB_NOLOCK, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
    MDB_val k = {6, "format"}, v = {2, "99"};
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    rf_index *ix = NULL;
    assert_int_equal(rf_index_open(&ix, f->data), RF_ESTORE);
    assert_null(ix);
    assert_non_null(strstr(rf_index_error(), "has format 99"));
}

/* One build at a time; a destroyed build leaves nothing behind. */
static void test_lock_and_destroy(void **state)
{
    fixture *f = *state;
    rf_index_builder *a = builder(f->data), *b = NULL;
    assert_int_equal(count_entries(f->data, "index.tmp."), 1);
    assert_int_equal(rf_index_builder_create(&b, f->data), RF_ESTORE);
    assert_null(b);
    assert_non_null(strstr(rf_index_error(), "another index build"));
    synth s;
    assert_int_equal(rf_index_builder_add_entity(a, synthetic(&s, 1, "X"), false), RF_OK);
    rf_index_builder_destroy(a);
    assert_int_equal(count_entries(f->data, "index.tmp."), 0);
    rf_index *ix;
    assert_int_equal(rf_index_open(&ix, f->data), RF_ENOTFOUND);
    b = builder(f->data);
    assert_int_equal(rf_index_builder_commit(b, NULL), RF_OK);
    assert_int_equal(rf_index_builder_add_entity(b, synthetic(&s, 1, "X"), false), RF_EINVAL);
    rf_index_builder_destroy(b);
    rf_entity noid = {.list = "l", .name = "n"};
    b = builder(f->data);
    assert_int_equal(rf_index_builder_add_entity(b, &noid, false), RF_EINVAL);
    char longid[600];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    rf_entity big = {.list = "l", .id = longid, .name = "n"};
    assert_int_equal(rf_index_builder_add_entity(b, &big, false), RF_ELIMIT);
    assert_non_null(strstr(rf_index_error(), "longer than"));
    rf_index_builder_destroy(b);
}

/* A map far too small for the build is grown, not failed. */
static void test_map_full(void **state)
{
    fixture *f = *state;
    rf_index_builder *b = builder(f->data);
    assert_int_equal(rf_index_builder_set_map_size(b, 64 << 10), RF_OK);
    synth s;
    for (long i = 0; i < 20000; i++)
        assert_int_equal(rf_index_builder_add_entity(b, synthetic(&s, i, "Big"), false), RF_OK);
    for (long i = 0; i < 20000; i++)
        assert_int_equal(rf_index_builder_add_key(b, &i, sizeof i, "syn", "syn-1"), RF_OK);
    commit(b, NULL);
    rf_index *ix = open_ix(f->data);
    rf_index_stat st;
    rf_index_stats(ix, &st);
    assert_int_equal(st.entities, 20000);
    assert_int_equal(st.keys, 20000);
    assert_int_equal(st.ids, 40000);
    got g = {0};
    char key[64];
    size_t len;
    rf_index_entity_key("syn", "syn-19999", key, sizeof key, &len);
    assert_int_equal(rf_index_get_entity(ix, key, len, got_cb, &g), RF_OK);
    char *want = flatten(synthetic(&s, 19999, "Big"), false);
    assert_string_equal(g.flat[0], want);
    free(want);
    got_free(&g);
    rf_index_close(ix);
}

/* In a child that cannot write to DATA (another user when run as root, or
 * a 0555 directory otherwise): a build fails with RF_EIO and a message
 * naming the cause; reading the existing index still works. */
static void test_readonly(void **state)
{
    fixture *f = *state;
    char gen[RF_INDEX_GEN_HEX];
    assert_int_equal(build_synthetic(f->data, 10, "Ro", gen), RF_OK);
    assert_int_equal(chmod(f->data, 0555), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        rf_index_builder *b = NULL;
        int rc = rf_index_builder_create(&b, f->data);
        char msg[1200];
        int n = snprintf(msg, sizeof msg, "%d|%s|", rc, rf_index_error());
        rf_index *ix = NULL;
        rc = rf_index_open(&ix, f->data);
        n += snprintf(msg + n, sizeof msg - (size_t)n, "%d|%s|%s", rc,
                      rc == RF_OK ? rf_index_generation(ix) : rf_index_error(),
                      rc == RF_OK && has_entity(ix, "syn", "syn-3") ? "found" : "missing");
        if (write(fds[1], msg, (size_t)n) != n)
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    char msg[1200] = "";
    ssize_t n = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(n > 0);
    char want[200];
    snprintf(want, sizeof want, "%d|", RF_EIO);
    assert_true(strncmp(msg, want, strlen(want)) == 0);
    assert_non_null(strstr(msg, "Permission denied"));
    assert_non_null(strstr(msg, f->data));
    snprintf(want, sizeof want, "|0|%s|found", gen);
    assert_non_null(strstr(msg, want));
    chmod(f->data, 0700);
}

/* ---- kill -9 ---- */

/* What a complete build tagged `tag` must hold. */
typedef struct known {
    char tag[32];
    long n;
} known;

/* Name callback used to read the marker. */
static int marker_cb(const rf_entity *e, bool critical, void *ud)
{
    (void)critical;
    snprintf(ud, 32, "%s", e->name);
    return 0;
}

/* Count entities and check each synthetic one is exactly as built. */
typedef struct verify {
    const char *tag;
    long n, bad;
} verify;

/* Entity callback of verify. */
static int verify_cb(const rf_entity *e, bool critical, void *ud)
{
    verify *v = ud;
    v->n++;
    if (strcmp(e->id, "marker") == 0)
        return 0;
    synth s;
    char *want = flatten(synthetic(&s, atol(e->id + 4), v->tag), false);
    char *have = flatten(e, critical);
    v->bad += strcmp(want, have) != 0;
    free(want);
    free(have);
    return 0;
}

/* After a kill, DATA/index is what it was before the build (*held; an
 * empty tag: no index, then it may be absent) or the build's own (cur),
 * complete to the last entity, never anything else. *held is updated. */
static void check_complete(const char *data, const known *cur, known *held)
{
    rf_index *ix = NULL;
    int rc = rf_index_open(&ix, data);
    if (!held->tag[0] && rc == RF_ENOTFOUND)
        return;
    if (rc != RF_OK)
        fail_msg("after kill: open %s (%s)", rf_strerror(rc), rf_index_error());
    char tag[32] = "";
    char key[64];
    size_t len;
    rf_index_entity_key("syn", "marker", key, sizeof key, &len);
    assert_int_equal(rf_index_get_entity(ix, key, len, marker_cb, tag), RF_OK);
    if (strcmp(tag, held->tag) != 0 && strcmp(tag, cur->tag) != 0)
        fail_msg("after kill: index holds build '%s', neither '%s' nor '%s'", tag, held->tag,
                 cur->tag);
    if (strcmp(tag, cur->tag) == 0)
        *held = *cur;
    verify v = {tag, 0, 0};
    assert_int_equal(rf_index_foreach_entity(ix, verify_cb, &v), RF_OK);
    assert_int_equal(v.n, held->n + 1);
    assert_int_equal(v.bad, 0);
    rf_index_stat st;
    rf_index_stats(ix, &st);
    assert_int_equal(st.entities, (size_t)held->n + 1);
    rf_index_close(ix);
}

/* Fork a build of n entities tagged tag that kills itself at step `at` of
 * its commit (0: never). Returns true when it was killed. */
static bool crash_build(const char *data, long n, const char *tag, long at)
{
    pid_t pid = fork();
    if (pid == 0) {
        arm_at = at;
        char gen[RF_INDEX_GEN_HEX];
        _exit(build_synthetic(data, n, tag, gen) == RF_OK ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) {
        assert_int_equal(WTERMSIG(status), SIGKILL);
        return true;
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return false;
}

/* Kill a commit at every file-system step it makes (before and after each
 * rename, symlink, fsync, fdatasync, unlink and rmdir: LMDB's sync, the
 * directory syncs, the rename, the swap, the removal of the old generation).
 * Each attempt builds different content, so every attempt's commit makes
 * the same steps. After each kill DATA/index is the previous complete build
 * or the new one, never anything else; the next build (whose start removes
 * the leftovers) makes the same steps again; finally a build leaves no
 * temporary directory or old generation behind. */
static void test_kill_every_step(void **state)
{
    fixture *f = *state;
    known held = {"", 0};
    long total[2];
    /* first with no index at all, then over an existing generation */
    for (int round = 0; round < 2; round++) {
        bool killed = true;
        long at = 1;
        for (; killed; at++) {
            known cur = {"", 300};
            snprintf(cur.tag, sizeof cur.tag, "R%d-%ld", round, at);
            killed = crash_build(f->data, cur.n, cur.tag, at);
            check_complete(f->data, &cur, &held);
            if (!killed)
                assert_string_equal(held.tag, cur.tag);
        }
        total[round] = at - 1;
    }
    /* 24 steps: 2 x (LMDB's fdatasync, fsync tmp, rename, fsync DATA,
     * unlink index.new, symlink, rename, fsync DATA; then the removal of the
     * previous generation: rename, 2 unlinks, rmdir). Round 0 starts with no
     * index; its attempts killed before the swap have only the first 16. */
    assert_int_equal(total[0], 25); /* killed at steps 1..24, not at 25 */
    assert_int_equal(total[1], 25);
    char gen[RF_INDEX_GEN_HEX];
    assert_int_equal(build_synthetic(f->data, 10, "Final", gen), RF_OK);
    assert_int_equal(count_entries(f->data, "index.tmp."), 0);
    assert_int_equal(count_entries(f->data, "index.new"), 0);
    assert_int_equal(count_entries(f->data, "index."), 2);
}

/* Microseconds since an arbitrary start. */
static long long usec(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* Fork a build of n entities tagged tag that parks (see park()) before
 * entity `entity` (-1: never) or at step `at` of its commit (0: never), and
 * SIGKILL it there. The parent waits for the child to say it is parked, so
 * the kill lands in the chosen state however loaded the machine is. Returns
 * false (the build finished) only when the chosen point never came. */
static bool kill_parked(const char *data, long n, const char *tag, long entity, long at)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        park_fd = fds[1];
        park_entity = entity;
        arm_at = at;
        char gen[RF_INDEX_GEN_HEX];
        _exit(build_synthetic(data, n, tag, gen) == RF_OK ? 0 : 1);
    }
    close(fds[1]);
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    char c = 0;
    int ready = poll(&p, 1, 300000); /* a build takes seconds; 5 min is a hang */
    ssize_t nread = ready == 1 ? read(fds[0], &c, 1) : -1;
    close(fds[0]);
    if (nread != 0) /* parked, or hung: kill it either way */
        kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (nread < 0)
        fail_msg("build %s neither parked nor ended within 5 minutes", tag);
    if (nread == 1) {
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        return true;
    }
    assert_int_equal(nread, 0); /* EOF: the child ended without parking */
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return false;
}

/* SIGKILL a large build at random points, from the first entity to after
 * the swap: seven while entities are added (some batches written, the rest
 * queued), three at a random step of the commit (before and after LMDB's
 * sync, the rename, the swap, the removal of the old generation). Each child
 * parks at its point and is killed there, so every trial kills (no timing to
 * miss); the index is always complete, the old build or the new one. */
static void test_kill_random(void **state)
{
    fixture *f = *state;
    known held = {"Base", 200};
    char gen[RF_INDEX_GEN_HEX];
    assert_int_equal(build_synthetic(f->data, held.n, held.tag, gen), RF_OK);
    const long n = 40000;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    for (int i = 0; i < 10; i++) {
        known cur = {"", n};
        snprintf(cur.tag, sizeof cur.tag, "Rand%d", i);
        long entity = i < 7 ? (long)((double)rand() / ((double)RAND_MAX + 1) * (double)n) : -1;
        long at = i < 7 ? 0 : 1 + rand() % 24; /* the 24 steps of test_kill_every_step */
        if (!kill_parked(f->data, n, cur.tag, entity, at))
            fail_msg("seed %u: build %s finished without reaching entity %ld / commit step %ld",
                     seed, cur.tag, entity, at);
        check_complete(f->data, &cur, &held);
    }
    assert_int_equal(build_synthetic(f->data, 10, "After", gen), RF_OK);
    assert_int_equal(count_entries(f->data, "index.tmp."), 0);
    assert_int_equal(count_entries(f->data, "index."), 2);
}

/* A thread's share of test_threads. */
typedef struct worker {
    rf_index *ix;
    int id;
    long bad;
} worker;

/* Look up entities and identifiers on the shared handle, checking each. */
static void *work(void *arg)
{
    worker *w = arg;
    synth s;
    for (long i = 0; i < 3000; i++) {
        long n = (i * 7 + w->id * 131) % 500;
        char key[64], want_id[32];
        size_t len;
        got g = {0};
        rf_index_entity_key("syn", synthetic(&s, n, "Thr")->id, key, sizeof key, &len);
        char *want = flatten(&s.e, false);
        if (rf_index_get_entity(w->ix, key, len, got_cb, &g) != RF_OK || g.n != 1 ||
            strcmp(g.flat[0], want) != 0)
            w->bad++;
        keys k = {0};
        snprintf(want_id, sizeof want_id, "syn/syn-%ld", n);
        if (rf_index_find_id(w->ix, "registration id", s.idval, key_cb, &k) != RF_OK ||
            k.n != 1 || strcmp(k.k[0], want_id) != 0)
            w->bad++;
        free(want);
        got_free(&g);
    }
    return NULL;
}

/* One rf_index shared by four threads answers every lookup correctly. */
static void test_threads(void **state)
{
    fixture *f = *state;
    char gen[RF_INDEX_GEN_HEX];
    assert_int_equal(build_synthetic(f->data, 500, "Thr", gen), RF_OK);
    rf_index *ix = open_ix(f->data);
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){ix, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].bad, 0);
    }
    rf_index_close(ix);
}

/* ---- speed ---- */

/* Every real fixture list plus the DOL goods, with name keys as a matcher
 * would add them, builds and reopens well under the 5 s budget. */
static void test_build_speed(void **state)
{
    fixture *f = *state;
    long long t0 = usec();
    expect x = {.with_keys = true};
    rf_index_builder *b = builder(f->data);
    build_fixtures(b, &x);
    goods_seen gs = {0};
    void *pair[2] = {b, &gs};
    rf_feed_src s = {.path = fx("dol_ilab_goods_2021.xml")};
    rf_feed_diag d;
    assert_int_equal(rf_feed_parse_dol_goods(&s, add_goods_cb, pair, &d), RF_OK);
    commit(b, NULL);
    rf_index *ix = open_ix(f->data);
    long long ms = (usec() - t0) / 1000;
    rf_index_stat st;
    rf_index_stats(ix, &st);
    assert_true(st.keys > 5000);
    keys k = {0};
    assert_int_equal(rf_index_find_key(ix, "bank", 4, key_cb, &k), RF_OK);
    assert_true(k.n > 3);
    rf_index_close(ix);
    expect_free(&x);
    goods_free(&gs);
    assert_true(ms < 5000);
}

/* Run every index test in its own scratch directory. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip_fixtures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_entity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_goods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_across_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_and_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_every_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_build_speed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
