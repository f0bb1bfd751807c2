import Foundation
import SoftmaxKit
import Testing

/// Distribution-valued methods along any axis of an N-d tensor, against float64 references
/// computed along that axis directly.
@Suite struct RowAxisTests {
    let registry = MethodRegistry.standard

    /// Softmax (or logsumexp when `reduce`) of `values` along `axis`, in float64, NumPy style.
    static func reference(_ values: [Double], shape: [Int], axis: Int, reduce: Bool = false, log: Bool = false) -> [Double] {
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var out = [Double](repeating: 0, count: reduce ? outer * inner : values.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let at = (0..<n).map { o * n * inner + $0 * inner + i }
                let m = at.map { values[$0] }.max() ?? -.infinity
                let lse = m + Foundation.log(at.map { exp(values[$0] - m) }.reduce(0, +))
                if reduce {
                    out[o * inner + i] = lse
                } else {
                    for k in at { out[k] = log ? values[k] - lse : exp(values[k] - lse) }
                }
            }
        }
        return out
    }

    @Test(arguments: [[2, 3, 5], [3, 1, 4, 2], [7], [2, 6]])
    func softmaxFamilyAlongEveryAxis(shape: [Int]) throws {
        var g = SplitMix64(seed: UInt64(shape.reduce(7, *)))
        let values = (0..<shape.reduce(1, *)).map { _ in 4 * g.normal() }
        for axis in -shape.count..<shape.count {
            let a = axis < 0 ? axis + shape.count : axis
            for (id, reduce, log) in [("softmax", false, false), ("log-softmax", false, true), ("logsumexp", true, false)] {
                for dtype in [DType.float64, .float32] {
                    let x = Tensor(shape: shape, values).converted(toFloat: dtype)
                    let y = try registry.call(id, inputs: ["x": x], parameters: ["axis": .number(Double(axis))])["y"]
                    var expectedShape = shape
                    if reduce { expectedShape.remove(at: a) }
                    #expect(y?.shape == expectedShape, "\(id) \(shape) axis \(axis)")
                    #expect(y?.dtype == dtype)
                    let xs = try x.floatingPoint(as: Double.self, name: "x", rounding: false)
                    let want = Self.reference(xs, shape: shape, axis: a, reduce: reduce, log: log)
                    let got = doubles(y)
                    let tolerance = dtype == .float64 ? 1e-13 : 2e-6
                    for (p, q) in zip(got, want) {
                        #expect(abs(p - q) <= tolerance * max(1, abs(q)), "\(id) \(shape) axis \(axis) \(dtype): \(p) vs \(q)")
                    }
                    #expect(got.count == want.count)
                }
            }
        }
    }

    /// Along a non-last axis the exact softmax and log-softmax run `ColumnSoftmax` on the tensor as
    /// it lies — the C library and the Python package take the same path, so all agree bit for
    /// bit; an axis followed only by length-one axes is rows, and other algorithms (and masks)
    /// move the axis last.
    @Test(arguments: [[40, 9], [3, 17, 5], [2, 3, 1], [6, 1, 1]])
    func exactSoftmaxRunsAlongTheAxisWhereItLies(shape: [Int]) throws {
        var g = SplitMix64(seed: UInt64(shape.reduce(11, *)))
        let values = (0..<shape.reduce(1, *)).map { _ in Float(3 * g.normal()) }
        let x = Tensor(shape: shape, values)
        for axis in 0..<shape.count - 1 {
            let block = AxisBlock(shape: shape, axis: axis)
            for (id, log) in [("softmax", false), ("log-softmax", true)] {
                let at: [String: ParameterValue] = ["axis": .number(Double(axis)), "temperature": .number(0.8)]
                let y = try #require(float32(registry.call(id, inputs: ["x": x], parameters: at)["y"]))
                // The axis moved last by hand and the rows computed by the row kernels.
                let moved = try #require(registry.call(id, inputs: ["x": x.movingAxisLast(axis)], parameters: ["temperature": .number(0.8)])["y"])
                let rows = try #require(float32(moved.movingLastAxis(to: axis)))
                if block.isRows {
                    #expect(y == rows, "\(id) \(shape) axis \(axis): rows as they lie")
                    continue
                }
                var direct = [Float](repeating: .nan, count: values.count)
                try values.withUnsafeBufferPointer { xb in
                    try direct.withUnsafeMutableBufferPointer { yb in
                        try ColumnSoftmax.run(
                            xb.baseAddress!, into: yb.baseAddress!, outer: block.outer, count: block.count, inner: block.inner, log: log,
                            options: SoftmaxOptions(temperature: 0.8))
                    }
                }
                #expect(y == direct, "\(id) \(shape) axis \(axis): the column kernel")
                let forced = try registry.call(
                    id, inputs: ["x": x], parameters: at.merging(["algorithm": .string("three-pass-reload")]) { $1 })["y"]
                #expect(float32(forced) == direct, "\(id) \(shape) axis \(axis): three-pass-reload named")
                let online = try registry.call(id, inputs: ["x": x], parameters: at.merging(["algorithm": .string("online")]) { $1 })["y"]
                let onlineRows = try #require(
                    registry.call(
                        id, inputs: ["x": x.movingAxisLast(axis)], parameters: ["temperature": .number(0.8), "algorithm": .string("online")])["y"])
                #expect(float32(online) == float32(onlineRows.movingLastAxis(to: axis)), "\(id) \(shape) axis \(axis): online moves the axis")
            }
        }
    }

    /// An invocation built by hand that asks a normalizer without a column path for one is a
    /// thrown error naming the axis, not a trap.
    @Test func aColumnAxisTheNormalizerCannotRunIsAnError() throws {
        let method = try registry.method("softmax")
        let values = try method.resolve(["exp": .string("schraudolph")])
        let invocation = MethodInvocation(
            method: "softmax", inputs: ["x": Tensor(shape: [4, 3], [Float](repeating: 1, count: 12))], parameters: values,
            precision: .float32, allowRounding: false, columnAxis: 0)
        let error = #expect(throws: RegistryError.self) { try method.implementation.run(invocation, as: Float.self) }
        #expect(error?.description.contains("axis") == true)
    }

    /// Losses and samplers take scores of any rank and their classes along `axis` too: the same
    /// outputs as the call with the classes moved last by hand (per-row inputs and outputs keep the
    /// other axes in order; outputs of the scores' rank get the axis moved back), and as the call on
    /// `[rows, C]`, bit for bit.
    @Test(arguments: [([5, 4], 0), ([3, 5, 2], 1), ([5, 2, 3], 0)])
    func lossesAndSamplersAlongAnyAxis(shape: [Int], axis: Int) throws {
        var g = SplitMix64(seed: UInt64(shape.reduce(5, *) + axis))
        let classes = shape[axis]
        var perRow = shape
        perRow.remove(at: axis)
        let rows = perRow.reduce(1, *)
        func scores(_ scale: Double = 2) -> Tensor { Tensor(shape: shape, (0..<shape.reduce(1, *)).map { _ in scale * g.normal() }) }
        func labels() -> Tensor { Tensor(shape: perRow, storage: .int64((0..<rows).map { _ in Int64(g.next() % UInt64(classes)) })) }
        func positive() -> Tensor { Tensor(shape: perRow, (0..<rows).map { _ in 0.5 + g.openUniform() }) }
        let probabilities = try registry.call("softmax", inputs: ["x": scores()], parameters: ["axis": .number(Double(axis))])["y"]
        let cases: [(String, [String: Tensor])] = [
            ("cross-entropy", ["logits": scores(), "labels": labels()]),
            ("cross-entropy", ["logits": scores(), "target": try #require(probabilities)]),
            ("stablemax-cross-entropy", ["logits": scores(), "labels": labels()]),
            ("z-loss", ["o": scores(), "c": labels()]),
            ("comp-sum-loss", ["h": scores(), "y": labels()]),
            ("decoupled-softmax-loss", ["S": scores(0.5), "P": Tensor(shape: shape, (0..<shape.reduce(1, *)).map { _ in g.next() % 3 == 0 })]),
            ("sample-token", ["logits": scores(), "uniform": Tensor(shape: perRow, (0..<rows).map { _ in g.openUniform() })]),
            ("sdm-loss", ["z": scores(), "labels": labels(), "q": positive(), "d": positive()]),
            ("madacos-loss", ["cos": Tensor(shape: shape, (0..<shape.reduce(1, *)).map { _ in 2 * g.openUniform() - 1 }), "labels": labels()]),
            ("tempnet-dro-loss", ["logits": scores(), "labels": labels(), "tau": positive()]),
        ]
        for (id, inputs) in cases {
            let method = try registry.method(id)
            #expect(method.parameters.contains { $0.name == "axis" }, "\(id) takes axis")
            let along = try registry.call(id, inputs: inputs, parameters: ["axis": .number(Double(axis))])
            var moved = inputs
            for name in method.axisInputs { moved[name] = inputs[name]?.movingAxisLast(axis) }
            let byHand = try registry.call(id, inputs: moved)
            #expect(Set(along.keys) == Set(byHand.keys))
            for (name, t) in byHand {
                let want = t.rank == shape.count ? t.movingLastAxis(to: axis) : t
                #expect(along[name]?.shape == want.shape, "\(id) \(name) \(shape) axis \(axis)")
                #expect(doubles(along[name]) == doubles(want), "\(id) \(name) \(shape) axis \(axis)")
            }
            // Scores of rank 3: the leading axes count rows, as the same call on [rows, C] and [rows].
            guard shape.count > 2 else { continue }
            let lead = perRow
            var flat = moved
            for (name, t) in moved where t.shape == lead + [classes] || t.shape == lead {
                flat[name] = Tensor(shape: t.shape == lead ? [rows] : [rows, classes], storage: t.storage)
            }
            let flatOutputs = try registry.call(id, inputs: flat)
            for (name, t) in flatOutputs {
                #expect(doubles(byHand[name]) == doubles(t), "\(id) \(name) \(shape): the leading axes as rows")
                #expect(byHand[name]?.count == t.count)
            }
        }
    }

    /// The keep-mask moves with the scores; every normalizer takes `axis`.
    @Test func maskedRowsAlongTheFirstAxis() throws {
        let x = Tensor(shape: [3, 2], [1, 5, 2, 6, 3, 7] as [Double])
        let mask = Tensor(shape: [3, 2], [true, true, false, true, true, false])
        let y = try registry.call("masked-softmax", inputs: ["x": x, "mask": mask], parameters: ["axis": .number(0)])["y"]
        let e13 = 1 / (1 + exp(2.0)), e57 = 1 / (1 + exp(1.0))
        let want: [Double] = [e13, e57, 0, 1 - e57, 1 - e13, 0]
        for (p, q) in zip(doubles(y), want) { #expect(abs(p - q) < 1e-15) }
        for m in registry.methods where m.role == .normalizer || m.role == .reduction {
            #expect(m.parameters.contains { $0.name == "axis" }, "\(m.id) takes axis")
        }
    }

    @Test func badAxesAndShapesAreClearErrors() throws {
        let x = Tensor(shape: [2, 3], [Double](repeating: 0, count: 6))
        let error = #expect(throws: TensorError.self) {
            try registry.call("softmax", inputs: ["x": x], parameters: ["axis": .number(2)])
        }
        #expect(error?.description == "axis 2 is out of range for input 'x' of shape (2, 3); use an axis in -2…1")
        let mask = Tensor(shape: [3, 2], [Bool](repeating: true, count: 6))
        #expect(throws: TensorError.self) {
            try registry.call("masked-softmax", inputs: ["x": x, "mask": mask], parameters: ["axis": .number(0)])
        }
        #expect(throws: RegistryError.self) { try registry.call("gelu", inputs: ["x": x], parameters: ["axis": .number(0)]) }
    }

    /// Element-wise methods take any rank.
    @Test func activationsTakeAnyRank() throws {
        let x = Tensor(shape: [2, 2, 2], [-2, -1, -0.5, 0, 0.5, 1, 2, 3] as [Double])
        let y = try registry.call("gelu", inputs: ["x": x])["y"]
        #expect(y?.shape == [2, 2, 2])
        let rows = try registry.call("gelu", inputs: ["x": Tensor(shape: [8], try x.floatingPoint(as: Double.self, name: "x", rounding: false))])["y"]
        #expect(doubles(y) == doubles(rows))
    }
}

private func float32(_ t: Tensor?) -> [Float]? { t.float32 }
