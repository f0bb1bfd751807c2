import Testing

@testable import SoftmaxKit

/// A few long rows are split by blocks over threads (`SplitRows`): the results must be the very
/// bits one thread computes, for every output, option and edge case, and on the fallback taken
/// inside another parallel region.
@Suite struct SplitRowsTests {
    /// Rows of 3·N(0, 1) (a range over 24 from 10⁴ elements: the compensated exponential) with
    /// a 10% mask whose masked positions hold NaN, as a masked kernel must never read them.
    static func batch(rows: Int, cols: Int, seed: UInt64) -> (x: Matrix<Float>, mask: Matrix<Bool>) {
        var g = SplitMix64(seed: seed)
        let keep = (0..<(rows * cols)).map { _ in g.openUniform() > 0.1 }
        let x = (0..<(rows * cols)).map { i in keep[i] ? Float(3 * g.normal()) : .nan }
        return (Matrix(rows: rows, cols: cols, elements: x), Matrix(rows: rows, cols: cols, elements: keep))
    }

    enum Output: CaseIterable { case softmax, logSoftmax, logSumExp }

    /// The output's bytes (logsumexp: one per row) for a batch, mask and options.
    func run<T: KernelScalar>(_ output: Output, _ x: Matrix<T>, mask: Matrix<Bool>?, _ options: SoftmaxOptions) throws -> [UInt8] {
        var y = Matrix<T>(rows: x.rows, cols: x.cols, repeating: 0)
        var lse = [T](repeating: 0, count: x.rows)
        try x.withRowBatch { xb in
            func call(_ m: RowBatch<Bool>?) throws {
                switch output {
                case .softmax: try y.withMutableRowBatch { try ExactSoftmax.softmax(xb, into: $0, mask: m, options: options) }
                case .logSoftmax: try y.withMutableRowBatch { try ExactSoftmax.logSoftmax(xb, into: $0, mask: m, options: options) }
                case .logSumExp: try lse.withUnsafeMutableBufferPointer { try ExactSoftmax.logSumExp(xb, into: $0, mask: m, options: options) }
                }
            }
            if let mask { try mask.withRowBatch { try call($0) } } else { try call(nil) }
        }
        return (output == .logSumExp ? lse : y.elements).withUnsafeBytes { Array($0) }
    }

    /// `run` as values.
    func values(_ output: Output, _ x: Matrix<Float>, mask: Matrix<Bool>?, _ options: SoftmaxOptions) throws -> [Float] {
        try run(output, x, mask: mask, options).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    @Test func splitsOnlyFewLongRowsThatWholeRowsWouldUnbalance() {
        func split(
            rows: Int, cols: Int, threads: Int, _ algorithm: SoftmaxAlgorithm = .threePassReload,
            output: SoftmaxSchedule.Problem.Output = .probabilities
        ) -> Int? {
            let plan = SoftmaxSchedule.plan(
                for: .init(
                    rows: rows, cols: cols, elementBytes: 4, threads: threads, algorithm: algorithm,
                    output: output))
            return plan.schedule == .splitRows ? plan.threads : nil
        }
        #expect(split(rows: 1, cols: 1 << 16, threads: 2) == 2)
        #expect(split(rows: 3, cols: 32768, threads: 2) == 2)
        #expect(split(rows: 3, cols: 32768, threads: 2, .threePassRecompute, output: .logSumExp) == 2)
        #expect(split(rows: 2, cols: 32768, threads: 2) == nil)  // one row each
        #expect(split(rows: 11, cols: 32768, threads: 2) == nil)  // 6 vs 5.5 rows
        #expect(split(rows: 1, cols: blockElements, threads: 2) == nil)  // one block
        #expect(split(rows: 1, cols: 1 << 16, threads: 1) == nil)
        #expect(split(rows: 1, cols: 1 << 16, threads: 2, .online) == nil)
        #expect(split(rows: 1, cols: 1 << 16, threads: 2, .twoPass) == nil)
        #expect(split(rows: 1, cols: 1 << 16, threads: 2, output: .rowState) == nil)
    }

    @Test(arguments: Output.allCases)
    func bitIdenticalToOneThread(_ output: Output) throws {
        for (rows, cols) in [(1, 8193), (1, 3 * 4096 + 17), (2, 20000), (3, 32768), (5, 9001)] {
            let (x, mask) = Self.batch(rows: rows, cols: cols, seed: UInt64(rows * cols))
            for algorithm in [SoftmaxAlgorithm.threePassReload, .threePassRecompute] {
                for temperature in [1.0, 0.7] {
                    for masked in [false, true] {
                        let m = masked ? mask : nil
                        var options = SoftmaxOptions(algorithm: algorithm, temperature: temperature, threads: 1)
                        let one = try run(output, x, mask: m, options)
                        for threads in [2, 3, 4] {
                            options.threads = threads
                            #expect(
                                try run(output, x, mask: m, options) == one, "\(rows)×\(cols) \(algorithm) T=\(temperature) mask \(masked) \(threads) threads")
                        }
                        options.threads = 2
                        options.streamingStores = true
                        #expect(try run(output, x, mask: m, options) == one, "\(rows)×\(cols) \(algorithm) streaming")
                    }
                }
            }
        }
    }

    /// In Double each block sum carries 53 bits, so the order the block sums are added in shows.
    @Test(arguments: Output.allCases)
    func doubleRowsBitIdenticalToOneThread(_ output: Output) throws {
        for (rows, cols) in [(1, 5 * 4096 + 3), (3, 20000)] {
            let (f, mask) = Self.batch(rows: rows, cols: cols, seed: 7)
            let x = Matrix(rows: rows, cols: cols, elements: f.elements.map { Double($0) * 1.000_000_1 })
            for masked in [false, true] {
                let one = try run(output, x, mask: masked ? mask : nil, SoftmaxOptions(threads: 1))
                #expect(try run(output, x, mask: masked ? mask : nil, SoftmaxOptions(threads: 2)) == one, "\(rows)×\(cols) mask \(masked)")
            }
        }
    }

    /// +∞ entries in two blocks, a NaN in a late block, a fully masked row and a row of finite
    /// values in one batch: the edge contract row by row, the same bits as one thread.
    @Test(arguments: Output.allCases)
    func edgeRowsAmongOrdinaryRows(_ output: Output) throws {
        let cols = 3 * blockElements + 5
        var (x, mask) = Self.batch(rows: 4, cols: cols, seed: 99)
        for c in 0..<cols { mask[0, c] = true; mask[1, c] = true; mask[2, c] = false; mask[3, c] = true }
        for c in 0..<cols where x[0, c].isNaN || x[1, c].isNaN || x[3, c].isNaN {
            x[0, c] = 1; x[1, c] = 1; x[3, c] = 1
        }
        x[0, 10] = .infinity
        x[0, 2 * blockElements + 1] = .infinity
        x[1, 3 * blockElements + 2] = .nan
        let one = try values(output, x, mask: mask, SoftmaxOptions(threads: 1))
        let values = try values(output, x, mask: mask, SoftmaxOptions(threads: 2))
        #expect(values.withUnsafeBytes { Array($0) } == one.withUnsafeBytes { Array($0) })
        switch output {
        case .softmax:
            #expect(values[10] == 0.5 && values[2 * blockElements + 1] == 0.5 && values[0..<cols].filter { $0 != 0 }.count == 2)
            #expect(values[cols..<(2 * cols)].allSatisfy { $0.isNaN })
            #expect(values[(2 * cols)..<(3 * cols)].allSatisfy { $0 == 0 })
            let sum = values[(3 * cols)...].reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - 1) < 1e-6)
        case .logSoftmax:
            #expect(abs(values[10] + 0.693_147_2) < 1e-7 && values[11] == -.infinity)
            #expect(values[cols..<(2 * cols)].allSatisfy { $0.isNaN })
            #expect(values[(2 * cols)..<(3 * cols)].allSatisfy { $0 == -.infinity })
        case .logSumExp:
            #expect(values[0] == .infinity && values[1].isNaN && values[2] == -.infinity && values[3].isFinite)
        }
    }

    @Test func inPlaceAndNestedInAnotherRegion() throws {
        let (x, _) = Self.batch(rows: 3, cols: 5 * blockElements, seed: 5)
        let clean = Matrix(rows: 3, cols: x.cols, elements: x.elements.map { $0.isNaN ? 0 : $0 })
        let one = try run(.softmax, clean, mask: nil, SoftmaxOptions(threads: 1))
        var inPlace = clean
        try inPlace.withMutableRowBatch { y in try ExactSoftmax.softmax(y.readOnly, into: y, options: SoftmaxOptions(threads: 2)) }
        #expect(inPlace.elements.withUnsafeBytes { Array($0) } == one)
        // Inside a parallel region the workers are busy: the blocks run on the calling thread.
        let results = UnsafeMutablePointer<Bool>.allocate(capacity: 2)
        defer { results.deallocate() }
        let shared = UnsafeSendable(results)
        RowParallel.forEachChunk(rows: 2, threads: 2) { range in
            for r in range {
                // An error fails the expectation below.
                do { shared.pointer[r] = try run(.softmax, clean, mask: nil, SoftmaxOptions(threads: 2)) == one } catch { shared.pointer[r] = false }
            }
        }
        #expect(results[0] && results[1])
    }
}
