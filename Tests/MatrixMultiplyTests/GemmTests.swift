import MatrixMultiply
import SoftmaxKit
import Testing

/// The packed matrix multiply against a plain triple loop in Double, on shapes that cross every
/// micro-tile, panel and block edge, with every transpose combination, α, β and thread count.
@Suite struct GemmTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
    }

    func check(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, alpha: Float = 1, beta: Float = 0, threads: Int = 1) {
        var g = Generator(state: UInt64(m * 7919 + n * 104_729 + k))
        let a = (0..<(m * k)).map { _ in g.next() }, b = (0..<(k * n)).map { _ in g.next() }
        let c0 = (0..<(m * n)).map { _ in g.next() }
        var c = c0
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                c.withUnsafeMutableBufferPointer { cb in
                    Gemm.multiply(
                        m: m, n: n, k: k, Gemm.Operand(ab.baseAddress!, ld: lda, transposed: transposeA),
                        Gemm.Operand(bb.baseAddress!, ld: ldb, transposed: transposeB),
                        into: cb.baseAddress!, ldc: n, alpha: alpha, beta: beta, threads: threads)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                    s += x * y
                }
                let expected = Double(alpha) * s + Double(beta) * Double(c0[i * n + j])
                worst = max(worst, abs(Double(c[i * n + j]) - expected))
            }
        }
        // float32 accumulation of k products of magnitude ≤ 1
        #expect(worst <= 2e-6 * Double(max(k, 1)), "m=\(m) n=\(n) k=\(k) tA=\(transposeA) tB=\(transposeB): \(worst)")
    }

    @Test(arguments: [(1, 1, 1), (7, 33, 5), (8, 32, 256), (9, 31, 257), (97, 513, 300), (130, 65, 600)])
    func matchesTheTripleLoop(_ shape: (Int, Int, Int)) {
        for ta in [false, true] {
            for tb in [false, true] { check(m: shape.0, n: shape.1, k: shape.2, transposeA: ta, transposeB: tb) }
        }
    }

    /// A pre-packed B gives bit for bit the product of the same B packed on the fly, across
    /// block edges in k (256) and n (512), both orientations and thread counts.
    @Test(arguments: [(5, 33, 7, false), (97, 600, 300, true), (200, 1152, 384, true), (16, 40, 1536, false)])
    func prePackedBEqualsPackingOnTheFly(_ shape: (Int, Int, Int, Bool)) {
        let (m, n, k, transposeB) = shape
        var g = Generator(state: UInt64(m + n + k))
        let a = (0..<(m * k)).map { _ in g.next() }, b = (0..<(k * n)).map { _ in g.next() }
        let ldb = transposeB ? k : n
        var direct = [Float](repeating: 1, count: m * n), packed = direct
        a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                let opB = Gemm.Operand(bb.baseAddress!, ld: ldb, transposed: transposeB)
                let pre = Gemm.PackedB(k: k, n: n, opB)
                direct.withUnsafeMutableBufferPointer {
                    Gemm.multiply(m: m, n: n, k: k, Gemm.Operand(ab.baseAddress!, ld: k), opB, into: $0.baseAddress!, ldc: n, beta: 0.5)
                }
                packed.withUnsafeMutableBufferPointer {
                    Gemm.multiply(m: m, Gemm.Operand(ab.baseAddress!, ld: k), pre, into: $0.baseAddress!, ldc: n, beta: 0.5, threads: 2)
                }
            }
        }
        #expect(direct == packed)
    }

    /// A bias given to the pre-packed product equals adding it to every row afterwards (to the
    /// rounding of one fused multiply-add), on full and edge tiles, over a k-block edge.
    @Test(arguments: [(5, 33, 7), (97, 600, 300)])
    func biasIsAddedToEveryRow(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var g = Generator(state: UInt64(3 * m + n))
        let a = (0..<(m * k)).map { _ in g.next() }, b = (0..<(k * n)).map { _ in g.next() }, bias = (0..<n).map { _ in g.next() }
        var plain = [Float](repeating: .nan, count: m * n), biased = plain
        a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                let pre = Gemm.PackedB(k: k, n: n, Gemm.Operand(bb.baseAddress!, ld: n))
                plain.withUnsafeMutableBufferPointer {
                    Gemm.multiply(m: m, Gemm.Operand(ab.baseAddress!, ld: k), pre, into: $0.baseAddress!, ldc: n, alpha: 0.5)
                }
                bias.withUnsafeBufferPointer { biasPointer in
                    biased.withUnsafeMutableBufferPointer {
                        Gemm.multiply(
                            m: m, Gemm.Operand(ab.baseAddress!, ld: k), pre, into: $0.baseAddress!, ldc: n, alpha: 0.5,
                            bias: biasPointer.baseAddress!, threads: 2)
                    }
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                let expected = plain[i * n + j] + bias[j]
                #expect(abs(biased[i * n + j] - expected) <= 1e-5 * max(1, abs(expected)), "(\(i), \(j))")
            }
        }
    }

    @Test func alphaBetaAndThreads() {
        check(m: 100, n: 70, k: 40, transposeA: false, transposeB: true, alpha: 0.5, beta: -2)
        check(m: 300, n: 70, k: 40, transposeA: false, transposeB: false, alpha: 1, beta: 1, threads: 3)
        check(m: 5, n: 6, k: 0, transposeA: false, transposeB: false, alpha: 1, beta: 0.5)
    }

    @Test func resultsDoNotDependOnThreads() {
        let m = 500, n = 200, k = 300
        var g = Generator(state: 3)
        let a = (0..<(m * k)).map { _ in g.next() }, b = (0..<(k * n)).map { _ in g.next() }
        func run(_ threads: Int) -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { ab in
                b.withUnsafeBufferPointer { bb in
                    c.withUnsafeMutableBufferPointer { cb in
                        Gemm.multiply(
                            m: m, n: n, k: k, Gemm.Operand(ab.baseAddress!, ld: k), Gemm.Operand(bb.baseAddress!, ld: n),
                            into: cb.baseAddress!, ldc: n, threads: threads)
                    }
                }
            }
            return c
        }
        #expect(run(1) == run(2) && run(1) == run(4))
        // The same with B packed once (a model's weights): rows split evenly over 1, 2 and 3 threads.
        let packed = b.withUnsafeBufferPointer { Gemm.PackedB(k: k, n: n, Gemm.Operand($0.baseAddress!, ld: n)) }
        func runPacked(_ threads: Int) -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { ab in
                c.withUnsafeMutableBufferPointer { cb in
                    Gemm.multiply(m: m, Gemm.Operand(ab.baseAddress!, ld: k), packed, into: cb.baseAddress!, ldc: n, threads: threads)
                }
            }
            return c
        }
        #expect(runPacked(1) == run(1) && runPacked(2) == run(1) && runPacked(3) == run(1))
    }

    /// Products of at most `Gemm.fewRows` rows against a pre-packed B (a decoder's step) take their
    /// own path: against the triple loop with α, β, a bias and a row stride wider than k, across
    /// panel (32), column-block (512) and depth-block (384) edges, bit-identical for every thread
    /// count, and the epilogue sees every column once.
    @Test(arguments: [(1, 1, 1), (1, 33, 7), (2, 513, 385), (3, 1100, 800), (4, 64, 384)])
    func fewRowsAgainstThePackedB(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape, lda = k + 3
        var g = Generator(state: UInt64(m * 31 + n * 7 + k))
        let a = (0..<(m * lda)).map { _ in g.next() }, b = (0..<(k * n)).map { _ in g.next() }, bias = (0..<n).map { _ in g.next() }
        let c0 = (0..<(m * n)).map { _ in g.next() }
        func run(_ threads: Int) -> ([Float], [Int]) {
            var c = c0
            let seen = UnsafeMutablePointer<Int>.allocate(capacity: n)
            seen.initialize(repeating: 0, count: n)
            defer { seen.deallocate() }
            let columns = UnsafeSendable(seen)
            a.withUnsafeBufferPointer { ab in
                b.withUnsafeBufferPointer { bb in
                    let pre = Gemm.PackedB(k: k, n: n, Gemm.Operand(bb.baseAddress!, ld: n))
                    bias.withUnsafeBufferPointer { biasPointer in
                        c.withUnsafeMutableBufferPointer { cb in
                            let origin = UnsafeSendable(cb.baseAddress!)
                            Gemm.multiply(
                                m: m, Gemm.Operand(ab.baseAddress!, ld: lda), pre, into: cb.baseAddress!, ldc: n, alpha: 0.5, beta: -1,
                                bias: biasPointer.baseAddress!,
                                epilogue: { block, rows, width, _ in
                                    precondition(rows == m)
                                    for j in 0..<width { columns.pointer[block - origin.pointer + j] += 1 }
                                }, threads: threads)
                        }
                    }
                }
            }
            return (c, Array(UnsafeBufferPointer(start: seen, count: n)))
        }
        let (c, seen) = run(1)
        #expect(seen == [Int](repeating: 1, count: n), "the epilogue must see each column once")
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[i * lda + p]) * Double(b[p * n + j]) }
                let expected = 0.5 * sum + Double(bias[j]) - Double(c0[i * n + j])
                worst = max(worst, abs(Double(c[i * n + j]) - expected))
            }
        }
        #expect(worst <= 2e-6 * Double(k), "m=\(m) n=\(n) k=\(k): \(worst)")
        #expect(run(2).0 == c && run(3).0 == c, "the thread count must not change the result")
        // The same rows inside a product of m + 8 rows (the blocked path): bit for bit.
        let extra = (0..<(8 * lda)).map { _ in g.next() }, a2 = a + extra
        var c2 = c0 + (0..<(8 * n)).map { _ in g.next() }
        a2.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                let pre = Gemm.PackedB(k: k, n: n, Gemm.Operand(bb.baseAddress!, ld: n))
                bias.withUnsafeBufferPointer { biasPointer in
                    c2.withUnsafeMutableBufferPointer {
                        Gemm.multiply(
                            m: m + 8, Gemm.Operand(ab.baseAddress!, ld: lda), pre, into: $0.baseAddress!, ldc: n, alpha: 0.5, beta: -1,
                            bias: biasPointer.baseAddress!)
                    }
                }
            }
        }
        #expect(Array(c2.prefix(m * n)) == c, "the few-rows path must equal the blocked path")
    }
}
