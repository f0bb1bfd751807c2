/// Softmax cross-entropy, fused: per row `log p = x − logsumexp(x)` is never materialised as
/// probabilities except in the gradient, and the logsumexp comes from the exact kernels, so the
/// extra memory is O(1) per row whatever the vocabulary (49 152 or 256 000 classes).
///
/// ```
/// targets qᵢ:  class index yᵢ → (1 − ε)·onehot(yᵢ) + ε/C   (label smoothing ε);  or given probabilities
/// ℓᵢ = −Σ_c w_c·q_ic·log p_ic          (class weights w, default 1)
/// ∂ℓᵢ/∂x_ij = (Σ_c w_c q_ic)·p_ij − w_j q_ij
/// mean: Σᵢ ℓᵢ / Σᵢ w_{yᵢ} (index targets; ignored rows excluded) or / N (probability targets)
/// ```
/// Rows whose label is `ignoreIndex` contribute zero loss and zero gradient. This is PyTorch's
/// `cross_entropy` (weights, `ignore_index`, `label_smoothing`, reductions).
public enum CrossEntropy {
    public enum Reduction: String, Sendable, CaseIterable { case mean, sum, none }

    public enum Targets {
        case indices([Int])
        case probabilities([Double])
    }

    public struct Result: Sendable {
        /// ℓᵢ per row (0 for ignored rows).
        public var perExample: [Double]
        /// The reduced loss (for `none`: the sum).
        public var loss: Double
        /// ∂loss/∂logits of the reduced loss (per-example gradients for `none`).
        public var gradient: [Double]
    }

    /// - Throws: `LossError` for labels out of range, shapes that disagree, bad ε or weights.
    public static func compute<T: KernelScalar>(
        logits x: [T], rows n: Int, classes c: Int, targets: Targets, weights: [Double]? = nil,
        ignoreIndex: Int = -100, labelSmoothing eps: Double = 0, reduction: Reduction = .mean, withGradient: Bool = true
    ) throws -> Result {
        guard x.count == n * c else { throw LossError.shape("logits hold \(x.count) values, not \(n)×\(c)") }
        guard (0...1).contains(eps) else { throw LossError.parameter("label_smoothing must be in [0, 1], got \(eps)") }
        if let weights, weights.count != c || weights.contains(where: { !$0.isFinite || $0 < 0 }) {
            throw LossError.shape("weight must hold \(c) finite, non-negative values")
        }
        var lse = [T](repeating: 0, count: n)
        try x.withUnsafeBufferPointer { xb in
            try lse.withUnsafeMutableBufferPointer { try ExactSoftmax.logSumExp(RowBatch(xb, rows: n, cols: c), into: $0) }
        }
        var perExample = [Double](repeating: 0, count: n), gradient = withGradient ? [Double](repeating: 0, count: n * c) : []
        var denominator = 0.0
        let w = weights ?? [Double](repeating: 1, count: c)
        for i in 0..<n {
            let row = i * c, l = Double(lse[i])
            var q = [Double](repeating: 0, count: c)
            switch targets {
            case let .indices(labels):
                guard labels.count == n else { throw LossError.shape("labels hold \(labels.count) values for \(n) rows") }
                let y = labels[i]
                if y == ignoreIndex { continue }
                guard (0..<c).contains(y) else { throw LossError.label("label \(y) of row \(i) is outside 0..<\(c) (and not ignore_index \(ignoreIndex))") }
                for k in 0..<c { q[k] = eps / Double(c) }
                q[y] += 1 - eps
                denominator += w[y]
            case let .probabilities(p):
                guard p.count == n * c else { throw LossError.shape("probability targets hold \(p.count) values, not \(n)×\(c)") }
                for k in 0..<c { q[k] = p[row + k] }
                denominator += 1
            }
            var loss = 0.0, mass = 0.0
            for k in 0..<c where q[k] != 0 {
                loss -= w[k] * q[k] * (Double(x[row + k]) - l)
                mass += w[k] * q[k]
            }
            perExample[i] = loss
            if withGradient {
                for k in 0..<c { gradient[row + k] = mass * Double.scalarExp(Double(x[row + k]) - l) - w[k] * q[k] }
            }
        }
        let total = perExample.reduce(0, +)
        switch reduction {
        case .mean:
            let d = denominator > 0 ? denominator : .nan
            if withGradient { for k in gradient.indices { gradient[k] /= d } }
            return Result(perExample: perExample, loss: total / d, gradient: gradient)
        case .sum, .none:
            return Result(perExample: perExample, loss: total, gradient: gradient)
        }
    }
}

/// Errors from losses, naming the input or parameter at fault.
public enum LossError: Error, Equatable, CustomStringConvertible {
    case shape(String), label(String), parameter(String)

    public var description: String {
        switch self {
        case let .shape(s), let .label(s), let .parameter(s): "loss: \(s)"
        }
    }
}
