import SoftmaxAttention
import SoftmaxKit
import Testing

/// The attention-engine role: every registered engine that needs nothing beyond Q, K, V (and
/// random projections it draws itself) made from its id and parameters, called through
/// `AttentionEngine.attend`, gives the bits of the registry call on the same tensors.
@Suite struct AttentionEngineTests {
    static let registry = MethodRegistry.complete
    static let engines = registry.methods.filter { m in
        m.role == .attention && Set(m.inputs.filter { !$0.isOptional }.map(\.name)).isSubset(of: ["Q", "K", "V", "W"])
    }.map(\.id)

    func values(_ count: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(g.normal()) }
    }

    func attend(_ engine: any AttentionEngine, _ q: [Float], _ k: [Float], _ v: [Float], _ shape: AttentionShape) throws -> [Float] {
        var out = [Float](repeating: .nan, count: shape.outputCount)
        try q.withUnsafeBufferPointer { qb in
            try k.withUnsafeBufferPointer { kb in
                try v.withUnsafeBufferPointer { vb in
                    try out.withUnsafeMutableBufferPointer { try engine.attend(q: qb, k: kb, v: vb, shape: shape, into: $0) }
                }
            }
        }
        return out
    }

    @Test func everyEngineWithoutExtraInputsIsListed() {
        #expect(Self.engines.contains("attention") && Self.engines.contains("performer-attention") && Self.engines.contains("sigmoid-attention"))
    }

    @Test(arguments: engines)
    func engineEqualsTheRegistryCall(_ id: String) throws {
        let m = try Self.registry.method(id)
        let usesKeys = m.inputs.contains { $0.name == "K" }
        // Grouped-query heads where the engine has keys of its own; SOFT takes K = Q, one V per head.
        let shape = AttentionShape(batch: 2, heads: 4, kvHeads: usesKeys ? 2 : 4, queries: 23, keys: 23, headDim: 12, valueDim: 5)
        let q = values(shape.queryCount, seed: 1), k = values(shape.keyCount, seed: 2), v = values(shape.valueCount, seed: 3)
        let needsFeatures = m.inputs.contains { $0.name == "W" && !$0.isOptional }
        let parameters: [String: ParameterValue] = needsFeatures ? ["features": .number(16), "seed": .number(7)] : [:]
        let engine = try Self.registry.attentionEngine(id, parameters: parameters)
        #expect(engine.id == id)
        let got = try attend(engine, q, k, v, shape)
        var inputs = ["Q": Tensor(shape: [2, 4, 23, 12], q), "V": Tensor(shape: [2, shape.kvHeads, 23, 5], v)]
        if usesKeys { inputs["K"] = Tensor(shape: [2, shape.kvHeads, 23, 12], k) }
        if needsFeatures {
            inputs["W"] = Tensor(shape: [16, 12], OrthogonalFeatures.draw(features: 16, dim: 12, seed: 7).map { Float($0) })
        }
        let expected = try #require(Self.registry.call(id, inputs: inputs)["out"].float32, "\(id): no float32 out")
        #expect(got.count == expected.count && zip(got, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(id)")
        #expect(got.allSatisfy { $0.isFinite }, "\(id): non-finite outputs")
    }

    @Test func exactEngineTakesTheOptionsAndANormalizer() throws {
        let shape = AttentionShape(batch: 1, heads: 2, queries: 9, keys: 17, headDim: 8)
        let q = values(shape.queryCount, seed: 4), k = values(shape.keyCount, seed: 5), v = values(shape.valueCount, seed: 6)
        let inputs = ["Q": Tensor(shape: [1, 2, 9, 8], q), "K": Tensor(shape: [1, 2, 17, 8], k), "V": Tensor(shape: [1, 2, 17, 8], v)]
        for parameters: [String: ParameterValue] in [
            ["causal": .string("bottom-right")], ["window_left": .number(3), "softcap": .number(5)],
            ["normalizer": .string("stablemax")], ["scale": .number(0.5), "causal": .string("top-left")],
        ] {
            let engine = try Self.registry.attentionEngine("attention", parameters: parameters)
            let expected = try #require(Self.registry.call("attention", inputs: inputs, parameters: parameters)["out"].float32)
            #expect(try attend(engine, q, k, v, shape) == expected, "\(parameters)")
        }
        // A normalizer's own parameters go to it: softmax with a cheap exponential differs from exact.
        let cheap = try Self.registry.attentionEngine("attention", parameters: ["exp": .string("schraudolph")])
        let exact = try Self.registry.attentionEngine("attention")
        #expect(try attend(cheap, q, k, v, shape) != attend(exact, q, k, v, shape))
    }

    @Test func badRequestsAreErrors() throws {
        #expect(throws: RegistryError.self) { try Self.registry.attentionEngine("softmax") }
        #expect(throws: RegistryError.self) { try Self.registry.attentionEngine("attention", parameters: ["causal": .string("sideways")]) }
        #expect(throws: RegistryError.self) { try Self.registry.attentionEngine("attention", parameters: ["features": .number(8)]) }
        #expect(throws: RegistryError.self) { try Self.registry.attentionEngine("performer-attention", parameters: ["features": .number(0)]) }
        #expect(throws: RegistryError.self) { try Self.registry.attentionEngine("performer-attention", parameters: ["seed": .number(1.5)]) }
        #expect(throws: AttentionError.needsInputs(engine: "soft-attention", inputs: ["L"])) {
            try Self.registry.attentionEngine("soft-attention")
        }
        let engine = try Self.registry.attentionEngine("attention")
        let shape = AttentionShape(queries: 4, keys: 4, headDim: 2)
        #expect(throws: AttentionError.badShape("attention: K holds 6 values, the shape needs 8")) {
            _ = try attend(engine, [Float](repeating: 0, count: 8), [Float](repeating: 0, count: 6), [Float](repeating: 0, count: 8), shape)
        }
    }
}
