// The matrix multiply's tile for targets with sixteen 256-bit vector registers (x86 AVX2 without
// AVX-512). The Swift micro-kernel's 8 × 32 tile, written for AVX-512's 32 registers of 16
// floats, needs 32 such registers and spills here; this one is 6 rows × 32 columns, computed as
// two 6 × 16 halves, each with 12 accumulators, two B vectors and a broadcast A element in
// registers (BLIS's Haswell shape): per step two vector loads and six broadcasts feed twelve
// multiply-adds. Also the few-rows panel product of a decoder step.
#ifndef SOFTMAXKIT_SHIMS_GEMM_TILE_H
#define SOFTMAXKIT_SHIMS_GEMM_TILE_H

#include "ShimsConfig.h"

/// 1 when the target has 256-bit vectors but not 512-bit ones (then the tile is
/// `sk_gemm_tile_6x32`, on A panels of 6 rows), else 0. A constant the optimiser folds.
static inline __attribute__((always_inline)) int sk_gemm_uses_6x32_tile(void) {
#if SK_X86 && defined(__AVX2__) && !defined(__AVX512F__)
    return 1;
#else
    return 0;
#endif
}

#if SK_HAS_FMA
#define SK_GEMM_FMA(c, x, b) c = __builtin_elementwise_fma(x, b, c)
#else
#define SK_GEMM_FMA(c, x, b) c = c + (x) * (b)
#endif

/// `t[16·i + column]` (columns 0…15) and `t[16·(8 + i) + column − 16]` (columns 16…31) `=
/// Σₚ a[6·p + i] · b[32·p + column]` for rows i = 0…5 of a packed A panel (`[p][6]`) and a packed
/// B panel (`[p][32]`) — the layout of the Swift micro-kernel's sixteen 16-float rows. Each element
/// is accumulated over p in order with one fused multiply-add per step, as every other path does.
static inline __attribute__((always_inline)) void sk_gemm_tile_6x32(long kcb, const float *a, const float *b, float *t) {
    for (int half = 0; half < 2; half++) {
        sk_float8_t c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0, c40 = 0, c41 = 0, c50 = 0, c51 = 0;
        const float *pa = a, *pb = b + 16 * half;
        for (long p = 0; p < kcb; p++) {
            sk_float8_t b0, b1, x;
            __builtin_memcpy(&b0, pb, sizeof b0);
            __builtin_memcpy(&b1, pb + 8, sizeof b1);
            x = (sk_float8_t)(pa[0]); SK_GEMM_FMA(c00, x, b0); SK_GEMM_FMA(c01, x, b1);
            x = (sk_float8_t)(pa[1]); SK_GEMM_FMA(c10, x, b0); SK_GEMM_FMA(c11, x, b1);
            x = (sk_float8_t)(pa[2]); SK_GEMM_FMA(c20, x, b0); SK_GEMM_FMA(c21, x, b1);
            x = (sk_float8_t)(pa[3]); SK_GEMM_FMA(c30, x, b0); SK_GEMM_FMA(c31, x, b1);
            x = (sk_float8_t)(pa[4]); SK_GEMM_FMA(c40, x, b0); SK_GEMM_FMA(c41, x, b1);
            x = (sk_float8_t)(pa[5]); SK_GEMM_FMA(c50, x, b0); SK_GEMM_FMA(c51, x, b1);
            pa += 6;
            pb += 32;
        }
        float *base = t + 128 * half;
        __builtin_memcpy(base + 0, &c00, sizeof c00); __builtin_memcpy(base + 8, &c01, sizeof c01);
        __builtin_memcpy(base + 16, &c10, sizeof c10); __builtin_memcpy(base + 24, &c11, sizeof c11);
        __builtin_memcpy(base + 32, &c20, sizeof c20); __builtin_memcpy(base + 40, &c21, sizeof c21);
        __builtin_memcpy(base + 48, &c30, sizeof c30); __builtin_memcpy(base + 56, &c31, sizeof c31);
        __builtin_memcpy(base + 64, &c40, sizeof c40); __builtin_memcpy(base + 72, &c41, sizeof c41);
        __builtin_memcpy(base + 80, &c50, sizeof c50); __builtin_memcpy(base + 88, &c51, sizeof c51);
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
        SK_GEMM_FMA(c0, xv, b0);
        SK_GEMM_FMA(c1, xv, b1);
        SK_GEMM_FMA(c2, xv, b2);
        SK_GEMM_FMA(c3, xv, b3);
    }
    __builtin_memcpy(t, &c0, sizeof c0);
    __builtin_memcpy(t + 8, &c1, sizeof c1);
    __builtin_memcpy(t + 16, &c2, sizeof c2);
    __builtin_memcpy(t + 24, &c3, sizeof c3);
}

#undef SK_GEMM_FMA

#endif
