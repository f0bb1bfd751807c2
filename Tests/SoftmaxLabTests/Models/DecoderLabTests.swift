import Foundation
import SoftmaxKit
import SoftmaxModels
import Testing

@testable import SoftmaxLab

/// The decoder lab on a tiny random Llama built in memory: the exact row is the perplexity
/// protocol's, a swap's KL and top-1 agreement equal a direct float64 computation from the two
/// models' logits, the exact softmax swapped in scores exactly zero, a failing swap is reported on
/// its row, and per-layer swaps make the sensitivity curve.
@Suite struct DecoderLabTests {
    /// d = 16, 3 blocks, 4 query heads sharing 2 key/value heads, ff = 24, vocabulary 40; weights
    /// uniform from a fixed seed.
    static func tinyDecoder(seed: UInt64 = 3) throws -> LlamaDecoder {
        let config = LlamaConfig(
            width: 16, layers: 3, heads: 4, kvHeads: 2, feedForward: 24, vocabulary: 40, rmsEpsilon: 1e-5, ropeBase: 10_000, contextLength: 64)
        var g = SeededGenerator(seed: seed)
        func random(_ count: Int, scale: Float = 0.5) -> [Float] { (0..<count).map { _ in Float(Double.random(in: -1...1, using: &g)) * scale } }
        let d = 16, kv = 8, ff = 24
        let layers = (0..<3).map { _ in
            LlamaWeights.Layer(
                attentionNorm: random(d).map { 1 + $0 }, query: random(d * d), key: random(kv * d), value: random(kv * d), output: random(d * d),
                feedForwardNorm: random(d).map { 1 + $0 }, gate: random(ff * d), up: random(ff * d), down: random(d * ff))
        }
        return try LlamaDecoder(
            config: config, weights: LlamaWeights(embeddings: random(40 * d, scale: 1), layers: layers, outputNorm: random(d).map { 1 + $0 }, output: nil))
    }

    static let ids = [1, 5, 9, 13, 2, 39, 0, 7, 7, 21, 30, 4, 11]

    @Test func theExactRowIsThePerplexityProtocolAndTheExactSoftmaxScoresZero() throws {
        let decoder = try Self.tinyDecoder()
        let softmax = try EncoderSwap.make(normalizer: "softmax", layerCount: 3)
        let r = try DecoderLab.run(decoder, ids: Self.ids, window: 5, swaps: [softmax], threads: 1, model: "tiny", text: "ids")
        let protocolPPL = try Perplexity.evaluate(decoder, ids: Self.ids, window: 5, threads: 1)
        #expect(r.tokens == 13 && r.predicted == protocolPPL.predicted && r.predicted == 10)
        #expect(abs(r.rows[0].ppl! - protocolPPL.ppl) <= 1e-12 * protocolPPL.ppl, "\(r.rows[0].ppl!) against \(protocolPPL.ppl)")
        #expect(r.rows[0].swap == "exact" && r.rows[0].top1Agreement == 1 && r.rows[0].meanKL == 0)
        #expect(r.rows[1].ppl == r.rows[0].ppl && r.rows[1].top1Agreement == 1 && r.rows[1].meanKL == 0 && r.rows[1].pplChange == 0)
        #expect(r.rows[1].part == "normalizer" && r.rows[1].id == "softmax" && r.rows[1].layers == nil)
    }

    /// KL(p_exact ‖ p_swap) and top-1 agreement recomputed in Double from both models' logits.
    @Test func klAndAgreementEqualADirectComputation() throws {
        let decoder = try Self.tinyDecoder(seed: 4)
        let swaps = [
            try EncoderSwap.make(normalizer: "stablemax", layerCount: 3), try EncoderSwap.make(activation: "puma-silu", layers: "1", layerCount: 3),
            try EncoderSwap.make(attention: "sigmoid-attention", layerCount: 3, causal: true),
        ]
        let window = 6, v = 40
        let r = try DecoderLab.run(decoder, ids: Self.ids, window: window, swaps: swaps, threads: 2, model: "tiny", text: "ids")
        for (k, swap) in swaps.enumerated() {
            var kl = 0.0, agree = 0, nll = 0.0, predicted = 0
            for start in stride(from: 0, to: Self.ids.count, by: window) where Self.ids.count - start >= 2 {
                let piece = Array(Self.ids[start..<min(start + window, Self.ids.count)])
                let p = try decoder.forward(piece, cache: LlamaCache(for: decoder), threads: 1).map(Double.init)
                let q = try decoder.forward(piece, cache: LlamaCache(for: decoder), swap: swap, threads: 1).map(Double.init)
                for row in 0..<(piece.count - 1) {
                    let a = Array(p[(row * v)..<((row + 1) * v)]), b = Array(q[(row * v)..<((row + 1) * v)])
                    let la = a.max()! + log(a.reduce(0) { $0 + exp($1 - a.max()!) }), lb = b.max()! + log(b.reduce(0) { $0 + exp($1 - b.max()!) })
                    kl += zip(a, b).reduce(0) { $0 + exp($1.0 - la) * (($1.0 - la) - ($1.1 - lb)) }
                    if a.firstIndex(of: a.max()!) == b.firstIndex(of: b.max()!) { agree += 1 }
                    nll += lb - b[piece[row + 1]]
                    predicted += 1
                }
            }
            let row = r.rows[k + 1]
            #expect(row.swap == swap.label && row.error == nil)
            // The lab's log-probabilities are float32: an absolute floor of about 1e-7 nats.
            #expect(
                abs(row.meanKL! - kl / Double(predicted)) <= 1e-4 * kl / Double(predicted) + 2e-7,
                "\(row.swap): \(row.meanKL!) against \(kl / Double(predicted))")
            #expect(row.top1Agreement == Double(agree) / Double(predicted), "\(row.swap)")
            #expect(abs(row.ppl! - exp(nll / Double(predicted))) <= 1e-5 * row.ppl!, "\(row.swap)")
            #expect(row.meanKL! > 0, "\(row.swap) must change the distributions")
        }
        #expect(r.rows.map(\.part) == ["exact", "normalizer", "activation", "attention"])
        #expect(r.rows[2].layers == [1])
    }

    /// A swap that throws is reported on its row, the others still scored.
    @Test func aFailingSwapIsReportedOnItsRow() throws {
        struct Refusing: Normalizer {
            func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws {
                throw ModelError.setting("refusing refuses every row")
            }
            func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws {
                throw ModelError.setting("refusing refuses every row")
            }
        }
        let decoder = try Self.tinyDecoder()
        var refusing = EncoderSwap()
        refusing.normalizer = .init(id: "refusing", value: Refusing())
        let r = try DecoderLab.run(
            decoder, ids: Self.ids, window: 4, swaps: [refusing, try EncoderSwap.make(normalizer: "sparsemax", layerCount: 3)], threads: 1, model: "tiny",
            text: "ids")
        #expect(r.rows[1].ppl == nil && r.rows[1].error?.contains("refusing refuses") == true)
        #expect(r.rows[2].ppl != nil && r.rows[2].error == nil)
        #expect(DecoderLab.table(r).contains("failed: "))
        let decoded = try JSONDecoder().decode(DecoderLab.Results.self, from: r.encoded())
        #expect(decoded == r)
    }

    @Test func perLayerSwapsMakeTheSensitivityCurve() throws {
        let decoder = try Self.tinyDecoder()
        let swaps = DecoderLab.perLayer(try EncoderSwap.make(normalizer: "stablemax", layerCount: 3), layerCount: 3)
        #expect(swaps.map { $0.layers } == [[0], [1], [2]])
        let r = try DecoderLab.run(decoder, ids: Self.ids, window: 13, swaps: swaps, threads: 1, model: "tiny.gguf", text: "ids")
        #expect(r.rows.dropFirst().map(\.layers) == [[0], [1], [2]])
        let svg = DecoderLab.layerPlot(r)
        #expect(
            svg.hasPrefix("<svg") && svg.contains("normalizer=stablemax") && svg.components(separatedBy: "<circle").count == 3 + 1 + 1,
            "three points and the legend's marker")
    }

    /// The sweep covers every causal engine (made causal) and refuses none it lists.
    @Test func theSweepListsEveryCausalEngineInItsCausalForm() throws {
        let swaps = try DecoderLab.sweepSwaps(layerCount: 30)
        let engines = swaps.compactMap(\.attention)
        #expect(Set(engines.map(\.id)).isSuperset(of: ["sigmoid-attention", "linear-attention", "edge-moe-attention"]))
        #expect(!engines.contains { $0.id == "nystrom-attention" || $0.id == "attention" })
        #expect(engines.allSatisfy { $0.parameters["causal"] != nil })
        #expect(swaps.contains { $0.activation?.id == "puma-silu" } && swaps.contains { $0.normalizer?.id == "puma-softmax" })
        #expect(swaps.contains { $0.normalizer?.parameters["exp"] == .string("schraudolph") })
    }

    /// The recorded workloads: per layer the causal logits of every head (−∞ above the diagonal),
    /// equal to head 0's recorded Q·Kᵀ/√D; the LM head's logits are the forward pass's.
    @Test func recordingHoldsTheLogitsTheNormalizerSees() throws {
        let decoder = try Self.tinyDecoder(seed: 5)
        let ids = Array(Self.ids.prefix(9)), n = 9, hd = 4
        let files = try DecoderLab.recording(decoder, ids: ids, threads: 1)
        #expect(files.count == 3 * 4 + 1)
        let named = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.tensor) })
        let head = try #require(named["lm-head-logits.npy"])
        #expect(head.shape == [n, 40])
        #expect(try head.floatingPoint(as: Float.self, name: "head") == (try decoder.forward(ids, cache: LlamaCache(for: decoder), threads: 1)))
        for l in 0..<3 {
            let logits = try #require(named["layer\(l)-logits.npy"]), q = try #require(named["layer\(l)-q.npy"])
            let k = try #require(named["layer\(l)-k.npy"])
            #expect(logits.shape == [4 * n, n] && q.shape == [n, hd] && k.shape == [n, hd])
            let s = try logits.floatingPoint(as: Float.self, name: "logits")
            let qv = try q.floatingPoint(as: Float.self, name: "q"), kv = try k.floatingPoint(as: Float.self, name: "k")
            for i in 0..<n {
                for j in 0..<n {
                    let value = s[i * n + j]
                    if j > i {
                        #expect(value == -.infinity, "layer \(l) (\(i), \(j)) must be masked")
                    } else {
                        let dot = (0..<hd).reduce(0.0) { $0 + Double(qv[i * hd + $1]) * Double(kv[j * hd + $1]) } / 2
                        #expect(abs(Double(value) - dot) <= 1e-5 * max(1, abs(dot)), "layer \(l) (\(i), \(j)): \(value) against \(dot)")
                    }
                }
            }
            #expect(s.filter(\.isFinite).count == 4 * n * (n + 1) / 2)
        }
    }
}
