/// Three-pass softmax with a cheap exponential: `yᵢ = E(xᵢ/T − m) / Σⱼ E(xⱼ/T − m)`,
/// `m = max x/T`, for the `exp` parameter of `softmax` (every `ExponentialVariant` but `exact`).
///
/// The passes are those of the exact three-pass-reload kernel (max; exponentials stored to `y`
/// and summed in vector accumulators per 4096-element block, then in Double; scale by the
/// reciprocal), so the lab's speed figures isolate the cost of the exponential. Rows come out
/// summing to 1 whatever E's error: the error shows in the ratios between outputs. Edge-contract rows
/// are found on the way (a non-finite maximum, a NaN sum) and handled as by the exact kernels.
///
/// The exponential is chosen once per row by a `switch`, each case calling the row loop with a
/// concrete `ExponentialApproximation`, so every loop is specialized with the exponential inlined.
public struct ApproximateExpSoftmaxKernel: RowKernel {
    enum Exponential: Sendable {
        case schraudolph(SchraudolphExponential)
        case polynomial(PolynomialExponential)
        case base2(Base2Exponential)
        case limit(LimitExponential)
        case kernel(KernelExponential)
    }

    let exponential: Exponential
    /// 1/T.
    public let inverseTemperature: Double

    /// True: the method applies the edge contract to ±∞ and NaN rows itself.
    public var handlesSpecialRows: Bool { true }

    /// - Precondition: `variant` is not `.exact` (that is `ExactSoftmax`), `temperature` > 0.
    public init(_ variant: ExponentialVariant, temperature: Double = 1) {
        switch variant {
        case .exact: preconditionFailure("ApproximateExpSoftmaxKernel: the exact exponential is ExactSoftmax")
        case .schraudolph: exponential = .schraudolph(SchraudolphExponential())
        case let .polynomial(degree): exponential = .polynomial(PolynomialExponential(degree: degree))
        case .base2: exponential = .base2(Base2Exponential())
        case let .limit(n): exponential = .limit(LimitExponential(iterations: n))
        }
        inverseTemperature = 1 / temperature
    }

    /// PUMA's softmax (`PumaSoftmaxKernel`): the limit form with `iterations` squarings, or the
    /// kernel exponential (`exact`), each dropping arguments ≤ `clip`.
    init(limitIterations iterations: Int, clip: Double, exact: Bool) {
        exponential = exact ? .kernel(KernelExponential(clip: clip)) : .limit(LimitExponential(iterations: iterations, clip: clip))
        inverseTemperature = 1
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        dispatch(x, y, count: n)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        dispatch(x, y, count: n)
    }

    @inline(__always)
    private func dispatch<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        let s = T(inverseTemperature)
        switch exponential {
        case let .schraudolph(e): Self.row(x, y, count: n, inverseTemperature: s, e)
        case let .polynomial(e): Self.row(x, y, count: n, inverseTemperature: s, e)
        case let .base2(e): Self.row(x, y, count: n, inverseTemperature: s, e)
        case let .limit(e): Self.row(x, y, count: n, inverseTemperature: s, e)
        case let .kernel(e): Self.row(x, y, count: n, inverseTemperature: s, e)
        }
    }

    /// One row. Not inlined into `dispatch`: each specialization is its own function, small
    /// enough that the vector loads and stores inside are inlined (one function holding all four
    /// exhausted the inliner's budget and called `storeBytes` per vector).
    @inline(never)
    static func row<T: KernelScalar, E: ExponentialApproximation>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, inverseTemperature s: T, _ exponential: E
    ) {
        // Edge-contract rows: a non-finite maximum (+∞, all −∞) here, NaN through the sum below.
        let m = rowMaximum(x, count: n) * s
        guard m.isFinite else {
            _ = rowEdgeCase(x, y, count: n, output: .probabilities)
            return
        }
        if n == 1 {  // E(0)·(1/E(0)) need not round to 1 when E(0) ≠ 1 (polynomials); the edge contract wants [1]
            y[0] = 1
            return
        }
        // Pass 2 is the exact kernels' own loop (`rowSumExp`) with the cheap exponential plugged in.
        let total = rowSumExp(x, storingTo: y, count: n, ShiftedApproximation<T, E>(exponential), scale: s == 1 ? nil : s, scaledMaximum: m)
        guard !total.isNaN else {
            _ = rowEdgeCase(x, y, count: n, output: .probabilities)
            return
        }
        let r = T.Vector(repeating: T(1 / total))
        rowMap(UnsafePointer(y), y, count: n, streaming: false, fill: 0) { $0 * r }
    }
}

/// A cheap exponential as the exact kernels' `ShiftedExponential`: `E(x·s − m)`.
struct ShiftedApproximation<T: KernelScalar, E: ExponentialApproximation>: ShiftedExponential {
    typealias Scalar = T
    let exponential: E

    init(_ exponential: E) { self.exponential = exponential }

    @inline(__always)
    func apply(_ x: T.Vector, scale s: T.Vector?, maximum m: T.Vector) -> T.Vector {
        exponential.vector(T.scaled(x, by: s) - m, as: T.self)
    }
}
