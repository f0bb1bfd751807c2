/*
 * softmaxkit.h: the SoftmaxKit C library (libSoftmaxKitC).
 *
 * Every registered method by id, on tensors you own. Tensors are described by a pointer, an element
 * type, a shape and byte strides (NULL strides mean C order); inputs are read in place whatever
 * their layout, and outputs are written into buffers you allocate (their shapes: the input's for
 * sk_softmax and sk_normalize, the input's without `axis` for sk_logsumexp; for sk_call, from the
 * result). Every function returns SK_OK or an error code, with a one-line message in
 * sk_last_error() on the calling thread. All functions may be called from several threads at once.
 */
#ifndef SOFTMAXKIT_H
#define SOFTMAXKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of this interface and library. */
#define SOFTMAXKIT_VERSION "0.1.0"

/** Status codes. */
typedef enum sk_status {
    SK_OK = 0,
    SK_ERROR_UNKNOWN_METHOD = 1, /**< no method has this id */
    SK_ERROR_PARAMETER = 2,      /**< a parameter is unknown, of the wrong kind or out of range */
    SK_ERROR_SHAPE = 3,          /**< a tensor's rank, shape or axis does not fit the method */
    SK_ERROR_DTYPE = 4,          /**< an element type the call cannot take */
    SK_ERROR_ARGUMENT = 5,       /**< a null pointer, a bad stride or an overlapping output */
    SK_ERROR_MEMORY = 6,         /**< the call needs more memory than can be allocated */
    SK_ERROR_FAILED = 7          /**< the method refused its input (the message says why) */
} sk_status;

/** Element types (values as NumPy's `.npy` kinds). */
typedef enum sk_dtype {
    SK_FLOAT16 = 0,
    SK_FLOAT32 = 1,
    SK_FLOAT64 = 2,
    SK_INT32 = 3,
    SK_INT64 = 4,
    SK_BOOL = 5 /**< one byte per element, 0 or 1 */
} sk_dtype;

/** A tensor you own: `ndim` dimensions of `shape`, element (i0, i1, ...) at
 *  `data + i0*strides[0] + i1*strides[1] + ...` bytes; `strides == NULL` means C order. */
typedef struct sk_tensor {
    void *data;
    int32_t dtype; /**< an sk_dtype */
    int32_t ndim;
    const int64_t *shape;
    const int64_t *strides; /**< in bytes, may be negative or zero (broadcast inputs); NULL: C order */
} sk_tensor;

/** The library's version, "MAJOR.MINOR.PATCH". */
const char *sk_version(void);

/** The message of the last error on this thread ("" when there was none). */
const char *sk_last_error(void);

/** Every registered method as a JSON array (id, role, summary, parameters with defaults, ranges
 *  and choices, inputs, outputs, accuracy, citation). The string lives as long as the process. */
const char *sk_methods_json(void);

/** One method as a JSON object (the entry of sk_methods_json); *json lives as long as the process. */
int sk_describe(const char *id, const char **json);

/** Exact softmax (log_softmax != 0: log-softmax) of x/temperature along `axis` (negative counts
 *  from the end) into `out` (same shape; float16 inputs computed in float32; out may be x).
 *  threads <= 0: all active cores. The result's bits depend on the values, shape and axis only
 *  (not on strides or threads): they equal sk_call("softmax" or "log-softmax") with that axis. */
int sk_softmax(const sk_tensor *x, const sk_tensor *out, int64_t axis, double temperature, int32_t log_softmax,
               int32_t threads);

/** logsumexp of x/temperature along `axis` into `out` (x's shape without `axis`). */
int sk_logsumexp(const sk_tensor *x, const sk_tensor *out, int64_t axis, double temperature, int32_t threads);

/** Any registered normalizer `id` with parameters as a JSON object (NULL: defaults; "axis" is
 *  the `axis` argument) along `axis` into `out` (same shape); `mask` (bool, x's shape) may be NULL. */
int sk_normalize(const char *id, const char *params_json, const sk_tensor *x, const sk_tensor *mask,
                 const sk_tensor *out, int64_t axis, int32_t threads);

/** NumPy's PyArrayInterface (version 3 of the array interface: the struct inside the capsule an
 *  ndarray's `__array_struct__` returns), declared here with the same layout so that a binding can
 *  hand NumPy arrays over without building an sk_tensor. */
typedef struct sk_array_interface {
    int two;       /**< always 2 */
    int nd;        /**< the rank */
    char typekind; /**< 'f' float, 'i' signed integer, 'b' boolean, ... */
    int itemsize;  /**< bytes per element */
    int flags;     /**< NumPy's: 0x100 aligned, 0x200 native byte order, 0x400 writeable */
    intptr_t *shape;
    intptr_t *strides; /**< in bytes; NULL: C order */
    void *data;
    void *descr;
} sk_array_interface;

/** sk_softmax with x and out given as NumPy array interfaces (the Python package's fast path). */
int sk_softmax_array_interface(const sk_array_interface *x, const sk_array_interface *out, int64_t axis,
                               double temperature, int32_t log_softmax, int32_t threads);

/** The outputs of one sk_call. */
typedef struct sk_result sk_result;

/** Calls method `id` with named inputs and parameters as a JSON object (NULL: defaults). On
 *  success *result holds the outputs; free it with sk_result_free. */
int sk_call(const char *id, const char *const *input_names, const sk_tensor *inputs, int32_t n_inputs,
            const char *params_json, sk_result **result);

/** sk_call on at most `threads` threads (<= 0: all active cores; the result does not depend on it). */
int sk_call_threads(const char *id, const char *const *input_names, const sk_tensor *inputs, int32_t n_inputs,
                    const char *params_json, int32_t threads, sk_result **result);

/** The number of outputs in a result. */
int32_t sk_result_count(const sk_result *result);

/** Output `index`: its name, dtype, rank and shape (pointers valid until sk_result_free). */
int sk_result_output(const sk_result *result, int32_t index, const char **name, int32_t *dtype, int32_t *ndim,
                     const int64_t **shape);

/** Copies output `name` into `out` (its shape; any strides; the output's dtype, or another float
 *  dtype for a float output, rounded to nearest). */
int sk_result_copy(const sk_result *result, const char *name, const sk_tensor *out);

/** Frees a result (NULL is ignored). */
void sk_result_free(sk_result *result);

#ifdef __cplusplus
}
#endif

#endif /* SOFTMAXKIT_H */
