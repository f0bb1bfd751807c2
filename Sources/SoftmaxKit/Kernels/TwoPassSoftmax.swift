import _SoftmaxShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two-pass state of a row: `Σ eᵢ = mantissaSum · 2^exponentSum`, with `exponentSum = maxᵢ nᵢ`
/// and `mantissaSum = Σᵢ mᵢ·2^{nᵢ − exponentSum}`. `(0, −∞)` for a row with no
/// finite entry.
public struct ExtendedSum: Sendable, Equatable {
    /// M: the sum's mantissa part.
    public var mantissaSum: Double
    /// N: the sum's exponent, `Σ e^x = M·2^N`.
    public var exponentSum: Double

    /// A state; the default is the empty row's.
    public init(mantissaSum: Double = 0, exponentSum: Double = -.infinity) {
        self.mantissaSum = mantissaSum
        self.exponentSum = exponentSum
    }

    /// `log Σ eᵢ = exponentSum·ln2 + log mantissaSum`.
    public var logSumExp: Double {
        let (hi, lo) = logSumExpParts
        return hi + lo
    }

    /// `logSumExp` as an unevaluated sum `hi + lo` (about 70 significant bits): `exponentSum·ln2`
    /// is large when the inputs are, and a plain Double product would lose more than the 10⁻¹⁴
    /// the Double kernels promise. `ln2` is split so that `exponentSum·ln2Hi` is exact for
    /// |exponentSum| < 2²¹.
    public var logSumExpParts: (hi: Double, lo: Double) {
        if mantissaSum == 0 { return (-.infinity, 0) }
        if !exponentSum.isFinite || !mantissaSum.isFinite { return (exponentSum * M_LN2 + log(mantissaSum), 0) }
        // ln2 = ln2Hi + ln2Mid + ln2Lo; ln2Hi has 32 significant bits.
        let ln2Hi = 0x1.62e42fefa0000p-1
        let ln2Mid = 0x1.62e42fefa39efp-1 - ln2Hi
        let ln2Lo = 2.319046813846299558e-17
        let a = exponentSum * ln2Hi
        let b = (exponentSum * ln2Mid + exponentSum * ln2Lo) + log(mantissaSum)
        let hi = a + b
        return (hi, (a - hi) + b)
    }

    /// Merges two partial sums by the same rule as elements: align to the larger exponent.
    @inlinable
    public func merged(with other: ExtendedSum) -> ExtendedSum {
        if other.mantissaSum == 0 { return self }
        if mantissaSum == 0 { return other }
        let n = Swift.max(exponentSum, other.exponentSum)
        return ExtendedSum(
            mantissaSum: mantissaSum * exp2(exponentSum - n) + other.mantissaSum * exp2(other.exponentSum - n),
            exponentSum: n)
    }
}

/// Two-pass softmax with (mantissa, exponent) accumulation: Dukhan & Ablavatski, "The Two-Pass
/// Softmax Algorithm", 2020 (arXiv 2001.04438); XNNPACK `f32-raddextexp` / `f32-vscaleextexp`.
///
/// ```
/// pass 1 (read x):           eˣⁱ = mᵢ·2^{nᵢ};  N = max nᵢ,  M = Σ mᵢ·2^{nᵢ−N}
/// pass 2 (read x, write y):  yᵢ = (mᵢ / M)·2^{nᵢ−N}
/// ```
/// No max pass and no overflow: the exponent is carried separately. Terms more than 2¹²⁷ (Float)
/// below the running maximum are flushed to 0, as in XNNPACK's AVX2 kernels. −∞ contributes 0 and
/// a row of −∞ gives zeros (the edge contract; XNNPACK's kernels give NaN there).
///
/// Domain: the magic-number rounding of `x·log₂e` needs `|x/T| < 2^(p−2)·ln2` (p = significand
/// bits: about ±1.45·10⁶ for Float). Rows outside it, and rows with NaN or +∞, are computed by
/// three-pass-recompute instead, which agrees to rounding: the result never depends on the domain.
@usableFromInline
enum TwoPassSoftmax {
    /// `2^(p−2)`: the largest |n| handled by the extended exponential.
    @inlinable @inline(__always)
    static func exponentLimit<T: KernelScalar>(_: T.Type) -> T { T(sign: .plus, exponent: T.Exponent(T.significandBitCount - 2), significand: 1) }

    /// Pass 1: the extended sum of `e^{xᵢ/T}`, or nil outside the domain / for non-finite rows.
    /// Four independent (mantissa, exponent) accumulators per block: each update waits on its
    /// accumulator's previous one (a maximum, two scalings and two multiply-adds), so a single
    /// chain would leave the vector units idle. The lanes of a block's accumulators are combined
    /// in Double with exact powers of two.
    @inlinable @inline(__always)
    static func sum<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int, inverseTemperature s: T) -> ExtendedSum? {
        let lanes = T.lanes
        let sv = T.Vector(repeating: s)
        // Clamp point for −∞ and very negative inputs: inside the rounding range, below the domain.
        let floor = T.Vector(repeating: -exponentLimit(T.self))
        let initialExponent = T.Vector(repeating: -T.greatestFiniteMagnitude)
        var total = ExtendedSum()
        var start = 0
        while start < n {
            let end = min(n, start + blockElements)
            var m0 = T.Vector(), m1 = T.Vector(), m2 = T.Vector(), m3 = T.Vector()
            var e0 = initialExponent, e1 = initialExponent, e2 = initialExponent, e3 = initialExponent
            var i = start
            // (Written out: the optimizer leaves a helper for these steps as a call per vector.)
            while i + 4 * lanes <= end {
                let v0 = T.load(x + i), v1 = T.load(x + i + lanes), v2 = T.load(x + i + 2 * lanes), v3 = T.load(x + i + 3 * lanes)
                let (a0, n0) = T.extendedExp(T.maximum(v0 * sv, floor))
                let (a1, n1) = T.extendedExp(T.maximum(v1 * sv, floor))
                let (a2, n2) = T.extendedExp(T.maximum(v2 * sv, floor))
                let (a3, n3) = T.extendedExp(T.maximum(v3 * sv, floor))
                let f0 = T.maximum(e0, n0), f1 = T.maximum(e1, n1), f2 = T.maximum(e2, n2), f3 = T.maximum(e3, n3)
                m0 = T.multiplyAdd(m0 * T.exp2NonPositiveIntegral(e0 - f0), a0, T.exp2NonPositiveIntegral(n0 - f0))
                m1 = T.multiplyAdd(m1 * T.exp2NonPositiveIntegral(e1 - f1), a1, T.exp2NonPositiveIntegral(n1 - f1))
                m2 = T.multiplyAdd(m2 * T.exp2NonPositiveIntegral(e2 - f2), a2, T.exp2NonPositiveIntegral(n2 - f2))
                m3 = T.multiplyAdd(m3 * T.exp2NonPositiveIntegral(e3 - f3), a3, T.exp2NonPositiveIntegral(n3 - f3))
                e0 = f0; e1 = f1; e2 = f2; e3 = f3
                i += 4 * lanes
            }
            while i < end {
                let v = i + lanes <= end ? T.load(x + i) : loadPartial(x + i, count: end - i, fill: -.infinity)
                let (a, n) = T.extendedExp(T.maximum(v * sv, floor))
                let f = T.maximum(e0, n)
                m0 = T.multiplyAdd(m0 * T.exp2NonPositiveIntegral(e0 - f), a, T.exp2NonPositiveIntegral(n - f))
                e0 = f
                i += lanes
            }
            accumulate(mantissa: m1, exponent: e1, &m0, &e0, T.self)
            accumulate(mantissa: m3, exponent: e3, &m2, &e2, T.self)
            accumulate(mantissa: m2, exponent: e2, &m0, &e0, T.self)
            guard let block = laneSum(m0, e0, T.self) else { return nil }
            total = total.merged(with: block)
            start = end
        }
        let limit = Double(exponentLimit(T.self))
        guard total.mantissaSum.isFinite, total.mantissaSum > 0, abs(total.exponentSum) < limit else { return nil }
        return total
    }

    /// `(mSum, nMax) += m·2^e` lane by lane, aligned to the larger exponent.
    @inlinable @inline(__always)
    static func accumulate<T: KernelScalar>(mantissa m: T.Vector, exponent e: T.Vector, _ mSum: inout T.Vector, _ nMax: inout T.Vector, _: T.Type) {
        let nNew = T.maximum(nMax, e)
        mSum = T.multiplyAdd(mSum * T.exp2NonPositiveIntegral(nMax - nNew), m, T.exp2NonPositiveIntegral(e - nNew))
        nMax = nNew
    }

    /// The lanes' `Σ mⱼ·2^{nⱼ}` as one extended sum (nil when a lane is NaN): aligned to the
    /// largest exponent with exact powers of two, in Double.
    @inlinable @inline(__always)
    static func laneSum<T: KernelScalar>(_ m: T.Vector, _ e: T.Vector, _: T.Type) -> ExtendedSum? {
        var top = -Double.infinity
        for j in 0..<T.lanes {
            let mj = Double(m[j]), ej = Double(e[j])
            if mj.isNaN || ej.isNaN { return nil }
            if mj != 0 { top = Swift.max(top, ej) }
        }
        guard top.isFinite else { return ExtendedSum() }
        var sum = 0.0
        for j in 0..<T.lanes where m[j] != 0 {
            // 2^{nⱼ − top}: a difference below −1022 leaves less than 2⁻¹⁰²² of the largest lane.
            let k = Double(e[j]) - top
            if k >= -1022 { sum += Double(m[j]) * Double(sign: .plus, exponent: Int(k), significand: 1) }
        }
        return ExtendedSum(mantissaSum: sum, exponentSum: top)
    }

    @inlinable @inline(__always)
    static func row<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, inverseTemperature s: T,
        output: RowOutput, streaming: Bool, state: inout ExtendedSum
    ) -> RowStatistics {
        guard let total = sum(x, count: n, inverseTemperature: s) else {
            // Outside the domain, or NaN / +∞ / all −∞: three-pass-recompute (which applies the edge contract).
            let statistics = ThreePassSoftmax.row(x, y, count: n, inverseTemperature: s, output: output, reload: false, streaming: streaming)
            state = ExtendedSum(logSumExp: statistics.logSumExp)
            return statistics
        }
        state = total
        let sv = T.Vector(repeating: s)
        let floor = T.Vector(repeating: -exponentLimit(T.self))
        switch output {
        case .probabilities:
            // Pass 2: yᵢ = (mᵢ / M) · 2^{nᵢ − N}. The quotient is the reciprocal product plus one
            // FMA correction step (q + (m − q·M)/M), which rounds like a division — a row with one
            // finite entry gives exactly 1 — at the cost of two FMAs instead of a divide.
            let big = T.Vector(repeating: T(total.mantissaSum))
            let r = T.Vector(repeating: T(1 / total.mantissaSum))
            let nv = T.Vector(repeating: T(total.exponentSum))
            rowMap(x, y, count: n, streaming: streaming, fill: -.infinity) {
                let (m, e) = T.extendedExp(T.maximum($0 * sv, floor))
                // (Without FMA the residual is not exact: divide instead.)
                let q = m * r
                let quotient = SK_HAS_FMA != 0 ? q.addingProduct(m.addingProduct(-q, big), r) : m / big
                return quotient * T.exp2NonPositiveIntegral(e - nv)
            }
        case .logProbabilities:
            // yᵢ = xᵢ/T − lse with lse split in two so that the large entries lose nothing.
            let (lseHi, lseLo) = total.logSumExpParts
            let hi = T(lseHi), lo = T((lseHi - Double(hi)) + lseLo)
            let hv = T.Vector(repeating: -hi), lv = T.Vector(repeating: lo)
            rowMap(x, y, count: n, streaming: streaming, fill: -.infinity) { T.multiplyAdd(hv, $0, sv) - lv }
        case .nothing:
            break
        }
        return .extended(total)
    }
}

extension ExtendedSum {
    /// The canonical (mantissa, exponent) pair of a given logsumexp: `n = rne(lse·log₂e)`,
    /// `m = e^{lse − n·ln2}`; `(0, −∞)` for −∞, NaN for NaN, `(1, +∞)` for +∞.
    public init(logSumExp lse: Double) {
        if lse.isNaN { self.init(mantissaSum: .nan, exponentSum: .nan); return }
        if lse == -.infinity { self.init(); return }
        if lse == .infinity { self.init(mantissaSum: 1, exponentSum: .infinity); return }
        let n = rint(lse / M_LN2)  // round half to even (the default rounding mode)
        self.init(mantissaSum: exp(lse - n * M_LN2), exponentSum: n)
    }
}
