import MatrixMultiply
import SoftmaxKit

/// Small dense row-major matrices for the landmark methods (SOFT, Nyströmformer), whose m × m
/// systems are tiny: readable loops, in the working precision.
struct DenseMatrix<T: KernelScalar>: Equatable {
    var rows: Int, cols: Int
    var values: [T]

    init(rows: Int, cols: Int, values: [T]) {
        precondition(values.count == rows * cols, "DenseMatrix: \(values.count) values for \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    static func identity(_ n: Int, times c: T = 1) -> DenseMatrix {
        var m = DenseMatrix(rows: n, cols: n, values: [T](repeating: 0, count: n * n))
        for i in 0..<n { m.values[i * n + i] = c }
        return m
    }

    subscript(i: Int, j: Int) -> T {
        get { values[i * cols + j] }
        set { values[i * cols + j] = newValue }
    }

    static func * (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix {
        precondition(a.cols == b.rows, "DenseMatrix: \(a.rows)×\(a.cols) · \(b.rows)×\(b.cols)")
        // Float products run on the packed matrix multiply.
        if let af = sameTypeArray(a.values, as: Float.self), let bf = sameTypeArray(b.values, as: Float.self), a.rows > 0, b.cols > 0 {
            var cf = [Float](repeating: 0, count: a.rows * b.cols)
            af.withUnsafeBufferPointer { ab in
                bf.withUnsafeBufferPointer { bb in
                    cf.withUnsafeMutableBufferPointer { cb in
                        Gemm.multiply(
                            m: a.rows, n: b.cols, k: a.cols, Gemm.Operand(ab.baseAddress!, ld: max(a.cols, 1)),
                            Gemm.Operand(bb.baseAddress!, ld: b.cols), into: cb.baseAddress!, ldc: b.cols)
                    }
                }
            }
            return DenseMatrix(rows: a.rows, cols: b.cols, values: sameTypeArray(cf, as: T.self)!)
        }
        var c = DenseMatrix(rows: a.rows, cols: b.cols, values: [T](repeating: 0, count: a.rows * b.cols))
        for i in 0..<a.rows {
            for p in 0..<a.cols where a[i, p] != 0 {
                let x = a[i, p]
                for j in 0..<b.cols { c.values[i * b.cols + j] += x * b.values[p * b.cols + j] }
            }
        }
        return c
    }

    static func + (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix { DenseMatrix(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map(+)) }
    static func - (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix { DenseMatrix(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map(-)) }
    static func * (c: T, a: DenseMatrix) -> DenseMatrix { DenseMatrix(rows: a.rows, cols: a.cols, values: a.values.map { c * $0 }) }

    var transposed: DenseMatrix {
        var t = DenseMatrix(rows: cols, cols: rows, values: values)
        for i in 0..<rows { for j in 0..<cols { t.values[j * rows + i] = values[i * cols + j] } }
        return t
    }

    /// max over columns of Σᵢ |aᵢⱼ| (the induced 1-norm).
    var maxColumnSum: T { (0..<cols).map { j in (0..<rows).map { abs(self[$0, j]) }.reduce(0, +) }.max() ?? 0 }
    /// max over rows of Σⱼ |aᵢⱼ| (the induced ∞-norm).
    var maxRowSum: T { (0..<rows).map { i in (0..<cols).map { abs(self[i, $0]) }.reduce(0, +) }.max() ?? 0 }
}
