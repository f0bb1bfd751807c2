/// The edge contract — how every distribution-valued method treats special rows — for the rows
/// the fast paths leave: any NaN, any +∞, or no finite element. Rows with finite maxima and a
/// finite sum never come here.
///
/// | row | probabilities | log-probabilities | logsumexp |
/// |---|---|---|---|
/// | contains NaN | all NaN | all NaN | NaN |
/// | k entries +∞ | 1/k there, 0 elsewhere | −log k there, −∞ elsewhere | +∞ |
/// | all −∞ (fully masked) | all 0 | all −∞ | −∞ |
///
/// Returns the row's logsumexp. `x` and `y` may be the same memory. Element `i` of the row is at
/// `x + i·stride` (and `y + i·stride`): 1 for a row of its own, the row spacing for a column
/// (`ColumnSoftmax`).
@inline(never)
@usableFromInline
func rowEdgeCase<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, stride: Int = 1, output: RowOutput
) -> Double {
    var hasNaN = false
    var infinities = 0
    for i in 0..<n {
        let v = x[i * stride]
        if v.isNaN { hasNaN = true; break }
        if v == .infinity { infinities += 1 }
    }
    if hasNaN {
        if output != .nothing { for i in 0..<n { y[i * stride] = .nan } }
        return .nan
    }
    if infinities > 0 {
        let share = T(1) / T(infinities)
        let logShare = -T.scalarLog(T(infinities))
        switch output {
        case .probabilities: for i in 0..<n { y[i * stride] = x[i * stride] == .infinity ? share : 0 }
        case .logProbabilities: for i in 0..<n { y[i * stride] = x[i * stride] == .infinity ? logShare : -.infinity }
        case .nothing: break
        }
        return .infinity
    }
    switch output {
    case .probabilities: for i in 0..<n { y[i * stride] = 0 }
    case .logProbabilities: for i in 0..<n { y[i * stride] = -.infinity }
    case .nothing: break
    }
    return -.infinity
}
