// The matrix multiply's packing transpose.
#ifndef SOFTMAXKIT_SHIMS_TRANSPOSE_H
#define SOFTMAXKIT_SHIMS_TRANSPOSE_H

#include "ShimsConfig.h"

/// Transposes `rows` (6 or 8, a constant at the call) rows of `k` floats (`src[i·ld + p]`,
/// i < rows) into `dst[p·dstStride + i]`: the packing of a row-major matrix into the matrix
/// multiply's panels. Blocks of 8 × 8 go through eight vector loads, 24 shuffles and eight vector
/// stores (with 6 rows, the last row is loaded again in place of rows 6 and 7, which are not
/// stored); compilers otherwise turn the obvious strided loop into scatter instructions, which are
/// slow on AMD cores.
static inline __attribute__((always_inline)) void sk_transpose_rows(const float *src, long ld, long k, long rows, float *dst, long dstStride) {
    long p = 0;
    for (; p + 8 <= k; p += 8) {
        sk_float8_t r0, r1, r2, r3, r4, r5, r6, r7;
        __builtin_memcpy(&r0, src + 0 * ld + p, sizeof r0);
        __builtin_memcpy(&r1, src + 1 * ld + p, sizeof r1);
        __builtin_memcpy(&r2, src + 2 * ld + p, sizeof r2);
        __builtin_memcpy(&r3, src + 3 * ld + p, sizeof r3);
        __builtin_memcpy(&r4, src + 4 * ld + p, sizeof r4);
        __builtin_memcpy(&r5, src + 5 * ld + p, sizeof r5);
        __builtin_memcpy(&r6, src + (rows > 6 ? 6 : 5) * ld + p, sizeof r6);
        __builtin_memcpy(&r7, src + (rows > 7 ? 7 : 5) * ld + p, sizeof r7);
        sk_float8_t t0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13);
        sk_float8_t t1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
        sk_float8_t t2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13);
        sk_float8_t t3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
        sk_float8_t t4 = __builtin_shufflevector(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13);
        sk_float8_t t5 = __builtin_shufflevector(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
        sk_float8_t t6 = __builtin_shufflevector(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13);
        sk_float8_t t7 = __builtin_shufflevector(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
        sk_float8_t u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
        sk_float8_t u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
        sk_float8_t u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
        sk_float8_t u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
        sk_float8_t u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
        sk_float8_t u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
        sk_float8_t u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
        sk_float8_t u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
        sk_float8_t c0 = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
        sk_float8_t c1 = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
        sk_float8_t c2 = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
        sk_float8_t c3 = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
        sk_float8_t c4 = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
        sk_float8_t c5 = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
        sk_float8_t c6 = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
        sk_float8_t c7 = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
        float *d = dst + p * dstStride;
        __builtin_memcpy(d + 0 * dstStride, &c0, (unsigned long)rows * sizeof(float));
        __builtin_memcpy(d + 1 * dstStride, &c1, (unsigned long)rows * sizeof(float));
        __builtin_memcpy(d + 2 * dstStride, &c2, (unsigned long)rows * sizeof(float));
        __builtin_memcpy(d + 3 * dstStride, &c3, (unsigned long)rows * sizeof(float));
        __builtin_memcpy(d + 4 * dstStride, &c4, (unsigned long)rows * sizeof(float));
        __builtin_memcpy(d + 5 * dstStride, &c5, (unsigned long)rows * sizeof(float));
        __builtin_memcpy(d + 6 * dstStride, &c6, (unsigned long)rows * sizeof(float));
        __builtin_memcpy(d + 7 * dstStride, &c7, (unsigned long)rows * sizeof(float));
    }
    for (; p < k; p++) {
        for (long i = 0; i < rows; i++) dst[p * dstStride + i] = src[i * ld + p];
    }
}

#endif
