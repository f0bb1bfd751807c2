/// ⊥Grad: the gradient without its component along the weights, per parameter tensor θ,
/// `g⊥ = g − (θ·g)/(θ·θ)·θ` (θ = 0: g unchanged); with `rescale` (the official `OrthoGrad`
/// wrapper) `g⊥ ← g⊥·‖g‖/(‖g⊥‖ + 10⁻³⁰)`, and `θ·θ + 10⁻³⁰` in the projection.
///
/// L. Prieto et al., "Grokking at the Edge of Numerical Stability", 2025 (arXiv 2501.04697).
public enum PerpendicularGradient {
    /// The gradient `g` without its component along the weights `w`, rescaled to ‖g‖ when `rescale`; throws when their counts differ.
    public static func project(weights w: [Double], gradient g: [Double], rescale: Bool) throws -> [Double] {
        guard w.count == g.count else { throw LossError.shape("w holds \(w.count) values, g \(g.count)") }
        let wg = zip(w, g).map(*).reduce(0, +), ww = w.map { $0 * $0 }.reduce(0, +)
        guard ww > 0 || rescale else { return g }
        let coefficient = wg / (ww + (rescale ? 1e-30 : 0))
        var perp = zip(g, w).map { $0 - coefficient * $1 }
        if rescale {
            let gn = g.map { $0 * $0 }.reduce(0, +).squareRoot(), pn = perp.map { $0 * $0 }.reduce(0, +).squareRoot()
            perp = perp.map { $0 * gn / (pn + 1e-30) }
        }
        return perp
    }
}
