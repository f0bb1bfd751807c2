import ArgumentParser
import Foundation
import SoftmaxKit
import SoftmaxLab
import SoftmaxModels
import SoftmaxNumPy

/// `softmaxkit model`: a real pretrained encoder with swappable parts.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "A real sentence encoder (all-MiniLM-L6-v2) with swappable softmax, activation and attention.",
        discussion: """
            Fetch the model and the evaluation texts first: scripts/fetch-models.sh (or make models). \
            Any Hugging Face BERT folder works with --model.
            """,
        subcommands: [ModelEvaluateCommand.self, ModelEmbedCommand.self, ModelBenchCommand.self],
        defaultSubcommand: ModelEvaluateCommand.self)
}

/// The options every `model` subcommand shares: where the model is and what to swap in.
struct ModelOptions: ParsableArguments {
    static let defaultFolder = "models/all-MiniLM-L6-v2"

    @Option(help: "A Hugging Face BERT folder (config.json, model.safetensors, vocab.txt).")
    var model: String = ModelOptions.defaultFolder

    @Option(help: "A normalizer id to use inside attention instead of softmax (repeatable: one row per id).")
    var normalizer: [String] = []

    @Option(help: "An activation id to use instead of GELU (repeatable).")
    var activation: [String] = []

    @Option(help: "An attention engine id to use instead of exact attention (repeatable).")
    var attention: [String] = []

    @Option(name: .customLong("param"), help: "A parameter for the swapped methods, NAME=VALUE (features=… and seed=… for engines with random features).")
    var parameters: [String] = []

    @Option(help: "Layers the swap applies to, e.g. 0,2-3 (default: all).")
    var layers: String?

    @Option(help: "Threads (default: the active cores).")
    var threads: Int?

    func load() throws -> SentenceEmbedder {
        guard FileManager.default.fileExists(atPath: (model as NSString).appendingPathComponent("model.safetensors")) else {
            throw ValidationErrorMessage("--model \(model): no model.safetensors there (run scripts/fetch-models.sh, or point --model at a BERT folder)")
        }
        return try SentenceEmbedder.load(folder: model)
    }

    var threadCount: Int { threads ?? RowParallel.activeCores }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
    }

    /// One swap per id given (normalizers, then activations, then engines). Each `--param` goes to
    /// the ids that take it; one that no id takes is an error.
    func swaps(layerCount: Int) throws -> [EncoderSwap] {
        let values = try parseParameters(parameters)
        let registry = MethodRegistry.complete
        func own(_ id: String, attention: Bool = false) throws -> [String: ParameterValue] {
            let names = Set(try registry.method(id).parameters.map(\.name)).union(attention ? ["features", "seed"] : [])
            return values.filter { names.contains($0.key) }
        }
        let taken = try (normalizer + activation).flatMap { try own($0).keys } + attention.flatMap { try own($0, attention: true).keys }
        if let unknown = values.keys.sorted().first(where: { !taken.contains($0) }), !(normalizer + activation + attention).isEmpty {
            throw ValidationErrorMessage("--param \(unknown): none of the methods swapped in takes it (see softmaxkit methods)")
        }
        var out = [EncoderSwap]()
        for id in normalizer { out.append(try EncoderSwap.make(normalizer: id, parameters: own(id), layers: layers, layerCount: layerCount)) }
        for id in activation { out.append(try EncoderSwap.make(activation: id, parameters: own(id), layers: layers, layerCount: layerCount)) }
        for id in attention {
            out.append(try EncoderSwap.make(attention: id, parameters: own(id, attention: true), layers: layers, layerCount: layerCount))
        }
        if out.isEmpty, layers != nil || !values.isEmpty { throw ValidationError("--layers and --param need a --normalizer, --activation or --attention") }
        return out
    }

    /// At most one swap, for the commands that run one configuration.
    func singleSwap(layerCount: Int) throws -> EncoderSwap {
        let all = try swaps(layerCount: layerCount)
        guard all.count <= 1 else { throw ValidationError("give at most one of --normalizer, --activation, --attention here") }
        return all.first ?? EncoderSwap()
    }
}

struct ModelEvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Task scores and embedding drift of the exact model and of each swap (the default subcommand).",
        discussion: """
            Lee document similarity (Pearson), WordSim353 and SimLex-999 (Spearman), polarity \
            (leave-one-out nearest centroid); drift: mean and worst cosine to the exact embeddings \
            over every text, and top-10 neighbour overlap. Examples:
              softmaxkit model --normalizer stablemax --normalizer puma-softmax
              softmaxkit model --activation gelu-tanh --layers 0-2
              softmaxkit model --per-layer --normalizer puma-softmax
              softmaxkit model --sweep
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: "Folder of the evaluation texts.")
    var eval: String = "models/eval"

    @Flag(help: "Swap in every registered normalizer, activation and Q/K/V attention engine, one at a time.")
    var sweep = false

    @Option(help: "Write each layer's attention logits and Q/K/V for the evaluation sentences as .npy files into this folder.")
    var record: String?

    @Flag(help: "Run the one swap given (--normalizer, --activation or --attention) in each layer alone: the per-layer curve.")
    var perLayer = false

    @Option(help: "Run shard K of N (K/N): the K-th of N contiguous blocks of the swaps (the exact model in every shard); 'report' joins the shards.")
    var shard: String?

    @Option(help: "Folder for model.json.")
    var output: String = ResultsFolder.defaultPath

    func validate() throws {
        _ = try ShardOption.parse(shard)
        if perLayer && (options.normalizer.count + options.activation.count + options.attention.count != 1 || sweep || options.layers != nil) {
            throw ValidationError(
                "--per-layer runs one swap in each layer alone: give exactly one --normalizer, --activation or --attention, and no --sweep or --layers")
        }
    }

    @Flag(help: "Print the results JSON instead of the table.")
    var json = false

    func run() throws {
        let embedder = try options.load()
        let layerCount = embedder.encoder.config.numHiddenLayers
        var swaps = try options.swaps(layerCount: layerCount)
        if sweep { swaps += try ModelLab.sweepSwaps(layerCount: layerCount) }
        if perLayer { swaps = DecoderLab.perLayer(swaps[0], layerCount: layerCount) }
        let shard = try ShardOption.parse(self.shard)
        if let shard { swaps = shard.block(of: swaps, note: progress) }
        let data = try EvaluationData.load(folder: eval)
        let evaluation = ModelEvaluation(embedder: embedder, data: data, threads: options.threadCount)
        if let record {
            let files = try ModelLab.record(embedder, texts: Array(data.leeDocuments.prefix(8)), to: record, threads: options.threadCount)
            progress("model: wrote \(files) recorded attention files to \(record)")
        }
        let results = try ModelLab.run(evaluation, swaps: swaps, model: options.model, note: progress)
        var files: [OutputFolder.File] = [.data(shard?.fileName("model") ?? "model.json", try results.encoded())]
        if perLayer && shard == nil, let plot = ModelLab.layerPlot(results) { files.append(.text("model-layers.svg", plot)) }
        let path = try ResultsFolder.commit(files, to: output)[0]
        if json {
            print(String(decoding: try results.encoded(), as: UTF8.self))
        } else {
            print(ModelLab.table(results))
            print("wrote \(path)")
        }
    }
}

struct ModelEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed one text per line of a file into a float32 .npy [texts × 384] (the swap options apply).")

    @OptionGroup var options: ModelOptions

    @Option(help: "A UTF-8 text file, one text per line.")
    var input: String

    @Option(help: "The .npy file to write.")
    var output: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: input), let text = String(data: data, encoding: .utf8) else {
            throw ValidationErrorMessage("--input \(input): cannot read it as UTF-8 text")
        }
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw ValidationErrorMessage("--input \(input): no lines to embed") }
        let embedder = try options.load()
        let swap = try options.singleSwap(layerCount: embedder.encoder.config.numHiddenLayers)
        let e = try embedder.embed(lines, swap: swap, threads: options.threadCount)
        try NpyFile.write(Tensor(shape: [e.count, embedder.encoder.config.hiddenSize], e.flatMap { $0 }), to: output)
        progress("model embed: \(e.count) texts → \(output)")
    }
}

struct ModelBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the encoder on a batch of real sentences cut to the same length (no padding): ms and tokens/s.")

    @OptionGroup var options: ModelOptions

    @Option(help: "Sentences per batch.")
    var batch: Int = 32

    @Option(help: "Tokens per sentence.")
    var seq: Int = 128

    @Option(help: "Timed repetitions (the median is reported).")
    var repeats: Int = 5

    @Option(help: "Folder of the evaluation texts (the Lee documents supply the tokens).")
    var eval: String = "models/eval"

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        guard batch >= 1, seq >= 2, repeats >= 1 else { throw ValidationError("--batch, --repeats must be ≥ 1 and --seq ≥ 2") }
        let embedder = try options.load()
        guard seq <= embedder.encoder.config.maxPositionEmbeddings else {
            throw ValidationError("--seq \(seq) exceeds the model's \(embedder.encoder.config.maxPositionEmbeddings) positions")
        }
        let swap = try options.singleSwap(layerCount: embedder.encoder.config.numHiddenLayers)
        let texts = try EvaluationData.load(folder: eval).leeDocuments
        let ids = ModelLab.benchmarkBatch(texts, tokenizer: embedder.tokenizer, batch: batch, length: seq)
        let input = BertEncoder.Batch(ids), workspace = BertEncoder.Workspace()
        _ = try embedder.encoder.forward(input, swap: swap, threads: options.threadCount, workspace: workspace)  // warm-up
        var times = [Double]()
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try embedder.encoder.forward(input, swap: swap, threads: options.threadCount, workspace: workspace)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let ms = times.sorted()[times.count / 2], tokens = Double(batch * seq)
        if json {
            print(
                "{\"batch\": \(batch), \"seq\": \(seq), \"threads\": \(options.threadCount), \"swap\": \"\(swap.label)\", \"ms\": \(String(format: "%.1f", ms)), \"tokens_per_second\": \(String(format: "%.0f", tokens / ms * 1000))}"
            )
        } else {
            print(
                String(
                    format: "model bench: %d × %d tokens, %d thread(s), %@: %.1f ms (median of %d), %.0f tokens/s",
                    batch, seq, options.threadCount, swap.label, ms, repeats, tokens / ms * 1000))
        }
    }
}
