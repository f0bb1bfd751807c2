#!/usr/bin/env python3
"""Times SoftmaxKit's matrix multiply against PyTorch's torch.mm and NumPy's matmul (OpenBLAS) on
the same shapes, one and two threads, interleaved in one run, and writes the figures
(Benchmarks/results/gemm-peers.json; Benchmarks/tables.py renders them into BENCHMARKS.md).

    $(Benchmarks/peers-env.sh --lm) Benchmarks/gemm_peers.py --softmaxkit .build/release/softmaxkit

Shapes: square 512³ and 2048³, the MiniLM encoder's products on 32 × 128 tokens (QKV, FFN in,
FFN out) and SmolLM2's on a 512-token prefill. Every side computes C = A·B in float32, row-major,
B not packed in advance (SoftmaxKit packs it inside each call, as the peers do), and reports the
median of --repeat timings after a warm-up, in GFLOP/s (2·M·N·K flops); each cell is the median over
--rounds rounds, the sides alternating first. The peers run in a child process per thread count
with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set before NumPy and PyTorch load (their thread
pools are sized once), and torch.set_num_threads.
"""
import argparse, json, os, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child_process, provenance

SHAPES = [("512³", 512, 512, 512), ("2048³", 2048, 2048, 2048),
          ("MiniLM QKV", 4096, 1152, 384), ("MiniLM FFN in", 4096, 1536, 384), ("MiniLM FFN out", 4096, 384, 1536),
          ("SmolLM2 gate·up", 512, 3072, 576), ("SmolLM2 down", 512, 576, 1536)]


def softmaxkit(cli, m, n, k, threads):
    out = subprocess.run([cli, "bench", "--gemm", "%d,%d,%d" % (m, n, k), "--threads", str(threads), "--json"],
                         capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return next(r["gflops"] for r in rows if r["variant"] == "A·B")


def peers_child(threads, repeat):
    """In a child process whose thread variables are set: each shape with PyTorch and NumPy."""
    import numpy
    rng = numpy.random.default_rng(1)
    try:
        import torch
        torch.set_num_threads(threads)
    except ImportError:
        torch = None
    result = {"numpy": numpy.__version__, "torch": torch.__version__ if torch else None, "cases": []}
    for name, m, n, k in SHAPES:
        a = rng.standard_normal((m, k), dtype=numpy.float32)
        b = rng.standard_normal((k, n), dtype=numpy.float32)
        case = {"shape": name}
        sides = [("numpy", lambda: a @ b)]
        if torch:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            sides.append(("pytorch", lambda: torch.mm(ta, tb)))
        for side, fn in sides:
            case[side] = 2.0 * m * n * k / child_process.median_seconds(fn, repeat) / 1e9
        result["cases"].append(case)
    json.dump(result, sys.stdout)


def peers(threads, repeat):
    return child_process.run(__file__, threads, ["--repeat", str(repeat)])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--softmaxkit", default=".build/release/softmaxkit")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "gemm-peers.json"))
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        peers_child(args.child, args.repeat)
        return
    if not os.path.exists(args.softmaxkit):
        sys.exit("gemm_peers.py: %s: no such file (build it: swift build -c release -Xswiftc -target-cpu -Xswiftc native)" % args.softmaxkit)
    threads = [int(t) for t in args.threads.split(",")]
    header = provenance.record(" ".join(["python3", "Benchmarks/gemm_peers.py"] + sys.argv[1:]))
    runs = {}  # (shape, threads, side) -> [GFLOP/s per round]
    versions = {}
    for r in range(args.rounds):
        for t in threads:
            order = ["softmaxkit", "peers"] if (r + t) % 2 == 0 else ["peers", "softmaxkit"]
            for side in order:
                if side == "softmaxkit":
                    for name, m, n, k in SHAPES:
                        runs.setdefault((name, t, "softmaxkit"), []).append(softmaxkit(args.softmaxkit, m, n, k, t))
                else:
                    result = peers(t, args.repeat)
                    versions = {"numpy": result["numpy"], "pytorch": result["torch"]}
                    for case in result["cases"]:
                        for peer in ["numpy", "pytorch"]:
                            if peer in case:
                                runs.setdefault((case["shape"], t, peer), []).append(case[peer])
            print("round %d, %d thread(s) done" % (r + 1, t), file=sys.stderr)
    cases = []
    for name, m, n, k in SHAPES:
        for t in threads:
            case = {"shape": name, "m": m, "n": n, "k": k, "threads": t}
            for side in ["softmaxkit", "pytorch", "numpy"]:
                if (name, t, side) in runs:
                    case[side] = {"runs": runs[(name, t, side)], "gflops": statistics.median(runs[(name, t, side)])}
            cases.append(case)
            line = "%-16s %d thread(s): SoftmaxKit %.1f" % (name, t, case["softmaxkit"]["gflops"])
            for peer in ["pytorch", "numpy"]:
                if peer in case:
                    line += ", %s %.1f (%.2f×)" % (peer, case[peer]["gflops"], case["softmaxkit"]["gflops"] / case[peer]["gflops"])
            print(line)
    result = {"kind": "gemm-peers", "header": header, "rounds": args.rounds, "repeat": args.repeat, "versions": versions, "cases": cases}
    with open(args.output + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(args.output + ".tmp", args.output)


if __name__ == "__main__":
    main()
