"""Runs a peer benchmark's measuring half in a child process whose thread pools are sized before
NumPy and PyTorch load (they read OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS once),
and returns the JSON it prints; and the timing both halves use."""
import json, os, subprocess, sys


def run(script, threads, arguments):
    """`python script --child THREADS ARGUMENTS…` with the thread variables set; its stdout as JSON."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, os.path.abspath(script), "--child", str(threads)] + arguments,
                         env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


SETTLE_SECONDS = 0.02


def settle():
    """Waits for the side timed before to go quiet. Thread pools keep spinning on their cores for a
    while after a parallel region (libgomp under PyTorch and the C reference for milliseconds, ONNX
    Runtime's threads, SoftmaxKit's workers briefly), so a side timed right after another shares its
    cores with the other's idle threads. The wait is a busy one on this thread: on the virtual
    machines measured here, cores left idle for long come back slower for a while (BENCHMARKS.md,
    "Peers' idle threads")."""
    import time
    end = time.perf_counter() + SETTLE_SECONDS
    while time.perf_counter() < end:
        pass


def median_seconds(fn, repeat):
    """The median of `repeat` timings of `fn()`, after settling and one call to warm up."""
    import statistics, time
    settle()
    fn()
    seconds = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - t)
    return statistics.median(seconds)
