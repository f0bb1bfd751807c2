/// An input with one value per row (SDM's q and d, TempNet's τ): the rows' leading shape (the
/// input's shape without its row axis), or 0-d for every row; absent, `fallback` for every row
/// (nil: the input is required). Each value must pass `valid`, else the error names the input, the
/// index and `expected`.
func perRowInput(
    _ invocation: MethodInvocation, _ name: String, layout: RowLayout, fallback: Double?, expected: String, valid: (Double) -> Bool
) throws -> [Double] {
    guard let t = invocation.inputs[name] else {
        guard let fallback else { throw RegistryError.missingInput(method: invocation.method, name: name) }
        return [Double](repeating: fallback, count: layout.rows)
    }
    let values = try t.floatingPoint(as: Double.self, name: name, rounding: true)
    let expanded: [Double]
    if t.rank == 0 {
        expanded = [Double](repeating: values[0], count: layout.rows)
    } else if t.shape == layout.perRowShape || (layout.perRowShape.isEmpty && t.shape == [1]) {
        expanded = values
    } else {
        throw TensorError.shapeMismatch(
            tensor: name, shape: t.shapeDescription, expected: "one value per row, \(Tensor.describe(shape: layout.perRowShape)), or 0-d")
    }
    if let bad = expanded.firstIndex(where: { !valid($0) }) {
        throw TensorError.badValue(tensor: name, index: bad, value: "\(expanded[bad])", expected: expected)
    }
    return expanded
}
