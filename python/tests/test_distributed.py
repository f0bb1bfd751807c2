"""Sweeps on a Ray cluster: a head and two one-CPU worker nodes on loopback, as separate processes.

The merged results of a distributed sweep equal a single-process run (timing fields excluded); a
worker node killed mid-sweep costs a retry, not a shard; an unreachable cluster and a missing Ray
are clear errors. Needs Ray (scripts/ray-test.sh installs it) and the release command-line tool
($SOFTMAXKIT_CLI); with SOFTMAXKIT_RAY_TESTS=1 their absence fails instead of skipping.
"""
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REQUIRED = os.environ.get("SOFTMAXKIT_RAY_TESTS") == "1"
CLI = os.environ.get("SOFTMAXKIT_CLI", "")
TIMING = {"created", "machine", "seconds", "speed"}

try:
    import ray

    HAVE_RAY = hasattr(ray, "init")  # not a folder named ray (Ray's own /tmp/ray) seen as a namespace package
except ImportError:
    HAVE_RAY = False

if not REQUIRED:
    pytestmark = [
        pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed (scripts/ray-test.sh installs it and runs these tests)"),
        pytest.mark.skipif(not os.access(CLI, os.X_OK), reason="SOFTMAXKIT_CLI does not name the built command-line tool"),
    ]
elif not HAVE_RAY or not os.access(CLI, os.X_OK):
    raise RuntimeError("SOFTMAXKIT_RAY_TESTS=1 needs Ray installed and SOFTMAXKIT_CLI naming the built command-line tool")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ray_cli(*args, check=True):
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    return subprocess.run([sys.executable, "-m", "softmaxkit.loopback_ray", *args], env=env, check=check,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180)


@pytest.fixture(scope="module")
def cluster():
    """A head with no CPUs and two worker nodes with one CPU each, every node on 127.0.0.1."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    try:
        ray_cli("start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "0",
                "--include-dashboard", "false", "--disable-usage-stats")
        for _ in range(2):
            ray_cli("start", "--address", address, "--node-ip-address", "127.0.0.1", "--num-cpus", "1")
        yield address
    finally:
        ray_cli("stop", "--force", check=False)


def distributed(*args, address, output, timeout=600):
    """Runs `python -m softmaxkit.distributed sweep ARGS` as a user would; returns the process."""
    command = [sys.executable, "-m", "softmaxkit.distributed", "sweep", *args, "--address", address,
               "--output", str(output), "--softmaxkit", CLI]
    return subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)


def without_timing(document):
    if isinstance(document, dict):
        return {k: without_timing(v) for k, v in document.items() if k not in TIMING}
    if isinstance(document, list):
        return [without_timing(v) for v in document]
    return document


def single_process(command, output):
    subprocess.run([CLI, *command, "--output", str(output)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


ACCURACY = ["puma-softmax", "stablemax", "sparsemax", "ibert-softmax-int", "gelu-tanh", "puma-gelu", "--no-speed", "--lengths", "16,100"]


def test_accuracy_sweep_equals_a_single_process_run(cluster, tmp_path):
    run = distributed("accuracy", *ACCURACY, "--shards", "4", address=cluster, output=tmp_path / "dist")
    assert run.returncode == 0, run.stderr
    assert "4/4 shards done" in run.stderr
    assert sorted(p.name for p in (tmp_path / "dist" / "shards").iterdir()) == [f"accuracy-shard-{k}-of-4.json" for k in range(1, 5)]
    single_process(["accuracy", *ACCURACY], tmp_path / "single")
    merged = json.loads((tmp_path / "dist" / "accuracy.json").read_text())
    single = json.loads((tmp_path / "single" / "accuracy.json").read_text())
    assert [e["variant"] for e in merged["normalizers"]] == ["puma-softmax", "stablemax", "sparsemax", "ibert-softmax-int"]
    assert without_timing(merged) == without_timing(single)
    assert (tmp_path / "dist" / "report.html").read_text().count("<svg") >= 2


@pytest.mark.skipif(not (ROOT / "models" / "all-MiniLM-L6-v2" / "model.safetensors").exists(),
                    reason="the encoder is not fetched (scripts/fetch-models.sh)")
def test_model_sweep_equals_a_single_process_run(cluster, tmp_path):
    swaps = ["--normalizer", "stablemax", "--activation", "gelu-tanh", "--normalizer", "puma-softmax"]
    run = distributed("model", *swaps, "--shards", "2", address=cluster, output=tmp_path / "dist")
    assert run.returncode == 0, run.stderr
    single_process(["model", "evaluate", *swaps, "--threads", "1"], tmp_path / "single")
    merged = json.loads((tmp_path / "dist" / "model.json").read_text())
    single = json.loads((tmp_path / "single" / "model.json").read_text())
    assert [r["swap"] for r in merged["rows"]] == ["exact", "normalizer=stablemax", "normalizer=puma-softmax", "activation=gelu-tanh"]
    assert without_timing(merged) == without_timing(single)


def test_an_unreachable_cluster_is_a_clear_error(tmp_path):
    run = distributed("accuracy", "softmax", address=f"127.0.0.1:{free_port()}", output=tmp_path / "out", timeout=60)
    assert run.returncode == 1
    assert "no Ray cluster at 127.0.0.1:" in run.stderr and "ray start --head" in run.stderr, run.stderr
    assert not (tmp_path / "out").exists()


def test_a_failing_shard_stops_the_sweep_with_the_tools_message(cluster, tmp_path):
    run = distributed("accuracy", "sofmax", "--no-speed", "--shards", "2", address=cluster, output=tmp_path / "out")
    assert run.returncode == 1
    assert "unknown method 'sofmax'" in run.stderr, run.stderr
    assert not (tmp_path / "out" / "shards").exists()


def test_without_ray_the_error_says_how_to_install_it(monkeypatch, capsys):
    from softmaxkit import distributed as d

    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.setenv("SOFTMAXKIT_CLI", CLI)
    assert d.main(["sweep", "accuracy", "softmax"]) == 1
    assert "pip install" in capsys.readouterr().err


def holding_tool(folder):
    """A stand-in for the tool whose first run, on whichever node it lands, writes its process id
    to folder/held and waits to be killed; every later run is the real tool. The node running
    the held shard can then be killed while that shard is certainly unfinished."""
    tool = folder / "softmaxkit"
    tool.write_text(f"""#!/bin/sh
if mkdir {folder / 'first'} 2>/dev/null; then
    echo $$ > {folder / 'held.tmp'} && mv {folder / 'held.tmp'} {folder / 'held'}
    exec sleep 600
fi
exec {CLI} "$@"
""")
    tool.chmod(0o755)
    return tool


def processes():
    """{pid: (parent pid, argv)} of every process this user can see."""
    table = {}
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        table[int(proc.name)] = (parent, argv)
    return table


def kill_the_node_holding(held, timeout=300):
    """Waits until the held shard runs (its process id in `held`), then kills the worker node it
    runs on as a lost machine would go: that node's raylet and every process under it, with
    SIGKILL. Returns how many processes it killed."""
    deadline = time.monotonic() + timeout
    while not held.exists():
        if time.monotonic() > deadline:
            raise AssertionError("no worker node ran a shard within %d s" % timeout)
        time.sleep(0.05)
    table = processes()
    pid = int(held.read_text())
    raylet = pid
    while raylet in table and not table[raylet][1][0].endswith(b"/raylet"):
        raylet = table[raylet][0]
    assert raylet in table, f"the held shard (process {pid}) runs under no raylet"
    doomed, frontier = {raylet}, [raylet]
    while frontier:
        frontier = [p for p, (parent, _) in table.items() if parent in frontier and p not in doomed]
        doomed.update(frontier)
    assert pid in doomed
    for p in doomed:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(doomed)


def test_a_worker_node_killed_mid_sweep_costs_a_retry_not_a_shard(cluster, tmp_path):
    # Last in the file: the cluster keeps one worker node afterwards.
    tool = holding_tool(tmp_path)
    options = ["accuracy", *ACCURACY, "--shards", "6"]
    command = [sys.executable, "-m", "softmaxkit.distributed", "sweep", *options, "--address", cluster,
               "--output", str(tmp_path / "dist"), "--softmaxkit", str(tool)]
    driver = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert kill_the_node_holding(tmp_path / "held") >= 3, "the node ran no worker and tool"
    finally:
        if driver.poll() is None and not (tmp_path / "held").exists():
            driver.kill()
    log = driver.stderr.readlines()
    assert driver.wait(timeout=600) == 0, "".join(log)
    text = "".join(log)
    assert "6/6 shards done" in text and "running it again" in text and "1 retried" in text, text
    assert sorted(p.name for p in (tmp_path / "dist" / "shards").iterdir()) == [f"accuracy-shard-{k}-of-6.json" for k in range(1, 7)]
    single_process(["accuracy", *ACCURACY], tmp_path / "single")
    merged = json.loads((tmp_path / "dist" / "accuracy.json").read_text())
    single = json.loads((tmp_path / "single" / "accuracy.json").read_text())
    assert without_timing(merged) == without_timing(single)
