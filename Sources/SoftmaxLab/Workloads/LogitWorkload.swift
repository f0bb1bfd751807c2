import SoftmaxKit

/// A named, seeded distribution of logit rows: what normalizer accuracy is measured on.
public struct LogitWorkload: Sendable {
    /// How each row's logits are drawn.
    public enum Distribution: Sendable, Equatable {
        /// N(0, σ²) entries.
        case gaussian(sigma: Double)
        /// Uniform in [lower, upper] (e.g. [90, 100], where a naive exp overflows in float32).
        case uniform(lower: Double, upper: Double)
        /// N(0, 1) with a fraction of entries multiplied by `factor`.
        case outliers(fraction: Double, factor: Double)
        /// N(0, σ²) with a fraction of entries masked (−∞), as padding or causal masks leave them.
        case masked(fraction: Double, sigma: Double)
        /// Synthetic rows shaped like BERT attention scores (`AttentionScoreShape`).
        case attention(AttentionScoreShape)
        /// Rows recorded elsewhere (an `.npy` file): used as they are, whatever the lengths asked.
        case recorded(rows: Int, cols: Int, values: [Double])
    }

    /// The name the lab's tables and JSON use.
    public let name: String
    /// How each row's logits are drawn.
    public let distribution: Distribution
    /// The seed of the generator, so every run draws the same rows.
    public let seed: UInt64

    /// A workload drawing from `distribution` with `seed`, reported as `name`.
    public init(name: String, distribution: Distribution, seed: UInt64) {
        self.name = name
        self.distribution = distribution
        self.seed = seed
    }

    /// `rows × cols` values, row-major (recorded workloads return their own rows).
    public func values(rows: Int, cols: Int) -> [Double] {
        var g = SeededGenerator(seed: seed &+ UInt64(rows &* 1_000_003 &+ cols))
        switch distribution {
        case let .recorded(_, _, values): return values
        case let .attention(shape): return (0..<rows).flatMap { _ in shape.row(cols, using: &g) }
        default: break
        }
        return (0..<(rows * cols)).map { _ in
            switch distribution {
            case let .gaussian(sigma): return sigma * g.normal()
            case let .uniform(lower, upper): return Double.random(in: lower...upper, using: &g)
            case let .outliers(fraction, factor):
                return g.normal() * (Double.random(in: 0..<1, using: &g) < fraction ? factor : 1)
            case let .masked(fraction, sigma):
                return Double.random(in: 0..<1, using: &g) < fraction ? -.infinity : sigma * g.normal()
            case .attention, .recorded: preconditionFailure("handled above")
            }
        }
    }

    /// The batches this workload contributes at row lengths `lengths`, each about
    /// `elementsPerCase` elements (at least 2 rows): `(rows, cols, values)`.
    public func batches(lengths: [Int], elementsPerCase: Int) -> [(rows: Int, cols: Int, values: [Double])] {
        if case let .recorded(rows, cols, values) = distribution { return [(rows, cols, values)] }
        return lengths.map { n in
            let rows = max(2, elementsPerCase / max(n, 1))
            return (rows, n, values(rows: rows, cols: n))
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

    /// The lab's default workloads for comparing normalizers.
    public static let lab: [LogitWorkload] =
        [0.5, 1, 3, 10, 30].enumerated().map { k, sigma in
            LogitWorkload(
                name: "gaussian σ=\(sigma == sigma.rounded() ? String(Int(sigma)) : String(sigma))",
                distribution: .gaussian(sigma: sigma), seed: 100 + UInt64(k))
        } + [
            LogitWorkload(name: "uniform [-8,8]", distribution: .uniform(lower: -8, upper: 8), seed: 110),
            LogitWorkload(name: "hostile [90,100]", distribution: .uniform(lower: 90, upper: 100), seed: 111),
            LogitWorkload(name: "outliers ×20", distribution: .outliers(fraction: 0.01, factor: 20), seed: 112),
            LogitWorkload(name: "masked 50% (σ=3)", distribution: .masked(fraction: 0.5, sigma: 3), seed: 113),
            LogitWorkload(name: "attention layer 0", distribution: .attention(.firstLayer), seed: 114),
            LogitWorkload(name: "attention later layers", distribution: .attention(.laterLayers), seed: 115),
        ]

    /// The row lengths of the lab's default run.
    public static let labLengths = [16, 128, 1024, 49152]
}

/// Synthetic rows shaped like the attention scores of a BERT encoder, until recorded ones are
/// at hand: per row a random centre and spread, a few "sink" positions well above the rest (the
/// [CLS]/[SEP] tokens attention concentrates on), clipped to the span seen in practice — layer 0
/// spans −54 … 49 with row ranges up to 100; later layers −23 … 14.
public struct AttentionScoreShape: Sendable, Equatable {
    /// Range of each row's centre (its typical score).
    public var centre: ClosedRange<Double>
    /// Range of each row's standard deviation around its centre.
    public var spread: ClosedRange<Double>
    /// Range of how far the sink positions sit above the centre.
    public var sinkBoost: ClosedRange<Double>
    /// The interval every score is clipped to.
    public var span: ClosedRange<Double>

    /// The shape of layer-0 scores: wide rows, strong sinks, span −54 … 49.
    public static let firstLayer = AttentionScoreShape(centre: -5...5, spread: 1...16, sinkBoost: 5...30, span: -54...49)
    /// The shape of later layers' scores: narrower rows and weaker sinks, span −23 … 14.
    public static let laterLayers = AttentionScoreShape(centre: -3...2, spread: 0.5...4, sinkBoost: 2...10, span: -23...14)

    func row(_ n: Int, using g: inout SeededGenerator) -> [Double] {
        let mu = Double.random(in: centre, using: &g), sigma = Double.random(in: spread, using: &g)
        var row = (0..<n).map { _ in mu + sigma * g.normal() }
        for _ in 0..<min(n, 2) {
            let k = Int.random(in: 0..<n, using: &g)
            row[k] = (row.max() ?? mu) + Double.random(in: sinkBoost, using: &g)
        }
        return row.map { min(max($0, span.lowerBound), span.upperBound) }
    }
}
