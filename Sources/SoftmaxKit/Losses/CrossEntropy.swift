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
    /// How the per-example losses reduce (PyTorch's `reduction`).
    public enum Reduction: String, Sendable, CaseIterable { case mean, sum, none }

    /// Class indices, or a target distribution per row.
    public enum Targets {
        case indices([Int])
        case probabilities([Double])
    }

    /// A batch's losses and gradient.
    public struct Result: Sendable {
        /// ℓᵢ per row (0 for ignored rows).
        public var perExample: [Double]
        /// The reduced loss (for `none`: the sum).
        public var loss: Double
        /// ∂loss/∂logits of the reduced loss (per-example gradients for `none`).
        public var gradient: [Double]
    }

    /// The loss of logit rows against their targets, and its gradient.
    ///
    /// - Parameters:
    ///   - x: the logits, `n × c`, row-major.
    ///   - n: rows.
    ///   - c: classes.
    ///   - targets: one class index per row, or `n × c` target probabilities.
    ///   - weights: one weight per class, or nil for 1.
    ///   - ignoreIndex: rows with this label contribute zero loss and zero gradient.
    ///   - eps: label smoothing ε in [0, 1].
    ///   - reduction: how `loss` reduces the per-example losses.
    ///   - withGradient: false skips the gradient (`Result.gradient` is empty).
    ///   - chunk: when positive, the logsumexp is taken over `chunk` columns at a time and the
    ///     partial states merged (spec §2), so no pass ever spans more than `rows × chunk` values:
    ///     the chunked form for vocabularies too large for one pass (it equals the unchunked one to
    ///     rounding). The gradient, when asked for, is written chunk by chunk too.
    /// - Throws: `LossError` for labels out of range, shapes that disagree, bad ε, weights or chunk.
    public static func compute<T: KernelScalar>(
        logits x: [T], rows n: Int, classes c: Int, targets: Targets, weights: [Double]? = nil,
        ignoreIndex: Int = -100, labelSmoothing eps: Double = 0, reduction: Reduction = .mean, withGradient: Bool = true,
        chunk: Int = 0
    ) throws -> Result {
        guard x.count == n * c else { throw LossError.shape("logits hold \(x.count) values, not \(n)×\(c)") }
        guard (0...1).contains(eps) else { throw LossError.parameter("label_smoothing must be in [0, 1], got \(eps)") }
        guard chunk >= 0 else { throw LossError.parameter("chunk must be ≥ 0 (0: the whole row), got \(chunk)") }
        if let weights, weights.count != c || weights.contains(where: { !$0.isFinite || $0 < 0 }) {
            throw LossError.shape("weight must hold \(c) finite, non-negative values")
        }
        switch targets {
        case let .indices(labels):
            guard labels.count == n else { throw LossError.shape("labels hold \(labels.count) values for \(n) rows") }
            for (i, y) in labels.enumerated() where y != ignoreIndex && !(0..<c).contains(y) {
                throw LossError.label("label \(y) of row \(i) is outside 0..<\(c) (and not ignore_index \(ignoreIndex))")
            }
        case let .probabilities(p):
            guard p.count == n * c else { throw LossError.shape("probability targets hold \(p.count) values, not \(n)×\(c)") }
            if let bad = p.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
                throw LossError.label("target probability \(p[bad]) at row \(bad / max(c, 1)) is not finite and ≥ 0")
            }
        }
        let lse = try logSumExp(x, rows: n, classes: c, chunk: chunk)
        let weightSum = weights?.reduce(0, +) ?? Double(c)
        func w(_ k: Int) -> Double { weights?[k] ?? 1 }
        var perExample = [Double](repeating: 0, count: n), gradient = withGradient ? [Double](repeating: 0, count: n * c) : []
        var denominator = 0.0
        for i in 0..<n {
            let row = i * c, l = lse[i]
            // q = (1 − ε)·onehot(y) + ε/C, or the given probabilities; never materialised.
            var loss = 0.0, mass = 0.0
            switch targets {
            case let .indices(labels):
                let y = labels[i]
                if y == ignoreIndex { continue }
                denominator += w(y)
                if eps > 0 {
                    var weighted = 0.0
                    for k in 0..<c { weighted += w(k) * (Double(x[row + k]) - l) }
                    loss -= eps / Double(c) * weighted
                }
                loss -= (1 - eps) * w(y) * (Double(x[row + y]) - l)
                mass = eps / Double(c) * weightSum + (1 - eps) * w(y)
                if withGradient {
                    for k in 0..<c { gradient[row + k] = mass * Double.scalarExp(Double(x[row + k]) - l) - w(k) * eps / Double(c) }
                    gradient[row + y] -= w(y) * (1 - eps)
                }
            case let .probabilities(p):
                denominator += 1
                for k in 0..<c where p[row + k] != 0 {
                    loss -= w(k) * p[row + k] * (Double(x[row + k]) - l)
                    mass += w(k) * p[row + k]
                }
                if withGradient {
                    for k in 0..<c { gradient[row + k] = mass * Double.scalarExp(Double(x[row + k]) - l) - w(k) * p[row + k] }
                }
            }
            perExample[i] = loss
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

    /// Each row's logsumexp from the exact kernels, over the whole row or `chunk` columns at a
    /// time with the partial states merged.
    static func logSumExp<T: KernelScalar>(_ x: [T], rows n: Int, classes c: Int, chunk: Int) throws -> [Double] {
        let width = chunk > 0 ? min(chunk, c) : c
        var total = [SoftmaxState](repeating: SoftmaxState(), count: n)
        var part = [T](repeating: 0, count: n)
        try x.withUnsafeBufferPointer { xb in
            guard let base = xb.baseAddress, c > 0 else { return }
            var start = 0
            while start < c {
                let cols = min(width, c - start)
                try part.withUnsafeMutableBufferPointer {
                    try ExactSoftmax.logSumExp(RowBatch(base: base + start, rows: n, cols: cols, rowStride: c), into: $0)
                }
                for i in 0..<n { total[i] = total[i].merged(with: SoftmaxState(maximum: Double(part[i]), sum: 1)) }
                start += cols
            }
        }
        return total.map(\.logSumExp)
    }
}

/// Errors from losses, naming the input or parameter at fault.
public enum LossError: Error, Equatable, CustomStringConvertible {
    case shape(String), label(String), parameter(String)

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case let .shape(s), let .label(s), let .parameter(s): "loss: \(s)"
        }
    }
}
