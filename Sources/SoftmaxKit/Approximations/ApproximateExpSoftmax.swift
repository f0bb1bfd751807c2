/// Three-pass softmax with a cheap exponential: `yᵢ = E(xᵢ/T − m) / Σⱼ E(xⱼ/T − m)`,
/// `m = max x/T`, for any `ExponentialApproximation` E (the `exp` parameter of `softmax`).
///
/// The passes are those of the exact three-pass-reload kernel (max; exponentials stored to `y`
/// and summed in vector accumulators per 4096-element block, then in Double; scale by the
/// reciprocal), so the lab's speed figures isolate the cost of the exponential. Rows come out
/// summing to 1 whatever E's error: the error shows in the ratios between outputs.
public struct ApproximateExpSoftmaxKernel<E: ExponentialApproximation>: RowKernel {
    public let exponential: E
    /// 1/T.
    public let inverseTemperature: Double

    public init(_ exponential: E, temperature: Double = 1) {
        self.exponential = exponential
        self.inverseTemperature = 1 / temperature
    }

    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    @inline(__always)
    private func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        let lanes = T.lanes
        let s = T(inverseTemperature)
        let sv = T.Vector(repeating: s), mv = T.Vector(repeating: rowMaximum(x, count: n) * s)
        @inline(__always) func e(_ v: T.Vector) -> T.Vector { exponential.vector(v * sv - mv, as: T.self) }
        var total = 0.0
        var start = 0
        while start < n {
            let end = min(n, start + blockElements)
            var s0 = T.Vector(), s1 = T.Vector()
            var i = start
            while i + 2 * lanes <= end {
                let e0 = e(T.load(x + i)), e1 = e(T.load(x + i + lanes))
                T.store(e0, to: y + i)
                T.store(e1, to: y + i + lanes)
                s0 += e0
                s1 += e1
                i += 2 * lanes
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
            total += Double(T.horizontalSum(s0 + s1))
            start = end
        }
        let r = T.Vector(repeating: T(1 / total))
        rowMap(UnsafePointer(y), y, count: n, streaming: false, fill: 0) { $0 * r }
    }
}
