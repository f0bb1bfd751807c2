/// The activation role: `x → y` element-wise (PolyNorm also normalises over each row, the last
/// axis). Benchmarks and the lab drive every activation through this one call shape. `x` and `y`
/// may be the same memory.
public protocol Activation: Sendable {
    func activate(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, threads: Int?) throws
    func activate(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, threads: Int?) throws
    /// Whether an output depends on its whole row (PolyNorm), not on its own input alone.
    var isRowWise: Bool { get }
}

extension Activation {
    /// Element-wise, unless a conformance says otherwise.
    public var isRowWise: Bool { false }
}

/// A scalar function `f(x)`, in Float and Double: the body of an element-wise activation.
///
/// `map` applies it to a row. Its default implementation is specialized in each conformance's
/// witness, so `f` is inlined into the row loop even when the caller only knows the protocol.
public protocol ElementwiseFunction: Sendable {
    func callAsFunction(_ x: Float) -> Float
    func callAsFunction(_ x: Double) -> Double
    func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int)
    func map(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int)
}

extension ElementwiseFunction {
    /// `y[i] = f(x[i])` for `n` elements (a conformance may vectorize it).
    public func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] = self(x[i]) }
    }

    /// `y[i] = f(x[i])` for `n` elements (a conformance may vectorize it).
    public func map(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) {
        for i in 0..<n { y[i] = self(x[i]) }
    }
}

/// An `ElementwiseFunction` applied to every element of a batch, rows split over threads.
public struct ElementwiseActivation<F: ElementwiseFunction>: Activation {
    /// The function applied to each element.
    public let function: F

    /// The activation of `function`.
    public init(_ function: F) { self.function = function }

    /// `y = f(x)`; `x` and `y` may be the same memory.
    public func activate(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, threads: Int?) throws {
        let f = function
        try mapElements(x, y, threads) { f.map($0, $1, count: $2) }
    }

    /// `y = f(x)`; `x` and `y` may be the same memory.
    public func activate(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, threads: Int?) throws {
        let f = function
        try mapElements(x, y, threads) { f.map($0, $1, count: $2) }
    }
}

/// Applies `body` to every row, rows split over threads: the loop of every activation. A free
/// function, specialized for Float and Double whatever the caller's own generic parameters.
@_specialize(where T == Float)
@_specialize(where T == Double)
func mapRows<T: KernelScalar>(
    _ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ threads: Int?,
    _ body: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void
) throws {
    try checkActivationShapes(x, y, threads)
    let cols = x.cols
    let count = RowParallel.threadCount(rows: x.rows, cols: cols, requested: threads)
    RowParallel.forEachChunk(rows: x.rows, threads: count) { range in
        for r in range { body(x.row(r), y.row(r), cols) }
    }
}

/// Applies an element-wise `body` to every element: as `mapRows`, except that a few long rows
/// are cut into blocks of `blockElements` shared out over the threads (`RowParallel.blockThreads`).
/// Each element meets the same arithmetic wherever a block starts (blocks start at multiples
/// of the vector width from the row's start), so the results are the same bits for any count.
@_specialize(where T == Float)
@_specialize(where T == Double)
func mapElements<T: KernelScalar>(
    _ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ threads: Int?,
    _ body: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void
) throws {
    try checkActivationShapes(x, y, threads)
    let cols = x.cols
    guard let split = RowParallel.blockThreads(rows: x.rows, cols: cols, requested: threads) else {
        return try mapRows(x, y, threads, body)
    }
    let blocks = (cols + blockElements - 1) / blockElements
    RowParallel.forEachChunk(rows: x.rows * blocks, threads: split) { range in
        for k in range {
            let (r, b) = k.quotientAndRemainder(dividingBy: blocks)
            let start = b * blockElements
            body(x.row(r) + start, y.row(r) + start, min(blockElements, cols - start))
        }
    }
}

/// The argument checks every activation makes before touching memory.
func checkActivationShapes<T>(_ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ threads: Int?) throws {
    guard y.rows == x.rows, y.cols == x.cols else {
        throw SoftmaxError.shapeMismatch(argument: "output", expected: "\(x.rows)×\(x.cols)", actual: "\(y.rows)×\(y.cols)")
    }
    if let threads, threads < 1 { throw SoftmaxError.invalidThreadCount(threads) }
}
