#!/usr/bin/env python3
"""Times NumPy and ONNX Runtime softmax on the shapes of `softmaxkit bench`, and prints them side
by side with SoftmaxKit's own figures from the same run.

    python3 Benchmarks/peers.py --softmaxkit .build/release/softmaxkit [--threads 1] [--quick]

Runs `softmaxkit bench --json` for the default sweep (or reads --swift-json FILE), then times each
(rows, cols) shape with NumPy (exp(x - max) / sum, in float32) and ONNX Runtime (a one-node Softmax
model, axis = -1, intra-op threads = --threads), and prints a Markdown table: GB/s (4 bytes read +
4 written per element) and the ratio of SoftmaxKit's default softmax to each peer.
"""
import argparse, json, os, subprocess, sys, time

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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--softmaxkit", default=".build/release/softmaxkit")
    p.add_argument("--swift-json", help="read SoftmaxKit results from this file instead of running the bench")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()

    if args.swift_json:
        lines = open(args.swift_json).read().splitlines()
    else:
        cmd = [args.softmaxkit, "bench", "--json", "--threads", str(args.threads), "--repeat", str(args.repeat)]
        print("running:", " ".join(cmd), file=sys.stderr)
        lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    swift = [json.loads(l) for l in lines if l.strip()]

    try:
        session = onnx_session(args.threads)
    except Exception as e:  # onnxruntime missing: say so, keep NumPy
        print("ONNX Runtime unavailable (%s); pip install -r Benchmarks/requirements.txt" % e, file=sys.stderr)
        session = None

    shapes = sorted({(r["rows"], r["cols"], r["level"]) for r in swift}, key=lambda s: (s[1], s[0] * s[1]))
    variants = sorted({r["variant"] for r in swift})
    default = "softmax[algorithm=three-pass-reload]"
    header = ["cols", "level", "rows"] + variants + ["NumPy", "ONNX Runtime", "default ÷ NumPy", "default ÷ ORT"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    copy = swift[0]["copy_gbps"] if swift else float("nan")
    for rows, cols, level in shapes:
        x = np.random.default_rng(42).standard_normal((rows, cols)).astype(np.float32) * 4
        gb = rows * cols * 8 / 1e9
        np_gbps = gb / median_seconds(numpy_softmax, x, args.repeat)
        ort_gbps = float("nan")
        if session is not None:
            ort_gbps = gb / median_seconds(lambda a: session.run(None, {"x": a}), x, args.repeat)
        ours = {r["variant"]: r["gbps"] for r in swift if (r["rows"], r["cols"]) == (rows, cols)}
        d = ours.get(default, float("nan"))
        cells = [str(cols), level, str(rows)] + ["%.1f" % ours.get(v, float("nan")) for v in variants] + \
                ["%.1f" % np_gbps, "%.1f" % ort_gbps, "%.2f×" % (d / np_gbps), "%.2f×" % (d / ort_gbps)]
        print("| " + " | ".join(cells) + " |", flush=True)
    print("\nGB/s counts 4 bytes read + 4 written per float32 element; copy bandwidth measured by "
          "softmaxkit in the same run: %.1f GB/s; %d thread(s)." % (copy, args.threads))


if __name__ == "__main__":
    main()
