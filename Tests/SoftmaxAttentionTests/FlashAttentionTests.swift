import Foundation
import SoftmaxAttention
import SoftmaxKit
import Testing

/// The tiled Float engine against the readable Double reference, on odd sizes, masks, both causal
/// alignments, windows, soft-capping, bias and grouped-query heads; its error is held to twice that
/// of a naive Float implementation (the FlashAttention test rule).
@Suite struct FlashAttentionTests {
    struct Case: CustomStringConvertible, Sendable {
        var shape: AttentionShape
        var options = AttentionOptions(threads: 1)
        var maskDims: [Int]? = nil
        var biasDims: [Int]? = nil
        var description: String {
            "B\(shape.batch) H\(shape.heads)/\(shape.kvHeads) Nq\(shape.queries) Nk\(shape.keys) D\(shape.headDim)/\(shape.valueDim) "
                + "causal \(options.causal?.rawValue ?? "-") window \(options.window.map { "\($0.left),\($0.right)" } ?? "-") "
                + "softcap \(options.softcap ?? 0) mask \(maskDims.map { "\($0)" } ?? "-") bias \(biasDims.map { "\($0)" } ?? "-")"
        }
    }

    static let cases: [Case] = [
        Case(shape: AttentionShape(queries: 1, keys: 1, headDim: 4)),
        Case(shape: AttentionShape(queries: 63, keys: 65, headDim: 60)),
        Case(shape: AttentionShape(batch: 2, heads: 4, kvHeads: 2, queries: 65, keys: 63, headDim: 16, valueDim: 24)),
        Case(
            shape: AttentionShape(heads: 3, kvHeads: 1, queries: 130, keys: 300, headDim: 32),
            options: AttentionOptions(causal: .bottomRight, threads: 2)),
        Case(shape: AttentionShape(queries: 200, keys: 200, headDim: 64), options: AttentionOptions(causal: .topLeft, threads: 1)),
        Case(shape: AttentionShape(queries: 100, keys: 257, headDim: 32), options: AttentionOptions(causal: .topLeft, threads: 1)),
        Case(
            shape: AttentionShape(queries: 150, keys: 150, headDim: 16),
            options: AttentionOptions(causal: .topLeft, window: (left: 20, right: 0), threads: 1)),
        Case(shape: AttentionShape(queries: 90, keys: 140, headDim: 16), options: AttentionOptions(window: (left: 7, right: 11), softcap: 5, threads: 1)),
        Case(shape: AttentionShape(batch: 2, heads: 2, queries: 70, keys: 500, headDim: 20), maskDims: [2, 1, 1, 500], biasDims: [70, 500]),
        Case(shape: AttentionShape(heads: 2, queries: 40, keys: 129, headDim: 8), maskDims: [40, 129]),
    ]

    func random(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in scale * g.normal() }
    }

    @Test(arguments: cases)
    func matchesTheReference(_ c: Case) throws {
        let s = c.shape
        let q = random(s.queryCount, seed: 1, scale: 1.5), k = random(s.keyCount, seed: 2, scale: 1.5), v = random(s.valueCount, seed: 3)
        let maskCount = c.maskDims?.reduce(1, *) ?? 0
        var g = SeededGenerator(seed: 4)
        var keep = (0..<maskCount).map { _ in g.normal() > -0.8 }
        if maskCount > 0 { for j in 0..<min(40, maskCount) { keep[j] = false } }  // fully masked rows too
        let bias = random(c.biasDims?.reduce(1, *) ?? 0, seed: 5)
        // Double reference, naive Float, flash Float.
        var ref = [Double](repeating: 0, count: s.outputCount), refLSE = [Double](repeating: 0, count: s.batch * s.heads * s.queries)
        var naive = [Float](repeating: 0, count: s.outputCount)
        var flash = [Float](repeating: .nan, count: s.outputCount), flashLSE = [Float](repeating: .nan, count: refLSE.count)
        let qf = q.map { Float($0) }, kf = k.map { Float($0) }, vf = v.map { Float($0) }, bf = bias.map { Float($0) }
        let qd = qf.map { Double($0) }, kd = kf.map { Double($0) }, vd = vf.map { Double($0) }, bd = bf.map { Double($0) }
        try keep.withUnsafeBufferPointer { mb in
            let mask = try c.maskDims.map { try AttentionMask(mb.baseAddress!, dims: $0, for: s) }
            try bd.withUnsafeBufferPointer { bb in
                try NaiveAttention.run(
                    q: qd, k: kd, v: vd, shape: s, mask: mask,
                    bias: try c.biasDims.map { try ScoreBroadcast(bb.baseAddress!, dims: $0, for: s, name: "bias") },
                    options: c.options, output: &ref, logSumExp: &refLSE)
            }
            try bf.withUnsafeBufferPointer { bb in
                let biasF = try c.biasDims.map { try ScoreBroadcast(bb.baseAddress!, dims: $0, for: s, name: "bias") }
                try NaiveAttention.run(q: qf, k: kf, v: vf, shape: s, mask: mask, bias: biasF, options: c.options, output: &naive)
                try FlashAttention.run(
                    q: qf, k: kf, v: vf, shape: s, mask: mask, bias: biasF, options: c.options,
                    output: &flash, logSumExp: &flashLSE)
            }
        }
        let naiveError = zip(naive, ref).map { abs(Double($0) - $1) }.max() ?? 0
        let flashError = zip(flash, ref).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(!flash.contains { $0.isNaN }, "\(c)")
        #expect(flashError <= max(2 * naiveError, 1e-6), "\(c): flash \(flashError), naive \(naiveError)")
        for (a, r) in zip(flashLSE, refLSE) {
            #expect((a == -.infinity && r == -.infinity) || abs(Double(a) - r) <= 1e-5 * max(1, abs(r)), "\(c): lse \(a) vs \(r)")
        }
        // Fully masked rows give zeros.
        for (i, r) in refLSE.enumerated() where r == -.infinity {
            #expect(flash[(i * s.valueDim)..<((i + 1) * s.valueDim)].allSatisfy { $0 == 0 })
        }
    }

    @Test func resultsDoNotDependOnThreads() throws {
        let s = AttentionShape(heads: 4, queries: 300, keys: 300, headDim: 32)
        let q = random(s.queryCount, seed: 7).map { Float($0) }, k = random(s.keyCount, seed: 8).map { Float($0) }
        let v = random(s.valueCount, seed: 9).map { Float($0) }
        func run(_ threads: Int) throws -> [Float] {
            var out = [Float](repeating: 0, count: s.outputCount)
            try FlashAttention.run(q: q, k: k, v: v, shape: s, options: AttentionOptions(causal: .topLeft, threads: threads), output: &out)
            return out
        }
        #expect(try run(1) == run(2) && run(1) == run(3))
    }

    @Test func badShapesAndOptionsAreErrors() {
        let x = [Float](repeating: 0, count: 64)
        var out = [Float](repeating: 0, count: 64)
        #expect(throws: AttentionError.self) {
            try FlashAttention.run(q: x, k: x, v: x, shape: AttentionShape(heads: 3, kvHeads: 2, queries: 1, keys: 1, headDim: 4), output: &out)
        }
        #expect(throws: AttentionError.self) {
            try FlashAttention.run(
                q: x, k: x, v: x, shape: AttentionShape(queries: 2, keys: 2, headDim: 4),
                options: AttentionOptions(softcap: -1), output: &out)
        }
        let keep = [Bool](repeating: true, count: 6)
        #expect(throws: AttentionError.self) {
            _ = try keep.withUnsafeBufferPointer { try AttentionMask($0.baseAddress!, dims: [2, 3], for: AttentionShape(queries: 2, keys: 2, headDim: 4)) }
        }
    }
}

/// Split-KV: attention over two key blocks, merged, equals attention over all keys.
@Suite struct AttentionMergeTests {
    @Test(arguments: [1, 37, 64, 99])
    func mergedHalvesEqualTheWhole(_ split: Int) throws {
        let s = AttentionShape(heads: 2, queries: 50, keys: 100, headDim: 16)
        var g = SeededGenerator(seed: 21)
        let q = (0..<s.queryCount).map { _ in Float(g.normal()) }
        let k = (0..<s.keyCount).map { _ in Float(g.normal()) }, v = (0..<s.valueCount).map { _ in Float(g.normal()) }
        func part(_ range: Range<Int>) throws -> ([Float], [Float]) {
            let n = range.count
            var kp: [Float] = [], vp: [Float] = []
            for h in 0..<2 {
                kp += k[((h * 100 + range.lowerBound) * 16)..<((h * 100 + range.upperBound) * 16)]
                vp += v[((h * 100 + range.lowerBound) * 16)..<((h * 100 + range.upperBound) * 16)]
            }
            let shape = AttentionShape(heads: 2, queries: 50, keys: n, headDim: 16)
            var out = [Float](repeating: 0, count: shape.outputCount), lse = [Float](repeating: 0, count: 100)
            // Scale of the whole problem (1/√16) — the same for both parts.
            try FlashAttention.run(q: q, k: kp, v: vp, shape: shape, options: AttentionOptions(threads: 1), output: &out, logSumExp: &lse)
            return (out, lse)
        }
        let (whole, wholeLSE) = try part(0..<100)
        let (a, la) = try part(0..<split), (b, lb) = try part(split..<100)
        var merged = [Float](repeating: 0, count: whole.count), mergedLSE = [Float](repeating: 0, count: 100)
        AttentionMerge.merge(a, la, b, lb, rows: 100, valueDim: 16, into: &merged, lse: &mergedLSE)
        for (x, y) in zip(merged, whole) { #expect(abs(x - y) <= 2e-6) }
        for (x, y) in zip(mergedLSE, wholeLSE) { #expect(abs(x - y) <= 2e-6 * max(1, abs(y))) }
    }

    @Test func emptyPartsHaveNoWeight() {
        let o1: [Double] = [1, 2], l1: [Double] = [-.infinity], o2: [Double] = [3, 4], l2: [Double] = [0.5]
        var out = [Double](repeating: 9, count: 2), lse = [Double](repeating: 9, count: 1)
        AttentionMerge.merge(o1, l1, o2, l2, rows: 1, valueDim: 2, into: &out, lse: &lse)
        #expect(out == [3, 4] && lse == [0.5])
        AttentionMerge.merge(o1, l1, o1, l1, rows: 1, valueDim: 2, into: &out, lse: &lse)
        #expect(out == [0, 0] && lse == [-.infinity])
    }
}
