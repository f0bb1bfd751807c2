/// A cheap stand-in for `eˣ` on `x ≤ 0` (the arguments of a max-shifted softmax), evaluated on a
/// whole vector. Every approximation maps `−∞` and arguments below its cutoff to exactly 0, so
/// masked positions and the padded lanes of a row's tail contribute nothing, and passes NaN
/// through, so a NaN row is caught by its sum (the edge contract).
///
/// Implemented per concrete vector type (comparisons and bit tricks stay out of generic code, see
/// `KernelScalar`); `callAsFunction(vector:)` picks the one for `T` at compile time.
public protocol ExponentialApproximation: Sendable {
    func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float>
    func callAsFunction(_ x: SIMD8<Double>) -> SIMD8<Double>
}

extension ExponentialApproximation {
    /// The approximation on a `T.Vector` (the branch folds away after specialization).
    @inline(__always)
    func vector<T: KernelScalar>(_ x: T.Vector, as: T.Type) -> T.Vector {
        if T.self == Float.self {
            return unsafeBitCast(self(unsafeBitCast(x, to: SIMD16<Float>.self)), to: T.Vector.self)
        }
        return unsafeBitCast(self(unsafeBitCast(x, to: SIMD8<Double>.self)), to: T.Vector.self)
    }
}

/// The exponential chosen by the `exp` parameter of `softmax`: the exact kernels' own, or a cheap
/// one from the hardware and secure-inference literature.
public enum ExponentialVariant: Sendable, Equatable {
    /// The exact kernels (`ExactSoftmax`), ≤ 2 ULP.
    case exact
    /// Schraudolph's bit trick (`SchraudolphExponential`).
    case schraudolph
    /// A degree-`d` polynomial on the reduced argument, `d` ∈ 1…4 (`PolynomialExponential`).
    case polynomial(degree: Int)
    /// Base 2: `2^{x−m}` in place of `e^{x−m}` (`Base2Exponential`).
    case base2
    /// The limit form `(1 + x/2ⁿ)^(2ⁿ)` (`LimitExponential`).
    case limit(iterations: Int)

    /// The variant `choice` names, with `iterations` for `limit`.
    public init(_ choice: ExponentialChoice, iterations: Int) {
        switch choice {
        case .exact: self = .exact
        case .schraudolph: self = .schraudolph
        case .poly1: self = .polynomial(degree: 1)
        case .poly2: self = .polynomial(degree: 2)
        case .poly3: self = .polynomial(degree: 3)
        case .poly4: self = .polynomial(degree: 4)
        case .base2: self = .base2
        case .limit: self = .limit(iterations: iterations)
        }
    }
}

/// The spellings of `softmax`'s `exp` parameter, one per `ExponentialVariant` (the limit form's
/// iteration count is a parameter of its own).
public enum ExponentialChoice: String, CaseIterable, Sendable {
    case exact, schraudolph, poly1, poly2, poly3, poly4, base2, limit

    /// How close `softmax` with this exponential stays to the exact softmax (at `exp_iters` = 5
    /// for `limit`); base 2 is a different function, a replacement.
    public var accuracy: AccuracyBudget {
        switch self {
        case .exact: .exact
        case .poly4: .within(2e-6)
        case .poly3: .within(6e-5)
        case .poly2: .within(1e-3)
        case .poly1: .within(2.5e-2)
        case .schraudolph: .within(2e-2)
        case .limit: .within(0.25)
        case .base2: .replacement
        }
    }
}
