/// Gradient-regularised Newton with an adaptive radius γ (the "gradient-normalized smoothness"):
/// each step is `Δ = −(H + λB)⁻¹g` with `λ = ‖g‖*/(γ + ε)`, `‖v‖*² = vᵀB⁻¹v`; a trial is accepted
/// when `f − f⁺ ≥ ‖g⁺‖*²/(8λ)` (then γ ← max(2γ, γ_min)), else γ halves and the step is tried
/// again, at most 41 times (the last trial is taken even if rejected). H is the exact Hessian or
/// an approximation (the Gauss–Newton H̃), which is the paper's point: the approximate Hessian
/// keeps the global linear rate on the softmax problem.
///
/// Edge rules (the spec's, where the code is undefined): `‖g‖* = 0` stops as converged; a
/// Cholesky failure on the first trial of an iteration stops the run (not converged, x unchanged);
/// on a later trial the previous trial's step is taken. `nIters = 0` returns x0.
///
/// A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for Optimization with
/// Approximate Hessians", 2025 (arXiv 2506.13710); epfml/grad-norm-smooth `src/methods.py`
/// (`grad_norm_smooth`, Algorithm 1).
public enum GradientNormalizedNewton {
    /// The paper and the official code, as the registry cites them.
    public static let citation =
        "A. Semenov, M. Jaggi, N. Doikov, Gradient-Normalized Smoothness for Optimization with Approximate Hessians, 2025 (arXiv 2506.13710); epfml/grad-norm-smooth"

    /// The solver's settings (the official code's defaults).
    public struct Options: Sendable {
        /// Use H̃ instead of the exact Hessian.
        public var approximateHessian = false
        /// Outer iterations at most.
        public var iterations = 1000
        /// γ₀.
        public var gamma0 = 1.0
        /// ε, in λ and in the `f − f* < ε` stop.
        public var eps = 1e-8
        /// γ's floor after an accepted step.
        public var gammaMin = 1e-9
        /// f*, for the `f − f* < ε` stop.
        public var fStar: Double?
        /// Stop when `‖g‖* < gradTolerance`.
        public var gradTolerance: Double?
        /// Adapt γ (false: one trial per iteration, γ fixed).
        public var adaptive = true

        /// The defaults.
        public init() {}
    }

    /// One step: `λ = ‖g‖*/(γ + ε)`, `Δ = −(H + λB)⁻¹g`; nil when `H + λB` is not positive definite.
    public static func step(gradient g: [Double], hessian h: [Double], metric b: [Double], metricFactor: DenseCholesky, gamma: Double, eps: Double)
        -> (dx: [Double], lambda: Double)?
    {
        let n = g.count
        let lambda = metricFactor.dualNormSquared(g).squareRoot() / (gamma + eps)
        var m = h
        for i in 0..<(n * n) { m[i] += lambda * b[i] }
        guard let factor = DenseCholesky(m, n: n) else { return nil }
        return (factor.solve(g).map { -$0 }, lambda)
    }

    /// The run's result and traces (one entry per recorded iterate: iterations + 1).
    public struct Result: Sendable {
        /// The last iterate.
        public var x: [Double]
        /// f at x.
        public var value: Double
        /// ‖∇f(x)‖*.
        public var gradientNorm: Double
        /// γ at the end.
        public var gamma: Double
        /// Outer steps taken.
        public var iterations: Int
        /// Whether a stopping test (f*, gradient tolerance, zero gradient) was met.
        public var converged: Bool
        /// f at every recorded iterate.
        public var valueTrace: [Double]
        /// ‖g‖* at every recorded iterate.
        public var gradientNormTrace: [Double]
        /// γ at every recorded iterate.
        public var gammaTrace: [Double]
    }

    /// Minimises `problem` from `x0` in the metric `b` (n × n, positive definite; its factor given).
    public static func minimize(
        _ problem: SoftmaxProblem, a: [Double], b: [Double], x0: [Double], mu: Double, metric: [Double], metricFactor: DenseCholesky,
        options o: Options
    ) -> Result {
        func oracle(_ x: [Double], second: Bool) -> SoftmaxProblem.Evaluation {
            problem.evaluate(a: a, b: b, x: x, mu: mu, hessian: second && !o.approximateHessian, approximation: second && o.approximateHessian)
        }
        var x = x0, current = oracle(x, second: false), gamma = o.gamma0
        var result = Result(
            x: x, value: 0, gradientNorm: 0, gamma: gamma, iterations: 0, converged: false, valueTrace: [], gradientNormTrace: [], gammaTrace: [])
        var k = 0
        while true {
            let norm = metricFactor.dualNormSquared(current.gradient).squareRoot()
            result.valueTrace.append(current.value)
            result.gradientNormTrace.append(norm)
            result.gammaTrace.append(gamma)
            (result.x, result.value, result.gradientNorm, result.gamma, result.iterations) = (x, current.value, norm, gamma, k)
            if let fStar = o.fStar, current.value - fStar < o.eps { result.converged = true; break }
            if let tol = o.gradTolerance, norm < tol { result.converged = true; break }
            if norm == 0 { result.converged = true; break }
            if k == o.iterations { break }
            let second = oracle(x, second: true)
            guard let h = second.hessian ?? second.approximation else { break }
            var taken: (dx: [Double], next: SoftmaxProblem.Evaluation)? = nil
            for _ in 0...40 {
                guard let (dx, lambda) = step(gradient: current.gradient, hessian: h, metric: metric, metricFactor: metricFactor, gamma: gamma, eps: o.eps)
                else {
                    break  // a failed factorisation: the previous trial (if any) is taken
                }
                let trial = zip(x, dx).map { $0 + $1 }
                let next = oracle(trial, second: false)
                taken = (dx, next)
                if !o.adaptive { break }
                if current.value - next.value >= metricFactor.dualNormSquared(next.gradient) / (8 * lambda) {
                    gamma = max(2 * gamma, o.gammaMin)
                    break
                }
                gamma /= 2
            }
            guard let (dx, next) = taken else { break }  // the first trial failed: stop, not converged
            x = zip(x, dx).map { $0 + $1 }
            current = next
            k += 1
        }
        return result
    }
}
