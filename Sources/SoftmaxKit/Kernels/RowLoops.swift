/// The vector loops every exact kernel is built from: a maximum, a blocked sum of exponentials,
/// and an element-wise map with optional streaming stores. Each is generic over `KernelScalar`,
/// inlined into its caller and specialized for `Float` and `Double`; the hot loops contain no calls.
///
/// Tails shorter than a vector are handled by partial loads padded with a neutral value, so every
/// element goes through the same vector arithmetic whatever its position (results do not depend
/// on where a row starts or how rows are split across threads).

/// Elements summed into vector accumulators before the block sum is added to a `Double` total.
/// Keeps the float32 summation error of 10⁶-element rows near 10⁻⁷ (each lane adds ≤ 64 terms).
@usableFromInline let blockElements = 4096

@inlinable @inline(__always)
func loadPartial<T: KernelScalar>(_ p: UnsafePointer<T>, count: Int, fill: T) -> T.Vector {
    var v = T.Vector(repeating: fill)
    for j in 0..<count { v[j] = p[j] }
    return v
}

@inlinable @inline(__always)
func storePartial<T: KernelScalar>(_ v: T.Vector, to p: UnsafeMutablePointer<T>, count: Int) {
    for j in 0..<count { p[j] = v[j] }
}

/// The largest element of a row; NaNs are ignored (callers detect them through the sum),
/// `−∞` for an empty row.
@inlinable @inline(__always)
func rowMaximum<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> T {
    let lanes = T.lanes
    let lowest = T.Vector(repeating: -.infinity)
    var a0 = lowest, a1 = lowest, a2 = lowest, a3 = lowest
    var i = 0
    while i + 4 * lanes <= n {
        a0 = T.maximum(a0, T.load(x + i))
        a1 = T.maximum(a1, T.load(x + i + lanes))
        a2 = T.maximum(a2, T.load(x + i + 2 * lanes))
        a3 = T.maximum(a3, T.load(x + i + 3 * lanes))
        i += 4 * lanes
    }
    while i + lanes <= n {
        a0 = T.maximum(a0, T.load(x + i))
        i += lanes
    }
    if i < n { a1 = T.maximum(a1, loadPartial(x + i, count: n - i, fill: -.infinity)) }
    let a = T.maximum(T.maximum(a0, a1), T.maximum(a2, a3))
    var m = a[0]
    for j in 1..<lanes where a[j] > m { m = a[j] }
    return m
}

/// `Σ exp(xᵢ·s − m)` over a row (m = the maximum of the scaled row), optionally storing each exponential to `y` (pass 2 of
/// three-pass-reload). Sums in vector accumulators within blocks of `blockElements`, then in Double.
@inlinable @inline(__always)
func rowSumExp<T: KernelScalar>(
    _ x: UnsafePointer<T>, storingTo y: UnsafeMutablePointer<T>?, count n: Int, scaledMaximum m: T, scale s: T
) -> Double {
    let lanes = T.lanes
    let mv = T.Vector(repeating: m), sv = T.Vector(repeating: s)
    var total = 0.0
    var start = 0
    while start < n {
        let end = min(n, start + blockElements)
        var s0 = T.Vector(), s1 = T.Vector(), s2 = T.Vector(), s3 = T.Vector()
        var i = start
        while i + 4 * lanes <= end {
            let e0 = T.expShifted(T.load(x + i), scale: sv, maximum: mv)
            let e1 = T.expShifted(T.load(x + i + lanes), scale: sv, maximum: mv)
            let e2 = T.expShifted(T.load(x + i + 2 * lanes), scale: sv, maximum: mv)
            let e3 = T.expShifted(T.load(x + i + 3 * lanes), scale: sv, maximum: mv)
            if let y {
                T.store(e0, to: y + i)
                T.store(e1, to: y + i + lanes)
                T.store(e2, to: y + i + 2 * lanes)
                T.store(e3, to: y + i + 3 * lanes)
            }
            s0 += e0; s1 += e1; s2 += e2; s3 += e3
            i += 4 * lanes
        }
        while i + lanes <= end {
            let e = T.expShifted(T.load(x + i), scale: sv, maximum: mv)
            if let y { T.store(e, to: y + i) }
            s0 += e
            i += lanes
        }
        if i < end {
            let e = T.expShifted(loadPartial(x + i, count: end - i, fill: -.infinity), scale: sv, maximum: mv)
            if let y { storePartial(e, to: y + i, count: end - i) }
            s1 += e
        }
        total += Double(((s0 + s1) + (s2 + s3)).sum())
        start = end
    }
    return total
}

/// `y[i] = f(x[i...])` vector by vector. With `streaming`, the aligned body of `y` is written with
/// non-temporal stores (for outputs that are not read again soon: out-of-cache batches).
/// `x` and `y` may be the same memory. Tail lanes are loaded as `fill`.
@inlinable @inline(__always)
func rowMap<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, streaming: Bool, fill: T,
    _ f: (T.Vector) -> T.Vector
) {
    let lanes = T.lanes
    var i = 0
    if streaming {
        let vectorBytes = MemoryLayout<T.Vector>.size
        let address = Int(bitPattern: y)
        if address % MemoryLayout<T>.size == 0 {
            let head = min(n, ((vectorBytes - address % vectorBytes) % vectorBytes) / MemoryLayout<T>.size)
            if head > 0 { storePartial(f(loadPartial(x, count: head, fill: fill)), to: y, count: head) }
            i = head
            while i + lanes <= n {
                T.streamStore(f(T.load(x + i)), to: y + i)
                i += lanes
            }
            T.streamFence()
        }
    }
    while i + 2 * lanes <= n {
        T.store(f(T.load(x + i)), to: y + i)
        T.store(f(T.load(x + i + lanes)), to: y + i + lanes)
        i += 2 * lanes
    }
    while i + lanes <= n {
        T.store(f(T.load(x + i)), to: y + i)
        i += lanes
    }
    if i < n { storePartial(f(loadPartial(x + i, count: n - i, fill: fill)), to: y + i, count: n - i) }
}
