/// StableMax cross-entropy: `ℓᵢ = −log StableMax(xᵢ)_{yᵢ} = log Σⱼ s(x_ij) − log s(x_iyᵢ)`, in
/// Double (the official code casts logits to float64), with its gradient
/// `∂ℓ/∂x_ij = s'(x_ij)/Σ s − [j = y]·s'(x_iy)/s(x_iy)`, `s'(x) = 1` (x ≥ 0), `1/(1 − x)²` (x < 0).
/// The mean is over the batch.
///
/// L. Prieto et al., "Grokking at the Edge of Numerical Stability", 2025 (arXiv 2501.04697).
public enum StableMaxCrossEntropy {
    /// Per-example loss, batch mean and gradient for `n` rows of `c` logits; throws naming a bad shape or label.
    public static func compute<T: KernelScalar>(logits x: [T], rows n: Int, classes c: Int, labels: [Int])
        throws -> (perExample: [Double], mean: Double, gradient: [Double])
    {
        guard x.count == n * c, labels.count == n else { throw LossError.shape("logits \(x.count) values, labels \(labels.count), for \(n)×\(c)") }
        func s(_ v: Double) -> Double { v >= 0 ? v + 1 : 1 / (1 - v) }
        func ds(_ v: Double) -> Double { v >= 0 ? 1 : 1 / ((1 - v) * (1 - v)) }
        var perExample = [Double](repeating: 0, count: n), gradient = [Double](repeating: 0, count: n * c)
        let scale = 1 / Double(n)
        for i in 0..<n {
            let y = labels[i], row = i * c
            guard (0..<c).contains(y) else { throw LossError.label("label \(y) of row \(i) is outside 0..<\(c)") }
            var total = 0.0
            for k in 0..<c { total += s(Double(x[row + k])) }
            let xy = Double(x[row + y])
            perExample[i] = Double.scalarLog(total) - Double.scalarLog(s(xy))
            for k in 0..<c { gradient[row + k] = ds(Double(x[row + k])) / total * scale }
            gradient[row + y] -= ds(xy) / s(xy) * scale
        }
        return (perExample, perExample.reduce(0, +) / Double(max(n, 1)), gradient)
    }
}
