import SoftmaxKit

/// The row distributions the accuracy bounds are stated for.
enum TestRows {
    /// N(0, σ²) entries.
    static func gaussian(_ n: Int, sigma: Double, _ g: inout SplitMix64) -> [Double] {
        (0..<n).map { _ in sigma * g.normal() }
    }
    /// Uniform in [90, 100]: a naive exp overflows in Float.
    static func hostile(_ n: Int, _ g: inout SplitMix64) -> [Double] {
        (0..<n).map { _ in Double.random(in: 90...100, using: &g) }
    }
    /// N(0, 1) with about 1% of entries multiplied by 20.
    static func outliers(_ n: Int, _ g: inout SplitMix64) -> [Double] {
        (0..<n).map { _ in g.normal() * (Double.random(in: 0..<1, using: &g) < 0.01 ? 20 : 1) }
    }

    /// Every named distribution at one length, rounded to `T`.
    static func all<T: BinaryFloatingPoint>(_ n: Int, seed: UInt64, as: T.Type) -> [(String, [T])] {
        var g = SplitMix64(seed: seed)
        let rows: [(String, [Double])] = [
            ("N(0,1)", gaussian(n, sigma: 1, &g)), ("N(0,10²)", gaussian(n, sigma: 10, &g)),
            ("N(0,100²)", gaussian(n, sigma: 100, &g)), ("U[90,100]", hostile(n, &g)), ("outliers×20", outliers(n, &g)),
            // A range just inside the uncompensated path's limit (24), with off-grid values.
            ("U[-11.99,11.99]", (0..<n).map { _ in Double.random(in: -11.99...11.99, using: &g) }),
        ]
        return rows.map { ($0.0, $0.1.map { T($0) }) }
    }
}

/// Calls a batch kernel on one row held in an array.
func applyRow<T>(_ x: [T], _ body: (RowBatch<T>, MutableRowBatch<T>) throws -> Void) rethrows -> [T] where T: Numeric {
    var y = [T](repeating: 0, count: x.count)
    try x.withUnsafeBufferPointer { xb in
        try y.withUnsafeMutableBufferPointer { yb in
            try body(RowBatch(xb, rows: 1, cols: x.count), MutableRowBatch(yb, rows: 1, cols: x.count))
        }
    }
    return y
}
