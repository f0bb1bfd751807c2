import SoftmaxKit

/// Sigmoid attention: `out = (σ(scale·QKᵀ + b) ⊙ M)·V`, element-wise, no row normalisation, with
/// `b = −log n` (n = the number of keys) by default, as the paper recommends. Masked weights are 0.
///
/// J. Ramapuram et al., "Theory, Analysis, and Best Practices for Sigmoid Self-Attention", 2024
/// (arXiv 2409.04431); apple/ml-sigmoid-attention.
enum SigmoidAttention {
    static func weights<T: KernelScalar>(_ h: DenseHead<T>, mask: [Bool]?, scale: T, bias: T, causal: CausalAlignment?) -> [T] {
        var w = h.scores(scale: scale)
        for i in 0..<h.queries {
            let limit = causal.map { $0 == .topLeft ? i : i + h.keys - h.queries }
            for j in 0..<h.keys {
                let visible = (mask?[i * h.keys + j] ?? true) && (limit.map { j <= $0 } ?? true)
                w[i * h.keys + j] = visible ? 1 / (1 + T.scalarExp(-(w[i * h.keys + j] + bias))) : 0
            }
        }
        return w
    }
}
