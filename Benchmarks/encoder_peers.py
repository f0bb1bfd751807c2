#!/usr/bin/env python3
"""Times the MiniLM encoder (all-MiniLM-L6-v2) against PyTorch and ONNX Runtime on the same weights
and the same batch shape, interleaved in one run, and writes the figures (Benchmarks/results/
encoder-peers.json; Benchmarks/tables.py renders them into BENCHMARKS.md).

    python3 Benchmarks/encoder_peers.py --softmaxkit .build/release/softmaxkit [--threads 1,2] [--rounds 3]

Protocol: one forward pass of the encoder (embeddings, the six layers, LayerNorms; no pooling) on
--batch sentences of --seq tokens, no padding. SoftmaxKit runs `softmaxkit model bench` (real
sentences cut to --seq tokens); the peers run token ids drawn from the vocabulary, with an
all-ones attention mask: the encoder's arithmetic does not depend on the ids, only on the shape.
Each figure is the median of --repeats timings after a warm-up; with --rounds N the comparison
runs N times, the sides taking turns to go first, and each cell is the median over rounds.

PyTorch runs transformers' BertModel in float32 with SDPA attention under torch.inference_mode and
torch.set_num_threads(T). ONNX Runtime runs the same model exported here by torch.onnx (opset 17),
with intra-op threads T, one inter-op thread and every graph optimisation. Both come from
Benchmarks/.venv (Benchmarks/peers-env.sh --lm); without PyTorch only SoftmaxKit is timed.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import child_process, provenance

MODEL = "models/all-MiniLM-L6-v2"


def softmaxkit(cli, model, threads, args):
    out = subprocess.run([cli, "model", "bench", "--model", model, "--threads", str(threads), "--batch", str(args.batch),
                          "--seq", str(args.seq), "--repeats", str(args.repeats), "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["ms"]


class PyTorch:
    def __init__(self, model, batch, seq):
        import torch, transformers
        self.torch = torch
        self.model = transformers.AutoModel.from_pretrained(model, dtype=torch.float32, attn_implementation="sdpa").eval()
        generator = torch.Generator().manual_seed(0)
        self.ids = torch.randint(1000, self.model.config.vocab_size, (batch, seq), generator=generator)
        self.mask = torch.ones_like(self.ids)
        self.version = "PyTorch %s, transformers %s" % (torch.__version__, transformers.__version__)

    def bench(self, threads, repeats):
        torch = self.torch
        torch.set_num_threads(threads)
        with torch.inference_mode():
            self.model(input_ids=self.ids, attention_mask=self.mask)  # warm-up
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                self.model(input_ids=self.ids, attention_mask=self.mask)
                times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000

    def export(self, path, model):
        """The same model as ONNX (the legacy TorchScript exporter, opset 17), inputs ids and mask.
        It exports a copy loaded for the purpose: tracing leaves the model it traces slower."""
        import transformers
        torch = self.torch

        class Encoder(torch.nn.Module):
            def __init__(self, model):
                super().__init__()
                self.model = model

            def forward(self, ids, mask):
                return self.model(input_ids=ids, attention_mask=mask).last_hidden_state

        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copy = transformers.AutoModel.from_pretrained(model, dtype=torch.float32, attn_implementation="sdpa").eval()
            torch.onnx.export(Encoder(copy), (self.ids, self.mask), path, input_names=["input_ids", "attention_mask"],
                              output_names=["last_hidden_state"], dynamo=False, opset_version=17)


class OnnxRuntime:
    def __init__(self, path, ids, mask):
        import onnxruntime
        self.onnxruntime, self.path = onnxruntime, path
        self.feed = {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
        self.version = "ONNX Runtime %s" % onnxruntime.__version__

    def bench(self, threads, repeats):
        ort = self.onnxruntime
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(self.path, options, providers=["CPUExecutionProvider"])
        session.run(None, self.feed)  # warm-up
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            session.run(None, self.feed)
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--softmaxkit", default=".build/release/softmaxkit")
    p.add_argument("--model", default=MODEL)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "encoder-peers.json"),
                   help="results file (JSON) for Benchmarks/tables.py")
    args = p.parse_args()
    for path, hint in [(args.softmaxkit, "build it: swift build -c release -Xswiftc -target-cpu -Xswiftc native"),
                       (os.path.join(args.model, "model.safetensors"), "fetch it: scripts/fetch-models.sh")]:
        if not os.path.exists(path):
            sys.exit("encoder_peers.py: %s: no such file (%s)" % (path, hint))
    threads = [int(t) for t in args.threads.split(",")]
    header = provenance.record(" ".join(["python3", "Benchmarks/encoder_peers.py"] + sys.argv[1:]))
    sides = {"pytorch": None, "onnxruntime": None}
    scratch = tempfile.TemporaryDirectory(prefix="encoder-peers-")
    try:
        sides["pytorch"] = PyTorch(args.model, args.batch, args.seq)
    except ImportError as error:
        print("encoder_peers.py: PyTorch is not installed (%s); run Benchmarks/peers-env.sh --lm and use its python. "
              "Timing SoftmaxKit only." % error, file=sys.stderr)
    if sides["pytorch"]:
        try:
            onnx_path = os.path.join(scratch.name, "encoder.onnx")
            sides["pytorch"].export(onnx_path, args.model)
            sides["onnxruntime"] = OnnxRuntime(onnx_path, sides["pytorch"].ids, sides["pytorch"].mask)
        except ImportError as error:
            print("encoder_peers.py: ONNX Runtime or onnx is not installed (%s); timing without it." % error, file=sys.stderr)
    names = ["softmaxkit", "pytorch", "onnxruntime"]
    figures = {(side, t): [] for t in threads for side in names}
    for r in range(args.rounds):
        for t in threads:
            order = names[(r + t) % 3:] + names[:(r + t) % 3]
            for side in order:
                if side != "softmaxkit" and sides[side] is None:
                    continue
                child_process.settle()
                ms = softmaxkit(args.softmaxkit, args.model, t, args) if side == "softmaxkit" else sides[side].bench(t, args.repeats)
                figures[(side, t)].append(ms)
                print("round %d, %d thread(s), %-11s %7.1f ms" % (r + 1, t, side, ms), file=sys.stderr)
    scratch.cleanup()
    cases = []
    for t in threads:
        case = {"threads": t}
        for side in names:
            runs = figures[(side, t)]
            if runs:
                case[side] = {"ms_runs": runs, "ms": statistics.median(runs)}
        cases.append(case)
    result = {"kind": "encoder-peers", "header": header, "rounds": args.rounds, "model": os.path.basename(os.path.normpath(args.model)),
              "protocol": {"batch": args.batch, "seq": args.seq, "repeats": args.repeats},
              "versions": {side: sides[side].version for side in sides if sides[side]}, "cases": cases}
    for c in cases:
        line = "%d thread(s): SoftmaxKit %.1f ms" % (c["threads"], c["softmaxkit"]["ms"])
        for side, name in [("pytorch", "PyTorch"), ("onnxruntime", "ONNX Runtime")]:
            if side in c:
                line += "; %s %.1f ms (SoftmaxKit takes %.2f× its time)" % (name, c[side]["ms"], c["softmaxkit"]["ms"] / c[side]["ms"])
        print(line)
    with open(args.output + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(args.output + ".tmp", args.output)


if __name__ == "__main__":
    main()
