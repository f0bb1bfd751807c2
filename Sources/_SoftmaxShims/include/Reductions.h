// Horizontal reductions: one vector to a scalar, and many vectors at once, in the halving order
// that keeps sums bit-identical to the generic Swift spelling.
#ifndef SOFTMAXKIT_SHIMS_REDUCTIONS_H
#define SOFTMAXKIT_SHIMS_REDUCTIONS_H

#include "ShimsConfig.h"

/// Horizontal sum and maximum of a vector, reduced by halves (lanes 0–7 + 8–15, then 0–3 + 4–7, …):
/// the same order as the generic Swift spelling, so sums are bit-identical to it, in a few
/// shuffles instead of the lane-by-lane moves Swift's `lowHalf`/`highHalf` compile to. The
/// maximum ignores NaN lanes unless every lane is NaN (IEEE maxNum).
static inline __attribute__((always_inline)) float sk_hsum_f32x16(sk_float16_t v) {
    sk_float8_t h0 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
                   + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    sk_float4_t h1 = __builtin_shufflevector(h0, h0, 0, 1, 2, 3) + __builtin_shufflevector(h0, h0, 4, 5, 6, 7);
    sk_float2_t h2 = __builtin_shufflevector(h1, h1, 0, 1) + __builtin_shufflevector(h1, h1, 2, 3);
    return h2[0] + h2[1];
}
static inline __attribute__((always_inline)) float sk_hmax_f32x16(sk_float16_t v) {
    sk_float8_t h0 = __builtin_elementwise_max(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7),
                                               __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15));
    sk_float4_t h1 = __builtin_elementwise_max(__builtin_shufflevector(h0, h0, 0, 1, 2, 3),
                                               __builtin_shufflevector(h0, h0, 4, 5, 6, 7));
    sk_float2_t h2 = __builtin_elementwise_max(__builtin_shufflevector(h1, h1, 0, 1),
                                               __builtin_shufflevector(h1, h1, 2, 3));
    return __builtin_elementwise_max(h2[0], h2[1]);
}
static inline __attribute__((always_inline)) double sk_hsum_f64x8(sk_double8_t v) {
    sk_double4_t h0 = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
    sk_double2_t h1 = __builtin_shufflevector(h0, h0, 0, 1) + __builtin_shufflevector(h0, h0, 2, 3);
    return h1[0] + h1[1];
}
static inline __attribute__((always_inline)) double sk_hmax_f64x8(sk_double8_t v) {
    sk_double4_t h0 = __builtin_elementwise_max(__builtin_shufflevector(v, v, 0, 1, 2, 3),
                                                __builtin_shufflevector(v, v, 4, 5, 6, 7));
    sk_double2_t h1 = __builtin_elementwise_max(__builtin_shufflevector(h0, h0, 0, 1),
                                                __builtin_shufflevector(h0, h0, 2, 3));
    return __builtin_elementwise_max(h1[0], h1[1]);
}

/// Horizontal sums and maxima of several vectors at once, one per lane: lane `g` of the result is
/// `sk_hsum_f32x16(v[g])` (or `sk_hmax_…`) for the 16 vectors `v[g]` stored from `p`, bit for bit. The halving order
/// of the single-vector reductions is kept (level 1 adds lanes i and i + 8 of each vector, then
/// i and i + 4, …), but each level combines two vectors per shuffle pair, so 16 reductions cost 15
/// shuffle pairs instead of 64 — and no 16 separate dependency chains.
#define SK_REDUCE_F32X16(NAME, OP)                                                                               \
static inline __attribute__((always_inline)) sk_float16_t NAME(const float *p) {                                 \
    sk_float16_t v[16], a[8], b[4], c[2];                                                                        \
    __builtin_memcpy(v, p, sizeof v);                                                                            \
    for (int i = 0; i < 8; i++)                                                                                  \
        a[i] = OP(__builtin_shufflevector(v[2 * i], v[2 * i + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), \
                  __builtin_shufflevector(v[2 * i], v[2 * i + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31)); \
    for (int i = 0; i < 4; i++)                                                                                  \
        b[i] = OP(__builtin_shufflevector(a[2 * i], a[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27), \
                  __builtin_shufflevector(a[2 * i], a[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31)); \
    for (int i = 0; i < 2; i++)                                                                                  \
        c[i] = OP(__builtin_shufflevector(b[2 * i], b[2 * i + 1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29), \
                  __builtin_shufflevector(b[2 * i], b[2 * i + 1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31)); \
    return OP(__builtin_shufflevector(c[0], c[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),         \
              __builtin_shufflevector(c[0], c[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));        \
}
#define SK_REDUCE_F64X8(NAME, OP)                                                                                \
static inline __attribute__((always_inline)) sk_double8_t NAME(const double *p) {                                \
    sk_double8_t v[8], a[4], b[2];                                                                               \
    __builtin_memcpy(v, p, sizeof v);                                                                            \
    for (int i = 0; i < 4; i++)                                                                                  \
        a[i] = OP(__builtin_shufflevector(v[2 * i], v[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11),                     \
                  __builtin_shufflevector(v[2 * i], v[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15));                  \
    for (int i = 0; i < 2; i++)                                                                                  \
        b[i] = OP(__builtin_shufflevector(a[2 * i], a[2 * i + 1], 0, 1, 4, 5, 8, 9, 12, 13),                     \
                  __builtin_shufflevector(a[2 * i], a[2 * i + 1], 2, 3, 6, 7, 10, 11, 14, 15));                  \
    return OP(__builtin_shufflevector(b[0], b[1], 0, 2, 4, 6, 8, 10, 12, 14),                                    \
              __builtin_shufflevector(b[0], b[1], 1, 3, 5, 7, 9, 11, 13, 15));                                   \
}
#define SK_ADD(x, y) ((x) + (y))
SK_REDUCE_F32X16(sk_hsums_f32x16, SK_ADD)
SK_REDUCE_F32X16(sk_hmaxs_f32x16, __builtin_elementwise_max)
SK_REDUCE_F64X8(sk_hsums_f64x8, SK_ADD)
SK_REDUCE_F64X8(sk_hmaxs_f64x8, __builtin_elementwise_max)
#undef SK_ADD
#undef SK_REDUCE_F32X16
#undef SK_REDUCE_F64X8

#endif
