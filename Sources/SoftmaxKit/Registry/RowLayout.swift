/// How a tensor of any rank is read as `rows × cols`: the row is the last axis and every leading
/// axis counts rows (as NumPy's `softmax(x, axis=-1)` does). A scalar is one row of one element, a
/// vector one row. Per-row results keep the leading axes: `[]` for 0-d and 1-d inputs, the shape
/// without its last axis otherwise (NumPy's `keepdims=False`). Rows along another axis are moved
/// last by `MethodRegistry.call` (its `axis` parameter) before a method sees them.
public struct RowLayout: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The elements per row.
    public let cols: Int
    /// The shape of a one-value-per-row output: the input's shape without its last axis.
    public let perRowShape: [Int]

    /// The layout of a tensor of `shape` (any rank).
    public init(shape: [Int]) {
        switch shape.count {
        case 0: (rows, cols, perRowShape) = (1, 1, [])
        default:
            let leading = Array(shape.dropLast())
            (rows, cols, perRowShape) = (leading.reduce(1, *), shape[shape.count - 1], leading)
        }
    }
}
