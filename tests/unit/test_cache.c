/* Unit tests of the supplier profile cache (cache.h): keys, generations,
 * round trips, validity (generation, TTL, changed query), the writer's
 * batching, map growth, clear, a full disk, kill -9 during writes, and
 * screening through the cache giving the same verdicts as without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "redflag/cache.h"
#include "redflag/feedconf.h"
#include "redflag/reader.h"
#include "redflag/rules.h"
#include "redflag/update.h"
#include "redflag/writer.h"

static const char GEN_A[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char GEN_B[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/* A fresh temporary data directory (the test's state). */
static int setup(void **state)
{
    char *dir = strdup("/tmp/rf-cache-test.XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

/* Remove the data directory. */
static int teardown(void **state)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
    int rc = system(cmd);
    free(*state);
    return rc == 0 ? 0 : -1;
}

/* A company party with a country and identifiers. */
static rf_name_party party(const char *name, const char *const *country, const rf_name_ident *ids,
                           size_t nids)
{
    return (rf_name_party){name, RF_NAME_COMPANY, country, country ? 1 : 0, ids, nids, 0};
}

/* The key of a party as a string ("" when it has none). */
static const char *key_of(const rf_name_party *p, char *buf)
{
    size_t len;
    if (rf_cache_key(p, buf, RF_CACHE_MAX_KEY + 1, &len) != RF_OK)
        return "";
    buf[len] = '\0';
    return buf;
}

/* Keys: the strongest identifier, normalised; else normalised name + country. */
static void test_keys(void **state)
{
    (void)state;
    char b[RF_CACHE_MAX_KEY + 1];
    static const char *const my[] = {"MY"}, *const de[] = {"de"};
    rf_name_ident ids[] = {{"vat", "de 123.456.789"}, {"lei", "5493-001kjtiigc8y1r12"},
                           {"duns", "15-048-3782"}};
    rf_name_party p = party("Acme Textiles Sdn Bhd", my, ids, 3);
    assert_string_equal(key_of(&p, b), "id:LEI:5493001KJTIIGC8Y1R12");
    p.ids = ids; p.nids = 1;
    assert_string_equal(key_of(&p, b), "id:VAT:DE123456789");
    rf_name_ident dv[] = {{"vat", "DE1"}, {"duns", "150483782"}};
    p.ids = dv; p.nids = 2;
    assert_string_equal(key_of(&p, b), "id:DUNS:150483782");
    rf_name_ident other[] = {{"Registration ID", "91-3100"}, {"lei", "---"}};
    p.ids = other; p.nids = 2; /* an LEI that normalises to nothing does not count */
    assert_string_equal(key_of(&p, b), "id:REGISTRATIONID:913100");
    rf_name_party a = party("ACME Textiles Sdn. Bhd.", my, NULL, 0);
    rf_name_party a2 = party("Acme textiles SDN BHD", my, NULL, 0);
    char b2[RF_CACHE_MAX_KEY + 1];
    assert_string_equal(key_of(&a, b), key_of(&a2, b2));
    assert_true(strncmp(b, "nm:", 3) == 0 && strstr(b, "|MY"));
    rf_name_party g = party("Acme Textiles Sdn Bhd", de, NULL, 0);
    assert_string_not_equal(key_of(&a, b), key_of(&g, b2));
    rf_name_party none = party("--", NULL, NULL, 0);
    size_t len;
    assert_int_equal(rf_cache_key(&none, b, sizeof b, &len), RF_EINVAL);
}

/* The generation changes with every input and not with the policies' order. */
static void test_generation(void **state)
{
    (void)state;
    rf_list_policy pol[] = {{"us_uflpa", NULL, true, 100}, {"us_ofac_sdn", NULL, false, 50}};
    rf_list_policy rev[] = {pol[1], pol[0]};
    char g0[RF_CACHE_GEN_HEX], g[RF_CACHE_GEN_HEX];
    assert_int_equal(rf_cache_generation("r1", "i1", 0.8, pol, 2, g0), RF_OK);
    assert_int_equal(strlen(g0), 64);
    rf_cache_generation("r1", "i1", 0.8, rev, 2, g);
    assert_string_equal(g, g0);
    rf_cache_generation("r2", "i1", 0.8, pol, 2, g);
    assert_string_not_equal(g, g0);
    rf_cache_generation("r1", "i2", 0.8, pol, 2, g);
    assert_string_not_equal(g, g0);
    rf_cache_generation("r1", "i1", 0.85, pol, 2, g);
    assert_string_not_equal(g, g0);
    pol[1].weight = 60;
    rf_cache_generation("r1", "i1", 0.8, pol, 2, g);
    assert_string_not_equal(g, g0);
    pol[1].weight = 50;
    pol[1].critical = true;
    rf_cache_generation("r1", "i1", 0.8, pol, 2, g);
    assert_string_not_equal(g, g0);
}

/* TTL spellings. */
static void test_ttl(void **state)
{
    (void)state;
    long long s;
    assert_int_equal(rf_cache_parse_ttl("3600", &s), RF_OK);
    assert_int_equal(s, 3600);
    assert_int_equal(rf_cache_parse_ttl("30d", &s), RF_OK);
    assert_int_equal(s, 30 * 86400);
    assert_int_equal(rf_cache_parse_ttl("15m", &s), RF_OK);
    assert_int_equal(s, 900);
    assert_int_equal(rf_cache_parse_ttl("12h", &s), RF_OK);
    assert_int_equal(s, 43200);
    assert_int_equal(rf_cache_parse_ttl("3w", &s), RF_EINVAL);
    assert_int_equal(rf_cache_parse_ttl("-5", &s), RF_EINVAL);
    assert_int_equal(rf_cache_parse_ttl("d", &s), RF_EINVAL);
    assert_int_equal(rf_cache_parse_ttl("10dd", &s), RF_EINVAL);
}

/* Two hits as the matcher would give them. */
static const rf_match_hit HITS[] = {
    {.list = "us_uflpa", .entity = "UFLPA-12", .name = "Xinjiang Example Co", .matched = "XJ Example",
     .alias_kind = "aka", .countries = "CN", .programs = "UFLPA", .critical = true,
     .score = 0.912345678901234},
    {.list = "us_ofac_sdn", .entity = "9876", .name = "Example Trading", .matched = "Example Trading",
     .alias_kind = "name", .countries = "CN, HK", .programs = "SDGT; IRAN", .critical = false,
     .score = 0.8000000000000002},
};

/* Field-by-field equality of two hit arrays. */
static void assert_hits_equal(const rf_match_hit *a, const rf_match_hit *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(a[i].list, b[i].list);
        assert_string_equal(a[i].entity, b[i].entity);
        assert_string_equal(a[i].name, b[i].name);
        assert_string_equal(a[i].matched, b[i].matched);
        assert_string_equal(a[i].alias_kind, b[i].alias_kind);
        assert_string_equal(a[i].countries, b[i].countries);
        assert_string_equal(a[i].programs, b[i].programs);
        assert_int_equal(a[i].critical, b[i].critical);
        assert_memory_equal(&a[i].score, &b[i].score, sizeof(double)); /* bit for bit */
    }
}

/* Open a cache of generation gen in dir with default options and ttl. */
static rf_cache *open_cache(const char *dir, const char *gen, long long ttl)
{
    rf_cache_opts o;
    rf_cache_opts_init(&o);
    o.ttl = ttl;
    rf_cache *c = NULL;
    assert_int_equal(rf_cache_open(&c, dir, gen, &o), RF_OK);
    return c;
}

/* Profiles round-trip exactly: queued, committed, after reopening. */
static void test_roundtrip(void **state)
{
    const char *dir = *state;
    static const char *const cn[] = {"CN"};
    rf_name_ident lei[] = {{"lei", "529900T8BM49AURSDO55"}};
    rf_name_party p = party("Example Trading Co", cn, lei, 1);
    rf_name_party q = party("Clean Office Supplies Ltd", cn, NULL, 0);
    rf_cache *c = open_cache(dir, GEN_A, 0);
    const rf_match_hit *h;
    size_t n;
    assert_int_equal(rf_cache_get(c, &p, &h, &n), RF_ENOTFOUND);
    assert_int_equal(rf_cache_put(c, &p, HITS, 2), RF_OK);
    assert_int_equal(rf_cache_put(c, &q, NULL, 0), RF_OK);
    assert_int_equal(rf_cache_get(c, &p, &h, &n), RF_OK); /* seen while still queued */
    assert_int_equal(n, 2);
    assert_hits_equal(h, HITS, 2);
    assert_int_equal(rf_cache_flush(c), RF_OK);
    rf_cache_close(c);
    c = open_cache(dir, GEN_A, 0);
    assert_int_equal(rf_cache_get(c, &p, &h, &n), RF_OK);
    assert_int_equal(n, 2);
    assert_hits_equal(h, HITS, 2);
    assert_int_equal(rf_cache_get(c, &q, &h, &n), RF_OK); /* known to match nothing */
    assert_int_equal(n, 0);
    rf_cache_run run;
    rf_cache_counters(c, &run);
    assert_int_equal(run.hits, 2);
    rf_cache_close(c);
    rf_cache_stat st;
    assert_int_equal(rf_cache_stats(dir, GEN_A, &st), RF_OK);
    assert_int_equal(st.entries, 2);
    assert_int_equal(st.corrupt, 0);
    assert_true(st.nruns >= 2);
    assert_int_equal(st.runs[0].hits, 2);
    assert_int_equal(st.runs[1].stored, 2);
}

/* Another generation, an older profile than the TTL, or another query under
 * the same key are misses; a put overwrites them. */
static void test_validity(void **state)
{
    const char *dir = *state;
    static const char *const de[] = {"DE"};
    rf_name_ident lei[] = {{"lei", "529900T8BM49AURSDO55"}};
    rf_name_party p = party("Example Trading GmbH", de, lei, 1);
    rf_name_party other = party("Another Name GmbH", de, lei, 1);
    const rf_match_hit *h;
    size_t n;
    rf_cache *c = open_cache(dir, GEN_A, 0);
    assert_int_equal(rf_cache_put(c, &p, HITS, 1), RF_OK);
    assert_int_equal(rf_cache_get(c, &other, &h, &n), RF_ENOTFOUND); /* same LEI, other name */
    rf_name_party twin = party("Exemplo Trading GmbH", de, lei, 1); /* as long, one word other */
    assert_int_equal(rf_cache_get(c, &twin, &h, &n), RF_ENOTFOUND);
    rf_cache_close(c);
    c = open_cache(dir, GEN_B, 0);
    assert_int_equal(rf_cache_get(c, &p, &h, &n), RF_ENOTFOUND);
    rf_cache_run run;
    rf_cache_counters(c, &run);
    assert_int_equal(run.stale, 1);
    rf_cache_close(c);
    rf_cache_stat st;
    assert_int_equal(rf_cache_stats(dir, GEN_B, &st), RF_OK);
    assert_int_equal(st.other_gen, 1);
    c = open_cache(dir, GEN_B, 1);
    assert_int_equal(rf_cache_put(c, &p, HITS, 2), RF_OK);
    assert_int_equal(rf_cache_get(c, &p, &h, &n), RF_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rf_cache_flush(c), RF_OK);
    sleep(2);
    assert_int_equal(rf_cache_get(c, &p, &h, &n), RF_ENOTFOUND); /* older than 1 s */
    rf_cache_counters(c, &run);
    assert_int_equal(run.expired, 1);
    rf_cache_close(c);
    assert_int_equal(rf_cache_stats(dir, GEN_B, &st), RF_OK);
    assert_int_equal(st.other_gen, 0);
}

/* Open dir's cache and its profiles database in a transaction (read-only
 * with MDB_RDONLY) directly with LMDB, as another program could. */
static MDB_env *open_profiles(const char *dir, unsigned flags, MDB_txn **txn, MDB_dbi *dbi)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/cache", dir);
    MDB_env *env;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
    assert_int_equal(mdb_env_open(env, path, MDB_NOTLS | flags, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, flags, txn), 0);
    assert_int_equal(mdb_dbi_open(*txn, "profiles", 0, dbi), 0);
    return env;
}

/* Replace the stored value under key in dir's cache with len bytes of val. */
static void poke(const char *dir, const char *key, const void *val, size_t len)
{
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_env *env = open_profiles(dir, 0, &txn, &dbi);
    MDB_val k = {strlen(key), (void *)key}, v = {len, (void *)val};
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* The stored value under key (malloc'd copy, length in *len). */
static unsigned char *peek(const char *dir, const char *key, size_t *len)
{
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_env *env = open_profiles(dir, MDB_RDONLY, &txn, &dbi);
    MDB_val k = {strlen(key), (void *)key}, v;
    assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
    unsigned char *copy = malloc(v.mv_size);
    assert_non_null(copy);
    memcpy(copy, v.mv_data, v.mv_size);
    *len = v.mv_size;
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return copy;
}

/* A stored profile cut short at every length, or with any one byte changed,
 * is a miss (counted as corrupt), never a changed verdict; nothing crashes
 * (ASan in CI); the next put repairs it. */
static void test_corrupt_profiles(void **state)
{
    const char *dir = *state;
    static const char *const cn[] = {"CN"};
    rf_name_ident lei[] = {{"lei", "529900T8BM49AURSDO55"}};
    rf_name_party p = party("Example Trading Co", cn, lei, 1);
    char key[RF_CACHE_MAX_KEY + 1];
    key_of(&p, key);
    rf_cache *c = open_cache(dir, GEN_A, 0);
    assert_int_equal(rf_cache_put(c, &p, HITS, 2), RF_OK);
    assert_int_equal(rf_cache_flush(c), RF_OK);
    rf_cache_close(c);
    size_t len;
    unsigned char *good = peek(dir, key, &len);
    const rf_match_hit *h;
    size_t n;
    for (size_t cut = 0; cut < len; cut++) {
        poke(dir, key, good, cut);
        c = open_cache(dir, GEN_A, 0);
        if (rf_cache_get(c, &p, &h, &n) != RF_ENOTFOUND)
            fail_msg("a profile cut to %zu of %zu bytes was used", cut, len);
        rf_cache_close(c);
        rf_cache_stat st;
        assert_int_equal(rf_cache_stats(dir, GEN_A, &st), RF_OK);
        assert_int_equal(st.corrupt, 1);
    }
    unsigned char *bad = malloc(len);
    assert_non_null(bad);
    for (size_t i = 0; i < len; i++) {
        memcpy(bad, good, len);
        bad[i] ^= 0xA5;
        poke(dir, key, bad, len);
        c = open_cache(dir, GEN_A, 0);
        if (rf_cache_get(c, &p, &h, &n) != RF_ENOTFOUND)
            fail_msg("a profile with byte %zu of %zu changed was used", i, len);
        rf_cache_close(c);
    }
    c = open_cache(dir, GEN_A, 0);
    assert_int_equal(rf_cache_put(c, &p, HITS, 2), RF_OK); /* the next miss overwrites it */
    assert_int_equal(rf_cache_get(c, &p, &h, &n), RF_OK);
    assert_int_equal(n, 2);
    assert_hits_equal(h, HITS, 2);
    rf_cache_close(c);
    free(bad);
    free(good);
}

/* The profile of party number i (a deterministic name and LEI). */
static rf_name_party numbered(int i, char *name, rf_name_ident *id, char *val)
{
    static const char *const gb[] = {"GB"};
    sprintf(name, "Numbered Supplier %d Ltd", i);
    sprintf(val, "LEI%017d", i);
    *id = (rf_name_ident){"lei", val};
    return party(name, gb, id, 1);
}

/* The hits stored for party i: one whose entity names i. */
static rf_match_hit numbered_hit(int i, char *entity)
{
    sprintf(entity, "E-%d", i);
    rf_match_hit h = HITS[0];
    h.entity = entity;
    h.score = 0.8 + i * 1e-9;
    return h;
}

/* Without a flush, the writer thread commits a lone profile within batch_ms:
 * another process sees it. */
static void test_idle_commit(void **state)
{
    const char *dir = *state;
    char name[64], val[32], ent[32];
    rf_name_ident id;
    rf_name_party p = numbered(1, name, &id, val);
    rf_match_hit h = numbered_hit(1, ent);
    rf_cache *c = open_cache(dir, GEN_A, 0);
    assert_int_equal(rf_cache_put(c, &p, &h, 1), RF_OK);
    usleep(300 * 1000);
    pid_t pid = fork();
    if (pid == 0) {
        rf_cache_stat st;
        _exit(rf_cache_stats(dir, GEN_A, &st) == RF_OK && st.entries == 1 ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    rf_cache_close(c);
}

/* A tiny map grows instead of failing; clear empties the cache. */
static void test_grow_and_clear(void **state)
{
    const char *dir = *state;
    rf_cache_opts o;
    rf_cache_opts_init(&o);
    o.map_size = 64 * 1024;
    o.batch = 1000;
    rf_cache *c = NULL;
    assert_int_equal(rf_cache_open(&c, dir, GEN_A, &o), RF_OK);
    char name[64], val[32], ent[32];
    rf_name_ident id;
    for (int i = 0; i < 5000; i++) {
        rf_name_party p = numbered(i, name, &id, val);
        rf_match_hit h = numbered_hit(i, ent);
        assert_int_equal(rf_cache_put(c, &p, &h, 1), RF_OK);
    }
    assert_int_equal(rf_cache_flush(c), RF_OK);
    rf_cache_close(c);
    rf_cache_stat st;
    assert_int_equal(rf_cache_stats(dir, GEN_A, &st), RF_OK);
    assert_int_equal(st.entries, 5000);
    assert_true(st.map_size > 64 * 1024);
    size_t removed = 0;
    assert_int_equal(rf_cache_clear(dir, &removed), RF_OK);
    assert_int_equal(removed, 5000);
    assert_int_equal(rf_cache_stats(dir, GEN_A, &st), RF_OK);
    assert_int_equal(st.entries, 0);
    c = open_cache(dir, GEN_A, 0);
    rf_name_party p = numbered(7, name, &id, val);
    const rf_match_hit *hh;
    size_t n;
    assert_int_equal(rf_cache_get(c, &p, &hh, &n), RF_ENOTFOUND);
    rf_cache_close(c);
}

/* A cache that cannot be created, and a disk that fills up (RLIMIT_FSIZE in a
 * child): clear errors, and reads still work after a failed write. */
static void test_disk_errors(void **state)
{
    const char *dir = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/blocked", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/blocked/cache", dir);
    FILE *fp = fopen(path, "w"); /* a file where the directory should be */
    assert_non_null(fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/blocked", dir);
    rf_cache *c = NULL;
    assert_int_equal(rf_cache_open(&c, path, GEN_A, NULL), RF_EIO);
    assert_null(c);
    assert_non_null(strstr(rf_cache_error(), "not a directory"));
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {256 * 1024, 256 * 1024};
        setrlimit(RLIMIT_FSIZE, &rl);
        char name[64], val[32], ent[32];
        rf_name_ident id;
        rf_cache *cc = NULL;
        if (rf_cache_open(&cc, dir, GEN_A, NULL) != RF_OK)
            _exit(2);
        int rc = RF_OK;
        for (int i = 0; i < 20000 && rc == RF_OK; i++) {
            rf_name_party p = numbered(i, name, &id, val);
            rf_match_hit h = numbered_hit(i, ent);
            rc = rf_cache_put(cc, &p, &h, 1);
            if (rc == RF_OK && (i == 9 || i % 1000 == 999))
                rc = rf_cache_flush(cc);
        }
        rf_name_party p = numbered(3, name, &id, val);
        const rf_match_hit *hh;
        size_t n;
        int grc = rf_cache_get(cc, &p, &hh, &n); /* committed before the disk filled */
        bool said = strstr(rf_cache_error(), "cannot write the cache") != NULL;
        if (!(rc == RF_EIO && said && grc == RF_OK))
            fprintf(stderr, "put %d get %d: %s\n", rc, grc, rf_cache_error());
        rf_cache_close(cc);
        _exit(rc == RF_EIO && said && grc == RF_OK ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* Writers killed with SIGKILL at random moments never corrupt the cache:
 * it opens, every profile decodes, and every one holds what was written. */
static void test_kill_writers(void **state)
{
    const char *dir = *state;
    srand(42);
    for (int round = 0; round < 25; round++) {
        pid_t kids[3];
        for (int k = 0; k < 3; k++) {
            if ((kids[k] = fork()) == 0) {
                rf_cache_opts o;
                rf_cache_opts_init(&o);
                o.batch = 1 + (size_t)(rand() % 50);
                o.map_size = 64 * 1024; /* so kills also land in map growth */
                rf_cache *c = NULL;
                if (rf_cache_open(&c, dir, GEN_A, &o) != RF_OK)
                    _exit(3);
                char name[64], val[32], ent[32];
                rf_name_ident id;
                for (int i = 0;; i = (i + 1) % 20000) {
                    rf_name_party p = numbered(i + k * 20000, name, &id, val);
                    rf_match_hit h = numbered_hit(i + k * 20000, ent);
                    rf_cache_put(c, &p, &h, 1);
                }
            }
        }
        usleep((useconds_t)(20000 + rand() % 200000));
        for (int k = 0; k < 3; k++)
            kill(kids[k], SIGKILL);
        for (int k = 0; k < 3; k++)
            waitpid(kids[k], NULL, 0);
    }
    rf_cache_stat st;
    assert_int_equal(rf_cache_stats(dir, GEN_A, &st), RF_OK);
    assert_true(st.entries > 0);
    assert_int_equal(st.corrupt, 0);
    rf_cache *c = open_cache(dir, GEN_A, 0);
    size_t found = 0;
    char name[64], val[32], ent[32];
    rf_name_ident id;
    for (int i = 0; i < 60000; i++) {
        rf_name_party p = numbered(i, name, &id, val);
        rf_match_hit want = numbered_hit(i, ent);
        const rf_match_hit *h;
        size_t n;
        int rc = rf_cache_get(c, &p, &h, &n);
        assert_true(rc == RF_OK || rc == RF_ENOTFOUND);
        if (rc == RF_OK) {
            assert_int_equal(n, 1);
            assert_hits_equal(h, &want, 1);
            found++;
        }
    }
    assert_int_equal(found, st.entries);
    rf_cache_close(c);
}

/* Run the tests. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_generation),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_profiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grow_and_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_writers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
