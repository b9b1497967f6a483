// The out-of-line part of the support functions (the hints are static inline in the header).
#include "CTokenkitSupport.h"

#if defined(__GLIBC__)
#include <malloc.h>
int tokenkit_return_freed_memory(void) { return malloc_trim(0); }
#else
int tokenkit_return_freed_memory(void) { return 0; }
#endif

static void classify_baseline(const uint8_t *p, tokenkit_ascii_classes *classes) {
    *classes = tokenkit_classify_ascii64(p);
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

// Byte ranges as unsigned compares after a subtraction (AVX-512 has unsigned byte compares).
__attribute__((target("avx512f,avx512bw")))
static void classify_avx512(const uint8_t *p, tokenkit_ascii_classes *c) {
    __m512i x = _mm512_loadu_si512((const void *)p);
    __m512i lower = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
    uint64_t space = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(0x20));
    c->letter = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(lower, _mm512_set1_epi8(0x61)), _mm512_set1_epi8(26));
    c->upper = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8(0x41)), _mm512_set1_epi8(26));
    c->digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8(0x30)), _mm512_set1_epi8(10));
    c->whitespace = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8(0x09)), _mm512_set1_epi8(5)) | space;
    c->lineBreak = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(0x0A)) | _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(0x0D));
    c->space = space;
    c->apostrophe = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(0x27));
    c->slash = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(0x2F));
    c->nonASCII = _mm512_movepi8_mask(x);
}

// The SSE2 classifier's signed-compare ranges, 32 bytes at a time.
__attribute__((target("avx2")))
static inline __m256i bytes_in_range_avx2(__m256i x, int lo, int count) {
    __m256i shifted = _mm256_add_epi8(x, _mm256_set1_epi8((char)(0x80 - lo)));
    return _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(-128 + count)), shifted);
}

__attribute__((target("avx2")))
static void classify_avx2(const uint8_t *p, tokenkit_ascii_classes *c) {
    tokenkit_ascii_classes r = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int k = 0; k < 2; k++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(p + 32 * k));
        __m256i space = _mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x20));
        __m256i lineBreak = _mm256_or_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x0A)),
                                            _mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x0D)));
        __m256i letter = bytes_in_range_avx2(_mm256_or_si256(x, _mm256_set1_epi8(0x20)), 0x61, 26);
        __m256i upper = bytes_in_range_avx2(x, 0x41, 26);
        __m256i digit = bytes_in_range_avx2(x, 0x30, 10);
        __m256i whitespace = _mm256_or_si256(bytes_in_range_avx2(x, 0x09, 5), space);
        __m256i apostrophe = _mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x27));
        __m256i slash = _mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x2F));
        int shift = 32 * k;
        r.letter |= (uint64_t)(uint32_t)_mm256_movemask_epi8(letter) << shift;
        r.upper |= (uint64_t)(uint32_t)_mm256_movemask_epi8(upper) << shift;
        r.digit |= (uint64_t)(uint32_t)_mm256_movemask_epi8(digit) << shift;
        r.whitespace |= (uint64_t)(uint32_t)_mm256_movemask_epi8(whitespace) << shift;
        r.lineBreak |= (uint64_t)(uint32_t)_mm256_movemask_epi8(lineBreak) << shift;
        r.space |= (uint64_t)(uint32_t)_mm256_movemask_epi8(space) << shift;
        r.apostrophe |= (uint64_t)(uint32_t)_mm256_movemask_epi8(apostrophe) << shift;
        r.slash |= (uint64_t)(uint32_t)_mm256_movemask_epi8(slash) << shift;
        r.nonASCII |= (uint64_t)(uint32_t)_mm256_movemask_epi8(x) << shift;
    }
    *c = r;
}

// Whether the OS saves the vector state the instructions need (XCR0 bits), as CPUID alone
// does not say so.
static uint64_t enabled_state(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

tokenkit_ascii_classifier tokenkit_ascii_classifier_for_level(int level) {
    if (level == 0) return classify_baseline;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0;
    uint64_t state = enabled_state();
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    if (level == 1) return (state & 0x6) == 0x6 && (b & bit_AVX2) ? classify_avx2 : 0;
    if (level == 2) return (state & 0xE6) == 0xE6 && (b & bit_AVX512F) && (b & bit_AVX512BW) ? classify_avx512 : 0;
    return 0;
}
#else
tokenkit_ascii_classifier tokenkit_ascii_classifier_for_level(int level) { return level == 0 ? classify_baseline : 0; }
#endif

tokenkit_ascii_classifier tokenkit_best_ascii_classifier(void) {
    for (int level = 2; level > 0; level--) {
        tokenkit_ascii_classifier classifier = tokenkit_ascii_classifier_for_level(level);
        if (classifier) return classifier;
    }
    return classify_baseline;
}
