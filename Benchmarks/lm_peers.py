#!/usr/bin/env python3
"""Times the decoder's prefill and decode against PyTorch on the same GGUF model, the same token
ids and the same protocol, interleaved in one run, and writes the figures (Benchmarks/results/lm.json;
Benchmarks/tables.py renders them into BENCHMARKS.md).

    python3 Benchmarks/lm_peers.py --softmaxkit .build/release/softmaxkit [--threads 1,2] [--rounds 3]

Protocol (both sides, `softmaxkit lm bench`): prefill = one forward pass over the first --prefill
tokens of models/eval/para2para_text1.txt from an empty cache, the logits of the last position
only; decode = --decode greedy steps, one token at a time through the KV cache, after a --context
token prompt (the prompt not timed). Each figure is the median of --repeats timings after a
warm-up; with --rounds N the comparison runs N times, SoftmaxKit and PyTorch alternating first,
and each cell is the median over rounds.

PyTorch runs in float32 with transformers' GGUF loader (the weights dequantized to float32), SDPA
attention, torch.inference_mode and torch.set_num_threads(T). It comes from the CPU wheel on the
machine (PIP_FIND_LINKS, /opt/wheels) or PyPI's CPU index, with transformers and gguf from PyPI,
into Benchmarks/.venv (Benchmarks/peers-env.sh --lm); without it, only SoftmaxKit is timed.

With --llama-cpp, llama.cpp is timed too, for context: through its Python bindings
(llama-cpp-python from PyPI, which compiles llama.cpp for the machine's CPU on install:
Benchmarks/peers-env.sh --lm --llama-cpp), on the same GGUF file and token ids. It computes with
the quantized weights directly (Q4_1 and Q8_0 dot products), not in float32, so its figures are
another arithmetic, not a peer of the same computation.
"""
import argparse, json, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child_process, provenance

MODEL = "models/SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
TEXT = "models/eval/para2para_text1.txt"


def token_ids(cli, model, count):
    """The text's ids from softmaxkit's tokenizer (equal to Hugging Face tokenizers' on this model),
    repeated until there are `count`."""
    with open(TEXT, encoding="utf-8", errors="replace") as f:
        text = f.read()
    out = subprocess.run([cli, "lm", "tokenize", "--model", model, "--text", text, "--json"],
                         capture_output=True, text=True, check=True).stdout
    ids = json.loads(out)
    while len(ids) < count:
        ids += ids
    return ids


def softmaxkit(cli, model, threads, args):
    out = subprocess.run([cli, "lm", "bench", "--model", model, "--threads", str(threads), "--prefill", str(args.prefill),
                          "--context", str(args.context), "--decode", str(args.decode), "--repeats", str(args.repeats), "--json"],
                         capture_output=True, text=True, check=True).stdout
    r = json.loads(out)
    return r["prefill_tokens_per_second"], r["decode_tokens_per_second"]


class PyTorch:
    def __init__(self, model):
        import torch, transformers
        self.torch = torch
        folder, name = os.path.split(os.path.abspath(model))
        self.model = transformers.AutoModelForCausalLM.from_pretrained(
            folder, gguf_file=name, dtype=torch.float32, attn_implementation="sdpa").eval()
        self.version = "PyTorch %s, transformers %s" % (torch.__version__, transformers.__version__)

    def bench(self, ids, threads, args):
        torch = self.torch
        torch.set_num_threads(threads)
        prompt = torch.tensor([ids[:args.prefill]])
        context = torch.tensor([ids[:args.context]])

        def median(samples):
            return statistics.median(samples)

        with torch.inference_mode():
            self.model(torch.tensor([ids[:16]]), use_cache=True, logits_to_keep=1)  # warm-up
            prefill = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                self.model(prompt, use_cache=True, logits_to_keep=1)
                prefill.append(time.perf_counter() - t)
            decode = []
            for _ in range(args.repeats):
                out = self.model(context, use_cache=True, logits_to_keep=1)
                cache, logits = out.cache, out.logits
                t = time.perf_counter()
                for _ in range(args.decode):
                    next_id = logits[:, -1].argmax(-1, keepdim=True)
                    out = self.model(next_id, cache=cache, use_cache=True, logits_to_keep=1)
                    cache, logits = out.cache, out.logits
                decode.append(time.perf_counter() - t)
        return args.prefill / median(prefill), args.decode / median(decode)


class LlamaCpp:
    def __init__(self, model):
        import llama_cpp
        self.llama_cpp, self.model = llama_cpp, model
        self.version = "llama.cpp through llama-cpp-python %s" % llama_cpp.__version__

    def bench(self, ids, threads, args):
        import numpy
        llm = self.llama_cpp.Llama(model_path=self.model, n_ctx=max(args.prefill, args.context + args.decode) + 16, n_batch=args.prefill,
                                   n_threads=threads, n_threads_batch=threads, verbose=False)
        llm.eval(ids[:16])  # warm-up
        prefill = []
        for _ in range(args.repeats):
            llm.reset()
            t = time.perf_counter()
            llm.eval(ids[:args.prefill])
            prefill.append(time.perf_counter() - t)
        decode = []
        for _ in range(args.repeats):
            llm.reset()
            llm.eval(ids[:args.context])
            t = time.perf_counter()
            for _ in range(args.decode):
                llm.eval([int(numpy.argmax(llm.scores[llm.n_tokens - 1]))])
            decode.append(time.perf_counter() - t)
        return args.prefill / statistics.median(prefill), args.decode / statistics.median(decode)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--softmaxkit", default=".build/release/softmaxkit")
    p.add_argument("--model", default=MODEL)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--prefill", type=int, default=512)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--decode", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--output", help="results file (JSON) for Benchmarks/tables.py")
    p.add_argument("--llama-cpp", action="store_true", help="time llama.cpp too (llama-cpp-python; peers-env.sh --lm --llama-cpp)")
    args = p.parse_args()
    for path, hint in [(args.softmaxkit, "build it: swift build -c release -Xswiftc -target-cpu -Xswiftc native"),
                       (args.model, "fetch it: scripts/fetch-models.sh"), (TEXT, "fetch it: scripts/fetch-models.sh")]:
        if not os.path.exists(path):
            sys.exit("lm_peers.py: %s: no such file (%s)" % (path, hint))
    threads = [int(t) for t in args.threads.split(",")]
    header = provenance.record(" ".join(["python3", "Benchmarks/lm_peers.py"] + sys.argv[1:]))
    try:
        torch_side = PyTorch(args.model)
    except ImportError as error:
        print("lm_peers.py: PyTorch is not installed (%s); run Benchmarks/peers-env.sh --lm and use its python. "
              "Timing SoftmaxKit only." % error, file=sys.stderr)
        torch_side = None
    llama_side = None
    if args.llama_cpp:
        try:
            llama_side = LlamaCpp(args.model)
        except ImportError as error:
            sys.exit("lm_peers.py: --llama-cpp: llama-cpp-python is not installed (%s); run Benchmarks/peers-env.sh --lm --llama-cpp "
                     "and use its python" % error)
    ids = token_ids(args.softmaxkit, args.model, max(args.prefill, args.context))
    sides = {"pytorch": torch_side, "llama.cpp": llama_side}
    figures = {(side, t): [] for t in threads for side in ["softmaxkit", "pytorch", "llama.cpp"]}
    for r in range(args.rounds):
        for t in threads:
            order = ["softmaxkit", "pytorch", "llama.cpp"]
            order = order[(r + t) % 3:] + order[:(r + t) % 3]
            for side in order:
                if side != "softmaxkit" and sides[side] is None:
                    continue
                child_process.settle()
                rates = softmaxkit(args.softmaxkit, args.model, t, args) if side == "softmaxkit" else sides[side].bench(ids, t, args)
                figures[(side, t)].append(rates)
                print("round %d, %d thread(s), %-10s prefill %7.1f tokens/s, decode %6.2f tokens/s" % ((r + 1, t, side) + rates),
                      file=sys.stderr)
    cases = []
    for t in threads:
        case = {"threads": t}
        for side in ["softmaxkit", "pytorch", "llama.cpp"]:
            runs = figures[(side, t)]
            if runs:
                case[side] = {"prefill_runs": [x[0] for x in runs], "decode_runs": [x[1] for x in runs],
                              "prefill": statistics.median(x[0] for x in runs), "decode": statistics.median(x[1] for x in runs)}
        cases.append(case)
    result = {"kind": "lm-peers", "header": header, "rounds": args.rounds, "model": os.path.basename(args.model),
              "protocol": {"prefill": args.prefill, "context": args.context, "decode": args.decode, "repeats": args.repeats},
              "pytorch": torch_side.version if torch_side else None, "llama.cpp": llama_side.version if llama_side else None,
              "cases": cases}
    for c in cases:
        line = "%d thread(s): SoftmaxKit prefill %.1f, decode %.2f tokens/s" % (c["threads"], c["softmaxkit"]["prefill"], c["softmaxkit"]["decode"])
        if "pytorch" in c:
            line += "; PyTorch prefill %.1f, decode %.2f; ratio %.2f× prefill, %.2f× decode" % (
                c["pytorch"]["prefill"], c["pytorch"]["decode"], c["softmaxkit"]["prefill"] / c["pytorch"]["prefill"],
                c["softmaxkit"]["decode"] / c["pytorch"]["decode"])
        if "llama.cpp" in c:
            line += "; llama.cpp prefill %.1f, decode %.2f" % (c["llama.cpp"]["prefill"], c["llama.cpp"]["decode"])
        print(line)
    if args.output:
        with open(args.output + ".tmp", "w") as f:
            json.dump(result, f, indent=1)
        os.replace(args.output + ".tmp", args.output)


if __name__ == "__main__":
    main()
