// The C interface, used as a C program uses it: every function, the layouts (C order, strided,
// Fortran, negative strides, in place), the element types, the error codes and messages, and
// concurrent calls from several threads. Exits non-zero on the first failed check.
#include "softmaxkit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fprintf(stderr, " (last error: %s)\n", sk_last_error());      \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/// Softmax along `axis` of a C-ordered double array of `shape`, in double.
static void reference_softmax(const double *x, const int64_t *shape, int ndim, int axis, int log_softmax, double *y) {
    int64_t outer = 1, n = shape[axis], inner = 1;
    for (int d = 0; d < axis; d++) outer *= shape[d];
    for (int d = axis + 1; d < ndim; d++) inner *= shape[d];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double m = -INFINITY, s = 0;
            for (int64_t k = 0; k < n; k++) m = fmax(m, x[(o * n + k) * inner + i]);
            for (int64_t k = 0; k < n; k++) s += exp(x[(o * n + k) * inner + i] - m);
            for (int64_t k = 0; k < n; k++) {
                double v = x[(o * n + k) * inner + i] - m - log(s);
                y[(o * n + k) * inner + i] = log_softmax ? v : exp(v);
            }
        }
}

static double max_abs_diff_f(const float *a, const double *b, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

static void test_listing(void) {
    CHECK(strcmp(sk_version(), SOFTMAXKIT_VERSION) == 0, "version %s", sk_version());
    const char *all = sk_methods_json();
    CHECK(all[0] == '[' && strstr(all, "\"id\" : \"softmax\"") != NULL, "methods json starts %.40s", all);
    const char *one = NULL;
    CHECK(sk_describe("sparsemax", &one) == SK_OK && one && one[0] == '{' && strstr(one, "\"axis\""), "describe sparsemax");
    CHECK(sk_describe("sofmax", &one) == SK_ERROR_UNKNOWN_METHOD, "unknown id");
    CHECK(strstr(sk_last_error(), "did you mean 'softmax'") != NULL, "suggestion in '%s'", sk_last_error());
}

/// softmax of a 2×3×4 float32 array along every axis, in C order and into a Fortran-ordered output.
static void test_softmax_axes(void) {
    int64_t shape[3] = {2, 3, 4};
    double xd[24], ref[24];
    float x[24], y[24];
    for (int i = 0; i < 24; i++) xd[i] = x[i] = (float)(sin(i * 1.7) * 5);
    for (int i = 0; i < 24; i++) xd[i] = x[i];
    sk_tensor tx = {x, SK_FLOAT32, 3, shape, NULL};
    for (int axis = -3; axis < 3; axis++)
        for (int log_softmax = 0; log_softmax < 2; log_softmax++) {
            sk_tensor ty = {y, SK_FLOAT32, 3, shape, NULL};
            CHECK(sk_softmax(&tx, &ty, axis, 1.0, log_softmax, 0) == SK_OK, "axis %d", axis);
            reference_softmax(xd, shape, 3, (axis + 3) % 3, log_softmax, ref);
            CHECK(max_abs_diff_f(y, ref, 24) < 2e-6, "axis %d log %d: %g", axis, log_softmax, max_abs_diff_f(y, ref, 24));
            // A Fortran-ordered output: element (i, j, k) at byte 4·(i + 2j + 6k).
            float f[24];
            int64_t fstrides[3] = {4, 8, 24};
            sk_tensor tf = {f, SK_FLOAT32, 3, shape, fstrides};
            CHECK(sk_softmax(&tx, &tf, axis, 1.0, log_softmax, 1) == SK_OK, "fortran out");
            double worst = 0;
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    for (int k = 0; k < 4; k++) worst = fmax(worst, fabs(f[i + 2 * j + 6 * k] - ref[(i * 3 + j) * 4 + k]));
            CHECK(worst < 2e-6, "fortran out axis %d: %g", axis, worst);
            // The same bits whatever the layout, and the same as sk_call's registry path.
            int same = 1;
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    for (int k = 0; k < 4; k++) same &= memcmp(&f[i + 2 * j + 6 * k], &y[(i * 3 + j) * 4 + k], sizeof(float)) == 0;
            CHECK(same, "fortran out bit for bit, axis %d log %d", axis, log_softmax);
            char params[32];
            snprintf(params, sizeof params, "{\"axis\": %d}", axis);
            const char *name = "x";
            sk_result *result = NULL;
            float z[24];
            sk_tensor tz = {z, SK_FLOAT32, 3, shape, NULL};
            CHECK(sk_call(log_softmax ? "log-softmax" : "softmax", &name, &tx, 1, params, &result) == SK_OK &&
                      sk_result_copy(result, "y", &tz) == SK_OK,
                  "sk_call axis %d: %s", axis, sk_last_error());
            CHECK(memcmp(z, y, sizeof y) == 0, "sk_call bit for bit, axis %d log %d", axis, log_softmax);
            sk_result_free(result);
            result = NULL;
            CHECK(sk_call_threads(log_softmax ? "log-softmax" : "softmax", &name, &tx, 1, params, 1, &result) == SK_OK &&
                      sk_result_copy(result, "y", &tz) == SK_OK,
                  "sk_call_threads axis %d: %s", axis, sk_last_error());
            CHECK(memcmp(z, y, sizeof y) == 0, "sk_call_threads bit for bit, axis %d log %d", axis, log_softmax);
            sk_result_free(result);
        }
}

/// Every other column of a 3×8 float64 array, read backwards (negative stride), and in place.
static void test_strides_and_in_place(void) {
    double x[24], sub[12], ref[12], y[12];
    for (int i = 0; i < 24; i++) x[i] = cos(i * 0.9) * 3;
    int64_t shape[2] = {3, 4};
    int64_t strides[2] = {8 * 8, -2 * 8};  // rows 8 apart, columns backwards every other
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++) sub[r * 4 + c] = x[r * 8 + 7 - 2 * c];
    reference_softmax(sub, shape, 2, 1, 0, ref);
    sk_tensor tx = {x + 7, SK_FLOAT64, 2, shape, strides};
    sk_tensor ty = {y, SK_FLOAT64, 2, shape, NULL};
    CHECK(sk_softmax(&tx, &ty, -1, 1.0, 0, 0) == SK_OK, "negative strides");
    double worst = 0;
    for (int i = 0; i < 12; i++) worst = fmax(worst, fabs(y[i] - ref[i]));
    CHECK(worst < 1e-15, "negative strides: %g", worst);

    double inplace[12];
    memcpy(inplace, sub, sizeof inplace);
    sk_tensor t = {inplace, SK_FLOAT64, 2, shape, NULL};
    CHECK(sk_softmax(&t, &t, 1, 1.0, 0, 0) == SK_OK, "in place");
    worst = 0;
    for (int i = 0; i < 12; i++) worst = fmax(worst, fabs(inplace[i] - ref[i]));
    CHECK(worst < 1e-15, "in place: %g", worst);

    double lse[3];
    int64_t lse_shape[1] = {3};
    sk_tensor tl = {lse, SK_FLOAT64, 1, lse_shape, NULL};
    sk_tensor ts = {sub, SK_FLOAT64, 2, shape, NULL};
    CHECK(sk_logsumexp(&ts, &tl, -1, 2.0, 0) == SK_OK, "logsumexp");
    for (int r = 0; r < 3; r++) {
        double m = -INFINITY, s = 0;
        for (int c = 0; c < 4; c++) m = fmax(m, sub[r * 4 + c] / 2);
        for (int c = 0; c < 4; c++) s += exp(sub[r * 4 + c] / 2 - m);
        CHECK(fabs(lse[r] - (m + log(s))) < 1e-14, "lse row %d: %g vs %g", r, lse[r], m + log(s));
    }
}

static void test_normalize_and_call(void) {
    float x[6] = {1, 2, 3, 0.5f, 0.5f, -1}, y[6];
    int64_t shape[2] = {2, 3};
    sk_tensor tx = {x, SK_FLOAT32, 2, shape, NULL}, ty = {y, SK_FLOAT32, 2, shape, NULL};
    CHECK(sk_normalize("sparsemax", NULL, &tx, NULL, &ty, -1, 0) == SK_OK, "sparsemax");
    CHECK(fabsf(y[0] + y[1] + y[2] - 1) < 1e-6f && y[0] == 0 && y[1] == 0 && y[2] == 1, "sparsemax row 0: %g %g %g", y[0], y[1], y[2]);
    CHECK(sk_normalize("softmax", "{\"temperature\": 2, \"exp\": \"schraudolph\"}", &tx, NULL, &ty, -1, 0) == SK_OK, "params");
    CHECK(sk_normalize("softmax", "{\"temperature\": -2}", &tx, NULL, &ty, -1, 0) == SK_ERROR_PARAMETER, "negative temperature");
    CHECK(strstr(sk_last_error(), "temperature") != NULL, "message names the parameter: %s", sk_last_error());
    CHECK(sk_normalize("softmax", "{\"temperature\": ", &tx, NULL, &ty, -1, 0) == SK_ERROR_PARAMETER, "bad json");
    CHECK(sk_normalize("gelu", NULL, &tx, NULL, &ty, -1, 0) == SK_ERROR_ARGUMENT, "gelu is no normalizer");

    unsigned char keep[6] = {1, 0, 1, 0, 0, 0};
    sk_tensor tm = {keep, SK_BOOL, 2, shape, NULL};
    CHECK(sk_normalize("masked-softmax", NULL, &tx, &tm, &ty, -1, 0) == SK_OK, "masked");
    CHECK(y[1] == 0 && fabsf(y[0] + y[2] - 1) < 1e-6f && y[3] == 0 && y[4] == 0 && y[5] == 0, "masked rows %g %g %g / %g", y[0], y[1], y[2], y[3]);

    const char *names[2] = {"logits", "labels"};
    int64_t labels[2] = {2, 0}, lshape[1] = {2};
    sk_tensor in[2] = {{x, SK_FLOAT32, 2, shape, NULL}, {labels, SK_INT64, 1, lshape, NULL}};
    sk_result *result = NULL;
    CHECK(sk_call("cross-entropy", names, in, 2, NULL, &result) == SK_OK && result, "cross-entropy");
    int32_t count = sk_result_count(result);
    CHECK(count >= 2, "outputs %d", count);
    int found = 0;
    for (int32_t i = 0; i < count; i++) {
        const char *name;
        int32_t dtype, ndim;
        const int64_t *oshape;
        CHECK(sk_result_output(result, i, &name, &dtype, &ndim, &oshape) == SK_OK, "output %d", i);
        if (strcmp(name, "per_example") == 0) {
            found = 1;
            CHECK(dtype == SK_FLOAT32 && ndim == 1 && oshape[0] == 2, "per_example %d %d", dtype, ndim);
            double pe[2];
            sk_tensor out = {pe, SK_FLOAT64, 1, oshape, NULL};
            CHECK(sk_result_copy(result, name, &out) == SK_OK, "copy as float64");
            double want = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3;
            CHECK(fabs(pe[0] - want) < 1e-6, "loss %g vs %g", pe[0], want);
        }
    }
    CHECK(found, "per_example output");
    CHECK(sk_result_output(result, count, NULL, NULL, NULL, NULL) == SK_ERROR_ARGUMENT, "index out of range");
    sk_result_free(result);
    sk_result_free(NULL);
    result = (sk_result *)1;
    CHECK(sk_call("cross-entropy", names, in, 1, NULL, &result) != SK_OK && result == NULL, "missing labels");
    CHECK(strstr(sk_last_error(), "labels") != NULL, "names the input: %s", sk_last_error());
}

static void test_errors(void) {
    float x[6] = {0}, y[6];
    int64_t shape[2] = {2, 3}, other[2] = {3, 2}, bad_strides[2] = {12, 3};
    sk_tensor tx = {x, SK_FLOAT32, 2, shape, NULL}, ty = {y, SK_FLOAT32, 2, shape, NULL};
    sk_tensor t_other = {y, SK_FLOAT32, 2, other, NULL}, t_f64 = {y, SK_FLOAT64, 2, shape, NULL};
    sk_tensor t_int = {x, SK_INT32, 2, shape, NULL}, t_code = {x, 9, 2, shape, NULL};
    sk_tensor t_null = {NULL, SK_FLOAT32, 2, shape, NULL}, t_misaligned = {x, SK_FLOAT32, 2, shape, bad_strides};
    CHECK(sk_softmax(NULL, &ty, -1, 1, 0, 0) == SK_ERROR_ARGUMENT, "null x");
    CHECK(sk_softmax(&tx, &ty, 2, 1, 0, 0) == SK_ERROR_SHAPE, "axis 2");
    CHECK(strstr(sk_last_error(), "axis 2 is out of range") != NULL, "%s", sk_last_error());
    CHECK(sk_softmax(&tx, &t_other, -1, 1, 0, 0) == SK_ERROR_SHAPE, "shape mismatch");
    CHECK(sk_softmax(&tx, &t_f64, -1, 1, 0, 0) == SK_ERROR_DTYPE, "dtype mismatch");
    CHECK(sk_softmax(&t_int, &ty, -1, 1, 0, 0) == SK_ERROR_DTYPE, "integer x");
    CHECK(sk_softmax(&t_code, &ty, -1, 1, 0, 0) == SK_ERROR_DTYPE, "dtype code 9");
    CHECK(sk_softmax(&t_null, &ty, -1, 1, 0, 0) == SK_ERROR_ARGUMENT, "null data");
    CHECK(sk_softmax(&t_misaligned, &ty, -1, 1, 0, 0) == SK_ERROR_ARGUMENT, "stride of 3 bytes");
    CHECK(sk_softmax(&tx, &ty, -1, 0.0, 0, 0) != SK_OK, "temperature 0");
    CHECK(sk_softmax(&tx, &ty, -1, 1, 0, 0) == SK_OK && sk_last_error()[0] == 0, "success clears the message");
    int64_t zero_strides[2] = {0, 4};
    sk_tensor t_broadcast_out = {y, SK_FLOAT32, 2, shape, zero_strides};
    CHECK(sk_softmax(&tx, &t_broadcast_out, -1, 1, 0, 0) == SK_ERROR_ARGUMENT, "overlapping output");
    sk_tensor t_broadcast_in = {x, SK_FLOAT32, 2, shape, zero_strides};
    CHECK(sk_softmax(&t_broadcast_in, &ty, -1, 1, 0, 0) == SK_OK, "broadcast input");
}

/// Eight threads, each its own rows, all at once: the same results as one thread alone.
enum { ROWS = 64, COLS = 1000 };
static float shared_x[ROWS * COLS], serial_y[ROWS * COLS], parallel_y[8][ROWS * COLS];

static void *worker(void *arg) {
    int t = (int)(intptr_t)arg;
    int64_t shape[2] = {ROWS, COLS};
    sk_tensor tx = {shared_x, SK_FLOAT32, 2, shape, NULL}, ty = {parallel_y[t], SK_FLOAT32, 2, shape, NULL};
    for (int repeat = 0; repeat < 20; repeat++)
        if (sk_softmax(&tx, &ty, -1, 1.0, t % 2, 0) != SK_OK) return (void *)1;
    sk_tensor t_bad = {shared_x, SK_FLOAT32, 2, shape, NULL};
    int64_t other[2] = {COLS, ROWS};
    sk_tensor t_other = {parallel_y[t], SK_FLOAT32, 2, other, NULL};
    if (sk_softmax(&t_bad, &t_other, -1, 1.0, 0, 0) != SK_ERROR_SHAPE) return (void *)2;
    return strstr(sk_last_error(), "out has shape") ? NULL : (void *)3;
}

static void test_threads(void) {
    for (int i = 0; i < ROWS * COLS; i++) shared_x[i] = (float)(sin(i * 0.37) * 8);
    int64_t shape[2] = {ROWS, COLS};
    sk_tensor tx = {shared_x, SK_FLOAT32, 2, shape, NULL}, ty = {serial_y, SK_FLOAT32, 2, shape, NULL};
    CHECK(sk_softmax(&tx, &ty, -1, 1.0, 0, 1) == SK_OK, "serial");
    pthread_t threads[8];
    for (int t = 0; t < 8; t++) pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t);
    for (int t = 0; t < 8; t++) {
        void *status;
        pthread_join(threads[t], &status);
        CHECK(status == NULL, "thread %d status %ld", t, (long)(intptr_t)status);
    }
    for (int t = 0; t < 8; t += 2) CHECK(memcmp(parallel_y[t], serial_y, sizeof serial_y) == 0, "thread %d differs", t);
}

int main(void) {
    test_listing();
    test_softmax_axes();
    test_strides_and_in_place();
    test_normalize_and_call();
    test_errors();
    test_threads();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("C interface: all checks passed\n");
    return 0;
}
