#!/usr/bin/env python3
"""Times NumPy and ONNX Runtime softmax on the shapes of `softmaxkit bench`, and prints them side
by side with SoftmaxKit's own figures from the same run.

    python3 Benchmarks/peers.py --softmaxkit .build/release/softmaxkit [--threads 1] [--rounds 3]

Runs `softmaxkit bench --json` for the default sweep (or reads --swift-json FILE), then times each
(rows, cols) shape with NumPy (exp(x - max) / sum, in float32) and ONNX Runtime (a one-node Softmax
model, axis = -1, intra-op threads = --threads), and prints a Markdown table: GB/s (4 bytes read +
4 written per element) and the ratio of SoftmaxKit's default softmax to each peer. With
--rounds N the whole comparison runs N times, interleaved, and each cell is the median over the
rounds (the ratio column also gives the range of the per-round ratios): on a shared machine a
single round moves by tens of percent. The ratio columns are paired: in each round, each shape's
default softmax (`softmaxkit bench --rows R --cols C`) is timed right before (odd rounds) or after
(even rounds) the peers on that shape, so a slow spell of the machine hits both sides alike; the
"paired" column shows those figures of SoftmaxKit.

Then it measures what each one's speed buys: the largest relative error of every output >= 1e-30
against a float64 softmax, on 4*N(0, 1) rows (the benchmark's data) and on N(0, 10^2) and N(0, 100^2) rows.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

import numpy as np


def median_seconds(fn, x, repeats):
    n = x.size
    inner = max(1, min(100000, (64 << 20) // max(n * 8, 1)))
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
    args = p.parse_args()

    try:
        session = onnx_session(args.threads)
    except Exception as e:  # onnxruntime missing: say so, keep NumPy
        print("ONNX Runtime unavailable (%s); pip install -r Benchmarks/requirements.txt" % e, file=sys.stderr)
        session = None

    ours, peers, copies = {}, {}, []
    for round in range(max(1, args.rounds)):
        swift = swift_bench(args)
        copies += [r["copy_gbps"] for r in swift[:1]]
        for r in swift:
            ours.setdefault((r["rows"], r["cols"], r["level"]), {}).setdefault(r["variant"], []).append(r["gbps"])
        for rows, cols, level in sorted({(r["rows"], r["cols"], r["level"]) for r in swift}):
            x = np.random.default_rng(42).standard_normal((rows, cols)).astype(np.float32) * 4
            gb = rows * cols * 8 / 1e9
            cell = peers.setdefault((rows, cols, level), {"NumPy": [], "ORT": [], "paired": []})
            paired = args.swift_json is None
            if paired and round % 2 == 0:
                cell["paired"].append(swift_shape(args, rows, cols))
            cell["NumPy"].append(gb / median_seconds(numpy_softmax, x, args.repeat))
            cell["ORT"].append(gb / median_seconds(lambda a: session.run(None, {"x": a}), x, args.repeat)
                               if session is not None else float("nan"))
            if paired and round % 2 == 1:
                cell["paired"].append(swift_shape(args, rows, cols))

    shapes = sorted(ours, key=lambda s: (s[1], s[0] * s[1]))
    variants = sorted({v for cell in ours.values() for v in cell})
    default = "softmax[algorithm=three-pass-reload]"
    header = ["cols", "level", "rows"] + variants + ["paired", "NumPy", "ONNX Runtime", "default ÷ NumPy", "default ÷ ORT"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    med = statistics.median
    for shape in shapes:
        cols, level, rows = shape[1], shape[2], shape[0]
        mine = {v: med(g) for v, g in ours[shape].items()}
        np_gbps, ort_gbps = med(peers[shape]["NumPy"]), med(peers[shape]["ORT"])
        paired = peers[shape]["paired"] or ours[shape].get(default, [float("nan")])
        d = med(paired)
        ratio = "%.2f×" % (d / ort_gbps)
        if args.rounds > 1:
            each = [a / b for a, b in zip(paired, peers[shape]["ORT"])]
            ratio += " (%.2f–%.2f)" % (min(each), max(each))
        cells = [str(cols), level, str(rows)] + ["%.1f" % mine.get(v, float("nan")) for v in variants] + \
                ["%.1f" % d, "%.1f" % np_gbps, "%.1f" % ort_gbps, "%.2f×" % (d / np_gbps), ratio]
        print("| " + " | ".join(cells) + " |", flush=True)
    print("\nGB/s counts 4 bytes read + 4 written per float32 element; copy bandwidth measured by "
          "softmaxkit in the same run: %.1f GB/s; %d thread(s); median of %d round(s)."
          % (med(copies) if copies else float("nan"), args.threads, max(1, args.rounds)))

    if not args.swift_json:
        print("\nLargest relative error of any output ≥ 1e-30 against a float64 softmax (float32 inputs):\n")
        print("| rows | NumPy | ONNX Runtime | SoftmaxKit |")
        print("|---|---|---|---|")
        for name, errors in accuracy(args, session):
            print("| %s | %s |" % (name, " | ".join("%.1e" % e for e in errors)))


if __name__ == "__main__":
    main()
