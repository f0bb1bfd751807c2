#!/usr/bin/env python3
"""CPU-bound lab sweeps on a Ray cluster of one and of two one-CPU worker nodes, same run.

The sweeps are the decoder's per-layer sensitivity curve (`lm sweep --per-layer --normalizer
puma-softmax`, 30 layers, on 256 and on 512 tokens) and the encoder with eight normalizers swapped in,
each run through
`python -m softmaxkit.distributed` with its default split (one shard per CPU; every shard also runs
the exact model, its baseline); for reference, once as a single process with one thread, and as its
two halves (`--shard 1/2`, `--shard 2/2`) in two processes side by side without Ray, the floor two
CPUs allow. Each cluster is a head with no CPUs and W worker
nodes with one CPU each, on loopback, started and stopped by this script; the time counts
everything the driver does (connecting, scheduling, the shards, joining the results).

    $(Benchmarks/peers-env.sh --ray) Benchmarks/ray_sweep.py --softmaxkit .build/release/softmaxkit \\
        --library .build/release/libSoftmaxKitC.so
"""
import argparse, os, socket, statistics, subprocess, sys, tempfile, time

import provenance

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The decoder's per-layer curve (30 swaps, memory-bound passes over 100 MB of weights) and the
# encoder with eight normalizers swapped in (compute-bound products), each on the same inputs.
SWEEPS = {
    "decoder per layer": ["lm", "--per-layer", "--normalizer", "puma-softmax", "--tokens", "256", "--window", "256"],
    # The same curve on twice the text: the fixed costs (driver, connection, workers, join) weigh half as much.
    "decoder per layer, 512 tokens": ["lm", "--per-layer", "--normalizer", "puma-softmax", "--tokens", "512", "--window", "512"],
    "encoder, 8 swaps": ["model"] + [a for n in ["stablemax", "puma-softmax", "edge-moe-softmax", "sparsemax", "entmax15",
                                                 "ibert-softmax-int", "softermax", "taylor-softmax"] for a in ("--normalizer", n)],
}
COMMANDS = {"lm": ["lm", "sweep"], "model": ["model", "evaluate"]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ray(env, *args):
    subprocess.run([sys.executable, "-m", "softmaxkit.loopback_ray", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


def timed_sweep(env, workers, cli, sweep):
    port = free_port()
    address = "127.0.0.1:%d" % port
    try:
        ray(env, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "0",
            "--include-dashboard", "false", "--disable-usage-stats")
        for _ in range(workers):
            ray(env, "start", "--address", address, "--node-ip-address", "127.0.0.1", "--num-cpus", "1")
        with tempfile.TemporaryDirectory() as output:
            start = time.monotonic()
            subprocess.run([sys.executable, "-m", "softmaxkit.distributed", "sweep", *sweep, "--address", address,
                            "--output", output, "--softmaxkit", cli], env=env, cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return time.monotonic() - start
    finally:
        subprocess.run([sys.executable, "-m", "softmaxkit.loopback_ray", "stop", "--force"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--softmaxkit", default=os.path.join(ROOT, ".build", "release", "softmaxkit"))
    p.add_argument("--library", default=os.path.join(ROOT, ".build", "release", "libSoftmaxKitC.so"))
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--output", default=os.path.join(HERE, "results", "ray-sweep.json"))
    p.add_argument("--sweep", action="append", help="a sweep by name, repeatable (default: all; %s)" % "; ".join(SWEEPS))
    args = p.parse_args()
    cli, library = os.path.abspath(args.softmaxkit), os.path.abspath(args.library)
    for path, build in ((cli, "swift build -c release"), (library, "swift build -c release --product SoftmaxKitC")):
        if not os.path.exists(path):
            sys.exit("ray_sweep.py: %s: no such file (build it: %s -Xswiftc -target-cpu -Xswiftc native)" % (path, build))
    try:
        import ray as _ray
        version = _ray.__version__
    except (ImportError, AttributeError):
        sys.exit("ray_sweep.py: Ray is not installed in this Python; run it with $(Benchmarks/peers-env.sh --ray)")
    env = dict(os.environ, SOFTMAXKIT_LIBRARY=library, RAY_USAGE_STATS_ENABLED="0",
               PYTHONPATH=os.path.join(ROOT, "python") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    header = provenance.record(" ".join(["python3", "Benchmarks/ray_sweep.py"] + sys.argv[1:]))
    chosen = args.sweep or list(SWEEPS)
    for name in chosen:
        if name not in SWEEPS:
            sys.exit("ray_sweep.py: no sweep named %r; choose from %s" % (name, ", ".join(SWEEPS)))
    cases = []
    for name in chosen:
        sweep = SWEEPS[name]
        times = {"single": [], "pair": [], 1: [], 2: []}
        for r in range(args.rounds):
            start = time.monotonic()
            with tempfile.TemporaryDirectory() as output:
                subprocess.run([cli, *COMMANDS[sweep[0]], *sweep[1:], "--threads", "1", "--output", output], cwd=ROOT, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times["single"].append(time.monotonic() - start)
            # The floor two CPUs allow: the same two shards as plain processes side by side, no Ray.
            start = time.monotonic()
            with tempfile.TemporaryDirectory() as output:
                side_by_side = [subprocess.Popen([cli, *COMMANDS[sweep[0]], *sweep[1:], "--threads", "1", "--shard", "%d/2" % k,
                                                  "--output", output], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                                for k in (1, 2)]
                if any(p.wait() != 0 for p in side_by_side):
                    sys.exit("ray_sweep.py: a shard run side by side failed")
            times["pair"].append(time.monotonic() - start)
            for workers in ((1, 2) if r % 2 == 0 else (2, 1)):
                times[workers].append(timed_sweep(env, workers, cli, sweep))
            print("%s, round %d: single %.1f s, two shards side by side %.1f s, 1 worker %.1f s, 2 workers %.1f s"
                  % (name, r + 1, times["single"][-1], times["pair"][-1], times[1][-1], times[2][-1]), file=sys.stderr)
        cases.append({"sweep": name, "command": "softmaxkit " + " ".join(COMMANDS[sweep[0]] + sweep[1:]),
                      "seconds": {"single process, 1 thread": statistics.median(times["single"]),
                                  "its two halves as processes side by side, no Ray": statistics.median(times["pair"]),
                                  "1 worker node": statistics.median(times[1]), "2 worker nodes": statistics.median(times[2])},
                      "all": {str(k): v for k, v in times.items()}})
    document = {"kind": "ray-sweep", "header": header, "rounds": args.rounds, "ray": version, "cases": cases}
    provenance.save(document, args.output, "ray_sweep.py")


if __name__ == "__main__":
    main()
