#!/usr/bin/env python3
"""Runs one of SoftmaxKit's benchmark sweeps and writes its raw figures, with the machine, commit and
date they come from, to a results file that Benchmarks/tables.py renders into BENCHMARKS.md.

    python3 Benchmarks/sweeps.py SWEEP [--softmaxkit .build/release/softmaxkit] [--rounds 3] [--output FILE]

Sweeps (each case is `softmaxkit bench --json …`, run --rounds times, interleaved with the other
cases so that a slow spell of a shared machine spreads over all of them; tables show the median):
  approximations  softmax with each cheap exponential and the vector approximate normalizers against
                  the exact kernel, rows of 1024 in L1, L2, L3 and memory
  threads         the default softmax on one and two threads, rows of 128 … 49152 in L2 and L3
  gemm            the matrix multiply (A·B, A·Bᵀ, Aᵀ·B), 512³ … 2048³, one and two threads
  attention       exact attention, 12 heads × 64, N = 512 … 4096, causal or not, one and two threads
  lab             the main job (`softmaxkit accuracy`): every method's error × speed, as it prints it
  approximate-attention  `softmaxkit accuracy --attention`: each attention engine's error against length
  encoder         `softmaxkit model --sweep`: every swap inside all-MiniLM-L6-v2 (needs `make models`)
  encoder-bench   `softmaxkit model bench --batch 32 --seq 128`, one and two threads (needs `make models`)
  decoder         `softmaxkit lm sweep`: every swap inside SmolLM2-135M on the Wikipedia text (needs `make models`)
  decoder-layers  `softmaxkit lm sweep --per-layer --normalizer puma-softmax` on its first 1024 tokens
The default output is Benchmarks/results/SWEEP.json.
"""
import argparse, json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import provenance

LEVELS = [("L1", 3), ("L2", 96), ("L3", 2048), ("memory", 65536)]


def approximations():
    cases = []
    for exp in ["exact", "schraudolph", "poly1", "poly2", "poly3", "poly4", "limit", "base2"]:
        for level, rows in LEVELS:
            cases.append(({"variant": "softmax[exp=%s]" % exp, "level": level},
                          ["--method", "softmax", "--param", "exp=" + exp, "--rows", str(rows), "--cols", "1024"]))
    for method in ["puma-softmax", "stablemax", "edge-moe-softmax", "taylor-softmax"]:
        for level, rows in LEVELS:
            cases.append(({"variant": method, "level": level},
                          ["--method", method, "--rows", str(rows), "--cols", "1024"]))
    return cases


def threads():
    shapes = [(128, "L2", 768), (128, "L3", 16384), (1024, "L2", 96), (1024, "L3", 2048),
              (32768, "L2", 3), (32768, "L3", 64), (49152, "L2", 2), (49152, "L3", 42)]
    return [({"cols": cols, "level": level, "rows": rows, "threads": t},
             ["--method", "softmax", "--rows", str(rows), "--cols", str(cols), "--threads", str(t)])
            for cols, level, rows in shapes for t in (1, 2)]


def gemm():
    return [({"size": n, "threads": t}, ["--gemm", "%d,%d,%d" % (n, n, n), "--threads", str(t)])
            for n in (512, 1024, 2048) for t in (1, 2)]


def attention():
    return [({"seq": n, "causal": causal, "threads": t},
             ["--method", "attention", "--seq", str(n), "--threads", str(t)] + (["--causal"] if causal else []))
            for n in (512, 2048, 4096) for t in (1, 2) for causal in (False, True)]


def encoder_bench():
    return [({"threads": t}, ["model", "bench", "--batch", "32", "--seq", "128", "--repeats", "9", "--threads", str(t)])
            for t in (1, 2)]


SWEEPS = {"approximations": approximations, "threads": threads, "gemm": gemm, "attention": attention,
          "encoder-bench": encoder_bench}
# Sweeps whose figures are the command's own printed tables, run once ("{folder}": a scratch folder).
TEXT_SWEEPS = {"lab": ["accuracy", "--output", "{folder}"],
               "approximate-attention": ["accuracy", "--attention", "--output", "{folder}"],
               "encoder": ["model", "--sweep", "--output", "{folder}"],
               "decoder": ["lm", "sweep", "--output", "{folder}"],
               "decoder-layers": ["lm", "sweep", "--per-layer", "--normalizer", "puma-softmax", "--tokens", "1024", "--output", "{folder}"]}


def run_bench(cli, args, repeat):
    command = args + ["--json"] if args[0] == "model" else ["bench", "--json", "--repeat", str(repeat)] + args
    out = subprocess.run([cli] + command, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sweep", choices=sorted(SWEEPS) + sorted(TEXT_SWEEPS))
    p.add_argument("--softmaxkit", default=".build/release/softmaxkit")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeat", type=int, default=7, help="timed repetitions per case and round (median)")
    p.add_argument("--output", help="results file (default Benchmarks/results/SWEEP.json)")
    args = p.parse_args()
    if not os.access(args.softmaxkit, os.X_OK):
        sys.exit("sweeps.py: no executable at %s; build it first: swift build -c release "
                 "-Xswiftc -target-cpu -Xswiftc native" % args.softmaxkit)
    output = args.output or os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", args.sweep + ".json")
    header = provenance.record(" ".join(["python3", "Benchmarks/sweeps.py"] + sys.argv[1:]))

    if args.sweep in TEXT_SWEEPS:
        with tempfile.TemporaryDirectory() as folder:
            command = [a.replace("{folder}", folder) for a in TEXT_SWEEPS[args.sweep]]
            text = subprocess.run([args.softmaxkit] + command, check=True, capture_output=True, text=True).stdout
        result = {"kind": "text", "header": header, "text": text}
    else:
        cases = SWEEPS[args.sweep]()
        results = [{"case": case, "records": []} for case, _ in cases]
        for round in range(args.rounds):
            order = list(range(len(cases)))
            if round % 2:
                order.reverse()
            for i in order:
                results[i]["records"] += run_bench(args.softmaxkit, cases[i][1], args.repeat)
            print("round %d of %d done" % (round + 1, args.rounds), file=sys.stderr)
        result = {"kind": args.sweep, "header": header, "rounds": args.rounds, "cases": results}

    os.makedirs(os.path.dirname(output), exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(output), delete=False, suffix=".tmp") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(f.name, output)
    print("wrote " + output, file=sys.stderr)


if __name__ == "__main__":
    main()
