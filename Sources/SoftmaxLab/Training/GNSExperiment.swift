import Foundation
import SoftmaxKit

/// Reproduces the claim of Semenov, Jaggi & Doikov (2025) on the softmax (LogSumExp) problem: the
/// gradient-regularised Newton method converges at a global linear rate with the exact Hessian and
/// with the weighted Gauss–Newton approximation alike. The setting is the official notebook's
/// (`notebooks/examples.ipynb`): n = m = 1000, μ = 1, A and b uniform in [−1, 1], rows shifted so
/// that x* = 0, x0 = 1, the metric B = AᵀA of the unshifted matrix, stop at f − f* < 10⁻⁸. The
/// random numbers are SoftmaxKit's seeded generator, not NumPy's: the same distribution, not the
/// same draws.
public enum GNSExperiment {
    /// The problem's sizes and the solver's limits.
    public struct Setup: Sendable, Codable {
        /// Dimension n (columns of A).
        public var n = 1000
        /// Number of linear functions m (rows of A).
        public var m = 1000
        /// μ.
        public var mu = 1.0
        /// Seed of A and b.
        public var seed: UInt64 = 3124
        /// Outer iterations at most.
        public var iterations = 1000
        /// The `f − f* < ε` stop.
        public var eps = 1e-8

        /// The notebook's setting.
        public init() {}
    }

    /// One solver run.
    public struct Run: Sendable, Codable {
        /// `exact` or `approx`.
        public var hessian: String
        /// f − f* at every iterate.
        public var gap: [Double]
        /// ‖∇f‖* at every iterate.
        public var gradientNorm: [Double]
        /// γ at every iterate.
        public var gamma: [Double]
        /// Whether f − f* < ε was reached.
        public var converged: Bool
        /// Wall-clock seconds.
        public var seconds: Double

        /// The geometric mean of the per-iteration contraction `(f_{k+1} − f*)/(f_k − f*)` over the
        /// iterates above 10⁻¹² (the linear rate; below 1 means linear convergence).
        public var rate: Double? {
            let kept = gap.prefix { $0 > 1e-12 }
            guard kept.count >= 2 else { return nil }
            return pow(kept.last! / kept.first!, 1 / Double(kept.count - 1))
        }
    }

    /// The results file, `gns.json`.
    public struct Document: Sendable, Codable {
        /// Identifies the document.
        public var kind = "softmaxkit-gns"
        /// The schema version.
        public var schema = 1
        /// The setting.
        public var setup: Setup
        /// f* = μ·LSE(−b/μ).
        public var fStar: Double
        /// One run per Hessian.
        public var runs: [Run]

        /// The document as pretty-printed JSON with sorted keys.
        public func encoded() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return try encoder.encode(self)
        }

        /// Reads a document written by `encoded()`.
        public static func read(_ path: String) throws -> Document {
            guard let data = FileManager.default.contents(atPath: path) else { throw TrainingError.parameter("cannot read \(path)") }
            let document = try JSONDecoder().decode(Document.self, from: data)
            guard document.kind == "softmaxkit-gns" else { throw TrainingError.parameter("\(path) is not a softmaxkit gns document") }
            return document
        }
    }

    /// Runs the exact and the approximate Hessian on the zero-optimum LogSumExp problem of `setup`.
    public static func run(_ setup: Setup, progress: (String) -> Void = { _ in }) throws -> Document {
        guard setup.n >= 1, setup.m >= 1, setup.mu > 0, setup.iterations >= 0 else {
            throw TrainingError.parameter("gns: n and m must be ≥ 1, mu > 0 and iterations ≥ 0")
        }
        try MemoryBudget.require([(factors: [setup.m, setup.n], elementBytes: 16), (factors: [setup.n, setup.n], elementBytes: 40)], for: "--n × --m")
        var g = SeededGenerator(seed: setup.seed)
        let (m, n) = (setup.m, setup.n)
        let raw = (0..<(m * n)).map { _ in Double(g.next() >> 11) / Double(1 << 53) * 2 - 1 }
        let b = (0..<m).map { _ in Double(g.next() >> 11) / Double(1 << 53) * 2 - 1 }
        // Zero optimum: every row minus ∇f(0), so that ∇f(0) = 0 (create_log_sum_exp_zero_oracle).
        let g0 = SoftmaxProblem.logsumexp.evaluate(a: raw, b: b, x: [Double](repeating: 0, count: n), mu: setup.mu, hessian: false, approximation: false)
        let a = (0..<(m * n)).map { raw[$0] - g0.gradient[$0 % n] }
        let fStar = SoftmaxProblem.logsumexp.evaluate(a: a, b: b, x: [Double](repeating: 0, count: n), mu: setup.mu, hessian: false, approximation: false).value
        var metric = [Double](repeating: 0, count: n * n)
        for i in 0..<m { for p in 0..<n where raw[i * n + p] != 0 { for q in 0..<n { metric[p * n + q] += raw[i * n + p] * raw[i * n + q] } } }
        guard let factor = DenseCholesky(metric, n: n) else {
            throw TrainingError.parameter("gns: AᵀA is singular for n = \(n), m = \(m) (take m ≥ n)")
        }
        var runs: [Run] = []
        for approximate in [false, true] {
            var o = GradientNormalizedNewton.Options()
            o.approximateHessian = approximate
            o.iterations = setup.iterations
            o.eps = setup.eps
            o.fStar = fStar
            let start = Date()
            let r = GradientNormalizedNewton.minimize(
                .logsumexp, a: a, b: b, x0: [Double](repeating: 1, count: n), mu: setup.mu, metric: metric, metricFactor: factor, options: o)
            let run = Run(
                hessian: approximate ? "approx" : "exact", gap: r.valueTrace.map { $0 - fStar }, gradientNorm: r.gradientNormTrace, gamma: r.gammaTrace,
                converged: r.converged, seconds: Date().timeIntervalSince(start))
            progress("gns: \(run.hessian) Hessian: \(r.iterations) iterations, f − f* = \(run.gap.last ?? .nan), \(String(format: "%.1f", run.seconds)) s")
            runs.append(run)
        }
        return Document(setup: setup, fStar: fStar, runs: runs)
    }

    /// f − f* against the iteration, both Hessians, log scale.
    public static func svg(_ d: Document) -> String {
        LinePlot.svg(
            d.runs.enumerated().map { i, r in
                LinePlot.Series(label: "\(r.hessian) Hessian", points: r.gap.enumerated().map { (Double($0), $1) }, dashed: i == 1, colour: i)
            },
            title: "Gradient-regularised Newton on LogSumExp (n = \(d.setup.n), m = \(d.setup.m), μ = \(d.setup.mu))",
            xLabel: "iteration", yLabel: "f − f*", logY: true, logX: false)
    }
}
