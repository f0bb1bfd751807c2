import SoftmaxKit
import Testing

@Suite struct RowBatchTests {
    @Test func rowsAreAddressedByStride() {
        let values: [Float] = Array(0..<12).map(Float.init)
        values.withUnsafeBufferPointer { b in
            let batch = RowBatch(base: b.baseAddress!, rows: 3, cols: 3, rowStride: 4)
            #expect(batch.row(2)[0] == 8 && batch.row(1)[2] == 6 && batch.count == 9)
        }
    }

    @Test func matrixViewsShareStorage() {
        var m = Matrix<Double>(rows: 2, cols: 2, elements: [1, 2, 3, 4])
        m.withMutableRowBatch { $0.row(1)[0] = 9 }
        #expect(m[1, 0] == 9 && Array(m.row(1)) == [9, 4])
        let sum = m.withRowBatch { b in (0..<b.rows).reduce(0.0) { $0 + b.row($1)[0] } }
        #expect(sum == 10)
    }

    @Test func emptyBatchesAreValid() throws {
        let empty: [Float] = []
        var out: [Float] = []
        try empty.withUnsafeBufferPointer { x in
            try out.withUnsafeMutableBufferPointer { y in
                try ExactSoftmax.softmax(RowBatch(x, rows: 0, cols: 5), into: MutableRowBatch(y, rows: 0, cols: 5))
                try ExactSoftmax.softmax(RowBatch(x, rows: 3, cols: 0), into: MutableRowBatch(y, rows: 3, cols: 0))
            }
        }
    }
}
