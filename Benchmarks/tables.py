#!/usr/bin/env python3
"""Renders the tables of BENCHMARKS.md from the results files in Benchmarks/results/, so that no
figure in them is typed by hand and every table is headed with the date, commit and machine it
comes from.

    python3 Benchmarks/tables.py           # rewrite the generated blocks of BENCHMARKS.md
    python3 Benchmarks/tables.py --check   # exit 1 if a block differs from its results file (CI)
    python3 Benchmarks/tables.py FILE.json # print one results file's tables

A generated block in BENCHMARKS.md is

    <!-- generated from Benchmarks/results/NAME.json by Benchmarks/tables.py; do not edit -->
    …
    <!-- end of generated block -->

The results files are written by Benchmarks/peers.py (`softmax-peers`) and Benchmarks/sweeps.py.
"""
import argparse, json, os, re, statistics, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import provenance

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"(<!-- generated from (\S+) by Benchmarks/tables.py; do not edit -->\n)(.*?)(<!-- end of generated block -->)",
                   re.S)
LEVEL_ORDER = {"L1": 0, "L2": 1, "L3": 2, "memory": 3}


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def median(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def heading(result):
    h = result["header"]
    rounds = result.get("rounds")
    rounds = "; median of %d rounds" % rounds if rounds and rounds > 1 else ""
    return "*%s. `%s`%s.*" % (provenance.describe(h), h["command"], rounds)


def gbps(records):
    return median([r["gbps"] for r in records])


def render_softmax_peers(result):
    default = "softmax[algorithm=three-pass-reload]"
    variants = sorted({v for s in result["shapes"] for v in s["variants"]})
    shapes = sorted(result["shapes"], key=lambda s: (s["cols"], s["rows"]))

    def fig(values):
        return "%.1f" % median(values) if values else "—"

    def ratio(ours, theirs):
        """median(ours) / median(theirs), with the range of the per-round ratios."""
        if not ours or not theirs:
            return "—"
        text = "%.2f×" % (median(ours) / median(theirs))
        each = [a / b for a, b in zip(ours, theirs)]
        return text + (" (%.2f–%.2f)" % (min(each), max(each)) if len(each) > 1 else "")

    def named(values, names):
        if not values:
            return "—"
        # The variant that won most rounds; a tie goes to the one of the fastest round (never to
        # set order, which differs from one process to the next).
        fastest = names[values.index(max(values))] if names else ""
        common = max(sorted(set(names)), key=lambda n: (names.count(n), n == fastest)) if names else ""
        return "%.1f (%s)" % (median(values), common)

    rows, logs, each = [], [], []
    for s in shapes:
        paired = s["paired"] or s["variants"].get(default, [])
        rows.append([s["cols"], s["level"], s["rows"], fig(paired), fig(s["numpy"]), fig(s["ort"]), fig(s.get("torch")),
                     named(s.get("c_best"), s.get("c_best_name", [])), ratio(paired, s["ort"]),
                     ratio(paired, s.get("torch")), ratio(paired, s.get("c_best"))])
        mine = s["variants"].get("log-softmax", [])
        logs.append([s["cols"], s["level"], s["rows"], fig(mine), fig(s.get("torch_log")),
                     named(s.get("c_log_best"), s.get("c_log_best_name", [])), ratio(mine, s.get("torch_log")),
                     ratio(mine, s.get("c_log_best"))])
        each.append([s["cols"], s["level"], s["rows"]] + [fig(s["variants"].get(v, [])) for v in variants])
    versions = result.get("versions", {})
    peers = ", ".join("%s %s" % (k, v) for k, v in sorted(versions.items()))
    text = [heading(result), "",
            "GB/s (4 bytes read + 4 written per float32 element), threads: %d; copy bandwidth in the same run "
            "%.1f GB/s; peers: %s. \"C best\" is the fastest of the hand-written C kernel's softmax variants on "
            "that shape (named; `pf` prefetches the next row, `nt` writes with streaming stores)."
            % (result["threads"], median(result["copy_gbps"]), peers or "none"), "",
            table(["cols", "level", "rows", "SoftmaxKit", "NumPy", "ONNX Runtime", "PyTorch", "C best", "÷ ORT",
                   "÷ PyTorch", "÷ C best"], rows)]
    if any(s.get("torch_log") or s.get("c_log_best") for s in shapes):
        text += ["", "Log-softmax (SoftmaxKit's figure from the sweep, not paired):", "",
                 table(["cols", "level", "rows", "SoftmaxKit", "PyTorch", "C best", "÷ PyTorch", "÷ C best"], logs)]
    text += ["", "Each exact algorithm of SoftmaxKit and its log-softmax (the sweep's own figures, one process):", "",
             table(["cols", "level", "rows"] + variants, each)]
    if result.get("accuracy"):
        text += ["", "Largest relative error of any output ≥ 10⁻³⁰ against a float64 softmax of the same float32 "
                 "inputs:", "",
                 table(["rows", "NumPy", "ONNX Runtime", "SoftmaxKit"],
                       [[a["rows"], "%.1e" % a["numpy"], "%.1e" % a["ort"], "%.1e" % a["softmaxkit"]]
                        for a in result["accuracy"]])]
    return "\n".join(text)


def render_approximations(result):
    cells, variants = {}, []
    for c in result["cases"]:
        v = c["case"]["variant"]
        if v not in variants:
            variants.append(v)
        cells[(v, c["case"]["level"])] = gbps(c["records"])
    levels = sorted({c["case"]["level"] for c in result["cases"]}, key=LEVEL_ORDER.get)
    exact = {level: cells.get(("softmax[exp=exact]", level)) for level in levels}
    rows = [[v] + ["%.1f (%.2f×)" % (cells[(v, l)], cells[(v, l)] / exact[l]) if exact[l] else "%.1f" % cells[(v, l)]
                   for l in levels] for v in variants]
    shapes = {c["case"]["level"]: "%s×%s" % (c["records"][0]["rows"], c["records"][0]["cols"]) for c in result["cases"]}
    return "\n".join([heading(result), "", "GB/s and, in brackets, × the exact kernel in the same run:", "",
                      table(["variant"] + ["%s (%s)" % (l, shapes[l]) for l in levels], rows)])


def render_threads(result):
    by = {}
    for c in result["cases"]:
        k = c["case"]
        by.setdefault((k["cols"], LEVEL_ORDER[k["level"]], k["level"], k["rows"]), {})[k["threads"]] = gbps(c["records"])
    rows = [[cols, level, rows_, "%.1f" % t[1], "%.1f" % t[2], "%.2f×" % (t[2] / t[1])]
            for (cols, _, level, rows_), t in sorted(by.items())]
    return "\n".join([heading(result), "", "Default softmax, GB/s (results are bit-identical across thread counts):",
                      "", table(["cols", "level", "rows", "1 thread", "2 threads", "speed-up"], rows)])


def render_gemm(result):
    by = {}
    for c in result["cases"]:
        for r in c["records"]:
            by.setdefault((c["case"]["size"], c["case"]["threads"]), {}).setdefault(r["variant"], []).append(r["gflops"])
    variants = ["A·B", "A·Bᵀ", "Aᵀ·B"]
    rows = [["%d³" % size, threads] + ["%.1f" % median(v.get(name, [])) for name in variants]
            for (size, threads), v in sorted(by.items())]
    return "\n".join([heading(result), "", "GFLOP/s (2·M·N·K flops):", "",
                      table(["size", "threads"] + variants, rows)])


def render_attention(result):
    by = {}
    for c in result["cases"]:
        k = c["case"]
        by.setdefault(k["seq"], {})[(k["threads"], k["causal"])] = median([r["gflops"] for r in c["records"]])
    columns = [(1, False), (1, True), (2, False), (2, True)]
    names = ["1 thread", "1 thread, causal", "2 threads", "2 threads, causal"]
    rows = [[n] + ["%.1f" % cells[c] if c in cells else "–" for c in columns] for n, cells in sorted(by.items())]
    return "\n".join([heading(result), "",
                      "Exact attention, 12 heads × 64, batch 1, GFLOP/s (4·N²·D·H flops, also when causal):", "",
                      table(["N"] + names, rows)])


def render_encoder_bench(result):
    rows = []
    for c in result["cases"]:
        ms = [r["ms"] for r in c["records"]]
        tokens = c["records"][0]["batch"] * c["records"][0]["seq"]
        rows.append([c["case"]["threads"], "%.0f" % median(ms), "%.0f–%.0f" % (min(ms), max(ms)),
                     "%.0f" % (tokens / median(ms) * 1000)])
    return "\n".join([heading(result), "", "all-MiniLM-L6-v2, 32 sentences × 128 tokens, median of the forward "
                      "passes of each run (embeddings and LayerNorms included):", "",
                      table(["threads", "ms (median)", "ms (runs)", "tokens/s"], rows)])


def render_encoder_peers(result):
    proto, versions = result["protocol"], result["versions"]
    peers = [(side, name) for side, name in [("pytorch", "PyTorch"), ("onnxruntime", "ONNX Runtime")] if side in versions]
    rows = []
    for c in result["cases"]:
        ours = c["softmaxkit"]
        row = [c["threads"], "%.0f" % ours["ms"]]
        for side, _ in peers:
            each = [a / b for a, b in zip(ours["ms_runs"], c[side]["ms_runs"])]
            row += ["%.0f" % c[side]["ms"], "%.2f× (%.2f–%.2f)" % (ours["ms"] / c[side]["ms"], min(each), max(each))]
        rows.append(row)
    columns = ["threads", "SoftmaxKit ms"]
    for _, name in peers:
        columns += ["%s ms" % name, "÷ %s" % name]
    return "\n".join([heading(result), "",
                      "%s, %d sentences × %d tokens, no padding, one forward pass (embeddings and LayerNorms included, no "
                      "pooling); each side the median of %d timings per round, then of %d rounds; a ratio is SoftmaxKit's time "
                      "÷ the peer's (below 1 when SoftmaxKit is faster; the range is of the per-round ratios). Peers, float32: "
                      "%s (SDPA attention), and the same model exported to ONNX and run by %s." % (
                          result["model"], proto["batch"], proto["seq"], proto["repeats"], result["rounds"],
                          versions.get("pytorch", "PyTorch not installed"), versions.get("onnxruntime", "ONNX Runtime (not installed)")), "",
                      table(columns, rows)])


def render_lm_peers(result):
    proto = result["protocol"]
    llama = result.get("llama.cpp")
    rows = []
    for c in result["cases"]:
        ours, theirs = c["softmaxkit"], c.get("pytorch")
        row = [c["threads"], "%.1f" % ours["prefill"], "%.1f" % theirs["prefill"] if theirs else "–",
               "%.2f×" % (ours["prefill"] / theirs["prefill"]) if theirs else "–",
               "%.2f" % ours["decode"], "%.2f" % theirs["decode"] if theirs else "–",
               "%.2f×" % (ours["decode"] / theirs["decode"]) if theirs else "–"]
        if llama:
            row += ["%.1f" % c["llama.cpp"]["prefill"], "%.2f" % c["llama.cpp"]["decode"]]
        rows.append(row)
    columns = ["threads", "SoftmaxKit prefill", "PyTorch prefill", "ratio", "SoftmaxKit decode", "PyTorch decode", "ratio"]
    note = ""
    if llama:
        columns += ["llama.cpp prefill", "llama.cpp decode"]
        note = (" For context, %s on the same file and ids, computing with the quantized weights (Q4_1/Q8_0 dot products) "
                "rather than in float32." % llama)
    return "\n".join([heading(result), "",
                      "%s, tokens/s: prefill of %d tokens (one pass, last logits only), greedy decode of %d steps after a "
                      "%d-token prompt; each side the median of %d timings per round. PyTorch: %s, float32 weights dequantized "
                      "from the same GGUF file, SDPA attention.%s" % (result["model"], proto["prefill"], proto["decode"], proto["context"],
                                                                     proto["repeats"], result["pytorch"] or "not installed", note), "",
                      table(columns, rows)])


def render_gemm_peers(result):
    v = result["versions"]
    rows = []
    for c in result["cases"]:
        ours = c["softmaxkit"]["gflops"]
        row = ["%s (%d×%d·%d×%d)" % (c["shape"], c["m"], c["k"], c["k"], c["n"]), c["threads"], "%.1f" % ours]
        for peer in ["pytorch", "numpy"]:
            row += ["%.1f" % c[peer]["gflops"], "%.2f×" % (ours / c[peer]["gflops"])] if peer in c else ["–", "–"]
        rows.append(row)
    return "\n".join([heading(result), "",
                      "GFLOP/s (2·M·N·K flops), C = A·B in float32, B packed inside each call; the median of %d timings, "
                      "then the median of %d rounds. Peers: PyTorch %s (`torch.mm`), NumPy %s (`a @ b`):"
                      % (result["repeat"], result["rounds"], v.get("pytorch") or "not installed", v.get("numpy")), "",
                      table(["shape", "threads", "SoftmaxKit", "PyTorch", "÷ PyTorch", "NumPy", "÷ NumPy"], rows)])


def render_attention_peers(result):
    v = result["versions"]
    rows = []
    for c in result["cases"]:
        ours = c["softmaxkit"]["gflops"]
        row = [c["seq"], "yes" if c["causal"] else "no", c["threads"], "%.1f" % ours]
        for peer in ["pytorch", "numpy"]:
            if peer in c:
                each = [a / b for a, b in zip(c["softmaxkit"]["runs"], c[peer]["runs"])]
                row += ["%.1f" % c[peer]["gflops"], "%.2f× (%.2f–%.2f)" % (ours / c[peer]["gflops"], min(each), max(each))]
            else:
                row += ["–", "–"]
        rows.append(row)
    return "\n".join([heading(result), "",
                      "GFLOP/s counted as 4·N²·D·H flops, causal or not (a ratio is a ratio of times); one sequence, %d "
                      "heads of %d, float32; the median of %d timings, then of %d rounds (the range is of the per-round "
                      "ratios). Peers: PyTorch %s (`scaled_dot_product_attention`), NumPy %s (scores materialised; "
                      "N ≤ 2048):" % (result["cases"][0]["heads"], result["cases"][0]["head_dim"], result["repeat"],
                                      result["rounds"], v.get("pytorch") or "not installed", v.get("numpy")), "",
                      table(["N", "causal", "threads", "SoftmaxKit", "PyTorch SDPA", "÷ SDPA", "NumPy", "÷ NumPy"], rows)])


def render_python_peers(result):
    v = result["versions"]
    rows = []
    for c in result["cases"]:
        ours = c["softmaxkit"]
        what = "%s, %s, axis %d" % (c["case"], c["function"].replace("_", "-"), c["axis"]) if c["case"] != "overhead" \
            else "one element, out= (overhead)"
        if "bench" in c:
            what += ", out= (`softmaxkit bench`: %.1f µs, %.2f× the package's time)" % (c["bench"], c["bench"] / ours)
        row = [what, c["threads"], "%.1f" % ours]
        for peer in ["scipy", "pytorch", "numpy"]:
            row += ["%.1f" % c[peer], "%.2f×" % (c[peer] / ours)] if peer in c else ["–", "–"]
        rows.append(row)
    return "\n".join([heading(result), "",
                      "Microseconds per call from Python (float32; a speedup is the peer's time ÷ ours, above 1 when "
                      "SoftmaxKit is faster); the median of %d timings, then of %d rounds. Peers: SciPy %s, PyTorch %s, "
                      "NumPy %s:" % (result["repeat"], result["rounds"], v.get("scipy") or "not installed",
                                      v.get("pytorch") or "not installed", v.get("numpy")), "",
                      table(["call", "threads", "softmaxkit µs", "SciPy µs", "speedup", "PyTorch µs", "speedup",
                             "NumPy µs", "speedup"], rows)])


def render_memory(result):
    rows = [[c["method"], "float32" if c["dtype"] == "f4" else "float64", "%.0f" % c["input_mib"], "%.0f" % c["outputs_mib"],
             "%.0f" % c["peak_mib"], "%.0f" % c["budget_mib"], "%.2f×" % (c["peak_mib"] / c["input_mib"])]
            for c in result["cases"]]
    return "\n".join([heading(result), "",
                      "Peak resident memory of one `softmaxkit call` (getrusage, as `/usr/bin/time -v` reports it) "
                      "against the budget of input + outputs + %d MiB:" % result["slack_mib"], "",
                      table(["method", "input", "input MiB", "outputs MiB", "peak MiB", "budget MiB", "peak ÷ input"], rows)])


def render_ray_sweep(result):
    rows = []
    for c in result["cases"]:
        one = c["seconds"]["1 worker node"]
        rows += [["%s (`%s`)" % (c["sweep"], c["command"]) if k == 0 else "", name, "%.1f" % t, "%.2f×" % (t / one)]
                 for k, (name, t) in enumerate(c["seconds"].items())]
    return "\n".join([heading(result), "",
                      "Each sweep through `python -m softmaxkit.distributed` (Ray %s; one shard per CPU, each also "
                      "running the exact model) on a loopback cluster of a head and one-CPU worker nodes, wall-clock "
                      "seconds including connecting, scheduling and joining; the single process runs the same sweep "
                      "with one thread:" % result["ray"], "",
                      table(["sweep", "run", "seconds", "÷ one worker"], rows)])


def render_text(result):
    return "\n".join([heading(result), "", "```", result["text"].rstrip("\n"), "```"])


RENDERERS = {"softmax-peers": render_softmax_peers, "approximations": render_approximations,
             "threads": render_threads, "gemm": render_gemm, "attention": render_attention, "encoder-bench": render_encoder_bench, "lm-peers": render_lm_peers, "encoder-peers": render_encoder_peers, "gemm-peers": render_gemm_peers, "attention-peers": render_attention_peers, "python-peers": render_python_peers, "ray-sweep": render_ray_sweep, "memory": render_memory, "text": render_text}


def render(path):
    with open(path) as f:
        result = json.load(f)
    if result.get("kind") not in RENDERERS:
        raise SystemExit("tables.py: %s: unknown kind %r (expected one of %s)"
                         % (path, result.get("kind"), ", ".join(sorted(RENDERERS))))
    return RENDERERS[result["kind"]](result)


def regenerate(text):
    def block(match):
        path = os.path.join(ROOT, match.group(2))
        if not os.path.exists(path):
            raise SystemExit("tables.py: BENCHMARKS.md names %s, which does not exist; run the sweep that "
                             "writes it (Benchmarks/sweeps.py or Benchmarks/peers.py)" % match.group(2))
        return match.group(1) + render(path) + "\n" + match.group(4)
    return BLOCK.sub(block, text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", nargs="?", help="print this results file's tables instead")
    p.add_argument("--check", action="store_true", help="fail if BENCHMARKS.md's generated blocks are stale")
    args = p.parse_args()
    if args.results:
        print(render(args.results))
        return
    path = os.path.join(ROOT, "BENCHMARKS.md")
    with open(path) as f:
        text = f.read()
    new = regenerate(text)
    if args.check:
        if new != text:
            sys.exit("tables.py: BENCHMARKS.md's generated tables differ from Benchmarks/results/; "
                     "run python3 Benchmarks/tables.py and commit the result")
        print("BENCHMARKS.md: %d generated blocks match their results files" % len(BLOCK.findall(text)))
        return
    if new != text:
        with open(path + ".tmp", "w") as f:
            f.write(new)
        os.replace(path + ".tmp", path)
    print("BENCHMARKS.md: %d generated blocks rendered" % len(BLOCK.findall(new)))


if __name__ == "__main__":
    main()
