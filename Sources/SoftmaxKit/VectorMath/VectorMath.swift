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
        // A plain loop, not `rowMap` with a closure: the closure around the inlined exponential
        // was left as a call per vector.
        let lanes = T.lanes, n = x.count
        var i = 0
        while i + lanes <= n {
            T.store(T.exp(T.load(xp + i)), to: yp + i)
            i += lanes
        }
        if i < n { storePartial(T.exp(loadPartial(xp + i, count: n - i, fill: 0)), to: yp + i, count: n - i) }
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
        let lanes = T.lanes, n = x.count
        var i = 0
        while i + lanes <= n {
            // The load precedes both stores: `x` may be the same memory as either output.
            let (m, e) = T.extendedExp(T.load(xp + i))
            T.store(m, to: mp + i)
            T.store(e, to: ep + i)
            i += lanes
        }
        if i < n {
            let (m, e) = T.extendedExp(loadPartial(xp + i, count: n - i, fill: 0))
            storePartial(m, to: mp + i, count: n - i)
            storePartial(e, to: ep + i, count: n - i)
        }
    }
}
