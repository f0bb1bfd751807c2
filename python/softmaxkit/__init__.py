"""SoftmaxKit in Python: the softmax family, exact at memory speed, approximated and replaced.

Every function takes NumPy arrays (or anything ``numpy.asarray`` reads without a copy, such as
PyTorch CPU tensors) of any rank, layout and strides, and computes in process through
libSoftmaxKitC: float16, float32 and float64 in, the same dtype out (float16 is computed in
float32); other dtypes are computed as float64, as SciPy does. The GIL is released while the
library computes; calls from several threads at once are safe.

>>> import numpy as np, softmaxkit
>>> softmaxkit.softmax(np.array([[1.0, 2.0, 3.0]]), axis=-1)
array([[0.09003057, 0.24472847, 0.66524096]])
"""

import ctypes
import json
import math

import numpy as np

from . import _library
from ._library import lib

__all__ = ["softmax", "log_softmax", "logsumexp", "attention", "call", "methods", "describe", "empty", "empty_like",
           "__version__"]

__version__ = lib.sk_version().decode()

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _as_float_array(x, name="x"):
    array = np.asarray(x)
    if array.dtype not in _FLOATS:
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{name} has dtype {array.dtype}; expected a real array")
        array = array.astype(np.float64)
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array


ALIGNMENT = 64
_ALIGN_FROM_BYTES = 1 << 20  # below this, the alignment gains less than aligning costs (a few µs)
_PAGE = 4096


def _empty_at(shape, dtype, offset, slack):
    """An uninitialised C-ordered array whose data starts ``offset`` bytes past a multiple of
    ``slack`` (a power of two, ≥ 64), carved out of a NumPy buffer ``slack`` bytes longer."""
    dtype = np.dtype(dtype)
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"negative dimensions are not allowed: {shape}")
    count = math.prod(shape)
    # NumPy aligns every allocation to at least 16 bytes, so the offset is whole elements.
    buffer = np.empty(count + slack // dtype.itemsize, dtype=dtype)
    start = ((offset - _library.data_address(buffer)) % slack) // dtype.itemsize
    return buffer[start:start + count].reshape(shape)


def empty(shape, dtype=np.float32):
    """An uninitialised array whose data starts on a 64-byte boundary (a cache line, and a whole
    AVX-512 vector). NumPy aligns to 16 bytes; the kernels read and write it as it lies either way,
    with the same results, but stores into an aligned ``out`` never split a cache line, which is
    measurably faster for large arrays (BENCHMARKS.md)."""
    return _empty_at(shape, dtype, 0, ALIGNMENT)


def empty_like(x):
    """An uninitialised array of ``x``'s shape and dtype for a result computed from ``x``: on a
    64-byte boundary, as ``empty``, and half a page away from ``x``'s data — its address and
    ``x``'s differ by 2 KiB modulo 4 KiB (to a cache line). A kernel loads ``x`` a little ahead of
    where it stores; when the two addresses agree in their low 12 bits the processor takes the
    load for one that may depend on the store ("4K aliasing") and the large exact softmax runs
    measurably slower (BENCHMARKS.md, "Where the output lies"). The functions here allocate their
    outputs from 1 MiB this way."""
    x = np.asarray(x)
    return _empty_at(x.shape, x.dtype, _half_a_page_from(x), _PAGE)


def _half_a_page_from(x):
    """Where an array placed half a page from ``x``'s data starts, modulo a page."""
    return (_library.data_address(x) + _PAGE // 2) & -ALIGNMENT


def _new(shape, dtype, x=None):
    """An output of ``shape`` computed from ``x`` from 1 MiB: placed as ``empty_like``, or as
    ``empty`` when it is only copied into (``x`` None)."""
    if dtype.itemsize * math.prod(shape) < _ALIGN_FROM_BYTES:
        return np.empty(shape, dtype)
    if x is None:
        return empty(shape, dtype)
    return _empty_at(shape, dtype, _half_a_page_from(x), _PAGE)


def _output(out, x, shape):
    if out is None:
        return _new(shape, x.dtype, x)
    if not isinstance(out, np.ndarray):
        raise TypeError("out must be a numpy.ndarray")
    if out.shape != tuple(shape):
        raise ValueError(f"out has shape {out.shape}; expected {tuple(shape)}")
    if out.dtype != x.dtype:
        raise TypeError(f"out has dtype {out.dtype}; expected {x.dtype}, the dtype of x")
    if not out.flags.writeable:
        raise ValueError("out is read-only")
    return out


def _check_axis(axis):
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    return int(axis)


_NATIVE_FLOATS = frozenset(_FLOATS)  # native byte order only: '>f4' is not equal to '<f4'
_fast_softmax = lib.sk_softmax_array_interface
_interface = _library.array_interface
_capsule_offset = _library.CAPSULE_POINTER_OFFSET
_word_at = ctypes.c_void_p.from_address


def _softmax(x, axis, temperature, algorithm, exp, out, threads, log):
    if (type(x) is np.ndarray and x.dtype in _NATIVE_FLOATS and type(axis) is int and algorithm == "auto"
            and exp == "exact" and (out is None or type(out) is np.ndarray)):
        # The common call, with nothing checked twice: the library checks the rest (out's shape,
        # dtype and writeability included).
        y = (np.empty(x.shape, x.dtype) if x.nbytes < _ALIGN_FROM_BYTES else empty_like(x)) if out is None else out
        cx, cy = x.__array_struct__, y.__array_struct__  # alive until the call returns
        if _capsule_offset is not None:
            status = _fast_softmax(_word_at(id(cx) + _capsule_offset).value, _word_at(id(cy) + _capsule_offset).value,
                                   axis, temperature, log, threads)
        else:
            status = _fast_softmax(_interface(cx), _interface(cy), axis, temperature, log, threads)
        if status:
            _library.check(status)
        return y
    x = _as_float_array(x)
    y = _output(out, x, x.shape)
    axis = _check_axis(axis)
    if algorithm == "auto" and exp == "exact":
        cx, cy = x.__array_struct__, y.__array_struct__  # alive until the call returns
        _library.check(lib.sk_softmax_array_interface(_library.array_interface(cx), _library.array_interface(cy), axis,
                                                      float(temperature), int(log), int(threads)))
    else:
        tx, ty = _library.tensor(x), _library.tensor(y)
        given = {"temperature": float(temperature), "algorithm": algorithm}
        if not log or exp != "exact":  # log-softmax has no cheap exponential: the library names the parameter
            given["exp"] = exp
        params = json.dumps(given).encode()
        _library.check(lib.sk_normalize(b"log-softmax" if log else b"softmax", params, tx, None, ty, axis, int(threads)))
    return y


def softmax(x, axis=-1, temperature=1.0, algorithm="auto", exp="exact", out=None, threads=0):
    """softmax(x / temperature) along ``axis``, exactly (``exp="exact"``) or with a cheap exponential.

    algorithm: "auto", "three-pass-reload", "three-pass-recompute", "two-pass" or "online" (every
    exact algorithm gives the result within float rounding). exp: "exact", "schraudolph", "poly1"…
    "poly4", "base2", "limit" (see ``describe("softmax")``). out: an array of x's shape and dtype
    to write into (may be x itself). threads: 0 for all cores.
    """
    return _softmax(x, axis, temperature, algorithm, exp, out, threads, log=False)


def log_softmax(x, axis=-1, temperature=1.0, algorithm="auto", exp="exact", out=None, threads=0):
    """log_softmax(x / temperature) along ``axis``; arguments as for ``softmax``."""
    return _softmax(x, axis, temperature, algorithm, exp, out, threads, log=True)


def logsumexp(x, axis=-1, temperature=1.0, out=None, threads=0):
    """log Σ exp(x / temperature) along ``axis``: x's shape without ``axis`` (``keepdims=False``);
    a 0-d array for a 1-d input. −inf for empty rows."""
    x = _as_float_array(x)
    axis = _check_axis(axis)
    shape = list(x.shape)
    if shape:
        if not -len(shape) <= axis < len(shape):
            raise ValueError(f"axis {axis} is out of range for input 'x' of shape {x.shape}; "
                             f"use an axis in {-len(shape)}…{len(shape) - 1}")
        del shape[axis]
    y = _output(out, x, shape)
    _library.check(lib.sk_logsumexp(_library.tensor(x), _library.tensor(y), axis, float(temperature), int(threads)))
    return y


def attention(q, k, v, mask=None, bias=None, causal=None, scale=None, normalizer="softmax", out=None, threads=0,
              **params):
    """Exact attention normalizer(scale·QKᵀ + bias)·V on ``[Nq, D]`` or ``[B, H, Nq, D]`` inputs.

    mask: a boolean keep-mask broadcastable to ``[B, H, Nq, Nk]``; bias: an additive one. causal:
    True (or "top-left", as PyTorch's ``is_causal``) or "bottom-right" (the last query sees every
    key, as a decoder with a cache). scale: default 1/√D. normalizer: any registered normalizer id
    in place of softmax. out: an array of the output's shape to write into (any float dtype and
    strides). threads: 0 for all cores. Other keyword arguments are the method's parameters
    (``window_left``…). Returns the output ``[.., Nq, Dv]``.
    """
    inputs = {"Q": q, "K": k, "V": v}
    if mask is not None:
        inputs["mask"] = np.asarray(mask, dtype=np.bool_)
    if bias is not None:
        inputs["bias"] = bias
    if causal is True:
        params["causal"] = "top-left"
    elif causal not in (None, False):
        params["causal"] = causal
    if scale is not None:
        params["scale"] = float(scale)
    params["normalizer"] = normalizer
    if out is not None:
        if type(out) is not np.ndarray or not out.flags.writeable:
            raise TypeError(f"out must be a writeable numpy.ndarray, got {type(out).__name__}")
        if out.dtype not in _NATIVE_FLOATS:
            raise TypeError(f"out is {out.dtype}; give float16, float32 or float64 in native byte order")
    return _call("attention", threads, {} if out is None else {"out": out}, {**inputs, **params})["out"]


_descriptions = {}


def describe(method_id):
    """One method as a dict: role, summary, parameters (kind, default, range, choices), inputs,
    outputs, accuracy and citation."""
    if method_id not in _descriptions:
        text = ctypes.c_char_p()
        _library.check(lib.sk_describe(str(method_id).encode(), ctypes.byref(text)))
        _descriptions[method_id] = json.loads(text.value)
    return _descriptions[method_id]


def methods():
    """Every registered method, as a list of dicts (see ``describe``)."""
    return json.loads(lib.sk_methods_json())


def _is_tensor(value):
    return isinstance(value, np.ndarray) or hasattr(value, "__array__") or hasattr(value, "__array_interface__")


def call(method_id, threads=0, **inputs_and_params):
    """Calls any registered method by id: keyword arguments named as the method's inputs are
    arrays, the others are its parameters. Returns a dict of output name → NumPy array.
    threads: at most this many threads (0 for all cores; the result does not depend on it).

    >>> softmaxkit.call("sparsemax", x=np.array([1.0, 2.0, 3.5]))["y"]
    array([0., 0., 1.])
    """
    return _call(method_id, threads, {}, inputs_and_params)


def _check_threads(threads):
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads must be an integer, got {type(threads).__name__}")
    if not 0 <= threads <= 2**31 - 1:
        raise ValueError(f"threads must be 0 (all cores) or a positive count, got {threads}")
    return int(threads)


def _call(method_id, threads, into, inputs_and_params):
    """call, writing the outputs named in ``into`` (name → array) there rather than into new arrays."""
    threads = _check_threads(threads)
    description = describe(method_id)
    input_names = {spec["name"] for spec in description["inputs"]}
    arrays, params = {}, {}
    for name, value in inputs_and_params.items():
        if name in input_names:
            array = np.asarray(value)
            if array.dtype not in _library.DTYPE_CODES:
                array = array.astype(np.float64 if array.dtype.kind in "fc" else np.int64)
            if not array.dtype.isnative:
                array = array.astype(array.dtype.newbyteorder("="))
            arrays[name] = array
        elif _is_tensor(value) and not isinstance(value, (str, bytes)):
            raise ValueError(f"method '{method_id}' has no input '{name}'; its inputs are "
                             + ", ".join(spec["name"] for spec in description["inputs"]))
        else:
            params[name] = _parameter(value, name)
    names = (ctypes.c_char_p * max(len(arrays), 1))(*[n.encode() for n in arrays])
    tensors = (_library.Tensor * max(len(arrays), 1))(*[_library.tensor(a) for a in arrays.values()])
    result = ctypes.c_void_p()
    _library.check(lib.sk_call_threads(str(method_id).encode(), names, tensors, len(arrays),
                                       json.dumps(params).encode(), threads, ctypes.byref(result)))
    try:
        outputs = {}
        for i in range(lib.sk_result_count(result)):
            name, dtype, ndim = ctypes.c_char_p(), ctypes.c_int32(), ctypes.c_int32()
            shape = ctypes.POINTER(ctypes.c_int64)()
            _library.check(lib.sk_result_output(result, i, ctypes.byref(name), ctypes.byref(dtype),
                                                ctypes.byref(ndim), ctypes.byref(shape)))
            key = name.value.decode()
            array = into.get(key)
            if array is None:
                array = _new([shape[d] for d in range(ndim.value)], np.dtype(_library.NUMPY_DTYPES[dtype.value]))
            _library.check(lib.sk_result_copy(result, name.value, _library.tensor(array)))
            outputs[key] = array
        return outputs
    finally:
        lib.sk_result_free(result)


def _parameter(value, name):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [float(v) for v in value]
    raise TypeError(f"parameter '{name}' is a {type(value).__name__}; expected a number, bool, string or list of numbers")
