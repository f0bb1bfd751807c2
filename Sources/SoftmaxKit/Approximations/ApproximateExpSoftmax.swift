/// Three-pass softmax with a cheap exponential: `yᵢ = E(xᵢ/T − m) / Σⱼ E(xⱼ/T − m)`,
/// `m = max x/T`, for the `exp` parameter of `softmax` (every `ExponentialVariant` but `exact`).
///
/// The passes are those of the exact three-pass-reload kernel (max; exponentials stored to `y`
/// and summed in vector accumulators per 4096-element block, then in Double; scale by the
/// reciprocal), so the lab's speed figures isolate the cost of the exponential. Rows come out
/// summing to 1 whatever E's error: the error shows in the ratios between outputs. Spec §0 rows
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

    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        dispatch(x, y, count: n)
    }

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

    /// `Σ E(xᵢ·s − m)`, storing each term to `y`: the loop of the exact kernels' `rowSumExp`
    /// (four vectors per step, four accumulators, a Double total per 4096-element block), with
    /// the multiply skipped at T = 1 (`scale` nil).
    @inline(__always)
    static func sumStoring<T: KernelScalar, E: ExponentialApproximation>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scale: T?, maximum m: T, _ exponential: E
    ) -> Double {
        let lanes = T.lanes
        let sv = scale.map { T.Vector(repeating: $0) }, mv = T.Vector(repeating: m)
        @inline(__always) func e(_ v: T.Vector) -> T.Vector { exponential.vector((sv.map { v * $0 } ?? v) - mv, as: T.self) }
        var total = 0.0
        var start = 0
        while start < n {
            let end = min(n, start + blockElements)
            var s0 = T.Vector(), s1 = T.Vector(), s2 = T.Vector(), s3 = T.Vector()
            var i = start
            while i + 4 * lanes <= end {
                let e0 = e(T.load(x + i)), e1 = e(T.load(x + i + lanes))
                let e2 = e(T.load(x + i + 2 * lanes)), e3 = e(T.load(x + i + 3 * lanes))
                T.store(e0, to: y + i)
                T.store(e1, to: y + i + lanes)
                T.store(e2, to: y + i + 2 * lanes)
                T.store(e3, to: y + i + 3 * lanes)
                s0 += e0; s1 += e1; s2 += e2; s3 += e3
                i += 4 * lanes
            }
            while i + lanes <= end {
                let e0 = e(T.load(x + i))
                T.store(e0, to: y + i)
                s0 += e0
                i += lanes
            }
            if i < end {
                let e0 = e(loadPartial(x + i, count: end - i, fill: -.infinity))
                storePartial(e0, to: y + i, count: end - i)
                s1 += e0
            }
            total += Double(T.horizontalSum((s0 + s1) + (s2 + s3)))
            start = end
        }
        return total
    }

    /// One row. Not inlined into `dispatch`: each specialization is its own function, small
    /// enough that the vector loads and stores inside are inlined (one function holding all four
    /// exhausted the inliner's budget and called `storeBytes` per vector).
    @inline(never)
    static func row<T: KernelScalar, E: ExponentialApproximation>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, inverseTemperature s: T, _ exponential: E
    ) {
        // §0 rows: a non-finite maximum (+∞, all −∞) here, NaN through the sum below.
        let m = rowMaximum(x, count: n) * s
        guard m.isFinite else {
            _ = rowEdgeCase(x, y, count: n, output: .probabilities)
            return
        }
        if n == 1 {  // E(0)·(1/E(0)) need not round to 1 when E(0) ≠ 1 (polynomials); §0 wants [1]
            y[0] = 1
            return
        }
        let total = s == 1 ? sumStoring(x, y, count: n, scale: nil, maximum: m, exponential)
            : sumStoring(x, y, count: n, scale: s, maximum: m, exponential)
        guard !total.isNaN else {
            _ = rowEdgeCase(x, y, count: n, output: .probabilities)
            return
        }
        let r = T.Vector(repeating: T(1 / total))
        rowMap(UnsafePointer(y), y, count: n, streaming: false, fill: 0) { $0 * r }
    }
}
