/// A normalizer defined one row at a time: the approximate softmaxes and the replacements
/// (StableMax, sparsemax, entmax, ...). `RowKernelNormalizer` wraps it with everything the shared
/// contract (spec §0) and the `Normalizer` role need, so a kernel only handles ordinary rows.
///
/// A kernel's `apply` is called only for rows with at least one element, no NaN, no `+∞` and at
/// least one finite element; `−∞` entries (masked positions) may occur and must get exactly 0
/// (log-probability outputs: `−∞`). `x` and `y` may be the same memory, so a kernel reads `x[i]`
/// no later than it writes `y[i]`. `scratch` holds `scratchPerElement · count` Doubles.
public protocol RowKernel: Sendable {
    /// Whether the outputs are log-probabilities (decides the §0 rows' outputs).
    var producesLogProbabilities: Bool { get }
    /// Doubles of scratch space the kernel needs per row element (sort-based kernels).
    var scratchPerElement: Int { get }
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>)
    func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>)
}

extension RowKernel {
    public var producesLogProbabilities: Bool { false }
    public var scratchPerElement: Int { 0 }
}

/// A `RowKernel` as a `Normalizer`: shape checks, the keep-mask (masked positions are never read;
/// they enter the kernel as `−∞`), the special rows of spec §0, and rows split over threads
/// (each row computed by one thread with the same code, so results do not depend on the count).
public struct RowKernelNormalizer<Kernel: RowKernel>: Normalizer {
    public let kernel: Kernel

    public init(_ kernel: Kernel) { self.kernel = kernel }

    public func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws {
        let kernel = kernel
        try run(x, y, mask, threads) { kernel.apply($0, $1, count: $2, scratch: $3) }
    }

    public func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws {
        let kernel = kernel
        try run(x, y, mask, threads) { kernel.apply($0, $1, count: $2, scratch: $3) }
    }

    private func run<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ mask: RowBatch<Bool>?, _ threads: Int?,
        _ apply: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, Int, UnsafeMutablePointer<Double>) -> Void
    ) throws {
        try ExactSoftmax.checkOutput(y, matches: x)
        try ExactSoftmax.checkMask(mask, matches: x)
        if let threads, threads < 1 { throw SoftmaxError.invalidThreadCount(threads) }
        let count = RowParallel.threadCount(rows: x.rows, cols: x.cols, requested: threads)
        let cols = x.cols, output: RowOutput = kernel.producesLogProbabilities ? .logProbabilities : .probabilities
        let scratchCount = max(1, kernel.scratchPerElement * cols)
        RowParallel.forEachChunk(rows: x.rows, threads: count) { range in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: scratchCount)
            defer { scratch.deallocate() }
            for r in range {
                var source = x.row(r)
                let target = y.row(r)
                if let mask {
                    ExactSoftmax.applyMask(x.row(r), mask.row(r), into: target, count: cols)
                    source = UnsafePointer(target)
                }
                if cols == 0 { continue }
                if isOrdinaryRow(source, count: cols) {
                    apply(source, target, cols, scratch)
                } else {
                    _ = rowEdgeCase(source, target, count: cols, output: output)
                }
            }
        }
    }
}

/// Whether a row has no NaN, no `+∞` and at least one finite element.
@inline(__always)
func isOrdinaryRow<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> Bool {
    var finite = false
    for i in 0..<n {
        let v = x[i]
        if v.isNaN || v == .infinity { return false }
        if v != -.infinity { finite = true }
    }
    return finite
}

/// The largest element of an ordinary row (see `RowKernel`), for kernels that shift by it.
@inline(__always)
func rowMaximum<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> T {
    rowExtrema(x, count: n).maximum
}
