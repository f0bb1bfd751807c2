/// How a 0-, 1- or 2-d tensor is read as `rows × cols` (the row is the last axis): a scalar is
/// one row of one element, a vector one row. Per-row results of a 1-d input are 0-d.
public struct RowLayout: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The elements per row.
    public let cols: Int
    /// The shape of a one-value-per-row output: `[]` for 0-d and 1-d inputs, `[rows]` for 2-d.
    public let perRowShape: [Int]

    /// The layout of a tensor of `shape`; `tensor` names it in the error for a rank above 2.
    public init(shape: [Int], tensor: String) throws {
        switch shape.count {
        case 0: (rows, cols, perRowShape) = (1, 1, [])
        case 1: (rows, cols, perRowShape) = (1, shape[0], [])
        case 2: (rows, cols, perRowShape) = (shape[0], shape[1], [shape[0]])
        default:
            throw TensorError.badRank(
                tensor: tensor, shape: Tensor.describe(shape: shape),
                expected: "0-d, 1-d (one row) or 2-d (rows × cols)")
        }
    }
}
