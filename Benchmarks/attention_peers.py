#!/usr/bin/env python3
"""Times SoftmaxKit's exact attention against PyTorch's scaled_dot_product_attention and NumPy on
the same shapes, causal and not, one and two threads, interleaved in one run, and writes the figures
(Benchmarks/results/attention-peers.json; Benchmarks/tables.py renders them into BENCHMARKS.md).

    $(Benchmarks/peers-env.sh --lm) Benchmarks/attention_peers.py --softmaxkit .build/release/softmaxkit

Shapes: one sequence of N = 512, 2048 and 4096 queries and keys, 12 heads of 64 (the encoder's
heads), float32. SoftmaxKit runs `softmaxkit bench --method attention --seq N [--causal]` (its
flash engine); PyTorch runs `torch.nn.functional.scaled_dot_product_attention(q, k, v,
is_causal=…)` on [1, 12, N, 64] tensors; NumPy computes softmax(QKᵀ/√D)·V with the scores
materialised (N ≤ 2048: at 4096 the scores alone take 0.8 GB). Every side reports GFLOP/s as
4·N²·D·H flops whether causal or not (so a ratio is a ratio of times), the median of --repeat
timings after a warm-up; each cell is the median over --rounds rounds, the sides alternating first.
The peers run in a child process per thread count with OMP_NUM_THREADS set before PyTorch loads.
"""
import argparse, json, os, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child_process, provenance

HEADS, HEAD_DIM = 12, 64
SEQ = [512, 2048, 4096]
NUMPY_LIMIT = 2048


def flops(n):
    return 4.0 * n * n * HEAD_DIM * HEADS


def softmaxkit(cli, n, causal, threads, repeat):
    cmd = [cli, "bench", "--method", "attention", "--seq", str(n), "--heads", str(HEADS), "--head-dim", str(HEAD_DIM),
           "--threads", str(threads), "--repeat", str(repeat), "--json"] + (["--causal"] if causal else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()][-1]["gflops"]


def peers_child(threads, repeat):
    """In a child process whose thread variables are set: each case with PyTorch and NumPy."""
    import numpy as np
    try:
        import torch
        torch.set_num_threads(threads)
    except ImportError:
        torch = None
    result = {"numpy": np.__version__, "torch": torch.__version__ if torch else None, "cases": []}
    for n in SEQ:
        rng = np.random.default_rng(0)
        q, k, v = (rng.standard_normal((1, HEADS, n, HEAD_DIM), dtype=np.float32) for _ in range(3))
        for causal in (False, True):
            def numpy_attention():
                s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(HEAD_DIM))
                if causal:
                    s = np.where(np.tril(np.ones((n, n), dtype=bool)), s, np.float32(-np.inf))
                s -= s.max(-1, keepdims=True)
                np.exp(s, out=s)
                s /= s.sum(-1, keepdims=True)
                return s @ v
            sides = [("numpy", numpy_attention)] if n <= NUMPY_LIMIT else []
            if torch:
                tq, tk, tv = (torch.from_numpy(x) for x in (q, k, v))
                sides.append(("pytorch", lambda c=causal: torch.nn.functional.scaled_dot_product_attention(
                    tq, tk, tv, is_causal=c)))
            case = {"seq": n, "causal": causal}
            for side, fn in sides:
                case[side] = flops(n) / child_process.median_seconds(fn, repeat) / 1e9
            result["cases"].append(case)
    json.dump(result, sys.stdout)


def peers(threads, repeat):
    return child_process.run(__file__, threads, ["--repeat", str(repeat), "--seq", ",".join(map(str, SEQ))])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--softmaxkit", default=".build/release/softmaxkit")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--seq", default=",".join(map(str, SEQ)), help="sequence lengths, comma-separated")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                                                    "attention-peers.json"))
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    SEQ[:] = [int(n) for n in args.seq.split(",")]
    if args.child:
        peers_child(args.child, args.repeat)
        return
    if not os.path.exists(args.softmaxkit):
        sys.exit("attention_peers.py: %s: no such file (build it: swift build -c release -Xswiftc -target-cpu "
                 "-Xswiftc native)" % args.softmaxkit)
    threads = [int(t) for t in args.threads.split(",")]
    header = provenance.record(" ".join(["python3", "Benchmarks/attention_peers.py"] + sys.argv[1:]))
    runs, versions = {}, {}  # (seq, causal, threads, side) -> [GFLOP/s per round]
    for r in range(args.rounds):
        for t in threads:
            order = ["softmaxkit", "peers"] if (r + t) % 2 == 0 else ["peers", "softmaxkit"]
            for side in order:
                if side == "softmaxkit":
                    for n in SEQ:
                        for causal in (False, True):
                            runs.setdefault((n, causal, t, "softmaxkit"), []).append(
                                softmaxkit(args.softmaxkit, n, causal, t, args.repeat))
                else:
                    result = peers(t, args.repeat)
                    versions = {"numpy": result["numpy"], "pytorch": result["torch"]}
                    for case in result["cases"]:
                        for peer in ["pytorch", "numpy"]:
                            if peer in case:
                                runs.setdefault((case["seq"], case["causal"], t, peer), []).append(case[peer])
            print("round %d, %d thread(s) done" % (r + 1, t), file=sys.stderr)
    cases = []
    for n in SEQ:
        for causal in (False, True):
            for t in threads:
                case = {"seq": n, "heads": HEADS, "head_dim": HEAD_DIM, "causal": causal, "threads": t}
                for side in ["softmaxkit", "pytorch", "numpy"]:
                    if (n, causal, t, side) in runs:
                        values = runs[(n, causal, t, side)]
                        case[side] = {"runs": values, "gflops": statistics.median(values)}
                cases.append(case)
                line = "N=%d causal=%s %d thread(s): SoftmaxKit %.1f" % (n, causal, t, case["softmaxkit"]["gflops"])
                for peer in ["pytorch", "numpy"]:
                    if peer in case:
                        line += ", %s %.1f (%.2f×)" % (peer, case[peer]["gflops"],
                                                       case["softmaxkit"]["gflops"] / case[peer]["gflops"])
                print(line)
    result = {"kind": "attention-peers", "header": header, "rounds": args.rounds, "repeat": args.repeat,
              "versions": versions, "cases": cases}
    with open(args.output + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(args.output + ".tmp", args.output)


if __name__ == "__main__":
    main()
