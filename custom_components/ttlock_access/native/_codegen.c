/*
 * _codegen: fast keypad-code generator for ttlock_access.
 *
 * The C twin of _twin.py. Both must return identical results for identical arguments and
 * seed; _twin.py's module docstring is the specification of the algorithm (PRNG, rejection
 * sampling, weak-code rules, substring conflicts, fallbacks). Change both or neither and bump
 * API_VERSION.
 *
 * Data layout: a code of m digits with value v is the key (m << 32) | v, so "0123" and "123"
 * differ and no key is 0 (m >= 4), which marks an empty hash slot. Every lock has one hash
 * set of "taken" keys; a candidate conflicts with a lock when any window of >= 4 digits of
 * it is in the set. The heavy loops run without the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__APPLE__)
#include <sys/random.h>
#include <unistd.h>
#elif defined(__unix__)
#include <unistd.h> /* getentropy: glibc >= 2.25, musl, BSDs */
#else
#error "_codegen needs getentropy(); use the pure-Python twin on this platform"
#endif

#define API_VERSION 1
#define MIN_LENGTH 4
#define MAX_LENGTH 9
#define MAX_COUNT 1000000
#define MAX_CONSECUTIVE_REJECTIONS 4096
#define ENUM_MAX_LENGTH 6
#define PAIRING_ENTRIES 10
#define PAIRING_CODE_LIMIT 1071 /* docs/ble.md §8.1: 0 <= code < 1071 */
#define MAX_PAIRING_TRIES 1000

#define FLAG_REPEATED_DIGIT 1u
#define FLAG_SEQUENCE 2u
#define FLAG_PATTERN 4u
#define FLAG_DATE 8u
#define FLAGS_ALL 15u

#define KEY(m, v) ((((uint64_t)(m)) << 32) | (uint64_t)(v))

static const uint32_t POW10[MAX_LENGTH + 1] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u};

/* ------------------------------------------------------------------------ random numbers */

typedef struct {
    int seeded;
    int failed; /* the OS entropy source failed; errno in err */
    int err;
    int pos;
    uint64_t s[4];
    uint64_t buf[32];
} rng_t;

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void
rng_init(rng_t *r, int seeded, uint64_t seed)
{
    memset(r, 0, sizeof(*r));
    r->seeded = seeded;
    r->pos = 32;
    if (seeded) {
        uint64_t x = seed;
        for (int i = 0; i < 4; i++) {
            r->s[i] = splitmix64(&x);
        }
    }
}

static uint64_t
rng_next(rng_t *r)
{
    if (r->seeded) { /* xoshiro256** */
        uint64_t *s = r->s;
        uint64_t result = rotl(s[1] * 5, 7) * 9;
        uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
    }
    if (r->pos >= 32) {
        if (r->failed) {
            return 0;
        }
        /* getentropy() serves at most 256 bytes per call: exactly this buffer. */
        if (getentropy(r->buf, sizeof(r->buf)) != 0) {
            r->failed = 1;
            r->err = errno;
            return 0;
        }
        r->pos = 0;
    }
    return r->buf[r->pos++];
}

/* Uniform integer in [0, n), n >= 1: reject words below 2^64 mod n (no modulo bias). */
static uint64_t
rng_below(rng_t *r, uint64_t n)
{
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = rng_next(r);
        if (r->failed) {
            return 0;
        }
        if (x >= threshold) {
            return x % n;
        }
    }
}

/* ------------------------------------------------------------------------ hash set */

typedef struct {
    uint64_t *keys; /* 0 = empty */
    size_t mask;    /* capacity - 1, capacity a power of two */
    size_t len;
    int shift;      /* 64 - log2(capacity): multiplicative hashing keeps the top bits */
} hset_t;

static inline size_t
hset_slot(const hset_t *h, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> h->shift);
}

static int
log2_of(size_t cap)
{
    int bits = 0;
    while (((size_t)1 << bits) < cap) {
        bits++;
    }
    return bits;
}

static int
hset_init(hset_t *h, size_t expected)
{
    size_t cap = 16;
    while (cap < 2 * expected + 2) {
        cap <<= 1;
    }
    h->keys = (uint64_t *)calloc(cap, sizeof(uint64_t));
    h->mask = cap - 1;
    h->shift = 64 - log2_of(cap);
    h->len = 0;
    return h->keys ? 0 : -1;
}

static void
hset_free(hset_t *h)
{
    free(h->keys);
    h->keys = NULL;
}

static inline int
hset_has(const hset_t *h, uint64_t key)
{
    size_t i = hset_slot(h, key);
    for (;;) {
        uint64_t k = h->keys[i];
        if (k == key) {
            return 1;
        }
        if (k == 0) {
            return 0;
        }
        i = (i + 1) & h->mask;
    }
}

static void
hset_put(hset_t *h, uint64_t key) /* the caller guarantees room */
{
    size_t i = hset_slot(h, key);
    while (h->keys[i] != 0) {
        if (h->keys[i] == key) {
            return;
        }
        i = (i + 1) & h->mask;
    }
    h->keys[i] = key;
    h->len++;
}

/* Add a key, doubling the table above load 1/2. Returns -1 when out of memory. */
static int
hset_add(hset_t *h, uint64_t key)
{
    if (2 * (h->len + 1) > h->mask + 1) {
        hset_t bigger;
        size_t oldcap = h->mask + 1;
        bigger.keys = (uint64_t *)calloc(2 * oldcap, sizeof(uint64_t));
        if (!bigger.keys) {
            return -1;
        }
        bigger.mask = 2 * oldcap - 1;
        bigger.shift = h->shift - 1;
        bigger.len = 0;
        for (size_t i = 0; i < oldcap; i++) {
            if (h->keys[i]) {
                hset_put(&bigger, h->keys[i]);
            }
        }
        free(h->keys);
        *h = bigger;
    }
    hset_put(h, key);
    return 0;
}

/* ------------------------------------------------------------------------ weak codes */

static const uint8_t MONTH_DAYS[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static inline int
day_month(unsigned day, unsigned month)
{
    return month >= 1 && month <= 12 && day >= 1 && day <= MONTH_DAYS[month];
}

static inline int
is_year(unsigned y)
{
    return y >= 1900 && y <= 2099;
}

static inline unsigned
num2(const uint8_t *d, int i)
{
    return (unsigned)d[i] * 10u + d[i + 1];
}

static int
is_date(const uint8_t *d, int n)
{
    if (n == 4) { /* DDMM, MMDD, YYYY */
        unsigned a = num2(d, 0), b = num2(d, 2);
        return day_month(a, b) || day_month(b, a) || is_year(a * 100 + b);
    }
    if (n == 6) { /* DDMMYY, MMDDYY, YYMMDD, MMYYYY, YYYYMM */
        unsigned a = num2(d, 0), b = num2(d, 2), c = num2(d, 4);
        return day_month(a, b) || day_month(b, a) || day_month(c, b) ||
               (a >= 1 && a <= 12 && is_year(b * 100 + c)) ||
               (is_year(a * 100 + b) && c >= 1 && c <= 12);
    }
    if (n == 8) { /* DDMMYYYY, MMDDYYYY, YYYYMMDD */
        unsigned a = num2(d, 0), b = num2(d, 2), c = num2(d, 4), e = num2(d, 6);
        return (is_year(c * 100 + e) && (day_month(a, b) || day_month(b, a))) ||
               (is_year(a * 100 + b) && day_month(e, c));
    }
    return 0;
}

static int
is_weak_structure(const uint8_t *d, int n, unsigned flags)
{
    if (flags & FLAG_REPEATED_DIGIT) {
        int i = 1;
        while (i < n && d[i] == d[0]) {
            i++;
        }
        if (i == n) {
            return 1;
        }
    }
    if (flags & FLAG_SEQUENCE) {
        /* Runs wrap around (7890, 0987): 0 follows 9 on phone-style keypads. */
        int step = (d[1] + 10 - d[0]) % 10;
        if (step == 1 || step == 9) {
            int i = 1;
            while (i < n - 1 && (d[i + 1] + 10 - d[i]) % 10 == step) {
                i++;
            }
            if (i == n - 1) {
                return 1;
            }
        }
    }
    if (flags & FLAG_PATTERN) {
        for (int p = 2; p <= n / 2; p++) {
            int i = 0;
            while (i + p < n && d[i] == d[i + p]) {
                i++;
            }
            if (i + p == n) {
                return 1;
            }
        }
    }
    return (flags & FLAG_DATE) && is_date(d, n);
}

/* ------------------------------------------------------------------------ locks */

/* A lock's taken codes: lengths in `bitset_lengths` live in a bitset over their 10^m values
 * (allocated on first use), the others in the hash set. */
typedef struct {
    hset_t taken;
    uint64_t *bits[MAX_LENGTH + 1];
    unsigned bitset_lengths;
    unsigned lengths; /* bit m set when a code of m digits is taken */
} lock_t;

/* Bitsets: always for 4-digit codes (1.25 kB, allocated on first use). In `generate`, whose
 * single lock takes every new code, also for 5 digits and for the generated length up to
 * BITSET_MAX_LENGTH digits (1.25 MB). In `generate_bulk` each lock holds few codes of the
 * other lengths, so hash sets are cheaper than clearing bitsets for every lock. */
#define BITSET_MAX_LENGTH 7

static unsigned
bitset_lengths_for(int length, int single_lock)
{
    unsigned mask = 1u << 4;
    if (single_lock) {
        mask |= 1u << 5;
        if (length <= BITSET_MAX_LENGTH) {
            mask |= 1u << length;
        }
    }
    return mask;
}

static inline int
lock_has(const lock_t *lock, int m, uint32_t w)
{
    const uint64_t *b = lock->bits[m];
    if (b) {
        return (int)((b[w >> 6] >> (w & 63u)) & 1u);
    }
    return (lock->bitset_lengths & (1u << m)) ? 0 : hset_has(&lock->taken, KEY(m, w));
}

/* Mark a code taken. Returns -1 when out of memory. */
static int
lock_take(lock_t *lock, int m, uint32_t v)
{
    lock->lengths |= 1u << m;
    if (lock->bitset_lengths & (1u << m)) {
        if (!lock->bits[m]) {
            lock->bits[m] = (uint64_t *)calloc(POW10[m] / 64u + 1u, sizeof(uint64_t));
            if (!lock->bits[m]) {
                return -1;
            }
        }
        lock->bits[m][v >> 6] |= (uint64_t)1 << (v & 63u);
        return 0;
    }
    return hset_add(&lock->taken, KEY(m, v));
}

static void
lock_free(lock_t *lock)
{
    hset_free(&lock->taken);
    for (int m = 0; m <= MAX_LENGTH; m++) {
        free(lock->bits[m]);
        lock->bits[m] = NULL;
    }
}

typedef struct {
    int length;
    unsigned flags;
    uint32_t space;
    hset_t blocked; /* keys of blocklisted codes of `length` digits */
    rng_t rng;
} gen_t;

static inline void
to_digits(uint32_t v, int n, uint8_t *d)
{
    for (int i = n - 1; i >= 0; i--) {
        d[i] = (uint8_t)(v % 10u);
        v /= 10u;
    }
}

static int
conflicts(const lock_t *lock, const uint8_t *d, int n)
{
    for (int i = 0; i + MIN_LENGTH <= n; i++) {
        uint32_t w = 0;
        for (int j = i; j < n; j++) {
            int m = j - i + 1;
            w = w * 10u + d[j];
            if (m >= MIN_LENGTH && (lock->lengths & (1u << m)) && lock_has(lock, m, w)) {
                return 1;
            }
        }
    }
    return 0;
}

static int
is_free(const gen_t *g, lock_t *const *locks, size_t nlocks, uint32_t v)
{
    uint8_t d[MAX_LENGTH];
    to_digits(v, g->length, d);
    if (g->flags && is_weak_structure(d, g->length, g->flags)) {
        return 0;
    }
    if (g->blocked.len && hset_has(&g->blocked, KEY(g->length, v))) {
        return 0;
    }
    for (size_t k = 0; k < nlocks; k++) {
        if (conflicts(locks[k], d, g->length)) {
            return 0;
        }
    }
    return 1;
}


/* Free codes in ascending order; *out is malloc'ed (NULL and -1 when out of memory). */
static Py_ssize_t
enumerate_free(const gen_t *g, lock_t *const *locks, size_t nlocks, uint32_t **out)
{
    size_t n = 0, cap = 1024;
    uint32_t *list = (uint32_t *)malloc(cap * sizeof(uint32_t));
    *out = NULL;
    if (!list) {
        return -1;
    }
    for (uint32_t v = 0; v < g->space; v++) {
        if (!is_free(g, locks, nlocks, v)) {
            continue;
        }
        if (n == cap) {
            uint32_t *bigger = (uint32_t *)realloc(list, 2 * cap * sizeof(uint32_t));
            if (!bigger) {
                free(list);
                return -1;
            }
            list = bigger;
            cap *= 2;
        }
        list[n++] = v;
    }
    *out = list;
    return (Py_ssize_t)n;
}

/* ------------------------------------------------------------------------ argument parsing */

/* Parse a code: ASCII digits, MIN_LENGTH..MAX_LENGTH. Returns 0 and sets *len and *value, or -1
 * with ValueError set. */
static int
parse_code(PyObject *obj, const char *what, int *len, uint32_t *value)
{
    Py_ssize_t size;
    const char *s;
    if (!PyUnicode_Check(obj) || !(s = PyUnicode_AsUTF8AndSize(obj, &size))) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s must be a string of %d-%d ASCII digits, got %R",
                     what, MIN_LENGTH, MAX_LENGTH, obj);
        return -1;
    }
    uint32_t v = 0;
    int ok = size >= MIN_LENGTH && size <= MAX_LENGTH;
    for (Py_ssize_t i = 0; ok && i < size; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        v = v * 10u + (uint32_t)(s[i] - '0');
    }
    if (!ok) {
        PyErr_Format(PyExc_ValueError, "%s must be a string of %d-%d ASCII digits, got %R",
                     what, MIN_LENGTH, MAX_LENGTH, obj);
        return -1;
    }
    *len = (int)size;
    *value = v;
    return 0;
}

static int
parse_length(int length)
{
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
        PyErr_Format(PyExc_ValueError, "length must be an int from %d to %d", MIN_LENGTH,
                     MAX_LENGTH);
        return -1;
    }
    return 0;
}

/* seed: None (OS CSPRNG) or 0 <= int < 2^64. */
static int
parse_seed(PyObject *seed, rng_t *rng)
{
    if (seed == Py_None) {
        rng_init(rng, 0, 0);
        return 0;
    }
    if (!PyLong_Check(seed) || PyBool_Check(seed)) {
        PyErr_SetString(PyExc_ValueError, "seed must be None or an int with 0 <= seed < 2**64");
        return -1;
    }
    unsigned long long value = PyLong_AsUnsignedLongLong(seed);
    if (value == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "seed must be None or an int with 0 <= seed < 2**64");
        return -1;
    }
    rng_init(rng, 1, (uint64_t)value);
    return 0;
}

static void
gen_free(gen_t *g)
{
    hset_free(&g->blocked);
}

static int
gen_init(gen_t *g, int length, unsigned flags, PyObject *blocklist, PyObject *seed)
{
    memset(g, 0, sizeof(*g));
    if (parse_length(length) < 0 || parse_seed(seed, &g->rng) < 0) {
        return -1;
    }
    g->length = length;
    g->flags = flags;
    g->space = POW10[length];
    PyObject *seq = PySequence_Fast(blocklist, "blocklist must be a sequence of strings");
    if (!seq) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (hset_init(&g->blocked, (size_t)n) < 0) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int m;
        uint32_t v;
        if (parse_code(PySequence_Fast_GET_ITEM(seq, i), "blocklist code", &m, &v) < 0) {
            Py_DECREF(seq);
            gen_free(g);
            return -1;
        }
        if (m == length) {
            hset_put(&g->blocked, KEY(m, v)); /* sized for n keys above */
        }
    }
    Py_DECREF(seq);
    return 0;
}

/* Fill a lock's taken set from a sequence of existing codes; `extra` new codes will follow. */
static int
lock_init(lock_t *lock, int length, unsigned bitset_lengths, size_t extra, PyObject *existing)
{
    memset(lock, 0, sizeof(*lock));
    lock->bitset_lengths = bitset_lengths;
    PyObject *seq = PySequence_Fast(existing, "existing codes must be a sequence of strings");
    if (!seq) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    /* Size the hash set for the keys that will go into it (a code longer than `length` takes
     * one key per window), so that filling it never has to grow it. */
    size_t keys = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        Py_ssize_t m = PyUnicode_Check(item) ? PyUnicode_GET_LENGTH(item) : 0;
        if (m > length) {
            keys += (size_t)(m - length + 1);
        }
        else if (m >= MIN_LENGTH && !(bitset_lengths & (1u << m))) {
            keys++;
        }
    }
    if (!(bitset_lengths & (1u << length))) {
        keys += extra; /* room for the new codes this lock will take */
    }
    if (hset_init(&lock->taken, keys) < 0) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int m;
        uint32_t v;
        int rc = parse_code(PySequence_Fast_GET_ITEM(seq, i), "existing code", &m, &v);
        if (rc == 0 && m <= length) {
            rc = lock_take(lock, m, v);
        }
        else if (rc == 0) { /* longer: every length-digit window of it is taken */
            for (int start = 0; rc == 0 && start + length <= m; start++) {
                uint32_t w = (v / POW10[m - start - length]) % POW10[length];
                rc = lock_take(lock, length, w);
            }
        }
        if (rc < 0) {
            Py_DECREF(seq);
            lock_free(lock);
            if (!PyErr_Occurred()) {
                PyErr_NoMemory();
            }
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

/* ------------------------------------------------------------------------ results */

enum { OK = 0, E_NOMEM, E_ENTROPY, E_EXHAUSTED, E_TOO_FEW, E_HOLDER_EMPTY };

static PyObject *
raise_status(int status, const gen_t *g, Py_ssize_t a, Py_ssize_t b)
{
    switch (status) {
    case E_NOMEM:
        return PyErr_NoMemory();
    case E_ENTROPY:
        errno = g->rng.err;
        return PyErr_SetFromErrno(PyExc_OSError);
    case E_EXHAUSTED:
        return PyErr_Format(PyExc_ValueError,
                            "gave up after %d rejected candidates in a row: almost no "
                            "%d-digit code is free; request fewer codes or a longer length",
                            MAX_CONSECUTIVE_REJECTIONS, g->length);
    case E_TOO_FEW:
        return PyErr_Format(PyExc_ValueError,
                            "only %zd codes of %d digits are possible with these existing "
                            "codes and policy; %zd requested",
                            a, g->length, b);
    default:
        return PyErr_Format(PyExc_ValueError,
                            "no %d-digit code is free on all locks of holder #%zd", g->length,
                            a);
    }
}

static PyObject *
codes_to_list(const uint32_t *codes, Py_ssize_t n, int length)
{
    PyObject *list = PyList_New(n);
    if (!list) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PyUnicode_New(length, 127); /* ASCII: one byte per character */
        if (!s) {
            Py_DECREF(list);
            return NULL;
        }
        Py_UCS1 *buf = PyUnicode_1BYTE_DATA(s);
        uint32_t v = codes[i];
        for (int k = length - 1; k >= 0; k--) {
            buf[k] = (Py_UCS1)('0' + v % 10u);
            v /= 10u;
        }
        PyList_SET_ITEM(list, i, s);
    }
    return list;
}

/* ------------------------------------------------------------------------ generate */

static int
generate_core(gen_t *g, lock_t *lock, uint32_t *out, Py_ssize_t count, Py_ssize_t *have)
{
    Py_ssize_t n = 0;
    int rejected = 0;
    lock_t *locks[1] = {lock};
    while (n < count) {
        uint32_t v = (uint32_t)rng_below(&g->rng, g->space);
        if (g->rng.failed) {
            return E_ENTROPY;
        }
        if (is_free(g, locks, 1, v)) {
            if (lock_take(lock, g->length, v) < 0) {
                return E_NOMEM;
            }
            out[n++] = v;
            rejected = 0;
            continue;
        }
        if (++rejected < MAX_CONSECUTIVE_REJECTIONS) {
            continue;
        }
        if (g->length > ENUM_MAX_LENGTH) {
            return E_EXHAUSTED;
        }
        uint32_t *pool;
        Py_ssize_t size = enumerate_free(g, locks, 1, &pool);
        if (size < 0) {
            return E_NOMEM;
        }
        Py_ssize_t need = count - n;
        if (size < need) {
            free(pool);
            *have = n + size;
            return E_TOO_FEW;
        }
        for (Py_ssize_t i = 0; i < need; i++) {
            Py_ssize_t j = i + (Py_ssize_t)rng_below(&g->rng, (uint64_t)(size - i));
            uint32_t t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
            out[n++] = pool[i];
        }
        free(pool);
        if (g->rng.failed) {
            return E_ENTROPY;
        }
    }
    return OK;
}

static PyObject *
codegen_generate(PyObject *Py_UNUSED(module), PyObject *args)
{
    Py_ssize_t count;
    int length;
    PyObject *existing, *blocklist, *seed;
    unsigned int flags;
    if (!PyArg_ParseTuple(args, "niOIOO:generate", &count, &length, &existing, &flags,
                          &blocklist, &seed)) {
        return NULL;
    }
    if (count < 0 || count > MAX_COUNT) {
        return PyErr_Format(PyExc_ValueError, "count must be an int from 0 to %d", MAX_COUNT);
    }
    if (parse_length(length) < 0) {
        return NULL;
    }
    if (count > (Py_ssize_t)POW10[length]) {
        return PyErr_Format(PyExc_ValueError, "%zd codes requested but only %u have %d digits",
                            count, POW10[length], length);
    }
    gen_t g;
    if (gen_init(&g, length, flags, blocklist, seed) < 0) {
        return NULL;
    }
    lock_t lock;
    if (lock_init(&lock, length, bitset_lengths_for(length, 1), (size_t)count, existing) < 0) {
        gen_free(&g);
        return NULL;
    }
    uint32_t *out = (uint32_t *)malloc(((size_t)count + 1) * sizeof(uint32_t));
    if (!out) {
        lock_free(&lock);
        gen_free(&g);
        return PyErr_NoMemory();
    }
    int status;
    Py_ssize_t have = 0;
    Py_BEGIN_ALLOW_THREADS
    status = generate_core(&g, &lock, out, count, &have);
    Py_END_ALLOW_THREADS
    PyObject *result = status == OK ? codes_to_list(out, count, length)
                                    : raise_status(status, &g, have, count);
    free(out);
    lock_free(&lock);
    gen_free(&g);
    return result;
}

/* ------------------------------------------------------------------------ generate_bulk */

typedef struct {
    size_t nholders;
    size_t *offsets;  /* holder h uses refs[offsets[h] .. offsets[h+1]) */
    lock_t **refs;
} holders_t;

static int
bulk_core(gen_t *g, const holders_t *hs, uint32_t *out, Py_ssize_t *failed_holder)
{
    for (size_t h = 0; h < hs->nholders; h++) {
        lock_t *const *locks = hs->refs + hs->offsets[h];
        size_t nl = hs->offsets[h + 1] - hs->offsets[h];
        int rejected = 0;
        uint32_t v;
        for (;;) {
            v = (uint32_t)rng_below(&g->rng, g->space);
            if (g->rng.failed) {
                return E_ENTROPY;
            }
            if (is_free(g, locks, nl, v)) {
                break;
            }
            if (++rejected < MAX_CONSECUTIVE_REJECTIONS) {
                continue;
            }
            if (g->length > ENUM_MAX_LENGTH) {
                return E_EXHAUSTED;
            }
            uint32_t *pool;
            Py_ssize_t size = enumerate_free(g, locks, nl, &pool);
            if (size < 0) {
                return E_NOMEM;
            }
            if (size == 0) {
                free(pool);
                *failed_holder = (Py_ssize_t)h;
                return E_HOLDER_EMPTY;
            }
            v = pool[rng_below(&g->rng, (uint64_t)size)];
            free(pool);
            if (g->rng.failed) {
                return E_ENTROPY;
            }
            break;
        }
        for (size_t k = 0; k < nl; k++) {
            if (lock_take(locks[k], g->length, v) < 0) {
                return E_NOMEM;
            }
        }
        out[h] = v;
    }
    return OK;
}

static PyObject *
codegen_generate_bulk(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *holders_obj, *existing_obj, *blocklist, *seed;
    int length;
    unsigned int flags;
    if (!PyArg_ParseTuple(args, "OiOIOO:generate_bulk", &holders_obj, &length, &existing_obj,
                          &flags, &blocklist, &seed)) {
        return NULL;
    }
    gen_t g;
    if (gen_init(&g, length, flags, blocklist, seed) < 0) {
        return NULL;
    }
    PyObject *result = NULL;
    PyObject *hseq = NULL, *eseq = NULL;
    lock_t *locks = NULL;
    size_t nlocks = 0, ready = 0;
    holders_t hs = {0, NULL, NULL};
    uint32_t *out = NULL;

    hseq = PySequence_Fast(holders_obj, "holders must be a sequence of sequences of ints");
    eseq = hseq ? PySequence_Fast(existing_obj, "existing_by_lock must be a sequence") : NULL;
    if (!eseq) {
        goto done;
    }
    if (PySequence_Fast_GET_SIZE(hseq) > MAX_COUNT) {
        PyErr_Format(PyExc_ValueError, "at most %d holders", MAX_COUNT);
        goto done;
    }
    nlocks = (size_t)PySequence_Fast_GET_SIZE(eseq);
    locks = (lock_t *)calloc(nlocks + 1, sizeof(lock_t));
    if (!locks) {
        PyErr_NoMemory();
        goto done;
    }
    size_t *extra = (size_t *)calloc(nlocks + 1, sizeof(size_t)); /* holders per lock */
    hs.nholders = (size_t)PySequence_Fast_GET_SIZE(hseq);
    hs.offsets = (size_t *)calloc(hs.nholders + 1, sizeof(size_t));
    out = (uint32_t *)malloc((hs.nholders + 1) * sizeof(uint32_t));
    if (!extra || !hs.offsets || !out) {
        free(extra);
        PyErr_NoMemory();
        goto done;
    }
    size_t total = 0, cap = 0;
    for (size_t h = 0; h < hs.nholders; h++) {
        PyObject *ids = PySequence_Fast(PySequence_Fast_GET_ITEM(hseq, h),
                                        "each holder must be a sequence of lock indexes");
        if (!ids) {
            free(extra);
            goto done;
        }
        size_t nl = (size_t)PySequence_Fast_GET_SIZE(ids);
        if (total + nl > cap) {
            size_t newcap = 2 * (total + nl) + 16;
            lock_t **bigger = (lock_t **)realloc(hs.refs, newcap * sizeof(lock_t *));
            if (!bigger) {
                Py_DECREF(ids);
                free(extra);
                PyErr_NoMemory();
                goto done;
            }
            hs.refs = bigger;
            cap = newcap;
        }
        for (size_t k = 0; k < nl; k++) {
            PyObject *item = PySequence_Fast_GET_ITEM(ids, k);
            Py_ssize_t index = PyLong_Check(item) ? PyLong_AsSsize_t(item) : -1;
            if (index < 0 || (size_t)index >= nlocks) {
                PyErr_Clear();
                PyErr_Format(PyExc_ValueError, "lock index %R out of range", item);
                Py_DECREF(ids);
                free(extra);
                goto done;
            }
            extra[index]++;
            hs.refs[total++] = &locks[index];
        }
        Py_DECREF(ids);
        hs.offsets[h + 1] = total;
    }
    unsigned bitsets = bitset_lengths_for(length, 0);
    for (ready = 0; ready < nlocks; ready++) {
        if (lock_init(&locks[ready], length, bitsets, extra[ready],
                      PySequence_Fast_GET_ITEM(eseq, ready)) < 0) {
            free(extra);
            goto done;
        }
    }
    free(extra);
    int status;
    Py_ssize_t failed_holder = 0;
    Py_BEGIN_ALLOW_THREADS
    status = bulk_core(&g, &hs, out, &failed_holder);
    Py_END_ALLOW_THREADS
    result = status == OK ? codes_to_list(out, (Py_ssize_t)hs.nholders, length)
                          : raise_status(status, &g, failed_holder, 0);

done:
    free(out);
    free(hs.refs);
    free(hs.offsets);
    if (locks) {
        for (size_t i = 0; i < ready; i++) {
            lock_free(&locks[i]);
        }
        free(locks);
    }
    Py_XDECREF(eseq);
    Py_XDECREF(hseq);
    gen_free(&g);
    return result;
}

/* ------------------------------------------------------------------------ is_weak */

static PyObject *
codegen_is_weak(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *code, *blocklist;
    unsigned int flags;
    if (!PyArg_ParseTuple(args, "OIO:is_weak", &code, &flags, &blocklist)) {
        return NULL;
    }
    int n;
    uint32_t v;
    if (parse_code(code, "code", &n, &v) < 0) {
        return NULL;
    }
    uint8_t d[MAX_LENGTH];
    to_digits(v, n, d);
    PyObject *seq = PySequence_Fast(blocklist, "blocklist must be a sequence of strings");
    if (!seq) {
        return NULL;
    }
    int weak = is_weak_structure(d, n, flags);
    Py_ssize_t size = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < size; i++) { /* validate every entry, as the twin does */
        int m;
        uint32_t w;
        if (parse_code(PySequence_Fast_GET_ITEM(seq, i), "blocklist code", &m, &w) < 0) {
            Py_DECREF(seq);
            return NULL;
        }
        weak = weak || (m == n && w == v);
    }
    Py_DECREF(seq);
    return PyBool_FromLong(weak);
}

/* ------------------------------------------------------------------------ pairing tables */

static PyObject *
codegen_pairing_tables(PyObject *Py_UNUSED(module), PyObject *seed)
{
    rng_t rng;
    if (parse_seed(seed, &rng) < 0) {
        return NULL;
    }
    uint64_t codes[PAIRING_ENTRIES], secrets[PAIRING_ENTRIES];
    for (int e = 0; e < PAIRING_ENTRIES; e++) {
        int tries, dup = 1;
        for (tries = 0; dup && tries < MAX_PAIRING_TRIES; tries++) {
            codes[e] = rng_below(&rng, PAIRING_CODE_LIMIT);
            dup = 0;
            for (int k = 0; k < e; k++) {
                dup |= codes[k] == codes[e];
            }
        }
        int code_dup = dup;
        for (tries = 0, dup = 1; !code_dup && dup && tries < MAX_PAIRING_TRIES; tries++) {
            uint8_t d[10];
            for (int i = 0; i < 10; i++) {
                d[i] = (uint8_t)i;
            }
            for (int i = 9; i > 0; i--) {
                int j = (int)rng_below(&rng, (uint64_t)i + 1);
                uint8_t t = d[i];
                d[i] = d[j];
                d[j] = t;
            }
            secrets[e] = 0;
            for (int i = 0; i < 10; i++) {
                secrets[e] = secrets[e] * 10 + d[i];
            }
            dup = 0;
            for (int k = 0; k < e; k++) {
                dup |= secrets[k] == secrets[e];
            }
        }
        if (rng.failed) {
            errno = rng.err;
            return PyErr_SetFromErrno(PyExc_OSError);
        }
        if (code_dup || dup) { /* needs ~1000 collisions in a row */
            return PyErr_Format(PyExc_ValueError, "could not draw distinct pairing values");
        }
    }
    PyObject *list = PyList_New(PAIRING_ENTRIES);
    for (int e = 0; list && e < PAIRING_ENTRIES; e++) {
        PyObject *item = Py_BuildValue("(KK)", (unsigned long long)codes[e],
                                       (unsigned long long)secrets[e]);
        if (!item) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, e, item);
    }
    return list;
}

/* ------------------------------------------------------------------------ random_words */

static PyObject *
codegen_random_words(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *seed;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "On:random_words", &seed, &count)) {
        return NULL;
    }
    if (seed == Py_None || count < 0) {
        return PyErr_Format(PyExc_ValueError, "need an int seed and count >= 0");
    }
    rng_t rng;
    if (parse_seed(seed, &rng) < 0) {
        return NULL;
    }
    PyObject *list = PyList_New(count);
    for (Py_ssize_t i = 0; list && i < count; i++) {
        PyObject *w = PyLong_FromUnsignedLongLong(rng_next(&rng));
        if (!w) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, i, w);
    }
    return list;
}

/* ------------------------------------------------------------------------ module */

static PyMethodDef codegen_methods[] = {
    {"generate", codegen_generate, METH_VARARGS,
     "generate(count, length, existing, flags, blocklist, seed, /) -> list[str]"},
    {"generate_bulk", codegen_generate_bulk, METH_VARARGS,
     "generate_bulk(holders, length, existing_by_lock, flags, blocklist, seed, /) -> "
     "list[str]"},
    {"is_weak", codegen_is_weak, METH_VARARGS, "is_weak(code, flags, blocklist, /) -> bool"},
    {"pairing_tables", codegen_pairing_tables, METH_O,
     "pairing_tables(seed, /) -> list[tuple[int, int]]"},
    {"random_words", codegen_random_words, METH_VARARGS,
     "random_words(seed, count, /) -> list[int]: the seeded generator's first outputs"},
    {NULL, NULL, 0, NULL},
};

static int
codegen_exec(PyObject *module)
{
    static const struct {
        const char *name;
        long value;
    } constants[] = {
        {"API_VERSION", API_VERSION},
        {"MIN_LENGTH", MIN_LENGTH},
        {"MAX_LENGTH", MAX_LENGTH},
        {"MAX_COUNT", MAX_COUNT},
        {"MAX_CONSECUTIVE_REJECTIONS", MAX_CONSECUTIVE_REJECTIONS},
        {"ENUM_MAX_LENGTH", ENUM_MAX_LENGTH},
        {"PAIRING_ENTRIES", PAIRING_ENTRIES},
        {"PAIRING_CODE_LIMIT", PAIRING_CODE_LIMIT},
        {"FLAG_REPEATED_DIGIT", FLAG_REPEATED_DIGIT},
        {"FLAG_SEQUENCE", FLAG_SEQUENCE},
        {"FLAG_PATTERN", FLAG_PATTERN},
        {"FLAG_DATE", FLAG_DATE},
        {"FLAGS_ALL", FLAGS_ALL},
    };
    for (size_t i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
        if (PyModule_AddIntConstant(module, constants[i].name, constants[i].value) < 0) {
            return -1;
        }
    }
    return 0;
}

static PyModuleDef_Slot codegen_slots[] = {
    {Py_mod_exec, codegen_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED}, /* no global state; the GIL is released in loops */
#endif
    {0, NULL},
};

static struct PyModuleDef codegen_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_codegen",
    .m_doc = "Fast keypad-code generator (C twin of _twin.py).",
    .m_size = 0,
    .m_methods = codegen_methods,
    .m_slots = codegen_slots,
};

PyMODINIT_FUNC
PyInit__codegen(void)
{
    return PyModuleDef_Init(&codegen_module);
}
