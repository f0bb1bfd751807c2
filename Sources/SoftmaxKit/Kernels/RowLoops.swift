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

/// The largest and smallest elements of a row; NaNs are ignored (callers detect them through the
/// sum); `(−∞, +∞)` for an empty row.
@inlinable @inline(__always)
func rowExtrema<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> (maximum: T, minimum: T) {
    let (a, b) = rowExtremaVectors(x, count: n)
    return (T.horizontalMaximum(a), -T.horizontalMaximum(-b))
}

/// `rowExtrema` before its horizontal reductions: lane-wise maxima and minima (never NaN; −∞ and
/// +∞ where a lane saw nothing), for callers that reduce several rows' vectors at once.
@inlinable @inline(__always)
func rowExtremaVectors<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> (maximum: T.Vector, minimum: T.Vector) {
    let lanes = T.lanes
    let lowest = T.Vector(repeating: -.infinity), highest = T.Vector(repeating: .infinity)
    var a0 = lowest, a1 = lowest, b0 = highest, b1 = highest
    @inline(__always) func take(_ v: T.Vector, _ a: inout T.Vector, _ b: inout T.Vector) {
        a = T.maximum(a, v)
        b = T.minimum(b, v)
    }
    var i = 0
    while i + 2 * lanes <= n {
        take(T.load(x + i), &a0, &b0)
        take(T.load(x + i + lanes), &a1, &b1)
        i += 2 * lanes
    }
    while i + lanes <= n {
        take(T.load(x + i), &a0, &b0)
        i += lanes
    }
    if i < n {
        let v = loadPartial(x + i, count: n - i, fill: T.nan)
        take(v, &a1, &b1)
    }
    return (T.maximum(a0, a1), T.minimum(b0, b1))
}

/// How `e^{x·s − m}` is evaluated: a generic parameter rather than a closure, so each choice is
/// specialized into its own loop with nothing called per vector. (The cheap exponentials of the
/// approximate softmaxes plug in here too, `ShiftedApproximation`.)
@usableFromInline
protocol ShiftedExponential {
    associatedtype Scalar: KernelScalar
    /// `s` is nil for T = 1 (the multiply is skipped).
    func apply(_ x: Scalar.Vector, scale s: Scalar.Vector?, maximum m: Scalar.Vector) -> Scalar.Vector
}

/// The rounding error of `x·s − m` compensated (`KernelScalar.expShifted`).
@usableFromInline
struct CompensatedExponential<T: KernelScalar>: ShiftedExponential {
    @usableFromInline typealias Scalar = T
    @inlinable init() {}
    @inlinable @inline(__always)
    func apply(_ x: T.Vector, scale s: T.Vector?, maximum m: T.Vector) -> T.Vector {
        T.expShifted(x, scale: s, maximum: m)
    }
}

/// Plain `e^{x·s − m}`, for rows whose range keeps the rounding of `x·s − m` negligible.
@usableFromInline
struct PlainExponential<T: KernelScalar>: ShiftedExponential {
    @usableFromInline typealias Scalar = T
    @inlinable init() {}
    @inlinable @inline(__always)
    func apply(_ x: T.Vector, scale s: T.Vector?, maximum m: T.Vector) -> T.Vector {
        T.expNonPositive(T.scaled(x, by: s) - m)
    }
}

/// Whether `e^{x·s − m}` needs the compensated subtraction on a row whose scaled range
/// `(max − min)·s` is `range`. The rounding of `z = x·s − m` is at most half an ulp of `z`, and
/// the exponential turns that absolute error into the same relative error on the output. Float:
/// below 31 (a margin for the rounding of `range` itself), every `|z| < 32`, whose half ulp is at
/// most 2⁻²⁰ = 9.5·10⁻⁷; with the ≤ 4.2·10⁻⁷ of the exponential and the scaling that stays inside
/// the 2·10⁻⁶ budget. (Most rows of 128 logits with σ = 4 span 15–30: compensating all of them
/// beyond 24, as a `range·ε/2` bound would, cost 3–5% on such batches.) Double: 32·2⁻⁵³ =
/// 3.6·10⁻¹⁵ of its 10⁻¹⁴.
@inlinable @inline(__always)
func needsCompensation<T: KernelScalar>(range: T) -> Bool {
    !(range <= (T.self == Float.self ? 31 : 32))
}

/// `Σ expShifted(xᵢ)` over a row (`expShifted(x) = e^{x·s − m}`, m the maximum of the scaled row),
/// optionally storing to `y` each exponential (pass 2 of three-pass-reload) or, with
/// `storingArguments`, each shifted argument `x·s − m` (pass 2 of log-softmax, whose pass 3 then
/// subtracts log d in place on a `y` that is already in cache, as softmax's pass 3 rescales it).
/// Sums in vector accumulators within blocks of `blockElements`, then in Double.
@inlinable @inline(__always)
func rowSumExp<T: KernelScalar, E: ShiftedExponential>(
    _ x: UnsafePointer<T>, storingTo y: UnsafeMutablePointer<T>?, storingArguments: Bool = false, count n: Int,
    _ exponential: E, scale s: T?, scaledMaximum m: T
) -> Double where E.Scalar == T {
    rowSumExp(
        x, storingTo: y, storingArguments: storingArguments, count: n, exponential, scale: s, scaledMaximum: m,
        takingExtremaOf: nil
    ).sum
}

/// `rowSumExp` that also takes the extrema of `next[0..<n]` (pass 1 of the next row, as
/// `rowExtrema`: NaNs ignored): the next row's loads overlap the exponentials.
@inlinable @inline(__always)
func rowSumExp<T: KernelScalar, E: ShiftedExponential>(
    _ x: UnsafePointer<T>, storingTo y: UnsafeMutablePointer<T>?, storingArguments: Bool = false, count n: Int,
    _ exponential: E, scale s: T?, scaledMaximum m: T, takingExtremaOf next: UnsafePointer<T>?
) -> (sum: Double, maximum: T, minimum: T) where E.Scalar == T {
    var extrema = (maximum: T.Vector(repeating: -.infinity), minimum: T.Vector(repeating: .infinity))
    var total = 0.0
    var start = 0
    while start < n {
        let end = min(n, start + blockElements)
        let sums = blockSumExp(
            x + start, storingTo: y == nil ? nil : y! + start, storingArguments: storingArguments,
            count: end - start, exponential, scale: s, scaledMaximum: m,
            takingExtremaOf: next == nil ? nil : next! + start, into: &extrema)
        total += Double(T.horizontalSum(sums))
        start = end
    }
    guard next != nil else { return (total, -.infinity, .infinity) }
    return (total, T.horizontalMaximum(extrema.maximum), -T.horizontalMaximum(-extrema.minimum))
}

/// One block of `rowSumExp` (`n ≤ blockElements`): the exponentials' lane-wise sums, which the
/// caller reduces (`horizontalSum`: the row's block sum, bit for bit). With `next`, the
/// lane-wise extrema of `next[0..<n]` are folded into `extrema`.
@inlinable @inline(__always)
func blockSumExp<T: KernelScalar, E: ShiftedExponential>(
    _ x: UnsafePointer<T>, storingTo y: UnsafeMutablePointer<T>?, storingArguments: Bool = false, count n: Int,
    _ exponential: E, scale s: T?, scaledMaximum m: T, takingExtremaOf next: UnsafePointer<T>?,
    into extrema: inout (maximum: T.Vector, minimum: T.Vector)
) -> T.Vector where E.Scalar == T {
    let lanes = T.lanes
    var a0 = extrema.maximum, a1 = T.Vector(repeating: -.infinity)
    var b0 = extrema.minimum, b1 = T.Vector(repeating: .infinity)
    let sv = s.map { T.Vector(repeating: $0) }, mv = T.Vector(repeating: m)
    @inline(__always) func expShifted(_ v: T.Vector) -> T.Vector { exponential.apply(v, scale: sv, maximum: mv) }
    @inline(__always) func stored(_ v: T.Vector, _ e: T.Vector) -> T.Vector {
        storingArguments ? T.scaled(v, by: sv) - mv : e
    }
    // Two vectors a step: with four, AVX2's sixteen registers (a vector is two) spill.
    var s0 = T.Vector(), s1 = T.Vector()
    var i = 0
    while i + 2 * lanes <= n {
        let v0 = T.load(x + i), v1 = T.load(x + i + lanes)
        let e0 = expShifted(v0), e1 = expShifted(v1)
        if let y {
            T.store(stored(v0, e0), to: y + i)
            T.store(stored(v1, e1), to: y + i + lanes)
        }
        s0 += e0; s1 += e1
        if let next {
            let w0 = T.load(next + i), w1 = T.load(next + i + lanes)
            a0 = T.maximum(a0, w0); b0 = T.minimum(b0, w0)
            a1 = T.maximum(a1, w1); b1 = T.minimum(b1, w1)
        }
        i += 2 * lanes
    }
    while i + lanes <= n {
        let v = T.load(x + i)
        let e = expShifted(v)
        if let y { T.store(stored(v, e), to: y + i) }
        s0 += e
        if let next {
            let w = T.load(next + i)
            a0 = T.maximum(a0, w); b0 = T.minimum(b0, w)
        }
        i += lanes
    }
    if i < n {
        let v = loadPartial(x + i, count: n - i, fill: -.infinity)
        let e = expShifted(v)
        if let y { storePartial(stored(v, e), to: y + i, count: n - i) }
        s1 += e
        if let next {
            let w = loadPartial(next + i, count: n - i, fill: T.nan)
            a1 = T.maximum(a1, w); b1 = T.minimum(b1, w)
        }
    }
    if next != nil { extrema = (T.maximum(a0, a1), T.minimum(b0, b1)) }
    return s0 + s1
}

/// `y[i] = f(x[i...])` vector by vector. With `streaming`, the aligned body of `y` is written with
/// non-temporal stores (for outputs that are not read again soon: out-of-cache batches), then
/// fenced unless `fence` is false (a caller writing many rows fences once after the last).
/// `x` and `y` may be the same memory. Tail lanes are loaded as `fill`.
@inlinable @inline(__always)
func rowMap<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, streaming: Bool, fence: Bool = true, fill: T,
    _ f: (T.Vector) -> T.Vector
) {
    let lanes = T.lanes
    var i = 0
    if streaming, let head = streamingHead(y, count: n) {
        if head > 0 { storePartial(f(loadPartial(x, count: head, fill: fill)), to: y, count: head) }
        i = head
        while i + lanes <= n {
            T.streamStore(f(T.load(x + i)), to: y + i)
            i += lanes
        }
        if fence { T.streamFence() }
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

/// The elements of a row at `y` before its first vector boundary: written with plain stores, so
/// that streaming stores start aligned; nil when `y` is not aligned to its element (no vector
/// boundary is ever reached: no streaming stores).
@inlinable @inline(__always)
func streamingHead<T: KernelScalar>(_ y: UnsafeMutablePointer<T>, count n: Int) -> Int? {
    let vectorBytes = MemoryLayout<T.Vector>.size, address = Int(bitPattern: y)
    guard address % MemoryLayout<T>.size == 0 else { return nil }
    return min(n, ((vectorBytes - address % vectorBytes) % vectorBytes) / MemoryLayout<T>.size)
}

/// `y[i] = e[i]·a − b` (pass 3 of three-pass-reload: softmax `a = 1/d, b = 0`, log-softmax
/// `a = 1, b = log d`, over what pass 2 stored at `e`, in place when `e == y`) while taking the
/// extrema of `next[0..<n]` (pass 1 of the next row, as `rowExtrema`: NaNs ignored). With
/// `streaming` (a literal at each call, so that each choice is its own loop; `y` must then be
/// aligned to its element), `y` is written with non-temporal stores from its first vector
/// boundary and not fenced: the caller fences after its last row.
@inlinable @inline(__always)
func rowAffineTakingExtrema<T: KernelScalar>(
    from e: UnsafePointer<T>, to y: UnsafeMutablePointer<T>, count n: Int, times a: T.Vector, minus b: T.Vector,
    streaming: Bool, next x: UnsafePointer<T>
) -> (maximum: T, minimum: T) {
    let lanes = T.lanes
    let lowest = T.Vector(repeating: -.infinity), highest = T.Vector(repeating: .infinity)
    var a0 = lowest, a1 = lowest, b0 = highest, b1 = highest
    @inline(__always) func put(_ v: T.Vector, _ p: UnsafeMutablePointer<T>) {
        if streaming { T.streamStore(v, to: p) } else { T.store(v, to: p) }
    }
    var i = 0
    if streaming, let head = streamingHead(y, count: n), head > 0 {
        storePartial(loadPartial(e, count: head, fill: 0) * a - b, to: y, count: head)
        let v = loadPartial(x, count: head, fill: T.nan)
        a1 = T.maximum(a1, v); b1 = T.minimum(b1, v)
        i = head
    }
    while i + 2 * lanes <= n {
        put(T.load(e + i) * a - b, y + i)
        put(T.load(e + i + lanes) * a - b, y + i + lanes)
        let v0 = T.load(x + i), v1 = T.load(x + i + lanes)
        a0 = T.maximum(a0, v0); b0 = T.minimum(b0, v0)
        a1 = T.maximum(a1, v1); b1 = T.minimum(b1, v1)
        i += 2 * lanes
    }
    while i + lanes <= n {
        put(T.load(e + i) * a - b, y + i)
        let v = T.load(x + i)
        a0 = T.maximum(a0, v); b0 = T.minimum(b0, v)
        i += lanes
    }
    if i < n {
        storePartial(loadPartial(e + i, count: n - i, fill: 0) * a - b, to: y + i, count: n - i)
        let v = loadPartial(x + i, count: n - i, fill: T.nan)
        a1 = T.maximum(a1, v); b1 = T.minimum(b1, v)
    }
    let mx = T.maximum(a0, a1), mn = T.minimum(b0, b1)
    return (T.horizontalMaximum(mx), -T.horizontalMaximum(-mn))
}
