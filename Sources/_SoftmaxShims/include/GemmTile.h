// The matrix multiply's 8 × 32 tile for targets with sixteen 256-bit vector registers (x86 AVX2
// without AVX-512). The tile's 8 × 32 accumulators need 32 such registers, so the Swift
// micro-kernel (written for AVX-512's 32 registers of 16 floats) spills on these targets; this one
// computes the tile as four 8 × 8 column slices, each with 8 accumulators, a B vector and a
// broadcast A element in registers (the slices re-read the A panel, which stays in L1). Also the
// few-rows panel product of a decoder step.
#ifndef SOFTMAXKIT_SHIMS_GEMM_TILE_H
#define SOFTMAXKIT_SHIMS_GEMM_TILE_H

#include "ShimsConfig.h"

/// 1 when the target has 256-bit vectors but not 512-bit ones (then `sk_gemm_tile_8x32_sliced`
/// is the faster tile), else 0. A constant the optimiser folds.
static inline __attribute__((always_inline)) int sk_gemm_prefers_slices(void) {
#if SK_X86 && defined(__AVX2__) && !defined(__AVX512F__)
    return 1;
#else
    return 0;
#endif
}

/// `t[i] (columns 0…15), t[i + 8] (columns 16…31) = Σₚ a[8·p + i] · b[32·p + column]` for rows
/// i = 0…7 of a packed A panel (`t` is 16 × 16 floats), in four 8-column slices. Each element is
/// accumulated over p in order with one fused multiply-add per step, as the Swift micro-kernel
/// does. A packed panel keeps the eight A elements of a step at fixed offsets from one pointer
/// (rows read in place would need eight row addresses, more registers than the tile has left).
static inline __attribute__((always_inline)) void sk_gemm_tile_8x32_sliced(long kcb, const float *a, const float *b, float *t) {
    for (int s = 0; s < 4; s++) {
        sk_float8_t c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
        const float *pa = a, *pb = b + 8 * s;
        // Not unrolled: a second step's B vector and broadcasts do not fit the 16 registers.
#pragma clang loop unroll(disable)
        for (long p = 0; p < kcb; p++) {
            sk_float8_t bv;
            __builtin_memcpy(&bv, pb + 32 * p, sizeof bv);
#if SK_HAS_FMA
#define SK_GEMM_STEP(c, x) c = __builtin_elementwise_fma((sk_float8_t)(x), bv, c)
#else
#define SK_GEMM_STEP(c, x) c = c + (sk_float8_t)(x) * bv
#endif
            SK_GEMM_STEP(c0, pa[0]); SK_GEMM_STEP(c1, pa[1]); SK_GEMM_STEP(c2, pa[2]); SK_GEMM_STEP(c3, pa[3]);
            SK_GEMM_STEP(c4, pa[4]); SK_GEMM_STEP(c5, pa[5]); SK_GEMM_STEP(c6, pa[6]); SK_GEMM_STEP(c7, pa[7]);
#undef SK_GEMM_STEP
            pa += 8;
        }
        float *base = t + (s >= 2 ? 8 * 16 : 0) + 8 * (s & 1);
        __builtin_memcpy(base + 0 * 16, &c0, sizeof c0);
        __builtin_memcpy(base + 1 * 16, &c1, sizeof c1);
        __builtin_memcpy(base + 2 * 16, &c2, sizeof c2);
        __builtin_memcpy(base + 3 * 16, &c3, sizeof c3);
        __builtin_memcpy(base + 4 * 16, &c4, sizeof c4);
        __builtin_memcpy(base + 5 * 16, &c5, sizeof c5);
        __builtin_memcpy(base + 6 * 16, &c6, sizeof c6);
        __builtin_memcpy(base + 7 * 16, &c7, sizeof c7);
    }
}

/// `t[0…31] = Σₚ x[p] · b[32·p + 0…31]`: one row of A against one packed B panel, for products
/// with a few rows (a decoder's step). Each column is one chain of multiply-adds from zero over p
/// in order — the micro-kernels' order, so the result is theirs bit for bit.
static inline __attribute__((always_inline)) void sk_gemv_panel_32(long kcb, const float *x, const float *b, float *t) {
    sk_float8_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (long p = 0; p < kcb; p++) {
        sk_float8_t b0, b1, b2, b3;
        const float *q = b + 32 * p;
        __builtin_memcpy(&b0, q, sizeof b0);
        __builtin_memcpy(&b1, q + 8, sizeof b1);
        __builtin_memcpy(&b2, q + 16, sizeof b2);
        __builtin_memcpy(&b3, q + 24, sizeof b3);
        sk_float8_t xv = (sk_float8_t)(x[p]);
#if SK_HAS_FMA
        c0 = __builtin_elementwise_fma(xv, b0, c0);
        c1 = __builtin_elementwise_fma(xv, b1, c1);
        c2 = __builtin_elementwise_fma(xv, b2, c2);
        c3 = __builtin_elementwise_fma(xv, b3, c3);
#else
        c0 = c0 + xv * b0;
        c1 = c1 + xv * b1;
        c2 = c2 + xv * b2;
        c3 = c3 + xv * b3;
#endif
    }
    __builtin_memcpy(t, &c0, sizeof c0);
    __builtin_memcpy(t + 8, &c1, sizeof c1);
    __builtin_memcpy(t + 16, &c2, sizeof c2);
    __builtin_memcpy(t + 24, &c3, sizeof c3);
}

#endif
