/// A small owning row-major matrix: `rows × cols` elements in one array.
///
/// The convenient way to hold data for the kernels, which work on `RowBatch` views:
/// `try m.withRowBatch { x in try y.withMutableRowBatch { try ExactSoftmax.softmax(x, into: $0) } }`.
public struct Matrix<Element>: Sendable where Element: Sendable {
    /// The number of rows.
    public private(set) var rows: Int
    /// The elements per row.
    public private(set) var cols: Int
    /// The elements, row by row.
    public var elements: [Element]

    /// - Precondition: `elements.count == rows · cols`.
    public init(rows: Int, cols: Int, elements: [Element]) {
        precondition(
            rows >= 0 && cols >= 0 && elements.count == rows * cols,
            "Matrix: \(elements.count) elements do not fill \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.elements = elements
    }

    /// A matrix with every element `value`.
    public init(rows: Int, cols: Int, repeating value: Element) {
        self.init(rows: rows, cols: cols, elements: Array(repeating: value, count: rows * cols))
    }

    /// The element at (`row`, `col`).
    public subscript(row: Int, col: Int) -> Element {
        get { elements[row * cols + col] }
        set { elements[row * cols + col] = newValue }
    }

    /// The elements of row `r`.
    public func row(_ r: Int) -> ArraySlice<Element> { elements[(r * cols)..<((r + 1) * cols)] }

    /// Calls `body` with a read-only view of the elements (valid only inside `body`).
    public func withRowBatch<R>(_ body: (RowBatch<Element>) throws -> R) rethrows -> R {
        try elements.withUnsafeBufferPointer { try body(RowBatch($0, rows: rows, cols: cols)) }
    }

    /// Calls `body` with a mutable view of the elements (valid only inside `body`).
    public mutating func withMutableRowBatch<R>(_ body: (MutableRowBatch<Element>) throws -> R) rethrows -> R {
        let (r, c) = (rows, cols)
        return try elements.withUnsafeMutableBufferPointer { try body(MutableRowBatch($0, rows: r, cols: c)) }
    }
}
