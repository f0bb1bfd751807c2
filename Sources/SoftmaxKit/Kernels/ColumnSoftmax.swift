/// Softmax and log-softmax along the middle axis of a C-ordered `[outer, n, inner]` block — NumPy's
/// `axis=0` of a C-ordered matrix, PyTorch's `dim=0` — without gathering the rows into a copy.
///
/// The rows are `inner` elements apart. The kernel is vectorised across the inner axis: one vector
/// holds element `r` of `T.Vector.scalarCount` neighbouring rows, and the three passes of the
/// row kernels' three-pass schedule (maximum, sum of exponentials, outputs) walk the `n` elements
/// of those rows together, each load a full contiguous vector; past L2, up to `group` neighbouring
/// vectors are swept together (`vectorsPerUnit`). PyTorch's CPU softmax on a non-last dimension
/// works the same way. It uses the row kernels' exponential (`expShifted`: the
/// subtraction's rounding error folded back) and their temperature, and a vector of rows holding
/// a NaN, a +∞ or no finite element goes through the same edge contract (`rowEdgeCase`, §0) one
/// row at a time, in place along its stride (nothing is allocated). Each row sums its exponentials
/// in order, compensated, where the row kernels sum in vector lanes, so results agree with them to
/// rounding, not bit for bit. The columns past the last whole vector (and inner widths below one)
/// run as a vector read and written lane by lane, with the same arithmetic.
public enum ColumnSoftmax {
    /// `y = softmax(x/T)` (or log-softmax) along the middle axis of `[outer, n, inner]`, C order.
    /// `x` and `y` are the same memory or do not overlap. Throws for a bad temperature or thread count.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func run<T: KernelScalar>(
        _ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, outer: Int, count n: Int, inner: Int, log: Bool = false,
        options: SoftmaxOptions = SoftmaxOptions()
    ) throws {
        let inverse = try ExactSoftmax.inverseTemperature(options, as: T.self)
        guard outer > 0, n > 0, inner > 0 else { return }
        let width = T.Vector.scalarCount
        // Units of work: groups of up to `group` whole vectors of columns, then the columns past
        // the last whole vector (fewer than one vector) as one more unit.
        let group = vectorsPerUnit(count: n, inner: inner, elementBytes: MemoryLayout<T>.size)
        let whole = inner / width, groups = (whole + group - 1) / group, tail = inner % width
        let perOuter = groups + (tail > 0 ? 1 : 0)
        let units = saturatingProduct(outer, perOuter)
        let threads = RowParallel.threadCount(rows: units, cols: saturatingProduct(n, width * min(group, max(whole, 1))), requested: options.threads)
        let (xs, ys) = (UnsafeSendable(UnsafeMutablePointer(mutating: x)), UnsafeSendable(y))
        let output: RowOutput = log ? .logProbabilities : .probabilities
        RowParallel.forEachChunk(rows: units, threads: threads) { range in
            for unit in range {
                let (o, g) = unit.quotientAndRemainder(dividingBy: perOuter)
                let first = g < groups ? g * group * width : whole * width
                let base = o * n * inner + first
                let vectors = g < groups ? min(group, whole - g * group) : 0
                if vectors > 1 {
                    columnGroup(
                        UnsafePointer(xs.pointer + base), ys.pointer + base, vectors: vectors, count: n, stride: inner, inverse: inverse, output: output)
                } else {
                    // One whole vector (its state in registers), or the columns past the last one.
                    let lanes = vectors == 1 ? width : tail
                    columns(UnsafePointer(xs.pointer + base), ys.pointer + base, lanes: lanes, count: n, stride: inner, inverse: inverse, output: output)
                }
            }
        }
    }

    /// The most whole vectors of columns a unit sweeps together (`columnGroup`).
    public static let group = 8

    /// How many vectors of columns a unit sweeps together: `group` when the block is larger than
    /// a core's L2 share (1 MiB), else 1. One vector per unit reads one vector every `inner`
    /// elements; for a block past L2 those strided loads, a multiple of 4 KiB apart for common
    /// widths (every row of a strip in the same L1 set), came from L2 and beyond, and a group
    /// reads each row in runs of `group` vectors instead (BENCHMARKS.md, "Softmax along a
    /// non-last axis past L2"). Within L2 the single vector is as fast and gives threads
    /// more units. Results do not depend on it: every lane runs the same operations in order.
    public static func vectorsPerUnit(count n: Int, inner: Int, elementBytes: Int) -> Int {
        saturatingProduct(saturatingProduct(n, inner), elementBytes) > 1 << 20 ? group : 1
    }

    /// `columns` on `vectors` whole vectors of neighbouring columns (`vectors ≤ group`), swept
    /// together row by row: each lane sees the same operations in the same order as there, so the
    /// results are the same bits.
    @inline(__always)
    static func columnGroup<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, vectors: Int, count n: Int, stride: Int, inverse: T, output: RowOutput
    ) {
        let width = T.Vector.scalarCount
        withUnsafeTemporaryAllocation(of: T.Vector.self, capacity: 3 * group) { state in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: group) { specials in
                let m = state.baseAddress!, sum = m + group, lost = sum + group, special = specials.baseAddress!
                let s: T.Vector? = inverse == 1 ? nil : T.Vector(repeating: inverse)
                for v in 0..<vectors {
                    m[v] = T.Vector(repeating: -.infinity)
                    sum[v] = T.Vector(repeating: 0)
                    lost[v] = T.Vector(repeating: 0)
                    special[v] = 0
                }
                for r in 0..<n {
                    let row = x + r * stride
                    for v in 0..<vectors { m[v] = T.maximum(m[v], T.scaled(T.load(row + v * width), by: s)) }
                }
                var anySpecial = false
                for v in 0..<vectors {
                    for k in 0..<width where !m[v][k].isFinite {
                        special[v] |= 1 << k
                        anySpecial = true
                        _ = rowEdgeCase(x + v * width + k, y + v * width + k, count: n, stride: stride, output: output)
                    }
                }
                @inline(__always) func store(_ value: T.Vector, _ p: UnsafeMutablePointer<T>, _ v: Int) {
                    if !anySpecial || special[v] == 0 { return T.store(value, to: p) }
                    for k in 0..<width where special[v] & (1 << k) == 0 { p[k] = value[k] }
                }
                let keep = output == .probabilities
                for r in 0..<n {
                    let row = x + r * stride, out = y + r * stride
                    for v in 0..<vectors {
                        let e = T.expShifted(T.load(row + v * width), scale: s, maximum: m[v])
                        if keep { store(e, out + v * width, v) }
                        let t = sum[v] + (e - lost[v])
                        lost[v] = (t - sum[v]) - (e - lost[v])
                        sum[v] = t
                    }
                }
                for v in 0..<vectors {
                    for k in 0..<width where special[v] & (1 << k) == 0 && sum[v][k].isNaN {
                        special[v] |= 1 << k
                        anySpecial = true
                        let lane = v * width + k
                        _ = rowEdgeCase(keep ? UnsafePointer(y + lane) : x + lane, y + lane, count: n, stride: stride, output: output)
                    }
                }
                switch output {
                case .probabilities:
                    for v in 0..<vectors { sum[v] = 1 / sum[v] }
                    for r in 0..<n {
                        let out = y + r * stride
                        for v in 0..<vectors { store(T.load(UnsafePointer(out + v * width)) * sum[v], out + v * width, v) }
                    }
                case .logProbabilities:
                    for v in 0..<vectors {
                        var logSum = T.Vector(repeating: 0)
                        for k in 0..<width { logSum[k] = T.scalarLog(sum[v][k]) }
                        lost[v] = logSum
                    }
                    for r in 0..<n {
                        let row = x + r * stride, out = y + r * stride
                        for v in 0..<vectors { store((T.scaled(T.load(row + v * width), by: s) - m[v]) - lost[v], out + v * width, v) }
                    }
                case .nothing: break
                }
            }
        }
    }

    /// `lanes` neighbouring rows (at most one vector), element `r` of each at `x + r·stride`.
    @inline(__always)
    static func columns<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, lanes: Int, count n: Int, stride: Int, inverse: T, output: RowOutput
    ) {
        let width = T.Vector.scalarCount
        // A vector short of `width` rows is read lane by lane, its missing lanes 0 (finite, never written).
        @inline(__always) func load(_ p: UnsafePointer<T>) -> T.Vector {
            if lanes == width { return T.load(p) }
            var v = T.Vector(repeating: 0)
            for k in 0..<lanes { v[k] = p[k] }
            return v
        }
        let s: T.Vector? = inverse == 1 ? nil : T.Vector(repeating: inverse)
        var m = T.Vector(repeating: -.infinity)
        for r in 0..<n { m = T.maximum(m, T.scaled(load(x + r * stride), by: s)) }
        // Rows that keep the edge contract (`rowEdgeCase`), one bit per lane: a maximum of +∞ or
        // −∞ (a +∞, or no finite element) is known now; a NaN shows as a NaN sum after the second
        // pass (its exponential is NaN, and stays so in y). The loops carry no lane masks.
        var special = 0
        for k in 0..<lanes where !m[k].isFinite {
            special |= 1 << k
            _ = rowEdgeCase(x + k, y + k, count: n, stride: stride, output: output)
        }
        @inline(__always) func store(_ v: T.Vector, _ p: UnsafeMutablePointer<T>) {
            if lanes == width && special == 0 { return T.store(v, to: p) }
            for k in 0..<lanes where special & (1 << k) == 0 { p[k] = v[k] }
        }
        // The sum of exponentials, compensated (Kahan): a row of thousands of elements sums in
        // order. Probabilities keep the exponentials in y for the last pass (read back, not recomputed).
        let keep = output == .probabilities
        var sum = T.Vector(repeating: 0), lost = T.Vector(repeating: 0)
        for r in 0..<n {
            let e = T.expShifted(load(x + r * stride), scale: s, maximum: m)
            if keep { store(e, y + r * stride) }
            let t = sum + (e - lost)
            lost = (t - sum) - (e - lost)
            sum = t
        }
        for k in 0..<lanes where special & (1 << k) == 0 && sum[k].isNaN {
            special |= 1 << k
            // y holds exponentials where it is x (in place); with the NaN among them, the row is NaN all the same.
            _ = rowEdgeCase(keep ? UnsafePointer(y + k) : x + k, y + k, count: n, stride: stride, output: output)
        }
        switch output {
        case .probabilities:
            let reciprocal = 1 / sum
            for r in 0..<n { store(load(UnsafePointer(y + r * stride)) * reciprocal, y + r * stride) }
        case .logProbabilities:
            var logSum = T.Vector(repeating: 0)
            for k in 0..<lanes { logSum[k] = T.scalarLog(sum[k]) }
            // (a − m) − log Σ: the difference to the maximum first, exact where it matters (a near m).
            for r in 0..<n { store((T.scaled(load(x + r * stride), by: s) - m) - logSum, y + r * stride) }
        case .nothing: break
        }
    }
}
