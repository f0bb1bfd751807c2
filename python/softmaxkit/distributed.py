"""The lab's sweeps on a Ray cluster: split into shards, run as Ray tasks, joined by `softmaxkit report`.

    python -m softmaxkit.distributed sweep accuracy [accuracy options] --address ADDR --output DIR
    python -m softmaxkit.distributed sweep model [model options] ...
    python -m softmaxkit.distributed sweep lm [lm sweep options] ...

Each shard is one run of the SoftmaxKit command-line tool with `--shard K/N` on whatever node Ray
picks (the tool, and the model and text files the options name, must be at the same paths on
every node: a shared file system or the same image). A task whose node or worker dies is run again,
up to --retries times; a shard that fails on its own (the tool's error) stops the sweep with that
error. The shards' results come back through Ray and are written to DIR/shards/ as one set, then
`softmaxkit report --results DIR/shards --output DIR --merged` joins them into DIR/report.html and
the merged documents (DIR/accuracy.json, model.json, lm.json or lm-layers.json), which equal a
single-process run of the same sweep apart from their timing fields. Progress goes to stderr.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .loopback_ray import keep_loopback_addresses

# The command-line subcommand behind each sweep, and the results kind its shards are written as.
SWEEPS = {"accuracy": ["accuracy"], "model": ["model", "evaluate"], "lm": ["lm", "sweep"]}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class SweepError(Exception):
    """A sweep that cannot run or finish: one line saying why, with a hint."""


def find_cli(given):
    """The SoftmaxKit command-line tool: --softmaxkit, $SOFTMAXKIT_CLI, `softmaxkit` on PATH, or the
    release build of the checkout the package was installed from."""
    candidates = [given, os.environ.get("SOFTMAXKIT_CLI"), shutil.which("softmaxkit"),
                  str(Path(__file__).resolve().parent.parent.parent / ".build" / "release" / "softmaxkit")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise SweepError("the softmaxkit command-line tool was not found; build it (swift build -c release) "
                     "and pass --softmaxkit PATH or set SOFTMAXKIT_CLI")


def import_ray():
    try:
        import ray
    except ImportError:
        ray = None
    if not hasattr(ray, "init"):  # also a folder named ray (Ray's /tmp/ray) taken for a namespace package
        raise SweepError("softmaxkit.distributed needs Ray: pip install 'softmaxkit[distributed]' (or pip install ray)")
    return ray


def check_reachable(address, timeout=5.0):
    """Fails fast, with a hint, when nothing listens at HOST:PORT ('auto' is left to Ray)."""
    if address in ("auto", "local"):
        return
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except (OSError, ValueError) as error:
        raise SweepError(f"no Ray cluster at {address}: {error}; start one with 'ray start --head' "
                         "or pass --address of a running cluster") from None


def shard_command(cli, sweep, options, index, count, output):
    """The command line of shard `index` of `count`, writing into `output`."""
    return [cli, *SWEEPS[sweep], *options, "--shard", f"{index}/{count}", "--output", output]


def _die_with_parent():
    """In the tool's process: end when the Ray worker that started it ends (a killed node)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def run_shard(command, cwd):
    """Runs one shard's command in a scratch folder; returns {file name: bytes} of the results
    JSON it wrote, or raises with the tool's own message."""
    with tempfile.TemporaryDirectory(prefix="softmaxkit-shard-") as scratch:
        command = [scratch if part == "{output}" else part for part in command]
        done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            raise RuntimeError(lines[-1] if lines else f"exit status {done.returncode}")
        return {p.name: p.read_bytes() for p in Path(scratch).glob("*-shard-*.json")}


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m softmaxkit.distributed", allow_abbrev=False,
        description="Run a SoftmaxKit lab sweep on a Ray cluster, split into shards, and join the results.",
        epilog="Options not listed here go to the sweep's command (softmaxkit accuracy, model evaluate, lm sweep).")
    sub = parser.add_subparsers(dest="command", required=True)
    sweep = sub.add_parser("sweep", help="run a sweep on the cluster", allow_abbrev=False)
    sweep.add_argument("sweep", choices=sorted(SWEEPS), help="which sweep")
    sweep.add_argument("--address", default="auto",
                       help="the Ray cluster: HOST:PORT of its head, or 'auto' for the one started on this machine (default)")
    sweep.add_argument("--output", default="softmaxkit-results", help="folder for shards/, report.html and the merged JSON")
    sweep.add_argument("--shards", type=int,
                       help="how many shards (default: one per CPU of the cluster for model and lm, two per CPU for accuracy)")
    sweep.add_argument("--cpus-per-shard", type=float, default=1, help="CPUs each shard reserves (default 1)")
    sweep.add_argument("--retries", type=int, default=3, help="runs again of a shard whose node or worker died (default 3)")
    sweep.add_argument("--softmaxkit", help="the command-line tool (default: $SOFTMAXKIT_CLI, then PATH)")
    sweep.add_argument("--node-ip-address", help="this driver's address as the cluster sees it (e.g. 127.0.0.1 for a loopback cluster)")
    args, options = parser.parse_known_args(argv)
    if args.shards is not None and args.shards < 1:
        parser.error(f"--shards must be ≥ 1, got {args.shards}")
    if args.retries < 0:
        parser.error(f"--retries must be ≥ 0, got {args.retries}")
    for forbidden in ("--shard", "--output", "--json"):
        if forbidden in options or any(o.startswith(forbidden + "=") for o in options):
            parser.error(f"{forbidden} is set by the sweep itself; leave it out")
    return args, options


def sweep(args, options, log=lambda message: print(message, file=sys.stderr, flush=True)):
    """Runs the sweep; returns the path of the report."""
    cli = find_cli(args.softmaxkit)
    ray = import_ray()
    if args.sweep in ("model", "lm") and "--threads" not in options:
        options = [*options, "--threads", str(max(1, int(args.cpus_per_shard)))]
    node_ip = args.node_ip_address
    host = args.address.rpartition(":")[0].strip("[]")
    if node_ip in LOOPBACK or host in LOOPBACK:
        keep_loopback_addresses()
        node_ip = node_ip or "127.0.0.1"
    check_reachable(args.address)
    try:
        ray.init(address=args.address, _node_ip_address=node_ip, logging_level="ERROR", log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise SweepError(f"cannot connect to the Ray cluster at {args.address}: {str(error).splitlines()[0]}") from None
    try:
        cpus = int(ray.cluster_resources().get("CPU", 0))
        if cpus < args.cpus_per_shard:
            raise SweepError(f"the cluster at {args.address} has {cpus} CPUs, fewer than --cpus-per-shard {args.cpus_per_shard}; "
                             "add nodes with CPUs (ray start --address ... --num-cpus N)")
        # A model or decoder shard runs the exact model too (its baseline), so those sweeps split
        # into one shard per CPU; accuracy shards cost little more than their rows and vary more in
        # length, so twice as many balance better.
        count = args.shards or max(1, cpus if args.sweep in ("model", "lm") else 2 * cpus)
        task = ray.remote(run_shard).options(num_cpus=args.cpus_per_shard, max_retries=0)
        cwd = os.getcwd()

        def submit(k):
            return task.remote(shard_command(cli, args.sweep, options, k, count, "{output}"), cwd)

        pending = {submit(k): k for k in range(1, count + 1)}
        attempts = {k: 1 for k in range(1, count + 1)}
        results, failures, retried, start = {}, 0, 0, time.monotonic()
        log(f"sweep {args.sweep}: {count} shards on {cpus} CPUs ({' '.join(SWEEPS[args.sweep])} {' '.join(options)})")
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=10)
            for ref in ready:
                k = pending.pop(ref)
                try:
                    files = ray.get(ref)
                except ray.exceptions.RayTaskError as error:
                    cause = error.cause if isinstance(getattr(error, "cause", None), Exception) else error
                    for other in pending:
                        ray.cancel(other, force=True)
                    raise SweepError(f"shard {k}/{count} failed: {cause}") from None
                except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                        ray.exceptions.RaySystemError, ray.exceptions.ObjectLostError) as error:
                    failures += 1
                    if attempts[k] > args.retries:
                        raise SweepError(f"shard {k}/{count} failed {attempts[k]} times (its node or worker died: "
                                         f"{type(error).__name__}); giving up") from None
                    attempts[k] += 1
                    retried += 1
                    pending[submit(k)] = k
                    log(f"sweep {args.sweep}: shard {k}/{count} lost ({type(error).__name__}); running it again "
                        f"(attempt {attempts[k]} of {args.retries + 1})")
                    continue
                results[k] = files
            done = len(results)
            elapsed = time.monotonic() - start
            eta = f", ETA {elapsed / done * (count - done):.0f} s" if 0 < done < count else ""
            log(f"sweep {args.sweep}: {done}/{count} shards done, {failures} failed, {retried} retried, "
                f"{elapsed:.0f} s{eta}")
    finally:
        ray.shutdown()
    return join(cli, args.output, results, count)


def join(cli, output, results, count):
    """Writes every shard's files to OUTPUT/shards/ as one set (replacing an earlier set whole),
    then joins them with `softmaxkit report --merged`."""
    os.makedirs(output, exist_ok=True)
    for k in sorted(results):
        if len(results[k]) != 1:
            raise SweepError(f"shard {k}/{count} returned {len(results[k])} results files instead of one; nothing written")
    staging = tempfile.mkdtemp(prefix=".shards-", dir=output)
    for k in sorted(results):
        for name, data in results[k].items():
            Path(staging, name).write_bytes(data)
    final = os.path.join(output, "shards")
    if os.path.isdir(final):
        old = tempfile.mkdtemp(prefix=".shards-old-", dir=output)
        os.rename(final, os.path.join(old, "shards"))
        os.rename(staging, final)
        shutil.rmtree(old)
    else:
        os.rename(staging, final)
    done = subprocess.run([cli, "report", "--results", final, "--output", output, "--merged"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SweepError(f"joining the {count} shards failed: {done.stderr.strip().splitlines()[-1]}")
    return os.path.join(output, "report.html")


def main(argv=None):
    args, options = parse(sys.argv[1:] if argv is None else argv)
    try:
        report = sweep(args, options)
    except SweepError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
