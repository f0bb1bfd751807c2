import Foundation
import SoftmaxKit
import Testing

/// BiViT's softmax-aware binarization against its definition in the probability form, written out
/// in float64, and its straight-through backward against central differences.
@Suite struct SoftmaxAwareBinarizationTests {
    let registry = MethodRegistry.standard

    /// SAB as the official code computes it: p = softmax(x) in float64, 1 where p ≥ r·max p.
    static func reference(_ x: [Double], ratio: Double) -> [Double] {
        let m = x.max() ?? -.infinity
        let e = x.map { exp($0 - m) }
        let s = e.reduce(0, +)
        let p = e.map { $0 / s }
        let top = p.max() ?? 0
        return p.map { $0 >= ratio * top ? 1 : 0 }
    }

    @Test(arguments: [0.25, 0.5, 1.0, 0.01])
    func matchesTheProbabilityFormAwayFromTheThreshold(ratio: Double) throws {
        var g = SplitMix64(seed: UInt64(ratio * 1000))
        var checked = 0
        for cols in [1, 2, 7, 64, 300] {
            for _ in 0..<20 {
                let x = (0..<cols).map { _ in 3 * g.normal() }
                let m = x.max()!
                // Acceptance data keep every entry at least 1e-6 from the threshold (spec §28).
                guard x.allSatisfy({ $0 == m || abs($0 - m + log(1 / ratio)) > 1e-6 }) else { continue }
                for dtype in [DType.float64, .float32] {
                    let input = Tensor(shape: [1, cols], x).converted(toFloat: dtype)
                    let y = try registry.call("bivit-sab", inputs: ["x": input], parameters: ["ratio": .number(ratio)])["y"]
                    let xs = try input.floatingPoint(as: Double.self, name: "x", rounding: false)
                    guard xs.allSatisfy({ $0 == xs.max()! || abs($0 - xs.max()! + log(1 / ratio)) > 1e-5 }) else { continue }
                    #expect(doubles(y) == Self.reference(xs, ratio: ratio), "cols \(cols) r \(ratio) \(dtype)")
                    checked += 1
                }
            }
        }
        #expect(checked > 150)
    }

    @Test func edgeRowsFollowTheSpec() throws {
        let inf = Double.infinity
        let rows: [[Double]] = [
            [0, -log(4), -log(4) - 1e-9, -inf],  // r = 0.25: the threshold itself is kept, masked gets 0
            [2, 2, 0, 2],  // ties at the maximum all kept (0 < 2 − ln 4)
            [-inf, -inf, -inf, -inf],  // fully masked: zeros
            [1, .nan, 0, 3],  // NaN row: NaN
            [inf, 5, inf, -inf],  // +∞ entries kept, the rest 0
        ]
        let y = doubles(try registry.call("bivit-sab", inputs: ["x": Tensor(shape: [5, 4], rows.flatMap { $0 })])["y"])
        #expect(Array(y[0..<4]) == [1, 1, 0, 0])
        #expect(Array(y[4..<8]) == [1, 1, 0, 1])
        #expect(Array(y[8..<12]) == [0, 0, 0, 0])
        #expect(y[12..<16].allSatisfy { $0.isNaN })
        #expect(Array(y[16..<20]) == [1, 0, 1, 0])
        let empty = try registry.call("bivit-sab", inputs: ["x": Tensor(shape: [2, 0], [Double]())])["y"]
        let emptyShape = empty?.shape
        #expect(emptyShape == [2, 0])
        let only = doubles(try registry.call("bivit-sab", inputs: ["x": Tensor(shape: [3], [1, 2, 3] as [Double])], parameters: ["ratio": .number(1)])["y"])
        #expect(only == [0, 0, 1], "r = 1 keeps only the maxima")
    }

    @Test func aKeepMaskHidesEntries() throws {
        let normalizer = try registry.method("bivit-sab").normalizer!(try registry.method("bivit-sab").resolve([:]))
        let x: [Float] = [3, 2.9, 0, 1]
        let keep = [false, true, true, true]
        var y = [Float](repeating: -1, count: 4)
        try x.withUnsafeBufferPointer { xb in
            try keep.withUnsafeBufferPointer { kb in
                try y.withUnsafeMutableBufferPointer { yb in
                    try normalizer.normalize(
                        RowBatch(xb, rows: 1, cols: 4), into: MutableRowBatch(yb, rows: 1, cols: 4), mask: RowBatch(kb, rows: 1, cols: 4),
                        threads: 1)
                }
            }
        }
        #expect(y == [0, 1, 0, 0], "the hidden maximum neither counts nor is kept")
    }

    @Test func badRatiosAreRejectedByName() {
        let x = Tensor(shape: [2], [1, 2] as [Double])
        for bad in [0.0, -0.5, 1.5] {
            let error = #expect(throws: RegistryError.self) {
                try registry.call("bivit-sab", inputs: ["x": x], parameters: ["ratio": .number(bad)])
            }
            #expect(error?.description.contains("'ratio'") == true, "\(bad)")
        }
    }

    /// The backward is softmax's Jacobian-vector product: ∂/∂x of Σ gⱼ·softmax(x)ⱼ.
    @Test func backwardIsTheSoftmaxGradient() throws {
        var g = SplitMix64(seed: 28)
        for cols in [1, 3, 17] {
            let x = (0..<(2 * cols)).map { _ in 2 * g.normal() }
            let up = (0..<(2 * cols)).map { _ in g.normal() }
            let dx = doubles(
                try registry.call("bivit-sab-backward", inputs: ["x": Tensor(shape: [2, cols], x), "g": Tensor(shape: [2, cols], up)])["dx"])
            for r in 0..<2 {
                func loss(_ row: [Double]) -> Double {
                    let m = row.max()!
                    let e = row.map { exp($0 - m) }
                    let s = e.reduce(0, +)
                    return zip(e, up[(r * cols)..<(r * cols + cols)]).map { $0 / s * $1 }.reduce(0, +)
                }
                let row = Array(x[(r * cols)..<(r * cols + cols)])
                for j in 0..<cols {
                    var plus = row, minus = row
                    plus[j] += 1e-6
                    minus[j] -= 1e-6
                    let numeric = (loss(plus) - loss(minus)) / 2e-6
                    #expect(abs(dx[r * cols + j] - numeric) < 1e-8, "cols \(cols) row \(r) j \(j)")
                }
            }
        }
        let special: [Double] = [-.infinity, -.infinity, .nan, 1]
        let masked = doubles(
            try registry.call(
                "bivit-sab-backward", inputs: ["x": Tensor(shape: [2, 2], special), "g": Tensor(shape: [2, 2], [1, 2, 3, 4] as [Double])])["dx"])
        #expect(Array(masked[0..<2]) == [0, 0])
        #expect(masked[2...].allSatisfy { $0.isNaN })
    }
}
