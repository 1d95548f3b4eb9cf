/* Private structures of the rule compiler and scanner. */
#ifndef REDFLAG_RULES_INT_H
#define REDFLAG_RULES_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include "buf.h"
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include "redflag/rules.h"
#include "prefilter.h"
#include "text_canon.h"

/* ---- lexer ---- */
typedef enum tok_kind {
    TK_EOF, TK_IDENT, TK_VAR, TK_STRING, TK_NUMBER, TK_REGEX, TK_JSON,
    TK_LBRACE, TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_COMMA, TK_ASSIGN,
    TK_LT, TK_LE, TK_GT, TK_GE, TK_EQ, TK_NE, TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH,
    TK_CONCEPT, /* @name: a lexicon or context */
    TK_ERROR
} tok_kind;

typedef struct token {
    tok_kind kind;
    int line, col;
    const char *start; /* into the source */
    size_t len;
    char *text;        /* decoded string / regex body / json (owned by the lexer) */
    char flags[8];     /* regex flags */
    double num;
} token;

typedef struct lexer {
    const char *file;
    const char *src, *p, *end;
    int line;
    const char *line_start;
    token tok;         /* current token */
    rf_diag *diag;
} lexer;

void lex_init(lexer *lx, const char *file, const char *src, size_t len, rf_diag *diag);
void lex_free(lexer *lx);
/* Advance to the next ordinary token; false on a lexical error (diag set). */
bool lex_next(lexer *lx);
/* Read a /regex/flags at the current position (the current token is left
 * behind); false with diag set when there is none. */
bool lex_regex(lexer *lx);
/* Read a balanced {…} JSON object at the current position. */
bool lex_json(lexer *lx);
/* Whether the current token is the identifier kw. */
bool lex_is_kw(const lexer *lx, const char *kw);
/* Peek whether the next non-blank character is c. */
bool lex_peek_char(lexer *lx, char c);
/* Read "/N" right after the current token (as in near/8); false when absent. */
bool lex_slash_number(lexer *lx, int *n);
/* Record an error at the current token; always returns false. */
bool lex_error(lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The current token as text for messages ("'foo'", "end of file"). */
const char *tok_describe(const token *t, char *buf, size_t n);

/* ---- conditions ---- */
typedef enum arith_kind { A_NUM, A_FIELD, A_ADD, A_SUB, A_MUL, A_DIV, A_NEG } arith_kind;

typedef struct arith {
    arith_kind k;
    double num;
    rf_field field;
    struct arith *l, *r;
} arith;

typedef enum cond_kind {
    C_VAR, C_AND, C_OR, C_NOT, C_ANY, C_ALL, C_NONE, C_EXISTS, C_IN, C_CMP
} cond_kind;

typedef struct cond {
    cond_kind k;
    struct cond *l, *r;      /* AND / OR / NOT (l) */
    int var;                 /* C_VAR */
    int *vars;               /* C_ANY / C_ALL / C_NONE */
    int nvars;
    rf_field field;          /* C_EXISTS / C_IN */
    char *setname;           /* C_IN, resolved to set */
    int set;
    int line, col;           /* for late errors (unknown set) */
    tok_kind cmp;            /* C_CMP */
    arith *lhs, *rhs;
} cond;

/* ---- compiled objects ---- */
typedef struct set {
    char *name;
    bool prefix;
    char **items;            /* normalised: upper case (prefix: alphanumerics only) */
    size_t nitems;
} set;

/* A concept expression (docs/RULES.md, "Lexicons"): a /regex/ that may name
 * lexicons as @name, a lexicon, a "phrase", or A near/N B. */
typedef enum cexpr_kind { CE_REGEX, CE_LEX, CE_STR, CE_NEAR } cexpr_kind;

typedef struct cexpr {
    cexpr_kind k;
    char *text;              /* regex source, lexicon name or phrase (owned) */
    char flags[8];           /* CE_REGEX: its flags */
    pcre2_code *pre;         /* CE_REGEX without lexicons: compiled when parsed, until a
                              * variant takes it (owned) */
    int n;                   /* CE_NEAR: at most n words between the two sides */
    bool ordered;            /* CE_NEAR written `then/N`: l before r only */
    bool clause;             /* CE_NEAR: the words between stay within one clause */
    struct cexpr *l, *r;     /* CE_NEAR: the sides (owned) */
    int line, col;
} cexpr;

/* A declared lexicon or context: the entries of one language as a regex
 * alternation (without word boundaries, which depend on the language). */
typedef struct lexicon {
    char *name;              /* without '@' (owned by the ruleset's strings) */
    int lang;                /* lang_detect.h id */
    bool context;            /* declared with `context` (read by `unless`) */
    char *alt;               /* "e1|e2|…" (ruleset string) */
    size_t nentries;
    const char *file;
    int line;
} lexicon;

/* One compiled form of a pattern: for one language of its lexicons, or for
 * every text (lang 0) when it names none. */
typedef struct variant {
    int lang;
    pcre2_code *re;
    pcre2_code *unless;      /* clause-scoped negation, or NULL */
    litreq lits;             /* prefilter: every match holds one string of each group */
    bool always;             /* no usable literals: always run */
    uint32_t gid;            /* first prefilter group id (lits.ng of them) */
} variant;

typedef struct pattern {
    char *name;              /* without '$' */
    cexpr *expr;             /* what it matches (owned) */
    cexpr **unl;             /* `unless` operands (owned) */
    int nunl;
    int line, col;           /* of the `match` */
    variant *v;              /* built by rules_build_patterns */
    int nv;
    atomic_bool jitted;      /* variants JIT-compiled (on first use, under jit_lock) */
} pattern;

/* A buyer's own indicator (`indicator ID { title … sources … }`). */
typedef struct indicator_decl {
    rf_indicator_info info;
} indicator_decl;

typedef struct example {
    bool hit;
    bool json;
    char *text;              /* the example text or JSON object */
    int line;
} example;

_Static_assert(RF_F_COUNT <= 64, "rule.reads is a 64-bit field mask");

typedef struct rule {
    rf_rule_info info;
    rf_field fields[RF_F_COUNT];
    int nfields;
    pattern *pats;
    int npats;
    cond *when;              /* NULL: any of them */
    cond **unless;
    int nunless;
    rf_field condfields[8];  /* fields the condition reads, for evidence */
    int ncondfields;
    uint64_t reads;          /* bit f: the rule reads field f (patterns and conditions) */
    bool fires_empty;        /* it fires on a record with none of those fields */
    rf_rule_scope scope;     /* record, or the party whose cached fields it reads */
    example *ex;
    size_t nex;
} rule;

struct rf_ruleset {
    rule *rules;
    size_t nrules;
    set *sets;
    size_t nsets;
    lexicon *lex;
    size_t nlex;
    indicator_decl *ind;
    size_t nind;
    char **strings;          /* owned strings (titles, ids, files…) */
    size_t nstrings, capstrings;
    pcre2_match_context *mctx;
    bool field_scanned[RF_F_COUNT]; /* read by some pattern: UTF-8 checked once per scan */
    int max_pats;
    size_t nscope[RF_SCOPE_COUNT]; /* rules of each scope */
    uint32_t ngroups;        /* prefilter literal groups over all patterns */
    acm *ac;                 /* prefilter automaton over every group's literals */
    pthread_mutex_t jit_lock; /* serialises first-use JIT compilation */
    char digest[17];
};

/* ---- the scanner (rules_scan.c; rules trace reads it too) ---- */
/* Told of an occurrence [s, e) of variant v that an `unless` match [us, ue) dropped
 * (offsets in the canonical text t). */
typedef void (*scan_trace_fn)(rf_scanner *sc, const variant *v, const char *t, size_t s,
                              size_t e, size_t us, size_t ue);

typedef struct evidence {
    rf_field field;
    size_t value;          /* index of the value within the field */
    size_t s, e;           /* the occurrence */
    size_t ss, se;         /* its sentence */
    int lang;              /* the language of the variant that matched (0: any) */
} evidence;

struct rf_scanner {
    const rf_ruleset *rs;
    pcre2_match_data *md;
    signed char *state;    /* per pattern of the current rule: -1 unknown, 0, 1 */
    evidence *ev;
    const rf_record *rec;
    const rule *r;
    bool field_ok[RF_F_COUNT];
    uint64_t present;      /* bit f: the record has a value of field f */
    uint8_t *maybe;        /* per prefilter group: one of its literals occurs */
    bool maybe_all;        /* the prefilter is off or gave up for this record */
    bool prefilter;
    unsigned long limit_hits;
    uint64_t limit_fields; /* bit f: a pattern hit a PCRE2 limit on field f in this rule */
    scan_trace_fn trace;   /* rules trace: told of each suppressed occurrence, or NULL */
    void *trace_ud;
    rf_field cur_field;    /* the value being matched, for the trace */
    size_t cur_value;
    canon *cv;             /* the canonical form of each scanned value (text_canon.h) */
    size_t ncv, capcv;
    size_t cvbase[RF_F_COUNT]; /* value v of field f is cv[cvbase[f] + v] */
};

/* Keep s alive as long as rs; returns s (NULL on ENOMEM, s freed). */
char *rs_own(rf_ruleset *rs, char *s);
/* Parse one file's text into rs. */
int rules_parse(rf_ruleset *rs, const char *file, const char *src, size_t len, rf_diag *diag);
/* Resolve set references after every file is read. */
int rules_resolve(rf_ruleset *rs, rf_diag *diag);

/* Append @name for lang (all its languages for lang 0); false when it has none in lang. */
bool render_lexicon(const rf_ruleset *rs, const char *name, size_t len, int lang, gbuf *b);
/* Append a "phrase" for lang: one caseless entry between word boundaries. */
void render_phrase(const char *phrase, int lang, gbuf *b);
/* Whether a lexicon of this name exists in some language. */
bool lexicon_exists(const rf_ruleset *rs, const char *name, size_t len);
/* Parse `lexicon NAME LANG [stem] { … }` or `context …` at the keyword. */
bool rules_parse_lexicon(lexer *lx, rf_ruleset *rs, const char *file);
/* Parse `indicator ID { title "…" sources "…" }` at the keyword. */
bool rules_parse_indicator(lexer *lx, rf_ruleset *rs, const char *file);
/* Parse a concept expression at the current token (or '/' ahead when regex_next);
 * the token after it is left current. NULL with diag set on error. */
cexpr *rules_parse_cexpr(lexer *lx, rf_ruleset *rs, bool regex_next);
/* Parse one `unless` operand (/regex/, @name or "phrase"); token after it current. */
cexpr *rules_parse_operand(lexer *lx, rf_ruleset *rs, bool regex_next);
/* Free a concept expression. */
void cexpr_free(cexpr *e);
/* Whether id (len bytes) is a built-in indicator or one declared so far
 * (declare an indicator before the rules that use it). */
bool rules_indicator_known(const rf_ruleset *rs, const char *id, size_t len);
/* Check indicators and compile every pattern's variants, once all files are read. */
int rules_build_patterns(rf_ruleset *rs, rf_diag *diag);
/* Render e for language lang into a new regex source (caller frees); NULL when
 * a lexicon it names has no entries in lang, or on ENOMEM (*oom set). */
char *cexpr_render(const rf_ruleset *rs, const cexpr *e, int lang, bool *oom);
/* Render one operand of e for lang as a self-contained regex (its flags inline). */
char *cexpr_render_operand(const rf_ruleset *rs, const cexpr *e, int lang, bool *oom);
/* The lexicons e names: up to max names (not NUL-terminated) and lengths; their number. */
int cexpr_refs(const rf_ruleset *rs, const cexpr *e, const char **names, size_t *lens, int max);
/* The lexicon name@lang, or NULL. */
const lexicon *lexicon_find(const rf_ruleset *rs, const char *name, size_t len, int lang);
/* Parse a condition for rule r at the lexer's current token. */
cond *rules_parse_cond(lexer *lx, rf_ruleset *rs, const rule *r);
/* Free a condition tree. */
void cond_free(cond *c);
/* Normalise a set entry or value for comparison into out (n bytes); its length. */
size_t set_key(const char *s, size_t len, bool prefix, char *out, size_t n);
/* Whether text (len) belongs to the set. */
bool set_contains(const set *st, const char *text, size_t len);

/* Prepare the scanner for single-rule evaluations on rec. */
void scanner_begin(rf_scanner *sc, const rf_record *rec);
/* Work out, for every rule, whether it fires on a record that has none of the
 * fields it reads (such a rule's verdict is then known without running it). */
int scanner_mark_empty(rf_ruleset *rs);
/* Evaluate pattern i of rule r alone on the record given to scanner_begin. */
bool scanner_pattern(rf_scanner *sc, const rule *r, int i);
/* Whether rule r fires on the record given to scanner_begin. */
bool scanner_rule_fires(rf_scanner *sc, const rule *r);

/* Limits for every pattern evaluation. */
#define RF_MATCH_LIMIT 200000u
#define RF_DEPTH_LIMIT 2000u
#define RF_HEAP_LIMIT_KB 8192u
#define RF_EVIDENCE_MAX 200

#endif
