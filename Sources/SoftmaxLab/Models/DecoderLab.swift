import Foundation
import SoftmaxAttention
import SoftmaxKit
import SoftmaxModels

/// The decoder lab: what a swapped attention normalizer, attention engine or gate activation does
/// to a real decoder LM. Each swap is scored against the exact model on the same windows of text
/// (the perplexity protocol of `Perplexity`): its perplexity and the relative change, how often
/// its most likely next token is the exact model's (top-1 agreement), and the mean KL divergence
/// `KL(p_exact ‖ p_swap)` of the next-token distributions. Per-layer sensitivity is the same swap
/// in one layer at a time (`perLayer`).
public enum DecoderLab {
    /// One configuration's scores.
    public struct Row: Sendable, Codable, Equatable {
        /// The swap's label (`exact`, `normalizer=puma-softmax layers=3`).
        public var swap: String
        /// The part swapped: `exact`, `normalizer`, `attention` or `activation`.
        public var part: String
        /// The registry id swapped in (`softmax` for the exact model).
        public var id: String
        /// The layers swapped (nil: every layer).
        public var layers: [Int]?
        /// Perplexity (nil when the swap failed).
        public var ppl: Double?
        /// `ppl / ppl_exact − 1`.
        public var pplChange: Double?
        /// Fraction of predicted positions whose most likely next token is the exact model's.
        public var top1Agreement: Double?
        /// Mean over predicted positions of `KL(p_exact ‖ p_swap)` in nats.
        public var meanKL: Double?
        /// Wall time of the swap's forward passes and scoring.
        public var seconds: Double
        /// Why the swap could not be scored (a refused engine, non-finite logits…).
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case swap, part, id, layers, ppl, seconds, error
            case pplChange = "ppl_change", top1Agreement = "top1_agreement", meanKL = "mean_kl"
        }
    }

    /// The results document of `softmaxkit lm sweep`.
    public struct Results: Sendable, Codable, Equatable {
        /// Identifies the document as the decoder lab's results.
        public var kind = "softmaxkit-lm"
        /// The document's schema version.
        public var schemaVersion = 1
        /// The GGUF file evaluated.
        public var model: String
        /// The text file evaluated.
        public var text: String
        /// Tokens evaluated.
        public var tokens: Int
        /// Predicted positions (tokens minus one per window).
        public var predicted: Int
        /// Tokens per window.
        public var window: Int
        /// One row per configuration, the exact model first.
        public var rows: [Row]

        enum CodingKeys: String, CodingKey { case kind, schemaVersion = "schema_version", model, text, tokens, predicted, window, rows }

        /// The document as pretty-printed JSON with sorted keys.
        public func encoded() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return try encoder.encode(self)
        }

        /// Reads a document written by `encoded()`; throws naming the file when it is not one.
        public static func read(_ path: String) throws -> Results {
            guard let data = FileManager.default.contents(atPath: path) else { throw ModelError.file(path, "cannot read") }
            let r = try JSONDecoder().decode(Results.self, from: data)
            guard r.kind == "softmaxkit-lm" else { throw ModelError.file(path, "not a decoder lab document (kind \(r.kind))") }
            return r
        }

        /// The shards of a split sweep (`--shard K/N`, in K order) as the unsplit sweep's document:
        /// the exact row once, then every shard's swaps in order. Throws when the shards come from
        /// sweeps of different models, texts or windows.
        public static func merged(_ shards: [Results]) throws -> Results {
            guard var out = shards.first else { throw ReportError.mismatchedShards("lm", "no shards") }
            for s in shards.dropFirst() {
                guard s.model == out.model, s.text == out.text, s.tokens == out.tokens, s.window == out.window else {
                    throw ReportError.mismatchedShards(
                        "lm", "\(out.model) on \(out.text) (\(out.tokens) tokens, window \(out.window)), and \(s.model) on \(s.text) (\(s.tokens), \(s.window))"
                    )
                }
                out.rows += s.rows.filter { $0.part != "exact" }
            }
            return out
        }
    }

    /// The main job's short table: a cheap exponential inside softmax, the MPC softmax, sigmoid
    /// attention and the MPC SiLU.
    public static func mainJobSwaps(layerCount: Int) throws -> [EncoderSwap] {
        try [
            EncoderSwap.make(normalizer: "softmax", parameters: ["exp": .string("schraudolph")], layerCount: layerCount),
            EncoderSwap.make(normalizer: "puma-softmax", layerCount: layerCount),
            EncoderSwap.make(attention: "sigmoid-attention", layerCount: layerCount, causal: true),
            EncoderSwap.make(activation: "puma-silu", layerCount: layerCount),
        ]
    }

    /// Every swap the decoder takes, everywhere, one at a time: the exact softmax with each cheap
    /// exponential; every registered normalizer whose output is a distribution (log-domain ones
    /// left out: they are not attention weights); every attention engine with a causal form in it
    /// (the exact `attention` itself left out); every SiLU approximation on the gate.
    public static func sweepSwaps(layerCount: Int, registry: MethodRegistry = .complete) throws -> [EncoderSwap] {
        var out = [EncoderSwap]()
        let exps = try registry.method("softmax").parameters.first { $0.name == "exp" }?.choices.filter { $0 != "exact" } ?? []
        for exp in exps {
            out.append(try EncoderSwap.make(normalizer: "softmax", parameters: ["exp": .string(exp)], layerCount: layerCount, registry: registry))
        }
        for m in registry.methods
        where m.role == .normalizer && m.normalizer != nil && !m.id.hasPrefix("log-") && !["softmax", "masked-softmax"].contains(m.id) {
            out.append(try EncoderSwap.make(normalizer: m.id, layerCount: layerCount, registry: registry))
        }
        for m in registry.methods where m.id != "attention" && !(AttentionCapabilities(m)?.causal.isEmpty ?? true) {
            out.append(try EncoderSwap.make(attention: m.id, layerCount: layerCount, causal: true, registry: registry))
        }
        for m in registry.methods where m.role == .activation && m.activation != nil && m.id.contains("silu") && m.id != "silu" {
            out.append(try EncoderSwap.make(activation: m.id, layerCount: layerCount, registry: registry))
        }
        return out
    }

    /// `swap` in each layer alone: `layerCount` swaps, layer 0 first.
    public static func perLayer(_ swap: EncoderSwap, layerCount: Int) -> [EncoderSwap] {
        (0..<layerCount).map { l in
            var one = swap
            one.layers = [l]
            return one
        }
    }

    /// Scores the exact decoder and each swap on `ids`, window by window (each window's exact
    /// log-probabilities are kept while the swaps run on it, so memory is one window's logits
    /// per configuration, never the whole text's). A swap that throws or gives non-finite logits
    /// is reported on its row and not run again.
    public static func run(
        _ decoder: LlamaDecoder, ids: [Int], window: Int, swaps: [EncoderSwap], threads: Int, model: String, text: String,
        note: (String) -> Void = { _ in }
    ) throws -> Results {
        let ranges = try Perplexity.windows(count: ids.count, window: window, contextLength: decoder.config.contextLength)
        let v = decoder.config.vocabulary
        var exact = Score(), scores = [Score](repeating: Score(), count: swaps.count)
        var predicted = 0
        for (w, range) in ranges.enumerated() {
            let piece = Array(ids[range]), start = range.lowerBound
            let rows = piece.count - 1
            predicted += rows
            note("lm sweep: window \(w + 1)/\(ranges.count) (tokens \(start)…\(start + piece.count - 1)), exact model")
            var clock = DispatchTime.now().uptimeNanoseconds
            var reference = try decoder.forward(piece, cache: LlamaCache(for: decoder), threads: threads)
            let referenceLSE = try Perplexity.logSumExp(reference, rows: rows, vocabulary: v, threads: threads)
            var referenceTop = [Int](repeating: 0, count: rows)
            for r in 0..<rows {
                exact.nll += Double(referenceLSE[r]) - Double(reference[r * v + piece[r + 1]])
                referenceTop[r] = argmax(reference, row: r, vocabulary: v)
                for c in 0..<v { reference[r * v + c] -= referenceLSE[r] }  // log p, in place
            }
            exact.agree += rows
            exact.seconds += Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
            for (k, swap) in swaps.enumerated() where scores[k].error == nil {
                note("lm sweep: window \(w + 1)/\(ranges.count), [\(k + 1)/\(swaps.count)] \(swap.label)")
                clock = DispatchTime.now().uptimeNanoseconds
                do {
                    let logits = try decoder.forward(piece, cache: LlamaCache(for: decoder), swap: swap, threads: threads)
                    let lse = try Perplexity.logSumExp(logits, rows: rows, vocabulary: v, threads: threads)
                    var nll = 0.0, agree = 0, kl = 0.0
                    for r in 0..<rows {
                        guard lse[r].isFinite else { throw ModelError.setting("non-finite logits at token \(start + r)") }
                        nll += Double(lse[r]) - Double(logits[r * v + piece[r + 1]])
                        if argmax(logits, row: r, vocabulary: v) == referenceTop[r] { agree += 1 }
                        var sum = 0.0
                        for c in 0..<v {
                            let logP = reference[r * v + c]
                            sum += Double(exp(logP)) * Double(logP - (logits[r * v + c] - lse[r]))
                        }
                        kl += sum
                    }
                    scores[k].nll += nll
                    scores[k].agree += agree
                    scores[k].kl += kl
                } catch {
                    scores[k].error = "\(error)"
                    note("lm sweep: \(swap.label) failed: \(error)")
                }
                scores[k].seconds += Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
            }
        }
        let exactPPL = exp(exact.nll / Double(predicted))
        var out = [
            Row(
                swap: "exact", part: "exact", id: "softmax", layers: nil, ppl: exactPPL, pplChange: 0, top1Agreement: 1, meanKL: 0, seconds: exact.seconds,
                error: nil)
        ]
        for (swap, s) in zip(swaps, scores) {
            let (part, id) =
                swap.attention.map { ("attention", $0.id) } ?? swap.normalizer.map { ("normalizer", $0.id) } ?? swap.activation.map { ("activation", $0.id) }
                ?? ("exact", "softmax")
            let ppl = s.error == nil ? exp(s.nll / Double(predicted)) : nil
            out.append(
                Row(
                    swap: swap.label, part: part, id: id, layers: swap.layers?.sorted(), ppl: ppl, pplChange: ppl.map { $0 / exactPPL - 1 },
                    top1Agreement: s.error == nil ? Double(s.agree) / Double(predicted) : nil, meanKL: s.error == nil ? s.kl / Double(predicted) : nil,
                    seconds: s.seconds, error: s.error))
        }
        return Results(model: model, text: text, tokens: ids.count, predicted: predicted, window: window, rows: out)
    }

    /// A configuration's running sums.
    struct Score {
        var nll = 0.0, kl = 0.0, agree = 0, seconds = 0.0
        var error: String?
    }

    /// Real decoder workloads from one pass over `ids` (from an empty cache): for each block, the
    /// causal attention logits of every head stacked, `[heads·n × n]` float32 with −∞ above the
    /// diagonal (`layerL-logits.npy`, for `softmaxkit accuracy --recorded`: the rows the
    /// normalizer sees, masked keys included), head 0's Q, K and V `[n × D]` after RoPE
    /// (`layerL-{q,k,v}.npy`, for `accuracy --attention --qkv`), and the LM head's logits
    /// `[n × vocabulary]` (`lm-head-logits.npy`). Returned as named tensors, for the caller to
    /// write as one set.
    public static func recording(_ decoder: LlamaDecoder, ids: [Int], threads: Int) throws -> [(name: String, tensor: Tensor)] {
        let n = ids.count, c = decoder.config, hd = c.headDim, group = c.heads / c.kvHeads
        let scale = 1 / Float(hd).squareRoot()
        var out = [(name: String, tensor: Tensor)]()
        let logits = try decoder.forward(ids, cache: LlamaCache(for: decoder), threads: threads) { inputs in
            var scores = [Float](repeating: -.infinity, count: c.heads * n * n)
            inputs.q.withUnsafeBufferPointer { q in
                inputs.k.withUnsafeBufferPointer { k in
                    for h in 0..<c.heads {
                        let g = h / group
                        for i in 0..<n {
                            for j in 0...i {
                                var dot: Float = 0
                                for d in 0..<hd { dot += q[(h * n + i) * hd + d] * k[(g * n + j) * hd + d] }
                                scores[(h * n + i) * n + j] = dot * scale
                            }
                        }
                    }
                }
            }
            let l = inputs.layer
            out.append(("layer\(l)-logits.npy", Tensor(shape: [c.heads * n, n], scores)))
            out.append(("layer\(l)-q.npy", Tensor(shape: [n, hd], Array(inputs.q[0..<(n * hd)]))))
            out.append(("layer\(l)-k.npy", Tensor(shape: [n, hd], Array(inputs.k[0..<(n * hd)]))))
            out.append(("layer\(l)-v.npy", Tensor(shape: [n, hd], Array(inputs.v[0..<(n * hd)]))))
        }
        out.append(("lm-head-logits.npy", Tensor(shape: [n, c.vocabulary], logits)))
        return out
    }

    /// The first index of a row's largest value.
    static func argmax(_ x: [Float], row r: Int, vocabulary v: Int) -> Int {
        var best = 0
        for c in 1..<v where x[r * v + c] > x[r * v + best] { best = c }
        return best
    }

    /// The results as the fixed-width text table `softmaxkit lm sweep` prints.
    public static func table(_ r: Results) -> String {
        let width = max(5, r.rows.map(\.swap.count).max() ?? 0)
        func pad(_ s: String) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
        var lines = [pad("swap") + "        PPL    change   top-1 agree    mean KL  seconds"]
        for row in r.rows {
            guard let ppl = row.ppl, let change = row.pplChange, let agree = row.top1Agreement, let kl = row.meanKL else {
                lines.append(pad(row.swap) + "  failed: " + (row.error ?? "no result"))
                continue
            }
            lines.append(pad(row.swap) + String(format: "  %9.4f  %+7.2f%%  %11.4f  %9.2e  %7.1f", ppl, change * 100, agree, kl, row.seconds))
        }
        return lines.joined(separator: "\n")
    }

    /// The per-layer sensitivity plot: mean KL against the exact model with the swap in one layer
    /// at a time, one line per swapped id. Rows swapped in more than one layer are left out.
    public static func layerPlot(_ r: Results) -> String {
        var series = [String: [(x: Double, y: Double)]](), order = [String]()
        for row in r.rows {
            guard let layers = row.layers, layers.count == 1, let kl = row.meanKL else { continue }
            let label = row.swap.components(separatedBy: " layers=").first ?? row.swap
            if series[label] == nil { order.append(label) }
            series[label, default: []].append((Double(layers[0]), kl))
        }
        return LinePlot.svg(
            order.map { LinePlot.Series(label: $0, points: series[$0]!.sorted { $0.x < $1.x }) },
            title: "Per-layer sensitivity: the swap in one layer at a time (\((r.model as NSString).lastPathComponent))", xLabel: "layer",
            yLabel: "mean KL(exact ‖ swapped) of next-token distributions, nats (log scale)", logX: false)
    }
}
