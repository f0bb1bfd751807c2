import SoftmaxAttention
import SoftmaxKit
import Testing

/// `attention` through the registry: 2-d and 4-d inputs, options by parameter, normalizers,
/// precision, and the errors for inconsistent shapes.
@Suite struct AttentionMethodTests {
    let registry = MethodRegistry.complete

    func tensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, (0..<shape.reduce(1, *)).map { _ in Float(g.normal()) })
    }

    @Test func twoAndFourDimensionalInputsAgree() throws {
        let q = tensor([6, 8], seed: 1), k = tensor([9, 8], seed: 2), v = tensor([9, 5], seed: 3)
        let flat = try registry.call("attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["causal": .string("bottom-right")])
        let q4 = Tensor(shape: [1, 1, 6, 8], storage: q.storage), k4 = Tensor(shape: [1, 1, 9, 8], storage: k.storage)
        let v4 = Tensor(shape: [1, 1, 9, 5], storage: v.storage)
        let four = try registry.call("attention", inputs: ["Q": q4, "K": k4, "V": v4], parameters: ["causal": .string("bottom-right")])
        #expect(flat["out"]?.shape == [6, 5] && four["out"]?.shape == [1, 1, 6, 5] && flat["lse"]?.shape == [6])
        #expect(flat["out"]?.storage == four["out"]?.storage)
        // float64 inputs run the Double reference; it agrees with the float32 engine.
        let d = try registry.call(
            "attention",
            inputs: [
                "Q": q.converted(toFloat: .float64), "K": k.converted(toFloat: .float64),
                "V": v.converted(toFloat: .float64),
            ], parameters: ["causal": .string("bottom-right")])
        guard case let .float64(ref)? = d["out"]?.storage, case let .float32(got)? = flat["out"]?.storage else { Issue.record("dtypes"); return }
        for (a, b) in zip(got, ref) { #expect(abs(Double(a) - b) < 1e-5) }
    }

    @Test func anyNormalizerRunsInside() throws {
        let q = tensor([5, 4], seed: 4), k = tensor([7, 4], seed: 5), v = tensor([7, 3], seed: 6)
        let soft = try registry.call("attention", inputs: ["Q": q, "K": k, "V": v])
        let viaNormalizer = try registry.call("attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["normalizer": .string("softmax")])
        #expect(soft["out"] == viaNormalizer["out"])
        for id in ["stablemax", "sparsemax", "entmax15", "puma-softmax", "ibert-softmax-int"] {
            let out = try registry.call("attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["normalizer": .string(id)])
            guard case let .float32(y)? = out["out"]?.storage else { Issue.record("\(id): no float32 out"); continue }
            #expect(y.count == 15 && !y.contains { $0.isNaN }, "\(id)")
        }
        #expect(throws: RegistryError.self) {
            try registry.call("attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["normalizer": .string("gelu")])
        }
    }

    /// Each engine's options, read off its registry entry, and every option it lacks rejected by name.
    @Test func capabilitiesAreListedAndUnsupportedOptionsRejected() throws {
        let exact = try #require(AttentionCapabilities(registry.method("attention")))
        #expect(exact.mask && exact.bias && exact.window && exact.softcap && exact.scale && exact.normalizer && exact.logSumExp)
        #expect(exact.causal == ["top-left", "bottom-right"] && exact.extraInputs.isEmpty)
        let linear = try #require(AttentionCapabilities(registry.method("linear-attention")))
        #expect(!linear.mask && !linear.softcap && linear.causal == ["top-left"])
        #expect(try AttentionCapabilities(registry.method("performer-attention"))?.extraInputs == ["W"])
        #expect(try AttentionCapabilities(registry.method("softmax")) == nil)
        let q = tensor([4, 8], seed: 7), k = tensor([4, 8], seed: 8), v = tensor([4, 8], seed: 9)
        for m in registry.methods {
            guard let options = AttentionCapabilities(m) else { continue }
            if !options.softcap {
                #expect(throws: RegistryError.self, "\(m.id) accepted softcap") {
                    try registry.call(m.id, inputs: ["Q": q, "K": k, "V": v], parameters: ["softcap": .number(5)])
                }
            }
            if !options.mask {
                #expect(throws: (any Error).self, "\(m.id) accepted a mask") {
                    try registry.call(m.id, inputs: ["Q": q, "K": k, "V": v, "mask": Tensor(shape: [4, 4], [Bool](repeating: true, count: 16))])
                }
            }
        }
    }

    @Test func inconsistentShapesAreErrors() {
        let q = tensor([5, 4], seed: 1), k = tensor([7, 4], seed: 2), v = tensor([6, 3], seed: 3)
        #expect(throws: TensorError.self) { try registry.call("attention", inputs: ["Q": q, "K": k, "V": v]) }
        #expect(throws: TensorError.self) { try registry.call("attention", inputs: ["Q": tensor([5, 3], seed: 1), "K": k, "V": tensor([7, 3], seed: 3)]) }
        let mask = Tensor(shape: [5, 6], [Bool](repeating: true, count: 30))
        #expect(throws: AttentionError.self) {
            try registry.call("attention", inputs: ["Q": q, "K": k, "V": tensor([7, 3], seed: 3), "mask": mask])
        }
        #expect(throws: AttentionError.self) {
            try registry.call(
                "attention",
                inputs: [
                    "Q": tensor([1, 3, 5, 4], seed: 1), "K": tensor([1, 2, 7, 4], seed: 2),
                    "V": tensor([1, 2, 7, 3], seed: 3),
                ])
        }
    }
}
