/// Edge-MoE's single-pass softmax: while scores stream out of QKᵀ, each row keeps a
/// running bias `b` (the maximum so far) and sum `s`:
///
/// ```
/// for each score a:  if a > b (strict):  s ← s·e^{b−a} + 1,  b ← a
///                    else:               s ← s + e^{a−b}
/// yⱼ = e^{aⱼ−b} · (1/s)                      (the attention×V pass, from the stored scores)
/// ```
/// In exact arithmetic this is softmax (an online normaliser with deferred normalisation); the
/// hardware's approximation is its fixed-point format (`ap_fixed<32,10>`, 22 fractional bits) and
/// its HLS `exp`/`recip`. This floating-point form computes the recurrence literally in the
/// working precision with libm's `exp`, one rescale per new maximum, so its error is the
/// recurrence's own. Measured in Float over the lab's workloads (rows of 16 … 49152): worst
/// relative error 2.2·10⁻⁴ and max total variation 1.1·10⁻⁴ from softmax, both on 49152-wide rows
/// (the scalar running sum); ≤ 3·10⁻⁵ on rows up to 1024. Double: ≤ 10⁻¹² (tests). The HLS code
/// starts from `b = −512` (the most negative `ap_fixed<32,10>`); here `b` starts at `−∞` and
/// `−∞` scores are skipped (they get exactly 0, as the edge contract wants), which equals the code on every row
/// whose scores are above −512.
///
/// R. Sarkar et al., "Edge-MoE: Memory-Efficient Multi-Task Vision Transformer Architecture with
/// Task-level Sparsity via Mixture-of-Experts", ICCAD 2023 (arXiv 2305.18691); sharc-lab/Edge-MoE
/// `src/attention.cpp`.
public struct EdgeMoESoftmaxKernel: RowKernel {
    /// The method with its defaults.
    public init() {}

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        _ = Self.row(x, y, count: n)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        _ = Self.row(x, y, count: n)
    }

    /// One ordinary row (see `RowKernel`); returns the stored `(1/s, b)`.
    @inline(__always)
    public static func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) -> (sumReciprocal: T, bias: T) {
        var b = -T.infinity, s = T(0)
        for j in 0..<n {
            let a = x[j]
            if a == -.infinity { continue }
            if a > b {
                s = s * T.scalarExp(b - a) + 1
                b = a
            } else {
                s += T.scalarExp(a - b)
            }
        }
        let r = 1 / s
        for j in 0..<n { y[j] = x[j] == -.infinity ? 0 : T.scalarExp(x[j] - b) * r }
        return (r, b)
    }
}
