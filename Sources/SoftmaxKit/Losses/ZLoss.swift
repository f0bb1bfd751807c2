/// The Z-loss (spherical family): scores standardised per row, then a soft hinge on the target's
/// standardised score — invariant to `o → λo + β` (λ > 0):
///
/// ```
/// μ = mean(o),  σ = population std(o),  z = (o − μ)/σ      (σ = 0 → z = 0)
/// L(o, c) = (1/a)·softplus(a·(b − z_c))
/// ```
/// `a > 0`, `b` hyperparameters (the authors' example code: a = 1, b = 0). Needs D ≥ 2. Not the
/// `(log Z)²` regulariser of PaLM. Gradient: `∂L/∂o_k = −σ(a(b − z_c))·∂z_c/∂o_k`,
/// `∂z_c/∂o_k = ([k = c] − 1/D − z_c z_k/D)/σ`.
///
/// A. de Brébisson, P. Vincent, "The Z-loss: a shift and scale invariant classification loss
/// belonging to the Spherical Family", 2016 (arXiv 1604.08859).
public enum ZLoss {
    /// A row standardised, `z = (o − mean)/σ` (0 where σ = 0), with σ.
    public static func normalize(_ o: ArraySlice<Double>) -> (z: [Double], sigma: Double) {
        let d = Double(o.count)
        let mean = o.reduce(0, +) / d
        let sigma = (o.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / d).squareRoot()
        return (o.map { sigma > 0 ? ($0 - mean) / sigma : 0 }, sigma)
    }

    /// Per-example Z-loss of `n` rows of `dim` outputs with scale `a` and offset `b`, and its gradient in the outputs; throws naming a bad shape or label.
    public static func compute(_ o: [Double], rows n: Int, classes dim: Int, labels: [Int], a: Double, b: Double)
        throws -> (perExample: [Double], gradient: [Double])
    {
        guard dim >= 2 else { throw LossError.shape("the Z-loss needs at least 2 classes, got \(dim)") }
        guard o.count == n * dim, labels.count == n else { throw LossError.shape("o holds \(o.count) values, labels \(labels.count), for \(n)×\(dim)") }
        guard a > 0, a.isFinite, b.isFinite else { throw LossError.parameter("a must be finite and > 0 (got \(a)), b finite (got \(b))") }
        var perExample = [Double](repeating: 0, count: n), gradient = [Double](repeating: 0, count: n * dim)
        for i in 0..<n {
            let c = labels[i]
            guard (0..<dim).contains(c) else { throw LossError.label("label \(c) of row \(i) is outside 0..<\(dim)") }
            let (z, sigma) = normalize(o[(i * dim)..<((i + 1) * dim)])
            let t = a * (b - z[c])
            perExample[i] = (t > 30 ? t : Double.scalarLog(1 + Double.scalarExp(t))) / a
            guard sigma > 0 else { continue }
            let slope = -1 / (1 + Double.scalarExp(-t))  // ∂L/∂z_c
            let d = Double(dim)
            for k in 0..<dim { gradient[i * dim + k] = slope * ((k == c ? 1 : 0) - 1 / d - z[c] * z[k] / d) / sigma }
        }
        return (perExample, gradient)
    }
}
