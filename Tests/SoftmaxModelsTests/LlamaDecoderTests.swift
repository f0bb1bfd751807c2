import Foundation
import SoftmaxKit
import Testing

@testable import SoftmaxModels

/// The Llama decoder on a tiny random model written as GGUF by the test (so it runs without any
/// download): its logits against a direct float64 transcription of the architecture, feeding a
/// sequence in pieces through the cache against one pass, the exact softmax swapped in against the
/// built-in path, RoPE against its formula; and, with SmolLM2 fetched, the shared reference's
/// logits, top-5 and mean NLL.
@Suite struct LlamaDecoderTests {
    static let folder: String = {
        let path = NSTemporaryDirectory() + "softmaxkit-llama-tests-\(getpid())"
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            preconditionFailure("cannot create the test folder \(path): \(error)")
        }
        return path
    }()

    /// d = 16, 2 blocks, 4 query heads sharing 2 key/value heads (D = 4), ff = 24, the 256 byte
    /// tokens plus two merges, untied output; weights N(0, 0.3²) from a fixed seed.
    struct Tiny {
        let d = 16, layers = 2, heads = 4, kvHeads = 2, ff = 24, base = 10_000.0, eps = 1e-5
        var vocab: Int { tokens.count }
        let tokens = ByteLevelBPETokenizer.byteCharacters.map { String($0) } + ["ab", "Ġa"]
        var tensors: [(String, [Int], [Float])] = []

        init(seed: UInt64) {
            var g = SeededGenerator(seed: seed)
            func random(_ count: Int, scale: Float = 0.3) -> [Float] {
                (0..<count).map { _ in Float(Double.random(in: -1...1, using: &g)) * scale * 1.7 }
            }
            let kv = kvHeads * (d / heads)
            tensors.append(("token_embd.weight", [d, vocab], random(vocab * d, scale: 1)))
            for l in 0..<layers {
                let p = "blk.\(l)."
                tensors += [
                    (p + "attn_norm.weight", [d], random(d).map { 1 + $0 }), (p + "attn_q.weight", [d, d], random(d * d)),
                    (p + "attn_k.weight", [d, kv], random(kv * d)), (p + "attn_v.weight", [d, kv], random(kv * d)),
                    (p + "attn_output.weight", [d, d], random(d * d)), (p + "ffn_norm.weight", [d], random(d).map { 1 + $0 }),
                    (p + "ffn_gate.weight", [d, ff], random(ff * d)), (p + "ffn_up.weight", [d, ff], random(ff * d)),
                    (p + "ffn_down.weight", [ff, d], random(d * ff)),
                ]
            }
            tensors += [("output_norm.weight", [d], random(d).map { 1 + $0 }), ("output.weight", [d, vocab], random(vocab * d))]
        }

        func weight(_ name: String) -> [Float] { tensors.first { $0.0 == name }!.2 }

        func writer() -> GGUFWriter {
            var w = GGUFWriter()
            w.metadata = [
                ("general.architecture", .string("llama")), ("llama.embedding_length", .u32(UInt32(d))),
                ("llama.block_count", .u32(UInt32(layers))), ("llama.attention.head_count", .u32(UInt32(heads))),
                ("llama.attention.head_count_kv", .u32(UInt32(kvHeads))), ("llama.feed_forward_length", .u32(UInt32(ff))),
                ("llama.attention.layer_norm_rms_epsilon", .f32(Float(eps))), ("llama.rope.freq_base", .f32(Float(base))),
                ("llama.context_length", .u32(64)), ("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string("smollm")),
                ("tokenizer.ggml.tokens", .array(8, tokens.map { .string($0) })),
                ("tokenizer.ggml.merges", .array(8, [.string("a b"), .string("Ġ a")])),
            ]
            w.tensors = tensors.map { name, dims, values in
                GGUFWriter.Tensor(name: name, dimensions: dims.map(UInt64.init), type: 0, data: values.flatMap { GGUFWriter.le($0.bitPattern) })
            }
            return w
        }

        /// Softmax over one query row's visible scores; `keys` is the pass's key count.
        static func softmax(_ scores: [Double], keys: Int) -> [Double] {
            let m = scores.max()!
            let e = scores.map { exp($0 - m) }, s = e.reduce(0, +)
            return e.map { $0 / s }
        }

        /// The architecture transcribed directly in Double: the logits of every position, the
        /// attention weights of each query row from `weights` (default softmax).
        func reference(_ ids: [Int], weights: ([Double], Int) -> [Double] = Tiny.softmax) -> [[Double]] {
            let hd = d / heads, kv = kvHeads * hd, t = ids.count
            func matrix(_ name: String, _ rows: Int, _ cols: Int) -> (Int, Int) -> Double {
                let w = weight(name)
                return { r, c in Double(w[r * cols + c]) }
            }
            func rms(_ v: [Double], _ w: [Float]) -> [Double] {
                let s = (v.map { $0 * $0 }.reduce(0, +) / Double(v.count) + eps).squareRoot()
                return zip(v, w).map { $0 / s * Double($1) }
            }
            func linear(_ v: [Double], _ name: String, _ outputs: Int) -> [Double] {
                let w = matrix(name, outputs, v.count)
                return (0..<outputs).map { o in (0..<v.count).reduce(0.0) { $0 + w(o, $1) * v[$1] } }
            }
            func rope(_ v: [Double], _ p: Int) -> [Double] {
                var out = v
                for h in 0..<(v.count / hd) {
                    for i in 0..<(hd / 2) {
                        let angle = Double(p) * pow(base, -2 * Double(i) / Double(hd))
                        let a = v[h * hd + 2 * i], b = v[h * hd + 2 * i + 1]
                        out[h * hd + 2 * i] = a * cos(angle) - b * sin(angle)
                        out[h * hd + 2 * i + 1] = a * sin(angle) + b * cos(angle)
                    }
                }
                return out
            }
            var x = ids.map { id in (0..<d).map { Double(weight("token_embd.weight")[id * d + $0]) } }
            for l in 0..<layers {
                let p = "blk.\(l)."
                let h = x.map { rms($0, weight(p + "attn_norm.weight")) }
                let q = h.enumerated().map { rope(linear($1, p + "attn_q.weight", d), $0) }
                let k = h.enumerated().map { rope(linear($1, p + "attn_k.weight", kv), $0) }
                let v = h.map { linear($0, p + "attn_v.weight", kv) }
                var attended = [[Double]](repeating: [Double](repeating: 0, count: d), count: t)
                for i in 0..<t {
                    for head in 0..<heads {
                        let g = head / (heads / kvHeads)
                        let scores = (0...i).map { j in (0..<hd).reduce(0.0) { $0 + q[i][head * hd + $1] * k[j][g * hd + $1] } / Double(hd).squareRoot() }
                        let w = weights(scores, t)
                        for c in 0..<hd { attended[i][head * hd + c] = (0...i).reduce(0.0) { $0 + w[$1] * v[$1][g * hd + c] } }
                    }
                }
                for i in 0..<t {
                    let o = linear(attended[i], p + "attn_output.weight", d)
                    x[i] = zip(x[i], o).map(+)
                    let n = rms(x[i], weight(p + "ffn_norm.weight"))
                    let gate = linear(n, p + "ffn_gate.weight", ff), up = linear(n, p + "ffn_up.weight", ff)
                    let a = zip(gate, up).map { g, u in g / (1 + exp(-g)) * u }
                    x[i] = zip(x[i], linear(a, p + "ffn_down.weight", d)).map(+)
                }
            }
            return x.map { linear(rms($0, weight("output_norm.weight")), "output.weight", vocab) }
        }
    }

    func tinyDecoder(seed: UInt64 = 11) throws -> (Tiny, LlamaDecoder, ByteLevelBPETokenizer) {
        let tiny = Tiny(seed: seed)
        // A file of its own per call: tests run in parallel, and rewriting a file another test has
        // memory-mapped would pull its pages away (SIGBUS).
        let path = Self.folder + "/tiny-\(seed)-\(UUID().uuidString).gguf"
        try tiny.writer().write(to: path)
        let (decoder, tokenizer) = try LlamaDecoder.load(path: path)
        return (tiny, decoder, tokenizer)
    }

    @Test func logitsEqualADirectTranscriptionOfTheArchitecture() throws {
        let (tiny, decoder, tokenizer) = try tinyDecoder()
        #expect(
            decoder.config
                == LlamaConfig(
                    width: 16, layers: 2, heads: 4, kvHeads: 2, feedForward: 24, vocabulary: 258, rmsEpsilon: Double(Float(1e-5)), ropeBase: 10_000,
                    contextLength: 64))
        let ids = tokenizer.encode("ab ab, x!")
        #expect(ids.count == 7, "ab | Ġ ab | , | Ġ x | !")
        let logits = try decoder.forward(ids, cache: LlamaCache(for: decoder), threads: 1)
        let reference = tiny.reference(ids)
        var worst = 0.0
        for (i, row) in reference.enumerated() {
            for (c, r) in row.enumerated() { worst = max(worst, abs(Double(logits[i * tiny.vocab + c]) - r) / max(1, abs(r))) }
        }
        #expect(worst < 2e-5, "largest relative difference from the float64 transcription: \(worst)")
    }

    @Test func feedingInPiecesThroughTheCacheEqualsOnePass() throws {
        let (_, decoder, _) = try tinyDecoder(seed: 12)
        // 40 tokens: the cache grows twice (16, 32, 64 rows) on the way.
        let ids = (0..<40).map { ($0 * 37 + 5) % 258 }
        let whole = try decoder.forward(ids, cache: LlamaCache(for: decoder), threads: 2)
        let cache = LlamaCache(for: decoder)
        var pieces = try decoder.forward(Array(ids[0..<4]), cache: cache, threads: 1)
        for id in ids[4...] { pieces += try decoder.forward([id], cache: cache, threads: 1) }
        #expect(cache.length == ids.count)
        let worst = zip(whole, pieces).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "cache against one pass: \(worst)")
        let last = try decoder.forward(ids, cache: LlamaCache(for: decoder), lastOnly: true, threads: 1)
        #expect(last == Array(whole.suffix(258)))
    }

    /// Several sequences in one pass, each after its own cache, give what separate passes give, bit
    /// for bit; their caches then continue as separate ones would.
    @Test func aBatchOfSequencesEqualsSeparatePasses() throws {
        let (_, decoder, _) = try tinyDecoder(seed: 16)
        let sequences = [Array(1...9), [], [200, 7], (0..<20).map { ($0 * 13 + 3) % 258 }]
        let primed = [[Int](), [], [5, 6, 7], [9]]  // held in the caches before the batch
        var separate = [[Float]](), lastOnly = [[Float]]()
        for (ids, before) in zip(sequences, primed) {
            let cache = LlamaCache(for: decoder)
            _ = try decoder.forward(before, cache: cache, threads: 1)
            separate.append(try decoder.forward(ids, cache: cache, threads: 1))
            let again = LlamaCache(for: decoder)
            _ = try decoder.forward(before, cache: again, threads: 1)
            lastOnly.append(try decoder.forward(ids, cache: again, lastOnly: true, threads: 1))
        }
        for threads in [1, 2] {
            let caches = try primed.map { before in
                let cache = LlamaCache(for: decoder)
                _ = try decoder.forward(before, cache: cache, threads: 1)
                return cache
            }
            #expect(try decoder.forward(batch: sequences, caches: caches, threads: threads) == separate, "\(threads) threads")
            #expect(caches.map(\.length) == zip(sequences, primed).map { $0.count + $1.count })
            // Each cache continues on its own.
            let next = try decoder.forward([42], cache: caches[3], threads: 1)
            let whole = try decoder.forward(primed[3] + sequences[3] + [42], cache: LlamaCache(for: decoder), lastOnly: true, threads: 1)
            #expect(zip(next, whole).map { abs($0 - $1) }.max()! < 1e-5)
        }
        let caches = sequences.map { _ in LlamaCache(for: decoder) }
        for (cache, before) in zip(caches, primed) { _ = try decoder.forward(before, cache: cache, threads: 1) }
        #expect(try decoder.forward(batch: sequences, caches: caches, lastOnly: true, threads: 2) == lastOnly)
        // Shared caches, a count mismatch and a bad id are refused; a refused batch moves no cache.
        let shared = LlamaCache(for: decoder)
        #expect(throws: ModelError.self) { try decoder.forward(batch: [[1], [2]], caches: [shared, shared]) }
        #expect(throws: ModelError.self) { try decoder.forward(batch: [[1]], caches: []) }
        let untouched = [LlamaCache(for: decoder), LlamaCache(for: decoder)]
        #expect(throws: ModelError.self) { try decoder.forward(batch: [[1, 2], [3, 999]], caches: untouched) }
        #expect(throws: ModelError.self) { try decoder.forward(batch: [[1, 2], Array(repeating: 3, count: 65)], caches: untouched) }
        #expect(untouched.map(\.length) == [0, 0])
    }

    /// Input embeddings: a token's own row gives that token's logits bit for bit, and a soft token
    /// is the weighted mean of the rows, computed in Double.
    @Test func embeddingInputsAndSoftTokens() throws {
        let (tiny, decoder, _) = try tinyDecoder(seed: 17)
        let ids = [3, 99, 257, 10]
        let rows = try ids.flatMap { try decoder.embedding(of: [WeightedToken(id: $0, weight: 1)]) }
        #expect(
            try decoder.forward(embeddings: rows, cache: LlamaCache(for: decoder), threads: 1)
                == decoder.forward(ids, cache: LlamaCache(for: decoder), threads: 1))
        let soft = [
            WeightedToken(id: 5, weight: 0.5), WeightedToken(id: 77, weight: 0.3), WeightedToken(id: 140, weight: 0.2), WeightedToken(id: 9, weight: 0),
        ]
        let e = tiny.weight("token_embd.weight"), d = tiny.d
        let expected: [Double] = (0..<d).map { c in
            let a: Double = 0.5 * Double(e[5 * d + c]), b: Double = 0.3 * Double(e[77 * d + c]), f: Double = 0.2 * Double(e[140 * d + c])
            return a + b + f
        }
        let mixed = try decoder.embedding(of: soft)
        #expect(zip(mixed, expected).allSatisfy { abs(Double($0) - $1) <= 1e-7 * max(1, abs($1)) })
        // Unnormalised weights are divided by their sum.
        #expect(try decoder.embedding(of: soft.map { WeightedToken(id: $0.id, weight: $0.weight * 4) }) == mixed)
        #expect(throws: ModelError.self) { try decoder.embedding(of: [WeightedToken(id: 1, weight: 0)]) }
        #expect(throws: ModelError.self) { try decoder.embedding(of: [WeightedToken(id: 258, weight: 1)]) }
        #expect(throws: ModelError.self) { try decoder.embedding(of: [WeightedToken(id: 1, weight: -1), WeightedToken(id: 2, weight: 2)]) }
        #expect(throws: ModelError.self) { try decoder.forward(embeddings: [1, 2, 3], cache: LlamaCache(for: decoder)) }
        #expect(throws: ModelError.self) { try decoder.forward(embeddings: rows.map { _ in Float.nan }, cache: LlamaCache(for: decoder)) }
    }

    @Test func swappingInTheExactSoftmaxOrTheExactEngineChangesNothing() throws {
        let (_, decoder, _) = try tinyDecoder(seed: 13)
        let ids = [1, 2, 3, 4, 5, 6, 7]
        let exact = try decoder.forward(ids, cache: LlamaCache(for: decoder), threads: 1)
        // The registered softmax and the registered exact engine are the decoder's own: bit for bit.
        for swap in [
            try EncoderSwap.make(normalizer: "softmax", layerCount: 2), try EncoderSwap.make(attention: "attention", layerCount: 2, causal: true),
            try EncoderSwap.make(activation: "silu", layers: "1", layerCount: 2),
        ] {
            #expect(try decoder.forward(ids, cache: LlamaCache(for: decoder), swap: swap, threads: 1) == exact, "\(swap.label)")
        }
        // With a parameter, softmax runs as a normalizer per score row (the materialising engine):
        // the same function summed in another order.
        let twoPass = try EncoderSwap.make(normalizer: "softmax", parameters: ["algorithm": .string("two-pass")], layerCount: 2)
        let swapped = try decoder.forward(ids, cache: LlamaCache(for: decoder), swap: twoPass, threads: 1)
        let worst = zip(swapped, exact).map { abs($0 - $1) / max(1, abs($1)) }.max()!
        #expect(worst < 1e-5, "softmax[algorithm=two-pass] swapped in: \(worst)")
        let stablemax = try EncoderSwap.make(normalizer: "stablemax", layers: "1", layerCount: 2)
        let changed = try decoder.forward(ids, cache: LlamaCache(for: decoder), swap: stablemax, threads: 1)
        #expect(changed != exact, "a replacement in block 1 must change the logits")
        #expect(throws: ModelError.self) { try decoder.forward([258], cache: LlamaCache(for: decoder)) }
        #expect(throws: ModelError.self) { try decoder.forward(Array(repeating: 1, count: 65), cache: LlamaCache(for: decoder)) }
    }

    /// Sigmoid attention swapped in for the whole engine: `σ(q·k/√D − log n)` over the visible keys
    /// (n the keys of the pass), no normalisation, against the float64 transcription.
    @Test func sigmoidAttentionSwappedInMatchesTheTranscription() throws {
        let (tiny, decoder, _) = try tinyDecoder(seed: 15)
        let ids = [3, 9, 27, 81, 243, 1, 2, 4]
        let swap = try EncoderSwap.make(attention: "sigmoid-attention", layerCount: 2, causal: true)
        #expect(swap.attention?.parameters["causal"] == .string("bottom-right"))
        let logits = try decoder.forward(ids, cache: LlamaCache(for: decoder), swap: swap, threads: 1)
        let reference = tiny.reference(ids) { scores, n in scores.map { 1 / (1 + exp(-($0 - log(Double(n))))) } }
        var worst = 0.0
        for (i, row) in reference.enumerated() {
            for (c, r) in row.enumerated() { worst = max(worst, abs(Double(logits[i * tiny.vocab + c]) - r) / max(1, abs(r))) }
        }
        #expect(worst < 2e-5, "sigmoid attention against the float64 transcription: \(worst)")
        #expect(logits != (try decoder.forward(ids, cache: LlamaCache(for: decoder), threads: 1)))
    }

    /// An engine whose only causal form is top-left attends from an empty cache only; an engine
    /// without a causal form is refused by name.
    @Test func engineSwapsNeedACausalForm() throws {
        let (_, decoder, _) = try tinyDecoder(seed: 16)
        let linear = try EncoderSwap.make(attention: "linear-attention", layerCount: 2, causal: true)
        #expect(linear.attention?.parameters["causal"] == .string("top-left"))
        let cache = LlamaCache(for: decoder)
        let first = try decoder.forward([1, 2, 3], cache: cache, swap: linear, threads: 1)
        #expect(first.allSatisfy { $0.isFinite })
        #expect(throws: ModelError.self) { try decoder.forward([4], cache: cache, swap: linear, threads: 1) }
        do {
            _ = try EncoderSwap.make(attention: "nystrom-attention", layerCount: 2, causal: true)
            Issue.record("an engine without a causal form must be refused")
        } catch let error as ModelError {
            #expect("\(error)".contains("nystrom-attention") && "\(error)".contains("no causal form"), "\(error)")
        }
        var uncausal = EncoderSwap()
        uncausal.attention = try EncoderSwap.make(attention: "sigmoid-attention", layerCount: 2).attention
        #expect(throws: ModelError.self) { try decoder.forward([1, 2], cache: LlamaCache(for: decoder), swap: uncausal, threads: 1) }
    }

    /// Weights from memory are checked against the config, naming the weight at fault.
    @Test func weightsFromMemoryAreChecked() throws {
        let (tiny, decoder, _) = try tinyDecoder(seed: 17)
        let layers = (0..<tiny.layers).map { l in
            let p = "blk.\(l)."
            return LlamaWeights.Layer(
                attentionNorm: tiny.weight(p + "attn_norm.weight"), query: tiny.weight(p + "attn_q.weight"), key: tiny.weight(p + "attn_k.weight"),
                value: tiny.weight(p + "attn_v.weight"), output: tiny.weight(p + "attn_output.weight"),
                feedForwardNorm: tiny.weight(p + "ffn_norm.weight"), gate: tiny.weight(p + "ffn_gate.weight"), up: tiny.weight(p + "ffn_up.weight"),
                down: tiny.weight(p + "ffn_down.weight"))
        }
        let weights = LlamaWeights(
            embeddings: tiny.weight("token_embd.weight"), layers: layers, outputNorm: tiny.weight("output_norm.weight"),
            output: tiny.weight("output.weight"))
        let fromMemory = try LlamaDecoder(config: decoder.config, weights: weights)
        let ids = [7, 8, 9]
        #expect(try fromMemory.forward(ids, cache: LlamaCache(for: fromMemory)) == (try decoder.forward(ids, cache: LlamaCache(for: decoder))))
        var short = weights
        short.layers[1].up.removeLast()
        do {
            _ = try LlamaDecoder(config: decoder.config, weights: short)
            Issue.record("a short weight must be refused")
        } catch let error as ModelError {
            #expect("\(error)".contains("layers[1].up"), "\(error)")
        }
        var nan = weights
        nan.outputNorm[3] = .nan
        #expect(throws: ModelError.self) { try LlamaDecoder(config: decoder.config, weights: nan) }
    }

    /// A pass that throws half-way (a normalizer refusing in block 1, after block 0 wrote its rows)
    /// leaves the cache as it was: feeding on gives what one pass gives.
    @Test func aPassThatThrowsLeavesTheCacheAsItWas() throws {
        struct Refusing: Normalizer {
            func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws {
                throw ModelError.setting("refused")
            }
            func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws {
                throw ModelError.setting("refused")
            }
        }
        let (_, decoder, _) = try tinyDecoder(seed: 18)
        let ids = [4, 8, 15, 16, 23, 42]
        let cache = LlamaCache(for: decoder)
        _ = try decoder.forward(Array(ids[0..<3]), cache: cache, threads: 1)
        var refusing = EncoderSwap()
        refusing.normalizer = .init(id: "refusing", value: Refusing())
        refusing.layers = [1]
        #expect(throws: ModelError.self) { try decoder.forward([99, 98], cache: cache, swap: refusing, threads: 1) }
        #expect(cache.length == 3)
        let rest = try decoder.forward(Array(ids[3...]), cache: cache, threads: 1)
        let whole = try decoder.forward(ids, cache: LlamaCache(for: decoder), threads: 1)
        let worst = zip(rest, whole.suffix(rest.count)).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "after the failed pass: \(worst)")
    }

    /// The perplexity protocol on a short text: windows of 4 tokens from position 0, the NLL of every
    /// position but each window's first, against the same sum over the float64 transcription.
    @Test func perplexityFollowsTheWindowProtocol() throws {
        let (tiny, decoder, _) = try tinyDecoder(seed: 14)
        let ids = [5, 200, 17, 256, 99, 3, 3, 257, 64, 10, 11]
        let result = try Perplexity.evaluate(decoder, ids: ids, window: 4, threads: 1)
        #expect(result.windows.map(\.start) == [0, 4, 8] && result.windows.map(\.length) == [4, 4, 3])
        #expect(result.tokens == 11 && result.predicted == 8)
        var total = 0.0
        for start in stride(from: 0, to: ids.count, by: 4) {
            let piece = Array(ids[start..<min(start + 4, ids.count)])
            let logits = tiny.reference(piece)
            for p in 1..<piece.count {
                let row = logits[p - 1], m = row.max()!
                total += m + log(row.reduce(0) { $0 + exp($1 - m) }) - row[piece[p]]
            }
        }
        #expect(abs(result.totalNLL - total) / total < 1e-5, "\(result.totalNLL) against \(total)")
        #expect(abs(result.ppl - exp(total / 8)) / exp(total / 8) < 1e-5)
        #expect(throws: ModelError.self) { try Perplexity.evaluate(decoder, ids: ids, window: 1) }
        #expect(throws: ModelError.self) { try Perplexity.evaluate(decoder, ids: [1], window: 4) }
    }

    /// The LM head's log-sum-exp over a 49 152-way row (one row: split within the row over
    /// threads) is the same, bit for bit, for every thread count, and within float rounding of a
    /// float64 sum.
    @Test func lmHeadLogSumExpIsBitIdenticalForEveryThreadCount() throws {
        var g = SeededGenerator(seed: 8)
        let v = 49_152
        for rows in [1, 3] {
            let logits = (0..<(rows * v)).map { _ in Float(8 * g.normal()) }
            let one = try Perplexity.logSumExp(logits, rows: rows, vocabulary: v, threads: 1)
            for threads in [2, 3, 4, 7] {
                #expect(try Perplexity.logSumExp(logits, rows: rows, vocabulary: v, threads: threads) == one, "\(rows) rows, \(threads) threads")
            }
            for r in 0..<rows {
                let row = logits[(r * v)..<((r + 1) * v)].map(Double.init), top = row.max()!
                let reference = top + log(row.reduce(0) { $0 + exp($1 - top) })
                #expect(abs(Double(one[r]) - reference) <= 4e-7 * abs(reference), "row \(r): \(one[r]) against \(reference)")
            }
        }
    }

    @Test func ropeRotatesAdjacentPairsByPositionTimesFrequency() {
        let rope = RotaryEmbedding(headDim: 8, base: 100)
        var x: [Float] = (0..<16).map { Float($0) / 4 - 1 }
        let original = x
        x.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress!, rows: 1, heads: 2, positions: [7]) }
        for h in 0..<2 {
            for i in 0..<4 {
                let angle = 7 * pow(100, -2 * Double(i) / 8)
                let a = Double(original[h * 8 + 2 * i]), b = Double(original[h * 8 + 2 * i + 1])
                #expect(abs(Double(x[h * 8 + 2 * i]) - (a * cos(angle) - b * sin(angle))) < 1e-6)
                #expect(abs(Double(x[h * 8 + 2 * i + 1]) - (a * sin(angle) + b * cos(angle))) < 1e-6)
            }
        }
    }

    /// The shared reference (float32 forward on the exactly dequantized weights, cross-checked with
    /// PyTorch and llama.cpp): each prompt's ids, the last position's first eight logits within
    /// 2·10⁻⁴, its top five, and the mean NLL of positions 1… within 10⁻⁴ relative.
    @Test(.enabled(if: ModelFolder.hasDecoder, ModelFolder.decoderSkipReason))
    func smolLM2MatchesTheSharedReference() throws {
        struct Reference: Decodable {
            struct Prompt: Decodable {
                struct Top: Decodable {
                    let id: Int
                    let logit: Double
                }
                let text: String
                let tokenIds: [Int]
                let lastLogits: [Double]
                let lastTop5: [Top]
                let meanNLL: Double

                enum CodingKeys: String, CodingKey {
                    case text, tokenIds = "token_ids", lastLogits = "last_position_logits_first8", lastTop5 = "last_position_top5"
                    case meanNLL = "mean_nll_positions_1_to_end"
                }
            }
            let prompts: [Prompt]
        }
        let reference = try JSONDecoder().decode(
            Reference.self,
            from: Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/smollm2-reference.json")))
        let (decoder, tokenizer) = try LlamaDecoder.load(path: ModelFolder.decoder)
        #expect(decoder.config.layers == 30 && decoder.config.width == 576 && decoder.config.kvHeads == 3)
        for prompt in reference.prompts {
            let ids = tokenizer.encode(prompt.text)
            #expect(ids == prompt.tokenIds)
            let v = decoder.config.vocabulary
            let logits = try decoder.forward(ids, cache: LlamaCache(for: decoder))
            let last = Array(logits[((ids.count - 1) * v)...])
            for (mine, theirs) in zip(last.prefix(8), prompt.lastLogits) {
                #expect(abs(Double(mine) - theirs) < 2e-4, "\(prompt.text): \(mine) against \(theirs)")
            }
            let top = last.indices.sorted { last[$0] > last[$1] }.prefix(5)
            #expect(Array(top) == prompt.lastTop5.map(\.id))
            var nll = 0.0
            for p in 1..<ids.count {
                let row = logits[((p - 1) * v)..<(p * v)].map(Double.init)
                let m = row.max()!
                nll += m + log(row.reduce(0) { $0 + exp($1 - m) }) - row[ids[p]]
            }
            let mean = nll / Double(ids.count - 1)
            #expect(abs(mean - prompt.meanNLL) / prompt.meanNLL < 1e-4, "\(prompt.text): mean NLL \(mean)")
        }
    }
}
