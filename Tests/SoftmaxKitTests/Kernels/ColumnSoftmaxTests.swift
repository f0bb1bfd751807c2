import SoftmaxKit
import Testing

/// Softmax along the middle axis of `[outer, n, inner]` without gathering: against the float64
/// reference over the named distributions, against the row kernels on the transposed data, the edge
/// contract per column, in place, threads.
@Suite struct ColumnSoftmaxTests {
    /// `x[o][r][i]` as a flat C-ordered array, column `(o, i)` drawn from `column(o, i)`.
    func block<T: KernelScalar>(outer: Int, n: Int, inner: Int, _ column: (Int, Int) -> [T]) -> [T] {
        var x = [T](repeating: 0, count: outer * n * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let c = column(o, i)
                for r in 0..<n { x[(o * n + r) * inner + i] = c[r] }
            }
        }
        return x
    }

    func column<T: KernelScalar>(_ y: [T], o: Int, i: Int, n: Int, inner: Int) -> [Double] {
        (0..<n).map { Double(y[(o * n + $0) * inner + i]) }
    }

    func run<T: KernelScalar>(_ x: [T], outer: Int, n: Int, inner: Int, log: Bool = false, options: SoftmaxOptions = SoftmaxOptions()) throws -> [T] {
        var y = [T](repeating: .nan, count: x.count)
        try x.withUnsafeBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                try ColumnSoftmax.run(xb.baseAddress!, into: yb.baseAddress!, outer: outer, count: n, inner: inner, log: log, options: options)
            }
        }
        return y
    }

    func matchesReference<T: KernelScalar>(_: T.Type) throws {
        // Inner widths around the vector width (whole vectors, a tail, scalar-only) and lengths
        // from one element to past the L1 cache.
        for (outer, n, inner) in [(1, 1, 16), (2, 5, 17), (1, 1000, 16), (3, 129, 40), (1, 7, 3), (2, 4097, 9)] {
            for (name, rows) in TestRows.all(n, seed: UInt64(n * 131 + inner), as: T.self) {
                let x: [T] = block(outer: outer, n: n, inner: inner) { o, i in
                    (0..<n).map { rows[($0 + 7 * i + 3 * o) % n] * T(1 + 0.01 * Double(i)) }
                }
                let tol = ExactTolerance.of(T.self, length: n)
                for temperature in [1.0, 0.7] {
                    let options = SoftmaxOptions(temperature: temperature)
                    let y = try run(x, outer: outer, n: n, inner: inner, options: options)
                    let l = try run(x, outer: outer, n: n, inner: inner, log: true, options: options)
                    var worst = 0.0, worstLog = 0.0, worstSum = 0.0
                    for o in 0..<outer {
                        for i in 0..<inner {
                            // The kernels compute on x·(1/T) rounded to T, as frameworks scale logits first.
                            let xd = column(x, o: o, i: i, n: n, inner: inner).map { Double(T($0) * T(1 / temperature)) }
                            let ref = SoftmaxReference.softmax(xd), refLog = SoftmaxReference.logSoftmax(xd)
                            let got = column(y, o: o, i: i, n: n, inner: inner), gotLog = column(l, o: o, i: i, n: n, inner: inner)
                            for r in 0..<n where ref[r] >= tol.smallestChecked { worst = max(worst, abs(got[r] - ref[r]) / ref[r]) }
                            for r in 0..<n { worstLog = max(worstLog, abs(gotLog[r] - refLog[r]) / max(1, abs(refLog[r]))) }
                            worstSum = max(worstSum, abs(got.reduce(0, +) - 1))
                        }
                    }
                    let label = "\(T.self) [\(outer), \(n), \(inner)] \(name) T=\(temperature)"
                    #expect(worst <= tol.softmaxRelative, "\(label): relative error \(worst)")
                    #expect(worstSum <= tol.rowSum, "\(label): row sum off by \(worstSum)")
                    #expect(worstLog <= tol.logSoftmaxAbsolute, "\(label): log-softmax error \(worstLog)")
                }
            }
        }
    }

    @Test func floatMatchesTheReference() throws { try matchesReference(Float.self) }
    @Test func doubleMatchesTheReference() throws { try matchesReference(Double.self) }

    @Test func everyColumnKeepsTheEdgeContract() throws {
        // Column 0: a NaN; 1: two +∞; 2: fully masked; 3: partly masked; the rest finite. One
        // vector of columns holds them all, so the finite neighbours take the edge path too.
        let (n, inner) = (5, 20)
        let x: [Float] = block(outer: 1, n: n, inner: inner) { _, i in
            switch i {
            case 0: [1, .nan, 2, 3, 4]
            case 1: [.infinity, 0, .infinity, -.infinity, 5]
            case 2: [Float](repeating: -.infinity, count: n)
            case 3: [-.infinity, 0, -.infinity, 0, -.infinity]
            default: (0..<n).map { Float($0 + i) * 0.5 }
            }
        }
        for log in [false, true] {
            let y = try run(x, outer: 1, n: n, inner: inner, log: log)
            let c0 = column(y, o: 0, i: 0, n: n, inner: inner), c1 = column(y, o: 0, i: 1, n: n, inner: inner)
            let c2 = column(y, o: 0, i: 2, n: n, inner: inner), c3 = column(y, o: 0, i: 3, n: n, inner: inner)
            #expect(c0.allSatisfy { $0.isNaN }, "NaN column: \(c0)")
            #expect(c1 == (log ? [-0.6931471824645996, -.infinity, -0.6931471824645996, -.infinity, -.infinity] : [0.5, 0, 0.5, 0, 0]), "+∞ column: \(c1)")
            #expect(c2 == [Double](repeating: log ? -.infinity : 0, count: n), "masked column: \(c2)")
            let half = log ? -0.6931471824645996 : 0.5
            #expect(c3.enumerated().allSatisfy { $0.offset % 2 == 0 ? $0.element == (log ? -.infinity : 0) : abs($0.element - half) < 1e-6 }, "\(c3)")
            for i in 4..<inner {
                let ref =
                    log
                    ? SoftmaxReference.logSoftmax(column(x, o: 0, i: i, n: n, inner: inner))
                    : SoftmaxReference.softmax(column(x, o: 0, i: i, n: n, inner: inner))
                let got = column(y, o: 0, i: i, n: n, inner: inner)
                #expect(zip(got, ref).allSatisfy { abs($0 - $1) < 1e-6 }, "column \(i): \(got) vs \(ref)")
            }
        }
    }

    /// Wide blocks run whole vectors of columns in groups, row by row; every column must come out
    /// as it does computed alone (one column: the lane-by-lane path), bit for bit — edge columns
    /// (NaN, +∞, fully masked) scattered among finite ones, in several groups and the tail.
    func everyColumnOfAWideBlockEqualsItAlone<T: KernelScalar>(_: T.Type) throws {
        // Past 1 MiB per outer block, so that it runs in groups of vectors (`vectorsPerUnit`).
        let outer = 1, inner = T.Vector.scalarCount * (ColumnSoftmax.group * 2 + 3) + 5
        let n = (1 << 20) / (inner * MemoryLayout<T>.size) + 3
        #expect(ColumnSoftmax.vectorsPerUnit(count: n, inner: inner, elementBytes: MemoryLayout<T>.size) == ColumnSoftmax.group)
        var g = SplitMix64(seed: 11)
        let x: [T] = block(outer: outer, n: n, inner: inner) { o, i in
            var c = (0..<n).map { _ in T(4 * g.normal()) }
            switch (i + o) % 23 {
            case 3: c[n / 2] = .nan
            case 7: (c[0], c[n - 9]) = (.infinity, .infinity)
            case 11: c = [T](repeating: -.infinity, count: n)
            case 13: c[n - 1] = -.infinity
            default: break
            }
            return c
        }
        for (log, temperature) in [(false, 1.0), (true, 0.7)] {
            do {
                let options = SoftmaxOptions(temperature: temperature)
                let y = try run(x, outer: outer, n: n, inner: inner, log: log, options: options)
                var inPlace = x
                try inPlace.withUnsafeMutableBufferPointer { b in
                    try ColumnSoftmax.run(UnsafePointer(b.baseAddress!), into: b.baseAddress!, outer: outer, count: n, inner: inner, log: log, options: options)
                }
                var mismatches = 0
                for o in 0..<outer {
                    for i in 0..<inner {
                        let alone = try run((0..<n).map { x[(o * n + $0) * inner + i] }, outer: 1, n: n, inner: 1, log: log, options: options)
                        for r in 0..<n {
                            let (a, b, c) = (y[(o * n + r) * inner + i], inPlace[(o * n + r) * inner + i], alone[r])
                            if !(a == c || (a.isNaN && c.isNaN)) || !(b == c || (b.isNaN && c.isNaN)) { mismatches += 1 }
                        }
                    }
                }
                #expect(mismatches == 0, "\(T.self) log=\(log) T=\(temperature): \(mismatches) elements differ from their column alone")
            }
        }
    }

    @Test func blocksPastL2SweepGroupsOfVectors() {
        #expect(ColumnSoftmax.vectorsPerUnit(count: 64, inner: 1000, elementBytes: 4) == 1)
        #expect(ColumnSoftmax.vectorsPerUnit(count: 256, inner: 1024, elementBytes: 4) == 1)
        #expect(ColumnSoftmax.vectorsPerUnit(count: 256, inner: 1025, elementBytes: 4) == ColumnSoftmax.group)
        #expect(ColumnSoftmax.vectorsPerUnit(count: 256, inner: 4096, elementBytes: 4) == ColumnSoftmax.group)
        #expect(ColumnSoftmax.vectorsPerUnit(count: Int.max, inner: 3, elementBytes: 8) == ColumnSoftmax.group)
    }

    @Test func floatWideBlocksEqualEachColumnAlone() throws { try everyColumnOfAWideBlockEqualsItAlone(Float.self) }
    @Test func doubleWideBlocksEqualEachColumnAlone() throws { try everyColumnOfAWideBlockEqualsItAlone(Double.self) }

    @Test func inPlaceAndAnyThreadCountGiveTheSameBits() throws {
        let (outer, n, inner) = (3, 300, 50)
        var g = SplitMix64(seed: 7)
        let x: [Float] = (0..<(outer * n * inner)).map { _ in Float(3 * g.normal()) }
        let one = try run(x, outer: outer, n: n, inner: inner, options: SoftmaxOptions(threads: 1))
        for threads in [2, 3, 8] {
            let many = try run(x, outer: outer, n: n, inner: inner, options: SoftmaxOptions(threads: threads))
            #expect(many == one, "\(threads) threads")
        }
        var inPlace = x
        try inPlace.withUnsafeMutableBufferPointer { b in
            try ColumnSoftmax.run(UnsafePointer(b.baseAddress!), into: b.baseAddress!, outer: outer, count: n, inner: inner)
        }
        #expect(inPlace == one)
    }

    @Test func aBadTemperatureIsAnError() {
        let x = [Float](repeating: 0, count: 32)
        for t in [0.0, -1, .nan, .infinity] {
            #expect(throws: SoftmaxError.self, "T = \(t)") { try run(x, outer: 1, n: 2, inner: 16, options: SoftmaxOptions(temperature: t)) }
        }
    }
}
