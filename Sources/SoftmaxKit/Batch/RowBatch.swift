/// A read-only view of `rows × cols` elements stored row by row, row `r` starting at
/// `base + r·rowStride`. The row is the axis every SoftmaxKit normalizer reduces over.
///
/// A view does not own its memory: it is valid only while the storage it was made from is alive
/// (typically inside a `withUnsafeBufferPointer` closure, or `Matrix.withRowBatch`).
public struct RowBatch<Element>: @unchecked Sendable {
    /// The first element of row 0.
    public let base: UnsafePointer<Element>
    /// The number of rows.
    public let rows: Int
    /// The elements per row (the axis normalizers reduce over).
    public let cols: Int
    /// Elements from the start of one row to the next (≥ `cols`; padding is never read).
    public let rowStride: Int

    /// - Precondition: `rows ≥ 0`, `cols ≥ 0`, `rowStride ≥ cols`.
    @inlinable
    public init(base: UnsafePointer<Element>, rows: Int, cols: Int, rowStride: Int? = nil) {
        precondition(rows >= 0 && cols >= 0, "RowBatch: negative shape \(rows)×\(cols)")
        let stride = rowStride ?? cols
        precondition(stride >= cols, "RowBatch: row stride \(stride) is smaller than the row length \(cols)")
        self.base = base
        self.rows = rows
        self.cols = cols
        self.rowStride = stride
    }

    /// A dense view over a buffer of exactly `rows · cols` elements.
    @inlinable
    public init(_ buffer: UnsafeBufferPointer<Element>, rows: Int, cols: Int) {
        precondition(buffer.count == rows * cols, "RowBatch: buffer holds \(buffer.count) elements, not \(rows)×\(cols)")
        self.init(base: buffer.baseAddress ?? UnsafePointer(placeholderPointer()), rows: rows, cols: cols)
    }

    /// A pointer to the first element of row `r`.
    @inlinable @inline(__always)
    public func row(_ r: Int) -> UnsafePointer<Element> { base + r * rowStride }

    /// The number of elements in the view.
    @inlinable public var count: Int { rows * cols }
}

/// A mutable view of `rows × cols` elements; see `RowBatch`. Input and output views may be the
/// same memory: every SoftmaxKit kernel works in place.
public struct MutableRowBatch<Element>: @unchecked Sendable {
    /// The first element of row 0.
    public let base: UnsafeMutablePointer<Element>
    /// The number of rows.
    public let rows: Int
    /// The elements per row.
    public let cols: Int
    /// Elements from the start of one row to the next (≥ `cols`; padding is never written).
    public let rowStride: Int

    /// - Precondition: `rows ≥ 0`, `cols ≥ 0`, `rowStride ≥ cols`.
    @inlinable
    public init(base: UnsafeMutablePointer<Element>, rows: Int, cols: Int, rowStride: Int? = nil) {
        precondition(rows >= 0 && cols >= 0, "MutableRowBatch: negative shape \(rows)×\(cols)")
        let stride = rowStride ?? cols
        precondition(stride >= cols, "MutableRowBatch: row stride \(stride) is smaller than the row length \(cols)")
        self.base = base
        self.rows = rows
        self.cols = cols
        self.rowStride = stride
    }

    /// A dense view over a buffer of exactly `rows · cols` elements.
    @inlinable
    public init(_ buffer: UnsafeMutableBufferPointer<Element>, rows: Int, cols: Int) {
        precondition(buffer.count == rows * cols, "MutableRowBatch: buffer holds \(buffer.count) elements, not \(rows)×\(cols)")
        self.init(base: buffer.baseAddress ?? placeholderPointer(), rows: rows, cols: cols)
    }

    /// A pointer to the first element of row `r`.
    @inlinable @inline(__always)
    public func row(_ r: Int) -> UnsafeMutablePointer<Element> { base + r * rowStride }

    /// The number of elements in the view.
    @inlinable public var count: Int { rows * cols }

    /// The same memory, read-only (for in-place calls: `softmax(y.readOnly, into: y)`).
    @inlinable public var readOnly: RowBatch<Element> {
        RowBatch(base: UnsafePointer(base), rows: rows, cols: cols, rowStride: rowStride)
    }
}

/// A non-null, suitably aligned pointer for empty views (never dereferenced).
@inlinable
func placeholderPointer<Element>() -> UnsafeMutablePointer<Element> {
    UnsafeMutablePointer(bitPattern: MemoryLayout<Element>.alignment)!
}
