#!/usr/bin/env python3
"""Times NumPy, ONNX Runtime, PyTorch and a hand-written C kernel on the softmax shapes of
`softmaxkit bench`, and prints them side by side with SoftmaxKit's own figures from the same run.

    python3 Benchmarks/peers.py --softmaxkit .build/release/softmaxkit [--threads 1] [--rounds 3]

Runs `softmaxkit bench --json` for the default sweep (or reads --swift-json FILE), then times each
(rows, cols) shape with NumPy (exp(x - max) / sum, in float32), ONNX Runtime (a one-node Softmax
model, axis = -1, intra-op threads = --threads), PyTorch (`torch.softmax` and `torch.log_softmax`,
when installed: Benchmarks/peers-env.sh --lm) and the C kernels of Benchmarks/reference/softmax_ref.c
(built here for this CPU with gcc, called on the same arrays: the fastest of its softmax variants
and of its log-softmax variants, each by name), and prints Markdown tables: GB/s (4 bytes read + 4
written per element) and the ratio of SoftmaxKit's default softmax to each peer; the figures, with
the machine, commit and date, go to a results file (--output; Benchmarks/tables.py renders it into
BENCHMARKS.md). With --rounds N the whole comparison runs N times, interleaved, and each cell is the
median over the rounds (the ratio columns also give the range of the per-round ratios): on a shared
machine a single round moves by tens of percent. The softmax ratios are paired: in each round, each
shape's default softmax (`softmaxkit bench --rows R --cols C`) is timed right before (odd rounds)
or after (even rounds) the peers on that shape, so a slow spell of the machine hits both sides
alike.

Then it measures what each one's speed buys: the largest relative error of every output >= 1e-30
against a float64 softmax, on 4*N(0, 1) rows (the benchmark's data) and on N(0, 10^2) and N(0, 100^2) rows.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child_process, provenance, tables


def median_seconds(fn, x, repeats):
    n = x.numel() if callable(getattr(x, "numel", None)) else x.size  # a torch tensor, or an array
    inner = max(1, min(100000, (64 << 20) // max(n * 8, 1)))
    child_process.settle()
    fn(x)  # warm-up
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            fn(x)
        samples.append((time.perf_counter() - t) / inner)
    samples.sort()
    return samples[len(samples) // 2]


def numpy_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    e = np.exp(x - m)
    e /= e.sum(axis=-1, keepdims=True)
    return e


def onnx_session(threads):
    import onnx
    from onnx import TensorProto, helper
    import onnxruntime as ort
    node = helper.make_node("Softmax", ["x"], ["y"], axis=-1)
    graph = helper.make_graph([node], "softmax",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["R", "C"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["R", "C"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


# The hand-written C kernels of Benchmarks/reference/softmax_ref.c (AVX2 + FMA intrinsics): their
# library entry's algorithm numbers, softmax and log-softmax.
C_SOFTMAX = {"3pass": 0, "3pass-recomp": 1, "2pass": 2, "online": 3, "2pass-nt": 7, "online-nt": 8,
             "3pass-nt": 10, "3pass-pf": 12, "3pass-pf-nt": 13}
C_LOG_SOFTMAX = {"logsm-3pass": 4, "logsm-online": 5, "logsm-online-nt": 11}


def c_reference():
    """The C reference as a function (algorithm, x, y, threads), built for this CPU into the
    virtual environment's folder; None where there is no C compiler or the CPU lacks AVX2/FMA."""
    import ctypes, shutil
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.path.join(here, "reference", "softmax_ref.c")
    library = os.path.join(here, ".venv", "softmax_ref.so")
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        print("no C compiler: the C reference is left out (apt-get install gcc)", file=sys.stderr)
        return None
    if not os.path.exists(library) or os.path.getmtime(library) < os.path.getmtime(source):
        os.makedirs(os.path.dirname(library), exist_ok=True)
        build = subprocess.run([compiler, "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-DANCHORS_LIB",
                                "-o", library, source, "-lm"], capture_output=True, text=True)
        if build.returncode != 0:
            print("the C reference did not build (it needs AVX2 and FMA): %s" % build.stderr.strip()[:300],
                  file=sys.stderr)
            return None
    lib = ctypes.CDLL(library)
    lib.anchors_softmax_seconds.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                            ctypes.c_size_t, ctypes.c_int, ctypes.c_long]
    lib.anchors_softmax_seconds.restype = ctypes.c_double

    def seconds(algorithm, x, y, threads, calls):
        """Seconds per call, timed inside C over `calls` calls (no Python overhead per call)."""
        s = lib.anchors_softmax_seconds(algorithm, x.ctypes.data, y.ctypes.data, x.shape[0], x.shape[1], threads, calls)
        if s < 0:
            raise RuntimeError("the C reference refused algorithm %d" % algorithm)
        return s
    return seconds


def placed(values, page_offset):
    """A copy of `values` whose data starts `page_offset` bytes into a 4 KiB page (a multiple of
    64: cache-line aligned). Every side reads the same 64-byte aligned input, and the C kernels
    write an output half a page past it: the layout `softmaxkit bench` times (the output's offset
    from the input decides whether loads and stores alias; BENCHMARKS.md, "Where the output lies")."""
    import numpy as np
    buffer = np.empty(values.size + 1024, dtype=values.dtype)
    start = ((page_offset - buffer.ctypes.data) % 4096) // values.itemsize
    out = buffer[start:start + values.size].reshape(values.shape)
    out[...] = values
    return out


def best_of(kernels, x, y, repeat, threads, seconds):
    """The fastest of `kernels` (name -> algorithm number) on x: (name, GB/s), and every one's GB/s;
    each the median of `repeat` samples of enough calls to move 64 MiB, as `median_seconds` times."""
    calls = max(1, min(100000, (64 << 20) // max(x.size * 8, 1)))
    each = {}
    for name, k in kernels.items():
        child_process.settle()
        seconds(k, x, y, threads, 1)  # warm-up
        each[name] = x.size * 8 / 1e9 / statistics.median(seconds(k, x, y, threads, calls) for _ in range(repeat))
    name = max(each, key=each.get)
    return name, each[name], each


def swift_bench(args):
    if args.swift_json:
        lines = open(args.swift_json).read().splitlines()
    else:
        cmd = [args.softmaxkit, "bench", "--json", "--threads", str(args.threads), "--repeat", str(args.repeat)]
        print("running:", " ".join(cmd), file=sys.stderr)
        lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    return [json.loads(l) for l in lines if l.strip()]


def swift_shape(args, rows, cols):
    """SoftmaxKit's default softmax on one shape, GB/s."""
    cmd = [args.softmaxkit, "bench", "--json", "--method", "softmax", "--rows", str(rows), "--cols", str(cols),
           "--threads", str(args.threads), "--repeat", str(args.repeat)]
    child_process.settle()
    lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    return [json.loads(l) for l in lines if l.strip()][-1]["gbps"]


def largest_relative_error(y, reference):
    keep = reference >= 1e-30
    return float(np.max(np.abs(y.astype(np.float64)[keep] - reference[keep]) / reference[keep]))


def accuracy(args, session):
    """Rows: the largest relative error of NumPy, ONNX Runtime and SoftmaxKit's default softmax."""
    rng = np.random.default_rng(7)
    workloads = [("4·N(0, 1), 1024 wide", rng.standard_normal((256, 1024)) * 4),
                 ("N(0, 10²), 1024 wide", rng.standard_normal((256, 1024)) * 10),
                 ("N(0, 100²), 1024 wide", rng.standard_normal((256, 1024)) * 100)]
    rows = []
    for name, x64 in workloads:
        x = x64.astype(np.float32)
        xd = x.astype(np.float64)
        reference = np.exp(xd - xd.max(axis=-1, keepdims=True))
        reference /= reference.sum(axis=-1, keepdims=True)
        errors = [largest_relative_error(numpy_softmax(x), reference)]
        errors.append(largest_relative_error(session.run(None, {"x": x})[0], reference) if session else float("nan"))
        with tempfile.TemporaryDirectory() as d:
            np.save(os.path.join(d, "x.npy"), x)
            subprocess.run([args.softmaxkit, "call", "softmax", "--input", "x=" + os.path.join(d, "x.npy"),
                            "--output-dir", d], check=True, capture_output=True)
            errors.append(largest_relative_error(np.load(os.path.join(d, "y.npy")), reference))
        rows.append((name, errors))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--softmaxkit", default=".build/release/softmaxkit")
    p.add_argument("--swift-json", help="read SoftmaxKit results from this file instead of running the bench")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--rounds", type=int, default=1, help="run the comparison this many times; report medians")
    p.add_argument("--output", help="results file (default Benchmarks/results/softmax-peers.json)")
    args = p.parse_args()
    output = args.output or os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "softmax-peers.json")
    header = provenance.record(" ".join(["python3", "Benchmarks/peers.py"] + sys.argv[1:]))

    versions = {"NumPy": np.__version__}
    try:
        session = onnx_session(args.threads)
        import onnxruntime
        versions["ONNX Runtime"] = onnxruntime.__version__
    except Exception as e:  # onnxruntime missing: say so, keep NumPy
        print("ONNX Runtime unavailable (%s); pip install -r Benchmarks/requirements.txt" % e, file=sys.stderr)
        session = None

    try:
        import torch
        torch.set_num_threads(args.threads)
        versions["PyTorch"] = torch.__version__
    except ImportError:
        print("PyTorch unavailable: Benchmarks/peers-env.sh --lm installs the CPU wheel", file=sys.stderr)
        torch = None
    c_call = c_reference()
    if c_call is not None:
        versions["C reference"] = "Benchmarks/reference/softmax_ref.c"

    ours, peers, copies = {}, {}, []
    for round in range(max(1, args.rounds)):
        swift = swift_bench(args)
        copies += [r["copy_gbps"] for r in swift[:1]]
        for r in swift:
            ours.setdefault((r["rows"], r["cols"], r["level"]), {}).setdefault(r["variant"], []).append(r["gbps"])
        for rows, cols, level in sorted({(r["rows"], r["cols"], r["level"]) for r in swift}):
            x = placed(np.random.default_rng(42).standard_normal((rows, cols)).astype(np.float32) * 4, 0)
            gb = rows * cols * 8 / 1e9
            cell = peers.setdefault((rows, cols, level), {"numpy": [], "ort": [], "paired": [], "torch": [],
                                                          "torch_log": [], "c_best": [], "c_best_name": [],
                                                          "c_3pass": [], "c_log_best": [], "c_log_best_name": []})
            paired = args.swift_json is None
            if paired and round % 2 == 0:
                cell["paired"].append(swift_shape(args, rows, cols))
            cell["numpy"].append(gb / median_seconds(numpy_softmax, x, args.repeat))
            cell["ort"].append(gb / median_seconds(lambda a: session.run(None, {"x": a}), x, args.repeat)
                               if session is not None else float("nan"))
            if torch is not None:
                t = torch.from_numpy(x)
                cell["torch"].append(gb / median_seconds(lambda a: torch.softmax(a, dim=-1), t, args.repeat))
                cell["torch_log"].append(gb / median_seconds(lambda a: torch.log_softmax(a, dim=-1), t, args.repeat))
            if c_call is not None:
                y = placed(np.zeros_like(x), 2048)
                name, speed, each = best_of(C_SOFTMAX, x, y, args.repeat, args.threads, c_call)
                cell["c_best"].append(speed)
                cell["c_best_name"].append(name)
                cell["c_3pass"].append(each["3pass"])
                name, speed, _ = best_of(C_LOG_SOFTMAX, x, y, args.repeat, args.threads, c_call)
                cell["c_log_best"].append(speed)
                cell["c_log_best_name"].append(name)
                del y
            if paired and round % 2 == 1:
                cell["paired"].append(swift_shape(args, rows, cols))
        print("round %d of %d done" % (round + 1, max(1, args.rounds)), file=sys.stderr)

    result = {"kind": "softmax-peers", "header": header, "threads": args.threads, "rounds": max(1, args.rounds),
              "versions": versions, "copy_gbps": copies,
              "shapes": [dict(rows=rows, cols=cols, level=level, variants=ours[(rows, cols, level)],
                              **peers[(rows, cols, level)]) for rows, cols, level in ours]}
    if not args.swift_json:
        result["accuracy"] = [{"rows": name, "numpy": e[0], "ort": e[1], "softmaxkit": e[2]}
                              for name, e in accuracy(args, session)]
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(output), delete=False, suffix=".tmp") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(f.name, output)
    print(tables.render(output))
    print("\nwrote " + output, file=sys.stderr)


if __name__ == "__main__":
    main()
