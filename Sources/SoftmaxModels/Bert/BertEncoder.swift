import Foundation
import SoftmaxAttention
import SoftmaxKit

/// A BERT encoder forward pass in Float (Devlin et al. 2019; the `BertModel` of Hugging Face
/// `transformers`): token + position + token-type embeddings and LayerNorm, then per layer
/// multi-head self-attention (`softmax(QKᵀ/√d + mask)·V`), output projection, residual and
/// LayerNorm, and a feed-forward block (dense, GELU, dense) with residual and LayerNorm.
///
/// Batches are right-padded `[B × L]` token ids with an attention mask (1 = token, 0 = padding),
/// as the Python libraries take them; padded keys are masked out of every query's normalizer
/// (they are never read and get weight 0, where PyTorch adds the float32 minimum — the same
/// result for softmax), so each sequence's outputs do not depend on its padding.
///
/// The matrix products run on the packed SIMD `Gemm` (Q, K and V as one product against the
/// concatenated weights), attention heads in parallel over the threads. The attention
/// normalizer, the activation and the attention engine can be swapped per layer (`EncoderSwap`).
public struct BertEncoder: Sendable {
    public let config: BertConfig
    let weights: BertWeights
    /// Per layer, the weights packed once for the matrix multiply: `[Wq; Wk; Wv]` as one
    /// `[3H × H]` product, the attention output, the two feed-forward layers; and their biases.
    let packed: [PackedLayer]
    let defaultActivation: any Activation
    public let unusedTensors: [String]

    public init(config: BertConfig, weights: BertWeights) throws {
        self.config = config
        self.weights = weights
        packed = weights.layers.map(PackedLayer.init)
        let registry = MethodRegistry.standard
        let id = switch config.hiddenAct {
        case "gelu": "gelu"
        case "gelu_new", "gelu_pytorch_tanh": "gelu-tanh"
        default: "relu"
        }
        if id == "relu" {
            defaultActivation = ElementwiseActivation(ReLU())
        } else {
            let m = try registry.method(id)
            defaultActivation = try m.activation!(m.resolve([:]))
        }
        unusedTensors = weights.unused
    }

    /// Loads `config.json` and `model.safetensors` from a Hugging Face BERT folder.
    public static func load(folder: String) throws -> BertEncoder {
        let config = try BertConfig.load(folder: folder)
        let file = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent("model.safetensors"))
        return try BertEncoder(config: config, weights: BertWeights.load(file, config: config))
    }

    /// A batch of `B` sequences right-padded to `L` tokens.
    public struct Batch: Sendable {
        public let ids: [Int]
        /// 1 for a token, 0 for padding; `[B × L]`.
        public let mask: [Int]
        public let size: Int, length: Int

        /// Pads the sequences to the longest with `padding`.
        public init(_ sequences: [[Int]], padding: Int = 0) {
            size = sequences.count
            length = sequences.map(\.count).max() ?? 0
            var ids = [Int](), mask = [Int]()
            for s in sequences {
                ids += s + [Int](repeating: padding, count: length - s.count)
                mask += [Int](repeating: 1, count: s.count) + [Int](repeating: 0, count: length - s.count)
            }
            self.ids = ids
            self.mask = mask
        }

        public init(ids: [Int], mask: [Int], size: Int, length: Int) throws {
            guard ids.count == size * length, mask.count == size * length else {
                throw ModelError.setting("a batch of \(size) × \(length) needs \(size * length) ids and mask values, got \(ids.count) and \(mask.count)")
            }
            for b in 0..<size {
                let row = mask[(b * length)..<((b + 1) * length)]
                guard row.allSatisfy({ $0 == 0 || $0 == 1 }), !row.drop(while: { $0 == 1 }).contains(1) else {
                    throw ModelError.setting("attention mask row \(b) must be ones then zeros (right padding), got \(Array(row.prefix(16)))")
                }
            }
            self.ids = ids
            self.mask = mask
            self.size = size
            self.length = length
        }

        public func tokens(of sequence: Int) -> Int { mask[(sequence * length)..<((sequence + 1) * length)].reduce(0, +) }
    }

    /// One head's attention in one layer, for recording and checking.
    public struct AttentionSnapshot {
        public let layer: Int, sequence: Int, head: Int
        /// The sequence's real tokens (padding left out): `[n × n]` logits `QKᵀ/√d` and the
        /// normalizer's weights, and `[n × d]` Q, K, V.
        public let tokens: Int
        public let logits: [Float], weights: [Float], q: [Float], k: [Float], v: [Float]
    }

    /// `last_hidden_state`, `[B·L × H]` row-major (padding rows included, as the libraries give them).
    /// With a `workspace`, repeated calls on batches of the same shape reuse its buffers (no
    /// allocation, zeroing or page faults for the ~80 MB of activations of a 32 × 128 batch).
    public func forward(_ batch: Batch, swap: EncoderSwap = EncoderSwap(), threads: Int = RowParallel.activeCores,
                        workspace: Workspace? = nil, inspect: ((AttentionSnapshot) -> Void)? = nil) throws -> [Float] {
        let c = config, h = c.hiddenSize, t = batch.size * batch.length
        guard batch.length <= c.maxPositionEmbeddings else {
            throw ModelError.setting("sequences of \(batch.length) tokens exceed the model's \(c.maxPositionEmbeddings) positions")
        }
        if let bad = batch.ids.first(where: { !(0..<c.vocabSize).contains($0) }) {
            throw ModelError.setting("token id \(bad) is outside the vocabulary of \(c.vocabSize)")
        }
        guard t > 0 else { return [] }
        var x = [Float](repeating: 0, count: t * h)
        for row in 0..<t {
            let id = batch.ids[row], position = row % batch.length
            for k in 0..<h {
                x[row * h + k] = weights.wordEmbeddings[id * h + k] + weights.positionEmbeddings[position * h + k] + weights.tokenTypeEmbeddings[k]
            }
        }
        addAndNormalize(&x, nil, rows: t, weights.embeddingNorm, threads: threads)
        var scratch = workspace?.take(tokens: t, hidden: h, intermediate: c.intermediateSize)
            ?? Scratch(tokens: t, hidden: h, intermediate: c.intermediateSize)
        defer { workspace?.keep(scratch) }
        for l in 0..<c.numHiddenLayers {
            try layer(l, &x, batch, swap.applies(to: l) ? swap : EncoderSwap(), &scratch, threads: threads, inspect: inspect)
        }
        return x
    }

    /// Activation buffers kept between forward passes. One forward pass at a time may use it.
    public final class Workspace: @unchecked Sendable {
        var scratch: Scratch?
        public init() {}

        /// The kept buffers if they have this shape (moved out, so writing them copies nothing).
        func take(tokens: Int, hidden: Int, intermediate: Int) -> Scratch? {
            guard let kept = scratch, kept.shape == [tokens, hidden, intermediate] else { return nil }
            scratch = nil
            return kept
        }

        func keep(_ s: Scratch) { scratch = s }
    }

    /// Buffers reused by every layer.
    struct Scratch {
        var qkv: [Float], context: [Float], projected: [Float], inner: [Float]
        let shape: [Int]
        init(tokens t: Int, hidden h: Int, intermediate i: Int) {
            shape = [t, h, i]
            qkv = [Float](repeating: 0, count: t * 3 * h)
            context = [Float](repeating: 0, count: t * h)
            projected = [Float](repeating: 0, count: t * h)
            inner = [Float](repeating: 0, count: t * i)
        }
    }

    func layer(_ l: Int, _ x: inout [Float], _ batch: Batch, _ swap: EncoderSwap, _ s: inout Scratch, threads: Int,
               inspect: ((AttentionSnapshot) -> Void)?) throws {
        let w = weights.layers[l], t = batch.size * batch.length
        let p = packed[l]
        dense(x, rows: t, p.qkv, into: &s.qkv, threads: threads)
        if let engine = swap.attention {
            try engineAttention(engine.value, s.qkv, batch, into: &s.context)
        } else {
            try exactAttention(l, s.qkv, batch, normalizer: swap.normalizer?.value, into: &s.context, threads: threads, inspect: inspect)
        }
        dense(s.context, rows: t, p.attentionOutput, into: &s.projected, threads: threads)
        addAndNormalize(&x, s.projected, rows: t, w.attentionNorm, threads: threads)
        // The activation runs on each block of the product as it is finished, while it is in cache.
        let activation = swap.activation?.value ?? defaultActivation, failure = FirstError()
        dense(x, rows: t, p.intermediate, into: &s.inner, threads: threads) { block, rows, columns, ldc in
            let input = RowBatch(base: UnsafePointer(block), rows: rows, cols: columns, rowStride: ldc)
            let output = MutableRowBatch(base: block, rows: rows, cols: columns, rowStride: ldc)
            do { try activation.activate(input, into: output, threads: 1) } catch { failure.record(error) }
        }
        try failure.rethrow()
        dense(s.inner, rows: t, p.output, into: &s.projected, threads: threads)
        addAndNormalize(&x, s.projected, rows: t, w.outputNorm, threads: threads)
    }

    /// A linear layer ready for the matrix multiply: `Wᵀ` pre-packed, and the bias.
    struct PackedDense: Sendable {
        let weight: Gemm.PackedB
        let bias: [Float]
        let inputs: Int, outputs: Int

        init(weight: [Float], bias: [Float], inputs: Int, outputs: Int) {
            self.weight = weight.withUnsafeBufferPointer { Gemm.PackedB(k: inputs, n: outputs, Gemm.Operand($0.baseAddress!, ld: inputs, transposed: true)) }
            self.bias = bias
            self.inputs = inputs
            self.outputs = outputs
        }

        init(_ l: BertWeights.Linear) { self.init(weight: l.weight, bias: l.bias, inputs: l.inputs, outputs: l.outputs) }
    }

    struct PackedLayer: Sendable {
        let qkv: PackedDense, attentionOutput: PackedDense, intermediate: PackedDense, output: PackedDense

        init(_ l: BertWeights.Layer) {
            qkv = PackedDense(weight: l.query.weight + l.key.weight + l.value.weight, bias: l.query.bias + l.key.bias + l.value.bias,
                              inputs: l.query.inputs, outputs: 3 * l.query.outputs)
            attentionOutput = PackedDense(l.attentionOutput)
            intermediate = PackedDense(l.intermediate)
            output = PackedDense(l.output)
        }
    }

    /// `y = f(x·Wᵀ + b)` (the bias added as the product stores its tiles, `f` applied to each finished block).
    func dense(_ x: [Float], rows: Int, _ layer: PackedDense, into y: inout [Float], threads: Int, activation: Gemm.Epilogue? = nil) {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                layer.bias.withUnsafeBufferPointer { b in
                    Gemm.multiply(m: rows, Gemm.Operand(xp.baseAddress!, ld: layer.inputs), layer.weight, into: yp.baseAddress!,
                                  ldc: layer.outputs, bias: b.baseAddress!, epilogue: activation, threads: threads)
                }
            }
        }
    }

    /// `x ← LayerNorm(x + residual)` row by row, rows in parallel: `(v − mean)/√(var + eps)·γ + β`
    /// over the `H` values of each row (`layerNormalize`).
    func addAndNormalize(_ x: inout [Float], _ residual: [Float]?, rows: Int, _ n: BertWeights.Norm, threads: Int) {
        let h = config.hiddenSize, eps = Float(config.layerNormEps)
        func shared(_ p: UnsafeBufferPointer<Float>) -> UnsafeSendable<Float>? { p.baseAddress.map { UnsafeSendable(UnsafeMutablePointer(mutating: $0)) } }
        x.withUnsafeMutableBufferPointer { xp in
            (residual ?? []).withUnsafeBufferPointer { rp in
                n.gamma.withUnsafeBufferPointer { gp in
                    n.beta.withUnsafeBufferPointer { bp in
                        let base = UnsafeSendable(xp.baseAddress!), add = residual == nil ? nil : shared(rp), gamma = shared(gp)!, beta = shared(bp)!
                        RowParallel.forEachChunk(rows: rows, threads: rows * h >= 1 << 16 ? threads : 1) { range in
                            for r in range {
                                layerNormalize(base.pointer + r * h, adding: add.map { UnsafePointer($0.pointer + r * h) }, count: h,
                                               gamma: gamma.pointer, beta: beta.pointer, epsilon: eps)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Exact multi-head attention over each sequence's real tokens, heads in parallel; the
    /// normalizer is exact softmax unless swapped. Padding query rows get zeros.
    func exactAttention(_ l: Int, _ qkv: [Float], _ batch: Batch, normalizer: (any Normalizer)?, into context: inout [Float], threads: Int,
                        inspect: ((AttentionSnapshot) -> Void)?) throws {
        let h = config.hiddenSize, heads = config.numAttentionHeads, d = config.headSize, len = batch.length
        let scale = 1 / Float(d).squareRoot()
        let lengths = (0..<batch.size).map { batch.tokens(of: $0) }
        for k in context.indices { context[k] = 0 }
        let tasks = batch.size * heads
        let failure = FirstError()
        qkv.withUnsafeBufferPointer { qp in
            context.withUnsafeMutableBufferPointer { cp in
                let q = UnsafeSendable(UnsafeMutablePointer(mutating: qp.baseAddress!)), out = UnsafeSendable(cp.baseAddress!)
                let work = { @Sendable (range: Range<Int>) in
                    let workspace = Gemm.Workspace()
                    defer { workspace.deallocate() }
                    var scores = [Float](repeating: 0, count: len * len), probs = [Float](repeating: 0, count: len * len)
                    for task in range {
                        let b = task / heads, head = task % heads, n = lengths[b]
                        guard n > 0 else { continue }
                        // Real tokens are the first n rows (right padding, so the mask is a prefix).
                        let base = UnsafePointer(q.pointer) + b * len * 3 * h + head * d
                        scores.withUnsafeMutableBufferPointer { sp in
                            Gemm.multiply(m: n, n: n, k: d, Gemm.Operand(base, ld: 3 * h), Gemm.Operand(base + h, ld: 3 * h, transposed: true),
                                          into: sp.baseAddress!, ldc: n, alpha: scale, workspace: workspace)
                        }
                        do {
                            try scores.withUnsafeBufferPointer { sp in
                                try probs.withUnsafeMutableBufferPointer { pp in
                                    let x = RowBatch(base: sp.baseAddress!, rows: n, cols: n), y = MutableRowBatch(base: pp.baseAddress!, rows: n, cols: n)
                                    if let normalizer {
                                        try normalizer.normalize(x, into: y, mask: nil, threads: 1)
                                    } else {
                                        try ExactSoftmax.softmax(x, into: y, options: SoftmaxOptions(threads: 1))
                                    }
                                }
                            }
                        } catch {
                            failure.record(error)
                            return
                        }
                        probs.withUnsafeBufferPointer { pp in
                            Gemm.multiply(m: n, n: d, k: n, Gemm.Operand(pp.baseAddress!, ld: n), Gemm.Operand(base + 2 * h, ld: 3 * h),
                                          into: out.pointer + b * len * h + head * d, ldc: h, workspace: workspace)
                        }
                    }
                }
                if inspect != nil || threads == 1 || tasks == 1 {
                    work(0..<tasks)
                } else {
                    RowParallel.forEachChunk(rows: tasks, threads: min(threads, tasks), work)
                }
            }
        }
        try failure.rethrow()
        if let inspect {
            for b in 0..<batch.size {
                for head in 0..<heads {
                    let n = lengths[b]
                    func slice(_ part: Int) -> [Float] {
                        var out = [Float]()
                        for i in 0..<n {
                            let start = (b * len + i) * 3 * h + part * h + head * d
                            out += qkv[start..<(start + d)]
                        }
                        return out
                    }
                    let qh = slice(0), kh = slice(1), vh = slice(2)
                    var logits = [Float](repeating: 0, count: n * n)
                    for i in 0..<n {
                        for j in 0..<n {
                            var dot: Float = 0
                            for k in 0..<d { dot += qh[i * d + k] * kh[j * d + k] }
                            logits[i * n + j] = dot * scale
                        }
                    }
                    var weights = [Float](repeating: 0, count: n * n)
                    try logits.withUnsafeBufferPointer { lp in
                        try weights.withUnsafeMutableBufferPointer { wp in
                            let x = RowBatch(base: lp.baseAddress!, rows: n, cols: n), y = MutableRowBatch(base: wp.baseAddress!, rows: n, cols: n)
                            if let normalizer { try normalizer.normalize(x, into: y, mask: nil, threads: 1) } else { try ExactSoftmax.softmax(x, into: y) }
                        }
                    }
                    inspect(AttentionSnapshot(layer: l, sequence: b, head: head, tokens: n, logits: logits, weights: weights, q: qh, k: kh, v: vh))
                }
            }
        }
    }

    /// An attention engine on each sequence's `[1, H, n, d]` Q, K, V (padding left out).
    func engineAttention(_ engine: any AttentionEngine, _ qkv: [Float], _ batch: Batch, into context: inout [Float]) throws {
        let h = config.hiddenSize, heads = config.numAttentionHeads, d = config.headSize, len = batch.length
        for k in context.indices { context[k] = 0 }
        for b in 0..<batch.size {
            let n = batch.tokens(of: b)
            guard n > 0 else { continue }
            // Q, K, V of sequence b as [1, H, n, d]: part p of the fused projection, head by head.
            func part(_ p: Int) -> [Float] {
                var values = [Float](repeating: 0, count: heads * n * d)
                for head in 0..<heads {
                    for i in 0..<n {
                        for k in 0..<d { values[(head * n + i) * d + k] = qkv[(b * len + i) * 3 * h + p * h + head * d + k] }
                    }
                }
                return values
            }
            let (q, k, v) = (part(0), part(1), part(2))
            var o = [Float](repeating: 0, count: heads * n * d)
            let shape = AttentionShape(batch: 1, heads: heads, queries: n, keys: n, headDim: d)
            try q.withUnsafeBufferPointer { qb in
                try k.withUnsafeBufferPointer { kb in
                    try v.withUnsafeBufferPointer { vb in
                        try o.withUnsafeMutableBufferPointer { try engine.attend(q: qb, k: kb, v: vb, shape: shape, into: $0) }
                    }
                }
            }
            for head in 0..<heads {
                for i in 0..<n {
                    for k in 0..<d { context[(b * len + i) * h + head * d + k] = o[(head * n + i) * d + k] }
                }
            }
        }
    }
}

/// `max(0, x)`, for configs with `hidden_act = relu`.
struct ReLU: ElementwiseFunction {
    func callAsFunction(_ x: Float) -> Float { max(0, x) }
    func callAsFunction(_ x: Double) -> Double { max(0, x) }
}

/// The first error thrown by any worker thread.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func record(_ e: any Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    func rethrow() throws { if let error { throw error } }
}
