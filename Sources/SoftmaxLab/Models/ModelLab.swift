import Foundation
import SoftmaxAttention
import SoftmaxKit
import SoftmaxModels
import SoftmaxNumPy

/// The model lab: the exact encoder and each swap through `ModelEvaluation`, as one results
/// document (`model.json`), a table, and the recorded attention workloads.
public enum ModelLab {
    /// The results document of `softmaxkit model`.
    public struct Results: Sendable, Codable, Equatable {
        /// Identifies the document as the encoder lab's results.
        public var kind = "softmaxkit-model"
        /// The document's schema version.
        public var schemaVersion = 1
        /// The model folder evaluated.
        public var model: String
        /// Number of distinct texts embedded per configuration.
        public var texts: Int
        /// One row per configuration, the exact model first.
        public var rows: [ModelEvaluation.Row]

        enum CodingKeys: String, CodingKey { case kind, schemaVersion = "schema_version", model, texts, rows }

        /// The document as pretty-printed JSON with sorted keys.
        public func encoded() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return try encoder.encode(self)
        }

        /// Writes the document atomically to `path`.
        public func write(to path: String) throws { try AtomicFile.write(try encoded(), to: path) }

        /// Reads a document written by `write(to:)`; throws naming the file when it is not one.
        public static func read(_ path: String) throws -> Results {
            guard let data = FileManager.default.contents(atPath: path) else { throw ModelError.file(path, "cannot read") }
            return try JSONDecoder().decode(Results.self, from: data)
        }

        /// The shards of a split run (`--shard K/N`, in K order) as the unsplit run's document:
        /// the exact row once, then every shard's swaps in order. Throws when the shards come from
        /// runs of different models or texts.
        public static func merged(_ shards: [Results]) throws -> Results {
            guard var out = shards.first else { throw ReportError.mismatchedShards("model", "no shards") }
            for s in shards.dropFirst() {
                guard s.model == out.model, s.texts == out.texts else {
                    throw ReportError.mismatchedShards("model", "\(out.model) with \(out.texts) texts, and \(s.model) with \(s.texts)")
                }
                out.rows += s.rows.filter { $0.swap != "exact" }
            }
            return out
        }
    }

    /// The per-layer curve of `r`'s rows that swap one layer alone (`… layers=K`): how far the
    /// embeddings move, 1 − their mean cosine to the exact ones, against the layer; nil when no
    /// row swaps a single layer.
    public static func layerPlot(_ r: Results) -> String? {
        var series = [String: [(x: Double, y: Double)]](), order = [String]()
        for row in r.rows {
            let parts = row.swap.components(separatedBy: " layers=")
            guard parts.count == 2, let layer = Int(parts[1]), let drift = row.drift else { continue }
            if series[parts[0]] == nil { order.append(parts[0]) }
            series[parts[0], default: []].append((Double(layer), 1 - drift.meanCosine))
        }
        guard !order.isEmpty else { return nil }
        return LinePlot.svg(
            order.map { LinePlot.Series(label: $0, points: series[$0, default: []].sorted { $0.x < $1.x }) },
            title: "Per-layer sensitivity: the swap in one layer at a time (\((r.model as NSString).lastPathComponent))", xLabel: "layer",
            yLabel: "1 − mean cosine to the exact embeddings (log scale)", logX: false)
    }

    /// The main job's subset: one cheap exponential, the single-pass and MPC softmaxes, and the
    /// two hardware-friendly GELUs.
    public static func mainJobSwaps(layerCount: Int) throws -> [EncoderSwap] {
        try [
            EncoderSwap.make(normalizer: "softmax", parameters: ["exp": .string("schraudolph")], layerCount: layerCount),
            EncoderSwap.make(normalizer: "edge-moe-softmax", layerCount: layerCount),
            EncoderSwap.make(normalizer: "puma-softmax", layerCount: layerCount),
            EncoderSwap.make(activation: "edge-moe-gelu", layerCount: layerCount),
            EncoderSwap.make(activation: "puma-gelu", layerCount: layerCount),
        ]
    }

    /// Every registered normalizer whose output is a distribution (log-domain ones left out:
    /// they are not attention weights), every activation, and every attention engine that runs on
    /// Q, K and V alone (those needing projections or landmarks as inputs are left out), swapped in
    /// everywhere, one at a time; the exact `softmax`, `gelu` and `attention` themselves are the
    /// baseline. Element-wise primitives (the exp approximations) are not activations and are left out.
    public static func sweepSwaps(layerCount: Int, registry: MethodRegistry = .complete) throws -> [EncoderSwap] {
        var out = [EncoderSwap]()
        for m in registry.methods
        where m.role == .normalizer && m.normalizer != nil && !m.id.hasPrefix("log-")
            && !["softmax", "masked-softmax"].contains(m.id)
        {
            out.append(try EncoderSwap.make(normalizer: m.id, layerCount: layerCount, registry: registry))
        }
        for m in registry.methods where m.role == .activation && m.activation != nil && m.id != "gelu" {
            out.append(try EncoderSwap.make(activation: m.id, layerCount: layerCount, registry: registry))
        }
        let qkvOnly = Set(["Q", "K", "V", "mask"])
        for m in registry.methods
        where m.role == .attention && m.id != "attention" && m.inputs.allSatisfy({ $0.isOptional || qkvOnly.contains($0.name) })
            && m.inputs.contains(where: { $0.name == "K" }) && AttentionCapabilities(m) != nil
        {
            out.append(try EncoderSwap.make(attention: m.id, layerCount: layerCount, registry: registry))
        }
        return out
    }

    /// The exact model, then each swap with its drift against it. A swap that fails (a
    /// normalizer that rejects a row, say) is reported on `note` and left out.
    public static func run(_ evaluation: ModelEvaluation, swaps: [EncoderSwap], model: String, note: (String) -> Void = { _ in }) throws -> Results {
        note("model: \(evaluation.texts.count) texts, exact model")
        let (exactRow, exact) = try evaluation.evaluate(EncoderSwap())
        var rows = [exactRow]
        for (k, swap) in swaps.enumerated() {
            note("model: [\(k + 1)/\(swaps.count)] \(swap.label)")
            do {
                rows.append(try evaluation.evaluate(swap, exact: exact).row)
            } catch {
                note("model: \(swap.label) failed: \(error)")
            }
        }
        return Results(model: model, texts: evaluation.texts.count, rows: rows)
    }

    /// The results as the fixed-width text table `softmaxkit model` prints.
    public static func table(_ r: Results) -> String {
        let width = max(5, r.rows.map(\.swap.count).max() ?? 0)
        func pad(_ s: String) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
        var lines = [pad("swap") + "     Lee  WordSim  SimLex  polarity  mean cos  worst cos  top-10  seconds"]
        for row in r.rows {
            let s = row.scores
            var line = pad(row.swap) + String(format: "  %6.3f  %7.3f  %6.3f  %8.3f", s.lee, s.wordSim, s.simLex, s.polarity)
            if let d = row.drift {
                line += String(format: "  %8.5f  %9.5f  %6.3f", d.meanCosine, d.worstCosine, d.neighbourOverlap)
            } else {
                line += "         —          —       —"
            }
            lines.append(line + String(format: "  %7.1f", row.seconds))
        }
        return lines.joined(separator: "\n")
    }

    /// `batch` sequences of exactly `length` tokens, `[CLS] … [SEP]`, cut from the texts in turn
    /// (texts repeat when they run out).
    public static func benchmarkBatch(_ texts: [String], tokenizer: WordPieceTokenizer, batch: Int, length: Int) -> [[Int]] {
        var stream = texts.flatMap { tokenizer.pieces($0) }
        if stream.isEmpty { stream = [tokenizer.unknown] }
        var out = [[Int]](), position = 0
        for _ in 0..<batch {
            var body = [Int]()
            while body.count < length - 2 {
                body.append(stream[position % stream.count])
                position += 1
            }
            out.append([tokenizer.classification] + body + [tokenizer.separator])
        }
        return out
    }

    /// Real attention logits as lab workloads: each listed layer's scores (every head's rows
    /// stacked) for one text, e.g. "MiniLM layer 0 attention" — the rows the normalizers really see.
    public static func attentionWorkloads(_ embedder: SentenceEmbedder, text: String, layers: [Int], threads: Int) throws -> [LogitWorkload] {
        var rows = [Int: [Double]](), n = 0
        _ = try embedder.encoder.forward(BertEncoder.Batch([embedder.tokenizer.encode(text)]), threads: threads) { s in
            if layers.contains(s.layer) { rows[s.layer, default: []] += s.logits.map(Double.init) }
            n = s.tokens
        }
        return layers.compactMap { l in
            rows[l].map { LogitWorkload(name: "MiniLM layer \(l) attention", distribution: .recorded(rows: $0.count / n, cols: n, values: $0), seed: 0) }
        }
    }

    /// One head's real Q, K, V (`[n × d]` float32) in each listed layer for one text: the
    /// attention error-versus-length experiment's real workload.
    public static func headQKV(_ embedder: SentenceEmbedder, text: String, layers: [Int], head: Int, threads: Int) throws
        -> [(name: String, q: Tensor, k: Tensor, v: Tensor)]
    {
        var out = [(name: String, q: Tensor, k: Tensor, v: Tensor)]()
        _ = try embedder.encoder.forward(BertEncoder.Batch([embedder.tokenizer.encode(text)]), threads: threads) { s in
            guard layers.contains(s.layer), s.head == head else { return }
            let d = s.q.count / max(s.tokens, 1)
            out.append(
                (
                    "MiniLM layer \(s.layer) head \(head)", Tensor(shape: [s.tokens, d], s.q), Tensor(shape: [s.tokens, d], s.k),
                    Tensor(shape: [s.tokens, d], s.v)
                ))
        }
        return out
    }

    /// Writes the real attention workloads: for each text and layer, the logits of every head
    /// stacked as a 2-d `[heads·n × n]` float32 array (`layerL-textT-logits.npy`, for
    /// `softmaxkit accuracy --recorded`), and for the first text each layer's head-0 Q, K, V as
    /// `[n × d]` (`layerL-{q,k,v}.npy`, for `softmaxkit accuracy --attention --qkv`).
    /// Returns the number of files written.
    public static func record(_ embedder: SentenceEmbedder, texts: [String], to folder: String, threads: Int) throws -> Int {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let layers = embedder.encoder.config.numHiddenLayers, heads = embedder.encoder.config.numAttentionHeads
        var written = 0
        for (t, text) in texts.enumerated() {
            var logits = [[Float]](repeating: [], count: layers), n = 0
            var first = [Int: [String: Tensor]]()
            _ = try embedder.encoder.forward(BertEncoder.Batch([embedder.tokenizer.encode(text)]), threads: threads) { s in
                logits[s.layer] += s.logits
                n = s.tokens
                if t == 0 && s.head == 0 {
                    let d = s.q.count / max(s.tokens, 1)
                    first[s.layer] = [
                        "q": Tensor(shape: [s.tokens, d], s.q), "k": Tensor(shape: [s.tokens, d], s.k), "v": Tensor(shape: [s.tokens, d], s.v),
                    ]
                }
            }
            for l in 0..<layers {
                try NpyFile.write(Tensor(shape: [heads * n, n], logits[l]), to: (folder as NSString).appendingPathComponent("layer\(l)-text\(t)-logits.npy"))
                written += 1
                for (name, tensor) in first[l] ?? [:] {
                    try NpyFile.write(tensor, to: (folder as NSString).appendingPathComponent("layer\(l)-\(name).npy"))
                    written += 1
                }
            }
        }
        return written
    }
}
