/// Comp-sum losses: with `L = logsumexp(h) − h_y` (so `u = Σ_{y'≠y} e^{h_{y'} − h_y} = e^L − 1`),
///
/// ```
/// ℓ_τ = Φ^τ(u) = expm1((1 − τ)·L)/(1 − τ)   (τ ≠ 1),    ℓ₁ = L   (cross-entropy)
/// τ = 0: sum-exponential;  τ = 3/2: 2(1 − √p_y);  τ = 2: 1 − p_y (MAE)
/// ```
/// evaluated through `L` with the exact logsumexp (no overflow). Gradient:
/// `∂ℓ_τ/∂h_k = e^{(1−τ)L}·(p_k − [k = y])` (p = softmax(h)). The adversarial variant is not
/// implemented.
///
/// A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and
/// Applications", ICML 2023 (arXiv 2304.07288).
public enum CompSumLoss {
    /// The per-example losses alone.
    public static func perExample(_ h: [Double], rows n: Int, classes c: Int, labels: [Int], tau: Double) throws -> [Double] {
        try compute(h, rows: n, classes: c, labels: labels, tau: tau).loss
    }

    /// Per-example losses and their gradients with respect to `h`.
    public static func compute(_ h: [Double], rows n: Int, classes c: Int, labels: [Int], tau: Double) throws -> (loss: [Double], gradient: [Double]) {
        guard h.count == n * c, labels.count == n else { throw LossError.shape("h holds \(h.count) values, y \(labels.count), for \(n)×\(c)") }
        guard tau >= 0, tau.isFinite else { throw LossError.parameter("tau must be finite and ≥ 0, got \(tau)") }
        var lse = [Double](repeating: 0, count: n)
        try h.withUnsafeBufferPointer { hb in
            try lse.withUnsafeMutableBufferPointer { try ExactSoftmax.logSumExp(RowBatch(hb, rows: n, cols: c), into: $0) }
        }
        var loss = [Double](repeating: 0, count: n), gradient = [Double](repeating: 0, count: n * c)
        for i in 0..<n {
            let y = labels[i]
            guard (0..<c).contains(y) else { throw LossError.label("label \(y) of row \(i) is outside 0..<\(c)") }
            let l = lse[i] - h[i * c + y]
            loss[i] = tau == 1 ? l : expm1((1 - tau) * l) / (1 - tau)
            let slope = tau == 1 ? 1 : Double.scalarExp((1 - tau) * l)
            for k in 0..<c { gradient[i * c + k] = slope * (Double.scalarExp(h[i * c + k] - lse[i]) - (k == y ? 1 : 0)) }
        }
        return (loss, gradient)
    }

    /// `eˣ − 1` without cancellation for small x.
    static func expm1(_ x: Double) -> Double {
        abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Double.scalarExp(x) - 1
    }
}
