import SoftmaxKit
import Testing

/// Temperature, threads, strides, in-place use, streaming stores, Float16 storage and bad arguments.
@Suite struct ExactSoftmaxOptionsTests {
    static func batch(rows: Int, cols: Int, seed: UInt64) -> Matrix<Float> {
        var g = SplitMix64(seed: seed)
        return Matrix(rows: rows, cols: cols, elements: (0..<(rows * cols)).map { _ in Float(3 * g.normal()) })
    }

    func softmax(_ x: Matrix<Float>, _ options: SoftmaxOptions) throws -> [Float] {
        var y = Matrix<Float>(rows: x.rows, cols: x.cols, repeating: 0)
        try x.withRowBatch { xb in try y.withMutableRowBatch { try ExactSoftmax.softmax(xb, into: $0, options: options) } }
        return y.elements
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func resultsAreBitIdenticalForEveryThreadCount(_ algorithm: SoftmaxAlgorithm) throws {
        let x = Self.batch(rows: 97, cols: 1531, seed: 11)
        let one = try softmax(x, SoftmaxOptions(algorithm: algorithm, threads: 1))
        for t in [2, 3, 8] {
            #expect(try softmax(x, SoftmaxOptions(algorithm: algorithm, threads: t)) == one, "threads \(t)")
        }
        // Streaming stores change where bytes go, not what they are.
        #expect(try softmax(x, SoftmaxOptions(algorithm: algorithm, threads: 2, streamingStores: true)) == one)
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func inPlaceEqualsOutOfPlace(_ algorithm: SoftmaxAlgorithm) throws {
        let x = Self.batch(rows: 5, cols: 333, seed: 12)
        let expected = try softmax(x, SoftmaxOptions(algorithm: algorithm))
        var y = x
        try y.withMutableRowBatch { try ExactSoftmax.softmax($0.readOnly, into: $0, options: SoftmaxOptions(algorithm: algorithm)) }
        #expect(y.elements == expected)
        var l = x
        try l.withMutableRowBatch { try ExactSoftmax.logSoftmax($0.readOnly, into: $0, options: SoftmaxOptions(algorithm: algorithm)) }
        var lRef = Matrix<Float>(rows: 5, cols: 333, repeating: 0)
        try x.withRowBatch { xb in try lRef.withMutableRowBatch { try ExactSoftmax.logSoftmax(xb, into: $0, options: SoftmaxOptions(algorithm: algorithm)) } }
        #expect(l.elements == lRef.elements)
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func rowStridePaddingIsNeverRead(_ algorithm: SoftmaxAlgorithm) throws {
        let (rows, cols, stride) = (4, 37, 41)
        let dense = Self.batch(rows: rows, cols: cols, seed: 13)
        var padded = [Float](repeating: .nan, count: rows * stride)
        for r in 0..<rows { for c in 0..<cols { padded[r * stride + c] = dense[r, c] } }
        var out = [Float](repeating: -7, count: rows * stride)
        try padded.withUnsafeBufferPointer { xb in
            try out.withUnsafeMutableBufferPointer { yb in
                try ExactSoftmax.softmax(
                    RowBatch(base: xb.baseAddress!, rows: rows, cols: cols, rowStride: stride),
                    into: MutableRowBatch(base: yb.baseAddress!, rows: rows, cols: cols, rowStride: stride),
                    options: SoftmaxOptions(algorithm: algorithm))
            }
        }
        let expected = try softmax(dense, SoftmaxOptions(algorithm: algorithm))
        for r in 0..<rows {
            for c in 0..<cols { #expect(out[r * stride + c] == expected[r * cols + c]) }
            for c in cols..<stride { #expect(out[r * stride + c] == -7) }
        }
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func temperatureDividesTheLogits(_ algorithm: SoftmaxAlgorithm) throws {
        let x = Self.batch(rows: 3, cols: 200, seed: 14)
        for t in [0.25, 2.0, 7.0] {
            let y = try softmax(x, SoftmaxOptions(algorithm: algorithm, temperature: t))
            for r in 0..<3 {
                // The kernels compute on x·(1/T) rounded to Float, as frameworks scale logits first.
                let scaled = x.row(r).map { Double($0 * Float(1 / t)) }
                let ref = SoftmaxReference.softmax(scaled)
                for c in 0..<200 where ref[c] > 1e-30 { #expect(abs(Double(y[r * 200 + c]) - ref[c]) <= 2e-6 * ref[c]) }
            }
        }
    }

    @Test func badArgumentsThrowTypedErrors() throws {
        let x = Self.batch(rows: 2, cols: 3, seed: 15)
        for t in [0, -1, .infinity, .nan, 1e-300] {
            #expect(throws: SoftmaxError.self) { try softmax(x, SoftmaxOptions(temperature: t)) }
        }
        #expect(throws: SoftmaxError.invalidThreadCount(0)) { try softmax(x, SoftmaxOptions(threads: 0)) }
        var y = Matrix<Float>(rows: 2, cols: 4, repeating: 0)
        #expect(throws: SoftmaxError.self) {
            try x.withRowBatch { xb in try y.withMutableRowBatch { try ExactSoftmax.softmax(xb, into: $0) } }
        }
        let mask = Matrix<Bool>(rows: 1, cols: 3, repeating: true)
        var z = Matrix<Float>(rows: 2, cols: 3, repeating: 0)
        #expect(throws: SoftmaxError.self) {
            try x.withRowBatch { xb in try mask.withRowBatch { m in try z.withMutableRowBatch { try ExactSoftmax.softmax(xb, into: $0, mask: m) } } }
        }
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func float16StorageRoundsTheFloatResultOnce(_ algorithm: SoftmaxAlgorithm) throws {
        let x = Self.batch(rows: 3, cols: 77, seed: 16)
        let half = Matrix<Float16>(rows: 3, cols: 77, elements: x.elements.map { Float16($0) })
        var y = Matrix<Float16>(rows: 3, cols: 77, repeating: 0)
        try half.withRowBatch { xb in try y.withMutableRowBatch { try ExactSoftmax.softmax(xb, into: $0, options: SoftmaxOptions(algorithm: algorithm)) } }
        let widened = Matrix<Float>(rows: 3, cols: 77, elements: half.elements.map { Float($0) })
        let expected = try softmax(widened, SoftmaxOptions(algorithm: algorithm)).map { Float16($0) }
        #expect(y.elements == expected)
        var l = Matrix<Float16>(rows: 3, cols: 77, repeating: 0)
        try half.withRowBatch { xb in try l.withMutableRowBatch { try ExactSoftmax.logSoftmax(xb, into: $0, options: SoftmaxOptions(algorithm: algorithm)) } }
        #expect(l.elements.allSatisfy { $0 <= 0 && $0.isFinite })
    }
}
