import SoftmaxKit

/// A named, seeded set of arguments for element-wise functions (GELU, SiLU, exp approximations).
public struct ActivationWorkload: Sendable {
    /// How the arguments are drawn.
    public enum Distribution: Sendable, Equatable {
        /// `count` evenly spaced points covering [lower, upper].
        case grid(lower: Double, upper: Double)
        case gaussian(sigma: Double)
        case uniform(lower: Double, upper: Double)
    }

    /// The name the lab's tables and JSON use.
    public let name: String
    /// How the arguments are drawn.
    public let distribution: Distribution
    /// The seed of the generator, so every run draws the same arguments.
    public let seed: UInt64

    /// A workload drawing from `distribution` with `seed`, reported as `name`.
    public init(name: String, distribution: Distribution, seed: UInt64) {
        self.name = name
        self.distribution = distribution
        self.seed = seed
    }

    /// `count` arguments, the same ones for the same seed.
    public func values(count: Int) -> [Double] {
        var g = SeededGenerator(seed: seed)
        switch distribution {
        case let .grid(lower, upper):
            return (0..<count).map { lower + (upper - lower) * Double($0) / Double(max(count - 1, 1)) }
        case let .gaussian(sigma): return (0..<count).map { _ in sigma * g.normal() }
        case let .uniform(lower, upper): return (0..<count).map { _ in Double.random(in: lower...upper, using: &g) }
        }
    }

    /// The default arguments for a reference function: GELU/SiLU on [−8, 8] (where the
    /// approximations' claims are made), Gaussian inputs like pre-activations, and a wide range;
    /// exp on the arguments a max-shifted softmax feeds it.
    public static func lab(for reference: ReferenceFunction) -> [ActivationWorkload] {
        switch reference {
        case .exp:
            return [
                ActivationWorkload(name: "grid [-20,0]", distribution: .grid(lower: -20, upper: 0), seed: 200),
                ActivationWorkload(name: "uniform [-87,0]", distribution: .uniform(lower: -87, upper: 0), seed: 201),
            ]
        default:
            return [
                ActivationWorkload(name: "grid [-8,8]", distribution: .grid(lower: -8, upper: 8), seed: 210),
                ActivationWorkload(name: "gaussian σ=1", distribution: .gaussian(sigma: 1), seed: 211),
                ActivationWorkload(name: "gaussian σ=3", distribution: .gaussian(sigma: 3), seed: 212),
                ActivationWorkload(name: "uniform [-30,30]", distribution: .uniform(lower: -30, upper: 30), seed: 213),
            ]
        }
    }
}
