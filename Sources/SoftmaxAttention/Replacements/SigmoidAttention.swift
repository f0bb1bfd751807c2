import SoftmaxKit

/// Sigmoid attention: `out = (σ(scale·QKᵀ + b) ⊙ M)·V`, element-wise, no row normalisation, with
/// `b = −log n` (n = the number of keys) by default, as the paper recommends. Masked weights are 0.
///
/// J. Ramapuram et al., "Theory, Analysis, and Best Practices for Sigmoid Self-Attention", 2024
/// (arXiv 2409.04431); apple/ml-sigmoid-attention.
enum SigmoidAttention {
    static func weights<T: KernelScalar>(_ h: DenseHead<T>, mask: [Bool]?, scale: T, bias: T, causal: CausalAlignment?) -> [T] {
        var w = h.scores(scale: scale)
        // σ(s + b) = 1/(1 + e^{−(s + b)}) with the vector exponential (≤ 2 ULP): +∞ gives 0.
        w.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = -(p[i] + bias) }
            VectorMath.exp(UnsafeBufferPointer(p), into: p)
            for i in p.indices { p[i] = 1 / (1 + p[i]) }
        }
        guard mask != nil || causal != nil else { return w }
        for i in 0..<h.queries {
            let limit = causal.map { $0 == .topLeft ? i : i + h.keys - h.queries }
            for j in 0..<h.keys {
                let visible = (mask?[i * h.keys + j] ?? true) && (limit.map { j <= $0 } ?? true)
                if !visible { w[i * h.keys + j] = 0 }
            }
        }
        return w
    }
}
