#!/usr/bin/env python3
"""Times the `softmaxkit` Python package against SciPy, PyTorch and NumPy on small and mid-sized
arrays, where a call's overhead matters as much as the kernel, in one run, and writes the figures
(Benchmarks/results/python-peers.json; Benchmarks/tables.py renders them into BENCHMARKS.md).

    $(Benchmarks/peers-env.sh --lm) Benchmarks/python_peers.py --library .build/release/libSoftmaxKitC.so

The package is imported from python/ with SOFTMAXKIT_LIBRARY pointing at --library (build it with
`swift build -c release -Xswiftc -target-cpu -Xswiftc native --product SoftmaxKitC`). Cases: a
one-element softmax with `out=` (the per-call overhead), softmax and log-softmax of 8 × 1000 float32,
and 64 × 1000 along axis 0 against the same along axis −1 (the cost of a non-last axis), and
256 × 4096 into an aligned `out=` (`softmaxkit.empty_like`) against `softmaxkit bench`. Peers:
`scipy.special.softmax`/`log_softmax`, `torch.softmax`/`log_softmax` on `torch.from_numpy` views,
and NumPy written out (x − max, exp, ÷ sum). Each timing is a loop of calls long enough to last
~20 ms, repeated --repeat times with the sides rotating; a cell is the median over the repeats,
then over --rounds child processes (thread variables set before NumPy and PyTorch load).
"""
import argparse, json, os, sys, timeit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import child_process, provenance

CASES = [  # name, shape, axis, function
    ("overhead", (1,), -1, "softmax"),
    ("8×1000", (8, 1000), -1, "softmax"),
    ("8×1000", (8, 1000), -1, "log_softmax"),
    ("64×1000", (64, 1000), -1, "softmax"),
    ("64×1000", (64, 1000), 0, "softmax"),
    ("256×4096", (256, 4096), -1, "softmax"),  # against `softmaxkit bench` on the same shape (with out=)
]
LARGE = "256×4096"


def microseconds(fn):
    child_process.settle()
    fn()
    n = max(1, int(0.02 / max(timeit.timeit(fn, number=1), 1e-7)))
    return timeit.timeit(fn, number=n) / n * 1e6


def peers_child(threads, repeat):
    import statistics
    import numpy as np
    import softmaxkit
    try:
        import scipy.special as scipy_special
        import scipy
    except ImportError:
        scipy = scipy_special = None
    try:
        import torch
        torch.set_num_threads(threads)
    except ImportError:
        torch = None
    result = {"versions": {"numpy": np.__version__, "scipy": scipy.__version__ if scipy else None,
                           "pytorch": torch.__version__ if torch else None, "softmaxkit": softmaxkit.__version__},
              "cases": []}
    rng = np.random.default_rng(0)
    for name, shape, axis, function in CASES:
        x = (rng.standard_normal(shape) * 3).astype(np.float32)
        # The large case writes into a 64-byte aligned array, as the package allocates its own
        # outputs from 1 MiB (NumPy's are 16-byte aligned; x stays NumPy's).
        out = softmaxkit.empty_like(x) if name == LARGE else np.empty_like(x)
        log = function == "log_softmax"
        ours = getattr(softmaxkit, function)

        def numpy_side():
            s = x - x.max(axis=axis, keepdims=True)
            if log:
                return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))
            e = np.exp(s)
            return e / e.sum(axis=axis, keepdims=True)

        sides = {"softmaxkit": (lambda: ours(x, axis=axis, out=out, threads=threads)) if name in ("overhead", LARGE)
                 else (lambda: ours(x, axis=axis, threads=threads)), "numpy": numpy_side}
        if scipy_special:
            sides["scipy"] = lambda f=getattr(scipy_special, function): f(x, axis=axis)
        if torch:
            t = torch.from_numpy(x)
            sides["pytorch"] = lambda f=getattr(torch, function): f(t, dim=axis)
        times = {side: [] for side in sides}
        order = list(sides)
        for r in range(repeat):
            for side in order[r % len(order):] + order[:r % len(order)]:
                times[side].append(microseconds(sides[side]))
        result["cases"].append({"case": name, "shape": list(shape), "axis": axis, "function": function,
                                "threads": threads, **{side: statistics.median(v) for side, v in times.items()}})
    print(json.dumps(result))


def bench_microseconds(cli, shape, threads):
    """`softmaxkit bench` on the same shape: its time per call in µs (from elements per ns)."""
    import subprocess
    out = subprocess.run([cli, "bench", "--method", "softmax", "--rows", str(shape[0]), "--cols", str(shape[1]),
                          "--threads", str(threads), "--json"], capture_output=True, text=True, check=True).stdout
    record = [json.loads(line) for line in out.splitlines() if line.strip()][-1]
    return shape[0] * shape[1] / record["elements_per_ns"] / 1000


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--library", default=os.path.join(HERE, "..", ".build", "release", "libSoftmaxKitC.so"))
    p.add_argument("--softmaxkit", default=os.path.join(HERE, "..", ".build", "release", "softmaxkit"),
                   help="the CLI whose `bench` the large case is compared with (skipped when absent)")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--output", default=os.path.join(HERE, "results", "python-peers.json"))
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        peers_child(args.child, args.repeat)
        return
    library = os.path.abspath(args.library)
    if not os.path.exists(library):
        sys.exit("python_peers.py: %s: no such file (build it: swift build -c release -Xswiftc -target-cpu -Xswiftc native "
                 "--product SoftmaxKitC)" % library)
    os.environ["SOFTMAXKIT_LIBRARY"] = library
    os.environ["PYTHONPATH"] = os.path.join(HERE, "..", "python") + os.pathsep + os.environ.get("PYTHONPATH", "")
    header = provenance.record(" ".join(["python3", "Benchmarks/python_peers.py"] + sys.argv[1:]))
    rounds = []
    for r in range(args.rounds):
        for t in [int(t) for t in args.threads.split(",")]:
            result = child_process.run(__file__, t, ["--repeat", str(args.repeat)])
            if os.path.exists(args.softmaxkit):
                for c in result["cases"]:
                    if c["case"] == LARGE:
                        c["bench"] = bench_microseconds(args.softmaxkit, c["shape"], t)
            rounds.append(result)
    cases = {}
    for result in rounds:
        for c in result["cases"]:
            key = (c["case"], c["function"], c["axis"], c["threads"])
            merged = cases.setdefault(key, {k: c[k] for k in ("case", "shape", "axis", "function", "threads")})
            for side in ("softmaxkit", "numpy", "scipy", "pytorch", "bench"):
                if side in c:
                    merged.setdefault(side + "_rounds", []).append(c[side])
    import statistics
    for merged in cases.values():
        for side in ("softmaxkit", "numpy", "scipy", "pytorch", "bench"):
            if side + "_rounds" in merged:
                merged[side] = statistics.median(merged[side + "_rounds"])
    document = {"kind": "python-peers", "header": header, "rounds": args.rounds, "repeat": args.repeat,
                "versions": rounds[0]["versions"], "cases": list(cases.values())}
    provenance.save(document, args.output, "python_peers.py")


if __name__ == "__main__":
    main()
