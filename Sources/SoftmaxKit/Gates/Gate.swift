/// The gate role: token rows and a router → expert weights, one row of `E` weights per token.
///
/// Every registered gate (`MethodRegistry.gate(_:parameters:)`) is one; a mixture-of-experts layer
/// calls it once per batch of tokens.
public protocol Gate: Sendable {
    /// Weights `[rows, router.experts]`, row-major, for token rows `x` (`rows × dim`).
    func weights(_ x: [Double], rows: Int, dim: Int, router: GateRouter) throws -> [Double]
}

/// A linear router: scores `s = β₁x + β₀` (β₁: `experts × dim`, row-major; β₀: `experts` or none).
public struct GateRouter: Sendable {
    /// β₁, `experts × dim`, row-major.
    public var b1: [Double]
    /// The number of experts E.
    public var experts: Int
    /// β₀, one bias per expert, or nil for none.
    public var b0: [Double]?

    /// A router with weights `b1` and biases `b0`.
    public init(b1: [Double], experts: Int, b0: [Double]? = nil) {
        self.b1 = b1
        self.experts = experts
        self.b0 = b0
    }
}

extension MixtureGates.Kind: Gate {
    /// The gate of this kind over `router`'s scores (`MixtureGates.gate`).
    public func weights(_ x: [Double], rows: Int, dim: Int, router: GateRouter) throws -> [Double] {
        try MixtureGates.gate(x: x, rows: rows, dim: dim, b1: router.b1, experts: router.experts, b0: router.b0, kind: self)
    }
}
