#!/usr/bin/env python3
"""Hostile inputs against the release command line: fails on any crash, hang, leftover file,
broken output set or silent acceptance of an input the contract forbids.

    python3 scripts/red-team.py .build/release/softmaxkit [--seed 7] [--timeout 60] [--list]

Every case is a command line and what the contract says it must do: fail with a one-line error
(plus at most one hint line) and leave its output folder as it was, or succeed. A case fails the
run when the process dies of a signal or a trap, runs past the timeout, leaves a staging folder or
a temporary file anywhere under the scratch folder, writes outputs although it failed, or exits 0
where it must fail. The cases are generated from `softmaxkit methods --json` (every numeric
parameter of every method out of its range and non-finite, every choice misspelt, unknown names)
and from fixed families (malformed .npy files, special files, sizes no memory holds, duplicate
names, output folders that cannot be written, incomplete result sets, corrupted model folders,
non-finite options). Needs only the Python standard library.
"""
import argparse, json, os, random, shutil, struct, subprocess, sys, tempfile

CRASH_MARKERS = ("Fatal error", "Program crashed", "Backtrace", "Illegal instruction", "Segmentation fault")


def npy(path, shape, values, descr="<f4", header_extra=b"", magic=b"\x93NUMPY", version=b"\x01\x00", header=None, body=None):
    """Writes a .npy file by hand; every part can be replaced to make it malformed."""
    if header is None:
        header = ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text(shape))).encode() + header_extra
        header += b" " * ((-(10 + len(header) + 1)) % 64) + b"\n"
    if body is None:
        fmt = {"<f4": "f", "<f8": "d", "<i8": "q", "<i4": "i", "|b1": "?"}.get(descr, "f")
        body = struct.pack("<%d%s" % (len(values), fmt), *values)
    with open(path, "wb") as f:
        f.write(magic + version + struct.pack("<H", len(header)) + header + body)
    return path


def shape_text(shape):
    return "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"


class Case:
    def __init__(self, family, args, expect="error", output=None, setup=None, check=None):
        self.family, self.args, self.expect, self.output, self.setup, self.check = family, args, expect, output, setup, check


def generate(cli, root, rng):
    methods = json.loads(subprocess.run([cli, "methods", "--json"], capture_output=True, check=True, text=True).stdout)
    files = os.path.join(root, "files")
    os.makedirs(files)
    good = npy(os.path.join(files, "good.npy"), [3, 4], [0.5 * i for i in range(12)])
    cases = []

    def out(name):
        return os.path.join(root, "out", name)

    # Malformed .npy files, each fed to softmax.
    malformed = {
        "empty": b"",
        "magic": b"\x93NUMPX\x01\x00" + b"\x10\x00" + b"{}" + b" " * 13 + b"\n",
        "truncated-header": b"\x93NUMPY\x01\x00\xff\x00{'descr': '<f4'",
        "lying-header-length": b"\x93NUMPY\x01\x00\xff\xff" + b"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n",
        "truncated-body": None,
        "extra-body": None,
        "fortran": None,
        "object": None,
        "unicode": None,
        "complex": None,
        "negative-dim": None,
        "huge-dim": None,
        "overflowing-shape": None,
        "nan-dim": None,
        "version-9": None,
        "not-a-dict": None,
        "missing-shape": None,
        "big-endian": None,
    }
    for name, raw in malformed.items():
        path = os.path.join(files, "bad-%s.npy" % name)
        if raw is not None:
            open(path, "wb").write(raw)
        elif name == "truncated-body":
            npy(path, [3, 4], [1.0] * 12, body=struct.pack("<5f", *[1.0] * 5))
        elif name == "extra-body":
            npy(path, [2], [1.0, 2.0], body=struct.pack("<3f", 1, 2, 3))
        elif name == "fortran":
            npy(path, [2, 2], [], header=b"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }" + b" " * 53 + b"\n", body=b"\0" * 16)
        elif name in ("object", "unicode", "complex"):
            descr = {"object": "|O", "unicode": "<U4", "complex": "<c8"}[name]
            npy(path, [2], [], descr=descr, body=b"\0" * 32)
        elif name == "negative-dim":
            npy(path, [-2, 3], [], body=b"")
        elif name == "huge-dim":
            npy(path, [2**63 - 1], [], body=b"\0" * 16)
        elif name == "overflowing-shape":
            npy(path, [2**40, 2**40], [], body=b"\0" * 16)
        elif name == "nan-dim":
            npy(path, [], [], header=b"{'descr': '<f4', 'fortran_order': False, 'shape': (nan,), }" + b" " * 50 + b"\n", body=b"")
        elif name == "version-9":
            npy(path, [2], [1.0, 2.0], version=b"\x09\x00")
        elif name == "not-a-dict":
            npy(path, [], [], header=b"[1, 2, 3]" + b" " * 54 + b"\n", body=b"")
        elif name == "missing-shape":
            npy(path, [], [], header=b"{'descr': '<f4', 'fortran_order': False, }" + b" " * 21 + b"\n", body=b"")
        elif name == "big-endian":
            npy(path, [2], [], descr=">f4", body=b"\0" * 8)
        cases.append(Case("malformed .npy", ["call", "softmax", "--input", "x=" + path, "--output-dir", out("npy-" + name)]))
    # Random byte corruptions of a good file.
    data = open(good, "rb").read()
    for k in range(40):
        corrupt = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            corrupt[rng.randrange(0, 128)] = rng.randrange(256)
        path = os.path.join(files, "corrupt-%d.npy" % k)
        open(path, "wb").write(bytes(corrupt))
        # A corruption may leave a valid file (a changed value or padding byte): either outcome is
        # allowed, only crashes, hangs and leftovers fail.
        cases.append(Case("corrupted .npy", ["call", "softmax", "--input", "x=" + path, "--output-dir", out("corrupt-%d" % k)], expect="any"))

    # Special files and paths.
    fifo = os.path.join(files, "fifo.npy")
    os.mkfifo(fifo)
    for name, path in [("directory", files), ("dev-zero", "/dev/zero"), ("dev-null", "/dev/null"), ("fifo", fifo), ("missing", files + "/none.npy")]:
        cases.append(Case("special files", ["call", "softmax", "--input", "x=" + path, "--output-dir", out("special-" + name)]))

    # Parameters: every numeric one out of range and non-finite, every choice misspelt, unknown names.
    for m in methods:
        args = ["call", m["id"], "--output-dir", out("param-" + m["id"])]
        if any(i["name"] == "x" for i in m["inputs"]):
            args += ["--input", "x=" + good]
        for p in m["parameters"]:
            values = []
            if p["kind"] in ("number", "integer"):
                values = ["nan", "inf", "-inf"]
                lo, hi = p.get("range") or (None, None)
                if hi is not None and hi < 1e300:
                    values.append(repr(hi * 2 + 1))
                if lo is not None and lo > -1e300:
                    values.append(repr(lo - abs(lo) - 1))
                if p["kind"] == "integer":
                    values.append("2.5")
            elif p["kind"] == "string" and p.get("choices"):
                values = [p["choices"][0] + "-misspelt"]
            elif p["kind"] == "boolean":
                values = ["maybe"]
            elif p["kind"] == "array":
                values = ["[1,nan]", "[1,"]
            for v in values:
                cases.append(Case("parameters", args + ["--param", "%s=%s" % (p["name"], v)]))
        cases.append(Case("unknown names", args + ["--param", "no_such_parameter=1"]))
        cases.append(Case("unknown names", ["call", m["id"], "--input", "no_such_input=" + good, "--output-dir", out("input-" + m["id"])]))

    # Duplicate names.
    for k in range(5):
        cases.append(Case("duplicates", ["call", "softmax", "--input", "x=" + good, "--param", "temperature=2", "--param", "temperature=%d" % (k + 3), "--output-dir", out("dup-p%d" % k)]))
        cases.append(Case("duplicates", ["call", "softmax", "--input", "x=" + good, "--input", "x=" + good, "--output-dir", out("dup-i%d" % k)]))

    # Sizes no memory holds.
    huge = [
        ["bench", "--rows", "4294967296", "--cols", "4294967296"], ["bench", "--rows", "100000", "--cols", "100000000"],
        ["bench", "--gemm", "100000000,100000000,100000000"], ["bench", "--gemm", "9223372036854775807,2,2"],
        ["bench", "--seq", "10000000"], ["bench", "--seq", "100000", "--heads", "1000"],
        ["call", "local-window-mask", "--param", "n_q=1000000000", "--param", "n_k=1000000000", "--output-dir", out("huge-lwm")],
        ["call", "ssa-position-temperature", "--param", "n=1000000000", "--output-dir", out("huge-ssa")],
        ["train", "grokking", "--hidden", "10000000000", "--output", out("huge-train")],
        ["train", "grokking", "--modulus", "100000000000", "--output", out("huge-train2")],
    ]
    cases += [Case("sizes", a) for a in huge]

    # Non-finite and out-of-range options.
    for option, value in [("--train-fraction", "nan"), ("--train-fraction", "inf"), ("--train-fraction", "-inf"), ("--lr", "nan"), ("--lr", "inf"),
                          ("--beta2", "nan"), ("--steps", "0"), ("--modulus", "1"), ("--threads", "0")]:
        steps = [] if option == "--steps" else ["--steps", "2"]
        cases.append(Case("options", ["train", "grokking", option, value] + steps + ["--output", out("train-" + option + value)]))
    for option, value in [("--rows", "0"), ("--rows", "-5"), ("--threads", "0"), ("--repeat", "0"), ("--gemm", "1,2"), ("--gemm", "a,b,c"), ("--seq", "0")]:
        cases.append(Case("options", ["bench", option, value] + (["--cols", "4"] if option == "--rows" else [])))
    for option, value in [("--lengths", "0"), ("--lengths", "-3"), ("--shard", "3/2"), ("--shard", "0/1"), ("--threads", "0"), ("--workload", "none")]:
        cases.append(Case("options", ["accuracy", "softmax", "--no-speed", option, value, "--output", out("acc-" + option)]))

    # Output folders that cannot be written.
    blocker = os.path.join(files, "a-file")
    open(blocker, "w").write("x")
    cases.append(Case("output folders", ["call", "softmax", "--input", "x=" + good, "--output-dir", blocker]))
    cases.append(Case("output folders", ["call", "softmax", "--input", "x=" + good, "--output-dir", blocker + "/under"]))

    def collide(folder):
        os.makedirs(os.path.join(folder, "y.npy"))

    cases.append(Case("output folders", ["call", "softmax", "--input", "x=" + good, "--output-dir", out("collide")], setup=lambda: collide(out("collide"))))

    # Incomplete result sets for report.
    def shard_folder(folder, keep):
        os.makedirs(folder, exist_ok=True)
        for k in keep:
            subprocess.run([cli, "accuracy", "sparsemax", "--no-speed", "--lengths", "8", "--workload", "gaussian σ=1", "--shard", "%d/3" % k, "--output", folder],
                           capture_output=True, check=True)

    cases.append(Case("report", ["report", "--output", out("report-missing")], setup=lambda: shard_folder(out("report-missing"), [1, 3])))
    cases.append(Case("report", ["report", "--output", out("report-empty")], setup=lambda: os.makedirs(out("report-empty"))))

    def truncated(folder):
        shard_folder(folder, [1, 2, 3])
        p = os.path.join(folder, "accuracy-shard-2-of-3.json")
        open(p, "wb").write(open(p, "rb").read()[:100])

    cases.append(Case("report", ["report", "--output", out("report-truncated")], setup=lambda: truncated(out("report-truncated"))))

    # Corrupted model folders.
    texts = os.path.join(files, "texts.txt")
    open(texts, "w").write("A sentence.\n")
    for name, config in [("half-layer", {"num_hidden_layers": 6.5}), ("negative-heads", {"num_attention_heads": -1}), ("not-json", None)]:
        folder = os.path.join(files, "model-" + name)
        os.makedirs(folder)
        if config is None:
            open(os.path.join(folder, "config.json"), "w").write("{not json")
        else:
            base = {"model_type": "bert", "vocab_size": 30, "hidden_size": 20, "num_hidden_layers": 2, "num_attention_heads": 4,
                    "intermediate_size": 24, "max_position_embeddings": 40, "type_vocab_size": 2}
            base.update(config)
            json.dump(base, open(os.path.join(folder, "config.json"), "w"))
        # An empty but valid safetensors file, so that the config is what is read and refused.
        open(os.path.join(folder, "model.safetensors"), "wb").write(struct.pack("<Q", 2) + b"{}")
        open(os.path.join(folder, "vocab.txt"), "w").write("[PAD]\n[UNK]\n[CLS]\n[SEP]\n")
        cases.append(Case("model folders", ["model", "embed", "--model", folder, "--input", texts, "--output", out("model-" + name + ".npy")]))
    cases.append(Case("model folders", ["model", "embed", "--model", files + "/none", "--input", texts, "--output", out("model-none.npy")]))

    # Broken GGUF files and bad arguments, to every decoder subcommand.
    ggufs = {"empty": b"", "not-gguf": b"GGML" + b"\0" * 60, "truncated": b"GGUF" + struct.pack("<IQQ", 3, 1, 1)[:10],
             "huge-counts": b"GGUF" + struct.pack("<IQQ", 3, 2**62, 2**62), "version-9": b"GGUF" + struct.pack("<IQQ", 9, 0, 0)}
    for name, data in ggufs.items():
        path = os.path.join(files, name + ".gguf")
        open(path, "wb").write(data)
        cases.append(Case("lm files", ["lm", "perplexity", "--model", path, "--text", texts]))
        cases.append(Case("lm files", ["lm", "record", "--model", path, "--text", texts, "--output", out("lm-record-" + name)]))
    for args in [["perplexity", "--window", "0"], ["perplexity", "--tokens", "-3"], ["perplexity", "--text", files],
                 ["sweep", "--per-layer"], ["sweep", "--window", "1", "--output", out("lm-sweep")], ["sweep", "--output", good],
                 ["record", "--tokens", "1", "--output", out("lm-rec")], ["record", "--tokens", "99999999", "--output", out("lm-rec")],
                 ["generate", "--prompt", "x", "--max-tokens", "0"], ["generate", "--prompt", "x", "--temperature", "nan"],
                 ["generate", "--prompt", "x", "--temperature", "1", "--top-p", "-1"], ["bench", "--prefill", "0"],
                 ["generate", "--prompt", "x", "--soft-thinking"], ["generate", "--prompt", "x", "--gumbel-tau", "1"],
                 ["generate", "--prompt", "x", "--soft-thinking", "--temperature", "1", "--cold-stop-entropy", "inf"],
                 ["generate", "--prompt", "x", "--soft-thinking", "--temperature", "1", "--think-end", ""],
                 ["generate", "--prompt", "x", "--sampler-order", "HF"],
                 ["bench", "--repeats", "0"], ["perplexity", "--threads", "0"], ["perplexity", "--param", "exp"],
                 ["tokenize", "--text", "x", "--model", files], ["logits", "--text", "x", "--output", out("lm.npy"), "--model", files + "/none.gguf"]]:
        cases.append(Case("lm arguments", ["lm"] + args))
    return cases


def leftovers(root):
    found = []
    for folder, dirs, names in os.walk(root):
        for n in dirs + names:
            if "staging" in n or ".nosync" in n or n.endswith(".tmp"):
                found.append(os.path.join(folder, n))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cli")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--list", action="store_true", help="print every case and its outcome")
    a = parser.parse_args()
    cli = os.path.abspath(a.cli)
    root = tempfile.mkdtemp(prefix="softmaxkit-red-team-")
    try:
        cases = generate(cli, root, random.Random(a.seed))
        counts = {"cases": len(cases), "clear errors": 0, "accepted": 0, "crashes": 0, "hangs": 0, "leftovers": 0, "silent": 0, "unclear": 0}
        failures = []
        for c in cases:
            if c.setup:
                c.setup()
            p = subprocess.Popen([cli] + c.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                stdout, stderr = p.communicate(timeout=a.timeout)
            except subprocess.TimeoutExpired:
                # SIGTERM first, so the run can remove its staging folder; SIGKILL if it does not stop.
                p.terminate()
                try:
                    p.communicate(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.communicate()
                counts["hangs"] += 1
                failures.append(("hang", c))
                continue
            r = subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr)
            err = r.stderr.strip().splitlines()
            outcome = "ok"
            if r.returncode < 0 or r.returncode >= 128 or any(m in r.stderr for m in CRASH_MARKERS):
                counts["crashes"] += 1
                outcome = "crash"
            elif r.returncode == 0:
                counts["accepted"] += 1
                if c.expect == "error":
                    counts["silent"] += 1
                    outcome = "silent"
            elif err and err[-1].startswith("Error: ") or (len(err) >= 2 and err[-2].startswith("Error: ") and err[-1].startswith("Run ")):
                counts["clear errors"] += 1
                if len([l for l in err if l.startswith("Error: ")]) != 1:
                    counts["unclear"] += 1
                    outcome = "unclear"
            else:
                counts["unclear"] += 1
                outcome = "unclear"
            left = leftovers(root)
            if left:
                counts["leftovers"] += 1
                outcome = "leftover " + left[0]
                for p in left:
                    shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else os.remove(p)
            if r.returncode != 0 and c.output is None:
                # A failed call writes no output file.
                for i, arg in enumerate(c.args):
                    if arg == "--output-dir" and i + 1 < len(c.args) and os.path.isdir(c.args[i + 1]):
                        written = [n for n in os.listdir(c.args[i + 1]) if n.endswith(".npy") and not os.path.isdir(os.path.join(c.args[i + 1], n))]
                        if written:
                            counts["leftovers"] += 1
                            outcome = "outputs of a failed call: " + ", ".join(written)
            if outcome != "ok":
                failures.append((outcome, c))
            if a.list:
                print("%-8s %-16s %s  →  %s" % (outcome, c.family, " ".join(c.args), (err[-1] if err else "(no message)")[:140]))
        print(json.dumps(counts))
        for outcome, c in failures:
            print("FAIL %s [%s]: softmaxkit %s" % (outcome, c.family, " ".join(c.args)), file=sys.stderr)
        bad = counts["crashes"] + counts["hangs"] + counts["leftovers"] + counts["silent"] + counts["unclear"]
        sys.exit(1 if bad else 0)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
