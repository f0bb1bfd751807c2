"""ctypes bindings to libSoftmaxKitC (the C interface in softmaxkit.h).

ctypes releases the GIL for the duration of every call into the library, so computations run in
parallel with other Python threads, and the library itself is safe to call from several threads.
"""

import ctypes
import os
import sys
from pathlib import Path

import numpy as np

OK, UNKNOWN_METHOD, PARAMETER, SHAPE, DTYPE, ARGUMENT, MEMORY, FAILED = range(8)

DTYPE_CODES = {np.dtype(np.float16): 0, np.dtype(np.float32): 1, np.dtype(np.float64): 2,
               np.dtype(np.int32): 3, np.dtype(np.int64): 4, np.dtype(np.bool_): 5}
NUMPY_DTYPES = {code: dtype for dtype, code in DTYPE_CODES.items()}


class Tensor(ctypes.Structure):
    """`sk_tensor`: data pointer, dtype code, rank, shape, byte strides."""

    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int32), ("ndim", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("strides", ctypes.POINTER(ctypes.c_int64))]


def _find_library():
    override = os.environ.get("SOFTMAXKIT_LIBRARY")
    if override:
        return override
    here = Path(__file__).resolve().parent
    for name in ("libSoftmaxKitC.so", "libSoftmaxKitC.dylib"):
        if (here / name).exists():
            return str(here / name)
    raise ImportError(
        "softmaxkit: libSoftmaxKitC is not in the package; install it with 'pip install ./python' from a "
        "SoftmaxKit checkout (the Swift toolchain builds it), or point SOFTMAXKIT_LIBRARY at a built library")


lib = ctypes.CDLL(_find_library())

_p_tensor = ctypes.POINTER(Tensor)
_signatures = {
    "sk_version": (ctypes.c_char_p, []),
    "sk_last_error": (ctypes.c_char_p, []),
    "sk_methods_json": (ctypes.c_char_p, []),
    "sk_describe": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]),
    "sk_softmax": (ctypes.c_int, [_p_tensor, _p_tensor, ctypes.c_int64, ctypes.c_double, ctypes.c_int32, ctypes.c_int32]),
    "sk_softmax_array_interface": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_double,
                                                  ctypes.c_int32, ctypes.c_int32]),
    "sk_logsumexp": (ctypes.c_int, [_p_tensor, _p_tensor, ctypes.c_int64, ctypes.c_double, ctypes.c_int32]),
    "sk_normalize": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, _p_tensor, _p_tensor, _p_tensor,
                                    ctypes.c_int64, ctypes.c_int32]),
    "sk_call": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), _p_tensor, ctypes.c_int32,
                               ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]),
    "sk_call_threads": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), _p_tensor, ctypes.c_int32,
                                       ctypes.c_char_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_void_p)]),
    "sk_result_count": (ctypes.c_int32, [ctypes.c_void_p]),
    "sk_result_output": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_char_p),
                                        ctypes.POINTER(ctypes.c_int32), ctypes.POINTER(ctypes.c_int32),
                                        ctypes.POINTER(ctypes.POINTER(ctypes.c_int64))]),
    "sk_result_copy": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, _p_tensor]),
    "sk_result_free": (None, [ctypes.c_void_p]),
}
for _name, (_restype, _argtypes) in _signatures.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


class _ArrayInterface(ctypes.Structure):
    """NumPy's PyArrayInterface (softmaxkit.h's sk_array_interface)."""
    _fields_ = [("two", ctypes.c_int), ("nd", ctypes.c_int), ("typekind", ctypes.c_char), ("itemsize", ctypes.c_int),
                ("flags", ctypes.c_int), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("data", ctypes.c_void_p), ("descr", ctypes.c_void_p)]


_DATA_OFFSET = _ArrayInterface.data.offset


def data_address(array):
    """The address of an ndarray's first element, read from its array interface (several times
    cheaper than ``array.ctypes.data``)."""
    capsule = array.__array_struct__
    return ctypes.c_void_p.from_address(_capsule_pointer(capsule, None) + _DATA_OFFSET).value or 0


def array_interface(capsule):
    """The address of the PyArrayInterface inside an ndarray's `__array_struct__` capsule (which
    must stay alive while the address is used): the cheapest way to hand an array over."""
    return _capsule_pointer(capsule, None)


def _capsule_pointer_offset():
    """Where a capsule keeps its pointer, past the object header, when reading it there is
    verified to agree with `PyCapsule_GetPointer` on this interpreter; else None. The read is
    cheaper than the API call through ctypes, which the package's fastest path would make twice
    per call. Free-threaded and debug builds have other headers: they use the API."""
    import sysconfig
    if sysconfig.get_config_var("Py_GIL_DISABLED") or sysconfig.get_config_var("Py_DEBUG"):
        return None
    offset = ctypes.sizeof(ctypes.c_ssize_t) + ctypes.sizeof(ctypes.c_void_p)  # ob_refcnt, ob_type
    probes = [np.empty(n, dtype).__array_struct__ for n, dtype in ((1, np.float32), (3, np.float64))]
    if all(ctypes.c_void_p.from_address(id(p) + offset).value == _capsule_pointer(p, None) for p in probes):
        return offset
    return None


CAPSULE_POINTER_OFFSET = _capsule_pointer_offset()


def tensor(array):
    """An `sk_tensor` describing `array` in place (it must stay alive while the tensor is used)."""
    ndim = array.ndim
    dims = (ctypes.c_int64 * (2 * ndim))(*array.shape, *array.strides)
    t = Tensor(array.ctypes.data, DTYPE_CODES[array.dtype], ndim,
               ctypes.cast(dims, ctypes.POINTER(ctypes.c_int64)),
               ctypes.cast(ctypes.byref(dims, 8 * ndim), ctypes.POINTER(ctypes.c_int64)))
    t._keep = dims  # the shape and strides live as long as the struct
    return t


def check(status):
    """Raises the Python exception for a status code, with the library's message."""
    if status == OK:
        return
    message = lib.sk_last_error().decode("utf-8", "replace")
    if status == DTYPE:
        raise TypeError(message)
    if status == MEMORY:
        raise MemoryError(message)
    raise ValueError(message)
