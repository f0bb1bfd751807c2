/// A normalizer defined one row at a time: the approximate softmaxes and the replacements
/// (StableMax, sparsemax, entmax, ...). `RowKernelNormalizer` wraps it with everything the shared
/// contract and the `Normalizer` role need, so a kernel only handles ordinary rows.
///
/// A kernel's `apply` is called only for rows with at least one element, no NaN, no `+∞` and at
/// least one finite element; `−∞` entries (masked positions) may occur and must get exactly 0
/// (log-probability outputs: `−∞`). `x` and `y` may be the same memory, so a kernel reads `x[i]`
/// no later than it writes `y[i]`. `scratch` holds `scratchPerElement · count` Doubles.
public protocol RowKernel: Sendable {
    /// Whether the outputs are log-probabilities (decides the edge-contract rows' outputs).
    var producesLogProbabilities: Bool { get }
    /// Doubles of scratch space the kernel needs per row element (sort-based kernels).
    var scratchPerElement: Int { get }
    /// True when `apply` takes every non-empty row and applies the edge contract itself (saves the driver's
    /// scans for kernels that find special rows on their way, like the max-shifted softmaxes).
    var handlesSpecialRows: Bool { get }
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>)
    func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>)
}

extension RowKernel {
    /// Probabilities, unless the kernel says otherwise.
    public var producesLogProbabilities: Bool { false }
    /// No scratch, unless the kernel asks for it.
    public var scratchPerElement: Int { 0 }
    /// The driver applies the edge contract, unless the kernel does.
    public var handlesSpecialRows: Bool { false }
}

/// A `RowKernel` as a `Normalizer`: shape checks, the keep-mask (masked positions are never read;
/// they enter the kernel as `−∞`), the edge contract's special rows, and rows split over threads
/// (each row computed by one thread with the same code, so results do not depend on the count).
public struct RowKernelNormalizer<Kernel: RowKernel>: Normalizer {
    /// The kernel applied to each ordinary row.
    public let kernel: Kernel

    /// The normalizer of `kernel`.
    public init(_ kernel: Kernel) { self.kernel = kernel }

    /// The kernel on every row of `x` (masked positions hidden), the edge contract on special rows.
    public func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws {
        let kernel = kernel
        try run(x, y, mask, threads) { kernel.apply($0, $1, count: $2, scratch: $3) }
    }

    /// The kernel on every row of `x` (masked positions hidden), the edge contract on special rows.
    public func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws {
        let kernel = kernel
        try run(x, y, mask, threads) { kernel.apply($0, $1, count: $2, scratch: $3) }
    }

    private func run<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ mask: RowBatch<Bool>?, _ threads: Int?,
        _ apply: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, Int, UnsafeMutablePointer<Double>) -> Void
    ) throws {
        try runRowKernel(
            x, y, mask, threads, scratchPerElement: kernel.scratchPerElement, checked: !kernel.handlesSpecialRows,
            output: kernel.producesLogProbabilities ? .logProbabilities : .probabilities, apply)
    }
}

/// The driver of `RowKernelNormalizer`, outside the generic struct so that it is specialized for
/// Float and Double whatever the kernel (a method of `RowKernelNormalizer<Kernel>` called through
/// `any Normalizer` would run unspecialized, with a protocol call per element).
@_specialize(where T == Float)
@_specialize(where T == Double)
func runRowKernel<T: KernelScalar>(
    _ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ mask: RowBatch<Bool>?, _ threads: Int?, scratchPerElement: Int, checked: Bool,
    output: RowOutput,
    _ apply: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, Int, UnsafeMutablePointer<Double>) -> Void
) throws {
    try ExactSoftmax.checkOutput(y, matches: x)
    try ExactSoftmax.checkMask(mask, matches: x)
    if let threads, threads < 1 { throw SoftmaxError.invalidThreadCount(threads) }
    let count = RowParallel.threadCount(rows: x.rows, cols: x.cols, requested: threads)
    let cols = x.cols
    let scratchCount = max(1, scratchPerElement * cols)
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
            if !checked || isOrdinaryRow(source, count: cols) {
                apply(source, target, cols, scratch)
            } else {
                _ = rowEdgeCase(source, target, count: cols, output: output)
            }
        }
    }
}

/// Whether a row has no NaN, no `+∞` and at least one finite element (vector loops: the largest
/// element, NaNs ignored, is finite, and no element is NaN).
@inline(__always)
func isOrdinaryRow<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> Bool {
    rowExtrema(x, count: n).maximum.isFinite && !T.containsNaN(x, count: n)
}

/// The largest element of an ordinary row (see `RowKernel`), for kernels that shift by it.
@inline(__always)
func rowMaximum<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> T {
    rowExtrema(x, count: n).maximum
}
