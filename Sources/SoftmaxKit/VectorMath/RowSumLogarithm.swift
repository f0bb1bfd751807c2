/// `log d` of eight positive, normal, finite Doubles at once: the logarithms of row sums that
/// float32 log-softmax subtracts in its last pass (`ThreePassSoftmax.logarithm(of:as:)`, and 16
/// rows at a time in `rowGroups`, where a libm `logf` per row was 8% of a 128-wide row's time).
///
/// `d = 2ᵏ·f` with `f ∈ [√½, √2)` from the bits (musl's `log`); `log f = 2·atanh(s)`, `s = (f − 1)/(f + 1)`,
/// `|s| ≤ 0.1716`, summed as `2s + s·w·P(w)`, `w = s²`, with the series' own coefficients
/// `2/(2j + 1)` up to `w¹¹` (the first omitted term is below 2⁻⁶⁰ of the result); `k·ln 2` in two
/// parts, the high one exact for `|k| < 2¹¹`. The error is a few Double ulps (measured ≤ 2·10⁻¹⁶
/// relative, `RowSumLogarithmTests`), so rounded to Float it is the correctly rounded `log d`
/// but for arguments within 10⁻¹⁶ of a rounding boundary. Zero, negative, subnormal, infinite and
/// NaN inputs give unspecified values (callers pass row sums ≥ 1).
@inlinable @inline(__always)
func rowSumLogarithms(_ d: SIMD8<Double>) -> SIMD8<Double> {
    // musl's reduction, without comparisons (Swift's SIMD masks compile lane by lane here):
    // adding bits(1) − bits(√½) to the bits moves the exponent step to √2: the exponent field gives
    // k and the mantissa field, offset back, gives f ∈ [√½, √2).
    let bits = unsafeBitCast(d, to: SIMD8<UInt64>.self) &+ (0x3FF0_0000_0000_0000 - 0x3FE6_A09E_667F_3BCD)
    // The exponent as a Double through the 2⁵² magic: (e | 0x4330…) − 2⁵² = e.
    let biased = unsafeBitCast((bits &>> 52) | 0x4330_0000_0000_0000, to: SIMD8<Double>.self)
    let k = biased - SIMD8(repeating: 0x1p52 + 1023)
    let f = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) &+ 0x3FE6_A09E_667F_3BCD, to: SIMD8<Double>.self)
    let s = (f - 1) / (f + 1)  // f − 1 is exact (f ∈ [√½, √2))
    let w = s * s
    @inline(__always) func step(_ p: SIMD8<Double>, _ c: Double) -> SIMD8<Double> {
        Double.multiplyAdd(SIMD8(repeating: c), p, w)
    }
    var p = SIMD8<Double>(repeating: 2.0 / 23)
    p = step(step(step(step(step(p, 2.0 / 21), 2.0 / 19), 2.0 / 17), 2.0 / 15), 2.0 / 13)
    p = step(step(step(step(step(p, 2.0 / 11), 2.0 / 9), 2.0 / 7), 2.0 / 5), 2.0 / 3)
    let logF = Double.multiplyAdd(2 * s, s * w, p)
    let ln2High = SIMD8<Double>(repeating: 0x1.62E42FEE00000p-1), ln2Low = SIMD8<Double>(repeating: 0x1.A39EF35793C76p-33)
    return k * ln2High + Double.multiplyAdd(logF, k, ln2Low)
}
