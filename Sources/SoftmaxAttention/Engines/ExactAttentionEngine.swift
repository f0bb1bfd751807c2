import SoftmaxKit

/// Exact attention as an `AttentionEngine`: the tiled flash engine (`FlashAttention`), or, with
/// another normalizer in place of softmax, the engine that materialises each head's scores
/// (`NormalizedAttention`). The registry's `attention` id, without its tensor inputs.
public struct ExactAttentionEngine: AttentionEngine {
    /// The registry id.
    public let id = "attention"
    /// Scale, causal alignment, window, soft-cap and threads.
    public var options: AttentionOptions
    /// Nil: the exact softmax.
    public var normalizer: (any Normalizer)?

    /// The flash engine, or — with a normalizer in place of softmax — the materialising one.
    public init(options: AttentionOptions = AttentionOptions(), normalizer: (any Normalizer)? = nil) {
        self.options = options
        self.normalizer = normalizer
    }

    /// Exact attention of `q` over `k`, `v` into `out`, as `AttentionEngine` defines it.
    public func attend(
        q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>, shape: AttentionShape,
        into out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try check(q: q, k: k, v: v, shape: shape, out: out)
        guard let qp = q.baseAddress, let kp = k.baseAddress, let vp = v.baseAddress, let op = out.baseAddress else { return }  // no elements
        if let normalizer {
            try NormalizedAttention.run(q: qp, k: kp, v: vp, shape: shape, mask: nil, bias: nil, options: options, normalizer: normalizer, output: op)
        } else {
            try FlashAttention.run(q: qp, k: kp, v: vp, shape: shape, options: options, output: op)
        }
    }
}
