/// A named, seeded distribution of logit rows: what accuracy is measured on.
public struct LogitWorkload: Sendable {
    public enum Distribution: Sendable, Equatable {
        /// N(0, σ²) entries.
        case gaussian(sigma: Double)
        /// Uniform in [lower, upper] (e.g. [90, 100], where a naive exp overflows in float32).
        case uniform(lower: Double, upper: Double)
        /// N(0, 1) with a fraction of entries multiplied by `factor`.
        case outliers(fraction: Double, factor: Double)
    }

    public let name: String
    public let distribution: Distribution
    public let seed: UInt64

    public init(name: String, distribution: Distribution, seed: UInt64) {
        self.name = name
        self.distribution = distribution
        self.seed = seed
    }

    /// `rows × cols` values, row-major.
    public func values(rows: Int, cols: Int) -> [Double] {
        var g = SeededGenerator(seed: seed &+ UInt64(rows &* 1_000_003 &+ cols))
        return (0..<(rows * cols)).map { _ in
            switch distribution {
            case let .gaussian(sigma): return sigma * g.normal()
            case let .uniform(lower, upper): return Double.random(in: lower...upper, using: &g)
            case let .outliers(fraction, factor):
                return g.normal() * (Double.random(in: 0..<1, using: &g) < fraction ? factor : 1)
            }
        }
    }

    /// The workloads the exact kernels' accuracy bounds are stated for.
    public static let standard: [LogitWorkload] = [
        LogitWorkload(name: "gaussian σ=1", distribution: .gaussian(sigma: 1), seed: 1),
        LogitWorkload(name: "gaussian σ=10", distribution: .gaussian(sigma: 10), seed: 2),
        LogitWorkload(name: "gaussian σ=100", distribution: .gaussian(sigma: 100), seed: 3),
        LogitWorkload(name: "uniform [90,100]", distribution: .uniform(lower: 90, upper: 100), seed: 4),
        LogitWorkload(name: "outliers ×20", distribution: .outliers(fraction: 0.01, factor: 20), seed: 5),
    ]
}
