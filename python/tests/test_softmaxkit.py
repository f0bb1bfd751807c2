"""The Python package against float64 NumPy references, the command-line tool and itself.

Run with `python -m pytest python/tests` after `pip install ./python`. SOFTMAXKIT_CLI names a built
`softmaxkit` executable for the comparison with the command line (skipped, saying so, without it).
"""

import ctypes
import importlib.util
import os
import subprocess
import tempfile
import threading

import numpy as np
import pytest

import softmaxkit as sk

RNG = np.random.default_rng(7)


def reference(x, axis, log=False):
    x = np.asarray(x, dtype=np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    lse = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return x - lse if log else np.exp(x - lse)


def layouts(shape, dtype):
    """The same values as a C-ordered, a Fortran-ordered and a strided (every other element of a
    bigger array, last axis reversed) array."""
    base = (RNG.standard_normal(shape) * 4).astype(dtype)
    yield "C", base
    yield "F", np.asfortranarray(base)
    big = np.zeros(tuple(2 * n for n in shape), dtype=dtype)
    view = big[tuple(slice(None, None, 2) for _ in shape)][..., ::-1]
    view[...] = base
    yield "strided", view


TOLERANCE = {np.float16: 2e-3, np.float32: 3e-6, np.float64: 1e-14}


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), (2, 1, 3, 5)])
def test_softmax_family_every_axis_and_layout(dtype, shape):
    for name, x in layouts(shape, dtype):
        for axis in range(-len(shape), len(shape)):
            for function, log in ((sk.softmax, False), (sk.log_softmax, True)):
                y = function(x, axis=axis)
                assert y.dtype == x.dtype and y.shape == x.shape, (name, axis)
                want = reference(x, axis, log)
                assert np.max(np.abs(y.astype(np.float64) - want) / np.maximum(1, np.abs(want))) <= TOLERANCE[dtype], (
                    name, axis, function.__name__)
            lse = sk.logsumexp(x, axis=axis)
            want = np.log(np.sum(np.exp(x.astype(np.float64)), axis=axis))
            assert lse.shape == want.shape and lse.dtype == x.dtype
            assert np.max(np.abs(lse.astype(np.float64) - want) / np.maximum(1, np.abs(want))) <= TOLERANCE[dtype]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_along_a_leading_axis_of_a_contiguous_array(dtype):
    # C-contiguous, rows along a non-last axis whose inner part holds whole vectors and a tail:
    # computed where they lie (no gathering copy), with the same contract as the last axis.
    for shape, axis in (((300, 40), 0), ((3, 50, 33), 0), ((3, 50, 33), 1), ((2, 1000, 17), -2)):
        x = (RNG.standard_normal(shape) * 5).astype(dtype)
        for function, log in ((sk.softmax, False), (sk.log_softmax, True)):
            for temperature in (1.0, 0.6):
                y = function(x, axis=axis, temperature=temperature)
                want = reference(x.astype(np.float64) / temperature, axis, log)
                error = np.max(np.abs(y.astype(np.float64) - want) / np.maximum(1, np.abs(want)))
                assert error <= 4 * TOLERANCE[dtype], (shape, axis, function.__name__, temperature, error)
        inplace = x.copy()
        sk.softmax(inplace, axis=axis, out=inplace)
        np.testing.assert_array_equal(inplace, sk.softmax(x, axis=axis))
    edge = np.tile(np.arange(40, dtype=dtype), (6, 1))
    edge[:, 0] = [1, np.nan, 2, 3, 4, 5]
    edge[:, 1] = [np.inf, 0, np.inf, -np.inf, 5, 6]
    edge[:, 2] = -np.inf
    y = sk.softmax(edge, axis=0)
    assert np.all(np.isnan(y[:, 0])) and list(y[:, 1]) == [0.5, 0, 0.5, 0, 0, 0] and np.all(y[:, 2] == 0)
    np.testing.assert_allclose(y[:, 3:], reference(edge[:, 3:].astype(np.float64), 0), rtol=0, atol=4 * TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_same_bits_whatever_the_layout_and_the_entry_point(dtype):
    # A result depends on the values, the shape and the axis only: every layout, the fast path,
    # the general path (algorithm named), any thread count and the registry's call agree bit for bit.
    for shape in ((40, 9), (3, 17, 5), (2, 3, 1), (5, 33)):
        for name, x in layouts(shape, dtype):
            contiguous = np.ascontiguousarray(x)
            for axis in range(-len(shape), len(shape)):
                for function, method in ((sk.softmax, "softmax"), (sk.log_softmax, "log-softmax")):
                    want = sk.call(method, x=contiguous, axis=axis, temperature=0.8)["y"]
                    for threads in (0, 1, 2):
                        got = function(x, axis=axis, temperature=0.8, threads=threads)
                        assert got.tobytes() == want.tobytes(), (shape, name, axis, method, threads)
                    named = function(x, axis=axis, temperature=0.8, algorithm="three-pass-reload")
                    assert named.tobytes() == want.tobytes(), (shape, name, axis, method, "named")
                    inplace = x.copy(order="K")
                    function(inplace, axis=axis, temperature=0.8, out=inplace)
                    assert np.ascontiguousarray(inplace).tobytes() == want.tobytes(), (shape, name, axis, method, "in place")


def test_temperature_algorithms_and_cheap_exponentials():
    x = RNG.standard_normal((4, 300)).astype(np.float32)
    want = reference(x / 2.5, -1)
    for algorithm in ("auto", "three-pass-reload", "three-pass-recompute", "two-pass", "online"):
        assert np.max(np.abs(sk.softmax(x, temperature=2.5, algorithm=algorithm) - want)) < 1e-6, algorithm
    cheap = sk.softmax(x, exp="schraudolph")
    assert 1e-5 < np.max(np.abs(cheap - reference(x, -1))) < 0.05, "a cheap exponential is close, not exact"


def test_out_in_place_and_edge_rows():
    x = RNG.standard_normal((3, 6))
    out = np.empty_like(x)
    assert sk.softmax(x, out=out) is out
    np.testing.assert_allclose(out, reference(x, -1), rtol=0, atol=1e-15)
    inplace = x.copy()
    sk.softmax(inplace, out=inplace, axis=0)
    np.testing.assert_allclose(inplace, reference(x, 0), rtol=0, atol=1e-15)
    edge = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [np.nan, 1.0]])
    y = sk.softmax(edge)
    assert np.all(y[0] == 0), "a fully masked row is zeros, never NaN"
    assert y[1, 0] == 1 and y[1, 1] == 0
    assert np.all(np.isnan(y[2]))
    assert sk.softmax(np.zeros((2, 0))).shape == (2, 0)
    assert sk.logsumexp(np.zeros((2, 0))).tolist() == [-np.inf, -np.inf]
    assert sk.softmax(np.float64(3.0)) == 1.0


def test_integers_are_computed_as_float64():
    y = sk.softmax(np.array([[1, 2, 3]]))
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, reference([[1, 2, 3]], -1), atol=1e-16)


def test_errors_are_python_exceptions_with_the_library_message():
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="axis 2 is out of range for input 'x' of shape \\(2, 3\\)"):
        sk.softmax(x, axis=2)
    with pytest.raises(ValueError, match="temperature"):
        sk.softmax(x, temperature=-1)
    with pytest.raises(ValueError, match="out has shape"):
        sk.softmax(x, out=np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError, match="dtype"):
        sk.softmax(x, out=np.zeros((2, 3), np.float64))
    with pytest.raises(TypeError, match="axis must be an integer"):
        sk.softmax(x, axis=1.5)
    with pytest.raises(ValueError, match="did you mean 'softmax'"):
        sk.call("sofmax", x=x)
    with pytest.raises(ValueError, match="exp"):
        sk.softmax(x, exp="nope")
    with pytest.raises(ValueError, match="labels"):
        sk.call("cross-entropy", logits=x)
    with pytest.raises(ValueError, match="read-only"):
        readonly = np.zeros((2, 3), np.float32)
        readonly.flags.writeable = False
        sk.softmax(x, out=readonly)


def test_call_every_role():
    logits = RNG.standard_normal((4, 5)).astype(np.float32)
    labels = np.array([0, 4, 2, 1])
    ce = sk.call("cross-entropy", logits=logits, labels=labels, reduction="none")
    want = -reference(logits, -1, log=True)[np.arange(4), labels]
    np.testing.assert_allclose(ce["per_example"], want, rtol=2e-6)
    assert set(ce) >= {"per_example", "grad"}
    assert sk.call("sparsemax", x=np.array([1.0, 2.0, 3.5]))["y"].tolist() == [0.0, 0.0, 1.0]
    y = sk.call("softmax", x=logits, axis=0, temperature=2.0)["y"]
    np.testing.assert_allclose(y, reference(logits / 2, 0), atol=1e-6)
    g = sk.call("gelu", x=np.linspace(-3, 3, 24).reshape(2, 3, 4))["y"]
    assert g.shape == (2, 3, 4)
    tokens = sk.call("sample-token", logits=logits, uniform=np.full(4, 0.5), temperature=1.0)
    assert tokens["token"].shape == (4,) and tokens["token"].dtype == np.int64


def test_attention_matches_numpy():
    q = RNG.standard_normal((2, 3, 16, 8)).astype(np.float32)
    k = RNG.standard_normal((2, 3, 20, 8)).astype(np.float32)
    v = RNG.standard_normal((2, 3, 20, 4)).astype(np.float32)
    scores = np.einsum("bhqd,bhkd->bhqk", q.astype(np.float64), k) / np.sqrt(8)
    out = sk.attention(q, k, v)
    np.testing.assert_allclose(out, reference(scores, -1) @ v.astype(np.float64), atol=2e-6)
    causal = np.tril(np.ones((16, 20), bool))
    masked = np.where(causal, scores, -np.inf)
    np.testing.assert_allclose(sk.attention(q, k, v, causal=True), reference(masked, -1) @ v, atol=2e-6)
    np.testing.assert_allclose(sk.attention(q, k, v, mask=causal), reference(masked, -1) @ v, atol=2e-6)


def test_attention_into_out_and_thread_counts():
    q = RNG.standard_normal((1, 2, 40, 8)).astype(np.float32)
    k = RNG.standard_normal((1, 2, 50, 8)).astype(np.float32)
    v = RNG.standard_normal((1, 2, 50, 8)).astype(np.float32)
    want = sk.attention(q, k, v, causal="bottom-right")
    for threads in (1, 2, 3):
        assert sk.attention(q, k, v, causal="bottom-right", threads=threads).tobytes() == want.tobytes(), threads
    out = np.full(want.shape, np.nan, np.float32)
    assert sk.attention(q, k, v, causal="bottom-right", out=out) is out
    assert out.tobytes() == want.tobytes()
    strided = np.zeros((1, 2, 40, 16), np.float64)[..., ::2]  # float64, every other column
    sk.attention(q, k, v, causal="bottom-right", out=strided)
    assert np.array_equal(strided, want.astype(np.float64))
    with pytest.raises(ValueError, match="shape"):
        sk.attention(q, k, v, out=np.zeros((1, 2, 40, 7), np.float32))
    with pytest.raises(TypeError, match="float16, float32 or float64"):
        sk.attention(q, k, v, out=np.zeros(want.shape, np.int32))
    with pytest.raises(TypeError, match="writeable"):
        sk.attention(q, k, v, out=[0.0])
    x = RNG.standard_normal((6, 300)).astype(np.float32)
    serial = sk.call("entmax15", x=x)["y"]
    for threads in (1, 2):
        assert sk.call("entmax15", x=x, threads=threads)["y"].tobytes() == serial.tobytes()
    with pytest.raises(ValueError, match="threads must be 0"):
        sk.call("entmax15", x=x, threads=-1)
    with pytest.raises(TypeError, match="threads must be an integer"):
        sk.call("entmax15", x=x, threads="2")


def test_aligned_outputs():
    for shape, dtype in (((3, 5), np.float16), ((256, 4096), np.float32), (7, np.float64), ((0, 4), np.float32)):
        a = sk.empty(shape, dtype)
        assert a.dtype == dtype and a.shape == np.empty(shape).shape
        assert a.size == 0 or a.ctypes.data % sk.ALIGNMENT == 0  # an empty array has no data to align
        assert a.flags.c_contiguous and a.flags.writeable
    x = RNG.standard_normal((256, 1024)).astype(np.float32)  # 1 MiB: the package's own output is aligned
    y = sk.softmax(x)
    assert y.ctypes.data % sk.ALIGNMENT == 0
    assert y.tobytes() == sk.softmax(x, out=np.empty_like(x)).tobytes()  # alignment changes no bit
    assert sk.call("softmax", x=x)["y"].ctypes.data % sk.ALIGNMENT == 0
    assert sk.empty_like(x).shape == x.shape


def half_a_page_apart(y, x):
    """y starts on a 64-byte boundary, 2 KiB (to a cache line) past x modulo 4 KiB."""
    return y.ctypes.data % sk.ALIGNMENT == 0 and y.ctypes.data % 4096 == (x.ctypes.data + 2048) % 4096 // 64 * 64


def test_capsule_pointer_read_in_place_agrees_with_the_api(monkeypatch):
    from softmaxkit import _library
    if _library.CAPSULE_POINTER_OFFSET is None:
        pytest.skip("this interpreter's object header is not the standard one: the package calls PyCapsule_GetPointer")
    arrays = [np.ones(()), RNG.standard_normal((5, 7)).astype(np.float16), RNG.standard_normal((6, 9))[::2, ::-3],
              np.asfortranarray(RNG.standard_normal((4, 3)).astype(np.float32))]
    for a in arrays:
        capsule = a.__array_struct__
        read = ctypes.c_void_p.from_address(id(capsule) + _library.CAPSULE_POINTER_OFFSET).value
        assert read == _library.array_interface(capsule)
    x = RNG.standard_normal((16, 33)).astype(np.float32)
    fast = sk.softmax(x).tobytes(), sk.log_softmax(x).tobytes()
    monkeypatch.setattr(sk, "_capsule_offset", None)  # the API path gives the same bits
    assert (sk.softmax(x).tobytes(), sk.log_softmax(x).tobytes()) == fast


def test_outputs_lie_half_a_page_from_their_input():
    base = RNG.standard_normal(256 * 1024 + 1024).astype(np.float32)
    for shift in (0, 1, 4, 15, 16, 17, 512):  # x at every offset within a cache line, and past one
        x = base[shift:shift + 256 * 1024].reshape(256, 1024)  # 1 MiB: the package places its output
        for y in (sk.empty_like(x), sk.softmax(x), sk.log_softmax(x), sk.softmax(x, axis=0),
                  sk.softmax(x, algorithm="two-pass")):
            assert half_a_page_apart(y, x), (shift, y.ctypes.data % 4096, x.ctypes.data % 4096)
        assert sk.softmax(x).tobytes() == sk.softmax(x, out=np.empty_like(x)).tobytes()  # placement changes no bit
    for dtype in (np.float16, np.float64):
        x = np.ones((1024, 1024), dtype)
        assert half_a_page_apart(sk.empty_like(x), x) and sk.empty_like(x).dtype == dtype
    small = np.ones((8, 1000), np.float32)  # below 1 MiB: NumPy's own allocation, no slack
    assert sk.softmax(small).base is None


def test_losses_take_classes_along_any_axis():
    # PyTorch's cross_entropy layout: (N, C, d) with the classes along axis 1.
    logits = RNG.standard_normal((4, 7, 5))
    labels = RNG.integers(0, 7, size=(4, 5))
    got = sk.call("cross-entropy", logits=logits, labels=labels, axis=1)
    lse = np.log(np.sum(np.exp(logits), axis=1))
    picked = np.take_along_axis(logits, labels[:, None, :], axis=1)[:, 0, :]
    np.testing.assert_allclose(got["per_example"], lse - picked, rtol=1e-13)
    assert got["grad"].shape == logits.shape and got["per_example"].shape == labels.shape
    np.testing.assert_allclose(got["loss"], np.mean(lse - picked), rtol=1e-13)


def test_methods_listing():
    listing = sk.methods()
    ids = {m["id"] for m in listing}
    assert {"softmax", "log-softmax", "logsumexp", "sparsemax", "attention", "cross-entropy"} <= ids
    softmax = sk.describe("softmax")
    assert {p["name"] for p in softmax["parameters"]} >= {"temperature", "algorithm", "exp", "axis"}
    assert softmax["citation"] and softmax["role"] == "normalizer"


def test_torch_tensors_without_a_copy():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed; the zero-copy check needs it")
    t = torch.randn(4, 7, dtype=torch.float32)
    assert np.shares_memory(np.asarray(t), t.numpy())
    y = sk.softmax(t, axis=0)
    np.testing.assert_allclose(y, torch.softmax(t, dim=0).numpy(), atol=1e-6)
    out = t.numpy()
    sk.log_softmax(out, out=out)  # in place, into the tensor's own memory
    assert torch.allclose(t.exp().sum(-1), torch.ones(4))


def test_concurrent_calls_equal_serial_calls():
    xs = [RNG.standard_normal((64, 1000)).astype(np.float32) for _ in range(8)]
    serial = [sk.softmax(x, axis=i % 2) for i, x in enumerate(xs)]
    results = [None] * 8
    errors = []

    def work(i):
        try:
            for _ in range(20):
                results[i] = sk.softmax(xs[i], axis=i % 2)
            with pytest.raises(ValueError):
                sk.softmax(xs[i], axis=9)
        except Exception as e:  # reported below, on the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i in range(8):
        assert np.array_equal(results[i], serial[i]), i


def _call_inputs():
    """The seeded inputs scripts/compare-call-outputs.py gives every method (one generator for both checks)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "compare-call-outputs.py")
    spec = importlib.util.spec_from_file_location("compare_call_outputs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.inputs_for


CLI = os.environ.get("SOFTMAXKIT_CLI")


@pytest.mark.skipif(not CLI, reason="SOFTMAXKIT_CLI (a built softmaxkit executable) is not set")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_method_bit_identical_to_the_command_line(dtype):
    """Every registered id, called from Python and through `softmaxkit call` on the same inputs:
    the same output files bit for bit, or the same one-line error."""
    inputs_for = _call_inputs()
    compared = refused = 0
    with tempfile.TemporaryDirectory() as folder:
        for method in sk.methods():
            method_id = method["id"]
            rng = np.random.default_rng(sum(map(ord, method_id)))
            inputs = inputs_for(method, rng, dtype)
            command = [CLI, "call", method_id, "--output-dir", os.path.join(folder, method_id)]
            for name, value in inputs.items():
                np.save(os.path.join(folder, f"{method_id}-{name}.npy"), value)
                command += ["--input", f"{name}={folder}/{method_id}-{name}.npy"]
            cli = subprocess.run(command, capture_output=True, text=True, timeout=300)
            try:
                ours = sk.call(method_id, **inputs)
            except (ValueError, TypeError) as error:
                assert cli.returncode != 0, f"{method_id}: Python refused ({error}) what the CLI computed"
                assert str(error) in cli.stderr, f"{method_id}: {error!r} vs {cli.stderr!r}"
                refused += 1
                continue
            assert cli.returncode == 0, f"{method_id}: the CLI refused ({cli.stderr.strip()}) what Python computed"
            files = sorted(os.listdir(os.path.join(folder, method_id)))
            assert sorted(f"{name}.npy" for name in ours) == [f for f in files if not f.startswith(".")], method_id
            for name, value in ours.items():
                from_cli = np.load(os.path.join(folder, method_id, f"{name}.npy"))
                assert value.dtype == from_cli.dtype and value.shape == from_cli.shape, (method_id, name)
                assert value.tobytes() == from_cli.tobytes(), f"{method_id}: output {name} differs"
            compared += 1
    assert compared >= 50, f"only {compared} methods computed ({refused} refused)"


@pytest.mark.skipif(not CLI, reason="SOFTMAXKIT_CLI (a built softmaxkit executable) is not set")
def test_axis_and_parameters_bit_identical_to_the_command_line():
    x = RNG.standard_normal((3, 4, 50)).astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        np.save(os.path.join(folder, "x.npy"), x)
        for method, params in (("softmax", {"axis": 1}), ("log-softmax", {"temperature": 0.5}), ("entmax15", {"axis": 0}),
                               ("logsumexp", {"axis": 0})):
            command = [CLI, "call", method, "--input", f"x={folder}/x.npy", "--output-dir", f"{folder}/{method}"]
            for name, value in params.items():
                command += ["--param", f"{name}={value}"]
            subprocess.run(command, check=True)
            from_cli = np.load(f"{folder}/{method}/y.npy")
            assert np.array_equal(sk.call(method, x=x, **params)["y"], from_cli), method
        for axis in (0, 1, 2):  # the direct functions equal the registry's path bit for bit
            assert np.array_equal(sk.softmax(x, axis=axis), sk.call("softmax", x=x, axis=axis)["y"])
            assert np.array_equal(sk.logsumexp(x, axis=axis), sk.call("logsumexp", x=x, axis=axis)["y"])
