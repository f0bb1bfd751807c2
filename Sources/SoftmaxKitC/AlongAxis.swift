import SoftmaxKit

/// A computation on rows: what `sk_softmax` and `sk_normalize` run along an axis.
protocol RowOperation {
    func run<T: KernelScalar>(_ x: RowBatch<T>, into y: MutableRowBatch<T>, mask: RowBatch<Bool>?) throws
    /// The operation along the middle axis of `block` where it lies, or nil: rows along the axis
    /// moved last. The library's rule (`Normalizer.columns(for:masked:)`), so that results equal
    /// `MethodRegistry.call`'s bit for bit.
    func columns(for block: AxisBlock, masked: Bool) -> (any ColumnNormalizer)?
    var threads: Int? { get }
}

/// Applies `operation` along `axis` of `x` into `out` (same shape and dtype; float16 computed in
/// float32). Rows are used in place where their layout allows (`AxisRows.inPlaceRowStride`) and
/// `x` and `out` are the same memory or do not overlap; otherwise `x` is gathered whole before
/// anything is written, so any overlap is safe. An operation that runs along columns does so
/// on C-ordered memory: `x` and `out` themselves when both are C-contiguous, else a C-ordered copy.
func apply(_ operation: some RowOperation, x: StridedTensor, out: StridedTensor, mask: StridedTensor?, axis: Int) throws {
    try checkFloat(x, name: "x")
    guard out.dtype == x.dtype else {
        throw ABIError.dtype("out is \(out.dtype.rawValue) but x is \(x.dtype.rawValue); give out x's dtype")
    }
    try checkSameShape(out, as: x, name: "out")
    guard !out.hasRepeatedElements else { throw ABIError.argument("out has a zero stride: its elements overlap") }
    if let mask {
        guard mask.dtype == .bool else { throw ABIError.dtype("mask is \(mask.dtype.rawValue); expected bool") }
        try checkSameShape(mask, as: x, name: "mask")
    }
    let block = x.rank == 0 ? nil : AxisBlock(shape: x.shape, axis: axis)
    if let block, let columns = operation.columns(for: block, masked: mask != nil) {
        if x.dtype == .float64 {
            try applyColumns(columns, as: Double.self, x: x, out: out, block: block, threads: operation.threads)
        } else {
            try applyColumns(columns, as: Float.self, x: x, out: out, block: block, threads: operation.threads)
        }
    } else if x.dtype == .float64 {
        try apply(operation, as: Double.self, x: x, out: out, mask: mask, axis: axis)
    } else {
        try apply(operation, as: Float.self, x: x, out: out, mask: mask, axis: axis)
    }
}

private func applyColumns<T: KernelScalar>(
    _ columns: any ColumnNormalizer, as: T.Type, x: StridedTensor, out: StridedTensor, block: AxisBlock, threads: Int?
) throws {
    guard x.count > 0 else { return }
    let sameMemory = x.data == out.data && x.strides == out.strides
    if x.dtype != .float16, x.isCContiguous, out.isCContiguous, sameMemory || !x.byteRange.overlaps(out.byteRange),
        let xBase = x.data, let yBase = out.data
    {
        let xp = UnsafePointer(xBase.assumingMemoryBound(to: T.self))
        return try columns.normalizeColumns(xp, into: yBase.assumingMemoryBound(to: T.self), block: block, threads: threads)
    }
    let last = x.rank - 1
    var copy = try AxisRows(x, axis: last).gathered(as: T.self)
    try copy.withUnsafeMutableBufferPointer { b in
        try columns.normalizeColumns(UnsafePointer(b.baseAddress!), into: b.baseAddress!, block: block, threads: threads)
    }
    AxisRows(out, axis: last).scatter(copy)
}

private func apply<T: KernelScalar>(
    _ operation: some RowOperation, as: T.Type, x: StridedTensor, out: StridedTensor, mask: StridedTensor?, axis: Int
) throws {
    let xr = AxisRows(x, axis: axis), yr = AxisRows(out, axis: axis)
    let (rows, cols) = (xr.rows, xr.cols)
    let maskValues = try mask.map { try AxisRows($0, axis: axis).gatheredBooleans() }
    let sameMemory = x.data == out.data && x.strides == out.strides
    let disjoint = !x.byteRange.overlaps(out.byteRange)
    let xInPlace = x.dtype != .float16 && (sameMemory || disjoint) ? xr.inPlaceRowStride : nil
    let yInPlace = x.dtype != .float16 ? yr.inPlaceRowStride : nil
    var xCopy: [T] = xInPlace == nil ? try xr.gathered(as: T.self) : []
    try withOptionalRows(maskValues, rows: rows, cols: cols) { maskRows in
        if let yStride = yInPlace, let yBase = out.data {
            let y = MutableRowBatch(base: yBase.assumingMemoryBound(to: T.self), rows: rows, cols: cols, rowStride: yStride)
            if let xStride = xInPlace, let xBase = x.data {
                let xb = RowBatch(base: UnsafePointer(xBase.assumingMemoryBound(to: T.self)), rows: rows, cols: cols, rowStride: xStride)
                try operation.run(xb, into: y, mask: maskRows)
            } else {
                try xCopy.withUnsafeBufferPointer { try operation.run(RowBatch($0, rows: rows, cols: cols), into: y, mask: maskRows) }
            }
        } else if rows * cols > 0 {
            if xInPlace != nil { xCopy = try xr.gathered(as: T.self) }
            try xCopy.withUnsafeMutableBufferPointer { b in
                let y = MutableRowBatch(b, rows: rows, cols: cols)
                try operation.run(y.readOnly, into: y, mask: maskRows)
            }
            yr.scatter(xCopy)
        }
    }
}

/// `logsumexp` along `axis` of `x` into `out` (x's shape without the axis).
func logSumExp(x: StridedTensor, out: StridedTensor, axis: Int, options: SoftmaxOptions) throws {
    try checkFloat(x, name: "x")
    guard out.dtype == x.dtype else {
        throw ABIError.dtype("out is \(out.dtype.rawValue) but x is \(x.dtype.rawValue); give out x's dtype")
    }
    var expected = x.shape
    if !expected.isEmpty { expected.remove(at: axis) }
    guard out.shape == expected else {
        throw ABIError.shape("out has shape \(out.shapeDescription); expected x's shape without axis \(axis), \(Tensor.describe(shape: expected))")
    }
    guard !out.hasRepeatedElements else { throw ABIError.argument("out has a zero stride: its elements overlap") }
    if x.dtype == .float64 {
        try logSumExp(as: Double.self, x: x, out: out, axis: axis, options: options)
    } else {
        try logSumExp(as: Float.self, x: x, out: out, axis: axis, options: options)
    }
}

private func logSumExp<T: KernelScalar>(as: T.Type, x: StridedTensor, out: StridedTensor, axis: Int, options: SoftmaxOptions) throws {
    let xr = AxisRows(x, axis: axis)
    var lse = [T](repeating: 0, count: xr.rows)
    let xCopy: [T] = x.dtype != .float16 && xr.inPlaceRowStride != nil ? [] : try xr.gathered(as: T.self)
    try lse.withUnsafeMutableBufferPointer { lseBuffer in
        if let stride = xr.inPlaceRowStride, xCopy.isEmpty, x.dtype != .float16, let base = x.data {
            let xb = RowBatch(base: UnsafePointer(base.assumingMemoryBound(to: T.self)), rows: xr.rows, cols: xr.cols, rowStride: stride)
            try ExactSoftmax.logSumExp(xb, into: lseBuffer, options: options)
        } else {
            try xCopy.withUnsafeBufferPointer { try ExactSoftmax.logSumExp(RowBatch($0, rows: xr.rows, cols: xr.cols), into: lseBuffer, options: options) }
        }
    }
    // The per-row values land in out's elements in C order: out seen as rows of one element.
    AxisRows(out.appendingUnitAxis, axis: out.rank).scatter(lse)
}

private func withOptionalRows<R>(_ values: [Bool]?, rows: Int, cols: Int, _ body: (RowBatch<Bool>?) throws -> R) throws -> R {
    guard let values else { return try body(nil) }
    return try values.withUnsafeBufferPointer { try body(RowBatch($0, rows: rows, cols: cols)) }
}

func checkFloat(_ t: StridedTensor, name: String) throws {
    guard t.dtype.isFloatingPoint else {
        throw ABIError.dtype("\(name) is \(t.dtype.rawValue); expected float16, float32 or float64 (convert integers first)")
    }
}

func checkSameShape(_ t: StridedTensor, as x: StridedTensor, name: String) throws {
    guard t.shape == x.shape else { throw ABIError.shape("\(name) has shape \(t.shapeDescription); expected x's shape \(x.shapeDescription)") }
}

extension StridedTensor {
    /// Whether the elements lie in C order without gaps (axes of length one aside).
    var isCContiguous: Bool {
        guard rank > 0 else { return true }
        return AxisRows(self, axis: rank - 1).inPlaceRowStride == max(shape[rank - 1], 1)
    }

    /// The same elements with a trailing axis of length one.
    var appendingUnitAxis: StridedTensor {
        StridedTensor(data: data, dtype: dtype, shape: shape + [1], strides: strides + [dtype.size], count: count)
    }
}
