/// XNNPACK's float32 exponential kernels as scalar reference functions, evaluated in
/// float32 with fused multiply-adds, exactly as the AVX-512/AVX2 kernels compute each lane.
/// (The Double entry points evaluate the same float32 arithmetic: these are float32 definitions.)
///
/// google/XNNPACK `f32-raddstoreexpminusmax` (`rr2_p5`) and `f32-raddextexp` (`p5`).
public enum XnnExponential {
    static let log2e: Float = 0x1.715476p+0
    static let c1: Float = 0x1.FFFFF6p-1, c2: Float = 0x1.FFFDC6p-2, c3: Float = 0x1.555A80p-3
    static let c4: Float = 0x1.573A1Ap-5, c5: Float = 0x1.0F9F9Cp-7

    /// `rr2_p5`: `n` by the magic bias `0x1.8000FEp23`, `s = 2ⁿ` from the bits,
    /// `t = (x − n·ln2_hi) − n·ln2_lo` (`ln2_hi = 0x1.62E400p-1`, `ln2_lo = 0x1.7F7D1Cp-20`),
    /// `f = s + (t·s)·(c1 + t(c2 + t(c3 + t(c4 + t·c5))))`; 0 below `−0x1.5D589Ep6`; NaN passes.
    /// Domain `x ≤ 0` (the production kernels see `x − max`); positive inputs are evaluated by the
    /// same formula, which holds up to `x ≈ 88.0` and gives `+∞` beyond.
    public static func rr2p5(_ x: Float) -> Float {
        if x.isNaN { return x }
        if x < -0x1.5D589Ep6 { return 0 }
        if x > 0x1.62E42Ep6 { return .infinity }
        let magic: Float = 0x1.8000FEp23
        let biased = magic.addingProduct(x, log2e)
        let n = biased - magic
        let s = Float(bitPattern: biased.bitPattern << 23)
        var t = x.addingProduct(n, -0x1.62E400p-1)
        t = t.addingProduct(n, -0x1.7F7D1Cp-20)
        var p = c5
        p = c4.addingProduct(p, t)
        p = c3.addingProduct(p, t)
        p = c2.addingProduct(p, t)
        p = c1.addingProduct(p, t)
        let ts = t * s
        return s.addingProduct(ts, p)
    }

    /// `extexp_p5`: `eˣ = mantissa·2^exponent` with `exponent = rne(x·log₂e)` and
    /// `mantissa = p(t)`, `t = (x − n·ln2_hi) − n·ln2_lo` (`ln2_hi = 0x1.62E43p-1`,
    /// `ln2_lo = −0x1.05C61p-29`), `p(t) = 1 + t(c1 + t(c2 + t(c3 + t(c4 + t·c5))))`.
    /// Valid for |x| < 2²² (NaN passes into both; ±∞ give `(NaN, ±∞)` as in XNNPACK — the
    /// softmax kernels skip −∞ before calling it).
    public static func extexpP5(_ x: Float) -> (mantissa: Float, exponent: Float) {
        let n = (x * log2e).rounded(.toNearestOrEven)
        var t = x.addingProduct(n, -0x1.62E43p-1)
        t = t.addingProduct(n, 0x1.05C61p-29)
        var p = c5
        p = c4.addingProduct(p, t)
        p = c3.addingProduct(p, t)
        p = c2.addingProduct(p, t)
        p = c1.addingProduct(p, t)
        return (Float(1).addingProduct(t, p), n)
    }
}
