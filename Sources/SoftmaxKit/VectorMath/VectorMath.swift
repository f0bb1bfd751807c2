/// Element-wise vector math over buffers, built on the `KernelScalar` primitives.
public enum VectorMath {
    /// `y[i] = e^{x[i]}` over the whole domain: within 2 ULP of the correctly rounded result for
    /// Float and Double (measured ≤ 1 ULP, `VectorExpTests`), subnormal results included;
    /// `+∞ → +∞`, `−∞ → 0`, NaN → NaN. `x` and `y` may be the same memory.
    /// - Precondition: `x.count == y.count`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func exp<T: KernelScalar>(_ x: UnsafeBufferPointer<T>, into y: UnsafeMutableBufferPointer<T>) {
        precondition(x.count == y.count, "VectorMath.exp: \(x.count) inputs, \(y.count) outputs")
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return }
        rowMap(xp, yp, count: x.count, streaming: false, fill: 0) { T.exp($0) }
    }

    /// The extended exponential of the two-pass algorithm (`ext_exp`):
    /// `eˣ = mantissa·2^exponent`, `exponent = rne(x·log₂e)`, `mantissa ∈ [2^{−½}, 2^{½}]`.
    /// Valid for `|x| < 2^(p−2)·ln2` (≈ 2.9·10⁶ for Float); NaN and ±∞ give NaN mantissas.
    /// - Precondition: all three buffers have the same count.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func extendedExp<T: KernelScalar>(
        _ x: UnsafeBufferPointer<T>, mantissa: UnsafeMutableBufferPointer<T>, exponent: UnsafeMutableBufferPointer<T>
    ) {
        precondition(x.count == mantissa.count && x.count == exponent.count, "VectorMath.extendedExp: buffer counts differ")
        guard let xp = x.baseAddress, let mp = mantissa.baseAddress, let ep = exponent.baseAddress else { return }
        rowMap(xp, mp, count: x.count, streaming: false, fill: 0) { T.extendedExp($0).mantissa }
        rowMap(xp, ep, count: x.count, streaming: false, fill: 0) { T.extendedExp($0).exponent }
    }
}
