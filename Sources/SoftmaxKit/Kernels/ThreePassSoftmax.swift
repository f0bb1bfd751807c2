#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Three-pass softmax, the scheme of XNNPACK's production operator and of PyTorch's CPU kernel.
///
/// ```
/// pass 1 (read x):            m = maxᵢ xᵢ/T
/// pass 2 (read x):            d = Σᵢ e^{xᵢ/T − m}            reload: also store eᵢ to y
/// pass 3 reload (read y):     yᵢ ← yᵢ / d
/// pass 3 recompute (read x):  yᵢ = e^{xᵢ/T − m} / d
/// ```
/// Reload trades a second exponential for a re-read of `y` (cheap while a row fits in cache);
/// recompute never reads `y`, so with streaming stores its output bypasses the caches entirely.
/// Subtracting the maximum keeps every exponent ≤ 0: no overflow for any finite input.
/// The rounding error of `xᵢ/T − m` is compensated (`KernelScalar.expShifted`). Log-probabilities
/// are `(xᵢ/T − m) − log d`, exact for the largest entries (no cancellation between large numbers).
/// `x/T` is computed as `x·(1/T)`, one rounding, as frameworks scale logits before the softmax.
@usableFromInline
enum ThreePassSoftmax {
    @inlinable @inline(__always)
    static func row<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, inverseTemperature s: T,
        output: RowOutput, reload: Bool, streaming: Bool
    ) -> RowStatistics {
        // Pass 1: the extrema. A non-finite maximum means +∞, all −∞ or all NaN: the edge contract handles it.
        let (rawMaximum, rawMinimum) = rowExtrema(x, count: n)
        let m = rawMaximum * s
        guard m.isFinite else { return .special(rowEdgeCase(x, y, count: n, output: output)) }
        // Four specializations: compensated or not, and T = 1 (no multiply) or not.
        let scale: T? = s == 1 ? nil : s
        if needsCompensation(range: (rawMaximum - rawMinimum) * s) {
            if scale == nil {
                return passes2and3(x, y, count: n, scale: nil, scaledMaximum: m, output: output, reload: reload,
                                   streaming: streaming, CompensatedExponential<T>())
            }
            return passes2and3(x, y, count: n, scale: scale, scaledMaximum: m, output: output, reload: reload,
                               streaming: streaming, CompensatedExponential<T>())
        }
        if scale == nil {
            return passes2and3(x, y, count: n, scale: nil, scaledMaximum: m, output: output, reload: reload,
                               streaming: streaming, PlainExponential<T>())
        }
        return passes2and3(x, y, count: n, scale: scale, scaledMaximum: m, output: output, reload: reload,
                           streaming: streaming, PlainExponential<T>())
    }

    /// Passes 2 and 3 with a given `e^{x·s − m}`.
    @inlinable @inline(__always)
    static func passes2and3<T: KernelScalar, E: ShiftedExponential>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scale s: T?, scaledMaximum m: T,
        output: RowOutput, reload: Bool, streaming: Bool, _ exponential: E
    ) -> RowStatistics where E.Scalar == T {
        let mv = T.Vector(repeating: m), sv = s.map { T.Vector(repeating: $0) }
        let storeExponentials = reload && output == .probabilities
        // Log-probabilities store x·s − m in pass 2 unless the output must not be written before pass 3
        // (streaming stores) — the same rounding either way, so the results are identical.
        let storeArguments = output == .logProbabilities && !streaming
        // Pass 2: the sum of exponentials (NaN inputs make it NaN).
        let d = rowSumExp(x, storingTo: storeExponentials || storeArguments ? y : nil, storingArguments: storeArguments,
                          count: n, exponential, scale: s, scaledMaximum: m)
        guard !d.isNaN else { return .special(rowEdgeCase(x, y, count: n, output: output)) }
        // Pass 3: normalize.
        switch output {
        case .probabilities:
            let r = T.Vector(repeating: T(1 / d))
            if storeExponentials {
                rowMap(UnsafePointer(y), y, count: n, streaming: streaming, fill: 0) { $0 * r }
            } else {
                rowMap(x, y, count: n, streaming: streaming, fill: -.infinity) { exponential.apply($0, scale: sv, maximum: mv) * r }
            }
        case .logProbabilities:
            // In Float, log d (d ∈ [1, n]) is taken in Float: ≤ 1 ULP + 6·10⁻⁸ absolute, inside the
            // 10⁻⁶·max(1, |y|) bound, and half the cost of the Double logarithm on short rows.
            let logD = T.Vector(repeating: T.self == Float.self ? T(logf(Float(d))) : T(log(d)))
            if storeArguments {
                rowMap(UnsafePointer(y), y, count: n, streaming: false, fill: 0) { $0 - logD }
            } else {
                rowMap(x, y, count: n, streaming: streaming, fill: -.infinity) { v in ((sv.map { v * $0 } ?? v) - mv) - logD }
            }
        case .nothing:
            break
        }
        return .shifted(maximum: Double(m), sum: d)
    }
}
