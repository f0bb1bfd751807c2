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
    /// The model's configuration.
    public let config: BertConfig
    let weights: BertWeights
    /// Per layer, the weights packed once for the matrix multiply: `[Wq; Wk; Wv]` as one
    /// `[3H × H]` product, the attention output, the two feed-forward layers; and their biases.
    let packed: [PackedLayer]
    let defaultActivation: any Activation
    /// Tensors in the file that sentence embeddings do not use (the pooler).
    public let unusedTensors: [String]

    /// An encoder from validated `weights`, packed once for the matrix multiply.
    public init(config: BertConfig, weights: BertWeights) throws {
        self.config = config
        self.weights = weights
        packed = weights.layers.map(PackedLayer.init)
        let registry = MethodRegistry.standard
        let id =
            switch config.hiddenAct {
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

    /// `last_hidden_state`, `[B·L × H]` row-major (padding rows included, as the libraries give them).
    /// With a `workspace`, repeated calls on batches of the same shape reuse its buffers (no
    /// allocation, zeroing or page faults for the ~80 MB of activations of a 32 × 128 batch).
    public func forward(
        _ batch: Batch, swap: EncoderSwap = EncoderSwap(), threads: Int = RowParallel.activeCores,
        workspace: Workspace? = nil, inspect: ((AttentionSnapshot) -> Void)? = nil
    ) throws -> [Float] {
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
        var scratch =
            workspace?.take(tokens: t, hidden: h, intermediate: c.intermediateSize)
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
        /// An empty workspace; the first forward pass fills it.
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

    func layer(
        _ l: Int, _ x: inout [Float], _ batch: Batch, _ swap: EncoderSwap, _ s: inout Scratch, threads: Int,
        inspect: ((AttentionSnapshot) -> Void)?
    ) throws {
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
}
