#!/usr/bin/env python3
"""Times exact attention peers on the shapes of `softmaxkit bench --method attention --seq N`:
PyTorch's scaled_dot_product_attention when torch is installed, and NumPy (softmax(QKᵀ/√D)·V per
batch of heads, materialising the scores) always. GFLOP/s count 4·N²·D·H·B flops, as softmaxkit does.

    python3 Benchmarks/attention_peers.py [--seq 512 2048 4096] [--heads 12] [--head-dim 64] [--threads 1] [--causal]
"""
import argparse, os, sys, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seq", type=int, nargs="+", default=[512, 2048, 4096])
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--head-dim", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--causal", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    print("| peer | N | H | D | causal | threads | median s | GFLOP/s |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.seq:
        h, d = args.heads, args.head_dim
        rng = np.random.default_rng(0)
        q, k, v = (rng.standard_normal((1, h, n, d), dtype=np.float32) for _ in range(3))
        flops = 4 * n * n * d * h

        def numpy_attention():
            s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d))
            if args.causal:
                s = np.where(np.tril(np.ones((n, n), dtype=bool)), s, -np.inf)
            s -= s.max(-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(-1, keepdims=True)
            return s @ v

        peers = [("numpy", numpy_attention)]
        if torch is not None:
            tq, tk, tv = (torch.from_numpy(x) for x in (q, k, v))
            peers.append(("torch sdpa", lambda: torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, is_causal=args.causal)))
        for name, fn in peers:
            fn()
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            s = sorted(times)[len(times) // 2]
            print(f"| {name} | {n} | {h} | {d} | {args.causal} | {args.threads} | {s:.3e} | {flops / s / 1e9:.1f} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
