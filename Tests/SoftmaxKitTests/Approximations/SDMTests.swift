import Foundation
import SoftmaxKit
import Testing

/// The SDM activation, its loss and its helpers against the formulas of Schmaltz (2025) written out
/// directly in float64.
@Suite struct SDMTests {
    let registry = MethodRegistry.standard

    /// `(2+q)^{d·zᵢ} / Σ (2+q)^{d·z_c}` with `pow`, on rows small enough not to overflow.
    static func reference(_ z: [Double], q: Double, d: Double) -> [Double] {
        let terms = z.map { pow(2 + q, d * $0) }
        let sum = terms.reduce(0, +)
        return terms.map { $0 / sum }
    }

    func rows(_ count: Int, _ cols: Int, seed: UInt64) -> [Double] {
        var g = SplitMix64(seed: seed)
        return (0..<(count * cols)).map { _ in 3 * g.normal() }
    }

    @Test func activationAndItsLogMatchTheFormula() throws {
        let (n, c) = (6, 9)
        let z = rows(n, c, seed: 27)
        let q: [Double] = [0, M_E - 2, 1, 5, 40, 0.3], d: [Double] = [1, 1, 0.5, 0.1, 0.9, 0]
        for dtype in [DType.float64, .float32] {
            let input = Tensor(shape: [n, c], z).converted(toFloat: dtype)
            let zs = try input.floatingPoint(as: Double.self, name: "z", rounding: false)
            let inputs = ["z": input, "q": Tensor(shape: [n], q), "d": Tensor(shape: [n], d)]
            let y = doubles(try registry.call("sdm-activation", inputs: inputs)["y"])
            let logY = doubles(try registry.call("sdm-log-activation", inputs: inputs)["y"])
            let tolerance = dtype == .float64 ? 1e-14 : 1e-6
            for r in 0..<n {
                let want = Self.reference(Array(zs[(r * c)..<(r * c + c)]), q: q[r], d: d[r])
                for j in 0..<c {
                    #expect(abs(y[r * c + j] - want[j]) <= tolerance * max(want[j], 1e-30) + 1e-300, "row \(r) \(dtype)")
                    #expect(abs(logY[r * c + j] - log(want[j]) / log(2 + q[r])) <= tolerance * 10, "log row \(r) \(dtype)")
                }
            }
            // d = 0 (row 5) is uniform; q = e − 2, d = 1 (row 1) is softmax.
            #expect(y[(5 * c)..<(6 * c)].allSatisfy { abs($0 - 1 / Double(c)) < tolerance })
        }
        let softmax = doubles(try registry.call("softmax", inputs: ["x": Tensor(shape: [n, c], z)])["y"])
        let defaults = doubles(try registry.call("sdm-activation", inputs: ["z": Tensor(shape: [n, c], z)])["y"])
        for (a, b) in zip(softmax, defaults) { #expect(abs(a - b) < 1e-15, "q = e − 2, d = 1 is softmax") }
    }

    @Test func edgeRows() throws {
        let inf = Double.infinity
        let z: [Double] = [1, .nan, 2, -inf, -inf, -inf, inf, 1, inf, 3, -inf, 5]
        for d in [1.0, 0.0] {
            let y = doubles(try registry.call("sdm-activation", inputs: ["z": Tensor(shape: [4, 3], z)], parameters: ["d": .number(d)])["y"])
            #expect(y[0..<3].allSatisfy { $0.isNaN })
            #expect(Array(y[3..<6]) == [0, 0, 0], "fully masked")
            let third = 1.0 / 3
            let plusInfinityRow: [Double] = d == 1 ? [0.5, 0, 0.5] : [third, third, third]
            #expect(Array(y[6..<9]) == plusInfinityRow, "+∞ row with d = \(d)")
            #expect(y[10] == 0 && abs(y[9] + y[11] - 1) < 1e-15, "−∞ entries get 0 with d = \(d)")
        }
        let empty = try registry.call("sdm-activation", inputs: ["z": Tensor(shape: [2, 0], [Double]())])["y"]
        let emptyShape = empty?.shape
        #expect(emptyShape == [2, 0])
        let big = doubles(try registry.call("sdm-activation", inputs: ["z": Tensor(shape: [3], [1e308, -1e308, 1e308])], parameters: ["q": .number(50)])["y"])
        #expect(big == [0.5, 0, 0.5], "finite logits up to the maximum give a distribution")
    }

    @Test func lossAndItsGradient() throws {
        let (n, c) = (4, 5)
        let z = rows(n, c, seed: 99)
        let q: [Double] = [0, 2, 7, M_E - 2], d: [Double] = [0.8, 1, 0.3, 0]
        let labels: [Int64] = [0, 4, 2, 1]
        let out = try registry.call(
            "sdm-loss",
            inputs: [
                "z": Tensor(shape: [n, c], z), "q": Tensor(shape: [n], q), "d": Tensor(shape: [n], d), "labels": Tensor(shape: [n], storage: .int64(labels)),
            ])
        let perExample = doubles(out["per_example"]), grad = doubles(out["grad_z"])
        func loss(_ row: [Double], _ r: Int) -> Double { -log(Self.reference(row, q: q[r], d: d[r])[Int(labels[r])]) / log(2 + q[r]) }
        for r in 0..<n {
            let row = Array(z[(r * c)..<(r * c + c)])
            #expect(abs(perExample[r] - loss(row, r)) < 1e-13)
            for j in 0..<c {
                var plus = row, minus = row
                plus[j] += 1e-6
                minus[j] -= 1e-6
                #expect(abs(grad[r * c + j] - (loss(plus, r) - loss(minus, r)) / 2e-6) < 1e-8, "row \(r) class \(j)")
            }
        }
        #expect(abs(doubles(out["loss"])[0] - perExample.reduce(0, +) / Double(n)) < 1e-15)
        let error = #expect(throws: LossError.self) {
            try registry.call("sdm-loss", inputs: ["z": Tensor(shape: [1, 3], [1, 2, 3] as [Double]), "labels": Tensor(shape: [1], storage: .int64([3]))])
        }
        #expect(error?.description.contains("labels[0] = 3") == true)
    }

    @Test func similarityDistanceAndRescaling() throws {
        // ŷ = 1, 0, 2. Neighbours (label, prediction), nearest first.
        let z = Tensor(shape: [3, 3], [0, 5, 1, 9, 2, 2, 1, 1, 3] as [Double])
        let labels = Tensor(shape: [3, 4], storage: .int64([1, 1, 0, 1, 0, 0, 0, 1, 2, 0, 2, 2]))
        let predictions = Tensor(shape: [3, 4], storage: .int64([1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2]))
        let s = try registry.call("sdm-similarity", inputs: ["z": z, "nn_labels": labels, "nn_predictions": predictions])
        #expect(doubles(s["q"]) == [2, 3, 1])
        #expect(s["yhat"] == Tensor(shape: [3], storage: .int64([1, 0, 2])))
        let skipped = try registry.call(
            "sdm-similarity", inputs: ["z": z, "nn_labels": labels, "nn_predictions": predictions], parameters: ["exclude_first": .boolean(true)])
        #expect(doubles(skipped["q"]) == [1, 2, 0])

        // Class 0's calibration distances with q > 0: [1, 2, 2, 4]; class 1: [3]; class 2: none.
        let calibration: [String: Tensor] = [
            "d_nearest": Tensor(shape: [4], [2, -1, 10, 3] as [Double]),
            "cal_d_nearest": Tensor(shape: [6], [2, 1, 4, 2, 3, 0.5] as [Double]),
            "cal_labels": Tensor(shape: [6], storage: .int64([0, 0, 0, 0, 1, 1])),
            "cal_q": Tensor(shape: [6], [1, 3, 1, 2, 5, 0] as [Double]),
        ]
        let left = try registry.call("sdm-distance-quantile", inputs: calibration, parameters: ["num_classes": .number(3)])
        #expect(doubles(left["d_per_class"]) == [0.75, 1, 0, 1, 1, 0, 0, 0, 0, 0.25, 1, 0])
        #expect(doubles(left["d"]) == [0, 0, 0, 0], "an empty class gives 0, the minimum")
        let two = calibration.merging(["cal_labels": Tensor(shape: [6], storage: .int64([0, 0, 0, 0, 1, 1]))]) { $1 }
        let right = try registry.call("sdm-distance-quantile", inputs: two, parameters: ["num_classes": .number(2), "side": .string("right")])
        #expect(doubles(right["d_per_class"]) == [0.25, 1, 1, 1, 0, 0, 0.25, 0])
        #expect(doubles(right["d"]) == [0.25, 1, 0, 0])

        let rescaled = doubles(
            try registry.call(
                "sdm-rescaled-similarity",
                inputs: ["q": Tensor(shape: [3], [0, 3, 100] as [Double]), "sdm_pred": Tensor(shape: [3], [0.9, 0.5, 1] as [Double])])["q_prime"])
        #expect(rescaled[0] == 0 && abs(rescaled[1] - pow(5, 0.5)) < 1e-15 && rescaled[2] == 100)
    }

    @Test func badInputsAreNamed() throws {
        let z = Tensor(shape: [2, 3], [Double](repeating: 0, count: 6))
        let negative = #expect(throws: TensorError.self) {
            try registry.call("sdm-activation", inputs: ["z": z, "q": Tensor(shape: [2], [1, -1] as [Double])])
        }
        #expect(negative?.description == "input 'q' holds -1.0 at index 1; expected a finite value ≥ 0")
        #expect(throws: TensorError.self) { try registry.call("sdm-activation", inputs: ["z": z, "d": Tensor(shape: [3], [1, 1, 1] as [Double])]) }
        #expect(throws: RegistryError.self) { try registry.call("sdm-activation", inputs: ["z": z], parameters: ["d": .number(-1)]) }
        #expect(throws: TensorError.self) {
            try registry.call(
                "sdm-distance-quantile",
                inputs: [
                    "d_nearest": Tensor(shape: [1], [1] as [Double]), "cal_d_nearest": Tensor(shape: [1], [1] as [Double]),
                    "cal_labels": Tensor(shape: [1], storage: .int64([2])), "cal_q": Tensor(shape: [1], [1] as [Double]),
                ])
        }
    }

    /// As a normalizer (one q and d for all rows) and along another axis with per-row inputs.
    @Test func normalizerAndAxis() throws {
        let method = try registry.method("sdm-activation")
        let normalizer = try method.normalizer!(try method.resolve(["q": .number(3), "d": .number(0.5)]))
        let z = rows(2, 4, seed: 5)
        var y = [Double](repeating: 0, count: 8)
        try z.withUnsafeBufferPointer { zb in
            try y.withUnsafeMutableBufferPointer { yb in
                try normalizer.normalize(RowBatch(zb, rows: 2, cols: 4), into: MutableRowBatch(yb, rows: 2, cols: 4), mask: nil, threads: 1)
            }
        }
        for r in 0..<2 {
            for (a, b) in zip(y[(r * 4)..<(r * 4 + 4)], Self.reference(Array(z[(r * 4)..<(r * 4 + 4)]), q: 3, d: 0.5)) { #expect(abs(a - b) < 1e-15) }
        }
        // Rows along axis 0 of a 4 × 2 array: one q per column.
        let t = Tensor(shape: [4, 2], z)
        let along = doubles(
            try registry.call("sdm-activation", inputs: ["z": t, "q": Tensor(shape: [2], [0, 9] as [Double])], parameters: ["axis": .number(0)])["y"])
        for col in 0..<2 {
            let want = Self.reference((0..<4).map { z[$0 * 2 + col] }, q: col == 0 ? 0 : 9, d: 1)
            for k in 0..<4 { #expect(abs(along[k * 2 + col] - want[k]) < 1e-15) }
        }
    }
}
