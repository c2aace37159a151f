/* The CSV scanner behind `npsloop score`: a few columns of a CSV, dictionary-coded.

   Arrow's CSV reader tokenizes and copies every field of every row, which is most of the
   time `npsloop score` spends on a large export although it needs one or two columns.
   This scanner finds the rows and fields of a buffer 64 bytes at a time with bit masks
   (quotes, commas, line ends, and which bytes lie inside quotes), looks only at the
   fields it is asked for, and returns for each of them one int32 code per row plus the
   list of distinct values, so Python never sees a row.

   It reads CSV exactly as Arrow does with its defaults (comma, double quote, doubled
   quotes inside quotes, no escape character, line breaks inside quoted values, \n, \r\n
   or \r line ends, empty lines skipped) for the files it accepts, and refuses the rest:
   a quote that does not open or close a field ("irregular"), a row whose field count
   differs from the header's ("width"), a file that ends inside quotes, rows that are not
   UTF-8 text in any field, read or not ("not UTF-8": `npsloop import` refuses such a file,
   and `npsloop score` gives it the same verdict). On a refusal the caller reads the file
   with Arrow, which accepts or reports it as before.

   Rows are only counted once their line end is reached, so a buffer may end anywhere:
   the scan then says where the incomplete row starts ("more"). It also stops at the
   first row that starts at or after `stop`, which lets threads scan separate parts of
   a file from speculative row starts that the caller checks afterwards. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(NPSLOOP_NO_SIMD)
#include <emmintrin.h>
#define HAVE_SSE2 1
#endif

enum {
    SCAN_DONE = 0,
    SCAN_MORE = 1,
    SCAN_IRREGULAR = 2,
    SCAN_WIDTH = 3,
    SCAN_NOMEM = 4,
    SCAN_NOT_UTF8 = 5
};

/* Values of up to two bytes (every score) skip the hash table: one slot for the empty
   value, 256 for one byte, 65,536 for two. */
#define SMALL_SLOTS (1 + 256 + 65536)

typedef struct {
    int32_t *small;     /* SMALL_SLOTS codes, -1 where unseen */
    uint32_t *table;    /* open addressing: code + 1, 0 where empty */
    uint32_t mask;      /* table size - 1 */
    uint32_t count;     /* distinct values */
    uint32_t capacity;  /* of hashes and starts */
    uint64_t *hashes;   /* per value */
    uint64_t *words;    /* per value, its first 16 bytes zero-padded: short values compare
                           as two words instead of through memcmp */
    size_t *starts;     /* value i is arena[starts[i] .. starts[i + 1]) */
    char *arena;
    size_t used, size;
} Dict;

/* The distinct combinations of the wanted columns' codes, with how many rows have each
   and the first of those rows. */
typedef struct {
    int width;          /* codes per combination */
    uint32_t *table;    /* open addressing: index + 1, 0 where empty */
    uint32_t mask;
    uint32_t count, capacity;
    int32_t *keys;      /* width codes per combination */
    uint64_t *hashes;
    int64_t *rows, *firsts;
} Combos;

typedef struct {
    const uint8_t *buf;
    size_t len, start, stop;
    int is_final;
    Py_ssize_t ncols;
    const int *slot_of; /* per column: its slot, or -1 when not wanted */
    int nslots;
    Py_ssize_t last_wanted; /* the highest wanted column index */
    Dict *dicts;
    Combos combos;
    int32_t *row_codes;              /* per slot, for the current row */
    size_t *field_start, *field_end; /* per slot, for the current row */
    char *scratch;
    size_t scratch_size;
    size_t rows, end;
    uint64_t high; /* any bit set: a byte of 0x80 or more was seen */
} Scan;

static uint64_t hash_bytes(const char *p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xFF51AFD7ED558CCDULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, p, n);
        h = (h ^ w) * 0x94D049BB133111EBULL;
    }
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    return h;
}

static int dict_init(Dict *d) {
    memset(d, 0, sizeof(*d));
    d->small = malloc(SMALL_SLOTS * sizeof(int32_t));
    d->table = calloc(64, sizeof(uint32_t));
    d->capacity = 16;
    d->hashes = malloc(d->capacity * sizeof(uint64_t));
    d->words = malloc(2 * d->capacity * sizeof(uint64_t));
    d->starts = malloc((d->capacity + 1) * sizeof(size_t));
    d->size = 256;
    d->arena = malloc(d->size);
    if (!d->small || !d->table || !d->hashes || !d->words || !d->starts || !d->arena) return -1;
    memset(d->small, 0xFF, SMALL_SLOTS * sizeof(int32_t));
    d->mask = 63;
    d->starts[0] = 0;
    return 0;
}

static void dict_free(Dict *d) {
    free(d->small);
    free(d->table);
    free(d->hashes);
    free(d->words);
    free(d->starts);
    free(d->arena);
}

static int dict_grow_table(Dict *d) {
    uint32_t size = (d->mask + 1) * 2;
    uint32_t *table = calloc(size, sizeof(uint32_t));
    if (!table) return -1;
    for (uint32_t i = 0; i < d->count; i++) {
        uint32_t at = (uint32_t)d->hashes[i] & (size - 1);
        while (table[at]) at = (at + 1) & (size - 1);
        table[at] = i + 1;
    }
    free(d->table);
    d->table = table;
    d->mask = size - 1;
    return 0;
}

/* Append a new distinct value; returns its code, or -1 when out of memory. */
static int32_t dict_append(Dict *d, const char *p, size_t n, uint64_t h, uint64_t w0,
                           uint64_t w1) {
    if (d->count == INT32_MAX) return -1;
    if (d->count == d->capacity) {
        uint32_t capacity = d->capacity * 2;
        uint64_t *hashes = realloc(d->hashes, capacity * sizeof(uint64_t));
        if (!hashes) return -1;
        d->hashes = hashes;
        uint64_t *words = realloc(d->words, 2 * capacity * sizeof(uint64_t));
        if (!words) return -1;
        d->words = words;
        size_t *starts = realloc(d->starts, (capacity + 1) * sizeof(size_t));
        if (!starts) return -1;
        d->starts = starts;
        d->capacity = capacity;
    }
    if (d->used + n > d->size) {
        size_t size = d->size * 2;
        while (size < d->used + n) size *= 2;
        char *arena = realloc(d->arena, size);
        if (!arena) return -1;
        d->arena = arena;
        d->size = size;
    }
    if (n) memcpy(d->arena + d->used, p, n);
    d->used += n;
    uint32_t code = d->count++;
    d->hashes[code] = h;
    d->words[2 * code] = w0;
    d->words[2 * code + 1] = w1;
    d->starts[code + 1] = d->used;
    return (int32_t)code;
}

static int32_t dict_code(Dict *d, const char *p, size_t n) {
    if (n <= 2) {
        size_t slot = n == 0 ? 0 : n == 1 ? 1 + (size_t)(uint8_t)p[0]
                                          : 257 + ((size_t)(uint8_t)p[0] << 8) + (uint8_t)p[1];
        int32_t code = d->small[slot];
        if (code < 0) {
            code = dict_append(d, p, n, 0, 0, 0);
            d->small[slot] = code;
        }
        return code;
    }
    uint64_t w0 = 0, w1 = 0, h;
    if (n <= 16) {
        memcpy(&w0, p, n < 8 ? n : 8);
        if (n > 8) memcpy(&w1, p + 8, n - 8);
        h = (w0 ^ (n * 0x9E3779B97F4A7C15ULL)) * 0xBF58476D1CE4E5B9ULL;
        h = (h ^ (h >> 29) ^ w1) * 0x94D049BB133111EBULL;
        h ^= h >> 32;
    } else {
        h = hash_bytes(p, n);
    }
    uint32_t at = (uint32_t)h & d->mask;
    for (;;) {
        uint32_t entry = d->table[at];
        if (!entry) break;
        uint32_t code = entry - 1;
        if (d->hashes[code] == h && d->starts[code + 1] - d->starts[code] == n &&
            (n <= 16 ? d->words[2 * code] == w0 && d->words[2 * code + 1] == w1
                     : memcmp(d->arena + d->starts[code], p, n) == 0))
            return (int32_t)code;
        at = (at + 1) & d->mask;
    }
    int32_t code = dict_append(d, p, n, h, w0, w1);
    if (code < 0) return -1;
    d->table[at] = (uint32_t)code + 1;
    if ((uint64_t)d->count * 2 > d->mask && dict_grow_table(d) < 0) return -1;
    return code;
}

static int combos_init(Combos *c, int width) {
    memset(c, 0, sizeof(*c));
    c->width = width;
    c->capacity = 64;
    c->mask = 127;
    c->table = calloc(c->mask + 1, sizeof(uint32_t));
    c->keys = malloc((size_t)c->capacity * (size_t)width * sizeof(int32_t));
    c->hashes = malloc(c->capacity * sizeof(uint64_t));
    c->rows = malloc(c->capacity * sizeof(int64_t));
    c->firsts = malloc(c->capacity * sizeof(int64_t));
    return c->table && c->keys && c->hashes && c->rows && c->firsts ? 0 : -1;
}

static void combos_free(Combos *c) {
    free(c->table);
    free(c->keys);
    free(c->hashes);
    free(c->rows);
    free(c->firsts);
}

static int combos_grow(Combos *c) {
    uint32_t capacity = c->capacity * 2;
    int32_t *keys = realloc(c->keys, (size_t)capacity * (size_t)c->width * sizeof(int32_t));
    if (!keys) return -1;
    c->keys = keys;
    uint64_t *hashes = realloc(c->hashes, capacity * sizeof(uint64_t));
    if (!hashes) return -1;
    c->hashes = hashes;
    int64_t *rows = realloc(c->rows, capacity * sizeof(int64_t));
    if (!rows) return -1;
    c->rows = rows;
    int64_t *firsts = realloc(c->firsts, capacity * sizeof(int64_t));
    if (!firsts) return -1;
    c->firsts = firsts;
    c->capacity = capacity;
    uint32_t size = (c->mask + 1) * 2;
    uint32_t *table = calloc(size, sizeof(uint32_t));
    if (!table) return -1;
    for (uint32_t i = 0; i < c->count; i++) {
        uint32_t at = (uint32_t)c->hashes[i] & (size - 1);
        while (table[at]) at = (at + 1) & (size - 1);
        table[at] = i + 1;
    }
    free(c->table);
    c->table = table;
    c->mask = size - 1;
    return 0;
}

static inline int same_codes(const int32_t *a, const int32_t *b, int width) {
    for (int j = 0; j < width; j++)
        if (a[j] != b[j]) return 0;
    return 1;
}

/* Count one row with these codes; `row` is its index, for the first row of a new one. */
static int combos_add(Combos *c, const int32_t *codes, int64_t row) {
    const size_t bytes = (size_t)c->width * sizeof(int32_t);
    if (c->width == 1) {
        /* One column: its codes are made in the order rows are counted, so combination i
           is the value coded i. */
        uint32_t code = (uint32_t)codes[0];
        if (code < c->count && c->keys[code] == codes[0]) {
            c->rows[code]++;
            return 0;
        }
    }
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (int j = 0; j < c->width; j++) {
        h = (h ^ (uint32_t)codes[j]) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    uint32_t at = (uint32_t)h & c->mask;
    for (;;) {
        uint32_t entry = c->table[at];
        if (!entry) break;
        uint32_t i = entry - 1;
        if (c->hashes[i] == h && same_codes(c->keys + (size_t)i * c->width, codes, c->width)) {
            c->rows[i]++;
            return 0;
        }
        at = (at + 1) & c->mask;
    }
    if (c->count == INT32_MAX) return -1;
    uint32_t i = c->count++;
    memcpy(c->keys + (size_t)i * c->width, codes, bytes);
    c->hashes[i] = h;
    c->rows[i] = 1;
    c->firsts[i] = row;
    c->table[at] = i + 1;
    if (c->count == c->capacity && combos_grow(c) < 0) return -1;
    return 0;
}

/* The value of field [fs, fe): a quoted field loses its quotes and its doubled quotes
   become one, as Arrow reads it. The scan has checked that a field starting with a quote
   ends with the quote that closes it and holds only doubled quotes in between. */
static int32_t field_code(Scan *s, Dict *d, size_t fs, size_t fe) {
    const char *p = (const char *)s->buf + fs;
    size_t n = fe - fs;
    if (n >= 2 && p[0] == '"') {
        p += 1;
        n -= 2;
        const char *quote = memchr(p, '"', n);
        if (quote) {
            if (n > s->scratch_size) {
                char *scratch = realloc(s->scratch, n);
                if (!scratch) return -1;
                s->scratch = scratch;
                s->scratch_size = n;
            }
            size_t out = 0;
            for (size_t i = 0; i < n; i++) {
                s->scratch[out++] = p[i];
                if (p[i] == '"') i++; /* the second quote of a pair */
            }
            p = s->scratch;
            n = out;
        }
    }
    return dict_code(d, p, n);
}

static int commit_row(Scan *s) {
    for (int j = 0; j < s->nslots; j++) {
        int32_t code = field_code(s, &s->dicts[j], s->field_start[j], s->field_end[j]);
        if (code < 0) return -1;
        s->row_codes[j] = code;
    }
    if (combos_add(&s->combos, s->row_codes, (int64_t)s->rows) < 0) return -1;
    s->rows++;
    return 0;
}

/* Bit i of each mask: byte i of the 64 equals the character. */
typedef struct {
    uint64_t quote, comma, lf, cr, high;
} Masks;

static inline Masks classify(const uint8_t *p) {
    Masks m;
#ifdef HAVE_SSE2
    const __m128i q = _mm_set1_epi8('"'), c = _mm_set1_epi8(','), l = _mm_set1_epi8('\n'),
                  r = _mm_set1_epi8('\r');
    const __m128i v0 = _mm_loadu_si128((const __m128i *)p);
    const __m128i v1 = _mm_loadu_si128((const __m128i *)(p + 16));
    const __m128i v2 = _mm_loadu_si128((const __m128i *)(p + 32));
    const __m128i v3 = _mm_loadu_si128((const __m128i *)(p + 48));
#define MASK64(x)                                                                         \
    ((uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, x)) |                       \
     (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, x)) << 16 |                 \
     (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v2, x)) << 32 |                 \
     (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v3, x)) << 48)
    m.quote = MASK64(q);
    m.comma = MASK64(c);
    m.lf = MASK64(l);
    m.cr = MASK64(r);
    m.high = (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(v0, v1),
                                                                _mm_or_si128(v2, v3)));
#undef MASK64
#else
    m.quote = m.comma = m.lf = m.cr = m.high = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t bit = 1ULL << i;
        if (p[i] & 0x80) m.high |= bit;
        switch (p[i]) {
        case '"': m.quote |= bit; break;
        case ',': m.comma |= bit; break;
        case '\n': m.lf |= bit; break;
        case '\r': m.cr |= bit; break;
        default: break;
        }
    }
#endif
    return m;
}

/* Bit i: an odd number of the bits 0..i are set, i.e. byte i lies inside quotes (an
   opening quote counts as inside, a closing one as outside). */
static inline uint64_t prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

static inline int lowest_bit(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(x);
#else
    int n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* Without -mpopcnt compilers call a library function for __builtin_popcountll. */
static inline Py_ssize_t count_bits(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (Py_ssize_t)((x * 0x0101010101010101ULL) >> 56);
}

static inline void end_field(Scan *s, Py_ssize_t field, size_t fs, size_t fe) {
    if (field < s->ncols) {
        int slot = s->slot_of[field];
        if (slot >= 0) {
            s->field_start[slot] = fs;
            s->field_end[slot] = fe;
        }
    }
}

/* Whether p[0..n) is UTF-8 as Python's strict decoder reads it: no overlong forms, no
   surrogates, nothing past U+10FFFF. Only called when a byte of 0x80 or more was seen;
   runs of ASCII go 64 bytes at a time (8 without SSE2). */
static int valid_utf8(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
#ifdef HAVE_SSE2
        if (n - i >= 64) {
            const __m128i v0 = _mm_loadu_si128((const __m128i *)(p + i));
            const __m128i v1 = _mm_loadu_si128((const __m128i *)(p + i + 16));
            const __m128i v2 = _mm_loadu_si128((const __m128i *)(p + i + 32));
            const __m128i v3 = _mm_loadu_si128((const __m128i *)(p + i + 48));
            if (!_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(v0, v1), _mm_or_si128(v2, v3)))) {
                i += 64;
                continue;
            }
        }
#endif
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF; /* the range of the byte after the lead byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return 0;
        }
        if (n - i <= need) return 0;
        if (p[i + 1] < lo || p[i + 1] > hi) return 0;
        for (size_t k = 2; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return 0;
        }
        i += need + 1;
    }
    return 1;
}

static int scan(Scan *s) {
    const uint8_t *buf = s->buf;
    const size_t len = s->len, stop = s->stop;
    size_t row_start = s->start, field_start = s->start;
    Py_ssize_t field = 0;
    uint64_t inside = 0;      /* all ones while the previous chunk ended inside quotes */
    uint64_t before_ok = 1;   /* the byte before the chunk ends a field (or none does) */
    s->end = row_start;
    if (row_start >= stop) return SCAN_DONE;
    for (size_t base = row_start; base < len; base += 64) {
        uint8_t tail[64];
        const uint8_t *p = buf + base;
        size_t n = len - base;
        if (n < 64) {
            memcpy(tail, p, n);
            memset(tail + n, 0, 64 - n);
            p = tail;
        }
        Masks m = classify(p);
        s->high |= m.high;
        uint64_t in_quotes = prefix_xor(m.quote) ^ inside;
        inside = (uint64_t)((int64_t)in_quotes >> 63);
        uint64_t openers = m.quote & in_quotes, closers = m.quote & ~in_quotes;
        uint64_t commas = m.comma & ~in_quotes, ends = (m.lf | m.cr) & ~in_quotes;
        /* A quote opens a field only at its start, and closes it only before a comma, a
           line end, the end of the file or another quote (a doubled quote). Anything else
           Arrow reads differently (a quote inside an unquoted value is a plain character):
           such files go to Arrow. */
        uint64_t field_ends = commas | ends | closers;
        uint64_t may_open = (field_ends << 1) | before_ok;
        before_ok = field_ends >> 63;
        uint64_t next_ok;
        if (n > 64) {
            uint8_t c = buf[base + 64];
            next_ok = (c == ',' || c == '\n' || c == '\r' || c == '"');
        } else {
            next_ok = 1; /* the end of the buffer: the end of the file, or read more */
        }
        uint64_t may_close = ((m.comma | m.lf | m.cr | m.quote) >> 1) | (next_ok << 63);
        if (n < 64) may_close |= 1ULL << (n - 1);
        uint64_t irregular = (openers & ~may_open) | (closers & ~may_close);
        uint64_t events = commas | ends | irregular;
        while (events) {
            if (field > s->last_wanted) {
                /* Past the last wanted field, commas are only counted. */
                uint64_t pending = events & ends;
                uint64_t before = pending ? (pending & (0 - pending)) - 1 : ~0ULL;
                uint64_t skipped = events & commas & before;
                field += count_bits(skipped);
                events &= ~skipped;
                if (!events) break;
            }
            int bit = lowest_bit(events);
            uint64_t mask = 1ULL << bit;
            events &= events - 1;
            size_t at = base + (size_t)bit;
            if (irregular & mask) {
                s->end = row_start;
                return SCAN_IRREGULAR;
            }
            if (commas & mask) {
                end_field(s, field, field_start, at);
                field++;
                field_start = at + 1;
                continue;
            }
            if (at != row_start) { /* else an empty line, which Arrow skips */
                end_field(s, field, field_start, at);
                if (field + 1 != s->ncols) {
                    s->end = row_start;
                    return SCAN_WIDTH;
                }
                if (commit_row(s) < 0) return SCAN_NOMEM;
            }
            row_start = field_start = at + 1;
            field = 0;
            if (row_start >= stop) {
                s->end = row_start;
                return SCAN_DONE;
            }
        }
    }
    if (!s->is_final) {
        s->end = row_start;
        return SCAN_MORE;
    }
    if (row_start < len) { /* a last row without a line end */
        if (inside) {
            s->end = row_start;
            return SCAN_IRREGULAR;
        }
        end_field(s, field, field_start, len);
        if (field + 1 != s->ncols) {
            s->end = row_start;
            return SCAN_WIDTH;
        }
        if (commit_row(s) < 0) return SCAN_NOMEM;
    }
    s->end = len;
    return SCAN_DONE;
}

PyDoc_STRVAR(scan_doc,
"scan(data, start, stop, is_final, ncols, columns)\n"
"--\n\n"
"Scan the CSV rows of `data` from `start` (a row start, outside quotes) up to the first\n"
"row that starts at or after `stop`. `ncols` is the header's field count, `columns` the\n"
"indices of the fields wanted.\n\n"
"Returns (status, end, rows, values, combinations): status DONE, MORE (`data` ends inside\n"
"a row and is not `is_final`), IRREGULAR (a quote Arrow would read differently, or the\n"
"file ends inside quotes), WIDTH (a row with another field count) or NOT_UTF8 (the rows\n"
"taken are not all UTF-8 text); `end` where the\n"
"scan stopped (the start of the row it did not take); the rows it took; per wanted\n"
"column its distinct values (bytes, unquoted); and per distinct combination of values a\n"
"tuple (code per column, rows, first row), codes indexing `values`.");

static PyObject *build_result(int status, const Scan *s) {
    PyObject *values = PyList_New(s->nslots);
    PyObject *combos = PyList_New(s->combos.count);
    if (!values || !combos) goto fail;
    for (int j = 0; j < s->nslots; j++) {
        const Dict *d = &s->dicts[j];
        PyObject *list = PyList_New(d->count);
        if (!list) goto fail;
        PyList_SET_ITEM(values, j, list);
        for (uint32_t i = 0; i < d->count; i++) {
            PyObject *value = PyBytes_FromStringAndSize(
                d->arena + d->starts[i], (Py_ssize_t)(d->starts[i + 1] - d->starts[i]));
            if (!value) goto fail;
            PyList_SET_ITEM(list, i, value);
        }
    }
    for (uint32_t i = 0; i < s->combos.count; i++) {
        PyObject *combo = PyTuple_New(s->nslots + 2);
        if (!combo) goto fail;
        PyList_SET_ITEM(combos, i, combo);
        const int32_t *key = s->combos.keys + (size_t)i * (size_t)s->nslots;
        for (int j = 0; j < s->nslots; j++) {
            PyObject *code = PyLong_FromLong(key[j]);
            if (!code) goto fail;
            PyTuple_SET_ITEM(combo, j, code);
        }
        PyObject *rows = PyLong_FromLongLong(s->combos.rows[i]);
        if (!rows) goto fail;
        PyTuple_SET_ITEM(combo, s->nslots, rows);
        PyObject *first = PyLong_FromLongLong(s->combos.firsts[i]);
        if (!first) goto fail;
        PyTuple_SET_ITEM(combo, s->nslots + 1, first);
    }
    return Py_BuildValue("(innNN)", status, (Py_ssize_t)s->end, (Py_ssize_t)s->rows, values,
                         combos);
fail:
    Py_XDECREF(values);
    Py_XDECREF(combos);
    return NULL;
}

static PyObject *py_scan(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t start, stop, ncols;
    int is_final;
    PyObject *columns;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*nnpnO!", &view, &start, &stop, &is_final, &ncols,
                          &PyTuple_Type, &columns))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t nslots = PyTuple_GET_SIZE(columns);
    int *slot_of = NULL;
    Scan s;
    memset(&s, 0, sizeof(s));
    int dicts_ready = 0, combos_ready = 0;

    if (start < 0 || start > view.len || stop < 0 || ncols < 1 || nslots < 1 || nslots > 64) {
        PyErr_SetString(PyExc_ValueError, "scan: arguments out of range");
        goto done;
    }
    slot_of = malloc((size_t)ncols * sizeof(int));
    s.dicts = calloc((size_t)nslots, sizeof(Dict));
    s.row_codes = calloc((size_t)nslots, sizeof(int32_t));
    s.field_start = calloc(2 * (size_t)nslots, sizeof(size_t));
    if (!slot_of || !s.dicts || !s.row_codes || !s.field_start) {
        PyErr_NoMemory();
        goto done;
    }
    s.field_end = s.field_start + nslots;
    for (Py_ssize_t i = 0; i < ncols; i++) slot_of[i] = -1;
    for (Py_ssize_t j = 0; j < nslots; j++) {
        Py_ssize_t column = PyLong_AsSsize_t(PyTuple_GET_ITEM(columns, j));
        if (column == -1 && PyErr_Occurred()) goto done;
        if (column < 0 || column >= ncols || slot_of[column] >= 0) {
            PyErr_SetString(PyExc_ValueError, "scan: columns must be distinct field indices");
            goto done;
        }
        slot_of[column] = (int)j;
        if (column > s.last_wanted) s.last_wanted = column;
    }
    dicts_ready = 1;
    for (Py_ssize_t j = 0; j < nslots; j++) {
        if (dict_init(&s.dicts[j]) < 0) {
            PyErr_NoMemory();
            goto done;
        }
    }
    combos_ready = 1;
    if (combos_init(&s.combos, (int)nslots) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    s.buf = view.buf;
    s.len = (size_t)view.len;
    s.start = (size_t)start;
    s.stop = (size_t)stop;
    s.is_final = is_final;
    s.ncols = ncols;
    s.slot_of = slot_of;
    s.nslots = (int)nslots;

    int status;
    Py_BEGIN_ALLOW_THREADS
    status = scan(&s);
    /* Rows start after a line end, so the rows taken begin and end on whole characters. */
    if ((status == SCAN_DONE || status == SCAN_MORE) && s.high &&
        !valid_utf8(s.buf + s.start, s.end - s.start))
        status = SCAN_NOT_UTF8;
    Py_END_ALLOW_THREADS
    if (status == SCAN_NOMEM) {
        PyErr_NoMemory();
        goto done;
    }
    result = build_result(status, &s);

done:
    if (dicts_ready) {
        for (Py_ssize_t j = 0; j < nslots; j++) dict_free(&s.dicts[j]);
    }
    if (combos_ready) combos_free(&s.combos);
    free(s.scratch);
    free(s.dicts);
    free(s.row_codes);
    free(s.field_start);
    free(slot_of);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", py_scan, METH_VARARGS, scan_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_csvscan",
    "Dictionary-coded columns of a CSV buffer, for npsloop score.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__csvscan(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    if (PyModule_AddIntConstant(m, "DONE", SCAN_DONE) < 0 ||
        PyModule_AddIntConstant(m, "MORE", SCAN_MORE) < 0 ||
        PyModule_AddIntConstant(m, "IRREGULAR", SCAN_IRREGULAR) < 0 ||
        PyModule_AddIntConstant(m, "WIDTH", SCAN_WIDTH) < 0 ||
        PyModule_AddIntConstant(m, "NOT_UTF8", SCAN_NOT_UTF8) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
