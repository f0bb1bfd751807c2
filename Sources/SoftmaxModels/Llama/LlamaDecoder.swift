import Foundation
import MatrixMultiply
import SoftmaxAttention
import SoftmaxKit

/// A Llama-architecture decoder in Float (SmolLM2, TinyLlama, Llama 2/3 without RoPE scaling):
/// token embeddings; per block RMSNorm, Q/K/V projections, RoPE, grouped-query causal attention
/// through the exact flash engine, the output projection and a residual, RMSNorm, SwiGLU
/// (`down(act(gate·x) ⊙ up·x)`) and a residual; a final RMSNorm and the LM head (the embeddings when
/// tied).
///
/// Weights are packed once for the matrix multiply (`Gemm.PackedB`); the products of a pass run
/// on `threads` threads. A `LlamaCache` keeps each block's keys and values, so a sequence can be
/// fed in pieces — a prompt, then one token at a time — with the same result as one pass over the
/// whole sequence. The attention normalizer, the whole attention engine (in its causal form) and
/// the gate activation can be swapped by registry id, in every block or in some (`EncoderSwap`:
/// the same plug points as the encoder's).
public final class LlamaDecoder: @unchecked Sendable {
    /// The model's hyper-parameters.
    public let config: LlamaConfig
    let embeddings: [Float]
    let head: Gemm.PackedB
    let blocks: [Block]
    let outputNorm: [Float]
    let rope: RotaryEmbedding

    /// One block's weights, packed: `[Wq; Wk; Wv]` as one product, the output projection,
    /// `[Wgate; Wup]` as one product, the down projection.
    struct Block: @unchecked Sendable {
        let attentionNorm: [Float], feedForwardNorm: [Float]
        let qkv: Gemm.PackedB, output: Gemm.PackedB, gateUp: Gemm.PackedB, down: Gemm.PackedB
    }

    /// A decoder over `weights`, checked against `config`: throws naming the first weight whose
    /// size or values are wrong (`config` is checked as a GGUF file's would be, under `memory`).
    public init(config: LlamaConfig, weights: LlamaWeights) throws {
        try config.validate(file: "memory")
        self.config = config
        let d = config.width, kv = config.kvHeads * config.headDim, ff = config.feedForward, v = config.vocabulary
        func check(_ w: [Float], _ name: String, _ count: Int) throws {
            guard w.count == count else { throw ModelError.setting("weight \(name): \(w.count) values, the config needs \(count)") }
            if let bad = w.firstIndex(where: { !$0.isFinite }) { throw ModelError.setting("weight \(name): value \(bad) is \(w[bad]); weights must be finite") }
        }
        guard weights.layers.count == config.layers else {
            throw ModelError.setting("weights: \(weights.layers.count) blocks, the config has \(config.layers)")
        }
        try check(weights.embeddings, "embeddings", v * d)
        try check(weights.outputNorm, "outputNorm", d)
        if let output = weights.output { try check(output, "output", v * d) }
        for (l, w) in weights.layers.enumerated() {
            for (name, values, count) in [
                ("attentionNorm", w.attentionNorm, d), ("query", w.query, d * d), ("key", w.key, kv * d), ("value", w.value, kv * d),
                ("output", w.output, d * d), ("feedForwardNorm", w.feedForwardNorm, d), ("gate", w.gate, ff * d), ("up", w.up, ff * d),
                ("down", w.down, d * ff),
            ] {
                try check(values, "layers[\(l)].\(name)", count)
            }
        }
        func pack(_ w: [Float], inputs: Int, outputs: Int) -> Gemm.PackedB {
            w.withUnsafeBufferPointer { Gemm.PackedB(k: inputs, n: outputs, Gemm.Operand($0.baseAddress!, ld: inputs, transposed: true)) }
        }
        blocks = weights.layers.map { l in
            Block(
                attentionNorm: l.attentionNorm, feedForwardNorm: l.feedForwardNorm,
                qkv: pack(l.query + l.key + l.value, inputs: d, outputs: d + 2 * kv), output: pack(l.output, inputs: d, outputs: d),
                gateUp: pack(l.gate + l.up, inputs: d, outputs: 2 * ff), down: pack(l.down, inputs: ff, outputs: d))
        }
        embeddings = weights.embeddings
        head = pack(weights.output ?? weights.embeddings, inputs: d, outputs: v)
        outputNorm = weights.outputNorm
        rope = RotaryEmbedding(headDim: config.headDim, base: config.ropeBase)
    }

    /// The decoder and tokenizer in a GGUF file.
    public static func load(path: String) throws -> (decoder: LlamaDecoder, tokenizer: ByteLevelBPETokenizer) {
        let file = try GGUFFile(path: path)
        let config = try LlamaConfig(gguf: file)
        let tokenizer = try ByteLevelBPETokenizer(gguf: file)
        return (try LlamaDecoder(config: config, weights: try LlamaWeights.load(file, config: config)), tokenizer)
    }

    /// Feeds `ids` after what `cache` holds and returns the logits `[ids.count × vocab]` of every
    /// new position (or of the last one only, with `lastOnly`); the cache then holds them too.
    /// Throws for an id outside the vocabulary, a sequence longer than the model's context, or a
    /// swap the attention engine cannot take.
    /// `observe`, when given, sees each block's attention inputs as they are used (for recording
    /// real workloads); it costs a copy of them per block.
    public func forward(
        _ ids: [Int], cache: LlamaCache, swap: EncoderSwap = EncoderSwap(), lastOnly: Bool = false, threads: Int = RowParallel.activeCores,
        observe: ((AttentionInputs) -> Void)? = nil
    ) throws -> [Float] {
        guard !ids.isEmpty else { return [] }
        return try pass(embed(ids), [(cache, ids.count)], swap: swap, lastOnly: lastOnly, threads: threads, observe: observe)[0]
    }

    /// Feeds input embeddings instead of token ids: `embeddings` holds rows of `config.width`
    /// values (a soft token's `embedding(of:)`, or any vector in the embedding space), one position
    /// each. A row equal to a token's embedding gives the logits of that token, bit for bit.
    public func forward(
        embeddings: [Float], cache: LlamaCache, swap: EncoderSwap = EncoderSwap(), lastOnly: Bool = false,
        threads: Int = RowParallel.activeCores
    ) throws -> [Float] {
        let d = config.width
        guard embeddings.count % d == 0 else {
            throw ModelError.setting("embeddings: \(embeddings.count) values are not whole rows of the width \(d)")
        }
        if let bad = embeddings.firstIndex(where: { !$0.isFinite }) {
            throw ModelError.setting("embeddings: value \(bad) (row \(bad / d)) is \(embeddings[bad]); input embeddings must be finite")
        }
        guard !embeddings.isEmpty else { return [] }
        return try pass(embeddings, [(cache, embeddings.count / d)], swap: swap, lastOnly: lastOnly, threads: threads, observe: nil)[0]
    }

    /// Feeds several sequences in one pass, each after what its own cache holds: the matrix
    /// products run on all their rows at once (one weight sweep for the batch), attention per
    /// sequence. Returns each sequence's logits as `forward(_:cache:)` would (every position, or the
    /// last with `lastOnly`). Caches must be distinct; an empty sequence gives empty logits. A
    /// batch that throws leaves every cache as it was.
    public func forward(
        batch: [[Int]], caches: [LlamaCache], swap: EncoderSwap = EncoderSwap(), lastOnly: Bool = false, threads: Int = RowParallel.activeCores
    ) throws -> [[Float]] {
        guard batch.count == caches.count else { throw ModelError.setting("batch: \(batch.count) sequences but \(caches.count) caches") }
        for i in caches.indices {
            for j in 0..<i where caches[i] === caches[j] {
                throw ModelError.setting("batch: sequences \(j) and \(i) share a cache; each sequence needs its own")
            }
        }
        let live = batch.indices.filter { !batch[$0].isEmpty }
        guard !live.isEmpty else { return batch.map { _ in [] } }
        let logits = try pass(
            embed(live.flatMap { batch[$0] }), live.map { (caches[$0], batch[$0].count) }, swap: swap, lastOnly: lastOnly, threads: threads,
            observe: nil)
        var out = batch.map { _ in [Float]() }
        for (slot, i) in live.enumerated() { out[i] = logits[slot] }
        return out
    }

    /// The input embedding of a soft token: `Σ wᵢ·E[idᵢ] / Σ wᵢ`, accumulated in Double (soft
    /// thinking's step 5). One token of weight 1 gives its embedding row exactly; zero total weight
    /// is an error, as no position can be fed from it.
    public func embedding(of tokens: [WeightedToken]) throws -> [Float] {
        let d = config.width
        let total = tokens.reduce(0) { $0 + $1.weight }
        guard total > 0, total.isFinite, tokens.allSatisfy({ $0.weight >= 0 }) else {
            throw ModelError.setting("soft token: weights must be ≥ 0 with a finite, positive sum, got \(tokens.map(\.weight))")
        }
        var sum = [Double](repeating: 0, count: d)
        for token in tokens where token.weight != 0 {
            guard (0..<config.vocabulary).contains(token.id) else {
                throw ModelError.setting("soft token: id \(token.id) is outside the vocabulary 0…\(config.vocabulary - 1)")
            }
            for c in 0..<d { sum[c] += token.weight * Double(embeddings[token.id * d + c]) }
        }
        return sum.map { Float($0 / total) }
    }

    /// The embedding rows of `ids`, checked against the vocabulary.
    func embed(_ ids: [Int]) throws -> [Float] {
        let d = config.width
        if let bad = ids.first(where: { !(0..<config.vocabulary).contains($0) }) {
            throw ModelError.setting("token id \(bad) is outside the vocabulary 0…\(config.vocabulary - 1)")
        }
        var x = [Float](repeating: 0, count: ids.count * d)
        for (r, id) in ids.enumerated() {
            for c in 0..<d { x[r * d + c] = embeddings[id * d + c] }
        }
        return x
    }

    /// One pass over the rows `x` (`[Σ count × d]`): sequence s owns the next `count` rows and
    /// continues after what its cache holds. Returns each sequence's logits.
    func pass(
        _ input: [Float], _ sequences: [(cache: LlamaCache, count: Int)], swap: EncoderSwap, lastOnly: Bool, threads: Int,
        observe: ((AttentionInputs) -> Void)?
    ) throws -> [[Float]] {
        let d = config.width, hd = config.headDim, kvWidth = config.kvHeads * hd, ff = config.feedForward
        let t = sequences.reduce(0) { $0 + $1.count }
        var starts = [Int](), firstRow = [Int]()
        for (cache, count) in sequences {
            guard cache.layers == config.layers, cache.kvHeads == config.kvHeads, cache.headDim == hd else {
                throw ModelError.setting("the cache was made for another model")
            }
            guard cache.length + count <= config.contextLength else {
                throw ModelError.setting("\(cache.length + count) tokens exceed the model's context of \(config.contextLength)")
            }
            firstRow.append(starts.count == 0 ? 0 : firstRow.last! + sequences[starts.count - 1].count)
            starts.append(cache.length)
        }
        if let engine = swap.attention {
            guard case .string(let form)? = engine.parameters["causal"] else {
                throw ModelError.setting("--attention \(engine.id): the engine was not made causal (EncoderSwap.make(…, causal: true))")
            }
            if form == "top-left", let start = starts.first(where: { $0 > 0 }) {
                throw ModelError.setting(
                    "--attention \(engine.id): its causal form is top-left only, so it attends from an empty cache only (whole-sequence passes), not after \(start) cached tokens"
                )
            }
        }
        // The registered exact `softmax` is the flash engine's own softmax: swapping it in changes
        // nothing, bit for bit.
        let normalizer = swap.normalizer.flatMap { $0.id == "softmax" && $0.parameters.isEmpty ? nil : $0.value }
        var positions = [Int]()
        for (s, sequence) in sequences.enumerated() {
            positions += starts[s]..<(starts[s] + sequence.count)
            sequence.cache.reserve(starts[s] + sequence.count)
        }
        let angles = RotaryEmbedding.Table(rope, positions: positions)
        var x = input
        var h = [Float](repeating: 0, count: t * d), qkv = [Float](repeating: 0, count: t * (d + 2 * kvWidth))
        var q = [Float](repeating: 0, count: t * d), attended = [Float](repeating: 0, count: t * d)
        var gateUp = [Float](repeating: 0, count: t * 2 * ff), activated = [Float](repeating: 0, count: t * ff)
        var out = [Float](repeating: 0, count: t * d)
        let scale = 1 / Double(hd).squareRoot()
        let options = AttentionOptions(scale: scale, causal: .bottomRight, threads: threads)
        for (l, block) in blocks.enumerated() {
            let swapped = swap.layers.map { $0.contains(l) } ?? true
            rmsNormalize(x, rows: t, weight: block.attentionNorm, into: &h, threads: threads)
            multiply(h, rows: t, block.qkv, into: &qkv, threads: threads)
            qkv.withUnsafeMutableBufferPointer { p in
                let row = d + 2 * kvWidth
                // RoPE on the query and key parts of each row, in place.
                for r in 0..<t {
                    angles.apply(p.baseAddress! + r * row, row: r, heads: config.heads)
                    angles.apply(p.baseAddress! + r * row + d, row: r, heads: config.kvHeads)
                }
            }
            let engine: any AttentionEngine =
                swapped ? swap.attention?.value ?? ExactAttentionEngine(options: options, normalizer: normalizer) : ExactAttentionEngine(options: options)
            for (s, (cache, n)) in sequences.enumerated() {
                // This sequence's queries head-major [H, n, D] in its rows of q; its keys and values
                // appended to its cache.
                let base = firstRow[s] * d
                for r in 0..<n {
                    let row = (firstRow[s] + r) * (d + 2 * kvWidth)
                    for head in 0..<config.heads {
                        for c in 0..<hd { q[base + (head * n + r) * hd + c] = qkv[row + head * hd + c] }
                    }
                }
                qkv.withUnsafeBufferPointer { p in
                    cache.write(
                        layer: l, rows: n, from: p.baseAddress! + firstRow[s] * (d + 2 * kvWidth), stride: d + 2 * kvWidth, keyOffset: d,
                        valueOffset: d + kvWidth)
                }
                // One call per key/value head and the query heads that share it (their rows are
                // contiguous in q), on the cache's rows of that head.
                let keys = starts[s] + n, group = config.heads / config.kvHeads
                let shape = AttentionShape(batch: 1, heads: group, kvHeads: 1, queries: n, keys: keys, headDim: hd)
                let slice = group * n * hd
                if let observe {
                    var k = [Float](), v = [Float]()
                    for g in 0..<config.kvHeads {
                        cache.withKeysAndValues(layer: l, head: g, count: keys) { kp, vp in
                            k += kp
                            v += vp
                        }
                    }
                    observe(AttentionInputs(layer: l, queries: n, keys: keys, q: Array(q[base..<(base + n * d)]), k: k, v: v))
                }
                for g in 0..<config.kvHeads {
                    let range = (base + g * slice)..<(base + (g + 1) * slice)
                    try q.withUnsafeBufferPointer { qp in
                        try cache.withKeysAndValues(layer: l, head: g, count: keys) { kp, vp in
                            try out.withUnsafeMutableBufferPointer { op in
                                try engine.attend(
                                    q: UnsafeBufferPointer(rebasing: qp[range]), k: kp, v: vp, shape: shape,
                                    into: UnsafeMutableBufferPointer(rebasing: op[range]))
                            }
                        }
                    }
                }
                // Back to token-major rows [n, H·D].
                for head in 0..<config.heads {
                    for r in 0..<n {
                        for c in 0..<hd { attended[base + r * d + head * hd + c] = out[base + (head * n + r) * hd + c] }
                    }
                }
            }
            multiply(attended, rows: t, block.output, into: &h, threads: threads)
            for i in 0..<(t * d) { x[i] += h[i] }
            rmsNormalize(x, rows: t, weight: block.feedForwardNorm, into: &h, threads: threads)
            multiply(h, rows: t, block.gateUp, into: &gateUp, threads: threads)
            try gateUp.withUnsafeBufferPointer { g in
                try activated.withUnsafeMutableBufferPointer { a in
                    let gates = RowBatch(base: g.baseAddress!, rows: t, cols: ff, rowStride: 2 * ff)
                    let into = MutableRowBatch(base: a.baseAddress!, rows: t, cols: ff)
                    if swapped, let activation = swap.activation?.value {
                        try activation.activate(gates, into: into, threads: threads)
                    } else {
                        try LlamaDecoder.silu.activate(gates, into: into, threads: threads)
                    }
                }
            }
            gateUp.withUnsafeBufferPointer { g in
                activated.withUnsafeMutableBufferPointer { a in
                    let g = UnsafeSendable(UnsafeMutablePointer(mutating: g.baseAddress!)), a = UnsafeSendable(a.baseAddress!)
                    LlamaDecoder.forEachRows(t, width: ff, threads: threads) { range in
                        for r in range {
                            for c in 0..<ff { a.pointer[r * ff + c] *= g.pointer[r * 2 * ff + ff + c] }
                        }
                    }
                }
            }
            multiply(activated, rows: t, block.down, into: &h, threads: threads)
            for i in 0..<(t * d) { x[i] += h[i] }
        }
        for (s, sequence) in sequences.enumerated() { sequence.cache.length = starts[s] + sequence.count }
        // The rows the logits are asked for: each sequence's last, or all of them.
        let wanted = lastOnly ? sequences.indices.map { firstRow[$0] + sequences[$0].count - 1 } : Array(0..<t)
        var last = [Float](repeating: 0, count: wanted.count * d)
        for (i, r) in wanted.enumerated() {
            for c in 0..<d { last[i * d + c] = x[r * d + c] }
        }
        var normalized = [Float](repeating: 0, count: wanted.count * d)
        rmsNormalize(last, rows: wanted.count, weight: outputNorm, into: &normalized)
        var logits = [Float](repeating: 0, count: wanted.count * config.vocabulary)
        multiply(normalized, rows: wanted.count, head, into: &logits, threads: threads)
        let v = config.vocabulary
        var row = 0
        return sequences.map { sequence in
            let rows = lastOnly ? 1 : sequence.count
            defer { row += rows }
            return Array(logits[(row * v)..<((row + rows) * v)])
        }
    }

    /// SiLU, the gate activation Llama is trained with.
    static let silu: any Activation = ElementwiseActivation(GELU.SiLU())

    /// `y = x · Wᵀ` for `rows` rows.
    func multiply(_ x: [Float], rows: Int, _ w: Gemm.PackedB, into y: inout [Float], threads: Int) {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                Gemm.multiply(m: rows, Gemm.Operand(xp.baseAddress!, ld: w.k), w, into: yp.baseAddress!, ldc: w.n, threads: threads)
            }
        }
    }

    /// RMSNorm per row, `x / √(mean(x²) + ε) · w`, the mean of squares accumulated in Double; rows
    /// split over `threads` (each row computed alike whatever the split).
    func rmsNormalize(_ x: [Float], rows: Int, weight: [Float], into y: inout [Float], threads: Int = 1) {
        let d = weight.count, epsilon = config.rmsEpsilon
        x.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    let x = UnsafeSendable(UnsafeMutablePointer(mutating: xp.baseAddress!)), w = UnsafeSendable(UnsafeMutablePointer(mutating: wp.baseAddress!))
                    let y = UnsafeSendable(yp.baseAddress!)
                    LlamaDecoder.forEachRows(rows, width: d, threads: threads) { range in
                        for r in range {
                            let row = x.pointer + r * d, out = y.pointer + r * d
                            var sum = 0.0
                            for c in 0..<d {
                                let v = Double(row[c])
                                sum += v * v
                            }
                            let inverse = Float(1 / (sum / Double(d) + epsilon).squareRoot())
                            for c in 0..<d { out[c] = row[c] * inverse * w.pointer[c] }
                        }
                    }
                }
            }
        }
    }

    /// `body` on ranges of `rows` rows of `width` values, over as many of `threads` as pay.
    static func forEachRows(_ rows: Int, width: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        RowParallel.forEachChunk(rows: rows, threads: RowParallel.threadCount(rows: rows, cols: width, requested: threads), body)
    }
}

/// One block's attention inputs in a forward pass: the queries after RoPE, head-major
/// `[heads, queries, D]`, and every key (after RoPE) and value the block attends to, the cached
/// ones first, `[kvHeads, keys, D]`. Query i sits at position `keys − queries + i`; it sees keys
/// 0 … that position. Scores are `q·k / √D`.
public struct AttentionInputs: Sendable {
    /// The block.
    public let layer: Int
    /// New positions in this pass.
    public let queries: Int
    /// Keys attended to (cached and new).
    public let keys: Int
    /// `[heads, queries, D]`.
    public let q: [Float]
    /// `[kvHeads, keys, D]`.
    public let k: [Float], v: [Float]
}

/// The keys and values a decoder has seen, per block and key/value head, so that a sequence can
/// be fed in pieces. Each head's rows are contiguous (`[capacity, D]`, the first `length` valid),
/// and the capacity doubles when a pass needs more, so a decode step writes its row in place
/// instead of copying the cache. A pass writes its rows after `length` and moves `length` only
/// when it completes: a pass that throws leaves the cache as it was. One sequence per cache.
public final class LlamaCache: @unchecked Sendable {
    let layers: Int, kvHeads: Int, headDim: Int
    /// Per block: keys, then values, `[kvHeads, capacity, D]`.
    var keys: [[Float]], values: [[Float]]
    var capacity = 0
    /// Tokens held.
    public internal(set) var length = 0

    /// An empty cache for `decoder`.
    public convenience init(for decoder: LlamaDecoder) {
        self.init(layers: decoder.config.layers, kvHeads: decoder.config.kvHeads, headDim: decoder.config.headDim)
    }

    init(layers: Int, kvHeads: Int, headDim: Int) {
        self.layers = layers
        self.kvHeads = kvHeads
        self.headDim = headDim
        keys = Array(repeating: [], count: layers)
        values = Array(repeating: [], count: layers)
    }

    /// Makes room for `total` tokens (at least doubling), keeping the `length` held.
    func reserve(_ total: Int) {
        guard total > capacity else { return }
        let new = max(total, 2 * capacity, 16), d = headDim
        for l in 0..<layers {
            var k = [Float](repeating: 0, count: kvHeads * new * d), v = k
            for head in 0..<kvHeads where length > 0 {
                for i in 0..<(length * d) {
                    k[head * new * d + i] = keys[l][head * capacity * d + i]
                    v[head * new * d + i] = values[l][head * capacity * d + i]
                }
            }
            keys[l] = k
            values[l] = v
        }
        capacity = new
    }

    /// Writes `rows` positions from `length` on in block `layer`: `qkv` holds them as token-major
    /// rows of `stride` values, the keys at `keyOffset`, the values at `valueOffset`, heads
    /// `[kvHeads × D]` in order.
    func write(layer: Int, rows: Int, from qkv: UnsafePointer<Float>, stride: Int, keyOffset: Int, valueOffset: Int) {
        let d = headDim, start = length
        keys[layer].withUnsafeMutableBufferPointer { k in
            values[layer].withUnsafeMutableBufferPointer { v in
                for r in 0..<rows {
                    for head in 0..<kvHeads {
                        let to = (head * capacity + start + r) * d, from = qkv + r * stride + head * d
                        (k.baseAddress! + to).update(from: from + keyOffset, count: d)
                        (v.baseAddress! + to).update(from: from + valueOffset, count: d)
                    }
                }
            }
        }
    }

    /// Head `head` of block `layer`: its first `count` keys and values, `[count, D]` each.
    func withKeysAndValues<R>(layer: Int, head: Int, count: Int, _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> R) rethrows
        -> R
    {
        let offset = head * capacity * headDim, n = count * headDim
        return try keys[layer].withUnsafeBufferPointer { k in
            try values[layer].withUnsafeBufferPointer { v in
                try body(UnsafeBufferPointer(rebasing: k[offset..<(offset + n)]), UnsafeBufferPointer(rebasing: v[offset..<(offset + n)]))
            }
        }
    }
}
