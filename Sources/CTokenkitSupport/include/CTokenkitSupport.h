// The few things Swift cannot say itself, for Tokenkit's hot paths.
#ifndef CTOKENKIT_SUPPORT_H
#define CTOKENKIT_SUPPORT_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Asks the CPU to start loading the cache line holding `address` (a hint: it never faults and
/// may be ignored). The fast encoder issues it for the hash-table slots of a batch of pieces
/// before it probes any of them, so that their cache misses overlap instead of following one
/// another.
static inline __attribute__((always_inline)) void tokenkit_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Atomically replaces the pointer at `slot` by `value` and returns the old one (the piece-cache
/// pool's slots: a thread takes its cache with one exchange on a line no other thread uses).
static inline __attribute__((always_inline)) void *_Nullable tokenkit_exchange_pointer(void *_Nullable *_Nonnull slot, void *_Nullable value) {
    return __atomic_exchange_n(slot, value, __ATOMIC_ACQ_REL);
}

/// The pointer at `slot`, read atomically (without ordering: a hint of whether to try the slot).
static inline __attribute__((always_inline)) void *_Nullable tokenkit_load_pointer(void *_Nullable *_Nonnull slot) {
    return __atomic_load_n(slot, __ATOMIC_RELAXED);
}

/// Atomically stores `value` at `slot` when it holds NULL; returns whether it did.
static inline __attribute__((always_inline)) _Bool tokenkit_store_pointer_if_null(void *_Nullable *_Nonnull slot, void *_Nullable value) {
    void *expected = 0;
    return __atomic_compare_exchange_n(slot, &expected, value, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/// The 64-bit word at `address`, read atomically with acquire ordering (a slot of the merge
/// cache the workers share: what the slot points to was written before it was published).
static inline __attribute__((always_inline)) uint64_t tokenkit_load_acquire_u64(const uint64_t *_Nonnull address) {
    return __atomic_load_n(address, __ATOMIC_ACQUIRE);
}

/// Atomically stores `value` at `address` when it holds 0, with release ordering; returns
/// whether it did.
static inline __attribute__((always_inline)) _Bool tokenkit_store_u64_if_zero(uint64_t *_Nonnull address, uint64_t value) {
    uint64_t expected = 0;
    return __atomic_compare_exchange_n(address, &expected, value, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/// Atomically adds `value` to the word at `address` and returns the word before.
static inline __attribute__((always_inline)) uint64_t tokenkit_fetch_add_u64(uint64_t *_Nonnull address, uint64_t value) {
    return __atomic_fetch_add(address, value, __ATOMIC_RELAXED);
}

/// The word at `address`, read atomically without ordering.
static inline __attribute__((always_inline)) uint64_t tokenkit_load_relaxed_u64(const uint64_t *_Nonnull address) {
    return __atomic_load_n(address, __ATOMIC_RELAXED);
}

/// For each key length 0...16, the masks of the bytes of a short key's two little-endian words.
/// (A C constant: a Swift global table would be initialised lazily, at the cost of a call per
/// use in loops the compiler cannot hoist it out of.)
static inline __attribute__((always_inline)) const uint64_t *tokenkit_short_key_masks(void) {
    static const uint64_t masks[34] = {
        0x0000000000000000u, 0x0000000000000000u,
        0x00000000000000FFu, 0x0000000000000000u,
        0x000000000000FFFFu, 0x0000000000000000u,
        0x0000000000FFFFFFu, 0x0000000000000000u,
        0x00000000FFFFFFFFu, 0x0000000000000000u,
        0x000000FFFFFFFFFFu, 0x0000000000000000u,
        0x0000FFFFFFFFFFFFu, 0x0000000000000000u,
        0x00FFFFFFFFFFFFFFu, 0x0000000000000000u,
        0xFFFFFFFFFFFFFFFFu, 0x0000000000000000u,
        0xFFFFFFFFFFFFFFFFu, 0x00000000000000FFu,
        0xFFFFFFFFFFFFFFFFu, 0x000000000000FFFFu,
        0xFFFFFFFFFFFFFFFFu, 0x0000000000FFFFFFu,
        0xFFFFFFFFFFFFFFFFu, 0x00000000FFFFFFFFu,
        0xFFFFFFFFFFFFFFFFu, 0x000000FFFFFFFFFFu,
        0xFFFFFFFFFFFFFFFFu, 0x0000FFFFFFFFFFFFu,
        0xFFFFFFFFFFFFFFFFu, 0x00FFFFFFFFFFFFFFu,
        0xFFFFFFFFFFFFFFFFu, 0xFFFFFFFFFFFFFFFFu,
    };
    return masks;
}

/// For each lane 0...3, a vector of four 32-bit lanes with all ones in that lane only (the short
/// merge loop replaces one key of a group of four through it: one load instead of the few vector
/// instructions that would build the mask).
static inline __attribute__((always_inline)) const int32_t *tokenkit_lane_masks(void) {
    static const int32_t masks[16] __attribute__((aligned(16))) = {
        -1, 0, 0, 0,
        0, -1, 0, 0,
        0, 0, -1, 0,
        0, 0, 0, -1,
    };
    return masks;
}

/// The smallest of the `count` (a multiple of 4) keys at `keys`, each a positive normal float's
/// bits (BPE's short merge loop): with SSE, one `minps` per four keys, where the x86-64 baseline
/// has no 32-bit integer minimum (pminsd is SSE4.1) and emulates it in four instructions; such
/// floats order as their bits do. Elsewhere the same keys are compared as integers.
static inline __attribute__((always_inline)) int32_t tokenkit_minimum_key(const int32_t *keys, long count) {
#if defined(__SSE2__)
    __m128 m = _mm_castsi128_ps(_mm_set1_epi32(0x7F7FFFFF));
    for (long i = 0; i < count; i += 4) m = _mm_min_ps(m, _mm_loadu_ps((const float *)(keys + i)));
    m = _mm_min_ps(m, _mm_movehl_ps(m, m));
    m = _mm_min_ss(m, _mm_shuffle_ps(m, m, 0x55));
    return _mm_cvtsi128_si32(_mm_castps_si128(m));
#else
    int32_t m = 0x7F7FFFFF;
    for (long i = 0; i < count; i++) m = keys[i] < m ? keys[i] : m;
    return m;
#endif
}

/// Returns the heap memory that `free` kept to the system (glibc keeps large freed blocks, so
/// a tokenizer file parsed and dropped would otherwise stay resident). Elsewhere it does nothing.
int tokenkit_return_freed_memory(void);

/// The ASCII character classes of 64 bytes, one bit per byte (bit i: byte i), as the split
/// patterns see them: letters and the upper-case ones, digits, whitespace (`\s`: tab to carriage
/// return, and space), line breaks (`\r`, `\n`), the space, the apostrophe and the slash
/// themselves, and the bytes from 0x80.
typedef struct {
    uint64_t letter, upper, digit, whitespace, lineBreak, space, apostrophe, slash, nonASCII;
} tokenkit_ascii_classes;

#if defined(__SSE2__)
/// The bytes of `x` in lo ..< lo + count, with one add and one signed compare: adding 0x80 - lo
/// moves the range to the bottom of the signed bytes, where no byte from 0x80 lands.
static inline __attribute__((always_inline)) __m128i tokenkit_bytes_in_range(__m128i x, int lo, int count) {
    __m128i shifted = _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - lo)));
    return _mm_cmplt_epi8(shifted, _mm_set1_epi8((char)(-128 + count)));
}
#endif

/// Classifies the 64 bytes at `p`, which must all be readable. With SSE2 (the x86-64 baseline)
/// each class takes a few instructions per 16 bytes; elsewhere a portable loop gives the same bits.
static inline __attribute__((always_inline)) tokenkit_ascii_classes tokenkit_classify_ascii64(const uint8_t *p) {
    tokenkit_ascii_classes c = {0, 0, 0, 0, 0, 0, 0, 0, 0};
#if defined(__SSE2__)
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i space = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x20));
        __m128i lineBreak = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x0A)), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x0D)));
        __m128i letter = tokenkit_bytes_in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 0x61, 26);
        __m128i upper = tokenkit_bytes_in_range(x, 0x41, 26);
        __m128i digit = tokenkit_bytes_in_range(x, 0x30, 10);
        __m128i whitespace = _mm_or_si128(tokenkit_bytes_in_range(x, 0x09, 5), space);
        __m128i apostrophe = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x27));
        __m128i slash = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x2F));
        int shift = 16 * k;
        c.letter |= (uint64_t)(uint16_t)_mm_movemask_epi8(letter) << shift;
        c.upper |= (uint64_t)(uint16_t)_mm_movemask_epi8(upper) << shift;
        c.digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(digit) << shift;
        c.whitespace |= (uint64_t)(uint16_t)_mm_movemask_epi8(whitespace) << shift;
        c.lineBreak |= (uint64_t)(uint16_t)_mm_movemask_epi8(lineBreak) << shift;
        c.space |= (uint64_t)(uint16_t)_mm_movemask_epi8(space) << shift;
        c.apostrophe |= (uint64_t)(uint16_t)_mm_movemask_epi8(apostrophe) << shift;
        c.slash |= (uint64_t)(uint16_t)_mm_movemask_epi8(slash) << shift;
        c.nonASCII |= (uint64_t)(uint16_t)_mm_movemask_epi8(x) << shift;
    }
#else
    for (int i = 0; i < 64; i++) {
        uint8_t b = p[i];
        uint64_t bit = (uint64_t)1 << i;
        uint8_t lower = b | 0x20;
        if (lower >= 0x61 && lower <= 0x7A) c.letter |= bit;
        if (b >= 0x41 && b <= 0x5A) c.upper |= bit;
        if (b >= 0x30 && b <= 0x39) c.digit |= bit;
        if ((b >= 0x09 && b <= 0x0D) || b == 0x20) c.whitespace |= bit;
        if (b == 0x0A || b == 0x0D) c.lineBreak |= bit;
        if (b == 0x20) c.space |= bit;
        if (b == 0x27) c.apostrophe |= bit;
        if (b == 0x2F) c.slash |= bit;
        if (b >= 0x80) c.nonASCII |= bit;
    }
#endif
    return c;
}

/// A function that classifies 64 bytes, as `tokenkit_classify_ascii64`.
typedef void (*tokenkit_ascii_classifier)(const uint8_t *p, tokenkit_ascii_classes *classes);

/// The fastest classifier this CPU runs: AVX-512 (one compare per class for all 64 bytes), AVX2,
/// or the SSE2 one above. Chosen at run time, so that the binary still targets baseline x86-64.
tokenkit_ascii_classifier tokenkit_best_ascii_classifier(void);

/// The classifier of one level (0: the baseline above, 1: AVX2, 2: AVX-512), or NULL when this
/// CPU cannot run it; tests compare every level the machine has with the baseline.
tokenkit_ascii_classifier tokenkit_ascii_classifier_for_level(int level);

#endif
